//! `entra-graph-emulator`: runs the local Microsoft Graph emulator as a process.
//!
//! ```text
//! entra-graph-emulator --listen 127.0.0.1:0 --state-file emulator.json
//! ```
//!
//! Once ready it writes `{"endpoint","ca_cert_file","tenant_id","client_id","client_secret",...,"tenants":[...]}` to
//! the state file (atomically, so scripts can poll for it) and logs one line per request to stderr. It stops on Ctrl-C or SIGTERM
//! and then removes the state file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use entra_graph_emulator::{
    DefaultNullMode, Emulator, EmulatorConfig, FaultRule, Faults, MalformedFault, MalformedKind, MergeMode,
    ReadOnlyMode, RetryAfter, ServerErrorFault, TenantRestrictionsFixture, Throttle, ThrottleMode, TokenBucket,
    WriteLock,
};

/// A faithful local Microsoft Graph for Entra cross-tenant access settings.
///
/// Serves Graph (`/v1.0`, `/beta`), an OAuth2 token endpoint (`/{tenant}/oauth2/v2.0/token`), an OIDC issuer for CI
/// flows, managed-identity endpoints and an admin surface (`/_emulator/...`) over HTTPS on loopback, with a
/// certificate from a CA generated at start. Every fault is off unless a flag turns it on.
#[derive(Debug, Parser)]
#[command(name = "entra-graph-emulator", version)]
struct Cli {
    /// Address of the HTTPS listener; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0", env = "ENTRA_EMULATOR_LISTEN")]
    listen: SocketAddr,

    /// Write {"endpoint","ca_cert_file","tenant_id","client_id","client_secret",...,"tenants":[...]} here as JSON
    /// once ready (the top-level credentials are the first tenant's).
    #[arg(long, env = "ENTRA_EMULATOR_STATE_FILE")]
    state_file: Option<PathBuf>,

    /// Write the CA certificate (PEM) here [default: a temporary file, removed on exit].
    #[arg(long)]
    ca_cert_file: Option<PathBuf>,

    /// The emulated tenant's id.
    #[arg(long, env = "ENTRA_EMULATOR_TENANT_ID", default_value = entra_graph_emulator::DEFAULT_TENANT_ID)]
    tenant_id: String,

    /// The accepted application (client) id.
    #[arg(long, env = "ENTRA_EMULATOR_CLIENT_ID", default_value = entra_graph_emulator::DEFAULT_CLIENT_ID)]
    client_id: String,

    /// The accepted client secret.
    #[arg(long, env = "ENTRA_EMULATOR_CLIENT_SECRET", default_value = entra_graph_emulator::DEFAULT_CLIENT_SECRET)]
    client_secret: String,

    /// How many tenants to host. The first is the one --tenant-id names; tenant n ≥ 2 has id
    /// 7e4a0000-0000-4000-8000-00000000000n, client id c1e40000-0000-4000-8000-00000000000n and secret
    /// emu~tenant-n.client-secret-for-local-tests-only (n in hex). The state file lists them all.
    #[arg(long, default_value_t = entra_graph_emulator::DEFAULT_TENANT_COUNT, value_name = "N")]
    tenants: usize,

    /// The hosted tenants as JSON: {"tenants":[{"tenant_id","client_id","client_secret","display_name",
    /// "default_domain_name","users":[{"id","display_name"}],"groups":[...]}]} (a state file works too). The first
    /// entry is the first tenant; replaces --tenants, --tenant-id, --client-id and --client-secret.
    #[arg(long, value_name = "JSON_FILE")]
    tenants_file: Option<PathBuf>,

