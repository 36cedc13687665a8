mod capacity;
mod initial_access;
mod rate_limit;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use dashmap::DashMap;
use dashmap::mapref::entry::Entry;

use super::{ClientRecord, ClientStore, InitialAccessTokenRecord, StoreError};
use crate::rate_limit::{Gcra, RateDecision};
use crate::token::CredentialHash;

/// The default store: a sharded concurrent map in this process. Clients (and initial access
/// tokens, and rate limit states) are lost when the process exits and are not shared between
/// replicas; clones of one store share them.
///
/// **Bounded by default.** [`MemoryStore::new`] (the store of a configuration that names none)
/// holds at most [`DEFAULT_MAX_CLIENTS`](Self::DEFAULT_MAX_CLIENTS) clients, 10,000: a
/// registration past them is refused with `403 access_denied` (`the registration limit of 10000
/// clients is reached`) and a deletion, or the expiry of an unused client, frees a slot. Open
/// registration lets anyone make the server store clients, each up to the metadata limits (64
/// KiB by default): the bound caps what that can cost a process that keeps them all in memory
/// (some 650 MB at worst with the default limits, about 10 MB for typical clients). For more, say
/// so: [`with_max_clients`](Self::with_max_clients) or [`unbounded`](Self::unbounded).
///
/// Each operation takes one shard lock for a few instructions and never across an `.await`.
/// The map holds short client ids inline in its slots, so that a lookup among a million
/// clients touches as few cache lines as possible. Initial access tokens are a map under one
/// lock, with the number of live clients of each, held by a registration with a token while it
/// checks the token and inserts the client.
#[derive(Debug, Clone)]
pub struct MemoryStore {
    clients: Arc<DashMap<ClientKey, Slot>>,
    tokens: Arc<Mutex<initial_access::Tokens>>,
    rate_limits: Arc<rate_limit::RateStates>,
    capacity: Arc<capacity::Capacity>,
}

/// A stored client: the record, and when it was last used (seconds since the epoch, 0 for
/// never), kept beside it so that [`ClientStore::touch`] never replaces the record nor
/// changes its version.
#[derive(Debug)]
struct Slot {
    record: Arc<ClientRecord>,
    last_used: AtomicU64,
}

impl Slot {
    fn new(record: Arc<ClientRecord>) -> Self {
        Self {
            record,
            last_used: AtomicU64::new(0),
        }
    }
}

/// Ids up to this many bytes (UUIDs are 36) live inside the map's slot: a slot is then one
/// 64-byte cache line with the record pointer and the last-use time, and comparing keys needs
/// no other memory.
const INLINE_KEY: usize = 46;

/// A client id as a map key: inline when short, boxed otherwise. Hashes and compares as the
/// id's bytes, so the map can be queried with `&[u8]`.
#[derive(Clone)]
enum ClientKey {
    Inline { len: u8, bytes: [u8; INLINE_KEY] },
    Heap(Box<[u8]>),
}

impl ClientKey {
    fn new(id: &str) -> Self {
        let id = id.as_bytes();
        if id.len() <= INLINE_KEY {
            let mut bytes = [0u8; INLINE_KEY];
            bytes[..id.len()].copy_from_slice(id);
            // Fits in a u8: INLINE_KEY < 256.
            Self::Inline {
                len: id.len() as u8,
                bytes,
            }
        } else {
            Self::Heap(id.into())
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Self::Heap(bytes) => bytes,
        }
    }
}

impl std::borrow::Borrow<[u8]> for ClientKey {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::hash::Hash for ClientKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Must equal `<[u8] as Hash>::hash`, for lookups by `&[u8]`.
        self.as_bytes().hash(state);
    }
}

impl PartialEq for ClientKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for ClientKey {}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.as_bytes()))
    }
}

impl MemoryStore {
    /// The most clients [`MemoryStore::new`] holds.
    pub const DEFAULT_MAX_CLIENTS: u64 = 10_000;

    /// An empty store holding at most [`DEFAULT_MAX_CLIENTS`](Self::DEFAULT_MAX_CLIENTS)
    /// clients.
    pub fn new() -> Self {
        Self::bounded(Some(Self::DEFAULT_MAX_CLIENTS))
    }

    /// An empty store holding at most `max_clients` clients (0 refuses every registration).
    pub fn with_max_clients(max_clients: u64) -> Self {
        Self::bounded(Some(max_clients))
    }

    /// An empty store without a bound on its clients: for tests, benchmarks, and hosts that
    /// bound registrations otherwise (initial access tokens, a
    /// [`MaxClients`](crate::policy::builtin::MaxClients) policy).
    pub fn unbounded() -> Self {
        Self::bounded(None)
    }

    /// The most clients this store holds; `None` without a bound.
    pub fn max_clients(&self) -> Option<u64> {
        self.capacity.max()
    }

    fn bounded(max_clients: Option<u64>) -> Self {
        Self {
            clients: Arc::new(DashMap::with_shard_amount(client_shards())),
            tokens: Arc::default(),
            rate_limits: Arc::default(),
            capacity: Arc::new(capacity::Capacity::new(max_clients)),
        }
    }
}

/// The fewest shards of the clients' map. A shard's table grows by doubling: the insert that
/// crosses its load factor rehashes every client of the shard into a table twice the size,
/// under the shard's write lock, while that request and every other one touching the shard
/// wait. The stall grows with the clients per shard: at the map's default of four shards per
/// core (8 on two cores), the 8 doublings at about 920,000 clients take ~10 ms each (115,000
/// clients rehashed into a 16 MiB table, 4,000 page faults), those at 460,000 ~5 ms, and so on
/// down. At 1,024 shards a shard holds ~900 of those clients and its doubling takes tens of
/// microseconds. An empty shard costs 128 bytes; nothing on the request path visits every
/// shard ([`ClientStore::count`] reads a counter).
const MIN_CLIENT_SHARDS: usize = 1024;

