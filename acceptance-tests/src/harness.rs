//! Test cases: a provider under test, and steps run against it with the real terraform binary.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::Path;
use std::sync::Arc;

use regex::Regex;
use tfplugin::{InProcessServer, Provider};

use crate::checks::{PlanCheck, StateCheck, differences};
use crate::state::State;
use crate::terraform::terraform_binary;
use crate::workdir::{ProviderSource, Setup, WorkDir};

/// The provider under test, and how Terraform reaches it.
#[derive(Debug)]
pub struct Harness {
    setup: Arc<Setup>,
    // Kept alive for as long as the harness; dropping it stops the server.
    _server: Option<InProcessServer>,
}

/// `entra-tools/entra` → `registry.terraform.io/entra-tools/entra` (Terraform's default registry host).
fn full_address(source: &str) -> String {
    if source.split('/').count() == 2 { format!("registry.terraform.io/{source}") } else { source.to_owned() }
}

fn local_name(source: &str) -> String {
    source.rsplit('/').next().unwrap_or(source).to_owned()
}

impl Harness {
    /// Serves `provider` in this test process and points Terraform at it through `TF_REATTACH_PROVIDERS`, the way
    /// terraform-plugin-testing does. `source` is the provider's source address as configurations write it
    /// (`entra-tools/entra`); its last segment is the local name and the resource type prefix.
    ///
    /// # Panics
    /// If the server cannot start or no terraform binary is found.
    pub fn serve(provider: impl Provider, source: &str) -> Harness {
        let server = InProcessServer::start(provider).expect("serve the provider in-process");
        let reattach = server.reattach_config(&full_address(source));
        let setup = Setup {
            source: source.to_owned(),
            local_name: local_name(source),
            provider: ProviderSource::Reattach { reattach },
            terraform: terraform_binary(),
            env: Vec::new(),
        };
        Harness { setup: Arc::new(setup), _server: Some(server) }
    }

    /// Uses the provider binary in `binary_dir` through a `dev_overrides` CLI configuration: Terraform starts it
    /// itself for every command, with AutoMTLS, exactly as for users (no `terraform init`).
    ///
    /// # Panics
    /// If no terraform binary is found.
    pub fn dev_override(binary_dir: &Path, source: &str) -> Harness {
        let setup = Setup {
            source: source.to_owned(),
            local_name: local_name(source),
            provider: ProviderSource::DevOverride { dir: binary_dir.to_path_buf() },
            terraform: terraform_binary(),
            env: Vec::new(),
        };
        Harness { setup: Arc::new(setup), _server: None }
    }

    /// Adds environment variables to every terraform command of this harness's working directories (and so to a
    /// provider binary Terraform starts, on the [`Harness::dev_override`] path). Call it before making working
    /// directories.
    ///
    /// # Panics
    /// When a working directory of this harness already exists.
    #[must_use]
    pub fn with_env<I, K, V>(mut self, vars: I) -> Harness
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let setup = Arc::get_mut(&mut self.setup).expect("set the environment before making working directories");
        setup.env.extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// A fresh working directory set up for this provider.
    pub fn workdir(&self) -> WorkDir {
        WorkDir::new(Arc::clone(&self.setup))
    }

    /// A new test case against this provider.
    pub fn test_case(&self) -> TestCase<'_> {
        TestCase { harness: self, steps: Vec::new(), destroy_checks: Vec::new() }
    }
}

/// One step of a test case.
pub enum Step {
    /// Apply a configuration and check the result (see [`ConfigStep`]).
    Config(ConfigStep),
    /// Import a resource into a fresh directory and compare it with the state (see [`ImportStep`]).
    Import(ImportStep),
    /// A configuration that must fail (see [`ExpectErrorStep`]).
    ExpectError(ExpectErrorStep),
    /// Plan a configuration without applying it (see [`PlanOnlyStep`]).
    PlanOnly(PlanOnlyStep),
    /// Arbitrary work: run terraform commands, change the remote side behind Terraform's back, assert.
    Run(Box<dyn FnOnce(&mut WorkDir)>),
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Config(s) => s.fmt(f),
            Step::Import(s) => s.fmt(f),
            Step::ExpectError(s) => s.fmt(f),
            Step::PlanOnly(s) => s.fmt(f),
            Step::Run(_) => f.write_str("Run(..)"),
        }
    }
}

impl Step {
    /// Applies `config`: plan → pre-apply plan checks → apply → state checks → `plan -refresh=false` must be
    /// empty → `plan` must be empty.
    pub fn config(config: impl Into<String>) -> ConfigStep {
        ConfigStep {
            config: config.into(),
            state_checks: Vec::new(),
            plan_checks: Vec::new(),
            expect_non_empty_plan: false,
        }
    }

