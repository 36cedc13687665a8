//! A store whose every operation is time-limited: a stalled backend fails the request with
//! `503 temporarily_unavailable` instead of holding it (and its connection) forever.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{ClientRecord, ClientStore, InitialAccessTokenRecord, StoreError};
use crate::rate_limit::{Gcra, RateDecision};
use crate::token::CredentialHash;

/// Wraps the configured store when
/// [`store_timeout`](crate::RegistrationConfigBuilder::store_timeout) is set.
pub(crate) struct TimeoutStore {
    inner: Arc<dyn ClientStore>,
    timeout: Duration,
}

/// What a timed-out operation reports: a backend failure. A write may still have landed (a
/// database that commits after the deadline): the client then sees a 503 for a registration
/// that exists, or an update that took effect, and must read back; documented on
/// [`store_timeout`](crate::RegistrationConfigBuilder::store_timeout).
#[derive(Debug, thiserror::Error)]
#[error("the store did not answer within {0:?}")]
struct TimedOut(Duration);

impl TimeoutStore {
    pub(crate) fn new(inner: Arc<dyn ClientStore>, timeout: Duration) -> Self {
        Self { inner, timeout }
    }

    async fn limit<T>(
        &self,
        operation: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        tokio::time::timeout(self.timeout, operation)
            .await
            .unwrap_or_else(|_elapsed| Err(StoreError::Backend(Box::new(TimedOut(self.timeout)))))
    }
}

#[async_trait]
impl ClientStore for TimeoutStore {
    async fn insert(&self, record: Arc<ClientRecord>) -> Result<(), StoreError> {
        self.limit(self.inner.insert(record)).await
    }

    async fn get(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        self.limit(self.inner.get(client_id)).await
    }

    async fn replace(
        &self,
        record: Arc<ClientRecord>,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        self.limit(self.inner.replace(record, expected_version))
            .await
    }

    async fn delete(&self, client_id: &str, expected_version: u64) -> Result<(), StoreError> {
        self.limit(self.inner.delete(client_id, expected_version))
            .await
    }

    async fn count(&self) -> Result<u64, StoreError> {
        self.limit(self.inner.count()).await
    }

    async fn count_up_to(&self, limit: u64) -> Result<u64, StoreError> {
        self.limit(self.inner.count_up_to(limit)).await
    }

    async fn touch(&self, client_id: &str, at: u64) -> Result<(), StoreError> {
        self.limit(self.inner.touch(client_id, at)).await
    }

    async fn delete_unused(
        &self,
        unused_since: u64,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        self.limit(self.inner.delete_unused(unused_since, limit))
            .await
    }

    async fn insert_initial_access_token(
        &self,
        token: InitialAccessTokenRecord,
    ) -> Result<(), StoreError> {
        self.limit(self.inner.insert_initial_access_token(token))
            .await
    }

    async fn initial_access_token_by_hash(
        &self,
        hash: &CredentialHash,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        self.limit(self.inner.initial_access_token_by_hash(hash))
            .await
    }

    async fn initial_access_token_by_id(
        &self,
        id: &str,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        self.limit(self.inner.initial_access_token_by_id(id)).await
    }

    async fn revoke_initial_access_token(&self, id: &str) -> Result<(), StoreError> {
        self.limit(self.inner.revoke_initial_access_token(id)).await
    }

    async fn insert_with_initial_access_token(
        &self,
        record: Arc<ClientRecord>,
        now: u64,
    ) -> Result<(), StoreError> {
        self.limit(self.inner.insert_with_initial_access_token(record, now))
            .await
    }

    async fn rate_limit(
        &self,
        key: &str,
        limit: Gcra,
        now_ms: u64,
    ) -> Result<RateDecision, StoreError> {
        self.limit(self.inner.rate_limit(key, limit, now_ms)).await
    }
}
