//! The shapes of the Graph types the emulator serves (graph-api.md §3), written from the docs.
//!
//! One table drives three jobs: strict reading of request bodies (exact, case-sensitive names, JSON types, enum
//! members), rendering of responses (every property present, explicit nulls, documented key order), and `$select`.
//! The emulator deliberately does not share serde models with the Graph client, so that a wrong name on one side
//! fails a test instead of being repeated on both.

use serde_json::{Map, Value};

use crate::error::GraphError;
use crate::json::Json;

/// An enumeration: the members a client may send, and the OData type name used in error messages.
#[derive(Debug)]
pub(crate) struct EnumType {
    pub(crate) name: &'static str,
    /// Members accepted on input. `unknownFutureValue` is an evolvable-enum sentinel and is not accepted (R13).
    pub(crate) members: &'static [&'static str],
}

/// The type of one property.
#[derive(Debug)]
pub(crate) enum Kind {
    Bool,
    String,
    /// `Edm.Int32` / `Edm.Int64`: a JSON integer.
    Int,
    Enum(&'static EnumType),
    /// A flags enum, sent as a comma-separated list of members (`templateApplicationLevel`).
    Flags(&'static EnumType),
    Complex(&'static ComplexType),
    Collection(&'static Kind),
}

/// One property of a complex or entity type.
#[derive(Debug)]
pub(crate) struct Property {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) nullable: bool,
    /// Rendered as an object of nulls when unset (partner `automaticUserConsentSettings`, graph-api.md §5.4).
    pub(crate) null_as_empty_object: bool,
}

/// A complex or entity type: its OData name and its properties in the order Graph serialises them.
#[derive(Debug)]
pub(crate) struct ComplexType {
    pub(crate) name: &'static str,
    pub(crate) properties: &'static [Property],
}

impl ComplexType {
    /// The property with exactly this name.
    pub(crate) fn property(&self, name: &str) -> Option<&'static Property> {
        self.properties.iter().find(|p| p.name == name)
    }
}

const fn prop(name: &'static str, kind: Kind) -> Property {
    Property { name, kind, nullable: true, null_as_empty_object: false }
}

const fn required(name: &'static str, kind: Kind) -> Property {
    Property { name, kind, nullable: false, null_as_empty_object: false }
}

const fn object_of_nulls(name: &'static str, ty: &'static ComplexType) -> Property {
    Property { name, kind: Kind::Complex(ty), nullable: true, null_as_empty_object: true }
}

pub(crate) static ACCESS_TYPE: EnumType = EnumType {
    name: "microsoft.graph.crossTenantAccessPolicyTargetConfigurationAccessType",
    members: &["allowed", "blocked"],
};

pub(crate) static TARGET_TYPE: EnumType =
    EnumType { name: "microsoft.graph.crossTenantAccessPolicyTargetType", members: &["user", "group", "application"] };

pub(crate) static IDENTITY_PROVIDER: EnumType = EnumType {
    name: "microsoft.graph.b2bIdentityProvidersType",
    members: &[
        "azureActiveDirectory",
        "externalFederation",
        "socialIdentityProviders",
        "emailOneTimePasscode",
        "microsoftAccount",
        "defaultConfiguredIdp",
    ],
};

pub(crate) static TEMPLATE_APPLICATION_LEVEL: EnumType = EnumType {
    name: "microsoft.graph.templateApplicationLevel",
    members: &["none", "newPartners", "existingPartners"],
};

pub(crate) static TARGET: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantAccessPolicyTarget",
    properties: &[prop("target", Kind::String), prop("targetType", Kind::Enum(&TARGET_TYPE))],
};

pub(crate) static TARGET_CONFIGURATION: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantAccessPolicyTargetConfiguration",
    properties: &[
        prop("accessType", Kind::Enum(&ACCESS_TYPE)),
        prop("targets", Kind::Collection(&Kind::Complex(&TARGET))),
    ],
};

pub(crate) static B2B_SETTING: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantAccessPolicyB2BSetting",
    properties: &[
        prop("usersAndGroups", Kind::Complex(&TARGET_CONFIGURATION)),
        prop("applications", Kind::Complex(&TARGET_CONFIGURATION)),
    ],
};

pub(crate) static DEVICES_FILTER: ComplexType = ComplexType {
    name: "microsoft.graph.devicesFilter",
    properties: &[prop("mode", Kind::Enum(&ACCESS_TYPE)), prop("rule", Kind::String)],
};

