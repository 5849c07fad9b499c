//! Typed calls for the endpoints of graph-api.md §1 this provider uses (E1–E16; the multi-tenant organization
//! templates E17–E22 come with the resources that need them).
//!
//! Reads return models, each converted once from the body the request loop parsed; a missing object is
//! `Ok(None)`. Writes are *consistent*: after Graph accepts them they
//! wait (per [`crate::ConsistencyPolicy`]) until reads agree, so the resource code that calls them can read its
//! result back at once. Creates and the identity-sync PUT are retried safely: when an attempt's outcome is unknown
//! and a retry meets 409, the existing object is compared with what was sent, and if it matches it is this
//! client's own (success, never a duplicate); if the outcome stays unknown the error says so
//! ([`GraphError::OutcomeUnknown`]) so the caller can keep track of the object instead of orphaning it.

use crate::client::{Attempts, Call, GraphClient, Safety, Shape, decode};
use crate::consistency::reflects;
use crate::error::GraphError;
use crate::models::*;
use crate::operation::Operation;
use crate::partner_cache::Cached;
use reqwest::Method;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

const POLICY: &str = "/policies/crossTenantAccessPolicy";
const DEFAULT: &str = "/policies/crossTenantAccessPolicy/default";
const PARTNERS: &str = "/policies/crossTenantAccessPolicy/partners";

/// Properties the service has always returned for a partner (v1.0); newer ones are not required, because national
/// clouds can lag behind.
const PARTNER_PROPERTIES: &[&str] = &[
    "tenantId",
    "inboundTrust",
    "b2bCollaborationInbound",
    "b2bCollaborationOutbound",
    "b2bDirectConnectInbound",
    "b2bDirectConnectOutbound",
];
const DEFAULT_PROPERTIES: &[&str] = &[
    "isServiceDefault",
    "inboundTrust",
    "b2bCollaborationInbound",
    "b2bCollaborationOutbound",
    "b2bDirectConnectInbound",
    "b2bDirectConnectOutbound",
];
const POLICY_PROPERTIES: &[&str] = &["allowedCloudEndpoints"];
const SYNC_PROPERTIES: &[&str] = &["userSyncInbound"];
const TENANT_PROPERTIES: &[&str] = &["tenantId"];

/// Percent-encodes one path segment (tenant ids are GUIDs, but nothing unchecked should shape a URL).
fn segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn partner_path(tenant_id: &str) -> String {
    format!("{PARTNERS}/{}", segment(&tenant_id.trim().to_ascii_lowercase()))
}

fn sync_path(tenant_id: &str) -> String {
    format!("{}/identitySynchronization", partner_path(tenant_id))
}

