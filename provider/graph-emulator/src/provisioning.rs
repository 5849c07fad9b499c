//! Directory objects and cross-tenant synchronization in the source tenant (graph-sync-and-mto.md Part A): users
//! and groups, applications and service principals (template instantiate), synchronization templates, jobs, secrets
//! and schema, the connection test (`validateCredentials`) and `appRoleAssignedTo`.
//!
//! Every handler works on the caller's tenant ([`Service::tenant_of`]); the connection test also reads the target
//! tenant's cross-tenant access policy (see the `tenant` module).

use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::config::{
    ROLE_APP_ROLE_ASSIGNMENT_READ_WRITE_ALL, ROLE_APPLICATION_READ_ALL, ROLE_APPLICATION_READ_WRITE_ALL,
    ROLE_DIRECTORY_READ_ALL, ROLE_SYNCHRONIZATION_READ_ALL, ROLE_SYNCHRONIZATION_READ_WRITE_ALL,
};
use crate::error::GraphError;
use crate::graph::{GraphRequest, GraphResponse};
use crate::json::Json;
use crate::objects::{Job, Objects, new_job, now_rfc3339};
use crate::odata::{QueryOptions, Supported};
use crate::service::{Service, lock};
use crate::store::Object;
use crate::sync_schema::{
    APP_ROLE_ASSIGNMENT, AZURE2AZURE, CROSS_TENANT_SYNC_TEMPLATE_ID, DISPLAY_NAME_PATCH, INSTANTIATE, JOB_BODY,
    MASKED_SECRETS, MATCHING_ATTRIBUTE, RESTART, SCHEMA, SECRETS_BODY, VALIDATE_CREDENTIALS, default_job_settings,
    default_schema, filter_operators, matching_mapping,
};
use crate::tenant::Tenant;

/// A route of this module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Users,
    User(String),
    Groups,
    Group(String),
    /// `POST /applicationTemplates/{id}/instantiate`.
    Instantiate(String),
    Applications,
    Application(String),
    ServicePrincipals,
    ServicePrincipal(String),
    AppRoleAssignedTo(String),
    AppRoleAssignment(String, String),
    SyncTemplates(String),
    /// `GET /servicePrincipals/{id}/synchronization/templates/{templateId}/schema`: the template's default schema.
    SyncTemplateSchema(String, String),
    SyncSecrets(String),
    SyncJobs(String),
    /// The collection-bound `validateCredentials` (no job yet, A.2.2).
    SyncValidate(String),
    SyncJob(String, String),
    SyncJobAction(String, String, JobAction),
    SyncSchema(String, String),
    FilterOperators(String, String),
}

/// The synchronization rule id of the template's schema.
const TEMPLATE_RULE_ID: &str = "df8df8d1-9e6e-40d3-b8df-09bbb402db7e";

/// The actions bound to a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JobAction {
    Start,
    Pause,
    Restart,
    ValidateCredentials,
}

/// Matches a segment case-insensitively (Graph's segments are case-insensitive), also namespace-qualified.
fn is(segment: &str, name: &str) -> bool {
    segment.eq_ignore_ascii_case(name)
        || segment.get(..16).is_some_and(|p| p.eq_ignore_ascii_case("microsoft.graph."))
            && segment[16..].eq_ignore_ascii_case(name)
}

/// Parses the (percent-decoded) segments of a path into a route, `Ok(None)` when the path belongs elsewhere.
pub(crate) fn parse_path(s: &[&str]) -> Result<Option<Route>, GraphError> {
    let not_found =
        |segment: &str| GraphError::gateway_bad_request(format!("Resource not found for the segment '{segment}'."));
    let Some(first) = s.first() else { return Ok(None) };
    let lower = |id: &str| id.to_ascii_lowercase();
    let route = if is(first, "users") || is(first, "groups") {
        let users = is(first, "users");
        match &s[1..] {
            [] if users => Route::Users,
            [] => Route::Groups,
            [id] if users => Route::User(lower(id)),
            [id] => Route::Group(lower(id)),
            [_, segment, ..] => return Err(not_found(segment)),
        }
    } else if is(first, "applicationTemplates") {
        match &s[1..] {
            [id, action] if is(action, "instantiate") => Route::Instantiate(lower(id)),
            [] | [_] => return Err(not_found(first)),
            [_, segment, ..] => return Err(not_found(segment)),
        }
    } else if is(first, "applications") {
        match &s[1..] {
            [] => Route::Applications,
            [id] => Route::Application(lower(id)),
            [_, segment, ..] => return Err(not_found(segment)),
        }
    } else if is(first, "servicePrincipals") {
        let Some(sp) = s.get(1).map(|id| lower(id)) else { return Ok(Some(Route::ServicePrincipals)) };
        match &s[2..] {
            [] => Route::ServicePrincipal(sp),
            [a] if is(a, "appRoleAssignedTo") => Route::AppRoleAssignedTo(sp),
            [a, id] if is(a, "appRoleAssignedTo") => Route::AppRoleAssignment(sp, (*id).to_owned()),
            [y, rest @ ..] if is(y, "synchronization") => match rest {
                [t] if is(t, "templates") => Route::SyncTemplates(sp),
                [t, id, s] if is(t, "templates") && is(s, "schema") => Route::SyncTemplateSchema(sp, (*id).to_owned()),
                [t] if is(t, "secrets") => Route::SyncSecrets(sp),
                [j] if is(j, "jobs") => Route::SyncJobs(sp),
                [j, v] if is(j, "jobs") && is(v, "validateCredentials") => Route::SyncValidate(sp),
                [j, id] if is(j, "jobs") => Route::SyncJob(sp, (*id).to_owned()),
                [j, id, tail @ ..] if is(j, "jobs") => {
                    let job = (*id).to_owned();
                    match tail {
                        [a] if is(a, "start") => Route::SyncJobAction(sp, job, JobAction::Start),
                        [a] if is(a, "pause") => Route::SyncJobAction(sp, job, JobAction::Pause),
                        [a] if is(a, "restart") => Route::SyncJobAction(sp, job, JobAction::Restart),
                        [a] if is(a, "validateCredentials") => {
                            Route::SyncJobAction(sp, job, JobAction::ValidateCredentials)
                        }
                        [a] if is(a, "schema") => Route::SyncSchema(sp, job),
                        [a, f] if is(a, "schema") && is(f, "filterOperators") => Route::FilterOperators(sp, job),
                        [segment, ..] => return Err(not_found(segment)),
                        [] => return Err(not_found(id)),
                    }
                }
                [segment, ..] => return Err(not_found(segment)),
                [] => return Err(not_found(y)),
            },
            [segment, ..] => return Err(not_found(segment)),
        }
    } else {
        return Ok(None);
    };
    Ok(Some(route))
}

