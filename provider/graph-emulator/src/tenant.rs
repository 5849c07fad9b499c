//! Several tenants in one process (interface.md §8, Wave 2).
//!
//! Every emulated tenant is a [`Tenant`]: its identity and credentials, its own cross-tenant access policy store
//! (versioned, so read-after-write lag applies per tenant) and its own directory objects ([`Objects`]: users,
//! groups, applications, service principals, synchronization jobs, app role assignments). The first tenant is the one
//! `EmulatorConfig::tenant_id` names; every behaviour of the single-tenant emulator is the first tenant's.
//!
//! # Which tenant a request reaches
//!
//! Tokens are issued per tenant on `/{tenant}/oauth2/v2.0/token`, and the token carries the tenant
//! ([`crate::auth::Caller::tenant_id`]). The HTTP layer copies it into `GraphRequest::tenant`, and every handler reads
//! and writes through [`Service::tenant_of`], so a token reaches only its own tenant's data.
//!
//! # Cross-tenant reads and writes (for the connection test and multi-tenant organizations)
//!
//! Handlers that must look at another tenant use the same API:
//! - [`Service::tenant`] finds an emulated tenant by id (`None` for a tenant that is not emulated, such as the
//!   directory fixture's Contoso);
//! - [`Tenant::policy`] is that tenant's true current cross-tenant access state (partners, identity sync policies,
//!   templates), without lag: what Microsoft's own services see;
//! - [`Service::write_policy`] changes it as a Graph write in that tenant would (validation is the caller's job;
//!   lag and the size cap apply);
//! - [`Tenant::objects`] locks its directory objects.
//!
//! Lock order: never hold a tenant's `store` lock while taking another tenant's; take `objects` before `store`
//! when both are needed.

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;

use crate::config::{DirectoryObjectFixture, TenantConfig, TenantRestrictionsFixture};
use crate::objects::Objects;
use crate::schema::{self, Strictness};
use crate::service::{Service, lock};
use crate::store::{self, Fixture, Object, State, Store};

/// One emulated tenant.
#[derive(Debug)]
pub(crate) struct Tenant {
    /// Identity and credentials, ids lowercase.
    pub(crate) config: TenantConfig,
    /// Inputs of the fresh cross-tenant access state.
    pub(crate) fixture: Fixture,
    /// The cross-tenant access policy store.
    pub(crate) store: Mutex<Store>,
    /// Users, groups, applications, service principals, synchronization jobs and app role assignments.
    pub(crate) objects: Mutex<Objects>,
}

fn lowercase_objects(objects: &[DirectoryObjectFixture]) -> Vec<DirectoryObjectFixture> {
    objects
        .iter()
        .map(|o| DirectoryObjectFixture { id: o.id.to_ascii_lowercase(), display_name: o.display_name.clone() })
        .collect()
}

impl Tenant {
    /// A fresh tenant.
    pub(crate) fn new(
        config: &TenantConfig,
        policy_id: &str,
        tenant_restrictions: TenantRestrictionsFixture,
        service_provider_partners: Vec<String>,
    ) -> anyhow::Result<Tenant> {
        if !crate::odata::is_guid(&config.tenant_id) {
            anyhow::bail!("the emulated tenant id '{}' is not a GUID", config.tenant_id);
        }
        for object in config.users.iter().chain(&config.groups) {
            if !crate::odata::is_guid(&object.id) {
                anyhow::bail!(
                    "the id '{}' of '{}' in tenant {} is not a GUID",
                    object.id,
                    object.display_name,
                    config.tenant_id
                );
            }
        }
        let config = TenantConfig {
            tenant_id: config.tenant_id.to_ascii_lowercase(),
            users: lowercase_objects(&config.users),
            groups: lowercase_objects(&config.groups),
            ..config.clone()
        };
        let fixture = Fixture {
            tenant_id: config.tenant_id.clone(),
            policy_id: policy_id.to_owned(),
            tenant_restrictions,
            service_provider_partners,
        };
        Ok(Tenant {
            store: Mutex::new(Store::new(State::fresh(&fixture))),
            objects: Mutex::new(Objects::fresh(&config)),
            fixture,
            config,
        })
    }

