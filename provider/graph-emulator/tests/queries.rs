//! Query options and JSON batching over HTTPS: `$select`, `$expand`, `$filter`, `$top`, `$skip`, `$count`,
//! `@odata.nextLink` paging, and `$batch` with `dependsOn`.

mod common;

use common::{Harness, PARTNERS, TENANT_A, TENANT_B, TENANT_C};
use entra_graph_emulator::{EmulatorConfig, MAX_BATCH};
use serde_json::{Value, json};

fn tenant(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

async fn with_partners(count: usize, page_size: usize) -> Harness {
    let h = Harness::start(EmulatorConfig::default().with_page_size(page_size)).await;
    for i in 0..count {
        h.emulator.create_partner(json!({"tenantId": tenant(i)})).unwrap();
    }
    h
}

/// Follows `@odata.nextLink` (absolute URLs) and returns the pages.
async fn all_pages(h: &Harness, first: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut url = h.url(first);
    loop {
        let response = h.http.get(&url).bearer_auth(&h.token).send().await.unwrap();
        let reply = common::reply(response).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let next = reply.json["@odata.nextLink"].as_str().map(str::to_owned);
        pages.push(reply.json);
        match next {
            Some(next) => url = next,
            None => return pages,
        }
    }
}

fn ids(pages: &[Value]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p["value"].as_array().unwrap().iter().map(|v| v["tenantId"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn partners_list_is_paged_with_absolute_next_links() {
    let h = with_partners(7, 3).await;
    let pages = all_pages(&h, PARTNERS).await;
    assert_eq!(pages.len(), 3);
    assert_eq!(pages.iter().map(|p| p["value"].as_array().unwrap().len()).collect::<Vec<_>>(), [3, 3, 1]);
    assert_eq!(ids(&pages), (0..7).map(tenant).collect::<Vec<_>>());
    let next = pages[0]["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{}/v1.0/policies/crossTenantAccessPolicy/partners?", h.emulator.endpoint())),
        "{next}"
    );
    assert!(next.contains("%24skiptoken=") || next.contains("$skiptoken="), "{next}");
    assert!(pages[2].get("@odata.nextLink").is_none());
    assert_eq!(h.emulator.stats().count("GET /policies/crossTenantAccessPolicy/partners"), 3);
}

#[tokio::test]
async fn top_sets_the_page_size_and_is_kept_in_next_links() {
    let h = with_partners(5, 10).await;
    let pages = all_pages(&h, &format!("{PARTNERS}?$top=2")).await;
    assert_eq!(pages.len(), 3);
    assert_eq!(ids(&pages).len(), 5);
    assert!(pages[0]["@odata.nextLink"].as_str().unwrap().contains("top=2"));
    let one_page = h.get(&format!("{PARTNERS}?$top=999")).await;
    assert_eq!(one_page.json["value"].as_array().unwrap().len(), 5);
    assert!(one_page.json.get("@odata.nextLink").is_none());
    for bad in ["0", "1000", "x", "-1"] {
        let reply = h.get(&format!("{PARTNERS}?$top={bad}")).await;
        assert_eq!(reply.status, 400, "$top={bad}");
    }
    assert_eq!(h.get(&format!("{PARTNERS}?$skiptoken=not-a-token")).await.status, 400);
}

#[tokio::test]
async fn partners_created_between_pages_are_not_skipped_or_repeated() {
    let h = with_partners(4, 2).await;
    let first = h.get(PARTNERS).await;
    let next = first.json["@odata.nextLink"].as_str().unwrap().to_owned();
    // A partner created after the first page (sorting after it) shows up on a later page.
    h.emulator.create_partner(json!({"tenantId": tenant(9)})).unwrap();
    h.emulator.delete_partner(&tenant(0)).unwrap();
    let response = h.http.get(&next).bearer_auth(&h.token).send().await.unwrap();
    let second = common::reply(response).await;
    let mut seen = ids(&[first.json, second.json.clone()]);
    if let Some(third) = second.json["@odata.nextLink"].as_str() {
        let response = h.http.get(third).bearer_auth(&h.token).send().await.unwrap();
        seen.extend(ids(&[common::reply(response).await.json]));
    }
    assert_eq!(seen, [tenant(0), tenant(1), tenant(2), tenant(3), tenant(9)]);
}

#[tokio::test]
async fn skip_and_count() {
    let h = with_partners(5, 2).await;
    let reply = h.get(&format!("{PARTNERS}?$count=true&$skip=3")).await;
    assert_eq!(reply.json["@odata.count"], 5);
    assert_eq!(ids(std::slice::from_ref(&reply.json)), [tenant(3), tenant(4)]);
    assert!(reply.json.get("@odata.nextLink").is_none());
    let counted = all_pages(&h, &format!("{PARTNERS}?$count=true")).await;
    assert!(counted.iter().all(|p| p["@odata.count"] == 5));
    assert_eq!(h.get(&format!("{PARTNERS}?$count=maybe")).await.status, 400);
}

#[tokio::test]
async fn filter_by_tenant_id_any_case() {
    let h = with_partners(3, 10).await;
    let reply = h.get(&format!("{PARTNERS}?$filter=tenantId eq '{}'", tenant(1).to_uppercase())).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(ids(&[reply.json]), [tenant(1)]);
    let none = h.get(&format!("{PARTNERS}?$filter=tenantId eq '{TENANT_A}'")).await;
    assert_eq!(none.json["value"], json!([]));
    let either = h.get(&format!("{PARTNERS}?$filter=tenantId eq '{}' or tenantId eq '{}'", tenant(0), tenant(2))).await;
    assert_eq!(ids(&[either.json]), [tenant(0), tenant(2)]);
    let within = h.get(&format!("{PARTNERS}?$filter=tenantId in ('{}','{}')", tenant(2), tenant(1))).await;
    assert_eq!(ids(&[within.json]), [tenant(1), tenant(2)]);
    h.emulator.add_service_provider_partner(TENANT_B).unwrap();
    let providers = h.get(&format!("{PARTNERS}?$filter=isServiceProvider eq true")).await;
    assert_eq!(ids(&[providers.json]), [TENANT_B]);
    for bad in ["displayName eq 'x'", "tenantId ne 'x'", "tenantId eq", "startswith(tenantId,'0')"] {
        let reply = h.get(&format!("{PARTNERS}?$filter={bad}")).await;
        assert_eq!(reply.status, 400, "{bad}");
        assert_eq!(reply.error_code(), "Request_UnsupportedQuery");
    }
}

#[tokio::test]
async fn select_and_expand_identity_synchronization() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    h.create_partner(TENANT_B).await;
    h.put(
        &format!("{PARTNERS}/{TENANT_A}/identitySynchronization"),
        &json!({"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": true}}),
    )
    .await;
    let reply = h.get(&format!("{PARTNERS}?$select=tenantId&$expand=identitySynchronization")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        h.as_graph(&reply.json),
        json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/partners(tenantId,identitySynchronization())",
            "value": [
                {"tenantId": TENANT_A, "identitySynchronization": {"tenantId": TENANT_A, "displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": true}}},
                {"tenantId": TENANT_B, "identitySynchronization": null}
            ]
        })
    );
    let expanded = h.get(&format!("{PARTNERS}/{TENANT_A}?$expand=identitySynchronization")).await;
    assert_eq!(expanded.json["identitySynchronization"]["displayName"], "Fabrikam");
    assert_eq!(expanded.json["inboundTrust"], Value::Null);
    assert!(expanded.json["@odata.context"].as_str().unwrap().ends_with("partners(identitySynchronization())/$entity"));
    let selected = h.get(&format!("{PARTNERS}/{TENANT_A}?$select=tenantId,InboundTrust")).await;
    assert_eq!(selected.json.as_object().unwrap().len(), 3, "{}", selected.text);
    assert!(selected.json["@odata.context"].as_str().unwrap().ends_with("partners(tenantId,inboundTrust)/$entity"));
    let default = h.get("/v1.0/policies/crossTenantAccessPolicy/default?$select=isServiceDefault").await;
    assert_eq!(default.json.as_object().unwrap().len(), 2);
    let sync = h.get(&format!("{PARTNERS}/{TENANT_A}/identitySynchronization?$select=displayName")).await;
    assert_eq!(sync.json["displayName"], "Fabrikam");
    assert!(sync.json.get("userSyncInbound").is_none());
    // Unknown names in $select / $expand, and options a resource does not support.
    assert_eq!(h.get(&format!("{PARTNERS}?$select=nothing")).await.status, 400);
    assert_eq!(h.get(&format!("{PARTNERS}?$expand=owners")).await.status, 400);
    assert_eq!(h.get("/v1.0/policies/crossTenantAccessPolicy?$filter=id eq 'x'").await.status, 400);
    assert_eq!(h.get("/v1.0/policies/crossTenantAccessPolicy/default?$expand=x").await.status, 400);
    assert_eq!(h.get(&format!("{PARTNERS}?$select=tenantId&$select=inboundTrust")).await.status, 400);
    assert_eq!(h.get(&format!("{PARTNERS}?$bogus=1")).await.status, 400);
    assert_eq!(h.get(&format!("{PARTNERS}?unrelated=1")).await.status, 200);
    // RU cost header: $expand +1, $select -1, $top < 20 -1.
    assert_eq!(
        h.get(&format!("{PARTNERS}?$expand=identitySynchronization")).await.header("x-ms-resource-unit"),
        Some("2")
    );
}

