//! Assertions on the state after a step and on saved plans.

use serde_json::Value as Json;

use crate::state::{PlanJson, State, lookup};

type StateFn = dyn Fn(&State) -> Result<(), String>;
type PlanFn = dyn Fn(&PlanJson) -> Result<(), String>;

/// A check of the state after a config step's apply.
pub struct StateCheck {
    description: String,
    check: Box<StateFn>,
}

impl std::fmt::Debug for StateCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl StateCheck {
    /// The attribute at the dotted `path` of `address` equals `expected` (JSON as `show -json` prints it).
    pub fn attr(address: &str, path: &str, expected: impl Into<Json>) -> StateCheck {
        let (address, path, expected) = (address.to_owned(), path.to_owned(), expected.into());
        StateCheck::custom(format!("{address}.{path} == {expected}"), move |state| match state.attr(&address, &path) {
            Some(actual) if *actual == expected => Ok(()),
            other => Err(format!("{address}.{path} is {other:?}, expected {expected}")),
        })
    }

    /// The attribute is null (or absent).
    pub fn attr_null(address: &str, path: &str) -> StateCheck {
        let (address, path) = (address.to_owned(), path.to_owned());
        StateCheck::custom(format!("{address}.{path} is null"), move |state| match state.attr(&address, &path) {
            None | Some(Json::Null) => Ok(()),
            Some(other) => Err(format!("{address}.{path} is {other}, expected null")),
        })
    }

    /// The attribute has a non-null value.
    pub fn attr_set(address: &str, path: &str) -> StateCheck {
        let (address, path) = (address.to_owned(), path.to_owned());
        StateCheck::custom(format!("{address}.{path} is set"), move |state| match state.attr(&address, &path) {
            None | Some(Json::Null) => Err(format!("{address}.{path} is not set")),
            Some(_) => Ok(()),
        })
    }

    /// The state holds `count` resources.
    pub fn resource_count(count: usize) -> StateCheck {
        StateCheck::custom(format!("{count} resources"), move |state| {
            let addresses = state.addresses();
            if addresses.len() == count {
                Ok(())
            } else {
                Err(format!("expected {count} resources, found {addresses:?}"))
            }
        })
    }

    /// Any check; return `Err` with an explanation when it fails.
    pub fn custom(
        description: impl Into<String>,
        check: impl Fn(&State) -> Result<(), String> + 'static,
    ) -> StateCheck {
        StateCheck { description: description.into(), check: Box::new(check) }
    }

    pub(crate) fn run(&self, state: &State) -> Result<(), String> {
        (self.check)(state).map_err(|e| format!("state check `{}` failed: {e}", self.description))
    }
}

/// A check of a saved plan, before it is applied.
pub struct PlanCheck {
    description: String,
    check: Box<PlanFn>,
}

impl std::fmt::Debug for PlanCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl PlanCheck {
    /// The planned actions for `address` are exactly `actions` (e.g. `["create"]`, `["update"]`, `["no-op"]`).
    pub fn actions(address: &str, actions: &[&str]) -> PlanCheck {
        let address = address.to_owned();
        let expected: Vec<String> = actions.iter().map(|a| (*a).to_owned()).collect();
        PlanCheck::custom(format!("{address} plans {expected:?}"), move |plan| {
            let actual = plan.actions(&address);
            if actual == expected { Ok(()) } else { Err(format!("{address} plans {actual:?}, expected {expected:?}")) }
        })
    }

    /// `address` is replaced (destroyed and created, in either order).
    pub fn replaced(address: &str) -> PlanCheck {
        let address = address.to_owned();
        PlanCheck::custom(format!("{address} is replaced"), move |plan| {
            let actual = plan.actions(&address);
            let replaced =
                actual.len() == 2 && actual.contains(&"delete".to_owned()) && actual.contains(&"create".to_owned());
            if replaced { Ok(()) } else { Err(format!("{address} plans {actual:?}, expected a replacement")) }
        })
    }

    /// The plan changes nothing.
    pub fn empty() -> PlanCheck {
        PlanCheck::custom("the plan is empty", |plan| {
            if plan.is_empty() {
                Ok(())
            } else {
                Err(format!("the plan has changes: {}", plan.json["resource_changes"]))
            }
        })
    }

    /// The planned value at the dotted `path` of `address` is unknown ("known after apply").
    pub fn unknown(address: &str, path: &str) -> PlanCheck {
        let (address, path) = (address.to_owned(), path.to_owned());
        PlanCheck::custom(format!("{address}.{path} is unknown in the plan"), move |plan| {
            let change = plan.change(&address).ok_or_else(|| format!("the plan does not mention {address}"))?;
            match lookup(&change["after_unknown"], &path) {
                Some(Json::Bool(true)) => Ok(()),
                other => Err(format!(
                    "{address}.{path}: after_unknown is {other:?}, after is {:?}",
                    lookup(&change["after"], &path)
                )),
            }
        })
    }

