//! `entra_cross_tenant_partner` with the real terraform binary against the Graph emulator.
//!
//! Every config step already checks that `plan` is empty afterwards, with and without refresh.
//!
//! Live-capable (`ENTRA_ACC_LIVE=1`) unless marked emulator-only; live tests use the documented test partners
//! (Contoso, Fabrikam) only, and request counts are checked on the emulator only.

use std::sync::Arc;

use acceptance_tests::entra::{EmulatorEnv, Fixture, tenants};
use acceptance_tests::{PlanCheck, StateCheck, Step};
use entra_graph_emulator::{FaultRule, Faults, Throttle};
use serde_json::{Value as Json, json};

const ADDRESS: &str = "entra_cross_tenant_partner.truesec";
const GROUP: &str = "6f546279-4da5-4b53-a095-09ea0cef9971";
const PARTNER_ROUTE: &str = "/policies/crossTenantAccessPolicy/partners/{id}";

/// A partner resource named `truesec` for `tenant`, with `body` inside the block.
fn partner(tenant: &str, body: &str) -> String {
    format!("resource \"entra_cross_tenant_partner\" \"truesec\" {{\n  tenant_id = \"{tenant}\"\n{body}\n}}\n")
}

const TRUST: &str = r#"
  inbound_trust = {
    is_mfa_accepted              = true
    is_compliant_device_accepted = true
  }
"#;

const INBOUND_ALL: &str = r#"
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "allowed"
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
    applications = {
      access_type = "allowed"
      targets     = [{ target = "AllApplications", target_type = "application" }]
    }
  }
"#;

fn outbound_group(group: &str) -> String {
    format!(
        r#"
  b2b_collaboration_outbound = {{
    users_and_groups = {{
      access_type = "allowed"
      targets     = [{{ target = "{group}", target_type = "group" }}]
    }}
    applications = {{
      access_type = "allowed"
      targets = [
        {{ target = "Office365", target_type = "application" }},
        {{ target = "00000012-0000-0000-c000-000000000000", target_type = "application" }},
      ]
    }}
  }}
"#
    )
}

fn stored(env: &Fixture, tenant: &str) -> Json {
    env.partner(tenant).unwrap_or_else(|| panic!("the emulator has no partner {tenant}"))
}

#[test]
fn create_update_revert_to_inherit_and_import_by_id_and_domain() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let (e1, e2, e3, e4) = (env.clone(), env.clone(), env.clone(), env.clone());
    let updated = partner(tenants::CONTOSO, &format!("{INBOUND_ALL}{}", outbound_group(GROUP)));
    harness
        .test_case()
        .step(
            Step::config(partner(tenants::CONTOSO, &format!("{TRUST}{INBOUND_ALL}")))
                .plan_check(PlanCheck::actions(ADDRESS, &["create"]))
                .plan_check(PlanCheck::after(ADDRESS, "id", tenants::CONTOSO))
                .plan_check(PlanCheck::unknown(ADDRESS, "is_service_provider"))
                .check(StateCheck::attr(ADDRESS, "id", tenants::CONTOSO))
                .check(StateCheck::attr(ADDRESS, "inbound_trust.is_mfa_accepted", true))
                .check(StateCheck::attr_null(ADDRESS, "inbound_trust.is_hybrid_azure_ad_joined_device_accepted"))
                .check(StateCheck::attr_null(ADDRESS, "automatic_user_consent_settings"))
                .check(StateCheck::attr_null(ADDRESS, "b2b_collaboration_outbound"))
                .check(StateCheck::attr(ADDRESS, "is_in_multi_tenant_organization", false))
                .check(StateCheck::custom("Graph stores the settings", move |_| {
                    let p = stored(&e1, tenants::CONTOSO);
                    assert_eq!(p["inboundTrust"]["isMfaAccepted"], true);
                    assert_eq!(p["b2bCollaborationInbound"]["usersAndGroups"]["targets"][0]["target"], "AllUsers");
                    assert_eq!(p["b2bCollaborationOutbound"], Json::Null, "not configured: inherited");
                    Ok(())
                })),
        )
        .step(Step::import(ADDRESS))
        .step(Step::import(ADDRESS).id(env.default_domain(tenants::CONTOSO)))
        .step(
            Step::config(updated)
                .plan_check(PlanCheck::actions(ADDRESS, &["update"]))
                .check(StateCheck::attr_null(ADDRESS, "inbound_trust"))
                .check(StateCheck::attr(ADDRESS, "b2b_collaboration_outbound.users_and_groups.targets.0.target", GROUP))
                .check(StateCheck::custom("removed settings are sent as explicit nulls", move |_| {
                    let p = stored(&e2, tenants::CONTOSO);
                    assert_eq!(p["inboundTrust"], Json::Null);
                    assert_eq!(p["b2bCollaborationOutbound"]["usersAndGroups"]["targets"][0]["target"], GROUP);
                    assert_eq!(p["b2bCollaborationOutbound"]["applications"]["targets"].as_array().unwrap().len(), 2);
                    Ok(())
                })),
        )
        .step(Step::import(ADDRESS))
        .step(Step::run(move |_| {
            if let Some(emulated) = e3.emulated() {
                emulated.emulator().reset_stats();
            }
        }))
        .step(
            Step::config(partner(tenants::CONTOSO, ""))
                .plan_check(PlanCheck::actions(ADDRESS, &["update"]))
                .check(StateCheck::attr_null(ADDRESS, "b2b_collaboration_inbound"))
                .check(StateCheck::custom(
                    "reverting to inherit PATCHes only the changed settings, as null",
                    move |_| {
                        let p = stored(&e4, tenants::CONTOSO);
                        for property in ["inboundTrust", "b2bCollaborationInbound", "b2bCollaborationOutbound"] {
                            assert_eq!(p[property], Json::Null, "{property}");
                        }
                        if let Some(e4) = e4.emulated() {
                            assert_eq!(e4.requests(&format!("PATCH {PARTNER_ROUTE}")), 1, "{:?}", e4.stats().by_route);
                            assert_eq!(e4.requests("POST /policies/crossTenantAccessPolicy/partners"), 0);
                        }
                        Ok(())
                    },
                )),
        )
        .check_destroy({
            let env = env.clone();
            move || match env.partner(tenants::CONTOSO) {
                None => Ok(()),
                Some(p) => Err(format!("the partner still exists after destroy: {p}")),
            }
        })
        .run();
}

