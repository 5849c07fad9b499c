//! The multi-tenant organization (graph-sync-and-mto.md Part B): the singleton's per-tenant views, the tenants
//! collection and its rules, the join request's state machine and failure reasons, a join's effects on both
//! tenants' partner configurations, removal, the templates' "disable" value, the control surface and isolation.

mod common;

use std::time::{Duration, Instant};

use common::Harness;
use entra_graph_emulator::{AppRegistration, EmulatorConfig, MtoSettings, ROLE_POLICY_READ_ALL};
use reqwest::Method;
use serde_json::{Value, json};

const MTO: &str = "/v1.0/tenantRelationships/multiTenantOrganization";
const TENANTS: &str = "/v1.0/tenantRelationships/multiTenantOrganization/tenants";
const JOIN: &str = "/v1.0/tenantRelationships/multiTenantOrganization/joinRequest";
const PARTNER_TEMPLATE: &str =
    "/v1.0/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration";
const SYNC_TEMPLATE: &str =
    "/v1.0/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization";
const PARTNERS: &str = "/v1.0/policies/crossTenantAccessPolicy/partners";
const ZERO: &str = "00000000-0000-0000-0000-000000000000";

/// The keys appear in the response text in this order (the documented examples' order).
fn assert_key_order(text: &str, keys: &[&str]) {
    let positions: Vec<usize> =
        keys.iter().map(|k| text.find(&format!("\"{k}\":")).unwrap_or_else(|| panic!("{k} in {text}"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
}

/// An emulator with `count` tenants and each tenant's token.
struct Org {
    h: Harness,
    tokens: Vec<String>,
    ids: Vec<String>,
}

impl Org {
    async fn start(count: usize) -> Org {
        let h = Harness::start(EmulatorConfig::default().with_tenants(count)).await;
        let mut tokens = Vec::new();
        let mut ids = Vec::new();
        for index in 0..count {
            tokens.push(h.tenant_token(index).await);
            ids.push(h.emulator.tenant(index).unwrap().tenant_id().to_owned());
        }
        Org { h, tokens, ids }
    }

    async fn call(&self, tenant: usize, method: Method, path: &str, body: Option<Value>) -> common::Reply {
        self.h.as_tenant(&self.tokens[tenant], method, path, body.as_ref()).await
    }

    async fn get(&self, tenant: usize, path: &str) -> common::Reply {
        self.call(tenant, Method::GET, path, None).await
    }

    /// Tenant 0 creates the organization.
    async fn create(&self) {
        let reply = self.call(0, Method::PUT, MTO, Some(json!({"displayName": "Contoso organization"}))).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }

    /// `owner` adds `tenant` (pending).
    async fn add(&self, owner: usize, tenant: usize) {
        let body = json!({"tenantId": self.ids[tenant], "displayName": format!("Tenant {tenant}")});
        let reply = self.call(owner, Method::POST, TENANTS, Some(body)).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }

    /// `tenant` asks to join the organization of `owner`.
    async fn request_join(&self, tenant: usize, owner: usize) {
        let body = json!({"addedByTenantId": self.ids[owner]});
        let reply = self.call(tenant, Method::PATCH, JOIN, Some(body)).await;
        assert_eq!(reply.status, 204, "{}", reply.text);
    }

    /// Polls `tenant`'s join request until it is no longer in progress, as a client would.
    async fn wait_join(&self, tenant: usize) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let reply = self.get(tenant, JOIN).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            let in_progress = reply.json["transitionDetails"]["status"] == "notStarted";
            if !in_progress {
                return reply.json;
            }
            assert!(Instant::now() < deadline, "the join never completed: {}", reply.text);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn join(&self, tenant: usize, owner: usize) {
        self.add(owner, tenant).await;
        self.request_join(tenant, owner).await;
        let record = self.wait_join(tenant).await;
        assert_eq!(record["memberState"], "active", "{record}");
    }

    async fn member(&self, viewer: usize, tenant: usize) -> common::Reply {
        self.get(viewer, &format!("{TENANTS}/{}", self.ids[tenant])).await
    }
}

#[tokio::test]
async fn a_tenant_without_an_organization_reads_inactive_and_there_is_no_delete() {
    let o = Org::start(2).await;
    let reply = o.get(0, MTO).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        o.h.as_graph(&reply.json),
        json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/multiTenantOrganization/$entity",
            "createdDateTime": null, "displayName": null, "description": null, "state": "inactive"
        })
    );
    let delete = o.call(0, Method::DELETE, MTO, None).await;
    assert_eq!(delete.status, 405, "{}", delete.text);
    let tenants = o.get(0, TENANTS).await;
    assert_eq!(tenants.status, 200);
    assert_eq!(tenants.json["value"], json!([]));
    let join = o.get(1, JOIN).await;
    assert_eq!(join.status, 200);
    assert!(join.json["id"].as_str().is_some_and(|id| id.len() == 36));
    assert_eq!(join.json["addedByTenantId"], ZERO);
    assert_eq!(join.json["memberState"], Value::Null);
    assert_eq!(join.json["role"], Value::Null);
    assert_eq!(join.json["transitionDetails"], Value::Null);
    assert_eq!(o.get(0, &format!("{MTO}/unknown")).await.status, 400);
    assert_eq!(o.member(0, 1).await.error_code(), "Directory_ObjectNotFound");
}

