//! Retries, throttling and eventual consistency against the emulator's fault injection.

mod common;

use common::*;
use entra_graph::models::*;
use entra_graph::{CancellationToken, GraphError, Operation};
use entra_graph_emulator::{
    FaultRule, Faults, MalformedFault, MalformedKind, RetryAfter, ServerErrorFault, Throttle, ThrottleMode, WriteLock,
};
use serde_json::json;
use std::time::{Duration, Instant};

const PARTNER_ROUTE: &str = "/policies/crossTenantAccessPolicy/partners/{id}";
const DEFAULT_ROUTE: &str = "/policies/crossTenantAccessPolicy/default";

fn throttle(rule: FaultRule, retry_after: RetryAfter) -> Faults {
    Faults {
        throttle: Some(Throttle { mode: ThrottleMode::Rule(rule), retry_after, throttle_headers: true }),
        ..Faults::none()
    }
}

/// A client whose token is already fetched, so faults hit only the Graph calls under test.
async fn warmed_client(emulator: &entra_graph_emulator::Emulator) -> entra_graph::GraphClient {
    let client = client(emulator);
    client.check_credentials(&op()).await.unwrap();
    emulator.reset_stats();
    client
}

#[tokio::test]
async fn throttling_honours_retry_after_exactly() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(throttle(FaultRule::first_n(2), RetryAfter::Seconds(1)));
    let started = Instant::now();
    client.get_default(&op()).await.unwrap();
    let elapsed = started.elapsed();
    let stats = emulator.stats();
    assert_eq!(stats.throttled, 2);
    assert_eq!(stats.retry_after_seconds, 2);
    // The client waits what Graph imposes, and not much more.
    assert!(elapsed >= Duration::from_secs(2), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2900), "{elapsed:?}");
}

#[tokio::test]
async fn throttling_without_retry_after_backs_off() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(throttle(FaultRule::first_n(3), RetryAfter::Omit));
    client.get_policy(&op()).await.unwrap();
    let stats = emulator.stats();
    assert_eq!(stats.throttled, 3);
    assert_eq!(stats.count("GET /policies/crossTenantAccessPolicy"), 4);
}

#[tokio::test]
async fn service_unavailable_and_gateway_timeout_are_retried_for_reads_and_writes() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(Faults {
        service_unavailable: Some(ServerErrorFault { rule: FaultRule::first_n(2), retry_after: RetryAfter::Omit }),
        ..Faults::none()
    });
    client.get_default(&op()).await.unwrap();
    emulator.set_faults(Faults {
        gateway_timeout: Some(ServerErrorFault { rule: FaultRule::first_n(2), retry_after: RetryAfter::Omit }),
        ..Faults::none()
    });
    client.get_default(&op()).await.unwrap();
    assert_eq!(emulator.stats().status_count(503), 2);
    assert_eq!(emulator.stats().status_count(504), 2);

    emulator.set_faults(Faults {
        service_unavailable: Some(ServerErrorFault {
            rule: FaultRule::first_n(1).for_method("PATCH"),
            retry_after: RetryAfter::Omit,
        }),
        // Each fault counts every PATCH: the first gets 503, the second 504, the third goes through.
        gateway_timeout: Some(ServerErrorFault {
            rule: FaultRule::every_nth(2).for_method("PATCH"),
            retry_after: RetryAfter::Omit,
        }),
        ..Faults::none()
    });
    emulator.reset_stats();
    let trust = properties(json!({"inboundTrust": {"isMfaAccepted": true}}));
    client.update_default(&op(), &trust).await.unwrap();
    assert_eq!(emulator.state()["default"]["inboundTrust"]["isMfaAccepted"], json!(true));
    assert_eq!(emulator.stats().count(&format!("PATCH {DEFAULT_ROUTE}")), 3);
}

