//! Credential flows over HTTPS: client secret, certificate assertion, federated assertions from the emulator's OIDC
//! issuer (GitHub- and Azure DevOps-style request URLs, minted token files), managed identity (App Service and IMDS,
//! over HTTPS and plain HTTP), and Graph's 401 / 403 answers.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::{Harness, PARTNERS, TENANT_A};
use entra_graph_emulator::{
    AppRegistration, ClientCertificate, EmulatorConfig, ROLE_POLICY_READ_ALL, TOKEN_EXCHANGE_AUDIENCE,
};
use reqwest::Method;
use serde_json::{Value, json};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const POLICY: &str = "/v1.0/policies/crossTenantAccessPolicy";

async fn assertion_token(h: &Harness, client_id: &str, assertion: &str) -> common::Reply {
    h.token_request(&[
        ("client_id", client_id),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
        ("grant_type", "client_credentials"),
        ("scope", "https://graph.microsoft.com/.default"),
    ])
    .await
}

async fn graph_status_with(h: &Harness, token: &str) -> u16 {
    h.request_with_token(Method::GET, POLICY, None, Some(token)).await.status
}

#[tokio::test]
async fn client_secret_tokens_have_the_entra_shape() {
    let h = Harness::default().await;
    let reply = h
        .token_request(&[
            ("client_id", h.emulator.client_id()),
            ("client_secret", h.emulator.client_secret()),
            ("grant_type", "client_credentials"),
            ("scope", &h.emulator.graph_scope()),
        ])
        .await;
    assert_eq!(reply.status, 200);
    let keys: Vec<&String> = reply.json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["access_token", "expires_in", "ext_expires_in", "token_type"]);
    assert_eq!(reply.json["token_type"], "Bearer");
    assert_eq!(graph_status_with(&h, reply.json["access_token"].as_str().unwrap()).await, 200);
    for scope in [
        "https://graph.microsoft.us/.default",
        "https://microsoftgraph.chinacloudapi.cn/.default",
        "00000003-0000-0000-c000-000000000000/.default",
    ] {
        let reply = h
            .token_request(&[
                ("client_id", h.emulator.client_id()),
                ("client_secret", h.emulator.client_secret()),
                ("grant_type", "client_credentials"),
                ("scope", scope),
            ])
            .await;
        assert_eq!(graph_status_with(&h, reply.json["access_token"].as_str().unwrap()).await, 200, "{scope}");
    }
    let stats = h.emulator.stats();
    assert!(stats.token_requests >= 5);
    assert_eq!(stats.count("POST /{tenant}/oauth2/v2.0/token"), stats.token_requests);
    assert_eq!(stats.total, 4, "token requests are not Graph requests");
}

