//! A tenant's directory objects: users and groups (fixtures with fixed ids), applications, service principals,
//! synchronization jobs and app role assignments (graph-sync-and-mto.md A.10).
//!
//! Objects are stored as JSON maps shaped like Graph's, with every property present, keyed by lowercase id.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::config::TenantConfig;
use crate::store::Object;

/// The directory objects of one tenant.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Objects {
    pub(crate) users: BTreeMap<String, Object>,
    pub(crate) groups: BTreeMap<String, Object>,
}

fn object(value: Value) -> Object {
    match value {
        Value::Object(map) => map,
        _ => Object::new(),
    }
}

/// `Adele Vance` → `adele.vance`.
fn mail_nickname(display_name: &str) -> String {
    display_name
        .split_whitespace()
        .map(|part| part.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

/// A member user with the properties `GET /users` returns by default.
pub(crate) fn new_user(id: &str, display_name: &str, domain: &str) -> Object {
    let nickname = mail_nickname(display_name);
    let mut names = display_name.split_whitespace();
    let given_name = names.next().map(str::to_owned);
    let surname = names.last().map(str::to_owned);
    object(json!({
        "id": id,
        "businessPhones": [],
        "displayName": display_name,
        "givenName": given_name,
        "jobTitle": null,
        "mail": format!("{nickname}@{domain}"),
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "surname": surname,
        "userPrincipalName": format!("{nickname}@{domain}"),
    }))
}

/// An assigned security group.
pub(crate) fn new_group(id: &str, display_name: &str) -> Object {
    object(json!({
        "id": id,
        "deletedDateTime": null,
        "classification": null,
        "createdDateTime": "2024-01-01T00:00:00Z",
        "description": null,
        "displayName": display_name,
        "groupTypes": [],
        "mail": null,
        "mailEnabled": false,
        "mailNickname": mail_nickname(display_name).replace('.', "-"),
        "securityEnabled": true,
        "visibility": null,
    }))
}

impl Objects {
    /// The objects of a fresh tenant: its fixture users and groups.
    pub(crate) fn fresh(tenant: &TenantConfig) -> Objects {
        let users = tenant
            .users
            .iter()
            .map(|u| (u.id.clone(), new_user(&u.id, &u.display_name, &tenant.default_domain_name)))
            .collect();
        let groups = tenant.groups.iter().map(|g| (g.id.clone(), new_group(&g.id, &g.display_name))).collect();
        Objects { users, groups }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_users_get_names_from_their_display_name() {
        let user = new_user("u", "Adele Vance", "contoso.example");
        assert_eq!(user["userPrincipalName"], "adele.vance@contoso.example");
        assert_eq!(user["givenName"], "Adele");
        assert_eq!(user["surname"], "Vance");
        assert_eq!(new_group("g", "Sales Team")["mailNickname"], "sales-team");
    }
}
