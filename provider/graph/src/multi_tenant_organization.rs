//! The multi-tenant organization (graph-sync-and-mto.md Part B): the organization singleton, its tenants, this
//! tenant's join request, and the two cross-tenant access policy templates a join applies.
//!
//! These calls carry Graph's JSON as it is (`serde_json::Value`): the resources read the few properties they manage
//! and map the templates' settings through their schema. Graph's asynchrony (joins, role changes and removals take
//! minutes to hours, B.6) is left to the callers, which decide what to wait for; the calls here only retry what is
//! transient and wait for read-after-write consistency of the synchronous writes (organization and templates).

use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{Attempts, Call, GraphClient, Safety, Shape};
use crate::consistency::reflects;
use crate::error::GraphError;
use crate::operation::Operation;

/// The organization singleton (B.3). It always answers 200: `state: "inactive"` when the tenant belongs to none.
pub const ORGANIZATION_PATH: &str = "/tenantRelationships/multiTenantOrganization";
const TENANTS_PATH: &str = "/tenantRelationships/multiTenantOrganization/tenants";
const JOIN_REQUEST_PATH: &str = "/tenantRelationships/multiTenantOrganization/joinRequest";
/// `addedByTenantId` of a join request that names no organization, and the value that resets a failed join (B.5).
pub const NO_TENANT: &str = "00000000-0000-0000-0000-000000000000";

/// One of the two per-tenant templates under `/policies/crossTenantAccessPolicy/templates` (B.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MtoTemplate {
    /// `multiTenantOrganizationPartnerConfiguration`: trust, consent and B2B settings for the partners a join makes.
    PartnerConfiguration,
    /// `multiTenantOrganizationIdentitySynchronization`: inbound user synchronization for them.
    IdentitySynchronization,
}

impl MtoTemplate {
    fn path(self) -> &'static str {
        match self {
            MtoTemplate::PartnerConfiguration => {
                "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration"
            }
            MtoTemplate::IdentitySynchronization => {
                "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization"
            }
        }
    }

    /// The template's name in messages.
    pub fn description(self) -> &'static str {
        match self {
            MtoTemplate::PartnerConfiguration => "the multi-tenant organization partner configuration template",
            MtoTemplate::IdentitySynchronization => "the multi-tenant organization identity synchronization template",
        }
    }
}

/// Percent-encodes one path segment (tenant ids are GUIDs, but nothing unchecked should shape a URL).
fn segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.trim().to_ascii_lowercase().bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn tenant_path(tenant_id: &str) -> String {
    format!("{TENANTS_PATH}/{}", segment(tenant_id))
}

/// True when Graph is removing this tenant entry (`transitionDetails.desiredState` `removed`, B.4.4, B.6), or shows it
/// as `removed`.
pub fn member_is_being_removed(member: &Value) -> bool {
    member.get("state").and_then(Value::as_str) == Some("removed")
        || member.pointer("/transitionDetails/desiredState").and_then(Value::as_str) == Some("removed")
}

/// True when an organization body says the tenant belongs to an organization (B.3.1: `inactive` = none).
pub fn organization_exists(organization: &Value) -> bool {
    organization.get("state").and_then(Value::as_str) == Some("active")
}

impl GraphClient {
    async fn write(&self, op: &Operation, call: &Call) -> Result<Option<Value>, GraphError> {
        let response = self.send(op, call, &mut Attempts::default()).await?;
        if response.is_success() { Ok(response.into_json()) } else { Err(response.error(call).into()) }
    }

    /// Waits (within the consistency policy) until a read of `path` reflects `sent`.
    async fn wait_reflected(&self, op: &Operation, path: &str, sent: &Value, what: &str) {
        let read = Call::get(path, Shape::object(&[]), what);
        self.consistency()
            .wait_until(op, what, || async { Ok(reflects(sent, &self.get_json(op, &read).await?)) })
            .await;
    }

