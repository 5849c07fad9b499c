//! A faithful local Microsoft Graph for Entra cross-tenant access settings, for tests and the quick start.
//!
//! The emulator serves, over HTTPS on loopback with a certificate from a throwaway CA:
//! - Graph endpoints E1–E22 of `graph-api.md` under `/v1.0` and `/beta` (plus the beta deleted-items endpoints and
//!   `$batch`), with strict, case-sensitive JSON, explicit nulls, the documented status codes, errors, validation
//!   rules, `$select` / `$expand` / `$filter` / `$top` and `@odata.nextLink` paging;
//! - an OAuth2 token endpoint `POST /{tenant}/oauth2/v2.0/token` for client secrets, certificate assertions and
//!   federated assertions, an OIDC issuer for GitHub- and Azure DevOps-style CI flows, and managed-identity
//!   endpoints (App Service and IMDS style);
//! - fault injection (latency, 429, 503, 504, dropped connections, read-after-write lag, reserved tenant ids, a write
//!   lock, malformed responses), deterministic for a seed;
//! - a control surface, in process ([`Emulator`]) and over HTTP under `/_emulator` (see the `admin` module docs);
//! - several tenants in one process ([`EmulatorConfig::other_tenants`], default two tenants), each with its own
//!   credentials and token endpoint, cross-tenant access policy, users and groups with fixed ids
//!   ([`default_users`], [`default_groups`], [`emulated_tenant`]), applications, service principals and
//!   synchronization jobs. A token reaches only the tenant it was issued in; [`Emulator::tenant`] is the control
//!   surface of another tenant. Inside the crate, the `tenant` module documents how a handler reaches "the store of
//!   tenant X" and reads or changes another tenant's policy (cross-tenant effects);
//! - the multi-tenant organization of those tenants (graph-sync-and-mto.md Part B): one shared organization with
//!   per-tenant views, asynchronous joins, role changes and removals after a configurable delay ([`MtoSettings`]),
//!   and a join's partner configurations with each tenant's templates applied (the `mto` module documents the model).
//!
//! ```no_run
//! use entra_graph_emulator::{Emulator, EmulatorConfig};
//!
//! let emulator = Emulator::start(EmulatorConfig::default().with_page_size(2))?;
//! println!("Graph at {}/v1.0, token at {}", emulator.endpoint(), emulator.token_endpoint());
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! The state is plain JSON shaped from the Graph docs; nothing is shared with the Graph client's models, so a wrong
//! field name on either side fails a test.

mod admin;
mod auth;
mod config;
mod directory;
mod error;
mod faults;
mod graph;
mod json;
mod jwt;
mod malformed;
mod mto;
mod objects;
mod odata;
mod provisioning;
mod rules;
mod schema;
mod server;
mod service;
mod stats;
mod store;
mod sync_schema;
mod tenant;
mod tls;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;

pub use auth::ClientCertificate;
pub use config::{
    ALL_ROLES, AppRegistration, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_POLICY_ID, DEFAULT_TENANT_COUNT,
    DEFAULT_TENANT_DISPLAY_NAME, DEFAULT_TENANT_DOMAIN, DEFAULT_TENANT_ID, DefaultNullMode, DirectoryObjectFixture,
    DirectoryTenant, EmulatorConfig, FederatedCredential, ManagedIdentity, MergeMode,
    ROLE_APP_ROLE_ASSIGNMENT_READ_WRITE_ALL, ROLE_APPLICATION_READ_ALL, ROLE_APPLICATION_READ_WRITE_ALL,
    ROLE_CROSS_TENANT_INFORMATION_READ_BASIC_ALL, ROLE_DIRECTORY_READ_ALL, ROLE_MULTI_TENANT_ORGANIZATION_READ_ALL,
    ROLE_MULTI_TENANT_ORGANIZATION_READ_WRITE_ALL, ROLE_POLICY_READ_ALL, ROLE_POLICY_READ_WRITE_CROSS_TENANT_ACCESS,
    ROLE_SYNCHRONIZATION_READ_ALL, ROLE_SYNCHRONIZATION_READ_WRITE_ALL, ReadOnlyMode, TOKEN_EXCHANGE_AUDIENCE,
    TenantConfig, TenantRestrictionsFixture, TrustedIssuer, ValidationRules, default_groups, default_users,
    emulated_tenant, parse_tenants,
};
pub use directory::{DEFAULT_DIRECTORY_JSON, default_directory, parse_directory};
pub use faults::{
    FaultRule, Faults, MalformedFault, MalformedKind, RetryAfter, ServerErrorFault, Throttle, ThrottleMode,
    TokenBucket, Trigger, WriteLock,
};
pub use graph::MAX_BATCH;
pub use mto::MtoSettings;
pub use stats::Stats;

