//! The msgpack encoding of values, as Terraform's cty library writes and reads it (`DynamicValue.msgpack`).
//!
//! The encoding is schema-driven: the bytes carry no type, so both sides need the [`Type`]. The facts we rely on:
//! - null is msgpack nil. An unknown is a msgpack extension; cty writes extension type 0 with one zero byte
//!   (`d4 00 00`), and newer cty versions write "refined" unknowns as extension type 12 whose payload describes
//!   what is already known (not null, a string prefix, a number range). We read every extension as a plain unknown
//!   and ignore any refinement, and we write `d4 00 00`.
//! - Bools and strings are msgpack bools and strings. A number may arrive as an integer, a float32/float64 (which
//!   stands for its exact binary value, as cty reads it) or a decimal string. cty writes an integer when the number
//!   is an exact int64, else a float64 when that is exact, else the decimal string; we write the same way, so our
//!   bytes match cty's byte for byte.
//! - Lists, sets and tuples are arrays; maps are maps with string keys. An object is a map holding every attribute
//!   of its type; we write all of them (null when unset) in name order, and when reading we accept a missing one as
//!   null but reject a name the type does not have.
//! - At a `dynamic` position a known value travels as a two-element array: the JSON type description (as msgpack
//!   binary, or a string) and then the value encoded with that type. Null and unknown stay plain nil and extension.
//!
//! Decoding never panics on hostile input: the msgpack structure is parsed first by `rmpv` (which limits nesting and
//! never pre-allocates from a claimed length), then checked against the type, and every failure is a [`ValueError`]
//! carrying the path of the part that was wrong.

use std::collections::BTreeMap;

use rmp::encode::ByteBuf;
use rmpv::ValueRef;

use super::path::PathStep;
use super::{Number, Type, Value, ValueError};

/// The extension type cty uses for a plain unknown.
const UNKNOWN_EXTENSION: i8 = 0;

/// How deep `rmpv` may nest while parsing. It counts about two levels per array or map, so this allows some 250
/// levels of nested collections, far more than any schema has, while keeping recursion well inside a thread's stack.
const MAX_PARSE_DEPTH: usize = 512;

/// Decodes msgpack bytes as a value of type `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut rest = bytes;
    let raw = rmpv::decode::read_value_ref_with_max_depth(&mut rest, MAX_PARSE_DEPTH)
        .map_err(|error| ValueError::at_root(format!("the msgpack data is malformed: {error}")))?;
    if !rest.is_empty() {
        return Err(ValueError::at_root(format!(
            "the msgpack data has {} unexpected byte(s) after the value",
            rest.len()
        )));
    }
    decode_value(&raw, ty)
}

/// Encodes a value of type `ty` as msgpack.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut writer = Writer { buffer: ByteBuf::new() };
    writer.value(value, ty)?;
    Ok(writer.buffer.into_vec())
}

