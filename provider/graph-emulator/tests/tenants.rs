//! Several tenants in one emulator (interface.md §8, Wave 2): per-tenant credentials and token endpoints, tokens that
//! reach only their own tenant's data, per-tenant users and groups with fixed ids, the lookup functions knowing
//! every emulated tenant, and the control surface for the other tenants.

mod common;

use common::{Harness, PARTNERS, TENANT_A};
use entra_graph_emulator::{
    DEFAULT_TENANT_ID, DirectoryObjectFixture, EmulatorConfig, TenantConfig, emulated_tenant, parse_tenants,
};
use reqwest::Method;
use serde_json::json;

const SECOND_TENANT: &str = "7e4a0000-0000-4000-8000-000000000002";
const SECOND_CLIENT: &str = "c1e40000-0000-4000-8000-000000000002";
const ADELE_IN_FIRST: &str = "a5e40000-0001-4000-8000-000000000001";
const ADELE_IN_SECOND: &str = "a5e40000-0002-4000-8000-000000000001";
const SALES_IN_SECOND: &str = "96a00000-0002-4000-8000-000000000001";

#[tokio::test]
async fn the_default_emulator_hosts_two_tenants_with_fixed_ids() {
    let h = Harness::default().await;
    let tenants = h.emulator.tenants();
    assert_eq!(tenants.len(), 2);
    assert_eq!(tenants[0].tenant_id, DEFAULT_TENANT_ID);
    assert_eq!(tenants[0].client_id, h.emulator.client_id());
    assert_eq!(tenants[0].users[0].id, ADELE_IN_FIRST);
    assert_eq!(tenants[1], emulated_tenant(2));
    assert_eq!(tenants[1].tenant_id, SECOND_TENANT);
    assert_eq!(tenants[1].client_id, SECOND_CLIENT);
    assert_eq!(tenants[1].users[0], DirectoryObjectFixture::new(ADELE_IN_SECOND, "Adele Vance"));
    assert_eq!(tenants[1].groups[0], DirectoryObjectFixture::new(SALES_IN_SECOND, "Sales"));
    let second = h.emulator.tenant(1).unwrap();
    assert_eq!(second.tenant_id(), SECOND_TENANT);
    assert_eq!(h.emulator.tenant_by_id(&SECOND_TENANT.to_uppercase()).unwrap().client_id(), SECOND_CLIENT);
    assert!(h.emulator.tenant(2).is_none());
}

#[tokio::test]
async fn tokens_are_issued_per_tenant_with_that_tenants_credentials_only() {
    let h = Harness::default().await;
    let second = h.emulator.tenant(1).unwrap();
    let form = |client_id: &'static str, secret: &'static str| {
        [
            ("client_id", client_id),
            ("client_secret", secret),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ]
    };
    let second_secret: &'static str = Box::leak(second.client_secret().to_owned().into_boxed_str());
    let first_client: &'static str = Box::leak(h.emulator.client_id().to_owned().into_boxed_str());
    let first_secret: &'static str = Box::leak(h.emulator.client_secret().to_owned().into_boxed_str());

    let ok = common::reply(
        h.http.post(second.token_endpoint()).form(&form(SECOND_CLIENT, second_secret)).send().await.unwrap(),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);

    // The second tenant's application does not exist in the first tenant, and the other way round.
    let wrong = common::reply(
        h.http.post(h.emulator.token_endpoint()).form(&form(SECOND_CLIENT, second_secret)).send().await.unwrap(),
    )
    .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.json["error_codes"][0], 700016, "{}", wrong.text);
    assert!(wrong.json["error_description"].as_str().unwrap().contains(DEFAULT_TENANT_ID));
    let wrong = common::reply(
        h.http.post(second.token_endpoint()).form(&form(first_client, first_secret)).send().await.unwrap(),
    )
    .await;
    assert_eq!(wrong.json["error_codes"][0], 700016, "{}", wrong.text);
    assert!(wrong.json["error_description"].as_str().unwrap().contains(SECOND_TENANT));
}

