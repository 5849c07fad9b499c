//! Signing the release's `SHA256SUMS` with GnuPG, as the Terraform Registry protocol expects: a detached, binary
//! (not armoured) signature, and the signer's key id and ASCII-armoured public key for the registry to hand to
//! `terraform init`, which checks the signature against that key before it trusts any checksum.
//!
//! The key never lives in the repository. It comes from the environment, one of two ways:
//! - [`SigningKey::KeyId`]: a key already in the signer's GnuPG home (`GNUPGHOME`, else `~/.gnupg`), used through
//!   gpg and its agent as any other signature would be (a smart card works the same way);
//! - [`SigningKey::KeyFile`]: an ASCII-armoured secret key file (a CI secret written to disk), imported into a
//!   temporary GnuPG home that is deleted afterwards, with an optional passphrase.
//!
//! Every signature is verified before it is written out, in a fresh GnuPG home holding only the exported public
//! key: the files a release publishes are proven to verify with each other, not just produced.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where the signing key comes from.
#[derive(Clone)]
pub enum SigningKey {
    /// A key (id, fingerprint or user id) in the signer's own GnuPG home or agent.
    KeyId(String),
    /// An ASCII-armoured secret key file, and its passphrase if it has one.
    KeyFile {
        /// The armoured secret key.
        path: PathBuf,
        /// The key's passphrase (`None` for an unprotected key).
        passphrase: Option<String>,
    },
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigningKey::KeyId(id) => f.debug_tuple("KeyId").field(id).finish(),
            // Never print a passphrase.
            SigningKey::KeyFile { path, passphrase } => f
                .debug_struct("KeyFile")
                .field("path", path)
                .field("passphrase", &passphrase.as_ref().map(|_| "<redacted>"))
                .finish(),
        }
    }
}

/// What the registry publishes about the key that made a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The primary key's long id, 16 upper-case hex digits (the registry's `key_id`).
    pub key_id: String,
    /// The public key, ASCII-armoured (the registry's `ascii_armor`).
    pub ascii_armor: String,
}

/// Checks, before a long build, that the key can be found: the key id names one secret key in GnuPG, or the key
/// file can be read.
///
/// # Errors
/// When gpg is missing, the key id names no secret key (or several), or the file cannot be read.
pub fn check_key(key: &SigningKey) -> Result<(), String> {
    match key {
        SigningKey::KeyId(id) => secret_key_id(gpg_command(), id).map(drop),
        SigningKey::KeyFile { path, .. } => {
            std::fs::metadata(path).map(drop).map_err(|e| format!("the signing key file {}: {e}", path.display()))
        }
    }
}

/// Signs `file` into the detached binary signature `signature_out` and returns the signer's public key.
///
/// # Errors
/// When gpg is missing, the key is not found or cannot sign, or the signature does not verify with the exported
/// public key.
pub fn sign_detached(key: &SigningKey, file: &Path, signature_out: &Path) -> Result<PublicKey, String> {
    let (home, key_spec, passphrase) = match key {
        SigningKey::KeyId(id) => (None, id.clone(), None),
        SigningKey::KeyFile { path, passphrase } => {
            let home = GnupgHome::new()?;
            let imported = home.gpg().args(["--import"]).arg(path).output().map_err(gpg_missing)?;
            if !imported.status.success() {
                return Err(format!(
                    "importing the signing key from {}: {}",
                    path.display(),
                    String::from_utf8_lossy(&imported.stderr).trim()
                ));
            }
            (Some(home), String::new(), passphrase.clone())
        }
    };
    let gpg = || home.as_ref().map_or_else(gpg_command, GnupgHome::gpg);

    let key_id = secret_key_id(gpg(), &key_spec)?;
    let mut sign = gpg();
    sign.args(["--yes", "--local-user", &key_id, "--detach-sign", "--output"]).arg(signature_out);
    if passphrase.is_some() {
        sign.args(["--pinentry-mode", "loopback", "--passphrase-fd", "0"]);
    }
    sign.arg(file);
    let signed = run_with_input(sign, passphrase.as_deref().unwrap_or_default())?;
    if !signed.status.success() {
        return Err(format!(
            "gpg could not sign {}: {}",
            file.display(),
            String::from_utf8_lossy(&signed.stderr).trim()
        ));
    }

    let exported = gpg().args(["--armor", "--export", &key_id]).output().map_err(gpg_missing)?;
    let ascii_armor = String::from_utf8(exported.stdout).map_err(|_| "gpg exported a non-text public key")?;
    if !exported.status.success() || !ascii_armor.contains("BEGIN PGP PUBLIC KEY BLOCK") {
        return Err(format!("exporting the public key {key_id}: {}", String::from_utf8_lossy(&exported.stderr).trim()));
    }
    drop(home);

    let public_key = PublicKey { key_id, ascii_armor };
    verify_detached(&public_key.ascii_armor, file, signature_out)?;
    Ok(public_key)
}

