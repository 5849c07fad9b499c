//! Checks of Terraform's plan and apply rules on what resource code returned.
//!
//! Terraform rejects a plan in which a non-computed attribute differs from the configuration ("Provider produced
//! invalid plan"), and an apply result in which a known planned value changed ("Provider produced inconsistent
//! result"). Those errors are hard to trace back to resource code, so in debug builds (every test run) the router
//! checks the same rules itself and reports the exact attribute as a provider bug. Release builds leave them to
//! Terraform.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::{Attribute, Nesting};
use crate::value::{AttributePath, Value};

/// Adds `problems` to `diagnostics` (and logs them) in debug builds; does nothing in release builds.
pub(crate) fn check_rules(problems: Vec<Diagnostic>, diagnostics: &mut Diagnostics) {
    if cfg!(debug_assertions) {
        for problem in problems {
            tracing::error!(detail = %problem, "provider produced a result Terraform would reject");
            diagnostics.push(problem);
        }
    }
}

/// Violations of Terraform's plan rules: a non-computed attribute (or an optional+computed one the configuration
/// sets) must be planned exactly as configured.
pub(crate) fn plan_problems(attributes: &[Attribute], config: &Value, planned: &Value) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if !planned.is_null() {
        check_planned(attributes, config, planned, &AttributePath::root(), &mut problems);
    }
    problems
}

fn check_planned(
    attributes: &[Attribute],
    config: &Value,
    planned: &Value,
    path: &AttributePath,
    problems: &mut Vec<Diagnostic>,
) {
    for attribute in attributes {
        let configured = config.get_attr(&attribute.name);
        let plan = planned.get_attr(&attribute.name);
        let attr_path = path.clone().attr(attribute.name.clone());
        if attribute.computed && configured.is_null() {
            continue; // the provider may plan anything here
        }
        let mismatch = || {
            Diagnostic::error(
                "Provider bug: planned value does not match the configuration",
                format!(
                    "The plan for {attr_path} is {plan:?}, but the configuration says {configured:?}. Only computed \
                     attributes the configuration leaves unset may be planned freely."
                ),
            )
            .at(attr_path.clone())
        };
        let nested = attribute.nested_attributes();
        match nested {
            Some((nesting, inner)) if configured.is_known() && !configured.is_null() && plan.is_known() => {
                match nesting {
                    Nesting::Single => check_planned(inner, configured, plan, &attr_path, problems),
                    Nesting::List => {
                        let (c, p) = (configured.as_elements().unwrap_or_default(), plan.as_elements());
                        match p {
                            Some(p) if p.len() == c.len() => {
                                for (i, (c, p)) in c.iter().zip(p).enumerate() {
                                    check_planned(inner, c, p, &attr_path.clone().index(i as i64), problems);
                                }
                            }
                            _ => problems.push(mismatch()),
                        }
                    }
                    Nesting::Map => {
                        let (c, p) = (configured.as_map(), plan.as_map());
                        match (c, p) {
                            (Some(c), Some(p)) if c.keys().eq(p.keys()) => {
                                for (key, cv) in c {
                                    check_planned(inner, cv, &p[key], &attr_path.clone().key(key.clone()), problems);
                                }
                            }
                            _ => problems.push(mismatch()),
                        }
                    }
                    // Elements of a set cannot be matched up when they hold computed values; compare sizes only.
                    Nesting::Set => {
                        let same_size =
                            configured.as_elements().map(<[Value]>::len) == plan.as_elements().map(<[Value]>::len);
                        let has_computed = inner.iter().any(|a| a.computed);
                        if !same_size || (!has_computed && configured != plan) {
                            problems.push(mismatch());
                        }
                    }
                }
            }
            _ => {
                if configured != plan {
                    problems.push(mismatch());
                }
            }
        }
    }
}

/// Violations of Terraform's apply rules: every value the plan knew must come back unchanged, and nothing may stay
/// unknown.
pub(crate) fn new_state_problems(planned: &Value, new_state: &Value) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    check_compatible(planned, new_state, &AttributePath::root(), &mut problems);
    problems
}

