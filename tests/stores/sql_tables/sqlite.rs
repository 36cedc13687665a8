//! `SqliteStore` in a database file it shares.

use std::sync::Arc;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use tower_oidc_registration::store::SqliteStore;
use tower_oidc_registration::{ClientStore, CredentialHash, InitialAccessTokenRecord};

use super::{invalid_names, refusal};
use crate::common::temp_db::TempDb;
use crate::conformance::{assert_same, record, stored};

/// A pool of the host's on the file, creating it if missing.
async fn host_pool(db: &TempDb) -> SqlitePool {
    SqlitePool::connect_with(
        SqliteConnectOptions::new()
            .filename(db.path())
            .create_if_missing(true),
    )
    .await
    .expect("open the database")
}

/// The tables and indexes in the file (but SQLite's own), by name.
async fn objects(pool: &SqlitePool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("sqlite_master")
}

async fn versions(pool: &SqlitePool, table: &str) -> Vec<(i64, String, i64)> {
    sqlx::query_as(&format!(
        "SELECT version, description, applied_at FROM {table} ORDER BY version"
    ))
    .fetch_all(pool)
    .await
    .expect("versions")
}

#[tokio::test]
async fn a_host_table_named_clients_is_left_untouched() {
    let db = TempDb::new("host-clients");
    let host = host_pool(&db).await;
    sqlx::raw_sql(
        "CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT NOT NULL); \
         INSERT INTO clients (id, name) VALUES (1, 'the host''s own');",
    )
    .execute(&host)
    .await
    .expect("the host's table");
    let host_rows = async || -> Vec<(i64, String)> {
        sqlx::query_as("SELECT * FROM clients")
            .fetch_all(&host)
            .await
            .expect("the host's rows")
    };

    let store = SqliteStore::open(db.path()).await.expect("open beside it");
    store
        .insert(Arc::new(record("a", 1)))
        .await
        .expect("insert");
    assert_eq!(store.count().await.expect("count"), 1);
    assert_eq!(host_rows().await, [(1, "the host's own".to_owned())]);
    assert_eq!(
        objects(&host).await,
        [
            "clients",
            "oidc_registration_clients",
            "oidc_registration_clients_last_used",
            "oidc_registration_clients_reg_by",
            "oidc_registration_clients_schema_version",
            "oidc_registration_initial_access_tokens",
            "oidc_registration_rate_limits",
        ]
    );

    // Told to use that table, a store refuses to take it over, and leaves nothing behind.
    let message = refusal(
        SqliteStore::builder()
            .table("clients")
            .open(db.path())
            .await,
    );
    assert!(message.contains("clients exists already"), "{message}");
    assert_eq!(host_rows().await, [(1, "the host's own".to_owned())]);
    assert!(
        !objects(&host)
            .await
            .contains(&"clients_schema_version".to_owned())
    );
    store.close().await;
}

#[tokio::test]
async fn without_migrating_an_empty_database_is_refused_until_migrate_runs() {
    let db = TempDb::new("no-migrate");
    let options = SqliteStore::builder().migrate_on_connect(false);
    let message = refusal(options.open(db.path()).await);
    for what in [
        "not created",
        "oidc_registration_clients_schema_version does not exist",
        "SqliteStoreBuilder::migrate",
        "SqliteStoreBuilder::migration_sql",
    ] {
        assert!(message.contains(what), "{what:?} missing from: {message}");
    }
    let host = host_pool(&db).await;
    assert!(objects(&host).await.is_empty(), "nothing created");

    assert_eq!(options.migrate(&host).await.expect("migrate"), [1, 2, 3, 4]);
    let store = options.open(db.path()).await.expect("open once migrated");
    let a = record("a", 1);
    store.insert(Arc::new(a.clone())).await.expect("insert");
    assert_same(&stored(&store, "a").await, &a);
    store.close().await;
}

