//! The shared partner listing: request counts come from the emulator's statistics.

mod common;

use common::*;
use entra_graph::models::*;
use entra_graph_emulator::EmulatorConfig;
use serde_json::json;

const LIST: &str = "GET /policies/crossTenantAccessPolicy/partners";
const GET_ONE: &str = "GET /policies/crossTenantAccessPolicy/partners/{id}";
const GET_SYNC: &str = "GET /policies/crossTenantAccessPolicy/partners/{id}/identitySynchronization";

/// A client that sends no `$top`, so the emulator's page size (10) applies, as Graph's own would.
fn paging_client(emulator: &entra_graph_emulator::Emulator) -> entra_graph::GraphClient {
    let options = entra_graph::GraphClientOptions { partner_page_size: None, ..fast_options(emulator) };
    entra_graph::GraphClient::new(&secret_settings(emulator), options).unwrap()
}

fn emulator_with_partners(count: usize) -> entra_graph_emulator::Emulator {
    let emulator = start(EmulatorConfig::default().with_page_size(10));
    for n in 0..count {
        emulator
            .create_partner(json!({"tenantId": tenant(n), "inboundTrust": {"isMfaAccepted": n % 2 == 0, "isCompliantDeviceAccepted": null, "isHybridAzureADJoinedDeviceAccepted": null}}))
            .unwrap();
        if n % 5 == 0 {
            emulator
                .put_identity_sync(
                    &tenant(n),
                    json!({"displayName": format!("sync {n}"), "userSyncInbound": {"isSyncAllowed": true}}),
                )
                .unwrap();
        }
    }
    emulator
}

#[tokio::test]
async fn refreshing_many_partners_costs_one_paged_listing() {
    let emulator = emulator_with_partners(25);
    let client = paging_client(&emulator);
    client.check_credentials(&op()).await.unwrap();
    emulator.reset_stats();

    // 25 resources refresh at once, as Terraform does with its parallelism.
    let reads: Vec<_> = (0..25)
        .map(|n| {
            let client = client.clone();
            tokio::spawn(async move {
                let partner = client.partner(&op(), &tenant(n)).await.unwrap().expect("exists");
                let sync = client.identity_sync(&op(), &tenant(n)).await.unwrap();
                (n, partner, sync)
            })
        })
        .collect();
    for read in reads {
        let (n, partner, sync) = read.await.unwrap();
        assert_eq!(partner.setting("inboundTrust").unwrap()["isMfaAccepted"], json!(n % 2 == 0));
        if n % 5 == 0 {
            assert_eq!(sync.unwrap().display_name, Some(format!("sync {n}")));
        }
    }
    let stats = emulator.stats();
    assert_eq!(stats.count(LIST), 3, "one listing of 25 partners in pages of 10, shared by every reader");
    assert_eq!(stats.count(GET_ONE), 0);
    // Partners without a policy are confirmed with a direct read, since a listing's missing expansion is not proof.
    assert_eq!(stats.count(GET_SYNC), 20);
    assert_eq!(stats.total, 23);
}

#[tokio::test]
async fn partners_missing_from_the_listing_are_read_directly() {
    let emulator = emulator_with_partners(3);
    emulator.delete_partner(&tenant(2)).unwrap();
    let client = client(&emulator);
    client.check_credentials(&op()).await.unwrap();
    emulator.reset_stats();
    let op = op();

    assert!(client.partner(&op, &tenant(0)).await.unwrap().is_some());
    assert_eq!(emulator.stats().count(LIST), 1);

    // Deleted by someone else before the listing: not listed, a direct read confirms it is gone.
    assert!(client.partner(&op, &tenant(2)).await.unwrap().is_none());
    assert_eq!(emulator.stats().count(GET_ONE), 1);
    // Asking again costs nothing.
    assert!(client.partner(&op, &tenant(2)).await.unwrap().is_none());
    assert_eq!(emulator.stats().count(GET_ONE), 1);

    // Created by someone else after the listing: found by a direct read.
    emulator.create_partner(json!({"tenantId": tenant(7)})).unwrap();
    assert!(client.partner(&op, &tenant(7)).await.unwrap().is_some());
    assert_eq!(emulator.stats().count(GET_ONE), 2);
    assert_eq!(emulator.stats().count(LIST), 1, "the listing is not repeated");
}

