//! Every fault mode over HTTPS, with the statistics that record what was imposed.

mod common;

use std::time::{Duration, Instant};

use common::{Harness, PARTNERS, TENANT_A};
use entra_graph_emulator::{
    EmulatorConfig, FaultRule, Faults, MalformedFault, MalformedKind, RetryAfter, ServerErrorFault, Throttle,
    ThrottleMode, TokenBucket, WriteLock,
};
use serde_json::{Value, json};

const POLICY: &str = "/v1.0/policies/crossTenantAccessPolicy";

fn partner_path() -> String {
    format!("{PARTNERS}/{TENANT_A}")
}

#[tokio::test]
async fn latency_delays_graph_requests_only() {
    let h = Harness::default().await;
    h.emulator.set_faults(Faults { latency_ms: 150, ..Faults::none() });
    let started = Instant::now();
    assert_eq!(h.get(POLICY).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    let started = Instant::now();
    h.client_secret_token().await;
    assert!(started.elapsed() < Duration::from_millis(150), "the token endpoint is exempt by default");
}

#[tokio::test]
async fn throttling_every_nth_with_retry_after_and_headers() {
    let h = Harness::default().await;
    h.emulator.set_faults(Faults { throttle: Some(Throttle::every_nth(2, 3)), ..Faults::none() });
    let first = h.get(POLICY).await;
    assert_eq!(first.status, 200);
    let second = h.get(POLICY).await;
    assert_eq!(second.status, 429);
    assert_eq!(second.header("retry-after"), Some("3"));
    assert_eq!(second.error_code(), "TooManyRequests");
    assert_eq!(
        second.header("x-ms-throttle-scope").unwrap(),
        format!("Tenant_Application/ReadWrite/{}/{}", h.emulator.client_id(), h.emulator.tenant_id())
    );
    assert_eq!(second.header("x-ms-throttle-information"), Some("ResourceUnitLimitExceeded"));
    assert_eq!(h.get(POLICY).await.status, 200);
    assert_eq!(h.get(POLICY).await.status, 429);
    let stats = h.emulator.stats();
    assert_eq!(stats.throttled, 2);
    assert_eq!(stats.retry_after_seconds, 6);
    assert_eq!(stats.errors_by_status[&429], 2);
    assert_eq!(stats.count("GET /policies/crossTenantAccessPolicy"), 4);
}

#[tokio::test]
async fn throttling_without_retry_after_and_zero_retry_after() {
    let h = Harness::default().await;
    let throttle =
        |retry_after| Throttle { mode: ThrottleMode::Rule(FaultRule::always()), retry_after, throttle_headers: false };
    h.emulator.set_faults(Faults { throttle: Some(throttle(RetryAfter::Omit)), ..Faults::none() });
    let reply = h.get(POLICY).await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("retry-after"), None);
    assert_eq!(reply.header("x-ms-throttle-scope"), None);
    h.emulator.set_faults(Faults { throttle: Some(throttle(RetryAfter::Seconds(0))), ..Faults::none() });
    assert_eq!(h.get(POLICY).await.header("retry-after"), Some("0"));
}

#[tokio::test]
async fn throttling_only_the_selected_route_and_method() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    let rule = FaultRule::always().for_method("PATCH").for_route("/policies/crossTenantAccessPolicy/partners/{id}");
    h.emulator.set_faults(Faults {
        throttle: Some(Throttle {
            mode: ThrottleMode::Rule(rule),
            retry_after: RetryAfter::Seconds(1),
            throttle_headers: true,
        }),
        ..Faults::none()
    });
    assert_eq!(h.get(&partner_path()).await.status, 200);
    assert_eq!(h.patch(POLICY, &json!({"displayName": "x"})).await.status, 204);
    assert_eq!(h.patch(&partner_path(), &json!({"inboundTrust": null})).await.status, 429);
}

