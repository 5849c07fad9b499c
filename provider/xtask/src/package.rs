//! `cargo xtask package`: the release artifacts the Terraform Registry expects, signed, and a filesystem mirror.
//!
//! It builds the provider for each target (by default every platform this machine's cross toolchains can build:
//! see [`default_targets`]), checks that each executable is the format of its platform (ELF machine, PE, Mach-O:
//! [`crate::binary_format`]), and for version `V` and each platform `OS_ARCH` (Terraform's names: `linux_amd64`,
//! `windows_amd64`, ...) writes into the output directory:
//! - `terraform-provider-entra_V_OS_ARCH.zip`, holding the executable `terraform-provider-entra_vV` (`.exe` on
//!   Windows), the project's `LICENSE`, and `THIRD_PARTY_NOTICES.txt` for the crates compiled into that executable;
//! - `terraform-provider-entra_V_manifest.json`: the repository's `terraform-registry-manifest.json`, which tells the
//!   registry the provider speaks protocol 6.0 only;
//! - `terraform-provider-entra_V_SHA256SUMS`: `sha256  file` lines for the zips and the manifest;
//! - with a signing key ([`crate::signing`]): `terraform-provider-entra_V_SHA256SUMS.sig`, the detached binary GPG
//!   signature of that file, and the signer's `..._signing_key.asc` (ASCII-armoured public key) and
//!   `..._signing_key_id`, which a registry publishes with every download (`cargo xtask serve-registry` does);
//! - `mirror/registry.terraform.io/entra-tools/entra/terraform-provider-entra_V_OS_ARCH.zip`: the same zips in the
//!   packed layout of a Terraform filesystem mirror, for `terraform init -plugin-dir=<out>/mirror` or a
//!   `filesystem_mirror` CLI configuration.
//!
//! Zip entries carry a fixed timestamp, so packaging the same binary twice gives the same checksums.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::binary_format;
use crate::cargo::Build;
use crate::notices;
use crate::signing::{self, SigningKey};

/// The provider's source address in the public registry: where the mirror layout puts the zips.
pub const REGISTRY_ADDRESS: &str = "registry.terraform.io/entra-tools/entra";

/// The binary's name, and the prefix of every artifact.
pub const PROJECT_NAME: &str = "terraform-provider-entra";

/// The registry manifest at the repository root.
pub const MANIFEST_FILE: &str = "terraform-registry-manifest.json";

/// The project's licence at the repository root, copied into every zip.
pub const LICENSE_FILE: &str = "LICENSE";

/// A platform in Terraform's naming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// `linux`, `darwin`, `windows`, `freebsd`, ...
    pub os: String,
    /// `amd64`, `arm64`, `386`, `arm`.
    pub arch: String,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.os, self.arch)
    }
}

impl Platform {
    /// The platform this program runs on.
    ///
    /// # Errors
    /// On an operating system or architecture Terraform has no name for.
    pub fn host() -> Result<Platform, String> {
        Platform::from_parts(std::env::consts::OS, std::env::consts::ARCH)
    }

    /// The platform of a Rust target triple, e.g. `aarch64-apple-darwin` → `darwin_arm64`.
    ///
    /// # Errors
    /// On a triple whose operating system or architecture Terraform has no name for.
    pub fn from_rust_target(triple: &str) -> Result<Platform, String> {
        let arch = triple.split('-').next().unwrap_or_default();
        let os = ["linux", "darwin", "windows", "freebsd", "openbsd", "netbsd", "solaris"]
            .into_iter()
            .find(|os| triple.split('-').any(|part| part == *os))
            .map(|os| if os == "darwin" { "macos" } else { os })
            .ok_or_else(|| format!("the target {triple} names no operating system Terraform supports"))?;
        Platform::from_parts(os, arch)
    }

