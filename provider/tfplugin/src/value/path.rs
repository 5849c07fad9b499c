//! Attribute paths: where in a value a diagnostic points.
//!
//! A path is the list of steps the protocol's `AttributePath` message carries: an attribute name, a string key (map
//! element) or an integer key (list or tuple element). Set elements have no identity Terraform could point at, so a
//! path that enters a set stops at the set itself.
//!
//! Paths are displayed the way Terraform users write references: `a.b["key"][0]`.

use std::fmt;

/// One step of an attribute path, as the protocol's `AttributePath.Step` has them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An object attribute (or nested block type) name.
    Attribute(String),
    /// A map key.
    ElementKeyString(String),
    /// A list or tuple index.
    ElementKeyInt(i64),
}

/// A path from the root of a resource's value to one of its parts. Sets have no element step: a path that enters a
/// set stops at the set.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AttributePath {
    /// The steps, from the root.
    pub steps: Vec<PathStep>,
}

impl AttributePath {
    /// The empty path: the whole value.
    pub fn root() -> Self {
        AttributePath { steps: Vec::new() }
    }

    /// This path followed by an attribute step.
    #[must_use]
    pub fn attr(mut self, name: impl Into<String>) -> Self {
        self.steps.push(PathStep::Attribute(name.into()));
        self
    }

    /// This path followed by a map-key step.
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.steps.push(PathStep::ElementKeyString(key.into()));
        self
    }

    /// This path followed by a list- or tuple-index step.
    #[must_use]
    pub fn index(mut self, index: i64) -> Self {
        self.steps.push(PathStep::ElementKeyInt(index));
        self
    }

    /// Appends a step in place (the non-consuming form of the builders, for walkers that push and pop).
    pub fn push(&mut self, step: PathStep) {
        self.steps.push(step);
    }

    /// Removes and returns the last step.
    pub fn pop(&mut self) -> Option<PathStep> {
        self.steps.pop()
    }

    /// True for the root path.
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// The path without its last step; the root's parent is the root.
    #[must_use]
    pub fn parent(&self) -> Self {
        let mut steps = self.steps.clone();
        steps.pop();
        AttributePath { steps }
    }

    /// The last step, if any.
    pub fn last(&self) -> Option<&PathStep> {
        self.steps.last()
    }

    /// True when `self` is `other` or lies inside it.
    pub fn starts_with(&self, other: &AttributePath) -> bool {
        self.steps.starts_with(&other.steps)
    }
}

impl fmt::Display for AttributePath {
    /// Formats as `a.b["key"][0]`; the root path formats as an empty string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(name) => {
                    if position > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(name)?;
                }
                PathStep::ElementKeyString(key) => {
                    // JSON string syntax is also HCL's for the common cases: quotes and backslashes escaped.
                    let quoted = serde_json::to_string(key).map_err(|_| fmt::Error)?;
                    write!(f, "[{quoted}]")?;
                }
                PathStep::ElementKeyInt(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}
