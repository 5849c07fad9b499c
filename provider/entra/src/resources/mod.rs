//! The managed resource types. Each lives in its own module; [`all`] registers them with the provider.

pub mod cross_tenant_access_policy;
pub mod cross_tenant_default;
pub mod cross_tenant_identity_sync;
pub mod cross_tenant_partner;
pub mod cross_tenant_sync_assignment;
pub mod cross_tenant_sync_configuration;
pub mod multi_tenant_organization;
pub mod multi_tenant_organization_identity_sync_template;
pub mod multi_tenant_organization_join_request;
pub mod multi_tenant_organization_partner_template;
pub mod multi_tenant_organization_tenant;

use std::sync::Arc;

use tfplugin::{Configured, Resource};

use crate::provider_data::ProviderData;

/// Every resource type, sharing the provider's configuration.
pub fn all(data: &Configured<ProviderData>) -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(cross_tenant_partner::CrossTenantPartner::new(data.clone())),
        Arc::new(cross_tenant_identity_sync::CrossTenantIdentitySync::new(data.clone())),
        Arc::new(cross_tenant_default::CrossTenantDefault::new(data.clone())),
        Arc::new(cross_tenant_access_policy::CrossTenantAccessPolicyResource::new(data.clone())),
        Arc::new(cross_tenant_sync_configuration::CrossTenantSyncConfiguration::new(data.clone())),
        Arc::new(cross_tenant_sync_assignment::CrossTenantSyncAssignment::new(data.clone())),
        Arc::new(multi_tenant_organization::MultiTenantOrganization::new(data.clone())),
        Arc::new(multi_tenant_organization_tenant::MultiTenantOrganizationTenant::new(data.clone())),
        Arc::new(multi_tenant_organization_join_request::MultiTenantOrganizationJoinRequest::new(data.clone())),
        Arc::new(multi_tenant_organization_partner_template::resource(data.clone())),
        Arc::new(multi_tenant_organization_identity_sync_template::resource(data.clone())),
    ]
}