#[test]
fn every_setting_round_trips_and_imports() {
    let env = Fixture::new();
    // Every v1.0 setting of the partner, with keywords and ids (graph-api.md §5.3). Tenant restrictions devices
    // are left out: Microsoft documents them as unsupported server-side.
    let body = format!(
        r#"{TRUST}
  automatic_user_consent_settings = {{
    inbound_allowed  = true
    outbound_allowed = false
  }}
{INBOUND_ALL}{}
  b2b_direct_connect_inbound = {{
    users_and_groups = {{
      access_type = "allowed"
      targets     = [{{ target = "AllUsers", target_type = "user" }}]
    }}
    applications = {{
      access_type = "allowed"
      targets     = [{{ target = "Office365", target_type = "application" }}]
    }}
  }}
  b2b_direct_connect_outbound = {{
    users_and_groups = {{
      access_type = "blocked"
      targets     = [{{ target = "AllUsers", target_type = "user" }}]
    }}
    applications = {{
      access_type = "blocked"
      targets     = [{{ target = "AllApplications", target_type = "application" }}]
    }}
  }}
  tenant_restrictions = {{
    users_and_groups = {{
      access_type = "allowed"
      targets     = [{{ target = "AllUsers", target_type = "user" }}]
    }}
    applications = {{
      access_type = "allowed"
      targets     = [{{ target = "Office365", target_type = "application" }}]
    }}
  }}
  m365_collaboration_inbound = {{
    users = {{
      access_type = "allowed"
      targets     = [{{ target = "AllUsers", target_type = "user" }}]
    }}
  }}
  m365_collaboration_outbound = {{
    users_and_groups = {{
      access_type = "allowed"
      targets     = [{{ target = "{GROUP}", target_type = "group" }}]
    }}
  }}
  app_service_connect_inbound = {{
    applications = {{
      access_type = "blocked"
      targets     = [{{ target = "AllApplications", target_type = "application" }}]
    }}
  }}
"#,
        outbound_group(GROUP)
    );
    let config = partner(tenants::CONTOSO, &body);
    let check_env = Arc::new(env);
    let e = check_env.clone();
    check_env
        .harness()
        .test_case()
        .step(
            Step::config(config)
                .check(StateCheck::attr(ADDRESS, "automatic_user_consent_settings.outbound_allowed", false))
                .check(StateCheck::attr(ADDRESS, "m365_collaboration_inbound.users.access_type", "allowed"))
                .check(StateCheck::custom("every setting reached Graph", move |_| {
                    let p = stored(&e, tenants::CONTOSO);
                    for property in [
                        "inboundTrust",
                        "automaticUserConsentSettings",
                        "b2bCollaborationInbound",
                        "b2bCollaborationOutbound",
                        "b2bDirectConnectInbound",
                        "b2bDirectConnectOutbound",
                        "tenantRestrictions",
                        "m365CollaborationInbound",
                        "m365CollaborationOutbound",
                        "appServiceConnectInbound",
                    ] {
                        assert!(p[property].is_object(), "{property}: {p}");
                    }
                    assert_eq!(p["m365CollaborationInbound"]["users"]["accessType"], "allowed");
                    Ok(())
                })),
        )
        .step(Step::import(ADDRESS))
        .run();
}

