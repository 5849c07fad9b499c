//! Running the real `terraform` binary in a working directory, timed, with a controlled environment.
//!
//! Each working directory has its own CLI configuration. For the provider it is found either through
//! `dev_overrides` (the managed path users run: Terraform starts the binary itself, with AutoMTLS, and no
//! `terraform init` is needed or possible offline) or through `TF_REATTACH_PROVIDERS` (a provider process started by
//! the bench, so its memory can be read). Configurations using only Terraform's built-in `terraform_data` need
//! neither.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// The provider's source address, as configurations write it.
pub const PROVIDER_SOURCE: &str = "entra-tools/entra";

/// The terraform binary: `TF_ACC_TERRAFORM_PATH` (as in the acceptance tests), or `terraform` on `PATH`.
pub fn terraform_binary() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join("terraform")).find(|p| p.is_file()))
        .context(
            "the bench runs the real terraform binary and none was found: put it on PATH or set TF_ACC_TERRAFORM_PATH",
        )
}

/// How Terraform finds the provider in a working directory.
#[derive(Debug, Clone)]
pub enum ProviderAccess {
    /// No provider: the configuration only uses Terraform's built-in resources.
    BuiltinOnly,
    /// The binary in this directory, through `dev_overrides`.
    DevOverride(PathBuf),
    /// A running provider process, through this `TF_REATTACH_PROVIDERS` value.
    Reattach(String),
}

/// A finished terraform command.
#[derive(Debug, Clone)]
pub struct Run {
    /// The command line, for messages.
    pub command: String,
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Wall time from spawning terraform to its exit.
    pub wall: Duration,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
}

impl Run {
    /// Fails unless the exit code is one of `codes`, with everything terraform printed.
    pub fn expect_code(self, codes: &[i32]) -> anyhow::Result<Run> {
        match self.code {
            Some(code) if codes.contains(&code) => Ok(self),
            _ => bail!(
                "`{}` exited with {:?} (expected {codes:?})\n--- stdout ---\n{}\n--- stderr ---\n{}",
                self.command,
                self.code,
                tail(&self.stdout, 60),
                tail(&self.stderr, 60)
            ),
        }
    }
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A temporary directory where terraform runs.
#[derive(Debug)]
pub struct WorkDir {
    dir: tempfile::TempDir,
    terraform: PathBuf,
    env: Vec<(String, String)>,
}

impl WorkDir {
    /// A new directory whose commands see exactly: `PATH`, `HOME` and `TMPDIR` from this process, a CLI
    /// configuration of its own, the settings for unattended runs, and `provider_env` (which Terraform passes on to
    /// the provider processes it starts).
    pub fn new(
        terraform: &Path,
        access: &ProviderAccess,
        provider_env: &[(String, String)],
    ) -> anyhow::Result<WorkDir> {
        let dir = tempfile::Builder::new().prefix("entra-bench-").tempdir().context("creating a working directory")?;
        let cli_config = dir.path().join(".terraformrc");
        let mut config = "disable_checkpoint = true\n".to_owned();
        if let ProviderAccess::DevOverride(binary_dir) = access {
            config.push_str(&format!(
                "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                binary_dir.display()
            ));
        }
        std::fs::write(&cli_config, config).context("writing the CLI configuration")?;

        let mut env: Vec<(String, String)> = ["PATH", "HOME", "TMPDIR"]
            .iter()
            .filter_map(|name| std::env::var(name).ok().map(|value| ((*name).to_owned(), value)))
            .collect();
        let fixed = [
            ("TF_CLI_CONFIG_FILE", cli_config.display().to_string()),
            // Terraform 1.0 mistakes provider output containing "panic:" for its own crash; backtraces contain it.
            ("RUST_BACKTRACE", "0".to_owned()),
            ("CHECKPOINT_DISABLE", "1".to_owned()),
            ("TF_IN_AUTOMATION", "1".to_owned()),
            ("TF_INPUT", "0".to_owned()),
        ];
        env.extend(fixed.into_iter().map(|(k, v)| (k.to_owned(), v)));
        if let ProviderAccess::Reattach(reattach) = access {
            env.push(("TF_REATTACH_PROVIDERS".to_owned(), reattach.clone()));
        }
        env.extend(provider_env.iter().cloned());
        Ok(WorkDir { dir, terraform: terraform.to_path_buf(), env })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `main.tf`.
    pub fn write_config(&self, hcl: &str) -> anyhow::Result<()> {
        std::fs::write(self.path().join("main.tf"), hcl).context("writing main.tf")
    }

    /// Removes the state, so the next apply starts from nothing.
    pub fn forget_state(&self) -> anyhow::Result<()> {
        for file in ["terraform.tfstate", "terraform.tfstate.backup"] {
            match std::fs::remove_file(self.path().join(file)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("removing {file}"));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Runs `terraform <args>` here, timed, with `extra_env` on top of the directory's environment.
    pub fn run(&self, args: &[&str], extra_env: &[(&str, &str)]) -> anyhow::Result<Run> {
        let command_line = format!("terraform {}", args.join(" "));
        let mut command = Command::new(&self.terraform);
        command
            .args(args)
            .current_dir(self.path())
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        // `output` reads both pipes to the end while waiting, so a chatty terraform never blocks on a full pipe.
        let output = command.output().with_context(|| format!("starting {}", self.terraform.display()))?;
        let wall = started.elapsed();
        Ok(Run {
            command: command_line,
            code: output.status.code(),
            wall,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    /// `terraform apply -auto-approve`, which must succeed.
    pub fn apply(&self, extra_env: &[(&str, &str)]) -> anyhow::Result<Run> {
        self.run(&["apply", "-auto-approve", "-input=false", "-no-color"], extra_env)?.expect_code(&[0])
    }

    /// `terraform plan` with refresh, which must succeed and find nothing to change (a plan with changes would
    /// measure something else than a refresh).
    pub fn plan_expecting_no_changes(&self, extra_env: &[(&str, &str)]) -> anyhow::Result<Run> {
        self.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"], extra_env)?.expect_code(&[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_overrides_and_reattach_reach_terraform() {
        let terraform = Path::new("/bin/true");
        let binaries = PathBuf::from("/opt/provider");
        let managed = WorkDir::new(terraform, &ProviderAccess::DevOverride(binaries), &[]).unwrap();
        let cli = std::fs::read_to_string(managed.path().join(".terraformrc")).unwrap();
        assert!(cli.contains("\"entra-tools/entra\" = \"/opt/provider\""), "{cli}");

        let attached = WorkDir::new(
            terraform,
            &ProviderAccess::Reattach("{}".to_owned()),
            &[("ARM_TENANT_ID".to_owned(), "t".to_owned())],
        )
        .unwrap();
        let get = |name: &str| attached.env.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        assert_eq!(get("TF_REATTACH_PROVIDERS"), Some("{}"));
        assert_eq!(get("ARM_TENANT_ID"), Some("t"));
        assert_eq!(get("RUST_BACKTRACE"), Some("0"));
        assert!(!std::fs::read_to_string(attached.path().join(".terraformrc")).unwrap().contains("dev_overrides"));
    }

    #[test]
    fn unexpected_exit_codes_are_errors_with_the_output() {
        let run = Run {
            command: "terraform plan".into(),
            code: Some(2),
            wall: Duration::ZERO,
            stdout: "changes".into(),
            stderr: String::new(),
        };
        let error = run.clone().expect_code(&[0]).unwrap_err().to_string();
        assert!(error.contains("exited with Some(2)") && error.contains("changes"), "{error}");
        assert!(run.expect_code(&[0, 2]).is_ok());
    }
}
