# A tenant belongs to one multi-tenant organization at most: its import ID is always "multi_tenant_organization".
terraform import entra_multi_tenant_organization.this multi_tenant_organization
