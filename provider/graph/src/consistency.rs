//! Waiting out Entra's replication lag after a write.
//!
//! Entra is replicated: right after a write, a read can still see the old state (404 after a create, the old
//! values after a PATCH, the object after a DELETE), and a re-create right after a delete can get 409. The write
//! calls of this crate therefore poll until reads agree with the write several times in a row, because one good
//! read from one replica does not mean the next read hits an up-to-date one. The waits are bounded both by the
//! policy's `max_wait` and by the operation's deadline. A write that succeeded is never reported as failed because
//! the wait ran out: it logs a warning instead, and the next refresh shows the real state.

use crate::error::GraphError;
use crate::operation::Operation;
use serde_json::Value;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// How to wait for writes to become visible.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsistencyPolicy {
    /// How many reads in a row must agree with the write. 0 turns waiting off.
    pub consecutive_reads: u32,
    /// The pause between two agreeing reads, and the first pause after a disagreeing one.
    pub poll_interval: Duration,
    /// The longest pause while reads still disagree (the pause doubles up to this).
    pub max_poll_interval: Duration,
    /// Give up waiting after this long (and warn), even if the operation's deadline is later.
    pub max_wait: Duration,
}

impl Default for ConsistencyPolicy {
    fn default() -> Self {
        ConsistencyPolicy {
            consecutive_reads: 3,
            poll_interval: Duration::from_secs(1),
            max_poll_interval: Duration::from_secs(8),
            max_wait: Duration::from_secs(300),
        }
    }
}

impl ConsistencyPolicy {
    /// Near-zero pauses, for tests against the emulator.
    pub fn fast() -> Self {
        ConsistencyPolicy {
            consecutive_reads: 3,
            poll_interval: Duration::from_millis(5),
            max_poll_interval: Duration::from_millis(40),
            max_wait: Duration::from_secs(20),
        }
    }

    /// Polls `check` until it returns `true` for `consecutive_reads` reads in a row. Returns whether that
    /// happened; `false` means the wait ran out (or the operation ended) first. Errors from `check` count as
    /// disagreement, except an interrupted operation, which ends the wait.
    pub async fn wait_until<F, Fut>(&self, op: &Operation, what: &str, mut check: F) -> bool
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<bool, GraphError>>,
    {
        if self.consecutive_reads == 0 {
            return true;
        }
        let give_up = Instant::now() + self.max_wait;
        let mut agreeing = 0;
        let mut pause = self.poll_interval;
        let mut reads = 0u32;
        loop {
            reads += 1;
            match check().await {
                Ok(true) => {
                    agreeing += 1;
                    if agreeing >= self.consecutive_reads {
                        tracing::debug!(what, reads, "write is visible");
                        return true;
                    }
                    pause = self.poll_interval;
                }
                Ok(false) => {
                    agreeing = 0;
                }
                Err(e) if e.is_interrupted() => return false,
                Err(e) => {
                    tracing::debug!(what, error = %e, "consistency check failed; will check again");
                    agreeing = 0;
                }
            }
            if Instant::now() + pause > give_up {
                tracing::warn!(
                    what,
                    waited_s = self.max_wait.as_secs(),
                    "Microsoft Graph did not show the change consistently in time; continuing, and the next refresh \
                     will show the real state"
                );
                return false;
            }
            if !op.sleep(pause).await {
                return false;
            }
            if agreeing == 0 {
                pause = (pause * 2).min(self.max_poll_interval);
            }
        }
    }
}

