//! Schemas: what a provider, resource or data source accepts and returns.
//!
//! A [`Schema`] is a list of [`Attribute`]s. An attribute has a Terraform type, or is a *nested attribute* (`x = {
//! ... }` in HCL) holding further attributes nested once, as a list, a set or a map. Each attribute says whether the
//! user must set it (required), may set it (optional), or the provider fills it (computed, possibly also optional).
//!
//! Beyond what Terraform sees, attributes carry behaviour the server runs for the resource code:
//! - validators, run on every known value at its exact path during validation (and at apply time for values that
//!   were still unknown at plan time);
//! - `requires_replace`, which makes a change of the attribute plan a replacement;
//! - a deprecation message, shown as a warning when the attribute is set.
//!
//! Descriptions are Markdown; they reach `terraform providers schema -json` and the generated documentation.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::validators::Validator;
use crate::value::{AttributePath, Type};

/// The schema of a provider configuration, a resource type or a data source.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Version of the stored state's shape. Bump it when stored state needs upgrading (see
    /// [`Resource::upgrade_state`](crate::Resource::upgrade_state)).
    pub version: i64,
    /// What this thing is, in Markdown.
    pub description: String,
    /// When set, the whole resource type is deprecated and this explains what to use instead.
    pub deprecation: Option<String>,
    /// The top-level attributes.
    pub attributes: Vec<Attribute>,
}

impl Schema {
    /// An empty schema with a Markdown description.
    pub fn new(description: impl Into<String>) -> Self {
        Schema { description: description.into(), ..Schema::default() }
    }

    /// Sets the schema version.
    #[must_use]
    pub fn version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }

    /// Marks the whole type as deprecated, with a message saying what to use instead.
    #[must_use]
    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecation = Some(message.into());
        self
    }

    /// Adds an attribute.
    #[must_use]
    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// Adds several attributes.
    #[must_use]
    pub fn attributes(mut self, attributes: impl IntoIterator<Item = Attribute>) -> Self {
        self.attributes.extend(attributes);
        self
    }

    /// The top-level attribute called `name`.
    pub fn get(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The attribute a path points at, walking through nested attributes (list indexes and map keys are skipped,
    /// since every element has the same attributes).
    pub fn attribute_at(&self, path: &AttributePath) -> Option<&Attribute> {
        use crate::value::PathStep;
        let mut attributes = &self.attributes;
        let mut found: Option<&Attribute> = None;
        for step in &path.steps {
            match step {
                PathStep::Attribute(name) => {
                    let attribute = attributes.iter().find(|a| &a.name == name)?;
                    found = Some(attribute);
                    if let AttributeKind::Nested { attributes: inner, .. } = &attribute.kind {
                        attributes = inner;
                    }
                }
                PathStep::ElementKeyString(_) | PathStep::ElementKeyInt(_) => {}
            }
        }
        found
    }

    /// Runs the attribute validators over a configuration, exactly as `ValidateResourceConfig` does before the
    /// resource's own [`crate::Resource::validate`]: every known value is checked at its attribute path, and a value
    /// configured for a read-only attribute is an error. For tools that produce configurations (such as an
    /// exporter) and want to know whether Terraform will accept them.
    pub fn validate(&self, config: &crate::value::Value) -> crate::Diagnostics {
        let mut diagnostics = crate::Diagnostics::new();
        crate::plan::validate_attributes(
            &self.attributes,
            config,
            &AttributePath::root(),
            crate::plan::ValidationScope::All,
            &mut diagnostics,
        );
        diagnostics
    }

    /// The type of the values this schema describes: an object with one attribute per schema attribute.
    pub fn value_type(&self) -> Type {
        object_type(&self.attributes)
    }

    /// Checks the schema for mistakes a developer can make (an attribute both required and computed, duplicate
    /// names, nested attributes without attributes, ...). The server refuses to serve a provider whose schemas have
    /// problems, and a unit test per provider should assert this list is empty.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        check_attributes(&self.attributes, &AttributePath::root(), &mut problems);
        problems
    }
}

/// Either a plain type or nested attributes.
#[derive(Debug, Clone)]
pub enum AttributeKind {
    /// A value of a Terraform type (`"string"`, `["list","string"]`, ...).
    Type(Type),
    /// A nested attribute: an object of further attributes, nested once or as a list, set or map of them.
    Nested {
        /// How the objects nest.
        nesting: Nesting,
        /// The attributes of each object.
        attributes: Vec<Attribute>,
    },
}

