//! `terraform-provider-entra export`: bring an existing tenant under Terraform in one command.
//!
//! `export --out DIR` reads the cross-tenant access policy, the default configuration, every partner configuration,
//! every identity synchronization policy, the multi-tenant organization and its templates, and every cross-tenant
//! synchronization configuration with its assignments (the app role assignments of its service principal, read
//! through `appRoleAssignedTo`), and writes `.tf` files: one resource per object with only the settings that differ
//! from inheritance, the service defaults or the resource's defaults, an `import` block per object, and the provider
//! requirements. `terraform plan` in `DIR` then shows only imports, and after `terraform apply` a plan is empty.
//! `export --check DIR` instead lists the objects a configuration does not manage, for CI; it counts what an export
//! would write.
//!
//! Permissions: `Policy.Read.All` is required; without `CrossTenantInformation.ReadBasic.All` partners are named
//! after their tenant ids, without `MultiTenantOrganization.Read.All` the organization and its templates are
//! skipped, and without `Application.Read.All` and `Synchronization.Read.All` the synchronization configurations
//! and their assignments are skipped, each with a warning.
//!
//! Layers, from the bottom up:
//! - [`cli`]: the command line; the authentication flags are the provider's arguments;
//! - [`tenant`]: authentication through the provider's own configuration code, and every object read through its
//!   resource's `import` and `read`, so the export sees what `terraform import` will;
//! - [`names`]: stable, readable resource names; [`hcl`]: HCL laid out as `terraform fmt` does;
//! - [`generate`]: the files for what was read; [`files`]: writing them atomically;
//! - [`check`]: what a configuration directory and its state manage.
//!
//! Exit status: 0 success, 1 error (including invalid arguments), 2 `--check` found unmanaged objects.

pub mod check;
pub mod cli;
pub mod files;
pub mod generate;
pub mod hcl;
pub mod names;
pub mod report;
pub mod tenant;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use entra_graph::CancellationToken;

use crate::provider_data::EnvLookup;
use cli::{EXIT_UNMANAGED, Mode, Options};
use report::Reporter;
use tenant::{Connection, Lookup, Purpose, plural};

/// Which kinds of objects to export or check (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kinds {
    /// Partner configurations.
    pub partners: bool,
    /// The default configuration.
    pub default: bool,
    /// The cross-tenant access policy.
    pub policy: bool,
    /// Identity synchronization policies.
    pub identity_sync: bool,
    /// The multi-tenant organization this tenant belongs to, and its two templates.
    pub multi_tenant_organization: bool,
    /// Cross-tenant synchronization configurations and their assignments.
    pub sync_configurations: bool,
}

impl Kinds {
    /// Every kind.
    pub const ALL: Kinds = Kinds {
        partners: true,
        default: true,
        policy: true,
        identity_sync: true,
        multi_tenant_organization: true,
        sync_configurations: true,
    };

    /// No kind (to select some with struct update syntax).
    pub const NONE: Kinds = Kinds {
        partners: false,
        default: false,
        policy: false,
        identity_sync: false,
        multi_tenant_organization: false,
        sync_configurations: false,
    };
}

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Files written, or every object managed.
    Done,
    /// `--check` found objects the configuration does not manage.
    Unmanaged,
}