/// An OData string literal for a function parameter: quotes doubled, then percent-encoded.
fn odata_string(value: &str) -> String {
    format!("'{}'", segment(&value.replace('\'', "''")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("models always serialize")
}

impl GraphClient {
    // ----- E1, E2: the tenant-wide policy -------------------------------------------------------------------

    /// E1: reads the tenant-wide cross-tenant access policy.
    pub async fn get_policy(&self, op: &Operation) -> Result<CrossTenantAccessPolicy, GraphError> {
        let call = Call::get(POLICY, Shape::object(POLICY_PROPERTIES), "reading the cross-tenant access policy");
        self.read(op, &call).await
    }

    /// E2: updates the tenant-wide policy, then waits until reads show the change.
    pub async fn update_policy(&self, op: &Operation, patch: &PolicyPatch) -> Result<(), GraphError> {
        let body = to_json(patch);
        self.patch_consistently(op, POLICY, body, "updating the cross-tenant access policy", POLICY_PROPERTIES).await?;
        Ok(())
    }

    // ----- E3–E5: the default configuration -----------------------------------------------------------------

    /// E3: reads the default configuration.
    pub async fn get_default(&self, op: &Operation) -> Result<DefaultConfiguration, GraphError> {
        let call = Call::get(DEFAULT, Shape::object(DEFAULT_PROPERTIES), "reading the default configuration");
        self.read(op, &call).await
    }

    /// E4: updates the default configuration with the settings in `patch` (Graph's names; settings left out are
    /// left alone), then waits until reads show the change.
    pub async fn update_default(&self, op: &Operation, patch: &Properties) -> Result<(), GraphError> {
        let body = Value::Object(patch.clone());
        self.patch_consistently(op, DEFAULT, body, "updating the default configuration", DEFAULT_PROPERTIES).await?;
        Ok(())
    }

    /// E5: resets the default configuration to Microsoft's service default, then waits until reads report
    /// `isServiceDefault: true`.
    pub async fn reset_default(&self, op: &Operation) -> Result<(), GraphError> {
        let what = "resetting the default configuration";
        let call = Call::write(Method::POST, format!("{DEFAULT}/resetToSystemDefault"), None, Safety::Idempotent, what);
        self.expect_success(op, &call).await?;
        let read = Call::get(DEFAULT, Shape::object(DEFAULT_PROPERTIES), "reading the default configuration");
        self.inner
            .consistency
            .wait_until(op, what, || async {
                let value = self.get_json(op, &read).await?;
                Ok(value.get("isServiceDefault") == Some(&Value::Bool(true)))
            })
            .await;
        Ok(())
    }

    // ----- E6–E10: partners -----------------------------------------------------------------------------------

    /// E6: lists every partner with its identity-sync policy (`$expand=identitySynchronization`), following
    /// `@odata.nextLink`. The result also refreshes the shared listing that [`GraphClient::partner`] reads from.
    ///
    /// Pages are requested with `$top` = `GraphClientOptions::partner_page_size`. Should Graph answer the first page
    /// with 400 while a `$top` was sent, the listing starts again without it, and later listings of this client
    /// leave the page size to Graph.
    pub async fn list_partners(&self, op: &Operation) -> Result<Vec<PartnerConfiguration>, GraphError> {
        let (partners, started) = self.fetch_all_partners(op).await?;
        self.inner.partners.store_listing(partners.clone(), started);
        Ok(partners)
    }

    /// The pages of E6, and when the listing started (see [`GraphClient::list_partners`]).
    async fn fetch_all_partners(&self, op: &Operation) -> Result<(Vec<PartnerConfiguration>, Instant), GraphError> {
        use std::sync::atomic::Ordering;
        let started = Instant::now();
        let mut call = Call::get(PARTNERS, Shape::collection(PARTNER_PROPERTIES), "listing partner configurations");
        call.query.push(("$expand", "identitySynchronization".to_owned()));
        let refused = &self.inner.partner_page_size_refused;
        let top = self.inner.partner_page_size.filter(|_| !refused.load(Ordering::Relaxed));
        if let Some(top) = top {
            call.query.push(("$top", top.to_string()));
        }
        let mut partners = Vec::new();
        let mut pages = 0;
        loop {
            let mut page = match self.get_body(op, &call).await {
                Ok(page) => page,
                // NOTE(graph): the collection is documented as supporting `$top`, but not its largest value; a 400
                // on the first page with one is taken as a refusal of the page size rather than of the listing.
                Err(GraphError::Api(error)) if error.status == 400 && pages == 0 && top.is_some() => {
                    if call.query.iter().all(|(name, _)| *name != "$top") {
                        return Err(GraphError::Api(error));
                    }
                    tracing::debug!(error = %error, "Graph refused the partner listing's page size; letting it choose");
                    refused.store(true, Ordering::Relaxed);
                    call.query.retain(|(name, _)| *name != "$top");
                    continue;
                }
                Err(error) => return Err(error),
            };
            pages += 1;
            // Taken, not cloned: a page of 999 partners is megabytes of JSON.
            let items = page.json.get_mut("value").map(Value::take).unwrap_or(Value::Array(Vec::new()));
            let mut batch: Vec<PartnerConfiguration> = decode(items, &call, page.request_id)?;
            partners.append(&mut batch);
            match page.json.get("@odata.nextLink").and_then(Value::as_str) {
                Some(next) => {
                    call.target = next.to_owned();
                    call.query.clear();
                }
                None => break,
            }
        }
        tracing::debug!(partners = partners.len(), pages, "listed partner configurations");
        Ok((partners, started))
    }

    /// Reads one partner through the shared listing: the first read in the process lists all partners (once,
    /// even when many reads start together), later reads are answered from it while it is younger than
    /// `GraphClientOptions::partner_listing_ttl`. `Ok(None)` means it does not exist.
    ///
    /// - A partner the listing does not have is looked up directly before being reported missing, so a partner
    ///   created by someone else after the listing is still found (and a partner deleted by someone else before
    ///   the listing is confirmed gone).
    /// - This client's own writes update the listing, so reads after them see the new state.
    /// - A partner deleted or changed by someone else *after* the listing shows as listed until the listing
    ///   expires. Terraform starts a provider process per command, so each plan or apply works from a listing
    ///   taken during it; use [`GraphClient::fetch_partner`] where that is not good enough.
    pub async fn partner(&self, op: &Operation, tenant_id: &str) -> Result<Option<PartnerConfiguration>, GraphError> {
        for _ in 0..3 {
            match self.inner.partners.lookup(tenant_id) {
                Cached::Present(partner) => return Ok(Some(*partner)),
                Cached::Absent => return Ok(None),
                Cached::Unknown => {
                    let found = self.fetch_partner(op, tenant_id).await?;
                    self.inner.partners.learn(tenant_id, found.clone());
                    return Ok(found);
                }
                Cached::NoListing => self.ensure_listing(op).await?,
            }
        }
        // The listing expired as soon as it was made (a TTL of zero): read directly.
        self.fetch_partner(op, tenant_id).await
    }

    /// Lists partners unless a fresh listing exists; concurrent callers wait for one listing.
    async fn ensure_listing(&self, op: &Operation) -> Result<(), GraphError> {
        let Some(_guard) = op.run(self.inner.partners.loading.lock()).await else {
            return Err(op.interrupted("waiting for the partner listing", None));
        };
        if self.inner.partners.has_fresh_listing() {
            return Ok(());
        }
        let (partners, started) = self.fetch_all_partners(op).await?;
        self.inner.partners.store_listing(partners, started);
        Ok(())
    }

    /// E8: reads one partner directly, bypassing the shared listing. `Ok(None)` means it does not exist.
    pub async fn fetch_partner(
        &self,
        op: &Operation,
        tenant_id: &str,
    ) -> Result<Option<PartnerConfiguration>, GraphError> {
        let call = Call::get(
            partner_path(tenant_id),
            Shape::object(PARTNER_PROPERTIES),
            format!("reading partner configuration {tenant_id}"),
        );
        self.read_optional(op, &call).await
    }

    /// E7: creates a partner configuration with `settings` (Graph's names; settings left out are not sent and come
    /// back null, i.e. inherited) and waits until it is visible. `isServiceProvider` must not be among them: sending
    /// it at all with app-only credentials is refused (Q9).
    ///
    /// - A 409 while the partner does not show on GET is the window right after a delete (the tenant id stays
    ///   reserved for a while) or replication lag; the create is retried until the consistency policy's
    ///   `max_wait` or the deadline.
    /// - A 409 for a partner that exists is [`GraphError::AlreadyExists`], unless an earlier attempt's outcome was
    ///   unknown and the partner matches what was sent: then it is this client's own creation.
    pub async fn create_partner(
        &self,
        op: &Operation,
        tenant_id: &str,
        settings: &Properties,
    ) -> Result<PartnerConfiguration, GraphError> {
        let tenant_id = tenant_id.trim().to_ascii_lowercase();
        let what = format!("creating partner configuration {tenant_id}");
        let mut body = settings.clone();
        body.insert("tenantId".to_owned(), Value::String(tenant_id.clone()));
        let sent = Value::Object(body);
        let call = Call::write(Method::POST, PARTNERS, Some(sent.clone()), Safety::CreateOnce, what.clone());
        let mut attempts = Attempts::default();
        let reserved_since = Instant::now();
        let mut reserved_retries = 0;

        let created: Option<PartnerConfiguration> = loop {
            let response = match self.send(op, &call, &mut attempts).await {
                Ok(response) => response,
                Err(e) => return Err(unknown_outcome(&attempts, &what, e)),
            };
            if response.is_success() {
                // A body that does not parse is no reason to doubt the create; the visibility wait reads it back.
                break response.json().and_then(|v| serde_json::from_value(v).ok());
            }
            if response.status != 409 {
                // Retries ran out on a failure. If an earlier attempt may have created the partner, look before
                // answering: a create that happened must not be reported as failed, or it is orphaned.
                if attempts.outcome_unknown {
                    match self.fetch_partner(op, &tenant_id).await {
                        Ok(Some(existing)) if reflects(&sent, &to_json(&existing)) => break Some(existing),
                        _ => {
                            return Err(GraphError::OutcomeUnknown {
                                what,
                                reason: format!("the last attempt failed with: {}", response.error(&call)),
                            });
                        }
                    }
                }
                return Err(response.error(&call).into());
            }
            match self.fetch_partner(op, &tenant_id).await {
                Err(e) => return Err(unknown_outcome(&attempts, &what, e)),
                Ok(Some(existing)) => {
                    if attempts.outcome_unknown && reflects(&sent, &to_json(&existing)) {
                        tracing::info!(
                            tenant_id,
                            "an earlier create attempt succeeded; using its partner configuration"
                        );
                        break Some(existing);
                    }
                    if attempts.outcome_unknown {
                        return Err(GraphError::OutcomeUnknown {
                            what,
                            reason: "the partner configuration now exists with settings other than those sent, so \
                                     it may have been created by someone else at the same time"
                                .into(),
                        });
                    }
                    return Err(GraphError::AlreadyExists {
                        what: format!("the partner configuration for tenant {tenant_id}"),
                        hint: Some("import it into Terraform instead of creating it".into()),
                    });
                }
                Ok(None) => {
                    // NOTE(graph): a re-create right after a delete gets 409 while the tenant id is still reserved
                    // (graph-api.md §6.4, Q10). Keep trying while the window may still be open.
                    if reserved_since.elapsed() >= self.inner.consistency.max_wait {
                        return Err(GraphError::AlreadyExists {
                            what: format!("the partner configuration for tenant {tenant_id}"),
                            hint: Some(
                                "Graph still refuses to create it although it does not show on read; it was probably \
                                 deleted moments ago and its id is still reserved, so try again later"
                                    .into(),
                            ),
                        });
                    }
                    let wait = self.inner.retry.backoff(reserved_retries.min(6));
                    reserved_retries += 1;
                    tracing::debug!(
                        tenant_id,
                        wait_ms = wait.as_millis() as u64,
                        "partner id still reserved; retrying the create"
                    );
                    if !op.sleep(wait).await {
                        let last = response.error(&call).into();
                        return Err(unknown_outcome(&attempts, &what, op.interrupted(&what, Some(last))));
                    }
                }
            }
        };

        let path = partner_path(&tenant_id);
        let latest = self.wait_for_object(op, &path, &what, Some(&sent), PARTNER_PROPERTIES).await;
        let result = latest
            .and_then(|v| serde_json::from_value::<PartnerConfiguration>(v).ok())
            .or(created)
            .unwrap_or_else(|| PartnerConfiguration { tenant_id: tenant_id.clone(), ..Default::default() });
        self.inner.partners.put(result.clone());
        Ok(result)
    }

    /// E9: updates a partner configuration with `patch` (settings left out are left alone; settings set to JSON
    /// `null` go back to inheriting the default), then waits until reads show the change.
    pub async fn update_partner(&self, op: &Operation, tenant_id: &str, patch: &Properties) -> Result<(), GraphError> {
        if patch.is_empty() {
            return Ok(());
        }
        let body = Value::Object(patch.clone());
        let what = format!("updating partner configuration {tenant_id}");
        let latest =
            self.patch_consistently(op, &partner_path(tenant_id), body.clone(), &what, PARTNER_PROPERTIES).await?;
        match latest.and_then(|v| serde_json::from_value::<PartnerConfiguration>(v).ok()) {
            Some(mut partner) => {
                // The direct read has no identity-sync policy; keep the one the cache knows.
                self.inner.partners.update(tenant_id, |cached| {
                    partner.identity_synchronization = cached.identity_synchronization.take();
                    *cached = partner;
                });
            }
            None => self.inner.partners.invalidate(tenant_id),
        }
        Ok(())
    }

    /// E10: deletes a partner configuration (a partner that is already gone counts as deleted), then waits until
    /// reads no longer find it. Graph refuses while an identity-sync policy exists or for a service provider.
    pub async fn delete_partner(&self, op: &Operation, tenant_id: &str) -> Result<(), GraphError> {
        let what = format!("deleting partner configuration {tenant_id}");
        let path = partner_path(tenant_id);
        self.delete_consistently(op, &path, &what).await?;
        self.inner.partners.remove(tenant_id);
        Ok(())
    }

    // ----- E11–E14: identity synchronization ----------------------------------------------------------------

    /// Reads a partner's identity-sync policy through the shared listing (see [`GraphClient::partner`]); a
    /// policy the listing does not show is looked up directly. `Ok(None)` means there is none.
    pub async fn identity_sync(
        &self,
        op: &Operation,
        tenant_id: &str,
    ) -> Result<Option<IdentitySyncPolicy>, GraphError> {
        match self.partner(op, tenant_id).await? {
            // No partner, no policy: the policy lives under the partner.
            None => Ok(None),
            Some(PartnerConfiguration { identity_synchronization: Some(policy), .. }) => Ok(Some(policy)),
            // A listing without the expansion is not proof that there is none (it may be newer than the listing).
            Some(_) => self.fetch_identity_sync(op, tenant_id).await,
        }
    }

    /// E12: reads a partner's identity-sync policy directly. `Ok(None)` means there is none (or no partner).
    pub async fn fetch_identity_sync(
        &self,
        op: &Operation,
        tenant_id: &str,
    ) -> Result<Option<IdentitySyncPolicy>, GraphError> {
        let call = Call::get(
            sync_path(tenant_id),
            Shape::object(SYNC_PROPERTIES),
            format!("reading the identity synchronization policy of partner {tenant_id}"),
        );
        self.read_optional(op, &call).await
    }

    /// E11: creates a partner's identity-sync policy (PUT, which Graph treats as create-only: a second PUT gets
    /// 409), then waits until it is visible. A 409 is reconciled as for [`GraphClient::create_partner`]; a 404
    /// while the partner itself exists is replication lag and is retried.
    pub async fn create_identity_sync(
        &self,
        op: &Operation,
        tenant_id: &str,
        policy: &IdentitySyncPolicy,
    ) -> Result<IdentitySyncPolicy, GraphError> {
        let what = format!("creating the identity synchronization policy of partner {tenant_id}");
        let sent = to_json(policy);
        let path = sync_path(tenant_id);
        let call = Call::write(Method::PUT, path.clone(), Some(sent.clone()), Safety::CreateOnce, what.clone());
        let mut attempts = Attempts::default();
        let started = Instant::now();
        let mut waits = 0;
        loop {
            let response = match self.send(op, &call, &mut attempts).await {
                Ok(response) => response,
                Err(e) => return Err(unknown_outcome(&attempts, &what, e)),
            };
            if response.is_success() {
                break;
            }
            // Only replication lag gets past this match: every other outcome returns or breaks.
            match response.status {
                409 => match self.fetch_identity_sync(op, tenant_id).await {
                    Err(e) => return Err(unknown_outcome(&attempts, &what, e)),
                    Ok(Some(existing)) if attempts.outcome_unknown && reflects(&sent, &to_json(&existing)) => break,
                    Ok(Some(_)) if attempts.outcome_unknown => {
                        return Err(GraphError::OutcomeUnknown {
                            what,
                            reason: "the policy now exists with settings other than those sent".into(),
                        });
                    }
                    Ok(Some(_)) => {
                        return Err(GraphError::AlreadyExists {
                            what: format!("the identity synchronization policy of partner {tenant_id}"),
                            hint: Some("import it into Terraform instead of creating it".into()),
                        });
                    }
                    Ok(None) => {}
                },
                404 => match self.fetch_partner(op, tenant_id).await {
                    Err(e) => return Err(unknown_outcome(&attempts, &what, e)),
                    Ok(Some(_)) => {}
                    Ok(None) => return Err(response.error(&call).into()),
                },
                _ if attempts.outcome_unknown => match self.fetch_identity_sync(op, tenant_id).await {
                    Ok(Some(existing)) if reflects(&sent, &to_json(&existing)) => break,
                    _ => {
                        return Err(GraphError::OutcomeUnknown {
                            what,
                            reason: format!("the last attempt failed with: {}", response.error(&call)),
                        });
                    }
                },
                _ => return Err(response.error(&call).into()),
            }
            if started.elapsed() >= self.inner.consistency.max_wait {
                return Err(response.error(&call).into());
            }
            let wait = self.inner.retry.backoff(waits.min(6));
            waits += 1;
            if !op.sleep(wait).await {
                let last = response.error(&call).into();
                return Err(unknown_outcome(&attempts, &what, op.interrupted(&what, Some(last))));
            }
        }
        let latest = self.wait_for_object(op, &path, &what, Some(&sent), SYNC_PROPERTIES).await;
        let mut result =
            latest.and_then(|v| serde_json::from_value::<IdentitySyncPolicy>(v).ok()).unwrap_or_else(|| policy.clone());
        if result.tenant_id.is_none() {
            result.tenant_id = Some(tenant_id.to_ascii_lowercase());
        }
        self.inner.partners.set_identity_sync(tenant_id, Some(result.clone()));
        Ok(result)
    }

    /// E13: updates a partner's identity-sync policy, then waits until reads show the change.
    pub async fn update_identity_sync(
        &self,
        op: &Operation,
        tenant_id: &str,
        patch: &IdentitySyncPatch,
    ) -> Result<(), GraphError> {
        let body = to_json(patch);
        if body.as_object().is_some_and(|o| o.is_empty()) {
            return Ok(());
        }
        let what = format!("updating the identity synchronization policy of partner {tenant_id}");
        let latest = self.patch_consistently(op, &sync_path(tenant_id), body, &what, SYNC_PROPERTIES).await?;
        match latest.and_then(|v| serde_json::from_value::<IdentitySyncPolicy>(v).ok()) {
            Some(policy) => self.inner.partners.set_identity_sync(tenant_id, Some(policy)),
            None => self.inner.partners.invalidate(tenant_id),
        }
        Ok(())
    }

    /// E14: deletes a partner's identity-sync policy (already gone counts as deleted), then waits until reads no
    /// longer find it.
    pub async fn delete_identity_sync(&self, op: &Operation, tenant_id: &str) -> Result<(), GraphError> {
        let what = format!("deleting the identity synchronization policy of partner {tenant_id}");
        self.delete_consistently(op, &sync_path(tenant_id), &what).await?;
        self.inner.partners.set_identity_sync(tenant_id, None);
        Ok(())
    }

    // ----- E15, E16: tenant information -----------------------------------------------------------------------

    /// E15: looks a tenant up by one of its domain names. `Ok(None)` when Graph knows no such domain.
    pub async fn find_tenant_by_domain(
        &self,
        op: &Operation,
        domain: &str,
    ) -> Result<Option<TenantInformation>, GraphError> {
        let call = Call::get(
            format!(
                "/tenantRelationships/findTenantInformationByDomainName(domainName={})",
                odata_string(domain.trim())
            ),
            Shape::object(TENANT_PROPERTIES),
            format!("looking up the tenant of domain {domain}"),
        );
        self.read_optional(op, &call).await
    }

    /// E16: looks a tenant up by its id. `Ok(None)` when Graph knows no such tenant.
    pub async fn find_tenant_by_id(
        &self,
        op: &Operation,
        tenant_id: &str,
    ) -> Result<Option<TenantInformation>, GraphError> {
        let call = Call::get(
            format!(
                "/tenantRelationships/findTenantInformationByTenantId(tenantId={})",
                odata_string(tenant_id.trim())
            ),
            Shape::object(TENANT_PROPERTIES),
            format!("looking up tenant {tenant_id}"),
        );
        self.read_optional(op, &call).await
    }

    // ----- shared write helpers ---------------------------------------------------------------------------------

    async fn expect_success(&self, op: &Operation, call: &Call) -> Result<(), GraphError> {
        let response = self.send(op, call, &mut Attempts::default()).await?;
        if response.is_success() { Ok(()) } else { Err(response.error(call).into()) }
    }

    /// PATCHes `path` and waits until reads reflect `body`. Returns the last read, when there was one.
    async fn patch_consistently(
        &self,
        op: &Operation,
        path: &str,
        body: Value,
        what: &str,
        required: &'static [&'static str],
    ) -> Result<Option<Value>, GraphError> {
        let call = Call::write(Method::PATCH, path, Some(body.clone()), Safety::Idempotent, what);
        self.expect_success(op, &call).await?;
        Ok(self.wait_for_object(op, path, what, Some(&body), required).await)
    }

    /// DELETEs `path` (404 = already gone) and waits until reads get 404.
    async fn delete_consistently(&self, op: &Operation, path: &str, what: &str) -> Result<(), GraphError> {
        let call = Call::write(Method::DELETE, path, None, Safety::Idempotent, what);
        let response = self.send(op, &call, &mut Attempts::default()).await?;
        if !response.is_success() && response.status != 404 {
            return Err(response.error(&call).into());
        }
        let read = Call::get(path, Shape::object(&[]), what);
        self.inner
            .consistency
            .wait_until(op, what, || async { Ok(self.get_json_optional(op, &read).await?.is_none()) })
            .await;
        Ok(())
    }

    /// Waits until `path` exists (and reflects `sent`, if given). Returns the last read.
    async fn wait_for_object(
        &self,
        op: &Operation,
        path: &str,
        what: &str,
        sent: Option<&Value>,
        required: &'static [&'static str],
    ) -> Option<Value> {
        let read = Call::get(path, Shape::object(required), what);
        let last: Arc<Mutex<Option<Value>>> = Arc::new(Mutex::new(None));
        self.inner
            .consistency
            .wait_until(op, what, || {
                let last = last.clone();
                let read = &read;
                async move {
                    let found = self.get_json_optional(op, read).await?;
                    let agrees = match (&found, sent) {
                        (Some(value), Some(sent)) => reflects(sent, value),
                        (Some(_), None) => true,
                        (None, _) => false,
                    };
                    *last.lock().unwrap_or_else(|p| p.into_inner()) = found;
                    Ok(agrees)
                }
            })
            .await;
        last.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// After a create attempt with an unknown outcome, any later failure leaves the outcome unknown: say so, so the
/// caller keeps track of the object that may exist.
fn unknown_outcome(attempts: &Attempts, what: &str, error: GraphError) -> GraphError {
    if attempts.outcome_unknown {
        GraphError::OutcomeUnknown { what: what.to_owned(), reason: format!("checking afterwards failed: {error}") }
    } else {
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_built_and_encoded() {
        assert_eq!(
            partner_path("3D0F5DEC-5D3D-455C-8016-E2AF1AE4D31A"),
            "/policies/crossTenantAccessPolicy/partners/3d0f5dec-5d3d-455c-8016-e2af1ae4d31a"
        );
        assert_eq!(partner_path("a/b?c"), "/policies/crossTenantAccessPolicy/partners/a%2Fb%3Fc");
        assert_eq!(odata_string("contoso.com"), "'contoso.com'");
        assert_eq!(odata_string("o'brien.example"), "'o%27%27brien.example'");
    }
}
