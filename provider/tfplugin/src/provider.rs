//! The traits provider code implements: [`Provider`], [`Resource`] and [`DataSource`].
//!
//! They are the whole surface between Terraform and provider code. Nothing here mentions protobuf or gRPC: values
//! are [`Value`]s shaped by the [`Schema`] the implementation returns, and problems are [`Diagnostics`]. The server
//! (see `server`) decides which method an RPC means (create, update or delete, for instance), runs validators and
//! default planning, and checks the results against Terraform's rules.

use std::sync::Arc;

use async_trait::async_trait;

use crate::context::Context;
use crate::diagnostics::Diagnostics;
use crate::plan::Plan;
use crate::schema::Schema;
use crate::value::{Type, Value};

/// A Terraform provider: its configuration schema, how it is configured, and its resources and data sources.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider's type name (`entra`): the prefix of its resource type names.
    fn type_name(&self) -> &str;

    /// The schema of the `provider "..." { }` block.
    fn schema(&self) -> Schema;

    /// Cross-field checks of the provider configuration (per-attribute validators run automatically). `config` may
    /// contain unknown values.
    async fn validate_config(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Configures the provider; resources are used only after this succeeded. The configuration may contain
    /// unknown values when it depends on resources not yet created.
    async fn configure(&self, ctx: &Context, request: ConfigureRequest) -> Diagnostics;

    /// The managed resource types.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    /// The data sources.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;
}

/// What `ConfigureProvider` receives.
#[derive(Debug, Clone)]
pub struct ConfigureRequest {
    /// The provider block, shaped by the provider schema.
    pub config: Value,
    /// The version of the Terraform CLI, e.g. `1.11.4`.
    pub terraform_version: String,
}

/// A managed resource type.
///
/// The server routes Terraform's calls: `ValidateResourceConfig` runs the schema's validators, then
/// [`validate`](Resource::validate); `PlanResourceChange` builds the default plan, then calls
/// [`modify_plan`](Resource::modify_plan); `ApplyResourceChange` calls [`create`](Resource::create),
/// [`update`](Resource::update) or [`delete`](Resource::delete); `ReadResource` calls [`read`](Resource::read);
/// `ImportResourceState` calls [`import`](Resource::import) (Terraform then reads the imported object);
/// `UpgradeResourceState` calls [`upgrade_state`](Resource::upgrade_state).
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The full type name, e.g. `entra_cross_tenant_partner`.
    fn type_name(&self) -> &str;

    /// The resource's schema. Called once when the server starts.
    fn schema(&self) -> Schema;

    /// Cross-field rules of the configuration (per-attribute validators run automatically). `config` may contain
    /// unknown values: skip checks that need them; if they are unknown at plan time, this is called again at apply
    /// time with the final configuration (and then only its errors are reported).
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts the default plan: set defaults, mark values that will change as unknown, add replacement paths.
    /// Called for creates, updates and destroys (see [`Plan`]).
    async fn modify_plan(&self, _ctx: &Context, _plan: &mut Plan) -> Result<(), Diagnostics> {
        Ok(())
    }

    /// Creates the remote object and returns its state. Every planned known value must come back unchanged;
    /// unknown values must be resolved.
    async fn create(&self, ctx: &Context, request: CreateRequest) -> Result<NewState, Diagnostics>;

    /// Reads the remote object. Returning [`ReadOutcome::Gone`] removes it from the state (Terraform then plans to
    /// create it again).
    async fn read(&self, ctx: &Context, request: ReadRequest) -> Result<ReadOutcome, Diagnostics>;

    /// Changes the remote object in place. On error, Terraform keeps the prior state (or a state recorded with
    /// [`Context::record_partial_state`]).
    async fn update(&self, ctx: &Context, request: UpdateRequest) -> Result<NewState, Diagnostics>;

    /// Deletes the remote object. An object that is already gone is not an error.
    async fn delete(&self, ctx: &Context, request: DeleteRequest) -> Result<(), Diagnostics>;

    /// Turns the id given to `terraform import` (or an `import` block) into a state with at least what
    /// [`read`](Resource::read) needs; Terraform reads the object right afterwards. The default refuses import.
    async fn import(&self, _ctx: &Context, _id: &str) -> Result<NewState, Diagnostics> {
        Err(Diagnostics::error(
            "Import not supported",
            format!("The resource type {} cannot be imported.", self.type_name()),
        ))
    }

    /// Converts stored state written by this or an older schema version into the current shape. The default
    /// decodes the stored JSON with the current type (enough while the schema only gains attributes).
    async fn upgrade_state(&self, _ctx: &Context, request: UpgradeStateRequest) -> Result<Value, Diagnostics> {
        crate::value::json::decode(&request.raw_state_json, &request.current_type).map_err(|e| {
            Diagnostics::error(
                "Unable to read the stored state",
                format!(
                    "The state stored for this {} resource (schema version {}) could not be read: {e}.",
                    self.type_name(),
                    request.version
                ),
            )
        })
    }
}

