//! Cross-tenant synchronization in the source tenant (`entra_cross_tenant_sync_configuration`,
//! `entra_cross_tenant_sync_assignment`, `entra_cross_tenant_sync_status`) with the real terraform binary against
//! the two-tenant Graph emulator: the emulator's first tenant is the source, its second the target.
//!
//! The whole guide runs through the provider binary with two provider aliases (one per tenant), as users write it.
//! The other tests need only the source tenant's provider: the target tenant's policies are set out of band.
//! Every config step checks that `plan` is empty afterwards, with and without refresh.

use std::process::Command;
use std::sync::Arc;

use acceptance_tests::entra::EmulatorEnv;
use acceptance_tests::provider_binary::provider_binary_dir;
use acceptance_tests::{PlanCheck, StateCheck, Step};
use entra_graph_emulator::{Emulator, Faults, ServerErrorFault, Throttle};
use serde_json::{Value as Json, json};

const CONFIGURATION: &str = "entra_cross_tenant_sync_configuration.fabrikam";
const GROUP_ASSIGNMENT: &str = "entra_cross_tenant_sync_assignment.sales";
const USER_ASSIGNMENT: &str = "entra_cross_tenant_sync_assignment.adele";

/// The source tenant's fixture user Adele Vance and group Sales.
const ADELE: &str = "a5e40000-0001-4000-8000-000000000001";
const SALES: &str = "96a00000-0001-4000-8000-000000000001";

fn source(emulator: &Emulator) -> String {
    emulator.tenant(0).expect("the source tenant").tenant_id().to_owned()
}

fn target(emulator: &Emulator) -> String {
    emulator.tenant(1).expect("the emulator hosts a second tenant").tenant_id().to_owned()
}

/// What the target tenant must allow (its partner for the source with inbound consent and identity sync), set
/// out of band.
fn allow_inbound_in_target(emulator: &Emulator) {
    let source = source(emulator);
    let target_tenant = emulator.tenant(1).unwrap();
    target_tenant
        .create_partner(json!({"tenantId": source, "automaticUserConsentSettings": {"inboundAllowed": true}}))
        .unwrap();
    target_tenant
        .put_identity_sync(&source, json!({"displayName": "Source", "userSyncInbound": {"isSyncAllowed": true}}))
        .unwrap();
}

/// What the source tenant must allow (outbound consent for the target), set out of band.
fn allow_outbound_in_source(emulator: &Emulator) {
    let target = target(emulator);
    emulator
        .tenant(0)
        .unwrap()
        .create_partner(json!({"tenantId": target, "automaticUserConsentSettings": {"outboundAllowed": true}}))
        .unwrap();
}

/// An environment whose tenants already allow synchronization from the first into the second.
fn allowed_env() -> Arc<EmulatorEnv> {
    let env = EmulatorEnv::start();
    allow_inbound_in_target(env.emulator());
    allow_outbound_in_source(env.emulator());
    Arc::new(env)
}

/// The source tenant's configuration into `target` with `body` inside it, and the two assignments.
fn config(target: &str, body: &str) -> String {
    format!(
        r#"
resource "entra_cross_tenant_sync_configuration" "fabrikam" {{
  display_name     = "Fabrikam"
  target_tenant_id = "{target}"
{body}
}}

resource "entra_cross_tenant_sync_assignment" "sales" {{
  configuration_id = entra_cross_tenant_sync_configuration.fabrikam.id
  principal_id     = "{SALES}"
}}

resource "entra_cross_tenant_sync_assignment" "adele" {{
  configuration_id = entra_cross_tenant_sync_configuration.fabrikam.id
  principal_id     = "{ADELE}"
}}
"#
    )
}

const MANAGED: &str = r#"
  notification_email             = "ops@contoso.example"
  accidental_deletions_threshold = 50

  attribute_mappings = [
    { target_attribute = "userType", source_type = "constant", source = "Guest", apply = "always" },
    { target_attribute = "department", source_type = "expression", source = "Join(\" \", [department], [city])" },
    { target_attribute = "jobTitle", source_type = "attribute", source = "jobTitle", apply = "on_create" },
  ]

  scoping_filters = [
    {
      name    = "Sales only"
      clauses = [{ attribute = "department", operator = "EQUALS", values = ["Sales"] }]
    },
  ]
"#;

/// The source tenant's objects (applications, service principals, synchronization, assignments).
fn objects(emulator: &Emulator) -> Json {
    emulator.tenant(0).unwrap().objects()
}

/// The only synchronization job of the source tenant: `(service principal id, job id, job)`.
fn only_job(emulator: &Emulator) -> (String, String, Json) {
    let objects = objects(emulator);
    let sync = objects["synchronization"].as_object().expect("synchronization");
    let jobs: Vec<(String, String, Json)> = sync
        .iter()
        .flat_map(|(sp, s)| {
            s["jobs"].as_object().into_iter().flatten().map(move |(id, j)| (sp.clone(), id.clone(), j["job"].clone()))
        })
        .collect();
    assert_eq!(jobs.len(), 1, "expected one job: {objects:#}");
    jobs.into_iter().next().unwrap()
}

fn secrets(emulator: &Emulator, sp: &str) -> Json {
    let objects = objects(emulator);
    let pairs = objects["synchronization"][sp]["secrets"].as_array().cloned().unwrap_or_default();
    Json::Object(pairs.iter().map(|p| (p["key"].as_str().unwrap().to_owned(), p["value"].clone())).collect())
}

