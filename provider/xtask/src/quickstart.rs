//! `cargo xtask quickstart`: from a fresh clone to a real `terraform plan` against the local Graph emulator.
//!
//! 1. Build `terraform-provider-entra` and `entra-graph-emulator` (dev profile).
//! 2. Start the emulator, hosting two tenants, on a free loopback port; it writes its endpoint, CA certificate,
//!    credentials and fixture users and groups to a file.
//! 3. Write a CLI configuration whose `dev_overrides` point Terraform at the binary just built (no `terraform
//!    init`), and copy `examples/quickstart/*.tf` (or another example's, `--example`) into a scratch directory.
//! 4. Run the real `terraform`: `plan` (printed), `apply` of that plan, a second `plan` that must be empty, then
//!    `destroy`. The provider is configured purely through the `ARM_*` variables a pipeline would set (the first
//!    tenant's), and the two-tenant examples get the second tenant's credentials and the fixture ids through the
//!    `TF_VAR_*` variables they declare (see [`example_variables`]).
//! 5. Stop the emulator and remove every scratch file, also when a step fails or the user presses Ctrl-C.
//!
//! Everything lives in one temporary directory (the emulator's CA certificate too), so cleaning up is removing it.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::cargo::Build;

/// Where the examples live, relative to the workspace root.
pub const EXAMPLES_DIR: &str = "examples";

/// The example the quick start applies unless told otherwise, relative to [`EXAMPLES_DIR`].
pub const DEFAULT_EXAMPLE: &str = "quickstart";

/// How many tenants the emulator hosts: the two-tenant examples (cross-tenant synchronization, the multi-tenant
/// organization) need a second one, and the others do not notice it.
const EMULATED_TENANTS: usize = 2;

/// The provider's source address, as the quick start configuration writes it.
const PROVIDER_SOURCE: &str = "entra-tools/entra";

/// How long the emulator may take to start listening.
const EMULATOR_START_TIMEOUT: Duration = Duration::from_secs(60);

/// Options of `cargo xtask quickstart`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// cargo's target directory, if not the default.
    pub target_dir: Option<PathBuf>,
    /// The terraform binary; `None` looks for `terraform` on `PATH`.
    pub terraform: Option<PathBuf>,
    /// The example to apply, a folder under `examples/` such as `scenarios/cross-tenant-sync`; `None` is
    /// [`DEFAULT_EXAMPLE`].
    pub example: Option<String>,
}

/// Why the quick start stopped early.
#[derive(Debug)]
pub enum Failure {
    /// A step failed; the message says which and why.
    Step(String),
    /// The user interrupted it (Ctrl-C or SIGTERM). Everything was cleaned up.
    Interrupted,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Step(message) => f.write_str(message),
            Failure::Interrupted => f.write_str("interrupted; the emulator was stopped and scratch files removed"),
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Step(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::Step(message.to_owned())
    }
}

/// Runs the quick start. Progress goes to stderr, Terraform's own output to stdout.
///
/// # Errors
/// When a step fails or the user interrupts; in both cases the emulator has been stopped and the scratch
/// directory removed by the time this returns.
pub fn run(root: &Path, options: &Options) -> Result<(), Failure> {
    // A mistyped example is reported before minutes of building.
    let example = Example::find(root, options.example.as_deref().unwrap_or(DEFAULT_EXAMPLE))?;
    let interrupts = Interrupts::install()?;
    let terraform = match &options.terraform {
        Some(path) => path.clone(),
        None => find_on_path("terraform").ok_or(
            "terraform was not found on PATH: install Terraform 1.5 or newer (https://developer.hashicorp.com/terraform/install) \
             or pass --terraform <path>",
        )?,
    };

    step("Building the provider and the Graph emulator");
    let mut build = Build::new([
        ("terraform-provider-entra", "terraform-provider-entra"),
        ("entra-graph-emulator", "entra-graph-emulator"),
    ]);
    build.target_dir = options.target_dir.clone();
    let binaries = build.run(root);
    // Ctrl-C during the build stops cargo too; report the interruption rather than a failed build.
    interrupts.check()?;
    let binaries = binaries?;
    let provider = &binaries["terraform-provider-entra"];
    let emulator_binary = &binaries["entra-graph-emulator"];

    let scratch = tempfile::Builder::new()
        .prefix("entra-quickstart-")
        .tempdir()
        .map_err(|e| format!("creating a scratch directory: {e}"))?;
    let outcome = run_in(&example, scratch.path(), &terraform, provider, emulator_binary, &interrupts);
    let removed = scratch.close();
    if let Err(e) = removed {
        eprintln!("warning: could not remove the scratch directory: {e}");
    }
    match outcome {
        Ok(()) => {
            step("Done: the emulator is stopped and its scratch files are removed");
            eprintln!(
                "    Next: the guides in docs/guides/ (authentication, importing existing partners, from the portal to \
                 code), and `cargo test --workspace`."
            );
            Ok(())
        }
        Err(e) => Err(e),
    }
}

