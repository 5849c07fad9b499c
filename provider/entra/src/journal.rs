//! The create journal: how the provider recognises, after an interrupted apply, the objects it created itself.
//!
//! Terraform writes its state when an apply ends. An apply killed part-way (a CI runner's timeout, an out-of-memory
//! kill, a lost machine) therefore forgets every object it created, and the next apply would meet each of them as
//! "already exists" (409). The contract is that an object Terraform did not create must be imported, never taken
//! over silently, however its settings look. So the provider keeps its own record: before it sends a create (the
//! POST of a partner configuration, the PUT of an identity synchronization policy) it records the object here and
//! flushes the record to disk. A later create that meets 409 takes the object over only when such a record, made
//! by an *earlier* create, exists: that object is this provider's own.
//!
//! - The file is `entra/create-journal.json` in Terraform's data directory: `TF_DATA_DIR`, or `.terraform` in the
//!   working directory Terraform runs the provider in. It is small JSON; deleting it only loses the takeovers.
//! - Entries are keyed by the Graph endpoint, the managed tenant, the kind of object and the partner tenant, so
//!   configurations for other tenants or clouds in the same directory never see each other's entries.
//! - An entry is removed when a create fails without effect, when Terraform reads the object (a refresh of its
//!   state, or the read that completes an import: Terraform owns the object then) or deletes it, and after seven
//!   days. Nothing else changes the file: a provider configured by the export command has no journal at all.
//! - A journal that cannot be read or written never blocks an apply: the problem is reported as a warning and a
//!   409 is then the usual import error.
//! - Writes within one provider process are serialised; two Terraform commands in one directory at once are
//!   already prevented by the state lock.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The journal's file, relative to Terraform's data directory.
pub const FILE: &str = "entra/create-journal.json";

/// How long an entry nothing confirms or clears is kept.
pub const MAX_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The kinds of object whose creates are journaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A partner configuration.
    Partner,
    /// A partner's identity synchronization policy.
    IdentitySync,
}

impl ObjectKind {
    fn name(self) -> &'static str {
        match self {
            ObjectKind::Partner => "partner",
            ObjectKind::IdentitySync => "identitySynchronization",
        }
    }
}

/// One journaled create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    graph_endpoint: String,
    tenant_id: String,
    kind: String,
    partner_tenant_id: String,
    /// Seconds since the Unix epoch.
    recorded_at: u64,
}

/// The file's contents.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Contents {
    version: u32,
    entries: Vec<Entry>,
}

/// What recording a create found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    /// An earlier create of the same object was journaled: if the object exists, it is this provider's own.
    pub earlier_create: bool,
    /// The journal could not be read or written; the create goes ahead without it.
    pub warning: Option<String>,
}

/// The create journal of one provider configuration (one Graph endpoint and managed tenant).
#[derive(Debug)]
pub struct CreateJournal {
    path: PathBuf,
    graph_endpoint: String,
    tenant_id: String,
    /// The entries of every configuration in the file, loaded on first use (`None` before).
    entries: Mutex<Option<Vec<Entry>>>,
}

impl CreateJournal {
    /// The journal in `data_dir` (see [`CreateJournal::data_dir`]) for the configuration managing `tenant_id`
    /// through `graph_endpoint`. Nothing is read or written until it is used.
    pub fn new(data_dir: &Path, graph_endpoint: &str, tenant_id: &str) -> Self {
        CreateJournal {
            path: data_dir.join(FILE),
            graph_endpoint: graph_endpoint.trim_end_matches('/').to_ascii_lowercase(),
            tenant_id: tenant_id.trim().to_ascii_lowercase(),
            entries: Mutex::new(None),
        }
    }

