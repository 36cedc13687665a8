//! The store operations written once for both SQL databases: [`Clients`], the clients table
//! behind a sqlx pool of any [`Dialect`]. Its statements use `$1`-style placeholders, which
//! SQLite and PostgreSQL both read; the few statements the two spell differently are constants
//! of the dialect. Every statement is a template of [`Names::render`], rendered once for the
//! store's table names when the store is built.

use std::collections::HashSet;
use std::sync::Arc;

use sqlx::query::Query;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row as _, Type};

use super::initial_access::TokenStatements;
use super::migrate::Migration;
use super::names::{Ident, Names};
use super::rate_limit::RateLimitStatements;
use super::{ClientRow, backend, cas_error, to_sql_int};
use crate::store::{ClientRecord, StoreError};

/// What one SQL database spells its own way; implemented by sqlx's database types
/// ([`sqlx::Sqlite`], [`sqlx::Postgres`]) in the backend's module. Statements naming a table
/// are templates of [`Names::render`].
pub(crate) trait Dialect: Database {
    /// The builder of the store, as messages name it (`SqliteStoreBuilder`).
    const BUILDER: &'static str;
    /// The schema, version by version. Never edit an applied migration: add the next one.
    const MIGRATIONS: &'static [Migration];
    /// Creates the table that records applied migrations (`version`, `description`,
    /// `applied_at`), unless it exists.
    const SCHEMA_VERSION_TABLE: &'static str;
    /// The time as seconds since the Unix epoch, an SQL expression: `applied_at` of a
    /// migration, also when the host's own tooling runs it.
    const NOW: &'static str;
    /// Begins the transaction that applies the migrations.
    const BEGIN_MIGRATIONS: &'static str;
    /// Begins the transaction of a registration with an initial access token, which reads the
    /// token and the clients and then writes: one that writers wait for, not one that fails
    /// when another writer got there between its read and its write.
    const BEGIN_WRITE: &'static str;
    /// How many batches of registrations a store writes at once (see
    /// [`GroupCommit`](super::GroupCommit)): one where the database admits one writer at a
    /// time, more where concurrent transactions commit in parallel.
    const WRITERS: usize;
    /// Run first in that transaction, when beginning it is not enough to keep other
    /// connections from migrating at the same time: a lock held until commit or rollback.
    const LOCK_MIGRATIONS: Option<&'static str>;
    /// The names of the columns of table `$1` (as [`table_ref`](Self::table_ref) gives it):
    /// none when there is no such table.
    const COLUMNS_OF: &'static str;
    /// Records a use of client `$1` at `$2`, unless a later use is recorded.
    const TOUCH: &'static str;
    /// Deletes at most `$2` clients unused since `$1` (by their last use, else their
    /// registration), returning their ids. The subquery picks them and the outer condition
    /// checks again: a client used between the two (through another connection) survives.
    const DELETE_UNUSED: &'static str;
    /// Deletes at most `$2` rate limit states at or before `$1` (as good as absent). The
    /// subquery picks them and the outer condition checks again: a key renewed between the two
    /// survives.
    const DELETE_STALE_RATE_LIMITS: &'static str;

    /// `table`, in the store's schema, as [`COLUMNS_OF`](Self::COLUMNS_OF) takes it.
    fn table_ref(names: &Names, table: &Ident) -> String;

    /// How many rows a statement changed (each driver's result has the method, no trait
    /// names it).
    fn rows_affected(done: &Self::QueryResult) -> u64;
}

/// The columns of a client, in the order [`Clients::bind_client_row`] binds them.
pub(super) const COLUMNS: &str = "client_id, version, registration_token_hash, client_secret, \
    client_secret_hash, client_secret_expires_at, client_id_issued_at, \
    token_endpoint_auth_method, registered_by, metadata";

/// Ends an insert of several rows: a taken id changes nothing, and the ids inserted come back.
pub(super) const INSERT_MANY_TAIL: &str = " ON CONFLICT (client_id) DO NOTHING RETURNING client_id";

/// How many [`COLUMNS`] there are.
pub(super) const COLUMN_COUNT: usize = 10;

/// The statements of one store, rendered for its names.
#[derive(Debug)]
pub(super) struct Statements {
    pub(super) insert: String,
    /// `INSERT INTO {clients} (COLUMNS) VALUES `: the rows and [`INSERT_MANY_TAIL`] follow.
    pub(super) insert_many_head: String,
    select: String,
    update: String,
    delete: String,
    count: String,
    count_up_to: String,
    exists: String,
    touch: String,
    delete_unused: String,
}

