//! The token endpoint's hot path in process: `Registry::authenticate`, which a host's token
//! endpoint calls on every token request (the `client_credentials` endpoint of
//! `examples/axum_app/app/clients.rs` does, through `authenticate_for_grant`), against a store
//! holding `CLIENTS` clients registered for `client_secret_basic` and `client_credentials`.
//!
//! Per store (group `authenticate/<store>`):
//!
//! - `client_secret_basic`: the right secret, the configuration's defaults (secret stored in
//!   clear, no expiry of unused clients): one store read, two SHA-256 (the digests are
//!   compared, in constant time);
//! - `wrong_secret`: the same client with a wrong secret of the same length (`WrongSecret`):
//!   the same work, for a failure;
//! - `for_grant`: `authenticate_for_grant(.., GrantType::ClientCredentials)`, what a token
//!   endpoint calls: the same, then whether the client registered that grant (read from its
//!   stored metadata);
//! - `with_expiry`: the right secret with the expiry of unused clients on, which records each
//!   use: one store write (`ClientStore::touch`) more.
//!
//! and for the memory store only: `hashed_secret` (`SecretStorage::Hashed`: one SHA-256 fewer)
//! and `parse_basic_header` (`ClientCredentials::from_basic_authorization`, what a token
//! endpoint does before).
//!
//! Each iteration authenticates the next client of a fixed random order, so that the
//! lookups spread over the store as a server's do. Credentials are built before the timer.
//!
//! Stores: memory, always; SQLite on a temporary file (removed at exit) with the `sqlite`
//! feature; PostgreSQL with the `postgres` feature when `TOWER_OIDC_REGISTRATION_POSTGRES_URL`
//! is set, in a fresh schema (dropped at exit):
//!
//! ```text
//! cargo bench --bench authenticate
//! cargo bench --features sqlite,postgres --bench authenticate
//! (source scripts/lib/common.sh; source scripts/lib/postgres.sh; start_postgres
//!  cargo bench --features sqlite,postgres --bench authenticate)
//! ```
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) criterion runs each function once,
//! on a store of `SMOKE_CLIENTS` clients.

#[path = "common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use serde_json::{Map, Value, json};
use tokio::runtime::Runtime;
use tower_oidc_registration::metadata::GrantType;
use tower_oidc_registration::{
    ClientAuthError, ClientCredentials, ClientStore, ExpiryPolicy, MemoryStore, RegistrationConfig,
    RegistrationLayer, Registry, Requester, SecretStorage,
};

/// Clients in each store for a measurement (`--bench`).
const CLIENTS: usize = 1_000;
/// Clients in each store for a smoke run (without `--bench`).
const SMOKE_CLIENTS: usize = 10;