    /// Imports `address` into a fresh directory with the last applied configuration and compares the imported
    /// values with the state; then a plan there must leave the imported resource unchanged.
    pub fn import(address: impl Into<String>) -> ImportStep {
        ImportStep {
            address: address.into(),
            id: ImportId::Attribute("id".to_owned()),
            ignore: Vec::new(),
            config: None,
            check_plan: true,
        }
    }

    /// `config` must fail at `plan` (change with [`ExpectErrorStep::on_apply`]), with output matching the regular
    /// expression `pattern`. Whitespace in the output is collapsed to single spaces before matching, because
    /// Terraform wraps long messages.
    pub fn expect_error(config: impl Into<String>, pattern: &str) -> ExpectErrorStep {
        let pattern = Regex::new(pattern).unwrap_or_else(|e| panic!("invalid pattern {pattern:?}: {e}"));
        ExpectErrorStep { config: config.into(), pattern, phase: Phase::Plan, exit_code: Some(1) }
    }

    /// Plans `config` without applying it.
    pub fn plan_only(config: impl Into<String>) -> PlanOnlyStep {
        PlanOnlyStep { config: config.into(), plan_checks: Vec::new(), expect_empty: None }
    }

    /// Arbitrary work in the test case's working directory.
    pub fn run(work: impl FnOnce(&mut WorkDir) + 'static) -> Step {
        Step::Run(Box::new(work))
    }
}

/// See [`Step::config`].
#[derive(Debug)]
pub struct ConfigStep {
    config: String,
    state_checks: Vec<StateCheck>,
    plan_checks: Vec<PlanCheck>,
    expect_non_empty_plan: bool,
}

impl ConfigStep {
    /// Adds a check of the state after apply.
    #[must_use]
    pub fn check(mut self, check: StateCheck) -> Self {
        self.state_checks.push(check);
        self
    }

    /// Adds a check of the plan, before it is applied.
    #[must_use]
    pub fn plan_check(mut self, check: PlanCheck) -> Self {
        self.plan_checks.push(check);
        self
    }

    /// Allows the plans after apply to be non-empty (for resources that knowingly drift).
    #[must_use]
    pub fn expect_non_empty_plan(mut self) -> Self {
        self.expect_non_empty_plan = true;
        self
    }
}

impl From<ConfigStep> for Step {
    fn from(step: ConfigStep) -> Step {
        Step::Config(step)
    }
}

/// Where an import step's id comes from.
#[derive(Debug, Clone)]
pub enum ImportId {
    /// This id.
    Fixed(String),
    /// This attribute of the resource in the current state.
    Attribute(String),
}

/// See [`Step::import`].
#[derive(Debug)]
pub struct ImportStep {
    address: String,
    id: ImportId,
    ignore: Vec<String>,
    config: Option<String>,
    check_plan: bool,
}

impl ImportStep {
    /// Imports with this id (default: the resource's `id` attribute).
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = ImportId::Fixed(id.into());
        self
    }

    /// Imports with the value of this attribute of the resource in the state.
    #[must_use]
    pub fn id_from(mut self, attribute: impl Into<String>) -> Self {
        self.id = ImportId::Attribute(attribute.into());
        self
    }

    /// Attribute paths (dotted prefixes) not compared, e.g. write-only secrets import cannot know.
    #[must_use]
    pub fn ignore<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ignore.extend(paths.into_iter().map(Into::into));
        self
    }

    /// Imports with this configuration instead of the last applied one.
    #[must_use]
    pub fn config(mut self, config: impl Into<String>) -> Self {
        self.config = Some(config.into());
        self
    }

    /// Skips the check that a plan after import leaves the imported resource unchanged.
    #[must_use]
    pub fn skip_plan_check(mut self) -> Self {
        self.check_plan = false;
        self
    }
}

impl From<ImportStep> for Step {
    fn from(step: ImportStep) -> Step {
        Step::Import(step)
    }
}

/// The command an expect-error step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `terraform validate`.
    Validate,
    /// `terraform plan`.
    Plan,
    /// `terraform apply`.
    Apply,
}

/// See [`Step::expect_error`].
#[derive(Debug)]
pub struct ExpectErrorStep {
    config: String,
    pattern: Regex,
    phase: Phase,
    exit_code: Option<i32>,
}

impl ExpectErrorStep {
    /// The error is expected from `terraform apply` (for problems only found then).
    #[must_use]
    pub fn on_apply(mut self) -> Self {
        self.phase = Phase::Apply;
        self
    }

    /// The error is expected from `terraform validate`.
    #[must_use]
    pub fn on_validate(mut self) -> Self {
        self.phase = Phase::Validate;
        self
    }

    /// The exit code expected (default 1); `None` accepts any failure.
    #[must_use]
    pub fn exit_code(mut self, code: Option<i32>) -> Self {
        self.exit_code = code;
        self
    }
}

