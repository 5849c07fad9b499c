//! The tenant's cross-tenant access state, its fixtures, and versioned storage for read-after-write lag.
//!
//! Objects are plain JSON maps shaped like the Graph docs (graph-api.md §3), stored with every property present.
//! Partners and identity-sync policies are keyed by lowercase tenant id (§11 item 1).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use crate::config::TenantRestrictionsFixture;
use crate::schema;

/// A JSON object.
pub(crate) type Object = Map<String, Value>;

/// The whole state of the emulated tenant's cross-tenant access settings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct State {
    pub(crate) policy: Object,
    pub(crate) default: Object,
    pub(crate) partners: BTreeMap<String, Object>,
    pub(crate) sync: BTreeMap<String, Object>,
    pub(crate) partner_template: Object,
    pub(crate) sync_template: Object,
    /// Soft-deleted partners (beta `/policies/deletedItems/crossTenantPartners`).
    pub(crate) deleted_partners: BTreeMap<String, Object>,
    /// Soft-deleted identity-sync policies (beta `/policies/deletedItems/crossTenantSyncPolicyPartners`).
    pub(crate) deleted_sync: BTreeMap<String, Object>,
}

/// Inputs of the fresh-tenant fixture.
#[derive(Clone, Debug)]
pub(crate) struct Fixture {
    pub(crate) tenant_id: String,
    pub(crate) policy_id: String,
    pub(crate) tenant_restrictions: TenantRestrictionsFixture,
    pub(crate) service_provider_partners: Vec<String>,
}

/// The MTO partner template's id (the docs truncate theirs; this one keeps their prefix).
pub(crate) const PARTNER_TEMPLATE_ID: &str = "75b1889b-56b8-4a47-9b5b-0d2a5f1e3c90";
/// The MTO identity sync template's id.
pub(crate) const SYNC_TEMPLATE_ID: &str = "0e7aad84-7a04-4d4b-8b1e-5c3f2a9d6e71";

fn target_configuration(access: &str, target: &str, target_type: &str) -> Value {
    json!({"accessType": access, "targets": [{"target": target, "targetType": target_type}]})
}

fn b2b_setting(access: &str) -> Value {
    json!({
        "usersAndGroups": target_configuration(access, "AllUsers", "user"),
        "applications": target_configuration(access, "AllApplications", "application"),
    })
}

/// The root policy of a fresh tenant (graph-api.md E1, §5.2).
pub(crate) fn fresh_policy(fixture: &Fixture) -> Object {
    object(json!({
        "id": fixture.policy_id,
        "displayName": format!("CrossTenantAccessPolicy for {}", fixture.tenant_id),
        "allowedCloudEndpoints": [],
    }))
}

/// The service default configuration (graph-api.md §5.1, §6.7).
pub(crate) fn service_default(fixture: &Fixture) -> Object {
    let tenant_restrictions = match fixture.tenant_restrictions {
        TenantRestrictionsFixture::ServiceObject => json!({
            "devices": null,
            "usersAndGroups": target_configuration("blocked", "AllUsers", "user"),
            "applications": target_configuration("blocked", "AllApplications", "application"),
        }),
        TenantRestrictionsFixture::Null => Value::Null,
    };
    object(json!({
        "id": fixture.policy_id,
        "isServiceDefault": true,
        "inboundTrust": {
            "isMfaAccepted": false, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false
        },
        "b2bCollaborationOutbound": b2b_setting("allowed"),
        "b2bCollaborationInbound": b2b_setting("allowed"),
        "b2bDirectConnectOutbound": b2b_setting("blocked"),
        "b2bDirectConnectInbound": b2b_setting("blocked"),
        "automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false},
        "tenantRestrictions": tenant_restrictions,
        "invitationRedemptionIdentityProviderConfiguration": {
            "primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory", "externalFederation", "socialIdentityProviders"],
            "fallbackIdentityProvider": "defaultConfiguredIdp"
        },
        "m365CollaborationInbound": {"users": target_configuration("blocked", "AllUsers", "user")},
        "m365CollaborationOutbound": {"usersAndGroups": target_configuration("allowed", "AllUsers", "user")},
        "appServiceConnectInbound": {"applications": target_configuration("blocked", "AllApplications", "application")},
    }))
}

