//! `entra_cross_tenant_default` with the real terraform binary against the Graph emulator: an empty resource is
//! the service default, omitted parts are planned as known service defaults, adoption writes only what differs,
//! reverting resets, drift anywhere shows, import, both destroy behaviours, GUID case, the Rights Management
//! Services warning, faults, timeouts and values only known at apply. Every config step also checks that plans with
//! and without refresh are empty afterwards.
//!
//! Live-capable (`ENTRA_ACC_LIVE=1`): all but the fault injection and the tenant fixture without tenant
//! restrictions; a live fixture saves the default configuration, starts from the service default and puts it back.
//! Request counts are checked on the emulator only.

use std::sync::Arc;

use acceptance_tests::entra::{EmulatorEnv, Fixture};
use acceptance_tests::{PlanCheck, StateCheck, Step};
use entra_graph_emulator::{
    EmulatorConfig, FaultRule, Faults, RetryAfter, TenantRestrictionsFixture, Throttle, ThrottleMode,
};
use serde_json::{Value as Json, json};

const ADDRESS: &str = "entra_cross_tenant_default.this";
const PATCH_ROUTE: &str = "PATCH /policies/crossTenantAccessPolicy/default";
const RESET_ROUTE: &str = "POST /policies/crossTenantAccessPolicy/default/resetToSystemDefault";

fn config(body: &str) -> String {
    format!("resource \"entra_cross_tenant_default\" \"this\" {{\n{body}\n}}\n")
}

/// Inbound B2B collaboration blocked for everyone: the hardened default of the security baselines.
const BLOCK_INBOUND: &str = r#"
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "blocked"
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
    applications = {
      access_type = "blocked"
      targets     = [{ target = "AllApplications", target_type = "application" }]
    }
  }
"#;

/// A check on the default configuration the emulator stores.
fn graph(env: &Arc<Fixture>, what: &str, check: impl Fn(&Json) -> bool + 'static) -> StateCheck {
    let env = Arc::clone(env);
    StateCheck::custom(format!("Graph: {what}"), move |_| {
        let stored = env.default_configuration();
        if check(&stored) { Ok(()) } else { Err(format!("Graph holds {stored}")) }
    })
}

/// Replaces the emulator's default configuration behind Terraform's back, as a portal edit would.
fn edit_default(env: &Fixture, edit: impl FnOnce(&mut Json)) {
    env.edit_default(edit);
}

#[test]
fn an_empty_resource_is_the_service_default_and_adopting_it_writes_nothing() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let writes = env.writes();
    harness
        .test_case()
        .step(
            Step::config(config(""))
                .plan_check(PlanCheck::actions(ADDRESS, &["create"]))
                // Every setting is planned as a known value: the service default.
                .plan_check(PlanCheck::after(
                    ADDRESS,
                    "b2b_collaboration_inbound.users_and_groups.access_type",
                    "allowed",
                ))
                .plan_check(PlanCheck::after(
                    ADDRESS,
                    "b2b_direct_connect_outbound.applications.access_type",
                    "blocked",
                ))
                .plan_check(PlanCheck::after(ADDRESS, "inbound_trust.is_mfa_accepted", false))
                .plan_check(PlanCheck::after(
                    ADDRESS,
                    "invitation_redemption_identity_provider_configuration.primary_identity_provider_precedence_order",
                    json!(["azureActiveDirectory", "externalFederation", "socialIdentityProviders"]),
                ))
                .plan_check(PlanCheck::after(ADDRESS, "m365_collaboration_inbound.users.access_type", "blocked"))
                .plan_check(PlanCheck::after(ADDRESS, "tenant_restrictions.devices", Json::Null))
                .plan_check(PlanCheck::after(ADDRESS, "id", "default"))
                .plan_check(PlanCheck::after(ADDRESS, "reset_on_destroy", false))
                .plan_check(PlanCheck::unknown(ADDRESS, "is_service_default"))
                .check(StateCheck::attr(ADDRESS, "is_service_default", true))
                .check(StateCheck::attr(ADDRESS, "automatic_user_consent_settings.inbound_allowed", false))
                .check(StateCheck::attr(ADDRESS, "app_service_connect_inbound.applications.access_type", "blocked"))
                .check(StateCheck::attr(
                    ADDRESS,
                    "invitation_redemption_identity_provider_configuration.fallback_identity_provider",
                    "defaultConfiguredIdp",
                )),
        )
        .step(Step::import(ADDRESS).id("default"))
        .run();
    env.assert_no_writes_since(writes, "adopting a default that already is the service default");
}