    // ----- the organization (B.3) ---------------------------------------------------------------------------------

    /// `GET /tenantRelationships/multiTenantOrganization`: this tenant's view of its organization (state `inactive`
    /// when there is none; see [`organization_exists`]).
    pub async fn multi_tenant_organization(&self, op: &Operation) -> Result<Value, GraphError> {
        let call = Call::get(ORGANIZATION_PATH, Shape::object(&["state"]), "reading the multi-tenant organization");
        self.get_json(op, &call).await
    }

    /// `PUT /tenantRelationships/multiTenantOrganization` (201): creates the organization, this tenant its owner.
    /// Repeating it after an unknown outcome meets the organization it made, which the caller reconciles.
    pub async fn create_multi_tenant_organization(
        &self,
        op: &Operation,
        display_name: &str,
        description: Option<&str>,
    ) -> Result<Value, GraphError> {
        let mut body = json!({ "displayName": display_name });
        if let Some(description) = description {
            body["description"] = json!(description);
        }
        let what = "creating the multi-tenant organization";
        let call = Call::write(Method::PUT, ORGANIZATION_PATH, Some(body.clone()), Safety::CreateOnce, what);
        let created = self.write(op, &call).await?;
        self.wait_reflected(op, ORGANIZATION_PATH, &body, what).await;
        match created {
            Some(created) if organization_exists(&created) => Ok(created),
            _ => self.multi_tenant_organization(op).await,
        }
    }

    /// `PATCH /tenantRelationships/multiTenantOrganization` (204) with `displayName` and/or `description` (an explicit
    /// `null` clears the description).
    pub async fn update_multi_tenant_organization(&self, op: &Operation, patch: Value) -> Result<(), GraphError> {
        let what = "updating the multi-tenant organization";
        let call = Call::write(Method::PATCH, ORGANIZATION_PATH, Some(patch.clone()), Safety::Idempotent, what);
        self.write(op, &call).await?;
        self.wait_reflected(op, ORGANIZATION_PATH, &patch, what).await;
        Ok(())
    }

    // ----- its tenants (B.4) --------------------------------------------------------------------------------------

    /// `GET .../multiTenantOrganization/tenants`: every tenant of the organization, active, pending or being removed.
    /// Empty when this tenant belongs to no organization.
    pub async fn multi_tenant_organization_tenants(&self, op: &Operation) -> Result<Vec<Value>, GraphError> {
        let call = Call::get(
            TENANTS_PATH,
            Shape::collection(&["tenantId"]),
            "listing the multi-tenant organization's tenants",
        );
        let page = self.get_json(op, &call).await?;
        Ok(page.get("value").and_then(Value::as_array).cloned().unwrap_or_default())
    }

    /// `GET .../tenants/{tenantId}`; `None` once the tenant is not (or no longer) in the organization (Graph answers
    /// 404 `Directory_ObjectNotFound` after a removal completes, B.4.2).
    pub async fn multi_tenant_organization_tenant(
        &self,
        op: &Operation,
        tenant_id: &str,
    ) -> Result<Option<Value>, GraphError> {
        let call = Call::get(
            tenant_path(tenant_id),
            Shape::object(&["tenantId"]),
            format!("reading tenant {tenant_id} of the multi-tenant organization"),
        );
        self.get_json_optional(op, &call).await
    }

    /// `POST .../tenants` (201, owner only): adds a tenant, `pending` until its administrator joins. A repeat after
    /// an unknown outcome meets the tenant it added (400 "already being added"), which the caller reconciles.
    pub async fn add_multi_tenant_organization_tenant(
        &self,
        op: &Operation,
        tenant_id: &str,
        display_name: &str,
        role: &str,
    ) -> Result<Value, GraphError> {
        let body =
            json!({ "tenantId": tenant_id.trim().to_ascii_lowercase(), "displayName": display_name, "role": role });
        let what = format!("adding tenant {tenant_id} to the multi-tenant organization");
        let call = Call::write(Method::POST, TENANTS_PATH, Some(body), Safety::CreateOnce, what);
        Ok(self.write(op, &call).await?.unwrap_or(Value::Null))
    }

