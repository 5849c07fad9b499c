//! What the reliability tests share: a fleet of partners (with identity synchronization, the default configuration
//! and the tenant-wide policy) in two versions, applying it to convergence, and the check that Terraform's state and
//! the emulator's store hold the same objects, with nothing orphaned on either side.

#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, BTreeSet};

use acceptance_tests::entra::EmulatorEnv;
use acceptance_tests::{State, WorkDir};
use serde_json::Value as Json;

/// The fleet's size, and how many partners have an identity synchronization policy.
#[derive(Debug, Clone, Copy)]
pub struct Fleet {
    /// Partner configurations.
    pub partners: usize,
    /// The first `syncs` partners also get an `entra_cross_tenant_identity_sync`.
    pub syncs: usize,
}

/// Which version of the fleet's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// The first apply.
    Initial,
    /// Settings changed, some reverted to inherit, two partners removed and two added, a sync policy changed and
    /// one removed, the default and the policy changed.
    Updated,
}

/// A partner tenant id of the fleet (valid GUIDs, distinct from the directory fixture's tenants).
pub fn tenant(n: usize) -> String {
    format!("{:08x}-5eed-4a11-8b0c-{:012x}", 0xfa00_0000_u32 as usize + n, n)
}

/// A group object id used in targets; `upper` spells it in capitals (GUIDs compare ignoring case).
fn group(n: usize, upper: bool) -> String {
    let id = format!("{:08x}-6f54-4da5-8b53-09ea0cef9971", 0x6f54_0000_u32 as usize + n);
    if upper { id.to_ascii_uppercase() } else { id }
}

const ALL_USERS: &str = r#"{ access_type = "allowed", targets = [{ target = "AllUsers", target_type = "user" }] }"#;
const ALL_APPS: &str =
    r#"{ access_type = "allowed", targets = [{ target = "AllApplications", target_type = "application" }] }"#;

/// The settings of partner `n` in `version`: four shapes in turn, so every kind of nested setting is exercised.
fn partner_settings(n: usize, version: Version) -> String {
    let updated = version == Version::Updated;
    match (n % 4, updated && n.is_multiple_of(3)) {
        // Updated partners whose number divides by three go back to inheriting everything.
        (_, true) => String::new(),
        (0, false) => format!(
            "  inbound_trust = {{\n    is_mfa_accepted = true\n    is_compliant_device_accepted = {}\n  }}\n",
            if updated { "false" } else { "true" }
        ),
        (1, false) => format!(
            "  automatic_user_consent_settings = {{\n    inbound_allowed = true\n  }}\n  b2b_collaboration_inbound = \
             {{\n    users_and_groups = {ALL_USERS}\n    applications = {}\n  }}\n",
            if updated {
                r#"{ access_type = "allowed", targets = [{ target = "Office365", target_type = "application" }] }"#
            } else {
                ALL_APPS
            }
        ),
        (2, false) => {
            let mut groups = vec![group(n, true), group(n + 100, false)];
            if updated {
                groups.push(group(n + 200, false));
            }
            let targets: Vec<String> =
                groups.iter().map(|g| format!("{{ target = \"{g}\", target_type = \"group\" }}")).collect();
            format!(
                "  b2b_collaboration_outbound = {{\n    users_and_groups = {{ access_type = \"allowed\", targets = \
                 [{}] }}\n    applications = {ALL_APPS}\n  }}\n",
                targets.join(", ")
            )
        }
        _ => format!(
            "  b2b_direct_connect_inbound = {{\n    users_and_groups = {ALL_USERS}\n    applications = {ALL_APPS}\n  \
             }}\n  tenant_restrictions = {{\n    users_and_groups = {ALL_USERS}\n    applications = {ALL_APPS}\n    \
             devices = {{\n      mode = \"{}\"\n      rule = \"device.trustType -eq \\\"ServerAD\\\"\"\n    }}\n  }}\n",
            if updated { "blocked" } else { "allowed" }
        ),
    }
}

/// Which partners exist in `version`: the updated fleet drops the first two and adds two at the end.
pub fn partner_numbers(fleet: Fleet, version: Version) -> Vec<usize> {
    match version {
        Version::Initial => (0..fleet.partners).collect(),
        Version::Updated => (2..fleet.partners + 2).collect(),
    }
}

/// Which partners have an identity synchronization policy in `version` (the updated fleet loses the first two
/// with their partners, and one more).
pub fn sync_numbers(fleet: Fleet, version: Version) -> Vec<usize> {
    match version {
        Version::Initial => (0..fleet.syncs).collect(),
        Version::Updated => (3..fleet.syncs).collect(),
    }
}

