//! `entra_cross_tenant_sync_status`: the status of a cross-tenant synchronization configuration's job — the
//! guide's last step, "check the status" (graph-sync-and-mto.md A.3 `synchronizationStatus`).
//!
//! - Endpoint: `GET /servicePrincipals/{id}/synchronization/jobs` (the configuration's `Azure2Azure` job).
//! - Permission: `Synchronization.Read.All` (or `Application.ReadWrite.OwnedBy` for the configuration's owner).

use entra_graph::GraphClient;
use serde_json::Value as Json;
use tfplugin::validators::guid;
use tfplugin::{
    Attribute, AttributePath, Configured, Context, DataSource, Diagnostics, Nesting, Schema, Value, async_trait,
};

use crate::provider_data::ProviderData;
use crate::shared::errors::{Access, TimeoutName, graph_errors};
use crate::timeouts::{self, Kind};

/// The data source type name.
pub const TYPE_NAME: &str = "entra_cross_tenant_sync_status";

/// `entra_cross_tenant_sync_status`.
pub struct CrossTenantSyncStatus {
    data: Configured<ProviderData>,
}

impl std::fmt::Debug for CrossTenantSyncStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrossTenantSyncStatus").finish_non_exhaustive()
    }
}

impl CrossTenantSyncStatus {
    /// The data source, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        CrossTenantSyncStatus { data }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }
}

/// The data source's schema.
pub fn schema() -> Schema {
    let out = |name: &str, description: &str| Attribute::string(name).computed().description(description);
    Schema::new(
        "The status of a cross-tenant synchronization configuration's job: whether it runs, when it last ran and \
         how, and why it is in quarantine if it is (portal: the configuration's Overview and Provisioning logs).\n\n\
         **Permission:** `Synchronization.Read.All`.",
    )
    .attribute(
        Attribute::string("configuration_id")
            .required()
            .validate(guid())
            .description("The configuration's `id` (`entra_cross_tenant_sync_configuration.NAME.id`)."),
    )
    .attribute(out(
        "status",
        "Graph's status code: `NotConfigured`, `NotRun` (started, first cycle not finished), `Active`, `Paused` or \
         `Quarantine`.",
    ))
    .attribute(out("schedule_state", "`Active`, `Disabled` or `Paused`."))
    .attribute(
        Attribute::nested(
            "last_execution",
            Nesting::Single,
            [
                out("state", "`Succeeded`, `Failed` or `EntryLevelErrors`."),
                out("time_began", "When the cycle began (RFC 3339)."),
                out("time_ended", "When the cycle ended (RFC 3339)."),
                out("error_code", "The cycle's error code (`None` when there was none)."),
                out("error_message", "The cycle's error message."),
            ],
        )
        .computed()
        .description("The last cycle; `null` before the first."),
    )
    .attribute(out("last_successful_execution_time", "When the last successful cycle ended; `null` if none has."))
    .attribute(out(
        "quarantine_reason",
        "Why the job is in quarantine (e.g. `EncounteredQuarantineException`, `TooManyDeletes`), with Graph's error \
         message; `null` when it is not.",
    ))
}

fn text(json: &Json) -> Value {
    json.as_str().map(Value::string).unwrap_or(Value::Null)
}

/// The data source's values for a job.
fn status_values(configuration_id: &Value, job: &Json) -> Value {
    let status = &job["status"];
    let last = &status["lastExecution"];
    let last_execution = if last.is_object() {
        Value::object([
            ("state", text(&last["state"])),
            ("time_began", text(&last["timeBegan"])),
            ("time_ended", text(&last["timeEnded"])),
            ("error_code", text(&last["error"]["code"])),
            ("error_message", text(&last["error"]["message"])),
        ])
    } else {
        Value::Null
    };
    let quarantine = &status["quarantine"];
    let quarantine_reason = match (quarantine["reason"].as_str(), quarantine["error"]["message"].as_str()) {
        (Some(reason), Some(message)) if !message.is_empty() => Value::string(format!("{reason}: {message}")),
        (Some(reason), _) => Value::string(reason),
        _ => Value::Null,
    };
    Value::object([
        ("configuration_id", configuration_id.clone()),
        ("status", text(&status["code"])),
        ("schedule_state", text(&job["schedule"]["state"])),
        ("last_execution", last_execution),
        ("last_successful_execution_time", text(&status["lastSuccessfulExecution"]["timeEnded"])),
        ("quarantine_reason", quarantine_reason),
    ])
}

#[async_trait]
impl DataSource for CrossTenantSyncStatus {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Context, config: Value) -> Result<Value, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation_with(ctx, Kind::Read.default_timeout());
        let configuration_id = config.get_attr("configuration_id").clone();
        let sp = configuration_id.as_str().unwrap_or_default().trim().to_owned();
        let action = format!("reading the synchronization status of configuration {sp}");
        let job = client.azure2azure_job(&op, &sp).await.map_err(|error| {
            graph_errors(&action, Access::Permissions("Synchronization.Read.All"), TimeoutName::None, &error)
        })?;
        let Some(job) = job else {
            return Err(Diagnostics::attribute_error(
                AttributePath::root().attr("configuration_id"),
                "No cross-tenant synchronization job",
                format!(
                    "configuration_id: {action}: service principal {sp} does not exist or has no cross-tenant \
                     synchronization job."
                ),
            ));
        };
        Ok(status_values(&configuration_id, &job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarantine_and_last_execution_are_reported() {
        assert!(schema().problems().is_empty(), "{:?}", schema().problems());
        let job = serde_json::json!({
            "schedule": {"state": "Active"},
            "status": {
                "code": "Quarantine",
                "lastExecution": {"state": "Failed", "timeBegan": "a", "timeEnded": "b",
                                  "error": {"code": "None", "message": ""}},
                "lastSuccessfulExecution": null,
                "quarantine": {"reason": "TooManyDeletes", "error": {"code": "x", "message": "Too many deletes"}},
            },
        });
        let values = status_values(&Value::string("id"), &job);
        assert_eq!(values.get_attr("status"), &Value::string("Quarantine"));
        assert_eq!(values.get_attr("quarantine_reason"), &Value::string("TooManyDeletes: Too many deletes"));
        assert_eq!(values.get_attr("last_execution").get_attr("state"), &Value::string("Failed"));
        assert!(values.get_attr("last_successful_execution_time").is_null());
    }
}
