//! Every credential flow the emulator can serve, end to end: settings → selection → azure_identity (or the
//! hand-written parts) → token endpoint → an authenticated Graph call.

mod common;

use base64::Engine as _;
use common::*;
use entra_graph::auth::{AuthSettings, CredentialMethod};
use entra_graph::{ClientBuildError, GraphClient, GraphError};
use entra_graph_emulator::{ClientCertificate, EmulatorConfig};
use std::ffi::OsStr;
use std::sync::Arc;
use std::time::Duration;

/// Builds a client, proves it can read Graph, and returns the method it chose.
async fn read_policy_with(emulator: &entra_graph_emulator::Emulator, settings: &AuthSettings) -> CredentialMethod {
    let client = client_with(emulator, settings);
    let policy = client.get_policy(&op()).await.expect("an authenticated read works");
    assert!(policy.display_name.is_some_and(|n| n.starts_with("CrossTenantAccessPolicy for")));
    client.credential_method().clone()
}

#[tokio::test]
async fn client_secret() {
    let emulator = start_default();
    assert_eq!(read_policy_with(&emulator, &secret_settings(&emulator)).await, CredentialMethod::ClientSecret);
    assert_eq!(emulator.stats().tokens_issued, 1);
}

#[tokio::test]
async fn client_secret_from_arm_variables() {
    let emulator = start_default();
    let settings = AuthSettings::default()
        .with_env_fallbacks(env(&[
            ("ARM_TENANT_ID", emulator.tenant_id()),
            ("ARM_CLIENT_ID", emulator.client_id()),
            ("ARM_CLIENT_SECRET", emulator.client_secret()),
            ("ARM_GRAPH_ENDPOINT", emulator.endpoint()),
            ("ARM_AUTHORITY_HOST", emulator.endpoint()),
            ("ARM_USE_CLI", "false"),
        ]))
        .unwrap();
    assert_eq!(read_policy_with(&emulator, &settings).await, CredentialMethod::ClientSecret);
}

#[tokio::test]
async fn a_wrong_secret_is_one_clear_error() {
    let emulator = start_default();
    let settings = AuthSettings { client_secret: Some("not-the-secret".into()), ..secret_settings(&emulator) };
    let client = client_with(&emulator, &settings);
    let err = client.check_credentials(&op()).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, GraphError::Authentication { .. }), "{err:?}");
    assert!(text.starts_with("could not get a Microsoft Graph access token with a client secret:"), "{text}");
    assert!(text.contains("AADSTS7000215"), "{text}");
    assert!(!text.contains("not-the-secret"), "the secret must not be echoed: {text}");
}

#[tokio::test]
async fn every_national_cloud_scope_is_requested_through_overrides() {
    // The environment picks the token scope even when the hosts are overridden (here: the emulator).
    let emulator = start_default();
    for environment in ["global", "usgovernmentl4", "usgovernmentl5", "china"] {
        let settings = AuthSettings { environment: Some(environment.into()), ..secret_settings(&emulator) };
        assert_eq!(read_policy_with(&emulator, &settings).await, CredentialMethod::ClientSecret, "{environment}");
    }
}

fn certificate_for(emulator: &entra_graph_emulator::Emulator) -> ClientCertificate {
    let certificate = ClientCertificate::generate("terraform-provider-entra tests").unwrap();
    emulator.add_client_certificate(emulator.client_id(), &certificate.certificate_pem).unwrap();
    certificate
}

fn pkcs12(certificate: &ClientCertificate, password: &str) -> Vec<u8> {
    let cert = p12_keystore::Certificate::from_der(&certificate.certificate_der).unwrap();
    let key = p12_keystore::PrivateKey::from_der(&certificate.private_key_der).unwrap();
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "client",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(vec![9u8; 20], key, [cert])),
    );
    store.writer(password).write().unwrap()
}

#[tokio::test]
async fn client_certificate_from_base64_pkcs12_with_password() {
    let emulator = start_default();
    let certificate = certificate_for(&emulator);
    let settings = AuthSettings {
        client_id: Some(emulator.client_id().to_owned()),
        client_certificate: Some(base64::engine::general_purpose::STANDARD.encode(pkcs12(&certificate, "pfx-pass"))),
        client_certificate_password: Some("pfx-pass".into()),
        ..emulator_endpoints(&emulator)
    };
    assert_eq!(read_policy_with(&emulator, &settings).await, CredentialMethod::ClientCertificate);
}

