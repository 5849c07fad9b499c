//! `entra_multi_tenant_organization_join_request`: this (member) tenant joins the multi-tenant organization of the
//! owner tenant that added it (`/tenantRelationships/multiTenantOrganization/joinRequest`, graph-sync-and-mto.md B.5).
//!
//! - Create = `PATCH joinRequest {"addedByTenantId"}`; with `wait_for_active`, create polls the join request until
//!   it is `active` (or failed) within the create timeout. Graph documents up to two hours (B.6).
//! - Read: a join request that names no owner, or whose tenant is not (or no longer) in an organization, is gone; a
//!   join Graph reports as failed reads as gone with a warning carrying Graph's details, so the next plan proposes
//!   joining again. A join still being processed keeps the resource (plan right after apply is empty).
//! - Destroy = this tenant leaves: `DELETE .../tenants/{own tenant id}`, waiting until it is no longer listed; a
//!   join that has not completed is reset instead (`addedByTenantId` = all zeros, B.5).
//! - Permissions: `MultiTenantOrganization.Read.All` (read), `MultiTenantOrganization.ReadWrite.All` (write).
//! - Import id: `join_request`.

use entra_graph::multi_tenant_organization::NO_TENANT;
use entra_graph::{GraphClient, GraphError, Operation};
use serde_json::Value as Json;
use tfplugin::validators::guid;
use tfplugin::{
    Attribute, AttributePath, Configured, Context, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, NewState,
    Plan, ReadOutcome, ReadRequest, Resource, Schema, UpdateRequest, Value, async_trait,
};

use crate::provider_data::ProviderData;
use crate::shared::import;
use crate::shared::mapping::adopt_prior_spelling;
use crate::shared::mto::{mto_errors, removal_wait_errors, set, string_of};
use crate::timeouts::{self, Kind};

/// The resource type name.
pub const TYPE_NAME: &str = "entra_multi_tenant_organization_join_request";
/// The resource's fixed id and its only import id.
pub const SINGLETON_ID: &str = "join_request";

/// `entra_multi_tenant_organization_join_request`.
pub struct MultiTenantOrganizationJoinRequest {
    data: Configured<ProviderData>,
}

impl std::fmt::Debug for MultiTenantOrganizationJoinRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiTenantOrganizationJoinRequest").finish_non_exhaustive()
    }
}

impl MultiTenantOrganizationJoinRequest {
    /// The resource, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        MultiTenantOrganizationJoinRequest { data }
    }
}

/// The resource's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Joins this tenant to a **multi-tenant organization**, from the tenant that an owner added \
         (`entra_multi_tenant_organization_tenant` in the owner tenant). Joining is asynchronous in Microsoft \
         Entra: Microsoft documents up to two hours. When the join completes, Microsoft Entra creates the partner \
         configurations between this tenant and every other tenant of the organization (where missing) and applies \
         each tenant's templates (`entra_multi_tenant_organization_partner_template`, \
         `entra_multi_tenant_organization_identity_sync_template`), so configure the templates before joining.\n\n\
         A join that Microsoft Entra reports as failed reads as gone, with a warning carrying Microsoft's details, so \
         the next plan proposes joining again. Destroying the resource makes this tenant leave the organization (and \
         waits until it has left, within the delete timeout); a join that has not completed is cancelled instead.\n\n\
         **Permissions:** plan and refresh need `MultiTenantOrganization.Read.All`; apply needs \
         `MultiTenantOrganization.ReadWrite.All` (role: Security Administrator). The provider's `tenant_id` must be \
         set (it names the tenant that leaves on destroy).\n\n\
         **Import:** the import id is always `join_request`.",
    )
    .attribute(Attribute::string("id").computed().description("Always `join_request`: a tenant has one join request."))
    .attribute(Attribute::string("added_by_tenant_id").required().requires_replace().validate(guid()).description(
        "The tenant id of the owner tenant that added this tenant to the organization (its \
         `entra_multi_tenant_organization_tenant` resource's `added_by_tenant_id`). Changing it leaves the \
         organization and joins again.",
    ))
    .attribute(Attribute::bool("wait_for_active").optional().computed().description(
        "Whether create waits until the join has completed (`member_state = \"active\"`), within the create timeout \
         (raise `timeouts.create` accordingly: Microsoft documents up to two hours). A join that fails while waiting \
         fails the apply with Microsoft's details. Default `false`: create returns as soon as Microsoft Entra has \
         accepted the request.",
    ))
    .attribute(
        Attribute::string("member_state")
            .computed()
            .description("`pending` while the join is processed, `active` once this tenant is a member. Read-only."),
    )
    .attribute(
        Attribute::string("role")
            .computed()
            .description("This tenant's role in the organization once joined (`member` or `owner`). Read-only."),
    )
    .attribute(Attribute::string("transition_status").computed().description(
        "Microsoft's processing status of the join (`notStarted`, `running`, `succeeded`, `failed`), null when \
         nothing is being processed. Read-only.",
    ))
    .attribute(
        Attribute::string("transition_details")
            .computed()
            .description("Microsoft's details about the join's processing, such as why it failed. Read-only."),
    )
    .attribute(timeouts::attribute())
}

