//! [`SqliteStore`]: clients in a SQLite database file, for a single node.

mod builder;

use std::str::FromStr;
use std::time::Duration;

use sqlx::Sqlite;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteQueryResult,
    SqliteSynchronous,
};

use super::StoreError;
use super::sql::{Clients, Dialect, GroupCommit, Ident, Migration, Names, backend};

pub use builder::SqliteStoreBuilder;

/// How long a statement waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Clients in a SQLite database: they survive a restart, for a single node (several
/// processes on one machine may share the file; replicas on several machines need a
/// server database).
///
/// [`open`](Self::open) sets the connection up for durability: write-ahead log,
/// `synchronous=FULL` (a registration is on disk before its `201` is sent, and survives a
/// crash or a power loss), a busy timeout of 5 s between writers, foreign keys on.
///
/// The store creates its schema and migrates it when opened. Migrations are SQL embedded in
/// the crate, applied in order inside one `BEGIN IMMEDIATE` transaction (two processes
/// opening the same file migrate once), and recorded in a schema version table; a file
/// migrated by a newer release is refused rather than misread. Its tables are
/// `oidc_registration_clients`, `oidc_registration_clients_schema_version`,
/// `oidc_registration_initial_access_tokens` and `oidc_registration_rate_limits`: other names,
/// and opening without migrating (for a host that migrates on its own), are options of
/// [`SqliteStore::builder`].
///
/// Inserts are `INSERT … ON CONFLICT DO NOTHING`, replacements and deletions are
/// `… WHERE client_id = $1 AND version = $2`: single statements, atomic under SQLite's write
/// lock, so concurrent writers have exactly one winner. A registration with an initial access
/// token spends a use, counts the token's live clients and inserts, atomically under the write
/// lock: registrations with tokens, from every process on the file, pass one at a time. So is
/// a registration rate limit decision, so that the limits hold for every process on the file.
///
/// Registrations (both inserts) go through a writer task of the store (group commit), which
/// writes those of concurrent requests in one `BEGIN IMMEDIATE` transaction, so that they
/// share one commit and one fsync instead of queueing for the write lock one fsync each: each
/// insert still returns only once the commit holding it has returned, and each keeps its own
/// outcome (a taken id or a refused token fails that insert alone; a registration with a token
/// runs in a savepoint of its own). The task runs on the tokio runtime that opened the store,
/// and ends when the store and its clones are dropped. Reads never wait for it (in the
/// write-ahead log, readers do not wait for the writer).
///
/// ```no_run
/// use tower_oidc_registration::{RegistrationConfig, RegistrationLayer, store::SqliteStore};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = SqliteStore::open("/var/lib/myapp/clients.db").await?;
/// let config = RegistrationConfig::builder("https://iam.example.org/")
///     .store(store)
///     .build()?;
/// let layer = RegistrationLayer::new(config);
/// # let _ = layer;
/// # Ok(())
/// # }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
#[derive(Debug, Clone)]
pub struct SqliteStore {
    clients: Clients<Sqlite>,
    /// The writer task that every insert goes through.
    inserts: GroupCommit,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database at `path_or_url`: a file path, or a
    /// `sqlite:` URL such as `sqlite:///var/lib/app/clients.db?mode=rwc` (its query parameters
    /// apply; the durability settings above are then set on top). Creates or migrates the
    /// schema, with the default table names.
    pub async fn open(path_or_url: &str) -> Result<Self, StoreError> {
        Self::builder().open(path_or_url).await
    }

    /// A store on a pool the caller configured (its connection settings are the caller's:
    /// see [`open`](Self::open) for the ones this crate recommends). Creates or migrates
    /// the schema, with the default table names.
    pub async fn from_pool(pool: SqlitePool) -> Result<Self, StoreError> {
        Self::builder().from_pool(pool).await
    }

    /// Options: the table names, and whether opening the store migrates its schema.
    pub fn builder() -> SqliteStoreBuilder {
        SqliteStoreBuilder::default()
    }

    /// The connection pool, for the host's own queries or a health check.
    pub fn pool(&self) -> &SqlitePool {
        self.clients.pool()
    }

    /// Closes every connection, waiting for those in use to be returned; for a graceful
    /// shutdown. Operations on this store (and its clones) fail afterwards.
    pub async fn close(&self) {
        self.clients.pool().close().await;
    }
}

/// A pool on the database at `path_or_url` with the settings [`SqliteStore`] describes.
async fn durable_pool(path_or_url: &str) -> Result<SqlitePool, StoreError> {
    let options = if path_or_url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(path_or_url).map_err(backend)?
    } else {
        SqliteConnectOptions::new().filename(path_or_url)
    };
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .connect_with(options)
        .await
        .map_err(backend)
}

super::sql::client_store_of_clients!(SqliteStore);

impl Dialect for Sqlite {
    const BUILDER: &'static str = "SqliteStoreBuilder";
    const MIGRATIONS: &'static [Migration] = &[
        Migration {
            version: 1,
            description: "clients",
            sql: include_str!("sql/migrations/sqlite/0001_clients.sql"),
        },
        Migration {
            version: 2,
            description: "index on last use",
            sql: include_str!("sql/migrations/sqlite/0002_last_used_index.sql"),
        },
        Migration {
            version: 3,
            description: "initial access tokens",
            sql: include_str!("sql/migrations/sqlite/0003_initial_access_tokens.sql"),
        },
        Migration {
            version: 4,
            description: "rate limits",
            sql: include_str!("sql/migrations/sqlite/0004_rate_limits.sql"),
        },
    ];
    const SCHEMA_VERSION_TABLE: &'static str = "CREATE TABLE IF NOT EXISTS {schema_version} (
    version INTEGER NOT NULL PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at INTEGER NOT NULL
)";
    /// `strftime('%s')` rather than `unixepoch()`: also on the older SQLite of a host's tools.
    const NOW: &'static str = "CAST(strftime('%s', 'now') AS INTEGER)";
    /// `IMMEDIATE` takes the write lock at once: two processes opening the same file migrate
    /// one after the other.
    const BEGIN_MIGRATIONS: &'static str = "BEGIN IMMEDIATE";
    /// `IMMEDIATE`: the write lock is taken at once, so that concurrent registrations wait
    /// for each other (for the busy timeout) rather than fail when they come to write.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    /// SQLite has one writer at a time: a second batch would only wait for the lock.
    const WRITERS: usize = 1;
    const LOCK_MIGRATIONS: Option<&'static str> = None;
    const COLUMNS_OF: &'static str = "SELECT name FROM pragma_table_info($1)";
    const TOUCH: &'static str = "UPDATE {clients} \
        SET last_used_at = MAX(COALESCE(last_used_at, 0), $2) WHERE client_id = $1";
    const DELETE_UNUSED: &'static str = "DELETE FROM {clients} WHERE client_id IN \
        (SELECT client_id FROM {clients} WHERE COALESCE(last_used_at, client_id_issued_at) < $1 \
         LIMIT $2) \
        AND COALESCE(last_used_at, client_id_issued_at) < $1 RETURNING client_id";
    const DELETE_STALE_RATE_LIMITS: &'static str = "DELETE FROM {rate_limits} WHERE limit_key IN \
        (SELECT limit_key FROM {rate_limits} WHERE tat_ms <= $1 LIMIT $2) AND tat_ms <= $1";

    /// The bare name: SQLite has no schema option (and `pragma_table_info` takes the name
    /// unquoted).
    fn table_ref(_names: &Names, table: &Ident) -> String {
        table.as_str().to_owned()
    }

    fn rows_affected(done: &SqliteQueryResult) -> u64 {
        done.rows_affected()
    }
}
