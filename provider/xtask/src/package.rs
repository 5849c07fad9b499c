//! `cargo xtask package`: the release artifacts the Terraform Registry expects, and a filesystem mirror.
//!
//! For version `V` and each platform `OS_ARCH` (Terraform's names: `linux_amd64`, `darwin_arm64`, ...), the output
//! directory receives:
//! - `terraform-provider-entra_V_OS_ARCH.zip`, holding the single file `terraform-provider-entra_vV` (`.exe` on
//!   Windows), executable;
//! - `terraform-provider-entra_V_manifest.json`: the repository's `terraform-registry-manifest.json`, which tells the
//!   registry the provider speaks protocol 6.0 only;
//! - `terraform-provider-entra_V_SHA256SUMS`: `sha256  file` lines for the zips and the manifest (the registry wants
//!   this file signed; signing happens in the release pipeline, with its key, not here);
//! - `mirror/registry.terraform.io/entra-tools/entra/terraform-provider-entra_V_OS_ARCH.zip`: the same zips in the
//!   packed layout of a Terraform filesystem mirror, for `terraform init -plugin-dir=<out>/mirror` or a
//!   `filesystem_mirror` CLI configuration (air-gapped installs, and the test that proves the artifacts work).
//!
//! Zip entries carry a fixed timestamp, so packaging the same binary twice gives the same checksums.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::cargo::Build;

/// The provider's source address in the public registry: where the mirror layout puts the zips.
pub const REGISTRY_ADDRESS: &str = "registry.terraform.io/entra-tools/entra";

/// The binary's name, and the prefix of every artifact.
pub const PROJECT_NAME: &str = "terraform-provider-entra";

/// The registry manifest at the repository root.
pub const MANIFEST_FILE: &str = "terraform-registry-manifest.json";

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

    fn executable_suffix(&self) -> &'static str {
        if self.os == "windows" { ".exe" } else { "" }
    }
}

/// What `cargo xtask package` does.
#[derive(Debug, Clone)]
pub struct Options {
    /// The release version, without a `v` (`0.1.0`).
    pub version: String,
    /// Rust target triples to build for; empty means this machine.
    pub targets: Vec<String>,
    /// A dev-profile build instead of `--release` (fast; for tests).
    pub debug: bool,
    /// cargo's target directory, if not the default.
    pub target_dir: Option<PathBuf>,
    /// Where the artifacts go.
    pub out_dir: PathBuf,
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
    /// The filesystem mirror's root (pass it to `terraform init -plugin-dir`).
    pub mirror: PathBuf,
}

/// Builds the provider for every requested platform and writes the release into `options.out_dir`.
///
/// # Errors
/// When the version is malformed, a build fails, or a file cannot be written.
pub fn run(root: &Path, options: &Options) -> Result<Release, String> {
    check_version(&options.version)?;
    let targets: Vec<Option<String>> =
        if options.targets.is_empty() { vec![None] } else { options.targets.iter().cloned().map(Some).collect() };
    let mut binaries = Vec::new();
    for target in targets {
        let platform = match &target {
            Some(triple) => Platform::from_rust_target(triple)?,
            None => Platform::host()?,
        };
        let build = Build {
            binaries: vec![(PROJECT_NAME.to_owned(), PROJECT_NAME.to_owned())],
            release: !options.debug,
            target,
            target_dir: options.target_dir.clone(),
        };
        let built = build.run(root)?;
        let binary = built.get(PROJECT_NAME).cloned().ok_or("cargo did not build the provider")?;
        binaries.push((platform, binary));
    }
    let manifest =
        std::fs::read_to_string(root.join(MANIFEST_FILE)).map_err(|e| format!("reading {MANIFEST_FILE}: {e}"))?;
    write_release(&options.out_dir, &options.version, &binaries, &manifest)
}

/// Writes the release files for already-built binaries (one per platform) into `out_dir`.
///
/// # Errors
/// When the version is malformed, a binary cannot be read or a file cannot be written.
pub fn write_release(
    out_dir: &Path,
    version: &str,
    binaries: &[(Platform, PathBuf)],
    manifest: &str,
) -> Result<Release, String> {
    check_version(version)?;
    let mirror_root = out_dir.join("mirror");
    let mirror_dir = mirror_root.join(REGISTRY_ADDRESS);
    std::fs::create_dir_all(&mirror_dir).map_err(|e| format!("creating {}: {e}", mirror_dir.display()))?;

    let mut zips = Vec::new();
    let mut sums = Vec::new();
    for (platform, binary) in binaries {
        let name = format!("{PROJECT_NAME}_{version}_{platform}.zip");
        let zip_path = out_dir.join(&name);
        let entry = format!("{PROJECT_NAME}_v{version}{}", platform.executable_suffix());
        let bytes = zip_single_executable(binary, &entry)?;
        write_file(&zip_path, &bytes)?;
        write_file(&mirror_dir.join(&name), &bytes)?;
        sums.push((name, sha256_hex(&bytes)));
        zips.push(zip_path);
    }

    let manifest_name = format!("{PROJECT_NAME}_{version}_manifest.json");
    let manifest_path = out_dir.join(&manifest_name);
    write_file(&manifest_path, manifest.as_bytes())?;
    sums.push((manifest_name, sha256_hex(manifest.as_bytes())));

    sums.sort();
    let mut listing = String::new();
    for (name, digest) in &sums {
        let _ = writeln!(listing, "{digest}  {name}");
    }
    let checksums = out_dir.join(format!("{PROJECT_NAME}_{version}_SHA256SUMS"));
    write_file(&checksums, listing.as_bytes())?;

    Ok(Release { version: version.to_owned(), zips, manifest: manifest_path, checksums, mirror: mirror_root })
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

fn zip_single_executable(binary: &Path, entry_name: &str) -> Result<Vec<u8>, String> {
    let contents = std::fs::read(binary).map_err(|e| format!("reading {}: {e}", binary.display()))?;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755)
        // A fixed time (the zip epoch, 1980-01-01) keeps archives of the same binary byte-for-byte identical.
        .last_modified_time(zip::DateTime::default())
        .large_file(contents.len() as u64 >= u64::from(u32::MAX));
    writer.start_file(entry_name, options).map_err(|e| format!("zipping {entry_name}: {e}"))?;
    writer.write_all(&contents).map_err(|e| format!("zipping {entry_name}: {e}"))?;
    let cursor = writer.finish().map_err(|e| format!("zipping {entry_name}: {e}"))?;
    Ok(cursor.into_inner())
}

fn sha256_hex(bytes: &[u8]) -> String {
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
        let platforms = [
            (Platform { os: "linux".into(), arch: "amd64".into() }, binary.clone()),
            (Platform { os: "windows".into(), arch: "amd64".into() }, binary.clone()),
        ];
        let manifest = "{\"version\":1}\n";
        let release = write_release(&out, "1.2.3", &platforms, manifest).expect("release");

        let zip = out.join("terraform-provider-entra_1.2.3_linux_amd64.zip");
        assert_eq!(release.zips, vec![zip.clone(), out.join("terraform-provider-entra_1.2.3_windows_amd64.zip")]);
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).expect("zip")).expect("readable zip");
        assert_eq!(archive.len(), 1);
        let entry = archive.by_index(0).expect("entry");
        assert_eq!(entry.name().expect("entry name"), "terraform-provider-entra_v1.2.3");
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
        drop(entry);
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
        let again = write_release(&dir.path().join("again"), "1.2.3", &platforms, manifest).expect("release");
        assert_eq!(std::fs::read(&again.zips[0]).expect("zip"), zip_bytes);
    }
}
