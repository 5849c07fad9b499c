//! Interrupted applies: Terraform killed outright (SIGKILL, what a CI runner's timeout does) or stopped with Ctrl-C
//! (SIGINT: Terraform calls StopProvider and waits) while it creates, updates or destroys a fleet of 12 partners
//! with identity synchronization, the default configuration and the policy. The emulator answers slowly, so the
//! signal lands while requests are in flight. Afterwards the next apply must converge: it succeeds, the plans are
//! empty, and the state and the emulator hold the same objects, with nothing orphaned or duplicated.
//!
//! Terraform writes a local state at the end of an apply, so a killed apply forgets every object it created. The
//! next apply meets them again; the provider's create journal (in Terraform's data directory) shows they are its
//! own, so it takes them over with a warning instead of failing with "already exists" — while an object it did not
//! create still gets the import error, whatever its settings. Ctrl-C loses nothing: Terraform waits for the
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
        let data_dir = if managed { workdir.path().join(".terraform") } else { env.data_dir().to_path_buf() };
        let journal = std::fs::read_to_string(data_dir.join("entra/create-journal.json")).expect("the journal");
        for object in orphans(&workdir.state(), env) {
            let tenant = object.rsplit('/').next().unwrap_or_default();
            assert!(journal.contains(tenant), "the journal records {object}:\n{journal}");
        }
    }
    forgotten += unknown;
    let output = recover(env, &mut workdir, Version::Initial);
    if unknown > 0 {
        // Terraform folds similar warnings into one ("and N more similar warnings elsewhere").
        assert!(
            output.contains("Warning: Took over the partner configuration an interrupted apply created"),
            "forgotten objects are taken over:\n{output}"
        );
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
    acceptance_tests::emulator_only!("interrupted runs and out-of-band objects that only the emulator can stage");
    let env = EmulatorEnv::start();
    interrupted_lifecycle(&env, &env.harness(), Signal::Kill, false);
}

#[test]
fn ctrl_c_mid_apply_in_process() {
    acceptance_tests::emulator_only!("interrupted runs and out-of-band objects that only the emulator can stage");
    let env = EmulatorEnv::start();
    interrupted_lifecycle(&env, &env.harness(), Signal::Interrupt, false);
}

#[test]
fn killed_mid_apply_managed() {
    acceptance_tests::emulator_only!("interrupted runs and out-of-band objects that only the emulator can stage");
    let env = EmulatorEnv::start();
    interrupted_lifecycle(&env, &env.managed_harness(&provider_binary_dir()), Signal::Kill, true);
}

#[test]
fn ctrl_c_mid_apply_managed() {
    acceptance_tests::emulator_only!("interrupted runs and out-of-band objects that only the emulator can stage");
    let env = EmulatorEnv::start();
    interrupted_lifecycle(&env, &env.managed_harness(&provider_binary_dir()), Signal::Interrupt, true);
}

/// A forgotten partner that someone changed before the next apply is still this provider's own (the journal says
/// so): it is taken over and set back to the configuration, as Terraform would correct drift.
#[test]
fn a_forgotten_object_changed_since_is_taken_over_and_corrected() {
    acceptance_tests::emulator_only!("interrupted runs and out-of-band objects that only the emulator can stage");
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
    let output = apply_converges(&mut workdir, "after the kill", &[]).unwrap();
    assert!(output.contains("Took over the partner configuration an interrupted apply created"), "{output}");
    state_matches_emulator(&workdir.state(), &env).unwrap();
    workdir.destroy().expect_success();
    nothing_left(&env).unwrap();
}

/// The journal is what proves an object is the provider's own. Without it (a fresh checkout, a CI runner that
/// lost its workspace) the objects a killed apply created must be imported, and are left untouched until then.
#[test]
fn without_the_journal_forgotten_objects_must_be_imported() {
    acceptance_tests::emulator_only!("interrupted runs and out-of-band objects that only the emulator can stage");
    let env = EmulatorEnv::start();
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&fleet_config(FLEET, Version::Initial));
    workdir.init();
    interrupt(&env, &workdir, &APPLY, 5, Signal::Kill);
    settle(&env);
    std::fs::remove_file(env.data_dir().join("entra/create-journal.json")).expect("the journal exists");
    let forgotten = orphans(&workdir.state(), &env);
    let before: Vec<_> =
        forgotten.iter().map(|o| env.emulator().state()["partners"][o.rsplit('/').next().unwrap()].clone()).collect();
    let output = workdir.apply();
    assert!(!output.success(), "{output}");
    let text = output.unwrapped();
    for object in &forgotten {
        let tenant = object.rsplit('/').next().unwrap();
        assert!(text.contains(&format!("terraform import entra_cross_tenant_partner.NAME {tenant}")), "{output}");
    }
    let after: Vec<_> =
        forgotten.iter().map(|o| env.emulator().state()["partners"][o.rsplit('/').next().unwrap()].clone()).collect();
    assert_eq!(before, after, "the forgotten partners are untouched");
    // Importing them, as the errors say, converges.
    for object in &forgotten {
        let tenant = object.rsplit('/').next().unwrap();
        workdir.import(&address_of(tenant), tenant).expect_success();
    }
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

