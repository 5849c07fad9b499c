//! Fault injection: throttling, server errors, dropped connections, replication lag, reserved tenant ids, a write
//! lock and malformed responses (graph-api.md §8.2, §8.3, §11 item 11).
//!
//! Every fault is off by default, can be replaced at run time, and is deterministic: counters start at zero and the
//! random generator is re-seeded from the configured seed whenever the faults change. Faults apply to Graph routes
//! only (and to the token endpoint when [`Faults::apply_to_token_endpoint`] is set), never to the admin surface.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The complete fault configuration. JSON form (admin surface, CLI `--faults-file`) uses these field names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Fixed delay before every affected request is handled, in milliseconds.
    pub latency_ms: u64,
    /// 429 Too Many Requests.
    pub throttle: Option<Throttle>,
    /// 503 Service Unavailable.
    pub service_unavailable: Option<ServerErrorFault>,
    /// 504 Gateway Timeout.
    pub gateway_timeout: Option<ServerErrorFault>,
    /// Drop the connection without a response before a write is applied.
    pub reset_before_write: Option<FaultRule>,
    /// Apply the write, then drop the connection without a response (the client cannot know it succeeded).
    pub reset_after_write: Option<FaultRule>,
    /// For this many milliseconds after a write, reads see the state from before it.
    pub read_after_write_lag_ms: u64,
    /// For this many milliseconds after a partner delete, re-creating the same tenant gets 409.
    pub reserve_deleted_ms: u64,
    /// Writes fail transiently while the store is "migrating".
    pub write_lock: Option<WriteLock>,
    /// Corrupted responses.
    pub malformed: Vec<MalformedFault>,
    /// Apply latency, throttling, server errors and resets to the token endpoint too.
    pub apply_to_token_endpoint: bool,
    /// For this many milliseconds after a template instantiate, the new service principal is not replicated yet:
    /// `GET /servicePrincipals/{id}` and every request under it (synchronization, `appRoleAssignedTo`) answer 404,
    /// and listings leave it out (graph-sync-and-mto.md A.1).
    pub service_principal_lag_ms: u64,
    /// The upsert reading of `PUT …/identitySynchronization`: `crossTenantIdentitySyncPolicyPartner` declares
    /// `UpdateMethod = PUT` in Graph's metadata, so a PUT on an existing policy may replace it (204) instead of
    /// answering 409 as the create-only reading (the default) does.
    pub identity_sync_put_upserts: bool,
    /// Refuse `$expand=identitySynchronization` on partner reads with 403 `Authorization_RequestDenied`, as for a
    /// role that may read partners "excluding identity synchronization settings" (Teams Administrator, Global Secure
    /// Access Administrator). The envelope is inferred; Graph documents the roles, not the answer.
    pub refuse_identity_sync_expand: bool,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Faults::default()
    }
}

/// When a fault fires, counted over the requests it applies to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// Every request.
    Always,
    /// The n-th, 2n-th, 3n-th ... request.
    EveryNth {
        /// The period (0 never fires).
        n: u64,
    },
    /// The first n requests, then never again.
    FirstN {
        /// How many requests fire.
        n: u64,
    },
    /// Each request with this probability, drawn from the seeded generator.
    Rate {
        /// Probability between 0 and 1.
        probability: f64,
    },
}

/// A trigger and the requests it applies to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// When the fault fires.
    pub trigger: Trigger,
    /// Only requests with this method (case-insensitive), if set.
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose route template (as in [`crate::Stats::by_route`], without the method) equals this, if set.
    #[serde(default)]
    pub route: Option<String>,
}

impl FaultRule {
    /// A rule that fires on every n-th request.
    pub fn every_nth(n: u64) -> Self {
        FaultRule { trigger: Trigger::EveryNth { n }, method: None, route: None }
    }

    /// A rule that fires on the first n requests.
    pub fn first_n(n: u64) -> Self {
        FaultRule { trigger: Trigger::FirstN { n }, method: None, route: None }
    }

    /// A rule that fires on every request.
    pub fn always() -> Self {
        FaultRule { trigger: Trigger::Always, method: None, route: None }
    }

