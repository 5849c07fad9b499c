//! The multi-tenant organization resources with the real terraform binary against the two-tenant Graph emulator:
//! an owner tenant and a member tenant as two provider aliases (Terraform starts one provider process per alias).
//! Every config step also checks that plans with and without refresh are empty afterwards, which covers joins, role
//! changes and removals that Graph is still processing.

use std::sync::Arc;

use acceptance_tests::entra::{EmulatorEnv, tenants};
use acceptance_tests::provider_binary::provider_binary_dir;
use acceptance_tests::{PlanCheck, StateCheck, Step};
use entra_graph_emulator::{Faults, MtoSettings, ServerErrorFault, Throttle};
use serde_json::{Value as Json, json};

const ORGANIZATION: &str = "entra_multi_tenant_organization.this";
const TENANT: &str = "entra_multi_tenant_organization_tenant.member";
const JOIN: &str = "entra_multi_tenant_organization_join_request.member";
const OWNER_PARTNER_TEMPLATE: &str = "entra_multi_tenant_organization_partner_template.owner";
const OWNER_SYNC_TEMPLATE: &str = "entra_multi_tenant_organization_identity_sync_template.owner";
const MEMBER_PARTNER_TEMPLATE: &str = "entra_multi_tenant_organization_partner_template.member";
const MEMBER_SYNC_TEMPLATE: &str = "entra_multi_tenant_organization_identity_sync_template.member";

fn owner_id(env: &EmulatorEnv) -> String {
    env.emulator().tenant_id().to_owned()
}

fn member_id(env: &EmulatorEnv) -> String {
    env.emulator().tenant(1).expect("two tenants").tenant_id().to_owned()
}

fn providers(env: &EmulatorEnv) -> String {
    format!("{}{}", env.tenant_provider_block("owner", 0), env.tenant_provider_block("member", 1))
}

/// The two-tenant flow: templates in both tenants, the organization and the member's entry in the owner tenant, the
/// member's join request after its templates, and a partner the owner manages for a tenant outside the organization.
/// `organization_name` and `owner_consent` vary between steps.
fn flow(env: &EmulatorEnv, organization_name: &str, owner_mfa: bool) -> String {
    let member = member_id(env);
    format!(
        r#"{providers}
resource "entra_multi_tenant_organization_partner_template" "owner" {{
  provider = entra.owner
  inbound_trust = {{
    is_mfa_accepted = {owner_mfa}
  }}
  automatic_user_consent_settings = {{
    inbound_allowed  = true
    outbound_allowed = true
  }}
  reset_on_destroy = true
}}

resource "entra_multi_tenant_organization_identity_sync_template" "owner" {{
  provider = entra.owner
  user_sync_inbound = {{
    is_sync_allowed = true
  }}
  template_application_level = ["newPartners"]
  reset_on_destroy           = true
}}

resource "entra_multi_tenant_organization" "this" {{
  provider     = entra.owner
  display_name = "{organization_name}"
  description  = "Owner and member, as code"
  depends_on = [
    entra_multi_tenant_organization_partner_template.owner,
    entra_multi_tenant_organization_identity_sync_template.owner,
  ]
}}

resource "entra_multi_tenant_organization_tenant" "member" {{
  provider     = entra.owner
  tenant_id    = "{member}"
  display_name = "Emulated Tenant 2"
  depends_on   = [entra_multi_tenant_organization.this]
}}

resource "entra_cross_tenant_partner" "contoso" {{
  provider  = entra.owner
  tenant_id = "{contoso}"
  inbound_trust = {{
    is_mfa_accepted = true
  }}
}}

resource "entra_multi_tenant_organization_partner_template" "member" {{
  provider = entra.member
  automatic_user_consent_settings = {{
    inbound_allowed  = true
    outbound_allowed = true
  }}
}}

resource "entra_multi_tenant_organization_identity_sync_template" "member" {{
  provider = entra.member
  user_sync_inbound = {{
    is_sync_allowed = true
  }}
}}

resource "entra_multi_tenant_organization_join_request" "member" {{
  provider           = entra.member
  added_by_tenant_id = entra_multi_tenant_organization_tenant.member.added_by_tenant_id
  wait_for_active    = true
  depends_on = [
    entra_multi_tenant_organization_partner_template.member,
    entra_multi_tenant_organization_identity_sync_template.member,
  ]
}}
"#,
        providers = providers(env),
        contoso = tenants::CONTOSO,
    )
}

