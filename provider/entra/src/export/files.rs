//! Writing the export's files: into an empty (or new) directory, or with `--force` over an earlier export, each
//! file written atomically (a temporary file in the same directory, renamed into place) so an interrupted export
//! never leaves a half-written `.tf` file behind.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::generate::{GENERATED_HEADER, GeneratedFile};

/// Why the files could not be written; the message is meant for the user as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError(pub String);

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WriteError {}

/// Checks that `dir` may receive an export: it does not exist yet (it is created), is empty, or `force` is set.
/// Run before anything is read from Graph, so a mistake costs nothing.
pub fn prepare(dir: &Path, force: bool) -> Result<(), WriteError> {
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if !force && entries.next().is_some() {
                return Err(WriteError(format!(
                    "{} is not empty. Export into a new or empty directory, or pass --force to overwrite the files \
                     the export writes there (other files are kept; .tf files of an earlier export that this one does \
                     not write are removed).",
                    dir.display()
                )));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(|e| WriteError(format!("creating the directory {}: {e}", dir.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            Err(WriteError(format!("{} exists and is not a directory", dir.display())))
        }
        Err(e) => Err(WriteError(format!("reading the directory {}: {e}", dir.display()))),
    }
}

/// Writes `files` into `dir` and removes `.tf` files an earlier export wrote there that this one does not (they
/// would declare objects twice or keep stale ones). Returns the paths written.
pub fn write(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<PathBuf>, WriteError> {
    let mut written = Vec::new();
    for file in files {
        let path = dir.join(file.name);
        write_atomically(&path, file.contents.as_bytes())
            .map_err(|e| WriteError(format!("writing {}: {e}", path.display())))?;
        written.push(path);
    }
    for stale in earlier_exports(dir)? {
        if !files.iter().any(|f| dir.join(f.name) == stale) {
            fs::remove_file(&stale).map_err(|e| WriteError(format!("removing {}: {e}", stale.display())))?;
        }
    }
    Ok(written)
}

/// `.tf` files in `dir` that begin with the export's header.
fn earlier_exports(dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let entries = fs::read_dir(dir).map_err(|e| WriteError(format!("reading the directory {}: {e}", dir.display())))?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "tf")
            && path.is_file()
            && fs::read_to_string(&path).is_ok_and(|text| text.starts_with(GENERATED_HEADER))
        {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("export");
    // A dot-file Terraform ignores, unique to this process so concurrent exports cannot trample each other.
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &'static str, contents: &str) -> GeneratedFile {
        GeneratedFile { name, contents: contents.to_owned() }
    }

    #[test]
    fn a_new_directory_is_created_and_a_non_empty_one_refused_without_force() {
        let base = tempfile::tempdir().unwrap();
        let out = base.path().join("a/b");
        prepare(&out, false).unwrap();
        assert!(out.is_dir());
        prepare(&out, false).unwrap();
        fs::write(out.join("main.tf"), "# mine\n").unwrap();
        let error = prepare(&out, false).unwrap_err();
        assert!(error.0.contains("not empty") && error.0.contains("--force"), "{error}");
        prepare(&out, true).unwrap();
        let not_dir = out.join("main.tf");
        assert!(prepare(&not_dir, true).unwrap_err().0.contains("not a directory"));
    }

    #[test]
    fn force_replaces_earlier_exports_and_keeps_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let header = format!("{GENERATED_HEADER} from tenant x.\n");
        write(
            dir.path(),
            &[file("providers.tf", &header), file("identity_sync.tf", &header), file("partners.tf", &header)],
        )
        .unwrap();
        fs::write(dir.path().join("main.tf"), "# written by hand\n").unwrap();
        fs::write(dir.path().join("notes.txt"), "keep").unwrap();
        let second = format!("{header}# second\n");
        let written = write(dir.path(), &[file("providers.tf", &second), file("partners.tf", &second)]).unwrap();
        assert_eq!(written.len(), 2);
        let mut names: Vec<String> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["main.tf", "notes.txt", "partners.tf", "providers.tf"], "no temporary files are left");
        assert_eq!(fs::read_to_string(dir.path().join("partners.tf")).unwrap(), second);
    }
}
