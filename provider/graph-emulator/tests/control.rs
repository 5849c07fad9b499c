//! The control surface: the in-process API and the same operations over HTTP under `/_emulator`.

mod common;

use std::time::Duration;

use common::{Harness, PARTNERS, TENANT_A, TENANT_B};
use entra_graph_emulator::{DirectoryTenant, Emulator, EmulatorConfig, Faults, ServerErrorFault, Stats};
use serde_json::{Value, json};

#[tokio::test]
async fn state_can_be_read_and_replaced_to_simulate_drift() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    let mut state = h.emulator.state();
    assert_eq!(state["partners"][TENANT_A]["tenantId"], TENANT_A);
    assert_eq!(state["default"]["isServiceDefault"], true);
    assert_eq!(state["policy"]["allowedCloudEndpoints"], json!([]));
    assert!(state["templates"]["multiTenantOrganizationPartnerConfiguration"].is_object());
    // Someone changes the partner in the portal.
    state["partners"][TENANT_A]["inboundTrust"] = json!({"isMfaAccepted": true});
    state["partners"][TENANT_A]["crossCloudMeetingConfiguration"] = json!({"inboundAllowed": true});
    h.emulator.set_state(state).unwrap();
    let partner = h.get(&format!("{PARTNERS}/{TENANT_A}")).await.json;
    assert_eq!(
        partner["inboundTrust"],
        json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": null, "isHybridAzureADJoinedDeviceAccepted": null})
    );
    assert_eq!(partner["crossCloudMeetingConfiguration"], json!({"inboundAllowed": true}), "unknown stored keys show");
    // Partial replacement keeps other sections; bad documents are refused.
    h.emulator.set_state(json!({"partners": []})).unwrap();
    assert_eq!(h.get(PARTNERS).await.json["value"], json!([]));
    assert_eq!(h.get("/v1.0/policies/crossTenantAccessPolicy/default").await.status, 200);
    assert!(h.emulator.set_state(json!({"partner": {}})).is_err());
    assert!(h.emulator.set_state(json!({"partners": [{"displayName": "no id"}]})).is_err());
}

#[tokio::test]
async fn out_of_band_objects_bypass_rules_and_faults() {
    let h = Harness::default().await;
    h.emulator.set_faults(Faults { service_unavailable: Some(ServerErrorFault::every_nth(1)), ..Faults::none() });
    let created =
        h.emulator.create_partner(json!({"tenantId": TENANT_A.to_uppercase(), "isServiceProvider": true})).unwrap();
    assert_eq!(created["tenantId"], TENANT_A);
    assert!(h.emulator.create_partner(json!({"tenantId": TENANT_A})).is_err());
    assert!(h.emulator.create_partner(json!({"tenantID": TENANT_B})).is_err(), "typos in tests fail loudly");
    h.emulator.patch_partner(TENANT_A, json!({"inboundTrust": {"isMfaAccepted": true}})).unwrap();
    h.emulator.put_identity_sync(TENANT_A, json!({"displayName": "A"})).unwrap();
    h.emulator.patch_identity_sync(TENANT_A, json!({"userSyncInbound": {"isSyncAllowed": true}})).unwrap();
    assert_eq!(h.emulator.identity_sync(TENANT_A).unwrap()["userSyncInbound"]["isSyncAllowed"], true);
    assert_eq!(h.emulator.partner(TENANT_A).unwrap()["inboundTrust"]["isMfaAccepted"], true);
    h.emulator.set_faults(Faults::none());
    assert_eq!(h.get(&format!("{PARTNERS}/{TENANT_A}/identitySynchronization")).await.json["displayName"], "A");
    h.emulator.delete_identity_sync(TENANT_A).unwrap();
    assert!(h.emulator.identity_sync(TENANT_A).is_none());
    h.emulator.put_identity_sync(TENANT_A, json!({})).unwrap();
    // Out-of-band delete ignores the lifecycle guards (service provider, sync policy).
    h.emulator.delete_partner(TENANT_A).unwrap();
    assert!(h.emulator.partner(TENANT_A).is_none());
    assert!(h.emulator.delete_partner(TENANT_A).is_err());
    assert!(h.emulator.put_identity_sync(TENANT_B, json!({})).is_err());
}

