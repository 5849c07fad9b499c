//! Live mode's wiring, proven in the normal suite: an emulator poses as the real tenant, reached only the way a
//! live run reaches one (the `ARM_*` variables a user exports, its CA through `SSL_CERT_FILE`), and the live fixture
//! is built directly from that environment, as `ENTRA_ACC_LIVE=1` builds it from the process's.
//!
//! Running the whole suite live against the emulator would double its run time; instead, this test walks one live
//! test's life: preparing the tenant (leftovers of an interrupted run removed, the singletons saved and brought to
//! a fresh tenant's values), Terraform and out-of-band changes through Graph, and putting everything back.

use std::sync::Arc;

use acceptance_tests::entra::{Fixture, environment, tenants};
use acceptance_tests::{PlanCheck, StateCheck, Step};
use entra_graph_emulator::{Emulator, EmulatorConfig};
use serde_json::{Value as Json, json};

const PARTNER_PATCH: &str = "PATCH /policies/crossTenantAccessPolicy/partners/{id}";

const MANAGED: &str = r#"
resource "entra_cross_tenant_partner" "fabrikam" {
  tenant_id = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551"

  inbound_trust = {
    is_mfa_accepted = true
  }
}

resource "entra_cross_tenant_identity_sync" "fabrikam" {
  tenant_id    = entra_cross_tenant_partner.fabrikam.tenant_id
  display_name = "Fabrikam"
}

resource "entra_cross_tenant_default" "this" {
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "blocked"
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
    applications = {
      access_type = "blocked"
      targets     = [{ target = "AllApplications", target_type = "application" }]
    }
  }
}

resource "entra_cross_tenant_access_policy" "this" {
  allowed_cloud_endpoints = ["partner.microsoftonline.cn"]
}
"#;

