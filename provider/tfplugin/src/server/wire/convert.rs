//! Conversions between the framework's types and the protocol's wire messages.

use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::generated::tfplugin6 as pb;
use crate::schema::{Attribute, AttributeKind, Nesting, Schema};
use crate::value::{self, AttributePath, PathStep, Type, Value};

/// Decodes a `DynamicValue`: absent or empty means null; msgpack is preferred, JSON accepted.
pub(crate) fn decode(dynamic: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostic> {
    let Some(dynamic) = dynamic else { return Ok(Value::Null) };
    let result = if !dynamic.msgpack.is_empty() {
        value::msgpack::decode(&dynamic.msgpack, ty)
    } else if !dynamic.json.is_empty() {
        value::json::decode(&dynamic.json, ty)
    } else {
        return Ok(Value::Null);
    };
    result.map_err(|e| {
        Diagnostic::error(
            format!("Unable to decode the {what}"),
            format!(
                "Terraform sent a {what} the provider could not read: {e}. This usually means the provider and \
                 Terraform disagree about the schema; please report it to the provider developers."
            ),
        )
    })
}

/// Encodes a value as msgpack.
pub(crate) fn encode(value: &Value, ty: &Type, what: &str) -> Result<pb::DynamicValue, Diagnostic> {
    value::msgpack::encode(value, ty).map(|msgpack| pb::DynamicValue { msgpack, json: Vec::new() }).map_err(|e| {
        Diagnostic::error(
            format!("Provider bug: unable to encode the {what}"),
            format!(
                "The provider produced a {what} that does not match its own schema: {e}. Please report this to \
                 the provider developers."
            ),
        )
    })
}

pub(crate) fn diagnostics(diagnostics: &Diagnostics) -> Vec<pb::Diagnostic> {
    diagnostics.iter().map(diagnostic).collect()
}

/// The diagnostics of an RPC's work, however it ended: those it returned, or those it failed with.
pub(crate) fn outcome_diagnostics(outcome: Result<Diagnostics, Diagnostics>) -> Vec<pb::Diagnostic> {
    diagnostics(&outcome.unwrap_or_else(|failed| failed))
}

fn diagnostic(d: &Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.attribute.as_ref().map(attribute_path),
    }
}

pub(crate) fn attribute_path(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    let steps = path
        .steps
        .iter()
        .map(|step| pb::attribute_path::Step {
            selector: Some(match step {
                PathStep::Attribute(name) => Selector::AttributeName(name.clone()),
                PathStep::ElementKeyString(key) => Selector::ElementKeyString(key.clone()),
                PathStep::ElementKeyInt(index) => Selector::ElementKeyInt(*index),
            }),
        })
        .collect();
    pb::AttributePath { steps }
}

pub(crate) fn schema(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(pb::schema::Block {
            version: schema.version,
            attributes: schema.attributes.iter().map(attribute).collect(),
            block_types: Vec::new(),
            description: schema.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: schema.deprecation.is_some(),
        }),
    }
}

fn attribute(attribute: &Attribute) -> pb::schema::Attribute {
    let (ty, nested_type) = match &attribute.kind {
        AttributeKind::Type(ty) => (ty.to_json(), None),
        AttributeKind::Nested { nesting, attributes } => {
            let nesting = match nesting {
                Nesting::Single => pb::schema::object::NestingMode::Single,
                Nesting::List => pb::schema::object::NestingMode::List,
                Nesting::Set => pb::schema::object::NestingMode::Set,
                Nesting::Map => pb::schema::object::NestingMode::Map,
            };
            #[allow(deprecated)] // min_items/max_items are deprecated in the protocol; we leave them zero
            let object = pb::schema::Object {
                attributes: attributes.iter().map(self::attribute).collect(),
                nesting: nesting as i32,
                min_items: 0,
                max_items: 0,
            };
            (Vec::new(), Some(object))
        }
    };
    pb::schema::Attribute {
        name: attribute.name.clone(),
        r#type: ty,
        nested_type,
        description: attribute.description.clone(),
        required: attribute.required,
        optional: attribute.optional,
        computed: attribute.computed,
        sensitive: attribute.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: attribute.deprecation.is_some(),
        write_only: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_dynamic_values_are_null() {
        let empty = pb::DynamicValue::default();
        assert_eq!(decode(Some(&empty), &Type::String, "config").unwrap(), Value::Null);
        assert_eq!(decode(None, &Type::String, "config").unwrap(), Value::Null);
    }

    #[test]
    fn json_is_accepted_when_msgpack_is_absent() {
        let dynamic = pb::DynamicValue { msgpack: Vec::new(), json: br#""hello""#.to_vec() };
        assert_eq!(decode(Some(&dynamic), &Type::String, "state").unwrap(), Value::string("hello"));
    }

    #[test]
    fn undecodable_values_become_a_diagnostic() {
        let dynamic = pb::DynamicValue { msgpack: vec![0xc3], json: Vec::new() };
        let d = decode(Some(&dynamic), &Type::String, "prior state").unwrap_err();
        assert!(d.summary.contains("prior state"), "{d}");
    }

    #[test]
    fn nested_attributes_carry_no_type_bytes() {
        let s = Schema::new("d").attribute(
            Attribute::nested("n", Nesting::Set, [Attribute::string("x").required()]).optional().sensitive(),
        );
        let pb = schema(&s);
        let n = &pb.block.unwrap().attributes[0];
        assert!(n.r#type.is_empty());
        let object = n.nested_type.as_ref().unwrap();
        assert_eq!(object.nesting, pb::schema::object::NestingMode::Set as i32);
        assert_eq!(object.attributes[0].r#type, br#""string""#);
        assert!(n.sensitive && n.optional && !n.required);
    }

    #[test]
    fn paths_keep_every_step_kind() {
        let path = AttributePath::root().attr("a").key("k").index(2);
        let pb = attribute_path(&path);
        assert_eq!(pb.steps.len(), 3);
        assert_eq!(pb.steps[2].selector, Some(pb::attribute_path::step::Selector::ElementKeyInt(2)));
    }
}
