//! Building the project's binaries with cargo, and finding out where cargo put them.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct Build {
    /// `(package, binary)` pairs, e.g. `("terraform-provider-entra", "terraform-provider-entra")`.
    pub binaries: Vec<(String, String)>,
    /// An optimized build (`--release`) rather than the dev profile.
    pub release: bool,
    /// A Rust target triple to cross-compile for; `None` builds for this machine.
    pub target: Option<String>,
    /// cargo's `--target-dir`; `None` lets cargo decide (`CARGO_TARGET_DIR`, else `<root>/target`).
    pub target_dir: Option<PathBuf>,
    /// Extra environment for cargo (a cross target's linker and C compiler).
    pub env: Vec<(String, String)>,
}

impl Build {
    /// A dev-profile build of `binaries` (`(package, binary)` pairs) for this machine.
    pub fn new<'a>(binaries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Build {
        Build {
            binaries: binaries.into_iter().map(|(p, b)| (p.to_owned(), b.to_owned())).collect(),
            ..Build::default()
        }
    }

    /// Runs `cargo build` in `root` and returns the path of each binary, by binary name. cargo's progress and
    /// diagnostics go to stderr as usual; its machine-readable messages on stdout say where each executable went,
    /// whatever the target directory, profile or target.
    ///
    /// # Errors
    /// When cargo cannot be started, the build fails, or a binary is not reported.
    pub fn run(&self, root: &Path) -> Result<BTreeMap<String, PathBuf>, String> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command.current_dir(root).args(["build", "--message-format=json-render-diagnostics"]);
        for (package, binary) in &self.binaries {
            command.args(["--package", package, "--bin", binary]);
        }
        if self.release {
            command.arg("--release");
        }
        if let Some(target) = &self.target {
            command.args(["--target", target]);
        }
        if let Some(dir) = &self.target_dir {
            command.arg("--target-dir").arg(dir);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command.stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = command.spawn().map_err(|e| format!("starting cargo: {e}"))?;
        let stdout = child.stdout.take().ok_or("cargo's stdout")?;
        let mut executables = BTreeMap::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("reading cargo's output: {e}"))?;
            if let Some((name, path)) = executable_of(&line) {
                executables.insert(name, path);
            }
        }
        let status = child.wait().map_err(|e| format!("waiting for cargo: {e}"))?;
        if !status.success() {
            return Err(format!("cargo build failed ({status})"));
        }
        for (_, binary) in &self.binaries {
            if !executables.contains_key(binary) {
                return Err(format!("cargo build did not report the binary {binary}"));
            }
        }
        Ok(executables)
    }
}

/// The binary name and path from one of cargo's `compiler-artifact` messages, if it produced an executable.
fn executable_of(line: &str) -> Option<(String, PathBuf)> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-artifact" {
        return None;
    }
    let is_bin = message["target"]["kind"].as_array()?.iter().any(|k| k == "bin");
    let executable = message["executable"].as_str()?;
    is_bin.then(|| (message["target"]["name"].as_str().unwrap_or_default().to_owned(), PathBuf::from(executable)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_come_from_compiler_artifact_messages() {
        let line = r#"{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"terraform-provider-entra"},"executable":"/t/debug/terraform-provider-entra"}"#;
        assert_eq!(
            executable_of(line),
            Some(("terraform-provider-entra".to_owned(), PathBuf::from("/t/debug/terraform-provider-entra")))
        );
        let library = r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"tfplugin"},"executable":null}"#;
        assert_eq!(executable_of(library), None);
        assert_eq!(executable_of(r#"{"reason":"build-finished","success":true}"#), None);
        assert_eq!(executable_of("not json"), None);
    }
}