/// A partner created with only its tenant id (graph-api.md §5.4): every setting null.
pub(crate) fn new_partner(tenant_id: &str) -> Object {
    let mut partner: Object = schema::PARTNER.properties.iter().map(|p| (p.name.to_owned(), Value::Null)).collect();
    partner.insert("tenantId".to_owned(), Value::String(tenant_id.to_owned()));
    partner.insert("isInMultiTenantOrganization".to_owned(), Value::Bool(false));
    partner
}

/// An identity-sync policy with only its tenant id.
pub(crate) fn new_sync_policy(tenant_id: &str) -> Object {
    object(json!({"tenantId": tenant_id, "displayName": null, "userSyncInbound": null}))
}

/// The MTO partner template in its reset state (graph-api.md §3.6).
pub(crate) fn reset_partner_template() -> Object {
    object(json!({
        "id": PARTNER_TEMPLATE_ID,
        "templateApplicationLevel": "newPartners,existingPartners",
        "inboundTrust": null,
        "b2bCollaborationOutbound": null,
        "b2bCollaborationInbound": null,
        "b2bDirectConnectOutbound": null,
        "b2bDirectConnectInbound": null,
        "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null},
    }))
}

/// The MTO identity sync template in its reset state (graph-api.md §3.6).
pub(crate) fn reset_sync_template() -> Object {
    object(json!({
        "id": SYNC_TEMPLATE_ID,
        "templateApplicationLevel": "newPartners,existingPartners",
        "userSyncInbound": {"isSyncAllowed": null},
    }))
}

fn object(value: Value) -> Object {
    match value {
        Value::Object(map) => map,
        _ => Object::new(),
    }
}

impl State {
    /// The state of a fresh tenant.
    pub(crate) fn fresh(fixture: &Fixture) -> State {
        let mut state = State {
            policy: fresh_policy(fixture),
            default: service_default(fixture),
            partners: BTreeMap::new(),
            sync: BTreeMap::new(),
            partner_template: reset_partner_template(),
            sync_template: reset_sync_template(),
            deleted_partners: BTreeMap::new(),
            deleted_sync: BTreeMap::new(),
        };
        for tenant_id in &fixture.service_provider_partners {
            let key = tenant_id.to_ascii_lowercase();
            let mut partner = new_partner(&key);
            partner.insert("isServiceProvider".to_owned(), Value::Bool(true));
            state.partners.insert(key, partner);
        }
        state
    }

    /// The state as one JSON document (the control surface's `state()`).
    pub(crate) fn to_value(&self) -> Value {
        let map = |m: &BTreeMap<String, Object>| -> Value {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), Value::Object(v.clone()))).collect())
        };
        json!({
            "policy": self.policy,
            "default": self.default,
            "partners": map(&self.partners),
            "identitySynchronization": map(&self.sync),
            "templates": {
                "multiTenantOrganizationPartnerConfiguration": self.partner_template,
                "multiTenantOrganizationIdentitySynchronization": self.sync_template,
            },
            "deletedItems": {
                "crossTenantPartners": map(&self.deleted_partners),
                "crossTenantSyncPolicyPartners": map(&self.deleted_sync),
            },
        })
    }

    /// Builds a state from a JSON document of the `to_value` shape. Sections that are absent keep their value
    /// from `base`; partners and sync policies may be given as a map keyed by tenant id or as an array.
    pub(crate) fn from_value(value: &Value, base: &State) -> anyhow::Result<State> {
        let Value::Object(root) = value else {
            anyhow::bail!("the state must be a JSON object");
        };
        const SECTIONS: [&str; 6] =
            ["policy", "default", "partners", "identitySynchronization", "templates", "deletedItems"];
        if let Some(unknown) = root.keys().find(|k| !SECTIONS.contains(&k.as_str())) {
            anyhow::bail!("unknown state section '{unknown}'; expected one of {SECTIONS:?}");
        }
        let mut state = base.clone();
        if let Some(policy) = root.get("policy") {
            state.policy = require_object(policy, "policy")?;
        }
        if let Some(default) = root.get("default") {
            state.default = require_object(default, "default")?;
        }
        if let Some(partners) = root.get("partners") {
            state.partners = keyed_objects(partners, "partners")?;
        }
        if let Some(sync) = root.get("identitySynchronization") {
            state.sync = keyed_objects(sync, "identitySynchronization")?;
        }
        if let Some(templates) = root.get("templates") {
            let templates = require_object(templates, "templates")?;
            if let Some(t) = templates.get("multiTenantOrganizationPartnerConfiguration") {
                state.partner_template = require_object(t, "templates.multiTenantOrganizationPartnerConfiguration")?;
            }
            if let Some(t) = templates.get("multiTenantOrganizationIdentitySynchronization") {
                state.sync_template = require_object(t, "templates.multiTenantOrganizationIdentitySynchronization")?;
            }
        }
        if let Some(deleted) = root.get("deletedItems") {
            let deleted = require_object(deleted, "deletedItems")?;
            if let Some(p) = deleted.get("crossTenantPartners") {
                state.deleted_partners = keyed_objects(p, "deletedItems.crossTenantPartners")?;
            }
            if let Some(s) = deleted.get("crossTenantSyncPolicyPartners") {
                state.deleted_sync = keyed_objects(s, "deletedItems.crossTenantSyncPolicyPartners")?;
            }
        }
        Ok(state)
    }

    /// Size of the whole policy as JSON, for the legacy 25 KB cap (R21).
    pub(crate) fn policy_size(&self) -> usize {
        let value = json!({
            "policy": self.policy, "default": self.default,
            "partners": self.partners.values().collect::<Vec<_>>(),
            "sync": self.sync.values().collect::<Vec<_>>(),
        });
        value.to_string().len()
    }
}

