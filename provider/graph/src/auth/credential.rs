//! Choosing the credential, and building it.
//!
//! The order is fixed (interface.md §2): client secret → client certificate → OIDC (a token, a token file, Azure
//! DevOps, GitHub Actions, AKS workload identity) → managed identity → Azure CLI. The first method that is fully
//! configured wins. When none is, the error lists every method and why it was skipped, so users see at once what to
//! set.
//!
//! The credentials themselves come from azure_identity wherever it has them, all sharing this crate's HTTP client
//! (TLS trust of `SSL_CERT_FILE`, one user agent) and the resolved login host. What azure_identity lacks is written
//! by hand behind the same `TokenCredential` trait: certificate assertions (its certificate credential needs
//! OpenSSL), GitHub and Azure DevOps ID-token requests with configurable URLs, and managed identity at an explicit
//! endpoint.

use super::certificate::{CertificateAssertion, ClientCertificate};
use super::federated::{AzureDevOpsAssertion, GitHubAssertion, StaticAssertion};
use super::managed_identity::ManagedIdentityEndpointCredential;
use super::settings::ResolvedAuth;
use crate::transport::HttpTransport;
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientOptions, RetryOptions, Transport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertionCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions, Executor, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use std::fmt;
use std::sync::Arc;

/// The credential a configuration selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialMethod {
    /// `client_secret` with `tenant_id` and `client_id`.
    ClientSecret,
    /// `client_certificate` or `client_certificate_path`, with `tenant_id` and `client_id`.
    ClientCertificate,
    /// `use_oidc` with `oidc_token`.
    OidcToken,
    /// `use_oidc` with `oidc_token_file_path`.
    OidcTokenFile,
    /// `use_oidc` with `ado_pipeline_service_connection_id`, `oidc_request_url` and `oidc_request_token`.
    AzureDevOpsOidc,
    /// `use_oidc` with `oidc_request_url` and `oidc_request_token` (GitHub Actions style).
    GitHubOidc,
    /// `use_aks_workload_identity` with the pod's federated token file.
    AksWorkloadIdentity,
    /// `use_msi`; `endpoint` is `msi_endpoint` when given.
    ManagedIdentity {
        /// The explicit endpoint, if any.
        endpoint: Option<String>,
    },
    /// The Azure CLI's signed-in account.
    AzureCli,
}

impl fmt::Display for CredentialMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CredentialMethod::ClientSecret => "a client secret",
            CredentialMethod::ClientCertificate => "a client certificate",
            CredentialMethod::OidcToken => "an OIDC token (oidc_token)",
            CredentialMethod::OidcTokenFile => "an OIDC token file (oidc_token_file_path)",
            CredentialMethod::AzureDevOpsOidc => "Azure DevOps OIDC",
            CredentialMethod::GitHubOidc => "GitHub Actions OIDC",
            CredentialMethod::AksWorkloadIdentity => "AKS workload identity",
            CredentialMethod::ManagedIdentity { endpoint: None } => "managed identity",
            CredentialMethod::ManagedIdentity { endpoint: Some(_) } => "managed identity (msi_endpoint)",
            CredentialMethod::AzureCli => "the Azure CLI",
        })
    }
}

/// A method that was looked at and not used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedMethod {
    /// The method's name, e.g. "client secret".
    pub method: &'static str,
    /// Why it was not used, naming the settings and environment variables that would enable it.
    pub reason: String,
}

/// The outcome of credential selection: the method to use, and what was passed over on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSelection {
    /// The method to use.
    pub method: CredentialMethod,
    /// The methods tried before it, in order.
    pub skipped: Vec<SkippedMethod>,
}

/// No method is usable. `Display` lists every method and why each was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct NoCredentialError {
    /// Every method, in the order tried.
    pub skipped: Vec<SkippedMethod>,
}

impl fmt::Display for NoCredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no usable credential for Microsoft Graph is configured. Methods tried, in order:")?;
        for skipped in &self.skipped {
            write!(f, "\n  - {}: {}", skipped.method, skipped.reason)?;
        }
        Ok(())
    }
}

/// Whether the Azure CLI can be used at all; decided by the caller (an `az` on `PATH`, or a test's executor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CliAvailability {
    /// `az` can be run.
    Available,
    /// `az` is not on `PATH`.
    NotInstalled,
}

impl CliAvailability {
    /// Looks for an executable `az` on `PATH`.
    pub fn detect() -> Self {
        let found = std::env::var_os("PATH").is_some_and(|path| {
            std::env::split_paths(&path).any(|dir| {
                let candidate = dir.join("az");
                std::fs::metadata(&candidate).is_ok_and(|m| m.is_file() && is_executable(&m))
            })
        });
        if found { CliAvailability::Available } else { CliAvailability::NotInstalled }
    }
}

