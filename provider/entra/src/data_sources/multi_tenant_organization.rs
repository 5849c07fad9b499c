//! `entra_multi_tenant_organization` (data source): the multi-tenant organization this tenant belongs to and its
//! tenants (`GET /tenantRelationships/multiTenantOrganization` and `.../tenants`, graph-sync-and-mto.md B.3, B.4).
//! A tenant in no organization reads `state = "inactive"` with null names and no tenants, as Graph answers.

use entra_graph::GraphClient;
use entra_graph::multi_tenant_organization::organization_exists;
use serde_json::Value as Json;
use tfplugin::{Attribute, Configured, Context, DataSource, Diagnostics, Nesting, Schema, Value, async_trait};

use crate::provider_data::ProviderData;
use crate::shared::errors::TimeoutName;
use crate::shared::mto::{mto_errors, string_of};
use crate::timeouts::{self, Kind};

/// The data source type name.
pub const TYPE_NAME: &str = "entra_multi_tenant_organization";

/// `entra_multi_tenant_organization` (data source).
pub struct MultiTenantOrganizationData {
    data: Configured<ProviderData>,
}

impl std::fmt::Debug for MultiTenantOrganizationData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiTenantOrganizationData").finish_non_exhaustive()
    }
}

impl MultiTenantOrganizationData {
    /// The data source, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        MultiTenantOrganizationData { data }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }
}

const TENANT_ATTRIBUTES: [(&str, &str); 6] = [
    ("tenant_id", "The tenant's id."),
    ("display_name", "The tenant's name in the organization."),
    ("role", "`owner` or `member`."),
    ("state", "`pending` (added, not joined yet), `active`, or `removed` (being removed)."),
    ("added_by_tenant_id", "The owner tenant that added it."),
    ("joined_date_time", "When it joined (null while pending)."),
];

/// The data source's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Reads the **multi-tenant organization** this tenant belongs to, with its tenants (active, pending and \
         being removed). For a tenant in no organization, `state` is `inactive`, the names are null and `tenants` is \
         empty.\n\n**Permissions:** `MultiTenantOrganization.Read.All`.",
    )
    .attribute(
        Attribute::string("id")
            .computed()
            .description("Graph's id of the organization, specific to this tenant (null when it belongs to none)."),
    )
    .attribute(Attribute::string("display_name").computed().description("The organization's name."))
    .attribute(Attribute::string("description").computed().description("The organization's description."))
    .attribute(
        Attribute::string("state")
            .computed()
            .description("`active` when this tenant belongs to an organization, `inactive` otherwise."),
    )
    .attribute(
        Attribute::nested(
            "tenants",
            Nesting::List,
            TENANT_ATTRIBUTES.map(|(name, text)| Attribute::string(name).computed().description(text)),
        )
        .computed()
        .description("The organization's tenants, ordered by tenant id."),
    )
}

#[async_trait]
impl DataSource for MultiTenantOrganizationData {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Context, _config: Value) -> Result<Value, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation_with(ctx, Kind::Read.default_timeout());
        let fail = |e| mto_errors("reading the multi-tenant organization", false, TimeoutName::None, &e);
        let organization = client.multi_tenant_organization(&op).await.map_err(fail)?;
        let tenants = if organization_exists(&organization) {
            client.multi_tenant_organization_tenants(&op).await.map_err(fail)?
        } else {
            Vec::new()
        };
        Ok(state(&organization, tenants))
    }
}

fn state(organization: &Json, mut tenants: Vec<Json>) -> Value {
    tenants.sort_by_key(|t| t.get("tenantId").and_then(Json::as_str).unwrap_or_default().to_ascii_lowercase());
    let graph_names = ["tenantId", "displayName", "role", "state", "addedByTenantId", "joinedDateTime"];
    let tenants = tenants.iter().map(|tenant| {
        Value::object(
            TENANT_ATTRIBUTES.iter().zip(graph_names).map(|((name, _), graph)| (*name, string_of(tenant, graph))),
        )
    });
    Value::object([
        ("id", string_of(organization, "id")),
        ("display_name", string_of(organization, "displayName")),
        ("description", string_of(organization, "description")),
        ("state", string_of(organization, "state")),
        ("tenants", Value::list(tenants)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_the_organization_and_sorts_its_tenants() {
        assert!(schema().problems().is_empty());
        let organization = json!({"id": "6d8b39e5-039a-4034-bf3a-e0b4f8cd60b6", "displayName": "Contoso", "description": null, "state": "active"});
        let tenants = vec![
            json!({"tenantId": "b", "displayName": "B", "role": "member", "state": "pending", "addedByTenantId": "a", "joinedDateTime": null}),
            json!({"tenantId": "a", "displayName": "A", "role": "owner", "state": "active", "addedByTenantId": "a", "joinedDateTime": null}),
        ];
        let value = state(&organization, tenants);
        let listed = value.get_attr("tenants").as_elements().unwrap();
        assert_eq!(listed[0].get_attr("tenant_id"), &Value::string("a"));
        assert_eq!(listed[1].get_attr("state"), &Value::string("pending"));
        assert!(tfplugin::value::json::encode(&value, &schema().value_type()).is_ok());
        let inactive = state(&json!({"state": "inactive", "displayName": null}), Vec::new());
        assert_eq!(inactive.get_attr("state"), &Value::string("inactive"));
        assert_eq!(inactive.get_attr("tenants"), &Value::list([]));
    }
}