#[tokio::test]
async fn put_creates_once_and_the_creator_is_an_active_owner() {
    let o = Org::start(2).await;
    let missing = o.call(0, Method::PUT, MTO, Some(json!({"description": "x"}))).await;
    assert_eq!(missing.status, 400, "{}", missing.text);
    let miscased = o.call(0, Method::PUT, MTO, Some(json!({"DisplayName": "x"}))).await;
    assert_eq!(miscased.error_message(), "Invalid property 'DisplayName'.");
    let read_only = o.call(0, Method::PUT, MTO, Some(json!({"displayName": "x", "state": "active"}))).await;
    assert_eq!(read_only.status, 400);

    let body = json!({"displayName": "Contoso organization", "description": "Contoso and Fabrikam"});
    let created = o.call(0, Method::PUT, MTO, Some(body)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["state"], "active");
    assert_eq!(created.json["displayName"], "Contoso organization");
    assert_eq!(created.json["description"], "Contoso and Fabrikam");
    assert!(created.json["createdDateTime"].as_str().unwrap().ends_with('Z'));
    assert_key_order(
        &created.text,
        &["@odata.context", "id", "createdDateTime", "displayName", "description", "state"],
    );
    assert_eq!(o.get(0, MTO).await.json["id"], created.json["id"]);

    let again = o.call(0, Method::PUT, MTO, Some(json!({"displayName": "Second"}))).await;
    assert_eq!(again.status, 400, "{}", again.text);
    assert_eq!(again.error_code(), "Request_BadRequest");

    let tenants = o.get(0, TENANTS).await.json["value"].clone();
    assert_eq!(tenants.as_array().unwrap().len(), 1);
    let owner = &tenants[0];
    assert_eq!(owner["tenantId"], o.ids[0]);
    assert_eq!(owner["role"], "owner");
    assert_eq!(owner["state"], "active");
    assert_eq!(owner["joinedDateTime"], Value::Null);
    assert_eq!(owner["addedByTenantId"], o.ids[0]);
    assert_eq!(owner["addedDateTime"], created.json["createdDateTime"]);
    assert_eq!(owner["transitionDetails"], Value::Null);
    let owner_join = o.get(0, JOIN).await.json;
    assert_eq!((owner_join["memberState"].clone(), owner_join["role"].clone()), (json!("active"), json!("owner")));

    let patch = o.call(0, Method::PATCH, MTO, Some(json!({"displayName": "Renamed", "description": null}))).await;
    assert_eq!(patch.status, 204, "{}", patch.text);
    let read = o.get(0, &format!("{MTO}?$select=displayName,description")).await;
    assert_eq!(read.json["displayName"], "Renamed");
    assert_eq!(read.json["description"], Value::Null);
    assert!(read.json.get("state").is_none());
    assert!(
        read.json["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("multiTenantOrganization(displayName,description)/$entity")
    );
}

#[tokio::test]
async fn patch_with_a_display_name_creates_on_an_inactive_tenant() {
    let o = Org::start(2).await;
    let reply = o.call(1, Method::PATCH, MTO, Some(json!({"displayName": "Made by PATCH"}))).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert_eq!(o.get(1, MTO).await.json["state"], "active");
    assert_eq!(o.get(0, MTO).await.json["state"], "inactive");
}

#[tokio::test]
async fn adding_tenants_follows_the_documented_rules() {
    let o = Org::start(3).await;
    let outsider = o.call(0, Method::POST, TENANTS, Some(json!({"tenantId": o.ids[1], "displayName": "B"}))).await;
    assert_eq!(outsider.status, 400, "not in an organization yet: {}", outsider.text);
    o.create().await;

    let body = json!({"tenantId": o.ids[1].to_uppercase(), "displayName": "Fabrikam"});
    let added = o.call(0, Method::POST, TENANTS, Some(body.clone())).await;
    assert_eq!(added.status, 201, "{}", added.text);
    let expected = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/multiTenantOrganization/tenants/$entity",
        "tenantId": o.ids[1], "displayName": "Fabrikam",
        "addedDateTime": added.json["addedDateTime"], "joinedDateTime": null,
        "addedByTenantId": o.ids[0], "role": "member", "state": "pending", "transitionDetails": null
    });
    assert_eq!(o.h.as_graph(&added.json), expected);
    let documented_order = [
        "tenantId",
        "displayName",
        "addedDateTime",
        "joinedDateTime",
        "addedByTenantId",
        "role",
        "state",
        "transitionDetails",
    ];
    assert_key_order(&added.text, &documented_order);

    let duplicate = o.call(0, Method::POST, TENANTS, Some(body)).await;
    assert_eq!(duplicate.status, 400);
    assert_eq!(duplicate.error_code(), "Request_BadRequest");
    assert_eq!(duplicate.error_message(), "Tenant is already being added in Multi-Tenant Organization.");
    let self_add = o.call(0, Method::POST, TENANTS, Some(json!({"tenantId": o.ids[0], "displayName": "Me"}))).await;
    assert_eq!(self_add.error_message(), "Tenant is already being added in Multi-Tenant Organization.");

    for bad in [
        json!({"tenantId": "not-a-guid", "displayName": "x"}),
        json!({"tenantId": o.ids[2]}),
        json!({"displayName": "x"}),
        json!({"tenantId": o.ids[2], "displayName": "x", "role": "admin"}),
        json!({"tenantId": o.ids[2], "displayName": "x", "state": "active"}),
        json!({"tenantId": o.ids[2], "displayName": "x", "TenantId": o.ids[2]}),
    ] {
        let reply = o.call(0, Method::POST, TENANTS, Some(bad.clone())).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text);
    }
    let owner = json!({"tenantId": o.ids[2], "displayName": "Woodgrove", "role": "owner"});
    let pending_owner = o.call(0, Method::POST, TENANTS, Some(owner)).await;
    assert_eq!(
        (pending_owner.json["role"].clone(), pending_owner.json["state"].clone()),
        (json!("owner"), json!("pending"))
    );

    let list = o.get(0, &format!("{TENANTS}?$select=tenantId,state")).await;
    assert_eq!(list.json["value"].as_array().unwrap().len(), 3);
    assert_eq!(list.json["value"][1], json!({"tenantId": o.ids[1], "state": "pending"}));
    let one = o.member(0, 1).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json["displayName"], "Fabrikam");
    let rename =
        o.call(0, Method::PATCH, &format!("{TENANTS}/{}", o.ids[1]), Some(json!({"displayName": "New"}))).await;
    assert_eq!(rename.status, 400, "displayName cannot change: {}", rename.text);
    // A pending tenant does not see the organization before it joins.
    assert_eq!(o.get(1, MTO).await.json["state"], "inactive");
    assert_eq!(o.get(1, TENANTS).await.json["value"], json!([]));
}