    /// A rule that fires with the given probability.
    pub fn rate(probability: f64) -> Self {
        FaultRule { trigger: Trigger::Rate { probability }, method: None, route: None }
    }

    /// Restricts the rule to one method.
    pub fn for_method(mut self, method: &str) -> Self {
        self.method = Some(method.to_owned());
        self
    }

    /// Restricts the rule to one route template, for example `/policies/crossTenantAccessPolicy/partners/{id}`.
    pub fn for_route(mut self, route: &str) -> Self {
        self.route = Some(route.to_owned());
        self
    }

    fn applies_to(&self, method: &str, route: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.route.as_deref().is_none_or(|r| r == route)
    }
}

/// What `Retry-After` a fault response carries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "seconds", rename_all = "snake_case")]
pub enum RetryAfter {
    /// `Retry-After: <seconds>` (0 allowed).
    Seconds(u64),
    /// No `Retry-After` header: the client must back off on its own.
    #[default]
    Omit,
    /// The time until the token bucket has enough units again (token-bucket throttling only; otherwise 1 second).
    UntilRefill,
}

/// 429 throttling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    /// How requests are chosen for a 429.
    pub mode: ThrottleMode,
    /// The `Retry-After` of a 429.
    #[serde(default)]
    pub retry_after: RetryAfter,
    /// Send `x-ms-throttle-scope`, `x-ms-throttle-information` on 429 and `x-ms-throttle-limit-percentage` near
    /// the limit (graph-api.md §8.2).
    #[serde(default)]
    pub throttle_headers: bool,
}

impl Throttle {
    /// 429 on every n-th request with `Retry-After: retry_after_secs`.
    pub fn every_nth(n: u64, retry_after_secs: u64) -> Self {
        Throttle {
            mode: ThrottleMode::Rule(FaultRule::every_nth(n)),
            retry_after: RetryAfter::Seconds(retry_after_secs),
            throttle_headers: true,
        }
    }
}

/// How throttled requests are chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ThrottleMode {
    /// By a trigger (every n-th, first n, rate).
    Rule(FaultRule),
    /// By a resource-unit token bucket like Graph's identity limits (graph-api.md §8.2).
    TokenBucket(TokenBucket),
}

/// A resource-unit token bucket. Request costs follow graph-api.md §8.2: 1 RU per request, +1 for `$expand`, -1 for
/// `$select` and for `$top` below 20 (minimum 1); writes also cost one write unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBucket {
    /// Resource units available per window (Graph: 3,500 to 8,000 per 10 s for an app and tenant).
    pub resource_units: u32,
    /// The RU window in milliseconds; the bucket refills continuously at `resource_units / window`.
    pub window_ms: u64,
    /// Write units per write window (Graph: 3,000 per 150 s), if writes are limited separately.
    #[serde(default)]
    pub writes: Option<u32>,
    /// The write window in milliseconds.
    #[serde(default = "default_write_window_ms")]
    pub write_window_ms: u64,
}

fn default_write_window_ms() -> u64 {
    150_000
}

/// A 503 or 504 fault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerErrorFault {
    /// When it fires.
    pub rule: FaultRule,
    /// The `Retry-After` it carries.
    #[serde(default)]
    pub retry_after: RetryAfter,
}

impl ServerErrorFault {
    /// Fires on every n-th request, without `Retry-After`.
    pub fn every_nth(n: u64) -> Self {
        ServerErrorFault { rule: FaultRule::every_nth(n), retry_after: RetryAfter::Omit }
    }
}

/// Writes fail while the store is locked (the 2023 storage migration, graph-api.md §8.3). The code is undocumented,
/// so status and code are configurable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WriteLock {
    /// How long writes fail after the lock is set, in milliseconds; `None` until the faults change.
    pub duration_ms: Option<u64>,
    /// The status of the failed writes (default 503).
    pub status: u16,
    /// The error code.
    pub code: String,
    /// The `Retry-After` the failures carry.
    pub retry_after: RetryAfter,
}

