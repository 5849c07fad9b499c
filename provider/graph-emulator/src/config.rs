//! Configuration of an emulator instance: identity, credentials, fixtures, rules and faults.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::faults::Faults;

/// The Graph application permission that allows reading cross-tenant access settings.
pub const ROLE_POLICY_READ_ALL: &str = "Policy.Read.All";
/// The Graph application permission that allows changing cross-tenant access settings.
pub const ROLE_POLICY_READ_WRITE_CROSS_TENANT_ACCESS: &str = "Policy.ReadWrite.CrossTenantAccess";
/// The Graph application permission that allows the tenant lookup functions (E15, E16).
pub const ROLE_CROSS_TENANT_INFORMATION_READ_BASIC_ALL: &str = "CrossTenantInformation.ReadBasic.All";

/// Every permission the emulator knows; the default application holds all of them.
pub const ALL_ROLES: [&str; 3] =
    [ROLE_POLICY_READ_ALL, ROLE_POLICY_READ_WRITE_CROSS_TENANT_ACCESS, ROLE_CROSS_TENANT_INFORMATION_READ_BASIC_ALL];

/// The audience Entra requires on federated (workload identity) assertions.
pub const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

/// The tenant id used when none is configured (the tenant of the graph-api.md captures).
pub const DEFAULT_TENANT_ID: &str = "4b8c18bd-2f9f-4227-af55-9f1061cf9c32";
/// The application (client) id used when none is configured.
pub const DEFAULT_CLIENT_ID: &str = "3f1b7c9e-5d2a-4e8b-9c6f-0a1d2e3f4b5c";
/// The client secret used when none is configured.
pub const DEFAULT_CLIENT_SECRET: &str = "emu~Zq8Q.client-secret-for-local-tests-only";
/// The root policy id used when none is configured; the default configuration shares it (graph-api.md E1, E3).
pub const DEFAULT_POLICY_ID: &str = "895e3c89-2715-4624-9715-6a86227312eb";