    /// `PATCH .../tenants/{tenantId}` `{"role"}` (204, owner only). Asynchronous: reads show the old role with
    /// `transitionDetails.desiredRole` until Graph completes it (B.4.3).
    pub async fn change_multi_tenant_organization_role(
        &self,
        op: &Operation,
        tenant_id: &str,
        role: &str,
    ) -> Result<(), GraphError> {
        let what = format!("changing the role of tenant {tenant_id} in the multi-tenant organization");
        let call =
            Call::write(Method::PATCH, tenant_path(tenant_id), Some(json!({ "role": role })), Safety::Idempotent, what);
        self.write(op, &call).await.map(|_| ())
    }

    /// `DELETE .../tenants/{tenantId}`: removes a tenant, or (for this tenant's own id) leaves. Graph documents 204 and
    /// was observed answering 200 with the member (B.4.4); both count, as does 404 (already gone). Asynchronous: see
    /// [`GraphClient::wait_until_tenant_removed`].
    ///
    /// A removal Graph is already processing also counts: a repeated DELETE (a retry after a lost answer, or a
    /// destroy run again after one that outlasted its timeout) is refused with 400 "already being added" [INF, B.4.1],
    /// so on a 400 the entry is read and the refusal ignored when it shows the removal under way.
    pub async fn remove_multi_tenant_organization_tenant(
        &self,
        op: &Operation,
        tenant_id: &str,
    ) -> Result<(), GraphError> {
        let what = format!("removing tenant {tenant_id} from the multi-tenant organization");
        let call = Call::write(Method::DELETE, tenant_path(tenant_id), None, Safety::Idempotent, what);
        let response = self.send(op, &call, &mut Attempts::default()).await?;
        if response.is_success() || response.status == 404 {
            return Ok(());
        }
        let refused = response.error(&call);
        if refused.status == 400 {
            match self.multi_tenant_organization_tenant(op, tenant_id).await? {
                None => return Ok(()),
                Some(member) if member_is_being_removed(&member) => return Ok(()),
                Some(_) => {}
            }
        }
        Err(refused.into())
    }

    /// Polls until Graph no longer lists the tenant (a removal completes in minutes, B.6), until the operation's
    /// deadline. Works from either side: a member that left no longer sees its own entry (404), nor does the owner.
    pub async fn wait_until_tenant_removed(&self, op: &Operation, tenant_id: &str) -> Result<(), GraphError> {
        self.poll(op, &format!("waiting for tenant {tenant_id} to leave the multi-tenant organization"), || async {
            Ok(self.multi_tenant_organization_tenant(op, tenant_id).await?.is_none())
        })
        .await
    }

    /// Polls `done` with growing pauses until it is true or the operation ends (deadline or cancellation: an
    /// interrupted error naming `what`).
    pub async fn poll<F, Fut>(&self, op: &Operation, what: &str, mut done: F) -> Result<(), GraphError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<bool, GraphError>>,
    {
        let mut pause = self.consistency().poll_interval.max(std::time::Duration::from_millis(5));
        let cap = self
            .consistency()
            .max_poll_interval
            .max(pause)
            .max(std::time::Duration::from_secs(1))
            .min(std::time::Duration::from_secs(30));
        loop {
            if done().await? {
                return Ok(());
            }
            if !op.sleep(pause).await {
                return Err(op.interrupted(what, None));
            }
            pause = (pause * 2).min(cap);
        }
    }

    // ----- the join request (B.5) ---------------------------------------------------------------------------------

