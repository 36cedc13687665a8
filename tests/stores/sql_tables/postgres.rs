//! `PostgresStore` in a database it shares: in a schema given by name, on connections whose
//! `search_path` does not include it, and under a role that may not change the schema.

use std::str::FromStr as _;
use std::sync::Arc;

use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use tower_oidc_registration::rate_limit::Gcra;
use tower_oidc_registration::store::PostgresStore;
use tower_oidc_registration::{
    Caller, ClientStore, CredentialHash, InitialAccessTokenRecord, StoreError,
};

use super::{invalid_names, refusal};
use crate::common::postgres::{Schema, database_url};
use crate::conformance::{assert_same, next, record, stored};

/// The tables and indexes of `schema`, by name.
async fn objects(pool: &PgPool, schema: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.relname::TEXT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'i') ORDER BY 1",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .expect("pg_class")
}

async fn versions(pool: &PgPool, table: &str) -> Vec<i64> {
    sqlx::query_scalar(&format!("SELECT version FROM {table} ORDER BY version"))
        .fetch_all(pool)
        .await
        .expect("versions")
}

/// A login role of its own, with no rights but those a test grants; dropped on drop, with
/// whatever it was granted.
struct Role {
    url: String,
    name: String,
}

impl Role {
    async fn create(url: &str, schema: &Schema) -> Self {
        let name = format!("r_{}", schema.name);
        let mut conn = PgConnection::connect(url).await.expect("connect");
        sqlx::raw_sql(&format!(
            "CREATE ROLE \"{name}\" LOGIN; GRANT USAGE ON SCHEMA \"{}\" TO \"{name}\";",
            schema.name
        ))
        .execute(&mut conn)
        .await
        .expect("create role");
        let _ = conn.close().await;
        Self {
            url: url.to_owned(),
            name,
        }
    }

    /// A pool whose connections log in as this role.
    async fn pool(&self) -> PgPool {
        let options = PgConnectOptions::from_str(&self.url)
            .expect("PostgreSQL URL")
            .username(&self.name);
        PgPoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .expect("connect as the role")
    }
}

impl Drop for Role {
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
                    let _ = sqlx::raw_sql(&format!(
                        "DROP OWNED BY \"{name}\"; DROP ROLE IF EXISTS \"{name}\";"
                    ))
                    .execute(&mut conn)
                    .await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}