/// Objects made out of band with exactly the configured settings are not this provider's: a create meets them with
/// the import error, and leaves them untouched (the contract: only objects an interrupted apply of this provider
/// created are taken over, never objects that merely look the same).
#[test]
fn matching_objects_made_out_of_band_still_need_an_import() {
    acceptance_tests::emulator_only!("interrupted runs and out-of-band objects that only the emulator can stage");
    let env = EmulatorEnv::start();
    let tenant = reliability_support::tenant(0);
    let partner = serde_json::json!({
        "tenantId": tenant,
        "inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": true, "isHybridAzureADJoinedDeviceAccepted": null},
    });
    let partner_hcl = format!(
        "resource \"entra_cross_tenant_partner\" \"p0\" {{\n  tenant_id = \"{tenant}\"\n  inbound_trust = {{\n    \
         is_mfa_accepted = true\n    is_compliant_device_accepted = true\n  }}\n}}\n"
    );
    let sync_hcl = format!(
        "{partner_hcl}\nresource \"entra_cross_tenant_identity_sync\" \"s0\" {{\n  tenant_id    = \
         entra_cross_tenant_partner.p0.tenant_id\n  display_name = \"Partner 0\"\n  user_sync_inbound = {{\n    \
         is_sync_allowed = true\n  }}\n}}\n"
    );
    let harness = env.harness();
    let mut workdir = harness.workdir();

    // A partner with exactly the configured settings.
    env.emulator().create_partner(partner.clone()).unwrap();
    let stored = env.partner(&tenant);
    workdir.write_config(&partner_hcl);
    let output = workdir.apply();
    assert!(!output.success(), "{output}");
    let text = output.unwrapped();
    assert!(
        text.contains("already exists")
            && text.contains(&format!("terraform import entra_cross_tenant_partner.NAME {tenant}")),
        "{output}"
    );
    assert!(!text.contains("Took over"), "{output}");
    assert_eq!(env.partner(&tenant), stored, "untouched");

    // An identity sync policy with exactly the configured settings, under a partner Terraform manages.
    env.emulator().delete_partner(&tenant).unwrap();
    workdir.apply().expect_success();
    env.emulator()
        .put_identity_sync(
            &tenant,
            serde_json::json!({"displayName": "Partner 0", "userSyncInbound": {"isSyncAllowed": true}}),
        )
        .unwrap();
    let stored = env.identity_sync(&tenant);
    workdir.write_config(&sync_hcl);
    let output = workdir.apply();
    assert!(!output.success(), "{output}");
    let text = output.unwrapped();
    assert!(text.contains(&format!("terraform import entra_cross_tenant_identity_sync.NAME {tenant}")), "{output}");
    assert!(!text.contains("Took over"), "{output}");
    assert_eq!(env.identity_sync(&tenant), stored, "untouched");

    // Imported, it is managed as usual.
    workdir.import("entra_cross_tenant_identity_sync.s0", &tenant).expect_success();
    apply_converges(&mut workdir, "after importing", &[]).unwrap();
    workdir.destroy().expect_success();
    assert!(env.partner(&tenant).is_none());
}

/// Killed right after Graph created the identity synchronization policy (before the provider could answer
/// Terraform): the policy and its partner are forgotten. The next apply takes both over, and sets the policy back to
/// the configuration after someone changed it meanwhile.
#[test]
fn a_forgotten_identity_sync_policy_is_taken_over() {
    acceptance_tests::emulator_only!("interrupted runs and out-of-band objects that only the emulator can stage");
    let env = EmulatorEnv::start();
    let tenant = reliability_support::tenant(0);
    let config = format!(
        "resource \"entra_cross_tenant_partner\" \"p0\" {{\n  tenant_id = \"{tenant}\"\n}}\n\nresource \
         \"entra_cross_tenant_identity_sync\" \"s0\" {{\n  tenant_id    = entra_cross_tenant_partner.p0.tenant_id\n  \
         display_name = \"Partner 0\"\n  user_sync_inbound = {{\n    is_sync_allowed = true\n  }}\n}}\n"
    );
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&config);
    workdir.init();
    env.emulator().set_faults(slow());
    let mut apply = workdir.spawn(&APPLY);
    // The provider waits for the policy to show on reads before it answers, so the kill lands in between.
    assert!(apply.wait_until(Duration::from_secs(60), || env.identity_sync(&tenant).is_some()));
    apply.signal(Signal::Kill);
    assert_eq!(apply.wait().code, None);
    settle(&env);
    let forgotten = orphans(&workdir.state(), &env);
    assert!(forgotten.contains(&format!("identitySynchronization/{tenant}")), "{forgotten:?}");

    env.emulator().patch_identity_sync(&tenant, serde_json::json!({"displayName": "Renamed meanwhile"})).unwrap();
    let output = apply_converges(&mut workdir, "after the kill", &[]).unwrap();
    let text = output.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Took over the identity synchronization policy an interrupted apply created"), "{output}");
    assert_eq!(env.identity_sync(&tenant).unwrap()["displayName"], "Partner 0", "set back to the configuration");
    state_matches_emulator(&workdir.state(), &env).unwrap();
    workdir.destroy().expect_success();
    nothing_left(&env).unwrap();
}
