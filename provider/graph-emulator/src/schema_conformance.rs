//! The emulator's types held against Microsoft's published v1.0 metadata (`fixtures/csdl-v1.0.json`, extracted by
//! `cargo xtask csdl`): every type the emulator serves has exactly the CSDL's properties, with the same types and
//! nullability, and every enum has the CSDL's members. A property added to or dropped from either side fails here.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{ComplexType, EnumType, Kind};

const EXTRACT: &str = include_str!("../fixtures/csdl-v1.0.json");

/// The types the emulator serves at the top of a body; nested complex and enum types are reached from them.
fn served_roots() -> [&'static ComplexType; 7] {
    [
        &super::POLICY,
        &super::DEFAULT,
        &super::PARTNER,
        &super::IDENTITY_SYNC,
        &super::PARTNER_TEMPLATE,
        &super::SYNC_TEMPLATE,
        &super::TENANT_INFORMATION,
    ]
}

/// The evolvable-enum sentinel: declared by every Graph enum, deliberately refused on input by the emulator (R13).
const SENTINEL: &str = "unknownFutureValue";

fn extract() -> Value {
    serde_json::from_str(EXTRACT).expect("the committed CSDL extract is JSON")
}

/// Every complex type and enum reachable from the served roots, by OData name.
fn reachable() -> (BTreeMap<&'static str, &'static ComplexType>, BTreeMap<&'static str, &'static EnumType>) {
    fn walk_kind(
        kind: &'static Kind,
        types: &mut BTreeMap<&'static str, &'static ComplexType>,
        enums: &mut BTreeMap<&'static str, &'static EnumType>,
    ) {
        match kind {
            Kind::Enum(e) | Kind::Flags(e) => {
                enums.insert(e.name, e);
            }
            Kind::Complex(ty) => walk(ty, types, enums),
            Kind::Collection(inner) => walk_kind(inner, types, enums),
            Kind::Bool | Kind::String | Kind::Int | Kind::DateTimeOffset => {}
        }
    }
    fn walk(
        ty: &'static ComplexType,
        types: &mut BTreeMap<&'static str, &'static ComplexType>,
        enums: &mut BTreeMap<&'static str, &'static EnumType>,
    ) {
        if types.insert(ty.name, ty).is_none() {
            for property in ty.properties {
                walk_kind(&property.kind, types, enums);
            }
        }
    }
    let (mut types, mut enums) = (BTreeMap::new(), BTreeMap::new());
    for root in served_roots() {
        walk(root, &mut types, &mut enums);
    }
    (types, enums)
}

/// One property as `name: type, nullable` for comparison.
fn describe(name: &str, ty: &str, nullable: bool) -> String {
    format!("{name}: {ty}{}", if nullable { "" } else { " (not nullable)" })
}

fn emulator_type_name(kind: &Kind) -> String {
    super::edm_name(kind)
}

/// The differences between the emulator's types and the extract, one line each.
fn differences(document: &Value) -> Vec<String> {
    let csdl = document["types"].as_object().expect("types");
    let (types, enums) = reachable();
    let mut found = Vec::new();
    for (name, ty) in &types {
        let Some(definition) = csdl.get(*name) else {
            found.push(format!("{name}: served by the emulator but not in the CSDL extract"));
            continue;
        };
        let expected: BTreeSet<String> = definition["properties"]
            .as_array()
            .expect("properties")
            .iter()
            .map(|p| {
                describe(
                    p["name"].as_str().unwrap_or_default(),
                    p["type"].as_str().unwrap_or_default(),
                    p["nullable"].as_bool().unwrap_or(true),
                )
            })
            .collect();
        let actual: BTreeSet<String> =
            ty.properties.iter().map(|p| describe(p.name, &emulator_type_name(&p.kind), p.nullable)).collect();
        for missing in expected.difference(&actual) {
            found.push(format!("{name}: the CSDL declares `{missing}`; the emulator does not"));
        }
        for extra in actual.difference(&expected) {
            found.push(format!("{name}: the emulator declares `{extra}`; the CSDL does not"));
        }
    }
    for (name, enumeration) in &enums {
        let Some(definition) = csdl.get(*name) else {
            found.push(format!("{name}: an enum of the emulator but not in the CSDL extract"));
            continue;
        };
        let expected: BTreeSet<&str> = definition["members"]
            .as_array()
            .expect("members")
            .iter()
            .filter_map(Value::as_str)
            .filter(|m| *m != SENTINEL)
            .collect();
        let actual: BTreeSet<&str> = enumeration.members.iter().copied().collect();
        for missing in expected.difference(&actual) {
            found.push(format!("{name}: the CSDL has member `{missing}`; the emulator does not"));
        }
        for extra in actual.difference(&expected) {
            found.push(format!("{name}: the emulator has member `{extra}`; the CSDL does not"));
        }
    }
    found
}

#[test]
fn the_emulator_serves_exactly_the_csdl_types() {
    let found = differences(&extract());
    assert!(
        found.is_empty(),
        "the emulator's types differ from Microsoft's v1.0 metadata (fixtures/csdl-v1.0.json):\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn flags_enums_are_flags_on_both_sides() {
    let document = extract();
    let (types, _) = reachable();
    for ty in types.values() {
        for property in ty.properties {
            let (Kind::Enum(e) | Kind::Flags(e)) = &property.kind else { continue };
            let csdl_flags = document["types"][e.name]["flags"].as_bool();
            assert_eq!(csdl_flags, Some(matches!(property.kind, Kind::Flags(_))), "{}.{}", ty.name, property.name);
        }
    }
}

#[test]
fn every_served_root_is_an_extracted_root() {
    let document = extract();
    let roots: BTreeSet<&str> =
        document["rootTypes"].as_array().expect("roots").iter().filter_map(Value::as_str).collect();
    let served: BTreeSet<&str> = served_roots().iter().map(|t| t.name).collect();
    assert_eq!(served, roots);
}

/// The comparison itself notices a property added to or removed from the reference (the other direction, a change
/// to the emulator's tables, is what `the_emulator_serves_exactly_the_csdl_types` guards).
#[test]
fn a_property_added_or_removed_on_the_csdl_side_is_reported() {
    let mut document = extract();
    let partner = "microsoft.graph.crossTenantAccessPolicyConfigurationPartner";
    let properties = document["types"][partner]["properties"].as_array_mut().expect("properties");
    properties.push(serde_json::json!({"name": "newSetting", "type": "Edm.Boolean", "nullable": true}));
    properties.retain(|p| p["name"] != "inboundTrust");
    let found = differences(&document);
    assert_eq!(
        found,
        vec![
            format!("{partner}: the CSDL declares `newSetting: Edm.Boolean`; the emulator does not"),
            format!(
                "{partner}: the emulator declares `inboundTrust: microsoft.graph.crossTenantAccessPolicyInboundTrust`; \
                 the CSDL does not"
            ),
        ]
    );
}
