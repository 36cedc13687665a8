//! Where registered clients live: the [`ClientStore`] trait and the in-memory [`MemoryStore`].
//!
//! The trait is small and built for durable stores shared by several replicas: inserts never
//! overwrite, replacements and deletions are compare-and-swap on a version, so a concurrent
//! update is never silently lost and a rotated token can win only once.

mod memory;

use std::sync::Arc;

use async_trait::async_trait;

use crate::metadata::ClientMetadata;
use crate::secret::Secret;
use crate::token::TokenHash;

pub use memory::MemoryStore;

/// One registered client, as stored.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientRecord {
    /// The server-issued client identifier.
    pub client_id: String,
    /// The client secret, for clients whose authentication method uses one.
    pub client_secret: Option<Secret>,
    /// When the secret expires, in seconds since the epoch; 0 for never.
    pub client_secret_expires_at: u64,
    /// When the client was registered, in seconds since the epoch.
    pub client_id_issued_at: u64,
    /// The SHA-256 of the current registration access token.
    pub registration_token_hash: TokenHash,
    /// The validated metadata.
    pub metadata: ClientMetadata,
    /// Incremented by every replacement; the compare-and-swap guard.
    pub version: u64,
}

impl ClientRecord {
    /// A record at version 1.
    pub fn new(
        client_id: String,
        client_secret: Option<Secret>,
        client_secret_expires_at: u64,
        client_id_issued_at: u64,
        registration_token_hash: TokenHash,
        metadata: ClientMetadata,
    ) -> Self {
        Self {
            client_id,
            client_secret,
            client_secret_expires_at,
            client_id_issued_at,
            registration_token_hash,
            metadata,
            version: 1,
        }
    }
}

/// Why a store operation did not happen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// `insert`: a client with this id exists already; nothing was written.
    #[error("a client with this id exists already")]
    AlreadyExists,
    /// `replace` or `delete`: no client with this id.
    #[error("no such client")]
    NotFound,
    /// `replace` or `delete`: the stored version is not the expected one; nothing was written.
    #[error("the client was changed concurrently")]
    Conflict,
    /// The backend failed (I/O, connection, timeout); nothing is known to have been written.
    #[error("store backend failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Storage for registered clients. Object-safe: use it as `Arc<dyn ClientStore>`.
///
/// Implementations must make each method atomic: a reader sees a record whole or not at all.
#[async_trait]
pub trait ClientStore: Send + Sync + 'static {
    /// Stores a new record, unless a record with the same `client_id` exists
    /// ([`StoreError::AlreadyExists`], nothing written).
    async fn insert(&self, record: ClientRecord) -> Result<(), StoreError>;

    /// The record of `client_id`, if any.
    async fn get(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError>;

    /// Replaces the record with `record.client_id` if its stored version is `expected_version`;
    /// the new record carries `expected_version + 1`. [`StoreError::Conflict`] when the version
    /// differs, [`StoreError::NotFound`] when there is no such record; nothing written then.
    async fn replace(&self, record: ClientRecord, expected_version: u64) -> Result<(), StoreError>;

    /// Deletes the record of `client_id` if its stored version is `expected_version`.
    async fn delete(&self, client_id: &str, expected_version: u64) -> Result<(), StoreError>;

    /// How many clients are stored.
    async fn count(&self) -> Result<u64, StoreError>;
}
