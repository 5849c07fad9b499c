//! `terraform-provider-entra export` against the Graph emulator, with the real terraform binary: a rich tenant (the
//! default configuration customised, 50 partners with every kind of setting, identity synchronization policies, a
//! service-provider partner, partners whose tenant lookup fails) is exported, `terraform plan` in the output shows
//! only imports, `terraform apply` imports without a single Graph write, and the plan after it is empty; a second
//! export is byte-identical. Also: `--only`, `--check` (configuration and state), refused lookups, the command line
//! and its exit codes.
//!
//! The export runs as the real binary, authenticating from `ARM_*` variables exactly as the provider does;
//! Terraform then talks to the provider served in this process, configured with the same emulator.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use acceptance_tests::entra::{EmulatorEnv, tenants};
use acceptance_tests::provider_binary::{BINARY_NAME, provider_binary_dir};
use acceptance_tests::{PlanJson, WorkDir, terraform_binary};
use entra_graph_emulator::{
    AppRegistration, DirectoryTenant, EmulatorConfig, Faults, ROLE_APPLICATION_READ_ALL,
    ROLE_CROSS_TENANT_INFORMATION_READ_BASIC_ALL, ROLE_POLICY_READ_ALL, ServerErrorFault, Throttle,
};
use serde_json::{Value as Json, json};

