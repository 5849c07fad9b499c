//! The architecture invariants of ARCHITECTURE.md that a machine can check: which crate may depend on what, and
//! where the one HTTP client is built.

use std::path::{Path, PathBuf};

/// The crates that ship (the provider binary is built from them), by directory.
const SHIPPED: [(&str, &str); 3] = [
    ("tfplugin", "provider/tfplugin"),
    ("entra-graph", "provider/graph"),
    ("terraform-provider-entra", "provider/entra"),
];

/// The crates the invariants are about: those that ship, and the emulator. Test and tool crates (the acceptance
/// tests, xtask, benchmarks) may depend on anything.
fn checked_packages() -> Vec<(&'static str, &'static str)> {
    let mut packages = SHIPPED.to_vec();
    packages.push(("entra-graph-emulator", "provider/graph-emulator"));
    packages
}

/// The names in the `[dependencies]` and `[build-dependencies]` tables of a package's manifest (not the
/// dev-dependencies: tests may use anything).
fn dependencies(package_dir: &str) -> Vec<String> {
    let manifest = xtask::workspace_root().join(package_dir).join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("reading {}: {e}", manifest.display()));
    let mut names = Vec::new();
    let mut in_dependencies = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]" || line == "[build-dependencies]";
            continue;
        }
        if !in_dependencies || line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((name, _)) = line.split_once('=') {
            names.push(name.trim().trim_matches('"').to_owned());
        }
    }
    names
}

#[test]
fn the_manifest_reader_sees_the_dependencies() {
    let names = dependencies("provider/tfplugin");
    assert!(names.iter().any(|n| n == "tonic"), "{names:?}");
    assert!(!names.iter().any(|n| n == "proptest"), "dev-dependencies are not counted: {names:?}");
    // Every checked package is a member of the workspace.
    let root = std::fs::read_to_string(xtask::workspace_root().join("Cargo.toml")).expect("root manifest");
    for (package, dir) in checked_packages() {
        assert!(root.contains(&format!("\"{dir}\"")), "{package} ({dir}) is not a workspace member");
    }
}

#[test]
fn only_tfplugin_knows_grpc_protobuf_and_msgpack() {
    const PROTOCOL_CRATES: [&str; 7] = ["tonic", "tonic-prost", "tonic-health", "prost", "prost-types", "rmp", "rmpv"];
    for (package, dir) in checked_packages() {
        if package == "tfplugin" {
            continue;
        }
        let offending: Vec<String> =
            dependencies(dir).into_iter().filter(|d| PROTOCOL_CRATES.contains(&d.as_str())).collect();
        assert!(offending.is_empty(), "{package} depends on {offending:?}: only tfplugin may (ARCHITECTURE.md, 1)");
    }
}

#[test]
fn the_graph_client_knows_nothing_of_terraform() {
    let names = dependencies("provider/graph");
    assert!(!names.iter().any(|n| n == "tfplugin"), "entra-graph depends on tfplugin (ARCHITECTURE.md, 2)");
}

#[test]
fn nothing_that_ships_depends_on_the_emulator_and_the_emulator_shares_no_models() {
    for (package, dir) in SHIPPED {
        assert!(
            !dependencies(dir).iter().any(|d| d == "entra-graph-emulator"),
            "{package} ships and depends on the emulator (ARCHITECTURE.md, 6)"
        );
    }
    let emulator = dependencies("provider/graph-emulator");
    for forbidden in ["entra-graph", "tfplugin", "terraform-provider-entra"] {
        assert!(!emulator.iter().any(|d| d == forbidden), "the emulator depends on {forbidden} (ARCHITECTURE.md, 8)");
    }
}

/// Rust files under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn all_graph_traffic_goes_through_the_one_http_client() {
    for (package, dir) in SHIPPED {
        if package != "entra-graph" {
            assert!(
                !dependencies(dir).iter().any(|d| d == "reqwest"),
                "{package} depends on reqwest (ARCHITECTURE.md, 7)"
            );
        }
    }
    let root = xtask::workspace_root();
    let graph_src = root.join("provider/graph/src");
    for file in rust_files(&graph_src) {
        if file.ends_with("transport.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        for pattern in ["reqwest::Client::new", "reqwest::Client::builder", "ClientBuilder::new"] {
            assert!(
                !text.contains(pattern),
                "{} builds an HTTP client ({pattern}); only transport.rs may (ARCHITECTURE.md, 7)",
                file.display()
            );
        }
    }
}