/// Everything an [`crate::Emulator`] needs to start. `Default` gives a working emulator on a random loopback port.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Address of the HTTPS listener (Graph, token endpoint, OIDC issuer, managed identity, admin surface).
    pub listen: SocketAddr,
    /// Where to write the CA certificate (PEM). `None` writes a temporary file that is removed on shutdown.
    pub ca_cert_file: Option<std::path::PathBuf>,
    /// Optional plain-HTTP loopback listener that serves only the managed-identity endpoints, as real MSI endpoints
    /// are plain HTTP.
    pub managed_identity_http_listen: Option<SocketAddr>,
    /// The tenant the emulator plays. Token requests must name it; the root policy's display name contains it.
    pub tenant_id: String,
    /// The main application's client id.
    pub client_id: String,
    /// The main application's client secret.
    pub client_secret: String,
    /// PEM certificates registered on the main application for certificate client assertions.
    pub client_certificates: Vec<String>,
    /// Federated identity credentials on the main application. The default trusts the emulator's own OIDC issuer
    /// for any subject.
    pub federated_credentials: Vec<FederatedCredential>,
    /// Further applications (for example a read-only one, to test 403 `Authorization_RequestDenied`).
    pub extra_apps: Vec<AppRegistration>,
    /// External OIDC issuers whose keys verify federated assertions.
    pub trusted_issuers: Vec<TrustedIssuer>,
    /// The managed identity served by the managed-identity endpoints.
    pub managed_identity: ManagedIdentity,
    /// The bearer token the GitHub-style OIDC request endpoint accepts (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`).
    pub github_request_token: String,
    /// The bearer token the Azure DevOps-style OIDC endpoint accepts (`SYSTEM_ACCESSTOKEN`).
    pub ado_system_access_token: String,
    /// Lifetime of issued access tokens (short lifetimes make refresh-before-expiry testable).
    pub token_lifetime: Duration,
    /// Page size of the partners list when the client sends no `$top`; small so that clients must page.
    pub page_size: usize,
    /// Fault injection, all off by default; can be changed at run time.
    pub faults: Faults,
    /// Seed for every random choice the faults make, so a run is reproducible.
    pub seed: u64,
    /// Tenants known to the lookup functions (E15, E16). The default is the shipped fixture.
    pub directory: Vec<DirectoryTenant>,
    /// Tenant ids of service-provider partners (`isServiceProvider: true`) that exist from the start.
    pub service_provider_partners: Vec<String>,
    /// Which validation rules of graph-api.md §7 are enforced.
    pub rules: ValidationRules,
    /// How PATCH combines a nested value with the stored one.
    pub merge_mode: MergeMode,
    /// What happens to read-only properties in a write body.
    pub read_only_properties: ReadOnlyMode,
    /// What happens to an explicit `null` in a PATCH of the default configuration (undocumented, §6.3).
    pub default_null: DefaultNullMode,
    /// The fresh default configuration's `tenantRestrictions` (sources disagree, §5.1).
    pub default_tenant_restrictions: TenantRestrictionsFixture,
    /// The id of the root policy and of the default configuration.
    pub policy_id: String,
    /// Largest request body accepted; larger bodies get 413.
    pub max_body_bytes: usize,
    /// Check the caller's permissions (§1.1) and answer 403 `Authorization_RequestDenied` when one is missing.
    pub enforce_permissions: bool,
    /// Answer 403 when an app-only caller sends `isServiceProvider` on a partner create (quirk Q9).
    pub forbid_app_only_service_provider: bool,
    /// Status for deleting a service-provider partner: 400 (default) or 403.
    pub service_provider_delete_status: u16,
    /// When set, the HTTP admin surface requires this value in the `X-Emulator-Admin-Key` header.
    pub admin_key: Option<String>,
    /// Reject write bodies whose `Content-Type` is not JSON with 415.
    pub require_json_content_type: bool,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ca_cert_file: None,
            managed_identity_http_listen: None,
            tenant_id: DEFAULT_TENANT_ID.to_owned(),
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            client_certificates: Vec::new(),
            federated_credentials: vec![FederatedCredential::emulator_issuer()],
            extra_apps: Vec::new(),
            trusted_issuers: Vec::new(),
            managed_identity: ManagedIdentity::default(),
            github_request_token: "emulator-github-request-token".to_owned(),
            ado_system_access_token: "emulator-ado-system-access-token".to_owned(),
            token_lifetime: Duration::from_secs(3599),
            page_size: 10,
            faults: Faults::default(),
            seed: 0x5eed,
            directory: crate::directory::default_directory(),
            service_provider_partners: Vec::new(),
            rules: ValidationRules::default(),
            merge_mode: MergeMode::Replace,
            read_only_properties: ReadOnlyMode::Reject,
            default_null: DefaultNullMode::Reject,
            default_tenant_restrictions: TenantRestrictionsFixture::ServiceObject,
            policy_id: DEFAULT_POLICY_ID.to_owned(),
            max_body_bytes: 4 * 1024 * 1024,
            enforce_permissions: true,
            forbid_app_only_service_provider: true,
            service_provider_delete_status: 400,
            admin_key: None,
            require_json_content_type: true,
        }
    }
}

impl EmulatorConfig {
    /// Sets the partners list page size.
    pub fn with_page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Sets the initial faults.
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Sets the fault seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Registers a PEM certificate on the main application.
    pub fn with_client_certificate(mut self, pem: impl Into<String>) -> Self {
        self.client_certificates.push(pem.into());
        self
    }

    /// Adds an application.
    pub fn with_app(mut self, app: AppRegistration) -> Self {
        self.extra_apps.push(app);
        self
    }

    /// Pre-creates a service-provider partner.
    pub fn with_service_provider_partner(mut self, tenant_id: impl Into<String>) -> Self {
        self.service_provider_partners.push(tenant_id.into());
        self
    }

