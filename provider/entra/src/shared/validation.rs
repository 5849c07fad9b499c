//! The plan-time rules of interface.md §6 for the shared nested types, as validators the schema builders attach.
//!
//! The framework runs each validator on every known, non-null value of its attribute at the exact attribute path,
//! during `terraform validate`/`plan`, and again at apply for values that were unknown at plan time. Validators
//! here therefore skip whatever part of a value is still unknown. Problems inside a set of targets point at the set
//! (Terraform's paths cannot address set elements), and every message names the full path and the offending target.

use tfplugin::validators::{Validator, custom, is_guid};
use tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};

use super::schema::TargetContainer;

/// The Rights Management Services application: reading mail and documents a partner encrypted needs access to it.
pub const RIGHTS_MANAGEMENT_SERVICES_APP_ID: &str = "00000012-0000-0000-c000-000000000000";

/// The keyword targets and the target type each one pairs with.
pub const KEYWORDS: [(&str, &str); 4] = [
    ("AllUsers", "user"),
    ("AllApplications", "application"),
    ("Office365", "application"),
    ("AllMicrosoftApps", "application"),
];

/// The target type a keyword pairs with, or `None` when `target` is not a keyword (keywords are case-sensitive).
pub fn keyword_type(target: &str) -> Option<&'static str> {
    KEYWORDS.iter().find(|(keyword, _)| *keyword == target).map(|(_, ty)| *ty)
}

/// True when two target names are the same: GUIDs compare case-insensitively, keywords exactly.
pub fn same_target(a: &str, b: &str) -> bool {
    a == b || (is_guid(a) && is_guid(b) && a.eq_ignore_ascii_case(b))
}

fn error(path: &AttributePath, summary: &str, detail: String) -> Diagnostic {
    Diagnostic::error(summary, format!("{path}: {detail}")).at(path.clone())
}

/// The known `(target, target_type)` pairs of a targets set; either part is `None` while unknown.
fn target_pairs(targets: &Value) -> Vec<(Option<&str>, Option<&str>)> {
    targets
        .as_elements()
        .unwrap_or_default()
        .iter()
        .filter(|element| element.is_known() && !element.is_null())
        .map(|element| (element.get_attr("target").as_str(), element.get_attr("target_type").as_str()))
        .collect()
}