/// A data source.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The full type name, e.g. `entra_tenant_information`.
    fn type_name(&self) -> &str;

    /// The data source's schema. Called once when the server starts.
    fn schema(&self) -> Schema;

    /// Cross-field rules of the configuration, as for [`Resource::validate`].
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads the data. `config` is fully known; the result holds every attribute, computed ones filled in.
    async fn read(&self, ctx: &Context, config: Value) -> Result<Value, Diagnostics>;
}

/// The state an operation produced, with optional private data.
#[derive(Debug, Clone, PartialEq)]
pub struct NewState {
    /// The object's attributes.
    pub state: Value,
    /// Opaque bytes Terraform stores beside the state and hands back to later operations. `None` keeps what the
    /// operation received.
    pub private: Option<Vec<u8>>,
}

impl NewState {
    /// A state without new private data.
    pub fn new(state: Value) -> Self {
        NewState { state, private: None }
    }

    /// The same state, with private data.
    #[must_use]
    pub fn with_private(mut self, private: Vec<u8>) -> Self {
        self.private = Some(private);
        self
    }
}

impl From<Value> for NewState {
    fn from(state: Value) -> Self {
        NewState::new(state)
    }
}

/// What [`Resource::read`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadOutcome {
    /// The object exists; this is its current state.
    Found(NewState),
    /// The object no longer exists.
    Gone,
}

/// Input of [`Resource::create`].
#[derive(Debug, Clone)]
pub struct CreateRequest {
    /// The configuration, fully known.
    pub config: Value,
    /// The plan: the configuration plus computed values, some of them unknown.
    pub planned_state: Value,
    /// Private data from the plan.
    pub planned_private: Vec<u8>,
}

/// Input of [`Resource::read`].
#[derive(Debug, Clone)]
pub struct ReadRequest {
    /// The state as Terraform last stored it.
    pub current_state: Value,
    /// Private data stored with it.
    pub private: Vec<u8>,
}

/// Input of [`Resource::update`].
#[derive(Debug, Clone)]
pub struct UpdateRequest {
    /// The configuration, fully known.
    pub config: Value,
    /// The state before the change.
    pub prior_state: Value,
    /// The plan.
    pub planned_state: Value,
    /// Private data from the plan.
    pub planned_private: Vec<u8>,
}

/// Input of [`Resource::delete`].
#[derive(Debug, Clone)]
pub struct DeleteRequest {
    /// The state of the object being deleted.
    pub prior_state: Value,
    /// Private data from the plan.
    pub planned_private: Vec<u8>,
}

/// Input of [`Resource::upgrade_state`].
#[derive(Debug, Clone)]
pub struct UpgradeStateRequest {
    /// The schema version the state was written with.
    pub version: i64,
    /// The stored state, JSON.
    pub raw_state_json: Vec<u8>,
    /// The current schema version.
    pub current_version: i64,
    /// The type of the current schema, for decoding.
    pub current_type: Type,
}
