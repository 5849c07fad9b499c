//! The router: what each of Terraform's RPCs means for resource code, in plain Rust over [`Value`]s, [`Schema`]s and
//! [`Diagnostics`]. No protobuf type appears here; `wire` decodes a request into one of the structs below, calls the
//! router, and encodes its reply.
//!
//! Routing rules:
//! - plan: the router builds the default plan ([`Plan::with_default`]), lets the resource adjust it, then computes
//!   the paths that force replacement. A null proposal is a destroy (Terraform ≥ 1.3 plans destroys because we
//!   advertise `plan_destroy`) and always plans null.
//! - apply: null prior → create; null planned → delete; otherwise update. Values unknown at plan time are validated
//!   before anything is touched, and a reply never loses track of an object that exists.
//! - read, import, upgrade, data source read: the method of the same name.
//! - every failure carries at least one error, so Terraform never fails without a reason; results are checked
//!   against Terraform's rules in debug builds (`rules`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio_util::sync::CancellationToken;

use super::rules::{check_rules, new_state_problems, plan_problems, unknown_problems};
use crate::context::Context;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::plan::{self, Plan, ValidationScope};
use crate::provider::{
    ConfigureRequest, CreateRequest, DataSource, DeleteRequest, NewState, Provider, ReadOutcome, ReadRequest, Resource,
    UpdateRequest, UpgradeStateRequest,
};
use crate::schema::Schema;
use crate::value::{AttributePath, Type, Value};

/// A resource type with its schema, collected once.
struct ResourceEntry {
    resource: Arc<dyn Resource>,
    schema: Schema,
    ty: Type,
}

/// A data source with its schema, collected once.
struct DataSourceEntry {
    data_source: Arc<dyn DataSource>,
    schema: Schema,
    ty: Type,
}

/// The state a reply hands back to Terraform.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StateReply {
    /// A new value; the text names it in an encoding error ("refreshed state", "new state", …).
    New(Value, &'static str),
    /// Exactly what Terraform sent as the current (or prior) state, byte for byte: the operation failed and says
    /// nothing new about the object.
    AsSent,
}

/// `PlanResourceChange`.
#[derive(Debug, Clone)]
pub(crate) struct PlanRequest {
    pub(crate) type_name: String,
    pub(crate) prior_state: Value,
    pub(crate) proposed_new_state: Value,
    pub(crate) config: Value,
    pub(crate) prior_private: Vec<u8>,
}

/// A plan Terraform may carry out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlannedChange {
    pub(crate) planned_state: Value,
    pub(crate) requires_replace: Vec<AttributePath>,
    pub(crate) planned_private: Vec<u8>,
}

/// The reply to [`PlanRequest`]: no change when `modify_plan` failed.
#[derive(Debug)]
pub(crate) struct PlanReply {
    pub(crate) change: Option<PlannedChange>,
    pub(crate) diagnostics: Diagnostics,
}

/// `ApplyResourceChange`.
#[derive(Debug, Clone)]
pub(crate) struct ApplyRequest {
    pub(crate) type_name: String,
    pub(crate) prior_state: Value,
    pub(crate) planned_state: Value,
    pub(crate) config: Value,
    pub(crate) planned_private: Vec<u8>,
}

/// The reply to [`ApplyRequest`] ([`StateReply::AsSent`] is the prior state).
#[derive(Debug)]
pub(crate) struct ApplyReply {
    pub(crate) new_state: StateReply,
    pub(crate) private: Vec<u8>,
    pub(crate) diagnostics: Diagnostics,
}

/// `ReadResource`.
#[derive(Debug, Clone)]
pub(crate) struct ReadResourceRequest {
    pub(crate) type_name: String,
    pub(crate) current_state: Value,
    pub(crate) private: Vec<u8>,
}

/// The reply to [`ReadResourceRequest`] ([`StateReply::AsSent`] is the current state).
#[derive(Debug)]
pub(crate) struct ReadResourceReply {
    pub(crate) new_state: StateReply,
    pub(crate) private: Vec<u8>,
    pub(crate) diagnostics: Diagnostics,
}

/// The reply to an import: the imported object, if any.
#[derive(Debug)]
pub(crate) struct ImportReply {
    pub(crate) imported: Option<NewState>,
    pub(crate) diagnostics: Diagnostics,
}

