# Create a multi-tenant organization owned by this tenant. Destroying the resource does not delete it (Microsoft
# Graph cannot): an organization ends when its tenants leave it.
resource "entra_multi_tenant_organization" "this" {
  display_name = "Contoso group"
  description  = "Contoso and its subsidiaries"
}