/// Decodes one part. Errors are created at the root and given their path on the way up (see [`ValueError::under`]).
fn decode_value(raw: &ValueRef<'_>, ty: &Type) -> Result<Value, ValueError> {
    // cty checks for the unknown extension before anything else, at any type, including dynamic.
    if let ValueRef::Ext(..) = raw {
        return Ok(Value::Unknown);
    }
    if let Type::Dynamic = ty {
        return decode_dynamic(raw);
    }
    if let ValueRef::Nil = raw {
        return Ok(Value::Null);
    }
    let mismatch = || ValueError::at_root(format!("expected {}, found msgpack {}", ty.with_article(), raw_kind(raw)));
    match ty {
        Type::Bool => match raw {
            ValueRef::Boolean(value) => Ok(Value::Bool(*value)),
            _ => Err(mismatch()),
        },
        Type::Number => decode_number(raw).ok_or_else(mismatch)?.map(Value::Number),
        Type::String => match raw {
            ValueRef::String(text) => text.as_str().map(|text| Value::String(text.to_owned())).ok_or_else(not_utf8),
            // cty's decoder reads binary data where it expects a string, so we do too.
            ValueRef::Binary(bytes) => {
                std::str::from_utf8(bytes).map(|text| Value::String(text.to_owned())).map_err(|_| not_utf8())
            }
            _ => Err(mismatch()),
        },
        Type::List(element_type) => {
            let ValueRef::Array(items) = raw else { return Err(mismatch()) };
            let elements = items.iter().enumerate().map(|(index, item)| {
                decode_value(item, element_type).map_err(|error| error.under(PathStep::ElementKeyInt(index as i64)))
            });
            elements.collect::<Result<_, _>>().map(Value::List)
        }
        Type::Set(element_type) => {
            let ValueRef::Array(items) = raw else { return Err(mismatch()) };
            // Set elements have no path step of their own: errors point at the set.
            items.iter().map(|item| decode_value(item, element_type)).collect::<Result<_, _>>().map(Value::Set)
        }
        Type::Tuple(element_types) => {
            let ValueRef::Array(items) = raw else { return Err(mismatch()) };
            if items.len() != element_types.len() {
                return Err(ValueError::at_root(format!(
                    "expected a tuple of {} element(s), found {}",
                    element_types.len(),
                    items.len()
                )));
            }
            let elements = items.iter().zip(element_types).enumerate().map(|(index, (item, element_type))| {
                decode_value(item, element_type).map_err(|error| error.under(PathStep::ElementKeyInt(index as i64)))
            });
            elements.collect::<Result<_, _>>().map(Value::Tuple)
        }
        Type::Map(element_type) => {
            let ValueRef::Map(entries) = raw else { return Err(mismatch()) };
            let mut map = BTreeMap::new();
            for (raw_key, raw_value) in entries {
                let key = map_key(raw_key)?;
                let step = || PathStep::ElementKeyString(key.to_owned());
                let element = decode_value(raw_value, element_type).map_err(|error| error.under(step()))?;
                if map.insert(key.to_owned(), element).is_some() {
                    return Err(ValueError::at_root("the key appears more than once").under(step()));
                }
            }
            Ok(Value::Map(map))
        }
        Type::Object { attributes, .. } => {
            let ValueRef::Map(entries) = raw else { return Err(mismatch()) };
            let mut object = BTreeMap::new();
            for (raw_key, raw_value) in entries {
                let name = map_key(raw_key)?;
                let Some(attribute_type) = attributes.get(name) else {
                    return Err(ValueError::at_root(format!("unsupported attribute {name:?}")));
                };
                let step = || PathStep::Attribute(name.to_owned());
                let attribute = decode_value(raw_value, attribute_type).map_err(|error| error.under(step()))?;
                if object.insert(name.to_owned(), attribute).is_some() {
                    return Err(ValueError::at_root("the attribute appears more than once").under(step()));
                }
            }
            // Be lenient where cty is strict: an attribute left out is null, so every attribute is present.
            if object.len() < attributes.len() {
                for name in attributes.keys() {
                    object.entry(name.clone()).or_insert(Value::Null);
                }
            }
            Ok(Value::Object(object))
        }
        Type::Dynamic => decode_dynamic(raw),
    }
}

/// Reads a number from any of the forms cty writes. `None` means the msgpack value is not a number at all.
fn decode_number(raw: &ValueRef<'_>) -> Option<Result<Number, ValueError>> {
    Some(match raw {
        ValueRef::Integer(integer) => match (integer.as_i64(), integer.as_u64()) {
            (Some(signed), _) => Ok(Number::from(signed)),
            (None, Some(unsigned)) => Ok(Number::from(unsigned)),
            (None, None) => Err(ValueError::at_root("the integer is out of range")),
        },
        // A float stands for its exact binary value, as in cty (which never sends an inexact one).
        ValueRef::F32(float) => Number::from_f64_exact(f64::from(*float)),
        ValueRef::F64(float) => Number::from_f64_exact(*float),
        ValueRef::String(text) => match text.as_str() {
            Some(text) => Number::parse(text),
            None => Err(ValueError::at_root("the number is not valid UTF-8 text")),
        },
        _ => return None,
    })
}