#[tokio::test]
async fn client_certificate_from_pkcs12_and_pem_files() {
    let emulator = start_default();
    let certificate = certificate_for(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let pfx = dir.path().join("client.pfx");
    std::fs::write(&pfx, pkcs12(&certificate, "")).unwrap();
    let pem = dir.path().join("client.pem");
    std::fs::write(&pem, format!("{}{}", certificate.certificate_pem, certificate.private_key_pem)).unwrap();
    for path in [pfx, pem] {
        let settings = AuthSettings {
            client_id: Some(emulator.client_id().to_owned()),
            client_certificate_path: Some(path.to_str().unwrap().to_owned()),
            ..emulator_endpoints(&emulator)
        };
        assert_eq!(read_policy_with(&emulator, &settings).await, CredentialMethod::ClientCertificate, "{path:?}");
    }
}

#[tokio::test]
async fn an_unregistered_certificate_is_refused_by_the_token_endpoint() {
    let emulator = start_default();
    let unregistered = ClientCertificate::generate("stranger").unwrap();
    let settings = AuthSettings {
        client_id: Some(emulator.client_id().to_owned()),
        client_certificate: Some(
            base64::engine::general_purpose::STANDARD
                .encode(format!("{}{}", unregistered.certificate_pem, unregistered.private_key_pem)),
        ),
        ..emulator_endpoints(&emulator)
    };
    let err = client_with(&emulator, &settings).check_credentials(&op()).await.unwrap_err();
    assert!(err.to_string().contains("with a client certificate"), "{err}");
}

#[tokio::test]
async fn a_wrong_certificate_password_names_the_setting() {
    let emulator = start_default();
    let certificate = certificate_for(&emulator);
    let settings = AuthSettings {
        client_id: Some(emulator.client_id().to_owned()),
        client_certificate: Some(base64::engine::general_purpose::STANDARD.encode(pkcs12(&certificate, "right"))),
        client_certificate_password: Some("wrong".into()),
        ..emulator_endpoints(&emulator)
    };
    match GraphClient::new(&settings, fast_options(&emulator)) {
        Err(ClientBuildError::Credential(e)) => {
            assert_eq!(e.setting, "client_certificate");
            assert!(e.message.contains("client_certificate_password"), "{e}");
        }
        other => panic!("expected a credential error, got {other:?}"),
    }
}

fn oidc_settings(emulator: &entra_graph_emulator::Emulator) -> AuthSettings {
    AuthSettings {
        client_id: Some(emulator.client_id().to_owned()),
        use_oidc: Some(true),
        ..emulator_endpoints(emulator)
    }
}

#[tokio::test]
async fn oidc_token() {
    let emulator = start_default();
    let settings = AuthSettings {
        oidc_token: Some(emulator.mint_federated_token("repo:entra/tests")),
        ..oidc_settings(&emulator)
    };
    assert_eq!(read_policy_with(&emulator, &settings).await, CredentialMethod::OidcToken);
}

#[tokio::test]
async fn oidc_token_file() {
    let emulator = start_default();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, emulator.mint_federated_token("system:serviceaccount:ns:sa")).unwrap();
    let settings =
        AuthSettings { oidc_token_file_path: Some(file.to_str().unwrap().into()), ..oidc_settings(&emulator) };
    assert_eq!(read_policy_with(&emulator, &settings).await, CredentialMethod::OidcTokenFile);
}

#[tokio::test]
async fn oidc_github_request_url_from_actions_variables() {
    let emulator = start_default();
    let settings = AuthSettings {
        use_oidc: Some(true),
        client_id: Some(emulator.client_id().into()),
        ..emulator_endpoints(&emulator)
    }
    .with_env_fallbacks(env(&[
        ("ACTIONS_ID_TOKEN_REQUEST_URL", &emulator.github_oidc_request_url()),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", emulator.github_oidc_request_token()),
    ]))
    .unwrap();
    assert_eq!(read_policy_with(&emulator, &settings).await, CredentialMethod::GitHubOidc);
}

#[tokio::test]
async fn oidc_github_with_a_wrong_request_token_fails_clearly() {
    let emulator = start_default();
    let settings = AuthSettings {
        oidc_request_url: Some(emulator.github_oidc_request_url()),
        oidc_request_token: Some("wrong".into()),
        ..oidc_settings(&emulator)
    };
    let err = client_with(&emulator, &settings).check_credentials(&op()).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("GitHub Actions OIDC") && text.contains("oidc_request_token"), "{text}");
}

#[tokio::test]
async fn oidc_azure_devops_service_connection() {
    let emulator = start_default();
    let settings = AuthSettings {
        ado_pipeline_service_connection_id: Some("7b7f3b3e-2f11-4f5c-9d4a-5b8d9d3f0c11".into()),
        ..oidc_settings(&emulator)
    }
    .with_env_fallbacks(env(&[
        ("SYSTEM_OIDCREQUESTURI", &emulator.ado_oidc_request_url()),
        ("SYSTEM_ACCESSTOKEN", emulator.ado_system_access_token()),
    ]))
    .unwrap();
    assert_eq!(read_policy_with(&emulator, &settings).await, CredentialMethod::AzureDevOpsOidc);
}

