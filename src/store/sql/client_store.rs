//! The `ClientStore` implementation the SQL stores share.

/// The [`ClientStore`](crate::store::ClientStore) of a SQL store type: every method is that of
/// its `clients` field, a [`Clients`](super::Clients) of the store's dialect, but the two
/// inserts, which go through its `inserts` field, the [`GroupCommit`](super::GroupCommit)
/// writer that batches them. One definition for SQLite and PostgreSQL, whose stores differ
/// only in how they connect and migrate.
macro_rules! client_store_of_clients {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::ClientStore for $store {
            async fn insert(
                &self,
                record: std::sync::Arc<$crate::store::ClientRecord>,
            ) -> Result<(), $crate::store::StoreError> {
                self.inserts.insert(record).await
            }

            async fn get(
                &self,
                client_id: &str,
            ) -> Result<
                Option<std::sync::Arc<$crate::store::ClientRecord>>,
                $crate::store::StoreError,
            > {
                self.clients.get(client_id).await
            }

            async fn replace(
                &self,
                record: std::sync::Arc<$crate::store::ClientRecord>,
                expected_version: u64,
            ) -> Result<(), $crate::store::StoreError> {
                self.clients.replace(record, expected_version).await
            }

            async fn delete(
                &self,
                client_id: &str,
                expected_version: u64,
            ) -> Result<(), $crate::store::StoreError> {
                self.clients.delete(client_id, expected_version).await
            }

            async fn count(&self) -> Result<u64, $crate::store::StoreError> {
                self.clients.count().await
            }

            async fn count_up_to(&self, limit: u64) -> Result<u64, $crate::store::StoreError> {
                self.clients.count_up_to(limit).await
            }

            async fn touch(
                &self,
                client_id: &str,
                at: u64,
            ) -> Result<(), $crate::store::StoreError> {
                self.clients.touch(client_id, at).await
            }

            async fn delete_unused(
                &self,
                unused_since: u64,
                limit: usize,
            ) -> Result<Vec<String>, $crate::store::StoreError> {
                self.clients.delete_unused(unused_since, limit).await
            }

            async fn insert_initial_access_token(
                &self,
                token: $crate::store::InitialAccessTokenRecord,
            ) -> Result<(), $crate::store::StoreError> {
                self.clients.insert_initial_access_token(token).await
            }

            async fn initial_access_token_by_hash(
                &self,
                hash: &$crate::token::CredentialHash,
            ) -> Result<Option<$crate::store::InitialAccessTokenRecord>, $crate::store::StoreError>
            {
                self.clients.initial_access_token_by_hash(hash).await
            }

            async fn initial_access_token_by_id(
                &self,
                id: &str,
            ) -> Result<Option<$crate::store::InitialAccessTokenRecord>, $crate::store::StoreError>
            {
                self.clients.initial_access_token_by_id(id).await
            }

            async fn revoke_initial_access_token(
                &self,
                id: &str,
            ) -> Result<(), $crate::store::StoreError> {
                self.clients.revoke_initial_access_token(id).await
            }

            async fn insert_with_initial_access_token(
                &self,
                record: std::sync::Arc<$crate::store::ClientRecord>,
                now: u64,
            ) -> Result<(), $crate::store::StoreError> {
                self.inserts
                    .insert_with_initial_access_token(record, now)
                    .await
            }

            async fn rate_limit(
                &self,
                key: &str,
                limit: $crate::rate_limit::Gcra,
                now_ms: u64,
            ) -> Result<$crate::rate_limit::RateDecision, $crate::store::StoreError> {
                self.clients.rate_limit(key, limit, now_ms).await
            }
        }
    };
}
pub(crate) use client_store_of_clients;
