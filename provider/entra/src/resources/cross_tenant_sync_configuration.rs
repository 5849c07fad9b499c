//! `entra_cross_tenant_sync_configuration`: a cross-tenant synchronization configuration in the source tenant: the
//! enterprise application instantiated from the gallery template `518e5f48-…`, its service principal, the
//! `Azure2Azure` synchronization job, the job's secrets naming the target tenant, and the managed part of the job
//! schema (graph-sync-and-mto.md Part A).
//!
//! - Create: instantiate → wait until the service principal is readable (replication lag) → connection test
//!   (`validateCredentials`) → create the job → save the secrets (`CompanyId`, `AuthenticationType = SyncPolicy`,
//!   `SyncAll`, `SyncNotificationSettings`) → read the schema (the template's defaults, kept in the private state)
//!   and PUT it when overrides or filters are set → start the job when `enabled`. Any failure after the
//!   instantiate deletes the application again, so nothing is left behind.
//! - Read: the service principal, the job, the secrets; the schema only where overrides or filters are managed, and
//!   only for the managed target attributes. These GETs are sent at once (they need only the ids in the state). A
//!   paused job reads as `enabled = false`; a quarantined job is reported with a warning and never restarted by a
//!   refresh; a deleted job makes the configuration gone.
//! - Update: `start`/`pause`; secrets PUT (merge by key); schema GET → modify the managed mappings → PUT (removing an
//!   override puts back the mapping the attribute had before the configuration managed it: the template default
//!   for a configuration this provider created).
//! - Delete: the job, then the application (its service principal goes with it). Users already synchronized stay in
//!   the target tenant.
//! - Permissions: read `Application.Read.All` + `Synchronization.Read.All`; create, update and delete
//!   `Application.ReadWrite.OwnedBy` (or `Application.ReadWrite.All`) + `Synchronization.ReadWrite.All`.
//! - Import id: the service principal's object id.

use std::collections::BTreeMap;

use entra_graph::{GraphClient, GraphError, Operation};
use serde_json::{Value as Json, json};
use tfplugin::validators::{custom, guid, int_between, one_of};
use tfplugin::{
    Attribute, AttributePath, Configured, Context, CreateRequest, DeleteRequest, Diagnostics, Nesting, NewState, Plan,
    ReadOutcome, ReadRequest, Resource, Schema, Type, UpdateRequest, Value, async_trait,
};

use crate::provider_data::ProviderData;
use crate::shared::errors::{Access, TimeoutName, graph_errors};
use crate::timeouts::{self, Kind};

/// The resource type name.
pub const TYPE_NAME: &str = "entra_cross_tenant_sync_configuration";

/// The attribute the template matches users on; Graph refuses any change to its mapping (`schemaInvalid`, A.5.3).
pub const MATCHING_ATTRIBUTE: &str = "alternativeSecurityIds";

/// The scoping filter operators Graph lists (`GET …/schema/filterOperators`, A.5.2).
pub const FILTER_OPERATORS: [&str; 14] = [
    "EQUALS",
    "NOT EQUALS",
    "IS TRUE",
    "IS FALSE",
    "IS NULL",
    "IS NOT NULL",
    "REGEX MATCH",
    "NOT REGEX MATCH",
    "Greater_Than",
    "Greater_Than_OR_EQUALS",
    "Includes",
    "ENDS_WITH",
    "&",
    "!&",
];

/// Read permissions, for the advice on a 403.
pub const READ_PERMISSIONS: &str = "Application.Read.All and Synchronization.Read.All";
/// Write permissions, for the advice on a 403.
pub const WRITE_PERMISSIONS: &str =
    "Application.ReadWrite.OwnedBy (or Application.ReadWrite.All) and Synchronization.ReadWrite.All";

/// `entra_cross_tenant_sync_configuration`.
pub struct CrossTenantSyncConfiguration {
    data: Configured<ProviderData>,
}

impl std::fmt::Debug for CrossTenantSyncConfiguration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrossTenantSyncConfiguration").finish_non_exhaustive()
    }
}

fn computed_string(name: &str, description: &str) -> Attribute {
    Attribute::string(name).computed().description(description)
}

fn attribute_mappings_attribute() -> Attribute {
    Attribute::nested(
        "attribute_mappings",
        Nesting::Set,
        [
            Attribute::string("target_attribute")
                .required()
                .validate(custom(
                    format!("not `{MATCHING_ATTRIBUTE}` (the matching attribute cannot be changed)"),
                    |path, value, diagnostics| {
                        if value.as_str().is_some_and(|v| v.eq_ignore_ascii_case(MATCHING_ATTRIBUTE)) {
                            diagnostics.add_attribute_error(
                                path.clone(),
                                "The matching attribute cannot be overridden",
                                format!(
                                    "{path}: {MATCHING_ATTRIBUTE} is the attribute cross-tenant synchronization \
                                     matches users on (AltSecIdFromNetId([netId])); Microsoft Entra refuses any \
                                     change to its mapping (schemaInvalid). Remove this override."
                                ),
                            );
                        }
                    },
                ))
                .description(
                    "The attribute of the user in the target tenant, e.g. `userType` or `department`. \
                     `alternativeSecurityIds`, the matching attribute, cannot be overridden.",
                ),
            Attribute::string("source_type")
                .required()
                .validate(one_of(["attribute", "constant", "expression"]))
                .description(
                    "`attribute` (copy a source user attribute named by `source`), `constant` (the literal \
                     `source`) or `expression` (a mapping expression such as `Join(\" \", [givenName], [surname])`).",
                ),
            Attribute::string("source").required().description("The source attribute name, constant or expression."),
            Attribute::string("apply").optional().validate(one_of(["always", "on_create"])).description(
                "`always` (default: on create and update) or `on_create` (only when the user is created in the \
                 target tenant; the portal's \"Apply this mapping: Only during object creation\").",
            ),
        ],
    )
    .optional()
    .description(
        "Overrides of the template's user attribute mappings. Only the listed target attributes are managed: every \
         other mapping keeps Microsoft's default and changes Microsoft makes to it never show as drift. Removing an \
         override puts back the mapping the attribute had before (the template's default for a configuration \
         created by this provider).",
    )
}

