//! `entra_multi_tenant_organization_partner_template`: the template Microsoft Entra applies to the partner
//! configurations of the other tenants when a tenant joins a multi-tenant organization
//! (`/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration`, B.9.1).
//!
//! - Endpoints: `GET`, `PATCH` (create adopts and PATCHes the whole template; update PATCHes it),
//!   `POST .../resetToDefaultSettings` (destroy with `reset_on_destroy = true`).
//! - Permissions: `Policy.Read.All` (read), `Policy.ReadWrite.CrossTenantAccess` (write).
//! - Import id: `partner_configuration`.
//!
//! The settings are the partner resource's shared nested types (interface.md §3), so they validate and map exactly
//! like `entra_cross_tenant_partner`'s; the lifecycle is [`TemplateResource`]'s.

use entra_graph::multi_tenant_organization::MtoTemplate;
use tfplugin::{Attribute, Configured, Schema};

use crate::provider_data::ProviderData;
use crate::shared::mto_template::{TemplateResource, common_attributes};
use crate::shared::schema::{B2bSettingKind, Presence, automatic_user_consent_settings, b2b_setting, inbound_trust};

/// The resource type name.
pub const TYPE_NAME: &str = "entra_multi_tenant_organization_partner_template";
/// The resource's fixed id and its only import id.
pub const SINGLETON_ID: &str = "partner_configuration";

/// The template's settings, in interface.md's order. `null` = not applied.
///
/// They are the partner resource's settings (same shape, validation and mapping), whose descriptions say what a
/// left-out setting means for a partner (inherited from the default configuration); for a template it means "not
/// applied", so that sentence is replaced.
pub fn settings() -> Vec<Attribute> {
    let mut settings = vec![
        inbound_trust(Presence::Inherit),
        automatic_user_consent_settings(Presence::Inherit),
        b2b_setting(B2bSettingKind::CollaborationInbound, Presence::Inherit),
        b2b_setting(B2bSettingKind::CollaborationOutbound, Presence::Inherit),
        b2b_setting(B2bSettingKind::DirectConnectInbound, Presence::Inherit),
        b2b_setting(B2bSettingKind::DirectConnectOutbound, Presence::Inherit),
    ];
    for setting in &mut settings {
        if let Some(start) = PARTNER_NOTE_STARTS.iter().filter_map(|s| setting.description.find(s)).min() {
            setting.description.truncate(start);
        }
        setting.description = format!("{}\n\n{TEMPLATE_NOTE}", setting.description.trim_end());
    }
    settings
}

/// How the partner resource's notes on a left-out setting begin.
const PARTNER_NOTE_STARTS: [&str; 2] = ["Omit it (or set it to `null`)", "Omit it to inherit"];
/// What a left-out setting means in the template.
const TEMPLATE_NOTE: &str = "Omit it (or set it to `null`) to leave it out of the template: a join then does not \
    change this setting of the partner configurations (one the join creates inherits it from the default \
    configuration). Removing it from the configuration sends an explicit `null`. Set, it is sent whole.";

/// The resource's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Manages this tenant's **multi-tenant organization partner configuration template**: the cross-tenant \
         access settings Microsoft Entra gives the partner configurations of the other tenants of a multi-tenant \
         organization when a tenant joins (when this tenant joins, for every other tenant; when another tenant \
         joins, for that tenant). Configure it before joining: a join applies it once.\n\n\
         The resource describes the **whole template**: a setting left out (or `null`) is *not applied* — the \
         partner configuration keeps its value (a configuration the join creates inherits the default \
         configuration) — and is sent as `null`, so a value set outside Terraform shows as drift. In the settings \
         below, \"inherit\" means exactly that for a template. `template_application_level` chooses whether the \
         template applies to partner configurations the join creates (`newPartners`), to those that already \
         existed (`existingPartners`), both (the default) or none (`[]`).\n\n\
         Every tenant has this template, so creating the resource adopts it. Destroying the resource only forgets \
         it, unless `reset_on_destroy = true`, which resets it to Microsoft's default (nothing applied).\n\n\
         **Permissions:** plan and refresh need `Policy.Read.All`; apply needs \
         `Policy.ReadWrite.CrossTenantAccess` (role: Security Administrator).\n\n\
         **Import:** the import id is always `partner_configuration`.",
    )
    .attributes(settings())
    .attributes(common_attributes(SINGLETON_ID))
}

/// `entra_multi_tenant_organization_partner_template`.
pub fn resource(data: Configured<ProviderData>) -> TemplateResource {
    TemplateResource::new(data, MtoTemplate::PartnerConfiguration, TYPE_NAME, SINGLETON_ID, schema, settings())
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
        for name in
            ["id", "template_application_level", "reset_on_destroy", "inbound_trust", "b2b_direct_connect_outbound"]
        {
            assert!(schema.get(name).is_some(), "{name}");
        }
        for setting in settings() {
            assert!(!setting.description.contains("entra_cross_tenant_default"), "{}", setting.description);
            assert!(!setting.description.contains("to inherit"), "{}", setting.description);
            assert!(setting.description.ends_with(TEMPLATE_NOTE), "{}", setting.description);
        }
        // Partner-only settings are not part of the template (B.9.1).
        assert!(schema.get("tenant_restrictions").is_none());
    }

    #[test]
    fn reads_the_documented_default_as_nothing_applied() {
        let resource = resource(Configured::new());
        let default = json!({"id": "75b1889b-6f42-4cc5-8e62-e774b8db243c",
            "templateApplicationLevel": "newPartners,existingPartners", "inboundTrust": null,
            "b2bCollaborationOutbound": null, "b2bCollaborationInbound": null, "b2bDirectConnectOutbound": null,
            "b2bDirectConnectInbound": null, "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null}});
        let state = resource.state_from_graph(&default, &Value::Null);
        for setting in settings() {
            assert_eq!(state.get_attr(&setting.name), &Value::Null, "{}", setting.name);
        }
        assert_eq!(
            state.get_attr("template_application_level"),
            &Value::set([Value::string("newPartners"), Value::string("existingPartners")])
        );
        assert_eq!(state.get_attr("id"), &Value::string(SINGLETON_ID));
        assert_eq!(state.get_attr("reset_on_destroy"), &Value::bool(false));
        assert!(tfplugin::value::json::encode(&state, &schema().value_type()).is_ok());
    }
}