use service::{Service, lock};

/// Where the CA certificate lives: a caller-chosen file, or a temporary one removed on shutdown.
#[derive(Debug)]
enum CaFile {
    Chosen(PathBuf),
    Temporary(tempfile::TempPath),
}

impl CaFile {
    fn path(&self) -> &Path {
        match self {
            CaFile::Chosen(path) => path,
            CaFile::Temporary(path) => path,
        }
    }
}

/// A running emulator. It owns a tokio runtime on background threads, so it works from synchronous tests,
/// `#[tokio::test]` tests and benchmarks alike. Dropping it shuts it down.
#[derive(Debug)]
pub struct Emulator {
    service: Arc<Service>,
    runtime: Option<tokio::runtime::Runtime>,
    shutdown: watch::Sender<bool>,
    endpoint: String,
    ca_pem: String,
    ca_file: CaFile,
    managed_identity_http_endpoint: Option<String>,
}

fn loopback_base(scheme: &str, address: SocketAddr) -> String {
    let host = match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_owned(),
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_owned(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    format!("{scheme}://{host}:{}", address.port())
}

fn bind(address: SocketAddr, what: &str) -> anyhow::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(address)
        .map_err(|e| anyhow::anyhow!("cannot listen on {address} for the {what}: {e}"))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

impl Emulator {
    /// Starts an emulator: binds the listeners, generates the certificates, writes the CA file and serves in the
    /// background. Returns once it accepts connections.
    pub fn start(config: EmulatorConfig) -> anyhow::Result<Emulator> {
        let https_listener = bind(config.listen, "HTTPS listener")?;
        let address = https_listener.local_addr()?;
        let endpoint = loopback_base("https", address);
        let msi_listener =
            config.managed_identity_http_listen.map(|a| bind(a, "managed-identity listener")).transpose()?;
        let managed_identity_http_endpoint =
            msi_listener.as_ref().map(|l| l.local_addr().map(|a| loopback_base("http", a))).transpose()?;

        let identity = tls::generate()?;
        let ca_file = match &config.ca_cert_file {
            Some(path) => {
                std::fs::write(path, &identity.ca_pem)
                    .map_err(|e| anyhow::anyhow!("cannot write the CA certificate to {}: {e}", path.display()))?;
                CaFile::Chosen(path.clone())
            }
            None => {
                let mut file = tempfile::Builder::new().prefix("entra-graph-emulator-ca-").suffix(".pem").tempfile()?;
                std::io::Write::write_all(&mut file, identity.ca_pem.as_bytes())?;
                CaFile::Temporary(file.into_temp_path())
            }
        };

        let service = Service::new(config, endpoint.clone(), address.port())?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("entra-graph-emulator")
            .enable_all()
            .build()?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        {
            // Converting std listeners needs a runtime context; entering works even inside another runtime.
            let _guard = runtime.enter();
            let listener = tokio::net::TcpListener::from_std(https_listener)?;
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&identity.server_config));
            runtime.spawn(server::run_https(listener, acceptor, Arc::clone(&service), shutdown_rx.clone()));
            if let Some(msi_listener) = msi_listener {
                let listener = tokio::net::TcpListener::from_std(msi_listener)?;
                runtime.spawn(server::run_http(listener, Arc::clone(&service), shutdown_rx));
            }
        }
        Ok(Emulator {
            service,
            runtime: Some(runtime),
            shutdown,
            endpoint,
            ca_pem: identity.ca_pem,
            ca_file,
            managed_identity_http_endpoint,
        })
    }

    /// `https://127.0.0.1:PORT`. Graph is at `{endpoint}/v1.0` and `{endpoint}/beta`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `{endpoint}/v1.0`.
    pub fn graph_v1(&self) -> String {
        format!("{}/v1.0", self.endpoint)
    }

    /// `{endpoint}/{tenant}/oauth2/v2.0/token`.
    pub fn token_endpoint(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.endpoint, self.tenant_id())
    }

    /// The scope to request for Graph tokens: `{endpoint}/.default`. (`https://graph.microsoft.com/.default` and the
    /// other clouds' Graph scopes work too.)
    pub fn graph_scope(&self) -> String {
        format!("{}/.default", self.endpoint)
    }

    /// The CA certificate (PEM) that signed the server certificate (SANs `127.0.0.1`, `::1`, `localhost`).
    pub fn ca_cert_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate as a PEM file.
    pub fn ca_cert_file(&self) -> &Path {
        self.ca_file.path()
    }

    /// The emulated tenant's id.
    pub fn tenant_id(&self) -> &str {
        &self.service.config.tenant_id
    }

    /// The main application's client id.
    pub fn client_id(&self) -> &str {
        &self.service.config.client_id
    }

    /// The main application's client secret.
    pub fn client_secret(&self) -> &str {
        &self.service.config.client_secret
    }

    /// The configuration the emulator started with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.service.config
    }

    /// Request statistics since start or the last reset.
    pub fn stats(&self) -> Stats {
        self.service.stats()
    }

    /// Zeroes the request statistics.
    pub fn reset_stats(&self) {
        self.service.reset_stats();
    }

    /// The whole store as JSON: `{"policy","default","partners":{id:..},"identitySynchronization":{id:..},
    /// "templates":{..},"deletedItems":{..}}`.
    pub fn state(&self) -> Value {
        self.service.state()
    }

    /// Replaces the store (sections left out keep their values), as an out-of-band change visible at once.
    pub fn set_state(&self, state: Value) -> anyhow::Result<()> {
        self.service.set_state(&state)
    }

    /// The current faults.
    pub fn faults(&self) -> Faults {
        self.service.faults()
    }

    /// Replaces the faults; counters, the random generator and fault clocks restart.
    pub fn set_faults(&self, faults: Faults) {
        self.service.set_faults(faults);
    }

    /// Back to the fresh-tenant fixture, faults off, statistics zero, validation and merge switches as configured.
    /// Issued tokens stay valid.
    pub fn reset(&self) {
        self.service.reset();
    }

    /// Enables or disables validation rules at run time.
    pub fn set_rules(&self, rules: ValidationRules) {
        lock(&self.service.behaviour).rules = rules;
    }

    /// Changes how PATCH merges nested values at run time.
    pub fn set_merge_mode(&self, mode: MergeMode) {
        lock(&self.service.behaviour).merge_mode = mode;
    }

    /// Changes the page size of the partner and `appRoleAssignedTo` listings at run time.
    pub fn set_page_size(&self, page_size: usize) {
        lock(&self.service.behaviour).page_size = page_size.max(1);
    }

    /// Creates a partner out of band (no auth, faults or rules; `isServiceProvider` allowed). Returns the stored JSON.
    pub fn create_partner(&self, partner: Value) -> anyhow::Result<Value> {
        self.first_tenant().create_partner(partner)
    }

    /// Creates a service-provider partner (`isServiceProvider: true`) out of band.
    pub fn add_service_provider_partner(&self, tenant_id: &str) -> anyhow::Result<Value> {
        self.first_tenant().create_partner(serde_json::json!({"tenantId": tenant_id, "isServiceProvider": true}))
    }

    /// Changes a partner out of band; each property given replaces the stored one.
    pub fn patch_partner(&self, tenant_id: &str, patch: Value) -> anyhow::Result<Value> {
        self.first_tenant().patch_partner(tenant_id, patch)
    }

    /// Deletes a partner and its identity-sync policy out of band (the lifecycle guards do not apply).
    pub fn delete_partner(&self, tenant_id: &str) -> anyhow::Result<()> {
        self.first_tenant().delete_partner(tenant_id)
    }

    /// One partner's stored JSON.
    pub fn partner(&self, tenant_id: &str) -> Option<Value> {
        self.first_tenant().partner(tenant_id)
    }

    /// Creates or replaces a partner's identity-sync policy out of band.
    pub fn put_identity_sync(&self, tenant_id: &str, policy: Value) -> anyhow::Result<Value> {
        self.first_tenant().put_identity_sync(tenant_id, policy)
    }

    /// Changes a partner's identity-sync policy out of band.
    pub fn patch_identity_sync(&self, tenant_id: &str, patch: Value) -> anyhow::Result<Value> {
        self.first_tenant().patch_identity_sync(tenant_id, patch)
    }

    /// Deletes a partner's identity-sync policy out of band.
    pub fn delete_identity_sync(&self, tenant_id: &str) -> anyhow::Result<()> {
        self.first_tenant().delete_identity_sync(tenant_id)
    }

    /// One identity-sync policy's stored JSON.
    pub fn identity_sync(&self, tenant_id: &str) -> Option<Value> {
        self.first_tenant().identity_sync(tenant_id)
    }

    /// The multi-tenant organization switches (transition delay, active-tenant limit, DELETE answer, creator rule).
    pub fn mto_settings(&self) -> MtoSettings {
        self.service.mto_settings()
    }

    /// Changes the multi-tenant organization switches; transitions already pending keep their due time.
    pub fn set_mto_settings(&self, settings: MtoSettings) {
        self.service.set_mto_settings(settings);
    }

    /// Completes every pending multi-tenant organization transition (joins, role changes, removals) now.
    pub fn complete_mto_transitions(&self) {
        self.service.complete_mto_transitions();
    }

    /// Completes the multi-tenant organization transitions that are due (any Graph request does this too).
    pub fn advance_mto(&self) {
        self.service.advance_mto();
    }

    /// Every multi-tenant organization and join request as JSON, to inspect or to save and restore with
    /// [`Emulator::set_multi_tenant_organizations`].
    pub fn multi_tenant_organizations(&self) -> Value {
        self.service.mto_state()
    }

    /// Replaces every multi-tenant organization and join request (the shape of
    /// [`Emulator::multi_tenant_organizations`]); pending transitions restart their delay.
    pub fn set_multi_tenant_organizations(&self, state: Value) -> anyhow::Result<()> {
        self.service.set_mto_state(&state)
    }

    /// Every emulated tenant with its credentials, users and groups, the first tenant first (the state file's
    /// `tenants`).
    pub fn tenants(&self) -> Vec<TenantConfig> {
        self.service.tenants.iter().map(|t| t.config.clone()).collect()
    }

    /// The first tenant's control surface (every single-tenant method of [`Emulator`] acts on it).
    pub fn first_tenant(&self) -> TenantHandle<'_> {
        TenantHandle { emulator: self, tenant: self.service.primary() }
    }

    /// The `index`-th emulated tenant (0 is the first tenant, 1 the second, ...), if there is one.
    pub fn tenant(&self, index: usize) -> Option<TenantHandle<'_>> {
        self.service.tenants.get(index).map(|tenant| TenantHandle { emulator: self, tenant })
    }

    /// The emulated tenant with this id, if there is one.
    pub fn tenant_by_id(&self, tenant_id: &str) -> Option<TenantHandle<'_>> {
        self.service.tenant(tenant_id).map(|tenant| TenantHandle { emulator: self, tenant })
    }

    /// Adds or replaces a tenant for findTenantInformationByDomainName / ByTenantId.
    pub fn register_tenant(&self, tenant: DirectoryTenant) -> anyhow::Result<()> {
        self.service.register_tenant(tenant)
    }

    /// Registers another application (for example a read-only one).
    pub fn add_app(&self, app: AppRegistration) -> anyhow::Result<()> {
        self.service.authority.add_app(app)
    }

    /// Registers a PEM certificate on an application for certificate client assertions.
    pub fn add_client_certificate(&self, client_id: &str, certificate_pem: &str) -> anyhow::Result<()> {
        self.service.authority.add_certificate(client_id, certificate_pem)
    }

    /// Changes the lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.service.authority.set_token_lifetime(lifetime);
    }

    /// Invalidates every issued access token.
    pub fn revoke_tokens(&self) {
        self.service.authority.revoke_all();
    }

    /// A Graph access token for the main application, issued without an HTTP round trip.
    pub fn access_token(&self) -> String {
        self.first_tenant().access_token()
    }

    /// The emulator's own OIDC issuer (`{endpoint}/_emulator/oidc`); the main application trusts it by default.
    pub fn oidc_issuer(&self) -> String {
        self.service.authority.issuer()
    }

    /// Mints a federated token (audience `api://AzureADTokenExchange`, one hour) from the emulator's issuer, e.g.
    /// for a workload-identity token file.
    pub fn mint_federated_token(&self, subject: &str) -> String {
        self.service.authority.mint(subject, TOKEN_EXCHANGE_AUDIENCE, Duration::from_secs(3600))
    }

    /// Mints a federated token with a chosen audience and lifetime.
    pub fn mint_federated_token_with(&self, subject: &str, audience: &str, lifetime: Duration) -> String {
        self.service.authority.mint(subject, audience, lifetime)
    }

    /// The GitHub Actions-style ID token request URL (`ACTIONS_ID_TOKEN_REQUEST_URL`). Like GitHub's, it already
    /// has a query string, so clients that append `&audience=...` to it work as well as those that add a pair.
    pub fn github_oidc_request_url(&self) -> String {
        format!("{}/_emulator/oidc/github?api-version=2.0", self.endpoint)
    }

    /// The bearer token that URL accepts (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`).
    pub fn github_oidc_request_token(&self) -> &str {
        &self.service.config.github_request_token
    }

    /// The Azure DevOps-style OIDC request URL (`SYSTEM_OIDCREQUESTURI`).
    pub fn ado_oidc_request_url(&self) -> String {
        format!("{}/_emulator/oidc/ado", self.endpoint)
    }

    /// The system access token that URL accepts (`SYSTEM_ACCESSTOKEN`).
    pub fn ado_system_access_token(&self) -> &str {
        &self.service.config.ado_system_access_token
    }

    /// The App Service-style managed-identity endpoint on the HTTPS listener (`IDENTITY_ENDPOINT`).
    pub fn managed_identity_endpoint(&self) -> String {
        format!("{}/_emulator/msi/token", self.endpoint)
    }

    /// The IMDS-style managed-identity endpoint on the HTTPS listener.
    pub fn imds_endpoint(&self) -> String {
        format!("{}/metadata/identity/oauth2/token", self.endpoint)
    }

    /// The plain-HTTP listener's base URL (`http://127.0.0.1:PORT`), when one was configured. It serves
    /// `/_emulator/msi/token` and `/metadata/identity/oauth2/token`.
    pub fn managed_identity_http_endpoint(&self) -> Option<&str> {
        self.managed_identity_http_endpoint.as_deref()
    }

    /// The `X-IDENTITY-HEADER` value the App Service-style endpoint expects (`IDENTITY_HEADER`).
    pub fn managed_identity_header(&self) -> &str {
        &self.service.config.managed_identity.identity_header
    }

    /// The managed identity's client id.
    pub fn managed_identity_client_id(&self) -> &str {
        &self.service.config.managed_identity.client_id
    }

    /// Stops serving and releases the listeners (also done on drop).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(runtime) = self.runtime.take() {
            // `shutdown_background` never blocks, so dropping an emulator inside an async test is fine.
            runtime.shutdown_background();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The control surface of one emulated tenant: its identity and credentials, and out-of-band access to its
