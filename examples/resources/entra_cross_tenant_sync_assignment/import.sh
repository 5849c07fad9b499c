# An assignment is imported by its configuration's id and its app role assignment id, separated by a slash.
terraform import entra_cross_tenant_sync_assignment.adele 2d3c6a9e-5b1f-4c8e-9a7d-1e0f3b4c5d6e/LQFh7ZxRLkOpmUYTqVw8f3lxEPm2mJNGiV8w3Y2S8z0
