//! The authentication settings a user can give, before environment fallbacks are applied.
//!
//! CONTRACT: the provider (Terraform configuration) and the `export` command (flags) both fill an [`AuthSettings`]
//! with the values the user gave explicitly; this crate applies the `ARM_*` environment fallbacks of the interface
//! (`AuthSettings::with_env_fallbacks`), validates the result, and picks the credential in the documented order
//! (explicit secret → certificate → OIDC → MSI → CLI). Field names match the provider arguments one to one.

use super::environment::{CloudEnvironment, UnknownEnvironment};
use url::Url;

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

/// A problem with one provider argument. `setting` is the argument's name (for example `client_id`), so the
/// provider can attach the diagnostic to that attribute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct SettingError {
    /// The provider argument the problem is about.
    pub setting: &'static str,
    /// A sentence saying what is wrong and how to fix it.
    pub message: String,
}

impl SettingError {
    pub(crate) fn new(setting: &'static str, message: impl Into<String>) -> Self {
        SettingError { setting, message: message.into() }
    }
}

/// One or more [`SettingError`]s, so a user sees every problem at once instead of fixing them one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingErrors(pub Vec<SettingError>);

impl std::fmt::Display for SettingErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SettingErrors {}

impl SettingErrors {
    /// The individual problems.
    pub fn iter(&self) -> impl Iterator<Item = &SettingError> {
        self.0.iter()
    }
}

/// Settings after environment fallbacks and validation: the cloud's endpoints are known, and every value has the
/// right shape. Credential selection ([`crate::auth::select_credential`]) starts from here.
#[derive(Debug, Clone)]
pub struct ResolvedAuth {
    /// The national cloud.
    pub environment: CloudEnvironment,
    /// The Graph base URL without a version segment: the cloud's Graph host, or `graph_endpoint` when given.
    pub graph_endpoint: Url,
    /// The login host: the cloud's, or `authority_host` when given.
    pub authority_host: Url,
    /// The OAuth2 scope for Graph tokens. It follows the cloud, not `graph_endpoint`, because an endpoint override
    /// (a proxy, a private link, the emulator) still serves the cloud's Graph audience.
    pub graph_scope: String,
    /// The validated settings themselves.
    pub settings: AuthSettings,
}