    /// From Rust's names (`std::env::consts::{OS, ARCH}` spelling) to Terraform's (Go's `GOOS`/`GOARCH`).
    fn from_parts(os: &str, arch: &str) -> Result<Platform, String> {
        let os = match os {
            "macos" => "darwin",
            "linux" | "windows" | "freebsd" | "openbsd" | "netbsd" | "solaris" => os,
            other => return Err(format!("Terraform has no name for the operating system {other}")),
        };
        let arch = match arch {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" | "i686" | "i586" => "386",
            "arm" | "armv7" | "armv6" => "arm",
            other => return Err(format!("Terraform has no name for the architecture {other}")),
        };
        Ok(Platform { os: os.to_owned(), arch: arch.to_owned() })
    }

    /// `.exe` on Windows, where Terraform looks for `terraform-provider-NAME_vVERSION.exe`.
    pub fn executable_suffix(&self) -> &'static str {
        if self.os == "windows" { ".exe" } else { "" }
    }
}

/// What `cargo xtask package` does.
#[derive(Debug, Clone)]
pub struct Options {
    /// The release version, without a `v` (`0.1.0`).
    pub version: String,
    /// Rust target triples to build for (`host` is this machine); empty means [`default_targets`].
    pub targets: Vec<String>,
    /// A dev-profile build instead of `--release` (fast; for tests).
    pub debug: bool,
    /// cargo's target directory, if not the default.
    pub target_dir: Option<PathBuf>,
    /// Where the artifacts go.
    pub out_dir: PathBuf,
    /// The key that signs `SHA256SUMS`; `None` leaves the release unsigned (a filesystem mirror needs no signature;
    /// a registry does).
    pub signing_key: Option<SigningKey>,
}

/// The files a release consists of.
#[derive(Debug, Clone)]
pub struct Release {
    /// The version packaged.
    pub version: String,
    /// One zip per platform.
    pub zips: Vec<PathBuf>,
    /// The registry manifest copy.
    pub manifest: PathBuf,
    /// The checksum file.
    pub checksums: PathBuf,
    /// The detached signature of the checksum file and the signer's public key, when signed.
    pub signature: Option<SignatureFiles>,
    /// The filesystem mirror's root (pass it to `terraform init -plugin-dir`).
    pub mirror: PathBuf,
}

/// The signature files written beside `SHA256SUMS`.
#[derive(Debug, Clone)]
pub struct SignatureFiles {
    /// `..._SHA256SUMS.sig`: the detached binary signature.
    pub signature: PathBuf,
    /// `..._signing_key.asc`: the ASCII-armoured public key.
    pub public_key: PathBuf,
    /// `..._signing_key_id`: the key's long id, one line.
    pub key_id: PathBuf,
}

/// One platform's build, ready to pack.
#[derive(Debug, Clone)]
pub struct PlatformBuild {
    /// The platform, in Terraform's naming.
    pub platform: Platform,
    /// The provider executable built for it.
    pub binary: PathBuf,
    /// The third-party notices of what is compiled into that executable.
    pub notices: String,
}

