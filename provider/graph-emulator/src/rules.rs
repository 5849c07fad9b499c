//! Validation rules of graph-api.md §7 that look at values (R1–R4, R8, R11, R12, R14, R15).
//!
//! Names and JSON types (R13, R16) are checked while reading the body (see `schema`); lifecycle rules (R17–R19)
//! live with the handlers. The service's error codes for these rules are undocumented, so every failure is
//! 400 `Request_BadRequest` with a message that names the property, as §7 recommends.

use serde_json::Value;

use crate::config::ValidationRules;
use crate::error::GraphError;
use crate::store::Object;

/// The Microsoft Accounts tenant (graph-api.md §4, R11).
pub(crate) const MSA_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// The documented `allowedCloudEndpoints` values (R8).
const CLOUD_ENDPOINTS: [&str; 3] = ["microsoftonline.com", "microsoftonline.us", "partner.microsoftonline.cn"];

/// Properties holding a B2B setting (`usersAndGroups` + `applications`), where R1, R2 and R2b apply.
const B2B_PROPERTIES: [&str; 5] = [
    "b2bCollaborationInbound",
    "b2bCollaborationOutbound",
    "b2bDirectConnectInbound",
    "b2bDirectConnectOutbound",
    "tenantRestrictions",
];

/// Checks the root policy's `allowedCloudEndpoints` (R8).
pub(crate) fn check_policy(patch: &Object, rules: &ValidationRules) -> Result<(), GraphError> {
    if !rules.r8 {
        return Ok(());
    }
    if let Some(Value::Array(endpoints)) = patch.get("allowedCloudEndpoints") {
        for endpoint in endpoints {
            let endpoint = endpoint.as_str().unwrap_or_default();
            if !CLOUD_ENDPOINTS.contains(&endpoint) {
                return Err(GraphError::bad_request(format!(
                    "Invalid value '{endpoint}' in allowedCloudEndpoints. Allowed values are: {}.",
                    CLOUD_ENDPOINTS.join(", ")
                )));
            }
        }
    }
    Ok(())
}

/// Checks the properties of the default configuration that a PATCH touched, as they will be stored.
pub(crate) fn check_default(merged: &Object, touched: &[String], rules: &ValidationRules) -> Result<(), GraphError> {
    check_settings(merged, touched, rules)?;
    for (property, container) in
        [("b2bCollaborationInbound", "usersAndGroups"), ("b2bDirectConnectInbound", "usersAndGroups")]
    {
        if rules.r3 && touched.iter().any(|t| t == property) {
            only_all_users(
                merged,
                property,
                container,
                "Default inbound settings cannot target specific users or groups",
            )?;
        }
    }
    if rules.r4 && touched.iter().any(|t| t == "tenantRestrictions") {
        only_all_users(
            merged,
            "tenantRestrictions",
            "usersAndGroups",
            "Default tenant restrictions cannot target specific users or groups",
        )?;
    }
    if rules.r15 && touched.iter().any(|t| t == "invitationRedemptionIdentityProviderConfiguration") {
        check_invitation_redemption(merged.get("invitationRedemptionIdentityProviderConfiguration"))?;
    }
    Ok(())
}

/// Checks the properties of a partner that a POST or PATCH touched, as they will be stored.
pub(crate) fn check_partner(
    tenant_id: &str,
    merged: &Object,
    touched: &[String],
    rules: &ValidationRules,
) -> Result<(), GraphError> {
    check_settings(merged, touched, rules)?;
    if rules.r11 && tenant_id.eq_ignore_ascii_case(MSA_TENANT_ID) && touched.iter().any(|t| t == "tenantRestrictions") {
        only_all_users(
            merged,
            "tenantRestrictions",
            "usersAndGroups",
            "Tenant restrictions for the Microsoft Accounts tenant cannot target specific users or groups",
        )?;
    }
    Ok(())
}

/// Checks the B2B settings of an MTO partner template that a PATCH touched.
pub(crate) fn check_template(merged: &Object, touched: &[String], rules: &ValidationRules) -> Result<(), GraphError> {
    check_settings(merged, touched, rules)
}

