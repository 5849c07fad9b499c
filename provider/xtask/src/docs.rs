//! `cargo xtask docs`: the registry documentation, generated from the provider's schemas, the `examples/` files and
//! one hand-written template per page.
//!
//! The output follows the Terraform Registry layout that tfplugindocs produces for Go providers, so the registry
//! renders it the same way: `docs/index.md`, `docs/resources/<name>.md` and `docs/data-sources/<name>.md` (the type
//! name without the `entra_` prefix), each with YAML front matter (`page_title`, `subcategory`, `description`) and a
//! "Schema" section listing Required, Optional and Read-Only attributes, nested attributes spelled out under anchors.
//!
//! Where each part of a page comes from:
//! - descriptions of the provider, of each type and of every attribute: the schema, in-process from
//!   `terraform_provider_entra` (what `terraform providers schema -json` would show; no terraform needed);
//! - Example Usage: `examples/provider/provider.tf`, `examples/resources/<type>/resource.tf`,
//!   `examples/data-sources/<type>/data-source.tf`;
//! - Import: the commands of `examples/resources/<type>/import.sh`, plus the equivalent `import {}` blocks;
//! - everything else (API permissions, inheritance, destroy semantics): the page's template,
//!   `docs/templates/index.md.tmpl`, `docs/templates/resources/<name>.md.tmpl` or
//!   `docs/templates/data-sources/<name>.md.tmpl`, which places the generated parts with `{{ placeholders }}`.
//!
//! Rendering is a pure function of those inputs, so [`stale_pages`] can tell exactly which committed pages differ
//! from what `cargo xtask docs` would write.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tfplugin::{Attribute, AttributeKind, Nesting, Provider, Schema, Type};

/// Directories whose every file is generated: a file there that no page accounts for is stale.
pub const GENERATED_DIRS: [&str; 2] = ["docs/resources", "docs/data-sources"];

/// The provider's own page.
pub const INDEX_PAGE: &str = "docs/index.md";

/// Where the hand-written templates live.
pub const TEMPLATES_DIR: &str = "docs/templates";

/// The registry groups pages by subcategory; everything this provider manages is one area of Entra.
const SUBCATEGORY: &str = "Cross-Tenant Access Settings";

/// The section every resource and data source page must have, written in its template (the Graph permissions and
/// directory roles differ per type, so they are prose, not generated).
const PERMISSIONS_HEADING: &str = "## API Permissions";

/// One generated page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Path relative to the workspace root, e.g. `docs/resources/cross_tenant_partner.md`.
    pub path: PathBuf,
    /// The complete file contents.
    pub contents: String,
}

/// Why a committed page is stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staleness {
    /// The page should exist and does not.
    Missing(PathBuf),
    /// The page exists with other contents.
    Outdated(PathBuf),
    /// The page exists in a generated directory but documents nothing the provider has.
    Orphaned(PathBuf),
}

impl std::fmt::Display for Staleness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Staleness::Missing(path) => write!(f, "{} is missing", path.display()),
            Staleness::Outdated(path) => write!(f, "{} is out of date", path.display()),
            Staleness::Orphaned(path) => write!(f, "{} documents nothing the provider has", path.display()),
        }
    }
}

/// What the provider offers, by type name, with the schemas the pages are generated from.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The provider's type name, e.g. `entra`.
    pub provider_name: String,
    /// The schema of the `provider` block.
    pub provider_schema: Schema,
    /// Managed resource types and their schemas, sorted by type name.
    pub resources: Vec<(String, Schema)>,
    /// Data sources and their schemas, sorted by type name.
    pub data_sources: Vec<(String, Schema)>,
    /// Environment variables that tune the provider beyond its arguments, with what each means.
    pub tuning_variables: Vec<(String, String)>,
}

impl Catalog {
    /// Reads every schema of `provider`, in-process.
    pub fn from_provider(provider: &dyn Provider) -> Catalog {
        let mut resources: Vec<(String, Schema)> =
            provider.resources().iter().map(|r| (r.type_name().to_owned(), r.schema())).collect();
        let mut data_sources: Vec<(String, Schema)> =
            provider.data_sources().iter().map(|d| (d.type_name().to_owned(), d.schema())).collect();
        resources.sort_by(|a, b| a.0.cmp(&b.0));
        data_sources.sort_by(|a, b| a.0.cmp(&b.0));
        Catalog {
            provider_name: provider.type_name().to_owned(),
            provider_schema: provider.schema(),
            resources,
            data_sources,
            tuning_variables: Vec::new(),
        }
    }