fn check_compatible(planned: &Value, actual: &Value, path: &AttributePath, problems: &mut Vec<Diagnostic>) {
    let differs = || {
        Diagnostic::error(
            "Provider bug: applied value differs from the plan",
            format!("At {path} the plan promised {planned:?}, but the resource returned {actual:?}."),
        )
        .at(path.clone())
    };
    match (planned.unwrap_dynamic(), actual.unwrap_dynamic()) {
        (Value::Unknown, actual) => {
            if !actual.is_fully_known() {
                problems.push(unknown_in_state(path));
            }
        }
        (Value::Object(p), Value::Object(a)) | (Value::Map(p), Value::Map(a)) => {
            if matches!(planned.unwrap_dynamic(), Value::Map(_)) && !p.keys().eq(a.keys()) {
                problems.push(differs());
                return;
            }
            let names: std::collections::BTreeSet<&String> = p.keys().chain(a.keys()).collect();
            for name in names {
                let step = if matches!(planned.unwrap_dynamic(), Value::Map(_)) {
                    path.clone().key(name.clone())
                } else {
                    path.clone().attr(name.clone())
                };
                check_compatible(planned.get_or_null(name), actual.get_or_null(name), &step, problems);
            }
        }
        (Value::List(p), Value::List(a)) | (Value::Tuple(p), Value::Tuple(a)) => {
            if p.len() != a.len() {
                problems.push(differs());
                return;
            }
            for (i, (p, a)) in p.iter().zip(a).enumerate() {
                check_compatible(p, a, &path.clone().index(i as i64), problems);
            }
        }
        (Value::Set(_), Value::Set(_)) => {
            if !actual.is_fully_known() {
                problems.push(unknown_in_state(path));
            } else if planned.is_fully_known() && planned != actual {
                problems.push(differs());
            }
        }
        (_, actual_inner) => {
            if !actual_inner.is_fully_known() {
                problems.push(unknown_in_state(path));
            } else if planned != actual {
                problems.push(differs());
            }
        }
    }
}

/// Unknown values left in a state returned by read, create or update.
pub(crate) fn unknown_problems(state: &Value) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    find_unknowns(state, &AttributePath::root(), &mut problems);
    problems
}

fn find_unknowns(value: &Value, path: &AttributePath, problems: &mut Vec<Diagnostic>) {
    match value.unwrap_dynamic() {
        Value::Unknown => problems.push(unknown_in_state(path)),
        Value::Object(entries) => {
            for (name, v) in entries {
                find_unknowns(v, &path.clone().attr(name.clone()), problems);
            }
        }
        Value::Map(entries) => {
            for (key, v) in entries {
                find_unknowns(v, &path.clone().key(key.clone()), problems);
            }
        }
        Value::List(elements) | Value::Tuple(elements) => {
            for (i, v) in elements.iter().enumerate() {
                find_unknowns(v, &path.clone().index(i as i64), problems);
            }
        }
        Value::Set(elements) if elements.iter().any(|e| !e.is_fully_known()) => problems.push(unknown_in_state(path)),
        _ => {}
    }
}

fn unknown_in_state(path: &AttributePath) -> Diagnostic {
    Diagnostic::error(
        "Provider bug: unknown value in the new state",
        format!("The resource returned a state in which {path} is still unknown; every value must be known after apply or read."),
    )
    .at(path.clone())
}

trait GetOrNull {
    fn get_or_null(&self, key: &str) -> &Value;
}

impl GetOrNull for Value {
    // Like `get_attr`, but for maps too: compatibility checks walk objects and maps the same way.
    fn get_or_null(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self.unwrap_dynamic() {
            Value::Object(m) | Value::Map(m) => m.get(key).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validators::one_of;

    fn attributes() -> Vec<Attribute> {
        vec![
            Attribute::string("id").computed(),
            Attribute::string("name").required().requires_replace(),
            Attribute::string("mode").optional().computed().validate(one_of(["a", "b"])),
        ]
    }

    fn obj(entries: &[(&str, Value)]) -> Value {
        Value::object(entries.iter().map(|(k, v)| (*k, v.clone())))
    }

    #[test]
    fn plan_rule_violations_name_the_attribute() {
        let config = obj(&[("name", Value::string("n"))]);
        let planned = obj(&[("name", Value::string("other")), ("mode", Value::string("a"))]);
        let problems = plan_problems(&attributes(), &config, &planned);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].attribute, Some(AttributePath::root().attr("name")));
    }

    #[test]
    fn apply_results_must_keep_known_planned_values() {
        let planned = obj(&[("id", Value::Unknown), ("name", Value::string("n"))]);
        let good = obj(&[("id", Value::string("1")), ("name", Value::string("n"))]);
        assert!(new_state_problems(&planned, &good).is_empty());
        let changed = obj(&[("id", Value::string("1")), ("name", Value::string("N"))]);
        assert_eq!(new_state_problems(&planned, &changed)[0].attribute, Some(AttributePath::root().attr("name")));
        let still_unknown = obj(&[("id", Value::Unknown), ("name", Value::string("n"))]);
        assert!(new_state_problems(&planned, &still_unknown)[0].summary.contains("unknown"));
        assert_eq!(unknown_problems(&still_unknown).len(), 1);
    }
}
