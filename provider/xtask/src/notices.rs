//! The third-party notices a release zip carries: every crate compiled into the provider binary for one target,
//! with its licence expression and the licence and notice files the crate itself ships (the MIT, BSD and Apache
//! licences require their text and copyright lines to travel with binaries).
//!
//! The crate list comes from `cargo metadata --filter-platform <target>`, following only normal dependencies from the
//! provider package: build scripts' and tests' dependencies are not in the binary, and neither are another
//! platform's. Identical licence texts are printed once, with the crates that ship them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The file name of the notices in a release zip.
pub const NOTICES_FILE: &str = "THIRD_PARTY_NOTICES.txt";

/// One crate in the binary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Crate {
    /// The crate's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its SPDX licence expression (or a note that it gives a licence file instead).
    pub license: String,
    /// Its repository, when it declares one.
    pub repository: Option<String>,
    /// The crate's source directory, where its licence files are.
    pub dir: PathBuf,
}

/// The crates from outside the workspace that `package` links into its binaries for `target` (a Rust triple).
///
/// # Errors
/// When cargo metadata fails or its output is not what cargo documents.
pub fn crates_in_binary(root: &Path, package: &str, target: &str) -> Result<Vec<Crate>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--locked", "--filter-platform", target])
        .output()
        .map_err(|e| format!("running cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("reading cargo metadata: {e}"))?;
    crates_from_metadata(&metadata, package)
}

fn crates_from_metadata(metadata: &serde_json::Value, package: &str) -> Result<Vec<Crate>, String> {
    let malformed = |what: &str| format!("cargo metadata: {what}");
    let packages = metadata["packages"].as_array().ok_or_else(|| malformed("no packages"))?;
    let by_id: HashMap<&str, &serde_json::Value> =
        packages.iter().filter_map(|p| Some((p["id"].as_str()?, p))).collect();
    let nodes = metadata["resolve"]["nodes"].as_array().ok_or_else(|| malformed("no resolve graph"))?;
    let graph: HashMap<&str, &serde_json::Value> = nodes.iter().filter_map(|n| Some((n["id"].as_str()?, n))).collect();
    let start = packages
        .iter()
        .find(|p| p["name"] == package && p["source"].is_null())
        .and_then(|p| p["id"].as_str())
        .ok_or_else(|| malformed(&format!("no workspace package {package}")))?;

    let mut seen = BTreeSet::new();
    let mut pending = vec![start];
    while let Some(id) = pending.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(node) = graph.get(id) else { continue };
        for dep in node["deps"].as_array().into_iter().flatten() {
            // A dependency edge can be normal, build or dev, for some platforms; only normal edges reach the binary.
            let normal = dep["dep_kinds"].as_array().into_iter().flatten().any(|kind| kind["kind"].is_null());
            if normal && let Some(dep_id) = dep["pkg"].as_str() {
                pending.push(dep_id);
            }
        }
    }

    let mut crates = Vec::new();
    for id in seen {
        let Some(p) = by_id.get(id) else { continue };
        if p["source"].is_null() {
            continue; // a workspace crate: ours, under the project's own licence
        }
        let license = match (p["license"].as_str(), p["license_file"].as_str()) {
            (Some(expression), _) => expression.to_owned(),
            (None, Some(file)) => format!("see {file}"),
            (None, None) => "not declared".to_owned(),
        };
        let manifest = PathBuf::from(p["manifest_path"].as_str().ok_or_else(|| malformed("a package path"))?);
        crates.push(Crate {
            name: p["name"].as_str().unwrap_or_default().to_owned(),
            version: p["version"].as_str().unwrap_or_default().to_owned(),
            license,
            repository: p["repository"].as_str().map(str::to_owned),
            dir: manifest.parent().map(Path::to_path_buf).unwrap_or_default(),
        });
    }
    crates.sort();
    Ok(crates)
}

/// The licence, copyright and notice files at the top of a crate's source: `LICENSE*`, `LICENCE*`, `COPYING*`,
/// `NOTICE*`, `COPYRIGHT*`, `UNLICENSE*`.
fn license_files(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let upper = name.to_ascii_uppercase();
            let is_notice = ["LICENSE", "LICENCE", "COPYING", "NOTICE", "COPYRIGHT", "UNLICENSE"]
                .iter()
                .any(|prefix| upper.starts_with(prefix));
            let text = std::fs::read_to_string(entry.path()).ok()?;
            is_notice.then_some((name, text))
        })
        .collect();
    files.sort();
    files
}

/// Which crates ship one licence text, under which file names.
#[derive(Debug, Default)]
struct Shipped {
    crates: BTreeSet<String>,
    files: BTreeSet<String>,
}

