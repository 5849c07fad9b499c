//! Every folder under `examples/` is applied with the real terraform binary against its own Graph emulator, then
//! planned (with and without refresh, which must be empty), imported with each command of its `import.sh`, and
//! destroyed. The examples are what users copy and what the registry documentation shows, so they must work as
//! written: nothing here edits them.
//!
//! A folder's `.tf` files are joined into one configuration. Resource and data-source examples have no `provider`
//! block (the registry layout); the scenarios and the quick start are complete root modules with
//! `provider "entra" {}`. Either way the provider gets its credentials and endpoint from the emulator's `ARM_*`
//! environment, as it would from a pipeline's. The provider example configures a real OIDC login, so it is only
//! validated.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use acceptance_tests::entra::EmulatorEnv;
use acceptance_tests::provider_binary::provider_binary_dir;
use acceptance_tests::{Step, terraform_binary};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("examples")
}

/// The folders (relative to `examples/`) this file tests; [`every_example_folder_is_tested`] keeps it complete.
const FOLDERS: [&str; 24] = [
    "provider",
    "quickstart",
    "resources/entra_cross_tenant_partner",
    "resources/entra_cross_tenant_default",
    "resources/entra_cross_tenant_access_policy",
    "resources/entra_cross_tenant_identity_sync",
    "resources/entra_cross_tenant_sync_configuration",
    "resources/entra_cross_tenant_sync_assignment",
    "data-sources/entra_tenant_information",
    "data-sources/entra_cross_tenant_partners",
    "data-sources/entra_cross_tenant_sync_status",
    "scenarios/outbound-b2b-osttra",
    "scenarios/inbound-b2b-truesec",
    "scenarios/mutual-b2b-direct-connect",
    "scenarios/cross-tenant-sync",
    "scenarios/hardened-default",
    "scenarios/allowed-cloud-endpoint",
    "resources/entra_multi_tenant_organization",
    "resources/entra_multi_tenant_organization_tenant",
    "resources/entra_multi_tenant_organization_join_request",
    "resources/entra_multi_tenant_organization_partner_template",
    "resources/entra_multi_tenant_organization_identity_sync_template",
    "data-sources/entra_multi_tenant_organization",
    "scenarios/multi-tenant-organization",
];

/// The folders that span two tenants, applied by their own tests below rather than by [`example_tests!`].
const TWO_TENANT_FOLDERS: [&str; 2] =
    ["resources/entra_multi_tenant_organization_join_request", "scenarios/multi-tenant-organization"];

/// The `.tf` files of a folder, joined in name order.
fn configuration(folder: &str) -> String {
    let dir = examples_dir().join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "tf"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{folder} has no .tf files");
    files.iter().map(|f| std::fs::read_to_string(f).expect("read an example")).collect::<Vec<_>>().join("\n")
}

/// The `terraform import ADDRESS ID` commands of the folder's `import.sh`, if it has one.
fn import_commands(folder: &str) -> Vec<(String, String)> {
    let Ok(script) = std::fs::read_to_string(examples_dir().join(folder).join("import.sh")) else {
        return Vec::new();
    };
    script
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["terraform", "import", address, id] => ((*address).to_owned(), (*id).to_owned()),
                _ => panic!("{folder}/import.sh: expected `terraform import ADDRESS ID`, got {line:?}"),
            }
        })
        .collect()
}

/// Applies the folder, checks empty plans, runs its imports, destroys, and checks nothing is left in Graph that
/// destroy should have removed.
fn apply_plan_import_destroy(folder: &str) {
    acceptance_tests::emulator_only!("the examples name partner tenants other than the documented test tenants");
    let env = Arc::new(EmulatorEnv::start());
    let config = configuration(folder);
    let harness = if config.contains("alias") {
        // Two provider aliases need one provider process each, as Terraform starts them for users.
        env.managed_harness(&provider_binary_dir())
    } else {
        env.harness()
    }
    .with_env(two_tenant_variables(&env));
    if folder.contains("entra_cross_tenant_sync_") {
        // These examples are the source tenant's side only: the emulator's second tenant allows them out of band.
        allow_inbound_synchronization(env.emulator());
    }
    let mut case = harness.test_case().step(Step::config(config.clone()));
    // The ids of synchronization configurations and assignments are made at create, so an import.sh can only show
    // the form; cross_tenant_sync.rs imports them.
    let imports = if folder.contains("entra_cross_tenant_sync_") { Vec::new() } else { import_commands(folder) };
    for (address, id) in imports {
        // `reset_on_destroy` says what destroying does; it lives only in Terraform, so an import cannot know it (it
        // sets `false`). When the example sets it to `true`, the plan after the import updates just that flag.
        let mut step = Step::import(address).id(id).ignore(["reset_on_destroy"]);
        if config.contains("reset_on_destroy = true") {
            step = step.skip_plan_check();
        }
        case = case.step(step);
    }
    let check_env = Arc::clone(&env);
    case.check_destroy(move || {
        let applications = check_env.emulator().tenant(0).map(|t| t.objects()["applications"].clone());
        if applications.as_ref().and_then(|a| a.as_object()).is_some_and(|a| !a.is_empty()) {
            return Err(format!("destroy left applications behind: {applications:?}"));
        }
        let state = check_env.emulator().state();
        let partners = state["partners"].as_object().map_or(0, serde_json::Map::len);
        let syncs = state["identitySynchronization"].as_object().map_or(0, serde_json::Map::len);
        if partners == 0 && syncs == 0 {
            Ok(())
        } else {
            Err(format!("destroy left {partners} partner(s) and {syncs} identity sync policies behind: {state}"))
        }
    })
    .run();
}

