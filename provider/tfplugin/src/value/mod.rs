//! Terraform's type system and values, as the provider sees them.
//!
//! Terraform values can be known, null or unknown (not yet known at plan time), at any depth. Resource code works
//! only with [`Value`] and [`Type`]; the wire encodings (msgpack for requests and responses, JSON for stored state)
//! live in the submodules and are the only code that knows how bytes map to values.
//!
//! A [`Value`] does not carry its type: the codecs and helpers take the [`Type`] alongside, as Terraform's own
//! schema-driven code does. The exception is a value at a `dynamic` position, whose concrete type is only known from
//! the data, so it is wrapped in [`Value::Dynamic`].
//!
//! CONTRACT (shared by the protocol server and the resources; owned by the value-layer work):
//! - `Type::from_json(&[u8]) -> Result<Type, ValueError>` / `Type::to_json(&self) -> Vec<u8>`: the type constraint
//!   JSON that `Schema.Attribute.type` carries (`"string"`, `["list","string"]`, `["object",{...},["opt"]]`, ...).
//! - `msgpack::decode(bytes, &Type) -> Result<Value, ValueError>` / `msgpack::encode(&Value, &Type) ->
//!   Result<Vec<u8>, ValueError>`. (An empty `DynamicValue` means null; that rule belongs to the protocol server.)
//! - `json::decode(bytes, &Type) -> Result<Value, ValueError>` (stored state; cannot hold unknowns) and
//!   `json::encode(&Value, &Type) -> Result<Vec<u8>, ValueError>`.
//! - `ValueError { path: AttributePath, message: String }`.
//! - `Value` helpers: `is_null`, `is_unknown`, `is_known` (not unknown), `is_fully_known` (no unknown anywhere),
//!   `get_attr(name) -> &Value` (Null for a missing attribute of an object), `at_path(&AttributePath) ->
//!   Option<&Value>` and `at_path_mut`, `null()`/`unknown()`/`object_of_nulls(&Type)` and per-kind constructors,
//!   `as_str`, `as_bool`, `as_number`, `as_i64`, `as_elements`, `as_map`, `attributes`, `walk`/`walk_mut` (every
//!   node with its path and type), `semantically_equal`.
//! - `AttributePath` / `PathStep` in `path`, with `AttributePath::root().attr("a").key("k").index(0)` builders and a
//!   `Display` like `a["k"][0]`.

mod compare;
mod error;
pub mod json;
pub mod msgpack;
mod number;
pub mod path;
mod types;
mod walk;

pub use error::ValueError;
pub use number::Number;
pub use path::{AttributePath, PathStep};
pub use types::Type;

use std::collections::BTreeMap;

/// A Terraform value. Collections hold values of their element type; an object holds every attribute of its type.
///
/// Equality (`==`) is structural except that sets compare as multisets (element order is ignored) and numbers
/// compare by value (their text is canonical). See also [`Value::semantically_equal`].
#[derive(Debug, Clone)]
pub enum Value {
    /// Not yet known (only during planning).
    Unknown,
    /// Explicitly null.
    Null,
    /// A known bool.
    Bool(bool),
    /// A known number.
    Number(Number),
    /// A known string.
    String(String),
    /// A list, in order.
    List(Vec<Value>),
    /// A set. Order carries no meaning; equality of sets is order-insensitive.
    Set(Vec<Value>),
    /// A map with string keys.
    Map(BTreeMap<String, Value>),
    /// An object: every attribute of its type is present, null when unset.
    Object(BTreeMap<String, Value>),
    /// A tuple.
    Tuple(Vec<Value>),
    /// A value in a `dynamic` position, with the concrete type it was sent with.
    Dynamic(Type, Box<Value>),
}

/// Shared null and unknown values, so lookups can hand out references for parts that are not stored.
static NULL: Value = Value::Null;
static UNKNOWN: Value = Value::Unknown;

impl Value {
    /// The null value (nulls are untyped here: the type travels beside the value).
    pub fn null() -> Value {
        Value::Null
    }

    /// The unknown value.
    pub fn unknown() -> Value {
        Value::Unknown
    }

    /// A known string.
    pub fn string(text: impl Into<String>) -> Value {
        Value::String(text.into())
    }

    /// A known bool.
    pub fn bool(value: bool) -> Value {
        Value::Bool(value)
    }

    /// A known number.
    pub fn number(value: impl Into<Number>) -> Value {
        Value::Number(value.into())
    }