#[tokio::test]
async fn token_bucket_throttles_by_resource_units_and_refills() {
    let h = Harness::default().await;
    let bucket = TokenBucket { resource_units: 4, window_ms: 400, writes: None, write_window_ms: 150_000 };
    h.emulator.set_faults(Faults {
        throttle: Some(Throttle {
            mode: ThrottleMode::TokenBucket(bucket),
            retry_after: RetryAfter::UntilRefill,
            throttle_headers: true,
        }),
        ..Faults::none()
    });
    // $expand costs 2 RU, so two of these empty the bucket.
    let expanded = format!("{PARTNERS}?$expand=identitySynchronization");
    assert_eq!(h.get(&expanded).await.status, 200);
    let near_limit = h.get(&expanded).await;
    assert_eq!(near_limit.status, 200);
    assert!(near_limit.header("x-ms-throttle-limit-percentage").is_some());
    let throttled = h.get(&expanded).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.header("retry-after"), Some("1"));
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(h.get(&expanded).await.status, 200);
}

#[tokio::test]
async fn rate_faults_are_deterministic_for_a_seed() {
    async fn run(seed: u64) -> Vec<u16> {
        let faults = Faults {
            service_unavailable: Some(ServerErrorFault { rule: FaultRule::rate(0.4), retry_after: RetryAfter::Omit }),
            ..Faults::none()
        };
        let h = Harness::start(EmulatorConfig::default().with_seed(seed).with_faults(faults)).await;
        let mut statuses = Vec::new();
        for _ in 0..30 {
            statuses.push(h.get(POLICY).await.status);
        }
        statuses
    }
    let a = run(7).await;
    assert_eq!(a, run(7).await);
    assert!(a.contains(&503) && a.contains(&200));
    assert_ne!(a, run(8).await);
}

#[tokio::test]
async fn service_unavailable_and_gateway_timeout() {
    let h = Harness::default().await;
    h.emulator.set_faults(Faults {
        service_unavailable: Some(ServerErrorFault {
            rule: FaultRule::every_nth(2),
            retry_after: RetryAfter::Seconds(2),
        }),
        gateway_timeout: Some(ServerErrorFault::every_nth(3)),
        ..Faults::none()
    });
    let statuses: Vec<u16> = {
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(h.get(POLICY).await.status);
        }
        statuses
    };
    // 503 is checked first, so the 6th request (a multiple of both) is a 503.
    assert_eq!(statuses, [200, 503, 504, 503, 200, 503]);
    let unavailable = h.get(POLICY).await;
    assert_eq!(unavailable.status, 200);
    let stats = h.emulator.stats();
    assert_eq!(stats.errors_by_status[&503], 3);
    assert_eq!(stats.errors_by_status[&504], 1);
    assert_eq!(stats.retry_after_seconds, 6);
    h.emulator.set_faults(Faults {
        service_unavailable: Some(ServerErrorFault { rule: FaultRule::always(), retry_after: RetryAfter::Seconds(2) }),
        ..Faults::none()
    });
    let reply = h.get(POLICY).await;
    assert_eq!(reply.error_code(), "serviceNotAvailable");
    assert_eq!(reply.header("retry-after"), Some("2"));
}

#[tokio::test]
async fn reset_before_write_drops_the_connection_and_changes_nothing() {
    let mut h = Harness::default().await;
    h.emulator.set_faults(Faults { reset_before_write: Some(FaultRule::first_n(1)), ..Faults::none() });
    assert_eq!(h.get(POLICY).await.status, 200, "reads are not affected");
    let result = h.http.post(h.url(PARTNERS)).bearer_auth(&h.token).json(&json!({"tenantId": TENANT_A})).send().await;
    assert!(result.is_err(), "the client must see a dropped connection, got {result:?}");
    assert!(h.emulator.partner(TENANT_A).is_none());
    assert_eq!(h.emulator.stats().connection_resets, 1);
    // The emulator keeps serving, and the retry (on a new connection, as the old one is gone) succeeds.
    h.reconnect();
    assert_eq!(h.post(PARTNERS, &json!({"tenantId": TENANT_A})).await.status, 201);
}

