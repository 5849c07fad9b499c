//! Resource names for exported partners, cross-tenant synchronization configurations and their assignments:
//! readable, valid Terraform identifiers that stay the same from one export to the next.
//!
//! A partner is named after what users recognise it by, in this order: its tenant's default domain unless that is
//! only the `onmicrosoft` routing domain (`truesecdetect.io` → `truesecdetect_io`), its display name (`Contoso, Ltd`
//! → `contoso_ltd`), the first label of the `onmicrosoft` domain (`contoso18839`), and when the tenant cannot be
//! looked up, `tenant_` and the first eight characters of its id. Names that two partners share get the first eight
//! characters of each one's tenant id appended (`contoso_ltd_6babcaad`): a suffix that belongs to the tenant, so a
//! partner keeps its name however the other partners are ordered or added. The result depends only on the tenants
//! and what the lookups return, never on the order Graph lists them in. Configurations and assignments are named
//! the same way after their display names ([`configuration_names`], [`assignment_names`]).

use std::collections::{BTreeMap, BTreeSet};

use entra_graph::models::TenantInformation;

/// The longest name produced; Terraform has no limit, but people read and type these.
const MAX_LENGTH: usize = 63;

/// Domains Microsoft assigns every tenant for routing, in each cloud: they identify a tenant but do not read well.
const ROUTING_DOMAIN_SUFFIXES: [&str; 3] = [".onmicrosoft.com", ".onmicrosoft.us", ".partner.onmschina.cn"];

/// Turns `text` into a Terraform identifier: accented Latin letters folded to ASCII (`Söderberg` → `soderberg`),
/// ASCII letters and digits lowercased, every run of other characters (spaces, dots, punctuation, other scripts) one
/// `_`, no `_` or `-` at either end, at most 63 characters, and `tenant_` in front when it would start with a digit.
/// `None` when nothing usable is left.
pub fn sanitise(text: &str) -> Option<String> {
    identifier(text).map(|name| finish(name, "tenant_"))
}

/// `text` as the words of an identifier (see [`sanitise`]), without the length limit or the prefix for a leading
/// digit; `None` when nothing usable is left.
fn identifier(text: &str) -> Option<String> {
    let mut name = String::with_capacity(text.len());
    let mut pending_separator = false;
    let mut push = |c: char, name: &mut String| {
        if c.is_ascii_alphanumeric() || c == '-' {
            if pending_separator && !name.is_empty() {
                name.push('_');
            }
            pending_separator = false;
            name.push(c.to_ascii_lowercase());
        } else {
            pending_separator = true;
        }
    };
    for c in text.chars() {
        match fold_latin(c) {
            Some(ascii) => ascii.chars().for_each(|a| push(a, &mut name)),
            None => push(c, &mut name),
        }
    }
    let name = name.trim_matches(['-', '_']);
    if name.is_empty() { None } else { Some(name.to_owned()) }
}

/// A name made of identifier words: `prefix` in front when it would start with a digit, at most [`MAX_LENGTH`]
/// characters.
fn finish(name: String, prefix: &str) -> String {
    let mut name = if name.starts_with(|c: char| c.is_ascii_digit()) { format!("{prefix}{name}") } else { name };
    if name.len() > MAX_LENGTH {
        name.truncate(MAX_LENGTH);
        let trimmed = name.trim_end_matches(['-', '_']).len();
        name.truncate(trimmed);
    }
    name
}

/// The ASCII spelling of an accented Latin letter (`é` → `e`, `ß` → `ss`, `Æ` → `AE`), so that names of
/// European organizations stay readable; `None` for everything else.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'À'..='Å' => "A",
        'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
        'Æ' => "AE",
        'æ' => "ae",
        'Ç' | 'Ć' | 'Č' => "C",
        'ç' | 'ć' | 'č' => "c",
        'Ð' | 'Ď' | 'Đ' => "D",
        'ð' | 'ď' | 'đ' => "d",
        'È'..='Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
        'è'..='ë' | 'ē' | 'ę' | 'ě' => "e",
        'Ì'..='Ï' => "I",
        'ì'..='ï' | 'ı' => "i",
        'Ł' => "L",
        'ł' => "l",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ñ' | 'ń' | 'ň' => "n",
        'Ò'..='Ö' | 'Ø' | 'Ő' => "O",
        'ò'..='ö' | 'ø' | 'ő' => "o",
        'Œ' => "OE",
        'œ' => "oe",
        'Ř' => "R",
        'ř' => "r",
        'Ś' | 'Š' | 'Ş' => "S",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'Ť' | 'Ţ' => "T",
        'ť' | 'ţ' => "t",
        'Þ' => "TH",
        'þ' => "th",
        'Ù'..='Ü' | 'Ů' | 'Ű' => "U",
        'ù'..='ü' | 'ů' | 'ű' => "u",
        'Ý' | 'Ÿ' => "Y",
        'ý' | 'ÿ' => "y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// The first eight characters of a tenant id, lowercase, for suffixes and fallback names.