/// Checks a detached signature of `file` against one armoured public key, in a GnuPG home holding only that key
/// (so no other key the machine trusts can make it pass).
///
/// # Errors
/// When the signature does not verify with that key.
pub fn verify_detached(ascii_armor: &str, file: &Path, signature: &Path) -> Result<(), String> {
    let home = GnupgHome::new()?;
    let imported = run_with_input(home.gpg_with(&["--import"]), ascii_armor)?;
    if !imported.status.success() {
        return Err(format!("importing the public key: {}", String::from_utf8_lossy(&imported.stderr).trim()));
    }
    let verified = home.gpg().arg("--verify").arg(signature).arg(file).output().map_err(gpg_missing)?;
    if verified.status.success() {
        Ok(())
    } else {
        Err(format!(
            "the signature {} does not verify {} with the exported public key: {}",
            signature.display(),
            file.display(),
            String::from_utf8_lossy(&verified.stderr).trim()
        ))
    }
}

/// The long key id of the one secret key `spec` names (every secret key when `spec` is empty).
fn secret_key_id(mut gpg: Command, spec: &str) -> Result<String, String> {
    gpg.args(["--with-colons", "--list-secret-keys"]);
    if !spec.is_empty() {
        gpg.arg(spec);
    }
    let listed = gpg.output().map_err(gpg_missing)?;
    let text = String::from_utf8_lossy(&listed.stdout);
    let ids = secret_key_ids(&text);
    let described = if spec.is_empty() { "the key file".to_owned() } else { format!("`{spec}`") };
    match ids.as_slice() {
        [id] => Ok(id.clone()),
        [] => Err(format!(
            "no secret key found for {described}{}",
            if listed.status.success() {
                String::new()
            } else {
                format!(": {}", String::from_utf8_lossy(&listed.stderr).trim())
            }
        )),
        many => Err(format!("{described} names {} secret keys ({}); name one", many.len(), many.join(", "))),
    }
}

/// The key ids of the `sec` (primary secret key) records in gpg's `--with-colons` listing: field 5.
fn secret_key_ids(colons: &str) -> Vec<String> {
    colons
        .lines()
        .filter(|line| line.starts_with("sec:"))
        .filter_map(|line| line.split(':').nth(4))
        .map(str::to_ascii_uppercase)
        .collect()
}

fn gpg_command() -> Command {
    let mut command = Command::new("gpg");
    command.args(["--batch", "--no-tty"]);
    command
}

fn gpg_missing(error: std::io::Error) -> String {
    format!("running gpg: {error} (install GnuPG: `apt-get install gnupg`, `brew install gnupg`)")
}

fn run_with_input(mut command: Command, input: &str) -> Result<std::process::Output, String> {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().map_err(gpg_missing)?;
    if let Some(mut stdin) = child.stdin.take() {
        // gpg may exit before reading (a bad key): a broken pipe here is reported by its exit status instead.
        let _ = stdin.write_all(input.as_bytes());
    }
    child.wait_with_output().map_err(gpg_missing)
}

/// A temporary GnuPG home; its agent is stopped and the directory removed on drop.
#[derive(Debug)]
struct GnupgHome {
    dir: tempfile::TempDir,
}

