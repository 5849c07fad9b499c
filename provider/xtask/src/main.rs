//! Project commands (`cargo xtask <command>`).
//!
//! - `codegen`: regenerate the Rust protocol code in `provider/tfplugin/src/generated/` from `proto/`.

mod codegen;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => run_codegen(&workspace_root()),
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str =
    "usage: cargo xtask <command>\n\ncommands:\n  codegen   regenerate provider/tfplugin/src/generated from proto/";

/// The workspace root: xtask lives in `<root>/provider/xtask`.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("xtask is two levels below the root").to_path_buf()
}

/// Writes the generated protocol code, replacing files whose contents changed.
fn run_codegen(root: &Path) -> Result<(), String> {
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
