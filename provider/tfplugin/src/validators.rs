//! Declarative per-attribute validators.
//!
//! A validator is attached to an [`Attribute`](crate::Attribute) and the server runs it on every *known, non-null*
//! value of that attribute, wherever it appears (inside nested lists, sets and maps too), with the exact
//! [`AttributePath`] of the value, so the user sees the error on the right line. Values that are unknown at plan
//! time are checked again at apply time, once they are known.
//!
//! Cross-field rules ("`a` requires `b`") belong in [`Resource::validate`](crate::Resource::validate) instead.

use std::fmt;
use std::sync::Arc;

use regex::Regex;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::value::{AttributePath, Value};

/// A check of one attribute value.
pub trait Validator: Send + Sync {
    /// What the validator requires, as a Markdown phrase ("one of `a`, `b`"), for documentation and messages.
    fn description(&self) -> String;

    /// Checks a known, non-null `value` found at `path`, adding diagnostics for problems.
    fn validate(&self, path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics);
}

/// The value must be one of `allowed` (strings, compared exactly).
pub fn one_of<I, S>(allowed: I) -> OneOf
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    OneOf { allowed: allowed.into_iter().map(Into::into).collect() }
}

/// See [`one_of`].
#[derive(Debug, Clone)]
pub struct OneOf {
    allowed: Vec<String>,
}

impl Validator for OneOf {
    fn description(&self) -> String {
        format!("one of {}", quoted_list(&self.allowed))
    }

    fn validate(&self, path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics) {
        let Some(text) = expect_string(path, value, diagnostics) else { return };
        if !self.allowed.iter().any(|a| a == text) {
            diagnostics.push(
                Diagnostic::error(
                    "Invalid attribute value",
                    format!("{path} must be {}, got {text:?}.", self.description().replace('`', "\"")),
                )
                .at(path.clone()),
            );
        }
    }
}

/// The string must match the regular expression `pattern` (anchor it with `^...$` to match the whole string);
/// `requirement` says in words what is expected ("a lowercase name").
///
/// # Panics
/// When `pattern` is not a valid regular expression: that is a programming error, caught by the first test that
/// builds the schema.
pub fn matches(pattern: &str, requirement: impl Into<String>) -> Matches {
    let regex = Regex::new(pattern).unwrap_or_else(|e| panic!("invalid validator pattern {pattern:?}: {e}"));
    Matches { regex, requirement: requirement.into() }
}

/// See [`matches()`].
#[derive(Debug, Clone)]
pub struct Matches {
    regex: Regex,
    requirement: String,
}

impl Validator for Matches {
    fn description(&self) -> String {
        self.requirement.clone()
    }

    fn validate(&self, path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics) {
        let Some(text) = expect_string(path, value, diagnostics) else { return };
        if !self.regex.is_match(text) {
            diagnostics.push(
                Diagnostic::error(
                    "Invalid attribute value",
                    format!("{path} must be {}, got {text:?}.", self.requirement),
                )
                .at(path.clone()),
            );
        }
    }
}

/// The string must be a GUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits, either case).
pub fn guid() -> Guid {
    Guid
}

/// See [`guid`].
#[derive(Debug, Clone, Copy)]
pub struct Guid;

/// True when `text` has the shape of a GUID: five groups of 8, 4, 4, 4 and 12 hex digits separated by dashes.
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

impl Validator for Guid {
    fn description(&self) -> String {
        "a GUID such as `00000000-0000-0000-0000-000000000000`".to_owned()
    }

    fn validate(&self, path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics) {
        let Some(text) = expect_string(path, value, diagnostics) else { return };
        if !is_guid(text) {
            diagnostics.push(
                Diagnostic::error(
                    "Invalid GUID",
                    format!("{path} must be a GUID such as 00000000-0000-0000-0000-000000000000, got {text:?}."),
                )
                .at(path.clone()),
            );
        }
    }
}

/// A list, set or map must have between `min` and `max` elements (inclusive); `None` leaves that end open.
pub fn size_between(min: Option<usize>, max: Option<usize>) -> SizeBetween {
    SizeBetween { min, max }
}

