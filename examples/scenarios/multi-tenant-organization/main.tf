# Vendor guide: "Configure a multitenant organization": in the owner tenant, create the organization and add the
# member tenant; in the member tenant, join it. Both tenants configure their templates first, so the partner
# configurations the join creates already allow automatic redemption and user synchronization.
#
# One configuration, two tenants: each provider alias signs in to its own tenant with its own application. Against
# the local two-tenant emulator: `cargo xtask quickstart --example scenarios/multi-tenant-organization`.

terraform {
  required_providers {
    entra = {
      source = "entra-tools/entra"
    }
  }
}

variable "owner_tenant_id" {
  type = string
}

variable "owner_client_id" {
  type = string
}

variable "owner_client_secret" {
  type      = string
  sensitive = true
}

variable "member_tenant_id" {
  type = string
}

variable "member_client_id" {
  type = string
}

variable "member_client_secret" {
  type      = string
  sensitive = true
}

provider "entra" {
  alias         = "owner"
  tenant_id     = var.owner_tenant_id
  client_id     = var.owner_client_id
  client_secret = var.owner_client_secret
}

provider "entra" {
  alias         = "member"
  tenant_id     = var.member_tenant_id
  client_id     = var.member_client_id
  client_secret = var.member_client_secret
}

# ----- owner tenant --------------------------------------------------------------------------------------------

resource "entra_multi_tenant_organization_partner_template" "owner" {
  provider = entra.owner

  automatic_user_consent_settings = {
    inbound_allowed  = true
    outbound_allowed = true
  }
}

resource "entra_multi_tenant_organization_identity_sync_template" "owner" {
  provider = entra.owner

  user_sync_inbound = {
    is_sync_allowed = true
  }
}

resource "entra_multi_tenant_organization" "this" {
  provider = entra.owner

  display_name = "Contoso group"
  description  = "Contoso and Fabrikam"

  # Templates first: they apply when a tenant joins.
  depends_on = [
    entra_multi_tenant_organization_partner_template.owner,
    entra_multi_tenant_organization_identity_sync_template.owner,
  ]
}

resource "entra_multi_tenant_organization_tenant" "member" {
  provider = entra.owner

  tenant_id    = var.member_tenant_id
  display_name = "Fabrikam"

  depends_on = [entra_multi_tenant_organization.this]
}

# ----- member tenant -------------------------------------------------------------------------------------------

resource "entra_multi_tenant_organization_partner_template" "member" {
  provider = entra.member

  automatic_user_consent_settings = {
    inbound_allowed  = true
    outbound_allowed = true
  }
}

resource "entra_multi_tenant_organization_identity_sync_template" "member" {
  provider = entra.member

  user_sync_inbound = {
    is_sync_allowed = true
  }
}

resource "entra_multi_tenant_organization_join_request" "member" {
  provider = entra.member

  # Referencing the owner's entry orders the join after it (and the leave before its removal on destroy).
  added_by_tenant_id = entra_multi_tenant_organization_tenant.member.added_by_tenant_id
  wait_for_active    = true

  timeouts = {
    create = "2h"
  }

  depends_on = [
    entra_multi_tenant_organization_partner_template.member,
    entra_multi_tenant_organization_identity_sync_template.member,
  ]
}

data "entra_multi_tenant_organization" "seen_by_member" {
  provider   = entra.member
  depends_on = [entra_multi_tenant_organization_join_request.member]
}

output "organization_tenants" {
  value = [for t in data.entra_multi_tenant_organization.seen_by_member.tenants : "${t.display_name}: ${t.state}"]
}
