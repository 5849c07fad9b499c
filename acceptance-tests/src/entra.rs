//! The fixture every acceptance test of the entra provider starts from: a Graph emulator, the environment that
//! points the provider at it, and harnesses serving the provider with that environment.
//!
//! Tests run many providers in one process, each talking to its own emulator, so the environment is never the
//! process's: [`EmulatorEnv::provider`] builds an `EntraProvider` whose environment lookup reads the fixture's map
//! (`ARM_*` credentials and endpoints, `SSL_CERT_FILE` for the emulator's CA, `ARM_USE_CLI=false`, and near-zero
//! `ENTRA_*` retry and consistency timings). For the managed path, where Terraform starts the provider binary,
//! [`EmulatorEnv::managed_harness`] hands the same map to every terraform command instead.
//!
//! ```no_run
//! use acceptance_tests::entra::EmulatorEnv;
//! use acceptance_tests::{StateCheck, Step};
//!
//! let env = EmulatorEnv::start();
//! let harness = env.harness();
//! let writes = env.writes();
//! harness
//!     .test_case()
//!     .step(Step::expect_error(r#"resource "entra_cross_tenant_partner" "p" { tenant_id = "nope" }"#, "tenant_id"))
//!     .run();
//! env.assert_no_writes_since(writes, "an invalid configuration");
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use entra_graph_emulator::{Emulator, EmulatorConfig, Stats};
use serde_json::Value as Json;
use terraform_provider_entra::provider::{EntraProvider, EnvLookup};

use crate::Harness;

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
/// Graph and login host, its CA trusted, the Azure CLI off, and fast timings.
fn environment(emulator: &Emulator) -> BTreeMap<String, String> {
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
}
