//! The Graph client: configuration, the request loop with retries, and logging.
//!
//! Every request goes through [`GraphClient::send`]: it adds the bearer token, a fresh `client-request-id` and the
//! user agent; retries throttling, server failures, broken connections and unreadable bodies within the operation's
//! deadline; and logs each attempt (method, path, status, ids, timing at DEBUG; bodies at TRACE; never the
//! Authorization header). Typed calls ([`crate::api`]) sit on top of it.

use crate::auth::token::{CredentialFactory, TokenProvider};
use crate::auth::{
    AuthSettings, CliAvailability, CredentialBuildError, CredentialMethod, CredentialOptions, NoCredentialError,
    ResolvedAuth, SettingErrors, build_credential, select_credential,
};
use crate::consistency::ConsistencyPolicy;
use crate::error::{ApiError, GraphError};
use crate::operation::Operation;
use crate::partner_cache::PartnerCache;
use crate::retry::{RetryPolicy, Transience, classify_status, parse_retry_after};
use crate::transport::{HttpTransport, TransportError, TransportOptions, error_chain, is_certificate_error};
use azure_core::credentials::TokenCredential;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The Graph API version every call uses.
const API_VERSION: &str = "v1.0";

/// Everything about a [`GraphClient`] that is not authentication.
#[derive(Debug, Clone)]
pub struct GraphClientOptions {
    /// This provider's version, for the user agent.
    pub provider_version: String,
    /// The Terraform version, for the user agent, when known.
    pub terraform_version: Option<String>,
    /// Extra CA certificates to trust: the PEM file named by `SSL_CERT_FILE`. See [`GraphClientOptions::from_env`].
    pub extra_ca_file: Option<PathBuf>,
    /// Retry timings.
    pub retry: RetryPolicy,
    /// Eventual-consistency waits after writes.
    pub consistency: ConsistencyPolicy,
    /// How long a shared partner listing is reused before a read lists again.
    pub partner_listing_ttl: Duration,
    /// `$top` for partner listings (default [`DEFAULT_PARTNER_PAGE_SIZE`]); `None` lets Graph choose the page size.
    pub partner_page_size: Option<u32>,
    /// Credential building knobs.
    pub credentials: CredentialOptions,
}

impl Default for GraphClientOptions {
    fn default() -> Self {
        GraphClientOptions {
            provider_version: env!("CARGO_PKG_VERSION").to_owned(),
            terraform_version: None,
            extra_ca_file: None,
            retry: RetryPolicy::default(),
            consistency: ConsistencyPolicy::default(),
            partner_listing_ttl: Duration::from_secs(300),
            partner_page_size: Some(DEFAULT_PARTNER_PAGE_SIZE),
            credentials: CredentialOptions::default(),
        }
    }
}

/// The page size partner listings ask for (`$top`): the largest page Microsoft Graph serves on its collections.
///
/// Pages follow each other (each `@odata.nextLink` comes with the page before it), so a refresh of N partners waits
/// for ⌈N / page size⌉ round trips before any partner can be read; big pages keep that to one or two. Graph does not
/// document this collection's own default page size. If it ever refuses the `$top`, the listing is retried without
/// it (see [`GraphClient::list_partners`]).
pub const DEFAULT_PARTNER_PAGE_SIZE: u32 = 999;

/// The environment variables [`GraphClientOptions::from_env`] reads to tune retries, consistency waits and the
/// partner listing, with what each means. Durations use Go's syntax (`"500ms"`, `"30s"`, `"5m"`). Production never
/// needs them; tests against the emulator set them to near-zero waits.
pub const TUNING_VARIABLES: [(&str, &str); 10] = [
    ("ENTRA_RETRY_INITIAL_BACKOFF", "first backoff after a transient failure (duration, default 500ms)"),
    ("ENTRA_RETRY_MAX_BACKOFF", "longest backoff between two attempts (duration, default 30s)"),
    ("ENTRA_RETRY_MAX_TRANSIENT_RETRIES", "retries of 5xx/network failures before giving up (count, default 8)"),
    ("ENTRA_RETRY_ATTEMPT_TIMEOUT", "how long one HTTP attempt may take (duration, default 60s)"),
    ("ENTRA_CONSISTENCY_READS", "reads in a row that must agree after a write; 0 turns waiting off (count, default 3)"),
    ("ENTRA_CONSISTENCY_POLL_INTERVAL", "pause between consistency reads (duration, default 1s)"),
    ("ENTRA_CONSISTENCY_MAX_POLL_INTERVAL", "longest pause while reads still disagree (duration, default 8s)"),
    ("ENTRA_CONSISTENCY_MAX_WAIT", "give up waiting for consistency after this long (duration, default 5m)"),
    ("ENTRA_PARTNER_LISTING_TTL", "how long a shared partner listing is reused (duration, default 5m)"),
    ("ENTRA_PARTNER_PAGE_SIZE", "`$top` for partner listings (count, default 999)"),
];

