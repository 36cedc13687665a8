//! The PostgreSQL test database: its URL from `TOWER_OIDC_REGISTRATION_POSTGRES_URL` and a fresh
//! schema per test (tests run in parallel), dropped with its tables at the end.

use std::str::FromStr as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use tower_oidc_registration::store::PostgresStore;

/// The variable naming the test database.
pub const URL_VAR: &str = "TOWER_OIDC_REGISTRATION_POSTGRES_URL";

/// The test database's URL; `None` (after `SKIPPED: ...` on stderr) when the variable is
/// unset, a panic when it is unset under CI: CI never skips the PostgreSQL tests
/// ([`super::skip`]).
#[track_caller]
pub fn database_url(test: &str) -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            super::skip(&format!(
                "set {URL_VAR} (e.g. postgres://postgres@127.0.0.1:55432/test) to run {test} \
                 against PostgreSQL (scripts/test starts a server and sets it)"
            ));
            None
        }
    }
}

/// A schema of its own in the test database, dropped (with its tables) on drop.
pub struct Schema {
    url: String,
    /// The schema's name, unique to this process and call.
    pub name: String,
}

impl Schema {
    /// Creates a fresh schema whose name starts with `t_{tag}_`.
    pub async fn create(url: &str, tag: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .subsec_nanos();
        let name = format!("t_{tag}_{}_{nanos}_{n}", std::process::id());
        let mut conn = PgConnection::connect(url)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(&format!("CREATE SCHEMA \"{name}\""))
            .execute(&mut conn)
            .await
            .expect("create schema");
        let _ = conn.close().await;
        Self {
            url: url.to_owned(),
            name,
        }
    }

    /// A pool of up to `max_connections` whose connections work in this schema.
    pub async fn pool(&self, max_connections: u32) -> PgPool {
        let options = PgConnectOptions::from_str(&self.url)
            .expect("PostgreSQL URL")
            .options([("search_path", self.name.as_str())]);
        PgPoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await
            .expect("connect to PostgreSQL")
    }

    /// A pool of up to `max_connections` whose connections keep the database's default
    /// `search_path`: for a store given this schema by name, which must then qualify every
    /// table with it.
    pub async fn unscoped_pool(&self, max_connections: u32) -> PgPool {
        PgPoolOptions::new()
            .max_connections(max_connections)
            .connect(&self.url)
            .await
            .expect("connect to PostgreSQL")
    }

    /// A store of its own (its own pool of up to `max_connections`) in this schema, migrated.
    pub async fn store(&self, max_connections: u32) -> PostgresStore {
        PostgresStore::from_pool(self.pool(max_connections).await)
            .await
            .expect("PostgreSQL store")
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        // Drop cannot await: a thread with a runtime of its own (the test's may be gone).
        let (url, name) = (self.url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(mut conn) = PgConnection::connect(&url).await {
                    let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))
                        .execute(&mut conn)
                        .await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}