    /// A PEM certificate file accepted for certificate client assertions (repeatable).
    #[arg(long = "client-certificate", value_name = "PEM_FILE")]
    client_certificates: Vec<PathBuf>,

    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, default_value_t = 3599)]
    token_lifetime_secs: u64,

    /// Also serve the managed-identity endpoints over plain HTTP on this address (e.g. 127.0.0.1:0).
    #[arg(long)]
    msi_http_listen: Option<SocketAddr>,

    /// Page size of the partner and appRoleAssignedTo listings when the client sends no $top.
    #[arg(long, default_value_t = 10)]
    page_size: usize,

    /// Directory fixture for the tenant lookup functions: {"tenants":[{"tenantId","displayName",
    /// "defaultDomainName","federationBrandName","domains":[...]}]} [default: the shipped fixture with Contoso,
    /// Fabrikam, Truesec Detect AB, OSTTRA and the MSA tenant].
    #[arg(long, value_name = "JSON_FILE")]
    directory_file: Option<PathBuf>,

    /// Pre-create a service-provider partner (isServiceProvider: true) with this tenant id (repeatable).
    #[arg(long = "service-provider-partner", value_name = "TENANT_ID")]
    service_provider_partners: Vec<String>,

    /// How PATCH treats nested values.
    #[arg(long, value_enum, default_value = "replace")]
    merge_mode: MergeArg,

    /// What happens to read-only properties in write bodies.
    #[arg(long, value_enum, default_value = "reject")]
    read_only: RejectOrIgnore,

    /// What happens to an explicit null in a PATCH of the default configuration.
    #[arg(long, value_enum, default_value = "reject")]
    default_null: RejectOrIgnore,

    /// The fresh default configuration's tenantRestrictions.
    #[arg(long, value_enum, default_value = "service-object")]
    default_tenant_restrictions: TenantRestrictionsArg,

    /// Turn off a validation rule of graph-api.md §7 (R1, R2, R3, R4, R7, R8, R11, R13, R14, R15, R16, R17, R18;
    /// repeatable).
    #[arg(long = "disable-rule", value_name = "RULE")]
    disable_rules: Vec<String>,

    /// Turn on an optional validation rule (R2b, R12, R21; repeatable).
    #[arg(long = "enable-rule", value_name = "RULE")]
    enable_rules: Vec<String>,

    /// Do not check application permissions (no 403 Authorization_RequestDenied).
    #[arg(long)]
    no_permission_checks: bool,

    /// Require this value in the X-Emulator-Admin-Key header on the admin surface.
    #[arg(long, env = "ENTRA_EMULATOR_ADMIN_KEY")]
    admin_key: Option<String>,

    /// Seed for the faults' random choices.
    #[arg(long, default_value_t = 0x5eed)]
    seed: u64,

    /// Faults as JSON (the shape of GET /_emulator/faults); the fault flags below are applied on top.
    #[arg(long, value_name = "JSON_FILE", help_heading = "Faults")]
    faults_file: Option<PathBuf>,

    /// Delay every Graph request by this many milliseconds.
    #[arg(long, help_heading = "Faults")]
    latency_ms: Option<u64>,

    /// 429 on every N-th Graph request.
    #[arg(long, value_name = "N", help_heading = "Faults", conflicts_with_all = ["throttle_rate", "throttle_bucket"])]
    throttle_every: Option<u64>,

    /// 429 with this probability (0..1).
    #[arg(long, value_name = "P", help_heading = "Faults", conflicts_with = "throttle_bucket")]
    throttle_rate: Option<f64>,

    /// 429 from a resource-unit token bucket: RU/WINDOW_MS[/WRITES/WRITE_WINDOW_MS], e.g. 3500/10000/3000/150000.
    #[arg(long, value_name = "SPEC", help_heading = "Faults")]
    throttle_bucket: Option<String>,

    /// Retry-After of 429s: seconds (0 allowed), "omit", or "refill" (token bucket: time until refilled).
    #[arg(long, default_value = "1", help_heading = "Faults")]
    retry_after: String,

    /// Send x-ms-throttle-* headers with 429s.
    #[arg(long, help_heading = "Faults")]
    throttle_headers: bool,

    /// 503 on every N-th Graph request.
    #[arg(long, value_name = "N", help_heading = "Faults")]
    unavailable_every: Option<u64>,

    /// 503 with this probability.
    #[arg(long, value_name = "P", help_heading = "Faults")]
    unavailable_rate: Option<f64>,

    /// 504 on every N-th Graph request.
    #[arg(long, value_name = "N", help_heading = "Faults")]
    gateway_timeout_every: Option<u64>,

    /// 504 with this probability.
    #[arg(long, value_name = "P", help_heading = "Faults")]
    gateway_timeout_rate: Option<f64>,

    /// Drop the connection (no response) before applying every N-th write.
    #[arg(long, value_name = "N", help_heading = "Faults")]
    reset_before_write_every: Option<u64>,

    /// Apply every N-th write, then drop the connection without a response.
    #[arg(long, value_name = "N", help_heading = "Faults")]
    reset_after_write_every: Option<u64>,

    /// How long multi-tenant organization joins, role changes and removals take to complete.
    #[arg(long, value_name = "MS", default_value_t = 300)]
    mto_delay_ms: u64,

    /// Reads see the state from before a write for this many milliseconds after it.
    #[arg(long, value_name = "MS", help_heading = "Faults")]
    lag_ms: Option<u64>,

    /// A service principal created by a template instantiate is invisible (404) for this many milliseconds.
    #[arg(long, value_name = "MS", help_heading = "Faults")]
    service_principal_lag_ms: Option<u64>,

    /// A deleted partner's tenant id stays reserved (409 on re-create) for this many milliseconds.
    #[arg(long, value_name = "MS", help_heading = "Faults")]
    reserve_deleted_ms: Option<u64>,

    /// Writes fail (storage migration) for this many milliseconds after start; 0 means until changed at run time.
    #[arg(long, value_name = "MS", help_heading = "Faults")]
    write_lock_ms: Option<u64>,

    /// Status of writes refused by the write lock.
    #[arg(long, default_value_t = 503, help_heading = "Faults")]
    write_lock_status: u16,

    /// Corrupt responses: KIND[:N[:METHOD]] with KIND one of truncated-json, html-bad-gateway,
    /// error-envelope-with-ok, wrong-types, extra-properties, missing-properties, unknown-enum-values; every N-th
    /// matching request (default 1) of METHOD (default any). Repeatable.
    #[arg(long = "malformed", value_name = "SPEC", help_heading = "Faults")]
    malformed: Vec<String>,

    /// Apply latency, throttling, 503/504 and resets to the token endpoint too.
    #[arg(long, help_heading = "Faults")]
    fault_token_endpoint: bool,

    /// Log level filter for stderr (RUST_LOG syntax).
    #[arg(long, default_value = "info", env = "RUST_LOG")]
    log: String,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum MergeArg {
    Replace,
    DeepMerge,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RejectOrIgnore {
    Reject,
    Ignore,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum TenantRestrictionsArg {
    ServiceObject,
    Null,
}

fn trigger_rule(every: Option<u64>, rate: Option<f64>) -> Option<FaultRule> {
    every.map(FaultRule::every_nth).or(rate.map(FaultRule::rate))
}

fn retry_after(text: &str) -> anyhow::Result<RetryAfter> {
    match text {
        "omit" | "none" => Ok(RetryAfter::Omit),
        "refill" => Ok(RetryAfter::UntilRefill),
        seconds => Ok(RetryAfter::Seconds(
            seconds
                .parse()
                .with_context(|| format!("--retry-after must be seconds, 'omit' or 'refill', not '{seconds}'"))?,
        )),
    }
}

fn token_bucket(spec: &str) -> anyhow::Result<TokenBucket> {
    let numbers: Vec<u64> =
        spec.split('/').map(|n| n.trim().parse::<u64>()).collect::<Result<_, _>>().with_context(|| {
            format!("--throttle-bucket must look like RU/WINDOW_MS[/WRITES/WRITE_WINDOW_MS], not '{spec}'")
        })?;
    match numbers.as_slice() {
        [units, window] => Ok(TokenBucket {
            resource_units: *units as u32,
            window_ms: *window,
            writes: None,
            write_window_ms: 150_000,
        }),
        [units, window, writes, write_window] => Ok(TokenBucket {
            resource_units: *units as u32,
            window_ms: *window,
            writes: Some(*writes as u32),
            write_window_ms: *write_window,
        }),
        _ => anyhow::bail!("--throttle-bucket must look like RU/WINDOW_MS[/WRITES/WRITE_WINDOW_MS], not '{spec}'"),
    }
}

fn malformed(spec: &str) -> anyhow::Result<MalformedFault> {
    let mut parts = spec.split(':');
    let kind = match parts.next().unwrap_or_default() {
        "truncated-json" => MalformedKind::TruncatedJson,
        "html-bad-gateway" => MalformedKind::HtmlBadGateway,
        "error-envelope-with-ok" => MalformedKind::ErrorEnvelopeWithOk,
        "wrong-types" => MalformedKind::WrongTypes,
        "extra-properties" => MalformedKind::ExtraProperties,
        "missing-properties" => MalformedKind::MissingProperties,
        "unknown-enum-values" => MalformedKind::UnknownEnumValues,
        other => anyhow::bail!("unknown --malformed kind '{other}'"),
    };
    let every = match parts.next() {
        Some(n) => n.parse().with_context(|| format!("--malformed '{spec}': N must be a number"))?,
        None => 1,
    };
    let mut rule = FaultRule::every_nth(every);
    if let Some(method) = parts.next() {
        rule = rule.for_method(method);
    }
    Ok(MalformedFault { kind, rule })
}

fn faults(cli: &Cli) -> anyhow::Result<Faults> {
    let mut faults = match &cli.faults_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            serde_json::from_str(&text).with_context(|| format!("{} is not a valid faults document", path.display()))?
        }
        None => Faults::default(),
    };
    if let Some(ms) = cli.latency_ms {
        faults.latency_ms = ms;
    }
    let retry_after = retry_after(&cli.retry_after)?;
    if let Some(rule) = trigger_rule(cli.throttle_every, cli.throttle_rate) {
        faults.throttle =
            Some(Throttle { mode: ThrottleMode::Rule(rule), retry_after, throttle_headers: cli.throttle_headers });
    } else if let Some(spec) = &cli.throttle_bucket {
        faults.throttle = Some(Throttle {
            mode: ThrottleMode::TokenBucket(token_bucket(spec)?),
            retry_after,
            throttle_headers: cli.throttle_headers,
        });
    }
    if let Some(rule) = trigger_rule(cli.unavailable_every, cli.unavailable_rate) {
        faults.service_unavailable = Some(ServerErrorFault { rule, retry_after: RetryAfter::Omit });
    }
    if let Some(rule) = trigger_rule(cli.gateway_timeout_every, cli.gateway_timeout_rate) {
        faults.gateway_timeout = Some(ServerErrorFault { rule, retry_after: RetryAfter::Omit });
    }
    if let Some(n) = cli.reset_before_write_every {
        faults.reset_before_write = Some(FaultRule::every_nth(n));
    }
    if let Some(n) = cli.reset_after_write_every {
        faults.reset_after_write = Some(FaultRule::every_nth(n));
    }
    if let Some(ms) = cli.lag_ms {
        faults.read_after_write_lag_ms = ms;
    }
    if let Some(ms) = cli.service_principal_lag_ms {
        faults.service_principal_lag_ms = ms;
    }
    if let Some(ms) = cli.reserve_deleted_ms {
        faults.reserve_deleted_ms = ms;
    }
    if let Some(ms) = cli.write_lock_ms {
        faults.write_lock = Some(WriteLock {
            duration_ms: (ms > 0).then_some(ms),
            status: cli.write_lock_status,
            ..WriteLock::default()
        });
    }
    for spec in &cli.malformed {
        faults.malformed.push(malformed(spec)?);
    }
    if cli.fault_token_endpoint {
        faults.apply_to_token_endpoint = true;
    }
    Ok(faults)
}

