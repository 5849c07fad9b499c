//! When and how long to wait before trying a request again.
//!
//! Throttling (429) is honoured exactly: Graph's `Retry-After` says how long the caller must wait, and waiting
//! longer only makes a throttled apply slower, so the wait is the header's value with no extra margin. Without the
//! header, and for transient failures (5xx, broken connections, unreadable bodies), the wait grows exponentially
//! with random jitter, so many clients failing together do not retry in lockstep.

use std::time::Duration;

/// Retry timings. All of them are bounded by each operation's deadline as well.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// The first backoff for a transient failure without `Retry-After`.
    pub initial_backoff: Duration,
    /// The longest backoff between two attempts.
    pub max_backoff: Duration,
    /// How many times a transient failure (5xx, network, unreadable body) is retried before giving up, even if
    /// the deadline is far away. Throttling (429) does not count: it always means "wait, then it will work".
    pub max_transient_retries: u32,
    /// How long one attempt may take (connect, send, and read the whole response).
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_transient_retries: 8,
            attempt_timeout: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Near-zero waits, for tests against the emulator.
    pub fn fast() -> Self {
        RetryPolicy {
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(50),
            max_transient_retries: 8,
            attempt_timeout: Duration::from_secs(20),
        }
    }

    /// The backoff before retry number `retry` (0 for the first retry): exponential growth capped at
    /// `max_backoff`, then "equal jitter" (half fixed, half random), so waits never collapse to zero.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponential = self.initial_backoff.saturating_mul(2u32.saturating_pow(retry.min(20)));
        let capped = exponential.min(self.max_backoff);
        let half = capped / 2;
        let jitter = half.mul_f64(rand::random::<f64>());
        half + jitter
    }
}

/// Reads a `Retry-After` header: either delay-seconds or an HTTP date (RFC 9110 allows both). A date in the past
/// means "now". `now` is passed in so the date form can be tested.
pub(crate) fn parse_retry_after(value: &str, now: time::OffsetDateTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        if seconds.is_finite() && seconds >= 0.0 {
            return Some(Duration::from_secs_f64(seconds));
        }
        return None;
    }
    let when = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let delta = when - now;
    Some(if delta.is_negative() { Duration::ZERO } else { delta.unsigned_abs() })
}

/// How a failed attempt should be treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transience {
    /// Retrying cannot help (4xx other than the cases below).
    Permanent,
    /// Throttled: wait as told, then retry.
    Throttled,
    /// A server or gateway failure that usually passes.
    Transient,
}

/// Classifies an HTTP status. 408 (the server gave up waiting for the request) and 5xx pass with time; 429 is
/// throttling. 501 and 505 say the request can never work, so they are permanent.
pub(crate) fn classify_status(status: u16) -> Transience {
    match status {
        429 => Transience::Throttled,
        408 | 500 | 502 | 503 | 504 | 507 | 509 => Transience::Transient,
        _ => Transience::Permanent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_with_bounded_jitter() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            ..RetryPolicy::default()
        };
        for _ in 0..200 {
            for (retry, full) in [(0, 100), (1, 200), (2, 400), (3, 800), (4, 1600), (5, 2000), (30, 2000)] {
                let wait = policy.backoff(retry);
                let full = Duration::from_millis(full);
                assert!(wait >= full / 2 && wait <= full, "retry {retry}: {wait:?} not in [{:?}, {full:?}]", full / 2);
            }
        }
    }

    #[test]
    fn jitter_spreads_waits() {
        let policy = RetryPolicy::default();
        let waits: std::collections::HashSet<Duration> = (0..50).map(|_| policy.backoff(3)).collect();
        assert!(waits.len() > 10, "jitter produced too few distinct waits: {}", waits.len());
    }

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        let now = time::macros::datetime!(2026-11-21 10:00:00 UTC);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("1.5", now), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("Sat, 21 Nov 2026 10:00:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Sat, 21 Nov 2026 09:59:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn statuses_are_classified() {
        assert_eq!(classify_status(429), Transience::Throttled);
        for transient in [408, 500, 502, 503, 504] {
            assert_eq!(classify_status(transient), Transience::Transient, "{transient}");
        }
        for permanent in [400, 401, 403, 404, 409, 412, 501, 505] {
            assert_eq!(classify_status(permanent), Transience::Permanent, "{permanent}");
        }
    }
}
