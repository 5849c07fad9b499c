//! The one HTTP client: every request this crate makes (Graph calls, token requests, OIDC and managed-identity
//! endpoints) goes through the `reqwest::Client` built here, so TLS trust, the user agent and logging are the same
//! everywhere.
//!
//! TLS uses rustls with aws-lc-rs and the platform's trust store, plus the extra CA certificates of the PEM file
//! named by `SSL_CERT_FILE` (corporate TLS inspection, the emulator's self-signed certificate).

use azure_core::http::{AsyncRawResponse, Body, HttpClient, Request, StatusCode, headers::Headers};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long to wait for a TCP + TLS connection before treating the attempt as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Well-known CA bundle files of Linux and BSD distributions. They are loaded explicitly only when `SSL_CERT_FILE`
/// is set, because the platform verifier then reads that file *instead of* the system store, while this provider
/// promises the extra certificates *in addition to* the system roots.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/etc/ssl/cert.pem",
    "/usr/local/share/certs/ca-root-nss.crt",
];

/// What the transport is built from.
#[derive(Debug, Clone, Default)]
pub struct TransportOptions {
    /// This provider's version, for the user agent.
    pub provider_version: String,
    /// The Terraform version driving the provider, for the user agent, when known.
    pub terraform_version: Option<String>,
    /// A PEM file of extra CA certificates to trust (the value of `SSL_CERT_FILE`).
    pub extra_ca_file: Option<PathBuf>,
}

impl TransportOptions {
    /// The `User-Agent` header: `terraform-provider-entra/<version>`, plus ` terraform/<version>` when known.
    pub fn user_agent(&self) -> String {
        let mut agent = format!("terraform-provider-entra/{}", self.provider_version);
        if let Some(tf) = self.terraform_version.as_deref().filter(|v| !v.is_empty()) {
            agent.push_str(" terraform/");
            agent.push_str(tf);
        }
        agent
    }
}

/// Why the HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The `SSL_CERT_FILE` file could not be read or holds no certificates.
    #[error("could not load the CA certificates in {path} (SSL_CERT_FILE): {message}")]
    ExtraCa {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// reqwest refused the configuration.
    #[error("could not build the HTTP client: {0}")]
    Build(String),
}

/// The shared HTTP client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    user_agent: String,
}

impl HttpTransport {
    /// Builds the client: rustls with the platform trust store, the extra CA file, the user agent, no automatic
    /// redirects (Graph does not use them, and following one could send a token elsewhere).
    pub fn new(options: &TransportOptions) -> Result<Self, TransportError> {
        let user_agent = options.user_agent();
        let mut builder = reqwest::Client::builder()
            .user_agent(user_agent.clone())
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(path) = options.extra_ca_file.as_deref() {
            let mut certificates = load_pem_certificates(path)?;
            if std::env::var_os("SSL_CERT_FILE").is_some() || std::env::var_os("SSL_CERT_DIR").is_some() {
                certificates.extend(system_bundle_certificates());
            }
            builder = builder.tls_certs_merge(certificates);
        }
        let client = builder.build().map_err(|e| TransportError::Build(e.to_string()))?;
        Ok(HttpTransport { client, user_agent })
    }

    /// The underlying client, for the Graph request loop.
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The user agent every request carries.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
}

fn load_pem_certificates(path: &Path) -> Result<Vec<reqwest::Certificate>, TransportError> {
    let bytes =
        std::fs::read(path).map_err(|e| TransportError::ExtraCa { path: path.to_owned(), message: e.to_string() })?;
    let certificates = reqwest::Certificate::from_pem_bundle(&bytes)
        .map_err(|e| TransportError::ExtraCa { path: path.to_owned(), message: e.to_string() })?;
    if certificates.is_empty() {
        return Err(TransportError::ExtraCa {
            path: path.to_owned(),
            message: "the file holds no PEM certificates".into(),
        });
    }
    Ok(certificates)
}

fn system_bundle_certificates() -> Vec<reqwest::Certificate> {
    SYSTEM_BUNDLES
        .iter()
        .find_map(|path| std::fs::read(path).ok())
        .and_then(|bytes| reqwest::Certificate::from_pem_bundle(&bytes).ok())
        .unwrap_or_default()
}