#[cfg(unix)]
fn is_executable(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    metadata.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_metadata: &std::fs::Metadata) -> bool {
    true
}

/// Picks the credential for `auth`, in the documented order, taking the first fully configured method.
///
/// The Azure CLI is the fallback: `use_cli` unset means "true", but the CLI is then used only if no other method
/// was partly configured, because a half-configured secret or certificate silently replaced by the developer's own
/// CLI login would act as the wrong identity. An explicit `use_cli = true` uses the CLI regardless.
pub fn select_credential(auth: &ResolvedAuth, cli: CliAvailability) -> Result<CredentialSelection, NoCredentialError> {
    let s = &auth.settings;
    let mut skips = Skips::default();
    let missing_ids = || -> Option<String> {
        match (s.tenant_id.is_some(), s.client_id.is_some()) {
            (true, true) => None,
            (false, true) => Some("tenant_id is not set (ARM_TENANT_ID)".into()),
            (true, false) => Some("client_id is not set (ARM_CLIENT_ID)".into()),
            (false, false) => Some("tenant_id and client_id are not set (ARM_TENANT_ID, ARM_CLIENT_ID)".into()),
        }
    };

    // 1. Client secret.
    if s.client_secret.is_none() {
        skips.add(
            "client secret",
            "client_secret is not set (ARM_CLIENT_SECRET, ARM_CLIENT_SECRET_FILE_PATH)".into(),
            false,
        );
    } else if let Some(missing) = missing_ids() {
        skips.add("client secret", format!("client_secret is set, but {missing}"), true);
    } else {
        return Ok(skips.select(CredentialMethod::ClientSecret));
    }

    // 2. Client certificate.
    if s.client_certificate.is_none() && s.client_certificate_path.is_none() {
        skips.add(
            "client certificate",
            "neither client_certificate nor client_certificate_path is set (ARM_CLIENT_CERTIFICATE, \
             ARM_CLIENT_CERTIFICATE_PATH)"
                .into(),
            false,
        );
    } else if let Some(missing) = missing_ids() {
        skips.add("client certificate", format!("a certificate is set, but {missing}"), true);
    } else {
        return Ok(skips.select(CredentialMethod::ClientCertificate));
    }

    // 3. OIDC: explicit federated tokens first, then the CI systems' token services, then AKS.
    if s.use_oidc == Some(true) {
        let source = if s.oidc_token.is_some() {
            Ok(CredentialMethod::OidcToken)
        } else if s.oidc_token_file_path.is_some() {
            Ok(CredentialMethod::OidcTokenFile)
        } else if s.ado_pipeline_service_connection_id.is_some() {
            match (s.oidc_request_url.is_some(), s.oidc_request_token.is_some()) {
                (true, true) => Ok(CredentialMethod::AzureDevOpsOidc),
                _ => Err("ado_pipeline_service_connection_id is set, but oidc_request_url and oidc_request_token \
                          are not both set (SYSTEM_OIDCREQUESTURI, SYSTEM_ACCESSTOKEN; map SYSTEM_ACCESSTOKEN into \
                          the task's environment)"
                    .to_owned()),
            }
        } else if s.oidc_request_url.is_some() || s.oidc_request_token.is_some() {
            match (s.oidc_request_url.is_some(), s.oidc_request_token.is_some()) {
                (true, true) => Ok(CredentialMethod::GitHubOidc),
                (true, false) => Err("oidc_request_url is set but oidc_request_token is not (ARM_OIDC_REQUEST_TOKEN, \
                                      ACTIONS_ID_TOKEN_REQUEST_TOKEN)"
                    .to_owned()),
                _ => Err("oidc_request_token is set but oidc_request_url is not (ARM_OIDC_REQUEST_URL, \
                          ACTIONS_ID_TOKEN_REQUEST_URL)"
                    .to_owned()),
            }
        } else {
            Err("use_oidc is true, but no ID token source is set: give oidc_token, oidc_token_file_path, \
                 oidc_request_url with oidc_request_token, or ado_pipeline_service_connection_id"
                .to_owned())
        };
        match (source, missing_ids()) {
            (Ok(method), None) => return Ok(skips.select(method)),
            (Ok(method), Some(missing)) => skips.add("OIDC", format!("{method} is configured, but {missing}"), true),
            (Err(reason), _) => skips.add("OIDC", reason, true),
        }
    } else {
        skips.add("OIDC", "use_oidc is not true (ARM_USE_OIDC)".into(), false);
    }

    if s.use_aks_workload_identity == Some(true) {
        match (s.oidc_token_file_path.is_some(), missing_ids()) {
            (true, None) => return Ok(skips.select(CredentialMethod::AksWorkloadIdentity)),
            (false, _) => skips.add(
                "AKS workload identity",
                "use_aks_workload_identity is true, but AZURE_FEDERATED_TOKEN_FILE is not set; is the pod labelled \
                 for workload identity?"
                    .into(),
                true,
            ),
            (true, Some(missing)) => {
                skips.add("AKS workload identity", format!("the token file is set, but {missing}"), true)
            }
        }
    } else {
        skips.add(
            "AKS workload identity",
            "use_aks_workload_identity is not true (ARM_USE_AKS_WORKLOAD_IDENTITY)".into(),
            false,
        );
    }

    // 4. Managed identity. The tenant comes with the token; client_id optionally picks a user-assigned identity.
    if s.use_msi == Some(true) {
        return Ok(skips.select(CredentialMethod::ManagedIdentity { endpoint: s.msi_endpoint.clone() }));
    }
    skips.add("managed identity", "use_msi is not true (ARM_USE_MSI)".into(), false);

    // 5. Azure CLI.
    match (s.use_cli, cli) {
        (Some(false), _) => skips.add("Azure CLI", "use_cli is false (ARM_USE_CLI)".into(), false),
        (_, CliAvailability::NotInstalled) => skips.add("Azure CLI", "the az command is not on PATH".into(), false),
        (None, CliAvailability::Available) if skips.partly_configured => skips.add(
            "Azure CLI",
            "not used as a fallback because another method above is partly configured; complete it, or set \
             use_cli = true to use the CLI anyway"
                .into(),
            false,
        ),
        (_, CliAvailability::Available) => return Ok(skips.select(CredentialMethod::AzureCli)),
    }

    Err(NoCredentialError { skipped: skips.list })
}

