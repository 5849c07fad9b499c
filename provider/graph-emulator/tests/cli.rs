//! The `entra-graph-emulator` binary: state file, CA file, a token and a partner list with a client that trusts only
//! the CA file, one log line per request, flags, and a clean shutdown on SIGTERM.

mod common;

use std::io::Read as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_entra-graph-emulator");
const PROVIDER_TENANT: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";

/// Waits for the state file the emulator writes once ready.
fn wait_for_state(child: &mut Child, path: &Path) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return serde_json::from_str(&text).expect("the state file is complete JSON");
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
            panic!("the emulator exited early with {status}: {stderr}");
        }
        assert!(Instant::now() < deadline, "no state file after 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn terminate(child: &mut Child) -> (std::process::ExitStatus, String) {
    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (status, stderr)
}

#[tokio::test]
async fn runs_from_the_command_line_and_serves_curl_style_clients() {
    let dir = tempfile::tempdir().unwrap();
    let state_path = dir.path().join("emulator.json");
    let faults_path = dir.path().join("faults.json");
    std::fs::write(&faults_path, json!({"latency_ms": 1}).to_string()).unwrap();
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--state-file"])
        .arg(&state_path)
        .args(["--page-size", "1", "--service-provider-partner", PROVIDER_TENANT, "--faults-file"])
        .arg(&faults_path)
        .args(["--malformed", "html-bad-gateway:1000:GET", "--retry-after", "omit", "--disable-rule", "R8"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let state = wait_for_state(&mut child, &state_path);
    for key in ["endpoint", "ca_cert_file", "tenant_id", "client_id", "client_secret"] {
        assert!(state[key].is_string(), "{key} missing from {state}");
    }
    let endpoint = state["endpoint"].as_str().unwrap();
    assert!(endpoint.starts_with("https://127.0.0.1:"));
    let ca = std::fs::read_to_string(state["ca_cert_file"].as_str().unwrap()).unwrap();
    let http = common::https_client(&ca);

    let token = http
        .post(format!("{endpoint}/{}/oauth2/v2.0/token", state["tenant_id"].as_str().unwrap()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", state["client_id"].as_str().unwrap()),
            ("client_secret", state["client_secret"].as_str().unwrap()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    let token: Value = token.json().await.unwrap();
    let token = token["access_token"].as_str().unwrap();
    let partners = http
        .get(format!("{endpoint}/v1.0/policies/crossTenantAccessPolicy/partners"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(partners.status(), 200);
    let request_id = partners.headers()["request-id"].to_str().unwrap().to_owned();
    let partners: Value = partners.json().await.unwrap();
    assert_eq!(partners["value"][0]["tenantId"], PROVIDER_TENANT);
    assert_eq!(partners["value"][0]["isServiceProvider"], true);
    // R8 was disabled on the command line.
    let patch = http
        .patch(format!("{endpoint}/v1.0/policies/crossTenantAccessPolicy"))
        .bearer_auth(token)
        .json(&json!({"allowedCloudEndpoints": ["example.com"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 204);
    // The faults file and flags were applied.
    let faults: Value = http.get(format!("{endpoint}/_emulator/faults")).send().await.unwrap().json().await.unwrap();
    assert_eq!(faults["latency_ms"], 1);
    assert_eq!(faults["malformed"][0]["kind"], "html_bad_gateway");

    let (status, stderr) = terminate(&mut child);
    assert!(status.success(), "{status}: {stderr}");
    assert!(!state_path.exists(), "the state file is removed on exit");
    let line = stderr
        .lines()
        .find(|l| l.contains(&request_id))
        .unwrap_or_else(|| panic!("no log line for {request_id} in {stderr}"));
    assert!(line.contains("GET /v1.0/policies/crossTenantAccessPolicy/partners 200"), "{line}");
    assert!(line.contains("ms "), "{line}");
    assert!(stderr.contains("POST /") && stderr.contains("/oauth2/v2.0/token 200"));
}

#[test]
fn help_documents_the_flags() {
    let output = Command::new(BINARY).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--listen",
        "--state-file",
        "--tenant-id",
        "--client-id",
        "--client-secret",
        "--client-certificate",
        "--page-size",
        "--directory-file",
        "--service-provider-partner",
        "--msi-http-listen",
        "--merge-mode",
        "--disable-rule",
        "--enable-rule",
        "--seed",
        "--faults-file",
        "--latency-ms",
        "--throttle-every",
        "--throttle-rate",
        "--throttle-bucket",
        "--retry-after",
        "--throttle-headers",
        "--unavailable-every",
        "--gateway-timeout-every",
        "--reset-before-write-every",
        "--reset-after-write-every",
        "--lag-ms",
        "--service-principal-lag-ms",
        "--tenants",
        "--tenants-file",
        "--reserve-deleted-ms",
        "--write-lock-ms",
        "--malformed",
        "--fault-token-endpoint",
        "--admin-key",
        "--token-lifetime-secs",
    ] {
        assert!(help.contains(flag), "--help does not mention {flag}");
    }
}

#[test]
fn bad_flags_fail_with_a_message() {
    for args in [
        vec!["--disable-rule", "R99"],
        vec!["--malformed", "sideways"],
        vec!["--throttle-bucket", "12"],
        vec!["--retry-after", "soon"],
        vec!["--tenant-id", "not-a-guid"],
        vec!["--directory-file", "/nonexistent/directory.json"],
        vec!["--tenants-file", "/nonexistent/tenants.json"],
    ] {
        let output = Command::new(BINARY).args(&args).output().unwrap();
        assert!(!output.status.success(), "{args:?} should fail");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.trim().is_empty(), "{args:?} printed nothing");
    }
}

#[tokio::test]
async fn directory_file_and_fault_flags_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let state_path = dir.path().join("state.json");
    let directory = dir.path().join("directory.json");
    std::fs::write(
        &directory,
        json!({"tenants": [{"tenantId": PROVIDER_TENANT, "displayName": "Only One", "defaultDomainName": "one.example"}]}).to_string(),
    )
    .unwrap();
    let mut child = Command::new(BINARY)
        .args(["--state-file"])
        .arg(&state_path)
        .arg("--directory-file")
        .arg(&directory)
        .args(["--throttle-every", "2", "--retry-after", "5", "--throttle-headers", "--msi-http-listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let state = wait_for_state(&mut child, &state_path);
    assert!(state["managed_identity_http_endpoint"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    let endpoint = state["endpoint"].as_str().unwrap();
    let http = common::https_client(&std::fs::read_to_string(state["ca_cert_file"].as_str().unwrap()).unwrap());
    let token: Value = http
        .post(state["token_endpoint"].as_str().unwrap())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", state["client_id"].as_str().unwrap()),
            ("client_secret", state["client_secret"].as_str().unwrap()),
            ("scope", state["graph_scope"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap();
    let lookup =
        format!("{endpoint}/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='one.example')");
    let first = http.get(&lookup).bearer_auth(token).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let second = http.get(&lookup).bearer_auth(token).send().await.unwrap();
    assert_eq!(second.status(), 429);
    assert_eq!(second.headers()["retry-after"], "5");
    let contoso = http
        .get(format!("{endpoint}/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='contoso.com')"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(contoso.status(), 404, "the directory file replaces the shipped fixture");
    let (status, _) = terminate(&mut child);
    assert!(status.success());
}

#[tokio::test]
async fn the_state_file_lists_every_tenant_and_a_tenants_file_replaces_them() {
    let dir = tempfile::tempdir().unwrap();
    let state_path = dir.path().join("emulator.json");
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--tenants", "3", "--state-file"])
        .arg(&state_path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let state = wait_for_state(&mut child, &state_path);
    terminate(&mut child);
    let tenants = state["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 3);
    // The top-level keys stay the first tenant's.
    assert_eq!(tenants[0]["tenant_id"], state["tenant_id"]);
    assert_eq!(tenants[0]["client_id"], state["client_id"]);
    assert_eq!(tenants[0]["client_secret"], state["client_secret"]);
    assert_eq!(tenants[1]["tenant_id"], "7e4a0000-0000-4000-8000-000000000002");
    assert_eq!(tenants[2]["default_domain_name"], "emulator-3.onmicrosoft.com");
    assert_eq!(
        tenants[1]["users"][0],
        json!({"id": "a5e40000-0002-4000-8000-000000000001", "display_name": "Adele Vance"})
    );
    assert_eq!(
        tenants[1]["groups"][1],
        json!({"id": "96a00000-0002-4000-8000-000000000002", "display_name": "Engineering"})
    );

    // A state file is a valid tenants file: the same tenants again, the third one first.
    let tenants_path = dir.path().join("tenants.json");
    let reordered = json!({"tenants": [tenants[2], tenants[0]]});
    std::fs::write(&tenants_path, reordered.to_string()).unwrap();
    let second_state = dir.path().join("second.json");
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--tenants-file"])
        .arg(&tenants_path)
        .arg("--state-file")
        .arg(&second_state)
        .args(["--service-principal-lag-ms", "1500"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let state = wait_for_state(&mut child, &second_state);
    let ca = std::fs::read_to_string(state["ca_cert_file"].as_str().unwrap()).unwrap();
    let faults: Value = common::https_client(&ca)
        .get(format!("{}/_emulator/faults", state["endpoint"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    terminate(&mut child);
    assert_eq!(faults["service_principal_lag_ms"], 1500);
    assert_eq!(state["tenant_id"], "7e4a0000-0000-4000-8000-000000000003");
    assert_eq!(state["tenants"].as_array().unwrap().len(), 2);
    assert_eq!(state["tenants"][1]["tenant_id"], entra_graph_emulator::DEFAULT_TENANT_ID);
}