pub fn short_id(tenant_id: &str) -> String {
    tenant_id.chars().filter(|c| c.is_ascii_alphanumeric()).take(8).collect::<String>().to_ascii_lowercase()
}

/// The name a partner would get if no other partner wanted the same one.
pub fn base_name(tenant_id: &str, info: Option<&TenantInformation>) -> String {
    let domain = info.and_then(|i| i.default_domain_name.as_deref()).map(str::trim).filter(|d| !d.is_empty());
    let routing = domain.and_then(|d| {
        let lower = d.to_ascii_lowercase();
        ROUTING_DOMAIN_SUFFIXES
            .iter()
            .find(|suffix| lower.ends_with(*suffix))
            .map(|suffix| &d[..d.len() - suffix.len()])
    });
    let display_name = info.and_then(|i| i.display_name.as_deref());
    let candidates = [
        domain.filter(|_| routing.is_none()),
        display_name,
        routing,
        // A federation brand name is the last readable thing a tenant may have.
        info.and_then(|i| i.federation_brand_name.as_deref()),
    ];
    candidates.into_iter().flatten().find_map(sanitise).unwrap_or_else(|| format!("tenant_{}", short_id(tenant_id)))
}

/// Unique names for partners, given as `(tenant id, base name)`; the result maps each tenant id (as given) to its
/// name. A base name several partners share gets each tenant's [`short_id`] appended; should that still collide
/// (two ids starting alike), the whole id is appended instead.
pub fn assign_names(partners: &[(String, String)]) -> BTreeMap<String, String> {
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, base) in partners {
        *uses.entry(base.as_str()).or_default() += 1;
    }
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut taken: BTreeSet<String> =
        partners.iter().filter(|(_, b)| uses[b.as_str()] == 1).map(|(_, b)| b.clone()).collect();
    // Tenant-id order, so that even the unlikely second-level collisions resolve the same way every run.
    let mut ordered: Vec<&(String, String)> = partners.iter().collect();
    ordered.sort_by_key(|(tenant, _)| tenant.to_ascii_lowercase());
    for (tenant, base) in ordered {
        let name = if uses[base.as_str()] == 1 {
            base.clone()
        } else {
            let short = format!("{base}_{}", short_id(tenant));
            if taken.insert(short.clone()) {
                short
            } else {
                let long = format!("{base}_{}", tenant.to_ascii_lowercase().replace('-', ""));
                taken.insert(long.clone());
                long
            }
        };
        names.insert(tenant.clone(), name);
    }
    names
}

/// Unique names for cross-tenant synchronization configurations, given as `(service principal id, display
/// name)`: the display name (`Fabrikam sync` → `fabrikam_sync`), or `configuration_` and the first eight characters
/// of the id when the name has nothing usable; names several configurations share get each one's id suffix, as
/// partners do ([`assign_names`]).
pub fn configuration_names(configurations: &[(String, String)]) -> BTreeMap<String, String> {
    let bases: Vec<(String, String)> = configurations
        .iter()
        .map(|(id, display_name)| {
            let base = identifier(display_name)
                .map(|name| finish(name, "configuration_"))
                .unwrap_or_else(|| format!("configuration_{}", short_id(id)));
            (id.clone(), base)
        })
        .collect();
    assign_names(&bases)
}

/// One assignment to name: the key it is returned under, its configuration's resource name, and the principal.
#[derive(Debug, Clone)]
pub struct AssignmentToName {
    /// What the name is returned under (the import id `{configuration_id}/{assignment_id}`).
    pub key: String,
    /// The resource name of the assignment's configuration.
    pub configuration: String,
    /// The user's or group's object id.
    pub principal_id: String,
    /// The user's or group's display name, when Graph gave one.
    pub principal_display_name: Option<String>,
    /// `User` or `Group`.
    pub principal_type: String,
}