fn decode_dynamic(raw: &ValueRef<'_>) -> Result<Value, ValueError> {
    let items = match raw {
        ValueRef::Nil => return Ok(Value::Null),
        ValueRef::Ext(..) => return Ok(Value::Unknown),
        ValueRef::Array(items) if items.len() == 2 => items,
        _ => {
            return Err(ValueError::at_root(format!(
                "a value of dynamic type must be a [type, value] array, found msgpack {}",
                raw_kind(raw)
            )));
        }
    };
    let type_json: &[u8] = match &items[0] {
        ValueRef::Binary(bytes) => bytes,
        ValueRef::String(text) => text.as_bytes(),
        other => {
            return Err(ValueError::at_root(format!(
                "the type of a dynamic value must be JSON text, found msgpack {}",
                raw_kind(other)
            )));
        }
    };
    let ty = Type::from_json(type_json)?;
    if ty == Type::Dynamic {
        return Err(ValueError::at_root("a dynamic value must name a concrete type, not \"dynamic\""));
    }
    let inner = decode_value(&items[1], &ty)?;
    Ok(Value::Dynamic(ty, Box::new(inner)))
}

fn map_key<'a>(raw: &'a ValueRef<'_>) -> Result<&'a str, ValueError> {
    match raw {
        ValueRef::String(text) => text.as_str().ok_or_else(|| ValueError::at_root("a key is not valid UTF-8")),
        other => Err(ValueError::at_root(format!("keys must be strings, found msgpack {}", raw_kind(other)))),
    }
}

fn not_utf8() -> ValueError {
    ValueError::at_root("the string is not valid UTF-8")
}