#[tokio::test]
async fn bad_client_secret_and_unknown_tenant() {
    let h = Harness::default().await;
    let reply = h
        .token_request(&[
            ("client_id", h.emulator.client_id()),
            ("client_secret", "wrong"),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json["error"], "invalid_client");
    assert_eq!(reply.json["error_codes"], json!([7000215]));
    assert!(
        reply.json["error_description"].as_str().unwrap().starts_with("AADSTS7000215: Invalid client secret provided.")
    );
    let wrong_tenant = h
        .http
        .post(h.url(&format!("/{TENANT_A}/oauth2/v2.0/token")))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let wrong_tenant = common::reply(wrong_tenant).await;
    assert_eq!(wrong_tenant.status, 400);
    assert_eq!(wrong_tenant.json["error_codes"], json!([90002]));
    let get = h.http.get(h.emulator.token_endpoint()).send().await.unwrap();
    assert_eq!(get.status(), 405);
}

#[tokio::test]
async fn certificate_assertions_registered_at_start_or_run_time() {
    let certificate = ClientCertificate::generate("app certificate").unwrap();
    let h =
        Harness::start(EmulatorConfig::default().with_client_certificate(certificate.certificate_pem.clone())).await;
    let assertion = certificate.sign_assertion(h.emulator.client_id(), &h.emulator.token_endpoint()).unwrap();
    let reply = assertion_token(&h, h.emulator.client_id(), &assertion).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(graph_status_with(&h, reply.json["access_token"].as_str().unwrap()).await, 200);
    // The localhost spelling of the token endpoint is an accepted audience too.
    let localhost = h.emulator.token_endpoint().replace("127.0.0.1", "localhost");
    let assertion = certificate.sign_assertion(h.emulator.client_id(), &localhost).unwrap();
    assert_eq!(assertion_token(&h, h.emulator.client_id(), &assertion).await.status, 200);

    let later = ClientCertificate::generate("added later").unwrap();
    let assertion = later.sign_assertion(h.emulator.client_id(), &h.emulator.token_endpoint()).unwrap();
    let rejected = assertion_token(&h, h.emulator.client_id(), &assertion).await;
    assert_eq!(rejected.status, 401);
    assert_eq!(rejected.json["error_codes"], json!([700027]));
    h.emulator.add_client_certificate(h.emulator.client_id(), &later.certificate_pem).unwrap();
    assert_eq!(assertion_token(&h, h.emulator.client_id(), &assertion).await.status, 200);
}

#[tokio::test]
async fn federated_tokens_from_the_github_style_request_url() {
    let h = Harness::default().await;
    let url = format!("{}&audience={}", h.emulator.github_oidc_request_url(), TOKEN_EXCHANGE_AUDIENCE);
    let response = h.http.get(&url).bearer_auth(h.emulator.github_oidc_request_token()).send().await.unwrap();
    let reply = common::reply(response).await;
    assert_eq!(reply.status, 200);
    let id_token = reply.json["value"].as_str().unwrap();
    let token = assertion_token(&h, h.emulator.client_id(), id_token).await;
    assert_eq!(token.status, 200, "{}", token.text);
    let denied = h.http.get(&url).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(denied.status(), 401);
    // An ID token for another audience is refused by the token endpoint.
    let other = format!("{}&audience=api://other", h.emulator.github_oidc_request_url());
    let response = h.http.get(&other).bearer_auth(h.emulator.github_oidc_request_token()).send().await.unwrap();
    let other_token = common::reply(response).await.json["value"].as_str().unwrap().to_owned();
    assert_eq!(assertion_token(&h, h.emulator.client_id(), &other_token).await.json["error_codes"], json!([700212]));
}

#[tokio::test]
async fn federated_tokens_from_the_azure_devops_style_request_url() {
    let h = Harness::default().await;
    let url = format!("{}?api-version=7.1&serviceConnectionId=conn-1", h.emulator.ado_oidc_request_url());
    let response = h
        .http
        .post(&url)
        .bearer_auth(h.emulator.ado_system_access_token())
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    let reply = common::reply(response).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let token = assertion_token(&h, h.emulator.client_id(), reply.json["oidcToken"].as_str().unwrap()).await;
    assert_eq!(token.status, 200);
}

#[tokio::test]
async fn minted_federated_tokens_for_workload_identity_files() {
    let h = Harness::default().await;
    let minted = h.emulator.mint_federated_token("system:serviceaccount:default:workload");
    assert_eq!(assertion_token(&h, h.emulator.client_id(), &minted).await.status, 200);
    let expired = h.emulator.mint_federated_token_with("x", TOKEN_EXCHANGE_AUDIENCE, Duration::ZERO);
    // Entra allows five minutes of clock skew, so a just-expired token is still accepted...
    assert_eq!(assertion_token(&h, h.emulator.client_id(), &expired).await.status, 200);
    // ...but an application that does not exist is refused.
    let unknown_app = assertion_token(&h, "00000000-0000-0000-0000-000000000001", &minted).await;
    assert_eq!(unknown_app.json["error_codes"], json!([700016]));
    // The admin surface mints too, and the issuer publishes its metadata.
    let response = h.http.post(h.url("/_emulator/oidc/mint")).json(&json!({"subject": "s"})).send().await.unwrap();
    let minted = common::reply(response).await.json["token"].as_str().unwrap().to_owned();
    assert_eq!(assertion_token(&h, h.emulator.client_id(), &minted).await.status, 200);
    let config =
        common::reply(h.http.get(h.url("/_emulator/oidc/.well-known/openid-configuration")).send().await.unwrap())
            .await;
    assert_eq!(config.json["issuer"], h.emulator.oidc_issuer());
    let jwks = common::reply(h.http.get(config.json["jwks_uri"].as_str().unwrap()).send().await.unwrap()).await;
    assert_eq!(jwks.json["keys"][0]["kty"], "RSA");
}

#[tokio::test]
async fn managed_identity_app_service_and_imds_styles() {
    let config = EmulatorConfig {
        managed_identity_http_listen: Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
        ..EmulatorConfig::default()
    };
    let h = Harness::start(config).await;
    let app_service = format!(
        "{}?api-version=2019-08-01&resource=https://graph.microsoft.com",
        h.emulator.managed_identity_endpoint()
    );
    let response = h
        .http
        .get(&app_service)
        .header("X-IDENTITY-HEADER", h.emulator.managed_identity_header())
        .send()
        .await
        .unwrap();
    let reply = common::reply(response).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.json["expires_on"].as_str().unwrap().parse::<u64>().is_ok());
    assert_eq!(reply.json["resource"], "https://graph.microsoft.com");
    assert_eq!(reply.json["client_id"], h.emulator.managed_identity_client_id());
    assert_eq!(graph_status_with(&h, reply.json["access_token"].as_str().unwrap()).await, 200);
    let denied = h.http.get(&app_service).header("X-IDENTITY-HEADER", "wrong").send().await.unwrap();
    assert_eq!(denied.status(), 401);

    let imds =
        format!("{}?api-version=2018-02-01&resource=https%3A%2F%2Fgraph.microsoft.com%2F", h.emulator.imds_endpoint());
    let response = h.http.get(&imds).header("Metadata", "true").send().await.unwrap();
    let reply = common::reply(response).await;
    assert_eq!(reply.status, 200);
    assert_eq!(graph_status_with(&h, reply.json["access_token"].as_str().unwrap()).await, 200);
    let no_metadata = common::reply(h.http.get(&imds).send().await.unwrap()).await;
    assert_eq!(no_metadata.status, 400);
    assert_eq!(no_metadata.json["error"], "invalid_request");

    // The plain-HTTP listener serves both styles and nothing else.
    let plain = h.emulator.managed_identity_http_endpoint().unwrap().to_owned();
    assert!(plain.starts_with("http://127.0.0.1:"));
    let client = reqwest::Client::new();
    let response = client
        .get(format!(
            "{plain}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://graph.microsoft.com"
        ))
        .header("Metadata", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = client
        .get(format!("{plain}/_emulator/msi/token?api-version=2019-08-01&resource=https://graph.microsoft.com"))
        .header("X-IDENTITY-HEADER", h.emulator.managed_identity_header())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        client.get(format!("{plain}/v1.0/policies/crossTenantAccessPolicy")).send().await.unwrap().status(),
        404
    );
    assert!(h.emulator.stats().tokens_issued >= 4);
}

