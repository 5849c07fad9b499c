//! Every endpoint of graph-api.md §1 the client has (E1–E16) against the emulator, through the typed calls.

mod common;

use common::*;
use entra_graph::GraphError;
use entra_graph::models::*;
use serde_json::json;

fn all_users(access: &str) -> serde_json::Value {
    json!({"accessType": access, "targets": [{"target": "AllUsers", "targetType": "user"}]})
}

fn all_apps(access: &str) -> serde_json::Value {
    json!({"accessType": access, "targets": [{"target": "AllApplications", "targetType": "application"}]})
}

fn open_b2b() -> serde_json::Value {
    json!({"usersAndGroups": all_users("allowed"), "applications": all_apps("allowed")})
}

#[tokio::test]
async fn policy_read_and_update() {
    let emulator = start_default();
    let client = client(&emulator);
    let op = op();
    let policy = client.get_policy(&op).await.unwrap(); // E1
    assert!(policy.allowed_cloud_endpoints.is_empty());
    assert_eq!(
        policy.display_name.as_deref(),
        Some(format!("CrossTenantAccessPolicy for {}", emulator.tenant_id()).as_str())
    );

    let patch = PolicyPatch { allowed_cloud_endpoints: Some(vec!["microsoftonline.us".into()]), ..Default::default() };
    client.update_policy(&op, &patch).await.unwrap(); // E2
    assert_eq!(client.get_policy(&op).await.unwrap().allowed_cloud_endpoints, vec!["microsoftonline.us"]);
    client
        .update_policy(&op, &PolicyPatch { allowed_cloud_endpoints: Some(vec![]), ..Default::default() })
        .await
        .unwrap();
    assert!(client.get_policy(&op).await.unwrap().allowed_cloud_endpoints.is_empty());
}

#[tokio::test]
async fn default_read_update_and_reset() {
    let emulator = start_default();
    let client = client(&emulator);
    let op = op();
    let fresh = client.get_default(&op).await.unwrap(); // E3
    assert_eq!(fresh.is_service_default, Some(true));
    assert_eq!(
        fresh.setting("automaticUserConsentSettings"),
        Some(&json!({"inboundAllowed": false, "outboundAllowed": false}))
    );
    let idp = fresh.setting("invitationRedemptionIdentityProviderConfiguration").unwrap();
    assert_eq!(idp["fallbackIdentityProvider"], "defaultConfiguredIdp");

    let trust =
        json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": true});
    client.update_default(&op, &properties(json!({"inboundTrust": trust.clone()}))).await.unwrap(); // E4
    let changed = client.get_default(&op).await.unwrap();
    assert_eq!(changed.setting("inboundTrust"), Some(&trust));
    assert_eq!(changed.is_service_default, Some(false));

    client.reset_default(&op).await.unwrap(); // E5
    let reset = client.get_default(&op).await.unwrap();
    assert_eq!(reset.is_service_default, Some(true));
    assert_eq!(reset.setting("inboundTrust"), fresh.setting("inboundTrust"));
}

#[tokio::test]
async fn partner_lifecycle_with_explicit_nulls() {
    let emulator = start_default();
    let client = client(&emulator);
    let op = op();
    let new = properties(json!({"inboundTrust": {"isMfaAccepted": true}, "b2bCollaborationInbound": open_b2b()}));
    let created = client.create_partner(&op, &PARTNER_A.to_uppercase(), &new).await.unwrap(); // E7
    assert_eq!(created.tenant_id, PARTNER_A, "Graph keys are lowercase");
    assert_eq!(created.setting("inboundTrust").unwrap()["isMfaAccepted"], json!(true));
    assert_eq!(created.setting("b2bCollaborationOutbound"), None, "unset settings inherit");

    let read = client.fetch_partner(&op, PARTNER_A).await.unwrap().unwrap(); // E8
    assert_eq!(read.setting("b2bCollaborationInbound"), Some(&open_b2b()));

    // Back to inherit for trust, a new consent setting, everything else untouched.
    let patch = properties(json!({
        "inboundTrust": null,
        "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": null}
    }));
    client.update_partner(&op, PARTNER_A, &patch).await.unwrap(); // E9
    let stored = emulator.partner(PARTNER_A).unwrap();
    assert_eq!(stored["inboundTrust"], json!(null));
    assert_eq!(stored["automaticUserConsentSettings"], json!({"inboundAllowed": true, "outboundAllowed": null}));
    assert_eq!(stored["b2bCollaborationInbound"]["usersAndGroups"]["accessType"], "allowed");

    let listed = client.list_partners(&op).await.unwrap(); // E6
    assert_eq!(listed.iter().map(|p| p.tenant_id.as_str()).collect::<Vec<_>>(), vec![PARTNER_A]);

    client.delete_partner(&op, PARTNER_A).await.unwrap(); // E10
    assert!(client.fetch_partner(&op, PARTNER_A).await.unwrap().is_none());
    // Deleting what is already gone is fine (Terraform may retry a destroy).
    client.delete_partner(&op, PARTNER_A).await.unwrap();
}

