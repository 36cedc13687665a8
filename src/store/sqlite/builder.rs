//! [`SqliteStoreBuilder`]: the table names of a [`SqliteStore`], and when its schema is
//! migrated.

use sqlx::Sqlite;
use sqlx::sqlite::SqlitePool;

use super::{SqliteStore, durable_pool};
use crate::store::StoreError;
use crate::store::sql::{Clients, GroupCommit, NameOptions, SqlMigration, scripts};

/// How a [`SqliteStore`] is opened: the names of its tables, and whether opening it migrates
/// its schema. From [`SqliteStore::builder`]; [`SqliteStore::open`] and
/// [`SqliteStore::from_pool`] are this builder's defaults.
///
/// **Names.** The clients table is `oidc_registration_clients` unless set with
/// [`table`](Self::table); the table recording the schema version is the table's name followed by
/// `_schema_version` (set it with [`schema_version_table`](Self::schema_version_table)), the table
/// of initial access tokens `oidc_registration_initial_access_tokens`, or the table's name followed
/// by `_iat` when the table has another name (set it with
/// [`initial_access_token_table`](Self::initial_access_token_table)), the table of rate limit
/// states `oidc_registration_rate_limits`, or the table's name followed by `_rl` (set it with
/// [`rate_limit_table`](Self::rate_limit_table)), and the indexes on last use
/// and on who registered a client the table's name followed by `_last_used` and `_reg_by`. A name
/// is a plain SQL identifier (`[A-Za-z_][A-Za-z0-9_]*`, at most 63 bytes), refused otherwise when
/// the store is opened; it is quoted in every statement. The store never touches a table it did not
/// create: opening it on a database whose table of that name was created by something else fails.
///
/// **Migrations.** By default the store migrates its schema when opened (in one
/// `BEGIN IMMEDIATE` transaction: two processes opening one file at once migrate once). With
/// [`migrate_on_connect(false)`](Self::migrate_on_connect) it changes no schema, and opening
/// it fails, saying what to run, when its tables are missing or not at the version this
/// release needs: migrate them first with [`migrate`](Self::migrate), or with your own tooling
/// from [`migration_sql`](Self::migration_sql).
///
/// **Upgrading.** A database created by a release whose table names were fixed holds the tables
/// `clients` and `schema_version`: keep using them with
/// `.table("clients").schema_version_table("schema_version")` (the index keeps its name,
/// `clients_last_used`; the tokens and rate limits tables that later releases add are
/// `clients_iat` and `clients_rl`). A store left to
/// the default names refuses to start beside those tables rather than start with none of their
/// clients (name its table explicitly to start afresh).
///
/// ```no_run
/// use tower_oidc_registration::store::SqliteStore;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = SqliteStore::builder()
///     .table("registered_clients")
///     .open("/var/lib/myapp/app.db")
///     .await?;
/// # let _ = store;
/// # Ok(())
/// # }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until a store is opened with it"]
pub struct SqliteStoreBuilder {
    names: NameOptions,
    migrate_on_connect: bool,
}

impl Default for SqliteStoreBuilder {
    fn default() -> Self {
        Self {
            names: NameOptions::default(),
            migrate_on_connect: true,
        }
    }
}

impl SqliteStoreBuilder {
    /// The clients table (default `oidc_registration_clients`); the version table and the
    /// index are named after it unless set.
    pub fn table(mut self, name: impl Into<String>) -> Self {
        self.names.table = Some(name.into());
        self
    }

    /// The table recording which migrations were applied (default: the clients table's name
    /// followed by `_schema_version`). One per clients table: two stores sharing one would
    /// each take the other's migrations for their own.
    pub fn schema_version_table(mut self, name: impl Into<String>) -> Self {
        self.names.schema_version_table = Some(name.into());
        self
    }

    /// The table of initial access tokens (default `oidc_registration_initial_access_tokens`
    /// beside the default clients table, else the clients table's name followed by `_iat`).
    /// One per clients table: the live clients of a token are counted in its clients table.
    pub fn initial_access_token_table(mut self, name: impl Into<String>) -> Self {
        self.names.initial_access_token_table = Some(name.into());
        self
    }

    /// The table of registration rate limit states (default `oidc_registration_rate_limits`
    /// beside the default clients table, else the clients table's name followed by `_rl`).
    /// Stores whose rate limits are to hold together (the replicas of one service) share it.
    pub fn rate_limit_table(mut self, name: impl Into<String>) -> Self {
        self.names.rate_limit_table = Some(name.into());
        self
    }

    /// Whether opening the store migrates its schema (default `true`). When `false`, opening
    /// it changes no schema and fails unless its tables exist at the schema version this
    /// release needs.
    pub fn migrate_on_connect(mut self, migrate: bool) -> Self {
        self.migrate_on_connect = migrate;
        self
    }

    /// Opens (creating it if missing) the database at `path_or_url`, as [`SqliteStore::open`]
    /// does, with this builder's names and migration setting.
    pub async fn open(&self, path_or_url: &str) -> Result<SqliteStore, StoreError> {
        // Names first: a wrong name creates no file.
        self.names.resolve()?;
        self.from_pool(durable_pool(path_or_url).await?).await
    }

    /// A store on a pool the caller configured, as [`SqliteStore::from_pool`] does, with this
    /// builder's names and migration setting.
    pub async fn from_pool(&self, pool: SqlitePool) -> Result<SqliteStore, StoreError> {
        let names = self.names.resolve()?;
        let clients = Clients::connect(pool, &names, self.migrate_on_connect).await?;
        let inserts = GroupCommit::spawn(clients.clone());
        Ok(SqliteStore { clients, inserts })
    }

    /// Creates or migrates the store's tables in the database behind `pool`, in one
    /// transaction; the versions it applied, in order: none when the schema was up to date, so
    /// running it again changes nothing. For a deployment step of its own, before stores are
    /// opened with [`migrate_on_connect(false)`](Self::migrate_on_connect).
    pub async fn migrate(&self, pool: &SqlitePool) -> Result<Vec<u32>, StoreError> {
        Clients::<Sqlite>::migrate(pool, &self.names.resolve()?).await
    }

    /// Every migration of the store's schema, in order, rendered for this builder's names: the
    /// SQL [`migrate`](Self::migrate) runs, for a host that applies migrations with its own
    /// tooling (see [`SqlMigration`]).
    ///
    /// ```
    /// use tower_oidc_registration::store::SqliteStore;
    ///
    /// let migrations = SqliteStore::builder().table("registered_clients").migration_sql()?;
    /// for m in &migrations {
    ///     // e.g. migrations/0001_clients.sql for sqlx-cli, refinery or Flyway.
    ///     println!("-- {} {}\n{}", m.version(), m.description(), m.sql());
    /// }
    /// assert_eq!(migrations[0].version(), 1);
    /// assert!(migrations[0].sql().contains(r#"CREATE TABLE "registered_clients""#));
    /// assert!(migrations[0].sql().contains(r#"INSERT INTO "registered_clients_schema_version""#));
    ///
    /// // A name that is not a plain SQL identifier is refused.
    /// assert!(SqliteStore::builder().table("clients; DROP TABLE users").migration_sql().is_err());
    /// # Ok::<(), tower_oidc_registration::StoreError>(())
    /// ```
    pub fn migration_sql(&self) -> Result<Vec<SqlMigration>, StoreError> {
        Ok(scripts::<Sqlite>(&self.names.resolve()?))
    }
}