/// The methods passed over so far, and whether any of them was partly configured.
#[derive(Default)]
struct Skips {
    list: Vec<SkippedMethod>,
    partly_configured: bool,
}

impl Skips {
    fn add(&mut self, method: &'static str, reason: String, partial: bool) {
        self.partly_configured |= partial;
        self.list.push(SkippedMethod { method, reason });
    }

    fn select(self, method: CredentialMethod) -> CredentialSelection {
        CredentialSelection { method, skipped: self.list }
    }
}

/// A problem turning a selected method into a credential (an unreadable certificate, a missing token file). It
/// names the setting at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct CredentialBuildError {
    /// The provider argument at fault.
    pub setting: &'static str,
    /// What is wrong.
    pub message: String,
}

/// Extra knobs for building credentials.
#[derive(Clone, Default)]
pub struct CredentialOptions {
    /// Runs `az` for the Azure CLI credential. `None` uses azure_identity's default (a shell on this machine). Tests
    /// and unusual hosts can supply their own.
    pub cli_executor: Option<Arc<dyn Executor>>,
}

impl fmt::Debug for CredentialOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialOptions").field("cli_executor", &self.cli_executor.is_some()).finish()
    }
}

/// The token endpoint of `tenant` at `authority`, computed the way azure_identity does, because a certificate
/// assertion's audience must equal the URL the credential posts to.
pub(crate) fn token_endpoint(authority: &url::Url, tenant: &str) -> Result<url::Url, CredentialBuildError> {
    authority.join(&format!("/{tenant}/oauth2/v2.0/token")).map_err(|e| CredentialBuildError {
        setting: "tenant_id",
        message: format!("cannot form a token URL for tenant {tenant:?}: {e}"),
    })
}

fn client_options(transport: &HttpTransport, auth: &ResolvedAuth) -> ClientOptions {
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = auth.authority_host.as_str().trim_end_matches('/').to_owned();
    ClientOptions {
        transport: Some(Transport::new(Arc::new(transport.clone()))),
        cloud: Some(Arc::new(CloudConfiguration::Custom(cloud))),
        // Retries are this crate's job: they must respect each operation's deadline and cancellation.
        retry: RetryOptions::none(),
        ..ClientOptions::default()
    }
}

fn azure_error(setting: &'static str) -> impl Fn(azure_core::Error) -> CredentialBuildError {
    move |e| CredentialBuildError { setting, message: e.to_string() }
}

