terraform {
  required_providers {
    entra = {
      source = "entra-tools/entra"
    }
  }
}

# Every argument falls back to the ARM_* environment variable pipelines already set, so in CI the block is usually
# empty. Here: a workload identity federation (OIDC) login from GitHub Actions, which needs no secret at all.
provider "entra" {
  tenant_id = "00000000-0000-0000-0000-000000000000"
  client_id = "11111111-1111-1111-1111-111111111111"
  use_oidc  = true
}
