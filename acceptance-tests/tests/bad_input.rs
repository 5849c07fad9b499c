//! Bad input, from both sides.
//!
//! From the configuration: a corpus of invalid configurations beyond the everyday mistakes of
//! `invalid_configs.rs` — huge target sets, duplicate targets, Unicode and whitespace in ids, empty strings,
//! `null` where a value or an element is needed, and values that only become known (and wrong) during apply, taken
//! from other resources. Each must fail with a diagnostic that names the attribute, within a bounded time, without a
//! crash and without a single Graph write.
//!
//! From Microsoft Graph: malformed responses (truncated JSON, wrong JSON types, `unknownFutureValue`, extra and
//! missing properties, HTML error pages, 200 with an error body), on reads and on writes, always or now and then.
//! Each must end in a clear diagnostic or a tolerant success, never a crash or a hang, and never in a state that
//! disagrees with Graph.

mod reliability_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use acceptance_tests::entra::{EmulatorEnv, tenants};
use acceptance_tests::{Output, WorkDir};
use entra_graph_emulator::{FaultRule, Faults, MalformedFault, MalformedKind};
use reliability_support::state_matches_emulator;

/// Where a case must fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// `terraform validate` fails.
    Validate,
    /// `terraform validate` and `plan` pass (the value comes from another resource and is unknown until apply);
    /// `terraform apply` fails before the provider writes anything.
    Apply,
}

struct Case {
    name: &'static str,
    phase: Phase,
    hcl: String,
    /// A regular expression the whitespace-collapsed output must match; it names the attribute at fault.
    expect: String,
}

fn case(name: &'static str, phase: Phase, hcl: impl Into<String>, expect: impl Into<String>) -> Case {
    Case { name, phase, hcl: hcl.into(), expect: expect.into() }
}

const PARTNER: &str = tenants::TRUESEC;
const APPS_ALL: &str =
    r#"{ access_type = "allowed", targets = [{ target = "AllApplications", target_type = "application" }] }"#;

fn partner_with_tenant(tenant_hcl: &str) -> String {
    format!("resource \"entra_cross_tenant_partner\" \"p\" {{\n  tenant_id = {tenant_hcl}\n}}\n")
}

fn partner(body: &str) -> String {
    format!("resource \"entra_cross_tenant_partner\" \"p\" {{\n  tenant_id = \"{PARTNER}\"\n{body}\n}}\n")
}

/// A partner whose outbound B2B collaboration allows these users and groups (all applications).
fn outbound_users(users: &str) -> String {
    partner(&format!(
        "  b2b_collaboration_outbound = {{\n    users_and_groups = {users}\n    applications = {APPS_ALL}\n  }}"
    ))
}

fn targets(items: &[String]) -> String {
    format!("{{ access_type = \"allowed\", targets = [{}] }}", items.join(", "))
}

fn target(id: &str, kind: &str) -> String {
    format!("{{ target = \"{id}\", target_type = \"{kind}\" }}")
}

fn group(n: usize) -> String {
    format!("{n:08x}-1234-4abc-8def-0123456789ab")
}

/// A value that is unknown until `terraform_data.v` is applied.
fn from_data(input_hcl: &str, resource: &str) -> String {
    format!("resource \"terraform_data\" \"v\" {{\n  input = {input_hcl}\n}}\n\n{resource}")
}

