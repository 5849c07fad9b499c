//! Graph's cross-tenant access types (graph-api.md §3), as far as code reasons about them.
//!
//! The *settings* of a partner or of the default configuration (inbound trust, the B2B settings, tenant
//! restrictions, ...) are carried as Graph's JSON ([`Properties`]): the provider's Terraform schema is their one
//! description, and the resource crate maps them to and from Terraform values by walking it. Only what code here or
//! in the provider reasons about is typed: keys (`tenantId`), read-only flags (`isServiceProvider`,
//! `isServiceDefault`), the identity-synchronization policy, the policy's `allowedCloudEndpoints`, tenant
//! information, and paging.
//!
//! Reading is tolerant: unknown properties are kept (in a settings map) or ignored, missing or `null` members read
//! as absent anywhere below the typed fields, and unknown enum values (including `unknownFutureValue`) stay the raw
//! strings Graph sent. Writing is exact: a settings map sends exactly its members, so absent means "unchanged" and
//! JSON `null` means "back to inheriting" (partners) under Graph's PATCH; read-only properties are never part of a
//! write.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Graph properties as JSON, by their exact camelCase names. As a PATCH body: a property that is absent is left
/// alone, one that is `null` is cleared (for a partner: inherited from the default again).
pub type Properties = serde_json::Map<String, Value>;

/// The value of `name` in `properties`, unless it is absent or `null`.
fn present<'a>(properties: &'a Properties, name: &str) -> Option<&'a Value> {
    properties.get(name).filter(|value| !value.is_null())
}

/// The tenant-wide policy (E1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CrossTenantAccessPolicy {
    /// The server's id (a GUID). Not a stable identity for Terraform (Q12).
    pub id: Option<String>,
    /// `CrossTenantAccessPolicy for <tenant>`.
    pub display_name: Option<String>,
    /// The other clouds B2B collaboration may reach; documented as never null, read as empty when it is.
    #[serde(deserialize_with = "null_as_default")]
    pub allowed_cloud_endpoints: Vec<String>,
}

/// A PATCH of the tenant-wide policy (E2). `None` leaves a property alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyPatch {
    /// The display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The allowed cloud endpoints; `Some(vec![])` clears them (null is not allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_cloud_endpoints: Option<Vec<String>>,
}

/// The default configuration (E3). Its settings are a PATCH of the same shape (E4): only updatable properties
/// belong in one, and the default cannot be nulled (reset it instead).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DefaultConfiguration {
    /// The server's id.
    #[serde(skip_serializing)]
    pub id: Option<String>,
    /// True until the default is first customised, and again after a reset. Computed by Graph.
    #[serde(skip_serializing)]
    pub is_service_default: Option<bool>,
    /// Every other property as Graph sent it: the settings, including the read-only
    /// `automaticUserConsentSettings`.
    #[serde(flatten)]
    pub settings: Properties,
}

impl DefaultConfiguration {
    /// The setting `name` (Graph's name), unless Graph reports it as `null` or not at all.
    pub fn setting(&self, name: &str) -> Option<&Value> {
        present(&self.settings, name)
    }
}

/// A partner configuration (E8), with its identity-sync policy when listed with `$expand`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PartnerConfiguration {
    /// The partner tenant's id (the key), lowercase as Graph returns it.
    pub tenant_id: String,
    /// True for the tenant's Cloud Solution Provider; such partners cannot be deleted. Read-only.
    #[serde(skip_serializing)]
    pub is_service_provider: Option<bool>,
    /// True when the partner is in the same multi-tenant organization. Read-only.
    #[serde(skip_serializing)]
    pub is_in_multi_tenant_organization: Option<bool>,
    /// The identity-sync policy, present only in listings with `$expand=identitySynchronization`.
    #[serde(skip_serializing)]
    pub identity_synchronization: Option<IdentitySyncPolicy>,
    /// Every other property as Graph sent it: the settings, `null` when inherited from the default.
    #[serde(flatten)]
    pub settings: Properties,
}

impl PartnerConfiguration {
    /// The setting `name` (Graph's name), unless it is `null` (inherited) or absent.
    pub fn setting(&self, name: &str) -> Option<&Value> {
        present(&self.settings, name)
    }
}

