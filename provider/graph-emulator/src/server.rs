//! The HTTP layer: TLS and plain listeners, top-level routing (Graph, token endpoint, managed identity, admin),
//! common Graph response headers, body limits, the latency / reset / malformed faults, and one log line per request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio_rustls::TlsAcceptor;

use crate::auth::AuthResponse;
use crate::error::GraphError;
use crate::faults::{Injected, RequestFacts};
use crate::graph::{self, Body, GraphRequest, GraphResponse, JSON_CONTENT_TYPE, Outcome, RequestIds, error_response};
use crate::odata::{self, ApiVersion};
use crate::service::{Service, lock};

/// How long a client may take to send its request body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The response type of every handler.
pub(crate) type HttpResponse = Response<Full<Bytes>>;

/// Returned by the service to make hyper drop the connection without answering.
#[derive(Debug)]
struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault")
    }
}

impl std::error::Error for ConnectionDropped {}

/// Accepts TLS connections until `shutdown` turns true.
pub(crate) async fn run_https(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    service: Arc<Service>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let service = Arc::clone(&service);
        tokio::spawn(async move {
            let Ok(Ok(tls)) = tokio::time::timeout(BODY_TIMEOUT, acceptor.accept(tcp)).await else { return };
            serve_connection(TokioIo::new(tls), service, true).await;
        });
    }
}

/// Accepts plain-HTTP connections (managed identity only) until `shutdown` turns true.
pub(crate) async fn run_http(listener: TcpListener, service: Arc<Service>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let service = Arc::clone(&service);
        tokio::spawn(async move {
            serve_connection(TokioIo::new(tcp), service, false).await;
        });
    }
}

async fn serve_connection<I>(io: TokioIo<I>, service: Arc<Service>, secure: bool)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    // A fault that drops the connection signals here; the connection future is then dropped, which closes the
    // socket without a response, whatever the HTTP version.
    let dropped = Arc::new(Notify::new());
    let signal = Arc::clone(&dropped);
    let handler = service_fn(move |request: Request<Incoming>| {
        let service = Arc::clone(&service);
        let signal = Arc::clone(&signal);
        async move {
            match handle(service, request, secure).await {
                Some(response) => Ok(response),
                None => {
                    signal.notify_one();
                    Err(ConnectionDropped)
                }
            }
        }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(BODY_TIMEOUT).keep_alive(true);
    let connection = builder.serve_connection(io, handler);
    tokio::select! {
        _ = connection => {}
        _ = dropped.notified() => {}
    }
}

/// Handles one request; `None` drops the connection.
async fn handle(service: Arc<Service>, request: Request<Incoming>, secure: bool) -> Option<HttpResponse> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let headers = parts.headers;
    let ids = RequestIds::new(&headers);
    let base = base_url(&service, &headers, parts.uri.authority().map(|a| a.as_str()), secure);

    let response = match collect_body(body, service.config.max_body_bytes).await {
        Err(error) => Some(graph_http_response(error_response(&error, &ids), &ids, None, None)),
        Ok(body) => route(&service, &method, &path, query.as_deref(), headers, body, &base, &ids, secure).await,
    };
    let status = response.as_ref().map_or("dropped".to_owned(), |r| r.status().as_u16().to_string());
    tracing::info!(
        target: "entra_graph_emulator",
        "{method} {path} {status} {}ms request-id={}",
        started.elapsed().as_millis(),
        ids.request_id
    );
    response
}

/// `https://host:port` as the client addressed the emulator (so links work via `localhost` or `127.0.0.1`).
fn base_url(service: &Service, headers: &HeaderMap, authority: Option<&str>, secure: bool) -> String {
    let host = authority
        .map(str::to_owned)
        .or_else(|| headers.get(http::header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned))
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)));
    match host {
        Some(host) => format!("{}://{host}", if secure { "https" } else { "http" }),
        None => service.endpoint.clone(),
    }
}

async fn collect_body(body: Incoming, limit: usize) -> Result<Vec<u8>, GraphError> {
    let collected = tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, limit).collect()).await;
    match collected {
        Err(_) => Err(GraphError::new(
            StatusCode::REQUEST_TIMEOUT,
            "RequestTimeout",
            "The request body took too long to arrive.",
        )),
        Ok(Ok(collected)) => Ok(collected.to_bytes().to_vec()),
        Ok(Err(error)) if error.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(GraphError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("The request body is larger than the maximum of {limit} bytes."),
        )),
        Ok(Err(_)) => Err(GraphError::gateway_bad_request("The request body could not be read.")),
    }
}