#[tokio::test]
async fn batch_runs_sub_requests_in_dependency_order_and_counts_them() {
    let h = Harness::default().await;
    let body = json!({"requests": [
        {"id": "3", "method": "GET", "url": format!("/policies/crossTenantAccessPolicy/partners/{TENANT_A}/identitySynchronization"), "dependsOn": ["2"]},
        {"id": "1", "method": "POST", "url": "/policies/crossTenantAccessPolicy/partners", "headers": {"Content-Type": "application/json"}, "body": {"tenantId": TENANT_A}},
        {"id": "2", "method": "PUT", "url": format!("policies/crossTenantAccessPolicy/partners('{TENANT_A}')/identitySynchronization"), "headers": {"Content-Type": "application/json"}, "body": {"userSyncInbound": {"isSyncAllowed": true}}, "dependsOn": ["1"]},
        {"id": "4", "method": "GET", "url": format!("/policies/crossTenantAccessPolicy/partners/{TENANT_C}")},
        {"id": "5", "method": "PATCH", "url": format!("/policies/crossTenantAccessPolicy/partners/{TENANT_C}"), "headers": {"Content-Type": "application/json"}, "body": {"inboundTrust": null}, "dependsOn": ["4"]},
        {"id": "6", "method": "GET", "url": "/v1.0/policies/crossTenantAccessPolicy?$select=id"}
    ]});
    h.emulator.reset_stats();
    let reply = h.post("/v1.0/$batch", &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let responses = reply.json["responses"].as_array().unwrap();
    let by_id = |id: &str| responses.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(responses.iter().map(|r| r["id"].as_str().unwrap()).collect::<Vec<_>>(), ["3", "1", "2", "4", "5", "6"]);
    assert_eq!(by_id("1")["status"], 201);
    assert_eq!(by_id("1")["body"]["tenantId"], TENANT_A);
    assert!(by_id("1")["headers"]["Location"].is_string());
    assert_eq!(by_id("2")["status"], 204);
    assert!(by_id("2").get("body").is_none());
    assert_eq!(by_id("3")["status"], 200);
    assert_eq!(by_id("3")["body"]["userSyncInbound"]["isSyncAllowed"], true);
    assert_eq!(by_id("4")["status"], 404);
    assert_eq!(by_id("4")["body"]["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(by_id("5")["status"], 424);
    assert_eq!(by_id("6")["status"], 200);
    assert_eq!(by_id("6")["body"].as_object().unwrap().len(), 2);
    let stats = h.emulator.stats();
    assert_eq!(stats.count("POST /$batch"), 1);
    assert_eq!(stats.count("POST /policies/crossTenantAccessPolicy/partners"), 1);
    assert_eq!(stats.count("PUT /policies/crossTenantAccessPolicy/partners/{id}/identitySynchronization"), 1);
    assert_eq!(stats.total, 6, "the envelope and five executed sub-requests: {stats:?}");
    assert_eq!(stats.writes, 2);
}

#[tokio::test]
async fn batch_limits_and_malformed_batches() {
    let h = Harness::default().await;
    let get = |i: usize| json!({"id": i.to_string(), "method": "GET", "url": "/policies/crossTenantAccessPolicy"});
    let full: Vec<Value> = (0..MAX_BATCH).map(get).collect();
    let reply = h.post("/v1.0/$batch", &json!({"requests": full})).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json["responses"].as_array().unwrap().len(), 20);
    let too_many: Vec<Value> = (0..MAX_BATCH + 1).map(get).collect();
    let reply = h.post("/v1.0/$batch", &json!({"requests": too_many})).await;
    assert_eq!(reply.status, 400);
    assert!(reply.error_message().contains("cannot exceed 20"));
    for bad in [
        json!({}),
        json!({"requests": []}),
        json!({"requests": [{"id": "1", "method": "GET"}]}),
        json!({"requests": [get(1), get(1)]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "/x", "dependsOn": ["9"]}]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "/x", "dependsOn": ["2"]}, {"id": "2", "method": "GET", "url": "/x", "dependsOn": ["1"]}]}),
        json!({"requests": [{"id": "1", "method": "POST", "url": "/policies/crossTenantAccessPolicy/partners", "body": {}}]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/policies"}]}),
    ] {
        let reply = h.post("/v1.0/$batch", &bad).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text);
    }
    let nested = h.post("/v1.0/$batch", &json!({"requests": [{"id": "1", "method": "POST", "url": "/$batch", "headers": {"content-type": "application/json"}, "body": {"requests": []}}]})).await;
    assert_eq!(nested.json["responses"][0]["status"], 400);
    let other_version = h
        .post(
            "/v1.0/$batch",
            &json!({"requests": [{"id": "1", "method": "GET", "url": "/beta/policies/crossTenantAccessPolicy"}]}),
        )
        .await;
    assert_eq!(other_version.json["responses"][0]["status"], 400);
    assert_eq!(h.get("/v1.0/$batch").await.status, 405);
}