/// The user attribute mapping for `target` in the job's schema.
fn mapping(emulator: &Emulator, target: &str) -> Option<Json> {
    let (sp, job, _) = only_job(emulator);
    let schema = emulator.tenant(0).unwrap().synchronization_schema(&sp, &job).expect("schema");
    let user = &schema["synchronizationRules"][0]["objectMappings"][0];
    user["attributeMappings"].as_array().unwrap().iter().find(|m| m["targetAttributeName"] == target).cloned()
}

fn user_scope(emulator: &Emulator) -> Json {
    let (sp, job, _) = only_job(emulator);
    let schema = emulator.tenant(0).unwrap().synchronization_schema(&sp, &job).expect("schema");
    schema["synchronizationRules"][0]["objectMappings"][0]["scope"].clone()
}

/// Nothing of a configuration is left in the source tenant.
fn nothing_left(emulator: &Emulator) -> Result<(), String> {
    let objects = objects(emulator);
    let names = ["applications", "servicePrincipals", "synchronization", "appRoleAssignedTo"];
    let left: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let items = objects[name].as_object()?;
            let ids: Vec<&String> =
                items.iter().filter(|(_, v)| v.as_array().is_none_or(|a| !a.is_empty())).map(|(id, _)| id).collect();
            (!ids.is_empty()).then(|| format!("{name}: {ids:?}"))
        })
        .collect();
    if left.is_empty() { Ok(()) } else { Err(format!("left behind in the source tenant: {}", left.join("; "))) }
}

