# The template is a singleton of the tenant: its import ID is always "identity_synchronization".
terraform import entra_multi_tenant_organization_identity_sync_template.this identity_synchronization