/// How a nested attribute's objects are arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nesting {
    /// One object (`x = { ... }`).
    Single,
    /// A list of objects (`x = [{ ... }, ...]`).
    List,
    /// A set of objects.
    Set,
    /// A map of objects (`x = { key = { ... } }`).
    Map,
}

/// One attribute of a schema.
#[derive(Clone)]
pub struct Attribute {
    /// The attribute name, in snake_case.
    pub name: String,
    /// Its type, or its nested attributes.
    pub kind: AttributeKind,
    /// The user must set it.
    pub required: bool,
    /// The user may set it.
    pub optional: bool,
    /// The provider may fill it in (alone: only the provider sets it).
    pub computed: bool,
    /// Terraform hides the value in plan output and logs.
    pub sensitive: bool,
    /// What the attribute means, in Markdown. Name the environment variable fallbacks and defaults here.
    pub description: String,
    /// When set, using the attribute gives this warning.
    pub deprecation: Option<String>,
    /// A change of this attribute (on an existing object) replaces the object.
    pub requires_replace: bool,
    /// Checks run on every known value of the attribute.
    pub validators: Vec<Arc<dyn Validator>>,
}

impl std::fmt::Debug for Attribute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attribute")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("required", &self.required)
            .field("optional", &self.optional)
            .field("computed", &self.computed)
            .field("sensitive", &self.sensitive)
            .field("requires_replace", &self.requires_replace)
            .field("validators", &self.validators.iter().map(|v| v.description()).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Attribute {
    /// An attribute of the given type. Say whether it is required, optional and/or computed with the modifiers.
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Attribute::with_kind(name, AttributeKind::Type(ty))
    }

    /// A string attribute.
    pub fn string(name: impl Into<String>) -> Self {
        Attribute::new(name, Type::String)
    }

    /// A bool attribute.
    pub fn bool(name: impl Into<String>) -> Self {
        Attribute::new(name, Type::Bool)
    }

    /// A number attribute.
    pub fn number(name: impl Into<String>) -> Self {
        Attribute::new(name, Type::Number)
    }

    /// A list attribute.
    pub fn list(name: impl Into<String>, element: Type) -> Self {
        Attribute::new(name, Type::List(Box::new(element)))
    }

    /// A set attribute.
    pub fn set(name: impl Into<String>, element: Type) -> Self {
        Attribute::new(name, Type::Set(Box::new(element)))
    }

    /// A map attribute.
    pub fn map(name: impl Into<String>, element: Type) -> Self {
        Attribute::new(name, Type::Map(Box::new(element)))
    }

    /// A nested attribute: objects of `attributes`, arranged as `nesting` says.
    pub fn nested(name: impl Into<String>, nesting: Nesting, attributes: impl IntoIterator<Item = Attribute>) -> Self {
        Attribute::with_kind(name, AttributeKind::Nested { nesting, attributes: attributes.into_iter().collect() })
    }

    fn with_kind(name: impl Into<String>, kind: AttributeKind) -> Self {
        Attribute {
            name: name.into(),
            kind,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            description: String::new(),
            deprecation: None,
            requires_replace: false,
            validators: Vec::new(),
        }
    }

    /// The user must set it.
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The user may set it.
    #[must_use]
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// The provider fills it in. Combine with [`Attribute::optional`] for "the user may set it, else the provider
    /// decides".
    #[must_use]
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    /// Terraform hides the value.
    #[must_use]
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Sets the Markdown description.
    #[must_use]
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    /// Marks the attribute deprecated; setting it gives `message` as a warning.
    #[must_use]
    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecation = Some(message.into());
        self
    }

    /// A change of this attribute replaces the object.
    #[must_use]
    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    /// Adds a validator.
    #[must_use]
    pub fn validate(mut self, validator: impl Validator + 'static) -> Self {
        self.validators.push(Arc::new(validator));
        self
    }

    /// The Terraform type of this attribute's values (for nested attributes, the implied object, list, set or map
    /// type).
    pub fn value_type(&self) -> Type {
        match &self.kind {
            AttributeKind::Type(ty) => ty.clone(),
            AttributeKind::Nested { nesting, attributes } => {
                let object = object_type(attributes);
                match nesting {
                    Nesting::Single => object,
                    Nesting::List => Type::List(Box::new(object)),
                    Nesting::Set => Type::Set(Box::new(object)),
                    Nesting::Map => Type::Map(Box::new(object)),
                }
            }
        }
    }

    /// The nested attributes, if this is a nested attribute.
    pub fn nested_attributes(&self) -> Option<(Nesting, &[Attribute])> {
        match &self.kind {
            AttributeKind::Nested { nesting, attributes } => Some((*nesting, attributes)),
            AttributeKind::Type(_) => None,
        }
    }
}

