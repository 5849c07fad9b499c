//! Graph's cross-tenant access types (graph-api.md §3), as serde models with Graph's exact camelCase names.
//!
//! Reading is tolerant: unknown properties are ignored, missing ones become `None`, and enum values this crate does
//! not know (including `unknownFutureValue`) keep their raw string in an `Other` variant, so a new Graph value never
//! breaks a refresh. Writing is exact: read-only properties have no place in the write types, nested values send
//! JSON `null` for `None` (so "unset" means the same under Graph's replace and merge behaviours), and collections are
//! omitted when `None`, because OData collections cannot be null.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Declares a string enum that keeps unknown values.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this crate does not know, such as `unknownFutureValue`, kept as Graph sent it.
            Other(String),
        }

        impl $name {
            /// The value as Graph writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(raw) => raw,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Ok($name::from(raw.as_str()))
            }
        }
    };
}

open_enum! {
    /// Whether a target configuration allows or blocks its targets (`crossTenantAccessPolicyTargetConfigurationAccessType`).
    AccessType {
        /// `allowed`
        Allowed = "allowed",
        /// `blocked`
        Blocked = "blocked",
    }
}

open_enum! {
    /// What a target names (`crossTenantAccessPolicyTargetType`).
    TargetType {
        /// `user`
        User = "user",
        /// `group`
        Group = "group",
        /// `application`
        Application = "application",
    }
}

open_enum! {
    /// An identity provider for invitation redemption (`b2bIdentityProvidersType`).
    IdentityProviderType {
        /// `azureActiveDirectory`
        AzureActiveDirectory = "azureActiveDirectory",
        /// `externalFederation`
        ExternalFederation = "externalFederation",
        /// `socialIdentityProviders`
        SocialIdentityProviders = "socialIdentityProviders",
        /// `emailOneTimePasscode`
        EmailOneTimePasscode = "emailOneTimePasscode",
        /// `microsoftAccount`
        MicrosoftAccount = "microsoftAccount",
        /// `defaultConfiguredIdp`
        DefaultConfiguredIdp = "defaultConfiguredIdp",
    }
}

/// One user, group or application, or a keyword such as `AllUsers` (`crossTenantAccessPolicyTarget`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// An object or app id, or `AllUsers`, `AllApplications`, `Office365`, `AllMicrosoftApps`.
    pub target: String,
    /// What `target` names.
    pub target_type: TargetType,
}

/// Allowed or blocked, for a list of targets (`crossTenantAccessPolicyTargetConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TargetConfiguration {
    /// Allowed or blocked.
    pub access_type: Option<AccessType>,
    /// The targets; replaced wholesale on write.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<Target>>,
}

/// B2B collaboration or direct connect settings in one direction (`crossTenantAccessPolicyB2BSetting`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct B2bSetting {
    /// Which users and groups.
    pub users_and_groups: Option<TargetConfiguration>,
    /// Which applications.
    pub applications: Option<TargetConfiguration>,
}

/// A device filter for tenant restrictions (`devicesFilter`). `mode` is allowed/blocked, not include/exclude.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DevicesFilter {
    /// Allowed or blocked.
    pub mode: Option<AccessType>,
    /// The device rule, e.g. `device.deviceAttribute2 -eq 'PrivilegedAccessWorkstation'`.
    pub rule: Option<String>,
}

/// Tenant restrictions (`crossTenantAccessPolicyTenantRestrictions`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TenantRestrictions {
    /// Which users and groups.
    pub users_and_groups: Option<TargetConfiguration>,
    /// Which applications.
    pub applications: Option<TargetConfiguration>,
    /// Which devices (documented as not yet supported by the service).
    pub devices: Option<DevicesFilter>,
}

/// Which claims from the partner tenant are trusted (`crossTenantAccessPolicyInboundTrust`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InboundTrust {
    /// Trust the partner's MFA.
    pub is_mfa_accepted: Option<bool>,
    /// Trust the partner's compliant-device claims.
    pub is_compliant_device_accepted: Option<bool>,
    /// Trust the partner's hybrid-joined-device claims. Graph spells the name with a capital `AD`.
    #[serde(rename = "isHybridAzureADJoinedDeviceAccepted")]
    pub is_hybrid_azure_ad_joined_device_accepted: Option<bool>,
}

