//! The tfplugin6 server at its gRPC boundary: a provider served in-process, driven with a gRPC client the way
//! Terraform drives it. These tests pin down the routing rules, default planning, the protocol details (paths,
//! null and unknown values, private data) and the server's own behaviour (caching, cancellation, message sizes).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tfplugin::proto::tfplugin6 as pb;
use tfplugin::testing::{Handshake, PluginClient};
use tfplugin::validators::one_of;
use tfplugin::value::msgpack;
use tfplugin::{
    Attribute, AttributePath, ConfigureRequest, Configured, Context, CreateRequest, DataSource, DeleteRequest,
    Diagnostics, InProcessServer, Nesting, NewState, Plan, Provider, ReadOutcome, ReadRequest, Resource, Schema, Type,
    UpdateRequest, Value, async_trait,
};
use tokio::sync::Notify;

type Store = Arc<Mutex<BTreeMap<String, Value>>>;

/// What the test resources share with the tests.
#[derive(Clone, Default)]
struct Shared {
    store: Store,
    configured: Configured<String>,
    slow_started: Arc<Notify>,
}

struct ToyProvider {
    shared: Shared,
    extra_resources: Vec<Arc<dyn Resource>>,
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

fn thing_schema() -> Schema {
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

fn thing_type() -> Type {
    thing_schema().value_type()
}

/// `toy_thing`: an ordinary resource backed by the shared store.
struct Thing {
    shared: Shared,
}

fn with_computed(planned: &Value, id: &str) -> Value {
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

fn simple_schema() -> Schema {
    Schema::new("Simple.").attributes([Attribute::string("id").computed(), Attribute::string("name").required()])
}

fn simple_type() -> Type {
    simple_schema().value_type()
}

/// `toy_slow`: a create that waits for the service forever, until Terraform cancels it.
struct Slow {
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
struct Buggy;

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
struct HalfCreated;

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

/// A served toy provider and a client connected to it.
struct Served {
    shared: Shared,
    client: PluginClient,
    _server: InProcessServer,
}

async fn serve_with(extra_resources: Vec<Arc<dyn Resource>>) -> Served {
    let shared = Shared::default();
    let server = InProcessServer::start(ToyProvider { shared: shared.clone(), extra_resources }).expect("serve");
    let handshake =
        Handshake::parse(&format!("1|6|unix|{}|grpc|", server.socket_path().display())).expect("handshake line");
    let client = PluginClient::connect(&handshake, None).await.expect("connect");
    Served { shared, client, _server: server }
}

async fn serve() -> Served {
    serve_with(Vec::new()).await
}

fn dynamic(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue { msgpack: msgpack::encode(value, ty).expect("encode"), json: Vec::new() })
}

fn decoded(value: Option<&pb::DynamicValue>, ty: &Type) -> Value {
    match value {
        Some(v) if !v.msgpack.is_empty() => msgpack::decode(&v.msgpack, ty).expect("decode"),
        _ => Value::Null,
    }
}

fn obj(entries: &[(&str, Value)]) -> Value {
    Value::object(entries.iter().map(|(k, v)| (*k, v.clone())))
}

fn summaries(diagnostics: &[pb::Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(|d| d.summary.clone()).collect()
}

fn errors(diagnostics: &[pb::Diagnostic]) -> Vec<&pb::Diagnostic> {
    diagnostics.iter().filter(|d| d.severity == pb::diagnostic::Severity::Error as i32).collect()
}

fn steps(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: path
            .steps
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    tfplugin::PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                    tfplugin::PathStep::ElementKeyString(k) => Selector::ElementKeyString(k.clone()),
                    tfplugin::PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

async fn configure(served: &Served) {
    let config = obj(&[("region", Value::Null)]);
    let request = pb::configure_provider::Request {
        terraform_version: "1.11.4".into(),
        config: dynamic(&config, &Schema::new("").attribute(Attribute::string("region").optional()).value_type()),
        client_capabilities: None,
    };
    let response = served.client.provider().configure_provider(request).await.expect("rpc").into_inner();
    assert!(response.diagnostics.is_empty(), "{:?}", response.diagnostics);
}

async fn plan(
    served: &Served,
    type_name: &str,
    ty: &Type,
    prior: &Value,
    config: &Value,
) -> pb::plan_resource_change::Response {
    // Terraform's proposal is the configuration with computed values the configuration leaves null taken from the
    // prior state (for list elements, from the prior element at the same index). The computed attributes of these
    // schemas are `id` and `rules[*].ref`.
    let proposed = match (prior, config) {
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
    };
    let request = pb::plan_resource_change::Request {
        type_name: type_name.into(),
        prior_state: dynamic(prior, ty),
        proposed_new_state: dynamic(&proposed, ty),
        config: dynamic(config, ty),
        prior_private: b"prior".to_vec(),
        ..Default::default()
    };
    served.client.provider().plan_resource_change(request).await.expect("rpc").into_inner()
}

async fn apply(
    served: &Served,
    type_name: &str,
    ty: &Type,
    prior: &Value,
    planned: &Value,
    config: &Value,
) -> pb::apply_resource_change::Response {
    let request = pb::apply_resource_change::Request {
        type_name: type_name.into(),
        prior_state: dynamic(prior, ty),
        planned_state: dynamic(planned, ty),
        config: dynamic(config, ty),
        planned_private: b"planned".to_vec(),
        ..Default::default()
    };
    served.client.provider().apply_resource_change(request).await.expect("rpc").into_inner()
}

#[tokio::test]
async fn the_schema_is_served_from_cache_quickly_and_advertises_plan_destroy_and_an_optional_schema_call() {
    let served = serve().await;
    let first = served.client.get_provider_schema().await.expect("schema");
    let capabilities = first.server_capabilities.expect("capabilities");
    assert!(capabilities.plan_destroy && capabilities.get_provider_schema_optional);
    assert!(!capabilities.move_resource_state);
    assert!(first.diagnostics.is_empty());
    let thing = first.resource_schemas["toy_thing"].clone();
    assert_eq!(thing.version, 1);
    let block = thing.block.expect("block");
    assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
    let rules = block.attributes.iter().find(|a| a.name == "rules").expect("rules");
    assert!(rules.r#type.is_empty());
    assert_eq!(rules.nested_type.as_ref().map(|o| o.nesting), Some(pb::schema::object::NestingMode::List as i32));
    let id = block.attributes.iter().find(|a| a.name == "id").expect("id");
    assert_eq!(id.r#type, br#""string""#);
    assert!(id.computed && !id.optional && !id.required);

    let rounds = 200;
    let start = Instant::now();
    for _ in 0..rounds {
        let again = served.client.get_provider_schema().await.expect("schema");
        assert_eq!(again.resource_schemas.len(), first.resource_schemas.len());
    }
    let mean = start.elapsed() / rounds;
    // The whole round trip over the socket, in a debug build; the server side is a copy of a cached message.
    assert!(mean < Duration::from_millis(5), "GetProviderSchema took {mean:?} per call");
}

#[tokio::test]
async fn metadata_lists_the_types_and_unimplemented_rpcs_say_so() {
    let served = serve().await;
    let mut provider = served.client.provider();
    let metadata = provider.get_metadata(pb::get_metadata::Request {}).await.expect("rpc").into_inner();
    let names: Vec<String> = metadata.resources.iter().map(|r| r.type_name.clone()).collect();
    assert_eq!(names, ["toy_buggy", "toy_half", "toy_slow", "toy_thing"]);
    assert_eq!(metadata.server_capabilities.map(|c| c.plan_destroy), Some(true));

    let status = provider.get_functions(pb::get_functions::Request {}).await.expect_err("unimplemented");
    assert_eq!(status.code(), tonic::Code::Unimplemented);
    let status =
        provider.move_resource_state(pb::move_resource_state::Request::default()).await.expect_err("unimplemented");
    assert_eq!(status.code(), tonic::Code::Unimplemented);
    let status = provider
        .open_ephemeral_resource(pb::open_ephemeral_resource::Request::default())
        .await
        .expect_err("unimplemented");
    assert_eq!(status.code(), tonic::Code::Unimplemented);
}

#[tokio::test]
async fn validation_reports_exact_paths_and_skips_unknown_values() {
    let served = serve().await;
    let ty = thing_type();
    let config = obj(&[
        ("name", Value::string("a")),
        ("rules", Value::list([obj(&[("kind", Value::string("user"))]), obj(&[("kind", Value::string("robot"))])])),
    ]);
    let request = pb::validate_resource_config::Request {
        type_name: "toy_thing".into(),
        config: dynamic(&config, &ty),
        client_capabilities: None,
    };
    let response = served.client.provider().validate_resource_config(request).await.expect("rpc").into_inner();
    assert_eq!(response.diagnostics.len(), 1, "{:?}", response.diagnostics);
    let expected = steps(&AttributePath::root().attr("rules").index(1).attr("kind"));
    assert_eq!(response.diagnostics[0].attribute, Some(expected));

    let config = obj(&[("name", Value::Unknown), ("rules", Value::list([obj(&[("kind", Value::Unknown)])]))]);
    let request = pb::validate_resource_config::Request {
        type_name: "toy_thing".into(),
        config: dynamic(&config, &ty),
        client_capabilities: None,
    };
    let response = served.client.provider().validate_resource_config(request).await.expect("rpc").into_inner();
    assert!(response.diagnostics.is_empty(), "{:?}", response.diagnostics);

    let request =
        pb::validate_resource_config::Request { type_name: "toy_nope".into(), config: None, client_capabilities: None };
    let response = served.client.provider().validate_resource_config(request).await.expect("rpc").into_inner();
    assert_eq!(summaries(&response.diagnostics), ["Unknown resource type"]);

    let provider_type = Schema::new("").attribute(Attribute::string("region").optional()).value_type();
    let request = pb::validate_provider_config::Request {
        config: dynamic(&obj(&[("region", Value::string("east"))]), &provider_type),
    };
    let response = served.client.provider().validate_provider_config(request).await.expect("rpc").into_inner();
    assert_eq!(response.diagnostics[0].attribute, Some(steps(&AttributePath::root().attr("region"))));
}

#[tokio::test]
async fn plan_apply_read_import_and_destroy_route_to_the_right_methods() {
    let served = serve().await;
    configure(&served).await;
    let ty = thing_type();

    // Create: computed attributes the configuration leaves null are unknown, at every depth.
    let config =
        obj(&[("name", Value::string("a")), ("rules", Value::list([obj(&[("kind", Value::string("user"))])]))]);
    let planned = plan(&served, "toy_thing", &ty, &Value::Null, &config).await;
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
    assert!(planned.requires_replace.is_empty());
    assert_eq!(planned.planned_private, b"prior");
    let planned_state = decoded(planned.planned_state.as_ref(), &ty);
    assert_eq!(planned_state.get_attr("id"), &Value::Unknown);
    assert_eq!(planned_state.at_path(&AttributePath::root().attr("rules").index(0).attr("ref")), Some(&Value::Unknown));
    assert!(!planned.legacy_type_system && planned.deferred.is_none());

    let applied = apply(&served, "toy_thing", &ty, &Value::Null, &planned_state, &config).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(applied.private, b"created");
    let state = decoded(applied.new_state.as_ref(), &ty);
    assert_eq!(state.get_attr("id"), &Value::string("a"));
    assert_eq!(state.get_attr("note"), &Value::Null, "every attribute is present, unset ones null");

    // Update in place: no replacement, computed values kept, computed values of a new list element unknown;
    // private data passes through.
    let rules = Value::list([obj(&[("kind", Value::string("user"))]), obj(&[("kind", Value::string("group"))])]);
    let config2 = obj(&[("name", Value::string("a")), ("note", Value::string("hi")), ("rules", rules)]);
    let planned = plan(&served, "toy_thing", &ty, &state, &config2).await;
    assert!(planned.requires_replace.is_empty());
    let planned_state = decoded(planned.planned_state.as_ref(), &ty);
    assert_eq!(planned_state.get_attr("id"), &Value::string("a"));
    let rule_ref = |i: i64| AttributePath::root().attr("rules").index(i).attr("ref");
    assert_eq!(planned_state.at_path(&rule_ref(0)), Some(&Value::string("ref-0")));
    assert_eq!(planned_state.at_path(&rule_ref(1)), Some(&Value::Unknown));
    let applied = apply(&served, "toy_thing", &ty, &state, &planned_state, &config2).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(applied.private, b"planned", "update keeps the planned private data");
    let state = decoded(applied.new_state.as_ref(), &ty);
    assert_eq!(state.get_attr("note"), &Value::string("hi"));

    // A changed requires_replace attribute.
    let config3 = obj(&[("name", Value::string("b"))]);
    let planned = plan(&served, "toy_thing", &ty, &state, &config3).await;
    assert_eq!(planned.requires_replace, [steps(&AttributePath::root().attr("name"))]);

    // A failed update keeps the prior state.
    let failing = obj(&[("name", Value::string("a")), ("note", Value::string("fail"))]);
    let applied = apply(&served, "toy_thing", &ty, &state, &failing, &failing).await;
    assert_eq!(summaries(&applied.diagnostics), ["Update refused"]);
    assert_eq!(decoded(applied.new_state.as_ref(), &ty), state);

    // Read: found, then gone once the object disappears behind Terraform's back.
    let read = pb::read_resource::Request {
        type_name: "toy_thing".into(),
        current_state: dynamic(&state, &ty),
        private: b"stored".to_vec(),
        ..Default::default()
    };
    let response = served.client.provider().read_resource(read.clone()).await.expect("rpc").into_inner();
    assert_eq!(decoded(response.new_state.as_ref(), &ty), state);
    assert_eq!(response.private, b"stored");
    served.shared.store.lock().unwrap().clear();
    let response = served.client.provider().read_resource(read).await.expect("rpc").into_inner();
    assert!(response.diagnostics.is_empty());
    assert_eq!(response.new_state.map(|v| v.msgpack), Some(vec![0xc0]), "gone = msgpack nil");

    // Import: a partial state becomes a full object; private data is carried.
    let request =
        pb::import_resource_state::Request { type_name: "toy_thing".into(), id: "x".into(), ..Default::default() };
    let response = served.client.provider().import_resource_state(request).await.expect("rpc").into_inner();
    assert_eq!(response.imported_resources.len(), 1);
    let imported = &response.imported_resources[0];
    assert_eq!(imported.type_name, "toy_thing");
    assert_eq!(imported.private, b"imported");
    let imported_state = decoded(imported.state.as_ref(), &ty);
    assert_eq!(imported_state.get_attr("id"), &Value::string("x"));
    assert_eq!(imported_state.get_attr("name"), &Value::Null);

    // Destroy: Plan with a null proposal plans null (plan_destroy), Apply with a null plan deletes.
    let planned = plan(&served, "toy_thing", &ty, &state, &Value::Null).await;
    assert!(planned.diagnostics.is_empty());
    assert_eq!(decoded(planned.planned_state.as_ref(), &ty), Value::Null);
    served.shared.store.lock().unwrap().insert("a".into(), state.clone());
    let applied = apply(&served, "toy_thing", &ty, &state, &Value::Null, &Value::Null).await;
    assert!(applied.diagnostics.is_empty());
    assert_eq!(decoded(applied.new_state.as_ref(), &ty), Value::Null);
    assert!(served.shared.store.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_resource_used_before_configure_gets_a_diagnostic() {
    let served = serve().await;
    let ty = thing_type();
    let config = obj(&[("name", Value::string("a"))]);
    let planned = obj(&[("name", Value::string("a")), ("id", Value::Unknown)]);
    let applied = apply(&served, "toy_thing", &ty, &Value::Null, &planned, &config).await;
    assert_eq!(summaries(&applied.diagnostics), ["Provider not configured"]);
    assert_eq!(decoded(applied.new_state.as_ref(), &ty), Value::Null);
}

#[tokio::test]
async fn upgrade_decodes_stored_json_and_refuses_what_it_cannot_read() {
    let served = serve().await;
    let ty = thing_type();
    let upgrade = |version: i64, raw: pb::RawState| pb::upgrade_resource_state::Request {
        type_name: "toy_thing".into(),
        version,
        raw_state: Some(raw),
    };
    let json = br#"{"id":"a","name":"a","note":null}"#.to_vec();
    let response = served
        .client
        .provider()
        .upgrade_resource_state(upgrade(1, pb::RawState { json: json.clone(), flatmap: Default::default() }))
        .await
        .expect("rpc")
        .into_inner();
    assert!(response.diagnostics.is_empty(), "{:?}", response.diagnostics);
    let state = decoded(response.upgraded_state.as_ref(), &ty);
    assert_eq!(state.get_attr("name"), &Value::string("a"));
    assert_eq!(state.get_attr("rules"), &Value::Null, "attributes missing from old state are null");

    let response = served
        .client
        .provider()
        .upgrade_resource_state(upgrade(2, pb::RawState { json, flatmap: Default::default() }))
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(summaries(&response.diagnostics), ["Stored state is from a newer provider version"]);

    let flatmap = [("id".to_owned(), "a".to_owned())].into_iter().collect();
    let response = served
        .client
        .provider()
        .upgrade_resource_state(upgrade(0, pb::RawState { json: Vec::new(), flatmap }))
        .await
        .expect("rpc")
        .into_inner();
    assert!(response.diagnostics[0].detail.contains("flatmap"), "{:?}", response.diagnostics);
}

#[tokio::test]
async fn stop_provider_cancels_in_flight_work_and_later_work_still_runs() {
    let served = serve().await;
    let ty = simple_type();
    let config = obj(&[("name", Value::string("s"))]);
    let planned = obj(&[("name", Value::string("s")), ("id", Value::Unknown)]);

    let mut provider = served.client.provider();
    let request = pb::apply_resource_change::Request {
        type_name: "toy_slow".into(),
        prior_state: dynamic(&Value::Null, &ty),
        planned_state: dynamic(&planned, &ty),
        config: dynamic(&config, &ty),
        ..Default::default()
    };
    let in_flight = tokio::spawn({
        let request = request.clone();
        async move { provider.apply_resource_change(request).await }
    });
    tokio::time::timeout(Duration::from_secs(5), served.shared.slow_started.notified()).await.expect("create started");
    let stopped = Instant::now();
    let response =
        served.client.provider().stop_provider(pb::stop_provider::Request {}).await.expect("rpc").into_inner();
    assert_eq!(response.error, "");
    let applied = tokio::time::timeout(Duration::from_secs(2), in_flight)
        .await
        .expect("cancelled promptly")
        .expect("task")
        .expect("rpc")
        .into_inner();
    assert!(stopped.elapsed() < Duration::from_secs(2));
    assert_eq!(
        summaries(&errors(&applied.diagnostics).into_iter().cloned().collect::<Vec<_>>()),
        ["Interrupted while waiting for the service"]
    );

    // The next operation gets a fresh cancellation token: it is not cancelled by the earlier stop.
    let mut provider = served.client.provider();
    let second = tokio::spawn(async move { provider.apply_resource_change(request).await });
    tokio::time::timeout(Duration::from_secs(5), served.shared.slow_started.notified())
        .await
        .expect("second create started");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!second.is_finished(), "a new operation must not inherit the earlier stop");
    served.client.provider().stop_provider(pb::stop_provider::Request {}).await.expect("rpc");
    tokio::time::timeout(Duration::from_secs(2), second).await.expect("second cancelled").expect("task").expect("rpc");
}

#[tokio::test]
async fn messages_larger_than_four_mebibytes_are_accepted() {
    let served = serve().await;
    configure(&served).await;
    let ty = thing_type();
    let big = "x".repeat(6 * 1024 * 1024);
    let config = obj(&[("name", Value::string("big")), ("note", Value::string(&big))]);
    let planned = obj(&[("name", Value::string("big")), ("note", Value::string(&big)), ("id", Value::Unknown)]);
    let applied = apply(&served, "toy_thing", &ty, &Value::Null, &planned, &config).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(decoded(applied.new_state.as_ref(), &ty).get_attr("note").as_str().map(str::len), Some(big.len()));
}

// The rule checks are compiled into debug builds only (release builds leave them to Terraform).
#[cfg(debug_assertions)]
#[tokio::test]
async fn resource_bugs_are_reported_precisely_in_debug_builds() {
    let served = serve().await;
    let ty = simple_type();

    // modify_plan rewrote a required attribute.
    let config = obj(&[("name", Value::string("rewrite-plan"))]);
    let planned = plan(&served, "toy_buggy", &ty, &Value::Null, &config).await;
    let problem = errors(&planned.diagnostics)[0];
    assert!(problem.summary.contains("planned value does not match the configuration"), "{problem:?}");
    assert_eq!(problem.attribute, Some(steps(&AttributePath::root().attr("name"))));

    // create returned a value other than the planned one; the state is still handed over, since the object exists.
    let config = obj(&[("name", Value::string("n"))]);
    let planned = obj(&[("name", Value::string("n")), ("id", Value::Unknown)]);
    let applied = apply(&served, "toy_buggy", &ty, &Value::Null, &planned, &config).await;
    let problem = errors(&applied.diagnostics)[0];
    assert!(problem.summary.contains("applied value differs from the plan"), "{problem:?}");
    assert_eq!(decoded(applied.new_state.as_ref(), &ty).get_attr("id"), &Value::string("b"));

    // read left a value unknown.
    let state = obj(&[("name", Value::string("x")), ("id", Value::string("b"))]);
    let read = pb::read_resource::Request {
        type_name: "toy_buggy".into(),
        current_state: dynamic(&state, &ty),
        ..Default::default()
    };
    let response = served.client.provider().read_resource(read).await.expect("rpc").into_inner();
    assert!(errors(&response.diagnostics)[0].summary.contains("unknown value in the new state"));
}

#[tokio::test]
async fn failures_always_have_a_reason_and_a_failed_delete_keeps_the_object() {
    let served = serve().await;
    let ty = simple_type();
    let config = obj(&[("name", Value::string("n"))]);
    let state = obj(&[("name", Value::string("x")), ("id", Value::string("b"))]);
    let applied = apply(&served, "toy_buggy", &ty, &state, &state, &config).await;
    assert_eq!(summaries(&applied.diagnostics), ["Updating the resource failed"]);
    let applied = apply(&served, "toy_buggy", &ty, &state, &Value::Null, &Value::Null).await;
    assert_eq!(summaries(&applied.diagnostics), ["Delete refused"]);
    assert_eq!(decoded(applied.new_state.as_ref(), &ty), state);
}

#[tokio::test]
async fn a_create_that_fails_half_way_keeps_the_object_in_the_state() {
    let served = serve().await;
    let ty = simple_type();
    let config = obj(&[("name", Value::string("h"))]);
    let planned = obj(&[("name", Value::string("h")), ("id", Value::Unknown)]);
    let applied = apply(&served, "toy_half", &ty, &Value::Null, &planned, &config).await;
    assert_eq!(summaries(&applied.diagnostics), ["Slow service", "Configuring the new object failed"]);
    assert_eq!(decoded(applied.new_state.as_ref(), &ty).get_attr("id"), &Value::string("half-1"));
}

/// A resource that only has a schema: enough for the tests of schema problems and validation.
struct SchemaOnly {
    type_name: &'static str,
    schema: fn() -> Schema,
}

/// A schema with a developer mistake.
const BAD_SCHEMA: SchemaOnly = SchemaOnly {
    type_name: "toy_bad",
    schema: || Schema::new("").attribute(Attribute::string("x").required().computed()),
};

/// A resource type kept for old configurations, pointing users to its replacement.
const RETIRED: SchemaOnly = SchemaOnly {
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

#[tokio::test]
async fn invalid_schemas_are_reported_to_terraform() {
    let served = serve_with(vec![Arc::new(BAD_SCHEMA)]).await;
    let schema = served.client.get_provider_schema().await.expect("schema");
    let problem = errors(&schema.diagnostics)[0];
    assert_eq!(problem.summary, "Provider bug: invalid schema");
    assert!(problem.detail.starts_with("toy_bad: x: a required attribute"), "{}", problem.detail);
}

#[tokio::test]
async fn a_deprecated_resource_type_warns_at_validate_and_its_attributes_are_still_checked() {
    let served = serve_with(vec![Arc::new(RETIRED)]).await;
    let ty = (RETIRED.schema)().value_type();
    let request = pb::validate_resource_config::Request {
        type_name: "toy_retired".into(),
        config: dynamic(&obj(&[("kind", Value::string("robot"))]), &ty),
        client_capabilities: None,
    };
    let response = served.client.provider().validate_resource_config(request).await.expect("rpc").into_inner();
    let warning = response.diagnostics.iter().find(|d| d.severity == pb::diagnostic::Severity::Warning as i32);
    let warning = warning.expect("a deprecation warning");
    assert_eq!(
        (warning.summary.as_str(), warning.detail.as_str()),
        ("Deprecated resource type toy_retired", "Use toy_thing instead.")
    );
    assert_eq!(errors(&response.diagnostics)[0].attribute, Some(steps(&AttributePath::root().attr("kind"))));
}
