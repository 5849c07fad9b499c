//! `entra_cross_tenant_default`: the tenant's default configuration (Graph
//! `crossTenantAccessPolicyConfigurationDefault`), the cross-tenant access settings every external organization
//! without a partner configuration gets. It is a singleton: every tenant has one, so "creating" it adopts it and
//! destroying it never deletes it.
//!
//! - Endpoints: `GET /policies/crossTenantAccessPolicy/default` (read, and the adoption on create and update),
//!   `PATCH /policies/crossTenantAccessPolicy/default` (the settings that differ) and
//!   `POST /policies/crossTenantAccessPolicy/default/resetToSystemDefault` (back to the service default).
//! - Permissions: plan/refresh `Policy.Read.All`; apply `Policy.ReadWrite.CrossTenantAccess`.
//! - Import id: `default`.
//!
//! The resource describes the *whole* default: every setting, part and flag the configuration leaves out is planned
//! as Microsoft's service default value for it (graph-api.md §5.1, kept in [`service_default`]) as a known value, so
//! `terraform plan` shows drift anywhere in the default, and an empty `entra_cross_tenant_default {}` means exactly
//! the service default. Applying reads the current default and changes only the settings that differ, always
//! sending whole settings; when the desired default is the service default in every setting, it calls
//! `resetToSystemDefault` instead, so Graph reports `isServiceDefault` again. Null is never sent for a setting
//! (Graph has no "unset" for the default); for the same reason a setting Graph reports as `null` or omits reads as
//! its service default. The read-only `automaticUserConsentSettings` and `isServiceDefault` are computed attributes
//! and never sent.

use std::collections::BTreeMap;

use entra_graph::models::{DefaultConfiguration, Properties};
use entra_graph::{GraphClient, GraphError, Operation};
use tfplugin::{
    Attribute, AttributePath, Configured, Context, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, Nesting,
    NewState, Plan, ReadOutcome, ReadRequest, Resource, Schema, UpdateRequest, Value, async_trait,
};

use crate::provider_data::ProviderData;
use crate::shared::errors::{Access, graph_errors};
use crate::shared::import;
use crate::shared::mapping::{
    adopt_prior_spelling, equal_ignoring_guid_case, from_graph, graph_name, settings_from_graph, settings_to_graph,
};
use crate::shared::schema::{self as shared_schema, default_settings, service_default};
use crate::shared::{Presence, validation};
use crate::timeouts::{self, Kind};

/// The resource type name.
pub const TYPE_NAME: &str = "entra_cross_tenant_default";

/// The resource's fixed id, which is also its only import id.
pub const SINGLETON_ID: &str = "default";

/// The settings whose two parts (`users_and_groups`, `applications`) must agree (R1, R2).
const PAIRED_SETTINGS: [&str; 5] = [
    "b2b_collaboration_inbound",
    "b2b_collaboration_outbound",
    "b2b_direct_connect_inbound",
    "b2b_direct_connect_outbound",
    "tenant_restrictions",
];

/// `entra_cross_tenant_default`.
pub struct CrossTenantDefault {
    data: Configured<ProviderData>,
    /// The settings' attributes, the one description of how they map to and from Graph.
    settings: Vec<Attribute>,
    /// The read-only consent settings' attribute.
    consent: Attribute,
    /// [`service_default`] as Terraform values, by setting name.
    defaults: BTreeMap<String, Value>,
}

impl std::fmt::Debug for CrossTenantDefault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrossTenantDefault").finish_non_exhaustive()
    }
}

impl CrossTenantDefault {
    /// The resource, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        let settings = default_settings();
        let table = service_default();
        let defaults = settings_from_graph(&settings, &table).map(|(s, value)| (s.name.clone(), value)).collect();
        CrossTenantDefault {
            data,
            settings,
            consent: shared_schema::automatic_user_consent_settings(Presence::Computed),
            defaults,
        }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }

    /// The service default of `setting` (null for a setting the table does not have, which the tests rule out).
    fn default_of(&self, setting: &str) -> &Value {
        self.defaults.get(setting).unwrap_or(&Value::Null)
    }
}

