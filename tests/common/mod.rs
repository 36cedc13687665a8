//! Shared helpers for the integration tests: a registration layer around a recording
//! inner service, request builders, and assertions for RFC-shaped responses.
//!
//! Every request goes through `RegistrationLayer::new(config).layer(inner)`, one `poll_ready`
//! and one `call` (what `tower::ServiceExt::oneshot` does), exactly as a user of the crate would
//! drive it. [`host`] is the harness of the host integration tests on top of these.
//!
//! Every response of the layer that [`send`] sees is checked against the OpenAPI contract
//! (`openapi.yaml`, see [`contract`]): a test passing through these helpers fails if the layer
//! answers anything the contract does not document.

#![allow(dead_code)]

pub mod captured;
pub mod contract;
pub mod example;
pub mod faulty_store;
pub mod host;
pub mod policies;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod server;
pub mod temp_db;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode, header};
use http_body::{Body, Frame};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};
use tower::util::BoxCloneService;
use tower::{Layer, Service, service_fn};
use tower_oidc_registration::{
    RegistrationConfig, RegistrationConfigBuilder, RegistrationLayer, ResponseBody,
};

/// The issuer of every test server.
pub const ISSUER: &str = "https://iam.example.org/";
/// `registration_client_uri` of a client is this followed by its `client_id`.
pub const CLIENT_URI_BASE: &str = "https://iam.example.org/register/";
/// The one redirect URI of [`min`].
pub const REDIRECT: &str = "https://rp.example.org/cb";

/// The error type of request bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// The request body type of every test request (a full body or a streamed one).
pub type TestBody = BoxBody<Bytes, BoxError>;
/// The service under test.
pub type Svc = BoxCloneService<Request<TestBody>, Response<ResponseBody<Full<Bytes>>>, Infallible>;

/// The minimal registration request: `{"redirect_uris":["https://rp.example.org/cb"],"client_name":"t"}`.
pub fn min() -> Value {
    json!({"redirect_uris": [REDIRECT], "client_name": "t"})
}

/// Whether this runs under CI (`CI` set, and not to `false` or `0`): CI never skips a test.
/// The one definition every test uses (through [`skip`], mostly).
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A test that cannot run here says so, `SKIPPED: {reason}` on stderr, and the caller
/// returns; under CI ([`under_ci`]) it fails instead: CI never skips a test. The line goes
/// straight to stderr, as libtest captures `eprintln!` of passing tests and a skip must show.
#[track_caller]
pub fn skip(reason: &str) {
    assert!(
        !under_ci(),
        "CI is set, and this test would be skipped: {reason}"
    );
    let _ = std::io::Write::write_fmt(&mut std::io::stderr(), format_args!("SKIPPED: {reason}\n"));
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// A full request body.
pub fn full(bytes: impl Into<Bytes>) -> TestBody {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// A request body delivered in `chunks`, of unknown length (no size hint, no Content-Length).
pub fn streamed(chunks: Vec<Bytes>) -> TestBody {
    ChunkedBody {
        chunks: chunks.into(),
    }
    .boxed()
}

struct ChunkedBody {
    chunks: VecDeque<Bytes>,
}

impl Body for ChunkedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Poll::Ready(self.chunks.pop_front().map(|c| Ok(Frame::data(c))))
    }
}

/// What the inner service saw: one `(method, path, body)` per request that reached it.
pub type Seen = Arc<Mutex<Vec<(Method, String, Bytes)>>>;

/// The layer under test around a recording inner service.
#[derive(Clone)]
pub struct App {
    svc: Svc,
    seen: Seen,
}

/// A response, body collected.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    /// The body as JSON; panics with the body text if it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): status {} body {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// A header as a string, if present.
    pub fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header value"))
    }

    /// The body as text, for assertion messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client registered through the layer.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub token: String,
    /// The whole 201 body.
    pub body: Value,
}

impl Client {
    /// The path of the client configuration endpoint under the default prefix.
    pub fn path(&self) -> String {
        format!("/register/{}", self.id)
    }

    /// The client's secret, if it has one.
    pub fn secret(&self) -> Option<String> {
        self.body["client_secret"].as_str().map(str::to_owned)
    }
}

impl App {
    /// The layer with the default configuration for [`ISSUER`].
    pub fn new() -> Self {
        Self::with(|b| b)
    }