/// `UpgradeResourceState`: the stored state as Terraform read it from the state file.
#[derive(Debug, Clone)]
pub(crate) struct UpgradeRequest {
    pub(crate) type_name: String,
    /// The schema version that wrote the state.
    pub(crate) version: i64,
    /// The state as JSON (empty when Terraform has none, or only the legacy flatmap form).
    pub(crate) json: Vec<u8>,
    /// Whether Terraform sent the state in the flatmap form of Terraform 0.11 and older.
    pub(crate) has_flatmap: bool,
}

/// Routes Terraform's requests to one [`Provider`]'s code. Built once per server; its only state between requests
/// is the cancellation token `StopProvider` trips.
pub(crate) struct Router {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    provider_type: Type,
    resources: HashMap<String, ResourceEntry>,
    data_sources: HashMap<String, DataSourceEntry>,
    schema_problems: Diagnostics,
    /// Tripped by StopProvider; replaced afterwards, because in debug mode one process outlives many commands.
    stop: Mutex<CancellationToken>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router").field("provider", &self.provider.type_name()).finish_non_exhaustive()
    }
}

/// An error result always carries at least one error, so Terraform never fails without a reason.
fn ensure_error(mut diagnostics: Diagnostics, operation: &str) -> Diagnostics {
    if !diagnostics.has_errors() {
        diagnostics.add_error(format!("{operation} failed"), "The provider reported a failure without details.");
    }
    diagnostics
}

/// The checks every validation starts with: warns when the schema is deprecated (under the title `deprecated`),
/// and applies the schema's own rules to every attribute. The type's own validation comes after.
fn validate_against_schema(schema: &Schema, config: &Value, deprecated: impl FnOnce() -> String) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if let Some(message) = &schema.deprecation {
        diagnostics.add_warning(deprecated(), message);
    }
    plan::validate_attributes(&schema.attributes, config, &Default::default(), ValidationScope::All, &mut diagnostics);
    diagnostics
}

impl Router {
    /// Collects the provider's schemas once and checks them for developer mistakes (reported by
    /// [`Router::schema_problems`]).
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