/// The targets built when none are named: every platform this operating system's cross toolchains can build.
/// Linux builds Linux (x86-64, ARM64) and Windows (x86-64, with MinGW); macOS builds both Mac architectures (Apple's
/// toolchain links either); elsewhere, this machine only.
pub fn default_targets() -> Vec<String> {
    let targets: &[&str] = match std::env::consts::OS {
        "linux" => &["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "x86_64-pc-windows-gnu"],
        "macos" => &["x86_64-apple-darwin", "aarch64-apple-darwin"],
        _ => &["host"],
    };
    targets.iter().map(|t| (*t).to_owned()).collect()
}

/// A target to build: its triple, its platform, and how to build it.
#[derive(Debug, Clone)]
struct Target {
    triple: String,
    platform: Platform,
    /// `None` for this machine's own triple: a plain `cargo build` whose output (and cache) the tests share.
    cargo_target: Option<String>,
    /// The cross linker and C compiler settings cargo and aws-lc-sys need.
    env: Vec<(String, String)>,
}

/// Builds the provider for every requested platform and writes the release into `options.out_dir`.
///
/// # Errors
/// When the version is malformed, a target's toolchain is missing, a build fails, a binary is not the format of its
/// platform, signing fails, or a file cannot be written.
pub fn run(root: &Path, options: &Options) -> Result<Release, String> {
    check_version(&options.version)?;
    let requested = if options.targets.is_empty() { default_targets() } else { options.targets.clone() };
    let targets = plan_targets(&requested, &Toolchain::from_env()?)?;
    if let Some(key) = &options.signing_key {
        signing::check_key(key)?;
    }
    let license =
        std::fs::read_to_string(root.join(LICENSE_FILE)).map_err(|e| format!("reading {LICENSE_FILE}: {e}"))?;
    let mut builds = Vec::new();
    for target in targets {
        let build = Build {
            binaries: vec![(PROJECT_NAME.to_owned(), PROJECT_NAME.to_owned())],
            release: !options.debug,
            target: target.cargo_target.clone(),
            target_dir: options.target_dir.clone(),
            env: target.env.clone(),
        };
        let built = build.run(root)?;
        let binary = built.get(PROJECT_NAME).cloned().ok_or("cargo did not build the provider")?;
        let bytes = std::fs::read(&binary).map_err(|e| format!("reading {}: {e}", binary.display()))?;
        binary_format::check(&bytes, &target.platform)?;
        eprintln!("checked {}: {}", binary.display(), binary_format::describe(&bytes)?);
        let crates = notices::crates_in_binary(root, PROJECT_NAME, &target.triple)?;
        let title = format!(
            "Third-party notices for {PROJECT_NAME} {} ({}, {})",
            options.version, target.platform, target.triple
        );
        builds.push(PlatformBuild { platform: target.platform, binary, notices: notices::render(&title, &crates) });
    }
    let manifest =
        std::fs::read_to_string(root.join(MANIFEST_FILE)).map_err(|e| format!("reading {MANIFEST_FILE}: {e}"))?;
    let mut release = write_release(&options.out_dir, &options.version, &builds, &manifest, &license)?;
    if let Some(key) = &options.signing_key {
        release.signature = Some(sign_release(&options.out_dir, &options.version, &release.checksums, key)?);
    }
    Ok(release)
}

/// Signs a release's checksum file and writes the signature, public key and key id beside it.
///
/// # Errors
/// When signing fails or a file cannot be written.
pub fn sign_release(
    out_dir: &Path,
    version: &str,
    checksums: &Path,
    key: &SigningKey,
) -> Result<SignatureFiles, String> {
    let signature = out_dir.join(format!("{PROJECT_NAME}_{version}_SHA256SUMS.sig"));
    let public = signing::sign_detached(key, checksums, &signature)?;
    let public_key = out_dir.join(format!("{PROJECT_NAME}_{version}_signing_key.asc"));
    write_file(&public_key, public.ascii_armor.as_bytes())?;
    let key_id = out_dir.join(format!("{PROJECT_NAME}_{version}_signing_key_id"));
    write_file(&key_id, format!("{}\n", public.key_id).as_bytes())?;
    Ok(SignatureFiles { signature, public_key, key_id })
}

/// The compiler cargo will use, as far as packaging needs to know it.
#[derive(Debug, Clone)]
struct Toolchain {
    /// `rustc` or `$RUSTC`.
    rustc: std::ffi::OsString,
    /// The triple rustc runs on and builds for by default.
    host: String,
    /// `rustc 1.95.0 (...)`, for error messages.
    version: String,
}

impl Toolchain {
    fn from_env() -> Result<Toolchain, String> {
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let output = Command::new(&rustc).arg("-vV").output().map_err(|e| format!("running rustc -vV: {e}"))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let host = text
            .lines()
            .find_map(|line| line.strip_prefix("host: "))
            .ok_or("rustc -vV printed no host triple")?
            .to_owned();
        let version = text.lines().next().unwrap_or_default().to_owned();
        Ok(Toolchain { rustc, host, version })
    }

    /// Whether rustc has a standard library for `triple` (what `rustup target add` installs).
    fn has_std_for(&self, triple: &str) -> bool {
        let Ok(output) = Command::new(&self.rustc).args(["--print", "target-libdir", "--target", triple]).output()
        else {
            return false;
        };
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        output.status.success()
            && std::fs::read_dir(dir).is_ok_and(|entries| {
                entries.filter_map(Result::ok).any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
            })
    }
}

/// The cross toolchain a Linux machine needs for a target: the prefix of its GCC tools, and the Debian package that
/// installs them.
fn linux_cross_tools(triple: &str) -> Option<(&'static str, &'static str)> {
    match triple {
        "aarch64-unknown-linux-gnu" => Some(("aarch64-linux-gnu-", "gcc-aarch64-linux-gnu")),
        "x86_64-pc-windows-gnu" => Some(("x86_64-w64-mingw32-", "gcc-mingw-w64-x86-64")),
        "x86_64-unknown-linux-gnu" => Some(("x86_64-linux-gnu-", "gcc-x86-64-linux-gnu")),
        _ => None,
    }
}

/// Checks every target's toolchain before anything is built, and says for each missing piece what installs it.
fn plan_targets(requested: &[String], toolchain: &Toolchain) -> Result<Vec<Target>, String> {
    let mut targets = Vec::new();
    let mut missing = Vec::new();
    for name in requested {
        let triple = if name == "host" { toolchain.host.clone() } else { name.clone() };
        let platform = Platform::from_rust_target(&triple)?;
        if triple == toolchain.host {
            targets.push(Target { triple, platform, cargo_target: None, env: Vec::new() });
            continue;
        }
        if !toolchain.has_std_for(&triple) {
            missing.push(format!(
                "the Rust standard library for {triple} is not installed for {}: run `rustup target add {triple}`",
                toolchain.version
            ));
            continue;
        }
        let mut env = Vec::new();
        if std::env::consts::OS == "linux"
            && let Some((prefix, package)) = linux_cross_tools(&triple)
        {
            let linker_var = format!("CARGO_TARGET_{}_LINKER", triple.to_ascii_uppercase().replace('-', "_"));
            if std::env::var_os(&linker_var).is_none() {
                let gcc = format!("{prefix}gcc");
                if !on_path(&gcc) {
                    missing.push(format!(
                        "{triple} needs the cross compiler {gcc} (Debian/Ubuntu: `apt-get install {package}`), or \
                         {linker_var} set to a linker"
                    ));
                    continue;
                }
                // aws-lc assembles its x86-64 Windows code with NASM (or, when told, with objects it ships).
                if triple == "x86_64-pc-windows-gnu"
                    && !on_path("nasm")
                    && std::env::var_os("AWS_LC_SYS_PREBUILT_NASM").is_none()
                {
                    missing.push(format!(
                        "{triple} needs NASM for aws-lc's assembly (Debian/Ubuntu: `apt-get install nasm`), or \
                         AWS_LC_SYS_PREBUILT_NASM=1 to use the objects aws-lc-sys ships"
                    ));
                    continue;
                }
                let underscored = triple.replace('-', "_");
                env.push((linker_var, gcc.clone()));
                // aws-lc-sys compiles C for the target: it needs the target's compiler and archiver too.
                env.push((format!("CC_{underscored}"), gcc));
                env.push((format!("AR_{underscored}"), format!("{prefix}ar")));
            }
        }
        targets.push(Target { triple: triple.clone(), platform, cargo_target: Some(triple), env });
    }
    if missing.is_empty() { Ok(targets) } else { Err(missing.join("\n")) }
}

fn on_path(program: &str) -> bool {
    let paths = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&paths).any(|dir| dir.join(program).is_file())
}

