//! The managed path: Terraform starts the real `terraform-provider-entra` binary itself (found through a
//! `dev_overrides` CLI configuration), with go-plugin's AutoMTLS, exactly as for users.

use acceptance_tests::provider_binary::provider_binary_dir;
use acceptance_tests::{Harness, Step};

/// The provider arguments of interface.md §2, and whether each is sensitive.
const ARGUMENTS: [(&str, bool); 19] = [
    ("ado_pipeline_service_connection_id", false),
    ("authority_host", false),
    ("client_certificate", true),
    ("client_certificate_password", true),
    ("client_certificate_path", false),
    ("client_id", false),
    ("client_secret", true),
    ("environment", false),
    ("graph_endpoint", false),
    ("msi_endpoint", false),
    ("oidc_request_token", true),
    ("oidc_request_url", false),
    ("oidc_token", true),
    ("oidc_token_file_path", false),
    ("tenant_id", false),
    ("use_aks_workload_identity", false),
    ("use_cli", false),
    ("use_msi", false),
    ("use_oidc", false),
];

#[test]
fn terraform_reads_the_provider_schema_through_automtls() {
    let harness = Harness::dev_override(&provider_binary_dir(), "entra-tools/entra");
    let mut workdir = harness.workdir();
    workdir.write_config("provider \"entra\" {}\n");

    let output = workdir.terraform(&["providers", "schema", "-json"]).expect_success();
    let schemas: serde_json::Value = serde_json::from_str(&output.stdout).expect("schema JSON");
    let provider = &schemas["provider_schemas"]["registry.terraform.io/entra-tools/entra"]["provider"]["block"];
    let attributes = provider["attributes"].as_object().expect("provider attributes");
    let names: Vec<&str> = attributes.keys().map(String::as_str).collect();
    let expected: Vec<&str> = ARGUMENTS.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, expected);
    for (name, sensitive) in ARGUMENTS {
        let attribute = &attributes[name];
        assert_eq!(attribute["optional"], true, "{name}");
        assert_eq!(attribute["sensitive"].as_bool().unwrap_or(false), sensitive, "{name}");
        assert_eq!(attribute["description_kind"], "markdown", "{name}");
    }
    assert_eq!(attributes["environment"]["type"], "string");
    assert_eq!(attributes["use_msi"]["type"], "bool");
}

#[test]
fn plan_with_an_empty_configuration_works_through_automtls() {
    let harness = Harness::dev_override(&provider_binary_dir(), "entra-tools/entra");
    let mut workdir = harness.workdir();
    workdir.write_config("provider \"entra\" {}\n");
    let output = workdir.terraform(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(output.code, Some(0), "{output}");
    assert!(output.stdout.contains("No changes"), "{output}");
    // dev_overrides are in effect: Terraform ran our binary rather than a downloaded one.
    assert!(output.combined().contains("Provider development overrides are in effect"), "{output}");
}

#[test]
fn a_full_test_case_runs_on_the_managed_path() {
    // No resources ship yet, so the case is a plan-only step; it exercises the same step machinery as reattach.
    let harness = Harness::dev_override(&provider_binary_dir(), "entra-tools/entra");
    harness.test_case().step(Step::plan_only("provider \"entra\" { environment = \"china\" }\n").expect_empty()).run();
}
