//! [`PostgresStore`]: clients in a PostgreSQL database, shared by several replicas.

use std::sync::Arc;

use async_trait::async_trait;
use sqlx::Row as _;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions, PgRow};

use super::sql::{self, ClientRow, Migration, backend};
use super::{ClientRecord, ClientStore, StoreError};

/// The schema, version by version. Never edit an applied migration: add the next one.
const MIGRATIONS: &[Migration] = &[
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
];

/// The key of the transaction-scoped advisory lock that serializes migrations: replicas
/// starting at once migrate one after the other, so each migration runs once. (The ASCII of
/// "toidcreg": a fixed value unlikely to collide with the host's own advisory locks.)
const MIGRATION_LOCK: i64 = 0x746f_6964_6372_6567;

const COLUMNS: &str = "client_id, version, registration_token_hash, client_secret, \
    client_secret_hash, client_secret_expires_at, client_id_issued_at, \
    token_endpoint_auth_method, registered_by, metadata";

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
/// at once migrate once; they are recorded in a `schema_version` table, and a database
/// migrated by a newer release is refused rather than misread. The tables live in the
/// connection's current schema (the first of its `search_path`).
///
/// Inserts are `INSERT … ON CONFLICT DO NOTHING`, replacements and deletions are
/// `… WHERE client_id = $1 AND version = $2`: single statements, whose row lock makes
/// concurrent writers from any number of replicas have exactly one winner, and never leave a
/// torn record. An acknowledged write is committed (PostgreSQL's durability settings apply).
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
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`,
    /// with the query parameters `sqlx` accepts, such as `?options=-c%20search_path%3Dauth`)
    /// with a default pool, and creates or migrates the schema.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new().connect(url).await.map_err(backend)?;
        Self::from_pool(pool).await
    }

    /// A store on a pool the caller configured (size, timeouts, schema). Creates or migrates
    /// the schema.
    pub async fn from_pool(pool: PgPool) -> Result<Self, StoreError> {
        migrate(&pool).await?;
        Ok(Self { pool })
    }

    /// The connection pool, for the host's own queries or a health check.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection, waiting for those in use to be returned; for a graceful
    /// shutdown. Operations on this store (and its clones) fail afterwards.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// [`StoreError::NotFound`] when `client_id` is absent, else [`StoreError::Conflict`]:
    /// why a guarded write changed no row.
    async fn missed(&self, client_id: &str) -> StoreError {
        match sqlx::query("SELECT 1 FROM clients WHERE client_id = $1")
            .bind(client_id)
            .fetch_optional(&self.pool)
            .await
        {
            Ok(None) => StoreError::NotFound,
            Ok(Some(_)) => StoreError::Conflict,
            Err(e) => backend(e),
        }
    }
}

/// Applies the pending [`MIGRATIONS`] in one transaction holding the migration advisory lock
/// (released at commit or rollback), on a connection taken out of the pool (so a failure never
/// returns a connection inside a transaction).
async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    use sqlx::Connection as _;
    let mut conn = pool.acquire().await.map_err(backend)?.detach();
    let result = match conn.begin().await {
        Ok(mut tx) => match apply_migrations(&mut tx).await {
            Ok(()) => tx.commit().await.map_err(backend),
            Err(e) => Err(e),
        },
        Err(e) => Err(backend(e)),
    };
    let _ = conn.close().await;
    result
}

/// The body of [`migrate`], in its transaction. (A function of its own, taking the connection
/// as a plain `&mut PgConnection`: the future of [`PostgresStore::from_pool`] stays `Send`, so
/// a store can be opened inside `tokio::spawn`.)
async fn apply_migrations(tx: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    sqlx::query(sql::SCHEMA_VERSION_TABLE_POSTGRES)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let current: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version")
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
    for m in sql::pending(MIGRATIONS, current)? {
        // A string without arguments runs as a simple query: several statements at once. (Not
        // `sqlx::raw_sql`, whose future is not `Send` for every lifetime.)
        sqlx::Executor::execute(&mut *tx, m.sql)
            .await
            .map_err(|e| {
                StoreError::Backend(
                    format!(
                        "PostgreSQL migration {} ({}): {e}",
                        m.version, m.description
                    )
                    .into(),
                )
            })?;
        sqlx::query(
            "INSERT INTO schema_version (version, description, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.description)
        .bind(sql::unix_now())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

fn decode(row: &PgRow) -> Result<ClientRow, sqlx::Error> {
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

#[async_trait]
impl ClientStore for PostgresStore {
    async fn insert(&self, record: Arc<ClientRecord>) -> Result<(), StoreError> {
        let row = ClientRow::from_record(&record)?;
        let done = sql::bind_client_row!(
            sqlx::query(&format!(
                "INSERT INTO clients ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (client_id) DO NOTHING"
            )),
            row
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::AlreadyExists);
        }
        Ok(())
    }

    async fn get(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM clients WHERE client_id = $1"
        ))
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let row = decode(&row).map_err(|e| {
            StoreError::Backend(format!("stored client {client_id:?} does not decode: {e}").into())
        })?;
        Ok(Some(Arc::new(row.into_record()?)))
    }

    async fn replace(
        &self,
        record: Arc<ClientRecord>,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        if expected_version.checked_add(1) != Some(record.version) {
            // As the memory store: a replacement must carry the next version.
            return Err(self.missed(&record.client_id).await);
        }
        let expected = sql::to_sql_int("version", expected_version)?;
        let row = ClientRow::from_record(&record)?;
        let done = sql::bind_client_row!(
            sqlx::query(
            "UPDATE clients SET version = $2, registration_token_hash = $3, client_secret = $4, \
             client_secret_hash = $5, client_secret_expires_at = $6, client_id_issued_at = $7, \
             token_endpoint_auth_method = $8, registered_by = $9, metadata = $10 \
             WHERE client_id = $1 AND version = $11",
            ),
            row
        )
        .bind(expected)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(self.missed(&record.client_id).await);
        }
        Ok(())
    }

    async fn delete(&self, client_id: &str, expected_version: u64) -> Result<(), StoreError> {
        let Ok(expected) = i64::try_from(expected_version) else {
            // No stored version is that large.
            return Err(self.missed(client_id).await);
        };
        let done = sqlx::query("DELETE FROM clients WHERE client_id = $1 AND version = $2")
            .bind(client_id)
            .bind(expected)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(self.missed(client_id).await);
        }
        Ok(())
    }

    async fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clients")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn touch(&self, client_id: &str, at: u64) -> Result<(), StoreError> {
        let at = sql::to_sql_int("last use", at)?;
        sqlx::query(
            "UPDATE clients SET last_used_at = GREATEST(last_used_at, $2) WHERE client_id = $1",
        )
        .bind(client_id)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn delete_unused(
        &self,
        unused_since: u64,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let unused_since = i64::try_from(unused_since).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        // The outer condition again: a client used between the subquery and the deletion
        // (another connection) survives.
        sqlx::query_scalar(
            "DELETE FROM clients WHERE client_id IN (SELECT client_id FROM clients \
             WHERE COALESCE(last_used_at, client_id_issued_at) < $1 LIMIT $2 \
             FOR UPDATE SKIP LOCKED) \
             AND COALESCE(last_used_at, client_id_issued_at) < $1 RETURNING client_id",
        )
        .bind(unused_since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)
    }
}
