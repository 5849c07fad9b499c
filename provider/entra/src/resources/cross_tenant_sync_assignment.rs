//! `entra_cross_tenant_sync_assignment`: a user or group in scope of a cross-tenant synchronization configuration
//! (an app role assignment of the configuration's `msiam_access` role, graph-sync-and-mto.md A.4.2).
//!
//! - Endpoints: `POST /servicePrincipals/{id}/appRoleAssignedTo` (create), `GET …/appRoleAssignedTo` (reads: one
//!   listing per configuration, shared by every assignment's read in this provider process for a few seconds, the
//!   way partner reads share one partner listing), `DELETE …/appRoleAssignedTo/{assignmentId}` (delete).
//! - Permissions: read `Application.Read.All`; create and delete `AppRoleAssignment.ReadWrite.All` (with
//!   `Application.Read.All`).
//! - Destroy removes the assignment: the next synchronization cycle soft-deletes the users it brought into scope
//!   in the target tenant (unless another assignment or `scope = "all"` keeps them in scope).
//! - Import id: `{configuration_id}/{assignment_id}`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use entra_graph::{GraphClient, GraphError, Operation};
use serde_json::Value as Json;
use tfplugin::validators::guid;
use tfplugin::{
    Attribute, AttributePath, Configured, Context, CreateRequest, DeleteRequest, Diagnostics, NewState, ReadOutcome,
    ReadRequest, Resource, Schema, UpdateRequest, Value, async_trait,
};

use crate::provider_data::ProviderData;
use crate::shared::errors::{Access, TimeoutName, graph_errors};
use crate::timeouts::{self, Kind};

/// The resource type name.
pub const TYPE_NAME: &str = "entra_cross_tenant_sync_assignment";

const READ_PERMISSIONS: &str = "Application.Read.All";
const WRITE_PERMISSIONS: &str = "AppRoleAssignment.ReadWrite.All and Application.Read.All";

/// How long one listing of a configuration's assignments answers reads: long enough for one refresh of many
/// assignments, short enough that a later command sees changes made elsewhere.
const LISTING_TTL: Duration = Duration::from_secs(10);

/// One configuration's assignments as last listed (`None`: the configuration does not exist).
#[derive(Debug, Clone)]
struct Listing {
    at: Instant,
    assignments: Option<Arc<Vec<Json>>>,
}

/// The per-process listing cache: one listing per configuration, fetched once by concurrent reads.
#[derive(Debug, Default)]
struct ListingCache {
    listings: Mutex<HashMap<String, Listing>>,
    /// Serialises fetches per configuration, so concurrent reads wait for one listing instead of making their own.
    fetching: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl ListingCache {
    fn fresh(&self, sp: &str) -> Option<Option<Arc<Vec<Json>>>> {
        let listings = self.listings.lock().unwrap_or_else(|p| p.into_inner());
        listings.get(sp).filter(|l| l.at.elapsed() < LISTING_TTL).map(|l| l.assignments.clone())
    }

    async fn assignments(
        &self,
        client: &GraphClient,
        op: &Operation,
        sp: &str,
    ) -> Result<Option<Arc<Vec<Json>>>, GraphError> {
        if let Some(found) = self.fresh(sp) {
            return Ok(found);
        }
        let gate = {
            let mut fetching = self.fetching.lock().unwrap_or_else(|p| p.into_inner());
            fetching.entry(sp.to_owned()).or_default().clone()
        };
        let _turn = gate.lock().await;
        if let Some(found) = self.fresh(sp) {
            return Ok(found);
        }
        let assignments = client.app_role_assigned_to(op, sp).await?.map(Arc::new);
        let mut listings = self.listings.lock().unwrap_or_else(|p| p.into_inner());
        listings.insert(sp.to_owned(), Listing { at: Instant::now(), assignments: assignments.clone() });
        Ok(assignments)
    }

    /// Forgets a configuration's listing after this process changed its assignments.
    fn invalidate(&self, sp: &str) {
        self.listings.lock().unwrap_or_else(|p| p.into_inner()).remove(sp);
    }
}

/// `entra_cross_tenant_sync_assignment`.
pub struct CrossTenantSyncAssignment {
    data: Configured<ProviderData>,
    cache: ListingCache,
}

impl std::fmt::Debug for CrossTenantSyncAssignment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrossTenantSyncAssignment").finish_non_exhaustive()
    }
}

