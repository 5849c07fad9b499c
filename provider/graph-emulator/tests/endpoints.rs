//! Every Graph endpoint E1–E22 over real HTTPS: status codes, bodies, `@odata.context`, headers, and the
//! graph-api.md §5 examples returned identical in content.

mod common;

use common::{Harness, PARTNERS, TENANT_A, TENANT_B};
use entra_graph_emulator::{EmulatorConfig, TenantRestrictionsFixture};
use reqwest::Method;
use serde_json::{Value, json};

const POLICY: &str = "/v1.0/policies/crossTenantAccessPolicy";
const DEFAULT: &str = "/v1.0/policies/crossTenantAccessPolicy/default";
const PARTNER_TEMPLATE: &str =
    "/v1.0/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration";
const SYNC_TEMPLATE: &str =
    "/v1.0/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization";

/// graph-api.md §5.1, verbatim.
fn fresh_default_example() -> Value {
    json!({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity",
      "id": "895e3c89-2715-4624-9715-6a86227312eb",
      "isServiceDefault": true,
      "inboundTrust": {
        "isMfaAccepted": false, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false
      },
      "b2bCollaborationOutbound": {
        "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications":   {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
      },
      "b2bCollaborationInbound": {
        "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications":   {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
      },
      "b2bDirectConnectOutbound": {
        "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications":   {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}
      },
      "b2bDirectConnectInbound": {
        "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications":   {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}
      },
      "automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false},
      "tenantRestrictions": {
        "devices": null,
        "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications":   {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}
      },
      "invitationRedemptionIdentityProviderConfiguration": {
        "primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory", "externalFederation", "socialIdentityProviders"],
        "fallbackIdentityProvider": "defaultConfiguredIdp"
      },
      "m365CollaborationInbound": {
        "users": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]}
      },
      "m365CollaborationOutbound": {
        "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]}
      },
      "appServiceConnectInbound": {
        "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}
      }
    })
}

/// graph-api.md §5.3, verbatim.
fn full_partner_example() -> Value {
    json!({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/partners/$entity",
      "tenantId": "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a",
      "isServiceProvider": false,
      "isInMultiTenantOrganization": false,
      "inboundTrust": {
        "isMfaAccepted": true, "isCompliantDeviceAccepted": true, "isHybridAzureADJoinedDeviceAccepted": false
      },
      "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": true},
      "b2bCollaborationInbound": {
        "usersAndGroups": {
          "accessType": "allowed",
          "targets": [{"target": "a1b2c3d4-0000-0000-0000-00000000aaaa", "targetType": "group"}]
        },
        "applications":   {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
      },
      "b2bCollaborationOutbound": {
        "usersAndGroups": {
          "accessType": "allowed",
          "targets": [{"target": "6f546279-4da5-4b53-a095-09ea0cef9971", "targetType": "group"}]
        },
        "applications":   {"accessType": "allowed", "targets": [{"target": "Office365", "targetType": "application"}]}
      },
      "b2bDirectConnectInbound": {
        "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications":   {"accessType": "allowed", "targets": [{"target": "Office365", "targetType": "application"}]}
      },
      "b2bDirectConnectOutbound": {
        "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications":   {"accessType": "allowed", "targets": [{"target": "Office365", "targetType": "application"}]}
      },
      "tenantRestrictions": {
        "devices": {"mode": "allowed", "rule": "device.deviceAttribute2 -eq 'PrivilegedAccessWorkstation'"},
        "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications":   {"accessType": "allowed", "targets": [{"target": "Office365", "targetType": "application"}]}
      },
      "m365CollaborationInbound": {
        "users": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]}
      },
      "m365CollaborationOutbound": {
        "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]}
      },
      "appServiceConnectInbound": {
        "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
      }
    })
}

