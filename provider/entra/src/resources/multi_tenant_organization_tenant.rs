//! `entra_multi_tenant_organization_tenant`: a tenant of the multi-tenant organization, managed by an owner tenant
//! (`/tenantRelationships/multiTenantOrganization/tenants/{tenantId}`, graph-sync-and-mto.md B.4).
//!
//! - Endpoints: `POST .../tenants` (create; `pending` until the tenant joins), `GET .../tenants/{id}` (read; 404
//!   once removed), `PATCH .../tenants/{id}` `{"role"}` (update), `DELETE .../tenants/{id}` (204 or 200).
//! - Role changes and removals are asynchronous (B.6): until Graph completes a role change, reads show the old
//!   `role` with `transitionDetails.desiredRole`; the state shows the desired role, so a plan right after apply is
//!   empty. Destroy waits until Graph no longer lists the tenant, within the delete timeout; a tenant being removed
//!   stays in the state (with a warning) until Graph answers 404, so a destroy run again after one that outlasted its
//!   timeout waits for the same removal.
//! - Permissions: `MultiTenantOrganization.Read.All` (read), `MultiTenantOrganization.ReadWrite.All` (write).
//! - Import id: the tenant id.

use entra_graph::multi_tenant_organization::member_is_being_removed;
use entra_graph::{GraphClient, GraphError};
use serde_json::Value as Json;
use tfplugin::validators::one_of;
use tfplugin::{
    Attribute, Configured, Context, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, NewState, Plan, ReadOutcome,
    ReadRequest, Resource, Schema, UpdateRequest, Value, async_trait,
};

use crate::provider_data::ProviderData;
use crate::shared::mapping::adopt_prior_spelling;
use crate::shared::mto::{mto_errors, removal_wait_errors, string_of};
use crate::shared::tenant_id;
use crate::timeouts::{self, Kind};

/// The resource type name.
pub const TYPE_NAME: &str = "entra_multi_tenant_organization_tenant";
/// The roles a tenant can have.
pub const ROLES: [&str; 2] = ["member", "owner"];

/// `entra_multi_tenant_organization_tenant`.
pub struct MultiTenantOrganizationTenant {
    data: Configured<ProviderData>,
}

impl std::fmt::Debug for MultiTenantOrganizationTenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiTenantOrganizationTenant").finish_non_exhaustive()
    }
}

impl MultiTenantOrganizationTenant {
    /// The resource, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        MultiTenantOrganizationTenant { data }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }
}

/// The resource's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Adds a tenant to the **multi-tenant organization** and manages its role, from an **owner** tenant of the \
         organization (`entra_multi_tenant_organization`). The added tenant is `pending` until its administrator \
         joins (`entra_multi_tenant_organization_join_request` in that tenant); then it is `active`.\n\n\
         Role changes and removals are asynchronous in Microsoft Entra (minutes): a plan right after apply is empty \
         while they are processed. Destroying the resource removes the tenant from the organization and waits until \
         Microsoft Graph no longer lists it, within the delete timeout; a removal that outlasts it goes on in Microsoft \
         Entra, the resource stays in the state, and destroying again waits for that removal. Microsoft Entra refuses \
         to remove the last active owner while other tenants are active.\n\n\
         **Permissions:** plan and refresh need `MultiTenantOrganization.Read.All`; apply needs \
         `MultiTenantOrganization.ReadWrite.All` (role: Security Administrator), in an owner tenant.\n\n\
         **Import:** by the tenant id (`terraform import entra_multi_tenant_organization_tenant.x \
         7e4a0000-0000-4000-8000-000000000002`).",
    )
    .attribute(Attribute::string("id").computed().description("The tenant id, spelled as in `tenant_id`."))
    .attribute(tenant_id::tenant_id_attribute("The tenant id of the tenant to add."))
    .attribute(Attribute::string("display_name").required().requires_replace().description(
        "The tenant's name in the organization. Microsoft Graph cannot change it once set, so changing it replaces \
         the resource (the tenant is removed and added again, and must join again).",
    ))
    .attribute(Attribute::string("role").optional().computed().validate(one_of(ROLES)).description(
        "`member` (the default) or `owner`. Owners manage the organization: they add and remove tenants and \
                 change roles. Changed in place; Microsoft Entra applies the change asynchronously.",
    ))
    .attribute(
        Attribute::string("state")
            .computed()
            .description("`pending` until the tenant joins, then `active`. Read-only."),
    )
    .attribute(Attribute::string("added_by_tenant_id").computed().description(
        "The owner tenant that added the tenant: the `added_by_tenant_id` the tenant's join request names. Read-only.",
    ))
    .attribute(Attribute::string("added_date_time").computed().description("When the tenant was added. Read-only."))
    .attribute(
        Attribute::string("joined_date_time")
            .computed()
            .description("When the tenant joined (null while `pending`). Read-only."),
    )
    .attribute(timeouts::attribute())
}