/// A check on what the emulator holds, run after a step.
fn graph(
    env: &Arc<EmulatorEnv>,
    what: &str,
    check: impl Fn(&EmulatorEnv) -> Result<(), String> + 'static,
) -> StateCheck {
    let env = Arc::clone(env);
    StateCheck::custom(what.to_owned(), move |_| check(&env))
}

fn tenant_state(env: &EmulatorEnv, index: usize) -> Json {
    env.emulator().tenant(index).expect("tenant").state()
}

fn expect(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(message()) }
}

#[test]
fn two_tenants_join_drift_import_and_leave() {
    acceptance_tests::emulator_only!("a multi-tenant organization needs two emulated tenants");
    let env = Arc::new(EmulatorEnv::start());
    let harness = env.managed_harness(&provider_binary_dir());
    let (owner, member) = (owner_id(&env), member_id(&env));
    let (owner_for_checks, member_for_checks) = (owner.clone(), member.clone());
    let drift_env = Arc::clone(&env);
    let destroy_env = Arc::clone(&env);
    let member_after = member.clone();
    let slow_env = Arc::clone(&env);
    let member_role_check = member.clone();
    harness
        .test_case()
        .step(
            Step::config(flow(&env, "Contoso group", true))
                .check(StateCheck::attr(JOIN, "member_state", "active"))
                .check(StateCheck::attr(JOIN, "role", "member"))
                .check(StateCheck::attr(JOIN, "added_by_tenant_id", owner.as_str()))
                .check(StateCheck::attr(TENANT, "role", "member"))
                .check(StateCheck::attr(TENANT, "added_by_tenant_id", owner.as_str()))
                .check(StateCheck::attr(ORGANIZATION, "state", "active"))
                .check(StateCheck::attr(OWNER_PARTNER_TEMPLATE, "id", "partner_configuration"))
                .check(StateCheck::attr(OWNER_SYNC_TEMPLATE, "id", "identity_synchronization"))
                .check(graph(&env, "the join created partner configurations with the template values", move |env| {
                    // The owner's partner configuration for the member: created by the join, the owner's template
                    // applied (newPartners).
                    let owner_side = tenant_state(env, 0)["partners"][&member_for_checks].clone();
                    expect(owner_side["isInMultiTenantOrganization"] == json!(true), || {
                        format!("owner side: {owner_side}")
                    })?;
                    expect(
                        owner_side["automaticUserConsentSettings"]
                            == json!({"inboundAllowed": true, "outboundAllowed": true}),
                        || format!("owner side consent: {owner_side}"),
                    )?;
                    expect(owner_side["inboundTrust"]["isMfaAccepted"] == json!(true), || {
                        format!("owner side trust: {owner_side}")
                    })?;
                    let owner_sync = tenant_state(env, 0)["identitySynchronization"][&member_for_checks].clone();
                    expect(owner_sync["userSyncInbound"]["isSyncAllowed"] == json!(true), || {
                        format!("owner sync: {owner_sync}")
                    })?;
                    // And the member's configuration for the owner, with the member's template.
                    let member_side = tenant_state(env, 1)["partners"][&owner_for_checks].clone();
                    expect(member_side["isInMultiTenantOrganization"] == json!(true), || {
                        format!("member side: {member_side}")
                    })?;
                    expect(
                        member_side["automaticUserConsentSettings"]
                            == json!({"inboundAllowed": true, "outboundAllowed": true}),
                        || format!("member side consent: {member_side}"),
                    )?;
                    expect(member_side["inboundTrust"].is_null(), || {
                        format!("member template sets no trust: {member_side}")
                    })
                })),
        )
        // Imports of every resource match the state (configuration-only attributes aside).
        .step(Step::import(ORGANIZATION).id("multi_tenant_organization"))
        // The state saved by the apply still shows the member as it was added (`pending`): it joined after.
        .step(Step::import(TENANT).id(member.clone()).ignore(["state", "joined_date_time"]))
        .step(Step::import(JOIN).id("join_request").ignore(["wait_for_active"]).config(import_config(&env)))
        .step(
            Step::import(OWNER_PARTNER_TEMPLATE)
                .id("partner_configuration")
                .ignore(["reset_on_destroy"])
                .config(import_config(&env)),
        )
        .step(
            Step::import(OWNER_SYNC_TEMPLATE)
                .id("identity_synchronization")
                .ignore(["reset_on_destroy"])
                .config(import_config(&env)),
        )
        .step(Step::import(MEMBER_PARTNER_TEMPLATE).id("partner_configuration"))
        .step(Step::import(MEMBER_SYNC_TEMPLATE).id("identity_synchronization"))
        // Drift: a template value and the organization's name changed outside Terraform show in the plan.
        .step(Step::run(move |_| {
            let owner_tenant = drift_env.emulator().tenant(0).expect("owner");
            let mut templates = owner_tenant.state()["templates"].clone();
            templates["multiTenantOrganizationPartnerConfiguration"]["inboundTrust"]["isMfaAccepted"] = json!(false);
            owner_tenant.set_state(json!({ "templates": templates })).expect("drift the template");
            let mut organizations = drift_env.emulator().multi_tenant_organizations();
            rename_organizations(&mut organizations, "Renamed in the portal");
            drift_env.emulator().set_multi_tenant_organizations(organizations).expect("rename the organization");
        }))
        .step(
            Step::plan_only(flow(&env, "Contoso group", true))
                .plan_check(PlanCheck::actions(OWNER_PARTNER_TEMPLATE, &["update"]))
                .plan_check(PlanCheck::after(OWNER_PARTNER_TEMPLATE, "inbound_trust.is_mfa_accepted", true))
                .plan_check(PlanCheck::actions(ORGANIZATION, &["update"]))
                .plan_check(PlanCheck::after(ORGANIZATION, "display_name", "Contoso group"))
                .expect_changes(),
        )
        // Applying converges both; changing a value and the name in the configuration updates in place.
        .step(
            Step::config(flow(&env, "Contoso and partners", false))
                .check(StateCheck::attr(ORGANIZATION, "display_name", "Contoso and partners"))
                .check(graph(&env, "Graph holds the new values", |env| {
                    let state = tenant_state(env, 0);
                    let trust = &state["templates"]["multiTenantOrganizationPartnerConfiguration"]["inboundTrust"];
                    expect(trust["isMfaAccepted"] == json!(false), || format!("template trust: {trust}"))?;
                    let view = env.emulator().first_tenant().multi_tenant_organization();
                    expect(view["displayName"] == json!("Contoso and partners"), || format!("organization: {view}"))
                })),
        )
        // A role change is asynchronous (B.4.3): while Graph still shows the old role with the desired one in
        // transitionDetails, the plans after apply are empty.
        .step(Step::run(move |_| {
            slow_env.emulator().set_mto_settings(MtoSettings { delay_ms: 6000, ..slow_env.emulator().mto_settings() });
        }))
        .step(
            Step::config(with_member_role(&flow(&env, "Contoso and partners", false), "owner"))
                .check(StateCheck::attr(TENANT, "role", "owner"))
                .check(graph(&env, "Graph is still processing the role change", move |env| {
                    let view = env.emulator().first_tenant().multi_tenant_organization();
                    let entry = view["tenants"]
                        .as_array()
                        .and_then(|t| t.iter().find(|t| t["tenantId"] == json!(member_role_check)))
                        .cloned()
                        .unwrap_or_default();
                    expect(
                        entry["role"] == json!("member") && entry["transitionDetails"]["desiredRole"] == json!("owner"),
                        || format!("member entry: {entry}"),
                    )
                })),
        )
        .check_destroy(move || {
            let env = destroy_env;
            // The member left: it sees no organization, and the owner no longer lists it.
            let member_view = env.emulator().tenant(1).expect("member").multi_tenant_organization();
            expect(member_view["state"] == json!("inactive"), || format!("member view after destroy: {member_view}"))?;
            let owner_view = env.emulator().first_tenant().multi_tenant_organization();
            let listed = owner_view["tenants"].as_array().cloned().unwrap_or_default();
            expect(!listed.iter().any(|t| t["tenantId"] == json!(member_after)), || {
                format!("the owner still lists the member: {owner_view}")
            })?;
            // The organization is not deleted (Graph cannot): the owner is still in it.
            expect(owner_view["state"] == json!("active"), || format!("owner view: {owner_view}"))?;
            // reset_on_destroy = true reset the owner's templates; the member's (false) keep their values.
            let owner_templates = tenant_state(&env, 0)["templates"].clone();
            let partner = &owner_templates["multiTenantOrganizationPartnerConfiguration"];
            expect(partner["inboundTrust"].is_null(), || format!("owner partner template: {partner}"))?;
            let sync = &owner_templates["multiTenantOrganizationIdentitySynchronization"];
            expect(sync["templateApplicationLevel"] == json!("newPartners,existingPartners"), || {
                format!("owner sync template: {sync}")
            })?;
            let member_templates = tenant_state(&env, 1)["templates"].clone();
            let kept = &member_templates["multiTenantOrganizationIdentitySynchronization"]["userSyncInbound"];
            expect(kept["isSyncAllowed"] == json!(true), || format!("member sync template: {kept}"))?;
            Ok(())
        })
        .run();
}

