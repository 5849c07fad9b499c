//! A harness that drives the real `terraform` binary, the way terraform-plugin-testing does.
