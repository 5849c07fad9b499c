//! Import ids: those that name a partner tenant (its tenant id, or one of its domain names), and the fixed ids of
//! the tenant's singletons.

use entra_graph::{GraphClient, Operation};
use tfplugin::validators::is_guid;
use tfplugin::{Diagnostics, NewState, Value};

use super::errors::{Access, TimeoutName, graph_errors};

/// True when `id` could be a DNS domain name (`truesecdetect.io`, `sso.osttra.com`): labels of letters, digits
/// and hyphens separated by dots, at least two labels.
pub fn looks_like_domain(id: &str) -> bool {
    let labels: Vec<&str> = id.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Resolves an import id to a tenant id: a GUID is used as written (keeping its case); a domain name is looked up
/// with findTenantInformationByDomainName. `resource_type` names the resource in messages.
pub async fn resolve_tenant(
    client: &GraphClient,
    op: &Operation,
    resource_type: &str,
    id: &str,
) -> Result<String, Diagnostics> {
    let id = id.trim();
    if is_guid(id) {
        return Ok(id.to_owned());
    }
    if !looks_like_domain(id) {
        return Err(Diagnostics::error(
            "Invalid import id",
            format!(
                "{resource_type} is imported by the partner's tenant id (a GUID such as \
                 07d2f395-f69c-43ab-88a2-b82f1151042d) or by one of the partner tenant's domain names (such as \
                 contoso.com); {id:?} is neither."
            ),
        ));
    }
    let action = format!("looking up the tenant of domain {id}");
    match client.find_tenant_by_domain(op, id).await {
        Ok(Some(tenant)) => {
            tracing::debug!(domain = id, tenant_id = %tenant.tenant_id, "resolved the import id");
            Ok(tenant.tenant_id)
        }
        Ok(None) => Err(Diagnostics::error(
            "Unknown domain",
            format!(
                "{action}: Microsoft Entra knows no tenant with the domain {id:?}. Check the spelling, or import by \
                 the partner's tenant id instead (lookups by domain do not work across Microsoft clouds)."
            ),
        )),
        Err(error) => Err(graph_errors(&action, Access::Lookup, TimeoutName::Read, &error)),
    }
}

/// Imports a singleton of the tenant (the default configuration, the policy), whose import id is fixed: `id` must be
/// `singleton_id`. The state holds the id and `reset_on_destroy = false`; Read fills in the rest, and timeouts stay
/// null, as they are configuration only. `what` names the singleton in messages.
pub fn singleton(resource_type: &str, what: &str, singleton_id: &str, id: &str) -> Result<NewState, Diagnostics> {
    if id.trim() != singleton_id {
        return Err(Diagnostics::error(
            "Invalid import id",
            format!(
                "importing {what}: the import id must be \"{singleton_id}\", got {id:?}. It is a singleton of the \
                 tenant: terraform import {resource_type}.NAME {singleton_id}"
            ),
        ));
    }
    Ok(NewState::new(Value::object([("id", Value::string(singleton_id)), ("reset_on_destroy", Value::bool(false))])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_singleton_imports_only_by_its_fixed_id() {
        let imported = singleton("entra_cross_tenant_default", "the default configuration", "default", " default ");
        let state = imported.expect("imported").state;
        assert_eq!(state.get_attr("id"), &Value::string("default"));
        assert_eq!(state.get_attr("reset_on_destroy"), &Value::bool(false));
        let error = singleton("entra_cross_tenant_access_policy", "the policy", "policy", "default").unwrap_err();
        let detail = &error.iter().next().unwrap().detail;
        assert!(detail.contains("must be \"policy\", got \"default\""), "{detail}");
        assert!(detail.contains("terraform import entra_cross_tenant_access_policy.NAME policy"), "{detail}");
    }

    #[test]
    fn domains_are_told_apart_from_other_text() {
        for ok in ["truesecdetect.io", "sso.osttra.com", "contoso.onmicrosoft.com", "a-b.c1"] {
            assert!(looks_like_domain(ok), "{ok}");
        }
        for bad in ["contoso", "default", "", ".com", "a..b", "-a.com", "a b.com", "07d2f395-f69c-43ab-88a2"] {
            assert!(!looks_like_domain(bad), "{bad}");
        }
    }
}