/// Token requests from azure_identity's credentials travel through the same client. Only the method, the URL
/// without its query, the status and the time are logged: request bodies carry client secrets and assertions,
/// response bodies carry access tokens.
#[async_trait::async_trait]
impl HttpClient for HttpTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let started = Instant::now();
        let url = request.url().clone();
        let method = reqwest::Method::from_bytes(request.method().as_str().as_bytes())
            .map_err(|e| azure_core::Error::with_message(azure_core::error::ErrorKind::Other, e.to_string()))?;
        let mut builder = self.client.request(method.clone(), url.clone());
        for (name, value) in request.headers().iter() {
            // azure_core adds its own telemetry user agent; this provider's identifies it to Microsoft instead.
            if !name.as_str().eq_ignore_ascii_case("user-agent") {
                builder = builder.header(name.as_str(), value.as_str());
            }
        }
        match request.body() {
            Body::Bytes(bytes) => builder = builder.body(bytes.to_vec()),
            #[allow(unreachable_patterns, reason = "the streaming variant exists only on some targets")]
            _ => {
                return Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Other,
                    "streaming request bodies are not used by credentials",
                ));
            }
        }
        let endpoint = display_without_query(&url);
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => {
                let chain = error_chain(&e);
                tracing::debug!(%method, url = %endpoint, error = %chain, "identity request failed");
                // Io and Connection errors are retried; an untrusted certificate is not, so it gets another kind.
                let (kind, hint) = if is_certificate_error(&e) {
                    (azure_core::error::ErrorKind::Other, CERTIFICATE_HINT)
                } else if e.is_connect() {
                    (azure_core::error::ErrorKind::Connection, "")
                } else {
                    (azure_core::error::ErrorKind::Io, "")
                };
                return Err(azure_core::Error::with_error(
                    kind,
                    e,
                    format!("could not reach {endpoint}: {chain}{hint}"),
                ));
            }
        };
        let status = response.status().as_u16();
        let mut headers = Headers::new();
        for (name, value) in response.headers() {
            if let Ok(value) = value.to_str() {
                headers.insert(name.as_str().to_owned(), value.to_owned());
            }
        }
        let body = response.bytes().await.map_err(|e| {
            azure_core::Error::with_error(
                azure_core::error::ErrorKind::Io,
                e,
                format!("reading the response of {endpoint}"),
            )
        })?;
        tracing::debug!(
            %method,
            url = %endpoint,
            status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "identity request"
        );
        Ok(AsyncRawResponse::from_bytes(StatusCode::from(status), headers, body))
    }
}

/// reqwest's top-level message is often just "error sending request"; the cause (reset, refused, TLS) is below.
pub(crate) fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// True when the server's certificate was not trusted. Retrying cannot fix that, and the fix (`SSL_CERT_FILE`, or a
/// proxy's CA) is worth saying.
pub(crate) fn is_certificate_error(error: &reqwest::Error) -> bool {
    let chain = error_chain(error);
    chain.contains("invalid peer certificate") || chain.contains("certificate verify failed")
}

/// The hint appended to certificate errors.
pub(crate) const CERTIFICATE_HINT: &str = "; if a proxy inspects TLS traffic or the endpoint uses a private CA, put its CA certificate in the file named by SSL_CERT_FILE";

/// A URL for logs: scheme, host, port and path only. Query strings can carry identifiers users consider private.
pub(crate) fn display_without_query(url: &url::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_provider_and_terraform() {
        let mut options = TransportOptions { provider_version: "0.1.0".into(), ..TransportOptions::default() };
        assert_eq!(options.user_agent(), "terraform-provider-entra/0.1.0");
        options.terraform_version = Some("1.11.4".into());
        assert_eq!(options.user_agent(), "terraform-provider-entra/0.1.0 terraform/1.11.4");
    }

    #[test]
    fn a_missing_or_empty_ca_file_is_a_clear_error() {
        let missing = TransportOptions { extra_ca_file: Some("/nonexistent/ca.pem".into()), ..Default::default() };
        let err = HttpTransport::new(&missing).unwrap_err().to_string();
        assert!(err.starts_with("could not load the CA certificates in /nonexistent/ca.pem (SSL_CERT_FILE)"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let options = TransportOptions { extra_ca_file: Some(empty), ..Default::default() };
        let err = HttpTransport::new(&options).unwrap_err().to_string();
        assert!(err.contains("holds no PEM certificates"), "{err}");
    }

    #[test]
    fn urls_are_logged_without_query() {
        let url = url::Url::parse("https://oidc.example/token?audience=x&serviceConnectionId=y#f").unwrap();
        assert_eq!(display_without_query(&url), "https://oidc.example/token");
    }
}