#[tokio::test]
async fn a_join_activates_the_tenant_and_creates_partner_configurations_with_template_values() {
    let o = Org::start(2).await;
    // The owner's templates apply to the partner configuration it gets for the joining tenant.
    let owner_template = json!({
        "inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": null, "isHybridAzureADJoinedDeviceAccepted": null},
        "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": true},
        "templateApplicationLevel": "newPartners,existingPartners"
    });
    assert_eq!(o.call(0, Method::PATCH, PARTNER_TEMPLATE, Some(owner_template)).await.status, 204);
    assert_eq!(
        o.call(0, Method::PATCH, SYNC_TEMPLATE, Some(json!({"userSyncInbound": {"isSyncAllowed": true}}))).await.status,
        204
    );
    // The member applies its template to new partners only, and already has a configuration for the owner: it stays
    // as it was (existing partner), apart from being marked as a member of the organization.
    let member_template = json!({
        "b2bCollaborationInbound": {"usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                                    "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}},
        "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": null},
        "templateApplicationLevel": "newPartners"
    });
    assert_eq!(o.call(1, Method::PATCH, PARTNER_TEMPLATE, Some(member_template)).await.status, 204);
    let existing = o
        .call(1, Method::POST, PARTNERS, Some(json!({"tenantId": o.ids[0], "inboundTrust": {"isMfaAccepted": false}})))
        .await;
    assert_eq!(existing.status, 201, "{}", existing.text);

    o.create().await;
    o.add(0, 1).await;
    o.request_join(1, 0).await;
    let pending = o.get(1, JOIN).await.json;
    assert_eq!(pending["addedByTenantId"], o.ids[0]);
    assert_eq!(pending["memberState"], "pending");
    assert_eq!(pending["role"], Value::Null);
    assert_eq!(
        pending["transitionDetails"],
        json!({"desiredMemberState": "active", "status": "notStarted", "details": ""})
    );
    let seen_by_owner = o.member(0, 1).await.json;
    assert_eq!(seen_by_owner["state"], "pending");
    assert_eq!(
        seen_by_owner["transitionDetails"],
        json!({"desiredState": "active", "desiredRole": "member", "status": "notStarted", "details": null})
    );
    assert!(o.h.emulator.tenant(0).unwrap().partner(&o.ids[1]).is_none(), "nothing happens before the delay");

    let record = o.wait_join(1).await;
    assert_eq!(record["memberState"], "active");
    assert_eq!(record["role"], "member");
    assert_eq!(record["transitionDetails"], Value::Null);
    let member = o.member(0, 1).await.json;
    assert_eq!(member["state"], "active");
    assert!(member["joinedDateTime"].as_str().is_some());
    assert_eq!(member["transitionDetails"], Value::Null);
    let view = o.get(1, MTO).await.json;
    assert_eq!(view["state"], "active");
    assert_eq!(view["displayName"], "Contoso organization");
    assert_ne!(view["id"], o.get(0, MTO).await.json["id"], "the organization id is tenant-specific");
    assert_eq!(o.get(1, TENANTS).await.json["value"].as_array().unwrap().len(), 2);

    // The owner's new partner configuration for the member: created, marked, template applied.
    let owner_side = o.get(0, &format!("{PARTNERS}/{}", o.ids[1])).await.json;
    assert_eq!(owner_side["isInMultiTenantOrganization"], true);
    assert_eq!(
        owner_side["inboundTrust"],
        json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": null, "isHybridAzureADJoinedDeviceAccepted": null})
    );
    assert_eq!(owner_side["automaticUserConsentSettings"], json!({"inboundAllowed": true, "outboundAllowed": true}));
    assert_eq!(owner_side["b2bCollaborationInbound"], Value::Null);
    let owner_sync = o.get(0, &format!("{PARTNERS}/{}/identitySynchronization", o.ids[1])).await;
    assert_eq!(owner_sync.status, 200, "{}", owner_sync.text);
    assert_eq!(owner_sync.json["userSyncInbound"], json!({"isSyncAllowed": true}));
    // The member's existing configuration for the owner: only marked (its template is for new partners only).
    let member_side = o.get(1, &format!("{PARTNERS}/{}", o.ids[0])).await.json;
    assert_eq!(member_side["isInMultiTenantOrganization"], true);
    assert_eq!(member_side["inboundTrust"]["isMfaAccepted"], false);
    assert_eq!(member_side["b2bCollaborationInbound"], Value::Null);
    assert_eq!(member_side["automaticUserConsentSettings"], json!({"inboundAllowed": null, "outboundAllowed": null}));
    // Its identity sync policy did not exist: created unconfigured (its sync template has only nulls).
    let member_sync = o.get(1, &format!("{PARTNERS}/{}/identitySynchronization", o.ids[0])).await;
    assert_eq!(member_sync.status, 200);
    assert_eq!(member_sync.json["userSyncInbound"], Value::Null);
}