/// Rules for one `targets` set, by container: target types match the container, keywords pair with their type,
/// other targets are GUIDs, `AllUsers` stands alone, and no target appears twice (GUIDs ignoring case).
pub fn targets(container: TargetContainer) -> impl Validator {
    let allowed = container.target_types();
    let description =
        format!("targets of `{}` use target types {} and valid keywords or GUIDs", container.name(), allowed.join("/"));
    custom(description, move |path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics| {
        let pairs = target_pairs(value);
        for (target, target_type) in &pairs {
            let type_in_container = |ty: &str| allowed.contains(&ty);
            if let Some(target) = target {
                if let Some(keyword_type) = keyword_type(target) {
                    if !type_in_container(keyword_type) {
                        let belongs = if keyword_type == "user" { "users_and_groups" } else { "applications" };
                        diagnostics.push(error(
                            path,
                            "Keyword in the wrong place",
                            format!(
                                "\"{target}\" stands for {}, so it belongs in {belongs}, not in {}.",
                                if keyword_type == "user" { "users" } else { "applications" },
                                container.name()
                            ),
                        ));
                        continue;
                    }
                    if let Some(ty) = target_type
                        && *ty != keyword_type
                    {
                        diagnostics.push(error(
                            path,
                            "Wrong target type for a keyword",
                            format!(
                                "the keyword \"{target}\" must have target_type = \"{keyword_type}\", not \"{ty}\"."
                            ),
                        ));
                    }
                    continue;
                }
                if let Some((keyword, _)) = KEYWORDS.iter().find(|(k, _)| k.eq_ignore_ascii_case(target)) {
                    diagnostics.push(error(
                        path,
                        "Keywords are case-sensitive",
                        format!(
                            "{target:?} is not a keyword; Microsoft Graph only knows \"{keyword}\", spelled exactly so."
                        ),
                    ));
                    continue;
                }
                if !is_guid(target) {
                    let kind = if container == TargetContainer::Applications {
                        "an application id (a GUID) or one of the keywords \"AllApplications\", \"Office365\", \"AllMicrosoftApps\""
                    } else {
                        "a user or group object id (a GUID) or the keyword \"AllUsers\""
                    };
                    diagnostics.push(error(
                        path,
                        "Invalid target",
                        format!("{target:?} must be {kind}, such as 00000000-0000-0000-0000-000000000000."),
                    ));
                }
            }
            // Target types outside the enum are reported by the `target_type` validator itself.
            if let Some(ty) = target_type
                && super::schema::TARGET_TYPES.contains(ty)
                && !type_in_container(ty)
                && target.is_none_or(|t| keyword_type(t).is_none())
            {
                diagnostics.push(error(
                    path,
                    "Wrong target type",
                    format!(
                        "target {} has target_type \"{ty}\", but {} holds only {}.",
                        target.map_or_else(|| "(not yet known)".to_owned(), |t| format!("\"{t}\"")),
                        container.name(),
                        allowed.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" or ")
                    ),
                ));
            }
        }
        let elements = value.as_elements().map_or(0, <[Value]>::len);
        if elements > 1 && pairs.iter().any(|(target, _)| *target == Some("AllUsers")) {
            diagnostics.push(error(
                path,
                "AllUsers cannot be combined with other targets",
                "\"AllUsers\" already covers every user; list it alone, or list specific users and groups without it."
                    .to_owned(),
            ));
        }
        let known: Vec<&str> = pairs.iter().filter_map(|(target, _)| *target).collect();
        for (i, a) in known.iter().enumerate() {
            if let Some(b) = known[i + 1..].iter().find(|b| same_target(a, b)) {
                diagnostics.push(error(
                    path,
                    "Duplicate target",
                    format!(
                        "\"{a}\" and \"{b}\" are the same target (GUIDs compare case-insensitively); list it once."
                    ),
                ));
            }
        }
    })
}

/// R3/R4: a `targets` set of the default configuration's inbound settings or tenant restrictions may only hold
/// `AllUsers`; `reason` says which rule.
pub fn only_all_users(reason: &'static str) -> impl Validator {
    custom("only `AllUsers`", move |path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics| {
        for (target, _) in target_pairs(value) {
            if let Some(target) = target
                && target != "AllUsers"
            {
                diagnostics.push(error(
                    path,
                    "Specific users or groups are not allowed here",
                    format!(
                        "{reason}: only {{ target = \"AllUsers\", target_type = \"user\" }} is allowed, got \
                             \"{target}\". Target specific users or groups in a partner configuration \
                             (entra_cross_tenant_partner) instead."
                    ),
                ));
            }
        }
    })
}

/// A target configuration whose access type and targets are both known.
struct KnownTargets<'v> {
    access_type: &'v str,
    targets: Vec<&'v str>,
}

impl<'v> KnownTargets<'v> {
    fn of(configuration: &'v Value) -> Option<Self> {
        if configuration.is_null() || !configuration.is_fully_known() {
            return None;
        }
        let access_type = configuration.get_attr("access_type").as_str()?;
        let targets = target_pairs(configuration.get_attr("targets")).into_iter().filter_map(|(t, _)| t).collect();
        Some(KnownTargets { access_type, targets })
    }

    fn is(&self, access_type: &str, keyword: &str) -> bool {
        self.access_type == access_type && self.targets.contains(&keyword)
    }

    fn contains(&self, target: &str) -> bool {
        self.targets.iter().any(|t| same_target(t, target))
    }
}