#[tokio::test]
async fn a_retry_after_on_503_is_honoured() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(Faults {
        service_unavailable: Some(ServerErrorFault {
            rule: FaultRule::first_n(1),
            retry_after: RetryAfter::Seconds(1),
        }),
        ..Faults::none()
    });
    let started = Instant::now();
    client.get_policy(&op()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn persistent_server_errors_give_up_with_the_graph_error() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(Faults {
        service_unavailable: Some(ServerErrorFault { rule: FaultRule::always(), retry_after: RetryAfter::Omit }),
        ..Faults::none()
    });
    let err = client.get_policy(&op()).await.unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
    assert_eq!(emulator.stats().count("GET /policies/crossTenantAccessPolicy"), 9, "1 try + 8 retries");
}

#[tokio::test]
async fn a_reset_before_a_create_is_retried_without_duplicates() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    emulator
        .set_faults(Faults { reset_before_write: Some(FaultRule::first_n(1).for_method("POST")), ..Faults::none() });
    let created = client.create_partner(&op(), PARTNER_A, &Properties::new()).await.unwrap();
    assert_eq!(created.tenant_id, PARTNER_A);
    let stats = emulator.stats();
    assert_eq!(stats.connection_resets, 1);
    assert_eq!(stats.writes_applied, 1);
    assert_eq!(emulator.state()["partners"].as_object().unwrap().len(), 1);
}

#[tokio::test]
async fn a_reset_after_a_create_is_reconciled_as_our_own() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(Faults { reset_after_write: Some(FaultRule::first_n(1).for_method("POST")), ..Faults::none() });
    let new = properties(json!({"inboundTrust": {"isMfaAccepted": true}}));
    let created = client.create_partner(&op(), PARTNER_A, &new).await.unwrap();
    assert_eq!(created.setting("inboundTrust").unwrap()["isMfaAccepted"], json!(true));
    let stats = emulator.stats();
    assert_eq!(stats.connection_resets, 1);
    assert_eq!(
        stats.count("POST /policies/crossTenantAccessPolicy/partners"),
        2,
        "the retry met the first attempt's partner"
    );
    assert_eq!(stats.errors_by_status.get(&409), Some(&1));
    assert_eq!(emulator.state()["partners"].as_object().unwrap().len(), 1, "no duplicate, no orphan");
}

#[tokio::test]
async fn a_reset_after_an_identity_sync_put_is_reconciled() {
    let emulator = start_default();
    emulator.create_partner(json!({"tenantId": PARTNER_B})).unwrap();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(Faults { reset_after_write: Some(FaultRule::first_n(1).for_method("PUT")), ..Faults::none() });
    let policy = IdentitySyncPolicy {
        display_name: Some("Fabrikam".into()),
        user_sync_inbound: Some(UserSyncInbound { is_sync_allowed: Some(true) }),
        ..Default::default()
    };
    client.create_identity_sync(&op(), PARTNER_B, &policy).await.unwrap();
    assert_eq!(emulator.stats().errors_by_status.get(&409), Some(&1));
    assert_eq!(emulator.identity_sync(PARTNER_B).unwrap()["displayName"], "Fabrikam");
}

#[tokio::test]
async fn resets_after_idempotent_writes_are_simply_retried() {
    let emulator = start_default();
    emulator.create_partner(json!({"tenantId": PARTNER_A})).unwrap();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(Faults { reset_after_write: Some(FaultRule::first_n(1)), ..Faults::none() });
    let patch = properties(json!({"inboundTrust": {"isMfaAccepted": true}}));
    client.update_partner(&op(), PARTNER_A, &patch).await.unwrap();
    assert_eq!(emulator.partner(PARTNER_A).unwrap()["inboundTrust"]["isMfaAccepted"], json!(true));

    emulator.set_faults(Faults { reset_after_write: Some(FaultRule::first_n(1)), ..Faults::none() });
    client.delete_partner(&op(), PARTNER_A).await.unwrap();
    assert!(emulator.partner(PARTNER_A).is_none());
    assert!(emulator.stats().errors_by_status.get(&404).copied().unwrap_or(0) >= 1, "the retried DELETE met 404");
}

