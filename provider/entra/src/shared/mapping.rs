//! Terraform values ↔ Microsoft Graph JSON for the settings, driven by the schema.
//!
//! The schema is the single description of every setting: walking an attribute's nested attributes gives both
//! the Terraform shape and, through [`graph_name`], Graph's property names. So converting a configured setting to
//! the body Graph expects ([`to_graph`]) and Graph's JSON back to a Terraform value ([`from_graph`]) is one walk
//! each; `entra-graph` carries the JSON as it is ([`Properties`]). [`settings_to_graph`] (a create's body),
//! [`settings_patch`] (an update's: absent = unchanged, `null` = inherit) and [`settings_from_graph`] (a read) do it
//! for a whole list of settings. Graph properties the schema does not know are ignored; values Graph holds that
//! Terraform does not validate (such as `unknownFutureValue`) are kept as the raw string, and `null` or absent
//! members anywhere read as null, so Read never fails on them.
//!
//! Read normalises two things, nothing else, so drift always shows:
//! - [`adopt_prior_spelling`]: a GUID that equals the prior state's ignoring case keeps the prior spelling (Graph
//!   lowercases ids; users may write them in upper case);
//! - [`null_if_unset_flags`]: Graph's object of nulls for unset flags (`{"inboundAllowed":null,...}`) reads as
//!   `null`, unless the prior state holds exactly such an object.

use entra_graph::models::Properties;
use serde_json::Value as Json;
use tfplugin::validators::is_guid;
use tfplugin::{Attribute, AttributeKind, Nesting, Type, Value};

/// Attribute names whose Graph name is not the plain camelCase of the snake_case name.
pub const GRAPH_NAME_EXCEPTIONS: [(&str, &str); 1] =
    [("is_hybrid_azure_ad_joined_device_accepted", "isHybridAzureADJoinedDeviceAccepted")];

