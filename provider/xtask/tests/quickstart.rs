//! `cargo xtask quickstart`, the README's first command, run for real: it builds the provider and the emulator,
//! plans, applies, re-plans and destroys `examples/quickstart` with terraform, and leaves nothing behind, also when
//! it is interrupted.

mod support;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::{COMMAND_TIMEOUT, run, with_target_dir, xtask};

/// The quick start's scratch files, left in `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read the temporary directory")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("entra-quickstart-") || name.contains("emulator"))
        .collect()
}

fn quickstart_command(temp: &Path) -> std::process::Command {
    let mut command = xtask();
    command.arg("quickstart");
    with_target_dir(&mut command);
    if let Some(terraform) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
        command.arg("--terraform").arg(terraform);
    }
    // Scratch files go here, so the test can see that none are left.
    command.env("TMPDIR", temp);
    command
}

#[test]
fn the_quick_start_plans_applies_replans_empty_and_destroys() {
    let temp = tempfile::tempdir().expect("temp dir");
    let finished = run(quickstart_command(temp.path()), COMMAND_TIMEOUT);
    assert_eq!(finished.code, Some(0), "{finished}");

    // The plan is printed, with what the configuration creates and the tenant the data source looked up.
    assert!(finished.stdout.contains("# entra_cross_tenant_partner.fabrikam will be created"), "{finished}");
    assert!(finished.stdout.contains("Plan: 1 to add, 0 to change, 0 to destroy."), "{finished}");
    assert!(finished.stdout.contains("Apply complete! Resources: 1 added"), "{finished}");
    assert!(finished.stdout.contains("9c5d131d-b1c3-4fc4-9e3f-c6557947d551"), "fabrikam's tenant id: {finished}");
    assert!(finished.stdout.contains("No changes."), "the second plan: {finished}");
    assert!(finished.stdout.contains("Destroy complete! Resources: 1 destroyed."), "{finished}");
    for step in ["==> Building", "==> Starting the Graph emulator", "==> terraform plan again", "==> Done"] {
        assert!(finished.stderr.contains(step), "{step}: {finished}");
    }
    assert_eq!(leftovers(temp.path()), Vec::<String>::new(), "scratch files left behind");
}

/// `cargo xtask quickstart --example scenarios/cross-tenant-sync`: the cross-tenant synchronization guide as code,
/// across the emulator's two tenants, as the README tells users to run it.
#[test]
fn the_cross_tenant_sync_scenario_runs_across_two_tenants() {
    let temp = tempfile::tempdir().expect("temp dir");
    let mut command = quickstart_command(temp.path());
    command.args(["--example", "scenarios/cross-tenant-sync"]);
    let finished = run(command, COMMAND_TIMEOUT);
    assert_eq!(finished.code, Some(0), "{finished}");
    for created in [
        "# entra_cross_tenant_partner.source will be created",
        "# entra_cross_tenant_identity_sync.source will be created",
        "# entra_cross_tenant_sync_configuration.target will be created",
        "# entra_cross_tenant_sync_assignment.group will be created",
        "# entra_cross_tenant_sync_assignment.user will be created",
    ] {
        assert!(finished.stdout.contains(created), "{created}: {finished}");
    }
    assert!(finished.stdout.contains("Apply complete!"), "{finished}");
    assert!(finished.stdout.contains("No changes."), "the second plan: {finished}");
    assert!(finished.stdout.contains("Destroy complete!"), "{finished}");
    assert!(finished.stderr.contains("==> terraform plan (examples/scenarios/cross-tenant-sync/)"), "{finished}");
    assert!(finished.stderr.contains("A second tenant, 7e4a0000-0000-4000-8000-000000000002"), "{finished}");
    assert_eq!(leftovers(temp.path()), Vec::<String>::new(), "scratch files left behind");
}