/// The variables of the two-tenant examples: the emulator's first tenant is the source (it signs in with the
/// `ARM_*` environment), its second the target; the source tenant's fixture group Sales and user Adele Vance are
/// assigned.
fn two_tenant_variables(env: &EmulatorEnv) -> Vec<(String, String)> {
    let emulator = env.emulator();
    let (source, target) = (emulator.tenant(0).expect("a first tenant"), emulator.tenant(1).expect("a second tenant"));
    [
        ("source_tenant_id", source.tenant_id()),
        ("target_tenant_id", target.tenant_id()),
        ("target_client_id", target.client_id()),
        ("target_client_secret", target.client_secret()),
        ("sync_group_id", "96a00000-0001-4000-8000-000000000001"),
        ("sync_user_id", "a5e40000-0001-4000-8000-000000000001"),
    ]
    .into_iter()
    .map(|(name, value)| (format!("TF_VAR_{name}"), value.to_owned()))
    .collect()
}

/// The target tenant's side, set out of band: a partner for the source with inbound consent and an identity sync
/// policy allowing it.
fn allow_inbound_synchronization(emulator: &entra_graph_emulator::Emulator) {
    let source = emulator.tenant(0).expect("a first tenant").tenant_id().to_owned();
    let target = emulator.tenant(1).expect("a second tenant");
    target
        .create_partner(
            serde_json::json!({"tenantId": source, "automaticUserConsentSettings": {"inboundAllowed": true}}),
        )
        .expect("a target partner");
    target
        .put_identity_sync(&source, serde_json::json!({"userSyncInbound": {"isSyncAllowed": true}}))
        .expect("a target identity sync policy");
}

/// Generates one test per example folder, so they run in parallel and fail separately.
macro_rules! example_tests {
    ($($name:ident => $folder:literal),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                apply_plan_import_destroy($folder);
            }
        )+
        const APPLIED: &[&str] = &[$($folder),+];
    };
}

example_tests! {
    quickstart => "quickstart",
    resource_cross_tenant_partner => "resources/entra_cross_tenant_partner",
    resource_cross_tenant_default => "resources/entra_cross_tenant_default",
    resource_cross_tenant_access_policy => "resources/entra_cross_tenant_access_policy",
    resource_cross_tenant_identity_sync => "resources/entra_cross_tenant_identity_sync",
    resource_cross_tenant_sync_configuration => "resources/entra_cross_tenant_sync_configuration",
    resource_cross_tenant_sync_assignment => "resources/entra_cross_tenant_sync_assignment",
    data_source_tenant_information => "data-sources/entra_tenant_information",
    data_source_cross_tenant_partners => "data-sources/entra_cross_tenant_partners",
    data_source_cross_tenant_sync_status => "data-sources/entra_cross_tenant_sync_status",
    scenario_outbound_b2b_osttra => "scenarios/outbound-b2b-osttra",
    scenario_inbound_b2b_truesec => "scenarios/inbound-b2b-truesec",
    scenario_mutual_b2b_direct_connect => "scenarios/mutual-b2b-direct-connect",
    scenario_cross_tenant_sync => "scenarios/cross-tenant-sync",
    scenario_hardened_default => "scenarios/hardened-default",
    scenario_allowed_cloud_endpoint => "scenarios/allowed-cloud-endpoint",
    resource_multi_tenant_organization => "resources/entra_multi_tenant_organization",
    resource_multi_tenant_organization_tenant => "resources/entra_multi_tenant_organization_tenant",
    resource_multi_tenant_organization_partner_template => "resources/entra_multi_tenant_organization_partner_template",
    resource_multi_tenant_organization_identity_sync_template =>
        "resources/entra_multi_tenant_organization_identity_sync_template",
    data_source_multi_tenant_organization => "data-sources/entra_multi_tenant_organization",
}

