//! Corrupted responses for the malformed-response faults: clients must survive truncated bodies, proxy error
//! pages, error envelopes with 200, wrong JSON types, unexpected or missing properties and future enum values.

use http::StatusCode;

use crate::faults::MalformedKind;
use crate::graph::{Body, GraphResponse};
use crate::json::Json;

/// Properties whose values are enum members in the emulated types.
const ENUM_PROPERTIES: [&str; 5] =
    ["accessType", "targetType", "fallbackIdentityProvider", "mode", "templateApplicationLevel"];

/// Applies a corruption to a response.
pub(crate) fn corrupt(response: GraphResponse, kind: MalformedKind) -> GraphResponse {
    match kind {
        MalformedKind::HtmlBadGateway => GraphResponse {
            status: StatusCode::BAD_GATEWAY,
            headers: Vec::new(),
            body: Body::Raw {
                content_type: "text/html".to_owned(),
                bytes: b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>\
                         </center><hr><center>emulated proxy</center></body></html>"
                    .to_vec(),
            },
        },
        MalformedKind::ErrorEnvelopeWithOk => GraphResponse {
            status: StatusCode::OK,
            headers: Vec::new(),
            body: Body::Json(Json::object([(
                "error",
                Json::object([
                    ("code", Json::str("UnknownError")),
                    ("message", Json::str("An internal server error occurred, but the status code says OK.")),
                ]),
            )])),
        },
        MalformedKind::TruncatedJson => match response.body {
            Body::Json(json) => {
                let bytes = json.to_bytes();
                let cut = bytes.len() / 2;
                GraphResponse {
                    body: Body::Raw {
                        content_type: crate::graph::JSON_CONTENT_TYPE.to_owned(),
                        bytes: bytes[..cut].to_vec(),
                    },
                    ..response
                }
            }
            _ => response,
        },
        MalformedKind::WrongTypes => map_json(response, wrong_types),
        MalformedKind::ExtraProperties => map_json(response, |json| extra_properties(json, true)),
        MalformedKind::MissingProperties => map_json(response, missing_properties),
        MalformedKind::UnknownEnumValues => map_json(response, |json| unknown_enums(json, None)),
    }
}

fn map_json(response: GraphResponse, change: impl Fn(Json) -> Json) -> GraphResponse {
    match response.body {
        Body::Json(json) => GraphResponse { body: Body::Json(change(json)), ..response },
        _ => response,
    }
}

/// Booleans become strings and strings (other than annotations) become numbers.
fn wrong_types(json: Json) -> Json {
    match json {
        Json::Bool(b) => Json::String(b.to_string()),
        Json::String(s) => Json::Number((s.len() as u64).into()),
        Json::Array(items) => Json::Array(items.into_iter().map(wrong_types).collect()),
        Json::Object(pairs) => Json::Object(
            pairs.into_iter().map(|(k, v)| if k.starts_with('@') { (k, v) } else { (k, wrong_types(v)) }).collect(),
        ),
        other => other,
    }
}

/// Every object gains an unknown property; entities (the top object and collection items) also gain the
/// undocumented properties the live service has returned (quirk Q11).
fn extra_properties(json: Json, entity: bool) -> Json {
    match json {
        Json::Object(pairs) => {
            let is_collection = pairs.iter().any(|(k, _)| k == "value");
            let mut out: Vec<(String, Json)> = pairs
                .into_iter()
                .map(|(k, v)| {
                    let child_is_entity = is_collection && k == "value";
                    let v = match v {
                        Json::Array(items) if child_is_entity => {
                            Json::Array(items.into_iter().map(|i| extra_properties(i, true)).collect())
                        }
                        other => extra_properties(other, false),
                    };
                    (k, v)
                })
                .collect();
            out.push(("unexpectedFutureProperty".to_owned(), Json::str("emulator")));
            if entity && !is_collection {
                let pair = || Json::object([("inboundAllowed", Json::Null), ("outboundAllowed", Json::Null)]);
                out.push(("crossCloudMeetingConfiguration".to_owned(), pair()));
                out.push(("protectedContentSharing".to_owned(), pair()));
            }
            Json::Object(out)
        }
        Json::Array(items) => Json::Array(items.into_iter().map(|i| extra_properties(i, false)).collect()),
        other => other,
    }
}