/// The resource's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Puts a user or group in scope of a cross-tenant synchronization configuration (portal: the \
         configuration's Users and groups > Add user/group). Only direct members of a group are in scope; nested \
         groups are not. At least one internal user must be in scope for synchronization to do anything.\n\n\
         **Destroy** removes the assignment; the next synchronization cycle removes (soft-deletes) the users it \
         brought into scope from the target tenant, unless another assignment or `scope = \"all\"` keeps them.\n\n\
         **Permissions:** plan and refresh need `Application.Read.All`; apply needs \
         `AppRoleAssignment.ReadWrite.All` and `Application.Read.All`.\n\n\
         **Import:** `terraform import entra_cross_tenant_sync_assignment.x \
         {configuration_id}/{assignment_id}`.",
    )
    .attribute(Attribute::string("id").computed().description("The app role assignment's id."))
    .attribute(
        Attribute::string("configuration_id")
            .required()
            .requires_replace()
            .validate(guid())
            .description("The configuration's `id` (`entra_cross_tenant_sync_configuration.NAME.id`)."),
    )
    .attribute(
        Attribute::string("principal_id")
            .required()
            .requires_replace()
            .validate(guid())
            .description("The object id of the user or group to put in scope."),
    )
    .attribute(Attribute::string("principal_type").computed().description("`User` or `Group`."))
    .attribute(Attribute::string("principal_display_name").computed().description("The user's or group's name."))
    .attribute(timeouts::attribute())
}

fn str_at<'a>(json: &'a Json, name: &str) -> Option<&'a str> {
    json.get(name).and_then(Json::as_str)
}

/// The prior spelling of a GUID when Graph's is the same id.
fn keep_spelling(prior: &Value, graph: &str) -> Value {
    match prior.as_str() {
        Some(before) if before.trim().eq_ignore_ascii_case(graph) => prior.clone(),
        _ => Value::string(graph),
    }
}

impl CrossTenantSyncAssignment {
    /// The resource, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        CrossTenantSyncAssignment { data, cache: ListingCache::default() }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }

    fn state(assignment: &Json, prior: &Value) -> Value {
        Value::object([
            ("id", Value::string(str_at(assignment, "id").unwrap_or_default())),
            (
                "configuration_id",
                keep_spelling(prior.get_attr("configuration_id"), str_at(assignment, "resourceId").unwrap_or_default()),
            ),
            (
                "principal_id",
                keep_spelling(prior.get_attr("principal_id"), str_at(assignment, "principalId").unwrap_or_default()),
            ),
            ("principal_type", Value::string(str_at(assignment, "principalType").unwrap_or_default())),
            ("principal_display_name", Value::string(str_at(assignment, "principalDisplayName").unwrap_or_default())),
            ("timeouts", prior.get_attr("timeouts").clone()),
        ])
    }
}