const READ_APPLICATIONS: &[&str] = &[ROLE_APPLICATION_READ_ALL, ROLE_APPLICATION_READ_WRITE_ALL];
const WRITE_APPLICATIONS: &[&str] = &[ROLE_APPLICATION_READ_WRITE_ALL];
const READ_SYNCHRONIZATION: &[&str] = &[ROLE_SYNCHRONIZATION_READ_ALL, ROLE_SYNCHRONIZATION_READ_WRITE_ALL];
const WRITE_SYNCHRONIZATION: &[&str] = &[ROLE_SYNCHRONIZATION_READ_WRITE_ALL];
const READ_ASSIGNMENTS: &[&str] =
    &[ROLE_APPLICATION_READ_ALL, ROLE_APPLICATION_READ_WRITE_ALL, ROLE_APP_ROLE_ASSIGNMENT_READ_WRITE_ALL];
const WRITE_ASSIGNMENTS: &[&str] = &[ROLE_APP_ROLE_ASSIGNMENT_READ_WRITE_ALL];

impl Route {
    /// The route template used in statistics and fault filters.
    pub(crate) fn template(&self) -> &'static str {
        match self {
            Route::Users => "/users",
            Route::User(_) => "/users/{id}",
            Route::Groups => "/groups",
            Route::Group(_) => "/groups/{id}",
            Route::Instantiate(_) => "/applicationTemplates/{id}/instantiate",
            Route::Applications => "/applications",
            Route::Application(_) => "/applications/{id}",
            Route::ServicePrincipals => "/servicePrincipals",
            Route::ServicePrincipal(_) => "/servicePrincipals/{id}",
            Route::AppRoleAssignedTo(_) => "/servicePrincipals/{id}/appRoleAssignedTo",
            Route::AppRoleAssignment(..) => "/servicePrincipals/{id}/appRoleAssignedTo/{id}",
            Route::SyncTemplates(_) => "/servicePrincipals/{id}/synchronization/templates",
            Route::SyncTemplateSchema(..) => "/servicePrincipals/{id}/synchronization/templates/{id}/schema",
            Route::SyncSecrets(_) => "/servicePrincipals/{id}/synchronization/secrets",
            Route::SyncJobs(_) => "/servicePrincipals/{id}/synchronization/jobs",
            Route::SyncValidate(_) => "/servicePrincipals/{id}/synchronization/jobs/validateCredentials",
            Route::SyncJob(..) => "/servicePrincipals/{id}/synchronization/jobs/{id}",
            Route::SyncJobAction(_, _, JobAction::Start) => "/servicePrincipals/{id}/synchronization/jobs/{id}/start",
            Route::SyncJobAction(_, _, JobAction::Pause) => "/servicePrincipals/{id}/synchronization/jobs/{id}/pause",
            Route::SyncJobAction(_, _, JobAction::Restart) => {
                "/servicePrincipals/{id}/synchronization/jobs/{id}/restart"
            }
            Route::SyncJobAction(_, _, JobAction::ValidateCredentials) => {
                "/servicePrincipals/{id}/synchronization/jobs/{id}/validateCredentials"
            }
            Route::SyncSchema(..) => "/servicePrincipals/{id}/synchronization/jobs/{id}/schema",
            Route::FilterOperators(..) => "/servicePrincipals/{id}/synchronization/jobs/{id}/schema/filterOperators",
        }
    }

    /// The methods the route supports.
    pub(crate) fn methods(&self) -> &'static [Method] {
        const GET: &[Method] = &[Method::GET];
        const POST: &[Method] = &[Method::POST];
        const GET_POST: &[Method] = &[Method::GET, Method::POST];
        const GET_DELETE: &[Method] = &[Method::GET, Method::DELETE];
        const GET_PATCH_DELETE: &[Method] = &[Method::GET, Method::PATCH, Method::DELETE];
        const GET_PUT: &[Method] = &[Method::GET, Method::PUT];
        // PATCH of a schema reaches the service and gets its 404 (A.5.1), so it is "allowed" here.
        const SCHEMA: &[Method] = &[Method::GET, Method::PUT, Method::PATCH];
        match self {
            Route::Users
            | Route::User(_)
            | Route::Groups
            | Route::Group(_)
            | Route::Applications
            | Route::ServicePrincipals
            | Route::SyncTemplates(_)
            | Route::SyncTemplateSchema(..)
            | Route::FilterOperators(..) => GET,
            Route::Instantiate(_) | Route::SyncValidate(_) | Route::SyncJobAction(..) => POST,
            Route::Application(_) | Route::ServicePrincipal(_) => GET_PATCH_DELETE,
            Route::AppRoleAssignment(..) | Route::SyncJob(..) => GET_DELETE,
            Route::AppRoleAssignedTo(_) | Route::SyncJobs(_) => GET_POST,
            Route::SyncSecrets(_) => GET_PUT,
            Route::SyncSchema(..) => SCHEMA,
        }
    }

    /// The application permissions of which the caller needs one (graph-sync-and-mto.md A.7).
    pub(crate) fn roles(&self, write: bool) -> &'static [&'static str] {
        match self {
            Route::Users | Route::User(_) | Route::Groups | Route::Group(_) => &[ROLE_DIRECTORY_READ_ALL],
            Route::Instantiate(_)
            | Route::Applications
            | Route::Application(_)
            | Route::ServicePrincipals
            | Route::ServicePrincipal(_) => {
                if write {
                    WRITE_APPLICATIONS
                } else {
                    READ_APPLICATIONS
                }
            }
            Route::AppRoleAssignedTo(_) | Route::AppRoleAssignment(..) => {
                if write {
                    WRITE_ASSIGNMENTS
                } else {
                    READ_ASSIGNMENTS
                }
            }
            _ => {
                if write {
                    WRITE_SYNCHRONIZATION
                } else {
                    READ_SYNCHRONIZATION
                }
            }
        }
    }
}

/// `{base}/v1.0/$metadata#{path}`.
fn context(request: &GraphRequest, path: &str) -> Json {
    Json::str(format!("{}/{}/$metadata#{path}", request.base, request.version.as_str()))
}

