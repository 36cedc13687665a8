//! [`PostgresStoreBuilder`]: the table names and schema of a [`PostgresStore`], and when its
//! schema is migrated.

use sqlx::Postgres;
use sqlx::postgres::{PgPool, PgPoolOptions};

use super::PostgresStore;
use crate::store::StoreError;
use crate::store::sql::{Clients, GroupCommit, NameOptions, SqlMigration, backend, scripts};

/// How a [`PostgresStore`] connects: the names of its tables and their schema, and whether
/// connecting migrates the store's schema. From [`PostgresStore::builder`];
/// [`PostgresStore::connect`] and [`PostgresStore::from_pool`] are this builder's defaults.
///
/// **Names.** The clients table is `oidc_registration_clients` unless set with
/// [`table`](Self::table); the table recording the schema version is the table's name followed by
/// `_schema_version` (set it with [`schema_version_table`](Self::schema_version_table)), the table
/// of initial access tokens `oidc_registration_initial_access_tokens`, or the table's name followed
/// by `_iat` when the table has another name (set it with
/// [`initial_access_token_table`](Self::initial_access_token_table)), the table of rate limit
/// states `oidc_registration_rate_limits`, or the table's name followed by `_rl` (set it with
/// [`rate_limit_table`](Self::rate_limit_table)), and the indexes on last use
/// and on who registered a client the table's name followed by `_last_used` and `_reg_by`. They
/// live in the schema set with [`schema`](Self::schema) (which must exist: the store creates
/// tables, not schemas), else in the connection's current schema (the first of its `search_path`).
/// A name is a plain SQL identifier (`[A-Za-z_][A-Za-z0-9_]*`, at most 63 bytes), refused otherwise
/// when the store connects; it is quoted in every statement, so its letter case is kept: `Clients`
/// is not `clients`. The store never touches a table it did not create: migrating where a table of
/// that name was created by something else fails.
///
/// **Migrations.** By default the store migrates its schema when it connects, in one
/// transaction under an advisory lock (`pg_advisory_xact_lock`): replicas starting at once
/// migrate once. With [`migrate_on_connect(false)`](Self::migrate_on_connect) it changes no
/// schema, so its role needs only `SELECT`, `INSERT`, `UPDATE` and `DELETE` on the clients
/// table, `SELECT`, `INSERT` and `UPDATE` on the initial access tokens table, `SELECT`, `INSERT`,
/// `UPDATE` and `DELETE` on the rate limits table, and `SELECT` on the version table; connecting then fails, saying what to run, when the
/// tables are missing or not at the version this release needs. Migrate them first with
/// [`migrate`](Self::migrate) (as a role that may create tables), or with your own tooling
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
/// use sqlx::postgres::PgPool;
/// use tower_oidc_registration::store::PostgresStore;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let options = PostgresStore::builder().schema("auth").migrate_on_connect(false);
/// // A deployment step, as a role that owns the schema `auth`:
/// options.migrate(&PgPool::connect("postgres://admin@db.internal/app").await?).await?;
/// // Each replica, as a role that may only read and write rows:
/// let store = options.connect("postgres://app@db.internal/app").await?;
/// # let _ = store;
/// # Ok(())
/// # }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until a store connects with it"]
pub struct PostgresStoreBuilder {
    names: NameOptions,
    migrate_on_connect: bool,
}

impl Default for PostgresStoreBuilder {
    fn default() -> Self {
        Self {
            names: NameOptions::default(),
            migrate_on_connect: true,
        }
    }
}

impl PostgresStoreBuilder {
    /// The schema holding the store's tables (default: none, the connection's current
    /// schema). It must exist.
    pub fn schema(mut self, name: impl Into<String>) -> Self {
        self.names.schema = Some(name.into());
        self
    }

    /// The clients table (default `oidc_registration_clients`); the version table and the
    /// index are named after it unless set.
    pub fn table(mut self, name: impl Into<String>) -> Self {
        self.names.table = Some(name.into());
        self
    }

    /// The table recording which migrations were applied (default: the clients table's name
    /// followed by `_schema_version`), in the same schema. One per clients table: two stores
    /// sharing one would each take the other's migrations for their own.
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

    /// Whether connecting migrates the store's schema (default `true`). When `false`,
    /// connecting changes no schema and fails unless the store's tables exist at the schema
    /// version this release needs.
    pub fn migrate_on_connect(mut self, migrate: bool) -> Self {
        self.migrate_on_connect = migrate;
        self
    }

    /// Connects to the database at `url` with a default pool, as [`PostgresStore::connect`]
    /// does, with this builder's names and migration setting.
    pub async fn connect(&self, url: &str) -> Result<PostgresStore, StoreError> {
        // Names first: a wrong name opens no connection.
        self.names.resolve()?;
        let pool = PgPoolOptions::new().connect(url).await.map_err(backend)?;
        self.from_pool(pool).await
    }

    /// A store on a pool the caller configured, as [`PostgresStore::from_pool`] does, with
    /// this builder's names and migration setting.
    pub async fn from_pool(&self, pool: PgPool) -> Result<PostgresStore, StoreError> {
        let names = self.names.resolve()?;
        let clients = Clients::connect(pool, &names, self.migrate_on_connect).await?;
        let inserts = GroupCommit::spawn(clients.clone());
        Ok(PostgresStore { clients, inserts })
    }

    /// Creates or migrates the store's tables in the database behind `pool`, in one
    /// transaction under the advisory lock (replicas or jobs running it at once migrate
    /// once); the versions it applied, in order: none when the schema was up to date, so
    /// running it again changes nothing. For a deployment step of its own, before stores
    /// connect with [`migrate_on_connect(false)`](Self::migrate_on_connect).
    pub async fn migrate(&self, pool: &PgPool) -> Result<Vec<u32>, StoreError> {
        Clients::<Postgres>::migrate(pool, &self.names.resolve()?).await
    }

    /// Every migration of the store's schema, in order, rendered for this builder's names and
    /// schema: the SQL [`migrate`](Self::migrate) runs (but for its advisory lock), for a host
    /// that applies migrations with its own tooling (see [`SqlMigration`]).
    ///
    /// ```
    /// use tower_oidc_registration::store::PostgresStore;
    ///
    /// let migrations = PostgresStore::builder().schema("auth").migration_sql()?;
    /// for m in &migrations {
    ///     // e.g. V1__clients.sql for Flyway, or migrations/0001_clients.sql for sqlx-cli.
    ///     println!("-- {} {}\n{}", m.version(), m.description(), m.sql());
    /// }
    /// assert_eq!(
    ///     migrations.iter().map(|m| m.version()).collect::<Vec<_>>(),
    ///     [1, 2, 3, 4]
    /// );
    /// assert!(migrations[0].sql().contains(r#"CREATE TABLE "auth"."oidc_registration_clients""#));
    /// assert!(migrations[1].sql().contains(r#"CREATE INDEX "oidc_registration_clients_last_used""#));
    ///
    /// // A name that is not a plain SQL identifier is refused.
    /// assert!(PostgresStore::builder().schema("auth\"; --").migration_sql().is_err());
    /// # Ok::<(), tower_oidc_registration::StoreError>(())
    /// ```
    pub fn migration_sql(&self) -> Result<Vec<SqlMigration>, StoreError> {
        Ok(scripts::<Postgres>(&self.names.resolve()?))
    }
}
