//! Interrupted applies: Terraform killed outright (SIGKILL, what a CI runner's timeout does) or stopped with Ctrl-C
//! (SIGINT: Terraform calls StopProvider and waits) while it creates, updates or destroys a fleet of 12 partners
//! with identity synchronization, the default configuration and the policy. The emulator answers slowly, so the
//! signal lands while requests are in flight. Afterwards the next apply must converge: it succeeds, the plans are
//! empty, and the state and the emulator hold the same objects, with nothing orphaned or duplicated.
//!
//! Terraform writes a local state at the end of an apply, so a killed apply forgets every object it created. The
//! next apply meets them again; because they hold exactly the configured settings, the provider takes them over
//! (with a warning) instead of failing with "already exists". Ctrl-C loses nothing: Terraform waits for the
//! provider, which stops retrying and waiting, and records what it created.
//!
//! Each case runs in process (the provider served by the test, reached through `TF_REATTACH_PROVIDERS`) and on the
//! managed path (Terraform starts the provider binary; after a kill the orphaned provider process must exit too).

mod reliability_support;

use std::path::Path;
use std::time::{Duration, Instant};

use acceptance_tests::entra::EmulatorEnv;
use acceptance_tests::provider_binary::{BINARY_NAME, provider_binary_dir};
use acceptance_tests::{Harness, Signal, WorkDir};
use entra_graph_emulator::Faults;
use reliability_support::{
    Fleet, Version, apply_converges, fleet_config, nothing_left, orphans, state_matches_emulator,
};

const FLEET: Fleet = Fleet { partners: 12, syncs: 4 };

const APPLY: [&str; 5] = ["apply", "-input=false", "-no-color", "-lock=false", "-auto-approve"];
const DESTROY: [&str; 5] = ["destroy", "-input=false", "-no-color", "-lock=false", "-auto-approve"];

/// Every Graph request takes 150 ms, so an apply of the fleet takes seconds and a signal lands mid-way.
fn slow() -> Faults {
    Faults { latency_ms: 150, ..Faults::none() }
}

/// Starts `args` in `workdir` with the emulator slowed down, waits until the emulator has applied `writes` more
/// writes (so the command is part-way), sends `signal`, and returns what terraform printed.
fn interrupt(env: &EmulatorEnv, workdir: &WorkDir, args: &[&str], writes: u64, signal: Signal) -> String {
    env.emulator().set_faults(slow());
    let before = env.stats().writes_applied;
    let mut command = workdir.spawn(args);
    let reached = command.wait_until(Duration::from_secs(60), || env.stats().writes_applied >= before + writes);
    assert!(reached, "`terraform {}` never got {writes} writes applied", args[0]);
    assert!(command.is_running(), "`terraform {}` finished before the signal: slow the emulator down", args[0]);
    command.signal(signal);
    let output = command.wait();
    let text = output.combined();
    match signal {
        Signal::Kill => assert_eq!(output.code, None, "killed by the signal:\n{output}"),
        _ => {
            assert_eq!(output.code, Some(1), "an interrupted command fails:\n{output}");
            assert!(text.contains("Interrupt received") && text.contains("Stopping operation"), "{output}");
            assert!(!text.contains("panic") && !text.contains("crash"), "{output}");
        }
    }
    text
}

/// Gives what a killed Terraform's provider still had in flight time to end, and removes the slowness.
fn settle(env: &EmulatorEnv) {
    std::thread::sleep(Duration::from_millis(1500));
    env.emulator().set_faults(Faults::none());
}

/// Provider processes still running in `dir` (Terraform starts them there).
fn providers_running_in(dir: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let exe = std::fs::read_link(entry.path().join("exe")).ok()?;
            let cwd = std::fs::read_link(entry.path().join("cwd")).ok()?;
            let is_provider = exe.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(BINARY_NAME));
            (is_provider && cwd == dir).then_some(pid)
        })
        .collect()
}

