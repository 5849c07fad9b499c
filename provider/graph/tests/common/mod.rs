//! Shared helpers for the tests that run the client against the in-process emulator.

#![allow(dead_code, unreachable_pub, reason = "each test binary uses a different subset of the helpers")]

use entra_graph::auth::AuthSettings;
use entra_graph::{ConsistencyPolicy, GraphClient, GraphClientOptions, Operation, RetryPolicy};
use entra_graph_emulator::{Emulator, EmulatorConfig};
use std::collections::HashMap;
use std::time::Duration;

/// Partner tenant ids used across tests (lowercase, as Graph returns them).
pub const PARTNER_A: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";
pub const PARTNER_B: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";

pub fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).expect("the emulator starts")
}

pub fn start_default() -> Emulator {
    start(EmulatorConfig::default())
}

/// Settings that point at the emulator (Graph and login hosts), with no credential yet.
pub fn emulator_endpoints(emulator: &Emulator) -> AuthSettings {
    AuthSettings {
        tenant_id: Some(emulator.tenant_id().to_owned()),
        graph_endpoint: Some(emulator.endpoint().to_owned()),
        authority_host: Some(emulator.endpoint().to_owned()),
        use_cli: Some(false),
        ..AuthSettings::default()
    }
}

/// Settings for the emulator's main application with its client secret.
pub fn secret_settings(emulator: &Emulator) -> AuthSettings {
    AuthSettings {
        client_id: Some(emulator.client_id().to_owned()),
        client_secret: Some(emulator.client_secret().to_owned()),
        ..emulator_endpoints(emulator)
    }
}

/// Options with near-zero waits and the emulator's CA trusted.
pub fn fast_options(emulator: &Emulator) -> GraphClientOptions {
    GraphClientOptions {
        extra_ca_file: Some(emulator.ca_cert_file().to_owned()),
        retry: RetryPolicy::fast(),
        consistency: ConsistencyPolicy::fast(),
        ..GraphClientOptions::default()
    }
}

pub fn client_with(emulator: &Emulator, settings: &AuthSettings) -> GraphClient {
    GraphClient::new(settings, fast_options(emulator)).expect("the client builds")
}

pub fn client(emulator: &Emulator) -> GraphClient {
    client_with(emulator, &secret_settings(emulator))
}

pub fn op() -> Operation {
    Operation::with_timeout(Duration::from_secs(30))
}

/// An environment lookup over a fixed map, standing in for the process environment.
pub fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| map.get(name).cloned()
}

/// A GUID for the n-th generated partner.
pub fn tenant(n: usize) -> String {
    format!("{n:08x}-1111-4222-8333-444444444444")
}

/// Graph properties from a JSON object literal (settings to create, PATCH bodies).
pub fn properties(value: serde_json::Value) -> entra_graph::models::Properties {
    match value {
        serde_json::Value::Object(properties) => properties,
        other => panic!("not a JSON object: {other}"),
    }
}
