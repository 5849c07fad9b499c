//! The lifecycle both multi-tenant organization templates share (graph-sync-and-mto.md B.9): per-tenant singletons
//! that always exist, so create adopts and PATCHes, read maps every setting, destroy forgets or (with
//! `reset_on_destroy`) calls `resetToDefaultSettings`. The two resources differ only in their settings, which their
//! schema describes; mapping to and from Graph goes through that schema ([`super::mapping`]).
//!
//! The resource describes the whole template: a setting left out is `null` in the plan and is sent as `null`
//! ("not applied"), so a value set outside Terraform shows as drift.

use entra_graph::GraphClient;
use entra_graph::multi_tenant_organization::MtoTemplate;
use serde_json::{Map, Value as Json};
use tfplugin::{
    Attribute, Configured, Context, CreateRequest, DeleteRequest, Diagnostics, NewState, Plan, ReadOutcome,
    ReadRequest, Resource, Schema, UpdateRequest, Value, async_trait,
};

use super::errors::{Access, graph_errors};
use super::import;
use super::mapping::{adopt_prior_spelling, graph_name, null_if_unset_flags, settings_from_graph, to_graph};
use super::mto::{level_from_graph, level_to_graph, plan_template_defaults, prior_reset};
use crate::provider_data::ProviderData;
use crate::timeouts::{self, Kind};

/// Settings whose unset value Graph writes as an object of null flags.
const FLAG_OBJECTS: [&str; 2] = ["automatic_user_consent_settings", "user_sync_inbound"];

/// One of the two template resources.
pub struct TemplateResource {
    data: Configured<ProviderData>,
    template: MtoTemplate,
    type_name: &'static str,
    import_id: &'static str,
    schema: fn() -> Schema,
    /// The template's settings, the one description of how they map to and from Graph.
    settings: Vec<Attribute>,
}

impl std::fmt::Debug for TemplateResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateResource").field("type_name", &self.type_name).finish_non_exhaustive()
    }
}

impl TemplateResource {
    /// A template resource of `type_name` for `template`, whose import id (and `id`) is `import_id`, with the
    /// settings `settings` (which `schema` also lists).
    pub fn new(
        data: Configured<ProviderData>,
        template: MtoTemplate,
        type_name: &'static str,
        import_id: &'static str,
        schema: fn() -> Schema,
        settings: Vec<Attribute>,
    ) -> Self {
        TemplateResource { data, template, type_name, import_id, schema, settings }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }

    /// The whole template as Graph properties: every setting (null = not applied) and the level.
    fn body(&self, planned: &Value) -> Json {
        let mut body = Map::new();
        for setting in &self.settings {
            body.insert(graph_name(&setting.name), to_graph(setting, planned.get_attr(&setting.name)));
        }
        body.insert(
            "templateApplicationLevel".to_owned(),
            level_to_graph(planned.get_attr("template_application_level")),
        );
        Json::Object(body)
    }

    /// The state for the template as Graph holds it; `reset_on_destroy` and `timeouts` from `prior`.
    pub fn state_from_graph(&self, template: &Json, prior: &Value) -> Value {
        let properties = template.as_object().cloned().unwrap_or_default();
        let mut attributes = std::collections::BTreeMap::new();
        for (setting, mut value) in settings_from_graph(&self.settings, &properties) {
            let before = prior.get_attr(&setting.name);
            if FLAG_OBJECTS.contains(&setting.name.as_str()) {
                value = null_if_unset_flags(value, before);
            }
            adopt_prior_spelling(&mut value, before);
            attributes.insert(setting.name.clone(), value);
        }
        attributes.insert("id".to_owned(), Value::string(self.import_id));
        attributes.insert(
            "template_application_level".to_owned(),
            level_from_graph(template.get("templateApplicationLevel")),
        );
        attributes.insert("reset_on_destroy".to_owned(), prior_reset(prior));
        attributes.insert(timeouts::ATTRIBUTE.to_owned(), prior.get_attr(timeouts::ATTRIBUTE).clone());
        Value::Object(attributes)
    }

    async fn write(&self, ctx: &Context, config: &Value, planned: Value, kind: Kind) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, config, kind)?;
        let action =
            format!("{} {}", if kind == Kind::Create { "adopting" } else { "updating" }, self.template.description());
        client
            .update_mto_template(&op, self.template, self.body(&planned))
            .await
            .map_err(|error| graph_errors(&action, Access::Write, kind.error_name(), &error))?;
        Ok(NewState::new(planned))
    }
}

#[async_trait]
impl Resource for TemplateResource {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn schema(&self) -> Schema {
        (self.schema)()
    }

    async fn modify_plan(&self, _ctx: &Context, plan: &mut Plan) -> Result<(), Diagnostics> {
        if plan.is_destroy() {
            return Ok(());
        }
        plan_template_defaults(plan, self.import_id)
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        // The template always exists: creating it adopts it and makes it what the configuration describes.
        self.write(ctx, &request.config, request.planned_state, Kind::Create).await
    }

    async fn read(&self, ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        let client = self.client()?;
        let prior = request.current_state;
        let op = timeouts::operation(ctx, &prior, Kind::Read)?;
        let template = client.mto_template(&op, self.template).await.map_err(|error| {
            graph_errors(
                &format!("reading {}", self.template.description()),
                Access::Read,
                Kind::Read.error_name(),
                &error,
            )
        })?;
        Ok(ReadOutcome::Found(NewState::new(self.state_from_graph(&template, &prior))))
    }

    async fn update(&self, ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics> {
        self.write(ctx, &request.config, request.planned_state, Kind::Update).await
    }

    async fn delete(&self, ctx: &Context, request: DeleteRequest) -> Result<(), Diagnostics> {
        if request.prior_state.get_attr("reset_on_destroy").as_bool() != Some(true) {
            tracing::info!(template = self.type_name, "reset_on_destroy is false: the template is only forgotten");
            return Ok(());
        }
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.prior_state, Kind::Delete)?;
        client.reset_mto_template(&op, self.template).await.map_err(|error| {
            graph_errors(
                &format!("resetting {}", self.template.description()),
                Access::Write,
                Kind::Delete.error_name(),
                &error,
            )
        })
    }

    async fn import(&self, _ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        import::singleton(self.type_name, self.template.description(), self.import_id, id)
    }
}

/// The attributes both templates have besides their settings.
pub fn common_attributes(import_id: &str) -> Vec<Attribute> {
    vec![
        Attribute::string("id").computed().description(format!("Always `{import_id}`: the template is a singleton.")),
        super::mto::template_application_level_attribute(),
        super::mto::reset_on_destroy_attribute(),
        timeouts::attribute(),
    ]
}