/// Runs `terraform-provider-entra export <args>` in this process: parses `args` (what follows `export`), reads
/// the environment of the process, reports on stderr and writes the result on stdout.
pub fn main(args: &[String]) -> ExitCode {
    let options = match cli::parse(args) {
        Ok(options) => options,
        Err(error) => {
            let _ = error.print();
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                // Exit 2 means "unmanaged objects" for --check, so a mistyped flag in CI must not look like it.
                _ => ExitCode::FAILURE,
            };
        }
    };
    tfplugin::logging::init_from_env();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("export: error: starting the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let env: EnvLookup = Arc::new(|name| std::env::var(name).ok());
    let reporter = Reporter::stderr(options.quiet);
    let mut stdout = std::io::stdout();
    let result = runtime.block_on(async {
        let cancel = CancellationToken::new();
        let interrupt = {
            let cancel = cancel.clone();
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    cancel.cancel();
                }
            })
        };
        let result = run(&options, env, cancel, &reporter, &mut stdout).await;
        interrupt.abort();
        result
    });
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Unmanaged) => ExitCode::from(EXIT_UNMANAGED),
        Err(message) => {
            eprintln!("export: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a parsed command: `env` is the environment the provider's fallbacks read, `cancel` interrupts it,
/// `reporter` takes progress and warnings, `stdout` the result (the summary of an export, the report of a check).
/// The error is a message for the user.
pub async fn run(
    options: &Options,
    env: EnvLookup,
    cancel: CancellationToken,
    reporter: &Reporter,
    stdout: &mut dyn Write,
) -> Result<Outcome, String> {
    for flag in &options.secret_flags {
        reporter.warn(&format!(
            "{flag} puts a secret on the command line, where other users of the machine can see it; prefer its \
             environment variable"
        ));
    }
    // Check the destination before signing in, so that a mistake there costs nothing.
    if let Mode::Export { out, force } = &options.mode {
        files::prepare(out, *force).map_err(|e| e.to_string())?;
    }
    let connection = Connection::open(options.provider_config.clone(), env, options.timeout, cancel.clone())
        .await
        .map_err(|e| e.to_string())?;
    let result = match &options.mode {
        Mode::Export { out, .. } => export(&connection, options, out, reporter, stdout).await,
        Mode::Check { dir, state } => check(&connection, options, dir, state.as_deref(), reporter, stdout).await,
    };
    match result {
        // Whatever failed after an interruption failed because of it.
        Err(_) if cancel.is_cancelled() => Err("interrupted; nothing was written".to_owned()),
        result => result,
    }
}

async fn export(
    connection: &Connection,
    options: &Options,
    out: &std::path::Path,
    reporter: &Reporter,
    stdout: &mut dyn Write,
) -> Result<Outcome, String> {
    let snapshot =
        connection.snapshot(options.kinds, true, Purpose::Export, reporter).await.map_err(|e| e.to_string())?;
    let export = generate::generate(&snapshot).await;
    for warning in &export.warnings {
        reporter.warn(warning);
    }
    if connection.is_cancelled() {
        return Err("interrupted; nothing was written".to_owned());
    }
    let written = files::write(out, &export.files).map_err(|e| e.to_string())?;
    reporter.progress(&format!("wrote {} file{} to {}", written.len(), plural(written.len()), out.display()));
    let summary = format!(
        "Exported {} from tenant {} to {}.\nNext: cd {} && terraform init && terraform plan (it should show only \
         imports: {} to import, 0 to add, 0 to change, 0 to destroy).\n",
        export.counts.describe(),
        snapshot.tenant_id,
        out.display(),
        out.display(),
        export.counts.total()
    );
    stdout.write_all(summary.as_bytes()).map_err(|e| format!("writing the summary: {e}"))?;
    Ok(Outcome::Done)
}

/// One object `--check` found unmanaged.
struct Unmanaged {
    /// The resource type.
    kind: &'static str,
    /// The import id.
    id: String,
    /// What to call it: `None` for partner tenants, which are looked up.
    name: Option<String>,
}

async fn check(
    connection: &Connection,
    options: &Options,
    dir: &std::path::Path,
    state: Option<&std::path::Path>,
    reporter: &Reporter,
    stdout: &mut dyn Write,
) -> Result<Outcome, String> {
    let managed = check::managed(dir, state).map_err(|e| e.to_string())?;
    let kinds = options.kinds;
    let mut unmanaged: Vec<Unmanaged> = Vec::new();
    let mut total = 0;
    let mut count = |is_managed: bool, kind: &'static str, id: String, name: Option<String>| {
        total += 1;
        if !is_managed {
            unmanaged.push(Unmanaged { kind, id, name });
        }
    };
    if kinds.policy {
        count(
            managed.policy,
            crate::resources::cross_tenant_access_policy::TYPE_NAME,
            "policy".to_owned(),
            Some(String::new()),
        );
    }
    if kinds.default {
        count(
            managed.default,
            crate::resources::cross_tenant_default::TYPE_NAME,
            "default".to_owned(),
            Some(String::new()),
        );
    }
    if kinds.partners || kinds.identity_sync {
        for partner in connection.list_partners(reporter).await.map_err(|e| e.to_string())? {
            if kinds.partners {
                let kind = crate::resources::cross_tenant_partner::TYPE_NAME;
                count(managed.has_partner(&partner.tenant_id), kind, partner.tenant_id.clone(), None);
            }
            if kinds.identity_sync && partner.identity_synchronization.is_some() {
                let kind = crate::resources::cross_tenant_identity_sync::TYPE_NAME;
                count(managed.has_identity_sync(&partner.tenant_id), kind, partner.tenant_id, None);
            }
        }
    }
    if kinds.multi_tenant_organization {
        // Read as the export reads them, so that the check counts exactly what an export would write: the
        // organization when the tenant belongs to one, each template when it differs from its untouched default.
        let selected = Kinds { multi_tenant_organization: true, ..Kinds::NONE };
        let snapshot =
            connection.snapshot(selected, false, Purpose::Check, reporter).await.map_err(|e| e.to_string())?;
        if let Some(organization) = &snapshot.organization {
            let name = organization.get_attr("display_name").as_str().map(|n| format!("\"{n}\""));
            let kind = crate::resources::multi_tenant_organization::TYPE_NAME;
            let id = crate::resources::multi_tenant_organization::IMPORT_ID.to_owned();
            count(managed.multi_tenant_organization, kind, id, name);
        }
        use crate::resources::{
            multi_tenant_organization_identity_sync_template as identity_sync_template,
            multi_tenant_organization_partner_template as partner_template,
        };
        for (state, template, is_managed, kind, id) in [
            (
                &snapshot.partner_template,
                generate::Template::PartnerConfiguration,
                managed.partner_template,
                partner_template::TYPE_NAME,
                partner_template::SINGLETON_ID,
            ),
            (
                &snapshot.identity_sync_template,
                generate::Template::IdentitySynchronization,
                managed.identity_sync_template,
                identity_sync_template::TYPE_NAME,
                identity_sync_template::SINGLETON_ID,
            ),
        ] {
            if let Some(state) = state
                && !generate::template_is_untouched(template, state)
            {
                count(is_managed, kind, id.to_owned(), Some(String::new()));
            }
        }
    }
    if kinds.sync_configurations
        && let Some(listed) =
            connection.list_sync_configurations(Purpose::Check, reporter).await.map_err(|e| e.to_string())?
    {
        for configuration in &listed {
            let reference =
                check::SyncConfigurationRef { id: &configuration.id, display_name: &configuration.display_name };
            let is_managed = managed.has_sync_configuration(reference);
            // A service principal of the template without a job is no configuration (the export skips it too);
            // asked only of unmanaged ones, so a check of a well-kept configuration costs no request per object.
            if !is_managed && !connection.has_sync_job(&configuration.id).await.map_err(|e| e.to_string())? {
                continue;
            }
            let kind = crate::resources::cross_tenant_sync_configuration::TYPE_NAME;
            count(is_managed, kind, configuration.id.clone(), Some(format!("\"{}\"", configuration.display_name)));
            for assignment in connection.sync_assignments(&configuration.id).await.map_err(|e| e.to_string())? {
                let text = |name: &str| assignment.get(name).and_then(serde_json::Value::as_str).unwrap_or_default();
                let is_managed = managed.has_sync_assignment(reference, text("id"), text("principalId"));
                let kind = crate::resources::cross_tenant_sync_assignment::TYPE_NAME;
                let name = format!("{} ({})", text("principalDisplayName"), text("principalType"));
                count(is_managed, kind, format!("{}/{}", configuration.id, text("id")), Some(name));
            }
        }
    }
    let sources = if managed.sources.is_empty() {
        format!("{} (no configuration files)", dir.display())
    } else {
        format!("{} ({} file{} read)", dir.display(), managed.sources.len(), plural(managed.sources.len()))
    };
    let mut report = String::new();
    if unmanaged.is_empty() {
        report.push_str(&format!(
            "All {total} object{} of tenant {} are managed by the configuration in {sources}.\n",
            plural(total),
            connection.tenant_id()
        ));
        stdout.write_all(report.as_bytes()).map_err(|e| format!("writing the report: {e}"))?;
        return Ok(Outcome::Done);
    }
    // Name the tenants of the unmanaged objects only: a check of a well-kept configuration makes no lookups.
    let mut tenants: Vec<String> = unmanaged.iter().filter(|u| u.name.is_none()).map(|u| u.id.clone()).collect();
    tenants.dedup();
    let lookups = connection.look_up(&tenants, reporter).await.map_err(|e| e.to_string())?;
    report.push_str(&format!(
        "{} of {total} object{} of tenant {} {} not managed by the configuration in {sources}:\n",
        unmanaged.len(),
        plural(total),
        connection.tenant_id(),
        if unmanaged.len() == 1 { "is" } else { "are" }
    ));
    let width = unmanaged.iter().map(|u| u.kind.len()).max().unwrap_or(0);
    for Unmanaged { kind, id, name } in &unmanaged {
        let name = match (name, lookups.get(id)) {
            (Some(name), _) => name.clone(),
            (None, Some(Lookup::Found(info))) => {
                let mut name = info.display_name.clone().unwrap_or_default();
                if let Some(domain) = &info.default_domain_name {
                    name.push_str(&format!(" ({domain})"));
                }
                name
            }
            (None, Some(Lookup::NotFound)) => "(tenant not found by lookup)".to_owned(),
            (None, Some(Lookup::Denied)) => "(tenant lookup refused)".to_owned(),
            _ => String::new(),
        };
        report.push_str(format!("  {kind:width$}  {id}  {name}").trim_end());
        report.push('\n');
    }
    report.push_str(
        "Generate configuration for them with `terraform-provider-entra export --out NEW_DIR` and move the resource \
         and import blocks you need into the configuration.\n",
    );
    stdout.write_all(report.as_bytes()).map_err(|e| format!("writing the report: {e}"))?;
    Ok(Outcome::Unmanaged)
}
