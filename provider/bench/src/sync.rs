//! The cross-tenant synchronization scenario: K `entra_cross_tenant_sync_configuration` resources with M
//! `entra_cross_tenant_sync_assignment` resources between them, applied into the emulator's first tenant (the source)
//! towards its second (the target), then refresh plans timed beside the same plan over K + M `terraform_data`
//! resources, and their Graph GETs checked route by route against a budget derived from what a read needs.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use entra_graph_emulator::{Emulator, Faults};
use serde_json::json;

use crate::scenarios::{Requests, SETUP_ENV, Setup, provider_env};
use crate::terraform::{PROVIDER_SOURCE, ProviderAccess, WorkDir};

/// The service principal of a configuration (`GET /servicePrincipals/{id}`): its name and app id.
pub const SERVICE_PRINCIPAL_ROUTE: &str = "GET /servicePrincipals/{id}";
/// The configuration's job (`GET …/synchronization/jobs/{jobId}`): `enabled` and quarantine.
pub const JOB_ROUTE: &str = "GET /servicePrincipals/{id}/synchronization/jobs/{id}";
/// The job's secrets: target tenant, scope, notification email and deletion threshold.
pub const SECRETS_ROUTE: &str = "GET /servicePrincipals/{id}/synchronization/secrets";
/// The job's schema, read only by configurations that manage attribute mappings or scoping filters.
pub const SCHEMA_ROUTE: &str = "GET /servicePrincipals/{id}/synchronization/jobs/{id}/schema";
/// A configuration's assignments, listed once for all the assignments of that configuration.
pub const ASSIGNMENTS_ROUTE: &str = "GET /servicePrincipals/{id}/appRoleAssignedTo";

/// The size of one synchronization scenario: K configurations sharing M assignments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSize {
    /// K.
    pub configurations: usize,
    /// M, spread round-robin over the configurations.
    pub assignments: usize,
}

impl SyncSize {
    /// The assignments of each configuration: assignment `j` belongs to configuration `j mod K`.
    pub fn assignments_per_configuration(&self) -> Vec<usize> {
        let k = self.configurations.max(1);
        (0..self.configurations).map(|c| self.assignments / k + usize::from(c < self.assignments % k)).collect()
    }

    /// Principals (users and groups) the source tenant needs: each configuration assigns distinct principals (Graph
    /// refuses the same principal twice on one service principal), so the largest configuration decides.
    pub fn principals(&self) -> usize {
        self.assignments_per_configuration().into_iter().max().unwrap_or(0)
    }

    /// Configurations that manage part of their job schema (an attribute mapping override): every other one, the
    /// first included, so the scenario has both kinds of read.
    pub fn schema_managing_configurations(&self) -> usize {
        self.configurations.div_ceil(2)
    }

    /// `K=5, M=100`.
    pub fn label(&self) -> String {
        format!("K={}, M={}", self.configurations, self.assignments)
    }
}

/// Whether configuration `index` manages an attribute mapping (and so reads its job schema on refresh).
fn manages_schema(index: usize) -> bool {
    index.is_multiple_of(2)
}

/// The object id of the `index`-th principal seeded into the source tenant.
pub fn principal_id(index: usize) -> String {
    let kind = if is_group(index) { "96a0" } else { "a5e4" };
    format!("{kind}be7c-0000-4000-8000-{index:012x}")
}

/// Every fifth principal is a group, the others users: assignments of both kinds, as the guide makes them.
pub fn is_group(index: usize) -> bool {
    index % 5 == 4
}

/// The Graph GETs one refresh plan may make, by route, derived from what each read needs:
/// - a configuration reads its service principal, its job and its secrets (3 GETs), and its job schema only when it
///   manages attribute mappings or scoping filters (1 more);
/// - the assignments of a configuration share one listing of `appRoleAssignedTo`: ⌈assignments / page size⌉ pages
///   (at least one page, which also tells an empty configuration from a deleted one).
///
/// The token request is a POST and not counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncGetBudget {
    /// The most GETs allowed on each route.
    pub routes: Vec<(&'static str, u64)>,
}

