//! Managed identity through an explicit endpoint (`msi_endpoint`).
//!
//! azure_identity's `ManagedIdentityCredential` finds its endpoint only from the process environment (App Service's
//! `IDENTITY_ENDPOINT`) or uses the fixed IMDS address, so it cannot honour the provider's `msi_endpoint` argument.
//! This credential makes the IMDS request itself against the given endpoint: `GET
//! {endpoint}?api-version=2018-02-01&resource=…[&client_id=…]` with the `Metadata: true` header, which is what
//! the other Entra providers send to a custom MSI endpoint.

use crate::transport::{HttpTransport, display_without_query};
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;
use serde::Deserialize;

const IMDS_API_VERSION: &str = "2018-02-01";

/// A managed-identity token source at an explicit IMDS-style endpoint.
#[derive(Debug)]
pub(crate) struct ManagedIdentityEndpointCredential {
    pub(crate) transport: HttpTransport,
    pub(crate) endpoint: url::Url,
    /// The client id of a user-assigned identity; `None` asks for the system-assigned one.
    pub(crate) client_id: Option<String>,
}

/// IMDS sends numbers as strings (`"expires_on": "1700000000"`); some endpoints send real numbers.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(i64),
    Text(String),
}

impl NumberOrString {
    fn value(&self) -> Option<i64> {
        match self {
            NumberOrString::Number(n) => Some(*n),
            NumberOrString::Text(s) => s.trim().parse().ok(),
        }
    }
}

#[derive(Deserialize)]
struct ImdsTokenResponse {
    access_token: String,
    expires_on: Option<NumberOrString>,
    expires_in: Option<NumberOrString>,
}

fn credential_error(message: impl Into<String>) -> azure_core::Error {
    azure_core::Error::with_message(ErrorKind::Credential, message.into())
}

#[async_trait::async_trait]
impl TokenCredential for ManagedIdentityEndpointCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let [scope] = scopes else {
            return Err(credential_error("managed identity needs exactly one scope"));
        };
        // IMDS speaks the older "resource" form of the audience, without "/.default".
        let resource = scope.strip_suffix("/.default").unwrap_or(scope);
        let mut url = self.endpoint.clone();
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("api-version", IMDS_API_VERSION).append_pair("resource", resource);
            if let Some(client_id) = &self.client_id {
                query.append_pair("client_id", client_id);
            }
        }
        let response = self
            .transport
            .client()
            .get(url)
            .header("Metadata", "true")
            .send()
            .await
            .map_err(|e| credential_error(format!("could not reach the managed identity endpoint: {e}")))?;
        let status = response.status();
        tracing::debug!(url = %display_without_query(&self.endpoint), status = status.as_u16(), "managed identity token request");
        if !status.is_success() {
            let hint = if status.as_u16() == 400 {
                "; the identity may not be assigned to this machine, or client_id names another identity"
            } else {
                ""
            };
            return Err(credential_error(format!("the managed identity endpoint answered {status}{hint}")));
        }
        let body: ImdsTokenResponse = response
            .json()
            .await
            .map_err(|e| credential_error(format!("the managed identity endpoint sent an unreadable answer: {e}")))?;
        let now = time::OffsetDateTime::now_utc();
        let expires_on = body
            .expires_on
            .and_then(|v| v.value())
            .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
            .or_else(|| body.expires_in.and_then(|v| v.value()).map(|s| now + time::Duration::seconds(s)))
            .ok_or_else(|| credential_error("the managed identity endpoint sent no expiry for its token"))?;
        Ok(AccessToken::new(Secret::new(body.access_token), expires_on))
    }
}
