//! The Terraform value of a partner configuration as Graph holds it, shared by the partner resource, the
//! `entra_cross_tenant_partners` data source and the export command.

use std::collections::BTreeMap;

use entra_graph::models::PartnerConfiguration;
use tfplugin::{Attribute, Value};

use super::mapping::{adopt_prior_spelling, null_if_unset_flags, settings_from_graph};

/// The Terraform value of a partner as Graph holds it: every setting exactly as stored (so drift shows), with two
/// normalisations — GUIDs keep the prior state's spelling, and unset consent flags (Graph's object of nulls) read as
/// `null` unless the prior state holds an object of nulls. `prior` is null for data sources. `timeouts` is left
/// null for the caller.
pub fn partner_state(settings: &[Attribute], partner: &PartnerConfiguration, prior: &Value) -> Value {
    let mut attributes: BTreeMap<String, Value> = BTreeMap::new();
    let mut tenant = Value::string(&partner.tenant_id);
    adopt_prior_spelling(&mut tenant, prior.get_attr("tenant_id"));
    attributes.insert("tenant_id".to_owned(), tenant.clone());
    attributes.insert("id".to_owned(), tenant);
    for (setting, mut value) in settings_from_graph(settings, &partner.settings) {
        let before = prior.get_attr(&setting.name);
        if setting.name == "automatic_user_consent_settings" {
            value = null_if_unset_flags(value, before);
        }
        adopt_prior_spelling(&mut value, before);
        attributes.insert(setting.name.clone(), value);
    }
    attributes.insert("is_service_provider".to_owned(), partner.is_service_provider.into());
    attributes.insert("is_in_multi_tenant_organization".to_owned(), partner.is_in_multi_tenant_organization.into());
    Value::Object(attributes)
}
