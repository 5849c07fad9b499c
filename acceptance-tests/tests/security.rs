//! Security: no one but Terraform can call the provider, the provider's stdout carries only the go-plugin handshake,
//! no credential leaks into logs or state, and the provider's identity needs no more than the documented Graph
//! permissions.
//!
//! Every test here runs the real provider binary the way Terraform runs it for users (the managed path:
//! `dev_overrides`, AutoMTLS, one process per command), except the permission tests, which only need Graph.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use acceptance_tests::entra::{EmulatorEnv, tenants};
use acceptance_tests::provider_binary::{BINARY_NAME, provider_binary_dir};
use acceptance_tests::{Harness, WorkDir};
use base64::Engine as _;
use entra_graph_emulator::{
    AppRegistration, ClientCertificate, EmulatorConfig, Faults, ROLE_CROSS_TENANT_INFORMATION_READ_BASIC_ALL,
    ROLE_POLICY_READ_ALL, ROLE_POLICY_READ_WRITE_CROSS_TENANT_ACCESS,
};
use serde_json::Value as Json;
use tfplugin::testing::{ClientIdentity, Handshake, PluginClient};

/// A small but complete configuration: a lookup, a partner with identity synchronization, the default and the
/// policy (every resource and data source kind talks to Graph).
const CONFIG: &str = r#"
data "entra_tenant_information" "contoso" {
  domain_name = "contoso.com"
}

resource "entra_cross_tenant_partner" "contoso" {
  tenant_id = data.entra_tenant_information.contoso.tenant_id

  automatic_user_consent_settings = {
    inbound_allowed = true
  }
}

resource "entra_cross_tenant_identity_sync" "contoso" {
  tenant_id    = entra_cross_tenant_partner.contoso.tenant_id
  display_name = "Contoso"

  user_sync_inbound = {
    is_sync_allowed = true
  }
}

resource "entra_cross_tenant_default" "this" {
  reset_on_destroy = true

  inbound_trust = {
    is_mfa_accepted = true
  }
}

resource "entra_cross_tenant_access_policy" "this" {
  reset_on_destroy        = true
  allowed_cloud_endpoints = ["microsoftonline.us"]
}
"#;

// ----- who can call the provider, and what it writes to stdout ---------------------------------------------------

/// A directory with a `terraform-provider-entra` that runs the real binary and copies everything it writes to
/// stdout into `capture`, so the test sees exactly what Terraform reads.
fn capturing_provider(capture: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let real = provider_binary_dir().join(BINARY_NAME);
    let script = format!("#!/bin/sh\n\"{}\" \"$@\" | tee -a \"{}\"\n", real.display(), capture.display());
    let wrapper = dir.path().join(BINARY_NAME);
    std::fs::write(&wrapper, script).expect("write the wrapper");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("make it executable");
    dir
}

/// Whether `line` is a go-plugin handshake line with AutoMTLS: `1|6|unix|<socket>|grpc|<certificate>`.
fn is_handshake(line: &str) -> bool {
    Handshake::parse(line).is_ok_and(|h| {
        h.core_version == 1
            && h.protocol_version == 6
            && h.network == "unix"
            && h.protocol == "grpc"
            && h.server_certificate.is_some()
    })
}

/// How a stranger's attempt to call a serving provider ended.
async fn stranger_calls(handshake: &Handshake, identity: Option<&ClientIdentity>) -> Result<(), String> {
    let client = PluginClient::connect(handshake, identity).await?;
    client.get_provider_schema().await.map(|_| ())
}

