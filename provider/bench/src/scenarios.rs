//! The Terraform scenarios: a refresh plan over N partners beside the same plan over N `terraform_data` resources,
//! the provider's peak memory during the largest plan, and an apply creating partners while Graph throttles.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use entra_graph_emulator::{Emulator, EmulatorConfig, Faults, Stats, Throttle};

use crate::provider_cpu::{CpuMeter, rpcs_in_log};
use crate::provider_process::DebugProvider;
use crate::terraform::{PROVIDER_SOURCE, ProviderAccess, Run, WorkDir};

/// The Graph route the partner listing uses.
pub const PARTNERS_ROUTE: &str = "GET /policies/crossTenantAccessPolicy/partners";

/// The tenant id of the `index`-th benchmark partner: a valid GUID, unique per index.
pub fn partner_tenant_id(index: usize) -> String {
    format!("be7c{:04x}-0000-4000-8000-{:012x}", index % 0x1_0000, index)
}

/// The settings every benchmark partner has, as an HCL object body (the same text is the `terraform_data` input of
/// the floor, so Terraform evaluates the same amount of configuration in both).
fn partner_settings(index: usize) -> String {
    format!(
        r#"tenant_id = "{}"
    inbound_trust = {{
      is_mfa_accepted                           = true
      is_compliant_device_accepted              = true
      is_hybrid_azure_ad_joined_device_accepted = false
    }}
    b2b_collaboration_inbound = {{
      users_and_groups = {{
        access_type = "allowed"
        targets     = [{{ target = "AllUsers", target_type = "user" }}]
      }}
      applications = {{
        access_type = "allowed"
        targets     = [{{ target = "AllApplications", target_type = "application" }}]
      }}
    }}"#,
        partner_tenant_id(index)
    )
}

/// A configuration of `count` `entra_cross_tenant_partner` resources, each with inbound trust and inbound B2B
/// collaboration settings.
pub fn partners_config(count: usize) -> String {
    let mut hcl = format!(
        "terraform {{\n  required_providers {{\n    entra = {{ source = \"{PROVIDER_SOURCE}\" }}\n  }}\n}}\n\nprovider \"entra\" {{}}\n"
    );
    for index in 0..count {
        hcl.push_str(&format!(
            "\nresource \"entra_cross_tenant_partner\" \"p{index:04}\" {{\n  {}\n}}\n",
            partner_settings(index).replace("\n    ", "\n  ")
        ));
    }
    hcl
}

/// Terraform's own floor: `count` `terraform_data` resources (built into Terraform, no provider process) whose
/// input is the same object as each partner's settings.
pub fn floor_config(count: usize) -> String {
    let mut hcl = String::new();
    for index in 0..count {
        hcl.push_str(&format!(
            "\nresource \"terraform_data\" \"p{index:04}\" {{\n  input = {{\n    {}\n  }}\n}}\n",
            partner_settings(index)
        ));
    }
    hcl
}

/// What the scenarios need: terraform, the provider binary and the emulator's tuning.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The terraform binary.
    pub terraform: PathBuf,
    /// The directory holding the release `terraform-provider-entra` binary.
    pub provider_dir: PathBuf,
    /// Latency the emulator adds to every Graph request (and token request, in the plans).
    pub latency_ms: u64,
    /// The emulator's page size for the partner listing when the client sends no `$top`.
    pub page_size: usize,
    /// The bench binary, which wraps the provider to read its CPU time (`provider_cpu`); `None`: the provider's CPU
    /// time is not measured.
    pub cpu_wrapper: Option<PathBuf>,
}

impl Setup {
    /// The provider binary.
    pub fn provider_binary(&self) -> PathBuf {
        self.provider_dir.join(crate::provider_process::BINARY_NAME)
    }

    /// A Graph emulator with the fresh-tenant fixture and this page size.
    pub fn start_emulator(&self) -> anyhow::Result<Emulator> {
        Emulator::start(EmulatorConfig::default().with_page_size(self.page_size))
    }

    /// Latency on every request, including the token endpoint (a sign-in costs a round trip too).
    pub fn latency_everywhere(&self) -> Faults {
        Faults { latency_ms: self.latency_ms, apply_to_token_endpoint: true, ..Faults::default() }
    }
}