fn scoping_filters_attribute() -> Attribute {
    Attribute::nested(
        "scoping_filters",
        Nesting::List,
        [
            Attribute::string("name").required().description("The filter group's name."),
            Attribute::nested(
                "clauses",
                Nesting::List,
                [
                    Attribute::string("attribute")
                        .required()
                        .description("The source user attribute, e.g. `department`."),
                    Attribute::string("operator").required().validate(one_of(FILTER_OPERATORS)).description(
                        "The operator, as Graph names it: `EQUALS`, `NOT EQUALS`, `IS TRUE`, `IS FALSE`, `IS NULL`, \
                         `IS NOT NULL`, `REGEX MATCH`, `NOT REGEX MATCH`, `Greater_Than`, `Greater_Than_OR_EQUALS`, \
                         `Includes`, `ENDS_WITH`, `&`, `!&`.",
                    ),
                    Attribute::list("values", Type::String)
                        .optional()
                        .description("The values compared with (none for the unary operators such as `IS TRUE`)."),
                ],
            )
            .required()
            .description("The clauses of the group; all must hold (AND)."),
        ],
    )
    .optional()
    .description(
        "Attribute-based scoping of the user mapping: a user is in scope when any group matches (OR), and a group \
         matches when all its clauses hold (AND). Omit it to leave the scoping filters unmanaged; an empty list \
         removes them. Saving a new filter makes Microsoft Entra synchronize everyone again.",
    )
}

/// The resource's schema.
pub fn schema() -> Schema {
    Schema::new(
        "Manages a **cross-tenant synchronization configuration** in the source tenant: the enterprise application \
         made from the gallery template, its synchronization job into the target tenant, the job's settings (scope, \
         notifications, accidental-deletion prevention), overrides of the user attribute mappings and scoping \
         filters (portal: Cross-tenant synchronization > Configurations).\n\n\
         The target tenant must allow it first: there, `entra_cross_tenant_partner` for this tenant with \
         `automatic_user_consent_settings.inbound_allowed = true` and `entra_cross_tenant_identity_sync` with \
         `user_sync_inbound.is_sync_allowed = true`; here, `entra_cross_tenant_partner` for the target with \
         `automatic_user_consent_settings.outbound_allowed = true`. A create whose connection test fails leaves \
         nothing behind and says which tenant must change what. Assign users and groups with \
         `entra_cross_tenant_sync_assignment`.\n\n\
         **Destroy** deletes the job and the application. Users already synchronized stay in the target tenant as \
         they are; to remove them, unassign them and let a cycle run before destroying.\n\n\
         **Permissions:** plan and refresh need `Application.Read.All` and `Synchronization.Read.All`; apply needs \
         `Application.ReadWrite.OwnedBy` (or `Application.ReadWrite.All`) and `Synchronization.ReadWrite.All`.\n\n\
         **Import:** by the service principal's object id (`terraform import \
         entra_cross_tenant_sync_configuration.x 00000000-0000-0000-0000-000000000000`). The import takes every user \
         attribute mapping that differs from the template's default, and the scoping filters, under management; \
         removing one of those overrides later puts the template's default mapping back.",
    )
    .attribute(computed_string("id", "The service principal's object id (as `service_principal_id`)."))
    .attribute(Attribute::string("display_name").required().description(
        "The configuration's name (the enterprise application's display name). Changing it renames the application \
         and its service principal in place; a rename outside Terraform shows as a change back.",
    ))
    .attribute(Attribute::string("target_tenant_id").required().validate(guid()).description(
        "The tenant users are synchronized into (a GUID, compared case-insensitively). Changing it makes a new \
         configuration.",
    ))
    .attribute(Attribute::string("scope").optional().computed().validate(one_of(["assigned", "all"])).description(
        "`assigned` (default): only users and groups assigned with `entra_cross_tenant_sync_assignment`; `all`: \
         every user of the source tenant.",
    ))
    .attribute(Attribute::bool("enabled").optional().computed().description(
        "`true` (default): provisioning runs (every 40 minutes); `false`: paused. A job paused outside Terraform \
         shows as a change back to `true`; a job in quarantine is reported with a warning and is not restarted by a \
         refresh.",
    ))
    .attribute(
        Attribute::string("notification_email")
            .optional()
            .description("Where Microsoft Entra sends an e-mail when the job goes into quarantine. Omit it for none."),
    )
    .attribute(
        Attribute::number("accidental_deletions_threshold").optional().validate(int_between(1, 1_000_000)).description(
            "\"Prevent accidental deletions\": a cycle that would delete more users than this stops and waits. Omit it \
         to turn the prevention off.",
        ),
    )
    .attribute(attribute_mappings_attribute())
    .attribute(scoping_filters_attribute())
    .attribute(computed_string("service_principal_id", "The configuration's service principal (object id)."))
    .attribute(computed_string("application_object_id", "The configuration's application (object id)."))
    .attribute(computed_string("application_id", "The application's client id (`appId`)."))
    .attribute(computed_string("job_id", "The synchronization job's id (`Azure2Azure.…`)."))
    .attribute(computed_string(
        "app_role_id",
        "The configuration's assignable app role (`msiam_access`), used by `entra_cross_tenant_sync_assignment`.",
    ))
    .attribute(timeouts::attribute())
}

