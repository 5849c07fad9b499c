//! The multi-tenant organization (graph-sync-and-mto.md Part B): one shared organization seen through per-tenant
//! views, its tenants, the join request of a member tenant, and what a join does to the partner configurations.
//!
//! # Model
//!
//! The [`Registry`] holds every organization and every tenant's join request. An organization is shared: its
//! display name, description and tenant list are the same for every tenant that belongs to it; only the
//! organization's `id` is tenant-specific (each tenant gets its own, as Graph documents). A tenant *belongs* to the
//! organization that lists it as `active` (a tenant that was added but has not joined yet is `pending` there and
//! still sees `state: inactive`).
//!
//! # Asynchrony (B.6)
//!
//! Joins, role changes and removals are transitions with a due time (`MtoSettings::delay_ms` after the request,
//! default 300 ms so tests stay fast). Until then Graph shows them through `transitionDetails` (`status:
//! notStarted`); the first Graph request (or control-surface call) after the due time completes them, in due order.
//! [`Service::complete_mto_transitions`] completes every pending one at once.
//!
//! # A join's effects (B.8)
//!
//! When a tenant's join completes, for every other active tenant of the organization and in both directions: the
//! partner configuration and the identity sync policy are created when missing, the partner is marked
//! `isInMultiTenantOrganization: true`, and the templates of the tenant that owns the configuration are applied per
//! its `templateApplicationLevel` (`newPartners` for the configurations just created, `existingPartners` for those
//! that existed), copying only the template's non-null values. A completed removal sets
//! `isInMultiTenantOrganization: false` on both sides and leaves the configurations in place (Graph has no
//! disassembly template).
//!
//! Lock order: the registry lock is taken before any tenant's `store` lock (effects are written while it is held).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::config::{ROLE_MULTI_TENANT_ORGANIZATION_READ_ALL, ROLE_MULTI_TENANT_ORGANIZATION_READ_WRITE_ALL};
use crate::error::GraphError;
use crate::graph::{GraphRequest, GraphResponse};
use crate::json::Json;
use crate::odata::Supported;
use crate::schema::{self, ComplexType, EnumType, Kind, Property};
use crate::service::{Service, lock};
use crate::store::{self, Object};
use crate::tenant::Tenant;

/// The join request's `addedByTenantId` before any join, and the value that resets a failed join (B.5).
pub(crate) const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// Behaviour switches of the multi-tenant organization emulation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct MtoSettings {
    /// How long joins, role changes and removals take (Graph documents minutes to hours).
    pub delay_ms: u64,
    /// The most active tenants an organization may have, the owner included (B.7: 100).
    pub max_active_tenants: usize,
    /// Answer a tenant DELETE with 200 and the member body (observed) instead of 204 (documented); B.4.4.
    pub delete_returns_member: bool,
    /// Refuse to remove the tenant that created the organization while other tenants are active (the how-to's
    /// rule, which contradicts the API page; B.4.4, B.11).
    pub protect_creator: bool,
    /// Fail every role change when it comes due (`transitionDetails.status: "failed"` with details, the role
    /// unchanged), as Graph reports a change it could not complete (B.4.3, B.6). Off by default.
    pub role_change_failure: bool,
}

impl Default for MtoSettings {
    fn default() -> MtoSettings {
        MtoSettings {
            delay_ms: 300,
            max_active_tenants: 100,
            delete_returns_member: false,
            protect_creator: false,
            role_change_failure: false,
        }
    }
}

/// What a pending member transition does when it completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum TransitionKind {
    /// The member's join request is being processed (mirrors the join request; completed by it).
    Join,
    /// A role change.
    Role,
    /// A removal or a tenant leaving.
    Removal,
}

/// A member's pending transition (`transitionDetails`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Transition {
    pub(crate) kind: TransitionKind,
    pub(crate) desired_state: String,
    pub(crate) desired_role: String,
    pub(crate) status: String,
    pub(crate) details: Option<String>,
    #[serde(skip)]
    pub(crate) due: Option<Instant>,
}

/// A tenant of an organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Member {
    pub(crate) tenant_id: String,
    pub(crate) display_name: String,
    pub(crate) added_date_time: String,
    pub(crate) joined_date_time: Option<String>,
    pub(crate) added_by_tenant_id: String,
    pub(crate) role: String,
    /// `pending` or `active` (a removal in progress is shown as `pending` with `desiredState: removed`).
    pub(crate) state: String,
    pub(crate) transition: Option<Transition>,
}

impl Member {
    fn is_active(&self) -> bool {
        self.state == "active"
    }

    fn is_being_removed(&self) -> bool {
        self.transition.as_ref().is_some_and(|t| t.kind == TransitionKind::Removal)
    }

    /// Active and not on its way out.
    fn is_settled_active(&self) -> bool {
        self.is_active() && !self.is_being_removed()
    }
}

/// One multi-tenant organization, shared by its tenants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Organization {
    pub(crate) display_name: String,
    pub(crate) description: Option<String>,
    pub(crate) created_date_time: String,
    pub(crate) creator_tenant_id: String,
    /// Each active tenant's own id for the organization (B.1: "tenant-specific object ID").
    pub(crate) local_ids: BTreeMap<String, String>,
    pub(crate) tenants: Vec<Member>,
}

impl Organization {
    fn member(&self, tenant_id: &str) -> Option<&Member> {
        self.tenants.iter().find(|m| m.tenant_id == tenant_id)
    }

    fn member_mut(&mut self, tenant_id: &str) -> Option<&mut Member> {
        self.tenants.iter_mut().find(|m| m.tenant_id == tenant_id)
    }

    fn active_ids(&self) -> Vec<String> {
        self.tenants.iter().filter(|m| m.is_active()).map(|m| m.tenant_id.clone()).collect()
    }

    fn is_active_owner(&self, tenant_id: &str) -> bool {
        self.member(tenant_id).is_some_and(|m| m.is_settled_active() && m.role == "owner")
    }
}

/// A join request's pending or failed processing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct JoinTransition {
    pub(crate) status: String,
    pub(crate) details: String,
    #[serde(skip)]
    pub(crate) due: Option<Instant>,
}