/// The resource's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Manages the tenant's **default configuration** of cross-tenant access settings (portal: External \
         Identities > Cross-tenant access settings > Default settings): what applies to every external \
         organization that has no partner configuration (`entra_cross_tenant_partner`), and what partner \
         configurations inherit.\n\n\
         The resource describes the **whole** default. Every setting — and every part or flag of a setting — that \
         the configuration leaves out is planned as **Microsoft's service default value** for it, shown as a known \
         value in the plan. So `terraform plan` shows drift anywhere in the default configuration, and an empty \
         `resource \"entra_cross_tenant_default\" \"this\" {}` means exactly the service default: B2B \
         collaboration allowed for all users and applications in both directions, B2B direct connect blocked, no \
         inbound trust, tenant restrictions blocking everything, invitation redemption through Microsoft Entra ID, \
         then federation, then social identity providers (fallback: the default configured identity provider), \
         Microsoft 365 collaboration blocked inbound and allowed outbound, App Service connect blocked inbound.\n\n\
         Every tenant has exactly one default configuration, so creating the resource adopts it: the provider reads \
         it and changes only the settings that differ. When the configuration asks for the service default in \
         every setting, the provider calls `resetToSystemDefault` instead, so `is_service_default` becomes `true`. \
         Destroying the resource never deletes anything: with `reset_on_destroy = false` (the default) Terraform \
         only forgets it; with `true` it resets the default configuration to the service default first.\n\n\
         The inbound settings and tenant restrictions of the default configuration cannot target specific users \
         or groups, only `AllUsers`; target them in a partner configuration instead.\n\n\
         **Permissions:** plan and refresh need `Policy.Read.All`; apply needs \
         `Policy.ReadWrite.CrossTenantAccess`.\n\n\
         **Import:** the import id is always `default` (`terraform import entra_cross_tenant_default.this \
         default`).",
    )
    .attribute(
        Attribute::string("id")
            .computed()
            .description("Always `default`: the default configuration is a singleton of the tenant."),
    )
    .attributes(default_settings())
    .attribute(shared_schema::automatic_user_consent_settings(Presence::Computed))
    .attribute(Attribute::bool("is_service_default").computed().description(
        "Whether Microsoft reports the default configuration as the unmodified service default. It becomes \
         `false` when any setting is changed and `true` again after a reset (`reset_on_destroy`, or a \
         configuration equal to the service default in every setting). Read-only.",
    ))
    .attribute(Attribute::bool("reset_on_destroy").optional().computed().description(
        "What destroying the resource does: `false` (the default) only removes it from the Terraform state and \
         leaves the default configuration as it is; `true` also resets it to Microsoft's service default \
         (`resetToSystemDefault`). Import sets it to `false`.",
    ))
    .attribute(timeouts::attribute())
}

#[async_trait]
impl Resource for CrossTenantDefault {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        self.check_filled_settings(config)
    }

    async fn modify_plan(&self, _ctx: &Context, plan: &mut Plan) -> Result<(), Diagnostics> {
        if plan.is_destroy() {
            return Ok(());
        }
        plan.set(&AttributePath::root().attr("id"), Value::string(SINGLETON_ID))?;
        plan.default_when_unset("reset_on_destroy", Value::bool(false))?;
        let mut changes = false;
        for setting in &self.settings {
            let path = AttributePath::root().attr(&setting.name);
            let planned = fill(setting, plan.config.get_attr(&setting.name), self.default_of(&setting.name));
            changes |= &planned != plan.prior_state.get_attr(&setting.name);
            plan.set(&path, planned)?;
        }
        // Graph recomputes `isServiceDefault` after any write; without one it stays as it is.
        if plan.is_update() && changes {
            plan.mark_unknown(&AttributePath::root().attr("is_service_default"))?;
        }
        Ok(())
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Create)?;
        let action = "adopting the default configuration";
        let current = self.converge(&client, &op, &request.planned_state, action, Kind::Create).await?;
        Ok(NewState::new(self.complete(request.planned_state, &current)))
    }

    async fn read(&self, ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        let client = self.client()?;
        let prior = request.current_state;
        let op = timeouts::operation(ctx, &prior, Kind::Read)?;
        let current = client.get_default(&op).await.map_err(|error| {
            graph_errors("reading the default configuration", Access::Read, Kind::Read.error_name(), &error)
        })?;
        // The default configuration always exists, so a read never reports it gone.
        Ok(ReadOutcome::Found(NewState::new(self.state_from_graph(&current, &prior))))
    }

    async fn update(&self, ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics> {
        let settings_changed = self
            .settings
            .iter()
            .any(|s| request.prior_state.get_attr(&s.name) != request.planned_state.get_attr(&s.name));
        // Only `reset_on_destroy` or `timeouts` changed: nothing to tell Graph.
        if !settings_changed {
            return Ok(NewState::new(request.planned_state));
        }
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Update)?;
        let action = "updating the default configuration";
        let current = self.converge(&client, &op, &request.planned_state, action, Kind::Update).await?;
        Ok(NewState::new(self.complete(request.planned_state, &current)))
    }

    async fn delete(&self, ctx: &Context, request: DeleteRequest) -> Result<(), Diagnostics> {
        if request.prior_state.get_attr("reset_on_destroy").as_bool() != Some(true) {
            tracing::info!("reset_on_destroy is false: the default configuration is only removed from the state");
            return Ok(());
        }
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.prior_state, Kind::Delete)?;
        client.reset_default(&op).await.map_err(|error| {
            graph_errors(
                "resetting the default configuration to the service default",
                Access::Write,
                Kind::Delete.error_name(),
                &error,
            )
        })
    }

    async fn import(&self, _ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        import::singleton(TYPE_NAME, "the default configuration", SINGLETON_ID, id)
    }
}

