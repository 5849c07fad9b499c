//! The errors Graph calls return. Their `Display` text is shown to users as is, so each one is a complete sentence
//! with the identifiers a Microsoft support ticket asks for (request-id, client-request-id, date).

use std::fmt;
use std::time::Duration;

/// An error Microsoft Graph returned: the HTTP status and the OData error envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP method of the failed request.
    pub method: String,
    /// The request path below the version segment, e.g. `/policies/crossTenantAccessPolicy/default`.
    pub path: String,
    /// The HTTP status code.
    pub status: u16,
    /// Graph's error code (`error.code`), e.g. `Request_BadRequest`. Branch on this, never on the message.
    pub code: Option<String>,
    /// Graph's explanation (`error.message`).
    pub message: Option<String>,
    /// The `code: message` pairs of `error.details`, when Graph gives them.
    pub details: Vec<String>,
    /// Graph's `request-id` (header or `innerError`).
    pub request_id: Option<String>,
    /// The `client-request-id` this client sent and Graph echoed.
    pub client_request_id: Option<String>,
    /// The server time of the failure (`innerError.date` or the `Date` header).
    pub date: Option<String>,
}

impl ApiError {
    /// The reason phrase of the status, for messages ("Bad Request").
    fn reason(&self) -> &'static str {
        http::StatusCode::from_u16(self.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Microsoft Graph returned {} {} for {} {}", self.status, self.reason(), self.method, self.path)?;
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, ": {code}: {message}")?,
            (Some(code), None) => write!(f, ": {code}")?,
            (None, Some(message)) => write!(f, ": {message}")?,
            (None, None) => {}
        }
        for detail in &self.details {
            write!(f, " ({detail})")?;
        }
        write_ids(f, self.request_id.as_deref(), self.client_request_id.as_deref(), self.date.as_deref())
    }
}

/// Appends the identifiers support needs, as `[request-id: …, client-request-id: …, date: …]`.
fn write_ids(
    f: &mut fmt::Formatter<'_>,
    request_id: Option<&str>,
    client_request_id: Option<&str>,
    date: Option<&str>,
) -> fmt::Result {
    let ids: Vec<String> = [("request-id", request_id), ("client-request-id", client_request_id), ("date", date)]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| format!("{name}: {v}")))
        .collect();
    if ids.is_empty() { Ok(()) } else { write!(f, " [{}]", ids.join(", ")) }
}

/// Every way a Graph call can fail.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Graph answered with an error status that retrying will not fix (or retries ran out).
    #[error("{0}")]
    Api(Box<ApiError>),

    /// No access token could be obtained.
    #[error("could not get a Microsoft Graph access token with {method}: {message}")]
    Authentication {
        /// The credential in use, e.g. "a client secret".
        method: String,
        /// What went wrong, as the credential reported it (never containing the secret).
        message: String,
    },

    /// The request could not be completed on the network (connection refused or reset, TLS failure, timeout).
    #[error("could not reach Microsoft Graph for {method} {path}: {message}{}", ids_suffix(.client_request_id))]
    Transport {
        /// The HTTP method.
        method: String,
        /// The request path.
        path: String,
        /// The network error.
        message: String,
        /// The `client-request-id` of the last attempt, which Graph may have logged.
        client_request_id: Option<String>,
    },

    /// Graph answered with a body this client could not understand.
    #[error("Microsoft Graph sent an unreadable response to {method} {path} (status {status}): {message}{}", ids_suffix(.request_id))]
    InvalidResponse {
        /// The HTTP method.
        method: String,
        /// The request path.
        path: String,
        /// The HTTP status.
        status: u16,
        /// What was wrong with the body.
        message: String,
        /// Graph's `request-id`, if any.
        request_id: Option<String>,
    },

    /// A create or identity-sync PUT got no answer, and checking afterwards could not show whether it happened.
    /// The object may exist in Entra; callers should keep track of it (Terraform: record it in state) rather than
    /// forget it.
    #[error("{what} may or may not have happened: the request got no answer, and {reason}")]
    OutcomeUnknown {
        /// What was attempted, e.g. "creating partner configuration 1234…".
        what: String,
        /// Why reconciliation could not decide.
        reason: String,
    },

    /// The object to create already exists and is not the result of this client's own earlier attempt.
    #[error("{what} already exists{}", .hint.as_deref().map(|h| format!("; {h}")).unwrap_or_default())]
    AlreadyExists {
        /// The object, e.g. "partner configuration for tenant 1234…".
        what: String,
        /// What the user can do about it.
        hint: Option<String>,
    },

    /// The operation's deadline passed before it could finish.
    #[error("{what} did not finish within its {} timeout{}", crate::duration::describe_timeout(*.timeout), last_error_suffix(.last_error))]
    DeadlineExceeded {
        /// What was being done.
        what: String,
        /// The operation's whole timeout.
        timeout: Duration,
        /// The error of the last attempt, if the time went on retries.
        last_error: Option<Box<GraphError>>,
    },

    /// The operation was cancelled (Terraform's StopProvider, or the caller's own token).
    #[error("{what} was cancelled")]
    Cancelled {
        /// What was being done.
        what: String,
    },
}