#[test]
fn deleted_out_of_band_is_planned_for_recreation() {
    let env = Arc::new(Fixture::new());
    let config = partner(tenants::CONTOSO, TRUST);
    let e = env.clone();
    env.harness()
        .test_case()
        .step(Step::config(config.clone()))
        .step(Step::run(move |_| e.delete_partner(tenants::CONTOSO).unwrap()))
        .step(Step::plan_only(config.clone()).plan_check(PlanCheck::actions(ADDRESS, &["create"])))
        .step(Step::config(config).check(StateCheck::attr(ADDRESS, "inbound_trust.is_mfa_accepted", true)))
        .run();
    assert!(env.partner(tenants::CONTOSO).is_none(), "destroyed at the end");
}

#[test]
fn drift_in_a_setting_shows_and_apply_fixes_it() {
    let env = Arc::new(Fixture::new());
    let config = partner(tenants::CONTOSO, &format!("{TRUST}{}", outbound_group(GROUP)));
    let (e1, e2, e3) = (env.clone(), env.clone(), env.clone());
    env.harness()
        .test_case()
        .step(Step::config(config.clone()))
        .step(Step::run(move |_| {
            // Someone changes the trust settings, adds a setting and swaps the group in the portal.
            e1.patch_partner(
                    tenants::CONTOSO,
                    json!({
                        "inboundTrust": {"isMfaAccepted": false, "isCompliantDeviceAccepted": true, "isHybridAzureADJoinedDeviceAccepted": null},
                        "tenantRestrictions": {"usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                                               "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]},
                                               "devices": null}
                    }),
                )
                .unwrap();
        }))
        .step(
            Step::plan_only(config.clone())
                .plan_check(PlanCheck::actions(ADDRESS, &["update"]))
                .plan_check(PlanCheck::after(ADDRESS, "inbound_trust.is_mfa_accepted", true))
                .plan_check(PlanCheck::after(ADDRESS, "tenant_restrictions", Json::Null)),
        )
        .step(Step::run(move |_| {
            // A consent setting appearing out of band is drift too (object of nulls is not).
            e2.patch_partner(tenants::CONTOSO, json!({"automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": null}}))
                .unwrap();
        }))
        .step(
            Step::plan_only(config.clone())
                .plan_check(PlanCheck::after(ADDRESS, "automatic_user_consent_settings", Json::Null)),
        )
        .step(Step::config(config).check(StateCheck::custom("apply restored the configuration", move |_| {
            let p = stored(&e3, tenants::CONTOSO);
            assert_eq!(p["inboundTrust"]["isMfaAccepted"], true);
            assert_eq!(p["tenantRestrictions"], Json::Null);
            assert_eq!(p["automaticUserConsentSettings"]["inboundAllowed"], Json::Null, "back to inherit");
            Ok(())
        })))
        .run();
}

#[test]
fn changing_the_tenant_replaces_and_case_does_not() {
    let env = Arc::new(Fixture::new());
    let upper = tenants::CONTOSO.to_ascii_uppercase();
    let upper_group = GROUP.to_ascii_uppercase();
    let (e1, e2, e3) = (env.clone(), env.clone(), env.clone());
    let writes = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let w1 = writes.clone();
    env.harness()
        .test_case()
        // Upper-case GUIDs in the configuration: Graph stores lower case, and the plans stay empty.
        .step(
            Step::config(partner(&upper, &outbound_group(&upper_group)))
                .check(StateCheck::attr(ADDRESS, "tenant_id", upper.as_str()))
                .check(StateCheck::attr(ADDRESS, "id", upper.as_str()))
                .check(StateCheck::attr(
                    ADDRESS,
                    "b2b_collaboration_outbound.users_and_groups.targets.0.target",
                    upper_group.as_str(),
                ))
                .check(StateCheck::custom("Graph holds the partner", move |_| {
                    assert!(e1.partner(tenants::CONTOSO).is_some());
                    w1.store(e1.writes().unwrap_or_default(), std::sync::atomic::Ordering::SeqCst);
                    Ok(())
                })),
        )
        .step(Step::import(ADDRESS).id(upper.clone()))
        // Graph answers lower case (as the real service does): Read keeps the configuration's spelling.
        .step(Step::run({
            let e = env.clone();
            move |_| {
                let mut outbound = e.partner(tenants::CONTOSO).unwrap()["b2bCollaborationOutbound"].clone();
                outbound["usersAndGroups"]["targets"][0]["target"] = json!(GROUP);
                e.patch_partner(tenants::CONTOSO, json!({"b2bCollaborationOutbound": outbound})).unwrap();
            }
        }))
        .step(Step::plan_only(partner(&upper, &outbound_group(&upper_group))).expect_empty())
        // Only the spelling of the tenant id changes: an in-place update that sends nothing to Graph.
        .step(
            Step::config(partner(tenants::CONTOSO, &outbound_group(&upper_group)))
                .plan_check(PlanCheck::actions(ADDRESS, &["update"]))
                .check(StateCheck::attr(ADDRESS, "id", tenants::CONTOSO))
                .check(StateCheck::custom("no Graph write for a change of case", move |_| {
                    assert_eq!(e2.writes().unwrap_or_default(), writes.load(std::sync::atomic::Ordering::SeqCst));
                    Ok(())
                })),
        )
        // Another tenant: replacement.
        .step(
            Step::config(partner(tenants::FABRIKAM, &outbound_group(GROUP)))
                .plan_check(PlanCheck::replaced(ADDRESS))
                .check(StateCheck::custom("the old partner is deleted and the new one created", move |_| {
                    assert!(e3.partner(tenants::CONTOSO).is_none());
                    assert!(e3.partner(tenants::FABRIKAM).is_some());
                    Ok(())
                })),
        )
        .run();
}

