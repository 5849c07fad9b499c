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
/// Reading applications and service principals (graph-sync-and-mto.md A.7).
pub const ROLE_APPLICATION_READ_ALL: &str = "Application.Read.All";
/// Creating (template instantiate) and deleting applications and service principals.
pub const ROLE_APPLICATION_READ_WRITE_ALL: &str = "Application.ReadWrite.All";
/// Reading synchronization jobs, schemas, templates and secrets.
pub const ROLE_SYNCHRONIZATION_READ_ALL: &str = "Synchronization.Read.All";
/// Changing synchronization jobs, schemas and secrets, and the connection test.
pub const ROLE_SYNCHRONIZATION_READ_WRITE_ALL: &str = "Synchronization.ReadWrite.All";
/// Assigning users and groups to an application's roles.
pub const ROLE_APP_ROLE_ASSIGNMENT_READ_WRITE_ALL: &str = "AppRoleAssignment.ReadWrite.All";
/// Reading users and groups.
pub const ROLE_DIRECTORY_READ_ALL: &str = "Directory.Read.All";
/// Reading the multi-tenant organization, its tenants and the join request (graph-sync-and-mto.md B.2).
pub const ROLE_MULTI_TENANT_ORGANIZATION_READ_ALL: &str = "MultiTenantOrganization.Read.All";
/// Creating and changing the multi-tenant organization, its tenants and the join request.
pub const ROLE_MULTI_TENANT_ORGANIZATION_READ_WRITE_ALL: &str = "MultiTenantOrganization.ReadWrite.All";

/// Every permission the emulator knows; the default application of every tenant holds all of them.
pub const ALL_ROLES: [&str; 11] = [
    ROLE_POLICY_READ_ALL,
    ROLE_POLICY_READ_WRITE_CROSS_TENANT_ACCESS,
    ROLE_CROSS_TENANT_INFORMATION_READ_BASIC_ALL,
    ROLE_APPLICATION_READ_ALL,
    ROLE_APPLICATION_READ_WRITE_ALL,
    ROLE_SYNCHRONIZATION_READ_ALL,
    ROLE_SYNCHRONIZATION_READ_WRITE_ALL,
    ROLE_APP_ROLE_ASSIGNMENT_READ_WRITE_ALL,
    ROLE_DIRECTORY_READ_ALL,
    ROLE_MULTI_TENANT_ORGANIZATION_READ_ALL,
    ROLE_MULTI_TENANT_ORGANIZATION_READ_WRITE_ALL,
];

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
/// The first tenant's display name when none is configured (what the lookup functions answer for it).
pub const DEFAULT_TENANT_DISPLAY_NAME: &str = "Emulated Tenant";
/// The first tenant's default domain when none is configured.
pub const DEFAULT_TENANT_DOMAIN: &str = "emulator.onmicrosoft.com";
/// How many tenants an emulator hosts unless told otherwise (interface.md §8, Wave 2).
pub const DEFAULT_TENANT_COUNT: usize = 2;

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
    /// The first tenant's display name (lookup functions, state file).
    pub tenant_display_name: String,
    /// The first tenant's default domain name (lookup functions, user principal names, state file).
    pub tenant_default_domain_name: String,
    /// The first tenant's users (fixed ids; see [`default_users`]).
    pub users: Vec<DirectoryObjectFixture>,
    /// The first tenant's groups (fixed ids; see [`default_groups`]).
    pub groups: Vec<DirectoryObjectFixture>,
    /// The other tenants hosted in the same process (tenant 2, 3, ...), each with its own credentials, cross-tenant
    /// access policy, users, groups, applications and synchronization jobs. The default holds tenant 2 of
    /// [`emulated_tenant`].
    pub other_tenants: Vec<TenantConfig>,
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
    /// Page size of the partner and `appRoleAssignedTo` listings when the client sends no `$top`; small so that
    /// clients must page.
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
            tenant_display_name: DEFAULT_TENANT_DISPLAY_NAME.to_owned(),
            tenant_default_domain_name: DEFAULT_TENANT_DOMAIN.to_owned(),
            users: default_users(1),
            groups: default_groups(1),
            other_tenants: (2..=DEFAULT_TENANT_COUNT).map(emulated_tenant).collect(),
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
    /// Sets the page size of the partner and `appRoleAssignedTo` listings.
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

    /// Hosts `count` tenants (at least one): the first one configured by the `tenant_id`, `client_id`, ... fields,
    /// the others by [`emulated_tenant`].
    pub fn with_tenants(mut self, count: usize) -> Self {
        self.other_tenants = (2..=count.max(1)).map(emulated_tenant).collect();
        self
    }

    /// Hosts exactly these tenants: the first replaces the first tenant's identity, users and groups, the rest
    /// become [`EmulatorConfig::other_tenants`]. An empty list changes nothing.
    pub fn with_tenant_list(mut self, tenants: Vec<TenantConfig>) -> Self {
        let mut tenants = tenants.into_iter();
        if let Some(first) = tenants.next() {
            self.tenant_id = first.tenant_id;
            self.client_id = first.client_id;
            self.client_secret = first.client_secret;
            self.tenant_display_name = first.display_name;
            self.tenant_default_domain_name = first.default_domain_name;
            self.users = first.users;
            self.groups = first.groups;
            self.other_tenants = tenants.collect();
        }
        self
    }

    /// Every hosted tenant, the first one first, in the shape of the state file's `tenants`.
    pub fn tenants(&self) -> Vec<TenantConfig> {
        let first = TenantConfig {
            tenant_id: self.tenant_id.to_ascii_lowercase(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            display_name: self.tenant_display_name.clone(),
            default_domain_name: self.tenant_default_domain_name.clone(),
            users: self.users.clone(),
            groups: self.groups.clone(),
        };
        std::iter::once(first).chain(self.other_tenants.iter().cloned()).collect()
    }
}

