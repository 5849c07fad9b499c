//! [`Plan`], what `Resource::modify_plan` works on, and the schema-driven logic the router runs around resource
//! code: validation walks, the default plan and replacement detection. (The checks of Terraform's plan and apply
//! rules are in `server/rules.rs`.)

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::{Attribute, Nesting};
use crate::value::{AttributePath, Value};

/// A plan being built for one resource instance, handed to [`Resource::modify_plan`](crate::Resource::modify_plan).
///
/// The router fills [`planned_state`](Plan::planned_state) with Terraform's proposal, and on create marks computed
/// attributes the configuration leaves null as unknown; on update, computed attributes keep their prior values.
/// Attributes marked `requires_replace` in the schema are compared by the router *after* this hook, so changes made
/// here count.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The configuration (null when destroying). May contain unknown values.
    pub config: Value,
    /// The current state (null when creating).
    pub prior_state: Value,
    /// Terraform's proposal: the configuration merged with prior computed values (null when destroying).
    pub proposed_new_state: Value,
    /// The plan so far; change it to change the plan. Must stay null when destroying.
    pub planned_state: Value,
    /// Private data from the current state.
    pub prior_private: Vec<u8>,
    /// Private data for the apply; starts as `prior_private`.
    pub planned_private: Vec<u8>,
    /// Extra paths whose change forces replacement (in addition to the schema's `requires_replace` attributes).
    pub requires_replace: Vec<AttributePath>,
}

impl Plan {
    /// True when the object does not exist yet.
    pub fn is_create(&self) -> bool {
        self.prior_state.is_null() && !self.proposed_new_state.is_null()
    }

    /// True when the object is being destroyed.
    pub fn is_destroy(&self) -> bool {
        self.proposed_new_state.is_null()
    }

    /// True when an existing object is kept (changed in place or unchanged).
    pub fn is_update(&self) -> bool {
        !self.prior_state.is_null() && !self.proposed_new_state.is_null()
    }

    /// The planned value at `path` (null when the path leads nowhere).
    pub fn get(&self, path: &AttributePath) -> &Value {
        static NULL: Value = Value::Null;
        self.planned_state.at_path(path).unwrap_or(&NULL)
    }

    /// Sets the planned value at `path`. Fails when the path does not lead to an existing place in the plan.
    pub fn set(&mut self, path: &AttributePath, value: Value) -> Result<(), Diagnostics> {
        match self.planned_state.at_path_mut(path) {
            Some(slot) => {
                *slot = value;
                Ok(())
            }
            None => Err(Diagnostics::error(
                "Provider bug: cannot set a planned value",
                format!("The plan has no place at {path}. Please report this to the provider developers."),
            )),
        }
    }

    /// Plans `default` for the top-level attribute `name` when the configuration leaves it unset: the default of an
    /// optional and computed attribute, so the plan shows the value it will have rather than "known after apply".
    pub fn default_when_unset(&mut self, name: &str, default: Value) -> Result<(), Diagnostics> {
        if self.config.get_attr(name).is_null() {
            self.set(&AttributePath::root().attr(name), default)?;
        }
        Ok(())
    }

    /// Marks the planned value at `path` as unknown (it will be known after apply).
    pub fn mark_unknown(&mut self, path: &AttributePath) -> Result<(), Diagnostics> {
        self.set(path, Value::Unknown)
    }

    /// Forces replacement when the value at `path` changes.
    pub fn require_replace(&mut self, path: AttributePath) {
        if !self.requires_replace.contains(&path) {
            self.requires_replace.push(path);
        }
    }
}

static UNKNOWN: Value = Value::Unknown;

/// Which values a validation walk checks.
#[derive(Clone, Copy)]
pub(crate) enum ValidationScope<'a> {
    /// Every known value (ValidateResourceConfig and friends).
    All,
    /// Only values the plan still had as (partly) unknown; the argument is the planned state. Used at apply time,
    /// when the configuration is finally known.
    UnknownIn(&'a Value),
}

