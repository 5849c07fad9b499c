//! The provider itself: its configuration schema (interface.md §2), configuration, and the list of resources and
//! data sources.
//!
//! Every argument is optional and falls back to the environment variable its description names, following the
//! azuread and msgraph providers so existing pipelines work unchanged. Literal values are validated at plan time
//! (`terraform validate` already catches a misspelled `environment`); `ConfigureProvider` then applies the
//! environment fallbacks, checks the combined result with `entra-graph` (which owns authentication) and builds the
//! Graph client every resource and data source uses.
//!
//! The environment is read through an injectable lookup ([`EnvLookup`]), never directly: the acceptance tests serve
//! many providers in one process, each talking to its own emulator. Besides the `ARM_*` variables, `SSL_CERT_FILE`
//! names extra CA certificates to trust, and the `ENTRA_*` variables of [`entra_graph::TUNING_VARIABLES`] tune
//! retries and consistency waits (tests set them to near-zero waits; production never needs them). `TF_DATA_DIR`
//! locates Terraform's data directory, where the create journal lives (see [`crate::journal`]).

use std::sync::Arc;

use entra_graph::auth::AuthSettings;
use entra_graph::{ClientBuildError, GraphClient, GraphClientOptions};
use tfplugin::validators::{self, Validator};
use tfplugin::{
    Attribute, AttributePath, ConfigureRequest, Configured, Context, DataSource, Diagnostic, Diagnostics, Provider,
    Resource, Schema, Value, async_trait,
};

use crate::journal::CreateJournal;
pub use crate::provider_data::{EnvLookup, ProviderData};

/// The provider's source address, under which debug mode and the tests register it.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/entra-tools/entra";

/// The provider's type name: the prefix of every resource type (`entra_...`).
pub const PROVIDER_TYPE_NAME: &str = "entra";

/// The `entra` provider.
pub struct EntraProvider {
    data: Configured<ProviderData>,
    env: EnvLookup,
    /// Whether configuring opens the create journal (true when serving Terraform).
    create_journal: bool,
}

impl std::fmt::Debug for EntraProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntraProvider").field("configured", &self.data.is_set()).finish_non_exhaustive()
    }
}

impl Default for EntraProvider {
    fn default() -> Self {
        EntraProvider::new()
    }
}

impl EntraProvider {
    /// The provider, reading fallbacks from the process environment.
    pub fn new() -> Self {
        EntraProvider::with_env(Arc::new(|name| std::env::var(name).ok()))
    }

    /// The provider, reading fallbacks through `env`.
    pub fn with_env(env: EnvLookup) -> Self {
        EntraProvider { data: Configured::new(), env, create_journal: true }
    }

    /// The provider without a create journal: nothing it does reads or writes one. For the export command, which
    /// reads through the resources but is not Terraform, so it must not change what a working directory it runs in
    /// has recorded.
    pub fn without_create_journal(mut self) -> Self {
        self.create_journal = false;
        self
    }

    /// The configuration shared with resources; set by `ConfigureProvider`.
    pub fn data(&self) -> Configured<ProviderData> {
        self.data.clone()
    }
}

/// How an argument's value is read from the configuration.
#[derive(Clone, Copy)]
enum Kind {
    String,
    Bool,
}

/// One provider argument: its name, type, sensitivity, environment fallbacks, description and validation.
struct Argument {
    name: &'static str,
    kind: Kind,
    sensitive: bool,
    description: &'static str,
    validator: Option<fn() -> Arc<dyn Validator>>,
}

const ENVIRONMENTS: [&str; 4] = ["global", "usgovernmentl4", "usgovernmentl5", "china"];