/// Graph's metadata declares a target's `target` and `targetType` nullable: the emulator holds and serves such a
/// target (seeded out of band, as a real tenant may return it), and its explicit nulls stay in every read.
#[tokio::test]
async fn a_partner_can_hold_a_target_with_nulls() {
    let h = Harness::default().await;
    let users = json!({"accessType": "allowed", "targets": [{"target": null, "targetType": null}, {"target": "AllUsers", "targetType": null}]});
    h.emulator
        .create_partner(json!({"tenantId": TENANT_A, "b2bCollaborationInbound": {"usersAndGroups": users}}))
        .unwrap();
    let partner = h.get(&format!("{PARTNERS}/{TENANT_A}")).await.json;
    assert_eq!(partner["b2bCollaborationInbound"]["usersAndGroups"], users);
    let listed = h.get(&format!("{PARTNERS}?$expand=identitySynchronization")).await.json;
    assert_eq!(listed["value"][0]["b2bCollaborationInbound"]["usersAndGroups"], users);
}

#[tokio::test]
async fn out_of_band_changes_are_visible_despite_lag() {
    let h = Harness::default().await;
    h.emulator.set_faults(Faults { read_after_write_lag_ms: 10_000, ..Faults::none() });
    h.emulator.create_partner(json!({"tenantId": TENANT_A})).unwrap();
    assert_eq!(h.get(&format!("{PARTNERS}/{TENANT_A}")).await.status, 200);
}

#[tokio::test]
async fn directory_tenants_can_be_registered() {
    let h = Harness::default().await;
    h.emulator
        .register_tenant(DirectoryTenant {
            tenant_id: TENANT_A.to_owned(),
            display_name: Some("Northwind".to_owned()),
            default_domain_name: Some("northwind.example".to_owned()),
            federation_brand_name: Some("Northwind Brand".to_owned()),
            domains: vec!["nw.example".to_owned()],
        })
        .unwrap();
    let reply = h.get("/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='nw.example')").await;
    assert_eq!(reply.json["tenantId"], TENANT_A);
    assert_eq!(reply.json["federationBrandName"], "Northwind Brand");
    assert!(
        h.emulator
            .register_tenant(DirectoryTenant {
                tenant_id: "x".to_owned(),
                display_name: None,
                default_domain_name: None,
                federation_brand_name: None,
                domains: vec![]
            })
            .is_err()
    );
}

#[tokio::test]
async fn reset_restores_everything_but_tokens() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    h.patch("/v1.0/policies/crossTenantAccessPolicy/default", &json!({"inboundTrust": {"isMfaAccepted": true}})).await;
    h.emulator.set_faults(Faults { latency_ms: 1, ..Faults::none() });
    h.emulator.set_page_size(1);
    h.emulator.reset();
    assert_eq!(h.emulator.stats(), Stats::default());
    assert_eq!(h.emulator.faults(), Faults::none());
    assert_eq!(h.get(PARTNERS).await.json["value"], json!([]));
    assert_eq!(h.get("/v1.0/policies/crossTenantAccessPolicy/default").await.json["isServiceDefault"], true);
    assert_eq!(h.emulator.stats().total, 2);
}