fn run_in(
    example: &Example,
    scratch: &Path,
    terraform: &Path,
    provider: &Path,
    emulator_binary: &Path,
    interrupts: &Interrupts,
) -> Result<(), Failure> {
    step("Starting the Graph emulator");
    let mut emulator = Emulator::start(emulator_binary, scratch, interrupts)?;
    let outcome = (|| {
        let connection = emulator.wait_until_ready(interrupts)?;
        eprintln!("    Microsoft Graph at {} (tenant {})", connection.endpoint, connection.tenant_id);
        if let Some(second) = connection.tenants.get(1) {
            eprintln!("    A second tenant, {}, for the two-tenant examples", second.tenant_id);
        }
        let workdir = example.copy_to(scratch)?;
        let cli_config = write_cli_config(scratch, provider)?;
        let env = terraform_env(&connection, &cli_config);
        let terraform = Terraform { binary: terraform, workdir: &workdir, env: &env, interrupts };

        step(&format!("terraform plan ({EXAMPLES_DIR}/{}/)", example.name));
        terraform.run(&["plan", "-input=false", "-out=quickstart.tfplan"])?;
        step("terraform apply (the saved plan)");
        terraform.run(&["apply", "-input=false", "quickstart.tfplan"])?;
        step("terraform plan again: nothing may change");
        let status = terraform.status(&["plan", "-input=false", "-detailed-exitcode"])?;
        match status.code() {
            Some(0) => {}
            Some(2) => {
                return Err(Failure::Step("the second plan was not empty: the provider has a perpetual diff".into()));
            }
            _ => return Err(Failure::Step(format!("the second terraform plan failed ({status})"))),
        }
        step("terraform destroy");
        terraform.run(&["destroy", "-input=false", "-auto-approve"])?;
        Ok(())
    })();
    let stopped = emulator.stop();
    if outcome.is_err() || interrupts.is_set() {
        emulator.print_log_tail();
    }
    // A step that failed while the user was interrupting failed because of it.
    if interrupts.is_set() && outcome.is_err() {
        return Err(Failure::Interrupted);
    }
    outcome?;
    stopped?;
    interrupts.check()
}

fn step(text: &str) {
    eprintln!("\n==> {text}");
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    let file = if cfg!(windows) { format!("{name}.exe") } else { name.to_owned() };
    std::env::split_paths(&paths).map(|dir| dir.join(&file)).find(|p| p.is_file())
}

/// An example folder the quick start can apply: a root module under `examples/`.
#[derive(Debug, Clone)]
struct Example {
    /// Its path under `examples/`, with `/` separators (`scenarios/cross-tenant-sync`).
    name: String,
    /// Its `.tf` files.
    files: Vec<PathBuf>,
}

impl Example {
    /// The example `name` (a folder under `examples/`, e.g. `scenarios/cross-tenant-sync`), or an error that lists
    /// the ones there are.
    fn find(root: &Path, name: &str) -> Result<Example, String> {
        let name = name.trim_matches('/').replace('\\', "/");
        let name = name.strip_prefix("examples/").unwrap_or(&name).to_owned();
        let escapes = name.split('/').any(|part| part.is_empty() || part == "." || part == "..");
        let dir = root.join(EXAMPLES_DIR).join(&name);
        let files = if escapes { Vec::new() } else { tf_files(&dir) };
        if files.is_empty() {
            return Err(format!(
                "no example {name:?}: --example takes a folder under {EXAMPLES_DIR}/ with .tf files, one of: {}",
                example_names(&root.join(EXAMPLES_DIR)).join(", ")
            ));
        }
        Ok(Example { name, files })
    }