/// The arguments of interface.md §2, in the order the documentation lists them.
fn arguments() -> Vec<Argument> {
    fn guid() -> Arc<dyn Validator> {
        Arc::new(validators::guid())
    }
    fn https_base_url() -> Arc<dyn Validator> {
        Arc::new(url_validator(false, false))
    }
    fn https_url() -> Arc<dyn Validator> {
        Arc::new(url_validator(false, true))
    }
    fn http_or_https_url() -> Arc<dyn Validator> {
        Arc::new(url_validator(true, true))
    }
    fn environment() -> Arc<dyn Validator> {
        Arc::new(validators::one_of(ENVIRONMENTS))
    }
    use Kind::{Bool, String};
    vec![
        Argument {
            name: "tenant_id",
            kind: String,
            sensitive: false,
            description: "The ID (a GUID) of the tenant whose cross-tenant access settings are managed. Falls back \
                          to the `ARM_TENANT_ID` environment variable.",
            validator: Some(guid),
        },
        Argument {
            name: "client_id",
            kind: String,
            sensitive: false,
            description: "The client (application) ID of the app registration or managed identity to authenticate \
                          as. Falls back to `ARM_CLIENT_ID`, or to the contents of the file named by \
                          `ARM_CLIENT_ID_FILE_PATH`.",
            validator: Some(guid),
        },
        Argument {
            name: "client_secret",
            kind: String,
            sensitive: true,
            description: "A client secret of the app registration (client-credentials flow). Falls back to \
                          `ARM_CLIENT_SECRET`, or to the contents of the file named by `ARM_CLIENT_SECRET_FILE_PATH`.",
            validator: None,
        },
        Argument {
            name: "client_certificate",
            kind: String,
            sensitive: true,
            description: "A client certificate of the app registration: a PKCS#12 (`.pfx`) file, base64-encoded. \
                          Falls back to `ARM_CLIENT_CERTIFICATE`. Conflicts with `client_certificate_path`.",
            validator: None,
        },
        Argument {
            name: "client_certificate_path",
            kind: String,
            sensitive: false,
            description: "The path of a client certificate file, PKCS#12 or PEM (certificate and private key). \
                          Falls back to `ARM_CLIENT_CERTIFICATE_PATH`.",
            validator: None,
        },
        Argument {
            name: "client_certificate_password",
            kind: String,
            sensitive: true,
            description: "The password of the client certificate, if it has one. Falls back to \
                          `ARM_CLIENT_CERTIFICATE_PASSWORD`.",
            validator: None,
        },
        Argument {
            name: "use_oidc",
            kind: Bool,
            sensitive: false,
            description: "Authenticate with a federated credential (workload identity federation / OIDC). Falls \
                          back to `ARM_USE_OIDC`.",
            validator: None,
        },
        Argument {
            name: "oidc_token",
            kind: String,
            sensitive: true,
            description: "An ID token to exchange for a Graph token. Falls back to `ARM_OIDC_TOKEN`. Conflicts with \
                          `oidc_token_file_path`.",
            validator: None,
        },
        Argument {
            name: "oidc_token_file_path",
            kind: String,
            sensitive: false,
            description: "The path of a file holding an ID token. Falls back to `ARM_OIDC_TOKEN_FILE_PATH`.",
            validator: None,
        },
        Argument {
            name: "oidc_request_url",
            kind: String,
            sensitive: false,
            description: "The URL to request an ID token from, as CI systems provide. Falls back to \
                          `ARM_OIDC_REQUEST_URL`, then to GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_URL` (or Azure \
                          DevOps' `SYSTEM_OIDCREQUESTURI` when `ado_pipeline_service_connection_id` is set). Must be \
                          an `https` URL.",
            validator: Some(https_url),
        },
        Argument {
            name: "oidc_request_token",
            kind: String,
            sensitive: true,
            description: "The bearer token for `oidc_request_url`. Falls back to `ARM_OIDC_REQUEST_TOKEN`, then to \
                          `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (or `SYSTEM_ACCESSTOKEN` for Azure DevOps).",
            validator: None,
        },
        Argument {
            name: "ado_pipeline_service_connection_id",
            kind: String,
            sensitive: false,
            description: "The ID of the Azure DevOps service connection to use for OIDC, with the pipeline's \
                          `SYSTEM_ACCESSTOKEN` and `SYSTEM_OIDCREQUESTURI`. Falls back to \
                          `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`.",
            validator: None,
        },
        Argument {
            name: "use_aks_workload_identity",
            kind: Bool,
            sensitive: false,
            description: "Authenticate with AKS workload identity, reading the token file named by \
                          `AZURE_FEDERATED_TOKEN_FILE`. Falls back to `ARM_USE_AKS_WORKLOAD_IDENTITY`.",
            validator: None,
        },
        Argument {
            name: "use_msi",
            kind: Bool,
            sensitive: false,
            description: "Authenticate with a managed identity. Falls back to `ARM_USE_MSI`.",
            validator: None,
        },
        Argument {
            name: "msi_endpoint",
            kind: String,
            sensitive: false,
            description: "A custom managed identity endpoint (`http` or `https`). Falls back to `ARM_MSI_ENDPOINT`.",
            validator: Some(http_or_https_url),
        },
        Argument {
            name: "use_cli",
            kind: Bool,
            sensitive: false,
            description: "Use the Azure CLI's token when no other credential is configured (it is tried last). \
                          Defaults to `true`; falls back to `ARM_USE_CLI`.",
            validator: None,
        },
        Argument {
            name: "environment",
            kind: String,
            sensitive: false,
            description: "The national cloud, which decides the Graph and login hosts: `global` (the default), \
                          `usgovernmentl4`, `usgovernmentl5` or `china`. Falls back to `ARM_ENVIRONMENT`.",
            validator: Some(environment),
        },
        Argument {
            name: "graph_endpoint",
            kind: String,
            sensitive: false,
            description: "Overrides the Microsoft Graph base URL, e.g. `https://127.0.0.1:8443` for the local \
                          emulator. Must be an `https` URL. Falls back to `ARM_GRAPH_ENDPOINT`.",
            validator: Some(https_base_url),
        },
        Argument {
            name: "authority_host",
            kind: String,
            sensitive: false,
            description: "Overrides the login host (Microsoft Entra ID's token endpoint host). Must be an `https` \
                          URL. Falls back to `ARM_AUTHORITY_HOST`, then `AZURE_AUTHORITY_HOST`.",
            validator: Some(https_base_url),
        },
    ]
}