/// The flow as a configuration written for importing: the configuration-only attributes at their defaults (an
/// import cannot know them), and the join naming the owner literally (in a fresh state the tenant entry it
/// references is not known yet).
fn import_config(env: &EmulatorEnv) -> String {
    flow(env, "Contoso group", true)
        .replace("entra_multi_tenant_organization_tenant.member.added_by_tenant_id", &format!("\"{}\"", owner_id(env)))
        .replace("wait_for_active    = true", "wait_for_active    = false")
        .replace("reset_on_destroy = true", "")
        .replace("reset_on_destroy           = true", "")
}

/// `flow` with the member's entry given `role`.
fn with_member_role(config: &str, role: &str) -> String {
    config.replace(
        "  display_name = \"Emulated Tenant 2\"\n",
        &format!("  display_name = \"Emulated Tenant 2\"\n  role         = \"{role}\"\n"),
    )
}

/// Renames every organization in the emulator's saved state (an edit in the portal).
fn rename_organizations(state: &mut Json, name: &str) {
    match state {
        Json::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "displayName" && value.is_string() {
                    *value = json!(name);
                } else {
                    rename_organizations(value, name);
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(|item| rename_organizations(item, name)),
        _ => {}
    }
}

/// The member's join request, in the member tenant, waiting until the member is active.
const JOIN_REQUEST: &str = r#"
resource "entra_multi_tenant_organization_join_request" "member" {
  provider           = entra.member
  added_by_tenant_id = entra_multi_tenant_organization_tenant.member.added_by_tenant_id
  wait_for_active    = true
}
"#;

/// The two providers and the owner's organization.
fn organization(env: &EmulatorEnv) -> String {
    format!(
        r#"{providers}
resource "entra_multi_tenant_organization" "this" {{
  provider     = entra.owner
  display_name = "Contoso group"
}}
"#,
        providers = providers(env),
    )
}

/// The organization and the member's entry (with `tenant_extra` attributes), followed by `extra`.
fn organization_with_member(env: &EmulatorEnv, tenant_extra: &str, extra: &str) -> String {
    format!(
        r#"{organization}
resource "entra_multi_tenant_organization_tenant" "member" {{
  provider     = entra.owner
  tenant_id    = "{member}"
  display_name = "Emulated Tenant 2"
  depends_on   = [entra_multi_tenant_organization.this]
{tenant_extra}}}
{extra}"#,
        organization = organization(env),
        member = member_id(env),
    )
}

/// The organization and the member's entry, without the join: the member stays `pending`.
fn owner_only(env: &EmulatorEnv, extra: &str) -> String {
    organization_with_member(env, "", extra)
}

/// The owner's organization and the member's entry with `tenant_extra` attributes, and the member's join request.
fn joined(env: &EmulatorEnv, tenant_extra: &str) -> String {
    organization_with_member(env, tenant_extra, JOIN_REQUEST)
}

#[test]
fn graph_refusals_are_clear_diagnostics() {
    acceptance_tests::emulator_only!("a multi-tenant organization needs two emulated tenants");
    let env = Arc::new(EmulatorEnv::start());
    let harness = env.managed_harness(&provider_binary_dir());
    let owner = owner_id(&env);
    // The owner adding its own tenant again (it is the organization's first tenant).
    let duplicate = format!(
        r#"
resource "entra_multi_tenant_organization_tenant" "again" {{
  provider     = entra.owner
  tenant_id    = "{owner}"
  display_name = "Emulated Tenant"
  depends_on   = [entra_multi_tenant_organization.this]
}}
"#
    );
    // The member (not an owner) adding a tenant.
    let non_owner = format!(
        r#"{JOIN_REQUEST}
resource "entra_multi_tenant_organization_tenant" "by_member" {{
  provider     = entra.member
  tenant_id    = "{contoso}"
  display_name = "Contoso"
  depends_on   = [entra_multi_tenant_organization_join_request.member]
}}
"#,
        contoso = tenants::CONTOSO
    );
    // The owner's own entry, managed, then removed from the configuration while the member is active.
    let own_entry = format!(
        r#"{JOIN_REQUEST}
import {{
  to = entra_multi_tenant_organization_tenant.owner
  id = "{owner}"
}}

resource "entra_multi_tenant_organization_tenant" "owner" {{
  provider     = entra.owner
  tenant_id    = "{owner}"
  display_name = "Emulated Tenant"
  role         = "owner"
}}
"#
    );
    let forget_own_entry = format!(
        r#"{JOIN_REQUEST}
removed {{
  from = entra_multi_tenant_organization_tenant.owner
  lifecycle {{
    destroy = false
  }}
}}
"#
    );
    harness
        .test_case()
        .step(Step::config(owner_only(&env, "")).check(StateCheck::attr(TENANT, "state", "pending")))
        .step(Step::expect_error(owner_only(&env, &duplicate), "already in the multi-tenant organization").on_apply())
        .step(Step::config(owner_only(&env, JOIN_REQUEST)).check(StateCheck::attr(JOIN, "member_state", "active")))
        .step(Step::expect_error(owner_only(&env, &non_owner), "not an owner of the multi-tenant").on_apply())
        .step(Step::config(owner_only(&env, &own_entry)).check(StateCheck::attr(
            "entra_multi_tenant_organization_tenant.owner",
            "role",
            "owner",
        )))
        .step(Step::expect_error(owner_only(&env, JOIN_REQUEST), "last active owner").on_apply())
        .step(Step::config(owner_only(&env, &forget_own_entry)))
        .run();
}

#[test]
fn invalid_configurations_are_refused_at_plan_without_graph_writes() {
    acceptance_tests::emulator_only!("a multi-tenant organization needs two emulated tenants");
    let env = EmulatorEnv::start();
    let harness = env.harness();
    let writes = env.writes();
    let cases = [
        (
            r#"resource "entra_multi_tenant_organization_tenant" "x" {
  tenant_id    = "not-a-guid"
  display_name = "X"
}"#,
            "tenant_id",
        ),
        (
            r#"resource "entra_multi_tenant_organization_tenant" "x" {
  tenant_id    = "6babcaad-604b-40ac-a9d7-9fd97c0b779f"
  display_name = "X"
  role         = "administrator"
}"#,
            "role",
        ),
        (
            r#"resource "entra_multi_tenant_organization_join_request" "x" {
  added_by_tenant_id = "contoso.com"
}"#,
            "added_by_tenant_id",
        ),
        (
            r#"resource "entra_multi_tenant_organization_partner_template" "x" {
  template_application_level = ["allPartners"]
}"#,
            "template_application_level",
        ),
        (
            r#"resource "entra_multi_tenant_organization_identity_sync_template" "x" {
  template_application_level = ["newPartners", "nobody"]
}"#,
            "template_application_level",
        ),
        (
            r#"resource "entra_multi_tenant_organization_partner_template" "x" {
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "sometimes"
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
  }
}"#,
            "access_type",
        ),
    ];
    let mut case = harness.test_case();
    for (config, pattern) in cases {
        case = case.step(Step::expect_error(config, pattern));
    }
    case.run();
    env.assert_no_writes_since(writes, "an invalid multi-tenant organization configuration");
}

