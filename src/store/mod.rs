//! Where registered clients live: the [`ClientStore`] trait, the in-memory [`MemoryStore`]
//! (the default), with the `sqlite` feature the durable [`SqliteStore`] (one node), and with the
//! `postgres` feature the durable [`PostgresStore`] (several replicas sharing one database).
//!
//! The trait is small and built for durable stores shared by several replicas: inserts never
//! overwrite, replacements and deletions are compare-and-swap on a version, so a concurrent
//! update is never silently lost and a rotated token can win only once.
//!
//! A store keeps records; it judges nothing: who may read or change a record is the
//! [`Registry`](crate::Registry)'s decision, and a store never sees a token or a secret in
//! clear beyond what a record holds.
//!
//! # Choosing a store
//!
//! A store is chosen with
//! [`.store(..)`](crate::RegistrationConfigBuilder::store) (or
//! [`.shared_store(..)`](crate::RegistrationConfigBuilder::shared_store)) on the configuration
//! builder:
//!
//! - [`MemoryStore`] (the default): a concurrent map in the process. Fast, but every client and
//!   initial access token is lost at a restart and it cannot be shared by replicas: for tests
//!   and demos. It holds at most 10,000 clients unless told otherwise
//!   ([`MemoryStore::with_max_clients`], [`MemoryStore::unbounded`]).
//! - [`SqliteStore`] (feature `sqlite`, bundles SQLite): a database file, for a single node.
//!   Opening it creates or migrates the schema (versioned migrations embedded in the crate,
//!   recorded in a schema version table) and sets WAL with `synchronous=FULL`, so a
//!   registration is on disk before its `201` is sent and survives a crash. Inserts never
//!   overwrite, updates and deletions are compare-and-swap on a version: concurrent writers
//!   have exactly one winner.
//! - [`PostgresStore`] (feature `postgres`): a PostgreSQL database, for several replicas of the
//!   service behind a load balancer. Every replica connects its own store to the same database
//!   (and shares the signing key and the issuer): a client registered through one is read,
//!   updated and deleted through any other, and a deletion revokes its token everywhere at
//!   once. Connecting creates or migrates the schema (versioned migrations, recorded in a
//!   schema version table, run under a `pg_advisory_xact_lock`, so replicas starting at once
//!   migrate once), in the connection's current schema unless one is configured. Inserts are
//!   `INSERT … ON CONFLICT DO NOTHING`, updates and deletions `… WHERE client_id = $1 AND
//!   version = $2`: concurrent updates through several replicas lose nothing and never tear a
//!   record, and of concurrent uses of one rotating token exactly one wins; initial access
//!   tokens are shared too, their uses and client quotas holding for all replicas. The `postgres`
//!   feature enables no TLS in `sqlx`: connect over a trusted network or a local proxy.
//! - Your own: implement the [`ClientStore`] trait (`tests/stores/conformance.rs` in the
//!   repository is the suite every store passes).
//!
//! Both SQL stores can live in the host's own database. Their tables are
//! `oidc_registration_clients`, `oidc_registration_clients_schema_version`,
//! `oidc_registration_initial_access_tokens` and `oidc_registration_rate_limits` unless named
//! otherwise (and, for PostgreSQL, put in a schema of their own) with
//! [`SqliteStore::builder`] or [`PostgresStore::builder`]; a table they did not create is
//! never touched. A host that migrates with its own tooling, or whose runtime role may not
//! change the schema, takes the migrations' SQL from the builder's `migration_sql`, or runs
//! its `migrate` as a deployment step, and connects with `migrate_on_connect(false)`: the
//! store then checks the schema at connect and fails, saying what to run, when it is missing
//! or behind.
//!
//! ```toml
//! tower-oidc-registration = { version = "0.1", features = ["sqlite"] } # or ["postgres"]
//! ```
//!
//! With SQLite:
//!
//! ```no_run
//! # #[cfg(feature = "sqlite")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use tower_oidc_registration::{RegistrationConfig, RegistrationLayer, SigningKey, SqliteStore};
//!
//! let store = SqliteStore::open("/var/lib/myapp/clients.db").await?; // or "sqlite://…?mode=rwc"
//! let config = RegistrationConfig::builder("https://iam.example.org/")
//!     .store(store)
//!     // A key that outlives the process: registration access tokens must verify after a restart.
//!     .signing_key(SigningKey::hs256(&std::fs::read("/etc/myapp/registration-token.key")?)?)
//!     .build()?;
//! let layer = RegistrationLayer::new(config);
//! # let _ = layer;
//! # Ok(())
//! # }
//! ```
//!
//! With PostgreSQL, each replica runs:
//!
//! ```no_run
//! # #[cfg(feature = "postgres")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use tower_oidc_registration::{PostgresStore, RegistrationConfig, RegistrationLayer, SigningKey};
//!
//! // Or PostgresStore::from_pool(pool) with a sqlx::PgPool of your own (size, timeouts, schema).
//! let store = PostgresStore::connect("postgres://app:secret@db.internal:5432/app").await?;
//! let config = RegistrationConfig::builder("https://iam.example.org/")
//!     .store(store)
//!     // The same key and issuer on every replica: a token issued by one verifies on all.
//!     .signing_key(SigningKey::hs256(&std::fs::read("/etc/myapp/registration-token.key")?)?)
//!     .build()?;
//! let layer = RegistrationLayer::new(config);
//! # let _ = layer;
//! # Ok(())
//! # }
//! ```
//!
//! A store operation slower than
//! [`.store_timeout(..)`](crate::RegistrationConfigBuilder::store_timeout) fails its request with
//! `503 temporarily_unavailable`. With an expiry policy, every store also records when each
//! client was last used: see the crate's guide,
//! [abandoned clients](crate#abandoned-clients-opt-in-expiry).
//!
// Without its feature, a store is not in these docs: link to docs.rs, built with every feature.
#![cfg_attr(
    not(feature = "sqlite"),
    doc = "[`SqliteStore`]: https://docs.rs/tower-oidc-registration/latest/tower_oidc_registration/store/struct.SqliteStore.html",
    doc = "[`SqliteStore::builder`]: https://docs.rs/tower-oidc-registration/latest/tower_oidc_registration/store/struct.SqliteStore.html#method.builder"
)]
#![cfg_attr(
    not(feature = "postgres"),
    doc = "[`PostgresStore`]: https://docs.rs/tower-oidc-registration/latest/tower_oidc_registration/store/struct.PostgresStore.html",
    doc = "[`PostgresStore::builder`]: https://docs.rs/tower-oidc-registration/latest/tower_oidc_registration/store/struct.PostgresStore.html#method.builder"
)]