#[tokio::test]
async fn reset_after_write_applies_the_write_then_drops_the_connection() {
    let mut h = Harness::default().await;
    h.emulator.set_faults(Faults { reset_after_write: Some(FaultRule::first_n(1)), ..Faults::none() });
    let result = h.http.post(h.url(PARTNERS)).bearer_auth(&h.token).json(&json!({"tenantId": TENANT_A})).send().await;
    assert!(result.is_err(), "got {result:?}");
    assert!(h.emulator.partner(TENANT_A).is_some(), "the write happened");
    h.reconnect();
    let retry = h.post(PARTNERS, &json!({"tenantId": TENANT_A})).await;
    assert_eq!(retry.status, 409, "a naive retry now conflicts");
    let stats = h.emulator.stats();
    assert_eq!(stats.connection_resets, 1);
    assert_eq!(stats.writes_applied, 1);
}

#[tokio::test]
async fn read_after_write_lag_shows_stale_state() {
    let h = Harness::default().await;
    h.emulator.set_faults(Faults { read_after_write_lag_ms: 300, ..Faults::none() });
    assert_eq!(h.post(PARTNERS, &json!({"tenantId": TENANT_A})).await.status, 201);
    assert_eq!(h.get(&partner_path()).await.status, 404, "404 right after create");
    assert_eq!(h.post(PARTNERS, &json!({"tenantId": TENANT_A})).await.status, 409, "writes see the true state");
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(h.get(&partner_path()).await.status, 200);

    let trust = json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false});
    assert_eq!(h.patch(&partner_path(), &json!({"inboundTrust": trust})).await.status, 204);
    assert_eq!(h.get(&partner_path()).await.json["inboundTrust"], Value::Null, "the old object after PATCH");
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(h.get(&partner_path()).await.json["inboundTrust"], trust);

    assert_eq!(h.delete(&partner_path()).await.status, 204);
    assert_eq!(h.get(&partner_path()).await.status, 200, "still there after DELETE");
    assert_eq!(h.delete(&partner_path()).await.status, 404, "but the delete happened");
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(h.get(&partner_path()).await.status, 404);
}

#[tokio::test]
async fn deleted_tenant_ids_stay_reserved() {
    let h = Harness::default().await;
    h.emulator.set_faults(Faults { reserve_deleted_ms: 300, ..Faults::none() });
    h.create_partner(TENANT_A).await;
    assert_eq!(h.delete(&partner_path()).await.status, 204);
    assert_eq!(h.get(&partner_path()).await.status, 404);
    let conflict = h.post(PARTNERS, &json!({"tenantId": TENANT_A})).await;
    assert_eq!(conflict.status, 409);
    assert_eq!(conflict.error_code(), "Request_MultipleObjectsWithSameKeyValue");
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(h.post(PARTNERS, &json!({"tenantId": TENANT_A})).await.status, 201);
}

#[tokio::test]
async fn write_lock_fails_writes_for_a_while() {
    let h = Harness::default().await;
    h.emulator.set_faults(Faults {
        write_lock: Some(WriteLock {
            duration_ms: Some(300),
            retry_after: RetryAfter::Seconds(1),
            ..WriteLock::default()
        }),
        ..Faults::none()
    });
    let locked = h.post(PARTNERS, &json!({"tenantId": TENANT_A})).await;
    assert_eq!(locked.status, 503);
    assert_eq!(locked.error_code(), "serviceNotAvailable");
    assert_eq!(locked.header("retry-after"), Some("1"));
    assert_eq!(h.get(PARTNERS).await.status, 200, "reads still work");
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(h.post(PARTNERS, &json!({"tenantId": TENANT_A})).await.status, 201);

    h.emulator.set_faults(Faults {
        write_lock: Some(WriteLock {
            duration_ms: None,
            status: 409,
            code: "Request_Locked".to_owned(),
            ..WriteLock::default()
        }),
        ..Faults::none()
    });
    let locked = h.patch(POLICY, &json!({"displayName": "x"})).await;
    assert_eq!((locked.status, locked.error_code()), (409, "Request_Locked"));
    h.emulator.set_faults(Faults::none());
    assert_eq!(h.patch(POLICY, &json!({"displayName": "x"})).await.status, 204);
}