#[allow(clippy::too_many_arguments)]
async fn route(
    service: &Arc<Service>,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: HeaderMap,
    body: Vec<u8>,
    base: &str,
    ids: &RequestIds,
    secure: bool,
) -> Option<HttpResponse> {
    if path == "/metadata/identity/oauth2/token" && method == Method::GET {
        record_token_request(service, "GET /metadata/identity/oauth2/token");
        return Some(auth_response(service, service.authority.managed_identity(false, &headers, query)));
    }
    if !secure {
        if path == "/_emulator/msi/token" && method == Method::GET {
            record_token_request(service, "GET /_emulator/msi/token");
            return Some(auth_response(service, service.authority.managed_identity(true, &headers, query)));
        }
        return Some(plain_json(
            StatusCode::NOT_FOUND,
            &serde_json::json!({"error": "not_found", "error_description": "The plain-HTTP listener serves only managed-identity endpoints."}),
        ));
    }
    if let Some(admin_path) = path.strip_prefix("/_emulator") {
        return Some(crate::admin::handle(service, method, admin_path, query, &headers, &body));
    }
    if let Some(tenant) = token_path_tenant(path) {
        if method != Method::POST {
            return Some(plain_json(
                StatusCode::METHOD_NOT_ALLOWED,
                &serde_json::json!({"error": "invalid_request", "error_description": "The token endpoint only accepts POST."}),
            ));
        }
        return token_request(service, tenant, &headers, &body).await;
    }
    let Some((version, rest)) = ApiVersion::split(path) else {
        let segment = path.trim_start_matches('/').split('/').next().unwrap_or_default();
        let error = GraphError::gateway_bad_request(format!("Invalid version: {segment}"));
        return Some(graph_http_response(error_response(&error, ids), ids, None, None));
    };
    let request = GraphRequest {
        method: method.clone(),
        version,
        path: rest.to_owned(),
        query: query.map(str::to_owned),
        headers,
        body,
        base: base.to_owned(),
        tenant: String::new(),
    };
    graph_request(service, request, ids).await
}

fn record_token_request(service: &Service, route: &str) {
    let mut stats = lock(&service.stats);
    stats.token_requests += 1;
    stats.record_route(route.to_owned());
}

/// The `{tenant}` of `/{tenant}/oauth2/v2.0/token`.
fn token_path_tenant(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    let (tenant, tail) = rest.split_once('/')?;
    (tail.eq_ignore_ascii_case("oauth2/v2.0/token") && !tenant.is_empty()).then_some(tenant)
}

