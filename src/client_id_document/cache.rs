//! The cache of resolved documents: bounded in entries, each entry stale from a second of the
//! registry's clock on. Only valid documents enter it; a failure leaves any cached copy alone
//! until it is stale (it is never replaced by the failure).

use std::sync::Arc;

use dashmap::DashMap;

use crate::store::ClientRecord;

/// Resolved documents by client id URL.
pub(crate) struct DocumentCache {
    entries: DashMap<Box<str>, Entry>,
    max_entries: usize,
}

struct Entry {
    record: Arc<ClientRecord>,
    /// The first second (of the registry's clock) at which the entry is stale.
    stale_from: u64,
}

impl DocumentCache {
    /// A cache of at most `max_entries` documents.
    pub(crate) fn new(max_entries: usize) -> Self {
        Self {
            entries: DashMap::new(),
            max_entries,
        }
    }

    /// The client of `url` if its document is cached and fresh at `now`; a stale entry is
    /// dropped.
    pub(crate) fn get(&self, url: &str, now: u64) -> Option<Arc<ClientRecord>> {
        let fresh = self
            .entries
            .get(url)
            .and_then(|entry| (entry.stale_from > now).then(|| Arc::clone(&entry.record)));
        if fresh.is_none() {
            self.entries
                .remove_if(url, |_, entry| entry.stale_from <= now);
        }
        fresh
    }

    /// Caches the client of `url` until `stale_from`. When the cache is full, stale entries
    /// are dropped first; if none was, the entry closest to going stale makes room, so that
    /// entries with long lifetimes (an attacker's) cannot keep every newcomer out. Concurrent
    /// inserts into a full cache may overshoot its bound by as many entries as there are
    /// inserts at once.
    pub(crate) fn insert(&self, url: &str, record: Arc<ClientRecord>, now: u64, stale_from: u64) {
        if stale_from <= now || self.max_entries == 0 {
            return;
        }
        if self.entries.len() >= self.max_entries && !self.entries.contains_key(url) {
            self.entries.retain(|_, entry| entry.stale_from > now);
            if self.entries.len() >= self.max_entries {
                let soonest = self
                    .entries
                    .iter()
                    .min_by_key(|entry| entry.stale_from)
                    .map(|entry| entry.key().clone());
                if let Some(soonest) = soonest {
                    self.entries.remove(&soonest);
                }
            }
        }
        self.entries
            .insert(url.into(), Entry { record, stale_from });
    }

    /// Drops the entry of `url`; whether there was one.
    pub(crate) fn remove(&self, url: &str) -> bool {
        self.entries.remove(url).is_some()
    }

    /// How many documents are cached (fresh or not yet dropped).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}