/// Reads `ARM_*` style booleans the way Go's `strconv.ParseBool` does, since the other Entra providers (written in
/// Go) define what pipelines already put in these variables.
fn parse_env_bool(value: &str) -> Option<bool> {
    match value.trim() {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Reads a file named by a `*_FILE_PATH` variable. Whitespace around the value is dropped: files written by `echo`
/// or by secret stores often end with a newline that is not part of the value.
fn read_value_file(setting: &'static str, variable: &str, path: &str) -> Result<String, SettingError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.trim().to_owned()),
        Err(e) => Err(SettingError::new(setting, format!("could not read the file named by {variable} ({path}): {e}"))),
    }
}

impl AuthSettings {
    /// Fills every setting the user left unset from the environment, as interface.md §2 lists: `ARM_*` variables,
    /// `*_FILE_PATH` variants (the file's contents, trimmed), GitHub's `ACTIONS_ID_TOKEN_REQUEST_*`, Azure DevOps'
    /// `SYSTEM_OIDCREQUESTURI`/`SYSTEM_ACCESSTOKEN` (when a service connection is given), AKS's
    /// `AZURE_FEDERATED_TOKEN_FILE`/`AZURE_TENANT_ID`/`AZURE_CLIENT_ID` (when AKS workload identity is on) and
    /// `AZURE_AUTHORITY_HOST`. Empty variables count as unset.
    ///
    /// `use_cli` stays `None` when `ARM_USE_CLI` is unset; `None` means "true", the documented default, and lets
    /// credential selection tell an explicit `true` from the default (see [`crate::auth::select_credential`]).
    ///
    /// Settings that go together are taken as a group: if the configuration names a certificate either way
    /// (`client_certificate` or `client_certificate_path`), neither is taken from the environment, so a pipeline's
    /// variables cannot contradict the configuration. The same holds for `oidc_token`/`oidc_token_file_path`.
    ///
    /// `env` looks a variable up; pass `|name| std::env::var(name).ok()` in production and a map in tests.
    pub fn with_env_fallbacks(mut self, env: impl Fn(&str) -> Option<String>) -> Result<AuthSettings, SettingErrors> {
        let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let mut errors = Vec::new();

        // A value given directly and one given through a file must agree, as in the azuread provider; silently
        // preferring one would hide a stale file.
        let mut value_or_file = |setting: &'static str, variable: &str, file_variable: &str| -> Option<String> {
            let direct = var(variable);
            let from_file = var(file_variable).and_then(|path| match read_value_file(setting, file_variable, &path) {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.push(e);
                    None
                }
            });
            match (direct, from_file) {
                (Some(d), Some(f)) if d.trim() != f => {
                    errors.push(SettingError::new(
                        setting,
                        format!("{variable} and the file named by {file_variable} disagree; set only one of them"),
                    ));
                    None
                }
                (Some(d), _) => Some(d),
                (None, f) => f,
            }
        };

        if self.client_id.is_none() {
            self.client_id = value_or_file("client_id", "ARM_CLIENT_ID", "ARM_CLIENT_ID_FILE_PATH");
        }
        if self.client_secret.is_none() {
            self.client_secret = value_or_file("client_secret", "ARM_CLIENT_SECRET", "ARM_CLIENT_SECRET_FILE_PATH");
        }

        let mut bool_var = |setting: &'static str, variable: &str| -> Option<bool> {
            let value = var(variable)?;
            match parse_env_bool(&value) {
                Some(b) => Some(b),
                None => {
                    errors.push(SettingError::new(setting, format!("{variable} must be true or false, not {value:?}")));
                    None
                }
            }
        };
        if self.use_oidc.is_none() {
            self.use_oidc = bool_var("use_oidc", "ARM_USE_OIDC");
        }
        if self.use_aks_workload_identity.is_none() {
            self.use_aks_workload_identity = bool_var("use_aks_workload_identity", "ARM_USE_AKS_WORKLOAD_IDENTITY");
        }
        if self.use_msi.is_none() {
            self.use_msi = bool_var("use_msi", "ARM_USE_MSI");
        }
        if self.use_cli.is_none() {
            self.use_cli = bool_var("use_cli", "ARM_USE_CLI");
        }

        fill(&mut self.tenant_id, || var("ARM_TENANT_ID"));

        if self.client_certificate.is_none() && self.client_certificate_path.is_none() {
            self.client_certificate = var("ARM_CLIENT_CERTIFICATE");
            self.client_certificate_path = var("ARM_CLIENT_CERTIFICATE_PATH");
        }
        fill(&mut self.client_certificate_password, || var("ARM_CLIENT_CERTIFICATE_PASSWORD"));

        if self.oidc_token.is_none() && self.oidc_token_file_path.is_none() {
            self.oidc_token = var("ARM_OIDC_TOKEN");
            self.oidc_token_file_path = var("ARM_OIDC_TOKEN_FILE_PATH");
        }
        fill(&mut self.ado_pipeline_service_connection_id, || var("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"));

        // Azure DevOps publishes its OIDC endpoint and job token as SYSTEM_* variables, GitHub as ACTIONS_*. Which
        // CI fallback applies follows from whether an Azure DevOps service connection is configured.
        let (url_fallback, token_fallback) = if self.ado_pipeline_service_connection_id.is_some() {
            ("SYSTEM_OIDCREQUESTURI", "SYSTEM_ACCESSTOKEN")
        } else {
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        };
        fill(&mut self.oidc_request_url, || var("ARM_OIDC_REQUEST_URL").or_else(|| var(url_fallback)));
        fill(&mut self.oidc_request_token, || var("ARM_OIDC_REQUEST_TOKEN").or_else(|| var(token_fallback)));

        // The AKS workload identity webhook injects these into the pod; they are that flow's documented inputs.
        if self.use_aks_workload_identity == Some(true) {
            if self.oidc_token.is_none() {
                fill(&mut self.oidc_token_file_path, || var("AZURE_FEDERATED_TOKEN_FILE"));
            }
            fill(&mut self.tenant_id, || var("AZURE_TENANT_ID"));
            fill(&mut self.client_id, || var("AZURE_CLIENT_ID"));
        }

        fill(&mut self.msi_endpoint, || var("ARM_MSI_ENDPOINT"));
        fill(&mut self.environment, || var("ARM_ENVIRONMENT"));
        fill(&mut self.graph_endpoint, || var("ARM_GRAPH_ENDPOINT"));
        fill(&mut self.authority_host, || var("ARM_AUTHORITY_HOST").or_else(|| var("AZURE_AUTHORITY_HOST")));

        if errors.is_empty() { Ok(self) } else { Err(SettingErrors(errors)) }
    }

    /// Checks every value's shape and works out the cloud's endpoints. All problems are reported together, each
    /// naming its argument.
    pub fn resolve(&self) -> Result<ResolvedAuth, SettingErrors> {
        let mut errors = Vec::new();

        let environment = match self.environment.as_deref() {
            None => CloudEnvironment::Global,
            Some(name) => name.parse().unwrap_or_else(|e: UnknownEnvironment| {
                errors.push(SettingError::new("environment", e.to_string()));
                CloudEnvironment::Global
            }),
        };
        let cloud = environment.endpoints();

        if let Some(tenant) = self.tenant_id.as_deref()
            && !is_guid(tenant)
            && !is_domain_name(tenant)
        {
            errors.push(SettingError::new(
                "tenant_id",
                format!("{tenant:?} is neither a tenant ID (a GUID) nor a domain name"),
            ));
        }
        if let Some(client) = self.client_id.as_deref()
            && !is_guid(client)
        {
            errors.push(SettingError::new(
                "client_id",
                format!("{client:?} is not a client (application) ID; it must be a GUID"),
            ));
        }
        if self.ado_pipeline_service_connection_id.as_deref().is_some_and(|c| c.trim().is_empty()) {
            errors.push(SettingError::new("ado_pipeline_service_connection_id", "must not be empty"));
        }
        if self.client_certificate.is_some() && self.client_certificate_path.is_some() {
            errors.push(SettingError::new(
                "client_certificate",
                "set only one of client_certificate and client_certificate_path",
            ));
        }
        if let Some(encoded) = self.client_certificate.as_deref() {
            use base64::Engine as _;
            let compact: String = encoded.split_whitespace().collect();
            if base64::engine::general_purpose::STANDARD.decode(compact).is_err() {
                errors.push(SettingError::new(
                    "client_certificate",
                    "is not valid base64; give the certificate file's bytes base64-encoded, or use client_certificate_path",
                ));
            }
        }
        if self.oidc_token.is_some() && self.oidc_token_file_path.is_some() {
            errors.push(SettingError::new("oidc_token", "set only one of oidc_token and oidc_token_file_path"));
        }

        let mut url_setting = |setting: &'static str, value: Option<&str>, rules: UrlRules| -> Option<Url> {
            let value = value?;
            match parse_endpoint_url(value, rules) {
                Ok(url) => Some(url),
                Err(message) => {
                    errors.push(SettingError::new(setting, message));
                    None
                }
            }
        };
        // Base URLs get paths appended, so they cannot carry a query.
        let base = UrlRules { allow_http: false, allow_query: false };
        let graph_endpoint = url_setting("graph_endpoint", self.graph_endpoint.as_deref(), base);
        let authority_host = url_setting("authority_host", self.authority_host.as_deref(), base);
        // Managed identity endpoints are plain http on the host (IMDS, App Service), so http is allowed there.
        url_setting("msi_endpoint", self.msi_endpoint.as_deref(), UrlRules { allow_http: true, allow_query: true });
        // GitHub's request URL comes with a query (`?api-version=2.0`); parameters are appended to it.
        url_setting(
            "oidc_request_url",
            self.oidc_request_url.as_deref(),
            UrlRules { allow_http: false, allow_query: true },
        );

        if !errors.is_empty() {
            return Err(SettingErrors(errors));
        }
        Ok(ResolvedAuth {
            environment,
            graph_endpoint: graph_endpoint
                .unwrap_or_else(|| Url::parse(cloud.graph_endpoint).expect("the environments table holds valid URLs")),
            authority_host: authority_host
                .unwrap_or_else(|| Url::parse(cloud.authority_host).expect("the environments table holds valid URLs")),
            graph_scope: cloud.graph_scope.to_owned(),
            settings: self.clone(),
        })
    }
}

