//! The emulated Microsoft Entra side: the OAuth2 token endpoint (client secret, certificate assertion, federated
//! assertion), an OIDC issuer for CI flows (GitHub- and Azure DevOps-style), managed-identity endpoints, and the
//! bearer-token check in front of Graph.
//!
//! The token endpoint speaks what azure_identity 1.x sends: `POST /{tenant}/oauth2/v2.0/token` with a form body of
//! `client_id`, `grant_type=client_credentials`, `scope` and either `client_secret` or `client_assertion` +
//! `client_assertion_type`. azure_identity makes no discovery or metadata requests for these flows. Errors follow
//! Entra's shape: `{"error","error_description":"AADSTSnnnn: ...","error_codes":[n],"timestamp","trace_id",
//! "correlation_id","error_uri"}`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::StatusCode;
use serde_json::{Value, json};

use crate::config::{
    ALL_ROLES, AppRegistration, EmulatorConfig, FederatedCredential, ManagedIdentity,
    ROLE_CROSS_TENANT_INFORMATION_READ_BASIC_ALL, ROLE_POLICY_READ_ALL, ROLE_POLICY_READ_WRITE_CROSS_TENANT_ACCESS,
    TOKEN_EXCHANGE_AUDIENCE, TrustedIssuer,
};
use crate::error::GraphError;
use crate::jwt::{Jwt, Signer};
use crate::tls::certificates_from_pem;

/// The assertion type of RFC 7523 client assertions.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Graph's application id, accepted as a resource name.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Graph hosts of the national clouds.
const GRAPH_HOSTS: [&str; 5] = [
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
    "https://canary.graph.microsoft.com",
];

/// Who is calling Graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    pub(crate) client_id: String,
    pub(crate) roles: Vec<String>,
    /// Application-only (client credentials or managed identity), as opposed to delegated.
    pub(crate) app_only: bool,
    /// The tenant the token was issued in (lowercase); the caller reaches only this tenant's data.
    pub(crate) tenant_id: String,
}

impl Caller {
    /// Whether the caller may perform a read (`write == false`) or write on cross-tenant access policy, or use the
    /// tenant lookup functions (`lookup == true`), per graph-api.md §1.1.
    pub(crate) fn permitted(&self, write: bool, lookup: bool) -> bool {
        let has = |role: &str| self.roles.iter().any(|r| r == role);
        if lookup {
            has(ROLE_CROSS_TENANT_INFORMATION_READ_BASIC_ALL)
        } else if write {
            has(ROLE_POLICY_READ_WRITE_CROSS_TENANT_ACCESS)
        } else {
            has(ROLE_POLICY_READ_ALL) || has(ROLE_POLICY_READ_WRITE_CROSS_TENANT_ACCESS)
        }
    }

    /// Whether the caller holds one of `roles`.
    pub(crate) fn has_any(&self, roles: &[&str]) -> bool {
        self.roles.iter().any(|r| roles.contains(&r.as_str()))
    }
}

#[derive(Clone, Debug)]
struct IssuedToken {
    caller: Caller,
    audience: String,
    expires_at: SystemTime,
}

/// A token endpoint or managed-identity response: status and JSON body.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AuthResponse {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
    /// Whether a token was issued.
    pub(crate) issued: bool,
}

/// The identity provider: registered apps, the OIDC signing key and issued tokens.
#[derive(Debug)]
pub(crate) struct Authority {
    tenant_id: String,
    /// The applications of the other emulated tenants, keyed by lowercase tenant id.
    other_tenants: Vec<(String, AppRegistration)>,
    endpoint: String,
    port: u16,
    apps: Mutex<Vec<AppRegistration>>,
    trusted_issuers: Vec<TrustedIssuer>,
    managed_identity: ManagedIdentity,
    github_request_token: String,
    ado_system_access_token: String,
    token_lifetime: Mutex<Duration>,
    tokens: Mutex<HashMap<String, IssuedToken>>,
    signer: Arc<Signer>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks cannot leave the data half-updated in a way that matters for a test
    // double, so a poisoned lock is simply taken over.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn now_unix() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// A time no token outlives (used when a configured lifetime would overflow the clock).
fn far_future() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(253_402_300_799)
}

