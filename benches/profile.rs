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
//! ```
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
    (app::app(config), registry, header)
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
        }
    }
}
