//! Secrets, tokens and assertions never reach the logs, even at TRACE: every credential flow runs with a TRACE
//! subscriber capturing all targets (this crate, azure_identity, azure_core, reqwest, hyper, rustls), and the
//! captured text is searched for every secret involved.

mod common;

use base64::Engine as _;
use common::*;
use entra_graph::auth::AuthSettings;
use entra_graph::models::*;
use entra_graph_emulator::{ClientCertificate, EmulatorConfig};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn no_secret_token_or_assertion_is_logged_at_trace() {
    let capture = Capture::default();
    // The emulator is test scaffolding running in this process; only the client's side is under test.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace,entra_graph_emulator=off"))
        .with_writer(capture.clone())
        .with_ansi(false)
        .init();

    let emulator = start(EmulatorConfig {
        managed_identity_http_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..EmulatorConfig::default()
    });
    let op = op();
    let mut secrets: Vec<String> = vec![
        emulator.client_secret().to_owned(),
        emulator.github_oidc_request_token().to_owned(),
        emulator.ado_system_access_token().to_owned(),
    ];

    // Client secret, with a full write/read flow so request and response bodies are traced.
    let client = client(&emulator);
    client.create_partner(&op, PARTNER_A, &Properties::new()).await.unwrap();
    client.partner(&op, PARTNER_A).await.unwrap();
    client.get_default(&op).await.unwrap();

    // A failing secret: the error path must not echo it either.
    let wrong = AuthSettings { client_secret: Some("wrong-secret-value-123".into()), ..secret_settings(&emulator) };
    secrets.push("wrong-secret-value-123".into());
    client_with(&emulator, &wrong).check_credentials(&op).await.unwrap_err();

    // Client certificate (PKCS#12 with a password): the signed assertion must not appear.
    let certificate = ClientCertificate::generate("logging test").unwrap();
    emulator.add_client_certificate(emulator.client_id(), &certificate.certificate_pem).unwrap();
    let pem = format!("{}{}", certificate.certificate_pem, certificate.private_key_pem);
    let settings = AuthSettings {
        client_id: Some(emulator.client_id().into()),
        client_certificate: Some(base64::engine::general_purpose::STANDARD.encode(&pem)),
        ..emulator_endpoints(&emulator)
    };
    client_with(&emulator, &settings).get_policy(&op).await.unwrap();

    // OIDC: a given token, GitHub's request flow and Azure DevOps' request flow.
    let oidc = AuthSettings {
        client_id: Some(emulator.client_id().into()),
        use_oidc: Some(true),
        ..emulator_endpoints(&emulator)
    };
    let token = emulator.mint_federated_token("logging");
    secrets.push(token.clone());
    client_with(&emulator, &AuthSettings { oidc_token: Some(token), ..oidc.clone() }).get_policy(&op).await.unwrap();
    let github = AuthSettings {
        oidc_request_url: Some(emulator.github_oidc_request_url()),
        oidc_request_token: Some(emulator.github_oidc_request_token().into()),
        ..oidc.clone()
    };
    client_with(&emulator, &github).get_policy(&op).await.unwrap();
    let ado = AuthSettings {
        ado_pipeline_service_connection_id: Some("svc".into()),
        oidc_request_url: Some(emulator.ado_oidc_request_url()),
        oidc_request_token: Some(emulator.ado_system_access_token().into()),
        ..oidc
    };
    client_with(&emulator, &ado).get_policy(&op).await.unwrap();

    // Managed identity over plain http.
    let msi = AuthSettings {
        use_msi: Some(true),
        msi_endpoint: Some(format!(
            "{}/metadata/identity/oauth2/token",
            emulator.managed_identity_http_endpoint().unwrap()
        )),
        ..emulator_endpoints(&emulator)
    };
    client_with(&emulator, &msi).get_policy(&op).await.unwrap();

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    // The capture really is at TRACE and covers the flows.
    assert!(logs.contains("Graph response body"), "TRACE bodies were not captured");
    assert!(logs.contains("identity request"), "token requests were not captured");
    assert!(logs.contains("client_request_id="), "request ids are logged");

    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "a secret appears in the logs: {secret}");
    }
    // Access tokens from the emulator start with "emu."; ID tokens and client assertions are JWTs ("eyJ…").
    assert!(!logs.contains("emu."), "an access token appears in the logs");
    assert!(!logs.contains("eyJ"), "a JWT (ID token or client assertion) appears in the logs");
    assert!(!logs.contains("PRIVATE KEY"), "key material appears in the logs");
    assert!(!logs.to_ascii_lowercase().contains("bearer "), "an Authorization header appears in the logs");
}
