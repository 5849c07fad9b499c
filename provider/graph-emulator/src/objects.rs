//! A tenant's directory objects: users and groups (fixtures with fixed ids), applications, service principals,
//! synchronization jobs and app role assignments (graph-sync-and-mto.md A.10).
//!
//! Objects are stored as JSON maps shaped like Graph's, with every property present, keyed by lowercase id.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use serde_json::{Value, json};

use crate::config::TenantConfig;
use crate::store::Object;

/// The directory objects of one tenant.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Objects {
    pub(crate) users: BTreeMap<String, Object>,
    pub(crate) groups: BTreeMap<String, Object>,
    /// Applications by object id.
    pub(crate) applications: BTreeMap<String, Object>,
    /// Service principals by object id.
    pub(crate) service_principals: BTreeMap<String, Object>,
    /// When a new service principal becomes visible to reads (the replication-lag fault); absent = visible.
    pub(crate) visible_at: HashMap<String, Instant>,
    /// Synchronization (secrets and jobs) by service principal id.
    pub(crate) synchronization: BTreeMap<String, Synchronization>,
    /// `appRoleAssignedTo` by service principal id, in creation order.
    pub(crate) assignments: BTreeMap<String, Vec<Object>>,
}

/// A service principal's `synchronization`: its secrets and jobs.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Synchronization {
    /// Secrets in the order they were first saved.
    pub(crate) secrets: Vec<(String, String)>,
    pub(crate) jobs: BTreeMap<String, Job>,
}

/// A synchronization job and its schema.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Job {
    pub(crate) job: Object,
    pub(crate) schema: Value,
}

impl Objects {
    /// Whether a service principal exists and is replicated (visible to reads).
    pub(crate) fn service_principal_visible(&self, id: &str) -> bool {
        self.service_principals.contains_key(id) && self.visible_at.get(id).is_none_or(|at| Instant::now() >= *at)
    }

    /// Removes a service principal with its synchronization and assignments (assignments *of* its principals stay).
    pub(crate) fn remove_service_principal(&mut self, id: &str) -> Option<Object> {
        self.visible_at.remove(id);
        self.synchronization.remove(id);
        self.assignments.remove(id);
        self.service_principals.remove(id)
    }

    /// The job `job_id` of service principal `sp`.
    pub(crate) fn job_mut(&mut self, sp: &str, job_id: &str) -> Option<&mut Job> {
        self.synchronization.get_mut(sp).and_then(|s| s.jobs.get_mut(job_id))
    }
}

fn object(value: Value) -> Object {
    match value {
        Value::Object(map) => map,
        _ => Object::new(),
    }
}