impl SyncGetBudget {
    /// The budget of a refresh of `size` when Graph serves `page_size` assignments per page.
    pub fn new(size: SyncSize, page_size: usize) -> SyncGetBudget {
        let k = size.configurations as u64;
        let pages: u64 =
            size.assignments_per_configuration().iter().map(|&a| a.div_ceil(page_size.max(1)).max(1) as u64).sum();
        SyncGetBudget {
            routes: vec![
                (SERVICE_PRINCIPAL_ROUTE, k),
                (JOB_ROUTE, k),
                (SECRETS_ROUTE, k),
                (SCHEMA_ROUTE, size.schema_managing_configurations() as u64),
                (ASSIGNMENTS_ROUTE, pages),
            ],
        }
    }

    /// The whole budget.
    pub fn total(&self) -> u64 {
        self.routes.iter().map(|(_, n)| n).sum()
    }

    /// The GET routes of `requests` that exceed their allowance, or that the budget does not allow at all.
    pub fn exceeded(&self, requests: &Requests) -> Vec<String> {
        let allowed = |route: &str| self.routes.iter().find(|(r, _)| *r == route).map(|(_, n)| *n);
        requests
            .by_route
            .iter()
            .filter(|(route, _)| route.starts_with("GET "))
            .filter_map(|(route, &n)| match allowed(route) {
                Some(limit) if n <= limit => None,
                Some(limit) => Some(format!("{route} ×{n} > {limit}")),
                None => Some(format!("{route} ×{n} (not in the budget)")),
            })
            .collect()
    }

    /// Whether `requests` stays within the budget on every route.
    pub fn met_by(&self, requests: &Requests) -> bool {
        self.exceeded(requests).is_empty()
    }

    /// `3·5 + 3 + 5 = 23`: the budget as a formula for `size` and its value.
    pub fn formula(&self, size: SyncSize) -> String {
        format!(
            "≤ 3·{} + {} + {} = {}",
            size.configurations,
            size.schema_managing_configurations(),
            self.routes.iter().find(|(r, _)| *r == ASSIGNMENTS_ROUTE).map_or(0, |(_, n)| *n),
            self.total()
        )
    }

    /// Each route's count beside its allowance, then any other route: `GET /servicePrincipals/{id} ×5/5, …`.
    pub fn describe(&self, requests: &Requests) -> String {
        let mut parts: Vec<String> =
            self.routes.iter().map(|(route, limit)| format!("{route} ×{}/{limit}", requests.count(route))).collect();
        parts.extend(
            requests
                .by_route
                .iter()
                .filter(|(route, _)| !self.routes.iter().any(|(r, _)| r == *route))
                .map(|(route, n)| format!("{route} ×{n}")),
        );
        parts.join(", ")
    }
}

/// The configuration of the scenario: `size.configurations` configurations into `target_tenant_id` (every other
/// one with an attribute mapping override) and `size.assignments` assignments spread over them.
pub fn sync_config(target_tenant_id: &str, size: SyncSize) -> String {
    let mut hcl = format!(
        "terraform {{\n  required_providers {{\n    entra = {{ source = \"{PROVIDER_SOURCE}\" }}\n  }}\n}}\n\nprovider \"entra\" {{}}\n"
    );
    for c in 0..size.configurations {
        hcl.push_str(&format!(
            "\nresource \"entra_cross_tenant_sync_configuration\" \"c{c:03}\" {{\n  {}\n}}\n",
            configuration_settings(c, target_tenant_id).replace("\n    ", "\n  ")
        ));
    }
    for j in 0..size.assignments {
        let c = j % size.configurations.max(1);
        hcl.push_str(&format!(
            "\nresource \"entra_cross_tenant_sync_assignment\" \"a{j:04}\" {{\n  configuration_id = entra_cross_tenant_sync_configuration.c{c:03}.id\n  principal_id     = \"{}\"\n}}\n",
            principal_id(j / size.configurations.max(1))
        ));
    }
    hcl
}