    /// Copies the example's `.tf` files into the scratch directory, so nothing is written into the repository: no
    /// `.terraform`, no state, no lock file.
    fn copy_to(&self, scratch: &Path) -> Result<PathBuf, String> {
        let workdir = scratch.join("work");
        std::fs::create_dir_all(&workdir).map_err(|e| format!("creating {}: {e}", workdir.display()))?;
        for path in &self.files {
            let name = path.file_name().ok_or("a file name")?;
            std::fs::copy(path, workdir.join(name)).map_err(|e| format!("copying {}: {e}", path.display()))?;
        }
        Ok(workdir)
    }
}

/// The `.tf` files directly in `dir` (none when it is not a directory).
fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    files
}

/// The folders under `examples` that hold `.tf` files, as `--example` takes them, sorted.
fn example_names(examples: &Path) -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, found: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
                if !tf_files(&path).is_empty() {
                    found.push(name.clone());
                }
                walk(&path, &format!("{name}/"), found);
            }
        }
    }
    let mut found = Vec::new();
    walk(examples, "", &mut found);
    found.sort();
    found
}

/// A CLI configuration that makes Terraform use the binary just built, without `terraform init` (which would try
/// to download the provider from the registry).
fn write_cli_config(scratch: &Path, provider: &Path) -> Result<PathBuf, String> {
    let dir = provider.parent().ok_or("the provider binary's directory")?;
    let text = format!(
        "# Written by `cargo xtask quickstart`.\ndisable_checkpoint = true\n\nprovider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
        dir.display().to_string().replace('\\', "/")
    );
    let path = scratch.join("quickstart.tfrc");
    std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(path)
}

/// What the emulator wrote to its state file once it was listening.
#[derive(Debug, Clone)]
struct Connection {
    endpoint: String,
    ca_cert_file: String,
    tenant_id: String,
    client_id: String,
    client_secret: String,
    /// Every hosted tenant, the first one (the fields above) included.
    tenants: Vec<EmulatedTenant>,
}

/// One tenant of the state file's `tenants`: what the two-tenant examples need of it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EmulatedTenant {
    tenant_id: String,
    client_id: String,
    client_secret: String,
    /// Its first fixture user's and group's object ids.
    first_user_id: String,
    first_group_id: String,
}

/// The values of the variables the two-tenant examples declare, from the emulated tenants: the first tenant (the one
/// the `ARM_*` variables sign in to) is the source of cross-tenant synchronization and the multi-tenant
/// organization's owner, the second the target and the member. Terraform ignores `TF_VAR_*` variables an example
/// does not declare, so every example gets all of them.
fn example_variables(tenants: &[EmulatedTenant]) -> Vec<(String, String)> {
    let [first, second, ..] = tenants else { return Vec::new() };
    let values = [
        ("source_tenant_id", &first.tenant_id),
        ("target_tenant_id", &second.tenant_id),
        ("target_client_id", &second.client_id),
        ("target_client_secret", &second.client_secret),
        ("sync_group_id", &first.first_group_id),
        ("sync_user_id", &first.first_user_id),
        ("owner_tenant_id", &first.tenant_id),
        ("owner_client_id", &first.client_id),
        ("owner_client_secret", &first.client_secret),
        ("member_tenant_id", &second.tenant_id),
        ("member_client_id", &second.client_id),
        ("member_client_secret", &second.client_secret),
    ];
    values.into_iter().map(|(name, value)| (format!("TF_VAR_{name}"), value.clone())).collect()
}

/// Terraform's environment: this process's, without anything that could point Terraform or the provider elsewhere
/// (real credentials, other CLI configurations, reattached providers), plus the emulator's settings under the
/// names a pipeline would use.
fn terraform_env(connection: &Connection, cli_config: &Path) -> Vec<(String, String)> {
    let dropped = |name: &str| {
        (name.starts_with("TF_") && !name.starts_with("TF_LOG"))
            || name.starts_with("ARM_")
            || name.starts_with("AZURE_")
            || name.starts_with("ACTIONS_ID_TOKEN_")
            || name.starts_with("ENTRA_")
            || name == "SSL_CERT_FILE"
    };
    let settings = [
        ("TF_CLI_CONFIG_FILE", cli_config.display().to_string()),
        ("TF_INPUT", "0".to_owned()),
        // The quick start runs each next step itself; Terraform's "now run terraform apply" hints would mislead.
        ("TF_IN_AUTOMATION", "1".to_owned()),
        ("CHECKPOINT_DISABLE", "1".to_owned()),
        ("RUST_BACKTRACE", "0".to_owned()),
        ("ARM_TENANT_ID", connection.tenant_id.clone()),
        ("ARM_CLIENT_ID", connection.client_id.clone()),
        ("ARM_CLIENT_SECRET", connection.client_secret.clone()),
        ("ARM_GRAPH_ENDPOINT", connection.endpoint.clone()),
        ("ARM_AUTHORITY_HOST", connection.endpoint.clone()),
        ("ARM_USE_CLI", "false".to_owned()),
        // The emulator's certificate is self-signed: trust its CA, as one would a corporate TLS-inspection proxy.
        ("SSL_CERT_FILE", connection.ca_cert_file.clone()),
        // The emulator has no replication lag, so the provider need not pause a second between consistency reads.
        ("ENTRA_CONSISTENCY_POLL_INTERVAL", "50ms".to_owned()),
    ];
    let mut env: Vec<(String, String)> =
        std::env::vars().filter(|(name, _)| !dropped(name) && !settings.iter().any(|(ours, _)| ours == name)).collect();
    env.extend(settings.into_iter().map(|(k, v)| (k.to_owned(), v)));
    env.extend(example_variables(&connection.tenants));
    env
}