#[test]
fn consent_settings_of_nulls_cause_no_diff() {
    let env = Fixture::new();
    env.harness()
        .test_case()
        // Graph answers an object of nulls for unset consent: with the setting left out, the state says null.
        .step(
            Step::config(partner(tenants::CONTOSO, ""))
                .check(StateCheck::attr_null(ADDRESS, "automatic_user_consent_settings")),
        )
        // Written as an empty object, it stays an object of nulls.
        .step(
            Step::config(partner(tenants::CONTOSO, "  automatic_user_consent_settings = {}"))
                .check(StateCheck::attr_set(ADDRESS, "automatic_user_consent_settings"))
                .check(StateCheck::attr_null(ADDRESS, "automatic_user_consent_settings.inbound_allowed")),
        )
        .step(Step::config(partner(
            tenants::CONTOSO,
            "  automatic_user_consent_settings = {\n    inbound_allowed  = null\n    outbound_allowed = null\n  }",
        )))
        .step(
            Step::config(partner(tenants::CONTOSO, "  automatic_user_consent_settings = { inbound_allowed = true }"))
                .check(StateCheck::attr(ADDRESS, "automatic_user_consent_settings.inbound_allowed", true)),
        )
        .step(Step::import(ADDRESS))
        .run();
}

#[test]
fn values_unknown_at_plan_time_are_validated_at_apply() {
    acceptance_tests::emulator_only!("checks Graph's request log by route");
    let env = EmulatorEnv::start();
    let harness = env.harness();
    let unknown_tenant = |tenant: &str| {
        format!(
            r#"
resource "terraform_data" "tenant" {{
  input = "{tenant}"
}}

resource "entra_cross_tenant_partner" "truesec" {{
  tenant_id = terraform_data.tenant.output
{INBOUND_ALL}
}}
"#
        )
    };
    let unknown_target = r#"
resource "terraform_data" "group" {
  input = "not-a-group-id"
}

resource "entra_cross_tenant_partner" "truesec" {
  tenant_id = "07d2f395-f69c-43ab-88a2-b82f1151042d"
  b2b_collaboration_outbound = {
    users_and_groups = {
      access_type = "allowed"
      targets     = [{ target = terraform_data.group.output, target_type = "group" }]
    }
  }
}
"#;
    let before = env.writes();
    let mut workdir = harness.workdir();
    for (config, pattern) in [
        (unknown_tenant("not-a-guid"), "tenant_id must be a GUID"),
        (unknown_target.to_owned(), "b2b_collaboration_outbound.users_and_groups.targets: \"not-a-group-id\" must be"),
    ] {
        workdir.write_config(&config);
        let (plan_output, plan) = workdir.plan(&[]);
        assert!(plan.is_some(), "the unknown value passes the plan:\n{plan_output}");
        let output = workdir.apply();
        assert!(!output.success(), "apply must fail:\n{output}");
        let text = output.unwrapped();
        assert!(text.contains(pattern), "expected {pattern:?} in:\n{output}");
    }
    let partner_writes = env
        .stats()
        .by_route
        .iter()
        .filter(|(route, _)| !route.starts_with("GET") && route.contains("partners"))
        .count();
    assert_eq!(partner_writes, 0, "{:?}", env.stats().by_route);
    assert_eq!(env.writes(), before);
    workdir.write_config(&unknown_tenant(tenants::TRUESEC));
    workdir.apply().expect_success();
    assert!(env.partner(tenants::TRUESEC).is_some());
    workdir.plan_is_empty(true).unwrap();
    workdir.destroy().expect_success();
}

