//! Cross-tenant synchronization in the source tenant (graph-sync-and-mto.md Part A): the gallery template
//! instantiate, service principals and applications, the `Azure2Azure` job with its secrets, schema and actions, the
//! connection test, and `appRoleAssignedTo`.
//!
//! These calls carry Graph's JSON as it is (`serde_json::Value`): the resources that use them read only the few
//! properties they manage, and the job schema must be sent back whole (PUT replaces it; there is no PATCH, A.5.1).
//! Reads return `Ok(None)` for a missing object.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{Attempts, Call, GraphClient, Safety, Shape};
use crate::error::GraphError;
use crate::operation::Operation;

/// The gallery application template of cross-tenant synchronization (global cloud, A.1).
pub const CROSS_TENANT_SYNC_TEMPLATE_ID: &str = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7";
/// The synchronization template of a cross-tenant synchronization job (A.3).
pub const AZURE2AZURE: &str = "Azure2Azure";

/// Percent-encodes one path segment (ids are GUIDs or job ids, but nothing unchecked should shape a URL).
fn segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.trim().bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn service_principal_path(sp: &str) -> String {
    format!("/servicePrincipals/{}", segment(sp))
}

fn jobs_path(sp: &str) -> String {
    format!("{}/synchronization/jobs", service_principal_path(sp))
}

fn job_path(sp: &str, job: &str) -> String {
    format!("{}/{}", jobs_path(sp), segment(job))
}

/// The application and service principal a template instantiate made.
#[derive(Debug, Clone)]
pub struct InstantiatedApplication {
    /// The application object.
    pub application: Value,
    /// The service principal object.
    pub service_principal: Value,
}

impl GraphClient {
    /// `POST /applicationTemplates/{id}/instantiate` of the cross-tenant synchronization template (A.1).
    ///
    /// A repeated attempt after a lost answer may make a second application: when an attempt's outcome was unknown,
    /// the applications such attempts made are deleted again, keeping only the one returned.
    pub async fn instantiate_sync_configuration(
        &self,
        op: &Operation,
        display_name: &str,
    ) -> Result<InstantiatedApplication, GraphError> {
        let what = format!("creating the cross-tenant synchronization application \"{display_name}\"");
        let call = Call::write(
            Method::POST,
            format!("/applicationTemplates/{CROSS_TENANT_SYNC_TEMPLATE_ID}/instantiate"),
            Some(json!({ "displayName": display_name })),
            Safety::CreateOnce,
            what.clone(),
        );
        let started = time::OffsetDateTime::now_utc();
        let mut attempts = Attempts::default();
        let outcome = self.send(op, &call, &mut attempts).await;
        let made = match outcome {
            Ok(response) if response.is_success() => {
                let body = response.into_json().unwrap_or(Value::Null);
                let application = body.get("application").cloned().unwrap_or(Value::Null);
                let service_principal = body.get("servicePrincipal").cloned().unwrap_or(Value::Null);
                let complete = application.get("id").and_then(Value::as_str).is_some()
                    && service_principal.get("id").and_then(Value::as_str).is_some();
                complete.then_some(InstantiatedApplication { application, service_principal })
            }
            Ok(response) if !attempts.outcome_unknown => return Err(response.error(&call).into()),
            Ok(_) => None,
            Err(error) if !attempts.outcome_unknown => return Err(error),
            Err(_) => None,
        };
        if !attempts.outcome_unknown {
            return made.ok_or_else(|| GraphError::OutcomeUnknown {
                what,
                reason: "Microsoft Graph accepted the request but its answer names no application and service \
                         principal"
                    .to_owned(),
            });
        }
        // An earlier attempt may have made an application this call never heard of: delete every application of
        // the template with this name made since the call began, except the one it returns, so nothing is left
        // behind.
        let keep = made.as_ref().and_then(|m| m.application.get("id")).and_then(Value::as_str).map(str::to_owned);
        let cleanup = self.delete_lost_instances(op, display_name, started, keep.as_deref()).await;
        match (made, cleanup) {
            (Some(made), _) => Ok(made),
            (None, Ok(())) => Err(GraphError::OutcomeUnknown {
                what,
                reason: "no answer arrived, and the applications the attempts made were deleted again; apply again"
                    .to_owned(),
            }),
            (None, Err(error)) => Err(GraphError::OutcomeUnknown { what, reason: error.to_string() }),
        }
    }