/// Unique names for assignments: the configuration's name and the principal's display name (`fabrikam_sales`,
/// `fabrikam_adele_vance`), or its type and the first eight characters of its id (`fabrikam_group_96a00000`).
/// Principals of one configuration that share a display name get their ids' suffixes ([`assign_names`]); a name
/// that two configurations' assignments still share (a configuration named like another's prefix) gets the
/// assignment's key appended. Depends only on the assignments, not on their order.
pub fn assignment_names(assignments: &[AssignmentToName]) -> BTreeMap<String, String> {
    let mut by_configuration: BTreeMap<&str, Vec<&AssignmentToName>> = BTreeMap::new();
    for assignment in assignments {
        by_configuration.entry(&assignment.configuration).or_default().push(assignment);
    }
    let mut names = BTreeMap::new();
    for (configuration, members) in by_configuration {
        let bases: Vec<(String, String)> = members
            .iter()
            .map(|a| {
                let principal = a.principal_display_name.as_deref().and_then(identifier).unwrap_or_else(|| {
                    let kind = identifier(&a.principal_type).unwrap_or_else(|| "principal".to_owned());
                    format!("{kind}_{}", short_id(&a.principal_id))
                });
                (a.principal_id.clone(), finish(format!("{configuration}_{principal}"), ""))
            })
            .collect();
        let by_principal = assign_names(&bases);
        for member in members {
            names.insert(member.key.clone(), by_principal[&member.principal_id].clone());
        }
    }
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    for name in names.values() {
        *uses.entry(name.clone()).or_default() += 1;
    }
    for (key, name) in names.iter_mut() {
        if uses[name.as_str()] > 1 {
            let suffix: String =
                key.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
            *name = format!("{name}_{suffix}");
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(display: Option<&str>, domain: Option<&str>) -> TenantInformation {
        TenantInformation {
            tenant_id: "6babcaad-604b-40ac-a9d7-9fd97c0b779f".into(),
            default_domain_name: domain.map(Into::into),
            display_name: display.map(Into::into),
            federation_brand_name: None,
        }
    }

    #[test]
    fn sanitising_gives_valid_lowercase_identifiers() {
        let cases = [
            ("Contoso, Ltd", Some("contoso_ltd")),
            ("truesecdetect.io", Some("truesecdetect_io")),
            ("SSO.OSTTRA.COM", Some("sso_osttra_com")),
            ("  Fabrikam  ", Some("fabrikam")),
            ("3M Company", Some("tenant_3m_company")),
            ("Müller & Söhne GmbH", Some("muller_sohne_gmbh")),
            ("Ørsted Æblegård", Some("orsted_aeblegard")),
            ("a--b", Some("a--b")),
            ("-x-", Some("x")),
            ("Office 365 Support", Some("office_365_support")),
            ("日本", None),
            ("...", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(sanitise(text).as_deref(), expected, "{text:?}");
        }
        let long = sanitise(&"word ".repeat(40)).unwrap();
        assert!(long.len() <= MAX_LENGTH && !long.ends_with('_'), "{long}");
        for name in cases.iter().filter_map(|(t, _)| sanitise(t)) {
            let first = name.chars().next().unwrap();
            assert!(first.is_ascii_lowercase(), "{name} must start with a letter");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'));
        }
    }

    #[test]
    fn names_prefer_a_custom_domain_then_the_display_name() {
        let tenant = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";
        assert_eq!(
            base_name(tenant, Some(&info(Some("Truesec Detect AB"), Some("truesecdetect.io")))),
            "truesecdetect_io"
        );
        assert_eq!(
            base_name(tenant, Some(&info(Some("Contoso, Ltd"), Some("CONTOSO18839.onmicrosoft.com")))),
            "contoso_ltd"
        );
        assert_eq!(base_name(tenant, Some(&info(None, Some("CONTOSO18839.onmicrosoft.com")))), "contoso18839");
        assert_eq!(base_name(tenant, Some(&info(Some("!!!"), Some("agency.onmicrosoft.us")))), "agency");
        assert_eq!(base_name(tenant, Some(&info(None, None))), "tenant_6babcaad");
        assert_eq!(base_name(tenant, None), "tenant_6babcaad");
    }

    #[test]
    fn shared_names_get_each_tenants_own_suffix() {
        let partners = vec![
            ("9c5d131d-b1c3-4fc4-9e3f-c6557947d551".to_owned(), "contoso".to_owned()),
            ("6babcaad-604b-40ac-a9d7-9fd97c0b779f".to_owned(), "contoso".to_owned()),
            ("07d2f395-f69c-43ab-88a2-b82f1151042d".to_owned(), "truesecdetect_io".to_owned()),
        ];
        let names = assign_names(&partners);
        assert_eq!(names["9c5d131d-b1c3-4fc4-9e3f-c6557947d551"], "contoso_9c5d131d");
        assert_eq!(names["6babcaad-604b-40ac-a9d7-9fd97c0b779f"], "contoso_6babcaad");
        assert_eq!(names["07d2f395-f69c-43ab-88a2-b82f1151042d"], "truesecdetect_io");
        // The same tenants in another order get the same names.
        let mut reversed = partners.clone();
        reversed.reverse();
        assert_eq!(assign_names(&reversed), names);
    }

    #[test]
    fn configurations_and_assignments_are_named_after_what_people_call_them() {
        let configurations = vec![
            ("2f000000-0000-4000-8000-000000000001".to_owned(), "Fabrikam".to_owned()),
            ("1e000000-0000-4000-8000-000000000002".to_owned(), "Fabrikam".to_owned()),
            ("3d000000-0000-4000-8000-000000000003".to_owned(), "2026 sync: Northwind".to_owned()),
            ("4c000000-0000-4000-8000-000000000004".to_owned(), "同期".to_owned()),
        ];
        let names = configuration_names(&configurations);
        assert_eq!(names["2f000000-0000-4000-8000-000000000001"], "fabrikam_2f000000");
        assert_eq!(names["1e000000-0000-4000-8000-000000000002"], "fabrikam_1e000000");
        assert_eq!(names["3d000000-0000-4000-8000-000000000003"], "configuration_2026_sync_northwind");
        assert_eq!(names["4c000000-0000-4000-8000-000000000004"], "configuration_4c000000");

        let assignment =
            |key: &str, configuration: &str, principal: &str, name: Option<&str>, kind: &str| AssignmentToName {
                key: key.to_owned(),
                configuration: configuration.to_owned(),
                principal_id: principal.to_owned(),
                principal_display_name: name.map(str::to_owned),
                principal_type: kind.to_owned(),
            };
        let assignments = vec![
            assignment("c1/a", "fabrikam", "96a00000-0001-4000-8000-000000000001", Some("Sales"), "Group"),
            assignment("c1/b", "fabrikam", "a5e40000-0001-4000-8000-000000000001", Some("Adele Vance"), "User"),
            assignment("c1/c", "fabrikam", "a5e40000-0001-4000-8000-000000000002", None, "User"),
            assignment("c2/d", "contoso", "a5e40000-0001-4000-8000-000000000001", Some("Adele Vance"), "User"),
            assignment("c2/e", "contoso", "b0000000-0001-4000-8000-000000000009", Some("Adele Vance"), "User"),
            // "fabrikam" + "Sales team" and "fabrikam_sales" + "Team" clash: the keys tell them apart.
            assignment("c1/g", "fabrikam", "96a00000-0001-4000-8000-000000000002", Some("Sales team"), "Group"),
            assignment("c3/f", "fabrikam_sales", "c0000000-0001-4000-8000-000000000001", Some("Team"), "Group"),
        ];
        let names = assignment_names(&assignments);
        assert_eq!(names["c1/a"], "fabrikam_sales");
        assert_eq!(names["c1/b"], "fabrikam_adele_vance");
        assert_eq!(names["c1/c"], "fabrikam_user_a5e40000");
        assert_eq!(names["c2/d"], "contoso_adele_vance_a5e40000");
        assert_eq!(names["c2/e"], "contoso_adele_vance_b0000000");
        assert_eq!(names["c1/g"], "fabrikam_sales_team_c1g");
        assert_eq!(names["c3/f"], "fabrikam_sales_team_c3f");
        let mut reversed = assignments.clone();
        reversed.reverse();
        assert_eq!(assignment_names(&reversed), names);
        let unique: BTreeSet<&String> = names.values().collect();
        assert_eq!(unique.len(), names.len());
    }

    #[test]
    fn suffixes_never_collide_with_other_names() {
        // A partner literally named like another's suffixed name, and two ids with the same first eight characters.
        let partners = vec![
            ("aaaaaaaa-0000-0000-0000-000000000001".to_owned(), "x".to_owned()),
            ("aaaaaaaa-0000-0000-0000-000000000002".to_owned(), "x".to_owned()),
            ("bbbbbbbb-0000-0000-0000-000000000003".to_owned(), "x_aaaaaaaa".to_owned()),
        ];
        let names = assign_names(&partners);
        let unique: BTreeSet<&String> = names.values().collect();
        assert_eq!(unique.len(), 3, "{names:?}");
        assert_eq!(names["bbbbbbbb-0000-0000-0000-000000000003"], "x_aaaaaaaa");
        assert_eq!(names["aaaaaaaa-0000-0000-0000-000000000001"], "x_aaaaaaaa000000000000000000000001");
        assert_eq!(names["aaaaaaaa-0000-0000-0000-000000000002"], "x_aaaaaaaa000000000000000000000002");
    }
}