/// After Terraform was killed, the provider it started must notice and exit (it polls its parent).
fn no_provider_left(workdir: &WorkDir) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if providers_running_in(workdir.path()).is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("provider processes outlived the killed terraform: {:?}", providers_running_in(workdir.path()));
}

/// Applies `version` again: it must converge with the state matching the emulator. Returns the apply's output.
fn recover(env: &EmulatorEnv, workdir: &mut WorkDir, version: Version) -> String {
    workdir.write_config(&fleet_config(FLEET, version));
    let output = apply_converges(workdir, "the apply after the interruption", &[]).unwrap();
    state_matches_emulator(&workdir.state(), env).unwrap();
    output
}

/// Create, update and destroy, each interrupted with `signal`, through `harness`. Returns how many objects the
/// interruptions left that the state did not know.
fn interrupted_lifecycle(env: &EmulatorEnv, harness: &Harness, signal: Signal, managed: bool) -> usize {
    let mut workdir = harness.workdir();
    workdir.write_config(&fleet_config(FLEET, Version::Initial));
    workdir.init();
    let mut forgotten = 0;
    let after_interruption = |workdir: &WorkDir, phase: &str| {
        settle(env);
        if managed && signal == Signal::Kill {
            no_provider_left(workdir);
        }
        let unknown = orphans(&workdir.state(), env);
        eprintln!("interrupted {phase} ({signal:?}): objects the state does not know: {unknown:?}");
        if signal != Signal::Kill {
            // Terraform waited for the provider, so everything created is recorded.
            assert!(unknown.is_empty(), "Ctrl-C during {phase} left objects the state does not know: {unknown:?}");
        }
        unknown.len()
    };

    // Create, interrupted once five objects exist.
    interrupt(env, &workdir, &APPLY, 5, signal);
    let unknown = after_interruption(&workdir, "create");
    if signal == Signal::Kill {
        assert!(unknown > 0, "a killed apply forgets what it created: the scenario needs such objects");
    }
    forgotten += unknown;
    let output = recover(env, &mut workdir, Version::Initial);
    if unknown > 0 {
        // Terraform folds similar warnings into one ("and N more similar warnings elsewhere").
        assert!(output.contains("Warning: Took over the existing"), "forgotten objects are taken over:\n{output}");
    }

    // Update (partners removed and added, settings changed and reverted, singletons changed).
    workdir.write_config(&fleet_config(FLEET, Version::Updated));
    interrupt(env, &workdir, &APPLY, 5, signal);
    forgotten += after_interruption(&workdir, "update");
    recover(env, &mut workdir, Version::Updated);

    // Destroy.
    interrupt(env, &workdir, &DESTROY, 4, signal);
    forgotten += after_interruption(&workdir, "destroy");
    workdir.destroy().expect_success();
    assert!(workdir.state().addresses().is_empty());
    nothing_left(env).unwrap();
    assert_eq!(env.emulator().state()["partners"], serde_json::json!({}), "no partner duplicated or left");
    forgotten
}

#[test]
fn killed_mid_apply_in_process() {
    let env = EmulatorEnv::start();
    interrupted_lifecycle(&env, &env.harness(), Signal::Kill, false);
}

#[test]
fn ctrl_c_mid_apply_in_process() {
    let env = EmulatorEnv::start();
    interrupted_lifecycle(&env, &env.harness(), Signal::Interrupt, false);
}

#[test]
fn killed_mid_apply_managed() {
    let env = EmulatorEnv::start();
    interrupted_lifecycle(&env, &env.managed_harness(&provider_binary_dir()), Signal::Kill, true);
}

#[test]
fn ctrl_c_mid_apply_managed() {
    let env = EmulatorEnv::start();
    interrupted_lifecycle(&env, &env.managed_harness(&provider_binary_dir()), Signal::Interrupt, true);
}