/// One tenant's join request record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct JoinRequest {
    pub(crate) id: String,
    pub(crate) added_by_tenant_id: String,
    pub(crate) transition: Option<JoinTransition>,
}

impl JoinRequest {
    fn fresh() -> JoinRequest {
        JoinRequest { id: new_id(), added_by_tenant_id: ZERO_GUID.to_owned(), transition: None }
    }
}

/// Every organization and join request of the emulator, plus the behaviour switches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct Registry {
    pub(crate) organizations: Vec<Organization>,
    pub(crate) join_requests: BTreeMap<String, JoinRequest>,
    #[serde(skip)]
    pub(crate) settings: MtoSettings,
}

/// A transition that is due.
#[derive(Clone, Debug, PartialEq)]
enum Due {
    Join(String),
    Member { organization: usize, tenant_id: String },
}

impl Registry {
    /// The organization `tenant_id` belongs to (listed there as active).
    fn organization_of(&self, tenant_id: &str) -> Option<usize> {
        self.organizations.iter().position(|o| o.member(tenant_id).is_some_and(Member::is_active))
    }

    fn delay(&self) -> Duration {
        Duration::from_millis(self.settings.delay_ms)
    }

    fn join_request(&mut self, tenant_id: &str) -> &mut JoinRequest {
        self.join_requests.entry(tenant_id.to_owned()).or_insert_with(JoinRequest::fresh)
    }

    /// The earliest transition due at `now` (every pending one when `now` is `None`).
    fn next_due(&self, now: Option<Instant>) -> Option<Due> {
        let is_due = |due: Option<Instant>| match (due, now) {
            (_, None) => true,
            (Some(due), Some(now)) => due <= now,
            (None, Some(_)) => true,
        };
        let mut best: Option<(Option<Instant>, Due)> = None;
        let mut consider = |due: Option<Instant>, item: Due| {
            if is_due(due) && best.as_ref().is_none_or(|(b, _)| due < *b) {
                best = Some((due, item));
            }
        };
        for (tenant_id, request) in &self.join_requests {
            if let Some(t) = &request.transition
                && t.status == "notStarted"
            {
                consider(t.due, Due::Join(tenant_id.clone()));
            }
        }
        for (index, organization) in self.organizations.iter().enumerate() {
            for member in &organization.tenants {
                if let Some(t) = &member.transition
                    && t.kind != TransitionKind::Join
                    && t.status == "notStarted"
                {
                    consider(t.due, Due::Member { organization: index, tenant_id: member.tenant_id.clone() });
                }
            }
        }
        best.map(|(_, item)| item)
    }

    /// Re-arms restored transitions (due times are not part of the saved state).
    fn arm(&mut self) {
        let due = Some(Instant::now() + self.delay());
        for request in self.join_requests.values_mut() {
            if let Some(t) = &mut request.transition {
                t.due = due;
            }
        }
        for organization in &mut self.organizations {
            for member in &mut organization.tenants {
                if let Some(t) = &mut member.transition {
                    t.due = due;
                }
            }
        }
    }
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `2023-05-27T19:24:29Z`, the form of the documented examples.
fn now_string() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::now_utc().format(&format).unwrap_or_default()
}

// ----- routes -----

/// A route of this module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Organization,
    Tenants,
    Tenant(String),
    JoinRequest,
}

fn is(segment: &str, name: &str) -> bool {
    segment.eq_ignore_ascii_case(name)
}

/// Parses the (percent-decoded) segments of a path, `Ok(None)` when the path belongs elsewhere.
pub(crate) fn parse_path(s: &[&str]) -> Result<Option<Route>, GraphError> {
    let [first, second, rest @ ..] = s else { return Ok(None) };
    if !is(first, "tenantRelationships") || !is(second, "multiTenantOrganization") {
        return Ok(None);
    }
    let not_found =
        |segment: &str| GraphError::gateway_bad_request(format!("Resource not found for the segment '{segment}'."));
    let route = match rest {
        [] => Route::Organization,
        [t] if is(t, "tenants") => Route::Tenants,
        [t, id] if is(t, "tenants") => Route::Tenant(id.to_ascii_lowercase()),
        [j] if is(j, "joinRequest") => Route::JoinRequest,
        [segment, ..] => return Err(not_found(segment)),
    };
    Ok(Some(route))
}

impl Route {
    /// The route template used in statistics and fault filters.
    pub(crate) fn template(&self) -> &'static str {
        match self {
            Route::Organization => "/tenantRelationships/multiTenantOrganization",
            Route::Tenants => "/tenantRelationships/multiTenantOrganization/tenants",
            Route::Tenant(_) => "/tenantRelationships/multiTenantOrganization/tenants/{id}",
            Route::JoinRequest => "/tenantRelationships/multiTenantOrganization/joinRequest",
        }
    }

    /// The methods the route supports. The organization has no DELETE (B.3.2: `Deletable=false`), so a DELETE is
    /// answered 405 like every unsupported method.
    pub(crate) fn methods(&self) -> &'static [Method] {
        match self {
            Route::Organization => &[Method::GET, Method::PUT, Method::PATCH],
            Route::Tenants => &[Method::GET, Method::POST],
            Route::Tenant(_) => &[Method::GET, Method::PATCH, Method::DELETE],
            Route::JoinRequest => &[Method::GET, Method::PATCH],
        }
    }

    /// The application permissions of which the caller needs one (B.2).
    pub(crate) fn roles(&self, write: bool) -> &'static [&'static str] {
        if write {
            &[ROLE_MULTI_TENANT_ORGANIZATION_READ_WRITE_ALL]
        } else {
            &[ROLE_MULTI_TENANT_ORGANIZATION_READ_ALL, ROLE_MULTI_TENANT_ORGANIZATION_READ_WRITE_ALL]
        }
    }
}

// ----- shapes (B.1), for strict request bodies and `$select` -----

const fn prop(name: &'static str, kind: Kind) -> Property {
    Property { name, kind, nullable: true, null_as_empty_object: false, omitted_when_unset: false }
}