/// The environment that points the provider at `emulator`, as a pipeline would set it: client-secret credentials,
/// the emulator as Graph and sign-in host, its CA trusted, and no `ENTRA_*` tuning (production timings).
pub fn provider_env(emulator: &Emulator) -> Vec<(String, String)> {
    [
        ("ARM_TENANT_ID", emulator.tenant_id().to_owned()),
        ("ARM_CLIENT_ID", emulator.client_id().to_owned()),
        ("ARM_CLIENT_SECRET", emulator.client_secret().to_owned()),
        ("ARM_GRAPH_ENDPOINT", emulator.endpoint().to_owned()),
        ("ARM_AUTHORITY_HOST", emulator.endpoint().to_owned()),
        ("ARM_USE_CLI", "false".to_owned()),
        ("SSL_CERT_FILE", emulator.ca_cert_file().display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Setting up state is not measured, so its writes need not wait for consistency.
pub const SETUP_ENV: [(&str, &str); 1] = [("ENTRA_CONSISTENCY_READS", "0")];

/// Graph requests of one command, from the emulator's statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requests {
    /// Graph GETs.
    pub gets: u64,
    /// Graph requests of any method.
    pub total: u64,
    /// Token requests.
    pub tokens: u64,
    /// Requests by `"METHOD /route"`, token requests included.
    pub by_route: BTreeMap<String, u64>,
}

impl Requests {
    /// Reads them from a statistics snapshot taken after the command (the statistics were reset before it).
    pub fn from_stats(stats: &Stats) -> Requests {
        let gets = stats.by_route.iter().filter(|(route, _)| route.starts_with("GET ")).map(|(_, n)| n).sum();
        Requests { gets, total: stats.total, tokens: stats.token_requests, by_route: stats.by_route.clone() }
    }

    /// Requests of one `"METHOD /route"`.
    pub fn count(&self, method_and_route: &str) -> u64 {
        self.by_route.get(method_and_route).copied().unwrap_or(0)
    }

    /// `GET /policies/crossTenantAccessPolicy/partners ×2, POST /{tenant}/oauth2/v2.0/token ×1`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self.by_route.iter().map(|(route, n)| format!("{route} ×{n}")).collect();
        if parts.is_empty() { "none".to_owned() } else { parts.join(", ") }
    }
}

/// The most Graph GETs a refresh of `partners` partners may make: one listing page per `page_size` partners, plus
/// one. (The identity-sync reads the budget also allows come from the same listing, expanded, so none are added.)
pub fn get_budget(partners: usize, page_size: usize) -> u64 {
    1 + partners.div_ceil(page_size.max(1)) as u64
}

/// One refresh plan over N partners beside the floor, repeated.
#[derive(Debug, Clone)]
pub struct PlanMeasurement {
    /// N.
    pub partners: usize,
    /// Wall time of each plan with the provider.
    pub entra: Vec<Duration>,
    /// Wall time of each plan with the provider while the emulator adds no latency.
    pub entra_without_latency: Vec<Duration>,
    /// Wall time of each plan over `terraform_data`, run right next to the matching provider plan.
    pub floor: Vec<Duration>,
    /// Graph requests of each provider plan.
    pub requests: Vec<Requests>,
    /// Provider processes Terraform started for one plan, and the `GetProviderSchema` calls they served (from the
    /// debug log), when counted.
    pub provider_processes: Option<ProcessCount>,
    /// Peak RSS of a provider process serving the whole plan, when measured.
    pub peak_rss_bytes: Option<u64>,
    /// The provider's own CPU time in the same plan, when measured.
    pub provider_cpu: Option<ProviderCpu>,
}

/// The CPU time the provider processes of one plan used, and the RPCs they served.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderCpu {
    /// User plus system time of all provider processes of each plan.
    pub per_plan: Vec<Duration>,
    /// Provider processes Terraform started for one plan.
    pub processes: usize,
    /// tfplugin6 RPCs the provider processes of one plan served.
    pub rpcs: usize,
}