/// Entities keep only their annotations and keys.
fn missing_properties(json: Json) -> Json {
    let strip = |json: Json| match json {
        Json::Object(pairs) => Json::Object(
            pairs
                .into_iter()
                .filter(|(k, _)| k.starts_with('@') || k == "id" || k == "tenantId" || k == "value")
                .collect(),
        ),
        other => other,
    };
    match strip(json) {
        Json::Object(pairs) => Json::Object(
            pairs
                .into_iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("value", Json::Array(items)) => (k, Json::Array(items.into_iter().map(strip).collect())),
                    (_, v) => (k, v),
                })
                .collect(),
        ),
        other => other,
    }
}

/// Every enum value becomes `unknownFutureValue`.
fn unknown_enums(json: Json, property: Option<&str>) -> Json {
    match json {
        Json::String(_) if property.is_some_and(|p| ENUM_PROPERTIES.contains(&p)) => Json::str("unknownFutureValue"),
        Json::Array(items) => {
            let in_enum_collection = property == Some("primaryIdentityProviderPrecedenceOrder");
            Json::Array(
                items
                    .into_iter()
                    .map(|item| match item {
                        Json::String(_) if in_enum_collection => Json::str("unknownFutureValue"),
                        other => unknown_enums(other, None),
                    })
                    .collect(),
            )
        }
        Json::Object(pairs) => Json::Object(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let v = unknown_enums(v, Some(&k));
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(value: serde_json::Value) -> GraphResponse {
        GraphResponse { status: StatusCode::OK, headers: Vec::new(), body: Body::Json(Json::from_value(&value)) }
    }

    fn body(response: &GraphResponse) -> serde_json::Value {
        match &response.body {
            Body::Json(json) => json.to_value(),
            other => panic!("not JSON: {other:?}"),
        }
    }

    #[test]
    fn truncation_cuts_the_body() {
        let corrupted = corrupt(response(json!({"value": [1, 2, 3]})), MalformedKind::TruncatedJson);
        let Body::Raw { bytes, .. } = corrupted.body else { panic!() };
        assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_err());
    }

    #[test]
    fn html_and_error_envelope() {
        let html = corrupt(response(json!({})), MalformedKind::HtmlBadGateway);
        assert_eq!(html.status, StatusCode::BAD_GATEWAY);
        let envelope = corrupt(response(json!({})), MalformedKind::ErrorEnvelopeWithOk);
        assert_eq!(envelope.status, StatusCode::OK);
        assert_eq!(body(&envelope)["error"]["code"], "UnknownError");
    }

    #[test]
    fn type_and_enum_corruptions() {
        let original = json!({"@odata.context": "c", "isServiceDefault": true, "x": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
            "i": {"primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory"], "fallbackIdentityProvider": "defaultConfiguredIdp"}});
        let wrong = body(&corrupt(response(original.clone()), MalformedKind::WrongTypes));
        assert_eq!(wrong["isServiceDefault"], "true");
        assert_eq!(wrong["@odata.context"], "c");
        assert!(wrong["x"]["accessType"].is_number());
        let unknown = body(&corrupt(response(original), MalformedKind::UnknownEnumValues));
        assert_eq!(unknown["x"]["accessType"], "unknownFutureValue");
        assert_eq!(unknown["x"]["targets"][0]["targetType"], "unknownFutureValue");
        assert_eq!(unknown["x"]["targets"][0]["target"], "AllUsers");
        assert_eq!(unknown["i"]["primaryIdentityProviderPrecedenceOrder"][0], "unknownFutureValue");
    }

    #[test]
    fn extra_and_missing_properties() {
        let list =
            json!({"@odata.context": "c", "value": [{"tenantId": "t", "inboundTrust": {"isMfaAccepted": true}}]});
        let extra = body(&corrupt(response(list.clone()), MalformedKind::ExtraProperties));
        assert_eq!(extra["value"][0]["unexpectedFutureProperty"], "emulator");
        assert!(extra["value"][0]["crossCloudMeetingConfiguration"].is_object());
        assert_eq!(extra["value"][0]["inboundTrust"]["unexpectedFutureProperty"], "emulator");
        let missing = body(&corrupt(response(list), MalformedKind::MissingProperties));
        assert_eq!(missing["value"][0], json!({"tenantId": "t"}));
    }
}
