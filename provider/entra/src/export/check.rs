//! `export --check DIR`: which objects of the tenant a Terraform configuration does not manage.
//!
//! An object counts as managed when the configuration in `DIR` or its state says so:
//! - **configuration** (the `.tf` files directly in `DIR`, as Terraform reads a root module): a resource block of
//!   the object's type whose `tenant_id` is the literal tenant id; an identity synchronization resource whose
//!   `tenant_id` references a partner resource (`entra_cross_tenant_partner.NAME.tenant_id` or `.id`) with that
//!   literal tenant id; an `import` block with the object's type in `to` and the tenant id as `id`; for the
//!   singletons (the policy, the default configuration, the multi-tenant organization and its two templates), any
//!   resource (or import) of their type. When a resource's `tenant_id` is computed instead (`for_each`, variables,
//!   locals), every GUID written as a string anywhere in the configuration, including `*.tfvars` files in `DIR`,
//!   counts as a tenant id of that resource type.
//! - cross-tenant synchronization **configurations** have no id a configuration writes: one counts as managed when
//!   an `import` block names its service principal id, or a resource's literal `display_name` is its name. Their
//!   **assignments** count when an `import` block names `{configuration_id}/{assignment_id}`, or a resource's
//!   literal `principal_id` is the principal and its `configuration_id` is the configuration's id as a literal or a
//!   reference (`entra_cross_tenant_sync_configuration.NAME.id`) to a resource that manages it. Computed values
//!   make every string literal count, as for tenant ids.
//! - **state**: `DIR/terraform.tfstate` if it exists, or the file given with `--state` (the output of `terraform
//!   state pull`, or of `terraform show -json`, so remote backends work too): every resource of the provider's
//!   types in it, in any module (configurations and assignments by their ids).
//!
//! Modules called from `DIR` are not read; pass their state with `--state` to count what they manage.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::visit::{self, Visit};
use serde_json::Value as Json;
use tfplugin::validators::is_guid;

use crate::resources::{
    cross_tenant_access_policy, cross_tenant_default, cross_tenant_identity_sync, cross_tenant_partner,
    cross_tenant_sync_assignment, cross_tenant_sync_configuration, multi_tenant_organization,
    multi_tenant_organization_identity_sync_template, multi_tenant_organization_partner_template,
};

/// Why the configuration or state could not be read; the message is meant for the user as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError(pub String);

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CheckError {}

/// What a configuration directory (and its state) manages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Managed {
    /// Partner tenant ids (lowercase) with an `entra_cross_tenant_partner`.
    pub partners: BTreeSet<String>,
    /// Partner tenant ids (lowercase) with an `entra_cross_tenant_identity_sync`.
    pub identity_syncs: BTreeSet<String>,
    /// An `entra_cross_tenant_default` exists.
    pub default: bool,
    /// An `entra_cross_tenant_access_policy` exists.
    pub policy: bool,
    /// An `entra_multi_tenant_organization` exists.
    pub multi_tenant_organization: bool,
    /// An `entra_multi_tenant_organization_partner_template` exists.
    pub partner_template: bool,
    /// An `entra_multi_tenant_organization_identity_sync_template` exists.
    pub identity_sync_template: bool,
    /// Service principal ids (lowercase) of the cross-tenant synchronization configurations imported or in state.
    pub sync_configuration_ids: BTreeSet<String>,
    /// Literal display names of `entra_cross_tenant_sync_configuration` resources.
    pub sync_configuration_names: BTreeSet<String>,
    /// Some configuration resource's display name or import id is computed, so string literals count.
    pub dynamic_sync_configurations: bool,
    /// Assignments imported or in state, as `(configuration id (lowercase), assignment id)`.
    pub sync_assignment_ids: BTreeSet<(String, String)>,
    /// Assignment resources with a literal principal id (lowercase), by the configuration they name.
    pub sync_assignment_principals: BTreeSet<(ConfigurationKey, String)>,
    /// Some assignment resource's principal or configuration is computed, so GUID literals count as principals.
    pub dynamic_sync_assignments: bool,
    /// Every string literal in the configuration, as written (display names are compared exactly).
    pub string_literals: BTreeSet<String>,
    /// Some partner resource's tenant id is computed, so GUID literals count (see the module documentation).
    pub dynamic_partners: bool,
    /// Some identity synchronization resource's tenant id is computed.
    pub dynamic_identity_syncs: bool,
    /// Every GUID written as a string in the configuration (lowercase).
    pub guid_literals: BTreeSet<String>,
    /// The files that were read, for the report.
    pub sources: Vec<PathBuf>,
}