/// The whole configuration of the fleet in `version`.
pub fn fleet_config(fleet: Fleet, version: Version) -> String {
    let updated = version == Version::Updated;
    let mut hcl = String::new();
    for n in partner_numbers(fleet, version) {
        hcl.push_str(&format!(
            "resource \"entra_cross_tenant_partner\" \"p{n}\" {{\n  tenant_id = \"{}\"\n{}}}\n\n",
            tenant(n),
            partner_settings(n, version)
        ));
    }
    for n in sync_numbers(fleet, version) {
        let name = if updated && n % 2 == 0 { format!("Partner {n} (renamed)") } else { format!("Partner {n}") };
        hcl.push_str(&format!(
            "resource \"entra_cross_tenant_identity_sync\" \"s{n}\" {{\n  tenant_id    = \
             entra_cross_tenant_partner.p{n}.tenant_id\n  display_name = \"{name}\"\n  user_sync_inbound = {{\n    \
             is_sync_allowed = {}\n  }}\n}}\n\n",
            !(updated && n % 2 == 1)
        ));
    }
    let default_inbound_trust = if updated { "true" } else { "false" };
    hcl.push_str(&format!(
        "resource \"entra_cross_tenant_default\" \"this\" {{\n  reset_on_destroy = true\n  inbound_trust = {{\n    \
         is_mfa_accepted = true\n    is_compliant_device_accepted = {default_inbound_trust}\n  }}\n}}\n\n"
    ));
    let clouds =
        if updated { r#"["microsoftonline.us", "partner.microsoftonline.cn"]"# } else { r#"["microsoftonline.us"]"# };
    hcl.push_str(&format!(
        "resource \"entra_cross_tenant_access_policy\" \"this\" {{\n  reset_on_destroy        = true\n  \
         allowed_cloud_endpoints = {clouds}\n}}\n"
    ));
    hcl
}

/// Terraform's address of partner `n`.
pub fn partner_address(n: usize) -> String {
    format!("entra_cross_tenant_partner.p{n}")
}

/// `terraform apply`, then both plans (with and without refresh) must be empty. Returns what the apply printed.
pub fn apply_converges(workdir: &mut WorkDir, what: &str, extra: &[&str]) -> Result<String, String> {
    workdir.init();
    let mut args = vec!["apply", "-input=false", "-no-color", "-lock=false", "-auto-approve"];
    args.extend_from_slice(extra);
    let output = workdir.terraform(&args);
    if !output.success() {
        return Err(format!("{what}: apply failed:\n{output}"));
    }
    workdir.plan_is_empty(true).map_err(|e| format!("{what}: after apply, {e}"))?;
    workdir.plan_is_empty(false).map_err(|e| format!("{what}: after apply, {e}"))?;
    Ok(output.combined())
}

/// Partners and identity synchronization policies the emulator holds that the state does not know, as
/// `section/tenant id`.
pub fn orphans(state: &State, env: &EmulatorEnv) -> Vec<String> {
    let store = env.emulator().state();
    let mut found = Vec::new();
    for (type_name, section) in
        [("entra_cross_tenant_partner", "partners"), ("entra_cross_tenant_identity_sync", "identitySynchronization")]
    {
        let known = state_objects(state, type_name);
        for key in store[section].as_object().into_iter().flat_map(|objects| objects.keys()) {
            if !known.contains_key(&key.to_ascii_lowercase()) {
                found.push(format!("{section}/{key}"));
            }
        }
    }
    found
}

/// Graph's property name for a Terraform attribute name (written independently of the provider's table, so a
/// mistake there shows here).
fn graph_name(attribute: &str) -> String {
    if attribute == "is_hybrid_azure_ad_joined_device_accepted" {
        return "isHybridAzureADJoinedDeviceAccepted".to_owned();
    }
    let mut out = String::new();
    let mut upper = false;
    for c in attribute.chars() {
        match (c, upper) {
            ('_', _) => upper = true,
            (c, true) => {
                out.push(c.to_ascii_uppercase());
                upper = false;
            }
            (c, false) => out.push(c),
        }
    }
    out
}

fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Whether Graph's JSON counts as unset: null, absent, or an object of nulls (Graph's form of unset flags).
fn unset(graph: Option<&Json>) -> bool {
    match graph {
        None | Some(Json::Null) => true,
        Some(Json::Object(members)) => members.values().all(|v| unset(Some(v))),
        Some(_) => false,
    }
}

/// Differences between a Terraform value (as `show -json` prints it) and Graph's JSON for it, as paths. Every
/// attribute of the Terraform value is compared with the Graph property of the same name; sets compare as
/// multisets; GUIDs ignore case.
fn differences(path: &str, state: &Json, graph: Option<&Json>, out: &mut Vec<String>) {
    match (state, graph) {
        (Json::Null, graph) => {
            if !unset(graph) {
                out.push(format!("{path}: null in the state, {} in Graph", graph.unwrap_or(&Json::Null)));
            }
        }
        (Json::Object(members), Some(Json::Object(graph_members))) => {
            for (name, value) in members {
                differences(&format!("{path}.{name}"), value, graph_members.get(&graph_name(name)), out);
            }
        }
        (Json::Array(items), Some(Json::Array(graph_items))) => {
            let mut unmatched: Vec<&Json> = graph_items.iter().collect();
            let all_matched = items.len() == graph_items.len()
                && items.iter().all(|item| {
                    let found = unmatched.iter().position(|candidate| {
                        let mut scratch = Vec::new();
                        differences("", item, Some(candidate), &mut scratch);
                        scratch.is_empty()
                    });
                    found.map(|i| unmatched.swap_remove(i)).is_some()
                });
            if !all_matched {
                out.push(format!("{path}: {state} in the state, {} in Graph", Json::Array(graph_items.clone())));
            }
        }
        (Json::String(a), Some(Json::String(b))) if is_guid(a) && is_guid(b) => {
            if !a.eq_ignore_ascii_case(b) {
                out.push(format!("{path}: {a} in the state, {b} in Graph"));
            }
        }
        (state, Some(graph)) if state == graph => {}
        (state, graph) => {
            out.push(format!("{path}: {state} in the state, {} in Graph", graph.unwrap_or(&Json::Null)));
        }
    }
}

