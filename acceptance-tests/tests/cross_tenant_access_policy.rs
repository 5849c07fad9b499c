//! `entra_cross_tenant_access_policy` with the real terraform binary against the Graph emulator: adoption,
//! updates, reverting to the service default, import, drift, both destroy behaviours, throttling, and values only
//! known at apply. Every config step also checks that plans with and without refresh are empty afterwards.
//!
//! Live-capable (`ENTRA_ACC_LIVE=1`): all but the fault injection; a live fixture saves the allowed cloud endpoints,
//! starts from none and puts them back.

use std::sync::Arc;

use acceptance_tests::entra::{EmulatorEnv, Fixture};
use acceptance_tests::{PlanCheck, StateCheck, Step};
use entra_graph_emulator::{FaultRule, Faults, RetryAfter, Throttle, ThrottleMode};
use serde_json::{Value as Json, json};

const ADDRESS: &str = "entra_cross_tenant_access_policy.this";
const PATCH_ROUTE: &str = "PATCH /policies/crossTenantAccessPolicy";

fn config(body: &str) -> String {
    format!("resource \"entra_cross_tenant_access_policy\" \"this\" {{\n{body}\n}}\n")
}

/// The endpoints the emulator stores, sorted.
fn stored_endpoints(env: &Fixture) -> Vec<String> {
    let mut endpoints: Vec<String> = env.policy()["allowedCloudEndpoints"]
        .as_array()
        .expect("allowedCloudEndpoints is never null")
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect();
    endpoints.sort();
    endpoints
}

/// The state holds exactly these endpoints (a set: order does not matter).
fn endpoints_are(expected: &[&str]) -> StateCheck {
    let mut expected: Vec<String> = expected.iter().map(|e| (*e).to_owned()).collect();
    expected.sort();
    StateCheck::custom(format!("allowed_cloud_endpoints == {expected:?}"), move |state| {
        let mut actual: Vec<String> = state
            .attr(ADDRESS, "allowed_cloud_endpoints")
            .and_then(Json::as_array)
            .ok_or("allowed_cloud_endpoints is not a list")?
            .iter()
            .filter_map(|e| e.as_str().map(str::to_owned))
            .collect();
        actual.sort();
        if actual == expected { Ok(()) } else { Err(format!("found {actual:?}")) }
    })
}

/// A check that the emulator holds these endpoints.
fn graph_has(env: &Arc<Fixture>, expected: &[&str]) -> StateCheck {
    let env = Arc::clone(env);
    let expected: Vec<String> = expected.iter().map(|e| (*e).to_owned()).collect();
    StateCheck::custom(format!("Graph holds {expected:?}"), move |_| {
        let stored = stored_endpoints(&env);
        if stored == expected { Ok(()) } else { Err(format!("Graph holds {stored:?}")) }
    })
}

