//! Live mode: the acceptance suite against a real Microsoft Entra tenant instead of the emulator.
//!
//! With `ENTRA_ACC_LIVE=1` and the provider's usual `ARM_*` credentials, [`crate::entra::Fixture::new`] points the
//! provider at the tenant those credentials name, and tests that need the emulator skip with a printed reason
//! (see [`crate::emulator_only!`]). A live run only ever creates partner configurations and identity
//! synchronization policies for the [`TEST_PARTNER_TENANTS`], and it puts back the two tenant-wide objects tests
//! change (the default configuration and the policy's allowed cloud endpoints). [`sweep`] (and `cargo xtask
//! sweep`) removes what an interrupted run left behind. CONTRIBUTING.md ("Live mode") describes all of it for users.
//!
//! Reads and out-of-band changes ("someone edits the partner in the portal") go through `entra-graph`'s own
//! client with the same credentials, so a live run needs nothing but Graph.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write as _;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use entra_graph::auth::AuthSettings;
use entra_graph::models::{
    DefaultConfiguration, IdentitySyncPatch, IdentitySyncPolicy, PartnerConfiguration, Patch, PolicyPatch, Properties,
};
use entra_graph::{GraphClient, GraphClientOptions, Operation};
use serde::de::DeserializeOwned;
use serde_json::{Value as Json, json};

/// The variable that turns live mode on (`1` or `true`).
pub const LIVE_VARIABLE: &str = "ENTRA_ACC_LIVE";

/// The only partner tenants a live run creates configurations for, and the only ones [`sweep`] removes, with where
/// each id comes from. Both are example tenants of Microsoft Graph's own documentation: no organization a test
/// tenant works with is behind them, and a partner configuration only changes how the tenant under test treats
/// users of that tenant (nothing reaches the partner).
pub const TEST_PARTNER_TENANTS: [(&str, &str); 2] = [
    (crate::entra::tenants::CONTOSO, "Contoso, the example of Microsoft Graph's tenant lookup documentation"),
    (
        crate::entra::tenants::FABRIKAM,
        "Fabrikam, the example partner of Microsoft Graph's identity synchronization documentation",
    ),
];

/// True when `tenant_id` is one of the [`TEST_PARTNER_TENANTS`] (in any case).
pub fn is_test_partner(tenant_id: &str) -> bool {
    TEST_PARTNER_TENANTS.iter().any(|(id, _)| id.eq_ignore_ascii_case(tenant_id.trim()))
}

/// Whether live mode is on in this process (`ENTRA_ACC_LIVE` is `1` or `true`).
pub fn enabled() -> bool {
    std::env::var(LIVE_VARIABLE).is_ok_and(|v| matches!(v.trim(), "1" | "true" | "TRUE" | "True"))
}

/// The environment a live provider sees: the credential and endpoint variables of this process (`ARM_*`,
/// `AZURE_*`, the CI token request variables, `SSL_CERT_FILE`, `ENTRA_*` tuning), plus `PATH` and `HOME` for the
/// Azure CLI credential. Nothing else of the developer's environment reaches the provider.
pub fn environment_from_process() -> BTreeMap<String, String> {
    const PREFIXES: [&str; 5] = ["ARM_", "AZURE_", "ENTRA_", "ACTIONS_ID_TOKEN_REQUEST_", "SYSTEM_"];
    const NAMES: [&str; 3] = ["SSL_CERT_FILE", "PATH", "HOME"];
    std::env::vars()
        .filter(|(name, _)| name != LIVE_VARIABLE)
        .filter(|(name, _)| NAMES.contains(&name.as_str()) || PREFIXES.iter().any(|p| name.starts_with(p)))
        .collect()
}

/// How long one call of [`TenantClient`] may take, retries and consistency waits included.
const CALL_TIMEOUT: Duration = Duration::from_secs(300);

/// Microsoft Graph for the tenant the `ARM_*` variables name, through `entra-graph`'s client, with blocking calls
/// that answer in Graph's JSON (the shape the emulator's out-of-band accessors use, so checks read the same).
#[derive(Debug)]
pub struct TenantClient {
    runtime: tokio::runtime::Runtime,
    client: GraphClient,
}