    /// The layer with a configuration adjusted by `f`.
    pub fn with(f: impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder) -> Self {
        let config = f(RegistrationConfig::builder(ISSUER))
            .build()
            .expect("valid test configuration");
        Self::from_config(config)
    }

    /// The layer with `config`.
    pub fn from_config(config: RegistrationConfig) -> Self {
        contract::register_prefix(config.prefix());
        let seen: Seen = Arc::default();
        let recorder = Arc::clone(&seen);
        let inner = service_fn(move |req: Request<TestBody>| {
            let recorder = Arc::clone(&recorder);
            async move {
                let (parts, body) = req.into_parts();
                let bytes = body
                    .collect()
                    .await
                    .expect("inner service reads the body")
                    .to_bytes();
                recorder.lock().expect("lock").push((
                    parts.method.clone(),
                    parts.uri.path().to_owned(),
                    bytes.clone(),
                ));
                let text = format!("inner {} {}", parts.method, parts.uri.path());
                let response = Response::builder()
                    .status(StatusCode::IM_A_TEAPOT)
                    .body(Full::new(Bytes::from(text)))
                    .expect("response");
                Ok::<_, Infallible>(contract::mark_inner(response))
            }
        });
        let svc = RegistrationLayer::new(config).layer(inner);
        Self {
            svc: BoxCloneService::new(svc),
            seen,
        }
    }

    /// Every request the inner service received so far.
    pub fn seen(&self) -> Vec<(Method, String, Bytes)> {
        self.seen.lock().expect("lock").clone()
    }

    /// Sends one request through a clone of the service.
    pub async fn send(&self, request: Request<TestBody>) -> Resp {
        send(&self.svc, request).await
    }

    /// `POST path` with a JSON body and `Content-Type: application/json`.
    pub async fn post_json(&self, path: &str, body: &Value) -> Resp {
        let bytes = serde_json::to_vec(body).expect("serialize");
        self.post_raw(path, Some("application/json"), bytes).await
    }

    /// `POST path` with raw bytes, a Content-Length, and the given Content-Type (if any).
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Bytes>,
    ) -> Resp {
        let body = body.into();
        let mut builder = Request::post(path).header(header::CONTENT_LENGTH, body.len());
        if let Some(ct) = content_type {
            builder = builder.header(header::CONTENT_TYPE, ct);
        }
        self.send(builder.body(full(body)).expect("request")).await
    }

    /// `POST /register` with `body`.
    pub async fn register_raw(&self, body: &Value) -> Resp {
        self.post_json("/register", body).await
    }

    /// Registers `body` at `/register` and asserts a 201 with credentials.
    pub async fn register(&self, body: &Value) -> Client {
        created_client(&self.register_raw(body).await, body)
    }

    /// `GET path` with `Authorization: Bearer token` (no Authorization when `None`).
    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(
            with_bearer(Request::get(path), token)
                .body(full(Bytes::new()))
                .expect("request"),
        )
        .await
    }

    /// `DELETE path` with `Authorization: Bearer token` (no Authorization when `None`).
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(
            with_bearer(Request::delete(path), token)
                .body(full(Bytes::new()))
                .expect("request"),
        )
        .await
    }

    /// `PUT path` with a JSON body and `Authorization: Bearer token` (none when `None`).
    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        let bytes = serde_json::to_vec(body).expect("serialize");
        self.send(
            with_bearer(Request::put(path), token)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::CONTENT_LENGTH, bytes.len())
                .body(full(bytes))
                .expect("request"),
        )
        .await
    }

    /// `PUT` of `metadata` as `client`'s update (its `client_id` added), with its own token.
    pub async fn update(&self, client: &Client, metadata: &Value) -> Resp {
        self.put(
            &client.path(),
            Some(&client.token),
            &update_body(client, metadata),
        )
        .await
    }

    /// `body` sent both ways metadata arrives: registered (POST), and as the update (PUT) of a
    /// fresh client registered with [`min`]. Returns the POST response, that client and the PUT
    /// response.
    pub async fn post_and_put(&self, body: &Value) -> (Resp, Client, Resp) {
        let posted = self.register_raw(body).await;
        let client = self.register(&min()).await;
        let put = self.update(&client, body).await;
        (posted, client, put)
    }

    /// Asserts that `client` still reads (GET) exactly as registered: a refused update changed
    /// nothing.
    pub async fn assert_unchanged(&self, client: &Client) {
        let after = self.get(&client.path(), Some(&client.token)).await;
        assert_eq!(after.status, StatusCode::OK, "{}", after.text());
        assert_eq!(
            after.json(),
            client.body,
            "a rejected PUT changed the client"
        );
    }

    /// A request with any method, an optional raw `Authorization` value and an empty body.
    pub async fn method(&self, method: Method, path: &str, authorization: Option<&str>) -> Resp {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(a) = authorization {
            builder = builder.header(header::AUTHORIZATION, a);
        }
        self.send(builder.body(full(Bytes::new())).expect("request"))
            .await
    }
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

