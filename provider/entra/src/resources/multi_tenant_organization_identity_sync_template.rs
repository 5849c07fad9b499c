//! `entra_multi_tenant_organization_identity_sync_template`: the template Microsoft Entra applies to the identity
//! synchronization policies of the other tenants when a tenant joins a multi-tenant organization
//! (`/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization`, B.9.2).
//!
//! - Endpoints: `GET`, `PATCH`, `POST .../resetToDefaultSettings` (destroy with `reset_on_destroy = true`).
//! - Permissions: `Policy.Read.All` (read), `Policy.ReadWrite.CrossTenantAccess` (write).
//! - Import id: `identity_synchronization`.

use entra_graph::multi_tenant_organization::MtoTemplate;
use tfplugin::{Attribute, Configured, Nesting, Schema};

use crate::provider_data::ProviderData;
use crate::shared::mto_template::{TemplateResource, common_attributes};

/// The resource type name.
pub const TYPE_NAME: &str = "entra_multi_tenant_organization_identity_sync_template";
/// The resource's fixed id and its only import id.
pub const SINGLETON_ID: &str = "identity_synchronization";

/// The template's settings. `null` = not applied.
pub fn settings() -> Vec<Attribute> {
    vec![
        Attribute::nested(
            "user_sync_inbound",
            Nesting::Single,
            [Attribute::bool("is_sync_allowed").optional().description(
                "Allow the other tenants of the organization to synchronize their users into this tenant. `false` \
                 stops further synchronization; users already synchronized stay.",
            )],
        )
        .optional()
        .description(
            "Inbound user synchronization for the identity synchronization policies a join creates or updates. \
             Omitted (or `null`): not applied.",
        ),
    ]
}

/// The resource's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Manages this tenant's **multi-tenant organization identity synchronization template**: whether the other \
         tenants of a multi-tenant organization may synchronize users into this tenant, as Microsoft Entra sets it \
         on their identity synchronization policies when a tenant joins. Cross-tenant synchronization cannot be \
         configured before the target tenant allows inbound synchronization, so set `user_sync_inbound` before \
         joining.\n\n\
         The resource describes the **whole template**: `user_sync_inbound` left out is *not applied* and is sent \
         as `null`, so a value set outside Terraform shows as drift. `template_application_level` chooses whether \
         the template applies to policies the join creates (`newPartners`), to those that already existed \
         (`existingPartners`), both (the default) or none (`[]`).\n\n\
         Every tenant has this template, so creating the resource adopts it. Destroying the resource only forgets \
         it, unless `reset_on_destroy = true`, which resets it to Microsoft's default (nothing applied).\n\n\
         **Permissions:** plan and refresh need `Policy.Read.All`; apply needs \
         `Policy.ReadWrite.CrossTenantAccess` (role: Security Administrator).\n\n\
         **Import:** the import id is always `identity_synchronization`.",
    )
    .attributes(settings())
    .attributes(common_attributes(SINGLETON_ID))
}

/// `entra_multi_tenant_organization_identity_sync_template`.
pub fn resource(data: Configured<ProviderData>) -> TemplateResource {
    TemplateResource::new(data, MtoTemplate::IdentitySynchronization, TYPE_NAME, SINGLETON_ID, schema, settings())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tfplugin::Value;

    #[test]
    fn the_schema_is_sound() {
        let schema = schema();
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
    }

    #[test]
    fn reads_unset_and_set_values() {
        let resource = resource(Configured::new());
        let default = json!({"templateApplicationLevel": "newPartners,existingPartners",
            "id": "0e7aad84-cb46-4b8e-a881-522ef25939f1", "userSyncInbound": {"isSyncAllowed": null}});
        assert_eq!(resource.state_from_graph(&default, &Value::Null).get_attr("user_sync_inbound"), &Value::Null);
        let set = json!({"templateApplicationLevel": "newPartners", "userSyncInbound": {"isSyncAllowed": true}});
        let state = resource.state_from_graph(&set, &Value::Null);
        assert_eq!(state.get_attr("user_sync_inbound").get_attr("is_sync_allowed"), &Value::bool(true));
        assert_eq!(state.get_attr("template_application_level"), &Value::set([Value::string("newPartners")]));
        assert!(tfplugin::value::json::encode(&state, &schema().value_type()).is_ok());
    }
}