#[tokio::test]
async fn malformed_responses_of_every_kind() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    let set = |kind| {
        h.emulator.set_faults(Faults {
            malformed: vec![MalformedFault { kind, rule: FaultRule::always().for_method("GET") }],
            ..Faults::none()
        })
    };
    set(MalformedKind::TruncatedJson);
    let reply = h.get(&partner_path()).await;
    assert_eq!(reply.status, 200);
    assert!(serde_json::from_str::<Value>(&reply.text).is_err(), "{}", reply.text);
    assert!(!reply.text.is_empty());

    set(MalformedKind::HtmlBadGateway);
    let reply = h.get(&partner_path()).await;
    assert_eq!(reply.status, 502);
    assert!(reply.header("content-type").unwrap().starts_with("text/html"));
    assert!(reply.text.contains("<html>"));

    set(MalformedKind::ErrorEnvelopeWithOk);
    let reply = h.get(&partner_path()).await;
    assert_eq!(reply.status, 200);
    assert!(reply.json["error"]["code"].is_string());

    set(MalformedKind::WrongTypes);
    let reply = h.get(&partner_path()).await;
    assert_eq!(reply.json["isInMultiTenantOrganization"], "false");
    assert!(reply.json["tenantId"].is_number());

    set(MalformedKind::ExtraProperties);
    let reply = h.get(&partner_path()).await;
    assert_eq!(reply.json["unexpectedFutureProperty"], "emulator");
    assert!(reply.json["crossCloudMeetingConfiguration"].is_object());

    set(MalformedKind::MissingProperties);
    let reply = h.get(&partner_path()).await;
    assert_eq!(reply.json["tenantId"], TENANT_A);
    assert!(reply.json.get("inboundTrust").is_none());

    set(MalformedKind::UnknownEnumValues);
    let reply = h.get("/v1.0/policies/crossTenantAccessPolicy/default").await;
    assert_eq!(reply.json["b2bCollaborationInbound"]["usersAndGroups"]["accessType"], "unknownFutureValue");
    assert_eq!(
        reply.json["b2bCollaborationInbound"]["usersAndGroups"]["targets"][0]["targetType"],
        "unknownFutureValue"
    );

    // Writes are unaffected by a GET-only rule.
    assert_eq!(h.patch(&partner_path(), &json!({"inboundTrust": null})).await.status, 204);
    // Every n-th only.
    h.emulator.set_faults(Faults {
        malformed: vec![MalformedFault { kind: MalformedKind::HtmlBadGateway, rule: FaultRule::every_nth(2) }],
        ..Faults::none()
    });
    let statuses = [h.get(POLICY).await.status, h.get(POLICY).await.status, h.get(POLICY).await.status];
    assert_eq!(statuses, [200, 502, 200]);
}

#[tokio::test]
async fn batch_sub_requests_are_throttled_individually() {
    let h = Harness::default().await;
    h.emulator.set_faults(Faults {
        throttle: Some(Throttle {
            mode: ThrottleMode::Rule(FaultRule::every_nth(2).for_route("/policies/crossTenantAccessPolicy")),
            retry_after: RetryAfter::Seconds(4),
            throttle_headers: false,
        }),
        ..Faults::none()
    });
    let get = |id: &str| json!({"id": id, "method": "GET", "url": "/policies/crossTenantAccessPolicy"});
    let reply = h.post("/v1.0/$batch", &json!({"requests": [get("a"), get("b"), get("c"), get("d")]})).await;
    assert_eq!(reply.status, 200);
    let statuses: Vec<u64> =
        reply.json["responses"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [200, 429, 200, 429]);
    assert_eq!(reply.json["responses"][1]["headers"]["Retry-After"], "4");
    assert_eq!(h.emulator.stats().throttled, 2);
}