#[test]
fn customize_partially_import_and_revert_with_a_reset() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let customized = config(&format!("{BLOCK_INBOUND}\n  inbound_trust = {{\n    is_mfa_accepted = true\n  }}"));
    harness
        .test_case()
        .step(
            Step::config(customized)
                // The flags left out of inbound_trust are planned as the service default, not as unknown.
                .plan_check(PlanCheck::after(ADDRESS, "inbound_trust.is_compliant_device_accepted", false))
                .plan_check(PlanCheck::after(ADDRESS, "b2b_collaboration_outbound.applications.access_type", "allowed"))
                .check(StateCheck::attr(ADDRESS, "inbound_trust.is_mfa_accepted", true))
                .check(StateCheck::attr(ADDRESS, "inbound_trust.is_hybrid_azure_ad_joined_device_accepted", false))
                .check(StateCheck::attr(ADDRESS, "is_service_default", false))
                .check(graph(&env, "inbound B2B collaboration blocked and MFA trusted", |d| {
                    d["b2bCollaborationInbound"]["usersAndGroups"]["accessType"] == "blocked"
                        && d["b2bCollaborationInbound"]["applications"]["accessType"] == "blocked"
                        && d["inboundTrust"]["isMfaAccepted"] == true
                        && d["inboundTrust"]["isCompliantDeviceAccepted"] == false
                        && d["b2bCollaborationOutbound"]["usersAndGroups"]["accessType"] == "allowed"
                }))
                .check(StateCheck::custom("one PATCH with both settings, no reset", {
                    let env = Arc::clone(&env);
                    move |_| {
                        // Counted on the emulator only.
                        let Some(env) = env.emulated() else { return Ok(()) };
                        match (env.requests(PATCH_ROUTE), env.requests(RESET_ROUTE)) {
                            (1, 0) => Ok(()),
                            other => Err(format!("(PATCH, reset) = {other:?}")),
                        }
                    }
                })),
        )
        .step(Step::import(ADDRESS).id("default"))
        // Back to the service default in every setting: a reset, not a PATCH.
        .step(
            Step::config(config(""))
                .plan_check(PlanCheck::actions(ADDRESS, &["update"]))
                .plan_check(PlanCheck::unknown(ADDRESS, "is_service_default"))
                .plan_check(PlanCheck::after(ADDRESS, "inbound_trust.is_mfa_accepted", false))
                .check(StateCheck::attr(ADDRESS, "is_service_default", true))
                .check(graph(&env, "the service default", |d| {
                    d["isServiceDefault"] == true && d["inboundTrust"]["isMfaAccepted"] == false
                }))
                .check(StateCheck::custom("a reset, no further PATCH", {
                    let env = Arc::clone(&env);
                    move |_| {
                        // Counted on the emulator only.
                        let Some(env) = env.emulated() else { return Ok(()) };
                        match (env.requests(PATCH_ROUTE), env.requests(RESET_ROUTE)) {
                            (1, 1) => Ok(()),
                            other => Err(format!("(PATCH, reset) = {other:?}")),
                        }
                    }
                })),
        )
        .step(Step::import(ADDRESS).id("default"))
        .run();
}

#[test]
fn adoption_patches_only_the_settings_that_differ() {
    let env = Arc::new(Fixture::new());
    // Someone already trusted MFA in the portal.
    edit_default(&env, |d| d["inboundTrust"]["isMfaAccepted"] = json!(true));
    let harness = env.harness();
    let writes = env.writes();
    harness
        .test_case()
        .step(Step::config(config("  inbound_trust = {\n    is_mfa_accepted = true\n  }")).check(StateCheck::attr(
            ADDRESS,
            "is_service_default",
            false,
        )))
        .run();
    env.assert_no_writes_since(writes, "adopting a default that already matches the configuration");
}

