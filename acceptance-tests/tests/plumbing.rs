//! The protocol plumbing, proven with the real terraform binary and a provider that exists only in this file.
//!
//! The `plumbing` provider keeps its objects in memory, in a store the tests can reach behind Terraform's back (to
//! simulate drift and out-of-band deletion). Nothing here ships in the real provider.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use acceptance_tests::{Harness, PlanCheck, StateCheck, Step};
use tfplugin::validators::{guid, int_between, matches, one_of};
use tfplugin::{
    Attribute, AttributePath, ConfigureRequest, Configured, Context, CreateRequest, DataSource, DeleteRequest,
    Diagnostics, Nesting, NewState, Plan, Provider, ReadOutcome, ReadRequest, Resource, Schema, Type, UpdateRequest,
    Value, async_trait,
};

const SOURCE: &str = "test/plumbing";

/// The remote side: objects by id.
#[derive(Clone, Default)]
struct Store(Arc<Mutex<BTreeMap<String, Value>>>);

impl Store {
    fn get(&self, id: &str) -> Option<Value> {
        self.0.lock().unwrap().get(id).cloned()
    }
    fn put(&self, id: &str, value: Value) {
        self.0.lock().unwrap().insert(id.to_owned(), value);
    }
    fn remove(&self, id: &str) -> Option<Value> {
        self.0.lock().unwrap().remove(id)
    }
    fn ids(&self) -> Vec<String> {
        self.0.lock().unwrap().keys().cloned().collect()
    }
    /// Changes one attribute of a stored object, as someone editing it outside Terraform would.
    fn tamper(&self, id: &str, attribute: &str, value: Value) {
        let mut objects = self.0.lock().unwrap();
        let Some(Value::Object(attributes)) = objects.get_mut(id) else { panic!("no object {id}") };
        attributes.insert(attribute.to_owned(), value);
    }
}

struct PlumbingProvider {
    store: Store,
    prefix: Configured<String>,
}

#[async_trait]
impl Provider for PlumbingProvider {
    fn type_name(&self) -> &str {
        "plumbing"
    }

    fn schema(&self) -> Schema {
        Schema::new("A provider that exists only in the tests.").attribute(
            Attribute::string("prefix")
                .optional()
                .description("Prefix of object ids.")
                .validate(matches("^[a-z]+$", "lowercase letters")),
        )
    }

    async fn configure(&self, _ctx: &Context, request: ConfigureRequest) -> Diagnostics {
        let prefix = request.config.get_attr("prefix").as_str().unwrap_or("thing").to_owned();
        self.prefix.set(prefix);
        Diagnostics::new()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing { store: self.store.clone(), prefix: self.prefix.clone(), next: Arc::default() })]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Echo)]
    }
}

/// `plumbing_thing`: a resource with every kind of attribute the framework handles.
struct Thing {
    store: Store,
    prefix: Configured<String>,
    next: Arc<AtomicU64>,
}

impl Thing {
    fn ty() -> Type {
        Thing::schema_static().value_type()
    }

    fn schema_static() -> Schema {
        Schema::new("A thing.").attributes([
            Attribute::string("id").computed().description("Assigned on create."),
            Attribute::string("name").required().requires_replace(),
            Attribute::string("description").optional(),
            Attribute::string("mode").optional().computed().validate(one_of(["fast", "safe"])),
            Attribute::number("size").optional().validate(int_between(1, 100)),
            Attribute::string("upstream").optional(),
            Attribute::set("labels", Type::String).optional(),
            Attribute::nested(
                "settings",
                Nesting::Single,
                [
                    Attribute::bool("enabled").optional(),
                    Attribute::string("label").optional(),
                    Attribute::string("tag").computed(),
                ],
            )
            .optional(),
            Attribute::nested(
                "rules",
                Nesting::List,
                [
                    Attribute::string("target").required().validate(guid()),
                    Attribute::string("kind").required().validate(one_of(["user", "group"])),
                ],
            )
            .optional(),
        ])
    }

    /// The remote object for a plan: computed values filled in as the "service" would.
    fn realize(&self, id: &str, planned: &Value) -> Value {
        let Value::Object(mut attributes) = planned.clone() else { panic!("planned state is not an object") };
        attributes.insert("id".into(), Value::string(id));
        if attributes.get("mode").is_none_or(|m| !m.is_known() || m.is_null()) {
            attributes.insert("mode".into(), Value::string("safe"));
        }
        if let Some(Value::Object(settings)) = attributes.get_mut("settings") {
            let label = settings.get("label").and_then(Value::as_str).unwrap_or("none").to_owned();
            settings.insert("tag".into(), Value::string(format!("tag-{label}")));
        }
        Value::Object(attributes)
    }
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &str {
        "plumbing_thing"
    }

