//! Graph errors as diagnostics users can act on.
//!
//! A diagnostic reads `"<verb>ing <what> <id>: <cause>"`: the summary says what failed, the detail repeats it with
//! Graph's own error (status, code, message and the request ids a support ticket needs, all in
//! [`GraphError`]'s text) and adds advice where the cause is clear: the permission a 403 lacks, or the `timeouts`
//! value to raise when the operation ran out of time.

use entra_graph::GraphError;
use tfplugin::{AttributePath, Diagnostic, Diagnostics};

/// What an operation needs from Microsoft Graph, for the advice on a 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads (plan, refresh, import): `Policy.Read.All`.
    Read,
    /// Writes (apply): `Policy.ReadWrite.CrossTenantAccess`.
    Write,
    /// Tenant lookups by domain or id: `CrossTenantInformation.ReadBasic.All`.
    Lookup,
    /// Calls outside the cross-tenant access policy (synchronization, multi-tenant organization), which need
    /// other permissions, named in full: one, or several joined with "and".
    Permissions(&'static str),
}

impl Access {
    /// The least-privileged Graph permission for this kind of operation.
    pub fn permission(self) -> &'static str {
        match self {
            Access::Read => "Policy.Read.All",
            Access::Write => "Policy.ReadWrite.CrossTenantAccess",
            Access::Lookup => "CrossTenantInformation.ReadBasic.All",
            Access::Permissions(permissions) => permissions,
        }
    }
}

/// The `timeouts` attribute that bounds an operation, for the advice when it runs out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutName {
    /// `timeouts.create`
    Create,
    /// `timeouts.read`
    Read,
    /// `timeouts.update`
    Update,
    /// `timeouts.delete`
    Delete,
    /// An operation without a configurable timeout (data sources).
    None,
}

/// A diagnostic for a failed Graph call. `action` is the `"<verb>ing <what> <id>"` phrase, e.g. "creating partner
/// configuration 07d2f395-…".
pub fn graph_error(action: &str, access: Access, timeout: TimeoutName, error: &GraphError) -> Diagnostic {
    let mut detail = format!("{action}: {error}.");
    if error.is_forbidden() {
        let permission = access.permission();
        let (noun, pronoun) = if permission.contains(" and ") { ("permissions", "them") } else { ("permission", "it") };
        detail.push_str(&format!(
            "\n\nThe identity the provider signs in with lacks a permission: this needs the Microsoft Graph \
             application {noun} {permission} (with admin consent), or a directory role that grants {pronoun}."
        ));
    }
    if matches!(error, GraphError::DeadlineExceeded { .. }) {
        let attribute = match timeout {
            TimeoutName::Create => Some("create"),
            TimeoutName::Read => Some("read"),
            TimeoutName::Update => Some("update"),
            TimeoutName::Delete => Some("delete"),
            TimeoutName::None => None,
        };
        if let Some(attribute) = attribute {
            detail.push_str(&format!(
                "\n\nMicrosoft Graph was slow or kept failing. If it is merely slow, raise timeouts.{attribute} on \
                 the resource."
            ));
        }
    }
    Diagnostic::error(format!("Failed {action}"), detail)
}

/// [`graph_error`] as a one-element [`Diagnostics`].
pub fn graph_errors(action: &str, access: Access, timeout: TimeoutName, error: &GraphError) -> Diagnostics {
    graph_error(action, access, timeout, error).into()
}

/// The error for a create that met an existing object: on `tenant_id`, with both ways to import it.
pub fn already_exists(resource_type: &str, what: &str, import_id: &str) -> Diagnostics {
    Diagnostics::attribute_error(
        AttributePath::root().attr("tenant_id"),
        format!("The {what} already exists"),
        format!(
            "tenant_id: Microsoft Entra already has the {what} for tenant {import_id}, so it cannot be created. \
             Bring it under Terraform's management by importing it (replace NAME with this resource's name):\n\n  \
             terraform import {resource_type}.NAME {import_id}\n\nor, with Terraform 1.5 or later, add this block \
             and run terraform apply:\n\n  import {{\n    to = {resource_type}.NAME\n    id = \"{import_id}\"\n  }}"
        ),
    )
}