fn require_object(value: &Value, what: &str) -> anyhow::Result<Object> {
    match value {
        Value::Object(map) => Ok(map.clone()),
        _ => anyhow::bail!("state section '{what}' must be a JSON object"),
    }
}

/// Reads partners or sync policies: a map keyed by tenant id, or an array of objects with `tenantId`.
fn keyed_objects(value: &Value, what: &str) -> anyhow::Result<BTreeMap<String, Object>> {
    let mut out = BTreeMap::new();
    let mut add = |key: Option<&str>, item: &Value| -> anyhow::Result<()> {
        let mut object = require_object(item, what)?;
        let tenant_id = match (object.get("tenantId").and_then(Value::as_str), key) {
            (Some(id), _) => id.to_owned(),
            (None, Some(key)) => key.to_owned(),
            (None, None) => anyhow::bail!("an entry of '{what}' has no tenantId"),
        };
        if let Some(key) = key
            && !key.eq_ignore_ascii_case(&tenant_id)
        {
            anyhow::bail!("entry '{key}' of '{what}' has tenantId '{tenant_id}'");
        }
        let key = tenant_id.to_ascii_lowercase();
        object.insert("tenantId".to_owned(), Value::String(key.clone()));
        out.insert(key, object);
        Ok(())
    };
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                add(Some(key), item)?;
            }
        }
        Value::Array(items) => {
            for item in items {
                add(None, item)?;
            }
        }
        _ => anyhow::bail!("state section '{what}' must be an object keyed by tenant id or an array"),
    }
    Ok(out)
}

/// Versioned storage. Each Graph write adds a version; a read with lag sees the newest version that is at least
/// `lag` old, so a read right after a write sees the state from before it (§8.3).
#[derive(Debug)]
pub(crate) struct Store {
    /// Oldest first; the last entry is the current state. `None` marks the baseline, which is always visible.
    versions: VecDeque<(Option<Instant>, Arc<State>)>,
    /// Deleted partner tenant ids and when their reservation ends.
    reserved: HashMap<String, Instant>,
}

impl Store {
    pub(crate) fn new(state: State) -> Store {
        Store { versions: VecDeque::from([(None, Arc::new(state))]), reserved: HashMap::new() }
    }

    /// The true current state (writes validate against it).
    pub(crate) fn current(&self) -> Arc<State> {
        // The deque always holds at least the baseline.
        self.versions.back().map(|(_, s)| Arc::clone(s)).unwrap_or_else(|| Arc::new(empty_state()))
    }

    /// The state a read sees with the given lag.
    pub(crate) fn visible(&mut self, lag: Option<Duration>) -> Arc<State> {
        let Some(lag) = lag else {
            return self.current();
        };
        let now = Instant::now();
        let cutoff = now.checked_sub(lag);
        let mut index = 0;
        for (i, (committed, _)) in self.versions.iter().enumerate() {
            let old_enough = match (committed, cutoff) {
                (None, _) => true,
                (Some(at), Some(cutoff)) => *at <= cutoff,
                (Some(_), None) => false,
            };
            if old_enough {
                index = i;
            }
        }
        // Versions older than the visible one can never be seen again.
        self.versions.drain(..index);
        Arc::clone(&self.versions[0].1)
    }

