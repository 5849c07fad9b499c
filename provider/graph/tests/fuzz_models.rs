//! Fuzzing the Graph JSON models: what Microsoft Graph (or a proxy in front of it) sends is untrusted input.
//!
//! - Graph-shaped documents, with unknown enum members and properties Graph may add any day (quirk Q11), must read
//!   without loss: every value they carry comes back when the model is written again.
//! - Damaged documents (wrong types, nulls, truncation, arbitrary JSON around the real property names) must fail
//!   to read or read, but never panic.
//! - Settings keep any enum value exactly; `Patch` never sends what is unchanged; the consistency check that
//!   decides whether a write is visible ([`entra_graph::consistency::reflects`]) is reflexive, ignores the order
//!   of collections and the case of GUIDs.
//!
//! Case counts are proptest's defaults (256 per property); a long run is
//! `PROPTEST_CASES=200000 cargo test -p entra-graph --test fuzz_models --release` (see docs/reliability.md).

use entra_graph::consistency::reflects;
use entra_graph::models::*;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// An enum member as Graph may send it: a known one, `unknownFutureValue`, or anything.
fn member(known: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        6 => prop::sample::select(known).prop_map(str::to_owned),
        1 => Just("unknownFutureValue".to_owned()),
        1 => ".{0,12}",
    ]
    .boxed()
}

fn guid() -> impl Strategy<Value = String> {
    (any::<u128>(), any::<bool>()).prop_map(|(n, upper)| {
        let hex = format!("{n:032x}");
        let guid = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
        if upper { guid.to_ascii_uppercase() } else { guid }
    })
}

fn target() -> impl Strategy<Value = Value> {
    let id = prop_oneof![
        guid(),
        prop::sample::select(&["AllUsers", "AllApplications", "Office365", "AllMicrosoftApps"][..])
            .prop_map(str::to_owned),
        ".{0,10}",
    ];
    (id, member(&["user", "group", "application"])).prop_map(|(t, ty)| json!({"target": t, "targetType": ty}))
}

fn target_configuration() -> impl Strategy<Value = Value> {
    let targets =
        prop_oneof![1 => Just(Value::Null), 6 => prop::collection::vec(target(), 0..5).prop_map(Value::Array)];
    let access = prop_oneof![1 => Just(Value::Null), 6 => member(&["allowed", "blocked"]).prop_map(Value::String)];
    (access, targets).prop_map(|(a, t)| json!({"accessType": a, "targets": t}))
}

fn maybe(strategy: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![1 => Just(Value::Null), 3 => strategy].boxed()
}

fn flag() -> BoxedStrategy<Value> {
    maybe(any::<bool>().prop_map(Value::Bool))
}

fn b2b_setting() -> BoxedStrategy<Value> {
    maybe(
        (maybe(target_configuration()), maybe(target_configuration()))
            .prop_map(|(u, a)| json!({"usersAndGroups": u, "applications": a})),
    )
}

fn tenant_restrictions() -> BoxedStrategy<Value> {
    let devices = maybe(
        (member(&["allowed", "blocked"]), ".{0,20}").prop_map(|(mode, rule)| json!({"mode": mode, "rule": rule})),
    );
    maybe(
        (maybe(target_configuration()), maybe(target_configuration()), devices)
            .prop_map(|(u, a, d)| json!({"usersAndGroups": u, "applications": a, "devices": d})),
    )
}

fn pair() -> BoxedStrategy<Value> {
    (flag(), flag()).prop_map(|(i, o)| json!({"inboundAllowed": i, "outboundAllowed": o})).boxed()
}

fn inbound_trust() -> BoxedStrategy<Value> {
    maybe((flag(), flag(), flag()).prop_map(|(m, c, h)| {
        json!({"isMfaAccepted": m, "isCompliantDeviceAccepted": c, "isHybridAzureADJoinedDeviceAccepted": h})
    }))
}

/// A partner configuration as Graph writes it (every property, nulls included).
fn partner() -> impl Strategy<Value = Value> {
    let settings = (
        inbound_trust(),
        maybe(pair()),
        b2b_setting(),
        b2b_setting(),
        b2b_setting(),
        b2b_setting(),
        tenant_restrictions(),
        maybe(maybe(target_configuration()).prop_map(|u| json!({"users": u}))),
        maybe(maybe(target_configuration()).prop_map(|u| json!({"usersAndGroups": u}))),
        maybe(maybe(target_configuration()).prop_map(|a| json!({"applications": a}))),
    );
    (guid(), flag(), flag(), settings).prop_map(|(tenant, sp, mto, s)| {
        json!({
            "tenantId": tenant,
            "isServiceProvider": sp,
            "isInMultiTenantOrganization": mto,
            "inboundTrust": s.0,
            "automaticUserConsentSettings": s.1,
            "b2bCollaborationInbound": s.2,
            "b2bCollaborationOutbound": s.3,
            "b2bDirectConnectInbound": s.4,
            "b2bDirectConnectOutbound": s.5,
            "tenantRestrictions": s.6,
            "m365CollaborationInbound": s.7,
            "m365CollaborationOutbound": s.8,
            "appServiceConnectInbound": s.9,
        })
    })
}