#[tokio::test]
async fn a_host_table_named_clients_is_left_untouched() {
    let Some(url) = database_url("a_host_table_named_clients_is_left_untouched") else {
        return;
    };
    let schema = Schema::create(&url, "host_clients").await;
    let host = schema.pool(2).await;
    sqlx::raw_sql(
        "CREATE TABLE clients (id BIGINT PRIMARY KEY, name TEXT NOT NULL); \
         INSERT INTO clients VALUES (1, 'the host''s own');",
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

    let options = PostgresStore::builder().schema(schema.name.as_str());
    let store = options
        .from_pool(schema.unscoped_pool(2).await)
        .await
        .expect("connect beside it");
    store
        .insert(Arc::new(record("a", 1)))
        .await
        .expect("insert");
    assert_eq!(store.count().await.expect("count"), 1);
    assert_eq!(host_rows().await, [(1, "the host's own".to_owned())]);
    assert_eq!(
        objects(&host, &schema.name).await,
        [
            "clients",
            "clients_pkey",
            "oidc_registration_clients",
            "oidc_registration_clients_last_used",
            "oidc_registration_clients_pkey",
            "oidc_registration_clients_reg_by",
            "oidc_registration_clients_schema_version",
            "oidc_registration_clients_schema_version_pkey",
            "oidc_registration_initial_access_tokens",
            "oidc_registration_initial_access_tokens_pkey",
            "oidc_registration_initial_access_tokens_token_hash_key",
            "oidc_registration_rate_limits",
            "oidc_registration_rate_limits_pkey",
        ]
    );

    // Told to use that table, a store refuses to take it over, and leaves nothing behind.
    let message = refusal(
        options
            .clone()
            .table("clients")
            .from_pool(schema.unscoped_pool(2).await)
            .await,
    );
    assert!(message.contains("clients exists already"), "{message}");
    assert_eq!(host_rows().await, [(1, "the host's own".to_owned())]);
    assert!(
        !objects(&host, &schema.name)
            .await
            .contains(&"clients_schema_version".to_owned())
    );
    store.close().await;
}

/// The deployment this option is for: the schema migrated by a role that owns it, the store
/// connected by a role that may only read and write rows.
#[tokio::test]
async fn a_role_that_may_not_change_the_schema_connects_once_it_is_migrated() {
    let Some(url) =
        database_url("a_role_that_may_not_change_the_schema_connects_once_it_is_migrated")
    else {
        return;
    };
    let schema = Schema::create(&url, "runtime_role").await;
    let role = Role::create(&url, &schema).await;
    let app = role.pool().await;
    let options = PostgresStore::builder()
        .schema(schema.name.as_str())
        .migrate_on_connect(false);

    let message = refusal(options.from_pool(app.clone()).await);
    for what in [
        "not created",
        "oidc_registration_clients_schema_version does not exist",
        "PostgresStoreBuilder::migrate",
        "PostgresStoreBuilder::migration_sql",
    ] {
        assert!(message.contains(what), "{what:?} missing from: {message}");
    }
    // Migrating on connect needs a role that may create tables.
    let message = refusal(
        options
            .clone()
            .migrate_on_connect(true)
            .from_pool(app.clone())
            .await,
    );
    assert!(
        message.contains("permission denied") && message.contains("migrate_on_connect(false)"),
        "{message}"
    );

    let admin = schema.unscoped_pool(2).await;
    assert_eq!(
        options.migrate(&admin).await.expect("migrate"),
        [1, 2, 3, 4]
    );
    let grant = async |sql: &str| {
        let sql = sql.replace("{s}", &schema.name).replace("{r}", &role.name);
        sqlx::raw_sql(&sql).execute(&admin).await.expect("grant");
    };
    // A role that cannot read the clients table is refused at connect, not at a request.
    grant("GRANT SELECT ON \"{s}\".oidc_registration_clients_schema_version TO \"{r}\"").await;
    let message = refusal(options.from_pool(app.clone()).await);
    assert!(
        message.contains("oidc_registration_clients cannot be read")
            && message.contains("permission denied"),
        "{message}"
    );
    grant("GRANT SELECT, INSERT, UPDATE, DELETE ON \"{s}\".oidc_registration_clients TO \"{r}\"")
        .await;
    // Nor one that cannot read the initial access tokens.
    let message = refusal(options.from_pool(app.clone()).await);
    assert!(
        message.contains("oidc_registration_initial_access_tokens cannot be read")
            && message.contains("permission denied"),
        "{message}"
    );
    grant(
        "GRANT SELECT, INSERT, UPDATE ON \"{s}\".oidc_registration_initial_access_tokens \
         TO \"{r}\"",
    )
    .await;
    // Nor one that cannot read the rate limit states.
    let message = refusal(options.from_pool(app.clone()).await);
    assert!(
        message.contains("oidc_registration_rate_limits cannot be read")
            && message.contains("permission denied"),
        "{message}"
    );
    grant(
        "GRANT SELECT, INSERT, UPDATE, DELETE ON \"{s}\".oidc_registration_rate_limits TO \"{r}\"",
    )
    .await;

    let store = options.from_pool(app).await.expect("connect as the role");
    let a = record("a", 1);
    store.insert(Arc::new(a.clone())).await.expect("insert");
    assert_same(&stored(&store, "a").await, &a);
    // The grants are enough for initial access tokens: written, used, revoked.
    let token = InitialAccessTokenRecord::new("iat-2".to_owned(), CredentialHash::of("iat-2"));
    store
        .insert_initial_access_token(token)
        .await
        .expect("insert a token");
    store
        .insert_with_initial_access_token(Arc::new(record("b", 2)), 1_800_000_000)
        .await
        .expect("register with it");
    store
        .revoke_initial_access_token("iat-2")
        .await
        .expect("revoke it");
    store.delete("b", 1).await.expect("delete its client");
    store.touch("a", 1_900_000_000).await.expect("touch");
    assert_eq!(
        store
            .delete_unused(2_000_000_000, 10)
            .await
            .expect("expire"),
        ["a"]
    );
    // And for rate limits: states written, then, once past, deleted by the store's sweeps.
    let limit = Gcra::new(1_000, 0);
    for n in 0..600 {
        store
            .rate_limit(&format!("key-{n}"), limit, 1_800_000_000_000 + n * 1_000)
            .await
            .expect("rate limit");
    }
    let rows: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM \"{}\".oidc_registration_rate_limits",
        schema.name
    ))
    .fetch_one(&admin)
    .await
    .expect("count");
    assert!(rows < 600, "{rows} states: none deleted");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_run_at_once_apply_each_version_once_and_again_nothing() {
    let Some(url) =
        database_url("migrations_run_at_once_apply_each_version_once_and_again_nothing")
    else {
        return;
    };
    let schema = Schema::create(&url, "migrate_at_once").await;
    let options = PostgresStore::builder()
        .schema(schema.name.as_str())
        .table("apps");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (options, pool) = (options.clone(), schema.unscoped_pool(1).await);
        tasks.push(tokio::spawn(async move { options.migrate(&pool).await }));
    }
    let mut applied = Vec::new();
    for task in tasks {
        applied.push(task.await.expect("join").expect("migrate"));
    }
    applied.sort();
    let mut expected = vec![Vec::<u32>::new(); 7];
    expected.push(vec![1, 2, 3, 4]);
    assert_eq!(applied, expected, "one migration applies every version");

    let pool = schema.unscoped_pool(2).await;
    let store = options.from_pool(pool.clone()).await.expect("store");
    store
        .insert(Arc::new(record("a", 1)))
        .await
        .expect("insert");
    let tables = objects(&pool, &schema.name).await;
    assert_eq!(
        options.migrate(&pool).await.expect("again"),
        Vec::<u32>::new()
    );
    let version_table = format!("\"{}\".apps_schema_version", schema.name);
    assert_eq!(versions(&pool, &version_table).await, [1, 2, 3, 4]);
    assert_eq!(objects(&pool, &schema.name).await, tables);
    assert_eq!(store.count().await.expect("count"), 1);
    store.close().await;
}