#[test]
fn timeouts_are_validated_and_changing_them_sends_nothing() {
    let env = Arc::new(Fixture::new());
    let with_timeouts = |create: &str| {
        partner(
            tenants::CONTOSO,
            &format!("{TRUST}\n  timeouts = {{\n    create = \"{create}\"\n    read = \"2m\"\n  }}"),
        )
    };
    let writes = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (w1, w2) = (writes.clone(), writes);
    let (e1, e2) = (env.clone(), env.clone());
    env.harness()
        .test_case()
        .step(
            Step::expect_error(with_timeouts("5 minutes"), r"timeouts\.create: \x225 minutes\x22 is not a duration")
                .on_validate(),
        )
        .step(Step::expect_error(with_timeouts("0s"), r"timeouts\.create: .*leaves no time").on_validate())
        .step(Step::config(with_timeouts("1m")).check(StateCheck::attr(ADDRESS, "timeouts.create", "1m")).check(
            StateCheck::custom("remember the writes", move |_| {
                w1.store(e1.writes().unwrap_or_default(), std::sync::atomic::Ordering::SeqCst);
                Ok(())
            }),
        ))
        .step(Step::config(with_timeouts("1h30m")).plan_check(PlanCheck::actions(ADDRESS, &["update"])).check(
            StateCheck::custom("no Graph write for a timeouts change", move |_| {
                assert_eq!(e2.writes().unwrap_or_default(), w2.load(std::sync::atomic::Ordering::SeqCst));
                Ok(())
            }),
        ))
        // Import leaves timeouts null; the comparison ignores them.
        .step(Step::import(ADDRESS).skip_plan_check())
        .run();
}

#[test]
fn creating_an_existing_partner_says_how_to_import_it() {
    let env = Fixture::new();
    env.create_partner(json!({"tenantId": tenants::CONTOSO})).unwrap();
    let config = partner(tenants::CONTOSO, TRUST);
    env.harness()
        .test_case()
        .step(
            Step::expect_error(
                config,
                &format!(
                    "already exists.*terraform import entra_cross_tenant_partner.NAME {t}.*import \\{{ to = entra_cross_tenant_partner.NAME id = \"{t}\" \\}}",
                    t = tenants::CONTOSO
                ),
            )
            .on_apply(),
        )
        .run();
    let p = env.partner(tenants::CONTOSO).expect("the existing partner is untouched");
    assert_eq!(p["inboundTrust"], Json::Null);
}

#[test]
fn a_service_provider_partner_is_never_deleted() {
    acceptance_tests::emulator_only!("a service-provider partner, which only Microsoft can make");
    let env = EmulatorEnv::start();
    env.emulator().add_service_provider_partner(tenants::FABRIKAM).unwrap();
    let harness = env.harness();
    let mut workdir = harness.workdir();
    let config = "resource \"entra_cross_tenant_partner\" \"csp\" {\n  tenant_id = \"9c5d131d-b1c3-4fc4-9e3f-c6557947d551\"\n}\n";
    workdir.write_config(config);
    workdir.import("entra_cross_tenant_partner.csp", tenants::FABRIKAM).expect_success();
    let state = workdir.state();
    assert_eq!(state.attr("entra_cross_tenant_partner.csp", "is_service_provider"), Some(&Json::Bool(true)));
    workdir.plan_is_empty(true).unwrap();

    let before = env.writes();
    let output = workdir.destroy();
    assert!(!output.success(), "{output}");
    let text = output.unwrapped();
    assert!(text.contains("cannot be deleted") && text.contains("terraform state rm"), "{output}");
    assert!(text.contains("removed {"), "{output}");
    env.assert_no_writes_since(before, "refusing to destroy a service provider");
    assert!(env.partner(tenants::FABRIKAM).is_some());

    workdir.terraform(&["state", "rm", "entra_cross_tenant_partner.csp"]).expect_success();
    assert!(env.partner(tenants::FABRIKAM).is_some(), "state rm leaves the partner alone");
}

#[test]
fn the_service_provider_guard_also_holds_when_the_state_does_not_know() {
    acceptance_tests::emulator_only!("a service-provider partner, which only Microsoft can make");
    let env = EmulatorEnv::start();
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&partner(tenants::FABRIKAM, TRUST));
    workdir.apply().expect_success();
    // Microsoft makes the partner a Cloud Solution Provider after Terraform created it.
    let mut stored = env.partner(tenants::FABRIKAM).unwrap();
    stored["isServiceProvider"] = Json::Bool(true);
    env.emulator().delete_partner(tenants::FABRIKAM).unwrap();
    env.emulator().create_partner(stored).unwrap();

    // Without a refresh, the state still says it is not one: the apply-time check refuses.
    let before = env.writes();
    let output = workdir.terraform(&["destroy", "-input=false", "-no-color", "-auto-approve", "-refresh=false"]);
    assert!(!output.success(), "{output}");
    assert!(output.combined().contains("A service provider's partner configuration cannot be deleted"), "{output}");
    env.assert_no_writes_since(before, "refusing to delete a service provider");
    assert!(env.partner(tenants::FABRIKAM).is_some());
    workdir.terraform(&["state", "rm", "entra_cross_tenant_partner.truesec"]).expect_success();
}