    /// Deletes the applications of the cross-tenant synchronization template named `display_name` created since
    /// `since` (less two minutes for clock skew), except `keep`. Only the attempts of one instantiate call match:
    /// an application of another configuration with the same name would have to be created within the same
    /// minutes and have no synchronization job yet, which this also checks.
    async fn delete_lost_instances(
        &self,
        op: &Operation,
        display_name: &str,
        since: time::OffsetDateTime,
        keep: Option<&str>,
    ) -> Result<(), GraphError> {
        let since = since - time::Duration::minutes(2);
        let filter = format!("displayName eq '{}'", display_name.replace('\'', "''"));
        let applications = self.list_all(op, "/applications".to_owned(), Some(filter), "listing applications").await?;
        let lost = applications.into_iter().filter(|a| {
            let created = a
                .get("createdDateTime")
                .and_then(Value::as_str)
                .and_then(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok());
            a.get("applicationTemplateId").and_then(Value::as_str) == Some(CROSS_TENANT_SYNC_TEMPLATE_ID)
                && a.get("displayName").and_then(Value::as_str) == Some(display_name)
                && created.is_some_and(|c| c >= since)
                && a.get("id").and_then(Value::as_str) != keep
        });
        let lost: Vec<Value> = lost.collect();
        if lost.is_empty() {
            return Ok(());
        }
        for application in lost {
            let app_id = application.get("appId").and_then(Value::as_str).unwrap_or_default();
            let filter = format!("appId eq '{}'", app_id.replace('\'', "''"));
            let principals =
                self.list_all(op, "/servicePrincipals".to_owned(), Some(filter), "listing service principals").await?;
            let sp = principals.iter().find(|p| p.get("appId").and_then(Value::as_str) == Some(app_id));
            if let Some(sp) = sp.and_then(|p| p.get("id")).and_then(Value::as_str)
                && !self.sync_jobs(op, sp).await?.is_empty()
            {
                continue;
            }
            let id = application.get("id").and_then(Value::as_str).unwrap_or_default();
            tracing::warn!(application = id, "deleting the application a lost instantiate attempt made");
            self.delete_application(op, id).await?;
        }
        Ok(())
    }

    /// `GET /servicePrincipals/{id}`.
    pub async fn service_principal(&self, op: &Operation, sp: &str) -> Result<Option<Value>, GraphError> {
        let call = Call::get(
            service_principal_path(sp),
            Shape::object(&["id", "appId"]),
            format!("reading service principal {sp}"),
        );
        self.get_json_optional(op, &call).await
    }

    /// The service principals instantiated from the cross-tenant synchronization template (the portal's
    /// Cross-tenant synchronization > Configurations, graph-sync-and-mto.md A.1 [INF]):
    /// `GET /servicePrincipals?$filter=applicationTemplateId eq '518e5f48-…'`, every page. The filter is checked
    /// again here, so a listing that ignored it cannot pass other applications off as configurations.
    pub async fn list_sync_configurations(&self, op: &Operation) -> Result<Vec<Value>, GraphError> {
        let filter = format!("applicationTemplateId eq '{CROSS_TENANT_SYNC_TEMPLATE_ID}'");
        let items = self
            .list_all(
                op,
                "/servicePrincipals".to_owned(),
                Some(filter),
                "listing the cross-tenant synchronization configurations",
            )
            .await?;
        Ok(items
            .into_iter()
            .filter(|sp| {
                sp.get("applicationTemplateId")
                    .and_then(Value::as_str)
                    .is_some_and(|t| same_id(t, CROSS_TENANT_SYNC_TEMPLATE_ID))
            })
            .collect())
    }

