//! The documentation: the committed registry pages are exactly what `cargo xtask docs` renders, and every relative
//! link in the repository's Markdown leads somewhere.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use xtask::docs::{Catalog, stale_pages};

mod support;

#[test]
fn committed_docs_are_what_cargo_xtask_docs_renders() {
    let root = xtask::workspace_root();
    let stale = stale_pages(&root, &Catalog::entra())
        .unwrap_or_else(|e| panic!("the docs cannot be rendered: {e}\nFix that, then run `cargo xtask docs`."));
    let list: Vec<String> = stale.iter().map(|s| format!("  - {s}")).collect();
    assert!(
        stale.is_empty(),
        "the generated docs are stale; run `cargo xtask docs` and commit the result:\n{}",
        list.join("\n")
    );
}

#[test]
fn every_resource_and_data_source_page_has_the_sections_users_look_for() {
    let root = xtask::workspace_root();
    let catalog = Catalog::entra();
    let pages = xtask::docs::render_pages(&root, &catalog).unwrap_or_else(|e| panic!("{e}"));
    for page in &pages {
        let path = page.path.display().to_string();
        let text = &page.contents;
        assert!(text.starts_with("---\npage_title: "), "{path}: front matter");
        for heading in ["## Example Usage", "## Schema"] {
            assert!(text.contains(&format!("\n{heading}\n")), "{path}: no `{heading}`");
        }
        if path.starts_with("docs/resources/") {
            assert!(text.contains("\n## Import\n") && text.contains("import {\n  to = "), "{path}: import section");
        }
        if path.starts_with("docs/resources/") || path.starts_with("docs/data-sources/") {
            assert!(text.contains("\n## API Permissions\n"), "{path}: no API permissions");
            assert!(text.contains(".Read.All"), "{path}: names no read permission");
        }
    }
    assert_eq!(pages.len(), 1 + catalog.resources.len() + catalog.data_sources.len());
}

/// A resource that can be imported by domain name needs `CrossTenantInformation.ReadBasic.All` for it; its
/// permissions table says so, not only the prose above it.
#[test]
fn pages_of_resources_importable_by_domain_name_list_the_lookup_permission_in_their_table() {
    let root = xtask::workspace_root();
    let pages = xtask::docs::render_pages(&root, &Catalog::entra()).unwrap_or_else(|e| panic!("{e}"));
    let mut checked = 0;
    for page in pages.iter().filter(|p| p.path.starts_with("docs/resources")) {
        if !page.contents.contains("import by domain name") {
            continue;
        }
        let table = page.contents.split("\n## API Permissions\n").nth(1).unwrap_or_default();
        let row = table.lines().find(|line| line.starts_with("| import by domain name |"));
        assert!(
            row.is_some_and(|row| row.contains("`CrossTenantInformation.ReadBasic.All`")),
            "{}: the permissions table has no import-by-domain row naming CrossTenantInformation.ReadBasic.All",
            page.path.display()
        );
        checked += 1;
    }
    assert!(checked >= 2, "the partner and identity sync pages both import by domain name");
}

/// Markdown files whose relative links must resolve: the top-level documents and everything under `docs/` (the
/// templates are checked through the pages rendered from them).
fn markdown_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["README.md", "ARCHITECTURE.md", "CONTRIBUTING.md", "CHANGELOG.md", "RELEASING.md"]
        .iter()
        .map(|name| root.join(name))
        .filter(|path| path.is_file())
        .collect();
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with("templates") {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The targets of `[text](target)` links outside code blocks and code spans.
fn link_targets(markdown: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_code_block = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code_block = !in_code_block;
            continue;
        }
        if in_code_block {
            continue;
        }
        // Drop code spans, where `](` may appear literally.
        let mut text = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                text.push_str(part);
            }
        }
        let mut rest = text.as_str();
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].trim().to_owned());
            rest = &after[end..];
        }
    }
    targets
}

/// GitHub's heading anchors, and the explicit `<a id="...">` anchors of generated pages.
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    for line in markdown.lines() {
        if let Some(heading) = line.strip_prefix('#') {
            let title = heading.trim_start_matches('#').trim();
            let slug: String = title
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect();
            anchors.insert(slug);
        }
        if let Some(start) = line.find("<a id=\"") {
            let rest = &line[start + 7..];
            if let Some(end) = rest.find('"') {
                anchors.insert(rest[..end].to_owned());
            }
        }
    }
    anchors
}