fn validate_cases() -> Vec<Case> {
    use Phase::Validate;
    let tenant_error = "tenant_id must be a GUID";
    let huge_bad: Vec<String> =
        (0..3000).map(|n| target(&group(n), "group")).chain([target("not-a-group", "group")]).collect();
    let huge_mixed: Vec<String> =
        (0..2000).map(|n| target(&group(n), "group")).chain([target("AllUsers", "user")]).collect();
    let huge_duplicates: Vec<String> =
        (0..500).flat_map(|n| [target(&group(n), "group"), target(&group(n).to_ascii_uppercase(), "group")]).collect();
    vec![
        case(
            "tenant id written as null",
            Validate,
            partner_with_tenant("null"),
            "tenant_id is required and cannot be null",
        ),
        case("empty tenant id", Validate, partner_with_tenant("\"\""), tenant_error),
        case("tenant id with a leading space", Validate, partner_with_tenant(&format!("\" {PARTNER}\"")), tenant_error),
        case(
            "tenant id with a trailing newline",
            Validate,
            partner_with_tenant(&format!("\"{PARTNER}\\n\"")),
            tenant_error,
        ),
        case(
            "tenant id with a zero-width space",
            Validate,
            partner_with_tenant(&format!("\"{PARTNER}\\u200b\"")),
            // The invisible character is shown escaped, so the user can see what is wrong.
            r#"tenant_id must be a GUID .*got "07d2f395-f69c-43ab-88a2-b82f1151042d\\u\{200b\}""#,
        ),
        case(
            "tenant id with a full-width digit",
            Validate,
            partner_with_tenant(&format!("\"{}\"", PARTNER.replacen('0', "\u{ff10}", 1))),
            tenant_error,
        ),
        case(
            "tenant id with a Cyrillic letter that looks Latin",
            Validate,
            partner_with_tenant(&format!("\"{}\"", PARTNER.replacen('a', "\u{0430}", 1))),
            tenant_error,
        ),
        case("tenant id in braces", Validate, partner_with_tenant(&format!("\"{{{PARTNER}}}\"")), tenant_error),
        case(
            "tenant id without dashes",
            Validate,
            partner_with_tenant(&format!("\"{}\"", PARTNER.replace('-', ""))),
            tenant_error,
        ),
        case(
            "identity sync tenant id written as null",
            Validate,
            "resource \"entra_cross_tenant_identity_sync\" \"s\" {\n  tenant_id = null\n}\n",
            "tenant_id is required and cannot be null",
        ),
        case(
            "an empty target",
            Validate,
            outbound_users(&targets(&[target("", "group")])),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets: "" must be"#,
        ),
        case(
            "a target GUID with a leading space",
            Validate,
            outbound_users(&targets(&[target(&format!(" {}", group(1)), "group")])),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets: " 00000001-.*" must be"#,
        ),
        case(
            "a keyword with a trailing space",
            Validate,
            outbound_users(&targets(&[target("AllUsers ", "user")])),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets: "AllUsers " must be"#,
        ),
        case(
            "a target GUID with a full-width digit",
            Validate,
            outbound_users(&targets(&[target(&group(1).replacen('1', "\u{ff11}", 1), "group")])),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets: .* must be a user or group object id"#,
        ),
        case(
            "null inside a target set",
            Validate,
            outbound_users(r#"{ access_type = "allowed", targets = [null] }"#),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets contains a null element"#,
        ),
        case(
            "targets written as null",
            Validate,
            outbound_users(r#"{ access_type = "allowed", targets = null }"#),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets is required and cannot be null"#,
        ),
        case(
            "a target written as null",
            Validate,
            outbound_users(r#"{ access_type = "allowed", targets = [{ target = null, target_type = "group" }] }"#),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets.*target is required and cannot be null"#,
        ),
        case(
            "an empty access type",
            Validate,
            outbound_users(r#"{ access_type = "", targets = [{ target = "AllUsers", target_type = "user" }] }"#),
            r#"b2b_collaboration_outbound\.users_and_groups\.access_type must be one of "allowed", "blocked", got """#,
        ),
        case(
            "an access type in title case",
            Validate,
            outbound_users(r#"{ access_type = "Allowed", targets = [{ target = "AllUsers", target_type = "user" }] }"#),
            r#"access_type must be one of "allowed", "blocked", got "Allowed""#,
        ),
        case(
            "a target type in title case",
            Validate,
            outbound_users(&targets(&[target(&group(1), "Group")])),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets\.target_type must be one of .*got "Group""#,
        ),
        case(
            "the same object as a user and as a group",
            Validate,
            outbound_users(&targets(&[target(&group(7), "user"), target(&group(7), "group")])),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets: .* are the same target"#,
        ),
        case(
            "a set of 3,000 targets with one malformed",
            Validate,
            outbound_users(&targets(&huge_bad)),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets: "not-a-group" must be"#,
        ),
        case(
            "AllUsers among 2,000 groups",
            Validate,
            outbound_users(&targets(&huge_mixed)),
            r#"AllUsers cannot be combined with other targets"#,
        ),
        case(
            "500 groups each listed twice in different case",
            Validate,
            outbound_users(&targets(&huge_duplicates)),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets: .* are the same target"#,
        ),
        case(
            "null among the allowed cloud endpoints",
            Validate,
            "resource \"entra_cross_tenant_access_policy\" \"a\" {\n  allowed_cloud_endpoints = [\"microsoftonline.us\", null]\n}\n",
            r#"allowed_cloud_endpoints contains a null element"#,
        ),
        case(
            "an empty cloud endpoint",
            Validate,
            "resource \"entra_cross_tenant_access_policy\" \"a\" {\n  allowed_cloud_endpoints = [\"\"]\n}\n",
            r#"allowed_cloud_endpoints must be one of .*got """#,
        ),
        case(
            "a cloud endpoint with a leading space",
            Validate,
            "resource \"entra_cross_tenant_access_policy\" \"a\" {\n  allowed_cloud_endpoints = [\" microsoftonline.us\"]\n}\n",
            r#"allowed_cloud_endpoints must be one of .*got " microsoftonline\.us""#,
        ),
        case(
            "null in the identity provider order",
            Validate,
            "resource \"entra_cross_tenant_default\" \"d\" {\n  invitation_redemption_identity_provider_configuration = {\n    primary_identity_provider_precedence_order = [\"azureActiveDirectory\", null]\n  }\n}\n",
            r#"primary_identity_provider_precedence_order contains a null element"#,
        ),
        case(
            "an identity provider in Pascal case",
            Validate,
            "resource \"entra_cross_tenant_default\" \"d\" {\n  invitation_redemption_identity_provider_configuration = {\n    primary_identity_provider_precedence_order = [\"AzureActiveDirectory\"]\n  }\n}\n",
            r#"primary_identity_provider_precedence_order\[0\] must be one of"#,
        ),
        case(
            "an empty timeout",
            Validate,
            partner("  timeouts = {\n    create = \"\"\n  }"),
            r#"timeouts\.create: "" is not a duration"#,
        ),
        case(
            "a timeout with a leading space",
            Validate,
            partner("  timeouts = {\n    update = \" 10m\"\n  }"),
            r#"timeouts\.update: " 10m" is not a duration"#,
        ),
        case(
            "a timeout too long to represent",
            Validate,
            partner("  timeouts = {\n    read = \"9999999999999999999h\"\n  }"),
            r#"timeouts\.read: "9999999999999999999h" is too long"#,
        ),
        case(
            "a timeout in Arabic-Indic digits",
            Validate,
            partner("  timeouts = {\n    delete = \"\u{0665}m\"\n  }"),
            r#"timeouts\.delete: .* is not a duration"#,
        ),
        case(
            "an empty domain to look up",
            Validate,
            "data \"entra_tenant_information\" \"t\" {\n  domain_name = \"\"\n}\n",
            r#"domain_name must be a domain name such as sso\.osttra\.com, got """#,
        ),
        case(
            "a URL instead of a domain to look up",
            Validate,
            "data \"entra_tenant_information\" \"t\" {\n  domain_name = \"https://contoso.com/\"\n}\n",
            r#"domain_name must be a domain name.*got "https://contoso\.com/""#,
        ),
        case(
            "a domain with a space inside",
            Validate,
            "data \"entra_tenant_information\" \"t\" {\n  domain_name = \"contoso .com\"\n}\n",
            r#"domain_name must be a domain name.*got "contoso \.com""#,
        ),
    ]
}

fn apply_cases() -> Vec<Case> {
    use Phase::Apply;
    vec![
        case(
            "a tenant id that turns out null",
            Apply,
            // `id` is unknown until apply, so the whole expression is.
            from_data("\"x\"", &partner_with_tenant("terraform_data.v.id != \"\" ? null : \"x\"")),
            "tenant_id is required and cannot be null",
        ),
        case(
            "targets that turn out to hold a null",
            Apply,
            from_data(
                "[\"AllUsers\", null]",
                &outbound_users(
                    "{ access_type = \"allowed\", targets = [for t in terraform_data.v.output : { target = t, \
                     target_type = \"user\" }] }",
                ),
            ),
            r#"b2b_collaboration_outbound\.users_and_groups\.targets.*target is required and cannot be null"#,
        ),
        case(
            "cloud endpoints that turn out to hold a null",
            Apply,
            from_data(
                "[\"microsoftonline.us\", null]",
                "resource \"entra_cross_tenant_access_policy\" \"a\" {\n  allowed_cloud_endpoints = \
                 terraform_data.v.output\n}\n",
            ),
            r#"allowed_cloud_endpoints contains a null element"#,
        ),
        case(
            "an access type that turns out invalid",
            Apply,
            from_data(
                "\"permitted\"",
                &outbound_users(
                    "{ access_type = terraform_data.v.output, targets = [{ target = \"AllUsers\", target_type = \
                     \"user\" }] }",
                ),
            ),
            r#"b2b_collaboration_outbound\.users_and_groups\.access_type must be one of "allowed", "blocked", got "permitted""#,
        ),
        case(
            "a timeout that turns out not to be a duration",
            Apply,
            from_data("\"10 minutes\"", &partner("  timeouts = {\n    create = terraform_data.v.output\n  }")),
            r#"timeouts\.create: "10 minutes" is not a duration"#,
        ),
        case(
            "an identity sync tenant id that turns out to be a domain",
            Apply,
            from_data(
                "\"contoso.com\"",
                "resource \"entra_cross_tenant_identity_sync\" \"s\" {\n  tenant_id = terraform_data.v.output\n}\n",
            ),
            r#"tenant_id must be a GUID .*got "contoso\.com""#,
        ),
        case(
            "users blocked from a value known at apply while applications stay allowed (R1)",
            Apply,
            from_data(
                "\"blocked\"",
                &outbound_users(
                    "{ access_type = terraform_data.v.output, targets = [{ target = \"AllUsers\", target_type = \
                     \"user\" }] }",
                ),
            ),
            r#"b2b_collaboration_outbound\.applications: users_and_groups blocks AllUsers"#,
        ),
        case(
            "a domain to look up that turns out empty",
            Apply,
            from_data(
                "\"\"",
                "data \"entra_tenant_information\" \"t\" {\n  domain_name = terraform_data.v.output\n}\n\nresource \
                 \"entra_cross_tenant_partner\" \"p\" {\n  tenant_id = data.entra_tenant_information.t.tenant_id\n}\n",
            ),
            r#"domain_name must be a domain name.*got """#,
        ),
    ]
}

/// Runs every case in one working directory against one emulator, checking each fails where and how it should,
/// quickly, without a crash, and without a Graph write.
fn run(cases: Vec<Case>) {
    let env = EmulatorEnv::start();
    let harness = env.harness();
    let mut workdir = harness.workdir();
    let mut failures = Vec::new();
    for case in &cases {
        let writes = env.writes();
        let started = Instant::now();
        workdir.write_config(&case.hcl);
        workdir.init();
        let validate = workdir.terraform(&["validate", "-no-color"]);
        let output = match case.phase {
            Phase::Validate => validate,
            Phase::Apply => {
                if !validate.success() {
                    failures.push(format!("{}: expected `terraform validate` to pass:\n{validate}", case.name));
                    continue;
                }
                let (plan, saved) = workdir.plan(&[]);
                if saved.is_none() {
                    failures.push(format!("{}: expected `terraform plan` to pass:\n{plan}", case.name));
                    continue;
                }
                workdir.apply()
            }
        };
        let elapsed = started.elapsed();
        if let Err(problem) = check(case, &output) {
            failures.push(format!("{}: {problem}", case.name));
        }
        if elapsed > Duration::from_secs(60) {
            failures.push(format!("{}: took {elapsed:?}", case.name));
        }
        if env.writes() != writes {
            failures.push(format!("{}: Graph writes happened: {:?}", case.name, env.stats().by_route));
        }
    }
    workdir.write_config("");
    workdir.destroy().expect_success();
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

fn check(case: &Case, output: &Output) -> Result<(), String> {
    let text = output.unwrapped();
    if output.success() {
        return Err(format!("expected {:?} to fail:\n{output}", case.phase));
    }
    if output.code != Some(1) {
        return Err(format!("expected exit code 1:\n{output}"));
    }
    for crash in ["panic", "Provider bug", "crash", "Plugin did not respond", "rpc error"] {
        if text.contains(crash) {
            return Err(format!("the output mentions {crash:?}:\n{output}"));
        }
    }
    let pattern = regex::Regex::new(&case.expect).expect("a valid pattern");
    if !pattern.is_match(&text) || !text.contains("Error:") {
        return Err(format!("the output does not match /{}/:\n{}", case.expect, &text[..text.len().min(4000)]));
    }
    Ok(())
}

#[test]
fn invalid_values_fail_validation_without_reaching_graph() {
    acceptance_tests::emulator_only!("damaged responses and Graph's request log");
    run(validate_cases());
}

#[test]
fn values_known_only_at_apply_fail_before_reaching_graph() {
    acceptance_tests::emulator_only!("damaged responses and Graph's request log");
    run(apply_cases());
}

#[test]
fn the_corpus_has_at_least_thirty_distinct_cases() {
    let all: Vec<Case> = validate_cases().into_iter().chain(apply_cases()).collect();
    let mut names: Vec<&str> = all.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "case names are unique");
    assert!(all.len() >= 30, "only {} cases", all.len());
    assert!(all.iter().filter(|c| c.phase == Phase::Apply).count() >= 5);
}

// ----- malformed Graph responses -------------------------------------------------------------------------------

const ADDRESS: &str = "entra_cross_tenant_partner.p";

fn managed_partner() -> String {
    format!(
        "{}\nresource \"entra_cross_tenant_identity_sync\" \"s\" {{\n  tenant_id    = \
         entra_cross_tenant_partner.p.tenant_id\n  display_name = \"Truesec\"\n}}\n",
        partner(&format!(
            "  automatic_user_consent_settings = {{\n    inbound_allowed = true\n  }}\n  b2b_collaboration_inbound = \
             {{\n    users_and_groups = {}\n    applications = {APPS_ALL}\n  }}",
            targets(&[target(&group(1), "group"), target(&group(2).to_ascii_uppercase(), "group")])
        ))
    )
}

fn malformed(kind: MalformedKind, rule: FaultRule) -> Faults {
    Faults { malformed: vec![MalformedFault { kind, rule }], ..Faults::none() }
}

/// The corruptions a client can only survive by retrying (the response cannot be the truth).
const DAMAGED: [MalformedKind; 3] =
    [MalformedKind::TruncatedJson, MalformedKind::HtmlBadGateway, MalformedKind::ErrorEnvelopeWithOk];

/// Well-formed JSON that does not fit (wrong types, long-standing properties missing): Graph's answer, not damage
/// in transit, so reads fail at once instead of being retried (issue 15).
const UNFIT: [MalformedKind; 2] = [MalformedKind::WrongTypes, MalformedKind::MissingProperties];

/// Applies the partner with its identity sync and returns the working directory.
fn applied(env: &EmulatorEnv) -> (acceptance_tests::Harness, WorkDir) {
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&managed_partner());
    workdir.apply().expect_success();
    (harness, workdir)
}

/// Graph answers every read with a damaged body: plan and refresh fail with a diagnostic that says what is wrong
/// with the response, quickly; the state is untouched; once Graph recovers, the plan is empty again.
#[test]
fn reads_that_are_always_damaged_fail_clearly_and_leave_the_state_alone() {
    acceptance_tests::emulator_only!("damaged responses and Graph's request log");
    let env = EmulatorEnv::start();
    let (_harness, mut workdir) = applied(&env);
    let before = workdir.state().json;
    for kind in DAMAGED.into_iter().chain(UNFIT) {
        env.emulator().set_faults(malformed(kind, FaultRule::always().for_method("GET")));
        let started = Instant::now();
        let output = workdir.terraform(&["plan", "-no-color", "-input=false", "-lock=false", "-refresh-only"]);
        let text = output.unwrapped();
        assert_eq!(output.code, Some(1), "{kind:?}:\n{output}");
        assert!(started.elapsed() < Duration::from_secs(60), "{kind:?} took {:?}", started.elapsed());
        assert!(!text.contains("panic") && !text.contains("Provider bug"), "{kind:?}:\n{output}");
        let explained = match kind {
            MalformedKind::HtmlBadGateway => text.contains("502 Bad Gateway"),
            _ => text.contains("Microsoft Graph sent an unreadable response"),
        };
        assert!(explained, "{kind:?}: the diagnostic says what is wrong:\n{output}");
        assert!(
            text.contains("request-id") || text.contains("client-request-id"),
            "{kind:?}: ids for support:\n{output}"
        );
        let apply =
            workdir.terraform(&["apply", "-no-color", "-input=false", "-lock=false", "-auto-approve", "-refresh-only"]);
        assert_eq!(apply.code, Some(1), "{kind:?}:\n{apply}");
        assert_eq!(workdir.state().json, before, "{kind:?}: a failed refresh must not change the state");
    }
    env.emulator().set_faults(Faults::none());
    workdir.plan_is_empty(true).unwrap();
    state_matches_emulator(&workdir.state(), &env).unwrap();
    workdir.destroy().expect_success();
}

/// Now and then a damaged read, or a damaged answer to a write: the provider retries the reads and reconciles the
/// writes, so plans and applies succeed and the state matches Graph.
#[test]
fn occasional_damaged_responses_are_retried_through_apply_and_destroy() {
    acceptance_tests::emulator_only!("damaged responses and Graph's request log");
    let env = Arc::new(EmulatorEnv::start());
    for kind in DAMAGED {
        let faults = Faults {
            malformed: vec![
                MalformedFault { kind, rule: FaultRule::every_nth(2).for_method("GET") },
                MalformedFault { kind, rule: FaultRule::every_nth(2).for_method("POST") },
                MalformedFault { kind, rule: FaultRule::every_nth(2).for_method("PATCH") },
                MalformedFault { kind, rule: FaultRule::every_nth(2).for_method("PUT") },
            ],
            ..Faults::none()
        };
        env.emulator().set_faults(faults);
        let harness = env.harness();
        let mut workdir = harness.workdir();
        workdir.write_config(&managed_partner());
        let output = workdir.apply();
        assert!(output.success(), "{kind:?}: apply:\n{output}");
        workdir.plan_is_empty(true).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        workdir.plan_is_empty(false).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        state_matches_emulator(&workdir.state(), &env).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let output = workdir.destroy();
        assert!(output.success(), "{kind:?}: destroy:\n{output}");
        assert!(env.partner(PARTNER).is_none(), "{kind:?}: destroyed");
    }
}

/// Graph adds properties this provider does not know (as the live service does, quirk Q11): nothing changes.
#[test]
fn extra_properties_are_tolerated() {
    acceptance_tests::emulator_only!("damaged responses and Graph's request log");
    let env = EmulatorEnv::start();
    let (_harness, mut workdir) = applied(&env);
    env.emulator().set_faults(malformed(MalformedKind::ExtraProperties, FaultRule::always()));
    workdir.plan_is_empty(true).unwrap();
    workdir.write_config(&managed_partner().replace("display_name = \"Truesec\"", "display_name = \"Truesec AB\""));
    workdir.apply().expect_success();
    workdir.plan_is_empty(true).unwrap();
    state_matches_emulator(&workdir.state(), &env).unwrap();
    workdir.destroy().expect_success();
}

/// Graph reports enum members this provider does not know (`unknownFutureValue`): refresh keeps them raw, so the
/// plan shows the difference instead of failing, and once Graph holds the configured values again the plan is
/// empty.
#[test]
fn unknown_enum_values_show_as_drift_not_as_a_crash() {
    acceptance_tests::emulator_only!("damaged responses and Graph's request log");
    let env = EmulatorEnv::start();
    let (_harness, mut workdir) = applied(&env);
    env.emulator().set_faults(malformed(MalformedKind::UnknownEnumValues, FaultRule::always().for_method("GET")));
    let (output, plan) = workdir.plan(&[]);
    let plan = plan.unwrap_or_else(|| panic!("the plan works:\n{output}"));
    assert_eq!(plan.actions(ADDRESS), ["update"], "{output}");
    assert!(output.stdout.contains("unknownFutureValue"), "the plan shows Graph's value:\n{output}");
    env.emulator().set_faults(Faults::none());
    workdir.plan_is_empty(true).unwrap();
    workdir.destroy().expect_success();
}

/// Graph drops most properties of its objects (a half-migrated tenant, a proxy that strips bodies): reads fail
/// clearly rather than taking the missing settings as "inherit" and planning to change them.
#[test]
fn missing_properties_are_not_mistaken_for_unset_settings() {
    acceptance_tests::emulator_only!("damaged responses and Graph's request log");
    let env = EmulatorEnv::start();
    let (_harness, mut workdir) = applied(&env);
    env.emulator().set_faults(malformed(MalformedKind::MissingProperties, FaultRule::always().for_method("GET")));
    let (output, plan) = workdir.plan(&[]);
    assert!(plan.is_none(), "no plan is made from a damaged read:\n{output}");
    assert!(output.unwrapped().contains("is missing"), "{output}");
    assert!(env.partner(PARTNER).unwrap()["b2bCollaborationInbound"].is_object(), "nothing was changed");
    env.emulator().set_faults(Faults::none());
    workdir.plan_is_empty(true).unwrap();
    workdir.destroy().expect_success();
}
