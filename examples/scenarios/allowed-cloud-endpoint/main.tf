# Vendor guide: "Collaborate with an organization in Microsoft Azure Government": enable the cloud in Microsoft cloud
# settings, then add the organization by its tenant id (lookup by domain does not work across clouds).

terraform {
  required_providers {
    entra = {
      source = "entra-tools/entra"
    }
  }
}

# Credentials and endpoints come from the ARM_* environment variables (see the authentication guide).
provider "entra" {}

# Portal: Cross-tenant access settings > Microsoft cloud settings > "Microsoft Azure Government".
resource "entra_cross_tenant_access_policy" "this" {
  allowed_cloud_endpoints = ["microsoftonline.us"]
}

variable "gov_partner_tenant_id" {
  description = "Tenant id of the partner organization in Microsoft Azure Government."
  type        = string
  default     = "2f4a9ae3-6c3c-4b2e-9a0f-6a1b7f3d9c21"
}

# Enabling another cloud blocks B2B collaboration with all of its tenants until each is added as a partner.
resource "entra_cross_tenant_partner" "gov_partner" {
  tenant_id = var.gov_partner_tenant_id

  b2b_collaboration_outbound = {
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

  depends_on = [entra_cross_tenant_access_policy.this]
}
