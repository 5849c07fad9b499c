//! The tfplugin6 `Provider` gRPC service: the one place that turns Terraform's RPCs into calls on resource code.
//!
//! Routing rules (what Terraform's RPCs mean):
//! - `PlanResourceChange`: a null prior state is a create, a null proposed state is a destroy (Terraform ≥ 1.3 calls
//!   Plan for destroys because we advertise `plan_destroy`), anything else an update. The server builds the
//!   default plan, lets the resource adjust it, then computes `requires_replace`.
//! - `ApplyResourceChange`: null prior → create; null planned → delete; otherwise update.
//! - `ReadResource`, `ImportResourceState` (Terraform reads the object afterwards), `UpgradeResourceState`,
//!   `ReadDataSource` map to the method of the same name.
//!
//! Every RPC answers with diagnostics rather than a gRPC error (Terraform shows a gRPC error as "plugin did not
//! respond"). Schemas are converted and encoded once, when the server is built, so `GetProviderSchema` is a copy.

mod convert;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use tracing::Instrument;

use crate::context::Context;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::plan::{self, ValidationScope};
use crate::proto::tfplugin6 as pb;
use crate::provider::{
    ConfigureRequest, CreateRequest, DataSource, DeleteRequest, Plan, Provider, ReadOutcome, ReadRequest, Resource,
    UpdateRequest, UpgradeStateRequest,
};
use crate::schema::Schema;
use crate::value::{Type, Value};

/// A resource type with its schema, converted once.
struct ResourceEntry {
    resource: Arc<dyn Resource>,
    schema: Schema,
    ty: Type,
}

/// A data source with its schema, converted once.
struct DataSourceEntry {
    data_source: Arc<dyn DataSource>,
    schema: Schema,
    ty: Type,
}

/// The tfplugin6 service for one [`Provider`].
pub(crate) struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    provider_type: Type,
    resources: HashMap<String, ResourceEntry>,
    data_sources: HashMap<String, DataSourceEntry>,
    schema_response: pb::get_provider_schema::Response,
    metadata_response: pb::get_metadata::Response,
    /// Tripped by StopProvider; replaced afterwards, because in debug mode one process outlives many commands.
    stop: Mutex<CancellationToken>,
}

impl std::fmt::Debug for ProviderService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderService").field("provider", &self.provider.type_name()).finish_non_exhaustive()
    }
}

/// The capabilities we honour.
/// - `plan_destroy`: Plan is called for destroys, and we answer with a null plan.
/// - `get_provider_schema_optional`: the server needs no `GetProviderSchema` call to work (schemas are built when it
///   starts), so Terraform (≥ 1.6) may use the schema it already has. It starts the provider three times for one
///   `plan` (schema, validate, plan) and would otherwise fetch and decode the whole schema in each process.
fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities { plan_destroy: true, get_provider_schema_optional: true, move_resource_state: false }
}

impl ProviderService {
    /// Builds the service: collects schemas, converts them once, and checks them for developer mistakes.
    pub(crate) fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let mut problems: Vec<String> =
            provider_schema.problems().into_iter().map(|p| format!("provider configuration: {p}")).collect();

        let mut resources = HashMap::new();
        for resource in provider.resources() {
            let schema = resource.schema();
            let name = resource.type_name().to_owned();
            problems.extend(schema.problems().into_iter().map(|p| format!("{name}: {p}")));
            let ty = schema.value_type();
            if resources.insert(name.clone(), ResourceEntry { resource, schema, ty }).is_some() {
                problems.push(format!("{name}: two resources have this type name"));
            }
        }
        let mut data_sources = HashMap::new();
        for data_source in provider.data_sources() {
            let schema = data_source.schema();
            let name = data_source.type_name().to_owned();
            problems.extend(schema.problems().into_iter().map(|p| format!("data source {name}: {p}")));
            let ty = schema.value_type();
            if data_sources.insert(name.clone(), DataSourceEntry { data_source, schema, ty }).is_some() {
                problems.push(format!("data source {name}: two data sources have this type name"));
            }
        }