/// cross-tenant access settings and directory objects (no auth, faults or rules).
#[derive(Clone, Copy, Debug)]
pub struct TenantHandle<'a> {
    emulator: &'a Emulator,
    tenant: &'a tenant::Tenant,
}

impl<'a> TenantHandle<'a> {
    /// The tenant id (lowercase).
    pub fn tenant_id(&self) -> &'a str {
        self.tenant.id()
    }

    /// Its application's client id.
    pub fn client_id(&self) -> &'a str {
        &self.tenant.config.client_id
    }

    /// Its application's client secret.
    pub fn client_secret(&self) -> &'a str {
        &self.tenant.config.client_secret
    }

    /// Its identity, credentials, users and groups.
    pub fn config(&self) -> &'a TenantConfig {
        &self.tenant.config
    }

    /// `{endpoint}/{tenant}/oauth2/v2.0/token`.
    pub fn token_endpoint(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.emulator.endpoint, self.tenant_id())
    }

    /// A Graph access token for this tenant's application, issued without an HTTP round trip.
    pub fn access_token(&self) -> String {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", self.client_id())
            .append_pair("client_secret", self.client_secret())
            .append_pair("grant_type", "client_credentials")
            .append_pair("scope", &self.emulator.graph_scope())
            .finish();
        let service = &self.emulator.service;
        let response = service.authority.token_endpoint(
            self.tenant_id(),
            Some("application/x-www-form-urlencoded"),
            form.as_bytes(),
        );
        lock(&service.stats).tokens_issued += 1;
        response.body["access_token"].as_str().unwrap_or_default().to_owned()
    }

    /// The cross-tenant access state as JSON, in the shape of [`Emulator::state`].
    pub fn state(&self) -> Value {
        self.tenant.state()
    }

    /// Replaces the cross-tenant access state (sections left out keep their values).
    pub fn set_state(&self, state: Value) -> anyhow::Result<()> {
        self.tenant.set_state(&state)
    }

    /// Creates a partner out of band. Returns the stored JSON.
    pub fn create_partner(&self, partner: Value) -> anyhow::Result<Value> {
        self.tenant.create_partner_out_of_band(&partner)
    }

    /// Changes a partner out of band; each property given replaces the stored one.
    pub fn patch_partner(&self, tenant_id: &str, patch: Value) -> anyhow::Result<Value> {
        self.tenant.patch_partner_out_of_band(tenant_id, &patch)
    }

    /// Deletes a partner and its identity-sync policy out of band.
    pub fn delete_partner(&self, tenant_id: &str) -> anyhow::Result<()> {
        self.tenant.delete_partner_out_of_band(tenant_id)
    }

    /// One partner's stored JSON.
    pub fn partner(&self, tenant_id: &str) -> Option<Value> {
        self.tenant.partner(tenant_id)
    }

    /// Creates or replaces a partner's identity-sync policy out of band.
    pub fn put_identity_sync(&self, tenant_id: &str, policy: Value) -> anyhow::Result<Value> {
        self.tenant.put_identity_sync_out_of_band(tenant_id, &policy)
    }

    /// Changes a partner's identity-sync policy out of band.
    pub fn patch_identity_sync(&self, tenant_id: &str, patch: Value) -> anyhow::Result<Value> {
        self.tenant.patch_identity_sync_out_of_band(tenant_id, &patch)
    }

    /// Deletes a partner's identity-sync policy out of band.
    pub fn delete_identity_sync(&self, tenant_id: &str) -> anyhow::Result<()> {
        self.tenant.delete_identity_sync_out_of_band(tenant_id)
    }

    /// One identity-sync policy's stored JSON.
    pub fn identity_sync(&self, tenant_id: &str) -> Option<Value> {
        self.tenant.identity_sync(tenant_id)
    }

    /// Users, groups, applications, service principals, synchronization (secrets in clear, jobs with their
    /// schemas) and app role assignments: `{"users":{id:..},"groups","applications","servicePrincipals",
    /// "synchronization":{spId:{"secrets":[{"key","value"}],"jobs":{jobId:{"job","schema"}}}},
    /// "appRoleAssignedTo":{spId:[..]}}`.
    pub fn objects(&self) -> Value {
        self.tenant.objects_json()
    }

    /// One synchronization job as stored, if it exists.
    pub fn synchronization_job(&self, service_principal_id: &str, job_id: &str) -> Option<Value> {
        self.tenant.change_job(service_principal_id, job_id, |_| {}).ok()
    }

    /// A job's schema as stored, if the job exists.
    pub fn synchronization_schema(&self, service_principal_id: &str, job_id: &str) -> Option<Value> {
        let mut schema = None;
        self.tenant.change_job(service_principal_id, job_id, |job| schema = Some(job.schema.clone())).ok()?;
        schema
    }

    /// Replaces a job's schema out of band, without validation (an edit in the portal's schema editor).
    pub fn set_synchronization_schema(
        &self,
        service_principal_id: &str,
        job_id: &str,
        schema: Value,
    ) -> anyhow::Result<()> {
        self.tenant.change_job(service_principal_id, job_id, |job| job.schema = schema).map(|_| ())
    }

    /// Pauses a job out of band (an administrator in the portal).
    pub fn pause_synchronization_job(&self, service_principal_id: &str, job_id: &str) -> anyhow::Result<Value> {
        self.tenant.change_job(service_principal_id, job_id, crate::objects::Job::pause)
    }

    /// Puts a job in quarantine out of band, as the provisioning service does after critical errors; `reason` is a
    /// `quarantineReason` member (for example `EncounteredQuarantineException`).
    pub fn quarantine_synchronization_job(
        &self,
        service_principal_id: &str,
        job_id: &str,
        reason: &str,
        message: &str,
    ) -> anyhow::Result<Value> {
        self.tenant.change_job(service_principal_id, job_id, |job| {
            job.quarantine(reason, "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure", message);
        })
    }

    /// Completes one synchronization cycle of a started job out of band (the service runs one every 40 minutes):
    /// its status becomes `Active` with a successful last execution. Fails for a job that is not started or is in
    /// quarantine.
    pub fn complete_synchronization_cycle(&self, service_principal_id: &str, job_id: &str) -> anyhow::Result<Value> {
        self.tenant.complete_cycle(service_principal_id, job_id)
    }

    /// Adds a user out of band (`GET /users` shows it; it can be assigned).
    pub fn add_user(&self, id: &str, display_name: &str) -> anyhow::Result<Value> {
        self.tenant.add_directory_object(false, id, display_name)
    }

    /// Adds a security group out of band.
    pub fn add_group(&self, id: &str, display_name: &str) -> anyhow::Result<Value> {
        self.tenant.add_directory_object(true, id, display_name)
    }

    /// Deletes a job out of band.
    pub fn delete_synchronization_job(&self, service_principal_id: &str, job_id: &str) -> anyhow::Result<()> {
        self.tenant.delete_job_out_of_band(service_principal_id, job_id)
    }

    /// The multi-tenant organization as this tenant sees it (its GET body), plus `tenants` when it belongs to one.
    pub fn multi_tenant_organization(&self) -> Value {
        self.emulator.service.mto_view(self.tenant_id())
    }
}
