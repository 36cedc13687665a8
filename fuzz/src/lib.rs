//! What the fuzz targets share: a registration layer around a marking inner service, a
//! runtime to drive it, and the checks every response of the layer must pass.
//!
//! The layer is driven exactly as a host drives it (`poll_ready`, `call`, body collected), with
//! the in-memory store and a fixed HS256 key, so that a crash input replays identically.

use std::convert::Infallible;

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use serde_json::Value;
use tower::{Layer, ServiceExt, service_fn};
use tower_oidc_registration::generate::ClientIdGenerator;
use tower_oidc_registration::{RegistrationConfig, RegistrationLayer, Registry, SigningKey};

/// The issuer of every fuzzed server.
pub const ISSUER: &str = "https://iam.example.org/";
/// The key signing every fuzzed server's registration access tokens.
pub const HS256_KEY: [u8; 32] = [7; 32];
/// The client id every registration gets (see [`FixedClientId`]): seeds for `PUT` can name it.
pub const CLIENT_ID: &str = "fuzz-client";
/// The header the inner service puts on every response: present exactly when a request
/// passed through the layer.
pub const INNER_MARK: &str = "x-inner-service";

/// The `error` codes the layer may answer with on a 4xx (RFC 6749 §5.2, RFC 6750 §3.1,
/// RFC 7591 §3.2.2).
pub const ERROR_CODES: &[&str] = &[
    "invalid_redirect_uri",
    "invalid_client_metadata",
    "invalid_software_statement",
    "unapproved_software_statement",
    "invalid_token",
    "insufficient_scope",
    "access_denied",
    "invalid_client",
    "invalid_request",
];

/// Gives every client the id [`CLIENT_ID`]: each fuzz input gets a fresh store, so there is
/// never a collision, and `PUT` seeds can carry the matching `client_id`.
pub struct FixedClientId;

impl ClientIdGenerator for FixedClientId {
    fn client_id(&self) -> String {
        CLIENT_ID.to_owned()
    }
}

/// The service under test: the layer with `prefix` around an inner service that answers
/// 200 with [`INNER_MARK`].
pub type App = tower_oidc_registration::Registration<
    tower::util::ServiceFn<
        fn(Request<Full<Bytes>>) -> std::future::Ready<Result<Response<Full<Bytes>>, Infallible>>,
    >,
>;

fn inner(_: Request<Full<Bytes>>) -> std::future::Ready<Result<Response<Full<Bytes>>, Infallible>> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"inner")));
    response
        .headers_mut()
        .insert(INNER_MARK, http::HeaderValue::from_static("1"));
    std::future::ready(Ok(response))
}

/// The configuration of every fuzzed server, under `prefix`, with a fresh in-memory store.
pub fn config(prefix: &str) -> RegistrationConfig {
    let key = SigningKey::hs256(&HS256_KEY).expect("a 32-byte HS256 key is valid");
    RegistrationConfig::builder(ISSUER)
        .prefix(prefix)
        .signing_key(key)
        .client_id_generator(FixedClientId)
        .build()
        .expect("the fuzz configuration is valid")
}

/// A fresh layer (fresh store) under `prefix`.
pub fn app(prefix: &str) -> App {
    app_and_registry(prefix).0
}

/// A fresh layer (fresh store) under `prefix`, and the registry behind it.
pub fn app_and_registry(prefix: &str) -> (App, Registry) {
    let layer = RegistrationLayer::new(config(prefix));
    let inner: fn(_) -> _ = inner;
    (layer.layer(service_fn(inner)), layer.registry())
}

/// A response with its body collected.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Answer {
    /// Whether the request reached the inner service.
    pub fn passed_through(&self) -> bool {
        self.headers.contains_key(INNER_MARK)
    }

    /// The body as JSON; panics (a fuzz finding) if it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} body is not JSON ({e}): {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

thread_local! {
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
}

/// Runs a future to completion on this thread's runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    RUNTIME.with(|rt| rt.block_on(future))
}

/// Sends `request` through `app` (one `poll_ready`, one `call`) and collects the answer.
pub fn send(app: &App, request: Request<Full<Bytes>>) -> Answer {
    block_on(async {
        let response = app
            .clone()
            .oneshot(request)
            .await
            .unwrap_or_else(|e| match e {});
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .unwrap_or_else(|e| match e {})
            .to_bytes();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    })
}

/// The property every answer of the layer itself must have: never a 5xx; a 4xx is an
/// RFC-shaped JSON error (`application/json`, an object with a known `error` code and a
/// non-empty printable-ASCII `error_description`), but for a 401 to a request without a token,
/// whose bare `Bearer` challenge and body carry no error code (RFC 6750 §3.1); a 2xx with a
/// body is a JSON object.
pub fn check_layer_answer(answer: &Answer, what: &str) {
    let status = answer.status;
    assert!(
        !status.is_server_error(),
        "{what}: {status} {:?}",
        String::from_utf8_lossy(&answer.body)
    );
    if status.is_client_error() {
        assert_json_content_type(answer, what);
        let json = answer.json();
        let bare_challenge = status == StatusCode::UNAUTHORIZED
            && answer
                .headers
                .get(header::WWW_AUTHENTICATE)
                .is_some_and(|challenge| challenge == "Bearer");
        if bare_challenge {
            assert!(
                json.get("error").is_none(),
                "{what}: a bare Bearer challenge over an error code: {json}"
            );
        } else {
            let code = json["error"].as_str().unwrap_or_else(|| {
                panic!("{what}: {status} without an `error` string: {json}");
            });
            assert!(
                ERROR_CODES.contains(&code),
                "{what}: {status} unknown error code {code:?}"
            );
        }
        let description = json["error_description"].as_str().unwrap_or_else(|| {
            panic!("{what}: {status} without an `error_description` string: {json}");
        });
        assert!(
            !description.is_empty() && description.bytes().all(|b| (0x20..0x7f).contains(&b)),
            "{what}: {status} description not printable ASCII: {description:?}"
        );
        if status == StatusCode::UNAUTHORIZED {
            assert!(
                answer.headers.contains_key(header::WWW_AUTHENTICATE),
                "{what}: 401 without WWW-Authenticate"
            );
        }
    } else if status.is_success() && !answer.body.is_empty() {
        assert_json_content_type(answer, what);
        assert!(
            answer.json().is_object(),
            "{what}: {status} body not an object"
        );
    }
}

fn assert_json_content_type(answer: &Answer, what: &str) {
    let content_type = answer
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "{what}: {} with Content-Type {content_type:?}",
        answer.status
    );
}

/// A JSON request to `path` with `body` and, when given, a bearer token.
pub fn json_request(
    method: http::Method,
    path: &str,
    token: Option<&str>,
    body: impl Into<Bytes>,
) -> Request<Full<Bytes>> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder
        .body(Full::new(body.into()))
        .expect("a well-formed request")
}

/// Registers `{"redirect_uris":["https://rp.example.org/cb"]}` through `app` and returns its
/// registration access token (its client id is [`CLIENT_ID`]).
pub fn register_minimal(app: &App) -> String {
    let answer = send(
        app,
        json_request(
            http::Method::POST,
            "/register",
            None,
            &br#"{"redirect_uris":["https://rp.example.org/cb"],"client_name":"t"}"#[..],
        ),
    );
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let json = answer.json();
    assert_eq!(json["client_id"], CLIENT_ID);
    json["registration_access_token"]
        .as_str()
        .expect("a registration access token")
        .to_owned()
}