        let mut diagnostics = Diagnostics::new();
        for problem in &problems {
            diagnostics.add_error(
                "Provider bug: invalid schema",
                format!("{problem}. Please report this to the provider developers."),
            );
        }
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(convert::schema(&provider_schema)),
            resource_schemas: resources.iter().map(|(n, e)| (n.clone(), convert::schema(&e.schema))).collect(),
            data_source_schemas: data_sources.iter().map(|(n, e)| (n.clone(), convert::schema(&e.schema))).collect(),
            functions: HashMap::new(),
            ephemeral_resource_schemas: HashMap::new(),
            diagnostics: convert::diagnostics(&diagnostics),
            provider_meta: None,
            server_capabilities: Some(server_capabilities()),
        };
        let mut resource_names: Vec<&String> = resources.keys().collect();
        resource_names.sort();
        let mut data_source_names: Vec<&String> = data_sources.keys().collect();
        data_source_names.sort();
        let metadata_response = pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            diagnostics: convert::diagnostics(&diagnostics),
            data_sources: data_source_names
                .into_iter()
                .map(|n| pb::get_metadata::DataSourceMetadata { type_name: n.clone() })
                .collect(),
            resources: resource_names
                .into_iter()
                .map(|n| pb::get_metadata::ResourceMetadata { type_name: n.clone() })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: Vec::new(),
        };

        let provider_type = provider_schema.value_type();
        ProviderService {
            provider,
            provider_schema,
            provider_type,
            resources,
            data_sources,
            schema_response,
            metadata_response,
            stop: Mutex::new(CancellationToken::new()),
        }
    }

    fn context(&self) -> Context {
        Context::new(self.stop.lock().unwrap_or_else(PoisonError::into_inner).clone())
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostics::error(
                "Unknown resource type",
                format!("This provider has no resource type named {type_name:?}."),
            )
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostics::error("Unknown data source", format!("This provider has no data source named {type_name:?}."))
        })
    }

    /// Triggers cancellation of in-flight operations and arms a fresh token for later ones.
    fn stop_in_flight(&self) {
        let mut token = self.stop.lock().unwrap_or_else(PoisonError::into_inner);
        token.cancel();
        *token = CancellationToken::new();
    }
}