fn ids_suffix(client_request_id: &Option<String>) -> String {
    client_request_id.as_deref().map(|id| format!(" [client-request-id: {id}]")).unwrap_or_default()
}

fn last_error_suffix(last: &Option<Box<GraphError>>) -> String {
    last.as_deref().map(|e| format!("; the last attempt failed with: {e}")).unwrap_or_default()
}

impl GraphError {
    /// The Graph error, if Graph answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            GraphError::Api(api) => Some(api),
            GraphError::DeadlineExceeded { last_error: Some(last), .. } => last.api(),
            _ => None,
        }
    }

    /// The HTTP status Graph answered with, if any.
    pub fn status(&self) -> Option<u16> {
        self.api().map(|a| a.status)
    }

    /// Graph's error code, if any.
    pub fn code(&self) -> Option<&str> {
        self.api().and_then(|a| a.code.as_deref())
    }

    /// True when Graph said the object does not exist (404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, GraphError::Api(api) if api.status == 404)
    }

    /// True when Graph refused the request as forbidden (403), typically a missing permission.
    pub fn is_forbidden(&self) -> bool {
        matches!(self, GraphError::Api(api) if api.status == 403)
    }

    /// True when the operation stopped because of its deadline or a cancellation rather than a Graph answer.
    pub fn is_interrupted(&self) -> bool {
        matches!(self, GraphError::DeadlineExceeded { .. } | GraphError::Cancelled { .. })
    }
}

impl From<ApiError> for GraphError {
    fn from(api: ApiError) -> Self {
        GraphError::Api(Box::new(api))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ApiError {
        ApiError {
            method: "PATCH".into(),
            path: "/policies/crossTenantAccessPolicy/partners/3d0f5dec-5d3d-455c-8016-e2af1ae4d31a".into(),
            status: 400,
            code: Some("Request_BadRequest".into()),
            message: Some("Invalid property 'b2BDirectConnectInbound'.".into()),
            details: vec![],
            request_id: Some("65a998ad-ea02-4986-9e94-a9f7510d3de3".into()),
            client_request_id: Some("4fc158f0-311c-4595-8a72-d79f36ad17b9".into()),
            date: Some("2025-05-13T10:00:00".into()),
        }
    }

    #[test]
    fn api_errors_read_as_a_sentence_with_support_identifiers() {
        assert_eq!(
            GraphError::from(sample()).to_string(),
            "Microsoft Graph returned 400 Bad Request for PATCH \
             /policies/crossTenantAccessPolicy/partners/3d0f5dec-5d3d-455c-8016-e2af1ae4d31a: Request_BadRequest: \
             Invalid property 'b2BDirectConnectInbound'. [request-id: 65a998ad-ea02-4986-9e94-a9f7510d3de3, \
             client-request-id: 4fc158f0-311c-4595-8a72-d79f36ad17b9, date: 2025-05-13T10:00:00]"
        );
    }

    #[test]
    fn missing_parts_are_left_out_cleanly() {
        let api =
            ApiError { code: None, message: None, request_id: None, client_request_id: None, date: None, ..sample() };
        assert_eq!(
            api.to_string(),
            "Microsoft Graph returned 400 Bad Request for PATCH \
             /policies/crossTenantAccessPolicy/partners/3d0f5dec-5d3d-455c-8016-e2af1ae4d31a"
        );
    }

    #[test]
    fn deadline_errors_carry_the_last_attempt() {
        let err = GraphError::DeadlineExceeded {
            what: "reading the default configuration".into(),
            timeout: Duration::from_secs(30),
            last_error: Some(Box::new(GraphError::from(ApiError { status: 503, ..sample() }))),
        };
        let text = err.to_string();
        assert!(text.starts_with("reading the default configuration did not finish within its 30s timeout; the last attempt failed with: Microsoft Graph returned 503 Service Unavailable"), "{text}");
        assert_eq!(err.status(), Some(503));
        assert!(err.is_interrupted());
    }

    #[test]
    fn a_fractional_timeout_is_not_rounded_down_to_zero() {
        let err = GraphError::DeadlineExceeded {
            what: "waiting".into(),
            timeout: Duration::from_millis(1500),
            last_error: None,
        };
        assert_eq!(err.to_string(), "waiting did not finish within its 1.5s timeout");
        let left_of_two_seconds = GraphError::DeadlineExceeded {
            what: "waiting".into(),
            timeout: Duration::from_nanos(1_999_999_139),
            last_error: None,
        };
        assert_eq!(left_of_two_seconds.to_string(), "waiting did not finish within its 2s timeout");
    }
}
