//! The provider configuration (interface.md §2) with the real terraform binary: credentials and endpoints from the
//! provider block or the `ARM_*` environment, and clear errors when they are missing or wrong.

use acceptance_tests::entra::{EmulatorEnv, tenants};
use acceptance_tests::provider_binary::provider_binary_dir;
use acceptance_tests::{StateCheck, Step};

/// A lookup that makes Terraform configure the provider (a provider that nothing uses is never configured).
const LOOKUP: &str = r#"
data "entra_tenant_information" "fabrikam" {
  domain_name = "fabrikam.com"
}
"#;

#[test]
fn a_configuration_that_selects_no_credential_gets_one_clear_error() {
    acceptance_tests::emulator_only!("provider configuration errors, built from the emulator's credentials");
    let mut env = EmulatorEnv::start();
    env.set_env("ARM_CLIENT_SECRET", None);
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&format!("provider \"entra\" {{}}\n{LOOKUP}"));
    let (output, plan) = workdir.plan(&[]);
    assert!(plan.is_none(), "{output}");
    let text = output.unwrapped();
    assert_eq!(text.matches("Error: ").count(), 1, "exactly one error:\n{output}");
    assert!(text.contains("Error: No credential for Microsoft Graph"), "{output}");
    assert!(text.contains("No usable credential for Microsoft Graph is configured. Methods tried"), "{output}");
    assert!(!text.contains("found no usable"), "the detail is one sentence:\n{output}");
    // It names what was looked for, in the documented order.
    for method in ["secret", "certificate", "OIDC", "managed identity", "Azure CLI"] {
        assert!(text.to_lowercase().contains(&method.to_lowercase()), "{method} is not named:\n{output}");
    }
    assert_eq!(env.stats().token_requests, 0);
}

#[test]
fn a_bad_environment_fails_at_plan_on_that_attribute() {
    acceptance_tests::emulator_only!("provider configuration errors, built from the emulator's credentials");
    let env = EmulatorEnv::start();
    env.harness()
        .test_case()
        .step(Step::expect_error(
            format!("provider \"entra\" {{\n  environment = \"mars\"\n}}\n{LOOKUP}"),
            r#"environment must be one of "global", "usgovernmentl4", "usgovernmentl5", "china", got "mars""#,
        ))
        .run();
    // The same value from ARM_ENVIRONMENT is reported on the same argument at configure time.
    let mut env = EmulatorEnv::start();
    env.set_env("ARM_ENVIRONMENT", Some("mars"));
    env.harness()
        .test_case()
        .step(Step::expect_error(
            format!("provider \"entra\" {{}}\n{LOOKUP}"),
            "Invalid provider setting environment.*environment: .*mars",
        ))
        .run();
    assert_eq!(env.stats().total, 0, "nothing reached Graph");
}

#[test]
fn provider_arguments_take_precedence_over_the_environment() {
    acceptance_tests::emulator_only!("provider configuration errors, built from the emulator's credentials");
    let mut env = EmulatorEnv::start();
    let secret = env.emulator().client_secret().to_owned();
    env.set_env("ARM_CLIENT_SECRET", Some("a-stale-secret"));
    let config = format!("provider \"entra\" {{\n  client_secret = \"{secret}\"\n}}\n{LOOKUP}");
    env.harness()
        .test_case()
        .step(Step::config(config).check(StateCheck::custom("the lookup ran", |state| {
            match state.resource("data.entra_tenant_information.fabrikam") {
                Some(lookup) if lookup["values"]["tenant_id"] == tenants::FABRIKAM => Ok(()),
                other => Err(format!("unexpected lookup: {other:?}")),
            }
        })))
        .run();
}

#[test]
fn a_wrong_secret_is_reported_with_the_credential_in_use() {
    acceptance_tests::emulator_only!("provider configuration errors, built from the emulator's credentials");
    let mut env = EmulatorEnv::start();
    env.set_env("ARM_CLIENT_SECRET", Some("wrong"));
    env.harness()
        .test_case()
        .step(Step::expect_error(
            format!("provider \"entra\" {{}}\n{LOOKUP}"),
            "could not get a Microsoft Graph access token with a client secret",
        ))
        .run();
}

#[test]
fn invalid_tuning_variables_are_reported() {
    acceptance_tests::emulator_only!("provider configuration errors, built from the emulator's credentials");
    let mut env = EmulatorEnv::start();
    env.set_env("ENTRA_CONSISTENCY_MAX_WAIT", Some("a while"));
    env.harness()
        .test_case()
        .step(Step::expect_error(
            format!("provider \"entra\" {{}}\n{LOOKUP}"),
            "Invalid provider environment.*ENTRA_CONSISTENCY_MAX_WAIT",
        ))
        .run();
}

/// The managed path: Terraform starts the real binary, which reads the process environment Terraform passes on.
/// No provider block at all: everything comes from `ARM_*`, `SSL_CERT_FILE` and the `ENTRA_*` tunables.
#[test]
fn configuring_purely_through_arm_environment_variables_works() {
    acceptance_tests::emulator_only!("provider configuration errors, built from the emulator's credentials");
    let env = EmulatorEnv::start();
    let harness = env.managed_harness(&provider_binary_dir());
    let config = format!(
        r#"{LOOKUP}
resource "entra_cross_tenant_partner" "fabrikam" {{
  tenant_id = data.entra_tenant_information.fabrikam.tenant_id

  inbound_trust = {{
    is_mfa_accepted = true
  }}
}}
"#
    );
    harness
        .test_case()
        .step(Step::config(config).check(StateCheck::attr(
            "entra_cross_tenant_partner.fabrikam",
            "tenant_id",
            tenants::FABRIKAM,
        )))
        .run();
    let stats = env.stats();
    assert!(stats.tokens_issued > 0 && stats.writes >= 2, "the binary talked to this emulator: {stats:?}");
    assert!(env.partner(tenants::FABRIKAM).is_none(), "destroyed");
}