/// R1 and R2 between the two parts of one B2B setting (and of tenant restrictions), when both are known: blocking
/// all users requires blocking all applications, and allowing users requires allowing at least one application.
pub fn b2b_consistency() -> impl Validator {
    custom(
        "`users_and_groups` and `applications` agree (R1, R2)",
        |path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics| {
            let (Some(users), Some(apps)) = (
                KnownTargets::of(value.get_attr("users_and_groups")),
                KnownTargets::of(value.get_attr("applications")),
            ) else {
                return;
            };
            let apps_path = path.clone().attr("applications");
            let apps_block_all = apps.is("blocked", "AllApplications");
            if users.is("blocked", "AllUsers") && !apps_block_all {
                diagnostics.push(error(
                    &apps_path,
                    "Applications must be blocked when all users are",
                    "users_and_groups blocks AllUsers, so Microsoft Graph requires applications to block \
                     AllApplications too: set access_type = \"blocked\" with { target = \"AllApplications\", \
                     target_type = \"application\" }."
                        .to_owned(),
                ));
            }
            if users.access_type == "allowed" && apps_block_all {
                diagnostics.push(error(
                    &apps_path,
                    "Allowed users need at least one allowed application",
                    "users_and_groups allows access, but applications blocks AllApplications, which Microsoft Graph \
                     refuses: allow at least one application (for example AllApplications or Office365), or block \
                     the users as well."
                        .to_owned(),
                ));
            }
        },
    )
}

/// A warning for an outbound setting that blocks the Rights Management Services app: this tenant's users can then
/// no longer read mail and documents the partner encrypted.
pub fn rights_management_warning() -> impl Validator {
    custom(
        "warns when the Rights Management Services app is blocked outbound",
        |path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics| {
            let Some(apps) = KnownTargets::of(value.get_attr("applications")) else { return };
            let problem = if apps.is("blocked", "AllApplications") {
                "blocks all applications, including"
            } else if apps.access_type == "blocked" && apps.contains(RIGHTS_MANAGEMENT_SERVICES_APP_ID) {
                "blocks"
            } else if apps.access_type == "allowed"
                && !apps.contains("AllApplications")
                && !apps.contains(RIGHTS_MANAGEMENT_SERVICES_APP_ID)
            {
                "allows only listed applications, which leave out"
            } else {
                return;
            };
            let apps_path = path.clone().attr("applications");
            diagnostics.push(
                Diagnostic::warning(
                    "Encrypted mail and documents from the partner will be unreadable",
                    format!(
                        "{apps_path} {problem} the Rights Management Services app \
                         ({RIGHTS_MANAGEMENT_SERVICES_APP_ID}). Your users need it to open email and documents the \
                         external organization protects with Microsoft Purview Information Protection. To keep them \
                         readable, allow it: use access_type = \"allowed\" and add {{ target = \
                         \"{RIGHTS_MANAGEMENT_SERVICES_APP_ID}\", target_type = \"application\" }} to the targets \
                         (next to the applications you do allow)."
                    ),
                )
                .at(apps_path),
            );
        },
    )
}

