# What the partner configurations of the organization's other tenants get when a tenant joins: automatic redemption
# of invitations both ways, and trust in their multifactor authentication. Settings left out are not applied.
resource "entra_multi_tenant_organization_partner_template" "this" {
  automatic_user_consent_settings = {
    inbound_allowed  = true
    outbound_allowed = true
  }

  inbound_trust = {
    is_mfa_accepted = true
  }

  template_application_level = ["newPartners", "existingPartners"]

  # On destroy, reset the template to Microsoft's default (nothing applied) instead of only forgetting it.
  reset_on_destroy = true
}