/// An out-of-band Graph request in the source tenant (an administrator with the portal or a script).
fn graph(env: &EmulatorEnv, method: &str, path: &str, body: &Json) {
    let token = env.emulator().tenant(0).unwrap().access_token();
    let output = Command::new("curl")
        .args(["-sS", "--fail-with-body", "-X", method])
        .arg("--cacert")
        .arg(env.emulator().ca_cert_file())
        .args(["-H", &format!("Authorization: Bearer {token}"), "-H", "Content-Type: application/json"])
        .args(["--data", &body.to_string()])
        .arg(format!("{}{path}", env.emulator().graph_v1()))
        .output()
        .expect("run curl");
    assert!(
        output.status.success(),
        "{method} {path}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `{configuration_id}/{assignment_id}`.
fn assignment_import_id(values: &Json) -> String {
    format!("{}/{}", values["configuration_id"].as_str().unwrap(), values["id"].as_str().unwrap())
}

fn configuration_import_id(values: &Json) -> String {
    values["id"].as_str().unwrap().to_owned()
}

/// Forgets `address` and imports it again (with the id `import_id` makes from its state values), after which the
/// plan must be empty, with and without refresh, and the imported values the same as before.
fn reimport(address: &'static str, import_id: fn(&Json) -> String) -> Step {
    Step::run(move |workdir| {
        let before = workdir.state().values(address).clone();
        let id = import_id(&before);
        workdir.terraform(&["state", "rm", "-lock=false", address]).expect_success();
        let output = workdir.import(address, &id);
        assert!(output.success(), "import of {address} with id {id}: {output}");
        let after = workdir.state().values(address).clone();
        for (name, value) in before.as_object().unwrap() {
            if name != "timeouts" {
                assert_eq!(&after[name], value, "{address}.{name} after import");
            }
        }
        workdir.plan_is_empty(true).unwrap_or_else(|e| panic!("after importing {address}: {e}"));
        workdir.plan_is_empty(false).unwrap_or_else(|e| panic!("after importing {address}: {e}"));
    })
}

// ----- the whole guide, two tenants, two provider aliases ---------------------------------------------------------

/// The guide as code: the target allows inbound synchronization, the source allows outbound consent, makes the
/// configuration, assigns a group and a user and reads the status.
fn two_tenant_config(env: &EmulatorEnv) -> String {
    let emulator = env.emulator();
    let (source_tenant, target_tenant) = (emulator.tenant(0).unwrap(), emulator.tenant(1).unwrap());
    format!(
        r#"
provider "entra" {{
  alias         = "source"
  tenant_id     = "{source}"
  client_id     = "{source_client}"
  client_secret = "{source_secret}"
}}

provider "entra" {{
  alias         = "target"
  tenant_id     = "{target}"
  client_id     = "{target_client}"
  client_secret = "{target_secret}"
}}

# Target tenant: trust the source and allow its users in.
resource "entra_cross_tenant_partner" "source" {{
  provider  = entra.target
  tenant_id = "{source}"
  automatic_user_consent_settings = {{
    inbound_allowed = true
  }}
}}

resource "entra_cross_tenant_identity_sync" "source" {{
  provider     = entra.target
  tenant_id    = entra_cross_tenant_partner.source.tenant_id
  display_name = "Source"
  user_sync_inbound = {{
    is_sync_allowed = true
  }}
}}

# Source tenant: consent outbound, then the configuration.
resource "entra_cross_tenant_partner" "target" {{
  provider  = entra.source
  tenant_id = "{target}"
  automatic_user_consent_settings = {{
    outbound_allowed = true
  }}
}}

resource "entra_cross_tenant_sync_configuration" "fabrikam" {{
  provider         = entra.source
  display_name     = "Fabrikam"
  target_tenant_id = entra_cross_tenant_partner.target.tenant_id
{MANAGED}
  # The connection test needs the target's policy.
  depends_on = [entra_cross_tenant_identity_sync.source]
}}

resource "entra_cross_tenant_sync_assignment" "sales" {{
  provider         = entra.source
  configuration_id = entra_cross_tenant_sync_configuration.fabrikam.id
  principal_id     = "{SALES}"
}}

resource "entra_cross_tenant_sync_assignment" "adele" {{
  provider         = entra.source
  configuration_id = entra_cross_tenant_sync_configuration.fabrikam.id
  principal_id     = "{ADELE}"
}}

data "entra_cross_tenant_sync_status" "fabrikam" {{
  provider         = entra.source
  configuration_id = entra_cross_tenant_sync_configuration.fabrikam.id
}}

output "status" {{
  value = data.entra_cross_tenant_sync_status.fabrikam.status
}}
"#,
        source = source_tenant.tenant_id(),
        source_client = source_tenant.client_id(),
        source_secret = source_tenant.client_secret(),
        target = target_tenant.tenant_id(),
        target_client = target_tenant.client_id(),
        target_secret = target_tenant.client_secret(),
    )
}

#[test]
fn the_two_tenant_flow_applies_plans_empty_imports_and_destroys_cleanly() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = Arc::new(EmulatorEnv::start());
    let (e1, e2) = (env.clone(), env.clone());
    let config = two_tenant_config(&env);
    env.managed_harness(&provider_binary_dir())
        .test_case()
        .step(
            Step::config(config)
                .check(StateCheck::attr(CONFIGURATION, "scope", "assigned"))
                .check(StateCheck::attr(CONFIGURATION, "enabled", true))
                .check(StateCheck::attr_set(CONFIGURATION, "job_id"))
                .check(StateCheck::attr(GROUP_ASSIGNMENT, "principal_type", "Group"))
                .check(StateCheck::attr(GROUP_ASSIGNMENT, "principal_display_name", "Sales"))
                .check(StateCheck::attr(USER_ASSIGNMENT, "principal_type", "User"))
                .check(StateCheck::attr("data.entra_cross_tenant_sync_status.fabrikam", "schedule_state", "Active"))
                .check(StateCheck::custom("the source tenant holds the configuration", move |_| {
                    let emulator = e1.emulator();
                    let (sp, _, job) = only_job(emulator);
                    assert_eq!(job["schedule"]["state"], "Active");
                    let secrets = secrets(emulator, &sp);
                    assert_eq!(secrets["CompanyId"], target(emulator));
                    assert_eq!(secrets["AuthenticationType"], "SyncPolicy");
                    assert_eq!(secrets["SyncAll"], "false");
                    let settings: Json =
                        serde_json::from_str(secrets["SyncNotificationSettings"].as_str().unwrap()).unwrap();
                    assert_eq!(settings["Recipients"], "ops@contoso.example");
                    assert_eq!(settings["DeleteThresholdValue"], 50);
                    assert_eq!(mapping(emulator, "userType").unwrap()["source"]["expression"], "\"Guest\"");
                    assert_eq!(mapping(emulator, "userType").unwrap()["flowType"], "Always");
                    assert_eq!(mapping(emulator, "jobTitle").unwrap()["flowType"], "ObjectAddOnly");
                    assert_eq!(user_scope(emulator)["groups"][0]["clauses"][0]["operatorName"], "EQUALS");
                    let assignments = &objects(emulator)["appRoleAssignedTo"][&sp];
                    assert_eq!(assignments.as_array().map(Vec::len), Some(2));
                    Ok(())
                })),
        )
        .step(reimport(GROUP_ASSIGNMENT, assignment_import_id))
        .step(reimport(USER_ASSIGNMENT, assignment_import_id))
        .check_destroy(move || {
            let emulator = e2.emulator();
            nothing_left(emulator)?;
            let leftovers = (
                emulator.tenant(0).unwrap().partner(&target(emulator)),
                emulator.tenant(1).unwrap().partner(&source(emulator)),
                emulator.tenant(1).unwrap().identity_sync(&source(emulator)),
            );
            match leftovers {
                (None, None, None) => Ok(()),
                left => Err(format!("policies left behind: {left:?}")),
            }
        })
        .run();
}

// ----- the connection test ----------------------------------------------------------------------------------------

#[test]
fn a_refused_connection_test_leaves_nothing_behind_and_says_which_tenant_must_change_what() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = Arc::new(EmulatorEnv::start());
    let target = target(env.emulator());
    let config = config(&target, "");
    let (e1, e2, e3, e4, e5) = (env.clone(), env.clone(), env.clone(), env.clone(), env.clone());
    env.harness()
        .test_case()
        // Neither tenant allows it: both are named, each with what it must change.
        .step(Step::expect_error(config.clone(), "In this \\(source\\) tenant").on_apply())
        .step(Step::run(move |_| nothing_left(e1.emulator()).unwrap()))
        .step(Step::run(move |_| allow_outbound_in_source(e2.emulator())))
        // Only the target is missing now.
        .step(Step::expect_error(config.clone(), "is_sync_allowed = true").on_apply())
        .step(Step::run(move |_| nothing_left(e3.emulator()).unwrap()))
        .step(Step::run(move |_| allow_inbound_in_target(e4.emulator())))
        .step(Step::config(config).check(StateCheck::attr(CONFIGURATION, "enabled", true)))
        .check_destroy(move || nothing_left(e5.emulator()))
        .run();
}

