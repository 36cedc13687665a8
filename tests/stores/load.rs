//! Load: a mixed concurrent workload through the `Registry` (register, read with the
//! registration access token, replace, delete, authenticate with the client secret, and
//! cross-client attempts that must fail) of 100,000 operations across 64 tasks on each store,
//! with the invariants checked at the end:
//!
//! - every acknowledged client is present with its last acknowledged metadata, and its token
//!   and secret still work;
//! - every deleted client is gone: not in the store, its token and its secret refused;
//! - no token works for a client it was not issued for, no secret authenticates another client;
//! - the store holds exactly the live clients.
//!
//! The domain API rather than HTTP: the HTTP layer is a thin shell around these same calls
//! (tested elsewhere), and going through it would measure hyper, not the stores. Figures (ops,
//! ops/s per store) are printed: run with `--nocapture` to see them. SQLite runs as shipped
//! (WAL, `synchronous=FULL`: an fsync per write) on a temporary file; PostgreSQL in a fresh
//! schema of the database in `TOWER_OIDC_REGISTRATION_POSTGRES_URL` (required under `CI`).

use crate::common;

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value, json};
use tower_oidc_registration::Requester;
use tower_oidc_registration::{
    ClientAuthError, ClientCredentials, ClientStore, MemoryStore, RegistrationConfig,
    RegistrationError, Registry, Secret,
};

/// Concurrent tasks of every run.
const TASKS: usize = 64;
/// Operations of every run, whatever the store.
const OPS: usize = 100_000;

/// [`OPS`], or `TOWER_OIDC_REGISTRATION_LOAD_OPS` (a quick local run). Never fewer under CI.
fn ops() -> usize {
    match std::env::var("TOWER_OIDC_REGISTRATION_LOAD_OPS") {
        Ok(n) if !common::under_ci() => n
            .parse()
            .expect("TOWER_OIDC_REGISTRATION_LOAD_OPS is a number"),
        _ => OPS,
    }
}

/// A client as its task last saw it acknowledged.
struct Live {
    id: String,
    token: String,
    secret: String,
    /// The `client_name` of the last acknowledged registration or update.
    name: String,
    version: u32,
}

/// A deleted client's old credentials.
struct Gone {
    id: String,
    token: String,
    secret: String,
}

/// What a task leaves behind for the final checks.
#[derive(Default)]
struct TaskState {
    live: Vec<Live>,
    gone: Vec<Gone>,
}

/// How many operations of each kind ran.
#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    register: usize,
    read: usize,
    update: usize,
    delete: usize,
    authenticate: usize,
    foreign: usize,
}

impl Counts {
    fn total(&self) -> usize {
        self.register + self.read + self.update + self.delete + self.authenticate + self.foreign
    }

    fn add(&mut self, other: Counts) {
        self.register += other.register;
        self.read += other.read;
        self.update += other.update;
        self.delete += other.delete;
        self.authenticate += other.authenticate;
        self.foreign += other.foreign;
    }
}

/// xorshift64*: a reproducible operation mix per task, without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn metadata(name: &str, client_id: Option<&str>) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("redirect_uris".into(), json!([common::REDIRECT]));
    map.insert("client_name".into(), json!(name));
    if let Some(id) = client_id {
        map.insert("client_id".into(), json!(id));
    }
    map
}

fn basic(id: &str, secret: &str) -> ClientCredentials {
    ClientCredentials::Basic {
        client_id: id.to_owned(),
        client_secret: Secret::new(secret),
    }
}

fn name_of(info_json: &[u8]) -> String {
    let value: Value = serde_json::from_slice(info_json).expect("client information is JSON");
    value["client_name"].as_str().unwrap_or_default().to_owned()
}

/// `a`'s client with `b`'s token and with `b`'s secret: both refused.
async fn assert_foreign_refused(registry: &Registry, a: &Live, b: &Live) {
    let err = registry
        .read(Requester::registration_access_token(&b.token), &a.id)
        .await
        .expect_err("foreign token");
    assert!(matches!(err, RegistrationError::InvalidToken), "{err:?}");
    let err = registry
        .authenticate(&basic(&a.id, &b.secret))
        .await
        .expect_err("foreign secret");
    assert!(matches!(err, ClientAuthError::WrongSecret), "{err:?}");
}

