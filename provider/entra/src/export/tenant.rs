//! Reading the tenant: the provider's own configuration and resources, so an export sees exactly what `terraform
//! import` will.
//!
//! Authentication goes through [`EntraProvider`]'s `configure`, with the command-line flags in place of the provider
//! block and the same `ARM_*` fallbacks. Every object is then brought in the way Terraform imports it: the
//! resource's `import` for its import id, then its `read`. So the state an export writes configuration for is, value
//! for value, the state Terraform will hold after importing it, and the configuration plans clean. Partners and
//! their identity synchronization policies come from one paged listing (`$expand=identitySynchronization`), which
//! the resources' reads share; tenant lookups run a few at a time.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use entra_graph::models::{PartnerConfiguration, TenantInformation};
use entra_graph::{CancellationToken, GraphClient, GraphError, Operation};
use futures::StreamExt;
use tfplugin::{
    ConfigureRequest, Configured, Context, Diagnostic, Diagnostics, Provider, ReadOutcome, ReadRequest, Resource, Value,
};

use crate::provider::EntraProvider;
use crate::provider_data::{EnvLookup, ProviderData};
use crate::resources::cross_tenant_access_policy::{self, CrossTenantAccessPolicyResource};
use crate::resources::cross_tenant_default::{self, CrossTenantDefault};
use crate::resources::cross_tenant_identity_sync::CrossTenantIdentitySync;
use crate::resources::cross_tenant_partner::CrossTenantPartner;
use crate::resources::cross_tenant_sync_assignment::CrossTenantSyncAssignment;
use crate::resources::cross_tenant_sync_configuration::CrossTenantSyncConfiguration;
use crate::resources::multi_tenant_organization::{self, MultiTenantOrganization};
use crate::resources::{multi_tenant_organization_identity_sync_template, multi_tenant_organization_partner_template};

use super::Kinds;
use super::report::Reporter;

/// How many tenant lookups run at once: enough to make a large tenant quick, few enough to stay clear of Graph's
/// throttling (the client still honours `Retry-After` when it is hit).
pub const LOOKUP_CONCURRENCY: usize = 8;

/// What an export read from the tenant.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The tenant the objects belong to (the authenticated tenant).
    pub tenant_id: String,
    /// The cross-tenant access policy's state, when selected.
    pub policy: Option<Value>,
    /// The default configuration's state, when selected.
    pub default: Option<Value>,
    /// Every partner, sorted by tenant id (lowercase).
    pub partners: Vec<PartnerSnapshot>,
    /// The multi-tenant organization's state, when selected and the tenant belongs to one.
    pub organization: Option<Value>,
    /// The multi-tenant organization partner configuration template's state, when selected.
    pub partner_template: Option<Value>,
    /// The multi-tenant organization identity synchronization template's state, when selected.
    pub identity_sync_template: Option<Value>,
    /// Every cross-tenant synchronization configuration with its assignments, when selected, sorted by service
    /// principal id.
    pub sync_configurations: Vec<SyncConfigurationSnapshot>,
}

/// One cross-tenant synchronization configuration and its assignments.
#[derive(Debug, Clone)]
pub struct SyncConfigurationSnapshot {
    /// The configuration's service principal object id (its import id).
    pub id: String,
    /// The configuration resource's state.
    pub state: Value,
    /// The states of its assignment resources (every app role assignment of the service principal), in the order
    /// Graph lists them.
    pub assignments: Vec<Value>,
}

/// Why a run reads something: the warnings for a refused read say what the user misses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Writing configuration (`--out`).
    Export,
    /// Reporting unmanaged objects (`--check`).
    Check,
}

impl Purpose {
    /// "exported" or "checked".
    pub fn participle(self) -> &'static str {
        match self {
            Purpose::Export => "exported",
            Purpose::Check => "checked",
        }
    }
}

/// A cross-tenant synchronization configuration as listed (before it is read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedSyncConfiguration {
    /// The service principal's object id.
    pub id: String,
    /// The service principal's display name (the configuration's name).
    pub display_name: String,
}

/// One partner configuration and what goes with it.
#[derive(Debug, Clone)]
pub struct PartnerSnapshot {
    /// The partner's tenant id, as Graph lists it.
    pub tenant_id: String,
    /// The partner resource's state, when partners are selected.
    pub state: Option<Value>,
    /// The identity synchronization policy's state, when the partner has one and identity sync is selected.
    pub identity_sync: Option<Value>,
    /// Whether the partner has an identity synchronization policy (whether or not it is exported).
    pub has_identity_sync: bool,
    /// What the tenant lookup found.
    pub lookup: Lookup,
}