/// A create that fails after the connection test, at the schema (overrides and filters) or at the job's start, also
/// leaves nothing behind: Graph keeps failing those steps (503 on every attempt, until the client gives up or the
/// create's timeout ends), and the application, with its service principal, job and secrets, is deleted again. Once
/// Graph recovers, the same configuration applies.
#[test]
fn a_create_that_fails_after_the_connection_test_leaves_nothing_behind() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    use entra_graph_emulator::FaultRule;
    for route in [
        "/servicePrincipals/{id}/synchronization/jobs/{id}/schema",
        "/servicePrincipals/{id}/synchronization/jobs/{id}/start",
    ] {
        let env = allowed_env();
        env.emulator().set_faults(Faults {
            service_unavailable: Some(ServerErrorFault {
                rule: FaultRule::every_nth(1).for_route(route),
                retry_after: Default::default(),
            }),
            ..Faults::none()
        });
        let target = target(env.emulator());
        let body = format!("{MANAGED}\n  timeouts = {{\n    create = \"8s\"\n  }}\n");
        let (e1, e2, e3) = (env.clone(), env.clone(), env.clone());
        env.harness()
            .test_case()
            .step(Step::expect_error(config(&target, &body), "503 Service Unavailable").on_apply())
            .step(Step::run(move |_| {
                let stats = e1.stats();
                assert!(stats.status_count(503) > 0, "{route} failed: {:?}", stats.by_route);
                nothing_left(e1.emulator()).unwrap_or_else(|left| panic!("after a failure at {route}: {left}"));
                e1.emulator().set_faults(Faults::none());
            }))
            .step(Step::config(config(&target, &body)).check(StateCheck::custom("complete", move |_| {
                assert_eq!(only_job(e2.emulator()).2["schedule"]["state"], "Active");
                Ok(())
            })))
            .check_destroy(move || nothing_left(e3.emulator()))
            .run();
    }
}

// ----- drift ------------------------------------------------------------------------------------------------------

#[test]
fn drift_of_enabled_scope_a_managed_mapping_and_a_filter_shows_and_apply_restores() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = allowed_env();
    let target = target(env.emulator());
    let config = config(&target, MANAGED);
    let (e1, e2, e3, e4, e5, e6, e7, e8) =
        (env.clone(), env.clone(), env.clone(), env.clone(), env.clone(), env.clone(), env.clone(), env.clone());
    env.harness()
        .test_case()
        .step(Step::config(config.clone()))
        // Paused in the portal: planned back to enabled.
        .step(Step::run(move |_| {
            let (sp, job, _) = only_job(e1.emulator());
            e1.emulator().tenant(0).unwrap().pause_synchronization_job(&sp, &job).unwrap();
        }))
        .step(
            Step::plan_only(config.clone())
                .plan_check(PlanCheck::actions(CONFIGURATION, &["update"]))
                .plan_check(PlanCheck::after(CONFIGURATION, "enabled", true)),
        )
        .step(Step::config(config.clone()).check(StateCheck::custom("the job runs again", move |_| {
            assert_eq!(only_job(e2.emulator()).2["schedule"]["state"], "Active");
            Ok(())
        })))
        // Scope switched to "all users" outside Terraform.
        .step(Step::run(move |_| {
            let (sp, _, _) = only_job(e3.emulator());
            let body = json!({"value": [{"key": "SyncAll", "value": "true"}]});
            graph(&e3, "PUT", &format!("/servicePrincipals/{sp}/synchronization/secrets"), &body);
        }))
        .step(
            Step::plan_only(config.clone())
                .plan_check(PlanCheck::actions(CONFIGURATION, &["update"]))
                .plan_check(PlanCheck::after(CONFIGURATION, "scope", "assigned")),
        )
        .step(Step::config(config.clone()).check(StateCheck::custom("scope is assigned-only again", move |_| {
            let (sp, _, _) = only_job(e4.emulator());
            assert_eq!(secrets(e4.emulator(), &sp)["SyncAll"], "false");
            Ok(())
        })))
        // A managed mapping and the filter edited in the schema editor, and an unmanaged mapping too.
        .step(Step::run(move |_| {
            let emulator = e5.emulator();
            let (sp, job, _) = only_job(emulator);
            let tenant = emulator.tenant(0).unwrap();
            let mut schema = tenant.synchronization_schema(&sp, &job).unwrap();
            let user = &mut schema["synchronizationRules"][0]["objectMappings"][0];
            for mapping in user["attributeMappings"].as_array_mut().unwrap() {
                if mapping["targetAttributeName"] == "userType" {
                    mapping["source"] =
                        json!({"expression": "\"Member\"", "name": "Member", "parameters": [], "type": "Constant"});
                }
                if mapping["targetAttributeName"] == "city" {
                    mapping["source"] =
                        json!({"expression": "\"Oslo\"", "name": "Oslo", "parameters": [], "type": "Constant"});
                }
            }
            user["scope"]["groups"][0]["clauses"][0]["targetOperand"]["values"] = json!(["Marketing"]);
            tenant.set_synchronization_schema(&sp, &job, schema).unwrap();
        }))
        .step(
            Step::plan_only(config.clone())
                .plan_check(PlanCheck::actions(CONFIGURATION, &["update"]))
                .plan_check(PlanCheck::after(CONFIGURATION, "scoping_filters.0.clauses.0.values.0", "Sales")),
        )
        .step(Step::config(config.clone()).check(StateCheck::custom("the managed parts are restored", move |_| {
            let emulator = e6.emulator();
            assert_eq!(mapping(emulator, "userType").unwrap()["source"]["name"], "Guest");
            assert_eq!(user_scope(emulator)["groups"][0]["clauses"][0]["targetOperand"]["values"], json!(["Sales"]));
            // The unmanaged mapping keeps what was done to it.
            assert_eq!(mapping(emulator, "city").unwrap()["source"]["name"], "Oslo");
            Ok(())
        })))
        // Changes to mappings the configuration does not manage never show as drift.
        .step(Step::run(move |_| {
            let emulator = e7.emulator();
            let (sp, job, _) = only_job(emulator);
            let tenant = emulator.tenant(0).unwrap();
            let mut schema = tenant.synchronization_schema(&sp, &job).unwrap();
            let mappings =
                schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"].as_array_mut().unwrap();
            mappings.retain(|m| m["targetAttributeName"] != "givenName");
            tenant.set_synchronization_schema(&sp, &job, schema).unwrap();
        }))
        .step(Step::plan_only(config).expect_empty())
        .check_destroy(move || nothing_left(e8.emulator()))
        .run();
}

