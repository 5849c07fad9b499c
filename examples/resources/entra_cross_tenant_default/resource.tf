# The default configuration applies to every organization without a partner configuration. This resource describes
# the whole default: any setting left out is planned as Microsoft's service default value, so drift anywhere shows.
resource "entra_cross_tenant_default" "this" {
  # Block inbound B2B collaboration from organizations that are not partners.
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "blocked"
      targets = [
        { target = "AllUsers", target_type = "user" },
      ]
    }
    applications = {
      access_type = "blocked"
      targets = [
        { target = "AllApplications", target_type = "application" },
      ]
    }
  }

  invitation_redemption_identity_provider_configuration = {
    primary_identity_provider_precedence_order = ["azureActiveDirectory", "externalFederation", "socialIdentityProviders"]
    fallback_identity_provider                 = "defaultConfiguredIdp"
  }

  # On destroy, call resetToSystemDefault instead of only forgetting the resource.
  reset_on_destroy = true
}