/// Runs an RPC handler inside a span named after the RPC, logging its start and end at debug level.
async fn traced<T, F>(rpc: &'static str, type_name: &str, handler: F) -> Result<Response<T>, Status>
where
    F: Future<Output = T>,
{
    let span = tracing::debug_span!("rpc", tf_rpc = rpc, tf_resource_type = tracing::field::Empty);
    if !type_name.is_empty() {
        span.record("tf_resource_type", type_name);
    }
    async move {
        tracing::debug!("received request");
        let response = handler.await;
        tracing::debug!("served request");
        Ok(Response::new(response))
    }
    .instrument(span)
    .await
}

/// An error result always carries at least one error, so Terraform never fails without a reason.
/// The checks every validate RPC starts with: decodes the configuration, warns when the schema is deprecated (under
/// the title `deprecated`), and applies the schema's own rules to every attribute. The type's own validation comes
/// after, with the decoded value.
fn validate_against_schema(
    schema: &Schema,
    ty: &Type,
    config: Option<&pb::DynamicValue>,
    what: &str,
    deprecated: impl FnOnce() -> String,
) -> Result<(Value, Diagnostics), Diagnostics> {
    let config = convert::decode(config, ty, what)?;
    let mut diagnostics = Diagnostics::new();
    if let Some(message) = &schema.deprecation {
        diagnostics.add_warning(deprecated(), message);
    }
    plan::validate_attributes(&schema.attributes, &config, &Default::default(), ValidationScope::All, &mut diagnostics);
    Ok((config, diagnostics))
}

fn ensure_error(mut diagnostics: Diagnostics, operation: &str) -> Diagnostics {
    if !diagnostics.has_errors() {
        diagnostics.add_error(format!("{operation} failed"), "The provider reported a failure without details.");
    }
    diagnostics
}

/// In debug builds (all tests), results are checked against Terraform's rules so resource bugs surface with a
/// precise message instead of Terraform's generic "Provider produced invalid plan".
fn check_rules(problems: Vec<Diagnostic>, diagnostics: &mut Diagnostics) {
    if cfg!(debug_assertions) {
        for problem in problems {
            tracing::error!(detail = %problem, "provider produced a result Terraform would reject");
            diagnostics.push(problem);
        }
    }
}

#[tonic::async_trait]
impl pb::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        traced("GetMetadata", "", async { self.metadata_response.clone() }).await
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        traced("GetProviderSchema", "", async { self.schema_response.clone() }).await
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let request = request.into_inner();
        traced("ValidateProviderConfig", "", async {
            let diagnostics = async {
                let (config, mut diagnostics) = validate_against_schema(
                    &self.provider_schema,
                    &self.provider_type,
                    request.config.as_ref(),
                    "provider configuration",
                    || "Deprecated provider".to_owned(),
                )?;
                diagnostics.extend(self.provider.validate_config(&self.context(), &config).await);
                Ok::<_, Diagnostics>(diagnostics)
            }
            .await
            .unwrap_or_else(|d| d);
            pb::validate_provider_config::Response { diagnostics: convert::diagnostics(&diagnostics) }
        })
        .await
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let request = request.into_inner();
        traced("ValidateResourceConfig", &request.type_name.clone(), async {
            let diagnostics = async {
                let entry = self.resource(&request.type_name)?;
                let (config, mut diagnostics) = validate_against_schema(
                    &entry.schema,
                    &entry.ty,
                    request.config.as_ref(),
                    "resource configuration",
                    || format!("Deprecated resource type {}", request.type_name),
                )?;
                diagnostics.extend(entry.resource.validate(&self.context(), &config).await);
                Ok::<_, Diagnostics>(diagnostics)
            }
            .await
            .unwrap_or_else(|d| d);
            pb::validate_resource_config::Response { diagnostics: convert::diagnostics(&diagnostics) }
        })
        .await
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let request = request.into_inner();
        traced("ValidateDataResourceConfig", &request.type_name.clone(), async {
            let diagnostics = async {
                let entry = self.data_source(&request.type_name)?;
                let (config, mut diagnostics) = validate_against_schema(
                    &entry.schema,
                    &entry.ty,
                    request.config.as_ref(),
                    "data source configuration",
                    || format!("Deprecated data source {}", request.type_name),
                )?;
                diagnostics.extend(entry.data_source.validate(&self.context(), &config).await);
                Ok::<_, Diagnostics>(diagnostics)
            }
            .await
            .unwrap_or_else(|d| d);
            pb::validate_data_resource_config::Response { diagnostics: convert::diagnostics(&diagnostics) }
        })
        .await
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let request = request.into_inner();
        traced("UpgradeResourceState", &request.type_name.clone(), async {
            let result = async {
                let entry = self.resource(&request.type_name)?;
                let raw = request.raw_state.unwrap_or_default();
                if raw.json.is_empty() {
                    let detail = if raw.flatmap.is_empty() {
                        "Terraform sent an empty stored state."
                    } else {
                        "The stored state uses the flatmap format of Terraform 0.11 and older, which this provider \
                         cannot read. Remove the resource from the state and import it again."
                    };
                    return Err(Diagnostics::error("Unable to read the stored state", detail));
                }
                if request.version > entry.schema.version {
                    return Err(Diagnostics::error(
                        "Stored state is from a newer provider version",
                        format!(
                            "The state of this {} resource was written with schema version {}, but this provider \
                             only knows versions up to {}. Use the provider version that wrote it, or newer.",
                            request.type_name, request.version, entry.schema.version
                        ),
                    ));
                }
                let ctx = self.context();
                let upgrade = UpgradeStateRequest {
                    version: request.version,
                    raw_state_json: raw.json,
                    current_version: entry.schema.version,
                    current_type: entry.ty.clone(),
                };
                let state = entry
                    .resource
                    .upgrade_state(&ctx, upgrade)
                    .await
                    .map_err(|d| ensure_error(d, "Upgrading the stored state"))?;
                let encoded = convert::encode(&state, &entry.ty, "upgraded state")?;
                Ok((encoded, ctx.take_diagnostics()))
            }
            .await;
            match result {
                Ok((state, diagnostics)) => pb::upgrade_resource_state::Response {
                    upgraded_state: Some(state),
                    diagnostics: convert::diagnostics(&diagnostics),
                },
                Err(diagnostics) => pb::upgrade_resource_state::Response {
                    upgraded_state: None,
                    diagnostics: convert::diagnostics(&diagnostics),
                },
            }
        })
        .await
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let request = request.into_inner();
        traced("ConfigureProvider", "", async {
            let diagnostics = async {
                let config = convert::decode(request.config.as_ref(), &self.provider_type, "provider configuration")?;
                let ctx = self.context();
                let configure = ConfigureRequest { config, terraform_version: request.terraform_version };
                let mut diagnostics = self.provider.configure(&ctx, configure).await;
                diagnostics.extend(ctx.take_diagnostics());
                Ok::<_, Diagnostic>(diagnostics)
            }
            .await
            .unwrap_or_else(Diagnostics::from);
            pb::configure_provider::Response { diagnostics: convert::diagnostics(&diagnostics) }
        })
        .await
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let request = request.into_inner();
        traced("ReadResource", &request.type_name.clone(), async {
            let mut response = pb::read_resource::Response { private: request.private.clone(), ..Default::default() };
            let result = async {
                let entry = self.resource(&request.type_name)?;
                let current = convert::decode(request.current_state.as_ref(), &entry.ty, "current state")?;
                let ctx = self.context();
                let read = ReadRequest { current_state: current.clone(), private: request.private.clone() };
                let outcome = entry.resource.read(&ctx, read).await;
                let mut diagnostics = ctx.take_diagnostics();
                match outcome {
                    Ok(ReadOutcome::Found(new)) => {
                        check_rules(plan::unknown_problems(&new.state), &mut diagnostics);
                        response.new_state = Some(convert::encode(&new.state, &entry.ty, "refreshed state")?);
                        if let Some(private) = new.private {
                            response.private = private;
                        }
                    }
                    Ok(ReadOutcome::Gone) => {
                        tracing::info!("the remote object is gone; removing it from the state");
                        response.new_state = Some(convert::encode(&Value::Null, &entry.ty, "refreshed state")?);
                    }
                    Err(errors) => {
                        // Keep the state Terraform had: a failed read says nothing about the object.
                        diagnostics.extend(ensure_error(errors, "Reading the resource"));
                        response.new_state = request.current_state.clone();
                    }
                }
                Ok::<_, Diagnostics>(diagnostics)
            }
            .await;
            let diagnostics = result.unwrap_or_else(|d| d);
            response.diagnostics = convert::diagnostics(&diagnostics);
            response
        })
        .await
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let request = request.into_inner();
        traced("PlanResourceChange", &request.type_name.clone(), async {
            let mut response = pb::plan_resource_change::Response::default();
            let result = async {
                let entry = self.resource(&request.type_name)?;
                let prior = convert::decode(request.prior_state.as_ref(), &entry.ty, "prior state")?;
                let proposed = convert::decode(request.proposed_new_state.as_ref(), &entry.ty, "proposed new state")?;
                let config = convert::decode(request.config.as_ref(), &entry.ty, "configuration")?;
                let attributes = &entry.schema.attributes;
                let planned = plan::default_plan(attributes, &config, &prior, &proposed);
                let mut plan = Plan {
                    config,
                    prior_state: prior,
                    proposed_new_state: proposed,
                    planned_state: planned,
                    prior_private: request.prior_private.clone(),
                    planned_private: request.prior_private.clone(),
                    requires_replace: Vec::new(),
                };
                let ctx = self.context();
                let hook = entry.resource.modify_plan(&ctx, &mut plan).await;
                let mut diagnostics = ctx.take_diagnostics();
                if let Err(errors) = hook {
                    diagnostics.extend(ensure_error(errors, "Planning the change"));
                    return Ok(diagnostics);
                }
                if plan.is_destroy() {
                    // A destroy plan is always null, whatever the hook did.
                    plan.planned_state = Value::Null;
                    plan.requires_replace.clear();
                } else {
                    check_rules(plan::plan_problems(attributes, &plan.config, &plan.planned_state), &mut diagnostics);
                }
                let mut replace = plan::replacement_paths(attributes, &plan.prior_state, &plan.planned_state);
                if !plan.prior_state.is_null() && !plan.planned_state.is_null() {
                    for path in plan.requires_replace {
                        if !replace.contains(&path) {
                            replace.push(path);
                        }
                    }
                }
                response.planned_state = Some(convert::encode(&plan.planned_state, &entry.ty, "planned state")?);
                response.requires_replace = replace.iter().map(convert::attribute_path).collect();
                response.planned_private = plan.planned_private;
                Ok::<_, Diagnostics>(diagnostics)
            }
            .await;
            let diagnostics = result.unwrap_or_else(|d| d);
            response.diagnostics = convert::diagnostics(&diagnostics);
            response
        })
        .await
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let request = request.into_inner();
        traced("ApplyResourceChange", &request.type_name.clone(), async {
            let mut response = pb::apply_resource_change::Response::default();
            let diagnostics = self.apply(&request, &mut response).await.unwrap_or_else(|d| d);
            response.diagnostics = convert::diagnostics(&diagnostics);
            response
        })
        .await
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let request = request.into_inner();
        traced("ImportResourceState", &request.type_name.clone(), async {
            let mut response = pb::import_resource_state::Response::default();
            let result = async {
                let entry = self.resource(&request.type_name)?;
                let ctx = self.context();
                let imported = entry.resource.import(&ctx, &request.id).await;
                let mut diagnostics = ctx.take_diagnostics();
                match imported {
                    Ok(new) => {
                        check_rules(plan::unknown_problems(&new.state), &mut diagnostics);
                        if new.state.is_null() {
                            diagnostics.add_error(
                                "Provider bug: import produced no state",
                                "Import must return the state of the object; please report this to the provider developers.",
                            );
                        } else {
                            response.imported_resources.push(pb::import_resource_state::ImportedResource {
                                type_name: request.type_name.clone(),
                                state: Some(convert::encode(&new.state, &entry.ty, "imported state")?),
                                private: new.private.unwrap_or_default(),
                                identity: None,
                            });
                        }
                    }
                    Err(errors) => diagnostics.extend(ensure_error(errors, "Importing the resource")),
                }
                Ok::<_, Diagnostics>(diagnostics)
            }
            .await;
            let diagnostics = result.unwrap_or_else(|d| d);
            response.diagnostics = convert::diagnostics(&diagnostics);
            response
        })
        .await
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let request = request.into_inner();
        traced("ReadDataSource", &request.type_name.clone(), async {
            let mut response = pb::read_data_source::Response::default();
            let result = async {
                let entry = self.data_source(&request.type_name)?;
                let config = convert::decode(request.config.as_ref(), &entry.ty, "data source configuration")?;
                let ctx = self.context();
                let read = entry.data_source.read(&ctx, config.clone()).await;
                let mut diagnostics = ctx.take_diagnostics();
                match read {
                    Ok(state) => {
                        check_rules(plan::unknown_problems(&state), &mut diagnostics);
                        check_rules(plan::plan_problems(&entry.schema.attributes, &config, &state), &mut diagnostics);
                        response.state = Some(convert::encode(&state, &entry.ty, "data source result")?);
                    }
                    Err(errors) => diagnostics.extend(ensure_error(errors, "Reading the data source")),
                }
                Ok::<_, Diagnostics>(diagnostics)
            }
            .await;
            let diagnostics = result.unwrap_or_else(|d| d);
            response.diagnostics = convert::diagnostics(&diagnostics);
            response
        })
        .await
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        traced("StopProvider", "", async {
            tracing::info!("Terraform asked the provider to stop; cancelling in-flight operations");
            self.stop_in_flight();
            pb::stop_provider::Response { error: String::new() }
        })
        .await
    }
}