/// Sends `request` through a clone of `svc` and collects the response, as a boxed `Send`
/// future: proving `Send` here, with concrete types, sidesteps a higher-ranked lifetime error
/// of `tokio::spawn` with `oneshot`. The response is checked against the OpenAPI contract.
pub fn send(svc: &Svc, request: Request<TestBody>) -> Pin<Box<dyn Future<Output = Resp> + Send>> {
    let mut svc = svc.clone();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    Box::pin(async move {
        std::future::poll_fn(|cx| svc.poll_ready(cx))
            .await
            .unwrap_or_else(|never| match never {});
        let response = svc
            .call(request)
            .await
            .unwrap_or_else(|never| match never {});
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .unwrap_or_else(|never| match never {})
            .to_bytes();
        contract::check_response(&method, &path, parts.status, &parts.headers, &body);
        Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    })
}

/// The client of the response to a registration of `body`, after asserting a 201.
#[track_caller]
pub fn created_client(resp: &Resp, body: &Value) -> Client {
    assert_eq!(
        resp.status,
        StatusCode::CREATED,
        "registration of {body} failed: {}",
        resp.text()
    );
    let json = resp.json();
    let id = json["client_id"]
        .as_str()
        .expect("client_id is a string")
        .to_owned();
    let token = json["registration_access_token"]
        .as_str()
        .expect("registration_access_token is a string")
        .to_owned();
    Client {
        id,
        token,
        body: json,
    }
}

fn with_bearer(builder: http::request::Builder, token: Option<&str>) -> http::request::Builder {
    match token {
        Some(t) => builder.header(header::AUTHORIZATION, format!("Bearer {t}")),
        None => builder,
    }
}

/// The body of a PUT that replaces `client`'s metadata with `metadata`, carrying its
/// `client_id` (and nothing else server-issued).
pub fn update_body(client: &Client, metadata: &Value) -> Value {
    let mut body = metadata.clone();
    body["client_id"] = json!(client.id);
    body
}

/// Whether the `Content-Type` is `application/json` (parameters allowed).
#[track_caller]
pub fn assert_json_content_type(resp: &Resp) {
    let ct = resp
        .header(header::CONTENT_TYPE)
        .unwrap_or_else(|| panic!("no Content-Type: {resp:?}"));
    let essence = ct.split(';').next().unwrap_or("").trim();
    assert!(
        essence.eq_ignore_ascii_case("application/json"),
        "Content-Type {ct:?} is not application/json"
    );
}

/// `Cache-Control: no-store` and `Pragma: no-cache` (RFC 7591 §3.2.1, RFC 6749 §5.1).
#[track_caller]
pub fn assert_no_store(resp: &Resp) {
    let cc = resp
        .header(header::CACHE_CONTROL)
        .unwrap_or_else(|| panic!("no Cache-Control on {} {}", resp.status, resp.text()));
    assert!(
        cc.split(',')
            .any(|d| d.trim().eq_ignore_ascii_case("no-store")),
        "Cache-Control {cc:?} lacks no-store"
    );
    let pragma = resp
        .header(header::PRAGMA)
        .unwrap_or_else(|| panic!("no Pragma on {} {}", resp.status, resp.text()));
    assert!(
        pragma.eq_ignore_ascii_case("no-cache"),
        "Pragma {pragma:?} is not no-cache"
    );
}

/// The members of a registration response that name the client or carry its credentials: no
/// error body has them.
const CREDENTIAL_MEMBERS: [&str; 4] = [
    "client_id",
    "client_secret",
    "registration_access_token",
    "registration_client_uri",
];