// ----- Graph JSON ↔ Terraform values ----------------------------------------------------------------------------

/// The first object mapping of users in a schema, if any.
fn user_mapping_mut(schema: &mut Json) -> Option<&mut serde_json::Map<String, Json>> {
    schema
        .get_mut("synchronizationRules")?
        .as_array_mut()?
        .iter_mut()
        .filter_map(|rule| rule.get_mut("objectMappings").and_then(Json::as_array_mut))
        .flatten()
        .find(|m| m.get("sourceObjectName").and_then(Json::as_str) == Some("User"))
        .and_then(Json::as_object_mut)
}

fn user_mapping(schema: &Json) -> Option<&serde_json::Map<String, Json>> {
    schema
        .get("synchronizationRules")?
        .as_array()?
        .iter()
        .filter_map(|rule| rule.get("objectMappings").and_then(Json::as_array))
        .flatten()
        .find(|m| m.get("sourceObjectName").and_then(Json::as_str) == Some("User"))
        .and_then(Json::as_object)
}

fn attribute_mappings_of(mapping: &serde_json::Map<String, Json>) -> Vec<Json> {
    mapping.get("attributeMappings").and_then(Json::as_array).cloned().unwrap_or_default()
}

fn target_of(mapping: &Json) -> &str {
    mapping.get("targetAttributeName").and_then(Json::as_str).unwrap_or_default()
}

/// One override as Graph's attribute mapping (the documented shapes of A.5.4).
fn override_to_graph(value: &Value) -> Json {
    let target = value.get_attr("target_attribute").as_str().unwrap_or_default();
    let source = value.get_attr("source").as_str().unwrap_or_default();
    let source = match value.get_attr("source_type").as_str() {
        Some("constant") => {
            json!({"expression": format!("\"{}\"", source.replace('"', "\\\"")), "name": source, "parameters": [], "type": "Constant"})
        }
        Some("expression") => {
            let name = source.split('(').next().unwrap_or(source).trim();
            json!({"expression": source, "name": name, "parameters": [], "type": "Function"})
        }
        _ => json!({"expression": format!("[{source}]"), "name": source, "parameters": [], "type": "Attribute"}),
    };
    let flow = if value.get_attr("apply").as_str() == Some("on_create") { "ObjectAddOnly" } else { "Always" };
    json!({
        "defaultValue": null,
        "exportMissingReferences": false,
        "flowBehavior": "FlowWhenChanged",
        "flowType": flow,
        "matchingPriority": 0,
        "source": source,
        "targetAttributeName": target,
    })
}

/// Graph's attribute mapping as an override, keeping the prior `apply` spelling (`null` = `always`).
fn override_from_graph(mapping: &Json, prior: Option<&Value>) -> Value {
    let source = &mapping["source"];
    let (source_type, text) = match source["type"].as_str() {
        Some("Constant") => ("constant", source["name"].as_str().unwrap_or_default().to_owned()),
        Some("Attribute") => ("attribute", source["name"].as_str().unwrap_or_default().to_owned()),
        _ => ("expression", source["expression"].as_str().unwrap_or_default().to_owned()),
    };
    let apply = match mapping["flowType"].as_str() {
        Some("ObjectAddOnly") => Value::string("on_create"),
        Some("Always") | None => match prior.map(|p| p.get_attr("apply")) {
            Some(Value::String(s)) if s == "always" => Value::string("always"),
            _ => Value::Null,
        },
        Some(other) => Value::string(other),
    };
    Value::object([
        ("target_attribute", Value::string(target_of(mapping))),
        ("source_type", Value::string(source_type)),
        ("source", Value::string(text)),
        ("apply", apply),
    ])
}

fn filters_to_graph(filters: &Value) -> Json {
    let groups: Vec<Json> = filters
        .as_elements()
        .unwrap_or_default()
        .iter()
        .map(|group| {
            let clauses: Vec<Json> = group
                .get_attr("clauses")
                .as_elements()
                .unwrap_or_default()
                .iter()
                .map(|clause| {
                    let values: Vec<&str> = clause
                        .get_attr("values")
                        .as_elements()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(Value::as_str)
                        .collect();
                    json!({
                        "operatorName": clause.get_attr("operator").as_str(),
                        "sourceOperandName": clause.get_attr("attribute").as_str(),
                        "targetOperand": {"values": values},
                    })
                })
                .collect();
            json!({"name": group.get_attr("name").as_str(), "clauses": clauses})
        })
        .collect();
    if groups.is_empty() {
        Json::Null
    } else {
        json!({"categoryFilterGroups": [], "groups": groups, "inputFilterGroups": []})
    }
}