impl ProviderCpu {
    /// The CPU time per RPC of each plan.
    pub fn per_rpc(&self) -> Vec<Duration> {
        let rpcs = u32::try_from(self.rpcs.max(1)).unwrap_or(u32::MAX);
        self.per_plan.iter().map(|cpu| *cpu / rpcs).collect()
    }
}

impl PlanMeasurement {
    /// The ratio provider/floor of each round of plans run side by side; `entra` is [`PlanMeasurement::entra`] or
    /// [`PlanMeasurement::entra_without_latency`].
    pub fn ratios(&self, entra: &[Duration]) -> Vec<f64> {
        entra.iter().zip(&self.floor).map(|(e, f)| e.as_secs_f64() / f.as_secs_f64()).collect()
    }
}

/// What to measure around the plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanExtras {
    /// Count the provider processes Terraform starts for one plan (one extra, untimed plan with `TF_LOG=debug`).
    pub count_processes: bool,
    /// Measure the provider's peak RSS (one extra, untimed plan through a `--debug` provider).
    pub peak_rss: bool,
}

/// Applies N partners (and N `terraform_data` resources for the floor) without latency, then times `runs` refresh
/// plans of each with the emulator's latency on, alternating which goes first so load drifts hit both alike.
pub fn measure_plan(
    setup: &Setup,
    emulator: &Emulator,
    partners: usize,
    runs: usize,
    extras: PlanExtras,
    progress: &dyn Fn(&str),
) -> anyhow::Result<PlanMeasurement> {
    emulator.reset();
    emulator.set_page_size(setup.page_size);
    let env = provider_env(emulator);
    let entra = WorkDir::new(&setup.terraform, &ProviderAccess::DevOverride(setup.provider_dir.clone()), &env)?;
    entra.write_config(&partners_config(partners))?;
    let floor = WorkDir::new(&setup.terraform, &ProviderAccess::BuiltinOnly, &[])?;
    floor.write_config(&floor_config(partners))?;

    progress(&format!("plan N={partners}: creating {partners} partners and {partners} terraform_data resources"));
    entra.apply(&SETUP_ENV).context("creating the partners")?;
    floor.apply(&[]).context("creating the terraform_data resources")?;
    anyhow::ensure!(
        emulator.state()["partners"].as_object().map_or(0, |p| p.len()) == partners,
        "the emulator does not hold the {partners} partners just applied"
    );

    emulator.set_faults(setup.latency_everywhere());
    // One unmeasured plan of each warms the page cache and Terraform's schema cache.
    entra.plan_expecting_no_changes(&[])?;
    floor.plan_expecting_no_changes(&[])?;

    let mut measurement = PlanMeasurement {
        partners,
        entra: Vec::new(),
        entra_without_latency: Vec::new(),
        floor: Vec::new(),
        requests: Vec::new(),
        provider_processes: None,
        peak_rss_bytes: None,
        provider_cpu: None,
    };
    for round in 0..runs {
        progress(&format!("plan N={partners}: round {}/{runs}", round + 1));
        let mut floor_wall = Duration::ZERO;
        let mut entra_wall = Duration::ZERO;
        let mut quiet_wall = Duration::ZERO;
        let mut requests = None;
        // The order rotates each round, so a change in the machine's load does not always hit the same plan.
        for step in 0..3 {
            match (round + step) % 3 {
                0 => floor_wall = floor.plan_expecting_no_changes(&[])?.wall,
                1 => {
                    emulator.set_faults(setup.latency_everywhere());
                    emulator.reset_stats();
                    entra_wall = entra.plan_expecting_no_changes(&[])?.wall;
                    requests = Some(Requests::from_stats(&emulator.stats()));
                }
                _ => {
                    emulator.set_faults(Faults::none());
                    quiet_wall = entra.plan_expecting_no_changes(&[])?.wall;
                }
            }
        }
        let requests = requests.expect("every round plans with latency");
        progress(&format!(
            "plan N={partners}: entra {} (Graph GETs: {}), without latency {}, floor {}",
            crate::summary::format_seconds(entra_wall.as_secs_f64()),
            requests.gets,
            crate::summary::format_seconds(quiet_wall.as_secs_f64()),
            crate::summary::format_seconds(floor_wall.as_secs_f64())
        ));
        measurement.floor.push(floor_wall);
        measurement.entra.push(entra_wall);
        measurement.entra_without_latency.push(quiet_wall);
        measurement.requests.push(requests);
    }

    emulator.set_faults(setup.latency_everywhere());
    if extras.count_processes {
        progress(&format!("plan N={partners}: counting provider processes"));
        measurement.provider_processes = Some(count_provider_processes(&entra)?);
    }
    if extras.peak_rss {
        progress(&format!("plan N={partners}: peak RSS through a --debug provider"));
        measurement.peak_rss_bytes = Some(peak_rss_of_plan(setup, &entra, &env)?);
    }
    if let Some(wrapper) = &setup.cpu_wrapper {
        progress(&format!("plan N={partners}: the provider's CPU time, {runs} plans through a wrapper"));
        measurement.provider_cpu = Some(provider_cpu_of_plan(setup, wrapper, &entra, &env, runs)?);
    }
    emulator.set_faults(Faults::none());
    Ok(measurement)
}

