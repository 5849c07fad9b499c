//! Rust code generated from the `.proto` files in `proto/` by `cargo xtask codegen`.
//!
//! The files are pulled in with `include!` rather than as modules so that `cargo fmt` leaves them exactly as the
//! generator wrote them; the staleness test compares them byte for byte.

/// Terraform plugin protocol 6 (package `tfplugin6`).
#[allow(
    dead_code,
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    rust_2018_idioms,
    clippy::all,
    clippy::pedantic
)]
pub mod tfplugin6 {
    include!("tfplugin6.rs");
}

/// go-plugin's own services (package `plugin`): controller, stdio and broker.
#[allow(
    dead_code,
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    rust_2018_idioms,
    clippy::all,
    clippy::pedantic
)]
pub mod plugin {
    include!("plugin.rs");
}
