//! The tfplugin6 `Provider` gRPC service: decodes each request into the router's plain structs, calls the
//! [`Router`], and encodes its reply. Nothing is decided here beyond what the wire format needs.
//!
//! Every RPC answers with diagnostics rather than a gRPC error (Terraform shows a gRPC error as "plugin did not
//! respond"). Schemas are converted and encoded once, when the service is built, so `GetProviderSchema` is a copy.
//! When a value of a reply cannot be encoded (a resource returned a value its own schema does not allow), the
//! response carries that one error and no value, as if the RPC had failed before it produced anything.

mod convert;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use tonic::{Request, Response, Status};
use tracing::Instrument;

use super::routing::{ApplyRequest, PlanRequest, ReadResourceRequest, Router, StateReply, UpgradeRequest};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::generated::tfplugin6 as pb;
use crate::provider::{ConfigureRequest, Provider};
use crate::value::Type;

/// The tfplugin6 service for one [`Provider`].
#[derive(Debug)]
pub(crate) struct ProviderService {
    router: Router,
    schema_response: pb::get_provider_schema::Response,
    metadata_response: pb::get_metadata::Response,
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
    /// Builds the service: the router collects and checks the schemas, which are converted to wire messages once.
    pub(crate) fn new(provider: Arc<dyn Provider>) -> Self {
        let router = Router::new(provider);
        let problems = convert::diagnostics(router.schema_problems());
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(convert::schema(router.provider_schema())),
            resource_schemas: router.resource_schemas().map(|(n, s)| (n.to_owned(), convert::schema(s))).collect(),
            data_source_schemas: router
                .data_source_schemas()
                .map(|(n, s)| (n.to_owned(), convert::schema(s)))
                .collect(),
            functions: HashMap::new(),
            ephemeral_resource_schemas: HashMap::new(),
            diagnostics: problems.clone(),
            provider_meta: None,
            server_capabilities: Some(server_capabilities()),
        };
        let mut resource_names: Vec<&str> = router.resource_schemas().map(|(n, _)| n).collect();
        resource_names.sort_unstable();
        let mut data_source_names: Vec<&str> = router.data_source_schemas().map(|(n, _)| n).collect();
        data_source_names.sort_unstable();
        let metadata_response = pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            diagnostics: problems,
            data_sources: data_source_names
                .into_iter()
                .map(|n| pb::get_metadata::DataSourceMetadata { type_name: n.to_owned() })
                .collect(),
            resources: resource_names
                .into_iter()
                .map(|n| pb::get_metadata::ResourceMetadata { type_name: n.to_owned() })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: Vec::new(),
        };
        ProviderService { router, schema_response, metadata_response }
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

