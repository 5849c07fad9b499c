//! `entra_cross_tenant_identity_sync`: a partner's identity synchronization policy, which lets the partner tenant
//! synchronize its users into this tenant (Graph `crossTenantIdentitySyncPolicyPartner`; the target side of
//! cross-tenant synchronization).
//!
//! - Endpoints: reads through the shared partner listing (`GET …/partners?$expand=identitySynchronization`),
//!   `PUT …/partners/{tenantId}/identitySynchronization` (create; Graph refuses a second PUT with 409),
//!   `PATCH` (update), `DELETE` (delete), and `findTenantInformationByDomainName` (import by domain).
//! - Permissions: plan/refresh `Policy.Read.All`; apply `Policy.ReadWrite.CrossTenantAccess`; import by domain
//!   `CrossTenantInformation.ReadBasic.All`.
//! - Import id: the partner's tenant id, or one of its domain names.

use entra_graph::models::{IdentitySyncPatch, IdentitySyncPolicy, Patch, UserSyncInbound};
use entra_graph::{GraphClient, GraphError};
use tfplugin::{
    Attribute, AttributePath, Configured, Context, CreateRequest, DeleteRequest, Diagnostics, Nesting, NewState, Plan,
    ReadOutcome, ReadRequest, Resource, Schema, UpdateRequest, Value, async_trait,
};

use crate::journal::ObjectKind;
use crate::provider_data::ProviderData;
use crate::shared::errors::{Access, already_exists, graph_errors, taken_over};
use crate::shared::journaled::{self, JournaledCreate};
use crate::shared::mapping::{adopt_prior_spelling, null_if_unset_flags};
use crate::shared::{import, tenant_id};
use crate::timeouts::{self, Kind};

/// The resource type name.
pub const TYPE_NAME: &str = "entra_cross_tenant_identity_sync";

/// `entra_cross_tenant_identity_sync`.
pub struct CrossTenantIdentitySync {
    data: Configured<ProviderData>,
}

impl std::fmt::Debug for CrossTenantIdentitySync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrossTenantIdentitySync").finish_non_exhaustive()
    }
}

fn user_sync_inbound_attribute() -> Attribute {
    Attribute::nested(
        "user_sync_inbound",
        Nesting::Single,
        [Attribute::bool("is_sync_allowed").optional().description(
            "Allow the partner tenant to synchronize its users into this tenant (portal: Inbound access > \
             Cross-tenant sync > \"Allow users sync into this tenant\"). Setting it to `false` stops further \
             synchronization; users already synchronized stay.",
        )],
    )
    .optional()
    .description(
        "Inbound user synchronization. Omit it (or set it to `null`) to leave it unset; removing it sends an \
         explicit `null`.",
    )
}

/// The resource's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Manages a partner's **identity synchronization policy**: whether the partner tenant may synchronize its \
         users into this tenant with cross-tenant synchronization (portal: Cross-tenant access settings > \
         Organizational settings > Inbound access > Cross-tenant sync).\n\n\
         The partner configuration must exist first. Set `tenant_id = entra_cross_tenant_partner.NAME.tenant_id`: \
         Terraform then creates this policy after the partner, and destroys it before the partner (Microsoft \
         Entra refuses to delete a partner configuration that still has a policy). Cross-tenant synchronization \
         usually also needs the partner's `automatic_user_consent_settings.inbound_allowed = true`.\n\n\
         **Permissions:** plan and refresh need `Policy.Read.All`; apply needs \
         `Policy.ReadWrite.CrossTenantAccess`; import by domain name needs `CrossTenantInformation.ReadBasic.All`.\n\n\
         **Import:** by the partner's tenant id (`terraform import entra_cross_tenant_identity_sync.x \
         6babcaad-604b-40ac-a9d7-9fd97c0b779f`) or one of its domain names.",
    )
    .attribute(tenant_id::id_attribute())
    .attribute(tenant_id::tenant_id_attribute(
        "The tenant id of the partner whose users are synchronized into this tenant; the partner configuration \
         must exist (reference `entra_cross_tenant_partner.NAME.tenant_id`).",
    ))
    .attribute(Attribute::string("display_name").optional().description(
        "A name for the policy, usually the partner organization's name. Omit it for none; removing it sends an \
         explicit `null`.",
    ))
    .attribute(user_sync_inbound_attribute())
    .attribute(timeouts::attribute())
}

impl CrossTenantIdentitySync {
    /// The resource, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        CrossTenantIdentitySync { data }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }

    /// The typed `userSyncInbound` for the value of `user_sync_inbound` (`None` for null).
    fn user_sync_model(value: &Value) -> Option<UserSyncInbound> {
        let sync = value.get_attr("user_sync_inbound");
        (!sync.is_null()).then(|| UserSyncInbound { is_sync_allowed: sync.get_attr("is_sync_allowed").as_bool() })
    }

