//! The HTTP control surface under `/_emulator` (no Graph token needed; optionally an admin key), the OIDC issuer
//! endpoints and the App Service-style managed-identity endpoint.
//!
//! | Method | Path | Purpose |
//! |---|---|---|
//! | GET | `/_emulator/health` | liveness |
//! | GET, DELETE | `/_emulator/stats` | read / zero the request statistics |
//! | GET | `/_emulator/emulated-tenants` | the emulated tenants: `{"tenants":[{"tenant_id","client_id","client_secret","display_name","default_domain_name","users","groups"}]}` |
//! | GET, PUT | `/_emulator/state` | read / replace the whole state |
//! | GET | `/_emulator/objects` | users, groups, applications, service principals, synchronization, assignments |
//! | POST | `/_emulator/servicePrincipals/{sp}/synchronization/jobs/{job}/pause` | pause a job out of band |
//! | POST | `/_emulator/servicePrincipals/{sp}/synchronization/jobs/{job}/quarantine` | quarantine a job (`{"reason","code","message"}`, all optional) |
//! | POST | `/_emulator/servicePrincipals/{sp}/synchronization/jobs/{job}/cycle` | complete one sync cycle of a started job |
//! | PUT | `/_emulator/servicePrincipals/{sp}/synchronization/jobs/{job}/schema` | replace a job's schema without validation |
//! | POST | `/_emulator/users`, `/_emulator/groups` | add a user or group `{"id","display_name"}` |
//! | DELETE | `/_emulator/servicePrincipals/{sp}/synchronization/jobs/{job}` | delete a job out of band |
//! | GET, PUT | `/_emulator/faults` | read / replace the faults |
//! | POST | `/_emulator/reset` | fresh tenant, faults off, statistics zero |
//! | GET, POST | `/_emulator/partners` | list / create partners out of band |
//! | GET, PATCH, DELETE | `/_emulator/partners/{id}` | read / change / delete one partner out of band |
//! | GET, PUT, PATCH, DELETE | `/_emulator/partners/{id}/identitySynchronization` | the same for its sync policy |
//! | GET, POST | `/_emulator/tenants` | list / register directory tenants |
//! | POST | `/_emulator/apps` | register an application |
//! | POST | `/_emulator/tokens/revoke` | invalidate every issued token |
//! | POST | `/_emulator/oidc/mint` | mint a federated token `{"subject","audience"?}` → `{"token"}` |
//! | GET | `/_emulator/oidc/.well-known/openid-configuration`, `/_emulator/oidc/.well-known/jwks.json` | issuer metadata |
//! | GET | `/_emulator/oidc/github` | GitHub Actions-style ID token request |
//! | POST | `/_emulator/oidc/ado` | Azure DevOps-style OIDC token request |
//! | GET | `/_emulator/msi/token` | App Service-style managed identity |
//! | GET, PUT | `/_emulator/multiTenantOrganization` | inspect / save and restore every multi-tenant organization and join request |
//! | GET | `/_emulator/multiTenantOrganization/view/{tenantId}` | the organization as one tenant sees it, with its tenants |
//! | POST | `/_emulator/multiTenantOrganization/complete` | complete every pending join, role change and removal now |
//! | GET, PUT | `/_emulator/multiTenantOrganization/settings` | `{"delayMs","maxActiveTenants","deleteReturnsMember","protectCreator","roleChangeFailure"}` |
//!
//! `state`, `partners` and the directory-object hooks act on the first tenant, or on the emulated tenant named by a
//! `?tenant={id}` query parameter (404 for a tenant that is not emulated).

use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};
use serde_json::{Value, json};

use crate::config::{AppRegistration, DirectoryTenant, TOKEN_EXCHANGE_AUDIENCE};
use crate::faults::Faults;
use crate::server::{HttpResponse, empty, plain_json};
use crate::service::Service;

