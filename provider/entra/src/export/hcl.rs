//! Writing HCL exactly as `terraform fmt` lays it out, so generated files pass `terraform fmt -check` unchanged.
//!
//! The layout rules are Terraform's (hclwrite's formatter): two spaces of indentation per nesting level; the `=` of
//! consecutive single-line attributes lined up one space after the longest name; a line that opens a multi-line
//! value (`name = {`), a closing bracket, a comment, a blank line or a block header ends such a run and is not
//! padded itself. Generated files are built from [`Body`] items, so no other layout can arise: objects are written
//! one attribute per line, lists of plain values on one line, and lists of flat objects one object per line
//! (`{ target = "AllUsers", target_type = "user" },`).

use std::fmt::Write as _;

/// An HCL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A string literal (escaped when written).
    String(String),
    /// `true` / `false`.
    Bool(bool),
    /// A number, as its canonical text.
    Number(String),
    /// A reference or other expression written verbatim, such as `entra_cross_tenant_partner.contoso.tenant_id`.
    Raw(String),
    /// A tuple (a list or set in Terraform).
    List(Vec<Expr>),
    /// An object, its attributes in the order given.
    Object(Vec<(String, Expr)>),
}

impl Expr {
    /// A string literal.
    pub fn string(text: impl Into<String>) -> Expr {
        Expr::String(text.into())
    }

    /// True for values written on one line in every position: literals, references and lists of them.
    fn is_flat(&self) -> bool {
        match self {
            Expr::String(_) | Expr::Bool(_) | Expr::Number(_) | Expr::Raw(_) => true,
            Expr::List(items) => {
                items.iter().all(|i| matches!(i, Expr::String(_) | Expr::Bool(_) | Expr::Number(_) | Expr::Raw(_)))
            }
            Expr::Object(_) => false,
        }
    }

    /// True for an object that fits on one line inside a list: every attribute a literal or reference.
    fn is_inline_object(&self) -> bool {
        matches!(self, Expr::Object(attributes) if attributes.iter().all(|(_, v)| v.is_flat() && !matches!(v, Expr::List(_))))
    }
}

/// One item of a block body or of a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `name = value`.
    Attribute(String, Expr),
    /// `type "label" ... { body }`.
    Block(Block),
    /// A `#` comment line (the text may not contain line breaks; they are turned into spaces).
    Comment(String),
    /// An empty line.
    Blank,
}

/// A block: its type, labels and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The block type, e.g. `resource`.
    pub kind: String,
    /// The labels, written quoted, e.g. `["entra_cross_tenant_partner", "contoso"]`.
    pub labels: Vec<String>,
    /// The body.
    pub body: Vec<Item>,
}

impl Block {
    /// A block with an empty body.
    pub fn new(kind: &str, labels: &[&str]) -> Block {
        Block { kind: kind.to_owned(), labels: labels.iter().map(|l| (*l).to_owned()).collect(), body: Vec::new() }
    }

    /// Adds an attribute.
    #[must_use]
    pub fn attribute(mut self, name: &str, value: Expr) -> Block {
        self.body.push(Item::Attribute(name.to_owned(), value));
        self
    }

    /// Adds a nested block.
    #[must_use]
    pub fn block(mut self, block: Block) -> Block {
        self.body.push(Item::Block(block));
        self
    }
}

/// Writes a file made of `items`, ending with a single newline.
pub fn render_file(items: &[Item]) -> String {
    let mut out = String::new();
    render_body(items, 0, &mut out);
    out
}

/// One output line while a body is laid out: its indentation, the text before the `=` (or the whole line), and
/// the text from the `=` on for single-line attributes, which take part in alignment.
struct Line {
    indent: usize,
    lead: String,
    assign: Option<String>,
}

fn render_body(items: &[Item], indent: usize, out: &mut String) {
    let mut lines = Vec::new();
    for item in items {
        item_lines(item, indent, &mut lines);
    }
    write_lines(&lines, out);
}