    /// The PATCH that turns `prior` into `planned`: each changed property, `null` for a removed one.
    fn patch(&self, prior: &Value, planned: &Value) -> Result<IdentitySyncPatch, Diagnostics> {
        let changed = |name: &str| prior.get_attr(name) != planned.get_attr(name);
        let mut patch = IdentitySyncPatch::default();
        if changed("display_name") {
            patch.display_name = Patch::from_option(planned.get_attr("display_name").as_str().map(str::to_owned));
        }
        if changed("user_sync_inbound") {
            patch.user_sync_inbound = Patch::from_option(Self::user_sync_model(planned));
        }
        Ok(patch)
    }

    /// Drops the journal's record of creating this policy (best effort: a failure only leaves a stale entry).
    fn forget_created(&self, tenant: &str) {
        if let Ok(data) = self.data.get() {
            journaled::forget_after_read(data.journal.as_deref(), ObjectKind::IdentitySync, tenant);
        }
    }

    /// The state for what Graph holds: exactly its values, with the prior state's spelling of the tenant id and
    /// Graph's object of nulls for an unset `userSyncInbound` read as `null` (unless the prior state has one).
    fn state_from_graph(&self, policy: &IdentitySyncPolicy, tenant: &str, prior: &Value) -> Value {
        let mut tenant = Value::string(policy.tenant_id.clone().unwrap_or_else(|| tenant.to_owned()));
        adopt_prior_spelling(&mut tenant, prior.get_attr("tenant_id"));
        let sync = match &policy.user_sync_inbound {
            Some(sync) => Value::object([("is_sync_allowed", sync.is_sync_allowed.into())]),
            None => Value::Null,
        };
        Value::object([
            ("id", tenant.clone()),
            ("tenant_id", tenant),
            ("display_name", policy.display_name.clone().into()),
            ("user_sync_inbound", null_if_unset_flags(sync, prior.get_attr("user_sync_inbound"))),
            ("timeouts", prior.get_attr("timeouts").clone()),
        ])
    }
}

#[async_trait]
impl Resource for CrossTenantIdentitySync {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn modify_plan(&self, _ctx: &Context, plan: &mut Plan) -> Result<(), Diagnostics> {
        tenant_id::plan_tenant_id(plan)
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        let data = self.data.get()?;
        let client = data.client.clone();
        let op = timeouts::operation(ctx, &request.config, Kind::Create)?;
        let tenant = tenant_id::from_state(&request.planned_state)?;
        let policy = IdentitySyncPolicy {
            tenant_id: None,
            display_name: request.config.get_attr("display_name").as_str().map(str::to_owned),
            user_sync_inbound: Self::user_sync_model(&request.config),
        };
        let action = format!("creating the identity synchronization policy of partner {tenant}");
        // Recorded before the PUT, so a create after an interrupted apply recognises this provider's own policy.
        let journaled = JournaledCreate::begin(ctx, data.journal.as_deref(), ObjectKind::IdentitySync, &tenant);
        match client.create_identity_sync(&op, &tenant, &policy).await {
            Ok(_) => Ok(NewState::new(request.planned_state)),
            Err(GraphError::AlreadyExists { .. }) if journaled.earlier_create => {
                // The policy an interrupted apply of this provider created: take it over, with the planned
                // settings.
                let take_over = format!("taking over the identity synchronization policy of partner {tenant}");
                let fail =
                    |error: GraphError| graph_errors(&take_over, Access::Write, Kind::Create.error_name(), &error);
                let planned = request.planned_state;
                let Some(existing) = client.fetch_identity_sync(&op, &tenant).await.map_err(fail)? else {
                    return Err(already_exists(TYPE_NAME, "identity synchronization policy", &tenant));
                };
                let patch = self.patch(&self.state_from_graph(&existing, &tenant, &planned), &planned)?;
                client.update_identity_sync(&op, &tenant, &patch).await.map_err(fail)?;
                ctx.add_diagnostic(taken_over("identity synchronization policy", &tenant));
                Ok(NewState::new(planned))
            }
            Err(GraphError::AlreadyExists { .. }) => {
                // Someone else's policy: never taken over by a later create either.
                journaled.forget(ctx);
                Err(already_exists(TYPE_NAME, "identity synchronization policy", &tenant))
            }
            Err(error) if error.is_not_found() => {
                journaled.forget(ctx);
                Err(Diagnostics::attribute_error(
                    AttributePath::root().attr("tenant_id"),
                    "The partner configuration does not exist",
                    format!(
                        "tenant_id: {action}: Microsoft Entra has no partner configuration for tenant {tenant}, and \
                         an identity synchronization policy can only belong to one. Create the partner first with an \
                         entra_cross_tenant_partner resource, and set tenant_id = \
                         entra_cross_tenant_partner.NAME.tenant_id here so Terraform creates them in order. ({error})"
                    ),
                ))
            }
            Err(error @ GraphError::OutcomeUnknown { .. }) => {
                // The policy may exist: keep it in the state so the next plan reconciles it.
                ctx.record_partial_state(request.planned_state);
                Err(graph_errors(&action, Access::Write, Kind::Create.error_name(), &error))
            }
            Err(error) => {
                journaled.forget(ctx);
                Err(graph_errors(&action, Access::Write, Kind::Create.error_name(), &error))
            }
        }
    }