/// A collection response.
fn collection(request: &GraphRequest, path: &str, items: Vec<Json>) -> GraphResponse {
    GraphResponse::json(
        StatusCode::OK,
        Json::object([("@odata.context", context(request, path)), ("value", Json::Array(items))]),
    )
}

/// An entity response with `@odata.context` first.
fn entity(request: &GraphRequest, status: StatusCode, path: &str, object: &Object) -> GraphResponse {
    GraphResponse::json(
        status,
        render(object).with_leading("@odata.context", context(request, &format!("{path}/$entity"))),
    )
}

/// A stored object as a response body (every property present, explicit nulls).
fn render(object: &Object) -> Json {
    Json::from_value(&Value::Object(object.clone()))
}

/// Resolves `$select` names against the properties of `sample` (case-insensitive, canonical spelling back).
fn resolve_select(
    select: Option<&Vec<String>>,
    sample: &[&str],
    type_name: &str,
) -> Result<Option<Vec<String>>, GraphError> {
    let Some(select) = select else { return Ok(None) };
    let mut names = Vec::new();
    for requested in select {
        match sample.iter().find(|name| name.eq_ignore_ascii_case(requested)) {
            Some(name) => names.push((*name).to_owned()),
            None => {
                return Err(GraphError::gateway_bad_request(format!(
                    "Could not find a property named '{requested}' on type 'microsoft.graph.{type_name}'."
                )));
            }
        }
    }
    Ok(Some(names))
}

/// A stored object with only the selected properties.
fn selected(object: &Object, select: Option<&[String]>) -> Json {
    match select {
        None => render(object),
        Some(names) => {
            let kept: Object =
                object.iter().filter(|(k, _)| names.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
            render(&kept)
        }
    }
}

/// A `$filter` of `property eq 'value'` clauses joined by `and`, on the given properties.
fn parse_simple_filter(filter: &str, filterable: &[&str]) -> Result<Vec<(String, String)>, GraphError> {
    let unsupported = |detail: String| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            format!("Unsupported or invalid query filter clause specified: {detail}"),
        )
    };
    let mut clauses = Vec::new();
    for clause in filter.split(" and ") {
        let mut parts = clause.trim().splitn(3, ' ');
        let (Some(property), Some(operator), Some(literal)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(unsupported(format!("'{clause}'.")));
        };
        let Some(canonical) = filterable.iter().find(|p| p.eq_ignore_ascii_case(property)) else {
            return Err(unsupported(format!("property '{property}' cannot be filtered.")));
        };
        if !operator.eq_ignore_ascii_case("eq") {
            return Err(unsupported(format!("only 'eq' is supported, not '{operator}'.")));
        }
        let Some(value) = literal.trim().strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) else {
            return Err(unsupported(format!("'{literal}' is not a string literal.")));
        };
        clauses.push(((*canonical).to_owned(), value.replace("''", "'")));
    }
    Ok(clauses)
}

/// Properties the listings of this module can be filtered on.
const FILTERABLE: &[&str] = &["id", "appId", "displayName", "applicationTemplateId", "principalId", "templateId"];

/// A listing with `$select`, `$filter` (`eq`, `and`), `$top`, `$skiptoken` paging and `$count`.
fn listing(
    request: &GraphRequest,
    options: &QueryOptions,
    path: &str,
    type_name: &str,
    items: Vec<&Object>,
) -> Result<GraphResponse, GraphError> {
    let filter = options.filter.as_deref().map(|f| parse_simple_filter(f, FILTERABLE)).transpose()?;
    let matching: Vec<&Object> = items
        .into_iter()
        .filter(|item| {
            filter.as_ref().is_none_or(|clauses| {
                clauses.iter().all(|(name, value)| {
                    item.get(name).and_then(Value::as_str).is_some_and(|v| v.eq_ignore_ascii_case(value))
                })
            })
        })
        .collect();
    let sample: Vec<&str> = matching.first().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    let select = if matching.is_empty() { None } else { resolve_select(options.select.as_ref(), &sample, type_name)? };
    let offset = match options.skiptoken.as_deref() {
        None => 0,
        Some(token) => token
            .strip_prefix("offset-")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| GraphError::gateway_bad_request(format!("The skip token '{token}' is not valid.")))?,
    } + options.skip.unwrap_or(0);
    let count = matching.len();
    let page: Vec<Json> = matching
        .iter()
        .skip(offset)
        .take(options.top.unwrap_or(usize::MAX))
        .map(|item| selected(item, select.as_deref()))
        .collect();
    let mut body = vec![("@odata.context".to_owned(), context(request, path))];
    if options.count {
        body.push(("@odata.count".to_owned(), Json::Number(count.into())));
    }
    let next = offset + page.len();
    if next < count {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in url::form_urlencoded::parse(request.query.as_deref().unwrap_or_default().as_bytes()) {
            if !matches!(name.to_ascii_lowercase().trim_start_matches('$'), "skiptoken" | "skip") {
                query.append_pair(&name, &value);
            }
        }
        query.append_pair("$skiptoken", &format!("offset-{next}"));
        let link = format!("{}/{}{}?{}", request.base, request.version.as_str(), request.path, query.finish());
        body.push(("@odata.nextLink".to_owned(), Json::str(link)));
    }
    body.push(("value".to_owned(), Json::Array(page)));
    Ok(GraphResponse::json(StatusCode::OK, Json::Object(body)))
}

/// An entity GET with `$select`.
fn entity_get(
    request: &GraphRequest,
    options: &QueryOptions,
    path: &str,
    type_name: &str,
    object: &Object,
) -> Result<GraphResponse, GraphError> {
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    let select = resolve_select(options.select.as_ref(), &keys, type_name)?;
    let body = selected(object, select.as_deref())
        .with_leading("@odata.context", context(request, &format!("{path}/$entity")));
    Ok(GraphResponse::json(StatusCode::OK, body))
}

/// 404 for an object that does not exist (or is not replicated yet).
fn missing(id: &str) -> GraphError {
    GraphError::not_found(id)
}

/// A service principal that reads can see, or 404 (the replication-lag fault hides new ones).
fn visible_sp<'a>(objects: &'a Objects, sp: &str) -> Result<&'a Object, GraphError> {
    if !objects.service_principal_visible(sp) {
        return Err(missing(sp));
    }
    objects.service_principals.get(sp).ok_or_else(|| missing(sp))
}

/// The job's 404: synchronization answers with its own code for unknown jobs [INF].
fn job_not_found(job: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("The synchronization job '{job}' was not found."),
    )
}

