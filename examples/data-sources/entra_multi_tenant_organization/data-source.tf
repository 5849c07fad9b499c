# The multi-tenant organization this tenant belongs to, and which of its tenants have not joined yet.
data "entra_multi_tenant_organization" "this" {}

output "pending_tenants" {
  value = [for t in data.entra_multi_tenant_organization.this.tenants : t.display_name if t.state == "pending"]
}