    fn schema(&self) -> Schema {
        Thing::schema_static()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if config.get_attr("description").as_str() == Some("forbidden") {
            diagnostics.add_attribute_error(
                AttributePath::root().attr("description"),
                "Forbidden description",
                "The description may not be \"forbidden\".",
            );
        }
        diagnostics
    }

    async fn modify_plan(&self, _ctx: &Context, plan: &mut Plan) -> Result<(), Diagnostics> {
        if plan.is_destroy() {
            return Ok(());
        }
        // `mode` defaults to "safe": plan the default instead of "known after apply".
        if plan.config.get_attr("mode").is_null() && plan.is_create() {
            plan.set(&AttributePath::root().attr("mode"), Value::string("safe"))?;
        }
        // The tag follows the label: when the label changes (or is not known yet), the tag is unknown.
        let label_path = AttributePath::root().attr("settings").attr("label");
        let settings = plan.planned_state.get_attr("settings").clone();
        if !settings.is_null() && settings.is_known() {
            let prior_label = plan.prior_state.at_path(&label_path).cloned().unwrap_or(Value::Null);
            let label = plan.get(&label_path).clone();
            let tag_path = AttributePath::root().attr("settings").attr("tag");
            if plan.is_create() || label != prior_label || !label.is_known() {
                plan.mark_unknown(&tag_path)?;
            }
        }
        Ok(())
    }

    async fn create(&self, _ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        let prefix = self.prefix.get()?;
        let id = format!("{prefix}-{}", self.next.fetch_add(1, Ordering::SeqCst) + 1);
        let state = self.realize(&id, &request.planned_state);
        self.store.put(&id, state.clone());
        Ok(NewState::new(state).with_private(b"{\"v\":1}".to_vec()))
    }

    async fn read(&self, _ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        let id = request.current_state.get_attr("id").as_str().unwrap_or_default().to_owned();
        Ok(match self.store.get(&id) {
            Some(state) => ReadOutcome::Found(NewState::new(state)),
            None => ReadOutcome::Gone,
        })
    }

    async fn update(&self, _ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics> {
        let id = request.prior_state.get_attr("id").as_str().unwrap_or_default().to_owned();
        let state = self.realize(&id, &request.planned_state);
        self.store.put(&id, state.clone());
        Ok(NewState::new(state))
    }

    async fn delete(&self, _ctx: &Context, request: DeleteRequest) -> Result<(), Diagnostics> {
        let id = request.prior_state.get_attr("id").as_str().unwrap_or_default().to_owned();
        self.store.remove(&id);
        Ok(())
    }

    async fn import(&self, _ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        if self.store.get(id).is_none() {
            return Err(Diagnostics::error("Cannot import", format!("There is no thing with id {id:?}.")));
        }
        // Only the id: Terraform reads the object right after the import.
        let mut state = Value::object_of_nulls(&Thing::ty());
        if let Value::Object(attributes) = &mut state {
            attributes.insert("id".into(), Value::string(id));
        }
        Ok(NewState::new(state))
    }
}

/// `plumbing_echo`: a data source that upper-cases its input.
struct Echo;

#[async_trait]
impl DataSource for Echo {
    fn type_name(&self) -> &str {
        "plumbing_echo"
    }

    fn schema(&self) -> Schema {
        Schema::new("Echoes its input.")
            .attributes([Attribute::string("text").required(), Attribute::string("upper").computed()])
    }