/// The result of looking a partner tenant up (findTenantInformationByTenantId).
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// Not looked up (nothing needed it).
    Skipped,
    /// Found.
    Found(TenantInformation),
    /// Graph knows no such tenant (404): Microsoft-created partners and tenants of other clouds.
    NotFound,
    /// The lookup was refused (403): the permission is missing, or the tenant may not be looked up.
    Denied,
}

impl Lookup {
    /// The tenant information, when found.
    pub fn info(&self) -> Option<&TenantInformation> {
        match self {
            Lookup::Found(info) => Some(info),
            _ => None,
        }
    }
}

/// Why reading the tenant failed; the message is meant for the user as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

/// A signed-in connection to the tenant: the configured provider's data, and the context bounding every call.
pub struct Connection {
    data: Configured<ProviderData>,
    ctx: Context,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").finish_non_exhaustive()
    }
}

/// Flag spelling of a provider argument, for messages: `tenant_id` → `--tenant-id`.
pub fn flag_name(argument: &str) -> String {
    format!("--{}", argument.replace('_', "-"))
}

/// Renders diagnostics for a terminal, naming the flag of an argument they are about.
pub fn describe_diagnostics(diagnostics: &Diagnostics) -> String {
    diagnostics.iter().filter(|d| d.is_error()).map(describe_diagnostic).collect::<Vec<_>>().join("\n")
}

fn describe_diagnostic(diagnostic: &Diagnostic) -> String {
    let mut text = diagnostic.summary.clone();
    if let Some(path) = &diagnostic.attribute {
        text.push_str(&format!(" ({})", flag_name(&path.to_string())));
    }
    if !diagnostic.detail.is_empty() {
        text.push_str(": ");
        text.push_str(&diagnostic.detail);
    }
    text
}

impl Connection {
    /// Configures the provider with `provider_config` (a value of the provider schema) and the environment `env`,
    /// exactly as Terraform's `ConfigureProvider` would, and returns the connection. `timeout` bounds the whole
    /// export; `cancel` interrupts it.
    pub async fn open(
        provider_config: Value,
        env: EnvLookup,
        timeout: Duration,
        cancel: CancellationToken,
    ) -> Result<Connection, ReadError> {
        // Not Terraform: the export reads through the resources but leaves the create journal alone.
        let provider = EntraProvider::with_env(env).without_create_journal();
        let ctx = Context::new(cancel).with_timeout(timeout);
        let problems = provider.schema().validate(&provider_config);
        if problems.has_errors() {
            return Err(ReadError(describe_diagnostics(&problems)));
        }
        let request = ConfigureRequest { config: provider_config, terraform_version: String::new() };
        let diagnostics = provider.configure(&ctx, request).await;
        if diagnostics.has_errors() {
            return Err(ReadError(describe_diagnostics(&diagnostics)));
        }
        Ok(Connection { data: provider.data(), ctx })
    }

    fn provider_data(&self) -> Arc<ProviderData> {
        self.data.get().expect("configure succeeded, so the provider data is set")
    }

    /// The Graph client.
    pub fn client(&self) -> GraphClient {
        self.provider_data().client.clone()
    }

    /// The authenticated tenant.
    pub fn tenant_id(&self) -> String {
        self.provider_data().auth.settings.tenant_id.clone().unwrap_or_default()
    }

    /// Whether the command was interrupted.
    pub fn is_cancelled(&self) -> bool {
        self.ctx.is_cancelled()
    }

    /// An operation bounded by what is left of the export's time.
    fn operation(&self) -> Operation {
        Operation::new(self.ctx.remaining().unwrap_or(Duration::ZERO), self.ctx.cancellation_token())
    }

    /// Imports and reads one object through its resource, as `terraform import` does. `None` when the object does
    /// not exist. Warnings the resource raises are reported, naming the object.
    async fn import(
        &self,
        resource: &dyn Resource,
        id: &str,
        what: &str,
        reporter: &Reporter,
    ) -> Result<Option<Value>, ReadError> {
        import_object(&self.ctx, resource, id, what, reporter).await
    }