/// The notices text for `crates`, headed with what they are the notices of.
pub fn render(title: &str, crates: &[Crate]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{title}\n");
    let _ = writeln!(
        out,
        "This program includes the following third-party crates, each under its own licence as listed. The licence,\n\
         copyright and notice files each crate ships follow the list; identical texts are given once.\n"
    );
    let mut texts: BTreeMap<String, Shipped> = BTreeMap::new();
    let mut without_files = Vec::new();
    for krate in crates {
        let label = format!("{} {}", krate.name, krate.version);
        let _ = writeln!(
            out,
            "- {label}: {}{}",
            krate.license,
            krate.repository.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
        );
        let files = license_files(&krate.dir);
        if files.is_empty() {
            without_files.push(label.clone());
        }
        for (name, text) in files {
            let entry = texts.entry(text.trim_end().to_owned()).or_default();
            entry.crates.insert(label.clone());
            entry.files.insert(name);
        }
    }
    if !without_files.is_empty() {
        let _ = writeln!(
            out,
            "\nThese crates ship no licence file of their own; their licence is the standard text of the SPDX\n\
             licence named above: {}",
            without_files.join(", ")
        );
    }
    // Texts in a stable order: by the first crate that ships them.
    let mut ordered: Vec<(&String, &Shipped)> = texts.iter().collect();
    ordered.sort_by(|a, b| a.1.crates.first().cmp(&b.1.crates.first()).then_with(|| a.0.cmp(b.0)));
    for (text, Shipped { crates: users, files: names }) in ordered {
        let _ = writeln!(out, "\n{}", "=".repeat(100));
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let users: Vec<&str> = users.iter().map(String::as_str).collect();
        let _ = writeln!(out, "{} of: {}", names.join(", "), users.join(", "));
        let _ = writeln!(out, "{}\n", "=".repeat(100));
        let _ = writeln!(out, "{text}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_normal_dependencies_from_registries_are_listed() {
        let metadata = serde_json::json!({
            "packages": [
                {"id": "app", "name": "app", "version": "0.1.0", "source": null, "license": "MPL-2.0",
                 "manifest_path": "/w/app/Cargo.toml"},
                {"id": "lib", "name": "lib", "version": "0.1.0", "source": null, "license": "MPL-2.0",
                 "manifest_path": "/w/lib/Cargo.toml"},
                {"id": "serde", "name": "serde", "version": "1.0.0", "source": "registry+x",
                 "license": "MIT OR Apache-2.0", "repository": "https://example.invalid/serde",
                 "manifest_path": "/r/serde/Cargo.toml"},
                {"id": "cc", "name": "cc", "version": "1.2.0", "source": "registry+x", "license": "MIT",
                 "manifest_path": "/r/cc/Cargo.toml"},
                {"id": "proptest", "name": "proptest", "version": "1.0.0", "source": "registry+x",
                 "license": "MIT", "manifest_path": "/r/proptest/Cargo.toml"},
                {"id": "odd", "name": "odd", "version": "2.0.0", "source": "registry+x", "license": null,
                 "license_file": "LICENSE.txt", "manifest_path": "/r/odd/Cargo.toml"}
            ],
            "resolve": {"nodes": [
                {"id": "app", "deps": [
                    {"pkg": "lib", "dep_kinds": [{"kind": null}]},
                    {"pkg": "cc", "dep_kinds": [{"kind": "build"}]},
                    {"pkg": "proptest", "dep_kinds": [{"kind": "dev"}]}
                ]},
                {"id": "lib", "deps": [
                    {"pkg": "serde", "dep_kinds": [{"kind": "build"}, {"kind": null}]},
                    {"pkg": "odd", "dep_kinds": [{"kind": null}]}
                ]},
                {"id": "serde", "deps": []}, {"id": "cc", "deps": []}, {"id": "proptest", "deps": []},
                {"id": "odd", "deps": []}
            ]}
        });
        let crates = crates_from_metadata(&metadata, "app").expect("crates");
        let listed: Vec<(&str, &str)> = crates.iter().map(|c| (c.name.as_str(), c.license.as_str())).collect();
        assert_eq!(listed, vec![("odd", "see LICENSE.txt"), ("serde", "MIT OR Apache-2.0")]);
        assert_eq!(crates[1].repository.as_deref(), Some("https://example.invalid/serde"));
        assert!(crates_from_metadata(&metadata, "missing").is_err());
    }

    #[test]
    fn identical_licence_texts_are_given_once_with_their_crates() {
        let dir = tempfile::tempdir().expect("temp dir");
        let make = |name: &str, files: &[(&str, &str)]| {
            let crate_dir = dir.path().join(name);
            std::fs::create_dir_all(&crate_dir).expect("dir");
            for (file, text) in files {
                std::fs::write(crate_dir.join(file), text).expect("file");
            }
            std::fs::write(crate_dir.join("README.md"), "not a licence").expect("readme");
            Crate {
                name: name.to_owned(),
                version: "1.0.0".to_owned(),
                license: "MIT".to_owned(),
                repository: None,
                dir: crate_dir,
            }
        };
        let crates = vec![
            make("alpha", &[("LICENSE-MIT", "MIT text\n"), ("NOTICE", "alpha notice\n")]),
            make("beta", &[("LICENSE", "MIT text\n")]),
            make("gamma", &[]),
        ];
        let text = render("Notices", &crates);
        assert_eq!(text.matches("MIT text").count(), 1, "{text}");
        assert!(text.contains("LICENSE, LICENSE-MIT of: alpha 1.0.0, beta 1.0.0"), "{text}");
        assert!(text.contains("NOTICE of: alpha 1.0.0\n"), "{text}");
        assert!(text.contains("alpha notice"), "{text}");
        assert!(text.contains("ship no licence file of their own; their licence is the standard text of the SPDX\nlicence named above: gamma 1.0.0"), "{text}");
        assert!(!text.contains("not a licence"), "{text}");
    }
}