/// Inbound and outbound flags (`inboundOutboundPolicyConfiguration`), used for automatic user consent. A `None`
/// flag on a partner inherits the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InboundOutboundPolicyConfiguration {
    /// Inbound.
    pub inbound_allowed: Option<bool>,
    /// Outbound.
    pub outbound_allowed: Option<bool>,
}

impl InboundOutboundPolicyConfiguration {
    /// True when both flags are unset: Graph's way of saying "not configured" for a partner's consent settings.
    pub fn is_unset(&self) -> bool {
        self.inbound_allowed.is_none() && self.outbound_allowed.is_none()
    }
}

/// Who can be invited, in which order of identity providers (`invitationRedemptionIdentityProviderConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InvitationRedemptionIdentityProviderConfiguration {
    /// The primary providers, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_identity_provider_precedence_order: Option<Vec<IdentityProviderType>>,
    /// The fallback provider.
    pub fallback_identity_provider: Option<IdentityProviderType>,
}

/// Microsoft 365 collaboration, inbound (`crossTenantAccessPolicyM365CollaborationInboundSetting`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct M365CollaborationInbound {
    /// Which users (the property is `users`, not `usersAndGroups`).
    pub users: Option<TargetConfiguration>,
}

/// Microsoft 365 collaboration, outbound (`crossTenantAccessPolicyM365CollaborationOutboundSetting`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct M365CollaborationOutbound {
    /// Which users and groups.
    pub users_and_groups: Option<TargetConfiguration>,
}

/// App Service connect, inbound (`crossTenantAccessPolicyAppServiceConnectSetting`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppServiceConnectSetting {
    /// Which applications.
    pub applications: Option<TargetConfiguration>,
}

/// The tenant-wide policy (E1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CrossTenantAccessPolicy {
    /// The server's id (a GUID). Not a stable identity for Terraform (Q12).
    pub id: Option<String>,
    /// `CrossTenantAccessPolicy for <tenant>`.
    pub display_name: Option<String>,
    /// The other clouds B2B collaboration may reach; never null.
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

/// The default configuration (E3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DefaultConfiguration {
    /// The server's id.
    pub id: Option<String>,
    /// True until the default is first customised, and again after a reset. Computed by Graph.
    pub is_service_default: Option<bool>,
    /// Inbound trust.
    pub inbound_trust: Option<InboundTrust>,
    /// Always false on the default; read-only.
    pub automatic_user_consent_settings: Option<InboundOutboundPolicyConfiguration>,
    /// B2B collaboration, inbound.
    pub b2b_collaboration_inbound: Option<B2bSetting>,
    /// B2B collaboration, outbound.
    pub b2b_collaboration_outbound: Option<B2bSetting>,
    /// B2B direct connect, inbound.
    pub b2b_direct_connect_inbound: Option<B2bSetting>,
    /// B2B direct connect, outbound.
    pub b2b_direct_connect_outbound: Option<B2bSetting>,
    /// Tenant restrictions.
    pub tenant_restrictions: Option<TenantRestrictions>,
    /// Invitation redemption identity providers.
    pub invitation_redemption_identity_provider_configuration:
        Option<InvitationRedemptionIdentityProviderConfiguration>,
    /// Microsoft 365 collaboration, inbound.
    pub m365_collaboration_inbound: Option<M365CollaborationInbound>,
    /// Microsoft 365 collaboration, outbound.
    pub m365_collaboration_outbound: Option<M365CollaborationOutbound>,
    /// App Service connect, inbound.
    pub app_service_connect_inbound: Option<AppServiceConnectSetting>,
}

/// A PATCH of the default configuration (E4). It has only the updatable properties, so read-only ones
/// (`isServiceDefault`, `automaticUserConsentSettings`, `id`) can never be sent. `None` leaves a property alone;
/// the default cannot be nulled (reset it instead).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultPatch {
    /// Inbound trust.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_trust: Option<InboundTrust>,
    /// B2B collaboration, inbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_collaboration_inbound: Option<B2bSetting>,
    /// B2B collaboration, outbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_collaboration_outbound: Option<B2bSetting>,
    /// B2B direct connect, inbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_direct_connect_inbound: Option<B2bSetting>,
    /// B2B direct connect, outbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_direct_connect_outbound: Option<B2bSetting>,
    /// Tenant restrictions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_restrictions: Option<TenantRestrictions>,
    /// Invitation redemption identity providers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_redemption_identity_provider_configuration:
        Option<InvitationRedemptionIdentityProviderConfiguration>,
    /// Microsoft 365 collaboration, inbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m365_collaboration_inbound: Option<M365CollaborationInbound>,
    /// Microsoft 365 collaboration, outbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m365_collaboration_outbound: Option<M365CollaborationOutbound>,
    /// App Service connect, inbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_service_connect_inbound: Option<AppServiceConnectSetting>,
}

