//! The Graph endpoints E1–E22 (graph-api.md §1–§2), the beta deleted-items endpoints (§9) and `$batch` (§8.4).
//!
//! A request goes through [`Service::execute`]: route, statistics, permission check, faults that answer instead of
//! the handler (429, 503, 504, write lock), then the handler. Handlers read the lag-visible state and write through
//! [`Service::write`], which validates against the true current state and commits a new version.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use http::{HeaderMap, Method, StatusCode};
use serde_json::{Map, Value};

use crate::auth::Caller;
use crate::config::{DefaultNullMode, MergeMode, ReadOnlyMode};
use crate::error::{GraphError, graph_date};
use crate::faults::{Injected, RequestFacts};
use crate::json::Json;
use crate::odata::{self, ApiVersion, QueryOptions, Resource, Supported};
use crate::rules;
use crate::schema::{self, ComplexType};
use crate::service::{Service, lock};
use crate::store::{self, Object, State};

/// The most sub-requests a `$batch` may hold.
pub const MAX_BATCH: usize = 20;

/// The legacy size cap of the whole policy (R21).
const POLICY_SIZE_CAP: usize = 25 * 1024;

/// The `Content-Type` Graph sends with JSON bodies.
pub(crate) const JSON_CONTENT_TYPE: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// A Graph request, after the HTTP layer took it apart.
#[derive(Clone, Debug)]
pub(crate) struct GraphRequest {
    pub(crate) method: Method,
    pub(crate) version: ApiVersion,
    /// The path after the version prefix, still percent-encoded.
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    /// Scheme and authority the client used, e.g. `https://127.0.0.1:8443`, for `@odata.context` and next links.
    pub(crate) base: String,
    /// The tenant whose data the request reaches: the tenant the caller's token was issued in (lowercase; empty
    /// when the caller is not authenticated, and then the request is refused before any handler runs).
    pub(crate) tenant: String,
}

/// A response body.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Body {
    Empty,
    Json(Json),
    /// Raw bytes with their content type (malformed-response faults).
    Raw {
        content_type: String,
        bytes: Vec<u8>,
    },
}

/// A Graph response before the HTTP layer adds the common headers.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GraphResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Body,
}

impl GraphResponse {
    pub(crate) fn json(status: StatusCode, body: Json) -> GraphResponse {
        GraphResponse { status, headers: Vec::new(), body: Body::Json(body) }
    }

    pub(crate) fn no_content() -> GraphResponse {
        GraphResponse { status: StatusCode::NO_CONTENT, headers: Vec::new(), body: Body::Empty }
    }
}

/// What to do with a request: answer it, or drop the connection without an answer.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Outcome {
    Respond(GraphResponse),
    DropConnection,
}

/// Request ids that go into error bodies and headers.
#[derive(Clone, Debug)]
pub(crate) struct RequestIds {
    pub(crate) request_id: String,
    pub(crate) client_request_id: String,
}

impl RequestIds {
    pub(crate) fn new(headers: &HeaderMap) -> RequestIds {
        let client_request_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        RequestIds { request_id: uuid::Uuid::new_v4().to_string(), client_request_id }
    }
}

/// Renders an error as a response.
pub(crate) fn error_response(error: &GraphError, ids: &RequestIds) -> GraphResponse {
    let date = graph_date(time::OffsetDateTime::now_utc());
    GraphResponse {
        status: error.status,
        headers: error.headers.clone(),
        body: Body::Json(error.body(&ids.request_id, &ids.client_request_id, &date)),
    }
}

/// The resource units a request costs (graph-api.md §8.2).
pub(crate) fn resource_units(method: &Method, query: Option<&str>) -> u32 {
    if method != Method::GET {
        return 1;
    }
    let options: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
        .collect();
    let has = |name: &str| options.iter().any(|(k, _)| k == name);
    let mut cost: i32 = 1;
    if has("$expand") {
        cost += 1;
    }
    if has("$select") {
        cost -= 1;
    }
    if options.iter().any(|(k, v)| k == "$top" && v.trim().parse::<u32>().is_ok_and(|n| n < 20)) {
        cost -= 1;
    }
    cost.max(1) as u32
}

/// Whether the method changes state.
fn is_write(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PATCH | Method::PUT | Method::DELETE)
}

