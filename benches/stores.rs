//! Registrations per second through the layer with each store, in
//! process: the seed's JSON `POST /register`ed through `tower::ServiceExt::oneshot` on
//! `RegistrationLayer::new(config).layer(service_fn(..))`, the response body collected, by
//! `TASKS` concurrent tasks on a multi-thread tokio runtime for `MEASURE` after `WARM_UP`.
//! Prints, per store, registrations/s, the ratio to the memory store measured in the same run,
//! and p50 / p99 latency.
//!
//! Stores: memory, always; SQLite on a temporary file (removed at exit) with the `sqlite`
//! feature; PostgreSQL with the `postgres` feature when `TOWER_OIDC_REGISTRATION_POSTGRES_URL`
//! is set, in a fresh schema (dropped at exit).
//!
//! `cargo bench --features sqlite,postgres --bench stores` (about 6 s per store). Without
//! `--bench` (as `cargo test --all-targets` runs it) it does a smoke run of a fraction of a
//! second per store.

#[path = "common/mod.rs"]
mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use tower::{Layer, ServiceExt, service_fn};
use tower_oidc_registration::{ClientStore, MemoryStore, RegistrationConfig, RegistrationLayer};

/// Concurrent registering tasks.
const TASKS: usize = 32;

type Body = Full<Bytes>;

async fn inner(_request: Request<Body>) -> Result<Response<Body>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(b"hello"))))
}

fn register_request(seed: &Bytes) -> Request<Body> {
    Request::post("/register")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(seed.clone()))
        .expect("request")
}

struct Outcome {
    per_second: f64,
    p50_us: f64,
    p99_us: f64,
    registrations: usize,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// `TASKS` tasks registering the seed through the layer on `store` until `warm_up + measure`
/// has passed; counts and times the registrations started after the warm-up and finished
/// before the end.
async fn run(store: Arc<dyn ClientStore>, warm_up: Duration, measure: Duration) -> Outcome {
    let config = RegistrationConfig::builder("https://iam.example.org/")
        .shared_store(store)
        .build()
        .expect("config");
    let layered = RegistrationLayer::new(config).layer(service_fn(inner));
    let seed = Bytes::from_static(common::SEED.as_bytes());
    let start = Instant::now();
    let measured_from = start + warm_up;
    let end = measured_from + measure;
    let mut tasks = Vec::with_capacity(TASKS);
    for _ in 0..TASKS {
        let layered = layered.clone();
        let seed = seed.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let begun = Instant::now();
                if begun >= end {
                    break;
                }
                let response = layered
                    .clone()
                    .oneshot(register_request(&seed))
                    .await
                    .expect("infallible");
                let status = response.status();
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .expect("body")
                    .to_bytes();
                assert_eq!(
                    status,
                    StatusCode::CREATED,
                    "{}",
                    String::from_utf8_lossy(&body)
                );
                let done = Instant::now();
                if begun >= measured_from && done <= end {
                    times.push((done - begun).as_secs_f64() * 1e6);
                }
            }
            times
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.expect("task"));
    }
    times.sort_by(f64::total_cmp);
    Outcome {
        per_second: times.len() as f64 / measure.as_secs_f64(),
        p50_us: percentile(&times, 0.5),
        p99_us: percentile(&times, 0.99),
        registrations: times.len(),
    }
}

#[cfg(feature = "sqlite")]
#[path = "../tests/common/temp_db.rs"]
mod temp_db;

#[cfg(feature = "sqlite")]
mod sqlite_support {
    use std::sync::Arc;

    use tower_oidc_registration::ClientStore;
    use tower_oidc_registration::store::SqliteStore;

    use crate::temp_db::TempDb;

    pub async fn open() -> (Arc<dyn ClientStore>, TempDb) {
        let db = TempDb::new("bench");
        let store = SqliteStore::open(db.path())
            .await
            .expect("open SQLite store");
        (Arc::new(store), db)
    }
}

#[cfg(feature = "postgres")]
#[path = "common/postgres.rs"]
mod postgres_support;

fn report(name: &str, outcome: &Outcome, memory: Option<f64>) {
    let ratio = memory.map_or_else(
        || "1.00".to_owned(),
        |m| format!("{:.3}", outcome.per_second / m),
    );
    println!(
        "| {name:<10} | {:>10.0} | {ratio:>9} | {:>9.1} µs | {:>9.1} µs | {:>9} |",
        outcome.per_second, outcome.p50_us, outcome.p99_us, outcome.registrations
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (warm_up, measure) = if full {
        (Duration::from_secs(1), Duration::from_secs(5))
    } else {
        (Duration::from_millis(50), Duration::from_millis(200))
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!(
            "stores: {TASKS} concurrent tasks, {:.2} s warm-up, {:.2} s measured, {} worker threads",
            warm_up.as_secs_f64(),
            measure.as_secs_f64(),
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        println!();
        println!(
            "| store      | register/s | vs memory |          p50 |          p99 | completed |"
        );
        println!("|------------|-----------:|----------:|-------------:|-------------:|----------:|");
        let memory = run(Arc::new(MemoryStore::unbounded()), warm_up, measure).await;
        report("memory", &memory, None);
        #[allow(unused_variables)]
        let base = memory.per_second;

        #[cfg(feature = "sqlite")]
        {
            let (store, db) = sqlite_support::open().await;
            let outcome = run(store, warm_up, measure).await;
            report("sqlite", &outcome, Some(base));
            drop(db);
        }

        #[cfg(feature = "postgres")]
        match postgres_support::url() {
            Some(url) => {
                let (store, schema) = postgres_support::open(&url, "stores").await;
                let outcome = run(store.clone(), warm_up, measure).await;
                report("postgres", &outcome, Some(base));
                postgres_support::drop_schema(&store, schema).await;
            }
            _ => println!(
                "(postgres skipped: set {} to measure it)",
                postgres_support::URL_VAR
            ),
        }
    });
}