/// One property of a PATCH with a typed value: leave it alone, set it to `null`, or set it to a value. Graph PATCH
/// keeps properties that are not sent, so "leave alone" and "null" differ.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Not sent.
    #[default]
    Unchanged,
    /// Sent as JSON `null`.
    Null,
    /// Sent as this value.
    Set(T),
}

impl<T> Patch<T> {
    /// True for [`Patch::Unchanged`]; used to leave the property out of the body.
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }

    /// `Set(v)` for `Some(v)`, `Null` for `None`: "make it exactly this".
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Patch::Null, Patch::Set)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Set(value) => value.serialize(serializer),
            Patch::Null | Patch::Unchanged => serializer.serialize_none(),
        }
    }
}

/// Whether users may be synchronized in from the partner (`crossTenantUserSyncInbound`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserSyncInbound {
    /// Allow inbound user sync.
    pub is_sync_allowed: Option<bool>,
}

/// A partner's identity-sync policy (E12).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IdentitySyncPolicy {
    /// The partner tenant's id. Read-only.
    #[serde(skip_serializing)]
    pub tenant_id: Option<String>,
    /// A display name.
    pub display_name: Option<String>,
    /// Inbound user sync.
    pub user_sync_inbound: Option<UserSyncInbound>,
}

/// A PATCH of an identity-sync policy (E13).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentitySyncPatch {
    /// The display name.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub display_name: Patch<String>,
    /// Inbound user sync.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub user_sync_inbound: Patch<UserSyncInbound>,
}

