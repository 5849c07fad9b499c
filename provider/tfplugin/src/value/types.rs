//! Terraform type constraints and their JSON form.
//!
//! Terraform describes types in JSON wherever a type travels as data: in `Schema.Attribute.type`, inside msgpack
//! dynamic values, and in the `{"value", "type"}` wrapper of JSON state. Primitives are strings (`"string"`,
//! `"number"`, `"bool"`, `"dynamic"`); everything else is an array whose first element names the kind:
//! `["list", T]`, `["set", T]`, `["map", T]`, `["tuple", [T, ...]]` and `["object", {"name": T, ...}]`, where an
//! object may have a third element listing its optional attributes. We write this form compactly with object keys
//! and optional names sorted, so the same type always gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::ValueError;

/// A Terraform type constraint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// `"bool"`
    Bool,
    /// `"number"`
    Number,
    /// `"string"`
    String,
    /// `"dynamic"`: the concrete type travels with the value.
    Dynamic,
    /// `["list", T]`
    List(Box<Type>),
    /// `["set", T]`
    Set(Box<Type>),
    /// `["map", T]`
    Map(Box<Type>),
    /// `["object", {name: T}, [optional names]]`
    Object {
        /// The attribute types, by name.
        attributes: BTreeMap<String, Type>,
        /// Attributes marked optional in the type constraint (the third element of the JSON form).
        optional: BTreeSet<String>,
    },
    /// `["tuple", [T...]]`
    Tuple(Vec<Type>),
}

impl Type {
    /// `["list", element]`
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// `["set", element]`
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    /// `["map", element]`
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// An object type with no optional attributes.
    pub fn object<N: Into<String>>(attributes: impl IntoIterator<Item = (N, Type)>) -> Type {
        Type::Object {
            attributes: attributes.into_iter().map(|(name, ty)| (name.into(), ty)).collect(),
            optional: BTreeSet::new(),
        }
    }

