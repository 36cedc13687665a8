//! Scale: 1,000,000 clients in the memory store. Reports resident memory per client beyond
//! its metadata JSON, and register / read latency at 1k, 100k and 1M clients.
//!
//! `cargo bench --bench scale` (release; about a minute and ~2 GiB of memory). Without
//! `--bench` (as `cargo test --all-targets` runs it) it does a 1,000-client smoke run.

#[path = "common/mod.rs"]
mod common;

use std::time::Instant;

use tower_oidc_registration::{
    MemoryStore, RegistrationConfig, RegistrationLayer, Registry, Requester,
};

/// Operations timed at each checkpoint.
const SAMPLES: usize = 20_000;

/// Resident set size of this process, in bytes (Linux).
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// p50 and p99 in microseconds of `op` over every input. Each input is prepared (copied
/// into fresh buffers, as a request's bytes arrive) before its timer starts, so the
/// benchmark's own bookkeeping is not measured.
async fn latency<I, F, Fut>(inputs: Vec<I>, mut op: F) -> (f64, f64)
where
    F: FnMut(I) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(inputs.len());
    for input in inputs {
        let future = op(input);
        let start = Instant::now();
        future.await;
        times.push(start.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

struct Checkpoint {
    clients: usize,
    register: (f64, f64),
    read: (f64, f64),
    lookup: (f64, f64),
}

async fn measure(registry: &Registry, ids: &[(String, String)], next: &mut usize) -> Checkpoint {
    let clients = ids.len();
    let samples = SAMPLES.min(clients);
    // Reads of random existing clients, the same sequence every run.
    let reads = common::random_indices(samples, clients);
    let lookup = latency(reads.clone(), |i| {
        let id = ids[i].0.clone();
        async move {
            registry.lookup(&id).await.expect("lookup");
        }
    })
    .await;
    let read = latency(reads, |i| {
        let (id, token) = (ids[i].0.clone(), ids[i].1.clone());
        async move {
            registry
                .read(Requester::registration_access_token(&token), &id)
                .await
                .expect("read");
        }
    })
    .await;
    let start = *next;
    *next += samples;
    let requests: Vec<usize> = (start..start + samples).collect();
    let register = latency(requests, |i| {
        let request = common::numbered_seed_request(i);
        async move {
            registry
                .register(Requester::host(), request)
                .await
                .expect("register");
        }
    })
    .await;
    Checkpoint {
        clients,
        register,
        read,
        lookup,
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let target = if full { 1_000_000 } else { 1_000 };
    let checkpoints: Vec<usize> = [1_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|c| *c <= target)
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // A million clients: far past the memory store's default bound.
        let config = RegistrationConfig::builder("https://iam.example.org/")
            .store(MemoryStore::unbounded())
            .build()
            .expect("config");
        let registry = RegistrationLayer::new(config).registry();
        let mut ids: Vec<(String, String)> = Vec::with_capacity(target);
        let mut extra = 10_000_000; // request numbers used by the timed registrations
        let mut results = Vec::new();
        let mut json_bytes = 0usize;
        // The id/token list the benchmark keeps is not the store's memory: reserve it first.
        let rss_start = rss_bytes();
        let started = Instant::now();
        for checkpoint in &checkpoints {
            while ids.len() < *checkpoint {
                let client = registry
                    .register(Requester::host(), common::numbered_seed_request(ids.len()))
                    .await
                    .expect("register");
                json_bytes += client.record().metadata().as_str().len();
                ids.push((
                    client.client_id().to_owned(),
                    client
                        .registration_access_token()
                        .expect("token")
                        .expose()
                        .to_owned(),
                ));
            }
            let rss = rss_bytes().saturating_sub(rss_start);
            results.push((rss, measure(&registry, &ids, &mut extra).await));
        }
        let n = ids.len() as f64;
        // The benchmark's own list: two Strings (24 B each) plus their heap bytes per client.
        let own: usize = ids
            .iter()
            .map(|(id, t)| 48 + id.capacity() + t.capacity())
            .sum();
        let (rss, _) = results.last().expect("a checkpoint");
        let store_bytes = *rss as f64 - own as f64;
        let per_client = store_bytes / n;
        let json_per_client = json_bytes as f64 / n;
        println!(
            "scale: {} clients registered in {:.1} s",
            ids.len(),
            started.elapsed().as_secs_f64()
        );
        println!(
            "memory: {per_client:.0} B resident per client; metadata JSON {json_per_client:.0} B; \
             beyond the JSON {:.0} B",
            per_client - json_per_client
        );
        println!(
            "| clients | register p50 | register p99 | read p50 | read p99 | store lookup p50 |"
        );
        println!("|---|---|---|---|---|---|");
        for (_, c) in &results {
            println!(
                "| {} | {:.1} µs | {:.1} µs | {:.1} µs | {:.1} µs | {:.2} µs |",
                c.clients, c.register.0, c.register.1, c.read.0, c.read.1, c.lookup.0
            );
        }
        if let (Some((_, first)), Some((_, last))) = (results.first(), results.last()) {
            println!(
                "ratio at {} vs {} clients: register p50 {:.2}x, read p50 {:.2}x",
                last.clients,
                first.clients,
                last.register.0 / first.register.0,
                last.read.0 / first.read.0
            );
        }
    });
}
