# Vendor guide: "Configure the target tenant for cross-tenant synchronization from Contoso": add Contoso as an
# organization, automatically redeem invitations (inbound), and allow users to be synchronized into this tenant.

terraform {
  required_providers {
    entra = {
      source = "entra-tools/entra"
    }
  }
}

# Credentials and endpoints come from the ARM_* environment variables (see the authentication guide).
provider "entra" {}

data "entra_tenant_information" "contoso" {
  domain_name = "contoso.com"
}

resource "entra_cross_tenant_partner" "contoso" {
  tenant_id = data.entra_tenant_information.contoso.tenant_id

  # Portal: Inbound access > Trust settings > "Automatically redeem invitations with the tenant Contoso".
  automatic_user_consent_settings = {
    inbound_allowed = true
  }
}

# Portal: Inbound access > Cross-tenant sync > "Allow users sync into this tenant".
resource "entra_cross_tenant_identity_sync" "contoso" {
  tenant_id    = entra_cross_tenant_partner.contoso.tenant_id
  display_name = "Contoso"

  user_sync_inbound = {
    is_sync_allowed = true
  }
}
