//! Where federated (OIDC) ID tokens come from, for azure_identity's `ClientAssertionCredential`.
//!
//! azure_identity has no GitHub Actions credential, and its `AzurePipelinesCredential` reads the request URL only
//! from the process's `SYSTEM_OIDCREQUESTURI`, not from the provider's `oidc_request_url` argument. Both requests
//! are small, so they are written here and plugged into `ClientAssertionCredential`, which does the token exchange
//! and caching. Token files go to azure_identity's `WorkloadIdentityCredential` instead (see `credential.rs`).

use crate::transport::{HttpTransport, display_without_query};
use azure_core::credentials::Secret;
use azure_core::error::ErrorKind;
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use serde::Deserialize;
use std::fmt;

/// The audience Entra expects in federated ID tokens. The other Entra providers request this value in every cloud,
/// so federated credentials that pipelines already have are set up for it.
pub(crate) const FEDERATED_TOKEN_AUDIENCE: &str = "api://AzureADTokenExchange";

/// The Azure DevOps OIDC API version azure_identity and the Azure CLI tasks use.
const ADO_OIDC_API_VERSION: &str = "7.1";

fn credential_error(message: impl Into<String>) -> azure_core::Error {
    azure_core::Error::with_message(ErrorKind::Credential, message.into())
}

/// An ID token given directly (`oidc_token`).
pub(crate) struct StaticAssertion(pub(crate) Secret);

impl fmt::Debug for StaticAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticAssertion(<redacted>)")
    }
}

#[async_trait::async_trait]
impl ClientAssertion for StaticAssertion {
    async fn secret(&self, _options: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        Ok(self.0.secret().to_owned())
    }
}

/// Fetches an ID token from GitHub Actions' token service (`ACTIONS_ID_TOKEN_REQUEST_URL`), authenticating with
/// the job's request token.
pub(crate) struct GitHubAssertion {
    pub(crate) transport: HttpTransport,
    pub(crate) request_url: url::Url,
    pub(crate) request_token: Secret,
}

impl fmt::Debug for GitHubAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHubAssertion")
            .field("request_url", &display_without_query(&self.request_url))
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct GitHubTokenResponse {
    value: Option<String>,
}

#[async_trait::async_trait]
impl ClientAssertion for GitHubAssertion {
    async fn secret(&self, _options: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let mut url = self.request_url.clone();
        url.query_pairs_mut().append_pair("audience", FEDERATED_TOKEN_AUDIENCE);
        let response = self
            .transport
            .client()
            .get(url)
            .bearer_auth(self.request_token.secret())
            .header("Accept", "application/json; api-version=2.0")
            .send()
            .await
            .map_err(|e| credential_error(format!("could not reach the OIDC request URL: {e}")))?;
        let status = response.status();
        tracing::debug!(url = %display_without_query(&self.request_url), status = status.as_u16(), "OIDC token request");
        if !status.is_success() {
            return Err(credential_error(format!(
                "the OIDC request URL answered {status}; check oidc_request_url and oidc_request_token \
                 (in GitHub Actions, the job needs `permissions: id-token: write`)"
            )));
        }
        let body: GitHubTokenResponse = response
            .json()
            .await
            .map_err(|e| credential_error(format!("the OIDC request URL sent an unreadable answer: {e}")))?;
        body.value.filter(|v| !v.is_empty()).ok_or_else(|| credential_error("the OIDC request URL sent no token"))
    }
}

/// Fetches an ID token for an Azure DevOps service connection from the pipeline's OIDC endpoint
/// (`SYSTEM_OIDCREQUESTURI`), authenticating with the job's `SYSTEM_ACCESSTOKEN`.
pub(crate) struct AzureDevOpsAssertion {
    pub(crate) transport: HttpTransport,
    pub(crate) request_url: url::Url,
    pub(crate) request_token: Secret,
    pub(crate) service_connection_id: String,
}

impl fmt::Debug for AzureDevOpsAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureDevOpsAssertion")
            .field("request_url", &display_without_query(&self.request_url))
            .field("service_connection_id", &self.service_connection_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct AzureDevOpsTokenResponse {
    #[serde(rename = "oidcToken")]
    oidc_token: Option<String>,
}

#[async_trait::async_trait]
impl ClientAssertion for AzureDevOpsAssertion {
    async fn secret(&self, _options: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let mut url = self.request_url.clone();
        url.query_pairs_mut()
            .append_pair("api-version", ADO_OIDC_API_VERSION)
            .append_pair("serviceConnectionId", &self.service_connection_id);
        let response = self
            .transport
            .client()
            .post(url)
            .bearer_auth(self.request_token.secret())
            // Without this header Azure DevOps answers an expired job token with a sign-in redirect instead of 401.
            .header("X-TFS-FedAuthRedirect", "Suppress")
            .header("Content-Length", "0")
            .send()
            .await
            .map_err(|e| credential_error(format!("could not reach the Azure DevOps OIDC endpoint: {e}")))?;
        let status = response.status();
        tracing::debug!(url = %display_without_query(&self.request_url), status = status.as_u16(), "Azure DevOps OIDC token request");
        if !status.is_success() {
            let trace_ids: Vec<String> = ["x-vss-e2eid", "x-msedge-ref"]
                .into_iter()
                .filter_map(|h| response.headers().get(h).and_then(|v| v.to_str().ok()).map(|v| format!("{h}: {v}")))
                .collect();
            return Err(credential_error(format!(
                "the Azure DevOps OIDC endpoint answered {status}; check ado_pipeline_service_connection_id and that \
                 the pipeline passes SYSTEM_ACCESSTOKEN{}",
                if trace_ids.is_empty() { String::new() } else { format!(" [{}]", trace_ids.join(", ")) }
            )));
        }
        let body: AzureDevOpsTokenResponse = response
            .json()
            .await
            .map_err(|e| credential_error(format!("the Azure DevOps OIDC endpoint sent an unreadable answer: {e}")))?;
        body.oidc_token
            .filter(|v| !v.is_empty())
            .ok_or_else(|| credential_error("the Azure DevOps OIDC endpoint sent no token"))
    }
}
