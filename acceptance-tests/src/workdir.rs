//! A Terraform working directory for one test: configuration, CLI config, state, and the commands run in it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::background::BackgroundCommand;
use crate::state::{PlanJson, State};
use crate::terraform::{self, Output};

/// How Terraform finds the provider under test.
#[derive(Debug, Clone)]
pub(crate) enum ProviderSource {
    /// Served in-process; `TF_REATTACH_PROVIDERS` points at it. `terraform init` skips such providers.
    Reattach { reattach: String },
    /// A built binary in `dir`, found through `dev_overrides` (AutoMTLS, one process per command, no init).
    DevOverride { dir: PathBuf },
}

/// What every working directory of a harness shares.
#[derive(Debug)]
pub(crate) struct Setup {
    /// The provider's source as written in `required_providers`, e.g. `entra-tools/entra`.
    pub(crate) source: String,
    /// The local name, e.g. `entra`.
    pub(crate) local_name: String,
    pub(crate) provider: ProviderSource,
    pub(crate) terraform: PathBuf,
    /// Extra environment for every terraform command (and so for a provider binary Terraform starts).
    pub(crate) env: Vec<(String, String)>,
}

/// A temporary directory where terraform runs. Removed when dropped, unless the test failed and
/// `TF_ACC_PERSIST_WORKING_DIR` is set (then its path is printed so it can be inspected).
#[derive(Debug)]
pub struct WorkDir {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
    env: Vec<(OsString, OsString)>,
    setup: Arc<Setup>,
    initialized: bool,
}

const CONFIG_FILE: &str = "main.tf";
const PLAN_FILE: &str = "tfplan";

impl WorkDir {
    pub(crate) fn new(setup: Arc<Setup>) -> WorkDir {
        let mut builder = tempfile::Builder::new();
        builder.prefix("tfacc-");
        let dir = match std::env::var_os("TF_ACC_TEMP_DIR").filter(|d| !d.is_empty()) {
            Some(base) => builder.tempdir_in(base),
            None => builder.tempdir(),
        }
        .expect("create a temporary working directory");
        let path = dir.path().to_path_buf();

        // Our own CLI configuration, never the developer's (which might point at mirrors or other overrides).
        let cli_config = path.join(".terraformrc");
        let contents = match &setup.provider {
            ProviderSource::Reattach { .. } => "disable_checkpoint = true\n".to_owned(),
            ProviderSource::DevOverride { dir } => format!(
                "disable_checkpoint = true\n\nprovider_installation {{\n  dev_overrides {{\n    \"{}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                setup.source,
                dir.display()
            ),
        };
        std::fs::write(&cli_config, contents).expect("write the CLI configuration");
        let mut extra = vec![("TF_CLI_CONFIG_FILE".to_owned(), cli_config.display().to_string())];
        if let ProviderSource::Reattach { reattach } = &setup.provider {
            extra.push(("TF_REATTACH_PROVIDERS".to_owned(), reattach.clone()));
        }
        extra.extend(setup.env.iter().cloned());
        let env = terraform::environment(&extra);
        WorkDir { dir: Some(dir), path, env, setup, initialized: false }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the configuration (`main.tf`). When it has no `required_providers`, a `terraform` block naming the
    /// provider under test is added in front, so test configurations can be just the resources.
    pub fn write_config(&mut self, hcl: &str) {
        let text = if hcl.contains("required_providers") {
            hcl.to_owned()
        } else {
            format!(
                "terraform {{\n  required_providers {{\n    {} = {{ source = \"{}\" }}\n  }}\n}}\n\n{hcl}",
                self.setup.local_name, self.setup.source
            )
        };
        std::fs::write(self.path.join(CONFIG_FILE), text).expect("write main.tf");
        // A saved plan belongs to the configuration it was made from.
        let _ = std::fs::remove_file(self.path.join(PLAN_FILE));
    }

    /// Runs `terraform <args>` here, with the harness's environment. Nothing is checked: see [`Output`].
    pub fn terraform(&self, args: &[&str]) -> Output {
        terraform::run(&self.setup.terraform, &self.path, args, &self.env)
    }

    /// Starts `terraform <args>` here in the background, with the harness's environment, to interrupt it part-way
    /// (see [`BackgroundCommand`]). Call [`WorkDir::init`] first where the command needs it.
    pub fn spawn(&self, args: &[&str]) -> BackgroundCommand {
        BackgroundCommand::start(&self.setup.terraform, &self.path, args, &self.env)
    }

    /// `terraform init`, once per directory. With dev_overrides it is skipped: init would try to download the
    /// overridden provider and fail offline, while every other command works without it.
    pub fn init(&mut self) {
        if self.initialized || matches!(self.setup.provider, ProviderSource::DevOverride { .. }) {
            return;
        }
        self.terraform(&["init", "-input=false", "-no-color"]).expect_success();
        self.initialized = true;
    }

    /// `terraform plan -out=tfplan` (plus `extra` arguments); on success, also the saved plan as JSON.
    pub fn plan(&mut self, extra: &[&str]) -> (Output, Option<PlanJson>) {
        self.init();
        let out = format!("-out={PLAN_FILE}");
        let mut args = vec!["plan", "-input=false", "-no-color", "-lock=false", out.as_str()];
        args.extend_from_slice(extra);
        let output = self.terraform(&args);
        if !output.success() {
            return (output, None);
        }
        let json = self.terraform(&["show", "-json", "-no-color", PLAN_FILE]).expect_success();
        (output, Some(PlanJson::parse(&json.stdout)))
    }

    /// `terraform apply` of the plan saved by [`WorkDir::plan`].
    pub fn apply_saved_plan(&mut self) -> Output {
        self.terraform(&["apply", "-input=false", "-no-color", "-lock=false", "-auto-approve", PLAN_FILE])
    }

    /// `terraform apply -auto-approve` (plans and applies in one go).
    pub fn apply(&mut self) -> Output {
        self.init();
        self.terraform(&["apply", "-input=false", "-no-color", "-lock=false", "-auto-approve"])
    }

    /// Checks that `terraform plan` (with or without refresh) plans no changes.
    pub fn plan_is_empty(&mut self, refresh: bool) -> Result<(), String> {
        self.init();
        let refresh_arg = if refresh { "-refresh=true" } else { "-refresh=false" };
        let output =
            self.terraform(&["plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode", refresh_arg]);
        match output.code {
            Some(0) => Ok(()),
            Some(2) => Err(format!("the plan ({refresh_arg}) was not empty:\n{}", output.stdout)),
            _ => Err(format!("the plan ({refresh_arg}) failed:\n{output}")),
        }
    }

    /// The current state (`terraform show -json`).
    pub fn state(&self) -> State {
        State::parse(&self.terraform(&["show", "-json", "-no-color"]).expect_success().stdout)
    }

    /// `terraform import <address> <id>`.
    pub fn import(&mut self, address: &str, id: &str) -> Output {
        self.init();
        self.terraform(&["import", "-input=false", "-no-color", "-lock=false", address, id])
    }

    /// `terraform destroy -auto-approve`.
    pub fn destroy(&mut self) -> Output {
        self.init();
        self.terraform(&["destroy", "-input=false", "-no-color", "-lock=false", "-auto-approve"])
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let keep =
            std::thread::panicking() && std::env::var_os("TF_ACC_PERSIST_WORKING_DIR").is_some_and(|v| !v.is_empty());
        if let (true, Some(dir)) = (keep, self.dir.take()) {
            let path = dir.keep();
            eprintln!("TF_ACC_PERSIST_WORKING_DIR: kept the working directory {}", path.display());
        }
    }
}
