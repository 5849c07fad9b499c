//! Graph error responses (graph-api.md §8.1): the OData error envelope and the codes the service uses.

use http::StatusCode;

use crate::json::Json;

/// A Graph error before it is rendered: status, `error.code`, `error.message` and optional `details`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GraphError {
    pub(crate) status: StatusCode,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) details: Vec<(String, String)>,
    /// Extra response headers (for example `Retry-After` on 429 and 503).
    pub(crate) headers: Vec<(String, String)>,
}

impl GraphError {
    /// An error with the given status, code and message.
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> GraphError {
        GraphError { status, code: code.to_owned(), message: message.into(), details: Vec::new(), headers: Vec::new() }
    }

    /// 400 `Request_BadRequest`, the code graph-api.md §7 prescribes for validation failures.
    pub(crate) fn bad_request(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    /// 400 `BadRequest`, used by the Graph gateway for requests it cannot parse (bad JSON, unknown segments).
    pub(crate) fn gateway_bad_request(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 400 `Invalid property 'x'.` for unknown or miscased property names (R16, quirks Q1–Q3).
    pub(crate) fn invalid_property(name: &str) -> GraphError {
        GraphError::bad_request(format!("Invalid property '{name}'."))
    }

    /// 404 `Request_ResourceNotFound` for a GET or DELETE of a missing object (graph-api.md §6.6).
    pub(crate) fn not_found(key: &str) -> GraphError {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{key}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    /// 404 `Directory_ObjectNotFound` for a PATCH of a missing object (R20).
    pub(crate) fn object_not_found() -> GraphError {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Directory_ObjectNotFound",
            "Unable to read the company information from the directory.",
        )
    }

    /// 409 for a partner POST whose tenant already has a configuration (graph-api.md §6.5).
    pub(crate) fn duplicate_partner() -> GraphError {
        GraphError::new(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            "Another object with the same value for property tenantId already exists.",
        )
    }

    /// 409 for an identity-synchronization PUT when a policy already exists (E11, quirk Q5).
    pub(crate) fn duplicate_sync_policy() -> GraphError {
        const MESSAGE: &str =
            "A conflicting object with one or more of the specified property values is present in the directory.";
        let mut error = GraphError::new(StatusCode::CONFLICT, "Request_MultipleObjectsWithSameKeyValue", MESSAGE);
        error.details.push(("ConflictingObjects".to_owned(), MESSAGE.to_owned()));
        error
    }

    /// 403 `Authorization_RequestDenied` (graph-api.md §1.1).
    pub(crate) fn forbidden() -> GraphError {
        GraphError::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// 403 `Authorization_RequestDenied` for `$expand=identitySynchronization` by a caller that may read partners but
    /// not their identity synchronization policies. [INF] The code and message follow the other permission denials;
    /// Graph documents only that such roles read partners "excluding identity synchronization settings".
    pub(crate) fn identity_sync_expand_denied() -> GraphError {
        GraphError::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to expand 'identitySynchronization'.",
        )
    }

    /// 401 `InvalidAuthenticationToken` with the given reason.
    pub(crate) fn unauthenticated(message: impl Into<String>) -> GraphError {
        let mut error = GraphError::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message);
        error.headers.push((
            "WWW-Authenticate".to_owned(),
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", \
             client_id=\"00000003-0000-0000-c000-000000000000\""
                .to_owned(),
        ));
        error
    }

    /// Adds a response header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> GraphError {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The OData error envelope, with `innerError` carrying the date and request ids as Graph does.
    pub(crate) fn body(&self, request_id: &str, client_request_id: &str, date: &str) -> Json {
        let mut error =
            vec![("code".to_owned(), Json::str(&self.code)), ("message".to_owned(), Json::str(&self.message))];
        if !self.details.is_empty() {
            let details = self
                .details
                .iter()
                .map(|(code, message)| Json::object([("code", Json::str(code)), ("message", Json::str(message))]))
                .collect();
            error.push(("details".to_owned(), Json::Array(details)));
        }
        error.push((
            "innerError".to_owned(),
            Json::object([
                ("date", Json::str(date)),
                ("request-id", Json::str(request_id)),
                ("client-request-id", Json::str(client_request_id)),
            ]),
        ));
        Json::object([("error", Json::Object(error))])
    }
}

/// The `innerError.date` format Graph uses: UTC without a zone suffix, to the second.
pub(crate) fn graph_date(now: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    now.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_matches_the_documented_shape() {
        let body = GraphError::invalid_property("b2BDirectConnectInbound").body("rid", "crid", "2025-05-13T10:00:00");
        assert_eq!(
            body.to_value(),
            serde_json::json!({"error": {
                "code": "Request_BadRequest",
                "message": "Invalid property 'b2BDirectConnectInbound'.",
                "innerError": {"date": "2025-05-13T10:00:00", "request-id": "rid", "client-request-id": "crid"}
            }})
        );
    }

    #[test]
    fn sync_conflict_carries_details() {
        let body = GraphError::duplicate_sync_policy().body("r", "c", "d").to_value();
        assert_eq!(body["error"]["details"][0]["code"], "ConflictingObjects");
    }

    #[test]
    fn date_has_no_zone_suffix() {
        let date = graph_date(time::macros::datetime!(2025-05-13 10:00:00 UTC));
        assert_eq!(date, "2025-05-13T10:00:00");
    }
}