fn error(status: StatusCode, message: impl Into<String>) -> HttpResponse {
    plain_json(status, &json!({"error": {"code": "EmulatorAdminError", "message": message.into()}}))
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Box<HttpResponse>> {
    serde_json::from_slice(body)
        .map_err(|e| Box::new(error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}"))))
}

fn result(outcome: anyhow::Result<Value>, status: StatusCode) -> HttpResponse {
    match outcome {
        Ok(value) => plain_json(status, &value),
        Err(e) => {
            let message = e.to_string();
            let status = if message.starts_with("no ") { StatusCode::NOT_FOUND } else { StatusCode::BAD_REQUEST };
            error(status, message)
        }
    }
}

/// Handles a request under `/_emulator`; `path` is what follows the prefix.
pub(crate) fn handle(
    service: &Service,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> HttpResponse {
    let authorization = headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    // Endpoints with their own authentication (or none, like public issuer metadata).
    match (method, path) {
        (&Method::GET, "/oidc/.well-known/openid-configuration") => {
            return plain_json(StatusCode::OK, &service.authority.openid_configuration());
        }
        (&Method::GET, "/oidc/.well-known/jwks.json") => return plain_json(StatusCode::OK, &service.authority.jwks()),
        (&Method::GET, "/oidc/github") => {
            let response = service.authority.github_oidc(authorization, query);
            return plain_json(response.status, &response.body);
        }
        (&Method::POST, "/oidc/ado") => {
            let response = service.authority.ado_oidc(authorization, query);
            return plain_json(response.status, &response.body);
        }
        (&Method::GET, "/msi/token") => {
            lock_stats_token(service);
            let response = service.authority.managed_identity(true, headers, query);
            if response.issued {
                crate::service::lock(&service.stats).tokens_issued += 1;
            }
            return plain_json(response.status, &response.body);
        }
        (&Method::GET, "/health") => return plain_json(StatusCode::OK, &json!({"status": "ok"})),
        _ => {}
    }
    if let Some(key) = &service.config.admin_key {
        let given = headers.get("x-emulator-admin-key").and_then(|v| v.to_str().ok());
        if given != Some(key.as_str()) {
            return error(StatusCode::UNAUTHORIZED, "the X-Emulator-Admin-Key header is missing or wrong");
        }
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // `?tenant=ID` picks the emulated tenant whose state, partners and directory objects an admin request reaches.
    let tenant_param = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "tenant")
        .map(|(_, value)| value.into_owned());
    let tenant = match service.tenant_or_primary(tenant_param.as_deref()) {
        Ok(tenant) => tenant,
        Err(e) => return error(StatusCode::NOT_FOUND, e.to_string()),
    };
    match (method, segments.as_slice()) {
        (&Method::GET, ["stats"]) => plain_json(StatusCode::OK, &json!(service.stats())),
        (&Method::DELETE, ["stats"]) | (&Method::POST, ["stats", "reset"]) => {
            service.reset_stats();
            empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, ["state"]) => plain_json(StatusCode::OK, &tenant.state()),
        (&Method::PUT, ["state"]) => match parse::<Value>(body) {
            Ok(state) => match tenant.set_state(&state) {
                Ok(()) => empty(StatusCode::NO_CONTENT),
                Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
            },
            Err(response) => *response,
        },
        (&Method::GET, ["faults"]) => plain_json(StatusCode::OK, &json!(service.faults())),
        (&Method::PUT, ["faults"]) => match parse::<Faults>(body) {
            Ok(faults) => {
                service.set_faults(faults);
                empty(StatusCode::NO_CONTENT)
            }
            Err(response) => *response,
        },
        (&Method::POST, ["reset"]) => {
            service.reset();
            empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, ["partners"]) => plain_json(StatusCode::OK, &tenant.state()["partners"]),
        (&Method::GET, ["objects"]) => plain_json(StatusCode::OK, &tenant.objects_json()),
        (&Method::POST, ["servicePrincipals", sp, "synchronization", "jobs", job, "pause"]) => {
            result(tenant.change_job(sp, job, crate::objects::Job::pause), StatusCode::OK)
        }
        (&Method::POST, ["servicePrincipals", sp, "synchronization", "jobs", job, "quarantine"]) => {
            match parse::<Value>(if body.is_empty() { b"{}" } else { body }) {
                Ok(request) => {
                    let text = |name: &str, default: &str| {
                        request.get(name).and_then(Value::as_str).unwrap_or(default).to_owned()
                    };
                    let reason = text("reason", "EncounteredQuarantineException");
                    let code = text("code", "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure");
                    let message =
                        text("message", "The target tenant has not enabled inbound synchronization with this tenant.");
                    result(tenant.change_job(sp, job, |j| j.quarantine(&reason, &code, &message)), StatusCode::OK)
                }
                Err(response) => *response,
            }
        }
        (&Method::POST, ["servicePrincipals", sp, "synchronization", "jobs", job, "cycle"]) => {
            result(tenant.complete_cycle(sp, job), StatusCode::OK)
        }
        (&Method::POST, ["users"]) | (&Method::POST, ["groups"]) => match parse::<Value>(body) {
            Ok(object) => {
                let text = |name: &str| object.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
                let group = segments == ["groups"];
                result(tenant.add_directory_object(group, &text("id"), &text("display_name")), StatusCode::CREATED)
            }
            Err(response) => *response,
        },
        (&Method::PUT, ["servicePrincipals", sp, "synchronization", "jobs", job, "schema"]) => {
            match parse::<Value>(body) {
                Ok(schema) => result(tenant.change_job(sp, job, |j| j.schema = schema), StatusCode::OK),
                Err(response) => *response,
            }
        }
        (&Method::DELETE, ["servicePrincipals", sp, "synchronization", "jobs", job]) => {
            result(tenant.delete_job_out_of_band(sp, job).map(|()| Value::Null), StatusCode::OK)
        }
        (&Method::GET, ["emulated-tenants"]) => {
            let tenants: Vec<_> = service.tenants.iter().map(|t| &t.config).collect();
            plain_json(StatusCode::OK, &json!({"tenants": tenants}))
        }
        (&Method::POST, ["partners"]) => match parse::<Value>(body) {
            Ok(partner) => result(tenant.create_partner_out_of_band(&partner), StatusCode::CREATED),
            Err(response) => *response,
        },
        (&Method::GET, ["partners", id]) => match tenant.partner(id) {
            Some(partner) => plain_json(StatusCode::OK, &partner),
            None => error(StatusCode::NOT_FOUND, format!("no partner for tenant {id}")),
        },
        (&Method::PATCH, ["partners", id]) => match parse::<Value>(body) {
            Ok(patch) => result(tenant.patch_partner_out_of_band(id, &patch), StatusCode::OK),
            Err(response) => *response,
        },
        (&Method::DELETE, ["partners", id]) => {
            result(tenant.delete_partner_out_of_band(id).map(|()| Value::Null), StatusCode::OK)
        }
        (&Method::GET, ["partners", id, "identitySynchronization"]) => match tenant.identity_sync(id) {
            Some(sync) => plain_json(StatusCode::OK, &sync),
            None => error(StatusCode::NOT_FOUND, format!("no identity sync policy for tenant {id}")),
        },
        (&Method::PUT, ["partners", id, "identitySynchronization"]) => match parse::<Value>(body) {
            Ok(sync) => result(tenant.put_identity_sync_out_of_band(id, &sync), StatusCode::OK),
            Err(response) => *response,
        },
        (&Method::PATCH, ["partners", id, "identitySynchronization"]) => match parse::<Value>(body) {
            Ok(patch) => result(tenant.patch_identity_sync_out_of_band(id, &patch), StatusCode::OK),
            Err(response) => *response,
        },
        (&Method::DELETE, ["partners", id, "identitySynchronization"]) => {
            result(tenant.delete_identity_sync_out_of_band(id).map(|()| Value::Null), StatusCode::OK)
        }
        (&Method::GET, ["tenants"]) => plain_json(StatusCode::OK, &json!({"tenants": service.directory()})),
        (&Method::POST, ["tenants"]) => match parse::<DirectoryTenant>(body) {
            Ok(tenant) => result(service.register_tenant(tenant).map(|()| Value::Null), StatusCode::CREATED),
            Err(response) => *response,
        },
        (&Method::POST, ["apps"]) => match parse::<AppRegistration>(body) {
            Ok(app) => result(service.authority.add_app(app).map(|()| Value::Null), StatusCode::CREATED),
            Err(response) => *response,
        },
        (&Method::POST, ["tokens", "revoke"]) => {
            service.authority.revoke_all();
            empty(StatusCode::NO_CONTENT)
        }
        (&Method::POST, ["oidc", "mint"]) => match parse::<Value>(body) {
            Ok(request) => {
                let Some(subject) = request.get("subject").and_then(Value::as_str) else {
                    return error(StatusCode::BAD_REQUEST, "the body needs a string 'subject'");
                };
                let audience = request.get("audience").and_then(Value::as_str).unwrap_or(TOKEN_EXCHANGE_AUDIENCE);
                let lifetime = request.get("lifetimeSeconds").and_then(Value::as_u64).unwrap_or(3600);
                let token = service.authority.mint(subject, audience, Duration::from_secs(lifetime));
                plain_json(StatusCode::OK, &json!({"token": token}))
            }
            Err(response) => *response,
        },
        (_, ["multiTenantOrganization", rest @ ..]) => match crate::mto::admin(service, method, rest, body) {
            Some((StatusCode::NO_CONTENT, _)) => empty(StatusCode::NO_CONTENT),
            Some((status, value)) => plain_json(status, &value),
            None => error(StatusCode::NOT_FOUND, format!("no admin endpoint {method} /_emulator{path}")),
        },
        _ => error(StatusCode::NOT_FOUND, format!("no admin endpoint {method} /_emulator{path}")),
    }
}

fn lock_stats_token(service: &Service) {
    let mut stats = crate::service::lock(&service.stats);
    stats.token_requests += 1;
    stats.record_route("GET /_emulator/msi/token".to_owned());
}