#[test]
fn a_tenant_reporting_no_tenant_restrictions_is_at_the_service_default() {
    // Sources disagree on whether a fresh tenant reports tenantRestrictions as null or as the documented object;
    // null is the service default too, so an empty resource writes nothing and a reset needs no follow-up PATCH.
    acceptance_tests::emulator_only!("a tenant fixture reporting no tenant restrictions");
    let env = Arc::new(Fixture::with_emulator(EmulatorEnv::with_config(EmulatorConfig {
        default_tenant_restrictions: TenantRestrictionsFixture::Null,
        ..EmulatorConfig::default()
    })));
    let harness = env.harness();
    let writes = env.writes();
    let restricted = config(
        r#"
  tenant_restrictions = {
    users_and_groups = {
      access_type = "allowed"
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
    applications = {
      access_type = "allowed"
      targets     = [{ target = "Office365", target_type = "application" }]
    }
  }
"#,
    );
    harness
        .test_case()
        .step(
            Step::config(config(""))
                .check(StateCheck::attr(ADDRESS, "tenant_restrictions.users_and_groups.access_type", "blocked"))
                .check(StateCheck::attr(ADDRESS, "is_service_default", true)),
        )
        .step(Step::run({
            let env = Arc::clone(&env);
            move |_| env.assert_no_writes_since(writes, "an empty default on a tenant without tenant restrictions")
        }))
        .step(Step::config(restricted).check(graph(&env, "tenant restrictions allow Office 365", |d| {
            d["tenantRestrictions"]["applications"]["targets"][0]["target"] == "Office365"
        })))
        .step(
            Step::config(config(""))
                .check(StateCheck::attr(ADDRESS, "is_service_default", true))
                .check(graph(&env, "no tenant restrictions after the reset", |d| d["tenantRestrictions"].is_null()))
                .check(StateCheck::custom("one PATCH, one reset", {
                    let env = Arc::clone(&env);
                    move |_| {
                        // Counted on the emulator only.
                        let Some(env) = env.emulated() else { return Ok(()) };
                        match (env.requests(PATCH_ROUTE), env.requests(RESET_ROUTE)) {
                            (1, 1) => Ok(()),
                            other => Err(format!("(PATCH, reset) = {other:?}")),
                        }
                    }
                })),
        )
        .run();
}

#[test]
fn drift_anywhere_in_the_default_shows_and_apply_corrects_it() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    harness
        .test_case()
        .step(Step::config(config(BLOCK_INBOUND)))
        .step(Step::run({
            let env = Arc::clone(&env);
            move |_| {
                // A setting the configuration never mentions is changed in the portal.
                edit_default(&env, |d| {
                    d["m365CollaborationOutbound"]["usersAndGroups"]["accessType"] = json!("blocked");
                });
            }
        }))
        .step(
            Step::plan_only(config(BLOCK_INBOUND))
                .expect_changes()
                .plan_check(PlanCheck::actions(ADDRESS, &["update"]))
                .plan_check(PlanCheck::after(
                    ADDRESS,
                    "m365_collaboration_outbound.users_and_groups.access_type",
                    "allowed",
                )),
        )
        .step(Step::config(config(BLOCK_INBOUND)).check(graph(
            &env,
            "outbound Microsoft 365 collaboration allowed again",
            |d| {
                d["m365CollaborationOutbound"]["usersAndGroups"]["accessType"] == "allowed"
                    && d["b2bCollaborationInbound"]["usersAndGroups"]["accessType"] == "blocked"
            },
        )))
        .run();
}

#[test]
fn destroy_only_forgets_the_default_by_default() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let check_env = Arc::clone(&env);
    harness
        .test_case()
        .step(Step::config(config(BLOCK_INBOUND)))
        .check_destroy(move || {
            let d = check_env.default_configuration();
            if d["isServiceDefault"] == false
                && d["b2bCollaborationInbound"]["usersAndGroups"]["accessType"] == "blocked"
            {
                Ok(())
            } else {
                Err(format!("the default changed on destroy: {d}"))
            }
        })
        .run();
    if let Some(env) = env.emulated() {
        assert_eq!(env.requests(RESET_ROUTE), 0);
    }
}

#[test]
fn destroy_with_reset_on_destroy_restores_the_service_default() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let check_env = Arc::clone(&env);
    harness
        .test_case()
        .step(Step::config(config(&format!("{BLOCK_INBOUND}\n  reset_on_destroy = true"))))
        .check_destroy(move || {
            let d = check_env.default_configuration();
            if d["isServiceDefault"] == true
                && d["b2bCollaborationInbound"]["usersAndGroups"]["accessType"] == "allowed"
            {
                Ok(())
            } else {
                Err(format!("the default was not reset: {d}"))
            }
        })
        .run();
    if let Some(env) = env.emulated() {
        assert_eq!(env.requests(RESET_ROUTE), 1);
    }
}