#[tokio::test]
async fn writes_wait_out_read_after_write_lag() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(Faults { read_after_write_lag_ms: 400, ..Faults::none() });
    let op = op();

    let started = Instant::now();
    client.create_partner(&op, PARTNER_A, &Properties::new()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400), "the create waited for visibility");
    assert!(client.fetch_partner(&op, PARTNER_A).await.unwrap().is_some(), "visible right after create returns");

    let patch = properties(json!({"inboundTrust": {"isMfaAccepted": true}}));
    client.update_partner(&op, PARTNER_A, &patch).await.unwrap();
    let read = client.fetch_partner(&op, PARTNER_A).await.unwrap().unwrap();
    assert_eq!(
        read.setting("inboundTrust").unwrap()["isMfaAccepted"],
        json!(true),
        "the update shows right after it returns"
    );

    client.delete_partner(&op, PARTNER_A).await.unwrap();
    assert!(client.fetch_partner(&op, PARTNER_A).await.unwrap().is_none(), "gone right after delete returns");
    assert!(emulator.stats().status_count(404) >= 1, "there was lag to wait out");
}

#[tokio::test]
async fn a_re_create_waits_out_the_reserved_window_after_delete() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(Faults { reserve_deleted_ms: 500, ..Faults::none() });
    let op = op();
    client.create_partner(&op, PARTNER_A, &Properties::new()).await.unwrap();
    client.delete_partner(&op, PARTNER_A).await.unwrap();
    let started = Instant::now();
    client.create_partner(&op, PARTNER_A, &Properties::new()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
    assert!(emulator.stats().errors_by_status.get(&409).copied().unwrap_or(0) >= 1);
    assert!(emulator.partner(PARTNER_A).is_some());
}

#[tokio::test]
async fn writes_are_retried_through_a_write_lock() {
    let emulator = start_default();
    // Tests back off in milliseconds; give the lock enough retries to outlast it, as real backoff times would.
    let mut options = fast_options(&emulator);
    options.retry.max_transient_retries = 100;
    let client = entra_graph::GraphClient::new(&secret_settings(&emulator), options).unwrap();
    emulator.set_faults(Faults {
        write_lock: Some(WriteLock { duration_ms: Some(400), ..WriteLock::default() }),
        ..Faults::none()
    });
    let started = Instant::now();
    let trust = properties(json!({"inboundTrust": {"isCompliantDeviceAccepted": true}}));
    client.update_default(&op(), &trust).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert!(emulator.stats().status_count(503) >= 1);
    assert_eq!(emulator.state()["default"]["inboundTrust"]["isCompliantDeviceAccepted"], json!(true));
}

#[tokio::test]
async fn damaged_read_responses_are_retried() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    let expected = client.get_default(&op()).await.unwrap();
    for kind in [MalformedKind::TruncatedJson, MalformedKind::HtmlBadGateway, MalformedKind::ErrorEnvelopeWithOk] {
        emulator.set_faults(Faults {
            malformed: vec![MalformedFault {
                kind,
                rule: FaultRule::first_n(1).for_method("GET").for_route(DEFAULT_ROUTE),
            }],
            ..Faults::none()
        });
        emulator.reset_stats();
        let read = client.get_default(&op()).await.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(read, expected, "{kind:?}");
        assert_eq!(emulator.stats().count(&format!("GET {DEFAULT_ROUTE}")), 2, "{kind:?} was retried once");
    }
}

/// A body that is valid JSON but does not fit (a wrong type where a value is needed, long-standing properties
/// missing) is Graph's answer, not damage in transit: the read fails at once and says why, with no retries.
#[tokio::test]
async fn well_formed_answers_that_do_not_fit_fail_without_retrying() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    for (kind, problem) in
        [(MalformedKind::WrongTypes, "unexpected content"), (MalformedKind::MissingProperties, "is missing")]
    {
        emulator.set_faults(Faults {
            malformed: vec![MalformedFault {
                kind,
                rule: FaultRule::first_n(1).for_method("GET").for_route(DEFAULT_ROUTE),
            }],
            ..Faults::none()
        });
        emulator.reset_stats();
        let error = client.get_default(&op()).await.unwrap_err();
        assert!(matches!(error, GraphError::InvalidResponse { .. }), "{kind:?}: {error:?}");
        assert!(error.to_string().contains(problem), "{kind:?}: {error}");
        assert_eq!(emulator.stats().count(&format!("GET {DEFAULT_ROUTE}")), 1, "{kind:?} was not retried");
    }
}