    /// The element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(element) | Type::Set(element) | Type::Map(element) => Some(element),
            _ => None,
        }
    }

    /// The type of an object's attribute.
    pub fn attribute_type(&self, name: &str) -> Option<&Type> {
        match self {
            Type::Object { attributes, .. } => attributes.get(name),
            _ => None,
        }
    }

    /// True when `dynamic` appears anywhere in the type.
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::Bool | Type::Number | Type::String => false,
            Type::List(element) | Type::Set(element) | Type::Map(element) => element.has_dynamic(),
            Type::Object { attributes, .. } => attributes.values().any(Type::has_dynamic),
            Type::Tuple(elements) => elements.iter().any(Type::has_dynamic),
        }
    }

    /// The type's friendly name with an article, for messages: `a string`, `a list of bool`, `an object`.
    pub(crate) fn with_article(&self) -> String {
        match self {
            Type::Object { .. } => "an object".to_owned(),
            other => format!("a {other}"),
        }
    }

    /// Parses the JSON type-constraint form.
    pub fn from_json(bytes: &[u8]) -> Result<Type, ValueError> {
        let json: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|error| ValueError::at_root(format!("the type description is not valid JSON: {error}")))?;
        Type::from_json_value(&json)
    }

    /// Parses the JSON type-constraint form from an already parsed JSON value.
    pub fn from_json_value(json: &serde_json::Value) -> Result<Type, ValueError> {
        use serde_json::Value as Json;
        let invalid = |what: &str| ValueError::at_root(format!("invalid type description: {what}"));
        match json {
            Json::String(name) => match name.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(invalid(&format!("unknown primitive type {other:?}"))),
            },
            Json::Array(parts) => {
                let Some(Json::String(kind)) = parts.first() else {
                    return Err(invalid("a complex type must start with its kind name"));
                };
                let expect_len = |len: usize| {
                    if parts.len() == len {
                        Ok(())
                    } else {
                        Err(invalid(&format!("{kind:?} takes {} argument(s)", len - 1)))
                    }
                };
                match kind.as_str() {
                    "list" | "set" | "map" => {
                        expect_len(2)?;
                        let element = Box::new(Type::from_json_value(&parts[1])?);
                        Ok(match kind.as_str() {
                            "list" => Type::List(element),
                            "set" => Type::Set(element),
                            _ => Type::Map(element),
                        })
                    }
                    "tuple" => {
                        expect_len(2)?;
                        let Json::Array(elements) = &parts[1] else {
                            return Err(invalid("a tuple's element types must be an array"));
                        };
                        elements.iter().map(Type::from_json_value).collect::<Result<_, _>>().map(Type::Tuple)
                    }
                    "object" => {
                        if parts.len() != 2 && parts.len() != 3 {
                            return Err(invalid(
                                "\"object\" takes attribute types and optionally a list of optional attributes",
                            ));
                        }
                        let Json::Object(members) = &parts[1] else {
                            return Err(invalid("an object's attribute types must be a JSON object"));
                        };
                        let attributes = members
                            .iter()
                            .map(|(name, ty)| Ok((name.clone(), Type::from_json_value(ty)?)))
                            .collect::<Result<BTreeMap<_, _>, ValueError>>()?;
                        let mut optional = BTreeSet::new();
                        if let Some(names) = parts.get(2) {
                            let Json::Array(names) = names else {
                                return Err(invalid("an object's optional attributes must be an array of names"));
                            };
                            for name in names {
                                let Json::String(name) = name else {
                                    return Err(invalid("an object's optional attributes must be an array of names"));
                                };
                                if !attributes.contains_key(name) {
                                    return Err(invalid(&format!("optional attribute {name:?} is not an attribute")));
                                }
                                optional.insert(name.clone());
                            }
                        }
                        Ok(Type::Object { attributes, optional })
                    }
                    other => Err(invalid(&format!("unknown type kind {other:?}"))),
                }
            }
            _ => Err(invalid("expected a type name or a [kind, ...] array")),
        }
    }

    /// The JSON type-constraint form, compact, with object keys and optional names sorted.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::new();
        self.write_json(&mut out);
        out.into_bytes()
    }

    /// The JSON type-constraint form as a parsed JSON value.
    pub fn to_json_value(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        let kind = |name: &str, argument: Json| Json::Array(vec![Json::String(name.to_owned()), argument]);
        match self {
            Type::Bool => Json::String("bool".to_owned()),
            Type::Number => Json::String("number".to_owned()),
            Type::String => Json::String("string".to_owned()),
            Type::Dynamic => Json::String("dynamic".to_owned()),
            Type::List(element) => kind("list", element.to_json_value()),
            Type::Set(element) => kind("set", element.to_json_value()),
            Type::Map(element) => kind("map", element.to_json_value()),
            Type::Tuple(elements) => kind("tuple", Json::Array(elements.iter().map(Type::to_json_value).collect())),
            Type::Object { attributes, optional } => {
                let members = attributes.iter().map(|(name, ty)| (name.clone(), ty.to_json_value())).collect();
                let mut parts = vec![Json::String("object".to_owned()), Json::Object(members)];
                if !optional.is_empty() {
                    parts.push(Json::Array(optional.iter().cloned().map(Json::String).collect()));
                }
                Json::Array(parts)
            }
        }
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Type::Bool => out.push_str("\"bool\""),
            Type::Number => out.push_str("\"number\""),
            Type::String => out.push_str("\"string\""),
            Type::Dynamic => out.push_str("\"dynamic\""),
            Type::List(element) | Type::Set(element) | Type::Map(element) => {
                out.push_str(match self {
                    Type::List(_) => "[\"list\",",
                    Type::Set(_) => "[\"set\",",
                    _ => "[\"map\",",
                });
                element.write_json(out);
                out.push(']');
            }
            Type::Tuple(elements) => {
                out.push_str("[\"tuple\",[");
                for (position, element) in elements.iter().enumerate() {
                    if position > 0 {
                        out.push(',');
                    }
                    element.write_json(out);
                }
                out.push_str("]]");
            }
            Type::Object { attributes, optional } => {
                out.push_str("[\"object\",{");
                for (position, (name, ty)) in attributes.iter().enumerate() {
                    if position > 0 {
                        out.push(',');
                    }
                    write_json_string(out, name);
                    out.push(':');
                    ty.write_json(out);
                }
                out.push('}');
                if !optional.is_empty() {
                    out.push_str(",[");
                    for (position, name) in optional.iter().enumerate() {
                        if position > 0 {
                            out.push(',');
                        }
                        write_json_string(out, name);
                    }
                    out.push(']');
                }
                out.push(']');
            }
        }
    }
}

/// Appends `text` as a JSON string literal, escaped the way serde_json escapes it.
pub(crate) fn write_json_string(out: &mut String, text: &str) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            control if u32::from(control) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(control)));
            }
            other => out.push(other),
        }
    }
    out.push('"');
}

impl fmt::Display for Type {
    /// A friendly name for messages, in the words Terraform uses: `string`, `list of string`, `object`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(element) => write!(f, "list of {element}"),
            Type::Set(element) => write!(f, "set of {element}"),
            Type::Map(element) => write!(f, "map of {element}"),
            Type::Object { .. } => f.write_str("object"),
            Type::Tuple(_) => f.write_str("tuple"),
        }
    }
}