/// An RFC-shaped error: `status`, `Content-Type: application/json`, a JSON object with a
/// string `error` (equal to `code` when given) and a printable-ASCII `error_description`,
/// no `client_id` and no credentials, `Cache-Control: no-store`, `Pragma: no-cache`.
/// Returns the body.
#[track_caller]
pub fn assert_error(resp: &Resp, status: StatusCode, code: Option<&str>) -> Value {
    assert_eq!(
        resp.status,
        status,
        "unexpected status; body: {}",
        resp.text()
    );
    assert_json_content_type(resp);
    assert_no_store(resp);
    let body = resp.json();
    let obj = body
        .as_object()
        .unwrap_or_else(|| panic!("error body is not an object: {body}"));
    let error = obj
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string `error` in {body}"));
    if let Some(code) = code {
        assert_eq!(error, code, "wrong error code; body: {body}");
    }
    let description = obj
        .get("error_description")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string `error_description` in {body}"));
    assert!(!description.is_empty(), "empty error_description");
    assert!(
        description.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "error_description is not printable ASCII: {description:?}"
    );
    for member in CREDENTIAL_MEMBERS {
        assert!(
            !obj.contains_key(member),
            "error body carries {member}: {body}"
        );
    }
    body
}

/// An RFC 7591 §3.2.2 error: 400 with `code`.
#[track_caller]
pub fn assert_rfc_error(resp: &Resp, code: &str) -> Value {
    assert_error(resp, StatusCode::BAD_REQUEST, Some(code))
}

/// 400 `invalid_client_metadata` whose description mentions `needle`.
#[track_caller]
pub fn assert_invalid_metadata(resp: &Resp, needle: &str) -> Value {
    let body = assert_rfc_error(resp, "invalid_client_metadata");
    assert_description_mentions(&body, needle);
    body
}

/// 400 `invalid_redirect_uri` whose description mentions `needle`.
#[track_caller]
pub fn assert_invalid_redirect(resp: &Resp, needle: &str) -> Value {
    let body = assert_rfc_error(resp, "invalid_redirect_uri");
    assert_description_mentions(&body, needle);
    body
}

/// The `error_description` contains `needle`.
#[track_caller]
pub fn assert_description_mentions(body: &Value, needle: &str) {
    let description = body["error_description"].as_str().unwrap_or("");
    assert!(
        description.contains(needle),
        "error_description {description:?} does not mention {needle:?}"
    );
}

/// A refused bearer token (RFC 6750 §3.1): 401, `WWW-Authenticate: Bearer ... error="invalid_token"`, no
/// client_id or credentials in the body, no-store.
#[track_caller]
pub fn assert_invalid_token(resp: &Resp) {
    let www = assert_bearer_challenge(resp);
    assert!(
        www.contains("error=\"invalid_token\""),
        "WWW-Authenticate {www:?} lacks error=\"invalid_token\""
    );
    assert_no_credentials_in_error_body(resp);
}

/// RFC 6750 §3.1 for a request without a bearer token: 401 with a `Bearer` challenge that
/// carries no error code, and a JSON body that claims none either: its one member is a
/// printable-ASCII `error_description` saying what to send. Returns the body.
#[track_caller]
pub fn assert_missing_token(resp: &Resp) -> Value {
    let www = assert_bearer_challenge(resp);
    assert!(
        !www.contains("error="),
        "WWW-Authenticate {www:?} carries an error code for a request without a token"
    );
    assert_no_credentials_in_error_body(resp);
    let body = resp.json();
    let members: Vec<&String> = body
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        members,
        ["error_description"],
        "the body of a request without a token must carry no error code: {body}"
    );
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(
        !description.is_empty() && description.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "error_description is not printable ASCII: {description:?}"
    );
    assert_description_mentions(&body, "Authorization: Bearer");
    body
}

/// A 401 with a `Bearer` challenge; returns the `WWW-Authenticate` value.
#[track_caller]
fn assert_bearer_challenge(resp: &Resp) -> &str {
    assert_eq!(
        resp.status,
        StatusCode::UNAUTHORIZED,
        "expected 401; body: {}",
        resp.text()
    );
    let www = resp
        .header(header::WWW_AUTHENTICATE)
        .unwrap_or_else(|| panic!("401 without WWW-Authenticate: {}", resp.text()));
    assert!(
        www.len() >= 6 && www[..6].eq_ignore_ascii_case("bearer"),
        "WWW-Authenticate {www:?} is not a Bearer challenge"
    );
    www
}