#[tokio::test]
async fn the_listing_stays_coherent_with_the_clients_own_writes() {
    let emulator = emulator_with_partners(4);
    let client = client(&emulator);
    let op = op();
    client.partner(&op, &tenant(0)).await.unwrap();

    // Update a listed partner, create a new one, delete one, and give one an identity-sync policy.
    let patch = properties(json!({
        "inboundTrust": null,
        "b2bDirectConnectOutbound": {
            "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
            "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}
        }
    }));
    client.update_partner(&op, &tenant(1), &patch).await.unwrap();
    client.create_partner(&op, &tenant(9), &Properties::new()).await.unwrap();
    client.delete_partner(&op, &tenant(2)).await.unwrap();
    let policy = IdentitySyncPolicy { display_name: Some("new".into()), ..Default::default() };
    client.create_identity_sync(&op, &tenant(3), &policy).await.unwrap();
    client.delete_identity_sync(&op, &tenant(0)).await.unwrap();

    emulator.reset_stats();
    let updated = client.partner(&op, &tenant(1)).await.unwrap().unwrap();
    assert_eq!(updated.setting("inboundTrust"), None);
    assert_eq!(updated.setting("b2bDirectConnectOutbound").unwrap()["usersAndGroups"]["accessType"], "blocked");
    assert!(client.partner(&op, &tenant(9)).await.unwrap().is_some());
    assert!(client.partner(&op, &tenant(2)).await.unwrap().is_none());
    assert_eq!(client.identity_sync(&op, &tenant(3)).await.unwrap().unwrap().display_name.as_deref(), Some("new"));
    assert_eq!(emulator.stats().total, 0, "all answered from the listing and the client's own writes");

    // A deleted policy is confirmed gone with one direct read.
    assert!(client.identity_sync(&op, &tenant(0)).await.unwrap().is_none());
    assert_eq!(emulator.stats().total, 1);
}

#[tokio::test]
async fn an_expired_listing_is_taken_again() {
    let emulator = emulator_with_partners(2);
    let mut options = fast_options(&emulator);
    options.partner_listing_ttl = std::time::Duration::from_millis(200);
    let client = entra_graph::GraphClient::new(&secret_settings(&emulator), options).unwrap();
    let op = op();
    client.partner(&op, &tenant(0)).await.unwrap();
    emulator.patch_partner(&tenant(0), json!({"inboundTrust": null})).unwrap();
    assert!(
        client.partner(&op, &tenant(0)).await.unwrap().unwrap().setting("inboundTrust").is_some(),
        "still the listing"
    );
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    assert!(client.partner(&op, &tenant(0)).await.unwrap().unwrap().setting("inboundTrust").is_none(), "a new listing");
    assert_eq!(emulator.stats().count(LIST), 2);
}

#[tokio::test]
async fn a_damaged_listing_page_is_fetched_again() {
    use entra_graph_emulator::{FaultRule, Faults, MalformedFault, MalformedKind};
    let emulator = emulator_with_partners(12);
    let client = paging_client(&emulator);
    client.check_credentials(&op()).await.unwrap();
    for kind in [MalformedKind::TruncatedJson, MalformedKind::HtmlBadGateway] {
        emulator.set_faults(Faults {
            malformed: vec![MalformedFault {
                kind,
                rule: FaultRule::first_n(1).for_route("/policies/crossTenantAccessPolicy/partners"),
            }],
            ..Faults::none()
        });
        emulator.reset_stats();
        let partners = client.list_partners(&op()).await.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(partners.len(), 12, "{kind:?}");
        assert!(partners.iter().all(|p| p.setting("inboundTrust").is_some()), "{kind:?}: no partner lost its settings");
        assert_eq!(emulator.stats().count(LIST), 3, "{kind:?}: the damaged first page was fetched again");
    }
    // A well-formed page that does not fit is an answer, not damage: the listing fails at once.
    for kind in [MalformedKind::MissingProperties, MalformedKind::WrongTypes] {
        emulator.set_faults(Faults {
            malformed: vec![MalformedFault {
                kind,
                rule: FaultRule::first_n(1).for_route("/policies/crossTenantAccessPolicy/partners"),
            }],
            ..Faults::none()
        });
        emulator.reset_stats();
        let error = client.list_partners(&op()).await.unwrap_err();
        assert!(matches!(error, entra_graph::GraphError::InvalidResponse { .. }), "{kind:?}: {error:?}");
        assert_eq!(emulator.stats().count(LIST), 1, "{kind:?}: not fetched again");
    }
}

#[tokio::test]
async fn listings_ask_for_big_pages_so_hundreds_of_partners_cost_one_request() {
    let emulator = emulator_with_partners(25);
    let client = client(&emulator);
    client.check_credentials(&op()).await.unwrap();
    emulator.reset_stats();
    let partners = client.list_partners(&op()).await.unwrap();
    assert_eq!(partners.len(), 25);
    assert_eq!(
        emulator.stats().count(LIST),
        1,
        "$top={} overrides the emulator's pages of 10",
        entra_graph::DEFAULT_PARTNER_PAGE_SIZE
    );
}

#[tokio::test]
async fn a_refused_page_size_is_dropped_and_graph_chooses() {
    let emulator = emulator_with_partners(25);
    // The emulator, like Graph on most collections, refuses a $top above 999 with 400.
    let options = entra_graph::GraphClientOptions { partner_page_size: Some(1000), ..fast_options(&emulator) };
    let client = entra_graph::GraphClient::new(&secret_settings(&emulator), options).unwrap();
    client.check_credentials(&op()).await.unwrap();
    emulator.reset_stats();
    assert!(client.partner(&op(), &tenant(24)).await.unwrap().is_some());
    let stats = emulator.stats();
    assert_eq!(stats.count(LIST), 4, "one refused request, then three pages of 10: {:?}", stats.by_route);
    assert_eq!(stats.errors_by_status.get(&400), Some(&1));

    emulator.reset_stats();
    assert_eq!(client.list_partners(&op()).await.unwrap().len(), 25);
    assert_eq!(emulator.stats().count(LIST), 3, "the refusal is remembered");
}