#[test]
fn guid_targets_keep_the_spelling_of_the_configuration() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let group = "6F546279-4DA5-4B53-A095-09EA0CEF9971";
    let outbound = config(&format!(
        r#"
  b2b_collaboration_outbound = {{
    users_and_groups = {{
      access_type = "allowed"
      targets     = [{{ target = "{group}", target_type = "group" }}]
    }}
  }}
"#
    ));
    harness
        .test_case()
        .step(Step::config(outbound.clone()).check(StateCheck::attr(
            ADDRESS,
            "b2b_collaboration_outbound.users_and_groups.targets.0.target",
            group,
        )))
        .step(Step::run({
            let env = Arc::clone(&env);
            move |_| {
                // Graph answers with the GUID in lower case (as the real service does).
                edit_default(&env, |d| {
                    d["b2bCollaborationOutbound"]["usersAndGroups"]["targets"][0]["target"] =
                        json!(group.to_ascii_lowercase());
                });
            }
        }))
        .step(Step::plan_only(outbound.clone()).expect_empty())
        .step(Step::config(outbound).check(StateCheck::attr(
            ADDRESS,
            "b2b_collaboration_outbound.users_and_groups.targets.0.target",
            group,
        )))
        .run();
}

/// Some users go outbound (only one group is blocked) while every application is blocked: the Rights Management
/// Services warning fires, once; blocking everyone as well (Microsoft's own default for B2B direct connect) does not
/// warn.
#[test]
fn blocking_every_application_for_users_who_go_outbound_warns() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let outbound = |users: &str| {
        config(&format!(
            r#"
  b2b_collaboration_outbound = {{
    users_and_groups = {{
      access_type = "blocked"
      targets     = [{{ target = "{users}", target_type = "{}" }}]
    }}
    applications = {{
      access_type = "blocked"
      targets     = [{{ target = "AllApplications", target_type = "application" }}]
    }}
  }}
"#,
            if users == "AllUsers" { "user" } else { "group" }
        ))
    };
    let some_blocked = outbound("6f546279-4da5-4b53-a095-09ea0cef9971");
    let all_blocked = outbound("AllUsers");
    harness
        .test_case()
        .step(Step::run(move |workdir| {
            workdir.write_config(&some_blocked);
            let (output, plan) = workdir.plan(&[]);
            assert!(plan.is_some(), "a warning does not stop the plan: {output}");
            let text = output.unwrapped();
            let warning = "Warning: Encrypted mail and documents from the partner will be unreadable";
            assert_eq!(text.matches(warning).count(), 1, "{output}");
            assert!(text.contains("00000012-0000-0000-c000-000000000000"), "{output}");
            assert!(text.contains("b2b_collaboration_outbound.applications blocks all applications"), "{output}");
            workdir.write_config(&all_blocked);
            let (output, plan) = workdir.plan(&[]);
            assert!(plan.is_some(), "{output}");
            assert!(!output.combined().contains("Warning:"), "nobody goes outbound, no warning: {output}");
        }))
        .step(Step::config(outbound("AllUsers")).check(StateCheck::attr(ADDRESS, "is_service_default", false)))
        .run();
}

#[test]
fn throttling_and_replication_lag_are_waited_out() {
    acceptance_tests::emulator_only!("fault injection");
    let env = Arc::new(EmulatorEnv::start());
    env.emulator().set_faults(Faults {
        throttle: Some(Throttle {
            mode: ThrottleMode::Rule(FaultRule::first_n(1).for_method("PATCH")),
            retry_after: RetryAfter::Seconds(1),
            throttle_headers: true,
        }),
        read_after_write_lag_ms: 400,
        ..Faults::none()
    });
    let harness = env.harness();
    harness
        .test_case()
        .step(Step::config(config(BLOCK_INBOUND)).check(StateCheck::attr(
            ADDRESS,
            "b2b_collaboration_inbound.applications.access_type",
            "blocked",
        )))
        // Back to the service default through a lagging reset: the state still ends up consistent.
        .step(Step::config(config("")).check(StateCheck::attr(ADDRESS, "is_service_default", true)))
        .run();
    assert_eq!(env.stats().throttled, 1);
}

#[test]
fn the_create_timeout_bounds_the_operation() {
    acceptance_tests::emulator_only!("fault injection");
    let env = Arc::new(EmulatorEnv::start());
    env.emulator().set_faults(Faults { latency_ms: 1500, ..Faults::none() });
    let harness = env.harness();
    let slow = config(&format!("{BLOCK_INBOUND}\n  timeouts = {{\n    create = \"1s\"\n  }}"));
    harness.test_case().step(Step::expect_error(slow, r"timeouts\.create").on_apply()).run();
    env.emulator().set_faults(Faults::none());
    assert_eq!(env.default_configuration()["isServiceDefault"], true, "nothing was changed");
}