#[tokio::test]
async fn migrate_twice_is_a_no_op() {
    let db = TempDb::new("migrate-twice");
    let host = host_pool(&db).await;
    let options = SqliteStore::builder().table("apps");
    assert_eq!(options.migrate(&host).await.expect("migrate"), [1, 2, 3, 4]);
    let store = options.from_pool(host.clone()).await.expect("store");
    let a = record("a", 1);
    store.insert(Arc::new(a.clone())).await.expect("insert");
    let schema: Vec<String> = sqlx::query_scalar("SELECT sql FROM sqlite_master ORDER BY name")
        .fetch_all(&host)
        .await
        .expect("schema");
    let recorded = versions(&host, "apps_schema_version").await;

    assert_eq!(
        options.migrate(&host).await.expect("again"),
        Vec::<u32>::new()
    );
    // Opening a store, which migrates by default, changes nothing either.
    let again = options.open(db.path()).await.expect("open");
    let now: Vec<String> = sqlx::query_scalar("SELECT sql FROM sqlite_master ORDER BY name")
        .fetch_all(&host)
        .await
        .expect("schema");
    assert_eq!(now, schema);
    assert_eq!(versions(&host, "apps_schema_version").await, recorded);
    assert_same(&stored(&again, "a").await, &a);
    again.close().await;
}

#[tokio::test]
async fn migrations_applied_by_the_host_s_tooling_are_what_the_store_checks() {
    let db = TempDb::new("own-tooling");
    let host = host_pool(&db).await;
    let options = SqliteStore::builder()
        .table("apps")
        .migrate_on_connect(false);
    let migrations = options.migration_sql().expect("rendered");
    assert_eq!(migrations.len(), 4);

    // The host's tool applies version 1 only: the store needs version 4.
    sqlx::raw_sql(migrations[0].sql())
        .execute(&host)
        .await
        .expect("version 1");
    let message = refusal(options.open(db.path()).await);
    assert!(
        message.contains("schema version 1") && message.contains("needs version 4"),
        "{message}"
    );
    for (version, migration) in migrations.iter().enumerate().skip(1) {
        sqlx::raw_sql(migration.sql())
            .execute(&host)
            .await
            .unwrap_or_else(|e| panic!("version {}: {e}", version + 1));
    }
    let store = options.open(db.path()).await.expect("open");
    store
        .insert(Arc::new(record("a", 1)))
        .await
        .expect("insert");
    let recorded = versions(&host, "apps_schema_version").await;
    assert_eq!(
        recorded
            .iter()
            .map(|(v, d, _)| (*v, d.as_str()))
            .collect::<Vec<_>>(),
        [
            (1, "clients"),
            (2, "index on last use"),
            (3, "initial access tokens"),
            (4, "rate limits")
        ]
    );
    assert!(recorded.iter().all(|(_, _, at)| *at > 1_700_000_000));
    // The store's own migration agrees: nothing left to apply.
    assert_eq!(
        options.migrate(&host).await.expect("migrate"),
        Vec::<u32>::new()
    );
    store.close().await;
}

/// Only the pair of tables an earlier release of this crate made (`clients` with its columns,
/// `schema_version` with a `description`) stops a store with the default names; look-alikes of
/// other tools are left alone and the store starts beside them.
#[tokio::test]
async fn tables_that_only_look_like_an_earlier_release_do_not_stop_a_store() {
    let look_alikes = [
        // Another tool's `clients` and a migration tool's `schema_version`.
        "CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT); \
         CREATE TABLE schema_version (version INTEGER, description TEXT);",
        // A migration tool's `schema_version` alone.
        "CREATE TABLE schema_version (version INTEGER, description TEXT);",
        // This crate's `clients`, beside a `schema_version` of another kind.
        "CREATE TABLE clients (client_id TEXT PRIMARY KEY, registration_token_hash BLOB); \
         CREATE TABLE schema_version (version INTEGER);",
    ];
    for (i, tables) in look_alikes.into_iter().enumerate() {
        let db = TempDb::new(&format!("look-alike-{i}"));
        let host = host_pool(&db).await;
        sqlx::raw_sql(tables)
            .execute(&host)
            .await
            .expect("the host's tables");
        let store = SqliteStore::open(db.path())
            .await
            .unwrap_or_else(|e| panic!("{tables}: {e}"));
        store
            .insert(Arc::new(record("a", 1)))
            .await
            .expect("insert");
        store.close().await;
    }
}