mod initial_access;
mod member;
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

use crate::context::Caller;
use crate::metadata::{self, AuthMethod, ClientMetadata, GrantType, MetadataError};
use crate::rate_limit::{Gcra, RateDecision};
use crate::secret::Secret;
use crate::token::CredentialHash;

pub use initial_access::{InitialAccessTokenRecord, TokenRefusal};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::{PostgresStore, PostgresStoreBuilder};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub use sql::SqlMigration;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sqlite::{SqliteStore, SqliteStoreBuilder};
/// The `sqlx` these stores are built on, re-exported on purpose: the stores take a host's own
/// connection pool (`from_pool`), which must be of this very version; a host without `sqlx`
/// of its own builds one from here (`store::sqlx::SqlitePool`, `store::sqlx::PgPool`).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub use sqlx;
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

/// One registered client, as stored: read it through its accessors; a store builds one with
/// [`ClientRecord::new`] and the `with_*` methods.
// `repr(C)` keeps the token hash first: in an `Arc`, it shares a cache line with the
// reference counts, so authorizing a request touches one line of the record.
#[derive(Debug, Clone)]
#[repr(C)]
pub struct ClientRecord {
    registration_token_hash: CredentialHash,
    version: u64,
    client_id: String,
    client_secret: Option<StoredSecret>,
    client_secret_expires_at: u64,
    client_id_issued_at: u64,
    token_endpoint_auth_method: AuthMethod,
    registered_by: Caller,
    metadata: MetadataJson,
}