pub(crate) static TENANT_RESTRICTIONS: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantAccessPolicyTenantRestrictions",
    properties: &[
        prop("devices", Kind::Complex(&DEVICES_FILTER)),
        prop("usersAndGroups", Kind::Complex(&TARGET_CONFIGURATION)),
        prop("applications", Kind::Complex(&TARGET_CONFIGURATION)),
    ],
};

pub(crate) static INBOUND_TRUST: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantAccessPolicyInboundTrust",
    properties: &[
        prop("isMfaAccepted", Kind::Bool),
        prop("isCompliantDeviceAccepted", Kind::Bool),
        prop("isHybridAzureADJoinedDeviceAccepted", Kind::Bool),
    ],
};

pub(crate) static INBOUND_OUTBOUND: ComplexType = ComplexType {
    name: "microsoft.graph.inboundOutboundPolicyConfiguration",
    properties: &[prop("inboundAllowed", Kind::Bool), prop("outboundAllowed", Kind::Bool)],
};

pub(crate) static INVITATION_REDEMPTION: ComplexType = ComplexType {
    name: "microsoft.graph.defaultInvitationRedemptionIdentityProviderConfiguration",
    properties: &[
        prop("primaryIdentityProviderPrecedenceOrder", Kind::Collection(&Kind::Enum(&IDENTITY_PROVIDER))),
        prop("fallbackIdentityProvider", Kind::Enum(&IDENTITY_PROVIDER)),
    ],
};

pub(crate) static M365_INBOUND: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantAccessPolicyM365CollaborationInboundSetting",
    properties: &[prop("users", Kind::Complex(&TARGET_CONFIGURATION))],
};

pub(crate) static M365_OUTBOUND: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantAccessPolicyM365CollaborationOutboundSetting",
    properties: &[prop("usersAndGroups", Kind::Complex(&TARGET_CONFIGURATION))],
};

pub(crate) static APP_SERVICE_CONNECT: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantAccessPolicyAppServiceConnectSetting",
    properties: &[prop("applications", Kind::Complex(&TARGET_CONFIGURATION))],
};

pub(crate) static USER_SYNC_INBOUND: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantUserSyncInbound",
    properties: &[prop("isSyncAllowed", Kind::Bool)],
};

/// The root policy (§3.1). `description` and `deletedDateTime` are declared but not returned by the live service.
pub(crate) static POLICY: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantAccessPolicy",
    properties: &[
        required("id", Kind::String),
        prop("displayName", Kind::String),
        required("allowedCloudEndpoints", Kind::Collection(&Kind::String)),
    ],
};

/// The default configuration (§3.3), in the key order of the §5.1 capture.
pub(crate) static DEFAULT: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantAccessPolicyConfigurationDefault",
    properties: &[
        required("id", Kind::String),
        prop("isServiceDefault", Kind::Bool),
        prop("inboundTrust", Kind::Complex(&INBOUND_TRUST)),
        prop("b2bCollaborationOutbound", Kind::Complex(&B2B_SETTING)),
        prop("b2bCollaborationInbound", Kind::Complex(&B2B_SETTING)),
        prop("b2bDirectConnectOutbound", Kind::Complex(&B2B_SETTING)),
        prop("b2bDirectConnectInbound", Kind::Complex(&B2B_SETTING)),
        prop("automaticUserConsentSettings", Kind::Complex(&INBOUND_OUTBOUND)),
        prop("tenantRestrictions", Kind::Complex(&TENANT_RESTRICTIONS)),
        prop("invitationRedemptionIdentityProviderConfiguration", Kind::Complex(&INVITATION_REDEMPTION)),
        prop("m365CollaborationInbound", Kind::Complex(&M365_INBOUND)),
        prop("m365CollaborationOutbound", Kind::Complex(&M365_OUTBOUND)),
        prop("appServiceConnectInbound", Kind::Complex(&APP_SERVICE_CONNECT)),
    ],
};

