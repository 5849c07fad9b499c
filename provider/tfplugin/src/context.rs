//! Per-operation context, and the provider's configured state shared with resources.
//!
//! Every call into provider code gets a [`Context`]. It carries:
//! - cancellation: Terraform's StopProvider (the user pressed Ctrl-C) trips it, so long waits can end early;
//! - an optional deadline, which resources set from their `timeouts` attribute with [`Context::with_timeout`];
//! - a sink for warnings that accompany a successful result, and for the partial state of a create that failed
//!   half-way (so Terraform keeps track of an object that does exist).
//!
//! [`Configured`] is how resources reach what `ConfigureProvider` produced (for this provider, the Graph client):
//! the provider crate creates one, hands clones to its resources, and sets it during configure. A resource used
//! before configure gets a clear diagnostic instead of a panic.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::value::Value;

/// What one provider operation knows about its circumstances. Cheap to clone; clones share cancellation and the
/// diagnostics sink.
#[derive(Debug, Clone)]
pub struct Context {
    cancel: CancellationToken,
    deadline: Option<Instant>,
    sink: Arc<Mutex<Sink>>,
}

#[derive(Debug, Default)]
struct Sink {
    diagnostics: Diagnostics,
    partial_state: Option<Value>,
}

impl Context {
    /// A context that is cancelled through `cancel`. The server makes one per RPC.
    pub fn new(cancel: CancellationToken) -> Self {
        Context { cancel, deadline: None, sink: Arc::default() }
    }

    /// A context that is never cancelled and has no deadline, for tests and tools.
    pub fn background() -> Self {
        Context::new(CancellationToken::new())
    }

    /// True once Terraform asked the provider to stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Completes when Terraform asks the provider to stop.
    pub async fn cancelled(&self) {
        self.cancel.cancelled().await;
    }

    /// The token Terraform's StopProvider trips, for handing to libraries that take a cancellation token of their
    /// own (such as a client's per-call operation), so their waits end when the user presses Ctrl-C.
    pub fn cancellation_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// The deadline, if one was set.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Time left before the deadline (zero once it passed); `None` without a deadline.
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline.map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// A context with a deadline `timeout` from now (or the current deadline, if that is sooner). It shares
    /// cancellation and the diagnostics sink with `self`.
    #[must_use]
    pub fn with_timeout(&self, timeout: Duration) -> Context {
        let candidate = Instant::now() + timeout;
        let deadline = Some(self.deadline.map_or(candidate, |d| d.min(candidate)));
        Context { cancel: self.cancel.clone(), deadline, sink: Arc::clone(&self.sink) }
    }

