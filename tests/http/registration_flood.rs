//! A registration flood against the example server (`examples/hyper_standalone`, the binary, as
//! it runs by default: rate limited), over real sockets on 127.0.0.1: a client at 127.0.0.2
//! registering as fast as it can, with metadata near the limits (some 56 KiB each), gets `429`
//! for all but its burst and the sustained rate, and the server's resident memory stays flat,
//! while a well-behaved client at 127.0.0.3 still registers every time.
//!
//! Without the limits the same flood stores thousands of clients: the server grew from 8 MB to
//! 189 MB for 3,000 of them.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::seed_walkthrough::Server;

/// How long the abusive client floods.
const FLOOD: Duration = Duration::from_secs(6);
/// Its concurrent request loops.
const ABUSIVE_LOOPS: usize = 4;
/// Registrations of the well-behaved client during the flood, at even intervals.
const WELL_BEHAVED: usize = 5;
/// How much the server's resident memory may grow over the flood. The abuser is admitted its
/// burst (10) and the sustained rate (20 a minute): a dozen clients of 56 KiB, under 1 MB; the
/// rest is the allocator's and the runtime's slack for some thousands of refused requests.
/// Without a limit, the flood's clients alone would take hundreds of MB.
const RSS_GROWTH_BOUND_KB: u64 = 16 * 1024;
/// The example's default limit per address: 10 at once, then 20 a minute.
const ADDRESS_BURST: usize = 10;
const ADDRESS_PER_MINUTE: f64 = 20.0;

/// Metadata near the default limits: 28 redirect URIs of 2,000 bytes, some 56 KiB as stored.
fn heavy_metadata() -> Value {
    let uris: Vec<String> = (0..28)
        .map(|i| format!("https://rp.example.org/cb/{i}/{}", "a".repeat(1_970)))
        .collect();
    json!({"redirect_uris": uris, "client_name": "flood"})
}

/// The resident set size of process `pid`, in kB (`VmRSS` of `/proc/<pid>/status`).
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

/// An HTTP client whose connections leave from `local`.
fn client_from(local: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(local))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("an HTTP client")
}

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// A client flooding the registration endpoint is refused with 429 past its limit and the
/// server's memory stays flat, while another client still registers every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_registration_flood_is_refused_and_memory_stays_flat_for_other_clients() {
    if !cfg!(target_os = "linux") {
        crate::common::skip("registration_flood: reads /proc and binds 127.0.0.2, Linux only");
        return;
    }
    let server = Server::start_with(&[]);
    let url = format!("http://{}/register", server.authority());
    let pid = server.pid();
    let body = heavy_metadata();
    let good = client_from(Ipv4Addr::new(127, 0, 0, 3));
    let register = |client: &reqwest::Client| client.post(&url).json(&body).send();

    // Warm up: the first registration, the server's buffers and runtime in place.
    let first = register(&good).await.expect("the first registration");
    assert_eq!(first.status(), reqwest::StatusCode::CREATED);
    let baseline = rss_kb(pid);

    let (created, refused, reset, unexpected) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(std::sync::Mutex::new(Vec::<reqwest::StatusCode>::new())),
    );
    let started = Instant::now();
    let flood: Vec<_> = (0..ABUSIVE_LOOPS)
        .map(|_| {
            let abuser = client_from(Ipv4Addr::new(127, 0, 0, 2));
            let (url, body) = (url.clone(), body.clone());
            let (created, refused, reset, unexpected) = (
                Arc::clone(&created),
                Arc::clone(&refused),
                Arc::clone(&reset),
                Arc::clone(&unexpected),
            );
            tokio::spawn(async move {
                while started.elapsed() < FLOOD {
                    let counter = match abuser.post(&url).json(&body).send().await {
                        Ok(r) if r.status() == reqwest::StatusCode::CREATED => &created,
                        Ok(r) if r.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => &refused,
                        Ok(r) => {
                            unexpected.lock().expect("lock").push(r.status());
                            continue;
                        }
                        // The server answers a refused request without reading its body and
                        // closes the connection: a client still sending it may see the reset
                        // before the 429.
                        Err(_) => &reset,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    // Meanwhile: the well-behaved client registers now and then, and the memory is sampled.
    let mut peak = baseline;
    let mut good_results = Vec::new();
    let spacing = FLOOD / (WELL_BEHAVED as u32 + 1);
    while started.elapsed() < FLOOD {
        peak = peak.max(rss_kb(pid));
        let due = spacing * (good_results.len() as u32 + 1);
        if good_results.len() < WELL_BEHAVED && started.elapsed() >= due {
            let resp = register(&good).await.expect("a well-behaved registration");
            good_results.push(resp.status());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for task in flood {
        task.await.expect("join");
    }
    peak = peak.max(rss_kb(pid));
    let elapsed = started.elapsed();
    let (created, refused, reset) = (
        created.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed),
        reset.load(Ordering::Relaxed),
    );
    let unexpected = unexpected.lock().expect("lock").clone();
    println!(
        "flood: {elapsed:?}, abuser {created} registered, {refused} refused (429), {reset} \
         connections reset, other statuses {unexpected:?}; well-behaved {good_results:?}; RSS \
         {baseline} kB -> peak {peak} kB"
    );

    assert_eq!(
        unexpected,
        Vec::<reqwest::StatusCode>::new(),
        "the flood got answers other than 201 and 429"
    );
    assert!(
        reset < refused,
        "most refusals must reach the client: {refused} 429s, {reset} connections reset"
    );

    assert!(
        refused > 10 * created,
        "the abusive client was not limited: {created} registrations, {refused} refused"
    );
    let admissible =
        ADDRESS_BURST + (elapsed.as_secs_f64() * ADDRESS_PER_MINUTE / 60.0).ceil() as usize;
    assert!(
        created <= admissible,
        "the abusive client registered {created} clients, more than the {admissible} its limit admits"
    );
    assert_eq!(
        good_results,
        vec![reqwest::StatusCode::CREATED; WELL_BEHAVED],
        "the well-behaved client was refused"
    );
    assert!(
        peak.saturating_sub(baseline) <= RSS_GROWTH_BOUND_KB,
        "the server grew from {baseline} kB to {peak} kB under the flood"
    );
}