fn random_token(prefix: &str) -> String {
    format!("{prefix}{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// A shared OIDC signing key: RSA generation is slow, and every emulator in a process may use the same issuer key.
fn shared_signer() -> anyhow::Result<Arc<Signer>> {
    static SIGNER: std::sync::OnceLock<Arc<Signer>> = std::sync::OnceLock::new();
    if let Some(signer) = SIGNER.get() {
        return Ok(Arc::clone(signer));
    }
    let signer = Arc::new(Signer::generate("entra-graph-emulator-oidc")?);
    Ok(Arc::clone(SIGNER.get_or_init(|| signer)))
}

/// Entra's error body.
fn entra_error(status: StatusCode, error: &str, code: u32, description: &str) -> AuthResponse {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let timestamp =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    AuthResponse {
        status,
        body: json!({
            "error": error,
            "error_description": format!(
                "AADSTS{code}: {description} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}"
            ),
            "error_codes": [code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
        }),
        issued: false,
    }
}

impl Authority {
    pub(crate) fn new(config: &EmulatorConfig, endpoint: &str, port: u16) -> anyhow::Result<Authority> {
        let main_app = AppRegistration {
            client_id: config.client_id.clone(),
            client_secrets: vec![config.client_secret.clone()],
            certificates: config.client_certificates.clone(),
            federated_credentials: config.federated_credentials.clone(),
            roles: ALL_ROLES.iter().map(|r| (*r).to_owned()).collect(),
        };
        let mut apps = vec![main_app];
        apps.extend(config.extra_apps.iter().cloned());
        for app in &apps {
            for pem in &app.certificates {
                certificates_from_pem(pem)
                    .map_err(|e| anyhow::anyhow!("certificate of application {}: {e}", app.client_id))?;
            }
        }
        let other_tenants = config
            .other_tenants
            .iter()
            .map(|tenant| {
                let app = AppRegistration {
                    client_id: tenant.client_id.clone(),
                    client_secrets: vec![tenant.client_secret.clone()],
                    roles: ALL_ROLES.iter().map(|r| (*r).to_owned()).collect(),
                    ..AppRegistration::default()
                };
                (tenant.tenant_id.to_ascii_lowercase(), app)
            })
            .collect();
        Ok(Authority {
            tenant_id: config.tenant_id.to_ascii_lowercase(),
            other_tenants,
            endpoint: endpoint.to_owned(),
            port,
            apps: Mutex::new(apps),
            trusted_issuers: config.trusted_issuers.clone(),
            managed_identity: config.managed_identity.clone(),
            github_request_token: config.github_request_token.clone(),
            ado_system_access_token: config.ado_system_access_token.clone(),
            token_lifetime: Mutex::new(config.token_lifetime),
            tokens: Mutex::new(HashMap::new()),
            signer: shared_signer()?,
        })
    }

    /// The emulator's own OIDC issuer URL.
    pub(crate) fn issuer(&self) -> String {
        format!("{}/_emulator/oidc", self.endpoint)
    }

    /// Registers another application at run time.
    pub(crate) fn add_app(&self, app: AppRegistration) -> anyhow::Result<()> {
        for pem in &app.certificates {
            certificates_from_pem(pem)?;
        }
        let mut apps = lock(&self.apps);
        apps.retain(|a| !a.client_id.eq_ignore_ascii_case(&app.client_id));
        apps.push(app);
        Ok(())
    }

    /// Registers a certificate on an existing application.
    pub(crate) fn add_certificate(&self, client_id: &str, pem: &str) -> anyhow::Result<()> {
        certificates_from_pem(pem)?;
        let mut apps = lock(&self.apps);
        let app = apps
            .iter_mut()
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
            .ok_or_else(|| anyhow::anyhow!("no application with client id {client_id}"))?;
        app.certificates.push(pem.to_owned());
        Ok(())
    }

    /// Changes the lifetime of tokens issued from now on.
    pub(crate) fn set_token_lifetime(&self, lifetime: Duration) {
        *lock(&self.token_lifetime) = lifetime;
    }

    /// Forgets every issued token (they become invalid).
    pub(crate) fn revoke_all(&self) {
        lock(&self.tokens).clear();
    }

    fn issue(&self, caller: Caller, audience: &str) -> (String, u64) {
        let lifetime = *lock(&self.token_lifetime);
        let token = random_token("emu.");
        let now = SystemTime::now();
        let mut tokens = lock(&self.tokens);
        // Drop tokens that expired more than an hour ago so a long run does not grow without bound.
        tokens.retain(|_, t| t.expires_at.checked_add(Duration::from_secs(3600)).is_none_or(|limit| limit > now));
        tokens.insert(
            token.clone(),
            IssuedToken {
                caller,
                audience: audience.to_owned(),
                expires_at: now.checked_add(lifetime).unwrap_or(far_future()),
            },
        );
        (token, lifetime.as_secs())
    }

    /// Whether a resource (scope without `/.default`, or MSI `resource`) names Microsoft Graph (any cloud, or this
    /// emulator itself).
    fn is_graph_resource(&self, resource: &str) -> bool {
        let resource = resource.trim_end_matches('/');
        if resource.eq_ignore_ascii_case(GRAPH_APP_ID) || GRAPH_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(resource)) {
            return true;
        }
        let Ok(url) = url::Url::parse(resource) else { return false };
        url.scheme() == "https"
            && matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
            && url.port() == Some(self.port)
            && (url.path() == "/" || url.path().is_empty())
    }

    fn tenant_matches(&self, tenant: &str) -> bool {
        tenant.eq_ignore_ascii_case(&self.tenant_id)
    }

    /// `POST /{tenant}/oauth2/v2.0/token`.
    pub(crate) fn token_endpoint(&self, tenant: &str, content_type: Option<&str>, body: &[u8]) -> AuthResponse {
        let tenant_id = tenant.to_ascii_lowercase();
        // Each tenant knows only its own applications: the first tenant's (which can change at run time), or the
        // one application of another emulated tenant.
        let apps: Vec<AppRegistration> = if self.tenant_matches(tenant) {
            lock(&self.apps).clone()
        } else {
            self.other_tenants.iter().filter(|(id, _)| *id == tenant_id).map(|(_, app)| app.clone()).collect()
        };
        if apps.is_empty() {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                90002,
                &format!(
                    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing \
                     into the correct cloud."
                ),
            );
        }
        let is_form = content_type.is_some_and(|c| {
            c.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
        let form: HashMap<String, String> =
            if is_form { url::form_urlencoded::parse(body).into_owned().collect() } else { HashMap::new() };
        let missing = |name: &str| {
            entra_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                900144,
                &format!("The request body must contain the following parameter: '{name}'."),
            )
        };
        let Some(grant_type) = form.get("grant_type") else { return missing("grant_type") };
        if grant_type != "client_credentials" {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                &format!("The app requested an unsupported grant type '{grant_type}'."),
            );
        }
        let Some(client_id) = form.get("client_id") else { return missing("client_id") };
        let Some(scope) = form.get("scope") else { return missing("scope") };
        let scopes: Vec<&str> = scope.split_whitespace().collect();
        let [scope] = scopes.as_slice() else {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                70011,
                "The provided value for the input parameter 'scope' is not valid. Client credential flows must have \
                 exactly one scope.",
            );
        };
        let Some(resource) = scope.strip_suffix("/.default") else {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                1002012,
                &format!(
                    "The provided value for scope {scope} is not valid. Client credential flows must have a scope \
                     value with /.default suffixed to the resource identifier (application ID URI)."
                ),
            );
        };
        let Some(app) = apps.iter().find(|a| a.client_id.eq_ignore_ascii_case(client_id)).cloned() else {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                700016,
                &format!(
                    "Application with identifier '{client_id}' was not found in the directory '{tenant_id}'. This \
                     can happen if the application has not been installed by the administrator of the tenant."
                ),
            );
        };
        let authenticated = match (form.get("client_secret"), form.get("client_assertion")) {
            (Some(secret), None) => {
                if app.client_secrets.iter().any(|s| s == secret) {
                    Ok(())
                } else {
                    Err(entra_error(
                        StatusCode::UNAUTHORIZED,
                        "invalid_client",
                        7000215,
                        &format!(
                            "Invalid client secret provided. Ensure the secret being sent in the request is the client \
                             secret value, not the client secret ID, for a secret added to app '{}'.",
                            app.client_id
                        ),
                    ))
                }
            }
            (None, Some(assertion)) => {
                if form.get("client_assertion_type").map(String::as_str) != Some(JWT_BEARER) {
                    Err(entra_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        50027,
                        &format!("client_assertion_type must be '{JWT_BEARER}'."),
                    ))
                } else {
                    self.check_assertion(&app, tenant, assertion)
                }
            }
            (Some(_), Some(_)) => Err(entra_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                700025,
                "Only one client credential may be presented: a client_secret or a client_assertion.",
            )),
            (None, None) => Err(entra_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            )),
        };
        if let Err(response) = authenticated {
            return response;
        }
        let caller = Caller { client_id: app.client_id.clone(), roles: app.roles.clone(), app_only: true, tenant_id };
        let (token, expires_in) = self.issue(caller, resource);
        AuthResponse {
            status: StatusCode::OK,
            body: json!({
                "token_type": "Bearer",
                "expires_in": expires_in,
                "ext_expires_in": expires_in,
                "access_token": token,
            }),
            issued: true,
        }
    }

    /// Verifies a client assertion: a certificate-signed JWT (`x5t`/`x5t#S256` header) for the app, or a federated
    /// token from a trusted issuer matching one of the app's federated credentials.
    fn check_assertion(&self, app: &AppRegistration, tenant: &str, assertion: &str) -> Result<(), AuthResponse> {
        let invalid =
            |code: u32, description: &str| entra_error(StatusCode::UNAUTHORIZED, "invalid_client", code, description);
        let jwt = Jwt::decode(assertion).map_err(|e| {
            entra_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                50027,
                &format!("JWT token is invalid or malformed: {e}."),
            )
        })?;
        let now = now_unix();
        // Entra allows a few minutes of clock skew.
        let skew = 300;
        match jwt.claim_time("exp") {
            Some(exp) if exp.saturating_add(skew) >= now => {}
            _ => return Err(invalid(700024, "Client assertion is not within its valid time range.")),
        }
        if jwt.claim_time("nbf").is_some_and(|nbf| nbf.saturating_sub(skew) > now) {
            return Err(invalid(700024, "Client assertion is not within its valid time range."));
        }
        let thumbprint_sha1 = jwt.header.get("x5t").and_then(Value::as_str);
        let thumbprint_sha256 = jwt.header.get("x5t#S256").and_then(Value::as_str);
        if thumbprint_sha1.is_some() || thumbprint_sha256.is_some() {
            return self.check_certificate_assertion(app, tenant, &jwt, thumbprint_sha1, thumbprint_sha256);
        }
        self.check_federated_assertion(app, &jwt)
    }

    fn check_certificate_assertion(
        &self,
        app: &AppRegistration,
        tenant: &str,
        jwt: &Jwt,
        thumbprint_sha1: Option<&str>,
        thumbprint_sha256: Option<&str>,
    ) -> Result<(), AuthResponse> {
        let invalid =
            |code: u32, description: &str| entra_error(StatusCode::UNAUTHORIZED, "invalid_client", code, description);
        let certificate =
            app.certificates.iter().filter_map(|pem| certificates_from_pem(pem).ok()).flatten().find(|der| {
                thumbprint_sha1 == Some(thumbprint(der, false).as_str())
                    || thumbprint_sha256 == Some(thumbprint(der, true).as_str())
            });
        let Some(certificate) = certificate else {
            return Err(invalid(
                700027,
                &format!(
                    "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of \
                     key used by client: '{}']",
                    thumbprint_sha1.or(thumbprint_sha256).unwrap_or_default()
                ),
            ));
        };
        if !jwt.verify_with_certificate(&certificate) {
            return Err(invalid(700027, "Client assertion failed signature validation."));
        }
        let client_id = &app.client_id;
        if !jwt.claim_str("iss").is_some_and(|v| v.eq_ignore_ascii_case(client_id))
            || !jwt.claim_str("sub").is_some_and(|v| v.eq_ignore_ascii_case(client_id))
        {
            return Err(invalid(
                700021,
                "Client assertion application identifier doesn't match 'client_id' parameter. 'iss' and 'sub' must be \
                 the client id.",
            ));
        }
        if !jwt.has_audience(|aud| self.is_token_endpoint(aud, tenant)) {
            return Err(invalid(
                700212,
                &format!(
                    "The audience of the client assertion is not valid. It must be the token endpoint, for example \
                     '{}/{}/oauth2/v2.0/token'.",
                    self.endpoint, self.tenant_id
                ),
            ));
        }
        Ok(())
    }

    /// Whether `aud` is this emulator's token endpoint for the tenant (either loopback host spelling).
    fn is_token_endpoint(&self, aud: &str, tenant: &str) -> bool {
        let Ok(url) = url::Url::parse(aud) else { return false };
        let path = url.path().trim_end_matches('/');
        let tenant_ok = |t: &str| self.tenant_matches(t) || t.eq_ignore_ascii_case(tenant);
        let path_ok = match path.strip_suffix("/oauth2/v2.0/token") {
            Some(t) => tenant_ok(t.trim_start_matches('/')),
            None => false,
        };
        url.scheme() == "https"
            && matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
            && url.port() == Some(self.port)
            && path_ok
    }

    fn check_federated_assertion(&self, app: &AppRegistration, jwt: &Jwt) -> Result<(), AuthResponse> {
        let invalid =
            |code: u32, description: &str| entra_error(StatusCode::UNAUTHORIZED, "invalid_client", code, description);
        let issuer = jwt.claim_str("iss").unwrap_or_default().to_owned();
        let own_issuer = self.issuer();
        let candidates: Vec<&FederatedCredential> =
            app.federated_credentials.iter().filter(|c| c.issuer.as_deref().unwrap_or(&own_issuer) == issuer).collect();
        if candidates.is_empty() {
            return Err(invalid(
                700211,
                &format!("No matching federated identity record found for presented assertion issuer '{issuer}'."),
            ));
        }
        let verified = if issuer == own_issuer {
            jwt.verify_with_jwk(&self.signer.jwk())
        } else {
            self.trusted_issuers
                .iter()
                .filter(|t| t.issuer == issuer)
                .filter_map(|t| t.jwks.get("keys").and_then(Value::as_array))
                .flatten()
                .filter(|key| {
                    match (jwt.header.get("kid").and_then(Value::as_str), key.get("kid").and_then(Value::as_str)) {
                        (Some(wanted), Some(kid)) => wanted == kid,
                        _ => true,
                    }
                })
                .any(|key| jwt.verify_with_jwk(key))
        };
        if !verified {
            return Err(invalid(
                700027,
                &format!("Client assertion failed signature validation. No key of issuer '{issuer}' verifies it."),
            ));
        }
        let subject = jwt.claim_str("sub").unwrap_or_default();
        let candidates: Vec<&&FederatedCredential> =
            candidates.iter().filter(|c| c.subject.as_deref().is_none_or(|s| s == subject)).collect();
        if candidates.is_empty() {
            return Err(invalid(
                700213,
                &format!("No matching federated identity record found for presented assertion subject '{subject}'."),
            ));
        }
        if !candidates.iter().any(|c| jwt.has_audience(|aud| aud == c.audience)) {
            let audience = jwt.claims.get("aud").map(Value::to_string).unwrap_or_default();
            return Err(invalid(
                700212,
                &format!("No matching federated identity record found for presented assertion audience {audience}."),
            ));
        }
        Ok(())
    }

    /// Mints a federated token from the emulator's own issuer.
    pub(crate) fn mint(&self, subject: &str, audience: &str, lifetime: Duration) -> String {
        let now = now_unix();
        self.signer.sign(
            &json!({
                "iss": self.issuer(),
                "sub": subject,
                "aud": audience,
                "iat": now,
                "nbf": now,
                "exp": now.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX)),
                "jti": uuid::Uuid::new_v4().to_string(),
            }),
            &[],
        )
    }

    /// `GET /_emulator/oidc/github?audience=...` with the request token, like GitHub Actions'
    /// `ACTIONS_ID_TOKEN_REQUEST_URL`.
    pub(crate) fn github_oidc(&self, authorization: Option<&str>, query: Option<&str>) -> AuthResponse {
        if bearer(authorization) != Some(self.github_request_token.as_str()) {
            return AuthResponse {
                status: StatusCode::UNAUTHORIZED,
                body: json!({"message": "Bad credentials"}),
                issued: false,
            };
        }
        let audience = query_param(query, "audience").unwrap_or_else(|| TOKEN_EXCHANGE_AUDIENCE.to_owned());
        let token = self.mint(
            "repo:entra-tools/terraform-provider-entra:ref:refs/heads/main",
            &audience,
            Duration::from_secs(600),
        );
        AuthResponse { status: StatusCode::OK, body: json!({"count": 1, "value": token}), issued: false }
    }

    /// `POST /_emulator/oidc/ado?api-version=7.1&serviceConnectionId=...` with the system access token, like Azure
    /// Pipelines' `SYSTEM_OIDCREQUESTURI`.
    pub(crate) fn ado_oidc(&self, authorization: Option<&str>, query: Option<&str>) -> AuthResponse {
        if bearer(authorization) != Some(self.ado_system_access_token.as_str()) {
            return AuthResponse {
                status: StatusCode::UNAUTHORIZED,
                body: json!({"message": "TF400813: The user is not authorized to access this resource."}),
                issued: false,
            };
        }
        let Some(connection) = query_param(query, "serviceConnectionId").filter(|c| !c.is_empty()) else {
            return AuthResponse {
                status: StatusCode::BAD_REQUEST,
                body: json!({"message": "The serviceConnectionId query parameter is required."}),
                issued: false,
            };
        };
        let token = self.mint(
            &format!("sc://emulator/terraform/{connection}"),
            TOKEN_EXCHANGE_AUDIENCE,
            Duration::from_secs(600),
        );
        AuthResponse { status: StatusCode::OK, body: json!({"oidcToken": token}), issued: false }
    }

    /// The issuer's OpenID configuration.
    pub(crate) fn openid_configuration(&self) -> Value {
        json!({
            "issuer": self.issuer(),
            "jwks_uri": format!("{}/.well-known/jwks.json", self.issuer()),
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "aud", "exp", "iat", "iss", "jti", "nbf"],
        })
    }

    /// The issuer's JWKS.
    pub(crate) fn jwks(&self) -> Value {
        json!({"keys": [self.signer.jwk()]})
    }

    /// Managed identity, App Service style (`IDENTITY_ENDPOINT` + `X-IDENTITY-HEADER`, api-version 2019-08-01) when
    /// `app_service` is true, else IMDS style (`Metadata: true`).
    pub(crate) fn managed_identity(
        &self,
        app_service: bool,
        headers: &http::HeaderMap,
        query: Option<&str>,
    ) -> AuthResponse {
        let error = |status: StatusCode, error: &str, description: &str| AuthResponse {
            status,
            body: json!({"error": error, "error_description": description}),
            issued: false,
        };
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if app_service {
            if header("x-identity-header") != Some(self.managed_identity.identity_header.as_str()) {
                return error(StatusCode::UNAUTHORIZED, "unauthorized", "The X-IDENTITY-HEADER is missing or wrong.");
            }
        } else if !header("metadata").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return error(StatusCode::BAD_REQUEST, "invalid_request", "Required metadata header not specified");
        }
        if query_param(query, "api-version").is_none() {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Required query variable 'api-version' is missing",
            );
        }
        let Some(resource) = query_param(query, "resource") else {
            return error(StatusCode::BAD_REQUEST, "invalid_request", "Required query variable 'resource' is missing");
        };
        for id_parameter in ["client_id", "object_id", "msi_res_id", "mi_res_id", "principal_id"] {
            if let Some(id) = query_param(query, id_parameter) {
                let known = id_parameter == "client_id" && id.eq_ignore_ascii_case(&self.managed_identity.client_id);
                if !known {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "Identity not found: the requested identity has not been assigned to this resource.",
                    );
                }
            }
        }
        let caller = Caller {
            client_id: self.managed_identity.client_id.clone(),
            roles: self.managed_identity.roles.clone(),
            app_only: true,
            tenant_id: self.tenant_id.clone(),
        };
        let (token, expires_in) = self.issue(caller, resource.trim_end_matches("/.default"));
        let now = now_unix();
        AuthResponse {
            status: StatusCode::OK,
            body: json!({
                "access_token": token,
                "client_id": self.managed_identity.client_id,
                "expires_in": expires_in.to_string(),
                "expires_on": now.saturating_add(i64::try_from(expires_in).unwrap_or(i64::MAX)).to_string(),
                "ext_expires_in": expires_in.to_string(),
                "not_before": now.to_string(),
                "resource": resource,
                "token_type": "Bearer",
            }),
            issued: true,
        }
    }

    /// Checks the `Authorization` header of a Graph request.
    pub(crate) fn authenticate(&self, authorization: Option<&str>) -> Result<Caller, GraphError> {
        let Some(value) = authorization.map(str::trim).filter(|v| !v.is_empty()) else {
            return Err(GraphError::unauthenticated("Access token is empty."));
        };
        let Some(token) = bearer(Some(value)) else {
            return Err(GraphError::unauthenticated("Access token is empty."));
        };
        let issued = lock(&self.tokens).get(token).cloned();
        let Some(issued) = issued else {
            return Err(GraphError::unauthenticated("CompactToken parsing failed with error code: 80049217"));
        };
        if SystemTime::now() >= issued.expires_at {
            return Err(GraphError::unauthenticated("Lifetime validation failed, the token is expired."));
        }
        if !self.is_graph_resource(&issued.audience) {
            return Err(GraphError::unauthenticated("Access token validation failure. Invalid audience."));
        }
        Ok(issued.caller)
    }
}

