# "Check the status": the synchronization job of a configuration.
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

data "entra_cross_tenant_sync_status" "fabrikam" {
  configuration_id = entra_cross_tenant_sync_configuration.fabrikam.id
}

output "sync_status" {
  # For example "NotRun" right after the start, "Active" once cycles run, or "Quarantine".
  value = data.entra_cross_tenant_sync_status.fabrikam.status
}

output "quarantine_reason" {
  value = data.entra_cross_tenant_sync_status.fabrikam.quarantine_reason
}
