//! What the resources, data sources and export share (interface.md §3), in one place:
//!
//! - [`schema`]: builders for the nested attributes (`target_configuration`, the B2B settings, `inbound_trust`,
//!   `automatic_user_consent_settings`, `tenant_restrictions`, the Microsoft 365 and App Service settings, the
//!   invitation-redemption providers), with their Markdown descriptions and validators. A [`Presence`] says how
//!   the attributes behave: `Inherit` for partners (optional; `null` = inherited from the default configuration),
//!   `ServiceDefault` for the default configuration (optional and computed at every level; omitted = Microsoft's
//!   service default) and `Computed` for data-source output.
//!   The lists of settings each Graph object has ([`schema::partner_settings`], [`schema::default_settings`]) and
//!   the default's [`schema::service_default`] table live there too: they are the one description of the settings.
//! - [`mapping`]: the conversion between Terraform values and Graph's JSON, driven by the schema (attribute names
//!   map to Graph's camelCase names), once in each direction (create body, PATCH, read), plus the normalisations
//!   Read applies: GUID spelling kept from the prior state, and Graph's object of nulls for unset flags.
//! - [`partner_state`]: a partner's Terraform value as Graph holds it (the resource, the data source, export).
//! - [`validation`]: the plan-time rules of interface.md §6 (target and type consistency, keywords, GUID syntax,
//!   `AllUsers` not mixed with ids, R1/R2 within one B2B setting, R3/R4 for the default, and the Rights Management
//!   Services warning), attached to the attributes by the builders so every resource gets the same checks at the
//!   exact attribute path.
//! - [`journaled`]: how a create uses the create journal (record, forget on failure, forget after the first Read).
//! - [`errors`]: Graph errors turned into diagnostics that say what was being done and which permission is needed.
//! - [`import`]: resolving an import id that is a tenant id or a domain name, and importing the singletons by their
//!   fixed id; [`tenant_id`]: the `tenant_id` and
//!   `id` of resources keyed by a partner tenant (case-insensitive, replacement only for another tenant).

pub mod errors;
pub mod import;
pub mod journaled;
pub mod mapping;
pub mod mto;
pub mod mto_template;
pub mod partner_state;
pub mod schema;
pub mod tenant_id;
pub mod validation;

pub use schema::{B2bSettingKind, Presence, TargetContainer};
