//! The tenant directory behind findTenantInformationByDomainName / ByTenantId (E15, E16).
//!
//! The shipped fixture (`fixtures/directory.json`) holds Contoso (the documented example), Fabrikam, Truesec Detect
//! AB, OSTTRA (found by `sso.osttra.com`) and the Microsoft Accounts tenant. Tenant ids other than Contoso's,
//! Truesec Detect's and the MSA tenant's are made up for tests.

use serde::Deserialize;

use crate::config::DirectoryTenant;

/// The fixture file shipped with the crate.
pub const DEFAULT_DIRECTORY_JSON: &str = include_str!("../fixtures/directory.json");

#[derive(Deserialize)]
struct DirectoryFile {
    tenants: Vec<DirectoryTenant>,
}

/// Parses a directory fixture: `{"tenants":[{"tenantId","displayName","defaultDomainName","federationBrandName",
/// "domains":[...]}]}`.
pub fn parse_directory(json: &str) -> anyhow::Result<Vec<DirectoryTenant>> {
    let file: DirectoryFile =
        serde_json::from_str(json).map_err(|e| anyhow::anyhow!("the directory fixture is not valid: {e}"))?;
    for tenant in &file.tenants {
        if !crate::odata::is_guid(&tenant.tenant_id) {
            anyhow::bail!("the directory fixture has a tenantId that is not a GUID: '{}'", tenant.tenant_id);
        }
    }
    Ok(file.tenants)
}

/// The shipped directory.
pub fn default_directory() -> Vec<DirectoryTenant> {
    // The fixture is compiled in and covered by a test, so it always parses.
    parse_directory(DEFAULT_DIRECTORY_JSON).unwrap_or_default()
}

/// Finds a tenant by one of its domains (case-insensitive).
pub(crate) fn find_by_domain<'a>(directory: &'a [DirectoryTenant], domain: &str) -> Option<&'a DirectoryTenant> {
    directory.iter().find(|t| {
        t.default_domain_name.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(domain))
            || t.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
    })
}

/// Finds a tenant by id (case-insensitive).
pub(crate) fn find_by_id<'a>(directory: &'a [DirectoryTenant], tenant_id: &str) -> Option<&'a DirectoryTenant> {
    directory.iter().find(|t| t.tenant_id.eq_ignore_ascii_case(tenant_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_fixture_parses_and_has_the_required_tenants() {
        let directory = parse_directory(DEFAULT_DIRECTORY_JSON).unwrap();
        let truesec = find_by_domain(&directory, "TRUESECDETECT.IO").unwrap();
        assert_eq!(truesec.tenant_id, "07d2f395-f69c-43ab-88a2-b82f1151042d");
        assert_eq!(truesec.display_name.as_deref(), Some("Truesec Detect AB"));
        assert_eq!(find_by_domain(&directory, "sso.osttra.com").unwrap().display_name.as_deref(), Some("OSTTRA"));
        assert!(find_by_domain(&directory, "contoso.com").is_some());
        assert!(find_by_domain(&directory, "fabrikam.com").is_some());
        assert!(find_by_id(&directory, "6BABCAAD-604B-40AC-A9D7-9FD97C0B779F").is_some());
    }

    #[test]
    fn invalid_fixtures_are_rejected() {
        assert!(parse_directory("{}").is_err());
        assert!(
            parse_directory(r#"{"tenants":[{"tenantId":"x","displayName":null,"defaultDomainName":null}]}"#).is_err()
        );
    }
}
