//! The authentication settings a user can give, before environment fallbacks are applied.
//!
//! CONTRACT: the provider (Terraform configuration) and the `export` command (flags) both fill an [`AuthSettings`]
//! with the values the user gave explicitly; this crate applies the `ARM_*` environment fallbacks of the interface
//! (`AuthSettings::with_env_fallbacks`), validates the result, and picks the credential in the documented order
//! (explicit secret → certificate → OIDC → MSI → CLI). Field names match the provider arguments one to one.

/// The national cloud, which picks the Graph and login hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CloudEnvironment {
    /// `global`: graph.microsoft.com, login.microsoftonline.com.
    #[default]
    Global,
    /// `usgovernmentl4`: graph.microsoft.us, login.microsoftonline.us.
    UsGovernmentL4,
    /// `usgovernmentl5`: dod-graph.microsoft.us, login.microsoftonline.us.
    UsGovernmentL5,
    /// `china`: microsoftgraph.chinacloudapi.cn, login.chinacloudapi.cn.
    China,
}

/// Everything a user can say about authentication and endpoints. `None` means "not given here"; environment
/// fallbacks fill those in.
#[derive(Clone, Default, PartialEq)]
pub struct AuthSettings {
    /// The tenant being managed (`ARM_TENANT_ID`).
    pub tenant_id: Option<String>,
    /// App registration or managed identity client id (`ARM_CLIENT_ID`, `ARM_CLIENT_ID_FILE_PATH`).
    pub client_id: Option<String>,
    /// Client-credentials secret (`ARM_CLIENT_SECRET`, `ARM_CLIENT_SECRET_FILE_PATH`). Sensitive.
    pub client_secret: Option<String>,
    /// Base64 PKCS#12 certificate (`ARM_CLIENT_CERTIFICATE`). Sensitive.
    pub client_certificate: Option<String>,
    /// Path of a PKCS#12 or PEM certificate (`ARM_CLIENT_CERTIFICATE_PATH`).
    pub client_certificate_path: Option<String>,
    /// Certificate password (`ARM_CLIENT_CERTIFICATE_PASSWORD`). Sensitive.
    pub client_certificate_password: Option<String>,
    /// Use a federated credential (`ARM_USE_OIDC`).
    pub use_oidc: Option<bool>,
    /// A ready ID token (`ARM_OIDC_TOKEN`). Sensitive.
    pub oidc_token: Option<String>,
    /// A file holding an ID token (`ARM_OIDC_TOKEN_FILE_PATH`).
    pub oidc_token_file_path: Option<String>,
    /// Where to request an ID token (`ARM_OIDC_REQUEST_URL`, then `ACTIONS_ID_TOKEN_REQUEST_URL`).
    pub oidc_request_url: Option<String>,
    /// Bearer token for that request (`ARM_OIDC_REQUEST_TOKEN`, then `ACTIONS_ID_TOKEN_REQUEST_TOKEN`). Sensitive.
    pub oidc_request_token: Option<String>,
    /// Azure DevOps service connection (`ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`; with `SYSTEM_ACCESSTOKEN` and
    /// `SYSTEM_OIDCREQUESTURI`).
    pub ado_pipeline_service_connection_id: Option<String>,
    /// AKS workload identity (`ARM_USE_AKS_WORKLOAD_IDENTITY`; reads `AZURE_FEDERATED_TOKEN_FILE`).
    pub use_aks_workload_identity: Option<bool>,
    /// Managed identity (`ARM_USE_MSI`).
    pub use_msi: Option<bool>,
    /// Managed identity endpoint override (`ARM_MSI_ENDPOINT`).
    pub msi_endpoint: Option<String>,
    /// Azure CLI token, tried last (`ARM_USE_CLI`, default true).
    pub use_cli: Option<bool>,
    /// The national cloud (`ARM_ENVIRONMENT`), as the user wrote it; validated into [`CloudEnvironment`].
    pub environment: Option<String>,
    /// Graph base URL override (`ARM_GRAPH_ENDPOINT`), e.g. `https://127.0.0.1:8443`.
    pub graph_endpoint: Option<String>,
    /// Login host override (`ARM_AUTHORITY_HOST`, `AZURE_AUTHORITY_HOST`).
    pub authority_host: Option<String>,
}

impl std::fmt::Debug for AuthSettings {
    // Secrets must never reach logs, so Debug says only whether they are set.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn redact(v: &Option<String>) -> &'static str {
            if v.is_some() { "Some(<redacted>)" } else { "None" }
        }
        f.debug_struct("AuthSettings")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &redact(&self.client_secret))
            .field("client_certificate", &redact(&self.client_certificate))
            .field("client_certificate_path", &self.client_certificate_path)
            .field("client_certificate_password", &redact(&self.client_certificate_password))
            .field("use_oidc", &self.use_oidc)
            .field("oidc_token", &redact(&self.oidc_token))
            .field("oidc_token_file_path", &self.oidc_token_file_path)
            .field("oidc_request_url", &self.oidc_request_url)
            .field("oidc_request_token", &redact(&self.oidc_request_token))
            .field("ado_pipeline_service_connection_id", &self.ado_pipeline_service_connection_id)
            .field("use_aks_workload_identity", &self.use_aks_workload_identity)
            .field("use_msi", &self.use_msi)
            .field("msi_endpoint", &self.msi_endpoint)
            .field("use_cli", &self.use_cli)
            .field("environment", &self.environment)
            .field("graph_endpoint", &self.graph_endpoint)
            .field("authority_host", &self.authority_host)
            .finish()
    }
}