#[test]
fn only_terraform_can_call_the_provider_and_its_stdout_is_only_the_handshake() {
    acceptance_tests::emulator_only!("app registrations with chosen permissions, and the emulator's known credentials");
    let env = EmulatorEnv::start();
    let scratch = tempfile::tempdir().expect("temp dir");
    let capture = scratch.path().join("stdout.txt");
    std::fs::write(&capture, "").expect("create the capture file");
    let wrapper = capturing_provider(&capture);
    let harness = Harness::dev_override(wrapper.path(), acceptance_tests::entra::SOURCE).with_env(env.env().clone());
    let mut workdir = harness.workdir();
    workdir.write_config(CONFIG);

    // A slow apply, so a provider is serving Terraform while a stranger tries its socket.
    env.emulator().set_faults(Faults { latency_ms: 150, ..Faults::none() });
    let apply = workdir.spawn(&["apply", "-input=false", "-no-color", "-lock=false", "-auto-approve"]);
    let serving = || {
        let text = std::fs::read_to_string(&capture).unwrap_or_default();
        text.lines().rev().filter_map(|line| Handshake::parse(line).ok()).find(|h| Path::new(&h.address).exists())
    };
    let started = Instant::now();
    let mut attempts = 0;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    while started.elapsed() < Duration::from_secs(60) && attempts < 3 {
        let Some(handshake) = serving() else {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        let socket = PathBuf::from(&handshake.address);
        // The socket lives in a directory only this user can enter.
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(socket.parent().expect("a socket directory")).expect("stat").permissions().mode();
        assert_eq!(mode & 0o077, 0, "the socket directory is private: {mode:o}");

        let stranger = ClientIdentity::generate_go_like();
        let outcomes = runtime.block_on(async {
            let plaintext = Handshake { server_certificate: None, ..handshake.clone() };
            [
                ("another certificate", stranger_calls(&handshake, Some(&stranger)).await),
                ("no certificate", stranger_calls(&handshake, None).await),
                ("plaintext", stranger_calls(&plaintext, None).await),
            ]
        });
        if !socket.exists() {
            // That provider finished meanwhile; the refusals prove nothing. Try the next one.
            continue;
        }
        for (how, outcome) in outcomes {
            let error = outcome.err().unwrap_or_else(|| panic!("a client with {how} called the provider"));
            assert!(!error.contains("No such file"), "{how}: the socket existed: {error}");
        }
        attempts += 1;
    }
    assert!(attempts > 0, "no provider was seen serving during the apply");
    let output = apply.wait();
    assert!(output.success(), "{output}");
    env.emulator().set_faults(Faults::none());
    workdir.destroy().expect_success();

    let captured = std::fs::read_to_string(&capture).expect("the capture");
    let lines: Vec<&str> = captured.lines().collect();
    assert!(lines.len() >= 4, "one handshake per provider process: {captured:?}");
    for line in &lines {
        assert!(is_handshake(line), "stdout carries something other than the handshake: {line:?}");
    }
    assert!(captured.ends_with('\n') && !captured.contains("\n\n"), "{captured:?}");
}

// ----- credentials in logs and state --------------------------------------------------------------------------

/// A way to sign in, with the values that must never be seen.
struct Credential {
    name: &'static str,
    /// Environment for the provider (replacing the client secret of the default environment).
    env: Vec<(String, String)>,
    /// A `provider "entra" {}` block, for credentials passed in the configuration.
    provider_block: String,
    secrets: Vec<String>,
}

fn pkcs12(certificate: &ClientCertificate, password: &str) -> Vec<u8> {
    let cert = p12_keystore::Certificate::from_der(&certificate.certificate_der).expect("certificate");
    let key = p12_keystore::PrivateKey::from_der(&certificate.private_key_der).expect("key");
    let mut store = p12_keystore::KeyStore::new();
    let chain = p12_keystore::PrivateKeyChain::new(vec![7u8; 20], key, [cert]);
    store.add_entry("client", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    store.writer(password).write().expect("PKCS#12")
}

/// Every way of signing in whose secret the provider handles: a client secret and a certificate with its password
/// in the provider block (sensitive arguments), an OIDC token in the environment, and GitHub's OIDC request token.
fn credentials(env: &EmulatorEnv, certificate: &ClientCertificate) -> Vec<Credential> {
    let secret = env.emulator().client_secret().to_owned();
    let password = "pfx-Pa55word-for-the-security-test".to_owned();
    let pfx = base64::engine::general_purpose::STANDARD.encode(pkcs12(certificate, &password));
    let key_line = certificate.private_key_pem.lines().nth(3).expect("a line of the key").to_owned();
    let oidc_token = env.emulator().mint_federated_token("repo:entra-tools/security-test:ref:refs/heads/main");
    let request_token = env.emulator().github_oidc_request_token().to_owned();
    vec![
        Credential {
            name: "client secret in the provider block",
            env: vec![],
            provider_block: format!("provider \"entra\" {{\n  client_secret = \"{secret}\"\n}}\n"),
            secrets: vec![secret],
        },
        Credential {
            name: "certificate and password in the provider block",
            env: vec![],
            provider_block: format!(
                "provider \"entra\" {{\n  client_certificate          = \"{pfx}\"\n  client_certificate_password = \
                 \"{password}\"\n}}\n"
            ),
            secrets: vec![password, pfx[pfx.len() / 2..pfx.len() / 2 + 48].to_owned(), key_line],
        },
        Credential {
            name: "OIDC token in the environment",
            env: vec![("ARM_USE_OIDC".into(), "true".into()), ("ARM_OIDC_TOKEN".into(), oidc_token.clone())],
            provider_block: String::new(),
            secrets: vec![oidc_token],
        },
        Credential {
            name: "GitHub OIDC request token in the environment",
            env: vec![
                ("ARM_USE_OIDC".into(), "true".into()),
                ("ARM_OIDC_REQUEST_URL".into(), env.emulator().github_oidc_request_url()),
                ("ARM_OIDC_REQUEST_TOKEN".into(), request_token.clone()),
            ],
            provider_block: String::new(),
            secrets: vec![request_token],
        },
    ]
}

/// The emulator's access tokens: `emu.` and 64 hex digits.
fn access_token_pattern() -> regex::Regex {
    regex::Regex::new(r"emu\.[0-9a-f]{64}").expect("a valid pattern")
}

/// Lines of `text` that hold a secret, a token or an assertion: one of `secrets`, an access token of the emulator,
/// a JWT (base64 JSON header `eyJ`), a bearer authorization, or a form field that carries a credential.
fn leaks(text: &str, secrets: &[String]) -> Vec<String> {
    let access_token = access_token_pattern();
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let lower = line.to_ascii_lowercase();
            secrets.iter().any(|s| line.contains(s.as_str()))
                || access_token.is_match(line)
                || line.contains("eyJ")
                || lower.contains("bearer ")
                || lower.contains("client_assertion=")
                || lower.contains("client_secret=")
                || lower.contains("\"access_token\"")
        })
        .map(|(i, line)| format!("line {}: {}", i + 1, &line[..line.len().min(300)]))
        .collect()
}

