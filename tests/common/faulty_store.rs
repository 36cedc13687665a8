//! A store that fails on demand: a [`MemoryStore`] behind a switchable fault, for the tests of
//! what the layer and the registry do when the store fails or stalls; it also counts its
//! lookups, for the tests of what never reaches the store.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use async_trait::async_trait;
use tower_oidc_registration::rate_limit::{Gcra, RateDecision};
use tower_oidc_registration::{
    ClientRecord, ClientStore, CredentialHash, InitialAccessTokenRecord, MemoryStore, StoreError,
};

/// What the faulty store does with each call.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Fault {
    /// Passes every call to the memory store.
    None = 0,
    /// Fails every call with a backend error, touching nothing.
    FailAll = 1,
    /// Serves reads, fails every write with a backend error, touching nothing.
    FailWrites = 2,
    /// Never answers any call.
    Stall = 3,
    /// The next `replace` or `delete` loses a race: another writer rewrites the record
    /// (unchanged, one version on) just before it, so it fails with [`StoreError::Conflict`].
    /// Then `None`.
    LoseNextRace = 4,
    /// The next insertion of a client takes effect, but its answer is lost: it fails with a
    /// backend error, as a store timeout firing after the commit does. Then `None`.
    LoseNextAnswer = 5,
}

/// A [`MemoryStore`] behind a switchable fault.
#[derive(Clone, Default)]
pub struct FaultyStore {
    pub inner: MemoryStore,
    fault: Arc<AtomicU8>,
    /// How many `get` calls reached the store.
    pub gets: Arc<AtomicUsize>,
}

impl FaultyStore {
    pub fn set(&self, fault: Fault) {
        self.fault.store(fault as u8, Ordering::SeqCst);
    }

    /// Waits for ever under [`Fault::Stall`], fails under [`Fault::FailAll`] (and under
    /// [`Fault::FailWrites`] for a write).
    async fn gate(&self, write: bool) -> Result<(), StoreError> {
        let fault = self.fault.load(Ordering::SeqCst);
        if fault == Fault::Stall as u8 {
            std::future::pending::<()>().await;
        }
        if fault == Fault::FailAll as u8 || (write && fault == Fault::FailWrites as u8) {
            return Err(StoreError::Backend(
                "injected fault: connection reset".into(),
            ));
        }
        Ok(())
    }

    /// Under [`Fault::LoseNextAnswer`], `result` (that of an insertion which took effect)
    /// becomes a backend error, and the fault is disarmed.
    fn lose_answer_if_armed(&self, result: Result<(), StoreError>) -> Result<(), StoreError> {
        let (lose, none) = (Fault::LoseNextAnswer as u8, Fault::None as u8);
        let armed = self
            .fault
            .compare_exchange(lose, none, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        match result {
            Ok(()) if armed => Err(StoreError::Backend(
                "injected fault: the answer was lost after the commit".into(),
            )),
            result => result,
        }
    }

    /// Under [`Fault::LoseNextRace`], writes the record one version on, unchanged, as a
    /// concurrent writer would, and disarms.
    async fn lose_race_if_armed(&self, client_id: &str) -> Result<(), StoreError> {
        let (lose, none) = (Fault::LoseNextRace as u8, Fault::None as u8);
        let armed = self
            .fault
            .compare_exchange(lose, none, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        if armed && let Some(current) = self.inner.get(client_id).await? {
            let version = current.version();
            let rewritten = ClientRecord::clone(&current).with_version(version + 1);
            self.inner.replace(Arc::new(rewritten), version).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl ClientStore for FaultyStore {
    async fn insert(&self, record: Arc<ClientRecord>) -> Result<(), StoreError> {
        self.gate(true).await?;
        let result = self.inner.insert(record).await;
        self.lose_answer_if_armed(result)
    }

    async fn get(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        self.gate(false).await?;
        self.inner.get(client_id).await
    }

    async fn replace(
        &self,
        record: Arc<ClientRecord>,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        self.gate(true).await?;
        self.lose_race_if_armed(record.client_id()).await?;
        self.inner.replace(record, expected_version).await
    }

    async fn delete(&self, client_id: &str, expected_version: u64) -> Result<(), StoreError> {
        self.gate(true).await?;
        self.lose_race_if_armed(client_id).await?;
        self.inner.delete(client_id, expected_version).await
    }

    async fn count(&self) -> Result<u64, StoreError> {
        self.gate(false).await?;
        self.inner.count().await
    }

    async fn touch(&self, client_id: &str, at: u64) -> Result<(), StoreError> {
        self.gate(true).await?;
        self.inner.touch(client_id, at).await
    }

    async fn delete_unused(
        &self,
        unused_since: u64,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        self.gate(true).await?;
        self.inner.delete_unused(unused_since, limit).await
    }

    async fn insert_initial_access_token(
        &self,
        token: InitialAccessTokenRecord,
    ) -> Result<(), StoreError> {
        self.gate(true).await?;
        self.inner.insert_initial_access_token(token).await
    }

    async fn initial_access_token_by_hash(
        &self,
        hash: &CredentialHash,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        self.gate(false).await?;
        self.inner.initial_access_token_by_hash(hash).await
    }

    async fn initial_access_token_by_id(
        &self,
        id: &str,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        self.gate(false).await?;
        self.inner.initial_access_token_by_id(id).await
    }

    async fn revoke_initial_access_token(&self, id: &str) -> Result<(), StoreError> {
        self.gate(true).await?;
        self.inner.revoke_initial_access_token(id).await
    }

    async fn insert_with_initial_access_token(
        &self,
        record: Arc<ClientRecord>,
        now: u64,
    ) -> Result<(), StoreError> {
        self.gate(true).await?;
        let result = self
            .inner
            .insert_with_initial_access_token(record, now)
            .await;
        self.lose_answer_if_armed(result)
    }

    async fn rate_limit(
        &self,
        key: &str,
        limit: Gcra,
        now_ms: u64,
    ) -> Result<RateDecision, StoreError> {
        self.gate(true).await?;
        self.inner.rate_limit(key, limit, now_ms).await
    }
}
