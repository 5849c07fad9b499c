//! The provider's benchmark: how fast it starts and answers, and what a `terraform plan` or `apply` over many
//! partners costs beside Terraform's own floor, against the Graph emulator. It prints one Markdown table with the
//! machine description, medians and ranges over repeated runs, and each budget of issue #8 marked met or missed.
//!
//! Run it from the workspace root (it builds the release provider binary first):
//!
//! ```sh
//! cargo run -p entra-bench --release            # the full bench (N = 50, 200, 1000)
//! cargo run -p entra-bench --release -- --quick # a few minutes (N = 50, 200; fewer runs)
//! ```
//!
//! What it measures (see `docs/performance.md` for the results and how to read them):
//! 1. provider start → handshake line, and the first `GetProviderSchema` over a real AutoMTLS gRPC connection, for
//!    repeated starts of the release binary with the magic cookie and a Go-like `PLUGIN_CLIENT_CERT`; the peak RSS
//!    (`VmHWM`) of a provider process serving the largest plan (started with `--debug`, attached through
//!    `TF_REATTACH_PROVIDERS`);
//! 2. `terraform plan` (with refresh, state applied) over N partners through `dev_overrides` (the managed path with
//!    AutoMTLS that users run), with the emulator's latency on every request: Graph requests by route and wall
//!    time, beside the same plan over N `terraform_data` resources and the ratio of the two;
//!    and the provider's own CPU time per RPC in that plan (`provider_cpu`: user+system time of every provider
//!    process, read through a wrapper Terraform runs in the provider's place, over the RPCs they served);
//! 3. `terraform apply` creating partners with a 429 on every n-th Graph request: wall time beside the sum of the
//!    `Retry-After` waits the emulator imposed, and beside the same apply without throttling;
//! 4. cross-tenant synchronization: K configurations with M assignments between them, applied from the emulator's
//!    first tenant into its second, then `terraform plan` with refresh: Graph GETs by route against a budget
//!    derived from what each read needs (`sync::SyncGetBudget`), and wall time beside K + M `terraform_data`.
//!
//! Budgets are checked by reading this output, not by timed tests: timings on a shared machine vary too much to
//! fail a build on.

pub mod machine;
pub mod provider_cpu;
pub mod provider_process;
pub mod report;
pub mod scenarios;
pub mod summary;
pub mod sync;
pub mod terraform;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use machine::Machine;
use report::{Budget, Report, Row};
use scenarios::{PlanExtras, Setup, TERRAFORM_PARALLELISM};
use summary::{Summary, Unit};
use sync::{SyncGetBudget, SyncSize};

/// How many sections the bench has.
pub const SECTIONS: usize = 4;

/// What to measure and how often.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchOptions {
    /// The terraform binary.
    pub terraform: PathBuf,
    /// The directory holding the provider binary to measure.
    pub provider_dir: PathBuf,
    /// Provider starts to time (after one warm-up start).
    pub starts: usize,
    /// The N of the plan scenario.
    pub plan_sizes: Vec<usize>,
    /// Timed plans per N (each of the provider and of the floor).
    pub plan_runs: usize,
    /// Latency the emulator adds to each request, in milliseconds.
    pub latency_ms: u64,
    /// The emulator's partner-listing page size.
    pub page_size: usize,
    /// Partners the throttled apply creates.
    pub apply_partners: usize,
    /// Runs of the (unthrottled and throttled) apply.
    pub apply_runs: usize,
    /// A 429 on every this-many-th Graph request during the throttled apply.
    pub throttle_every: u64,
    /// The `Retry-After` of those 429s, in seconds.
    pub retry_after_secs: u64,
    /// K and M of the cross-tenant synchronization scenario (section 4).
    pub sync_size: SyncSize,
    /// Timed refresh plans of the synchronization scenario (each of the provider and of the floor).
    pub sync_runs: usize,
    /// Which of the sections 1 (start-up and schema), 2 (plans, and the peak RSS), 3 (applies) and 4
    /// (cross-tenant synchronization) to run.
    pub sections: [bool; SECTIONS],
    /// The bench binary, run as a wrapper around the provider to read its CPU time in the plans
    /// (`provider_cpu`); `None` leaves that measurement out.
    pub cpu_wrapper: Option<PathBuf>,
}

