# Vendor guide: "Set up B2B direct connect with Fabrikam for Teams shared channels." Direct connect only works when
# both organizations allow it: Fabrikam configures the mirror image of this in its own tenant.

terraform {
  required_providers {
    entra = {
      source = "entra-tools/entra"
    }
  }
}

# Credentials and endpoints come from the ARM_* environment variables (see the authentication guide).
provider "entra" {}

data "entra_tenant_information" "fabrikam" {
  domain_name = "fabrikam.com"
}

resource "entra_cross_tenant_partner" "fabrikam" {
  tenant_id = data.entra_tenant_information.fabrikam.tenant_id

  # Portal: Inbound access > B2B direct connect: allow all Fabrikam users into our shared channels (Office 365).
  b2b_direct_connect_inbound = {
    users_and_groups = {
      access_type = "allowed"
      targets = [
        { target = "AllUsers", target_type = "user" },
      ]
    }
    applications = {
      access_type = "allowed"
      targets = [
        { target = "Office365", target_type = "application" },
      ]
    }
  }

  # Portal: Outbound access > B2B direct connect: allow all our users into Fabrikam's shared channels.
  b2b_direct_connect_outbound = {
    users_and_groups = {
      access_type = "allowed"
      targets = [
        { target = "AllUsers", target_type = "user" },
      ]
    }
    applications = {
      access_type = "allowed"
      targets = [
        { target = "Office365", target_type = "application" },
      ]
    }
  }

  # Direct-connect users never get a guest account, so Conditional Access relies on the partner's MFA claim.
  inbound_trust = {
    is_mfa_accepted                           = true
    is_compliant_device_accepted              = false
    is_hybrid_azure_ad_joined_device_accepted = false
  }
}
