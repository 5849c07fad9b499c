//! Installing the provider the way users do: `cargo xtask package` signs a release with a throw-away GPG key, the
//! project's provider registry serves it over HTTPS, and the real `terraform init` finds it by service discovery,
//! verifies the signature of `SHA256SUMS` and the zip's checksum, installs it, and `terraform plan` runs it against
//! the Graph emulator. A tampered zip and a signature by another key make `terraform init` fail.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use entra_graph_emulator::{Emulator, EmulatorConfig};
use support::{COMMAND_TIMEOUT, Finished, run, terraform_command, with_target_dir, xtask};
use xtask::registry::{Config, Registry, Tls};

const VERSION: &str = "0.1.0";
const FABRIKAM: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";
const TERRAFORM_TIMEOUT: Duration = Duration::from_secs(300);
/// A registry host name that resolves nowhere: the CLI configuration's `host` block sends it to the loopback
/// registry, as an organisation's DNS name would.
const REGISTRY_HOST: &str = "registry.entra-tools.test";

/// A GnuPG home with one throw-away signing key, whose agent is stopped on drop.
struct ThrowawayKey {
    home: tempfile::TempDir,
    user_id: String,
}

impl ThrowawayKey {
    fn generate(user_id: &str) -> ThrowawayKey {
        let home = tempfile::Builder::new().prefix("gnupg-").tempdir().expect("GnuPG home");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
        }
        let key = ThrowawayKey { home, user_id: user_id.to_owned() };
        let generated = run(
            key.gpg(&["--passphrase", "", "--quick-gen-key", user_id, "ed25519", "sign", "never"]),
            COMMAND_TIMEOUT,
        );
        assert_eq!(generated.code, Some(0), "gpg --quick-gen-key: {generated}");
        key
    }

    fn gpg(&self, args: &[&str]) -> Command {
        let mut command = Command::new("gpg");
        command.args(["--batch", "--no-tty", "--homedir"]).arg(self.home.path()).args(args);
        command
    }
}

impl Drop for ThrowawayKey {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf").arg("--homedir").arg(self.home.path()).args(["--kill", "gpg-agent"]).status();
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for entry in std::fs::read_dir(from).expect("read dist") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

fn start_registry(dir: &Path) -> Registry {
    Registry::start(Config {
        dir: dir.to_path_buf(),
        namespace: "entra-tools".to_owned(),
        provider_type: "entra".to_owned(),
        listen: "127.0.0.1:0".parse().expect("address"),
        public_url: None,
        tls: Tls::Generated { extra_names: Vec::new() },
        log_requests: false,
    })
    .expect("start the registry")
}

/// A Terraform working directory with a configuration that takes the provider from the registry host, and the
/// environment that reaches the registry and the emulator.
struct Workspace {
    _scratch: tempfile::TempDir,
    dir: PathBuf,
    env: Vec<(String, String)>,
}

impl Workspace {
    fn new(registry: &Registry, emulator: &Emulator) -> Workspace {
        let scratch = tempfile::tempdir().expect("temp dir");
        let dir = scratch.path().join("work");
        std::fs::create_dir_all(&dir).expect("work dir");
        std::fs::write(
            dir.join("main.tf"),
            format!(
                r#"terraform {{
  required_providers {{
    entra = {{
      source  = "{REGISTRY_HOST}/entra-tools/entra"
      version = "{VERSION}"
    }}
  }}
}}

provider "entra" {{}}

data "entra_tenant_information" "fabrikam" {{
  domain_name = "fabrikam.com"
}}

resource "entra_cross_tenant_partner" "fabrikam" {{
  tenant_id = data.entra_tenant_information.fabrikam.tenant_id
}}
"#
            ),
        )
        .expect("main.tf");
        let cli_config = scratch.path().join("registry.tfrc");
        std::fs::write(
            &cli_config,
            format!(
                "disable_checkpoint = true\nhost \"{REGISTRY_HOST}\" {{\n  services = {{\n    \"providers.v1\" = \"{}\"\n  }}\n}}\n",
                registry.providers_url()
            ),
        )
        .expect("CLI config");
        // Terraform trusts the registry's CA and the provider the emulator's, through the same variable.
        let trusted = scratch.path().join("trusted.pem");
        let emulator_ca = std::fs::read_to_string(emulator.ca_cert_file()).expect("emulator CA");
        std::fs::write(&trusted, format!("{emulator_ca}\n{}", registry.ca_pem().expect("generated CA")))
            .expect("trusted CAs");
        let env = [
            ("TF_CLI_CONFIG_FILE", cli_config.display().to_string()),
            ("SSL_CERT_FILE", trusted.display().to_string()),
            ("ARM_TENANT_ID", emulator.tenant_id().to_owned()),
            ("ARM_CLIENT_ID", emulator.client_id().to_owned()),
            ("ARM_CLIENT_SECRET", emulator.client_secret().to_owned()),
            ("ARM_GRAPH_ENDPOINT", emulator.endpoint().to_owned()),
            ("ARM_AUTHORITY_HOST", emulator.endpoint().to_owned()),
            ("ARM_USE_CLI", "false".to_owned()),
            ("ENTRA_CONSISTENCY_POLL_INTERVAL", "10ms".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Workspace { _scratch: scratch, dir, env }
    }

    fn terraform(&self, args: &[&str]) -> Finished {
        run(terraform_command(&self.dir, args, &self.env), TERRAFORM_TIMEOUT)
    }
}

#[test]
fn terraform_installs_the_signed_release_from_the_registry_and_refuses_a_tampered_one() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let key = ThrowawayKey::generate("entra release test <release-test@example.invalid>");
    let dist = scratch.path().join("dist");
    let mut command = xtask();
    command
        .args(["package", "--debug", "--target", "host", "--version", VERSION, "--out"])
        .arg(&dist)
        .args(["--signing-key-id", &key.user_id])
        .env("GNUPGHOME", key.home.path());
    with_target_dir(&mut command);
    let packaged = run(command, COMMAND_TIMEOUT);
    assert_eq!(packaged.code, Some(0), "{packaged}");
    let key_id = std::fs::read_to_string(dist.join(format!("terraform-provider-entra_{VERSION}_signing_key_id")))
        .expect("key id file")
        .trim()
        .to_owned();
    assert_eq!(key_id.len(), 16, "{key_id}");