#[test]
fn trace_logs_of_a_full_apply_and_destroy_hold_no_credential_and_the_state_holds_none() {
    acceptance_tests::emulator_only!("app registrations with chosen permissions, and the emulator's known credentials");
    let certificate = ClientCertificate::generate("terraform-provider-entra security test").expect("certificate");
    let env = EmulatorEnv::with_config(EmulatorConfig::default().with_client_certificate(&certificate.certificate_pem));
    // The emulator's access tokens have a format of their own (`emu.` and 64 hex digits); the assertions and OIDC
    // tokens are JWTs. Both are looked for.
    assert!(access_token_pattern().is_match(&env.emulator().access_token()), "the emulator's token format changed");
    assert!(env.emulator().mint_federated_token("x").starts_with("eyJ"));
    let mut failures = Vec::new();
    for credential in credentials(&env, &certificate) {
        let scratch = tempfile::tempdir().expect("temp dir");
        let log_path = scratch.path().join("terraform.log");
        let mut provider_env: Vec<(String, String)> =
            env.env().iter().filter(|(k, _)| *k != "ARM_CLIENT_SECRET").map(|(k, v)| (k.clone(), v.clone())).collect();
        provider_env.extend(credential.env.clone());
        provider_env.push(("TF_LOG".into(), "TRACE".into()));
        provider_env.push(("TF_LOG_PATH".into(), log_path.display().to_string()));
        let harness =
            Harness::dev_override(&provider_binary_dir(), acceptance_tests::entra::SOURCE).with_env(provider_env);
        let mut workdir = harness.workdir();
        workdir.write_config(&format!("{}{CONFIG}", credential.provider_block));

        let apply = workdir.apply();
        let state_file = std::fs::read_to_string(workdir.path().join("terraform.tfstate")).unwrap_or_default();
        let state_json = workdir.state().json.to_string();
        let destroy = workdir.destroy();
        if !apply.success() || !destroy.success() {
            failures.push(format!("{}: apply or destroy failed:\n{apply}\n{destroy}", credential.name));
            continue;
        }
        let log = std::fs::read_to_string(&log_path).expect("terraform wrote its log");
        let provider_lines = log.lines().filter(|l| l.contains("provider.terraform-provider-entra")).count();
        if provider_lines < 20 || !log.contains("Graph request body") {
            failures
                .push(format!("{}: the log holds no provider TRACE output ({provider_lines} lines)", credential.name));
        }
        for (what, text) in [
            ("the TRACE log", log.as_str()),
            ("terraform's output", &format!("{}{}", apply.combined(), destroy.combined())),
            ("the state file", state_file.as_str()),
            ("terraform show -json", state_json.as_str()),
        ] {
            let found = leaks(text, &credential.secrets);
            if !found.is_empty() {
                failures.push(format!("{}: {what} holds a credential:\n{}", credential.name, found.join("\n")));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_search_for_leaks_finds_every_kind_of_credential() {
    let secret = "s3cr3t-value".to_owned();
    for line in [
        format!("token=emu.{}", "0a".repeat(32)),
        "assertion eyJhbGciOiJSUzI1NiJ9.e30.sig".to_owned(),
        "Authorization: Bearer abc".to_owned(),
        "grant_type=client_credentials&client_assertion=abc".to_owned(),
        "client_id=x&client_secret=y".to_owned(),
        r#"{"access_token":"abc"}"#.to_owned(),
        format!("config: {secret}"),
    ] {
        assert_eq!(leaks(&format!("harmless\n{line}\nharmless"), std::slice::from_ref(&secret)).len(), 1, "{line}");
    }
    assert!(leaks("Graph request method=GET status=200 elapsed_ms=3 emu.short", &[secret]).is_empty());
}

#[test]
fn sensitive_arguments_are_marked_and_no_resource_attribute_holds_a_credential() {
    let harness = Harness::dev_override(&provider_binary_dir(), acceptance_tests::entra::SOURCE);
    let mut workdir = harness.workdir();
    workdir.write_config("provider \"entra\" {}\n");
    let output = workdir.terraform(&["providers", "schema", "-json"]).expect_success();
    let schemas: Json = serde_json::from_str(&output.stdout).expect("schema JSON");
    let provider = &schemas["provider_schemas"]["registry.terraform.io/entra-tools/entra"];
    let arguments = provider["provider"]["block"]["attributes"].as_object().expect("provider arguments");
    let credential_like = |name: &str| {
        ["secret", "password", "token", "certificate", "assertion", "key"].iter().any(|w| name.contains(w))
    };
    for (name, attribute) in arguments {
        let sensitive = attribute["sensitive"].as_bool().unwrap_or(false);
        let holds_credential = credential_like(name) && !name.ends_with("_path") && !name.ends_with("_url");
        assert_eq!(sensitive, holds_credential, "provider argument {name}: sensitive = {sensitive}");
    }

    let mut checked = 0;
    for kind in ["resource_schemas", "data_source_schemas"] {
        for (type_name, schema) in provider[kind].as_object().expect("schemas") {
            let mut attributes = Vec::new();
            collect_attributes(&schema["block"], type_name, &mut attributes);
            for (path, attribute) in attributes {
                checked += 1;
                assert!(!credential_like(&path), "{path} looks like it holds a credential");
                assert_ne!(attribute["sensitive"], true, "{path} is sensitive: no resource attribute should be");
            }
        }
    }
    assert!(checked > 50, "only {checked} attributes checked");
}

/// Every attribute of a schema block, at every depth of nested attributes, as (dotted path, schema).
fn collect_attributes(block: &Json, prefix: &str, out: &mut Vec<(String, Json)>) {
    for (name, attribute) in block["attributes"].as_object().into_iter().flatten() {
        let path = format!("{prefix}.{name}");
        if attribute["nested_type"].is_object() {
            collect_attributes(&attribute["nested_type"], &path, out);
        }
        out.push((path, attribute.clone()));
    }
}

// ----- least privilege ----------------------------------------------------------------------------------------

const PARTNER: &str = r#"
resource "entra_cross_tenant_partner" "truesec" {
  tenant_id = "07d2f395-f69c-43ab-88a2-b82f1151042d"

  inbound_trust = {
    is_mfa_accepted = true
  }
}
"#;

/// The emulator's environment, signing in as another application with exactly `roles`.
fn as_app(env: &mut EmulatorEnv, client_id: &str, roles: &[&str]) -> Harness {
    let secret = format!("{client_id}-secret");
    env.emulator().add_app(AppRegistration::with_secret(client_id, &secret, roles)).expect("register the app");
    env.set_env("ARM_CLIENT_ID", Some(client_id));
    env.set_env("ARM_CLIENT_SECRET", Some(&secret));
    env.harness()
}

/// A working directory of `harness` holding the state of `from` (another harness's directory).
fn with_state_of(harness: &Harness, from: &WorkDir, config: &str) -> WorkDir {
    let mut workdir = harness.workdir();
    workdir.write_config(config);
    std::fs::copy(from.path().join("terraform.tfstate"), workdir.path().join("terraform.tfstate")).expect("copy state");
    workdir
}

#[test]
fn the_documented_permissions_are_enough_for_everything() {
    acceptance_tests::emulator_only!("app registrations with chosen permissions, and the emulator's known credentials");
    let mut env = EmulatorEnv::start();
    let documented = [
        ROLE_POLICY_READ_ALL,
        ROLE_POLICY_READ_WRITE_CROSS_TENANT_ACCESS,
        ROLE_CROSS_TENANT_INFORMATION_READ_BASIC_ALL,
    ];
    let harness = as_app(&mut env, "0a0a0a0a-1111-4222-8333-444444444444", &documented);
    let mut workdir = harness.workdir();
    workdir.write_config(CONFIG);
    workdir.apply().expect_success();
    workdir.plan_is_empty(true).unwrap();
    // Import by domain needs the lookup too.
    let mut fresh = harness.workdir();
    fresh.write_config(CONFIG);
    fresh.import("entra_cross_tenant_partner.contoso", "contoso.com").expect_success();
    workdir.destroy().expect_success();
    let stats = env.stats();
    assert_eq!(stats.status_count(403), 0, "{:?}", stats.by_status);
}

#[test]
fn a_read_only_identity_can_plan_but_not_apply() {
    acceptance_tests::emulator_only!("app registrations with chosen permissions, and the emulator's known credentials");
    let mut env = EmulatorEnv::start();
    let writer = env.harness();
    let mut applied = writer.workdir();
    applied.write_config(PARTNER);
    applied.apply().expect_success();
    let before = env.partner(tenants::TRUESEC);

    let reader = as_app(
        &mut env,
        "0b0b0b0b-1111-4222-8333-444444444444",
        &[ROLE_POLICY_READ_ALL, ROLE_CROSS_TENANT_INFORMATION_READ_BASIC_ALL],
    );
    let mut workdir = with_state_of(&reader, &applied, PARTNER);
    workdir.plan_is_empty(true).expect("plan and refresh need only Policy.Read.All");
    let state_before = workdir.state().json;

    workdir.write_config(&PARTNER.replace("is_mfa_accepted = true", "is_mfa_accepted = false"));
    let writes = env.stats().writes_applied;
    let output = workdir.apply();
    assert_eq!(output.code, Some(1), "{output}");
    let text = output.unwrapped();
    assert!(text.contains("Failed updating partner configuration"), "{output}");
    assert!(text.contains("403") && text.contains("Authorization_RequestDenied"), "{output}");
    assert!(
        text.contains("needs the Microsoft Graph application permission Policy.ReadWrite.CrossTenantAccess"),
        "{output}"
    );
    assert!(!text.contains("panic"), "{output}");
    assert_eq!(env.stats().writes_applied, writes, "nothing was written");
    assert_eq!(env.partner(tenants::TRUESEC), before, "the partner is unchanged");
    assert_eq!(workdir.state().json["values"], state_before["values"], "the state is unchanged");

    // Creating fails the same way and leaves nothing behind, in Graph or in the state.
    workdir.write_config(&format!(
        "{PARTNER}\n{}",
        PARTNER.replace("truesec", "fabrikam").replace("07d2f395-f69c-43ab-88a2-b82f1151042d", tenants::FABRIKAM)
    ));
    let output = workdir.apply();
    assert!(output.unwrapped().contains("Policy.ReadWrite.CrossTenantAccess"), "{output}");
    assert!(env.partner(tenants::FABRIKAM).is_none());
    assert!(!workdir.state().addresses().contains(&"entra_cross_tenant_partner.fabrikam".to_owned()));

    applied.destroy().expect_success();
}

#[test]
fn lookups_need_their_own_permission_and_say_so() {
    acceptance_tests::emulator_only!("app registrations with chosen permissions, and the emulator's known credentials");
    let mut env = EmulatorEnv::start();
    let harness = as_app(
        &mut env,
        "0c0c0c0c-1111-4222-8333-444444444444",
        &[ROLE_POLICY_READ_ALL, ROLE_POLICY_READ_WRITE_CROSS_TENANT_ACCESS],
    );
    let mut workdir = harness.workdir();
    // Managing a partner by tenant id needs no lookup.
    workdir.write_config(PARTNER);
    workdir.apply().expect_success();
    // Looking a tenant up does.
    workdir.write_config(&format!(
        "{PARTNER}\ndata \"entra_tenant_information\" \"t\" {{\n  domain_name = \"contoso.com\"\n}}\n"
    ));
    let (output, plan) = workdir.plan(&[]);
    assert!(plan.is_none(), "{output}");
    let text = output.unwrapped();
    assert!(text.contains("403") && text.contains("CrossTenantInformation.ReadBasic.All"), "{output}");
    // So does importing by domain.
    let mut fresh = harness.workdir();
    fresh.write_config(PARTNER);
    let output = fresh.import("entra_cross_tenant_partner.truesec", "truesecdetect.io");
    assert!(!output.success());
    assert!(output.unwrapped().contains("CrossTenantInformation.ReadBasic.All"), "{output}");
    workdir.write_config(PARTNER);
    workdir.destroy().expect_success();
}

#[test]
fn an_identity_without_permissions_is_told_what_to_grant() {
    acceptance_tests::emulator_only!("app registrations with chosen permissions, and the emulator's known credentials");
    let mut env = EmulatorEnv::start();
    let writer = env.harness();
    let mut applied = writer.workdir();
    applied.write_config(PARTNER);
    applied.apply().expect_success();
    let nobody = as_app(&mut env, "0d0d0d0d-1111-4222-8333-444444444444", &[]);
    let mut workdir = with_state_of(&nobody, &applied, PARTNER);
    let (output, plan) = workdir.plan(&[]);
    assert!(plan.is_none(), "{output}");
    let text = output.unwrapped();
    assert!(text.contains("Failed reading partner configuration"), "{output}");
    assert!(text.contains("needs the Microsoft Graph application permission Policy.Read.All"), "{output}");
    applied.destroy().expect_success();
}
