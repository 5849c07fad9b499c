//! Finding and visiting the parts of a value by attribute path.
//!
//! The protocol server uses these to run per-attribute validators, to compare prior and planned values at the paths
//! that force replacement, and to adjust plans (for example, marking computed attributes unknown). Paths follow the
//! protocol's rules: attributes and map keys by name, list and tuple elements by index, and no step into a set.

use super::path::{AttributePath, PathStep};
use super::{NULL, Type, UNKNOWN, Value};

impl Value {
    /// The part of the value at `path`.
    ///
    /// Stepping into a null gives null and into an unknown gives unknown, because that is what the part is (its
    /// container is absent or not known yet). A missing object attribute is null, like [`Value::get_attr`]. `None`
    /// means the path does not fit the value: a missing map key, an index out of range, a step of the wrong kind
    /// (an attribute of a list, an index into a set).
    pub fn at_path(&self, path: &AttributePath) -> Option<&Value> {
        let mut current = self;
        for step in &path.steps {
            current = match (current.unwrap_dynamic(), step) {
                (Value::Null, _) => &NULL,
                (Value::Unknown, _) => &UNKNOWN,
                (Value::Object(attributes), PathStep::Attribute(name)) => attributes.get(name).unwrap_or(&NULL),
                (Value::Map(entries), PathStep::ElementKeyString(key)) => entries.get(key)?,
                (Value::List(elements) | Value::Tuple(elements), PathStep::ElementKeyInt(index)) => {
                    elements.get(usize::try_from(*index).ok()?)?
                }
                _ => return None,
            };
        }
        Some(current)
    }

    /// A mutable reference to the part of the value at `path`, to set it. Missing object attributes are created as
    /// null (objects carry every attribute of their type); missing map keys and list indexes are not created, and
    /// there is no place inside a null or unknown value, so those paths give `None`.
    pub fn at_path_mut(&mut self, path: &AttributePath) -> Option<&mut Value> {
        let mut current = self;
        for step in &path.steps {
            current = match (current.unwrap_dynamic_mut(), step) {
                (Value::Object(attributes), PathStep::Attribute(name)) => {
                    attributes.entry(name.clone()).or_insert(Value::Null)
                }
                (Value::Map(entries), PathStep::ElementKeyString(key)) => entries.get_mut(key)?,
                (Value::List(elements) | Value::Tuple(elements), PathStep::ElementKeyInt(index)) => {
                    elements.get_mut(usize::try_from(*index).ok()?)?
                }
                _ => return None,
            };
        }
        Some(current)
    }

    /// Calls `visit` for every part of the value, root first, with its path and type.
    ///
    /// Every attribute of an object type is visited, missing ones as null. Null and unknown parts are visited too
    /// (there is nothing below them). Set elements are visited at the set's own path, since paths have no set step.
    /// A dynamic value is visited as the value it wraps, with its concrete type. Parts whose value does not match
    /// the type are visited but not entered.
    pub fn walk<F>(&self, ty: &Type, visit: &mut F)
    where
        F: FnMut(&AttributePath, &Value, &Type),
    {
        walk_node(self, ty, &mut AttributePath::root(), visit);
    }

    /// Like [`Value::walk`], but `visit` may change each part before the walk enters it. Missing attributes of
    /// objects are filled in with null before the object is visited, so `visit` sees, and can set, every attribute.
    pub fn walk_mut<F>(&mut self, ty: &Type, visit: &mut F)
    where
        F: FnMut(&AttributePath, &mut Value, &Type),
    {
        walk_node_mut(self, ty, &mut AttributePath::root(), visit);
    }
}

fn walk_node<F>(value: &Value, ty: &Type, path: &mut AttributePath, visit: &mut F)
where
    F: FnMut(&AttributePath, &Value, &Type),
{
    if let Value::Dynamic(inner_type, inner) = value {
        return walk_node(inner, inner_type, path, visit);
    }
    visit(path, value, ty);
    match (value, ty) {
        (Value::Object(values), Type::Object { attributes, .. }) => {
            for (name, attribute_type) in attributes {
                path.push(PathStep::Attribute(name.clone()));
                walk_node(values.get(name).unwrap_or(&NULL), attribute_type, path, visit);
                path.pop();
            }
        }
        (Value::List(elements), Type::List(element_type)) => {
            for (index, element) in elements.iter().enumerate() {
                path.push(PathStep::ElementKeyInt(index as i64));
                walk_node(element, element_type, path, visit);
                path.pop();
            }
        }
        (Value::Tuple(elements), Type::Tuple(element_types)) => {
            for (index, (element, element_type)) in elements.iter().zip(element_types).enumerate() {
                path.push(PathStep::ElementKeyInt(index as i64));
                walk_node(element, element_type, path, visit);
                path.pop();
            }
        }
        (Value::Set(elements), Type::Set(element_type)) => {
            for element in elements {
                walk_node(element, element_type, path, visit);
            }
        }
        (Value::Map(entries), Type::Map(element_type)) => {
            for (key, element) in entries {
                path.push(PathStep::ElementKeyString(key.clone()));
                walk_node(element, element_type, path, visit);
                path.pop();
            }
        }
        _ => {}
    }
}

fn walk_node_mut<F>(value: &mut Value, ty: &Type, path: &mut AttributePath, visit: &mut F)
where
    F: FnMut(&AttributePath, &mut Value, &Type),
{
    if let Value::Dynamic(inner_type, inner) = value {
        return walk_node_mut(inner, inner_type, path, visit);
    }
    if let (Value::Object(values), Type::Object { attributes, .. }) = (&mut *value, ty) {
        for name in attributes.keys() {
            if !values.contains_key(name) {
                values.insert(name.clone(), Value::Null);
            }
        }
    }
    visit(path, value, ty);
    match (value, ty) {
        (Value::Object(values), Type::Object { attributes, .. }) => {
            for (name, attribute_type) in attributes {
                // The visitor may have replaced the object; only attributes it kept are entered.
                if let Some(attribute) = values.get_mut(name) {
                    path.push(PathStep::Attribute(name.clone()));
                    walk_node_mut(attribute, attribute_type, path, visit);
                    path.pop();
                }
            }
        }
        (Value::List(elements), Type::List(element_type)) => {
            for (index, element) in elements.iter_mut().enumerate() {
                path.push(PathStep::ElementKeyInt(index as i64));
                walk_node_mut(element, element_type, path, visit);
                path.pop();
            }
        }
        (Value::Tuple(elements), Type::Tuple(element_types)) => {
            for (index, (element, element_type)) in elements.iter_mut().zip(element_types).enumerate() {
                path.push(PathStep::ElementKeyInt(index as i64));
                walk_node_mut(element, element_type, path, visit);
                path.pop();
            }
        }
        (Value::Set(elements), Type::Set(element_type)) => {
            for element in elements {
                walk_node_mut(element, element_type, path, visit);
            }
        }
        (Value::Map(entries), Type::Map(element_type)) => {
            for (key, element) in entries {
                path.push(PathStep::ElementKeyString(key.clone()));
                walk_node_mut(element, element_type, path, visit);
                path.pop();
            }
        }
        _ => {}
    }
}