/// R1, R2, R2b, R12 and R14 over every touched setting.
fn check_settings(merged: &Object, touched: &[String], rules: &ValidationRules) -> Result<(), GraphError> {
    for property in touched {
        let Some(Value::Object(setting)) = merged.get(property) else {
            continue;
        };
        if B2B_PROPERTIES.contains(&property.as_str()) {
            check_b2b_setting(property, setting, rules)?;
        }
        if rules.r12 && property == "tenantRestrictions" && setting.get("devices").is_some_and(|d| !d.is_null()) {
            return Err(GraphError::bad_request(
                "Invalid tenantRestrictions: 'devices' is not supported by the service yet.",
            ));
        }
        if rules.r14 {
            for (container, value) in setting {
                if let Value::Object(configuration) = value {
                    check_targets(property, container, configuration)?;
                }
            }
        }
    }
    Ok(())
}

fn access_type(configuration: Option<&Value>) -> Option<&str> {
    configuration?.get("accessType")?.as_str()
}

fn targets_include(configuration: Option<&Value>, keyword: &str) -> bool {
    configuration
        .and_then(|c| c.get("targets"))
        .and_then(Value::as_array)
        .is_some_and(|targets| targets.iter().any(|t| t.get("target").and_then(Value::as_str) == Some(keyword)))
}

fn check_b2b_setting(property: &str, setting: &Object, rules: &ValidationRules) -> Result<(), GraphError> {
    let users = setting.get("usersAndGroups").filter(|v| v.is_object());
    let apps = setting.get("applications").filter(|v| v.is_object());
    let (Some(_), Some(_)) = (users, apps) else {
        // A partial setting (only one side present) is legal stored state (graph-api.md E7).
        return Ok(());
    };
    let users_block_all = access_type(users) == Some("blocked") && targets_include(users, "AllUsers");
    let users_allowed = access_type(users) == Some("allowed");
    let apps_block_all = access_type(apps) == Some("blocked") && targets_include(apps, "AllApplications");
    if rules.r1 && users_block_all && !apps_block_all {
        return Err(GraphError::bad_request(format!(
            "Invalid {property}: when usersAndGroups blocks AllUsers, applications must block AllApplications."
        )));
    }
    if rules.r2 && users_allowed && apps_block_all {
        return Err(GraphError::bad_request(format!(
            "Invalid {property}: when usersAndGroups is allowed, applications cannot block AllApplications; \
             at least one application must be allowed."
        )));
    }
    if rules.r2b && apps_block_all && !users_block_all {
        return Err(GraphError::bad_request(format!(
            "Invalid {property}: when applications blocks AllApplications, usersAndGroups must block AllUsers."
        )));
    }
    Ok(())
}

/// R14: targets match their container and keywords pair with their type.
fn check_targets(property: &str, container: &str, configuration: &Object) -> Result<(), GraphError> {
    let Some(Value::Array(targets)) = configuration.get("targets") else {
        return Ok(());
    };
    let allowed_types: &[&str] = match container {
        "usersAndGroups" | "users" => &["user", "group"],
        "applications" => &["application"],
        _ => return Ok(()),
    };
    for target in targets {
        let name = target.get("target").and_then(Value::as_str).unwrap_or_default();
        let target_type = target.get("targetType").and_then(Value::as_str).unwrap_or_default();
        let keyword_type = match name {
            "AllUsers" => Some("user"),
            "AllApplications" | "Office365" | "AllMicrosoftApps" => Some("application"),
            _ => None,
        };
        if !allowed_types.contains(&target_type) {
            return Err(GraphError::bad_request(format!(
                "Invalid {property}.{container}: target '{name}' has targetType '{target_type}', expected {}.",
                allowed_types.join(" or ")
            )));
        }
        if let Some(expected) = keyword_type
            && expected != target_type
        {
            return Err(GraphError::bad_request(format!(
                "Invalid {property}.{container}: target '{name}' must have targetType '{expected}'."
            )));
        }
        if name.is_empty() {
            return Err(GraphError::bad_request(format!(
                "Invalid {property}.{container}: every target needs a non-empty 'target'."
            )));
        }
    }
    Ok(())
}

fn only_all_users(merged: &Object, property: &str, container: &str, reason: &str) -> Result<(), GraphError> {
    let targets =
        merged.get(property).and_then(|s| s.get(container)).and_then(|c| c.get("targets")).and_then(Value::as_array);
    if let Some(targets) = targets {
        for target in targets {
            let name = target.get("target").and_then(Value::as_str).unwrap_or_default();
            if name != "AllUsers" {
                return Err(GraphError::bad_request(format!(
                    "Invalid {property}.{container}: {reason}; only 'AllUsers' is allowed, got '{name}'."
                )));
            }
        }
    }
    Ok(())
}

