//! `entra_tenant_information` and `entra_cross_tenant_partners` with the real terraform binary against the Graph
//! emulator. Only the lookup errors run live (`ENTRA_ACC_LIVE=1`): the rest depend on the emulator's directory and
//! partners.

use acceptance_tests::entra::{EmulatorEnv, Fixture, tenants};
use acceptance_tests::{StateCheck, Step};
use entra_graph_emulator::EmulatorConfig;
use serde_json::{Value as Json, json};

fn output(name: &str) -> String {
    format!("outputs.{name}")
}

/// A check on a root module output of the state (`terraform show -json`).
fn output_is(name: &'static str, expected: Json) -> StateCheck {
    StateCheck::custom(format!("output {name} == {expected}"), move |state| {
        let actual = acceptance_tests::lookup(&state.json["values"], &format!("{}.value", output(name)));
        if actual == Some(&expected) {
            Ok(())
        } else {
            Err(format!("output {name} is {actual:?}, expected {expected}"))
        }
    })
}

#[test]
fn tenant_information_by_domain_and_by_id() {
    acceptance_tests::emulator_only!(
        "the emulator's directory fixture: names and domains of tenants a real directory describes differently"
    );
    let env = EmulatorEnv::start();
    let config = format!(
        r#"
data "entra_tenant_information" "osttra" {{
  domain_name = "sso.osttra.com"
}}

data "entra_tenant_information" "truesec" {{
  tenant_id = "{}"
}}

output "osttra" {{
  value = data.entra_tenant_information.osttra
}}

output "truesec" {{
  value = data.entra_tenant_information.truesec
}}
"#,
        tenants::TRUESEC.to_ascii_uppercase()
    );
    env.harness()
        .test_case()
        .step(
            Step::config(config)
                .check(output_is(
                    "osttra",
                    json!({
                        "domain_name": "sso.osttra.com",
                        "tenant_id": tenants::OSTTRA,
                        "display_name": "OSTTRA",
                        "default_domain_name": "osttra.onmicrosoft.com",
                        "federation_brand_name": null
                    }),
                ))
                .check(output_is(
                    "truesec",
                    json!({
                        "domain_name": null,
                        "tenant_id": tenants::TRUESEC.to_ascii_uppercase(),
                        "display_name": "Truesec Detect AB",
                        "default_domain_name": "truesecdetect.io",
                        "federation_brand_name": null
                    }),
                )),
        )
        .run();
    assert_eq!(env.writes(), 0);
}

#[test]
fn tenant_information_errors_name_the_attribute() {
    let env = Fixture::new();
    env.harness()
        .test_case()
        .step(
            Step::expect_error(
                "data \"entra_tenant_information\" \"x\" {\n  domain_name = \"nobody.example\"\n}\n",
                "Tenant not found.*domain_name: looking up the tenant of domain nobody.example",
            ),
        )
        .step(Step::expect_error(
            "data \"entra_tenant_information\" \"x\" {\n  tenant_id = \"00000000-0000-4000-8000-000000000000\"\n}\n",
            "Tenant not found.*tenant_id: looking up tenant 00000000-0000-4000-8000-000000000000",
        ))
        .step(
            Step::expect_error("data \"entra_tenant_information\" \"x\" {}\n", "domain_name: set exactly one of domain_name")
                .on_validate(),
        )
        .step(
            Step::expect_error(
                "data \"entra_tenant_information\" \"x\" {\n  domain_name = \"contoso.com\"\n  tenant_id = \"6babcaad-604b-40ac-a9d7-9fd97c0b779f\"\n}\n",
                "tenant_id: set exactly one of domain_name and tenant_id, not both",
            )
            .on_validate(),
        )
        .step(
            Step::expect_error(
                "data \"entra_tenant_information\" \"x\" {\n  tenant_id = \"contoso\"\n}\n",
                "tenant_id must be a GUID",
            )
            .on_validate(),
        )
        .run();
    env.assert_no_writes_since(Some(0), "lookups");
}

#[test]
fn partners_lists_every_partner_sorted_from_one_paged_listing() {
    acceptance_tests::emulator_only!("lists every partner, and a real tenant has others");
    let mut env = EmulatorEnv::with_config(EmulatorConfig::default().with_page_size(2));
    // Pages of two, so the listing behind the data source follows next links.
    env.set_env("ENTRA_PARTNER_PAGE_SIZE", Some("2"));
    for tenant in [tenants::TRUESEC, tenants::CONTOSO, tenants::OSTTRA] {
        env.emulator().create_partner(json!({"tenantId": tenant})).unwrap();
    }
    env.emulator()
        .patch_partner(
            tenants::TRUESEC,
            json!({"inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": null, "isHybridAzureADJoinedDeviceAccepted": null}}),
        )
        .unwrap();
    env.emulator().put_identity_sync(tenants::CONTOSO, json!({"displayName": "Contoso"})).unwrap();
    let config = r#"
data "entra_cross_tenant_partners" "all" {}

output "tenant_ids" {
  value = data.entra_cross_tenant_partners.all.tenant_ids
}

output "trusting_mfa" {
  value = [
    for p in data.entra_cross_tenant_partners.all.partners : p.tenant_id
    if try(p.inbound_trust.is_mfa_accepted, false) == true
  ]
}

output "first" {
  value = data.entra_cross_tenant_partners.all.partners[0]
}
"#;
    let mut sorted = vec![tenants::TRUESEC, tenants::CONTOSO, tenants::OSTTRA];
    sorted.sort_unstable();
    let first = sorted[0];
    let harness = env.harness();
    harness
        .test_case()
        .step(
            Step::config(config)
                .check(output_is("tenant_ids", json!(sorted)))
                .check(output_is("trusting_mfa", json!([tenants::TRUESEC])))
                .check(StateCheck::custom("the first partner has the resource's attributes", move |state| {
                    let partner = acceptance_tests::lookup(&state.json["values"], "outputs.first.value").cloned();
                    let partner = partner.ok_or("no output first")?;
                    if partner["tenant_id"] != first || partner["id"] != first {
                        return Err(format!("unexpected first partner {partner}"));
                    }
                    // Unset consent (Graph's object of nulls) reads as null, like the resource.
                    if !partner["automatic_user_consent_settings"].is_null() || partner.get("timeouts").is_some() {
                        return Err(format!("unexpected partner attributes {partner}"));
                    }
                    Ok(())
                })),
        )
        .run();
    let stats = env.stats();
    assert_eq!(stats.writes, 0);
    assert_eq!(
        stats.count("GET /policies/crossTenantAccessPolicy/partners/{id}"),
        0,
        "no per-partner reads: {:?}",
        stats.by_route
    );
}