/// A partner configuration (E8), with its identity-sync policy when listed with `$expand`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PartnerConfiguration {
    /// The partner tenant's id (the key), lowercase as Graph returns it.
    pub tenant_id: String,
    /// True for the tenant's Cloud Solution Provider; such partners cannot be deleted. Read-only.
    pub is_service_provider: Option<bool>,
    /// True when the partner is in the same multi-tenant organization. Read-only.
    pub is_in_multi_tenant_organization: Option<bool>,
    /// Inbound trust; `None` inherits the default.
    pub inbound_trust: Option<InboundTrust>,
    /// Automatic user consent; Graph returns an object of nulls when unset.
    pub automatic_user_consent_settings: Option<InboundOutboundPolicyConfiguration>,
    /// B2B collaboration, inbound.
    pub b2b_collaboration_inbound: Option<B2bSetting>,
    /// B2B collaboration, outbound.
    pub b2b_collaboration_outbound: Option<B2bSetting>,
    /// B2B direct connect, inbound.
    pub b2b_direct_connect_inbound: Option<B2bSetting>,
    /// B2B direct connect, outbound.
    pub b2b_direct_connect_outbound: Option<B2bSetting>,
    /// Tenant restrictions.
    pub tenant_restrictions: Option<TenantRestrictions>,
    /// Microsoft 365 collaboration, inbound.
    pub m365_collaboration_inbound: Option<M365CollaborationInbound>,
    /// Microsoft 365 collaboration, outbound.
    pub m365_collaboration_outbound: Option<M365CollaborationOutbound>,
    /// App Service connect, inbound.
    pub app_service_connect_inbound: Option<AppServiceConnectSetting>,
    /// The identity-sync policy, present only in listings with `$expand=identitySynchronization`.
    #[serde(skip_serializing)]
    pub identity_synchronization: Option<IdentitySyncPolicy>,
}

/// A new partner configuration (E7). There is no `isServiceProvider`: sending it at all with app-only credentials
/// is refused (Q9). `None` settings are not sent and come back null (inherited).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPartner {
    /// The partner tenant's id.
    pub tenant_id: String,
    /// Inbound trust.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_trust: Option<InboundTrust>,
    /// Automatic user consent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automatic_user_consent_settings: Option<InboundOutboundPolicyConfiguration>,
    /// B2B collaboration, inbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_collaboration_inbound: Option<B2bSetting>,
    /// B2B collaboration, outbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_collaboration_outbound: Option<B2bSetting>,
    /// B2B direct connect, inbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_direct_connect_inbound: Option<B2bSetting>,
    /// B2B direct connect, outbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b2b_direct_connect_outbound: Option<B2bSetting>,
    /// Tenant restrictions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_restrictions: Option<TenantRestrictions>,
    /// Microsoft 365 collaboration, inbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m365_collaboration_inbound: Option<M365CollaborationInbound>,
    /// Microsoft 365 collaboration, outbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m365_collaboration_outbound: Option<M365CollaborationOutbound>,
    /// App Service connect, inbound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_service_connect_inbound: Option<AppServiceConnectSetting>,
}

/// One property of a PATCH: leave it alone, set it to `null` (for a partner: back to inheriting the default), or
/// set it to a value. Graph PATCH keeps properties that are not sent, so "leave alone" and "null" differ.
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

