//! Request statistics, so tests can assert how many calls a client made and what the emulator imposed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A snapshot of the request statistics since start or the last reset.
///
/// Route keys are `"<METHOD> <template>"` with the version prefix stripped, for example
/// `GET /policies/crossTenantAccessPolicy/partners/{id}`. `$batch` sub-requests count as requests of their own
/// (and the envelope counts as `POST /$batch`). Token requests appear in `by_route` (as
/// `POST /{tenant}/oauth2/v2.0/token`) and in `token_requests`, but not in `total`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Stats {
    /// Graph requests, including `$batch` envelopes and sub-requests.
    pub total: u64,
    /// Requests by method and route template.
    pub by_route: BTreeMap<String, u64>,
    /// Graph responses by status code.
    pub by_status: BTreeMap<u16, u64>,
    /// Graph write requests received (POST, PATCH, PUT, DELETE; not the `$batch` envelope).
    pub writes: u64,
    /// Writes that changed the state.
    pub writes_applied: u64,
    /// Graph responses with status 400 or above.
    pub errors: u64,
    /// Graph error responses by status code.
    pub errors_by_status: BTreeMap<u16, u64>,
    /// 429 responses imposed by the throttling fault.
    pub throttled: u64,
    /// Sum of the `Retry-After` seconds imposed by fault responses.
    pub retry_after_seconds: u64,
    /// Connections dropped by the reset faults.
    pub connection_resets: u64,
    /// Requests to the token endpoints (OAuth and managed identity).
    pub token_requests: u64,
    /// Access tokens issued.
    pub tokens_issued: u64,
}

impl Stats {
    /// Requests counted for `"<METHOD> <template>"`, 0 when none.
    pub fn count(&self, method_and_route: &str) -> u64 {
        self.by_route.get(method_and_route).copied().unwrap_or(0)
    }

    /// Graph responses with this status.
    pub fn status_count(&self, status: u16) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    pub(crate) fn record_route(&mut self, key: String) {
        *self.by_route.entry(key).or_insert(0) += 1;
    }

    pub(crate) fn record_status(&mut self, status: u16) {
        *self.by_status.entry(status).or_insert(0) += 1;
        if status >= 400 {
            self.errors += 1;
            *self.errors_by_status.entry(status).or_insert(0) += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_routes_and_errors() {
        let mut stats = Stats::default();
        stats.record_route("GET /x".to_owned());
        stats.record_route("GET /x".to_owned());
        stats.record_status(200);
        stats.record_status(429);
        assert_eq!(stats.count("GET /x"), 2);
        assert_eq!(stats.count("GET /y"), 0);
        assert_eq!(stats.errors, 1);
        assert_eq!(stats.errors_by_status[&429], 1);
        assert_eq!(stats.status_count(200), 1);
        let json = serde_json::to_value(&stats).unwrap();
        assert_eq!(serde_json::from_value::<Stats>(json).unwrap(), stats);
    }
}