fn item_lines(item: &Item, indent: usize, lines: &mut Vec<Line>) {
    match item {
        Item::Blank => lines.push(Line { indent: 0, lead: String::new(), assign: None }),
        Item::Comment(text) => {
            let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            let text = text.trim_end();
            let lead = if text.is_empty() { "#".to_owned() } else { format!("# {text}") };
            lines.push(Line { indent, lead, assign: None });
        }
        Item::Attribute(name, value) => attribute_lines(name, value, indent, lines),
        Item::Block(block) => {
            let mut header = block.kind.clone();
            for label in &block.labels {
                header.push(' ');
                header.push_str(&quote(label));
            }
            if block.body.is_empty() {
                lines.push(Line { indent, lead: format!("{header} {{}}"), assign: None });
            } else {
                lines.push(Line { indent, lead: format!("{header} {{"), assign: None });
                for item in &block.body {
                    item_lines(item, indent + 1, lines);
                }
                lines.push(Line { indent, lead: "}".to_owned(), assign: None });
            }
        }
    }
}

fn attribute_lines(name: &str, value: &Expr, indent: usize, lines: &mut Vec<Line>) {
    if value.is_flat() {
        lines.push(Line { indent, lead: name.to_owned(), assign: Some(format!("= {}", inline(value))) });
        return;
    }
    match value {
        Expr::Object(attributes) if attributes.is_empty() => {
            lines.push(Line { indent, lead: name.to_owned(), assign: Some("= {}".to_owned()) });
        }
        Expr::Object(attributes) => {
            lines.push(Line { indent, lead: format!("{name} = {{"), assign: None });
            for (inner, value) in attributes {
                attribute_lines(inner, value, indent + 1, lines);
            }
            lines.push(Line { indent, lead: "}".to_owned(), assign: None });
        }
        Expr::List(items) => {
            lines.push(Line { indent, lead: format!("{name} = ["), assign: None });
            for item in items {
                element_lines(item, indent + 1, lines);
            }
            lines.push(Line { indent, lead: "]".to_owned(), assign: None });
        }
        // Flat values were written above.
        _ => lines.push(Line { indent, lead: name.to_owned(), assign: Some(format!("= {}", inline(value))) }),
    }
}

/// One element of a multi-line list, followed by a comma (HCL separates elements with commas and allows one after
/// the last, which `terraform fmt` keeps).
fn element_lines(item: &Expr, indent: usize, lines: &mut Vec<Line>) {
    if item.is_flat() || item.is_inline_object() {
        lines.push(Line { indent, lead: format!("{},", inline(item)), assign: None });
        return;
    }
    match item {
        Expr::Object(attributes) => {
            lines.push(Line { indent, lead: "{".to_owned(), assign: None });
            for (name, value) in attributes {
                attribute_lines(name, value, indent + 1, lines);
            }
            lines.push(Line { indent, lead: "},".to_owned(), assign: None });
        }
        Expr::List(items) => {
            lines.push(Line { indent, lead: "[".to_owned(), assign: None });
            for inner in items {
                element_lines(inner, indent + 1, lines);
            }
            lines.push(Line { indent, lead: "],".to_owned(), assign: None });
        }
        _ => lines.push(Line { indent, lead: format!("{},", inline(item)), assign: None }),
    }
}