#[tokio::test]
async fn aks_workload_identity_from_webhook_variables() {
    let emulator = start_default();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("azure-identity-token");
    std::fs::write(&file, emulator.mint_federated_token("system:serviceaccount:default:workload")).unwrap();
    let settings = AuthSettings {
        graph_endpoint: Some(emulator.endpoint().into()),
        use_cli: Some(false),
        ..AuthSettings::default()
    }
    .with_env_fallbacks(env(&[
        ("ARM_USE_AKS_WORKLOAD_IDENTITY", "true"),
        ("AZURE_FEDERATED_TOKEN_FILE", file.to_str().unwrap()),
        ("AZURE_TENANT_ID", emulator.tenant_id()),
        ("AZURE_CLIENT_ID", emulator.client_id()),
        ("AZURE_AUTHORITY_HOST", emulator.endpoint()),
    ]))
    .unwrap();
    assert_eq!(read_policy_with(&emulator, &settings).await, CredentialMethod::AksWorkloadIdentity);
}

#[tokio::test]
async fn managed_identity_at_an_https_endpoint() {
    let emulator = start_default();
    let settings = AuthSettings {
        use_msi: Some(true),
        msi_endpoint: Some(emulator.imds_endpoint()),
        ..emulator_endpoints(&emulator)
    };
    let method = read_policy_with(&emulator, &settings).await;
    assert_eq!(method, CredentialMethod::ManagedIdentity { endpoint: Some(emulator.imds_endpoint()) });
}

#[tokio::test]
async fn managed_identity_at_a_plain_http_endpoint_with_a_user_assigned_client_id() {
    let emulator = start(EmulatorConfig {
        managed_identity_http_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..EmulatorConfig::default()
    });
    let endpoint = format!("{}/metadata/identity/oauth2/token", emulator.managed_identity_http_endpoint().unwrap());
    let settings = AuthSettings {
        use_msi: Some(true),
        msi_endpoint: Some(endpoint),
        client_id: Some(emulator.managed_identity_client_id().to_owned()),
        ..emulator_endpoints(&emulator)
    };
    read_policy_with(&emulator, &settings).await;

    // A client id naming an identity this machine does not have fails with a hint.
    let settings = AuthSettings { client_id: Some("00000000-0000-0000-0000-00000000dead".into()), ..settings };
    let err = client_with(&emulator, &settings).check_credentials(&op()).await.unwrap_err();
    assert!(err.to_string().contains("not be assigned"), "{err}");
}

/// Runs the command azure_identity builds, in a real shell, with a directory holding a fake `az` first on PATH.
#[derive(Debug)]
struct FakeAzPath(std::path::PathBuf);

#[async_trait::async_trait]
impl azure_identity::Executor for FakeAzPath {
    async fn run(&self, program: &OsStr, args: &[&OsStr]) -> std::io::Result<std::process::Output> {
        let path = format!("{}:{}", self.0.display(), std::env::var("PATH").unwrap_or_default());
        tokio::process::Command::new(program).args(args).env("PATH", path).output().await
    }
}