#[tokio::test]
async fn a_third_tenant_joining_gets_configurations_with_every_active_tenant() {
    let o = Org::start(3).await;
    let template = json!({
        "b2bCollaborationInbound": {"usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                                    "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}},
        "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": null}
    });
    assert_eq!(o.call(2, Method::PATCH, PARTNER_TEMPLATE, Some(template)).await.status, 204);
    o.create().await;
    o.join(1, 0).await;
    o.join(2, 0).await;
    for (a, b) in [(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)] {
        let partner = o.h.emulator.tenant(a).unwrap().partner(&o.ids[b]).unwrap_or_else(|| panic!("{a} → {b}"));
        assert_eq!(partner["isInMultiTenantOrganization"], true, "{a} → {b}");
        assert!(o.h.emulator.tenant(a).unwrap().identity_sync(&o.ids[b]).is_some(), "{a} → {b}");
    }
    // Tenant 2's template, for its new partners 0 and 1, member by member for the consent flags.
    let two_to_one = o.get(2, &format!("{PARTNERS}/{}", o.ids[1])).await.json;
    assert_eq!(two_to_one["b2bCollaborationInbound"]["usersAndGroups"]["accessType"], "allowed");
    assert_eq!(two_to_one["automaticUserConsentSettings"], json!({"inboundAllowed": true, "outboundAllowed": null}));
    assert_eq!(o.get(1, &format!("{PARTNERS}/{}", o.ids[2])).await.json["b2bCollaborationInbound"], Value::Null);
}

#[tokio::test]
async fn a_template_at_level_none_is_not_applied_but_configurations_are_still_created() {
    let o = Org::start(2).await;
    let body = json!({"automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": true}, "templateApplicationLevel": ""});
    assert_eq!(o.call(0, Method::PATCH, PARTNER_TEMPLATE, Some(body)).await.status, 204);
    assert_eq!(o.get(0, PARTNER_TEMPLATE).await.json["templateApplicationLevel"], "none");
    let miscased = o.call(0, Method::PATCH, PARTNER_TEMPLATE, Some(json!({"InboundTrust": null}))).await;
    assert_eq!(miscased.error_message(), "Invalid property 'InboundTrust'.");
    let unknown_level = o.call(0, Method::PATCH, SYNC_TEMPLATE, Some(json!({"templateApplicationLevel": "all"}))).await;
    assert_eq!(unknown_level.status, 400);
    let reordered = json!({"templateApplicationLevel": "existingPartners,newPartners"});
    assert_eq!(o.call(1, Method::PATCH, SYNC_TEMPLATE, Some(reordered)).await.status, 204);
    assert_eq!(o.get(1, SYNC_TEMPLATE).await.json["templateApplicationLevel"], "newPartners,existingPartners");
    o.create().await;
    o.join(1, 0).await;
    let partner = o.get(0, &format!("{PARTNERS}/{}", o.ids[1])).await.json;
    assert_eq!(partner["isInMultiTenantOrganization"], true);
    assert_eq!(partner["automaticUserConsentSettings"], json!({"inboundAllowed": null, "outboundAllowed": null}));
}