    /// Waits until a service principal just made is readable: a new one answers 404 for a while (replication lag,
    /// A.1), and every synchronization call under it fails until then. Gives up at the operation's deadline.
    pub async fn wait_for_service_principal(&self, op: &Operation, sp: &str) -> Result<Value, GraphError> {
        let mut pause = self.consistency().poll_interval.max(Duration::from_millis(5));
        let cap = self.consistency().max_poll_interval.max(pause);
        loop {
            if let Some(found) = self.service_principal(op, sp).await? {
                return Ok(found);
            }
            tracing::debug!(service_principal = sp, "the new service principal is not readable yet; waiting");
            if !op.sleep(pause).await {
                return Err(op.interrupted(&format!("waiting for service principal {sp} to be readable"), None));
            }
            pause = (pause * 2).min(cap);
        }
    }

    /// The application whose `appId` is `app_id`, from the application listing (following its pages).
    pub async fn application_by_app_id(&self, op: &Operation, app_id: &str) -> Result<Option<Value>, GraphError> {
        let filter = format!("appId eq '{}'", app_id.trim().replace('\'', "''"));
        let items = self.list_all(op, "/applications".to_owned(), Some(filter), "listing applications").await?;
        Ok(items.into_iter().find(|a| a.get("appId").and_then(Value::as_str).is_some_and(|id| same_id(id, app_id))))
    }

    /// `DELETE /applications/{id}` (its service principal goes with it); an application already gone counts as
    /// deleted.
    pub async fn delete_application(&self, op: &Operation, application: &str) -> Result<(), GraphError> {
        let path = format!("/applications/{}", segment(application));
        self.delete_allowing_missing(op, path, format!("deleting application {application}")).await
    }

    /// Renames a configuration: `PATCH /applications/{id}` then `PATCH /servicePrincipals/{id}` with the new
    /// `displayName`. The two objects keep separate names; the service principal's is the one the portal shows
    /// (Enterprise applications) and the one read back, so it goes last: a failure between the two still reads as
    /// the old name and the next apply renames again.
    pub async fn rename_sync_configuration(
        &self,
        op: &Operation,
        application: &str,
        sp: &str,
        display_name: &str,
    ) -> Result<(), GraphError> {
        let body = json!({ "displayName": display_name });
        let application_call = Call::write(
            Method::PATCH,
            format!("/applications/{}", segment(application)),
            Some(body.clone()),
            Safety::Idempotent,
            format!("renaming application {application}"),
        );
        self.succeed(op, &application_call).await?;
        let sp_call = Call::write(
            Method::PATCH,
            service_principal_path(sp),
            Some(body),
            Safety::Idempotent,
            format!("renaming service principal {sp}"),
        );
        self.succeed(op, &sp_call).await
    }

    /// `DELETE /servicePrincipals/{id}`; one already gone counts as deleted.
    pub async fn delete_service_principal(&self, op: &Operation, sp: &str) -> Result<(), GraphError> {
        self.delete_allowing_missing(op, service_principal_path(sp), format!("deleting service principal {sp}")).await
    }

    /// The collection-bound connection test `POST …/synchronization/jobs/validateCredentials` (A.2.2) for a
    /// configuration that synchronizes into `target_tenant_id`.
    pub async fn validate_sync_credentials(
        &self,
        op: &Operation,
        sp: &str,
        target_tenant_id: &str,
    ) -> Result<(), GraphError> {
        let body = json!({
            "useSavedCredentials": false,
            "templateId": AZURE2AZURE,
            "credentials": [
                { "key": "CompanyId", "value": target_tenant_id },
                { "key": "AuthenticationType", "value": "SyncPolicy" },
            ],
        });
        let call = Call::write(
            Method::POST,
            format!("{}/validateCredentials", jobs_path(sp)),
            Some(body),
            Safety::Idempotent,
            format!("testing the connection of service principal {sp} to tenant {target_tenant_id}"),
        );
        self.succeed(op, &call).await
    }

