//! `cargo xtask sweep` against the emulator posing as a tenant: it lists what a live run left behind, removes it
//! only with `--yes`, and never touches another partner.

use std::collections::BTreeMap;
use std::process::Command;

use acceptance_tests::entra::tenants;
use entra_graph_emulator::{Emulator, EmulatorConfig};
use serde_json::json;

/// What a user exports to reach `emulator` as their tenant.
fn exported_environment(emulator: &Emulator) -> BTreeMap<String, String> {
    [
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
    .collect()
}

fn sweep(env: &BTreeMap<String, String>, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("sweep")
        .args(args)
        .env_clear()
        .envs(env)
        .output()
        .expect("run cargo xtask sweep");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn sweep_lists_then_removes_only_what_live_runs_leave_behind() {
    let emulator = Emulator::start(EmulatorConfig::default()).expect("start the emulator");
    // An interrupted live run: a partner with its identity synchronization policy, and another partner.
    emulator.create_partner(json!({"tenantId": tenants::CONTOSO})).unwrap();
    emulator.put_identity_sync(tenants::CONTOSO, json!({"displayName": "Contoso"})).unwrap();
    emulator.create_partner(json!({"tenantId": tenants::FABRIKAM})).unwrap();
    // A partner the tenant really has.
    emulator.create_partner(json!({"tenantId": tenants::TRUESEC, "inboundTrust": {"isMfaAccepted": true}})).unwrap();
    let unrelated = emulator.partner(tenants::TRUESEC).unwrap();
    let env = exported_environment(&emulator);

    // A dry run by default: it names the three objects and removes nothing.
    let writes = emulator.stats().writes;
    let (ok, stderr) = sweep(&env, &[]);
    assert!(ok, "{stderr}");
    for line in [
        format!("would remove the identity synchronization policy of partner {}", tenants::CONTOSO),
        format!("would remove the partner configuration of partner {}", tenants::CONTOSO),
        format!("would remove the partner configuration of partner {}", tenants::FABRIKAM),
        "3 objects would be removed; run `cargo xtask sweep --yes` to remove them".to_owned(),
    ] {
        assert!(stderr.contains(&line), "expected {line:?} in:\n{stderr}");
    }
    assert!(!stderr.contains(tenants::TRUESEC), "{stderr}");
    assert_eq!(emulator.stats().writes, writes, "a dry run writes nothing");
    assert!(emulator.identity_sync(tenants::CONTOSO).is_some());

    let (ok, stderr) = sweep(&env, &["--yes"]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains(&format!("removed the partner configuration of partner {}", tenants::FABRIKAM)),
        "{stderr}"
    );
    assert!(stderr.contains("removed 3 objects"), "{stderr}");
    assert!(emulator.identity_sync(tenants::CONTOSO).is_none());
    assert!(emulator.partner(tenants::CONTOSO).is_none() && emulator.partner(tenants::FABRIKAM).is_none());
    assert_eq!(emulator.partner(tenants::TRUESEC), Some(unrelated), "another partner is never touched");

    let (ok, stderr) = sweep(&env, &["--yes"]);
    assert!(ok && stderr.contains("nothing left behind by live runs"), "{stderr}");
}

#[test]
fn sweep_without_credentials_fails_clearly() {
    let (ok, stderr) = sweep(&BTreeMap::from([("ARM_USE_CLI".to_owned(), "false".to_owned())]), &[]);
    assert!(!ok);
    assert!(stderr.starts_with("error: "), "{stderr}");
}
