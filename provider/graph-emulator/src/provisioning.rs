//! Directory objects and cross-tenant synchronization in the source tenant (graph-sync-and-mto.md Part A): users
//! and groups, applications and service principals (template instantiate), synchronization templates, jobs, secrets
//! and schema, the connection test (`validateCredentials`) and `appRoleAssignedTo`.
//!
//! Every handler works on the caller's tenant ([`Service::tenant_of`]); the connection test also reads the target
//! tenant's cross-tenant access policy (see the `tenant` module).

use http::{Method, StatusCode};

use crate::auth::Caller;
use crate::config::{ROLE_APPLICATION_READ_ALL, ROLE_APPLICATION_READ_WRITE_ALL, ROLE_DIRECTORY_READ_ALL};
use crate::error::GraphError;
use crate::graph::{GraphRequest, GraphResponse};
use crate::json::Json;
use crate::odata::Supported;
use crate::service::Service;
use crate::store::Object;

/// A route of this module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Users,
    User(String),
    Groups,
    Group(String),
}

/// Matches a segment case-insensitively (Graph's segments are case-insensitive).
fn is(segment: &str, name: &str) -> bool {
    segment.eq_ignore_ascii_case(name)
}

/// Parses the (percent-decoded) segments of a path into a route, `Ok(None)` when the path belongs elsewhere.
pub(crate) fn parse_path(s: &[&str]) -> Result<Option<Route>, GraphError> {
    let not_found =
        |segment: &str| GraphError::gateway_bad_request(format!("Resource not found for the segment '{segment}'."));
    let Some(first) = s.first() else { return Ok(None) };
    let route = if is(first, "users") {
        match &s[1..] {
            [] => Route::Users,
            [id] => Route::User(id.to_ascii_lowercase()),
            [_, segment, ..] => return Err(not_found(segment)),
        }
    } else if is(first, "groups") {
        match &s[1..] {
            [] => Route::Groups,
            [id] => Route::Group(id.to_ascii_lowercase()),
            [_, segment, ..] => return Err(not_found(segment)),
        }
    } else {
        return Ok(None);
    };
    Ok(Some(route))
}

impl Route {
    /// The route template used in statistics and fault filters.
    pub(crate) fn template(&self) -> &'static str {
        match self {
            Route::Users => "/users",
            Route::User(_) => "/users/{id}",
            Route::Groups => "/groups",
            Route::Group(_) => "/groups/{id}",
        }
    }

    /// The methods the route supports.
    pub(crate) fn methods(&self) -> &'static [Method] {
        const GET: &[Method] = &[Method::GET];
        match self {
            Route::Users | Route::User(_) | Route::Groups | Route::Group(_) => GET,
        }
    }

    /// The application permissions of which the caller needs one (graph-sync-and-mto.md A.7).
    pub(crate) fn roles(&self, _write: bool) -> &'static [&'static str] {
        match self {
            Route::Users | Route::User(_) | Route::Groups | Route::Group(_) => {
                &[ROLE_DIRECTORY_READ_ALL, ROLE_APPLICATION_READ_ALL, ROLE_APPLICATION_READ_WRITE_ALL]
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
    Json::from_value(&serde_json::Value::Object(object.clone()))
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
        let no_options = Supported { select: false, expand: false, paging: false };
        match route {
            Route::Users | Route::Groups => {
                self.query(request, no_options)?;
                let objects = tenant.objects();
                let (items, path) =
                    if *route == Route::Users { (&objects.users, "users") } else { (&objects.groups, "groups") };
                Ok(collection(request, path, items.values().map(render).collect()))
            }
            Route::User(id) | Route::Group(id) => {
                self.query(request, no_options)?;
                let objects = tenant.objects();
                let (items, path) = if matches!(route, Route::User(_)) {
                    (&objects.users, "users")
                } else {
                    (&objects.groups, "groups")
                };
                let object = items.get(id).ok_or_else(|| GraphError::not_found(id))?;
                Ok(entity(request, StatusCode::OK, path, object))
            }
        }
    }
}
