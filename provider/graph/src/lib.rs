//! A Microsoft Graph client for Entra cross-tenant access settings. It knows nothing of Terraform.

pub mod auth;
pub mod error;
pub mod operation;
pub mod retry;
pub mod transport;