#[test]
fn faults_converge() {
    acceptance_tests::emulator_only!("a multi-tenant organization needs two emulated tenants");
    let env = Arc::new(EmulatorEnv::start());
    // Slower transitions than the default, and throttling plus gateway failures on a share of the requests.
    env.emulator().set_mto_settings(MtoSettings { delay_ms: 1500, ..env.emulator().mto_settings() });
    env.emulator().set_faults(Faults {
        throttle: Some(Throttle::every_nth(5, 0)),
        service_unavailable: Some(ServerErrorFault::every_nth(7)),
        ..Faults::none()
    });
    let harness = env.managed_harness(&provider_binary_dir());
    harness
        .test_case()
        .step(Step::config(flow(&env, "Contoso group", true)).check(StateCheck::attr(JOIN, "member_state", "active")))
        .run();
    let stats = env.stats();
    assert!(stats.throttled > 0, "the faults were injected: {:?}", stats.by_route);
}

#[test]
fn a_failed_join_reads_as_gone_with_graphs_details() {
    acceptance_tests::emulator_only!("a multi-tenant organization needs two emulated tenants");
    let env = Arc::new(EmulatorEnv::start());
    let harness = env.managed_harness(&provider_binary_dir());
    // Contoso is no owner of any organization, so Graph fails the join (B.5's first cause).
    let join = |wait: bool| {
        format!(
            r#"{providers}
resource "entra_multi_tenant_organization_join_request" "member" {{
  provider           = entra.member
  added_by_tenant_id = "{contoso}"
  wait_for_active    = {wait}
}}
"#,
            providers = providers(&env),
            contoso = tenants::CONTOSO,
        )
    };
    let gone_env = Arc::clone(&env);
    harness
        .test_case()
        // Waiting for it: the apply fails with Graph's details, and nothing is kept.
        .step(Step::expect_error(join(true), "Joining the multi-tenant organization failed").on_apply())
        // Not waiting: the apply succeeds (Graph accepted the request); once Graph fails the join, it reads as gone
        // with a warning, and the plan proposes joining again.
        .step(Step::config(join(false)).expect_non_empty_plan())
        .step(Step::run(move |workdir| {
            let env = gone_env;
            env.emulator().complete_mto_transitions();
            let (output, plan) = workdir.plan(&[]);
            let plan = plan.unwrap_or_else(|| panic!("plan failed:\n{output}"));
            assert!(output.combined().contains("Joining the multi-tenant organization failed"), "{output}");
            assert_eq!(plan.actions(JOIN), ["create"], "{output}");
        }))
        .run();
}

