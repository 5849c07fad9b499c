//! Deadlines and cancellation for one logical operation (a Terraform create, read, update or delete).
//!
//! Every public call takes an [`Operation`]. Retries, throttling waits and consistency polls all stop at its
//! deadline or when its cancellation token fires (Terraform's StopProvider), and then return
//! [`GraphError::DeadlineExceeded`] or [`GraphError::Cancelled`] instead of hanging on.

use crate::error::GraphError;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;
pub use tokio_util::sync::CancellationToken;

/// The time budget and stop signal of one operation.
#[derive(Debug, Clone)]
pub struct Operation {
    started: Instant,
    deadline: Instant,
    cancel: CancellationToken,
}

impl Operation {
    /// An operation that must finish within `timeout` and stops early when `cancel` fires.
    pub fn new(timeout: Duration, cancel: CancellationToken) -> Self {
        let started = Instant::now();
        Operation { started, deadline: started + timeout, cancel }
    }

    /// An operation that only has a timeout.
    pub fn with_timeout(timeout: Duration) -> Self {
        Operation::new(timeout, CancellationToken::new())
    }

    /// The whole time budget this operation was given.
    pub fn timeout(&self) -> Duration {
        self.deadline - self.started
    }

    /// Time left before the deadline (zero once it has passed).
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// True once the cancellation token has fired.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The cancellation token, for callers that start related work.
    pub fn cancellation_token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// The error for "stopped", naming `what` was being done and the last error seen, if any.
    pub(crate) fn interrupted(&self, what: &str, last_error: Option<GraphError>) -> GraphError {
        if self.is_cancelled() {
            GraphError::Cancelled { what: what.to_owned() }
        } else {
            GraphError::DeadlineExceeded {
                what: what.to_owned(),
                timeout: self.timeout(),
                last_error: last_error.map(Box::new),
            }
        }
    }

    /// Runs `future` until it finishes, the deadline passes or the operation is cancelled.
    pub(crate) async fn run<T>(&self, future: impl Future<Output = T>) -> Option<T> {
        if self.is_cancelled() {
            return None;
        }
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => None,
            result = tokio::time::timeout_at(self.deadline, future) => result.ok(),
        }
    }

    /// Sleeps for `duration`, unless that would pass the deadline or the operation is cancelled first; then it
    /// returns `false` at once without sleeping uselessly.
    pub(crate) async fn sleep(&self, duration: Duration) -> bool {
        if self.is_cancelled() || Instant::now() + duration > self.deadline {
            return false;
        }
        self.run(tokio::time::sleep(duration)).await.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn sleeping_past_the_deadline_fails_immediately() {
        let op = Operation::with_timeout(Duration::from_secs(10));
        let before = Instant::now();
        assert!(!op.sleep(Duration::from_secs(11)).await);
        assert_eq!(Instant::now(), before, "no time was spent on a sleep that could not finish");
        assert!(op.sleep(Duration::from_secs(9)).await);
        assert!(op.remaining() <= Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_interrupts_a_sleep() {
        let cancel = CancellationToken::new();
        let op = Operation::new(Duration::from_secs(600), cancel.clone());
        let canceller = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            cancel.cancel();
        });
        assert!(!op.sleep(Duration::from_secs(60)).await);
        canceller.await.unwrap();
        assert!(matches!(op.interrupted("reading", None), GraphError::Cancelled { .. }));
    }

    #[tokio::test(start_paused = true)]
    async fn run_stops_at_the_deadline() {
        let op = Operation::with_timeout(Duration::from_secs(5));
        let result = op.run(tokio::time::sleep(Duration::from_secs(60))).await;
        assert!(result.is_none());
        assert!(matches!(op.interrupted("reading", None), GraphError::DeadlineExceeded { .. }));
    }
}