impl Statements {
    fn render<DB: Dialect>(names: &Names) -> Self {
        Self {
            insert: names.render(&format!(
                "INSERT INTO {{clients}} ({COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (client_id) DO NOTHING"
            )),
            insert_many_head: names.render(&format!("INSERT INTO {{clients}} ({COLUMNS}) VALUES ")),
            select: names.render(&format!(
                "SELECT {COLUMNS} FROM {{clients}} WHERE client_id = $1"
            )),
            update: names.render(
                "UPDATE {clients} SET version = $2, registration_token_hash = $3, \
                 client_secret = $4, client_secret_hash = $5, client_secret_expires_at = $6, \
                 client_id_issued_at = $7, token_endpoint_auth_method = $8, \
                 registered_by = $9, metadata = $10 \
                 WHERE client_id = $1 AND version = $11",
            ),
            delete: names.render("DELETE FROM {clients} WHERE client_id = $1 AND version = $2"),
            count: names.render("SELECT COUNT(*) FROM {clients}"),
            // The subquery stops at the limit: a quota check reads at most that many rows,
            // however many clients there are.
            count_up_to: names
                .render("SELECT COUNT(*) FROM (SELECT 1 FROM {clients} LIMIT $1) AS bounded"),
            exists: names.render("SELECT 1 FROM {clients} WHERE client_id = $1"),
            touch: names.render(DB::TOUCH),
            delete_unused: names.render(DB::DELETE_UNUSED),
        }
    }
}

/// The clients table of one database, behind its connection pool: what
/// [`SqliteStore`](crate::store::SqliteStore) and [`PostgresStore`](crate::store::PostgresStore)
/// do, once.
#[derive(Debug)]
pub(crate) struct Clients<DB: Database> {
    pool: Pool<DB>,
    sql: Arc<Statements>,
    tokens: Arc<TokenStatements>,
    rate_limits: Arc<RateLimitStatements>,
}

impl<DB: Database> Clone for Clients<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            sql: Arc::clone(&self.sql),
            tokens: Arc::clone(&self.tokens),
            rate_limits: Arc::clone(&self.rate_limits),
        }
    }
}

impl<DB: Database> Clients<DB> {
    /// The connection pool.
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }

    /// The statements on clients.
    pub(super) fn statements(&self) -> &Statements {
        &self.sql
    }

    /// The statements on initial access tokens.
    pub(super) fn tokens(&self) -> &TokenStatements {
        &self.tokens
    }

    /// The statements on rate limit states, and when to sweep them.
    pub(super) fn rate_limits(&self) -> &RateLimitStatements {
        &self.rate_limits
    }
}

// What the statements below need of the driver (the types they bind and read): every sqlx
// driver has it. Stated once: every function that runs a statement is in this block.
impl<DB: Dialect> Clients<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Vec<u8>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<Vec<u8>>: Encode<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB> + ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
{
    /// The table named `names` of the database behind `pool`: migrated first when `migrate`,
    /// else checked to be at the schema version this release needs.
    pub async fn connect(pool: Pool<DB>, names: &Names, migrate: bool) -> Result<Self, StoreError> {
        if migrate {
            Self::migrate(&pool, names).await?;
        } else {
            Self::check(&pool, names).await?;
        }
        Ok(Self {
            pool,
            sql: Arc::new(Statements::render::<DB>(names)),
            tokens: TokenStatements::render(names),
            rate_limits: RateLimitStatements::render::<DB>(names),
        })
    }