#[tokio::test]
async fn migrations_applied_by_the_host_s_tooling_are_what_the_store_checks() {
    let Some(url) =
        database_url("migrations_applied_by_the_host_s_tooling_are_what_the_store_checks")
    else {
        return;
    };
    let schema = Schema::create(&url, "own_tooling").await;
    let pool = schema.unscoped_pool(2).await;
    let options = PostgresStore::builder()
        .schema(schema.name.as_str())
        .migrate_on_connect(false);
    let migrations = options.migration_sql().expect("rendered");
    // The host's tool applies version 1 only, in a transaction of its own.
    let mut tx = pool.begin().await.expect("begin");
    sqlx::raw_sql(migrations[0].sql())
        .execute(&mut *tx)
        .await
        .expect("version 1");
    tx.commit().await.expect("commit");
    let message = refusal(options.from_pool(pool.clone()).await);
    assert!(
        message.contains("schema version 1") && message.contains("needs version 4"),
        "{message}"
    );
    for migration in &migrations[1..] {
        sqlx::raw_sql(migration.sql())
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("version {}: {e}", migration.version()));
    }
    let store = options.from_pool(pool.clone()).await.expect("connect");
    store
        .insert(Arc::new(record("a", 1)))
        .await
        .expect("insert");
    assert_eq!(
        options.migrate(&pool).await.expect("migrate"),
        Vec::<u32>::new()
    );
    store.close().await;
}

#[tokio::test]
async fn invalid_names_are_refused_before_anything_is_created() {
    let Some(url) = database_url("invalid_names_are_refused_before_anything_is_created") else {
        return;
    };
    let schema = Schema::create(&url, "bad_names").await;
    let pool = schema.unscoped_pool(2).await;
    for bad in invalid_names() {
        for options in [
            PostgresStore::builder().schema(bad.as_str()),
            PostgresStore::builder()
                .schema(schema.name.as_str())
                .table(bad.as_str()),
            PostgresStore::builder()
                .schema(schema.name.as_str())
                .schema_version_table(bad.as_str()),
        ] {
            let message = refusal(options.from_pool(pool.clone()).await);
            assert!(message.contains(&format!("{bad:?}")), "{message}");
            assert!(options.migrate(&pool).await.is_err(), "{bad:?}");
            assert!(options.migration_sql().is_err(), "{bad:?}");
            // Checked before connecting: this address has no server.
            let message = refusal(options.connect("postgres://nobody@127.0.0.1:1/none").await);
            assert!(message.contains(&format!("{bad:?}")), "{message}");
        }
    }
    assert!(objects(&pool, &schema.name).await.is_empty());
    assert!(objects(&pool, "public").await.is_empty());
}

