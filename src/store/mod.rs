//! Where registered clients live: the [`ClientStore`] trait, the in-memory [`MemoryStore`]
//! (the default), with the `sqlite` feature the durable `SqliteStore` (one node), and with the
//! `postgres` feature the durable `PostgresStore` (several replicas sharing one database).
//!
//! The trait is small and built for durable stores shared by several replicas: inserts never
//! overwrite, replacements and deletions are compare-and-swap on a version, so a concurrent
//! update is never silently lost and a rotated token can win only once.

mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;
mod timeout;

use std::sync::Arc;

use async_trait::async_trait;

use crate::metadata::{self, AuthMethod, ClientMetadata, MetadataError};
use crate::secret::Secret;
use crate::token::CredentialHash;

pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub(crate) use timeout::TimeoutStore;

/// A client secret as stored: in clear (a read can return it, RFC 7592 §3), or only its
/// SHA-256 (shown once at registration; a leaked store reveals nothing usable).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum StoredSecret {
    /// The secret itself.
    Plain(Secret),
    /// The SHA-256 of the secret. A fast hash is enough: secrets are 512 random bits, not
    /// passwords, so there is nothing to guess.
    Hashed(CredentialHash),
}

impl StoredSecret {
    /// Whether `presented` is this secret, compared in constant time.
    pub fn matches(&self, presented: &str) -> bool {
        match self {
            // Compare digests: constant time whatever the lengths.
            Self::Plain(secret) => {
                CredentialHash::of(secret.expose()).ct_eq(&CredentialHash::of(presented))
            }
            Self::Hashed(hash) => hash.ct_eq(&CredentialHash::of(presented)),
        }
    }

    /// The secret, when it is stored in clear.
    pub fn plain(&self) -> Option<&Secret> {
        match self {
            Self::Plain(secret) => Some(secret),
            Self::Hashed(_) => None,
        }
    }
}

/// Who registered a client.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Registrant {
    /// Open registration, without credentials.
    Anonymous,
    /// The holder of the initial access token with this id.
    InitialAccessToken(String),
    /// The host application, through the [`Registry`](crate::Registry).
    Host,
}

/// One registered client, as stored.
// `repr(C)` keeps the token hash first: in an `Arc`, it shares a cache line with the
// reference counts, so authorizing a request touches one line of the record.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[repr(C)]
pub struct ClientRecord {
    /// The SHA-256 of the current registration access token.
    pub registration_token_hash: CredentialHash,
    /// Incremented by every replacement; the compare-and-swap guard.
    pub version: u64,
    /// The server-issued client identifier.
    pub client_id: String,
    /// The client secret, for clients whose authentication method uses one.
    pub client_secret: Option<StoredSecret>,
    /// When the secret expires, in seconds since the epoch; 0 for never.
    pub client_secret_expires_at: u64,
    /// When the client was registered, in seconds since the epoch.
    pub client_id_issued_at: u64,
    /// How the client authenticates at the token endpoint (also in `metadata`; kept typed
    /// here for client authentication).
    pub token_endpoint_auth_method: AuthMethod,
    /// Who registered the client: updates are judged as that kind of caller, and the policy
    /// of the initial access token it was registered with applies again.
    pub registered_by: Registrant,
    /// The validated metadata, rendered once as JSON.
    pub metadata: MetadataJson,
}

impl ClientRecord {
    /// A record at version 1, for a client that authenticates with `client_secret_basic`
    /// and was registered anonymously; set the other fields after.
    pub fn new(
        client_id: String,
        client_secret: Option<StoredSecret>,
        client_secret_expires_at: u64,
        client_id_issued_at: u64,
        registration_token_hash: CredentialHash,
        metadata: MetadataJson,
    ) -> Self {
        Self {
            client_id,
            client_secret,
            client_secret_expires_at,
            client_id_issued_at,
            registration_token_hash,
            token_endpoint_auth_method: AuthMethod::ClientSecretBasic,
            registered_by: Registrant::Anonymous,
            metadata,
            version: 1,
        }
    }
}

/// Validated client metadata, rendered once as a compact JSON object: what a read echoes
/// byte for byte, and what a durable store keeps. One allocation per client, so a million
/// clients cost little more than their JSON, and a read copies bytes instead of walking
/// dozens of small heap values.
#[derive(Clone, PartialEq, Eq)]
pub struct MetadataJson(Box<str>);

