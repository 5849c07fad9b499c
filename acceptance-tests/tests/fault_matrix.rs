//! The fault matrix: a fleet of 20 partners (five with identity synchronization), the default configuration and
//! the tenant-wide policy, applied, updated (settings changed and reverted, partners added and removed, one partner
//! replaced in place, the singletons changed) and destroyed by real Terraform while the emulator injects one fault
//! at a time, and then all of them together:
//!
//! | fault | how |
//! |---|---|
//! | 429 with `Retry-After` | every 7th request, `Retry-After: 1` |
//! | 429 without `Retry-After` | every 3rd request; the client backs off on its own |
//! | 503 / 504 | every 4th request |
//! | connection reset before a write | every 3rd write never reaches the store |
//! | connection reset after a write | every 3rd write is applied, but its answer is lost |
//! | read-after-write lag | reads show the store as it was 300 ms earlier |
//! | reserved-after-delete 409 | a deleted partner's tenant id is refused for 1.5 s |
//! | write lock | every write fails with 503 (`Retry-After: 1`) for the first 1.5 s of each phase |
//!
//! After every phase: the apply succeeded, the plans with and without refresh are empty, the state holds exactly
//! what the emulator holds (compared object by object, nothing orphaned in Graph, nothing in the state that Graph
//! lacks), and after destroy the tenant is back to a fresh one.
//!
//! The provider runs with short backoffs (see `RETRY_TUNING`), so faults cost little time; the whole matrix takes
//! well under a minute. `ENTRA_FAULT_MATRIX_HEAVY=1` runs a heavier variant: 60 partners (15 with identity
//! synchronization), faults drawn at random with the same rates instead of every n-th request, and every scenario
//! under three seeds.

mod reliability_support;

use acceptance_tests::entra::EmulatorEnv;
use entra_graph_emulator::{
    EmulatorConfig, FaultRule, Faults, RetryAfter, ServerErrorFault, Throttle, ThrottleMode, Trigger, WriteLock,
};
use reliability_support::{
    Fleet, Version, apply_converges, fleet_config, nothing_left, partner_address, state_matches_emulator,
};

/// Backoffs for the matrix. `FAST_TUNING`'s 5–50 ms are shorter than one request to the emulator takes, and then
/// the requests a dropped HTTP/2 connection fails together (every request in flight shares the connection) retry
/// together and fail together again, until they run out of retries: a lockstep the production backoffs (500 ms to
/// 30 s, longer than a Graph request) do not have. Backoffs a little longer than a request keep the production
/// behaviour and still finish in seconds.
///
/// The retry count is raised with it, so the retries still span about the time the production settings give them
/// (8 retries from 500 ms to 30 s wait about a minute; 30 from 20 ms to 200 ms wait about five seconds): with
/// backoffs 25 times shorter but the same 8 retries, a request gives up after about a second. That is too short
/// for the combined scenario, where a dropped HTTP/2 connection also fails every other request in flight on it, so
/// a write can meet its own faults and its neighbours' nine times in a row (CI saw this once in a destroy).
const RETRY_TUNING: [(&str, &str); 3] = [
    ("ENTRA_RETRY_INITIAL_BACKOFF", "20ms"),
    ("ENTRA_RETRY_MAX_BACKOFF", "200ms"),
    ("ENTRA_RETRY_MAX_TRANSIENT_RETRIES", "30"),
];

/// Whether the heavy variant was asked for.
fn heavy() -> bool {
    std::env::var("ENTRA_FAULT_MATRIX_HEAVY").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn fleet() -> Fleet {
    if heavy() { Fleet { partners: 60, syncs: 15 } } else { Fleet { partners: 20, syncs: 5 } }
}

/// The seeds each scenario runs under (they drive the random faults of the heavy variant).
fn seeds() -> &'static [u64] {
    if heavy() { &[1, 2, 3] } else { &[0x5eed] }
}

/// One request in `n` gets the fault: every n-th one, or (heavy variant) each with probability 1/n.
fn one_in(n: u64) -> FaultRule {
    let trigger = if heavy() { Trigger::Rate { probability: 1.0 / n as f64 } } else { Trigger::EveryNth { n } };
    FaultRule { trigger, method: None, route: None }
}

fn throttle(n: u64, retry_after: RetryAfter) -> Throttle {
    Throttle { mode: ThrottleMode::Rule(one_in(n)), retry_after, throttle_headers: true }
}

fn server_error(n: u64) -> ServerErrorFault {
    ServerErrorFault { rule: one_in(n), retry_after: RetryAfter::Omit }
}

fn write_lock() -> WriteLock {
    WriteLock { duration_ms: Some(1500), retry_after: RetryAfter::Seconds(1), ..WriteLock::default() }
}

/// What a scenario did, for the report in docs/reliability.md.
struct Report {
    requests: u64,
    faults: u64,
}

