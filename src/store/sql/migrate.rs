//! The schema of a SQL store: its migrations rendered for the configured names
//! ([`scripts`]), applied in one transaction ([`Clients::migrate`]), or checked without
//! changing anything ([`Clients::check`]) when the host migrates on its own.

use sqlx::{ColumnIndex, Connection as _, Decode, Encode, Executor, IntoArguments, Pool, Type};

use super::clients::{COLUMNS, Clients, Dialect};
use super::initial_access::COLUMNS as TOKEN_COLUMNS;
use super::names::{Ident, Names};
use super::rate_limit::COLUMNS as RATE_LIMIT_COLUMNS;
use super::{backend, invalid};
use crate::store::StoreError;

/// The tables of the releases whose names were fixed: a store with the default names finds
/// them, and says how to keep using them, rather than starting afresh beside them.
const LEGACY_TABLE: &str = "clients";
const LEGACY_SCHEMA_VERSION: &str = "schema_version";

/// One step of a store's schema, applied once, in order, and recorded in the version table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    /// 1, 2, …: the schema version once applied.
    pub version: u32,
    /// What it does, recorded next to the version (no quote: it goes into a string literal).
    pub description: &'static str,
    /// The statements, a template of [`Names::render`].
    pub sql: &'static str,
}

/// One migration of a SQL store's schema, as SQL rendered for the store's table names: what
/// the store builders' `migrate` runs, for a host that applies migrations with its own
/// tooling.
///
/// Each migration records its version in the store's version table (the first one creates
/// that table), so that a store connected with `migrate_on_connect(false)` finds the
/// database at the version it needs. Run them in order of version, each once, in a
/// transaction; each is several statements separated by `;`. Never edit one that was applied:
/// a later release adds migrations after it.
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlMigration {
    version: u32,
    description: &'static str,
    sql: String,
}

impl SqlMigration {
    /// The schema version once applied: 1, 2, … in order.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// What it does, in a few words (also recorded in the version table).
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// The statements, separated by `;`, ending with the one that records the version.
    pub fn sql(&self) -> &str {
        &self.sql
    }
}

/// Every migration of `DB`, rendered for `names`, in order.
pub(crate) fn scripts<DB: Dialect>(names: &Names) -> Vec<SqlMigration> {
    DB::MIGRATIONS
        .iter()
        .map(|m| script::<DB>(names, m))
        .collect()
}

fn script<DB: Dialect>(names: &Names, m: &Migration) -> SqlMigration {
    let mut sql = String::new();
    if m.version == 1 {
        // Also run by `migrate` before it reads the version; here for the host's tooling.
        sql.push_str(&names.render(DB::SCHEMA_VERSION_TABLE));
        sql.push_str(";\n");
    }
    sql.push_str(names.render(m.sql).trim_end());
    sql.push('\n');
    sql.push_str(&format!(
        "INSERT INTO {} (version, description, applied_at) VALUES ({}, '{}', {});\n",
        names.schema_version(),
        m.version,
        m.description,
        DB::NOW
    ));
    SqlMigration {
        version: m.version,
        description: m.description,
        sql,
    }
}

/// The migrations still to apply to a database at `current` (its highest applied version);
/// an error when the database is newer than this build knows (a downgrade).
pub(crate) fn pending(
    migrations: &'static [Migration],
    current: i64,
) -> Result<&'static [Migration], StoreError> {
    let latest = latest(migrations);
    if current > i64::from(latest) {
        return Err(invalid(format!(
            "the database schema is at version {current}, newer than the {latest} this version \
             of tower-oidc-registration knows: it was migrated by a newer release"
        )));
    }
    Ok(&migrations[migrations.partition_point(|m| i64::from(m.version) <= current)..])
}

fn latest(migrations: &[Migration]) -> u32 {
    migrations.last().map_or(0, |m| m.version)
}

/// What a host whose store's tables are missing or behind can run.
fn how_to_migrate<DB: Dialect>() -> String {
    format!(
        "create or update them with {b}::migrate, or by running the statements of \
         {b}::migration_sql with your own migration tool, or let the store migrate when it \
         connects (migrate_on_connect(true))",
        b = DB::BUILDER
    )
}