/// Absolute URL with a host, `https` (or `http` when `allow_http`); base URLs may carry no query or fragment.
fn url_validator(allow_http: bool, allow_query: bool) -> impl Validator {
    let requirement = if allow_http { "an absolute `http` or `https` URL" } else { "an absolute `https` URL" };
    validators::custom(requirement, move |path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics| {
        let Some(text) = value.as_str() else { return };
        if let Err(problem) = check_url(text, allow_http, allow_query) {
            diagnostics.push(Diagnostic::error("Invalid URL", format!("{path} {problem}.")).at(path.clone()));
        }
    })
}

fn check_url(text: &str, allow_http: bool, allow_query: bool) -> Result<(), String> {
    let url = url::Url::parse(text).map_err(|e| format!("must be an absolute URL; {text:?} is not ({e})"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        other => {
            let wanted = if allow_http { "http or https" } else { "https" };
            return Err(format!("must use {wanted} (tokens are sent to it), not {other}: {text:?}"));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("must name a host: {text:?}"));
    }
    if !allow_query && (url.query().is_some() || url.fragment().is_some()) {
        return Err(format!("must be a base URL without query or fragment: {text:?}"));
    }
    Ok(())
}

/// The provider configuration schema of interface.md §2.
pub fn provider_schema() -> Schema {
    let attributes = arguments().into_iter().map(|arg| {
        let ty = match arg.kind {
            Kind::String => tfplugin::Type::String,
            Kind::Bool => tfplugin::Type::Bool,
        };
        let mut attribute = Attribute::new(arg.name, ty).optional().description(arg.description);
        if arg.sensitive {
            attribute = attribute.sensitive();
        }
        if let Some(make) = arg.validator {
            attribute.validators.push(make());
        }
        attribute
    });
    Schema::new(
        "Manages Microsoft Entra cross-tenant access settings through Microsoft Graph. Every argument is optional \
         and falls back to the environment variable named in its description, as in the `azuread` provider.",
    )
    .attributes(attributes)
}

/// Reads the explicit settings from the provider block. Unknown values are reported, since authentication cannot
/// wait for them.
pub fn settings_from_config(config: &Value) -> Result<AuthSettings, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut text = |name: &str| -> Option<String> {
        let value = config.get_attr(name);
        if value.is_unknown() {
            diagnostics.push(unknown_argument(name));
        }
        value.as_str().map(str::to_owned)
    };
    let mut settings = AuthSettings {
        tenant_id: text("tenant_id"),
        client_id: text("client_id"),
        client_secret: text("client_secret"),
        client_certificate: text("client_certificate"),
        client_certificate_path: text("client_certificate_path"),
        client_certificate_password: text("client_certificate_password"),
        oidc_token: text("oidc_token"),
        oidc_token_file_path: text("oidc_token_file_path"),
        oidc_request_url: text("oidc_request_url"),
        oidc_request_token: text("oidc_request_token"),
        ado_pipeline_service_connection_id: text("ado_pipeline_service_connection_id"),
        msi_endpoint: text("msi_endpoint"),
        environment: text("environment"),
        graph_endpoint: text("graph_endpoint"),
        authority_host: text("authority_host"),
        ..AuthSettings::default()
    };
    let mut flag = |name: &str| -> Option<bool> {
        let value = config.get_attr(name);
        if value.is_unknown() {
            diagnostics.push(unknown_argument(name));
        }
        value.as_bool()
    };
    settings.use_oidc = flag("use_oidc");
    settings.use_aks_workload_identity = flag("use_aks_workload_identity");
    settings.use_msi = flag("use_msi");
    settings.use_cli = flag("use_cli");
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok(settings) }
}

