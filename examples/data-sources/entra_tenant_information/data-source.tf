# Look a tenant up by one of its domains ("Add organization: enter sso.osttra.com")...
data "entra_tenant_information" "osttra" {
  domain_name = "sso.osttra.com"
}

# ...or by its tenant id.
data "entra_tenant_information" "truesec" {
  tenant_id = "07d2f395-f69c-43ab-88a2-b82f1151042d"
}

output "osttra_tenant_id" {
  value = data.entra_tenant_information.osttra.tenant_id
}

output "truesec_name" {
  value = data.entra_tenant_information.truesec.display_name
}