/// The member's entry as the owner's view lists it (null when it is not listed).
fn listed_member(env: &EmulatorEnv, member: &str) -> Json {
    let view = env.emulator().first_tenant().multi_tenant_organization();
    view["tenants"]
        .as_array()
        .and_then(|tenants| tenants.iter().find(|t| t["tenantId"] == json!(member)))
        .cloned()
        .unwrap_or(Json::Null)
}

#[test]
fn a_join_not_waited_for_plans_empty_while_pending_and_after_it_completes() {
    acceptance_tests::emulator_only!("a multi-tenant organization needs two emulated tenants");
    let env = Arc::new(EmulatorEnv::start());
    // Long enough that the join is still being processed through the apply and both plans after it.
    env.emulator().set_mto_settings(MtoSettings { delay_ms: 120_000, ..env.emulator().mto_settings() });
    let harness = env.managed_harness(&provider_binary_dir());
    let config = flow(&env, "Contoso group", true).replace("wait_for_active    = true", "wait_for_active    = false");
    let member = member_id(&env);
    let (pending_member, owner) = (member.clone(), owner_id(&env));
    let complete_env = Arc::clone(&env);
    let short_env = Arc::clone(&env);
    harness
        .test_case()
        // The apply returns once Graph accepted the join request; plans with and without refresh are empty while
        // Graph still processes it.
        .step(
            Step::config(config.clone())
                .check(StateCheck::attr(JOIN, "member_state", "pending"))
                .check(StateCheck::attr(TENANT, "state", "pending"))
                .check(graph(&env, "the join is still being processed", move |env| {
                    let entry = listed_member(env, &pending_member);
                    expect(
                        entry["state"] == json!("pending")
                            && entry["transitionDetails"]["desiredState"] == json!("active"),
                        || format!("member entry: {entry}"),
                    )?;
                    let partners = tenant_state(env, 0)["partners"].clone();
                    expect(partners.get(&pending_member).is_none(), || {
                        format!("no partner configuration before the join completes: {partners}")
                    })
                })),
        )
        // Graph completes the join: it creates partner configurations in both tenants that no resource manages.
        // The configuration that manages another partner (contoso) keeps an empty plan.
        .step(Step::run(move |workdir| {
            let env = complete_env;
            env.emulator().complete_mto_transitions();
            let created = tenant_state(&env, 0)["partners"][&member].clone();
            assert_eq!(created["isInMultiTenantOrganization"], json!(true), "the join created it: {created}");
            assert_eq!(tenant_state(&env, 1)["partners"][&owner]["isInMultiTenantOrganization"], json!(true));
            workdir.plan_is_empty(true).expect("after the join completed");
        }))
        // A refresh records the completed join (read-only attributes only).
        .step(
            Step::config(config)
                .check(StateCheck::attr(JOIN, "member_state", "active"))
                .check(StateCheck::attr(TENANT, "state", "active")),
        )
        .step(Step::run(move |_| {
            short_env.emulator().set_mto_settings(MtoSettings { delay_ms: 300, ..short_env.emulator().mto_settings() });
        }))
        .run();
}