    async fn read(&self, _ctx: &Context, config: Value) -> Result<Value, Diagnostics> {
        let text = config.get_attr("text").as_str().unwrap_or_default().to_owned();
        Ok(Value::object([("text", Value::string(&text)), ("upper", Value::string(text.to_uppercase()))]))
    }
}

fn harness() -> (Harness, Store) {
    let store = Store::default();
    let provider = PlumbingProvider { store: store.clone(), prefix: Configured::new() };
    (Harness::serve(provider, SOURCE), store)
}

const ADDRESS: &str = "plumbing_thing.a";

#[test]
fn full_lifecycle_create_import_update_replace_destroy() {
    let (harness, store) = harness();
    let after_destroy = store.clone();
    harness
        .test_case()
        .step(
            Step::config(
                r#"
                provider "plumbing" { prefix = "obj" }
                resource "plumbing_thing" "a" {
                  name        = "alpha"
                  description = "first"
                  labels      = ["x", "y"]
                  settings    = { enabled = true, label = "blue" }
                  rules = [
                    { target = "00000000-0000-0000-0000-000000000001", kind = "user" },
                    { target = "00000000-0000-0000-0000-000000000002", kind = "group" },
                  ]
                }
                data "plumbing_echo" "e" { text = plumbing_thing.a.name }
                output "upper" { value = data.plumbing_echo.e.upper }
                "#,
            )
            .plan_check(PlanCheck::actions(ADDRESS, &["create"]))
            .plan_check(PlanCheck::unknown(ADDRESS, "id"))
            .plan_check(PlanCheck::after(ADDRESS, "mode", "safe"))
            .plan_check(PlanCheck::unknown(ADDRESS, "settings.tag"))
            .check(StateCheck::attr(ADDRESS, "id", "obj-1"))
            .check(StateCheck::attr(ADDRESS, "mode", "safe"))
            .check(StateCheck::attr(ADDRESS, "settings.tag", "tag-blue"))
            .check(StateCheck::attr(ADDRESS, "rules.1.kind", "group"))
            .check(StateCheck::attr_null(ADDRESS, "size"))
            .check(StateCheck::attr("data.plumbing_echo.e", "upper", "ALPHA")),
        )
        .step(Step::import(ADDRESS))
        .step(
            Step::config(
                r#"
                provider "plumbing" { prefix = "obj" }
                resource "plumbing_thing" "a" {
                  name        = "alpha"
                  description = "second"
                  mode        = "fast"
                  size        = 42
                  labels      = ["y", "x"]
                  settings    = { enabled = true, label = "green" }
                }
                "#,
            )
            .plan_check(PlanCheck::actions(ADDRESS, &["update"]))
            .plan_check(PlanCheck::unknown(ADDRESS, "settings.tag"))
            .check(StateCheck::attr(ADDRESS, "id", "obj-1"))
            .check(StateCheck::attr(ADDRESS, "size", 42))
            .check(StateCheck::attr(ADDRESS, "settings.tag", "tag-green"))
            .check(StateCheck::attr_null(ADDRESS, "rules")),
        )
        .step(
            Step::config(
                r#"
                provider "plumbing" { prefix = "obj" }
                resource "plumbing_thing" "a" {
                  name = "beta"
                }
                "#,
            )
            .plan_check(PlanCheck::replaced(ADDRESS))
            .check(StateCheck::attr(ADDRESS, "id", "obj-2"))
            // A replacement is a create: the default applies again.
            .check(StateCheck::attr(ADDRESS, "mode", "safe")),
        )
        .check_destroy(move || {
            let left = after_destroy.ids();
            if left.is_empty() { Ok(()) } else { Err(format!("objects left behind: {left:?}")) }
        })
        .run();
    assert!(store.ids().is_empty());
}

#[test]
fn drift_and_out_of_band_deletion_show_up_in_the_plan() {
    let (harness, store) = harness();
    let config = r#"
        resource "plumbing_thing" "a" {
          name        = "alpha"
          description = "managed"
        }
    "#;
    let tamper = store.clone();
    let delete = store.clone();
    harness
        .test_case()
        .step(Step::config(config))
        .step(Step::run(move |_| tamper.tamper("thing-1", "description", Value::string("edited by hand"))))
        .step(
            Step::plan_only(config)
                .expect_changes()
                .plan_check(PlanCheck::actions(ADDRESS, &["update"]))
                .plan_check(PlanCheck::after(ADDRESS, "description", "managed")),
        )
        // Applying the same configuration puts it back, and the plans after it are empty again.
        .step(Step::config(config).check(StateCheck::attr(ADDRESS, "description", "managed")))
        .step(Step::run(move |_| {
            delete.remove("thing-1").expect("the object exists");
        }))
        .step(Step::plan_only(config).plan_check(PlanCheck::actions(ADDRESS, &["create"])))
        .step(Step::config(config).check(StateCheck::attr(ADDRESS, "id", "thing-2")))
        .run();
}

#[test]
fn validation_errors_point_at_the_exact_attribute() {
    let (harness, _store) = harness();
    harness
        .test_case()
        // Terraform quotes the configuration line the diagnostic's attribute path leads to.
        .step(Step::expect_error(
            r#"
            resource "plumbing_thing" "a" {
              name = "alpha"
              mode = "turbo"
            }
            "#,
            r#"Invalid attribute value .* mode = "turbo" .*mode must be one of "fast", "safe", got "turbo""#,
        ))
        .step(Step::expect_error(
            r#"
            resource "plumbing_thing" "a" {
              name = "alpha"
              rules = [
                { target = "00000000-0000-0000-0000-000000000001", kind = "user" },
                { target = "00000000-0000-0000-0000-000000000002", kind = "robot" },
              ]
            }
            "#,
            // Terraform cannot point into an expression, so it quotes the resource block; the detail names the
            // exact path.
            r#"Invalid attribute value .*rules\[1\]\.kind must be one of "user", "group", got "robot""#,
        ))
        .step(
            Step::expect_error(
                r#"
                resource "plumbing_thing" "a" {
                  name  = "alpha"
                  rules = [{ target = "not-a-guid", kind = "user" }]
                }
                "#,
                r#"Invalid GUID .*rules\[0\]\.target must be a GUID"#,
            )
            .on_validate(),
        )
        .step(Step::expect_error(
            r#"
            resource "plumbing_thing" "a" {
              name        = "alpha"
              description = "forbidden"
            }
            "#,
            r#"Forbidden description .* description = "forbidden""#,
        ))
        .step(Step::expect_error(
            r#"
            provider "plumbing" { prefix = "UPPER" }
            resource "plumbing_thing" "a" { name = "alpha" }
            "#,
            r#"prefix = "UPPER" .*prefix must be lowercase letters"#,
        ))
        .run();
}

#[test]
fn unknown_and_null_nested_values_round_trip() {
    let (harness, _store) = harness();
    harness
        .test_case()
        .step(
            Step::config(
                r#"
                resource "plumbing_thing" "a" {
                  name = "alpha"
                }
                resource "plumbing_thing" "b" {
                  name     = "beta"
                  upstream = plumbing_thing.a.id
                  settings = { label = plumbing_thing.a.id }
                }
                resource "plumbing_thing" "c" {
                  name     = "gamma"
                  settings = null
                  labels   = []
                }
                "#,
            )
            .plan_check(PlanCheck::unknown("plumbing_thing.b", "upstream"))
            .plan_check(PlanCheck::unknown("plumbing_thing.b", "settings.label"))
            .plan_check(PlanCheck::unknown("plumbing_thing.b", "settings.tag"))
            .plan_check(PlanCheck::after("plumbing_thing.c", "settings", serde_json::Value::Null))
            .check(StateCheck::custom("b follows a's id", |state| {
                let a = state.values("plumbing_thing.a")["id"].as_str().unwrap_or_default().to_owned();
                let b = state.values("plumbing_thing.b");
                let expected = serde_json::json!({"upstream": a, "label": a, "tag": format!("tag-{a}")});
                let actual = serde_json::json!({"upstream": b["upstream"], "label": b["settings"]["label"], "tag": b["settings"]["tag"]});
                if a.starts_with("thing-") && actual == expected { Ok(()) } else { Err(format!("{actual} != {expected}")) }
            }))
            .check(StateCheck::attr_null("plumbing_thing.b", "settings.enabled"))
            .check(StateCheck::attr_null("plumbing_thing.c", "settings"))
            .check(StateCheck::attr("plumbing_thing.c", "labels", serde_json::json!([]))),
        )
        .step(Step::import("plumbing_thing.c"))
        .run();
}

#[test]
fn values_unknown_at_plan_time_are_validated_at_apply_time() {
    let (harness, store) = harness();
    let left = store.clone();
    harness
        .test_case()
        .step(Step::config(r#"resource "plumbing_thing" "a" { name = "alpha" }"#))
        .step(
            Step::expect_error(
                r#"
                resource "plumbing_thing" "a" {
                  name = "alpha"
                }
                resource "plumbing_thing" "a2" {
                  name = "alpha2"
                }
                resource "plumbing_thing" "b" {
                  name = "beta"
                  # Unknown while planning; 700 once plumbing_thing.a2 has its id ("thing-2").
                  size = length(plumbing_thing.a2.id) * 100
                }
                "#,
                r#"size must be a whole number between 1 and 100, got 700"#,
            )
            .on_apply(),
        )
        .step(Step::run(|workdir| {
            let state = workdir.state();
            assert!(state.resource("plumbing_thing.a2").is_some(), "a2 was created before b failed");
            assert!(state.resource("plumbing_thing.b").is_none(), "b must not be created: {:?}", state.addresses());
        }))
        .check_destroy(move || {
            let ids = left.ids();
            if ids.is_empty() { Ok(()) } else { Err(format!("objects left behind: {ids:?}")) }
        })
        .run();
    assert!(store.ids().is_empty());
}