static ORGANIZATION_STATE: EnumType =
    EnumType { name: "microsoft.graph.multiTenantOrganizationState", members: &["active", "inactive"] };
static MEMBER_ROLE: EnumType =
    EnumType { name: "microsoft.graph.multiTenantOrganizationMemberRole", members: &["owner", "member"] };
static MEMBER_STATE: EnumType =
    EnumType { name: "microsoft.graph.multiTenantOrganizationMemberState", members: &["pending", "active", "removed"] };
static PROCESSING_STATUS: EnumType = EnumType {
    name: "microsoft.graph.multiTenantOrganizationMemberProcessingStatus",
    members: &["notStarted", "running", "succeeded", "failed"],
};

static ORGANIZATION: ComplexType = ComplexType {
    name: "microsoft.graph.multiTenantOrganization",
    properties: &[
        prop("id", Kind::String),
        prop("createdDateTime", Kind::String),
        prop("displayName", Kind::String),
        prop("description", Kind::String),
        prop("state", Kind::Enum(&ORGANIZATION_STATE)),
    ],
};

static MEMBER_TRANSITION: ComplexType = ComplexType {
    name: "microsoft.graph.multiTenantOrganizationMemberTransitionDetails",
    properties: &[
        prop("desiredRole", Kind::Enum(&MEMBER_ROLE)),
        prop("desiredState", Kind::Enum(&MEMBER_STATE)),
        prop("details", Kind::String),
        prop("status", Kind::Enum(&PROCESSING_STATUS)),
    ],
};

static MEMBER: ComplexType = ComplexType {
    name: "microsoft.graph.multiTenantOrganizationMember",
    properties: &[
        prop("tenantId", Kind::String),
        prop("displayName", Kind::String),
        prop("addedDateTime", Kind::String),
        prop("joinedDateTime", Kind::String),
        prop("addedByTenantId", Kind::String),
        prop("role", Kind::Enum(&MEMBER_ROLE)),
        prop("state", Kind::Enum(&MEMBER_STATE)),
        prop("transitionDetails", Kind::Complex(&MEMBER_TRANSITION)),
    ],
};

static JOIN_TRANSITION: ComplexType = ComplexType {
    name: "microsoft.graph.multiTenantOrganizationJoinRequestTransitionDetails",
    properties: &[
        prop("desiredMemberState", Kind::Enum(&MEMBER_STATE)),
        prop("details", Kind::String),
        prop("status", Kind::Enum(&PROCESSING_STATUS)),
    ],
};

static JOIN_REQUEST: ComplexType = ComplexType {
    name: "microsoft.graph.multiTenantOrganizationJoinRequestRecord",
    properties: &[
        prop("id", Kind::String),
        prop("addedByTenantId", Kind::String),
        prop("memberState", Kind::Enum(&MEMBER_STATE)),
        prop("role", Kind::Enum(&MEMBER_ROLE)),
        prop("transitionDetails", Kind::Complex(&JOIN_TRANSITION)),
    ],
};

fn opt(value: &Option<String>) -> Json {
    value.as_ref().map(Json::str).unwrap_or(Json::Null)
}

fn render_member(member: &Member) -> Json {
    let transition = match &member.transition {
        None => Json::Null,
        Some(t) => Json::object([
            ("desiredState", Json::str(&t.desired_state)),
            ("desiredRole", Json::str(&t.desired_role)),
            ("status", Json::str(&t.status)),
            ("details", opt(&t.details)),
        ]),
    };
    // A removal in progress shows the member as pending with `desiredState: removed` (B.4.4).
    let state = if member.is_being_removed() { "pending" } else { member.state.as_str() };
    Json::object([
        ("tenantId", Json::str(&member.tenant_id)),
        ("displayName", Json::str(&member.display_name)),
        ("addedDateTime", Json::str(&member.added_date_time)),
        ("joinedDateTime", opt(&member.joined_date_time)),
        ("addedByTenantId", Json::str(&member.added_by_tenant_id)),
        ("role", Json::str(&member.role)),
        ("state", Json::str(state)),
        ("transitionDetails", transition),
    ])
}

/// The organization as `tenant_id` sees it: its own id, or `inactive` with nulls (B.3.1).
fn render_view(registry: &Registry, tenant_id: &str) -> Json {
    match registry.organization_of(tenant_id).map(|i| &registry.organizations[i]) {
        Some(organization) => Json::object([
            ("id", opt(&organization.local_ids.get(tenant_id).cloned())),
            ("createdDateTime", Json::str(&organization.created_date_time)),
            ("displayName", Json::str(&organization.display_name)),
            ("description", opt(&organization.description)),
            ("state", Json::str("active")),
        ]),
        // The documented inactive answer has no `id` (B.3.1).
        None => Json::object([
            ("createdDateTime", Json::Null),
            ("displayName", Json::Null),
            ("description", Json::Null),
            ("state", Json::str("inactive")),
        ]),
    }
}

fn render_join_request(registry: &Registry, tenant_id: &str, request: &JoinRequest) -> Json {
    let membership = registry
        .organization_of(tenant_id)
        .and_then(|i| registry.organizations[i].member(tenant_id))
        .map(|m| (Json::str("active"), Json::str(&m.role)));
    let (member_state, role, transition) = match (&request.transition, membership) {
        (Some(t), _) => (
            Json::str("pending"),
            Json::Null,
            Json::object([
                ("desiredMemberState", Json::str("active")),
                ("status", Json::str(&t.status)),
                ("details", Json::str(&t.details)),
            ]),
        ),
        (None, Some((state, role))) => (state, role, Json::Null),
        (None, None) => (Json::Null, Json::Null, Json::Null),
    };
    Json::object([
        ("id", Json::str(&request.id)),
        ("addedByTenantId", Json::str(&request.added_by_tenant_id)),
        ("memberState", member_state),
        ("role", role),
        ("transitionDetails", transition),
    ])
}

// ----- errors (codes the docs give; [INF] where they do not) -----

fn owner_only(what: &str) -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        format!("Only owner tenants of the multi-tenant organization can {what}."),
    )
}

