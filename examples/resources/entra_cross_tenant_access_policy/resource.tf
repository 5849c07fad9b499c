# Allow B2B collaboration with organizations in the Microsoft Azure Government cloud. Until a tenant there is added as
# a partner, collaboration with it stays blocked.
resource "entra_cross_tenant_access_policy" "this" {
  allowed_cloud_endpoints = ["microsoftonline.us"]

  # On destroy, clear the allowed cloud endpoints instead of only forgetting the resource.
  reset_on_destroy = true
}