fn object_type(attributes: &[Attribute]) -> Type {
    let types: BTreeMap<String, Type> = attributes.iter().map(|a| (a.name.clone(), a.value_type())).collect();
    Type::Object { attributes: types, optional: BTreeSet::new() }
}

fn check_attributes(attributes: &[Attribute], parent: &AttributePath, problems: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for attribute in attributes {
        let path = parent.clone().attr(attribute.name.clone());
        if !seen.insert(attribute.name.as_str()) {
            problems.push(format!("{path}: the name is used twice"));
        }
        let valid_name = !attribute.name.is_empty()
            && attribute.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !attribute.name.starts_with(|c: char| c.is_ascii_digit());
        if !valid_name {
            problems.push(format!("{path}: names must be snake_case (lowercase letters, digits and underscores)"));
        }
        match (attribute.required, attribute.optional, attribute.computed) {
            (true, false, false) | (false, true, _) | (false, false, true) => {}
            (false, false, false) => problems.push(format!("{path}: must be required, optional or computed")),
            _ => problems.push(format!("{path}: a required attribute can be neither optional nor computed")),
        }
        if attribute.requires_replace && attribute.computed && !attribute.optional {
            problems.push(format!("{path}: requires_replace makes no sense on a computed-only attribute"));
        }
        if let AttributeKind::Nested { attributes: inner, .. } = &attribute.kind {
            if inner.is_empty() {
                problems.push(format!("{path}: a nested attribute needs at least one attribute"));
            }
            check_attributes(inner, &path, problems);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Schema {
        Schema::new("A thing.").version(2).attributes([
            Attribute::string("id").computed(),
            Attribute::string("name").required().requires_replace(),
            Attribute::nested(
                "settings",
                Nesting::Single,
                [Attribute::bool("enabled").optional(), Attribute::set("tags", Type::String).optional()],
            )
            .optional(),
            Attribute::nested("rules", Nesting::List, [Attribute::string("target").required()]).optional(),
        ])
    }

    #[test]
    fn implied_type_follows_nesting() {
        let ty = sample().value_type();
        assert_eq!(ty.attribute_type("id"), Some(&Type::String));
        let settings = ty.attribute_type("settings").expect("settings");
        assert_eq!(settings.attribute_type("tags"), Some(&Type::Set(Box::new(Type::String))));
        let rules = ty.attribute_type("rules").expect("rules");
        assert!(matches!(rules, Type::List(inner) if inner.attribute_type("target") == Some(&Type::String)));
    }

    #[test]
    fn a_well_formed_schema_has_no_problems() {
        assert_eq!(sample().problems(), Vec::<String>::new());
    }

    #[test]
    fn developer_mistakes_are_reported_with_their_path() {
        let schema = Schema::new("").attributes([
            Attribute::string("a").required().computed(),
            Attribute::string("b"),
            Attribute::string("b").optional(),
            Attribute::nested("n", Nesting::Single, [Attribute::string("BadName").optional()]).optional(),
        ]);
        let problems = schema.problems();
        assert!(problems.iter().any(|p| p.starts_with("a: a required attribute")), "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("b: must be required")), "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("b: the name is used twice")), "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("n.BadName: names must be snake_case")), "{problems:?}");
    }

    #[test]
    fn validate_checks_a_configuration_at_each_attribute_path() {
        use crate::value::Value;
        let schema = Schema::new("").attributes([
            Attribute::string("id").computed(),
            Attribute::nested(
                "settings",
                Nesting::Single,
                [Attribute::string("mode").optional().validate(crate::validators::one_of(["on", "off"]))],
            )
            .optional(),
        ]);
        let good = Value::object([("id", Value::Null), ("settings", Value::object([("mode", Value::string("on"))]))]);
        assert!(schema.validate(&good).is_empty());
        let bad = Value::object([
            ("id", Value::string("set by hand")),
            ("settings", Value::object([("mode", Value::string("sideways"))])),
        ]);
        let diagnostics = schema.validate(&bad);
        let paths: Vec<String> =
            diagnostics.iter().map(|d| d.attribute.as_ref().map(ToString::to_string).unwrap_or_default()).collect();
        assert_eq!(paths, ["id", "settings.mode"], "{diagnostics}");
    }

    #[test]
    fn attribute_at_walks_nested_attributes() {
        let schema = sample();
        let path = AttributePath::root().attr("rules").index(3).attr("target");
        assert_eq!(schema.attribute_at(&path).map(|a| a.name.as_str()), Some("target"));
        assert!(schema.attribute_at(&AttributePath::root().attr("missing")).is_none());
    }
}
