//! The serde bridge: converting values to and from plain JSON, so resource code can use
//! `#[derive(Serialize, Deserialize)]` models instead of walking values by hand.
//!
//! Going out, a value becomes the JSON a model expects: sets become arrays, numbers JSON numbers, dynamic wrappers
//! disappear, and object attributes become members (decoded values hold every attribute, so every member is there,
//! null when unset; serde reads a missing member as `None` for an `Option` field anyway). Unknowns have no JSON
//! form, so a value that still holds one cannot become a model; resources meet unknowns only in plans, where they
//! inspect the value.
//! Coming in, the JSON is checked against the type and every object attribute is filled in (null when the model
//! left it out), with the number, string and bool conversions of the JSON codec.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::json::{DynamicForm, decode_with};
use super::path::PathStep;
use super::{Type, Value, ValueError};

impl Value {
    /// The value as plain JSON. Fails, with the path, if there is an unknown anywhere, or a number too large for a
    /// JSON float.
    pub fn to_json_value(&self) -> Result<serde_json::Value, ValueError> {
        to_json(self)
    }

    /// A value of type `ty` from plain JSON (as a model serializes). Missing object attributes become null; at a
    /// dynamic position the type is implied by the JSON's shape.
    pub fn from_json_value(json: &serde_json::Value, ty: &Type) -> Result<Value, ValueError> {
        let text = serde_json::to_vec(json)
            .map_err(|error| ValueError::at_root(format!("the JSON could not be written: {error}")))?;
        decode_with(&text, ty, DynamicForm::Implied)
    }

    /// A value of type `ty` from a serializable model.
    pub fn from_model<T: Serialize + ?Sized>(model: &T, ty: &Type) -> Result<Value, ValueError> {
        let text = serde_json::to_vec(model)
            .map_err(|error| ValueError::at_root(format!("the model could not be serialized: {error}")))?;
        decode_with(&text, ty, DynamicForm::Implied)
    }

    /// The value as a deserializable model. Fails if the value holds an unknown or does not fit the model.
    pub fn to_model<T: DeserializeOwned>(&self) -> Result<T, ValueError> {
        let json = self.to_json_value()?;
        serde_json::from_value(json)
            .map_err(|error| ValueError::at_root(format!("the value does not fit the model: {error}")))
    }
}

/// Converts one part; errors get their path on the way up (see [`ValueError::under`]).
fn to_json(value: &Value) -> Result<serde_json::Value, ValueError> {
    use serde_json::Value as Json;
    Ok(match value {
        Value::Unknown => {
            return Err(ValueError::at_root("the value is not known yet, so it has no JSON form"));
        }
        Value::Null => Json::Null,
        Value::Bool(value) => Json::Bool(*value),
        Value::String(text) => Json::String(text.clone()),
        Value::Number(number) => {
            if let Some(integer) = number.as_i64() {
                Json::from(integer)
            } else if let Some(integer) = number.as_u64() {
                Json::from(integer)
            } else {
                let float = serde_json::Number::from_f64(number.as_f64())
                    .ok_or_else(|| ValueError::at_root(format!("the number {number} is too large for JSON")))?;
                Json::Number(float)
            }
        }
        Value::List(elements) | Value::Tuple(elements) => {
            let mut array = Vec::with_capacity(elements.len());
            for (index, element) in elements.iter().enumerate() {
                array.push(to_json(element).map_err(|error| error.under(PathStep::ElementKeyInt(index as i64)))?);
            }
            Json::Array(array)
        }
        Value::Set(elements) => Json::Array(elements.iter().map(to_json).collect::<Result<_, _>>()?),
        Value::Map(entries) => {
            let mut object = serde_json::Map::new();
            for (key, element) in entries {
                let element = to_json(element).map_err(|error| error.under(PathStep::ElementKeyString(key.clone())))?;
                object.insert(key.clone(), element);
            }
            Json::Object(object)
        }
        Value::Object(attributes) => {
            let mut object = serde_json::Map::new();
            for (name, attribute) in attributes {
                let attribute = to_json(attribute).map_err(|error| error.under(PathStep::Attribute(name.clone())))?;
                object.insert(name.clone(), attribute);
            }
            Json::Object(object)
        }
        Value::Dynamic(_, inner) => to_json(inner)?,
    })
}