    /// A list of the given elements.
    pub fn list(elements: impl IntoIterator<Item = Value>) -> Value {
        Value::List(elements.into_iter().collect())
    }

    /// A set of the given elements.
    pub fn set(elements: impl IntoIterator<Item = Value>) -> Value {
        Value::Set(elements.into_iter().collect())
    }

    /// A tuple of the given elements.
    pub fn tuple(elements: impl IntoIterator<Item = Value>) -> Value {
        Value::Tuple(elements.into_iter().collect())
    }

    /// A map of the given entries.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(key, value)| (key.into(), value)).collect())
    }

    /// An object with the given attributes. Attributes of the type that are left out are null to the codecs and
    /// to [`Value::get_attr`].
    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attributes.into_iter().map(|(name, value)| (name.into(), value)).collect())
    }

    /// For an object type, an object whose every attribute is null; for any other type, null.
    pub fn object_of_nulls(ty: &Type) -> Value {
        match ty {
            Type::Object { attributes, .. } => {
                Value::Object(attributes.keys().map(|name| (name.clone(), Value::Null)).collect())
            }
            _ => Value::Null,
        }
    }

    /// The value itself, or for a [`Value::Dynamic`] the value inside it (at any depth of wrapping).
    pub fn unwrap_dynamic(&self) -> &Value {
        let mut value = self;
        while let Value::Dynamic(_, inner) = value {
            value = inner;
        }
        value
    }

    /// The mutable counterpart of [`Value::unwrap_dynamic`].
    pub fn unwrap_dynamic_mut(&mut self) -> &mut Value {
        match self {
            Value::Dynamic(_, inner) => inner.unwrap_dynamic_mut(),
            other => other,
        }
    }

    /// True for null (looking through a dynamic wrapper).
    pub fn is_null(&self) -> bool {
        matches!(self.unwrap_dynamic(), Value::Null)
    }

    /// True for unknown (looking through a dynamic wrapper). A known collection holding unknowns is not unknown;
    /// see [`Value::is_fully_known`].
    pub fn is_unknown(&self) -> bool {
        matches!(self.unwrap_dynamic(), Value::Unknown)
    }

    /// True unless the value itself is unknown.
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// True when there is no unknown anywhere in the value.
    pub fn is_fully_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::List(elements) | Value::Set(elements) | Value::Tuple(elements) => {
                elements.iter().all(Value::is_fully_known)
            }
            Value::Map(entries) | Value::Object(entries) => entries.values().all(Value::is_fully_known),
            Value::Dynamic(_, inner) => inner.is_fully_known(),
        }
    }

    /// An object's attribute. A missing attribute, or any attribute of a null object, is null; any attribute of an
    /// unknown object is unknown; anything that is not an object has only null attributes.
    pub fn get_attr(&self, name: &str) -> &Value {
        match self.unwrap_dynamic() {
            Value::Object(attributes) => attributes.get(name).unwrap_or(&NULL),
            Value::Unknown => &UNKNOWN,
            _ => &NULL,
        }
    }

    /// The text of a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self.unwrap_dynamic() {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// A known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self.unwrap_dynamic() {
            Value::Bool(value) => Some(*value),
            _ => None,
        }
    }

    /// A known number.
    pub fn as_number(&self) -> Option<&Number> {
        match self.unwrap_dynamic() {
            Value::Number(number) => Some(number),
            _ => None,
        }
    }

    /// A known number that is an integer within `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The elements of a known list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self.unwrap_dynamic() {
            Value::List(elements) | Value::Set(elements) | Value::Tuple(elements) => Some(elements),
            _ => None,
        }
    }

    /// The entries of a known map.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unwrap_dynamic() {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The attributes of a known object, in name order.
    pub fn attributes(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unwrap_dynamic() {
            Value::Object(attributes) => Some(attributes),
            _ => None,
        }
    }

    /// A short name for the kind of value, for messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Value::Unknown => "an unknown value",
            Value::Null => "null",
            Value::Bool(_) => "a bool",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Set(_) => "a set",
            Value::Map(_) => "a map",
            Value::Object(_) => "an object",
            Value::Tuple(_) => "a tuple",
            Value::Dynamic(..) => "a dynamic value",
        }
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::String(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::String(value)
    }
}

impl From<Number> for Value {
    fn from(value: Number) -> Self {
        Value::Number(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Number(value.into())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` becomes null.
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}
