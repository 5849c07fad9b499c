# In the added tenant: allow users of the organization's tenants in before joining, then join the organization of
# the owner tenant that added this tenant, and wait until the join has completed.
resource "entra_multi_tenant_organization_partner_template" "this" {
  automatic_user_consent_settings = {
    inbound_allowed  = true
    outbound_allowed = true
  }
}

resource "entra_multi_tenant_organization_identity_sync_template" "this" {
  user_sync_inbound = {
    is_sync_allowed = true
  }
}

resource "entra_multi_tenant_organization_join_request" "this" {
  added_by_tenant_id = "4b8c18bd-2f9f-4227-af55-9f1061cf9c32"
  wait_for_active    = true

  # Microsoft documents up to two hours for a join.
  timeouts = {
    create = "2h"
  }

  depends_on = [
    entra_multi_tenant_organization_partner_template.this,
    entra_multi_tenant_organization_identity_sync_template.this,
  ]
}
