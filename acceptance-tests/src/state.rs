//! Reading `terraform show -json` output: the state after apply, and saved plans.

use serde_json::Value as Json;

/// The JSON state (`terraform show -json`).
#[derive(Debug, Clone)]
pub struct State {
    /// The whole document.
    pub json: Json,
}

impl State {
    /// Parses `show -json` output.
    ///
    /// # Panics
    /// If the text is not JSON.
    pub fn parse(text: &str) -> State {
        State {
            json: serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("show -json printed invalid JSON ({e}): {text}")),
        }
    }

    /// Every resource in the root module and its child modules, as `show -json` lists them.
    pub fn resources(&self) -> Vec<&Json> {
        fn collect<'a>(module: &'a Json, out: &mut Vec<&'a Json>) {
            if let Some(resources) = module["resources"].as_array() {
                out.extend(resources);
            }
            if let Some(children) = module["child_modules"].as_array() {
                for child in children {
                    collect(child, out);
                }
            }
        }
        let mut out = Vec::new();
        collect(&self.json["values"]["root_module"], &mut out);
        out
    }

    /// The resource at `address` (e.g. `entra_cross_tenant_partner.contoso`).
    pub fn resource(&self, address: &str) -> Option<&Json> {
        self.resources().into_iter().find(|r| r["address"] == address)
    }

    /// The attribute values of the resource at `address`.
    ///
    /// # Panics
    /// If there is no such resource, listing the addresses that exist.
    #[track_caller]
    pub fn values(&self, address: &str) -> &Json {
        match self.resource(address) {
            Some(resource) => &resource["values"],
            None => panic!("no resource {address} in the state; it has {:?}", self.addresses()),
        }
    }

    /// The value at `path` of the resource at `address`; `path` is dotted, with list indexes as numbers
    /// (`settings.targets.0.target`). `None` when the resource or the path does not exist.
    pub fn attr(&self, address: &str, path: &str) -> Option<&Json> {
        lookup(&self.resource(address)?["values"], path)
    }

    /// The addresses of all resources.
    pub fn addresses(&self) -> Vec<String> {
        self.resources().iter().filter_map(|r| r["address"].as_str().map(str::to_owned)).collect()
    }
}

/// Follows a dotted path through JSON objects and arrays.
pub fn lookup<'a>(value: &'a Json, path: &str) -> Option<&'a Json> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.').try_fold(value, |current, step| match current {
        Json::Object(map) => map.get(step),
        Json::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// A saved plan (`terraform show -json tfplan`).
#[derive(Debug, Clone)]
pub struct PlanJson {
    /// The whole document.
    pub json: Json,
}

impl PlanJson {
    /// Parses `show -json <planfile>` output.
    ///
    /// # Panics
    /// If the text is not JSON.
    pub fn parse(text: &str) -> PlanJson {
        PlanJson {
            json: serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("show -json printed invalid JSON ({e}): {text}")),
        }
    }

    /// The `resource_changes` entries.
    pub fn resource_changes(&self) -> Vec<&Json> {
        self.json["resource_changes"].as_array().map(|a| a.iter().collect()).unwrap_or_default()
    }

    /// The change planned for the resource at `address`.
    pub fn change(&self, address: &str) -> Option<&Json> {
        self.resource_changes().into_iter().find(|c| c["address"] == address).map(|c| &c["change"])
    }

    /// The planned actions for `address` (`["create"]`, `["update"]`, `["delete","create"]`, `["no-op"]`, ...);
    /// empty when the plan does not mention it.
    pub fn actions(&self, address: &str) -> Vec<String> {
        self.change(address)
            .and_then(|c| c["actions"].as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// True when every resource change and output change is a no-op, as terraform-plugin-testing defines an empty
    /// plan.
    pub fn is_empty(&self) -> bool {
        let no_op = |change: &Json| change["actions"].as_array().is_some_and(|a| a.len() == 1 && a[0] == "no-op");
        let resources = self.resource_changes().into_iter().all(|c| no_op(&c["change"]));
        let outputs = self.json["output_changes"].as_object().is_none_or(|o| o.values().all(no_op));
        resources && outputs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_lookup_walks_modules_objects_and_lists() {
        let state = State::parse(
            r#"{"values":{"root_module":{"resources":[{"address":"x.a","values":{"n":{"l":[{"v":1}]}}}],
                "child_modules":[{"resources":[{"address":"module.m.x.b","values":{"id":"b"}}]}]}}}"#,
        );
        assert_eq!(state.attr("x.a", "n.l.0.v"), Some(&Json::from(1)));
        assert_eq!(state.attr("module.m.x.b", "id"), Some(&Json::from("b")));
        assert_eq!(state.attr("x.a", "n.missing"), None);
        assert_eq!(state.addresses(), ["x.a", "module.m.x.b"]);
    }

    #[test]
    fn plan_actions_and_emptiness() {
        let plan = PlanJson::parse(
            r#"{"resource_changes":[{"address":"x.a","change":{"actions":["delete","create"]}},
                {"address":"x.b","change":{"actions":["no-op"]}}]}"#,
        );
        assert_eq!(plan.actions("x.a"), ["delete", "create"]);
        assert!(!plan.is_empty());
        let empty = PlanJson::parse(r#"{"resource_changes":[{"address":"x.b","change":{"actions":["no-op"]}}]}"#);
        assert!(empty.is_empty());
    }
}
