//! `entra_cross_tenant_access_policy`: the tenant-wide cross-tenant access policy (Graph `crossTenantAccessPolicy`),
//! a singleton that every tenant has, so "creating" it adopts it and destroying it never deletes it.
//!
//! - Endpoints: `GET /policies/crossTenantAccessPolicy` (read, and the adoption on create) and
//!   `PATCH /policies/crossTenantAccessPolicy` (`allowedCloudEndpoints`; also `[]` on destroy with
//!   `reset_on_destroy = true`).
//! - Permissions: plan/refresh `Policy.Read.All`; apply `Policy.ReadWrite.CrossTenantAccess`.
//! - Import id: `policy`.
//!
//! Only `allowedCloudEndpoints` is managed. Graph's own `id` is a GUID that differs per tenant and says nothing
//! useful (Q12), so the resource's `id` is the fixed `"policy"`. `displayName` is shown as computed: Microsoft names
//! the policy after the tenant, and peers treat the name as read-only.

use entra_graph::models::{CrossTenantAccessPolicy, PolicyPatch};
use entra_graph::{GraphClient, GraphError};
use tfplugin::validators::{each, one_of};
use tfplugin::{
    Attribute, AttributePath, Configured, Context, CreateRequest, DeleteRequest, Diagnostics, NewState, Plan,
    ReadOutcome, ReadRequest, Resource, Schema, Type, UpdateRequest, Value, async_trait,
};

use crate::provider_data::ProviderData;
use crate::shared::errors::{Access, graph_errors};
use crate::shared::import;
use crate::timeouts::{self, Kind};

/// The resource type name.
pub const TYPE_NAME: &str = "entra_cross_tenant_access_policy";

/// The resource's fixed id, which is also its only import id.
pub const SINGLETON_ID: &str = "policy";

/// The cloud endpoints Graph documents for `allowedCloudEndpoints` (R8).
pub const CLOUD_ENDPOINTS: [&str; 3] = ["microsoftonline.com", "microsoftonline.us", "partner.microsoftonline.cn"];

/// `entra_cross_tenant_access_policy`.
pub struct CrossTenantAccessPolicyResource {
    data: Configured<ProviderData>,
}

impl std::fmt::Debug for CrossTenantAccessPolicyResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrossTenantAccessPolicyResource").finish_non_exhaustive()
    }
}

impl CrossTenantAccessPolicyResource {
    /// The resource, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        CrossTenantAccessPolicyResource { data }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }
}

/// The resource's schema.
pub fn schema() -> Schema {
    let endpoints = CLOUD_ENDPOINTS.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ");
    Schema::new(
        "Manages the tenant-wide **cross-tenant access policy** (portal: External Identities > Cross-tenant access \
         settings > Microsoft cloud settings): which other Microsoft clouds B2B collaboration may reach.\n\n\
         Every tenant has exactly one such policy, so creating the resource adopts it and destroying it never \
         deletes it: with `reset_on_destroy = false` (the default) Terraform only forgets it; with `true` it clears \
         `allowed_cloud_endpoints` first.\n\n\
         **Permissions:** plan and refresh need `Policy.Read.All`; apply needs \
         `Policy.ReadWrite.CrossTenantAccess`.\n\n\
         **Import:** the import id is always `policy` (`terraform import entra_cross_tenant_access_policy.this \
         policy`).",
    )
    .attribute(
        Attribute::string("id").computed().description("Always `policy`: the policy is a singleton of the tenant."),
    )
    .attribute(
        Attribute::set("allowed_cloud_endpoints", Type::String)
            .optional()
            .computed()
            .validate(each(one_of(CLOUD_ENDPOINTS)))
            .description(format!(
                "The other Microsoft clouds users may collaborate with (portal: Microsoft cloud settings), as a set \
                 of {endpoints} (`microsoftonline.us`: Microsoft Azure Government; `partner.microsoftonline.cn`: \
                 Microsoft Azure operated by 21Vianet). Omitted: `[]`, no other cloud — the service default, so \
                 leaving it out plans the removal of any cloud enabled outside Terraform.\n\n\
                 Enabling a cloud does not open collaboration by itself: B2B collaboration with a tenant of that \
                 cloud stays blocked until the tenant is added as a partner (`entra_cross_tenant_partner`)."
            )),
    )
    .attribute(Attribute::string("display_name").computed().description(
        "The policy's name, which Microsoft sets to `CrossTenantAccessPolicy for <tenant id>`. Read-only.",
    ))
    .attribute(Attribute::bool("reset_on_destroy").optional().computed().description(
        "What destroying the resource does: `false` (the default) only removes it from the Terraform state and \
         leaves the policy as it is; `true` also sets `allowed_cloud_endpoints` back to `[]`, the service default. \
         Import sets it to `false`.",
    ))
    .attribute(timeouts::attribute())
}