/// How an assignment resource names its configuration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConfigurationKey {
    /// By the service principal id (lowercase): a literal, or a reference to a resource imported with that id.
    Id(String),
    /// By reference to a resource with this literal display name.
    DisplayName(String),
}

/// A cross-tenant synchronization configuration of the tenant, as `--check` compares it.
#[derive(Debug, Clone, Copy)]
pub struct SyncConfigurationRef<'a> {
    /// The service principal id.
    pub id: &'a str,
    /// Its display name.
    pub display_name: &'a str,
}

impl Managed {
    /// Whether the cross-tenant synchronization configuration is managed.
    pub fn has_sync_configuration(&self, configuration: SyncConfigurationRef<'_>) -> bool {
        let id = configuration.id.to_ascii_lowercase();
        self.sync_configuration_ids.contains(&id)
            || self.sync_configuration_names.contains(configuration.display_name)
            || (self.dynamic_sync_configurations
                && (self.guid_literals.contains(&id) || self.string_literals.contains(configuration.display_name)))
    }

    /// Whether the assignment `assignment_id` of `principal_id` to the configuration is managed.
    pub fn has_sync_assignment(
        &self,
        configuration: SyncConfigurationRef<'_>,
        assignment_id: &str,
        principal_id: &str,
    ) -> bool {
        let id = configuration.id.to_ascii_lowercase();
        let principal = principal_id.to_ascii_lowercase();
        self.sync_assignment_ids.contains(&(id.clone(), assignment_id.to_owned()))
            || self.sync_assignment_principals.contains(&(ConfigurationKey::Id(id), principal.clone()))
            || self
                .sync_assignment_principals
                .contains(&(ConfigurationKey::DisplayName(configuration.display_name.to_owned()), principal.clone()))
            || (self.dynamic_sync_assignments && self.guid_literals.contains(&principal))
    }

    /// Whether the partner configuration of `tenant_id` is managed.
    pub fn has_partner(&self, tenant_id: &str) -> bool {
        let tenant = tenant_id.to_ascii_lowercase();
        self.partners.contains(&tenant) || (self.dynamic_partners && self.guid_literals.contains(&tenant))
    }

    /// Whether the identity synchronization policy of `tenant_id` is managed.
    pub fn has_identity_sync(&self, tenant_id: &str) -> bool {
        let tenant = tenant_id.to_ascii_lowercase();
        self.identity_syncs.contains(&tenant) || (self.dynamic_identity_syncs && self.guid_literals.contains(&tenant))
    }
}

