//! The provider's logs reach Terraform's log the way Go providers' do: Terraform starts the real binary, reads the
//! hclog JSON lines on its stderr and writes them to `TF_LOG_PATH` at the level `TF_LOG_PROVIDER` asks for. At DEBUG
//! each Graph request shows with its request id and duration; at TRACE the bodies show too; at no level does a
//! credential or an access token.

use acceptance_tests::entra::EmulatorEnv;
use acceptance_tests::entra::tenants::FABRIKAM;
use acceptance_tests::provider_binary::provider_binary_dir;

const CONFIG: &str = r#"
data "entra_tenant_information" "fabrikam" {
  domain_name = "fabrikam.com"
}

resource "entra_cross_tenant_partner" "fabrikam" {
  tenant_id = data.entra_tenant_information.fabrikam.tenant_id

  inbound_trust = {
    is_mfa_accepted = true
  }
}
"#;

/// Runs `terraform apply` then `destroy` of `config` with the provider logging at `level` into a file, and returns
/// the log.
fn log_of_apply_and_destroy(env: &EmulatorEnv, level: &str, config: &str) -> String {
    let scratch = tempfile::tempdir().expect("temp dir");
    let log_path = scratch.path().join("terraform.log");
    let harness = env
        .managed_harness(&provider_binary_dir())
        .with_env([("TF_LOG_PROVIDER", level.to_owned()), ("TF_LOG_PATH", log_path.display().to_string())]);
    let mut workdir = harness.workdir();
    workdir.write_config(config);
    workdir.apply().expect_success();
    assert!(env.partner(FABRIKAM).is_some(), "the apply created the partner");
    workdir.destroy().expect_success();
    std::fs::read_to_string(&log_path).expect("terraform wrote the log file")
}

/// Lines the provider logged (Terraform prefixes them with the plugin's name).
fn provider_lines(log: &str) -> Vec<&str> {
    log.lines().filter(|line| line.contains("provider.terraform-provider-entra")).collect()
}

/// What an access token looks like: a JWT (its base64 header starts with `eyJ`), or the emulator's opaque tokens
/// (`emu.` and 64 hex digits).
fn token_pattern() -> regex::Regex {
    regex::Regex::new(r"eyJ[A-Za-z0-9_-]{8,}|emu\.[0-9a-f]{64}").expect("valid pattern")
}

/// Credentials must never be logged: not the client secret, not an access token, not an `Authorization` header.
#[track_caller]
fn assert_no_secrets(env: &EmulatorEnv, log: &str) {
    let secret = &env.env()["ARM_CLIENT_SECRET"];
    let tokens = token_pattern();
    // The pattern must recognise the tokens this emulator issues, or a leak would go unnoticed.
    let sample = env.emulator().access_token();
    assert!(tokens.is_match(&sample), "the token pattern does not recognise the emulator's tokens: {sample}");
    for (i, line) in log.lines().enumerate() {
        assert!(!line.contains(secret.as_str()), "line {} of the log contains the client secret: {line}", i + 1);
        assert!(!tokens.is_match(line), "line {} of the log contains an access token: {line}", i + 1);
        assert!(!line.to_ascii_lowercase().contains("bearer "), "line {} has an Authorization header: {line}", i + 1);
    }
}

#[test]
fn debug_logs_show_graph_requests_with_their_request_ids_and_no_bodies() {
    acceptance_tests::emulator_only!("searches the logs for the emulator's known credentials");
    let env = EmulatorEnv::start();
    let log = log_of_apply_and_destroy(&env, "DEBUG", CONFIG);
    let lines = provider_lines(&log);
    assert!(!lines.is_empty(), "no provider lines in the log:\n{log}");

    // A DEBUG line per Graph request, at Terraform's [DEBUG] level, with the ids support needs and the duration.
    let requests: Vec<&&str> = lines.iter().filter(|l| l.contains("Graph request") && l.contains("[DEBUG]")).collect();
    assert!(!requests.is_empty(), "no Graph request lines:\n{}", lines.join("\n"));
    let partner_post = requests
        .iter()
        .find(|l| l.contains("method=POST") && l.contains("/policies/crossTenantAccessPolicy/partners"))
        .unwrap_or_else(|| panic!("no line for the partner's POST:\n{}", lines.join("\n")));
    let request_id = field(partner_post, "request_id").unwrap_or_else(|| panic!("no request_id in {partner_post}"));
    assert!(is_guid(request_id), "request_id={request_id:?} is Graph's request-id header (a GUID): {partner_post}");
    assert!(field(partner_post, "client_request_id").is_some_and(is_guid), "{partner_post}");
    assert!(field(partner_post, "elapsed_ms").is_some_and(|ms| ms.parse::<u64>().is_ok()), "{partner_post}");
    assert!(field(partner_post, "status") == Some("201"), "{partner_post}");

    // Bodies are TRACE only.
    assert!(!log.contains("Graph response body") && !log.contains("Graph request body"), "bodies at DEBUG:\n{log}");
    assert!(!log.contains("[TRACE] provider.terraform-provider-entra"), "TRACE lines at DEBUG level");
    assert_no_secrets(&env, &log);
}

#[test]
fn trace_logs_add_bodies_and_still_no_credentials() {
    acceptance_tests::emulator_only!("searches the logs for the emulator's known credentials");
    let env = EmulatorEnv::start();
    let secret = env.env()["ARM_CLIENT_SECRET"].clone();
    // The secret also travels in the provider configuration, the way a careless configuration passes it.
    let config = format!("provider \"entra\" {{\n  client_secret = \"{secret}\"\n}}\n{CONFIG}");
    let log = log_of_apply_and_destroy(&env, "TRACE", &config);
    let lines = provider_lines(&log);

    let request_body = lines
        .iter()
        .find(|l| l.contains("Graph request body") && l.contains("[TRACE]"))
        .unwrap_or_else(|| panic!("no request body at TRACE:\n{}", lines.join("\n")));
    assert!(request_body.contains("isMfaAccepted"), "the POST body carries the partner's settings: {request_body}");
    let response_body = lines
        .iter()
        .find(|l| l.contains("Graph response body") && l.contains(FABRIKAM))
        .unwrap_or_else(|| panic!("no response body naming the partner:\n{}", lines.join("\n")));
    assert!(response_body.contains("[TRACE]"), "{response_body}");
    // DEBUG lines are still there at TRACE.
    assert!(lines.iter().any(|l| l.contains("[DEBUG]") && l.contains("Graph request")), "no DEBUG request lines");
    assert_no_secrets(&env, &log);
}

/// The value of `name=value` in a log line (Terraform writes plugin fields that way).
fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=");
    let start = line.find(&needle)? + needle.len();
    let rest = &line[start..];
    let value = rest.split_whitespace().next()?;
    Some(value.trim_matches('"'))
}

fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}