/// The values of every resource of `type_name` in the state, keyed by their lowercase tenant id (or `id`).
fn state_objects(state: &State, type_name: &str) -> BTreeMap<String, Json> {
    state
        .resources()
        .into_iter()
        .filter(|r| r["type"] == type_name)
        .map(|r| {
            let values = r["values"].clone();
            let key = values["tenant_id"].as_str().or(values["id"].as_str()).unwrap_or_default().to_ascii_lowercase();
            (key, values)
        })
        .collect()
}

/// The state minus what is configuration only or Terraform's own (`id`, `timeouts`, `reset_on_destroy`).
fn comparable(values: &Json) -> Json {
    let mut values = values.clone();
    if let Json::Object(members) = &mut values {
        for name in ["id", "timeouts", "reset_on_destroy"] {
            members.remove(name);
        }
    }
    values
}

/// Checks that Terraform's state and the emulator's store hold the same objects: every partner and identity
/// synchronization policy in one is in the other (nothing orphaned, nothing missing) with the same settings, and
/// the default configuration and the policy hold what the state says.
pub fn state_matches_emulator(state: &State, env: &EmulatorEnv) -> Result<(), String> {
    let store = env.emulator().state();
    let mut problems = Vec::new();
    for (type_name, section) in
        [("entra_cross_tenant_partner", "partners"), ("entra_cross_tenant_identity_sync", "identitySynchronization")]
    {
        let in_state = state_objects(state, type_name);
        let in_graph: BTreeMap<String, Json> = store[section]
            .as_object()
            .map(|objects| objects.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect())
            .unwrap_or_default();
        let state_keys: BTreeSet<&String> = in_state.keys().collect();
        let graph_keys: BTreeSet<&String> = in_graph.keys().collect();
        for orphan in graph_keys.difference(&state_keys) {
            problems.push(format!("orphaned {type_name}: {orphan} exists in Graph but not in the state"));
        }
        for missing in state_keys.difference(&graph_keys) {
            problems.push(format!("{type_name} {missing} is in the state but not in Graph"));
        }
        for (key, values) in &in_state {
            if let Some(graph) = in_graph.get(key) {
                differences(&format!("{type_name}[{key}]"), &comparable(values), Some(graph), &mut problems);
            }
        }
    }
    for (type_name, section) in
        [("entra_cross_tenant_default", "default"), ("entra_cross_tenant_access_policy", "policy")]
    {
        for values in state_objects(state, type_name).values() {
            differences(type_name, &comparable(values), Some(&store[section]), &mut problems);
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
}

/// Checks that the emulator is back to a fresh tenant: no partners, no identity synchronization policies, the
/// default configuration reset to the service default and no allowed cloud endpoints (the fleet's singletons reset
/// on destroy).
pub fn nothing_left(env: &EmulatorEnv) -> Result<(), String> {
    let store = env.emulator().state();
    let mut problems = Vec::new();
    for section in ["partners", "identitySynchronization"] {
        if let Some(objects) = store[section].as_object().filter(|o| !o.is_empty()) {
            problems.push(format!("{section} left after destroy: {:?}", objects.keys().collect::<Vec<_>>()));
        }
    }
    if store["default"]["isServiceDefault"] != Json::Bool(true) {
        problems.push(format!("the default configuration was not reset: {}", store["default"]));
    }
    if store["policy"]["allowedCloudEndpoints"] != Json::Array(Vec::new()) {
        problems.push(format!("allowed cloud endpoints left: {}", store["policy"]["allowedCloudEndpoints"]));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_comparison() {
        assert_eq!(graph_name("b2b_collaboration_inbound"), "b2bCollaborationInbound");
        assert_eq!(graph_name("m365_collaboration_inbound"), "m365CollaborationInbound");
        let mut out = Vec::new();
        differences(
            "x",
            &json!({"automatic_user_consent_settings": null, "targets": [{"target": "AB000000-0000-0000-0000-000000000000"}, {"target": "AllUsers"}]}),
            Some(
                &json!({"automaticUserConsentSettings": {"inboundAllowed": null}, "targets": [{"target": "AllUsers"}, {"target": "ab000000-0000-0000-0000-000000000000"}]}),
            ),
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        differences("x", &json!({"a": true}), Some(&json!({"a": false})), &mut out);
        assert_eq!(out.len(), 1);
    }
}