#[tokio::test]
async fn stores_with_different_tables_in_one_database_do_not_see_each_other_s_clients() {
    let Some(url) = database_url(
        "stores_with_different_tables_in_one_database_do_not_see_each_other_s_clients",
    ) else {
        return;
    };
    let schema = Schema::create(&url, "two_tables").await;
    let other = Schema::create(&url, "two_tables_other").await;
    // Two tables in one schema, and a third of the same name as one of them in another.
    let store = async |schema: &Schema, table: &str| {
        PostgresStore::builder()
            .schema(schema.name.as_str())
            .table(table)
            .from_pool(schema.unscoped_pool(4).await)
            .await
            .expect("store")
    };
    let stores = [
        store(&schema, "tenant_a").await,
        store(&schema, "tenant_b").await,
        store(&other, "tenant_a").await,
    ];
    for (n, s) in (1u8..).zip(&stores) {
        s.insert(Arc::new(record("x", n))).await.expect("insert");
    }
    stores[0]
        .insert(Arc::new(record("only-a", 9)))
        .await
        .expect("insert");
    for (n, s) in (1u8..).zip(&stores) {
        assert_same(&stored(s, "x").await, &record("x", n));
    }
    assert!(stores[1].get("only-a").await.expect("get").is_none());
    assert!(stores[2].get("only-a").await.expect("get").is_none());
    stores[0].delete("x", 1).await.expect("delete");
    assert_same(&stored(&stores[1], "x").await, &record("x", 2));
    assert_same(&stored(&stores[2], "x").await, &record("x", 3));
    assert_eq!(
        stores[1].delete_unused(u64::MAX, 10).await.expect("expire"),
        ["x"]
    );
    let counts = [
        stores[0].count().await.expect("count"),
        stores[1].count().await.expect("count"),
        stores[2].count().await.expect("count"),
    ];
    assert_eq!(counts, [1, 0, 1]);
    for s in &stores {
        s.close().await;
    }
}

/// The tables an earlier release created in the connection's schema (the same statements,
/// with its fixed names) keep their clients: the default names refuse to start empty beside
/// them.
#[tokio::test]
async fn a_database_of_an_earlier_release_keeps_its_clients_under_its_names() {
    let Some(url) =
        database_url("a_database_of_an_earlier_release_keeps_its_clients_under_its_names")
    else {
        return;
    };
    let schema = Schema::create(&url, "earlier_release").await;
    let earlier = PostgresStore::builder()
        .table("clients")
        .schema_version_table("schema_version");
    let store = earlier
        .from_pool(schema.pool(2).await)
        .await
        .expect("earlier");
    let a = record("a", 1);
    store.insert(Arc::new(a.clone())).await.expect("insert");
    store.close().await;
    let host = schema.pool(2).await;
    let tables = objects(&host, &schema.name).await;

    for result in [
        PostgresStore::from_pool(schema.pool(2).await).await,
        PostgresStore::builder()
            .migrate_on_connect(false)
            .from_pool(schema.pool(2).await)
            .await,
    ] {
        let message = refusal(result);
        assert!(
            message.contains("table(\"clients\")")
                && message.contains("schema_version_table(\"schema_version\")"),
            "{message}"
        );
    }
    assert_eq!(
        objects(&host, &schema.name).await,
        tables,
        "nothing created"
    );

    let store = earlier
        .from_pool(schema.pool(2).await)
        .await
        .expect("again");
    assert_same(&stored(&store, "a").await, &a);
    store.close().await;
}

