//! Shared helpers for the emulator's integration tests: a running emulator plus an HTTPS client that trusts only
//! the emulator's CA and holds a Graph token.

#![allow(dead_code, unreachable_pub)]

use entra_graph_emulator::{Emulator, EmulatorConfig};
use reqwest::Method;
use serde_json::Value;

/// Partner tenant ids used across tests (lowercase, as Graph returns them).
pub const TENANT_A: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";
pub const TENANT_B: &str = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";
pub const TENANT_C: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";
pub const PARTNERS: &str = "/v1.0/policies/crossTenantAccessPolicy/partners";

/// A reply: status, headers and the body as text and (when it parses) JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn error_code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or_default()
    }

    pub fn error_message(&self) -> &str {
        self.json["error"]["message"].as_str().unwrap_or_default()
    }
}

/// An HTTPS client for one emulator.
pub struct Harness {
    pub emulator: Emulator,
    pub http: reqwest::Client,
    pub token: String,
}

/// An HTTPS client that trusts only the emulator's CA.
pub fn https_client(ca_pem: &str) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("CA PEM");
    reqwest::Client::builder().tls_certs_only([ca]).build().expect("client")
}

impl Harness {
    pub async fn start(config: EmulatorConfig) -> Harness {
        let emulator = Emulator::start(config).expect("emulator starts");
        let http = https_client(emulator.ca_cert_pem());
        let mut harness = Harness { emulator, http, token: String::new() };
        harness.token = harness.client_secret_token().await;
        harness
    }

    pub async fn default() -> Harness {
        Harness::start(EmulatorConfig::default()).await
    }

    /// Replaces the client, so the next request opens a new connection. After a fault dropped the connection, the
    /// old client's pool may still hand out the dying connection for a moment, and a request on it fails too.
    pub fn reconnect(&mut self) {
        self.http = https_client(self.emulator.ca_cert_pem());
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emulator.endpoint())
    }

    pub async fn client_secret_token(&self) -> String {
        let reply = self
            .token_request(&[
                ("client_id", self.emulator.client_id()),
                ("client_secret", self.emulator.client_secret()),
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json["access_token"].as_str().unwrap().to_owned()
    }

    /// A Graph token of the `index`-th emulated tenant (0 is the first tenant), from its own token endpoint.
    pub async fn tenant_token(&self, index: usize) -> String {
        let tenant = self.emulator.tenant(index).expect("the tenant is emulated");
        let response = self
            .http
            .post(tenant.token_endpoint())
            .form(&[
                ("client_id", tenant.client_id()),
                ("client_secret", tenant.client_secret()),
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .expect("token request");
        let reply = reply(response).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json["access_token"].as_str().unwrap().to_owned()
    }

    /// A request with the token of another tenant.
    pub async fn as_tenant(&self, token: &str, method: Method, path: &str, body: Option<&Value>) -> Reply {
        self.request_with_token(method, path, body, Some(token)).await
    }

    pub async fn token_request(&self, form: &[(&str, &str)]) -> Reply {
        let response = self.http.post(self.emulator.token_endpoint()).form(form).send().await.expect("token request");
        reply(response).await
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        self.request_with_token(method, path, body, Some(&self.token)).await
    }

    pub async fn request_with_token(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        token: Option<&str>,
    ) -> Reply {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        reply(request.send().await.expect("request")).await
    }

    pub async fn raw(&self, method: Method, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Reply {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(&self.token).body(body);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        reply(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.request(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.request(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.request(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.request(Method::DELETE, path, None).await
    }

    pub async fn create_partner(&self, tenant_id: &str) -> Reply {
        let reply = self.post(PARTNERS, &serde_json::json!({"tenantId": tenant_id})).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply
    }

    /// `@odata.context` / `@odata.nextLink` values with the emulator's address replaced by Graph's.
    pub fn as_graph(&self, value: &Value) -> Value {
        let text = value.to_string().replace(self.emulator.endpoint(), "https://graph.microsoft.com");
        serde_json::from_str(&text).unwrap()
    }
}

pub async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, headers, text, json }
}