impl CrossTenantDefault {
    /// Makes Graph's default configuration hold the settings of `planned` (fully known at apply) and returns what
    /// Graph reports afterwards.
    ///
    /// Reads the current default and compares setting by setting (sets as sets, GUIDs ignoring case). When the
    /// desired default is the service default in every setting, and the current one is not (or Graph does not
    /// report it as such), it resets instead of patching, so `isServiceDefault` becomes true again; then it checks
    /// the result, and patches whatever the reset left different (the service's idea of its default can lag
    /// behind this provider's table). Otherwise it PATCHes only the settings that differ, each one whole.
    async fn converge(
        &self,
        client: &GraphClient,
        op: &Operation,
        planned: &Value,
        action: &str,
        kind: Kind,
    ) -> Result<DefaultConfiguration, Diagnostics> {
        let fail = |error: GraphError| graph_errors(action, Access::Write, kind.error_name(), &error);
        let mut current = client.get_default(op).await.map_err(fail)?;
        let mut differing = self.differing_settings(planned, &current);
        let wants_service_default =
            self.settings.iter().all(|s| equal_ignoring_guid_case(planned.get_attr(&s.name), self.default_of(&s.name)));
        if wants_service_default && (current.is_service_default != Some(true) || !differing.is_empty()) {
            client.reset_default(op).await.map_err(fail)?;
            current = client.get_default(op).await.map_err(fail)?;
            differing = self.differing_settings(planned, &current);
            if !differing.is_empty() {
                tracing::warn!(
                    settings = ?differing,
                    "resetToSystemDefault left settings other than the service default; patching them"
                );
            }
        }
        if !differing.is_empty() {
            let patch = self.patch(planned, &differing);
            client.update_default(op, &patch).await.map_err(fail)?;
            current = client.get_default(op).await.map_err(fail)?;
        }
        Ok(current)
    }

    /// The settings whose planned value differs from what Graph holds.
    fn differing_settings(&self, planned: &Value, current: &DefaultConfiguration) -> Vec<String> {
        self.settings
            .iter()
            .filter(|s| !equal_ignoring_guid_case(planned.get_attr(&s.name), &self.setting_from_graph(s, current)))
            .map(|s| s.name.clone())
            .collect()
    }

    /// The PATCH body: the `names` settings of `planned`, each whole. Settings are never sent as `null`.
    fn patch(&self, planned: &Value, names: &[String]) -> Properties {
        let chosen: Vec<Attribute> = self.settings.iter().filter(|s| names.contains(&s.name)).cloned().collect();
        settings_to_graph(&chosen, planned)
    }

    /// The planned state with the computed values still unknown (`is_service_default`, the consent settings)
    /// taken from what Graph reports after the apply. Known planned values stay as planned.
    fn complete(&self, mut state: Value, current: &DefaultConfiguration) -> Value {
        if state.get_attr("is_service_default").is_unknown() {
            set(&mut state, "is_service_default", current.is_service_default.into());
        }
        if !state.get_attr(&self.consent.name).is_fully_known() {
            let consent = self.consent_from_graph(current);
            set(&mut state, &self.consent.name.clone(), consent);
        }
        state
    }

    fn consent_from_graph(&self, current: &DefaultConfiguration) -> Value {
        from_graph(&self.consent, current.settings.get(&graph_name(&self.consent.name)))
    }