/// The running `terraform` commands of the quick start.
struct Terraform<'a> {
    binary: &'a Path,
    workdir: &'a Path,
    env: &'a [(String, String)],
    interrupts: &'a Interrupts,
}

impl Terraform<'_> {
    /// Runs `terraform args` with the output shown to the user; fails unless it succeeded.
    fn run(&self, args: &[&str]) -> Result<(), Failure> {
        let status = self.status(args)?;
        if status.success() {
            Ok(())
        } else {
            Err(Failure::Step(format!("`terraform {}` failed ({status})", args.join(" "))))
        }
    }

    /// Runs `terraform args` with the output shown to the user, and returns how it exited. Colours are kept for a
    /// terminal and dropped when the output goes to a file or a CI log.
    fn status(&self, args: &[&str]) -> Result<ExitStatus, Failure> {
        self.interrupts.check()?;
        let mut command = Command::new(self.binary);
        // The subcommand first, then flags: a saved plan file must stay the last argument.
        let (subcommand, rest) = args.split_first().ok_or("a terraform subcommand")?;
        command.arg(subcommand);
        if !std::io::stdout().is_terminal() {
            command.arg("-no-color");
        }
        command.args(rest);
        command.current_dir(self.workdir).env_clear().envs(self.env.iter().map(|(k, v)| (k, v)));
        command.stdin(Stdio::null());
        let mut child = command.spawn().map_err(|e| format!("starting {}: {e}", self.binary.display()))?;
        self.interrupts.track(child.id());
        let status = child.wait();
        self.interrupts.untrack(child.id());
        let status = status.map_err(|e| format!("waiting for terraform: {e}"))?;
        // Ctrl-C reaches Terraform and this process together; Terraform can die of it before the signal thread
        // here has noted it, and its death is then the interruption, not a failed step.
        if died_of_interruption(&status) {
            self.interrupts.raise(false);
        }
        self.interrupts.check()?;
        Ok(status)
    }
}

/// The emulator process.
struct Emulator {
    child: Option<Child>,
    state_file: PathBuf,
    log_file: PathBuf,
}

impl Emulator {
    fn start(binary: &Path, scratch: &Path, interrupts: &Interrupts) -> Result<Emulator, String> {
        let state_file = scratch.join("emulator.json");
        let log_file = scratch.join("emulator.log");
        let log = std::fs::File::create(&log_file).map_err(|e| format!("creating {}: {e}", log_file.display()))?;
        let log_copy = log.try_clone().map_err(|e| format!("opening {}: {e}", log_file.display()))?;
        let mut command = Command::new(binary);
        command
            .args(["--listen", "127.0.0.1:0", "--tenants", &EMULATED_TENANTS.to_string(), "--state-file"])
            .arg(&state_file)
            .arg("--ca-cert-file")
            .arg(scratch.join("emulator-ca.pem"))
            // The emulator reads some settings from ENTRA_EMULATOR_* variables; the quick start wants its defaults.
            .env_remove("ENTRA_EMULATOR_LISTEN")
            .env_remove("ENTRA_EMULATOR_STATE_FILE")
            .env_remove("ENTRA_EMULATOR_TENANT_ID")
            .env_remove("ENTRA_EMULATOR_CLIENT_ID")
            .env_remove("ENTRA_EMULATOR_CLIENT_SECRET")
            .env_remove("ENTRA_EMULATOR_ADMIN_KEY")
            .stdin(Stdio::null())
            .stdout(log_copy)
            .stderr(log);
        let child = command.spawn().map_err(|e| format!("starting {}: {e}", binary.display()))?;
        interrupts.track(child.id());
        Ok(Emulator { child: Some(child), state_file, log_file })
    }

