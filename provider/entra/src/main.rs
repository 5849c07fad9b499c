//! The `terraform-provider-entra` binary.
//!
//! Started by Terraform, it serves the provider over go-plugin (AutoMTLS on a unix socket) and prints nothing on
//! stdout but the handshake line. Started by a developer with `--debug`, it serves plaintext and prints the
//! `TF_REATTACH_PROVIDERS` value to use. Logs go to stderr as hclog JSON, at the level of `TF_LOG_PROVIDER` or
//! `TF_LOG`.
//!
//! `terraform-provider-entra export ...` is a command for people and CI (see the library's `export` module). It is
//! recognised before anything else; Terraform never passes arguments, so the serving paths are unaffected.

use std::process::ExitCode;

use terraform_provider_entra::provider::{EntraProvider, PROVIDER_ADDRESS};

const BINARY_NAME: &str = "terraform-provider-entra";

const USAGE: &str = "\
terraform-provider-entra: the Terraform provider for Microsoft Entra cross-tenant access settings.

Terraform starts this program itself to serve the provider. Run by hand:

Usage:
  terraform-provider-entra export ...  write Terraform configuration and import blocks for an existing tenant
                                       (see terraform-provider-entra export --help)
  terraform-provider-entra --debug     serve for a debugger and print the TF_REATTACH_PROVIDERS value to use
  terraform-provider-entra --version   print the version
  terraform-provider-entra --help      print this help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "export") {
        return terraform_provider_entra::export::main(&args[1..]);
    }
    tfplugin::logging::init_from_env();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => tfplugin::serve(EntraProvider::new(), BINARY_NAME),
        // Go providers spell it `-debug`; accept both.
        ["--debug" | "-debug"] => tfplugin::serve_debug(EntraProvider::new(), PROVIDER_ADDRESS),
        ["--version" | "-version" | "-v"] => {
            #[allow(clippy::print_stdout)] // Asked for on the command line, not under Terraform.
            {
                println!("{BINARY_NAME} {}", env!("CARGO_PKG_VERSION"));
            }
            ExitCode::SUCCESS
        }
        ["--help" | "-help" | "-h"] => {
            #[allow(clippy::print_stdout)] // Asked for on the command line, not under Terraform.
            {
                println!("{USAGE}");
            }
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("unknown arguments: {}\n\n{USAGE}", other.join(" "));
            ExitCode::from(2)
        }
    }
}