/// Graph's property name for a Terraform attribute name: `b2b_collaboration_inbound` → `b2bCollaborationInbound`,
/// with the exceptions of [`GRAPH_NAME_EXCEPTIONS`].
pub fn graph_name(attribute: &str) -> String {
    if let Some((_, graph)) = GRAPH_NAME_EXCEPTIONS.iter().find(|(name, _)| *name == attribute) {
        return (*graph).to_owned();
    }
    let mut out = String::with_capacity(attribute.len());
    let mut upper = false;
    for c in attribute.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The Graph JSON for the value of `attribute` (`null` stays `null`). The value must be fully known, as it is at
/// apply time; an unknown part becomes `null`.
pub fn to_graph(attribute: &Attribute, value: &Value) -> Json {
    match (&attribute.kind, value.unwrap_dynamic()) {
        (_, Value::Null | Value::Unknown) => Json::Null,
        (AttributeKind::Nested { nesting: Nesting::Single, attributes }, value) => object_to_graph(attributes, value),
        (AttributeKind::Nested { attributes, .. }, Value::List(elements) | Value::Set(elements)) => {
            Json::Array(elements.iter().map(|e| object_to_graph(attributes, e)).collect())
        }
        (AttributeKind::Nested { .. }, _) => Json::Null,
        (AttributeKind::Type(_), value) => plain_to_json(value),
    }
}

fn object_to_graph(attributes: &[Attribute], value: &Value) -> Json {
    if value.is_null() || value.is_unknown() {
        return Json::Null;
    }
    // OData collections cannot be null: an unset collection is left out (nested objects and flags are sent as
    // `null`, so "unset" means the same under Graph's replace and merge behaviours).
    let members = attributes
        .iter()
        .map(|a| (a, to_graph(a, value.get_attr(&a.name))))
        .filter(|(a, json)| !(json.is_null() && is_collection(a)))
        .map(|(a, json)| (graph_name(&a.name), json));
    Json::Object(members.collect())
}

fn is_collection(attribute: &Attribute) -> bool {
    match &attribute.kind {
        AttributeKind::Nested { nesting, .. } => !matches!(nesting, Nesting::Single),
        AttributeKind::Type(ty) => matches!(ty, Type::List(_) | Type::Set(_)),
    }
}

fn plain_to_json(value: &Value) -> Json {
    match value.unwrap_dynamic() {
        Value::Bool(b) => Json::Bool(*b),
        Value::String(s) => Json::String(s.clone()),
        Value::Number(n) => n.as_i64().map_or(Json::Null, Json::from),
        Value::List(elements) | Value::Set(elements) | Value::Tuple(elements) => {
            Json::Array(elements.iter().map(plain_to_json).collect())
        }
        _ => Json::Null,
    }
}

/// The Terraform value of `attribute` for Graph's JSON `json` (absent or `null` → null).
pub fn from_graph(attribute: &Attribute, json: Option<&Json>) -> Value {
    let Some(json) = json.filter(|j| !j.is_null()) else { return Value::Null };
    match &attribute.kind {
        AttributeKind::Nested { nesting: Nesting::Single, attributes } => object_from_graph(attributes, json),
        AttributeKind::Nested { nesting, attributes } => {
            let elements: Vec<Value> =
                json.as_array().into_iter().flatten().map(|e| object_from_graph(attributes, e)).collect();
            match nesting {
                Nesting::Set => Value::Set(elements),
                _ => Value::List(elements),
            }
        }
        AttributeKind::Type(ty) => plain_from_json(ty, json),
    }
}

fn object_from_graph(attributes: &[Attribute], json: &Json) -> Value {
    if !json.is_object() {
        return Value::Null;
    }
    Value::object(attributes.iter().map(|a| (a.name.clone(), from_graph(a, json.get(graph_name(&a.name))))))
}

fn plain_from_json(ty: &Type, json: &Json) -> Value {
    match (ty, json) {
        (Type::String, Json::String(s)) => Value::string(s.clone()),
        // Graph keeps enums as strings; anything else in a string slot is shown as its JSON text rather than lost.
        (Type::String, other) if !other.is_null() => Value::string(other.to_string()),
        (Type::Bool, Json::Bool(b)) => Value::bool(*b),
        (Type::List(inner), Json::Array(items)) => Value::list(items.iter().map(|i| plain_from_json(inner, i))),
        (Type::Set(inner), Json::Array(items)) => Value::set(items.iter().map(|i| plain_from_json(inner, i))),
        _ => Value::Null,
    }
}

/// The settings of `value` that are set, as Graph properties: the body of a create, where a setting left out is
/// not sent (and comes back `null`, i.e. inherited).
pub fn settings_to_graph(settings: &[Attribute], value: &Value) -> Properties {
    settings
        .iter()
        .filter_map(|setting| match to_graph(setting, value.get_attr(&setting.name)) {
            Json::Null => None,
            json => Some((graph_name(&setting.name), json)),
        })
        .collect()
}

/// The PATCH from `prior` to `planned`: every setting whose value changed, whole, and an explicit `null` for each
/// one that became null (a partner's setting back to inheriting). Settings that did not change are left out, so
/// Graph keeps them.
pub fn settings_patch(settings: &[Attribute], prior: &Value, planned: &Value) -> Properties {
    settings
        .iter()
        .filter(|setting| prior.get_attr(&setting.name) != planned.get_attr(&setting.name))
        .map(|setting| (graph_name(&setting.name), to_graph(setting, planned.get_attr(&setting.name))))
        .collect()
}

/// The Terraform value of each of `settings` in Graph's `properties` (absent or `null` → null), by attribute name.
pub fn settings_from_graph<'a>(
    settings: &'a [Attribute],
    properties: &'a Properties,
) -> impl Iterator<Item = (&'a Attribute, Value)> + 'a {
    settings.iter().map(|setting| (setting, from_graph(setting, properties.get(&graph_name(&setting.name)))))
}

/// True when two values are the same apart from the spelling of GUIDs (keywords and other strings compare exactly;
/// sets compare as sets).
pub fn equal_ignoring_guid_case(a: &Value, b: &Value) -> bool {
    match (a.unwrap_dynamic(), b.unwrap_dynamic()) {
        (Value::String(a), Value::String(b)) => a == b || (is_guid(a) && is_guid(b) && a.eq_ignore_ascii_case(b)),
        (Value::Object(a), Value::Object(b)) => {
            let null = Value::Null;
            a.keys()
                .chain(b.keys())
                .all(|k| equal_ignoring_guid_case(a.get(k).unwrap_or(&null), b.get(k).unwrap_or(&null)))
        }
        (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal_ignoring_guid_case(x, y))
        }
        (Value::Set(a), Value::Set(b)) => {
            let mut unmatched: Vec<&Value> = b.iter().collect();
            a.len() == b.len()
                && a.iter().all(|x| match unmatched.iter().position(|y| equal_ignoring_guid_case(x, y)) {
                    Some(i) => {
                        unmatched.swap_remove(i);
                        true
                    }
                    None => false,
                })
        }
        (a, b) => a == b,
    }
}