#[test]
fn removing_an_override_restores_the_template_default() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = allowed_env();
    // Written in capitals: the same tenant, so no plan ever shows a change of it.
    let target = target(env.emulator()).to_ascii_uppercase();
    let (e1, e2, e3) = (env.clone(), env.clone(), env.clone());
    let before: Arc<std::sync::Mutex<Option<(Json, Json)>>> = Arc::default();
    let keep = before.clone();
    env.harness()
        .test_case()
        .step(Step::config(config(&target, "")).check(StateCheck::custom("the template defaults", move |_| {
            let emulator = e1.emulator();
            *keep.lock().unwrap() =
                Some((mapping(emulator, "userType").unwrap(), mapping(emulator, "department").unwrap()));
            assert!(mapping(emulator, "jobTitle").is_none(), "the template has no jobTitle mapping");
            let (sp, _, _) = only_job(emulator);
            assert_eq!(secrets(emulator, &sp)["CompanyId"], crate::target(emulator), "sent as Graph spells it");
            Ok(())
        })))
        .step(Step::config(config(&target, MANAGED)).check(StateCheck::custom("the overrides", move |_| {
            assert_eq!(mapping(e2.emulator(), "userType").unwrap()["source"]["name"], "Guest");
            assert!(mapping(e2.emulator(), "jobTitle").is_some());
            Ok(())
        })))
        // Every override removed (the filters too): the template's mappings come back, jobTitle goes.
        .step(
            Step::config(config(&target, "  scoping_filters = []\n"))
                .plan_check(PlanCheck::actions(CONFIGURATION, &["update"]))
                .check(StateCheck::custom("the template defaults are back", move |_| {
                    let emulator = e3.emulator();
                    let (user_type, department) = before.lock().unwrap().clone().unwrap();
                    assert_eq!(mapping(emulator, "userType").unwrap(), user_type);
                    assert_eq!(mapping(emulator, "department").unwrap(), department);
                    assert!(mapping(emulator, "jobTitle").is_none(), "jobTitle has no mapping in the template");
                    assert_eq!(user_scope(emulator), Json::Null);
                    Ok(())
                })),
        )
        .run();
}

const ONE_FILTER: &str = r#"
  scoping_filters = [
    {
      name    = "Sales only"
      clauses = [{ attribute = "department", operator = "EQUALS", values = ["Sales"] }]
    },
  ]
"#;

#[test]
fn an_import_with_an_override_and_a_filter_plans_empty_and_removing_the_override_restores_the_default() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = allowed_env();
    let target = target(env.emulator());
    let one_override = format!(
        "  attribute_mappings = [\n    {{ target_attribute = \"userType\", source_type = \"constant\", source = \"Guest\" }},\n  ]\n{ONE_FILTER}"
    );
    let (e1, e2, e3) = (env.clone(), env.clone(), env.clone());
    let default: Arc<std::sync::Mutex<Option<Json>>> = Arc::default();
    let keep = default.clone();
    env.harness()
        .test_case()
        .step(Step::config(config(&target, "")).check(StateCheck::custom("the template default", move |_| {
            *keep.lock().unwrap() = mapping(e1.emulator(), "userType");
            Ok(())
        })))
        .step(Step::config(config(&target, &one_override)).check(StateCheck::custom("the override", move |_| {
            assert_eq!(mapping(e2.emulator(), "userType").unwrap()["source"]["name"], "Guest");
            Ok(())
        })))
        // Imported without the private record of earlier mappings: the override and the filter are read as
        // managed, so the plan is empty with and without refresh.
        .step(reimport(CONFIGURATION, configuration_import_id))
        .step(
            Step::config(config(&target, ONE_FILTER)).plan_check(PlanCheck::actions(CONFIGURATION, &["update"])).check(
                StateCheck::custom("the template default is back", move |_| {
                    let restored = mapping(e3.emulator(), "userType");
                    let expected = default.lock().unwrap().clone();
                    if restored.is_some() && restored == expected {
                        Ok(())
                    } else {
                        Err(format!("userType is {restored:?}, the template default {expected:?}"))
                    }
                }),
            ),
        )
        .run();
}

