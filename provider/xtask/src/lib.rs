//! Project commands, run as `cargo xtask <command>` (the alias is in `.cargo/config.toml`).
//!
//! - `csdl`: extract the Graph types this provider uses from Microsoft's published v1.0 metadata into the committed
//!   conformance reference ([`csdl`]);
//! - `codegen`: regenerate the Rust protocol code in `provider/tfplugin/src/generated/` from `proto/`;
//! - `docs`: render the registry documentation under `docs/` ([`docs`]); `--check` only reports stale pages;
//! - `package`: build, check, sign and pack the release artifacts the Terraform Registry expects, and a filesystem
//!   mirror ([`package`]);
//! - `serve-registry`: serve packaged releases over HTTPS with Terraform's provider registry protocol ([`registry`]);
//! - `quickstart`: build the provider and the Graph emulator, and run a real plan/apply/destroy against it
//!   ([`quickstart`]);
//! - `sweep`: list, and with `--yes` remove, what an interrupted live run of the acceptance suite left in a tenant
//!   ([`sweep`]).
//!
//! The commands are a library so the tests in `tests/` can drive the same code the command line does.

pub mod binary_format;
pub mod cargo;
mod codegen;
pub mod csdl;
pub mod docs;
pub mod notices;
pub mod package;
pub mod quickstart;
pub mod registry;
pub mod signing;
pub mod sweep;

use std::path::{Path, PathBuf};

/// The workspace root: xtask lives in `<root>/provider/xtask`.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("xtask is two levels below the root").to_path_buf()
}

/// Writes the generated protocol code, replacing files whose contents changed.
///
/// # Errors
/// When the protocol definitions do not compile or a file cannot be written.
pub fn run_codegen(root: &Path) -> Result<(), String> {
    let out_dir = root.join(codegen::GENERATED_DIR);
    for file in codegen::generate(root)? {
        let path = out_dir.join(&file.name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == file.contents {
            eprintln!("unchanged {}", path.display());
        } else {
            std::fs::write(&path, &file.contents).map_err(|e| format!("writing {}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}