#[tokio::test]
async fn creating_an_existing_partner_says_to_import_it() {
    let emulator = start_default();
    emulator.create_partner(json!({"tenantId": PARTNER_A})).unwrap();
    let client = client(&emulator);
    let err = client.create_partner(&op(), PARTNER_A, &Properties::new()).await.unwrap_err();
    assert!(matches!(err, GraphError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "the partner configuration for tenant {PARTNER_A} already exists; import it into Terraform instead of creating it"
        )
    );
    assert_eq!(emulator.state()["partners"].as_object().unwrap().len(), 1);
}

#[tokio::test]
async fn graph_validation_errors_carry_code_message_and_ids() {
    let emulator = start_default();
    let client = client(&emulator);
    let op = op();
    client.create_partner(&op, PARTNER_A, &Properties::new()).await.unwrap();
    // R1: blocking all users while allowing applications is refused by Graph.
    let patch = properties(json!({
        "b2bCollaborationInbound": {"usersAndGroups": all_users("blocked"), "applications": all_apps("allowed")}
    }));
    let err = client.update_partner(&op, PARTNER_A, &patch).await.unwrap_err();
    let api = err.api().expect("a Graph error");
    assert_eq!(api.status, 400);
    assert_eq!(api.code.as_deref(), Some("Request_BadRequest"));
    assert!(api.request_id.is_some() && api.client_request_id.is_some() && api.date.is_some(), "{api:?}");
    assert!(err.to_string().starts_with(&format!(
        "Microsoft Graph returned 400 Bad Request for PATCH /policies/crossTenantAccessPolicy/partners/{PARTNER_A}: Request_BadRequest:"
    )));
}

#[tokio::test]
async fn identity_sync_lifecycle_and_delete_guard() {
    let emulator = start_default();
    let client = client(&emulator);
    let op = op();
    client.create_partner(&op, PARTNER_B, &Properties::new()).await.unwrap();

    let policy = IdentitySyncPolicy {
        display_name: Some("Fabrikam".into()),
        user_sync_inbound: Some(UserSyncInbound { is_sync_allowed: Some(true) }),
        ..Default::default()
    };
    let created = client.create_identity_sync(&op, PARTNER_B, &policy).await.unwrap(); // E11
    assert_eq!(created.tenant_id.as_deref(), Some(PARTNER_B));
    let read = client.fetch_identity_sync(&op, PARTNER_B).await.unwrap().unwrap(); // E12
    assert_eq!(read.user_sync_inbound, Some(UserSyncInbound { is_sync_allowed: Some(true) }));

    // A second create is refused (PUT is create-only) and says so.
    let err = client.create_identity_sync(&op, PARTNER_B, &policy).await.unwrap_err();
    assert!(matches!(err, GraphError::AlreadyExists { .. }), "{err:?}");

    // The partner cannot go while its policy exists; the error is Graph's, and nothing is lost.
    let err = client.delete_partner(&op, PARTNER_B).await.unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    assert!(emulator.partner(PARTNER_B).is_some());

    let patch = IdentitySyncPatch {
        user_sync_inbound: Patch::Set(UserSyncInbound { is_sync_allowed: Some(false) }),
        ..Default::default()
    };
    client.update_identity_sync(&op, PARTNER_B, &patch).await.unwrap(); // E13
    assert_eq!(emulator.identity_sync(PARTNER_B).unwrap()["userSyncInbound"], json!({"isSyncAllowed": false}));

    client.delete_identity_sync(&op, PARTNER_B).await.unwrap(); // E14
    assert!(client.fetch_identity_sync(&op, PARTNER_B).await.unwrap().is_none());
    client.delete_partner(&op, PARTNER_B).await.unwrap();
}