/// The display names of the source tenant's only application and only service principal.
fn display_names(emulator: &Emulator) -> (Json, Json) {
    let objects = objects(emulator);
    let only = |name: &str| {
        let items = objects[name].as_object().unwrap_or_else(|| panic!("{name}: {objects:#}"));
        assert_eq!(items.len(), 1, "one {name}: {objects:#}");
        items.values().next().unwrap()["displayName"].clone()
    };
    (only("applications"), only("servicePrincipals"))
}

#[test]
fn a_rename_is_an_update_in_place_and_a_rename_outside_terraform_is_drift() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = allowed_env();
    let target = target(env.emulator());
    let original = config(&target, "");
    let renamed = original.replace("\"Fabrikam\"", "\"Fabrikam EU\"");
    let (e1, e2, e3) = (env.clone(), env.clone(), env.clone());
    let ids: Arc<std::sync::Mutex<Option<Json>>> = Arc::default();
    let (keep, compare) = (ids.clone(), ids.clone());
    let id_names = ["id", "application_object_id", "application_id", "job_id", "app_role_id"];
    env.harness()
        .test_case()
        .step(Step::config(original).check(StateCheck::custom("the ids", move |state| {
            let values = state.values(CONFIGURATION);
            *keep.lock().unwrap() =
                Some(Json::Object(id_names.iter().map(|n| ((*n).to_owned(), values[n].clone())).collect()));
            Ok(())
        })))
        .step(
            Step::config(renamed.clone())
                .plan_check(PlanCheck::actions(CONFIGURATION, &["update"]))
                .plan_check(PlanCheck::actions(GROUP_ASSIGNMENT, &["no-op"]))
                .check(StateCheck::attr(CONFIGURATION, "display_name", "Fabrikam EU"))
                .check(StateCheck::custom("renamed in place", move |state| {
                    let values = state.values(CONFIGURATION);
                    let before = compare.lock().unwrap().clone().unwrap();
                    for name in id_names {
                        if values[name] != before[name] {
                            return Err(format!("{name} changed: {} -> {}", before[name], values[name]));
                        }
                    }
                    let names = display_names(e1.emulator());
                    if names != (json!("Fabrikam EU"), json!("Fabrikam EU")) {
                        return Err(format!("application and service principal names: {names:?}"));
                    }
                    Ok(())
                })),
        )
        // Renamed in the portal (Enterprise applications): the service principal's name.
        .step(Step::run(move |state_dir| {
            let sp = state_dir.state().values(CONFIGURATION)["id"].as_str().unwrap().to_owned();
            graph(&e2, "PATCH", &format!("/servicePrincipals/{sp}"), &json!({"displayName": "Renamed by hand"}));
        }))
        .step(
            Step::plan_only(renamed.clone())
                .plan_check(PlanCheck::actions(CONFIGURATION, &["update"]))
                .plan_check(PlanCheck::after(CONFIGURATION, "display_name", "Fabrikam EU")),
        )
        .step(Step::config(renamed).check(StateCheck::custom("the name is restored", move |_| {
            let names = display_names(e3.emulator());
            if names == (json!("Fabrikam EU"), json!("Fabrikam EU")) { Ok(()) } else { Err(format!("{names:?}")) }
        })))
        .run();
}

// ----- job state outside Terraform -----------------------------------------------------------------------------

#[test]
fn a_quarantined_job_is_reported_in_the_plan_and_never_restarted_by_a_refresh() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = allowed_env();
    let target = target(env.emulator());
    let config = config(&target, "");
    let (e1, e2) = (env.clone(), env.clone());
    env.harness()
        .test_case()
        .step(Step::config(config.clone()))
        .step(Step::run(move |_| {
            let (sp, job, _) = only_job(e1.emulator());
            e1.emulator()
                .tenant(0)
                .unwrap()
                .quarantine_synchronization_job(
                    &sp,
                    &job,
                    "EncounteredQuarantineException",
                    "The target tenant revoked inbound synchronization.",
                )
                .unwrap();
        }))
        .step(Step::run(move |workdir| {
            let starts = "POST /servicePrincipals/{id}/synchronization/jobs/{id}/start";
            let before = e2.requests(starts);
            for args in [&[][..], &["-refresh-only"][..]] {
                let (output, _) = workdir.plan(args);
                let text = output.combined();
                assert!(text.contains("in quarantine"), "{text}");
                assert!(text.contains("EncounteredQuarantineException"), "{text}");
                assert!(text.contains("revoked inbound synchronization"), "{text}");
            }
            assert_eq!(e2.requests(starts), before, "a refresh must never restart the job");
            assert_eq!(only_job(e2.emulator()).2["status"]["code"], "Quarantine");
        }))
        .run();
}

