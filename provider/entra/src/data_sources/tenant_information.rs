//! `entra_tenant_information`: basic facts about any Microsoft Entra tenant, looked up by one of its domain names or
//! by its tenant id (Graph `tenantInformation`) — the portal's "Add organization: enter sso.osttra.com" step.
//!
//! - Endpoints: `GET /tenantRelationships/findTenantInformationByDomainName(domainName='…')` and
//!   `…/findTenantInformationByTenantId(tenantId='…')`.
//! - Permission: `CrossTenantInformation.ReadBasic.All`. Lookups work within one Microsoft cloud only.

use entra_graph::GraphClient;
use entra_graph::models::TenantInformation as GraphTenant;
use tfplugin::validators::{guid, matches};
use tfplugin::{
    Attribute, AttributePath, Configured, Context, DataSource, Diagnostic, Diagnostics, Schema, Value, async_trait,
};

use crate::provider_data::ProviderData;
use crate::shared::errors::{Access, TimeoutName, graph_errors};
use crate::timeouts::{self, Kind};

/// The data source type name.
pub const TYPE_NAME: &str = "entra_tenant_information";

/// `entra_tenant_information`.
pub struct TenantInformation {
    data: Configured<ProviderData>,
}

impl std::fmt::Debug for TenantInformation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantInformation").finish_non_exhaustive()
    }
}

impl TenantInformation {
    /// The data source, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        TenantInformation { data }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }
}

/// The data source's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Looks up a Microsoft Entra tenant by one of its domain names or by its tenant id, as the portal's \"Add \
         organization\" step does. Set exactly one of `domain_name` and `tenant_id`. Typical use: \
         `tenant_id = data.entra_tenant_information.partner.tenant_id` in an `entra_cross_tenant_partner`.\n\n\
         **Permission:** `CrossTenantInformation.ReadBasic.All`. Lookups work only for tenants in the same Microsoft \
         cloud; for a partner in another cloud, use its tenant id directly.",
    )
    .attribute(Attribute::string("domain_name").optional().computed().validate(domain_name()).description(
        "A domain name of the tenant to look up, e.g. `sso.osttra.com`. Set this or `tenant_id`. `null` when the \
         lookup is by tenant id.",
    ))
    .attribute(
        Attribute::string("tenant_id").optional().computed().validate(guid()).description(
            "The tenant id (a GUID) to look up; or, when looking up by `domain_name`, the tenant id found.",
        ),
    )
    .attribute(Attribute::string("display_name").computed().description("The organization's display name."))
    .attribute(
        Attribute::string("default_domain_name")
            .computed()
            .description("The tenant's default domain, e.g. `contoso.onmicrosoft.com`."),
    )
    .attribute(
        Attribute::string("federation_brand_name")
            .computed()
            .description("The tenant's federation brand name, if it has one."),
    )
}

/// A domain name is one word of printable characters without URL punctuation (surrounding spaces are ignored, as
/// the lookup trims them). Anything else, the empty string included, cannot name a tenant, and would otherwise
/// reach Graph only to come back as "no such tenant".
fn domain_name() -> tfplugin::validators::Matches {
    matches(r"^\s*[^\s\x00-\x1f/\\?#]+\s*$", "a domain name such as sso.osttra.com")
}

