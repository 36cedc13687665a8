//! The PostgreSQL database of the benches: a `PostgresStore` in a fresh schema of the database
//! named by `TOWER_OIDC_REGISTRATION_POSTGRES_URL`, dropped at the end. A bench includes this
//! file with `#[cfg(feature = "postgres")] #[path = "common/postgres.rs"] mod postgres_support;`
//! (a bench is a crate of its own, and only some benches use PostgreSQL).

use std::sync::Arc;

use sqlx::Connection as _;
use sqlx::postgres::PgConnection;
use tower_oidc_registration::store::PostgresStore;

/// The variable naming the database; the PostgreSQL measurements are skipped when it is unset
/// (`scripts/lib/postgres.sh`'s `start_postgres` starts a throwaway server and sets it).
pub const URL_VAR: &str = "TOWER_OIDC_REGISTRATION_POSTGRES_URL";

/// The database's URL, `None` when [`URL_VAR`] is unset or empty.
pub fn url() -> Option<String> {
    std::env::var(URL_VAR).ok().filter(|url| !url.is_empty())
}

/// A fresh schema in the database at `url`; drop it with [`drop_schema`].
pub struct Schema {
    url: String,
    name: String,
}

/// Opens a `PostgresStore` by URL (its default pool, as `hyper_standalone --store` does), in a
/// fresh schema `bench_{tag}_{pid}`.
pub async fn open(url: &str, tag: &str) -> (Arc<PostgresStore>, Schema) {
    let name = format!("bench_{tag}_{}", std::process::id());
    let mut conn = PgConnection::connect(url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))
        .execute(&mut conn)
        .await
        .expect("drop schema");
    sqlx::query(&format!("CREATE SCHEMA \"{name}\""))
        .execute(&mut conn)
        .await
        .expect("create schema");
    let _ = conn.close().await;
    let in_schema = format!(
        "{url}{}options=-c%20search_path%3D{name}",
        if url.contains('?') { '&' } else { '?' }
    );
    let store = PostgresStore::connect(&in_schema)
        .await
        .expect("PostgreSQL store");
    (
        Arc::new(store),
        Schema {
            url: url.to_owned(),
            name,
        },
    )
}

/// Closes the store's pool, then drops its schema and tables.
pub async fn drop_schema(store: &PostgresStore, schema: Schema) {
    store.close().await;
    if let Ok(mut conn) = PgConnection::connect(&schema.url).await {
        let _ = sqlx::query(&format!(
            "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
            schema.name
        ))
        .execute(&mut conn)
        .await;
        let _ = conn.close().await;
    }
}