impl Default for WriteLock {
    fn default() -> Self {
        WriteLock {
            duration_ms: None,
            status: 503,
            code: "serviceNotAvailable".to_owned(),
            retry_after: RetryAfter::Omit,
        }
    }
}

/// A corrupted response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MalformedFault {
    /// What is wrong with the response.
    pub kind: MalformedKind,
    /// Which requests get it.
    pub rule: FaultRule,
}

/// Ways a response can be corrupted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MalformedKind {
    /// The JSON body is cut in half (the status stays).
    TruncatedJson,
    /// 502 with an HTML page, as a proxy in front of Graph would send.
    HtmlBadGateway,
    /// 200 with an OData error envelope as the body.
    ErrorEnvelopeWithOk,
    /// Booleans become strings and strings become numbers.
    WrongTypes,
    /// Unknown properties are added to every object (including undocumented ones seen live, quirk Q11).
    ExtraProperties,
    /// Every property except keys is removed from the top-level object(s).
    MissingProperties,
    /// Every enum value becomes `unknownFutureValue`.
    UnknownEnumValues,
}

/// A small deterministic generator (SplitMix64), so runs depend only on the seed.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A float in [0, 1).
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A fault decision for one request, before it is handled.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Injected {
    Throttled { retry_after: Option<u64>, information: &'static str },
    ServiceUnavailable { retry_after: Option<u64> },
    GatewayTimeout { retry_after: Option<u64> },
    WriteLocked { status: u16, code: String, retry_after: Option<u64> },
}

/// The running state of the faults: the configuration plus counters, the generator, the buckets and the lock start.
#[derive(Debug)]
pub(crate) struct FaultEngine {
    pub(crate) faults: Faults,
    seed: u64,
    rng: SplitMix64,
    counters: HashMap<String, u64>,
    set_at: Instant,
    bucket: Option<Bucket>,
    write_bucket: Option<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    capacity: f64,
    level: f64,
    per_ms: f64,
    updated: Instant,
}

impl Bucket {
    fn new(capacity: u32, window_ms: u64) -> Bucket {
        let capacity = f64::from(capacity.max(1));
        Bucket { capacity, level: capacity, per_ms: capacity / window_ms.max(1) as f64, updated: Instant::now() }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64() * 1000.0;
        self.level = (self.level + elapsed * self.per_ms).min(self.capacity);
        self.updated = now;
    }

    /// Milliseconds until `cost` units are available.
    fn wait_ms(&self, cost: f64) -> f64 {
        ((cost - self.level).max(0.0)) / self.per_ms
    }

    fn used_fraction(&self) -> f64 {
        1.0 - self.level / self.capacity
    }
}

/// Facts about one request that faults look at.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestFacts<'a> {
    pub(crate) method: &'a str,
    pub(crate) route: &'a str,
    pub(crate) is_write: bool,
    pub(crate) resource_units: u32,
}

impl FaultEngine {
    pub(crate) fn new(faults: Faults, seed: u64) -> FaultEngine {
        let mut engine = FaultEngine {
            faults: Faults::default(),
            seed,
            rng: SplitMix64::new(seed),
            counters: HashMap::new(),
            set_at: Instant::now(),
            bucket: None,
            write_bucket: None,
        };
        engine.set(faults);
        engine
    }

    /// Replaces the faults and restarts counters, generator, buckets and the lock clock.
    pub(crate) fn set(&mut self, faults: Faults) {
        self.rng = SplitMix64::new(self.seed);
        self.counters.clear();
        self.set_at = Instant::now();
        self.bucket = None;
        self.write_bucket = None;
        if let Some(Throttle { mode: ThrottleMode::TokenBucket(bucket), .. }) = &faults.throttle {
            self.bucket = Some(Bucket::new(bucket.resource_units, bucket.window_ms));
            self.write_bucket = bucket.writes.map(|w| Bucket::new(w, bucket.write_window_ms));
        }
        self.faults = faults;
    }

    pub(crate) fn latency(&self) -> Option<Duration> {
        (self.faults.latency_ms > 0).then(|| Duration::from_millis(self.faults.latency_ms))
    }

    pub(crate) fn lag(&self) -> Option<Duration> {
        (self.faults.read_after_write_lag_ms > 0).then(|| Duration::from_millis(self.faults.read_after_write_lag_ms))
    }

