//! The shared core of a running emulator: state, faults, statistics, identity provider and behaviour switches,
//! plus the out-of-band operations the control surface offers (they bypass auth, faults, rules and lag).

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;

use crate::auth::Authority;
use crate::config::{DefaultNullMode, DirectoryTenant, EmulatorConfig, MergeMode, ReadOnlyMode, ValidationRules};
use crate::faults::{FaultEngine, Faults};
use crate::schema::{self, Strictness};
use crate::stats::Stats;
use crate::store::{self, Fixture, Object, State, Store};

/// Behaviour switches that can change at run time.
#[derive(Clone, Debug)]
pub(crate) struct Behaviour {
    pub(crate) rules: ValidationRules,
    pub(crate) merge_mode: MergeMode,
    pub(crate) read_only: ReadOnlyMode,
    pub(crate) default_null: DefaultNullMode,
    pub(crate) page_size: usize,
}

/// Everything the request handlers share.
#[derive(Debug)]
pub(crate) struct Service {
    pub(crate) config: EmulatorConfig,
    pub(crate) endpoint: String,
    pub(crate) fixture: Fixture,
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: Mutex<FaultEngine>,
    pub(crate) stats: Mutex<Stats>,
    pub(crate) authority: Authority,
    pub(crate) directory: Mutex<Vec<DirectoryTenant>>,
    pub(crate) behaviour: Mutex<Behaviour>,
}

/// Locks a mutex, taking over a poisoned one: the data behind these locks stays consistent because every update
/// is a single assignment made after validation.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Service {
    pub(crate) fn new(config: EmulatorConfig, endpoint: String, port: u16) -> anyhow::Result<Arc<Service>> {
        for tenant_id in &config.service_provider_partners {
            if !crate::odata::is_guid(tenant_id) {
                anyhow::bail!("service-provider partner '{tenant_id}' is not a GUID");
            }
        }
        if !crate::odata::is_guid(&config.tenant_id) {
            anyhow::bail!("the emulator's tenant id '{}' is not a GUID", config.tenant_id);
        }
        let fixture = Fixture {
            tenant_id: config.tenant_id.to_ascii_lowercase(),
            policy_id: config.policy_id.clone(),
            tenant_restrictions: config.default_tenant_restrictions,
            service_provider_partners: config.service_provider_partners.clone(),
        };
        let mut directory = config.directory.clone();
        if crate::directory::find_by_id(&directory, &config.tenant_id).is_none() {
            directory.push(DirectoryTenant {
                tenant_id: config.tenant_id.to_ascii_lowercase(),
                display_name: Some("Emulated Tenant".to_owned()),
                default_domain_name: Some("emulator.onmicrosoft.com".to_owned()),
                federation_brand_name: None,
                domains: Vec::new(),
            });
        }
        let behaviour = Behaviour {
            rules: config.rules.clone(),
            merge_mode: config.merge_mode,
            read_only: config.read_only_properties,
            default_null: config.default_null,
            page_size: config.page_size.max(1),
        };
        Ok(Arc::new(Service {
            authority: Authority::new(&config, &endpoint, port)?,
            store: Mutex::new(Store::new(State::fresh(&fixture))),
            faults: Mutex::new(FaultEngine::new(config.faults.clone(), config.seed)),
            stats: Mutex::new(Stats::default()),
            directory: Mutex::new(directory),
            behaviour: Mutex::new(behaviour),
            fixture,
            endpoint,
            config,
        }))
    }

    pub(crate) fn behaviour(&self) -> Behaviour {
        lock(&self.behaviour).clone()
    }

    pub(crate) fn strictness(&self) -> Strictness {
        let rules = &lock(&self.behaviour).rules;
        Strictness { exact_names: rules.r16, enum_members: rules.r13 }
    }

    pub(crate) fn stats(&self) -> Stats {
        lock(&self.stats).clone()
    }

    pub(crate) fn reset_stats(&self) {
        *lock(&self.stats) = Stats::default();
    }

    pub(crate) fn state(&self) -> Value {
        lock(&self.store).current().to_value()
    }

    pub(crate) fn set_state(&self, value: &Value) -> anyhow::Result<()> {
        let mut store = lock(&self.store);
        let state = State::from_value(value, &store.current())?;
        store.replace(state);
        Ok(())
    }

    pub(crate) fn faults(&self) -> Faults {
        lock(&self.faults).faults.clone()
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        lock(&self.faults).set(faults);
    }

    /// Back to the fresh-tenant fixture, faults off, statistics zero, behaviour switches as configured.
    pub(crate) fn reset(&self) {
        {
            let mut store = lock(&self.store);
            store.replace(State::fresh(&self.fixture));
            store.clear_reservations();
        }
        lock(&self.faults).set(Faults::default());
        *lock(&self.stats) = Stats::default();
        let mut behaviour = lock(&self.behaviour);
        behaviour.rules = self.config.rules.clone();
        behaviour.merge_mode = self.config.merge_mode;
        behaviour.read_only = self.config.read_only_properties;
        behaviour.default_null = self.config.default_null;
        behaviour.page_size = self.config.page_size.max(1);
    }

    /// Applies an out-of-band change to the current state; it is visible at once.
    fn out_of_band<R>(&self, change: impl FnOnce(&mut State) -> anyhow::Result<R>) -> anyhow::Result<R> {
        let mut store = lock(&self.store);
        let mut state = (*store.current()).clone();
        let result = change(&mut state)?;
        store.replace(state);
        Ok(result)
    }

    fn read_out_of_band_body(&self, value: &Value, ty: &'static schema::ComplexType) -> anyhow::Result<Object> {
        // Out-of-band bodies are always read strictly, so a typo in a test fails loudly.
        let strict = Strictness { exact_names: true, enum_members: false };
        schema::read_object(value, ty, strict).map_err(|e| anyhow::anyhow!("{}", e.message))
    }

    /// Creates a partner out of band. Any property may be set, including `isServiceProvider`.
    pub(crate) fn create_partner_out_of_band(&self, partner: &Value) -> anyhow::Result<Value> {
        let body = self.read_out_of_band_body(partner, &schema::PARTNER)?;
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
        let body = self.read_out_of_band_body(patch, &schema::PARTNER)?;
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
        let body = self.read_out_of_band_body(policy, &schema::IDENTITY_SYNC)?;
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
        let body = self.read_out_of_band_body(patch, &schema::IDENTITY_SYNC)?;
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
        let state = lock(&self.store).current();
        state.partners.get(&tenant_id.to_ascii_lowercase()).map(|p| Value::Object(p.clone()))
    }

    /// One identity-sync policy's stored JSON.
    pub(crate) fn identity_sync(&self, tenant_id: &str) -> Option<Value> {
        let state = lock(&self.store).current();
        state.sync.get(&tenant_id.to_ascii_lowercase()).map(|p| Value::Object(p.clone()))
    }

    /// Adds or replaces a tenant in the lookup directory.
    pub(crate) fn register_tenant(&self, tenant: DirectoryTenant) -> anyhow::Result<()> {
        if !crate::odata::is_guid(&tenant.tenant_id) {
            anyhow::bail!("tenant id '{}' is not a GUID", tenant.tenant_id);
        }
        let mut directory = lock(&self.directory);
        directory.retain(|t| !t.tenant_id.eq_ignore_ascii_case(&tenant.tenant_id));
        directory.push(tenant);
        Ok(())
    }

    /// The lookup directory.
    pub(crate) fn directory(&self) -> Vec<DirectoryTenant> {
        lock(&self.directory).clone()
    }
}
