//! `cargo xtask sweep`: removes what an interrupted live run of the acceptance suite left in a tenant.
//!
//! Live runs (`ENTRA_ACC_LIVE=1`, see CONTRIBUTING.md) create partner configurations and identity synchronization
//! policies only for the documented test partner tenants (`acceptance_tests::live::TEST_PARTNER_TENANTS`), and the
//! sweep looks at those tenants and nothing else. It authenticates exactly as the provider does, from the `ARM_*`
//! variables. Without `--yes` it only lists what it would remove.

use std::collections::BTreeMap;

use acceptance_tests::live::{Leftover, TenantClient, sweep};

/// Lists (or, with `remove`, deletes) the test partners' leftovers in the tenant the `ARM_*` variables of `env`
/// name, reporting each on stderr.
///
/// # Errors
/// When the credentials cannot be used, Graph fails, or a test partner is the tenant's service provider.
pub fn run(env: &BTreeMap<String, String>, remove: bool) -> Result<Vec<Leftover>, String> {
    let client = TenantClient::from_env(env)?;
    let tenant = env.get("ARM_TENANT_ID").map_or("(from the credential)", String::as_str);
    eprintln!("sweeping tenant {tenant} through {}", client.base_url());
    let found = sweep(&client, remove)?;
    for leftover in &found {
        eprintln!("{} {leftover}", if remove { "removed" } else { "would remove" });
    }
    match (found.len(), remove) {
        (0, _) => eprintln!("nothing left behind by live runs"),
        (n, true) => eprintln!("removed {n} objects"),
        (n, false) => eprintln!("{n} objects would be removed; run `cargo xtask sweep --yes` to remove them"),
    }
    Ok(found)
}