#[tokio::test]
async fn a_join_the_owner_did_not_prepare_fails_with_details_and_can_be_reset() {
    let o = Org::start(2).await;
    o.create().await;
    let bad = o.call(1, Method::PATCH, JOIN, Some(json!({"addedByTenantId": "nope"}))).await;
    assert_eq!(bad.status, 400);
    let read_only =
        o.call(1, Method::PATCH, JOIN, Some(json!({"addedByTenantId": o.ids[0], "memberState": "active"}))).await;
    assert_eq!(read_only.status, 400);
    assert_eq!(o.call(1, Method::PATCH, JOIN, Some(json!({}))).await.status, 400);

    o.request_join(1, 0).await;
    let failed = o.wait_join(1).await;
    assert_eq!(failed["memberState"], "pending");
    assert_eq!(failed["role"], Value::Null);
    assert_eq!(failed["transitionDetails"]["desiredMemberState"], "active");
    assert_eq!(failed["transitionDetails"]["status"], "failed");
    assert!(failed["transitionDetails"]["details"].as_str().unwrap().contains("was not added"), "{failed}");
    assert_eq!(o.get(1, MTO).await.json["state"], "inactive");
    assert!(o.h.emulator.tenant(0).unwrap().partner(&o.ids[1]).is_none());

    let reset = o.call(1, Method::PATCH, JOIN, Some(json!({"addedByTenantId": ZERO}))).await;
    assert_eq!(reset.status, 204);
    let record = o.get(1, JOIN).await.json;
    assert_eq!(record["addedByTenantId"], ZERO);
    assert_eq!(record["memberState"], Value::Null);
    assert_eq!(record["transitionDetails"], Value::Null);

    // Added now, the same request succeeds.
    o.join(1, 0).await;
}

#[tokio::test]
async fn a_tenant_in_another_organization_cannot_join() {
    let o = Org::start(2).await;
    o.create().await;
    let own = o.call(1, Method::PUT, MTO, Some(json!({"displayName": "Fabrikam's own"}))).await;
    assert_eq!(own.status, 201);
    o.add(0, 1).await;
    o.request_join(1, 0).await;
    let failed = o.wait_join(1).await;
    assert_eq!(failed["transitionDetails"]["status"], "failed");
    assert!(failed["transitionDetails"]["details"].as_str().unwrap().contains("different multi-tenant organization"));
    assert_eq!(o.get(1, MTO).await.json["displayName"], "Fabrikam's own");
    assert_eq!(o.member(0, 1).await.json["transitionDetails"]["status"], "failed");
}

#[tokio::test]
async fn joins_beyond_the_active_tenant_limit_fail() {
    let o = Org::start(3).await;
    assert_eq!(o.h.emulator.mto_settings().max_active_tenants, 100);
    o.h.emulator.set_mto_settings(MtoSettings { max_active_tenants: 2, ..o.h.emulator.mto_settings() });
    o.create().await;
    o.join(1, 0).await;
    // More tenants than the limit may be pending.
    o.add(0, 2).await;
    o.request_join(2, 0).await;
    let failed = o.wait_join(2).await;
    assert_eq!(failed["transitionDetails"]["status"], "failed");
    assert!(failed["transitionDetails"]["details"].as_str().unwrap().contains("maximum number of active tenants (2)"));
    assert_eq!(o.member(0, 2).await.json["state"], "pending");
}