    /// Sets the token lifetime.
    pub fn with_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }
}

/// An application registration: its credentials and the Graph application permissions it was granted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AppRegistration {
    /// Application (client) id.
    pub client_id: String,
    /// Accepted client secrets.
    pub client_secrets: Vec<String>,
    /// PEM certificates accepted for certificate client assertions.
    pub certificates: Vec<String>,
    /// Federated identity credentials.
    pub federated_credentials: Vec<FederatedCredential>,
    /// Granted application permissions, for example [`ROLE_POLICY_READ_ALL`].
    pub roles: Vec<String>,
}

impl AppRegistration {
    /// An application with one secret and the given permissions.
    pub fn with_secret(client_id: impl Into<String>, secret: impl Into<String>, roles: &[&str]) -> Self {
        AppRegistration {
            client_id: client_id.into(),
            client_secrets: vec![secret.into()],
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            ..AppRegistration::default()
        }
    }
}

/// A federated identity credential: which issuer and subject may sign in as the application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FederatedCredential {
    /// The issuer (`iss`). `None` means the emulator's own OIDC issuer.
    pub issuer: Option<String>,
    /// The subject (`sub`). `None` accepts any subject from the issuer.
    pub subject: Option<String>,
    /// The audience (`aud`), normally `api://AzureADTokenExchange`.
    pub audience: String,
}

impl Default for FederatedCredential {
    fn default() -> Self {
        FederatedCredential::emulator_issuer()
    }
}

impl FederatedCredential {
    /// Trusts every subject of the emulator's own OIDC issuer.
    pub fn emulator_issuer() -> Self {
        FederatedCredential { issuer: None, subject: None, audience: TOKEN_EXCHANGE_AUDIENCE.to_owned() }
    }
}

/// An external OIDC issuer and its signing keys (a JWKS document with RSA keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedIssuer {
    /// The `iss` value.
    pub issuer: String,
    /// A JWKS document: `{"keys":[{"kty":"RSA","kid":..,"n":..,"e":..}]}`.
    pub jwks: serde_json::Value,
}

/// The managed identity the emulator serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedIdentity {
    /// The identity's client id (reported in tokens and accepted as `client_id`).
    pub client_id: String,
    /// The secret expected in `X-IDENTITY-HEADER` on the App Service-style endpoint (`IDENTITY_HEADER`).
    pub identity_header: String,
    /// Permissions of the identity.
    pub roles: Vec<String>,
}

impl Default for ManagedIdentity {
    fn default() -> Self {
        ManagedIdentity {
            client_id: "7d0c1a5e-2b3f-4c6d-8e9f-a0b1c2d3e4f5".to_owned(),
            identity_header: "emulator-identity-header".to_owned(),
            roles: ALL_ROLES.iter().map(|r| (*r).to_owned()).collect(),
        }
    }
}

/// A tenant known to the lookup functions, in the shape of the fixture file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryTenant {
    /// Tenant id (GUID).
    pub tenant_id: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Default domain name.
    pub default_domain_name: Option<String>,
    /// Federation brand name.
    #[serde(default)]
    pub federation_brand_name: Option<String>,
    /// Verified domains that find this tenant (the default domain always does).
    #[serde(default)]
    pub domains: Vec<String>,
}

