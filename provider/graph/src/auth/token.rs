//! Access tokens for Graph: fetched once, shared by every request of the process, and refreshed before they
//! expire.
//!
//! azure_identity's credentials cache tokens too, but not all of them (the Azure CLI credential runs `az` each
//! time), and none of them know about operation deadlines. This layer gives every method the same behaviour:
//! one fetch at a time (concurrent requests wait for it rather than each starting their own), a refresh ahead of
//! expiry, transient failures retried within the operation's deadline, and errors that say which credential failed.

use super::credential::{CredentialMethod, SkippedMethod};
use crate::error::GraphError;
use crate::operation::Operation;
use crate::retry::RetryPolicy;
use azure_core::credentials::{Secret, TokenCredential};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// A token is refreshed this long before it expires, or at half its lifetime if that is shorter, so a request
/// never leaves with a token that expires on the way.
const REFRESH_AHEAD: Duration = Duration::from_secs(300);

struct CachedToken {
    token: Secret,
    refresh_at: OffsetDateTime,
}

/// Makes a fresh credential of the configured kind.
pub(crate) type CredentialFactory = Arc<dyn Fn() -> Result<Arc<dyn TokenCredential>, String> + Send + Sync>;

/// The process-wide token source.
pub(crate) struct TokenProvider {
    credential: std::sync::Mutex<Arc<dyn TokenCredential>>,
    /// Replaces the credential when Graph rejects its token: azure_identity's credentials keep their own cache,
    /// which cannot be emptied, so a fresh credential is the only way to a fresh token.
    rebuild: Option<CredentialFactory>,
    method: CredentialMethod,
    /// Methods skipped during selection; shown when the fallback (Azure CLI) fails, so users see what else could
    /// have been configured.
    skipped: Vec<SkippedMethod>,
    scope: String,
    retry: RetryPolicy,
    cached: tokio::sync::Mutex<Option<CachedToken>>,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("method", &self.method)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    pub(crate) fn new(
        credential: Arc<dyn TokenCredential>,
        method: CredentialMethod,
        skipped: Vec<SkippedMethod>,
        scope: String,
        retry: RetryPolicy,
    ) -> Self {
        TokenProvider {
            credential: std::sync::Mutex::new(credential),
            rebuild: None,
            method,
            skipped,
            scope,
            retry,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// Lets [`TokenProvider::reject`] replace the credential.
    pub(crate) fn with_rebuild(mut self, rebuild: CredentialFactory) -> Self {
        self.rebuild = Some(rebuild);
        self
    }

    fn credential(&self) -> Arc<dyn TokenCredential> {
        self.credential.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Graph refused `token` (401): forget it, and start again from a fresh credential so the next request fetches a
    /// new token. Concurrent requests that were refused with the same token do this only once.
    pub(crate) async fn reject(&self, token: &Secret) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| c.token.secret() == token.secret()) {
            *cached = None;
            if let Some(rebuild) = &self.rebuild {
                match rebuild() {
                    Ok(fresh) => *self.credential.lock().unwrap_or_else(|p| p.into_inner()) = fresh,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not renew the credential after Graph refused its token")
                    }
                }
            }
            tracing::debug!(method = %self.method, "Graph refused the access token; a new one will be fetched");
        }
    }

    /// The credential method in use.
    pub(crate) fn method(&self) -> &CredentialMethod {
        &self.method
    }

    /// A valid token, from the cache or freshly fetched.
    pub(crate) async fn token(&self, op: &Operation) -> Result<Secret, GraphError> {
        let what = "getting an access token";
        // Holding the lock while fetching is the single flight: concurrent callers queue here and then find the
        // fresh token in the cache.
        let mut cached = match op.run(self.cached.lock()).await {
            Some(guard) => guard,
            None => return Err(op.interrupted(what, None)),
        };
        if let Some(token) = cached.as_ref()
            && OffsetDateTime::now_utc() < token.refresh_at
        {
            return Ok(token.token.clone());
        }
        let mut retries = 0;
        loop {
            let credential = self.credential();
            let attempt = op.run(credential.get_token(&[self.scope.as_str()], None)).await;
            let error = match attempt {
                None => return Err(op.interrupted(what, None)),
                Some(Ok(access)) => {
                    let now = OffsetDateTime::now_utc();
                    let lifetime: time::Duration = (access.expires_on - now).max(time::Duration::ZERO);
                    let half: time::Duration = lifetime / 2i32;
                    let ahead = half.min(time::Duration::try_from(REFRESH_AHEAD).unwrap_or(time::Duration::ZERO));
                    tracing::debug!(
                        method = %self.method,
                        expires_in_s = lifetime.whole_seconds(),
                        "obtained a Graph access token"
                    );
                    *cached = Some(CachedToken { token: access.token.clone(), refresh_at: access.expires_on - ahead });
                    return Ok(access.token);
                }
                Some(Err(e)) => e,
            };
            let transient = is_transient(&error);
            let failure = self.failure(&error);
            if !transient || retries >= self.retry.max_transient_retries {
                return Err(failure);
            }
            let wait = self.retry.backoff(retries);
            tracing::debug!(method = %self.method, error = %error, wait_ms = wait.as_millis() as u64, "retrying token request");
            retries += 1;
            if !op.sleep(wait).await {
                return Err(op.interrupted(what, Some(failure)));
            }
        }
    }

