//! The shared core of a running emulator: state, faults, statistics, identity provider and behaviour switches,
//! plus the out-of-band operations the control surface offers (they bypass auth, faults, rules and lag).

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;

use crate::auth::Authority;
use crate::config::{DefaultNullMode, DirectoryTenant, EmulatorConfig, MergeMode, ReadOnlyMode, ValidationRules};
use crate::faults::{FaultEngine, Faults};
use crate::schema::Strictness;
use crate::stats::Stats;
use crate::tenant::Tenant;

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
    /// The emulated tenants, the first tenant first (see the `tenant` module).
    pub(crate) tenants: Vec<Tenant>,
    pub(crate) faults: Mutex<FaultEngine>,
    pub(crate) stats: Mutex<Stats>,
    pub(crate) authority: Authority,
    pub(crate) directory: Mutex<Vec<DirectoryTenant>>,
    pub(crate) behaviour: Mutex<Behaviour>,
    /// Multi-tenant organizations and join requests, shared by every tenant (see the `mto` module).
    pub(crate) mto: Mutex<crate::mto::Registry>,
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
        let mut tenants: Vec<Tenant> = Vec::new();
        for (index, tenant) in config.tenants().iter().enumerate() {
            if tenants.iter().any(|t| t.id().eq_ignore_ascii_case(&tenant.tenant_id)) {
                anyhow::bail!("tenant {} is emulated twice", tenant.tenant_id);
            }
            // The service-provider partner fixture belongs to the first tenant, as before there were several.
            let service_providers = if index == 0 { config.service_provider_partners.clone() } else { Vec::new() };
            tenants.push(Tenant::new(
                tenant,
                &config.policy_id,
                config.default_tenant_restrictions,
                service_providers,
            )?);
        }
        let mut directory = config.directory.clone();
        // The lookup functions know every emulated tenant; a fixture entry with the same id wins.
        for tenant in &tenants {
            if crate::directory::find_by_id(&directory, tenant.id()).is_none() {
                directory.push(DirectoryTenant {
                    tenant_id: tenant.id().to_owned(),
                    display_name: Some(tenant.config.display_name.clone()),
                    default_domain_name: Some(tenant.config.default_domain_name.clone()),
                    federation_brand_name: None,
                    domains: Vec::new(),
                });
            }
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
            tenants,
            faults: Mutex::new(FaultEngine::new(config.faults.clone(), config.seed)),
            stats: Mutex::new(Stats::default()),
            directory: Mutex::new(directory),
            behaviour: Mutex::new(behaviour),
            mto: Mutex::new(crate::mto::Registry::default()),
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
        self.primary().state()
    }

    pub(crate) fn set_state(&self, value: &Value) -> anyhow::Result<()> {
        self.primary().set_state(value)
    }

    pub(crate) fn faults(&self) -> Faults {
        lock(&self.faults).faults.clone()
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        lock(&self.faults).set(faults);
    }

    /// Back to the fresh-tenant fixtures (every tenant), faults off, statistics zero, behaviour switches as
    /// configured.
    pub(crate) fn reset(&self) {
        for tenant in &self.tenants {
            tenant.reset();
        }
        self.reset_mto();
        lock(&self.faults).set(Faults::default());
        *lock(&self.stats) = Stats::default();
        let mut behaviour = lock(&self.behaviour);
        behaviour.rules = self.config.rules.clone();
        behaviour.merge_mode = self.config.merge_mode;
        behaviour.read_only = self.config.read_only_properties;
        behaviour.default_null = self.config.default_null;
        behaviour.page_size = self.config.page_size.max(1);
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