#[async_trait]
impl Resource for MultiTenantOrganizationJoinRequest {
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
        plan.set(&AttributePath::root().attr("id"), Value::string(SINGLETON_ID))?;
        plan.default_when_unset("wait_for_active", Value::bool(false))
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        let client = self.data.get()?.client.clone();
        let op = timeouts::operation(ctx, &request.config, Kind::Create)?;
        let planned = request.planned_state;
        let owner = planned.get_attr("added_by_tenant_id").as_str().unwrap_or_default().to_owned();
        let action = format!("joining the multi-tenant organization of tenant {owner}");
        let fail = |error: GraphError| mto_errors(&action, true, Kind::Create.error_name(), &error);
        client.update_join_request(&op, &owner).await.map_err(fail)?;
        let mut record = client.join_request(&op).await.map_err(fail)?;
        if planned.get_attr("wait_for_active").as_bool() == Some(true) {
            record = wait_for_join(&client, &op, &action).await.map_err(fail)?;
            if let Some(details) = failed_join(&record) {
                // Nothing joined: clear the failed request so a later attempt starts clean, and keep no state.
                let _ = client.update_join_request(&op, NO_TENANT).await;
                return Err(Diagnostics::error(
                    "Joining the multi-tenant organization failed",
                    format!(
                        "{action}: Microsoft Entra reports that the join failed: {details}. Common causes: the \
                         owner tenant has not added this tenant (entra_multi_tenant_organization_tenant), \
                         added_by_tenant_id is not an owner of the organization, this tenant already belongs to \
                         another organization, or the organization would exceed 100 active tenants."
                    ),
                ));
            }
        }
        Ok(NewState::new(state_from_graph(&record, &planned)))
    }

    async fn read(&self, ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        let client = self.data.get()?.client.clone();
        let prior = request.current_state;
        let op = timeouts::operation(ctx, &prior, Kind::Read)?;
        let record = client
            .join_request(&op)
            .await
            .map_err(|error| mto_errors("reading the join request", false, Kind::Read.error_name(), &error))?;
        if let Some(details) = failed_join(&record) {
            ctx.add_diagnostic(Diagnostic::warning(
                "Joining the multi-tenant organization failed",
                format!(
                    "Microsoft Entra reports that this tenant's join request failed: {details}. The join request is \
                     treated as gone, so the next plan proposes joining again; fix the cause first (the owner tenant \
                     must have added this tenant, and added_by_tenant_id must name an owner)."
                ),
            ));
            return Ok(ReadOutcome::Gone);
        }
        if !names_organization(&record) {
            return Ok(ReadOutcome::Gone);
        }
        Ok(ReadOutcome::Found(NewState::new(state_from_graph(&record, &prior))))
    }

    async fn update(&self, _ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics> {
        // Only wait_for_active or timeouts can change in place; neither is Graph's.
        Ok(NewState::new(request.planned_state))
    }

    async fn delete(&self, ctx: &Context, request: DeleteRequest) -> Result<(), Diagnostics> {
        let data = self.data.get()?;
        let client = data.client.clone();
        let op = timeouts::operation(ctx, &request.prior_state, Kind::Delete)?;
        let action = "leaving the multi-tenant organization";
        let fail = |error: GraphError| mto_errors(action, true, Kind::Delete.error_name(), &error);
        let record = client.join_request(&op).await.map_err(fail)?;
        if record.get("memberState").and_then(Json::as_str) != Some("active") {
            // Not a member (yet): cancel the request rather than leave.
            return client.update_join_request(&op, NO_TENANT).await.map_err(fail);
        }
        let Some(own) = data.auth.settings.tenant_id.clone() else {
            return Err(Diagnostics::error(
                "The provider's tenant is not known",
                format!(
                    "{action}: leaving means removing this tenant's own entry from the organization, which needs \
                     the provider's tenant_id (or ARM_TENANT_ID)."
                ),
            ));
        };
        client.remove_multi_tenant_organization_tenant(&op, &own).await.map_err(fail)?;
        client.wait_until_tenant_removed(&op, &own).await.map_err(|error| removal_wait_errors(action, &own, error))
    }

    async fn import(&self, _ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        import::singleton(TYPE_NAME, "the join request", SINGLETON_ID, id)?;
        Ok(NewState::new(Value::object([("id", Value::string(SINGLETON_ID)), ("wait_for_active", Value::bool(false))])))
    }
}

