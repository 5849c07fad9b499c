//! The entra provider: configuration, resources and data sources.

pub mod provider;
