//! The fixture every acceptance test of the entra provider starts from: a Graph emulator, the environment that
//! points the provider at it, and harnesses serving the provider with that environment.
//!
//! Each test says whether it can run against a real tenant. [`Fixture::new`] is the fixture of a test that can:
//! the emulator normally, the tenant of the `ARM_*` credentials when `ENTRA_ACC_LIVE=1` (see [`crate::live`]).
//! A test that needs the emulator itself (faults, statistics, fixtures no real tenant has) starts with
//! [`crate::emulator_only!`]`("why")` and uses [`EmulatorEnv`]; in live mode it skips, printing why. A test that
//! does neither fails in live mode, so every test is classified.
//!
//! Tests run many providers in one process, each talking to its own emulator, so the environment is never the
//! process's: [`EmulatorEnv::provider`] builds an `EntraProvider` whose environment lookup reads the fixture's map
//! (`ARM_*` credentials and endpoints, `SSL_CERT_FILE` for the emulator's CA, `ARM_USE_CLI=false`, and near-zero
//! `ENTRA_*` retry and consistency timings). For the managed path, where Terraform starts the provider binary,
//! [`EmulatorEnv::managed_harness`] hands the same map to every terraform command instead.
//!
//! ```no_run
//! use acceptance_tests::entra::Fixture;
//! use acceptance_tests::{StateCheck, Step};
//!
//! let env = Fixture::new();
//! let harness = env.harness();
//! let writes = env.writes();
//! harness
//!     .test_case()
//!     .step(Step::expect_error(r#"resource "entra_cross_tenant_partner" "p" { tenant_id = "nope" }"#, "tenant_id"))
//!     .run();
//! env.assert_no_writes_since(writes, "an invalid configuration");
//! ```

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use entra_graph_emulator::{Emulator, EmulatorConfig, Stats};
use serde_json::Value as Json;
use terraform_provider_entra::provider::{EntraProvider, EnvLookup};

use crate::Harness;
use crate::live::{Baseline, TenantClient, TenantLease};

/// The provider's source address, as configurations and examples write it.
pub const SOURCE: &str = "entra-tools/entra";

/// Near-zero retry and consistency timings for tests (see `entra_graph::TUNING_VARIABLES`). Consistency still
/// needs several agreeing reads, so tests that inject replication lag exercise the waits.
pub const FAST_TUNING: [(&str, &str); 7] = [
    ("ENTRA_RETRY_INITIAL_BACKOFF", "5ms"),
    ("ENTRA_RETRY_MAX_BACKOFF", "50ms"),
    ("ENTRA_RETRY_ATTEMPT_TIMEOUT", "20s"),
    ("ENTRA_CONSISTENCY_READS", "3"),
    ("ENTRA_CONSISTENCY_POLL_INTERVAL", "5ms"),
    ("ENTRA_CONSISTENCY_MAX_POLL_INTERVAL", "40ms"),
    ("ENTRA_CONSISTENCY_MAX_WAIT", "20s"),
];

/// A running emulator and the environment that points the provider at it.
#[derive(Debug)]
pub struct EmulatorEnv {
    emulator: Emulator,
    env: BTreeMap<String, String>,
    /// Terraform's data directory as in-process providers see it (`TF_DATA_DIR`, where the create journal lives).
    /// They share the test process's working directory, so a `.terraform` there would be shared by every test and
    /// every run; each fixture has its own instead.
    data_dir: tempfile::TempDir,
}

impl EmulatorEnv {
    /// An emulator with the default configuration (the fresh-tenant fixture and the directory of Contoso,
    /// Fabrikam, Truesec Detect AB, OSTTRA and the Microsoft Accounts tenant).
    ///
    /// # Panics
    /// When the emulator cannot start.
    pub fn start() -> EmulatorEnv {
        EmulatorEnv::with_config(EmulatorConfig::default())
    }

    /// An emulator with `config`.
    ///
    /// # Panics
    /// When the emulator cannot start.
    pub fn with_config(config: EmulatorConfig) -> EmulatorEnv {
        assert!(
            !crate::live::enabled(),
            "{} is set, but this test starts the emulator without saying whether it can run against a real tenant: \
             use Fixture::new() if it can, or start it with acceptance_tests::emulator_only!(\"why not\")",
            crate::live::LIVE_VARIABLE
        );
        EmulatorEnv::start_unchecked(config)
    }