/// Builds the credential for a selected method.
pub fn build_credential(
    method: &CredentialMethod,
    auth: &ResolvedAuth,
    transport: &HttpTransport,
    options: &CredentialOptions,
) -> Result<Arc<dyn TokenCredential>, CredentialBuildError> {
    let s = &auth.settings;
    let tenant = || s.tenant_id.clone().unwrap_or_default();
    let client = || s.client_id.clone().unwrap_or_default();
    let assertion_options = || ClientAssertionCredentialOptions { client_options: client_options(transport, auth) };
    let credential: Arc<dyn TokenCredential> = match method {
        CredentialMethod::ClientSecret => ClientSecretCredential::new(
            &tenant(),
            client(),
            Secret::new(s.client_secret.clone().unwrap_or_default()),
            Some(ClientSecretCredentialOptions { client_options: client_options(transport, auth) }),
        )
        .map_err(azure_error("client_secret"))?,

        CredentialMethod::ClientCertificate => {
            let (bytes, setting) = match (&s.client_certificate, &s.client_certificate_path) {
                (Some(encoded), _) => {
                    use base64::Engine as _;
                    let compact: String = encoded.split_whitespace().collect();
                    let bytes = base64::engine::general_purpose::STANDARD.decode(compact).map_err(|_| {
                        CredentialBuildError { setting: "client_certificate", message: "is not valid base64".into() }
                    })?;
                    (bytes, "client_certificate")
                }
                (None, Some(path)) => (
                    std::fs::read(path).map_err(|e| CredentialBuildError {
                        setting: "client_certificate_path",
                        message: format!("could not read {path}: {e}"),
                    })?,
                    "client_certificate_path",
                ),
                (None, None) => unreachable!("selection chose a certificate only when one is set"),
            };
            let certificate = ClientCertificate::from_bytes(&bytes, s.client_certificate_password.as_deref())
                .map_err(|e| CredentialBuildError { setting, message: e.to_string() })?;
            let assertion = CertificateAssertion {
                certificate: Arc::new(certificate),
                client_id: client(),
                token_endpoint: token_endpoint(&auth.authority_host, &tenant())?.to_string(),
            };
            ClientAssertionCredential::new(tenant(), client(), assertion, Some(assertion_options()))
                .map_err(azure_error(setting))?
        }

        CredentialMethod::OidcToken => {
            let token = StaticAssertion(Secret::new(s.oidc_token.clone().unwrap_or_default()));
            ClientAssertionCredential::new(tenant(), client(), token, Some(assertion_options()))
                .map_err(azure_error("oidc_token"))?
        }

        CredentialMethod::OidcTokenFile | CredentialMethod::AksWorkloadIdentity => {
            // WorkloadIdentityCredential re-reads the file every few minutes, as rotated projected tokens need.
            let path = s.oidc_token_file_path.clone().unwrap_or_default();
            WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: assertion_options(),
                client_id: Some(client()),
                tenant_id: Some(tenant()),
                token_file_path: Some(path.into()),
            }))
            .map_err(azure_error("oidc_token_file_path"))?
        }

        CredentialMethod::GitHubOidc => {
            let assertion = GitHubAssertion {
                transport: transport.clone(),
                request_url: parse_url("oidc_request_url", s.oidc_request_url.as_deref())?,
                request_token: Secret::new(s.oidc_request_token.clone().unwrap_or_default()),
            };
            ClientAssertionCredential::new(tenant(), client(), assertion, Some(assertion_options()))
                .map_err(azure_error("oidc_request_url"))?
        }

        CredentialMethod::AzureDevOpsOidc => {
            let assertion = AzureDevOpsAssertion {
                transport: transport.clone(),
                request_url: parse_url("oidc_request_url", s.oidc_request_url.as_deref())?,
                request_token: Secret::new(s.oidc_request_token.clone().unwrap_or_default()),
                service_connection_id: s.ado_pipeline_service_connection_id.clone().unwrap_or_default(),
            };
            ClientAssertionCredential::new(tenant(), client(), assertion, Some(assertion_options()))
                .map_err(azure_error("ado_pipeline_service_connection_id"))?
        }

        CredentialMethod::ManagedIdentity { endpoint: Some(endpoint) } => Arc::new(ManagedIdentityEndpointCredential {
            transport: transport.clone(),
            endpoint: parse_url("msi_endpoint", Some(endpoint))?,
            client_id: s.client_id.clone(),
        }),

        CredentialMethod::ManagedIdentity { endpoint: None } => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: s.client_id.clone().map(UserAssignedId::ClientId),
                client_options: client_options(transport, auth),
            }))
            .map_err(azure_error("use_msi"))?
        }

        CredentialMethod::AzureCli => AzureCliCredential::new(Some(AzureCliCredentialOptions {
            tenant_id: s.tenant_id.clone(),
            executor: options.cli_executor.clone(),
            ..AzureCliCredentialOptions::default()
        }))
        .map_err(azure_error("use_cli"))?,
    };
    Ok(credential)
}

fn parse_url(setting: &'static str, value: Option<&str>) -> Result<url::Url, CredentialBuildError> {
    let value = value.unwrap_or_default();
    url::Url::parse(value)
        .map_err(|e| CredentialBuildError { setting, message: format!("{value:?} is not a URL: {e}") })
}
