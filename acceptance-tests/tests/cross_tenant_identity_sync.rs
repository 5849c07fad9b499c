//! `entra_cross_tenant_identity_sync` with the real terraform binary against the Graph emulator.
//!
//! Every config step already checks that `plan` is empty afterwards, with and without refresh.
//!
//! Every test here is live-capable (`ENTRA_ACC_LIVE=1`), on the documented test partners (Contoso, Fabrikam).

use std::sync::Arc;

use acceptance_tests::entra::{EmulatorEnv, Fixture, tenants};
use acceptance_tests::{PlanCheck, StateCheck, Step};
use entra_graph_emulator::Faults;
use serde_json::{Value as Json, json};

const SYNC: &str = "entra_cross_tenant_identity_sync.contoso";
const PARTNER: &str = "entra_cross_tenant_partner.contoso";

/// A partner for `tenant` and its identity-sync policy (referencing the partner's tenant id), with `body` inside
/// the policy's block.
fn config(tenant: &str, body: &str) -> String {
    format!(
        r#"
resource "entra_cross_tenant_partner" "contoso" {{
  tenant_id = "{tenant}"

  automatic_user_consent_settings = {{
    inbound_allowed = true
  }}
}}

resource "entra_cross_tenant_identity_sync" "contoso" {{
  tenant_id = entra_cross_tenant_partner.contoso.tenant_id
{body}
}}
"#
    )
}

const ALLOWED: &str = r#"
  display_name = "Contoso"
  user_sync_inbound = {
    is_sync_allowed = true
  }
"#;

fn stored(env: &Fixture, tenant: &str) -> Json {
    env.identity_sync(tenant).unwrap_or_else(|| panic!("the emulator has no identity-sync policy for {tenant}"))
}

#[test]
fn create_update_remove_settings_import_and_destroy_in_order() {
    let env = Arc::new(Fixture::new());
    let (e1, e2, e3) = (env.clone(), env.clone(), env.clone());
    env.harness()
        .test_case()
        .step(
            Step::config(config(tenants::CONTOSO, ALLOWED))
                .plan_check(PlanCheck::actions(SYNC, &["create"]))
                .check(StateCheck::attr(SYNC, "id", tenants::CONTOSO))
                .check(StateCheck::attr(SYNC, "display_name", "Contoso"))
                .check(StateCheck::attr(SYNC, "user_sync_inbound.is_sync_allowed", true))
                .check(StateCheck::custom("Graph stores the policy", move |_| {
                    let policy = stored(&e1, tenants::CONTOSO);
                    assert_eq!(policy["displayName"], "Contoso");
                    assert_eq!(policy["userSyncInbound"]["isSyncAllowed"], true);
                    Ok(())
                })),
        )
        .step(Step::import(SYNC))
        .step(Step::import(SYNC).id(env.default_domain(tenants::CONTOSO)))
        .step(
            Step::config(config(
                tenants::CONTOSO,
                "  display_name = \"Contoso Ltd\"\n  user_sync_inbound = { is_sync_allowed = false }",
            ))
            .plan_check(PlanCheck::actions(SYNC, &["update"]))
            .plan_check(PlanCheck::actions(PARTNER, &["no-op"]))
            .check(StateCheck::attr(SYNC, "user_sync_inbound.is_sync_allowed", false)),
        )
        // Removing both settings sends explicit nulls.
        .step(
            Step::config(config(tenants::CONTOSO, ""))
                .plan_check(PlanCheck::actions(SYNC, &["update"]))
                .check(StateCheck::attr_null(SYNC, "display_name"))
                .check(StateCheck::attr_null(SYNC, "user_sync_inbound"))
                .check(StateCheck::custom("Graph holds the nulls", move |_| {
                    let policy = stored(&e2, tenants::CONTOSO);
                    assert_eq!(policy["displayName"], Json::Null);
                    assert_eq!(policy["userSyncInbound"]["isSyncAllowed"], Json::Null);
                    Ok(())
                })),
        )
        .step(Step::import(SYNC))
        .step(Step::config(config(tenants::CONTOSO, ALLOWED)))
        // The final destroy removes the policy first, then the partner (Graph refuses the other order).
        .check_destroy(move || match (e3.identity_sync(tenants::CONTOSO), e3.partner(tenants::CONTOSO)) {
            (None, None) => Ok(()),
            left => Err(format!("left behind after destroy: {left:?}")),
        })
        .run();
}

