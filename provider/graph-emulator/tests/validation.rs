//! Validation over HTTPS: strict JSON (names, types, enums), read-only properties, malformed and oversize bodies,
//! the rules R1–R4, R7, R8, R11–R19 (each also switched off), and the lifecycle guards.

mod common;

use common::{Harness, PARTNERS, TENANT_A, TENANT_B};
use entra_graph_emulator::{DefaultNullMode, EmulatorConfig, MergeMode, ReadOnlyMode, ValidationRules};
use reqwest::Method;
use serde_json::{Value, json};

const POLICY: &str = "/v1.0/policies/crossTenantAccessPolicy";
const DEFAULT: &str = "/v1.0/policies/crossTenantAccessPolicy/default";
const MSA_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

fn tc(access: &str, target: &str, target_type: &str) -> Value {
    json!({"accessType": access, "targets": [{"target": target, "targetType": target_type}]})
}

fn partner_path() -> String {
    format!("{PARTNERS}/{TENANT_A}")
}

async fn with_partner(config: EmulatorConfig) -> Harness {
    let h = Harness::start(config).await;
    h.create_partner(TENANT_A).await;
    h
}

fn assert_bad_request(reply: &common::Reply, message_part: &str) {
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(
        reply.error_message().contains(message_part),
        "'{}' does not contain '{message_part}'",
        reply.error_message()
    );
}

#[tokio::test]
async fn r16_miscased_and_unknown_names_are_rejected_on_every_write() {
    let h = with_partner(EmulatorConfig::default()).await;
    let reply = h.post(PARTNERS, &json!({"tenantId": TENANT_B, "b2BDirectConnectInbound": null})).await;
    assert_eq!(reply.error_code(), "Request_BadRequest");
    assert_eq!(reply.error_message(), "Invalid property 'b2BDirectConnectInbound'.");
    assert_bad_request(
        &h.patch(DEFAULT, &json!({"b2BCollaborationInbound": {}})).await,
        "Invalid property 'b2BCollaborationInbound'",
    );
    assert_bad_request(&h.patch(&partner_path(), &json!({"B2BCollaborationInbound": null})).await, "Invalid property");
    assert_bad_request(
        &h.patch(&partner_path(), &json!({"inboundTrust": {"isHybridAzureAdJoinedDeviceAccepted": true}})).await,
        "Invalid property 'isHybridAzureAdJoinedDeviceAccepted'",
    );
    assert_bad_request(&h.patch(POLICY, &json!({"AllowedCloudEndpoints": []})).await, "Invalid property");
    assert_bad_request(
        &h.put(
            &format!("{}/identitySynchronization", partner_path()),
            &json!({"userSyncInbound": {"IsSyncAllowed": true}}),
        )
        .await,
        "Invalid property",
    );
    // Nothing was created by the rejected POST.
    assert_eq!(h.get(&format!("{PARTNERS}/{TENANT_B}")).await.status, 404);
    // Switched off, unknown names are dropped instead.
    h.emulator.set_rules(ValidationRules { r16: false, ..ValidationRules::default() });
    assert_eq!(h.patch(&partner_path(), &json!({"B2BCollaborationInbound": null, "bogus": 1})).await.status, 204);
}

#[tokio::test]
async fn wrong_json_types_are_rejected() {
    let h = with_partner(EmulatorConfig::default()).await;
    for (body, expected) in [
        (
            json!({"inboundTrust": {"isMfaAccepted": "true"}}),
            "Cannot convert the literal 'true' to the expected type 'Edm.Boolean'.",
        ),
        (json!({"inboundTrust": true}), "A 'StartObject' node was expected."),
        (json!({"inboundTrust": {"isMfaAccepted": {}}}), "A 'PrimitiveValue' node was expected."),
        (json!({"b2bCollaborationInbound": {"usersAndGroups": {"targets": {}}}}), "A 'StartArray' node was expected."),
        (json!({"b2bCollaborationInbound": {"usersAndGroups": {"accessType": 1}}}), "Cannot convert the literal '1'"),
        (json!({"b2bCollaborationInbound": {"usersAndGroups": {"targets": [null]}}}), "does not allow null values"),
    ] {
        let reply = h.patch(&partner_path(), &body).await;
        assert_bad_request(&reply, expected);
    }
    assert_bad_request(&h.patch(&partner_path(), &json!([1, 2])).await, "A 'StartObject' node was expected.");
    assert_bad_request(&h.patch(&partner_path(), &json!("text")).await, "A 'StartObject' node was expected.");
    assert_bad_request(&h.patch(POLICY, &json!({"allowedCloudEndpoints": "microsoftonline.us"})).await, "StartArray");
    assert_bad_request(&h.patch(POLICY, &json!({"allowedCloudEndpoints": null})).await, "does not allow null values");
    assert_bad_request(&h.post(PARTNERS, &json!({"tenantId": 5})).await, "Edm.String");
}

