//! Workloads for a profiler: each runs one operation many times inside one function, so that
//! `valgrind --tool=callgrind --toggle-collect=<that function>` counts exactly the work of
//! those operations (instructions, and with `--cache-sim=yes` simulated cache misses) and
//! nothing of the set-up. `benches/profile.sh` runs them and prints the counts per operation.
//!
//! ```text
//! profile pass-through bare|layer|layer-without-extension|axum|axum-layer N
//! profile reads CLIENTS N
//! profile registrations N
//! profile registrations-after CLIENTS N
//! profile token baseline|axum-app|authenticate N
//! profile registration-stalls N
//! ```
//!
//! `registration-stalls` is a measurement rather than a workload: it times each of `N`
//! registrations through the layer in the CPU time of its thread (time the scheduler gives to
//! other processes is not counted; a hypervisor's can be) and counts the page faults each took,
//! then prints the percentiles and the slowest registrations. A stall of the layer's own, such
//! as a store's table doubling, shows as a registration slower by orders of magnitude with
//! thousands of page faults, at the same client counts run after run. Run it alone, ideally
//! under `chrt -f 10` on a busy machine: `profile registration-stalls 1000000` (~30 s).
//!
//! Without arguments (as `cargo test --all-targets` runs it) it does a small run of each.

#[path = "common/mod.rs"]
mod common;

// The token endpoint of `examples/axum_app` and the bare one of `bench_token_baseline`, to
// count what a token request costs in each, without HTTP.
#[path = "../examples/axum_app/app/mod.rs"]
mod app;
#[path = "token_baseline/token.rs"]
mod token_baseline;

use std::convert::Infallible;
use std::hint::black_box;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use tower::{Layer, Service, service_fn};
use tower_oidc_registration::{
    MemoryStore, RegistrationConfig, RegistrationLayer, Registry, Requester,
};

type Body = Full<Bytes>;

async fn inner(_request: Request<Body>) -> Result<Response<Body>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(b"hello"))))
}

fn router() -> axum::Router {
    axum::Router::new().route("/api/data", axum::routing::get(|| async { "hello" }))
}

/// The profiled runs register more clients than the memory store's default bound.
fn config(extension: bool) -> RegistrationConfig {
    RegistrationConfig::builder("https://iam.example.org/")
        .store(MemoryStore::unbounded())
        .registry_in_extensions(extension)
        .build()
        .expect("config")
}

/// Runs a future that never waits (the memory store and these services answer at once) to
/// its end, without a runtime: the profiled functions below are then plain functions that the
/// profiler can name, not state machines inlined into an executor.
fn now<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the profiled operation waited"),
    }
}

/// `n` pass-through requests on one service value (no per-request clone), each built and
/// dropped inside, as `benches/layer.rs` does.
#[inline(never)]
fn profiled_pass_through<S, B>(mut service: S, n: usize)
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
{
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..n {
        assert!(service.poll_ready(&mut cx).is_ready());
        let request = Request::get("/api/data")
            .body(Body::default())
            .expect("request");
        black_box(now(service.call(request)).expect("call"));
    }
}

/// Reads (token verified, record fetched, response rendered) of the clients at `order`.
#[inline(never)]
fn profiled_reads(registry: &Registry, clients: &[(String, String)], order: &[usize]) {
    for &i in order {
        let (id, token) = &clients[i];
        black_box(
            now(registry.read(Requester::registration_access_token(token), id)).expect("read"),
        );
    }
}

fn reads(clients: usize, n: usize) {
    let registry = RegistrationLayer::new(config(true)).registry();
    let mut registered = Vec::with_capacity(clients);
    for i in 0..clients {
        let client = now(registry.register(Requester::host(), common::numbered_seed_request(i)))
            .expect("register");
        let token = client.registration_access_token().expect("token").expose();
        registered.push((client.client_id().to_owned(), token.to_owned()));
    }
    // Random existing clients, the same sequence every run.
    let order = common::random_indices(n, clients);
    profiled_reads(&registry, &registered, &order);
}

/// `n` registrations of the seed's JSON through the layer: the body parsed, checked,
/// validated, stored, and the response rendered.
#[inline(never)]
fn profiled_registrations<S, B>(mut service: S, n: usize)
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
{
    let seed = common::seed_request("https://another.client.example/oidc", "another-client");
    let seed = Bytes::from(serde_json::to_vec(&seed).expect("JSON"));
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..n {
        assert!(service.poll_ready(&mut cx).is_ready());
        let request = Request::post("/register")
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(seed.clone()))
            .expect("request");
        let response = now(service.call(request)).expect("call");
        assert_eq!(response.status(), http::StatusCode::CREATED);
        black_box(response);
    }
}