/// Reads the configuration in `dir`, and the state: `state_file` if given, else `dir/terraform.tfstate` if it
/// exists.
pub fn managed(dir: &Path, state_file: Option<&Path>) -> Result<Managed, CheckError> {
    let mut managed = Managed::default();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CheckError(format!("reading the configuration directory {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    let mut configuration = Configuration::default();
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let is_tf = name.ends_with(".tf");
        let is_tfvars = name.ends_with(".tfvars");
        if name.starts_with('.') || !(is_tf || is_tfvars) {
            continue;
        }
        let text = std::fs::read_to_string(path).map_err(|e| CheckError(format!("reading {}: {e}", path.display())))?;
        let body = hcl_edit::parser::parse_body(&text)
            .map_err(|e| CheckError(format!("{} is not valid HCL: {e}", path.display())))?;
        let mut literals = Literals::default();
        literals.visit_body(&body);
        managed.guid_literals.extend(literals.guids);
        managed.string_literals.extend(literals.strings);
        if is_tf {
            configuration.read(&body);
        }
        managed.sources.push(path.clone());
    }
    configuration.resolve(&mut managed);
    if let Some(found) = match state_file {
        Some(path) => Some(path.to_path_buf()),
        None => Some(dir.join("terraform.tfstate")).filter(|p| p.is_file()),
    } {
        let text =
            std::fs::read_to_string(&found).map_err(|e| CheckError(format!("reading {}: {e}", found.display())))?;
        let json: Json = serde_json::from_str(&text)
            .map_err(|e| CheckError(format!("{} is not a Terraform state in JSON: {e}", found.display())))?;
        read_state(&json, &mut managed);
        managed.sources.push(found);
    }
    Ok(managed)
}

/// What the `.tf` files declare, before identity synchronization references are resolved.
#[derive(Default)]
struct Configuration {
    /// Partner resource name → its literal tenant id (lowercase), `None` when computed.
    partner_names: BTreeMap<String, Option<String>>,
    partners: BTreeSet<String>,
    identity_syncs: BTreeSet<String>,
    /// Partner resource names identity synchronization resources reference.
    sync_references: Vec<String>,
    default: bool,
    policy: bool,
    multi_tenant_organization: bool,
    partner_template: bool,
    identity_sync_template: bool,
    dynamic_partners: bool,
    dynamic_identity_syncs: bool,
    /// Configuration resource name → its literal display name.
    configuration_names: BTreeMap<String, Option<String>>,
    /// Configuration resource name → the ids (lowercase) import blocks give it.
    configuration_imports: BTreeMap<String, Vec<String>>,
    /// Configuration ids (lowercase) of import blocks.
    sync_configuration_ids: BTreeSet<String>,
    dynamic_sync_configurations: bool,
    /// Assignment resources: (their configuration, literal principal id (lowercase)).
    assignments: Vec<(AssignmentConfiguration, String)>,
    sync_assignment_ids: BTreeSet<(String, String)>,
    dynamic_sync_assignments: bool,
}

/// The `configuration_id` of an assignment resource.
enum AssignmentConfiguration {
    /// A literal service principal id (lowercase).
    Id(String),
    /// A reference to the configuration resource of this name.
    Resource(String),
}

impl Configuration {
    fn read(&mut self, body: &Body) {
        for block in body.blocks() {
            match block.ident.as_str() {
                "resource" => self.resource(block),
                "import" => self.import(block),
                _ => {}
            }
        }
    }

    fn resource(&mut self, block: &Block) {
        let [kind, name] = block.labels.as_slice() else { return };
        let tenant = block.body.get_attribute("tenant_id").map(|a| &a.value);
        let literal = tenant.and_then(literal_guid);
        match kind.as_str() {
            cross_tenant_partner::TYPE_NAME => {
                match &literal {
                    Some(tenant) => {
                        self.partners.insert(tenant.clone());
                    }
                    None => self.dynamic_partners = true,
                }
                self.partner_names.insert(name.as_str().to_owned(), literal);
            }
            cross_tenant_identity_sync::TYPE_NAME => match (literal, tenant.and_then(partner_reference)) {
                (Some(tenant), _) => {
                    self.identity_syncs.insert(tenant);
                }
                (None, Some(partner)) => self.sync_references.push(partner),
                (None, None) => self.dynamic_identity_syncs = true,
            },
            cross_tenant_sync_configuration::TYPE_NAME => {
                let display_name = block.body.get_attribute("display_name").and_then(|a| a.value.as_str());
                let display_name = display_name.map(str::to_owned);
                self.dynamic_sync_configurations |= display_name.is_none();
                self.configuration_names.insert(name.as_str().to_owned(), display_name);
            }
            cross_tenant_sync_assignment::TYPE_NAME => {
                let principal = block.body.get_attribute("principal_id").and_then(|a| literal_guid(&a.value));
                let configuration = block.body.get_attribute("configuration_id").map(|a| &a.value).and_then(|value| {
                    literal_guid(value).map(AssignmentConfiguration::Id).or_else(|| {
                        reference(value, cross_tenant_sync_configuration::TYPE_NAME, &["id", "service_principal_id"])
                            .map(AssignmentConfiguration::Resource)
                    })
                });
                match (configuration, principal) {
                    (Some(configuration), Some(principal)) => self.assignments.push((configuration, principal)),
                    _ => self.dynamic_sync_assignments = true,
                }
            }
            cross_tenant_default::TYPE_NAME => self.default = true,
            cross_tenant_access_policy::TYPE_NAME => self.policy = true,
            multi_tenant_organization::TYPE_NAME => self.multi_tenant_organization = true,
            multi_tenant_organization_partner_template::TYPE_NAME => self.partner_template = true,
            multi_tenant_organization_identity_sync_template::TYPE_NAME => self.identity_sync_template = true,
            _ => {}
        }
    }

    fn import(&mut self, block: &Block) {
        let Some(to) = block.body.get_attribute("to") else { return };
        let Expression::Traversal(traversal) = &to.value else { return };
        let Expression::Variable(kind) = &traversal.expr else { return };
        // `for_each` imports name their ids through expressions: every literal then counts.
        let repeated = block.body.get_attribute("for_each").is_some();
        let id_value = block.body.get_attribute("id").map(|a| &a.value);
        let id = id_value.and_then(literal_guid);
        if kind.as_str() == cross_tenant_sync_configuration::TYPE_NAME {
            match (id, repeated) {
                (Some(id), false) => {
                    if let Some(TraversalOperator::GetAttr(name)) = traversal.operators.first().map(|o| o.value()) {
                        self.configuration_imports.entry(name.as_str().to_owned()).or_default().push(id.clone());
                    }
                    self.sync_configuration_ids.insert(id);
                }
                _ => self.dynamic_sync_configurations = true,
            }
            return;
        }
        if kind.as_str() == cross_tenant_sync_assignment::TYPE_NAME {
            let parts = id_value.and_then(|v| v.as_str()).and_then(|id| id.trim().split_once('/'));
            match (parts, repeated) {
                (Some((configuration, assignment)), false) if is_guid(configuration) => {
                    self.sync_assignment_ids.insert((configuration.to_ascii_lowercase(), assignment.to_owned()));
                }
                _ => self.dynamic_sync_assignments = true,
            }
            return;
        }
        match (kind.as_str(), id) {
            (cross_tenant_partner::TYPE_NAME, Some(id)) if !repeated => {
                self.partners.insert(id);
            }
            (cross_tenant_partner::TYPE_NAME, _) => self.dynamic_partners |= repeated,
            (cross_tenant_identity_sync::TYPE_NAME, Some(id)) if !repeated => {
                self.identity_syncs.insert(id);
            }
            (cross_tenant_identity_sync::TYPE_NAME, _) => self.dynamic_identity_syncs |= repeated,
            (cross_tenant_default::TYPE_NAME, _) => self.default = true,
            (cross_tenant_access_policy::TYPE_NAME, _) => self.policy = true,
            (multi_tenant_organization::TYPE_NAME, _) => self.multi_tenant_organization = true,
            (multi_tenant_organization_partner_template::TYPE_NAME, _) => self.partner_template = true,
            (multi_tenant_organization_identity_sync_template::TYPE_NAME, _) => self.identity_sync_template = true,
            _ => {}
        }
    }

    fn resolve(self, managed: &mut Managed) {
        managed.multi_tenant_organization |= self.multi_tenant_organization;
        managed.partner_template |= self.partner_template;
        managed.identity_sync_template |= self.identity_sync_template;
        managed.sync_configuration_ids.extend(self.sync_configuration_ids);
        managed.sync_configuration_names.extend(self.configuration_names.values().flatten().cloned());
        managed.dynamic_sync_configurations |= self.dynamic_sync_configurations;
        managed.sync_assignment_ids.extend(self.sync_assignment_ids);
        managed.dynamic_sync_assignments |= self.dynamic_sync_assignments;
        for (configuration, principal) in self.assignments {
            let keys = match configuration {
                AssignmentConfiguration::Id(id) => vec![ConfigurationKey::Id(id)],
                AssignmentConfiguration::Resource(name) => {
                    let mut keys: Vec<ConfigurationKey> = self
                        .configuration_imports
                        .get(&name)
                        .into_iter()
                        .flatten()
                        .map(|id| ConfigurationKey::Id(id.clone()))
                        .collect();
                    match self.configuration_names.get(&name) {
                        Some(Some(display_name)) => keys.push(ConfigurationKey::DisplayName(display_name.clone())),
                        // Not in these files (a typo Terraform reports), or named by an expression.
                        _ if keys.is_empty() => managed.dynamic_sync_assignments = true,
                        _ => {}
                    }
                    keys
                }
            };
            for key in keys {
                managed.sync_assignment_principals.insert((key, principal.clone()));
            }
        }
        managed.partners.extend(self.partners);
        managed.identity_syncs.extend(self.identity_syncs);
        managed.default |= self.default;
        managed.policy |= self.policy;
        managed.dynamic_partners |= self.dynamic_partners;
        managed.dynamic_identity_syncs |= self.dynamic_identity_syncs;
        for name in self.sync_references {
            match self.partner_names.get(&name) {
                Some(Some(tenant)) => {
                    managed.identity_syncs.insert(tenant.clone());
                }
                // A partner with a computed tenant id, or one not in these files (a typo Terraform will report).
                _ => managed.dynamic_identity_syncs = true,
            }
        }
    }
}

/// The expression's value when it is a string literal holding a GUID, lowercased.
fn literal_guid(expression: &Expression) -> Option<String> {
    expression.as_str().map(str::trim).filter(|s| is_guid(s)).map(str::to_ascii_lowercase)
}

/// `entra_cross_tenant_partner.NAME.tenant_id` (or `.id`) → `NAME`. An index (`NAME[each.key]`) makes it computed.
fn partner_reference(expression: &Expression) -> Option<String> {
    reference(expression, cross_tenant_partner::TYPE_NAME, &["tenant_id", "id"])
}

/// `KIND.NAME.ATTRIBUTE` with one of `attributes` → `NAME`; an index (`NAME[each.key]`) makes it computed (`None`).
fn reference(expression: &Expression, kind: &str, attributes: &[&str]) -> Option<String> {
    let Expression::Traversal(traversal) = expression else { return None };
    let Expression::Variable(root) = &traversal.expr else { return None };
    if root.as_str() != kind {
        return None;
    }
    match traversal.operators.iter().map(|o| o.value()).collect::<Vec<_>>().as_slice() {
        [TraversalOperator::GetAttr(name), TraversalOperator::GetAttr(attribute)]
            if attributes.contains(&attribute.as_str()) =>
        {
            Some(name.as_str().to_owned())
        }
        _ => None,
    }
}

/// Collects every string literal (or literal text of a template), and the GUIDs among them.
#[derive(Default)]
struct Literals {
    guids: BTreeSet<String>,
    strings: BTreeSet<String>,
}

impl Visit for Literals {
    fn visit_string(&mut self, node: &hcl_edit::Decorated<String>) {
        self.add(node.value());
    }

    fn visit_literal(&mut self, node: &hcl_edit::Spanned<String>) {
        self.add(node.value());
    }

    fn visit_body(&mut self, node: &Body) {
        visit::visit_body(self, node);
    }
}

impl Literals {
    fn add(&mut self, text: &str) {
        let trimmed = text.trim();
        if is_guid(trimmed) {
            self.guids.insert(trimmed.to_ascii_lowercase());
        }
        self.strings.insert(text.to_owned());
    }
}

/// Adds the resources of a state: Terraform's own format (`terraform state pull`, `terraform.tfstate`) or `terraform
/// show -json`'s.
fn read_state(json: &Json, managed: &mut Managed) {
    let mut add = |kind: &str, attributes: &Json| {
        let tenant = attributes.get("tenant_id").and_then(Json::as_str).map(str::to_ascii_lowercase);
        let text = |name: &str| attributes.get(name).and_then(Json::as_str).map(str::trim).filter(|t| !t.is_empty());
        match kind {
            cross_tenant_sync_configuration::TYPE_NAME => {
                if let Some(id) = text("id") {
                    managed.sync_configuration_ids.insert(id.to_ascii_lowercase());
                }
                return;
            }
            cross_tenant_sync_assignment::TYPE_NAME => {
                if let (Some(configuration), Some(id)) = (text("configuration_id"), text("id")) {
                    managed.sync_assignment_ids.insert((configuration.to_ascii_lowercase(), id.to_owned()));
                }
                return;
            }
            multi_tenant_organization::TYPE_NAME => managed.multi_tenant_organization = true,
            multi_tenant_organization_partner_template::TYPE_NAME => managed.partner_template = true,
            multi_tenant_organization_identity_sync_template::TYPE_NAME => managed.identity_sync_template = true,
            _ => {}
        }
        match (kind, tenant) {
            (cross_tenant_partner::TYPE_NAME, Some(tenant)) => {
                managed.partners.insert(tenant);
            }
            (cross_tenant_identity_sync::TYPE_NAME, Some(tenant)) => {
                managed.identity_syncs.insert(tenant);
            }
            (cross_tenant_default::TYPE_NAME, _) => managed.default = true,
            (cross_tenant_access_policy::TYPE_NAME, _) => managed.policy = true,
            _ => {}
        }
    };
    // Terraform's state format: resources[].instances[].attributes, modules flattened.
    for resource in json.get("resources").and_then(Json::as_array).into_iter().flatten() {
        if resource.get("mode").and_then(Json::as_str) != Some("managed") {
            continue;
        }
        let kind = resource.get("type").and_then(Json::as_str).unwrap_or_default();
        for instance in resource.get("instances").and_then(Json::as_array).into_iter().flatten() {
            add(kind, instance.get("attributes").unwrap_or(&Json::Null));
        }
    }
    // `terraform show -json`: values.root_module with resources[] and child_modules[].
    fn walk(module: &Json, add: &mut dyn FnMut(&str, &Json)) {
        for resource in module.get("resources").and_then(Json::as_array).into_iter().flatten() {
            if resource.get("mode").and_then(Json::as_str) == Some("managed") {
                let kind = resource.get("type").and_then(Json::as_str).unwrap_or_default();
                add(kind, resource.get("values").unwrap_or(&Json::Null));
            }
        }
        for child in module.get("child_modules").and_then(Json::as_array).into_iter().flatten() {
            walk(child, add);
        }
    }
    if let Some(root) = json.get("values").and_then(|v| v.get("root_module")) {
        walk(root, &mut add);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CONTOSO: &str = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";
    const FABRIKAM: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";
    const TRUESEC: &str = "07d2f395-f69c-43ab-88a2-b82f1151042d";

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn literal_tenant_ids_references_and_imports_count() {
        let dir = dir_with(&[
            (
                "partners.tf",
                &format!(
                    r#"
resource "entra_cross_tenant_partner" "contoso" {{
  tenant_id = "{}"
}}
resource "entra_cross_tenant_identity_sync" "contoso" {{
  tenant_id = entra_cross_tenant_partner.contoso.tenant_id
}}
# A comment naming {FABRIKAM} does not count.
resource "entra_cross_tenant_default" "this" {{}}
"#,
                    CONTOSO.to_uppercase()
                ),
            ),
            (
                "imports.tf",
                &format!("import {{\n  to = entra_cross_tenant_partner.truesec\n  id = \"{TRUESEC}\"\n}}\n"),
            ),
            ("notes.md", FABRIKAM),
        ]);
        let managed = managed(dir.path(), None).unwrap();
        assert!(managed.has_partner(CONTOSO) && managed.has_identity_sync(CONTOSO));
        assert!(managed.has_partner(TRUESEC) && !managed.has_identity_sync(TRUESEC));
        assert!(!managed.has_partner(FABRIKAM), "comments and other files do not count");
        assert!(managed.default && !managed.policy);
        assert!(!managed.dynamic_partners && !managed.dynamic_identity_syncs);
        assert_eq!(managed.sources.len(), 2);
    }

    #[test]
    fn computed_tenant_ids_make_every_guid_literal_count() {
        let dir = dir_with(&[
            (
                "main.tf",
                r#"
resource "entra_cross_tenant_partner" "p" {
  for_each  = var.partners
  tenant_id = each.value
}
resource "entra_cross_tenant_identity_sync" "s" {
  for_each  = var.partners
  tenant_id = entra_cross_tenant_partner.p[each.key].tenant_id
}
"#,
            ),
            ("terraform.tfvars", &format!("partners = {{ contoso = \"{CONTOSO}\" }}\n")),
        ]);
        let managed = managed(dir.path(), None).unwrap();
        assert!(managed.dynamic_partners && managed.dynamic_identity_syncs);
        assert!(managed.has_partner(CONTOSO) && managed.has_identity_sync(CONTOSO));
        assert!(!managed.has_partner(FABRIKAM));
    }

    #[test]
    fn state_files_in_both_formats_count() {
        let raw = json!({
            "version": 4,
            "resources": [
                {"mode": "managed", "type": "entra_cross_tenant_partner", "name": "p", "module": "module.m",
                 "instances": [{"attributes": {"tenant_id": FABRIKAM}}]},
                {"mode": "data", "type": "entra_cross_tenant_partner", "name": "d",
                 "instances": [{"attributes": {"tenant_id": TRUESEC}}]},
                {"mode": "managed", "type": "entra_cross_tenant_access_policy", "name": "this",
                 "instances": [{"attributes": {"id": "policy"}}]}
            ]
        });
        let dir = dir_with(&[("terraform.tfstate", &raw.to_string())]);
        let found = managed(dir.path(), None).unwrap();
        assert!(found.has_partner(FABRIKAM) && !found.has_partner(TRUESEC) && found.policy);

        let shown = json!({"values": {"root_module": {"resources": [], "child_modules": [
            {"resources": [{"mode": "managed", "type": "entra_cross_tenant_identity_sync", "values": {"tenant_id": CONTOSO}}]}
        ]}}});
        let state = dir.path().join("show.json");
        std::fs::write(&state, shown.to_string()).unwrap();
        let found = managed(dir.path(), Some(&state)).unwrap();
        assert!(found.has_identity_sync(CONTOSO) && !found.has_partner(FABRIKAM), "--state replaces terraform.tfstate");
    }

    const SP: &str = "5c000000-0000-4000-8000-0000000000aa";
    const OTHER_SP: &str = "5c000000-0000-4000-8000-0000000000bb";
    const SALES: &str = "96a00000-0001-4000-8000-000000000001";
    const ADELE: &str = "a5e40000-0001-4000-8000-000000000001";

    fn fabrikam(id: &str) -> SyncConfigurationRef<'_> {
        SyncConfigurationRef { id, display_name: "Fabrikam" }
    }

    #[test]
    fn sync_configurations_count_by_import_id_or_display_name_and_assignments_by_principal() {
        // Written by hand: the configuration by its name, assignments referencing it.
        let dir = dir_with(&[(
            "sync.tf",
            &format!(
                r#"
resource "entra_cross_tenant_sync_configuration" "fabrikam" {{
  display_name     = "Fabrikam"
  target_tenant_id = "{FABRIKAM}"
}}
resource "entra_cross_tenant_sync_assignment" "sales" {{
  configuration_id = entra_cross_tenant_sync_configuration.fabrikam.id
  principal_id     = "{}"
}}
resource "entra_multi_tenant_organization" "this" {{
  display_name = "Contoso group"
}}
"#,
                SALES.to_uppercase()
            ),
        )]);
        let found = managed(dir.path(), None).unwrap();
        assert!(found.has_sync_configuration(fabrikam(SP)), "any configuration named Fabrikam");
        assert!(!found.has_sync_configuration(SyncConfigurationRef { id: SP, display_name: "fabrikam" }));
        assert!(found.has_sync_assignment(fabrikam(SP), "x", SALES));
        assert!(!found.has_sync_assignment(fabrikam(SP), "y", ADELE));
        assert!(!found.has_sync_assignment(SyncConfigurationRef { id: SP, display_name: "Contoso" }, "x", SALES));
        assert!(found.multi_tenant_organization && !found.partner_template && !found.identity_sync_template);

        // As exported: import blocks name the ids; assignments reference the imported resource.
        let dir = dir_with(&[(
            "sync.tf",
            &format!(
                r#"
resource "entra_cross_tenant_sync_configuration" "renamed" {{
  display_name     = var.name
  target_tenant_id = "{FABRIKAM}"
}}
resource "entra_cross_tenant_sync_assignment" "adele" {{
  configuration_id = entra_cross_tenant_sync_configuration.renamed.id
  principal_id     = "{ADELE}"
}}
import {{
  to = entra_cross_tenant_sync_configuration.renamed
  id = "{SP}"
}}
import {{
  to = entra_cross_tenant_sync_assignment.sales
  id = "{SP}/gAssignmentSales"
}}
import {{
  to = entra_multi_tenant_organization_partner_template.this
  id = "partner_configuration"
}}
"#
            ),
        )]);
        let found = managed(dir.path(), None).unwrap();
        assert!(found.has_sync_configuration(fabrikam(SP)));
        // The computed display name makes string literals count, and "Fabrikam" is not one of them.
        assert!(found.dynamic_sync_configurations && !found.has_sync_configuration(fabrikam(OTHER_SP)));
        assert!(found.has_sync_assignment(fabrikam(SP), "gAssignmentSales", SALES));
        assert!(!found.has_sync_assignment(fabrikam(SP), "gAssignmentsales", SALES), "assignment ids keep their case");
        assert!(found.has_sync_assignment(fabrikam(SP), "uAssignmentAdele", ADELE));
        assert!(!found.has_sync_assignment(fabrikam(OTHER_SP), "uAssignmentAdele", ADELE));
        assert!(found.partner_template && !found.multi_tenant_organization);

        // From a state: configurations and assignments by id, the organization and templates by type.
        let state = json!({"version": 4, "resources": [
            {"mode": "managed", "type": "entra_cross_tenant_sync_configuration", "name": "c",
             "instances": [{"attributes": {"id": SP.to_uppercase(), "display_name": "Renamed"}}]},
            {"mode": "managed", "type": "entra_cross_tenant_sync_assignment", "name": "a",
             "instances": [{"attributes": {"id": "uAssignmentAdele", "configuration_id": SP, "principal_id": ADELE}}]},
            {"mode": "managed", "type": "entra_multi_tenant_organization_identity_sync_template", "name": "this",
             "instances": [{"attributes": {"id": "identity_synchronization"}}]},
        ]});
        let dir = dir_with(&[("terraform.tfstate", &state.to_string())]);
        let found = managed(dir.path(), None).unwrap();
        assert!(found.has_sync_configuration(fabrikam(SP)) && !found.has_sync_configuration(fabrikam(OTHER_SP)));
        assert!(found.has_sync_assignment(fabrikam(SP), "uAssignmentAdele", ADELE));
        assert!(!found.has_sync_assignment(fabrikam(SP), "gAssignmentSales", SALES));
        assert!(found.identity_sync_template && !found.partner_template && !found.multi_tenant_organization);
    }

    #[test]
    fn unreadable_configurations_are_errors_naming_the_file() {
        let dir = dir_with(&[("broken.tf", "resource \"x\" {")]);
        let error = managed(dir.path(), None).unwrap_err();
        assert!(error.0.contains("broken.tf"), "{error}");
        let missing = managed(&dir.path().join("nope"), None).unwrap_err();
        assert!(missing.0.contains("nope"), "{missing}");
    }
}