#[tokio::test]
async fn tenant_lookups() {
    let emulator = start_default();
    let client = client(&emulator);
    let op = op();
    let by_domain = client.find_tenant_by_domain(&op, "sso.osttra.com").await.unwrap().unwrap(); // E15
    assert_eq!(by_domain.display_name.as_deref(), Some("OSTTRA"));
    let by_id = client.find_tenant_by_id(&op, "07d2f395-f69c-43ab-88a2-b82f1151042d").await.unwrap().unwrap(); // E16
    assert_eq!(by_id.default_domain_name.as_deref(), Some("truesecdetect.io"));
    assert!(client.find_tenant_by_domain(&op, "nowhere.example").await.unwrap().is_none());
    assert!(client.find_tenant_by_id(&op, "00000000-0000-0000-0000-000000000001").await.unwrap().is_none());
}

#[tokio::test]
async fn listing_follows_next_links_across_pages() {
    let emulator = start(entra_graph_emulator::EmulatorConfig::default().with_page_size(3));
    for n in 0..8 {
        emulator.create_partner(json!({"tenantId": tenant(n)})).unwrap();
    }
    emulator
        .put_identity_sync(&tenant(4), json!({"displayName": "four", "userSyncInbound": {"isSyncAllowed": true}}))
        .unwrap();
    // Without $top the emulator's page size applies, as Graph's own would.
    let options = entra_graph::GraphClientOptions { partner_page_size: None, ..fast_options(&emulator) };
    let client = entra_graph::GraphClient::new(&secret_settings(&emulator), options).unwrap();
    emulator.reset_stats();
    let partners = client.list_partners(&op()).await.unwrap();
    let mut ids: Vec<String> = partners.iter().map(|p| p.tenant_id.clone()).collect();
    ids.sort();
    assert_eq!(ids, (0..8).map(tenant).collect::<Vec<_>>());
    let four = partners.iter().find(|p| p.tenant_id == tenant(4)).unwrap();
    assert_eq!(
        four.identity_synchronization.as_ref().unwrap().display_name.as_deref(),
        Some("four"),
        "$expand was sent"
    );
    assert_eq!(emulator.stats().count("GET /policies/crossTenantAccessPolicy/partners"), 3, "8 partners in pages of 3");
}

#[tokio::test]
async fn the_default_takes_complete_settings_with_unset_nested_values() {
    // What the default resource sends: whole top-level settings, where unset nested values are JSON null.
    let emulator = start_default();
    let client = client(&emulator);
    let op = op();
    let patch = properties(json!({
        "tenantRestrictions": {"usersAndGroups": all_users("blocked"), "applications": all_apps("blocked"), "devices": null},
        "invitationRedemptionIdentityProviderConfiguration": {
            "primaryIdentityProviderPrecedenceOrder": ["externalFederation", "azureActiveDirectory", "socialIdentityProviders"],
            "fallbackIdentityProvider": "emailOneTimePasscode"
        }
    }));
    client.update_default(&op, &patch).await.unwrap();
    let read = client.get_default(&op).await.unwrap();
    assert_eq!(read.setting("tenantRestrictions"), patch.get("tenantRestrictions"));
    assert_eq!(
        read.setting("invitationRedemptionIdentityProviderConfiguration"),
        patch.get("invitationRedemptionIdentityProviderConfiguration")
    );
}

#[tokio::test]
async fn a_read_only_application_gets_a_clear_permission_error_on_writes() {
    let emulator = start_default();
    let reader_id = "5a0e4d2c-8b1f-4c3e-9d7a-6f5e4d3c2b1a";
    emulator
        .add_app(entra_graph_emulator::AppRegistration::with_secret(
            reader_id,
            "reader-secret",
            &[entra_graph_emulator::ROLE_POLICY_READ_ALL],
        ))
        .unwrap();
    let settings = entra_graph::auth::AuthSettings {
        client_id: Some(reader_id.into()),
        client_secret: Some("reader-secret".into()),
        ..emulator_endpoints(&emulator)
    };
    let client = client_with(&emulator, &settings);
    let op = op();
    client.get_default(&op).await.expect("Policy.Read.All can read");
    let err = client.reset_default(&op).await.unwrap_err();
    assert!(err.is_forbidden(), "{err:?}");
    assert_eq!(err.code(), Some("Authorization_RequestDenied"));
    assert!(err.to_string().contains("Insufficient privileges to complete the operation."), "{err}");
}
