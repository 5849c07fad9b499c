//! The invalid-configuration corpus: configurations users get wrong, each of which must fail in `terraform validate`
//! or `terraform plan` with a diagnostic that names the attribute at fault, and must never reach Microsoft Graph
//! with a write (checked against the emulator's statistics after every case).
//!
//! Most mistakes are caught by `terraform validate` already. A few only appear once values are known: input
//! variables are unknown to `validate`, so a bad variable default passes it and fails `plan` instead; those cases
//! also assert that `validate` passes, to show the plan-time check is what catches them.

use acceptance_tests::entra::{Fixture, tenants};

/// Where a case must fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// `terraform validate` (and therefore `plan`) fails.
    Validate,
    /// `terraform validate` passes, `terraform plan` fails.
    Plan,
}

/// One invalid configuration.
struct Case {
    /// What is wrong, for failure messages.
    name: &'static str,
    phase: Phase,
    hcl: String,
    /// A regular expression the (whitespace-collapsed) error output must match; it names the attribute.
    expect: &'static str,
}

fn case(name: &'static str, phase: Phase, hcl: impl Into<String>, expect: &'static str) -> Case {
    Case { name, phase, hcl: hcl.into(), expect }
}

const USERS_ALL: &str = r#"{ access_type = "allowed", targets = [{ target = "AllUsers", target_type = "user" }] }"#;
const APPS_ALL: &str =
    r#"{ access_type = "allowed", targets = [{ target = "AllApplications", target_type = "application" }] }"#;

/// A partner with one extra setting.
fn partner(body: &str) -> String {
    format!("resource \"entra_cross_tenant_partner\" \"p\" {{\n  tenant_id = \"{}\"\n{body}\n}}\n", tenants::TRUESEC)
}

/// A partner whose `b2b_collaboration_inbound` has these two parts.
fn partner_inbound(users: &str, apps: &str) -> String {
    partner(&format!(
        "  b2b_collaboration_inbound = {{\n    users_and_groups = {users}\n    applications = {apps}\n  }}"
    ))
}

fn default(body: &str) -> String {
    format!("resource \"entra_cross_tenant_default\" \"d\" {{\n{body}\n}}\n")
}

fn policy(body: &str) -> String {
    format!("resource \"entra_cross_tenant_access_policy\" \"a\" {{\n{body}\n}}\n")
}

fn identity_sync(body: &str) -> String {
    format!("resource \"entra_cross_tenant_identity_sync\" \"s\" {{\n{body}\n}}\n")
}