/// A partner configuration (§3.4), in the key order of the §5.3 example.
pub(crate) static PARTNER: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantAccessPolicyConfigurationPartner",
    properties: &[
        required("tenantId", Kind::String),
        prop("isServiceProvider", Kind::Bool),
        prop("isInMultiTenantOrganization", Kind::Bool),
        prop("inboundTrust", Kind::Complex(&INBOUND_TRUST)),
        object_of_nulls("automaticUserConsentSettings", &INBOUND_OUTBOUND),
        prop("b2bCollaborationInbound", Kind::Complex(&B2B_SETTING)),
        prop("b2bCollaborationOutbound", Kind::Complex(&B2B_SETTING)),
        prop("b2bDirectConnectInbound", Kind::Complex(&B2B_SETTING)),
        prop("b2bDirectConnectOutbound", Kind::Complex(&B2B_SETTING)),
        prop("tenantRestrictions", Kind::Complex(&TENANT_RESTRICTIONS)),
        prop("m365CollaborationInbound", Kind::Complex(&M365_INBOUND)),
        prop("m365CollaborationOutbound", Kind::Complex(&M365_OUTBOUND)),
        prop("appServiceConnectInbound", Kind::Complex(&APP_SERVICE_CONNECT)),
    ],
};

/// A partner's identity synchronization policy (§3.5).
pub(crate) static IDENTITY_SYNC: ComplexType = ComplexType {
    name: "microsoft.graph.crossTenantIdentitySyncPolicyPartner",
    properties: &[
        required("tenantId", Kind::String),
        prop("displayName", Kind::String),
        prop("userSyncInbound", Kind::Complex(&USER_SYNC_INBOUND)),
    ],
};

/// The MTO partner configuration template (§3.6), in the key order of the documented reset state.
pub(crate) static PARTNER_TEMPLATE: ComplexType = ComplexType {
    name: "microsoft.graph.multiTenantOrganizationPartnerConfigurationTemplate",
    properties: &[
        required("id", Kind::String),
        required("templateApplicationLevel", Kind::Flags(&TEMPLATE_APPLICATION_LEVEL)),
        prop("inboundTrust", Kind::Complex(&INBOUND_TRUST)),
        prop("b2bCollaborationOutbound", Kind::Complex(&B2B_SETTING)),
        prop("b2bCollaborationInbound", Kind::Complex(&B2B_SETTING)),
        prop("b2bDirectConnectOutbound", Kind::Complex(&B2B_SETTING)),
        prop("b2bDirectConnectInbound", Kind::Complex(&B2B_SETTING)),
        object_of_nulls("automaticUserConsentSettings", &INBOUND_OUTBOUND),
    ],
};

/// The MTO identity synchronization template (§3.6).
pub(crate) static SYNC_TEMPLATE: ComplexType = ComplexType {
    name: "microsoft.graph.multiTenantOrganizationIdentitySyncPolicyTemplate",
    properties: &[
        required("id", Kind::String),
        required("templateApplicationLevel", Kind::Flags(&TEMPLATE_APPLICATION_LEVEL)),
        object_of_nulls("userSyncInbound", &USER_SYNC_INBOUND),
    ],
};

/// The result of the tenant lookup functions (E15, E16), in the key order of the documented example.
pub(crate) static TENANT_INFORMATION: ComplexType = ComplexType {
    name: "microsoft.graph.tenantInformation",
    properties: &[
        required("tenantId", Kind::String),
        prop("federationBrandName", Kind::String),
        prop("displayName", Kind::String),
        prop("defaultDomainName", Kind::String),
    ],
};

/// How strictly request bodies are read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Strictness {
    /// R16: reject unknown or miscased property names (otherwise they are dropped).
    pub(crate) exact_names: bool,
    /// R13: reject enum values that are not members (otherwise any string is kept).
    pub(crate) enum_members: bool,
}

/// Reads a request body object of type `ty`, keeping only the properties it names (nested values are read the same
/// way). Instance annotations such as `@odata.type` are accepted and dropped.
pub(crate) fn read_object(
    value: &Value,
    ty: &ComplexType,
    strictness: Strictness,
) -> Result<Map<String, Value>, GraphError> {
    let Value::Object(input) = value else {
        return Err(unexpected_node(value, None, "StartObject"));
    };
    let mut output = Map::new();
    for (name, value) in input {
        if name.starts_with('@') || name.contains("@odata.") {
            if name == "@odata.type" && !value.is_string() {
                return Err(wrong_literal(value, "Edm.String"));
            }
            continue;
        }
        let Some(property) = ty.property(name) else {
            if strictness.exact_names {
                return Err(GraphError::invalid_property(name));
            }
            continue;
        };
        let read = read_value(value, property, &property.kind, strictness)?;
        output.insert(name.clone(), read);
    }
    Ok(output)
}