    let emulator = Emulator::start(EmulatorConfig::default()).expect("start the emulator");

    // The release as packaged: Terraform verifies the signature with the published key and installs it.
    let registry = start_registry(&dist);
    let workspace = Workspace::new(&registry, &emulator);
    let init = workspace.terraform(&["init", "-input=false", "-no-color"]);
    eprintln!("--- terraform init from the registry ---\n{}", init.stdout);
    assert_eq!(init.code, Some(0), "{init}");
    assert!(
        init.stdout.contains(&format!(
            "Installed {REGISTRY_HOST}/entra-tools/entra v{VERSION} (self-signed, key ID {key_id})"
        )),
        "Terraform says it checked the signature of the key the release was signed with: {init}"
    );
    let lock = std::fs::read_to_string(workspace.dir.join(".terraform.lock.hcl")).expect("lock file");
    assert!(lock.contains(&format!("provider \"{REGISTRY_HOST}/entra-tools/entra\"")), "{lock}");
    // The registry's `zh:` hash of the zip, from the signed SHA256SUMS, is recorded beside the local `h1:` hash.
    assert!(lock.contains("zh:") && lock.contains("h1:"), "{lock}");

    let plan = workspace.terraform(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(plan.code, Some(2), "a plan with changes: {plan}");
    assert!(plan.stdout.contains("Plan: 1 to add"), "{plan}");
    assert!(plan.stdout.contains(FABRIKAM), "the installed provider read Fabrikam from the emulator: {plan}");
    drop(registry);

    // A zip changed after signing: its checksum no longer matches the signed SHA256SUMS.
    let tampered = scratch.path().join("tampered");
    copy_dir(&dist, &tampered);
    let zip = tampered.join(format!("terraform-provider-entra_{VERSION}_{}.zip", host_platform()));
    let mut bytes = std::fs::read(&zip).expect("zip");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&zip, bytes).expect("tampered zip");
    let registry = start_registry(&tampered);
    let workspace = Workspace::new(&registry, &emulator);
    let init = workspace.terraform(&["init", "-input=false", "-no-color"]);
    eprintln!("--- terraform init, tampered zip ---\n{}", init.stderr);
    assert_eq!(init.code, Some(1), "{init}");
    assert!(init.stderr.contains("archive has incorrect checksum"), "{init}");
    let sums = std::fs::read_to_string(tampered.join(format!("terraform-provider-entra_{VERSION}_SHA256SUMS")))
        .expect("SHA256SUMS");
    let signed_digest = sums.lines().find(|line| line.ends_with(".zip")).and_then(|line| line.split_once("  "));
    let (signed_digest, _) = signed_digest.expect("the zip's line");
    assert!(init.stderr.contains(&format!("zh:{signed_digest})")), "the signed digest is the expected one: {init}");
    assert!(!workspace.dir.join(".terraform/providers").join(REGISTRY_HOST).exists(), "nothing installed: {init}");
    drop(registry);

    // SHA256SUMS signed by another key than the one the registry publishes.
    let forged = scratch.path().join("forged");
    copy_dir(&dist, &forged);
    let other = ThrowawayKey::generate("someone else <someone-else@example.invalid>");
    let sums = forged.join(format!("terraform-provider-entra_{VERSION}_SHA256SUMS"));
    let signature = forged.join(format!("terraform-provider-entra_{VERSION}_SHA256SUMS.sig"));
    let mut sign = other.gpg(&["--yes", "--local-user", &other.user_id, "--detach-sign", "--output"]);
    sign.arg(&signature).arg(&sums);
    let signed = run(sign, COMMAND_TIMEOUT);
    assert_eq!(signed.code, Some(0), "{signed}");
    let registry = start_registry(&forged);
    let workspace = Workspace::new(&registry, &emulator);
    let init = workspace.terraform(&["init", "-input=false", "-no-color"]);
    eprintln!("--- terraform init, signature by another key ---\n{}", init.stderr);
    assert_eq!(init.code, Some(1), "{init}");
    assert!(init.stderr.contains("authentication signature from unknown issuer"), "{init}");
    assert!(!workspace.dir.join(".terraform/providers").join(REGISTRY_HOST).exists(), "nothing installed: {init}");
}

fn host_platform() -> String {
    xtask::package::Platform::host().expect("host platform").to_string()
}