#[test]
fn deleted_out_of_band_is_planned_for_recreation() {
    let env = Arc::new(Fixture::new());
    let e = env.clone();
    let config = config(tenants::CONTOSO, ALLOWED);
    env.harness()
        .test_case()
        .step(Step::config(config.clone()))
        .step(Step::run(move |_| e.delete_identity_sync(tenants::CONTOSO).unwrap()))
        .step(
            Step::plan_only(config.clone())
                .plan_check(PlanCheck::actions(SYNC, &["create"]))
                .plan_check(PlanCheck::actions(PARTNER, &["no-op"])),
        )
        .step(Step::config(config))
        .run();
}

#[test]
fn drift_shows_and_apply_fixes_it() {
    let env = Arc::new(Fixture::new());
    let (e1, e2) = (env.clone(), env.clone());
    let config = config(tenants::CONTOSO, ALLOWED);
    env.harness()
        .test_case()
        .step(Step::config(config.clone()))
        .step(Step::run(move |_| {
            e1.patch_identity_sync(
                tenants::CONTOSO,
                json!({"displayName": "Renamed", "userSyncInbound": {"isSyncAllowed": false}}),
            )
            .unwrap();
        }))
        .step(
            Step::plan_only(config.clone())
                .plan_check(PlanCheck::actions(SYNC, &["update"]))
                .plan_check(PlanCheck::after(SYNC, "display_name", "Contoso"))
                .plan_check(PlanCheck::after(SYNC, "user_sync_inbound.is_sync_allowed", true)),
        )
        .step(Step::config(config).check(StateCheck::custom("apply restored the policy", move |_| {
            let policy = stored(&e2, tenants::CONTOSO);
            assert_eq!(policy["displayName"], "Contoso");
            assert_eq!(policy["userSyncInbound"]["isSyncAllowed"], true);
            Ok(())
        })))
        .run();
}

#[test]
fn changing_the_tenant_replaces_and_case_does_not() {
    let env = Arc::new(Fixture::new());
    let e = env.clone();
    let upper = tenants::CONTOSO.to_ascii_uppercase();
    env.harness()
        .test_case()
        .step(
            Step::config(config(&upper, ALLOWED))
                .check(StateCheck::attr(SYNC, "tenant_id", upper.as_str()))
                .check(StateCheck::attr(SYNC, "id", upper.as_str())),
        )
        .step(Step::import(SYNC).id(upper.clone()))
        .step(Step::config(config(tenants::CONTOSO, ALLOWED)).plan_check(PlanCheck::actions(SYNC, &["update"])))
        .step(
            Step::config(config(tenants::FABRIKAM, ALLOWED))
                .plan_check(PlanCheck::replaced(SYNC))
                .plan_check(PlanCheck::replaced(PARTNER))
                .check(StateCheck::custom("moved to the new partner", move |_| {
                    assert!(e.identity_sync(tenants::CONTOSO).is_none() && e.partner(tenants::CONTOSO).is_none());
                    assert!(e.identity_sync(tenants::FABRIKAM).is_some());
                    Ok(())
                })),
        )
        .run();
}

/// Someone else's policy is never overwritten by a create, under either reading of Graph's PUT: create-only (a
/// second PUT gets 409) or upsert (the metadata declares `UpdateMethod = PUT`, so a PUT could replace it with 204).
fn an_existing_policy_is_refused_with_how_to_import_it(put_upserts: bool) {
    let env = Fixture::new();
    env.create_partner(json!({"tenantId": tenants::FABRIKAM})).unwrap();
    env.put_identity_sync(tenants::FABRIKAM, json!({"displayName": "Fabrikam"})).unwrap();
    if put_upserts {
        let emulated = env.emulated().expect("the upsert reading is an emulator switch");
        emulated.emulator().set_faults(Faults { identity_sync_put_upserts: true, ..Faults::none() });
    }
    let config = format!(
        "resource \"entra_cross_tenant_identity_sync\" \"fabrikam\" {{\n  tenant_id = \"{}\"\n{ALLOWED}\n}}\n",
        tenants::FABRIKAM
    );
    env.harness()
        .test_case()
        .step(
            Step::expect_error(
                config,
                &format!(
                    "already exists.*terraform import entra_cross_tenant_identity_sync.NAME {}",
                    tenants::FABRIKAM
                ),
            )
            .on_apply(),
        )
        .run();
    let policy = env.identity_sync(tenants::FABRIKAM).unwrap();
    assert_eq!(policy["displayName"], "Fabrikam", "untouched");
    assert_eq!(policy["userSyncInbound"], Json::Null, "untouched");
}