    /// The tenant id (lowercase).
    pub(crate) fn id(&self) -> &str {
        &self.config.tenant_id
    }

    /// The true current cross-tenant access state (no lag).
    pub(crate) fn policy(&self) -> Arc<State> {
        lock(&self.store).current()
    }

    /// Locks the directory objects.
    pub(crate) fn objects(&self) -> MutexGuard<'_, Objects> {
        lock(&self.objects)
    }

    /// Back to the fresh tenant: policy, directory objects and reservations.
    pub(crate) fn reset(&self) {
        {
            let mut store = lock(&self.store);
            store.replace(State::fresh(&self.fixture));
            store.clear_reservations();
        }
        *lock(&self.objects) = Objects::fresh(&self.config);
    }

    /// The cross-tenant access state as JSON (`Emulator::state`).
    pub(crate) fn state(&self) -> Value {
        self.policy().to_value()
    }

    /// Replaces the cross-tenant access state (sections left out keep their values).
    pub(crate) fn set_state(&self, value: &Value) -> anyhow::Result<()> {
        let mut store = lock(&self.store);
        let state = State::from_value(value, &store.current())?;
        store.replace(state);
        Ok(())
    }

    /// Applies an out-of-band change to the current state; it is visible at once.
    fn out_of_band<R>(&self, change: impl FnOnce(&mut State) -> anyhow::Result<R>) -> anyhow::Result<R> {
        let mut store = lock(&self.store);
        let mut state = (*store.current()).clone();
        let result = change(&mut state)?;
        store.replace(state);
        Ok(result)
    }

    /// Creates a partner out of band. Any property may be set, including `isServiceProvider`.
    pub(crate) fn create_partner_out_of_band(&self, partner: &Value) -> anyhow::Result<Value> {
        let body = read_out_of_band_body(partner, &schema::PARTNER)?;
        let tenant_id = body
            .get("tenantId")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow::anyhow!("the partner needs a tenantId"))?
            .to_ascii_lowercase();
        self.out_of_band(|state| {
            if state.partners.contains_key(&tenant_id) {
                anyhow::bail!("a partner for tenant {tenant_id} already exists");
            }
            let mut stored = store::new_partner(&tenant_id);
            for (name, value) in body {
                if name != "tenantId" {
                    stored.insert(name, value);
                }
            }
            state.deleted_partners.remove(&tenant_id);
            state.partners.insert(tenant_id.clone(), stored.clone());
            Ok(Value::Object(stored))
        })
    }

    /// Changes a partner out of band: each property in `patch` replaces the stored one.
    pub(crate) fn patch_partner_out_of_band(&self, tenant_id: &str, patch: &Value) -> anyhow::Result<Value> {
        let body = read_out_of_band_body(patch, &schema::PARTNER)?;
        let key = tenant_id.to_ascii_lowercase();
        self.out_of_band(|state| {
            let partner = state.partners.get_mut(&key).ok_or_else(|| anyhow::anyhow!("no partner for tenant {key}"))?;
            for (name, value) in body {
                if name != "tenantId" {
                    partner.insert(name, value);
                }
            }
            Ok(Value::Object(partner.clone()))
        })
    }

    /// Deletes a partner (and its identity-sync policy) out of band, bypassing the lifecycle guards.
    pub(crate) fn delete_partner_out_of_band(&self, tenant_id: &str) -> anyhow::Result<()> {
        let key = tenant_id.to_ascii_lowercase();
        self.out_of_band(|state| {
            state.partners.remove(&key).ok_or_else(|| anyhow::anyhow!("no partner for tenant {key}"))?;
            state.sync.remove(&key);
            Ok(())
        })
    }

    /// Creates or replaces a partner's identity-sync policy out of band.
    pub(crate) fn put_identity_sync_out_of_band(&self, tenant_id: &str, policy: &Value) -> anyhow::Result<Value> {
        let body = read_out_of_band_body(policy, &schema::IDENTITY_SYNC)?;
        let key = tenant_id.to_ascii_lowercase();
        self.out_of_band(|state| {
            if !state.partners.contains_key(&key) {
                anyhow::bail!("no partner for tenant {key}");
            }
            let mut stored = store::new_sync_policy(&key);
            for (name, value) in body {
                if name != "tenantId" {
                    stored.insert(name, value);
                }
            }
            state.sync.insert(key.clone(), stored.clone());
            Ok(Value::Object(stored))
        })
    }

    /// Changes a partner's identity-sync policy out of band.
    pub(crate) fn patch_identity_sync_out_of_band(&self, tenant_id: &str, patch: &Value) -> anyhow::Result<Value> {
        let body = read_out_of_band_body(patch, &schema::IDENTITY_SYNC)?;
        let key = tenant_id.to_ascii_lowercase();
        self.out_of_band(|state| {
            let policy =
                state.sync.get_mut(&key).ok_or_else(|| anyhow::anyhow!("no identity sync policy for tenant {key}"))?;
            for (name, value) in body {
                if name != "tenantId" {
                    policy.insert(name, value);
                }
            }
            Ok(Value::Object(policy.clone()))
        })
    }

    /// Deletes a partner's identity-sync policy out of band.
    pub(crate) fn delete_identity_sync_out_of_band(&self, tenant_id: &str) -> anyhow::Result<()> {
        let key = tenant_id.to_ascii_lowercase();
        self.out_of_band(|state| {
            state.sync.remove(&key).ok_or_else(|| anyhow::anyhow!("no identity sync policy for tenant {key}"))?;
            Ok(())
        })
    }

    /// One partner's stored JSON.
    pub(crate) fn partner(&self, tenant_id: &str) -> Option<Value> {
        self.policy().partners.get(&tenant_id.to_ascii_lowercase()).map(|p| Value::Object(p.clone()))
    }

    /// One identity-sync policy's stored JSON.
    pub(crate) fn identity_sync(&self, tenant_id: &str) -> Option<Value> {
        self.policy().sync.get(&tenant_id.to_ascii_lowercase()).map(|p| Value::Object(p.clone()))
    }
}

