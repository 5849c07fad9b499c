//! Extracting, from Microsoft Graph's published v1.0 metadata (CSDL), the types this provider and the emulator use.
//!
//! The provider and the emulator are both written from `graph-api.md`; a fact that page has wrong would be wrong on
//! both sides and every test would pass. The extract written here is the outside reference the conformance tests
//! hold both sides against (`provider/graph-emulator/tests/csdl_conformance.rs` and
//! `provider/entra/tests/csdl_conformance.rs`).
//!
//! The extract holds the [`ROOT_TYPES`] and every complex and enum type their properties reach, with inherited
//! properties flattened into each type (CSDL's `BaseType` chain), each property's type and nullability (CSDL's
//! default is nullable), and each enum's members. Navigation properties are listed by name only: they are other
//! endpoints, not part of a type's body. The source commit is recorded so a refresh is a reviewable diff.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

/// Where the metadata comes from.
pub const SOURCE_REPOSITORY: &str = "microsoftgraph/msgraph-metadata";
/// The file inside [`SOURCE_REPOSITORY`].
pub const SOURCE_PATH: &str = "schemas/v1.0-Prod.csdl";
/// Where the extract is committed, relative to the workspace root.
pub const EXTRACT_PATH: &str = "provider/graph-emulator/fixtures/csdl-v1.0.json";

/// The types whose bodies the provider reads or writes (graph-api.md §3): the root policy, the default and partner
/// configurations, a partner's identity synchronization policy, the two multi-tenant organization templates and the
/// tenant lookup result. The multi-tenant organization itself and the synchronization job types
/// (graph-sync-and-mto.md) are not served or managed yet; add them here when they are.
pub const ROOT_TYPES: &[&str] = &[
    "crossTenantAccessPolicy",
    "crossTenantAccessPolicyConfigurationDefault",
    "crossTenantAccessPolicyConfigurationPartner",
    "crossTenantIdentitySyncPolicyPartner",
    "multiTenantOrganizationPartnerConfigurationTemplate",
    "multiTenantOrganizationIdentitySyncPolicyTemplate",
    "tenantInformation",
];

const EDM: &str = "http://docs.oasis-open.org/odata/ns/edm";
const NAMESPACE: &str = "microsoft.graph";