impl BenchOptions {
    /// The full bench: 100 starts; N = 50, 200, 1000 with 5 plans each; 3 throttled applies of 100 partners; 20
    /// synchronization configurations with 400 assignments, 5 plans.
    pub fn full(terraform: PathBuf, provider_dir: PathBuf) -> BenchOptions {
        BenchOptions {
            terraform,
            provider_dir,
            starts: 100,
            plan_sizes: vec![50, 200, 1000],
            plan_runs: 5,
            latency_ms: 50,
            page_size: 100,
            apply_partners: 100,
            apply_runs: 3,
            throttle_every: 5,
            retry_after_secs: 1,
            sync_size: SyncSize { configurations: 20, assignments: 400 },
            sync_runs: 5,
            sections: [true; SECTIONS],
            cpu_wrapper: None,
        }
    }

    /// The quick bench (a few minutes): 50 starts; N = 50, 200 with 3 plans each; one throttled apply; 5
    /// synchronization configurations with 100 assignments, 3 plans.
    pub fn quick(terraform: PathBuf, provider_dir: PathBuf) -> BenchOptions {
        BenchOptions {
            starts: 50,
            plan_sizes: vec![50, 200],
            plan_runs: 3,
            apply_runs: 1,
            sync_size: SyncSize { configurations: 5, assignments: 100 },
            sync_runs: 3,
            ..Self::full(terraform, provider_dir)
        }
    }
}