#[test]
fn deleting_a_partner_with_an_unmanaged_sync_policy_fails_clearly_and_loses_nothing() {
    let env = Arc::new(Fixture::new());
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&partner(tenants::CONTOSO, "  automatic_user_consent_settings = { inbound_allowed = true }"));
    workdir.apply().expect_success();
    env.put_identity_sync(
        tenants::CONTOSO,
        json!({"displayName": "Contoso", "userSyncInbound": {"isSyncAllowed": true}}),
    )
    .unwrap();

    let output = workdir.destroy();
    assert!(!output.success(), "{output}");
    let text = output.unwrapped();
    assert!(text.contains("identity synchronization policy"), "{output}");
    assert!(text.contains("entra_cross_tenant_identity_sync"), "{output}");
    assert!(env.partner(tenants::CONTOSO).is_some() && env.identity_sync(tenants::CONTOSO).is_some(), "nothing lost");
    assert_eq!(workdir.state().addresses(), ["entra_cross_tenant_partner.truesec"], "still tracked");

    env.delete_identity_sync(tenants::CONTOSO).unwrap();
    workdir.destroy().expect_success();
    assert!(env.partner(tenants::CONTOSO).is_none());
}

#[test]
fn transient_failures_and_replication_lag_are_retried_through_terraform() {
    acceptance_tests::emulator_only!("fault injection");
    let env = Arc::new(EmulatorEnv::start());
    env.emulator().set_faults(Faults {
        // Every third request is throttled (Retry-After: 0 keeps the test fast), writes become visible only after
        // a lag, and the first two partner writes meet a 503.
        throttle: Some(Throttle::every_nth(3, 0)),
        read_after_write_lag_ms: 150,
        service_unavailable: Some(entra_graph_emulator::ServerErrorFault {
            rule: FaultRule::first_n(2).for_method("PATCH"),
            retry_after: entra_graph_emulator::RetryAfter::Omit,
        }),
        ..Faults::default()
    });
    let e = env.clone();
    env.harness()
        .test_case()
        .step(Step::config(partner(tenants::TRUESEC, TRUST)))
        .step(Step::config(partner(tenants::TRUESEC, INBOUND_ALL)).check(StateCheck::custom(
            "the faults happened and were retried",
            move |_| {
                let stats = e.stats();
                assert!(stats.throttled > 0, "{stats:?}");
                assert!(stats.status_count(503) > 0, "{stats:?}");
                Ok(())
            },
        )))
        .step(Step::import(ADDRESS))
        .run();
}

#[test]
fn plans_over_many_partners_share_one_listing() {
    acceptance_tests::emulator_only!("made-up partner tenants and the request log");
    let mut env = EmulatorEnv::with_config(entra_graph_emulator::EmulatorConfig::default().with_page_size(3));
    // The provider asks for pages of 999 by default; pages of three make the listing page.
    env.set_env("ENTRA_PARTNER_PAGE_SIZE", Some("3"));
    let env = Arc::new(env);
    let ids: Vec<String> = (0..8).map(|n| format!("{n:08x}-1111-4222-8333-444444444444")).collect();
    let config: String = ids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            format!("resource \"entra_cross_tenant_partner\" \"p{n}\" {{\n  tenant_id = \"{id}\"\n{TRUST}\n}}\n")
        })
        .collect();
    let e = env.clone();
    env.harness()
        .test_case()
        .step(Step::config(config))
        .step(Step::run(move |workdir| {
            e.emulator().reset_stats();
            workdir.plan_is_empty(true).unwrap();
            let stats = e.stats();
            assert_eq!(stats.count(&format!("GET {PARTNER_ROUTE}")), 0, "{:?}", stats.by_route);
            let listings = stats.count("GET /policies/crossTenantAccessPolicy/partners");
            assert_eq!(listings, 3, "one listing of 8 partners in pages of 3: {:?}", stats.by_route);
        }))
        .run();
}

/// One outbound B2B collaboration setting with these two parts.
fn collaboration_outbound(users: &str, apps: &str) -> String {
    format!("\n  b2b_collaboration_outbound = {{\n    users_and_groups = {users}\n    applications = {apps}\n  }}\n")
}

const RMS_WARNING: &str = "Warning: Encrypted mail and documents from the partner will be unreadable";