/// Polls the join request until it is active or failed (or the operation ends).
async fn wait_for_join(client: &GraphClient, op: &Operation, action: &str) -> Result<Json, GraphError> {
    let last = std::sync::Mutex::new(Json::Null);
    client
        .poll(op, action, || async {
            let record = client.join_request(op).await?;
            let done =
                record.get("memberState").and_then(Json::as_str) == Some("active") || failed_join(&record).is_some();
            *last.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = record;
            Ok(done)
        })
        .await?;
    Ok(last.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// Graph's details of a failed join (B.5: `transitionDetails.status == "failed"`).
fn failed_join(record: &Json) -> Option<String> {
    let transition = record.get("transitionDetails")?;
    (transition.get("status").and_then(Json::as_str) == Some("failed")).then(|| {
        transition.get("details").and_then(Json::as_str).filter(|d| !d.is_empty()).unwrap_or("no details").to_owned()
    })
}

/// True when the join request names an owner and this tenant is joining or a member of its organization.
fn names_organization(record: &Json) -> bool {
    let owner = record.get("addedByTenantId").and_then(Json::as_str).unwrap_or(NO_TENANT);
    owner != NO_TENANT
        && (record.get("memberState").is_some_and(|s| !s.is_null())
            || record.get("transitionDetails").is_some_and(|t| !t.is_null()))
}

/// The state for the join request as Graph holds it; `wait_for_active` and `timeouts` from `prior`.
fn state_from_graph(record: &Json, prior: &Value) -> Value {
    let mut owner = string_of(record, "addedByTenantId");
    adopt_prior_spelling(&mut owner, prior.get_attr("added_by_tenant_id"));
    let wait = match prior.get_attr("wait_for_active") {
        Value::Bool(wait) => Value::Bool(*wait),
        _ => Value::bool(false),
    };
    let mut state = Value::object([
        ("id", Value::string(SINGLETON_ID)),
        ("added_by_tenant_id", owner),
        ("wait_for_active", wait),
        ("member_state", string_of(record, "memberState")),
        ("role", string_of(record, "role")),
        ("transition_status", Value::Null),
        ("transition_details", Value::Null),
        (timeouts::ATTRIBUTE, prior.get_attr(timeouts::ATTRIBUTE).clone()),
    ]);
    if let Some(transition) = record.get("transitionDetails").filter(|t| !t.is_null()) {
        set(&mut state, "transition_status", string_of(transition, "status"));
        set(&mut state, "transition_details", string_of(transition, "details"));
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OWNER: &str = "4b8c18bd-2f9f-4227-af55-9f1061cf9c32";

    #[test]
    fn the_schema_is_sound() {
        let schema = schema();
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
        assert!(schema.get("added_by_tenant_id").unwrap().requires_replace);
    }

    #[test]
    fn join_states() {
        let none = json!({"addedByTenantId": NO_TENANT, "memberState": null, "role": null, "transitionDetails": null});
        assert!(!names_organization(&none));
        let pending = json!({"addedByTenantId": OWNER, "memberState": "pending", "role": null,
            "transitionDetails": {"desiredMemberState": "active", "status": "notStarted", "details": ""}});
        assert!(names_organization(&pending) && failed_join(&pending).is_none());
        let active =
            json!({"addedByTenantId": OWNER, "memberState": "active", "role": "member", "transitionDetails": null});
        assert!(names_organization(&active));
        // A tenant that left: the request still names the owner, but the tenant is in no organization.
        let left = json!({"addedByTenantId": OWNER, "memberState": null, "role": null, "transitionDetails": null});
        assert!(!names_organization(&left));
        let failed = json!({"addedByTenantId": OWNER, "memberState": "pending", "role": null,
            "transitionDetails": {"desiredMemberState": "active", "status": "failed", "details": "DirectoryService Exception"}});
        assert_eq!(failed_join(&failed).as_deref(), Some("DirectoryService Exception"));
    }

    #[test]
    fn read_maps_graph() {
        let pending = json!({"addedByTenantId": OWNER, "memberState": "pending", "role": null,
            "transitionDetails": {"desiredMemberState": "active", "status": "notStarted", "details": ""}});
        let prior = Value::object([
            ("added_by_tenant_id", Value::string(OWNER.to_uppercase())),
            ("wait_for_active", Value::bool(true)),
        ]);
        let state = state_from_graph(&pending, &prior);
        assert_eq!(state.get_attr("added_by_tenant_id"), &Value::string(OWNER.to_uppercase()));
        assert_eq!(state.get_attr("wait_for_active"), &Value::bool(true));
        assert_eq!(state.get_attr("transition_status"), &Value::string("notStarted"));
        assert!(tfplugin::value::json::encode(&state, &schema().value_type()).is_ok());
    }
}