/// A database at an earlier schema version (here 1, before the index on last use) is brought up
/// to date by `migrate`, its clients kept: the upgrade path of every deployment.
#[tokio::test]
async fn migrate_upgrades_a_database_of_an_earlier_version_and_keeps_its_clients() {
    let db = TempDb::new("upgrade");
    let host = host_pool(&db).await;
    let options = SqliteStore::builder().table("apps");
    let migrations = options.migration_sql().expect("rendered");
    sqlx::raw_sql(migrations[0].sql())
        .execute(&host)
        .await
        .expect("version 1");
    let at_version_1 = options.clone().migrate_on_connect(false);
    assert!(
        at_version_1.open(db.path()).await.is_err(),
        "version 1 is not enough"
    );
    // A client stored at version 1, by a store that needed no more then.
    for migration in &migrations[1..] {
        sqlx::raw_sql(migration.sql())
            .execute(&host)
            .await
            .expect("the later versions, to store a client");
    }
    let store = at_version_1.open(db.path()).await.expect("open");
    store
        .insert(Arc::new(record("kept", 1)))
        .await
        .expect("insert");
    store.close().await;
    sqlx::raw_sql(
        "DROP TABLE apps_rl; DROP TABLE apps_iat; DROP INDEX apps_reg_by; \
         DROP INDEX apps_last_used; DELETE FROM apps_schema_version WHERE version >= 2",
    )
    .execute(&host)
    .await
    .expect("back to version 1");

    assert_eq!(options.migrate(&host).await.expect("upgrade"), [2, 3, 4]);
    let store = options.open(db.path()).await.expect("open");
    assert!(store.get("kept").await.expect("get").is_some());
    store.close().await;
}

#[tokio::test]
async fn invalid_names_are_refused_before_anything_is_created() {
    for bad in invalid_names() {
        let db = TempDb::new("bad-name");
        for options in [
            SqliteStore::builder().table(bad.as_str()),
            SqliteStore::builder().schema_version_table(bad.as_str()),
        ] {
            let message = refusal(options.open(db.path()).await);
            assert!(message.contains(&format!("{bad:?}")), "{message}");
            assert!(options.migration_sql().is_err(), "{bad:?}");
        }
        assert!(!db.0.exists(), "{bad:?}: no file is created");
        // On a pool of the host's, nothing is created in its database either.
        let host = host_pool(&db).await;
        let options = SqliteStore::builder().table(bad.as_str());
        assert!(options.migrate(&host).await.is_err(), "{bad:?}");
        assert!(options.from_pool(host.clone()).await.is_err(), "{bad:?}");
        assert!(objects(&host).await.is_empty(), "{bad:?}");
    }
}