impl Service {
    /// Handles one Graph request or `$batch` sub-request. `caller` is the outcome of authentication. Connection
    /// resets only apply at the top level (a sub-request cannot drop the connection on its own).
    pub(crate) fn execute(
        &self,
        request: &GraphRequest,
        caller: &Result<Caller, GraphError>,
        top_level: bool,
        ids: &RequestIds,
    ) -> Outcome {
        // Multi-tenant organization transitions that are due complete before the request sees any state.
        self.advance_mto();
        let parsed = odata::parse_path(&request.path);
        let template = parsed.as_ref().map(Resource::template).unwrap_or("(unmatched)");
        let write = is_write(&request.method) && parsed.as_ref().map_or(true, |r| *r != Resource::Batch);
        {
            let mut stats = lock(&self.stats);
            stats.total += 1;
            stats.record_route(format!("{} {template}", request.method));
            if write {
                stats.writes += 1;
            }
        }
        let respond = |error: GraphError| -> Outcome {
            let response = error_response(&error, ids);
            self.record_response(&response);
            Outcome::Respond(response)
        };
        let caller = match caller {
            Ok(caller) => caller,
            Err(error) => return respond(error.clone()),
        };
        let resource = match parsed {
            Ok(resource) => resource,
            Err(error) => return respond(error),
        };
        if resource.beta_only() && request.version != ApiVersion::Beta {
            return respond(GraphError::gateway_bad_request(format!(
                "Resource not found for the segment '{}'.",
                request.path.trim_start_matches('/').split('/').nth(1).unwrap_or_default()
            )));
        }
        if !resource.methods().contains(&request.method) {
            return respond(GraphError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "Request_BadRequest",
                format!("The HTTP method '{}' is not allowed on this resource.", request.method),
            ));
        }
        if resource == Resource::Batch {
            if !top_level {
                return respond(GraphError::gateway_bad_request("A $batch request cannot contain another $batch."));
            }
            let response = match self.batch(request, caller, ids) {
                Ok(response) => response,
                Err(error) => error_response(&error, ids),
            };
            self.record_response(&response);
            return Outcome::Respond(response);
        }
        if self.config.enforce_permissions {
            let lookup = matches!(resource, Resource::FindByDomain(_) | Resource::FindByTenantId(_));
            let permitted = match &resource {
                Resource::Provisioning(route) => caller.has_any(route.roles(write)),
                Resource::Mto(route) => caller.has_any(route.roles(write)),
                _ => caller.permitted(write, lookup),
            };
            if !permitted {
                return respond(GraphError::forbidden());
            }
        }
        let facts = RequestFacts {
            method: request.method.as_str(),
            route: template,
            is_write: write,
            resource_units: resource_units(&request.method, request.query.as_deref()),
        };
        let injected = lock(&self.faults).before_handling(facts);
        if let Some(injected) = injected {
            return respond(self.injected_error(injected, caller));
        }
        if top_level && lock(&self.faults).reset_before_write(facts) {
            lock(&self.stats).connection_resets += 1;
            return Outcome::DropConnection;
        }
        let response = match self.dispatch(&resource, request, caller) {
            Ok(response) => response,
            Err(error) => error_response(&error, ids),
        };
        if top_level && lock(&self.faults).reset_after_write(facts) {
            let mut stats = lock(&self.stats);
            stats.connection_resets += 1;
            if response.status.as_u16() < 400 {
                stats.record_status(response.status.as_u16());
            }
            return Outcome::DropConnection;
        }
        self.record_response(&response);
        Outcome::Respond(response)
    }

    fn record_response(&self, response: &GraphResponse) {
        let mut stats = lock(&self.stats);
        stats.record_status(response.status.as_u16());
        if response.status == StatusCode::TOO_MANY_REQUESTS {
            stats.throttled += 1;
        }
        let retry_after = response
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
            .and_then(|(_, value)| value.parse::<u64>().ok());
        if let Some(seconds) = retry_after {
            stats.retry_after_seconds = stats.retry_after_seconds.saturating_add(seconds);
        }
    }

    fn injected_error(&self, injected: Injected, caller: &Caller) -> GraphError {
        let with_retry_after = |error: GraphError, retry_after: Option<u64>| match retry_after {
            Some(seconds) => error.with_header("Retry-After", seconds.to_string()),
            None => error,
        };
        match injected {
            Injected::Throttled { retry_after, information } => {
                let mut error = GraphError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    "Too many requests. The application or tenant exceeded its resource limits; retry after the \
                     time given in the Retry-After header, or back off exponentially when it is absent.",
                );
                if lock(&self.faults).throttle_headers() {
                    error = error
                        .with_header(
                            "x-ms-throttle-scope",
                            format!("Tenant_Application/ReadWrite/{}/{}", caller.client_id, caller.tenant_id),
                        )
                        .with_header("x-ms-throttle-information", information);
                }
                with_retry_after(error, retry_after)
            }
            Injected::ServiceUnavailable { retry_after } => with_retry_after(
                GraphError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "serviceNotAvailable",
                    "The service is temporarily unavailable. Retry the request later.",
                ),
                retry_after,
            ),
            Injected::GatewayTimeout { retry_after } => with_retry_after(
                GraphError::new(
                    StatusCode::GATEWAY_TIMEOUT,
                    "gatewayTimeout",
                    "The gateway did not receive a timely response from the upstream service.",
                ),
                retry_after,
            ),
            Injected::WriteLocked { status, code, retry_after } => with_retry_after(
                GraphError::new(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                    &code,
                    "The cross-tenant access policy store is being migrated and cannot be changed right now. Wait a \
                     few moments and try again.",
                ),
                retry_after,
            ),
        }
    }

    fn dispatch(
        &self,
        resource: &Resource,
        request: &GraphRequest,
        caller: &Caller,
    ) -> Result<GraphResponse, GraphError> {
        let method = &request.method;
        match (resource, method) {
            (Resource::Policy, &Method::GET) => {
                self.get_singleton(request, &schema::POLICY, |s| &s.policy, "policies/crossTenantAccessPolicy")
            }
            (Resource::Policy, &Method::PATCH) => self.patch_policy(request),
            (Resource::Default, &Method::GET) => self.get_singleton(
                request,
                &schema::DEFAULT,
                |s| &s.default,
                "policies/crossTenantAccessPolicy/default",
            ),
            (Resource::Default, &Method::PATCH) => self.patch_default(request),
            (Resource::DefaultReset, _) => self.reset_default(request),
            (Resource::Partners, &Method::GET) => self.list_partners(request),
            (Resource::Partners, &Method::POST) => self.create_partner(request, caller),
            (Resource::Partner(key), &Method::GET) => self.get_partner(request, key),
            (Resource::Partner(key), &Method::PATCH) => self.patch_partner(request, key),
            (Resource::Partner(key), &Method::DELETE) => self.delete_partner(request, key),
            (Resource::PartnerSync(key), &Method::GET) => self.get_sync(request, key),
            (Resource::PartnerSync(key), &Method::PUT) => self.put_sync(request, key),
            (Resource::PartnerSync(key), &Method::PATCH) => self.patch_sync(request, key),
            (Resource::PartnerSync(key), &Method::DELETE) => self.delete_sync(request, key),
            (Resource::FindByDomain(domain), _) => self.find_tenant(request, Some(domain), None),
            (Resource::FindByTenantId(tenant_id), _) => self.find_tenant(request, None, Some(tenant_id)),
            (Resource::PartnerTemplate, &Method::GET) => self.get_singleton(
                request,
                &schema::PARTNER_TEMPLATE,
                |s| &s.partner_template,
                "policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration",
            ),
            (Resource::PartnerTemplate, &Method::PATCH) => self.patch_template(request, true),
            (Resource::PartnerTemplateReset, _) => self.reset_template(request, true),
            (Resource::SyncTemplate, &Method::GET) => self.get_singleton(
                request,
                &schema::SYNC_TEMPLATE,
                |s| &s.sync_template,
                "policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization",
            ),
            (Resource::SyncTemplate, &Method::PATCH) => self.patch_template(request, false),
            (Resource::SyncTemplateReset, _) => self.reset_template(request, false),
            (Resource::DeletedPartners, _) => self.list_deleted(request, true),
            (Resource::DeletedSyncPolicies, _) => self.list_deleted(request, false),
            (Resource::DeletedPartner(key), &Method::GET) => self.get_deleted(request, key, true),
            (Resource::DeletedSyncPolicy(key), &Method::GET) => self.get_deleted(request, key, false),
            (Resource::DeletedPartner(key), &Method::DELETE) => self.purge_deleted(request, key, true),
            (Resource::DeletedSyncPolicy(key), &Method::DELETE) => self.purge_deleted(request, key, false),
            (Resource::Provisioning(route), _) => self.provisioning(route, request, caller),
            (Resource::Mto(route), _) => self.mto(route, request),
            (Resource::DeletedPartnerRestore(key), _) => self.restore_deleted(request, key, true),
            (Resource::DeletedSyncPolicyRestore(key), _) => self.restore_deleted(request, key, false),
            _ => Err(GraphError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "Request_BadRequest",
                format!("The HTTP method '{method}' is not allowed on this resource."),
            )),
        }
    }

    // ----- helpers -----

    /// The state of the caller's tenant a read sees (read-after-write lag applies).
    fn read_state(&self, request: &GraphRequest) -> std::sync::Arc<State> {
        let lag = lock(&self.faults).lag();
        lock(&self.tenant_of(request).store).visible(lag)
    }

    /// Applies a write to a copy of the caller's tenant's current state and commits it as a new version.
    fn write<R>(
        &self,
        request: &GraphRequest,
        apply: impl FnOnce(&mut State, &mut store::Store) -> Result<R, GraphError>,
    ) -> Result<R, GraphError> {
        self.write_policy(self.tenant_of(request), apply)
    }

    /// Applies a write to a copy of `tenant`'s current cross-tenant access state and commits it as a new version,
    /// exactly as a Graph write in that tenant would (lag and the R21 size cap apply). Cross-tenant effects (a
    /// multi-tenant organization join changing the other tenant's partners) go through here.
    pub(crate) fn write_policy<R>(
        &self,
        tenant: &crate::tenant::Tenant,
        apply: impl FnOnce(&mut State, &mut store::Store) -> Result<R, GraphError>,
    ) -> Result<R, GraphError> {
        let lag = lock(&self.faults).lag();
        let size_cap = lock(&self.behaviour).rules.r21;
        let result = {
            let mut store = lock(&tenant.store);
            let mut state = (*store.current()).clone();
            let result = apply(&mut state, &mut store)?;
            if size_cap && state.policy_size() > POLICY_SIZE_CAP {
                return Err(GraphError::bad_request(
                    "The cross-tenant access policy would exceed the maximum size of 25 KB.",
                ));
            }
            store.commit(state, lag);
            result
        };
        lock(&self.stats).writes_applied += 1;
        Ok(result)
    }

    /// Parses a JSON request body.
    pub(crate) fn json_body(&self, request: &GraphRequest) -> Result<Value, GraphError> {
        if request.body.iter().all(u8::is_ascii_whitespace) {
            return Err(GraphError::gateway_bad_request("Empty Payload. JSON content expected."));
        }
        if self.config.require_json_content_type {
            let content_type = request.headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
            let is_json = content_type.is_some_and(|c| {
                c.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/json")
            });
            if !is_json {
                return Err(GraphError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UnsupportedMediaType",
                    "The request body must be JSON and the Content-Type header must be application/json.",
                ));
            }
        }
        serde_json::from_slice(&request.body).map_err(|_| {
            GraphError::gateway_bad_request(
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of \
                 valid JSON format.",
            )
        })
    }

    /// Reads a body of type `ty`.
    pub(crate) fn read_body(&self, request: &GraphRequest, ty: &ComplexType) -> Result<Object, GraphError> {
        let value = self.json_body(request)?;
        schema::read_object(&value, ty, self.strictness())
    }

    /// Rejects or drops read-only properties present in a write body.
    pub(crate) fn read_only(&self, body: &mut Object, names: &[&str]) -> Result<(), GraphError> {
        let mode = lock(&self.behaviour).read_only;
        for name in names {
            if body.contains_key(*name) {
                match mode {
                    ReadOnlyMode::Reject => {
                        return Err(GraphError::bad_request(format!(
                            "Property '{name}' is read-only and cannot be set."
                        )));
                    }
                    ReadOnlyMode::Ignore => {
                        body.remove(*name);
                    }
                }
            }
        }
        Ok(())
    }

    /// Applies a PATCH body to a stored object according to the merge mode.
    fn merge(&self, target: &mut Object, patch: &Object) {
        match lock(&self.behaviour).merge_mode {
            MergeMode::Replace => {
                for (name, value) in patch {
                    target.insert(name.clone(), value.clone());
                }
            }
            MergeMode::DeepMerge => schema::deep_merge(target, patch),
        }
    }

    /// An action with no parameters accepts an empty body or `{}`.
    pub(crate) fn empty_action_body(&self, request: &GraphRequest) -> Result<(), GraphError> {
        if request.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        static NO_PARAMETERS: ComplexType = ComplexType { name: "action parameters", properties: &[] };
        let value: Value = serde_json::from_slice(&request.body).map_err(|_| {
            GraphError::gateway_bad_request("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
        })?;
        schema::read_object(&value, &NO_PARAMETERS, schema::Strictness { exact_names: true, enum_members: true })?;
        Ok(())
    }

    pub(crate) fn query(&self, request: &GraphRequest, supported: Supported) -> Result<QueryOptions, GraphError> {
        odata::parse_query(request.query.as_deref(), supported)
    }

    /// `{base}/{version}/$metadata#{path}[(select)][/$entity]`.
    fn context(
        &self,
        request: &GraphRequest,
        path: &str,
        select: Option<&[String]>,
        expand: bool,
        entity: bool,
    ) -> String {
        let mut context = format!("{}/{}/$metadata#{path}", request.base, request.version.as_str());
        let mut parts: Vec<String> = select
            .unwrap_or_default()
            .iter()
            .filter(|name| !(expand && name.as_str() == "identitySynchronization"))
            .cloned()
            .collect();
        if expand {
            parts.push("identitySynchronization()".to_owned());
        }
        if !parts.is_empty() {
            context.push('(');
            context.push_str(&parts.join(","));
            context.push(')');
        }
        if entity {
            context.push_str("/$entity");
        }
        context
    }

    fn selected(
        &self,
        options: &QueryOptions,
        ty: &ComplexType,
        navigation: &[&str],
    ) -> Result<Option<Vec<String>>, GraphError> {
        options.select.as_ref().map(|s| schema::resolve_select(s, ty, navigation)).transpose()
    }

    fn get_singleton(
        &self,
        request: &GraphRequest,
        ty: &ComplexType,
        pick: impl Fn(&State) -> &Object,
        path: &str,
    ) -> Result<GraphResponse, GraphError> {
        let options = self.query(request, Supported { select: true, expand: false, paging: false })?;
        let select = self.selected(&options, ty, &[])?;
        let state = self.read_state(request);
        let rendered = schema::apply_select(schema::render(pick(&state), ty), select.as_deref());
        let context = self.context(request, path, select.as_deref(), false, true);
        Ok(GraphResponse::json(StatusCode::OK, rendered.with_leading("@odata.context", Json::str(context))))
    }

    // ----- E2 root policy -----

    fn patch_policy(&self, request: &GraphRequest) -> Result<GraphResponse, GraphError> {
        let mut body = self.read_body(request, &schema::POLICY)?;
        self.read_only(&mut body, &["id"])?;
        rules::check_policy(&body, &lock(&self.behaviour).rules)?;
        self.write(request, |state, _| {
            for (name, value) in &body {
                state.policy.insert(name.clone(), value.clone());
            }
            Ok(())
        })?;
        Ok(GraphResponse::no_content())
    }

    // ----- E4, E5 default configuration -----

    fn patch_default(&self, request: &GraphRequest) -> Result<GraphResponse, GraphError> {
        let mut body = self.read_body(request, &schema::DEFAULT)?;
        self.read_only(&mut body, &["id", "isServiceDefault"])?;
        let behaviour = self.behaviour();
        if let Some(consent) = body.get("automaticUserConsentSettings") {
            // R5: the default's consent settings are read-only and always false; sending false is harmless.
            let all_false = consent.as_object().is_some_and(|c| c.values().all(|v| *v == Value::Bool(false)));
            if all_false || behaviour.read_only == ReadOnlyMode::Ignore {
                body.remove("automaticUserConsentSettings");
            } else {
                return Err(GraphError::bad_request(
                    "Property 'automaticUserConsentSettings' is read-only on the default configuration; its values \
                     are always false.",
                ));
            }
        }
        let nulls: Vec<String> = body.iter().filter(|(_, v)| v.is_null()).map(|(k, _)| k.clone()).collect();
        for name in nulls {
            match behaviour.default_null {
                DefaultNullMode::Reject => {
                    return Err(GraphError::bad_request(format!(
                        "Property '{name}' of the default configuration cannot be set to null. Use \
                         resetToSystemDefault to restore the service default."
                    )));
                }
                DefaultNullMode::Ignore => {
                    body.remove(&name);
                }
            }
        }
        let touched: Vec<String> = body.keys().cloned().collect();
        self.write(request, |state, _| {
            let mut merged = state.default.clone();
            self.merge(&mut merged, &body);
            rules::check_default(&merged, &touched, &behaviour.rules)?;
            // graph-api.md §6.8: any successful PATCH makes the default a customised one.
            merged.insert("isServiceDefault".to_owned(), Value::Bool(false));
            state.default = merged;
            Ok(())
        })?;
        Ok(GraphResponse::no_content())
    }

    fn reset_default(&self, request: &GraphRequest) -> Result<GraphResponse, GraphError> {
        self.empty_action_body(request)?;
        let fresh = store::service_default(&self.tenant_of(request).fixture);
        self.write(request, |state, _| {
            state.default = fresh;
            Ok(())
        })?;
        Ok(GraphResponse::no_content())
    }

    // ----- E6–E10 partners -----

    fn render_partner(
        &self,
        request: &GraphRequest,
        state: &State,
        partner: &Object,
        expand: bool,
        select: Option<&[String]>,
    ) -> Json {
        let mut rendered = schema::render(partner, &schema::PARTNER);
        if request.version == ApiVersion::Beta
            && let Json::Object(pairs) = &mut rendered
            && !pairs.iter().any(|(k, _)| k == "deletedDateTime")
        {
            pairs.push(("deletedDateTime".to_owned(), Json::Null));
        }
        if expand {
            let key = partner.get("tenantId").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
            let sync = state.sync.get(&key).map(|s| schema::render(s, &schema::IDENTITY_SYNC)).unwrap_or(Json::Null);
            if let Json::Object(pairs) = &mut rendered {
                pairs.push(("identitySynchronization".to_owned(), sync));
            }
        }
        match select {
            Some(names) => {
                let mut names = names.to_vec();
                if expand {
                    names.push("identitySynchronization".to_owned());
                }
                schema::apply_select(rendered, Some(&names))
            }
            None => rendered,
        }
    }

    fn expand_option(&self, options: &QueryOptions) -> Result<bool, GraphError> {
        let Some(expand) = &options.expand else { return Ok(false) };
        for item in expand {
            if !item.eq_ignore_ascii_case("identitySynchronization") {
                return Err(GraphError::gateway_bad_request(format!(
                    "Could not find a property named '{item}' on type '{}'.",
                    schema::PARTNER.name
                )));
            }
        }
        Ok(!expand.is_empty())
    }

    fn list_partners(&self, request: &GraphRequest) -> Result<GraphResponse, GraphError> {
        let options = self.query(request, Supported { select: true, expand: true, paging: true })?;
        let expand = self.expand_option(&options)?;
        let select = self.selected(&options, &schema::PARTNER, &["identitySynchronization"])?;
        let filter = options.filter.as_deref().map(odata::parse_filter).transpose()?;
        let after = options.skiptoken.as_deref().map(odata::decode_skiptoken).transpose()?;
        let page_size = options.top.unwrap_or_else(|| lock(&self.behaviour).page_size);
        let state = self.read_state(request);
        let all_matching: Vec<(&String, &Object)> =
            state.partners.iter().filter(|(_, partner)| filter.as_ref().is_none_or(|f| f.matches(partner))).collect();
        // `@odata.count` is the size of the whole filtered collection, whatever page this is.
        let count = all_matching.len();
        let mut matching: Vec<(&String, &Object)> = all_matching
            .into_iter()
            .filter(|(key, _)| after.as_ref().is_none_or(|after| key.as_str() > after.as_str()))
            .collect();
        if let Some(skip) = options.skip {
            matching.drain(..skip.min(matching.len()));
        }
        let more = matching.len() > page_size;
        matching.truncate(page_size);
        let items: Vec<Json> = matching
            .iter()
            .map(|(_, partner)| self.render_partner(request, &state, partner, expand, select.as_deref()))
            .collect();
        let mut body = vec![(
            "@odata.context".to_owned(),
            Json::str(self.context(
                request,
                "policies/crossTenantAccessPolicy/partners",
                select.as_deref(),
                expand,
                false,
            )),
        )];
        if options.count {
            body.push(("@odata.count".to_owned(), Json::Number(count.into())));
        }
        if more && let Some((last_key, _)) = matching.last() {
            body.push(("@odata.nextLink".to_owned(), Json::str(self.next_link(request, last_key))));
        }
        body.push(("value".to_owned(), Json::Array(items)));
        Ok(GraphResponse::json(StatusCode::OK, Json::Object(body)))
    }

    /// The absolute next-page link: the same query with a new `$skiptoken` (and without `$skip`, already applied).
    fn next_link(&self, request: &GraphRequest, last_key: &str) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in url::form_urlencoded::parse(request.query.as_deref().unwrap_or_default().as_bytes()) {
            let lower = name.to_ascii_lowercase();
            if matches!(lower.trim_start_matches('$'), "skiptoken" | "skip") {
                continue;
            }
            query.append_pair(&name, &value);
        }
        query.append_pair("$skiptoken", &odata::encode_skiptoken(last_key));
        format!(
            "{}/{}/policies/crossTenantAccessPolicy/partners?{}",
            request.base,
            request.version.as_str(),
            query.finish()
        )
    }

    fn get_partner(&self, request: &GraphRequest, key: &str) -> Result<GraphResponse, GraphError> {
        let options = self.query(request, Supported { select: true, expand: true, paging: false })?;
        let expand = self.expand_option(&options)?;
        let select = self.selected(&options, &schema::PARTNER, &["identitySynchronization"])?;
        let state = self.read_state(request);
        let partner = state.partners.get(&key.to_ascii_lowercase()).ok_or_else(|| GraphError::not_found(key))?;
        let rendered = self.render_partner(request, &state, partner, expand, select.as_deref());
        let context =
            self.context(request, "policies/crossTenantAccessPolicy/partners", select.as_deref(), expand, true);
        Ok(GraphResponse::json(StatusCode::OK, rendered.with_leading("@odata.context", Json::str(context))))
    }

    fn create_partner(&self, request: &GraphRequest, caller: &Caller) -> Result<GraphResponse, GraphError> {
        let mut body = self.read_body(request, &schema::PARTNER)?;
        let behaviour = self.behaviour();
        let tenant_id = match body.remove("tenantId") {
            Some(Value::String(id)) => id,
            _ => {
                return Err(GraphError::bad_request(
                    "The property 'tenantId' is required when creating a partner configuration.",
                ));
            }
        };
        if behaviour.rules.r7 && !odata::is_guid(&tenant_id) {
            return Err(GraphError::bad_request(format!(
                "Invalid value '{tenant_id}' for property 'tenantId': it must be a tenant ID (GUID)."
            )));
        }
        self.read_only(&mut body, &["isInMultiTenantOrganization"])?;
        if body.contains_key("isServiceProvider") && caller.app_only && self.config.forbid_app_only_service_provider {
            // Quirk Q9: app-only callers that send isServiceProvider at all are refused.
            return Err(GraphError::forbidden());
        }
        let key = tenant_id.to_ascii_lowercase();
        let touched: Vec<String> = body.keys().cloned().collect();
        let reservation = lock(&self.faults).reservation();
        let created = self.write(request, |state, store| {
            if state.partners.contains_key(&key) || (reservation.is_some() && store.is_reserved(&key)) {
                return Err(GraphError::duplicate_partner());
            }
            let mut partner = store::new_partner(&key);
            for (name, value) in &body {
                partner.insert(name.clone(), value.clone());
            }
            rules::check_partner(&key, &partner, &touched, &behaviour.rules)?;
            state.deleted_partners.remove(&key);
            state.partners.insert(key.clone(), partner.clone());
            Ok(partner)
        })?;
        let state = self.tenant_of(request).policy();
        let rendered = self.render_partner(request, &state, &created, false, None);
        let context = self.context(request, "policies/crossTenantAccessPolicy/partners", None, false, true);
        let mut response =
            GraphResponse::json(StatusCode::CREATED, rendered.with_leading("@odata.context", Json::str(context)));
        response.headers.push((
            "Location".to_owned(),
            format!("{}/{}/policies/crossTenantAccessPolicy/partners/{key}", request.base, request.version.as_str()),
        ));
        Ok(response)
    }

    fn patch_partner(&self, request: &GraphRequest, key: &str) -> Result<GraphResponse, GraphError> {
        let mut body = self.read_body(request, &schema::PARTNER)?;
        self.read_only(&mut body, &["tenantId", "isServiceProvider", "isInMultiTenantOrganization"])?;
        let behaviour = self.behaviour();
        let key = key.to_ascii_lowercase();
        let touched: Vec<String> = body.keys().cloned().collect();
        self.write(request, |state, _| {
            let Some(partner) = state.partners.get(&key) else {
                return Err(GraphError::object_not_found());
            };
            let mut merged = partner.clone();
            self.merge(&mut merged, &body);
            rules::check_partner(&key, &merged, &touched, &behaviour.rules)?;
            state.partners.insert(key.clone(), merged);
            Ok(())
        })?;
        Ok(GraphResponse::no_content())
    }

    fn delete_partner(&self, request: &GraphRequest, key: &str) -> Result<GraphResponse, GraphError> {
        let rules = lock(&self.behaviour).rules.clone();
        let reservation = lock(&self.faults).reservation();
        let service_provider_status = self.config.service_provider_delete_status;
        let lower = key.to_ascii_lowercase();
        self.write(request, |state, store| {
            let Some(partner) = state.partners.get(&lower) else {
                return Err(GraphError::not_found(key));
            };
            if rules.r17 && state.sync.contains_key(&lower) {
                return Err(GraphError::bad_request(format!(
                    "The partner configuration for tenant '{lower}' cannot be deleted while it has an identity \
                     synchronization policy. Delete the identitySynchronization policy first."
                )));
            }
            if rules.r18 && partner.get("isServiceProvider") == Some(&Value::Bool(true)) {
                let message = format!(
                    "The partner configuration for tenant '{lower}' belongs to a service provider and cannot be deleted."
                );
                return Err(if service_provider_status == 403 {
                    GraphError::new(StatusCode::FORBIDDEN, "Authorization_RequestDenied", message)
                } else {
                    GraphError::bad_request(message)
                });
            }
            let mut deleted = state.partners.remove(&lower).unwrap_or_default();
            deleted.insert("deletedDateTime".to_owned(), Value::String(now_rfc3339()));
            state.deleted_partners.insert(lower.clone(), deleted);
            if let Some(duration) = reservation {
                store.reserve(&lower, Instant::now().checked_add(duration).unwrap_or_else(far_instant));
            }
            Ok(())
        })?;
        Ok(GraphResponse::no_content())
    }

    // ----- E11–E14 identity synchronization -----

    fn sync_context(&self, request: &GraphRequest, key: &str, select: Option<&[String]>) -> String {
        let path = format!("policies/crossTenantAccessPolicy/partners('{key}')/identitySynchronization");
        self.context(request, &path, select, false, true)
    }

    fn render_sync(&self, request: &GraphRequest, sync: &Object) -> Json {
        let mut rendered = schema::render(sync, &schema::IDENTITY_SYNC);
        if request.version == ApiVersion::Beta
            && let Json::Object(pairs) = &mut rendered
        {
            for name in ["groupSyncInbound", "externalCloudAuthorizedApplicationId", "deletedDateTime"] {
                if !pairs.iter().any(|(k, _)| k == name) {
                    pairs.push((name.to_owned(), Json::Null));
                }
            }
        }
        rendered
    }

    fn get_sync(&self, request: &GraphRequest, key: &str) -> Result<GraphResponse, GraphError> {
        let options = self.query(request, Supported { select: true, expand: false, paging: false })?;
        let select = self.selected(&options, &schema::IDENTITY_SYNC, &[])?;
        let state = self.read_state(request);
        let lower = key.to_ascii_lowercase();
        let sync = state.sync.get(&lower).ok_or_else(|| GraphError::not_found(key))?;
        let rendered = schema::apply_select(self.render_sync(request, sync), select.as_deref());
        let context = self.sync_context(request, &lower, select.as_deref());
        Ok(GraphResponse::json(StatusCode::OK, rendered.with_leading("@odata.context", Json::str(context))))
    }

    fn put_sync(&self, request: &GraphRequest, key: &str) -> Result<GraphResponse, GraphError> {
        let mut body = self.read_body(request, &schema::IDENTITY_SYNC)?;
        let lower = key.to_ascii_lowercase();
        match body.remove("tenantId") {
            None => {}
            Some(Value::String(id)) if id.eq_ignore_ascii_case(&lower) => {}
            Some(other) => {
                return Err(GraphError::bad_request(format!(
                    "The tenantId {other} in the body does not match the partner's tenant id '{lower}'."
                )));
            }
        }
        self.write(request, |state, _| {
            if !state.partners.contains_key(&lower) {
                return Err(GraphError::not_found(key));
            }
            if state.sync.contains_key(&lower) {
                return Err(GraphError::duplicate_sync_policy());
            }
            let mut sync = store::new_sync_policy(&lower);
            for (name, value) in &body {
                sync.insert(name.clone(), value.clone());
            }
            state.deleted_sync.remove(&lower);
            state.sync.insert(lower.clone(), sync);
            Ok(())
        })?;
        Ok(GraphResponse::no_content())
    }

    fn patch_sync(&self, request: &GraphRequest, key: &str) -> Result<GraphResponse, GraphError> {
        let mut body = self.read_body(request, &schema::IDENTITY_SYNC)?;
        self.read_only(&mut body, &["tenantId"])?;
        let lower = key.to_ascii_lowercase();
        self.write(request, |state, _| {
            let Some(sync) = state.sync.get(&lower) else {
                return Err(GraphError::object_not_found());
            };
            let mut merged = sync.clone();
            self.merge(&mut merged, &body);
            state.sync.insert(lower.clone(), merged);
            Ok(())
        })?;
        Ok(GraphResponse::no_content())
    }

    fn delete_sync(&self, request: &GraphRequest, key: &str) -> Result<GraphResponse, GraphError> {
        let lower = key.to_ascii_lowercase();
        self.write(request, |state, _| {
            let Some(mut sync) = state.sync.remove(&lower) else {
                return Err(GraphError::not_found(key));
            };
            sync.insert("deletedDateTime".to_owned(), Value::String(now_rfc3339()));
            state.deleted_sync.insert(lower.clone(), sync);
            Ok(())
        })?;
        Ok(GraphResponse::no_content())
    }

    // ----- E15, E16 tenant lookup -----

    fn find_tenant(
        &self,
        request: &GraphRequest,
        domain: Option<&str>,
        tenant_id: Option<&str>,
    ) -> Result<GraphResponse, GraphError> {
        let options = self.query(request, Supported { select: true, expand: false, paging: false })?;
        let select = self.selected(&options, &schema::TENANT_INFORMATION, &[])?;
        let directory = lock(&self.directory).clone();
        let found = match (domain, tenant_id) {
            (Some(domain), _) => {
                crate::directory::find_by_domain(&directory, domain).ok_or_else(|| GraphError::not_found(domain))?
            }
            (_, Some(tenant_id)) => {
                if !odata::is_guid(tenant_id) {
                    return Err(GraphError::bad_request(format!(
                        "Invalid value '{tenant_id}' for parameter 'tenantId': it must be a GUID."
                    )));
                }
                crate::directory::find_by_id(&directory, tenant_id).ok_or_else(|| GraphError::not_found(tenant_id))?
            }
            (None, None) => return Err(GraphError::bad_request("A domain name or tenant id is required.")),
        };
        let mut stored = Map::new();
        stored.insert("tenantId".to_owned(), Value::String(found.tenant_id.to_ascii_lowercase()));
        let optional = |v: &Option<String>| v.clone().map(Value::String).unwrap_or(Value::Null);
        stored.insert("federationBrandName".to_owned(), optional(&found.federation_brand_name));
        stored.insert("displayName".to_owned(), optional(&found.display_name));
        stored.insert("defaultDomainName".to_owned(), optional(&found.default_domain_name));
        let rendered = schema::apply_select(schema::render(&stored, &schema::TENANT_INFORMATION), select.as_deref());
        let context =
            format!("{}/{}/$metadata#microsoft.graph.tenantInformation", request.base, request.version.as_str());
        Ok(GraphResponse::json(StatusCode::OK, rendered.with_leading("@odata.context", Json::str(context))))
    }

    // ----- E17–E22 MTO templates -----

    fn patch_template(&self, request: &GraphRequest, partner_template: bool) -> Result<GraphResponse, GraphError> {
        let ty = if partner_template { &schema::PARTNER_TEMPLATE } else { &schema::SYNC_TEMPLATE };
        let mut body = self.read_body(request, ty)?;
        self.read_only(&mut body, &["id"])?;
        if let Some(Value::String(level)) = body.get_mut("templateApplicationLevel") {
            *level = crate::mto::canonical_level(level);
        }
        let behaviour = self.behaviour();
        let touched: Vec<String> = body.keys().cloned().collect();
        self.write(request, |state, _| {
            let template = if partner_template { &mut state.partner_template } else { &mut state.sync_template };
            let mut merged = template.clone();
            self.merge(&mut merged, &body);
            rules::check_template(&merged, &touched, &behaviour.rules)?;
            *template = merged;
            Ok(())
        })?;
        Ok(GraphResponse::no_content())
    }

    fn reset_template(&self, request: &GraphRequest, partner_template: bool) -> Result<GraphResponse, GraphError> {
        self.empty_action_body(request)?;
        self.write(request, |state, _| {
            if partner_template {
                state.partner_template = store::reset_partner_template();
            } else {
                state.sync_template = store::reset_sync_template();
            }
            Ok(())
        })?;
        Ok(GraphResponse::no_content())
    }

    // ----- beta deleted items -----

    fn list_deleted(&self, request: &GraphRequest, partners: bool) -> Result<GraphResponse, GraphError> {
        self.query(request, Supported { select: false, expand: false, paging: false })?;
        let state = self.read_state(request);
        let (items, ty, path) = if partners {
            (&state.deleted_partners, &schema::PARTNER, "policies/deletedItems/crossTenantPartners")
        } else {
            (&state.deleted_sync, &schema::IDENTITY_SYNC, "policies/deletedItems/crossTenantSyncPolicyPartners")
        };
        let value = items.values().map(|item| schema::render(item, ty)).collect();
        let context = self.context(request, path, None, false, false);
        Ok(GraphResponse::json(
            StatusCode::OK,
            Json::object([("@odata.context", Json::str(context)), ("value", Json::Array(value))]),
        ))
    }

    fn get_deleted(&self, request: &GraphRequest, key: &str, partners: bool) -> Result<GraphResponse, GraphError> {
        self.query(request, Supported { select: false, expand: false, paging: false })?;
        let state = self.read_state(request);
        let lower = key.to_ascii_lowercase();
        let (item, ty, path) = if partners {
            (state.deleted_partners.get(&lower), &schema::PARTNER, "policies/deletedItems/crossTenantPartners")
        } else {
            (
                state.deleted_sync.get(&lower),
                &schema::IDENTITY_SYNC,
                "policies/deletedItems/crossTenantSyncPolicyPartners",
            )
        };
        let item = item.ok_or_else(|| GraphError::not_found(key))?;
        let context = self.context(request, path, None, false, true);
        Ok(GraphResponse::json(
            StatusCode::OK,
            schema::render(item, ty).with_leading("@odata.context", Json::str(context)),
        ))
    }

    fn purge_deleted(&self, request: &GraphRequest, key: &str, partners: bool) -> Result<GraphResponse, GraphError> {
        let lower = key.to_ascii_lowercase();
        self.write(request, |state, _| {
            let removed =
                if partners { state.deleted_partners.remove(&lower) } else { state.deleted_sync.remove(&lower) };
            removed.map(|_| ()).ok_or_else(|| GraphError::not_found(key))
        })?;
        Ok(GraphResponse::no_content())
    }

    fn restore_deleted(&self, request: &GraphRequest, key: &str, partners: bool) -> Result<GraphResponse, GraphError> {
        self.empty_action_body(request)?;
        let lower = key.to_ascii_lowercase();
        let restored = self.write(request, |state, _| {
            if partners {
                let mut item = state.deleted_partners.remove(&lower).ok_or_else(|| GraphError::not_found(key))?;
                if state.partners.contains_key(&lower) {
                    return Err(GraphError::duplicate_partner());
                }
                item.remove("deletedDateTime");
                state.partners.insert(lower.clone(), item.clone());
                Ok(item)
            } else {
                let mut item = state.deleted_sync.remove(&lower).ok_or_else(|| GraphError::not_found(key))?;
                if !state.partners.contains_key(&lower) {
                    return Err(GraphError::bad_request(format!(
                        "Restore the partner configuration for tenant '{lower}' before its identity synchronization policy."
                    )));
                }
                if state.sync.contains_key(&lower) {
                    return Err(GraphError::duplicate_sync_policy());
                }
                item.remove("deletedDateTime");
                state.sync.insert(lower.clone(), item.clone());
                Ok(item)
            }
        })?;
        let (rendered, context) = if partners {
            let state = self.tenant_of(request).policy();
            (
                self.render_partner(request, &state, &restored, false, None),
                self.context(request, "policies/crossTenantAccessPolicy/partners", None, false, true),
            )
        } else {
            (self.render_sync(request, &restored), self.sync_context(request, &lower, None))
        };
        Ok(GraphResponse::json(StatusCode::OK, rendered.with_leading("@odata.context", Json::str(context))))
    }

    // ----- $batch -----

    fn batch(&self, request: &GraphRequest, caller: &Caller, ids: &RequestIds) -> Result<GraphResponse, GraphError> {
        let invalid =
            |message: &str| GraphError::gateway_bad_request(format!("Invalid batch payload format: {message}"));
        let body = self.json_body(request)?;
        let Some(requests) = body.get("requests").and_then(Value::as_array) else {
            return Err(invalid("the body must be an object with a 'requests' array."));
        };
        if requests.is_empty() {
            return Err(invalid("the batch must contain at least one request."));
        }
        if requests.len() > MAX_BATCH {
            return Err(GraphError::gateway_bad_request(format!(
                "The number of requests in a batch cannot exceed {MAX_BATCH}; this batch has {}.",
                requests.len()
            )));
        }
        let mut parsed: Vec<BatchItem> = Vec::with_capacity(requests.len());
        let mut seen = HashSet::new();
        for item in requests {
            let item = BatchItem::parse(item).map_err(|m| invalid(&m))?;
            if !seen.insert(item.id.clone()) {
                return Err(invalid(&format!("the request id '{}' is used more than once.", item.id)));
            }
            parsed.push(item);
        }
        for item in &parsed {
            for dependency in &item.depends_on {
                if !seen.contains(dependency) {
                    return Err(invalid(&format!("request '{}' depends on unknown request '{dependency}'.", item.id)));
                }
            }
        }
        let order = execution_order(&parsed).ok_or_else(|| invalid("the dependsOn references form a cycle."))?;
        let mut results: HashMap<String, Json> = HashMap::new();
        let mut statuses: HashMap<String, u16> = HashMap::new();
        let caller = Ok(caller.clone());
        for index in order {
            let item = &parsed[index];
            let inner_ids = RequestIds {
                request_id: uuid::Uuid::new_v4().to_string(),
                client_request_id: ids.client_request_id.clone(),
            };
            let failed_dependency = item.depends_on.iter().find(|d| statuses.get(*d).is_none_or(|s| *s >= 400));
            let response = if let Some(dependency) = failed_dependency {
                let error = GraphError::new(
                    StatusCode::FAILED_DEPENDENCY,
                    "FailedDependency",
                    format!("The request depends on request '{dependency}', which failed."),
                );
                let response = error_response(&error, &inner_ids);
                self.record_response(&response);
                response
            } else {
                match item.to_request(request) {
                    Ok(sub) => match self.execute(&sub, &caller, false, &inner_ids) {
                        Outcome::Respond(response) => response,
                        // Sub-requests never drop the connection; keep the compiler honest anyway.
                        Outcome::DropConnection => error_response(
                            &GraphError::new(StatusCode::BAD_GATEWAY, "BadGateway", "The sub-request was dropped."),
                            &inner_ids,
                        ),
                    },
                    Err(error) => {
                        let response = error_response(&error, &inner_ids);
                        self.record_response(&response);
                        response
                    }
                }
            };
            statuses.insert(item.id.clone(), response.status.as_u16());
            results.insert(item.id.clone(), batch_response(&item.id, &response, &inner_ids));
        }
        let responses = parsed.iter().filter_map(|item| results.remove(&item.id)).collect();
        Ok(GraphResponse::json(StatusCode::OK, Json::object([("responses", Json::Array(responses))])))
    }
}