impl ClientRecord {
    /// A record at version 1, for a client that authenticates with `client_secret_basic`
    /// and was registered anonymously; set the rest with the `with_*` methods.
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
            registered_by: Caller::Anonymous,
            metadata,
            version: 1,
        }
    }

    /// The record at `version` (incremented by every replacement: the compare-and-swap guard).
    #[must_use]
    pub fn with_version(mut self, version: u64) -> Self {
        self.version = version;
        self
    }

    /// The record with the client's token endpoint authentication method.
    #[must_use]
    pub fn with_auth_method(mut self, method: AuthMethod) -> Self {
        self.token_endpoint_auth_method = method;
        self
    }

    /// The record of a client registered by `caller`.
    #[must_use]
    pub fn with_registered_by(mut self, caller: Caller) -> Self {
        self.registered_by = caller;
        self
    }

    /// The record with another secret and its expiry (0 for never).
    #[must_use]
    pub fn with_client_secret(mut self, secret: Option<StoredSecret>, expires_at: u64) -> Self {
        self.client_secret = secret;
        self.client_secret_expires_at = expires_at;
        self
    }

    /// The record with the hash of another registration access token.
    #[must_use]
    pub fn with_registration_token_hash(mut self, hash: CredentialHash) -> Self {
        self.registration_token_hash = hash;
        self
    }

    /// The record of a client registered at `issued_at` (seconds since the epoch).
    #[must_use]
    pub fn with_client_id_issued_at(mut self, issued_at: u64) -> Self {
        self.client_id_issued_at = issued_at;
        self
    }

    /// The record with other metadata.
    #[must_use]
    pub fn with_metadata(mut self, metadata: MetadataJson) -> Self {
        self.metadata = metadata;
        self
    }

    /// The server-issued client identifier.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The SHA-256 of the current registration access token.
    pub fn registration_token_hash(&self) -> &CredentialHash {
        &self.registration_token_hash
    }

    /// Incremented by every replacement; the compare-and-swap guard.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The client secret, for clients whose authentication method uses one.
    pub fn client_secret(&self) -> Option<&StoredSecret> {
        self.client_secret.as_ref()
    }

    /// When the secret expires, in seconds since the epoch; 0 for never.
    pub fn client_secret_expires_at(&self) -> u64 {
        self.client_secret_expires_at
    }

    /// Whether the client's secret has expired at `now` (seconds since the epoch): it no
    /// longer authenticates from its expiry second on.
    pub fn secret_expired_at(&self, now: u64) -> bool {
        self.client_secret_expires_at != 0 && self.client_secret_expires_at <= now
    }

    /// When the client was registered, in seconds since the epoch.
    pub fn client_id_issued_at(&self) -> u64 {
        self.client_id_issued_at
    }

    /// How the client authenticates at the token endpoint (also in the metadata; kept typed
    /// for client authentication).
    pub fn token_endpoint_auth_method(&self) -> AuthMethod {
        self.token_endpoint_auth_method
    }

    /// Who registered the client: [`Caller::Anonymous`], [`Caller::Host`] or
    /// [`Caller::InitialAccessToken`]. Its updates are judged as that kind of caller, and the
    /// policy of the initial access token it was registered with applies again.
    pub fn registered_by(&self) -> &Caller {
        &self.registered_by
    }

    /// The validated metadata, rendered once as JSON.
    pub fn metadata(&self) -> &MetadataJson {
        &self.metadata
    }

    /// Whether the client registered `grant_type` (`authorization_code` when it registered
    /// none, RFC 7591 §2): what a token endpoint checks before it issues tokens for a grant.
    /// `false` when the stored metadata cannot be read.
    pub fn allows_grant_type(&self, grant_type: GrantType) -> bool {
        // The one member, not the whole metadata: a token endpoint asks on every request.
        member::member::<Vec<member::Text<'_>>>(self.metadata.as_str(), "grant_types").is_ok_and(
            |grant_types| match grant_types {
                Some(grant_types) => grant_types.iter().any(|g| g.0 == grant_type.as_str()),
                None => grant_type == GrantType::AuthorizationCode,
            },
        )
    }

    /// Whether `uri` is one of the client's registered redirect URIs, compared exactly (RFC
    /// 6749 §3.1.2.3, OAuth 2.0 Security BCP §4.1.3). `false` when the stored metadata cannot
    /// be read.
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        // The one member, not the whole metadata: an authorization endpoint asks on every
        // request.
        member::member::<Vec<member::Text<'_>>>(self.metadata.as_str(), "redirect_uris")
            .is_ok_and(|uris| uris.is_some_and(|uris| uris.iter().any(|r| r.0 == uri)))
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
    pub(crate) fn render(metadata: &ClientMetadata) -> Self {
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
    /// `insert` or `insert_with_initial_access_token`: the store holds as many clients as it
    /// may (a bounded [`MemoryStore`]); nothing was written, no token use spent. The registry
    /// answers `403 access_denied`.
    #[error("the store holds as many clients as it may ({max_clients})")]
    Full {
        /// The most clients the store holds.
        max_clients: u64,
    },
    /// `insert_with_initial_access_token`: the token refuses the registration (unknown,
    /// revoked, expired, spent, or at its client quota); nothing was written, no use spent.
    #[error("initial access token refused: {0}")]
    InitialAccessTokenRefused(#[source] TokenRefusal),
    /// The backend failed (I/O, connection, timeout); nothing is known to have been written.
    #[error("store backend failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Storage for registered clients, and for the initial access tokens that register them.
/// Object-safe: use it as `Arc<dyn ClientStore>`.
///
/// Implementations must make each method atomic: a reader sees a record whole or not at all.
/// A method whose future is dropped (a request cancelled by a timeout) may or may not have
/// taken effect; callers re-read rather than assume either.
///
/// # Initial access tokens
///
/// The last five methods keep the initial access tokens of protected registration (RFC 7591
/// §3) beside the clients, so that a token's uses and client quota hold for every replica
/// sharing the store, and across restarts: one [`InitialAccessTokenRecord`] per token (its
/// SHA-256, never the token; its terms; the uses spent; whether it is revoked; the name of its
/// policy). A token's live clients are not kept: they are counted, the clients whose
/// [`registered_by`](ClientRecord::registered_by) is
/// [`Caller::InitialAccessToken`] with the token's id, so that [`delete`](Self::delete) and
/// [`delete_unused`](Self::delete_unused) need no bookkeeping and no count can drift. What
/// makes the terms hold is
/// [`insert_with_initial_access_token`](Self::insert_with_initial_access_token): one atomic
/// step that checks the token, spends a use and inserts the client.
///
/// # Rate limits
///
/// [`rate_limit`](Self::rate_limit) keeps the state of the registration rate limits
/// ([`rate_limit`](crate::rate_limit)) beside the clients, one number per key, so that
/// the limits hold for every replica sharing the store: it applies the one rule,
/// [`gcra`](crate::rate_limit::gcra), under the key's lock.
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

    /// How many clients are stored, counting no further than `limit`: `min(count, limit)`.
    /// What a quota asks ([`MaxClients`](crate::policy::builtin::MaxClients)) on every
    /// registration, so a store whose [`count`](Self::count) reads every client should stop at
    /// `limit` (the SQL stores do); the default counts them all.
    async fn count_up_to(&self, limit: u64) -> Result<u64, StoreError> {
        Ok(self.count().await?.min(limit))
    }

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

    /// Stores a new initial access token, unless a token with the same id or the same hash
    /// exists ([`StoreError::AlreadyExists`], nothing written). Its
    /// [`live_clients`](InitialAccessTokenRecord::live_clients) is ignored.
    async fn insert_initial_access_token(
        &self,
        token: InitialAccessTokenRecord,
    ) -> Result<(), StoreError>;

    /// The initial access token whose SHA-256 is `hash`, if any, with its live clients counted
    /// when it has a client quota ([`InitialAccessTokenRecord::live_clients`]): what a
    /// registration presenting the token is checked against before its body is read.
    async fn initial_access_token_by_hash(
        &self,
        hash: &CredentialHash,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError>;

    /// The initial access token `id`, if any, as
    /// [`initial_access_token_by_hash`](Self::initial_access_token_by_hash) reads it: what the
    /// update of a client registered with it reads its policy from.
    async fn initial_access_token_by_id(
        &self,
        id: &str,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError>;

    /// Revokes the initial access token `id` ([`StoreError::NotFound`] when there is none);
    /// revoking it again changes nothing. A revoked token registers no more clients; its
    /// record stays, for the policy of the clients it registered.
    async fn revoke_initial_access_token(&self, id: &str) -> Result<(), StoreError>;

    /// Stores `record`, a client registered with the initial access token its
    /// [`registered_by`](ClientRecord::registered_by) names, and spends one use of that token,
    /// atomically: in one transaction, refuses if the token is unknown, revoked, or expired at
    /// `now` (seconds since the epoch), if its uses are spent (`uses >= max_uses`), or if as many
    /// clients registered with it exist as its `max_clients` (counted), in that order
    /// ([`InitialAccessTokenRecord::refusal_at`]); else adds one use (saturating) and inserts
    /// the client as [`insert`](Self::insert) does. Concurrent calls for one token, through any
    /// number of stores on the same data, must pass one at a time (a lock on the token), so
    /// that a token's last use, or its last client slot, goes to exactly one of them.
    ///
    /// [`StoreError::InitialAccessTokenRefused`] names the refusal (a record not registered by
    /// a token is [`TokenRefusal::Unknown`]); [`StoreError::AlreadyExists`] when a client with
    /// this id exists. Either way nothing is written and no use is spent.
    async fn insert_with_initial_access_token(
        &self,
        record: Arc<ClientRecord>,
        now: u64,
    ) -> Result<(), StoreError>;

    /// Decides one request under the rate `limit` at `now_ms` (milliseconds since the epoch),
    /// with the state kept under `key` (what registration rate limits key: an address, or the
    /// whole server), atomically: reads the key's theoretical arrival time (0 for a key without
    /// state), applies [`Gcra::apply`] to it (the rule itself is never rewritten by a store),
    /// and stores the new state when the request is allowed; a refused request changes nothing.
    ///
    /// Concurrent calls for one key, through any number of stores on the same data, must pass
    /// one at a time (a lock on the key), so that together they never admit more than the rate
    /// allows: the limits then hold for every replica sharing the store, not per process.
    ///
    /// A key whose state is at or before the time is as good as absent
    /// ([`gcra`](crate::rate_limit::gcra) treats both alike): a store forgets such keys, now and
    /// then, so that the keys of past callers do not pile up.
    async fn rate_limit(
        &self,
        key: &str,
        limit: Gcra,
        now_ms: u64,
    ) -> Result<RateDecision, StoreError>;
}

#[cfg(test)]
mod tests;
