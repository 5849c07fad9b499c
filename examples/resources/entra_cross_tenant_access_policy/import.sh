# The cross-tenant access policy is a singleton: its import ID is always "policy".
terraform import entra_cross_tenant_access_policy.this policy