    /// `POST …/synchronization/jobs` with the `Azure2Azure` template, for a new configuration's service principal
    /// (which has no job yet); returns the job (created paused, A.3). Jobs that attempts whose answers were lost
    /// made are deleted.
    pub async fn create_sync_job(&self, op: &Operation, sp: &str) -> Result<Value, GraphError> {
        let what = format!("creating the synchronization job of service principal {sp}");
        let call = Call::write(
            Method::POST,
            jobs_path(sp),
            Some(json!({ "templateId": AZURE2AZURE })),
            Safety::CreateOnce,
            &what,
        );
        let mut attempts = Attempts::default();
        let response = self.send(op, &call, &mut attempts).await?;
        let mut made = None;
        if response.is_success() {
            made = response.into_json().filter(|j| j.get("id").and_then(Value::as_str).is_some());
        } else if !attempts.outcome_unknown {
            return Err(response.error(&call).into());
        }
        if made.is_some() && !attempts.outcome_unknown {
            return Ok(made.unwrap_or_default());
        }
        // An attempt's answer was lost: the service principal is new, so every job of the template on it is one of
        // this call's attempts. Keep the one answered (or the first) and delete the others.
        let jobs: Vec<Value> = self.sync_jobs(op, sp).await?.into_iter().filter(is_azure2azure).collect();
        let keep = made.or_else(|| jobs.first().cloned());
        let Some(keep) = keep else {
            return Err(GraphError::OutcomeUnknown {
                what,
                reason: "no job of the Azure2Azure template was found afterwards".to_owned(),
            });
        };
        for job in &jobs {
            let id = job.get("id").and_then(Value::as_str).unwrap_or_default();
            if Some(id) != keep.get("id").and_then(Value::as_str) {
                tracing::warn!(job = id, "deleting the job a lost attempt made");
                self.delete_sync_job(op, sp, id).await?;
            }
        }
        Ok(keep)
    }

    /// `GET …/synchronization/jobs`.
    pub async fn sync_jobs(&self, op: &Operation, sp: &str) -> Result<Vec<Value>, GraphError> {
        let call = Call::get(
            jobs_path(sp),
            Shape::collection(&["id"]),
            format!("listing the synchronization jobs of service principal {sp}"),
        );
        match self.get_json_optional(op, &call).await? {
            Some(body) => Ok(body.get("value").and_then(Value::as_array).cloned().unwrap_or_default()),
            None => Ok(Vec::new()),
        }
    }

    /// `GET …/synchronization/jobs/{jobId}`; `Ok(None)` when the job (or its service principal) does not exist.
    pub async fn sync_job(&self, op: &Operation, sp: &str, job: &str) -> Result<Option<Value>, GraphError> {
        let call = Call::get(
            job_path(sp, job),
            Shape::object(&["id", "schedule", "status"]),
            format!("reading synchronization job {job}"),
        );
        self.get_json_optional(op, &call).await
    }

    /// The cross-tenant synchronization job of a service principal, if it has one.
    pub async fn azure2azure_job(&self, op: &Operation, sp: &str) -> Result<Option<Value>, GraphError> {
        Ok(self.sync_jobs(op, sp).await?.into_iter().find(is_azure2azure))
    }

    /// `POST …/jobs/{jobId}/start`.
    pub async fn start_sync_job(&self, op: &Operation, sp: &str, job: &str) -> Result<(), GraphError> {
        self.job_action(op, sp, job, "start").await
    }

    /// `POST …/jobs/{jobId}/pause`.
    pub async fn pause_sync_job(&self, op: &Operation, sp: &str, job: &str) -> Result<(), GraphError> {
        self.job_action(op, sp, job, "pause").await
    }

    /// `DELETE …/jobs/{jobId}` (synchronized accounts are left as they are, A.6); a job already gone counts as
    /// deleted.
    pub async fn delete_sync_job(&self, op: &Operation, sp: &str, job: &str) -> Result<(), GraphError> {
        self.delete_allowing_missing(op, job_path(sp, job), format!("deleting synchronization job {job}")).await
    }