/// `Adele Vance` → `adele.vance`.
fn mail_nickname(display_name: &str) -> String {
    display_name
        .split_whitespace()
        .map(|part| part.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

/// A member user with the properties `GET /users` returns by default.
pub(crate) fn new_user(id: &str, display_name: &str, domain: &str) -> Object {
    let nickname = mail_nickname(display_name);
    let mut names = display_name.split_whitespace();
    let given_name = names.next().map(str::to_owned);
    let surname = names.last().map(str::to_owned);
    object(json!({
        "id": id,
        "businessPhones": [],
        "displayName": display_name,
        "givenName": given_name,
        "jobTitle": null,
        "mail": format!("{nickname}@{domain}"),
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "surname": surname,
        "userPrincipalName": format!("{nickname}@{domain}"),
    }))
}

/// An assigned security group.
pub(crate) fn new_group(id: &str, display_name: &str) -> Object {
    object(json!({
        "id": id,
        "deletedDateTime": null,
        "classification": null,
        "createdDateTime": "2024-01-01T00:00:00Z",
        "description": null,
        "displayName": display_name,
        "groupTypes": [],
        "mail": null,
        "mailEnabled": false,
        "mailNickname": mail_nickname(display_name).replace('.', "-"),
        "securityEnabled": true,
        "visibility": null,
    }))
}

impl Objects {
    /// The objects of a fresh tenant: its fixture users and groups.
    pub(crate) fn fresh(tenant: &TenantConfig) -> Objects {
        let users = tenant
            .users
            .iter()
            .map(|u| (u.id.clone(), new_user(&u.id, &u.display_name, &tenant.default_domain_name)))
            .collect();
        let groups = tenant.groups.iter().map(|g| (g.id.clone(), new_group(&g.id, &g.display_name))).collect();
        Objects { users, groups, ..Objects::default() }
    }
}

/// `0001-01-01T00:00:00Z`: Graph's "never" for non-nullable timestamps.
pub(crate) const NEVER: &str = "0001-01-01T00:00:00Z";

/// Now, as Graph writes timestamps.
pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A new job as `POST .../synchronization/jobs` creates it (A.3): disabled, status `Paused`.
pub(crate) fn new_job(id: &str, template_id: &str, settings: Value) -> Object {
    object(json!({
        "id": id,
        "templateId": template_id,
        "schedule": {"expiration": null, "interval": "PT40M", "state": "Disabled"},
        "status": {
            "code": "Paused",
            "countSuccessiveCompleteFailures": 0,
            "escrowsPruned": false,
            "lastExecution": null,
            "lastSuccessfulExecution": null,
            "lastSuccessfulExecutionWithExports": null,
            "progress": [],
            "quarantine": null,
            "steadyStateFirstAchievedTime": NEVER,
            "steadyStateLastAchievedTime": NEVER,
            "synchronizedEntryCountByType": [],
            "troubleshootingUrl": null,
        },
        "synchronizationJobSettings": settings,
    }))
}

fn set_path(job: &mut Object, section: &str, name: &str, value: Value) {
    if let Some(Value::Object(inner)) = job.get_mut(section) {
        inner.insert(name.to_owned(), value);
    }
}

impl Job {
    /// `start` (A.6): the schedule becomes active, a quarantine is cleared, and the job has not run yet.
    pub(crate) fn start(&mut self) {
        set_path(&mut self.job, "schedule", "state", json!("Active"));
        set_path(&mut self.job, "status", "code", json!("NotRun"));
        set_path(&mut self.job, "status", "quarantine", Value::Null);
        set_path(&mut self.job, "status", "troubleshootingUrl", json!(""));
        // What the documentation shows right after start (A.3, S-CTS-GRAPH step 13).
        let execution = json!({
            "activityIdentifier": null, "countEntitled": 0, "countEntitledForProvisioning": 0, "countEscrowed": 0,
            "countEscrowedRaw": 0, "countExported": 0, "countExports": 0, "countImported": 0,
            "countImportedDeltas": 0, "countImportedReferenceDeltas": 0,
            "error": {"code": "None", "message": "", "tenantActionable": false},
            "state": "Failed", "timeBegan": NEVER, "timeEnded": NEVER,
        });
        set_path(&mut self.job, "status", "lastExecution", execution);
    }

    /// `pause` (A.6): state is kept, the schedule and status show `Paused`.
    pub(crate) fn pause(&mut self) {
        set_path(&mut self.job, "schedule", "state", json!("Paused"));
        set_path(&mut self.job, "status", "code", json!("Paused"));
    }

    /// Clears a quarantine (`restart` with `QuarantineState`): an active job goes back to "not run yet".
    pub(crate) fn clear_quarantine(&mut self) {
        let active = self.job.get("schedule").and_then(|s| s.get("state")) == Some(&json!("Active"));
        set_path(&mut self.job, "status", "quarantine", Value::Null);
        if active {
            set_path(&mut self.job, "status", "code", json!("NotRun"));
        }
    }

    /// One synchronization cycle completes (what the provisioning service does every 40 minutes): an active job
    /// that is not in quarantine becomes `Active` with a successful last execution. Returns whether it ran.
    pub(crate) fn complete_cycle(&mut self, entitled: u64) -> bool {
        let active = self.job.get("schedule").and_then(|s| s.get("state")) == Some(&json!("Active"));
        let quarantined = self.job.get("status").and_then(|s| s.get("quarantine")).is_some_and(|q| !q.is_null());
        if !active || quarantined {
            return false;
        }
        let now = now_rfc3339();
        let execution = json!({
            "activityIdentifier": uuid::Uuid::new_v4().to_string(), "countEntitled": entitled,
            "countEntitledForProvisioning": entitled, "countEscrowed": 0, "countEscrowedRaw": 0,
            "countExported": entitled, "countExports": entitled, "countImported": entitled,
            "countImportedDeltas": 0, "countImportedReferenceDeltas": 0,
            "error": null, "state": "Succeeded", "timeBegan": now, "timeEnded": now,
        });
        set_path(&mut self.job, "status", "code", json!("Active"));
        set_path(&mut self.job, "status", "lastExecution", execution.clone());
        set_path(&mut self.job, "status", "lastSuccessfulExecution", execution.clone());
        set_path(&mut self.job, "status", "lastSuccessfulExecutionWithExports", execution);
        let never = self.job.get("status").and_then(|s| s.get("steadyStateFirstAchievedTime")) == Some(&json!(NEVER));
        if never {
            set_path(&mut self.job, "status", "steadyStateFirstAchievedTime", json!(now));
        }
        set_path(&mut self.job, "status", "steadyStateLastAchievedTime", json!(now));
        true
    }

    /// Puts the job in quarantine (A.3 `synchronizationQuarantine`), as the service does after critical errors.
    pub(crate) fn quarantine(&mut self, reason: &str, code: &str, message: &str) {
        let now = now_rfc3339();
        set_path(&mut self.job, "status", "code", json!("Quarantine"));
        set_path(
            &mut self.job,
            "status",
            "quarantine",
            json!({
                "currentBegan": now,
                "error": {"code": code, "message": message, "tenantActionable": true},
                "nextAttempt": now,
                "reason": reason,
                "seriesBegan": now,
                "seriesCount": 1,
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_users_get_names_from_their_display_name() {
        let user = new_user("u", "Adele Vance", "contoso.example");
        assert_eq!(user["userPrincipalName"], "adele.vance@contoso.example");
        assert_eq!(user["givenName"], "Adele");
        assert_eq!(user["surname"], "Vance");
        assert_eq!(new_group("g", "Sales Team")["mailNickname"], "sales-team");
    }
}
