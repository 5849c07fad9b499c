//! A harness that drives the real `terraform` binary, the way terraform-plugin-testing does.
//!
//! A [`Harness`] holds the provider under test: served in this process and reached through
//! `TF_REATTACH_PROVIDERS` ([`Harness::serve`]), or a built binary found through `dev_overrides`
//! ([`Harness::dev_override`], the managed path with AutoMTLS). A [`TestCase`] runs [`Step`]s in a fresh working
//! directory and destroys what it created at the end:
//!
//! ```no_run
//! use acceptance_tests::{Harness, StateCheck, Step};
//! use terraform_provider_entra::provider::EntraProvider;
//!
//! let harness = Harness::serve(EntraProvider::new(), "entra-tools/entra");
//! harness
//!     .test_case()
//!     .step(
//!         Step::config(r#"resource "entra_example" "a" { name = "one" }"#)
//!             .check(StateCheck::attr("entra_example.a", "name", "one")),
//!     )
//!     .step(Step::import("entra_example.a"))
//!     .run();
//! ```
//!
//! Every terraform command runs with its own CLI configuration (never the developer's), `RUST_BACKTRACE=0`,
//! `CHECKPOINT_DISABLE=1`, `TF_IN_AUTOMATION=1` and `TF_INPUT=0`; `TF_LOG*` pass through for debugging. Terraform
//! comes from `TF_ACC_TERRAFORM_PATH` or `PATH`. Set `TF_ACC_PERSIST_WORKING_DIR=1` to keep the working directories
//! of failed tests, and `TF_ACC_TEMP_DIR` to choose where they are created. Tests are independent: each has its
//! own provider server and directories, so they run in parallel.

mod background;
mod checks;
pub mod entra;
mod harness;
pub mod live;
pub mod provider_binary;
mod state;
mod terraform;
mod workdir;

pub use background::{BackgroundCommand, Signal};
pub use checks::{PlanCheck, StateCheck};
pub use harness::{ConfigStep, ExpectErrorStep, Harness, ImportId, ImportStep, Phase, PlanOnlyStep, Step, TestCase};
pub use state::{PlanJson, State, lookup};
pub use terraform::{Output, terraform_binary};
pub use workdir::WorkDir;
