//! The `timeouts` attribute every resource has, and the Graph [`Operation`] built from it.
//!
//! `timeouts = { create, read, update, delete }` holds optional durations in Go's syntax (`"30s"`, `"10m"`,
//! `"1h30m"`), validated at plan time. Each bounds everything its operation does: the Graph requests, their retries
//! (throttling, server failures, broken connections) and the waits for Entra's replication lag. The attribute is
//! configuration only: it is never sent to Graph, import leaves it null, and no default is ever written into it,
//! so it cannot cause a diff by itself (changing it is an update that makes no Graph request).

use std::time::Duration;

use entra_graph::Operation;
use entra_graph::duration::{format_go_duration, parse_go_duration};
use tfplugin::validators::custom;
use tfplugin::{Attribute, AttributePath, Context, Diagnostic, Diagnostics, Nesting, Value};

/// The attribute name.
pub const ATTRIBUTE: &str = "timeouts";

/// The resource operations a timeout bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Creating (or, for the singletons, adopting) the object.
    Create,
    /// Reading it during refresh and import.
    Read,
    /// Changing it in place.
    Update,
    /// Deleting (or resetting) it.
    Delete,
}

impl Kind {
    /// Every kind, in attribute order.
    pub const ALL: [Kind; 4] = [Kind::Create, Kind::Read, Kind::Update, Kind::Delete];

    /// The nested attribute's name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Create => "create",
            Kind::Read => "read",
            Kind::Update => "update",
            Kind::Delete => "delete",
        }
    }

    /// The documented default.
    pub fn default_timeout(self) -> Duration {
        match self {
            Kind::Read => Duration::from_secs(5 * 60),
            Kind::Create | Kind::Update | Kind::Delete => Duration::from_secs(10 * 60),
        }
    }

    /// The matching advice target for errors.
    pub fn error_name(self) -> crate::shared::errors::TimeoutName {
        use crate::shared::errors::TimeoutName;
        match self {
            Kind::Create => TimeoutName::Create,
            Kind::Read => TimeoutName::Read,
            Kind::Update => TimeoutName::Update,
            Kind::Delete => TimeoutName::Delete,
        }
    }
}

/// The `timeouts` attribute, with each duration validated at plan time.
pub fn attribute() -> Attribute {
    let duration = |kind: Kind, what: &str| {
        Attribute::string(kind.name())
            .optional()
            .description(format!(
                "How long {what} may take, including retries and waits for Microsoft Entra's replication, as a Go \
                 duration such as `\"30s\"`, `\"10m\"` or `\"1h30m\"`. Default: `\"{}\"`.",
                format_go_duration(kind.default_timeout())
            ))
            .validate(custom(
                "a Go duration such as `10m`",
                |path: &AttributePath, value: &Value, diagnostics: &mut Diagnostics| {
                    if let Some(text) = value.as_str()
                        && let Err(problem) = parse_timeout(text)
                    {
                        diagnostics
                            .push(Diagnostic::error("Invalid timeout", format!("{path}: {problem}")).at(path.clone()));
                    }
                },
            ))
    };
    Attribute::nested(
        ATTRIBUTE,
        Nesting::Single,
        [
            duration(Kind::Create, "creating the object"),
            duration(Kind::Read, "reading it (refresh and import)"),
            duration(Kind::Update, "changing it"),
            duration(Kind::Delete, "deleting it"),
        ],
    )
    .optional()
    .description(
        "Time limits for each operation, as Go durations. Each bounds every Microsoft Graph request of the \
         operation with its retries (throttling, transient failures) and the waits until Microsoft Entra shows the \
         change consistently. Defaults: create `10m`, read `5m`, update `10m`, delete `10m`. Changing only this \
         attribute sends nothing to Microsoft Graph.",
    )
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    let duration = parse_go_duration(text)?;
    if duration.is_zero() {
        return Err(format!("\"{text}\" leaves no time at all; use a positive duration such as \"10m\""));
    }
    Ok(duration)
}

