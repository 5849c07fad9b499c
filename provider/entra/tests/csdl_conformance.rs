//! The provider's schemas held against Microsoft's published v1.0 metadata (the CSDL extract committed by
//! `cargo xtask csdl` as `provider/graph-emulator/fixtures/csdl-v1.0.json`).
//!
//! Terraform attribute names are the snake_case of Graph's names, so the schemas alone show what the provider maps.
//! Every property of every type the provider manages must be either mapped (an attribute of that name, nested the
//! same way) or listed in [`NOT_MANAGED`] with the reason; and every attribute must be either a Graph property or
//! listed in [`PROVIDER_ONLY`]. A property Microsoft adds, renames or drops, or an attribute misspelled on our side,
//! fails here until someone decides what it means.
//!
//! The schemas are read through the provider's public API, as Terraform sees them, not through the mapping code.

use std::collections::BTreeSet;

use serde_json::Value;
use terraform_provider_entra::provider::EntraProvider;
use tfplugin::{Attribute, AttributeKind, Nesting, Provider, Schema, Type};

const EXTRACT: &str = include_str!("../../graph-emulator/fixtures/csdl-v1.0.json");

/// Where each managed Graph type appears in the provider: (Graph type, resource or data source type, path of nested
/// attributes leading to the object; empty for the schema's top level).
const MAPPED_ROOTS: &[(&str, &str, &[&str])] = &[
    ("crossTenantAccessPolicy", "entra_cross_tenant_access_policy", &[]),
    ("crossTenantAccessPolicyConfigurationDefault", "entra_cross_tenant_default", &[]),
    ("crossTenantAccessPolicyConfigurationPartner", "entra_cross_tenant_partner", &[]),
    ("crossTenantAccessPolicyConfigurationPartner", "entra_cross_tenant_partners", &["partners"]),
    ("crossTenantIdentitySyncPolicyPartner", "entra_cross_tenant_identity_sync", &[]),
    ("tenantInformation", "entra_tenant_information", &[]),
];

/// Graph properties the provider deliberately does not manage, with the reason. `*` stands for the whole type.
/// Reviewed: every line is a decision, not an omission.
const NOT_MANAGED: &[(&str, &str, &str)] = &[
    (
        "crossTenantAccessPolicy",
        "description",
        "inherited from policyBase; the service does not return it for this singleton (graph-api.md §3.1) and the \
         portal has no such field, so there is nothing to converge on",
    ),
    (
        "crossTenantAccessPolicy",
        "deletedDateTime",
        "inherited from directoryObject; read-only and meaningless for a tenant singleton that cannot be deleted",
    ),
    (
        "multiTenantOrganizationPartnerConfigurationTemplate",
        "*",
        "the multi-tenant organization templates are served by the Graph client and the emulator, but no resource \
         manages them yet (interface.md lists them as a later resource)",
    ),
    (
        "multiTenantOrganizationIdentitySyncPolicyTemplate",
        "*",
        "as the partner configuration template: no resource manages it yet",
    ),
];

/// Attributes with no Graph property behind them: (resource or data source type, attribute path, reason). A `*`
/// resource stands for every type.
const PROVIDER_ONLY: &[(&str, &str, &str)] = &[
    ("*", "timeouts", "Terraform operation deadlines"),
    ("*", "id", "Terraform's identity of the object; for keyed types it is the key (tenantId)"),
    ("entra_cross_tenant_access_policy", "reset_on_destroy", "what destroy does to a singleton (interface.md)"),
    ("entra_cross_tenant_default", "reset_on_destroy", "what destroy does to a singleton (interface.md)"),
    ("entra_cross_tenant_partners", "partners.id", "as `id` of entra_cross_tenant_partner"),
    ("entra_cross_tenant_partners", "tenant_ids", "a convenience list of the partners' keys"),
    ("entra_tenant_information", "domain_name", "the lookup argument of findTenantInformationByDomainName"),
];

fn extract() -> Value {
    serde_json::from_str(EXTRACT).expect("the committed CSDL extract is JSON")
}