/// An `ENTRA_*` tuning variable (see [`TUNING_VARIABLES`]) or `SSL_CERT_FILE` with a value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the environment variable {variable} is invalid: {message}")]
pub struct EnvOptionError {
    /// The variable's name.
    pub variable: &'static str,
    /// What is wrong with its value.
    pub message: String,
}

impl GraphClientOptions {
    /// Defaults, adjusted by the environment read through `env` (pass `|name| std::env::var(name).ok()` in
    /// production): `extra_ca_file` from `SSL_CERT_FILE`, and the timings of [`TUNING_VARIABLES`]. Empty variables
    /// count as unset; a value that cannot be read is an error naming the variable, rather than silently ignored.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Self, EnvOptionError> {
        let var = |name: &str| env(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let duration = |name: &'static str, slot: &mut Duration| -> Result<(), EnvOptionError> {
            if let Some(text) = var(name) {
                *slot = crate::duration::parse_go_duration(&text)
                    .map_err(|message| EnvOptionError { variable: name, message })?;
            }
            Ok(())
        };
        let count = |name: &'static str| -> Result<Option<u32>, EnvOptionError> {
            var(name)
                .map(|text| {
                    text.parse::<u32>().map_err(|_| EnvOptionError {
                        variable: name,
                        message: format!("\"{text}\" is not a whole number"),
                    })
                })
                .transpose()
        };

        let mut options = GraphClientOptions {
            extra_ca_file: var("SSL_CERT_FILE").map(PathBuf::from),
            ..GraphClientOptions::default()
        };
        let retry = &mut options.retry;
        duration("ENTRA_RETRY_INITIAL_BACKOFF", &mut retry.initial_backoff)?;
        duration("ENTRA_RETRY_MAX_BACKOFF", &mut retry.max_backoff)?;
        if let Some(n) = count("ENTRA_RETRY_MAX_TRANSIENT_RETRIES")? {
            retry.max_transient_retries = n;
        }
        duration("ENTRA_RETRY_ATTEMPT_TIMEOUT", &mut retry.attempt_timeout)?;
        if retry.attempt_timeout.is_zero() {
            return Err(EnvOptionError {
                variable: "ENTRA_RETRY_ATTEMPT_TIMEOUT",
                message: "an attempt needs some time; use a positive duration".to_owned(),
            });
        }
        let consistency = &mut options.consistency;
        if let Some(n) = count("ENTRA_CONSISTENCY_READS")? {
            consistency.consecutive_reads = n;
        }
        duration("ENTRA_CONSISTENCY_POLL_INTERVAL", &mut consistency.poll_interval)?;
        duration("ENTRA_CONSISTENCY_MAX_POLL_INTERVAL", &mut consistency.max_poll_interval)?;
        duration("ENTRA_CONSISTENCY_MAX_WAIT", &mut consistency.max_wait)?;
        duration("ENTRA_PARTNER_LISTING_TTL", &mut options.partner_listing_ttl)?;
        match count("ENTRA_PARTNER_PAGE_SIZE")? {
            Some(0) => {
                return Err(EnvOptionError {
                    variable: "ENTRA_PARTNER_PAGE_SIZE",
                    message: "a page holds at least one partner".to_owned(),
                });
            }
            Some(n) => options.partner_page_size = Some(n),
            None => {}
        }
        Ok(options)
    }
}

/// Why a client could not be built. Setting problems name the argument at fault.
#[derive(Debug, thiserror::Error)]
pub enum ClientBuildError {
    /// Some settings are invalid.
    #[error("{0}")]
    Settings(#[from] SettingErrors),
    /// No credential method is configured.
    #[error("{0}")]
    NoCredential(#[from] NoCredentialError),
    /// The selected credential could not be built (unreadable certificate, missing token file, …).
    #[error("{0}")]
    Credential(#[from] CredentialBuildError),
    /// The HTTP client could not be built (bad `SSL_CERT_FILE`).
    #[error("{0}")]
    Transport(#[from] TransportError),
}

/// How retrying a request is judged safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Safety {
    /// GET: always safe to repeat.
    Read,
    /// PATCH, DELETE, resets: repeating has the same effect as doing it once.
    Idempotent,
    /// POST of a partner, PUT of an identity-sync policy: a repeat after an unknown outcome can meet the first
    /// attempt's result (409), which the caller reconciles.
    CreateOnce,
}

/// One request to make.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) method: reqwest::Method,
    /// The path below the version, e.g. `/policies/crossTenantAccessPolicy`, or an absolute `@odata.nextLink`.
    pub(crate) target: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Value>,
    pub(crate) safety: Safety,
    /// What a 2xx response must look like (reads). A body that is not JSON is retried as damaged in transit; a
    /// JSON body without the shape's properties is an answer that does not fit, which retrying would not change.
    pub(crate) shape: Option<Shape>,
    /// What is being done, for error messages ("reading the default configuration").
    pub(crate) what: String,
}

impl Call {
    pub(crate) fn get(target: impl Into<String>, shape: Shape, what: impl Into<String>) -> Self {
        Call {
            method: reqwest::Method::GET,
            target: target.into(),
            query: Vec::new(),
            body: None,
            safety: Safety::Read,
            shape: Some(shape),
            what: what.into(),
        }
    }

    pub(crate) fn write(
        method: reqwest::Method,
        target: impl Into<String>,
        body: Option<Value>,
        safety: Safety,
        what: impl Into<String>,
    ) -> Self {
        Call { method, target: target.into(), query: Vec::new(), body, safety, shape: None, what: what.into() }
    }
}

/// The expected form of a read's body. Graph always writes every long-standing property of an object (null when
/// unset), so a body without them cannot be taken as the truth: a missing setting would read as "inherited". Below
/// these properties nothing is required, and what the body holds is checked only by the one conversion into the
/// model that follows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// Properties every object has.
    pub(crate) required: &'static [&'static str],
    /// The body is a collection page (`{"value": [...]}`) of such objects.
    pub(crate) collection: bool,
}

