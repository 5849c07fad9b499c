# Security baseline (CISA SCuBA / Maester "cross-tenant inbound default"): block inbound B2B collaboration from every
# organization by default, and allow it only for named partners.

terraform {
  required_providers {
    entra = {
      source = "entra-tools/entra"
    }
  }
}

# Credentials and endpoints come from the ARM_* environment variables (see the authentication guide).
provider "entra" {}

resource "entra_cross_tenant_default" "this" {
  # Portal: Default settings > Inbound access > B2B collaboration: "Block access" for all external users and all
  # applications. Every other default setting stays at Microsoft's service default, and drift in any of them shows.
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
}

data "entra_tenant_information" "truesec" {
  domain_name = "truesecdetect.io"
}

# The exception: one partner whose users may still be invited.
resource "entra_cross_tenant_partner" "truesec" {
  tenant_id = data.entra_tenant_information.truesec.tenant_id

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