fn partner_cases() -> Vec<Case> {
    use Phase::*;
    vec![
        case(
            "tenant id that is not a GUID",
            Validate,
            r#"resource "entra_cross_tenant_partner" "p" { tenant_id = "truesecdetect" }"#,
            r#"tenant_id must be a GUID"#,
        ),
        case(
            "tenant id from a variable that is not a GUID",
            Plan,
            "variable \"partner\" {\n  default = \"truesecdetect.io\"\n}\n\nresource \"entra_cross_tenant_partner\" \
             \"p\" {\n  tenant_id = var.partner\n}\n",
            r#"tenant_id must be a GUID.*truesecdetect\.io"#,
        ),
        case(
            "unknown access type",
            Validate,
            partner_inbound(
                r#"{ access_type = "permitted", targets = [{ target = "AllUsers", target_type = "user" }] }"#,
                APPS_ALL,
            ),
            r#"b2b_collaboration_inbound\.users_and_groups\.access_type must be one of "allowed", "blocked""#,
        ),
        case(
            "unknown target type",
            Validate,
            partner_inbound(
                r#"{ access_type = "allowed", targets = [{ target = "6f546279-4da5-4b53-a095-09ea0cef9971", target_type = "device" }] }"#,
                APPS_ALL,
            ),
            r#"b2b_collaboration_inbound\.users_and_groups\.targets.*"device""#,
        ),
        case(
            "an application target among users and groups",
            Validate,
            partner_inbound(
                r#"{ access_type = "allowed", targets = [{ target = "6f546279-4da5-4b53-a095-09ea0cef9971", target_type = "application" }] }"#,
                APPS_ALL,
            ),
            r#"b2b_collaboration_inbound\.users_and_groups\.targets: target "6f546279.*target_type "application""#,
        ),
        case(
            "AllApplications paired with the user type",
            Validate,
            partner_inbound(
                USERS_ALL,
                r#"{ access_type = "allowed", targets = [{ target = "AllApplications", target_type = "user" }] }"#,
            ),
            r#"b2b_collaboration_inbound\.applications\.targets: the keyword "AllApplications" must have target_type = "application""#,
        ),
        case(
            "AllUsers among applications",
            Validate,
            partner_inbound(
                USERS_ALL,
                r#"{ access_type = "allowed", targets = [{ target = "AllUsers", target_type = "user" }] }"#,
            ),
            r#"b2b_collaboration_inbound\.applications\.targets: "AllUsers" stands for users"#,
        ),
        case(
            "a target that is neither a GUID nor a keyword",
            Validate,
            partner_inbound(
                r#"{ access_type = "allowed", targets = [{ target = "sales-team", target_type = "group" }] }"#,
                APPS_ALL,
            ),
            r#"b2b_collaboration_inbound\.users_and_groups\.targets: "sales-team" must be a user or group object id"#,
        ),
        case(
            "a keyword in the wrong case",
            Validate,
            partner_inbound(
                r#"{ access_type = "allowed", targets = [{ target = "allusers", target_type = "user" }] }"#,
                APPS_ALL,
            ),
            r#"b2b_collaboration_inbound\.users_and_groups\.targets: "allusers" is not a keyword"#,
        ),
        case(
            "AllUsers mixed with a group",
            Validate,
            partner_inbound(
                r#"{ access_type = "allowed", targets = [{ target = "AllUsers", target_type = "user" }, { target = "6f546279-4da5-4b53-a095-09ea0cef9971", target_type = "group" }] }"#,
                APPS_ALL,
            ),
            r#"AllUsers cannot be combined with other targets"#,
        ),
        case(
            "the same group twice in different case",
            Validate,
            partner_inbound(
                r#"{ access_type = "allowed", targets = [{ target = "6F546279-4DA5-4B53-A095-09EA0CEF9971", target_type = "group" }, { target = "6f546279-4da5-4b53-a095-09ea0cef9971", target_type = "group" }] }"#,
                APPS_ALL,
            ),
            r#"b2b_collaboration_inbound\.users_and_groups\.targets: "6F546279.*are the same target"#,
        ),
        case(
            "all users blocked but applications allowed (R1)",
            Validate,
            partner_inbound(
                r#"{ access_type = "blocked", targets = [{ target = "AllUsers", target_type = "user" }] }"#,
                APPS_ALL,
            ),
            r#"b2b_collaboration_inbound\.applications: users_and_groups blocks AllUsers"#,
        ),
        case(
            "users allowed but every application blocked (R2)",
            Validate,
            partner(&format!(
                "  b2b_direct_connect_outbound = {{\n    users_and_groups = {USERS_ALL}\n    applications = {{ \
                 access_type = \"blocked\", targets = [{{ target = \"AllApplications\", target_type = \
                 \"application\" }}] }}\n  }}"
            )),
            r#"b2b_direct_connect_outbound\.applications: users_and_groups allows access"#,
        ),
        case(
            "a target configuration without its access type",
            Validate,
            partner_inbound(r#"{ targets = [{ target = "AllUsers", target_type = "user" }] }"#, APPS_ALL),
            r#"attribute "access_type" is required"#,
        ),
        case(
            "device filter mode include/exclude instead of allowed/blocked",
            Validate,
            partner(
                "  tenant_restrictions = {\n    devices = {\n      mode = \"include\"\n      rule = \
                 \"device.deviceAttribute2 -eq 'PAW'\"\n    }\n  }",
            ),
            r#"tenant_restrictions\.devices\.mode must be one of "allowed", "blocked""#,
        ),
        case(
            "specific users in tenant restrictions for the Microsoft Accounts tenant (R11)",
            Validate,
            format!(
                "resource \"entra_cross_tenant_partner\" \"msa\" {{\n  tenant_id = \"{}\"\n  tenant_restrictions = \
                 {{\n    users_and_groups = {{ access_type = \"allowed\", targets = [{{ target = \
                 \"6f546279-4da5-4b53-a095-09ea0cef9971\", target_type = \"group\" }}] }}\n    applications = \
                 {APPS_ALL}\n  }}\n}}\n",
                tenants::MICROSOFT_ACCOUNTS
            ),
            r#"tenant_restrictions\.users_and_groups\.targets: tenant restrictions for the Microsoft Accounts tenant"#,
        ),
        case(
            "an application type among Microsoft 365 collaboration users",
            Validate,
            partner(
                "  m365_collaboration_inbound = {\n    users = { access_type = \"allowed\", targets = [{ target = \
                 \"Office365\", target_type = \"application\" }] }\n  }",
            ),
            r#"m365_collaboration_inbound\.users\.targets: "Office365" stands for applications"#,
        ),
        case(
            "AllUsers as an App Service connect application",
            Validate,
            partner(
                "  app_service_connect_inbound = {\n    applications = { access_type = \"allowed\", targets = [{ \
                 target = \"AllUsers\", target_type = \"user\" }] }\n  }",
            ),
            r#"app_service_connect_inbound\.applications\.targets: "AllUsers" stands for users"#,
        ),
        case(
            "a consent flag that is not a bool",
            Validate,
            partner("  automatic_user_consent_settings = {\n    inbound_allowed = \"sometimes\"\n  }"),
            r#"automatic_user_consent_settings.*inbound_allowed.*bool is required"#,
        ),
        case(
            "a timeout that is not a Go duration",
            Validate,
            partner("  timeouts = {\n    create = \"10 minutes\"\n  }"),
            r#"timeouts\.create: .*10 minutes"#,
        ),
        case(
            "a zero timeout",
            Validate,
            partner("  timeouts = {\n    delete = \"0s\"\n  }"),
            r#"timeouts\.delete.*no time at all"#,
        ),
        case(
            "setting the read-only service provider flag",
            Validate,
            partner("  is_service_provider = false"),
            r#"is_service_provider is set by the provider and cannot be configured"#,
        ),
        case(
            "a target GUID from a variable that is malformed",
            Plan,
            format!(
                "variable \"group\" {{\n  default = \"6f546279-4da5-4b53-a095-09ea0cef99\"\n}}\n\n{}",
                partner(&format!(
                    "  b2b_collaboration_outbound = {{\n    users_and_groups = {{ access_type = \"allowed\", targets = \
                     [{{ target = var.group, target_type = \"group\" }}] }}\n    applications = {APPS_ALL}\n  }}"
                ))
            ),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets: "6f546279-4da5-4b53-a095-09ea0cef99" must be"#,
        ),
    ]
}

fn identity_sync_cases() -> Vec<Case> {
    use Phase::*;
    vec![
        case(
            "identity sync for a tenant id that is not a GUID",
            Validate,
            identity_sync("  tenant_id = \"contoso.com\""),
            r#"tenant_id must be a GUID"#,
        ),
        case(
            "a sync flag that is not a bool",
            Validate,
            identity_sync(&format!(
                "  tenant_id = \"{}\"\n  user_sync_inbound = {{\n    is_sync_allowed = \"maybe\"\n  }}",
                tenants::CONTOSO
            )),
            r#"user_sync_inbound.*is_sync_allowed.*bool is required"#,
        ),
        case(
            "identity sync without a tenant id",
            Validate,
            identity_sync("  display_name = \"Contoso\""),
            r#"argument "tenant_id" is required"#,
        ),
    ]
}

fn default_cases() -> Vec<Case> {
    use Phase::*;
    vec![
        case(
            "a group targeted by the default's inbound B2B collaboration (R3)",
            Validate,
            default(&format!(
                "  b2b_collaboration_inbound = {{\n    users_and_groups = {{ access_type = \"allowed\", targets = [{{ \
                 target = \"6f546279-4da5-4b53-a095-09ea0cef9971\", target_type = \"group\" }}] }}\n    applications \
                 = {APPS_ALL}\n  }}"
            )),
            r#"b2b_collaboration_inbound\.users_and_groups\.targets: the default configuration's inbound settings cannot target specific users or groups"#,
        ),
        case(
            "a user targeted by the default's inbound B2B direct connect (R3)",
            Validate,
            default(
                "  b2b_direct_connect_inbound = {\n    users_and_groups = { access_type = \"allowed\", targets = [{ \
                 target = \"a1b2c3d4-0000-0000-0000-00000000aaaa\", target_type = \"user\" }] }\n  }",
            ),
            r#"b2b_direct_connect_inbound\.users_and_groups\.targets: the default configuration's inbound settings"#,
        ),
        case(
            "a group targeted by the default's tenant restrictions (R4)",
            Validate,
            default(
                "  tenant_restrictions = {\n    users_and_groups = { access_type = \"blocked\", targets = [{ target = \
                 \"6f546279-4da5-4b53-a095-09ea0cef9971\", target_type = \"group\" }] }\n  }",
            ),
            r#"tenant_restrictions\.users_and_groups\.targets: the default configuration's tenant restrictions"#,
        ),
        case(
            "all users blocked inbound while the omitted applications stay at the allowed service default",
            Validate,
            default(
                "  b2b_collaboration_inbound = {\n    users_and_groups = { access_type = \"blocked\", targets = [{ \
                 target = \"AllUsers\", target_type = \"user\" }] }\n  }",
            ),
            r#"b2b_collaboration_inbound\.applications: users_and_groups blocks AllUsers.*service default"#,
        ),
        case(
            "a fallback identity provider in the primary list",
            Validate,
            default(
                "  invitation_redemption_identity_provider_configuration = {\n    \
                 primary_identity_provider_precedence_order = [\"azureActiveDirectory\", \"microsoftAccount\"]\n  }",
            ),
            r#"invitation_redemption_identity_provider_configuration\.primary_identity_provider_precedence_order\[1\] must be one of"#,
        ),
        case(
            "a primary identity provider as the fallback",
            Validate,
            default(
                "  invitation_redemption_identity_provider_configuration = {\n    fallback_identity_provider = \
                 \"azureActiveDirectory\"\n  }",
            ),
            r#"invitation_redemption_identity_provider_configuration\.fallback_identity_provider must be one of"#,
        ),
        case(
            "an identity provider listed twice",
            Validate,
            default(
                "  invitation_redemption_identity_provider_configuration = {\n    \
                 primary_identity_provider_precedence_order = [\"externalFederation\", \"externalFederation\"]\n  }",
            ),
            r#"primary_identity_provider_precedence_order: "externalFederation" appears more than once"#,
        ),
        case(
            "setting the read-only automatic user consent on the default",
            Validate,
            default("  automatic_user_consent_settings = {\n    inbound_allowed = true\n  }"),
            r#"automatic_user_consent_settings is set by the provider and cannot be configured"#,
        ),
        case(
            "setting the read-only is_service_default",
            Validate,
            default("  is_service_default = true"),
            r#"is_service_default is set by the provider and cannot be configured"#,
        ),
        case(
            "reset_on_destroy that is not a bool",
            Validate,
            default("  reset_on_destroy = \"sometimes\""),
            r#"Inappropriate value for attribute "reset_on_destroy": a bool is required"#,
        ),
        case(
            "a negative update timeout",
            Validate,
            default("  timeouts = {\n    update = \"-5m\"\n  }"),
            r#"timeouts\.update: .*-5m"#,
        ),
    ]
}

fn policy_cases() -> Vec<Case> {
    use Phase::*;
    vec![
        case(
            "a cloud endpoint Graph does not know",
            Validate,
            policy("  allowed_cloud_endpoints = [\"microsoftonline.de\"]"),
            r#"allowed_cloud_endpoints must be one of "microsoftonline\.com", "microsoftonline\.us", "partner\.microsoftonline\.cn", got "microsoftonline\.de""#,
        ),
        case(
            "a cloud endpoint from a variable with the wrong case",
            Plan,
            "variable \"cloud\" {\n  default = \"MicrosoftOnline.us\"\n}\n\nresource \
             \"entra_cross_tenant_access_policy\" \"a\" {\n  allowed_cloud_endpoints = [var.cloud]\n}\n",
            r#"allowed_cloud_endpoints must be one of.*got "MicrosoftOnline\.us""#,
        ),
        case(
            "setting the read-only display name",
            Validate,
            policy("  display_name = \"My policy\""),
            r#"display_name is set by the provider and cannot be configured"#,
        ),
        case(
            "a read timeout in days",
            Validate,
            policy("  timeouts = {\n    read = \"1d\"\n  }"),
            r#"timeouts\.read: .*1d"#,
        ),
    ]
}

fn data_source_cases() -> Vec<Case> {
    use Phase::*;
    vec![
        case(
            "a tenant lookup by both domain and tenant id",
            Validate,
            format!(
                "data \"entra_tenant_information\" \"t\" {{\n  domain_name = \"contoso.com\"\n  tenant_id   = \
                 \"{}\"\n}}\n",
                tenants::CONTOSO
            ),
            r#"tenant_id: set exactly one of domain_name and tenant_id"#,
        ),
        case(
            "a tenant lookup with nothing to look up",
            Validate,
            "data \"entra_tenant_information\" \"t\" {}\n",
            r#"domain_name: set exactly one of domain_name"#,
        ),
        case(
            "a tenant lookup by a tenant id that is not a GUID",
            Validate,
            "data \"entra_tenant_information\" \"t\" {\n  tenant_id = \"contoso\"\n}\n",
            r#"tenant_id must be a GUID"#,
        ),
        case(
            "setting the computed partner listing",
            Validate,
            "data \"entra_cross_tenant_partners\" \"all\" {\n  tenant_ids = []\n}\n",
            r#"tenant_ids is set by the provider and cannot be configured"#,
        ),
    ]
}

/// Runs every case in one working directory against one emulator (or, live, the tenant), and checks that none
/// wrote to Graph (on the emulator, which logs requests).
fn run(cases: Vec<Case>) {
    let env = Fixture::new();
    let harness = env.harness();
    let mut workdir = harness.workdir();
    let mut failures = Vec::new();
    for case in &cases {
        let writes = env.writes();
        workdir.write_config(&case.hcl);
        workdir.init();
        let validate = workdir.terraform(&["validate", "-no-color"]);
        let output = match case.phase {
            Phase::Validate => validate,
            Phase::Plan => {
                if !validate.success() {
                    failures.push(format!("{}: expected `terraform validate` to pass:\n{validate}", case.name));
                    continue;
                }
                workdir.plan(&[]).0
            }
        };
        let text = output.unwrapped();
        let pattern = regex::Regex::new(case.expect).expect("a valid pattern");
        if output.success() {
            failures.push(format!("{}: expected {:?} to fail:\n{}\n{output}", case.name, case.phase, case.hcl));
        } else if !pattern.is_match(&text) {
            failures.push(format!("{}: the output does not match /{}/:\n{output}", case.name, case.expect));
        } else if !text.contains("Error:") {
            failures.push(format!("{}: no error diagnostic:\n{output}", case.name));
        }
        if let (Some(emulated), Some(writes)) = (env.emulated(), writes)
            && emulated.writes() != writes
        {
            failures.push(format!(
                "{}: {} Graph writes happened: {:?}",
                case.name,
                emulated.writes() - writes,
                emulated.stats().by_route
            ));
        }
    }
    assert!(workdir.state().addresses().is_empty(), "nothing may have been created");
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

#[test]
fn invalid_partner_configurations() {
    run(partner_cases());
}

#[test]
fn invalid_identity_sync_configurations() {
    run(identity_sync_cases());
}

#[test]
fn invalid_default_configurations() {
    run(default_cases());
}

#[test]
fn invalid_access_policy_configurations() {
    run(policy_cases());
}

#[test]
fn invalid_data_source_configurations() {
    run(data_source_cases());
}

#[test]
fn the_corpus_has_at_least_thirty_distinct_cases() {
    let all: Vec<Case> = [partner_cases(), identity_sync_cases(), default_cases(), policy_cases(), data_source_cases()]
        .into_iter()
        .flatten()
        .collect();
    let mut names: Vec<&str> = all.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "case names are unique");
    let mut configs: Vec<&str> = all.iter().map(|c| c.hcl.as_str()).collect();
    configs.sort_unstable();
    configs.dedup();
    assert_eq!(configs.len(), all.len(), "configurations are distinct");
    assert!(all.len() >= 30, "only {} cases", all.len());
    assert!(all.iter().filter(|c| c.phase == Phase::Plan).count() >= 2, "some cases need values known at plan");
}