/// Writes the release files for already-built binaries (one per platform) into `out_dir`. Each zip holds the
/// executable, the project's `LICENSE` and the platform's third-party notices.
///
/// # Errors
/// When the version is malformed, a binary cannot be read or a file cannot be written.
pub fn write_release(
    out_dir: &Path,
    version: &str,
    builds: &[PlatformBuild],
    manifest: &str,
    license: &str,
) -> Result<Release, String> {
    check_version(version)?;
    let mirror_root = out_dir.join("mirror");
    let mirror_dir = mirror_root.join(REGISTRY_ADDRESS);
    std::fs::create_dir_all(&mirror_dir).map_err(|e| format!("creating {}: {e}", mirror_dir.display()))?;

    let mut zips = Vec::new();
    let mut sums = Vec::new();
    for build in builds {
        let platform = &build.platform;
        let name = format!("{PROJECT_NAME}_{version}_{platform}.zip");
        let zip_path = out_dir.join(&name);
        let entry = format!("{PROJECT_NAME}_v{version}{}", platform.executable_suffix());
        let executable =
            std::fs::read(&build.binary).map_err(|e| format!("reading {}: {e}", build.binary.display()))?;
        let bytes = zip_files(&[
            (entry.as_str(), executable.as_slice(), 0o755),
            (LICENSE_FILE, license.as_bytes(), 0o644),
            (notices::NOTICES_FILE, build.notices.as_bytes(), 0o644),
        ])?;
        write_file(&zip_path, &bytes)?;
        write_file(&mirror_dir.join(&name), &bytes)?;
        sums.push((name, sha256_hex(&bytes)));
        zips.push(zip_path);
    }

    let manifest_name = format!("{PROJECT_NAME}_{version}_manifest.json");
    let manifest_path = out_dir.join(&manifest_name);
    write_file(&manifest_path, manifest.as_bytes())?;
    sums.push((manifest_name, sha256_hex(manifest.as_bytes())));

    let checksums = write_checksums(out_dir, version, sums)?;

    Ok(Release {
        version: version.to_owned(),
        zips,
        manifest: manifest_path,
        checksums,
        signature: None,
        mirror: mirror_root,
    })
}

