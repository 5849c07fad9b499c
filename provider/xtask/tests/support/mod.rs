//! What the command tests share: the xtask binary, the target directory the tests were built in, terraform, and
//! running a process with a time limit.

#![allow(dead_code)] // Each test file uses a different part of this module.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a whole command (including a first build of the provider and the emulator) may take.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_secs(1800);

/// The `xtask` binary cargo built for these tests.
pub(crate) fn xtask() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.env("RUST_BACKTRACE", "0");
    command
}

/// The target directory these tests were built in (`<target>/<profile>/deps/<test>`), when it can be told, so the
/// commands' own builds reuse everything already compiled.
pub(crate) fn target_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let target = exe.parent()?.parent()?.parent()?;
    target.join("CACHEDIR.TAG").is_file().then(|| target.to_path_buf())
}

/// Adds `--target-dir <dir>` when the tests' target directory is known.
pub(crate) fn with_target_dir(command: &mut Command) {
    if let Some(dir) = target_dir() {
        command.arg("--target-dir").arg(dir);
    }
}

/// The terraform binary: `TF_ACC_TERRAFORM_PATH`, else `terraform` on `PATH`.
pub(crate) fn terraform() -> PathBuf {
    if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let paths = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&paths)
        .map(|dir| dir.join("terraform"))
        .find(|p| p.is_file())
        .expect("these tests drive the real terraform: put it on PATH or set TF_ACC_TERRAFORM_PATH")
}

/// What a finished process printed.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl std::fmt::Display for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit code {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Runs `command` to completion with captured output, failing the test if it takes longer than `timeout`.
pub(crate) fn run(mut command: Command, timeout: Duration) -> Finished {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let description = format!("{command:?}");
    let mut child = command.spawn().unwrap_or_else(|e| panic!("starting {description}: {e}"));
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let err_reader = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stderr.read_to_end(&mut text);
            text
        });
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        let err = err_reader.join().unwrap_or_default();
        let status = child.wait();
        let _ = done.send((status, out, err));
    });
    match finished.recv_timeout(timeout) {
        Ok((status, out, err)) => Finished {
            code: status.ok().and_then(|s| s.code()),
            stdout: String::from_utf8_lossy(&out).into_owned(),
            stderr: String::from_utf8_lossy(&err).into_owned(),
        },
        Err(_) => {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            panic!("{description} did not finish within {timeout:?}");
        }
    }
}

/// The environment a terraform command gets in these tests: only what it needs (never the developer's CLI
/// configuration or credentials), plus `extra`.
pub(crate) fn terraform_command(dir: &Path, args: &[&str], extra: &[(String, String)]) -> Command {
    let mut command = Command::new(terraform());
    command.args(args).current_dir(dir).env_clear();
    for name in ["PATH", "HOME", "TMPDIR"] {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command.envs([("CHECKPOINT_DISABLE", "1"), ("RUST_BACKTRACE", "0"), ("TF_IN_AUTOMATION", "1"), ("TF_INPUT", "0")]);
    command.envs(extra.iter().map(|(k, v)| (k, v)));
    command
}