impl TenantClient {
    /// A client configured exactly as the provider configures itself from its environment (`ARM_*`
    /// credentials and endpoints, `SSL_CERT_FILE`, `ENTRA_*` tuning), except that partner reads never come from a
    /// cached listing (checks must see changes at once).
    ///
    /// # Errors
    /// When the settings are invalid or name no usable credential.
    pub fn from_env(env: &BTreeMap<String, String>) -> Result<TenantClient, String> {
        let lookup = |name: &str| env.get(name).cloned();
        let settings = AuthSettings::default().with_env_fallbacks(lookup).map_err(|e| e.to_string())?;
        let mut options = GraphClientOptions::from_env(lookup).map_err(|e| e.to_string())?;
        options.partner_listing_ttl = Duration::ZERO;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("start a runtime: {e}"))?;
        // Credentials may need the runtime while being built (token caches, HTTP clients).
        let client = runtime.block_on(async { GraphClient::new(&settings, options) }).map_err(|e| e.to_string())?;
        Ok(TenantClient { runtime, client })
    }

    fn run<T, F>(&self, call: impl FnOnce(GraphClient, Operation) -> F) -> Result<T, String>
    where
        F: Future<Output = Result<T, entra_graph::GraphError>>,
    {
        let op = Operation::with_timeout(CALL_TIMEOUT);
        self.runtime.block_on(call(self.client.clone(), op)).map_err(|e| e.to_string())
    }

    /// The Graph base URL (`…/v1.0/`), to say which tenant endpoint is in use.
    pub fn base_url(&self) -> String {
        self.client.base_url().to_string()
    }

    /// Proves the credential by fetching a token.
    ///
    /// # Errors
    /// When no token can be had.
    pub fn check_credentials(&self) -> Result<(), String> {
        self.run(|client, op| async move { client.check_credentials(&op).await })
    }

    /// A partner configuration as Graph returns it, or `None`.
    ///
    /// # Errors
    /// When Graph fails.
    pub fn partner(&self, tenant_id: &str) -> Result<Option<Json>, String> {
        let tenant_id = tenant_id.to_owned();
        let partner = self.run(|client, op| async move { client.fetch_partner(&op, &tenant_id).await })?;
        Ok(partner.as_ref().map(partner_json))
    }

    /// Whether Graph marks this partner as the tenant's Cloud Solution Provider (such partners cannot be deleted).
    ///
    /// # Errors
    /// When Graph fails.
    pub fn is_service_provider(&self, tenant_id: &str) -> Result<bool, String> {
        Ok(self.partner(tenant_id)?.is_some_and(|p| p["isServiceProvider"] == true))
    }

    /// A partner's identity synchronization policy as Graph returns it, or `None`.
    ///
    /// # Errors
    /// When Graph fails.
    pub fn identity_sync(&self, tenant_id: &str) -> Result<Option<Json>, String> {
        let tenant_id = tenant_id.to_owned();
        let policy = self.run(|client, op| async move { client.fetch_identity_sync(&op, &tenant_id).await })?;
        Ok(policy.map(|p| serde_json::to_value(p).expect("models serialize")))
    }

    fn typed_default(&self) -> Result<DefaultConfiguration, String> {
        self.run(|client, op| async move { client.get_default(&op).await })
    }

    /// The default configuration, in Graph's property names.
    ///
    /// # Errors
    /// When Graph fails.
    pub fn default_configuration(&self) -> Result<Json, String> {
        Ok(default_json(&self.typed_default()?))
    }

    /// The tenant-wide cross-tenant access policy, in Graph's property names.
    ///
    /// # Errors
    /// When Graph fails.
    pub fn policy(&self) -> Result<Json, String> {
        let policy = self.run(|client, op| async move { client.get_policy(&op).await })?;
        Ok(json!({
            "id": policy.id,
            "displayName": policy.display_name,
            "allowedCloudEndpoints": policy.allowed_cloud_endpoints,
        }))
    }

    /// Creates a partner configuration from Graph's JSON (`tenantId` and any settings).
    ///
    /// # Errors
    /// When the JSON does not fit or Graph refuses.
    pub fn create_partner(&self, partner: &Json) -> Result<(), String> {
        let tenant_id = partner["tenantId"].as_str().ok_or("a partner needs a tenantId")?.to_owned();
        let mut settings = object(partner)?;
        settings.remove("tenantId");
        self.run(|client, op| async move { client.create_partner(&op, &tenant_id, &settings).await.map(drop) })
    }

    /// PATCHes a partner configuration with Graph's JSON: properties present are set (`null` goes back to
    /// inheriting the default), absent ones are left alone.
    ///
    /// # Errors
    /// When the JSON does not fit or Graph refuses.
    pub fn patch_partner(&self, tenant_id: &str, patch: &Json) -> Result<(), String> {
        let patch = object(patch)?;
        let tenant_id = tenant_id.to_owned();
        self.run(|client, op| async move { client.update_partner(&op, &tenant_id, &patch).await })
    }

    /// Deletes a partner configuration (already gone counts as deleted).
    ///
    /// # Errors
    /// When Graph refuses.
    pub fn delete_partner(&self, tenant_id: &str) -> Result<(), String> {
        let tenant_id = tenant_id.to_owned();
        self.run(|client, op| async move { client.delete_partner(&op, &tenant_id).await })
    }

    /// Creates a partner's identity synchronization policy from Graph's JSON.
    ///
    /// # Errors
    /// When the JSON does not fit or Graph refuses.
    pub fn put_identity_sync(&self, tenant_id: &str, policy: &Json) -> Result<(), String> {
        let policy: IdentitySyncPolicy =
            serde_json::from_value(policy.clone()).map_err(|e| format!("an identity synchronization policy: {e}"))?;
        let tenant_id = tenant_id.to_owned();
        self.run(|client, op| async move { client.create_identity_sync(&op, &tenant_id, &policy).await.map(drop) })
    }

    /// PATCHes a partner's identity synchronization policy with Graph's JSON.
    ///
    /// # Errors
    /// When the JSON does not fit or Graph refuses.
    pub fn patch_identity_sync(&self, tenant_id: &str, patch: &Json) -> Result<(), String> {
        let patch = IdentitySyncPatch {
            display_name: patch_of(patch, "displayName")?,
            user_sync_inbound: patch_of(patch, "userSyncInbound")?,
        };
        let tenant_id = tenant_id.to_owned();
        self.run(|client, op| async move { client.update_identity_sync(&op, &tenant_id, &patch).await })
    }

    /// Deletes a partner's identity synchronization policy (already gone counts as deleted).
    ///
    /// # Errors
    /// When Graph refuses.
    pub fn delete_identity_sync(&self, tenant_id: &str) -> Result<(), String> {
        let tenant_id = tenant_id.to_owned();
        self.run(|client, op| async move { client.delete_identity_sync(&op, &tenant_id).await })
    }

    /// PATCHes the default configuration with every updatable setting of `default` (Graph's JSON) that is not
    /// null; read-only properties are ignored.
    ///
    /// # Errors
    /// When the JSON does not fit or Graph refuses.
    pub fn patch_default(&self, default: &Json) -> Result<(), String> {
        // Graph's read-only members of the default are never sent.
        let read_only = ["id", "isServiceDefault", "automaticUserConsentSettings"];
        let patch: Properties = object(default)?
            .into_iter()
            .filter(|(name, value)| !value.is_null() && !name.starts_with('@') && !read_only.contains(&name.as_str()))
            .collect();
        self.run(|client, op| async move { client.update_default(&op, &patch).await })
    }

    /// Resets the default configuration to Microsoft's service default.
    ///
    /// # Errors
    /// When Graph refuses.
    pub fn reset_default(&self) -> Result<(), String> {
        self.run(|client, op| async move { client.reset_default(&op).await })
    }

    /// Sets the policy's allowed cloud endpoints.
    ///
    /// # Errors
    /// When Graph refuses.
    pub fn set_allowed_cloud_endpoints(&self, endpoints: &[String]) -> Result<(), String> {
        let patch = PolicyPatch { display_name: None, allowed_cloud_endpoints: Some(endpoints.to_vec()) };
        self.run(|client, op| async move { client.update_policy(&op, &patch).await })
    }

    /// The default domain of a tenant, from Graph's tenant lookup.
    ///
    /// # Errors
    /// When Graph fails or knows no such tenant.
    pub fn default_domain(&self, tenant_id: &str) -> Result<String, String> {
        let id = tenant_id.to_owned();
        let found = self.run(|client, op| async move { client.find_tenant_by_id(&op, &id).await })?;
        found
            .and_then(|t| t.default_domain_name)
            .ok_or_else(|| format!("Microsoft Graph knows no default domain for tenant {tenant_id}"))
    }
}