/// What one run of the export printed.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Runs `terraform-provider-entra export <args>` with exactly the environment `env` (nothing of this process's).
fn export(env: &BTreeMap<String, String>, args: &[&str]) -> Run {
    let binary = provider_binary_dir().join(BINARY_NAME);
    let output = Command::new(binary)
        .arg("export")
        .args(args)
        .env_clear()
        .envs(env)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run the export");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// The files of a directory and their contents.
fn files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

/// A working directory of the in-process provider holding the exported `.tf` files.
fn workdir_with(harness: &acceptance_tests::Harness, out: &Path) -> WorkDir {
    let workdir = harness.workdir();
    for (name, contents) in files(out) {
        std::fs::write(workdir.path().join(name), contents).unwrap();
    }
    workdir
}

/// `terraform fmt -check` over a directory.
fn assert_formatted(dir: &Path) {
    let output = Command::new(terraform_binary())
        .args(["fmt", "-check", "-recursive", "-diff", "-no-color"])
        .arg(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .expect("run terraform fmt");
    assert!(
        output.status.success(),
        "terraform fmt would change the export:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Plans the directory and checks that the plan only imports: `imports` resources, every one a no-op import.
fn assert_plan_only_imports(workdir: &mut WorkDir, imports: usize) -> PlanJson {
    let (output, plan) = workdir.plan(&[]);
    assert!(output.success(), "{output}");
    let summary = format!("Plan: {imports} to import, 0 to add, 0 to change, 0 to destroy.");
    assert!(output.stdout.contains(&summary), "expected \"{summary}\":\n{}", output.stdout);
    let plan = plan.expect("a saved plan");
    let changes = plan.resource_changes();
    assert_eq!(changes.len(), imports);
    for change in changes {
        assert_eq!(change["change"]["actions"], json!(["no-op"]), "{change}");
        assert!(change["change"]["importing"].is_object(), "{change}");
    }
    plan
}

/// A made-up tenant id for partner number `n`.
fn tenant(n: usize) -> String {
    format!("{n:08x}-5a1e-4c0d-9e7f-{:012x}", n * 7919)
}

fn targets(access: &str, list: &[(&str, &str)]) -> Json {
    json!({
        "accessType": access,
        "targets": list.iter().map(|(t, ty)| json!({"target": t, "targetType": ty})).collect::<Vec<_>>()
    })
}

const GROUP: &str = "6f546279-4da5-4b53-a095-09ea0cef9971";
const USER: &str = "a1b2c3d4-0000-4000-8000-00000000aaaa";
const APP: &str = "5e2a0b4c-3d1f-4a6b-9c8d-7e6f5a4b3c2d";
const RMS_APP: &str = "00000012-0000-0000-c000-000000000000";

fn all_users(access: &str) -> Json {
    targets(access, &[("AllUsers", "user")])
}

fn all_applications(access: &str) -> Json {
    targets(access, &[("AllApplications", "application")])
}

/// Partner settings of every kind, varied by `n`; `n % 10 == 7` has every top-level setting, `n % 10 == 8` none.
fn partner_settings(n: usize) -> Json {
    let trust =
        json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": true, "isHybridAzureADJoinedDeviceAccepted": false});
    let consent = json!({"inboundAllowed": true, "outboundAllowed": true});
    let collaboration_inbound = json!({"usersAndGroups": targets("allowed", &[(GROUP, "group"), (USER, "user")]), "applications": all_applications("allowed")});
    let collaboration_outbound = json!({
        "usersAndGroups": targets("allowed", &[(GROUP, "group")]),
        "applications": targets("allowed", &[(RMS_APP, "application"), ("Office365", "application"), (APP, "application")])
    });
    let direct_inbound = json!({"usersAndGroups": all_users("allowed"), "applications": all_applications("allowed")});
    let direct_outbound =
        json!({"usersAndGroups": targets("allowed", &[(GROUP, "group")]), "applications": all_applications("allowed")});
    let restrictions = json!({
        "usersAndGroups": all_users("blocked"),
        "applications": all_applications("blocked"),
        "devices": {"mode": "allowed", "rule": "device.deviceAttribute2 -eq \"PrivilegedAccessWorkstation\""}
    });
    let m365_inbound = json!({"users": all_users("allowed")});
    let m365_outbound = json!({"usersAndGroups": targets("allowed", &[(GROUP, "group")])});
    let app_service = json!({"applications": targets("allowed", &[(APP, "application")])});
    match n % 10 {
        0 => json!({"inboundTrust": trust, "automaticUserConsentSettings": consent}),
        1 => json!({"b2bCollaborationInbound": collaboration_inbound}),
        2 => json!({"b2bCollaborationOutbound": collaboration_outbound}),
        3 => json!({"b2bDirectConnectInbound": direct_inbound, "b2bDirectConnectOutbound": direct_outbound}),
        4 => json!({"tenantRestrictions": restrictions}),
        5 => {
            json!({"m365CollaborationInbound": m365_inbound, "m365CollaborationOutbound": m365_outbound, "appServiceConnectInbound": app_service})
        }
        6 => json!({
            "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": null},
            "b2bCollaborationInbound": {"usersAndGroups": all_users("blocked"), "applications": all_applications("blocked")}
        }),
        7 => json!({
            "inboundTrust": trust,
            "automaticUserConsentSettings": consent,
            "b2bCollaborationInbound": collaboration_inbound,
            "b2bCollaborationOutbound": collaboration_outbound,
            "b2bDirectConnectInbound": direct_inbound,
            "b2bDirectConnectOutbound": direct_outbound,
            "tenantRestrictions": restrictions,
            "m365CollaborationInbound": m365_inbound,
            "m365CollaborationOutbound": m365_outbound,
            "appServiceConnectInbound": app_service
        }),
        8 => json!({}),
        _ => json!({
            "inboundTrust": {"isMfaAccepted": false, "isCompliantDeviceAccepted": null, "isHybridAzureADJoinedDeviceAccepted": null},
            "b2bCollaborationOutbound": {"usersAndGroups": targets("blocked", &[(GROUP, "group")]), "applications": all_applications("allowed")}
        }),
    }
}

/// A tenant lookups cannot find: Microsoft creates such partner configurations itself.
const UNRESOLVABLE: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
/// The tenant's Cloud Solution Provider.
const SERVICE_PROVIDER: &str = "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6";

/// The directory the lookups answer from: the fixture, plus the made-up partners (three named alike, one with an
/// accented name, one without a custom domain); the unresolvable tenant is missing on purpose.
fn directory() -> Vec<DirectoryTenant> {
    let mut directory = entra_graph_emulator::default_directory();
    for n in 5..49 {
        let (display_name, domain) = match n {
            10..=12 => ("Northwind Traders".to_owned(), format!("northwind{n}.onmicrosoft.com")),
            13 => ("Söderberg & Partners AB".to_owned(), format!("soderberg{n}.onmicrosoft.com")),
            _ => (format!("Partner {n} Ltd"), format!("partner{n}.example.com")),
        };
        directory.push(DirectoryTenant {
            tenant_id: tenant(n),
            display_name: Some(display_name),
            default_domain_name: Some(domain.clone()),
            federation_brand_name: None,
            domains: vec![domain],
        });
    }
    directory.push(DirectoryTenant {
        tenant_id: SERVICE_PROVIDER.to_owned(),
        display_name: Some("Fourth Coffee CSP".to_owned()),
        default_domain_name: Some("fourthcoffee.onmicrosoft.com".to_owned()),
        federation_brand_name: None,
        domains: Vec::new(),
    });
    directory
}

/// The partner tenants of the rich tenant, in creation order: the four fixture organizations, 44 made-up ones and
/// the unresolvable one (the service provider exists from the start).
fn partner_tenants() -> Vec<String> {
    let mut list: Vec<String> = [tenants::CONTOSO, tenants::FABRIKAM, tenants::TRUESEC, tenants::OSTTRA]
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
    list.extend((5..49).map(tenant));
    list.push(UNRESOLVABLE.to_owned());
    list
}

/// The rich tenant: default configuration and policy customised, 50 partners (49 plus the service provider), and
/// an identity synchronization policy for every fifth. Returns the number of objects (the imports expected).
fn rich_tenant() -> (EmulatorEnv, usize) {
    let config = EmulatorConfig {
        directory: directory(),
        service_provider_partners: vec![SERVICE_PROVIDER.to_owned()],
        ..EmulatorConfig::default()
    };
    let env = EmulatorEnv::with_config(config);
    let emulator = env.emulator();
    let mut default = env.default_configuration();
    default["isServiceDefault"] = json!(false);
    default["inboundTrust"] = json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false});
    default["b2bCollaborationInbound"] =
        json!({"usersAndGroups": all_users("blocked"), "applications": all_applications("blocked")});
    default["b2bDirectConnectOutbound"] =
        json!({"usersAndGroups": all_users("allowed"), "applications": all_applications("allowed")});
    default["invitationRedemptionIdentityProviderConfiguration"] = json!({
        "primaryIdentityProviderPrecedenceOrder": ["externalFederation", "azureActiveDirectory"],
        "fallbackIdentityProvider": "emailOneTimePasscode"
    });
    default["m365CollaborationInbound"] = json!({"users": all_users("allowed")});
    // Outbound, the default configuration may name groups.
    default["b2bCollaborationOutbound"] =
        json!({"usersAndGroups": targets("allowed", &[(GROUP, "group")]), "applications": all_applications("allowed")});
    let mut policy = env.policy();
    policy["allowedCloudEndpoints"] = json!(["partner.microsoftonline.cn", "microsoftonline.us"]);
    emulator.set_state(json!({"default": default, "policy": policy})).unwrap();

    let partners = partner_tenants();
    let mut syncs = 0;
    for (n, tenant) in partners.iter().enumerate() {
        let mut body = partner_settings(n);
        body["tenantId"] = json!(tenant);
        if n == 21 {
            body["isInMultiTenantOrganization"] = json!(true);
        }
        emulator.create_partner(body).unwrap();
        if n % 5 == 0 {
            let policy = match n % 3 {
                0 => {
                    json!({"displayName": format!("Sync from partner {n}"), "userSyncInbound": {"isSyncAllowed": true}})
                }
                1 => json!({"userSyncInbound": {"isSyncAllowed": false}}),
                _ => json!({}),
            };
            emulator.put_identity_sync(tenant, policy).unwrap();
            syncs += 1;
        }
    }
    own_a_multi_tenant_organization(emulator);
    // The policy, the default configuration, the partners with the service provider, the sync policies, the
    // organization and the partner configuration template.
    (env, 2 + partners.len() + 1 + syncs + 2)
}

/// Makes the emulator's first tenant the owner of a multi-tenant organization ("Contoso group") whose partner
/// configuration template it has changed; the identity synchronization template stays untouched (so it is not
/// exported).
fn own_a_multi_tenant_organization(emulator: &entra_graph_emulator::Emulator) {
    let owner = emulator.tenant_id().to_owned();
    let mut local_ids = serde_json::Map::new();
    local_ids.insert(owner.clone(), json!("6d8b39e5-039a-4034-bf3a-e0b4f8cd60b6"));
    emulator
        .set_multi_tenant_organizations(json!({
            "organizations": [{
                "displayName": "Contoso group",
                "description": "Contoso and its subsidiaries",
                "createdDateTime": "2026-01-05T10:00:00Z",
                "creatorTenantId": owner,
                "localIds": local_ids,
                "tenants": [{
                    "tenantId": owner, "displayName": "Contoso", "addedDateTime": "2026-01-05T10:00:00Z",
                    "joinedDateTime": "2026-01-05T10:00:00Z", "addedByTenantId": owner, "role": "owner",
                    "state": "active", "transition": null
                }]
            }],
            "joinRequests": {}
        }))
        .unwrap();
    let tenant = emulator.first_tenant();
    let mut templates = tenant.state()["templates"].clone();
    templates["multiTenantOrganizationPartnerConfiguration"]["inboundTrust"]["isMfaAccepted"] = json!(true);
    templates["multiTenantOrganizationPartnerConfiguration"]["templateApplicationLevel"] = json!("newPartners");
    tenant.set_state(json!({ "templates": templates })).unwrap();
}

#[test]
fn a_rich_tenant_exports_to_a_configuration_that_only_imports_and_then_plans_empty() {
    acceptance_tests::emulator_only!("exports a whole tenant and compares it with the emulator's known content");
    let (env, objects) = rich_tenant();
    assert_eq!(objects, 2 + 50 + 10 + 2);
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("tenant");

    let run = export(env.env(), &["--out", path_arg(&out)]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(
        run.stdout.contains(
            "Exported 1 cross-tenant access policy, 1 default configuration, 50 partner configurations, 10 identity \
             synchronization policies, 1 multi-tenant organization and 1 multi-tenant organization template from"
        ),
        "{run}"
    );
    assert!(
        run.stderr.contains("export: found 50 partner configurations, 10 with an identity synchronization policy"),
        "{run}"
    );
    assert!(run.stderr.contains("export: looked up 50 of 50 tenants; 1 not found"), "{run}");
    assert!(!run.stderr.contains("warning"), "{run}");

    let written = files(&out);
    assert_eq!(
        written.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "default.tf",
            "identity_sync.tf",
            "imports.tf",
            "multi_tenant_organization.tf",
            "partners.tf",
            "policy.tf",
            "providers.tf"
        ]
    );
    // The organization with its settings; the changed template with only what differs from its untouched default;
    // the untouched identity synchronization template not at all.
    let organization = &written["multi_tenant_organization.tf"];
    assert!(organization.contains("resource \"entra_multi_tenant_organization\" \"this\" {"), "{organization}");
    assert!(organization.contains("display_name = \"Contoso group\""), "{organization}");
    assert!(organization.contains("description  = \"Contoso and its subsidiaries\""), "{organization}");
    assert!(organization.contains("resource \"entra_multi_tenant_organization_partner_template\" \"this\" {"));
    assert!(organization.contains("template_application_level = [\"newPartners\"]"), "{organization}");
    assert!(organization.contains("is_mfa_accepted"), "{organization}");
    assert!(!organization.contains("entra_multi_tenant_organization_identity_sync_template"), "{organization}");
    let imports = &written["imports.tf"];
    assert!(imports.contains("id = \"multi_tenant_organization\""), "{imports}");
    assert!(imports.contains("id = \"partner_configuration\""), "{imports}");
    assert!(!imports.contains("identity_synchronization"), "{imports}");
    assert_formatted(&out);
    let partners = &written["partners.tf"];
    // Names: a custom domain, a display name, shared names with the tenant's own suffix, an accented name, and the
    // tenant id for the partner no lookup finds, with a comment saying why.
    for name in [
        "\"truesecdetect_io\"",
        "\"contoso_ltd\"",
        "\"osttra\"",
        "\"partner20_example_com\"",
        &format!("\"northwind_traders_{}\"", &tenant(10)[..8]),
        &format!("\"northwind_traders_{}\"", &tenant(12)[..8]),
        "\"soderberg_partners_ab\"",
        "\"tenant_f8cdef31\"",
        "\"fourth_coffee_csp\"",
    ] {
        assert!(partners.contains(&format!("resource \"entra_cross_tenant_partner\" {name}")), "{name}:\n{partners}");
    }
    assert!(partners.contains("# Truesec Detect AB (truesecdetect.io), tenant 07d2f395-f69c-43ab-88a2-b82f1151042d."));
    assert!(partners.contains(&format!("# Tenant {UNRESOLVABLE}: Microsoft Entra could not look this tenant up")));
    assert!(partners.contains("Cloud Solution Provider (is_service_provider = true)"));
    assert!(partners.contains("same multi-tenant organization"));
    // Only settings that differ from inheritance; never computed or Terraform-only attributes.
    for attribute in ["is_service_provider", "is_in_multi_tenant_organization", "timeouts", "id"] {
        assert!(!partners.lines().any(|l| l.starts_with(&format!("  {attribute} "))), "{attribute} is written");
    }
    assert!(written["identity_sync.tf"].contains("tenant_id    = entra_cross_tenant_partner.contoso_ltd.tenant_id"));
    assert!(written["default.tf"].contains("b2b_collaboration_inbound = {"));
    assert!(written["default.tf"].contains(&format!("b2b_collaboration_outbound = {{\n    users_and_groups = {{\n      access_type = \"allowed\"\n      targets = [\n        {{ target = \"{GROUP}\"")));
    assert!(!written["default.tf"].contains("b2b_direct_connect_inbound"), "service defaults are left out");
    assert!(!written["default.tf"].contains("reset_on_destroy"));
    assert!(
        written["policy.tf"]
            .contains("allowed_cloud_endpoints = [\"microsoftonline.us\", \"partner.microsoftonline.cn\"]")
    );

    let harness = env.harness();
    let mut workdir = workdir_with(&harness, &out);
    let writes = env.writes();
    assert_plan_only_imports(&mut workdir, objects);
    let output = workdir.apply_saved_plan();
    assert!(output.success(), "{output}");
    assert!(
        output
            .stdout
            .contains(&format!("Apply complete! Resources: {objects} imported, 0 added, 0 changed, 0 destroyed.")),
        "{output}"
    );
    env.assert_no_writes_since(writes, "importing an export");
    workdir.plan_is_empty(false).unwrap();
    workdir.plan_is_empty(true).unwrap();
    let state = workdir.state();
    assert_eq!(state.resources().len(), objects);

    // The same tenant exports to the same bytes, into a new directory or over the old one with --force.
    let again = base.path().join("again");
    let run = export(env.env(), &["--out", path_arg(&again), "--quiet"]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(run.stderr, "", "--quiet leaves only warnings, and there are none");
    assert_eq!(files(&again), written);
    let run = export(env.env(), &["--out", path_arg(&out), "--force"]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(files(&out), written);
    env.assert_no_writes_since(writes, "exporting");
}

/// A small tenant: Contoso with an identity synchronization policy, Fabrikam, Truesec Detect.
fn small_tenant() -> EmulatorEnv {
    let env = EmulatorEnv::start();
    let emulator = env.emulator();
    emulator
        .create_partner(json!({"tenantId": tenants::CONTOSO, "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": null}}))
        .unwrap();
    emulator
        .put_identity_sync(
            tenants::CONTOSO,
            json!({"displayName": "Contoso", "userSyncInbound": {"isSyncAllowed": true}}),
        )
        .unwrap();
    emulator.create_partner(json!({"tenantId": tenants::FABRIKAM, "inboundTrust": {"isMfaAccepted": true}})).unwrap();
    emulator.create_partner(json!({"tenantId": tenants::TRUESEC})).unwrap();
    env
}

#[test]
fn only_selects_kinds_and_check_finds_what_the_configuration_does_not_manage() {
    acceptance_tests::emulator_only!("exports a whole tenant and compares it with the emulator's known content");
    let env = small_tenant();
    let base = tempfile::tempdir().unwrap();

    // --only partners: no singletons, no sync policies.
    let partners_only = base.path().join("partners");
    let run = export(env.env(), &["--out", path_arg(&partners_only), "--only", "partners"]);
    assert_eq!(run.code, Some(0), "{run}");
    let written = files(&partners_only);
    assert_eq!(written.keys().map(String::as_str).collect::<Vec<_>>(), ["imports.tf", "partners.tf", "providers.tf"]);
    assert!(run.stdout.contains("Exported 3 partner configurations"), "{run}");
    let harness = env.harness();
    let mut workdir = workdir_with(&harness, &partners_only);
    assert_plan_only_imports(&mut workdir, 3);

    // --only identity-sync: the partner is not exported, so the tenant id is written out.
    let sync_only = base.path().join("sync");
    let run = export(env.env(), &["--out", path_arg(&sync_only), "--only", "identity-sync,policy"]);
    assert_eq!(run.code, Some(0), "{run}");
    let written = files(&sync_only);
    assert_eq!(
        written.keys().map(String::as_str).collect::<Vec<_>>(),
        ["identity_sync.tf", "imports.tf", "policy.tf", "providers.tf"]
    );
    assert!(written["identity_sync.tf"].contains(&format!("tenant_id    = \"{}\"", tenants::CONTOSO)));
    let mut workdir = workdir_with(&harness, &sync_only);
    assert_plan_only_imports(&mut workdir, 2);

    // --check on a complete export passes...
    let full = base.path().join("full");
    assert_eq!(export(env.env(), &["--out", path_arg(&full), "-q"]).code, Some(0));
    const LOOKUP: &str = "GET /tenantRelationships/findTenantInformationByTenantId(tenantId='{guid}')";
    let lookups = env.requests(LOOKUP);
    let run = export(env.env(), &["--check", path_arg(&full)]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.starts_with("All 6 objects of tenant"), "{run}");
    assert_eq!(env.requests(LOOKUP), lookups, "a check of a complete configuration looks nothing up");

    // ...and fails, naming them, once the tenant holds a partner and a sync policy the directory does not have.
    env.emulator().create_partner(json!({"tenantId": tenants::OSTTRA})).unwrap();
    env.emulator().put_identity_sync(tenants::FABRIKAM, json!({})).unwrap();
    let run = export(env.env(), &["--check", path_arg(&full)]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stdout.starts_with("2 of 8 objects of tenant"), "{run}");
    assert!(
        run.stdout.contains(&format!(
            "entra_cross_tenant_partner        {}  OSTTRA (osttra.onmicrosoft.com)",
            tenants::OSTTRA
        )),
        "{run}"
    );
    assert!(
        run.stdout.contains(&format!(
            "entra_cross_tenant_identity_sync  {}  Fabrikam (fabrikam.onmicrosoft.com)",
            tenants::FABRIKAM
        )),
        "{run}"
    );
    // Limited to partners, only the partner is missing.
    let run = export(env.env(), &["--check", path_arg(&full), "--only", "partners"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stdout.starts_with("1 of 4 objects"), "{run}");

    // A hand-written configuration that leaves one partner out.
    let hand = base.path().join("hand");
    std::fs::create_dir(&hand).unwrap();
    let configuration = format!(
        "resource \"entra_cross_tenant_partner\" \"contoso\" {{\n  tenant_id = \"{}\"\n}}\n\n\
         resource \"entra_cross_tenant_partner\" \"fabrikam\" {{\n  tenant_id = \"{}\"\n}}\n",
        tenants::CONTOSO.to_uppercase(),
        tenants::FABRIKAM
    );
    std::fs::write(hand.join("main.tf"), configuration).unwrap();
    env.emulator().delete_partner(tenants::OSTTRA).unwrap();
    let run = export(env.env(), &["--check", path_arg(&hand), "--only", "partners"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stdout.starts_with("1 of 3 objects"), "{run}");
    assert!(run.stdout.contains(&format!("{}  Truesec Detect AB (truesecdetect.io)", tenants::TRUESEC)), "{run}");
    env.emulator().create_partner(json!({"tenantId": tenants::OSTTRA})).unwrap();

    // A directory holding only a state counts what the state manages: apply the partners-only export, and check
    // its state with --state (the singletons and sync policies are missing from it).
    let mut workdir = workdir_with(&harness, &partners_only);
    assert!(workdir.apply().success());
    let state_dir = base.path().join("state-only");
    std::fs::create_dir(&state_dir).unwrap();
    let state_file = state_dir.join("pulled.json");
    std::fs::copy(workdir.path().join("terraform.tfstate"), &state_file).unwrap();
    let run =
        export(env.env(), &["--check", path_arg(&state_dir), "--state", path_arg(&state_file), "--only", "partners"]);
    assert_eq!(run.code, Some(2), "the new OSTTRA partner is in neither: {run}");
    assert!(run.stdout.starts_with("1 of 4 objects") && run.stdout.contains(tenants::OSTTRA), "{run}");
    env.emulator().delete_partner(tenants::OSTTRA).unwrap();
    let run =
        export(env.env(), &["--check", path_arg(&state_dir), "--state", path_arg(&state_file), "--only", "partners"]);
    assert_eq!(run.code, Some(0), "{run}");
    let run = export(env.env(), &["--check", path_arg(&state_dir), "--state", path_arg(&state_file)]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stdout.contains("entra_cross_tenant_default") && run.stdout.contains("entra_cross_tenant_access_policy"),
        "{run}"
    );
}

#[test]
fn throttling_and_server_errors_are_retried_without_changing_the_output() {
    acceptance_tests::emulator_only!("exports a whole tenant and compares it with the emulator's known content");
    let env = small_tenant();
    let base = tempfile::tempdir().unwrap();
    let calm = base.path().join("calm");
    assert_eq!(export(env.env(), &["--out", path_arg(&calm), "-q"]).code, Some(0));
    env.emulator().set_faults(Faults {
        throttle: Some(Throttle::every_nth(3, 0)),
        service_unavailable: Some(ServerErrorFault::every_nth(4)),
        ..Faults::none()
    });
    let stormy = base.path().join("stormy");
    let run = export(env.env(), &["--out", path_arg(&stormy), "-q"]);
    assert_eq!(run.code, Some(0), "{run}");
    let stats = env.stats();
    assert!(stats.errors_by_status.get(&429).is_some_and(|n| *n > 0), "{:?}", stats.errors_by_status);
    assert!(stats.errors_by_status.get(&503).is_some_and(|n| *n > 0), "{:?}", stats.errors_by_status);
    assert_eq!(files(&stormy), files(&calm));
}

#[test]
fn partners_are_exported_under_their_tenant_ids_when_lookups_are_refused() {
    acceptance_tests::emulator_only!("exports a whole tenant and compares it with the emulator's known content");
    const READER: &str = "0c0ffee0-0000-4000-8000-000000000001";
    let env = small_tenant();
    env.emulator()
        .add_app(AppRegistration {
            client_id: READER.to_owned(),
            client_secrets: vec!["reader-secret".to_owned()],
            certificates: Vec::new(),
            federated_credentials: Vec::new(),
            roles: vec![ROLE_POLICY_READ_ALL.to_owned()],
        })
        .unwrap();
    let mut reader = env.env().clone();
    reader.insert("ARM_CLIENT_ID".to_owned(), READER.to_owned());
    reader.insert("ARM_CLIENT_SECRET".to_owned(), "reader-secret".to_owned());
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("out");
    let run = export(&reader, &["--out", path_arg(&out)]);
    assert_eq!(run.code, Some(0), "Policy.Read.All is enough to export: {run}");
    assert!(run.stderr.contains("warning: every tenant lookup was refused (403)"), "{run}");
    assert!(run.stderr.contains("CrossTenantInformation.ReadBasic.All"), "{run}");
    assert!(
        run.stderr.contains("warning: reading cross-tenant synchronization configurations was refused")
            && run.stderr.contains("Grant the application Application.Read.All and Synchronization.Read.All"),
        "{run}"
    );
    let partners = std::fs::read_to_string(out.join("partners.tf")).unwrap();
    assert!(
        partners.contains(&format!("resource \"entra_cross_tenant_partner\" \"tenant_{}\"", &tenants::CONTOSO[..8])),
        "{partners}"
    );
    assert!(partners.contains("looking this tenant up was refused (403)"), "{partners}");
    let harness = env.harness();
    let mut workdir = workdir_with(&harness, &out);
    assert_plan_only_imports(&mut workdir, 6);

    // Without Policy.Read.All nothing can be exported, and the error says which permission is missing.
    const LOOKER: &str = "0c0ffee0-0000-4000-8000-000000000002";
    env.emulator()
        .add_app(AppRegistration {
            client_id: LOOKER.to_owned(),
            client_secrets: vec!["looker-secret".to_owned()],
            certificates: Vec::new(),
            federated_credentials: Vec::new(),
            roles: vec![ROLE_CROSS_TENANT_INFORMATION_READ_BASIC_ALL.to_owned()],
        })
        .unwrap();
    reader.insert("ARM_CLIENT_ID".to_owned(), LOOKER.to_owned());
    reader.insert("ARM_CLIENT_SECRET".to_owned(), "looker-secret".to_owned());
    let denied = base.path().join("denied");
    let run = export(&reader, &["--out", path_arg(&denied)]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stderr.contains("reading the cross-tenant access policy") && run.stderr.contains("Policy.Read.All"),
        "{run}"
    );
    assert_eq!(std::fs::read_dir(&denied).unwrap().count(), 0, "nothing is written");
}

#[test]
fn the_command_line_authenticates_like_the_provider_and_reports_errors_clearly() {
    acceptance_tests::emulator_only!("exports a whole tenant and compares it with the emulator's known content");
    let env = small_tenant();
    let base = tempfile::tempdir().unwrap();

    let run = export(&BTreeMap::new(), &["--help"]);
    assert_eq!(run.code, Some(0), "{run}");
    for text in [
        "--out <DIR>",
        "--check <DIR>",
        "--only <KINDS>",
        "--tenant-id <VALUE>",
        "--use-oidc[=<BOOL>]",
        "ARM_TENANT_ID",
        "Exit status",
        "sync-configurations",
        "Application.Read.All and Synchronization.Read.All",
        "cross_tenant_sync.tf",
    ] {
        assert!(run.stdout.contains(text), "--help should mention {text}:\n{}", run.stdout);
    }

    // Invalid command lines exit 1 (2 is reserved for --check's finding).
    for args in [
        &[][..],
        &["--out", "x", "--check", "y"],
        &["--out", "x", "--only", "everything"],
        &["--out", "x", "--environment"],
    ] {
        let run = export(env.env(), args);
        assert_eq!(run.code, Some(1), "{args:?}: {run}");
    }

    // A non-empty directory is refused before anything reaches Graph.
    let used = base.path().join("used");
    std::fs::create_dir(&used).unwrap();
    std::fs::write(used.join("main.tf"), "# mine\n").unwrap();
    let requests = env.stats().total;
    let run = export(env.env(), &["--out", path_arg(&used)]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("is not empty") && run.stderr.contains("--force"), "{run}");
    assert_eq!(env.stats().total, requests);

    // Credentials from flags named after the provider arguments, with the environment providing the rest; a
    // secret on the command line is warned about.
    let mut partial = env.env().clone();
    let client_id = partial.remove("ARM_CLIENT_ID").unwrap();
    let secret = partial.remove("ARM_CLIENT_SECRET").unwrap();
    let tenant = partial.remove("ARM_TENANT_ID").unwrap();
    let out = base.path().join("flags");
    let run = export(
        &partial,
        &[
            "--out",
            path_arg(&out),
            "--tenant-id",
            &tenant,
            "--client-id",
            &client_id,
            "--client-secret",
            &secret,
            "--use-cli=false",
        ],
    );
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stderr.contains("warning: --client-secret puts a secret on the command line"), "{run}");
    assert!(!run.stderr.contains(&secret) && !run.stdout.contains(&secret), "the secret is never printed");

    // Errors name the flag and the environment variable, like the provider's diagnostics name the argument.
    let run = export(&partial, &["--out", path_arg(&base.path().join("bad")), "--tenant-id", "contoso"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("(--tenant-id)"), "{run}");
    let run = export(&partial, &["--out", path_arg(&base.path().join("none")), "--tenant-id", &tenant]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("No credential for Microsoft Graph"), "{run}");
    let run = export(&partial, &["--out", path_arg(&base.path().join("cloud")), "--environment", "mars"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("--environment"), "{run}");
    assert_eq!(std::fs::read_dir(base.path().join("none")).unwrap().count(), 0, "a failed export writes nothing");
}

/// The create journal (`.terraform/entra/create-journal.json`) is Terraform's working directory's record of creates
/// an interrupted apply may have left behind. Running the export inside that directory reads the same objects, but
/// it is not Terraform: it must leave the journal exactly as it was, or the next apply could no longer take over
/// an object it created itself.
#[test]
fn export_inside_a_terraform_working_directory_leaves_its_create_journal_alone() {
    let env = small_tenant();
    let workdir = tempfile::tempdir().unwrap();
    let journal = workdir.path().join(".terraform/entra/create-journal.json");
    std::fs::create_dir_all(journal.parent().unwrap()).unwrap();
    let endpoint = env.env()["ARM_GRAPH_ENDPOINT"].trim_end_matches('/').to_ascii_lowercase();
    let tenant = env.env()["ARM_TENANT_ID"].to_ascii_lowercase();
    let recorded_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let entry = |kind: &str| {
        json!({"graphEndpoint": endpoint, "tenantId": tenant, "kind": kind, "partnerTenantId": tenants::CONTOSO,
               "recordedAt": recorded_at})
    };
    let contents = serde_json::to_string_pretty(
        &json!({"version": 1, "entries": [entry("partner"), entry("identitySynchronization")]}),
    )
    .unwrap();
    std::fs::write(&journal, &contents).unwrap();

    let out = workdir.path().join("exported");
    let binary = provider_binary_dir().join(BINARY_NAME);
    let output = Command::new(binary)
        .args(["export", "--out", path_arg(&out), "--quiet"])
        .current_dir(workdir.path())
        .env_clear()
        .envs(env.env())
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run the export");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(files(&out).contains_key("partners.tf"), "the partner with the journaled create was exported");
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), contents, "the export changed the create journal");
}

// ----- cross-tenant synchronization -----------------------------------------------------------------------------

/// The source tenant's fixture user Adele Vance and group Sales (interface §8: `a5e40000-000t-…`, `96a00000-000t-…`
/// for tenant t).
const ADELE: &str = "a5e40000-0001-4000-8000-000000000001";
const SALES: &str = "96a00000-0001-4000-8000-000000000001";

/// A tenant with a cross-tenant synchronization configuration into the emulator's second tenant (an attribute
/// mapping override, a scoping filter, a notification address), a group and a user assigned to it, and a
/// multi-tenant organization with a changed partner template. The configuration is made by Terraform through the
/// provider, in a working directory of its own, as a user would have made it. Returns the configuration's service
/// principal id.
fn tenant_with_sync_configuration(env: &EmulatorEnv) -> String {
    let emulator = env.emulator();
    let source = emulator.tenant(0).unwrap();
    let target = emulator.tenant(1).expect("the emulator hosts a second tenant");
    // What both tenants must allow for the configuration's connection test.
    target
        .create_partner(
            json!({"tenantId": source.tenant_id(), "automaticUserConsentSettings": {"inboundAllowed": true}}),
        )
        .unwrap();
    target.put_identity_sync(source.tenant_id(), json!({"userSyncInbound": {"isSyncAllowed": true}})).unwrap();
    source
        .create_partner(
            json!({"tenantId": target.tenant_id(), "automaticUserConsentSettings": {"outboundAllowed": true}}),
        )
        .unwrap();
    own_a_multi_tenant_organization(emulator);

    let harness = env.harness();
    let mut maker = harness.workdir();
    maker.write_config(&format!(
        r#"
resource "entra_cross_tenant_sync_configuration" "made" {{
  display_name       = "Fabrikam"
  target_tenant_id   = "{}"
  notification_email = "ops@contoso.example"
  attribute_mappings = [
    {{ target_attribute = "userType", source_type = "constant", source = "Guest" }},
  ]
  scoping_filters = [
    {{
      name    = "Sales only"
      clauses = [{{ attribute = "department", operator = "EQUALS", values = ["Sales"] }}]
    }},
  ]
}}

resource "entra_cross_tenant_sync_assignment" "group" {{
  configuration_id = entra_cross_tenant_sync_configuration.made.id
  principal_id     = "{SALES}"
}}

resource "entra_cross_tenant_sync_assignment" "user" {{
  configuration_id = entra_cross_tenant_sync_configuration.made.id
  principal_id     = "{ADELE}"
}}
"#,
        target.tenant_id()
    ));
    let output = maker.apply();
    assert!(output.success(), "{output}");
    maker.state().values("entra_cross_tenant_sync_configuration.made")["id"].as_str().unwrap().to_owned()
}

#[test]
fn sync_configurations_are_exported_with_their_assignments_and_check_names_what_is_unmanaged() {
    acceptance_tests::emulator_only!(
        "makes a cross-tenant synchronization configuration between the emulator's tenants"
    );
    let env = EmulatorEnv::start();
    let configuration = tenant_with_sync_configuration(&env);
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("tenant");

    let run = export(env.env(), &["--out", path_arg(&out)]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(
        run.stdout.contains(
            "Exported 1 cross-tenant access policy, 1 default configuration, 1 partner configuration, 1 multi-tenant \
             organization, 1 multi-tenant organization template, 1 cross-tenant synchronization configuration and 2 \
             cross-tenant synchronization assignments from"
        ),
        "{run}"
    );
    assert!(run.stderr.contains("export: found 1 cross-tenant synchronization configuration"), "{run}");
    assert!(!run.stderr.contains("warning"), "{run}");
    let written = files(&out);
    let sync = &written["cross_tenant_sync.tf"];
    assert!(sync.contains("resource \"entra_cross_tenant_sync_configuration\" \"fabrikam\" {"), "{sync}");
    assert!(sync.contains("display_name       = \"Fabrikam\""), "{sync}");
    // The target partner is exported too, so the configuration references it.
    assert!(sync.contains("target_tenant_id   = entra_cross_tenant_partner."), "{sync}");
    assert!(sync.contains("notification_email = \"ops@contoso.example\""), "{sync}");
    assert!(
        sync.contains("{ target_attribute = \"userType\", source_type = \"constant\", source = \"Guest\" },"),
        "the import detects the override: {sync}"
    );
    assert!(sync.contains("name = \"Sales only\"") && sync.contains("operator  = \"EQUALS\""), "{sync}");
    for default in ["scope", "enabled", "accidental_deletions_threshold", "job_id"] {
        assert!(!sync.lines().any(|l| l.trim_start().starts_with(&format!("{default} "))), "{default}: {sync}");
    }
    for (name, principal) in [("fabrikam_sales", SALES), ("fabrikam_adele_vance", ADELE)] {
        let block = format!(
            "resource \"entra_cross_tenant_sync_assignment\" \"{name}\" {{\n  configuration_id = \
             entra_cross_tenant_sync_configuration.fabrikam.id\n  principal_id     = \"{principal}\"\n}}\n"
        );
        assert!(sync.contains(&block), "{block}\nin:\n{sync}");
    }
    let imports = &written["imports.tf"];
    assert!(
        imports.contains(&format!("to = entra_cross_tenant_sync_configuration.fabrikam\n  id = \"{configuration}\""))
    );
    assert!(
        imports.contains(&format!("to = entra_cross_tenant_sync_assignment.fabrikam_sales\n  id = \"{configuration}/"))
    );
    assert_formatted(&out);

    // Terraform imports all of it without a write, and plans nothing afterwards.
    let objects = 8;
    let harness = env.harness();
    let mut workdir = workdir_with(&harness, &out);
    let writes = env.writes();
    assert_plan_only_imports(&mut workdir, objects);
    let output = workdir.apply_saved_plan();
    assert!(output.success(), "{output}");
    assert!(
        output.stdout.contains(&format!("Resources: {objects} imported, 0 added, 0 changed, 0 destroyed.")),
        "{output}"
    );
    env.assert_no_writes_since(writes, "importing an export");
    workdir.plan_is_empty(false).unwrap();
    workdir.plan_is_empty(true).unwrap();

    // --only sync-configurations: the partner is not exported, so the target tenant id is written out.
    let only = base.path().join("only");
    let run = export(env.env(), &["--out", path_arg(&only), "--only", "sync-configurations"]);
    assert_eq!(run.code, Some(0), "{run}");
    let written = files(&only);
    assert_eq!(
        written.keys().map(String::as_str).collect::<Vec<_>>(),
        ["cross_tenant_sync.tf", "imports.tf", "providers.tf"]
    );
    let target = env.emulator().tenant(1).unwrap().tenant_id().to_owned();
    assert!(written["cross_tenant_sync.tf"].contains(&format!("target_tenant_id   = \"{target}\"")), "{written:?}");
    assert!(
        run.stdout.contains(
            "Exported 1 cross-tenant synchronization configuration and 2 cross-tenant synchronization assignments"
        ),
        "{run}"
    );

    // --check: the complete export manages everything...
    let run = export(env.env(), &["--check", path_arg(&out)]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.starts_with(&format!("All {objects} objects of tenant")), "{run}");
    // ...an export of the cross-tenant access settings alone leaves the configuration, its assignments, the
    // organization and the changed template unmanaged, and the check names each of them.
    let partial = base.path().join("partial");
    let run = export(env.env(), &["--out", path_arg(&partial), "--only", "policy,default,partners"]);
    assert_eq!(run.code, Some(0), "{run}");
    let run = export(env.env(), &["--check", path_arg(&partial)]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stdout.starts_with(&format!("5 of {objects} objects of tenant")), "{run}");
    let assignments = env.emulator().tenant(0).unwrap().objects()["appRoleAssignedTo"][&configuration].clone();
    let assignment = |principal: &str| {
        let found = assignments.as_array().unwrap().iter().find(|a| a["principalId"] == principal).unwrap();
        format!("{configuration}/{}", found["id"].as_str().unwrap())
    };
    let width = "entra_multi_tenant_organization_partner_template".len();
    for (kind, id, name) in [
        ("entra_cross_tenant_sync_configuration", configuration.clone(), "  \"Fabrikam\""),
        ("entra_cross_tenant_sync_assignment", assignment(SALES), "  Sales (Group)"),
        ("entra_cross_tenant_sync_assignment", assignment(ADELE), "  Adele Vance (User)"),
        ("entra_multi_tenant_organization", "multi_tenant_organization".to_owned(), "  \"Contoso group\""),
        ("entra_multi_tenant_organization_partner_template", "partner_configuration".to_owned(), ""),
    ] {
        let line = format!("  {kind:width$}  {id}{name}\n");
        assert!(run.stdout.contains(&line), "{line}in:\n{run}");
    }
    assert!(!run.stdout.contains("identity_sync_template"), "an untouched template is not reported: {run}");

    // The state of the applied export manages them too (--state), limited to the kinds it holds.
    let empty = base.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let state = workdir.path().join("terraform.tfstate");
    let run = export(
        env.env(),
        &[
            "--check",
            path_arg(&empty),
            "--state",
            path_arg(&state),
            "--only",
            "sync-configurations,multi-tenant-organization",
        ],
    );
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.starts_with("All 5 objects"), "{run}");

    // An application of the template without a job (a create that stopped after the instantiate) is no
    // configuration: the export skips it with a warning, and the check does not count it.
    let token = env.emulator().tenant(0).unwrap().access_token();
    let output = Command::new("curl")
        .args(["-sS", "--fail-with-body", "-X", "POST", "--cacert"])
        .arg(env.emulator().ca_cert_file())
        .args(["-H", &format!("Authorization: Bearer {token}"), "-H", "Content-Type: application/json"])
        .args(["--data", r#"{"displayName": "Half made"}"#])
        .arg(format!(
            "{}/applicationTemplates/518e5f48-1fc8-4c48-9387-9fdf28b0dfe7/instantiate",
            env.emulator().graph_v1()
        ))
        .output()
        .expect("run curl");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    let again = base.path().join("again");
    let run = export(env.env(), &["--out", path_arg(&again)]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(
        run.stderr.contains(
            "(\"Half made\") was made from the cross-tenant synchronization template but has no \
             synchronization job"
        ),
        "{run}"
    );
    assert_eq!(files(&again)["cross_tenant_sync.tf"], files(&out)["cross_tenant_sync.tf"]);
    let run = export(env.env(), &["--check", path_arg(&out)]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.starts_with(&format!("All {objects} objects of tenant")), "{run}");
}

#[test]
fn sync_configurations_are_skipped_with_a_warning_when_synchronization_may_not_be_read() {
    acceptance_tests::emulator_only!(
        "makes a cross-tenant synchronization configuration between the emulator's tenants"
    );
    let env = EmulatorEnv::start();
    tenant_with_sync_configuration(&env);
    // Listing applications is allowed, reading their synchronization is not.
    const READER: &str = "0c0ffee0-0000-4000-8000-000000000003";
    env.emulator()
        .add_app(AppRegistration::with_secret(
            READER,
            "reader-secret",
            &[ROLE_POLICY_READ_ALL, ROLE_APPLICATION_READ_ALL],
        ))
        .unwrap();
    let mut reader = env.env().clone();
    reader.insert("ARM_CLIENT_ID".to_owned(), READER.to_owned());
    reader.insert("ARM_CLIENT_SECRET".to_owned(), "reader-secret".to_owned());
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("out");
    let run = export(&reader, &["--out", path_arg(&out)]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(
        run.stderr.contains("warning: reading cross-tenant synchronization configurations was refused")
            && run.stderr.contains("Application.Read.All and Synchronization.Read.All"),
        "{run}"
    );
    assert!(!files(&out).contains_key("cross_tenant_sync.tf"));
    // --check says the same and checks the rest.
    let run = export(&reader, &["--check", path_arg(&out)]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stderr.contains("so they and their assignments are not checked"), "{run}");
}