/// The registration of a token endpoint client: a confidential service client.
fn client_metadata(i: usize) -> Map<String, Value> {
    match json!({
        "client_name": format!("service-{i}"),
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": "read write",
    }) {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// A registry on `store` with `CLIENTS` registered clients, their credentials (right and
/// wrong) in a fixed random order.
struct Fixture {
    registry: Registry,
    right: Vec<ClientCredentials>,
    wrong: Vec<ClientCredentials>,
    /// The `Authorization` value of the first of `right`.
    first_header: String,
}

impl Fixture {
    async fn new(
        store: Arc<dyn ClientStore>,
        clients: usize,
        storage: SecretStorage,
        expiry: bool,
    ) -> Self {
        let config = RegistrationConfig::builder("https://iam.example.org/")
            .shared_store(store)
            .secret_storage(storage)
            .expire_unused_clients(expiry.then(|| ExpiryPolicy::new(Duration::from_secs(86_400))))
            .build()
            .expect("config");
        let registry = RegistrationLayer::new(config).registry();
        let mut registered = Vec::with_capacity(clients);
        for i in 0..clients {
            let client = registry
                .register(Requester::host(), client_metadata(i))
                .await
                .expect("register");
            let secret = client.client_secret().expect("a client secret");
            registered.push((client.client_id().to_owned(), secret.expose().to_owned()));
        }
        let order = common::random_indices(clients, clients);
        let first_header = basic_header(&registered[order[0]].0, &registered[order[0]].1);
        let basic = |id: &str, secret: &str| {
            ClientCredentials::from_basic_authorization(basic_header(id, secret))
                .expect("Basic credentials")
        };
        let right = order
            .iter()
            .map(|&i| basic(&registered[i].0, &registered[i].1))
            .collect();
        // Wrong by its last character, the same length: the comparison does all its work.
        let wrong = order
            .iter()
            .map(|&i| {
                let (id, secret) = &registered[i];
                let mut wrong = secret.clone();
                let last = if wrong.pop() == Some('A') { 'B' } else { 'A' };
                wrong.push(last);
                basic(id, &wrong)
            })
            .collect();
        Self {
            registry,
            right,
            wrong,
            first_header,
        }
    }
}

/// `Basic base64(id:secret)`: the ids (UUIDs) and secrets (base64url) need no form-encoding.
fn basic_header(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    format!("Basic {encoded}")
}

/// Benchmarks `name`: each iteration authenticates the next of `credentials` (for `grant`, if
/// any: `authenticate_for_grant`) and checks the outcome (`ok`: authenticated, else refused
/// for the wrong secret).
fn bench_authenticate(
    group: &mut BenchmarkGroup<'_, WallTime>,
    runtime: &Runtime,
    name: &str,
    registry: &Registry,
    credentials: &[ClientCredentials],
    grant: Option<GrantType>,
    ok: bool,
) {
    let mut next = 0;
    group.bench_function(name, |b| {
        b.to_async(runtime).iter(|| {
            let presented = &credentials[next % credentials.len()];
            next += 1;
            async move {
                let outcome = match grant {
                    None => registry.authenticate(presented).await,
                    Some(grant) => registry.authenticate_for_grant(presented, grant).await,
                };
                match (&outcome, ok) {
                    (Ok(_), true) | (Err(ClientAuthError::WrongSecret), false) => {}
                    _ => panic!("{name}: unexpected {outcome:?}"),
                }
                outcome
            }
        });
    });
}

/// The group of one store: `open` gives a fresh, empty store for each fixture (one with the
/// expiry of unused clients, one without). The fixtures are made before criterion's timers,
/// on `runtime`, which the measurements then drive (one `block_on` at a time).
fn bench_store<F, Fut>(c: &mut Criterion, runtime: &Runtime, store: &str, clients: usize, open: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn ClientStore>>,
{
    let fixture = |storage, expiry| {
        runtime.block_on(async { Fixture::new(open().await, clients, storage, expiry).await })
    };
    let plain = fixture(SecretStorage::Plain, false);
    let expiring = fixture(SecretStorage::Plain, true);
    let hashed = (store == "memory").then(|| fixture(SecretStorage::Hashed, false));
    let mut group = c.benchmark_group(format!("authenticate/{store}"));
    let registry = &plain.registry;
    let (right, wrong) = (&plain.right, &plain.wrong);
    bench_authenticate(
        &mut group,
        runtime,
        "client_secret_basic",
        registry,
        right,
        None,
        true,
    );
    bench_authenticate(
        &mut group,
        runtime,
        "wrong_secret",
        registry,
        wrong,
        None,
        false,
    );
    let grant = Some(GrantType::ClientCredentials);
    bench_authenticate(
        &mut group,
        runtime,
        "for_grant",
        registry,
        right,
        grant,
        true,
    );
    let (registry, right) = (&expiring.registry, &expiring.right);
    bench_authenticate(
        &mut group,
        runtime,
        "with_expiry",
        registry,
        right,
        None,
        true,
    );
    if let Some(hashed) = &hashed {
        let (registry, right) = (&hashed.registry, &hashed.right);
        bench_authenticate(
            &mut group,
            runtime,
            "hashed_secret",
            registry,
            right,
            None,
            true,
        );
        let header = &hashed.first_header;
        group.bench_function("parse_basic_header", |b| {
            b.iter(|| ClientCredentials::from_basic_authorization(std::hint::black_box(header)))
        });
    }
    group.finish();
}

#[cfg(feature = "sqlite")]
#[path = "../tests/common/temp_db.rs"]
mod temp_db;

#[cfg(feature = "postgres")]
#[path = "common/postgres.rs"]
mod postgres_support;

fn bench(c: &mut Criterion) {
    let full = std::env::args().any(|a| a == "--bench");
    let clients = if full { CLIENTS } else { SMOKE_CLIENTS };
    // Two workers, as the HTTP load benchmark's servers have on its machine; the SQL stores'
    // pools need a runtime that runs while the benchmark thread waits.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // Each fixture's clients are registered by the host, which no store bound limits.
    bench_store(c, &runtime, "memory", clients, || async {
        Arc::new(MemoryStore::unbounded()) as Arc<dyn ClientStore>
    });

    #[cfg(feature = "sqlite")]
    {
        let dbs = std::sync::Mutex::new(Vec::new());
        bench_store(c, &runtime, "sqlite", clients, || async {
            let db = temp_db::TempDb::new("bench-authenticate");
            let store = tower_oidc_registration::store::SqliteStore::open(db.path())
                .await
                .expect("open SQLite store");
            // Removed (with its WAL) when the benchmark ends.
            dbs.lock().expect("lock").push(db);
            Arc::new(store) as Arc<dyn ClientStore>
        });
    }

    #[cfg(feature = "postgres")]
    match postgres_support::url() {
        Some(url) => {
            let schemas = std::sync::Mutex::new(Vec::new());
            bench_store(c, &runtime, "postgres", clients, || async {
                let tag = format!("authenticate_{}", schemas.lock().expect("lock").len());
                let (store, schema) = postgres_support::open(&url, &tag).await;
                schemas
                    .lock()
                    .expect("lock")
                    .push((Arc::clone(&store), schema));
                store as Arc<dyn ClientStore>
            });
            for (store, schema) in schemas.into_inner().expect("lock") {
                runtime.block_on(postgres_support::drop_schema(&store, schema));
            }
        }
        None => eprintln!(
            "authenticate/postgres skipped: set {} to measure it",
            postgres_support::URL_VAR
        ),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
