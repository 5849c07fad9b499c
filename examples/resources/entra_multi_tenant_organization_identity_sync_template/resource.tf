# Allow the organization's other tenants to synchronize users into this tenant, for the partners a join creates only.
resource "entra_multi_tenant_organization_identity_sync_template" "this" {
  user_sync_inbound = {
    is_sync_allowed = true
  }

  template_application_level = ["newPartners"]
}
