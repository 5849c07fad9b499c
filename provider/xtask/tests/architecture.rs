//! The architecture invariants of ARCHITECTURE.md that a machine can check: which crate may depend on what, that
//! the protocol's generated code and types stay inside `tfplugin`, and where the one HTTP client is built.

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

/// The workspace members' directories, from the root manifest's `members` list.
fn workspace_members() -> Vec<String> {
    let root = std::fs::read_to_string(xtask::workspace_root().join("Cargo.toml")).expect("root manifest");
    let list = root.split_once("members = [").expect("a members list").1.split_once(']').expect("its end").0;
    list.split(',').map(|m| m.trim().trim_matches('"').to_owned()).filter(|m| !m.is_empty()).collect()
}

/// Every dependency name a manifest declares, in any table: normal, dev, build, target-specific, and the
/// `[dependencies.name]` form.
fn all_dependencies(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_dependencies = false;
    for line in manifest.lines() {
        let line = line.trim();
        if let Some(table) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_dependencies = table.ends_with("dependencies");
            if let Some((prefix, name)) = table.rsplit_once('.')
                && prefix.ends_with("dependencies")
            {
                names.push(name.trim_matches('"').to_owned());
            }
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

/// The crates whose types are gRPC and protobuf at run time (build tools such as `tonic-prost-build` generate
/// code and are not among them).
const GRPC_RUNTIME_CRATES: [&str; 5] = ["tonic", "tonic-prost", "tonic-health", "prost", "prost-types"];

/// The gRPC and protobuf crates a manifest depends on, in any table.
fn grpc_dependencies(manifest: &str) -> Vec<String> {
    all_dependencies(manifest).into_iter().filter(|d| GRPC_RUNTIME_CRATES.contains(&d.as_str())).collect()
}

#[test]
fn no_crate_but_tfplugin_depends_on_prost_or_tonic() {
    let members = workspace_members();
    assert!(members.len() >= 7 && members.iter().any(|m| m == "provider/bench"), "{members:?}");
    for member in members {
        if member == "provider/tfplugin" {
            continue;
        }
        let manifest = xtask::workspace_root().join(&member).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("reading {}: {e}", manifest.display()));
        let offending = grpc_dependencies(&text);
        assert!(
            offending.is_empty(),
            "{member} depends on {offending:?}: only tfplugin may name gRPC or protobuf types (ARCHITECTURE.md, 1)"
        );
    }
}

#[test]
fn the_dependency_reader_finds_grpc_crates_in_every_table() {
    let manifest = "[dependencies]\nserde = \"1\"\n\n[dev-dependencies]\nprost = { workspace = true }\n\n\
                    [target.'cfg(unix)'.dependencies]\ntonic = \"0.14\"\n\n[dependencies.tonic-health]\nversion = \"0.14\"\n\n\
                    [build-dependencies]\ntonic-prost-build = \"0.14\"\n";
    assert_eq!(grpc_dependencies(manifest), ["prost", "tonic", "tonic-health"]);
    assert!(grpc_dependencies("[dependencies]\nserde = \"1\"\n[features]\nprost = []\n").is_empty());
}

/// How `tfplugin/src/lib.rs` may declare the generated module: without any `pub`.
fn generated_module_problems(lib_rs: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let declarations: Vec<&str> = lib_rs
        .lines()
        .map(str::trim)
        .filter(|l| l.ends_with("mod generated;") || l.ends_with("mod generated {"))
        .collect();
    if declarations != ["mod generated;"] {
        problems
            .push(format!("the generated module must be declared exactly as `mod generated;`, found {declarations:?}"));
    }
    problems
}

/// Public items (plain `pub`, which the workspace's `unreachable_pub` lint keeps reachable from outside the crate)
/// whose declaration names the generated code or a gRPC/protobuf type. A declaration is read from its `pub` to
/// the end of its signature (`{`, `;`, or the end of a field line), so multi-line signatures count.
fn public_protocol_types(source: &str) -> Vec<String> {
    const PROTOCOL_NAMES: [&str; 9] = [
        "prost::",
        "prost_types::",
        "tonic::",
        "tonic_health::",
        "generated",
        "tfplugin6::",
        "pb::",
        "ProviderClient",
        "GrpcControllerClient",
    ];
    let lines: Vec<&str> = source.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        if line.starts_with("pub ") {
            // An item's signature ends at `{` or `;`; a public field's declaration at the end of its line.
            let is_field = line.strip_prefix("pub ").and_then(|rest| rest.split_once(':')).is_some_and(|(name, _)| {
                name.trim().chars().all(|c| c.is_alphanumeric() || c == '_') && !name.contains("fn")
            });
            let mut declaration = String::new();
            let mut j = i;
            while j < lines.len() {
                let text = lines[j].split("//").next().unwrap_or("");
                declaration.push_str(text);
                declaration.push(' ');
                if text.contains('{')
                    || text.contains(';')
                    || (is_field && text.trim_end().ends_with(','))
                    || j - i > 20
                {
                    break;
                }
                j += 1;
            }
            let signature = declaration.split('{').next().unwrap_or("");
            if let Some(name) = PROTOCOL_NAMES.iter().find(|n| signature.contains(*n)) {
                found.push(format!("line {}: `{}` names {name}", i + 1, signature.trim()));
            }
            i = j;
        }
        i += 1;
    }
    found
}

#[test]
fn the_generated_protocol_code_is_private_to_tfplugin() {
    let src = xtask::workspace_root().join("provider/tfplugin/src");
    let lib_rs = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let problems = generated_module_problems(&lib_rs);
    assert!(problems.is_empty(), "{problems:?} (ARCHITECTURE.md, 1)");
    let mut checked = 0;
    for file in rust_files(&src) {
        if file.starts_with(src.join("generated")) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        let found = public_protocol_types(&text);
        assert!(
            found.is_empty(),
            "{} exposes the protocol's generated or gRPC types in its public items: {found:#?} (ARCHITECTURE.md, 1)",
            file.display()
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} files checked");
}

#[test]
fn the_public_item_check_catches_protocol_types() {
    assert_eq!(generated_module_problems("mod context;\nmod generated;\npub mod schema;\n"), Vec::<String>::new());
    assert_eq!(generated_module_problems("pub mod generated;\n").len(), 1);
    assert_eq!(generated_module_problems("pub(crate) mod generated;\n").len(), 1);

    let exposing = [
        "pub mod proto {\n    pub use crate::generated::tfplugin6;\n}\n",
        "pub async fn get_provider_schema(&self) -> Result<get_provider_schema::Response, tonic::Status> {\n}\n",
        "pub fn provider(\n    &self,\n) -> ProviderClient<Channel> {\n}\n",
        "pub struct S {\n    pub message: prost_types::Any,\n}\n",
        "pub type Response = pb::get_metadata::Response;\n",
        "pub use crate::generated as proto;\n",
    ];
    for source in exposing {
        assert!(!public_protocol_types(source).is_empty(), "not caught:\n{source}");
    }
    let fine = [
        "pub(crate) fn provider(&self) -> ProviderClient<Channel> {\n}\n",
        "fn decode(dynamic: Option<&pb::DynamicValue>) -> Value {\n}\n",
        "pub fn encoded_len(&self) -> usize {\n    prost::Message::encoded_len(&self.response)\n}\n",
        "pub struct S {\n    pub len: usize, // not a prost:: type\n}\n",
    ];
    for source in fine {
        assert!(
            public_protocol_types(source).is_empty(),
            "wrongly caught:\n{source}: {:?}",
            public_protocol_types(source)
        );
    }
}