/// The default configuration as Graph writes it.
fn default_configuration() -> impl Strategy<Value = Value> {
    let providers = member(&[
        "azureActiveDirectory",
        "externalFederation",
        "socialIdentityProviders",
        "emailOneTimePasscode",
        "microsoftAccount",
        "defaultConfiguredIdp",
    ]);
    let redemption = maybe((prop::collection::vec(providers.clone(), 0..4), providers).prop_map(|(order, fallback)| {
        json!({"primaryIdentityProviderPrecedenceOrder": order, "fallbackIdentityProvider": fallback})
    }));
    (flag(), inbound_trust(), b2b_setting(), b2b_setting(), tenant_restrictions(), redemption).prop_map(
        |(service_default, trust, inbound, outbound, restrictions, redemption)| {
            json!({
                "id": "895e3c89-2715-4624-9715-6a86227312eb",
                "isServiceDefault": service_default,
                "inboundTrust": trust,
                "automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false},
                "b2bCollaborationInbound": inbound,
                "b2bCollaborationOutbound": outbound,
                "b2bDirectConnectInbound": null,
                "b2bDirectConnectOutbound": null,
                "tenantRestrictions": restrictions,
                "invitationRedemptionIdentityProviderConfiguration": redemption,
            })
        },
    )
}

/// Adds properties nobody knows yet to every object, as Graph does when it grows (quirk Q11).
fn with_extras(value: &Value, salt: u32) -> Value {
    match value {
        Value::Object(members) => {
            let mut out: Map<String, Value> = members.iter().map(|(k, v)| (k.clone(), with_extras(v, salt))).collect();
            out.insert(format!("futureProperty{salt}"), json!({"nested": [salt, null, "x"]}));
            out.insert("@odata.type".to_owned(), json!("#microsoft.graph.somethingNew"));
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| with_extras(v, salt)).collect()),
        other => other.clone(),
    }
}

/// Replaces the value at the `pick`-th position of a depth-first walk with `replacement`.
fn damage(value: &mut Value, pick: &mut usize, replacement: &Value) {
    if *pick == 0 {
        *value = replacement.clone();
        *pick = usize::MAX;
        return;
    }
    *pick -= 1;
    match value {
        Value::Object(members) => members.values_mut().for_each(|v| damage(v, pick, replacement)),
        Value::Array(items) => items.iter_mut().for_each(|v| damage(v, pick, replacement)),
        _ => {}
    }
}

fn any_replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!("")),
        Just(json!(0)),
        Just(json!(-1.5e300)),
        Just(json!(true)),
        Just(json!([])),
        Just(json!([null])),
        Just(json!({})),
        ".{0,8}".prop_map(Value::String),
    ]
}

/// Reads `value` as every Graph model: each read ends in a model or an error.
fn read_as_every_model(value: &Value) {
    let _ = serde_json::from_value::<PartnerConfiguration>(value.clone());
    let _ = serde_json::from_value::<DefaultConfiguration>(value.clone());
    let _ = serde_json::from_value::<CrossTenantAccessPolicy>(value.clone());
    let _ = serde_json::from_value::<IdentitySyncPolicy>(value.clone());
    let _ = serde_json::from_value::<TenantInformation>(value.clone());
    let _ = serde_json::from_value::<Vec<PartnerConfiguration>>(value.clone());
}