fn raw_kind(raw: &ValueRef<'_>) -> &'static str {
    match raw {
        ValueRef::Nil => "nil",
        ValueRef::Boolean(_) => "bool",
        ValueRef::Integer(_) => "integer",
        ValueRef::F32(_) | ValueRef::F64(_) => "float",
        ValueRef::String(_) => "string",
        ValueRef::Binary(_) => "binary",
        ValueRef::Array(_) => "array",
        ValueRef::Map(_) => "map",
        ValueRef::Ext(..) => "extension",
    }
}

/// Writes msgpack into a growable buffer. Writing to memory cannot fail, so the only errors are values that do not
/// fit their type.
struct Writer {
    buffer: ByteBuf,
}

impl Writer {
    fn value(&mut self, value: &Value, ty: &Type) -> Result<(), ValueError> {
        if let Type::Dynamic = ty {
            return self.dynamic(value);
        }
        match (value, ty) {
            (Value::Unknown, _) => self.unknown(),
            (Value::Null, _) => self.nil(),
            // A wrapper that names exactly the expected type is harmless: write what it wraps.
            (Value::Dynamic(inner_type, inner), _) if inner_type == ty => self.value(inner, ty)?,
            (Value::Bool(value), Type::Bool) => {
                let Ok(()) = rmp::encode::write_bool(&mut self.buffer, *value);
            }
            (Value::Number(number), Type::Number) => self.number(number),
            (Value::String(text), Type::String) => self.string(text),
            (Value::List(elements), Type::List(element_type)) => {
                self.array_len(elements.len())?;
                for (index, element) in elements.iter().enumerate() {
                    self.value(element, element_type)
                        .map_err(|error| error.under(PathStep::ElementKeyInt(index as i64)))?;
                }
            }
            (Value::Set(elements), Type::Set(element_type)) => {
                self.array_len(elements.len())?;
                for element in elements {
                    self.value(element, element_type)?;
                }
            }
            (Value::Tuple(elements), Type::Tuple(element_types)) => {
                if elements.len() != element_types.len() {
                    return Err(ValueError::at_root(format!(
                        "expected a tuple of {} element(s), found {}",
                        element_types.len(),
                        elements.len()
                    )));
                }
                self.array_len(elements.len())?;
                for (index, (element, element_type)) in elements.iter().zip(element_types).enumerate() {
                    self.value(element, element_type)
                        .map_err(|error| error.under(PathStep::ElementKeyInt(index as i64)))?;
                }
            }
            (Value::Map(entries), Type::Map(element_type)) => {
                self.map_len(entries.len())?;
                for (key, element) in entries {
                    self.string(key);
                    self.value(element, element_type)
                        .map_err(|error| error.under(PathStep::ElementKeyString(key.clone())))?;
                }
            }
            (Value::Object(values), Type::Object { attributes, .. }) => {
                if let Some(extra) = values.keys().find(|name| !attributes.contains_key(*name)) {
                    return Err(ValueError::at_root(format!(
                        "the object has attribute {extra:?}, which its type does not"
                    )));
                }
                self.map_len(attributes.len())?;
                for (name, attribute_type) in attributes {
                    self.string(name);
                    self.value(values.get(name).unwrap_or(&Value::Null), attribute_type)
                        .map_err(|error| error.under(PathStep::Attribute(name.clone())))?;
                }
            }
            (value, ty) => {
                return Err(ValueError::at_root(format!(
                    "expected {}, found {}",
                    ty.with_article(),
                    value.kind_name()
                )));
            }
        }
        Ok(())
    }

    fn dynamic(&mut self, value: &Value) -> Result<(), ValueError> {
        match value {
            Value::Unknown => self.unknown(),
            Value::Null => self.nil(),
            Value::Dynamic(Type::Dynamic, _) => {
                return Err(ValueError::at_root("a dynamic value must name a concrete type, not \"dynamic\""));
            }
            Value::Dynamic(inner_type, inner) => {
                self.array_len(2)?;
                let Ok(()) = rmp::encode::write_bin(&mut self.buffer, &inner_type.to_json());
                self.value(inner, inner_type)?;
            }
            other => {
                return Err(ValueError::at_root(format!(
                    "a value of dynamic type must be wrapped in Value::Dynamic with its concrete type, found {}",
                    other.kind_name()
                )));
            }
        }
        Ok(())
    }

    fn number(&mut self, number: &Number) {
        // The same preference order as cty, so the bytes match: exact int64, then exact float64, then text.
        if let Some(integer) = number.as_i64() {
            let Ok(_) = rmp::encode::write_sint(&mut self.buffer, integer);
        } else if let Some(float) = number.to_exact_f64() {
            let Ok(()) = rmp::encode::write_f64(&mut self.buffer, float);
        } else {
            self.string(number.as_str());
        }
    }

    fn string(&mut self, text: &str) {
        let Ok(()) = rmp::encode::write_str(&mut self.buffer, text);
    }

    fn nil(&mut self) {
        let Ok(()) = rmp::encode::write_nil(&mut self.buffer);
    }

    fn unknown(&mut self) {
        let Ok(_) = rmp::encode::write_ext_meta(&mut self.buffer, 1, UNKNOWN_EXTENSION);
        let Ok(()) = rmp::encode::RmpWrite::write_u8(&mut self.buffer, 0);
    }

    fn array_len(&mut self, len: usize) -> Result<(), ValueError> {
        let len = u32::try_from(len).map_err(|_| too_large())?;
        let Ok(_) = rmp::encode::write_array_len(&mut self.buffer, len);
        Ok(())
    }

    fn map_len(&mut self, len: usize) -> Result<(), ValueError> {
        let len = u32::try_from(len).map_err(|_| too_large())?;
        let Ok(_) = rmp::encode::write_map_len(&mut self.buffer, len);
        Ok(())
    }
}

fn too_large() -> ValueError {
    ValueError::at_root("the collection is too large for msgpack")
}