fn config(cli: &Cli) -> anyhow::Result<EmulatorConfig> {
    let mut config = EmulatorConfig {
        listen: cli.listen,
        ca_cert_file: cli.ca_cert_file.clone(),
        managed_identity_http_listen: cli.msi_http_listen,
        tenant_id: cli.tenant_id.clone(),
        client_id: cli.client_id.clone(),
        client_secret: cli.client_secret.clone(),
        token_lifetime: Duration::from_secs(cli.token_lifetime_secs),
        page_size: cli.page_size.max(1),
        seed: cli.seed,
        service_provider_partners: cli.service_provider_partners.clone(),
        merge_mode: match cli.merge_mode {
            MergeArg::Replace => MergeMode::Replace,
            MergeArg::DeepMerge => MergeMode::DeepMerge,
        },
        read_only_properties: match cli.read_only {
            RejectOrIgnore::Reject => ReadOnlyMode::Reject,
            RejectOrIgnore::Ignore => ReadOnlyMode::Ignore,
        },
        default_null: match cli.default_null {
            RejectOrIgnore::Reject => DefaultNullMode::Reject,
            RejectOrIgnore::Ignore => DefaultNullMode::Ignore,
        },
        default_tenant_restrictions: match cli.default_tenant_restrictions {
            TenantRestrictionsArg::ServiceObject => TenantRestrictionsFixture::ServiceObject,
            TenantRestrictionsArg::Null => TenantRestrictionsFixture::Null,
        },
        enforce_permissions: !cli.no_permission_checks,
        admin_key: cli.admin_key.clone(),
        faults: faults(cli)?,
        ..EmulatorConfig::default()
    }
    .with_tenants(cli.tenants);
    if let Some(path) = &cli.tenants_file {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        config = config.with_tenant_list(
            entra_graph_emulator::parse_tenants(&text).with_context(|| format!("in {}", path.display()))?,
        );
    }
    for path in &cli.client_certificates {
        let pem = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        config.client_certificates.push(pem);
    }
    if let Some(path) = &cli.directory_file {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        config.directory = entra_graph_emulator::parse_directory(&text)?;
    }
    for (rules, enabled) in [(&cli.disable_rules, false), (&cli.enable_rules, true)] {
        for rule in rules {
            if !config.rules.set(rule, enabled) {
                anyhow::bail!("unknown validation rule '{rule}'");
            }
        }
    }
    Ok(config)
}

