//! The Terraform plugin protocol 6 server: the only crate that knows gRPC, protobuf and msgpack.
//!
//! Provider code implements [`Provider`], [`Resource`] and [`DataSource`] with [`Value`]s, [`Schema`]s and
//! [`Diagnostics`], and hands the provider to [`serve()`] (Terraform started the process), [`serve_debug`] (a
//! developer did, with `--debug`) or [`InProcessServer`] (tests drive Terraform through reattach). Everything about
//! the wire — go-plugin's handshake and AutoMTLS, gRPC, protobuf, msgpack — stays inside this crate.
//!
//! Layout:
//! - [`value`]: Terraform types, values, paths and their wire encodings;
//! - [`schema`], [`validators`], [`diagnostics`]: what resources declare and report;
//! - [`provider`](crate::Provider) traits, [`Context`] and [`Plan`]: what resources implement and receive;
//! - `server`: the single place that routes RPCs to resource code: `wire` (protobuf and msgpack ↔ plain structs),
//!   `routing` (plain Rust: what each RPC means, default planning, validators) and `rules` (debug-build checks);
//! - [`serve`](mod@serve), `tls`, `stream`: process, handshake and transport;
//! - [`logging`]: hclog-formatted logs on stderr, as Terraform expects from plugins.
#![deny(missing_docs)]

mod context;
pub mod diagnostics;
mod generated;
pub mod logging;
mod plan;
mod provider;
pub mod schema;
pub mod serve;
mod server;
mod stream;
#[cfg(feature = "testing")]
pub mod testing;
mod tls;
pub mod validators;
pub mod value;

pub use context::{Configured, Context};
pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use plan::Plan;
pub use provider::{
    ConfigureRequest, CreateRequest, DataSource, DeleteRequest, NewState, Provider, ReadOutcome, ReadRequest, Resource,
    UpdateRequest, UpgradeStateRequest,
};
pub use schema::{Attribute, AttributeKind, Nesting, Schema};
pub use serve::{InProcessServer, serve, serve_debug};
pub use value::{AttributePath, Number, PathStep, Type, Value};

/// Re-exported so provider crates implement the async traits without naming the macro crate themselves.
pub use async_trait::async_trait;
