//! The ceiling of the HTTP load benchmark (`benches/http_load.sh`): a bare hyper 1 server that
//! answers like the registration endpoint and does nothing else.
//!
//! It serves as `examples/hyper_standalone` does (`server.rs` here copies its setup: HTTP/1,
//! the same limits and timeouts, `TCP_NODELAY`; the same allocator, mimalloc), and:
//!
//! - `POST /register`: collects the body (at most 64 KiB, the layer's default), parses it as
//!   JSON, and answers `201` with a registration-sized body: the members `hyper_standalone`
//!   returns to the seed's request (`client_id`, an 86-character `client_secret`, the two
//!   timestamps, a JWT-sized `registration_access_token`, `registration_client_uri`), then the
//!   request's members echoed, then the two defaults the layer echoes when absent;
//! - `GET /register/{id}`: answers `200` with the same members for that id and the seed's
//!   metadata;
//! - anything else: `GET /` 200, the rest 404, as the example's fallback.
//!
//! No validation, no store, no random numbers, no signature: whatever is built on hyper here
//! can at best match it.
//!
//! ```text
//! cargo run --release --example bench_baseline -- --addr 127.0.0.1:0
//! ```
//!
//! Like `hyper_standalone`, it prints exactly one line on stdout, `listening on http://ADDR`.
//! A benchmark fixture, not an example to copy: an `[[example]]` of the library's package
//! (built with its dev-dependencies) whose source lives with the benchmark it serves.

mod server;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::net::TcpListener;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The example's allocator (`examples/hyper_standalone/main.rs`): the two servers differ by the
/// registration layer alone.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The request body limit of the registration layer's default configuration.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// 86 characters, as the layer's (512 random bits, base64url).
const CLIENT_SECRET: &str =
    "R4u3v-SUqKX1XTFQbGGr-S5qcOAA8JrLT0xAOHYZl1Up65ChHYNsl-8y6gv7qJLaxVI5Z6UXBmSkwSDZLtAAWw";

/// An HS256 JWT with the claims the layer signs (`aud`, `iss`, `iat`, `jti`) for a client on
/// a loopback issuer: the size of the layer's token (290 characters).
const REGISTRATION_ACCESS_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImhzLUZBN2o2N2pNWFd3ZmZYLWQifQ.eyJhdWQiOiI1MjZiYTk5Ni0yNGU2LTRiYmUtYjg4OS0xZGFiYWE1M2I2MTIiLCJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjQyMzg5LyIsImlhdCI6MTc5NTY3MjgxMSwianRpIjoiY2U0NjljZDMtYTk2ZS00OGVjLWFlNDItZGNmMzRkM2MxMzQxIn0.L_JO9zoKqENT_wm9Cm_szkemGX-4mWBMWdAfdeK6IxI";

/// The seed's request (the INDIGO IAM template): the metadata a read returns.
const SEED_METADATA: &str = r#"{
  "redirect_uris": ["https://another.client.example/oidc"],
  "client_name": "another-example-client",
  "contacts": ["test@iam.test"],
  "token_endpoint_auth_method": "client_secret_basic",
  "scope": "address phone openid email profile offline_access",
  "grant_types": ["refresh_token", "authorization_code"],
  "response_types": ["code"],
  "application_type": "web",
  "id_token_signed_response_alg": "RS256"
}"#;

/// What every request shares.
struct State {
    /// `http://ADDR/register`.
    endpoint: String,
    seed_metadata: Map<String, Value>,
    /// Numbers the client ids.
    next_id: AtomicU64,
}

/// The body of a `201` or `200`, in the layer's order of members.
#[derive(Serialize)]
struct Registration<'a> {
    client_id: &'a str,
    client_secret: &'static str,
    client_secret_expires_at: u64,
    client_id_issued_at: u64,
    registration_access_token: &'a str,
    registration_client_uri: String,
    #[serde(flatten)]
    metadata: &'a Map<String, Value>,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench_baseline: error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `--addr ADDR` (default `127.0.0.1:8081`; port 0 picks a free port), the one flag.
