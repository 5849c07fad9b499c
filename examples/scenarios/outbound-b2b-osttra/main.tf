# Vendor guide: "Add organization sso.osttra.com, and allow outbound B2B collaboration for the users who work with
# OSTTRA." Only members of one of our groups may accept invitations from OSTTRA; they may use all its applications.

terraform {
  required_providers {
    entra = {
      source = "entra-tools/entra"
    }
  }
}

# Credentials and endpoints come from the ARM_* environment variables (see the authentication guide).
provider "entra" {}

variable "osttra_collaborators_group_id" {
  description = "Object id of the group, in our tenant, whose members collaborate with OSTTRA."
  type        = string
  default     = "6f546279-4da5-4b53-a095-09ea0cef9971"
}

# Portal: External Identities > Cross-tenant access settings > Add organization > "sso.osttra.com".
data "entra_tenant_information" "osttra" {
  domain_name = "sso.osttra.com"
}

resource "entra_cross_tenant_partner" "osttra" {
  tenant_id = data.entra_tenant_information.osttra.tenant_id

  # Portal: Outbound access > B2B collaboration > Users and groups: "Allow access", "Select users and groups".
  b2b_collaboration_outbound = {
    users_and_groups = {
      access_type = "allowed"
      targets = [
        { target = var.osttra_collaborators_group_id, target_type = "group" },
      ]
    }
    # Portal: Outbound access > B2B collaboration > External applications: "Allow access", "All external applications".
    applications = {
      access_type = "allowed"
      targets = [
        { target = "AllApplications", target_type = "application" },
      ]
    }
  }
}
