//! Fuzzing the value decoders with structure-aware inputs: whatever Terraform (or anything else that reaches the
//! socket past TLS) sends, decoding must end in a value or an error, never in a panic, an abort, a hang or an
//! allocation sized by an attacker.
//!
//! `value_properties.rs` feeds the decoders short random byte strings and corrupted encodings. This file goes
//! further: well-formed msgpack and JSON documents of any shape and content decoded against any type (so the
//! decoders' type dispatch is exercised rather than the parsers' first byte), splices of valid encodings, and
//! deterministic adversarial cases (declared lengths of 4 GiB, nesting 100,000 deep, numbers beyond every range).
//!
//! The case counts come from proptest's defaults (256 per property) so CI stays fast; a long run is
//! `PROPTEST_CASES=200000 cargo test -p tfplugin --test fuzz_values --release` (see docs/reliability.md).

mod value_support;

use proptest::prelude::*;
use tfplugin::value::{Type, Value, json, msgpack};
use value_support::any_type;

/// Any msgpack document: every msgpack kind, including the extension types cty uses for unknowns and refinements,
/// nested up to four levels.
fn any_msgpack() -> impl Strategy<Value = rmpv::Value> {
    let leaf = prop_oneof![
        Just(rmpv::Value::Nil),
        any::<bool>().prop_map(rmpv::Value::Boolean),
        any::<i64>().prop_map(rmpv::Value::from),
        any::<u64>().prop_map(rmpv::Value::from),
        any::<f32>().prop_map(rmpv::Value::F32),
        any::<f64>().prop_map(rmpv::Value::F64),
        ".{0,12}".prop_map(rmpv::Value::from),
        "[0-9eE.+-]{1,24}".prop_map(rmpv::Value::from),
        prop::collection::vec(any::<u8>(), 0..16).prop_map(rmpv::Value::Binary),
        (any::<i8>(), prop::collection::vec(any::<u8>(), 0..8)).prop_map(|(t, d)| rmpv::Value::Ext(t, d)),
        // Type descriptions, as dynamic values carry them.
        prop_oneof![
            Just(r#""string""#),
            Just(r#""number""#),
            Just(r#"["list","string"]"#),
            Just(r#"["object",{"a":"bool"}]"#),
            Just(r#""dynamic""#),
        ]
        .prop_map(|t| rmpv::Value::Binary(t.as_bytes().to_vec())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(rmpv::Value::Array),
            prop::collection::vec((prop_oneof![".{0,6}".prop_map(rmpv::Value::from), inner.clone()], inner), 0..6)
                .prop_map(rmpv::Value::Map),
        ]
    })
}

fn to_bytes(value: &rmpv::Value) -> Vec<u8> {
    let mut bytes = Vec::new();
    rmpv::encode::write_value(&mut bytes, value).expect("writing to a Vec cannot fail");
    bytes
}

/// Any JSON document, with numbers written in every way JSON allows (and then some).
fn any_json() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| serde_json::to_string(&n).unwrap_or_else(|_| "0".to_owned())),
        "-?[0-9]{1,40}(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,6})?",
        ".{0,10}".prop_map(|s| serde_json::to_string(&s).expect("strings serialize")),
        "\\\\u[dD][89abAB][0-9a-f]{2}".prop_map(|s| format!("\"{s}\"")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec((".{0,6}", inner), 0..6).prop_map(|members| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(k, v)| format!("{}:{v}", serde_json::to_string(&k).expect("strings serialize")))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

proptest! {
    #[test]
    fn msgpack_documents_of_any_shape_decode_or_fail_cleanly(document in any_msgpack(), ty in any_type(3)) {
        let bytes = to_bytes(&document);
        if let Ok(value) = msgpack::decode(&bytes, &ty) {
            // Whatever decodes is a value of the type: it encodes, and decodes to itself again.
            let again = msgpack::encode(&value, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(msgpack::decode(&again, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?, value);
        }
        let _ = msgpack::decode(&bytes, &Type::Dynamic);
    }

    #[test]
    fn json_documents_of_any_shape_decode_or_fail_cleanly(text in any_json(), ty in any_type(3)) {
        if let Ok(value) = json::decode(text.as_bytes(), &ty)
            && value.is_fully_known()
        {
            let again = json::encode(&value, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(json::decode(&again, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?, value);
        }
        let _ = json::decode(text.as_bytes(), &Type::Dynamic);
        let _ = Type::from_json(text.as_bytes());
    }

    #[test]
    fn splices_of_valid_encodings_never_panic(
        a in any_msgpack(),
        b in any_msgpack(),
        at in any::<prop::sample::Index>(),
        ty in any_type(3),
    ) {
        // Half of one document followed by another: lengths and contents disagree in every possible way.
        let first = to_bytes(&a);
        let second = to_bytes(&b);
        let cut = at.index(first.len() + 1);
        let mut bytes = first[..cut].to_vec();
        bytes.extend_from_slice(&second);
        let _ = msgpack::decode(&bytes, &ty);
        let _ = msgpack::decode(&bytes, &Type::Dynamic);
    }

    #[test]
    fn long_random_inputs_never_panic(bytes in prop::collection::vec(any::<u8>(), 64..2048), ty in any_type(2)) {
        let _ = msgpack::decode(&bytes, &ty);
        let _ = json::decode(&bytes, &ty);
        let _ = Type::from_json(&bytes);
    }
}

/// Decoding `bytes` must fail (with an error, not a crash), and quickly.
#[track_caller]
fn refused_msgpack(bytes: &[u8], ty: &Type) {
    let started = std::time::Instant::now();
    assert!(msgpack::decode(bytes, ty).is_err(), "{:02x?} decoded as {ty:?}", &bytes[..bytes.len().min(16)]);
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "took {:?}", started.elapsed());
}

#[test]
fn declared_lengths_beyond_the_data_allocate_nothing() {
    let huge = [0xff, 0xff, 0xff, 0xff];
    for (marker, ty) in [
        (0xdd, Type::list(Type::String)), // array 32
        (0xdf, Type::map(Type::String)),  // map 32
        (0xdb, Type::String),             // str 32
        (0xc6, Type::String),             // bin 32
        (0xc9, Type::Dynamic),            // ext 32
    ] {
        let mut bytes = vec![marker];
        bytes.extend_from_slice(&huge);
        refused_msgpack(&bytes, &ty);
        refused_msgpack(&bytes, &Type::Dynamic);
    }
    // 2^16-element arrays of nothing, nested.
    let mut bytes = Vec::new();
    for _ in 0..64 {
        bytes.extend_from_slice(&[0xdc, 0xff, 0xff]);
    }
    refused_msgpack(&bytes, &Type::Dynamic);
}

#[test]
fn nesting_a_hundred_thousand_deep_is_refused_without_exhausting_the_stack() {
    const DEPTH: usize = 100_000;
    // msgpack: arrays in arrays, as a dynamic value and as a deeply nested list type.
    let mut bytes = vec![0x91; DEPTH];
    bytes.push(0xc0);
    refused_msgpack(&bytes, &Type::Dynamic);
    let deep_list = (0..200).fold(Type::String, |ty, _| Type::list(ty));
    refused_msgpack(&bytes, &deep_list);

    // JSON: arrays in arrays, objects in objects.
    let arrays = format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    assert!(json::decode(arrays.as_bytes(), &Type::Dynamic).is_err());
    assert!(json::decode(arrays.as_bytes(), &deep_list).is_err());
    let objects = format!("{}1{}", "{\"a\":".repeat(DEPTH), "}".repeat(DEPTH));
    assert!(json::decode(objects.as_bytes(), &Type::Dynamic).is_err());

    // A dynamic value whose type description is nested that deep.
    let type_json = format!("{}\"string\"{}", "[\"list\",".repeat(DEPTH), "]".repeat(DEPTH));
    assert!(Type::from_json(type_json.as_bytes()).is_err());
    let mut dynamic = vec![0x92, 0xc6];
    dynamic.extend_from_slice(&(type_json.len() as u32).to_be_bytes());
    dynamic.extend_from_slice(type_json.as_bytes());
    dynamic.push(0xc0);
    refused_msgpack(&dynamic, &Type::Dynamic);
}

#[test]
fn numbers_beyond_every_range_are_errors_or_exact_values() {
    for text in ["1e999999999", "-1e999999999", "1e-999999999", "123456789012345678901234567890123456789", "-0", "0e0"]
    {
        // Either refused, or kept exactly (numbers are arbitrary precision): never a panic, never a silent NaN.
        if let Ok(Value::Number(number)) = json::decode(text.as_bytes(), &Type::Number) {
            let again = json::encode(&Value::Number(number.clone()), &Type::Number).expect("numbers encode");
            assert_eq!(json::decode(&again, &Type::Number).expect("and decode"), Value::Number(number), "{text}");
        }
    }
    for float in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let bytes = to_bytes(&rmpv::Value::F64(float));
        refused_msgpack(&bytes, &Type::Number);
    }
    for text in ["NaN", "Infinity", "0x10", "1_000", "", " 1", "1e", "--1"] {
        let bytes = to_bytes(&rmpv::Value::from(text));
        refused_msgpack(&bytes, &Type::Number);
    }
}
