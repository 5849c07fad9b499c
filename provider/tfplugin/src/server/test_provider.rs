//! A small provider for the server's tests: `toy_thing` (an ordinary resource backed by a shared store), `toy_slow`
//! (a create that waits until cancelled), `toy_buggy` (breaks Terraform's rules), `toy_half` (a create that fails
//! half way) and schema-only resources. The routing tests call the router with it directly; the wire tests serve it
//! over gRPC.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::validators::one_of;
use crate::{
    Attribute, AttributePath, ConfigureRequest, Configured, Context, CreateRequest, DataSource, DeleteRequest,
    Diagnostics, Nesting, NewState, Plan, Provider, ReadOutcome, ReadRequest, Resource, Schema, Type, UpdateRequest,
    Value, async_trait,
};

pub(crate) type Store = Arc<Mutex<BTreeMap<String, Value>>>;

/// What the test resources share with the tests.
#[derive(Clone, Default)]
pub(crate) struct Shared {
    pub(crate) store: Store,
    pub(crate) configured: Configured<String>,
    pub(crate) slow_started: Arc<Notify>,
}

pub(crate) struct ToyProvider {
    pub(crate) shared: Shared,
    pub(crate) extra_resources: Vec<Arc<dyn Resource>>,
}

#[async_trait]
impl Provider for ToyProvider {
    fn type_name(&self) -> &str {
        "toy"
    }

    fn schema(&self) -> Schema {
        Schema::new("Toy.").attribute(Attribute::string("region").optional().validate(one_of(["north", "south"])))
    }