        let mut schema_problems = Diagnostics::new();
        for problem in &problems {
            schema_problems.add_error(
                "Provider bug: invalid schema",
                format!("{problem}. Please report this to the provider developers."),
            );
        }
        let provider_type = provider_schema.value_type();
        Router {
            provider,
            provider_schema,
            provider_type,
            resources,
            data_sources,
            schema_problems,
            stop: Mutex::new(CancellationToken::new()),
        }
    }

    /// Mistakes in the schemas, as errors Terraform shows with the schema.
    pub(crate) fn schema_problems(&self) -> &Diagnostics {
        &self.schema_problems
    }

    /// The provider configuration's schema.
    pub(crate) fn provider_schema(&self) -> &Schema {
        &self.provider_schema
    }

    /// The provider configuration's type, for decoding it.
    pub(crate) fn provider_type(&self) -> &Type {
        &self.provider_type
    }

    /// Every resource type's name and schema, in no particular order.
    pub(crate) fn resource_schemas(&self) -> impl Iterator<Item = (&str, &Schema)> {
        self.resources.iter().map(|(name, entry)| (name.as_str(), &entry.schema))
    }

    /// Every data source's name and schema, in no particular order.
    pub(crate) fn data_source_schemas(&self) -> impl Iterator<Item = (&str, &Schema)> {
        self.data_sources.iter().map(|(name, entry)| (name.as_str(), &entry.schema))
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

    /// A resource type's value type, for decoding its values; an error diagnostic for an unknown type.
    pub(crate) fn resource_type(&self, type_name: &str) -> Result<&Type, Diagnostics> {
        self.resource(type_name).map(|entry| &entry.ty)
    }

    /// A data source's value type, for decoding its values; an error diagnostic for an unknown data source.
    pub(crate) fn data_source_type(&self, type_name: &str) -> Result<&Type, Diagnostics> {
        self.data_source(type_name).map(|entry| &entry.ty)
    }

    fn context(&self) -> Context {
        Context::new(self.stop.lock().unwrap_or_else(PoisonError::into_inner).clone())
    }

    /// `StopProvider`: cancels in-flight operations and arms a fresh token for later ones.
    pub(crate) fn stop_in_flight(&self) {
        let mut token = self.stop.lock().unwrap_or_else(PoisonError::into_inner);
        token.cancel();
        *token = CancellationToken::new();
    }

    /// `ValidateProviderConfig`.
    pub(crate) async fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        let mut diagnostics =
            validate_against_schema(&self.provider_schema, config, || "Deprecated provider".to_owned());
        diagnostics.extend(self.provider.validate_config(&self.context(), config).await);
        diagnostics
    }

    /// `ValidateResourceConfig`.
    pub(crate) async fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let entry = match self.resource(type_name) {
            Ok(entry) => entry,
            Err(diagnostics) => return diagnostics,
        };
        let mut diagnostics =
            validate_against_schema(&entry.schema, config, || format!("Deprecated resource type {type_name}"));
        diagnostics.extend(entry.resource.validate(&self.context(), config).await);
        diagnostics
    }

    /// `ValidateDataResourceConfig`.
    pub(crate) async fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let entry = match self.data_source(type_name) {
            Ok(entry) => entry,
            Err(diagnostics) => return diagnostics,
        };
        let mut diagnostics =
            validate_against_schema(&entry.schema, config, || format!("Deprecated data source {type_name}"));
        diagnostics.extend(entry.data_source.validate(&self.context(), config).await);
        diagnostics
    }

    /// `ConfigureProvider`.
    pub(crate) async fn configure(&self, request: ConfigureRequest) -> Diagnostics {
        let ctx = self.context();
        let mut diagnostics = self.provider.configure(&ctx, request).await;
        diagnostics.extend(ctx.take_diagnostics());
        diagnostics
    }

    /// `UpgradeResourceState`: the upgraded state and the warnings, or the errors.
    pub(crate) async fn upgrade_state(&self, request: UpgradeRequest) -> Result<(Value, Diagnostics), Diagnostics> {
        let entry = self.resource(&request.type_name)?;
        if request.json.is_empty() {
            let detail = if request.has_flatmap {
                "The stored state uses the flatmap format of Terraform 0.11 and older, which this provider \
                 cannot read. Remove the resource from the state and import it again."
            } else {
                "Terraform sent an empty stored state."
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
            raw_state_json: request.json,
            current_version: entry.schema.version,
            current_type: entry.ty.clone(),
        };
        let state = entry
            .resource
            .upgrade_state(&ctx, upgrade)
            .await
            .map_err(|d| ensure_error(d, "Upgrading the stored state"))?;
        Ok((state, ctx.take_diagnostics()))
    }

    /// `ReadResource`.
    pub(crate) async fn read_resource(&self, request: ReadResourceRequest) -> Result<ReadResourceReply, Diagnostics> {
        let entry = self.resource(&request.type_name)?;
        let ctx = self.context();
        let read = ReadRequest { current_state: request.current_state, private: request.private.clone() };
        let outcome = entry.resource.read(&ctx, read).await;
        let mut diagnostics = ctx.take_diagnostics();
        let mut private = request.private;
        let new_state = match outcome {
            Ok(ReadOutcome::Found(new)) => {
                check_rules(unknown_problems(&new.state), &mut diagnostics);
                if let Some(new_private) = new.private {
                    private = new_private;
                }
                StateReply::New(new.state, "refreshed state")
            }
            Ok(ReadOutcome::Gone) => {
                tracing::info!("the remote object is gone; removing it from the state");
                StateReply::New(Value::Null, "refreshed state")
            }
            Err(errors) => {
                // Keep the state Terraform had: a failed read says nothing about the object.
                diagnostics.extend(ensure_error(errors, "Reading the resource"));
                StateReply::AsSent
            }
        };
        Ok(ReadResourceReply { new_state, private, diagnostics })
    }

    /// `PlanResourceChange`.
    pub(crate) async fn plan(&self, request: PlanRequest) -> Result<PlanReply, Diagnostics> {
        let entry = self.resource(&request.type_name)?;
        let attributes = &entry.schema.attributes;
        let mut plan = Plan::with_default(
            attributes,
            request.config,
            request.prior_state,
            request.proposed_new_state,
            request.prior_private,
        );
        let ctx = self.context();
        let hook = entry.resource.modify_plan(&ctx, &mut plan).await;
        let mut diagnostics = ctx.take_diagnostics();
        if let Err(errors) = hook {
            diagnostics.extend(ensure_error(errors, "Planning the change"));
            return Ok(PlanReply { change: None, diagnostics });
        }
        if plan.is_destroy() {
            // A destroy plan is always null, whatever the hook did.
            plan.planned_state = Value::Null;
            plan.requires_replace.clear();
        } else {
            check_rules(plan_problems(attributes, &plan.config, &plan.planned_state), &mut diagnostics);
        }
        let mut replace = plan::replacement_paths(attributes, &plan.prior_state, &plan.planned_state);
        if !plan.prior_state.is_null() && !plan.planned_state.is_null() {
            for path in plan.requires_replace {
                if !replace.contains(&path) {
                    replace.push(path);
                }
            }
        }
        let change = PlannedChange {
            planned_state: plan.planned_state,
            requires_replace: replace,
            planned_private: plan.planned_private,
        };
        Ok(PlanReply { change: Some(change), diagnostics })
    }

    /// `ApplyResourceChange`: decides between create, update and delete, and makes sure the reply never loses
    /// track of an object that exists.
    pub(crate) async fn apply(&self, request: ApplyRequest) -> Result<ApplyReply, Diagnostics> {
        let entry = self.resource(&request.type_name)?;
        let ctx = self.context();
        let ApplyRequest { prior_state: prior, planned_state: planned, config, planned_private, .. } = request;
        let private = planned_private.clone();

        if planned.is_null() {
            let delete = DeleteRequest { prior_state: prior, planned_private };
            let result = entry.resource.delete(&ctx, delete).await;
            let mut diagnostics = ctx.take_diagnostics();
            let new_state = match result {
                Ok(()) => StateReply::New(Value::Null, "new state"),
                Err(errors) => {
                    // The object still exists: keep it in the state.
                    diagnostics.extend(ensure_error(errors, "Deleting the resource"));
                    StateReply::AsSent
                }
            };
            return Ok(ApplyReply { new_state, private, diagnostics });
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
            return Ok(ApplyReply { new_state: StateReply::AsSent, private, diagnostics });
        }

        let creating = prior.is_null();
        let result = if creating {
            let create = CreateRequest { config, planned_state: planned.clone(), planned_private };
            entry.resource.create(&ctx, create).await
        } else {
            let update = UpdateRequest { config, prior_state: prior, planned_state: planned.clone(), planned_private };
            entry.resource.update(&ctx, update).await
        };
        diagnostics.extend(ctx.take_diagnostics());
        match result {
            Ok(new) => {
                check_rules(new_state_problems(&planned, &new.state), &mut diagnostics);
                if new.state.is_null() {
                    diagnostics.add_error(
                        "Provider bug: apply produced no state",
                        "Create and update must return the object's state; please report this to the provider developers.",
                    );
                }
                // Even when the checks above found problems, the object exists: hand its state to Terraform.
                let private = new.private.unwrap_or(private);
                Ok(ApplyReply { new_state: StateReply::New(new.state, "new state"), private, diagnostics })
            }
            Err(errors) => {
                let operation = if creating { "Creating the resource" } else { "Updating the resource" };
                diagnostics.extend(ensure_error(errors, operation));
                let new_state = match ctx.take_partial_state() {
                    Some(partial) => StateReply::New(partial, "partial state"),
                    None => StateReply::AsSent,
                };
                Ok(ApplyReply { new_state, private, diagnostics })
            }
        }
    }

    /// `ImportResourceState`.
    pub(crate) async fn import(&self, type_name: &str, id: &str) -> Result<ImportReply, Diagnostics> {
        let entry = self.resource(type_name)?;
        let ctx = self.context();
        let imported = entry.resource.import(&ctx, id).await;
        let mut diagnostics = ctx.take_diagnostics();
        let imported = match imported {
            Ok(new) => {
                check_rules(unknown_problems(&new.state), &mut diagnostics);
                if new.state.is_null() {
                    diagnostics.add_error(
                        "Provider bug: import produced no state",
                        "Import must return the state of the object; please report this to the provider developers.",
                    );
                    None
                } else {
                    Some(new)
                }
            }
            Err(errors) => {
                diagnostics.extend(ensure_error(errors, "Importing the resource"));
                None
            }
        };
        Ok(ImportReply { imported, diagnostics })
    }

    /// `ReadDataSource`: the data source's state (none when it failed) and the diagnostics.
    pub(crate) async fn read_data_source(
        &self,
        type_name: &str,
        config: Value,
    ) -> Result<(Option<Value>, Diagnostics), Diagnostics> {
        let entry = self.data_source(type_name)?;
        let ctx = self.context();
        let read = entry.data_source.read(&ctx, config.clone()).await;
        let mut diagnostics = ctx.take_diagnostics();
        match read {
            Ok(state) => {
                check_rules(unknown_problems(&state), &mut diagnostics);
                check_rules(plan_problems(&entry.schema.attributes, &config, &state), &mut diagnostics);
                Ok((Some(state), diagnostics))
            }
            Err(errors) => {
                diagnostics.extend(ensure_error(errors, "Reading the data source"));
                Ok((None, diagnostics))
            }
        }
    }
}

#[cfg(test)]
mod tests;
