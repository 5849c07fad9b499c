//! The one error type of the value layer: what went wrong, and where in the value.

use std::fmt;

use super::path::{AttributePath, PathStep};

/// A value or type that could not be decoded, encoded or converted.
///
/// The path says where in the value the problem is, so the protocol server can attach it to a diagnostic and
/// Terraform can point at the right part of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// Where the problem is; the root path when it concerns the whole value.
    pub path: AttributePath,
    /// What is wrong, as a sentence fragment fit for a diagnostic's detail.
    pub message: String,
}

impl ValueError {
    /// An error at the given path.
    pub fn new(path: AttributePath, message: impl Into<String>) -> Self {
        ValueError { path, message: message.into() }
    }

    /// An error about the whole value.
    pub fn at_root(message: impl Into<String>) -> Self {
        ValueError::new(AttributePath::root(), message)
    }

    /// The same error, one level further down: `step` is put in front of its path. Codecs build paths this way,
    /// as errors travel up, so that decoding pays nothing for paths when it succeeds.
    #[must_use]
    pub fn under(mut self, step: PathStep) -> Self {
        self.path.steps.insert(0, step);
        self
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_root() { f.write_str(&self.message) } else { write!(f, "{}: {}", self.path, self.message) }
    }
}

impl std::error::Error for ValueError {}
