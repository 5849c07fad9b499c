//! A Microsoft Graph client for Entra cross-tenant access settings. It knows nothing of Terraform.

pub mod auth;
