//! The provider's own CPU time in a plan, measured on the real binary as Terraform runs it.
//!
//! Terraform finds the provider through `dev_overrides` in a directory that holds, under the provider's file name,
//! a copy of the bench binary. Started with [`WRAPPED_PROVIDER`] in its environment (Terraform passes its
//! environment on to plugins), the bench binary does nothing but wrap: it starts the real provider with the same
//! arguments and environment and its own stdin, stdout and stderr (so the handshake line and the logs reach
//! Terraform untouched), waits for it, and appends the provider's user and system CPU time, as the kernel
//! accounts it to a reaped child (`getrusage(RUSAGE_CHILDREN)`, microseconds), to the file named by [`CPU_LOG`].
//! The shipped provider has no hook for this. The wrapper's own start costs wall time, but none of its CPU is
//! counted.
//!
//! The RPCs the provider processes served come from the provider's own debug log (one "served request" line per
//! tfplugin6 RPC), in one more plan of the same configuration run with `TF_LOG=debug`: logging costs CPU, so the
//! measured plans run without it. A refresh plan of an unchanged configuration makes the same calls every time.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::{Context as _, bail};

/// Set to the real provider binary: the bench binary then runs as the wrapper.
pub const WRAPPED_PROVIDER: &str = "ENTRA_BENCH_WRAPPED_PROVIDER";
/// The file the wrapper appends one line `<user µs> <system µs>` to per provider process.
pub const CPU_LOG: &str = "ENTRA_BENCH_CPU_LOG";

/// When the environment asks for the wrapper, runs it and returns the exit code to end with; `None` otherwise.
pub fn wrap_if_asked() -> Option<ExitCode> {
    let provider = std::env::var_os(WRAPPED_PROVIDER)?;
    Some(match wrap(provider) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("entra-bench (provider wrapper): {e:#}");
            ExitCode::FAILURE
        }
    })
}

fn wrap(provider: OsString) -> anyhow::Result<ExitCode> {
    let log = std::env::var_os(CPU_LOG).with_context(|| format!("{WRAPPED_PROVIDER} is set but {CPU_LOG} is not"))?;
    let status = Command::new(&provider)
        .args(std::env::args_os().skip(1))
        .env_remove(WRAPPED_PROVIDER)
        .env_remove(CPU_LOG)
        .status()
        .with_context(|| format!("running {}", Path::new(&provider).display()))?;
    // The provider is this process's only child, and it has been reaped: the children's usage is exactly its own.
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .context("reading the provider's CPU time")?;
    let micros = |t: nix::sys::time::TimeVal| t.tv_sec() * 1_000_000 + t.tv_usec();
    let line = format!("{} {}\n", micros(usage.user_time()), micros(usage.system_time()));
    // One short append per process: concurrent provider processes do not interleave within a line.
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut file| file.write_all(line.as_bytes()))
        .with_context(|| format!("appending to {}", Path::new(&log).display()))?;
    Ok(match status.code() {
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// The CPU time of one provider process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessCpu {
    /// User time.
    pub user: Duration,
    /// System time.
    pub system: Duration,
}

impl ProcessCpu {
    /// User plus system time.
    pub fn total(&self) -> Duration {
        self.user + self.system
    }
}

/// A directory to point `dev_overrides` at, whose provider binary is the wrapper around the real one.
#[derive(Debug)]
pub struct CpuMeter {
    dir: tempfile::TempDir,
    provider: PathBuf,
    log: PathBuf,
}

impl CpuMeter {
    /// Copies `wrapper` (the bench binary) into a fresh directory under the provider's file name, to wrap
    /// `provider`.
    pub fn new(wrapper: &Path, provider: &Path) -> anyhow::Result<CpuMeter> {
        let dir = tempfile::Builder::new().prefix("entra-bench-cpu-").tempdir().context("creating a directory")?;
        let copy = dir.path().join(crate::provider_process::BINARY_NAME);
        std::fs::copy(wrapper, &copy).with_context(|| format!("copying {}", wrapper.display()))?;
        let log = dir.path().join("cpu.log");
        Ok(CpuMeter { provider: provider.to_path_buf(), log, dir })
    }

    /// The directory for `dev_overrides`.
    pub fn provider_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The environment Terraform must run with for the wrapper to wrap and record.
    pub fn env(&self) -> [(&'static str, String); 2] {
        [(WRAPPED_PROVIDER, self.provider.display().to_string()), (CPU_LOG, self.log.display().to_string())]
    }

    /// The CPU time of each provider process that exited since the last call, and forgets them.
    pub fn take(&self) -> anyhow::Result<Vec<ProcessCpu>> {
        let text = match std::fs::read_to_string(&self.log) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).context("reading the CPU log"),
        };
        std::fs::write(&self.log, "").context("clearing the CPU log")?;
        parse_cpu_log(&text)
    }
}

/// Lines `<user µs> <system µs>`.
fn parse_cpu_log(text: &str) -> anyhow::Result<Vec<ProcessCpu>> {
    text.lines()
        .map(|line| {
            let fields: Vec<u64> = line.split_whitespace().map(str::parse).collect::<Result<_, _>>()?;
            match fields.as_slice() {
                [user, system] => {
                    Ok(ProcessCpu { user: Duration::from_micros(*user), system: Duration::from_micros(*system) })
                }
                _ => bail!("bad CPU log line {line:?}"),
            }
        })
        .collect()
}

/// The tfplugin6 RPCs our provider processes served, from Terraform's debug log (with the provider's lines in it).
pub fn rpcs_in_log(log: &str) -> usize {
    log.lines().filter(|l| l.contains(crate::provider_process::BINARY_NAME) && l.contains("served request")).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_log_has_one_line_per_process() {
        let cpu = parse_cpu_log("1500 250\n20 0\n").unwrap();
        assert_eq!(cpu.len(), 2);
        assert_eq!(cpu[0].total(), Duration::from_micros(1750));
        assert_eq!(cpu[1], ProcessCpu { user: Duration::from_micros(20), system: Duration::ZERO });
        assert!(parse_cpu_log("").unwrap().is_empty());
        assert!(parse_cpu_log("1 2 3\n").is_err());
        assert!(parse_cpu_log("x 2\n").is_err());
    }

    #[test]
    fn served_rpcs_are_counted_from_the_provider_lines_of_the_debug_log() {
        let log = "\
2026-11-21T22:00:00.002Z [DEBUG] provider.terraform-provider-entra: received request: @module=provider.tfplugin tf_rpc=ReadResource
2026-11-21T22:00:00.003Z [DEBUG] provider.terraform-provider-entra: served request: @module=provider.tfplugin tf_rpc=ReadResource
2026-11-21T22:00:00.004Z [DEBUG] provider.terraform-provider-entra: served request: @module=provider.tfplugin tf_rpc=PlanResourceChange
2026-11-21T22:00:00.005Z [TRACE] GRPCProvider.v6: PlanResourceChange
2026-11-21T22:00:00.006Z [DEBUG] provider.terraform-provider-other: served request: tf_rpc=ReadResource";
        assert_eq!(rpcs_in_log(log), 2);
    }
}