/// One configuration's settings as an HCL object body (the same text is the `terraform_data` input of the floor).
fn configuration_settings(index: usize, target_tenant_id: &str) -> String {
    let mut body = format!(
        "display_name       = \"Bench sync {index:03}\"\n    target_tenant_id   = \"{target_tenant_id}\"\n    notification_email = \"ops@contoso.example\""
    );
    if manages_schema(index) {
        body.push_str(
            "\n    attribute_mappings = [\n      { target_attribute = \"userType\", source_type = \"constant\", source = \"Guest\", apply = \"always\" },\n    ]",
        );
    }
    body
}

/// Terraform's own floor for the scenario: K + M `terraform_data` resources whose inputs are the same objects.
pub fn sync_floor_config(target_tenant_id: &str, size: SyncSize) -> String {
    let mut hcl = String::new();
    for c in 0..size.configurations {
        hcl.push_str(&format!(
            "\nresource \"terraform_data\" \"c{c:03}\" {{\n  input = {{\n    {}\n  }}\n}}\n",
            configuration_settings(c, target_tenant_id)
        ));
    }
    for j in 0..size.assignments {
        let c = j % size.configurations.max(1);
        hcl.push_str(&format!(
            "\nresource \"terraform_data\" \"a{j:04}\" {{\n  input = {{\n    configuration_id = terraform_data.c{c:03}.id\n    principal_id     = \"{}\"\n  }}\n}}\n",
            principal_id(j / size.configurations.max(1))
        ));
    }
    hcl
}

/// Seeds the fresh emulator as the scenario needs it: the target (second) tenant allows inbound synchronization from
/// the source (its partner with automatic consent inbound, and its identity sync policy), the source (first) tenant
/// consents outbound for the target, and the source holds `principals` more users and groups to assign.
pub fn seed_tenants(emulator: &Emulator, principals: usize) -> anyhow::Result<String> {
    let source = emulator.tenant(0).context("the emulator's first tenant")?;
    let target = emulator.tenant(1).context("the emulator hosts no second tenant to synchronize into")?;
    let (source_id, target_id) = (source.tenant_id().to_owned(), target.tenant_id().to_owned());
    target.create_partner(json!({"tenantId": source_id, "automaticUserConsentSettings": {"inboundAllowed": true}}))?;
    target
        .put_identity_sync(&source_id, json!({"displayName": "Source", "userSyncInbound": {"isSyncAllowed": true}}))?;
    source.create_partner(json!({"tenantId": target_id, "automaticUserConsentSettings": {"outboundAllowed": true}}))?;
    for index in 0..principals {
        if is_group(index) {
            source.add_group(&principal_id(index), &format!("Bench group {index}"))?;
        } else {
            source.add_user(&principal_id(index), &format!("Bench user {index}"))?;
        }
    }
    Ok(target_id)
}

/// The refresh plans of the synchronization scenario.
#[derive(Debug, Clone)]
pub struct SyncMeasurement {
    /// K and M.
    pub size: SyncSize,
    /// Wall time of the apply that created the configurations and assignments (production consistency waits off).
    pub apply: Duration,
    /// Wall time of each refresh plan with the provider.
    pub entra: Vec<Duration>,
    /// Wall time of each refresh plan with the provider while the emulator adds no latency.
    pub entra_without_latency: Vec<Duration>,
    /// Wall time of each plan over `terraform_data`, run right next to the matching provider plan.
    pub floor: Vec<Duration>,
    /// Graph requests of each provider plan.
    pub requests: Vec<Requests>,
}

impl SyncMeasurement {
    /// The ratio provider/floor of each round; `entra` is [`SyncMeasurement::entra`] or
    /// [`SyncMeasurement::entra_without_latency`].
    pub fn ratios(&self, entra: &[Duration]) -> Vec<f64> {
        entra.iter().zip(&self.floor).map(|(e, f)| e.as_secs_f64() / f.as_secs_f64()).collect()
    }
}