/// See [`size_between`].
#[derive(Debug, Clone, Copy)]
pub struct SizeBetween {
    min: Option<usize>,
    max: Option<usize>,
}

impl Validator for SizeBetween {
    fn description(&self) -> String {
        match (self.min, self.max) {
            (Some(min), Some(max)) if min == max => format!("exactly {min} elements"),
            (Some(min), Some(max)) => format!("between {min} and {max} elements"),
            (Some(min), None) => format!("at least {min} elements"),
            (None, Some(max)) => format!("at most {max} elements"),
            (None, None) => "any number of elements".to_owned(),
        }
    }

    fn validate(&self, path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics) {
        let len = match value.unwrap_dynamic() {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => v.len(),
            Value::Map(m) => m.len(),
            other => {
                wrong_kind(path, "a collection", other, diagnostics);
                return;
            }
        };
        let too_few = self.min.is_some_and(|min| len < min);
        let too_many = self.max.is_some_and(|max| len > max);
        if too_few || too_many {
            diagnostics.push(
                Diagnostic::error(
                    "Invalid number of elements",
                    format!("{path} must have {}, got {len}.", self.description()),
                )
                .at(path.clone()),
            );
        }
    }
}

/// A number must be an integer between `min` and `max` (inclusive).
pub fn int_between(min: i64, max: i64) -> IntBetween {
    IntBetween { min, max }
}

/// See [`int_between`].
#[derive(Debug, Clone, Copy)]
pub struct IntBetween {
    min: i64,
    max: i64,
}

impl Validator for IntBetween {
    fn description(&self) -> String {
        format!("a whole number between {} and {}", self.min, self.max)
    }

    fn validate(&self, path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics) {
        let Some(number) = value.as_number() else {
            wrong_kind(path, "a number", value, diagnostics);
            return;
        };
        if !number.as_i64().is_some_and(|n| (self.min..=self.max).contains(&n)) {
            diagnostics.push(
                Diagnostic::error(
                    "Invalid attribute value",
                    format!("{path} must be {}, got {}.", self.description(), number.as_str()),
                )
                .at(path.clone()),
            );
        }
    }
}

/// Applies `inner` to each known, non-null element of a list, set or map (list elements get their index in the
/// path, map elements their key; set elements have no path of their own, so problems point at the set).
pub fn each(inner: impl Validator + 'static) -> Each {
    Each { inner: Arc::new(inner) }
}

/// See [`each`].
#[derive(Clone)]
pub struct Each {
    inner: Arc<dyn Validator>,
}

impl fmt::Debug for Each {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Each").field("inner", &self.inner.description()).finish()
    }
}

impl Validator for Each {
    fn description(&self) -> String {
        format!("each element {}", self.inner.description())
    }

    fn validate(&self, path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics) {
        let check = |element_path: AttributePath, element: &Value, diagnostics: &mut Diagnostics| {
            if !element.is_null() && element.is_known() {
                self.inner.validate(&element_path, element, diagnostics);
            }
        };
        match value.unwrap_dynamic() {
            Value::List(elements) | Value::Tuple(elements) => {
                for (i, element) in elements.iter().enumerate() {
                    check(path.clone().index(i as i64), element, diagnostics);
                }
            }
            Value::Set(elements) => {
                for element in elements {
                    check(path.clone(), element, diagnostics);
                }
            }
            Value::Map(entries) => {
                for (key, element) in entries {
                    check(path.clone().key(key.clone()), element, diagnostics);
                }
            }
            other => wrong_kind(path, "a collection", other, diagnostics),
        }
    }
}

/// A validator from a closure, for rules the built-ins do not cover. `description` says what it requires.
pub fn custom<F>(description: impl Into<String>, check: F) -> Custom
where
    F: Fn(&AttributePath, &Value, &mut Diagnostics) + Send + Sync + 'static,
{
    Custom { description: description.into(), check: Arc::new(check) }
}

type CheckFn = dyn Fn(&AttributePath, &Value, &mut Diagnostics) + Send + Sync;

/// See [`custom`].
#[derive(Clone)]
pub struct Custom {
    description: String,
    check: Arc<CheckFn>,
}