/// The top-level keys of a JSON text in order (the emulator promises the documented key order).
fn top_level_keys(text: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(text).unwrap();
    let mut keys: Vec<(usize, String)> =
        value.as_object().unwrap().keys().map(|k| (text.find(&format!("\"{k}\":")).unwrap(), k.clone())).collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

#[tokio::test]
async fn e1_root_policy_is_flat_with_the_documented_context() {
    let h = Harness::default().await;
    let reply = h.get(POLICY).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        h.as_graph(&reply.json),
        json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/$entity",
            "id": "895e3c89-2715-4624-9715-6a86227312eb",
            "displayName": format!("CrossTenantAccessPolicy for {}", h.emulator.tenant_id()),
            "allowedCloudEndpoints": []
        })
    );
    assert_eq!(top_level_keys(&reply.text), ["@odata.context", "id", "displayName", "allowedCloudEndpoints"]);
}

#[tokio::test]
async fn e2_patch_root_policy_returns_204_and_persists() {
    let h = Harness::default().await;
    let reply = h.patch(POLICY, &json!({"allowedCloudEndpoints": ["microsoftonline.us"], "displayName": "x"})).await;
    assert_eq!(reply.status, 204);
    assert!(reply.text.is_empty());
    let policy = h.get(POLICY).await.json;
    assert_eq!(policy["allowedCloudEndpoints"], json!(["microsoftonline.us"]));
    assert_eq!(policy["displayName"], "x");
    assert_eq!(h.patch(POLICY, &json!({"allowedCloudEndpoints": []})).await.status, 204);
    assert_eq!(h.get(POLICY).await.json["allowedCloudEndpoints"], json!([]));
}

#[tokio::test]
async fn e3_fresh_default_matches_the_section_5_1_example_in_content_and_order() {
    let h = Harness::default().await;
    let reply = h.get(DEFAULT).await;
    assert_eq!(reply.status, 200);
    assert_eq!(h.as_graph(&reply.json), fresh_default_example());
    assert_eq!(
        top_level_keys(&reply.text),
        [
            "@odata.context",
            "id",
            "isServiceDefault",
            "inboundTrust",
            "b2bCollaborationOutbound",
            "b2bCollaborationInbound",
            "b2bDirectConnectOutbound",
            "b2bDirectConnectInbound",
            "automaticUserConsentSettings",
            "tenantRestrictions",
            "invitationRedemptionIdentityProviderConfiguration",
            "m365CollaborationInbound",
            "m365CollaborationOutbound",
            "appServiceConnectInbound"
        ]
    );
    // Inside a b2bSetting the order is usersAndGroups, then applications.
    let setting = &reply.text[reply.text.find("\"b2bCollaborationOutbound\"").unwrap()..];
    assert!(setting.find("usersAndGroups").unwrap() < setting.find("applications").unwrap());
}

#[tokio::test]
async fn default_tenant_restrictions_fixture_can_be_null() {
    let config =
        EmulatorConfig { default_tenant_restrictions: TenantRestrictionsFixture::Null, ..EmulatorConfig::default() };
    let h = Harness::start(config).await;
    assert_eq!(h.get(DEFAULT).await.json["tenantRestrictions"], Value::Null);
}

#[tokio::test]
async fn e4_patch_default_flips_is_service_default_and_e5_reset_restores_the_fixture() {
    let h = Harness::default().await;
    let trust = json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false});
    let reply = h.patch(DEFAULT, &json!({"inboundTrust": trust})).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    let default = h.get(DEFAULT).await.json;
    assert_eq!(default["isServiceDefault"], false);
    assert_eq!(default["inboundTrust"], trust);

    let reply = h.request(Method::POST, &format!("{DEFAULT}/resetToSystemDefault"), None).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert_eq!(h.as_graph(&h.get(DEFAULT).await.json), fresh_default_example());
    // The namespace-qualified action name works too, and `{}` is accepted as an empty body.
    let reply = h.post(&format!("{DEFAULT}/microsoft.graph.resetToSystemDefault"), &json!({})).await;
    assert_eq!(reply.status, 204);
    let reply = h.post(&format!("{DEFAULT}/resetToSystemDefault"), &json!({"force": true})).await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn e6_empty_partner_list_matches_the_capture() {
    let h = Harness::default().await;
    let reply = h.get(PARTNERS).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        h.as_graph(&reply.json),
        json!({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/partners","value":[]})
    );
}

#[tokio::test]
async fn e7_create_returns_201_location_and_every_property_with_nulls() {
    let h = Harness::default().await;
    let reply = h.post(PARTNERS, &json!({"tenantId": TENANT_A.to_uppercase()})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.header("location").unwrap(), format!("{}{PARTNERS}/{TENANT_A}", h.emulator.endpoint()));
    assert_eq!(
        h.as_graph(&reply.json),
        json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/partners/$entity",
            "tenantId": TENANT_A,
            "isServiceProvider": null,
            "isInMultiTenantOrganization": false,
            "inboundTrust": null,
            "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null},
            "b2bCollaborationInbound": null,
            "b2bCollaborationOutbound": null,
            "b2bDirectConnectInbound": null,
            "b2bDirectConnectOutbound": null,
            "tenantRestrictions": null,
            "m365CollaborationInbound": null,
            "m365CollaborationOutbound": null,
            "appServiceConnectInbound": null
        })
    );
    let duplicate = h.post(PARTNERS, &json!({"tenantId": TENANT_A})).await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(duplicate.error_code(), "Request_MultipleObjectsWithSameKeyValue");
    assert_eq!(duplicate.error_message(), "Another object with the same value for property tenantId already exists.");
}

