//! Shared helpers for the value-layer tests: proptest strategies for types and values, and a reader for the
//! annotated hex fixtures.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use proptest::prelude::*;
use tfplugin::value::{Number, Type, Value};

/// Attribute names: mostly identifiers, sometimes anything (quotes, unicode, empty).
fn name() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[a-z_][a-z0-9_]{0,7}", 1 => ".{0,6}"]
}

/// Arbitrary types, nested at most `depth` levels.
pub fn any_type(depth: u32) -> BoxedStrategy<Type> {
    let leaf = prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String), Just(Type::Dynamic)];
    leaf.prop_recursive(depth, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Type::Tuple),
            prop::collection::btree_map(name(), inner, 0..4)
                .prop_flat_map(|attributes| {
                    let flags = prop::collection::vec(any::<bool>(), attributes.len());
                    (Just(attributes), flags)
                })
                .prop_map(|(attributes, flags)| {
                    let optional: BTreeSet<String> = attributes
                        .keys()
                        .zip(flags)
                        .filter(|(_, optional)| *optional)
                        .map(|(name, _)| name.clone())
                        .collect();
                    Type::Object { attributes, optional }
                }),
        ]
    })
    .boxed()
}

/// A type that can be the concrete type of a dynamic value (anything but `dynamic` itself at the top).
pub fn concrete_type(depth: u32) -> BoxedStrategy<Type> {
    any_type(depth).prop_filter("a dynamic value needs a concrete type", |ty| *ty != Type::Dynamic).boxed()
}

/// Numbers in every form they arrive in: integers, floats and long decimals.
pub fn any_number() -> BoxedStrategy<Number> {
    prop_oneof![
        // Dyadic fractions, some beyond 2^53: exactly representable floats that are not integers, which cty sends
        // as float64.
        (any::<i64>(), 1..60_u32).prop_map(|(mantissa, shift)| {
            Number::from_f64_exact(mantissa as f64 / f64::from(2_u32).powi(shift as i32)).unwrap()
        }),
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>()
            .prop_filter("finite", |float| float.is_finite())
            .prop_map(|float| Number::from_f64(float).unwrap()),
        "-?[0-9]{1,30}(\\.[0-9]{1,30})?".prop_map(|text| Number::parse(&text).unwrap()),
    ]
    .boxed()
}

/// Values of type `ty`, with null (and unknown, when allowed) possible at every depth.
pub fn value_of(ty: &Type, allow_unknown: bool) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => any_number().prop_map(Value::Number).boxed(),
        Type::String => ".{0,12}".prop_map(Value::String).boxed(),
        Type::List(element) => {
            prop::collection::vec(value_of(element, allow_unknown), 0..4).prop_map(Value::List).boxed()
        }
        Type::Set(element) => {
            prop::collection::vec(value_of(element, allow_unknown), 0..4).prop_map(Value::Set).boxed()
        }
        Type::Map(element) => {
            prop::collection::btree_map(".{0,6}", value_of(element, allow_unknown), 0..4).prop_map(Value::Map).boxed()
        }
        Type::Tuple(elements) => elements
            .iter()
            .map(|element| value_of(element, allow_unknown))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Object { attributes, .. } => attributes
            .iter()
            .map(|(name, ty)| (Just(name.clone()), value_of(ty, allow_unknown)))
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
            .boxed(),
        Type::Dynamic => concrete_type(2)
            .prop_flat_map(move |ty| {
                value_of(&ty, allow_unknown).prop_map(move |value| Value::Dynamic(ty.clone(), Box::new(value)))
            })
            .boxed(),
    };
    if allow_unknown {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
    }
}

/// A type together with a value of it.
pub fn typed_value(allow_unknown: bool) -> BoxedStrategy<(Type, Value)> {
    any_type(3)
        .prop_flat_map(move |ty| {
            let value = value_of(&ty, allow_unknown);
            (Just(ty), value)
        })
        .boxed()
}

/// The path of a fixture file under `tests/fixtures/value/`.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/value").join(name)
}

/// Reads an annotated hex fixture: hex byte pairs separated by whitespace, with `#` starting a comment.
pub fn read_hex_fixture(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(fixture_path(name)).unwrap_or_else(|error| panic!("{name}: {error}"));
    let mut bytes = Vec::new();
    for line in text.lines() {
        let data = line.split('#').next().unwrap_or("");
        for pair in data.split_whitespace() {
            let byte = u8::from_str_radix(pair, 16).unwrap_or_else(|_| panic!("{name}: {pair:?} is not a hex byte"));
            bytes.push(byte);
        }
    }
    bytes
}

/// Reads a text fixture.
pub fn read_text_fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// Writes bytes as lowercase hex, for readable assertion messages.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect::<Vec<_>>().join(" ")
}
