//! The `tenant_id` / `id` pair of resources keyed by a partner tenant (partner configurations and their identity
//! synchronization policies).
//!
//! Tenant ids are GUIDs and compare case-insensitively: the state keeps the spelling the user wrote (or the import
//! id), replacement is forced only when the id really changes, and `id` is always the same text as `tenant_id`.

use tfplugin::validators::guid;
use tfplugin::{Attribute, AttributePath, Diagnostics, Plan, Value};

/// The `tenant_id` argument: required, a GUID, replaced when it changes ignoring case (see [`plan_tenant_id`]).
pub fn tenant_id_attribute(description: &str) -> Attribute {
    Attribute::string("tenant_id").required().validate(guid()).description(format!(
        "{description} A GUID; it compares case-insensitively, and the state keeps the spelling written here. \
         Changing it to another tenant replaces the resource."
    ))
}

/// The computed `id`: the same text as `tenant_id`.
pub fn id_attribute() -> Attribute {
    Attribute::string("id").computed().description("The partner's tenant id, spelled as in `tenant_id`.")
}

/// True when two tenant ids name the same tenant.
pub fn same_tenant(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Plans `id` as `tenant_id`, and forces replacement when an existing object's tenant id changes other than in
/// case (or is not known yet). The schema's `requires_replace` flag cannot do this: it compares exactly.
pub fn plan_tenant_id(plan: &mut Plan) -> Result<(), Diagnostics> {
    if plan.is_destroy() {
        return Ok(());
    }
    let tenant_path = AttributePath::root().attr("tenant_id");
    let tenant = plan.get(&tenant_path).clone();
    plan.set(&AttributePath::root().attr("id"), tenant.clone())?;
    if plan.is_update() {
        let same = match (plan.prior_state.get_attr("tenant_id").as_str(), tenant.as_str()) {
            (Some(before), Some(after)) => same_tenant(before, after),
            _ => false,
        };
        if !same {
            plan.require_replace(tenant_path);
        }
    }
    Ok(())
}

/// The tenant id stored in a state.
pub fn from_state(state: &Value) -> Result<String, Diagnostics> {
    state.get_attr("tenant_id").as_str().map(str::to_owned).ok_or_else(|| {
        Diagnostics::attribute_error(
            AttributePath::root().attr("tenant_id"),
            "The state has no tenant id",
            "tenant_id: the stored state of this resource holds no tenant id, so the object cannot be found. Remove \
             it from the state (terraform state rm) and import it again.",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(tenant: Value) -> Value {
        Value::object([("id", tenant.clone()), ("tenant_id", tenant)])
    }

    fn plan(prior: Value, config: Value) -> Plan {
        let proposed =
            Value::object([("id", prior.get_attr("id").clone()), ("tenant_id", config.get_attr("tenant_id").clone())]);
        Plan {
            config: config.clone(),
            prior_state: prior,
            proposed_new_state: proposed.clone(),
            planned_state: proposed,
            prior_private: Vec::new(),
            planned_private: Vec::new(),
            requires_replace: Vec::new(),
        }
    }

    const LOWER: &str = "07d2f395-f69c-43ab-88a2-b82f1151042d";
    const UPPER: &str = "07D2F395-F69C-43AB-88A2-B82F1151042D";

    #[test]
    fn a_change_of_case_is_an_update_and_id_follows() {
        let mut p = plan(state(Value::string(LOWER)), state(Value::string(UPPER)));
        plan_tenant_id(&mut p).unwrap();
        assert!(p.requires_replace.is_empty());
        assert_eq!(p.planned_state.get_attr("id"), &Value::string(UPPER));
    }

    #[test]
    fn another_tenant_or_an_unknown_one_replaces() {
        let mut p = plan(state(Value::string(LOWER)), state(Value::string("9c5d131d-b1c3-4fc4-9e3f-c6557947d551")));
        plan_tenant_id(&mut p).unwrap();
        assert_eq!(p.requires_replace, [AttributePath::root().attr("tenant_id")]);
        let mut p = plan(state(Value::string(LOWER)), state(Value::Unknown));
        plan_tenant_id(&mut p).unwrap();
        assert_eq!(p.requires_replace.len(), 1);
        assert_eq!(p.planned_state.get_attr("id"), &Value::Unknown);
    }

    #[test]
    fn create_plans_the_id_from_the_configuration() {
        let mut p = plan(Value::Null, state(Value::string(UPPER)));
        plan_tenant_id(&mut p).unwrap();
        assert!(p.requires_replace.is_empty());
        assert_eq!(p.planned_state.get_attr("id"), &Value::string(UPPER));
    }
}