#[async_trait]
impl DataSource for TenantInformation {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let (domain, tenant) = (config.get_attr("domain_name"), config.get_attr("tenant_id"));
        let mut diagnostics = Diagnostics::new();
        // Unknown values count as set: they will be known at apply.
        match (domain.is_null(), tenant.is_null()) {
            (true, true) => diagnostics.push(
                Diagnostic::error(
                    "Nothing to look up",
                    "domain_name: set exactly one of domain_name (e.g. \"sso.osttra.com\") and tenant_id.",
                )
                .at(AttributePath::root().attr("domain_name")),
            ),
            (false, false) => diagnostics.push(
                Diagnostic::error(
                    "Conflicting lookups",
                    "tenant_id: set exactly one of domain_name and tenant_id, not both.",
                )
                .at(AttributePath::root().attr("tenant_id")),
            ),
            _ => {}
        }
        diagnostics
    }

    async fn read(&self, ctx: &Context, config: Value) -> Result<Value, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation_with(ctx, Kind::Read.default_timeout());
        let domain = config.get_attr("domain_name").as_str().map(str::to_owned);
        let tenant = config.get_attr("tenant_id").as_str().map(str::to_owned);
        let (found, query, attribute) = match (&domain, &tenant) {
            (Some(domain), _) => {
                let action = format!("looking up the tenant of domain {domain}");
                let found = client
                    .find_tenant_by_domain(&op, domain)
                    .await
                    .map_err(|e| graph_errors(&action, Access::Lookup, TimeoutName::None, &e))?;
                (found, action, "domain_name")
            }
            (None, Some(tenant)) => {
                let action = format!("looking up tenant {tenant}");
                let found = client
                    .find_tenant_by_id(&op, tenant)
                    .await
                    .map_err(|e| graph_errors(&action, Access::Lookup, TimeoutName::None, &e))?;
                (found, action, "tenant_id")
            }
            (None, None) => return Err(self.validate(ctx, &config).await),
        };
        let Some(found) = found else {
            return Err(Diagnostics::attribute_error(
                AttributePath::root().attr(attribute),
                "Tenant not found",
                format!(
                    "{attribute}: {query}: Microsoft Entra knows no such tenant. Check the spelling; lookups only \
                     find tenants in the same Microsoft cloud."
                ),
            ));
        };
        Ok(result(&found, domain, tenant))
    }
}

/// The data source's value: the tenant as Graph describes it; a tenant id given in the configuration keeps its
/// spelling (Terraform requires configured values back unchanged).
fn result(found: &GraphTenant, domain: Option<String>, tenant: Option<String>) -> Value {
    Value::object([
        ("domain_name", domain.into()),
        ("tenant_id", Value::string(tenant.unwrap_or_else(|| found.tenant_id.clone()))),
        ("display_name", found.display_name.clone().into()),
        ("default_domain_name", found.default_domain_name.clone().into()),
        ("federation_brand_name", found.federation_brand_name.clone().into()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_sound() {
        assert!(schema().problems().is_empty());
    }

    #[test]
    fn domain_names_are_checked_before_any_lookup() {
        use tfplugin::validators::Validator;
        let check = |text: &str| {
            let mut diagnostics = Diagnostics::new();
            domain_name().validate(&AttributePath::root().attr("domain_name"), &Value::string(text), &mut diagnostics);
            diagnostics.is_empty()
        };
        for ok in ["sso.osttra.com", "contoso.com ", "bücher.example", "xn--bcher-kva.example"] {
            assert!(check(ok), "{ok}");
        }
        for bad in ["", "   ", "contoso .com", "https://contoso.com", "contoso.com/x", "a?b", "tab\there", "nul\0"] {
            assert!(!check(bad), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn exactly_one_lookup_key_is_required() {
        let source = TenantInformation::new(Configured::new());
        let ctx = Context::background();
        let config = |domain: Value, tenant: Value| Value::object([("domain_name", domain), ("tenant_id", tenant)]);
        let both = source.validate(&ctx, &config(Value::string("a.com"), Value::Unknown)).await;
        assert_eq!(both.iter().next().unwrap().attribute, Some(AttributePath::root().attr("tenant_id")));
        let none = source.validate(&ctx, &config(Value::Null, Value::Null)).await;
        assert_eq!(none.iter().next().unwrap().attribute, Some(AttributePath::root().attr("domain_name")));
        assert!(source.validate(&ctx, &config(Value::Unknown, Value::Null)).await.is_empty());
    }

    #[test]
    fn the_result_keeps_the_configured_tenant_id_spelling() {
        let found = GraphTenant {
            tenant_id: "07d2f395-f69c-43ab-88a2-b82f1151042d".into(),
            display_name: Some("Truesec Detect AB".into()),
            default_domain_name: Some("truesecdetect.io".into()),
            federation_brand_name: None,
        };
        let by_id = result(&found, None, Some("07D2F395-F69C-43AB-88A2-B82F1151042D".into()));
        assert_eq!(by_id.get_attr("tenant_id"), &Value::string("07D2F395-F69C-43AB-88A2-B82F1151042D"));
        assert_eq!(by_id.get_attr("domain_name"), &Value::Null);
        let by_domain = result(&found, Some("truesecdetect.io".into()), None);
        assert_eq!(by_domain.get_attr("tenant_id"), &Value::string("07d2f395-f69c-43ab-88a2-b82f1151042d"));
        assert_eq!(by_domain.get_attr("display_name"), &Value::string("Truesec Detect AB"));
    }
}