#[tokio::test]
async fn role_changes_are_asynchronous_and_owner_only() {
    let o = Org::start(2).await;
    o.h.emulator.set_mto_settings(MtoSettings { delay_ms: 60_000, ..MtoSettings::default() });
    o.create().await;
    o.add(0, 1).await;
    o.request_join(1, 0).await;
    o.h.emulator.complete_mto_transitions();
    let path = format!("{TENANTS}/{}", o.ids[1]);

    let by_member = o.call(1, Method::PATCH, &path, Some(json!({"role": "owner"}))).await;
    assert_eq!(by_member.status, 403, "{}", by_member.text);
    assert_eq!(by_member.error_code(), "Authorization_RequestDenied");
    let member_rename = o.call(1, Method::PATCH, MTO, Some(json!({"displayName": "Mine"}))).await;
    assert_eq!(member_rename.status, 403);

    let own = format!("{TENANTS}/{}", o.ids[0]);
    let demote_last_owner = o.call(0, Method::PATCH, &own, Some(json!({"role": "member"}))).await;
    assert_eq!(demote_last_owner.status, 400, "{}", demote_last_owner.text);

    assert_eq!(o.call(0, Method::PATCH, &path, Some(json!({"role": "owner"}))).await.status, 204);
    let during = o.get(0, &path).await.json;
    assert_eq!(during["role"], "member");
    assert_eq!(
        during["transitionDetails"],
        json!({"desiredState": "active", "desiredRole": "owner", "status": "notStarted", "details": null})
    );
    o.h.emulator.complete_mto_transitions();
    let after = o.get(0, &path).await.json;
    assert_eq!(after["role"], "owner");
    assert_eq!(after["transitionDetails"], Value::Null);
    assert_eq!(o.get(1, JOIN).await.json["role"], "owner");
    // With a second owner, the first may step down, and the new owner may rename the organization.
    assert_eq!(o.call(0, Method::PATCH, &own, Some(json!({"role": "member"}))).await.status, 204);
    assert_eq!(o.call(1, Method::PATCH, MTO, Some(json!({"displayName": "Renamed by B"}))).await.status, 204);
    assert_eq!(o.get(0, MTO).await.json["displayName"], "Renamed by B", "the organization is shared");
}

#[tokio::test]
async fn a_role_change_can_be_made_to_fail_and_is_retried_by_the_next_change() {
    let o = Org::start(2).await;
    o.create().await;
    o.join(1, 0).await;
    o.h.emulator.set_mto_settings(MtoSettings { role_change_failure: true, ..o.h.emulator.mto_settings() });
    let path = format!("{TENANTS}/{}", o.ids[1]);
    assert_eq!(o.call(0, Method::PATCH, &path, Some(json!({"role": "owner"}))).await.status, 204);
    o.h.emulator.complete_mto_transitions();
    let failed = o.get(0, &path).await.json;
    assert_eq!(failed["role"], "member", "the role is unchanged: {failed}");
    assert_eq!(failed["transitionDetails"]["status"], "failed", "{failed}");
    assert_eq!(failed["transitionDetails"]["desiredRole"], "owner", "{failed}");
    assert!(failed["transitionDetails"]["details"].as_str().is_some_and(|d| d.contains("could not be changed")));
    // A failed change is no longer due: completing transitions again leaves it as it is.
    o.h.emulator.complete_mto_transitions();
    assert_eq!(o.get(0, &path).await.json["transitionDetails"]["status"], "failed");
    // With the switch off, the next request replaces the failed transition and completes.
    o.h.emulator.set_mto_settings(MtoSettings { role_change_failure: false, ..o.h.emulator.mto_settings() });
    assert_eq!(o.call(0, Method::PATCH, &path, Some(json!({"role": "owner"}))).await.status, 204);
    o.h.emulator.complete_mto_transitions();
    let after = o.get(0, &path).await.json;
    assert_eq!(after["role"], "owner", "{after}");
    assert_eq!(after["transitionDetails"], Value::Null);
}

#[tokio::test]
async fn removal_follows_the_four_rules_and_completes_asynchronously() {
    let o = Org::start(3).await;
    o.create().await;
    o.join(1, 0).await;
    o.join(2, 0).await;
    o.h.emulator.set_mto_settings(MtoSettings { delay_ms: 60_000, ..MtoSettings::default() });
    let path = |i: usize| format!("{TENANTS}/{}", o.ids[i]);

    // A member cannot remove another tenant; the last owner cannot leave while others are active.
    assert_eq!(o.call(1, Method::DELETE, &path(2), None).await.status, 403);
    let last_owner = o.call(0, Method::DELETE, &path(0), None).await;
    assert_eq!(last_owner.status, 400, "{}", last_owner.text);
    assert_eq!(last_owner.error_code(), "Request_BadRequest");

    // A member can leave.
    let leave = o.call(1, Method::DELETE, &path(1), None).await;
    assert_eq!(leave.status, 204, "{}", leave.text);
    let leaving = o.get(0, &path(1)).await.json;
    assert_eq!(leaving["state"], "pending");
    assert_eq!(leaving["transitionDetails"]["desiredState"], "removed");
    assert_eq!(leaving["transitionDetails"]["status"], "notStarted");
    let again = o.call(1, Method::DELETE, &path(1), None).await;
    assert_eq!(again.error_message(), "Tenant is already being added in Multi-Tenant Organization.");
    o.h.emulator.complete_mto_transitions();
    let gone = o.get(0, &path(1)).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.error_code(), "Directory_ObjectNotFound");
    assert_eq!(gone.error_message(), "Unable to read the company information from the directory.");
    assert_eq!(o.get(1, MTO).await.json["state"], "inactive");
    assert_eq!(o.get(1, JOIN).await.json["memberState"], Value::Null);
    // The configurations stay, no longer marked.
    assert_eq!(o.h.emulator.tenant(0).unwrap().partner(&o.ids[1]).unwrap()["isInMultiTenantOrganization"], false);
    assert_eq!(o.h.emulator.tenant(1).unwrap().partner(&o.ids[0]).unwrap()["isInMultiTenantOrganization"], false);
    assert_eq!(o.h.emulator.tenant(2).unwrap().partner(&o.ids[1]).unwrap()["isInMultiTenantOrganization"], false);
    assert_eq!(o.h.emulator.tenant(0).unwrap().partner(&o.ids[2]).unwrap()["isInMultiTenantOrganization"], true);

    // An owner can remove any other tenant, then leave as the last active tenant, which ends the organization.
    o.add(0, 1).await; // a pending tenant does not keep the organization alive
    assert_eq!(o.call(0, Method::DELETE, &path(2), None).await.status, 204);
    o.h.emulator.complete_mto_transitions();
    assert_eq!(o.call(0, Method::DELETE, &path(0), None).await.status, 204);
    assert_eq!(o.get(0, MTO).await.json["state"], "active", "still active until the removal completes");
    o.h.emulator.complete_mto_transitions();
    assert_eq!(o.get(0, MTO).await.json["state"], "inactive");
    assert_eq!(o.h.emulator.multi_tenant_organizations()["organizations"], json!([]));
    // The tenant can create a new one.
    o.create().await;
}