impl MetadataJson {
    /// Renders metadata that [`metadata::validate`] returned.
    pub fn render(metadata: &ClientMetadata) -> Self {
        // Serializing a map of string keys and JSON-safe values into a String cannot fail.
        let json = serde_json::to_string(metadata).unwrap_or_else(|_| "{}".to_owned());
        Self(json.into_boxed_str())
    }

    /// Metadata a store kept: it must be a JSON object that [`metadata::parse`] accepts.
    pub fn from_stored(json: String) -> Result<Self, MetadataError> {
        let value: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&json)
            .map_err(|e| MetadataError::client_metadata(format!("stored metadata: {e}")))?;
        metadata::parse_owned(value)?;
        Ok(Self(json.into_boxed_str()))
    }

    /// The JSON object.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The typed metadata (parsed on each call: keep the result if it is needed twice).
    pub fn parse(&self) -> Result<ClientMetadata, MetadataError> {
        let value: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&self.0)
            .map_err(|e| MetadataError::client_metadata(format!("stored metadata: {e}")))?;
        metadata::parse_owned(value)
    }
}

impl std::fmt::Debug for MetadataJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
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
/// A method whose future is dropped (a request cancelled by a timeout) may or may not have
/// taken effect; callers re-read rather than assume either.
#[async_trait]
pub trait ClientStore: Send + Sync + 'static {
    /// Stores a new record, unless a record with the same `client_id` exists
    /// ([`StoreError::AlreadyExists`], nothing written).
    async fn insert(&self, record: Arc<ClientRecord>) -> Result<(), StoreError>;

    /// The record of `client_id`, if any.
    async fn get(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError>;

    /// Replaces the record with `record.client_id` if its stored version is `expected_version`;
    /// the new record carries `expected_version + 1` (the caller sets it).
    /// [`StoreError::Conflict`] when the version differs, [`StoreError::NotFound`] when there is
    /// no such record; nothing written then.
    async fn replace(
        &self,
        record: Arc<ClientRecord>,
        expected_version: u64,
    ) -> Result<(), StoreError>;

    /// Deletes the record of `client_id` if its stored version is `expected_version`.
    async fn delete(&self, client_id: &str, expected_version: u64) -> Result<(), StoreError>;

    /// How many clients are stored.
    async fn count(&self) -> Result<u64, StoreError>;

    /// Records that `client_id` was used at `at` (seconds since the epoch): authenticated, or
    /// managed with its registration access token. Does not change the record nor its
    /// `version`, so it never conflicts with a compare-and-swap writer; a later use is never
    /// overwritten by an earlier one. `Ok(())` for an unknown id (deleted meanwhile).
    async fn touch(&self, client_id: &str, at: u64) -> Result<(), StoreError>;

    /// Deletes at most `limit` clients whose last use ([`touch`](Self::touch)), or
    /// registration time (`client_id_issued_at`) if never used, is older than `unused_since`
    /// (seconds since the epoch), and returns their ids. Their registration access tokens
    /// and credentials stop working at once. Used by the opt-in expiry of abandoned clients
    /// ([`RegistrationConfigBuilder::expire_unused_clients`](crate::RegistrationConfigBuilder::expire_unused_clients)).
    async fn delete_unused(
        &self,
        unused_since: u64,
        limit: usize,
    ) -> Result<Vec<String>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(json: &str) -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(json).expect("object")
    }

    #[test]
    fn rendered_metadata_parses_back_to_itself() {
        let parsed = metadata::parse(&map(
            r#"{"redirect_uris":["https://a.example/cb?x=1"],"client_name":"n","client_name#fr":"m",
                "grant_types":["authorization_code"],"default_max_age":5}"#,
        ))
        .expect("parse");
        let json = MetadataJson::render(&parsed);
        assert_eq!(json.parse().expect("parse back"), parsed);
        let stored = MetadataJson::from_stored(json.as_str().to_owned()).expect("stored");
        assert_eq!(stored, json);
    }

    #[test]
    fn stored_metadata_must_be_a_metadata_object() {
        assert!(MetadataJson::from_stored("[]".to_owned()).is_err());
        assert!(MetadataJson::from_stored("{".to_owned()).is_err());
        assert!(MetadataJson::from_stored(r#"{"grant_types":"x"}"#.to_owned()).is_err());
        assert!(MetadataJson::from_stored("{}".to_owned()).is_ok());
    }
}