fn addr() -> Result<SocketAddr, BoxError> {
    let mut args = std::env::args().skip(1);
    let addr = match (args.next().as_deref(), args.next(), args.next()) {
        (None, _, _) => "127.0.0.1:8081".to_owned(),
        (Some("--addr"), Some(addr), None) => addr,
        _ => return Err("usage: bench_baseline [--addr ADDR]".into()),
    };
    addr.parse()
        .map_err(|e| format!("--addr {addr}: {e}").into())
}

async fn run() -> Result<(), BoxError> {
    let addr = addr()?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let Value::Object(seed_metadata) = serde_json::from_str(SEED_METADATA)? else {
        return Err("the seed's metadata is not a JSON object".into());
    };
    let state = Arc::new(State {
        endpoint: format!("http://{local}/register"),
        seed_metadata,
        next_id: AtomicU64::new(1),
    });
    println!("listening on http://{local}");
    server::serve(listener, move |request: Request<Incoming>| {
        let state = Arc::clone(&state);
        async move {
            match (request.method(), request.uri().path()) {
                (&Method::POST, "/register") => register(&state, request).await,
                (&Method::GET, path) if is_client_path(path) => read(&state, request),
                (&Method::GET | &Method::HEAD, "/") => text(StatusCode::OK, HOME),
                _ => text(StatusCode::NOT_FOUND, "not found\n"),
            }
        }
    })
    .await;
    Ok(())
}

const HOME: &str = "tower-oidc-registration HTTP load benchmark baseline\n";

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// `/register/{id}`, with one non-empty segment for the id.
fn is_client_path(path: &str) -> bool {
    path.strip_prefix("/register/")
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// `POST /register`: parse, answer 201 with the request's members echoed.
async fn register(state: &State, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let body = match Limited::new(request.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(body) => body.to_bytes(),
        Err(_) => return error(StatusCode::PAYLOAD_TOO_LARGE, "invalid_request"),
    };
    let Ok(Value::Object(mut metadata)) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "invalid_client_metadata");
    };
    // The defaults the layer echoes (RFC 7591 §3.2.1).
    for (name, default) in [
        ("application_type", "web"),
        ("id_token_signed_response_alg", "RS256"),
    ] {
        metadata.entry(name).or_insert_with(|| Value::from(default));
    }
    let n = state.next_id.fetch_add(1, Ordering::Relaxed);
    let client_id = format!("00000000-0000-4000-8000-{n:012x}");
    json(
        StatusCode::CREATED,
        &registration(state, &client_id, REGISTRATION_ACCESS_TOKEN, &metadata),
    )
}

/// `GET /register/{id}`: answer 200 with the seed's metadata for that id and the presented
/// token (no check).
fn read(state: &State, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let client_id = &request.uri().path()["/register/".len()..];
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or(REGISTRATION_ACCESS_TOKEN);
    json(
        StatusCode::OK,
        &registration(state, client_id, token, &state.seed_metadata),
    )
}

fn registration<'a>(
    state: &State,
    client_id: &'a str,
    token: &'a str,
    metadata: &'a Map<String, Value>,
) -> Registration<'a> {
    Registration {
        client_id,
        client_secret: CLIENT_SECRET,
        client_secret_expires_at: 0,
        client_id_issued_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs()),
        registration_access_token: token,
        registration_client_uri: format!("{}/{client_id}", state.endpoint),
        metadata,
    }
}

fn error(status: StatusCode, code: &'static str) -> Response<Full<Bytes>> {
    json(status, &serde_json::json!({ "error": code }))
}

/// A JSON response with the registration endpoint's headers.
fn json(status: StatusCode, body: &impl Serialize) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(body).expect("serializing to memory cannot fail");
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}