impl From<ExpectErrorStep> for Step {
    fn from(step: ExpectErrorStep) -> Step {
        Step::ExpectError(step)
    }
}

/// See [`Step::plan_only`].
#[derive(Debug)]
pub struct PlanOnlyStep {
    config: String,
    plan_checks: Vec<PlanCheck>,
    expect_empty: Option<bool>,
}

impl PlanOnlyStep {
    /// Adds a check of the plan.
    #[must_use]
    pub fn plan_check(mut self, check: PlanCheck) -> Self {
        self.plan_checks.push(check);
        self
    }

    /// The plan must change nothing.
    #[must_use]
    pub fn expect_empty(mut self) -> Self {
        self.expect_empty = Some(true);
        self
    }

    /// The plan must change something.
    #[must_use]
    pub fn expect_changes(mut self) -> Self {
        self.expect_empty = Some(false);
        self
    }
}

impl From<PlanOnlyStep> for Step {
    fn from(step: PlanOnlyStep) -> Step {
        Step::PlanOnly(step)
    }
}

type DestroyCheck = Box<dyn FnOnce() -> Result<(), String>>;

/// A sequence of steps in one working directory, ending with `terraform destroy` (as terraform-plugin-testing
/// does) and the destroy checks.
pub struct TestCase<'h> {
    harness: &'h Harness,
    steps: Vec<Step>,
    destroy_checks: Vec<DestroyCheck>,
}

impl std::fmt::Debug for TestCase<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCase").field("steps", &self.steps).finish_non_exhaustive()
    }
}

/// What the steps so far left behind.
#[derive(Default)]
struct Progress {
    /// The last configuration applied successfully; destroy runs with it.
    applied_config: Option<String>,
    /// The last configuration written, for destroying what a failed apply created before any step succeeded.
    written_config: Option<String>,
    /// The state after it.
    state: Option<State>,
}

impl<'h> TestCase<'h> {
    /// Adds a step.
    #[must_use]
    pub fn step(mut self, step: impl Into<Step>) -> Self {
        self.steps.push(step.into());
        self
    }

    /// Adds a check run after the final destroy (e.g. "the remote object is gone").
    #[must_use]
    pub fn check_destroy(mut self, check: impl FnOnce() -> Result<(), String> + 'static) -> Self {
        self.destroy_checks.push(Box::new(check));
        self
    }

    /// Runs the steps, then destroys whatever was applied, even when a step failed.
    ///
    /// # Panics
    /// When a step or the destroy fails, naming the step and showing terraform's output.
    pub fn run(self) {
        let mut workdir = self.harness.workdir();
        let mut progress = Progress::default();
        let steps = self.steps;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            for (index, step) in steps.into_iter().enumerate() {
                if let Err(message) = run_step(self.harness, &mut workdir, &mut progress, step) {
                    panic!("step {}: {message}\n(working directory: {})", index + 1, workdir.path().display());
                }
            }
        }));
        let destroyed = destroy(&mut workdir, &progress);
        if let Err(payload) = outcome {
            if let Err(message) = destroyed {
                eprintln!("also, cleaning up failed: {message}");
            }
            resume_unwind(payload);
        }
        if let Err(message) = destroyed {
            panic!("destroy: {message}");
        }
        for check in self.destroy_checks {
            if let Err(message) = check() {
                panic!("destroy check failed: {message}");
            }
        }
    }
}

fn destroy(workdir: &mut WorkDir, progress: &Progress) -> Result<(), String> {
    // A later step may have left an invalid configuration behind; destroy with the last good one. Without one,
    // only a failed apply can have created something, and then its own configuration is the one to use.
    let config = match (&progress.applied_config, &progress.written_config) {
        (Some(config), _) => config,
        (None, Some(config)) if !workdir.state().addresses().is_empty() => config,
        _ => return Ok(()),
    };
    workdir.write_config(config);
    let output = workdir.destroy();
    if !output.success() {
        return Err(output.to_string());
    }
    let left = workdir.state().addresses();
    if left.is_empty() { Ok(()) } else { Err(format!("resources left in the state after destroy: {left:?}")) }
}

fn run_step(harness: &Harness, workdir: &mut WorkDir, progress: &mut Progress, step: Step) -> Result<(), String> {
    match &step {
        Step::Config(ConfigStep { config, .. })
        | Step::ExpectError(ExpectErrorStep { config, .. })
        | Step::PlanOnly(PlanOnlyStep { config, .. }) => progress.written_config = Some(config.clone()),
        Step::Import(_) | Step::Run(_) => {}
    }
    match step {
        Step::Config(step) => run_config(workdir, progress, step),
        Step::Import(step) => run_import(harness, progress, step),
        Step::ExpectError(step) => run_expect_error(workdir, step),
        Step::PlanOnly(step) => run_plan_only(workdir, step),
        Step::Run(work) => {
            work(workdir);
            Ok(())
        }
    }
}

