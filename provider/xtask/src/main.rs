//! `cargo xtask <command>`: see the library's documentation (`xtask::`) for what each command does.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{docs, package, quickstart, sweep, workspace_root};

/// Project commands for terraform-provider-entra.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    /// The workspace root to work in (default: the one this xtask was built from; tests point it elsewhere).
    #[arg(long, global = true, hide = true, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Regenerate provider/tfplugin/src/generated/ from proto/.
    Codegen,
    /// Extract the Graph types this provider uses from Microsoft's v1.0 metadata (`schemas/v1.0-Prod.csdl` of
    /// microsoftgraph/msgraph-metadata) into provider/graph-emulator/fixtures/csdl-v1.0.json, the reference of the
    /// conformance tests.
    Csdl {
        /// A local copy of `schemas/v1.0-Prod.csdl`.
        #[arg(long, value_name = "FILE")]
        csdl: PathBuf,
        /// The msgraph-metadata commit the copy comes from (recorded in the extract).
        #[arg(long, value_name = "SHA")]
        commit: String,
        /// Write nothing; fail if the committed extract differs.
        #[arg(long)]
        check: bool,
    },
    /// Render docs/ (index, resources, data sources) from the schemas, examples/ and docs/templates/.
    Docs {
        /// Write nothing; list the stale pages and fail if there are any.
        #[arg(long)]
        check: bool,
    },
    /// Build the Terraform Registry release artifacts and a filesystem mirror.
    Package {
        /// The release version, without a leading `v`.
        #[arg(long, default_value = env!("CARGO_PKG_VERSION"))]
        version: String,
        /// A Rust target triple to build for (repeatable); default: this machine.
        #[arg(long = "target", value_name = "TRIPLE")]
        targets: Vec<String>,
        /// Build with the dev profile instead of --release (fast, for tests).
        #[arg(long)]
        debug: bool,
        /// cargo's target directory.
        #[arg(long, value_name = "DIR")]
        target_dir: Option<PathBuf>,
        /// Where to write the artifacts.
        #[arg(long, value_name = "DIR", default_value = "dist")]
        out: PathBuf,
    },
    /// Build the provider and the Graph emulator, then plan, apply, re-plan and destroy examples/quickstart against
    /// the emulator with the real terraform.
    Quickstart {
        /// cargo's target directory.
        #[arg(long, value_name = "DIR")]
        target_dir: Option<PathBuf>,
        /// The terraform binary (default: `terraform` on PATH).
        #[arg(long, value_name = "PATH")]
        terraform: Option<PathBuf>,
    },
    /// List what an interrupted live run of the acceptance suite left in the tenant the ARM_* variables name
    /// (partner configurations and identity synchronization policies of the documented test tenants only).
    Sweep {
        /// Remove them (without it, only list them).
        #[arg(long)]
        yes: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.clone().unwrap_or_else(workspace_root);
    let result = match cli.command {
        Command::Codegen => xtask::run_codegen(&root),
        Command::Docs { check } => run_docs(&root, check),
        Command::Csdl { csdl, commit, check } => run_csdl(&root, &csdl, &commit, check),
        Command::Package { version, targets, debug, target_dir, out } => {
            let out_dir = if out.is_absolute() { out } else { root.join(out) };
            let options = package::Options { version, targets, debug, target_dir, out_dir };
            package::run(&root, &options).map(|release| {
                for zip in &release.zips {
                    eprintln!("wrote {}", zip.display());
                }
                eprintln!("wrote {}", release.manifest.display());
                eprintln!("wrote {}", release.checksums.display());
                eprintln!(
                    "filesystem mirror: {} (use it with `terraform init -plugin-dir={}`)",
                    release.mirror.display(),
                    release.mirror.display()
                );
            })
        }
        Command::Quickstart { target_dir, terraform } => {
            match quickstart::run(&root, &quickstart::Options { target_dir, terraform }) {
                Ok(()) => Ok(()),
                Err(quickstart::Failure::Interrupted) => {
                    eprintln!("{}", quickstart::Failure::Interrupted);
                    return ExitCode::from(130);
                }
                Err(quickstart::Failure::Step(message)) => Err(message),
            }
        }
        Command::Sweep { yes } => sweep::run(&acceptance_tests::live::environment_from_process(), yes).map(drop),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_csdl(root: &std::path::Path, csdl: &std::path::Path, commit: &str, check: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(csdl).map_err(|e| format!("reading {}: {e}", csdl.display()))?;
    let extract = xtask::csdl::extract(&text, commit)?;
    let path = root.join(xtask::csdl::EXTRACT_PATH);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == extract {
        eprintln!("unchanged {}", path.display());
    } else if check {
        return Err(format!("{} differs from the extract of {}", path.display(), csdl.display()));
    } else {
        std::fs::write(&path, extract).map_err(|e| format!("writing {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn run_docs(root: &std::path::Path, check: bool) -> Result<(), String> {
    let catalog = docs::Catalog::entra();
    if check {
        let stale = docs::stale_pages(root, &catalog)?;
        if stale.is_empty() {
            eprintln!("docs are up to date");
            return Ok(());
        }
        for page in &stale {
            eprintln!("stale: {page}");
        }
        return Err("the generated docs are stale: run `cargo xtask docs` and commit the result".to_owned());
    }
    for (path, change) in docs::write_pages(root, &catalog)? {
        match change {
            docs::Change::Unchanged => eprintln!("unchanged {}", path.display()),
            docs::Change::Written => eprintln!("wrote {}", path.display()),
            docs::Change::Removed => eprintln!("removed {}", path.display()),
        }
    }
    Ok(())
}