#[test]
fn a_job_deleted_out_of_band_makes_the_configuration_gone() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = allowed_env();
    let target = target(env.emulator());
    let config = config(&target, "");
    let e1 = env.clone();
    env.harness()
        .test_case()
        .step(Step::config(config.clone()))
        .step(Step::run(move |_| {
            let (sp, job, _) = only_job(e1.emulator());
            e1.emulator().tenant(0).unwrap().delete_synchronization_job(&sp, &job).unwrap();
        }))
        .step(
            Step::plan_only(config.clone())
                .plan_check(PlanCheck::actions(CONFIGURATION, &["create"]))
                .plan_check(PlanCheck::replaced(USER_ASSIGNMENT)),
        )
        .step(Step::config(config))
        .run();
}

// ----- import and the shared listing --------------------------------------------------------------------------

#[test]
fn both_resources_import_to_an_empty_plan() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = allowed_env();
    let target = target(env.emulator());
    let body = r#"
  scope              = "all"
  enabled            = false
  notification_email = "ops@contoso.example"
  scoping_filters = [
    { name = "Engineers", clauses = [{ attribute = "department", operator = "EQUALS", values = ["Engineering"] }, { attribute = "accountEnabled", operator = "IS TRUE" }] },
  ]
"#;
    env.harness()
        .test_case()
        .step(Step::config(config(&target, body)).check(StateCheck::attr(CONFIGURATION, "enabled", false)))
        .step(reimport(CONFIGURATION, configuration_import_id))
        .step(reimport(GROUP_ASSIGNMENT, assignment_import_id))
        .step(Step::expect_error(
            format!("{}\nimport {{\n  to = entra_cross_tenant_sync_assignment.other\n  id = \"not-a-pair\"\n}}\nresource \"entra_cross_tenant_sync_assignment\" \"other\" {{\n  configuration_id = \"{SALES}\"\n  principal_id = \"{SALES}\"\n}}\n", config(&target, body)),
            "configuration_id\\}/\\{assignment_id\\}",
        ))
        .run();
}

#[test]
fn reads_of_many_assignments_share_one_listing_per_configuration() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = allowed_env();
    let target = target(env.emulator());
    let mut config = config(&target, "");
    for (name, principal) in [
        ("alex", "a5e40000-0001-4000-8000-000000000002"),
        ("megan", "a5e40000-0001-4000-8000-000000000003"),
        ("engineering", "96a00000-0001-4000-8000-000000000002"),
    ] {
        config.push_str(&format!(
            "resource \"entra_cross_tenant_sync_assignment\" \"{name}\" {{\n  configuration_id = entra_cross_tenant_sync_configuration.fabrikam.id\n  principal_id = \"{principal}\"\n}}\n"
        ));
    }
    let e = env.clone();
    env.harness()
        .test_case()
        .step(Step::config(config))
        .step(Step::run(move |workdir| {
            std::thread::sleep(std::time::Duration::from_secs(11));
            e.emulator().reset_stats();
            workdir.plan_is_empty(true).unwrap();
            let listings = e.requests("GET /servicePrincipals/{id}/appRoleAssignedTo");
            assert_eq!(listings, 1, "five assignments are read with one listing: {:?}", e.stats().by_route);
        }))
        .run();
}

// ----- validation at plan time --------------------------------------------------------------------------------