/// The Rights Management Services warning (interface.md §6): it fires once where users can go outbound and the
/// applications leave the app out; its advice, applied, validates and silences it; Microsoft's own default outbound
/// settings written out explicitly (as `terraform plan -generate-config-out` writes them) never trigger it; and R1
/// stays an error.
#[test]
fn rights_management_warning_where_it_matters_its_advice_and_r1_at_plan() {
    let env = Fixture::new();
    let harness = env.harness();
    let mut workdir = harness.workdir();
    let plan_text = |workdir: &mut acceptance_tests::WorkDir, body: &str| {
        workdir.write_config(&partner(tenants::FABRIKAM, body));
        let (output, plan) = workdir.plan(&[]);
        assert!(plan.is_some(), "a warning does not fail the plan:\n{output}");
        output.unwrapped()
    };
    let all_users = r#"{ access_type = "allowed", targets = [{ target = "AllUsers", target_type = "user" }] }"#;

    // Users allowed outbound, only Office 365 allowed: warned once, with a fix to copy.
    let office_only =
        r#"{ access_type = "allowed", targets = [{ target = "Office365", target_type = "application" }] }"#;
    let text = plan_text(&mut workdir, &collaboration_outbound(all_users, office_only));
    assert_eq!(text.matches(RMS_WARNING).count(), 1, "exactly one warning:\n{text}");
    assert!(text.contains("b2b_collaboration_outbound.applications allows only listed applications"), "{text}");
    let advice = r#"applications = { access_type = "allowed", targets = [{ target = "Office365", target_type = "application" }, { target = "00000012-0000-0000-c000-000000000000", target_type = "application" }] }"#;
    assert!(text.contains(advice), "{text}");

    // The advice, applied as written: valid, and no warning.
    let advised = advice.trim_start_matches("applications = ");
    let text = plan_text(&mut workdir, &collaboration_outbound(all_users, advised));
    assert!(!text.contains("Warning:") && !text.contains("Error:"), "{text}");

    // Microsoft's defaults, written out explicitly: collaboration allows everyone everything, direct connect blocks
    // everyone and everything. No warning.
    let all_apps =
        r#"{ access_type = "allowed", targets = [{ target = "AllApplications", target_type = "application" }] }"#;
    let no_users = r#"{ access_type = "blocked", targets = [{ target = "AllUsers", target_type = "user" }] }"#;
    let no_apps =
        r#"{ access_type = "blocked", targets = [{ target = "AllApplications", target_type = "application" }] }"#;
    let defaults = format!(
        "{}\n  b2b_direct_connect_outbound = {{\n    users_and_groups = {no_users}\n    applications = {no_apps}\n  }}\n",
        collaboration_outbound(all_users, all_apps)
    );
    let text = plan_text(&mut workdir, &defaults);
    assert!(!text.contains("Warning:"), "Microsoft's defaults warn about nothing:\n{text}");

    // R1: blocking all users but allowing applications is an error, and no write reaches Graph.
    workdir.write_config(&partner(tenants::FABRIKAM, &collaboration_outbound(no_users, all_apps)));
    let (output, plan) = workdir.plan(&[]);
    assert!(plan.is_none());
    let text = output.unwrapped();
    assert!(text.contains("b2b_collaboration_outbound.applications: users_and_groups blocks AllUsers"), "{output}");
    assert!(!text.contains(RMS_WARNING), "{output}");
    env.assert_no_writes_since(Some(0), "plans refused at validation");
}

#[test]
fn values_graph_has_but_terraform_does_not_know_show_as_drift() {
    acceptance_tests::emulator_only!("only the emulator can be made to return unknownFutureValue");
    let env = Arc::new(EmulatorEnv::start());
    let e = env.clone();
    let config = partner(tenants::TRUESEC, INBOUND_ALL);
    env.harness()
        .test_case()
        .step(Step::config(config.clone()))
        .step(Step::run(move |_| {
            let mut inbound = e.partner(tenants::TRUESEC).unwrap()["b2bCollaborationInbound"].clone();
            inbound["applications"]["accessType"] = json!("unknownFutureValue");
            inbound["usersAndGroups"]["targets"][0]["targetType"] = json!("unknownFutureValue");
            e.emulator().patch_partner(tenants::TRUESEC, json!({"b2bCollaborationInbound": inbound})).unwrap();
        }))
        // Read keeps the raw values, so the plan shows them and puts the configuration back.
        .step(Step::plan_only(config.clone()).plan_check(PlanCheck::actions(ADDRESS, &["update"])).plan_check(
            PlanCheck::custom("the prior state holds Graph's raw value", |plan| {
                let prior = &plan.json["prior_state"]["values"]["root_module"]["resources"][0]["values"];
                let raw = &prior["b2b_collaboration_inbound"]["applications"]["access_type"];
                if raw == "unknownFutureValue" { Ok(()) } else { Err(format!("prior state access_type: {raw}")) }
            }),
        ))
        .step(Step::config(config))
        .run();
}