/// What Terraform's debug log of one plan says about the provider processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessCount {
    /// Provider processes started.
    pub processes: usize,
    /// `GetProviderSchema` calls they served.
    pub schema_calls: usize,
}

/// Runs one plan with Terraform's debug log (provider logs included) and counts the provider processes it started
/// and the schema calls they served.
fn count_provider_processes(dir: &WorkDir) -> anyhow::Result<ProcessCount> {
    let log = dir.path().join("terraform-debug.log");
    let log_path = log.display().to_string();
    dir.plan_expecting_no_changes(&[("TF_LOG", "debug"), ("TF_LOG_PATH", &log_path)])?;
    let text = std::fs::read_to_string(&log).context("reading Terraform's debug log")?;
    Ok(count_in_log(&text))
}

/// Lines where go-plugin reports a provider process of ours started, and where the provider logs a schema request.
fn count_in_log(log: &str) -> ProcessCount {
    let ours = |line: &&str| line.contains(crate::provider_process::BINARY_NAME);
    ProcessCount {
        processes: log.lines().filter(ours).filter(|l| l.contains("plugin started")).count(),
        schema_calls: log
            .lines()
            .filter(ours)
            .filter(|l| l.contains("received request") && l.contains("tf_rpc=GetProviderSchema"))
            .count(),
    }
}

/// Runs the plan of `dir` once more through a provider process started with `--debug` (Terraform attaches to it
/// and uses it for every phase), and reads that process's peak RSS.
fn peak_rss_of_plan(setup: &Setup, dir: &WorkDir, env: &[(String, String)]) -> anyhow::Result<u64> {
    let mut process_env = env.to_vec();
    process_env
        .extend(["PATH", "HOME", "TMPDIR"].iter().filter_map(|n| std::env::var(n).ok().map(|v| ((*n).to_owned(), v))));
    let provider = DebugProvider::start(&setup.provider_binary(), &process_env)?;
    let attached = WorkDir::new(&setup.terraform, &ProviderAccess::Reattach(provider.reattach().to_owned()), env)?;
    for file in ["main.tf", "terraform.tfstate"] {
        std::fs::copy(dir.path().join(file), attached.path().join(file)).with_context(|| format!("copying {file}"))?;
    }
    attached.run(&["init", "-input=false", "-no-color"], &[])?.expect_code(&[0])?;
    attached.plan_expecting_no_changes(&[])?;
    provider.peak_rss_bytes()
}