    /// The Terraform value of one setting of Graph's default configuration.
    ///
    /// A setting Graph reports as `null`, or not at all, is the service default: the default configuration has no
    /// "unset", the sources disagree on whether a fresh tenant reports `tenantRestrictions` as `null` or as the
    /// documented object (graph-api.md §5.1), and national clouds may not know the newer settings yet. Reading
    /// them as the service default keeps an empty resource from writing to such tenants, and a reset from
    /// looking incomplete.
    fn setting_from_graph(&self, setting: &Attribute, current: &DefaultConfiguration) -> Value {
        match from_graph(setting, current.settings.get(&graph_name(&setting.name))) {
            Value::Null => self.default_of(&setting.name).clone(),
            value => value,
        }
    }

    /// The state for what Graph holds: every setting exactly as stored (so drift shows), GUIDs in the prior
    /// state's spelling, and the configuration-only attributes from the prior state. Settings Graph reports as
    /// `null` read as the service default (see [`CrossTenantDefault::setting_from_graph`]).
    fn state_from_graph(&self, current: &DefaultConfiguration, prior: &Value) -> Value {
        let mut attributes: BTreeMap<String, Value> = BTreeMap::new();
        attributes.insert("id".to_owned(), Value::string(SINGLETON_ID));
        for setting in &self.settings {
            let mut value = self.setting_from_graph(setting, current);
            adopt_prior_spelling(&mut value, prior.get_attr(&setting.name));
            attributes.insert(setting.name.clone(), value);
        }
        attributes.insert(self.consent.name.clone(), self.consent_from_graph(current));
        attributes.insert("is_service_default".to_owned(), current.is_service_default.into());
        let reset = prior.get_attr("reset_on_destroy").as_bool().unwrap_or(false);
        attributes.insert("reset_on_destroy".to_owned(), Value::bool(reset));
        attributes.insert(timeouts::ATTRIBUTE.to_owned(), prior.get_attr(timeouts::ATTRIBUTE).clone());
        Value::Object(attributes)
    }

    /// R1/R2 on the settings as they will be planned: a part the configuration leaves out is filled with the
    /// service default, which may not agree with the part it does set (blocking all users inbound while the
    /// omitted applications part stays "allowed" would be refused by Graph at apply). Problems the configured
    /// values have on their own are reported by the attribute validators already, so only new ones are added.
    fn check_filled_settings(&self, config: &Value) -> Diagnostics {
        let consistency = validation::b2b_consistency();
        let mut diagnostics = Diagnostics::new();
        for name in PAIRED_SETTINGS {
            let configured = config.get_attr(name);
            if configured.is_null() || configured.is_unknown() {
                continue;
            }
            let Some(setting) = self.settings.iter().find(|s| s.name == name) else { continue };
            let filled = fill(setting, configured, self.default_of(name));
            if &filled == configured {
                continue;
            }
            let path = AttributePath::root().attr(name);
            let mut own = Diagnostics::new();
            tfplugin::validators::Validator::validate(&consistency, &path, configured, &mut own);
            let mut found = Diagnostics::new();
            tfplugin::validators::Validator::validate(&consistency, &path, &filled, &mut found);
            for diagnostic in found {
                if own.iter().any(|d| d.summary == diagnostic.summary && d.attribute == diagnostic.attribute) {
                    continue;
                }
                diagnostics.push(Diagnostic {
                    detail: format!(
                        "{} Parts of {name} left out of the configuration are planned as Microsoft's service \
                         default, so set both users_and_groups and applications (with access_type and targets) \
                         to make them agree.",
                        diagnostic.detail
                    ),
                    ..diagnostic
                });
            }
        }
        diagnostics
    }
}

/// The planned value of an optional-and-computed attribute: the configured value, with everything it leaves out
/// (at any depth of single nesting) filled from `default`. Sets and lists are taken whole, as configured. Unknown
/// configured values stay unknown.
fn fill(attribute: &Attribute, configured: &Value, default: &Value) -> Value {
    if configured.is_unknown() {
        return Value::Unknown;
    }
    if configured.is_null() {
        return default.clone();
    }
    match attribute.nested_attributes() {
        Some((Nesting::Single, inner)) => Value::object(
            inner.iter().map(|a| (a.name.clone(), fill(a, configured.get_attr(&a.name), default.get_attr(&a.name)))),
        ),
        _ => configured.clone(),
    }
}