proptest! {
    #[test]
    fn partners_read_without_loss_whatever_graph_adds(partner in partner(), salt in any::<u32>()) {
        let read: PartnerConfiguration = serde_json::from_value(with_extras(&partner, salt))
            .map_err(|e| TestCaseError::fail(format!("{e}: {partner}")))?;
        let written = serde_json::to_value(&read).expect("models serialize");
        // The read-only flags are typed and never written back.
        prop_assert_eq!(read.is_service_provider, partner["isServiceProvider"].as_bool());
        prop_assert_eq!(read.is_in_multi_tenant_organization, partner["isInMultiTenantOrganization"].as_bool());
        let mut writable = partner.clone();
        let members = writable.as_object_mut().expect("an object");
        members.remove("isServiceProvider");
        members.remove("isInMultiTenantOrganization");
        prop_assert!(reflects(&writable, &written), "lost a value:\n{partner}\n{written}");
        // A second trip changes nothing that is written.
        let again: PartnerConfiguration = serde_json::from_value(written).expect("our own output reads");
        prop_assert_eq!(again.tenant_id, read.tenant_id);
        prop_assert_eq!(again.settings, read.settings);
    }

    #[test]
    fn default_configurations_read_without_loss(default in default_configuration(), salt in any::<u32>()) {
        let read: DefaultConfiguration = serde_json::from_value(with_extras(&default, salt))
            .map_err(|e| TestCaseError::fail(format!("{e}: {default}")))?;
        prop_assert_eq!(read.is_service_default, default["isServiceDefault"].as_bool());
        let redemption = &default["invitationRedemptionIdentityProviderConfiguration"];
        let order = read
            .setting("invitationRedemptionIdentityProviderConfiguration")
            .map(|r| r["primaryIdentityProviderPrecedenceOrder"].clone());
        let sent = redemption.as_object().map(|r| r["primaryIdentityProviderPrecedenceOrder"].clone());
        prop_assert_eq!(order, sent, "the order of identity providers is kept exactly");
        let null = Value::Null;
        let trust = read.setting("inboundTrust").unwrap_or(&null);
        prop_assert!(reflects(&default["inboundTrust"], trust));
        let inbound = read.setting("b2bCollaborationInbound").unwrap_or(&null);
        prop_assert!(reflects(&default["b2bCollaborationInbound"], inbound));
    }

    #[test]
    fn damaged_documents_never_panic(
        document in prop_oneof![partner(), default_configuration()],
        pick in 0usize..200,
        replacement in any_replacement(),
    ) {
        let mut damaged = document;
        let mut position = pick;
        damage(&mut damaged, &mut position, &replacement);
        read_as_every_model(&damaged);
        // Truncated text never parses as a model.
        let text = damaged.to_string();
        let cut = &text.as_bytes()[..text.len() / 2];
        prop_assert!(serde_json::from_slice::<PartnerConfiguration>(cut).is_err());
    }

    #[test]
    fn arbitrary_json_never_panics(text in "[\\[\\]{}\",:0-9a-zA-Z .-]{0,80}") {
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            read_as_every_model(&value);
        }
    }

    #[test]
    fn settings_keep_any_enum_value_exactly(raw in ".{0,24}") {
        let partner = json!({"tenantId": "t", "b2bCollaborationInbound": {"usersAndGroups": {"accessType": raw.clone(),
            "targets": [{"target": "AllUsers", "targetType": raw.clone()}]}}});
        let read: PartnerConfiguration = serde_json::from_value(partner.clone()).expect("any string reads");
        let written = serde_json::to_value(&read).expect("writes");
        prop_assert_eq!(written, partner);
    }

    #[test]
    fn patches_send_exactly_what_changed(
        name in prop_oneof![Just(0u8), Just(1u8), Just(2u8)],
        sync in prop_oneof![Just(0u8), Just(1u8), Just(2u8)],
    ) {
        fn patch_of<T>(choice: u8, value: T) -> Patch<T> {
            match choice {
                0 => Patch::Unchanged,
                1 => Patch::Null,
                _ => Patch::Set(value),
            }
        }
        let patch = IdentitySyncPatch {
            display_name: patch_of(name, "Fabrikam".to_owned()),
            user_sync_inbound: patch_of(sync, UserSyncInbound { is_sync_allowed: Some(true) }),
        };
        let body = serde_json::to_value(&patch).expect("patches serialize");
        let object = body.as_object().expect("an object");
        prop_assert_eq!(object.contains_key("displayName"), name != 0);
        prop_assert_eq!(object.contains_key("userSyncInbound"), sync != 0);
        prop_assert_eq!(object.get("displayName") == Some(&Value::Null), name == 1);
        prop_assert_eq!(object.len(), usize::from(name != 0) + usize::from(sync != 0));
    }

    #[test]
    fn reflects_is_reflexive_order_blind_and_guid_case_blind(partner in partner(), seed in any::<u64>()) {
        prop_assert!(reflects(&partner, &partner));
        let shuffled = reorder_arrays(&partner, seed);
        prop_assert!(reflects(&partner, &shuffled) && reflects(&shuffled, &partner));
        let upper = change_guid_case(&partner);
        prop_assert!(reflects(&partner, &upper));
    }
}

/// Every array of `value` rotated (and sometimes reversed), recursively.
fn reorder_arrays(value: &Value, seed: u64) -> Value {
    match value {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(|v| reorder_arrays(v, seed)).collect();
            if !items.is_empty() {
                let by = (seed as usize) % items.len();
                items.rotate_left(by);
                if seed.is_multiple_of(2) {
                    items.reverse();
                }
            }
            Value::Array(items)
        }
        Value::Object(members) => {
            Value::Object(members.iter().map(|(k, v)| (k.clone(), reorder_arrays(v, seed))).collect())
        }
        other => other.clone(),
    }
}

/// Every GUID of `value` in the other case.
fn change_guid_case(value: &Value) -> Value {
    match value {
        Value::String(s) if is_guid(s) => {
            let flipped =
                if s.chars().any(|c| c.is_ascii_lowercase()) { s.to_ascii_uppercase() } else { s.to_ascii_lowercase() };
            Value::String(flipped)
        }
        Value::Array(items) => Value::Array(items.iter().map(change_guid_case).collect()),
        Value::Object(members) => {
            Value::Object(members.iter().map(|(k, v)| (k.clone(), change_guid_case(v))).collect())
        }
        other => other.clone(),
    }
}

fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

#[test]
fn a_sent_null_matches_graphs_object_of_nulls_and_a_missing_property() {
    let read = json!({"automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null}});
    assert!(reflects(&json!({"automaticUserConsentSettings": null}), &read));
    assert!(reflects(&json!({"inboundTrust": null}), &read));
    assert!(!reflects(&json!({"automaticUserConsentSettings": {"inboundAllowed": true}}), &read));
}