    /// The catalog of this project's provider, with the Graph client's tuning variables.
    pub fn entra() -> Catalog {
        let mut catalog = Catalog::from_provider(&terraform_provider_entra::provider::EntraProvider::new());
        catalog.tuning_variables = entra_graph::TUNING_VARIABLES
            .iter()
            .map(|(name, meaning)| ((*name).to_owned(), (*meaning).to_owned()))
            .collect();
        catalog
    }

    /// `entra_cross_tenant_partner` → `cross_tenant_partner`: the page name, as the registry expects it.
    fn short_name<'a>(&self, type_name: &'a str) -> &'a str {
        type_name.strip_prefix(&format!("{}_", self.provider_name)).unwrap_or(type_name)
    }
}

/// Renders every page from the catalog and the files under `root` (examples and templates).
///
/// # Errors
/// A message naming the file to add or fix: a missing example, import script or template, a template with an
/// unknown placeholder or without a required section, or an example or template for a type the provider lacks.
pub fn render_pages(root: &Path, catalog: &Catalog) -> Result<Vec<Page>, String> {
    let mut pages = vec![render_index(root, catalog)?];
    for (name, schema) in &catalog.resources {
        pages.push(render_type_page(root, catalog, Kind::Resource, name, schema)?);
    }
    for (name, schema) in &catalog.data_sources {
        pages.push(render_type_page(root, catalog, Kind::DataSource, name, schema)?);
    }
    check_for_leftovers(root, catalog)?;
    Ok(pages)
}

/// The committed pages that differ from what [`render_pages`] produces.
///
/// # Errors
/// When the pages cannot be rendered (see [`render_pages`]) or a directory cannot be read.
pub fn stale_pages(root: &Path, catalog: &Catalog) -> Result<Vec<Staleness>, String> {
    let pages = render_pages(root, catalog)?;
    let mut stale = Vec::new();
    for page in &pages {
        match std::fs::read_to_string(root.join(&page.path)) {
            Ok(current) if current == page.contents => {}
            Ok(_) => stale.push(Staleness::Outdated(page.path.clone())),
            Err(_) => stale.push(Staleness::Missing(page.path.clone())),
        }
    }
    for orphan in orphaned_files(root, &pages)? {
        stale.push(Staleness::Orphaned(orphan));
    }
    Ok(stale)
}

/// What [`write_pages`] did to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The file already had these contents.
    Unchanged,
    /// The file was created or rewritten.
    Written,
    /// The file documented nothing the provider has and was deleted.
    Removed,
}

/// Writes every page whose contents changed and removes orphaned pages; returns what happened to each file.
///
/// # Errors
/// When rendering fails (see [`render_pages`]) or a file cannot be written or removed.
pub fn write_pages(root: &Path, catalog: &Catalog) -> Result<Vec<(PathBuf, Change)>, String> {
    let pages = render_pages(root, catalog)?;
    let mut changes = Vec::new();
    for page in &pages {
        let path = root.join(&page.path);
        if std::fs::read_to_string(&path).is_ok_and(|current| current == page.contents) {
            changes.push((page.path.clone(), Change::Unchanged));
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, &page.contents).map_err(|e| format!("writing {}: {e}", path.display()))?;
        changes.push((page.path.clone(), Change::Written));
    }
    for orphan in orphaned_files(root, &pages)? {
        std::fs::remove_file(root.join(&orphan)).map_err(|e| format!("removing {}: {e}", orphan.display()))?;
        changes.push((orphan, Change::Removed));
    }
    Ok(changes)
}

/// Files in the generated directories that no page produced.
fn orphaned_files(root: &Path, pages: &[Page]) -> Result<Vec<PathBuf>, String> {
    let mut orphans = Vec::new();
    for dir in GENERATED_DIRS {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for entry in entries {
            let entry = entry.map_err(|e| format!("listing {dir}: {e}"))?;
            let relative = Path::new(dir).join(entry.file_name());
            if !pages.iter().any(|p| p.path == relative) {
                orphans.push(relative);
            }
        }
    }
    orphans.sort();
    Ok(orphans)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Resource,
    DataSource,
}