/// One sub-request of a `$batch`.
#[derive(Clone, Debug)]
struct BatchItem {
    id: String,
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    depends_on: Vec<String>,
}

impl BatchItem {
    fn parse(value: &Value) -> Result<BatchItem, String> {
        let Value::Object(map) = value else { return Err("every request must be a JSON object.".to_owned()) };
        for key in map.keys() {
            if !["id", "method", "url", "headers", "body", "dependsOn", "atomicityGroup"].contains(&key.as_str()) {
                return Err(format!("unknown request property '{key}'."));
            }
        }
        let string = |name: &str| -> Result<String, String> {
            map.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("every request needs a string '{name}'."))
        };
        let id = string("id")?;
        let method = Method::from_bytes(string("method")?.to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("request '{id}' has an invalid method."))?;
        let url = string("url")?;
        if url.contains("://") {
            return Err(format!("request '{id}' must use a URL relative to the version, not '{url}'."));
        }
        let headers = match map.get("headers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(headers)) => headers
                .iter()
                .map(|(k, v)| {
                    v.as_str()
                        .map(|v| (k.clone(), v.to_owned()))
                        .ok_or_else(|| format!("header '{k}' of request '{id}' must be a string."))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(format!("the headers of request '{id}' must be an object.")),
        };
        let depends_on = match map.get("dependsOn") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_owned).ok_or_else(|| format!("dependsOn of request '{id}' must list ids."))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(format!("dependsOn of request '{id}' must be an array.")),
        };
        let body = map.get("body").filter(|b| !b.is_null()).cloned();
        if body.is_some() && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            return Err(format!("request '{id}' has a body but no Content-Type header."));
        }
        Ok(BatchItem { id, method, url, headers, body, depends_on })
    }

    fn to_request(&self, outer: &GraphRequest) -> Result<GraphRequest, GraphError> {
        let url = if self.url.starts_with('/') { self.url.clone() } else { format!("/{}", self.url) };
        let (path, query) = match url.split_once('?') {
            Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
            None => (url, None),
        };
        // A version prefix on a sub-request URL is tolerated when it matches the batch's own version.
        let path = match ApiVersion::split(&path) {
            Some((version, rest)) if version == outer.version => rest.to_owned(),
            Some(_) => return Err(GraphError::gateway_bad_request("A sub-request cannot change the API version.")),
            None => path,
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) =
                (http::HeaderName::from_bytes(name.as_bytes()), http::HeaderValue::from_str(value))
            {
                headers.insert(name, value);
            }
        }
        let body = match &self.body {
            Some(Value::String(text)) => text.clone().into_bytes(),
            Some(value) => value.to_string().into_bytes(),
            None => Vec::new(),
        };
        Ok(GraphRequest {
            method: self.method.clone(),
            version: outer.version,
            path,
            query,
            headers,
            body,
            base: outer.base.clone(),
            tenant: outer.tenant.clone(),
        })
    }
}