fn read_value(value: &Value, property: &Property, kind: &Kind, strictness: Strictness) -> Result<Value, GraphError> {
    if value.is_null() {
        return if property.nullable { Ok(Value::Null) } else { Err(null_not_allowed(property.name, kind)) };
    }
    let name = property.name;
    match kind {
        Kind::Bool => match value {
            Value::Bool(_) => Ok(value.clone()),
            Value::Object(_) | Value::Array(_) => Err(unexpected_node(value, Some(name), "PrimitiveValue")),
            _ => Err(wrong_literal(value, "Edm.Boolean")),
        },
        Kind::String => match value {
            Value::String(_) => Ok(value.clone()),
            Value::Object(_) | Value::Array(_) => Err(unexpected_node(value, Some(name), "PrimitiveValue")),
            _ => Err(wrong_literal(value, "Edm.String")),
        },
        Kind::Int => match value {
            Value::Number(n) if n.is_i64() => Ok(value.clone()),
            Value::Object(_) | Value::Array(_) => Err(unexpected_node(value, Some(name), "PrimitiveValue")),
            _ => Err(wrong_literal(value, "Edm.Int32")),
        },
        Kind::Enum(enumeration) => match value {
            Value::String(member) => {
                if strictness.enum_members && !enumeration.members.contains(&member.as_str()) {
                    Err(GraphError::bad_request(format!("Requested value '{member}' was not found.")))
                } else {
                    Ok(value.clone())
                }
            }
            Value::Object(_) | Value::Array(_) => Err(unexpected_node(value, Some(name), "PrimitiveValue")),
            _ => Err(wrong_literal(value, enumeration.name)),
        },
        Kind::Flags(enumeration) => match value {
            Value::String(flags) => {
                // `""` is the documented way to disable a template (no member: `none`; graph-sync-and-mto.md B.9.3).
                if strictness.enum_members && !flags.trim().is_empty() {
                    for member in flags.split(',').map(str::trim) {
                        if !enumeration.members.contains(&member) {
                            return Err(GraphError::bad_request(format!("Requested value '{member}' was not found.")));
                        }
                    }
                }
                Ok(value.clone())
            }
            Value::Object(_) | Value::Array(_) => Err(unexpected_node(value, Some(name), "PrimitiveValue")),
            _ => Err(wrong_literal(value, enumeration.name)),
        },
        Kind::Complex(ty) => match value {
            Value::Object(_) => Ok(Value::Object(read_object(value, ty, strictness)?)),
            _ => Err(unexpected_node(value, Some(name), "StartObject")),
        },
        Kind::Collection(item_kind) => match value {
            Value::Array(items) => {
                // Elements of a collection are never null, whatever the collection's own nullability.
                let element = Property { name, kind: Kind::Bool, nullable: false, null_as_empty_object: false };
                let mut read = Vec::with_capacity(items.len());
                for item in items {
                    if item.is_null() {
                        return Err(null_not_allowed(name, item_kind));
                    }
                    read.push(read_value(item, &element, item_kind, strictness)?);
                }
                Ok(Value::Array(read))
            }
            _ => Err(unexpected_node(value, Some(name), "StartArray")),
        },
    }
}

fn node_name(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "StartObject",
        Value::Array(_) => "StartArray",
        _ => "PrimitiveValue",
    }
}

fn unexpected_node(value: &Value, property: Option<&str>, expected: &str) -> GraphError {
    let found = node_name(value);
    let message = match property {
        Some(name) => format!(
            "An unexpected '{found}' node was found for property named '{name}' when reading from the JSON reader. \
             A '{expected}' node was expected."
        ),
        None => format!(
            "An unexpected '{found}' node was found when reading from the JSON reader. A '{expected}' node was expected."
        ),
    };
    GraphError::bad_request(message)
}

fn wrong_literal(value: &Value, expected_type: &str) -> GraphError {
    let literal = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    GraphError::bad_request(format!("Cannot convert the literal '{literal}' to the expected type '{expected_type}'."))
}

fn null_not_allowed(name: &str, kind: &Kind) -> GraphError {
    let ty = edm_name(kind);
    GraphError::bad_request(format!(
        "A null value was found for the property named '{name}', which has the expected type '{ty}[Nullable=False]'. \
         The expected type '{ty}[Nullable=False]' does not allow null values."
    ))
}

