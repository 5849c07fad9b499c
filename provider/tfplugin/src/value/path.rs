//! Attribute paths: where in a value a diagnostic points.

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