/// Graph's camelCase to Terraform's snake_case; a run of capitals is one word (`isHybridAzureADJoined...` →
/// `is_hybrid_azure_ad_joined...`) and digits stay with their word (`b2bCollaboration` → `b2b_collaboration`).
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let previous = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if previous.is_ascii_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_ascii_uppercase() && next_is_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn schemas() -> Vec<(String, Schema)> {
    let provider = EntraProvider::new();
    let mut all: Vec<(String, Schema)> =
        provider.resources().iter().map(|r| (r.type_name().to_owned(), r.schema())).collect();
    all.extend(provider.data_sources().iter().map(|d| (d.type_name().to_owned(), d.schema())));
    all
}

fn not_managed(ty: &str, property: &str) -> bool {
    NOT_MANAGED.iter().any(|(t, p, _)| *t == ty && (*p == property || *p == "*"))
}

fn provider_only(owner: &str, path: &str) -> bool {
    PROVIDER_ONLY.iter().any(|(o, p, _)| (*o == owner || *o == "*") && *p == path)
}

/// The local name of a Graph type reference, and whether it is a collection.
fn local_type(reference: &str) -> (&str, bool) {
    let (element, collection) = match reference.strip_prefix("Collection(").and_then(|t| t.strip_suffix(')')) {
        Some(inner) => (inner, true),
        None => (reference, false),
    };
    (element.strip_prefix("microsoft.graph.").unwrap_or(element), collection)
}

/// Compares the attributes of one object with the Graph type it maps, recursing into nested objects. `owner` is the
/// resource or data source, `path` the dotted attribute path of the object (empty at the top).
fn compare(csdl: &Value, ty: &str, attributes: &[Attribute], owner: &str, path: &str, found: &mut Vec<String>) {
    let Some(definition) = csdl["types"].get(format!("microsoft.graph.{ty}")) else {
        found.push(format!("{owner} {path}: maps microsoft.graph.{ty}, which the extract does not hold"));
        return;
    };
    let join = |name: &str| if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
    let properties = definition["properties"].as_array().expect("properties");
    let mut mapped = BTreeSet::new();
    for property in properties {
        let name = property["name"].as_str().expect("name");
        let attribute_name = snake_case(name);
        let Some(attribute) = attributes.iter().find(|a| a.name == attribute_name) else {
            if !not_managed(ty, name) {
                found.push(format!(
                    "{owner}: Graph's {ty}.{name} has no attribute `{}` and is not in NOT_MANAGED",
                    join(&attribute_name)
                ));
            }
            continue;
        };
        mapped.insert(attribute_name.clone());
        let (element, collection) = local_type(property["type"].as_str().expect("type"));
        let nested_type = csdl["types"].get(format!("microsoft.graph.{element}"));
        let is_complex = nested_type.is_some_and(|t| t["kind"] != "enum");
        match (&attribute.kind, is_complex) {
            (AttributeKind::Nested { nesting, attributes }, true) => {
                let nesting_fits = match nesting {
                    Nesting::Single => !collection,
                    Nesting::List | Nesting::Set => collection,
                    Nesting::Map => false,
                };
                if !nesting_fits {
                    found.push(format!(
                        "{owner} {}: nested as {nesting:?}; Graph's type is {}",
                        join(&attribute_name),
                        property["type"]
                    ));
                }
                compare(csdl, element, attributes, owner, &join(&attribute_name), found);
            }
            (AttributeKind::Type(terraform_type), false) => {
                let fits = match terraform_type {
                    Type::List(_) | Type::Set(_) => collection,
                    Type::Bool => element == "Edm.Boolean",
                    Type::String => !collection && element != "Edm.Boolean",
                    _ => false,
                };
                if !fits {
                    found.push(format!(
                        "{owner} {}: {terraform_type:?} for Graph's {}",
                        join(&attribute_name),
                        property["type"]
                    ));
                }
            }
            _ => found.push(format!(
                "{owner} {}: the attribute's shape does not fit Graph's {}",
                join(&attribute_name),
                property["type"]
            )),
        }
    }
    for attribute in attributes {
        if !mapped.contains(&attribute.name) && !provider_only(owner, &join(&attribute.name)) {
            found.push(format!(
                "{owner}: attribute `{}` is no property of Graph's {ty} and is not in PROVIDER_ONLY",
                join(&attribute.name)
            ));
        }
    }
}