/// Writes `..._SHA256SUMS`: one `digest  name` line per file, sorted by name.
fn write_checksums(out_dir: &Path, version: &str, mut sums: Vec<(String, String)>) -> Result<PathBuf, String> {
    sums.sort();
    let mut listing = String::new();
    for (name, digest) in &sums {
        let _ = writeln!(listing, "{digest}  {name}");
    }
    let checksums = out_dir.join(format!("{PROJECT_NAME}_{version}_SHA256SUMS"));
    // A signature of an earlier SHA256SUMS would not match this one: it goes, with the key files beside it, so a
    // failed or skipped signing leaves an unsigned release rather than a wrongly signed one.
    for stale in ["SHA256SUMS.sig", "signing_key.asc", "signing_key_id"] {
        let path = out_dir.join(format!("{PROJECT_NAME}_{version}_{stale}"));
        if path.exists() {
            std::fs::remove_file(&path).map_err(|e| format!("removing the stale {}: {e}", path.display()))?;
        }
    }
    write_file(&checksums, listing.as_bytes())?;
    Ok(checksums)
}

/// What [`assemble`] wrote.
#[derive(Debug, Clone)]
pub struct Assembled {
    /// The zips found, one per platform.
    pub zips: Vec<PathBuf>,
    /// The checksum file.
    pub checksums: PathBuf,
    /// The signature files, when signed.
    pub signature: Option<SignatureFiles>,
}