/// `n` registrations through the [`Registry`] after `clients` were registered: what
/// registering costs in a full store (`benches/scale.rs` times the same).
#[inline(never)]
fn profiled_registrations_after(registry: &Registry, from: usize, n: usize) {
    for i in from..from + n {
        let request = common::numbered_seed_request(i);
        black_box(now(registry.register(Requester::host(), request)).expect("register"));
    }
}

fn registrations_after(clients: usize, n: usize) {
    let registry = RegistrationLayer::new(config(true)).registry();
    for i in 0..clients {
        now(registry.register(Requester::host(), common::numbered_seed_request(i)))
            .expect("register");
    }
    let start = std::time::Instant::now();
    profiled_registrations_after(&registry, clients, n);
    eprintln!(
        "{n} registrations after {clients}: {:.2} µs each",
        start.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}

fn pass_through(variant: &str, n: usize) {
    match variant {
        "bare" => profiled_pass_through(service_fn(inner), n),
        "layer" => {
            let service = RegistrationLayer::new(config(true)).layer(service_fn(inner));
            profiled_pass_through(service, n);
        }
        "layer-without-extension" => {
            let service = RegistrationLayer::new(config(false)).layer(service_fn(inner));
            profiled_pass_through(service, n);
        }
        // An axum `Router` inside: it puts its own values (the original URI, the matched path)
        // into the extensions, so the map that the layer's `Registry` goes into is allocated
        // for every request anyway.
        "axum" => profiled_pass_through(router(), n),
        "axum-layer" => {
            let service = RegistrationLayer::new(config(true)).layer(router());
            profiled_pass_through(service, n);
        }
        other => panic!("unknown pass-through variant {other}"),
    }
}

/// The initial access token `token_endpoint` configures, as `axum_app --initial-access-token`.
const INITIAL_ACCESS_TOKEN: &str = "profile-initial-access-token";

/// `examples/axum_app`'s application as `main.rs` builds it with `--initial-access-token`, the
/// registry over its store, and the `Authorization` value of a `client_credentials` client
/// registered in it.
fn token_endpoint() -> (axum::Router, Registry, String) {
    use base64::Engine as _;
    let config = app::config_builder("http://127.0.0.1:8081/")
        .registration_access(tower_oidc_registration::RegistrationAccess::InitialAccessToken)
        .initial_access_token(INITIAL_ACCESS_TOKEN)
        .build()
        .expect("config");
    // A registry of the same configuration shares its store with the application's.
    let registry = Registry::new(&config);
    let metadata = serde_json::json!({
        "client_name": "profile",
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "client_secret_basic",
    });
    let serde_json::Value::Object(metadata) = metadata else {
        unreachable!("a JSON object literal")
    };
    let client = now(registry.register(Requester::host(), metadata)).expect("register");
    let credentials = format!(
        "{}:{}",
        client.client_id(),
        client.client_secret().expect("a secret").expose()
    );
    let header = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(credentials)
    );
    (app::app(config, app::Options::default()), registry, header)
}

/// `n` token requests (`POST /token`, `grant_type=client_credentials`, `authorization`), each
/// built (with the peer address `axum::serve` adds) and dropped inside, answered `200`.
#[inline(never)]
fn profiled_token<S, B>(mut service: S, authorization: &str, n: usize)
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
{
    let form = Bytes::from_static(b"grant_type=client_credentials");
    let peer = axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 40000)));
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..n {
        assert!(service.poll_ready(&mut cx).is_ready());
        let mut request = Request::post("/token")
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(http::header::AUTHORIZATION, authorization)
            .body(Full::new(form.clone()))
            .expect("request");
        request.extensions_mut().insert(peer);
        let response = now(service.call(request)).expect("call");
        assert_eq!(response.status(), http::StatusCode::OK);
        black_box(response);
    }
}

/// The library's part of a token request: `n` times the `Authorization` value parsed and the
/// client authenticated for `client_credentials`.
#[inline(never)]
fn profiled_authenticate(registry: &Registry, authorization: &str, n: usize) {
    use tower_oidc_registration::ClientCredentials;
    use tower_oidc_registration::metadata::GrantType;
    for _ in 0..n {
        let credentials =
            ClientCredentials::from_basic_authorization(authorization).expect("Basic");
        let grant = GrantType::ClientCredentials;
        black_box(now(registry.authenticate_for_grant(&credentials, grant)).expect("client"));
    }
}

