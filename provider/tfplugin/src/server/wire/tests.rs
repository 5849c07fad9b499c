//! The tfplugin6 server at its gRPC boundary: the toy provider served in-process and driven with a gRPC client the
//! way Terraform drives it. What an RPC means is tested on the router (`routing/tests.rs`); these tests pin down
//! what only the wire shows: the schema and metadata messages, msgpack values (null, unknown, the state Terraform
//! sent echoed byte for byte), attribute paths and private data in messages, unimplemented RPCs, cancellation
//! across concurrent RPCs and message sizes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::generated::tfplugin6 as pb;
use crate::server::test_provider::{BAD_SCHEMA, Shared, ToyProvider, obj, simple_type, thing_type};
use crate::testing::{Handshake, PluginClient};
use crate::value::msgpack;
use crate::{Attribute, AttributePath, InProcessServer, Resource, Schema, Type, Value};

/// A served toy provider and a client connected to it.
struct Served {
    shared: Shared,
    client: PluginClient,
    _server: InProcessServer,
}

async fn serve_with(extra_resources: Vec<Arc<dyn Resource>>) -> Served {
    let (provider, shared) = ToyProvider::with(extra_resources);
    let server = InProcessServer::start(provider).expect("serve");
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
                    crate::PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                    crate::PathStep::ElementKeyString(k) => Selector::ElementKeyString(k.clone()),
                    crate::PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(*i),
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
    let first = served.client.get_provider_schema_message().await.expect("schema");
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
        let again = served.client.get_provider_schema_message().await.expect("schema");
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

#[tokio::test]
async fn invalid_schemas_are_reported_to_terraform() {
    let served = serve_with(vec![Arc::new(BAD_SCHEMA)]).await;
    let schema = served.client.get_provider_schema_message().await.expect("schema");
    let problem = errors(&schema.diagnostics)[0];
    assert_eq!(problem.summary, "Provider bug: invalid schema");
    assert!(problem.detail.starts_with("toy_bad: x: a required attribute"), "{}", problem.detail);
}

/// What the router decides is tested in `routing/tests.rs`; this follows one object through every RPC to check what
/// only the messages show: msgpack values (unknown, null as msgpack nil), attribute paths in diagnostics and
/// `requires_replace`, private data, the state Terraform sent echoed byte for byte when an operation fails.
#[tokio::test]
async fn values_paths_and_private_data_cross_the_wire_intact() {
    let served = serve().await;
    configure(&served).await;
    let ty = thing_type();

    // Validation: a diagnostic's path becomes protocol steps; an unknown type is a diagnostic, not a gRPC error.
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

    // Create: unknown values survive msgpack; private data travels both ways.
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

    // A changed requires_replace attribute: its path in protocol steps.
    let planned = plan(&served, "toy_thing", &ty, &state, &obj(&[("name", Value::string("b"))])).await;
    assert_eq!(planned.requires_replace, [steps(&AttributePath::root().attr("name"))]);

    // A failed update answers with the prior state exactly as Terraform sent it.
    let failing = obj(&[("name", Value::string("a")), ("note", Value::string("fail"))]);
    let applied = apply(&served, "toy_thing", &ty, &state, &failing, &failing).await;
    assert_eq!(summaries(&applied.diagnostics), ["Update refused"]);
    assert_eq!(applied.new_state, dynamic(&state, &ty));
    assert_eq!(decoded(applied.new_state.as_ref(), &ty), state);

    // Read: private data passes through; a gone object is msgpack nil.
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

    // Destroy: a null plan, and a null new state after the delete.
    let planned = plan(&served, "toy_thing", &ty, &state, &Value::Null).await;
    assert!(planned.diagnostics.is_empty());
    assert_eq!(decoded(planned.planned_state.as_ref(), &ty), Value::Null);
    served.shared.store.lock().unwrap().insert("a".into(), state.clone());
    let applied = apply(&served, "toy_thing", &ty, &state, &Value::Null, &Value::Null).await;
    assert!(applied.diagnostics.is_empty());
    assert_eq!(decoded(applied.new_state.as_ref(), &ty), Value::Null);
    assert!(served.shared.store.lock().unwrap().is_empty());

    // A failed delete keeps the object: the prior state comes back as sent.
    let applied = apply(&served, "toy_buggy", &simple_type(), &state_of_simple(), &Value::Null, &Value::Null).await;
    assert_eq!(summaries(&applied.diagnostics), ["Delete refused"]);
    assert_eq!(applied.new_state, dynamic(&state_of_simple(), &simple_type()));
}

fn state_of_simple() -> Value {
    obj(&[("name", Value::string("x")), ("id", Value::string("b"))])
}

#[tokio::test]
async fn upgrades_and_deprecations_cross_the_wire() {
    let served = serve_with(vec![Arc::new(crate::server::test_provider::RETIRED)]).await;
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
    assert_eq!(decoded(response.upgraded_state.as_ref(), &ty).get_attr("name"), &Value::string("a"));
    let flatmap = [("id".to_owned(), "a".to_owned())].into_iter().collect();
    let response = served
        .client
        .provider()
        .upgrade_resource_state(upgrade(0, pb::RawState { json: Vec::new(), flatmap }))
        .await
        .expect("rpc")
        .into_inner();
    assert!(response.upgraded_state.is_none());
    assert!(response.diagnostics[0].detail.contains("flatmap"), "{:?}", response.diagnostics);

    let retired = (crate::server::test_provider::RETIRED.schema)().value_type();
    let request = pb::validate_resource_config::Request {
        type_name: "toy_retired".into(),
        config: dynamic(&obj(&[("kind", Value::string("robot"))]), &retired),
        client_capabilities: None,
    };
    let response = served.client.provider().validate_resource_config(request).await.expect("rpc").into_inner();
    let warning = response.diagnostics.iter().find(|d| d.severity == pb::diagnostic::Severity::Warning as i32);
    assert_eq!(warning.expect("a deprecation warning").summary, "Deprecated resource type toy_retired");
    assert_eq!(errors(&response.diagnostics)[0].attribute, Some(steps(&AttributePath::root().attr("kind"))));
}

#[tokio::test]
async fn the_summary_client_reports_the_schema_in_plain_terms() {
    let served = serve_with(vec![Arc::new(BAD_SCHEMA)]).await;
    let summary = served.client.get_provider_schema().await.expect("schema");
    assert_eq!(summary.provider_attributes, ["region"]);
    assert_eq!(summary.resource_types, ["toy_bad", "toy_buggy", "toy_half", "toy_slow", "toy_thing"]);
    assert!(summary.data_source_types.is_empty());
    assert_eq!(summary.diagnostics, ["Provider bug: invalid schema"]);
    let capabilities = summary.server_capabilities.expect("capabilities");
    assert!(capabilities.plan_destroy && capabilities.get_provider_schema_optional);
    let message = served.client.get_provider_schema_message().await.expect("schema");
    assert_eq!(summary.encoded_len, prost::Message::encoded_len(&message));
}