fn not_in_organization() -> GraphError {
    GraphError::bad_request("The tenant is not part of an active multi-tenant organization.")
}

fn duplicate_tenant() -> GraphError {
    GraphError::bad_request("Tenant is already being added in Multi-Tenant Organization.")
}

fn read_guid(body: &Object, name: &str) -> Result<Option<String>, GraphError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(id)) if crate::odata::is_guid(id) => Ok(Some(id.to_ascii_lowercase())),
        Some(other) => Err(GraphError::bad_request(format!(
            "Invalid value '{}' for property '{name}': a tenant id (GUID) is expected.",
            other.as_str().map(str::to_owned).unwrap_or_else(|| other.to_string())
        ))),
    }
}

fn read_role(body: &Object) -> Result<Option<String>, GraphError> {
    match body.get("role") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(role)) if role == "owner" || role == "member" => Ok(Some(role.clone())),
        Some(Value::String(other)) => Err(GraphError::bad_request(format!("Requested value '{other}' was not found."))),
        Some(other) => Err(GraphError::bad_request(format!(
            "Cannot convert the literal '{other}' to the expected type '{}'.",
            MEMBER_ROLE.name
        ))),
    }
}

fn required_string(body: &Object, name: &str) -> Result<String, GraphError> {
    match body.get(name) {
        Some(Value::String(value)) if !value.trim().is_empty() => Ok(value.clone()),
        _ => Err(GraphError::bad_request(format!("The property '{name}' is required."))),
    }
}

// ----- templates (B.9) -----

/// `templateApplicationLevel` in Graph's canonical form: members in declaration order, `""` read as `none` (B.9.3,
/// B.11: the documented "disable" example sends `""`; the property is not nullable).
pub(crate) fn canonical_level(level: &str) -> String {
    let members: Vec<&str> = level.split(',').map(str::trim).filter(|m| !m.is_empty()).collect();
    let ordered: Vec<&str> = ["newPartners", "existingPartners"].into_iter().filter(|m| members.contains(m)).collect();
    if ordered.is_empty() { "none".to_owned() } else { ordered.join(",") }
}

fn level_applies(template: &Object, configuration_is_new: bool) -> bool {
    let level = template.get("templateApplicationLevel").and_then(Value::as_str).unwrap_or("none");
    let wanted = if configuration_is_new { "newPartners" } else { "existingPartners" };
    level.split(',').map(str::trim).any(|m| m == wanted)
}

/// Copies the template's non-null values onto a partner configuration (B.9: "only applied to properties where the
/// corresponding template property has a non-null value"). The flat boolean settings are applied member by member,
/// so `{"inboundAllowed": true, "outboundAllowed": null}` changes only `inboundAllowed` [INF].
fn apply_partner_template(partner: &mut Object, template: &Object) {
    for name in ["inboundTrust", "automaticUserConsentSettings"] {
        let Some(Value::Object(values)) = template.get(name) else { continue };
        for (member, value) in values {
            if value.is_null() {
                continue;
            }
            let target = partner.entry(name.to_owned()).or_insert(Value::Null);
            if !target.is_object() {
                *target = Value::Object(Object::new());
            }
            if let Value::Object(target) = target {
                target.insert(member.clone(), value.clone());
            }
        }
    }
    for name in
        ["b2bCollaborationInbound", "b2bCollaborationOutbound", "b2bDirectConnectInbound", "b2bDirectConnectOutbound"]
    {
        if let Some(value) = template.get(name).filter(|v| !v.is_null()) {
            partner.insert(name.to_owned(), value.clone());
        }
    }
}

fn apply_sync_template(policy: &mut Object, template: &Object) {
    if let Some(allowed) = template.get("userSyncInbound").and_then(|u| u.get("isSyncAllowed")).filter(|v| !v.is_null())
    {
        policy.insert("userSyncInbound".to_owned(), json!({"isSyncAllowed": allowed}));
    }
}

// ----- handlers -----