impl Kind {
    /// The folder name under `examples/`, `docs/` and `docs/templates/`.
    fn folder(self) -> &'static str {
        match self {
            Kind::Resource => "resources",
            Kind::DataSource => "data-sources",
        }
    }

    fn example_file(self) -> &'static str {
        match self {
            Kind::Resource => "resource.tf",
            Kind::DataSource => "data-source.tf",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Resource => "Resource",
            Kind::DataSource => "Data Source",
        }
    }
}

fn render_index(root: &Path, catalog: &Catalog) -> Result<Page, String> {
    let template_path = Path::new(TEMPLATES_DIR).join("index.md.tmpl");
    let template = read(root, &template_path)?;
    let example_path = Path::new("examples/provider/provider.tf");
    let example = read(root, example_path)?;
    let mut values = BTreeMap::new();
    values.insert("name", catalog.provider_name.clone());
    values.insert("description", catalog.provider_schema.description.trim().to_owned());
    values.insert("example", fenced("terraform", &example));
    values.insert("schema", schema_markdown(&catalog.provider_schema));
    values.insert("tuning_variables", tuning_table(&catalog.tuning_variables));
    let body = fill(&template, &values, &template_path)?;
    require_placeholders(&template, &["example", "schema"], &template_path)?;
    let front = front_matter(
        &format!("{} Provider", catalog.provider_name),
        "",
        &catalog.provider_schema.description,
        &[&template_path, example_path],
    );
    let title = format!("# {} Provider\n\n", catalog.provider_name);
    Ok(Page { path: PathBuf::from(INDEX_PAGE), contents: finish(format!("{front}{title}{body}")) })
}

fn render_type_page(root: &Path, catalog: &Catalog, kind: Kind, name: &str, schema: &Schema) -> Result<Page, String> {
    let short = catalog.short_name(name);
    let template_path = Path::new(TEMPLATES_DIR).join(kind.folder()).join(format!("{short}.md.tmpl"));
    let template = read(root, &template_path).map_err(|e| {
        format!(
            "{e}\nEvery {} needs a documentation template with its API permissions; see CONTRIBUTING.md.",
            kind_noun(kind)
        )
    })?;
    let example_dir = Path::new("examples").join(kind.folder()).join(name);
    let example_path = example_dir.join(kind.example_file());
    let example = read(root, &example_path)?;

    let mut values = BTreeMap::new();
    values.insert("name", name.to_owned());
    values.insert("description", schema.description.trim().to_owned());
    values.insert("example", fenced("terraform", &example));
    values.insert("schema", schema_markdown(schema));
    let mut sources = vec![template_path.clone(), example_path];
    let mut required = vec!["example", "schema"];
    if kind == Kind::Resource {
        let import_path = example_dir.join("import.sh");
        let script = read(root, &import_path)?;
        values.insert("import", import_markdown(&script).map_err(|e| format!("{}: {e}", import_path.display()))?);
        sources.push(import_path);
        required.push("import");
    }
    require_placeholders(&template, &required, &template_path)?;
    if !template.lines().any(|line| line.trim_end() == PERMISSIONS_HEADING) {
        return Err(format!(
            "{}: needs a `{PERMISSIONS_HEADING}` section (read and write Graph permissions, directory roles)",
            template_path.display()
        ));
    }
    let body = fill(&template, &values, &template_path)?;
    let source_refs: Vec<&Path> = sources.iter().map(PathBuf::as_path).collect();
    let front = front_matter(
        &format!("{name} {} - {}", kind.title(), catalog.provider_name),
        SUBCATEGORY,
        &schema.description,
        &source_refs,
    );
    let title = format!("# {name} ({})\n\n", kind.title());
    let path = Path::new("docs").join(kind.folder()).join(format!("{short}.md"));
    Ok(Page { path, contents: finish(format!("{front}{title}{body}")) })
}

fn kind_noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Resource => "resource",
        Kind::DataSource => "data source",
    }
}