#[async_trait]
impl Resource for MultiTenantOrganizationTenant {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn modify_plan(&self, _ctx: &Context, plan: &mut Plan) -> Result<(), Diagnostics> {
        if plan.is_destroy() {
            return Ok(());
        }
        tenant_id::plan_tenant_id(plan)?;
        plan.default_when_unset("role", Value::string("member"))
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Create)?;
        let planned = request.planned_state;
        let tenant = tenant_id::from_state(&planned)?;
        let display_name = planned.get_attr("display_name").as_str().unwrap_or_default().to_owned();
        let role = planned.get_attr("role").as_str().unwrap_or("member").to_owned();
        let action = format!("adding tenant {tenant} to the multi-tenant organization");
        let fail = |error: &GraphError| mto_errors(&action, true, Kind::Create.error_name(), error);
        let added = match client.add_multi_tenant_organization_tenant(&op, &tenant, &display_name, &role).await {
            Ok(added) => added,
            Err(error) if is_already_added(&error) => {
                let mut diagnostics = fail(&error);
                diagnostics.add_error(
                    "The tenant is already in the multi-tenant organization",
                    format!(
                        "{action}: the tenant is already pending or active in the organization (or still being \
                         removed from it). To manage it with Terraform, import it: terraform import \
                         {TYPE_NAME}.NAME {tenant}"
                    ),
                );
                return Err(diagnostics);
            }
            Err(error) => return Err(fail(&error)),
        };
        let member = if added.get("tenantId").is_some() {
            added
        } else {
            // No body (or an unexpected one): the entry is read back.
            client.multi_tenant_organization_tenant(&op, &tenant).await.map_err(|e| fail(&e))?.unwrap_or_default()
        };
        Ok(NewState::new(state_from_graph(&member, &planned)))
    }

    async fn read(&self, ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        let client = self.client()?;
        let prior = request.current_state;
        let op = timeouts::operation(ctx, &prior, Kind::Read)?;
        let tenant = tenant_id::from_state(&prior)?;
        let member = client.multi_tenant_organization_tenant(&op, &tenant).await.map_err(|error| {
            mto_errors(
                &format!("reading tenant {tenant} of the multi-tenant organization"),
                false,
                Kind::Read.error_name(),
                &error,
            )
        })?;
        let Some(member) = member else { return Ok(ReadOutcome::Gone) };
        if member_is_being_removed(&member) {
            // The entry stays in the state until Graph answers 404: a destroy that outlasted its timeout is then
            // still in the state, and the next destroy waits for the removal instead of forgetting the tenant while
            // Graph still lists it.
            ctx.add_diagnostic(Diagnostic::warning(
                format!("Tenant {tenant} is being removed from the multi-tenant organization"),
                format!(
                    "Microsoft Entra is processing the removal of tenant {tenant} from the multi-tenant organization \
                     (this can take up to two hours). It stays in the Terraform state until Microsoft Graph no longer \
                     lists it; if the configuration still has it then, the next plan proposes adding it again."
                ),
            ));
        }
        if let Some(details) = failed_transition(&member) {
            ctx.add_diagnostic(Diagnostic::warning(
                format!("Microsoft Entra could not complete a change of tenant {tenant}"),
                format!(
                    "The last change of tenant {tenant} in the multi-tenant organization failed: {details}. The state \
                     shows what Microsoft Entra holds, so the next plan proposes the change again."
                ),
            ));
        }
        Ok(ReadOutcome::Found(NewState::new(state_from_graph(&member, &prior))))
    }

    async fn update(&self, ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Update)?;
        let tenant = tenant_id::from_state(&request.prior_state)?;
        let role = request.planned_state.get_attr("role");
        if role != request.prior_state.get_attr("role")
            && let Some(role) = role.as_str()
        {
            client.change_multi_tenant_organization_role(&op, &tenant, role).await.map_err(|error| {
                mto_errors(
                    &format!("changing the role of tenant {tenant} to {role}"),
                    true,
                    Kind::Update.error_name(),
                    &error,
                )
            })?;
        }
        Ok(NewState::new(request.planned_state))
    }

    async fn delete(&self, ctx: &Context, request: DeleteRequest) -> Result<(), Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.prior_state, Kind::Delete)?;
        let tenant = tenant_id::from_state(&request.prior_state)?;
        let action = format!("removing tenant {tenant} from the multi-tenant organization");
        let fail = |error: GraphError| mto_errors(&action, true, Kind::Delete.error_name(), &error);
        client.remove_multi_tenant_organization_tenant(&op, &tenant).await.map_err(fail)?;
        // Removal takes minutes (B.6); destroy is done only when Graph no longer lists the tenant.
        client
            .wait_until_tenant_removed(&op, &tenant)
            .await
            .map_err(|error| removal_wait_errors(&action, &tenant, error))
    }

    async fn import(&self, _ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        let id = id.trim();
        if !tfplugin::validators::is_guid(id) {
            return Err(Diagnostics::error(
                "Invalid import id",
                format!(
                    "importing a tenant of the multi-tenant organization: the import id must be its tenant id (a GUID), got {id:?}."
                ),
            ));
        }
        Ok(NewState::new(Value::object([("id", Value::string(id)), ("tenant_id", Value::string(id))])))
    }
}