    /// Reads what `kinds` selects, for `purpose`. Tenant lookups are made for every partner when `lookups` is set.
    pub async fn snapshot(
        &self,
        kinds: Kinds,
        lookups: bool,
        purpose: Purpose,
        reporter: &Reporter,
    ) -> Result<Snapshot, ReadError> {
        let mut snapshot = Snapshot {
            tenant_id: self.tenant_id(),
            policy: None,
            default: None,
            partners: Vec::new(),
            organization: None,
            partner_template: None,
            identity_sync_template: None,
            sync_configurations: Vec::new(),
        };
        if kinds.policy {
            reporter.progress("reading the cross-tenant access policy");
            let resource = CrossTenantAccessPolicyResource::new(self.data.clone());
            let id = cross_tenant_access_policy::SINGLETON_ID;
            snapshot.policy = self.import(&resource, id, "the cross-tenant access policy", reporter).await?;
        }
        if kinds.default {
            reporter.progress("reading the default configuration");
            let resource = CrossTenantDefault::new(self.data.clone());
            let id = cross_tenant_default::SINGLETON_ID;
            snapshot.default = self.import(&resource, id, "the default configuration", reporter).await?;
        }
        if kinds.multi_tenant_organization {
            self.read_multi_tenant_organization(&mut snapshot, purpose, reporter).await?;
        }
        if kinds.sync_configurations {
            self.read_sync_configurations(&mut snapshot, purpose, reporter).await?;
        }
        if !(kinds.partners || kinds.identity_sync) {
            return Ok(snapshot);
        }
        let listed = self.list_partners(reporter).await?;
        let partner_resource = CrossTenantPartner::new(self.data.clone());
        let sync_resource = CrossTenantIdentitySync::new(self.data.clone());
        for partner in &listed {
            let tenant = partner.tenant_id.clone();
            let has_identity_sync = partner.identity_synchronization.is_some();
            let state = if kinds.partners {
                let what = format!("partner configuration {tenant}");
                self.import(&partner_resource, &tenant, &what, reporter).await?
            } else {
                None
            };
            let identity_sync = if kinds.identity_sync && has_identity_sync {
                let what = format!("the identity synchronization policy of partner {tenant}");
                self.import(&sync_resource, &tenant, &what, reporter).await?
            } else {
                None
            };
            snapshot.partners.push(PartnerSnapshot {
                tenant_id: tenant,
                state,
                identity_sync,
                has_identity_sync,
                lookup: Lookup::Skipped,
            });
        }
        if lookups {
            let tenants: Vec<String> = snapshot.partners.iter().map(|p| p.tenant_id.clone()).collect();
            let found = self.look_up(&tenants, reporter).await?;
            for partner in &mut snapshot.partners {
                if let Some(lookup) = found.get(&partner.tenant_id) {
                    partner.lookup = lookup.clone();
                }
            }
        }
        Ok(snapshot)
    }

    /// Reads the multi-tenant organization (absent when the tenant belongs to none: Graph then answers `inactive`,
    /// which its resource reads as gone) and both templates (which every tenant has). These need
    /// MultiTenantOrganization.Read.All, which an export of cross-tenant access settings alone does not: when it is
    /// missing they are skipped with a warning instead of failing the export.
    async fn read_multi_tenant_organization(
        &self,
        snapshot: &mut Snapshot,
        purpose: Purpose,
        reporter: &Reporter,
    ) -> Result<(), ReadError> {
        reporter.progress("reading the multi-tenant organization and its templates");
        match self.client().multi_tenant_organization(&self.operation()).await {
            Err(error) if error.is_forbidden() => {
                let done = purpose.participle();
                reporter.warn(&format!(
                    "reading the multi-tenant organization was refused ({error}), so it and its templates are not \
                     {done}. Grant the application MultiTenantOrganization.Read.All to include them."
                ));
                return Ok(());
            }
            Err(error) => {
                let permission = "MultiTenantOrganization.Read.All";
                return Err(ReadError(graph_error_text("reading the multi-tenant organization", &error, permission)));
            }
            Ok(_) => {}
        }
        let resource = MultiTenantOrganization::new(self.data.clone());
        let id = multi_tenant_organization::IMPORT_ID;
        snapshot.organization = self.import(&resource, id, "the multi-tenant organization", reporter).await?;
        let resource = multi_tenant_organization_partner_template::resource(self.data.clone());
        let id = multi_tenant_organization_partner_template::SINGLETON_ID;
        let what = "the multi-tenant organization partner configuration template";
        snapshot.partner_template = self.import(&resource, id, what, reporter).await?;
        let resource = multi_tenant_organization_identity_sync_template::resource(self.data.clone());
        let id = multi_tenant_organization_identity_sync_template::SINGLETON_ID;
        let what = "the multi-tenant organization identity synchronization template";
        snapshot.identity_sync_template = self.import(&resource, id, what, reporter).await?;
        Ok(())
    }