#[track_caller]
fn assert_no_credentials_in_error_body(resp: &Resp) {
    assert_no_store(resp);
    if resp.body.is_empty() {
        return;
    }
    assert_json_content_type(resp);
    let body = resp.json();
    let obj = body
        .as_object()
        .unwrap_or_else(|| panic!("401 body is not an object: {body}"));
    for member in CREDENTIAL_MEMBERS {
        assert!(
            !obj.contains_key(member),
            "401 body carries {member}: {body}"
        );
    }
}

/// The `Allow` (or `Access-Control-Allow-Methods`) header as a set of upper-case methods.
#[track_caller]
pub fn methods_of(resp: &Resp, name: header::HeaderName) -> Vec<String> {
    let value = resp
        .header(name.clone())
        .unwrap_or_else(|| panic!("no {name} header on {} {}", resp.status, resp.text()));
    value
        .split(',')
        .map(|m| m.trim().to_ascii_uppercase())
        .filter(|m| !m.is_empty())
        .collect()
}

/// Whether `s` is a client secret as MitreID issues them: 86 base64url characters (512 bits).
pub fn is_86_base64url(s: &str) -> bool {
    s.len() == 86
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A public P-256 signing key (from tests/keys/p256.pem).
pub fn ec_public_jwk() -> Value {
    json!({
        "kty": "EC",
        "crv": "P-256",
        "use": "sig",
        "kid": "ec1",
        "alg": "ES256",
        "x": "XrMiPFMqDeESC0Pl5vziheB1-OSfnAtayXaG5viQb3A",
        "y": "KKO2T5MLaKZ-5hQ-cq2VcT5r35HXKBFT6-cf3EMWky8"
    })
}

/// A public RSA-2048 encryption key (from tests/keys/rsa2048.pem).
pub fn rsa_public_jwk() -> Value {
    json!({
        "kty": "RSA",
        "use": "enc",
        "kid": "rsa1",
        "e": "AQAB",
        "n": "zZhOcNqQ4O0Dqno3EoXEoDhnP-m-INifDQKG0o2nNGVsR2hduU-LK9J4gW4HGY_gad-zwhDwf8J38bpkiaFuKZ7EN8jN1gzcr-M5f0S1pzk83-TTNQdP_qlD7Tsmnp4UU4J2yhmNbpkHd7ZNWEfle0E0nRcexTa9XYzAW5ug5a4QrIYb_KoL-2PJQEo9Acl2ekqtNLvtfkNOy970Y2WzxlZnzbcQQ_r-A9TzBKBQrcNkjpGl1EOzimj7G66vPuP5NS35nq-cJO8AKDBHmD-Ldrv8ZIgzK4xiR9A9MVgMI-RSEG_HaIOvC0O9KH4COA-lYqyYjXPUivbfBoum0DsyTQ"
    })
}

/// A JWK Set with the two public keys.
pub fn public_jwks() -> Value {
    json!({"keys": [ec_public_jwk(), rsa_public_jwk()]})
}

/// `base` with `extra`'s members added or replaced.
pub fn merged(base: &Value, extra: &Value) -> Value {
    let mut out = base.clone();
    let obj = out.as_object_mut().expect("object");
    for (k, v) in extra.as_object().expect("object") {
        obj.insert(k.clone(), v.clone());
    }
    out
}

/// A clock the test moves by hand (`.clock(clock.clone())` on the configuration), so that a
/// lifetime is crossed at its exact second without sleeping.
#[derive(Clone)]
pub struct TestClock(Arc<std::sync::atomic::AtomicU64>);

impl TestClock {
    /// A clock at `start` seconds since the epoch.
    pub fn at(start: u64) -> Self {
        Self(Arc::new(std::sync::atomic::AtomicU64::new(start * 1000)))
    }

    /// Sets the time, in seconds.
    pub fn set(&self, now: u64) {
        self.0
            .store(now * 1000, std::sync::atomic::Ordering::SeqCst);
    }

    /// Moves the time forward by `seconds`.
    pub fn advance(&self, seconds: u64) {
        self.advance_millis(seconds * 1000);
    }

    /// Moves the time forward by `millis` milliseconds (what rate limits are measured in).
    pub fn advance_millis(&self, millis: u64) {
        self.0
            .fetch_add(millis, std::sync::atomic::Ordering::SeqCst);
    }
}

impl tower_oidc_registration::Clock for TestClock {
    fn now(&self) -> u64 {
        self.now_millis() / 1000
    }

    fn now_millis(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The instant the test clocks start at: 2027-01-15, a time no real clock gives these tests.
pub const CLOCK_START: u64 = 1_800_000_000;
