//! What the export tells its user while it runs: progress and warnings on stderr, prefixed `export:` so they stand
//! out in CI logs. Progress is a few counted steps (silenced by `--quiet`); warnings always show. Standard output
//! is kept for the command's result (see [`super::run`]).

use std::io::Write;
use std::sync::Mutex;

/// Where progress and warnings go.
pub struct Reporter {
    quiet: bool,
    sink: Mutex<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reporter").field("quiet", &self.quiet).finish_non_exhaustive()
    }
}

impl Reporter {
    /// Reports on the process's stderr.
    pub fn stderr(quiet: bool) -> Reporter {
        Reporter::to(quiet, Box::new(std::io::stderr()))
    }

    /// Reports into `sink` (tests capture it).
    pub fn to(quiet: bool, sink: Box<dyn Write + Send>) -> Reporter {
        Reporter { quiet, sink: Mutex::new(sink) }
    }

    /// A progress line, unless quiet.
    pub fn progress(&self, message: &str) {
        if !self.quiet {
            self.line(&format!("export: {message}"));
        }
    }

    /// A warning, always shown.
    pub fn warn(&self, message: &str) {
        self.line(&format!("export: warning: {message}"));
    }

    fn line(&self, text: &str) {
        let mut sink = self.sink.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // A closed stderr must not stop the export; there is nowhere else to say so.
        let _ = writeln!(sink, "{text}");
        let _ = sink.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A sink the test can read afterwards.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn quiet_silences_progress_but_not_warnings() {
        let captured = Captured::default();
        let reporter = Reporter::to(true, Box::new(captured.clone()));
        reporter.progress("listing partner configurations");
        reporter.warn("lookups refused");
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text, "export: warning: lookups refused\n");

        let captured = Captured::default();
        let reporter = Reporter::to(false, Box::new(captured.clone()));
        reporter.progress("listing partner configurations");
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text, "export: listing partner configurations\n");
    }
}
