//! `entra_multi_tenant_organization`: the multi-tenant organization this (owner) tenant creates
//! (`/tenantRelationships/multiTenantOrganization`, graph-sync-and-mto.md B.3).
//!
//! - Endpoints: `GET` (read; 200 with `state: "inactive"` when the tenant belongs to none, which reads as gone),
//!   `PUT` (create, 201), `PATCH` (update, 204). Graph has no DELETE: destroy only forgets, with a warning.
//! - Permissions: `MultiTenantOrganization.Read.All` (read), `MultiTenantOrganization.ReadWrite.All` (write).
//! - Import id: `multi_tenant_organization`.

use entra_graph::multi_tenant_organization::organization_exists;
use entra_graph::{GraphClient, GraphError};
use serde_json::{Value as Json, json};
use tfplugin::{
    Attribute, Configured, Context, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, NewState, ReadOutcome,
    ReadRequest, Resource, Schema, UpdateRequest, Value, async_trait,
};

use crate::provider_data::ProviderData;
use crate::shared::import;
use crate::shared::mto::{mto_errors, string_of};
use crate::timeouts::{self, Kind};

/// The resource type name.
pub const TYPE_NAME: &str = "entra_multi_tenant_organization";
/// The only import id.
pub const IMPORT_ID: &str = "multi_tenant_organization";

/// `entra_multi_tenant_organization`.
pub struct MultiTenantOrganization {
    data: Configured<ProviderData>,
}

impl std::fmt::Debug for MultiTenantOrganization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiTenantOrganization").finish_non_exhaustive()
    }
}

impl MultiTenantOrganization {
    /// The resource, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        MultiTenantOrganization { data }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }
}

/// The resource's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Creates and manages the **multi-tenant organization** this tenant owns (portal: Microsoft Entra ID > \
         Multi-tenant organization): a group of an organization's tenants that collaborate as one. The tenant that \
         creates it becomes its first owner; other tenants are added with \
         `entra_multi_tenant_organization_tenant` (in an owner tenant) and join with \
         `entra_multi_tenant_organization_join_request` (in their own tenant).\n\n\
         A tenant can belong to one multi-tenant organization only: creating the resource in a tenant that already \
         belongs to one fails and tells you to import it.\n\n\
         **Destroy does not delete the organization**: Microsoft Graph has no way to delete it. Destroying the \
         resource only removes it from the Terraform state (with a warning). An organization ends when its tenants \
         leave it: every other tenant is removed (destroy their `entra_multi_tenant_organization_tenant` or \
         `entra_multi_tenant_organization_join_request` resources), then the last owner removes itself.\n\n\
         **Permissions:** plan and refresh need `MultiTenantOrganization.Read.All`; apply needs \
         `MultiTenantOrganization.ReadWrite.All` (role: Security Administrator). Only available in the global \
         Azure cloud.\n\n\
         **Import:** the import id is always `multi_tenant_organization` (`terraform import \
         entra_multi_tenant_organization.this multi_tenant_organization`).",
    )
    .attribute(Attribute::string("id").computed().description(
        "Graph's id of the organization. It is specific to this tenant: the same organization has another id in \
         each of its tenants.",
    ))
    .attribute(Attribute::string("display_name").required().description("The organization's name."))
    .attribute(Attribute::string("description").optional().description("A description of the organization."))
    .attribute(
        Attribute::string("state")
            .computed()
            .description("Graph's state of the organization: `active` once it exists. Read-only."),
    )
    .attribute(
        Attribute::string("created_date_time")
            .computed()
            .description("When the organization was created (ISO 8601, UTC). Read-only."),
    )
    .attribute(timeouts::attribute())
}

