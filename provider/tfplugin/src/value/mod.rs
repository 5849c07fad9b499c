//! Terraform's type system and values, as the provider sees them.
//!
//! Terraform values can be known, null or unknown (not yet known at plan time), at any depth. Resource code works
//! only with [`Value`] and [`Type`]; the wire encodings (msgpack for requests and responses, JSON for stored state)
//! live in the submodules and are the only code that knows how bytes map to values.
//!
//! CONTRACT (shared by the protocol server and the resources; owned by the value-layer work):
//! - `Type::from_json(&[u8]) -> Result<Type, ValueError>` / `Type::to_json(&self) -> Vec<u8>`: the type constraint
//!   JSON that `Schema.Attribute.type` carries (`"string"`, `["list","string"]`, `["object",{...},["opt"]]`, ...).
//! - `msgpack::decode(bytes, &Type) -> Result<Value, ValueError>` / `msgpack::encode(&Value, &Type) ->
//!   Result<Vec<u8>, ValueError>`.
//! - `json::decode(bytes, &Type) -> Result<Value, ValueError>` (stored state; cannot hold unknowns) and
//!   `json::encode(&Value, &Type)`.
//! - `Value` helpers: `is_null`, `is_unknown`, `is_known` (not unknown), `is_fully_known` (no unknown anywhere),
//!   `get_attr(name) -> &Value` (Null for a missing attribute of an object), `at_path(&AttributePath)`,
//!   `null_of`/`unknown` constructors, `as_str`, `as_bool`, and the serde bridge:
//!   `Value::to_json_value(&self) -> Result<serde_json::Value, ValueError>` (fails on unknown) and
//!   `Value::from_json_value(&serde_json::Value, &Type) -> Result<Value, ValueError>` so resource code can convert
//!   to and from `#[derive(Serialize, Deserialize)]` models.
//! - `AttributePath` / `PathStep` in `path`, with `AttributePath::root().attr("a").key("k").index(0)` builders and a
//!   `Display` like `a["k"][0]`.

pub mod path;

pub use path::{AttributePath, PathStep};

use std::collections::{BTreeMap, BTreeSet};

/// A Terraform type constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A Terraform number. Kept as the exact decimal text Terraform sent, because cty numbers are arbitrary precision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Number(String);

/// A Terraform value. Collections hold values of their element type; an object holds every attribute of its type.
#[derive(Debug, Clone, PartialEq)]
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
