//! The `terraform-provider-entra` binary.

fn main() {}