#[test]
fn values_known_only_at_apply_are_applied_with_the_service_default_around_them() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let config = r#"
resource "terraform_data" "group" {
  input = "6f546279-4da5-4b53-a095-09ea0cef9971"
}

resource "terraform_data" "trust_mfa" {
  input = true
}

resource "entra_cross_tenant_default" "this" {
  inbound_trust = {
    is_mfa_accepted = terraform_data.trust_mfa.output
  }
  b2b_collaboration_outbound = {
    users_and_groups = {
      access_type = "allowed"
      targets     = [{ target = terraform_data.group.output, target_type = "group" }]
    }
  }
}
"#;
    harness
        .test_case()
        .step(
            Step::config(config)
                .plan_check(PlanCheck::unknown(ADDRESS, "inbound_trust.is_mfa_accepted"))
                // The parts around the unknown values are still planned as known service defaults.
                .plan_check(PlanCheck::after(ADDRESS, "inbound_trust.is_compliant_device_accepted", false))
                .plan_check(PlanCheck::after(ADDRESS, "b2b_collaboration_outbound.applications.access_type", "allowed"))
                .check(StateCheck::attr(ADDRESS, "inbound_trust.is_mfa_accepted", true))
                .check(StateCheck::attr(
                    ADDRESS,
                    "b2b_collaboration_outbound.users_and_groups.targets.0.target",
                    "6f546279-4da5-4b53-a095-09ea0cef9971",
                ))
                .check(graph(&env, "MFA trusted and the group allowed outbound", |d| {
                    d["inboundTrust"]["isMfaAccepted"] == true
                        && d["b2bCollaborationOutbound"]["usersAndGroups"]["targets"][0]["target"]
                            == "6f546279-4da5-4b53-a095-09ea0cef9971"
                })),
        )
        .run();
}

#[test]
fn values_unknown_at_plan_time_are_validated_at_apply() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let writes = env.writes();
    let helper = r#"
resource "terraform_data" "group" {
  input = "sales-team"
}
"#;
    let bad = format!(
        r#"{helper}
resource "entra_cross_tenant_default" "this" {{
  b2b_collaboration_outbound = {{
    users_and_groups = {{
      access_type = "allowed"
      targets     = [{{ target = terraform_data.group.output, target_type = "group" }}]
    }}
  }}
}}
"#
    );
    harness
        .test_case()
        .step(Step::plan_only(bad.clone()).expect_changes())
        .step(
            Step::expect_error(bad, r#"b2b_collaboration_outbound\.users_and_groups\.targets.*sales-team"#).on_apply(),
        )
        // Destroy evaluates the configuration too: leave only the helper behind.
        .step(Step::config(helper))
        .run();
    env.assert_no_writes_since(writes, "a target only known at apply and invalid");
}

/// The issue-15 scenario: `terraform plan -generate-config-out` writes Microsoft's default configuration out in full
/// (B2B direct connect outbound blocks every user and application); planning that configuration warns about
/// nothing, not once and not twice.
#[test]
fn microsofts_defaults_written_out_by_generate_config_out_plan_without_warnings() {
    let env = Fixture::new();
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config("import {\n  to = entra_cross_tenant_default.this\n  id = \"default\"\n}\n");
    workdir.init();
    let generated =
        workdir.terraform(&["plan", "-input=false", "-no-color", "-lock=false", "-generate-config-out=generated.tf"]);
    assert!(generated.success(), "{generated}");
    let hcl = std::fs::read_to_string(workdir.path().join("generated.tf")).expect("generated.tf");
    assert!(hcl.contains("b2b_direct_connect_outbound"), "the default is written out in full:\n{hcl}");
    // Terraform's own "Config generation is experimental" is the only warning.
    let text = generated.combined();
    assert_eq!(
        text.matches("Warning:").count(),
        text.matches("Warning: Config generation is experimental").count(),
        "{generated}"
    );
    let (output, plan) = workdir.plan(&[]);
    assert!(plan.is_some(), "{output}");
    assert!(!output.combined().contains("Warning:"), "Microsoft's defaults warn about nothing:\n{output}");
    env.assert_no_writes_since(Some(0), "plans of an imported default");
}