#[tokio::test]
async fn a_token_reaches_only_its_own_tenants_data() {
    let h = Harness::default().await;
    let second_token = h.tenant_token(1).await;
    let second = h.emulator.tenant(1).unwrap();

    // A partner created with the second tenant's token lives in the second tenant only.
    let created = h.as_tenant(&second_token, Method::POST, PARTNERS, Some(&json!({"tenantId": TENANT_A}))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert!(second.partner(TENANT_A).is_some());
    assert!(h.emulator.partner(TENANT_A).is_none());
    let first_view = h.get(&format!("{PARTNERS}/{TENANT_A}")).await;
    assert_eq!(first_view.status, 404);
    assert_eq!(h.get(PARTNERS).await.json["value"], json!([]));
    let second_view = h.as_tenant(&second_token, Method::GET, PARTNERS, None).await;
    assert_eq!(second_view.json["value"][0]["tenantId"], TENANT_A);

    // The same tenant id can be a partner in both tenants, independently.
    h.create_partner(TENANT_A).await;
    let patch = json!({"automaticUserConsentSettings": {"inboundAllowed": true}});
    let patched = h.as_tenant(&second_token, Method::PATCH, &format!("{PARTNERS}/{TENANT_A}"), Some(&patch)).await;
    assert_eq!(patched.status, 204);
    assert_eq!(second.partner(TENANT_A).unwrap()["automaticUserConsentSettings"]["inboundAllowed"], true);
    assert_eq!(h.emulator.partner(TENANT_A).unwrap()["automaticUserConsentSettings"], serde_json::Value::Null);

    // Each tenant has its own root policy and default configuration.
    let policy = h.as_tenant(&second_token, Method::GET, "/v1.0/policies/crossTenantAccessPolicy", None).await;
    assert_eq!(policy.json["displayName"], format!("CrossTenantAccessPolicy for {SECOND_TENANT}"));
    let first_policy = h.get("/v1.0/policies/crossTenantAccessPolicy").await;
    assert_eq!(first_policy.json["displayName"], format!("CrossTenantAccessPolicy for {DEFAULT_TENANT_ID}"));
    let default = "/v1.0/policies/crossTenantAccessPolicy/default";
    let body = json!({"inboundTrust": {"isMfaAccepted": true}});
    assert_eq!(h.as_tenant(&second_token, Method::PATCH, default, Some(&body)).await.status, 204);
    assert_eq!(h.get(default).await.json["isServiceDefault"], true);
    assert_eq!(h.as_tenant(&second_token, Method::GET, default, None).await.json["isServiceDefault"], false);

    // $batch sub-requests stay in the caller's tenant.
    let batch =
        json!({"requests": [{"id": "1", "method": "GET", "url": "/policies/crossTenantAccessPolicy/partners"}]});
    let reply = h.as_tenant(&second_token, Method::POST, "/v1.0/$batch", Some(&batch)).await;
    assert_eq!(reply.json["responses"][0]["body"]["value"][0]["tenantId"], TENANT_A);
    assert_eq!(reply.json["responses"][0]["body"]["value"][0]["automaticUserConsentSettings"]["inboundAllowed"], true);
}

#[tokio::test]
async fn each_tenant_has_its_own_users_and_groups() {
    let h = Harness::default().await;
    let second_token = h.tenant_token(1).await;
    let users = h.as_tenant(&second_token, Method::GET, "/v1.0/users", None).await;
    assert_eq!(users.status, 200, "{}", users.text);
    let ids: Vec<&str> = users.json["value"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&ADELE_IN_SECOND));
    assert!(!ids.contains(&ADELE_IN_FIRST));
    let adele = h.as_tenant(&second_token, Method::GET, &format!("/v1.0/users/{ADELE_IN_SECOND}"), None).await;
    assert_eq!(adele.json["displayName"], "Adele Vance");
    assert_eq!(adele.json["userPrincipalName"], "adele.vance@emulator-2.onmicrosoft.com");
    assert_eq!(adele.json["jobTitle"], serde_json::Value::Null, "explicit nulls");
    assert!(adele.json["@odata.context"].as_str().unwrap().ends_with("/v1.0/$metadata#users/$entity"));
    let foreign = h.as_tenant(&second_token, Method::GET, &format!("/v1.0/users/{ADELE_IN_FIRST}"), None).await;
    assert_eq!(foreign.status, 404);
    assert_eq!(foreign.error_code(), "Request_ResourceNotFound");
    let sales = h.as_tenant(&second_token, Method::GET, &format!("/v1.0/groups/{SALES_IN_SECOND}"), None).await;
    assert_eq!(sales.json["displayName"], "Sales");
    assert_eq!(sales.json["securityEnabled"], true);
    assert_eq!(h.get(&format!("/v1.0/groups/{SALES_IN_SECOND}")).await.status, 404);
    assert_eq!(h.get("/v1.0/groups").await.json["value"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_lookup_functions_know_every_emulated_tenant() {
    let h = Harness::default().await;
    let by_id =
        h.get(&format!("/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{SECOND_TENANT}')")).await;
    assert_eq!(by_id.status, 200, "{}", by_id.text);
    assert_eq!(by_id.json["displayName"], "Emulated Tenant 2");
    assert_eq!(by_id.json["defaultDomainName"], "emulator-2.onmicrosoft.com");
    let by_domain = h
        .get("/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='emulator-2.onmicrosoft.com')")
        .await;
    assert_eq!(by_domain.json["tenantId"], SECOND_TENANT);
    let first = h
        .get(&format!("/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{DEFAULT_TENANT_ID}')"))
        .await;
    assert_eq!(first.json["displayName"], "Emulated Tenant");
}

#[tokio::test]
async fn the_number_and_list_of_tenants_can_be_chosen() {
    let h = Harness::start(EmulatorConfig::default().with_tenants(3)).await;
    assert_eq!(h.emulator.tenants().len(), 3);
    assert_eq!(h.emulator.tenant(2).unwrap().tenant_id(), "7e4a0000-0000-4000-8000-000000000003");
    h.tenant_token(2).await;
    let single = Harness::start(EmulatorConfig::default().with_tenants(1)).await;
    assert_eq!(single.emulator.tenants().len(), 1);

    let custom = TenantConfig {
        tenant_id: "11111111-2222-4333-8444-555555555555".to_owned(),
        client_id: "app".to_owned(),
        client_secret: "secret".to_owned(),
        display_name: "Northwind".to_owned(),
        default_domain_name: "northwind.example".to_owned(),
        users: vec![DirectoryObjectFixture::new("11111111-0000-4000-8000-000000000001", "Nancy Davolio")],
        groups: Vec::new(),
    };
    let config = EmulatorConfig::default().with_tenant_list(vec![emulated_tenant(5), custom.clone()]);
    let h = Harness::start(config).await;
    assert_eq!(h.emulator.tenant_id(), "7e4a0000-0000-4000-8000-000000000005");
    let token = h.tenant_token(1).await;
    let users = h.as_tenant(&token, Method::GET, "/v1.0/users", None).await;
    assert_eq!(users.json["value"][0]["userPrincipalName"], "nancy.davolio@northwind.example");

    let duplicate = EmulatorConfig::default().with_tenant_list(vec![custom.clone(), custom.clone()]);
    let error = entra_graph_emulator::Emulator::start(duplicate).unwrap_err();
    assert!(error.to_string().contains("emulated twice"), "{error}");
    let bad_user = TenantConfig { users: vec![DirectoryObjectFixture::new("nope", "X")], ..custom };
    let error =
        entra_graph_emulator::Emulator::start(EmulatorConfig::default().with_tenant_list(vec![bad_user])).unwrap_err();
    assert!(error.to_string().contains("'nope'"), "{error}");
}

#[test]
fn tenants_files_take_the_state_file_shape_or_a_list() {
    let tenant = emulated_tenant(2);
    let state_file = json!({"endpoint": "https://127.0.0.1:1", "tenants": [tenant]});
    assert_eq!(parse_tenants(&state_file.to_string()).unwrap(), vec![emulated_tenant(2)]);
    assert_eq!(parse_tenants(&json!([emulated_tenant(3)]).to_string()).unwrap()[0], emulated_tenant(3));
    assert!(parse_tenants("{}").unwrap_err().to_string().contains("'tenants'"));
    assert!(parse_tenants("[]").is_err());
    assert!(parse_tenants(r#"[{"tenant_id":"x","clientId":"y"}]"#).is_err(), "unknown keys are refused");
}

#[tokio::test]
async fn the_admin_surface_reaches_other_tenants_with_a_tenant_parameter() {
    let h = Harness::default().await;
    let admin = |path: &str| format!("{}/_emulator{path}", h.emulator.endpoint());
    let listed = common::reply(h.http.get(admin("/emulated-tenants")).send().await.unwrap()).await;
    assert_eq!(listed.json["tenants"][1]["tenant_id"], SECOND_TENANT);
    assert_eq!(listed.json["tenants"][1]["client_secret"], h.emulator.tenant(1).unwrap().client_secret());
    assert_eq!(listed.json["tenants"][1]["users"][0]["id"], ADELE_IN_SECOND);

    let created = h
        .http
        .post(admin(&format!("/partners?tenant={SECOND_TENANT}")))
        .json(&json!({"tenantId": TENANT_A}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert!(h.emulator.tenant(1).unwrap().partner(TENANT_A).is_some());
    assert!(h.emulator.partner(TENANT_A).is_none());
    let state = common::reply(h.http.get(admin(&format!("/state?tenant={SECOND_TENANT}"))).send().await.unwrap()).await;
    assert_eq!(state.json["partners"][TENANT_A]["tenantId"], TENANT_A);
    let unknown = h.http.get(admin("/state?tenant=00000000-0000-0000-0000-000000000000")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);

    // Reset restores every tenant.
    h.emulator.reset();
    assert!(h.emulator.tenant(1).unwrap().partner(TENANT_A).is_none());
}