/// A PATCH of a partner configuration (E9). Each property is [`Patch`]: `Unchanged` is not sent, `Null` sends an
/// explicit `null`. `isServiceProvider`, `isInMultiTenantOrganization` and `tenantId` are read-only and absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerPatch {
    /// Inbound trust.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub inbound_trust: Patch<InboundTrust>,
    /// Automatic user consent.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub automatic_user_consent_settings: Patch<InboundOutboundPolicyConfiguration>,
    /// B2B collaboration, inbound.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub b2b_collaboration_inbound: Patch<B2bSetting>,
    /// B2B collaboration, outbound.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub b2b_collaboration_outbound: Patch<B2bSetting>,
    /// B2B direct connect, inbound.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub b2b_direct_connect_inbound: Patch<B2bSetting>,
    /// B2B direct connect, outbound.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub b2b_direct_connect_outbound: Patch<B2bSetting>,
    /// Tenant restrictions.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub tenant_restrictions: Patch<TenantRestrictions>,
    /// Microsoft 365 collaboration, inbound.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub m365_collaboration_inbound: Patch<M365CollaborationInbound>,
    /// Microsoft 365 collaboration, outbound.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub m365_collaboration_outbound: Patch<M365CollaborationOutbound>,
    /// App Service connect, inbound.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub app_service_connect_inbound: Patch<AppServiceConnectSetting>,
}

impl PartnerPatch {
    /// True when nothing would be sent.
    pub fn is_empty(&self) -> bool {
        serde_json::to_value(self).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
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

/// The multi-tenant-organization partner configuration template (E17).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MtoPartnerTemplate {
    /// The server's id.
    pub id: Option<String>,
    /// A comma-separated flags value such as `newPartners,existingPartners`.
    pub template_application_level: Option<String>,
    /// Automatic user consent.
    pub automatic_user_consent_settings: Option<InboundOutboundPolicyConfiguration>,
    /// B2B collaboration, inbound.
    pub b2b_collaboration_inbound: Option<B2bSetting>,
    /// B2B collaboration, outbound.
    pub b2b_collaboration_outbound: Option<B2bSetting>,
    /// B2B direct connect, inbound.
    pub b2b_direct_connect_inbound: Option<B2bSetting>,
    /// B2B direct connect, outbound.
    pub b2b_direct_connect_outbound: Option<B2bSetting>,
    /// Inbound trust.
    pub inbound_trust: Option<InboundTrust>,
}

/// A PATCH of the multi-tenant-organization partner template (E18). A template applies only its non-null values,
/// so `Null` means "the template does not set this".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MtoPartnerTemplatePatch {
    /// Where the template applies; cannot be null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_application_level: Option<String>,
    /// Automatic user consent.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub automatic_user_consent_settings: Patch<InboundOutboundPolicyConfiguration>,
    /// B2B collaboration, inbound.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub b2b_collaboration_inbound: Patch<B2bSetting>,
    /// B2B collaboration, outbound.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub b2b_collaboration_outbound: Patch<B2bSetting>,
    /// B2B direct connect, inbound.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub b2b_direct_connect_inbound: Patch<B2bSetting>,
    /// B2B direct connect, outbound.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub b2b_direct_connect_outbound: Patch<B2bSetting>,
    /// Inbound trust.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub inbound_trust: Patch<InboundTrust>,
}

/// The multi-tenant-organization identity-sync template (E20).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MtoIdentitySyncTemplate {
    /// The server's id.
    pub id: Option<String>,
    /// A comma-separated flags value such as `newPartners,existingPartners`.
    pub template_application_level: Option<String>,
    /// Inbound user sync.
    pub user_sync_inbound: Option<UserSyncInbound>,
}

