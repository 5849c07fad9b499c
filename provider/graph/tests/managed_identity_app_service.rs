//! Managed identity without `msi_endpoint`: azure_identity's `ManagedIdentityCredential` finds the App Service
//! endpoint from `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` in the process environment. Those variables can only be set
//! for the whole process, so this test has a binary of its own and sets them before any thread starts.

#![allow(unsafe_code, reason = "setting process environment variables before any other thread exists")]

mod common;

use common::*;
use entra_graph::auth::{AuthSettings, CredentialMethod};

#[test]
fn managed_identity_from_the_app_service_environment() {
    let emulator = start_default();
    // SAFETY: this binary has a single test, and no other thread reads the environment yet: the emulator's
    // runtime threads do not touch it, and the test's runtime is created below.
    unsafe {
        std::env::set_var("IDENTITY_ENDPOINT", emulator.managed_identity_endpoint());
        std::env::set_var("IDENTITY_HEADER", emulator.managed_identity_header());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let settings = AuthSettings { use_msi: Some(true), ..emulator_endpoints(&emulator) };
        let client = client_with(&emulator, &settings);
        assert_eq!(client.credential_method(), &CredentialMethod::ManagedIdentity { endpoint: None });
        client.get_policy(&op()).await.expect("a read with the App Service managed identity works");
        assert_eq!(emulator.stats().tokens_issued, 1);
    });
}