fn nested_attributes<'a>(schema: &'a Schema, path: &[&str]) -> &'a [Attribute] {
    let mut attributes = schema.attributes.as_slice();
    for step in path {
        let attribute = attributes.iter().find(|a| a.name == *step).unwrap_or_else(|| panic!("no attribute {step}"));
        let AttributeKind::Nested { attributes: inner, .. } = &attribute.kind else { panic!("{step} is not nested") };
        attributes = inner;
    }
    attributes
}

fn differences(csdl: &Value, schemas: &[(String, Schema)]) -> Vec<String> {
    let mut found = Vec::new();
    for (ty, owner, path) in MAPPED_ROOTS {
        let (_, schema) = schemas.iter().find(|(name, _)| name == owner).unwrap_or_else(|| panic!("no {owner}"));
        compare(csdl, ty, nested_attributes(schema, path), owner, &path.join("."), &mut found);
    }
    found
}

#[test]
fn every_graph_property_is_mapped_or_deliberately_not_managed_and_every_attribute_is_graphs_or_ours() {
    let found = differences(&extract(), &schemas());
    assert!(
        found.is_empty(),
        "the provider's schemas differ from Microsoft's v1.0 metadata (provider/graph-emulator/fixtures/csdl-v1.0.json):\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn every_extracted_root_type_is_mapped_or_not_managed() {
    let document = extract();
    for root in document["rootTypes"].as_array().expect("roots").iter().filter_map(Value::as_str) {
        let local = root.trim_start_matches("microsoft.graph.");
        assert!(
            MAPPED_ROOTS.iter().any(|(t, _, _)| *t == local) || not_managed(local, "*"),
            "{root} is neither mapped nor listed as not managed"
        );
    }
}

#[test]
fn every_not_managed_entry_names_a_real_property() {
    let document = extract();
    for (ty, property, reason) in NOT_MANAGED {
        assert!(!reason.is_empty());
        let definition = &document["types"][format!("microsoft.graph.{ty}")];
        assert!(definition.is_object(), "NOT_MANAGED names {ty}, which the extract does not hold");
        if *property != "*" {
            let declared =
                definition["properties"].as_array().expect("properties").iter().any(|p| p["name"] == *property);
            assert!(declared, "NOT_MANAGED names {ty}.{property}, which Graph does not declare");
        }
    }
}

#[test]
fn snake_case_follows_the_schema_naming() {
    assert_eq!(snake_case("isHybridAzureADJoinedDeviceAccepted"), "is_hybrid_azure_ad_joined_device_accepted");
    assert_eq!(snake_case("b2bCollaborationInbound"), "b2b_collaboration_inbound");
    assert_eq!(snake_case("m365CollaborationOutbound"), "m365_collaboration_outbound");
    assert_eq!(snake_case("id"), "id");
}

/// The comparison notices a property added to or removed from Graph's side (the provider's side is what the first
/// test guards).
#[test]
fn a_property_added_or_removed_on_the_csdl_side_is_reported() {
    let mut document = extract();
    let trust = "microsoft.graph.crossTenantAccessPolicyInboundTrust";
    let properties = document["types"][trust]["properties"].as_array_mut().expect("properties");
    properties.push(serde_json::json!({"name": "isCompliantNetworkAccepted", "type": "Edm.Boolean", "nullable": true}));
    properties.retain(|p| p["name"] != "isMfaAccepted");
    let found = differences(&document, &schemas());
    assert!(
        found.contains(&"entra_cross_tenant_partner: Graph's crossTenantAccessPolicyInboundTrust.isCompliantNetworkAccepted has no attribute `inbound_trust.is_compliant_network_accepted` and is not in NOT_MANAGED".to_owned()),
        "{found:#?}"
    );
    assert!(
        found.contains(&"entra_cross_tenant_default: attribute `inbound_trust.is_mfa_accepted` is no property of Graph's crossTenantAccessPolicyInboundTrust and is not in PROVIDER_ONLY".to_owned()),
        "{found:#?}"
    );
}
