//! The layer in process, through `tower::ServiceExt::oneshot`, with the memory store and the
//! default configuration: what it adds to requests it passes through, and what each
//! registration operation costs.
//!
//! `cargo bench --bench layer`; compare within one run.

#[path = "common/mod.rs"]
mod common;

use std::convert::Infallible;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};
use tower::{Layer, Service, ServiceExt, service_fn};
use tower_oidc_registration::{MemoryStore, RegistrationConfig, RegistrationLayer};

type Body = Full<Bytes>;

async fn inner(_request: Request<Body>) -> Result<Response<Body>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(b"hello"))))
}

fn get(path: &str, token: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::default()).expect("request")
}

fn json_request(method: &str, path: &str, token: Option<&str>, body: Bytes) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Full::new(body)).expect("request")
}

/// Sends a request and returns the status and the collected body.
async fn call<S>(service: &S, request: Request<Body>) -> (StatusCode, Bytes)
where
    S: Service<Request<Body>, Response = Response<tower_oidc_registration::ResponseBody<Body>>>
        + Clone,
    S::Error: std::fmt::Debug,
{
    let response = service.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, bytes)
}

/// `iters` pass-through requests on one service value, without cloning it per request.
async fn call_in_place<S, B>(mut service: S, iters: u64) -> std::time::Duration
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
{
    let start = std::time::Instant::now();
    for _ in 0..iters {
        std::future::poll_fn(|cx| service.poll_ready(cx))
            .await
            .expect("ready");
        let response = service.call(get("/api/data", None)).await.expect("call");
        std::hint::black_box(response);
    }
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    // Criterion registers as many clients as it takes to measure: more than the memory
    // store's default bound.
    let config = RegistrationConfig::builder("https://iam.example.org/")
        .store(MemoryStore::unbounded())
        .build()
        .expect("config");
    let bare = service_fn(inner);
    let layered = RegistrationLayer::new(config).layer(service_fn(inner));
    let seed = Bytes::from_static(common::SEED.as_bytes());

    let mut group = c.benchmark_group("pass_through");
    group.bench_function("bare_inner_service", |b| {
        b.to_async(&runtime)
            .iter(|| async { bare.oneshot(get("/api/data", None)).await })
    });
    group.bench_function("through_the_layer", |b| {
        b.to_async(&runtime)
            .iter(|| async { layered.clone().oneshot(get("/api/data", None)).await })
    });
    let without_extension = RegistrationLayer::new(
        RegistrationConfig::builder("https://iam.example.org/")
            .registry_in_extensions(false)
            .build()
            .expect("config"),
    )
    .layer(service_fn(inner));
    group.bench_function("through_the_layer_without_registry_extension", |b| {
        b.to_async(&runtime).iter(|| async {
            without_extension
                .clone()
                .oneshot(get("/api/data", None))
                .await
        })
    });
    // hyper and axum clone the service for each request, as above; this isolates the routing
    // decision and the response wrapping from the clone of the layer's shared state.
    group.bench_function("bare_inner_service_no_clone", |b| {
        b.to_async(&runtime)
            .iter_custom(|iters| call_in_place(bare, iters))
    });
    group.bench_function("through_the_layer_no_clone", |b| {
        b.to_async(&runtime)
            .iter_custom(|iters| call_in_place(layered.clone(), iters))
    });
    group.finish();

    let register = || async {
        let (status, body) = call(
            &layered,
            json_request("POST", "/register", None, seed.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let body: Value = serde_json::from_slice(&body).expect("JSON");
        let id = body["client_id"].as_str().expect("client_id").to_owned();
        let token = body["registration_access_token"]
            .as_str()
            .expect("token")
            .to_owned();
        let mut update: Value = serde_json::from_slice(&seed).expect("seed");
        update["client_id"] = json!(id);
        update["client_name"] = json!("renamed");
        (id, token, Bytes::from(update.to_string()))
    };

    let mut group = c.benchmark_group("registration");
    group.bench_function("register", |b| {
        b.to_async(&runtime).iter(|| async {
            call(
                &layered,
                json_request("POST", "/register", None, seed.clone()),
            )
            .await
        })
    });
    let (id, token, update) = runtime.block_on(register());
    let path = format!("/register/{id}");
    group.bench_function("read", |b| {
        b.to_async(&runtime)
            .iter(|| async { call(&layered, get(&path, Some(&token))).await })
    });
    group.bench_function("update", |b| {
        b.to_async(&runtime).iter(|| async {
            call(
                &layered,
                json_request("PUT", &path, Some(&token), update.clone()),
            )
            .await
        })
    });
    group.bench_function("delete", |b| {
        // Each iteration needs a client of its own: register them before the timer starts.
        b.to_async(&runtime).iter_custom(|iters| {
            let layered = &layered;
            let register = &register;
            async move {
                let mut clients = Vec::new();
                for _ in 0..iters {
                    clients.push(register().await);
                }
                let start = std::time::Instant::now();
                for (id, token, _) in clients {
                    let request = Request::delete(format!("/register/{id}"))
                        .header(header::AUTHORIZATION, format!("Bearer {token}"))
                        .body(Body::default())
                        .expect("request");
                    let (status, _) = call(layered, request).await;
                    assert_eq!(status, StatusCode::NO_CONTENT);
                }
                start.elapsed()
            }
        })
    });
    group.bench_function("register_read_update_delete", |b| {
        b.to_async(&runtime).iter(|| async {
            let (id, token, update) = register().await;
            let path = format!("/register/{id}");
            call(&layered, get(&path, Some(&token))).await;
            call(&layered, json_request("PUT", &path, Some(&token), update)).await;
            let request = Request::delete(path)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::default())
                .expect("request");
            let (status, _) = call(&layered, request).await;
            assert_eq!(status, StatusCode::NO_CONTENT);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
