//! The one table the bench prints: each measurement with its median, range, budget and details, under a header that
//! says what machine and setup produced it. The table is Markdown, so it reads in a terminal and pastes into
//! `docs/performance.md` as is.

use std::fmt::Write as _;

use crate::machine::Machine;
use crate::summary::{Summary, Unit};

/// A budget and whether the measurement met it.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// The budget as written in the issue, e.g. `< 10 ms`.
    pub text: String,
    /// Whether it was met.
    pub met: bool,
}

impl Budget {
    /// A budget `text` that was met when `met` is true.
    pub fn new(text: impl Into<String>, met: bool) -> Budget {
        Budget { text: text.into(), met }
    }
}

/// What a row shows in its value columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A median and a range, in a unit.
    Measured(Summary, Unit),
    /// A single value that has no range, e.g. a count that is the same in every run, written out.
    Text {
        /// How many runs it comes from.
        runs: usize,
        /// The value.
        value: String,
    },
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The section it belongs to (1, 2 or 3 in the numbering).
    pub section: u8,
    /// What was measured.
    pub measurement: String,
    /// The value.
    pub cell: Cell,
    /// The budget, if the issue sets one for this measurement.
    pub budget: Option<Budget>,
    /// Anything that explains the value (requests by route, the waits imposed, ...).
    pub details: String,
}

impl Row {
    /// A row with a measured value.
    pub fn measured(section: u8, measurement: impl Into<String>, summary: Summary, unit: Unit) -> Row {
        Row {
            section,
            measurement: measurement.into(),
            cell: Cell::Measured(summary, unit),
            budget: None,
            details: String::new(),
        }
    }

    /// A row with a value written out.
    pub fn text(section: u8, measurement: impl Into<String>, runs: usize, value: impl Into<String>) -> Row {
        Row {
            section,
            measurement: measurement.into(),
            cell: Cell::Text { runs, value: value.into() },
            budget: None,
            details: String::new(),
        }
    }

    /// Adds a budget.
    pub fn budget(mut self, budget: Budget) -> Row {
        self.budget = Some(budget);
        self
    }

    /// Adds details.
    pub fn details(mut self, details: impl Into<String>) -> Row {
        self.details = details.into();
        self
    }
}

/// Everything the bench found.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The machine and toolchain.
    pub machine: Machine,
    /// How the measurements were made (emulator latency, page size, runs, ...), one sentence each.
    pub setup: Vec<String>,
    /// The measurements.
    pub rows: Vec<Row>,
    /// The 1-minute load average when the bench ended.
    pub load_at_end: Option<f64>,
    /// How long the bench took, in seconds.
    pub elapsed_seconds: f64,
}

impl Report {
    /// Budgets that were missed.
    pub fn missed(&self) -> Vec<&Row> {
        self.rows.iter().filter(|row| row.budget.as_ref().is_some_and(|b| !b.met)).collect()
    }

    /// The report as Markdown: a header with the machine and setup, the table, and a one-line verdict.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let load = |load: Option<f64>| load.map_or_else(|| "unknown".to_owned(), |l| format!("{l:.2}"));
        let _ = writeln!(out, "### entra provider benchmark\n");
        let _ = writeln!(out, "- Machine: {}.", self.machine.line());
        let _ = writeln!(
            out,
            "- Load average (1 min): {} at start, {} at end; the bench took {}.",
            load(self.machine.load_at_start),
            load(self.load_at_end),
            crate::summary::format_seconds(self.elapsed_seconds)
        );
        for line in &self.setup {
            let _ = writeln!(out, "- {line}");
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "| # | measurement | runs | median | range (min–max) | budget | details |");
        let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        for row in &self.rows {
            let (runs, median, range) = match &row.cell {
                Cell::Measured(summary, unit) => {
                    (summary.runs.to_string(), unit.format(summary.median), unit.format_range(summary.min, summary.max))
                }
                Cell::Text { runs, value } => (runs.to_string(), value.clone(), "—".to_owned()),
            };
            let budget = match &row.budget {
                Some(budget) if budget.met => format!("{} — met", budget.text),
                Some(budget) => format!("{} — **MISSED**", budget.text),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                row.section,
                escape(&row.measurement),
                runs,
                escape(&median),
                escape(&range),
                escape(&budget),
                escape(&row.details)
            );
        }
        let _ = writeln!(out);
        let budgets = self.rows.iter().filter(|r| r.budget.is_some()).count();
        let missed = self.missed();
        if missed.is_empty() {
            let _ = writeln!(out, "All {budgets} budgets met.");
        } else {
            let names: Vec<&str> = missed.iter().map(|r| r.measurement.as_str()).collect();
            let _ = writeln!(out, "{} of {budgets} budgets MISSED: {}.", missed.len(), names.join("; "));
        }
        out
    }
}

/// Keeps a cell on one table row.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Machine {
        Machine {
            cpu: "Test CPU".into(),
            cores: 2,
            memory_bytes: 2 * 1024 * 1024 * 1024,
            os: "Test OS".into(),
            terraform: "1.11.4".into(),
            rustc: "rustc 1.95.0".into(),
            profile: "release".into(),
            load_at_start: Some(0.5),
        }
    }

    #[test]
    fn renders_one_markdown_table_with_budgets_and_a_verdict() {
        let summary = Summary::of(&[0.001, 0.002, 0.003]).unwrap();
        let report = Report {
            machine: machine(),
            setup: vec!["Emulator latency 50 ms.".into()],
            rows: vec![
                Row::measured(1, "start → handshake", summary, Unit::Seconds).budget(Budget::new("< 10 ms", true)),
                Row::text(2, "plan N=50: Graph GETs", 3, "1").budget(Budget::new("≤ 2", false)).details("GET a|b ×1"),
            ],
            load_at_end: None,
            elapsed_seconds: 12.0,
        };
        let text = report.render();
        assert!(text.contains("Test CPU × 2 cores, 2.0 GiB RAM, Test OS; terraform 1.11.4, rustc 1.95.0, release"));
        assert!(text.contains("| 1 | start → handshake | 3 | 2.00 ms | 1.00–3.00 ms | < 10 ms — met |  |"), "{text}");
        assert!(text.contains("| 2 | plan N=50: Graph GETs | 3 | 1 | — | ≤ 2 — **MISSED** | GET a\\|b ×1 |"), "{text}");
        assert!(text.contains("1 of 2 budgets MISSED: plan N=50: Graph GETs."), "{text}");
        assert_eq!(report.missed().len(), 1);
    }
}