impl Shape {
    /// An object with the `required` properties.
    pub(crate) fn object(required: &'static [&'static str]) -> Self {
        Shape { required, collection: false }
    }

    /// A page of objects with the `required` properties.
    pub(crate) fn collection(required: &'static [&'static str]) -> Self {
        Shape { required, collection: true }
    }

    fn check(&self, body: &Value) -> Result<(), String> {
        let check_one = |item: &Value| -> Result<(), String> {
            let object = item.as_object().ok_or("an item is not a JSON object")?;
            match self.required.iter().find(|k| !object.contains_key(**k)) {
                Some(missing) => Err(format!("the property {missing} is missing")),
                None => Ok(()),
            }
        };
        if self.collection {
            let items = body.get("value").and_then(Value::as_array).ok_or("the collection has no value array")?;
            items.iter().try_for_each(check_one)
        } else {
            check_one(body)
        }
    }
}

/// A final response: success, or an error status that retrying did not (or could not) fix.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    /// The body as JSON, when `send` already parsed it to check a read's shape (so it is parsed once).
    pub(crate) parsed: Option<Value>,
    pub(crate) request_id: Option<String>,
    pub(crate) client_request_id: String,
    pub(crate) date: Option<String>,
}

impl Response {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub(crate) fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as JSON, taking the copy `send` parsed when there is one.
    pub(crate) fn into_json(self) -> Option<Value> {
        self.parsed.or_else(|| serde_json::from_slice(&self.body).ok())
    }

    /// The Graph error this response stands for, for `call`.
    pub(crate) fn error(&self, call: &Call) -> ApiError {
        parse_api_error(self, &call.method, &display_path(&call.target))
    }
}

/// What happened across the attempts of one call, for callers that reconcile.
#[derive(Debug, Default)]
pub(crate) struct Attempts {
    /// An attempt of a [`Safety::CreateOnce`] call may have taken effect without this client learning of it
    /// (the connection broke after sending, or a gateway failed).
    pub(crate) outcome_unknown: bool,
}

pub(crate) struct Inner {
    pub(crate) transport: HttpTransport,
    /// `{graph_endpoint}/v1.0/`
    pub(crate) base: url::Url,
    pub(crate) tokens: TokenProvider,
    pub(crate) retry: RetryPolicy,
    pub(crate) consistency: ConsistencyPolicy,
    pub(crate) partners: PartnerCache,
    pub(crate) partner_page_size: Option<u32>,
    /// Set when Graph refused the listing's `$top`; later listings then let Graph choose the page size.
    pub(crate) partner_page_size_refused: std::sync::atomic::AtomicBool,
}

/// A Microsoft Graph client for cross-tenant access settings. Cheap to clone; clones share the token, the HTTP
/// connections and the partner listing.
#[derive(Clone)]
pub struct GraphClient {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphClient")
            .field("base", &self.inner.base.as_str())
            .field("credential", &self.inner.tokens.method())
            .finish_non_exhaustive()
    }
}

impl GraphClient {
    /// Builds a client from settings the caller has already completed with
    /// [`AuthSettings::with_env_fallbacks`]: validates them, picks the credential in the documented order and builds
    /// it. No request is made yet; [`GraphClient::check_credentials`] fetches a token to prove the configuration.
    pub fn new(settings: &AuthSettings, options: GraphClientOptions) -> Result<Self, ClientBuildError> {
        let resolved = settings.resolve()?;
        let cli = if options.credentials.cli_executor.is_some() {
            CliAvailability::Available
        } else {
            CliAvailability::detect()
        };
        let selection = select_credential(&resolved, cli)?;
        let transport = HttpTransport::new(&transport_options(&options))?;
        let credential = build_credential(&selection.method, &resolved, &transport, &options.credentials)?;
        let rebuild: CredentialFactory = {
            let (method, resolved, transport, credentials) =
                (selection.method.clone(), resolved.clone(), transport.clone(), options.credentials.clone());
            Arc::new(move || build_credential(&method, &resolved, &transport, &credentials).map_err(|e| e.to_string()))
        };
        tracing::info!(credential = %selection.method, graph = %resolved.graph_endpoint, "configured Microsoft Graph client");
        let client =
            Self::assemble(resolved, transport, credential, selection.method, selection.skipped, options, rebuild);
        Ok(client)
    }

