//! What configuring the provider produces, shared with every resource and data source through
//! [`tfplugin::Configured`], and the environment lookup it is built with.
//!
//! It lives apart from [`crate::provider`], which lists every resource: resources and data sources import this
//! module, never the one that lists them.

use std::sync::Arc;

use entra_graph::GraphClient;
use entra_graph::auth::ResolvedAuth;

use crate::journal::CreateJournal;

/// Reads an environment variable; injectable so tests do not depend on (or change) the process environment.
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What configuring the provider produced.
#[derive(Debug, Clone)]
pub struct ProviderData {
    /// Authentication settings after environment fallbacks, validated, with the cloud's endpoints worked out.
    pub auth: ResolvedAuth,
    /// The Terraform CLI version, for the user agent.
    pub terraform_version: String,
    /// The Microsoft Graph client. One per configuration, so each Terraform command shares one partner listing.
    pub client: GraphClient,
    /// The create journal in Terraform's data directory (see [`crate::journal`]), when the provider serves
    /// Terraform. `None` for a provider configured by the export command, which is not Terraform and must leave the
    /// journal of a working directory it runs in untouched.
    pub journal: Option<Arc<CreateJournal>>,
}