#[tokio::test]
async fn e7_e8_full_partner_matches_the_section_5_3_example() {
    let h = Harness::default().await;
    let mut body = full_partner_example();
    body.as_object_mut().unwrap().remove("@odata.context");
    body.as_object_mut().unwrap().remove("isServiceProvider");
    body.as_object_mut().unwrap().remove("isInMultiTenantOrganization");
    let created = h.post(PARTNERS, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    // isServiceProvider is server-computed; the example shows false, so set it the way the service would.
    h.emulator.patch_partner(TENANT_A, json!({"isServiceProvider": false})).unwrap();
    let reply = h.get(&format!("{PARTNERS}/{TENANT_A}")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(h.as_graph(&reply.json), full_partner_example());
    let keys = top_level_keys(&reply.text);
    let expected: Vec<String> = full_partner_example().as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys.len(), expected.len());
    assert_eq!(
        keys,
        [
            "@odata.context",
            "tenantId",
            "isServiceProvider",
            "isInMultiTenantOrganization",
            "inboundTrust",
            "automaticUserConsentSettings",
            "b2bCollaborationInbound",
            "b2bCollaborationOutbound",
            "b2bDirectConnectInbound",
            "b2bDirectConnectOutbound",
            "tenantRestrictions",
            "m365CollaborationInbound",
            "m365CollaborationOutbound",
            "appServiceConnectInbound"
        ]
    );
}

#[tokio::test]
async fn e8_keys_in_both_syntaxes_and_any_case() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    for path in [
        format!("{PARTNERS}/{TENANT_A}"),
        format!("{PARTNERS}/{}", TENANT_A.to_uppercase()),
        format!("{PARTNERS}('{TENANT_A}')"),
        format!("{PARTNERS}(%27{}%27)", TENANT_A.to_uppercase()),
        format!("{PARTNERS}(tenantId='{TENANT_A}')"),
    ] {
        let reply = h.get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        assert_eq!(reply.json["tenantId"], TENANT_A);
    }
    let missing = h.get(&format!("{PARTNERS}/{TENANT_B}")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error_code(), "Request_ResourceNotFound");
    assert_eq!(
        missing.error_message(),
        format!(
            "Resource '{TENANT_B}' does not exist or one of its queried reference-property objects are not present."
        )
    );
}