/// The timeout for `kind` from a resource's state, plan or configuration (the object holding `timeouts`): the
/// configured value, or the default. A value that cannot be read (only possible in a hand-edited state, since
/// configurations are validated) is an error on the attribute.
pub fn timeout(resource: &Value, kind: Kind) -> Result<Duration, Diagnostics> {
    let value = resource.get_attr(ATTRIBUTE).get_attr(kind.name());
    match value.as_str() {
        None => Ok(kind.default_timeout()),
        Some(text) => parse_timeout(text).map_err(|problem| {
            let path = AttributePath::root().attr(ATTRIBUTE).attr(kind.name());
            Diagnostics::attribute_error(path.clone(), "Invalid timeout", format!("{path}: {problem}"))
        }),
    }
}

/// The Graph operation for `kind`: the resource's timeout (and any earlier deadline the context has), cancelled
/// when Terraform asks the provider to stop.
pub fn operation(ctx: &Context, resource: &Value, kind: Kind) -> Result<Operation, Diagnostics> {
    Ok(operation_with(ctx, timeout(resource, kind)?))
}

/// A Graph operation bounded by `limit` and by the context's deadline and cancellation.
pub fn operation_with(ctx: &Context, limit: Duration) -> Operation {
    let ctx = ctx.with_timeout(limit);
    Operation::new(ctx.remaining().unwrap_or(limit), ctx.cancellation_token())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(timeouts: &[(&str, &str)]) -> Value {
        Value::object([(ATTRIBUTE, Value::object(timeouts.iter().map(|(k, v)| (*k, Value::string(*v)))))])
    }

    #[test]
    fn defaults_apply_when_unset() {
        let none = Value::object([(ATTRIBUTE, Value::Null)]);
        assert_eq!(timeout(&none, Kind::Create).unwrap(), Duration::from_secs(600));
        assert_eq!(timeout(&none, Kind::Read).unwrap(), Duration::from_secs(300));
        assert_eq!(timeout(&resource(&[("create", "1m")]), Kind::Delete).unwrap(), Duration::from_secs(600));
        assert_eq!(timeout(&resource(&[("update", "1h30m")]), Kind::Update).unwrap(), Duration::from_secs(5400));
    }

    #[test]
    fn the_attribute_validates_durations_at_their_path() {
        let attribute = attribute();
        let (_, inner) = attribute.nested_attributes().unwrap();
        for (name, text, ok) in
            [("create", "10m", true), ("read", "5 minutes", false), ("delete", "0", false), ("update", "-1s", false)]
        {
            let field = inner.iter().find(|a| a.name == name).unwrap();
            let path = AttributePath::root().attr(ATTRIBUTE).attr(name);
            let mut diagnostics = Diagnostics::new();
            for validator in &field.validators {
                validator.validate(&path, &Value::string(text), &mut diagnostics);
            }
            assert_eq!(diagnostics.is_empty(), ok, "{name} = {text}: {diagnostics}");
            if !ok {
                assert_eq!(diagnostics.iter().next().unwrap().attribute, Some(path));
            }
        }
        assert!(attribute.description.contains("read `5m`"));
    }

    #[test]
    fn a_bad_stored_value_is_an_error_on_the_attribute() {
        let error = timeout(&resource(&[("read", "soon")]), Kind::Read).unwrap_err();
        assert_eq!(error.iter().next().unwrap().attribute, Some(AttributePath::root().attr(ATTRIBUTE).attr("read")));
    }

    #[tokio::test]
    async fn operations_take_the_timeout_and_the_contexts_cancellation() {
        let token = entra_graph::CancellationToken::new();
        let ctx = Context::new(token.clone());
        let op = operation(&ctx, &resource(&[("read", "2s")]), Kind::Read).unwrap();
        assert!(op.timeout() <= Duration::from_secs(2) && op.timeout() > Duration::from_secs(1));
        // An earlier deadline on the context wins.
        let short = operation_with(&ctx.with_timeout(Duration::from_millis(100)), Duration::from_secs(60));
        assert!(short.timeout() <= Duration::from_millis(100));
        assert!(!op.is_cancelled());
        token.cancel();
        assert!(op.is_cancelled() && short.is_cancelled());
    }
}
