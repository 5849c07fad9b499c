//! The server: the one place that turns Terraform's RPCs into calls on resource code, in three layers.
//!
//! - [`wire`]: the tfplugin6 gRPC service. It decodes protobuf requests and msgpack values into plain structs,
//!   calls the router, and encodes the reply. The only part of the server that names a protobuf type.
//! - [`routing`]: what each RPC means, in plain Rust over `Value`s, `Schema`s and `Diagnostics`: plan and apply
//!   routed to create, update or delete, import, validators at each attribute's exact path, the default plan,
//!   replacement paths. Tested directly, without gRPC.
//! - [`rules`]: debug-build checks of what resource code returned against Terraform's plan and apply rules, reported
//!   as "Provider bug" diagnostics that name the attribute.

mod routing;
pub(crate) mod rules;
#[cfg(test)]
mod test_provider;
mod wire;

pub(crate) use wire::ProviderService;