#[tokio::test]
async fn stores_with_different_tables_in_one_database_do_not_see_each_other_s_clients() {
    let db = TempDb::new("two-tables");
    let a = SqliteStore::builder()
        .table("tenant_a")
        .open(db.path())
        .await
        .expect("store a");
    let b = SqliteStore::builder()
        .table("tenant_b")
        .open(db.path())
        .await
        .expect("store b");
    // One id in each: no conflict, and each reads its own.
    a.insert(Arc::new(record("x", 1))).await.expect("insert a");
    b.insert(Arc::new(record("x", 2))).await.expect("insert b");
    a.insert(Arc::new(record("only-a", 3)))
        .await
        .expect("insert a");
    assert_same(&stored(&a, "x").await, &record("x", 1));
    assert_same(&stored(&b, "x").await, &record("x", 2));
    assert!(b.get("only-a").await.expect("get").is_none());
    assert_eq!(
        (a.count().await.expect("a"), b.count().await.expect("b")),
        (2, 1)
    );
    // Deletions and expiry stay in their table.
    a.delete("x", 1).await.expect("delete");
    assert_same(&stored(&b, "x").await, &record("x", 2));
    assert_eq!(b.delete_unused(u64::MAX, 10).await.expect("expire"), ["x"]);
    assert_eq!(a.count().await.expect("count"), 1);
    // Each table has its own schema version, and its own initial access tokens.
    let host = host_pool(&db).await;
    for table in ["tenant_a_schema_version", "tenant_b_schema_version"] {
        assert_eq!(versions(&host, table).await.len(), 4, "{table}");
    }
    let token = InitialAccessTokenRecord::new("t".to_owned(), CredentialHash::of("t"));
    a.insert_initial_access_token(token.clone())
        .await
        .expect("a's token");
    assert!(
        b.initial_access_token_by_id("t")
            .await
            .expect("b")
            .is_none()
    );
    b.insert_initial_access_token(token)
        .await
        .expect("b's token, of the same id");
    a.close().await;
    b.close().await;
}

/// The tables an earlier release created (the same statements, with its fixed names) keep
/// their clients: the default names refuse to start empty beside them.
#[tokio::test]
async fn a_database_of_an_earlier_release_keeps_its_clients_under_its_names() {
    let db = TempDb::new("earlier-release");
    let earlier = SqliteStore::builder()
        .table("clients")
        .schema_version_table("schema_version");
    let store = earlier.open(db.path()).await.expect("earlier tables");
    let a = record("a", 1);
    store.insert(Arc::new(a.clone())).await.expect("insert");
    store.close().await;
    let host = host_pool(&db).await;
    let tables = objects(&host).await;

    for result in [
        SqliteStore::open(db.path()).await,
        SqliteStore::builder()
            .migrate_on_connect(false)
            .open(db.path())
            .await,
    ] {
        let message = refusal(result);
        assert!(
            message.contains("table(\"clients\")")
                && message.contains("schema_version_table(\"schema_version\")"),
            "{message}"
        );
    }
    assert_eq!(objects(&host).await, tables, "nothing created");

    let store = earlier.open(db.path()).await.expect("reopen");
    assert_same(&stored(&store, "a").await, &a);
    store.close().await;
    // A host that names the new table starts afresh beside them.
    let fresh = SqliteStore::builder()
        .table("oidc_registration_clients")
        .open(db.path())
        .await
        .expect("fresh");
    assert_eq!(fresh.count().await.expect("count"), 0);
    fresh.close().await;
}

/// A refused rate limit decision reads the key's state and takes no lock: a flood of refused
/// requests answers while another writer holds the database, and never queues behind it.
#[tokio::test]
async fn a_refused_rate_limit_decision_takes_no_write_lock() {
    use std::time::Duration;
    use tower_oidc_registration::rate_limit::{Gcra, RateDecision};

    const T0: u64 = 1_800_000_000_000;
    let db = TempDb::new("rate-limit-refusal");
    let store = SqliteStore::builder().open(db.path()).await.expect("store");
    let limit = Gcra::new(60_000, 0);
    let decide = || tokio::time::timeout(Duration::from_secs(2), store.rate_limit("k", limit, T0));
    assert_eq!(
        decide().await.expect("in time").expect("decide"),
        RateDecision::Allowed
    );
    // The host's writer holds the database's write lock.
    let host = host_pool(&db).await;
    let mut writer = host.acquire().await.expect("a connection");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *writer)
        .await
        .expect("the write lock");
    let refused = decide()
        .await
        .expect("answered without waiting for the lock")
        .expect("decide");
    assert_eq!(
        refused,
        RateDecision::Limited {
            retry_after_ms: 60_000
        }
    );
    sqlx::query("ROLLBACK")
        .execute(&mut *writer)
        .await
        .expect("release");
}
