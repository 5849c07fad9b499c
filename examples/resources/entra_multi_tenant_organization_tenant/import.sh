# Import a tenant of the organization by its tenant id.
terraform import entra_multi_tenant_organization_tenant.fabrikam 7e4a0000-0000-4000-8000-000000000002
