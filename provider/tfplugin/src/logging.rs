//! Logging the way Terraform expects from a plugin: hclog JSON lines on stderr.
//!
//! go-plugin reads the plugin's stderr line by line. A line that is a JSON object with `@level`, `@message` and
//! `@timestamp` is re-logged by Terraform at that level (other keys become fields), so `TF_LOG=DEBUG` or
//! `TF_LOG_PROVIDER=TRACE` shows provider logs in Terraform's log, filtered and formatted like its own. Anything
//! else on stderr is logged as a plain debug line. Stdout is reserved for the handshake line.
//!
//! The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`, as Go providers do. With neither set, nothing is logged:
//! Terraform would discard the lines anyway.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;

use serde_json::{Map, Value as Json};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the hclog JSON logger on stderr as the global `tracing` subscriber, with the level from
/// `TF_LOG_PROVIDER` / `TF_LOG`. Does nothing if a subscriber is already installed.
pub fn init_from_env() {
    let level = level_from_env(|name| std::env::var(name).ok());
    if level == LevelFilter::OFF {
        return;
    }
    // HTTP/2 and TLS internals are very chatty at trace level and never what a provider user is after.
    let noisy_cap = level.min(LevelFilter::INFO);
    let filter = Targets::new()
        .with_default(level)
        .with_target("h2", noisy_cap)
        .with_target("hyper", noisy_cap)
        .with_target("hyper_util", noisy_cap)
        .with_target("tower", noisy_cap)
        .with_target("tonic", noisy_cap)
        .with_target("rustls", noisy_cap);
    let layer = HclogLayer::new(std::io::stderr);
    let _ = tracing_subscriber::registry().with(layer.with_filter(filter)).try_init();
}

/// The log level Terraform's conventions ask for: `TF_LOG_PROVIDER`, else `TF_LOG`. Values are `TRACE`, `DEBUG`,
/// `INFO`, `WARN`, `ERROR`, `OFF` (any case) and `JSON` (Terraform's alias for trace); other non-empty values mean
/// trace, as in Terraform itself.
pub fn level_from_env(get: impl Fn(&str) -> Option<String>) -> LevelFilter {
    let setting = ["TF_LOG_PROVIDER", "TF_LOG"].into_iter().find_map(|name| get(name).filter(|v| !v.trim().is_empty()));
    match setting.map(|s| s.trim().to_ascii_uppercase()).as_deref() {
        None | Some("OFF") => LevelFilter::OFF,
        Some("ERROR") => LevelFilter::ERROR,
        Some("WARN") => LevelFilter::WARN,
        Some("INFO") => LevelFilter::INFO,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some(_) => LevelFilter::TRACE,
    }
}

/// A `tracing` layer writing one hclog JSON object per event.
pub struct HclogLayer<W> {
    make_writer: W,
}

impl<W> fmt::Debug for HclogLayer<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HclogLayer").finish_non_exhaustive()
    }
}

impl<W, O> HclogLayer<W>
where
    W: Fn() -> O + Send + Sync + 'static,
    O: Write,
{
    /// A layer that writes each line to a fresh writer from `make_writer` (e.g. `std::io::stderr`).
    pub fn new(make_writer: W) -> Self {
        HclogLayer { make_writer }
    }
}

/// Fields recorded on a span, kept in the span's extensions and added to every event inside it.
struct SpanFields(BTreeMap<String, Json>);

impl<S, W, O> Layer<S> for HclogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: Fn() -> O + Send + Sync + 'static,
    O: Write,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut visitor = JsonVisitor::default();
        attrs.record(&mut visitor);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(visitor.fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut visitor = JsonVisitor::default();
        values.record(&mut visitor);
        let mut extensions = span.extensions_mut();
        if let Some(fields) = extensions.get_mut::<SpanFields>() {
            fields.0.extend(visitor.fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut line = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(fields) = span.extensions().get::<SpanFields>() {
                    line.extend(fields.0.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        let mut visitor = JsonVisitor::default();
        event.record(&mut visitor);
        let message = visitor.fields.remove("message").map(|m| match m {
            Json::String(s) => s,
            other => other.to_string(),
        });
        line.extend(visitor.fields);
        let metadata = event.metadata();
        line.insert("@level".into(), Json::from(hclog_level(*metadata.level())));
        line.insert("@message".into(), Json::from(message.unwrap_or_default()));
        line.insert("@module".into(), Json::from(module_name(metadata.target())));
        line.insert("@timestamp".into(), Json::from(timestamp()));
        let mut bytes = serde_json::to_vec(&line).unwrap_or_default();
        bytes.push(b'\n');
        // One write per line, so lines from different threads do not interleave.
        let _ = (self.make_writer)().write_all(&bytes);
    }
}

fn hclog_level(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// `provider.<crate>`: Terraform shows the plugin's name in front, so the module only needs to say which part of
/// the provider logged.
fn module_name(target: &str) -> String {
    let crate_name = target.split("::").next().unwrap_or(target);
    format!("provider.{crate_name}")
}

/// hclog's JSON time format: RFC 3339 with microseconds.
fn timestamp() -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    time::OffsetDateTime::now_utc().format(&format).unwrap_or_default()
}

#[derive(Default)]
struct JsonVisitor {
    fields: BTreeMap<String, Json>,
}

impl Visit for JsonVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.fields.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.fields.insert(field.name().to_owned(), Json::from(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

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
    fn level_follows_terraform_conventions() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        assert_eq!(level_from_env(env(&[])), LevelFilter::OFF);
        assert_eq!(level_from_env(env(&[("TF_LOG", "debug")])), LevelFilter::DEBUG);
        assert_eq!(level_from_env(env(&[("TF_LOG", "debug"), ("TF_LOG_PROVIDER", "WARN")])), LevelFilter::WARN);
        assert_eq!(level_from_env(env(&[("TF_LOG", "JSON")])), LevelFilter::TRACE);
        assert_eq!(level_from_env(env(&[("TF_LOG_PROVIDER", ""), ("TF_LOG", "info")])), LevelFilter::INFO);
    }

    #[test]
    fn events_become_hclog_json_lines_with_span_fields() {
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::registry().with(HclogLayer::new(move || sink.clone()));
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("rpc", tf_rpc = "ReadResource");
            let _guard = span.enter();
            tracing::warn!(attempt = 2, "retrying");
        });
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        let line: Json = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(line["@level"], "warn");
        assert_eq!(line["@message"], "retrying");
        assert_eq!(line["@module"], "provider.tfplugin");
        assert_eq!(line["tf_rpc"], "ReadResource");
        assert_eq!(line["attempt"], 2);
        let ts = line["@timestamp"].as_str().unwrap();
        assert_eq!(ts.len(), "2024-01-01T00:00:00.000000Z".len(), "{ts}");
    }
}