    /// Waits for the state file the emulator writes (atomically) once it accepts connections.
    fn wait_until_ready(&mut self, interrupts: &Interrupts) -> Result<Connection, Failure> {
        let started = Instant::now();
        loop {
            interrupts.check()?;
            if let Ok(text) = std::fs::read_to_string(&self.state_file) {
                return parse_state_file(&text).map_err(Failure::Step);
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(Failure::Step(format!("the Graph emulator exited at start ({status})")));
            }
            if started.elapsed() > EMULATOR_START_TIMEOUT {
                return Err(Failure::Step(format!(
                    "the Graph emulator did not start within {}s",
                    EMULATOR_START_TIMEOUT.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the emulator: SIGTERM first (it then removes its state file), the hard way if it lingers.
    fn stop(&mut self) -> Result<(), String> {
        let Some(mut child) = self.child.take() else { return Ok(()) };
        if let Ok(Some(_)) = child.try_wait() {
            return Ok(());
        }
        terminate(child.id());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        child.kill().map_err(|e| format!("stopping the Graph emulator: {e}"))?;
        child.wait().map_err(|e| format!("stopping the Graph emulator: {e}"))?;
        Ok(())
    }

    fn print_log_tail(&self) {
        if let Ok(log) = std::fs::read_to_string(&self.log_file) {
            let lines: Vec<&str> = log.lines().collect();
            let tail = &lines[lines.len().saturating_sub(20)..];
            if !tail.is_empty() {
                eprintln!("\n--- last lines of the Graph emulator's log ---\n{}", tail.join("\n"));
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

fn parse_state_file(text: &str) -> Result<Connection, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("the emulator's state file is not JSON: {e}"))?;
    let field = |name: &str| {
        json[name].as_str().map(str::to_owned).ok_or_else(|| format!("the emulator's state file lacks `{name}`"))
    };
    let tenants = json["tenants"]
        .as_array()
        .ok_or("the emulator's state file lacks `tenants`")?
        .iter()
        .map(|tenant| {
            let text = |value: &serde_json::Value, what: &str| {
                value
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("a tenant in the emulator's state file lacks {what}"))
            };
            Ok(EmulatedTenant {
                tenant_id: text(&tenant["tenant_id"], "`tenant_id`")?,
                client_id: text(&tenant["client_id"], "`client_id`")?,
                client_secret: text(&tenant["client_secret"], "`client_secret`")?,
                first_user_id: text(&tenant["users"][0]["id"], "a user")?,
                first_group_id: text(&tenant["groups"][0]["id"], "a group")?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Connection {
        endpoint: field("endpoint")?,
        ca_cert_file: field("ca_cert_file")?,
        tenant_id: field("tenant_id")?,
        client_id: field("client_id")?,
        client_secret: field("client_secret")?,
        tenants,
    })
}

/// Asks a process to stop (SIGTERM on Unix).
fn terminate(pid: u32) {
    // `kill` keeps this crate free of unsafe code and of a libc dependency; it is on every Unix.
    if cfg!(unix) {
        let _ =
            Command::new("kill").args(["-TERM", &pid.to_string()]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    } else {
        let _ = Command::new("taskkill").args(["/PID", &pid.to_string()]).stdout(Stdio::null()).status();
    }
}

/// Whether a child process was killed by SIGINT or SIGTERM.
fn died_of_interruption(status: &ExitStatus) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        matches!(status.signal(), Some(2 | 15))
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        false
    }
}

/// Ctrl-C and SIGTERM handling: the signal no longer kills this process outright, so it can stop the emulator and
/// remove its scratch files. SIGINT from a terminal reaches the whole process group, so Terraform and the emulator
/// see Ctrl-C themselves (Terraform then stops gracefully); SIGTERM is sent to this process only, so it is passed
/// on to the running terraform command.
#[derive(Clone)]
struct Interrupts {
    set: Arc<AtomicBool>,
    children: Arc<Mutex<Vec<u32>>>,
}

impl Interrupts {
    fn install() -> Result<Interrupts, String> {
        let interrupts =
            Interrupts { set: Arc::new(AtomicBool::new(false)), children: Arc::new(Mutex::new(Vec::new())) };
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let watcher = interrupts.clone();
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || watcher.watch(&ready_tx))
            .map_err(|e| format!("starting the signal handler: {e}"))?;
        // Only go on once the handlers are registered: a Ctrl-C a moment later must not kill us before cleanup.
        ready_rx.recv().map_err(|_| "the signal handler did not start".to_owned())??;
        Ok(interrupts)
    }

    fn watch(&self, ready: &std::sync::mpsc::Sender<Result<(), String>>) {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime,
            Err(e) => {
                let _ = ready.send(Err(format!("starting the signal handler: {e}")));
                return;
            }
        };
        runtime.block_on(async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                let (mut interrupt, mut terminate_signal) =
                    match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
                        (Ok(i), Ok(t)) => (i, t),
                        (Err(e), _) | (_, Err(e)) => {
                            let _ = ready.send(Err(format!("registering signal handlers: {e}")));
                            return;
                        }
                    };
                let _ = ready.send(Ok(()));
                loop {
                    tokio::select! {
                        _ = interrupt.recv() => self.raise(false),
                        _ = terminate_signal.recv() => self.raise(true),
                    }
                }
            }
            #[cfg(not(unix))]
            {
                let _ = ready.send(Ok(()));
                while tokio::signal::ctrl_c().await.is_ok() {
                    self.raise(false);
                }
            }
        });
    }

    fn raise(&self, pass_on: bool) {
        if !self.set.swap(true, Ordering::SeqCst) {
            eprintln!("\nInterrupted: stopping and cleaning up...");
        }
        if pass_on {
            let children = self.children.lock().map(|c| c.clone()).unwrap_or_default();
            for pid in children {
                terminate(pid);
            }
        }
    }

    fn is_set(&self) -> bool {
        self.set.load(Ordering::SeqCst)
    }

    fn check(&self) -> Result<(), Failure> {
        if self.is_set() { Err(Failure::Interrupted) } else { Ok(()) }
    }

    fn track(&self, pid: u32) {
        if let Ok(mut children) = self.children.lock() {
            children.push(pid);
        }
    }

    fn untrack(&self, pid: u32) {
        if let Ok(mut children) = self.children.lock() {
            children.retain(|p| *p != pid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_child_killed_by_ctrl_c_or_sigterm_is_an_interruption() {
        use std::os::unix::process::ExitStatusExt;
        assert!(died_of_interruption(&ExitStatus::from_raw(2)));
        assert!(died_of_interruption(&ExitStatus::from_raw(15)));
        assert!(!died_of_interruption(&ExitStatus::from_raw(9)));
        assert!(!died_of_interruption(&ExitStatus::from_raw(1 << 8)), "exit code 1");
    }

    fn tenant(n: u8) -> EmulatedTenant {
        EmulatedTenant {
            tenant_id: format!("t{n}"),
            client_id: format!("c{n}"),
            client_secret: format!("s{n}"),
            first_user_id: format!("u{n}"),
            first_group_id: format!("g{n}"),
        }
    }

    #[test]
    fn the_state_file_gives_the_connection_and_every_tenant() {
        let tenant_json = |n: u8| {
            format!(
                r#"{{"tenant_id":"t{n}","client_id":"c{n}","client_secret":"s{n}","display_name":"T","default_domain_name":"t.example",
                "users":[{{"id":"u{n}","display_name":"Adele Vance"}},{{"id":"x","display_name":"Alex Wilber"}}],
                "groups":[{{"id":"g{n}","display_name":"Sales"}}]}}"#
            )
        };
        let text = format!(
            r#"{{"endpoint":"https://127.0.0.1:1","ca_cert_file":"/x/ca.pem","tenant_id":"t1","client_id":"c1","client_secret":"s1","token_endpoint":"e","tenants":[{},{}]}}"#,
            tenant_json(1),
            tenant_json(2)
        );
        let connection = parse_state_file(&text).expect("valid");
        assert_eq!(connection.endpoint, "https://127.0.0.1:1");
        assert_eq!(connection.ca_cert_file, "/x/ca.pem");
        assert_eq!(connection.tenants, [tenant(1), tenant(2)]);
        assert!(parse_state_file("{}").expect_err("empty").contains("`tenants`"));
        let no_groups = text.replace(r#""groups":[{"id":"g2","display_name":"Sales"}]"#, r#""groups":[]"#);
        assert!(parse_state_file(&no_groups).expect_err("no group").contains("a group"));
    }

    #[test]
    fn the_two_tenant_examples_get_the_second_tenant_and_the_fixtures() {
        let variables = example_variables(&[tenant(1), tenant(2)]);
        let get = |name: &str| variables.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        // Cross-tenant synchronization: the first tenant is the source (ARM_*), the second the target.
        assert_eq!(get("TF_VAR_source_tenant_id"), Some("t1"));
        assert_eq!(get("TF_VAR_target_tenant_id"), Some("t2"));
        assert_eq!(get("TF_VAR_target_client_id"), Some("c2"));
        assert_eq!(get("TF_VAR_target_client_secret"), Some("s2"));
        assert_eq!(get("TF_VAR_sync_group_id"), Some("g1"));
        assert_eq!(get("TF_VAR_sync_user_id"), Some("u1"));
        // The multi-tenant organization: the first tenant owns it, the second joins.
        assert_eq!(get("TF_VAR_owner_client_secret"), Some("s1"));
        assert_eq!(get("TF_VAR_member_tenant_id"), Some("t2"));
        assert_eq!(get("TF_VAR_member_client_id"), Some("c2"));
        assert!(example_variables(&[tenant(1)]).is_empty(), "one tenant: no two-tenant variables");
    }

    #[test]
    fn every_variable_of_the_two_tenant_examples_is_supplied() {
        let root = crate::workspace_root();
        let supplied: Vec<String> = example_variables(&[tenant(1), tenant(2)])
            .into_iter()
            .map(|(name, _)| name.trim_start_matches("TF_VAR_").to_owned())
            .collect();
        for example in ["scenarios/cross-tenant-sync", "scenarios/multi-tenant-organization"] {
            let found = Example::find(&root, example).expect("the example exists");
            let text: String = found.files.iter().map(|f| std::fs::read_to_string(f).expect("read")).collect();
            let declared: Vec<&str> = text
                .lines()
                .filter_map(|line| line.trim().strip_prefix("variable \""))
                .filter_map(|rest| rest.split('"').next())
                .collect();
            assert!(!declared.is_empty(), "{example} declares variables");
            for name in declared {
                assert!(supplied.iter().any(|s| s == name), "{example}: variable {name} is not supplied");
            }
        }
    }

    #[test]
    fn an_example_is_a_folder_under_examples_with_tf_files() {
        let root = crate::workspace_root();
        let found = Example::find(&root, "examples/scenarios/cross-tenant-sync/").expect("found");
        assert_eq!(found.name, "scenarios/cross-tenant-sync");
        assert!(found.files.iter().all(|f| f.extension().is_some_and(|e| e == "tf")));
        assert_eq!(Example::find(&root, DEFAULT_EXAMPLE).expect("the default").name, "quickstart");
        for wrong in ["scenarios/nope", "scenarios", "../provider", "scenarios/../../provider", ""] {
            let error = Example::find(&root, wrong).expect_err(wrong);
            assert!(error.contains("scenarios/cross-tenant-sync") && error.contains("quickstart"), "{error}");
        }
    }

    #[test]
    fn terraform_gets_the_emulator_and_nothing_of_the_callers_setup() {
        let connection = Connection {
            endpoint: "https://127.0.0.1:1".into(),
            ca_cert_file: "/x/ca.pem".into(),
            tenant_id: "t".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            tenants: vec![tenant(1), tenant(2)],
        };
        let env = terraform_env(&connection, Path::new("/x/q.tfrc"));
        let get = |name: &str| env.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
        assert_eq!(get("ARM_GRAPH_ENDPOINT"), ["https://127.0.0.1:1"]);
        assert_eq!(get("ARM_AUTHORITY_HOST"), ["https://127.0.0.1:1"]);
        assert_eq!(get("SSL_CERT_FILE"), ["/x/ca.pem"]);
        assert_eq!(get("TF_CLI_CONFIG_FILE"), ["/x/q.tfrc"]);
        assert_eq!(get("ARM_USE_CLI"), ["false"]);
        assert_eq!(get("TF_VAR_target_tenant_id"), ["t2"]);
        // Whatever the caller's environment holds, each variable appears once: ours.
        for (name, _) in &env {
            assert_eq!(env.iter().filter(|(k, _)| k == name).count(), 1, "{name}");
        }
    }
}
