//! `entra_cross_tenant_partner`: a partner configuration, the organization-specific cross-tenant access settings
//! for one external tenant (Graph `crossTenantAccessPolicyConfigurationPartner`).
//!
//! - Endpoints: `GET /policies/crossTenantAccessPolicy/partners` (the shared listing every read goes through),
//!   `POST …/partners` (create), `PATCH …/partners/{tenantId}` (update), `DELETE …/partners/{tenantId}` (delete),
//!   `GET …/partners/{tenantId}` and `…/identitySynchronization` (delete guards), and
//!   `findTenantInformationByDomainName` (import by domain).
//! - Permissions: plan/refresh `Policy.Read.All`; apply `Policy.ReadWrite.CrossTenantAccess`; import by domain
//!   `CrossTenantInformation.ReadBasic.All`.
//! - Import id: the partner's tenant id, or one of its domain names.
//!
//! Every setting is optional and `null` means "inherited from the default configuration". Removing a setting from
//! the configuration PATCHes an explicit `null`; a changed setting is always sent whole (both parts, every flag),
//! and only changed settings are sent.

use entra_graph::models::PartnerConfiguration;
use entra_graph::{GraphClient, GraphError, Operation};
use tfplugin::{
    Attribute, AttributePath, Configured, Context, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, NewState,
    Plan, ReadOutcome, ReadRequest, Resource, Schema, UpdateRequest, Value, async_trait,
};

use crate::journal::ObjectKind;
use crate::provider_data::ProviderData;
use crate::shared::errors::{Access, already_exists, graph_errors, taken_over};
use crate::shared::journaled::{self, JournaledCreate};
use crate::shared::mapping::{settings_patch, settings_to_graph};
use crate::shared::partner_state::partner_state;
use crate::shared::schema::partner_settings;
use crate::shared::{Presence, import, tenant_id};
use crate::timeouts::{self, Kind};

/// The resource type name.
pub const TYPE_NAME: &str = "entra_cross_tenant_partner";

/// The Microsoft Accounts tenant, whose tenant restrictions cannot target specific users or groups (R11).
const MSA_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// `entra_cross_tenant_partner`.
pub struct CrossTenantPartner {
    data: Configured<ProviderData>,
    /// The settings' attributes, the one description of how they map to and from Graph.
    settings: Vec<Attribute>,
}

impl std::fmt::Debug for CrossTenantPartner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrossTenantPartner").finish_non_exhaustive()
    }
}

impl CrossTenantPartner {
    /// The resource, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        CrossTenantPartner { data, settings: partner_settings(Presence::Inherit) }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }
}

/// The resource's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Manages a **partner configuration**: the cross-tenant access settings Microsoft Entra applies to one \
         external organization (portal: External Identities > Cross-tenant access settings > Organizational \
         settings), overriding the tenant's default configuration.\n\n\
         Every setting is optional. A setting left out (or `null`) is **inherited from the default configuration** \
         (`entra_cross_tenant_default`); removing a setting from the configuration sends an explicit `null`, so the \
         partner goes back to inheriting. A setting that is present is sent whole, so its omitted parts and flags \
         are cleared in Microsoft Entra.\n\n\
         Destroying the resource deletes the partner configuration, and the default configuration applies to the \
         tenant again. A partner that is a Cloud Solution Provider (`is_service_provider`) cannot be deleted, and \
         one with an identity synchronization policy can only be deleted after it \
         (`entra_cross_tenant_identity_sync` referencing this resource's `tenant_id` is destroyed first).\n\n\
         **Permissions:** plan and refresh need `Policy.Read.All`; apply needs \
         `Policy.ReadWrite.CrossTenantAccess`; import by domain name needs `CrossTenantInformation.ReadBasic.All`.\n\n\
         **Import:** by the partner's tenant id (`terraform import entra_cross_tenant_partner.x \
         07d2f395-f69c-43ab-88a2-b82f1151042d`) or by one of its domain names (`... truesecdetect.io`).",
    )
    .attribute(tenant_id::id_attribute())
    .attribute(tenant_id::tenant_id_attribute("The tenant id of the external organization."))
    .attributes(partner_settings(Presence::Inherit))
    .attribute(Attribute::bool("is_service_provider").computed().description(
        "Whether the partner is this tenant's Cloud Solution Provider (set by Microsoft for CSP and GDAP \
         relationships). Such a partner cannot be deleted. Read-only.",
    ))
    .attribute(
        Attribute::bool("is_in_multi_tenant_organization").computed().description(
            "Whether the partner belongs to the same multi-tenant organization as this tenant. Read-only.",
        ),
    )
    .attribute(timeouts::attribute())
}