#[tokio::test]
async fn graph_requires_a_valid_unexpired_graph_token() {
    let h = Harness::default().await;
    let missing = h.request_with_token(Method::GET, POLICY, None, None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.error_code(), "InvalidAuthenticationToken");
    assert_eq!(missing.error_message(), "Access token is empty.");
    assert!(missing.header("www-authenticate").unwrap().starts_with("Bearer"));
    let garbage = h.request_with_token(Method::GET, POLICY, None, Some("garbage")).await;
    assert_eq!(garbage.status, 401);
    assert_eq!(garbage.error_code(), "InvalidAuthenticationToken");
    let batch = h.request_with_token(Method::POST, "/v1.0/$batch", Some(&json!({"requests": []})), None).await;
    assert_eq!(batch.status, 401);
    // A token for another resource is refused.
    let arm = h
        .token_request(&[
            ("client_id", h.emulator.client_id()),
            ("client_secret", h.emulator.client_secret()),
            ("grant_type", "client_credentials"),
            ("scope", "https://management.azure.com/.default"),
        ])
        .await;
    let arm = h.request_with_token(Method::GET, POLICY, None, arm.json["access_token"].as_str()).await;
    assert_eq!(arm.status, 401);
    assert!(arm.error_message().contains("Invalid audience"));
    // Expiry, for refresh-before-expiry tests.
    h.emulator.set_token_lifetime(Duration::from_secs(1));
    let short = h.client_secret_token().await;
    assert_eq!(graph_status_with(&h, &short).await, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = h.request_with_token(Method::GET, POLICY, None, Some(&short)).await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.error_message(), "Lifetime validation failed, the token is expired.");
    // Revocation.
    assert_eq!(graph_status_with(&h, &h.token).await, 200);
    h.emulator.revoke_tokens();
    assert_eq!(graph_status_with(&h, &h.token).await, 401);
    let stats = h.emulator.stats();
    assert!(stats.errors_by_status[&401] >= 5);
}

#[tokio::test]
async fn a_read_only_application_gets_403_on_writes() {
    let h = Harness::default().await;
    h.emulator
        .add_app(AppRegistration::with_secret(
            "11111111-2222-3333-4444-555555555555",
            "reader-secret",
            &[ROLE_POLICY_READ_ALL],
        ))
        .unwrap();
    let reply = h
        .token_request(&[
            ("client_id", "11111111-2222-3333-4444-555555555555"),
            ("client_secret", "reader-secret"),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .await;
    let token = reply.json["access_token"].as_str().unwrap().to_owned();
    assert_eq!(h.request_with_token(Method::GET, PARTNERS, None, Some(&token)).await.status, 200);
    let write = h.request_with_token(Method::POST, PARTNERS, Some(&json!({"tenantId": TENANT_A})), Some(&token)).await;
    assert_eq!(write.status, 403);
    assert_eq!(write.error_code(), "Authorization_RequestDenied");
    assert_eq!(write.error_message(), "Insufficient privileges to complete the operation.");
    let lookup = h
        .request_with_token(
            Method::GET,
            "/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='contoso.com')",
            None,
            Some(&token),
        )
        .await;
    assert_eq!(lookup.status, 403);
    // Without permission checks everything is allowed.
    let open = Harness::start(EmulatorConfig { enforce_permissions: false, ..EmulatorConfig::default() }).await;
    open.emulator.add_app(AppRegistration::with_secret("11111111-2222-3333-4444-555555555555", "s", &[])).unwrap();
    let reply = open
        .token_request(&[
            ("client_id", "11111111-2222-3333-4444-555555555555"),
            ("client_secret", "s"),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .await;
    let token = reply.json["access_token"].as_str().unwrap();
    let write =
        open.request_with_token(Method::POST, PARTNERS, Some(&json!({"tenantId": TENANT_A})), Some(token)).await;
    assert_eq!(write.status, 201);
}

#[tokio::test]
async fn in_process_access_token_works_over_http() {
    let h = Harness::default().await;
    let token = h.emulator.access_token();
    assert_eq!(graph_status_with(&h, &token).await, 200);
    let value: Value = json!(h.emulator.stats().tokens_issued);
    assert!(value.as_u64().unwrap() >= 2);
}