    /// Reads every cross-tenant synchronization configuration and its assignments, each through its resource's
    /// `import` and `read`. The assignments are listed once for their ids; one assignment resource then serves all
    /// their reads, which share one more listing per configuration (the resource's cache). A service principal of the template without a synchronization
    /// job (a create that never finished) is not a configuration its resource can import: it is skipped with a
    /// warning.
    async fn read_sync_configurations(
        &self,
        snapshot: &mut Snapshot,
        purpose: Purpose,
        reporter: &Reporter,
    ) -> Result<(), ReadError> {
        let Some(listed) = self.list_sync_configurations(purpose, reporter).await? else { return Ok(()) };
        let configuration_resource = CrossTenantSyncConfiguration::new(self.data.clone());
        let assignment_resource = CrossTenantSyncAssignment::new(self.data.clone());
        for principal in &listed {
            let id = principal.id.clone();
            let what = format!("cross-tenant synchronization configuration {id} (\"{}\")", principal.display_name);
            let Some(state) = self.import(&configuration_resource, &id, &what, reporter).await? else {
                reporter.warn(&format!(
                    "service principal {id} (\"{}\") was made from the cross-tenant synchronization template but has \
                     no synchronization job, so it is no configuration and is not {}. A create that did not finish \
                     leaves such an application behind; delete it (Enterprise applications) if nothing uses it.",
                    principal.display_name,
                    purpose.participle()
                ));
                continue;
            };
            let mut assignments = Vec::new();
            for assignment in self.sync_assignments(&id).await? {
                let Some(assignment_id) = assignment.get("id").and_then(serde_json::Value::as_str) else { continue };
                let import_id = format!("{id}/{assignment_id}");
                let what = format!("assignment {assignment_id} of cross-tenant synchronization configuration {id}");
                if let Some(state) = self.import(&assignment_resource, &import_id, &what, reporter).await? {
                    assignments.push(state);
                }
            }
            snapshot.sync_configurations.push(SyncConfigurationSnapshot { id, state, assignments });
        }
        let assignments: usize = snapshot.sync_configurations.iter().map(|c| c.assignments.len()).sum();
        let configurations = snapshot.sync_configurations.len();
        reporter.progress(&format!(
            "read {configurations} cross-tenant synchronization configuration{} with {assignments} assignment{}",
            plural(configurations),
            plural(assignments)
        ));
        Ok(())
    }

    /// Lists the cross-tenant synchronization configurations (the service principals of the gallery template),
    /// sorted by id. `None`, with a warning, when the application lacks a permission they need: listing needs
    /// Application.Read.All and reading them Synchronization.Read.All (asked of Graph once, with the first
    /// configuration's jobs), neither of which the cross-tenant access settings need.
    pub async fn list_sync_configurations(
        &self,
        purpose: Purpose,
        reporter: &Reporter,
    ) -> Result<Option<Vec<ListedSyncConfiguration>>, ReadError> {
        reporter.progress("listing cross-tenant synchronization configurations");
        let client = self.client();
        let refused = |error: &GraphError| {
            reporter.warn(&format!(
                "reading cross-tenant synchronization configurations was refused ({error}), so they and their \
                 assignments are not {}. Grant the application Application.Read.All and Synchronization.Read.All to \
                 include them.",
                purpose.participle()
            ));
        };
        let listed = match client.list_sync_configurations(&self.operation()).await {
            Ok(listed) => listed,
            Err(error) if error.is_forbidden() => {
                refused(&error);
                return Ok(None);
            }
            Err(error) => {
                return Err(ReadError(graph_error_text(
                    "listing cross-tenant synchronization configurations",
                    &error,
                    "Application.Read.All",
                )));
            }
        };
        let text =
            |sp: &serde_json::Value, name: &str| sp.get(name).and_then(serde_json::Value::as_str).map(str::to_owned);
        let mut configurations: Vec<ListedSyncConfiguration> = listed
            .iter()
            .filter_map(|sp| {
                Some(ListedSyncConfiguration {
                    id: text(sp, "id")?,
                    display_name: text(sp, "displayName").unwrap_or_default(),
                })
            })
            .collect();
        configurations.sort_by_key(|c| c.id.to_ascii_lowercase());
        if let Some(first) = configurations.first() {
            match client.sync_jobs(&self.operation(), &first.id).await {
                Err(error) if error.is_forbidden() => {
                    refused(&error);
                    return Ok(None);
                }
                Err(error) => {
                    return Err(ReadError(graph_error_text(
                        &format!("reading the synchronization jobs of configuration {}", first.id),
                        &error,
                        "Synchronization.Read.All",
                    )));
                }
                Ok(_) => {}
            }
        }
        reporter.progress(&format!(
            "found {} cross-tenant synchronization configuration{}",
            configurations.len(),
            plural(configurations.len())
        ));
        Ok(Some(configurations))
    }