fn read_out_of_band_body(value: &Value, ty: &'static schema::ComplexType) -> anyhow::Result<Object> {
    // Out-of-band bodies are always read strictly, so a typo in a test fails loudly.
    let strict = Strictness { exact_names: true, enum_members: false };
    schema::read_object(value, ty, strict).map_err(|e| anyhow::anyhow!("{}", e.message))
}

impl Service {
    /// The emulated tenant with this id (any case), if the emulator hosts it.
    pub(crate) fn tenant(&self, tenant_id: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id().eq_ignore_ascii_case(tenant_id))
    }

    /// The first tenant.
    pub(crate) fn primary(&self) -> &Tenant {
        // `Service::new` always creates the first tenant.
        &self.tenants[0]
    }

    /// The tenant a Graph request reaches (its caller's tenant).
    pub(crate) fn tenant_of(&self, request: &crate::graph::GraphRequest) -> &Tenant {
        self.tenant(&request.tenant).unwrap_or_else(|| self.primary())
    }

    /// The tenant an admin request names with `?tenant=ID` (the first tenant without one).
    pub(crate) fn tenant_or_primary(&self, tenant_id: Option<&str>) -> anyhow::Result<&Tenant> {
        match tenant_id {
            None => Ok(self.primary()),
            Some(id) => self.tenant(id).ok_or_else(|| anyhow::anyhow!("no emulated tenant {id}")),
        }
    }
}

