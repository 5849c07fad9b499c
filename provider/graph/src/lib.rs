//! A Microsoft Graph client for Entra cross-tenant access settings. It knows nothing of Terraform.
//!
//! # Layers
//!
//! From the bottom up:
//!
//! - [`transport`]: the one `reqwest` client every request uses (rustls with aws-lc-rs, the platform's roots plus
//!   `SSL_CERT_FILE`, the `terraform-provider-entra/<version> terraform/<version>` user agent).
//! - [`auth`]: the provider's authentication arguments ([`auth::AuthSettings`]) with their `ARM_*` environment
//!   fallbacks, validation that names the argument at fault, the national clouds table, credential selection
//!   (secret → certificate → OIDC → managed identity → Azure CLI) and the credentials themselves, from
//!   azure_identity wherever it has them, sharing the transport.
//! - [`operation`]: every call carries an [`Operation`], a deadline plus a cancellation token; retries and waits
//!   stop at either.
//! - [`GraphClient`] (in `client`): tokens, `client-request-id`s, retries ([`retry`]) for throttling (honouring
//!   `Retry-After` exactly), server failures, broken connections and damaged bodies, Graph errors parsed into
//!   [`ApiError`] with the ids a support ticket needs, and `tracing` logs that never contain credentials.
//! - [`consistency`]: waits after writes until reads agree several times in a row.
//! - Typed calls for endpoints E1–E16 (in `api`), over the [`models`]: settings travel as Graph's JSON
//!   ([`models::Properties`]), only keys and what code reasons about are typed. Each read's body is parsed once;
//!   only a body that is not JSON is retried. Partner reads share one paged listing per client (`partner_cache`).
//!
//! # Example
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use entra_graph::{GraphClient, GraphClientOptions, Operation, auth::AuthSettings};
//! use std::time::Duration;
//!
//! let settings = AuthSettings::default().with_env_fallbacks(|name| std::env::var(name).ok())?;
//! let client = GraphClient::new(&settings, GraphClientOptions::from_env(|name| std::env::var(name).ok())?)?;
//! let op = Operation::with_timeout(Duration::from_secs(300));
//! let default = client.get_default(&op).await?;
//! println!("service default: {:?}", default.is_service_default);
//! println!("inbound trust: {:?}", default.setting("inboundTrust"));
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod api;
pub mod auth;
mod client;
pub mod consistency;
pub mod duration;
pub mod error;
pub mod models;
pub mod multi_tenant_organization;
pub mod operation;
mod partner_cache;
pub mod retry;
pub mod synchronization;
pub mod transport;

pub use client::{
    ClientBuildError, DEFAULT_PARTNER_PAGE_SIZE, EnvOptionError, GraphClient, GraphClientOptions, TUNING_VARIABLES,
};
pub use consistency::ConsistencyPolicy;
pub use error::{ApiError, GraphError};
pub use operation::{CancellationToken, Operation};
pub use retry::RetryPolicy;