#[tokio::test]
async fn azure_cli_through_a_fake_az_on_path() {
    let emulator = start_default();
    let dir = tempfile::tempdir().unwrap();
    let args_file = dir.path().join("args");
    let expires_on = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let script = format!(
        "#!/bin/sh\necho \"$@\" > '{}'\ncat <<'EOF'\n{{\"accessToken\":\"{}\",\"expiresOn\":\"2099-01-01 00:00:00.000000\",\"expires_on\":{},\"subscription\":\"s\",\"tenant\":\"{}\",\"tokenType\":\"Bearer\"}}\nEOF\n",
        args_file.display(),
        emulator.access_token(),
        expires_on,
        emulator.tenant_id()
    );
    let az = dir.path().join("az");
    std::fs::write(&az, script).unwrap();
    std::fs::set_permissions(&az, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();

    let settings = AuthSettings { use_cli: None, ..emulator_endpoints(&emulator) };
    let mut options = fast_options(&emulator);
    options.credentials.cli_executor = Some(Arc::new(FakeAzPath(dir.path().to_owned())));
    let client = GraphClient::new(&settings, options).unwrap();
    assert_eq!(client.credential_method(), &CredentialMethod::AzureCli);
    client.get_policy(&op()).await.unwrap();
    // The CLI credential runs az for every token; the client's cache runs it once for many requests.
    client.get_default(&op()).await.unwrap();
    let args = std::fs::read_to_string(&args_file).unwrap();
    assert_eq!(
        args.trim(),
        format!(
            "account get-access-token -o json --scope https://graph.microsoft.com/.default --tenant {}",
            emulator.tenant_id()
        )
    );
}

#[tokio::test]
async fn no_credential_is_one_error_listing_every_method() {
    let emulator = start_default();
    let settings = AuthSettings { use_cli: Some(false), ..emulator_endpoints(&emulator) };
    let err = GraphClient::new(&settings, fast_options(&emulator)).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ClientBuildError::NoCredential(_)));
    for expected in [
        "no usable credential for Microsoft Graph is configured. Methods tried, in order:",
        "client secret: client_secret is not set (ARM_CLIENT_SECRET, ARM_CLIENT_SECRET_FILE_PATH)",
        "client certificate: neither client_certificate nor client_certificate_path is set",
        "OIDC: use_oidc is not true (ARM_USE_OIDC)",
        "AKS workload identity: use_aks_workload_identity is not true",
        "managed identity: use_msi is not true (ARM_USE_MSI)",
        "Azure CLI: use_cli is false (ARM_USE_CLI)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[tokio::test]
async fn a_partly_configured_secret_does_not_fall_back_to_the_cli() {
    let emulator = start_default();
    let settings = AuthSettings {
        client_secret: Some("s".into()),
        client_id: None,
        use_cli: None,
        ..emulator_endpoints(&emulator)
    };
    let mut options = fast_options(&emulator);
    options.credentials.cli_executor = Some(Arc::new(FakeAzPath("/nonexistent".into())));
    let text = GraphClient::new(&settings, options).unwrap_err().to_string();
    assert!(text.contains("client secret: client_secret is set, but client_id is not set (ARM_CLIENT_ID)"), "{text}");
    assert!(
        text.contains("Azure CLI: not used as a fallback because another method above is partly configured"),
        "{text}"
    );
}

#[tokio::test]
async fn tokens_are_reused_and_refreshed_before_expiry() {
    let emulator = start_default();
    emulator.set_token_lifetime(Duration::from_secs(4));
    let client = client(&emulator);
    for _ in 0..5 {
        client.get_policy(&op()).await.unwrap();
    }
    assert_eq!(emulator.stats().tokens_issued, 1, "one token serves many requests");
    // Half of a 4-second lifetime later, the client refreshes before the token can expire in flight.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    client.get_policy(&op()).await.unwrap();
    assert_eq!(emulator.stats().tokens_issued, 2);
    assert_eq!(emulator.stats().errors, 0, "no request ever went out with an expired token");
}

#[tokio::test]
async fn concurrent_first_requests_share_one_token_request() {
    let emulator = start_default();
    let client = client(&emulator);
    let reads: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_policy(&op()).await.map(|_| ()) })
        })
        .collect();
    for read in reads {
        read.await.unwrap().unwrap();
    }
    assert_eq!(emulator.stats().token_requests, 1);
}

#[tokio::test]
async fn the_emulator_is_trusted_only_through_the_extra_ca_file() {
    let emulator = start_default();
    let options = entra_graph::GraphClientOptions { extra_ca_file: None, ..fast_options(&emulator) };
    let client = GraphClient::new(&secret_settings(&emulator), options).unwrap();
    let started = std::time::Instant::now();
    let err = client.check_credentials(&op()).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("invalid peer certificate"), "{text}");
    assert!(text.contains("SSL_CERT_FILE"), "the error says how to fix it: {text}");
    assert_eq!(emulator.stats().token_requests, 0);
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "an untrusted certificate is not retried");

    // GraphClientOptions::from_env reads SSL_CERT_FILE.
    let ca = emulator.ca_cert_file().to_str().unwrap().to_owned();
    let options = entra_graph::GraphClientOptions::from_env(env(&[("SSL_CERT_FILE", &ca)])).unwrap();
    assert_eq!(options.extra_ca_file.as_deref(), Some(emulator.ca_cert_file()));
    let options = entra_graph::GraphClientOptions { retry: entra_graph::RetryPolicy::fast(), ..options };
    GraphClient::new(&secret_settings(&emulator), options).unwrap().get_policy(&op()).await.unwrap();
}

#[tokio::test]
async fn a_refused_token_is_replaced_once() {
    let emulator = start_default();
    let client = client(&emulator);
    client.get_policy(&op()).await.unwrap();
    emulator.revoke_tokens();
    client.get_policy(&op()).await.expect("a new token is fetched after Graph refuses the old one");
    let stats = emulator.stats();
    assert_eq!(stats.tokens_issued, 2);
    assert_eq!(stats.status_count(401), 1);
}