fn filters_from_graph(scope: Option<&Json>, prior: &Value) -> Value {
    let groups = scope.and_then(|s| s.get("groups")).and_then(Json::as_array).cloned().unwrap_or_default();
    Value::list(groups.iter().enumerate().map(|(g, group)| {
        let clauses = group.get("clauses").and_then(Json::as_array).cloned().unwrap_or_default();
        let prior_group = prior.as_elements().and_then(|e| e.get(g));
        Value::object([
            ("name", Value::string(group["name"].as_str().unwrap_or_default())),
            (
                "clauses",
                Value::list(clauses.iter().enumerate().map(|(c, clause)| {
                    let values: Vec<Value> = clause["targetOperand"]["values"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Json::as_str)
                        .map(Value::string)
                        .collect();
                    // An empty list of values reads as the prior spelling: null or [].
                    let prior_values = prior_group
                        .and_then(|p| p.get_attr("clauses").as_elements().and_then(|e| e.get(c)))
                        .map(|p| p.get_attr("values").clone());
                    let values = if values.is_empty() && matches!(prior_values, None | Some(Value::Null)) {
                        Value::Null
                    } else {
                        Value::list(values)
                    };
                    Value::object([
                        ("attribute", Value::string(clause["sourceOperandName"].as_str().unwrap_or_default())),
                        ("operator", Value::string(clause["operatorName"].as_str().unwrap_or_default())),
                        ("values", values),
                    ])
                })),
            ),
        ])
    }))
}

/// The `SyncNotificationSettings` secret: a JSON string (A.2.1; `Recipients` and the threshold keys [INF]).
fn notification_settings(config: &Value) -> String {
    let email = config.get_attr("notification_email").as_str();
    let threshold = config.get_attr("accidental_deletions_threshold").as_i64();
    let mut settings = serde_json::Map::new();
    settings.insert("Enabled".into(), json!(email.is_some()));
    if let Some(email) = email {
        settings.insert("Recipients".into(), json!(email));
    }
    settings.insert("DeleteThresholdEnabled".into(), json!(threshold.is_some()));
    if let Some(threshold) = threshold {
        settings.insert("DeleteThresholdValue".into(), json!(threshold));
    }
    settings.insert("HumanResourcesLookaheadQueryEnabled".into(), json!(false));
    Json::Object(settings).to_string()
}

/// `(notification_email, accidental_deletions_threshold)` from the `SyncNotificationSettings` secret.
fn parse_notification_settings(text: Option<&str>) -> (Value, Value) {
    let parsed: Json = text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Json::Null);
    let email = match (parsed["Enabled"].as_bool(), parsed["Recipients"].as_str()) {
        (Some(true), Some(recipients)) if !recipients.is_empty() => Value::string(recipients),
        _ => Value::Null,
    };
    let threshold = match (parsed["DeleteThresholdEnabled"].as_bool(), parsed["DeleteThresholdValue"].as_i64()) {
        (Some(true), Some(value)) => Value::number(value),
        _ => Value::Null,
    };
    (email, threshold)
}

/// What the private state keeps: for each target attribute the configuration manages (or has managed), the mapping
/// it had before (`null` where there was none), so removing an override can put it back.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Private {
    #[serde(default)]
    before: BTreeMap<String, Json>,
}

impl Private {
    fn decode(bytes: &[u8]) -> Private {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The target attributes of the overrides in `value`.
fn override_targets(value: &Value) -> Vec<String> {
    value
        .get_attr("attribute_mappings")
        .as_elements()
        .unwrap_or_default()
        .iter()
        .filter_map(|o| o.get_attr("target_attribute").as_str().map(str::to_owned))
        .collect()
}

/// Applies the managed overrides and filters to a schema read from Graph, recording in `private` each attribute's
/// mapping before it is first overridden, and putting back the recorded mapping for overrides that were removed.
/// A removed override without a recorded mapping (imported, or made by another tool) gets the template's default
/// from `template` (the template's user mappings), or no mapping where the template has none.
fn apply_to_schema(
    schema: &mut Json,
    prior: &Value,
    planned: &Value,
    private: &mut Private,
    template: &[Json],
) -> Result<(), String> {
    let mapping = user_mapping_mut(schema).ok_or("the job schema has no object mapping of users")?;
    let mut mappings = attribute_mappings_of(mapping);
    let planned_targets = override_targets(planned);
    for removed in override_targets(prior).iter().filter(|t| !planned_targets.contains(t)) {
        let position = mappings.iter().position(|m| target_of(m) == removed);
        let before = private
            .before
            .remove(removed)
            .unwrap_or_else(|| template.iter().find(|m| target_of(m) == removed).cloned().unwrap_or(Json::Null));
        match (before, position) {
            (Json::Null, Some(i)) => {
                mappings.remove(i);
            }
            (Json::Null, None) => {}
            (original, Some(i)) => mappings[i] = original,
            (original, None) => mappings.push(original),
        }
    }
    for value in planned.get_attr("attribute_mappings").as_elements().unwrap_or_default() {
        let wanted = override_to_graph(value);
        let target = target_of(&wanted).to_owned();
        let position = mappings.iter().position(|m| target_of(m) == target);
        private.before.entry(target).or_insert_with(|| position.map(|i| mappings[i].clone()).unwrap_or(Json::Null));
        match position {
            Some(i) => mappings[i] = wanted,
            None => mappings.push(wanted),
        }
    }
    mapping.insert("attributeMappings".into(), Json::Array(mappings));
    let filters = planned.get_attr("scoping_filters");
    if !filters.is_null() || !prior.get_attr("scoping_filters").is_null() {
        mapping.insert("scope".into(), filters_to_graph(filters));
    }
    Ok(())
}

fn manages_schema(value: &Value) -> bool {
    !value.get_attr("attribute_mappings").is_null() || !value.get_attr("scoping_filters").is_null()
}

fn str_at<'a>(json: &'a Json, name: &str) -> Option<&'a str> {
    json.get(name).and_then(Json::as_str)
}