#[tokio::test]
async fn e9_patch_replaces_named_properties_and_null_resets() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    let path = format!("{PARTNERS}/{TENANT_A}");
    let trust =
        json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": null, "isHybridAzureADJoinedDeviceAccepted": false});
    let consent = json!({"inboundAllowed": true, "outboundAllowed": false});
    let reply = h.patch(&path, &json!({"inboundTrust": trust, "automaticUserConsentSettings": consent})).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    let partner = h.get(&path).await.json;
    assert_eq!(partner["inboundTrust"], trust);
    assert_eq!(partner["automaticUserConsentSettings"], consent);
    // Omitted properties keep their values; an explicit null goes back to "inherit".
    let reply = h.patch(&path, &json!({"inboundTrust": null})).await;
    assert_eq!(reply.status, 204);
    let partner = h.get(&path).await.json;
    assert_eq!(partner["inboundTrust"], Value::Null);
    assert_eq!(partner["automaticUserConsentSettings"], consent);
    let reply = h.patch(&path, &json!({"automaticUserConsentSettings": null})).await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        h.get(&path).await.json["automaticUserConsentSettings"],
        json!({"inboundAllowed": null, "outboundAllowed": null})
    );

    let missing = h.patch(&format!("{PARTNERS}/{TENANT_B}"), &json!({"inboundTrust": null})).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error_code(), "Directory_ObjectNotFound");
    assert_eq!(missing.error_message(), "Unable to read the company information from the directory.");
}

#[tokio::test]
async fn e10_delete_returns_204_then_404() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    let path = format!("{PARTNERS}('{TENANT_A}')");
    assert_eq!(h.delete(&path).await.status, 204);
    assert_eq!(h.get(&path).await.status, 404);
    let again = h.delete(&path).await;
    assert_eq!(again.status, 404);
    assert_eq!(again.error_code(), "Request_ResourceNotFound");
}

#[tokio::test]
async fn e11_to_e14_identity_synchronization_lifecycle() {
    let h = Harness::default().await;
    let sync = format!("{PARTNERS}/{TENANT_A}/identitySynchronization");
    // The partner must exist first.
    let orphan = h.put(&sync, &json!({"userSyncInbound": {"isSyncAllowed": true}})).await;
    assert_eq!(orphan.status, 404);
    h.create_partner(TENANT_A).await;
    assert_eq!(h.get(&sync).await.status, 404);
    let patch_missing = h.patch(&sync, &json!({"displayName": "x"})).await;
    assert_eq!(patch_missing.status, 404);
    assert_eq!(patch_missing.error_code(), "Directory_ObjectNotFound");

    let created = h.put(&sync, &json!({"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": true}})).await;
    assert_eq!(created.status, 204, "{}", created.text);
    assert!(created.text.is_empty());
    let reply = h.get(&sync).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        h.as_graph(&reply.json),
        json!({
            "@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/partners('{TENANT_A}')/identitySynchronization/$entity"),
            "tenantId": TENANT_A,
            "displayName": "Fabrikam",
            "userSyncInbound": {"isSyncAllowed": true}
        })
    );
    // PUT is create-only (quirk Q5).
    let again = h.put(&sync, &json!({"userSyncInbound": {"isSyncAllowed": false}})).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.error_code(), "Request_MultipleObjectsWithSameKeyValue");
    assert_eq!(
        again.json["error"]["details"],
        json!([{"code": "ConflictingObjects", "message": "A conflicting object with one or more of the specified property values is present in the directory."}])
    );
    assert_eq!(h.patch(&sync, &json!({"userSyncInbound": {"isSyncAllowed": false}})).await.status, 204);
    let reply = h.get(&format!("{PARTNERS}('{TENANT_A}')/identitySynchronization")).await;
    assert_eq!(reply.json["userSyncInbound"], json!({"isSyncAllowed": false}));
    assert_eq!(reply.json["displayName"], "Fabrikam");
    assert_eq!(h.delete(&sync).await.status, 204);
    assert_eq!(h.delete(&sync).await.status, 404);
    assert_eq!(h.get(&sync).await.status, 404);
}