/// A PATCH of the multi-tenant-organization identity-sync template (E21).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MtoIdentitySyncTemplatePatch {
    /// Where the template applies; cannot be null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_application_level: Option<String>,
    /// Inbound user sync.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub user_sync_inbound: Patch<UserSyncInbound>,
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
    fn reads_the_documented_partner_example_and_ignores_unknown_properties() {
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
        let partner: PartnerConfiguration = serde_json::from_value(body).unwrap();
        assert_eq!(partner.tenant_id, "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a");
        assert_eq!(partner.inbound_trust.as_ref().unwrap().is_hybrid_azure_ad_joined_device_accepted, Some(false));
        let inbound = partner.b2b_collaboration_inbound.as_ref().unwrap();
        assert_eq!(
            inbound.users_and_groups.as_ref().unwrap().targets.as_ref().unwrap()[0].target_type,
            TargetType::Group
        );
        let apps = inbound.applications.as_ref().unwrap();
        assert_eq!(apps.access_type, Some(AccessType::Other("unknownFutureValue".into())));
        assert_eq!(apps.access_type.as_ref().unwrap().as_str(), "unknownFutureValue");
        assert_eq!(partner.b2b_collaboration_outbound, None);
        assert_eq!(
            partner.tenant_restrictions.as_ref().unwrap().devices.as_ref().unwrap().mode,
            Some(AccessType::Allowed)
        );
        assert_eq!(partner.identity_synchronization.as_ref().unwrap().display_name.as_deref(), Some("Fabrikam"));
        assert_eq!(partner.app_service_connect_inbound, None, "missing properties read as None");
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
        let idp = default.invitation_redemption_identity_provider_configuration.unwrap();
        assert_eq!(idp.fallback_identity_provider, Some(IdentityProviderType::DefaultConfiguredIdp));
        assert_eq!(
            idp.primary_identity_provider_precedence_order.unwrap()[2],
            IdentityProviderType::SocialIdentityProviders
        );

        let policy: CrossTenantAccessPolicy = serde_json::from_value(
            json!({"id": "x", "displayName": "CrossTenantAccessPolicy for t", "allowedCloudEndpoints": null}),
        )
        .unwrap();
        assert!(policy.allowed_cloud_endpoints.is_empty());
    }

    #[test]
    fn partner_patch_sends_nulls_and_omits_unchanged() {
        let patch = PartnerPatch {
            inbound_trust: Patch::Null,
            automatic_user_consent_settings: Patch::Set(InboundOutboundPolicyConfiguration {
                inbound_allowed: Some(true),
                outbound_allowed: None,
            }),
            b2b_direct_connect_inbound: Patch::Set(B2bSetting {
                users_and_groups: Some(TargetConfiguration {
                    access_type: Some(AccessType::Allowed),
                    targets: Some(vec![Target { target: "AllUsers".into(), target_type: TargetType::User }]),
                }),
                applications: None,
            }),
            ..PartnerPatch::default()
        };
        assert_eq!(
            serde_json::to_value(&patch).unwrap(),
            json!({
                "inboundTrust": null,
                "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": null},
                "b2bDirectConnectInbound": {
                    "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                    "applications": null
                }
            })
        );
        assert!(!patch.is_empty());
        assert!(PartnerPatch::default().is_empty());
    }

    #[test]
    fn names_are_exact_camel_case() {
        let trust = InboundTrust {
            is_mfa_accepted: Some(true),
            is_compliant_device_accepted: Some(false),
            is_hybrid_azure_ad_joined_device_accepted: Some(true),
        };
        assert_eq!(
            serde_json::to_value(&trust).unwrap(),
            json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": true})
        );
        let all = DefaultPatch {
            b2b_collaboration_inbound: Some(B2bSetting::default()),
            b2b_collaboration_outbound: Some(B2bSetting::default()),
            b2b_direct_connect_inbound: Some(B2bSetting::default()),
            b2b_direct_connect_outbound: Some(B2bSetting::default()),
            tenant_restrictions: Some(TenantRestrictions::default()),
            invitation_redemption_identity_provider_configuration: Some(Default::default()),
            m365_collaboration_inbound: Some(Default::default()),
            m365_collaboration_outbound: Some(Default::default()),
            app_service_connect_inbound: Some(Default::default()),
            inbound_trust: Some(Default::default()),
        };
        let value = serde_json::to_value(&all).unwrap();
        let mut keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            vec![
                "appServiceConnectInbound",
                "b2bCollaborationInbound",
                "b2bCollaborationOutbound",
                "b2bDirectConnectInbound",
                "b2bDirectConnectOutbound",
                "inboundTrust",
                "invitationRedemptionIdentityProviderConfiguration",
                "m365CollaborationInbound",
                "m365CollaborationOutbound",
                "tenantRestrictions",
            ],
            "the default's PATCH type holds only updatable properties"
        );
    }

    #[test]
    fn new_partner_never_sends_read_only_properties() {
        let value = serde_json::to_value(NewPartner { tenant_id: "t".into(), ..Default::default() }).unwrap();
        assert_eq!(value, json!({"tenantId": "t"}));
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
    }
}
