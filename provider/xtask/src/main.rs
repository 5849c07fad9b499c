//! `cargo xtask <command>`: see the library's documentation (`xtask::`) for what each command does.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::signing::SigningKey;
use xtask::{docs, package, quickstart, registry, sweep, workspace_root};

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
    /// Build, check and pack the provider for each platform, sign SHA256SUMS, and write a filesystem mirror.
    Package {
        /// The release version, without a leading `v`.
        #[arg(long, default_value = env!("CARGO_PKG_VERSION"))]
        version: String,
        /// A Rust target triple to build for, or `host` (repeatable); default: every platform this operating system
        /// builds (on Linux: x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu, x86_64-pc-windows-gnu).
        #[arg(long = "target", value_name = "TRIPLE")]
        targets: Vec<String>,
        /// Sign with this key from the GnuPG home (`GNUPGHOME`) or agent: a key id, fingerprint or user id.
        #[arg(long, env = "ENTRA_SIGNING_KEY_ID", value_name = "KEY", conflicts_with = "signing_key_file")]
        signing_key_id: Option<String>,
        /// Sign with this ASCII-armoured secret key file (imported into a temporary GnuPG home).
        #[arg(long, env = "ENTRA_SIGNING_KEY_FILE", value_name = "FILE")]
        signing_key_file: Option<PathBuf>,
        /// Leave SHA256SUMS unsigned (enough for a filesystem mirror; a registry needs the signature).
        #[arg(long, conflicts_with_all = ["signing_key_id", "signing_key_file"])]
        unsigned: bool,
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
    /// Check, checksum and sign the zips of one version that several machines packaged into one directory (the
    /// release workflow's last step).
    Assemble {
        /// The release version, without a leading `v`.
        #[arg(long)]
        version: String,
        /// The directory holding the zips and the manifest.
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// Sign with this key from the GnuPG home (`GNUPGHOME`) or agent.
        #[arg(long, env = "ENTRA_SIGNING_KEY_ID", value_name = "KEY", conflicts_with = "signing_key_file")]
        signing_key_id: Option<String>,
        /// Sign with this ASCII-armoured secret key file.
        #[arg(long, env = "ENTRA_SIGNING_KEY_FILE", value_name = "FILE")]
        signing_key_file: Option<PathBuf>,
        /// Leave SHA256SUMS unsigned.
        #[arg(long, conflicts_with_all = ["signing_key_id", "signing_key_file"])]
        unsigned: bool,
    },
    /// Serve packaged releases over HTTPS with Terraform's provider registry protocol (a private registry or an
    /// air-gapped mirror).
    ServeRegistry {
        /// The directory `cargo xtask package` wrote.
        #[arg(long, value_name = "DIR", default_value = "dist")]
        dir: PathBuf,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: std::net::SocketAddr,
        /// The provider's namespace in the source address.
        #[arg(long, default_value = "entra-tools")]
        namespace: String,
        /// The URL clients use to reach this server, when not https://<listen address> (a DNS name, a proxy).
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        /// The server's certificate chain (PEM); default: a generated CA and certificate.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The server's private key (PEM).
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Where to write the generated CA certificate for clients to trust (`SSL_CERT_FILE`); default:
        /// `registry-ca.pem` in the served directory.
        #[arg(long, value_name = "FILE")]
        ca_out: Option<PathBuf>,
        /// More host names for the generated certificate (the names clients use).
        #[arg(long = "hostname", value_name = "NAME")]
        hostnames: Vec<String>,
    },
    /// Build the provider and the Graph emulator, then plan, apply, re-plan and destroy examples/quickstart (or
    /// another example) against the two-tenant emulator with the real terraform.
    Quickstart {
        /// The example to run instead of examples/quickstart: a folder under examples/, e.g.
        /// scenarios/cross-tenant-sync or scenarios/multi-tenant-organization (the two-tenant ones get the second
        /// tenant's credentials and the fixture users and groups as TF_VAR_* variables).
        #[arg(long, value_name = "FOLDER")]
        example: Option<String>,
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
        Command::Package { version, targets, signing_key_id, signing_key_file, unsigned, debug, target_dir, out } => {
            let out_dir = if out.is_absolute() { out } else { root.join(out) };
            let Some(signing_key) = signing_key(signing_key_id, signing_key_file, unsigned) else {
                return ExitCode::FAILURE;
            };
            let options = package::Options { version, targets, debug, target_dir, out_dir, signing_key };
            package::run(&root, &options).map(|release| {
                for zip in &release.zips {
                    eprintln!("wrote {}", zip.display());
                }
                eprintln!("wrote {}", release.manifest.display());
                eprintln!("wrote {}", release.checksums.display());
                match &release.signature {
                    Some(signed) => {
                        eprintln!("wrote {}", signed.signature.display());
                        eprintln!("wrote {}", signed.public_key.display());
                        eprintln!("wrote {}", signed.key_id.display());
                    }
                    None => eprintln!("unsigned: a registry cannot serve this release"),
                }
                eprintln!(
                    "filesystem mirror: {} (use it with `terraform init -plugin-dir={}`)",
                    release.mirror.display(),
                    release.mirror.display()
                );
            })
        }
        Command::Assemble { version, dir, signing_key_id, signing_key_file, unsigned } => {
            let Some(signing_key) = signing_key(signing_key_id, signing_key_file, unsigned) else {
                return ExitCode::FAILURE;
            };
            let dir = if dir.is_absolute() { dir } else { root.join(dir) };
            package::assemble(&dir, &version, signing_key.as_ref()).map(|assembled| {
                for zip in &assembled.zips {
                    eprintln!("checked {}", zip.display());
                }
                eprintln!("wrote {}", assembled.checksums.display());
                if let Some(signed) = &assembled.signature {
                    eprintln!("wrote {}", signed.signature.display());
                    eprintln!("wrote {}", signed.public_key.display());
                    eprintln!("wrote {}", signed.key_id.display());
                }
            })
        }
        Command::ServeRegistry { dir, listen, namespace, public_url, tls_cert, tls_key, ca_out, hostnames } => {
            serve_registry(&root, dir, listen, namespace, public_url, tls_cert.zip(tls_key), ca_out, hostnames)
        }
        Command::Quickstart { example, target_dir, terraform } => {
            match quickstart::run(&root, &quickstart::Options { target_dir, terraform, example }) {
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

/// The signing key the options name: `Some(None)` when `--unsigned` says none is wanted, `None` (after saying why)
/// when none was given.
fn signing_key(id: Option<String>, file: Option<PathBuf>, unsigned: bool) -> Option<Option<SigningKey>> {
    match (id, file) {
        (Some(id), _) => Some(Some(SigningKey::KeyId(id))),
        (None, Some(path)) => Some(Some(SigningKey::KeyFile {
            path,
            passphrase: std::env::var("ENTRA_SIGNING_KEY_PASSPHRASE").ok().filter(|p| !p.is_empty()),
        })),
        (None, None) if unsigned => Some(None),
        (None, None) => {
            eprintln!(
                "error: a release is signed: pass --signing-key-id (a key in GnuPG) or --signing-key-file (an \
                 armoured secret key; its passphrase in ENTRA_SIGNING_KEY_PASSPHRASE), or --unsigned for a \
                 filesystem mirror only"
            );
            None
        }
    }
}

#[allow(clippy::too_many_arguments)] // one per command-line option
fn serve_registry(
    root: &std::path::Path,
    dir: PathBuf,
    listen: std::net::SocketAddr,
    namespace: String,
    public_url: Option<String>,
    tls_files: Option<(PathBuf, PathBuf)>,
    ca_out: Option<PathBuf>,
    hostnames: Vec<String>,
) -> Result<(), String> {
    let dir = if dir.is_absolute() { dir } else { root.join(dir) };
    let ca_out = ca_out.unwrap_or_else(|| dir.join("registry-ca.pem"));
    let tls = match tls_files {
        Some((cert, key)) => registry::Tls::Files { cert, key },
        None => registry::Tls::Generated { extra_names: hostnames },
    };
    let config = registry::Config {
        dir: dir.clone(),
        namespace: namespace.clone(),
        provider_type: "entra".to_owned(),
        listen,
        public_url,
        tls,
        log_requests: true,
    };
    let (served, unsigned) = registry::versions_in(&dir, "entra")?;
    for version in &unsigned {
        eprintln!("not served: {version} is unsigned (package it with --signing-key-id or --signing-key-file)");
    }
    if served.is_empty() {
        eprintln!("no signed release in {} yet; releases copied in later are served without a restart", dir.display());
    } else {
        eprintln!("versions: {}", served.join(", "));
    }
    let server = registry::Registry::start(config)?;
    if let Some(ca) = server.ca_pem() {
        std::fs::write(&ca_out, ca).map_err(|e| format!("writing {}: {e}", ca_out.display()))?;
        eprintln!("CA certificate: {} (clients trust it through SSL_CERT_FILE)", ca_out.display());
    }
    eprintln!("serving the releases in {} at {}", dir.display(), server.base_url());
    eprintln!(
        "a CLI configuration that sends a registry host name here:\n  host \"registry.example.internal\" {{\n    \
         services = {{ \"providers.v1\" = \"{}\" }}\n  }}\nthen `source = \"registry.example.internal/{namespace}/entra\"`",
        server.providers_url()
    );
    server.wait();
    Ok(())
}