/// Runs the fleet through apply, update and destroy with `faults` set afresh before each phase (so counters and
/// the write lock's clock restart), checking convergence and the state after each.
fn run_scenario(name: &str, faults: Faults, seed: u64) -> Report {
    let fleet = fleet();
    let mut env = EmulatorEnv::with_config(EmulatorConfig::default().with_seed(seed));
    for (name, value) in RETRY_TUNING {
        env.set_env(name, Some(value));
    }
    let harness = env.harness();
    let mut workdir = harness.workdir();
    let mut problems = Vec::new();
    let mut phase = |what: &str, config: Option<String>, extra: &[&str]| -> bool {
        env.emulator().set_faults(faults.clone());
        let result = match config {
            Some(config) => {
                workdir.write_config(&config);
                apply_converges(&mut workdir, what, extra)
                    .map(|_| ())
                    .and_then(|()| state_matches_emulator(&workdir.state(), &env).map_err(|e| format!("{what}: {e}")))
            }
            None => {
                let output = workdir.destroy();
                if output.success() {
                    let left = workdir.state().addresses();
                    if left.is_empty() {
                        nothing_left(&env).map_err(|e| format!("{what}: {e}"))
                    } else {
                        Err(format!("{what}: left in the state: {left:?}"))
                    }
                } else {
                    Err(format!("{what}: destroy failed:\n{output}"))
                }
            }
        };
        match result {
            Ok(()) => true,
            Err(problem) => {
                problems.push(problem);
                false
            }
        }
    };
    // The replaced partner is deleted and created again under the same tenant id, which meets the reservation of
    // a just-deleted id (409) where that fault is on.
    let replace = format!("-replace={}", partner_address(fleet.syncs + 1));
    let ok = phase("create", Some(fleet_config(fleet, Version::Initial)), &[])
        && phase("update", Some(fleet_config(fleet, Version::Updated)), &[&replace]);
    // Destroy even after a failed phase, so the emulator's leftovers are reported too.
    phase("destroy", None, &[]);
    let _ = ok;
    let stats = env.stats();
    let faults_seen = stats.throttled + stats.status_count(503) + stats.status_count(504) + stats.status_count(409);
    eprintln!(
        "fault matrix [{name}]: {} Graph requests, {} token requests, {} writes, {} throttled, {} 503, {} 504, {} \
         409, {} failed connections",
        stats.total,
        stats.token_requests,
        stats.writes,
        stats.throttled,
        stats.status_count(503),
        stats.status_count(504),
        stats.status_count(409),
        stats.connection_resets
    );
    assert!(problems.is_empty(), "[{name}] the fleet did not converge:\n{}", problems.join("\n\n"));
    Report { requests: stats.total, faults: faults_seen + stats.connection_resets }
}

/// Runs a scenario under each seed and checks that its fault really happened.
fn scenario(name: &str, faults: Faults, happened: impl Fn(&Report) -> bool) {
    acceptance_tests::emulator_only!("fault injection");
    for seed in seeds() {
        let report = run_scenario(&format!("{name}, seed {seed}"), faults.clone(), *seed);
        assert!(report.requests > 0);
        assert!(
            happened(&report),
            "[{name}] the fault never fired ({} faults in {} requests)",
            report.faults,
            report.requests
        );
    }
}

#[test]
fn throttling_with_retry_after() {
    scenario(
        "429 with Retry-After",
        Faults { throttle: Some(throttle(7, RetryAfter::Seconds(1))), ..Faults::none() },
        |r| r.faults > 0,
    );
}

#[test]
fn throttling_without_retry_after() {
    scenario(
        "429 without Retry-After",
        Faults { throttle: Some(throttle(3, RetryAfter::Omit)), ..Faults::none() },
        |r| r.faults > 0,
    );
}

#[test]
fn service_unavailable() {
    scenario("503", Faults { service_unavailable: Some(server_error(4)), ..Faults::none() }, |r| r.faults > 0);
}

#[test]
fn gateway_timeout() {
    scenario("504", Faults { gateway_timeout: Some(server_error(4)), ..Faults::none() }, |r| r.faults > 0);
}

#[test]
fn connection_reset_before_writes() {
    scenario("reset before write", Faults { reset_before_write: Some(one_in(3)), ..Faults::none() }, |r| r.faults > 0);
}

#[test]
fn connection_reset_after_writes() {
    scenario("reset after write", Faults { reset_after_write: Some(one_in(3)), ..Faults::none() }, |r| r.faults > 0);
}

#[test]
fn read_after_write_lag() {
    scenario("lag", Faults { read_after_write_lag_ms: 300, ..Faults::none() }, |_| true);
}

#[test]
fn reserved_after_delete() {
    scenario("reserved after delete", Faults { reserve_deleted_ms: 1500, ..Faults::none() }, |r| r.faults > 0);
}

#[test]
fn write_lock_during_each_phase() {
    scenario("write lock", Faults { write_lock: Some(write_lock()), ..Faults::none() }, |r| r.faults > 0);
}

/// Every fault at once.
fn combined() -> Faults {
    Faults {
        throttle: Some(throttle(11, RetryAfter::Seconds(0))),
        service_unavailable: Some(server_error(13)),
        gateway_timeout: Some(server_error(17)),
        reset_before_write: Some(one_in(7)),
        reset_after_write: Some(one_in(5)),
        read_after_write_lag_ms: 200,
        reserve_deleted_ms: 1000,
        write_lock: Some(WriteLock { duration_ms: Some(1000), ..write_lock() }),
        // Sign-in meets the same throttling, failures and dropped connections.
        apply_to_token_endpoint: true,
        ..Faults::none()
    }
}

#[test]
fn every_fault_combined() {
    scenario("combined", combined(), |r| r.faults > 0);
}