    /// Whether the service principal `id` has a cross-tenant synchronization job (is a configuration).
    pub async fn has_sync_job(&self, id: &str) -> Result<bool, ReadError> {
        let job = self.client().azure2azure_job(&self.operation(), id).await.map_err(|e| {
            ReadError(graph_error_text(
                &format!("reading the synchronization jobs of configuration {id}"),
                &e,
                "Synchronization.Read.All",
            ))
        })?;
        Ok(job.is_some())
    }

    /// The app role assignments of the configuration `id` as Graph lists them (none when it is gone).
    pub async fn sync_assignments(&self, id: &str) -> Result<Vec<serde_json::Value>, ReadError> {
        let listing = self.client().app_role_assigned_to(&self.operation(), id).await.map_err(|e| {
            ReadError(graph_error_text(
                &format!("listing the assignments of cross-tenant synchronization configuration {id}"),
                &e,
                "Application.Read.All",
            ))
        })?;
        Ok(listing.unwrap_or_default())
    }

    /// Lists every partner once (with their identity synchronization policies), sorted by tenant id.
    pub async fn list_partners(&self, reporter: &Reporter) -> Result<Vec<PartnerConfiguration>, ReadError> {
        reporter.progress("listing partner configurations");
        let mut partners = self
            .client()
            .list_partners(&self.operation())
            .await
            .map_err(|e| ReadError(graph_error_text("listing partner configurations", &e, "Policy.Read.All")))?;
        partners.sort_by_key(|p| p.tenant_id.to_ascii_lowercase());
        let with_sync = partners.iter().filter(|p| p.identity_synchronization.is_some()).count();
        reporter.progress(&format!(
            "found {} partner configuration{}, {with_sync} with an identity synchronization policy",
            partners.len(),
            plural(partners.len())
        ));
        Ok(partners)
    }

    /// Looks the tenants up by id, [`LOOKUP_CONCURRENCY`] at a time. 404 and 403 are results, not errors: the
    /// partner is still exported, without a name. Any other failure (after the client's retries) ends the export,
    /// so that names never depend on a passing outage.
    pub async fn look_up(
        &self,
        tenants: &[String],
        reporter: &Reporter,
    ) -> Result<BTreeMap<String, Lookup>, ReadError> {
        if tenants.is_empty() {
            return Ok(BTreeMap::new());
        }
        let total = tenants.len();
        reporter
            .progress(&format!("looking up {total} partner tenant{} ({LOOKUP_CONCURRENCY} at a time)", plural(total)));
        let client = self.client();
        let step = (total / 4).max(25);
        let mut results = BTreeMap::new();
        let mut lookups = futures::stream::iter(tenants.iter().cloned())
            .map(|tenant| {
                let client = client.clone();
                let op = self.operation();
                async move {
                    let result = client.find_tenant_by_id(&op, &tenant).await;
                    (tenant, result)
                }
            })
            .buffer_unordered(LOOKUP_CONCURRENCY);
        let (mut not_found, mut denied) = (0usize, 0usize);
        while let Some((tenant, result)) = lookups.next().await {
            let lookup = match result {
                Ok(Some(info)) => Lookup::Found(info),
                Ok(None) => {
                    not_found += 1;
                    Lookup::NotFound
                }
                Err(error) if error.is_forbidden() => {
                    denied += 1;
                    Lookup::Denied
                }
                Err(error) if error.is_not_found() => {
                    not_found += 1;
                    Lookup::NotFound
                }
                Err(error) => {
                    return Err(ReadError(graph_error_text(
                        &format!("looking up tenant {tenant}"),
                        &error,
                        "CrossTenantInformation.ReadBasic.All",
                    )));
                }
            };
            results.insert(tenant, lookup);
            let done = results.len();
            if done < total && done % step == 0 {
                reporter.progress(&format!("looked up {done} of {total} tenants"));
            }
        }
        let mut summary = format!("looked up {total} of {total} tenants");
        if not_found > 0 {
            summary.push_str(&format!("; {not_found} not found"));
        }
        if denied > 0 {
            summary.push_str(&format!("; {denied} refused"));
        }
        reporter.progress(&summary);
        if denied == total {
            reporter.warn(
                "every tenant lookup was refused (403), so partners are named after their tenant ids. Grant the \
                 application CrossTenantInformation.ReadBasic.All to get names and domains; nothing else needs it.",
            );
        }
        Ok(results)
    }
}