#[tokio::test]
async fn r13_unknown_enum_values_are_rejected_unless_switched_off() {
    let h = with_partner(EmulatorConfig::default()).await;
    for body in [
        json!({"b2bCollaborationInbound": {"usersAndGroups": tc("permitted", "AllUsers", "user")}}),
        json!({"b2bCollaborationInbound": {"usersAndGroups": tc("allowed", "AllUsers", "person")}}),
        json!({"b2bCollaborationInbound": {"usersAndGroups": tc("unknownFutureValue", "AllUsers", "user")}}),
        json!({"tenantRestrictions": {"devices": {"mode": "include", "rule": "x"}}}),
    ] {
        let reply = h.patch(&partner_path(), &body).await;
        assert_bad_request(&reply, "was not found.");
    }
    let idp = json!({"invitationRedemptionIdentityProviderConfiguration": {"primaryIdentityProviderPrecedenceOrder": ["azureAD"], "fallbackIdentityProvider": "defaultConfiguredIdp"}});
    assert_bad_request(&h.patch(DEFAULT, &idp).await, "Requested value 'azureAD' was not found.");
    h.emulator.set_rules(ValidationRules { r13: false, r14: false, ..ValidationRules::default() });
    let reply = h
        .patch(
            &partner_path(),
            &json!({"b2bCollaborationInbound": {"usersAndGroups": tc("permitted", "AllUsers", "user")}}),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text);
}

#[tokio::test]
async fn malformed_empty_and_non_json_bodies_get_graph_shaped_400s() {
    let h = with_partner(EmulatorConfig::default()).await;
    let malformed =
        h.raw(Method::PATCH, &partner_path(), Some("application/json"), b"{\"inboundTrust\": ".to_vec()).await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.error_code(), "BadRequest");
    assert!(malformed.error_message().starts_with("Unable to read JSON request payload."));
    assert!(malformed.json["error"]["innerError"]["request-id"].is_string());
    let empty = h.raw(Method::PATCH, &partner_path(), Some("application/json"), Vec::new()).await;
    assert_eq!(empty.status, 400);
    assert_eq!(empty.error_message(), "Empty Payload. JSON content expected.");
    let not_utf8 = h.raw(Method::POST, PARTNERS, Some("application/json"), vec![0xff, 0xfe, 0x7b]).await;
    assert_eq!(not_utf8.status, 400);
    let wrong_type = h.raw(Method::PATCH, &partner_path(), Some("text/plain"), b"{}".to_vec()).await;
    assert_eq!(wrong_type.status, 415);
    let no_type = h.raw(Method::PATCH, &partner_path(), None, b"{}".to_vec()).await;
    assert_eq!(no_type.status, 415);
    let with_charset =
        h.raw(Method::PATCH, &partner_path(), Some("application/json; charset=utf-8"), b"{}".to_vec()).await;
    assert_eq!(with_charset.status, 204);
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let deep = h.raw(Method::PATCH, &partner_path(), Some("application/json"), deep.into_bytes()).await;
    assert_eq!(deep.status, 400);
}

#[tokio::test]
async fn oversize_bodies_get_413() {
    let config = EmulatorConfig { max_body_bytes: 1024, ..EmulatorConfig::default() };
    let h = with_partner(config).await;
    let big = json!({"b2bCollaborationInbound": {"usersAndGroups": {"accessType": "allowed", "targets": vec![json!({"target": "x".repeat(100), "targetType": "user"}); 20]}}});
    let reply = h.patch(&partner_path(), &big).await;
    assert_eq!(reply.status, 413, "{}", reply.text);
    assert_eq!(reply.error_code(), "RequestEntityTooLarge");
    // The emulator keeps serving.
    assert_eq!(h.get(&partner_path()).await.status, 200);
}