    /// Records a new version from a Graph write. Without lag the history collapses to the new state.
    pub(crate) fn commit(&mut self, state: State, lag: Option<Duration>) {
        let state = Arc::new(state);
        if lag.is_none() {
            self.versions.clear();
            self.versions.push_back((None, state));
        } else {
            self.versions.push_back((Some(Instant::now()), state));
        }
    }

    /// Replaces the state out of band: immediately visible, history dropped.
    pub(crate) fn replace(&mut self, state: State) {
        self.versions.clear();
        self.versions.push_back((None, Arc::new(state)));
    }

    /// Reserves a deleted partner's tenant id until `until`.
    pub(crate) fn reserve(&mut self, tenant_id: &str, until: Instant) {
        self.reserved.insert(tenant_id.to_owned(), until);
    }

    /// Whether the tenant id is still reserved after a delete.
    pub(crate) fn is_reserved(&mut self, tenant_id: &str) -> bool {
        let now = Instant::now();
        self.reserved.retain(|_, until| *until > now);
        self.reserved.contains_key(tenant_id)
    }

    /// Drops every reservation.
    pub(crate) fn clear_reservations(&mut self) {
        self.reserved.clear();
    }
}

fn empty_state() -> State {
    State {
        policy: Object::new(),
        default: Object::new(),
        partners: BTreeMap::new(),
        sync: BTreeMap::new(),
        partner_template: Object::new(),
        sync_template: Object::new(),
        deleted_partners: BTreeMap::new(),
        deleted_sync: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Fixture {
        Fixture {
            tenant_id: "t".to_owned(),
            policy_id: "p".to_owned(),
            tenant_restrictions: TenantRestrictionsFixture::ServiceObject,
            service_provider_partners: vec!["AAAAAAAA-0000-0000-0000-000000000000".to_owned()],
        }
    }

    #[test]
    fn fresh_state_has_service_provider_partners_keyed_lowercase() {
        let state = State::fresh(&fixture());
        let partner = &state.partners["aaaaaaaa-0000-0000-0000-000000000000"];
        assert_eq!(partner["isServiceProvider"], Value::Bool(true));
        assert_eq!(state.policy["displayName"], "CrossTenantAccessPolicy for t");
        assert_eq!(state.default["id"], state.policy["id"]);
    }

    #[test]
    fn state_round_trips_and_accepts_arrays() {
        let state = State::fresh(&fixture());
        let again = State::from_value(&state.to_value(), &state).unwrap();
        assert_eq!(again, state);
        let value = json!({"partners": [{"tenantId": "BBBBBBBB-0000-0000-0000-000000000000"}]});
        let replaced = State::from_value(&value, &state).unwrap();
        assert!(replaced.partners.contains_key("bbbbbbbb-0000-0000-0000-000000000000"));
        assert!(State::from_value(&json!({"partner": {}}), &state).is_err());
        assert!(State::from_value(&json!({"partners": {"x": {"tenantId": "y"}}}), &state).is_err());
        assert!(State::from_value(&json!([]), &state).is_err());
    }

    #[test]
    fn lagged_reads_see_the_previous_version_until_the_lag_passes() {
        let state = State::fresh(&fixture());
        let mut store = Store::new(state.clone());
        let lag = Some(Duration::from_millis(80));
        let mut changed = state.clone();
        changed.partners.insert("x".to_owned(), new_partner("x"));
        store.commit(changed, lag);
        assert!(!store.visible(lag).partners.contains_key("x"));
        assert!(store.current().partners.contains_key("x"));
        assert!(store.visible(None).partners.contains_key("x"));
        std::thread::sleep(Duration::from_millis(100));
        assert!(store.visible(lag).partners.contains_key("x"));
    }

    #[test]
    fn reservations_expire() {
        let mut store = Store::new(State::fresh(&fixture()));
        store.reserve("x", Instant::now() + Duration::from_millis(30));
        assert!(store.is_reserved("x"));
        std::thread::sleep(Duration::from_millis(40));
        assert!(!store.is_reserved("x"));
    }
}
