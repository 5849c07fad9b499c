//! How the resources created through POST or PUT use the create journal ([`crate::journal`]), in one place: the
//! create is recorded before it is sent, its record dropped when the create fails for good, and dropped again once
//! Terraform has the object in its state (the first Read after it: Terraform only reads what its state holds or
//! what it is importing into it). A provider without a journal (the export command's) does none of this.

use tfplugin::Context;

use super::errors::journal_unusable;
use crate::journal::{CreateJournal, ObjectKind};

/// One create of `kind` for a partner tenant, recorded in the journal before its request is sent.
#[derive(Debug)]
pub struct JournaledCreate<'a> {
    journal: Option<&'a CreateJournal>,
    kind: ObjectKind,
    tenant: &'a str,
    /// An earlier create of the same object was journaled: if the object already exists, it is this provider's
    /// own, made by an apply that was interrupted before Terraform saved it.
    pub earlier_create: bool,
}

impl<'a> JournaledCreate<'a> {
    /// Records the create; a journal that cannot be used is a warning on `ctx`, never a failure.
    pub fn begin(ctx: &Context, journal: Option<&'a CreateJournal>, kind: ObjectKind, tenant: &'a str) -> Self {
        let recorded = journal.map(|journal| journal.record_create(kind, tenant)).unwrap_or_default();
        if let Some(problem) = &recorded.warning {
            ctx.add_diagnostic(journal_unusable(problem));
        }
        JournaledCreate { journal, kind, tenant, earlier_create: recorded.earlier_create }
    }

    /// Drops the record, for a create that failed for good (nothing was made, or the object is someone else's).
    pub fn forget(&self, ctx: &Context) {
        if let Some(problem) = self.journal.and_then(|journal| journal.forget(self.kind, self.tenant)) {
            ctx.add_diagnostic(journal_unusable(&problem));
        }
    }
}

/// Drops the record of creating `kind` for `tenant` once Terraform holds the object in its state. Best effort: a
/// failure only leaves a stale entry, so it is logged and not shown.
pub fn forget_after_read(journal: Option<&CreateJournal>, kind: ObjectKind, tenant: &str) {
    if let Some(problem) = journal.and_then(|journal| journal.forget(kind, tenant)) {
        tracing::warn!(problem, "the create journal could not be updated");
    }
}