#[tokio::test]
async fn read_only_properties_are_rejected_or_ignored() {
    let h = with_partner(EmulatorConfig::default()).await;
    for (path, body) in [
        (partner_path(), json!({"tenantId": TENANT_A})),
        (partner_path(), json!({"isServiceProvider": true})),
        (partner_path(), json!({"isInMultiTenantOrganization": true})),
        (DEFAULT.to_owned(), json!({"isServiceDefault": true})),
        (DEFAULT.to_owned(), json!({"id": "x"})),
        (POLICY.to_owned(), json!({"id": "x"})),
        (PARTNERS.to_owned(), json!({"tenantId": TENANT_B, "isInMultiTenantOrganization": true})),
    ] {
        let reply = h.request(if path == PARTNERS { Method::POST } else { Method::PATCH }, &path, Some(&body)).await;
        assert_bad_request(&reply, "is read-only");
    }
    // R5: the default's consent settings are always false.
    assert_bad_request(
        &h.patch(DEFAULT, &json!({"automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": false}}))
            .await,
        "read-only on the default configuration",
    );
    let same = h
        .patch(DEFAULT, &json!({"automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false}}))
        .await;
    assert_eq!(same.status, 204);

    let lax =
        with_partner(EmulatorConfig { read_only_properties: ReadOnlyMode::Ignore, ..EmulatorConfig::default() }).await;
    assert_eq!(lax.patch(&partner_path(), &json!({"isServiceProvider": true, "inboundTrust": null})).await.status, 204);
    assert_eq!(lax.get(&partner_path()).await.json["isServiceProvider"], Value::Null);
    assert_eq!(
        lax.patch(DEFAULT, &json!({"automaticUserConsentSettings": {"inboundAllowed": true}})).await.status,
        204
    );
    assert_eq!(lax.get(DEFAULT).await.json["automaticUserConsentSettings"]["inboundAllowed"], false);
}

#[tokio::test]
async fn explicit_null_on_the_default_is_rejected_or_ignored() {
    let h = Harness::default().await;
    assert_bad_request(&h.patch(DEFAULT, &json!({"inboundTrust": null})).await, "cannot be set to null");
    let lax =
        Harness::start(EmulatorConfig { default_null: DefaultNullMode::Ignore, ..EmulatorConfig::default() }).await;
    assert_eq!(lax.patch(DEFAULT, &json!({"inboundTrust": null})).await.status, 204);
    assert_eq!(lax.get(DEFAULT).await.json["inboundTrust"]["isMfaAccepted"], false);
}

#[tokio::test]
async fn patch_replaces_top_level_values_or_deep_merges_when_configured() {
    let h = with_partner(EmulatorConfig::default()).await;
    let full = json!({"usersAndGroups": tc("allowed", "AllUsers", "user"), "applications": tc("allowed", "AllApplications", "application")});
    assert_eq!(h.patch(&partner_path(), &json!({"b2bCollaborationInbound": full})).await.status, 204);
    let partial = json!({"b2bCollaborationInbound": {"usersAndGroups": tc("allowed", "g1", "group")}});
    assert_eq!(h.patch(&partner_path(), &partial).await.status, 204);
    let stored = h.get(&partner_path()).await.json;
    assert_eq!(stored["b2bCollaborationInbound"]["applications"], Value::Null, "replace mode drops the omitted half");

    let merged = with_partner(EmulatorConfig { merge_mode: MergeMode::DeepMerge, ..EmulatorConfig::default() }).await;
    assert_eq!(merged.patch(&partner_path(), &json!({"b2bCollaborationInbound": full})).await.status, 204);
    assert_eq!(merged.patch(&partner_path(), &partial).await.status, 204);
    let stored = merged.get(&partner_path()).await.json;
    assert_eq!(stored["b2bCollaborationInbound"]["applications"]["accessType"], "allowed");
    assert_eq!(stored["b2bCollaborationInbound"]["usersAndGroups"]["targets"][0]["target"], "g1");
    // Collections replace wholesale even when merging.
    let consent = json!({"automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": true}});
    assert_eq!(merged.patch(&partner_path(), &consent).await.status, 204);
    assert_eq!(
        merged.patch(&partner_path(), &json!({"automaticUserConsentSettings": {"inboundAllowed": false}})).await.status,
        204
    );
    assert_eq!(
        merged.get(&partner_path()).await.json["automaticUserConsentSettings"],
        json!({"inboundAllowed": false, "outboundAllowed": true})
    );
    merged.emulator.set_merge_mode(MergeMode::Replace);
    assert_eq!(
        merged.patch(&partner_path(), &json!({"automaticUserConsentSettings": {"inboundAllowed": true}})).await.status,
        204
    );
    assert_eq!(
        merged.get(&partner_path()).await.json["automaticUserConsentSettings"],
        json!({"inboundAllowed": true, "outboundAllowed": null})
    );
}

#[tokio::test]
async fn r1_r2_r14_on_partner_settings() {
    let h = with_partner(EmulatorConfig::default()).await;
    let r1 = json!({"b2bDirectConnectInbound": {"usersAndGroups": tc("blocked", "AllUsers", "user"), "applications": tc("allowed", "Office365", "application")}});
    assert_bad_request(&h.patch(&partner_path(), &r1).await, "must block AllApplications");
    let r2 = json!({"b2bCollaborationOutbound": {"usersAndGroups": tc("allowed", "AllUsers", "user"), "applications": tc("blocked", "AllApplications", "application")}});
    assert_bad_request(&h.patch(&partner_path(), &r2).await, "cannot block AllApplications");
    let r14 = json!({"b2bCollaborationOutbound": {"applications": tc("allowed", "AllUsers", "user")}});
    assert_bad_request(&h.patch(&partner_path(), &r14).await, "targetType");
    let r14_keyword = json!({"b2bCollaborationOutbound": {"usersAndGroups": tc("allowed", "AllUsers", "group")}});
    assert_bad_request(&h.patch(&partner_path(), &r14_keyword).await, "must have targetType 'user'");
    // The same rules apply on create, and nothing is stored.
    let create = json!({"tenantId": TENANT_B, "b2bDirectConnectInbound": r1["b2bDirectConnectInbound"]});
    assert_bad_request(&h.post(PARTNERS, &create).await, "must block AllApplications");
    assert_eq!(h.get(&format!("{PARTNERS}/{TENANT_B}")).await.status, 404);
    // Each switched off.
    h.emulator.set_rules(ValidationRules { r1: false, r2: false, r14: false, ..ValidationRules::default() });
    for body in [r1, r2, r14, r14_keyword] {
        assert_eq!(h.patch(&partner_path(), &body).await.status, 204);
    }
}

#[tokio::test]
async fn r2b_is_opt_in() {
    let h = with_partner(EmulatorConfig::default()).await;
    let body = json!({"b2bCollaborationInbound": {"usersAndGroups": tc("blocked", "g1", "group"), "applications": tc("blocked", "AllApplications", "application")}});
    assert_eq!(h.patch(&partner_path(), &body).await.status, 204);
    h.emulator.set_rules(ValidationRules { r2b: true, ..ValidationRules::default() });
    assert_bad_request(&h.patch(&partner_path(), &body).await, "must block AllUsers");
}

#[tokio::test]
async fn r3_r4_r15_on_the_default() {
    let h = Harness::default().await;
    let r3 = json!({"b2bCollaborationInbound": {"usersAndGroups": tc("allowed", "a1b2c3d4-0000-0000-0000-00000000aaaa", "group"), "applications": tc("allowed", "AllApplications", "application")}});
    assert_bad_request(&h.patch(DEFAULT, &r3).await, "Default inbound settings cannot target specific users or groups");
    let r3_direct = json!({"b2bDirectConnectInbound": {"usersAndGroups": tc("blocked", "u1", "user"), "applications": tc("blocked", "AllApplications", "application")}});
    assert_bad_request(&h.patch(DEFAULT, &r3_direct).await, "cannot target specific users or groups");
    let r4 = json!({"tenantRestrictions": {"usersAndGroups": tc("blocked", "u1", "user"), "applications": tc("blocked", "AllApplications", "application")}});
    assert_bad_request(&h.patch(DEFAULT, &r4).await, "Default tenant restrictions");
    let outbound = json!({"b2bCollaborationOutbound": {"usersAndGroups": tc("allowed", "g1", "group"), "applications": tc("allowed", "AllApplications", "application")}});
    assert_eq!(h.patch(DEFAULT, &outbound).await.status, 204, "outbound defaults may target groups");
    let r15 = json!({"invitationRedemptionIdentityProviderConfiguration": {"primaryIdentityProviderPrecedenceOrder": ["emailOneTimePasscode"], "fallbackIdentityProvider": "defaultConfiguredIdp"}});
    assert_bad_request(&h.patch(DEFAULT, &r15).await, "cannot be a primary identity provider");
    let r15_fallback = json!({"invitationRedemptionIdentityProviderConfiguration": {"primaryIdentityProviderPrecedenceOrder": ["externalFederation", "azureActiveDirectory"], "fallbackIdentityProvider": "socialIdentityProviders"}});
    assert_bad_request(&h.patch(DEFAULT, &r15_fallback).await, "cannot be a fallback identity provider");
    let good = json!({"invitationRedemptionIdentityProviderConfiguration": {"primaryIdentityProviderPrecedenceOrder": ["externalFederation", "azureActiveDirectory"], "fallbackIdentityProvider": "emailOneTimePasscode"}});
    assert_eq!(h.patch(DEFAULT, &good).await.status, 204);
    h.emulator.set_rules(ValidationRules { r3: false, r4: false, r15: false, ..ValidationRules::default() });
    for body in [r3, r3_direct, r4, r15, r15_fallback] {
        assert_eq!(h.patch(DEFAULT, &body).await.status, 204);
    }
}

#[tokio::test]
async fn r7_tenant_id_required_and_a_guid() {
    let h = Harness::default().await;
    assert_bad_request(&h.post(PARTNERS, &json!({})).await, "'tenantId' is required");
    assert_bad_request(&h.post(PARTNERS, &json!({"tenantId": null})).await, "does not allow null values");
    assert_bad_request(&h.post(PARTNERS, &json!({"tenantId": "contoso.com"})).await, "must be a tenant ID (GUID)");
    h.emulator.set_rules(ValidationRules { r7: false, ..ValidationRules::default() });
    assert_eq!(h.post(PARTNERS, &json!({"tenantId": "not-a-guid"})).await.status, 201);
}

#[tokio::test]
async fn r8_allowed_cloud_endpoints() {
    let h = Harness::default().await;
    assert_bad_request(
        &h.patch(POLICY, &json!({"allowedCloudEndpoints": ["login.example.com"]})).await,
        "allowedCloudEndpoints",
    );
    let all =
        json!({"allowedCloudEndpoints": ["microsoftonline.com", "microsoftonline.us", "partner.microsoftonline.cn"]});
    assert_eq!(h.patch(POLICY, &all).await.status, 204);
    h.emulator.set_rules(ValidationRules { r8: false, ..ValidationRules::default() });
    assert_eq!(h.patch(POLICY, &json!({"allowedCloudEndpoints": ["login.example.com"]})).await.status, 204);
}

#[tokio::test]
async fn r11_msa_tenant_restrictions_only_all_users() {
    let h = Harness::default().await;
    h.create_partner(MSA_TENANT).await;
    let path = format!("{PARTNERS}/{MSA_TENANT}");
    let specific = json!({"tenantRestrictions": {"usersAndGroups": tc("allowed", "u1", "user"), "applications": tc("allowed", "AllApplications", "application")}});
    assert_bad_request(&h.patch(&path, &specific).await, "Microsoft Accounts tenant");
    let all = json!({"tenantRestrictions": {"usersAndGroups": tc("allowed", "AllUsers", "user"), "applications": tc("allowed", "AllApplications", "application")}});
    assert_eq!(h.patch(&path, &all).await.status, 204);
    h.emulator.set_rules(ValidationRules { r11: false, ..ValidationRules::default() });
    assert_eq!(h.patch(&path, &specific).await.status, 204);
}

#[tokio::test]
async fn r12_devices_is_opt_in() {
    let h = with_partner(EmulatorConfig::default()).await;
    let body = json!({"tenantRestrictions": {"devices": {"mode": "allowed", "rule": "device.isCompliant -eq True"}}});
    assert_eq!(h.patch(&partner_path(), &body).await.status, 204);
    h.emulator.set_rules(ValidationRules { r12: true, ..ValidationRules::default() });
    assert_bad_request(&h.patch(&partner_path(), &body).await, "'devices' is not supported");
}

#[tokio::test]
async fn r17_r18_lifecycle_guards_on_delete() {
    let config = EmulatorConfig::default().with_service_provider_partner(TENANT_B.to_uppercase());
    let h = with_partner(config).await;
    let sync = format!("{}/identitySynchronization", partner_path());
    assert_eq!(h.put(&sync, &json!({"userSyncInbound": {"isSyncAllowed": true}})).await.status, 204);
    assert_bad_request(&h.delete(&partner_path()).await, "Delete the identitySynchronization policy first");
    assert_eq!(h.delete(&sync).await.status, 204);
    assert_eq!(h.delete(&partner_path()).await.status, 204);

    let provider = format!("{PARTNERS}/{TENANT_B}");
    assert_eq!(h.get(&provider).await.json["isServiceProvider"], true);
    assert_bad_request(&h.delete(&provider).await, "service provider");
    h.emulator.set_rules(ValidationRules { r18: false, ..ValidationRules::default() });
    assert_eq!(h.delete(&provider).await.status, 204);

    let forbidding =
        Harness::start(EmulatorConfig { service_provider_delete_status: 403, ..EmulatorConfig::default() }).await;
    forbidding.emulator.add_service_provider_partner(TENANT_B).unwrap();
    let reply = forbidding.delete(&provider).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.error_code(), "Authorization_RequestDenied");
}

