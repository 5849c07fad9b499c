//! The entra provider: configuration, resources and data sources.
//!
//! - [`provider`]: the provider schema and configuration (authentication settings → the Graph client), and the
//!   lists of resources and data sources;
//! - [`provider_data`]: what configuring produces for resources and data sources ([`provider_data::ProviderData`]);
//! - [`resources`]: one module per resource type;
//! - [`shared`]: what resources, data sources and export share: the settings' schema (the one description of each
//!   Graph object's settings), the schema-driven mapping to and from Graph's JSON, validation, import, errors;
//! - [`data_sources`]: one module per data source;
//! - [`timeouts`]: the `timeouts` attribute and the Graph operation deadlines built from it;
//! - [`journal`]: the create journal, which lets a create recognise an object an interrupted apply of this provider
//!   created;
//! - [`export`]: the `terraform-provider-entra export` command, which writes configuration and import blocks for an
//!   existing tenant using the resources above.

pub mod data_sources;
pub mod export;
pub mod journal;
pub mod provider;
pub mod provider_data;
pub mod resources;
pub mod shared;
pub mod timeouts;