#[tokio::test]
async fn e15_e16_tenant_lookup() {
    let h = Harness::default().await;
    let reply = h.get("/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='contoso.com')").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        h.as_graph(&reply.json),
        json!({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.tenantInformation",
               "tenantId":"6babcaad-604b-40ac-a9d7-9fd97c0b779f","federationBrandName":null,
               "displayName":"Contoso, Ltd","defaultDomainName":"CONTOSO18839.onmicrosoft.com"})
    );
    assert_eq!(
        top_level_keys(&reply.text),
        ["@odata.context", "tenantId", "federationBrandName", "displayName", "defaultDomainName"]
    );
    let truesec =
        h.get("/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='truesecdetect.io')").await;
    assert_eq!(truesec.json["tenantId"], "07d2f395-f69c-43ab-88a2-b82f1151042d");
    assert_eq!(truesec.json["displayName"], "Truesec Detect AB");
    let osttra =
        h.get("/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName=%27sso.osttra.com%27)").await;
    assert_eq!(osttra.json["displayName"], "OSTTRA");
    let by_id = h
        .get("/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='07D2F395-F69C-43AB-88A2-B82F1151042D')")
        .await;
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.json["defaultDomainName"], "truesecdetect.io");
    let unknown =
        h.get("/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='nowhere.example')").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), "Request_ResourceNotFound");
    let unknown_id =
        h.get(&format!("/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{TENANT_A}')")).await;
    assert_eq!(unknown_id.status, 404);
    let not_guid = h.get("/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='contoso')").await;
    assert_eq!(not_guid.status, 400);
    let own = h
        .get(&format!(
            "/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{}')",
            h.emulator.tenant_id()
        ))
        .await;
    assert_eq!(own.status, 200);
}

#[tokio::test]
async fn e17_to_e19_partner_template() {
    let h = Harness::default().await;
    let reply = h.get(PARTNER_TEMPLATE).await;
    assert_eq!(reply.status, 200);
    let reset_state = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration/$entity",
        "id": reply.json["id"],
        "templateApplicationLevel": "newPartners,existingPartners",
        "inboundTrust": null, "b2bCollaborationOutbound": null, "b2bCollaborationInbound": null,
        "b2bDirectConnectOutbound": null, "b2bDirectConnectInbound": null,
        "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null}
    });
    assert_eq!(h.as_graph(&reply.json), reset_state);
    assert!(reply.json["id"].as_str().unwrap().starts_with("75b1889b-"));
    let patch = json!({"templateApplicationLevel": "newPartners", "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": true}});
    assert_eq!(h.patch(PARTNER_TEMPLATE, &patch).await.status, 204);
    let changed = h.get(PARTNER_TEMPLATE).await.json;
    assert_eq!(changed["templateApplicationLevel"], "newPartners");
    assert_eq!(changed["automaticUserConsentSettings"], json!({"inboundAllowed": true, "outboundAllowed": true}));
    let null_level = h.patch(PARTNER_TEMPLATE, &json!({"templateApplicationLevel": null})).await;
    assert_eq!(null_level.status, 400);
    assert_eq!(h.post(&format!("{PARTNER_TEMPLATE}/resetToDefaultSettings"), &json!({})).await.status, 204);
    assert_eq!(h.as_graph(&h.get(PARTNER_TEMPLATE).await.json), reset_state);
}

#[tokio::test]
async fn e20_to_e22_identity_sync_template() {
    let h = Harness::default().await;
    let reply = h.get(SYNC_TEMPLATE).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json["templateApplicationLevel"], "newPartners,existingPartners");
    assert_eq!(reply.json["userSyncInbound"], json!({"isSyncAllowed": null}));
    assert!(reply.json["id"].as_str().unwrap().starts_with("0e7aad84-"));
    assert_eq!(h.patch(SYNC_TEMPLATE, &json!({"userSyncInbound": {"isSyncAllowed": true}})).await.status, 204);
    assert_eq!(h.get(SYNC_TEMPLATE).await.json["userSyncInbound"], json!({"isSyncAllowed": true}));
    let reply = h.request(Method::POST, &format!("{SYNC_TEMPLATE}/resetToDefaultSettings"), None).await;
    assert_eq!(reply.status, 204);
    assert_eq!(h.get(SYNC_TEMPLATE).await.json["userSyncInbound"], json!({"isSyncAllowed": null}));
    assert_eq!(h.patch(SYNC_TEMPLATE, &json!({"id": "x"})).await.status, 400);
}

