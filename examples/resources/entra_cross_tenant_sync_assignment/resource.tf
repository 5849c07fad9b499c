# Put a group and a user in scope of a cross-tenant synchronization configuration.
variable "target_tenant_id" {
  description = "The tenant users are synchronized into; it must allow inbound synchronization from this tenant."
  type        = string
}

resource "entra_cross_tenant_partner" "target" {
  tenant_id = var.target_tenant_id

  automatic_user_consent_settings = {
    outbound_allowed = true
  }
}

resource "entra_cross_tenant_sync_configuration" "fabrikam" {
  display_name     = "Fabrikam"
  target_tenant_id = entra_cross_tenant_partner.target.tenant_id
}

# The Sales group: its direct members are synchronized.
resource "entra_cross_tenant_sync_assignment" "sales" {
  configuration_id = entra_cross_tenant_sync_configuration.fabrikam.id
  principal_id     = "96a00000-0001-4000-8000-000000000001"
}

# One user.
resource "entra_cross_tenant_sync_assignment" "adele" {
  configuration_id = entra_cross_tenant_sync_configuration.fabrikam.id
  principal_id     = "a5e40000-0001-4000-8000-000000000001"
}
