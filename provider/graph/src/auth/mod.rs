//! Authentication: which credential to use, and getting tokens with it.
//!
//! The flow is: the caller fills [`AuthSettings`] with what the user configured; [`AuthSettings::with_env_fallbacks`]
//! fills the gaps from `ARM_*` and CI variables; [`AuthSettings::resolve`] validates and picks the cloud's hosts;
//! [`select_credential`] picks the method; [`build_credential`] makes it (through azure_identity where possible).
//! `GraphClient::new` does the last three steps for you.

mod certificate;
mod credential;
mod environment;
mod federated;
mod managed_identity;
mod settings;
pub(crate) mod token;

pub use certificate::{AssertionAlgorithm, CertificateError, ClientCertificate};
pub use credential::{
    CliAvailability, CredentialBuildError, CredentialMethod, CredentialOptions, CredentialSelection, NoCredentialError,
    SkippedMethod, build_credential, select_credential,
};
pub use environment::{CloudEndpoints, CloudEnvironment, UnknownEnvironment};
pub(crate) use settings::is_guid;
pub use settings::{AuthSettings, ResolvedAuth, SettingError, SettingErrors};