    fn failure(&self, error: &azure_core::Error) -> GraphError {
        let mut message = error.to_string();
        if self.method == CredentialMethod::AzureCli && !self.skipped.is_empty() {
            message.push_str("\nThe Azure CLI was used because no other method is configured:");
            for skipped in &self.skipped {
                message.push_str(&format!("\n  - {}: {}", skipped.method, skipped.reason));
            }
        }
        GraphError::Authentication { method: self.method.to_string(), message }
    }
}

/// Network failures and throttled or failing token endpoints pass with time; a wrong secret does not.
fn is_transient(error: &azure_core::Error) -> bool {
    use azure_core::error::ErrorKind;
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(azure) = e.downcast_ref::<azure_core::Error>() {
            match azure.kind() {
                ErrorKind::Io | ErrorKind::Connection => return true,
                ErrorKind::HttpResponse { status, .. } => {
                    return crate::retry::classify_status(u16::from(*status)) != crate::retry::Transience::Permanent;
                }
                _ => {}
            }
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_core::credentials::{AccessToken, TokenRequestOptions};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Hands out numbered tokens with a fixed lifetime, failing transiently the first `failures` times.
    #[derive(Debug)]
    struct CountingCredential {
        calls: AtomicUsize,
        lifetime: time::Duration,
        failures: usize,
    }

    #[async_trait::async_trait]
    impl TokenCredential for CountingCredential {
        async fn get_token(&self, _: &[&str], _: Option<TokenRequestOptions<'_>>) -> azure_core::Result<AccessToken> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            if n < self.failures {
                return Err(azure_core::Error::with_message(azure_core::error::ErrorKind::Io, "connection reset"));
            }
            Ok(AccessToken::new(Secret::new(format!("token-{n}")), OffsetDateTime::now_utc() + self.lifetime))
        }
    }

    fn provider(credential: Arc<CountingCredential>) -> TokenProvider {
        TokenProvider::new(
            credential,
            CredentialMethod::ClientSecret,
            vec![],
            "scope/.default".into(),
            RetryPolicy::fast(),
        )
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let credential = Arc::new(CountingCredential {
            calls: AtomicUsize::new(0),
            lifetime: time::Duration::hours(1),
            failures: 0,
        });
        let tokens = Arc::new(provider(credential.clone()));
        let op = Operation::with_timeout(Duration::from_secs(5));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (tokens, op) = (tokens.clone(), op.clone());
                tokio::spawn(async move { tokens.token(&op).await.unwrap().secret().to_owned() })
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.await.unwrap(), "token-0");
        }
        assert_eq!(credential.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn tokens_are_refreshed_before_they_expire() {
        // A 2-second token is refreshed after about 1 second (half its life), not when it has expired.
        let credential = Arc::new(CountingCredential {
            calls: AtomicUsize::new(0),
            lifetime: time::Duration::seconds(2),
            failures: 0,
        });
        let tokens = provider(credential.clone());
        let op = Operation::with_timeout(Duration::from_secs(10));
        assert_eq!(tokens.token(&op).await.unwrap().secret(), "token-0");
        assert_eq!(tokens.token(&op).await.unwrap().secret(), "token-0");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(tokens.token(&op).await.unwrap().secret(), "token-1");
    }

    #[tokio::test]
    async fn transient_failures_are_retried() {
        let credential = Arc::new(CountingCredential {
            calls: AtomicUsize::new(0),
            lifetime: time::Duration::hours(1),
            failures: 2,
        });
        let tokens = provider(credential.clone());
        let op = Operation::with_timeout(Duration::from_secs(10));
        assert_eq!(tokens.token(&op).await.unwrap().secret(), "token-2");
    }

    #[tokio::test]
    async fn permanent_failures_name_the_method() {
        #[derive(Debug)]
        struct Refusing;
        #[async_trait::async_trait]
        impl TokenCredential for Refusing {
            async fn get_token(
                &self,
                _: &[&str],
                _: Option<TokenRequestOptions<'_>>,
            ) -> azure_core::Result<AccessToken> {
                Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    "AADSTS7000215: Invalid client secret provided.",
                ))
            }
        }
        let tokens = TokenProvider::new(
            Arc::new(Refusing),
            CredentialMethod::ClientSecret,
            vec![],
            "s/.default".into(),
            RetryPolicy::fast(),
        );
        let err = tokens.token(&Operation::with_timeout(Duration::from_secs(5))).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "could not get a Microsoft Graph access token with a client secret: AADSTS7000215: Invalid client secret provided."
        );
    }
}
