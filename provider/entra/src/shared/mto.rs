//! What the multi-tenant organization resources share: their diagnostics (Graph's refusals explained), the
//! templates' `template_application_level` and `reset_on_destroy`, and small state helpers.

use entra_graph::GraphError;
use entra_graph::duration::describe_timeout;
use serde_json::Value as Json;
use tfplugin::validators::{each, one_of};
use tfplugin::{Attribute, AttributePath, Diagnostics, Plan, Type, Value};

use super::errors::{Access, TimeoutName, graph_error};

/// The members of Graph's `templateApplicationLevel` flags a configuration may name (`none` is the empty set).
pub const TEMPLATE_APPLICATION_LEVELS: [&str; 2] = ["newPartners", "existingPartners"];

/// A diagnostic for a failed multi-tenant organization call. A 403 there has two causes, both named: the
/// permission, or (for changes to the organization and its tenants) a tenant that is not an owner.
pub fn mto_errors(action: &str, write: bool, timeout: TimeoutName, error: &GraphError) -> Diagnostics {
    let permission = if write { "MultiTenantOrganization.ReadWrite.All" } else { "MultiTenantOrganization.Read.All" };
    let mut diagnostic = graph_error(action, Access::Permissions(permission), timeout, error);
    if error.is_forbidden() {
        // Graph answers a tenant that is not an owner with the same 403.
        diagnostic.detail.push_str(
            "\n\nIf it has that permission, this tenant is not an owner of the multi-tenant organization: only owner \
             tenants can change the organization and add, remove or change its tenants; a member tenant can only \
             join and leave.",
        );
    }
    diagnostic.into()
}

/// The errors of waiting for a tenant's removal (a removal or a leave) that Graph accepted: those of
/// [`mto_errors`], except a wait that outlasted `timeouts.delete`, which says the removal goes on (B.6: minutes to
/// hours). The resource stays in the state; a later destroy meets the removal under way and waits for it.
pub fn removal_wait_errors(action: &str, tenant_id: &str, error: GraphError) -> Diagnostics {
    let GraphError::DeadlineExceeded { timeout, .. } = error else {
        return mto_errors(action, true, TimeoutName::Delete, &error);
    };
    Diagnostics::error(
        format!("Microsoft Entra is still removing tenant {tenant_id} from the multi-tenant organization"),
        format!(
            "{action}: Microsoft Entra accepted the removal and is still processing it; it did not complete within \
             timeouts.delete ({timeout}). The removal goes on in Microsoft Entra and is not undone. The resource \
             stays in the Terraform state until Microsoft Graph no longer lists the tenant: run terraform destroy (or \
             apply) again later, which waits for the removal already under way, or raise timeouts.delete \
             to wait longer. Microsoft documents that removals can take up to two hours.",
            timeout = describe_timeout(timeout),
        ),
    )
}

/// `template_application_level`: a set of [`TEMPLATE_APPLICATION_LEVELS`], empty = `none`, omitted = both.
pub fn template_application_level_attribute() -> Attribute {
    Attribute::set("template_application_level", Type::String)
        .optional()
        .computed()
        .validate(each(one_of(TEMPLATE_APPLICATION_LEVELS)))
        .description(
            "To which partners Microsoft Entra applies the template when a tenant joins: `newPartners` (partner \
             configurations the join creates) and/or `existingPartners` (configurations that already existed). An \
             empty set (`[]`) applies it to none (Graph's `none`). Omitted: both, Microsoft's default.",
        )
}

/// `reset_on_destroy` of a template.
pub fn reset_on_destroy_attribute() -> Attribute {
    Attribute::bool("reset_on_destroy").optional().computed().description(
        "What destroying the resource does: `false` (the default) only removes it from the Terraform state and \
         leaves the template as it is; `true` also resets the template to Microsoft's default (nothing applied, \
         both levels) with `resetToDefaultSettings`. Import sets it to `false`.",
    )
}