fn set(state: &mut Value, name: &str, value: Value) {
    if let Value::Object(attributes) = state {
        attributes.insert(name.to_owned(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value as Json, json};

    /// The settings this resource manages, in the order interface.md lists them.
    const DEFAULT_SETTINGS: [&str; 10] = [
        "inbound_trust",
        "b2b_collaboration_inbound",
        "b2b_collaboration_outbound",
        "b2b_direct_connect_inbound",
        "b2b_direct_connect_outbound",
        "tenant_restrictions",
        "invitation_redemption_identity_provider_configuration",
        "m365_collaboration_inbound",
        "m365_collaboration_outbound",
        "app_service_connect_inbound",
    ];

    fn resource() -> CrossTenantDefault {
        CrossTenantDefault::new(Configured::new())
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

    /// The default configuration of a fresh tenant, as Graph returns it (graph-api.md §5.1).
    fn fresh_default() -> DefaultConfiguration {
        let mut body = service_default();
        body.insert("id".into(), json!("895e3c89-2715-4624-9715-6a86227312eb"));
        body.insert("isServiceDefault".into(), json!(true));
        body.insert("automaticUserConsentSettings".into(), json!({"inboundAllowed": false, "outboundAllowed": false}));
        serde_json::from_value(Json::Object(body)).unwrap()
    }

    fn plan(config: Value, prior: Value) -> Plan {
        let proposed = config.clone();
        Plan {
            config,
            prior_state: prior,
            planned_state: proposed.clone(),
            proposed_new_state: proposed,
            prior_private: Vec::new(),
            planned_private: Vec::new(),
            requires_replace: Vec::new(),
        }
    }

    #[test]
    fn the_schema_is_sound_and_every_setting_is_optional_and_computed() {
        let schema = schema();
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
        for name in DEFAULT_SETTINGS {
            let attribute = schema.get(name).unwrap_or_else(|| panic!("{name} is missing"));
            assert!(attribute.optional && attribute.computed, "{name}");
        }
        let consent = schema.get("automatic_user_consent_settings").unwrap();
        assert!(consent.computed && !consent.optional, "read-only in Graph");
        assert!(schema.get("is_service_default").unwrap().computed);
        assert!(schema.get(timeouts::ATTRIBUTE).is_some());
        assert_eq!(resource().settings.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), DEFAULT_SETTINGS);
    }

    #[test]
    fn the_service_default_table_covers_every_setting_and_fits_graphs_models() {
        let table = service_default();
        let r = resource();
        for setting in &r.settings {
            let graph = table.get(&graph_name(&setting.name));
            assert!(graph.is_some_and(|g| !g.is_null()), "{} has a service default", setting.name);
            let value = r.default_of(&setting.name);
            assert!(value.is_fully_known() && !value.is_null(), "{}", setting.name);
            // It fits the Terraform type of the attribute...
            let state = tfplugin::value::json::encode(value, &setting.value_type()).unwrap();
            let decoded = tfplugin::value::json::decode(&state, &setting.value_type()).unwrap();
            assert_eq!(&decoded, value, "{}", setting.name);
        }
        // ...and goes back to Graph's JSON exactly, with the documented values.
        let every: Vec<String> = DEFAULT_SETTINGS.iter().map(|s| (*s).to_owned()).collect();
        let planned = Value::object(r.defaults.clone());
        assert_eq!(r.patch(&planned, &every), table);
        assert_eq!(
            r.default_of("b2b_direct_connect_inbound").get_attr("applications").get_attr("access_type"),
            &Value::string("blocked")
        );
        assert_eq!(r.default_of("tenant_restrictions").get_attr("devices"), &Value::Null);
    }

    #[test]
    fn omitted_settings_parts_and_flags_are_planned_as_the_service_default() {
        let r = resource();
        let config = Value::object([
            // A whole setting with one flag set.
            (
                "inbound_trust",
                Value::object([
                    ("is_mfa_accepted", Value::bool(true)),
                    ("is_compliant_device_accepted", Value::Null),
                    ("is_hybrid_azure_ad_joined_device_accepted", Value::Null),
                ]),
            ),
            // One part of a B2B setting, and a part without its targets.
            (
                "b2b_collaboration_outbound",
                Value::object([
                    (
                        "users_and_groups",
                        target_configuration("allowed", &[("6F546279-4DA5-4B53-A095-09EA0CEF9971", "group")]),
                    ),
                    (
                        "applications",
                        Value::object([("access_type", Value::string("allowed")), ("targets", Value::Null)]),
                    ),
                ]),
            ),
            ("b2b_direct_connect_inbound", Value::Unknown),
            ("reset_on_destroy", Value::Null),
        ]);
        let mut p = plan(config, Value::Null);
        block_on(r.modify_plan(&tfplugin::Context::background(), &mut p)).unwrap();
        let planned = &p.planned_state;
        assert_eq!(planned.get_attr("id"), &Value::string("default"));
        assert_eq!(planned.get_attr("reset_on_destroy"), &Value::bool(false));
        let trust = planned.get_attr("inbound_trust");
        assert_eq!(trust.get_attr("is_mfa_accepted"), &Value::bool(true));
        assert_eq!(trust.get_attr("is_compliant_device_accepted"), &Value::bool(false));
        let outbound = planned.get_attr("b2b_collaboration_outbound");
        assert_eq!(
            outbound.get_attr("users_and_groups"),
            &target_configuration("allowed", &[("6F546279-4DA5-4B53-A095-09EA0CEF9971", "group")]),
            "configured values are planned as written"
        );
        assert_eq!(
            outbound.get_attr("applications"),
            &target_configuration("allowed", &[("AllApplications", "application")])
        );
        assert_eq!(planned.get_attr("b2b_direct_connect_inbound"), &Value::Unknown, "unknown stays unknown");
        for name in ["tenant_restrictions", "invitation_redemption_identity_provider_configuration"] {
            assert_eq!(planned.get_attr(name), r.default_of(name), "{name}");
        }
    }

    #[test]
    fn is_service_default_is_unknown_only_when_settings_change() {
        let r = resource();
        let mut prior = r.state_from_graph(&fresh_default(), &Value::Null);
        set(&mut prior, "reset_on_destroy", Value::bool(false));
        // An empty configuration on a service default: nothing changes.
        let mut config = Value::object([("reset_on_destroy", Value::Null)]);
        let mut p = plan(config.clone(), prior.clone());
        set(&mut p.planned_state, "is_service_default", Value::bool(true));
        block_on(r.modify_plan(&tfplugin::Context::background(), &mut p)).unwrap();
        assert_eq!(p.planned_state.get_attr("is_service_default"), &Value::bool(true));
        // A changed setting: Graph will recompute it.
        set(
            &mut config,
            "b2b_collaboration_inbound",
            Value::object([
                ("users_and_groups", target_configuration("blocked", &[("AllUsers", "user")])),
                ("applications", target_configuration("blocked", &[("AllApplications", "application")])),
            ]),
        );
        let mut p = plan(config, prior);
        set(&mut p.planned_state, "is_service_default", Value::bool(true));
        block_on(r.modify_plan(&tfplugin::Context::background(), &mut p)).unwrap();
        assert_eq!(p.planned_state.get_attr("is_service_default"), &Value::Unknown);
    }

    #[test]
    fn read_maps_every_setting_and_keeps_prior_spelling() {
        let r = resource();
        let mut current = fresh_default();
        current.is_service_default = Some(false);
        current.settings["inboundTrust"]["isMfaAccepted"] = json!(true);
        current.settings.insert(
            "b2bCollaborationOutbound".into(),
            json!({
                "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "6f546279-4da5-4b53-a095-09ea0cef9971", "targetType": "group"}]},
                "applications": {"accessType": "unknownFutureValue", "targets": [{"target": "AllApplications", "targetType": "application"}]}
            }),
        );
        current
            .settings
            .insert("automaticUserConsentSettings".into(), json!({"inboundAllowed": false, "outboundAllowed": false}));
        let prior = Value::object([
            (
                "b2b_collaboration_outbound",
                Value::object([(
                    "users_and_groups",
                    target_configuration("allowed", &[("6F546279-4DA5-4B53-A095-09EA0CEF9971", "group")]),
                )]),
            ),
            ("reset_on_destroy", Value::bool(true)),
        ]);
        let state = r.state_from_graph(&current, &prior);
        assert_eq!(state.get_attr("id"), &Value::string("default"));
        assert_eq!(state.get_attr("is_service_default"), &Value::bool(false));
        assert_eq!(state.get_attr("reset_on_destroy"), &Value::bool(true));
        assert_eq!(state.get_attr("inbound_trust").get_attr("is_mfa_accepted"), &Value::bool(true));
        let outbound = state.get_attr("b2b_collaboration_outbound");
        let target = &outbound.get_attr("users_and_groups").get_attr("targets").as_elements().unwrap()[0];
        assert_eq!(target.get_attr("target"), &Value::string("6F546279-4DA5-4B53-A095-09EA0CEF9971"));
        assert_eq!(outbound.get_attr("applications").get_attr("access_type"), &Value::string("unknownFutureValue"));
        assert_eq!(
            state.get_attr("automatic_user_consent_settings"),
            &Value::object([("inbound_allowed", Value::bool(false)), ("outbound_allowed", Value::bool(false))])
        );
        for name in ["tenant_restrictions", "invitation_redemption_identity_provider_configuration"] {
            assert_eq!(state.get_attr(name), r.default_of(name), "{name}");
        }
        assert!(tfplugin::value::json::encode(&state, &schema().value_type()).is_ok());
        // Imported (no prior state): reset_on_destroy reads as false.
        assert_eq!(r.state_from_graph(&current, &Value::Null).get_attr("reset_on_destroy"), &Value::bool(false));
    }

    #[test]
    fn settings_graph_reports_as_null_or_absent_read_as_the_service_default() {
        let r = resource();
        let mut current = fresh_default();
        current.settings.insert("tenantRestrictions".into(), Json::Null);
        current.settings.remove("m365CollaborationInbound");
        let state = r.state_from_graph(&current, &Value::Null);
        assert_eq!(state.get_attr("tenant_restrictions"), r.default_of("tenant_restrictions"));
        assert_eq!(state.get_attr("m365_collaboration_inbound"), r.default_of("m365_collaboration_inbound"));
        assert!(r.differing_settings(&Value::object(r.defaults.clone()), &current).is_empty());
    }

    #[test]
    fn only_differing_settings_are_patched_whole() {
        let r = resource();
        let mut planned = Value::object(r.defaults.clone());
        set(
            &mut planned,
            "inbound_trust",
            Value::object([
                ("is_mfa_accepted", Value::bool(true)),
                ("is_compliant_device_accepted", Value::bool(false)),
                ("is_hybrid_azure_ad_joined_device_accepted", Value::bool(false)),
            ]),
        );
        let differing = r.differing_settings(&planned, &fresh_default());
        assert_eq!(differing, ["inbound_trust"]);
        let patch = Json::Object(r.patch(&planned, &differing));
        assert_eq!(
            patch,
            json!({"inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false}})
        );
        // The service default compares equal to a fresh tenant's default; target order and GUID case do not count.
        assert!(r.differing_settings(&Value::object(r.defaults.clone()), &fresh_default()).is_empty());
    }

    #[test]
    fn filled_parts_must_agree_with_configured_ones() {
        let r = resource();
        // Blocking all users inbound, leaving applications to the service default ("allowed"): R1 fails on the
        // applications part, with a hint that it was filled in.
        let config = Value::object([(
            "b2b_collaboration_inbound",
            Value::object([
                ("users_and_groups", target_configuration("blocked", &[("AllUsers", "user")])),
                ("applications", Value::Null),
            ]),
        )]);
        let diagnostics = r.check_filled_settings(&config);
        assert_eq!(diagnostics.len(), 1, "{diagnostics}");
        let d = diagnostics.iter().next().unwrap();
        assert_eq!(d.attribute, Some(AttributePath::root().attr("b2b_collaboration_inbound").attr("applications")));
        assert!(d.detail.contains("service default"), "{}", d.detail);
        // Both parts configured: the attribute validator reports it already, not again.
        let config = Value::object([(
            "b2b_collaboration_inbound",
            Value::object([
                ("users_and_groups", target_configuration("blocked", &[("AllUsers", "user")])),
                ("applications", target_configuration("allowed", &[("AllApplications", "application")])),
            ]),
        )]);
        assert!(r.check_filled_settings(&config).is_empty());
        // A consistent partial setting passes.
        let config = Value::object([(
            "b2b_direct_connect_outbound",
            Value::object([
                ("users_and_groups", target_configuration("blocked", &[("AllUsers", "user")])),
                ("applications", Value::Null),
            ]),
        )]);
        assert!(r.check_filled_settings(&config).is_empty());
    }

    /// Runs a future that never waits (the plan hook does no I/O).
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
    }
}
