//! Unit tests for types, paths, value helpers, equality and walking.

use std::collections::BTreeSet;

use tfplugin::value::{AttributePath, Number, PathStep, Type, Value, msgpack};

fn target_configuration_type() -> Type {
    Type::object([
        ("access_type", Type::String),
        ("targets", Type::set(Type::object([("target", Type::String), ("target_type", Type::String)]))),
    ])
}

fn settings_type() -> Type {
    Type::object([
        ("b2b_collaboration_inbound", Type::object([("users_and_groups", target_configuration_type())])),
        ("labels", Type::map(Type::String)),
        ("order", Type::list(Type::String)),
        ("tenant_id", Type::String),
    ])
}

fn settings_value() -> Value {
    Value::object([
        (
            "b2b_collaboration_inbound",
            Value::object([(
                "users_and_groups",
                Value::object([
                    ("access_type", Value::from("allowed")),
                    (
                        "targets",
                        Value::set([Value::object([
                            ("target", Value::from("AllUsers")),
                            ("target_type", Value::from("user")),
                        ])]),
                    ),
                ]),
            )]),
        ),
        ("labels", Value::map([("env", Value::from("prod"))])),
        ("order", Value::list([Value::from("AzureActiveDirectory"), Value::Unknown])),
        ("tenant_id", Value::from("t")),
    ])
}

// ---- Types ----