/// The join request runs in the member tenant (the emulator's second), after the owner tenant (the first) created
/// the organization and added it, as the tenant resource's example does.
#[test]
fn resource_multi_tenant_organization_join_request() {
    acceptance_tests::emulator_only!("two emulated tenants");
    let folder = TWO_TENANT_FOLDERS[0];
    let mut env = EmulatorEnv::start();
    let owner = env.harness();
    let mut owner_side = owner.workdir();
    owner_side.write_config(&configuration("resources/entra_multi_tenant_organization_tenant"));
    owner_side.apply().expect_success();
    let member = env.emulator().tenant(1).expect("two tenants");
    let credentials = [member.tenant_id().to_owned(), member.client_id().to_owned(), member.client_secret().to_owned()];
    for (name, value) in ["ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET"].iter().zip(&credentials) {
        env.set_env(name, Some(value));
    }
    let member_harness = env.harness();
    let mut case = member_harness.test_case().step(Step::config(configuration(folder)));
    for (address, id) in import_commands(folder) {
        // wait_for_active and timeouts live only in Terraform: the plan after the import updates just those.
        case = case.step(Step::import(address).id(id).ignore(["wait_for_active", "timeouts"]).skip_plan_check());
    }
    case.run();
    let view = env.emulator().tenant(1).expect("two tenants").multi_tenant_organization();
    assert_eq!(view["state"], "inactive", "destroy left the organization: {view}");
}

/// The scenario: one configuration, both tenants, the credentials of each passed as variables.
#[test]
fn scenario_multi_tenant_organization() {
    acceptance_tests::emulator_only!("two emulated tenants");
    let folder = TWO_TENANT_FOLDERS[1];
    let env = EmulatorEnv::start();
    let tenant = |index: usize| env.emulator().tenant(index).expect("two tenants");
    let variables = [
        ("TF_VAR_owner_tenant_id", tenant(0).tenant_id().to_owned()),
        ("TF_VAR_owner_client_id", tenant(0).client_id().to_owned()),
        ("TF_VAR_owner_client_secret", tenant(0).client_secret().to_owned()),
        ("TF_VAR_member_tenant_id", tenant(1).tenant_id().to_owned()),
        ("TF_VAR_member_client_id", tenant(1).client_id().to_owned()),
        ("TF_VAR_member_client_secret", tenant(1).client_secret().to_owned()),
    ];
    let harness = env.managed_harness(&acceptance_tests::provider_binary::provider_binary_dir()).with_env(variables);
    harness.test_case().step(Step::config(configuration(folder))).run();
    let member = tenant(1).multi_tenant_organization();
    assert_eq!(member["state"], "inactive", "destroy left the member in the organization: {member}");
}

#[test]
fn the_provider_example_is_valid() {
    acceptance_tests::emulator_only!("validates against the emulator");
    let env = EmulatorEnv::start();
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&configuration("provider"));
    workdir.init();
    let output = workdir.terraform(&["validate", "-no-color"]);
    assert!(output.success(), "{output}");
}

#[test]
fn every_example_folder_is_tested() {
    fn folders_with_tf(dir: &Path, root: &Path, found: &mut Vec<String>) {
        let mut has_tf = false;
        for entry in std::fs::read_dir(dir).expect("read examples") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                folders_with_tf(&path, root, found);
            } else if path.extension().is_some_and(|ext| ext == "tf") {
                has_tf = true;
            }
        }
        if has_tf {
            found.push(dir.strip_prefix(root).expect("inside examples").to_string_lossy().replace('\\', "/"));
        }
    }
    let root = examples_dir();
    let mut found = Vec::new();
    folders_with_tf(&root, &root, &mut found);
    found.sort();
    let mut listed: Vec<String> = FOLDERS.iter().map(|f| (*f).to_owned()).collect();
    listed.sort();
    assert_eq!(found, listed, "add new example folders to FOLDERS and to example_tests! in this file");
    let mut applied: Vec<&str> = APPLIED.to_vec();
    applied.push("provider");
    applied.extend(TWO_TENANT_FOLDERS);
    applied.sort_unstable();
    assert_eq!(applied, listed.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn examples_are_formatted() {
    let output = std::process::Command::new(terraform_binary())
        .args(["fmt", "-check", "-recursive", "-diff", "-no-color"])
        .arg(examples_dir())
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .expect("run terraform fmt");
    assert!(
        output.status.success(),
        "terraform fmt -check -recursive examples/ found unformatted files (run `terraform fmt -recursive \
         examples/`):\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