#[tokio::test]
async fn graph_headers_are_present_and_client_request_id_is_echoed() {
    let h = Harness::default().await;
    let response = h
        .http
        .get(h.url(POLICY))
        .bearer_auth(&h.token)
        .header("client-request-id", "4fc158f0-311c-4595-8a72-d79f36ad17b9")
        .send()
        .await
        .unwrap();
    let reply = common::reply(response).await;
    assert_eq!(reply.header("client-request-id"), Some("4fc158f0-311c-4595-8a72-d79f36ad17b9"));
    assert_eq!(reply.header("request-id").unwrap().len(), 36);
    assert_eq!(reply.header("odata-version"), Some("4.0"));
    assert_eq!(reply.header("cache-control"), Some("no-cache"));
    assert!(reply.header("strict-transport-security").is_some());
    assert!(reply.header("x-ms-ags-diagnostic").is_some());
    assert_eq!(reply.header("x-ms-resource-unit"), Some("1"));
    assert_eq!(
        reply.header("content-type"),
        Some("application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
    );
    // Errors carry the ids in innerError too.
    let error = h.get(&format!("{PARTNERS}/{TENANT_B}")).await;
    assert_eq!(error.json["error"]["innerError"]["request-id"], error.header("request-id").unwrap());
    assert!(error.json["error"]["innerError"]["date"].as_str().unwrap().len() == 19);
    // A generated client-request-id when the client sends none.
    assert_eq!(error.header("client-request-id").unwrap(), error.json["error"]["innerError"]["client-request-id"]);
}

#[tokio::test]
async fn beta_serves_the_same_resources_plus_beta_properties() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    let reply = h.get(&format!("/beta/policies/crossTenantAccessPolicy/partners/{TENANT_A}")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        h.as_graph(&reply.json)["@odata.context"],
        "https://graph.microsoft.com/beta/$metadata#policies/crossTenantAccessPolicy/partners/$entity"
    );
    assert_eq!(reply.json["deletedDateTime"], Value::Null);
    assert_eq!(h.get("/beta/policies/crossTenantAccessPolicy/default").await.status, 200);
}

#[tokio::test]
async fn beta_soft_deleted_partners_can_be_listed_restored_and_purged() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    h.create_partner(TENANT_B).await;
    assert_eq!(h.delete(&format!("{PARTNERS}/{TENANT_A}")).await.status, 204);
    assert_eq!(h.delete(&format!("{PARTNERS}/{TENANT_B}")).await.status, 204);
    // Not in v1.0.
    assert_eq!(h.get("/v1.0/policies/deletedItems/crossTenantPartners").await.status, 400);
    let list = h.get("/beta/policies/deletedItems/crossTenantPartners").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json["value"].as_array().unwrap().len(), 2);
    assert!(list.json["value"][0]["deletedDateTime"].is_string());
    let one = h.get(&format!("/beta/policies/deletedItems/crossTenantPartners/{TENANT_A}")).await;
    assert_eq!(one.status, 200);
    let restored = h
        .request(Method::POST, &format!("/beta/policies/deletedItems/crossTenantPartners/{TENANT_A}/restore"), None)
        .await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    assert_eq!(restored.json["tenantId"], TENANT_A);
    assert_eq!(h.get(&format!("{PARTNERS}/{TENANT_A}")).await.status, 200);
    assert_eq!(h.delete(&format!("/beta/policies/deletedItems/crossTenantPartners/{TENANT_B}")).await.status, 204);
    assert_eq!(h.get(&format!("/beta/policies/deletedItems/crossTenantPartners/{TENANT_B}")).await.status, 404);
    assert_eq!(h.get("/beta/policies/deletedItems/crossTenantSyncPolicyPartners").await.json["value"], json!([]));
}

#[tokio::test]
async fn unknown_segments_versions_and_methods() {
    let h = Harness::default().await;
    let unknown = h.get("/v1.0/policies/crossTenantAccessPolicy/nothing").await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.error_code(), "BadRequest");
    assert_eq!(unknown.error_message(), "Resource not found for the segment 'nothing'.");
    let version = h.get("/v2.0/policies/crossTenantAccessPolicy").await;
    assert_eq!(version.status, 400);
    assert_eq!(version.error_message(), "Invalid version: v2.0");
    let method = h.delete(DEFAULT).await;
    assert_eq!(method.status, 405);
    let method = h.request(Method::PUT, POLICY, Some(&json!({}))).await;
    assert_eq!(method.status, 405);
}