/// One emulated tenant: its identity, the credentials of its application (which holds every permission in
/// [`ALL_ROLES`]) and its directory objects. This is also the shape of each entry of the state file's `tenants` and of
/// a `--tenants-file`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    /// The tenant id (GUID); tokens are issued on `/{tenant_id}/oauth2/v2.0/token`.
    pub tenant_id: String,
    /// Its application's client id.
    pub client_id: String,
    /// Its application's client secret.
    pub client_secret: String,
    /// Display name (lookup functions).
    pub display_name: String,
    /// Default domain name (lookup functions, user principal names).
    pub default_domain_name: String,
    /// Users that exist from the start.
    #[serde(default)]
    pub users: Vec<DirectoryObjectFixture>,
    /// Groups that exist from the start.
    #[serde(default)]
    pub groups: Vec<DirectoryObjectFixture>,
}

/// A user or group that exists from the start, with a fixed id so that examples and tests can name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryObjectFixture {
    /// Object id (GUID).
    pub id: String,
    /// Display name.
    pub display_name: String,
}

impl DirectoryObjectFixture {
    /// A fixture object.
    pub fn new(id: impl Into<String>, display_name: impl Into<String>) -> Self {
        DirectoryObjectFixture { id: id.into(), display_name: display_name.into() }
    }
}

/// The users every tenant `n` (1-based) starts with: `Adele Vance`, `Alex Wilber` and `Megan Bowen`, with ids
/// `a5e40000-000n-4000-8000-000000000001` to `...-000000000003` (`n` in hex, four digits).
pub fn default_users(tenant: usize) -> Vec<DirectoryObjectFixture> {
    ["Adele Vance", "Alex Wilber", "Megan Bowen"]
        .iter()
        .enumerate()
        .map(|(i, name)| DirectoryObjectFixture::new(fixed_id("a5e40000", tenant, i + 1), *name))
        .collect()
}

/// The groups every tenant `n` (1-based) starts with: `Sales` and `Engineering`, with ids
/// `96a00000-000n-4000-8000-000000000001` and `...-000000000002`.
pub fn default_groups(tenant: usize) -> Vec<DirectoryObjectFixture> {
    ["Sales", "Engineering"]
        .iter()
        .enumerate()
        .map(|(i, name)| DirectoryObjectFixture::new(fixed_id("96a00000", tenant, i + 1), *name))
        .collect()
}

fn fixed_id(prefix: &str, tenant: usize, item: usize) -> String {
    format!("{prefix}-{:04x}-4000-8000-{item:012x}", tenant & 0xffff)
}

/// The default configuration of tenant `n` ≥ 2: tenant id `7e4a0000-0000-4000-8000-00000000000n`, client id
/// `c1e40000-0000-4000-8000-00000000000n` (`n` in hex, twelve digits), client secret
/// `emu~tenant-n.client-secret-for-local-tests-only`, display name `Emulated Tenant n`, domain
/// `emulator-n.onmicrosoft.com`, and the [`default_users`] and [`default_groups`] of `n`.
pub fn emulated_tenant(tenant: usize) -> TenantConfig {
    TenantConfig {
        tenant_id: format!("7e4a0000-0000-4000-8000-{tenant:012x}"),
        client_id: format!("c1e40000-0000-4000-8000-{tenant:012x}"),
        client_secret: format!("emu~tenant-{tenant}.client-secret-for-local-tests-only"),
        display_name: format!("Emulated Tenant {tenant}"),
        default_domain_name: format!("emulator-{tenant}.onmicrosoft.com"),
        users: default_users(tenant),
        groups: default_groups(tenant),
    }
}

/// Parses a tenants file: `{"tenants":[{"tenant_id","client_id","client_secret","display_name",
/// "default_domain_name","users":[{"id","display_name"}],"groups":[...]}]}` (the state file's shape; its other keys
/// are ignored), or a bare list of such tenants.
pub fn parse_tenants(json: &str) -> anyhow::Result<Vec<TenantConfig>> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| anyhow::anyhow!("the tenants file is not valid JSON: {e}"))?;
    let list = match value {
        serde_json::Value::Object(mut map) => {
            map.remove("tenants").ok_or_else(|| anyhow::anyhow!("the tenants file has no 'tenants' list"))?
        }
        list => list,
    };
    let tenants: Vec<TenantConfig> =
        serde_json::from_value(list).map_err(|e| anyhow::anyhow!("the tenants file is not valid: {e}"))?;
    if tenants.is_empty() {
        anyhow::bail!("the tenants file lists no tenant");
    }
    Ok(tenants)
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
