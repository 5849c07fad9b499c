# Every partner configuration in the tenant, managed by Terraform or not: useful for audits.
data "entra_cross_tenant_partners" "all" {}

output "partner_tenant_ids" {
  value = data.entra_cross_tenant_partners.all.tenant_ids
}

# Partners that trust inbound MFA claims.
output "partners_trusting_mfa" {
  value = [
    for p in data.entra_cross_tenant_partners.all.partners : p.tenant_id
    if try(p.inbound_trust.is_mfa_accepted, false) == true
  ]
}