/// Encodes a state reply: a new value as msgpack, or the state Terraform sent (`as_sent`) unchanged.
fn encode_state(
    reply: &StateReply,
    ty: &Type,
    as_sent: Option<&pb::DynamicValue>,
) -> Result<Option<pb::DynamicValue>, Diagnostic> {
    match reply {
        StateReply::New(value, what) => convert::encode(value, ty, what).map(Some),
        StateReply::AsSent => Ok(as_sent.cloned()),
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
            let outcome = async {
                let ty = self.router.provider_type();
                let config = convert::decode(request.config.as_ref(), ty, "provider configuration")?;
                Ok::<_, Diagnostics>(self.router.validate_provider_config(&config).await)
            }
            .await;
            pb::validate_provider_config::Response { diagnostics: convert::outcome_diagnostics(outcome) }
        })
        .await
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let request = request.into_inner();
        traced("ValidateResourceConfig", &request.type_name.clone(), async {
            let outcome = async {
                let ty = self.router.resource_type(&request.type_name)?;
                let config = convert::decode(request.config.as_ref(), ty, "resource configuration")?;
                Ok::<_, Diagnostics>(self.router.validate_resource_config(&request.type_name, &config).await)
            }
            .await;
            pb::validate_resource_config::Response { diagnostics: convert::outcome_diagnostics(outcome) }
        })
        .await
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let request = request.into_inner();
        traced("ValidateDataResourceConfig", &request.type_name.clone(), async {
            let outcome = async {
                let ty = self.router.data_source_type(&request.type_name)?;
                let config = convert::decode(request.config.as_ref(), ty, "data source configuration")?;
                Ok::<_, Diagnostics>(self.router.validate_data_source_config(&request.type_name, &config).await)
            }
            .await;
            pb::validate_data_resource_config::Response { diagnostics: convert::outcome_diagnostics(outcome) }
        })
        .await
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let request = request.into_inner();
        traced("UpgradeResourceState", &request.type_name.clone(), async {
            let raw = request.raw_state.unwrap_or_default();
            let upgrade = UpgradeRequest {
                type_name: request.type_name,
                version: request.version,
                json: raw.json,
                has_flatmap: !raw.flatmap.is_empty(),
            };
            let type_name = upgrade.type_name.clone();
            let result = async {
                let (state, diagnostics) = self.router.upgrade_state(upgrade).await?;
                let ty = self.router.resource_type(&type_name)?;
                let encoded = convert::encode(&state, ty, "upgraded state")?;
                Ok::<_, Diagnostics>((encoded, diagnostics))
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
                let ty = self.router.provider_type();
                let config = convert::decode(request.config.as_ref(), ty, "provider configuration")?;
                let configure = ConfigureRequest { config, terraform_version: request.terraform_version };
                Ok::<_, Diagnostic>(self.router.configure(configure).await)
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
                let ty = self.router.resource_type(&request.type_name)?;
                let current_state = convert::decode(request.current_state.as_ref(), ty, "current state")?;
                let read = ReadResourceRequest {
                    type_name: request.type_name.clone(),
                    current_state,
                    private: request.private.clone(),
                };
                let reply = self.router.read_resource(read).await?;
                response.new_state = encode_state(&reply.new_state, ty, request.current_state.as_ref())?;
                response.private = reply.private;
                Ok::<_, Diagnostics>(reply.diagnostics)
            }
            .await;
            response.diagnostics = convert::outcome_diagnostics(result);
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
                let ty = self.router.resource_type(&request.type_name)?;
                let plan = PlanRequest {
                    type_name: request.type_name.clone(),
                    prior_state: convert::decode(request.prior_state.as_ref(), ty, "prior state")?,
                    proposed_new_state: convert::decode(request.proposed_new_state.as_ref(), ty, "proposed new state")?,
                    config: convert::decode(request.config.as_ref(), ty, "configuration")?,
                    prior_private: request.prior_private.clone(),
                };
                let reply = self.router.plan(plan).await?;
                if let Some(change) = reply.change {
                    response.planned_state = Some(convert::encode(&change.planned_state, ty, "planned state")?);
                    response.requires_replace = change.requires_replace.iter().map(convert::attribute_path).collect();
                    response.planned_private = change.planned_private;
                }
                Ok::<_, Diagnostics>(reply.diagnostics)
            }
            .await;
            response.diagnostics = convert::outcome_diagnostics(result);
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
            let result = async {
                let ty = self.router.resource_type(&request.type_name)?;
                let apply = ApplyRequest {
                    type_name: request.type_name.clone(),
                    prior_state: convert::decode(request.prior_state.as_ref(), ty, "prior state")?,
                    planned_state: convert::decode(request.planned_state.as_ref(), ty, "planned state")?,
                    config: convert::decode(request.config.as_ref(), ty, "configuration")?,
                    planned_private: request.planned_private.clone(),
                };
                // From here on, even a reply that cannot be encoded keeps the planned private data.
                response.private = request.planned_private.clone();
                let reply = self.router.apply(apply).await?;
                response.new_state = encode_state(&reply.new_state, ty, request.prior_state.as_ref())?;
                response.private = reply.private;
                Ok::<_, Diagnostics>(reply.diagnostics)
            }
            .await;
            response.diagnostics = convert::outcome_diagnostics(result);
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
                let reply = self.router.import(&request.type_name, &request.id).await?;
                if let Some(new) = reply.imported {
                    let ty = self.router.resource_type(&request.type_name)?;
                    response.imported_resources.push(pb::import_resource_state::ImportedResource {
                        type_name: request.type_name.clone(),
                        state: Some(convert::encode(&new.state, ty, "imported state")?),
                        private: new.private.unwrap_or_default(),
                        identity: None,
                    });
                }
                Ok::<_, Diagnostics>(reply.diagnostics)
            }
            .await;
            response.diagnostics = convert::outcome_diagnostics(result);
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
                let ty = self.router.data_source_type(&request.type_name)?;
                let config = convert::decode(request.config.as_ref(), ty, "data source configuration")?;
                let (state, diagnostics) = self.router.read_data_source(&request.type_name, config).await?;
                if let Some(state) = state {
                    response.state = Some(convert::encode(&state, ty, "data source result")?);
                }
                Ok::<_, Diagnostics>(diagnostics)
            }
            .await;
            response.diagnostics = convert::outcome_diagnostics(result);
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
            self.router.stop_in_flight();
            pb::stop_provider::Response { error: String::new() }
        })
        .await
    }
}

#[cfg(test)]
mod tests;