/// One type definition as read from the CSDL, before flattening.
#[derive(Debug)]
enum Definition {
    Structured { kind: &'static str, base: Option<String>, properties: Vec<Property>, navigation: Vec<String> },
    Enum { flags: bool, members: Vec<String> },
}

#[derive(Debug, Clone)]
struct Property {
    name: String,
    /// The full type name, e.g. `Edm.String`, `microsoft.graph.crossTenantAccessPolicyTarget` or
    /// `Collection(microsoft.graph.crossTenantAccessPolicyTarget)`.
    ty: String,
    nullable: bool,
}

/// Reads `csdl` (the text of [`SOURCE_PATH`] at `commit`) and renders the extract as pretty JSON with a final
/// newline.
///
/// # Errors
/// When the text is not XML, a root type is missing, or a property reaches a type outside the `microsoft.graph`
/// schema.
pub fn extract(csdl: &str, commit: &str) -> Result<String, String> {
    extract_from_roots(csdl, commit, ROOT_TYPES)
}

fn extract_from_roots(csdl: &str, commit: &str, roots: &[&str]) -> Result<String, String> {
    let definitions = read_definitions(csdl)?;
    let mut pending: Vec<String> = roots.iter().map(|t| (*t).to_owned()).collect();
    let mut done = BTreeSet::new();
    let mut types = BTreeMap::new();
    while let Some(name) = pending.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        let definition = definitions.get(&name).ok_or_else(|| format!("type {NAMESPACE}.{name} is not in the CSDL"))?;
        let rendered = match definition {
            Definition::Enum { flags, members } => json!({"kind": "enum", "flags": flags, "members": members}),
            Definition::Structured { kind, navigation, .. } => {
                let properties = flattened_properties(&definitions, &name)?;
                for property in &properties {
                    let element = element_type(&property.ty);
                    if let Some(local) = element.strip_prefix("microsoft.graph.") {
                        pending.push(local.to_owned());
                    } else if !element.starts_with("Edm.") {
                        return Err(format!(
                            "{name}.{} has a type outside {NAMESPACE}: {}",
                            property.name, property.ty
                        ));
                    }
                }
                let properties: Vec<Value> =
                    properties.iter().map(|p| json!({"name": p.name, "type": p.ty, "nullable": p.nullable})).collect();
                json!({"kind": kind, "properties": properties, "navigationProperties": navigation})
            }
        };
        types.insert(format!("{NAMESPACE}.{name}"), rendered);
    }
    let document = json!({
        "source": {"repository": SOURCE_REPOSITORY, "path": SOURCE_PATH, "commit": commit},
        "generatedBy": "cargo xtask csdl",
        "rootTypes": roots.iter().map(|t| format!("{NAMESPACE}.{t}")).collect::<Vec<_>>(),
        "types": types,
    });
    let mut text = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// The element type of a collection type, or the type itself.
fn element_type(ty: &str) -> &str {
    ty.strip_prefix("Collection(").and_then(|t| t.strip_suffix(')')).unwrap_or(ty)
}

/// Qualifies a type reference written with the schema's alias (`graph.x`) or its namespace.
fn qualify(reference: &str, alias: &str) -> String {
    if let Some(inner) = reference.strip_prefix("Collection(").and_then(|t| t.strip_suffix(')')) {
        return format!("Collection({})", qualify(inner, alias));
    }
    match reference.strip_prefix(alias).and_then(|rest| rest.strip_prefix('.')) {
        Some(local) if !alias.is_empty() => format!("{NAMESPACE}.{local}"),
        _ => reference.to_owned(),
    }
}

/// The types of the `microsoft.graph` schema, by local name.
fn read_definitions(csdl: &str) -> Result<BTreeMap<String, Definition>, String> {
    let document = roxmltree::Document::parse(csdl).map_err(|e| format!("the CSDL is not XML: {e}"))?;
    let schema = document
        .descendants()
        .find(|n| n.has_tag_name((EDM, "Schema")) && n.attribute("Namespace") == Some(NAMESPACE))
        .ok_or_else(|| format!("the CSDL has no {NAMESPACE} schema"))?;
    let alias = schema.attribute("Alias").unwrap_or_default();
    let mut definitions = BTreeMap::new();
    for node in schema.children().filter(roxmltree::Node::is_element) {
        let Some(name) = node.attribute("Name") else { continue };
        let tag = node.tag_name().name();
        let definition = match tag {
            "EntityType" | "ComplexType" => {
                let mut properties = Vec::new();
                let mut navigation = Vec::new();
                for child in node.children().filter(roxmltree::Node::is_element) {
                    let Some(child_name) = child.attribute("Name") else { continue };
                    match child.tag_name().name() {
                        "Property" => properties.push(Property {
                            name: child_name.to_owned(),
                            ty: qualify(child.attribute("Type").unwrap_or_default(), alias),
                            nullable: child.attribute("Nullable") != Some("false"),
                        }),
                        "NavigationProperty" => navigation.push(child_name.to_owned()),
                        _ => {}
                    }
                }
                Definition::Structured {
                    kind: if tag == "EntityType" { "entity" } else { "complex" },
                    base: node.attribute("BaseType").map(|b| qualify(b, alias)),
                    properties,
                    navigation,
                }
            }
            "EnumType" => Definition::Enum {
                flags: node.attribute("IsFlags") == Some("true"),
                members: node
                    .children()
                    .filter(|c| c.has_tag_name((EDM, "Member")))
                    .filter_map(|c| c.attribute("Name").map(str::to_owned))
                    .collect(),
            },
            _ => continue,
        };
        definitions.insert(name.to_owned(), definition);
    }
    Ok(definitions)
}

/// The properties of `name` with those of its base types first (base-most first), as a body of that type carries
/// them.
fn flattened_properties(definitions: &BTreeMap<String, Definition>, name: &str) -> Result<Vec<Property>, String> {
    let mut chain = Vec::new();
    let mut current = Some(name.to_owned());
    while let Some(local) = current {
        match definitions.get(&local) {
            Some(Definition::Structured { base, properties, .. }) => {
                chain.push(properties.clone());
                current = base.as_deref().map(|b| b.trim_start_matches("microsoft.graph.").to_owned());
            }
            _ => return Err(format!("base type {NAMESPACE}.{local} of {name} is not a structured type in the CSDL")),
        }
    }
    Ok(chain.into_iter().rev().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A miniature CSDL in the shape of the real one: an alias, a base-type chain, a derived complex type with no
    /// properties of its own, a flags enum, a collection, and types the roots do not reach.
    const SAMPLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="color"><Member Name="red" Value="1" /><Member Name="unknownFutureValue" Value="2" /></EnumType>
      <EnumType Name="level" IsFlags="true"><Member Name="none" Value="0" /><Member Name="some" Value="1" /></EnumType>
      <EnumType Name="unused"><Member Name="x" Value="1" /></EnumType>
      <ComplexType Name="paint"><Property Name="color" Type="graph.color" /></ComplexType>
      <ComplexType Name="specialPaint" BaseType="graph.paint" />
      <EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.String" Nullable="false" /></EntityType>
      <EntityType Name="thing" BaseType="graph.entity">
        <Property Name="coats" Type="Collection(graph.specialPaint)" Nullable="false" />
        <Property Name="level" Type="graph.level" Nullable="false" />
        <NavigationProperty Name="parts" Type="Collection(graph.thing)" ContainsTarget="true" />
      </EntityType>
    </Schema>
    <Schema Namespace="microsoft.graph.other" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="thing"><Property Name="elsewhere" Type="Edm.String" /></EntityType>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;

    fn definitions() -> BTreeMap<String, Definition> {
        read_definitions(SAMPLE).unwrap()
    }

    #[test]
    fn inherited_properties_come_first_and_nullability_defaults_to_true() {
        let properties = flattened_properties(&definitions(), "thing").unwrap();
        let summary: Vec<_> = properties.iter().map(|p| (p.name.as_str(), p.ty.as_str(), p.nullable)).collect();
        assert_eq!(
            summary,
            vec![
                ("id", "Edm.String", false),
                ("coats", "Collection(microsoft.graph.specialPaint)", false),
                ("level", "microsoft.graph.level", false),
            ]
        );
        let paint = flattened_properties(&definitions(), "specialPaint").unwrap();
        assert_eq!(paint[0].name, "color");
        assert!(paint[0].nullable);
    }

    #[test]
    fn only_the_main_schema_is_read() {
        let properties = flattened_properties(&definitions(), "thing").unwrap();
        assert!(properties.iter().all(|p| p.name != "elsewhere"));
    }

    #[test]
    fn enums_keep_their_members_and_flags() {
        match definitions().get("level") {
            Some(Definition::Enum { flags: true, members }) => assert_eq!(members, &["none", "some"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_root_type_is_an_error() {
        let error = extract(SAMPLE, "0000").unwrap_err();
        assert!(error.contains("is not in the CSDL"), "{error}");
    }

    #[test]
    fn the_extract_holds_the_roots_and_what_their_properties_reach() {
        let text = extract_from_roots(SAMPLE, "abc123", &["thing"]).unwrap();
        let document: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(document["source"]["commit"], "abc123");
        let names: Vec<&str> = document["types"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            names,
            vec![
                "microsoft.graph.color",
                "microsoft.graph.level",
                "microsoft.graph.specialPaint",
                "microsoft.graph.thing"
            ]
        );
        assert_eq!(document["types"]["microsoft.graph.thing"]["navigationProperties"], json!(["parts"]));
        assert_eq!(document["types"]["microsoft.graph.color"]["members"], json!(["red", "unknownFutureValue"]));
    }

    #[test]
    fn the_committed_extract_records_its_source_and_the_current_roots() {
        let path = crate::workspace_root().join(EXTRACT_PATH);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let document: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(document["source"]["repository"], SOURCE_REPOSITORY);
        assert_eq!(document["source"]["path"], SOURCE_PATH);
        let commit = document["source"]["commit"].as_str().unwrap_or_default();
        assert!(commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit()), "commit: {commit}");
        let roots: Vec<String> = ROOT_TYPES.iter().map(|t| format!("{NAMESPACE}.{t}")).collect();
        assert_eq!(document["rootTypes"], json!(roots), "ROOT_TYPES changed: rerun `cargo xtask csdl`");
    }

    #[test]
    fn qualify_resolves_the_alias_inside_collections() {
        assert_eq!(qualify("Collection(graph.x)", "graph"), "Collection(microsoft.graph.x)");
        assert_eq!(qualify("Edm.Boolean", "graph"), "Edm.Boolean");
        assert_eq!(qualify("microsoft.graph.x", "graph"), "microsoft.graph.x");
    }
}
