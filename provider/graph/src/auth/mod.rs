//! Authentication: which credential to use, and getting tokens with it.

mod settings;

pub use settings::{AuthSettings, CloudEnvironment};