fn edm_name(kind: &Kind) -> String {
    match kind {
        Kind::Bool => "Edm.Boolean".to_owned(),
        Kind::String => "Edm.String".to_owned(),
        Kind::Int => "Edm.Int32".to_owned(),
        Kind::Enum(e) | Kind::Flags(e) => e.name.to_owned(),
        Kind::Complex(c) => c.name.to_owned(),
        Kind::Collection(inner) => format!("Collection({})", edm_name(inner)),
    }
}

/// Renders a stored object of type `ty` with every property present (explicit nulls) in documented order. Stored
/// keys the type does not know (state injected through the control surface) follow, so drift stays visible.
pub(crate) fn render(stored: &Map<String, Value>, ty: &ComplexType) -> Json {
    let mut pairs: Vec<(String, Json)> = ty
        .properties
        .iter()
        .map(|property| (property.name.to_owned(), render_property(stored.get(property.name), property)))
        .collect();
    for (name, value) in stored {
        if ty.property(name).is_none() {
            pairs.push((name.clone(), Json::from_value(value)));
        }
    }
    Json::Object(pairs)
}

fn render_property(value: Option<&Value>, property: &Property) -> Json {
    match (&property.kind, value) {
        (Kind::Complex(ty), Some(Value::Object(map))) => render(map, ty),
        (Kind::Complex(ty), None | Some(Value::Null)) if property.null_as_empty_object => render(&Map::new(), ty),
        (Kind::Collection(item), Some(Value::Array(items))) => Json::Array(
            items
                .iter()
                .map(|v| match (item, v) {
                    (Kind::Complex(ty), Value::Object(map)) => render(map, ty),
                    _ => Json::from_value(v),
                })
                .collect(),
        ),
        // OData collections are never null on the wire; an unset collection reads as empty.
        (Kind::Collection(_), None | Some(Value::Null)) => Json::Array(Vec::new()),
        (_, Some(v)) => Json::from_value(v),
        (_, None) => Json::Null,
    }
}

/// Resolves a `$select` list against `ty`. Names are matched case-insensitively, as Graph does for query options,
/// and come back in canonical spelling.
pub(crate) fn resolve_select(
    select: &[String],
    ty: &ComplexType,
    allowed_navigation: &[&str],
) -> Result<Vec<String>, GraphError> {
    let mut names = Vec::new();
    for requested in select {
        let canonical = ty
            .properties
            .iter()
            .map(|p| p.name)
            .chain(allowed_navigation.iter().copied())
            .find(|name| name.eq_ignore_ascii_case(requested));
        match canonical {
            Some(name) => names.push(name.to_owned()),
            None if requested == "*" => names.extend(ty.properties.iter().map(|p| p.name.to_owned())),
            None => {
                return Err(GraphError::gateway_bad_request(format!(
                    "Could not find a property named '{requested}' on type '{}'.",
                    ty.name
                )));
            }
        }
    }
    Ok(names)
}

/// Keeps only the selected keys of a rendered object (in rendered order).
pub(crate) fn apply_select(rendered: Json, select: Option<&[String]>) -> Json {
    match (rendered, select) {
        (Json::Object(pairs), Some(names)) => {
            Json::Object(pairs.into_iter().filter(|(k, _)| names.iter().any(|n| n == k)).collect())
        }
        (rendered, _) => rendered,
    }
}