/// Examples and templates must belong to a type the provider has: a leftover after a rename would silently stop
/// being documented.
fn check_for_leftovers(root: &Path, catalog: &Catalog) -> Result<(), String> {
    let known = |kind: Kind| -> Vec<&str> {
        match kind {
            Kind::Resource => catalog.resources.iter().map(|(n, _)| n.as_str()).collect(),
            Kind::DataSource => catalog.data_sources.iter().map(|(n, _)| n.as_str()).collect(),
        }
    };
    for kind in [Kind::Resource, Kind::DataSource] {
        let names = known(kind);
        for name in list_dir(&root.join("examples").join(kind.folder()))? {
            if !names.contains(&name.as_str()) {
                return Err(format!(
                    "examples/{}/{name} is an example for a {} the provider does not have",
                    kind.folder(),
                    kind_noun(kind)
                ));
            }
        }
        for file in list_dir(&root.join(TEMPLATES_DIR).join(kind.folder()))? {
            let short = file.strip_suffix(".md.tmpl").unwrap_or(&file);
            if !names.iter().any(|n| catalog.short_name(n) == short) {
                return Err(format!(
                    "{TEMPLATES_DIR}/{}/{file} is a template for a {} the provider does not have",
                    kind.folder(),
                    kind_noun(kind)
                ));
            }
        }
    }
    Ok(())
}

/// Names of the entries of `dir`, sorted; none when it does not exist.
fn list_dir(dir: &Path) -> Result<Vec<String>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("listing {}: {e}", dir.display()))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

fn read(root: &Path, relative: &Path) -> Result<String, String> {
    std::fs::read_to_string(root.join(relative)).map_err(|e| format!("reading {}: {e}", relative.display()))
}