    pub(crate) fn identity_sync_put_upserts(&self) -> bool {
        self.faults.identity_sync_put_upserts
    }

    pub(crate) fn refuse_identity_sync_expand(&self) -> bool {
        self.faults.refuse_identity_sync_expand
    }

    pub(crate) fn reservation(&self) -> Option<Duration> {
        (self.faults.reserve_deleted_ms > 0).then(|| Duration::from_millis(self.faults.reserve_deleted_ms))
    }

    /// Decides whether `rule` fires for this request, advancing its counter when the request matches.
    fn fires(&mut self, name: &str, rule: &FaultRule, facts: RequestFacts<'_>) -> bool {
        if !rule.applies_to(facts.method, facts.route) {
            return false;
        }
        let count = self.counters.entry(name.to_owned()).or_insert(0);
        *count += 1;
        let count = *count;
        match rule.trigger {
            Trigger::Always => true,
            Trigger::EveryNth { n } => n > 0 && count.is_multiple_of(n),
            Trigger::FirstN { n } => count <= n,
            Trigger::Rate { probability } => self.rng.next_f64() < probability,
        }
    }

    /// Faults that answer instead of the handler: throttling, then 503/504, then the write lock.
    pub(crate) fn before_handling(&mut self, facts: RequestFacts<'_>) -> Option<Injected> {
        // Every fault counts every request it applies to, so each one's period is independent of the others; when
        // several fire at once the first in this order answers.
        let throttled = self.throttle(facts);
        let unavailable = match self.faults.service_unavailable.clone() {
            Some(fault) if self.fires("service_unavailable", &fault.rule, facts) => {
                Some(Injected::ServiceUnavailable { retry_after: fixed_retry_after(&fault.retry_after) })
            }
            _ => None,
        };
        let timed_out = match self.faults.gateway_timeout.clone() {
            Some(fault) if self.fires("gateway_timeout", &fault.rule, facts) => {
                Some(Injected::GatewayTimeout { retry_after: fixed_retry_after(&fault.retry_after) })
            }
            _ => None,
        };
        let locked = match &self.faults.write_lock {
            Some(lock)
                if facts.is_write
                    && lock.duration_ms.is_none_or(|ms| self.set_at.elapsed() < Duration::from_millis(ms)) =>
            {
                Some(Injected::WriteLocked {
                    status: lock.status,
                    code: lock.code.clone(),
                    retry_after: fixed_retry_after(&lock.retry_after),
                })
            }
            _ => None,
        };
        throttled.or(unavailable).or(timed_out).or(locked)
    }

    fn throttle(&mut self, facts: RequestFacts<'_>) -> Option<Injected> {
        let throttle = self.faults.throttle.clone()?;
        match &throttle.mode {
            ThrottleMode::Rule(rule) => self.fires("throttle", rule, facts).then_some(Injected::Throttled {
                retry_after: match throttle.retry_after {
                    RetryAfter::Seconds(s) => Some(s),
                    RetryAfter::Omit => None,
                    RetryAfter::UntilRefill => Some(1),
                },
                information: "ResourceUnitLimitExceeded",
            }),
            ThrottleMode::TokenBucket(_) => {
                let now = Instant::now();
                let cost = f64::from(facts.resource_units.max(1));
                let bucket = self.bucket.as_mut()?;
                bucket.refill(now);
                let mut wait_ms = 0.0;
                let mut information = None;
                if bucket.level < cost {
                    wait_ms = bucket.wait_ms(cost);
                    information = Some("ResourceUnitLimitExceeded");
                }
                if facts.is_write
                    && let Some(writes) = self.write_bucket.as_mut()
                {
                    writes.refill(now);
                    if writes.level < 1.0 {
                        wait_ms = f64::max(wait_ms, writes.wait_ms(1.0));
                        information = Some("WriteLimitExceeded");
                    }
                }
                match information {
                    Some(information) => Some(Injected::Throttled {
                        retry_after: match throttle.retry_after {
                            RetryAfter::Seconds(s) => Some(s),
                            RetryAfter::Omit => None,
                            RetryAfter::UntilRefill => Some((wait_ms / 1000.0).ceil().max(1.0) as u64),
                        },
                        information,
                    }),
                    None => {
                        bucket.level -= cost;
                        if facts.is_write
                            && let Some(writes) = self.write_bucket.as_mut()
                        {
                            writes.level -= 1.0;
                        }
                        None
                    }
                }
            }
        }
    }