impl Service {
    /// Handles a request of this module.
    pub(crate) fn mto(&self, route: &Route, request: &GraphRequest) -> Result<GraphResponse, GraphError> {
        let tenant_id = self.tenant_of(request).id().to_owned();
        match (route, &request.method) {
            (Route::Organization, &Method::GET) => {
                let select = self.mto_select(request, &ORGANIZATION)?;
                let registry = lock(&self.mto);
                Ok(self.mto_entity(
                    request,
                    "tenantRelationships/multiTenantOrganization",
                    render_view(&registry, &tenant_id),
                    select,
                ))
            }
            (Route::Organization, &Method::PUT) => self.create_organization(request, &tenant_id),
            (Route::Organization, &Method::PATCH) => self.update_organization(request, &tenant_id),
            (Route::Tenants, &Method::GET) => {
                let select = self.mto_select(request, &MEMBER)?;
                let registry = lock(&self.mto);
                let items = match registry.organization_of(&tenant_id) {
                    Some(i) => registry.organizations[i]
                        .tenants
                        .iter()
                        .map(|m| schema::apply_select(render_member(m), select.as_deref()))
                        .collect(),
                    None => Vec::new(),
                };
                let context = self.mto_context(
                    request,
                    "tenantRelationships/multiTenantOrganization/tenants",
                    select.as_deref(),
                    false,
                );
                Ok(GraphResponse::json(
                    StatusCode::OK,
                    Json::object([("@odata.context", Json::str(context)), ("value", Json::Array(items))]),
                ))
            }
            (Route::Tenants, &Method::POST) => self.add_tenant(request, &tenant_id),
            (Route::Tenant(id), &Method::GET) => {
                let select = self.mto_select(request, &MEMBER)?;
                let registry = lock(&self.mto);
                let member = registry
                    .organization_of(&tenant_id)
                    .and_then(|i| registry.organizations[i].member(id))
                    .ok_or_else(GraphError::object_not_found)?;
                Ok(self.mto_entity(
                    request,
                    "tenantRelationships/multiTenantOrganization/tenants",
                    render_member(member),
                    select,
                ))
            }
            (Route::Tenant(id), &Method::PATCH) => self.change_role(request, &tenant_id, id),
            (Route::Tenant(id), &Method::DELETE) => self.remove_tenant(request, &tenant_id, id),
            (Route::JoinRequest, &Method::GET) => {
                let select = self.mto_select(request, &JOIN_REQUEST)?;
                let mut registry = lock(&self.mto);
                let record = registry.join_request(&tenant_id).clone();
                let rendered = render_join_request(&registry, &tenant_id, &record);
                Ok(self.mto_entity(
                    request,
                    "tenantRelationships/multiTenantOrganization/joinRequest",
                    rendered,
                    select,
                ))
            }
            (Route::JoinRequest, &Method::PATCH) => self.patch_join_request(request, &tenant_id),
            _ => Err(GraphError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "Request_BadRequest",
                format!("The HTTP method '{}' is not allowed on this resource.", request.method),
            )),
        }
    }

    fn mto_select(&self, request: &GraphRequest, ty: &ComplexType) -> Result<Option<Vec<String>>, GraphError> {
        let options = self.query(request, Supported { select: true, expand: false, paging: false })?;
        options.select.map(|names| schema::resolve_select(&names, ty, &[])).transpose()
    }

    fn mto_context(&self, request: &GraphRequest, path: &str, select: Option<&[String]>, entity: bool) -> String {
        let mut context = format!("{}/{}/$metadata#{path}", request.base, request.version.as_str());
        if let Some(select) = select {
            context.push_str(&format!("({})", select.join(",")));
        }
        if entity {
            context.push_str("/$entity");
        }
        context
    }

    fn mto_entity(
        &self,
        request: &GraphRequest,
        path: &str,
        rendered: Json,
        select: Option<Vec<String>>,
    ) -> GraphResponse {
        self.mto_entity_with_status(request, StatusCode::OK, path, rendered, select)
    }

    fn mto_entity_with_status(
        &self,
        request: &GraphRequest,
        status: StatusCode,
        path: &str,
        rendered: Json,
        select: Option<Vec<String>>,
    ) -> GraphResponse {
        let context = self.mto_context(request, path, select.as_deref(), true);
        let rendered = schema::apply_select(rendered, select.as_deref());
        GraphResponse::json(status, rendered.with_leading("@odata.context", Json::str(context)))
    }

    fn display_name_of(&self, tenant_id: &str) -> String {
        crate::directory::find_by_id(&self.directory(), tenant_id)
            .and_then(|t| t.display_name.clone())
            .unwrap_or_else(|| tenant_id.to_owned())
    }

    /// Creates an organization owned by `tenant_id` (B.3.2).
    fn new_organization(&self, registry: &mut Registry, tenant_id: &str, body: &Object) -> Result<(), GraphError> {
        if registry.organization_of(tenant_id).is_some() {
            return Err(GraphError::bad_request(
                "The tenant is already part of a multi-tenant organization; a tenant can create or join only one.",
            ));
        }
        let display_name = required_string(body, "displayName")?;
        let created = now_string();
        let owner = Member {
            tenant_id: tenant_id.to_owned(),
            display_name: self.display_name_of(tenant_id),
            added_date_time: created.clone(),
            joined_date_time: None,
            added_by_tenant_id: tenant_id.to_owned(),
            role: "owner".to_owned(),
            state: "active".to_owned(),
            transition: None,
        };
        registry.organizations.push(Organization {
            display_name,
            description: body.get("description").and_then(Value::as_str).map(str::to_owned),
            created_date_time: created,
            creator_tenant_id: tenant_id.to_owned(),
            local_ids: BTreeMap::from([(tenant_id.to_owned(), new_id())]),
            tenants: vec![owner],
        });
        Ok(())
    }

    fn read_organization_body(&self, request: &GraphRequest) -> Result<Object, GraphError> {
        let mut body = self.read_body(request, &ORGANIZATION)?;
        self.read_only(&mut body, &["id", "createdDateTime", "state"])?;
        Ok(body)
    }

    fn create_organization(&self, request: &GraphRequest, tenant_id: &str) -> Result<GraphResponse, GraphError> {
        let body = self.read_organization_body(request)?;
        let mut registry = lock(&self.mto);
        self.new_organization(&mut registry, tenant_id, &body)?;
        Ok(self.mto_entity_with_status(
            request,
            StatusCode::CREATED,
            "tenantRelationships/multiTenantOrganization",
            render_view(&registry, tenant_id),
            None,
        ))
    }

    /// PATCH: owner only; on a tenant without an organization, a PATCH that sets `displayName` creates one (B.3.2:
    /// SDK users report that PATCH works "because until displayName is null, the feature is not active") [INF].
    fn update_organization(&self, request: &GraphRequest, tenant_id: &str) -> Result<GraphResponse, GraphError> {
        let body = self.read_organization_body(request)?;
        let mut registry = lock(&self.mto);
        let Some(index) = registry.organization_of(tenant_id) else {
            self.new_organization(&mut registry, tenant_id, &body)?;
            return Ok(GraphResponse::no_content());
        };
        let organization = &mut registry.organizations[index];
        if !organization.is_active_owner(tenant_id) {
            return Err(owner_only("change the multi-tenant organization"));
        }
        if body.contains_key("displayName") {
            organization.display_name = required_string(&body, "displayName")?;
        }
        if let Some(description) = body.get("description") {
            organization.description = description.as_str().map(str::to_owned);
        }
        Ok(GraphResponse::no_content())
    }

    fn add_tenant(&self, request: &GraphRequest, caller: &str) -> Result<GraphResponse, GraphError> {
        let mut body = self.read_body(request, &MEMBER)?;
        self.read_only(
            &mut body,
            &["addedDateTime", "joinedDateTime", "addedByTenantId", "state", "transitionDetails"],
        )?;
        let tenant_id = read_guid(&body, "tenantId")?
            .ok_or_else(|| GraphError::bad_request("The property 'tenantId' is required."))?;
        let display_name = required_string(&body, "displayName")?;
        let role = read_role(&body)?.unwrap_or_else(|| "member".to_owned());
        let mut registry = lock(&self.mto);
        let index = registry.organization_of(caller).ok_or_else(not_in_organization)?;
        let organization = &mut registry.organizations[index];
        if !organization.is_active_owner(caller) {
            return Err(owner_only("add tenants"));
        }
        // Pending, active and departing tenants are all "already being added" (B.4.1).
        if organization.member(&tenant_id).is_some() {
            return Err(duplicate_tenant());
        }
        // More than the active-tenant limit may be pending; the limit is checked when a tenant joins (B.7).
        let member = Member {
            tenant_id,
            display_name,
            added_date_time: now_string(),
            joined_date_time: None,
            added_by_tenant_id: caller.to_owned(),
            role,
            state: "pending".to_owned(),
            transition: None,
        };
        let rendered = render_member(&member);
        organization.tenants.push(member);
        Ok(self.mto_entity_with_status(
            request,
            StatusCode::CREATED,
            "tenantRelationships/multiTenantOrganization/tenants",
            rendered,
            None,
        ))
    }

    fn change_role(&self, request: &GraphRequest, caller: &str, target: &str) -> Result<GraphResponse, GraphError> {
        let mut body = self.read_body(request, &MEMBER)?;
        self.read_only(
            &mut body,
            &["tenantId", "addedDateTime", "joinedDateTime", "addedByTenantId", "state", "transitionDetails"],
        )?;
        if body.contains_key("displayName") {
            return Err(GraphError::bad_request("The property 'displayName' cannot be changed once set."));
        }
        let role = read_role(&body)?;
        let mut registry = lock(&self.mto);
        let delay = registry.delay();
        let index = registry.organization_of(caller).ok_or_else(GraphError::object_not_found)?;
        let organization = &mut registry.organizations[index];
        if !organization.is_active_owner(caller) {
            return Err(owner_only("change the role of a tenant"));
        }
        let Some(role) = role else { return Ok(GraphResponse::no_content()) };
        let owners_left = organization
            .tenants
            .iter()
            .filter(|m| m.tenant_id != target && m.is_settled_active() && m.role == "owner")
            .count();
        let member = organization.member_mut(target).ok_or_else(GraphError::object_not_found)?;
        if member.is_being_removed() {
            return Err(GraphError::bad_request("The tenant is being removed from the multi-tenant organization."));
        }
        if role == "member" && member.role == "owner" && member.is_active() && owners_left == 0 {
            return Err(GraphError::bad_request(
                "A multi-tenant organization must have at least one active owner tenant; make another tenant an \
                 owner first.",
            ));
        }
        match &mut member.transition {
            // A join in progress keeps running and completes with the new role.
            Some(t) if t.kind == TransitionKind::Join => t.desired_role = role,
            _ if member.role == role => member.transition = None,
            _ => {
                member.transition = Some(Transition {
                    kind: TransitionKind::Role,
                    desired_state: member.state.clone(),
                    desired_role: role,
                    status: "notStarted".to_owned(),
                    details: None,
                    due: Some(Instant::now() + delay),
                });
            }
        }
        Ok(GraphResponse::no_content())
    }

    /// DELETE of a tenant entry: the four removal rules of B.4.4, asynchronous completion.
    fn remove_tenant(&self, request: &GraphRequest, caller: &str, target: &str) -> Result<GraphResponse, GraphError> {
        let mut registry = lock(&self.mto);
        let delay = registry.delay();
        let settings = registry.settings.clone();
        let index = registry.organization_of(caller).ok_or_else(GraphError::object_not_found)?;
        let organization = &mut registry.organizations[index];
        let caller_member = organization.member(caller).cloned().ok_or_else(GraphError::object_not_found)?;
        let target_member = organization.member(target).cloned().ok_or_else(GraphError::object_not_found)?;
        if target_member.is_being_removed() {
            // The message observed when a removal is retried while it is still running (B.4.1) [INF].
            return Err(duplicate_tenant());
        }
        let others_active =
            organization.tenants.iter().filter(|m| m.tenant_id != target && m.is_settled_active()).count();
        if target == caller {
            if caller_member.role == "owner" {
                let other_owners = organization
                    .tenants
                    .iter()
                    .filter(|m| m.tenant_id != caller && m.is_settled_active() && m.role == "owner")
                    .count();
                // An owner may leave when another active owner remains, or when it is the last active tenant
                // (which ends the organization).
                if other_owners == 0 && others_active > 0 {
                    return Err(GraphError::bad_request(
                        "The last active owner tenant cannot leave the multi-tenant organization while other \
                         tenants are active; make another tenant an owner first or remove the other tenants.",
                    ));
                }
            }
        } else if !organization.is_active_owner(caller) {
            return Err(owner_only("remove other tenants"));
        }
        if settings.protect_creator && target == organization.creator_tenant_id && others_active > 0 {
            return Err(GraphError::bad_request(
                "The tenant that created the multi-tenant organization cannot be removed.",
            ));
        }
        let member = organization.member_mut(target).ok_or_else(GraphError::object_not_found)?;
        member.transition = Some(Transition {
            kind: TransitionKind::Removal,
            desired_state: "removed".to_owned(),
            desired_role: member.role.clone(),
            status: "notStarted".to_owned(),
            details: None,
            due: Some(Instant::now() + delay),
        });
        if settings.delete_returns_member {
            let rendered = render_member(member);
            return Ok(self.mto_entity(request, "tenantRelationships/multiTenantOrganization/tenants", rendered, None));
        }
        Ok(GraphResponse::no_content())
    }

    fn patch_join_request(&self, request: &GraphRequest, tenant_id: &str) -> Result<GraphResponse, GraphError> {
        let mut body = self.read_body(request, &JOIN_REQUEST)?;
        self.read_only(&mut body, &["id", "memberState", "role", "transitionDetails"])?;
        let added_by = read_guid(&body, "addedByTenantId")?
            .ok_or_else(|| GraphError::bad_request("The property 'addedByTenantId' is required."))?;
        let mut registry = lock(&self.mto);
        let delay = registry.delay();
        // Whatever join was pending is superseded: forget its mirror on the member entries.
        for organization in &mut registry.organizations {
            if let Some(member) = organization.member_mut(tenant_id)
                && member.transition.as_ref().is_some_and(|t| t.kind == TransitionKind::Join)
            {
                member.transition = None;
            }
        }
        if added_by == ZERO_GUID {
            // Resets a failed (or pending) join (B.5); an active membership is not affected.
            let record = registry.join_request(tenant_id);
            record.transition = None;
            record.added_by_tenant_id = ZERO_GUID.to_owned();
            return Ok(GraphResponse::no_content());
        }
        if let Some(index) = registry.organization_of(tenant_id)
            && registry.organizations[index].is_active_owner(&added_by)
        {
            // Already an active tenant of that organization: nothing to do.
            registry.join_request(tenant_id).added_by_tenant_id = added_by;
            return Ok(GraphResponse::no_content());
        }
        let due = Some(Instant::now() + delay);
        for organization in &mut registry.organizations {
            let owner_ok = organization.is_active_owner(&added_by);
            if let Some(member) = organization.member_mut(tenant_id)
                && owner_ok
                && member.state == "pending"
                && !member.is_being_removed()
            {
                let desired_role = match &member.transition {
                    Some(t) if t.kind == TransitionKind::Role => t.desired_role.clone(),
                    _ => member.role.clone(),
                };
                member.transition = Some(Transition {
                    kind: TransitionKind::Join,
                    desired_state: "active".to_owned(),
                    desired_role,
                    status: "notStarted".to_owned(),
                    details: None,
                    due,
                });
            }
        }
        let record = registry.join_request(tenant_id);
        record.added_by_tenant_id = added_by;
        record.transition = Some(JoinTransition { status: "notStarted".to_owned(), details: String::new(), due });
        Ok(GraphResponse::no_content())
    }

    // ----- completion of transitions -----

    /// Completes the transitions that are due (called before every Graph request and by the control surface).
    pub(crate) fn advance_mto(&self) {
        self.complete_due(Some(Instant::now()));
    }

    /// Completes every pending transition now, whatever its due time.
    pub(crate) fn complete_mto_transitions(&self) {
        self.complete_due(None);
    }

    fn complete_due(&self, now: Option<Instant>) {
        let mut registry = lock(&self.mto);
        while let Some(due) = registry.next_due(now) {
            match due {
                Due::Join(tenant_id) => self.complete_join(&mut registry, &tenant_id),
                Due::Member { organization, tenant_id } => {
                    self.complete_member(&mut registry, organization, &tenant_id)
                }
            }
        }
    }

    fn fail_join(registry: &mut Registry, tenant_id: &str, details: String) {
        for organization in &mut registry.organizations {
            if let Some(member) = organization.member_mut(tenant_id)
                && let Some(t) = &mut member.transition
                && t.kind == TransitionKind::Join
            {
                t.status = "failed".to_owned();
                t.details = Some(details.clone());
            }
        }
        let record = registry.join_request(tenant_id);
        record.transition = Some(JoinTransition { status: "failed".to_owned(), details, due: None });
    }

    /// A join request's processing: the failure reasons of B.5, or membership and the effects of B.8.
    fn complete_join(&self, registry: &mut Registry, tenant_id: &str) {
        let added_by = registry.join_request(tenant_id).added_by_tenant_id.clone();
        let target = registry.organizations.iter().position(|o| {
            o.is_active_owner(&added_by)
                && o.member(tenant_id).is_some_and(|m| m.state == "pending" && !m.is_being_removed())
        });
        if let Some(current) = registry.organization_of(tenant_id)
            && Some(current) != target
        {
            let details = format!(
                "The tenant {tenant_id} is already part of a different multi-tenant organization; a tenant can be \
                 part of only one."
            );
            return Self::fail_join(registry, tenant_id, details);
        }
        let Some(index) = target else {
            let details = format!(
                "The tenant {tenant_id} was not added to a multi-tenant organization by tenant {added_by}: an owner \
                 tenant must add this tenant before it can join."
            );
            return Self::fail_join(registry, tenant_id, details);
        };
        let max = registry.settings.max_active_tenants;
        let organization = &mut registry.organizations[index];
        let others = organization.active_ids();
        if others.len() >= max {
            let details =
                format!("The multi-tenant organization has reached the maximum number of active tenants ({max}).");
            return Self::fail_join(registry, tenant_id, details);
        }
        if let Err(error) = self.connect(tenant_id, &others) {
            return Self::fail_join(registry, tenant_id, error.message);
        }
        let organization = &mut registry.organizations[index];
        organization.local_ids.insert(tenant_id.to_owned(), new_id());
        if let Some(member) = organization.member_mut(tenant_id) {
            if let Some(t) = member.transition.take() {
                member.role = t.desired_role;
            }
            member.state = "active".to_owned();
            member.joined_date_time = Some(now_string());
        }
        registry.join_request(tenant_id).transition = None;
    }

    fn complete_member(&self, registry: &mut Registry, index: usize, tenant_id: &str) {
        let role_change_failure = registry.settings.role_change_failure;
        let organization = &mut registry.organizations[index];
        let Some(position) = organization.tenants.iter().position(|m| m.tenant_id == tenant_id) else { return };
        let Some(transition) = organization.tenants[position].transition.take() else { return };
        match transition.kind {
            TransitionKind::Join => {}
            TransitionKind::Role if role_change_failure => {
                // The transition stays, failed and no longer due, until the next change or removal replaces it.
                let details = format!(
                    "The role of tenant {tenant_id} could not be changed to {}. Try again later.",
                    transition.desired_role
                );
                organization.tenants[position].transition =
                    Some(Transition { status: "failed".to_owned(), details: Some(details), due: None, ..transition });
            }
            TransitionKind::Role => organization.tenants[position].role = transition.desired_role,
            TransitionKind::Removal => {
                let removed = organization.tenants.remove(position);
                organization.local_ids.remove(tenant_id);
                if removed.is_active() {
                    self.disconnect(tenant_id, &organization.active_ids());
                }
                // The organization ends when its last active tenant leaves (B.7); pending tenants go with it.
                if organization.active_ids().is_empty() {
                    registry.organizations.remove(index);
                }
                if let Some(record) = registry.join_requests.get_mut(tenant_id) {
                    record.added_by_tenant_id = ZERO_GUID.to_owned();
                    record.transition = None;
                }
            }
        }
    }

    /// B.8: partner configurations and identity sync policies between `joining` and every tenant of `others`, in
    /// both directions, with each side's templates applied.
    fn connect(&self, joining: &str, others: &[String]) -> Result<(), GraphError> {
        for other in others {
            if let Some(tenant) = self.tenant(joining) {
                self.adopt_partner(tenant, other)?;
            }
            if let Some(tenant) = self.tenant(other) {
                self.adopt_partner(tenant, joining)?;
            }
        }
        Ok(())
    }

    fn adopt_partner(&self, tenant: &Tenant, partner_id: &str) -> Result<(), GraphError> {
        let templates = tenant.policy();
        let partner_template = templates.partner_template.clone();
        let sync_template = templates.sync_template.clone();
        self.write_policy(tenant, |state, _| {
            let partner_is_new = !state.partners.contains_key(partner_id);
            let partner = state.partners.entry(partner_id.to_owned()).or_insert_with(|| store::new_partner(partner_id));
            partner.insert("isInMultiTenantOrganization".to_owned(), Value::Bool(true));
            if level_applies(&partner_template, partner_is_new) {
                apply_partner_template(partner, &partner_template);
            }
            if partner_is_new {
                state.deleted_partners.remove(partner_id);
            }
            let sync_is_new = !state.sync.contains_key(partner_id);
            let policy = state.sync.entry(partner_id.to_owned()).or_insert_with(|| store::new_sync_policy(partner_id));
            if level_applies(&sync_template, sync_is_new) {
                apply_sync_template(policy, &sync_template);
            }
            Ok(())
        })
    }

    /// A completed removal: `isInMultiTenantOrganization` back to false on both sides (the configurations stay).
    fn disconnect(&self, leaving: &str, others: &[String]) {
        let clear = |tenant: &Tenant, partner_id: &str| {
            if !tenant.policy().partners.contains_key(partner_id) {
                return;
            }
            // Only the size cap could refuse this write, and clearing a flag never grows the policy.
            let _ = self.write_policy(tenant, |state, _| {
                if let Some(partner) = state.partners.get_mut(partner_id) {
                    partner.insert("isInMultiTenantOrganization".to_owned(), Value::Bool(false));
                }
                Ok(())
            });
        };
        for other in others {
            if let Some(tenant) = self.tenant(leaving) {
                clear(tenant, other);
            }
            if let Some(tenant) = self.tenant(other) {
                clear(tenant, leaving);
            }
        }
    }

    // ----- control surface -----

    pub(crate) fn mto_settings(&self) -> MtoSettings {
        lock(&self.mto).settings.clone()
    }

    pub(crate) fn set_mto_settings(&self, settings: MtoSettings) {
        lock(&self.mto).settings = settings;
    }

    /// Every organization and join request as JSON (`{"organizations":[...],"joinRequests":{...}}`).
    pub(crate) fn mto_state(&self) -> Value {
        self.advance_mto();
        serde_json::to_value(&*lock(&self.mto)).unwrap_or(Value::Null)
    }

    /// Replaces every organization and join request; pending transitions restart their delay.
    pub(crate) fn set_mto_state(&self, value: &Value) -> anyhow::Result<()> {
        let mut restored: Registry = serde_json::from_value(value.clone())?;
        let mut registry = lock(&self.mto);
        restored.settings = registry.settings.clone();
        restored.arm();
        *registry = restored;
        Ok(())
    }

    /// The organization as `tenant_id` sees it (the body of its GET, without `@odata.context`).
    pub(crate) fn mto_view(&self, tenant_id: &str) -> Value {
        self.advance_mto();
        let registry = lock(&self.mto);
        let mut view = json_to_value(&render_view(&registry, tenant_id));
        if let Some(index) = registry.organization_of(tenant_id)
            && let Value::Object(map) = &mut view
        {
            let tenants = registry.organizations[index].tenants.iter().map(|m| json_to_value(&render_member(m)));
            map.insert("tenants".to_owned(), Value::Array(tenants.collect()));
        }
        view
    }

    /// Back to no organization and no join requests (the settings stay).
    pub(crate) fn reset_mto(&self) {
        let mut registry = lock(&self.mto);
        let settings = registry.settings.clone();
        *registry = Registry { settings, ..Registry::default() };
    }
}