#[tokio::test]
async fn r17_switched_off_allows_deleting_a_synced_partner() {
    let h = with_partner(EmulatorConfig::default()).await;
    h.emulator.set_rules(ValidationRules { r17: false, ..ValidationRules::default() });
    assert_eq!(h.put(&format!("{}/identitySynchronization", partner_path()), &json!({})).await.status, 204);
    assert_eq!(h.delete(&partner_path()).await.status, 204);
}

#[tokio::test]
async fn r19_duplicates_conflict() {
    let h = with_partner(EmulatorConfig::default()).await;
    let reply = h.post(PARTNERS, &json!({"tenantId": TENANT_A.to_uppercase()})).await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.error_code(), "Request_MultipleObjectsWithSameKeyValue");
}

#[tokio::test]
async fn sync_put_body_tenant_id_must_match() {
    let h = with_partner(EmulatorConfig::default()).await;
    let sync = format!("{}/identitySynchronization", partner_path());
    assert_bad_request(&h.put(&sync, &json!({"tenantId": TENANT_B})).await, "does not match");
    assert_eq!(h.put(&sync, &json!({"tenantId": TENANT_A.to_uppercase(), "displayName": "A"})).await.status, 204);
    assert_bad_request(&h.patch(&sync, &json!({"tenantId": TENANT_A})).await, "read-only");
}