/// Graph's JSON object as properties.
fn object(value: &Json) -> Result<Properties, String> {
    value.as_object().cloned().ok_or_else(|| format!("a JSON object, not {value}"))
}

/// A property of a JSON PATCH body as a [`Patch`]: absent is unchanged, `null` is null.
fn patch_of<T: DeserializeOwned>(object: &Json, name: &str) -> Result<Patch<T>, String> {
    match object.get(name) {
        None => Ok(Patch::Unchanged),
        Some(Json::Null) => Ok(Patch::Null),
        Some(value) => serde_json::from_value(value.clone()).map(Patch::Set).map_err(|e| format!("{name}: {e}")),
    }
}

fn default_json(default: &DefaultConfiguration) -> Json {
    let mut json = default.settings.clone();
    json.insert("id".to_owned(), json!(default.id));
    json.insert("isServiceDefault".to_owned(), json!(default.is_service_default));
    Json::Object(json)
}

/// A partner configuration as Graph's JSON, read-only members included.
fn partner_json(partner: &PartnerConfiguration) -> Json {
    let mut json = partner.settings.clone();
    json.insert("tenantId".to_owned(), json!(partner.tenant_id));
    json.insert("isServiceProvider".to_owned(), json!(partner.is_service_provider));
    json.insert("isInMultiTenantOrganization".to_owned(), json!(partner.is_in_multi_tenant_organization));
    Json::Object(json)
}