/// YAML front matter as tfplugindocs writes it, plus a comment naming the sources so nobody edits the output.
fn front_matter(page_title: &str, subcategory: &str, description: &str, sources: &[&Path]) -> String {
    let summary = first_paragraph(description);
    let mut out = String::from("---\n");
    let _ = writeln!(out, "page_title: {}", yaml_string(page_title));
    let _ = writeln!(out, "subcategory: {}", yaml_string(subcategory));
    out.push_str("description: |-\n");
    for line in summary.lines() {
        let _ = writeln!(out, "  {line}");
    }
    out.push_str("---\n\n");
    let names: Vec<String> = sources.iter().map(|p| format!("`{}`", p.display())).collect();
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo xtask docs` from the provider schema and {}. Edit those, not this file. -->\n",
        names.join(", ")
    );
    out
}

fn yaml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The first paragraph of a Markdown description, for the front matter summary.
fn first_paragraph(text: &str) -> String {
    let trimmed = text.trim();
    let end = trimmed.find("\n\n").unwrap_or(trimmed.len());
    trimmed[..end].lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

/// A Markdown table of environment variables and their meaning.
fn tuning_table(variables: &[(String, String)]) -> String {
    let mut table = String::from("| Variable | Meaning |\n|---|---|\n");
    for (name, meaning) in variables {
        let _ = writeln!(table, "| `{name}` | {meaning} |");
    }
    table.trim_end().to_owned()
}

fn fenced(language: &str, code: &str) -> String {
    format!("```{language}\n{}\n```", code.trim_end())
}

/// Replaces every `{{ name }}` of `template` with its value.
fn fill(template: &str, values: &BTreeMap<&str, String>, template_path: &Path) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end =
            after.find("}}").ok_or_else(|| format!("{}: a `{{{{` without its `}}}}`", template_path.display()))?;
        let name = after[..end].trim();
        let value = values.get(name).ok_or_else(|| {
            let known: Vec<String> = values.keys().map(|k| format!("{{{{ {k} }}}}")).collect();
            format!("{}: unknown placeholder `{{{{ {name} }}}}` (known: {})", template_path.display(), known.join(", "))
        })?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn require_placeholders(template: &str, names: &[&str], template_path: &Path) -> Result<(), String> {
    for name in names {
        let used = template
            .match_indices("{{")
            .any(|(i, _)| template[i + 2..].split("}}").next().is_some_and(|inner| inner.trim() == *name));
        if !used {
            return Err(format!("{}: must place `{{{{ {name} }}}}`", template_path.display()));
        }
    }
    Ok(())
}

/// Collapses runs of blank lines and ends the file with exactly one newline, whatever the template did.
fn finish(text: String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    let mut in_code = false;
    for line in text.lines() {
        let line = line.trim_end();
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if line.is_empty() && !in_code {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

// ---------------------------------------------------------------------------------------------------------------
// Import

/// One `terraform import` command of an import script, with the comment lines above it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ImportCommand {
    comments: Vec<String>,
    address: String,
    id: String,
}

fn parse_import_script(script: &str) -> Result<Vec<ImportCommand>, String> {
    let mut commands = Vec::new();
    let mut comments = Vec::new();
    for line in script.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('#') {
            comments.push(line.to_owned());
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["terraform", "import", address, id] => {
                let id = id.trim_matches(|c| c == '"' || c == '\'');
                commands.push(ImportCommand {
                    comments: std::mem::take(&mut comments),
                    address: (*address).to_owned(),
                    id: id.to_owned(),
                });
            }
            _ => return Err(format!("expected `terraform import <address> <id>` or a comment, found `{line}`")),
        }
    }
    if commands.is_empty() {
        return Err("no `terraform import` command".to_owned());
    }
    Ok(commands)
}

/// The import script as shell commands, then the same imports as `import` blocks (Terraform 1.5+).
fn import_markdown(script: &str) -> Result<String, String> {
    let commands = parse_import_script(script)?;
    let mut blocks = String::new();
    for (i, command) in commands.iter().enumerate() {
        if i > 0 {
            blocks.push('\n');
        }
        for comment in &command.comments {
            let _ = writeln!(blocks, "{comment}");
        }
        let _ = writeln!(blocks, "import {{\n  to = {}\n  id = \"{}\"\n}}", command.address, command.id);
    }
    let alternatives =
        if commands.len() > 1 { " (each block below is an alternative: a resource is imported once)" } else { "" };
    Ok(format!(
        "With the Terraform CLI:\n\n{}\n\nOr, with Terraform 1.5 or later, with an `import` block in the configuration{alternatives}; \
         `terraform plan` then shows the import and `terraform apply` performs it:\n\n{}",
        fenced("shell", script),
        fenced("terraform", &blocks)
    ))
}

// ---------------------------------------------------------------------------------------------------------------
// Schema

/// The "Schema" section: top-level attributes grouped Required / Optional / Read-Only, then one "Nested Schema"
/// section per nested attribute (and per object-typed attribute), depth first, each under an anchor the parent links
/// to. Within a group attributes are sorted by name, as tfplugindocs does.
pub fn schema_markdown(schema: &Schema) -> String {
    let mut out = String::from("<!-- schema generated by cargo xtask docs -->\n## Schema\n\n");
    let mut nested = Vec::new();
    attribute_groups(&schema.attributes, &[], true, &mut out, &mut nested);
    while !nested.is_empty() {
        // Render in order, depth first: the children of a section come right after it.
        let section = nested.remove(0);
        let mut children = Vec::new();
        out.push_str(&section.render(&mut children));
        for (i, child) in children.into_iter().enumerate() {
            nested.insert(i, child);
        }
    }
    out.trim_end().to_owned() + "\n"
}

/// A nested schema section waiting to be rendered.
enum Section<'a> {
    /// A nested attribute's attributes.
    Attributes { path: Vec<String>, attributes: &'a [Attribute] },
    /// The attributes of an object type (a plain `object(...)` attribute, or the elements of a collection of them).
    Object { path: Vec<String>, attributes: &'a BTreeMap<String, Type> },
}

impl<'a> Section<'a> {
    fn render(&self, children: &mut Vec<Section<'a>>) -> String {
        let mut out = String::new();
        match self {
            Section::Attributes { path, attributes } => {
                let _ = writeln!(out, "<a id=\"{}\"></a>", anchor("nestedatt", path));
                let _ = writeln!(out, "### Nested Schema for `{}`\n", path.join("."));
                attribute_groups(attributes, path, false, &mut out, children);
            }
            Section::Object { path, attributes } => {
                let _ = writeln!(out, "<a id=\"{}\"></a>", anchor("nestedobjatt", path));
                let _ = writeln!(out, "### Nested Schema for `{}`\n", path.join("."));
                out.push_str("Read-Only:\n\n");
                let attributes: &'a BTreeMap<String, Type> = attributes;
                for (name, ty) in attributes {
                    let mut child_path = path.clone();
                    child_path.push(name.clone());
                    let link = object_of(ty).map(|inner| {
                        children.push(Section::Object { path: child_path.clone(), attributes: inner });
                        format!(" (see [below for nested schema](#{}))", anchor("nestedobjatt", &child_path))
                    });
                    let _ = writeln!(out, "- `{name}` ({}){}", type_name(ty), link.unwrap_or_default());
                }
                out.push('\n');
            }
        }
        out
    }
}

fn anchor(prefix: &str, path: &[String]) -> String {
    format!("{prefix}--{}", path.join("--"))
}

/// The object type inside an attribute type (itself, or its collection's element), if any.
fn object_of(ty: &Type) -> Option<&BTreeMap<String, Type>> {
    match ty {
        Type::Object { attributes, .. } => Some(attributes),
        Type::List(inner) | Type::Set(inner) | Type::Map(inner) => object_of(inner),
        _ => None,
    }
}

/// Whether an attribute belongs to a group of the Schema section.
type AttributeFilter = fn(&Attribute) -> bool;

fn attribute_groups<'a>(
    attributes: &'a [Attribute],
    parent: &[String],
    top_level: bool,
    out: &mut String,
    nested: &mut Vec<Section<'a>>,
) {
    let mut sorted: Vec<&Attribute> = attributes.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let groups: [(&str, AttributeFilter); 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    for (label, belongs) in groups {
        let members: Vec<&Attribute> = sorted.iter().copied().filter(|a| belongs(a)).collect();
        if members.is_empty() {
            continue;
        }
        if top_level {
            let _ = writeln!(out, "### {label}\n");
        } else {
            let _ = writeln!(out, "{label}:\n");
        }
        for attribute in members {
            let mut path = parent.to_vec();
            path.push(attribute.name.clone());
            let link = match &attribute.kind {
                AttributeKind::Nested { attributes, .. } => {
                    nested.push(Section::Attributes { path: path.clone(), attributes });
                    Some(anchor("nestedatt", &path))
                }
                AttributeKind::Type(ty) => object_of(ty).map(|inner| {
                    nested.push(Section::Object { path: path.clone(), attributes: inner });
                    anchor("nestedobjatt", &path)
                }),
            };
            out.push_str(&attribute_line(attribute, link.as_deref()));
        }
        out.push('\n');
    }
}

/// `- `name` (Type, Sensitive) Description (see [below for nested schema](#anchor))`, continuation lines indented
/// so a multi-paragraph description stays inside its list item.
fn attribute_line(attribute: &Attribute, nested_anchor: Option<&str>) -> String {
    let mut kind = match &attribute.kind {
        AttributeKind::Type(ty) => type_name(ty),
        AttributeKind::Nested { nesting, .. } => match nesting {
            Nesting::Single => "Attributes".to_owned(),
            Nesting::List => "Attributes List".to_owned(),
            Nesting::Set => "Attributes Set".to_owned(),
            Nesting::Map => "Attributes Map".to_owned(),
        },
    };
    if attribute.sensitive {
        kind.push_str(", Sensitive");
    }
    if attribute.deprecation.is_some() {
        kind.push_str(", Deprecated");
    }
    let mut text = attribute.description.trim().to_owned();
    if let Some(message) = &attribute.deprecation {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let _ = write!(text, "**Deprecated**: {}", message.trim());
    }
    if let Some(anchor) = nested_anchor {
        let _ = write!(text, " (see [below for nested schema](#{anchor}))");
    }
    let mut line = format!("- `{}` ({kind})", attribute.name);
    for (i, part) in text.trim_start().lines().enumerate() {
        if i == 0 {
            line.push(' ');
            line.push_str(part);
        } else if part.trim().is_empty() {
            line.push('\n');
        } else {
            line.push_str("\n  ");
            line.push_str(part);
        }
    }
    line.push('\n');
    line
}

fn type_name(ty: &Type) -> String {
    match ty {
        Type::Bool => "Boolean".to_owned(),
        Type::Number => "Number".to_owned(),
        Type::String => "String".to_owned(),
        Type::Dynamic => "Dynamic".to_owned(),
        Type::List(inner) => format!("List of {}", type_name(inner)),
        Type::Set(inner) => format!("Set of {}", type_name(inner)),
        Type::Map(inner) => format!("Map of {}", type_name(inner)),
        Type::Object { .. } => "Object".to_owned(),
        Type::Tuple(_) => "Tuple".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_schema() -> Schema {
        Schema::new("A partner.\n\nMore detail.").attributes([
            Attribute::string("tenant_id").required().description("The partner's tenant id."),
            Attribute::string("id").computed().description("Same as `tenant_id`."),
            Attribute::string("secret").optional().sensitive().description("Hidden."),
            Attribute::nested(
                "inbound_trust",
                Nesting::Single,
                [
                    Attribute::bool("is_mfa_accepted").optional().description("Trust MFA.\n\nNull inherits."),
                    Attribute::nested(
                        "targets",
                        Nesting::Set,
                        [Attribute::string("target").required().description("An id or keyword.")],
                    )
                    .optional()
                    .description("Who."),
                ],
            )
            .optional()
            .description("Trust settings."),
            Attribute::list("tags", Type::String).optional().computed().description("Tags."),
            Attribute::new(
                "owner",
                Type::Object {
                    attributes: [("name".to_owned(), Type::String)].into_iter().collect(),
                    optional: Default::default(),
                },
            )
            .computed(),
        ])
    }

    #[test]
    fn schema_section_groups_sorts_and_spells_out_nested_attributes() {
        let expected = "\
<!-- schema generated by cargo xtask docs -->
## Schema

### Required

- `tenant_id` (String) The partner's tenant id.

### Optional

- `inbound_trust` (Attributes) Trust settings. (see [below for nested schema](#nestedatt--inbound_trust))
- `secret` (String, Sensitive) Hidden.
- `tags` (List of String) Tags.

### Read-Only

- `id` (String) Same as `tenant_id`.
- `owner` (Object) (see [below for nested schema](#nestedobjatt--owner))

<a id=\"nestedatt--inbound_trust\"></a>
### Nested Schema for `inbound_trust`

Optional:

- `is_mfa_accepted` (Boolean) Trust MFA.

  Null inherits.
- `targets` (Attributes Set) Who. (see [below for nested schema](#nestedatt--inbound_trust--targets))

<a id=\"nestedatt--inbound_trust--targets\"></a>
### Nested Schema for `inbound_trust.targets`

Required:

- `target` (String) An id or keyword.

<a id=\"nestedobjatt--owner\"></a>
### Nested Schema for `owner`

Read-Only:

- `name` (String)
";
        assert_eq!(schema_markdown(&sample_schema()), expected);
    }

    #[test]
    fn deprecated_attributes_say_so() {
        let schema = Schema::new("").attribute(Attribute::string("old").optional().deprecated("Use `new`."));
        assert!(schema_markdown(&schema).contains("- `old` (String, Deprecated) **Deprecated**: Use `new`."));
    }

    #[test]
    fn import_scripts_become_commands_and_import_blocks() {
        let script = "# By id...\nterraform import entra_x.a 1234\n\n# ...or by domain.\nterraform import entra_x.a \"example.com\"\n";
        let markdown = import_markdown(script).expect("valid script");
        assert!(markdown.contains("```shell\n# By id...\nterraform import entra_x.a 1234"), "{markdown}");
        assert!(
            markdown.contains("# By id...\nimport {\n  to = entra_x.a\n  id = \"1234\"\n}\n\n# ...or by domain.\nimport {\n  to = entra_x.a\n  id = \"example.com\"\n}"),
            "{markdown}"
        );
        assert!(markdown.contains("each block below is an alternative"), "{markdown}");
    }

    #[test]
    fn import_scripts_without_commands_or_with_other_lines_are_refused() {
        assert!(parse_import_script("# nothing\n").is_err());
        let error = parse_import_script("terraform import a\n").expect_err("missing id");
        assert!(error.contains("terraform import a"), "{error}");
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_named() {
        let values: BTreeMap<&str, String> = [("name", "x".to_owned())].into_iter().collect();
        let path = Path::new("t.md.tmpl");
        assert_eq!(fill("a {{ name }} b {{name}}", &values, path).expect("known"), "a x b x");
        let error = fill("{{ nope }}", &values, path).expect_err("unknown");
        assert!(error.contains("unknown placeholder `{{ nope }}`") && error.contains("{{ name }}"), "{error}");
        assert!(fill("{{ name", &values, path).is_err());
        assert!(require_placeholders("{{ schema }}", &["schema"], path).is_ok());
        assert!(require_placeholders("{{ schema }}", &["example"], path).is_err());
    }

    #[test]
    fn front_matter_carries_the_first_paragraph() {
        let front =
            front_matter("x Resource - entra", "Sub", "First line\nsecond line.\n\nNot this.", &[Path::new("a.tf")]);
        assert!(front.starts_with(
            "---\npage_title: \"x Resource - entra\"\nsubcategory: \"Sub\"\ndescription: |-\n  First line\n  second line.\n---\n"
        ), "{front}");
        assert!(!front.contains("Not this"));
        assert!(front.contains("`a.tf`"));
    }

    #[test]
    fn finish_collapses_blank_lines_outside_code_only() {
        assert_eq!(finish("a\n\n\n\nb\n\n".to_owned()), "a\n\nb\n");
        assert_eq!(finish("```\nx\n\n\ny\n```\n".to_owned()), "```\nx\n\n\ny\n```\n");
    }
}