/// Applies the scenario without latency, then times `runs` rounds of refresh plans: of the floor, of the provider
/// with the emulator's latency on, and of the provider without latency, the order rotating each round. Every plan
/// must be empty (`-detailed-exitcode` 0).
pub fn measure_sync_refresh(
    setup: &Setup,
    emulator: &Emulator,
    size: SyncSize,
    runs: usize,
    progress: &dyn Fn(&str),
) -> anyhow::Result<SyncMeasurement> {
    emulator.reset();
    emulator.set_page_size(setup.page_size);
    emulator.set_faults(Faults::none());
    let target = seed_tenants(emulator, size.principals())?;
    let env = provider_env(emulator);
    let entra = WorkDir::new(&setup.terraform, &ProviderAccess::DevOverride(setup.provider_dir.clone()), &env)?;
    entra.write_config(&sync_config(&target, size))?;
    let floor = WorkDir::new(&setup.terraform, &ProviderAccess::BuiltinOnly, &[])?;
    floor.write_config(&sync_floor_config(&target, size))?;

    let label = size.label();
    progress(&format!("sync {label}: creating the configurations and assignments"));
    let started = Instant::now();
    entra.apply(&SETUP_ENV).context("creating the synchronization configurations and assignments")?;
    let apply = started.elapsed();
    floor.apply(&[]).context("creating the terraform_data resources")?;
    let objects = emulator.tenant(0).context("the source tenant")?.objects();
    let jobs: usize = objects["synchronization"]
        .as_object()
        .map_or(0, |s| s.values().map(|sp| sp["jobs"].as_object().map_or(0, |j| j.len())).sum());
    let assignments: usize = objects["appRoleAssignedTo"]
        .as_object()
        .map_or(0, |a| a.values().filter_map(|v| v.as_array()).map(Vec::len).sum());
    anyhow::ensure!(
        jobs == size.configurations && assignments == size.assignments,
        "the source tenant holds {jobs} synchronization jobs and {assignments} assignments after applying {label}"
    );

    emulator.set_faults(setup.latency_everywhere());
    entra.plan_expecting_no_changes(&[])?;
    floor.plan_expecting_no_changes(&[])?;

    let mut measurement = SyncMeasurement {
        size,
        apply,
        entra: Vec::new(),
        entra_without_latency: Vec::new(),
        floor: Vec::new(),
        requests: Vec::new(),
    };
    for round in 0..runs {
        progress(&format!("sync {label}: round {}/{runs}", round + 1));
        let mut floor_wall = Duration::ZERO;
        let mut entra_wall = Duration::ZERO;
        let mut quiet_wall = Duration::ZERO;
        let mut requests = None;
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
        let requests = requests.expect("every round plans the provider with latency");
        progress(&format!(
            "sync {label}: entra {} (Graph GETs: {}), without latency {}, floor {}",
            crate::summary::format_seconds(entra_wall.as_secs_f64()),
            requests.gets,
            crate::summary::format_seconds(quiet_wall.as_secs_f64()),
            crate::summary::format_seconds(floor_wall.as_secs_f64())
        ));
        measurement.entra.push(entra_wall);
        measurement.entra_without_latency.push(quiet_wall);
        measurement.floor.push(floor_wall);
        measurement.requests.push(requests);
    }
    emulator.set_faults(Faults::none());
    Ok(measurement)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;

    fn requests(routes: &[(&str, u64)]) -> Requests {
        let by_route: BTreeMap<String, u64> = routes.iter().map(|(r, n)| ((*r).to_owned(), *n)).collect();
        let gets = routes.iter().filter(|(r, _)| r.starts_with("GET ")).map(|(_, n)| n).sum();
        Requests { gets, total: gets, tokens: 1, by_route }
    }

    #[test]
    fn assignments_are_spread_round_robin_with_distinct_principals_per_configuration() {
        let size = SyncSize { configurations: 3, assignments: 8 };
        assert_eq!(size.assignments_per_configuration(), [3, 3, 2]);
        assert_eq!(size.principals(), 3);
        assert_eq!(size.schema_managing_configurations(), 2);
        let hcl = sync_config("00000000-0000-4000-8000-000000000002", size);
        assert_eq!(hcl.matches("resource \"entra_cross_tenant_sync_configuration\"").count(), 3);
        assert_eq!(hcl.matches("resource \"entra_cross_tenant_sync_assignment\"").count(), 8);
        assert_eq!(hcl.matches("attribute_mappings").count(), 2);
        // Each configuration's assignments name distinct principals.
        for c in 0..3 {
            let reference = format!("entra_cross_tenant_sync_configuration.c{c:03}.id");
            let principals: Vec<&str> = hcl
                .split("resource ")
                .filter(|block| block.contains(&reference))
                .filter_map(|block| block.split("principal_id     = \"").nth(1)?.split('"').next())
                .collect();
            let distinct: HashSet<&&str> = principals.iter().collect();
            assert_eq!(distinct.len(), principals.len(), "configuration {c}: {principals:?}");
            assert_eq!(principals.len(), size.assignments_per_configuration()[c]);
        }
        let floor = sync_floor_config("00000000-0000-4000-8000-000000000002", size);
        assert_eq!(floor.matches("resource \"terraform_data\"").count(), 11);
        assert!(!floor.contains("entra_"), "the floor needs no provider");
    }

    #[test]
    fn principals_are_unique_guids_of_users_and_groups() {
        let ids: HashSet<String> = (0..2000).map(principal_id).collect();
        assert_eq!(ids.len(), 2000);
        for id in ids.iter().take(5) {
            let groups: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
            assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "{id}");
        }
        assert_eq!((0..10).filter(|i| is_group(*i)).count(), 2);
    }

    #[test]
    fn the_budget_is_three_reads_per_configuration_the_managed_schemas_and_one_listing_page_each() {
        let size = SyncSize { configurations: 5, assignments: 100 };
        let budget = SyncGetBudget::new(size, 100);
        assert_eq!(budget.total(), 3 * 5 + 3 + 5);
        assert_eq!(budget.formula(size), "≤ 3·5 + 3 + 5 = 23");
        // A configuration with more assignments than a page takes more pages.
        let big = SyncGetBudget::new(SyncSize { configurations: 2, assignments: 250 }, 100);
        assert_eq!(big.routes.iter().find(|(r, _)| *r == ASSIGNMENTS_ROUTE).unwrap().1, 4);
        // An empty configuration still lists once.
        let empty = SyncGetBudget::new(SyncSize { configurations: 2, assignments: 0 }, 100);
        assert_eq!(empty.routes.iter().find(|(r, _)| *r == ASSIGNMENTS_ROUTE).unwrap().1, 2);
    }

    #[test]
    fn the_budget_is_checked_route_by_route() {
        let budget = SyncGetBudget::new(SyncSize { configurations: 2, assignments: 10 }, 100);
        let within = requests(&[
            (SERVICE_PRINCIPAL_ROUTE, 2),
            (JOB_ROUTE, 2),
            (SECRETS_ROUTE, 2),
            (SCHEMA_ROUTE, 1),
            (ASSIGNMENTS_ROUTE, 2),
            ("POST /{tenant}/oauth2/v2.0/token", 1),
        ]);
        assert!(budget.met_by(&within), "{:?}", budget.exceeded(&within));
        assert!(
            budget.describe(&within).starts_with("GET /servicePrincipals/{id} ×2/2, "),
            "{}",
            budget.describe(&within)
        );
        assert!(
            budget.describe(&within).ends_with("POST /{tenant}/oauth2/v2.0/token ×1"),
            "{}",
            budget.describe(&within)
        );

        // A listing per assignment misses, even though the total could hide it under a generous sum.
        let per_assignment = requests(&[(SERVICE_PRINCIPAL_ROUTE, 0), (ASSIGNMENTS_ROUTE, 10)]);
        assert_eq!(budget.exceeded(&per_assignment), ["GET /servicePrincipals/{id}/appRoleAssignedTo ×10 > 2"]);
        // A GET the reads do not need misses too.
        let unexpected = requests(&[("GET /applications", 2)]);
        assert_eq!(budget.exceeded(&unexpected), ["GET /applications ×2 (not in the budget)"]);
    }
}