fn unknown_argument(name: &str) -> Diagnostic {
    Diagnostic::error(
        "Provider argument not known yet",
        format!(
            "{name} depends on a value that is only known after apply, but the provider needs it to authenticate \
             before planning. Use a value known at plan time (a literal, a variable or a data source)."
        ),
    )
    .at(AttributePath::root().attr(name))
}

#[async_trait]
impl Provider for EntraProvider {
    fn type_name(&self) -> &str {
        PROVIDER_TYPE_NAME
    }

    fn schema(&self) -> Schema {
        provider_schema()
    }

    async fn configure(&self, _ctx: &Context, request: ConfigureRequest) -> Diagnostics {
        match self.build(&request) {
            Ok(data) => {
                tracing::debug!(
                    environment = data.auth.environment.name(),
                    graph = %data.auth.graph_endpoint,
                    credential = %data.client.credential_method(),
                    "provider configured"
                );
                self.data.set(data);
                Diagnostics::new()
            }
            Err(diagnostics) => diagnostics,
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        crate::resources::all(&self.data)
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        crate::data_sources::all(&self.data)
    }
}

impl EntraProvider {
    /// Configuration → settings → environment fallbacks → Graph client, with every problem reported on the
    /// argument it is about.
    fn build(&self, request: &ConfigureRequest) -> Result<ProviderData, Diagnostics> {
        let settings = settings_from_config(&request.config)?;
        let env = Arc::clone(&self.env);
        let settings = settings.with_env_fallbacks(|name| env(name)).map_err(|e| setting_diagnostics(&e))?;
        let auth = settings.resolve().map_err(|e| setting_diagnostics(&e))?;
        let mut options = GraphClientOptions::from_env(|name| env(name)).map_err(|e| {
            Diagnostics::error(
                "Invalid provider environment",
                format!(
                    "{e}. The ENTRA_* variables tune retries and waits and are normally left unset; SSL_CERT_FILE                      names a PEM file of extra CA certificates."
                ),
            )
        })?;
        if !request.terraform_version.is_empty() {
            options.terraform_version = Some(request.terraform_version.clone());
        }
        let client = GraphClient::new(&settings, options).map_err(|error| match error {
            ClientBuildError::Settings(errors) => setting_diagnostics(&errors),
            ClientBuildError::NoCredential(e) => Diagnostics::error(
                "No credential for Microsoft Graph",
                format!(
                    "{}\n\nConfigure one of them in the provider block or through its ARM_* \
                     environment variable, for example client_id and client_secret (ARM_CLIENT_ID, \
                     ARM_CLIENT_SECRET), or use_oidc with a federated credential in CI.",
                    sentence(&e.to_string())
                ),
            ),
            ClientBuildError::Credential(e) => {
                Diagnostics::error("Unable to set up the Microsoft Graph credential", format!("{e}."))
            }
            ClientBuildError::Transport(e) => Diagnostics::error(
                "Unable to set up HTTPS for Microsoft Graph",
                format!("{e}. Check the file SSL_CERT_FILE names, if it is set."),
            ),
        })?;
        let journal = self.create_journal.then(|| {
            Arc::new(CreateJournal::new(
                &CreateJournal::data_dir(|name| env(name)),
                auth.graph_endpoint.as_str(),
                auth.settings.tenant_id.as_deref().unwrap_or_default(),
            ))
        });
        Ok(ProviderData { auth, terraform_version: request.terraform_version.clone(), client, journal })
    }
}

/// One error per invalid setting, on the argument's attribute path.
/// An error text, which starts in lower case so it can follow a colon, as a sentence of its own.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn setting_diagnostics(errors: &entra_graph::auth::SettingErrors) -> Diagnostics {
    errors
        .iter()
        .map(|e| {
            Diagnostic::error(
                format!("Invalid provider setting {}", e.setting),
                format!("{}: {}.", e.setting, e.message.trim_end_matches('.')),
            )
            .at(AttributePath::root().attr(e.setting))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The argument names of interface.md §2.
    const INTERFACE_ARGUMENTS: [&str; 19] = [
        "tenant_id",
        "client_id",
        "client_secret",
        "client_certificate",
        "client_certificate_path",
        "client_certificate_password",
        "use_oidc",
        "oidc_token",
        "oidc_token_file_path",
        "oidc_request_url",
        "oidc_request_token",
        "ado_pipeline_service_connection_id",
        "use_aks_workload_identity",
        "use_msi",
        "msi_endpoint",
        "use_cli",
        "environment",
        "graph_endpoint",
        "authority_host",
    ];

    fn no_env() -> EnvLookup {
        Arc::new(|_| None)
    }

    fn validate(config: &[(&str, Value)]) -> Diagnostics {
        let schema = provider_schema();
        let mut diagnostics = Diagnostics::new();
        for (name, value) in config {
            let attribute = schema.get(name).expect("argument exists");
            let path = AttributePath::root().attr(*name);
            for validator in &attribute.validators {
                validator.validate(&path, value, &mut diagnostics);
            }
        }
        diagnostics
    }

    #[test]
    fn the_schema_has_exactly_the_interface_arguments_all_optional() {
        let schema = provider_schema();
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
        let names: Vec<&str> = schema.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, INTERFACE_ARGUMENTS);
        for attribute in &schema.attributes {
            assert!(attribute.optional && !attribute.required && !attribute.computed, "{}", attribute.name);
            assert!(!attribute.description.is_empty(), "{}", attribute.name);
        }
    }

    #[test]
    fn secrets_are_sensitive_and_descriptions_name_env_vars() {
        let schema = provider_schema();
        let sensitive: Vec<&str> = schema.attributes.iter().filter(|a| a.sensitive).map(|a| a.name.as_str()).collect();
        assert_eq!(
            sensitive,
            ["client_secret", "client_certificate", "client_certificate_password", "oidc_token", "oidc_request_token"]
        );
        for (name, var) in
            [("tenant_id", "ARM_TENANT_ID"), ("authority_host", "AZURE_AUTHORITY_HOST"), ("use_cli", "ARM_USE_CLI")]
        {
            assert!(schema.get(name).unwrap().description.contains(var), "{name} should mention {var}");
        }
    }

    #[test]
    fn literal_values_are_validated_at_their_attribute() {
        assert!(
            validate(&[
                ("environment", Value::string("china")),
                ("tenant_id", Value::string("00000000-0000-0000-0000-000000000001"))
            ])
            .is_empty()
        );
        let cases = [
            ("environment", "mars"),
            ("tenant_id", "contoso"),
            ("client_id", "123"),
            ("graph_endpoint", "http://graph.example"),
            ("graph_endpoint", "graph.microsoft.com"),
            ("authority_host", "https://login.example/?x=1"),
            ("oidc_request_url", "ftp://token.example"),
            ("msi_endpoint", "file:///etc/passwd"),
        ];
        for (name, value) in cases {
            let diagnostics = validate(&[(name, Value::string(value))]);
            let d = diagnostics.iter().next().unwrap_or_else(|| panic!("{name} = {value:?} should be rejected"));
            assert_eq!(d.attribute, Some(AttributePath::root().attr(name)), "{name}");
        }
        assert!(
            validate(&[("msi_endpoint", Value::string("http://169.254.169.254/metadata/identity/oauth2/token"))])
                .is_empty()
        );
        assert!(
            validate(&[("oidc_request_url", Value::string("https://token.actions.example/?api-version=2.0"))])
                .is_empty()
        );
        assert!(validate(&[("graph_endpoint", Value::string("https://127.0.0.1:8443"))]).is_empty());
    }

    fn config(entries: &[(&str, Value)]) -> Value {
        let mut attributes: BTreeMap<String, Value> =
            INTERFACE_ARGUMENTS.iter().map(|n| ((*n).to_owned(), Value::Null)).collect();
        for (name, value) in entries {
            attributes.insert((*name).to_owned(), value.clone());
        }
        Value::Object(attributes)
    }

    #[tokio::test]
    async fn configure_fills_the_settings_and_applies_env_fallbacks() {
        let env: EnvLookup =
            Arc::new(|name| (name == "ARM_CLIENT_ID").then(|| "00000000-0000-0000-0000-0000000000c1".to_owned()));
        let provider = EntraProvider::with_env(env);
        let data = provider.data();
        assert!(data.get().is_err(), "not configured yet");
        let request = ConfigureRequest {
            config: config(&[
                ("tenant_id", Value::string("00000000-0000-0000-0000-0000000000a1")),
                ("client_secret", Value::string("s3cret")),
                ("use_cli", Value::bool(false)),
                ("environment", Value::string("usgovernmentl5")),
            ]),
            terraform_version: "1.11.4".to_owned(),
        };
        let diagnostics = provider.configure(&Context::background(), request).await;
        assert!(diagnostics.is_empty(), "{diagnostics}");
        let data = data.get().unwrap();
        let settings = &data.auth.settings;
        assert_eq!(settings.tenant_id.as_deref(), Some("00000000-0000-0000-0000-0000000000a1"));
        assert_eq!(settings.client_id.as_deref(), Some("00000000-0000-0000-0000-0000000000c1"));
        assert_eq!(settings.client_secret.as_deref(), Some("s3cret"));
        assert_eq!(settings.use_cli, Some(false));
        assert_eq!(data.auth.environment.name(), "usgovernmentl5");
        assert_eq!(data.terraform_version, "1.11.4");
    }

    #[tokio::test]
    async fn configure_reports_bad_environment_values_at_the_argument() {
        let env: EnvLookup = Arc::new(|name| (name == "ARM_ENVIRONMENT").then(|| "mars".to_owned()));
        let provider = EntraProvider::with_env(env);
        let request = ConfigureRequest { config: config(&[]), terraform_version: String::new() };
        let diagnostics = provider.configure(&Context::background(), request).await;
        let d = diagnostics.iter().next().expect("an error");
        assert!(d.is_error());
        assert_eq!(d.attribute, Some(AttributePath::root().attr("environment")));
        assert!(!provider.data().is_set());
    }

    #[tokio::test]
    async fn configure_refuses_unknown_arguments() {
        let provider = EntraProvider::with_env(no_env());
        let request =
            ConfigureRequest { config: config(&[("tenant_id", Value::Unknown)]), terraform_version: String::new() };
        let diagnostics = provider.configure(&Context::background(), request).await;
        assert_eq!(diagnostics.iter().next().unwrap().attribute, Some(AttributePath::root().attr("tenant_id")));
    }

    #[test]
    fn every_resource_and_data_source_is_registered_with_a_sound_schema() {
        let provider = EntraProvider::with_env(no_env());
        let mut resources: Vec<String> = provider.resources().iter().map(|r| r.type_name().to_owned()).collect();
        resources.sort();
        for expected in ["entra_cross_tenant_identity_sync", "entra_cross_tenant_partner"] {
            assert!(resources.iter().any(|r| r == expected), "{expected} in {resources:?}");
        }
        for resource in provider.resources() {
            let schema = resource.schema();
            assert!(schema.problems().is_empty(), "{}: {:?}", resource.type_name(), schema.problems());
            assert!(schema.get("timeouts").is_some(), "{} has timeouts", resource.type_name());
            assert!(schema.description.contains("**Permissions:**"), "{} names its permissions", resource.type_name());
        }
        let mut data_sources: Vec<String> = provider.data_sources().iter().map(|d| d.type_name().to_owned()).collect();
        data_sources.sort();
        assert_eq!(
            data_sources,
            [
                "entra_cross_tenant_partners",
                "entra_cross_tenant_sync_status",
                "entra_multi_tenant_organization",
                "entra_tenant_information"
            ]
        );
        for data_source in provider.data_sources() {
            assert!(data_source.schema().problems().is_empty(), "{}", data_source.type_name());
        }
    }

    #[tokio::test]
    async fn a_configuration_without_any_credential_gets_one_clear_error() {
        let env: EnvLookup = Arc::new(|name| (name == "ARM_USE_CLI").then(|| "false".to_owned()));
        let provider = EntraProvider::with_env(env);
        let request = ConfigureRequest {
            config: config(&[("tenant_id", Value::string("00000000-0000-0000-0000-0000000000a1"))]),
            terraform_version: String::new(),
        };
        let diagnostics = provider.configure(&Context::background(), request).await;
        assert_eq!(diagnostics.len(), 1, "{diagnostics}");
        let d = diagnostics.iter().next().unwrap();
        assert_eq!(d.summary, "No credential for Microsoft Graph");
        assert!(
            d.detail.starts_with("No usable credential for Microsoft Graph is configured. Methods tried, in order:"),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("client secret") || d.detail.contains("secret"), "{}", d.detail);
        assert!(!provider.data().is_set());
    }

    #[tokio::test]
    async fn invalid_tuning_variables_are_reported() {
        let env: EnvLookup = Arc::new(|name| (name == "ENTRA_CONSISTENCY_MAX_WAIT").then(|| "forever".to_owned()));
        let provider = EntraProvider::with_env(env);
        let request = ConfigureRequest {
            config: config(&[
                ("tenant_id", Value::string("00000000-0000-0000-0000-0000000000a1")),
                ("client_id", Value::string("00000000-0000-0000-0000-0000000000c1")),
                ("client_secret", Value::string("s3cret")),
            ]),
            terraform_version: String::new(),
        };
        let diagnostics = provider.configure(&Context::background(), request).await;
        let d = diagnostics.iter().next().expect("an error");
        assert!(d.detail.contains("ENTRA_CONSISTENCY_MAX_WAIT"), "{}", d.detail);
    }
}