#[async_trait]
impl Resource for CrossTenantAccessPolicyResource {
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
        plan_defaults(plan)
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Create)?;
        let fail = |error: GraphError| {
            graph_errors("adopting the cross-tenant access policy", Access::Write, Kind::Create.error_name(), &error)
        };
        // There is nothing to create: read what the tenant has and change only what differs.
        let current = client.get_policy(&op).await.map_err(fail)?;
        let desired = endpoints(&request.planned_state);
        if !same_endpoints(&current.allowed_cloud_endpoints, &desired) {
            let patch = PolicyPatch { allowed_cloud_endpoints: Some(desired), ..PolicyPatch::default() };
            client.update_policy(&op, &patch).await.map_err(fail)?;
        }
        let mut state = request.planned_state;
        set(&mut state, "display_name", current.display_name.into());
        Ok(NewState::new(state))
    }

    async fn read(&self, ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        let client = self.client()?;
        let prior = request.current_state;
        let op = timeouts::operation(ctx, &prior, Kind::Read)?;
        let policy = client.get_policy(&op).await.map_err(|error| {
            graph_errors("reading the cross-tenant access policy", Access::Read, Kind::Read.error_name(), &error)
        })?;
        // The policy always exists, so a read never reports it gone.
        Ok(ReadOutcome::Found(NewState::new(state_from_graph(&policy, &prior))))
    }

    async fn update(&self, ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Update)?;
        let desired = endpoints(&request.planned_state);
        // Only `reset_on_destroy` or `timeouts` changed: nothing to tell Graph.
        if request.prior_state.get_attr("allowed_cloud_endpoints")
            != request.planned_state.get_attr("allowed_cloud_endpoints")
        {
            let patch = PolicyPatch { allowed_cloud_endpoints: Some(desired), ..PolicyPatch::default() };
            client.update_policy(&op, &patch).await.map_err(|error| {
                graph_errors(
                    "updating the cross-tenant access policy",
                    Access::Write,
                    Kind::Update.error_name(),
                    &error,
                )
            })?;
        }
        Ok(NewState::new(request.planned_state))
    }

    async fn delete(&self, ctx: &Context, request: DeleteRequest) -> Result<(), Diagnostics> {
        if request.prior_state.get_attr("reset_on_destroy").as_bool() != Some(true) {
            tracing::info!("reset_on_destroy is false: the cross-tenant access policy is only removed from the state");
            return Ok(());
        }
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.prior_state, Kind::Delete)?;
        // NOTE(graph): the collection is non-nullable; `[]` is how it is cleared (graph-api.md E2).
        let patch = PolicyPatch { allowed_cloud_endpoints: Some(Vec::new()), ..PolicyPatch::default() };
        client.update_policy(&op, &patch).await.map_err(|error| {
            graph_errors(
                "resetting the cross-tenant access policy's allowed cloud endpoints",
                Access::Write,
                Kind::Delete.error_name(),
                &error,
            )
        })
    }

    async fn import(&self, _ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        import::singleton(TYPE_NAME, "the cross-tenant access policy", SINGLETON_ID, id)
    }
}

/// Plans the values the configuration leaves to the provider: the fixed `id`, `[]` for omitted
/// `allowed_cloud_endpoints` (so removing the attribute plans the removal of every cloud), and `false` for an
/// omitted `reset_on_destroy`. `display_name` keeps Terraform's default plan: unknown on create, prior on update.
fn plan_defaults(plan: &mut Plan) -> Result<(), Diagnostics> {
    plan.set(&AttributePath::root().attr("id"), Value::string(SINGLETON_ID))?;
    plan.default_when_unset("allowed_cloud_endpoints", Value::set([]))?;
    plan.default_when_unset("reset_on_destroy", Value::bool(false))
}

/// The planned (fully known) endpoints, in a stable order.
fn endpoints(state: &Value) -> Vec<String> {
    let mut endpoints: Vec<String> = state
        .get_attr("allowed_cloud_endpoints")
        .as_elements()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.as_str().map(str::to_owned))
        .collect();
    endpoints.sort();
    endpoints
}

