# Trust MFA and compliant devices from a partner, and let all of its users collaborate with us (inbound B2B).
# Every setting left out is inherited from the tenant's default configuration.
resource "entra_cross_tenant_partner" "truesec" {
  tenant_id = "07d2f395-f69c-43ab-88a2-b82f1151042d"

  inbound_trust = {
    is_mfa_accepted                           = true
    is_compliant_device_accepted              = true
    is_hybrid_azure_ad_joined_device_accepted = false
  }

  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "allowed"
      targets = [
        { target = "AllUsers", target_type = "user" },
      ]
    }
    applications = {
      access_type = "allowed"
      targets = [
        { target = "AllApplications", target_type = "application" },
      ]
    }
  }
}
