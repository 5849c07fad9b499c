//! An ordered JSON value for response bodies.
//!
//! `serde_json::Value` sorts object keys (the workspace does not enable `preserve_order`, and enabling it here would
//! change map ordering for every crate built together with the emulator). Graph responses have a documented key
//! order (graph-api.md §5), so response bodies are built as [`Json`], whose objects keep insertion order.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A JSON value whose objects keep their keys in insertion order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Builds an object from `(key, value)` pairs, keeping their order.
    pub(crate) fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Json)>) -> Json {
        Json::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A JSON string.
    pub(crate) fn str(value: impl Into<String>) -> Json {
        Json::String(value.into())
    }

    /// Converts an unordered `serde_json::Value` (object keys come out sorted).
    pub(crate) fn from_value(value: &Value) -> Json {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(s.clone()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from_value).collect()),
            Value::Object(map) => Json::Object(map.iter().map(|(k, v)| (k.clone(), Json::from_value(v))).collect()),
        }
    }

    /// Converts to an unordered `serde_json::Value`.
    #[cfg(test)]
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(pairs) => Value::Object(pairs.iter().map(|(k, v)| (k.clone(), v.to_value())).collect()),
        }
    }

    /// Puts `key` first in an object (used for `@odata.context`, which always leads).
    pub(crate) fn with_leading(self, key: &str, value: Json) -> Json {
        match self {
            Json::Object(mut pairs) => {
                pairs.retain(|(k, _)| k != key);
                pairs.insert(0, (key.to_owned(), value));
                Json::Object(pairs)
            }
            other => other,
        }
    }

    /// Serialises to compact JSON bytes.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        // Serialising this type cannot fail: every key is a string and every number came from serde_json.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Number(n) => n.serialize(serializer),
            Json::String(s) => serializer.serialize_str(s),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(pairs) => {
                let mut map = serializer.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_insertion_order() {
        let json = Json::object([("b", Json::Null), ("a", Json::Bool(true))]);
        assert_eq!(String::from_utf8(json.to_bytes()).unwrap(), r#"{"b":null,"a":true}"#);
    }

    #[test]
    fn leading_key_is_moved_to_the_front() {
        let json = Json::object([("a", Json::Null), ("ctx", Json::Null)]).with_leading("ctx", Json::str("x"));
        assert_eq!(String::from_utf8(json.to_bytes()).unwrap(), r#"{"ctx":"x","a":null}"#);
    }

    #[test]
    fn round_trips_through_value() {
        let value = serde_json::json!({"x": [1, "two", {"y": null}], "z": false});
        assert_eq!(Json::from_value(&value).to_value(), value);
    }
}