    async fn configure(&self, _ctx: &Context, request: ConfigureRequest) -> Diagnostics {
        self.shared.configured.set(request.terraform_version);
        Diagnostics::new()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        let mut resources: Vec<Arc<dyn Resource>> = vec![
            Arc::new(Thing { shared: self.shared.clone() }),
            Arc::new(Slow { shared: self.shared.clone() }),
            Arc::new(Buggy),
            Arc::new(HalfCreated),
        ];
        resources.extend(self.extra_resources.iter().cloned());
        resources
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
}

pub(crate) fn thing_schema() -> Schema {
    Schema::new("A thing.").version(1).attributes([
        Attribute::string("id").computed(),
        Attribute::string("name").required().requires_replace(),
        Attribute::string("note").optional(),
        Attribute::nested(
            "rules",
            Nesting::List,
            [
                Attribute::string("kind").required().validate(one_of(["user", "group"])),
                Attribute::string("ref").computed(),
            ],
        )
        .optional(),
    ])
}

pub(crate) fn thing_type() -> Type {
    thing_schema().value_type()
}

/// `toy_thing`: an ordinary resource backed by the shared store.
pub(crate) struct Thing {
    shared: Shared,
}

pub(crate) fn with_computed(planned: &Value, id: &str) -> Value {
    let Value::Object(mut attributes) = planned.clone() else { panic!("not an object: {planned:?}") };
    attributes.insert("id".into(), Value::string(id));
    if let Some(Value::List(rules)) = attributes.get_mut("rules") {
        for (i, rule) in rules.iter_mut().enumerate() {
            if let Value::Object(rule) = rule {
                rule.insert("ref".into(), Value::string(format!("ref-{i}")));
            }
        }
    }
    Value::Object(attributes)
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &str {
        "toy_thing"
    }

    fn schema(&self) -> Schema {
        thing_schema()
    }

    async fn create(&self, _ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        // Uses the configured state, as real resources use their client.
        self.shared.configured.get()?;
        let id = request.planned_state.get_attr("name").as_str().unwrap_or_default().to_owned();
        let state = with_computed(&request.planned_state, &id);
        self.shared.store.lock().unwrap().insert(id, state.clone());
        Ok(NewState::new(state).with_private(b"created".to_vec()))
    }

    async fn read(&self, _ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        let id = request.current_state.get_attr("id").as_str().unwrap_or_default().to_owned();
        Ok(match self.shared.store.lock().unwrap().get(&id) {
            Some(state) => ReadOutcome::Found(NewState::new(state.clone())),
            None => ReadOutcome::Gone,
        })
    }

    async fn update(&self, _ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics> {
        if request.config.get_attr("note").as_str() == Some("fail") {
            return Err(Diagnostics::error("Update refused", "The service said no."));
        }
        let id = request.prior_state.get_attr("id").as_str().unwrap_or_default().to_owned();
        let state = with_computed(&request.planned_state, &id);
        self.shared.store.lock().unwrap().insert(id, state.clone());
        Ok(NewState::new(state))
    }

    async fn delete(&self, _ctx: &Context, request: DeleteRequest) -> Result<(), Diagnostics> {
        let id = request.prior_state.get_attr("id").as_str().unwrap_or_default().to_owned();
        self.shared.store.lock().unwrap().remove(&id);
        Ok(())
    }

    async fn import(&self, _ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        Ok(NewState::new(Value::object([("id", Value::string(id))])).with_private(b"imported".to_vec()))
    }
}

pub(crate) fn simple_schema() -> Schema {
    Schema::new("Simple.").attributes([Attribute::string("id").computed(), Attribute::string("name").required()])
}

pub(crate) fn simple_type() -> Type {
    simple_schema().value_type()
}

/// `toy_slow`: a create that waits for the service forever, until Terraform cancels it.
pub(crate) struct Slow {
    shared: Shared,
}

#[async_trait]
impl Resource for Slow {
    fn type_name(&self) -> &str {
        "toy_slow"
    }

    fn schema(&self) -> Schema {
        simple_schema()
    }

    async fn create(&self, ctx: &Context, _request: CreateRequest) -> Result<NewState, Diagnostics> {
        self.shared.slow_started.notify_one();
        ctx.run("waiting for the service", std::future::pending()).await
    }

    async fn read(&self, _ctx: &Context, _request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        Ok(ReadOutcome::Gone)
    }

    async fn update(&self, _ctx: &Context, _request: UpdateRequest) -> Result<NewState, Diagnostics> {
        Err(Diagnostics::error("not used", ""))
    }

    async fn delete(&self, _ctx: &Context, _request: DeleteRequest) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// `toy_buggy`: breaks Terraform's plan and apply rules, which the server must catch in debug builds.
pub(crate) struct Buggy;

#[async_trait]
impl Resource for Buggy {
    fn type_name(&self) -> &str {
        "toy_buggy"
    }

    fn schema(&self) -> Schema {
        simple_schema()
    }

    async fn modify_plan(&self, _ctx: &Context, plan: &mut Plan) -> Result<(), Diagnostics> {
        if plan.config.get_attr("name").as_str() == Some("rewrite-plan") {
            plan.set(&AttributePath::root().attr("name"), Value::string("rewritten"))?;
        }
        Ok(())
    }

    async fn create(&self, _ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        // Returns a name other than the planned one.
        let _ = request;
        Ok(NewState::new(Value::object([("id", Value::string("b")), ("name", Value::string("changed"))])))
    }

    async fn read(&self, _ctx: &Context, _request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        // Leaves a value unknown, which a read must never do.
        Ok(ReadOutcome::Found(NewState::new(Value::object([("id", Value::Unknown), ("name", Value::string("x"))]))))
    }

    async fn update(&self, _ctx: &Context, _request: UpdateRequest) -> Result<NewState, Diagnostics> {
        Err(Diagnostics::new())
    }

    async fn delete(&self, _ctx: &Context, _request: DeleteRequest) -> Result<(), Diagnostics> {
        Err(Diagnostics::error("Delete refused", "The object is protected."))
    }
}

/// `toy_half`: a create that makes the remote object, then fails on a later step.
pub(crate) struct HalfCreated;

#[async_trait]
impl Resource for HalfCreated {
    fn type_name(&self) -> &str {
        "toy_half"
    }

    fn schema(&self) -> Schema {
        simple_schema()
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        let mut state = request.planned_state.clone();
        *state.at_path_mut(&AttributePath::root().attr("id")).expect("id") = Value::string("half-1");
        ctx.record_partial_state(state);
        ctx.warn("Slow service", "The service took a while.");
        Err(Diagnostics::error("Configuring the new object failed", "The second call failed."))
    }

    async fn read(&self, _ctx: &Context, _request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        Ok(ReadOutcome::Gone)
    }

    async fn update(&self, _ctx: &Context, _request: UpdateRequest) -> Result<NewState, Diagnostics> {
        Err(Diagnostics::error("not used", ""))
    }

    async fn delete(&self, _ctx: &Context, _request: DeleteRequest) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// A resource that only has a schema: enough for the tests of schema problems and validation.
pub(crate) struct SchemaOnly {
    pub(crate) type_name: &'static str,
    pub(crate) schema: fn() -> Schema,
}

/// A schema with a developer mistake.
pub(crate) const BAD_SCHEMA: SchemaOnly = SchemaOnly {
    type_name: "toy_bad",
    schema: || Schema::new("").attribute(Attribute::string("x").required().computed()),
};

/// A resource type kept for old configurations, pointing users to its replacement.
pub(crate) const RETIRED: SchemaOnly = SchemaOnly {
    type_name: "toy_retired",
    schema: || {
        Schema::new("")
            .deprecated("Use toy_thing instead.")
            .attribute(Attribute::string("kind").optional().validate(one_of(["user", "group"])))
    },
};

#[async_trait]
impl Resource for SchemaOnly {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn schema(&self) -> Schema {
        (self.schema)()
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

impl ToyProvider {
    /// The toy provider with its standard resources and `extra_resources`.
    pub(crate) fn with(extra_resources: Vec<Arc<dyn Resource>>) -> (ToyProvider, Shared) {
        let shared = Shared::default();
        (ToyProvider { shared: shared.clone(), extra_resources }, shared)
    }
}

/// An object value from its attributes.
pub(crate) fn obj(entries: &[(&str, Value)]) -> Value {
    Value::object(entries.iter().map(|(k, v)| (*k, v.clone())))
}