// What the statements below need of the driver: every sqlx driver has it.
impl<DB: Dialect> Clients<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    /// Applies the pending migrations to the database behind `pool`, in one transaction,
    /// under the dialect's lock; the versions applied, in order (none when it was up to date).
    pub async fn migrate(pool: &Pool<DB>, names: &Names) -> Result<Vec<u32>, StoreError> {
        let mut conn = pool.acquire().await.map_err(backend)?.detach();
        // On a connection taken out of the pool: a failure never returns a connection inside
        // a transaction to the pool.
        let result = match conn.begin_with(DB::BEGIN_MIGRATIONS).await {
            Ok(mut tx) => match Self::apply_migrations(&mut tx, names).await {
                Ok(applied) => tx.commit().await.map(|()| applied).map_err(backend),
                Err(e) => Err(e),
            },
            Err(e) => Err(backend(e)),
        };
        let _ = conn.close().await;
        result
    }

    /// Checks, changing nothing, that the database behind `pool` holds the store's tables at
    /// the schema version this release needs, readable with every column the store uses; an
    /// error saying what to run otherwise.
    pub async fn check(pool: &Pool<DB>, names: &Names) -> Result<(), StoreError> {
        let mut pooled = pool.acquire().await.map_err(backend)?;
        let conn: &mut DB::Connection = &mut pooled;
        let version_table = DB::table_ref(names, names.schema_version_table());
        if Self::columns(conn, &version_table).await?.is_empty() {
            // Tables of an earlier release are to be named, not migrated anew.
            let what_to_do = if Self::legacy_tables(conn, names).await? {
                legacy_tables_found(names)
            } else {
                how_to_migrate::<DB>()
            };
            return Err(invalid(format!(
                "the {} store's tables are not created: table {} does not exist; {what_to_do}",
                DB::NAME,
                names.describe_schema_version(),
            )));
        }
        let current = Self::current_version(conn, names).await?;
        let latest = latest(DB::MIGRATIONS);
        if !pending(DB::MIGRATIONS, current)?.is_empty() {
            return Err(invalid(format!(
                "the {} store's tables are at schema version {current} (table {}), and this \
                 release needs version {latest}: {}",
                DB::NAME,
                names.describe_schema_version(),
                how_to_migrate::<DB>()
            )));
        }
        let probes = [
            (
                format!("SELECT {COLUMNS}, last_used_at FROM {{clients}} WHERE 1 = 0"),
                names.describe_clients(),
            ),
            (
                format!("SELECT {TOKEN_COLUMNS} FROM {{initial_access_tokens}} WHERE 1 = 0"),
                names.describe_initial_access_tokens(),
            ),
            (
                format!("SELECT {RATE_LIMIT_COLUMNS} FROM {{rate_limits}} WHERE 1 = 0"),
                names.describe_rate_limits(),
            ),
        ];
        for (probe, table) in probes {
            Executor::execute(&mut *conn, names.render(&probe).as_str())
                .await
                .map_err(|e| {
                    invalid(format!(
                        "the {} store's table {table} cannot be read: {e}; {}",
                        DB::NAME,
                        how_to_migrate::<DB>()
                    ))
                })?;
        }
        Ok(())
    }

    /// Applies the pending migrations in the migration transaction `conn`, each recording
    /// itself in the version table. (A function of its own, taking the connection as a plain
    /// `&mut Connection`: the future of [`Clients::migrate`] stays `Send`, so a store can be
    /// opened inside `tokio::spawn`.)
    async fn apply_migrations(
        conn: &mut DB::Connection,
        names: &Names,
    ) -> Result<Vec<u32>, StoreError> {
        if let Some(lock) = DB::LOCK_MIGRATIONS {
            Executor::execute(&mut *conn, lock).await.map_err(backend)?;
        }
        let version_table = names.render(DB::SCHEMA_VERSION_TABLE);
        Executor::execute(&mut *conn, version_table.as_str())
            .await
            .map_err(|e| {
                invalid(format!(
                    "creating the {} store's version table {}: {e} (a store whose role may not \
                     change the schema connects with migrate_on_connect(false))",
                    DB::NAME,
                    names.describe_schema_version()
                ))
            })?;
        let current = Self::current_version(conn, names).await?;
        let pending = pending(DB::MIGRATIONS, current)?;
        if current == 0 && !pending.is_empty() {
            Self::refuse_tables_not_ours(conn, names).await?;
        }
        let mut applied = Vec::with_capacity(pending.len());
        for m in pending {
            let script = script::<DB>(names, m);
            // A string without arguments runs as a simple query: several statements at once.
            // (Not `sqlx::raw_sql`, whose future is not `Send` for every lifetime.)
            Executor::execute(&mut *conn, script.sql.as_str())
                .await
                .map_err(|e| {
                    invalid(format!(
                        "{} migration {} ({}) of table {}: {e}",
                        DB::NAME,
                        m.version,
                        m.description,
                        names.describe_clients()
                    ))
                })?;
            applied.push(m.version);
        }
        Ok(applied)
    }

    /// Before the first migration: an error when the clients table exists already (a table of
    /// the host's, never to be taken over), or when the store has the default names and the
    /// tables of an earlier release are there (its clients would silently be left behind).
    async fn refuse_tables_not_ours(
        conn: &mut DB::Connection,
        names: &Names,
    ) -> Result<(), StoreError> {
        let table = DB::table_ref(names, names.table());
        if !Self::columns(conn, &table).await?.is_empty() {
            return Err(invalid(format!(
                "table {} exists already, but its version table {} records no migration: the \
                 store does not take over a table it did not create. If it holds the clients of \
                 an earlier release, set the version table of that release, \
                 schema_version_table(\"{LEGACY_SCHEMA_VERSION}\"); else choose another table \
                 name",
                names.describe_clients(),
                names.describe_schema_version()
            )));
        }
        if Self::legacy_tables(conn, names).await? {
            return Err(invalid(legacy_tables_found(names)));
        }
        Ok(())
    }

    /// Whether the store has the default names and the tables of an earlier release are in
    /// its schema: a `clients` table with this store's columns and a `schema_version` table.
    async fn legacy_tables(conn: &mut DB::Connection, names: &Names) -> Result<bool, StoreError> {
        if !names.default_table() {
            return Ok(false);
        }
        let clients = DB::table_ref(names, &Ident::new("table name", LEGACY_TABLE)?);
        let versions = DB::table_ref(names, &Ident::new("table name", LEGACY_SCHEMA_VERSION)?);
        let ours = Self::columns(conn, &clients)
            .await?
            .iter()
            .any(|c| c == "registration_token_hash");
        Ok(ours
            && Self::columns(conn, &versions)
                .await?
                .iter()
                .any(|c| c == "description"))
    }

    /// The columns of `table` (as [`Dialect::table_ref`] names it); none when there is no such
    /// table.
    async fn columns(conn: &mut DB::Connection, table: &str) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(DB::COLUMNS_OF)
            .bind(table.to_owned())
            .fetch_all(&mut *conn)
            .await
            .map_err(backend)
    }

    async fn current_version(conn: &mut DB::Connection, names: &Names) -> Result<i64, StoreError> {
        let select = names.render("SELECT COALESCE(MAX(version), 0) FROM {schema_version}");
        sqlx::query_scalar(&select)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| {
                invalid(format!(
                    "reading the {} store's schema version from table {}: {e}",
                    DB::NAME,
                    names.describe_schema_version()
                ))
            })
    }
}

/// Why a store with the default names stops at the tables of an earlier release.
fn legacy_tables_found(names: &Names) -> String {
    format!(
        "this database holds the tables of an earlier release, {LEGACY_TABLE} and \
         {LEGACY_SCHEMA_VERSION}, beside which {} would start empty: to keep their clients, set \
         table(\"{LEGACY_TABLE}\") and schema_version_table(\"{LEGACY_SCHEMA_VERSION}\") on the \
         store builder; to start afresh, set the table name explicitly",
        names.describe_clients()
    )
}