    fn start_unchecked(config: EmulatorConfig) -> EmulatorEnv {
        let emulator = Emulator::start(config).expect("start the Graph emulator");
        let env = environment(&emulator);
        let data_dir = tempfile::Builder::new().prefix("tfdata-").tempdir().expect("a data directory");
        EmulatorEnv { emulator, env, data_dir }
    }

    /// The emulator: its statistics, state, out-of-band changes and faults.
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    /// The environment the provider sees.
    pub fn env(&self) -> &BTreeMap<String, String> {
        &self.env
    }

    /// Sets (or, with `None`, removes) a variable of the provider's environment. Affects providers and harnesses
    /// made afterwards.
    pub fn set_env(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(value) => self.env.insert(name.to_owned(), value.to_owned()),
            None => self.env.remove(name),
        };
    }

    /// An environment lookup over a snapshot of [`EmulatorEnv::env`], plus `TF_DATA_DIR` naming
    /// [`EmulatorEnv::data_dir`] unless the environment sets it.
    pub fn lookup(&self) -> EnvLookup {
        let env = self.env.clone();
        let data_dir = self.data_dir.path().display().to_string();
        Arc::new(move |name| env.get(name).cloned().or_else(|| (name == "TF_DATA_DIR").then(|| data_dir.clone())))
    }

    /// Terraform's data directory for in-process providers (on the managed path, Terraform starts the provider in
    /// the working directory, and its data directory is `.terraform` there).
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// The provider, configured through this environment.
    pub fn provider(&self) -> EntraProvider {
        EntraProvider::with_env(self.lookup())
    }

    /// A harness serving [`EmulatorEnv::provider`] in this process (through `TF_REATTACH_PROVIDERS`).
    pub fn harness(&self) -> Harness {
        Harness::serve(self.provider(), SOURCE)
    }

    /// A harness using the provider binary in `binary_dir` through `dev_overrides` (Terraform starts it, with
    /// AutoMTLS), with this environment passed to every terraform command and so to the provider.
    pub fn managed_harness(&self, binary_dir: &Path) -> Harness {
        Harness::dev_override(binary_dir, SOURCE).with_env(self.env.clone())
    }

    /// Request statistics since start or the last reset.
    pub fn stats(&self) -> Stats {
        self.emulator.stats()
    }

    /// Graph writes (POST, PATCH, PUT, DELETE) received so far.
    pub fn writes(&self) -> u64 {
        self.emulator.stats().writes
    }

    /// Graph requests of one route so far, e.g. `"PATCH /policies/crossTenantAccessPolicy/partners/{id}"`.
    pub fn requests(&self, method_and_route: &str) -> u64 {
        self.emulator.stats().count(method_and_route)
    }

    /// Asserts that no Graph write happened since `before` (a value of [`EmulatorEnv::writes`]).
    ///
    /// # Panics
    /// When there were writes, listing the routes requested.
    #[track_caller]
    pub fn assert_no_writes_since(&self, before: u64, what: &str) {
        let stats = self.emulator.stats();
        assert_eq!(
            stats.writes,
            before,
            "{what} must not reach Microsoft Graph with a write, but {} writes happened; requests: {:?}",
            stats.writes - before.min(stats.writes),
            stats.by_route
        );
    }

    /// A partner as the emulator stores it (out of band, no request counted).
    pub fn partner(&self, tenant_id: &str) -> Option<Json> {
        self.emulator.partner(tenant_id)
    }

    /// A partner's identity-sync policy as the emulator stores it.
    pub fn identity_sync(&self, tenant_id: &str) -> Option<Json> {
        self.emulator.identity_sync(tenant_id)
    }

    /// The default configuration as the emulator stores it.
    pub fn default_configuration(&self) -> Json {
        self.emulator.state()["default"].clone()
    }

    /// The tenant-wide cross-tenant access policy as the emulator stores it.
    pub fn policy(&self) -> Json {
        self.emulator.state()["policy"].clone()
    }

    /// A `provider "entra"` block with `alias` that signs in to the emulator's tenant `index` (0 = the first) with
    /// that tenant's own application, for configurations that span tenants. The endpoint, CA and timings still come
    /// from [`EmulatorEnv::env`]. Each alias needs its own provider process, so such configurations run with
    /// [`EmulatorEnv::managed_harness`] (a reattached in-process provider serves one configuration at a time).
    ///
    /// # Panics
    /// When the emulator has no tenant `index`.
    pub fn tenant_provider_block(&self, alias: &str, index: usize) -> String {
        let tenant = self.emulator.tenant(index).expect("the emulator hosts this tenant");
        format!(
            "provider \"entra\" {{\n  alias         = \"{alias}\"\n  tenant_id     = \"{}\"\n  client_id     = \"{}\"\n  \
             client_secret = \"{}\"\n}}\n",
            tenant.tenant_id(),
            tenant.client_id(),
            tenant.client_secret()
        )
    }
}