/// Writes the state file atomically: a reader sees either nothing or the whole document.
fn write_state_file(path: &Path, emulator: &Emulator) -> anyhow::Result<()> {
    let document = serde_json::json!({
        "endpoint": emulator.endpoint(),
        "ca_cert_file": emulator.ca_cert_file(),
        "tenant_id": emulator.tenant_id(),
        "client_id": emulator.client_id(),
        "client_secret": emulator.client_secret(),
        "token_endpoint": emulator.token_endpoint(),
        "graph_scope": emulator.graph_scope(),
        "managed_identity_http_endpoint": emulator.managed_identity_http_endpoint(),
        "tenants": emulator.tenants(),
    });
    let directory = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(directory)
        .with_context(|| format!("cannot create a file in {}", directory.display()))?;
    std::io::Write::write_all(&mut file, serde_json::to_string_pretty(&document)?.as_bytes())?;
    file.persist(path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

async fn wait_for_shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let emulator = Emulator::start(config(&cli)?)?;
    emulator
        .set_mto_settings(entra_graph_emulator::MtoSettings { delay_ms: cli.mto_delay_ms, ..emulator.mto_settings() });
    tracing::info!(
        target: "entra_graph_emulator",
        "listening on {} (Graph {}/v1.0, token endpoint {}, tenant {}, client {}, CA {})",
        emulator.endpoint(),
        emulator.endpoint(),
        emulator.token_endpoint(),
        emulator.tenant_id(),
        emulator.client_id(),
        emulator.ca_cert_file().display()
    );
    if let Some(path) = &cli.state_file {
        write_state_file(path, &emulator)?;
    }
    let signals = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    signals.block_on(wait_for_shutdown_signal());
    tracing::info!(target: "entra_graph_emulator", "shutting down");
    if let Some(path) = &cli.state_file {
        let _ = std::fs::remove_file(path);
    }
    emulator.shutdown();
    Ok(())
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let filter =
        tracing_subscriber::EnvFilter::try_new(&cli.log).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("entra-graph-emulator: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
