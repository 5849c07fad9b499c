//! What the numbers were measured on: CPU, cores, memory, OS, the terraform and rustc versions, the build profile
//! and the load while the bench ran (the numbers mean little without it on a shared machine).

use std::path::Path;
use std::process::Command;

/// A description of the machine and toolchain.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    /// CPU model name, from `/proc/cpuinfo`.
    pub cpu: String,
    /// Logical CPUs available to this process.
    pub cores: usize,
    /// Total memory in bytes, from `/proc/meminfo`.
    pub memory_bytes: u64,
    /// Distribution name and kernel release.
    pub os: String,
    /// `terraform version` of the binary the bench runs.
    pub terraform: String,
    /// The compiler that built the bench (and, with the same profile, the provider).
    pub rustc: String,
    /// `release` or `debug`.
    pub profile: String,
    /// The 1-minute load average when the bench started, from `/proc/loadavg`.
    pub load_at_start: Option<f64>,
}

impl Machine {
    /// Describes this machine; `terraform` is the binary the bench runs.
    pub fn describe(terraform: &Path) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        let distribution = field(&os_release, "PRETTY_NAME", '=').map(|v| v.trim_matches('"').to_owned());
        Machine {
            cpu: field(&cpuinfo, "model name", ':').unwrap_or_else(|| "unknown CPU".to_owned()),
            cores: std::thread::available_parallelism().map(usize::from).unwrap_or(1),
            memory_bytes: field(&meminfo, "MemTotal", ':').and_then(|v| parse_kib(&v)).unwrap_or(0),
            os: format!("{}, Linux {}", distribution.unwrap_or_else(|| std::env::consts::OS.to_owned()), kernel.trim()),
            terraform: terraform_version(terraform),
            rustc: env!("ENTRA_BENCH_RUSTC_VERSION").to_owned(),
            profile: if cfg!(debug_assertions) { "debug" } else { "release" }.to_owned(),
            load_at_start: load_average(),
        }
    }

    /// One line, for the report's header.
    pub fn line(&self) -> String {
        format!(
            "{} × {} cores, {:.1} GiB RAM, {}; terraform {}, {}, {} build",
            self.cpu,
            self.cores,
            self.memory_bytes as f64 / (1024.0 * 1024.0 * 1024.0),
            self.os,
            self.terraform,
            self.rustc,
            self.profile
        )
    }
}

/// The 1-minute load average, from `/proc/loadavg`.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// The value of the first `name<separator>value` line.
fn field(text: &str, name: &str, separator: char) -> Option<String> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(separator)?;
        (key.trim() == name).then(|| value.trim().to_owned())
    })
}

/// `16384256 kB` → bytes.
fn parse_kib(value: &str) -> Option<u64> {
    value.split_whitespace().next()?.parse::<u64>().ok().map(|kib| kib * 1024)
}

/// `1.11.4`, from `terraform version -json`.
fn terraform_version(terraform: &Path) -> String {
    let output = Command::new(terraform).args(["version", "-json"]).env("CHECKPOINT_DISABLE", "1").output();
    output
        .ok()
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
        .and_then(|v| v["terraform_version"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_fields_are_read() {
        let cpuinfo = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n";
        assert_eq!(field(cpuinfo, "model name", ':').as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(parse_kib("24684512 kB"), Some(24_684_512 * 1024));
        let os = "NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(field(os, "PRETTY_NAME", '=').as_deref(), Some("\"Debian GNU/Linux 12 (bookworm)\""));
    }
}
