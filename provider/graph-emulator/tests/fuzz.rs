//! Property tests: random bodies, paths and query strings never make the emulator panic, hang or answer with a
//! 5xx, and every error it returns is a Graph-shaped error envelope.

mod common;

use std::sync::OnceLock;
use std::time::Duration;

use entra_graph_emulator::{Emulator, EmulatorConfig};
use proptest::prelude::*;
use serde_json::{Map, Value};

struct Shared {
    emulator: Emulator,
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
    token: String,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let emulator = Emulator::start(EmulatorConfig::default().with_page_size(2)).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let http = {
            let _guard = runtime.enter();
            common::https_client(emulator.ca_cert_pem())
        };
        let token = emulator.access_token();
        for tenant in ["3d0f5dec-5d3d-455c-8016-e2af1ae4d31a", "6babcaad-604b-40ac-a9d7-9fd97c0b779f"] {
            emulator.create_partner(serde_json::json!({"tenantId": tenant})).unwrap();
        }
        Shared { emulator, runtime, http, token }
    })
}

/// Sends a request and checks the invariants; returns the status.
fn check(method: reqwest::Method, path_and_query: &str, body: Option<Vec<u8>>) -> u16 {
    let shared = shared();
    let url = format!("{}{path_and_query}", shared.emulator.endpoint());
    let Ok(url) = reqwest::Url::parse(&url) else { return 0 };
    shared.runtime.block_on(async {
        let mut request = shared.http.request(method.clone(), url.clone()).bearer_auth(&shared.token);
        if let Some(body) = body {
            request = request.header("Content-Type", "application/json").body(body);
        }
        let response = tokio::time::timeout(Duration::from_secs(10), request.send())
            .await
            .unwrap_or_else(|_| panic!("{method} {url} hung"))
            .unwrap_or_else(|e| panic!("{method} {url} failed: {e}"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!(status < 500, "{method} {url} answered {status}: {text}");
        if status >= 400 {
            let json: Value =
                serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {url}: not JSON: {text}"));
            assert!(
                json["error"]["code"].is_string() && json["error"]["message"].is_string(),
                "{method} {url}: {text}"
            );
            assert!(json["error"]["innerError"]["request-id"].is_string(), "{text}");
        }
        status
    })
}

const NAMES: &[&str] = &[
    "tenantId",
    "inboundTrust",
    "isMfaAccepted",
    "isHybridAzureADJoinedDeviceAccepted",
    "automaticUserConsentSettings",
    "inboundAllowed",
    "outboundAllowed",
    "b2bCollaborationInbound",
    "b2bDirectConnectOutbound",
    "tenantRestrictions",
    "usersAndGroups",
    "applications",
    "users",
    "accessType",
    "targets",
    "target",
    "targetType",
    "devices",
    "mode",
    "rule",
    "displayName",
    "userSyncInbound",
    "isSyncAllowed",
    "allowedCloudEndpoints",
    "templateApplicationLevel",
    "invitationRedemptionIdentityProviderConfiguration",
    "primaryIdentityProviderPrecedenceOrder",
    "fallbackIdentityProvider",
    "m365CollaborationInbound",
    "isServiceProvider",
    "@odata.type",
    "requests",
    "id",
    "method",
    "url",
    "body",
    "headers",
    "dependsOn",
];

const STRINGS: &[&str] = &[
    "allowed",
    "blocked",
    "unknownFutureValue",
    "user",
    "group",
    "application",
    "AllUsers",
    "AllApplications",
    "Office365",
    "azureActiveDirectory",
    "emailOneTimePasscode",
    "newPartners,existingPartners",
    "GET",
    "PATCH",
    "/policies/crossTenantAccessPolicy/partners",
    "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a",
    "",
    "💥",
    "'",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        prop::sample::select(STRINGS).prop_map(|s| Value::String(s.to_owned())),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (prop_oneof![prop::sample::select(NAMES).prop_map(str::to_owned), "[a-zA-Z@.]{0,10}"], inner),
                0..6
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn write_path() -> impl Strategy<Value = (reqwest::Method, &'static str)> {
    prop::sample::select(vec![
        (reqwest::Method::POST, "/v1.0/policies/crossTenantAccessPolicy/partners"),
        (
            reqwest::Method::PATCH,
            "/v1.0/policies/crossTenantAccessPolicy/partners/3d0f5dec-5d3d-455c-8016-e2af1ae4d31a",
        ),
        (reqwest::Method::PATCH, "/v1.0/policies/crossTenantAccessPolicy/default"),
        (reqwest::Method::PATCH, "/v1.0/policies/crossTenantAccessPolicy"),
        (
            reqwest::Method::PUT,
            "/v1.0/policies/crossTenantAccessPolicy/partners('6babcaad-604b-40ac-a9d7-9fd97c0b779f')/identitySynchronization",
        ),
        (
            reqwest::Method::PATCH,
            "/v1.0/policies/crossTenantAccessPolicy/partners/6babcaad-604b-40ac-a9d7-9fd97c0b779f/identitySynchronization",
        ),
        (
            reqwest::Method::PATCH,
            "/v1.0/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration",
        ),
        (
            reqwest::Method::PATCH,
            "/beta/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization",
        ),
        (reqwest::Method::POST, "/v1.0/policies/crossTenantAccessPolicy/default/resetToSystemDefault"),
        (reqwest::Method::POST, "/v1.0/$batch"),
    ])
}

/// Posts a form to the token endpoint and checks it answers with Entra's error shape or a token.
fn check_token(form: Vec<(String, String)>) {
    let shared = shared();
    shared.runtime.block_on(async {
        let response = tokio::time::timeout(
            Duration::from_secs(10),
            shared.http.post(shared.emulator.token_endpoint()).form(&form).send(),
        )
        .await
        .expect("the token endpoint hung")
        .expect("the token endpoint answered");
        let status = response.status().as_u16();
        let json: Value = response.json().await.expect("token endpoint answers are JSON");
        assert!(status < 500, "{status}: {json}");
        if status >= 400 {
            assert!(json["error"].is_string() && json["error_codes"].is_array(), "{json}");
        } else {
            assert!(json["access_token"].is_string(), "{json}");
        }
    });
}

fn b64(value: &Value) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_json_bodies_get_answers_not_crashes((method, path) in write_path(), body in json_value()) {
        check(method, path, Some(body.to_string().into_bytes()));
    }

    #[test]
    fn random_bytes_as_bodies((method, path) in write_path(), body in prop::collection::vec(any::<u8>(), 0..300)) {
        check(method, path, Some(body));
    }

    #[test]
    fn random_paths_and_queries(
        version in prop::sample::select(vec!["/v1.0", "/beta", "/v2", ""]),
        segments in prop::collection::vec(prop_oneof![
            prop::sample::select(vec!["policies", "crossTenantAccessPolicy", "partners", "default", "templates",
                "identitySynchronization", "tenantRelationships", "partners('x')", "partners(tenantId='')",
                "findTenantInformationByDomainName(domainName='a''b')", "findTenantInformationByTenantId(tenantId=1)",
                "$batch", "deletedItems", "crossTenantPartners", "restore", "%27", "%zz", "(", ")"]).prop_map(str::to_owned),
            "[a-zA-Z0-9'()%=._-]{0,12}",
        ], 0..6),
        query in prop_oneof![
            Just(String::new()),
            "[$a-z=&,' ()%0-9]{0,30}".prop_map(|q| format!("?{q}")),
            prop::sample::select(vec!["?$top=1", "?$top=-1", "?$skiptoken=%%%", "?$filter=tenantId eq '", "?$select=,,", "?$expand=identitySynchronization($select=x)", "?$count=true&$skip=99999999999999999999"]).prop_map(str::to_owned),
        ],
        method in prop::sample::select(vec![reqwest::Method::GET, reqwest::Method::DELETE, reqwest::Method::GET]),
    ) {
        let path = format!("{version}/{}{query}", segments.join("/"));
        check(method, &path, None);
    }

    #[test]
    fn random_token_requests(
        fields in prop::collection::vec((
            prop::sample::select(vec!["grant_type", "client_id", "client_secret", "scope", "client_assertion", "client_assertion_type", "x"]),
            prop_oneof![
                prop::sample::select(vec!["client_credentials", "password", "https://graph.microsoft.com/.default", "a b", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "3f1b7c9e-5d2a-4e8b-9c6f-0a1d2e3f4b5c"]).prop_map(str::to_owned),
                ".{0,20}",
            ],
        ), 0..7),
    ) {
        check_token(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect());
    }

    #[test]
    fn random_client_assertions(header in json_value(), claims in json_value(), exp in any::<i64>(), signature in "[A-Za-z0-9_-]{0,40}") {
        let mut claims = claims;
        if let Value::Object(map) = &mut claims {
            map.insert("exp".to_owned(), Value::from(exp));
            map.insert("nbf".to_owned(), Value::from(exp.wrapping_neg()));
        }
        let assertion = format!("{}.{}.{signature}", b64(&header), b64(&claims));
        check_token(vec![
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("client_id".to_owned(), shared().emulator.client_id().to_owned()),
            ("scope".to_owned(), "https://graph.microsoft.com/.default".to_owned()),
            ("client_assertion_type".to_owned(), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned()),
            ("client_assertion".to_owned(), assertion),
        ]);
    }
}