/// True when `read` shows everything `sent` asked for, property by property.
///
/// `read` may have more properties than `sent`. A `null` that was sent matches a missing property, `null`, or an
/// object whose members are all null (Graph's way of returning unset consent settings). Arrays are compared as
/// multisets, since Graph may reorder collections it treats as sets. GUIDs compare case-insensitively.
pub fn reflects(sent: &Value, read: &Value) -> bool {
    match (sent, read) {
        (Value::Null, Value::Null) => true,
        (Value::Null, Value::Object(members)) => members.values().all(|v| reflects(&Value::Null, v)),
        (Value::Object(members), Value::Null) => members.values().all(|v| reflects(v, &Value::Null)),
        (Value::Object(sent), Value::Object(read)) => {
            sent.iter().all(|(key, value)| reflects(value, read.get(key).unwrap_or(&Value::Null)))
        }
        (Value::Array(sent), Value::Array(read)) => {
            if sent.len() != read.len() {
                return false;
            }
            let mut unmatched: Vec<&Value> = read.iter().collect();
            sent.iter().all(|item| match unmatched.iter().position(|candidate| reflects(item, candidate)) {
                Some(i) => {
                    unmatched.swap_remove(i);
                    true
                }
                None => false,
            })
        }
        (Value::String(a), Value::String(b)) => {
            a == b || (crate::auth::is_guid(a) && crate::auth::is_guid(b) && a.eq_ignore_ascii_case(b))
        }
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn reflects_compares_property_by_property() {
        let read = json!({
            "tenantId": "3D0F5DEC-5D3D-455C-8016-E2AF1AE4D31A",
            "inboundTrust": null,
            "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null},
            "b2bCollaborationInbound": {
                "usersAndGroups": {"accessType": "allowed", "targets": [
                    {"target": "AllUsers", "targetType": "user"},
                    {"target": "a1b2c3d4-0000-0000-0000-00000000aaaa", "targetType": "group"}
                ]},
                "applications": null
            },
            "isServiceProvider": false
        });
        assert!(reflects(&json!({"tenantId": "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a"}), &read));
        assert!(reflects(&json!({"inboundTrust": null, "automaticUserConsentSettings": null}), &read));
        assert!(reflects(&json!({"m365CollaborationInbound": null}), &read), "a sent null matches a missing property");
        assert!(reflects(
            &json!({"b2bCollaborationInbound": {"usersAndGroups": {"accessType": "allowed", "targets": [
                {"target": "A1B2C3D4-0000-0000-0000-00000000AAAA", "targetType": "group"},
                {"target": "AllUsers", "targetType": "user"}
            ]}, "applications": null}}),
            &read
        ));
        assert!(!reflects(&json!({"inboundTrust": {"isMfaAccepted": true}}), &read));
        assert!(!reflects(&json!({"b2bCollaborationInbound": {"usersAndGroups": {"accessType": "blocked"}}}), &read));
        assert!(!reflects(
            &json!({"b2bCollaborationInbound": {"usersAndGroups": {"targets": [{"target": "AllUsers", "targetType": "user"}]}}}),
            &read
        ));
        assert!(
            !reflects(&json!({"displayName": "alluSers"}), &json!({"displayName": "AllUsers"})),
            "only GUIDs ignore case"
        );
    }

    #[tokio::test]
    async fn waits_for_consecutive_agreeing_reads() {
        let reads = Arc::new(AtomicU32::new(0));
        // Disagree twice, agree once, disagree (a stale replica), then agree from then on.
        let script = [false, false, true, false, true, true, true, true];
        let policy = ConsistencyPolicy::fast();
        let op = Operation::with_timeout(Duration::from_secs(5));
        let counter = reads.clone();
        let confirmed = policy
            .wait_until(&op, "test", || {
                let n = counter.fetch_add(1, Ordering::SeqCst) as usize;
                async move { Ok(script[n.min(script.len() - 1)]) }
            })
            .await;
        assert!(confirmed);
        assert_eq!(reads.load(Ordering::SeqCst), 7, "three agreeing reads after the stale one");
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_wait_without_failing() {
        let policy = ConsistencyPolicy { max_wait: Duration::from_secs(10), ..ConsistencyPolicy::default() };
        let op = Operation::with_timeout(Duration::from_secs(600));
        let started = Instant::now();
        assert!(!policy.wait_until(&op, "test", || async { Ok(false) }).await);
        assert!(started.elapsed() <= Duration::from_secs(10));
    }

    #[tokio::test]
    async fn zero_consecutive_reads_do_not_read() {
        // ENTRA_CONSISTENCY_READS=0 turns waiting off.
        let op = Operation::with_timeout(Duration::from_secs(1));
        let disabled = ConsistencyPolicy { consecutive_reads: 0, ..ConsistencyPolicy::fast() };
        let confirmed = disabled.wait_until(&op, "test", || async { panic!("no read expected") }).await;
        assert!(confirmed);
    }
}