/// The 400 Graph answers for a tenant already pending or active in the organization (B.4.1).
fn is_already_added(error: &GraphError) -> bool {
    error.api().is_some_and(|api| {
        api.status == 400 && api.message.as_deref().is_some_and(|m| m.contains("already being added"))
    })
}

/// Graph's details of a failed transition.
fn failed_transition(member: &Json) -> Option<String> {
    let transition = member.get("transitionDetails")?;
    (transition.get("status").and_then(Json::as_str) == Some("failed"))
        .then(|| transition.get("details").and_then(Json::as_str).unwrap_or("no details").to_owned())
}

/// The role the configuration should see: the desired role while Graph processes a change (so a plan right after
/// apply is empty), the current one otherwise.
fn effective_role(member: &Json) -> Value {
    let pending = member
        .get("transitionDetails")
        .filter(|t| matches!(t.get("status").and_then(Json::as_str), Some("notStarted" | "running")))
        .and_then(|t| t.get("desiredRole"))
        .and_then(Json::as_str);
    match pending {
        Some(role) => Value::string(role.to_owned()),
        None => string_of(member, "role"),
    }
}

/// The state for a member as Graph holds it, in the prior state's spelling of the tenant id.
fn state_from_graph(member: &Json, prior: &Value) -> Value {
    let mut tenant = string_of(member, "tenantId");
    adopt_prior_spelling(&mut tenant, prior.get_attr("tenant_id"));
    let mut added_by = string_of(member, "addedByTenantId");
    adopt_prior_spelling(&mut added_by, prior.get_attr("added_by_tenant_id"));
    Value::object([
        ("id", tenant.clone()),
        ("tenant_id", tenant),
        ("display_name", string_of(member, "displayName")),
        ("role", effective_role(member)),
        ("state", string_of(member, "state")),
        ("added_by_tenant_id", added_by),
        ("added_date_time", string_of(member, "addedDateTime")),
        ("joined_date_time", string_of(member, "joinedDateTime")),
        (timeouts::ATTRIBUTE, prior.get_attr(timeouts::ATTRIBUTE).clone()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn member(transition: Json) -> Json {
        json!({"tenantId": "7e4a0000-0000-4000-8000-000000000002", "displayName": "Fabrikam", "role": "member",
            "state": "active", "addedByTenantId": "4b8c18bd-2f9f-4227-af55-9f1061cf9c32",
            "addedDateTime": "2026-01-01T00:00:00Z", "joinedDateTime": "2026-01-01T00:05:00Z",
            "transitionDetails": transition})
    }

    #[test]
    fn the_schema_is_sound() {
        let schema = schema();
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
        assert!(schema.get("display_name").unwrap().requires_replace);
        let role = schema.get("role").unwrap();
        assert!(role.optional && role.computed);
    }

    #[test]
    fn a_role_change_in_progress_reads_as_the_desired_role() {
        let changing =
            member(json!({"desiredRole": "owner", "desiredState": "active", "status": "notStarted", "details": null}));
        assert_eq!(effective_role(&changing), Value::string("owner"));
        let failed =
            member(json!({"desiredRole": "owner", "desiredState": "active", "status": "failed", "details": "No."}));
        assert_eq!(effective_role(&failed), Value::string("member"));
        assert_eq!(failed_transition(&failed).as_deref(), Some("No."));
        assert_eq!(effective_role(&member(Json::Null)), Value::string("member"));
    }

    #[test]
    fn read_keeps_the_prior_spelling() {
        let prior = Value::object([("tenant_id", Value::string("7E4A0000-0000-4000-8000-000000000002"))]);
        let state = state_from_graph(&member(Json::Null), &prior);
        assert_eq!(state.get_attr("tenant_id"), &Value::string("7E4A0000-0000-4000-8000-000000000002"));
        assert_eq!(state.get_attr("id"), state.get_attr("tenant_id"));
        assert!(tfplugin::value::json::encode(&state, &schema().value_type()).is_ok());
    }
}