    /// `GET …/synchronization/secrets` as `(key, value)` pairs (secret values come back as `"*"`).
    pub async fn sync_secrets(&self, op: &Operation, sp: &str) -> Result<Vec<(String, String)>, GraphError> {
        let call = Call::get(
            format!("{}/synchronization/secrets", service_principal_path(sp)),
            Shape::object(&["value"]),
            format!("reading the synchronization secrets of service principal {sp}"),
        );
        let body = self.get_json(op, &call).await?;
        Ok(body
            .get("value")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|pair| {
                Some((pair.get("key")?.as_str()?.to_owned(), pair.get("value")?.as_str().unwrap_or("").to_owned()))
            })
            .collect())
    }

    /// `PUT …/synchronization/secrets`: Graph merges by key, and an empty value removes a key (A.2.3).
    pub async fn put_sync_secrets(
        &self,
        op: &Operation,
        sp: &str,
        secrets: &[(&str, String)],
    ) -> Result<(), GraphError> {
        let value: Vec<Value> = secrets.iter().map(|(key, value)| json!({ "key": key, "value": value })).collect();
        let call = Call::write(
            Method::PUT,
            format!("{}/synchronization/secrets", service_principal_path(sp)),
            Some(json!({ "value": value })),
            Safety::Idempotent,
            format!("saving the synchronization secrets of service principal {sp}"),
        );
        self.succeed(op, &call).await
    }

    /// `GET …/jobs/{jobId}/schema`.
    pub async fn sync_schema(&self, op: &Operation, sp: &str, job: &str) -> Result<Value, GraphError> {
        let call = Call::get(
            format!("{}/schema", job_path(sp, job)),
            Shape::object(&["synchronizationRules"]),
            format!("reading the schema of synchronization job {job}"),
        );
        let mut schema = self.get_json(op, &call).await?;
        if let Some(object) = schema.as_object_mut() {
            object.remove("@odata.context");
        }
        Ok(schema)
    }

    /// `GET /servicePrincipals/{id}/synchronization/templates/Azure2Azure/schema`: the schema a new job starts from
    /// (the template's default attribute mappings).
    pub async fn sync_template_schema(&self, op: &Operation, sp: &str) -> Result<Value, GraphError> {
        let call = Call::get(
            format!("{}/synchronization/templates/{AZURE2AZURE}/schema", service_principal_path(sp)),
            Shape::object(&["synchronizationRules"]),
            format!("reading the default schema of the synchronization template of {sp}"),
        );
        let mut schema = self.get_json(op, &call).await?;
        if let Some(object) = schema.as_object_mut() {
            object.remove("@odata.context");
        }
        Ok(schema)
    }

    /// `PUT …/jobs/{jobId}/schema`: replaces the whole schema (A.5.1; Graph has no PATCH for it).
    pub async fn put_sync_schema(&self, op: &Operation, sp: &str, job: &str, schema: &Value) -> Result<(), GraphError> {
        let call = Call::write(
            Method::PUT,
            format!("{}/schema", job_path(sp, job)),
            Some(schema.clone()),
            Safety::Idempotent,
            format!("saving the schema of synchronization job {job}"),
        );
        self.succeed(op, &call).await
    }

    /// `GET /servicePrincipals/{id}/appRoleAssignedTo`, every page.
    pub async fn app_role_assigned_to(&self, op: &Operation, sp: &str) -> Result<Option<Vec<Value>>, GraphError> {
        let path = format!("{}/appRoleAssignedTo", service_principal_path(sp));
        match self.list_all(op, path, None, &format!("listing the assignments of service principal {sp}")).await {
            Ok(items) => Ok(Some(items)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// `POST /servicePrincipals/{id}/appRoleAssignedTo`: assigns `principal` (a user or group) the app role
    /// `app_role`; returns the assignment. An assignment that already exists after an attempt with an unknown
    /// outcome is this call's own.
    pub async fn assign_app_role(
        &self,
        op: &Operation,
        sp: &str,
        app_role: &str,
        principal: &str,
    ) -> Result<Value, GraphError> {
        let what = format!("assigning {principal} to service principal {sp}");
        let body = json!({ "appRoleId": app_role, "resourceId": sp, "principalId": principal });
        let call = Call::write(
            Method::POST,
            format!("{}/appRoleAssignedTo", service_principal_path(sp)),
            Some(body),
            Safety::CreateOnce,
            &what,
        );
        let mut attempts = Attempts::default();
        let response = self.send(op, &call, &mut attempts).await?;
        if response.is_success() {
            if let Some(assignment) = response.into_json().filter(|a| a.get("id").and_then(Value::as_str).is_some()) {
                return Ok(assignment);
            }
        } else if !attempts.outcome_unknown {
            return Err(response.error(&call).into());
        }
        let mine = |a: &Value| {
            a.get("principalId").and_then(Value::as_str).is_some_and(|p| same_id(p, principal))
                && a.get("appRoleId").and_then(Value::as_str).is_some_and(|r| same_id(r, app_role))
        };
        match self.app_role_assigned_to(op, sp).await?.unwrap_or_default().into_iter().find(mine) {
            Some(assignment) => Ok(assignment),
            None => {
                Err(GraphError::OutcomeUnknown { what, reason: "the assignment was not found afterwards".to_owned() })
            }
        }
    }

    /// `DELETE /servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}`; one already gone counts as deleted.
    pub async fn delete_app_role_assignment(
        &self,
        op: &Operation,
        sp: &str,
        assignment: &str,
    ) -> Result<(), GraphError> {
        let path = format!("{}/appRoleAssignedTo/{}", service_principal_path(sp), segment(assignment));
        self.delete_allowing_missing(op, path, format!("deleting app role assignment {assignment}")).await
    }

    // ----- helpers ----------------------------------------------------------------------------------------------

    async fn job_action(&self, op: &Operation, sp: &str, job: &str, action: &str) -> Result<(), GraphError> {
        let call = Call::write(
            Method::POST,
            format!("{}/{action}", job_path(sp, job)),
            None,
            Safety::Idempotent,
            format!("{action}ing synchronization job {job}"),
        );
        self.succeed(op, &call).await
    }

    async fn succeed(&self, op: &Operation, call: &Call) -> Result<(), GraphError> {
        let response = self.send(op, call, &mut Attempts::default()).await?;
        if response.is_success() { Ok(()) } else { Err(response.error(call).into()) }
    }

    async fn delete_allowing_missing(&self, op: &Operation, path: String, what: String) -> Result<(), GraphError> {
        let call = Call::write(Method::DELETE, path, None, Safety::Idempotent, what);
        let response = self.send(op, &call, &mut Attempts::default()).await?;
        if response.is_success() || response.status == 404 { Ok(()) } else { Err(response.error(&call).into()) }
    }

    /// Every item of a collection (with `$filter` if given), following `@odata.nextLink`.
    async fn list_all(
        &self,
        op: &Operation,
        first: String,
        filter: Option<String>,
        what: &str,
    ) -> Result<Vec<Value>, GraphError> {
        let mut items = Vec::new();
        let mut next = Some(first);
        let mut filter = filter;
        while let Some(target) = next.take() {
            let mut call = Call::get(target, Shape::collection(&["id"]), what);
            // The next link carries the query of the first page.
            if let Some(filter) = filter.take() {
                call.query.push(("$filter", filter));
            }
            let page = self.get_json(op, &call).await?;
            items.extend(page.get("value").and_then(Value::as_array).cloned().unwrap_or_default());
            next = page.get("@odata.nextLink").and_then(Value::as_str).map(str::to_owned);
        }
        Ok(items)
    }
}

fn is_azure2azure(job: &Value) -> bool {
    job.get("templateId").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case(AZURE2AZURE))
}

/// Object ids compare case-insensitively.
fn same_id(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_encoded() {
        assert_eq!(
            job_path("0a1b", "Azure2Azure.abc.0f0e"),
            "/servicePrincipals/0a1b/synchronization/jobs/Azure2Azure.abc.0f0e"
        );
        assert_eq!(service_principal_path("a/b?c"), "/servicePrincipals/a%2Fb%3Fc");
    }

    #[test]
    fn the_azure2azure_job_is_recognised_by_its_template() {
        assert!(is_azure2azure(&json!({"id": "x", "templateId": "Azure2Azure"})));
        assert!(!is_azure2azure(&json!({"id": "x", "templateId": "dataBricks"})));
    }
}