/// What [`sweep`] found for one test partner tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// The partner tenant.
    pub tenant_id: String,
    /// `"identity synchronization policy"` or `"partner configuration"`.
    pub kind: &'static str,
}

impl std::fmt::Display for Leftover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = TEST_PARTNER_TENANTS.iter().find(|(id, _)| *id == self.tenant_id).map_or("", |(_, why)| why);
        write!(f, "the {} of partner {} ({why})", self.kind, self.tenant_id)
    }
}

/// Finds, and with `remove` deletes, what live runs create: identity synchronization policies and partner
/// configurations of the [`TEST_PARTNER_TENANTS`], policies first (Graph refuses to delete a partner that still
/// has one). Nothing else is ever looked at. A test partner that Microsoft marks as the tenant's service provider
/// is not something a test made, and is refused rather than touched.
///
/// # Errors
/// When Graph fails, or a test partner is a service provider; what was removed before stays removed.
pub fn sweep(client: &TenantClient, remove: bool) -> Result<Vec<Leftover>, String> {
    let mut found = Vec::new();
    for (tenant_id, _) in TEST_PARTNER_TENANTS {
        let Some(partner) = client.partner(tenant_id)? else { continue };
        if partner["isServiceProvider"] == true {
            return Err(format!(
                "partner {tenant_id} is this tenant's service provider: live tests never create one, so it is left \
                 alone; run live mode in a tenant where it is not"
            ));
        }
        if client.identity_sync(tenant_id)?.is_some() {
            if remove {
                client.delete_identity_sync(tenant_id)?;
            }
            found.push(Leftover { tenant_id: tenant_id.to_owned(), kind: "identity synchronization policy" });
        }
        if remove {
            client.delete_partner(tenant_id)?;
        }
        found.push(Leftover { tenant_id: tenant_id.to_owned(), kind: "partner configuration" });
    }
    Ok(found)
}

/// What a live test changes tenant-wide, as it was before the test, so the test can put it back.
#[derive(Debug)]
pub struct Baseline {
    default: Json,
    allowed_cloud_endpoints: Vec<String>,
}