/// The `msiam_access` role (the only one the template declares) of a service principal.
fn app_role_of(sp: &Json) -> Option<String> {
    let roles = sp.get("appRoles").and_then(Json::as_array)?;
    roles
        .iter()
        .find(|r| r["displayName"] == "msiam_access")
        .or_else(|| roles.first())
        .and_then(|r| r["id"].as_str())
        .map(str::to_owned)
}

fn same_guid(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl CrossTenantSyncConfiguration {
    /// The resource, using the provider's configuration once it is set.
    pub fn new(data: Configured<ProviderData>) -> Self {
        CrossTenantSyncConfiguration { data }
    }

    fn client(&self) -> Result<GraphClient, Diagnostics> {
        Ok(self.data.get()?.client.clone())
    }

    /// The secrets a configuration's planned values stand for.
    fn secrets(planned: &Value) -> Vec<(&'static str, String)> {
        vec![
            (
                "CompanyId",
                planned.get_attr("target_tenant_id").as_str().unwrap_or_default().trim().to_ascii_lowercase(),
            ),
            ("AuthenticationType", "SyncPolicy".to_owned()),
            ("SyncAll", (planned.get_attr("scope").as_str() == Some("all")).to_string()),
            ("SyncNotificationSettings", notification_settings(planned)),
        ]
    }

    /// Everything after the instantiate; on error the caller deletes the application.
    async fn finish_create(
        &self,
        client: &GraphClient,
        op: &Operation,
        sp: &str,
        planned: &Value,
    ) -> Result<(String, Private), Diagnostics> {
        let target = planned.get_attr("target_tenant_id").as_str().unwrap_or_default().trim().to_ascii_lowercase();
        let write = |action: String| {
            move |error: GraphError| {
                graph_errors(&action, Access::Permissions(WRITE_PERMISSIONS), TimeoutName::Create, &error)
            }
        };
        client
            .wait_for_service_principal(op, sp)
            .await
            .map_err(write(format!("waiting for the new service principal {sp}")))?;
        client.validate_sync_credentials(op, sp, &target).await.map_err(|error| connection_refused(&target, &error))?;
        let job =
            client.create_sync_job(op, sp).await.map_err(write(format!("creating the synchronization job of {sp}")))?;
        let job_id = str_at(&job, "id").unwrap_or_default().to_owned();
        let secrets = Self::secrets(planned);
        let pairs: Vec<(&str, String)> = secrets.iter().map(|(k, v)| (*k, v.clone())).collect();
        client
            .put_sync_secrets(op, sp, &pairs)
            .await
            .map_err(write(format!("saving the synchronization secrets of {sp}")))?;
        let mut private = Private::default();
        if manages_schema(planned) {
            let mut schema = client
                .sync_schema(op, sp, &job_id)
                .await
                .map_err(write(format!("reading the schema of synchronization job {job_id}")))?;
            apply_to_schema(&mut schema, &Value::Null, planned, &mut private, &[]).map_err(|problem| {
                Diagnostics::error("Unexpected synchronization schema", format!("job {job_id}: {problem}"))
            })?;
            client.put_sync_schema(op, sp, &job_id, &schema).await.map_err(|error| schema_refused(&job_id, &error))?;
        }
        if planned.get_attr("enabled").as_bool() != Some(false) {
            client
                .start_sync_job(op, sp, &job_id)
                .await
                .map_err(write(format!("starting synchronization job {job_id}")))?;
        }
        Ok((job_id, private))
    }

    /// The state for what Graph holds. `None` when the configuration is gone (no service principal or no job).
    async fn read_state(
        &self,
        ctx: &Context,
        client: &GraphClient,
        op: &Operation,
        prior: &Value,
    ) -> Result<Option<Value>, GraphError> {
        let sp_id = prior.get_attr("id").as_str().unwrap_or_default().to_owned();
        let known_job = prior.get_attr("job_id").as_str();
        // The service principal, the job, the secrets and (where managed) the schema do not depend on each other
        // once the job id is known, so they are read at once: a refresh waits for one round trip instead of four,
        // and every assignment's read waits for its configuration's. The answers are looked at in the order they
        // depend on each other: a missing service principal makes the others' errors moot.
        let read_job = async {
            match known_job {
                Some(job_id) => client.sync_job(op, &sp_id, job_id).await,
                None => client.azure2azure_job(op, &sp_id).await,
            }
        };
        let read_schema = async {
            match known_job {
                Some(job_id) if manages_schema(prior) => Some(client.sync_schema(op, &sp_id, job_id).await),
                _ => None,
            }
        };
        let (sp, job, secrets, early_schema) =
            tokio::join!(client.service_principal(op, &sp_id), read_job, client.sync_secrets(op, &sp_id), read_schema);
        let Some(sp) = sp? else { return Ok(None) };
        let Some(job) = job? else {
            ctx.warn(
                "The synchronization job was deleted outside Terraform",
                format!(
                    "The job of cross-tenant synchronization configuration {sp_id} no longer exists, so Terraform \
                     plans a new configuration. The application of the old one is left as it is; delete it in the \
                     portal (Enterprise applications) if it is no longer needed."
                ),
            );
            return Ok(None);
        };
        let job_id = str_at(&job, "id").unwrap_or_default().to_owned();
        let application_object_id = match prior.get_attr("application_object_id").as_str() {
            Some(id) => id.to_owned(),
            None => client
                .application_by_app_id(op, str_at(&sp, "appId").unwrap_or_default())
                .await?
                .and_then(|a| str_at(&a, "id").map(str::to_owned))
                .unwrap_or_default(),
        };
        let secrets = secrets?;
        let secret = |key: &str| secrets.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let mut target = Value::string(secret("CompanyId").unwrap_or_default());
        if let (Some(before), Some(now)) = (prior.get_attr("target_tenant_id").as_str(), target.as_str())
            && same_guid(before, now)
        {
            target = Value::string(before);
        }
        let scope = if secret("SyncAll").is_some_and(|v| v.eq_ignore_ascii_case("true")) { "all" } else { "assigned" };
        let (email, threshold) = parse_notification_settings(secret("SyncNotificationSettings"));

        let schedule_state = job["schedule"]["state"].as_str().unwrap_or_default();
        let status = job["status"]["code"].as_str().unwrap_or_default();
        if status == "Quarantine" {
            let quarantine = &job["status"]["quarantine"];
            ctx.warn(
                "The synchronization job is in quarantine",
                format!(
                    "Cross-tenant synchronization configuration {sp_id} (job {job_id}) is in quarantine: {} ({}: {}). \
                     Microsoft Entra retries it less often until the cause is fixed; Terraform does not restart it. \
                     The entra_cross_tenant_sync_status data source shows the details.",
                    quarantine["reason"].as_str().unwrap_or("unknown reason"),
                    quarantine["error"]["code"].as_str().unwrap_or("no code"),
                    quarantine["error"]["message"].as_str().unwrap_or("no message"),
                ),
            );
        }

        // The schema only where it is managed, and only the managed target attributes.
        let mut attribute_mappings = Value::Null;
        let mut scoping_filters = Value::Null;
        let imported = prior.get_attr("job_id").is_null();
        if manages_schema(prior) || imported {
            let schema = match early_schema {
                Some(schema) => schema?,
                None => client.sync_schema(op, &sp_id, &job_id).await?,
            };
            let user = user_mapping(&schema);
            let live = user.map(attribute_mappings_of).unwrap_or_default();
            if imported {
                // Every mapping that differs from the template's default counts as an override, so a matching
                // configuration plans empty after the import.
                let template = client.sync_template_schema(op, &sp_id).await?;
                let defaults = user_mapping(&template).map(attribute_mappings_of).unwrap_or_default();
                let overrides: Vec<Value> =
                    live.iter().filter(|m| !defaults.contains(m)).map(|m| override_from_graph(m, None)).collect();
                if !overrides.is_empty() {
                    attribute_mappings = Value::set(overrides);
                }
            } else if let Some(prior_overrides) = prior.get_attr("attribute_mappings").as_elements() {
                attribute_mappings = Value::set(prior_overrides.iter().filter_map(|o| {
                    let target = o.get_attr("target_attribute").as_str()?;
                    live.iter().find(|m| target_of(m) == target).map(|m| override_from_graph(m, Some(o)))
                }));
            }
            let prior_filters = prior.get_attr("scoping_filters");
            let live_scope = user.and_then(|u| u.get("scope"));
            let has_filters =
                live_scope.and_then(|s| s.get("groups")).and_then(Json::as_array).is_some_and(|g| !g.is_empty());
            if !prior_filters.is_null() || (imported && has_filters) {
                scoping_filters = filters_from_graph(live_scope, prior_filters);
            }
        }

        Ok(Some(Value::object([
            ("id", Value::string(&sp_id)),
            ("display_name", Value::string(str_at(&sp, "displayName").unwrap_or_default())),
            ("target_tenant_id", target),
            ("scope", Value::string(scope)),
            ("enabled", Value::bool(schedule_state == "Active")),
            ("notification_email", email),
            ("accidental_deletions_threshold", threshold),
            ("attribute_mappings", attribute_mappings),
            ("scoping_filters", scoping_filters),
            ("service_principal_id", Value::string(&sp_id)),
            ("application_object_id", Value::string(application_object_id)),
            ("application_id", Value::string(str_at(&sp, "appId").unwrap_or_default())),
            ("job_id", Value::string(job_id)),
            ("app_role_id", app_role_of(&sp).map(Value::string).unwrap_or(Value::Null)),
            ("timeouts", prior.get_attr("timeouts").clone()),
        ])))
    }
}

/// The error of a refused connection test: which tenant must change what (Graph's message says it, A.2.2).
fn connection_refused(target: &str, error: &GraphError) -> Diagnostics {
    let graph_says = error.api().and_then(|api| api.message.clone()).unwrap_or_else(|| error.to_string());
    let mut advice = Vec::new();
    let lower = graph_says.to_ascii_lowercase();
    if lower.contains("source tenant") {
        advice.push(format!(
            "In this (source) tenant: the partner configuration for {target} needs \
             automatic_user_consent_settings.outbound_allowed = true (entra_cross_tenant_partner)."
        ));
    }
    if lower.contains("target tenant") {
        advice.push(format!(
            "In the target tenant {target}: the partner configuration for this tenant needs \
             automatic_user_consent_settings.inbound_allowed = true (entra_cross_tenant_partner), and its identity \
             synchronization policy needs user_sync_inbound.is_sync_allowed = true \
             (entra_cross_tenant_identity_sync)."
        ));
    }
    if !matches!(error, GraphError::Api(_)) || error.status().is_some_and(|s| s != 400) {
        return graph_errors(
            &format!("testing the connection to tenant {target}"),
            Access::Permissions(WRITE_PERMISSIONS),
            TimeoutName::Create,
            error,
        );
    }
    Diagnostics::attribute_error(
        AttributePath::root().attr("target_tenant_id"),
        "Cross-tenant synchronization is not allowed yet",
        format!(
            "target_tenant_id: the connection test to tenant {target} failed, so nothing was created (the \
             application just made was deleted again). {}\n\nMicrosoft Entra says: {error}",
            if advice.is_empty() {
                "Check the cross-tenant access settings of both tenants.".to_owned()
            } else {
                advice.join(" ")
            },
        ),
    )
}

fn schema_refused(job: &str, error: &GraphError) -> Diagnostics {
    if error.status() == Some(400) {
        return Diagnostics::attribute_error(
            AttributePath::root().attr("attribute_mappings"),
            "Microsoft Entra refused the attribute mappings or scoping filters",
            format!("attribute_mappings / scoping_filters of synchronization job {job}: {error}"),
        );
    }
    graph_errors(
        &format!("saving the schema of synchronization job {job}"),
        Access::Permissions(WRITE_PERMISSIONS),
        TimeoutName::Update,
        error,
    )
}

#[async_trait]
impl Resource for CrossTenantSyncConfiguration {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn modify_plan(&self, _ctx: &Context, plan: &mut Plan) -> Result<(), Diagnostics> {
        if plan.is_destroy() {
            return Ok(());
        }
        let root = AttributePath::root();
        plan.default_when_unset("scope", Value::string("assigned"))?;
        plan.default_when_unset("enabled", Value::bool(true))?;
        if plan.is_update() {
            let target = root.clone().attr("target_tenant_id");
            let same = match (plan.prior_state.get_attr("target_tenant_id").as_str(), plan.get(&target).as_str()) {
                (Some(before), Some(after)) => same_guid(before, after),
                (_, None) => !plan.get(&target).is_known(),
                _ => false,
            };
            if !same && plan.get(&target).is_known() {
                plan.require_replace(target);
            } else if same {
                // Another spelling of the same tenant is no change.
                let prior = plan.prior_state.get_attr("target_tenant_id").clone();
                plan.set(&target, prior)?;
            }
        }
        Ok(())
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Create)?;
        let planned = request.planned_state;
        let name = planned.get_attr("display_name").as_str().unwrap_or_default().to_owned();
        let made = client.instantiate_sync_configuration(&op, &name).await.map_err(|error| {
            graph_errors(
                &format!("creating cross-tenant synchronization configuration \"{name}\""),
                Access::Permissions(WRITE_PERMISSIONS),
                TimeoutName::Create,
                &error,
            )
        })?;
        let sp = str_at(&made.service_principal, "id").unwrap_or_default().to_owned();
        let application = str_at(&made.application, "id").unwrap_or_default().to_owned();
        match self.finish_create(&client, &op, &sp, &planned).await {
            Ok((job_id, private)) => {
                let mut state = planned;
                if let Value::Object(attributes) = &mut state {
                    let mut set = |name: &str, value: Value| {
                        attributes.insert(name.to_owned(), value);
                    };
                    set("id", Value::string(&sp));
                    set("service_principal_id", Value::string(&sp));
                    set("application_object_id", Value::string(&application));
                    set("application_id", Value::string(str_at(&made.service_principal, "appId").unwrap_or_default()));
                    set("job_id", Value::string(job_id));
                    set("app_role_id", app_role_of(&made.service_principal).map(Value::string).unwrap_or(Value::Null));
                }
                Ok(NewState::new(state).with_private(private.encode()))
            }
            Err(mut diagnostics) => {
                // Nothing may be left behind: delete the application (and with it the service principal and job).
                // A fresh deadline, so a create that ran out of time still cleans up.
                let cleanup = timeouts::operation_with(ctx, Kind::Delete.default_timeout());
                if let Err(error) = client.delete_application(&cleanup, &application).await {
                    diagnostics.extend(graph_errors(
                        &format!(
                            "deleting application {application} (service principal {sp}) after the failed create; \
                             delete it in the portal (Enterprise applications)"
                        ),
                        Access::Permissions(WRITE_PERMISSIONS),
                        TimeoutName::None,
                        &error,
                    ));
                }
                Err(diagnostics)
            }
        }
    }

    async fn read(&self, ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics> {
        let client = self.client()?;
        let prior = request.current_state;
        let op = timeouts::operation(ctx, &prior, Kind::Read)?;
        let id = prior.get_attr("id").as_str().unwrap_or_default().to_owned();
        match self.read_state(ctx, &client, &op, &prior).await {
            Ok(Some(state)) => Ok(ReadOutcome::Found(NewState::new(state))),
            Ok(None) => Ok(ReadOutcome::Gone),
            Err(error) => Err(graph_errors(
                &format!("reading cross-tenant synchronization configuration {id}"),
                Access::Permissions(READ_PERMISSIONS),
                TimeoutName::Read,
                &error,
            )),
        }
    }

    async fn update(&self, ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.config, Kind::Update)?;
        let (prior, planned) = (&request.prior_state, &request.planned_state);
        let sp = prior.get_attr("id").as_str().unwrap_or_default().to_owned();
        let job = prior.get_attr("job_id").as_str().unwrap_or_default().to_owned();
        let fail = |action: String| {
            move |error: GraphError| {
                graph_errors(&action, Access::Permissions(WRITE_PERMISSIONS), TimeoutName::Update, &error)
            }
        };
        let changed = |name: &str| prior.get_attr(name) != planned.get_attr(name);

        let old_secrets = Self::secrets(prior);
        let new_secrets = Self::secrets(planned);
        let secret_changes: Vec<(&str, String)> = new_secrets
            .iter()
            .filter(|(key, value)| {
                *key != "CompanyId" && old_secrets.iter().find(|(k, _)| k == key).map(|(_, v)| v) != Some(value)
            })
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        if !secret_changes.is_empty() {
            client
                .put_sync_secrets(&op, &sp, &secret_changes)
                .await
                .map_err(fail(format!("saving the synchronization secrets of {sp}")))?;
        }

        if changed("display_name") {
            let application = prior.get_attr("application_object_id").as_str().unwrap_or_default().to_owned();
            let name = planned.get_attr("display_name").as_str().unwrap_or_default();
            client
                .rename_sync_configuration(&op, &application, &sp, name)
                .await
                .map_err(fail(format!("renaming cross-tenant synchronization configuration {sp} to \"{name}\"")))?;
        }

        let mut private = Private::decode(&request.planned_private);
        if changed("attribute_mappings") || changed("scoping_filters") {
            let mut schema =
                client.sync_schema(&op, &sp, &job).await.map_err(fail(format!("reading the schema of job {job}")))?;
            // Overrides removed without a recorded earlier mapping go back to the template's default.
            let planned_targets = override_targets(planned);
            let unrecorded =
                override_targets(prior).iter().any(|t| !planned_targets.contains(t) && !private.before.contains_key(t));
            let template = if unrecorded {
                let template = client
                    .sync_template_schema(&op, &sp)
                    .await
                    .map_err(fail(format!("reading the default schema of the synchronization template of {sp}")))?;
                user_mapping(&template).map(attribute_mappings_of).unwrap_or_default()
            } else {
                Vec::new()
            };
            apply_to_schema(&mut schema, prior, planned, &mut private, &template).map_err(|problem| {
                Diagnostics::error("Unexpected synchronization schema", format!("job {job}: {problem}"))
            })?;
            client.put_sync_schema(&op, &sp, &job, &schema).await.map_err(|error| schema_refused(&job, &error))?;
        }

        if changed("enabled") {
            let result = if planned.get_attr("enabled").as_bool() == Some(false) {
                client.pause_sync_job(&op, &sp, &job).await
            } else {
                client.start_sync_job(&op, &sp, &job).await
            };
            result.map_err(fail(format!("starting or pausing synchronization job {job}")))?;
        }
        Ok(NewState::new(request.planned_state).with_private(private.encode()))
    }

    async fn delete(&self, ctx: &Context, request: DeleteRequest) -> Result<(), Diagnostics> {
        let client = self.client()?;
        let op = timeouts::operation(ctx, &request.prior_state, Kind::Delete)?;
        let state = &request.prior_state;
        let sp = state.get_attr("id").as_str().unwrap_or_default().to_owned();
        let fail = |action: String| {
            move |error: GraphError| {
                graph_errors(&action, Access::Permissions(WRITE_PERMISSIONS), TimeoutName::Delete, &error)
            }
        };
        if let Some(job) = state.get_attr("job_id").as_str() {
            client.delete_sync_job(&op, &sp, job).await.map_err(fail(format!("deleting synchronization job {job}")))?;
        }
        match state.get_attr("application_object_id").as_str().filter(|a| !a.is_empty()) {
            Some(application) => client
                .delete_application(&op, application)
                .await
                .map_err(fail(format!("deleting application {application}")))?,
            None => client
                .delete_service_principal(&op, &sp)
                .await
                .map_err(fail(format!("deleting service principal {sp}")))?,
        }
        Ok(())
    }

    async fn import(&self, _ctx: &Context, id: &str) -> Result<NewState, Diagnostics> {
        let id = id.trim();
        if !tfplugin::validators::is_guid(id) {
            return Err(Diagnostics::error(
                "Invalid import id",
                format!(
                    "{TYPE_NAME}: the import id is the configuration's service principal object id (a GUID), got \
                     \"{id}\"."
                ),
            ));
        }
        Ok(NewState::new(Value::object([("id", Value::string(id))])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_sound() {
        let schema = schema();
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
    }

    #[test]
    fn overrides_round_trip_through_graph_json() {
        for (source_type, source, apply) in [
            ("attribute", "department", Value::Null),
            ("constant", "Guest", Value::string("on_create")),
            ("expression", "Join(\" \", [givenName], [surname])", Value::Null),
        ] {
            let value = Value::object([
                ("target_attribute", Value::string("x")),
                ("source_type", Value::string(source_type)),
                ("source", Value::string(source)),
                ("apply", apply),
            ]);
            assert_eq!(override_from_graph(&override_to_graph(&value), Some(&value)), value);
        }
    }

    #[test]
    fn notification_settings_round_trip() {
        let config = Value::object([
            ("notification_email", Value::string("ops@example.com")),
            ("accidental_deletions_threshold", Value::number(50)),
        ]);
        let (email, threshold) = parse_notification_settings(Some(&notification_settings(&config)));
        assert_eq!(email, Value::string("ops@example.com"));
        assert_eq!(threshold, Value::number(50));
        let (email, threshold) = parse_notification_settings(Some(&notification_settings(&Value::Null)));
        assert!(email.is_null() && threshold.is_null());
    }
}
