//! Reads tolerate what Graph's own metadata (the v1.0 CSDL) allows: nullable members anywhere, properties the
//! client does not know, and unknown enum members. None of them fails a read, and none is retried (issue 15).

mod common;

use common::*;
use serde_json::json;

const LIST_ROUTE: &str = "GET /policies/crossTenantAccessPolicy/partners";

#[tokio::test]
async fn a_target_with_null_members_does_not_fail_the_shared_listing() {
    let emulator = start_default();
    emulator.create_partner(json!({"tenantId": PARTNER_A, "inboundTrust": {"isMfaAccepted": true}})).unwrap();
    emulator.create_partner(json!({"tenantId": PARTNER_B})).unwrap();
    // `crossTenantAccessPolicyTarget.target` and `.targetType` are nullable in Graph's CSDL.
    let odd = json!({"usersAndGroups": {"accessType": "allowed", "targets": [{"target": null, "targetType": null}]},
                     "applications": {"accessType": null, "targets": []}});
    let mut state = emulator.state();
    state["partners"][PARTNER_B]["b2bCollaborationInbound"] = odd.clone();
    emulator.set_state(json!({"partners": state["partners"]})).unwrap();
    assert_eq!(emulator.partner(PARTNER_B).unwrap()["b2bCollaborationInbound"], odd, "the emulator serves it");

    let client = client(&emulator);
    client.check_credentials(&op()).await.unwrap();
    emulator.reset_stats();
    let other = client.partner(&op(), PARTNER_A).await.unwrap().unwrap();
    assert_eq!(other.setting("inboundTrust").unwrap()["isMfaAccepted"], json!(true), "other partners still read");
    let partner = client.partner(&op(), PARTNER_B).await.unwrap().unwrap();
    assert_eq!(partner.setting("b2bCollaborationInbound"), Some(&odd), "kept as Graph sent it");
    assert_eq!(emulator.stats().count(LIST_ROUTE), 1, "one listing, no retries");
    let direct = client.fetch_partner(&op(), PARTNER_B).await.unwrap().unwrap();
    assert_eq!(direct.setting("b2bCollaborationInbound"), Some(&odd));
}

#[tokio::test]
async fn the_policy_reads_with_a_description_and_null_members() {
    let emulator = start_default();
    let mut state = emulator.state();
    state["policy"]["description"] = json!(null);
    state["policy"]["displayName"] = json!(null);
    emulator.set_state(json!({"policy": state["policy"]})).unwrap();
    let client = client(&emulator);
    client.check_credentials(&op()).await.unwrap();
    emulator.reset_stats();
    let policy = client.get_policy(&op()).await.unwrap();
    assert_eq!(policy.display_name, None);
    assert!(policy.allowed_cloud_endpoints.is_empty());
    assert_eq!(emulator.stats().count("GET /policies/crossTenantAccessPolicy"), 1, "no retries");
}

#[tokio::test]
async fn an_identity_sync_policy_with_null_members_reads() {
    let emulator = start_default();
    emulator.create_partner(json!({"tenantId": PARTNER_A})).unwrap();
    emulator.put_identity_sync(PARTNER_A, json!({"displayName": null, "userSyncInbound": null})).unwrap();
    let client = client(&emulator);
    let policy = client.identity_sync(&op(), PARTNER_A).await.unwrap().unwrap();
    assert_eq!(policy.display_name, None);
    assert_eq!(policy.user_sync_inbound, None);
}