/// Runs the attribute validators of `attributes` over the object `value`, and warns about deprecated attributes
/// that are set (only in [`ValidationScope::All`], so the warning appears once).
pub(crate) fn validate_attributes(
    attributes: &[Attribute],
    value: &Value,
    path: &AttributePath,
    scope: ValidationScope<'_>,
    diagnostics: &mut Diagnostics,
) {
    for attribute in attributes {
        let current = value.get_attr(&attribute.name);
        // Terraform core accepts a value for an attribute only the provider sets (it leaves that check to the
        // framework), so report it here, once, even when the value is not known yet: the provider would ignore it.
        if attribute.computed && !attribute.optional && !attribute.required && !current.is_null() {
            if matches!(scope, ValidationScope::All) {
                let attr_path = path.clone().attr(attribute.name.clone());
                diagnostics.push(
                    Diagnostic::error(
                        "Invalid configuration for read-only attribute",
                        format!(
                            "{attr_path} is set by the provider and cannot be configured; remove it from the \
                             configuration."
                        ),
                    )
                    .at(attr_path),
                );
            }
            continue;
        }
        let attr_path = path.clone().attr(attribute.name.clone());
        let planned = match scope {
            ValidationScope::All => None,
            ValidationScope::UnknownIn(planned) => Some(planned.get_attr(&attribute.name)),
        };
        // At apply time, a value the plan already knew was validated during planning.
        let check_now = planned.is_none_or(|p| !p.is_fully_known());
        // Terraform itself reports a required attribute that is left out, but passes one written `= null` on to
        // the provider (the Go frameworks reject it there too); resource code would otherwise meet the null only
        // when it applies.
        if attribute.required && current.is_null() {
            if check_now {
                diagnostics.push(
                    Diagnostic::error(
                        "Missing required value",
                        format!("{attr_path} is required and cannot be null; give it a value."),
                    )
                    .at(attr_path),
                );
            }
            continue;
        }
        if current.is_null() || current.is_unknown() {
            continue;
        }
        if let (Some(message), None) = (&attribute.deprecation, planned) {
            diagnostics.push(Diagnostic::warning("Deprecated attribute", message.clone()).at(attr_path.clone()));
        }
        if check_now {
            if attribute.nested_attributes().is_none() && holds_null_element(current) {
                diagnostics.push(null_element(&attr_path));
            }
            for validator in &attribute.validators {
                validator.validate(&attr_path, current, diagnostics);
            }
        }
        let Some((nesting, inner)) = attribute.nested_attributes() else { continue };
        fn scope_for<'p>(scope: ValidationScope<'p>, planned_element: Option<&'p Value>) -> ValidationScope<'p> {
            match (scope, planned_element) {
                (ValidationScope::All, _) => ValidationScope::All,
                (ValidationScope::UnknownIn(_), Some(p)) => ValidationScope::UnknownIn(p),
                // The plan has no such element (it was unknown as a whole): check everything in it.
                (ValidationScope::UnknownIn(_), None) => ValidationScope::UnknownIn(&UNKNOWN),
            }
        }
        match nesting {
            Nesting::Single => validate_attributes(inner, current, &attr_path, scope_for(scope, planned), diagnostics),
            Nesting::List | Nesting::Set => {
                let planned_elements = planned.and_then(Value::as_elements);
                for (i, element) in current.as_elements().unwrap_or_default().iter().enumerate() {
                    if element.is_null() && check_now {
                        diagnostics.push(null_element(&attr_path));
                    }
                    if element.is_null() || element.is_unknown() {
                        continue;
                    }
                    // Set elements cannot be addressed, so problems inside them point at the set itself, and at
                    // apply time the whole set is rechecked unless the plan knew all of it.
                    if nesting == Nesting::List {
                        let element_path = attr_path.clone().index(i as i64);
                        let scope = scope_for(scope, planned_elements.and_then(|p| p.get(i)));
                        validate_attributes(inner, element, &element_path, scope, diagnostics);
                    } else {
                        let scope = scope_for(scope, planned.filter(|p| p.is_fully_known()));
                        let mut found = Diagnostics::new();
                        validate_attributes(inner, element, &attr_path, scope, &mut found);
                        for mut diagnostic in found {
                            diagnostic.attribute = Some(attr_path.clone());
                            diagnostics.push(diagnostic);
                        }
                    }
                }
            }
            Nesting::Map => {
                let planned_entries = planned.and_then(Value::as_map);
                for (key, element) in current.as_map().into_iter().flatten() {
                    if element.is_null() && check_now {
                        diagnostics.push(null_element(&attr_path.clone().key(key.clone())));
                    }
                    if element.is_null() || element.is_unknown() {
                        continue;
                    }
                    let planned_element = planned_entries.and_then(|p| p.get(key));
                    let element_path = attr_path.clone().key(key.clone());
                    validate_attributes(inner, element, &element_path, scope_for(scope, planned_element), diagnostics);
                }
            }
        }
    }
}

