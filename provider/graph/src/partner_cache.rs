//! One shared partner listing per client, so refreshing N partners costs about N/page-size requests instead of N.
//!
//! The first read of a partner (or of its identity-sync policy) lists all partners with
//! `$expand=identitySynchronization`; concurrent first readers wait for that one listing instead of starting their
//! own. Later reads are answered from it while it is younger than the TTL.
//!
//! Coherence with this process's own writes: every successful write records what it knows (the new object, "gone",
//! or "changed, value unknown") as an override for the TTL. Overrides apply on top of the current listing and of any
//! listing loaded later, because a listing taken right after a write can come from a replica that has not seen it.
//!
//! Objects the listing does not have: a partner missing from the listing gets a direct GET before it is declared
//! gone, so a partner created by someone else after the listing is still found. A partner deleted by someone else
//! after the listing shows as present until the listing expires; Terraform starts a new provider process for each
//! command, so in practice each plan or apply sees a listing taken during that command.

use crate::models::{IdentitySyncPolicy, PartnerConfiguration};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// What the cache can say about one partner.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cached {
    /// No listing yet (or it expired): list first.
    NoListing,
    /// The partner exists, with this configuration.
    Present(Box<PartnerConfiguration>),
    /// The partner is known not to exist.
    Absent,
    /// The listing does not settle it: ask Graph directly.
    Unknown,
}

#[derive(Debug, Clone)]
enum Knowledge {
    Present(Box<PartnerConfiguration>),
    Absent,
    /// Changed by this process, but the new value is not known.
    Dirty,
}

#[derive(Debug)]
struct Listing {
    loaded_at: Instant,
    partners: HashMap<String, Knowledge>,
}

#[derive(Debug, Default)]
struct State {
    listing: Option<Listing>,
    /// This process's writes, newest knowledge per tenant, with when it was recorded.
    overrides: HashMap<String, (Instant, Knowledge)>,
}

/// The cache. Reads of the state are short, synchronous critical sections; the listing itself happens outside
/// them under `loading`, which makes it single-flight.
#[derive(Debug)]
pub(crate) struct PartnerCache {
    ttl: Duration,
    state: Mutex<State>,
    pub(crate) loading: tokio::sync::Mutex<()>,
}

fn key(tenant_id: &str) -> String {
    tenant_id.trim().to_ascii_lowercase()
}