fn fill(slot: &mut Option<String>, value: impl FnOnce() -> Option<String>) {
    if slot.is_none() {
        *slot = value();
    }
}

/// True for the 8-4-4-4-12 hex form Entra uses for tenant, client and object IDs.
pub(crate) fn is_guid(value: &str) -> bool {
    uuid::Uuid::try_parse(value).is_ok() && value.len() == 36
}

fn is_domain_name(value: &str) -> bool {
    value.contains('.')
        && value
            .split('.')
            .all(|label| !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

/// What an endpoint setting may look like.
#[derive(Clone, Copy)]
struct UrlRules {
    allow_http: bool,
    allow_query: bool,
}

/// Parses an endpoint URL given as a setting. It must be absolute, have no fragment, and use https (or http where
/// allowed), because tokens travel to it.
fn parse_endpoint_url(value: &str, rules: UrlRules) -> Result<Url, String> {
    let UrlRules { allow_http, allow_query } = rules;
    let url = Url::parse(value.trim()).map_err(|e| format!("{value:?} is not an absolute URL: {e}"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        other => {
            let wanted = if allow_http { "http or https" } else { "https" };
            return Err(format!("{value:?} uses the {other} scheme; it must use {wanted}"));
        }
    }
    if url.host_str().is_none() {
        return Err(format!("{value:?} has no host"));
    }
    if url.fragment().is_some() {
        return Err(format!("{value:?} must not have a fragment"));
    }
    if url.query().is_some() && !allow_query {
        return Err(format!("{value:?} must not have a query"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const TENANT: &str = "00000000-0000-0000-0000-0000000000aa";
    const CLIENT: &str = "00000000-0000-0000-0000-0000000000bb";

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn every_arm_variable_fills_its_setting() {
        let settings = AuthSettings::default()
            .with_env_fallbacks(env(&[
                ("ARM_TENANT_ID", TENANT),
                ("ARM_CLIENT_ID", CLIENT),
                ("ARM_CLIENT_SECRET", "s"),
                ("ARM_CLIENT_CERTIFICATE_PATH", "/c.pfx"),
                ("ARM_CLIENT_CERTIFICATE_PASSWORD", "pw"),
                ("ARM_USE_OIDC", "true"),
                ("ARM_OIDC_TOKEN_FILE_PATH", "/t"),
                ("ARM_OIDC_REQUEST_URL", "https://oidc.example/req"),
                ("ARM_OIDC_REQUEST_TOKEN", "rt"),
                ("ARM_USE_MSI", "1"),
                ("ARM_MSI_ENDPOINT", "http://169.254.169.254/metadata/identity/oauth2/token"),
                ("ARM_USE_CLI", "false"),
                ("ARM_USE_AKS_WORKLOAD_IDENTITY", "F"),
                ("ARM_ENVIRONMENT", "china"),
                ("ARM_GRAPH_ENDPOINT", "https://127.0.0.1:8443"),
                ("ARM_AUTHORITY_HOST", "https://login.example"),
                ("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "conn"),
            ]))
            .unwrap();
        let expected = AuthSettings {
            tenant_id: Some(TENANT.into()),
            client_id: Some(CLIENT.into()),
            client_secret: Some("s".into()),
            client_certificate: None,
            client_certificate_path: Some("/c.pfx".into()),
            client_certificate_password: Some("pw".into()),
            use_oidc: Some(true),
            oidc_token: None,
            oidc_token_file_path: Some("/t".into()),
            oidc_request_url: Some("https://oidc.example/req".into()),
            oidc_request_token: Some("rt".into()),
            ado_pipeline_service_connection_id: Some("conn".into()),
            use_aks_workload_identity: Some(false),
            use_msi: Some(true),
            msi_endpoint: Some("http://169.254.169.254/metadata/identity/oauth2/token".into()),
            use_cli: Some(false),
            environment: Some("china".into()),
            graph_endpoint: Some("https://127.0.0.1:8443".into()),
            authority_host: Some("https://login.example".into()),
        };
        assert_eq!(settings, expected);
    }

    #[test]
    fn configured_values_win_over_the_environment() {
        let given = AuthSettings { tenant_id: Some(TENANT.into()), use_cli: Some(true), ..AuthSettings::default() };
        let settings = given
            .clone()
            .with_env_fallbacks(env(&[("ARM_TENANT_ID", "other.example"), ("ARM_USE_CLI", "false")]))
            .unwrap();
        assert_eq!(settings.tenant_id.as_deref(), Some(TENANT));
        assert_eq!(settings.use_cli, Some(true));
    }

    #[test]
    fn empty_variables_count_as_unset_and_use_cli_defaults_to_unset() {
        let settings =
            AuthSettings::default().with_env_fallbacks(env(&[("ARM_TENANT_ID", ""), ("ARM_CLIENT_ID", "  ")])).unwrap();
        assert_eq!(settings, AuthSettings::default());
        assert_eq!(settings.use_cli, None, "None means the documented default, true");
    }

    #[test]
    fn file_path_variants_are_read_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let id_file = dir.path().join("client_id");
        let secret_file = dir.path().join("secret");
        std::fs::write(&id_file, format!("{CLIENT}\n")).unwrap();
        std::fs::write(&secret_file, "s3cret\n").unwrap();
        let settings = AuthSettings::default()
            .with_env_fallbacks(env(&[
                ("ARM_CLIENT_ID_FILE_PATH", id_file.to_str().unwrap()),
                ("ARM_CLIENT_SECRET_FILE_PATH", secret_file.to_str().unwrap()),
            ]))
            .unwrap();
        assert_eq!(settings.client_id.as_deref(), Some(CLIENT));
        assert_eq!(settings.client_secret.as_deref(), Some("s3cret"));

        // Agreeing direct and file values are fine; disagreeing ones are an error naming the setting.
        let agree = AuthSettings::default()
            .with_env_fallbacks(env(&[
                ("ARM_CLIENT_ID", CLIENT),
                ("ARM_CLIENT_ID_FILE_PATH", id_file.to_str().unwrap()),
            ]))
            .unwrap();
        assert_eq!(agree.client_id.as_deref(), Some(CLIENT));
        let errors = AuthSettings::default()
            .with_env_fallbacks(env(&[
                ("ARM_CLIENT_SECRET", "different"),
                ("ARM_CLIENT_SECRET_FILE_PATH", secret_file.to_str().unwrap()),
                ("ARM_CLIENT_ID_FILE_PATH", "/nonexistent/file"),
            ]))
            .unwrap_err();
        let settings: Vec<&str> = errors.iter().map(|e| e.setting).collect();
        assert_eq!(settings, vec!["client_id", "client_secret"]);
        assert!(errors.0[0].message.contains("could not read the file named by ARM_CLIENT_ID_FILE_PATH"));
        assert!(errors.0[1].message.contains("disagree"));
    }

    #[test]
    fn bad_booleans_name_the_setting() {
        let errors = AuthSettings::default().with_env_fallbacks(env(&[("ARM_USE_MSI", "yes")])).unwrap_err();
        assert_eq!(errors.0, vec![SettingError::new("use_msi", "ARM_USE_MSI must be true or false, not \"yes\"")]);
    }

    #[test]
    fn github_actions_variables_are_the_oidc_request_fallback() {
        let settings = AuthSettings::default()
            .with_env_fallbacks(env(&[
                ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://token.actions.example/?api-version=2.0"),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh"),
                ("SYSTEM_OIDCREQUESTURI", "https://dev.azure.example/oidc"),
                ("SYSTEM_ACCESSTOKEN", "ado"),
            ]))
            .unwrap();
        assert_eq!(settings.oidc_request_url.as_deref(), Some("https://token.actions.example/?api-version=2.0"));
        assert_eq!(settings.oidc_request_token.as_deref(), Some("gh"));

        // ARM_* wins over GitHub's variables.
        let settings = AuthSettings::default()
            .with_env_fallbacks(env(&[("ARM_OIDC_REQUEST_TOKEN", "arm"), ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh")]))
            .unwrap();
        assert_eq!(settings.oidc_request_token.as_deref(), Some("arm"));
    }

    #[test]
    fn azure_devops_variables_apply_with_a_service_connection() {
        let settings = AuthSettings { ado_pipeline_service_connection_id: Some("conn".into()), ..Default::default() }
            .with_env_fallbacks(env(&[
                ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://token.actions.example/"),
                ("SYSTEM_OIDCREQUESTURI", "https://dev.azure.example/oidc"),
                ("SYSTEM_ACCESSTOKEN", "ado"),
            ]))
            .unwrap();
        assert_eq!(settings.oidc_request_url.as_deref(), Some("https://dev.azure.example/oidc"));
        assert_eq!(settings.oidc_request_token.as_deref(), Some("ado"));
    }

    #[test]
    fn aks_workload_identity_reads_the_webhook_variables() {
        let vars = env(&[
            ("ARM_USE_AKS_WORKLOAD_IDENTITY", "true"),
            ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/azure/tokens/azure-identity-token"),
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/"),
        ]);
        let settings = AuthSettings::default().with_env_fallbacks(vars).unwrap();
        assert_eq!(
            settings.oidc_token_file_path.as_deref(),
            Some("/var/run/secrets/azure/tokens/azure-identity-token")
        );
        assert_eq!(settings.tenant_id.as_deref(), Some(TENANT));
        assert_eq!(settings.client_id.as_deref(), Some(CLIENT));
        assert_eq!(settings.authority_host.as_deref(), Some("https://login.microsoftonline.com/"));

        // Without the flag, the webhook's variables are not used.
        let settings = AuthSettings::default()
            .with_env_fallbacks(env(&[("AZURE_FEDERATED_TOKEN_FILE", "/f"), ("AZURE_TENANT_ID", TENANT)]))
            .unwrap();
        assert_eq!(settings.oidc_token_file_path, None);
        assert_eq!(settings.tenant_id, None);
    }

    #[test]
    fn a_configured_certificate_keeps_environment_certificates_out() {
        let settings = AuthSettings { client_certificate: Some("AAAA".into()), ..Default::default() }
            .with_env_fallbacks(env(&[("ARM_CLIENT_CERTIFICATE_PATH", "/env.pfx")]))
            .unwrap();
        assert_eq!(settings.client_certificate_path, None);
        let settings = AuthSettings { oidc_token_file_path: Some("/cfg".into()), ..Default::default() }
            .with_env_fallbacks(env(&[("ARM_OIDC_TOKEN", "env-token")]))
            .unwrap();
        assert_eq!(settings.oidc_token, None);
    }

    #[test]
    fn authority_host_falls_back_to_azure_authority_host() {
        let settings = AuthSettings::default()
            .with_env_fallbacks(env(&[("AZURE_AUTHORITY_HOST", "https://login.example")]))
            .unwrap();
        assert_eq!(settings.authority_host.as_deref(), Some("https://login.example"));
        let settings = AuthSettings::default()
            .with_env_fallbacks(env(&[("AZURE_AUTHORITY_HOST", "https://b"), ("ARM_AUTHORITY_HOST", "https://a")]))
            .unwrap();
        assert_eq!(settings.authority_host.as_deref(), Some("https://a"));
    }

    #[test]
    fn resolve_uses_the_environments_table_and_overrides() {
        let resolved = AuthSettings::default().resolve().unwrap();
        assert_eq!(resolved.environment, CloudEnvironment::Global);
        assert_eq!(resolved.graph_endpoint.as_str(), "https://graph.microsoft.com/");
        assert_eq!(resolved.authority_host.as_str(), "https://login.microsoftonline.com/");
        assert_eq!(resolved.graph_scope, "https://graph.microsoft.com/.default");

        let resolved =
            AuthSettings { environment: Some("usgovernmentl5".into()), ..Default::default() }.resolve().unwrap();
        assert_eq!(resolved.graph_endpoint.as_str(), "https://dod-graph.microsoft.us/");
        assert_eq!(resolved.authority_host.as_str(), "https://login.microsoftonline.us/");
        assert_eq!(resolved.graph_scope, "https://dod-graph.microsoft.us/.default");

        // Overrides change hosts but not the token scope, which belongs to the cloud.
        let resolved = AuthSettings {
            environment: Some("usgovernmentl4".into()),
            graph_endpoint: Some("https://127.0.0.1:8443".into()),
            authority_host: Some("https://127.0.0.1:8443".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(resolved.graph_endpoint.as_str(), "https://127.0.0.1:8443/");
        assert_eq!(resolved.authority_host.as_str(), "https://127.0.0.1:8443/");
        assert_eq!(resolved.graph_scope, "https://graph.microsoft.us/.default");
    }

    #[test]
    fn resolve_reports_every_problem_with_its_setting() {
        let errors = AuthSettings {
            environment: Some("germany".into()),
            tenant_id: Some("not a tenant".into()),
            client_id: Some("app-name".into()),
            client_certificate: Some("***".into()),
            client_certificate_path: Some("/c.pem".into()),
            oidc_token: Some("t".into()),
            oidc_token_file_path: Some("/t".into()),
            graph_endpoint: Some("http://graph.example".into()),
            authority_host: Some("login.example".into()),
            msi_endpoint: Some("ftp://x".into()),
            oidc_request_url: Some("https://x/?q#f".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap_err();
        let settings: Vec<&str> = errors.iter().map(|e| e.setting).collect();
        assert_eq!(
            settings,
            vec![
                "environment",
                "tenant_id",
                "client_id",
                "client_certificate",
                "client_certificate",
                "oidc_token",
                "graph_endpoint",
                "authority_host",
                "msi_endpoint",
                "oidc_request_url"
            ]
        );
        assert!(errors.to_string().starts_with("environment: unknown environment \"germany\""), "{errors}");
    }

    #[test]
    fn request_urls_may_carry_a_query_but_base_urls_may_not() {
        let resolved = AuthSettings {
            oidc_request_url: Some("https://pipelines.actions.example/abc/idtoken?api-version=2.0".into()),
            msi_endpoint: Some("http://127.0.0.1:40342/metadata/identity/oauth2/token?extra=1".into()),
            ..Default::default()
        }
        .resolve();
        assert!(resolved.is_ok(), "{resolved:?}");
        let errors = AuthSettings { graph_endpoint: Some("https://graph.example/?x=1".into()), ..Default::default() }
            .resolve()
            .unwrap_err();
        assert_eq!(
            errors.0,
            vec![SettingError::new("graph_endpoint", "\"https://graph.example/?x=1\" must not have a query")]
        );
    }

    #[test]
    fn msi_endpoint_may_be_http_and_tenant_may_be_a_domain() {
        let resolved = AuthSettings {
            msi_endpoint: Some("http://169.254.169.254/metadata/identity/oauth2/token".into()),
            tenant_id: Some("contoso.onmicrosoft.com".into()),
            ..Default::default()
        }
        .resolve();
        assert!(resolved.is_ok(), "{resolved:?}");
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let settings = AuthSettings {
            client_secret: Some("hunter2".into()),
            oidc_token: Some("eyJ.token".into()),
            oidc_request_token: Some("req-token".into()),
            client_certificate_password: Some("pw123".into()),
            client_certificate: Some("QUJD".into()),
            ..Default::default()
        };
        let resolved = settings.resolve().unwrap();
        for text in [format!("{settings:?}"), format!("{resolved:?}")] {
            for secret in ["hunter2", "eyJ.token", "req-token", "pw123", "QUJD"] {
                assert!(!text.contains(secret), "{secret} leaked into {text}");
            }
        }
    }
}