#[tokio::test]
async fn faults_can_apply_to_the_token_endpoint_but_never_to_admin() {
    let h = Harness::default().await;
    h.emulator.set_faults(Faults {
        service_unavailable: Some(ServerErrorFault { rule: FaultRule::always(), retry_after: RetryAfter::Seconds(1) }),
        ..Faults::none()
    });
    h.client_secret_token().await;
    let admin = h.http.get(h.url("/_emulator/stats")).send().await.unwrap();
    assert_eq!(admin.status(), 200);
    h.emulator.set_faults(Faults {
        service_unavailable: Some(ServerErrorFault { rule: FaultRule::always(), retry_after: RetryAfter::Seconds(1) }),
        apply_to_token_endpoint: true,
        ..Faults::none()
    });
    let reply = h
        .token_request(&[
            ("client_id", h.emulator.client_id()),
            ("client_secret", h.emulator.client_secret()),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert_eq!(reply.json["error"], "temporarily_unavailable");
    h.emulator.set_faults(Faults {
        reset_before_write: Some(FaultRule::always()),
        apply_to_token_endpoint: true,
        ..Faults::none()
    });
    let dropped = h.http.post(h.emulator.token_endpoint()).form(&[("grant_type", "client_credentials")]).send().await;
    assert!(dropped.is_err());
}

#[tokio::test]
async fn faults_from_config_apply_from_the_start_and_reset_clears_them() {
    let faults = Faults { gateway_timeout: Some(ServerErrorFault::every_nth(1)), ..Faults::none() };
    let h = Harness::start(EmulatorConfig::default().with_faults(faults)).await;
    assert_eq!(h.get(POLICY).await.status, 504);
    h.emulator.reset();
    assert_eq!(h.emulator.faults(), Faults::none());
    assert_eq!(h.get(POLICY).await.status, 200);
}

#[tokio::test]
async fn identity_sync_put_is_create_only_unless_the_upsert_reading_is_switched_on() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    let sync = format!("{}/identitySynchronization", partner_path());
    let first = json!({"displayName": "first", "userSyncInbound": {"isSyncAllowed": true}});
    assert_eq!(h.put(&sync, &first).await.status, 204);
    let second = json!({"displayName": "second"});
    let refused = h.put(&sync, &second).await;
    assert_eq!(refused.status, 409, "the create-only reading is the default");
    assert_eq!(h.get(&sync).await.json["displayName"], "first");

    h.emulator.set_faults(Faults { identity_sync_put_upserts: true, ..Faults::none() });
    assert_eq!(h.put(&sync, &second).await.status, 204);
    let replaced = h.get(&sync).await.json;
    assert_eq!(replaced["displayName"], "second");
    assert_eq!(replaced["userSyncInbound"], Value::Null, "a PUT replaces the whole policy");
}

#[tokio::test]
async fn a_refused_identity_sync_expansion_is_a_403_while_plain_partner_reads_work() {
    let h = Harness::default().await;
    h.create_partner(TENANT_A).await;
    h.emulator.set_faults(Faults { refuse_identity_sync_expand: true, ..Faults::none() });
    for path in [
        format!("{PARTNERS}?$expand=identitySynchronization"),
        format!("{}?$expand=identitySynchronization", partner_path()),
    ] {
        let reply = h.get(&path).await;
        assert_eq!(reply.status, 403, "{path}");
        assert_eq!(reply.error_code(), "Authorization_RequestDenied");
    }
    assert_eq!(h.get(PARTNERS).await.status, 200);
    assert_eq!(h.get(&partner_path()).await.status, 200);
    assert_eq!(
        h.get(&format!("{}/identitySynchronization", partner_path())).await.status,
        404,
        "its own endpoint still answers"
    );
}