#[test]
fn a_create_with_an_unknown_outcome_is_kept_in_the_state_and_reconciled() {
    acceptance_tests::emulator_only!("fault injection");
    let env = EmulatorEnv::start();
    // The POST reaches Graph but its answer is lost, and checking afterwards fails too: the provider cannot know
    // whether the partner exists.
    env.emulator().set_faults(Faults {
        reset_after_write: Some(
            FaultRule::always().for_method("POST").for_route("/policies/crossTenantAccessPolicy/partners"),
        ),
        service_unavailable: Some(entra_graph_emulator::ServerErrorFault {
            rule: FaultRule::always().for_method("GET").for_route(PARTNER_ROUTE),
            retry_after: entra_graph_emulator::RetryAfter::Omit,
        }),
        ..Faults::default()
    });
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&partner(tenants::TRUESEC, TRUST));
    let output = workdir.apply();
    assert!(!output.success(), "{output}");
    let text = output.unwrapped();
    assert!(text.contains("may or may not have happened"), "{output}");
    assert!(env.partner(tenants::TRUESEC).is_some(), "the partner was created");
    let state = workdir.state();
    assert_eq!(state.addresses(), [ADDRESS], "Terraform keeps track of the partner");
    assert_eq!(state.resource(ADDRESS).unwrap()["tainted"], true, "{}", state.json);

    // Once Graph answers again, the next apply reconciles: the tainted partner is replaced, nothing is orphaned.
    env.emulator().set_faults(Faults::none());
    workdir.apply().expect_success();
    workdir.plan_is_empty(true).unwrap();
    workdir.plan_is_empty(false).unwrap();
    assert_eq!(env.partner(tenants::TRUESEC).unwrap()["inboundTrust"]["isMfaAccepted"], true);
    workdir.destroy().expect_success();
    assert!(env.partner(tenants::TRUESEC).is_none());
}

#[test]
fn import_ids_that_name_no_tenant_are_clear_errors() {
    let env = Fixture::new();
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&partner(tenants::CONTOSO, ""));
    for (id, expected) in [
        ("nobody.example", "Microsoft Entra knows no tenant with the domain \"nobody.example\""),
        ("not a tenant", "is imported by the partner's tenant id (a GUID"),
        // A known tenant that is not a partner: nothing to import.
        (tenants::FABRIKAM, "Cannot import non-existent remote object"),
    ] {
        let output = workdir.import(ADDRESS, id);
        assert!(!output.success(), "{output}");
        let text = output.unwrapped();
        assert!(text.contains(expected), "{id}: expected {expected:?} in:\n{output}");
    }
    assert!(workdir.state().addresses().is_empty());
    env.assert_no_writes_since(Some(0), "plans and failed imports");
}

/// Graph's metadata declares `crossTenantAccessPolicyTarget.target` and `.targetType` nullable, so a real tenant
/// may hold a target with nulls (issue 15 item 1). Importing such a partner and planning must neither fail nor
/// retry: the null target reads into the state and shows as drift against a configuration without it.
#[test]
fn a_partner_holding_a_target_with_nulls_imports_and_plans_as_drift() {
    acceptance_tests::emulator_only!("a target with nulls can only be seeded into the emulator");
    let env = EmulatorEnv::start();
    env.emulator()
        .create_partner(json!({
            "tenantId": tenants::OSTTRA,
            "b2bCollaborationInbound": {
                "usersAndGroups": {
                    "accessType": "allowed",
                    "targets": [{"target": GROUP, "targetType": "group"}, {"target": null, "targetType": null}]
                },
                "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
            }
        }))
        .unwrap();
    let body = format!(
        r#"
  b2b_collaboration_inbound = {{
    users_and_groups = {{
      access_type = "allowed"
      targets     = [{{ target = "{GROUP}", target_type = "group" }}]
    }}
    applications = {{
      access_type = "allowed"
      targets     = [{{ target = "AllApplications", target_type = "application" }}]
    }}
  }}
"#
    );
    let address = ADDRESS;
    let harness = env.harness();
    let mut workdir = harness.workdir();
    workdir.write_config(&partner(tenants::OSTTRA, &body));
    let started = std::time::Instant::now();
    let import = workdir.import(address, tenants::OSTTRA);
    assert!(import.success(), "import of a partner with a null target:\n{import}");
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "no retries of a well-formed body: {import}");
    let (output, plan) = workdir.plan(&[]);
    let plan = plan.unwrap_or_else(|| panic!("plan after import:\n{output}"));
    assert_eq!(plan.actions(address), ["update"], "the null target shows as drift:\n{output}");
    let change = plan.change(address).expect("a change");
    let before = &change["before"]["b2b_collaboration_inbound"]["users_and_groups"]["targets"];
    assert_eq!(before.as_array().map(Vec::len), Some(2), "both targets read into the state: {before}");
    assert_eq!(env.writes(), 0);
}