    /// The share of the RU bucket in use, when a bucket is configured (for `x-ms-throttle-limit-percentage`).
    pub(crate) fn bucket_usage(&self) -> Option<f64> {
        let throttle = self.faults.throttle.as_ref()?;
        if !throttle.throttle_headers {
            return None;
        }
        self.bucket.as_ref().map(Bucket::used_fraction)
    }

    /// Whether throttle headers are wanted.
    pub(crate) fn throttle_headers(&self) -> bool {
        self.faults.throttle.as_ref().is_some_and(|t| t.throttle_headers)
    }

    /// Whether to drop the connection before applying this write.
    pub(crate) fn reset_before_write(&mut self, facts: RequestFacts<'_>) -> bool {
        match (facts.is_write, self.faults.reset_before_write.clone()) {
            (true, Some(rule)) => self.fires("reset_before_write", &rule, facts),
            _ => false,
        }
    }

    /// Whether to drop the connection after applying this write.
    pub(crate) fn reset_after_write(&mut self, facts: RequestFacts<'_>) -> bool {
        match (facts.is_write, self.faults.reset_after_write.clone()) {
            (true, Some(rule)) => self.fires("reset_after_write", &rule, facts),
            _ => false,
        }
    }

    /// The corruption to apply to this response, if any.
    pub(crate) fn malformed(&mut self, facts: RequestFacts<'_>) -> Option<MalformedKind> {
        let faults = self.faults.malformed.clone();
        for (index, fault) in faults.iter().enumerate() {
            if self.fires(&format!("malformed{index}"), &fault.rule, facts) {
                return Some(fault.kind);
            }
        }
        None
    }
}

