//! The generated protocol code in `src/generated/` must be exactly what `cargo xtask codegen` writes from `proto/`.

use std::path::Path;

// The generator is shared with the xtask binary, so "fresh" means byte-for-byte what the command would write.
#[path = "../../xtask/src/codegen.rs"]
mod codegen;

#[test]
fn generated_code_matches_the_proto_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("workspace root");
    let generated = codegen::generate(root).expect("code generation");
    let dir = root.join(codegen::GENERATED_DIR);
    assert!(!generated.is_empty());
    for file in &generated {
        let committed = std::fs::read_to_string(dir.join(&file.name)).unwrap_or_default();
        assert!(
            committed == file.contents,
            "{} is stale: the .proto files changed. Run `cargo xtask codegen` and commit the result.",
            file.name
        );
    }
    // Nothing generated earlier may linger once its .proto file is gone.
    let mut expected: Vec<String> = generated.iter().map(|f| f.name.clone()).collect();
    expected.push("mod.rs".to_owned());
    for entry in std::fs::read_dir(&dir).expect("generated directory") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(expected.contains(&name), "{name} in {} is not generated any more; delete it", dir.display());
    }
}
