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
//! - [`provider`](crate::Provider) traits and [`Context`]: what resources implement and receive;
//! - `server`: the single place that routes RPCs to resource code, with default planning and rule checks;
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

/// The protocol's wire types and generated gRPC stubs, for tests and tooling. Resource code never needs them.
pub mod proto {
    pub use crate::generated::plugin;
    pub use crate::generated::tfplugin6;
}

pub use context::{Configured, Context};
pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use provider::{
    ConfigureRequest, CreateRequest, DataSource, DeleteRequest, NewState, Plan, Provider, ReadOutcome, ReadRequest,
    Resource, UpdateRequest, UpgradeStateRequest,
};
pub use schema::{Attribute, AttributeKind, Nesting, Schema};
pub use serve::{InProcessServer, serve, serve_debug};
pub use value::{AttributePath, Number, PathStep, Type, Value};

/// Re-exported so provider crates implement the async traits without naming the macro crate themselves.
pub use async_trait::async_trait;