fn fixed_retry_after(retry_after: &RetryAfter) -> Option<u64> {
    match retry_after {
        RetryAfter::Seconds(s) => Some(*s),
        RetryAfter::Omit => None,
        RetryAfter::UntilRefill => Some(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(method: &'static str, is_write: bool) -> RequestFacts<'static> {
        RequestFacts { method, route: "/policies/crossTenantAccessPolicy", is_write, resource_units: 1 }
    }

    #[test]
    fn every_nth_fires_on_multiples() {
        let mut engine = FaultEngine::new(Faults { throttle: Some(Throttle::every_nth(3, 2)), ..Faults::default() }, 1);
        let fired: Vec<bool> = (0..6).map(|_| engine.before_handling(facts("GET", false)).is_some()).collect();
        assert_eq!(fired, [false, false, true, false, false, true]);
    }

    #[test]
    fn first_n_stops_firing() {
        let faults = Faults {
            service_unavailable: Some(ServerErrorFault { rule: FaultRule::first_n(2), retry_after: RetryAfter::Omit }),
            ..Faults::default()
        };
        let mut engine = FaultEngine::new(faults, 1);
        let fired: Vec<bool> = (0..4).map(|_| engine.before_handling(facts("GET", false)).is_some()).collect();
        assert_eq!(fired, [true, true, false, false]);
    }

    #[test]
    fn rate_is_deterministic_for_a_seed_and_restarts_on_set() {
        let faults = Faults {
            gateway_timeout: Some(ServerErrorFault { rule: FaultRule::rate(0.5), retry_after: RetryAfter::Omit }),
            ..Faults::default()
        };
        let mut a = FaultEngine::new(faults.clone(), 42);
        let mut b = FaultEngine::new(faults.clone(), 42);
        let run_a: Vec<bool> = (0..64).map(|_| a.before_handling(facts("GET", false)).is_some()).collect();
        let run_b: Vec<bool> = (0..64).map(|_| b.before_handling(facts("GET", false)).is_some()).collect();
        assert_eq!(run_a, run_b);
        assert!(run_a.iter().any(|f| *f) && run_a.iter().any(|f| !*f));
        a.set(faults);
        let again: Vec<bool> = (0..64).map(|_| a.before_handling(facts("GET", false)).is_some()).collect();
        assert_eq!(again, run_a);
    }

    #[test]
    fn rules_filter_by_method_and_route() {
        let rule = FaultRule::always().for_method("patch").for_route("/x");
        let faults = Faults { reset_before_write: Some(rule), ..Faults::default() };
        let mut engine = FaultEngine::new(faults, 1);
        let patch_x = RequestFacts { method: "PATCH", route: "/x", is_write: true, resource_units: 1 };
        let patch_y = RequestFacts { method: "PATCH", route: "/y", is_write: true, resource_units: 1 };
        let post_x = RequestFacts { method: "POST", route: "/x", is_write: true, resource_units: 1 };
        assert!(engine.reset_before_write(patch_x));
        assert!(!engine.reset_before_write(patch_y));
        assert!(!engine.reset_before_write(post_x));
    }

    #[test]
    fn token_bucket_throttles_when_empty_and_computes_retry_after() {
        let bucket = TokenBucket { resource_units: 3, window_ms: 10_000, writes: None, write_window_ms: 150_000 };
        let faults = Faults {
            throttle: Some(Throttle {
                mode: ThrottleMode::TokenBucket(bucket),
                retry_after: RetryAfter::UntilRefill,
                throttle_headers: true,
            }),
            ..Faults::default()
        };
        let mut engine = FaultEngine::new(faults, 1);
        for _ in 0..3 {
            assert_eq!(engine.before_handling(facts("GET", false)), None);
        }
        match engine.before_handling(facts("GET", false)) {
            Some(Injected::Throttled { retry_after: Some(seconds), information }) => {
                assert!((1..=4).contains(&seconds), "{seconds}");
                assert_eq!(information, "ResourceUnitLimitExceeded");
            }
            other => panic!("expected a 429, got {other:?}"),
        }
        assert!(engine.bucket_usage().unwrap() > 0.9);
    }

    #[test]
    fn write_bucket_limits_writes_only() {
        let bucket = TokenBucket { resource_units: 100, window_ms: 10_000, writes: Some(1), write_window_ms: 60_000 };
        let faults = Faults {
            throttle: Some(Throttle {
                mode: ThrottleMode::TokenBucket(bucket),
                retry_after: RetryAfter::Omit,
                throttle_headers: false,
            }),
            ..Faults::default()
        };
        let mut engine = FaultEngine::new(faults, 1);
        assert_eq!(engine.before_handling(facts("PATCH", true)), None);
        assert_eq!(
            engine.before_handling(facts("PATCH", true)),
            Some(Injected::Throttled { retry_after: None, information: "WriteLimitExceeded" })
        );
        assert_eq!(engine.before_handling(facts("GET", false)), None);
    }

    #[test]
    fn write_lock_blocks_writes_for_its_duration() {
        let lock = WriteLock { duration_ms: Some(50), ..WriteLock::default() };
        let mut engine = FaultEngine::new(Faults { write_lock: Some(lock), ..Faults::default() }, 1);
        assert!(matches!(
            engine.before_handling(facts("PATCH", true)),
            Some(Injected::WriteLocked { status: 503, .. })
        ));
        assert_eq!(engine.before_handling(facts("GET", false)), None);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(engine.before_handling(facts("PATCH", true)), None);
    }

    #[test]
    fn faults_round_trip_through_json() {
        let faults = Faults {
            latency_ms: 5,
            throttle: Some(Throttle::every_nth(2, 0)),
            malformed: vec![MalformedFault {
                kind: MalformedKind::TruncatedJson,
                rule: FaultRule::every_nth(2).for_method("GET"),
            }],
            ..Faults::default()
        };
        let json = serde_json::to_value(&faults).unwrap();
        assert_eq!(serde_json::from_value::<Faults>(json).unwrap(), faults);
        assert!(serde_json::from_value::<Faults>(serde_json::json!({"latency": 1})).is_err());
    }
}