#[test]
fn destroying_a_tenant_waits_for_its_removal_and_the_organization_says_it_was_not_deleted() {
    acceptance_tests::emulator_only!("a multi-tenant organization needs two emulated tenants");
    let env = Arc::new(EmulatorEnv::start());
    env.emulator().set_mto_settings(MtoSettings { delay_ms: 3_000, ..env.emulator().mto_settings() });
    let harness = env.managed_harness(&provider_binary_dir());
    let organization_only = organization(&env);
    let member = member_id(&env);
    let removal_env = Arc::clone(&env);
    harness
        .test_case()
        .step(Step::config(owner_only(&env, "")).check(StateCheck::attr(TENANT, "state", "pending")))
        .step(Step::run(move |workdir| {
            let env = removal_env;
            // Removing the tenant from the configuration destroys it: the apply returns only once Graph no longer
            // lists the tenant (the removal takes the emulator's 3 s).
            workdir.write_config(&organization_only);
            let started = std::time::Instant::now();
            let output = workdir.apply();
            assert!(output.success(), "{output}");
            let entry = listed_member(&env, &member);
            assert!(entry.is_null(), "the apply returned before the removal completed: {entry}");
            assert!(started.elapsed() >= std::time::Duration::from_secs(2), "it waited for the removal");
            // Destroying the organization removes it from the state only, and says so and how organizations end.
            let output = workdir.destroy();
            assert!(output.success(), "{output}");
            let text = output.unwrapped();
            assert!(text.contains("The multi-tenant organization was not deleted"), "{text}");
            assert!(text.contains("An organization ends when its tenants leave it"), "{text}");
            assert!(workdir.state().addresses().is_empty(), "nothing left in the state");
            let view = env.emulator().first_tenant().multi_tenant_organization();
            assert_eq!(view["state"], json!("active"), "Graph still has the organization: {view}");
        }))
        .run();
}