impl PartnerCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        PartnerCache { ttl, state: Mutex::new(State::default()), loading: tokio::sync::Mutex::new(()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is only ever replaced whole or updated by single inserts, so a panic elsewhere cannot leave
        // it half-written; recover from poisoning rather than failing every later read.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What the cache knows about `tenant_id` right now.
    pub(crate) fn lookup(&self, tenant_id: &str) -> Cached {
        let now = Instant::now();
        let mut state = self.state();
        let ttl = self.ttl;
        state.overrides.retain(|_, (at, _)| now.duration_since(*at) < ttl);
        let fresh = state.listing.as_ref().is_some_and(|l| now.duration_since(l.loaded_at) < ttl);
        if !fresh {
            state.listing = None;
            return Cached::NoListing;
        }
        let listing = state.listing.as_ref().expect("checked above");
        match listing.partners.get(&key(tenant_id)) {
            Some(Knowledge::Present(p)) => Cached::Present(p.clone()),
            Some(Knowledge::Absent) => Cached::Absent,
            Some(Knowledge::Dirty) | None => Cached::Unknown,
        }
    }

    /// True while a listing is fresh.
    pub(crate) fn has_fresh_listing(&self) -> bool {
        let state = self.state();
        state.listing.as_ref().is_some_and(|l| Instant::now().duration_since(l.loaded_at) < self.ttl)
    }

    /// Stores a new listing, with this process's recent writes laid over it.
    pub(crate) fn store_listing(&self, partners: Vec<PartnerConfiguration>, loaded_at: Instant) {
        let mut state = self.state();
        let mut map: HashMap<String, Knowledge> =
            partners.into_iter().map(|p| (key(&p.tenant_id), Knowledge::Present(Box::new(p)))).collect();
        for (tenant, (at, knowledge)) in &state.overrides {
            if loaded_at.duration_since(*at) < self.ttl {
                map.insert(tenant.clone(), knowledge.clone());
            }
        }
        state.listing = Some(Listing { loaded_at, partners: map });
    }

    fn record(&self, tenant_id: &str, knowledge: Knowledge) {
        let tenant = key(tenant_id);
        let mut state = self.state();
        if let Some(listing) = state.listing.as_mut() {
            listing.partners.insert(tenant.clone(), knowledge.clone());
        }
        state.overrides.insert(tenant, (Instant::now(), knowledge));
    }

    /// Records a partner as it now is.
    pub(crate) fn put(&self, partner: PartnerConfiguration) {
        let tenant = partner.tenant_id.clone();
        self.record(&tenant, Knowledge::Present(Box::new(partner)));
    }

    /// Records a partner as found by a direct read (not a write of ours): only the current listing learns it.
    pub(crate) fn learn(&self, tenant_id: &str, partner: Option<PartnerConfiguration>) {
        let mut state = self.state();
        if let Some(listing) = state.listing.as_mut() {
            let knowledge = match partner {
                Some(p) => Knowledge::Present(Box::new(p)),
                None => Knowledge::Absent,
            };
            listing.partners.insert(key(tenant_id), knowledge);
        }
    }

    /// Records a partner as deleted.
    pub(crate) fn remove(&self, tenant_id: &str) {
        self.record(tenant_id, Knowledge::Absent);
    }

    /// Records a partner as changed in a way the cache cannot reproduce; the next read asks Graph.
    pub(crate) fn invalidate(&self, tenant_id: &str) {
        self.record(tenant_id, Knowledge::Dirty);
    }

    /// Applies `change` to the cached partner, or forgets it if the cache does not hold it.
    pub(crate) fn update(&self, tenant_id: &str, change: impl FnOnce(&mut PartnerConfiguration)) {
        let current = {
            let state = self.state();
            let from_override = state.overrides.get(&key(tenant_id)).map(|(_, k)| k.clone());
            let from_listing = || state.listing.as_ref().and_then(|l| l.partners.get(&key(tenant_id)).cloned());
            from_override.or_else(from_listing)
        };
        match current {
            Some(Knowledge::Present(mut partner)) => {
                change(&mut partner);
                self.record(tenant_id, Knowledge::Present(partner));
            }
            _ => self.invalidate(tenant_id),
        }
    }

    /// Records a partner's identity-sync policy (`None`: it has none).
    pub(crate) fn set_identity_sync(&self, tenant_id: &str, policy: Option<IdentitySyncPolicy>) {
        self.update(tenant_id, |partner| partner.identity_synchronization = policy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partner(id: &str, mfa: Option<bool>) -> PartnerConfiguration {
        PartnerConfiguration {
            tenant_id: id.to_owned(),
            settings: serde_json::json!({"inboundTrust": {"isMfaAccepted": mfa}}).as_object().unwrap().clone(),
            ..Default::default()
        }
    }

    const A: &str = "aaaaaaaa-0000-0000-0000-000000000000";
    const B: &str = "bbbbbbbb-0000-0000-0000-000000000000";

    #[tokio::test(start_paused = true)]
    async fn answers_from_the_listing_until_it_expires() {
        let cache = PartnerCache::new(Duration::from_secs(60));
        assert_eq!(cache.lookup(A), Cached::NoListing);
        cache.store_listing(vec![partner(A, Some(true))], Instant::now());
        assert_eq!(cache.lookup(&A.to_uppercase()), Cached::Present(Box::new(partner(A, Some(true)))));
        assert_eq!(cache.lookup(B), Cached::Unknown, "not listed: ask Graph");
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(cache.lookup(A), Cached::NoListing);
    }

    #[tokio::test(start_paused = true)]
    async fn own_writes_win_over_a_stale_listing() {
        let cache = PartnerCache::new(Duration::from_secs(60));
        // Writes before any listing: created B, changed A, deleted... nothing yet listed.
        cache.put(partner(B, Some(false)));
        cache.invalidate(A);
        // A listing taken from a lagging replica: A with old values, no B.
        cache.store_listing(vec![partner(A, Some(true))], Instant::now());
        assert_eq!(cache.lookup(B), Cached::Present(Box::new(partner(B, Some(false)))));
        assert_eq!(cache.lookup(A), Cached::Unknown, "A changed since: ask Graph");

        cache.remove(B);
        assert_eq!(cache.lookup(B), Cached::Absent);
        cache.update(A, |p| p.settings.clear());
        assert_eq!(cache.lookup(A), Cached::Unknown, "no known value to update");
    }

    #[tokio::test(start_paused = true)]
    async fn updates_apply_to_known_partners() {
        let cache = PartnerCache::new(Duration::from_secs(60));
        cache.store_listing(vec![partner(A, Some(true))], Instant::now());
        cache.set_identity_sync(A, Some(IdentitySyncPolicy { display_name: Some("x".into()), ..Default::default() }));
        let Cached::Present(p) = cache.lookup(A) else { panic!("present") };
        assert_eq!(p.identity_synchronization.unwrap().display_name.as_deref(), Some("x"));
        // A direct read's "gone" teaches the listing too.
        cache.learn(B, None);
        assert_eq!(cache.lookup(B), Cached::Absent);
    }
}