#[test]
fn a_live_test_prepares_the_tenant_runs_through_graph_and_puts_the_tenant_back() {
    // Declared before the fixture, so that it outlives it even when the test fails.
    let emulator = Arc::new(Emulator::start(EmulatorConfig::default()).expect("start the emulator"));
    // The tenant as a live run finds it: an interrupted run's partner and policy, someone's real partner, a
    // customized default configuration and another cloud allowed.
    emulator.create_partner(json!({"tenantId": tenants::CONTOSO})).unwrap();
    emulator.put_identity_sync(tenants::CONTOSO, json!({"displayName": "left behind"})).unwrap();
    emulator.create_partner(json!({"tenantId": tenants::TRUESEC, "inboundTrust": {"isMfaAccepted": true}})).unwrap();
    let untouched_partner = emulator.partner(tenants::TRUESEC).unwrap();
    let mut customized = emulator.state()["default"].clone();
    customized["isServiceDefault"] = json!(false);
    customized["inboundTrust"]["isMfaAccepted"] = json!(true);
    customized["m365CollaborationOutbound"]["usersAndGroups"]["accessType"] = json!("blocked");
    let mut policy = emulator.state()["policy"].clone();
    policy["allowedCloudEndpoints"] = json!(["microsoftonline.us"]);
    emulator.set_state(json!({"default": customized, "policy": policy})).unwrap();

    let fixture = Arc::new(Fixture::live(environment(&emulator)));
    assert!(fixture.is_live() && fixture.emulated().is_none());
    assert_eq!(fixture.tenant_id(), emulator.tenant_id());
    // Prepared: the leftovers are gone, the other partner is not, and the singletons are a fresh tenant's.
    assert!(emulator.partner(tenants::CONTOSO).is_none() && emulator.identity_sync(tenants::CONTOSO).is_none());
    assert_eq!(emulator.partner(tenants::TRUESEC).as_ref(), Some(&untouched_partner));
    assert_eq!(emulator.state()["default"]["isServiceDefault"], true);
    assert_eq!(emulator.state()["policy"]["allowedCloudEndpoints"], json!([]));
    // The fixture reads through Graph what the emulator holds.
    assert_eq!(fixture.partner(tenants::TRUESEC).unwrap()["inboundTrust"]["isMfaAccepted"], true);
    assert_eq!(fixture.default_configuration()["isServiceDefault"], true);
    assert_eq!(fixture.default_domain(tenants::CONTOSO), "CONTOSO18839.onmicrosoft.com");

    let (f1, f2, f3) = (fixture.clone(), fixture.clone(), fixture.clone());
    let counted = Arc::new(emulator.stats().count(PARTNER_PATCH));
    let e1 = emulator.clone();
    fixture
        .harness()
        .test_case()
        .step(Step::config(MANAGED).check(StateCheck::custom("Graph holds what Terraform applied", move |_| {
            assert_eq!(f1.partner(tenants::FABRIKAM).unwrap()["inboundTrust"]["isMfaAccepted"], true);
            assert_eq!(f1.identity_sync(tenants::FABRIKAM).unwrap()["displayName"], "Fabrikam");
            assert_eq!(
                f1.default_configuration()["b2bCollaborationInbound"]["usersAndGroups"]["accessType"],
                "blocked"
            );
            assert_eq!(f1.policy()["allowedCloudEndpoints"], json!(["partner.microsoftonline.cn"]));
            Ok(())
        })))
        .step(Step::import("entra_cross_tenant_partner.fabrikam").id(fixture.default_domain(tenants::FABRIKAM)))
        .step(Step::run(move |_| {
            // Out of band, as the portal would: through Graph itself, so the emulator counts the request.
            f2.patch_partner(tenants::FABRIKAM, json!({"inboundTrust": null})).unwrap();
            f2.edit_default(|d| d["inboundTrust"]["isMfaAccepted"] = json!(true));
            assert_eq!(e1.stats().count(PARTNER_PATCH), *counted + 1, "the change went to Graph");
        }))
        .step(
            Step::plan_only(MANAGED)
                .plan_check(PlanCheck::actions("entra_cross_tenant_partner.fabrikam", &["update"]))
                .plan_check(PlanCheck::actions("entra_cross_tenant_default.this", &["update"])),
        )
        .step(Step::config(MANAGED))
        .step(Step::run(move |_| {
            // A test that fails half-way leaves a partner Terraform does not know.
            f3.create_partner(json!({"tenantId": tenants::CONTOSO})).unwrap();
        }))
        .run();

    // The destroy forgot the singletons (reset_on_destroy is false), so they still hold the test's values.
    assert_eq!(emulator.state()["policy"]["allowedCloudEndpoints"], json!(["partner.microsoftonline.cn"]));
    assert!(emulator.partner(tenants::CONTOSO).is_some());
    drop(fixture);

    // Dropping the fixture put everything back.
    let default = &emulator.state()["default"];
    assert_eq!(default["isServiceDefault"], false);
    assert_eq!(default["inboundTrust"]["isMfaAccepted"], true);
    assert_eq!(default["m365CollaborationOutbound"]["usersAndGroups"]["accessType"], "blocked");
    assert_eq!(default["b2bCollaborationInbound"]["usersAndGroups"]["accessType"], "allowed");
    assert_eq!(emulator.state()["policy"]["allowedCloudEndpoints"], json!(["microsoftonline.us"]));
    for tenant in [tenants::CONTOSO, tenants::FABRIKAM] {
        assert_eq!(emulator.partner(tenant), None::<Json>, "{tenant}");
    }
    assert_eq!(emulator.partner(tenants::TRUESEC).as_ref(), Some(&untouched_partner));
}

#[test]
fn live_fixtures_create_partners_only_for_the_documented_test_tenants() {
    let emulator = Emulator::start(EmulatorConfig::default()).expect("start the emulator");
    let fixture = Fixture::live(environment(&emulator));
    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        fixture.create_partner(json!({"tenantId": tenants::TRUESEC})).unwrap();
    }));
    assert!(refused.is_err());
    assert!(emulator.partner(tenants::TRUESEC).is_none());
    fixture.create_partner(json!({"tenantId": tenants::FABRIKAM})).unwrap();
    assert!(emulator.partner(tenants::FABRIKAM).is_some());
    drop(fixture);
    assert!(emulator.partner(tenants::FABRIKAM).is_none(), "dropping the fixture removes it");
}