/// One task's share of the workload: `ops` operations on its own clients.
async fn task(registry: Registry, index: usize, ops: usize) -> (TaskState, Counts) {
    let mut rng =
        Rng(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let mut state = TaskState::default();
    let mut counts = Counts::default();
    for n in 0..ops {
        let roll = rng.below(100);
        // Keep a few clients around so that every kind of operation has something to act on.
        if state.live.len() < 2 || roll < 12 {
            let name = format!("task {index} op {n}");
            let info = registry
                .register(Requester::host(), metadata(&name, None))
                .await
                .expect("register");
            state.live.push(Live {
                id: info.client_id().to_owned(),
                token: info
                    .registration_access_token()
                    .expect("token")
                    .expose()
                    .to_owned(),
                secret: info.client_secret().expect("secret").expose().to_owned(),
                name,
                version: 0,
            });
            counts.register += 1;
            continue;
        }
        let pick = rng.below(state.live.len());
        match roll {
            12..=41 => {
                let live = &state.live[pick];
                let info = registry
                    .read(Requester::registration_access_token(&live.token), &live.id)
                    .await
                    .expect("read");
                assert_eq!(name_of(&info.to_json()), live.name, "read of {}", live.id);
                counts.read += 1;
            }
            42..=71 => {
                let live = &state.live[pick];
                let record = registry
                    .authenticate(&basic(&live.id, &live.secret))
                    .await
                    .expect("authenticate");
                assert_eq!(record.client_id(), live.id);
                counts.authenticate += 1;
            }
            72..=86 => {
                let live = &mut state.live[pick];
                let name = format!("task {index} client {} v{}", live.id, live.version + 1);
                let info = registry
                    .update(
                        Requester::registration_access_token(&live.token),
                        &live.id,
                        metadata(&name, Some(&live.id)),
                    )
                    .await
                    .expect("update");
                assert_eq!(name_of(&info.to_json()), name);
                live.name = name;
                live.version += 1;
                counts.update += 1;
            }
            87..=92 => {
                let live = state.live.swap_remove(pick);
                registry
                    .delete(Requester::registration_access_token(&live.token), &live.id)
                    .await
                    .expect("delete");
                state.gone.push(Gone {
                    id: live.id,
                    token: live.token,
                    secret: live.secret,
                });
                counts.delete += 1;
            }
            _ => {
                // Another client's credentials: refused, and nothing learned.
                let other = (pick + 1 + rng.below(state.live.len() - 1)) % state.live.len();
                assert_foreign_refused(&registry, &state.live[pick], &state.live[other]).await;
                counts.foreign += 1;
            }
        }
    }
    (state, counts)
}

/// Runs the workload on `store` and checks the invariants; prints and returns the figures.
async fn run(label: &str, store: Arc<dyn ClientStore>, ops: usize) -> Counts {
    let config = RegistrationConfig::builder(common::ISSUER)
        .shared_store(Arc::clone(&store))
        .build()
        .expect("config");
    let registry = Registry::new(&config);
    let started = Instant::now();
    let handles: Vec<_> = (0..TASKS)
        .map(|i| {
            let share = ops / TASKS + usize::from(i < ops % TASKS);
            tokio::spawn(task(registry.clone(), i, share))
        })
        .collect();
    let mut states = Vec::with_capacity(TASKS);
    let mut counts = Counts::default();
    for handle in handles {
        let (state, task_counts) = handle.await.expect("task");
        states.push(state);
        counts.add(task_counts);
    }
    let elapsed = started.elapsed();
    assert_eq!(counts.total(), ops);
    println!(
        "load[{label}]: {} ops across {TASKS} tasks in {:.2} s = {:.0} ops/s ({counts:?})",
        counts.total(),
        elapsed.as_secs_f64(),
        counts.total() as f64 / elapsed.as_secs_f64(),
    );

    let checked = Instant::now();
    check_invariants(&registry, store.as_ref(), states).await;
    println!(
        "load[{label}]: invariants checked in {:.2} s",
        checked.elapsed().as_secs_f64()
    );
    counts
}

async fn check_invariants(registry: &Registry, store: &dyn ClientStore, states: Vec<TaskState>) {
    // Across tasks: each client's token and secret against another task's client.
    let all_live: Vec<&Live> = states.iter().flat_map(|s| &s.live).collect();
    for pair in all_live.windows(2).step_by(7) {
        assert_foreign_refused(registry, pair[0], pair[1]).await;
    }
    // Each task's own clients, the tasks' checks side by side.
    let checks: Vec<_> = states
        .into_iter()
        .map(|state| tokio::spawn(check_task_state(registry.clone(), state)))
        .collect();
    let mut live_count = 0;
    for check in checks {
        live_count += check.await.expect("check");
    }
    assert_eq!(
        store.count().await.expect("count"),
        live_count,
        "the store holds other clients than the acknowledged live ones"
    );
}

/// Every live client of one task is whole and usable, every deleted one gone; returns how
/// many are live.
async fn check_task_state(registry: Registry, state: TaskState) -> u64 {
    for live in &state.live {
        let record = registry
            .lookup(&live.id)
            .await
            .expect("store")
            .unwrap_or_else(|| panic!("acknowledged client {} is missing", live.id));
        let stored = record.metadata().parse().expect("stored metadata");
        assert_eq!(
            stored.client_name.default.as_deref(),
            Some(live.name.as_str()),
            "client {} lost its last acknowledged metadata",
            live.id
        );
        registry
            .read(Requester::registration_access_token(&live.token), &live.id)
            .await
            .expect("token still works");
        registry
            .authenticate(&basic(&live.id, &live.secret))
            .await
            .expect("secret still works");
    }
    for gone in &state.gone {
        assert!(
            registry.lookup(&gone.id).await.expect("store").is_none(),
            "deleted client {} is still stored",
            gone.id
        );
        let err = registry
            .read(Requester::registration_access_token(&gone.token), &gone.id)
            .await
            .expect_err("deleted");
        assert!(matches!(err, RegistrationError::InvalidToken), "{err:?}");
        let err = registry
            .authenticate(&basic(&gone.id, &gone.secret))
            .await
            .expect_err("deleted");
        assert!(matches!(err, ClientAuthError::UnknownClient), "{err:?}");
    }
    state.live.len() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_workload_on_the_memory_store() {
    // More live clients than the default bound: this store is told to hold them all.
    let counts = run("memory", Arc::new(MemoryStore::unbounded()), ops()).await;
    assert!(counts.register > 0 && counts.delete > 0 && counts.foreign > 0);
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_workload_on_the_sqlite_store() {
    let db = common::temp_db::TempDb::new("load");
    let store = tower_oidc_registration::SqliteStore::open(db.path())
        .await
        .expect("open SQLite store");
    run("sqlite", Arc::new(store), ops()).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_workload_on_the_postgres_store() {
    let Some(url) = common::postgres::database_url("the load test") else {
        return;
    };
    let schema = common::postgres::Schema::create(&url, "load").await;
    // As `PostgresStore::connect`'s default pool: 10 connections.
    run("postgres", Arc::new(schema.store(10).await), ops()).await;
}