/// Plans a template's fixed `id`, both levels for an omitted `template_application_level`, and `false` for an
/// omitted `reset_on_destroy`.
pub fn plan_template_defaults(plan: &mut Plan, id: &str) -> Result<(), Diagnostics> {
    plan.set(&AttributePath::root().attr("id"), Value::string(id))?;
    let both = TEMPLATE_APPLICATION_LEVELS.iter().map(|l| Value::string(*l));
    plan.default_when_unset("template_application_level", Value::set(both))?;
    plan.default_when_unset("reset_on_destroy", Value::bool(false))
}

/// Graph's flags text for a planned level set: members in declaration order, `none` for the empty set.
pub fn level_to_graph(level: &Value) -> Json {
    let chosen: Vec<&str> = level.as_elements().unwrap_or_default().iter().filter_map(Value::as_str).collect();
    let ordered: Vec<&str> = TEMPLATE_APPLICATION_LEVELS.iter().copied().filter(|l| chosen.contains(l)).collect();
    Json::String(if ordered.is_empty() { "none".to_owned() } else { ordered.join(",") })
}

/// The level set for Graph's flags text (`none`, `""` and null read as the empty set; members this provider does not
/// know are kept, so the plan shows them).
pub fn level_from_graph(level: Option<&Json>) -> Value {
    let text = level.and_then(Json::as_str).unwrap_or_default();
    Value::set(
        text.split(',').map(str::trim).filter(|m| !m.is_empty() && *m != "none").map(|m| Value::string(m.to_owned())),
    )
}

/// `reset_on_destroy` as the prior state holds it (`false` after an import).
pub fn prior_reset(prior: &Value) -> Value {
    match prior.get_attr("reset_on_destroy") {
        Value::Bool(reset) => Value::Bool(*reset),
        _ => Value::bool(false),
    }
}

/// A string property of Graph's JSON as a Terraform value (absent or null → null).
pub fn string_of(json: &Json, name: &str) -> Value {
    json.get(name).and_then(Json::as_str).map(|s| Value::string(s.to_owned())).unwrap_or(Value::Null)
}

/// Sets one attribute of an object value.
pub fn set(state: &mut Value, name: &str, value: Value) {
    if let Value::Object(attributes) = state {
        attributes.insert(name.to_owned(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn levels_round_trip_through_graphs_flags() {
        let both = Value::set([Value::string("existingPartners"), Value::string("newPartners")]);
        assert_eq!(level_to_graph(&both), json!("newPartners,existingPartners"));
        assert_eq!(level_to_graph(&Value::set([])), json!("none"));
        assert_eq!(level_from_graph(Some(&json!("newPartners,existingPartners"))), both);
        assert_eq!(level_from_graph(Some(&json!("none"))), Value::set([]));
        assert_eq!(level_from_graph(Some(&json!(""))), Value::set([]));
        assert_eq!(level_from_graph(None), Value::set([]));
        assert_eq!(
            level_from_graph(Some(&json!("newPartners,unknownFutureValue"))),
            Value::set([Value::string("newPartners"), Value::string("unknownFutureValue")])
        );
    }

    #[test]
    fn a_403_names_both_causes() {
        let error = GraphError::Api(Box::new(entra_graph::ApiError {
            method: "POST".into(),
            path: "/tenantRelationships/multiTenantOrganization/tenants".into(),
            status: 403,
            code: Some("Authorization_RequestDenied".into()),
            message: Some("Only owner tenants can add tenants.".into()),
            details: Vec::new(),
            request_id: None,
            client_request_id: None,
            date: None,
        }));
        let diagnostics = mto_errors("adding tenant x", true, TimeoutName::Create, &error);
        let detail = &diagnostics.iter().next().unwrap().detail;
        assert!(detail.contains("MultiTenantOrganization.ReadWrite.All"), "{detail}");
        assert!(detail.contains("not an owner"), "{detail}");
        assert!(!detail.contains("Policy.ReadWrite.CrossTenantAccess"), "{detail}");
    }
}