/// Whether a collection (at any depth of collections) holds a null element. Terraform accepts `[null]`, but a null
/// element means nothing to a remote API: resource code would meet it only when it applies.
fn holds_null_element(value: &Value) -> bool {
    match value {
        Value::List(elements) | Value::Set(elements) => elements.iter().any(|e| e.is_null() || holds_null_element(e)),
        Value::Map(entries) => entries.values().any(|e| e.is_null() || holds_null_element(e)),
        _ => false,
    }
}

fn null_element(path: &AttributePath) -> Diagnostic {
    Diagnostic::error("Null element", format!("{path} contains a null element; remove it, or give it a value."))
        .at(path.clone())
}

impl Plan {
    /// The plan the router hands to `modify_plan`: Terraform's proposal, with computed attributes the configuration
    /// leaves null marked unknown when the object is being created (on update, the proposal already carries their
    /// prior values, except in nested objects that are new), and null when destroying. Private data starts as the
    /// prior state's.
    pub(crate) fn with_default(
        attributes: &[Attribute],
        config: Value,
        prior_state: Value,
        proposed_new_state: Value,
        prior_private: Vec<u8>,
    ) -> Plan {
        let mut plan = Plan {
            config,
            prior_state,
            proposed_new_state,
            planned_state: Value::Null,
            planned_private: prior_private.clone(),
            prior_private,
            requires_replace: Vec::new(),
        };
        if !plan.is_destroy() {
            let mut planned = plan.proposed_new_state.clone();
            if plan.is_create() {
                mark_unset_computed_unknown(attributes, &plan.config, &mut planned);
            } else {
                mark_new_nested_objects(attributes, &plan.config, &plan.prior_state, &mut planned);
            }
            plan.planned_state = planned;
        }
        plan
    }
}

/// On update, nested objects that did not exist before (a new list element or map entry, a single nested object
/// that was null) have no prior computed values for Terraform's proposal to carry over, so they are planned as on
/// create. Set elements cannot be matched with prior ones and are left as proposed.
fn mark_new_nested_objects(attributes: &[Attribute], config: &Value, prior: &Value, planned: &mut Value) {
    let Value::Object(planned_attributes) = planned else { return };
    for attribute in attributes {
        let Some((nesting, inner)) = attribute.nested_attributes() else { continue };
        let Some(slot) = planned_attributes.get_mut(&attribute.name) else { continue };
        let (configured, before) = (config.get_attr(&attribute.name), prior.get_attr(&attribute.name));
        match (nesting, slot) {
            (Nesting::Single, slot) if before.is_null() => mark_unset_computed_unknown(inner, configured, slot),
            (Nesting::Single, slot) => mark_new_nested_objects(inner, configured, before, slot),
            (Nesting::List, Value::List(elements)) => {
                let configured = configured.as_elements().unwrap_or_default();
                let before = before.as_elements().unwrap_or_default();
                for (i, element) in elements.iter_mut().enumerate() {
                    let c = configured.get(i).unwrap_or(&Value::Null);
                    match before.get(i) {
                        Some(b) => mark_new_nested_objects(inner, c, b, element),
                        None => mark_unset_computed_unknown(inner, c, element),
                    }
                }
            }
            (Nesting::Map, Value::Map(entries)) => {
                for (key, element) in entries.iter_mut() {
                    let c = configured.as_map().and_then(|m| m.get(key)).unwrap_or(&Value::Null);
                    match before.as_map().and_then(|m| m.get(key)) {
                        Some(b) => mark_new_nested_objects(inner, c, b, element),
                        None => mark_unset_computed_unknown(inner, c, element),
                    }
                }
            }
            _ => {}
        }
    }
}