async fn token_request(service: &Arc<Service>, tenant: &str, headers: &HeaderMap, body: &[u8]) -> Option<HttpResponse> {
    record_token_request(service, "POST /{tenant}/oauth2/v2.0/token");
    if lock(&service.faults).faults.apply_to_token_endpoint {
        if let Some(latency) = graph::latency(service) {
            tokio::time::sleep(latency).await;
        }
        let facts =
            RequestFacts { method: "POST", route: "/{tenant}/oauth2/v2.0/token", is_write: false, resource_units: 1 };
        let injected = lock(&service.faults).before_handling(facts);
        if let Some(injected) = injected {
            let (status, retry_after) = match injected {
                Injected::Throttled { retry_after, .. } => (StatusCode::TOO_MANY_REQUESTS, retry_after),
                Injected::ServiceUnavailable { retry_after } => (StatusCode::SERVICE_UNAVAILABLE, retry_after),
                Injected::GatewayTimeout { retry_after } => (StatusCode::GATEWAY_TIMEOUT, retry_after),
                Injected::WriteLocked { retry_after, .. } => (StatusCode::SERVICE_UNAVAILABLE, retry_after),
            };
            let mut stats = lock(&service.stats);
            if status == StatusCode::TOO_MANY_REQUESTS {
                stats.throttled += 1;
            }
            stats.retry_after_seconds = stats.retry_after_seconds.saturating_add(retry_after.unwrap_or(0));
            drop(stats);
            let mut response = plain_json(
                status,
                &serde_json::json!({
                    "error": "temporarily_unavailable",
                    "error_description": "AADSTS90033: A transient error has occurred. Please try again.",
                    "error_codes": [90033],
                }),
            );
            if let Some(seconds) = retry_after {
                response.headers_mut().insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            return Some(response);
        }
        let is_reset = {
            let mut faults = lock(&service.faults);
            let facts = RequestFacts { is_write: true, ..facts };
            faults.reset_before_write(facts)
        };
        if is_reset {
            lock(&service.stats).connection_resets += 1;
            return None;
        }
    }
    let content_type = headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    Some(auth_response(service, service.authority.token_endpoint(tenant, content_type, body)))
}

/// A token endpoint or managed-identity answer.
fn auth_response(service: &Service, response: AuthResponse) -> HttpResponse {
    let mut stats = lock(&service.stats);
    if response.issued {
        stats.tokens_issued += 1;
    }
    drop(stats);
    let mut http = plain_json(response.status, &response.body);
    http.headers_mut().insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-store, no-cache"));
    http
}

async fn graph_request(service: &Arc<Service>, mut request: GraphRequest, ids: &RequestIds) -> Option<HttpResponse> {
    if let Some(latency) = graph::latency(service) {
        tokio::time::sleep(latency).await;
    }
    let authorization = request.headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let caller = service.authority.authenticate(authorization);
    // A token reaches only the data of the tenant it was issued in.
    if let Ok(caller) = &caller {
        request.tenant.clone_from(&caller.tenant_id);
    }
    let template = odata::parse_path(&request.path).map(|r| r.template()).unwrap_or("(unmatched)");
    let facts = RequestFacts { method: request.method.as_str(), route: template, is_write: false, resource_units: 1 };
    let outcome = service.execute(&request, &caller, true, ids);
    let Outcome::Respond(mut response) = outcome else { return None };
    if let Some(kind) = lock(&service.faults).malformed(facts) {
        response = crate::malformed::corrupt(response, kind);
    }
    let units = graph::resource_units(&request.method, request.query.as_deref());
    let usage = lock(&service.faults).bucket_usage();
    Some(graph_http_response(response, ids, Some(units), usage))
}

/// Builds the HTTP response of a Graph answer with the headers Graph sends (graph-api.md §8.1).
pub(crate) fn graph_http_response(
    response: GraphResponse,
    ids: &RequestIds,
    resource_units: Option<u32>,
    bucket_usage: Option<f64>,
) -> HttpResponse {
    let (content_type, bytes) = match response.body {
        Body::Empty => (None, Vec::new()),
        Body::Json(json) => (Some(JSON_CONTENT_TYPE.to_owned()), json.to_bytes()),
        Body::Raw { content_type, bytes } => (Some(content_type), bytes),
    };
    let mut builder = Response::builder().status(response.status);
    if let Some(content_type) = content_type {
        builder = builder.header(http::header::CONTENT_TYPE, content_type);
    }
    builder = builder
        .header("request-id", &ids.request_id)
        .header("client-request-id", &ids.client_request_id)
        .header("OData-Version", "4.0")
        .header(http::header::CACHE_CONTROL, "no-cache")
        .header(http::header::STRICT_TRANSPORT_SECURITY, "max-age=31536000")
        .header(
            "x-ms-ags-diagnostic",
            r#"{"ServerInfo":{"DataCenter":"Emulator","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"LOCAL"}}"#,
        );
    if let Some(units) = resource_units {
        builder = builder.header("x-ms-resource-unit", units.to_string());
    }
    if let Some(usage) = bucket_usage.filter(|u| *u >= 0.8) {
        builder = builder.header("x-ms-throttle-limit-percentage", format!("{usage:.2}"));
    }
    for (name, value) in &response.headers {
        if let (Ok(name), Ok(value)) = (http::HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            builder = builder.header(name, value);
        }
    }
    builder.body(Full::new(Bytes::from(bytes))).unwrap_or_else(|_| {
        let mut fallback = Response::new(Full::new(Bytes::new()));
        *fallback.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

/// A JSON response without Graph headers (token endpoint, managed identity, admin surface).
pub(crate) fn plain_json(status: StatusCode, body: &serde_json::Value) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    response
}

/// An empty response.
pub(crate) fn empty(status: StatusCode) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}
