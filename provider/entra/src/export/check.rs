//! `export --check DIR`: which objects of the tenant a Terraform configuration does not manage.
//!
//! An object counts as managed when the configuration in `DIR` or its state says so:
//! - **configuration** (the `.tf` files directly in `DIR`, as Terraform reads a root module): a resource block of
//!   the object's type whose `tenant_id` is the literal tenant id; an identity synchronization resource whose
//!   `tenant_id` references a partner resource (`entra_cross_tenant_partner.NAME.tenant_id` or `.id`) with that
//!   literal tenant id; an `import` block with the object's type in `to` and the tenant id as `id`; for the
//!   singletons, any resource (or import) of their type. When a resource's `tenant_id` is computed instead
//!   (`for_each`, variables, locals), every GUID written as a string anywhere in the configuration, including
//!   `*.tfvars` files in `DIR`, counts as a tenant id of that resource type.
//! - **state**: `DIR/terraform.tfstate` if it exists, or the file given with `--state` (the output of `terraform
//!   state pull`, or of `terraform show -json`, so remote backends work too): every resource of the four types in
//!   it, in any module.
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
    /// Some partner resource's tenant id is computed, so GUID literals count (see the module documentation).
    pub dynamic_partners: bool,
    /// Some identity synchronization resource's tenant id is computed.
    pub dynamic_identity_syncs: bool,
    /// Every GUID written as a string in the configuration (lowercase).
    pub guid_literals: BTreeSet<String>,
    /// The files that were read, for the report.
    pub sources: Vec<PathBuf>,
}

impl Managed {
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
        let mut literals = GuidLiterals::default();
        literals.visit_body(&body);
        managed.guid_literals.extend(literals.0);
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
    dynamic_partners: bool,
    dynamic_identity_syncs: bool,
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
            cross_tenant_default::TYPE_NAME => self.default = true,
            cross_tenant_access_policy::TYPE_NAME => self.policy = true,
            _ => {}
        }
    }

    fn import(&mut self, block: &Block) {
        let Some(to) = block.body.get_attribute("to") else { return };
        let Expression::Traversal(traversal) = &to.value else { return };
        let Expression::Variable(kind) = &traversal.expr else { return };
        // `for_each` imports name their ids through expressions: every literal then counts.
        let repeated = block.body.get_attribute("for_each").is_some();
        let id = block.body.get_attribute("id").and_then(|a| literal_guid(&a.value));
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
            _ => {}
        }
    }

    fn resolve(self, managed: &mut Managed) {
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
    let Expression::Traversal(traversal) = expression else { return None };
    let Expression::Variable(root) = &traversal.expr else { return None };
    if root.as_str() != cross_tenant_partner::TYPE_NAME {
        return None;
    }
    match traversal.operators.iter().map(|o| o.value()).collect::<Vec<_>>().as_slice() {
        [TraversalOperator::GetAttr(name), TraversalOperator::GetAttr(attribute)]
            if matches!(attribute.as_str(), "tenant_id" | "id") =>
        {
            Some(name.as_str().to_owned())
        }
        _ => None,
    }
}

/// Collects every GUID written as a string (or as the literal text of a template).
#[derive(Default)]
struct GuidLiterals(BTreeSet<String>);

impl Visit for GuidLiterals {
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

impl GuidLiterals {
    fn add(&mut self, text: &str) {
        let text = text.trim();
        if is_guid(text) {
            self.0.insert(text.to_ascii_lowercase());
        }
    }
}

/// Adds the resources of a state: Terraform's own format (`terraform state pull`, `terraform.tfstate`) or `terraform
/// show -json`'s.
fn read_state(json: &Json, managed: &mut Managed) {
    let mut add = |kind: &str, attributes: &Json| {
        let tenant = attributes.get("tenant_id").and_then(Json::as_str).map(str::to_ascii_lowercase);
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

    #[test]
    fn unreadable_configurations_are_errors_naming_the_file() {
        let dir = dir_with(&[("broken.tf", "resource \"x\" {")]);
        let error = managed(dir.path(), None).unwrap_err();
        assert!(error.0.contains("broken.tf"), "{error}");
        let missing = managed(&dir.path().join("nope"), None).unwrap_err();
        assert!(missing.0.contains("nope"), "{missing}");
    }
}