/// Runs the chosen sections and assembles the report. `progress` receives a line before each step (for stderr).
pub fn run(options: &BenchOptions, progress: &dyn Fn(&str)) -> anyhow::Result<Report> {
    let started = Instant::now();
    let machine = Machine::describe(&options.terraform);
    let setup = Setup {
        terraform: options.terraform.clone(),
        provider_dir: options.provider_dir.clone(),
        latency_ms: options.latency_ms,
        page_size: options.page_size,
        cpu_wrapper: options.cpu_wrapper.clone(),
    };
    let mut rows = Vec::new();
    if options.sections[0] {
        rows.extend(startup_rows(options, &setup, progress)?);
    }
    if options.sections[1..].iter().any(|run| *run) {
        let emulator = setup.start_emulator()?;
        if options.sections[1] {
            rows.extend(plan_rows(options, &setup, &emulator, progress)?);
        }
        if options.sections[2] {
            rows.extend(apply_rows(options, &setup, &emulator, progress)?);
        }
        if options.sections[3] {
            rows.extend(sync_rows(options, &setup, &emulator, progress)?);
        }
    }
    Ok(Report {
        machine,
        setup: setup_lines(options),
        rows,
        load_at_end: machine::load_average(),
        elapsed_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Section 1: start to handshake, the AutoMTLS connection and the first `GetProviderSchema`.
fn startup_rows(options: &BenchOptions, setup: &Setup, progress: &dyn Fn(&str)) -> anyhow::Result<Vec<Row>> {
    progress(&format!("timing {} provider starts", options.starts));
    let starts = provider_process::time_starts(&setup.provider_binary(), options.starts)?;
    let handshake = durations(&starts, |s| s.handshake);
    let connect = durations(&starts, |s| s.connect);
    let schema = durations(&starts, |s| s.schema);
    let shutdown = durations(&starts, |s| s.shutdown);
    let schema_kib = starts.first().map_or(0.0, |s| s.schema_bytes as f64 / 1024.0);
    Ok(vec![
        Row::measured(1, "provider start → handshake line", handshake, Unit::Seconds)
            .budget(Budget::new("< 10 ms", handshake.median < 0.010))
            .details("spawn of the release binary with the magic cookie and a Go-like P-521 PLUGIN_CLIENT_CERT"),
        Row::measured(1, "AutoMTLS connection (TLS handshake on the unix socket)", connect, Unit::Seconds)
            .details("not budgeted; Terraform pays it once per provider process"),
        Row::measured(1, "GetProviderSchema, first call on the connection", schema, Unit::Seconds)
            .budget(Budget::new("< 1 ms", schema.median < 0.001))
            .details(format!("response of {schema_kib:.0} KiB")),
        Row::measured(1, "Shutdown → process exit", shutdown, Unit::Seconds)
            .details("not budgeted; Terraform waits for it once per provider process"),
    ])
}

/// Section 2: the plans over N partners beside the floor, and the peak RSS during the largest.
fn plan_rows(
    options: &BenchOptions,
    setup: &Setup,
    emulator: &entra_graph_emulator::Emulator,
    progress: &dyn Fn(&str),
) -> anyhow::Result<Vec<Row>> {
    let largest = options.plan_sizes.iter().copied().max().unwrap_or(0);
    let smallest = options.plan_sizes.iter().copied().min().unwrap_or(0);
    let mut plans = Vec::new();
    for &partners in &options.plan_sizes {
        let extras = PlanExtras { count_processes: partners == smallest, peak_rss: partners == largest };
        plans.push(scenarios::measure_plan(setup, emulator, partners, options.plan_runs, extras, progress)?);
    }

    let mut rows = Vec::new();
    if let Some(rss) = plans.iter().find_map(|p| p.peak_rss_bytes) {
        rows.push(
            Row::text(
                1,
                format!("peak RSS of the provider during the plan over N={largest}"),
                1,
                Unit::Bytes.format(rss as f64),
            )
            .budget(Budget::new("< 30 MiB", rss < 30 * 1024 * 1024))
            .details("VmHWM of one --debug provider process that served validate, refresh and plan"),
        );
    }
    for plan in &plans {
        let n = plan.partners;
        let gets: Vec<u64> = plan.requests.iter().map(|r| r.gets).collect();
        let allowed = scenarios::get_budget(n, options.page_size);
        let most = gets.iter().copied().max().unwrap_or(0);
        let fewest = gets.iter().copied().min().unwrap_or(0);
        let count = if fewest == most { most.to_string() } else { format!("{fewest}–{most}") };
        let last = plan.requests.last().map(scenarios::Requests::describe).unwrap_or_default();
        rows.push(
            Row::text(2, format!("plan N={n}: Graph GETs"), plan.requests.len(), count)
                .budget(Budget::new(format!("≤ 1 + ⌈{n}/{}⌉ = {allowed}", options.page_size), most <= allowed))
                .details(format!("by route: {last}")),
        );
        let entra = summary_of(&plan.entra);
        let floor = summary_of(&plan.floor);
        let mut entra_row =
            Row::measured(2, format!("plan N={n}: wall time, entra_cross_tenant_partner"), entra, Unit::Seconds);
        if let Some(count) = plan.provider_processes {
            entra_row = entra_row.details(format!(
                "Terraform started {} provider processes per plan; they served {} GetProviderSchema call(s)",
                count.processes, count.schema_calls
            ));
        }
        rows.push(entra_row);
        rows.push(Row::measured(2, format!("plan N={n}: wall time, terraform_data floor"), floor, Unit::Seconds));
        let ratio = entra.median / floor.median;
        let pairs = Summary::of(&plan.ratios(&plan.entra)).expect("at least one run");
        // The token request and the listing pages follow each other, and every refresh waits for them: even a
        // provider that cost nothing else could not beat the floor plus these round trips.
        let round_trips =
            plan.requests.iter().map(|r| r.tokens + r.count(scenarios::PARTNERS_ROUTE)).max().unwrap_or(0);
        let graph_wait = round_trips as f64 * options.latency_ms as f64 / 1000.0;
        let mut ratio_row =
            Row::text(2, format!("plan N={n}: ratio entra / floor"), plan.entra.len(), Unit::Ratio.format(ratio))
                .details(format!(
                    "ratio of the medians; per-run pairs {}; the {round_trips} Graph round trips every refresh waits for (token, then the listing) alone give {}",
                    Unit::Ratio.format_range(pairs.min, pairs.max),
                    Unit::Ratio.format((floor.median + graph_wait) / floor.median)
                ));
        if n == 200 {
            ratio_row = ratio_row.budget(Budget::new("≤ 1.25×", ratio <= 1.25));
        }
        rows.push(ratio_row);
        if let Some(cpu) = &plan.provider_cpu {
            let per_plan = summary_of(&cpu.per_plan);
            rows.push(
                Row::measured(2, format!("plan N={n}: provider CPU per RPC"), summary_of(&cpu.per_rpc()), Unit::Seconds)
                    .details(format!(
                        "user+system CPU of the {} provider processes of one plan ({} median, getrusage of each process through a wrapper), over the {} tfplugin6 RPCs they served (provider debug log of one more plan)",
                        cpu.processes,
                        Unit::Seconds.format(per_plan.median),
                        cpu.rpcs
                    )),
            );
        }
        let quiet = summary_of(&plan.entra_without_latency);
        let quiet_pairs = Summary::of(&plan.ratios(&plan.entra_without_latency)).expect("at least one run");
        rows.push(
            Row::text(
                2,
                format!("plan N={n}: ratio entra / floor with no Graph latency"),
                plan.entra_without_latency.len(),
                Unit::Ratio.format(quiet.median / floor.median),
            )
            .details(format!(
                "entra {} median; per-run pairs {}; what the plugin protocol and the provider cost without Graph round trips",
                Unit::Seconds.format(quiet.median),
                Unit::Ratio.format_range(quiet_pairs.min, quiet_pairs.max)
            )),
        );
    }
    Ok(rows)
}

/// Section 3: the apply creating partners, with and without throttling.
fn apply_rows(
    options: &BenchOptions,
    setup: &Setup,
    emulator: &entra_graph_emulator::Emulator,
    progress: &dyn Fn(&str),
) -> anyhow::Result<Vec<Row>> {
    let apply = scenarios::measure_throttled_apply(
        setup,
        emulator,
        options.apply_partners,
        options.apply_runs,
        options.throttle_every,
        options.retry_after_secs,
        progress,
    )?;
    let n = apply.partners;
    let every = options.throttle_every;
    let throttled = summary_of(&apply.throttled);
    let unthrottled = summary_of(&apply.unthrottled);
    let counts = |values: &[u64]| Summary::of(&values.iter().map(|v| *v as f64).collect::<Vec<_>>()).expect("runs");
    let imposed = counts(&apply.imposed_wait_seconds);
    let responses = counts(&apply.throttled_responses);
    let requests = counts(&apply.requests.iter().map(|r| r.total).collect::<Vec<_>>());
    let cost = throttled.median - unthrottled.median;
    let spread = imposed.median / f64::from(TERRAFORM_PARALLELISM);
    Ok(vec![
        Row::measured(3, format!("apply {n} partners, 429 on every {every}th request: wall time"), throttled, Unit::Seconds)
            .budget(Budget::new("≤ 1.2 × imposed waits", throttled.median <= 1.2 * imposed.median))
            .details(format!(
                "{} Graph requests, {} of them 429 with Retry-After: {} s",
                Unit::Count.format(requests.median),
                Unit::Count.format(responses.median),
                options.retry_after_secs
            )),
        Row::measured(3, format!("apply {n} partners: sum of Retry-After waits imposed"), imposed, Unit::Seconds)
            .details(format!("ratio wall / imposed = {}", Unit::Ratio.format(throttled.median / imposed.median))),
        Row::measured(3, format!("apply {n} partners without throttling: wall time"), unthrottled, Unit::Seconds),
        Row::text(
            3,
            format!("apply {n} partners: time throttling added"),
            apply.throttled.len(),
            summary::format_seconds(cost.max(0.0)),
        )
        .details(format!(
            "throttled − unthrottled medians; the imposed waits shared by Terraform's {TERRAFORM_PARALLELISM} workers come to {}, so the throttled apply took {} of unthrottled + shared waits (the rest is workers finishing unevenly)",
            summary::format_seconds(spread),
            Unit::Ratio.format(throttled.median / (unthrottled.median + spread))
        )),
    ])
}

/// Section 4: the refresh of K synchronization configurations and M assignments.
fn sync_rows(
    options: &BenchOptions,
    setup: &Setup,
    emulator: &entra_graph_emulator::Emulator,
    progress: &dyn Fn(&str),
) -> anyhow::Result<Vec<Row>> {
    let size = options.sync_size;
    let sync = sync::measure_sync_refresh(setup, emulator, size, options.sync_runs, progress)?;
    Ok(sync_rows_of(&sync, options.page_size, options.latency_ms))
}

/// The rows of a synchronization measurement (apart from running it, so they can be tested).
fn sync_rows_of(sync: &sync::SyncMeasurement, page_size: usize, latency_ms: u64) -> Vec<Row> {
    let size = sync.size;
    let label = size.label();
    let budget = SyncGetBudget::new(size, page_size);
    let gets: Vec<u64> = sync.requests.iter().map(|r| r.gets).collect();
    let (fewest, most) = (gets.iter().copied().min().unwrap_or(0), gets.iter().copied().max().unwrap_or(0));
    let count = if fewest == most { most.to_string() } else { format!("{fewest}–{most}") };
    let exceeded: Vec<String> = sync.requests.iter().flat_map(|r| budget.exceeded(r)).collect();
    let last = sync.requests.last().map(|r| budget.describe(r)).unwrap_or_default();
    let mut details = format!(
        "by route (count/allowed, last plan): {last}; allowed: per configuration its service principal, job and secrets, the job schema for the {} configurations that manage attribute mappings, and one `appRoleAssignedTo` listing page per {page_size} assignments of a configuration",
        size.schema_managing_configurations()
    );
    if !exceeded.is_empty() {
        details.push_str(&format!("; over: {}", exceeded.join(", ")));
    }
    let entra = summary_of(&sync.entra);
    let floor = summary_of(&sync.floor);
    let pairs = Summary::of(&sync.ratios(&sync.entra)).expect("at least one run");
    let quiet = summary_of(&sync.entra_without_latency);
    let quiet_pairs = Summary::of(&sync.ratios(&sync.entra_without_latency)).expect("at least one run");
    vec![
        Row::text(4, format!("sync refresh {label}: Graph GETs"), sync.requests.len(), count)
            .budget(Budget::new(budget.formula(size), exceeded.is_empty() && most <= budget.total()))
            .details(details),
        Row::measured(
            4,
            format!("sync refresh {label}: wall time, configurations and assignments"),
            entra,
            Unit::Seconds,
        )
        .details(format!(
            "terraform plan -detailed-exitcode with refresh, exit code 0 (no changes) every time; {latency_ms} ms of latency on every Graph and token request"
        )),
        Row::measured(4, format!("sync refresh {label}: wall time, terraform_data floor"), floor, Unit::Seconds)
            .details(format!("{} terraform_data resources with the same inputs", size.configurations + size.assignments)),
        Row::text(4, format!("sync refresh {label}: ratio entra / floor"), sync.entra.len(), Unit::Ratio.format(entra.median / floor.median))
            .details(format!(
                "ratio of the medians; per-run pairs {}",
                Unit::Ratio.format_range(pairs.min, pairs.max)
            )),
        Row::text(
            4,
            format!("sync refresh {label}: ratio entra / floor with no Graph latency"),
            sync.entra_without_latency.len(),
            Unit::Ratio.format(quiet.median / floor.median),
        )
        .details(format!(
            "entra {} median; per-run pairs {}; what the plugin protocol and the provider cost without Graph round trips",
            Unit::Seconds.format(quiet.median),
            Unit::Ratio.format_range(quiet_pairs.min, quiet_pairs.max)
        )),
        Row::text(4, format!("sync apply {label}: wall time"), 1, summary::format_seconds(sync.apply.as_secs_f64()))
            .details("creating the configurations and assignments (setup, not budgeted): no latency, ENTRA_CONSISTENCY_READS=0"),
    ]
}

/// How the measurements were made, for the report's header.
fn setup_lines(options: &BenchOptions) -> Vec<String> {
    vec![
        format!(
            "Graph emulator on loopback (HTTPS): partner and `appRoleAssignedTo` listing pages of {} when the client sends no `$top` (the page size in the GET budgets), and of up to 999 when it does; {} ms latency on every request (token requests included) in the plans, except in the rows \"with no Graph latency\".",
            options.page_size, options.latency_ms
        ),
        "Provider: the release binary through `dev_overrides` (Terraform starts it with AutoMTLS), client-secret credentials from `ARM_*`, production retry and consistency timings (no `ENTRA_*` tuning).".to_owned(),
        format!(
            "Section 1: {} timed starts after one warm-up. Section 2: per N, state applied first, one warm-up plan each, then {} rounds of: a refresh plan of the floor, of the provider, and of the provider without latency (the order rotates each round); `terraform plan -detailed-exitcode` must report no changes. Section 3: {} run(s) each of the unthrottled and the throttled apply from empty state; latency applies to Graph only, the token endpoint has no faults.",
            options.starts, options.plan_runs, options.apply_runs
        ),
        format!(
            "Section 4: {} synchronization configurations (every other one with an attribute mapping override) and {} assignments of users and groups spread over them, applied from the emulator's first tenant into its second without latency; then {} rounds of a refresh plan of {} `terraform_data` resources, of the provider, and of the provider without latency (the order rotates each round); every plan must report no changes.",
            options.sync_size.configurations,
            options.sync_size.assignments,
            options.sync_runs,
            options.sync_size.configurations + options.sync_size.assignments
        ),
        "Timings depend on the machine and its load: compare ratios and request counts more than absolute times.".to_owned(),
    ]
}

fn summary_of(values: &[Duration]) -> Summary {
    Summary::of_durations(values).expect("at least one run")
}

fn durations<T>(items: &[T], pick: impl Fn(&T) -> Duration) -> Summary {
    Summary::of_durations(&items.iter().map(pick).collect::<Vec<_>>()).expect("at least one start")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::report::Cell;
    use crate::scenarios::Requests;
    use crate::sync::{ASSIGNMENTS_ROUTE, JOB_ROUTE, SCHEMA_ROUTE, SECRETS_ROUTE, SERVICE_PRINCIPAL_ROUTE};

    fn requests(listings: u64) -> Requests {
        let by_route: BTreeMap<String, u64> = [
            (SERVICE_PRINCIPAL_ROUTE, 2),
            (JOB_ROUTE, 2),
            (SECRETS_ROUTE, 2),
            (SCHEMA_ROUTE, 1),
            (ASSIGNMENTS_ROUTE, listings),
            ("POST /{tenant}/oauth2/v2.0/token", 1),
        ]
        .into_iter()
        .map(|(route, n)| (route.to_owned(), n))
        .collect();
        Requests { gets: 7 + listings, total: 7 + listings, tokens: 1, by_route }
    }

    fn measurement(requests: Vec<Requests>) -> sync::SyncMeasurement {
        let runs = requests.len();
        sync::SyncMeasurement {
            size: SyncSize { configurations: 2, assignments: 6 },
            apply: Duration::from_secs(3),
            entra: vec![Duration::from_millis(600); runs],
            entra_without_latency: vec![Duration::from_millis(450); runs],
            floor: vec![Duration::from_millis(300); runs],
            requests,
        }
    }

    #[test]
    fn the_sync_rows_state_the_get_budget_and_its_routes() {
        let rows = sync_rows_of(&measurement(vec![requests(2), requests(2)]), 100, 50);
        let gets = &rows[0];
        assert_eq!(gets.section, 4);
        assert_eq!(gets.measurement, "sync refresh K=2, M=6: Graph GETs");
        assert_eq!(gets.cell, Cell::Text { runs: 2, value: "9".to_owned() });
        assert_eq!(gets.budget, Some(Budget::new("≤ 3·2 + 1 + 2 = 9", true)));
        assert!(gets.details.contains("GET /servicePrincipals/{id}/appRoleAssignedTo ×2/2"), "{}", gets.details);
        assert!(!gets.details.contains("over:"), "{}", gets.details);
        let ratio = rows.iter().find(|r| r.measurement.ends_with("ratio entra / floor")).unwrap();
        assert_eq!(ratio.cell, Cell::Text { runs: 2, value: "2.00×".to_owned() });
        let quiet = rows.iter().find(|r| r.measurement.ends_with("with no Graph latency")).unwrap();
        assert_eq!(quiet.cell, Cell::Text { runs: 2, value: "1.50×".to_owned() });
    }

    #[test]
    fn a_listing_per_assignment_misses_the_sync_budget_in_any_run() {
        // The second plan listed once per assignment: the row shows the range and names the route over budget.
        let rows = sync_rows_of(&measurement(vec![requests(2), requests(6)]), 100, 50);
        let gets = &rows[0];
        assert_eq!(gets.cell, Cell::Text { runs: 2, value: "9–13".to_owned() });
        assert!(!gets.budget.as_ref().unwrap().met);
        assert!(
            gets.details.contains("over: GET /servicePrincipals/{id}/appRoleAssignedTo ×6 > 2"),
            "{}",
            gets.details
        );
    }
}