    /// The planned value at the dotted `path` of `address` is `expected`.
    pub fn after(address: &str, path: &str, expected: impl Into<Json>) -> PlanCheck {
        PlanCheck::value("after", "is planned as", address, path, expected.into())
    }

    /// The value at the dotted `path` of `address` before the change is `expected`: with a refresh, what the
    /// provider read, so drift checks can see that the out-of-band value reached the plan.
    pub fn before(address: &str, path: &str, expected: impl Into<Json>) -> PlanCheck {
        PlanCheck::value("before", "reads as", address, path, expected.into())
    }

    fn value(side: &'static str, verb: &'static str, address: &str, path: &str, expected: Json) -> PlanCheck {
        let (address, path) = (address.to_owned(), path.to_owned());
        PlanCheck::custom(format!("{address}.{path} {verb} {expected}"), move |plan| {
            let change = plan.change(&address).ok_or_else(|| format!("the plan does not mention {address}"))?;
            match lookup(&change[side], &path) {
                Some(actual) if *actual == expected => Ok(()),
                other => Err(format!("{address}.{path} {verb} {other:?}, expected {expected}")),
            }
        })
    }

    /// Any check; return `Err` with an explanation when it fails.
    pub fn custom(
        description: impl Into<String>,
        check: impl Fn(&PlanJson) -> Result<(), String> + 'static,
    ) -> PlanCheck {
        PlanCheck { description: description.into(), check: Box::new(check) }
    }

    pub(crate) fn run(&self, plan: &PlanJson) -> Result<(), String> {
        (self.check)(plan).map_err(|e| format!("plan check `{}` failed: {e}", self.description))
    }
}

/// Differences between two resources' values, as dotted paths, ignoring paths that start with any of `ignore`
/// (whole segments: `settings` ignores `settings.x` but not `settings_other`) and `timeouts`.
pub(crate) fn differences(original: &Json, imported: &Json, ignore: &[String]) -> Vec<String> {
    let mut left = Vec::new();
    let mut right = Vec::new();
    flatten(original, String::new(), &mut left);
    flatten(imported, String::new(), &mut right);
    let ignored = |path: &str| {
        ignore.iter().chain(std::iter::once(&"timeouts".to_owned())).any(|prefix| {
            path == prefix || path.strip_prefix(prefix.as_str()).is_some_and(|rest| rest.starts_with('.'))
        })
    };
    let left: std::collections::BTreeMap<String, Json> = left.into_iter().filter(|(p, _)| !ignored(p)).collect();
    let right: std::collections::BTreeMap<String, Json> = right.into_iter().filter(|(p, _)| !ignored(p)).collect();
    let mut paths: Vec<&String> = left.keys().chain(right.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|p| left.get(*p) != right.get(*p))
        .map(|p| format!("{p}: {} (original) vs {} (imported)", show(left.get(p)), show(right.get(p))))
        .collect()
}

fn show(value: Option<&Json>) -> String {
    value.map_or_else(|| "absent".to_owned(), Json::to_string)
}

fn flatten(value: &Json, path: String, out: &mut Vec<(String, Json)>) {
    let join = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    match value {
        Json::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                flatten(v, join(key), out);
            }
        }
        Json::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                flatten(v, join(&i.to_string()), out);
            }
        }
        other => out.push((path, other.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_honour_the_ignore_list_by_whole_segments() {
        let a =
            json!({"id": "1", "secret": "s", "settings": {"x": 1}, "settings_other": 1, "timeouts": {"create": "1m"}});
        let b = json!({"id": "1", "secret": null, "settings": {"x": 2}, "settings_other": 2, "timeouts": null});
        let diffs = differences(&a, &b, &["secret".to_owned(), "settings".to_owned()]);
        assert_eq!(diffs, ["settings_other: 1 (original) vs 2 (imported)"]);
    }

    #[test]
    fn state_checks_explain_failures() {
        let state = State::parse(r#"{"values":{"root_module":{"resources":[{"address":"x.a","values":{"n":"v"}}]}}}"#);
        assert!(StateCheck::attr("x.a", "n", "v").run(&state).is_ok());
        let err = StateCheck::attr("x.a", "n", "w").run(&state).unwrap_err();
        assert!(err.contains("expected \"w\""), "{err}");
        assert!(StateCheck::attr_null("x.a", "missing").run(&state).is_ok());
        assert!(StateCheck::resource_count(1).run(&state).is_ok());
    }
}
