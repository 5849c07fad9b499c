//! Property tests for the value layer: codecs round-trip every type with null and unknown at every depth, type
//! descriptions round-trip, and no input, however hostile, makes a decoder panic.

mod value_support;

use proptest::prelude::*;
use tfplugin::value::{Type, Value, json, msgpack};
use value_support::{any_type, typed_value};

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn msgpack_round_trips_any_value((ty, value) in typed_value(true)) {
        let bytes = msgpack::encode(&value, &ty).map_err(|error| TestCaseError::fail(error.to_string()))?;
        let decoded = msgpack::decode(&bytes, &ty).map_err(|error| TestCaseError::fail(error.to_string()))?;
        prop_assert_eq!(&decoded, &value);
        // Encoding is deterministic, so the decoded value gives back the same bytes.
        prop_assert_eq!(msgpack::encode(&decoded, &ty).unwrap(), bytes);
    }

    #[test]
    fn json_round_trips_any_known_value((ty, value) in typed_value(false)) {
        let bytes = json::encode(&value, &ty).map_err(|error| TestCaseError::fail(error.to_string()))?;
        // What we write is valid JSON by serde_json's reading too.
        let valid = serde_json::from_slice::<serde_json::Value>(&bytes).is_ok();
        prop_assert!(valid, "{}", String::from_utf8_lossy(&bytes));
        let decoded = json::decode(&bytes, &ty).map_err(|error| TestCaseError::fail(error.to_string()))?;
        prop_assert_eq!(&decoded, &value);
    }

    #[test]
    fn json_refuses_values_with_unknowns((ty, value) in typed_value(true)) {
        let encoded = json::encode(&value, &ty);
        prop_assert_eq!(encoded.is_ok(), value.is_fully_known());
    }

    #[test]
    fn msgpack_and_json_agree((ty, value) in typed_value(false)) {
        let via_msgpack = msgpack::decode(&msgpack::encode(&value, &ty).unwrap(), &ty).unwrap();
        let via_json = json::decode(&json::encode(&value, &ty).unwrap(), &ty).unwrap();
        prop_assert_eq!(via_msgpack, via_json);
    }

    #[test]
    fn type_descriptions_round_trip(ty in any_type(4)) {
        let bytes = ty.to_json();
        prop_assert_eq!(Type::from_json(&bytes).unwrap(), ty.clone());
        // The compact form is exactly what serde_json writes for the same description.
        prop_assert_eq!(serde_json::to_vec(&ty.to_json_value()).unwrap(), bytes);
    }

    #[test]
    fn msgpack_decoding_arbitrary_bytes_never_panics(
        ty in any_type(3),
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let _ = msgpack::decode(&bytes, &ty);
    }

    #[test]
    fn msgpack_decoding_corrupted_values_never_panics(
        (ty, value) in typed_value(true),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = msgpack::encode(&value, &ty).unwrap();
        for (position, byte) in flips {
            let index = position.index(bytes.len());
            bytes[index] = byte;
        }
        let _ = msgpack::decode(&bytes, &ty);
        let truncated = cut.index(bytes.len());
        let _ = msgpack::decode(&bytes[..truncated], &ty);
    }

    #[test]
    fn json_decoding_arbitrary_text_never_panics(ty in any_type(3), text in "[\\[\\]{}\",:0-9eE.+\\-a-z\\\\ ]{0,48}") {
        let _ = json::decode(text.as_bytes(), &ty);
        let _ = json::decode(text.as_bytes(), &Type::Dynamic);
    }

    #[test]
    fn json_decoding_corrupted_values_never_panics(
        (ty, value) in typed_value(false),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = json::encode(&value, &ty).unwrap();
        for (position, byte) in flips {
            let index = position.index(bytes.len());
            bytes[index] = byte;
        }
        let _ = json::decode(&bytes, &ty);
    }

    #[test]
    fn type_parsing_arbitrary_text_never_panics(text in "[\\[\\]{}\",a-z ]{0,40}") {
        let _ = Type::from_json(text.as_bytes());
    }

    #[test]
    fn set_equality_ignores_order((ty, value) in typed_value(true), seed in any::<u64>()) {
        let shuffled = shuffle_sets(&value, seed);
        prop_assert_eq!(&shuffled, &value);
        prop_assert!(shuffled.semantically_equal(&value));
        let _ = ty;
    }
}

/// The value with every set's elements rotated by an amount derived from `seed`.
fn shuffle_sets(value: &Value, seed: u64) -> Value {
    match value {
        Value::Set(elements) => {
            let mut elements: Vec<Value> = elements.iter().map(|element| shuffle_sets(element, seed)).collect();
            if !elements.is_empty() {
                let by = (seed as usize) % elements.len();
                elements.rotate_left(by);
                if seed.is_multiple_of(2) {
                    elements.reverse();
                }
            }
            Value::Set(elements)
        }
        Value::List(elements) => Value::List(elements.iter().map(|element| shuffle_sets(element, seed)).collect()),
        Value::Tuple(elements) => Value::Tuple(elements.iter().map(|element| shuffle_sets(element, seed)).collect()),
        Value::Map(entries) => {
            Value::Map(entries.iter().map(|(key, element)| (key.clone(), shuffle_sets(element, seed))).collect())
        }
        Value::Object(entries) => {
            Value::Object(entries.iter().map(|(key, element)| (key.clone(), shuffle_sets(element, seed))).collect())
        }
        Value::Dynamic(ty, inner) => Value::Dynamic(ty.clone(), Box::new(shuffle_sets(inner, seed))),
        other => other.clone(),
    }
}