    /// Runs `work`, ending it early with an error diagnostic if Terraform cancels the operation or the deadline
    /// passes. `what` names the work for the message, e.g. "creating partner 1234".
    pub async fn run<T, F>(&self, what: &str, work: F) -> Result<T, Diagnostics>
    where
        F: Future<Output = Result<T, Diagnostics>>,
    {
        let deadline = async {
            match self.deadline {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            result = work => result,
            () = self.cancel.cancelled() => Err(Diagnostics::error(
                format!("Interrupted while {what}"),
                "Terraform asked the provider to stop, so the operation was abandoned. The remote object may be \
                 in an intermediate state; run `terraform plan` to see where things stand.",
            )),
            () = deadline => Err(Diagnostics::error(
                format!("Timed out while {what}"),
                "The operation did not finish before its deadline. Increase the resource's `timeouts` if the \
                 service is slow, or try again later.",
            )),
        }
    }

    /// Records a diagnostic (usually a warning) that should reach the user even though the operation succeeds.
    pub fn add_diagnostic(&self, diagnostic: Diagnostic) {
        self.lock().diagnostics.push(diagnostic);
    }

    /// Records a warning that should reach the user even though the operation succeeds.
    pub fn warn(&self, summary: impl Into<String>, detail: impl Into<String>) {
        self.add_diagnostic(Diagnostic::warning(summary, detail));
    }

    /// Records the state of an object that now exists remotely, in case a later step of the same create or update
    /// fails. If the operation then returns an error, Terraform stores this state (a created object is marked
    /// tainted) instead of losing track of the object. Call it right after the remote object was created.
    pub fn record_partial_state(&self, state: Value) {
        self.lock().partial_state = Some(state);
    }

    /// Takes the diagnostics recorded so far (usually warnings), leaving none behind. The server does this after
    /// every RPC and returns them to Terraform; a caller that runs a resource's operations itself (the provider's
    /// `export` command) calls it after each operation, so that its warnings reach the user and are not mistaken
    /// for those of the next operation. Contexts made with [`Context::with_timeout`] share the same record.
    pub fn take_diagnostics(&self) -> Diagnostics {
        std::mem::take(&mut self.lock().diagnostics)
    }

    /// Takes the partial state recorded so far.
    pub(crate) fn take_partial_state(&self) -> Option<Value> {
        self.lock().partial_state.take()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sink> {
        // The sink only holds plain data, so a panic elsewhere cannot leave it inconsistent.
        self.sink.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// State produced by `ConfigureProvider` and shared with resources and data sources.
///
/// Terraform configures a provider process before using its resources, and in debug or test mode one process may
/// be configured again for every Terraform command, so setting replaces the previous value.
#[derive(Debug)]
pub struct Configured<T> {
    inner: Arc<RwLock<Option<Arc<T>>>>,
}

impl<T> Clone for Configured<T> {
    fn clone(&self) -> Self {
        Configured { inner: Arc::clone(&self.inner) }
    }
}

impl<T> Default for Configured<T> {
    fn default() -> Self {
        Configured { inner: Arc::new(RwLock::new(None)) }
    }
}

impl<T> Configured<T> {
    /// Nothing configured yet.
    pub fn new() -> Self {
        Configured::default()
    }

    /// Stores the configured value (replacing an earlier one).
    pub fn set(&self, value: T) {
        *self.inner.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(value));
    }

    /// The configured value, or an error diagnostic explaining that the provider was not configured.
    pub fn get(&self) -> Result<Arc<T>, Diagnostics> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner).clone().ok_or_else(|| {
            Diagnostics::error(
                "Provider not configured",
                "This operation needs the provider's configuration, but Terraform has not configured the \
                 provider yet. This is a bug in the provider or in Terraform; please report it to the provider \
                 developers.",
            )
        })
    }

    /// True once a value was set.
    pub fn is_set(&self) -> bool {
        self.inner.read().unwrap_or_else(PoisonError::into_inner).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_reports_use_before_configure_as_a_diagnostic() {
        let shared: Configured<String> = Configured::new();
        let err = shared.get().unwrap_err();
        assert!(err.iter().next().unwrap().summary.contains("not configured"));
        let resource_copy = shared.clone();
        shared.set("client".to_owned());
        assert_eq!(resource_copy.get().unwrap().as_str(), "client");
        shared.set("second".to_owned());
        assert_eq!(resource_copy.get().unwrap().as_str(), "second");
    }

    #[tokio::test]
    async fn run_ends_early_on_cancellation() {
        let token = CancellationToken::new();
        let ctx = Context::new(token.clone());
        token.cancel();
        let result: Result<(), _> = ctx.run("waiting", std::future::pending()).await;
        assert!(result.unwrap_err().iter().next().unwrap().summary.contains("Interrupted while waiting"));
    }

    #[tokio::test(start_paused = true)]
    async fn run_ends_at_the_deadline_and_the_earlier_deadline_wins() {
        let ctx = Context::background().with_timeout(Duration::from_secs(5)).with_timeout(Duration::from_secs(60));
        assert!(ctx.remaining().unwrap() <= Duration::from_secs(5));
        let result: Result<(), _> = ctx.run("creating", std::future::pending()).await;
        assert!(result.unwrap_err().iter().next().unwrap().summary.contains("Timed out while creating"));
    }

    #[test]
    fn the_cancellation_token_is_the_one_stop_trips() {
        let token = CancellationToken::new();
        let ctx = Context::new(token.clone()).with_timeout(Duration::from_secs(5));
        let handed_out = ctx.cancellation_token();
        assert!(!handed_out.is_cancelled());
        token.cancel();
        assert!(handed_out.is_cancelled() && ctx.is_cancelled());
    }

    #[test]
    fn clones_share_the_sink() {
        let ctx = Context::background();
        ctx.clone().warn("heads up", "");
        ctx.record_partial_state(Value::string("x"));
        assert_eq!(ctx.take_diagnostics().len(), 1);
        assert_eq!(ctx.take_partial_state(), Some(Value::string("x")));
        assert_eq!(ctx.take_partial_state(), None);
    }
}