/// Runs the plan of `dir` through the CPU-measuring wrapper (`provider_cpu`): once with Terraform's debug log to
/// count the RPCs the provider served, then `runs` times without logging, reading the CPU time of every provider
/// process each plan started.
fn provider_cpu_of_plan(
    setup: &Setup,
    wrapper: &std::path::Path,
    dir: &WorkDir,
    env: &[(String, String)],
    runs: usize,
) -> anyhow::Result<ProviderCpu> {
    let meter = CpuMeter::new(wrapper, &setup.provider_binary())?;
    let wrapped =
        WorkDir::new(&setup.terraform, &ProviderAccess::DevOverride(meter.provider_dir().to_path_buf()), env)?;
    for file in ["main.tf", "terraform.tfstate"] {
        std::fs::copy(dir.path().join(file), wrapped.path().join(file)).with_context(|| format!("copying {file}"))?;
    }
    let meter_env = meter.env();
    let extra_env: Vec<(&str, &str)> = meter_env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let log = wrapped.path().join("terraform-debug.log");
    let log_path = log.display().to_string();
    let mut logged = extra_env.clone();
    logged.extend([("TF_LOG", "debug"), ("TF_LOG_PATH", log_path.as_str())]);
    wrapped.plan_expecting_no_changes(&logged)?;
    let rpcs = rpcs_in_log(&std::fs::read_to_string(&log).context("reading Terraform's debug log")?);
    anyhow::ensure!(rpcs > 0, "the debug log shows no RPC served by the provider");
    // That plan logged, which costs CPU: it only counted the RPCs.
    let counted = meter.take()?;
    anyhow::ensure!(!counted.is_empty(), "the wrapper recorded no provider process: was it used?");

    let mut per_plan = Vec::new();
    let mut processes = 0;
    for _ in 0..runs {
        wrapped.plan_expecting_no_changes(&extra_env)?;
        let cpu = meter.take()?;
        anyhow::ensure!(!cpu.is_empty(), "the wrapper recorded no provider process");
        processes = cpu.len();
        per_plan.push(cpu.iter().map(crate::provider_cpu::ProcessCpu::total).sum());
    }
    Ok(ProviderCpu { per_plan, processes, rpcs })
}

/// One apply creating partners, with and without throttling.
#[derive(Debug, Clone)]
pub struct ApplyMeasurement {
    /// Partners created.
    pub partners: usize,
    /// Wall time of the apply without throttling, per run.
    pub unthrottled: Vec<Duration>,
    /// Wall time of the throttled apply, per run.
    pub throttled: Vec<Duration>,
    /// Seconds of `Retry-After` the emulator imposed during each throttled apply.
    pub imposed_wait_seconds: Vec<u64>,
    /// 429 responses during each throttled apply.
    pub throttled_responses: Vec<u64>,
    /// Graph requests of each throttled apply.
    pub requests: Vec<Requests>,
}

/// Times `runs` applies creating `partners` partners from nothing, without throttling and then with a 429 carrying
/// `Retry-After: retry_after_secs` on every `every`-th Graph request, with production retry and consistency
/// timings. The emulator's latency applies to Graph requests; the token endpoint has no faults (sign-ins are
/// throttled separately from Graph).
pub fn measure_throttled_apply(
    setup: &Setup,
    emulator: &Emulator,
    partners: usize,
    runs: usize,
    every: u64,
    retry_after_secs: u64,
    progress: &dyn Fn(&str),
) -> anyhow::Result<ApplyMeasurement> {
    let env = provider_env(emulator);
    let dir = WorkDir::new(&setup.terraform, &ProviderAccess::DevOverride(setup.provider_dir.clone()), &env)?;
    dir.write_config(&partners_config(partners))?;
    let latency = Faults { latency_ms: setup.latency_ms, ..Faults::default() };
    let throttling = Faults { throttle: Some(Throttle::every_nth(every, retry_after_secs)), ..latency.clone() };

    let mut measurement = ApplyMeasurement {
        partners,
        unthrottled: Vec::new(),
        throttled: Vec::new(),
        imposed_wait_seconds: Vec::new(),
        throttled_responses: Vec::new(),
        requests: Vec::new(),
    };
    let fresh_apply = |faults: &Faults| -> anyhow::Result<(Run, Stats)> {
        emulator.reset();
        emulator.set_page_size(setup.page_size);
        dir.forget_state()?;
        emulator.set_faults(faults.clone());
        let run = dir.apply(&[])?;
        let stats = emulator.stats();
        emulator.set_faults(Faults::none());
        anyhow::ensure!(
            emulator.state()["partners"].as_object().map_or(0, |p| p.len()) == partners,
            "the apply did not create the {partners} partners"
        );
        Ok((run, stats))
    };
    for run in 0..runs {
        progress(&format!("apply {partners} partners: run {}/{runs} without throttling", run + 1));
        let (unthrottled, _) = fresh_apply(&latency)?;
        progress(&format!("apply {partners} partners: run {}/{runs} with a 429 on every {every}th request", run + 1));
        let (throttled, stats) = fresh_apply(&throttling)?;
        progress(&format!(
            "apply {partners} partners: {} unthrottled, {} throttled, {} s of Retry-After imposed",
            crate::summary::format_seconds(unthrottled.wall.as_secs_f64()),
            crate::summary::format_seconds(throttled.wall.as_secs_f64()),
            stats.retry_after_seconds
        ));
        measurement.unthrottled.push(unthrottled.wall);
        measurement.throttled.push(throttled.wall);
        measurement.imposed_wait_seconds.push(stats.retry_after_seconds);
        measurement.throttled_responses.push(stats.throttled);
        measurement.requests.push(Requests::from_stats(&stats));
    }
    emulator.reset();
    Ok(measurement)
}

