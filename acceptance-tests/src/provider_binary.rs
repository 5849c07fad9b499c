//! The real provider binary, for tests of the managed path (Terraform starts the binary itself).
//!
//! Cargo only tells integration tests where the binaries of their *own* package are, and this crate only depends
//! on the provider's library. So the binary is built here, with the same cargo, profile and target directory the
//! tests were built with: when it is up to date (as it is under `cargo test --workspace`) this costs a moment.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The binary's file name.
pub const BINARY_NAME: &str = "terraform-provider-entra";

/// The directory holding an up-to-date `terraform-provider-entra` binary (suitable for `dev_overrides`).
///
/// # Panics
/// When the binary cannot be built, with cargo's output.
pub fn provider_binary_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(build).clone()
}

fn build() -> PathBuf {
    // The test executable lives in <target>/<profile>/deps/; the binary goes to <target>/<profile>/.
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("<target>/<profile>/deps layout").to_path_buf();
    let target_dir = profile_dir.parent().expect("<target>/<profile> layout");
    let profile = profile_dir.file_name().and_then(|n| n.to_str()).expect("profile directory name");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");

    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--quiet", "--package", "terraform-provider-entra", "--bin", BINARY_NAME])
        .env("CARGO_TARGET_DIR", target_dir);
    match profile {
        "debug" => {}
        "release" => {
            command.arg("--release");
        }
        other => {
            command.args(["--profile", other]);
        }
    }
    let output = command.output().expect("run cargo build");
    assert!(
        output.status.success(),
        "building {BINARY_NAME} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let binary = profile_dir.join(BINARY_NAME);
    assert!(binary.is_file(), "cargo build did not produce {}", binary.display());
    profile_dir
}