fn json_to_value(json: &Json) -> Value {
    serde_json::to_value(json).unwrap_or(Value::Null)
}

/// The admin endpoints under `/_emulator/multiTenantOrganization` (see the `admin` module table).
pub(crate) fn admin(service: &Service, method: &Method, rest: &[&str], body: &[u8]) -> Option<(StatusCode, Value)> {
    let parse = |body: &[u8]| serde_json::from_slice::<Value>(body);
    let bad = |message: String| {
        (StatusCode::BAD_REQUEST, json!({"error": {"code": "EmulatorAdminError", "message": message}}))
    };
    let answer = match (method, rest) {
        (&Method::GET, []) => (StatusCode::OK, service.mto_state()),
        (&Method::PUT, []) => match parse(body).map_err(anyhow::Error::from).and_then(|v| service.set_mto_state(&v)) {
            Ok(()) => (StatusCode::NO_CONTENT, Value::Null),
            Err(e) => bad(e.to_string()),
        },
        (&Method::GET, ["view", tenant_id]) => (StatusCode::OK, service.mto_view(&tenant_id.to_ascii_lowercase())),
        (&Method::POST, ["complete"]) => {
            service.complete_mto_transitions();
            (StatusCode::NO_CONTENT, Value::Null)
        }
        (&Method::GET, ["settings"]) => (StatusCode::OK, json!(service.mto_settings())),
        (&Method::PUT, ["settings"]) => match serde_json::from_slice::<MtoSettings>(body) {
            Ok(settings) => {
                service.set_mto_settings(settings);
                (StatusCode::NO_CONTENT, Value::Null)
            }
            Err(e) => bad(format!("invalid settings: {e}")),
        },
        _ => return None,
    };
    Some(answer)
}