#[test]
fn creating_an_existing_policy_says_how_to_import_it() {
    an_existing_policy_is_refused_with_how_to_import_it(false);
}

#[test]
fn creating_an_existing_policy_says_how_to_import_it_when_put_would_replace_it() {
    acceptance_tests::emulator_only!("the upsert reading of the PUT is an emulator switch");
    an_existing_policy_is_refused_with_how_to_import_it(true);
}

#[test]
fn a_policy_without_its_partner_says_to_create_the_partner_first() {
    let env = Fixture::new();
    let config = format!(
        "resource \"entra_cross_tenant_identity_sync\" \"osttra\" {{\n  tenant_id = \"{}\"\n{ALLOWED}\n}}\n",
        tenants::FABRIKAM
    );
    env.harness()
        .test_case()
        .step(
            Step::expect_error(
                config,
                "The partner configuration does not exist.*Create the partner first.*entra_cross_tenant_partner",
            )
            .on_apply(),
        )
        .run();
    assert!(env.identity_sync(tenants::FABRIKAM).is_none());
}

#[test]
fn invalid_tenant_ids_fail_at_validate_without_writes() {
    let env = Fixture::new();
    let before = env.writes();
    env.harness()
        .test_case()
        .step(
            Step::expect_error(
                "resource \"entra_cross_tenant_identity_sync\" \"x\" {\n  tenant_id = \"contoso.com\"\n}\n",
                "tenant_id must be a GUID",
            )
            .on_validate(),
        )
        .step(
            Step::expect_error(
                "resource \"entra_cross_tenant_identity_sync\" \"x\" {\n  tenant_id = \"6babcaad-604b-40ac-a9d7-9fd97c0b779f\"\n  user_sync_inbound = { is_sync_allowed = \"maybe\" }\n}\n",
                "is_sync_allowed",
            )
            .on_validate(),
        )
        .run();
    env.assert_no_writes_since(before, "invalid identity-sync configurations");
}

/// A role that may read partners "excluding identity synchronization settings" gets 403 for
/// `$expand=identitySynchronization`: partner plans still work (the listing goes without the expansion), the
/// identity sync resource reads through its own endpoint, and drift still shows.
#[test]
fn plans_work_when_graph_refuses_to_expand_identity_synchronization() {
    acceptance_tests::emulator_only!("the refused expansion is an emulator fault");
    let env = Arc::new(EmulatorEnv::start());
    env.emulator().set_faults(Faults { refuse_identity_sync_expand: true, ..Faults::none() });
    let (e1, e2) = (env.clone(), env.clone());
    let config = config(tenants::CONTOSO, ALLOWED);
    env.harness()
        .test_case()
        .step(
            Step::config(config.clone())
                .check(StateCheck::attr(SYNC, "display_name", "Contoso"))
                .check(StateCheck::attr(PARTNER, "automatic_user_consent_settings.inbound_allowed", true)),
        )
        .step(Step::run(move |_| {
            let stats = e1.stats();
            assert!(stats.errors_by_status.get(&403).is_some_and(|n| *n > 0), "the expansion was refused: {stats:?}");
            assert!(
                stats.count("GET /policies/crossTenantAccessPolicy/partners/{id}/identitySynchronization") > 0,
                "the policy was read through its own endpoint"
            );
            e1.emulator().patch_identity_sync(tenants::CONTOSO, json!({"displayName": "Renamed"})).unwrap();
        }))
        .step(
            Step::plan_only(config)
                .plan_check(PlanCheck::actions(SYNC, &["update"]))
                .plan_check(PlanCheck::actions(PARTNER, &["no-op"]))
                .plan_check(PlanCheck::after(SYNC, "display_name", "Contoso")),
        )
        .step(Step::import(PARTNER).config(format!(
            "resource \"entra_cross_tenant_partner\" \"contoso\" {{\n  tenant_id = \"{}\"\n  automatic_user_consent_settings = {{\n    inbound_allowed = true\n  }}\n}}\n",
            tenants::CONTOSO
        )))
        .run();
    assert!(e2.stats().count("GET /policies/crossTenantAccessPolicy/partners") > 0);
}