/// Out-of-band access to directory objects and synchronization jobs (tests simulate changes made in the portal, and
/// what the provisioning service does on its own).
impl Tenant {
    /// Applications, service principals, synchronization and app role assignments as one JSON document.
    pub(crate) fn objects_json(&self) -> Value {
        let objects = self.objects();
        let map = |items: &std::collections::BTreeMap<String, Object>| -> Value {
            Value::Object(items.iter().map(|(k, v)| (k.clone(), Value::Object(v.clone()))).collect())
        };
        let synchronization: serde_json::Map<String, Value> = objects
            .synchronization
            .iter()
            .map(|(sp, sync)| {
                let secrets: Vec<Value> =
                    sync.secrets.iter().map(|(k, v)| serde_json::json!({"key": k, "value": v})).collect();
                let jobs: serde_json::Map<String, Value> = sync
                    .jobs
                    .iter()
                    .map(|(id, job)| (id.clone(), serde_json::json!({"job": job.job, "schema": job.schema})))
                    .collect();
                (sp.clone(), serde_json::json!({"secrets": secrets, "jobs": jobs}))
            })
            .collect();
        let assignments: serde_json::Map<String, Value> = objects
            .assignments
            .iter()
            .map(|(sp, list)| (sp.clone(), Value::Array(list.iter().cloned().map(Value::Object).collect())))
            .collect();
        serde_json::json!({
            "users": map(&objects.users),
            "groups": map(&objects.groups),
            "applications": map(&objects.applications),
            "servicePrincipals": map(&objects.service_principals),
            "synchronization": synchronization,
            "appRoleAssignedTo": assignments,
        })
    }

    /// Changes a job out of band; returns the job as stored.
    pub(crate) fn change_job(
        &self,
        sp: &str,
        job: &str,
        change: impl FnOnce(&mut crate::objects::Job),
    ) -> anyhow::Result<Value> {
        let mut objects = self.objects();
        let stored = objects
            .job_mut(&sp.to_ascii_lowercase(), job)
            .ok_or_else(|| anyhow::anyhow!("no synchronization job {job} on service principal {sp}"))?;
        change(stored);
        Ok(Value::Object(stored.job.clone()))
    }

    /// Completes one synchronization cycle of a job (see `Job::complete_cycle`); the entitled count is the number
    /// of assignments of its service principal. Returns the job, or an error when it is not active or in quarantine.
    pub(crate) fn complete_cycle(&self, sp: &str, job: &str) -> anyhow::Result<Value> {
        let sp = sp.to_ascii_lowercase();
        let mut objects = self.objects();
        let entitled = objects.assignments.get(&sp).map_or(0, |a| a.len() as u64);
        let stored = objects
            .job_mut(&sp, job)
            .ok_or_else(|| anyhow::anyhow!("no synchronization job {job} on service principal {sp}"))?;
        if !stored.complete_cycle(entitled) {
            anyhow::bail!("job {job} is not active (started and out of quarantine), so no cycle runs");
        }
        Ok(Value::Object(stored.job.clone()))
    }

    /// Adds a user or group out of band.
    pub(crate) fn add_directory_object(&self, group: bool, id: &str, display_name: &str) -> anyhow::Result<Value> {
        if !crate::odata::is_guid(id) {
            anyhow::bail!("the id '{id}' is not a GUID");
        }
        let id = id.to_ascii_lowercase();
        let mut objects = self.objects();
        let (stored, map) = if group {
            (crate::objects::new_group(&id, display_name), &mut objects.groups)
        } else {
            (crate::objects::new_user(&id, display_name, &self.config.default_domain_name), &mut objects.users)
        };
        map.insert(id, stored.clone());
        Ok(Value::Object(stored))
    }

    /// Deletes a job out of band.
    pub(crate) fn delete_job_out_of_band(&self, sp: &str, job: &str) -> anyhow::Result<()> {
        let mut objects = self.objects();
        objects
            .synchronization
            .get_mut(&sp.to_ascii_lowercase())
            .and_then(|s| s.jobs.remove(job))
            .map(|_| ())
            .ok_or_else(|| anyhow::anyhow!("no synchronization job {job} on service principal {sp}"))
    }
}