#[test]
fn a_removal_that_outlasts_the_delete_timeout_fails_clearly_and_the_next_destroy_waits_for_it() {
    acceptance_tests::emulator_only!("a multi-tenant organization needs two emulated tenants");
    let env = Arc::new(EmulatorEnv::start());
    // The removal takes 15 s; the first destroy gives it 2 s, the second 90 s.
    env.emulator().set_mto_settings(MtoSettings { delay_ms: 15_000, ..env.emulator().mto_settings() });
    let harness = env.managed_harness(&provider_binary_dir());
    let with_delete_timeout = |timeout: &str| {
        organization_with_member(&env, &format!("  timeouts = {{\n    delete = \"{timeout}\"\n  }}\n"), "")
    };
    let (short, long) = (with_delete_timeout("2s"), with_delete_timeout("90s"));
    let member = member_id(&env);
    let removal_env = Arc::clone(&env);
    harness
        .test_case()
        .step(Step::config(short).check(StateCheck::attr(TENANT, "timeouts.delete", "2s")))
        .step(Step::run(move |workdir| {
            let env = removal_env;
            let deletes = || env.requests("DELETE /tenantRelationships/multiTenantOrganization/tenants/{id}");
            // The first destroy fails at its timeout, saying the removal goes on and what to do.
            let output = workdir.destroy();
            assert!(!output.success(), "{output}");
            let text = output.unwrapped();
            assert!(text.contains(&format!("Microsoft Entra is still removing tenant {member}")), "{text}");
            assert!(text.contains("did not complete within timeouts.delete (2s)"), "{text}");
            assert!(text.contains("run terraform destroy (or apply) again later"), "{text}");
            assert_eq!(deletes(), 1);
            // The tenant stays in the state while Graph removes it; a refresh warns instead of forgetting it.
            assert!(workdir.state().addresses().contains(&TENANT.to_owned()), "the tenant left the state");
            let entry = listed_member(&env, &member);
            assert_eq!(entry["transitionDetails"]["desiredState"], json!("removed"), "{entry}");
            workdir.write_config(&long);
            let output = workdir.apply();
            assert!(output.success(), "{output}");
            let text = output.unwrapped();
            assert!(text.contains(&format!("Tenant {member} is being removed from the multi-tenant")), "{text}");
            assert_eq!(deletes(), 1, "changing the timeout sends nothing to Graph");
            // The second destroy meets the removal under way (Graph refuses the repeated DELETE as "already being
            // added") and waits for it.
            let output = workdir.destroy();
            assert!(output.success(), "{output}");
            assert!(listed_member(&env, &member).is_null(), "Graph still lists the tenant");
            assert!(workdir.state().addresses().is_empty(), "nothing left in the state");
            assert_eq!(deletes(), 2);
        }))
        .run();
}