impl fmt::Debug for Custom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Custom").field("description", &self.description).finish_non_exhaustive()
    }
}

impl Validator for Custom {
    fn description(&self) -> String {
        self.description.clone()
    }

    fn validate(&self, path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics) {
        (self.check)(path, value, diagnostics);
    }
}

fn expect_string<'v>(path: &AttributePath, value: &'v Value, diagnostics: &mut Diagnostics) -> Option<&'v str> {
    let text = value.as_str();
    if text.is_none() {
        wrong_kind(path, "a string", value, diagnostics);
    }
    text
}

// A validator attached to an attribute of the wrong type is a provider bug; say so rather than silently passing.
fn wrong_kind(path: &AttributePath, expected: &str, value: &Value, diagnostics: &mut Diagnostics) {
    diagnostics.push(
        Diagnostic::error(
            "Provider bug: validator attached to the wrong type",
            format!(
                "{path} is validated as {expected}, but holds {value:?}. Please report this to the provider developers."
            ),
        )
        .at(path.clone()),
    );
}

fn quoted_list(items: &[String]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(validator: &dyn Validator, value: Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        validator.validate(&AttributePath::root().attr("x"), &value, &mut diags);
        diags
    }

    #[test]
    fn one_of_names_the_allowed_values() {
        let v = one_of(["allowed", "blocked"]);
        assert!(run(&v, Value::string("allowed")).is_empty());
        let diags = run(&v, Value::string("maybe"));
        let d = diags.iter().next().expect("one error");
        assert_eq!(d.detail, "x must be one of \"allowed\", \"blocked\", got \"maybe\".");
        assert_eq!(d.attribute, Some(AttributePath::root().attr("x")));
    }

    #[test]
    fn guid_accepts_either_case_and_rejects_other_shapes() {
        assert!(is_guid("00000012-0000-0000-c000-000000000000"));
        assert!(is_guid("ABCDEF01-2345-6789-ABCD-EF0123456789"));
        assert!(!is_guid("00000012-0000-0000-c000-00000000000"));
        assert!(!is_guid("0000001200000000c000000000000000"));
        assert!(!is_guid("g0000012-0000-0000-c000-000000000000"));
        assert!(run(&guid(), Value::string("not-a-guid")).has_errors());
    }

    #[test]
    fn matches_uses_the_requirement_in_the_message() {
        let v = matches("^[a-z]+$", "lowercase letters only");
        assert!(run(&v, Value::string("abc")).is_empty());
        let diags = run(&v, Value::string("aBc"));
        assert!(diags.iter().next().unwrap().detail.contains("lowercase letters only"));
    }

    #[test]
    fn size_between_counts_elements() {
        let v = size_between(Some(1), Some(2));
        assert!(run(&v, Value::list([Value::string("a")])).is_empty());
        assert!(run(&v, Value::list([])).has_errors());
        assert!(run(&v, Value::set([Value::string("a"), Value::string("b"), Value::string("c")])).has_errors());
    }

    #[test]
    fn int_between_rejects_fractions_and_out_of_range() {
        let v = int_between(1, 10);
        assert!(run(&v, Value::from(5)).is_empty());
        assert!(run(&v, Value::from(11)).has_errors());
    }

    #[test]
    fn each_points_at_list_indexes_and_map_keys() {
        let v = each(one_of(["a"]));
        let diags = run(&v, Value::list([Value::string("a"), Value::string("b"), Value::Unknown, Value::Null]));
        let paths: Vec<String> =
            diags.iter().map(|d| d.attribute.as_ref().map(ToString::to_string).unwrap_or_default()).collect();
        assert_eq!(paths, ["x[1]"]);
        let diags = run(&v, Value::map([("k", Value::string("z"))]));
        assert_eq!(diags.iter().next().unwrap().attribute, Some(AttributePath::root().attr("x").key("k")));
    }

    #[test]
    fn a_validator_on_the_wrong_type_is_reported_as_a_provider_bug() {
        let diags = run(&one_of(["a"]), Value::from(true));
        assert!(diags.iter().next().unwrap().summary.starts_with("Provider bug"));
    }
}