/// A list of strings without repeats.
pub fn no_duplicates() -> impl Validator {
    custom("no value more than once", |path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics| {
        let known: Vec<&str> = value.as_elements().unwrap_or_default().iter().filter_map(Value::as_str).collect();
        for (i, a) in known.iter().enumerate() {
            if known[..i].contains(a) {
                diagnostics.push(error(path, "Repeated value", format!("\"{a}\" appears more than once.")));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(target: &str, target_type: &str) -> Value {
        Value::object([("target", Value::string(target)), ("target_type", Value::string(target_type))])
    }

    fn configuration(access_type: &str, targets: &[(&str, &str)]) -> Value {
        Value::object([
            ("access_type", Value::string(access_type)),
            ("targets", Value::set(targets.iter().map(|(t, ty)| target(t, ty)))),
        ])
    }

    fn run(validator: &dyn Validator, value: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        validator.validate(&AttributePath::root().attr("b2b_collaboration_inbound").attr("x"), value, &mut diagnostics);
        diagnostics
    }

    fn summaries(diagnostics: &Diagnostics) -> Vec<String> {
        diagnostics.iter().map(|d| d.summary.clone()).collect()
    }

    #[test]
    fn valid_targets_pass() {
        let users = targets(TargetContainer::UsersAndGroups);
        let ok = configuration(
            "allowed",
            &[("6F546279-4da5-4b53-a095-09ea0cef9971", "group"), ("a1b2c3d4-0000-0000-0000-00000000aaaa", "user")],
        );
        assert!(run(&users, ok.get_attr("targets")).is_empty());
        let all = configuration("allowed", &[("AllUsers", "user")]);
        assert!(run(&users, all.get_attr("targets")).is_empty());
        let apps = targets(TargetContainer::Applications);
        let ok = configuration(
            "allowed",
            &[("Office365", "application"), (RIGHTS_MANAGEMENT_SERVICES_APP_ID, "application")],
        );
        assert!(run(&apps, ok.get_attr("targets")).is_empty());
    }

    #[test]
    fn each_target_rule_has_its_own_message() {
        let users = targets(TargetContainer::UsersAndGroups);
        let apps = targets(TargetContainer::Applications);
        type Case<'a> = (&'a dyn Validator, &'a [(&'a str, &'a str)], &'a str);
        let cases: Vec<Case<'_>> = vec![
            (&users, &[("AllApplications", "application")], "Keyword in the wrong place"),
            (&apps, &[("AllUsers", "user")], "Keyword in the wrong place"),
            (&users, &[("AllUsers", "group")], "Wrong target type for a keyword"),
            (&apps, &[("Office365", "user")], "Wrong target type for a keyword"),
            (&users, &[("allusers", "user")], "Keywords are case-sensitive"),
            (&users, &[("not-a-guid", "group")], "Invalid target"),
            (&users, &[("", "group")], "Invalid target"),
            (&users, &[("6f546279-4da5-4b53-a095-09ea0cef9971", "application")], "Wrong target type"),
            (&apps, &[("6f546279-4da5-4b53-a095-09ea0cef9971", "group")], "Wrong target type"),
            (
                &users,
                &[("AllUsers", "user"), ("6f546279-4da5-4b53-a095-09ea0cef9971", "group")],
                "AllUsers cannot be combined with other targets",
            ),
            (
                &users,
                &[("6f546279-4da5-4b53-a095-09ea0cef9971", "group"), ("6F546279-4DA5-4B53-A095-09EA0CEF9971", "group")],
                "Duplicate target",
            ),
        ];
        for (validator, list, expected) in cases {
            let value = configuration("allowed", list);
            let diagnostics = run(validator, value.get_attr("targets"));
            assert_eq!(summaries(&diagnostics), [expected], "{list:?}");
            let d = diagnostics.iter().next().unwrap();
            assert_eq!(d.attribute.as_ref().unwrap().to_string(), "b2b_collaboration_inbound.x");
            assert!(d.detail.starts_with("b2b_collaboration_inbound.x: "), "{}", d.detail);
        }
    }

    #[test]
    fn unknown_parts_are_skipped() {
        let users = targets(TargetContainer::UsersAndGroups);
        let partly = Value::set([
            Value::object([("target", Value::Unknown), ("target_type", Value::string("group"))]),
            Value::object([("target", Value::string("not-a-guid-yet")), ("target_type", Value::Unknown)]),
            Value::Unknown,
        ]);
        assert_eq!(summaries(&run(&users, &partly)), ["Invalid target"]);
        let unknown_type_only =
            Value::set([Value::object([("target", Value::Unknown), ("target_type", Value::string("application"))])]);
        assert_eq!(summaries(&run(&users, &unknown_type_only)), ["Wrong target type"]);
    }

    fn setting(users: Value, apps: Value) -> Value {
        Value::object([("users_and_groups", users), ("applications", apps)])
    }

    #[test]
    fn r1_and_r2_need_both_parts_known() {
        let check = b2b_consistency();
        let block_users = configuration("blocked", &[("AllUsers", "user")]);
        let allow_users = configuration("allowed", &[("6f546279-4da5-4b53-a095-09ea0cef9971", "group")]);
        let block_apps = configuration("blocked", &[("AllApplications", "application")]);
        let allow_apps = configuration("allowed", &[("AllApplications", "application")]);
        assert!(run(&check, &setting(block_users.clone(), block_apps.clone())).is_empty());
        assert!(run(&check, &setting(allow_users.clone(), allow_apps.clone())).is_empty());
        let r1 = run(&check, &setting(block_users.clone(), allow_apps));
        assert_eq!(summaries(&r1), ["Applications must be blocked when all users are"]);
        assert_eq!(
            r1.iter().next().unwrap().attribute.as_ref().unwrap().to_string(),
            "b2b_collaboration_inbound.x.applications"
        );
        let r2 = run(&check, &setting(allow_users.clone(), block_apps.clone()));
        assert_eq!(summaries(&r2), ["Allowed users need at least one allowed application"]);
        // One part missing or unknown: nothing to compare yet.
        assert!(run(&check, &setting(block_users.clone(), Value::Null)).is_empty());
        assert!(run(&check, &setting(block_users, Value::Unknown)).is_empty());
        let unknown_access =
            Value::object([("access_type", Value::Unknown), ("targets", block_apps.get_attr("targets").clone())]);
        assert!(run(&check, &setting(allow_users, unknown_access)).is_empty());
    }

    #[test]
    fn rights_management_warning_cases() {
        let warn = rights_management_warning();
        let users = configuration("allowed", &[("AllUsers", "user")]);
        let cases = [
            (configuration("blocked", &[("AllApplications", "application")]), true),
            (configuration("allowed", &[("Office365", "application")]), true),
            (configuration("blocked", &[("00000012-0000-0000-C000-000000000000", "application")]), true),
            (configuration("allowed", &[("AllApplications", "application")]), false),
            (
                configuration(
                    "allowed",
                    &[("Office365", "application"), (RIGHTS_MANAGEMENT_SERVICES_APP_ID, "application")],
                ),
                false,
            ),
            (configuration("blocked", &[("Office365", "application")]), false),
        ];
        for (apps, warns) in cases {
            let diagnostics = run(&warn, &setting(users.clone(), apps.clone()));
            assert_eq!(diagnostics.len(), usize::from(warns), "{apps:?}");
            if let Some(d) = diagnostics.iter().next() {
                assert!(!d.is_error());
                assert!(d.detail.contains(RIGHTS_MANAGEMENT_SERVICES_APP_ID));
            }
        }
    }

    #[test]
    fn only_all_users_names_the_rule() {
        let check =
            only_all_users("the default configuration's inbound settings cannot target specific users or groups (R3)");
        let ok = configuration("blocked", &[("AllUsers", "user")]);
        assert!(run(&check, ok.get_attr("targets")).is_empty());
        let bad = configuration("allowed", &[("6f546279-4da5-4b53-a095-09ea0cef9971", "group")]);
        let diagnostics = run(&check, bad.get_attr("targets"));
        assert!(diagnostics.iter().next().unwrap().detail.contains("(R3)"));
    }

    #[test]
    fn no_duplicates_in_lists() {
        let check = no_duplicates();
        let list = Value::list(["a", "b", "a"].map(Value::string));
        assert_eq!(summaries(&run(&check, &list)), ["Repeated value"]);
        assert!(run(&check, &Value::list(["a", "b"].map(Value::string))).is_empty());
    }
}
