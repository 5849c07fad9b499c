//! `cargo xtask package`: the release artifacts are what the Terraform Registry expects, and Terraform installs the
//! provider from the filesystem mirror (`terraform init -plugin-dir`) and uses it against the Graph emulator.

mod support;

use std::path::Path;
use std::time::Duration;

use entra_graph_emulator::{Emulator, EmulatorConfig};
use support::{COMMAND_TIMEOUT, run, terraform_command, with_target_dir, xtask};

const VERSION: &str = "0.1.0";
const FABRIKAM: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";
const TERRAFORM_TIMEOUT: Duration = Duration::from_secs(300);

fn host_platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}_{arch}")
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256  name` lines of the checksum file, as pairs.
fn checksums(dist: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dist.join(format!("terraform-provider-entra_{VERSION}_SHA256SUMS")))
        .expect("the SHA256SUMS file");
    text.lines()
        .map(|line| {
            let (sum, name) = line.split_once("  ").unwrap_or_else(|| panic!("malformed line {line:?}"));
            assert_eq!(sum.len(), 64, "{line}");
            (sum.to_owned(), name.to_owned())
        })
        .collect()
}

#[test]
fn terraform_installs_the_packaged_provider_from_the_mirror_and_uses_it() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let dist = scratch.path().join("dist");
    let mut command = xtask();
    // A filesystem mirror does not check signatures, so this release needs no key (the registry test signs).
    command.args(["package", "--debug", "--target", "host", "--unsigned", "--version", VERSION, "--out"]).arg(&dist);
    with_target_dir(&mut command);
    let packaged = run(command, COMMAND_TIMEOUT);
    assert_eq!(packaged.code, Some(0), "{packaged}");

    // The registry's files: one zip per platform, the manifest (protocol 6 only), and their checksums.
    let platform = host_platform();
    let zip_name = format!("terraform-provider-entra_{VERSION}_{platform}.zip");
    let manifest_name = format!("terraform-provider-entra_{VERSION}_manifest.json");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join(&manifest_name)).expect("manifest")).expect("JSON");
    assert_eq!(manifest, serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}}));
    let root_manifest = std::fs::read_to_string(xtask::workspace_root().join("terraform-registry-manifest.json"))
        .expect("terraform-registry-manifest.json at the repository root");
    assert_eq!(std::fs::read_to_string(dist.join(&manifest_name)).expect("manifest"), root_manifest);
    let sums = checksums(&dist);
    let names: Vec<&str> = sums.iter().map(|(_, name)| name.as_str()).collect();
    assert_eq!(names, vec![zip_name.as_str(), manifest_name.as_str()]);
    assert!(!dist.join(format!("terraform-provider-entra_{VERSION}_SHA256SUMS.sig")).exists(), "--unsigned");

    // The licence and the third-party notices travel with the binary.
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(dist.join(&zip_name)).expect("zip")).expect("a valid zip");
    let mut read = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(name).expect(name), &mut text).expect(name);
        text
    };
    let license = read("LICENSE");
    assert_eq!(license, std::fs::read_to_string(xtask::workspace_root().join("LICENSE")).expect("LICENSE"));
    assert!(license.starts_with("Mozilla Public License Version 2.0"), "{license}");
    let notices = read("THIRD_PARTY_NOTICES.txt");
    for listed in ["- tokio ", "- aws-lc-sys ", "- rustls "] {
        assert!(notices.contains(listed), "{listed} is compiled into the provider: {notices}");
    }
    assert!(!notices.contains("- proptest "), "test-only crates are not in the binary");
    assert!(notices.contains("Permission is hereby granted, free of charge"), "the MIT licence text is included");
    assert!(notices.contains("Apache License") && notices.contains("Version 2.0, January 2004"));

    // A configuration that pins the packaged version, installed from the mirror only.
    let workdir = scratch.path().join("work");
    std::fs::create_dir_all(&workdir).expect("workdir");
    std::fs::write(
        workdir.join("main.tf"),
        format!(
            r#"terraform {{
  required_providers {{
    entra = {{
      source  = "entra-tools/entra"
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

  inbound_trust = {{
    is_mfa_accepted = true
  }}
}}
"#
        ),
    )
    .expect("main.tf");
    let cli_config = scratch.path().join("empty.tfrc");
    std::fs::write(&cli_config, "disable_checkpoint = true\n").expect("CLI config");
    let mirror = dist.join("mirror");

    let emulator = Emulator::start(EmulatorConfig::default()).expect("start the emulator");
    let env: Vec<(String, String)> = [
        ("TF_CLI_CONFIG_FILE", cli_config.display().to_string()),
        ("ARM_TENANT_ID", emulator.tenant_id().to_owned()),
        ("ARM_CLIENT_ID", emulator.client_id().to_owned()),
        ("ARM_CLIENT_SECRET", emulator.client_secret().to_owned()),
        ("ARM_GRAPH_ENDPOINT", emulator.endpoint().to_owned()),
        ("ARM_AUTHORITY_HOST", emulator.endpoint().to_owned()),
        ("ARM_USE_CLI", "false".to_owned()),
        ("SSL_CERT_FILE", emulator.ca_cert_file().display().to_string()),
        ("ENTRA_CONSISTENCY_POLL_INTERVAL", "10ms".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let terraform = |args: &[&str]| run(terraform_command(&workdir, args, &env), TERRAFORM_TIMEOUT);

    let plugin_dir = format!("-plugin-dir={}", mirror.display());
    let init = terraform(&["init", "-input=false", "-no-color", &plugin_dir]);
    assert_eq!(init.code, Some(0), "{init}");
    assert!(init.stdout.contains(&format!("Installed entra-tools/entra v{VERSION} (unauthenticated)")), "{init}");
    let installed = workdir.join(format!(
        ".terraform/providers/registry.terraform.io/entra-tools/entra/{VERSION}/{platform}/terraform-provider-entra_v{VERSION}"
    ));
    // What Terraform installed is the executable inside our zip, byte for byte.
    let zip_path = dist.join(&zip_name);
    let zip_bytes = std::fs::read(&zip_path).expect("zip");
    assert_eq!(sha256_hex(&zip_bytes), sums[0].0, "SHA256SUMS lists the zip's digest");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("a valid zip");
    let mut packaged_binary = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_index(0).expect("the one entry"), &mut packaged_binary).expect("unzip");
    assert_eq!(std::fs::read(&installed).expect("installed binary"), packaged_binary);
    let lock = std::fs::read_to_string(workdir.join(".terraform.lock.hcl")).expect("lock file");
    assert!(lock.contains("provider \"registry.terraform.io/entra-tools/entra\"") && lock.contains("h1:"), "{lock}");

    let plan = terraform(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(plan.code, Some(2), "a plan with changes: {plan}");
    assert!(plan.stdout.contains("Plan: 1 to add"), "{plan}");
    assert!(plan.stdout.contains(FABRIKAM), "the data source read Fabrikam from the emulator: {plan}");

    let apply = terraform(&["apply", "-input=false", "-no-color", "-auto-approve"]);
    assert_eq!(apply.code, Some(0), "{apply}");
    assert!(emulator.partner(FABRIKAM).is_some(), "the partner exists in the emulator after apply");
    let replan = terraform(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(replan.code, Some(0), "an empty plan after apply: {replan}");
    let destroy = terraform(&["destroy", "-input=false", "-no-color", "-auto-approve"]);
    assert_eq!(destroy.code, Some(0), "{destroy}");
    assert!(emulator.partner(FABRIKAM).is_none(), "the partner is gone after destroy");
}