#[test]
fn type_json_covers_every_kind() {
    let cases = [
        (r#""string""#, Type::String),
        (r#""number""#, Type::Number),
        (r#""bool""#, Type::Bool),
        (r#""dynamic""#, Type::Dynamic),
        (r#"["list","string"]"#, Type::list(Type::String)),
        (r#"["set",["map","number"]]"#, Type::set(Type::map(Type::Number))),
        (r#"["tuple",["bool","string"]]"#, Type::Tuple(vec![Type::Bool, Type::String])),
        (r#"["tuple",[]]"#, Type::Tuple(vec![])),
        (r#"["object",{}]"#, Type::object(Vec::<(String, Type)>::new())),
        (
            r#"["object",{"a":"string","b":["list","bool"]}]"#,
            Type::object([("b", Type::list(Type::Bool)), ("a", Type::String)]),
        ),
        (
            r#"["object",{"a":"string","b":"number"},["a","b"]]"#,
            Type::Object {
                attributes: [("a".to_owned(), Type::String), ("b".to_owned(), Type::Number)].into(),
                optional: BTreeSet::from(["a".to_owned(), "b".to_owned()]),
            },
        ),
    ];
    for (text, ty) in cases {
        assert_eq!(Type::from_json(text.as_bytes()).unwrap(), ty, "{text}");
        assert_eq!(String::from_utf8(ty.to_json()).unwrap(), text);
    }
    // Object keys are sorted on output, whatever the input order; whitespace is accepted.
    let ty = Type::from_json(br#"[ "object", { "z": "bool", "a": "bool" }, ["z"] ]"#).unwrap();
    assert_eq!(String::from_utf8(ty.to_json()).unwrap(), r#"["object",{"a":"bool","z":"bool"},["z"]]"#);
    // Names that need escaping survive.
    let odd = Type::object([("quote\"back\\slash\nnew\u{8}\u{c}\u{1}", Type::String)]);
    assert_eq!(Type::from_json(&odd.to_json()).unwrap(), odd);
    assert_eq!(odd.to_json(), serde_json::to_vec(&odd.to_json_value()).unwrap(), "escaped as serde_json does");
}

#[test]
fn type_json_rejects_malformed_descriptions() {
    for text in [
        "",
        "\"str\"",
        "[]",
        "[\"list\"]",
        "[\"list\",\"string\",\"extra\"]",
        "[\"map\",\"nope\"]",
        "[\"tuple\",\"string\"]",
        "[\"object\",[]]",
        "[\"object\",{},[\"missing\"]]",
        "[\"object\",{\"a\":\"bool\"},\"a\"]",
        "[\"graph\",\"string\"]",
        "42",
        "{\"list\":\"string\"}",
    ] {
        let error = Type::from_json(text.as_bytes()).unwrap_err();
        assert!(error.message.contains("type description"), "{text}: {error}");
    }
}

#[test]
fn type_display_is_friendly() {
    assert_eq!(Type::list(Type::set(Type::String)).to_string(), "list of set of string");
    assert_eq!(Type::map(Type::object([("a", Type::Bool)])).to_string(), "map of object");
    assert_eq!(settings_type().attribute_type("labels"), Some(&Type::map(Type::String)));
    assert_eq!(Type::list(Type::Bool).element_type(), Some(&Type::Bool));
    assert!(Type::list(Type::Dynamic).has_dynamic());
    assert!(!settings_type().has_dynamic());
}

// ---- Numbers ----

#[test]
fn numbers_compare_by_value() {
    let one = Value::from(1);
    assert_eq!(one, Value::Number(Number::parse("1.0").unwrap()));
    assert_eq!(one, Value::Number(Number::from_f64(1.0).unwrap()));
    assert_eq!(one, Value::Number("1e0".parse().unwrap()));
    assert_ne!(one, Value::from(2));
    assert_eq!(Value::from(7).as_i64(), Some(7));
    assert_eq!(Number::parse("2.5").unwrap().as_f64(), 2.5);
    assert!(Number::parse("1.5").unwrap() < Number::parse("10").unwrap());
}

// ---- Paths ----

#[test]
fn paths_build_and_display_like_terraform_references() {
    let path = AttributePath::root().attr("b2b_collaboration_inbound").attr("users_and_groups").attr("targets");
    assert_eq!(path.to_string(), "b2b_collaboration_inbound.users_and_groups.targets");
    let path = AttributePath::root().attr("labels").key("env \"x\"").index(3).attr("name");
    assert_eq!(path.to_string(), r#"labels["env \"x\""][3].name"#);
    assert_eq!(
        path.steps,
        vec![
            PathStep::Attribute("labels".into()),
            PathStep::ElementKeyString("env \"x\"".into()),
            PathStep::ElementKeyInt(3),
            PathStep::Attribute("name".into()),
        ]
    );
    assert_eq!(AttributePath::root().to_string(), "");
    assert!(AttributePath::root().is_root());
    assert_eq!(path.parent().to_string(), r#"labels["env \"x\""][3]"#);
    assert_eq!(path.last(), Some(&PathStep::Attribute("name".into())));
    assert!(path.starts_with(&AttributePath::root().attr("labels")));
    assert!(!path.starts_with(&AttributePath::root().attr("label")));
}

#[test]
fn at_path_finds_parts_and_reports_paths_that_do_not_fit() {
    let value = settings_value();
    let root = AttributePath::root();
    assert_eq!(value.at_path(&root), Some(&value));
    assert_eq!(
        value.at_path(&root.clone().attr("b2b_collaboration_inbound").attr("users_and_groups").attr("access_type")),
        Some(&Value::from("allowed"))
    );
    assert_eq!(value.at_path(&root.clone().attr("labels").key("env")), Some(&Value::from("prod")));
    assert_eq!(value.at_path(&root.clone().attr("order").index(0)), Some(&Value::from("AzureActiveDirectory")));
    assert_eq!(value.at_path(&root.clone().attr("order").index(1)), Some(&Value::Unknown));
    // Paths that do not fit.
    assert_eq!(value.at_path(&root.clone().attr("labels").key("missing")), None);
    assert_eq!(value.at_path(&root.clone().attr("order").index(2)), None);
    assert_eq!(value.at_path(&root.clone().attr("order").index(-1)), None);
    assert_eq!(value.at_path(&root.clone().attr("order").attr("x")), None);
    let targets = root.clone().attr("b2b_collaboration_inbound").attr("users_and_groups").attr("targets");
    assert_eq!(value.at_path(&targets.clone().index(0)), None, "sets have no element steps");
    // Inside null and unknown containers.
    let null_parent = Value::object([("inner", Value::Null)]);
    assert_eq!(null_parent.at_path(&root.clone().attr("inner").attr("deeper")), Some(&Value::Null));
    let unknown_parent = Value::object([("inner", Value::Unknown)]);
    assert_eq!(unknown_parent.at_path(&root.clone().attr("inner").index(4)), Some(&Value::Unknown));
    // A missing attribute is null, as get_attr says.
    assert_eq!(value.at_path(&root.attr("not_set")), Some(&Value::Null));
}

#[test]
fn at_path_mut_sets_parts_and_creates_missing_attributes() {
    let mut value = settings_value();
    let access = AttributePath::root().attr("b2b_collaboration_inbound").attr("users_and_groups").attr("access_type");
    *value.at_path_mut(&access).unwrap() = Value::from("blocked");
    assert_eq!(value.at_path(&access), Some(&Value::from("blocked")));
    *value.at_path_mut(&AttributePath::root().attr("order").index(1)).unwrap() = Value::from("x");
    assert_eq!(value.get_attr("order"), &Value::list([Value::from("AzureActiveDirectory"), Value::from("x")]));
    *value.at_path_mut(&AttributePath::root().attr("new_attribute")).unwrap() = Value::from(true);
    assert_eq!(value.get_attr("new_attribute"), &Value::from(true));
    // No place inside a null, a missing map key or an index out of range.
    assert!(value.at_path_mut(&AttributePath::root().attr("labels").key("missing")).is_none());
    assert!(value.at_path_mut(&AttributePath::root().attr("order").index(9)).is_none());
    let mut with_null = Value::object([("inner", Value::Null)]);
    assert!(with_null.at_path_mut(&AttributePath::root().attr("inner").attr("x")).is_none());
    // Dynamic wrappers are looked through.
    let mut wrapped =
        Value::object([("d", Value::Dynamic(Type::list(Type::Bool), Box::new(Value::list([Value::from(true)]))))]);
    *wrapped.at_path_mut(&AttributePath::root().attr("d").index(0)).unwrap() = Value::from(false);
    assert_eq!(wrapped.get_attr("d").as_elements(), Some(&[Value::from(false)][..]));
}

// ---- Helpers ----

#[test]
fn accessors_and_knownness() {
    let value = settings_value();
    assert_eq!(value.get_attr("tenant_id").as_str(), Some("t"));
    assert_eq!(value.get_attr("missing"), &Value::Null);
    assert_eq!(Value::Unknown.get_attr("x"), &Value::Unknown);
    assert_eq!(Value::Null.get_attr("x"), &Value::Null);
    assert_eq!(value.get_attr("order").as_elements().map(<[Value]>::len), Some(2));
    assert_eq!(value.get_attr("labels").as_map().map(|map| map.len()), Some(1));
    assert_eq!(value.attributes().map(|attributes| attributes.len()), Some(4));
    assert_eq!(Value::from(true).as_bool(), Some(true));
    assert_eq!(Value::from(Some("x")), Value::from("x"));
    assert_eq!(Value::from(None::<bool>), Value::Null);

    assert!(value.is_known());
    assert!(!value.is_fully_known(), "the list holds an unknown");
    assert!(value.get_attr("tenant_id").is_fully_known());
    assert!(Value::Unknown.is_unknown() && !Value::Unknown.is_known());
    assert!(Value::Null.is_null() && Value::Null.is_fully_known());

    let wrapped = Value::Dynamic(Type::String, Box::new(Value::from("x")));
    assert_eq!(wrapped.as_str(), Some("x"));
    let wrapped_null = Value::Dynamic(Type::String, Box::new(Value::Null));
    assert!(wrapped_null.is_null());
    let wrapped_unknown = Value::Dynamic(Type::String, Box::new(Value::Unknown));
    assert!(wrapped_unknown.is_unknown() && !wrapped_unknown.is_fully_known());

    assert_eq!(
        Value::object_of_nulls(&Type::object([("a", Type::String), ("b", Type::Bool)])),
        Value::object([("a", Value::Null), ("b", Value::Null)])
    );
    assert_eq!(Value::object_of_nulls(&Type::String), Value::Null);
}

// ---- Equality ----

#[test]
fn set_equality_ignores_order_and_counts_duplicates() {
    let a = Value::set([Value::from("x"), Value::from("y"), Value::from("y")]);
    let b = Value::set([Value::from("y"), Value::from("x"), Value::from("y")]);
    let c = Value::set([Value::from("y"), Value::from("x"), Value::from("x")]);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(Value::set([Value::from("x")]), Value::list([Value::from("x")]));
    // Lists keep their order.
    assert_ne!(Value::list([Value::from(1), Value::from(2)]), Value::list([Value::from(2), Value::from(1)]));
    // Sets of sets.
    let nested_a = Value::set([Value::set([Value::from(1), Value::from(2)]), Value::set([])]);
    let nested_b = Value::set([Value::set([]), Value::set([Value::from(2), Value::from(1)])]);
    assert_eq!(nested_a, nested_b);
}

#[test]
fn a_missing_object_attribute_equals_a_null_one() {
    assert_eq!(Value::object([("a", Value::Null)]), Value::object(Vec::<(String, Value)>::new()));
    assert_ne!(Value::object([("a", Value::from(1))]), Value::object(Vec::<(String, Value)>::new()));
    // Maps are data: a missing key is not a null entry.
    assert_ne!(Value::map([("a", Value::Null)]), Value::map(Vec::<(String, Value)>::new()));
}

#[test]
fn semantic_equality_looks_through_dynamic_wrappers() {
    let plain = Value::list([Value::from("a")]);
    let wrapped = Value::Dynamic(Type::list(Type::String), Box::new(plain.clone()));
    assert_ne!(plain, wrapped);
    assert!(plain.semantically_equal(&wrapped));
    assert!(!Value::Unknown.semantically_equal(&Value::Null));
    assert!(Value::Unknown.semantically_equal(&Value::Unknown));
    let set_a = Value::set([wrapped.clone(), Value::Null]);
    let set_b = Value::set([Value::Null, plain]);
    assert!(set_a.semantically_equal(&set_b));
}

#[test]
fn large_set_comparison_is_fast_even_when_reversed() {
    let elements: Vec<Value> = (0..1000).map(|index| Value::from(format!("target-{index}"))).collect();
    let forward = Value::set(elements.clone());
    let backward = Value::set(elements.into_iter().rev());
    let started = std::time::Instant::now();
    assert_eq!(forward, backward);
    assert!(started.elapsed() < std::time::Duration::from_millis(500), "took {:?}", started.elapsed());
}

// ---- Walking ----

#[test]
fn walk_visits_every_attribute_with_its_path_and_type() {
    let ty = settings_type();
    let value = settings_value();
    let mut seen = Vec::new();
    value.walk(&ty, &mut |path, part, part_type| {
        seen.push((path.to_string(), part_type.to_string(), part.is_unknown()));
    });
    let expected = [
        ("", "object", false),
        ("b2b_collaboration_inbound", "object", false),
        ("b2b_collaboration_inbound.users_and_groups", "object", false),
        ("b2b_collaboration_inbound.users_and_groups.access_type", "string", false),
        ("b2b_collaboration_inbound.users_and_groups.targets", "set of object", false),
        // The set's element, visited at the set's own path, then its attributes below it.
        ("b2b_collaboration_inbound.users_and_groups.targets", "object", false),
        ("b2b_collaboration_inbound.users_and_groups.targets.target", "string", false),
        ("b2b_collaboration_inbound.users_and_groups.targets.target_type", "string", false),
        ("labels", "map of string", false),
        ("labels[\"env\"]", "string", false),
        ("order", "list of string", false),
        ("order[0]", "string", false),
        ("order[1]", "string", true),
        ("tenant_id", "string", false),
    ];
    let expected: Vec<(String, String, bool)> =
        expected.iter().map(|(path, ty, unknown)| (path.to_string(), ty.to_string(), *unknown)).collect();
    assert_eq!(seen, expected);
}

#[test]
fn walk_visits_missing_attributes_as_null_and_dynamic_values_with_their_type() {
    let ty = Type::object([("a", Type::String), ("d", Type::Dynamic)]);
    let value =
        Value::object([("d", Value::Dynamic(Type::list(Type::Bool), Box::new(Value::list([Value::from(true)]))))]);
    let mut seen = Vec::new();
    value.walk(&ty, &mut |path, part, part_type| seen.push((path.to_string(), part_type.clone(), part.clone())));
    assert_eq!(seen[1], ("a".to_owned(), Type::String, Value::Null));
    assert_eq!(seen[2], ("d".to_owned(), Type::list(Type::Bool), Value::list([Value::from(true)])));
    assert_eq!(seen[3], ("d[0]".to_owned(), Type::Bool, Value::from(true)));
    assert_eq!(seen.len(), 4);
}

#[test]
fn walk_mut_can_mark_computed_attributes_unknown() {
    let ty = Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("nested", Type::object([("computed_flag", Type::Bool), ("given", Type::Bool)])),
    ]);
    let computed = [AttributePath::root().attr("id"), AttributePath::root().attr("nested").attr("computed_flag")];
    // As planning does on create: computed attributes that are null become unknown. `id` is missing altogether.
    let mut planned = Value::object([
        ("name", Value::from("n")),
        ("nested", Value::object([("computed_flag", Value::Null), ("given", Value::from(true))])),
    ]);
    planned.walk_mut(&ty, &mut |path, part, _| {
        if part.is_null() && computed.contains(path) {
            *part = Value::Unknown;
        }
    });
    assert_eq!(
        planned,
        Value::object([
            ("id", Value::Unknown),
            ("name", Value::from("n")),
            ("nested", Value::object([("computed_flag", Value::Unknown), ("given", Value::from(true))])),
        ])
    );
    // The result encodes with its type.
    assert!(msgpack::encode(&planned, &ty).is_ok());
}

#[test]
fn walk_mut_enters_replacement_values() {
    let ty = Type::object([("inner", Type::object([("x", Type::String)]))]);
    let mut value = Value::object([("inner", Value::Null)]);
    let mut visited = Vec::new();
    value.walk_mut(&ty, &mut |path, part, part_type| {
        visited.push(path.to_string());
        if path.to_string() == "inner" {
            *part = Value::object_of_nulls(part_type);
        }
    });
    assert_eq!(visited, ["", "inner", "inner.x"]);
}