/// Basic facts about a tenant (E15, E16).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TenantInformation {
    /// The tenant id.
    pub tenant_id: String,
    /// The default domain, e.g. `contoso.onmicrosoft.com`.
    pub default_domain_name: Option<String>,
    /// The organization's name.
    pub display_name: Option<String>,
    /// The federation brand name.
    pub federation_brand_name: Option<String>,
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_documented_partner_example_and_keeps_every_setting() {
        // graph-api.md §5.3, with §3.4's undocumented extras and an unknown enum value.
        let body = json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/partners/$entity",
            "tenantId": "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a",
            "isServiceProvider": false,
            "isInMultiTenantOrganization": false,
            "inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": true, "isHybridAzureADJoinedDeviceAccepted": false},
            "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": true},
            "b2bCollaborationInbound": {
                "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "a1b2c3d4-0000-0000-0000-00000000aaaa", "targetType": "group"}]},
                "applications": {"accessType": "unknownFutureValue", "targets": [{"target": "AllApplications", "targetType": "application"}]}
            },
            "b2bCollaborationOutbound": null,
            "tenantRestrictions": {
                "devices": {"mode": "allowed", "rule": "device.deviceAttribute2 -eq 'PrivilegedAccessWorkstation'"},
                "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                "applications": {"accessType": "allowed", "targets": [{"target": "Office365", "targetType": "application"}]}
            },
            "m365CollaborationInbound": {"users": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]}},
            "crossCloudMeetingConfiguration": {"inboundAllowed": null, "outboundAllowed": null},
            "protectedContentSharing": {"inboundAllowed": true},
            "identitySynchronization": {"tenantId": "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a", "displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": true}}
        });
        let partner: PartnerConfiguration = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(partner.tenant_id, "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a");
        assert_eq!(partner.is_service_provider, Some(false));
        assert_eq!(partner.setting("inboundTrust").unwrap()["isHybridAzureADJoinedDeviceAccepted"], json!(false));
        let inbound = partner.setting("b2bCollaborationInbound").unwrap();
        assert_eq!(inbound["usersAndGroups"]["targets"][0]["targetType"], "group");
        assert_eq!(inbound["applications"]["accessType"], "unknownFutureValue", "unknown enum values are kept raw");
        assert_eq!(partner.setting("b2bCollaborationOutbound"), None, "null is inherited");
        assert_eq!(partner.setting("tenantRestrictions").unwrap()["devices"]["mode"], "allowed");
        assert_eq!(partner.identity_synchronization.as_ref().unwrap().display_name.as_deref(), Some("Fabrikam"));
        assert_eq!(partner.setting("appServiceConnectInbound"), None, "missing properties read as absent");
        // Every setting, known or not, is kept exactly as Graph sent it.
        for (name, value) in body.as_object().unwrap() {
            if !matches!(
                name.as_str(),
                "tenantId" | "isServiceProvider" | "isInMultiTenantOrganization" | "identitySynchronization"
            ) {
                assert_eq!(partner.settings.get(name), Some(value), "{name}");
            }
        }
    }

    #[test]
    fn nullable_members_never_fail_a_read() {
        // Graph's CSDL declares a target's `target` and `targetType` nullable; the policy has a `description`.
        let partner: PartnerConfiguration = serde_json::from_value(json!({
            "tenantId": "t",
            "isServiceProvider": null,
            "b2bCollaborationInbound": {"usersAndGroups": {"accessType": null, "targets": [{"target": null, "targetType": null}]}},
            "identitySynchronization": {"tenantId": null, "displayName": null, "userSyncInbound": null}
        }))
        .unwrap();
        assert_eq!(
            partner.setting("b2bCollaborationInbound").unwrap()["usersAndGroups"]["targets"][0]["target"],
            json!(null)
        );
        assert_eq!(partner.identity_synchronization.unwrap().user_sync_inbound, None);
        let policy: CrossTenantAccessPolicy = serde_json::from_value(json!({
            "id": null, "displayName": null, "description": null, "allowedCloudEndpoints": null
        }))
        .unwrap();
        assert_eq!(policy, CrossTenantAccessPolicy::default());
        let default: DefaultConfiguration = serde_json::from_value(json!({"isServiceDefault": null})).unwrap();
        assert_eq!(default.is_service_default, None);
    }

    #[test]
    fn reads_the_fresh_default_and_root_policy() {
        let default: DefaultConfiguration = serde_json::from_value(json!({
            "id": "895e3c89-2715-4624-9715-6a86227312eb",
            "isServiceDefault": true,
            "automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false},
            "invitationRedemptionIdentityProviderConfiguration": {
                "primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory", "externalFederation", "socialIdentityProviders"],
                "fallbackIdentityProvider": "defaultConfiguredIdp"
            }
        }))
        .unwrap();
        assert_eq!(default.is_service_default, Some(true));
        let idp = default.setting("invitationRedemptionIdentityProviderConfiguration").unwrap();
        assert_eq!(idp["fallbackIdentityProvider"], "defaultConfiguredIdp");
        assert_eq!(idp["primaryIdentityProviderPrecedenceOrder"][2], "socialIdentityProviders");
        assert_eq!(
            serde_json::to_value(&default).unwrap().as_object().unwrap().keys().collect::<Vec<_>>(),
            ["automaticUserConsentSettings", "invitationRedemptionIdentityProviderConfiguration"],
            "the id and isServiceDefault are read-only and never written back"
        );

        let policy: CrossTenantAccessPolicy = serde_json::from_value(
            json!({"id": "x", "displayName": "CrossTenantAccessPolicy for t", "allowedCloudEndpoints": null}),
        )
        .unwrap();
        assert!(policy.allowed_cloud_endpoints.is_empty());
    }

    #[test]
    fn a_partner_written_back_never_carries_read_only_properties() {
        let partner = PartnerConfiguration {
            tenant_id: "t".into(),
            is_service_provider: Some(true),
            is_in_multi_tenant_organization: Some(false),
            identity_synchronization: Some(IdentitySyncPolicy::default()),
            settings: json!({"inboundTrust": null}).as_object().unwrap().clone(),
        };
        assert_eq!(serde_json::to_value(&partner).unwrap(), json!({"tenantId": "t", "inboundTrust": null}));
    }

    #[test]
    fn identity_sync_writes_omit_the_read_only_tenant_id() {
        let policy = IdentitySyncPolicy {
            tenant_id: Some("t".into()),
            display_name: Some("Fabrikam".into()),
            user_sync_inbound: Some(UserSyncInbound { is_sync_allowed: Some(true) }),
        };
        assert_eq!(
            serde_json::to_value(&policy).unwrap(),
            json!({"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": true}})
        );
        let patch = IdentitySyncPatch { display_name: Patch::Null, user_sync_inbound: Patch::Unchanged };
        assert_eq!(serde_json::to_value(&patch).unwrap(), json!({"displayName": null}));
    }
}