/// A random id of the kind Graph gives app role assignments: 43 base64url characters.
fn assignment_id() -> String {
    use base64::Engine as _;
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn str_of<'a>(object: &'a Object, name: &str) -> &'a str {
    object.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// The secret `key` from a list of pairs.
fn secret<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn pairs_of(values: Option<&Value>) -> Vec<(String, String)> {
    values
        .and_then(Value::as_array)
        .map(|items| items.iter().map(|item| (str_of_value(item, "key"), str_of_value(item, "value"))).collect())
        .unwrap_or_default()
}

fn str_of_value(value: &Value, name: &str) -> String {
    value.get(name).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// The application and service principal of a cross-tenant synchronization configuration (A.1).
fn instantiate_objects(tenant_id: &str, display_name: &str) -> (Object, Object) {
    let application_id = uuid::Uuid::new_v4().to_string();
    let app_id = uuid::Uuid::new_v4().to_string();
    let sp_id = uuid::Uuid::new_v4().to_string();
    let role_id = uuid::Uuid::new_v4().to_string();
    let scope_id = uuid::Uuid::new_v4().to_string();
    let homepage = "https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=aad2aadsync|ISV9.1|primary|z";
    let app_role = json!({
        "allowedMemberTypes": ["User"], "description": "msiam_access", "displayName": "msiam_access",
        "id": role_id, "isEnabled": true, "origin": "Application", "value": null,
    });
    let scope = json!({
        "adminConsentDescription": format!("Allow the application to access {display_name} on behalf of the signed-in user."),
        "adminConsentDisplayName": format!("Access {display_name}"),
        "id": scope_id, "isEnabled": true, "type": "User",
        "userConsentDescription": format!("Allow the application to access {display_name} on your behalf."),
        "userConsentDisplayName": format!("Access {display_name}"),
        "value": "user_impersonation",
    });
    let info = json!({
        "logoUrl": null, "marketingUrl": null, "privacyStatementUrl": null, "supportUrl": null, "termsOfServiceUrl": null,
    });
    let verified_publisher = json!({"addedDateTime": null, "displayName": null, "verifiedPublisherId": null});
    let application = json!({
        "id": application_id, "appId": app_id, "applicationTemplateId": CROSS_TENANT_SYNC_TEMPLATE_ID,
        "createdDateTime": now_rfc3339(), "deletedDateTime": null, "displayName": display_name, "description": null,
        "groupMembershipClaims": null, "identifierUris": [], "isFallbackPublicClient": false,
        "signInAudience": "AzureADMyOrg", "tags": [], "tokenEncryptionKeyId": null, "defaultRedirectUri": null,
        "optionalClaims": null, "addIns": [],
        "api": {
            "acceptMappedClaims": null, "knownClientApplications": [], "requestedAccessTokenVersion": null,
            "oauth2PermissionScopes": [scope], "preAuthorizedApplications": [],
        },
        "appRoles": [app_role], "info": info, "keyCredentials": [],
        "parentalControlSettings": {"countriesBlockedForMinors": [], "legalAgeGroupRule": "Allow"},
        "passwordCredentials": [], "publicClient": {"redirectUris": []}, "requiredResourceAccess": [],
        "verifiedPublisher": verified_publisher,
        "web": {"homePageUrl": homepage, "redirectUris": [], "logoutUrl": null},
    });
    let service_principal = json!({
        "id": sp_id, "deletedDateTime": null, "accountEnabled": true, "appId": app_id,
        "applicationTemplateId": CROSS_TENANT_SYNC_TEMPLATE_ID, "appDisplayName": display_name, "alternativeNames": [],
        "appOwnerOrganizationId": tenant_id, "displayName": display_name, "appRoleAssignmentRequired": true,
        "loginUrl": null, "logoutUrl": null, "homepage": homepage, "notificationEmailAddresses": [],
        "preferredSingleSignOnMode": null, "preferredTokenSigningKeyThumbprint": null, "replyUrls": [],
        "servicePrincipalNames": [app_id], "servicePrincipalType": "Application",
        "tags": ["WindowsAzureActiveDirectoryIntegratedApp"], "tokenEncryptionKeyId": null,
        "samlSingleSignOnSettings": null, "addIns": [], "appRoles": [app_role], "info": info, "keyCredentials": [],
        "oauth2PermissionScopes": [scope], "passwordCredentials": [], "verifiedPublisher": verified_publisher,
    });
    let as_object = |value: Value| match value {
        Value::Object(map) => map,
        _ => Object::new(),
    };
    (as_object(application), as_object(service_principal))
}

/// Why a cross-tenant connection test fails, if it does (A.2.2). `None` means every policy allows it.
///
/// The source tenant's partner configuration for the target needs automatic user consent outbound; the target
/// tenant's partner configuration for the source needs automatic user consent inbound and an identity
/// synchronization policy with `userSyncInbound.isSyncAllowed`. Partners that do not exist inherit the default
/// configuration, whose automatic consent is always false.
fn connection_problem(service: &Service, source: &Tenant, target_id: &str) -> Option<(String, String)> {
    const CODE: &str = "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure";
    const HELP: &str = "aka.ms/TroubleshootingCrossTenantSyncPolicyCheck";
    let source_id = source.id();
    let consent = |partner: Option<&Object>, direction: &str| {
        partner
            .and_then(|p| p.get("automaticUserConsentSettings"))
            .and_then(|c| c.get(direction))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let source_policy = source.policy();
    let mut problems = Vec::new();
    if !consent(source_policy.partners.get(target_id), "outboundAllowed") {
        problems.push(format!(
            "The source tenant has not enabled automatic user consent with the target tenant. Please enable the \
             outbound cross-tenant access policy for automatic user consent in the source tenant. (Source tenant \
             {source_id}: its partner configuration for {target_id} needs automaticUserConsentSettings.outboundAllowed \
             = true.)"
        ));
    }
    let Some(target) = service.tenant(target_id) else {
        let known = crate::directory::find_by_id(&service.directory(), target_id).is_some();
        if !known {
            return Some((
                "ExternalTenantNotFound".to_owned(),
                format!("This tenant was not found by the authentication authority of the current cloud: {target_id}."),
            ));
        }
        // A tenant the lookup functions know but the emulator does not host has no policy allowing anything.
        problems.push(format!(
            "The target tenant has not enabled inbound synchronization with this tenant. Please request the target \
             tenant admin to enable the inbound synchronization on their cross-tenant access policy. (Tenant \
             {target_id} is not emulated, so it allows nothing.)"
        ));
        return Some((CODE.to_owned(), format!("{} Learn more: {HELP}", problems.join(" "))));
    };
    let target_policy = target.policy();
    let partner = target_policy.partners.get(source_id);
    let sync_allowed = target_policy
        .sync
        .get(source_id)
        .and_then(|s| s.get("userSyncInbound"))
        .and_then(|u| u.get("isSyncAllowed"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut missing = Vec::new();
    if partner.is_none() {
        missing.push(format!("a partner configuration for {source_id}"));
    }
    if !consent(partner, "inboundAllowed") {
        missing.push("automaticUserConsentSettings.inboundAllowed = true".to_owned());
    }
    if !sync_allowed {
        missing.push("an identitySynchronization policy with userSyncInbound.isSyncAllowed = true".to_owned());
    }
    if !missing.is_empty() {
        problems.push(format!(
            "The target tenant has not enabled inbound synchronization with this tenant. Please request the target \
             tenant admin to enable the inbound synchronization on their cross-tenant access policy. (Target tenant \
             {target_id} needs {} for source tenant {source_id}.)",
            missing.join(", ")
        ));
    }
    if problems.is_empty() {
        None
    } else {
        Some((CODE.to_owned(), format!("{} Learn more: {HELP}", problems.join(" "))))
    }
}

/// `schemaInvalid` checks of a schema PUT (A.5.3, A.5.4): the matching mapping of every user object mapping stays
/// as the template has it, no other mapping matches, and scoping filters use known operators.
fn check_schema(schema: &Value) -> Result<(), GraphError> {
    let invalid = |message: String| GraphError::new(StatusCode::BAD_REQUEST, "schemaInvalid", message);
    let operators: Vec<String> =
        filter_operators().iter().filter_map(|o| o["name"].as_str().map(str::to_owned)).collect();
    let expected = matching_mapping();
    let rules = schema.get("synchronizationRules").and_then(Value::as_array).cloned().unwrap_or_default();
    for rule in &rules {
        let mappings = rule.get("objectMappings").and_then(Value::as_array).cloned().unwrap_or_default();
        for object_mapping in &mappings {
            let name = object_mapping["name"].as_str().unwrap_or_default();
            let attributes =
                object_mapping.get("attributeMappings").and_then(Value::as_array).cloned().unwrap_or_default();
            if object_mapping["sourceObjectName"] == "User" {
                let matching = attributes.iter().find(|m| m["targetAttributeName"] == MATCHING_ATTRIBUTE);
                let unchanged = matching.is_some_and(|m| {
                    m["source"] == expected["source"] && m["matchingPriority"] == expected["matchingPriority"]
                });
                if !unchanged {
                    return Err(invalid(format!(
                        "schemaInvalid: the matching attribute mapping AltSecIdFromNetId([netId]) -> \
                         {MATCHING_ATTRIBUTE} of object mapping '{name}' cannot be changed or removed."
                    )));
                }
            }
            for mapping in &attributes {
                let priority = mapping["matchingPriority"].as_i64().unwrap_or(0);
                if priority > 0 && mapping["targetAttributeName"] != MATCHING_ATTRIBUTE {
                    return Err(invalid(format!(
                        "schemaInvalid: '{}' cannot be a matching attribute (matchingPriority {priority}); only \
                         {MATCHING_ATTRIBUTE} matches users.",
                        mapping["targetAttributeName"].as_str().unwrap_or_default()
                    )));
                }
            }
            let groups = ["groups", "categoryFilterGroups", "inputFilterGroups"]
                .iter()
                .filter_map(|g| object_mapping["scope"].get(*g).and_then(Value::as_array))
                .flatten();
            for group in groups {
                for clause in group.get("clauses").and_then(Value::as_array).into_iter().flatten() {
                    let operator = clause["operatorName"].as_str().unwrap_or_default();
                    if !operators.iter().any(|o| o == operator) {
                        return Err(invalid(format!(
                            "schemaInvalid: unknown scoping filter operator '{operator}' in object mapping '{name}'; \
                             GET .../schema/filterOperators lists the operators."
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

impl Service {
    /// Handles a request of this module.
    pub(crate) fn provisioning(
        &self,
        route: &Route,
        request: &GraphRequest,
        _caller: &Caller,
    ) -> Result<GraphResponse, GraphError> {
        let tenant = self.tenant_of(request);
        let method = &request.method;
        let supported = match route {
            _ if *method != Method::GET => Supported { select: false, expand: false, paging: false },
            Route::Users
            | Route::Groups
            | Route::Applications
            | Route::ServicePrincipals
            | Route::AppRoleAssignedTo(_)
            | Route::SyncJobs(_) => Supported { select: true, expand: false, paging: true },
            Route::User(_)
            | Route::Group(_)
            | Route::Application(_)
            | Route::ServicePrincipal(_)
            | Route::AppRoleAssignment(..)
            | Route::SyncJob(..) => Supported { select: true, expand: false, paging: false },
            _ => Supported { select: false, expand: false, paging: false },
        };
        let options = if *method == Method::GET { self.query(request, supported)? } else { QueryOptions::default() };
        match route {
            Route::Users | Route::Groups => {
                let objects = tenant.objects();
                let (items, path, ty) = if *route == Route::Users {
                    (&objects.users, "users", "user")
                } else {
                    (&objects.groups, "groups", "group")
                };
                listing(request, &options, path, ty, items.values().collect())
            }
            Route::User(id) | Route::Group(id) => {
                let objects = tenant.objects();
                let (items, path, ty) = if matches!(route, Route::User(_)) {
                    (&objects.users, "users", "user")
                } else {
                    (&objects.groups, "groups", "group")
                };
                let object = items.get(id).ok_or_else(|| missing(id))?;
                entity_get(request, &options, path, ty, object)
            }
            Route::Instantiate(template) => self.instantiate(request, tenant, template),
            Route::Applications => {
                let objects = tenant.objects();
                listing(request, &options, "applications", "application", objects.applications.values().collect())
            }
            Route::Application(id) if *method == Method::GET => {
                let objects = tenant.objects();
                let application = objects.applications.get(id).ok_or_else(|| missing(id))?;
                entity_get(request, &options, "applications", "application", application)
            }
            Route::Application(id) if *method == Method::PATCH => {
                let name = self.display_name_patch(request)?;
                let mut objects = tenant.objects();
                let application = objects.applications.get_mut(id).ok_or_else(|| missing(id))?;
                application.insert("displayName".to_owned(), Value::String(name));
                Ok(GraphResponse::no_content())
            }
            Route::Application(id) => {
                // Deleting an application deletes its service principal (A.6).
                let mut objects = tenant.objects();
                let application = objects.applications.remove(id).ok_or_else(|| missing(id))?;
                let app_id = str_of(&application, "appId").to_owned();
                let principals: Vec<String> = objects
                    .service_principals
                    .iter()
                    .filter(|(_, sp)| str_of(sp, "appId") == app_id)
                    .map(|(id, _)| id.clone())
                    .collect();
                for sp in principals {
                    objects.remove_service_principal(&sp);
                }
                Ok(GraphResponse::no_content())
            }
            Route::ServicePrincipals => {
                let objects = tenant.objects();
                let visible = objects
                    .service_principals
                    .iter()
                    .filter(|(id, _)| objects.service_principal_visible(id))
                    .map(|(_, sp)| sp)
                    .collect();
                listing(request, &options, "servicePrincipals", "servicePrincipal", visible)
            }
            Route::ServicePrincipal(id) if *method == Method::GET => {
                let objects = tenant.objects();
                entity_get(request, &options, "servicePrincipals", "servicePrincipal", visible_sp(&objects, id)?)
            }
            Route::ServicePrincipal(id) if *method == Method::PATCH => {
                let name = self.display_name_patch(request)?;
                let mut objects = tenant.objects();
                visible_sp(&objects, id)?;
                if let Some(principal) = objects.service_principals.get_mut(id) {
                    principal.insert("displayName".to_owned(), Value::String(name));
                }
                Ok(GraphResponse::no_content())
            }
            Route::ServicePrincipal(id) => {
                let mut objects = tenant.objects();
                visible_sp(&objects, id)?;
                objects.remove_service_principal(id);
                Ok(GraphResponse::no_content())
            }
            Route::AppRoleAssignedTo(sp) if *method == Method::GET => {
                // Graph pages directory-object collections even when the client sends no `$top` (100 by default,
                // [INF]); this one pages at the emulator's page size then, so a client must follow the next links.
                let mut options = options;
                options.top = options.top.or(Some(lock(&self.behaviour).page_size));
                let objects = tenant.objects();
                visible_sp(&objects, sp)?;
                let items = objects.assignments.get(sp).map(|a| a.iter().collect()).unwrap_or_default();
                let path = format!("servicePrincipals('{sp}')/appRoleAssignedTo");
                listing(request, &options, &path, "appRoleAssignment", items)
            }
            Route::AppRoleAssignedTo(sp) => self.assign(request, tenant, sp),
            Route::AppRoleAssignment(sp, id) => {
                let mut objects = tenant.objects();
                visible_sp(&objects, sp)?;
                let assignments = objects.assignments.entry(sp.clone()).or_default();
                let index = assignments.iter().position(|a| str_of(a, "id") == id).ok_or_else(|| missing(id))?;
                if *method == Method::GET {
                    let path = format!("servicePrincipals('{sp}')/appRoleAssignedTo");
                    return entity_get(request, &options, &path, "appRoleAssignment", &assignments[index]);
                }
                assignments.remove(index);
                Ok(GraphResponse::no_content())
            }
            Route::SyncTemplates(sp) => {
                let objects = tenant.objects();
                let principal = visible_sp(&objects, sp)?;
                let mut templates = Vec::new();
                if str_of(principal, "applicationTemplateId") == CROSS_TENANT_SYNC_TEMPLATE_ID {
                    // The template object of Azure2Azure is not public (open question 3): factoryTag and metadata
                    // are the emulator's choice.
                    templates.push(Json::from_value(&json!({
                        "id": AZURE2AZURE,
                        "applicationId": str_of(principal, "appId"),
                        "default": true,
                        "description": null,
                        "discoverable": true,
                        "factoryTag": AZURE2AZURE,
                        "metadata": [],
                    })));
                }
                Ok(collection(request, &format!("servicePrincipals('{sp}')/synchronization/templates"), templates))
            }
            Route::SyncTemplateSchema(sp, template) => {
                let objects = tenant.objects();
                let principal = visible_sp(&objects, sp)?;
                if template != AZURE2AZURE
                    || str_of(principal, "applicationTemplateId") != CROSS_TENANT_SYNC_TEMPLATE_ID
                {
                    return Err(missing(template));
                }
                // The schema a new job starts from; its rule id is fixed (the emulator's choice: each job's own rule
                // gets a fresh id).
                let schema = default_schema(AZURE2AZURE, TEMPLATE_RULE_ID);
                let context = format!(
                    "{}/{}/$metadata#servicePrincipals('{sp}')/synchronization/templates('{template}')/schema/$entity",
                    request.base,
                    request.version.as_str()
                );
                Ok(GraphResponse::json(
                    StatusCode::OK,
                    Json::from_value(&schema).with_leading("@odata.context", Json::str(context)),
                ))
            }
            Route::SyncSecrets(sp) if *method == Method::GET => {
                let objects = tenant.objects();
                visible_sp(&objects, sp)?;
                let secrets = objects.synchronization.get(sp).map(|s| s.secrets.clone()).unwrap_or_default();
                let items = secrets
                    .iter()
                    .map(|(key, value)| {
                        let shown = if MASKED_SECRETS.contains(&key.as_str()) { "*" } else { value.as_str() };
                        Json::object([("key", Json::str(key)), ("value", Json::str(shown))])
                    })
                    .collect();
                Ok(collection(request, &format!("servicePrincipals('{sp}')/synchronization/secrets"), items))
            }
            Route::SyncSecrets(sp) => {
                let body = self.read_body(request, &SECRETS_BODY)?;
                let pairs = pairs_of(body.get("value"));
                let mut objects = tenant.objects();
                visible_sp(&objects, sp)?;
                let secrets = &mut objects.synchronization.entry(sp.clone()).or_default().secrets;
                // Merge by key; an empty value removes the key (A.2.3, the way azuread deletes secrets).
                for (key, value) in pairs {
                    match secrets.iter().position(|(k, _)| *k == key) {
                        Some(index) if value.is_empty() => {
                            secrets.remove(index);
                        }
                        Some(index) => secrets[index].1 = value,
                        None if value.is_empty() => {}
                        None => secrets.push((key, value)),
                    }
                }
                Ok(GraphResponse::no_content())
            }
            Route::SyncJobs(sp) if *method == Method::GET => {
                let objects = tenant.objects();
                visible_sp(&objects, sp)?;
                let jobs = objects
                    .synchronization
                    .get(sp)
                    .map(|s| s.jobs.values().map(|j| &j.job).collect())
                    .unwrap_or_default();
                let path = format!("servicePrincipals('{sp}')/synchronization/jobs");
                listing(request, &options, &path, "synchronizationJob", jobs)
            }
            Route::SyncJobs(sp) => self.create_job(request, tenant, sp),
            Route::SyncValidate(sp) => self.validate_credentials(request, tenant, sp, None),
            Route::SyncJob(sp, job) => {
                let mut objects = tenant.objects();
                visible_sp(&objects, sp)?;
                if *method == Method::GET {
                    let job = objects.job_mut(sp, job).ok_or_else(|| job_not_found(job))?;
                    let path = format!("servicePrincipals('{sp}')/synchronization/jobs");
                    return entity_get(request, &options, &path, "synchronizationJob", &job.job);
                }
                let removed = objects.synchronization.get_mut(sp).and_then(|s| s.jobs.remove(job));
                removed.map(|_| GraphResponse::no_content()).ok_or_else(|| job_not_found(job))
            }
            Route::SyncJobAction(sp, job, JobAction::ValidateCredentials) => {
                {
                    let mut objects = tenant.objects();
                    visible_sp(&objects, sp)?;
                    objects.job_mut(sp, job).ok_or_else(|| job_not_found(job))?;
                }
                self.validate_credentials(request, tenant, sp, Some(job))
            }
            Route::SyncJobAction(sp, job, action) => {
                let criteria = if *action == JobAction::Restart && !request.body.iter().all(u8::is_ascii_whitespace) {
                    Some(self.read_body(request, &RESTART)?)
                } else {
                    self.empty_action_body(request)?;
                    None
                };
                let mut objects = tenant.objects();
                visible_sp(&objects, sp)?;
                let job = objects.job_mut(sp, job).ok_or_else(|| job_not_found(job))?;
                match action {
                    JobAction::Start => job.start(),
                    JobAction::Pause => job.pause(),
                    _ => {
                        let scope = criteria
                            .as_ref()
                            .and_then(|c| c.get("criteria"))
                            .and_then(|c| c.get("resetScope"))
                            .and_then(Value::as_str)
                            .unwrap_or("Full")
                            .to_owned();
                        if scope.split(',').map(str::trim).any(|f| f == "QuarantineState" || f == "Full") {
                            job.clear_quarantine();
                        }
                    }
                }
                Ok(GraphResponse::no_content())
            }
            Route::SyncSchema(sp, job) => {
                if *method == Method::PATCH {
                    // The service has no PATCH for the schema; Graph passes on its plain 404 (A.5.1).
                    let uri = format!(
                        "https://syncfabric.windowsazure.com/api/servicePrincipals('{sp}')/synchronization/jobs('{job}')/schema?api-version=2.0"
                    );
                    let message = format!("No HTTP resource was found that matches the request URI '{uri}'.");
                    return Ok(GraphResponse::json(
                        StatusCode::NOT_FOUND,
                        Json::object([("Message", Json::str(message))]),
                    ));
                }
                let body = if *method == Method::PUT {
                    let value = Value::Object(self.read_body(request, &SCHEMA)?);
                    check_schema(&value)?;
                    Some(value)
                } else {
                    None
                };
                let mut objects = tenant.objects();
                visible_sp(&objects, sp)?;
                let stored = objects.job_mut(sp, job).ok_or_else(|| job_not_found(job))?;
                match body {
                    None => {
                        let context = format!(
                            "{}/{}/$metadata#servicePrincipals('{sp}')/synchronization/jobs('{job}')/schema/$entity",
                            request.base,
                            request.version.as_str()
                        );
                        Ok(GraphResponse::json(
                            StatusCode::OK,
                            Json::from_value(&stored.schema).with_leading("@odata.context", Json::str(context)),
                        ))
                    }
                    Some(Value::Object(mut replacement)) => {
                        // Full replace (A.5.1). The id is the job's; directories left out keep their definitions.
                        replacement.insert("id".to_owned(), Value::String(job.clone()));
                        if !replacement.contains_key("directories") {
                            replacement.insert("directories".to_owned(), stored.schema["directories"].clone());
                        }
                        for name in ["version", "synchronizationRules"] {
                            replacement.entry(name.to_owned()).or_insert(Value::Null);
                        }
                        stored.schema = Value::Object(replacement);
                        Ok(GraphResponse::no_content())
                    }
                    Some(_) => Err(GraphError::gateway_bad_request("The schema must be a JSON object.")),
                }
            }
            Route::FilterOperators(sp, job) => {
                let mut objects = tenant.objects();
                visible_sp(&objects, sp)?;
                objects.job_mut(sp, job).ok_or_else(|| job_not_found(job))?;
                let items = filter_operators().iter().map(Json::from_value).collect();
                Ok(collection(request, "Collection(microsoft.graph.filterOperatorSchema)", items))
            }
        }
    }

    /// The new display name of a `PATCH` of an application or a service principal: a non-blank string, as Graph
    /// requires (`displayName` is required on both types).
    fn display_name_patch(&self, request: &GraphRequest) -> Result<String, GraphError> {
        let body = self.read_body(request, &DISPLAY_NAME_PATCH)?;
        match body.get("displayName") {
            Some(Value::String(name)) if !name.trim().is_empty() => Ok(name.clone()),
            _ => Err(GraphError::bad_request("The property 'displayName' is required and cannot be empty.")),
        }
    }

    fn instantiate(
        &self,
        request: &GraphRequest,
        tenant: &Tenant,
        template: &str,
    ) -> Result<GraphResponse, GraphError> {
        let body = self.read_body(request, &INSTANTIATE)?;
        if template != CROSS_TENANT_SYNC_TEMPLATE_ID {
            return Err(missing(template));
        }
        let display_name = match body.get("displayName") {
            Some(Value::String(name)) if !name.trim().is_empty() => name.clone(),
            _ => return Err(GraphError::bad_request("The parameter 'displayName' is required and cannot be empty.")),
        };
        let (application, service_principal) = instantiate_objects(tenant.id(), &display_name);
        let lag = lock(&self.faults).faults.service_principal_lag_ms;
        {
            let mut objects = tenant.objects();
            let sp_id = str_of(&service_principal, "id").to_owned();
            if lag > 0 {
                objects.visible_at.insert(sp_id.clone(), Instant::now() + Duration::from_millis(lag));
            }
            objects.applications.insert(str_of(&application, "id").to_owned(), application.clone());
            objects.service_principals.insert(sp_id, service_principal.clone());
        }
        let context = context(request, "microsoft.graph.applicationServicePrincipal");
        Ok(GraphResponse::json(
            StatusCode::CREATED,
            Json::object([
                ("@odata.context", context),
                ("application", render(&application)),
                ("servicePrincipal", render(&service_principal)),
            ]),
        ))
    }

    fn create_job(&self, request: &GraphRequest, tenant: &Tenant, sp: &str) -> Result<GraphResponse, GraphError> {
        let body = self.read_body(request, &JOB_BODY)?;
        let template = body.get("templateId").and_then(Value::as_str).unwrap_or_default().to_owned();
        let mut objects = tenant.objects();
        let principal = visible_sp(&objects, sp)?;
        if template != AZURE2AZURE || str_of(principal, "applicationTemplateId") != CROSS_TENANT_SYNC_TEMPLATE_ID {
            return Err(GraphError::bad_request(format!(
                "The templateId '{template}' does not match any synchronization template of this service principal; \
                 GET .../synchronization/templates lists them."
            )));
        }
        // `<templateId>.<32 hex>.<guid>` [INF]: the tenant id without dashes, then a per-job id.
        let id = format!("{AZURE2AZURE}.{}.{}", tenant.id().replace('-', ""), uuid::Uuid::new_v4());
        let rule_id = uuid::Uuid::new_v4().to_string();
        let job = Job { job: new_job(&id, AZURE2AZURE, default_job_settings()), schema: default_schema(&id, &rule_id) };
        let rendered = render(&job.job);
        objects.synchronization.entry(sp.to_owned()).or_default().jobs.insert(id, job);
        let path = format!("servicePrincipals('{sp}')/synchronization/jobs/$entity");
        Ok(GraphResponse::json(StatusCode::CREATED, rendered.with_leading("@odata.context", context(request, &path))))
    }

    /// `validateCredentials`: 204 when the source's and the target's policies allow cross-tenant synchronization.
    fn validate_credentials(
        &self,
        request: &GraphRequest,
        tenant: &Tenant,
        sp: &str,
        job: Option<&str>,
    ) -> Result<GraphResponse, GraphError> {
        let body = self.read_body(request, &VALIDATE_CREDENTIALS)?;
        let saved = {
            let objects = tenant.objects();
            visible_sp(&objects, sp)?;
            objects.synchronization.get(sp).map(|s| s.secrets.clone()).unwrap_or_default()
        };
        if job.is_none() {
            let template = body.get("templateId").and_then(Value::as_str).unwrap_or_default();
            if template != AZURE2AZURE {
                return Err(GraphError::bad_request(format!(
                    "The templateId '{template}' does not match any synchronization template of this service principal."
                )));
            }
        }
        let use_saved = body.get("useSavedCredentials").and_then(Value::as_bool).unwrap_or(false);
        let credentials = if use_saved { saved } else { pairs_of(body.get("credentials")) };
        let Some(target) = secret(&credentials, "CompanyId").filter(|c| !c.is_empty()) else {
            return Err(GraphError::bad_request(
                "The credentials must name the target tenant: key 'CompanyId' with the target tenant id.",
            ));
        };
        if secret(&credentials, "AuthenticationType") != Some("SyncPolicy") {
            return Err(GraphError::bad_request(
                "Cross-tenant synchronization authenticates with the cross-tenant synchronization policy: key \
                 'AuthenticationType' must be 'SyncPolicy'.",
            ));
        }
        if !crate::odata::is_guid(target) {
            return Err(GraphError::bad_request(format!("The CompanyId '{target}' is not a tenant id (GUID).")));
        }
        match connection_problem(self, tenant, &target.to_ascii_lowercase()) {
            None => Ok(GraphResponse::no_content()),
            Some((code, message)) => Err(GraphError::new(StatusCode::BAD_REQUEST, &code, message)),
        }
    }

    fn assign(&self, request: &GraphRequest, tenant: &Tenant, sp: &str) -> Result<GraphResponse, GraphError> {
        let mut body = self.read_body(request, &APP_ROLE_ASSIGNMENT)?;
        for read_only in ["id", "deletedDateTime", "createdDateTime", "principalDisplayName", "resourceDisplayName"] {
            if body.remove(read_only).is_some() {
                return Err(GraphError::bad_request(format!("Property '{read_only}' is read-only and cannot be set.")));
            }
        }
        let field = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        let (role, principal_id, resource) = (field("appRoleId"), field("principalId"), field("resourceId"));
        let mut objects = tenant.objects();
        let principal_sp = visible_sp(&objects, sp)?.clone();
        if resource != sp {
            return Err(GraphError::bad_request(format!(
                "The resourceId '{resource}' must be the service principal of the request URL ('{sp}')."
            )));
        }
        let role_exists = principal_sp.get("appRoles").and_then(Value::as_array).is_some_and(|roles| {
            roles.iter().any(|r| r["id"].as_str().is_some_and(|id| id.eq_ignore_ascii_case(&role)))
        });
        if !role_exists {
            return Err(GraphError::bad_request(format!(
                "Permission being assigned was not found on application '{}'.",
                str_of(&principal_sp, "appId")
            )));
        }
        let (principal_type, principal) = if let Some(user) = objects.users.get(&principal_id) {
            ("User", user)
        } else if let Some(group) = objects.groups.get(&principal_id) {
            ("Group", group)
        } else {
            return Err(missing(&principal_id));
        };
        let principal_name = str_of(principal, "displayName").to_owned();
        let assignments = objects.assignments.entry(sp.to_owned()).or_default();
        if assignments.iter().any(|a| str_of(a, "principalId") == principal_id && str_of(a, "appRoleId") == role) {
            return Err(GraphError::bad_request("Permission being assigned already exists on the object."));
        }
        let assignment = match json!({
            "id": assignment_id(),
            "deletedDateTime": null,
            "appRoleId": role,
            "createdDateTime": now_rfc3339(),
            "principalDisplayName": principal_name,
            "principalId": principal_id,
            "principalType": principal_type,
            "resourceDisplayName": str_of(&principal_sp, "displayName"),
            "resourceId": sp,
        }) {
            Value::Object(map) => map,
            _ => Object::new(),
        };
        assignments.push(assignment.clone());
        let path = format!("servicePrincipals('{sp}')/appRoleAssignedTo");
        Ok(entity(request, StatusCode::CREATED, &path, &assignment))
    }
}