impl ProviderService {
    /// ApplyResourceChange: decides between create, update and delete, and makes sure the response never loses
    /// track of an object that exists.
    async fn apply(
        &self,
        request: &pb::apply_resource_change::Request,
        response: &mut pb::apply_resource_change::Response,
    ) -> Result<Diagnostics, Diagnostics> {
        let entry = self.resource(&request.type_name)?;
        let prior = convert::decode(request.prior_state.as_ref(), &entry.ty, "prior state")?;
        let planned = convert::decode(request.planned_state.as_ref(), &entry.ty, "planned state")?;
        let config = convert::decode(request.config.as_ref(), &entry.ty, "configuration")?;
        let ctx = self.context();
        response.private = request.planned_private.clone();

        if planned.is_null() {
            let delete = DeleteRequest { prior_state: prior.clone(), planned_private: request.planned_private.clone() };
            let result = entry.resource.delete(&ctx, delete).await;
            let mut diagnostics = ctx.take_diagnostics();
            match result {
                Ok(()) => response.new_state = Some(convert::encode(&Value::Null, &entry.ty, "new state")?),
                Err(errors) => {
                    // The object still exists: keep it in the state.
                    diagnostics.extend(ensure_error(errors, "Deleting the resource"));
                    response.new_state = request.prior_state.clone();
                }
            }
            return Ok(diagnostics);
        }

        // Values that were unknown during planning are known now: validate them before touching anything.
        let mut diagnostics = Diagnostics::new();
        let root = Default::default();
        let scope = ValidationScope::UnknownIn(&planned);
        plan::validate_attributes(&entry.schema.attributes, &config, &root, scope, &mut diagnostics);
        if !planned.is_fully_known() {
            let rerun = entry.resource.validate(&ctx, &config).await;
            diagnostics.extend(rerun.into_iter().filter(Diagnostic::is_error).collect());
        }
        if diagnostics.has_errors() {
            response.new_state = request.prior_state.clone();
            return Ok(diagnostics);
        }

        let creating = prior.is_null();
        let result = if creating {
            let create = CreateRequest {
                config,
                planned_state: planned.clone(),
                planned_private: request.planned_private.clone(),
            };
            entry.resource.create(&ctx, create).await
        } else {
            let update = UpdateRequest {
                config,
                prior_state: prior.clone(),
                planned_state: planned.clone(),
                planned_private: request.planned_private.clone(),
            };
            entry.resource.update(&ctx, update).await
        };
        diagnostics.extend(ctx.take_diagnostics());
        match result {
            Ok(new) => {
                check_rules(plan::new_state_problems(&planned, &new.state), &mut diagnostics);
                if new.state.is_null() {
                    diagnostics.add_error(
                        "Provider bug: apply produced no state",
                        "Create and update must return the object's state; please report this to the provider developers.",
                    );
                }
                // Even when the checks above found problems, the object exists: hand its state to Terraform.
                response.new_state = Some(convert::encode(&new.state, &entry.ty, "new state")?);
                if let Some(private) = new.private {
                    response.private = private;
                }
            }
            Err(errors) => {
                let operation = if creating { "Creating the resource" } else { "Updating the resource" };
                diagnostics.extend(ensure_error(errors, operation));
                response.new_state = match ctx.take_partial_state() {
                    Some(partial) => Some(convert::encode(&partial, &entry.ty, "partial state")?),
                    None => request.prior_state.clone(),
                };
            }
        }
        Ok(diagnostics)
    }
}