/// `cargo xtask quickstart --example scenarios/multi-tenant-organization`: owner and member, both tenants.
#[test]
fn the_multi_tenant_organization_scenario_runs_across_two_tenants() {
    let temp = tempfile::tempdir().expect("temp dir");
    let mut command = quickstart_command(temp.path());
    command.args(["--example", "scenarios/multi-tenant-organization"]);
    let finished = run(command, COMMAND_TIMEOUT);
    assert_eq!(finished.code, Some(0), "{finished}");
    assert!(
        finished.stdout.contains("# entra_multi_tenant_organization_join_request.member will be created"),
        "{finished}"
    );
    assert!(finished.stdout.contains("No changes."), "the second plan: {finished}");
    assert!(finished.stdout.contains("Destroy complete!"), "{finished}");
    assert_eq!(leftovers(temp.path()), Vec::<String>::new(), "scratch files left behind");
}

/// A mistyped example is refused at once, before building anything, with the examples there are.
#[test]
fn an_unknown_example_is_refused_before_building() {
    let temp = tempfile::tempdir().expect("temp dir");
    let mut command = quickstart_command(temp.path());
    command.args(["--example", "scenarios/cross-tenant-synk"]);
    let finished = run(command, COMMAND_TIMEOUT);
    assert_eq!(finished.code, Some(1), "{finished}");
    assert!(finished.stderr.contains("no example \"scenarios/cross-tenant-synk\""), "{finished}");
    assert!(finished.stderr.contains("scenarios/cross-tenant-sync,"), "the list of examples: {finished}");
    assert!(!finished.stderr.contains("==> Building"), "{finished}");
}

/// How the quick start is interrupted.
#[cfg(unix)]
#[derive(Debug, Clone, Copy)]
enum Interruption {
    /// SIGTERM to the quick start alone, as a CI runner cancelling a job does.
    Terminate,
    /// SIGINT to its whole process group, as Ctrl-C in a terminal does: terraform and the emulator get it too.
    CtrlC,
}

#[cfg(unix)]
#[test]
fn a_quick_start_stopped_with_sigterm_stops_the_emulator_and_removes_its_files() {
    interrupt_the_quick_start(Interruption::Terminate);
}

#[cfg(unix)]
#[test]
fn a_quick_start_stopped_with_ctrl_c_stops_the_emulator_and_removes_its_files() {
    interrupt_the_quick_start(Interruption::CtrlC);
}

#[cfg(unix)]
fn interrupt_the_quick_start(how: Interruption) {
    use std::os::unix::process::CommandExt as _;

    let temp = tempfile::tempdir().expect("temp dir");
    let mut command = quickstart_command(temp.path());
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    // A process group of its own, like a job started from a shell, so Ctrl-C can be sent to the group.
    command.process_group(0);
    let mut child = command.spawn().expect("start the quick start");
    let stderr = child.stderr.take().expect("stderr");
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    // Wait until the emulator runs and terraform has started, then stop the quick start as a CI runner would.
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    let mut transcript = Vec::new();
    let mut port = None;
    loop {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("the quick start never reached terraform:\n{}", transcript.join("\n")));
        if let Some(rest) = line.trim().strip_prefix("Microsoft Graph at https://127.0.0.1:") {
            port = rest.split_whitespace().next().and_then(|p| p.parse::<u16>().ok());
        }
        let reached_terraform = line.starts_with("==> terraform plan");
        transcript.push(line);
        if reached_terraform {
            break;
        }
    }
    let port = port.unwrap_or_else(|| panic!("no emulator address in:\n{}", transcript.join("\n")));
    let pid = child.id().to_string();
    let (signal, target) = match how {
        Interruption::Terminate => ("-TERM", pid),
        Interruption::CtrlC => ("-INT", format!("-{pid}")),
    };
    let status = std::process::Command::new("kill").args([signal, "--", &target]).status();
    assert!(status.is_ok_and(|s| s.success()), "sending {signal} to {target}");

    let started = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the quick start did not stop after {how:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    transcript.extend(lines.try_iter());
    let transcript = transcript.join("\n");
    assert_eq!(code, Some(130), "{transcript}");
    assert!(transcript.contains("interrupted"), "{transcript}");
    assert_eq!(leftovers(temp.path()), Vec::<String>::new(), "scratch files left behind:\n{transcript}");
    let connected = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(2));
    assert!(connected.is_err(), "the emulator still listens on port {port}");
}