    /// Terraform's data directory as the provider sees it: `TF_DATA_DIR` from `env`, or `.terraform` (relative to
    /// the working directory, which Terraform shares with the providers it starts).
    pub fn data_dir(env: impl Fn(&str) -> Option<String>) -> PathBuf {
        env("TF_DATA_DIR")
            .filter(|dir| !dir.trim().is_empty())
            .map_or_else(|| PathBuf::from(".terraform"), PathBuf::from)
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records, durably, that a create of `kind` for `partner_tenant_id` is about to be sent, and says whether an
    /// earlier create of it was recorded.
    pub fn record_create(&self, kind: ObjectKind, partner_tenant_id: &str) -> Recorded {
        let mut guard = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut warning = self.load(&mut guard).err();
        let entries = guard.get_or_insert_with(Vec::new);
        let earlier_create = entries.iter().any(|e| self.matches(e, kind, partner_tenant_id));
        entries.retain(|e| !self.matches(e, kind, partner_tenant_id));
        entries.push(Entry {
            graph_endpoint: self.graph_endpoint.clone(),
            tenant_id: self.tenant_id.clone(),
            kind: kind.name().to_owned(),
            partner_tenant_id: partner_tenant_id.trim().to_ascii_lowercase(),
            recorded_at: now(),
        });
        if let Err(problem) = self.save(entries) {
            warning = Some(problem);
        }
        Recorded { earlier_create, warning }
    }

    /// Removes the entry of `kind` for `partner_tenant_id`, if there is one. Returns a warning when the journal
    /// could not be updated.
    pub fn forget(&self, kind: ObjectKind, partner_tenant_id: &str) -> Option<String> {
        let mut guard = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let loaded = self.load(&mut guard).err();
        let entries = guard.get_or_insert_with(Vec::new);
        let before = entries.len();
        entries.retain(|e| !self.matches(e, kind, partner_tenant_id));
        if entries.len() == before {
            return loaded;
        }
        self.save(entries).err().or(loaded)
    }

    fn matches(&self, entry: &Entry, kind: ObjectKind, partner_tenant_id: &str) -> bool {
        entry.graph_endpoint == self.graph_endpoint
            && entry.tenant_id == self.tenant_id
            && entry.kind == kind.name()
            && entry.partner_tenant_id.eq_ignore_ascii_case(partner_tenant_id.trim())
    }

    /// Reads the file once per process; a missing file is an empty journal. Entries past [`MAX_AGE`] are dropped.
    /// An unreadable file counts as empty, and the problem is returned for a warning.
    fn load(&self, entries: &mut Option<Vec<Entry>>) -> Result<(), String> {
        if entries.is_some() {
            return Ok(());
        }
        let (mut found, problem) = match std::fs::read(&self.path) {
            Ok(bytes) => match serde_json::from_slice::<Contents>(&bytes) {
                Ok(contents) => (contents.entries, None),
                Err(e) => {
                    (Vec::new(), Some(format!("{} is not a create journal ({e}); it is ignored", self.path.display())))
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), None),
            Err(e) => (Vec::new(), Some(format!("{} could not be read ({e}); it is ignored", self.path.display()))),
        };
        let oldest = now().saturating_sub(MAX_AGE.as_secs());
        found.retain(|e| e.recorded_at >= oldest);
        *entries = Some(found);
        problem.map_or(Ok(()), Err)
    }

    /// Writes the journal atomically and durably: a temporary file, flushed to disk, renamed over the old one.
    fn save(&self, entries: &[Entry]) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("{} could not be written ({e})", self.path.display());
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(fail)?;
        let contents = Contents { version: 1, entries: entries.to_vec() };
        let bytes = serde_json::to_vec_pretty(&contents).expect("the journal always serializes");
        let temporary = dir.join(format!(".create-journal.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            use std::io::Write as _;
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&temporary, &self.path)?;
            // The rename itself is durable once the directory is flushed; not every platform can, so best effort.
            if let Ok(directory) = std::fs::File::open(dir) {
                let _ = directory.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            fail(e)
        })
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTNER: &str = "07d2f395-f69c-43ab-88a2-b82f1151042d";

    impl CreateJournal {
        /// Whether an entry of `kind` for `partner_tenant_id` exists.
        fn remembers(&self, kind: ObjectKind, partner_tenant_id: &str) -> bool {
            let mut guard = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let _ = self.load(&mut guard);
            guard.as_ref().is_some_and(|entries| entries.iter().any(|e| self.matches(e, kind, partner_tenant_id)))
        }
    }

    fn journal(dir: &Path) -> CreateJournal {
        CreateJournal::new(dir, "https://127.0.0.1:8443/", "4B8C18BD-2F9F-4227-AF55-9F1061CF9C32")
    }

    #[test]
    fn a_create_is_recorded_durably_and_recognised_by_the_next_process() {
        let dir = tempfile::tempdir().unwrap();
        let first = journal(dir.path());
        assert_eq!(first.record_create(ObjectKind::Partner, PARTNER), Recorded::default());
        // A new provider process (a new journal over the same file) sees the entry, in any case of the id.
        let second = journal(dir.path());
        assert!(second.record_create(ObjectKind::Partner, &PARTNER.to_ascii_uppercase()).earlier_create);
        assert!(!second.record_create(ObjectKind::IdentitySync, PARTNER).earlier_create, "kinds are apart");
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        let contents: Contents = serde_json::from_str(&text).unwrap();
        assert_eq!(contents.entries.len(), 2, "one entry per object: {text}");
        assert!(text.contains("\"graphEndpoint\": \"https://127.0.0.1:8443\""), "{text}");
    }

    #[test]
    fn forgetting_removes_only_that_entry() {
        let dir = tempfile::tempdir().unwrap();
        let j = journal(dir.path());
        j.record_create(ObjectKind::Partner, PARTNER);
        j.record_create(ObjectKind::IdentitySync, PARTNER);
        assert_eq!(j.forget(ObjectKind::Partner, PARTNER), None);
        let fresh = journal(dir.path());
        assert!(!fresh.remembers(ObjectKind::Partner, PARTNER));
        assert!(fresh.remembers(ObjectKind::IdentitySync, PARTNER));
        assert_eq!(fresh.forget(ObjectKind::Partner, PARTNER), None, "forgetting nothing is fine");
    }

    #[test]
    fn other_endpoints_and_tenants_do_not_see_each_others_entries() {
        let dir = tempfile::tempdir().unwrap();
        journal(dir.path()).record_create(ObjectKind::Partner, PARTNER);
        let other_cloud =
            CreateJournal::new(dir.path(), "https://127.0.0.1:9443", "4b8c18bd-2f9f-4227-af55-9f1061cf9c32");
        assert!(!other_cloud.record_create(ObjectKind::Partner, PARTNER).earlier_create);
        let other_tenant =
            CreateJournal::new(dir.path(), "https://127.0.0.1:8443", "11111111-2f9f-4227-af55-9f1061cf9c32");
        assert!(!other_tenant.remembers(ObjectKind::Partner, PARTNER));
        assert!(journal(dir.path()).remembers(ObjectKind::Partner, PARTNER), "nothing was lost");
    }

    #[test]
    fn old_entries_expire() {
        let dir = tempfile::tempdir().unwrap();
        let j = journal(dir.path());
        j.record_create(ObjectKind::Partner, PARTNER);
        let path = dir.path().join(FILE);
        let mut contents: Contents = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        contents.entries[0].recorded_at = now() - MAX_AGE.as_secs() - 60;
        std::fs::write(&path, serde_json::to_vec(&contents).unwrap()).unwrap();
        assert!(!journal(dir.path()).remembers(ObjectKind::Partner, PARTNER));
    }

    #[test]
    fn a_damaged_or_unwritable_journal_warns_and_never_blocks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("entra")).unwrap();
        std::fs::write(dir.path().join(FILE), "{not json").unwrap();
        let recorded = journal(dir.path()).record_create(ObjectKind::Partner, PARTNER);
        assert!(!recorded.earlier_create);
        assert!(recorded.warning.as_deref().is_some_and(|w| w.contains("is not a create journal")), "{recorded:?}");
        // The damaged file was replaced by a good one.
        assert!(journal(dir.path()).remembers(ObjectKind::Partner, PARTNER));

        // A data directory that is a file: nothing can be written.
        let blocked = dir.path().join("blocked");
        std::fs::write(&blocked, "").unwrap();
        let recorded = journal(&blocked).record_create(ObjectKind::Partner, PARTNER);
        assert!(!recorded.earlier_create);
        assert!(recorded.warning.as_deref().is_some_and(|w| w.contains("could not be written")), "{recorded:?}");
    }

    #[test]
    fn the_data_directory_follows_tf_data_dir() {
        assert_eq!(CreateJournal::data_dir(|_| None), PathBuf::from(".terraform"));
        assert_eq!(CreateJournal::data_dir(|_| Some(" ".into())), PathBuf::from(".terraform"));
        assert_eq!(
            CreateJournal::data_dir(|n| (n == "TF_DATA_DIR").then(|| "/x/data".into())),
            PathBuf::from("/x/data")
        );
    }
}