/// Checksums and signs the zips of one version that several machines packaged into `dir` (the release workflow
/// builds Linux and Windows on Linux and darwin on macOS, then signs once). Each zip is checked first: it holds the
/// executable under the name Terraform expects, in the format of the platform its name says, with the licence and
/// the notices beside it.
///
/// # Errors
/// When a zip is malformed or for the wrong platform, the manifest is missing, or signing fails.
pub fn assemble(dir: &Path, version: &str, key: Option<&SigningKey>) -> Result<Assembled, String> {
    check_version(version)?;
    let prefix = format!("{PROJECT_NAME}_{version}_");
    let mut zips = Vec::new();
    let mut sums = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut names: Vec<String> =
        entries.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for name in names {
        let Some(platform) = name.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(".zip")) else { continue };
        let (os, arch) = platform.split_once('_').ok_or_else(|| format!("{name}: no OS_ARCH in the name"))?;
        let platform = Platform { os: os.to_owned(), arch: arch.to_owned() };
        let path = dir.join(&name);
        let bytes = std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        check_zip(&bytes, version, &platform).map_err(|e| format!("{name}: {e}"))?;
        sums.push((name, sha256_hex(&bytes)));
        zips.push(path);
    }
    if zips.is_empty() {
        return Err(format!("no {prefix}OS_ARCH.zip in {}", dir.display()));
    }
    let manifest_name = format!("{prefix}manifest.json");
    let manifest = std::fs::read(dir.join(&manifest_name)).map_err(|e| format!("reading {manifest_name}: {e}"))?;
    sums.push((manifest_name, sha256_hex(&manifest)));
    let checksums = write_checksums(dir, version, sums)?;
    let signature = key.map(|key| sign_release(dir, version, &checksums, key)).transpose()?;
    Ok(Assembled { zips, checksums, signature })
}

fn check_zip(bytes: &[u8], version: &str, platform: &Platform) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not a zip: {e}"))?;
    let executable = format!("{PROJECT_NAME}_v{version}{}", platform.executable_suffix());
    for required in [LICENSE_FILE, notices::NOTICES_FILE] {
        archive.by_name(required).map_err(|_| format!("no {required} in the zip"))?;
    }
    let mut entry = archive.by_name(&executable).map_err(|_| format!("no {executable} in the zip"))?;
    let mut contents = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut contents).map_err(|e| format!("unzipping {executable}: {e}"))?;
    binary_format::check(&contents, platform)
}