/// The token of a `Bearer` authorization value.
fn bearer(authorization: Option<&str>) -> Option<&str> {
    let value = authorization?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The base64url SHA-1 (`x5t`) or SHA-256 (`x5t#S256`) thumbprint of a DER certificate.
pub(crate) fn thumbprint(der: &[u8], sha256: bool) -> String {
    let algorithm = if sha256 { &aws_lc_rs::digest::SHA256 } else { &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY };
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(algorithm, der).as_ref())
}

/// A self-signed RSA client certificate and its key, for registering on an application and signing client
/// assertions in tests.
#[derive(Clone, Debug)]
pub struct ClientCertificate {
    /// The certificate, PEM.
    pub certificate_pem: String,
    /// The certificate, DER.
    pub certificate_der: Vec<u8>,
    /// The private key, PKCS#8 PEM.
    pub private_key_pem: String,
    /// The private key, PKCS#8 DER.
    pub private_key_der: Vec<u8>,
}

impl ClientCertificate {
    /// Generates a 2048-bit RSA certificate with the given common name.
    pub fn generate(common_name: &str) -> anyhow::Result<ClientCertificate> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(rcgen::DnType::CommonName, common_name);
        let certificate = params.self_signed(&key)?;
        Ok(ClientCertificate {
            certificate_pem: certificate.pem(),
            certificate_der: certificate.der().to_vec(),
            private_key_pem: key.serialize_pem(),
            private_key_der: key.serialize_der(),
        })
    }

    /// The `x5t` thumbprint (base64url SHA-1).
    pub fn thumbprint_sha1(&self) -> String {
        thumbprint(&self.certificate_der, false)
    }

    /// The `x5t#S256` thumbprint (base64url SHA-256).
    pub fn thumbprint_sha256(&self) -> String {
        thumbprint(&self.certificate_der, true)
    }

    /// Signs a client assertion (RS256, `x5t#S256` header) for `client_id` with audience `token_endpoint`, valid for
    /// ten minutes.
    pub fn sign_assertion(&self, client_id: &str, token_endpoint: &str) -> anyhow::Result<String> {
        let signer = Signer::from_pkcs8(&self.private_key_der, &self.thumbprint_sha1())?;
        let now = now_unix();
        Ok(signer.sign(
            &json!({
                "aud": token_endpoint,
                "iss": client_id,
                "sub": client_id,
                "jti": uuid::Uuid::new_v4().to_string(),
                "nbf": now,
                "iat": now,
                "exp": now + 600,
            }),
            &[("x5t#S256", json!(self.thumbprint_sha256()))],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authority(config: &EmulatorConfig) -> Authority {
        Authority::new(config, "https://127.0.0.1:4443", 4443).unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish().into_bytes()
    }

    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

    fn secret_request(config: &EmulatorConfig, secret: &str, scope: &str) -> Vec<u8> {
        form(&[
            ("client_id", &config.client_id),
            ("client_secret", secret),
            ("grant_type", "client_credentials"),
            ("scope", scope),
        ])
    }

    #[test]
    fn client_secret_flow_issues_a_graph_token() {
        let config = EmulatorConfig::default();
        let authority = authority(&config);
        let body = secret_request(&config, &config.client_secret, "https://graph.microsoft.com/.default");
        let response = authority.token_endpoint(&config.tenant_id, FORM, &body);
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.body["token_type"], "Bearer");
        assert_eq!(response.body["expires_in"], 3599);
        let token = response.body["access_token"].as_str().unwrap();
        let caller = authority.authenticate(Some(&format!("Bearer {token}"))).unwrap();
        assert_eq!(caller.client_id, config.client_id);
        assert!(caller.permitted(true, false));
    }

    #[test]
    fn token_endpoint_errors_look_like_entra() {
        let config = EmulatorConfig::default();
        let authority = authority(&config);
        let scope = "https://graph.microsoft.com/.default";
        let bad_secret = authority.token_endpoint(&config.tenant_id, FORM, &secret_request(&config, "nope", scope));
        assert_eq!(bad_secret.status, StatusCode::UNAUTHORIZED);
        assert_eq!(bad_secret.body["error"], "invalid_client");
        assert_eq!(bad_secret.body["error_codes"][0], 7000215);
        assert!(
            bad_secret.body["error_description"].as_str().unwrap().starts_with("AADSTS7000215: Invalid client secret")
        );
        for key in ["timestamp", "trace_id", "correlation_id"] {
            assert!(bad_secret.body[key].is_string());
        }
        let wrong_tenant = authority.token_endpoint("other", FORM, &secret_request(&config, "x", scope));
        assert_eq!(wrong_tenant.body["error_codes"][0], 90002);
        let no_default = authority.token_endpoint(
            &config.tenant_id,
            FORM,
            &secret_request(&config, &config.client_secret, "User.Read"),
        );
        assert_eq!(no_default.body["error"], "invalid_scope");
        let no_grant = authority.token_endpoint(&config.tenant_id, FORM, &form(&[("client_id", "x")]));
        assert_eq!(no_grant.body["error_codes"][0], 900144);
        let not_form = authority.token_endpoint(&config.tenant_id, Some("application/json"), b"{}");
        assert_eq!(not_form.status, StatusCode::BAD_REQUEST);
        let unknown_app = form(&[
            ("client_id", "nobody"),
            ("client_secret", "x"),
            ("grant_type", "client_credentials"),
            ("scope", scope),
        ]);
        assert_eq!(authority.token_endpoint(&config.tenant_id, FORM, &unknown_app).body["error_codes"][0], 700016);
        let password = form(&[("client_id", "x"), ("grant_type", "password"), ("scope", scope)]);
        assert_eq!(
            authority.token_endpoint(&config.tenant_id, FORM, &password).body["error"],
            "unsupported_grant_type"
        );
    }

    #[test]
    fn graph_rejects_missing_unknown_expired_and_foreign_tokens() {
        let config = EmulatorConfig::default().with_token_lifetime(Duration::ZERO);
        let authority = authority(&config);
        assert_eq!(authority.authenticate(None).unwrap_err().code, "InvalidAuthenticationToken");
        assert_eq!(authority.authenticate(Some("Basic abc")).unwrap_err().message, "Access token is empty.");
        assert!(authority.authenticate(Some("Bearer nope")).unwrap_err().message.contains("80049217"));
        let body = secret_request(&config, &config.client_secret, "https://graph.microsoft.com/.default");
        let token =
            authority.token_endpoint(&config.tenant_id, FORM, &body).body["access_token"].as_str().unwrap().to_owned();
        assert!(authority.authenticate(Some(&format!("Bearer {token}"))).unwrap_err().message.contains("expired"));
        authority.set_token_lifetime(Duration::from_secs(60));
        let body = secret_request(&config, &config.client_secret, "https://management.azure.com/.default");
        let token =
            authority.token_endpoint(&config.tenant_id, FORM, &body).body["access_token"].as_str().unwrap().to_owned();
        assert!(
            authority.authenticate(Some(&format!("Bearer {token}"))).unwrap_err().message.contains("Invalid audience")
        );
        let body = secret_request(&config, &config.client_secret, "https://localhost:4443/.default");
        let token =
            authority.token_endpoint(&config.tenant_id, FORM, &body).body["access_token"].as_str().unwrap().to_owned();
        assert!(authority.authenticate(Some(&format!("bearer {token}"))).is_ok());
    }

    #[test]
    fn certificate_assertions_are_verified() {
        let certificate = ClientCertificate::generate("test app").unwrap();
        let config = EmulatorConfig::default().with_client_certificate(certificate.certificate_pem.clone());
        let authority = authority(&config);
        let endpoint = format!("https://127.0.0.1:4443/{}/oauth2/v2.0/token", config.tenant_id);
        let request = |assertion: &str| {
            form(&[
                ("client_id", config.client_id.as_str()),
                ("client_assertion", assertion),
                ("client_assertion_type", JWT_BEARER),
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
        };
        let good = certificate.sign_assertion(&config.client_id, &endpoint).unwrap();
        assert_eq!(authority.token_endpoint(&config.tenant_id, FORM, &request(&good)).status, StatusCode::OK);
        let wrong_audience = certificate
            .sign_assertion(&config.client_id, "https://login.microsoftonline.com/x/oauth2/v2.0/token")
            .unwrap();
        assert_eq!(
            authority.token_endpoint(&config.tenant_id, FORM, &request(&wrong_audience)).body["error_codes"][0],
            700212
        );
        let wrong_subject = certificate.sign_assertion("someone-else", &endpoint).unwrap();
        assert_eq!(
            authority.token_endpoint(&config.tenant_id, FORM, &request(&wrong_subject)).body["error_codes"][0],
            700021
        );
        let stranger = ClientCertificate::generate("stranger").unwrap();
        let unknown_key = stranger.sign_assertion(&config.client_id, &endpoint).unwrap();
        assert_eq!(
            authority.token_endpoint(&config.tenant_id, FORM, &request(&unknown_key)).body["error_codes"][0],
            700027
        );
        // A registered thumbprint with a signature from another key.
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        parts[2] = unknown_key.split('.').nth(2).unwrap().to_owned();
        assert_eq!(
            authority.token_endpoint(&config.tenant_id, FORM, &request(&parts.join("."))).body["error_codes"][0],
            700027
        );
        assert_eq!(
            authority.token_endpoint(&config.tenant_id, FORM, &request("garbage")).status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn federated_assertions_from_the_own_issuer() {
        let config = EmulatorConfig {
            federated_credentials: vec![FederatedCredential {
                subject: Some("good".to_owned()),
                ..FederatedCredential::emulator_issuer()
            }],
            ..EmulatorConfig::default()
        };
        let authority = authority(&config);
        let request = |assertion: &str| {
            form(&[
                ("client_id", config.client_id.as_str()),
                ("client_assertion", assertion),
                ("client_assertion_type", JWT_BEARER),
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
        };
        let ok = authority.mint("good", TOKEN_EXCHANGE_AUDIENCE, Duration::from_secs(60));
        assert_eq!(authority.token_endpoint(&config.tenant_id, FORM, &request(&ok)).status, StatusCode::OK);
        let bad_subject = authority.mint("bad", TOKEN_EXCHANGE_AUDIENCE, Duration::from_secs(60));
        assert_eq!(
            authority.token_endpoint(&config.tenant_id, FORM, &request(&bad_subject)).body["error_codes"][0],
            700213
        );
        let bad_audience = authority.mint("good", "api://other", Duration::from_secs(60));
        assert_eq!(
            authority.token_endpoint(&config.tenant_id, FORM, &request(&bad_audience)).body["error_codes"][0],
            700212
        );
        let foreign = Signer::generate("x").unwrap().sign(
            &json!({"iss": authority.issuer(), "sub": "good", "aud": TOKEN_EXCHANGE_AUDIENCE, "exp": now_unix() + 60}),
            &[],
        );
        assert_eq!(
            authority.token_endpoint(&config.tenant_id, FORM, &request(&foreign)).body["error_codes"][0],
            700027
        );
        let unknown_issuer = Signer::generate("x").unwrap().sign(
            &json!({"iss": "https://elsewhere", "sub": "good", "aud": TOKEN_EXCHANGE_AUDIENCE, "exp": now_unix() + 60}),
            &[],
        );
        assert_eq!(
            authority.token_endpoint(&config.tenant_id, FORM, &request(&unknown_issuer)).body["error_codes"][0],
            700211
        );
        let expired = authority.signer.sign(
            &json!({"iss": authority.issuer(), "sub": "good", "aud": TOKEN_EXCHANGE_AUDIENCE, "exp": now_unix() - 3600}),
            &[],
        );
        assert_eq!(
            authority.token_endpoint(&config.tenant_id, FORM, &request(&expired)).body["error_codes"][0],
            700024
        );
    }

    #[test]
    fn federated_assertions_from_a_trusted_issuer() {
        let external = Signer::generate("ext-1").unwrap();
        let mut config = EmulatorConfig {
            trusted_issuers: vec![TrustedIssuer {
                issuer: "https://token.actions.example".to_owned(),
                jwks: json!({"keys": [external.jwk()]}),
            }],
            ..EmulatorConfig::default()
        };
        config.federated_credentials.push(FederatedCredential {
            issuer: Some("https://token.actions.example".to_owned()),
            subject: None,
            audience: TOKEN_EXCHANGE_AUDIENCE.to_owned(),
        });
        let authority = authority(&config);
        let assertion = external.sign(
            &json!({"iss": "https://token.actions.example", "sub": "any", "aud": TOKEN_EXCHANGE_AUDIENCE, "exp": now_unix() + 60}),
            &[],
        );
        let body = form(&[
            ("client_id", config.client_id.as_str()),
            ("client_assertion", assertion.as_str()),
            ("client_assertion_type", JWT_BEARER),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ]);
        assert_eq!(authority.token_endpoint(&config.tenant_id, FORM, &body).status, StatusCode::OK);
    }

    #[test]
    fn oidc_request_endpoints_check_their_tokens() {
        let config = EmulatorConfig::default();
        let authority = authority(&config);
        let github = authority.github_oidc(
            Some("Bearer emulator-github-request-token"),
            Some("audience=api%3A%2F%2FAzureADTokenExchange"),
        );
        assert_eq!(github.status, StatusCode::OK);
        let jwt = Jwt::decode(github.body["value"].as_str().unwrap()).unwrap();
        assert_eq!(jwt.claim_str("aud"), Some(TOKEN_EXCHANGE_AUDIENCE));
        assert!(jwt.verify_with_jwk(&authority.jwks()["keys"][0]));
        assert_eq!(authority.github_oidc(Some("Bearer wrong"), None).status, StatusCode::UNAUTHORIZED);
        let ado = authority
            .ado_oidc(Some("Bearer emulator-ado-system-access-token"), Some("api-version=7.1&serviceConnectionId=abc"));
        let jwt = Jwt::decode(ado.body["oidcToken"].as_str().unwrap()).unwrap();
        assert_eq!(jwt.claim_str("sub"), Some("sc://emulator/terraform/abc"));
        assert_eq!(
            authority.ado_oidc(Some("Bearer emulator-ado-system-access-token"), None).status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(authority.ado_oidc(None, Some("serviceConnectionId=abc")).status, StatusCode::UNAUTHORIZED);
        assert_eq!(authority.openid_configuration()["issuer"], authority.issuer());
    }

    #[test]
    fn managed_identity_endpoints() {
        let config = EmulatorConfig::default();
        let authority = authority(&config);
        let mut headers = http::HeaderMap::new();
        let query = Some("api-version=2019-08-01&resource=https://graph.microsoft.com");
        assert_eq!(authority.managed_identity(true, &headers, query).status, StatusCode::UNAUTHORIZED);
        headers.insert("x-identity-header", "emulator-identity-header".parse().unwrap());
        let response = authority.managed_identity(true, &headers, query);
        assert_eq!(response.status, StatusCode::OK);
        assert!(response.body["expires_on"].as_str().unwrap().parse::<i64>().is_ok());
        let token = response.body["access_token"].as_str().unwrap();
        assert!(authority.authenticate(Some(&format!("Bearer {token}"))).is_ok());
        assert_eq!(authority.managed_identity(false, &headers, query).status, StatusCode::BAD_REQUEST);
        headers.insert("metadata", "true".parse().unwrap());
        assert_eq!(authority.managed_identity(false, &headers, query).status, StatusCode::OK);
        let other_identity = Some("api-version=2018-02-01&resource=https://graph.microsoft.com&client_id=nope");
        assert_eq!(authority.managed_identity(false, &headers, other_identity).status, StatusCode::BAD_REQUEST);
        assert_eq!(authority.managed_identity(false, &headers, Some("api-version=1")).status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn read_only_apps_cannot_write() {
        let caller = Caller {
            client_id: "r".to_owned(),
            roles: vec![ROLE_POLICY_READ_ALL.to_owned()],
            app_only: true,
            tenant_id: "t".to_owned(),
        };
        assert!(caller.permitted(false, false));
        assert!(!caller.permitted(true, false));
        assert!(!caller.permitted(false, true));
    }
}
