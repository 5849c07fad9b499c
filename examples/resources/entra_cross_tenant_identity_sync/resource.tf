# Let a source tenant synchronize its users into this tenant (cross-tenant synchronization, target side).
resource "entra_cross_tenant_partner" "contoso" {
  tenant_id = "6babcaad-604b-40ac-a9d7-9fd97c0b779f"

  # Synchronized users are redeemed automatically, without a consent prompt.
  automatic_user_consent_settings = {
    inbound_allowed = true
  }
}

resource "entra_cross_tenant_identity_sync" "contoso" {
  # Referencing the partner orders this after it on create, and before it on destroy.
  tenant_id    = entra_cross_tenant_partner.contoso.tenant_id
  display_name = "Contoso"

  user_sync_inbound = {
    is_sync_allowed = true
  }
}