#[async_trait]
impl Resource for CrossTenantSyncAssignment {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Create)?;
        let planned = &request.planned_state;
        let sp = planned.get_attr("configuration_id").as_str().unwrap_or_default().trim().to_owned();
        let principal = planned.get_attr("principal_id").as_str().unwrap_or_default().trim().to_owned();
        let action = format!("assigning {principal} to cross-tenant synchronization configuration {sp}");
        let Some(configuration) = client.service_principal(&op, &sp).await.map_err(|error| {
            graph_errors(&action, Access::Permissions(WRITE_PERMISSIONS), TimeoutName::Create, &error)
        })?
        else {
            return Err(Diagnostics::attribute_error(
                AttributePath::root().attr("configuration_id"),
                "The configuration does not exist",
                format!("configuration_id: {action}: there is no service principal {sp}."),
            ));
        };
        let role = configuration
            .get("appRoles")
            .and_then(Json::as_array)
            .and_then(|roles| roles.iter().find(|r| r["displayName"] == "msiam_access").or_else(|| roles.first()))
            .and_then(|r| r["id"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                Diagnostics::attribute_error(
                    AttributePath::root().attr("configuration_id"),
                    "Not a cross-tenant synchronization configuration",
                    format!("configuration_id: service principal {sp} declares no app role to assign."),
                )
            })?;
        self.cache.invalidate(&sp);
        let assignment = client.assign_app_role(&op, &sp, &role, &principal).await.map_err(|error| {
            if error.is_not_found() {
                Diagnostics::attribute_error(
                    AttributePath::root().attr("principal_id"),
                    "No such user or group",
                    format!("principal_id: {action}: the source tenant has no user or group {principal} ({error})."),
                )
            } else {
                graph_errors(&action, Access::Permissions(WRITE_PERMISSIONS), TimeoutName::Create, &error)
            }
        })?;
        self.cache.invalidate(&sp);
        Ok(NewState::new(Self::state(&assignment, planned)))
    }

    async fn read(&self, ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        let client = self.client()?;
        let prior = request.current_state;
        let op = timeouts::operation(ctx, &prior, Kind::Read)?;
        let sp = prior.get_attr("configuration_id").as_str().unwrap_or_default().trim().to_owned();
        let id = prior.get_attr("id").as_str().unwrap_or_default().to_owned();
        let listing = self.cache.assignments(&client, &op, &sp).await.map_err(|error| {
            graph_errors(
                &format!("reading the assignments of cross-tenant synchronization configuration {sp}"),
                Access::Permissions(READ_PERMISSIONS),
                TimeoutName::Read,
                &error,
            )
        })?;
        let found = listing.as_ref().and_then(|all| all.iter().find(|a| str_at(a, "id") == Some(id.as_str())));
        Ok(match found {
            Some(assignment) => ReadOutcome::Found(NewState::new(Self::state(assignment, &prior))),
            None => ReadOutcome::Gone,
        })
    }

    async fn update(&self, _ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics> {
        // Everything but `timeouts` forces replacement.
        Ok(NewState::new(request.planned_state))
    }

    async fn delete(&self, ctx: &Context, request: DeleteRequest) -> Result<(), Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.prior_state, Kind::Delete)?;
        let sp = request.prior_state.get_attr("configuration_id").as_str().unwrap_or_default().trim().to_owned();
        let id = request.prior_state.get_attr("id").as_str().unwrap_or_default().to_owned();
        self.cache.invalidate(&sp);
        client.delete_app_role_assignment(&op, &sp, &id).await.map_err(|error| {
            graph_errors(
                &format!("deleting assignment {id} of configuration {sp}"),
                Access::Permissions(WRITE_PERMISSIONS),
                TimeoutName::Delete,
                &error,
            )
        })?;
        self.cache.invalidate(&sp);
        Ok(())
    }

    async fn import(&self, _ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        let parts: Vec<&str> = id.trim().split('/').collect();
        match parts.as_slice() {
            [configuration, assignment] if tfplugin::validators::is_guid(configuration) && !assignment.is_empty() => {
                Ok(NewState::new(Value::object([
                    ("id", Value::string(*assignment)),
                    ("configuration_id", Value::string(*configuration)),
                ])))
            }
            _ => Err(Diagnostics::error(
                "Invalid import id",
                format!(
                    "{TYPE_NAME}: the import id is {{configuration_id}}/{{assignment_id}} (the configuration's \
                     service principal object id, a slash, and the app role assignment id), got \"{id}\"."
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_sound() {
        assert!(schema().problems().is_empty(), "{:?}", schema().problems());
    }

    #[test]
    fn state_keeps_the_prior_spelling_of_ids() {
        let prior = Value::object([("principal_id", Value::string("AAAAAAAA-0000-0000-0000-000000000001"))]);
        let graph = serde_json::json!({
            "id": "x", "resourceId": "bbbbbbbb-0000-0000-0000-000000000002",
            "principalId": "aaaaaaaa-0000-0000-0000-000000000001", "principalType": "User", "principalDisplayName": "Adele",
        });
        let state = CrossTenantSyncAssignment::state(&graph, &prior);
        assert_eq!(state.get_attr("principal_id"), &Value::string("AAAAAAAA-0000-0000-0000-000000000001"));
        assert_eq!(state.get_attr("configuration_id"), &Value::string("bbbbbbbb-0000-0000-0000-000000000002"));
    }
}
