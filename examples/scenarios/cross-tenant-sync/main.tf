# The cross-tenant synchronization guide as code, across two tenants:
#
# 1. Target tenant: add the source tenant as an organization, automatically redeem invitations (inbound), and allow
#    users to be synchronized into this tenant.
# 2. Source tenant: automatically redeem invitations (outbound) with the target tenant; create a configuration
#    (target tenant, scope, attribute mappings, scoping filter); assign a group and a user; enable it.
# 3. Check the status.
#
# Two provider aliases, one per tenant. The source tenant signs in with the ARM_* environment variables (see the
# authentication guide); the target tenant with the variables below, e.g. in a terraform.tfvars file or TF_VAR_*
# environment variables.
#
# Against the local two-tenant emulator, the first tenant is the source and the second the target. From the
# repository, `cargo xtask quickstart --example scenarios/cross-tenant-sync` runs plan, apply, a second (empty) plan
# and destroy with everything set. By hand, with the emulator started as in docs/guides/emulator.md (its state file
# lists both tenants with their fixture users and groups):
#
#   export TF_VAR_source_tenant_id=$(jq -r '.tenants[0].tenant_id' emulator.json)
#   export TF_VAR_target_tenant_id=$(jq -r '.tenants[1].tenant_id' emulator.json)
#   export TF_VAR_target_client_id=$(jq -r '.tenants[1].client_id' emulator.json)
#   export TF_VAR_target_client_secret=$(jq -r '.tenants[1].client_secret' emulator.json)
#   export TF_VAR_sync_group_id=$(jq -r '.tenants[0].groups[0].id' emulator.json)
#   export TF_VAR_sync_user_id=$(jq -r '.tenants[0].users[0].id' emulator.json)
#   terraform apply

terraform {
  required_providers {
    entra = {
      source = "entra-tools/entra"
    }
  }
}

variable "source_tenant_id" {
  description = "The tenant whose users are synchronized (the ARM_TENANT_ID the source alias signs in to)."
  type        = string
}

variable "target_tenant_id" {
  description = "The tenant users are synchronized into."
  type        = string
}

variable "target_client_id" {
  description = "The application the target alias signs in with (Policy.ReadWrite.CrossTenantAccess)."
  type        = string
}

variable "target_client_secret" {
  description = "Its client secret."
  type        = string
  sensitive   = true
}

variable "sync_group_id" {
  description = "The object id of a source tenant group whose direct members are synchronized."
  type        = string
}

variable "sync_user_id" {
  description = "The object id of one more source tenant user to synchronize."
  type        = string
}

provider "entra" {
  alias = "source"
}

provider "entra" {
  alias         = "target"
  tenant_id     = var.target_tenant_id
  client_id     = var.target_client_id
  client_secret = var.target_client_secret
}

# ----- Target tenant ------------------------------------------------------------------------------------------------

resource "entra_cross_tenant_partner" "source" {
  provider  = entra.target
  tenant_id = var.source_tenant_id

  # Portal: Inbound access > Trust settings > "Automatically redeem invitations with the tenant".
  automatic_user_consent_settings = {
    inbound_allowed = true
  }
}

# Portal: Inbound access > Cross-tenant sync > "Allow users sync into this tenant".
resource "entra_cross_tenant_identity_sync" "source" {
  provider     = entra.target
  tenant_id    = entra_cross_tenant_partner.source.tenant_id
  display_name = "Contoso"

  user_sync_inbound = {
    is_sync_allowed = true
  }
}

# ----- Source tenant ------------------------------------------------------------------------------------------------

# Portal: Outbound access > Trust settings > "Automatically redeem invitations with the tenant".
resource "entra_cross_tenant_partner" "target" {
  provider  = entra.source
  tenant_id = var.target_tenant_id

  automatic_user_consent_settings = {
    outbound_allowed = true
  }
}

# Portal: Cross-tenant synchronization > Configurations > New configuration, then Provisioning.
resource "entra_cross_tenant_sync_configuration" "target" {
  provider         = entra.source
  display_name     = "Fabrikam"
  target_tenant_id = entra_cross_tenant_partner.target.tenant_id
  scope            = "assigned"
  enabled          = true

  notification_email             = "identity-team@contoso.com"
  accidental_deletions_threshold = 50

  attribute_mappings = [
    { target_attribute = "userType", source_type = "constant", source = "Member", apply = "always" },
  ]

  scoping_filters = [
    {
      name    = "Enabled accounts"
      clauses = [{ attribute = "accountEnabled", operator = "IS TRUE" }]
    },
  ]

  # The connection test at create needs the target tenant to allow inbound synchronization first.
  depends_on = [entra_cross_tenant_identity_sync.source]
}

# Portal: the configuration's Users and groups > Add user/group.
resource "entra_cross_tenant_sync_assignment" "group" {
  provider         = entra.source
  configuration_id = entra_cross_tenant_sync_configuration.target.id
  principal_id     = var.sync_group_id
}

resource "entra_cross_tenant_sync_assignment" "user" {
  provider         = entra.source
  configuration_id = entra_cross_tenant_sync_configuration.target.id
  principal_id     = var.sync_user_id
}

# "Check the status."
data "entra_cross_tenant_sync_status" "target" {
  provider         = entra.source
  configuration_id = entra_cross_tenant_sync_configuration.target.id

  depends_on = [entra_cross_tenant_sync_assignment.group, entra_cross_tenant_sync_assignment.user]
}

output "sync_status" {
  value = data.entra_cross_tenant_sync_status.target.status
}