/// R15: primary providers come from the primary set without repeats; the fallback comes from the fallback set.
fn check_invitation_redemption(configuration: Option<&Value>) -> Result<(), GraphError> {
    const PRIMARY: [&str; 3] = ["azureActiveDirectory", "externalFederation", "socialIdentityProviders"];
    const FALLBACK: [&str; 3] = ["defaultConfiguredIdp", "emailOneTimePasscode", "microsoftAccount"];
    let Some(Value::Object(configuration)) = configuration else {
        return Ok(());
    };
    let mut seen = Vec::new();
    if let Some(Value::Array(order)) = configuration.get("primaryIdentityProviderPrecedenceOrder") {
        for provider in order {
            let provider = provider.as_str().unwrap_or_default();
            if !PRIMARY.contains(&provider) {
                return Err(GraphError::bad_request(format!(
                    "Invalid primaryIdentityProviderPrecedenceOrder: '{provider}' cannot be a primary identity \
                     provider; allowed are {}.",
                    PRIMARY.join(", ")
                )));
            }
            if seen.contains(&provider) {
                return Err(GraphError::bad_request(format!(
                    "Invalid primaryIdentityProviderPrecedenceOrder: '{provider}' appears more than once."
                )));
            }
            seen.push(provider);
        }
    }
    match configuration.get("fallbackIdentityProvider") {
        Some(Value::String(fallback)) if FALLBACK.contains(&fallback.as_str()) => Ok(()),
        Some(Value::String(fallback)) => Err(GraphError::bad_request(format!(
            "Invalid fallbackIdentityProvider: '{fallback}' cannot be a fallback identity provider; allowed are {}.",
            FALLBACK.join(", ")
        ))),
        _ => Err(GraphError::bad_request(
            "Invalid invitationRedemptionIdentityProviderConfiguration: a fallbackIdentityProvider is required; at \
             least one fallback must stay enabled.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Object {
        value.as_object().unwrap().clone()
    }

    fn tc(access: &str, target: &str, target_type: &str) -> Value {
        json!({"accessType": access, "targets": [{"target": target, "targetType": target_type}]})
    }

    fn touched(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn check(setting: Value, rules: &ValidationRules) -> Result<(), GraphError> {
        check_partner(
            "x",
            &object(json!({"b2bCollaborationInbound": setting})),
            &touched(&["b2bCollaborationInbound"]),
            rules,
        )
    }

    #[test]
    fn r1_users_blocked_requires_apps_blocked() {
        let rules = ValidationRules::default();
        let bad = json!({"usersAndGroups": tc("blocked", "AllUsers", "user"), "applications": tc("allowed", "AllApplications", "application")});
        assert!(check(bad.clone(), &rules).unwrap_err().message.contains("must block AllApplications"));
        let good = json!({"usersAndGroups": tc("blocked", "AllUsers", "user"), "applications": tc("blocked", "AllApplications", "application")});
        assert!(check(good, &rules).is_ok());
        assert!(check(bad, &ValidationRules { r1: false, ..rules }).is_ok());
    }

    #[test]
    fn r2_users_allowed_forbids_blocking_all_apps() {
        let rules = ValidationRules::default();
        let bad = json!({"usersAndGroups": tc("allowed", "g1", "group"), "applications": tc("blocked", "AllApplications", "application")});
        assert!(check(bad.clone(), &rules).is_err());
        assert!(check(bad, &ValidationRules { r2: false, ..rules }).is_ok());
    }

    #[test]
    fn r2b_is_optional() {
        let setting = json!({"usersAndGroups": tc("blocked", "g1", "group"), "applications": tc("blocked", "AllApplications", "application")});
        assert!(check(setting.clone(), &ValidationRules::default()).is_ok());
        assert!(check(setting, &ValidationRules { r2b: true, ..ValidationRules::default() }).is_err());
    }

    #[test]
    fn partial_settings_are_legal() {
        assert!(
            check(json!({"usersAndGroups": tc("blocked", "AllUsers", "user")}), &ValidationRules::default()).is_ok()
        );
    }

    #[test]
    fn r14_targets_match_their_container() {
        let rules = ValidationRules::default();
        let bad_type = json!({"usersAndGroups": tc("allowed", "app", "application")});
        assert!(check(bad_type, &rules).is_err());
        let bad_keyword = json!({"usersAndGroups": tc("allowed", "AllUsers", "group")});
        assert!(check(bad_keyword, &rules).is_err());
        let office_in_users = json!({"usersAndGroups": tc("allowed", "Office365", "user")});
        assert!(check(office_in_users.clone(), &rules).is_err());
        assert!(check(office_in_users, &ValidationRules { r14: false, ..rules }).is_ok());
    }

    #[test]
    fn r3_and_r4_default_targets_only_all_users() {
        let rules = ValidationRules::default();
        let merged = object(json!({"b2bCollaborationInbound": {"usersAndGroups": tc("allowed", "g1", "group")}}));
        assert!(check_default(&merged, &touched(&["b2bCollaborationInbound"]), &rules).is_err());
        assert!(
            check_default(
                &merged,
                &touched(&["b2bCollaborationInbound"]),
                &ValidationRules { r3: false, ..rules.clone() }
            )
            .is_ok()
        );
        let merged = object(json!({"b2bCollaborationOutbound": {"usersAndGroups": tc("allowed", "g1", "group")}}));
        assert!(check_default(&merged, &touched(&["b2bCollaborationOutbound"]), &rules).is_ok());
        let merged = object(json!({"tenantRestrictions": {"usersAndGroups": tc("blocked", "u1", "user")}}));
        assert!(check_default(&merged, &touched(&["tenantRestrictions"]), &rules).is_err());
        assert!(
            check_default(&merged, &touched(&["tenantRestrictions"]), &ValidationRules { r4: false, ..rules }).is_ok()
        );
    }

    #[test]
    fn r8_cloud_endpoints() {
        let rules = ValidationRules::default();
        assert!(check_policy(&object(json!({"allowedCloudEndpoints": ["microsoftonline.us"]})), &rules).is_ok());
        assert!(check_policy(&object(json!({"allowedCloudEndpoints": ["example.com"]})), &rules).is_err());
        assert!(
            check_policy(&object(json!({"allowedCloudEndpoints": ["example.com"]})), &ValidationRules::none()).is_ok()
        );
    }

    #[test]
    fn r11_msa_tenant_restrictions() {
        let rules = ValidationRules::default();
        let merged = object(json!({"tenantRestrictions": {"usersAndGroups": tc("allowed", "u1", "user")}}));
        assert!(check_partner(MSA_TENANT_ID, &merged, &touched(&["tenantRestrictions"]), &rules).is_err());
        assert!(check_partner("other", &merged, &touched(&["tenantRestrictions"]), &rules).is_ok());
    }

    #[test]
    fn r12_devices_optional() {
        let merged = object(json!({"tenantRestrictions": {"devices": {"mode": "allowed", "rule": "x"}}}));
        assert!(check_partner("x", &merged, &touched(&["tenantRestrictions"]), &ValidationRules::default()).is_ok());
        let rules = ValidationRules { r12: true, ..ValidationRules::default() };
        assert!(check_partner("x", &merged, &touched(&["tenantRestrictions"]), &rules).is_err());
    }

    #[test]
    fn r15_invitation_redemption() {
        let rules = ValidationRules::default();
        let touched = touched(&["invitationRedemptionIdentityProviderConfiguration"]);
        let with = |v: Value| object(json!({"invitationRedemptionIdentityProviderConfiguration": v}));
        let good = with(
            json!({"primaryIdentityProviderPrecedenceOrder": ["externalFederation"], "fallbackIdentityProvider": "emailOneTimePasscode"}),
        );
        assert!(check_default(&good, &touched, &rules).is_ok());
        let bad_primary = with(
            json!({"primaryIdentityProviderPrecedenceOrder": ["microsoftAccount"], "fallbackIdentityProvider": "defaultConfiguredIdp"}),
        );
        assert!(check_default(&bad_primary, &touched, &rules).is_err());
        let duplicate = with(
            json!({"primaryIdentityProviderPrecedenceOrder": ["externalFederation", "externalFederation"], "fallbackIdentityProvider": "defaultConfiguredIdp"}),
        );
        assert!(check_default(&duplicate, &touched, &rules).is_err());
        let bad_fallback = with(
            json!({"primaryIdentityProviderPrecedenceOrder": [], "fallbackIdentityProvider": "azureActiveDirectory"}),
        );
        assert!(check_default(&bad_fallback, &touched, &rules).is_err());
        let no_fallback = with(json!({"primaryIdentityProviderPrecedenceOrder": [], "fallbackIdentityProvider": null}));
        assert!(check_default(&no_fallback, &touched, &rules).is_err());
        assert!(check_default(&no_fallback, &touched, &ValidationRules::none()).is_ok());
    }
}