/// Without the take-over, a killed apply would leave the next one failing on every forgotten object; with it, a
/// forgotten object whose settings were changed since (by someone else) is still refused, and left untouched.
#[test]
fn a_forgotten_object_that_changed_since_is_not_taken_over() {
    let env = EmulatorEnv::start();
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&fleet_config(FLEET, Version::Initial));
    workdir.init();
    interrupt(&env, &workdir, &APPLY, 5, Signal::Kill);
    settle(&env);
    let forgotten = orphans(&workdir.state(), &env);
    let partner = forgotten
        .iter()
        .find_map(|o| o.strip_prefix("partners/"))
        .expect("the kill left a partner the state does not know")
        .to_owned();
    env.emulator().patch_partner(&partner, serde_json::json!({"inboundTrust": {"isMfaAccepted": false}})).unwrap();
    let output = workdir.apply();
    assert!(!output.success(), "{output}");
    let text = output.combined().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains(&format!("terraform import entra_cross_tenant_partner.NAME {partner}")), "{output}");
    assert_eq!(env.partner(&partner).unwrap()["inboundTrust"]["isMfaAccepted"], false, "left untouched");
    // Importing it, as the error says, converges.
    let address = address_of(&partner);
    workdir.import(&address, &partner).expect_success();
    apply_converges(&mut workdir, "after importing", &[]).unwrap();
    state_matches_emulator(&workdir.state(), &env).unwrap();
    workdir.destroy().expect_success();
    nothing_left(&env).unwrap();
}

/// The address of the fleet's partner with this tenant id.
fn address_of(tenant: &str) -> String {
    (0..FLEET.partners + 2)
        .find(|n| reliability_support::tenant(*n) == tenant)
        .map(reliability_support::partner_address)
        .expect("a partner of the fleet")
}

/// What a killed apply leaves behind, made directly: a partner and its identity-sync policy holding exactly the
/// configured settings, unknown to the state. The apply takes both over, with a warning, and changes nothing.
#[test]
fn objects_an_interrupted_apply_left_behind_are_taken_over() {
    let env = EmulatorEnv::start();
    let tenant = reliability_support::tenant(0);
    env.emulator()
        .create_partner(serde_json::json!({
            "tenantId": tenant,
            "inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": true,
                             "isHybridAzureADJoinedDeviceAccepted": null},
        }))
        .unwrap();
    env.emulator()
        .put_identity_sync(
            &tenant,
            serde_json::json!({"displayName": "Partner 0", "userSyncInbound": {"isSyncAllowed": true}}),
        )
        .unwrap();
    let config = format!(
        "resource \"entra_cross_tenant_partner\" \"p0\" {{\n  tenant_id = \"{tenant}\"\n  inbound_trust = {{\n    \
         is_mfa_accepted = true\n    is_compliant_device_accepted = true\n  }}\n}}\n\nresource \
         \"entra_cross_tenant_identity_sync\" \"s0\" {{\n  tenant_id    = entra_cross_tenant_partner.p0.tenant_id\n  \
         display_name = \"Partner 0\"\n  user_sync_inbound = {{\n    is_sync_allowed = true\n  }}\n}}\n"
    );
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&config);
    let writes = env.stats().writes;
    let output = apply_converges(&mut workdir, "taking over", &[]).unwrap();
    let text = output.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Warning: Took over the existing partner configuration"), "{output}");
    assert!(text.contains("Took over the existing identity synchronization policy"), "{output}");
    let stats = env.stats();
    assert_eq!(
        stats.writes - writes,
        stats.count("POST /policies/crossTenantAccessPolicy/partners")
            + stats.count("PUT /policies/crossTenantAccessPolicy/partners/{id}/identitySynchronization"),
        "only the refused creates were sent, nothing changed: {:?}",
        stats.by_route
    );
    state_matches_emulator(&workdir.state(), &env).unwrap();
    workdir.destroy().expect_success();
    assert!(env.partner(&tenant).is_none());
}