/// Merges `patch` into `target` property by property, recursing into nested objects; arrays and nulls replace.
pub(crate) fn deep_merge(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match (target.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(incoming)) => deep_merge(existing, incoming),
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const STRICT: Strictness = Strictness { exact_names: true, enum_members: true };

    fn message(error: GraphError) -> String {
        error.message
    }

    #[test]
    fn miscased_names_are_rejected() {
        let error = read_object(&json!({"b2BDirectConnectInbound": null}), &PARTNER, STRICT).unwrap_err();
        assert_eq!(error.code, "Request_BadRequest");
        assert_eq!(message(error), "Invalid property 'b2BDirectConnectInbound'.");
    }

    #[test]
    fn nested_unknown_names_are_rejected() {
        let body = json!({"inboundTrust": {"isHybridAzureAdJoinedDeviceAccepted": true}});
        let error = read_object(&body, &PARTNER, STRICT).unwrap_err();
        assert_eq!(message(error), "Invalid property 'isHybridAzureAdJoinedDeviceAccepted'.");
    }

    #[test]
    fn unknown_names_are_dropped_when_not_strict() {
        let lax = Strictness { exact_names: false, enum_members: true };
        let read = read_object(&json!({"bogus": 1, "isServiceProvider": true}), &PARTNER, lax).unwrap();
        assert_eq!(Value::Object(read), json!({"isServiceProvider": true}));
    }

    #[test]
    fn wrong_types_are_rejected() {
        let error = read_object(&json!({"inboundTrust": {"isMfaAccepted": "yes"}}), &PARTNER, STRICT).unwrap_err();
        assert_eq!(message(error), "Cannot convert the literal 'yes' to the expected type 'Edm.Boolean'.");
        let error = read_object(&json!({"inboundTrust": true}), &PARTNER, STRICT).unwrap_err();
        assert!(message(error).contains("A 'StartObject' node was expected"));
        let error = read_object(&json!([1]), &PARTNER, STRICT).unwrap_err();
        assert!(message(error).contains("'StartArray'"));
        let body = json!({"b2bCollaborationInbound": {"usersAndGroups": {"targets": {"target": "AllUsers"}}}});
        let error = read_object(&body, &PARTNER, STRICT).unwrap_err();
        assert!(message(error).contains("A 'StartArray' node was expected"));
    }

    #[test]
    fn enum_members_are_checked() {
        let body = json!({"b2bCollaborationInbound": {"usersAndGroups": {"accessType": "unknownFutureValue"}}});
        let error = read_object(&body, &PARTNER, STRICT).unwrap_err();
        assert_eq!(message(error), "Requested value 'unknownFutureValue' was not found.");
        let error = read_object(&json!({"templateApplicationLevel": "newPartners,later"}), &PARTNER_TEMPLATE, STRICT)
            .unwrap_err();
        assert_eq!(message(error), "Requested value 'later' was not found.");
    }

    #[test]
    fn non_nullable_properties_reject_null() {
        let error = read_object(&json!({"allowedCloudEndpoints": null}), &POLICY, STRICT).unwrap_err();
        assert!(message(error).contains("'allowedCloudEndpoints'"));
        let error = read_object(&json!({"allowedCloudEndpoints": [null]}), &POLICY, STRICT).unwrap_err();
        assert!(message(error).contains("does not allow null values"));
    }

    #[test]
    fn odata_annotations_are_accepted() {
        let body = json!({"@odata.type": "#microsoft.graph.crossTenantAccessPolicyConfigurationPartner"});
        assert!(read_object(&body, &PARTNER, STRICT).unwrap().is_empty());
    }

    #[test]
    fn rendering_writes_every_property_with_explicit_nulls() {
        let stored = json!({"tenantId": "x", "b2bCollaborationInbound": {"usersAndGroups": {"accessType": "allowed"}}});
        let rendered = render(stored.as_object().unwrap(), &PARTNER);
        let keys: Vec<_> = match &rendered {
            Json::Object(pairs) => pairs.iter().map(|(k, _)| k.as_str()).collect(),
            _ => unreachable!(),
        };
        assert_eq!(keys, PARTNER.properties.iter().map(|p| p.name).collect::<Vec<_>>());
        let value = rendered.to_value();
        assert_eq!(value["automaticUserConsentSettings"], json!({"inboundAllowed": null, "outboundAllowed": null}));
        assert_eq!(
            value["b2bCollaborationInbound"],
            json!({"usersAndGroups": {"accessType": "allowed", "targets": []}, "applications": null})
        );
        assert_eq!(value["inboundTrust"], Value::Null);
    }

    #[test]
    fn select_is_case_insensitive_and_checked() {
        let names = resolve_select(&["TENANTID".to_owned()], &PARTNER, &[]).unwrap();
        assert_eq!(names, vec!["tenantId".to_owned()]);
        let error = resolve_select(&["nope".to_owned()], &PARTNER, &[]).unwrap_err();
        assert_eq!(error.status, http::StatusCode::BAD_REQUEST);
    }

    #[test]
    fn deep_merge_recurses_into_objects_only() {
        let mut target = json!({"a": {"x": 1, "y": 2}, "b": [1, 2]}).as_object().unwrap().clone();
        deep_merge(&mut target, json!({"a": {"y": 3}, "b": [3]}).as_object().unwrap());
        assert_eq!(Value::Object(target), json!({"a": {"x": 1, "y": 3}, "b": [3]}));
    }
}
