//! `entra-bench`: builds the provider with the bench's own profile, runs every measurement against the Graph
//! emulator and prints one table (see the library docs).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};
use entra_bench::sync::SyncSize;
use entra_bench::{BenchOptions, SECTIONS, provider_process::BINARY_NAME, terraform::terraform_binary};

const USAGE: &str = "\
entra-bench: measures terraform-provider-entra against Terraform's own floor, using the Graph emulator.

Usage: cargo run -p entra-bench --release -- [options]

Options:
  --quick               fewer runs, N up to 200, K=5 and M=100 (a few minutes)
  --provider-dir DIR    measure the terraform-provider-entra binary in DIR instead of building one
  --out FILE            also write the table to FILE
  --sections LIST       run only these sections, e.g. 1,2 (1: start-up and schema, 2: plans and peak RSS,
                        3: applies, 4: refresh of cross-tenant synchronization configurations and assignments);
                        default: all
  --sizes LIST          the N of the plans, e.g. 200,1000 (default: 50,200,1000; with --quick 50,200)
  --sync K,M            section 4's K configurations and M assignments spread over them
                        (default: 20,400; with --quick 5,100)
  --help                print this help

Progress goes to stderr; the table goes to stdout at the end.";

struct Args {
    quick: bool,
    sections: Option<[bool; SECTIONS]>,
    sizes: Option<Vec<usize>>,
    sync: Option<SyncSize>,
    provider_dir: Option<PathBuf>,
    out: Option<PathBuf>,
}

fn parse_args() -> anyhow::Result<Option<Args>> {
    let mut args = Args { quick: false, sections: None, sizes: None, sync: None, provider_dir: None, out: None };
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--quick" => args.quick = true,
            "--provider-dir" => {
                args.provider_dir = Some(iter.next().context("--provider-dir needs a directory")?.into())
            }
            "--out" => args.out = Some(iter.next().context("--out needs a file")?.into()),
            "--sections" => args.sections = Some(parse_sections(&iter.next().context("--sections needs a list")?)?),
            "--sizes" => args.sizes = Some(parse_sizes(&iter.next().context("--sizes needs a list")?)?),
            "--sync" => args.sync = Some(parse_sync(&iter.next().context("--sync needs K,M")?)?),
            "--help" | "-h" => return Ok(None),
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    Ok(Some(args))
}

/// `1,3` → sections 1 and 3.
fn parse_sections(list: &str) -> anyhow::Result<[bool; SECTIONS]> {
    let mut sections = [false; SECTIONS];
    for item in list.split(',') {
        match item.trim().parse::<usize>() {
            Ok(n) if (1..=SECTIONS).contains(&n) => sections[n - 1] = true,
            _ => bail!("--sections takes numbers from 1 to {SECTIONS}, separated by commas; got {item:?}"),
        }
    }
    Ok(sections)
}

/// `5,100` → 5 configurations with 100 assignments.
fn parse_sync(pair: &str) -> anyhow::Result<SyncSize> {
    let numbers: Vec<usize> = pair.split(',').map(|n| n.trim().parse::<usize>()).collect::<Result<_, _>>()?;
    match numbers[..] {
        [configurations, assignments] if configurations > 0 => Ok(SyncSize { configurations, assignments }),
        _ => bail!("--sync takes K,M: a positive number of configurations and a number of assignments; got {pair:?}"),
    }
}

/// `200,1000` → [200, 1000].
fn parse_sizes(list: &str) -> anyhow::Result<Vec<usize>> {
    list.split(',')
        .map(|item| match item.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => bail!("--sizes takes positive numbers separated by commas; got {item:?}"),
        })
        .collect()
}

/// Builds the provider binary with cargo, into the target directory and profile this bench was built with, and
/// returns the directory that holds it.
fn build_provider() -> anyhow::Result<PathBuf> {
    // The bench runs from <target>/<profile>/entra-bench; the provider binary goes next to it.
    let exe = std::env::current_exe().context("locating the bench executable")?;
    let profile_dir = exe.parent().context("the bench executable has no directory")?.to_path_buf();
    let target_dir = profile_dir.parent().context("the bench is not in <target>/<profile>")?;
    let profile = profile_dir.file_name().and_then(|n| n.to_str()).context("profile directory name")?;
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(&workspace)
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
    eprintln!("building {BINARY_NAME} ({profile})");
    let status = command.status().context("running cargo build")?;
    if !status.success() {
        bail!("building {BINARY_NAME} failed");
    }
    Ok(profile_dir)
}

fn main() -> ExitCode {
    // Terraform may be running this binary as the provider, through the CPU-measuring wrapper.
    if let Some(code) = entra_bench::provider_cpu::wrap_if_asked() {
        return code;
    }
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("entra-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let Some(args) = parse_args()? else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    };
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; run with --release for numbers that mean something");
    }
    let terraform = terraform_binary()?;
    let provider_dir = match args.provider_dir {
        Some(dir) => dir,
        None => build_provider()?,
    };
    if !provider_dir.join(BINARY_NAME).is_file() {
        bail!("{} holds no {BINARY_NAME} binary", provider_dir.display());
    }
    // Terraform resolves dev_overrides paths from its own working directory, which is not ours.
    let provider_dir =
        std::fs::canonicalize(&provider_dir).with_context(|| format!("resolving {}", provider_dir.display()))?;
    let mut options = if args.quick {
        BenchOptions::quick(terraform, provider_dir)
    } else {
        BenchOptions::full(terraform, provider_dir)
    };
    if let Some(sections) = args.sections {
        options.sections = sections;
    }
    if let Some(sizes) = args.sizes {
        options.plan_sizes = sizes;
    }
    if let Some(sync) = args.sync {
        options.sync_size = sync;
    }
    options.cpu_wrapper = Some(std::env::current_exe().context("locating the bench executable")?);
    let report = entra_bench::run(&options, &|line| eprintln!("[bench] {line}"))?;
    let table = report.render();
    if let Some(out) = &args.out {
        std::fs::write(out, &table).with_context(|| format!("writing {}", out.display()))?;
    }
    #[allow(clippy::print_stdout)] // The table is what this command is for.
    {
        println!("{table}");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_one_to_four_are_chosen_by_number() {
        assert_eq!(parse_sections("1,4").unwrap(), [true, false, false, true]);
        assert_eq!(parse_sections(" 2 ").unwrap(), [false, true, false, false]);
        assert!(parse_sections("5").is_err());
        assert!(parse_sections("0").is_err());
        assert!(parse_sections("x").is_err());
    }

    #[test]
    fn the_sync_size_is_k_then_m() {
        assert_eq!(parse_sync("5,100").unwrap(), SyncSize { configurations: 5, assignments: 100 });
        assert_eq!(parse_sync("2, 0").unwrap(), SyncSize { configurations: 2, assignments: 0 });
        assert!(parse_sync("0,10").is_err());
        assert!(parse_sync("5").is_err());
        assert!(parse_sync("5,x").is_err());
    }
}