impl GnupgHome {
    fn new() -> Result<GnupgHome, String> {
        let dir = tempfile::Builder::new()
            .prefix("gnupg-")
            .tempdir()
            .map_err(|e| format!("creating a temporary GnuPG home: {e}"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            // gpg warns about (and some versions refuse) a home others can read.
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
                .map_err(|e| format!("securing the temporary GnuPG home: {e}"))?;
        }
        Ok(GnupgHome { dir })
    }

    fn gpg(&self) -> Command {
        let mut command = gpg_command();
        command.arg("--homedir").arg(self.dir.path());
        command
    }

    fn gpg_with(&self, args: &[&str]) -> Command {
        let mut command = self.gpg();
        command.args(args);
        command
    }
}

impl Drop for GnupgHome {
    fn drop(&mut self) {
        // The agent gpg started for this home would outlive it otherwise.
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.dir.path())
            .args(["--kill", "gpg-agent"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_come_from_the_secret_key_records() {
        let listing = "sec:u:255:22:4d3c2b1a00ff99ee:1700000000:::u:::scSC:::+:::ed25519:::0:\n\
                       fpr:::::::::0123456789ABCDEF01234567 4d3c2b1a00ff99ee:\n\
                       uid:u::::1700000000::AAAA::Release <release@example.com>::::::::::0:\n\
                       ssb:u:255:18:1122334455667788:1700000000::::::e:::+:::cv25519::\n";
        assert_eq!(secret_key_ids(listing), vec!["4D3C2B1A00FF99EE".to_owned()]);
        assert!(secret_key_ids("").is_empty());
    }

    #[test]
    fn a_passphrase_is_never_printed() {
        let key = SigningKey::KeyFile { path: "key.asc".into(), passphrase: Some("hunter2".to_owned()) };
        let printed = format!("{key:?}");
        assert!(!printed.contains("hunter2") && printed.contains("redacted"), "{printed}");
    }

    /// A throw-away ed25519 key, protected by `passphrase`, exported as an armoured secret key file.
    fn throwaway_key_file(dir: &Path, passphrase: &str) -> PathBuf {
        let home = GnupgHome::new().expect("home");
        let generated = run_with_input(
            home.gpg_with(&[
                "--pinentry-mode",
                "loopback",
                "--passphrase-fd",
                "0",
                "--quick-gen-key",
                "xtask signing test <signing-test@example.invalid>",
                "ed25519",
                "sign",
                "never",
            ]),
            passphrase,
        )
        .expect("gpg");
        assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
        let path = dir.join("secret.asc");
        let exported = run_with_input(
            home.gpg_with(&["--pinentry-mode", "loopback", "--passphrase-fd", "0", "--armor", "--export-secret-keys"]),
            passphrase,
        )
        .expect("gpg");
        assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
        std::fs::write(&path, exported.stdout).expect("key file");
        path
    }

    #[test]
    fn a_key_file_with_a_passphrase_signs_and_the_exported_key_verifies_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let key_file = throwaway_key_file(dir.path(), "correct horse");
        let sums = dir.path().join("SHA256SUMS");
        std::fs::write(&sums, "abc  file.zip\n").expect("sums");
        let signature = dir.path().join("SHA256SUMS.sig");

        let key = SigningKey::KeyFile { path: key_file.clone(), passphrase: Some("correct horse".to_owned()) };
        let public = sign_detached(&key, &sums, &signature).expect("signed");
        assert_eq!(public.key_id.len(), 16, "{public:?}");
        assert!(public.key_id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase()));
        assert!(public.ascii_armor.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        assert!(!public.ascii_armor.contains("PRIVATE"), "only the public key is exported");
        let bytes = std::fs::read(&signature).expect("signature");
        assert!(!bytes.starts_with(b"-----BEGIN"), "a binary signature, as the registry protocol expects");

        // Changing one byte of the signed file breaks the signature.
        std::fs::write(&sums, "abd  file.zip\n").expect("tampered sums");
        assert!(verify_detached(&public.ascii_armor, &sums, &signature).is_err());

        // A wrong passphrase cannot sign.
        let wrong = SigningKey::KeyFile { path: key_file, passphrase: Some("wrong".to_owned()) };
        let error = sign_detached(&wrong, &sums, &signature).expect_err("wrong passphrase");
        assert!(error.contains("could not sign"), "{error}");
    }

    #[test]
    fn an_unknown_key_id_is_reported() {
        let home = GnupgHome::new().expect("home");
        let error = secret_key_id(home.gpg(), "no-such-key@example.invalid").expect_err("no key");
        assert!(error.contains("no secret key found for `no-such-key@example.invalid`"), "{error}");
        let missing = SigningKey::KeyFile { path: "/nonexistent/key.asc".into(), passphrase: None };
        assert!(check_key(&missing).expect_err("no file").contains("/nonexistent/key.asc"));
    }
}