fn mark_unset_computed_unknown(attributes: &[Attribute], config: &Value, planned: &mut Value) {
    let Value::Object(planned_attributes) = planned else { return };
    for attribute in attributes {
        let configured = config.get_attr(&attribute.name);
        if attribute.computed && configured.is_null() {
            planned_attributes.insert(attribute.name.clone(), Value::Unknown);
            continue;
        }
        let Some((nesting, inner)) = attribute.nested_attributes() else { continue };
        let Some(slot) = planned_attributes.get_mut(&attribute.name) else { continue };
        match (nesting, configured, slot) {
            (Nesting::Single, configured, slot) => mark_unset_computed_unknown(inner, configured, slot),
            // On create the proposal's elements are the configuration's, in the same order.
            (Nesting::List | Nesting::Set, configured, Value::List(elements) | Value::Set(elements)) => {
                let configured = configured.as_elements().unwrap_or_default();
                if configured.len() == elements.len() {
                    for (c, p) in configured.iter().zip(elements.iter_mut()) {
                        mark_unset_computed_unknown(inner, c, p);
                    }
                }
            }
            (Nesting::Map, configured, Value::Map(entries)) => {
                for (key, p) in entries.iter_mut() {
                    if let Some(c) = configured.as_map().and_then(|m| m.get(key)) {
                        mark_unset_computed_unknown(inner, c, p);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The paths of `requires_replace` attributes whose planned value differs from the prior one (or is not known yet).
pub(crate) fn replacement_paths(attributes: &[Attribute], prior: &Value, planned: &Value) -> Vec<AttributePath> {
    let mut paths = Vec::new();
    if !prior.is_null() && !planned.is_null() {
        collect_replacements(attributes, prior, planned, &AttributePath::root(), &mut paths);
    }
    paths
}

fn collect_replacements(
    attributes: &[Attribute],
    prior: &Value,
    planned: &Value,
    path: &AttributePath,
    out: &mut Vec<AttributePath>,
) {
    for attribute in attributes {
        let before = prior.get_attr(&attribute.name);
        let after = planned.get_attr(&attribute.name);
        let attr_path = path.clone().attr(attribute.name.clone());
        let changed = !after.is_fully_known() || before != after;
        if attribute.requires_replace {
            if changed {
                out.push(attr_path);
            }
            continue;
        }
        let Some((nesting, inner)) = attribute.nested_attributes() else { continue };
        if before.is_null() || after.is_null() || !after.is_known() {
            continue;
        }
        match nesting {
            Nesting::Single => collect_replacements(inner, before, after, &attr_path, out),
            Nesting::List => {
                let pairs =
                    before.as_elements().unwrap_or_default().iter().zip(after.as_elements().unwrap_or_default());
                for (i, (b, a)) in pairs.enumerate() {
                    collect_replacements(inner, b, a, &attr_path.clone().index(i as i64), out);
                }
            }
            Nesting::Map => {
                for (key, a) in after.as_map().into_iter().flatten() {
                    if let Some(b) = before.as_map().and_then(|m| m.get(key)) {
                        collect_replacements(inner, b, a, &attr_path.clone().key(key.clone()), out);
                    }
                }
            }
            // Paths cannot enter a set, so a replacement-forcing attribute inside one replaces on any change.
            Nesting::Set => {
                if has_requires_replace(inner) && changed {
                    out.push(attr_path);
                }
            }
        }
    }
}

fn has_requires_replace(attributes: &[Attribute]) -> bool {
    attributes.iter().any(|a| a.requires_replace || a.nested_attributes().is_some_and(|(_, i)| has_requires_replace(i)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, Nesting};
    use crate::validators::one_of;

    fn attributes() -> Vec<Attribute> {
        vec![
            Attribute::string("id").computed(),
            Attribute::string("name").required().requires_replace(),
            Attribute::string("mode").optional().computed().validate(one_of(["a", "b"])),
            Attribute::nested(
                "rules",
                Nesting::List,
                [Attribute::string("kind").required().validate(one_of(["x"])), Attribute::string("ref").computed()],
            )
            .optional(),
            Attribute::nested("tags", Nesting::Set, [Attribute::string("key").required().validate(one_of(["k"]))])
                .optional(),
        ]
    }

    fn obj(entries: &[(&str, Value)]) -> Value {
        Value::object(entries.iter().map(|(k, v)| (*k, v.clone())))
    }

    /// The planned state of the default plan.
    fn default_plan(attributes: &[Attribute], config: &Value, prior: &Value, proposed: &Value) -> Value {
        Plan::with_default(attributes, config.clone(), prior.clone(), proposed.clone(), Vec::new()).planned_state
    }

    #[test]
    fn the_default_plan_starts_with_the_prior_private_data_and_no_extra_replacements() {
        let prior = obj(&[("id", Value::string("1")), ("name", Value::string("n"))]);
        let plan = Plan::with_default(&attributes(), prior.clone(), prior.clone(), prior, b"p".to_vec());
        assert!(plan.is_update() && !plan.is_create() && !plan.is_destroy());
        assert_eq!((plan.prior_private.as_slice(), plan.planned_private.as_slice()), (&b"p"[..], &b"p"[..]));
        assert!(plan.requires_replace.is_empty());
        let config = obj(&[("name", Value::string("n"))]);
        let create = Plan::with_default(&attributes(), config.clone(), Value::Null, config, Vec::new());
        assert!(create.is_create() && !create.is_update());
        let destroy = Plan::with_default(&attributes(), Value::Null, Value::string("x"), Value::Null, Vec::new());
        assert!(destroy.is_destroy() && !destroy.is_create());
    }

    #[test]
    fn defaults_fill_only_what_the_configuration_leaves_unset() {
        let config = obj(&[("name", Value::string("n")), ("mode", Value::string("b"))]);
        let mut plan = Plan::with_default(&attributes(), config.clone(), Value::Null, config, Vec::new());
        plan.default_when_unset("mode", Value::string("a")).unwrap();
        assert_eq!(plan.get(&AttributePath::root().attr("mode")), &Value::string("b"), "a configured value stays");
        plan.default_when_unset("id", Value::string("fixed")).unwrap();
        assert_eq!(plan.get(&AttributePath::root().attr("id")), &Value::string("fixed"), "an unset one is planned");
    }

    #[test]
    fn create_plan_marks_unset_computed_attributes_unknown_at_every_depth() {
        let config = obj(&[
            ("name", Value::string("n")),
            ("mode", Value::string("a")),
            ("rules", Value::list([obj(&[("kind", Value::string("x"))])])),
        ]);
        let planned = default_plan(&attributes(), &config, &Value::Null, &config);
        assert_eq!(planned.get_attr("id"), &Value::Unknown);
        assert_eq!(planned.get_attr("mode"), &Value::string("a"));
        let rule = &planned.get_attr("rules").as_elements().unwrap()[0];
        assert_eq!(rule.get_attr("ref"), &Value::Unknown);
        assert!(crate::server::rules::plan_problems(&attributes(), &config, &planned).is_empty());
    }

    #[test]
    fn update_plan_marks_computed_values_of_new_list_elements_unknown() {
        let rule = |kind: &str, r: Value| obj(&[("kind", Value::string(kind)), ("ref", r)]);
        let prior = obj(&[
            ("id", Value::string("1")),
            ("name", Value::string("n")),
            ("rules", Value::list([rule("x", Value::string("r0"))])),
        ]);
        let config = obj(&[
            ("name", Value::string("n")),
            ("rules", Value::list([rule("x", Value::Null), rule("x", Value::Null)])),
        ]);
        let proposed = obj(&[
            ("id", Value::string("1")),
            ("name", Value::string("n")),
            ("rules", Value::list([rule("x", Value::string("r0")), rule("x", Value::Null)])),
        ]);
        let planned = default_plan(&attributes(), &config, &prior, &proposed);
        let at = |i: i64| planned.at_path(&AttributePath::root().attr("rules").index(i).attr("ref")).cloned();
        assert_eq!(at(0), Some(Value::string("r0")));
        assert_eq!(at(1), Some(Value::Unknown));
        assert_eq!(planned.get_attr("id"), &Value::string("1"));
    }

    #[test]
    fn update_plan_keeps_the_proposal() {
        let prior = obj(&[("id", Value::string("1")), ("name", Value::string("n"))]);
        let planned = default_plan(&attributes(), &prior, &prior, &prior);
        assert_eq!(planned, prior);
        assert!(replacement_paths(&attributes(), &prior, &planned).is_empty());
    }

    #[test]
    fn destroy_plans_null() {
        assert_eq!(default_plan(&attributes(), &Value::Null, &Value::string("x"), &Value::Null), Value::Null);
    }

    #[test]
    fn a_changed_requires_replace_attribute_is_reported() {
        let prior = obj(&[("id", Value::string("1")), ("name", Value::string("old"))]);
        let planned = obj(&[("id", Value::string("1")), ("name", Value::string("new"))]);
        assert_eq!(replacement_paths(&attributes(), &prior, &planned), [AttributePath::root().attr("name")]);
        let unknown = obj(&[("id", Value::string("1")), ("name", Value::Unknown)]);
        assert_eq!(replacement_paths(&attributes(), &prior, &unknown), [AttributePath::root().attr("name")]);
        assert!(replacement_paths(&attributes(), &Value::Null, &planned).is_empty());
    }

    #[test]
    fn validators_run_at_exact_paths_and_skip_unknowns() {
        let config = obj(&[
            ("name", Value::string("n")),
            ("mode", Value::string("zzz")),
            ("rules", Value::list([obj(&[("kind", Value::string("x"))]), obj(&[("kind", Value::string("y"))])])),
            ("tags", Value::set([obj(&[("key", Value::string("bad"))]), obj(&[("key", Value::Unknown)])])),
        ]);
        let mut diags = Diagnostics::new();
        validate_attributes(&attributes(), &config, &AttributePath::root(), ValidationScope::All, &mut diags);
        let paths: Vec<String> = diags.iter().map(|d| d.attribute.as_ref().unwrap().to_string()).collect();
        assert_eq!(paths, ["mode", "rules[1].kind", "tags"]);
    }

    #[test]
    fn read_only_attributes_cannot_be_configured_at_any_depth() {
        let config = obj(&[
            ("id", Value::Unknown),
            ("name", Value::string("n")),
            ("rules", Value::list([obj(&[("kind", Value::string("x")), ("ref", Value::string("r"))])])),
        ]);
        let mut diags = Diagnostics::new();
        validate_attributes(&attributes(), &config, &AttributePath::root(), ValidationScope::All, &mut diags);
        let paths: Vec<String> = diags.iter().map(|d| d.attribute.as_ref().unwrap().to_string()).collect();
        assert_eq!(paths, ["id", "rules[0].ref"]);
        assert!(diags.iter().all(|d| d.summary.contains("read-only")), "{diags}");
        // Reported once, during validation, not again at apply.
        let mut again = Diagnostics::new();
        let planned = obj(&[("id", Value::Unknown), ("name", Value::string("n"))]);
        let scope = ValidationScope::UnknownIn(&planned);
        validate_attributes(&attributes(), &config, &AttributePath::root(), scope, &mut again);
        assert!(again.is_empty(), "{again}");
    }

    #[test]
    fn required_values_written_as_null_and_null_elements_are_refused() {
        let attributes = vec![
            Attribute::string("name").required(),
            Attribute::list("names", crate::value::Type::String).optional(),
            Attribute::nested("tags", Nesting::Set, [Attribute::string("key").required()]).optional(),
            Attribute::nested("labels", Nesting::Map, [Attribute::string("key").optional()]).optional(),
        ];
        let config = obj(&[
            ("name", Value::Null),
            ("names", Value::list([Value::string("a"), Value::Null])),
            ("tags", Value::set([Value::Null, obj(&[("key", Value::Null)])])),
            ("labels", Value::map([("x".to_owned(), Value::Null)])),
        ]);
        let mut diags = Diagnostics::new();
        validate_attributes(&attributes, &config, &AttributePath::root(), ValidationScope::All, &mut diags);
        let found: Vec<(String, String)> =
            diags.iter().map(|d| (d.attribute.as_ref().unwrap().to_string(), d.summary.clone())).collect();
        let expected = [
            ("name", "Missing required value"),
            ("names", "Null element"),
            ("tags", "Null element"),
            ("tags", "Missing required value"),
            ("labels[\"x\"]", "Null element"),
        ];
        let expected: Vec<(String, String)> =
            expected.iter().map(|(p, s)| ((*p).to_owned(), (*s).to_owned())).collect();
        assert_eq!(found, expected);

        // A value the plan did not know is checked when it becomes null at apply; a null the plan knew is not
        // reported twice.
        let config = obj(&[("name", Value::Null)]);
        let mut diags = Diagnostics::new();
        let planned = obj(&[("name", Value::Unknown)]);
        validate_attributes(
            &attributes,
            &config,
            &AttributePath::root(),
            ValidationScope::UnknownIn(&planned),
            &mut diags,
        );
        assert_eq!(diags.len(), 1);
        let mut diags = Diagnostics::new();
        validate_attributes(
            &attributes,
            &config,
            &AttributePath::root(),
            ValidationScope::UnknownIn(&config),
            &mut diags,
        );
        assert!(diags.is_empty(), "{diags}");
    }

    #[test]
    fn apply_time_validation_checks_only_what_the_plan_did_not_know() {
        let config = obj(&[("name", Value::string("n")), ("mode", Value::string("zzz"))]);
        let planned_known = obj(&[("name", Value::string("n")), ("mode", Value::string("zzz"))]);
        let mut diags = Diagnostics::new();
        let scope = ValidationScope::UnknownIn(&planned_known);
        validate_attributes(&attributes(), &config, &AttributePath::root(), scope, &mut diags);
        assert!(diags.is_empty(), "already validated at plan time: {diags}");

        let planned_unknown = obj(&[("name", Value::string("n")), ("mode", Value::Unknown)]);
        let scope = ValidationScope::UnknownIn(&planned_unknown);
        validate_attributes(&attributes(), &config, &AttributePath::root(), scope, &mut diags);
        assert_eq!(diags.len(), 1);
    }
}