/// Orders sub-requests so that each runs after its dependencies, keeping the given order otherwise. `None` on a
/// cycle.
fn execution_order(items: &[BatchItem]) -> Option<Vec<usize>> {
    let mut done: HashSet<&str> = HashSet::new();
    let mut order = Vec::with_capacity(items.len());
    while order.len() < items.len() {
        let next = items
            .iter()
            .enumerate()
            .find(|(i, item)| !order.contains(i) && item.depends_on.iter().all(|d| done.contains(d.as_str())));
        let (index, item) = next?;
        done.insert(item.id.as_str());
        order.push(index);
    }
    Some(order)
}

/// One entry of the `$batch` response.
fn batch_response(id: &str, response: &GraphResponse, ids: &RequestIds) -> Json {
    let mut headers: Vec<(String, Json)> = Vec::new();
    if !matches!(response.body, Body::Empty) {
        headers.push(("Content-Type".to_owned(), Json::str(JSON_CONTENT_TYPE)));
    }
    headers.push(("request-id".to_owned(), Json::str(&ids.request_id)));
    headers.push(("client-request-id".to_owned(), Json::str(&ids.client_request_id)));
    for (name, value) in &response.headers {
        headers.push((name.clone(), Json::str(value)));
    }
    let mut pairs = vec![
        ("id".to_owned(), Json::str(id)),
        ("status".to_owned(), Json::Number(response.status.as_u16().into())),
        ("headers".to_owned(), Json::Object(headers)),
    ];
    match &response.body {
        Body::Json(json) => pairs.push(("body".to_owned(), json.clone())),
        Body::Raw { bytes, .. } => pairs.push(("body".to_owned(), Json::str(String::from_utf8_lossy(bytes)))),
        Body::Empty => {}
    }
    Json::Object(pairs)
}

/// An instant far enough away to mean "for the rest of this run" when a configured duration would overflow.
fn far_instant() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// How long to hold a request for the latency fault.
pub(crate) fn latency(service: &Service) -> Option<Duration> {
    lock(&service.faults).latency()
}
