# The quick start: `cargo xtask quickstart` plans, applies and destroys this against the local Microsoft Graph
# emulator, so no tenant is needed. The same configuration works against a real tenant once the ARM_* variables of
# the authentication guide are set (docs/guides/authentication.md).

terraform {
  required_providers {
    entra = {
      source = "entra-tools/entra"
    }
  }
}

# Credentials and the Graph endpoint come from the ARM_* environment variables.
provider "entra" {}

# Portal: External Identities > Cross-tenant access settings > Add organization > "fabrikam.com".
data "entra_tenant_information" "fabrikam" {
  domain_name = "fabrikam.com"
}

# Fabrikam's users may be invited into this tenant (inbound B2B collaboration), and their MFA is trusted so they
# are not asked for a second factor twice. Every setting not written here is inherited from the default settings.
resource "entra_cross_tenant_partner" "fabrikam" {
  tenant_id = data.entra_tenant_information.fabrikam.tenant_id

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

  inbound_trust = {
    is_mfa_accepted = true
  }
}

output "partner" {
  description = "The partner organization now configured."
  value       = "${data.entra_tenant_information.fabrikam.display_name} (${entra_cross_tenant_partner.fabrikam.tenant_id})"
}