fn run_config(workdir: &mut WorkDir, progress: &mut Progress, step: ConfigStep) -> Result<(), String> {
    workdir.write_config(&step.config);
    let (output, plan) = workdir.plan(&[]);
    let plan = plan.ok_or_else(|| format!("plan failed:\n{output}"))?;
    for check in &step.plan_checks {
        check.run(&plan)?;
    }
    let output = workdir.apply_saved_plan();
    if !output.success() {
        return Err(format!("apply failed:\n{output}"));
    }
    progress.applied_config = Some(step.config.clone());
    let state = workdir.state();
    progress.state = Some(state.clone());
    for check in &step.state_checks {
        check.run(&state)?;
    }
    if !step.expect_non_empty_plan {
        workdir.plan_is_empty(false).map_err(|e| format!("after applying this step, {e}"))?;
        workdir.plan_is_empty(true).map_err(|e| format!("after applying this step, {e}"))?;
    }
    Ok(())
}

fn run_import(harness: &Harness, progress: &Progress, step: ImportStep) -> Result<(), String> {
    let state = progress.state.as_ref().ok_or("an import step needs an earlier config step")?;
    let original = state.values(&step.address).clone();
    let id = match &step.id {
        ImportId::Fixed(id) => id.clone(),
        ImportId::Attribute(attribute) => original[attribute.as_str()]
            .as_str()
            .ok_or_else(|| format!("{}.{attribute} is not a string to import with: {original}", step.address))?
            .to_owned(),
    };
    let config = step.config.as_ref().or(progress.applied_config.as_ref()).ok_or("no configuration to import with")?;

    // A fresh directory with an empty state, as terraform-plugin-testing does.
    let mut fresh = harness.workdir();
    fresh.write_config(config);
    let output = fresh.import(&step.address, &id);
    if !output.success() {
        return Err(format!("import of {} with id {id:?} failed:\n{output}", step.address));
    }
    let imported = fresh.state();
    let imported_values = imported.values(&step.address);
    let diffs = differences(&original, imported_values, &step.ignore);
    if !diffs.is_empty() {
        return Err(format!("the imported {} differs from the state:\n  {}", step.address, diffs.join("\n  ")));
    }
    if step.check_plan {
        // Other resources of the configuration are not in the fresh state, so only the imported one must be
        // unchanged.
        let (output, plan) = fresh.plan(&[]);
        let plan = plan.ok_or_else(|| format!("plan after import failed:\n{output}"))?;
        let actions = plan.actions(&step.address);
        if !(actions.is_empty() || actions == ["no-op"]) {
            return Err(format!(
                "after importing {}, the plan changes it ({actions:?}):\n{}",
                step.address, output.stdout
            ));
        }
    }
    Ok(())
}

fn run_expect_error(workdir: &mut WorkDir, step: ExpectErrorStep) -> Result<(), String> {
    workdir.write_config(&step.config);
    let output = match step.phase {
        Phase::Validate => {
            workdir.init();
            workdir.terraform(&["validate", "-no-color"])
        }
        Phase::Plan => workdir.plan(&[]).0,
        Phase::Apply => workdir.apply(),
    };
    if output.success() {
        return Err(format!(
            "expected {:?} to fail matching /{}/, but it succeeded:\n{output}",
            step.phase, step.pattern
        ));
    }
    if let Some(code) = step.exit_code
        && output.code != Some(code)
    {
        return Err(format!("expected exit code {code}:\n{output}"));
    }
    let normalized = output.unwrapped();
    if !step.pattern.is_match(&normalized) {
        return Err(format!("the error output does not match /{}/:\n{output}", step.pattern));
    }
    Ok(())
}

fn run_plan_only(workdir: &mut WorkDir, step: PlanOnlyStep) -> Result<(), String> {
    workdir.write_config(&step.config);
    let (output, plan) = workdir.plan(&[]);
    let plan = plan.ok_or_else(|| format!("plan failed:\n{output}"))?;
    for check in &step.plan_checks {
        check.run(&plan)?;
    }
    match step.expect_empty {
        Some(true) if !plan.is_empty() => Err(format!("expected an empty plan:\n{}", output.stdout)),
        Some(false) if plan.is_empty() => Err("expected changes, but the plan is empty".to_owned()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_addresses_default_to_the_public_registry() {
        assert_eq!(full_address("entra-tools/entra"), "registry.terraform.io/entra-tools/entra");
        assert_eq!(full_address("example.com/test/entra"), "example.com/test/entra");
        assert_eq!(local_name("example.com/test/entra"), "entra");
    }
}