/// Terraform's default `-parallelism`, over which independent resources' waits overlap.
pub const TERRAFORM_PARALLELISM: u32 = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_unique_guids() {
        let ids: std::collections::HashSet<String> = (0..2000).map(partner_tenant_id).collect();
        assert_eq!(ids.len(), 2000);
        for id in ids.iter().take(5) {
            let groups: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
            assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "{id}");
        }
    }

    #[test]
    fn configurations_have_one_resource_per_partner() {
        let partners = partners_config(3);
        assert_eq!(partners.matches("resource \"entra_cross_tenant_partner\"").count(), 3);
        assert!(partners.contains("source = \"entra-tools/entra\""));
        assert!(partners.contains(&partner_tenant_id(2)));
        let floor = floor_config(3);
        assert_eq!(floor.matches("resource \"terraform_data\"").count(), 3);
        assert!(!floor.contains("entra"), "the floor needs no provider");
    }

    #[test]
    fn the_get_budget_is_one_plus_the_pages() {
        assert_eq!(get_budget(50, 100), 2);
        assert_eq!(get_budget(200, 100), 3);
        assert_eq!(get_budget(1000, 100), 11);
        assert_eq!(get_budget(0, 100), 1);
    }

    #[test]
    fn plugin_starts_and_schema_calls_are_counted_from_the_debug_log() {
        let log = "\
2026-11-21T22:00:00.000Z [DEBUG] provider: starting plugin: path=/x/terraform-provider-entra args=[]
2026-11-21T22:00:00.001Z [DEBUG] provider: plugin started: path=/x/terraform-provider-entra pid=10
2026-11-21T22:00:00.002Z [DEBUG] provider.terraform-provider-entra: received request: @module=provider.tfplugin tf_rpc=GetProviderSchema
2026-11-21T22:00:00.003Z [DEBUG] provider.terraform-provider-entra: served request: @module=provider.tfplugin tf_rpc=GetProviderSchema
2026-11-21T22:00:00.004Z [TRACE] GRPCProvider.v6: GetProviderSchema
2026-11-21T22:00:00.200Z [DEBUG] provider: plugin started: path=/x/terraform-provider-entra pid=11
2026-11-21T22:00:00.300Z [DEBUG] provider: plugin started: path=/y/terraform-provider-other pid=12";
        assert_eq!(count_in_log(log), ProcessCount { processes: 2, schema_calls: 1 });
    }

    #[test]
    fn requests_are_read_from_statistics() {
        let mut stats = Stats { total: 3, token_requests: 1, ..Stats::default() };
        stats.by_route.insert(PARTNERS_ROUTE.to_owned(), 2);
        stats.by_route.insert("PATCH /policies/crossTenantAccessPolicy/default".to_owned(), 1);
        stats.by_route.insert("POST /{tenant}/oauth2/v2.0/token".to_owned(), 1);
        let requests = Requests::from_stats(&stats);
        assert_eq!((requests.gets, requests.total, requests.tokens), (2, 3, 1));
        assert!(requests.describe().contains("GET /policies/crossTenantAccessPolicy/partners ×2"));
        assert_eq!(requests.count(PARTNERS_ROUTE), 2);
    }
}