/// The warning for a create that met the object an earlier, interrupted create of this provider made (its create
/// journal says so, see [`crate::journal`]), and took it over instead of failing with [`already_exists`].
pub fn taken_over(what: &str, import_id: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("Took over the {what} an interrupted apply created"),
        format!(
            "tenant_id: Microsoft Entra already had the {what} for tenant {import_id}: an earlier apply of this \
             configuration created it and was interrupted before Terraform saved its state (the provider's create \
             journal in Terraform's data directory records it). Terraform manages it again and has applied the \
             configured settings to it."
        ),
    )
    .at(AttributePath::root().attr("tenant_id"))
}

/// The warning for a create journal that cannot be read or written (see [`crate::journal`]): creates go ahead,
/// but objects an interrupted apply creates must then be imported.
pub fn journal_unusable(problem: &str) -> Diagnostic {
    Diagnostic::warning(
        "The create journal is not usable",
        format!(
            "{problem}. Creates go ahead without it; if this apply is interrupted before Terraform saves its state, \
             the objects it created will have to be imported."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use entra_graph::ApiError;
    use std::time::Duration;

    fn api(status: u16) -> GraphError {
        GraphError::from(ApiError {
            method: "GET".into(),
            path: "/policies/crossTenantAccessPolicy/partners".into(),
            status,
            code: Some("Authorization_RequestDenied".into()),
            message: Some("Insufficient privileges to complete the operation.".into()),
            details: vec![],
            request_id: Some("rid".into()),
            client_request_id: Some("crid".into()),
            date: None,
        })
    }

    #[test]
    fn messages_say_what_failed_and_carry_graphs_error() {
        let d = graph_error("reading partner configuration x", Access::Read, TimeoutName::Read, &api(403));
        assert_eq!(d.summary, "Failed reading partner configuration x");
        assert!(d.detail.starts_with("reading partner configuration x: Microsoft Graph returned 403"), "{}", d.detail);
        assert!(d.detail.contains("Authorization_RequestDenied") && d.detail.contains("request-id: rid"));
        assert!(d.detail.contains("Policy.Read.All"));
        let d = graph_error("updating x", Access::Write, TimeoutName::Update, &api(403));
        assert!(d.detail.contains("Policy.ReadWrite.CrossTenantAccess"));
        let d = graph_error("reading x", Access::Read, TimeoutName::Read, &api(400));
        assert!(!d.detail.contains("permission"));
    }

    #[test]
    fn other_permissions_are_named_in_full_in_the_right_number() {
        let several = Access::Permissions("Application.Read.All and Synchronization.Read.All");
        let d = graph_error("reading configuration x", several, TimeoutName::Read, &api(403));
        assert!(
            d.detail.contains(
                "application permissions Application.Read.All and Synchronization.Read.All (with admin \
             consent), or a directory role that grants them."
            ),
            "{}",
            d.detail
        );
        let one = Access::Permissions("Synchronization.Read.All");
        let d = graph_error("reading job x", one, TimeoutName::None, &api(403));
        assert!(d.detail.contains("permission Synchronization.Read.All (with admin consent)"), "{}", d.detail);
        assert!(d.detail.ends_with("a directory role that grants it."), "{}", d.detail);
    }

    #[test]
    fn timeouts_advice_names_the_attribute() {
        let error = GraphError::DeadlineExceeded {
            what: "creating x".into(),
            timeout: Duration::from_secs(1),
            last_error: None,
        };
        let d = graph_error("creating x", Access::Write, TimeoutName::Create, &error);
        assert!(d.detail.contains("timeouts.create"), "{}", d.detail);
    }

    #[test]
    fn a_takeover_is_a_warning_on_the_tenant_id() {
        let d = taken_over("partner configuration", "07d2f395-f69c-43ab-88a2-b82f1151042d");
        assert!(!d.is_error());
        assert_eq!(d.attribute, Some(AttributePath::root().attr("tenant_id")));
        assert!(d.detail.contains("create journal"), "{}", d.detail);
        assert!(!journal_unusable("x could not be written").is_error());
    }

    #[test]
    fn already_exists_shows_both_import_forms() {
        let d = already_exists(
            "entra_cross_tenant_partner",
            "partner configuration",
            "07d2f395-f69c-43ab-88a2-b82f1151042d",
        );
        let d = d.iter().next().unwrap();
        assert_eq!(d.attribute, Some(AttributePath::root().attr("tenant_id")));
        assert!(
            d.detail.contains("terraform import entra_cross_tenant_partner.NAME 07d2f395-f69c-43ab-88a2-b82f1151042d")
        );
        assert!(d.detail.contains("to = entra_cross_tenant_partner.NAME"));
    }
}