#[test]
fn invalid_configurations_are_refused_at_plan_without_graph_writes() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = allowed_env();
    let target = target(env.emulator());
    let configuration = |body: &str| {
        format!(
            "resource \"entra_cross_tenant_sync_configuration\" \"x\" {{\n  display_name = \"X\"\n  target_tenant_id = \"{target}\"\n{body}\n}}\n"
        )
    };
    let cases: Vec<(String, &str)> = vec![
        (
            configuration(r#"  attribute_mappings = [{ target_attribute = "alternativeSecurityIds", source_type = "attribute", source = "mail" }]"#),
            "matching attribute cannot be overridden",
        ),
        (
            configuration(r#"  scoping_filters = [{ name = "f", clauses = [{ attribute = "department", operator = "CONTAINS", values = ["x"] }] }]"#),
            "operator",
        ),
        (configuration(r#"  scope = "everyone""#), "scope"),
        (
            configuration(r#"  attribute_mappings = [{ target_attribute = "city", source_type = "literal", source = "x" }]"#),
            "source_type",
        ),
        (
            configuration(r#"  attribute_mappings = [{ target_attribute = "city", source_type = "constant", source = "x", apply = "never" }]"#),
            "apply",
        ),
        (configuration("  accidental_deletions_threshold = 0"), "accidental_deletions_threshold"),
        (
            "resource \"entra_cross_tenant_sync_configuration\" \"x\" {\n  display_name = \"X\"\n  target_tenant_id = \"fabrikam\"\n}\n".to_owned(),
            "target_tenant_id",
        ),
        (
            format!("resource \"entra_cross_tenant_sync_assignment\" \"x\" {{\n  configuration_id = \"{SALES}\"\n  principal_id = \"adele\"\n}}\n"),
            "principal_id",
        ),
        (
            format!("resource \"entra_cross_tenant_sync_assignment\" \"x\" {{\n  configuration_id = \"nope\"\n  principal_id = \"{ADELE}\"\n}}\n"),
            "configuration_id",
        ),
        (
            "data \"entra_cross_tenant_sync_status\" \"x\" {\n  configuration_id = \"nope\"\n}\n".to_owned(),
            "configuration_id",
        ),
    ];
    let writes = env.writes();
    let harness = env.harness();
    let mut case = harness.test_case();
    for (config, pattern) in cases {
        case = case.step(Step::expect_error(config, pattern));
    }
    case.run();
    env.assert_no_writes_since(writes, "an invalid synchronization configuration");
}

// ----- faults ------------------------------------------------------------------------------------------------------

#[test]
fn throttling_server_errors_and_service_principal_lag_converge() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = allowed_env();
    env.emulator().set_faults(Faults {
        throttle: Some(Throttle::every_nth(3, 0)),
        service_unavailable: Some(ServerErrorFault::every_nth(5)),
        service_principal_lag_ms: 1500,
        ..Faults::none()
    });
    let target = target(env.emulator());
    let (e1, e2) = (env.clone(), env.clone());
    env.harness()
        .test_case()
        .step(Step::config(config(&target, MANAGED)).check(StateCheck::custom(
            "one configuration, complete",
            move |_| {
                let emulator = e1.emulator();
                assert_eq!(
                    objects(emulator)["applications"].as_object().map(|a| a.len()),
                    Some(1),
                    "no duplicate application"
                );
                assert_eq!(only_job(emulator).2["schedule"]["state"], "Active");
                assert_eq!(mapping(emulator, "userType").unwrap()["source"]["name"], "Guest");
                let stats = e1.stats();
                assert!(stats.throttled > 0 && stats.status_count(503) > 0, "{stats:?}");
                // The wait for the new service principal polled through the lag.
                assert!(stats.status_count(404) > 0, "{:?}", stats.by_status);
                Ok(())
            },
        )))
        .check_destroy(move || nothing_left(e2.emulator()))
        .run();
}

#[test]
fn a_create_whose_answers_are_lost_leaves_no_duplicate_behind() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    use entra_graph_emulator::FaultRule;
    // The instantiate's answer lost once; then every second create's (the connection test, the job, the start, the
    // assignments): Graph applied each, the provider never heard.
    for rule in [
        FaultRule::first_n(1).for_route("/applicationTemplates/{id}/instantiate"),
        FaultRule::every_nth(2).for_method("POST"),
    ] {
        let env = allowed_env();
        env.emulator().set_faults(Faults { reset_after_write: Some(rule), ..Faults::none() });
        let target = target(env.emulator());
        let (e1, e2) = (env.clone(), env.clone());
        env.harness()
            .test_case()
            .step(Step::config(config(&target, "")).check(StateCheck::custom("one of each", move |_| {
                let emulator = e1.emulator();
                let objects = objects(emulator);
                assert!(e1.stats().connection_resets > 0, "{:?}", e1.stats());
                let applications = objects["applications"].as_object().map(serde_json::Map::len);
                assert_eq!(
                    applications,
                    Some(1),
                    "{:?}",
                    objects["applications"].as_object().map(|a| a.keys().collect::<Vec<_>>())
                );
                assert_eq!(objects["servicePrincipals"].as_object().map(serde_json::Map::len), Some(1));
                let (sp, _, _) = only_job(emulator);
                assert_eq!(objects["appRoleAssignedTo"][&sp].as_array().map(Vec::len), Some(2));
                Ok(())
            })))
            .check_destroy(move || nothing_left(e2.emulator()))
            .run();
    }
}

#[test]
fn the_status_data_source_follows_the_job() {
    acceptance_tests::emulator_only!("cross-tenant synchronization needs the emulator's second tenant");
    let env = allowed_env();
    let target = target(env.emulator());
    let config = format!(
        "{}\ndata \"entra_cross_tenant_sync_status\" \"fabrikam\" {{\n  configuration_id = \
         entra_cross_tenant_sync_configuration.fabrikam.id\n}}\n",
        config(&target, "")
    );
    const STATUS: &str = "data.entra_cross_tenant_sync_status.fabrikam";
    let (e1, e2) = (env.clone(), env.clone());
    env.harness()
        .test_case()
        .step(
            Step::config(config.clone())
                .check(StateCheck::attr(STATUS, "status", "NotRun"))
                .check(StateCheck::attr(STATUS, "schedule_state", "Active"))
                .check(StateCheck::attr_null(STATUS, "last_successful_execution_time"))
                .check(StateCheck::attr_null(STATUS, "quarantine_reason")),
        )
        .step(Step::run(move |_| {
            let (sp, job, _) = only_job(e1.emulator());
            e1.emulator().tenant(0).unwrap().complete_synchronization_cycle(&sp, &job).unwrap();
        }))
        .step(
            Step::config(config.clone())
                .check(StateCheck::attr(STATUS, "status", "Active"))
                .check(StateCheck::attr(STATUS, "last_execution.state", "Succeeded"))
                .check(StateCheck::attr_set(STATUS, "last_successful_execution_time")),
        )
        .step(Step::run(move |_| {
            let (sp, job, _) = only_job(e2.emulator());
            e2.emulator()
                .tenant(0)
                .unwrap()
                .quarantine_synchronization_job(&sp, &job, "TooManyDeletes", "Too many deletes in one cycle.")
                .unwrap();
        }))
        .step(Step::config(config).check(StateCheck::attr(STATUS, "status", "Quarantine")).check(StateCheck::attr(
            STATUS,
            "quarantine_reason",
            "TooManyDeletes: Too many deletes in one cycle.",
        )))
        .run();
}
