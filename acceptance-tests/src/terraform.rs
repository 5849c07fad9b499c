//! Running the `terraform` binary: finding it, giving it a controlled environment, capturing its output.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long one terraform command may run before the test fails (override with `TF_ACC_COMMAND_TIMEOUT`, seconds).
const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// The terraform binary: `TF_ACC_TERRAFORM_PATH`, or `terraform` on `PATH`.
///
/// # Panics
/// When no terraform binary can be found: the acceptance tests need one and say how to provide it.
pub fn terraform_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "TF_ACC_TERRAFORM_PATH names {}, which is not a file", path.display());
        return path;
    }
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).map(|dir| dir.join("terraform")).find(|p| p.is_file()));
    found.flatten().unwrap_or_else(|| {
        panic!(
            "the acceptance tests drive the real terraform binary, and none was found: put terraform on PATH or set \
             TF_ACC_TERRAFORM_PATH to its location"
        )
    })
}

/// Whether a variable of the test process's environment reaches terraform. Everything that could change
/// Terraform's behaviour is dropped (the harness sets its own values); logging settings pass through so a developer
/// can debug with `TF_LOG=DEBUG`.
fn inherited(name: &str) -> bool {
    const PASS_THROUGH: [&str; 5] = ["TF_LOG", "TF_LOG_PATH", "TF_LOG_CORE", "TF_LOG_PROVIDER", "TF_LOG_PATH_MASK"];
    if PASS_THROUGH.contains(&name) {
        return true;
    }
    !(name.starts_with("TF_")
        || name.starts_with("CHECKPOINT_")
        || name == "RUST_BACKTRACE"
        || name == "RUST_LIB_BACKTRACE")
}

/// The environment every terraform command gets: the test process's environment without Terraform settings, plus
/// `extra` (the CLI config file, reattach settings, ...), plus the fixed settings for unattended runs.
pub(crate) fn environment(extra: &[(String, String)]) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> =
        std::env::vars_os().filter(|(name, _)| name.to_str().is_some_and(inherited)).collect();
    let fixed = [
        // Terraform 1.0 mistakes provider output containing "panic:" for its own crash; backtraces contain it.
        ("RUST_BACKTRACE", "0"),
        ("CHECKPOINT_DISABLE", "1"),
        ("TF_IN_AUTOMATION", "1"),
        ("TF_INPUT", "0"),
    ];
    env.extend(fixed.iter().map(|(k, v)| (OsString::from(k), OsString::from(v))));
    env.extend(extra.iter().map(|(k, v)| (OsString::from(k), OsString::from(v))));
    env
}

/// What a command did.
#[derive(Debug, Clone)]
pub struct Output {
    /// The command line, for messages.
    pub command: String,
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
}

impl Output {
    /// True for exit code 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// stdout and stderr together (Terraform prints diagnostics on stderr).
    pub fn combined(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// [`Output::combined`] with Terraform's line wrapping undone (every run of whitespace one space), to find a
    /// diagnostic's sentences in it.
    pub fn unwrapped(&self) -> String {
        self.combined().split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The output itself when the command succeeded.
    ///
    /// # Panics
    /// When it failed, with everything it printed.
    #[track_caller]
    pub fn expect_success(self) -> Output {
        if !self.success() {
            panic!("{self}");
        }
        self
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` exited with {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command, self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `terraform args...` in `dir` with exactly `env`, failing the test if it runs past the timeout.
pub(crate) fn run(terraform: &Path, dir: &Path, args: &[&str], env: &[(OsString, OsString)]) -> Output {
    let command_line = format!("terraform {}", args.join(" "));
    let mut command = Command::new(terraform);
    command.args(args).current_dir(dir).env_clear().envs(env.iter().map(|(k, v)| (k, v)));
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap_or_else(|e| panic!("starting {}: {e}", terraform.display()));
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        // Read both pipes fully before waiting, so a chatty terraform never blocks on a full pipe.
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
    let timeout = std::env::var("TF_ACC_COMMAND_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(DEFAULT_COMMAND_TIMEOUT, Duration::from_secs);
    match finished.recv_timeout(timeout) {
        Ok((status, out, err)) => Output {
            command: command_line,
            code: status.ok().and_then(|s| s.code()),
            stdout: String::from_utf8_lossy(&out).into_owned(),
            stderr: String::from_utf8_lossy(&err).into_owned(),
        },
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("`{command_line}` in {} did not finish within {timeout:?}", dir.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_settings_from_the_test_environment_do_not_leak() {
        assert!(!inherited("TF_WORKSPACE"));
        assert!(!inherited("TF_CLI_CONFIG_FILE"));
        assert!(!inherited("TF_REATTACH_PROVIDERS"));
        assert!(!inherited("RUST_BACKTRACE"));
        assert!(inherited("TF_LOG"));
        assert!(inherited("PATH"));
        assert!(inherited("HOME"));
    }

    #[test]
    fn fixed_settings_win_over_inherited_ones() {
        let env = environment(&[("TF_CLI_CONFIG_FILE".to_owned(), "/x".to_owned())]);
        let get = |name: &str| env.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.to_string_lossy().into_owned());
        assert_eq!(get("RUST_BACKTRACE").as_deref(), Some("0"));
        assert_eq!(get("CHECKPOINT_DISABLE").as_deref(), Some("1"));
        assert_eq!(get("TF_IN_AUTOMATION").as_deref(), Some("1"));
        assert_eq!(get("TF_CLI_CONFIG_FILE").as_deref(), Some("/x"));
    }
}