impl Baseline {
    /// Saves the default configuration and the allowed cloud endpoints, then brings the tenant to what tests start
    /// from (a fresh tenant's): no test partners left over (see [`sweep`]), the default configuration at the
    /// service default, no other clouds allowed. Leftovers are named on stderr.
    ///
    /// # Errors
    /// When Graph fails.
    pub fn prepare(client: &TenantClient) -> Result<Baseline, String> {
        for leftover in sweep(client, true)? {
            // Straight to the process's stderr: the test harness captures `eprintln!` of passing tests.
            let _ = writeln!(std::io::stderr(), "live mode: removed {leftover}, left behind by an interrupted run");
        }
        let default = client.default_configuration()?;
        let allowed_cloud_endpoints: Vec<String> =
            serde_json::from_value(client.policy()?["allowedCloudEndpoints"].clone())
                .map_err(|e| format!("allowedCloudEndpoints: {e}"))?;
        if default["isServiceDefault"] != true {
            client.reset_default()?;
        }
        if !allowed_cloud_endpoints.is_empty() {
            client.set_allowed_cloud_endpoints(&[])?;
        }
        Ok(Baseline { default, allowed_cloud_endpoints })
    }

    /// Removes the test partners a test left, and puts the default configuration and the allowed cloud endpoints
    /// back as they were before [`Baseline::prepare`].
    ///
    /// # Errors
    /// When Graph fails; every part is still attempted.
    pub fn restore(&self, client: &TenantClient) -> Result<(), String> {
        let mut errors = Vec::new();
        if let Err(e) = sweep(client, true) {
            errors.push(format!("removing test partners: {e}"));
        }
        let restored_default = (|| {
            if self.default["isServiceDefault"] == true {
                if client.default_configuration()?["isServiceDefault"] != true {
                    client.reset_default()?;
                }
                Ok(())
            } else {
                // A customized default: reset first, so settings the saved one does not have go back to Microsoft's,
                // then write every saved setting.
                client.reset_default()?;
                client.patch_default(&self.default)
            }
        })();
        if let Err(e) = restored_default {
            errors.push(format!("restoring the default configuration: {e}"));
        }
        let endpoints = client.policy().and_then(|p| {
            let mut current: Vec<String> =
                serde_json::from_value(p["allowedCloudEndpoints"].clone()).unwrap_or_default();
            let mut saved = self.allowed_cloud_endpoints.clone();
            current.sort();
            saved.sort();
            if current == saved { Ok(()) } else { client.set_allowed_cloud_endpoints(&self.allowed_cloud_endpoints) }
        });
        if let Err(e) = endpoints {
            errors.push(format!("restoring the allowed cloud endpoints: {e}"));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) }
    }
}

/// One live test at a time in this process: live tests share one tenant, its singletons and the test partner ids.
/// Held for the life of a live fixture; released on drop.
#[derive(Debug)]
pub struct TenantLease(());

static TENANT_IN_USE: Mutex<bool> = Mutex::new(false);
static TENANT_RELEASED: Condvar = Condvar::new();

impl TenantLease {
    /// Waits until no other live fixture of this process holds the tenant.
    pub fn acquire() -> TenantLease {
        let mut in_use = TENANT_IN_USE.lock().unwrap_or_else(|e| e.into_inner());
        while *in_use {
            in_use = TENANT_RELEASED.wait(in_use).unwrap_or_else(|e| e.into_inner());
        }
        *in_use = true;
        TenantLease(())
    }
}

impl Drop for TenantLease {
    fn drop(&mut self) {
        *TENANT_IN_USE.lock().unwrap_or_else(|e| e.into_inner()) = false;
        TENANT_RELEASED.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_partners_are_recognized_in_any_case() {
        assert!(is_test_partner(&crate::entra::tenants::CONTOSO.to_ascii_uppercase()));
        assert!(is_test_partner(crate::entra::tenants::FABRIKAM));
        assert!(!is_test_partner(crate::entra::tenants::TRUESEC));
    }

    #[test]
    fn json_patch_bodies_map_to_patches() {
        let body = json!({"inboundTrust": null, "displayName": "x"});
        assert_eq!(patch_of::<String>(&body, "displayName"), Ok(Patch::Set("x".to_owned())));
        assert_eq!(patch_of::<String>(&body, "inboundTrust"), Ok(Patch::Null));
        assert_eq!(patch_of::<String>(&body, "missing"), Ok(Patch::Unchanged));
        assert!(patch_of::<bool>(&body, "displayName").is_err());
        assert_eq!(object(&body).map(|o| o.len()), Ok(2));
        assert!(object(&json!([])).is_err());
    }
}