/// The validation rules of graph-api.md §7 the emulator can enforce, each switchable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidationRules {
    /// R1: `usersAndGroups` blocked for `AllUsers` requires `applications` blocked for `AllApplications`.
    pub r1: bool,
    /// R2: `usersAndGroups` allowed forbids `applications` blocked for `AllApplications`.
    pub r2: bool,
    /// R2b (sources disagree, off by default): `applications` blocked for `AllApplications` requires
    /// `usersAndGroups` blocked for `AllUsers`.
    pub r2b: bool,
    /// R3: default inbound settings may only target `AllUsers`.
    pub r3: bool,
    /// R4: default tenant restrictions may only target `AllUsers`.
    pub r4: bool,
    /// R7: partner `tenantId` is required on create and must be a GUID.
    pub r7: bool,
    /// R8: `allowedCloudEndpoints` only holds the documented cloud hosts.
    pub r8: bool,
    /// R11: tenant restrictions for the MSA tenant cannot target specific users or groups.
    pub r11: bool,
    /// R12 (off by default): `tenantRestrictions.devices` is rejected as unsupported server-side.
    pub r12: bool,
    /// R13: enum values must be members.
    pub r13: bool,
    /// R14: targets match their container (`user`/`group` in `usersAndGroups`, `application` in `applications`)
    /// and the keywords pair with their type.
    pub r14: bool,
    /// R15: invitation redemption providers are valid for their position.
    pub r15: bool,
    /// R16: property names are exact and case-sensitive.
    pub r16: bool,
    /// R17: a partner with an identity synchronization policy cannot be deleted.
    pub r17: bool,
    /// R18: a service-provider partner cannot be deleted.
    pub r18: bool,
    /// R21 (off by default): the legacy 25 KB cap on the whole policy.
    pub r21: bool,
}

impl Default for ValidationRules {
    fn default() -> Self {
        ValidationRules {
            r1: true,
            r2: true,
            r2b: false,
            r3: true,
            r4: true,
            r7: true,
            r8: true,
            r11: true,
            r12: false,
            r13: true,
            r14: true,
            r15: true,
            r16: true,
            r17: true,
            r18: true,
            r21: false,
        }
    }
}

impl ValidationRules {
    /// Turns one rule on or off by its graph-api.md name (`"R1"`, `"r2b"`, ...). Returns false for unknown names.
    pub fn set(&mut self, rule: &str, enabled: bool) -> bool {
        let slot = match rule.to_ascii_lowercase().as_str() {
            "r1" => &mut self.r1,
            "r2" => &mut self.r2,
            "r2b" => &mut self.r2b,
            "r3" => &mut self.r3,
            "r4" => &mut self.r4,
            "r7" => &mut self.r7,
            "r8" => &mut self.r8,
            "r11" => &mut self.r11,
            "r12" => &mut self.r12,
            "r13" => &mut self.r13,
            "r14" => &mut self.r14,
            "r15" => &mut self.r15,
            "r16" => &mut self.r16,
            "r17" => &mut self.r17,
            "r18" => &mut self.r18,
            "r21" => &mut self.r21,
            _ => return false,
        };
        *slot = enabled;
        true
    }

    /// Every rule off.
    pub fn none() -> Self {
        ValidationRules {
            r1: false,
            r2: false,
            r2b: false,
            r3: false,
            r4: false,
            r7: false,
            r8: false,
            r11: false,
            r12: false,
            r13: false,
            r14: false,
            r15: false,
            r16: false,
            r17: false,
            r18: false,
            r21: false,
        }
    }
}

/// How a PATCH combines a top-level complex property with the stored value (graph-api.md §6.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeMode {
    /// Each property named in the body replaces the stored value wholesale (the documented top-level rule).
    #[default]
    Replace,
    /// Nested objects merge property by property; collections and nulls still replace.
    DeepMerge,
}

/// What happens to read-only properties in a write body (R5, R6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadOnlyMode {
    /// 400 `Request_BadRequest`.
    #[default]
    Reject,
    /// Dropped silently.
    Ignore,
}

/// What happens to an explicit `null` in a PATCH of the default configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultNullMode {
    /// 400 `Request_BadRequest`.
    #[default]
    Reject,
    /// The property keeps its value.
    Ignore,
}

/// The fresh default configuration's `tenantRestrictions` value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantRestrictionsFixture {
    /// The service object of the graph-api.md §5.1 capture (all blocked).
    #[default]
    ServiceObject,
    /// `null`: no tenant-restrictions policy was ever created.
    Null,
}