#[tokio::test]
async fn admin_surface_over_http() {
    let h = Harness::default().await;
    let admin = |path: &str| h.url(&format!("/_emulator{path}"));
    assert_eq!(common::reply(h.http.get(admin("/health")).send().await.unwrap()).await.json["status"], "ok");
    // Partners out of band.
    let created = h
        .http
        .post(admin("/partners"))
        .json(&json!({"tenantId": TENANT_A, "isServiceProvider": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let duplicate = h.http.post(admin("/partners")).json(&json!({"tenantId": TENANT_A})).send().await.unwrap();
    assert_eq!(duplicate.status(), 400);
    let patched = h
        .http
        .patch(admin(&format!("/partners/{TENANT_A}")))
        .json(&json!({"inboundTrust": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let one = common::reply(h.http.get(admin(&format!("/partners/{TENANT_A}"))).send().await.unwrap()).await;
    assert_eq!(one.json["isServiceProvider"], true);
    let sync = h
        .http
        .put(admin(&format!("/partners/{TENANT_A}/identitySynchronization")))
        .json(&json!({"displayName": "S"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sync.status(), 200);
    let sync = h
        .http
        .patch(admin(&format!("/partners/{TENANT_A}/identitySynchronization")))
        .json(&json!({"displayName": "T"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sync.status(), 200);
    let sync = common::reply(
        h.http.get(admin(&format!("/partners/{TENANT_A}/identitySynchronization"))).send().await.unwrap(),
    )
    .await;
    assert_eq!(sync.json["displayName"], "T");
    assert_eq!(
        h.http.delete(admin(&format!("/partners/{TENANT_A}/identitySynchronization"))).send().await.unwrap().status(),
        200
    );
    let list = common::reply(h.http.get(admin("/partners")).send().await.unwrap()).await;
    assert!(list.json[TENANT_A].is_object());
    assert_eq!(h.http.delete(admin(&format!("/partners/{TENANT_A}"))).send().await.unwrap().status(), 200);
    assert_eq!(h.http.get(admin(&format!("/partners/{TENANT_A}"))).send().await.unwrap().status(), 404);

    // Faults at run time, statistics, state.
    let faults = json!({"gateway_timeout": {"rule": {"trigger": {"kind": "always"}}}});
    assert_eq!(h.http.put(admin("/faults")).json(&faults).send().await.unwrap().status(), 204);
    assert_eq!(h.get(PARTNERS).await.status, 504);
    let read = common::reply(h.http.get(admin("/faults")).send().await.unwrap()).await;
    assert_eq!(read.json["gateway_timeout"]["rule"]["trigger"]["kind"], "always");
    assert_eq!(h.http.put(admin("/faults")).json(&json!({"nonsense": 1})).send().await.unwrap().status(), 400);
    assert_eq!(h.http.put(admin("/faults")).json(&json!({})).send().await.unwrap().status(), 204);
    let stats = common::reply(h.http.get(admin("/stats")).send().await.unwrap()).await;
    let stats: Stats = serde_json::from_value(stats.json).unwrap();
    assert_eq!(stats.errors_by_status[&504], 1);
    assert_eq!(h.http.delete(admin("/stats")).send().await.unwrap().status(), 204);
    assert_eq!(h.emulator.stats().total, 0);
    let mut state = common::reply(h.http.get(admin("/state")).send().await.unwrap()).await.json;
    state["policy"]["allowedCloudEndpoints"] = json!(["microsoftonline.us"]);
    assert_eq!(h.http.put(admin("/state")).json(&state).send().await.unwrap().status(), 204);
    assert_eq!(
        h.get("/v1.0/policies/crossTenantAccessPolicy").await.json["allowedCloudEndpoints"],
        json!(["microsoftonline.us"])
    );
    assert_eq!(
        h.http.put(admin("/state")).body("[").header("content-type", "application/json").send().await.unwrap().status(),
        400
    );

    // Directory tenants, apps, token revocation and reset.
    let tenant = json!({"tenantId": TENANT_B, "displayName": "B", "defaultDomainName": "b.example"});
    assert_eq!(h.http.post(admin("/tenants")).json(&tenant).send().await.unwrap().status(), 201);
    let tenants = common::reply(h.http.get(admin("/tenants")).send().await.unwrap()).await;
    assert!(tenants.json["tenants"].as_array().unwrap().iter().any(|t| t["tenantId"] == TENANT_B));
    let app = json!({"clientId": "22222222-0000-0000-0000-000000000000", "clientSecrets": ["s2"], "roles": ["Policy.Read.All"]});
    assert_eq!(h.http.post(admin("/apps")).json(&app).send().await.unwrap().status(), 201);
    let token = h
        .token_request(&[
            ("client_id", "22222222-0000-0000-0000-000000000000"),
            ("client_secret", "s2"),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .await;
    assert_eq!(token.status, 200);
    assert_eq!(h.http.post(admin("/reset")).send().await.unwrap().status(), 204);
    assert_eq!(h.get("/v1.0/policies/crossTenantAccessPolicy").await.json["allowedCloudEndpoints"], json!([]));
    assert_eq!(h.http.post(admin("/tokens/revoke")).send().await.unwrap().status(), 204);
    assert_eq!(h.get(PARTNERS).await.status, 401);
    assert_eq!(h.http.get(admin("/nothing")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn admin_key_protects_the_admin_surface_only() {
    let config = EmulatorConfig { admin_key: Some("k3y".to_owned()), ..EmulatorConfig::default() };
    let h = Harness::start(config).await;
    assert_eq!(h.http.get(h.url("/_emulator/stats")).send().await.unwrap().status(), 401);
    let ok = h.http.get(h.url("/_emulator/stats")).header("X-Emulator-Admin-Key", "k3y").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(h.http.get(h.url("/_emulator/health")).send().await.unwrap().status(), 200);
    assert_eq!(h.http.get(h.url("/_emulator/oidc/.well-known/jwks.json")).send().await.unwrap().status(), 200);
}

#[test]
fn works_from_synchronous_code_and_shuts_down() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let endpoint = emulator.endpoint().to_owned();
    let ca_file = emulator.ca_cert_file().to_owned();
    assert!(endpoint.starts_with("https://127.0.0.1:"));
    assert_eq!(std::fs::read_to_string(&ca_file).unwrap(), emulator.ca_cert_pem());
    assert!(emulator.ca_cert_pem().contains("BEGIN CERTIFICATE"));
    emulator.create_partner(json!({"tenantId": TENANT_A})).unwrap();
    assert_eq!(emulator.state()["partners"].as_object().unwrap().len(), 1);
    emulator.shutdown();
    assert!(!ca_file.exists(), "the temporary CA file is removed");
    let address = endpoint.trim_start_matches("https://");
    // The port is released: a new listener can bind it (retry briefly while the runtime winds down).
    let mut bound = false;
    for _ in 0..50 {
        if std::net::TcpListener::bind(address).is_ok() {
            bound = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(bound, "{address} is still in use");
}

#[test]
fn a_chosen_ca_file_is_written_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    let emulator =
        Emulator::start(EmulatorConfig { ca_cert_file: Some(path.clone()), ..EmulatorConfig::default() }).unwrap();
    assert_eq!(emulator.ca_cert_file(), path);
    drop(emulator);
    assert!(path.exists());
}

#[test]
fn invalid_configurations_are_refused_with_clear_errors() {
    let error =
        Emulator::start(EmulatorConfig { tenant_id: "contoso".to_owned(), ..EmulatorConfig::default() }).unwrap_err();
    assert!(error.to_string().contains("not a GUID"), "{error}");
    let error = Emulator::start(EmulatorConfig::default().with_service_provider_partner("nope")).unwrap_err();
    assert!(error.to_string().contains("nope"), "{error}");
    let error = Emulator::start(EmulatorConfig::default().with_client_certificate("not a pem")).unwrap_err();
    assert!(error.to_string().contains("certificate"), "{error}");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let error = Emulator::start(EmulatorConfig { listen: taken.local_addr().unwrap(), ..EmulatorConfig::default() })
        .unwrap_err();
    assert!(error.to_string().contains("cannot listen"), "{error}");
}

#[tokio::test]
async fn many_emulators_run_side_by_side() {
    let a = Harness::default().await;
    let b = Harness::default().await;
    a.create_partner(TENANT_A).await;
    assert_eq!(b.get(PARTNERS).await.json["value"], json!([]));
    assert_ne!(a.emulator.endpoint(), b.emulator.endpoint());
    // One emulator's token is not valid at another.
    assert_eq!(b.request_with_token(reqwest::Method::GET, PARTNERS, None, Some(&a.token)).await.status, 401);
    let _: Value = a.emulator.state();
}

#[tokio::test]
async fn the_readme_faults_example_is_valid() {
    let readme = include_str!("../README.md");
    let start = readme.find("-d '{").expect("the README has a faults example") + 4;
    let end = start + readme[start..].find("}'").unwrap() + 1;
    let faults: Faults = serde_json::from_str(&readme[start..end]).expect("the README's faults JSON parses");
    assert_eq!(faults.latency_ms, 50);
    assert_eq!(faults.malformed.len(), 1);
    let h = Harness::default().await;
    let response = h.http.put(h.url("/_emulator/faults")).body(readme[start..end].to_owned()).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(h.emulator.faults(), faults);
}