#[async_trait]
impl Resource for MultiTenantOrganization {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Create)?;
        let action = "creating the multi-tenant organization";
        let fail = |error: GraphError| mto_errors(action, true, Kind::Create.error_name(), &error);
        let planned = request.planned_state;
        let display_name = planned.get_attr("display_name").as_str().unwrap_or_default().to_owned();
        let description = planned.get_attr("description").as_str().map(str::to_owned);
        // A tenant belongs to one organization at most; PUT on an existing one is undocumented (B.3.2), so it is
        // never sent over an organization this configuration does not know.
        let existing = client.multi_tenant_organization(&op).await.map_err(fail)?;
        if organization_exists(&existing) {
            return Err(already_in_organization(&existing));
        }
        let created = match client.create_multi_tenant_organization(&op, &display_name, description.as_deref()).await {
            Ok(created) => created,
            Err(GraphError::OutcomeUnknown { .. }) | Err(GraphError::AlreadyExists { .. }) => {
                // An attempt whose answer was lost may have created it: take it when it is the one planned.
                let found = client.multi_tenant_organization(&op).await.map_err(fail)?;
                if !organization_exists(&found) || found.get("displayName") != Some(&json!(display_name)) {
                    return Err(already_in_organization(&found));
                }
                found
            }
            Err(error) => return Err(fail(error)),
        };
        Ok(NewState::new(state_from_graph(&created, &planned)))
    }

    async fn read(&self, ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        let client = self.client()?;
        let prior = request.current_state;
        let op = timeouts::operation(ctx, &prior, Kind::Read)?;
        let organization = client.multi_tenant_organization(&op).await.map_err(|error| {
            mto_errors("reading the multi-tenant organization", false, Kind::Read.error_name(), &error)
        })?;
        if !organization_exists(&organization) {
            // Graph answers 200 `inactive` rather than 404 (B.3.1): the organization has ended for this tenant.
            return Ok(ReadOutcome::Gone);
        }
        Ok(ReadOutcome::Found(NewState::new(state_from_graph(&organization, &prior))))
    }

    async fn update(&self, ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Update)?;
        let mut patch = serde_json::Map::new();
        for (attribute, property) in [("display_name", "displayName"), ("description", "description")] {
            let planned = request.planned_state.get_attr(attribute);
            if planned != request.prior_state.get_attr(attribute) {
                patch.insert(property.to_owned(), planned.as_str().map_or(Json::Null, |s| json!(s)));
            }
        }
        if !patch.is_empty() {
            client.update_multi_tenant_organization(&op, Json::Object(patch)).await.map_err(|error| {
                mto_errors("updating the multi-tenant organization", true, Kind::Update.error_name(), &error)
            })?;
        }
        Ok(NewState::new(request.planned_state))
    }

    async fn delete(&self, ctx: &Context, _request: DeleteRequest) -> Result<(), Diagnostics> {
        // NOTE(graph): the organization is not deletable (csdl Deletable=false, B.3.2); it ends when its tenants
        // leave. Pretending to delete it would leave users believing it is gone.
        ctx.add_diagnostic(Diagnostic::warning(
            "The multi-tenant organization was not deleted",
            "Microsoft Graph cannot delete a multi-tenant organization, so it was only removed from the Terraform \
             state and still exists in Microsoft Entra. An organization ends when its tenants leave it: remove every \
             other tenant (destroy their entra_multi_tenant_organization_tenant resources, or let each member \
             destroy its entra_multi_tenant_organization_join_request), then the last owner tenant removes itself \
             (DELETE of its own tenant entry, for example by importing it as an entra_multi_tenant_organization_tenant \
             and destroying that).",
        ));
        Ok(())
    }

    async fn import(&self, _ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        // The singleton helper checks the id; its state also holds reset_on_destroy, which this resource lacks.
        import::singleton(TYPE_NAME, "the multi-tenant organization", IMPORT_ID, id)?;
        Ok(NewState::new(Value::object([("id", Value::string(IMPORT_ID))])))
    }
}

/// The state for what Graph holds; `timeouts` from the prior state.
fn state_from_graph(organization: &Json, prior: &Value) -> Value {
    Value::object([
        ("id", string_of(organization, "id")),
        ("display_name", string_of(organization, "displayName")),
        ("description", string_of(organization, "description")),
        ("state", string_of(organization, "state")),
        ("created_date_time", string_of(organization, "createdDateTime")),
        (timeouts::ATTRIBUTE, prior.get_attr(timeouts::ATTRIBUTE).clone()),
    ])
}

fn already_in_organization(existing: &Json) -> Diagnostics {
    let name = existing.get("displayName").and_then(Json::as_str).unwrap_or("(unnamed)");
    Diagnostics::error(
        "The tenant already belongs to a multi-tenant organization",
        format!(
            "creating the multi-tenant organization: this tenant already belongs to the multi-tenant organization \
             \"{name}\", and a tenant can belong to only one. To manage it with Terraform, import it: terraform \
             import {TYPE_NAME}.NAME {IMPORT_ID} (or an import block with id = \"{IMPORT_ID}\")."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_sound() {
        let schema = schema();
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
        assert!(schema.get("display_name").unwrap().required);
        assert!(schema.get("description").unwrap().optional);
        for computed in ["id", "state", "created_date_time"] {
            assert!(schema.get(computed).unwrap().computed && !schema.get(computed).unwrap().optional);
        }
    }

    #[test]
    fn read_maps_graph() {
        let organization = json!({"id": "6d8b39e5-039a-4034-bf3a-e0b4f8cd60b6", "createdDateTime": "2023-05-26T22:05:23Z",
            "displayName": "Contoso organization", "description": null, "state": "active"});
        let state = state_from_graph(&organization, &Value::Null);
        assert_eq!(state.get_attr("display_name"), &Value::string("Contoso organization"));
        assert_eq!(state.get_attr("description"), &Value::Null);
        assert_eq!(state.get_attr("state"), &Value::string("active"));
        assert!(tfplugin::value::json::encode(&state, &schema().value_type()).is_ok());
        assert!(!organization_exists(&json!({"state": "inactive"})));
    }
}