#[tokio::test]
async fn r21_size_cap_is_opt_in() {
    let h = with_partner(EmulatorConfig::default()).await;
    let targets: Vec<Value> =
        (0..400).map(|i| json!({"target": format!("00000000-0000-0000-0000-{i:012}"), "targetType": "user"})).collect();
    let big = json!({"b2bCollaborationInbound": {"usersAndGroups": {"accessType": "allowed", "targets": targets}}});
    assert_eq!(h.patch(&partner_path(), &big).await.status, 204);
    h.emulator.set_rules(ValidationRules { r21: true, ..ValidationRules::default() });
    assert_bad_request(&h.patch(&partner_path(), &big).await, "25 KB");
}

#[tokio::test]
async fn app_only_callers_cannot_send_is_service_provider() {
    let h = Harness::default().await;
    let reply = h.post(PARTNERS, &json!({"tenantId": TENANT_A, "isServiceProvider": false})).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.error_code(), "Authorization_RequestDenied");
    assert_eq!(reply.error_message(), "Insufficient privileges to complete the operation.");
    let allowed =
        Harness::start(EmulatorConfig { forbid_app_only_service_provider: false, ..EmulatorConfig::default() }).await;
    let reply = allowed.post(PARTNERS, &json!({"tenantId": TENANT_A, "isServiceProvider": true})).await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.json["isServiceProvider"], true);
}