/// `1.2.3` or `1.2.3-beta.1`: what the registry accepts as a version (no leading `v`).
fn check_version(version: &str) -> Result<(), String> {
    let (core, pre) = match version.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (version, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    let numeric = numbers.len() == 3 && numbers.iter().all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let pre_ok = pre.is_none_or(|p| {
        !p.is_empty()
            && p.split('.').all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    });
    if numeric && pre_ok {
        Ok(())
    } else {
        Err(format!("`{version}` is not a version like 1.2.3 or 1.2.3-rc.1 (no leading `v`)"))
    }
}

fn zip_files(files: &[(&str, &[u8], u32)]) -> Result<Vec<u8>, String> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, contents, mode) in files {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(*mode)
            // A fixed time (the zip epoch, 1980-01-01) keeps archives of the same files byte-for-byte identical.
            .last_modified_time(zip::DateTime::default())
            .large_file(contents.len() as u64 >= u64::from(u32::MAX));
        writer.start_file(*name, options).map_err(|e| format!("zipping {name}: {e}"))?;
        writer.write_all(contents).map_err(|e| format!("zipping {name}: {e}"))?;
    }
    let cursor = writer.finish().map_err(|e| format!("writing the zip: {e}"))?;
    Ok(cursor.into_inner())
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_targets_map_to_terraform_platforms() {
        let cases = [
            ("x86_64-unknown-linux-gnu", "linux_amd64"),
            ("aarch64-unknown-linux-musl", "linux_arm64"),
            ("aarch64-apple-darwin", "darwin_arm64"),
            ("x86_64-apple-darwin", "darwin_amd64"),
            ("x86_64-pc-windows-msvc", "windows_amd64"),
            ("i686-pc-windows-gnu", "windows_386"),
            ("armv7-unknown-linux-gnueabihf", "linux_arm"),
            ("x86_64-unknown-freebsd", "freebsd_amd64"),
        ];
        for (triple, expected) in cases {
            assert_eq!(Platform::from_rust_target(triple).expect(triple).to_string(), expected, "{triple}");
        }
        assert!(Platform::from_rust_target("wasm32-unknown-unknown").is_err());
        assert!(Platform::from_rust_target("riscv64gc-unknown-linux-gnu").is_err());
    }

    #[test]
    fn versions_are_checked() {
        for good in ["0.1.0", "1.22.333", "1.0.0-rc.1", "2.0.0-beta-2"] {
            assert!(check_version(good).is_ok(), "{good}");
        }
        for bad in ["v0.1.0", "0.1", "0.1.0.0", "a.b.c", "1.0.0-", "1.0.0-a..b", ""] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sha256_matches_a_known_digest() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_release_has_zips_checksums_manifest_and_mirror() {
        let dir = tempfile::tempdir().expect("temp dir");
        let binary = dir.path().join("bin");
        std::fs::write(&binary, b"#!/bin/sh\necho provider\n").expect("binary");
        let out = dir.path().join("dist");
        let build = |os: &str| PlatformBuild {
            platform: Platform { os: os.into(), arch: "amd64".into() },
            binary: binary.clone(),
            notices: format!("notices for {os}\n"),
        };
        let platforms = [build("linux"), build("windows")];
        let manifest = "{\"version\":1}\n";
        let license = "Mozilla Public License Version 2.0\n";
        let release = write_release(&out, "1.2.3", &platforms, manifest, license).expect("release");

        let zip = out.join("terraform-provider-entra_1.2.3_linux_amd64.zip");
        assert_eq!(release.zips, vec![zip.clone(), out.join("terraform-provider-entra_1.2.3_windows_amd64.zip")]);
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).expect("zip")).expect("readable zip");
        let names: Vec<String> = archive.file_names().map(|n| n.expect("entry name").into_owned()).collect();
        assert_eq!(names, vec!["terraform-provider-entra_v1.2.3", "LICENSE", "THIRD_PARTY_NOTICES.txt"]);
        let entry = archive.by_index(0).expect("entry");
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
        drop(entry);
        let read = |archive: &mut zip::ZipArchive<std::fs::File>, name: &str| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut archive.by_name(name).expect(name), &mut text).expect(name);
            text
        };
        assert_eq!(read(&mut archive, "LICENSE"), license);
        assert_eq!(read(&mut archive, "THIRD_PARTY_NOTICES.txt"), "notices for linux\n");
        let mut windows = zip::ZipArchive::new(std::fs::File::open(&release.zips[1]).expect("zip")).expect("zip");
        assert_eq!(
            windows.by_index(0).expect("entry").name().expect("entry name"),
            "terraform-provider-entra_v1.2.3.exe"
        );

        assert_eq!(std::fs::read_to_string(&release.manifest).expect("manifest"), manifest);
        let sums = std::fs::read_to_string(&release.checksums).expect("sums");
        let lines: Vec<&str> = sums.lines().collect();
        assert_eq!(lines.len(), 3, "{sums}");
        let zip_bytes = std::fs::read(&zip).expect("zip bytes");
        assert!(
            lines.contains(
                &format!("{}  terraform-provider-entra_1.2.3_linux_amd64.zip", sha256_hex(&zip_bytes)).as_str()
            )
        );
        assert!(sums.contains("  terraform-provider-entra_1.2.3_manifest.json\n"));

        let mirrored = release.mirror.join(REGISTRY_ADDRESS).join("terraform-provider-entra_1.2.3_linux_amd64.zip");
        assert_eq!(std::fs::read(mirrored).expect("mirror copy"), zip_bytes);

        // The same binary packaged again gives byte-identical archives.
        let again = write_release(&dir.path().join("again"), "1.2.3", &platforms, manifest, license).expect("release");
        assert_eq!(std::fs::read(&again.zips[0]).expect("zip"), zip_bytes);
    }

    fn toolchain() -> Toolchain {
        Toolchain::from_env().expect("rustc")
    }

    #[test]
    fn the_host_target_is_a_plain_build() {
        let toolchain = toolchain();
        let targets = plan_targets(&["host".to_owned(), toolchain.host.clone()], &toolchain).expect("host");
        assert_eq!(targets.len(), 2);
        for target in targets {
            assert_eq!(target.cargo_target, None, "the host build shares the tests' cache");
            assert_eq!(target.platform, Platform::host().expect("host"));
        }
    }

    #[test]
    fn a_missing_standard_library_names_the_rustup_command() {
        // A target no developer machine or CI has installed.
        let error = plan_targets(&["x86_64-unknown-netbsd".to_owned()], &toolchain()).expect_err("not installed");
        assert!(error.contains("run `rustup target add x86_64-unknown-netbsd`"), "{error}");
        assert!(error.contains("rustc 1."), "the compiler whose library is missing: {error}");
    }

    #[test]
    fn every_missing_piece_is_reported_at_once() {
        let toolchain = Toolchain {
            rustc: "rustc".into(),
            host: "x86_64-unknown-linux-gnu".into(),
            version: "rustc 1.95.0".into(),
        };
        let requested = ["x86_64-unknown-netbsd".to_owned(), "aarch64-unknown-freebsd".to_owned()];
        let error = plan_targets(&requested, &toolchain).expect_err("neither installed");
        assert_eq!(error.lines().count(), 2, "{error}");
        assert!(plan_targets(&["wasm32-unknown-unknown".to_owned()], &toolchain).is_err());
    }

    #[test]
    fn linux_cross_targets_get_their_gcc_and_the_debian_package_that_installs_it() {
        assert_eq!(
            linux_cross_tools("aarch64-unknown-linux-gnu"),
            Some(("aarch64-linux-gnu-", "gcc-aarch64-linux-gnu"))
        );
        assert_eq!(linux_cross_tools("x86_64-pc-windows-gnu"), Some(("x86_64-w64-mingw32-", "gcc-mingw-w64-x86-64")));
        assert_eq!(linux_cross_tools("aarch64-apple-darwin"), None);
    }

    #[test]
    fn assembling_checks_each_zip_and_writes_one_checksum_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Real executables of this machine, packed under this machine's platform name.
        let binary = std::env::current_exe().expect("current exe");
        let host = Platform::host().expect("host");
        let build = PlatformBuild { platform: host.clone(), binary, notices: "notices\n".to_owned() };
        let out = dir.path().join("dist");
        let release = write_release(&out, "1.2.3", &[build], "{}\n", "licence\n").expect("release");
        let written = std::fs::read_to_string(&release.checksums).expect("sums");
        std::fs::remove_file(&release.checksums).expect("remove sums");

        // A signature of an earlier SHA256SUMS does not survive a new one.
        let stale_signature = out.join("terraform-provider-entra_1.2.3_SHA256SUMS.sig");
        std::fs::write(&stale_signature, b"old").expect("stale signature");
        let assembled = assemble(&out, "1.2.3", None).expect("assembled");
        assert!(!stale_signature.exists(), "the stale signature is removed");
        assert_eq!(assembled.zips, release.zips);
        assert_eq!(std::fs::read_to_string(&assembled.checksums).expect("sums"), written);

        // The same zip under another platform's name is refused: its executable is this machine's.
        let other = if host.arch == "arm64" { "amd64" } else { "arm64" };
        let renamed = out.join(format!("terraform-provider-entra_1.2.3_{}_{other}.zip", host.os));
        std::fs::copy(&release.zips[0], &renamed).expect("copy");
        let error = assemble(&out, "1.2.3", None).expect_err("wrong machine");
        assert!(error.contains(&format!("_{other}.zip: the binary for")), "{error}");
        std::fs::remove_file(&renamed).expect("remove");

        std::fs::write(out.join("terraform-provider-entra_1.2.3_linux_386.zip"), b"not a zip").expect("junk");
        assert!(assemble(&out, "1.2.3", None).expect_err("junk").contains("not a zip"));
    }
}
