# The default configuration is a singleton: its import ID is always "default".
terraform import entra_cross_tenant_default.this default
