//! [`PostgresStore`]: clients in a PostgreSQL database, shared by several replicas.

mod builder;

use sqlx::Postgres;
use sqlx::postgres::{PgPool, PgQueryResult};

use super::StoreError;
use super::sql::{Clients, Dialect, GroupCommit, Ident, Migration, Names};

pub use builder::PostgresStoreBuilder;

/// Clients in a PostgreSQL database, for several replicas of the service sharing it: a
/// client registered through one replica is read, updated and deleted through any other,
/// and a deletion revokes its registration access token everywhere at once. Give every
/// replica the same issuer and signing key
/// ([`signing_key`](crate::RegistrationConfigBuilder::signing_key)): a registration access
/// token issued by one must verify on all.
///
/// The store creates its schema and migrates it when connected. Migrations are SQL embedded
/// in the crate, applied in order inside one transaction that first takes a
/// transaction-scoped advisory lock (`pg_advisory_xact_lock`), so several replicas starting
/// at once migrate once; they are recorded in a schema version table, and a database
/// migrated by a newer release is refused rather than misread. The tables are
/// `oidc_registration_clients`, `oidc_registration_clients_schema_version`,
/// `oidc_registration_initial_access_tokens` and `oidc_registration_rate_limits`, in the
/// connection's current schema (the first of its `search_path`): other names, a schema of
/// their own, and connecting without migrating (for a runtime role that may not change the
/// schema) are options of [`PostgresStore::builder`].
///
/// Inserts are `INSERT … ON CONFLICT DO NOTHING`, replacements and deletions are
/// `… WHERE client_id = $1 AND version = $2`: single statements, whose row lock makes
/// concurrent writers from any number of replicas have exactly one winner, and never leave a
/// torn record. An acknowledged write is committed (PostgreSQL's durability settings apply). A
/// registration with an initial access token is one transaction whose first statement spends a
/// use with an `UPDATE` of the token's row, guarded by its terms: the row lock it takes makes
/// the registrations with one token, through any number of replicas, pass one at a time, so
/// its last use, or its last client slot, goes to exactly one of them. A registration rate
/// limit decision is a transaction that locks its key's row, so the limits hold for all the
/// replicas together.
///
/// Registrations (both inserts) go through four writer tasks of the store (group commit): each
/// writes the registrations waiting for it in one transaction, the plain ones with one
/// multi-row `INSERT`, so that concurrent registrations share round trips and commits. Each
/// insert still returns only once the commit holding it has returned, and keeps its own
/// outcome (a taken id or a refused token fails that insert alone; a registration with a token
/// runs in a savepoint of its own). The tasks run on the tokio runtime that connected the
/// store, and end when the store and its clones are dropped. Reads and other writes use the
/// pool's other connections.
///
/// ```no_run
/// use tower_oidc_registration::{RegistrationConfig, RegistrationLayer, store::PostgresStore};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = PostgresStore::connect("postgres://app@db.internal/app").await?;
/// let config = RegistrationConfig::builder("https://iam.example.org/")
///     .store(store)
///     .build()?;
/// let layer = RegistrationLayer::new(config);
/// # let _ = layer;
/// # Ok(())
/// # }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
#[derive(Debug, Clone)]
pub struct PostgresStore {
    clients: Clients<Postgres>,
    /// The writer task that every insert goes through.
    inserts: GroupCommit,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`,
    /// with the query parameters `sqlx` accepts, such as `?options=-c%20search_path%3Dauth`)
    /// with a default pool, and creates or migrates the schema, with the default table names.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::builder().connect(url).await
    }

    /// A store on a pool the caller configured (size, timeouts, schema). Creates or migrates
    /// the schema, with the default table names.
    pub async fn from_pool(pool: PgPool) -> Result<Self, StoreError> {
        Self::builder().from_pool(pool).await
    }

    /// Options: the table names and their schema, and whether connecting migrates the
    /// store's schema.
    pub fn builder() -> PostgresStoreBuilder {
        PostgresStoreBuilder::default()
    }

    /// The connection pool, for the host's own queries or a health check.
    pub fn pool(&self) -> &PgPool {
        self.clients.pool()
    }

    /// Closes every connection, waiting for those in use to be returned; for a graceful
    /// shutdown. Operations on this store (and its clones) fail afterwards.
    pub async fn close(&self) {
        self.clients.pool().close().await;
    }
}

super::sql::client_store_of_clients!(PostgresStore);

impl Dialect for Postgres {
    const BUILDER: &'static str = "PostgresStoreBuilder";
    const MIGRATIONS: &'static [Migration] = &[
        Migration {
            version: 1,
            description: "clients",
            sql: include_str!("sql/migrations/postgres/0001_clients.sql"),
        },
        Migration {
            version: 2,
            description: "index on last use",
            sql: include_str!("sql/migrations/postgres/0002_last_used_index.sql"),
        },
        Migration {
            version: 3,
            description: "initial access tokens",
            sql: include_str!("sql/migrations/postgres/0003_initial_access_tokens.sql"),
        },
        Migration {
            version: 4,
            description: "rate limits",
            sql: include_str!("sql/migrations/postgres/0004_rate_limits.sql"),
        },
    ];
    /// `BIGINT`: PostgreSQL's `INTEGER` is 32-bit, and the versions read back as `i64`.
    const SCHEMA_VERSION_TABLE: &'static str = "CREATE TABLE IF NOT EXISTS {schema_version} (
    version BIGINT NOT NULL PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";
    const NOW: &'static str = "CAST(floor(EXTRACT(EPOCH FROM now())) AS BIGINT)";
    const BEGIN_MIGRATIONS: &'static str = "BEGIN";
    /// The `UPDATE` of the token row, the transaction's first statement, takes the row lock
    /// that serialises the registrations with one token; under READ COMMITTED, the next one
    /// then re-reads the committed row and counts with a fresh snapshot. Named, not left to the
    /// database's default: under REPEATABLE READ or SERIALIZABLE (a host's
    /// `default_transaction_isolation`), the waiting registration would fail with a
    /// serialization error instead.
    const BEGIN_WRITE: &'static str = "BEGIN ISOLATION LEVEL READ COMMITTED";
    /// PostgreSQL commits concurrent transactions in parallel (and flushes their commits to
    /// disk together): a few batches at once use the time one spends waiting on the network
    /// and the disk. Few, to leave the pool's other connections to reads.
    const WRITERS: usize = 4;
    /// A transaction-scoped advisory lock: replicas starting at once migrate one after the
    /// other, so each migration runs once. Its key is the ASCII of "toidcreg": a fixed value
    /// unlikely to collide with the host's own advisory locks. One key for every table name:
    /// stores of other tables in the database wait too, for migrations that take milliseconds.
    const LOCK_MIGRATIONS: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(x'746f696463726567'::BIGINT)");
    /// `to_regclass` resolves the name as a statement would (through the `search_path` when
    /// unqualified) and is `NULL`, matching no column, when there is no such table.
    const COLUMNS_OF: &'static str = "SELECT attname::TEXT FROM pg_catalog.pg_attribute \
        WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped";
    const TOUCH: &'static str =
        "UPDATE {clients} SET last_used_at = GREATEST(last_used_at, $2) WHERE client_id = $1";
    /// `SKIP LOCKED`: replicas cleaning up at once delete different clients instead of waiting
    /// for each other's row locks.
    const DELETE_UNUSED: &'static str = "DELETE FROM {clients} WHERE client_id IN \
        (SELECT client_id FROM {clients} WHERE COALESCE(last_used_at, client_id_issued_at) < $1 \
         LIMIT $2 FOR UPDATE SKIP LOCKED) \
        AND COALESCE(last_used_at, client_id_issued_at) < $1 RETURNING client_id";
    /// `SKIP LOCKED`: a key a request holds is left to a later sweep (its state is being
    /// renewed anyway), and replicas sweeping at once delete different rows.
    const DELETE_STALE_RATE_LIMITS: &'static str = "DELETE FROM {rate_limits} WHERE limit_key IN \
        (SELECT limit_key FROM {rate_limits} WHERE tat_ms <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED) \
        AND tat_ms <= $1";

    /// Quoted and qualified, as `to_regclass` parses it.
    fn table_ref(names: &Names, table: &Ident) -> String {
        names.qualified(table)
    }

    fn rows_affected(done: &PgQueryResult) -> u64 {
        done.rows_affected()
    }
}
