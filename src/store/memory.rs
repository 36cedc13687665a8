use std::sync::Arc;

use async_trait::async_trait;
use dashmap::DashMap;
use dashmap::mapref::entry::Entry;

use super::{ClientRecord, ClientStore, StoreError};

/// The default store: a sharded concurrent map in this process. Clients are lost when the
/// process exits and are not shared between replicas.
///
/// Each operation takes one shard lock for a few instructions and never across an `.await`.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    clients: Arc<DashMap<String, Arc<ClientRecord>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl ClientStore for MemoryStore {
    async fn insert(&self, record: ClientRecord) -> Result<(), StoreError> {
        match self.clients.entry(record.client_id.clone()) {
            Entry::Occupied(_) => Err(StoreError::AlreadyExists),
            Entry::Vacant(slot) => {
                slot.insert(Arc::new(record));
                Ok(())
            }
        }
    }

    async fn get(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        Ok(self.clients.get(client_id).map(|r| Arc::clone(r.value())))
    }

    async fn replace(
        &self,
        mut record: ClientRecord,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        let Some(mut current) = self.clients.get_mut(&record.client_id) else {
            return Err(StoreError::NotFound);
        };
        if current.version != expected_version {
            return Err(StoreError::Conflict);
        }
        record.version = expected_version + 1;
        *current = Arc::new(record);
        Ok(())
    }

    async fn delete(&self, client_id: &str, expected_version: u64) -> Result<(), StoreError> {
        match self.clients.entry(client_id.to_owned()) {
            Entry::Vacant(_) => Err(StoreError::NotFound),
            Entry::Occupied(e) if e.get().version != expected_version => Err(StoreError::Conflict),
            Entry::Occupied(e) => {
                e.remove();
                Ok(())
            }
        }
    }

    async fn count(&self) -> Result<u64, StoreError> {
        Ok(self.clients.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::ClientMetadata;
    use crate::token::TokenHash;

    fn record(id: &str) -> ClientRecord {
        ClientRecord::new(
            id.to_owned(),
            None,
            0,
            1,
            TokenHash::of("t"),
            ClientMetadata::default(),
        )
    }

    #[tokio::test]
    async fn insert_never_overwrites() {
        let store = MemoryStore::new();
        store.insert(record("a")).await.expect("insert");
        let mut other = record("a");
        other.client_id_issued_at = 99;
        assert!(matches!(
            store.insert(other).await,
            Err(StoreError::AlreadyExists)
        ));
        let got = store.get("a").await.expect("get").expect("present");
        assert_eq!(got.client_id_issued_at, 1);
        assert_eq!(store.count().await.expect("count"), 1);
    }

    #[tokio::test]
    async fn replace_is_compare_and_swap_on_version() {
        let store = MemoryStore::new();
        store.insert(record("a")).await.expect("insert");
        let mut next = record("a");
        next.client_id_issued_at = 2;
        store.replace(next.clone(), 1).await.expect("replace v1");
        let got = store.get("a").await.expect("get").expect("present");
        assert_eq!((got.version, got.client_id_issued_at), (2, 2));
        // A writer that read version 1 loses: nothing changes.
        next.client_id_issued_at = 3;
        assert!(matches!(
            store.replace(next.clone(), 1).await,
            Err(StoreError::Conflict)
        ));
        let got = store.get("a").await.expect("get").expect("present");
        assert_eq!((got.version, got.client_id_issued_at), (2, 2));
        assert!(matches!(
            store.replace(record("missing"), 1).await,
            Err(StoreError::NotFound)
        ));
    }

    #[tokio::test]
    async fn delete_is_guarded_by_version() {
        let store = MemoryStore::new();
        store.insert(record("a")).await.expect("insert");
        assert!(matches!(
            store.delete("a", 7).await,
            Err(StoreError::Conflict)
        ));
        assert!(store.get("a").await.expect("get").is_some());
        store.delete("a", 1).await.expect("delete");
        assert!(store.get("a").await.expect("get").is_none());
        assert!(matches!(
            store.delete("a", 1).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(store.count().await.expect("count"), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_replacements_have_exactly_one_winner_per_version() {
        let store = MemoryStore::new();
        store.insert(record("a")).await.expect("insert");
        let mut tasks = Vec::new();
        for i in 0..16u64 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut r = record("a");
                r.client_id_issued_at = 100 + i;
                store.replace(r, 1).await.is_ok()
            }));
        }
        let mut winners = 0;
        for t in tasks {
            winners += usize::from(t.await.expect("join"));
        }
        assert_eq!(winners, 1);
        let got = store.get("a").await.expect("get").expect("present");
        assert_eq!(got.version, 2);
    }
}
