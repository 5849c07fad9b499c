# Vendor guide: "Add organization truesecdetect.io, allow inbound B2B collaboration for all its users, and trust
# multifactor authentication and compliant devices from the Truesec tenant", so Truesec analysts are not prompted
# for MFA twice and pass device-compliance Conditional Access policies.

terraform {
  required_providers {
    entra = {
      source = "entra-tools/entra"
    }
  }
}

# Credentials and endpoints come from the ARM_* environment variables (see the authentication guide).
provider "entra" {}

# Portal: Add organization > "truesecdetect.io" (Truesec Detect AB).
data "entra_tenant_information" "truesec" {
  domain_name = "truesecdetect.io"
}

resource "entra_cross_tenant_partner" "truesec" {
  tenant_id = data.entra_tenant_information.truesec.tenant_id

  # Portal: Inbound access > B2B collaboration > External users and groups: "Allow access", "All Truesec users".
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "allowed"
      targets = [
        { target = "AllUsers", target_type = "user" },
      ]
    }
    # Portal: Inbound access > B2B collaboration > Applications: "Allow access", "All applications".
    applications = {
      access_type = "allowed"
      targets = [
        { target = "AllApplications", target_type = "application" },
      ]
    }
  }

  # Portal: Inbound access > Trust settings: "Trust multifactor authentication from Microsoft Entra tenants" and
  # "Trust compliant devices".
  inbound_trust = {
    is_mfa_accepted                           = true
    is_compliant_device_accepted              = true
    is_hybrid_azure_ad_joined_device_accepted = false
  }
}