#[async_trait]
impl Resource for CrossTenantPartner {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        msa_tenant_restrictions(config)
    }

    async fn modify_plan(&self, _ctx: &Context, plan: &mut Plan) -> Result<(), Diagnostics> {
        if plan.is_destroy() {
            // Refuse at plan time, before anything else in the configuration is destroyed.
            if plan.prior_state.get_attr("is_service_provider").as_bool() == Some(true) {
                let tenant = plan.prior_state.get_attr("tenant_id").as_str().unwrap_or_default().to_owned();
                return Err(service_provider_error(&tenant));
            }
            return Ok(());
        }
        tenant_id::plan_tenant_id(plan)
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        let data = self.data.get()?;
        let client = data.client.clone();
        let op = timeouts::operation(ctx, &request.config, Kind::Create)?;
        let tenant = tenant_id::from_state(&request.planned_state)?;
        let settings = settings_to_graph(&self.settings, &request.config);
        let action = format!("creating partner configuration {tenant}");
        // Recorded before the POST: if Terraform is killed before it saves its state, the next create knows the
        // partner it meets is this provider's own.
        let journaled = JournaledCreate::begin(ctx, data.journal.as_deref(), ObjectKind::Partner, &tenant);
        match client.create_partner(&op, &tenant, &settings).await {
            Ok(created) => {
                let mut state = request.planned_state;
                set(&mut state, "is_service_provider", created.is_service_provider.into());
                set(&mut state, "is_in_multi_tenant_organization", created.is_in_multi_tenant_organization.into());
                Ok(NewState::new(state))
            }
            Err(GraphError::AlreadyExists { .. }) if journaled.earlier_create => {
                self.take_over(ctx, &client, &op, &tenant, request.planned_state).await
            }
            Err(GraphError::AlreadyExists { .. }) => {
                // Someone else's partner: never taken over by a later create either.
                journaled.forget(ctx);
                Err(already_exists(TYPE_NAME, "partner configuration", &tenant))
            }
            Err(error @ GraphError::OutcomeUnknown { .. }) => {
                // The partner may exist: keep it in the state (Terraform marks it tainted) so the next plan
                // reconciles it instead of leaving an object Terraform does not know about.
                ctx.record_partial_state(without_unknowns(request.planned_state));
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
        match client.partner(&op, &tenant).await {
            Ok(Some(partner)) => {
                // Terraform has the partner in its state: the journal need not remember creating it.
                self.forget_created(&tenant);
                Ok(ReadOutcome::Found(NewState::new(self.state_from_graph(&partner, &prior))))
            }
            Ok(None) => Ok(ReadOutcome::Gone),
            Err(error) => Err(graph_errors(
                &format!("reading partner configuration {tenant}"),
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
        let patch = settings_patch(&self.settings, &request.prior_state, &request.planned_state);
        // Only timeouts or the spelling of the tenant id changed: nothing to tell Graph.
        if !patch.is_empty() {
            client.update_partner(&op, &tenant, &patch).await.map_err(|error| {
                graph_errors(
                    &format!("updating partner configuration {tenant}"),
                    Access::Write,
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
        let action = format!("deleting partner configuration {tenant}");
        let fail = |error: GraphError| graph_errors(&action, Access::Write, Kind::Delete.error_name(), &error);
        // Check the guards directly (not through the listing): deleting must not fail half-way, and the messages
        // should say what to do rather than relay Graph's refusal.
        let Some(partner) = client.fetch_partner(&op, &tenant).await.map_err(fail)? else {
            return Ok(());
        };
        if partner.is_service_provider == Some(true) {
            return Err(service_provider_error(&tenant));
        }
        if client.fetch_identity_sync(&op, &tenant).await.map_err(fail)?.is_some() {
            return Err(Diagnostics::error(
                "The partner has an identity synchronization policy",
                format!(
                    "{action}: Microsoft Entra refuses to delete a partner configuration while it has an identity \
                     synchronization policy, so nothing was deleted. Destroy the policy first: if it is managed by \
                     an entra_cross_tenant_identity_sync resource, make that resource reference this partner's \
                     tenant_id (tenant_id = entra_cross_tenant_partner.NAME.tenant_id) so Terraform destroys it \
                     first; otherwise delete it in the portal (Cross-tenant sync settings of the organization) or \
                     import it and destroy it with Terraform."
                ),
            ));
        }
        client.delete_partner(&op, &tenant).await.map_err(fail)?;
        self.forget_created(&tenant);
        Ok(())
    }

    async fn import(&self, ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation_with(ctx, Kind::Read.default_timeout());
        let tenant = import::resolve_tenant(&client, &op, TYPE_NAME, id).await?;
        // Read fills in the rest; timeouts stay null, as they are configuration only.
        Ok(NewState::new(Value::object([("id", Value::string(&tenant)), ("tenant_id", Value::string(tenant))])))
    }
}

impl CrossTenantPartner {
    /// A create that met the partner configuration an earlier, interrupted create of this provider made (the
    /// journal recorded it): it is taken over, PATCHed to the planned settings where it differs, with a warning.
    async fn take_over(
        &self,
        ctx: &Context,
        client: &GraphClient,
        op: &Operation,
        tenant: &str,
        planned: Value,
    ) -> Result<NewState, Diagnostics> {
        let action = format!("taking over partner configuration {tenant}");
        let fail = |error: GraphError| graph_errors(&action, Access::Write, Kind::Create.error_name(), &error);
        let Some(existing) = client.fetch_partner(op, tenant).await.map_err(fail)? else {
            // Graph refused the create yet shows no partner: its id is still reserved after a delete.
            return Err(already_exists(TYPE_NAME, "partner configuration", tenant));
        };
        let patch = settings_patch(&self.settings, &self.state_from_graph(&existing, &planned), &planned);
        if !patch.is_empty() {
            client.update_partner(op, tenant, &patch).await.map_err(fail)?;
        }
        ctx.add_diagnostic(taken_over("partner configuration", tenant));
        let mut state = planned;
        set(&mut state, "is_service_provider", existing.is_service_provider.into());
        set(&mut state, "is_in_multi_tenant_organization", existing.is_in_multi_tenant_organization.into());
        Ok(NewState::new(state))
    }

    /// Drops the journal's record of creating this partner (best effort: a failure only leaves a stale entry).
    fn forget_created(&self, tenant: &str) {
        if let Ok(data) = self.data.get() {
            journaled::forget_after_read(data.journal.as_deref(), ObjectKind::Partner, tenant);
        }
    }

    /// The state for what Graph holds, in the prior state's spelling (see [`partner_state`]).
    fn state_from_graph(&self, partner: &PartnerConfiguration, prior: &Value) -> Value {
        let mut state = partner_state(&self.settings, partner, prior);
        set(&mut state, "timeouts", prior.get_attr("timeouts").clone());
        state
    }
}

fn set(state: &mut Value, name: &str, value: Value) {
    if let Value::Object(attributes) = state {
        attributes.insert(name.to_owned(), value);
    }
}

/// A planned state with its unknown values (computed ones not known yet) made null, for recording as partial
/// state after a create whose outcome is unknown.
fn without_unknowns(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::Object(attributes) => {
            Value::Object(attributes.into_iter().map(|(k, v)| (k, without_unknowns(v))).collect())
        }
        Value::List(elements) => Value::List(elements.into_iter().map(without_unknowns).collect()),
        Value::Set(elements) => Value::Set(elements.into_iter().map(without_unknowns).collect()),
        Value::Map(entries) => Value::Map(entries.into_iter().map(|(k, v)| (k, without_unknowns(v))).collect()),
        other => other,
    }
}

fn service_provider_error(tenant: &str) -> Diagnostics {
    Diagnostics::error(
        "A service provider's partner configuration cannot be deleted",
        format!(
            "deleting partner configuration {tenant}: this partner is the tenant's Cloud Solution Provider \
             (is_service_provider = true), and Microsoft Entra does not allow deleting it, so nothing was deleted. \
             To stop managing it with Terraform without deleting it, remove it from the state instead: \
             `terraform state rm entra_cross_tenant_partner.NAME`, or (Terraform 1.7 and later) replace the resource \
             block with\n\n  removed {{\n    from = entra_cross_tenant_partner.NAME\n    lifecycle {{\n      destroy = \
             false\n    }}\n  }}"
        ),
    )
}

/// R11: tenant restrictions for the Microsoft Accounts tenant cannot target specific users or groups.
fn msa_tenant_restrictions(config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let is_msa = config.get_attr("tenant_id").as_str().is_some_and(|t| tenant_id::same_tenant(t, MSA_TENANT_ID));
    if !is_msa {
        return diagnostics;
    }
    let path = AttributePath::root().attr("tenant_restrictions").attr("users_and_groups").attr("targets");
    let targets = config.at_path(&path).and_then(Value::as_elements).unwrap_or_default();
    for element in targets {
        if let Some(target) = element.get_attr("target").as_str()
            && target != "AllUsers"
        {
            diagnostics.push(
                Diagnostic::error(
                    "Specific users or groups are not allowed here",
                    format!(
                        "{path}: tenant restrictions for the Microsoft Accounts tenant ({MSA_TENANT_ID}) cannot \
                         target specific users or groups (R11); only \"AllUsers\" is allowed, got \"{target}\"."
                    ),
                )
                .at(path.clone()),
            );
        }
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::schema::tests::PARTNER_SETTINGS;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn resource() -> CrossTenantPartner {
        CrossTenantPartner::new(Configured::new())
    }

    fn target_configuration(access: &str, targets: &[(&str, &str)]) -> Value {
        Value::object([
            ("access_type", Value::string(access)),
            (
                "targets",
                Value::set(targets.iter().map(|(t, ty)| {
                    Value::object([("target", Value::string(*t)), ("target_type", Value::string(*ty))])
                })),
            ),
        ])
    }

    fn b2b(users: Value, apps: Value) -> Value {
        Value::object([("users_and_groups", users), ("applications", apps)])
    }

    fn config(settings: &[(&str, Value)]) -> Value {
        let mut attributes: BTreeMap<String, Value> = BTreeMap::new();
        attributes.insert("tenant_id".into(), Value::string("07D2F395-F69C-43AB-88A2-B82F1151042D"));
        for (name, value) in settings {
            attributes.insert((*name).to_owned(), value.clone());
        }
        Value::Object(attributes)
    }

    #[test]
    fn the_schema_is_sound_and_settings_inherit() {
        let schema = schema();
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
        for name in PARTNER_SETTINGS {
            let attribute = schema.get(name).unwrap();
            assert!(attribute.optional && !attribute.computed, "{name}");
        }
        let tenant = schema.get("tenant_id").unwrap();
        assert!(tenant.required && !tenant.requires_replace, "replacement is decided ignoring case in modify_plan");
    }

    #[test]
    fn create_sends_configured_settings_only() {
        let inbound = b2b(
            target_configuration("allowed", &[("AllUsers", "user")]),
            target_configuration("allowed", &[("AllApplications", "application")]),
        );
        let consent = Value::object([("inbound_allowed", Value::bool(true)), ("outbound_allowed", Value::Null)]);
        let config = config(&[("b2b_collaboration_inbound", inbound), ("automatic_user_consent_settings", consent)]);
        let body = serde_json::Value::Object(settings_to_graph(&resource().settings, &config));
        assert_eq!(
            body,
            json!({
                "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": null},
                "b2bCollaborationInbound": {
                    "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                    "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
                }
            })
        );
    }

    #[test]
    fn update_patches_changed_settings_whole_and_removed_ones_as_null() {
        let trust = |mfa: bool| {
            Value::object([
                ("is_mfa_accepted", Value::bool(mfa)),
                ("is_compliant_device_accepted", Value::Null),
                ("is_hybrid_azure_ad_joined_device_accepted", Value::Null),
            ])
        };
        let outbound = b2b(
            target_configuration("allowed", &[("6f546279-4da5-4b53-a095-09ea0cef9971", "group")]),
            target_configuration("allowed", &[("AllApplications", "application")]),
        );
        let prior = config(&[("inbound_trust", trust(true)), ("b2b_collaboration_outbound", outbound.clone())]);
        let planned = config(&[("inbound_trust", trust(false)), ("b2b_collaboration_outbound", Value::Null)]);
        let r = resource();
        let patch = settings_patch(&r.settings, &prior, &planned);
        assert_eq!(
            serde_json::Value::Object(patch),
            json!({
                "inboundTrust": {"isMfaAccepted": false, "isCompliantDeviceAccepted": null, "isHybridAzureADJoinedDeviceAccepted": null},
                "b2bCollaborationOutbound": null
            })
        );
        // Same settings in another order of targets: nothing to send.
        assert!(settings_patch(&r.settings, &prior, &prior).is_empty());
    }

    fn graph_partner() -> PartnerConfiguration {
        serde_json::from_value(json!({
            "tenantId": "07d2f395-f69c-43ab-88a2-b82f1151042d",
            "isServiceProvider": null,
            "isInMultiTenantOrganization": false,
            "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null},
            "b2bCollaborationOutbound": {
                "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "6f546279-4da5-4b53-a095-09ea0cef9971", "targetType": "group"}]},
                "applications": {"accessType": "unknownFutureValue", "targets": [{"target": "AllApplications", "targetType": "application"}]}
            },
            "b2bDirectConnectInbound": {"usersAndGroups": {"accessType": null, "targets": [{"target": null, "targetType": null}]}}
        }))
        .unwrap()
    }

    #[test]
    fn read_keeps_prior_spelling_and_maps_unset_consent_to_null() {
        let r = resource();
        let prior = config(&[(
            "b2b_collaboration_outbound",
            b2b(target_configuration("allowed", &[("6F546279-4DA5-4B53-A095-09EA0CEF9971", "group")]), Value::Null),
        )]);
        let state = r.state_from_graph(&graph_partner(), &prior);
        assert_eq!(state.get_attr("tenant_id"), &Value::string("07D2F395-F69C-43AB-88A2-B82F1151042D"));
        assert_eq!(state.get_attr("id"), state.get_attr("tenant_id"));
        assert_eq!(state.get_attr("automatic_user_consent_settings"), &Value::Null);
        let outbound = state.get_attr("b2b_collaboration_outbound");
        let target = &outbound.get_attr("users_and_groups").get_attr("targets").as_elements().unwrap()[0];
        assert_eq!(target.get_attr("target"), &Value::string("6F546279-4DA5-4B53-A095-09EA0CEF9971"));
        // An access type this provider does not know is kept raw, so the plan shows it instead of Read failing.
        assert_eq!(outbound.get_attr("applications").get_attr("access_type"), &Value::string("unknownFutureValue"));
        assert_eq!(state.get_attr("is_service_provider"), &Value::Null);
        assert_eq!(state.get_attr("is_in_multi_tenant_organization"), &Value::bool(false));
        // Members Graph's metadata declares nullable read as null wherever they are, rather than failing the read.
        let target = &state.get_attr("b2b_direct_connect_inbound").get_attr("users_and_groups").get_attr("targets");
        assert_eq!(target.as_elements().unwrap()[0].get_attr("target"), &Value::Null);
        // The state fits the schema's type.
        let ty = schema().value_type();
        assert!(tfplugin::value::json::encode(&state, &ty).is_ok());
    }

    #[test]
    fn unknowns_become_null_in_partial_state() {
        let planned = Value::object([("id", Value::string("x")), ("is_service_provider", Value::Unknown)]);
        assert_eq!(without_unknowns(planned).get_attr("is_service_provider"), &Value::Null);
    }

    #[test]
    fn the_msa_tenant_cannot_target_specific_users_in_tenant_restrictions() {
        let tr = b2b(
            target_configuration("allowed", &[("6f546279-4da5-4b53-a095-09ea0cef9971", "group")]),
            target_configuration("allowed", &[("AllApplications", "application")]),
        );
        let mut msa = config(&[("tenant_restrictions", tr.clone())]);
        set(&mut msa, "tenant_id", Value::string(MSA_TENANT_ID));
        let diagnostics = msa_tenant_restrictions(&msa);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics.iter().next().unwrap().detail.starts_with("tenant_restrictions.users_and_groups.targets"));
        assert!(msa_tenant_restrictions(&config(&[("tenant_restrictions", tr)])).is_empty());
    }
}