/// The environment that points a provider at `emulator`: the main application's client secret, the emulator as
/// Graph and login host, its CA trusted, the Azure CLI off, and fast timings. It is also what a user exports to run
/// the suite live against the emulator as their tenant (`live_mode.rs`).
pub fn environment(emulator: &Emulator) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = [
        ("ARM_TENANT_ID", emulator.tenant_id().to_owned()),
        ("ARM_CLIENT_ID", emulator.client_id().to_owned()),
        ("ARM_CLIENT_SECRET", emulator.client_secret().to_owned()),
        ("ARM_GRAPH_ENDPOINT", emulator.endpoint().to_owned()),
        ("ARM_AUTHORITY_HOST", emulator.endpoint().to_owned()),
        ("ARM_USE_CLI", "false".to_owned()),
        ("SSL_CERT_FILE", emulator.ca_cert_file().display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    env.extend(FAST_TUNING.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    env
}

/// Skips the calling test in live mode, printing `reason` on stderr; see [`crate::emulator_only!`].
pub fn skip_when_live(reason: &str) -> bool {
    skip_if(crate::live::enabled(), reason)
}

fn skip_if(live: bool, reason: &str) -> bool {
    if live {
        let test = std::thread::current().name().unwrap_or("this test").to_owned();
        // Straight to the process's stderr: the test harness captures `eprintln!` of passing tests.
        let _ = writeln!(std::io::stderr(), "skipped in live mode: {test}: {reason}");
    }
    live
}

/// The first statement of a test that needs the emulator: in live mode (`ENTRA_ACC_LIVE=1`) the test returns at
/// once, after printing `skipped in live mode: <test>: <reason>` on stderr.
///
/// ```no_run
/// #[test]
/// fn throttling_is_retried() {
///     acceptance_tests::emulator_only!("fault injection");
///     let env = acceptance_tests::entra::EmulatorEnv::start();
///     // ...
/// }
/// ```
#[macro_export]
macro_rules! emulator_only {
    ($reason:expr) => {
        if $crate::entra::skip_when_live($reason) {
            return;
        }
    };
}

/// The fixture of a test that can run against a real tenant: the emulator ([`Fixture::new`] without live mode) or
/// a live tenant. Checks read Graph through it, and out-of-band changes ("someone edits it in the portal") go
/// through it, so the same test body works on both. Request statistics only exist on the emulator:
/// [`Fixture::emulated`] gives it for checks that count requests, and those checks do not run live.
#[derive(Debug)]
pub struct Fixture {
    backend: Backend,
}

#[derive(Debug)]
enum Backend {
    Emulated(EmulatorEnv),
    Live(LiveTenant),
}

/// A live tenant held by one test: its environment, a client for checks, what to restore, and the lease that keeps
/// other live tests of this process waiting.
#[derive(Debug)]
struct LiveTenant {
    env: BTreeMap<String, String>,
    data_dir: tempfile::TempDir,
    client: TenantClient,
    baseline: Option<Baseline>,
    _lease: TenantLease,
}

impl Drop for LiveTenant {
    fn drop(&mut self) {
        let Some(baseline) = self.baseline.take() else { return };
        if let Err(e) = baseline.restore(&self.client) {
            let message = format!(
                "live mode: putting the tenant back failed: {e}; run `cargo xtask sweep --yes` and check the default \
                 configuration and the allowed cloud endpoints"
            );
            if std::thread::panicking() {
                eprintln!("{message}");
            } else {
                panic!("{message}");
            }
        }
    }
}

impl Fixture {
    /// The emulator with its default configuration; in live mode (`ENTRA_ACC_LIVE=1`), the tenant of this
    /// process's `ARM_*` credentials instead (see [`Fixture::live`]).
    ///
    /// # Panics
    /// When the emulator cannot start, or the live tenant cannot be reached or prepared.
    #[allow(clippy::new_without_default)] // Starting an emulator or holding a tenant is no default value.
    pub fn new() -> Fixture {
        if crate::live::enabled() {
            Fixture::live(crate::live::environment_from_process())
        } else {
            Fixture::with_emulator(EmulatorEnv::start_unchecked(EmulatorConfig::default()))
        }
    }

    /// A fixture over an emulator the test configured itself (such a test is emulator-only, so helpers written for
    /// live-capable tests serve it too).
    pub fn with_emulator(env: EmulatorEnv) -> Fixture {
        Fixture { backend: Backend::Emulated(env) }
    }

    /// The tenant that `env` (the provider's environment: `ARM_*`, `SSL_CERT_FILE`, `ENTRA_*`) names, held by this
    /// test until the fixture is dropped: waits for other live tests of this process, removes leftover test
    /// partners, saves the default configuration and allowed cloud endpoints and brings both to a fresh tenant's
    /// values. Dropping the fixture removes the test partners and restores both.
    ///
    /// # Panics
    /// When the credentials cannot be used or Graph fails.
    pub fn live(env: BTreeMap<String, String>) -> Fixture {
        let lease = TenantLease::acquire();
        let client = TenantClient::from_env(&env)
            .unwrap_or_else(|e| panic!("live mode: the ARM_* environment cannot be used: {e}"));
        client.check_credentials().unwrap_or_else(|e| panic!("live mode: no access to Microsoft Graph: {e}"));
        let baseline = Baseline::prepare(&client)
            .unwrap_or_else(|e| panic!("live mode: preparing tenant {:?} failed: {e}", env.get("ARM_TENANT_ID")));
        let data_dir = tempfile::Builder::new().prefix("tfdata-").tempdir().expect("a data directory");
        Fixture {
            backend: Backend::Live(LiveTenant { env, data_dir, client, baseline: Some(baseline), _lease: lease }),
        }
    }

    /// True against a real tenant.
    pub fn is_live(&self) -> bool {
        matches!(self.backend, Backend::Live(_))
    }

    /// The emulator, for checks that only it can answer (request statistics); `None` in live mode.
    pub fn emulated(&self) -> Option<&EmulatorEnv> {
        match &self.backend {
            Backend::Emulated(env) => Some(env),
            Backend::Live(_) => None,
        }
    }

    /// Graph writes the emulator received so far; `None` live, where no request log is visible.
    pub fn writes(&self) -> Option<u64> {
        self.emulated().map(EmulatorEnv::writes)
    }

    /// On the emulator, asserts that no Graph write happened since `before` (a value of [`Fixture::writes`]); live,
    /// it cannot be known and nothing is checked.
    ///
    /// # Panics
    /// When there were writes.
    #[track_caller]
    pub fn assert_no_writes_since(&self, before: Option<u64>, what: &str) {
        if let (Some(env), Some(before)) = (self.emulated(), before) {
            env.assert_no_writes_since(before, what);
        }
    }

    /// The environment the provider sees.
    pub fn env(&self) -> &BTreeMap<String, String> {
        match &self.backend {
            Backend::Emulated(env) => env.env(),
            Backend::Live(live) => &live.env,
        }
    }

    /// Terraform's data directory for in-process providers (see [`EmulatorEnv::data_dir`]).
    pub fn data_dir(&self) -> &Path {
        match &self.backend {
            Backend::Emulated(env) => env.data_dir(),
            Backend::Live(live) => live.data_dir.path(),
        }
    }

    /// An environment lookup over [`Fixture::env`], plus `TF_DATA_DIR` naming [`Fixture::data_dir`].
    pub fn lookup(&self) -> EnvLookup {
        match &self.backend {
            Backend::Emulated(env) => env.lookup(),
            Backend::Live(live) => {
                let env = live.env.clone();
                let data_dir = live.data_dir.path().display().to_string();
                Arc::new(move |name| {
                    env.get(name).cloned().or_else(|| (name == "TF_DATA_DIR").then(|| data_dir.clone()))
                })
            }
        }
    }

    /// The provider, configured through this environment.
    pub fn provider(&self) -> EntraProvider {
        EntraProvider::with_env(self.lookup())
    }

    /// A harness serving [`Fixture::provider`] in this process.
    pub fn harness(&self) -> Harness {
        Harness::serve(self.provider(), SOURCE)
    }

    /// The tenant under test (`ARM_TENANT_ID`).
    pub fn tenant_id(&self) -> &str {
        self.env().get("ARM_TENANT_ID").map_or("", String::as_str)
    }

    /// A partner as Graph holds it, or `None`.
    ///
    /// # Panics
    /// When a live read fails.
    pub fn partner(&self, tenant_id: &str) -> Option<Json> {
        match &self.backend {
            Backend::Emulated(env) => env.partner(tenant_id),
            Backend::Live(live) => live.client.partner(tenant_id).unwrap_or_else(|e| panic!("{e}")),
        }
    }

    /// A partner's identity synchronization policy as Graph holds it, or `None`.
    ///
    /// # Panics
    /// When a live read fails.
    pub fn identity_sync(&self, tenant_id: &str) -> Option<Json> {
        match &self.backend {
            Backend::Emulated(env) => env.identity_sync(tenant_id),
            Backend::Live(live) => live.client.identity_sync(tenant_id).unwrap_or_else(|e| panic!("{e}")),
        }
    }

    /// The default configuration as Graph holds it.
    ///
    /// # Panics
    /// When a live read fails.
    pub fn default_configuration(&self) -> Json {
        match &self.backend {
            Backend::Emulated(env) => env.default_configuration(),
            Backend::Live(live) => live.client.default_configuration().unwrap_or_else(|e| panic!("{e}")),
        }
    }

    /// The tenant-wide cross-tenant access policy as Graph holds it.
    ///
    /// # Panics
    /// When a live read fails.
    pub fn policy(&self) -> Json {
        match &self.backend {
            Backend::Emulated(env) => env.policy(),
            Backend::Live(live) => live.client.policy().unwrap_or_else(|e| panic!("{e}")),
        }
    }

    /// Creates a partner out of band (Graph's JSON, with `tenantId`). Live, only test partners may be created.
    ///
    /// # Errors
    /// When Graph refuses.
    pub fn create_partner(&self, partner: Json) -> Result<(), String> {
        match &self.backend {
            Backend::Emulated(env) => env.emulator().create_partner(partner).map(drop).map_err(|e| e.to_string()),
            Backend::Live(live) => {
                let tenant = partner["tenantId"].as_str().unwrap_or_default();
                assert!(
                    crate::live::is_test_partner(tenant),
                    "live tests only create partners for the tenants of live::TEST_PARTNER_TENANTS, not {tenant}"
                );
                live.client.create_partner(&partner)
            }
        }
    }

    /// Changes a partner out of band (a Graph PATCH body: `null` goes back to inheriting).
    ///
    /// # Errors
    /// When Graph refuses.
    pub fn patch_partner(&self, tenant_id: &str, patch: Json) -> Result<(), String> {
        match &self.backend {
            Backend::Emulated(env) => {
                env.emulator().patch_partner(tenant_id, patch).map(drop).map_err(|e| e.to_string())
            }
            Backend::Live(live) => live.client.patch_partner(tenant_id, &patch),
        }
    }

    /// Deletes a partner out of band.
    ///
    /// # Errors
    /// When Graph refuses.
    pub fn delete_partner(&self, tenant_id: &str) -> Result<(), String> {
        match &self.backend {
            Backend::Emulated(env) => env.emulator().delete_partner(tenant_id).map_err(|e| e.to_string()),
            Backend::Live(live) => live.client.delete_partner(tenant_id),
        }
    }

    /// Creates a partner's identity synchronization policy out of band.
    ///
    /// # Errors
    /// When Graph refuses.
    pub fn put_identity_sync(&self, tenant_id: &str, policy: Json) -> Result<(), String> {
        match &self.backend {
            Backend::Emulated(env) => {
                env.emulator().put_identity_sync(tenant_id, policy).map(drop).map_err(|e| e.to_string())
            }
            Backend::Live(live) => live.client.put_identity_sync(tenant_id, &policy),
        }
    }

    /// Changes a partner's identity synchronization policy out of band.
    ///
    /// # Errors
    /// When Graph refuses.
    pub fn patch_identity_sync(&self, tenant_id: &str, patch: Json) -> Result<(), String> {
        match &self.backend {
            Backend::Emulated(env) => {
                env.emulator().patch_identity_sync(tenant_id, patch).map(drop).map_err(|e| e.to_string())
            }
            Backend::Live(live) => live.client.patch_identity_sync(tenant_id, &patch),
        }
    }

    /// Deletes a partner's identity synchronization policy out of band.
    ///
    /// # Errors
    /// When Graph refuses.
    pub fn delete_identity_sync(&self, tenant_id: &str) -> Result<(), String> {
        match &self.backend {
            Backend::Emulated(env) => env.emulator().delete_identity_sync(tenant_id).map_err(|e| e.to_string()),
            Backend::Live(live) => live.client.delete_identity_sync(tenant_id),
        }
    }

    /// Edits the default configuration out of band, as a portal edit would: `edit` changes Graph's JSON of it, and
    /// the settings are written back (the emulator's state directly, a PATCH of every setting live).
    ///
    /// # Panics
    /// When Graph refuses.
    pub fn edit_default(&self, edit: impl FnOnce(&mut Json)) {
        let mut default = self.default_configuration();
        edit(&mut default);
        match &self.backend {
            Backend::Emulated(env) => {
                default["isServiceDefault"] = Json::Bool(false);
                env.emulator().set_state(serde_json::json!({"default": default})).expect("set the default");
            }
            Backend::Live(live) => live.client.patch_default(&default).unwrap_or_else(|e| panic!("{e}")),
        }
    }

    /// Sets the policy's allowed cloud endpoints out of band.
    ///
    /// # Panics
    /// When Graph refuses.
    pub fn set_allowed_cloud_endpoints(&self, endpoints: &[&str]) {
        match &self.backend {
            Backend::Emulated(env) => {
                let mut policy = env.policy();
                policy["allowedCloudEndpoints"] = serde_json::json!(endpoints);
                env.emulator().set_state(serde_json::json!({"policy": policy})).expect("set the policy");
            }
            Backend::Live(live) => {
                let endpoints: Vec<String> = endpoints.iter().map(|e| (*e).to_owned()).collect();
                live.client.set_allowed_cloud_endpoints(&endpoints).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }

    /// The default domain of a tenant, as Graph's tenant lookup answers (for imports by domain).
    ///
    /// # Panics
    /// When the tenant is unknown.
    pub fn default_domain(&self, tenant_id: &str) -> String {
        match &self.backend {
            Backend::Emulated(env) => env
                .emulator()
                .config()
                .directory
                .iter()
                .find(|t| t.tenant_id.eq_ignore_ascii_case(tenant_id))
                .and_then(|t| t.default_domain_name.clone())
                .unwrap_or_else(|| panic!("the emulator's directory has no tenant {tenant_id}")),
            Backend::Live(live) => live.client.default_domain(tenant_id).unwrap_or_else(|e| panic!("{e}")),
        }
    }
}

/// Tenant ids of the emulator's directory fixture (`provider/graph-emulator/fixtures/directory.json`), lowercase as
/// Graph returns them.
pub mod tenants {
    /// Contoso, Ltd (`contoso.com`).
    pub const CONTOSO: &str = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";
    /// Fabrikam (`fabrikam.com`).
    pub const FABRIKAM: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";
    /// Truesec Detect AB (`truesecdetect.io`).
    pub const TRUESEC: &str = "07d2f395-f69c-43ab-88a2-b82f1151042d";
    /// OSTTRA (`sso.osttra.com`).
    pub const OSTTRA: &str = "2f6a8c1e-4b3d-4e5f-9a7b-8c0d1e2f3a4b";
    /// The Microsoft Accounts tenant (`live.com`).
    pub const MICROSOFT_ACCOUNTS: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_points_at_the_emulator_with_fast_timings() {
        crate::emulator_only!("checks the emulator's environment");
        let mut fixture = EmulatorEnv::start();
        let lookup = fixture.lookup();
        assert_eq!(lookup("ARM_GRAPH_ENDPOINT").as_deref(), Some(fixture.emulator().endpoint()));
        assert_eq!(lookup("ARM_USE_CLI").as_deref(), Some("false"));
        assert!(lookup("SSL_CERT_FILE").is_some_and(|path| Path::new(&path).is_file()));
        assert_eq!(lookup("ENTRA_CONSISTENCY_POLL_INTERVAL").as_deref(), Some("5ms"));
        assert_eq!(lookup("HOME"), None, "the process environment is not consulted");
        let data_dir = lookup("TF_DATA_DIR").expect("in-process providers get a data directory of their own");
        assert_eq!(Path::new(&data_dir), fixture.data_dir());
        assert!(!fixture.env().contains_key("TF_DATA_DIR"), "terraform commands keep their own");
        fixture.set_env("ARM_CLIENT_SECRET", None);
        assert_eq!(fixture.lookup()("ARM_CLIENT_SECRET"), None);
        assert_eq!(fixture.writes(), 0);
    }

    #[test]
    fn skipping_is_only_in_live_mode() {
        assert!(!skip_if(false, "not live"));
        assert!(skip_if(true, "the emulator's fault injection"));
    }
}
