resource "entra_multi_tenant_organization" "this" {
  display_name = "Contoso group"
}

# Add a subsidiary's tenant, from this (owner) tenant. It stays "pending" until the subsidiary's administrator joins
# with entra_multi_tenant_organization_join_request in that tenant.
resource "entra_multi_tenant_organization_tenant" "fabrikam" {
  tenant_id    = "7e4a0000-0000-4000-8000-000000000002"
  display_name = "Fabrikam"
  role         = "member"

  depends_on = [entra_multi_tenant_organization.this]
}