/// Imports and reads the object `id` (described for the user as `what`) through `resource` with `ctx`, as
/// `terraform import` does: `None` when the object does not exist. Terraform would show the warnings the resource
/// records on the context (a setting it could not read, for example), so the export reports each of them, naming
/// the object, and takes them off the context before the next object is read.
pub async fn import_object(
    ctx: &Context,
    resource: &dyn Resource,
    id: &str,
    what: &str,
    reporter: &Reporter,
) -> Result<Option<Value>, ReadError> {
    let result = import_and_read(ctx, resource, id).await;
    for diagnostic in ctx.take_diagnostics().iter() {
        // An error recorded on the context is not the operation's failure (that is returned), so it is reported
        // the same way rather than lost.
        reporter.warn(&format!("reading {what}: {}", describe_resource_diagnostic(diagnostic)));
    }
    result.map_err(|d| ReadError(format!("reading {what}: {}", describe_diagnostics(&d))))
}

/// A resource's diagnostic for a terminal: its attribute path is the resource's, not a flag.
fn describe_resource_diagnostic(diagnostic: &Diagnostic) -> String {
    let mut text = diagnostic.summary.clone();
    if let Some(path) = &diagnostic.attribute {
        text.push_str(&format!(" (attribute {path})"));
    }
    if !diagnostic.detail.is_empty() {
        text.push_str(": ");
        text.push_str(&diagnostic.detail);
    }
    text
}

async fn import_and_read(ctx: &Context, resource: &dyn Resource, id: &str) -> Result<Option<Value>, Diagnostics> {
    let imported = resource.import(ctx, id).await?;
    let request = ReadRequest { current_state: imported.state, private: Vec::new() };
    match resource.read(ctx, request).await? {
        ReadOutcome::Found(state) => Ok(Some(state.state)),
        ReadOutcome::Gone => Ok(None),
    }
}

/// A Graph failure as the user should read it, with the permission the call needs.
fn graph_error_text(action: &str, error: &GraphError, permission: &str) -> String {
    if error.is_forbidden() {
        format!("{action}: {error}. The application needs the Microsoft Graph permission {permission}.")
    } else {
        format!("{action}: {error}")
    }
}

/// `"s"` unless there is exactly one.
pub fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::Mutex;
    use tfplugin::{CreateRequest, DeleteRequest, NewState, Schema, UpdateRequest, async_trait};

    /// A resource whose read succeeds with a warning, as a read that could not make sense of a setting does.
    struct Warning;

    #[async_trait]
    impl Resource for Warning {
        fn type_name(&self) -> &str {
            "entra_warning"
        }
        fn schema(&self) -> Schema {
            Schema::new("")
        }
        async fn create(&self, _ctx: &Context, _request: CreateRequest) -> Result<NewState, Diagnostics> {
            Err(Diagnostics::new())
        }
        async fn import(&self, _ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
            Ok(NewState::new(Value::object([("id", Value::string(id))])))
        }
        async fn read(&self, ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
            ctx.warn("Unknown setting value", "Graph returned \"futureValue\" for b2b_direct_connect.");
            Ok(ReadOutcome::Found(NewState::new(request.current_state)))
        }
        async fn update(&self, _ctx: &Context, _request: UpdateRequest) -> Result<NewState, Diagnostics> {
            Err(Diagnostics::new())
        }
        async fn delete(&self, _ctx: &Context, _request: DeleteRequest) -> Result<(), Diagnostics> {
            Ok(())
        }
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn warnings_of_a_read_are_reported_once_naming_the_object() {
        let captured = Captured::default();
        // Quiet: warnings must show even then.
        let reporter = Reporter::to(true, Box::new(captured.clone()));
        let ctx = Context::background();
        let state = import_object(&ctx, &Warning, "x", "partner configuration x", &reporter).await.unwrap();
        assert_eq!(state.unwrap().get_attr("id"), &Value::string("x"));
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "export: warning: reading partner configuration x: Unknown setting value: Graph returned \"futureValue\" \
             for b2b_direct_connect.\n"
        );
        // Taken off the context, so the next object's read is not blamed for it.
        assert!(ctx.take_diagnostics().is_empty());
    }
}
