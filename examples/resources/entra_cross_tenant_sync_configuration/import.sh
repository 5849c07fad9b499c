# A configuration is imported by its service principal's object id (Enterprise applications > the configuration >
# Object ID).
terraform import entra_cross_tenant_sync_configuration.fabrikam 2d3c6a9e-5b1f-4c8e-9a7d-1e0f3b4c5d6e
