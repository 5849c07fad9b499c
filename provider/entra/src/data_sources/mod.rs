//! The data sources. Each lives in its own module; [`all`] registers them with the provider.

pub mod cross_tenant_partners;
pub mod cross_tenant_sync_status;
pub mod multi_tenant_organization;
pub mod tenant_information;

use std::sync::Arc;

use tfplugin::{Configured, DataSource};

use crate::provider_data::ProviderData;

/// Every data source, sharing the provider's configuration.
pub fn all(data: &Configured<ProviderData>) -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(tenant_information::TenantInformation::new(data.clone())),
        Arc::new(cross_tenant_partners::CrossTenantPartners::new(data.clone())),
        Arc::new(cross_tenant_sync_status::CrossTenantSyncStatus::new(data.clone())),
        Arc::new(multi_tenant_organization::MultiTenantOrganizationData::new(data.clone())),
    ]
}