    /// `GET .../multiTenantOrganization/joinRequest`: this tenant's join request (`addedByTenantId` all zeros when it
    /// has none).
    pub async fn join_request(&self, op: &Operation) -> Result<Value, GraphError> {
        let call = Call::get(JOIN_REQUEST_PATH, Shape::object(&["addedByTenantId"]), "reading the join request");
        self.get_json(op, &call).await
    }

    /// `PATCH .../joinRequest` `{"addedByTenantId"}` (204): asks to join the organization of that owner tenant, or
    /// with [`NO_TENANT`] resets a failed join.
    pub async fn update_join_request(&self, op: &Operation, added_by_tenant_id: &str) -> Result<(), GraphError> {
        let what = "joining the multi-tenant organization";
        let body = json!({ "addedByTenantId": added_by_tenant_id.trim().to_ascii_lowercase() });
        let call = Call::write(Method::PATCH, JOIN_REQUEST_PATH, Some(body), Safety::Idempotent, what);
        self.write(op, &call).await.map(|_| ())
    }

    // ----- the templates (B.9) ------------------------------------------------------------------------------------

    /// `GET` of a template.
    pub async fn mto_template(&self, op: &Operation, template: MtoTemplate) -> Result<Value, GraphError> {
        let call = Call::get(
            template.path(),
            Shape::object(&["templateApplicationLevel"]),
            format!("reading {}", template.description()),
        );
        self.get_json(op, &call).await
    }

    /// `PATCH` of a template (204) with Graph's property names (`null` clears a property), then waits until reads
    /// show it.
    pub async fn update_mto_template(
        &self,
        op: &Operation,
        template: MtoTemplate,
        patch: Value,
    ) -> Result<(), GraphError> {
        let what = format!("updating {}", template.description());
        let call = Call::write(Method::PATCH, template.path(), Some(patch.clone()), Safety::Idempotent, what.clone());
        self.write(op, &call).await?;
        self.wait_reflected(op, template.path(), &patch, &what).await;
        Ok(())
    }

    /// `POST .../resetToDefaultSettings` (204): every property back to `null`, the level back to both.
    pub async fn reset_mto_template(&self, op: &Operation, template: MtoTemplate) -> Result<(), GraphError> {
        let what = format!("resetting {}", template.description());
        let path = format!("{}/resetToDefaultSettings", template.path());
        let call = Call::write(Method::POST, path, None, Safety::Idempotent, what);
        self.write(op, &call).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_lowercase_and_encoded() {
        assert_eq!(
            tenant_path(" 7E4A0000-0000-4000-8000-000000000002 "),
            "/tenantRelationships/multiTenantOrganization/tenants/7e4a0000-0000-4000-8000-000000000002"
        );
        assert_eq!(tenant_path("a/b"), "/tenantRelationships/multiTenantOrganization/tenants/a%2Fb");
        assert!(MtoTemplate::PartnerConfiguration.path().ends_with("/multiTenantOrganizationPartnerConfiguration"));
        assert!(
            MtoTemplate::IdentitySynchronization.path().ends_with("/multiTenantOrganizationIdentitySynchronization")
        );
    }

    #[test]
    fn a_member_is_being_removed_when_graph_says_so() {
        let transition = |desired: &str| {
            json!({"state": "active", "transitionDetails":
                {"desiredState": desired, "desiredRole": "member", "status": "notStarted", "details": null}})
        };
        assert!(member_is_being_removed(&transition("removed")));
        assert!(!member_is_being_removed(&transition("active")));
        assert!(member_is_being_removed(&json!({"state": "removed", "transitionDetails": null})));
        assert!(!member_is_being_removed(&json!({"state": "pending", "transitionDetails": null})));
    }

    #[test]
    fn only_an_active_organization_exists() {
        assert!(organization_exists(&json!({"state": "active", "displayName": "Contoso"})));
        assert!(!organization_exists(&json!({"state": "inactive", "displayName": null})));
        assert!(!organization_exists(&json!({})));
    }
}