#[test]
fn adopt_update_import_and_revert_to_the_service_default() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let display_name = env.policy()["displayName"].as_str().expect("Graph names the policy").to_owned();
    harness
        .test_case()
        .step(
            Step::config(config(r#"  allowed_cloud_endpoints = ["microsoftonline.us"]"#))
                .plan_check(PlanCheck::actions(ADDRESS, &["create"]))
                .plan_check(PlanCheck::after(ADDRESS, "id", "policy"))
                .plan_check(PlanCheck::after(ADDRESS, "reset_on_destroy", false))
                .plan_check(PlanCheck::unknown(ADDRESS, "display_name"))
                .check(StateCheck::attr(ADDRESS, "id", "policy"))
                .check(StateCheck::attr(ADDRESS, "display_name", display_name.as_str()))
                .check(StateCheck::attr(ADDRESS, "reset_on_destroy", false))
                .check(StateCheck::attr_null(ADDRESS, "timeouts"))
                .check(endpoints_are(&["microsoftonline.us"]))
                .check(graph_has(&env, &["microsoftonline.us"])),
        )
        // A set: another order plans nothing; a new element is an in-place update.
        .step(
            Step::config(config(r#"  allowed_cloud_endpoints = ["partner.microsoftonline.cn", "microsoftonline.us"]"#))
                .plan_check(PlanCheck::actions(ADDRESS, &["update"]))
                .check(endpoints_are(&["microsoftonline.us", "partner.microsoftonline.cn"]))
                .check(graph_has(&env, &["microsoftonline.us", "partner.microsoftonline.cn"])),
        )
        .step(
            Step::plan_only(config(
                r#"  allowed_cloud_endpoints = ["microsoftonline.us", "partner.microsoftonline.cn"]"#,
            ))
            .expect_empty(),
        )
        .step(Step::import(ADDRESS).id("policy"))
        // Leaving the attribute out means the service default: no other cloud.
        .step(
            Step::config(config(""))
                .plan_check(PlanCheck::actions(ADDRESS, &["update"]))
                .plan_check(PlanCheck::after(ADDRESS, "allowed_cloud_endpoints", json!([])))
                .check(endpoints_are(&[]))
                .check(graph_has(&env, &[])),
        )
        .step(Step::import(ADDRESS).id("policy"))
        .run();
}

#[test]
fn adopting_a_policy_that_already_matches_writes_nothing() {
    let env = Arc::new(Fixture::new());
    env.set_allowed_cloud_endpoints(&["microsoftonline.com"]);
    let harness = env.harness();
    let writes = env.writes();
    harness
        .test_case()
        .step(
            Step::config(config(r#"  allowed_cloud_endpoints = ["microsoftonline.com"]"#))
                .plan_check(PlanCheck::actions(ADDRESS, &["create"]))
                .check(endpoints_are(&["microsoftonline.com"])),
        )
        .run();
    // Adopting, refreshing and forgetting it (reset_on_destroy is false) never wrote.
    env.assert_no_writes_since(writes, "adopting a matching policy");
    assert_eq!(stored_endpoints(&env), ["microsoftonline.com"]);
}

#[test]
fn drift_shows_in_the_plan_and_apply_corrects_it() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let desired = config(r#"  allowed_cloud_endpoints = ["microsoftonline.us"]"#);
    harness
        .test_case()
        .step(Step::config(desired.clone()).check(graph_has(&env, &["microsoftonline.us"])))
        .step(Step::run({
            let env = Arc::clone(&env);
            move |_| {
                // Someone enables another cloud in the portal.
                env.set_allowed_cloud_endpoints(&["microsoftonline.us", "partner.microsoftonline.cn"]);
            }
        }))
        .step(
            Step::plan_only(desired.clone())
                .expect_changes()
                .plan_check(PlanCheck::actions(ADDRESS, &["update"]))
                .plan_check(PlanCheck::after(ADDRESS, "allowed_cloud_endpoints", json!(["microsoftonline.us"]))),
        )
        .step(Step::config(desired).check(graph_has(&env, &["microsoftonline.us"])))
        .run();
}

#[test]
fn destroy_only_forgets_the_policy_by_default() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let check_env = Arc::clone(&env);
    harness
        .test_case()
        .step(Step::config(config(
            "  allowed_cloud_endpoints = [\"microsoftonline.us\"]\n  reset_on_destroy        = false",
        )))
        .check_destroy(move || {
            let stored = stored_endpoints(&check_env);
            if stored == ["microsoftonline.us"] { Ok(()) } else { Err(format!("the policy changed: {stored:?}")) }
        })
        .run();
}

#[test]
fn destroy_with_reset_on_destroy_clears_the_endpoints() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let check_env = Arc::clone(&env);
    harness
        .test_case()
        .step(
            Step::config(config(
                "  allowed_cloud_endpoints = [\"microsoftonline.us\"]\n  reset_on_destroy        = true",
            ))
            .check(StateCheck::attr(ADDRESS, "reset_on_destroy", true)),
        )
        // Changing only reset_on_destroy and timeouts is an update that sends nothing to Graph.
        .step(Step::run({
            let env = Arc::clone(&env);
            move |workdir| {
                let before = env.emulated().map(|env| env.requests(PATCH_ROUTE));
                workdir.write_config(&config(
                    "  allowed_cloud_endpoints = [\"microsoftonline.us\"]\n  reset_on_destroy        = true\n  \
                     timeouts = {\n    create = \"2m\"\n    delete = \"1m30s\"\n  }",
                ));
                workdir.apply().expect_success();
                if let Some(emulated) = env.emulated() {
                    assert_eq!(Some(emulated.requests(PATCH_ROUTE)), before, "changing timeouts only must not PATCH");
                }
            }
        }))
        .step(
            Step::config(
                "resource \"entra_cross_tenant_access_policy\" \"this\" {\n  allowed_cloud_endpoints = \
                 [\"microsoftonline.us\"]\n  reset_on_destroy        = true\n  timeouts = {\n    create = \"2m\"\n    \
                 delete = \"1m30s\"\n  }\n}\n",
            )
            .check(StateCheck::attr(ADDRESS, "timeouts.delete", "1m30s")),
        )
        .check_destroy(move || {
            let stored = stored_endpoints(&check_env);
            if stored.is_empty() { Ok(()) } else { Err(format!("the endpoints were not cleared: {stored:?}")) }
        })
        .run();
}

#[test]
fn throttled_writes_are_retried_through_terraform() {
    acceptance_tests::emulator_only!("fault injection");
    let env = Arc::new(Fixture::with_emulator(EmulatorEnv::start()));
    // The first two PATCHes of the policy get 429 with Retry-After: 1.
    env.emulated().unwrap().emulator().set_faults(Faults {
        throttle: Some(Throttle {
            mode: ThrottleMode::Rule(FaultRule::first_n(2).for_method("PATCH")),
            retry_after: RetryAfter::Seconds(1),
            throttle_headers: true,
        }),
        ..Faults::none()
    });
    let harness = env.harness();
    harness
        .test_case()
        .step(
            Step::config(config(r#"  allowed_cloud_endpoints = ["microsoftonline.us"]"#))
                .check(graph_has(&env, &["microsoftonline.us"])),
        )
        .step(Step::run({
            let env = Arc::clone(&env);
            move |_| {
                let stats = env.emulated().unwrap().stats();
                assert_eq!(stats.throttled, 2, "{stats:?}");
                assert_eq!(stats.count(PATCH_ROUTE), 3, "two throttled attempts, then the one that worked");
            }
        }))
        .run();
}

#[test]
fn values_unknown_at_plan_time_are_validated_at_apply() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let writes = env.writes();
    let bad = r#"
resource "terraform_data" "cloud" {
  input = "microsoftonline.de"
}

resource "entra_cross_tenant_access_policy" "this" {
  allowed_cloud_endpoints = [terraform_data.cloud.output]
}
"#;
    harness
        .test_case()
        // The value is not known while planning, so plan succeeds; apply then rejects it before any Graph write.
        .step(Step::plan_only(bad).expect_changes())
        .step(Step::expect_error(bad, r#"allowed_cloud_endpoints.*microsoftonline\.de"#).on_apply())
        // Destroy evaluates the configuration too: leave only the helper behind.
        .step(Step::config(r#"resource "terraform_data" "cloud" { input = "microsoftonline.de" }"#))
        .run();
    env.assert_no_writes_since(writes, "an endpoint only known at apply and invalid");
    assert_eq!(stored_endpoints(&env), Vec::<String>::new());
}

#[test]
fn values_known_only_at_apply_are_applied() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let config = r#"
resource "terraform_data" "cloud" {
  input = "microsoftonline.us"
}

resource "entra_cross_tenant_access_policy" "this" {
  allowed_cloud_endpoints = [terraform_data.cloud.output]
}
"#;
    harness
        .test_case()
        .step(
            Step::config(config)
                .plan_check(PlanCheck::actions(ADDRESS, &["create"]))
                .check(endpoints_are(&["microsoftonline.us"]))
                .check(graph_has(&env, &["microsoftonline.us"])),
        )
        .run();
}

#[test]
fn import_needs_the_singleton_id() {
    let env = Fixture::new();
    let harness = env.harness();
    harness
        .test_case()
        .step(Step::run(|workdir| {
            workdir.write_config(&config(""));
            let output = workdir.import(ADDRESS, "895e3c89-2715-4624-9715-6a86227312eb");
            assert!(!output.success(), "{output}");
            let text = output.unwrapped();
            assert!(text.contains(r#"the import id must be "policy""#), "{output}");
            let output = workdir.import(ADDRESS, "policy");
            assert!(output.success(), "{output}");
            let state = workdir.state();
            assert_eq!(state.attr(ADDRESS, "reset_on_destroy"), Some(&json!(false)));
            assert_eq!(state.attr(ADDRESS, "allowed_cloud_endpoints"), Some(&json!([])));
            assert!(workdir.plan_is_empty(true).is_ok());
            // Forget it again (reset_on_destroy is false), so the test case has nothing to clean up.
            workdir.terraform(&["state", "rm", ADDRESS]).expect_success();
        }))
        .run();
}