/// Rewrites `fresh` (read from Graph) to use the prior state's spelling wherever the two differ only in the case
/// of GUIDs: a string, an object attribute, or a set element (matched with a prior element that equals it
/// ignoring GUID case). Everything else in `fresh` is left as Graph returned it.
pub fn adopt_prior_spelling(fresh: &mut Value, prior: &Value) {
    if prior.is_null() || prior.is_unknown() {
        return;
    }
    match (fresh, prior.unwrap_dynamic()) {
        (Value::String(f), Value::String(p)) if f != p && is_guid(f) && is_guid(p) && f.eq_ignore_ascii_case(p) => {
            f.clone_from(p);
        }
        (Value::Object(f), Value::Object(p)) => {
            for (name, value) in f.iter_mut() {
                if let Some(prior_value) = p.get(name) {
                    adopt_prior_spelling(value, prior_value);
                }
            }
        }
        (Value::List(f), Value::List(p)) => {
            for (value, prior_value) in f.iter_mut().zip(p) {
                adopt_prior_spelling(value, prior_value);
            }
        }
        (Value::Set(f), Value::Set(p)) => {
            let mut unused: Vec<&Value> = p.iter().collect();
            for element in f.iter_mut() {
                if let Some(i) = unused.iter().position(|candidate| equal_ignoring_guid_case(element, candidate)) {
                    *element = unused.swap_remove(i).clone();
                }
            }
        }
        _ => {}
    }
}

/// Graph reports unset flags (automatic user consent, inbound user sync) as an object whose every flag is null.
/// That reads as `null` — "not configured" — unless the prior state holds exactly such an object (the user wrote
/// `{}` or all flags `null`), which is then kept, so neither spelling causes a diff.
pub fn null_if_unset_flags(fresh: Value, prior: &Value) -> Value {
    let all_null = |value: &Value| value.attributes().is_some_and(|attributes| attributes.values().all(Value::is_null));
    if all_null(&fresh) && !all_null(prior) { Value::Null } else { fresh }
}

#[cfg(test)]
mod tests {
    use super::super::schema::{self, Presence};
    use super::*;
    use serde_json::json;

    /// Every attribute name of the shared nested types, with its Graph name (the mapping table).
    const NAMES: [(&str, &str); 30] = [
        ("inbound_trust", "inboundTrust"),
        ("is_mfa_accepted", "isMfaAccepted"),
        ("is_compliant_device_accepted", "isCompliantDeviceAccepted"),
        ("is_hybrid_azure_ad_joined_device_accepted", "isHybridAzureADJoinedDeviceAccepted"),
        ("automatic_user_consent_settings", "automaticUserConsentSettings"),
        ("inbound_allowed", "inboundAllowed"),
        ("outbound_allowed", "outboundAllowed"),
        ("b2b_collaboration_inbound", "b2bCollaborationInbound"),
        ("b2b_collaboration_outbound", "b2bCollaborationOutbound"),
        ("b2b_direct_connect_inbound", "b2bDirectConnectInbound"),
        ("b2b_direct_connect_outbound", "b2bDirectConnectOutbound"),
        ("users_and_groups", "usersAndGroups"),
        ("applications", "applications"),
        ("access_type", "accessType"),
        ("targets", "targets"),
        ("target", "target"),
        ("target_type", "targetType"),
        ("tenant_restrictions", "tenantRestrictions"),
        ("devices", "devices"),
        ("mode", "mode"),
        ("rule", "rule"),
        ("m365_collaboration_inbound", "m365CollaborationInbound"),
        ("users", "users"),
        ("m365_collaboration_outbound", "m365CollaborationOutbound"),
        ("app_service_connect_inbound", "appServiceConnectInbound"),
        ("invitation_redemption_identity_provider_configuration", "invitationRedemptionIdentityProviderConfiguration"),
        ("primary_identity_provider_precedence_order", "primaryIdentityProviderPrecedenceOrder"),
        ("fallback_identity_provider", "fallbackIdentityProvider"),
        ("is_sync_allowed", "isSyncAllowed"),
        ("user_sync_inbound", "userSyncInbound"),
    ];