/// A value on one line: literals, `["a", "b"]`, `{ a = 1, b = 2 }`.
fn inline(value: &Expr) -> String {
    match value {
        Expr::String(text) => quote(text),
        Expr::Bool(b) => b.to_string(),
        Expr::Number(n) | Expr::Raw(n) => n.clone(),
        Expr::List(items) => format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", ")),
        Expr::Object(attributes) if attributes.is_empty() => "{}".to_owned(),
        Expr::Object(attributes) => format!(
            "{{ {} }}",
            attributes.iter().map(|(name, value)| format!("{name} = {}", inline(value))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Lines a run of consecutive single-line attributes up on `=`, then writes every line.
fn write_lines(lines: &[Line], out: &mut String) {
    let mut widths = vec![0usize; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        if lines[start].assign.is_none() {
            start += 1;
            continue;
        }
        let end = (start..lines.len()).find(|&i| lines[i].assign.is_none()).unwrap_or(lines.len());
        let width = lines[start..end].iter().map(|l| l.lead.chars().count()).max().unwrap_or(0);
        widths[start..end].fill(width);
        start = end;
    }
    for (line, width) in lines.iter().zip(widths) {
        if line.lead.is_empty() && line.assign.is_none() {
            out.push('\n');
            continue;
        }
        out.push_str(&"  ".repeat(line.indent));
        out.push_str(&line.lead);
        if let Some(assign) = &line.assign {
            let padding = width - line.lead.chars().count() + 1;
            out.push_str(&" ".repeat(padding));
            out.push_str(assign);
        }
        out.push('\n');
    }
}

/// An HCL quoted string: backslash escapes for quotes, backslashes and control characters, and the template
/// sequences `${` and `%{` doubled so they stay literal text.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(t: &str, ty: &str) -> Expr {
        Expr::Object(vec![("target".into(), Expr::string(t)), ("target_type".into(), Expr::string(ty))])
    }

    #[test]
    fn single_line_attributes_are_aligned_and_multi_line_values_break_the_run() {
        let block = Block::new("resource", &["entra_cross_tenant_partner", "contoso"])
            .attribute("tenant_id", Expr::string("6babcaad-604b-40ac-a9d7-9fd97c0b779f"))
            .attribute(
                "inbound_trust",
                Expr::Object(vec![
                    ("is_mfa_accepted".into(), Expr::Bool(true)),
                    ("is_compliant_device_accepted".into(), Expr::Bool(false)),
                ]),
            )
            .attribute("x", Expr::List(vec![Expr::string("a"), Expr::string("b")]))
            .attribute("empty", Expr::List(Vec::new()))
            .attribute(
                "users_and_groups",
                Expr::Object(vec![
                    ("access_type".into(), Expr::string("allowed")),
                    ("targets".into(), Expr::List(vec![target("AllUsers", "user")])),
                ]),
            );
        let text = render_file(&[Item::Comment("Contoso, Ltd\n(contoso.com)".into()), Item::Block(block)]);
        let expected = r#"# Contoso, Ltd (contoso.com)
resource "entra_cross_tenant_partner" "contoso" {
  tenant_id = "6babcaad-604b-40ac-a9d7-9fd97c0b779f"
  inbound_trust = {
    is_mfa_accepted              = true
    is_compliant_device_accepted = false
  }
  x     = ["a", "b"]
  empty = []
  users_and_groups = {
    access_type = "allowed"
    targets = [
      { target = "AllUsers", target_type = "user" },
    ]
  }
}
"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn empty_blocks_and_objects_stay_on_one_line() {
        let text = render_file(&[
            Item::Block(Block::new("provider", &["entra"])),
            Item::Blank,
            Item::Block(
                Block::new("terraform", &[]).attribute("required_version", Expr::string(">= 1.5.0")).block(
                    Block::new("required_providers", &[])
                        .attribute("entra", Expr::Object(vec![("source".into(), Expr::string("entra-tools/entra"))])),
                ),
            ),
            Item::Blank,
            Item::Block(
                Block::new("resource", &["t", "n"])
                    .attribute("a", Expr::Object(Vec::new()))
                    .attribute("tenant_id", Expr::Raw("entra_cross_tenant_partner.x.tenant_id".into())),
            ),
        ]);
        let expected = r#"provider "entra" {}

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    entra = {
      source = "entra-tools/entra"
    }
  }
}

resource "t" "n" {
  a         = {}
  tenant_id = entra_cross_tenant_partner.x.tenant_id
}
"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn strings_are_escaped_and_templates_stay_literal() {
        assert_eq!(quote("plain"), r#""plain""#);
        assert_eq!(quote(r#"say "hi" \ bye"#), r#""say \"hi\" \\ bye""#);
        assert_eq!(quote("a\nb\tc"), r#""a\nb\tc""#);
        assert_eq!(quote("${var.x} %{if} $5 100%"), r#""$${var.x} %%{if} $5 100%""#);
        assert_eq!(quote("bell\u{7}"), r#""bell\u0007""#);
        assert_eq!(quote("device.deviceAttribute2 -eq 'PAW'"), r#""device.deviceAttribute2 -eq 'PAW'""#);
    }

    #[test]
    fn nested_objects_inside_lists_are_written_one_attribute_per_line() {
        let nested = Expr::Object(vec![("inner".into(), Expr::Object(vec![("a".into(), Expr::Bool(true))]))]);
        let text = render_file(&[Item::Attribute("list".into(), Expr::List(vec![nested]))]);
        assert_eq!(text, "list = [\n  {\n    inner = {\n      a = true\n    }\n  },\n]\n");
    }
}