    fn assemble(
        resolved: ResolvedAuth,
        transport: HttpTransport,
        credential: Arc<dyn TokenCredential>,
        method: CredentialMethod,
        skipped: Vec<crate::auth::SkippedMethod>,
        options: GraphClientOptions,
        rebuild: CredentialFactory,
    ) -> Self {
        let mut base = resolved.graph_endpoint.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let base = base.join(&format!("{API_VERSION}/")).expect("a version segment always joins");
        let tokens =
            TokenProvider::new(credential, method, skipped, resolved.graph_scope.clone(), options.retry.clone())
                .with_rebuild(rebuild);
        GraphClient {
            inner: Arc::new(Inner {
                transport,
                base,
                tokens,
                retry: options.retry,
                consistency: options.consistency,
                partners: PartnerCache::new(options.partner_listing_ttl),
                partner_page_size: options.partner_page_size,
                partner_page_size_refused: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    /// The credential method in use.
    pub fn credential_method(&self) -> &CredentialMethod {
        self.inner.tokens.method()
    }

    /// The Graph base URL requests go to, including the version (`https://graph.microsoft.com/v1.0/`).
    pub fn base_url(&self) -> &url::Url {
        &self.inner.base
    }

    /// The consistency policy writes wait with.
    pub fn consistency(&self) -> &ConsistencyPolicy {
        &self.inner.consistency
    }

    /// Fetches an access token, proving that the credential works. Providers call this while configuring, so a
    /// wrong secret shows up as a configuration error rather than on the first resource.
    pub async fn check_credentials(&self, op: &Operation) -> Result<(), GraphError> {
        self.inner.tokens.token(op).await.map(|_| ())
    }

    fn url_for(&self, call: &Call) -> Result<url::Url, GraphError> {
        let mut url = if call.target.starts_with("https://") || call.target.starts_with("http://") {
            let url = url::Url::parse(&call.target)
                .map_err(|e| self.invalid(call, 0, format!("bad next link: {e}"), None))?;
            // A next link must stay on the Graph host: the bearer token goes wherever it points.
            if url.origin() != self.inner.base.origin() {
                return Err(self.invalid(
                    call,
                    0,
                    format!("a next link points to another host ({})", url.origin().ascii_serialization()),
                    None,
                ));
            }
            url
        } else {
            self.inner
                .base
                .join(call.target.trim_start_matches('/'))
                .map_err(|e| self.invalid(call, 0, format!("bad request path: {e}"), None))?
        };
        if !call.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &call.query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    fn invalid(&self, call: &Call, status: u16, message: String, request_id: Option<String>) -> GraphError {
        GraphError::InvalidResponse {
            method: call.method.to_string(),
            path: display_path(&call.target),
            status,
            message,
            request_id,
        }
    }

    /// Sends `call`, retrying what can be retried, and returns the final response (which may be an error status:
    /// callers decide what a 404 or 409 means for them).
    pub(crate) async fn send(
        &self,
        op: &Operation,
        call: &Call,
        attempts: &mut Attempts,
    ) -> Result<Response, GraphError> {
        let url = self.url_for(call)?;
        let path = display_path(&call.target);
        let body_bytes = call.body.as_ref().map(|b| serde_json::to_vec(b).expect("JSON values always serialize"));
        let retry = &self.inner.retry;
        let mut transient_retries = 0u32;
        let mut throttle_retries = 0u32;
        let mut attempt = 0u32;
        let mut last_error: Option<GraphError> = None;
        let mut token_rejected = false;

        loop {
            attempt += 1;
            if op.is_cancelled() || op.remaining().is_zero() {
                return Err(op.interrupted(&call.what, last_error));
            }
            let token = self.inner.tokens.token(op).await?;
            let client_request_id = uuid::Uuid::new_v4().to_string();
            let mut request = self
                .inner
                .transport
                .client()
                .request(call.method.clone(), url.clone())
                .bearer_auth(token.secret())
                .header("client-request-id", &client_request_id)
                .header("return-client-request-id", "true")
                .header("Accept", "application/json");
            if let Some(bytes) = &body_bytes {
                request = request.header("Content-Type", "application/json").body(bytes.clone());
                tracing::trace!(method = %call.method, path = %path, body = %String::from_utf8_lossy(bytes), "Graph request body");
            }
            let attempt_timeout = retry.attempt_timeout.min(op.remaining());
            let started = Instant::now();
            let outcome = op
                .run(tokio::time::timeout(attempt_timeout, async {
                    let response = request.send().await?;
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    let body = response.bytes().await?;
                    Ok::<_, reqwest::Error>((status, headers, body))
                }))
                .await;
            let elapsed_ms = started.elapsed().as_millis() as u64;

            let (wait, error) = match outcome {
                None => {
                    // The deadline or a cancellation cut the attempt short; the request may already be with Graph.
                    if call.safety == Safety::CreateOnce {
                        attempts.outcome_unknown = true;
                    }
                    return Err(op.interrupted(&call.what, last_error));
                }
                Some(Err(_elapsed)) => {
                    // The request may have reached Graph before the attempt timed out.
                    if call.safety == Safety::CreateOnce {
                        attempts.outcome_unknown = true;
                    }
                    tracing::debug!(method = %call.method, path = %path, attempt, %client_request_id, elapsed_ms, "Graph request timed out");
                    let error = transport_error(
                        call,
                        &path,
                        format!("no response within {}s", attempt_timeout.as_secs()),
                        &client_request_id,
                    );
                    if transient_retries >= retry.max_transient_retries {
                        return Err(error);
                    }
                    transient_retries += 1;
                    (retry.backoff(transient_retries - 1), error)
                }
                Some(Ok(Err(e))) => {
                    // A connect error means nothing was sent; anything later may have been processed.
                    let sent = !e.is_connect();
                    if sent && call.safety == Safety::CreateOnce {
                        attempts.outcome_unknown = true;
                    }
                    tracing::debug!(method = %call.method, path = %path, attempt, %client_request_id, elapsed_ms, error = %error_chain(&e), "Graph request failed");
                    if is_certificate_error(&e) {
                        let message = format!("{}{}", error_chain(&e), crate::transport::CERTIFICATE_HINT);
                        return Err(transport_error(call, &path, message, &client_request_id));
                    }
                    let error = transport_error(call, &path, error_chain(&e), &client_request_id);
                    if transient_retries >= retry.max_transient_retries {
                        return Err(error);
                    }
                    transient_retries += 1;
                    (retry.backoff(transient_retries - 1), error)
                }
                Some(Ok(Ok((status, headers, body)))) => {
                    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                    let mut response = Response {
                        status,
                        body: body.to_vec(),
                        parsed: None,
                        request_id: header("request-id"),
                        client_request_id: header("client-request-id").unwrap_or_else(|| client_request_id.clone()),
                        date: header("date"),
                    };
                    tracing::debug!(
                        method = %call.method,
                        path = %path,
                        status,
                        attempt,
                        request_id = response.request_id.as_deref().unwrap_or(""),
                        client_request_id = %response.client_request_id,
                        elapsed_ms,
                        "Graph request"
                    );
                    tracing::trace!(method = %call.method, path = %path, status, body = %String::from_utf8_lossy(&response.body), "Graph response body");
                    if let Some(percentage) = header("x-ms-throttle-limit-percentage") {
                        tracing::debug!(path = %path, percentage = %percentage, "Graph throttling limit is close");
                    }

                    if response.is_success() {
                        // Read bodies are parsed once, here; big listing pages would otherwise be parsed again
                        // (and held twice) by the caller.
                        match call.shape.as_ref().map(|shape| parse_json_body(&response.body).map(|v| (shape, v))) {
                            None => return Ok(response),
                            Some(Ok((shape, value))) => {
                                // Valid JSON that lacks what every such object has is Graph's (or a proxy's)
                                // answer, not damage in transit: retrying would only ask again for the same.
                                if let Err(problem) = shape.check(&value) {
                                    return Err(self.invalid(call, status, problem, response.request_id.clone()));
                                }
                                response.parsed = Some(value);
                                return Ok(response);
                            }
                            Some(Err(problem)) => {
                                // A proxy's page, a cut-off body or an error envelope with 200: retry the read.
                                let error = self.invalid(call, status, problem, response.request_id.clone());
                                if transient_retries >= retry.max_transient_retries {
                                    return Err(error);
                                }
                                transient_retries += 1;
                                (retry.backoff(transient_retries - 1), error)
                            }
                        }
                    } else {
                        let retry_after =
                            header("retry-after").and_then(|v| parse_retry_after(&v, time::OffsetDateTime::now_utc()));
                        let error = GraphError::from(response.error(call));
                        if status == 401 && !token_rejected {
                            // A token revoked or not yet valid where Graph checks it: get a new one and try once more.
                            token_rejected = true;
                            self.inner.tokens.reject(&token).await;
                            tracing::debug!(method = %call.method, path = %path, "retrying with a new access token");
                            last_error = Some(error);
                            continue;
                        }
                        match classify_status(status) {
                            Transience::Permanent => return Ok(response),
                            Transience::Throttled => {
                                throttle_retries += 1;
                                let wait = retry_after.unwrap_or_else(|| retry.backoff(throttle_retries - 1));
                                tracing::warn!(
                                    method = %call.method,
                                    path = %path,
                                    retry_after_ms = wait.as_millis() as u64,
                                    retry_after_header = retry_after.is_some(),
                                    scope = header("x-ms-throttle-scope").as_deref().unwrap_or(""),
                                    information = header("x-ms-throttle-information").as_deref().unwrap_or(""),
                                    "Microsoft Graph is throttling requests; waiting"
                                );
                                (wait, error)
                            }
                            Transience::Transient => {
                                if call.safety == Safety::CreateOnce {
                                    // A gateway or server failure does not prove the write was not applied.
                                    attempts.outcome_unknown = true;
                                }
                                if transient_retries >= retry.max_transient_retries {
                                    return Ok(response);
                                }
                                transient_retries += 1;
                                (retry_after.unwrap_or_else(|| retry.backoff(transient_retries - 1)), error)
                            }
                        }
                    }
                }
            };
            tracing::debug!(method = %call.method, path = %path, wait_ms = wait.as_millis() as u64, error = %error, "retrying Graph request");
            last_error = Some(error);
            if !op.sleep(wait).await {
                return Err(op.interrupted(&call.what, last_error));
            }
        }
    }

    /// Sends a read and returns its JSON body with Graph's `request-id`, or the Graph error.
    pub(crate) async fn get_body(&self, op: &Operation, call: &Call) -> Result<ReadBody, GraphError> {
        let response = self.send(op, call, &mut Attempts::default()).await?;
        let request_id = response.request_id.clone();
        Ok(ReadBody { json: success_json(call, response)?, request_id })
    }

    /// Sends a read and returns its JSON body, or the Graph error.
    pub(crate) async fn get_json(&self, op: &Operation, call: &Call) -> Result<Value, GraphError> {
        Ok(self.get_body(op, call).await?.json)
    }

    /// Like [`GraphClient::get_json`], with 404 meaning "there is none".
    pub(crate) async fn get_json_optional(&self, op: &Operation, call: &Call) -> Result<Option<Value>, GraphError> {
        match self.get_json(op, call).await {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Sends a read and converts its body into the model `T`, once.
    pub(crate) async fn read<T: DeserializeOwned>(&self, op: &Operation, call: &Call) -> Result<T, GraphError> {
        let body = self.get_body(op, call).await?;
        decode(body.json, call, body.request_id)
    }

    /// Like [`GraphClient::read`], with 404 meaning "there is none".
    pub(crate) async fn read_optional<T: DeserializeOwned>(
        &self,
        op: &Operation,
        call: &Call,
    ) -> Result<Option<T>, GraphError> {
        match self.get_body(op, call).await {
            Ok(body) => decode(body.json, call, body.request_id).map(Some),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A successful read's body, parsed once, with the `request-id` a support ticket needs.
#[derive(Debug)]
pub(crate) struct ReadBody {
    pub(crate) json: Value,
    pub(crate) request_id: Option<String>,
}

/// The one conversion of a read's JSON into its model. A body that does not fit (a wrong type where code needs a
/// value) is Graph's answer, not damage in transit, so it fails the read at once rather than being retried.
pub(crate) fn decode<T: DeserializeOwned>(
    value: Value,
    call: &Call,
    request_id: Option<String>,
) -> Result<T, GraphError> {
    serde_json::from_value(value).map_err(|e| GraphError::InvalidResponse {
        method: call.method.to_string(),
        path: display_path(&call.target),
        status: 200,
        message: format!("unexpected content: {e}"),
        request_id,
    })
}

/// The JSON of a read's response: the body `send` parsed for a success, the Graph error otherwise. A success
/// without a parsed body (only a call without a [`Shape`] can have one, such as a write answered with an empty
/// body) is an unreadable response, never a panic.
fn success_json(call: &Call, response: Response) -> Result<Value, GraphError> {
    if !response.is_success() {
        return Err(response.error(call).into());
    }
    let (status, request_id) = (response.status, response.request_id.clone());
    match response.into_json() {
        Some(value) => Ok(value),
        None => Err(GraphError::InvalidResponse {
            method: call.method.to_string(),
            path: display_path(&call.target),
            status,
            message: "the body is not JSON".to_owned(),
            request_id,
        }),
    }
}

fn transport_options(options: &GraphClientOptions) -> TransportOptions {
    TransportOptions {
        provider_version: options.provider_version.clone(),
        terraform_version: options.terraform_version.clone(),
        extra_ca_file: options.extra_ca_file.clone(),
    }
}

fn transport_error(call: &Call, path: &str, message: String, client_request_id: &str) -> GraphError {
    GraphError::Transport {
        method: call.method.to_string(),
        path: path.to_owned(),
        message,
        client_request_id: Some(client_request_id.to_owned()),
    }
}

/// The path shown in messages and logs: below the version for Graph paths, without the query.
pub(crate) fn display_path(target: &str) -> String {
    let without_query = target.split('?').next().unwrap_or(target);
    match without_query.find(&format!("/{API_VERSION}/")) {
        Some(i) if target.starts_with("http") => without_query[i + API_VERSION.len() + 1..].to_owned(),
        _ => without_query.to_owned(),
    }
}

/// A successful read must carry a JSON object that is not an OData error envelope; returns that object.
fn parse_json_body(body: &[u8]) -> Result<Value, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => match object.get("error") {
            Some(Value::Object(error)) if object.len() == 1 || error.contains_key("code") => Err(format!(
                "a success status carried an error: {}",
                error.get("code").and_then(Value::as_str).unwrap_or("unknown error")
            )),
            _ => Ok(Value::Object(object)),
        },
        Ok(_) => Err("the body is not a JSON object".into()),
        Err(e) => {
            let start = String::from_utf8_lossy(&body[..body.len().min(60)]).replace(['\n', '\r'], " ");
            Err(format!("the body is not JSON ({e}); it starts with {start:?}"))
        }
    }
}

/// Reads Graph's OData error envelope, falling back to headers and the status when the body is not one (an HTML
/// page from a gateway).
fn parse_api_error(response: &Response, method: &reqwest::Method, path: &str) -> ApiError {
    let envelope = response.json();
    let error = envelope.as_ref().and_then(|v| v.get("error"));
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let inner = error.and_then(|e| e.get("innerError").or_else(|| e.get("innererror")));
    let details = error
        .and_then(|e| e.get("details"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|d| {
                    let code = d.get("code").and_then(Value::as_str).unwrap_or("");
                    let message = d.get("message").and_then(Value::as_str).unwrap_or("");
                    let top_message = error.and_then(|e| e.get("message")).and_then(Value::as_str).unwrap_or("");
                    // Directory errors often repeat the top message in the details; show only what adds something.
                    (message != top_message || code.is_empty()).then(|| format!("{code}: {message}"))
                })
                .collect()
        })
        .unwrap_or_default();
    ApiError {
        method: method.to_string(),
        path: path.to_owned(),
        status: response.status,
        code: text(error.and_then(|e| e.get("code"))),
        message: text(error.and_then(|e| e.get("message"))),
        details,
        request_id: text(inner.and_then(|i| i.get("request-id"))).or_else(|| response.request_id.clone()),
        client_request_id: text(inner.and_then(|i| i.get("client-request-id")))
            .or(Some(response.client_request_id.clone())),
        date: text(inner.and_then(|i| i.get("date"))).or_else(|| response.date.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn options_from_env_read_every_tuning_variable() {
        let options = GraphClientOptions::from_env(env(&[
            ("SSL_CERT_FILE", "/tmp/ca.pem"),
            ("ENTRA_RETRY_INITIAL_BACKOFF", "5ms"),
            ("ENTRA_RETRY_MAX_BACKOFF", "50ms"),
            ("ENTRA_RETRY_MAX_TRANSIENT_RETRIES", "4"),
            ("ENTRA_RETRY_ATTEMPT_TIMEOUT", "20s"),
            ("ENTRA_CONSISTENCY_READS", "0"),
            ("ENTRA_CONSISTENCY_POLL_INTERVAL", "5ms"),
            ("ENTRA_CONSISTENCY_MAX_POLL_INTERVAL", "40ms"),
            ("ENTRA_CONSISTENCY_MAX_WAIT", "20s"),
            ("ENTRA_PARTNER_LISTING_TTL", "1m"),
            ("ENTRA_PARTNER_PAGE_SIZE", " 7 "),
        ]))
        .unwrap();
        assert_eq!(options.extra_ca_file, Some(PathBuf::from("/tmp/ca.pem")));
        assert_eq!(
            options.retry,
            RetryPolicy {
                initial_backoff: Duration::from_millis(5),
                max_backoff: Duration::from_millis(50),
                max_transient_retries: 4,
                attempt_timeout: Duration::from_secs(20),
            }
        );
        assert_eq!(
            options.consistency,
            ConsistencyPolicy {
                consecutive_reads: 0,
                poll_interval: Duration::from_millis(5),
                max_poll_interval: Duration::from_millis(40),
                max_wait: Duration::from_secs(20),
            }
        );
        assert_eq!(options.partner_listing_ttl, Duration::from_secs(60));
        assert_eq!(options.partner_page_size, Some(7));
        assert_eq!(TUNING_VARIABLES.len(), 10, "every variable read above is documented");
    }

    #[test]
    fn options_from_env_default_when_unset_or_empty() {
        let options =
            GraphClientOptions::from_env(env(&[("SSL_CERT_FILE", " "), ("ENTRA_RETRY_MAX_BACKOFF", "")])).unwrap();
        let defaults = GraphClientOptions::default();
        assert_eq!(options.extra_ca_file, None);
        assert_eq!(options.retry, defaults.retry);
        assert_eq!(options.consistency, defaults.consistency);
    }

    #[test]
    fn invalid_tuning_values_name_the_variable() {
        for (name, value) in [
            ("ENTRA_RETRY_MAX_BACKOFF", "fast"),
            ("ENTRA_CONSISTENCY_READS", "-1"),
            ("ENTRA_PARTNER_PAGE_SIZE", "0"),
            ("ENTRA_RETRY_ATTEMPT_TIMEOUT", "0"),
        ] {
            let error = GraphClientOptions::from_env(env(&[(name, value)])).unwrap_err();
            assert_eq!(error.variable, name);
            assert!(error.to_string().starts_with(&format!("the environment variable {name} is invalid")), "{error}");
        }
    }

    #[test]
    fn error_envelopes_are_parsed_with_identifiers() {
        let response = Response {
            status: 409,
            body: br#"{"error":{"code":"Request_MultipleObjectsWithSameKeyValue","message":"A conflicting object with one or more of the specified property values is present in the directory.","details":[{"code":"ConflictingObjects","message":"A conflicting object with one or more of the specified property values is present in the directory."}],"innerError":{"date":"2026-11-21T10:00:00","request-id":"rid-1","client-request-id":"crid-1"}}}"#.to_vec(),
            request_id: Some("header-rid".into()),
            client_request_id: "sent-crid".into(),
            date: Some("Sat, 21 Nov 2026 10:00:00 GMT".into()),
            parsed: None,
        };
        let error = parse_api_error(
            &response,
            &reqwest::Method::PUT,
            "/policies/crossTenantAccessPolicy/partners/x/identitySynchronization",
        );
        assert_eq!(error.code.as_deref(), Some("Request_MultipleObjectsWithSameKeyValue"));
        assert_eq!(error.request_id.as_deref(), Some("rid-1"));
        assert_eq!(error.client_request_id.as_deref(), Some("crid-1"));
        assert_eq!(error.date.as_deref(), Some("2026-11-21T10:00:00"));
        assert!(error.details.is_empty(), "a detail repeating the message is not shown twice");
    }

    #[test]
    fn non_json_errors_fall_back_to_headers() {
        let response = Response {
            status: 502,
            body: b"<html><body>Bad Gateway</body></html>".to_vec(),
            request_id: Some("rid".into()),
            client_request_id: "crid".into(),
            date: Some("d".into()),
            parsed: None,
        };
        let error = parse_api_error(&response, &reqwest::Method::GET, "/policies/crossTenantAccessPolicy");
        assert_eq!(
            error.to_string(),
            "Microsoft Graph returned 502 Bad Gateway for GET /policies/crossTenantAccessPolicy [request-id: rid, client-request-id: crid, date: d]"
        );
    }

    #[test]
    fn success_bodies_are_checked() {
        assert!(parse_json_body(br#"{"id":"x"}"#).is_ok());
        assert!(parse_json_body(br#"{"value":[],"error":"a property named error"}"#).is_ok());
        assert!(parse_json_body(br#"{"tenantId":"x","inboundTr"#).unwrap_err().contains("not JSON"));
        assert!(parse_json_body(b"<html>").unwrap_err().contains("starts with \"<html>\""));
        assert!(
            parse_json_body(br#"{"error":{"code":"serviceNotAvailable","message":"x"}}"#)
                .unwrap_err()
                .contains("serviceNotAvailable")
        );
        assert!(parse_json_body(b"[1]").is_err());
    }

    #[test]
    fn an_empty_success_body_is_an_unreadable_response_not_a_panic() {
        let call =
            Call::write(reqwest::Method::PATCH, "/policies/crossTenantAccessPolicy", None, Safety::Idempotent, "x");
        let response = Response {
            status: 204,
            body: Vec::new(),
            parsed: None,
            request_id: Some("rid".into()),
            client_request_id: "crid".into(),
            date: None,
        };
        let error = success_json(&call, response).unwrap_err();
        assert!(matches!(error, GraphError::InvalidResponse { status: 204, .. }), "{error:?}");
        let ok = Response { status: 200, body: br#"{"id":"x"}"#.to_vec(), ..response_template() };
        assert_eq!(success_json(&call, ok).unwrap(), serde_json::json!({"id": "x"}));
    }

    fn response_template() -> Response {
        Response {
            status: 200,
            body: Vec::new(),
            parsed: None,
            request_id: None,
            client_request_id: "c".into(),
            date: None,
        }
    }

    #[test]
    fn a_body_without_the_required_properties_does_not_fit() {
        let shape = Shape::object(&["tenantId"]);
        assert!(shape.check(&serde_json::json!({"tenantId": null})).is_ok(), "null is present");
        assert_eq!(shape.check(&serde_json::json!({})).unwrap_err(), "the property tenantId is missing");
        let page = Shape::collection(&["tenantId"]);
        assert!(page.check(&serde_json::json!({"value": [{"tenantId": "a"}]})).is_ok());
        assert!(page.check(&serde_json::json!({"value": [{}]})).is_err());
    }

    #[test]
    fn paths_are_shown_below_the_version() {
        assert_eq!(display_path("/policies/crossTenantAccessPolicy"), "/policies/crossTenantAccessPolicy");
        assert_eq!(
            display_path("https://127.0.0.1:1/v1.0/policies/crossTenantAccessPolicy/partners?$skiptoken=abc"),
            "/policies/crossTenantAccessPolicy/partners"
        );
    }
}