    #[test]
    fn the_name_table_covers_every_attribute_of_the_shared_types() {
        for (name, graph) in NAMES {
            assert_eq!(graph_name(name), graph, "{name}");
        }
        let mut names = std::collections::BTreeSet::new();
        fn collect(attributes: &[Attribute], names: &mut std::collections::BTreeSet<String>) {
            for a in attributes {
                names.insert(a.name.clone());
                if let Some((_, inner)) = a.nested_attributes() {
                    collect(inner, names);
                }
            }
        }
        let mut attributes = schema::partner_settings(Presence::Inherit);
        attributes.push(schema::invitation_redemption_identity_provider_configuration(Presence::ServiceDefault));
        collect(&attributes, &mut names);
        for name in &names {
            assert!(NAMES.iter().any(|(n, _)| n == name), "{name} is missing from the table");
        }
    }

    fn setting(name: &str) -> Attribute {
        let mut attributes = schema::partner_settings(Presence::Inherit);
        attributes.push(schema::invitation_redemption_identity_provider_configuration(Presence::ServiceDefault));
        attributes.into_iter().find(|a| a.name == name).unwrap()
    }

    #[test]
    fn round_trips_the_documented_partner_example() {
        // graph-api.md §5.3 (every v1.0 property set), plus a property the schema does not know.
        let graph = json!({
            "inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": true, "isHybridAzureADJoinedDeviceAccepted": false},
            "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": true},
            "b2bCollaborationInbound": {
                "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "a1b2c3d4-0000-0000-0000-00000000aaaa", "targetType": "group"}]},
                "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
            },
            "tenantRestrictions": {
                "devices": {"mode": "allowed", "rule": "device.deviceAttribute2 -eq 'PrivilegedAccessWorkstation'"},
                "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                "applications": {"accessType": "allowed", "targets": [{"target": "Office365", "targetType": "application"}]}
            },
            "m365CollaborationInbound": {"users": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]}},
            "appServiceConnectInbound": {"applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}},
            "invitationRedemptionIdentityProviderConfiguration": {
                "primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory", "externalFederation"],
                "fallbackIdentityProvider": "defaultConfiguredIdp"
            }
        });
        for (name, property) in [
            ("inbound_trust", "inboundTrust"),
            ("automatic_user_consent_settings", "automaticUserConsentSettings"),
            ("b2b_collaboration_inbound", "b2bCollaborationInbound"),
            ("tenant_restrictions", "tenantRestrictions"),
            ("m365_collaboration_inbound", "m365CollaborationInbound"),
            ("app_service_connect_inbound", "appServiceConnectInbound"),
            (
                "invitation_redemption_identity_provider_configuration",
                "invitationRedemptionIdentityProviderConfiguration",
            ),
        ] {
            let attribute = setting(name);
            let value = from_graph(&attribute, graph.get(property));
            assert!(!value.is_null(), "{name}");
            // The value fits the attribute's Terraform type...
            let ty = attribute.value_type();
            let state = tfplugin::value::json::encode(&value, &ty).unwrap();
            assert_eq!(tfplugin::value::json::decode(&state, &ty).unwrap(), value, "{name}");
            // ...and goes back to exactly what Graph sent.
            assert_eq!(to_graph(&attribute, &value), graph[property], "{name}");
        }
        let trust = from_graph(&setting("inbound_trust"), graph.get("inboundTrust"));
        assert_eq!(trust.get_attr("is_hybrid_azure_ad_joined_device_accepted"), &Value::bool(false));
        let tr = from_graph(&setting("tenant_restrictions"), graph.get("tenantRestrictions"));
        assert_eq!(tr.get_attr("devices").get_attr("mode"), &Value::string("allowed"));
    }

    #[test]
    fn unknown_values_and_properties_do_not_break_reading() {
        let attribute = setting("b2b_collaboration_outbound");
        let graph = json!({
            "usersAndGroups": {"accessType": "unknownFutureValue", "targets": [{"target": "x", "targetType": "unknownFutureValue"}], "extra": 1},
            "applications": null,
            "somethingNew": {"a": 1}
        });
        let value = from_graph(&attribute, Some(&graph));
        let users = value.get_attr("users_and_groups");
        assert_eq!(users.get_attr("access_type"), &Value::string("unknownFutureValue"));
        let target = &users.get_attr("targets").as_elements().unwrap()[0];
        assert_eq!(target.get_attr("target_type"), &Value::string("unknownFutureValue"));
        assert_eq!(value.get_attr("applications"), &Value::Null);
        assert_eq!(from_graph(&attribute, None), Value::Null);
        assert_eq!(from_graph(&attribute, Some(&Json::Null)), Value::Null);
    }

    #[test]
    fn null_parts_are_sent_as_explicit_nulls() {
        let attribute = setting("b2b_direct_connect_inbound");
        let value = Value::object([
            (
                "users_and_groups",
                Value::object([
                    ("access_type", Value::string("allowed")),
                    (
                        "targets",
                        Value::set([Value::object([
                            ("target", Value::string("AllUsers")),
                            ("target_type", Value::string("user")),
                        ])]),
                    ),
                ]),
            ),
            ("applications", Value::Null),
        ]);
        assert_eq!(
            to_graph(&attribute, &value),
            json!({"usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]}, "applications": null})
        );
        let settings = [attribute];
        let config = Value::object([("b2b_direct_connect_inbound", value.clone())]);
        let body = settings_to_graph(&settings, &config);
        assert_eq!(body["b2bDirectConnectInbound"]["applications"], Json::Null);
        let unset = Value::object([("b2b_direct_connect_inbound", Value::Null)]);
        assert!(settings_to_graph(&settings, &unset).is_empty(), "a create leaves unset settings out");
        assert_eq!(
            Json::Object(settings_patch(&settings, &config, &unset)),
            json!({"b2bDirectConnectInbound": null}),
            "a PATCH nulls a removed setting"
        );
        assert!(settings_patch(&settings, &config, &config).is_empty(), "and leaves unchanged ones out");
    }

    #[test]
    fn unset_collections_are_left_out_of_request_bodies() {
        let attribute = setting("b2b_collaboration_inbound");
        let value = Value::object([(
            "users_and_groups",
            Value::object([("access_type", Value::string("blocked")), ("targets", Value::Null)]),
        )]);
        assert_eq!(
            to_graph(&attribute, &value),
            json!({"usersAndGroups": {"accessType": "blocked"}, "applications": null}),
            "OData collections cannot be null"
        );
    }

    #[test]
    fn guid_spelling_is_taken_from_the_prior_state() {
        let target = |t: &str| Value::object([("target", Value::string(t)), ("target_type", Value::string("group"))]);
        let prior = Value::object([(
            "targets",
            Value::set([target("6F546279-4DA5-4B53-A095-09EA0CEF9971"), target("AllUsers")]),
        )]);
        let mut fresh = Value::object([(
            "targets",
            Value::set([
                target("allusers"),
                target("6f546279-4da5-4b53-a095-09ea0cef9971"),
                target("a1b2c3d4-0000-0000-0000-00000000aaaa"),
            ]),
        )]);
        adopt_prior_spelling(&mut fresh, &prior);
        let spelled: Vec<&str> = fresh
            .get_attr("targets")
            .as_elements()
            .unwrap()
            .iter()
            .map(|t| t.get_attr("target").as_str().unwrap())
            .collect();
        // Keywords are case-sensitive: "allusers" is not "AllUsers" and keeps Graph's spelling.
        assert_eq!(
            spelled,
            ["allusers", "6F546279-4DA5-4B53-A095-09EA0CEF9971", "a1b2c3d4-0000-0000-0000-00000000aaaa"]
        );

        let mut id = Value::string("07d2f395-f69c-43ab-88a2-b82f1151042d");
        adopt_prior_spelling(&mut id, &Value::string("07D2F395-F69C-43AB-88A2-B82F1151042D"));
        assert_eq!(id, Value::string("07D2F395-F69C-43AB-88A2-B82F1151042D"));
        let mut other = Value::string("9c5d131d-b1c3-4fc4-9e3f-c6557947d551");
        adopt_prior_spelling(&mut other, &Value::string("07D2F395-F69C-43AB-88A2-B82F1151042D"));
        assert_eq!(other, Value::string("9c5d131d-b1c3-4fc4-9e3f-c6557947d551"), "a different GUID is drift");
    }

    #[test]
    fn object_of_nulls_reads_as_null_unless_the_prior_state_has_one() {
        let nulls = Value::object([("inbound_allowed", Value::Null), ("outbound_allowed", Value::Null)]);
        let set = Value::object([("inbound_allowed", Value::bool(true)), ("outbound_allowed", Value::Null)]);
        assert_eq!(null_if_unset_flags(nulls.clone(), &Value::Null), Value::Null);
        assert_eq!(null_if_unset_flags(nulls.clone(), &set), Value::Null, "drift from a set value shows");
        assert_eq!(null_if_unset_flags(nulls.clone(), &nulls), nulls);
        assert_eq!(null_if_unset_flags(set.clone(), &Value::Null), set);
    }
}