/// [`MIN_CLIENT_SHARDS`], or the map's default (four per core, a power of two) on a host with
/// more than 256 cores.
fn client_shards() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores
        .saturating_mul(4)
        .checked_next_power_of_two()
        .map_or(MIN_CLIENT_SHARDS, |default| default.max(MIN_CLIENT_SHARDS))
}

impl Default for MemoryStore {
    /// [`MemoryStore::new`]: bounded.
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl ClientStore for MemoryStore {
    async fn insert(&self, record: Arc<ClientRecord>) -> Result<(), StoreError> {
        self.capacity.reserve()?;
        match self.clients.entry(ClientKey::new(&record.client_id)) {
            Entry::Occupied(_) => {
                self.capacity.release();
                return Err(StoreError::AlreadyExists);
            }
            Entry::Vacant(slot) => {
                slot.insert(Slot::new(Arc::clone(&record)));
            }
        }
        self.client_added(&record);
        Ok(())
    }

    async fn get(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        Ok(self
            .clients
            .get(client_id.as_bytes())
            .map(|r| Arc::clone(&r.value().record)))
    }

    async fn replace(
        &self,
        record: Arc<ClientRecord>,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        let Some(mut current) = self.clients.get_mut(record.client_id.as_bytes()) else {
            return Err(StoreError::NotFound);
        };
        if current.record.version != expected_version || record.version != expected_version + 1 {
            return Err(StoreError::Conflict);
        }
        // The last use stays: a replacement is not a new client.
        let replaced = std::mem::replace(&mut current.record, Arc::clone(&record));
        drop(current);
        if replaced.registered_by() != record.registered_by() {
            self.client_removed(&replaced);
            self.client_added(&record);
        }
        Ok(())
    }

    async fn delete(&self, client_id: &str, expected_version: u64) -> Result<(), StoreError> {
        match self.clients.entry(ClientKey::new(client_id)) {
            Entry::Vacant(_) => Err(StoreError::NotFound),
            Entry::Occupied(e) if e.get().record.version != expected_version => {
                Err(StoreError::Conflict)
            }
            Entry::Occupied(e) => {
                let removed = e.remove();
                self.capacity.release();
                self.client_removed(&removed.record);
                Ok(())
            }
        }
    }

    /// The clients held, and those being inserted (their slot is reserved first): a counter,
    /// not a pass over the map's shards, since a quota reads it on every registration.
    async fn count(&self) -> Result<u64, StoreError> {
        Ok(self.capacity.taken())
    }

    async fn touch(&self, client_id: &str, at: u64) -> Result<(), StoreError> {
        if let Some(slot) = self.clients.get(client_id.as_bytes()) {
            slot.last_used.fetch_max(at, Ordering::Relaxed);
        }
        Ok(())
    }

    /// The scan reads every client (milliseconds for a million): on a Tokio runtime it runs on
    /// the blocking pool, so that it never stalls the requests of a runtime thread.
    async fn delete_unused(
        &self,
        unused_since: u64,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let store = self.clone();
        let scan = move || store.delete_unused_now(unused_since, limit);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => runtime
                .spawn_blocking(scan)
                .await
                .map_err(|e| StoreError::Backend(Box::new(e))),
            Err(_) => Ok(scan()),
        }
    }

    async fn insert_initial_access_token(
        &self,
        token: InitialAccessTokenRecord,
    ) -> Result<(), StoreError> {
        self.insert_token(token)
    }

    async fn initial_access_token_by_hash(
        &self,
        hash: &CredentialHash,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        Ok(self.token_by_hash(hash))
    }

    async fn initial_access_token_by_id(
        &self,
        id: &str,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        Ok(self.token_by_id(id))
    }

    async fn revoke_initial_access_token(&self, id: &str) -> Result<(), StoreError> {
        self.revoke_token(id)
    }

    async fn insert_with_initial_access_token(
        &self,
        record: Arc<ClientRecord>,
        now: u64,
    ) -> Result<(), StoreError> {
        self.insert_with_token(record, now)
    }

    async fn rate_limit(
        &self,
        key: &str,
        limit: Gcra,
        now_ms: u64,
    ) -> Result<RateDecision, StoreError> {
        Ok(self.rate_limit_now(key, limit, now_ms))
    }
}

impl MemoryStore {
    /// Deletes at most `limit` clients unused since `unused_since`, and returns their ids.
    fn delete_unused_now(&self, unused_since: u64, limit: usize) -> Vec<String> {
        let is_stale = |slot: &Slot| {
            let last_used = slot.last_used.load(Ordering::Relaxed);
            let last = if last_used == 0 {
                slot.record.client_id_issued_at
            } else {
                last_used
            };
            last < unused_since
        };
        // Collect candidates first (no shard lock held while removing), then remove each one
        // only if it is still stale: a client used meanwhile survives.
        let candidates: Vec<ClientKey> = self
            .clients
            .iter()
            .filter(|entry| is_stale(entry.value()))
            .map(|entry| entry.key().clone())
            .take(limit)
            .collect();
        let mut deleted = Vec::with_capacity(candidates.len());
        for key in candidates {
            if let Some((key, slot)) = self.clients.remove_if(&key, |_, slot| is_stale(slot)) {
                self.capacity.release();
                self.client_removed(&slot.record);
                deleted.push(String::from_utf8_lossy(key.as_bytes()).into_owned());
            }
        }
        deleted
    }
}

#[cfg(test)]
mod tests;