/// True when two endpoint collections hold the same endpoints (Graph treats the collection as a set).
fn same_endpoints(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

/// The state for what Graph holds: the endpoints exactly as stored (values this provider does not know stay as they
/// are, so the plan shows them), the display name, and the configuration-only attributes from the prior state.
fn state_from_graph(policy: &CrossTenantAccessPolicy, prior: &Value) -> Value {
    let reset = match prior.get_attr("reset_on_destroy") {
        Value::Bool(reset) => Value::Bool(*reset),
        _ => Value::bool(false),
    };
    Value::object([
        ("id", Value::string(SINGLETON_ID)),
        ("allowed_cloud_endpoints", Value::set(policy.allowed_cloud_endpoints.iter().map(Value::string))),
        ("display_name", policy.display_name.clone().into()),
        ("reset_on_destroy", reset),
        (timeouts::ATTRIBUTE, prior.get_attr(timeouts::ATTRIBUTE).clone()),
    ])
}

fn set(state: &mut Value, name: &str, value: Value) {
    if let Value::Object(attributes) = state {
        attributes.insert(name.to_owned(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(config: Value, prior: Value) -> Plan {
        // Terraform's proposal: configured values, and prior values for computed attributes left unset.
        let mut proposed = config.clone();
        if let (Value::Object(p), Value::Object(before)) = (&mut proposed, &prior) {
            for name in ["id", "allowed_cloud_endpoints", "display_name", "reset_on_destroy"] {
                if p.get(name).is_none_or(Value::is_null) {
                    p.insert(name.to_owned(), before.get(name).cloned().unwrap_or(Value::Null));
                }
            }
        }
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

    fn state(endpoints: &[&str], reset: bool) -> Value {
        Value::object([
            ("id", Value::string(SINGLETON_ID)),
            ("allowed_cloud_endpoints", Value::set(endpoints.iter().map(|e| Value::string(*e)))),
            ("display_name", Value::string("CrossTenantAccessPolicy for 4b8c18bd-2f9f-4227-af55-9f1061cf9c32")),
            ("reset_on_destroy", Value::bool(reset)),
        ])
    }

    #[test]
    fn the_schema_is_sound() {
        let schema = schema();
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
        let endpoints = schema.get("allowed_cloud_endpoints").unwrap();
        assert!(endpoints.optional && endpoints.computed);
        assert!(schema.get("display_name").unwrap().computed && !schema.get("display_name").unwrap().optional);
        assert!(schema.get(timeouts::ATTRIBUTE).is_some());
    }

    #[test]
    fn omitted_values_are_planned_as_service_defaults() {
        let mut p = plan(Value::object([("reset_on_destroy", Value::Null)]), state(&["microsoftonline.us"], true));
        plan_defaults(&mut p).unwrap();
        assert_eq!(p.planned_state.get_attr("allowed_cloud_endpoints"), &Value::set([]));
        assert_eq!(p.planned_state.get_attr("reset_on_destroy"), &Value::bool(false));
        assert_eq!(p.planned_state.get_attr("id"), &Value::string("policy"));
        // The display name stays as Terraform proposed it (the prior value).
        assert_eq!(p.planned_state.get_attr("display_name"), state(&[], false).get_attr("display_name"));

        let configured = Value::object([
            ("allowed_cloud_endpoints", Value::set([Value::string("microsoftonline.com")])),
            ("reset_on_destroy", Value::bool(true)),
        ]);
        let mut p = plan(configured, Value::Null);
        plan_defaults(&mut p).unwrap();
        assert_eq!(
            p.planned_state.get_attr("allowed_cloud_endpoints"),
            &Value::set([Value::string("microsoftonline.com")])
        );
        assert_eq!(p.planned_state.get_attr("reset_on_destroy"), &Value::bool(true));

        // A value not known yet stays unknown (it is validated at apply).
        let mut p = plan(Value::object([("allowed_cloud_endpoints", Value::Unknown)]), Value::Null);
        plan_defaults(&mut p).unwrap();
        assert_eq!(p.planned_state.get_attr("allowed_cloud_endpoints"), &Value::Unknown);
    }

    #[test]
    fn read_maps_graph_and_keeps_configuration_only_values() {
        let policy = CrossTenantAccessPolicy {
            id: Some("895e3c89-2715-4624-9715-6a86227312eb".into()),
            display_name: Some("CrossTenantAccessPolicy for t".into()),
            // An endpoint this provider does not know is kept, so the plan shows it rather than Read failing.
            allowed_cloud_endpoints: vec!["microsoftonline.us".into(), "microsoftonline.example".into()],
        };
        let prior = Value::object([
            ("reset_on_destroy", Value::bool(true)),
            (timeouts::ATTRIBUTE, Value::object([("read", Value::string("1m"))])),
        ]);
        let state = state_from_graph(&policy, &prior);
        assert_eq!(state.get_attr("id"), &Value::string("policy"));
        assert_eq!(
            state.get_attr("allowed_cloud_endpoints"),
            &Value::set([Value::string("microsoftonline.example"), Value::string("microsoftonline.us")])
        );
        assert_eq!(state.get_attr("display_name"), &Value::string("CrossTenantAccessPolicy for t"));
        assert_eq!(state.get_attr("reset_on_destroy"), &Value::bool(true));
        assert_eq!(state.get_attr(timeouts::ATTRIBUTE).get_attr("read"), &Value::string("1m"));
        // After an import the prior state has no reset_on_destroy: it reads as false.
        assert_eq!(state_from_graph(&policy, &Value::Null).get_attr("reset_on_destroy"), &Value::bool(false));
        assert!(tfplugin::value::json::encode(&state, &schema().value_type()).is_ok());
    }

    #[test]
    fn endpoints_compare_as_sets() {
        let v = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(same_endpoints(&v(&["a", "b"]), &v(&["b", "a"])));
        assert!(!same_endpoints(&v(&["a"]), &v(&["a", "b"])));
        assert!(same_endpoints(&[], &[]));
        assert_eq!(
            endpoints(&state(&["microsoftonline.us", "microsoftonline.com"], false)),
            v(&["microsoftonline.com", "microsoftonline.us"])
        );
    }
}
