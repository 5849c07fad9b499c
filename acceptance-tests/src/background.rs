//! Terraform commands run in the background, to interrupt them part-way (Ctrl-C, or killed outright) the way an
//! operator or a CI runner does.
//!
//! ```no_run
//! # use acceptance_tests::{Harness, Signal};
//! # fn example(harness: &Harness) {
//! let mut workdir = harness.workdir();
//! workdir.write_config("# ...");
//! workdir.init();
//! let apply = workdir.spawn(&["apply", "-auto-approve", "-input=false", "-no-color", "-lock=false"]);
//! std::thread::sleep(std::time::Duration::from_secs(2));
//! apply.signal(Signal::Kill);
//! let output = apply.wait();
//! assert_eq!(output.code, None, "killed by a signal");
//! # }
//! ```

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::terraform::Output;

/// A signal to send to a running command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT, what Ctrl-C sends: Terraform stops its providers (StopProvider) and saves what it has.
    Interrupt,
    /// SIGTERM: handled by Terraform like SIGINT.
    Terminate,
    /// SIGKILL: the process ends at once, saving nothing more.
    Kill,
}

impl Signal {
    fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "INT",
            Signal::Terminate => "TERM",
            Signal::Kill => "KILL",
        }
    }
}

/// The threads draining a command's stdout and stderr.
type Readers = (JoinHandle<Vec<u8>>, JoinHandle<Vec<u8>>);

/// A terraform command running in the background (see [`crate::WorkDir::spawn`]). Its output is collected
/// while it runs; [`BackgroundCommand::wait`] returns it. Dropping it kills the command.
#[derive(Debug)]
pub struct BackgroundCommand {
    command_line: String,
    child: Child,
    /// The threads reading stdout and stderr; taken when the command is waited for.
    readers: Option<Readers>,
}

impl BackgroundCommand {
    pub(crate) fn start(terraform: &Path, dir: &Path, args: &[&str], env: &[(OsString, OsString)]) -> Self {
        let command_line = format!("terraform {}", args.join(" "));
        let mut command = Command::new(terraform);
        command.args(args).current_dir(dir).env_clear().envs(env.iter().map(|(k, v)| (k, v)));
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().unwrap_or_else(|e| panic!("starting {}: {e}", terraform.display()));
        // Drain both pipes from the start, so a chatty terraform never blocks on a full pipe.
        let out = drain(child.stdout.take().expect("piped stdout"));
        let err = drain(child.stderr.take().expect("piped stderr"));
        BackgroundCommand { command_line, child, readers: Some((out, err)) }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// True while the command runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends `signal` to the command (terraform itself, not the providers it started).
    ///
    /// # Panics
    /// When the signal cannot be sent.
    pub fn signal(&self, signal: Signal) {
        let status =
            Command::new("kill").args(["-s", signal.name(), &self.child.id().to_string()]).status().expect("run kill");
        assert!(status.success(), "kill -s {} {} failed", signal.name(), self.child.id());
    }

    /// Waits until `condition` holds (checked every 20 ms) or the command ends; returns whether it held.
    pub fn wait_until(&mut self, limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
        let started = Instant::now();
        while started.elapsed() < limit {
            if condition() {
                return true;
            }
            if !self.is_running() {
                return condition();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Waits for the command to end (at most `TF_ACC_COMMAND_TIMEOUT`, default 300 s, then it is killed and the
    /// test fails) and returns what it printed.
    ///
    /// # Panics
    /// When it runs past the timeout.
    pub fn wait(mut self) -> Output {
        let limit = std::env::var("TF_ACC_COMMAND_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(Duration::from_secs(300), Duration::from_secs);
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("poll terraform") {
                break status;
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                panic!("`{}` did not finish within {limit:?}", self.command_line);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let (out, err) = self.readers.take().expect("readers are taken once");
        Output {
            command: self.command_line.clone(),
            code: status.code(),
            stdout: String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned(),
            stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
        }
    }
}

/// Reads a pipe to its end on a thread of its own.
fn drain(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = pipe.read_to_end(&mut text);
        text
    })
}

impl Drop for BackgroundCommand {
    fn drop(&mut self) {
        if self.readers.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