#[tokio::test]
async fn extra_properties_and_unknown_enum_values_are_tolerated() {
    let emulator = start_default();
    emulator.create_partner(json!({
        "tenantId": PARTNER_A,
        "b2bCollaborationInbound": {
            "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
            "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
        }
    }))
    .unwrap();
    let client = warmed_client(&emulator).await;
    for kind in [MalformedKind::ExtraProperties, MalformedKind::UnknownEnumValues] {
        emulator.set_faults(Faults {
            malformed: vec![MalformedFault { kind, rule: FaultRule::first_n(1).for_route(PARTNER_ROUTE) }],
            ..Faults::none()
        });
        emulator.reset_stats();
        let partner = client.fetch_partner(&op(), PARTNER_A).await.unwrap().unwrap();
        assert_eq!(emulator.stats().count(&format!("GET {PARTNER_ROUTE}")), 1, "{kind:?} is accepted as is");
        let access = &partner.setting("b2bCollaborationInbound").unwrap()["usersAndGroups"]["accessType"];
        match kind {
            MalformedKind::UnknownEnumValues => assert_eq!(access, "unknownFutureValue"),
            _ => assert_eq!(access, "allowed"),
        }
    }
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_fails_at_once() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(throttle(FaultRule::always(), RetryAfter::Seconds(30)));
    let started = Instant::now();
    let err = client.get_policy(&Operation::with_timeout(Duration::from_secs(3))).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1), "no sleeping toward a deadline that cannot be met");
    assert!(matches!(err, GraphError::DeadlineExceeded { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("reading the cross-tenant access policy did not finish within its 3s timeout"), "{text}");
    assert!(text.contains("429 Too Many Requests"), "{text}");
}

#[tokio::test]
async fn cancellation_stops_a_throttled_wait() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    emulator.set_faults(throttle(FaultRule::always(), RetryAfter::Seconds(5)));
    let cancel = CancellationToken::new();
    let op = Operation::new(Duration::from_secs(60), cancel.clone());
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        cancel.cancel();
    });
    let started = Instant::now();
    let err = client.get_policy(&op).await.unwrap_err();
    canceller.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.to_string(), "reading the cross-tenant access policy was cancelled");
}

#[tokio::test]
async fn an_unknown_create_outcome_at_the_deadline_is_reported_as_such() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    // The create is applied but the answer is lost; the retry meets 409, and the read that would settle it is
    // throttled past the deadline.
    emulator.set_faults(Faults {
        reset_after_write: Some(FaultRule::first_n(1).for_method("POST")),
        throttle: Some(Throttle {
            mode: ThrottleMode::Rule(FaultRule::always().for_method("GET").for_route(PARTNER_ROUTE)),
            retry_after: RetryAfter::Seconds(30),
            throttle_headers: false,
        }),
        ..Faults::none()
    });
    let err = client
        .create_partner(&Operation::with_timeout(Duration::from_secs(3)), PARTNER_A, &Properties::new())
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::OutcomeUnknown { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("creating partner configuration {PARTNER_A} may or may not have happened")),
        "{err}"
    );
}

#[tokio::test]
async fn a_create_that_keeps_failing_after_an_unknown_outcome_is_not_reported_as_a_plain_failure() {
    let emulator = start_default();
    let client = warmed_client(&emulator).await;
    // A gateway failure does not prove the partner was not created, and the retries all fail the same way.
    emulator.set_faults(Faults {
        gateway_timeout: Some(ServerErrorFault {
            rule: FaultRule::always().for_method("POST"),
            retry_after: RetryAfter::Omit,
        }),
        ..Faults::none()
    });
    let err = client.create_partner(&op(), PARTNER_A, &Properties::new()).await.unwrap_err();
    assert!(matches!(err, GraphError::OutcomeUnknown { .. }), "{err:?}");
    assert!(err.to_string().contains("504 Gateway Timeout"), "{err}");
    assert_eq!(emulator.stats().count(&format!("GET {PARTNER_ROUTE}")), 1, "it looked before answering");
}
