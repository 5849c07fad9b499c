# Synchronize this (source) tenant's users into a target tenant that allows it (cross-tenant synchronization).
variable "target_tenant_id" {
  description = "The tenant users are synchronized into; it must allow inbound synchronization from this tenant."
  type        = string
}

# The source side's prerequisite: automatic consent outbound for the target tenant.
resource "entra_cross_tenant_partner" "target" {
  tenant_id = var.target_tenant_id

  automatic_user_consent_settings = {
    outbound_allowed = true
  }
}

resource "entra_cross_tenant_sync_configuration" "fabrikam" {
  display_name     = "Fabrikam"
  target_tenant_id = entra_cross_tenant_partner.target.tenant_id

  # Only assigned users and groups (entra_cross_tenant_sync_assignment); "all" synchronizes every user.
  scope = "assigned"

  notification_email             = "identity-team@contoso.com"
  accidental_deletions_threshold = 50

  # Synchronized users arrive as guests, and keep their department.
  attribute_mappings = [
    { target_attribute = "userType", source_type = "constant", source = "Guest", apply = "always" },
    { target_attribute = "department", source_type = "attribute", source = "department" },
  ]

  # Only the Sales department.
  scoping_filters = [
    {
      name    = "Sales only"
      clauses = [{ attribute = "department", operator = "EQUALS", values = ["Sales"] }]
    },
  ]
}