#[test]
fn drift_of_the_identity_sync_template_shows_and_converges() {
    acceptance_tests::emulator_only!("a multi-tenant organization needs two emulated tenants");
    let env = Arc::new(EmulatorEnv::start());
    let harness = env.managed_harness(&provider_binary_dir());
    let config = format!(
        r#"{providers}
resource "entra_multi_tenant_organization_identity_sync_template" "owner" {{
  provider = entra.owner
  user_sync_inbound = {{
    is_sync_allowed = true
  }}
  template_application_level = ["newPartners"]
}}
"#,
        providers = providers(&env)
    );
    let drift_env = Arc::clone(&env);
    harness
        .test_case()
        .step(Step::config(config.clone()).check(graph(&env, "Graph holds the template", |env| {
            let template = tenant_state(env, 0)["templates"]["multiTenantOrganizationIdentitySynchronization"].clone();
            expect(
                template["userSyncInbound"]["isSyncAllowed"] == json!(true)
                    && template["templateApplicationLevel"] == json!("newPartners"),
                || format!("template: {template}"),
            )
        })))
        // Changed in the portal: synchronization no longer allowed, applied to existing partners too.
        .step(Step::run(move |_| {
            let owner = drift_env.emulator().tenant(0).expect("owner");
            let mut templates = owner.state()["templates"].clone();
            let template = &mut templates["multiTenantOrganizationIdentitySynchronization"];
            template["userSyncInbound"]["isSyncAllowed"] = json!(false);
            template["templateApplicationLevel"] = json!("newPartners,existingPartners");
            owner.set_state(json!({ "templates": templates })).expect("drift the template");
        }))
        .step(
            Step::plan_only(config.clone())
                .plan_check(PlanCheck::actions(OWNER_SYNC_TEMPLATE, &["update"]))
                .plan_check(PlanCheck::before(OWNER_SYNC_TEMPLATE, "user_sync_inbound.is_sync_allowed", false))
                .plan_check(PlanCheck::before(
                    OWNER_SYNC_TEMPLATE,
                    "template_application_level",
                    json!(["existingPartners", "newPartners"]),
                ))
                .plan_check(PlanCheck::after(OWNER_SYNC_TEMPLATE, "user_sync_inbound.is_sync_allowed", true))
                .plan_check(PlanCheck::after(OWNER_SYNC_TEMPLATE, "template_application_level", json!(["newPartners"])))
                .expect_changes(),
        )
        .step(Step::config(config).check(graph(&env, "the template converged", |env| {
            let template = tenant_state(env, 0)["templates"]["multiTenantOrganizationIdentitySynchronization"].clone();
            expect(
                template["userSyncInbound"]["isSyncAllowed"] == json!(true)
                    && template["templateApplicationLevel"] == json!("newPartners"),
                || format!("template: {template}"),
            )
        })))
        .run();
}

#[test]
fn a_failed_role_change_warns_and_is_proposed_again() {
    acceptance_tests::emulator_only!("a multi-tenant organization needs two emulated tenants");
    let env = Arc::new(EmulatorEnv::start());
    let harness = env.managed_harness(&provider_binary_dir());
    let as_owner = joined(&env, "  role         = \"owner\"\n");
    let member = member_id(&env);
    let (failing_env, retry_env, done_env) = (Arc::clone(&env), Arc::clone(&env), Arc::clone(&env));
    let failed_member = member.clone();
    harness
        .test_case()
        .step(Step::config(joined(&env, "")).check(StateCheck::attr(JOIN, "member_state", "active")))
        // Graph accepts the role change and later fails it; until then the plans are empty.
        .step(Step::run(move |_| {
            let env = failing_env;
            env.emulator().set_mto_settings(MtoSettings {
                delay_ms: 120_000,
                role_change_failure: true,
                ..env.emulator().mto_settings()
            });
        }))
        .step(Step::config(as_owner.clone()).check(StateCheck::attr(TENANT, "role", "owner")))
        .step(Step::run(move |workdir| {
            let env = retry_env;
            env.emulator().complete_mto_transitions();
            let entry = listed_member(&env, &failed_member);
            assert_eq!(entry["transitionDetails"]["status"], json!("failed"), "{entry}");
            // The refresh warns with Graph's details and shows the role Graph holds, so the plan proposes the change
            // again.
            let (output, plan) = workdir.plan(&[]);
            let plan = plan.unwrap_or_else(|| panic!("plan failed:\n{output}"));
            let text = output.unwrapped();
            assert!(text.contains(&format!("could not complete a change of tenant {failed_member}")), "{text}");
            assert!(text.contains("could not be changed to owner"), "Graph's details: {text}");
            assert_eq!(plan.actions(TENANT), ["update"], "{text}");
            env.emulator().set_mto_settings(MtoSettings {
                delay_ms: 300,
                role_change_failure: false,
                ..env.emulator().mto_settings()
            });
        }))
        // Applying again requests the change once more, and this time Graph completes it.
        .step(Step::config(as_owner).check(graph(&env, "the role change was requested again", move |env| {
            env.emulator().complete_mto_transitions();
            let entry = listed_member(env, &member);
            expect(entry["role"] == json!("owner") && entry["transitionDetails"].is_null(), || {
                format!("member entry: {entry}")
            })
        })))
        .step(Step::run(move |_| {
            assert_eq!(done_env.requests("PATCH /tenantRelationships/multiTenantOrganization/tenants/{id}"), 2);
        }))
        .run();
}