/// IAT-5: registrations with one token pass one at a time, whatever isolation level the host's
/// database or role gives its transactions by default: under SERIALIZABLE they still queue on
/// the token's row, and none fails with a serialization error; and a compare-and-swap writer
/// that loses to another is told of a conflict, not of a backend failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn under_a_serializable_default_token_registrations_queue_and_cas_writers_conflict() {
    let Some(url) = database_url(
        "under_a_serializable_default_token_registrations_queue_and_cas_writers_conflict",
    ) else {
        return;
    };
    let schema = Schema::create(&url, "serializable").await;
    let options = PgConnectOptions::from_str(&url)
        .expect("PostgreSQL URL")
        .options([
            ("search_path", schema.name.as_str()),
            ("default_transaction_isolation", "serializable"),
        ]);
    let store_pool = PgPoolOptions::new()
        .max_connections(10)
        .connect_with(options)
        .await
        .expect("connect to PostgreSQL");
    let store: Arc<dyn ClientStore> = Arc::new(
        PostgresStore::from_pool(store_pool.clone())
            .await
            .expect("store"),
    );
    let racers: u8 = 8;
    let token = InitialAccessTokenRecord::new("shared".into(), CredentialHash::of("shared token"))
        .with_max_uses(Some(u64::from(racers)));
    store
        .insert_initial_access_token(token)
        .await
        .expect("token");
    let start = Arc::new(tokio::sync::Barrier::new(usize::from(racers)));
    let tasks: Vec<_> = (0..racers)
        .map(|n| {
            let (store, start) = (Arc::clone(&store), Arc::clone(&start));
            let client = Arc::new(record(&format!("racer-{n}"), n).with_registered_by(
                Caller::InitialAccessToken {
                    id: "shared".into(),
                },
            ));
            tokio::spawn(async move {
                start.wait().await;
                store
                    .insert_with_initial_access_token(client, 1_800_000_000)
                    .await
            })
        })
        .collect();
    for task in tasks {
        let result = task.await.expect("join");
        assert!(result.is_ok(), "{result:?}");
    }
    assert_eq!(store.count().await.expect("count"), u64::from(racers));

    // A compare-and-swap writer that waits for another's row lock is told of the conflict
    // once that writer commits (which the registry answers by reading again), never of a
    // backend failure: under SERIALIZABLE, PostgreSQL raises a serialization error there.
    let pg = PostgresStore::from_pool(store_pool.clone())
        .await
        .expect("store");
    let mut other = store_pool.begin().await.expect("another writer");
    sqlx::query("UPDATE oidc_registration_clients SET version = 2 WHERE client_id = 'racer-0'")
        .execute(&mut *other)
        .await
        .expect("the other writer's update");
    let waiting =
        tokio::spawn(async move { pg.replace(next(&record("racer-0", 0), 2, 9), 1).await });
    let mut watcher = PgConnection::connect(&url).await.expect("connect");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let blocked: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE wait_event_type = 'Lock' AND datname = current_database()",
        )
        .fetch_one(&mut watcher)
        .await
        .expect("pg_stat_activity");
        if blocked > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the replacement never waited"
        );
        tokio::task::yield_now().await;
    }
    other.commit().await.expect("commit");
    let result = waiting.await.expect("join");
    assert!(matches!(result, Err(StoreError::Conflict)), "{result:?}");
}

/// Only a serialization failure is a conflict: any other error of the database in a
/// compare-and-swap (here, its table gone) is a backend failure, which the registry answers
/// with 503 rather than by reading again and retrying.
#[tokio::test]
async fn a_failed_compare_and_swap_statement_is_a_backend_error_not_a_conflict() {
    let Some(url) =
        database_url("a_failed_compare_and_swap_statement_is_a_backend_error_not_a_conflict")
    else {
        return;
    };
    let schema = Schema::create(&url, "cas_backend").await;
    let store = schema.store(2).await;
    store.insert(record("a", 1).into()).await.expect("insert");
    sqlx::query("DROP TABLE oidc_registration_clients")
        .execute(store.pool())
        .await
        .expect("drop the table");
    let replaced = store.replace(next(&record("a", 1), 2, 2), 1).await;
    assert!(
        matches!(replaced, Err(StoreError::Backend(_))),
        "{replaced:?}"
    );
    let deleted = store.delete("a", 1).await;
    assert!(
        matches!(deleted, Err(StoreError::Backend(_))),
        "{deleted:?}"
    );
}