#[tokio::test]
async fn an_owner_may_leave_when_another_active_owner_remains() {
    let o = Org::start(2).await;
    o.create().await;
    o.add(0, 1).await;
    let promote = o.call(0, Method::PATCH, &format!("{TENANTS}/{}", o.ids[1]), Some(json!({"role": "owner"}))).await;
    assert_eq!(promote.status, 204, "a pending tenant can be made an owner");
    o.request_join(1, 0).await;
    assert_eq!(o.wait_join(1).await["role"], "owner");
    assert_eq!(o.call(0, Method::DELETE, &format!("{TENANTS}/{}", o.ids[0]), None).await.status, 204);
    o.h.emulator.complete_mto_transitions();
    assert_eq!(o.get(0, MTO).await.json["state"], "inactive");
    let remaining = o.get(1, TENANTS).await.json["value"].clone();
    assert_eq!(remaining.as_array().unwrap().len(), 1);
    assert_eq!(remaining[0]["tenantId"], o.ids[1]);
}

#[tokio::test]
async fn the_observed_delete_answer_and_the_creator_rule_are_switchable() {
    let o = Org::start(3).await;
    o.create().await;
    o.join(1, 0).await;
    o.join(2, 0).await;
    let promote = o.call(0, Method::PATCH, &format!("{TENANTS}/{}", o.ids[1]), Some(json!({"role": "owner"}))).await;
    assert_eq!(promote.status, 204);
    o.h.emulator.complete_mto_transitions();
    o.h.emulator.set_mto_settings(MtoSettings {
        delete_returns_member: true,
        protect_creator: true,
        ..o.h.emulator.mto_settings()
    });
    let creator = o.call(1, Method::DELETE, &format!("{TENANTS}/{}", o.ids[0]), None).await;
    assert_eq!(creator.status, 400, "{}", creator.text);
    let removed = o.call(1, Method::DELETE, &format!("{TENANTS}/{}", o.ids[2]), None).await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(removed.json["tenantId"], o.ids[2]);
    assert_eq!(removed.json["transitionDetails"]["desiredState"], "removed");
}