#[test]
fn relative_links_in_the_documentation_resolve() {
    let root = xtask::workspace_root();
    let mut broken = Vec::new();
    for file in markdown_files(&root) {
        let text = std::fs::read_to_string(&file).expect("read markdown");
        let own_anchors = anchors(&text);
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
                continue;
            }
            let (path_part, fragment) = match target.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (target.as_str(), None),
            };
            let relative = file.strip_prefix(&root).unwrap_or(&file).display().to_string();
            if path_part.is_empty() {
                if let Some(fragment) = fragment
                    && !own_anchors.contains(fragment)
                {
                    broken.push(format!("{relative}: #{fragment} (no such anchor)"));
                }
                continue;
            }
            let resolved = file.parent().expect("file in a directory").join(path_part);
            if !resolved.exists() {
                broken.push(format!("{relative}: {target}"));
                continue;
            }
            if let Some(fragment) = fragment
                && resolved.extension().is_some_and(|e| e == "md")
            {
                let other = std::fs::read_to_string(&resolved).unwrap_or_default();
                if !anchors(&other).contains(fragment) {
                    broken.push(format!("{relative}: {target} (no such anchor)"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_link_checker_finds_links_and_anchors() {
    let text = "# Using the `thing`\n[a](b.md#x) `[not](this)` and [c](#using-the-thing)\n```\n[no](code)\n```\n<a id=\"nestedatt--x\"></a>\n";
    assert_eq!(link_targets(text), vec!["b.md#x".to_owned(), "#using-the-thing".to_owned()]);
    let found = anchors(text);
    assert!(found.contains("using-the-thing") && found.contains("nestedatt--x"), "{found:?}");
}

/// Copies what the docs are rendered from (examples and templates) into `to`.
fn copy_inputs(from: &Path, to: &Path) {
    for dir in ["examples", "docs/templates"] {
        let mut pending = vec![PathBuf::from(dir)];
        while let Some(relative) = pending.pop() {
            std::fs::create_dir_all(to.join(&relative)).expect("create directory");
            for entry in std::fs::read_dir(from.join(&relative)).expect("read directory").flatten() {
                let child = relative.join(entry.file_name());
                if entry.path().is_dir() {
                    pending.push(child);
                } else {
                    std::fs::copy(entry.path(), to.join(&child)).expect("copy file");
                }
            }
        }
    }
}

fn docs_command(root: &Path, check: bool) -> support::Finished {
    let mut command = support::xtask();
    command.arg("--root").arg(root).arg("docs");
    if check {
        command.arg("--check");
    }
    support::run(command, std::time::Duration::from_secs(120))
}

#[test]
fn the_docs_command_writes_pages_and_its_check_names_every_stale_one() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let root = scratch.path();
    copy_inputs(&xtask::workspace_root(), root);

    // Nothing generated yet: the check fails and names each missing page.
    let missing = docs_command(root, true);
    assert_eq!(missing.code, Some(1), "{missing}");
    assert!(missing.stderr.contains("stale: docs/resources/cross_tenant_partner.md is missing"), "{missing}");
    assert!(missing.stderr.contains("stale: docs/index.md is missing"), "{missing}");
    assert!(missing.stderr.contains("run `cargo xtask docs`"), "{missing}");

    let written = docs_command(root, false);
    assert_eq!(written.code, Some(0), "{written}");
    assert!(written.stderr.contains("wrote docs/data-sources/tenant_information.md"), "{written}");
    let fresh = docs_command(root, true);
    assert_eq!(fresh.code, Some(0), "{fresh}");
    assert!(fresh.stderr.contains("docs are up to date"), "{fresh}");

    // A hand edit and a page for a type that does not exist are both reported, and a rerun repairs both.
    let page = root.join("docs/resources/cross_tenant_default.md");
    let edited = std::fs::read_to_string(&page).expect("page").replace("## Schema", "## Schema (edited)");
    std::fs::write(&page, edited).expect("edit page");
    std::fs::write(root.join("docs/data-sources/old_name.md"), "# gone\n").expect("orphan");
    let stale = docs_command(root, true);
    assert_eq!(stale.code, Some(1), "{stale}");
    assert!(stale.stderr.contains("stale: docs/resources/cross_tenant_default.md is out of date"), "{stale}");
    assert!(stale.stderr.contains("stale: docs/data-sources/old_name.md documents nothing"), "{stale}");
    assert!(!stale.stderr.contains("cross_tenant_partner.md"), "only stale pages are named: {stale}");
    let repaired = docs_command(root, false);
    assert!(repaired.stderr.contains("removed docs/data-sources/old_name.md"), "{repaired}");
    assert_eq!(docs_command(root, true).code, Some(0));

    // A template without its permissions section is refused with the file to fix.
    let template = root.join("docs/templates/resources/cross_tenant_partner.md.tmpl");
    let text = std::fs::read_to_string(&template).expect("template").replace("## API Permissions", "## Permissions");
    std::fs::write(&template, text).expect("edit template");
    let refused = docs_command(root, false);
    assert_eq!(refused.code, Some(1), "{refused}");
    assert!(refused.stderr.contains("cross_tenant_partner.md.tmpl: needs a `## API Permissions` section"), "{refused}");
}