    async fn read(&self, ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        let client = self.client()?;
        let prior = request.current_state;
        let op = timeouts::operation(ctx, &prior, Kind::Read)?;
        let tenant = tenant_id::from_state(&prior)?;
        match client.identity_sync(&op, &tenant).await {
            Ok(Some(policy)) => {
                // Terraform has the policy in its state: the journal need not remember creating it.
                self.forget_created(&tenant);
                Ok(ReadOutcome::Found(NewState::new(self.state_from_graph(&policy, &tenant, &prior))))
            }
            Ok(None) => Ok(ReadOutcome::Gone),
            Err(error) => Err(graph_errors(
                &format!("reading the identity synchronization policy of partner {tenant}"),
                Access::Read,
                Kind::Read.error_name(),
                &error,
            )),
        }
    }

    async fn update(&self, ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Update)?;
        let tenant = tenant_id::from_state(&request.prior_state)?;
        let patch = self.patch(&request.prior_state, &request.planned_state)?;
        // An empty patch (only timeouts or the tenant id's spelling changed) sends nothing.
        client.update_identity_sync(&op, &tenant, &patch).await.map_err(|error| {
            graph_errors(
                &format!("updating the identity synchronization policy of partner {tenant}"),
                Access::Write,
                Kind::Update.error_name(),
                &error,
            )
        })?;
        Ok(NewState::new(request.planned_state))
    }

    async fn delete(&self, ctx: &Context, request: DeleteRequest) -> Result<(), Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.prior_state, Kind::Delete)?;
        let tenant = tenant_id::from_state(&request.prior_state)?;
        client.delete_identity_sync(&op, &tenant).await.map_err(|error| {
            graph_errors(
                &format!("deleting the identity synchronization policy of partner {tenant}"),
                Access::Write,
                Kind::Delete.error_name(),
                &error,
            )
        })?;
        self.forget_created(&tenant);
        Ok(())
    }

    async fn import(&self, ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation_with(ctx, Kind::Read.default_timeout());
        let tenant = import::resolve_tenant(&client, &op, TYPE_NAME, id).await?;
        Ok(NewState::new(Value::object([("id", Value::string(&tenant)), ("tenant_id", Value::string(tenant))])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource() -> CrossTenantIdentitySync {
        CrossTenantIdentitySync::new(Configured::new())
    }

    #[test]
    fn the_schema_is_sound() {
        let schema = schema();
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
        let names: Vec<&str> = schema.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["id", "tenant_id", "display_name", "user_sync_inbound", "timeouts"]);
    }

    #[test]
    fn read_maps_graph_values_and_keeps_the_prior_spelling() {
        let prior = Value::object([
            ("tenant_id", Value::string("6BABCAAD-604B-40AC-A9D7-9FD97C0B779F")),
            ("timeouts", Value::object([("read", Value::string("1m"))])),
        ]);
        let policy = IdentitySyncPolicy {
            tenant_id: Some("6babcaad-604b-40ac-a9d7-9fd97c0b779f".into()),
            display_name: Some("Contoso".into()),
            user_sync_inbound: Some(UserSyncInbound { is_sync_allowed: Some(true) }),
        };
        let state = resource().state_from_graph(&policy, "6babcaad-604b-40ac-a9d7-9fd97c0b779f", &prior);
        assert_eq!(state.get_attr("id"), &Value::string("6BABCAAD-604B-40AC-A9D7-9FD97C0B779F"));
        assert_eq!(state.get_attr("display_name"), &Value::string("Contoso"));
        assert_eq!(state.get_attr("user_sync_inbound").get_attr("is_sync_allowed"), &Value::bool(true));
        assert_eq!(state.at_path(&AttributePath::root().attr("timeouts").attr("read")), Some(&Value::string("1m")));

        let unset = IdentitySyncPolicy { user_sync_inbound: Some(UserSyncInbound::default()), ..policy };
        let state = resource().state_from_graph(&unset, "6babcaad-604b-40ac-a9d7-9fd97c0b779f", &prior);
        assert_eq!(state.get_attr("user_sync_inbound"), &Value::Null);
        assert!(tfplugin::value::json::encode(&state, &schema().value_type()).is_ok());
    }
}