#[tokio::test]
async fn tokens_reach_only_their_own_tenants_view_and_permissions_are_checked() {
    let o = Org::start(2).await;
    o.create().await;
    // Tenant 1's view and templates are its own.
    assert_eq!(o.get(1, MTO).await.json["state"], "inactive");
    let body = json!({"automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": true}});
    assert_eq!(o.call(1, Method::PATCH, PARTNER_TEMPLATE, Some(body)).await.status, 204);
    assert_eq!(o.get(0, PARTNER_TEMPLATE).await.json["automaticUserConsentSettings"]["inboundAllowed"], Value::Null);
    // Tenant 1 cannot add itself to tenant 0's organization.
    let self_service = o.call(1, Method::POST, TENANTS, Some(json!({"tenantId": o.ids[1], "displayName": "B"}))).await;
    assert_eq!(self_service.status, 400);
    // An application without a MultiTenantOrganization permission is refused.
    o.h.emulator
        .add_app(AppRegistration::with_secret("11111111-2222-3333-4444-555555555555", "s", &[ROLE_POLICY_READ_ALL]))
        .unwrap();
    let reply =
        o.h.token_request(&[
            ("client_id", "11111111-2222-3333-4444-555555555555"),
            ("client_secret", "s"),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .await;
    let token = reply.json["access_token"].as_str().unwrap().to_owned();
    assert_eq!(o.h.as_tenant(&token, Method::GET, MTO, None).await.status, 403);
    assert_eq!(o.h.as_tenant(&token, Method::GET, PARTNER_TEMPLATE, None).await.status, 200);
    // Statistics name the routes.
    assert!(o.h.emulator.stats().count("GET /tenantRelationships/multiTenantOrganization") >= 2);
}

#[tokio::test]
async fn the_organization_can_be_inspected_saved_and_restored() {
    let o = Org::start(2).await;
    o.create().await;
    o.add(0, 1).await;
    let view = o.h.emulator.tenant(0).unwrap().multi_tenant_organization();
    assert_eq!(view["state"], "active");
    assert_eq!(view["tenants"].as_array().unwrap().len(), 2);
    let saved = o.h.emulator.multi_tenant_organizations();
    assert_eq!(saved["organizations"][0]["displayName"], "Contoso organization");
    o.h.emulator.reset();
    assert_eq!(o.get(0, MTO).await.json["state"], "inactive");
    o.h.emulator.set_multi_tenant_organizations(saved.clone()).unwrap();
    assert_eq!(o.get(0, MTO).await.json["displayName"], "Contoso organization");
    assert_eq!(o.member(0, 1).await.json["state"], "pending");
    assert!(o.h.emulator.set_multi_tenant_organizations(json!({"organisations": []})).is_err());

    // The same over HTTP.
    let admin = |path: &str| format!("{}/_emulator/multiTenantOrganization{path}", o.h.emulator.endpoint());
    let settings =
        json!({"delayMs": 50_000, "maxActiveTenants": 5, "deleteReturnsMember": false, "protectCreator": false});
    let put = o.h.http.put(admin("/settings")).json(&settings).send().await.unwrap();
    assert_eq!(put.status(), 204);
    assert_eq!(o.h.emulator.mto_settings().delay_ms, 50_000);
    o.request_join(1, 0).await;
    let view = o.h.http.get(admin(&format!("/view/{}", o.ids[0]))).send().await.unwrap();
    let view: Value = view.json().await.unwrap();
    assert_eq!(view["tenants"][1]["transitionDetails"]["status"], "notStarted");
    let complete = o.h.http.post(admin("/complete")).send().await.unwrap();
    assert_eq!(complete.status(), 204);
    assert_eq!(o.member(0, 1).await.json["state"], "active");
    let state: Value = o.h.http.get(admin("")).send().await.unwrap().json().await.unwrap();
    assert_eq!(state["organizations"][0]["tenants"][1]["state"], "active");
    let restore = o.h.http.put(admin("")).json(&saved).send().await.unwrap();
    assert_eq!(restore.status(), 204);
    assert_eq!(o.member(0, 1).await.json["state"], "pending");
}

#[tokio::test]
async fn existing_partners_level_applies_to_configurations_that_existed_only() {
    let o = Org::start(2).await;
    let consent = json!({"inboundAllowed": true, "outboundAllowed": true});
    for tenant in [0, 1] {
        let body = json!({"automaticUserConsentSettings": consent, "templateApplicationLevel": "existingPartners"});
        assert_eq!(o.call(tenant, Method::PATCH, PARTNER_TEMPLATE, Some(body)).await.status, 204);
        let sync = json!({"userSyncInbound": {"isSyncAllowed": true}, "templateApplicationLevel": "existingPartners"});
        assert_eq!(o.call(tenant, Method::PATCH, SYNC_TEMPLATE, Some(sync)).await.status, 204);
    }
    // Tenant 1 already has a configuration and an identity sync policy for tenant 0; tenant 0 has none for 1.
    assert_eq!(o.call(1, Method::POST, PARTNERS, Some(json!({"tenantId": o.ids[0]}))).await.status, 201);
    let path = format!("{PARTNERS}/{}/identitySynchronization", o.ids[0]);
    let sync = json!({"userSyncInbound": {"isSyncAllowed": false}});
    assert_eq!(o.call(1, Method::PUT, &path, Some(sync)).await.status, 204);
    o.create().await;
    o.join(1, 0).await;
    let existing = o.get(1, &format!("{PARTNERS}/{}", o.ids[0])).await.json;
    assert_eq!(existing["automaticUserConsentSettings"], consent);
    assert_eq!(o.get(1, &path).await.json["userSyncInbound"], json!({"isSyncAllowed": true}));
    let created = o.get(0, &format!("{PARTNERS}/{}", o.ids[1])).await.json;
    assert_eq!(created["isInMultiTenantOrganization"], true);
    assert_eq!(created["automaticUserConsentSettings"], json!({"inboundAllowed": null, "outboundAllowed": null}));
    let created_sync = o.get(0, &format!("{PARTNERS}/{}/identitySynchronization", o.ids[1])).await.json;
    assert_eq!(created_sync["userSyncInbound"], Value::Null);
}