    pub async fn get(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        let row = sqlx::query(&self.sql.select)
            .bind(client_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let row = Self::decode(&row).map_err(|e| {
            StoreError::Backend(format!("stored client {client_id:?} does not decode: {e}").into())
        })?;
        Ok(Some(Arc::new(row.into_record()?)))
    }

    pub async fn replace(
        &self,
        record: Arc<ClientRecord>,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        if expected_version.checked_add(1) != Some(record.version) {
            // As the memory store: a replacement must carry the next version.
            return Err(self.missed(&record.client_id).await);
        }
        let expected = to_sql_int("version", expected_version)?;
        let row = ClientRow::from_record(&record)?;
        let update = sqlx::query(&self.sql.update);
        let done = Self::bind_client_row(update, row)
            .bind(expected)
            .execute(&self.pool)
            .await
            .map_err(cas_error)?;
        if DB::rows_affected(&done) == 0 {
            return Err(self.missed(&record.client_id).await);
        }
        Ok(())
    }

    pub async fn delete(&self, client_id: &str, expected_version: u64) -> Result<(), StoreError> {
        let Ok(expected) = i64::try_from(expected_version) else {
            // No stored version is that large.
            return Err(self.missed(client_id).await);
        };
        let done = sqlx::query(&self.sql.delete)
            .bind(client_id)
            .bind(expected)
            .execute(&self.pool)
            .await
            .map_err(cas_error)?;
        if DB::rows_affected(&done) == 0 {
            return Err(self.missed(client_id).await);
        }
        Ok(())
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(&self.sql.count)
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub async fn count_up_to(&self, limit: u64) -> Result<u64, StoreError> {
        // Beyond i64::MAX no table can reach: the limit is then no limit.
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let n: i64 = sqlx::query_scalar(&self.sql.count_up_to)
            .bind(limit)
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub async fn touch(&self, client_id: &str, at: u64) -> Result<(), StoreError> {
        let at = to_sql_int("last use", at)?;
        sqlx::query(&self.sql.touch)
            .bind(client_id)
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    pub async fn delete_unused(
        &self,
        unused_since: u64,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let unused_since = i64::try_from(unused_since).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        sqlx::query_scalar(&self.sql.delete_unused)
            .bind(unused_since)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)
    }

    /// [`StoreError::NotFound`] when `client_id` is absent, else [`StoreError::Conflict`]:
    /// why a guarded write changed no row.
    async fn missed(&self, client_id: &str) -> StoreError {
        match sqlx::query(&self.sql.exists)
            .bind(client_id)
            .fetch_optional(&self.pool)
            .await
        {
            Ok(None) => StoreError::NotFound,
            Ok(Some(_)) => StoreError::Conflict,
            Err(e) => backend(e),
        }
    }

    /// Binds the ten columns of a [`ClientRow`], in [`COLUMNS`] order, as `$1` to `$10`: one list
    /// for every statement, so a column cannot be bound out of order in one place only.
    pub(super) fn bind_client_row<'q>(
        query: Query<'q, DB, DB::Arguments<'q>>,
        row: ClientRow,
    ) -> Query<'q, DB, DB::Arguments<'q>> {
        query
            .bind(row.client_id)
            .bind(row.version)
            .bind(row.registration_token_hash)
            .bind(row.client_secret)
            .bind(row.client_secret_hash)
            .bind(row.client_secret_expires_at)
            .bind(row.client_id_issued_at)
            .bind(row.token_endpoint_auth_method)
            .bind(row.registered_by)
            .bind(row.metadata)
    }

    /// The columns of a `SELECT {COLUMNS}` row.
    fn decode(row: &DB::Row) -> Result<ClientRow, sqlx::Error> {
        Ok(ClientRow {
            client_id: row.try_get("client_id")?,
            version: row.try_get("version")?,
            registration_token_hash: row.try_get("registration_token_hash")?,
            client_secret: row.try_get("client_secret")?,
            client_secret_hash: row.try_get("client_secret_hash")?,
            client_secret_expires_at: row.try_get("client_secret_expires_at")?,
            client_id_issued_at: row.try_get("client_id_issued_at")?,
            token_endpoint_auth_method: row.try_get("token_endpoint_auth_method")?,
            registered_by: row.try_get("registered_by")?,
            metadata: row.try_get("metadata")?,
        })
    }

    /// Inserts `rows` in the transaction `conn` with one statement: the ids inserted (a taken
    /// id is left out). An error fails the batch: a failed statement may have aborted the
    /// transaction.
    pub(super) async fn insert_rows(
        &self,
        conn: &mut DB::Connection,
        rows: impl Iterator<Item = &ClientRow>,
    ) -> Result<HashSet<String>, StoreError> {
        let rows: Vec<&ClientRow> = rows.collect();
        if rows.is_empty() {
            return Ok(HashSet::new());
        }
        let mut sql = self.statements().insert_many_head.clone();
        for n in 0..rows.len() {
            let first = n * COLUMN_COUNT;
            let placeholders: Vec<String> = (1..=COLUMN_COUNT)
                .map(|k| format!("${}", first + k))
                .collect();
            if n > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            sql.push_str(&placeholders.join(", "));
            sql.push(')');
        }
        sql.push_str(INSERT_MANY_TAIL);
        let mut query = sqlx::query(&sql);
        for row in rows {
            query = Self::bind_client_row(query, row.clone());
        }
        let inserted = query.fetch_all(&mut *conn).await.map_err(backend)?;
        inserted
            .iter()
            .map(|row| row.try_get::<String, _>(0usize).map_err(backend))
            .collect()
    }
}
