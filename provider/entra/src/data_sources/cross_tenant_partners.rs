//! `entra_cross_tenant_partners`: every partner configuration of the tenant, managed by Terraform or not, for audits
//! and for finding partners not yet under management.
//!
//! - Endpoint: `GET /policies/crossTenantAccessPolicy/partners` (one paged listing, following `@odata.nextLink`).
//! - Permission: `Policy.Read.All`.

use entra_graph::GraphClient;
use tfplugin::{Attribute, Configured, Context, DataSource, Diagnostics, Nesting, Schema, Type, Value, async_trait};

use crate::provider_data::ProviderData;
use crate::shared::Presence;
use crate::shared::errors::{Access, TimeoutName, graph_errors};
use crate::shared::partner_state::partner_state;
use crate::shared::schema::partner_settings;
use crate::timeouts::{self, Kind};

/// The data source type name.
pub const TYPE_NAME: &str = "entra_cross_tenant_partners";

/// `entra_cross_tenant_partners`.
pub struct CrossTenantPartners {
    data: Configured<ProviderData>,
    settings: Vec<Attribute>,
}

impl std::fmt::Debug for CrossTenantPartners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrossTenantPartners").finish_non_exhaustive()
    }
}

impl CrossTenantPartners {
    /// The data source, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        CrossTenantPartners { data, settings: partner_settings(Presence::Computed) }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }
}

/// The attributes of one partner: those of `entra_cross_tenant_partner`, without `timeouts`.
fn partner_attributes() -> Vec<Attribute> {
    let mut attributes = vec![
        Attribute::string("id").computed().description("The partner's tenant id."),
        Attribute::string("tenant_id")
            .computed()
            .description("The partner's tenant id, lowercase as Microsoft Graph returns it."),
    ];
    attributes.extend(partner_settings(Presence::Computed));
    attributes.push(
        Attribute::bool("is_service_provider")
            .computed()
            .description("Whether the partner is this tenant's Cloud Solution Provider."),
    );
    attributes.push(
        Attribute::bool("is_in_multi_tenant_organization")
            .computed()
            .description("Whether the partner belongs to the same multi-tenant organization."),
    );
    attributes
}

/// The data source's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Lists every partner configuration (organizational cross-tenant access settings) of the tenant, whether \
         Terraform manages it or not: for audits, and for finding partners to import into \
         `entra_cross_tenant_partner`. The partners come from one paged listing, sorted by tenant id so the output is \
         stable.\n\n**Permission:** `Policy.Read.All`.",
    )
    .attribute(Attribute::nested("partners", Nesting::List, partner_attributes()).computed().description(
        "The partner configurations, sorted by tenant id, with the attributes of `entra_cross_tenant_partner`. A \
         `null` setting is inherited from the default configuration.",
    ))
    .attribute(
        Attribute::list("tenant_ids", Type::String)
            .computed()
            .description("The partners' tenant ids, sorted (lowercase, as Microsoft Graph returns them)."),
    )
}

#[async_trait]
impl DataSource for CrossTenantPartners {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Context, _config: Value) -> Result<Value, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation_with(ctx, Kind::Read.default_timeout());
        let mut partners = client
            .list_partners(&op)
            .await
            .map_err(|e| graph_errors("listing partner configurations", Access::Read, TimeoutName::None, &e))?;
        partners.sort_by_key(|p| p.tenant_id.to_ascii_lowercase());
        let tenant_ids = partners.iter().map(|p| Value::string(p.tenant_id.to_ascii_lowercase()));
        let tenant_ids = Value::list(tenant_ids);
        let partners = partners.iter().map(|p| partner_state(&self.settings, p, &Value::Null));
        Ok(Value::object([("partners", Value::list(partners)), ("tenant_ids", tenant_ids)]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partners_have_the_resources_attributes_without_timeouts() {
        let schema = schema();
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
        let resource = crate::resources::cross_tenant_partner::schema();
        let (_, inner) = schema.get("partners").unwrap().nested_attributes().unwrap();
        let mut ours: Vec<&str> = inner.iter().map(|a| a.name.as_str()).collect();
        let mut theirs: Vec<&str> =
            resource.attributes.iter().map(|a| a.name.as_str()).filter(|n| *n != "timeouts").collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        assert_eq!(ours, theirs);
        // partner_state fills exactly these attributes.
        let state = partner_state(&partner_settings(Presence::Computed), &Default::default(), &Value::Null);
        let names: Vec<&String> = state.attributes().unwrap().keys().collect();
        assert_eq!(names.len(), ours.len());
    }
}
