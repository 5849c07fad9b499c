//! The router in plain Rust: the toy provider's resources called through [`Router`] with `Value`s, without gRPC.
//! These tests pin down the routing rules, default planning, validation paths and the rule checks; the wire tests
//! (`wire/tests.rs`) cover what only the protocol messages show.

use std::sync::Arc;

use super::*;
use crate::Resource;
use crate::diagnostics::Severity;
use crate::server::test_provider::{BAD_SCHEMA, RETIRED, Shared, ToyProvider, obj};

fn router_with(extra_resources: Vec<Arc<dyn Resource>>) -> (Router, Shared) {
    let (provider, shared) = ToyProvider::with(extra_resources);
    (Router::new(Arc::new(provider)), shared)
}

fn router() -> (Router, Shared) {
    router_with(Vec::new())
}

async fn configure(router: &Router) {
    let request = ConfigureRequest { config: obj(&[("region", Value::Null)]), terraform_version: "1.11.4".to_owned() };
    let diagnostics = router.configure(request).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

fn summaries(diagnostics: &Diagnostics) -> Vec<String> {
    diagnostics.iter().map(|d| d.summary.clone()).collect()
}

fn errors(diagnostics: &Diagnostics) -> Vec<&Diagnostic> {
    diagnostics.iter().filter(|d| d.severity == Severity::Error).collect()
}

/// Terraform's proposal: the configuration with computed values the configuration leaves null taken from the prior
/// state (for list elements, from the prior element at the same index). The computed attributes of the toy schemas
/// are `id` and `rules[*].ref`.
fn proposal(prior: &Value, config: &Value) -> Value {
    match (prior, config) {
        (_, Value::Null) => Value::Null,
        (Value::Null, config) => config.clone(),
        (prior, Value::Object(attributes)) => {
            let mut merged = attributes.clone();
            merged.insert("id".into(), prior.get_attr("id").clone());
            if let Some(Value::List(rules)) = merged.get_mut("rules") {
                let prior_rules = prior.get_attr("rules").as_elements().unwrap_or_default().to_vec();
                for (rule, prior_rule) in rules.iter_mut().zip(prior_rules) {
                    if let Value::Object(rule) = rule {
                        rule.insert("ref".into(), prior_rule.get_attr("ref").clone());
                    }
                }
            }
            Value::Object(merged)
        }
        _ => panic!("unexpected config"),
    }
}

async fn plan(router: &Router, type_name: &str, prior: &Value, config: &Value) -> PlanReply {
    let request = PlanRequest {
        type_name: type_name.to_owned(),
        prior_state: prior.clone(),
        proposed_new_state: proposal(prior, config),
        config: config.clone(),
        prior_private: b"prior".to_vec(),
    };
    router.plan(request).await.expect("a known resource type")
}

async fn apply(router: &Router, type_name: &str, prior: &Value, planned: &Value, config: &Value) -> ApplyReply {
    let request = ApplyRequest {
        type_name: type_name.to_owned(),
        prior_state: prior.clone(),
        planned_state: planned.clone(),
        config: config.clone(),
        planned_private: b"planned".to_vec(),
    };
    router.apply(request).await.expect("a known resource type")
}

/// The new state of a reply that has one.
fn new_state(reply: &StateReply) -> &Value {
    match reply {
        StateReply::New(value, _) => value,
        StateReply::AsSent => panic!("the reply keeps the state as sent"),
    }
}

#[tokio::test]
async fn validation_reports_exact_paths_and_skips_unknown_values() {
    let (router, _) = router();
    let config = obj(&[
        ("name", Value::string("a")),
        ("rules", Value::list([obj(&[("kind", Value::string("user"))]), obj(&[("kind", Value::string("robot"))])])),
    ]);
    let diagnostics = router.validate_resource_config("toy_thing", &config).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let expected = AttributePath::root().attr("rules").index(1).attr("kind");
    assert_eq!(diagnostics.iter().next().unwrap().attribute, Some(expected));

    let config = obj(&[("name", Value::Unknown), ("rules", Value::list([obj(&[("kind", Value::Unknown)])]))]);
    let diagnostics = router.validate_resource_config("toy_thing", &config).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");

    assert_eq!(summaries(&router.validate_resource_config("toy_nope", &Value::Null).await), ["Unknown resource type"]);
    assert_eq!(summaries(&router.resource_type("toy_nope").unwrap_err()), ["Unknown resource type"]);

    let diagnostics = router.validate_provider_config(&obj(&[("region", Value::string("east"))])).await;
    assert_eq!(diagnostics.iter().next().unwrap().attribute, Some(AttributePath::root().attr("region")));
}

#[tokio::test]
async fn plan_apply_read_import_and_destroy_route_to_the_right_methods() {
    let (router, shared) = router();
    configure(&router).await;

    // Create: computed attributes the configuration leaves null are unknown, at every depth.
    let config =
        obj(&[("name", Value::string("a")), ("rules", Value::list([obj(&[("kind", Value::string("user"))])]))]);
    let planned = plan(&router, "toy_thing", &Value::Null, &config).await;
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
    let change = planned.change.expect("a plan");
    assert!(change.requires_replace.is_empty());
    assert_eq!(change.planned_private, b"prior");
    let planned_state = change.planned_state;
    assert_eq!(planned_state.get_attr("id"), &Value::Unknown);
    assert_eq!(planned_state.at_path(&AttributePath::root().attr("rules").index(0).attr("ref")), Some(&Value::Unknown));

    let applied = apply(&router, "toy_thing", &Value::Null, &planned_state, &config).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(applied.private, b"created");
    let state = new_state(&applied.new_state).clone();
    assert_eq!(state.get_attr("id"), &Value::string("a"));
    assert_eq!(state.get_attr("note"), &Value::Null, "every attribute is present, unset ones null");
    assert!(shared.store.lock().unwrap().contains_key("a"), "create was called");

    // Update in place: no replacement, computed values kept, computed values of a new list element unknown;
    // private data passes through.
    let rules = Value::list([obj(&[("kind", Value::string("user"))]), obj(&[("kind", Value::string("group"))])]);
    let config2 = obj(&[("name", Value::string("a")), ("note", Value::string("hi")), ("rules", rules)]);
    let change = plan(&router, "toy_thing", &state, &config2).await.change.expect("a plan");
    assert!(change.requires_replace.is_empty());
    let planned_state = change.planned_state;
    assert_eq!(planned_state.get_attr("id"), &Value::string("a"));
    let rule_ref = |i: i64| AttributePath::root().attr("rules").index(i).attr("ref");
    assert_eq!(planned_state.at_path(&rule_ref(0)), Some(&Value::string("ref-0")));
    assert_eq!(planned_state.at_path(&rule_ref(1)), Some(&Value::Unknown));
    let applied = apply(&router, "toy_thing", &state, &planned_state, &config2).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(applied.private, b"planned", "update keeps the planned private data");
    let state = new_state(&applied.new_state).clone();
    assert_eq!(state.get_attr("note"), &Value::string("hi"));

    // A changed requires_replace attribute.
    let config3 = obj(&[("name", Value::string("b"))]);
    let change = plan(&router, "toy_thing", &state, &config3).await.change.expect("a plan");
    assert_eq!(change.requires_replace, [AttributePath::root().attr("name")]);

    // A failed update keeps the prior state.
    let failing = obj(&[("name", Value::string("a")), ("note", Value::string("fail"))]);
    let applied = apply(&router, "toy_thing", &state, &failing, &failing).await;
    assert_eq!(summaries(&applied.diagnostics), ["Update refused"]);
    assert_eq!(applied.new_state, StateReply::AsSent);

    // Read: found, then gone once the object disappears behind Terraform's back.
    let read = ReadResourceRequest {
        type_name: "toy_thing".into(),
        current_state: state.clone(),
        private: b"stored".to_vec(),
    };
    let reply = router.read_resource(read.clone()).await.expect("read");
    assert_eq!(new_state(&reply.new_state), &state);
    assert_eq!(reply.private, b"stored");
    shared.store.lock().unwrap().clear();
    let reply = router.read_resource(read).await.expect("read");
    assert!(reply.diagnostics.is_empty());
    assert_eq!(new_state(&reply.new_state), &Value::Null, "gone = null");

    // Import: a partial state becomes a full object; private data is carried.
    let reply = router.import("toy_thing", "x").await.expect("import");
    let imported = reply.imported.expect("an imported object");
    assert_eq!(imported.private.as_deref(), Some(&b"imported"[..]));
    assert_eq!(imported.state.get_attr("id"), &Value::string("x"));

    // Destroy: Plan with a null proposal plans null (plan_destroy), Apply with a null plan deletes.
    let planned = plan(&router, "toy_thing", &state, &Value::Null).await;
    assert!(planned.diagnostics.is_empty());
    assert_eq!(planned.change.expect("a plan").planned_state, Value::Null);
    shared.store.lock().unwrap().insert("a".into(), state.clone());
    let applied = apply(&router, "toy_thing", &state, &Value::Null, &Value::Null).await;
    assert!(applied.diagnostics.is_empty());
    assert_eq!(new_state(&applied.new_state), &Value::Null);
    assert!(shared.store.lock().unwrap().is_empty());
}

/// `modify_plan` may ask for replacement on paths of its own; on a destroy (and a create) there is nothing to
/// replace, and a destroy plans null whatever the hook did.
#[tokio::test]
async fn extra_replacement_paths_count_only_when_an_object_is_kept() {
    struct Replacing;

    #[async_trait::async_trait]
    impl Resource for Replacing {
        fn type_name(&self) -> &str {
            "toy_replacing"
        }

        fn schema(&self) -> Schema {
            crate::server::test_provider::simple_schema()
        }

        async fn modify_plan(&self, _ctx: &Context, plan: &mut Plan) -> Result<(), Diagnostics> {
            plan.require_replace(AttributePath::root().attr("id"));
            plan.require_replace(AttributePath::root().attr("name"));
            if plan.is_destroy() {
                plan.planned_state = obj(&[("id", Value::string("not null"))]);
            }
            Ok(())
        }

        async fn create(&self, _ctx: &Context, _request: CreateRequest) -> Result<NewState, Diagnostics> {
            Err(Diagnostics::new())
        }

        async fn read(&self, _ctx: &Context, _request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
            Ok(ReadOutcome::Gone)
        }

        async fn update(&self, _ctx: &Context, _request: UpdateRequest) -> Result<NewState, Diagnostics> {
            Err(Diagnostics::new())
        }

        async fn delete(&self, _ctx: &Context, _request: DeleteRequest) -> Result<(), Diagnostics> {
            Ok(())
        }
    }

    let (router, _) = router_with(vec![Arc::new(Replacing)]);
    let prior = obj(&[("id", Value::string("1")), ("name", Value::string("n"))]);
    let config = obj(&[("name", Value::string("n"))]);
    // Kept: the hook's paths, each once.
    let change = plan(&router, "toy_replacing", &prior, &config).await.change.expect("a plan");
    assert_eq!(change.requires_replace, [AttributePath::root().attr("id"), AttributePath::root().attr("name")]);
    // Created: nothing to replace; the computed id is unknown.
    let change = plan(&router, "toy_replacing", &Value::Null, &config).await.change.expect("a plan");
    assert!(change.requires_replace.is_empty());
    assert_eq!(change.planned_state.get_attr("id"), &Value::Unknown);
    // Destroyed: null, nothing to replace.
    let change = plan(&router, "toy_replacing", &prior, &Value::Null).await.change.expect("a plan");
    assert_eq!((change.planned_state, change.requires_replace), (Value::Null, Vec::new()));
}

#[tokio::test]
async fn a_resource_used_before_configure_gets_a_diagnostic() {
    let (router, _) = router();
    let config = obj(&[("name", Value::string("a"))]);
    let planned = obj(&[("name", Value::string("a")), ("id", Value::Unknown)]);
    let applied = apply(&router, "toy_thing", &Value::Null, &planned, &config).await;
    assert_eq!(summaries(&applied.diagnostics), ["Provider not configured"]);
    assert_eq!(applied.new_state, StateReply::AsSent, "the prior state (null) is kept");
}

#[tokio::test]
async fn upgrade_decodes_stored_json_and_refuses_what_it_cannot_read() {
    let (router, _) = router();
    let upgrade = |version: i64, json: &[u8], has_flatmap: bool| UpgradeRequest {
        type_name: "toy_thing".into(),
        version,
        json: json.to_vec(),
        has_flatmap,
    };
    let json = br#"{"id":"a","name":"a","note":null}"#;
    let (state, diagnostics) = router.upgrade_state(upgrade(1, json, false)).await.expect("upgraded");
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(state.get_attr("name"), &Value::string("a"));
    assert_eq!(state.get_attr("rules"), &Value::Null, "attributes missing from old state are null");

    let refused = router.upgrade_state(upgrade(2, json, false)).await.unwrap_err();
    assert_eq!(summaries(&refused), ["Stored state is from a newer provider version"]);

    let refused = router.upgrade_state(upgrade(0, b"", true)).await.unwrap_err();
    assert!(refused.iter().next().unwrap().detail.contains("flatmap"), "{refused:?}");
    let refused = router.upgrade_state(upgrade(0, b"", false)).await.unwrap_err();
    assert_eq!(refused.iter().next().unwrap().detail, "Terraform sent an empty stored state.");
}

// The rule checks are compiled into debug builds only (release builds leave them to Terraform).
#[cfg(debug_assertions)]
#[tokio::test]
async fn resource_bugs_are_reported_precisely_in_debug_builds() {
    let (router, _) = router();

    // modify_plan rewrote a required attribute.
    let config = obj(&[("name", Value::string("rewrite-plan"))]);
    let planned = plan(&router, "toy_buggy", &Value::Null, &config).await;
    let problem = errors(&planned.diagnostics)[0];
    assert!(problem.summary.contains("planned value does not match the configuration"), "{problem:?}");
    assert_eq!(problem.attribute, Some(AttributePath::root().attr("name")));
    assert!(problem.summary.starts_with("Provider bug"), "{problem:?}");

    // create returned a value other than the planned one; the state is still handed over, since the object exists.
    let config = obj(&[("name", Value::string("n"))]);
    let planned = obj(&[("name", Value::string("n")), ("id", Value::Unknown)]);
    let applied = apply(&router, "toy_buggy", &Value::Null, &planned, &config).await;
    let problem = errors(&applied.diagnostics)[0];
    assert!(problem.summary.contains("applied value differs from the plan"), "{problem:?}");
    assert_eq!(problem.attribute, Some(AttributePath::root().attr("name")));
    assert_eq!(new_state(&applied.new_state).get_attr("id"), &Value::string("b"));

    // read left a value unknown.
    let state = obj(&[("name", Value::string("x")), ("id", Value::string("b"))]);
    let read = ReadResourceRequest { type_name: "toy_buggy".into(), current_state: state, private: Vec::new() };
    let reply = router.read_resource(read).await.expect("read");
    let problem = errors(&reply.diagnostics)[0];
    assert!(problem.summary.contains("unknown value in the new state"));
    assert_eq!(problem.attribute, Some(AttributePath::root().attr("id")));
}

#[tokio::test]
async fn failures_always_have_a_reason_and_a_failed_delete_keeps_the_object() {
    let (router, _) = router();
    let config = obj(&[("name", Value::string("n"))]);
    let state = obj(&[("name", Value::string("x")), ("id", Value::string("b"))]);
    let applied = apply(&router, "toy_buggy", &state, &state, &config).await;
    assert_eq!(summaries(&applied.diagnostics), ["Updating the resource failed"]);
    let applied = apply(&router, "toy_buggy", &state, &Value::Null, &Value::Null).await;
    assert_eq!(summaries(&applied.diagnostics), ["Delete refused"]);
    assert_eq!(applied.new_state, StateReply::AsSent, "the prior state is kept");
    assert_eq!(applied.private, b"planned");
}

#[tokio::test]
async fn a_create_that_fails_half_way_keeps_the_object_in_the_state() {
    let (router, _) = router();
    let config = obj(&[("name", Value::string("h"))]);
    let planned = obj(&[("name", Value::string("h")), ("id", Value::Unknown)]);
    let applied = apply(&router, "toy_half", &Value::Null, &planned, &config).await;
    assert_eq!(summaries(&applied.diagnostics), ["Slow service", "Configuring the new object failed"]);
    assert_eq!(
        applied.new_state,
        StateReply::New(obj(&[("name", Value::string("h")), ("id", Value::string("half-1"))]), "partial state")
    );
}

#[tokio::test]
async fn apply_validates_what_the_plan_did_not_know_before_calling_the_resource() {
    let (router, shared) = router();
    configure(&router).await;
    // The rule kind was unknown at plan time and turns out invalid: nothing is created.
    let config =
        obj(&[("name", Value::string("v")), ("rules", Value::list([obj(&[("kind", Value::string("robot"))])]))]);
    let planned =
        obj(&[("name", Value::string("v")), ("id", Value::Unknown), ("note", Value::Null), ("rules", Value::Unknown)]);
    let applied = apply(&router, "toy_thing", &Value::Null, &planned, &config).await;
    let problem = errors(&applied.diagnostics)[0];
    assert_eq!(problem.attribute, Some(AttributePath::root().attr("rules").index(0).attr("kind")));
    assert_eq!(applied.new_state, StateReply::AsSent);
    assert!(shared.store.lock().unwrap().is_empty(), "create was not called");
}

#[test]
fn invalid_schemas_are_reported() {
    let (router, _) = router_with(vec![Arc::new(BAD_SCHEMA)]);
    let problem = errors(router.schema_problems())[0];
    assert_eq!(problem.summary, "Provider bug: invalid schema");
    assert!(problem.detail.starts_with("toy_bad: x: a required attribute"), "{}", problem.detail);
    let (router, _) = router_with(vec![Arc::new(BAD_SCHEMA), Arc::new(BAD_SCHEMA)]);
    assert!(
        router.schema_problems().iter().any(|d| d.detail.starts_with("toy_bad: two resources have this type name"))
    );
}

#[tokio::test]
async fn a_deprecated_resource_type_warns_at_validate_and_its_attributes_are_still_checked() {
    let (router, _) = router_with(vec![Arc::new(RETIRED)]);
    let diagnostics = router.validate_resource_config("toy_retired", &obj(&[("kind", Value::string("robot"))])).await;
    let warning = diagnostics.iter().find(|d| d.severity == Severity::Warning);
    let warning = warning.expect("a deprecation warning");
    assert_eq!(
        (warning.summary.as_str(), warning.detail.as_str()),
        ("Deprecated resource type toy_retired", "Use toy_thing instead.")
    );
    assert_eq!(errors(&diagnostics)[0].attribute, Some(AttributePath::root().attr("kind")));
}