fn token(variant: &str, n: usize) {
    let (app, registry, authorization) = token_endpoint();
    match variant {
        "baseline" => profiled_token(token_baseline::router(), &authorization, n),
        "axum-app" => profiled_token(app, &authorization, n),
        "authenticate" => profiled_authenticate(&registry, &authorization, n),
        other => panic!("unknown token variant {other}"),
    }
}

/// `registration-stalls` (Linux: thread CPU time and page faults).
#[cfg(target_os = "linux")]
mod stalls {
    use super::*;

    /// CPU time of this thread, in nanoseconds.
    fn thread_cpu_ns() -> u64 {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid timespec for the call to write.
        let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
        assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
        now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
    }

    /// Minor page faults of this thread so far.
    fn thread_page_faults() -> i64 {
        // SAFETY: an all-zero rusage is a valid value for the call to overwrite.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `usage` is a valid rusage for the call to write.
        let status = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
        assert_eq!(status, 0, "getrusage(RUSAGE_THREAD)");
        usage.ru_minflt
    }

    /// `n` registrations of the seed's JSON through the layer, each timed in thread CPU time with
    /// its page faults counted; prints the percentiles and the 20 slowest.
    pub fn registration_stalls(n: usize) {
        let mut service = RegistrationLayer::new(config(true)).layer(service_fn(inner));
        let seed = common::seed_request("https://another.client.example/oidc", "another-client");
        let seed = Bytes::from(serde_json::to_vec(&seed).expect("JSON"));
        let mut cx = Context::from_waker(Waker::noop());
        // (CPU ns, page faults) of each registration, allocated before the first.
        let mut costs: Vec<(u64, i64)> = Vec::with_capacity(n);
        for _ in 0..n {
            assert!(service.poll_ready(&mut cx).is_ready());
            let request = Request::post("/register")
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(Full::new(seed.clone()))
                .expect("request");
            let faults = thread_page_faults();
            let start = thread_cpu_ns();
            let response = now(service.call(request)).expect("call");
            let cpu = thread_cpu_ns() - start;
            costs.push((cpu, thread_page_faults() - faults));
            assert_eq!(response.status(), http::StatusCode::CREATED);
            black_box(response);
        }
        let mut sorted: Vec<u64> = costs.iter().map(|&(cpu, _)| cpu).collect();
        sorted.sort_unstable();
        let at = |q: f64| sorted[((n - 1) as f64 * q).round() as usize] as f64 / 1e3;
        println!(
            "{n} registrations, thread CPU time: p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs, \
             p99.99 {:.1} µs, max {:.1} µs",
            at(0.5),
            at(0.99),
            at(0.999),
            at(0.9999),
            at(1.0)
        );
        let over_ms = costs.iter().filter(|&&(cpu, _)| cpu >= 1_000_000).count();
        println!(
            "{over_ms} took 1 ms or more; the slowest (registration number: CPU, page faults):"
        );
        let mut slowest: Vec<usize> = (0..n).collect();
        slowest.sort_unstable_by_key(|&i| std::cmp::Reverse(costs[i].0));
        for &i in slowest.iter().take(20) {
            println!(
                "  #{i}: {:.0} µs, {} page faults",
                costs[i].0 as f64 / 1e3,
                costs[i].1
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize| -> usize {
        args.get(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("argument {i} must be a number"))
    };
    match args.first().map(String::as_str) {
        Some("pass-through") => pass_through(&args[1], number(2)),
        Some("reads") => reads(number(1), number(2)),
        #[cfg(target_os = "linux")]
        Some("registration-stalls") => stalls::registration_stalls(number(1)),
        Some("registrations-after") => registrations_after(number(1), number(2)),
        Some("token") => token(&args[1], number(2)),
        Some("registrations") => profiled_registrations(
            RegistrationLayer::new(config(true)).layer(service_fn(inner)),
            number(1),
        ),
        // `cargo bench` passes `--bench`; `cargo test` passes nothing: a smoke run.
        _ => {
            for variant in [
                "bare",
                "layer",
                "layer-without-extension",
                "axum",
                "axum-layer",
            ] {
                pass_through(variant, 100);
            }
            reads(100, 100);
            profiled_registrations(
                RegistrationLayer::new(config(true)).layer(service_fn(inner)),
                10,
            );
            registrations_after(10, 10);
            for variant in ["baseline", "axum-app", "authenticate"] {
                token(variant, 10);
            }
            #[cfg(target_os = "linux")]
            stalls::registration_stalls(10);
        }
    }
}
