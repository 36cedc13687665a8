//! The OpenAPI contract (`openapi.yaml`) is a valid OpenAPI 3.1 document and
//! covers every route and every status the layer can answer.
//!
//! Every response the other helper-driven tests see is also checked against it (see
//! `tests/common/contract.rs`); here, besides the document itself, are the responses those
//! tests cannot reach easily (a failing store: 503; a failing RNG: 500), each error variant
//! rendered for each operation it can answer, and proof that the checker does reject a response
//! the contract does not allow. `scripts/schemathesis` checks the same document against a real
//! server with generated requests.

use crate::common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::common::contract::{self, CLIENT_TEMPLATE, REGISTRATION_TEMPLATE};
use crate::common::{App, assert_error, full, min};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower_oidc_registration::generate::{GenerateError, SecretGenerator};
use tower_oidc_registration::metadata::MetadataError;
use tower_oidc_registration::rate_limit::{Gcra, RateDecision};
use tower_oidc_registration::{
    ClientRecord, ClientStore, CredentialHash, InitialAccessTokenRecord, MemoryStore,
    RegistrationError, Secret, StoreError, error_response,
};

fn doc() -> &'static Value {
    &contract::contract().doc
}

/// Every `$ref` string in `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// `(template, method, operation)` for every operation of the document.
fn operations() -> Vec<(String, String, &'static Value)> {
    let mut out = Vec::new();
    for (template, item) in doc()["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if method != "parameters" {
                out.push((template.clone(), method.clone(), operation));
            }
        }
    }
    out
}

#[test]
fn document_is_valid_openapi_3_1() {
    let doc = doc();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1.")),
        "openapi: {}",
        doc["openapi"]
    );
    // The typed model of the oas3 crate parses it: the structure is OpenAPI 3.1's.
    let spec = oas3::from_json(doc.to_string()).expect("openapi.yaml is an OpenAPI 3.1 document");
    assert!(spec.validate_version().is_ok());
    assert_eq!(spec.operations().count(), operations().len());

    // Every reference resolves.
    let mut all = Vec::new();
    refs(doc, &mut all);
    assert!(!all.is_empty());
    for reference in &all {
        let pointer = reference.strip_prefix('#').expect("local reference");
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {reference}");
    }

    // Every schema is valid JSON Schema 2020-12 and compiles.
    for (name, schema) in doc["components"]["schemas"].as_object().expect("schemas") {
        let mut standalone = schema.clone();
        standalone["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        jsonschema::meta::validate(&standalone)
            .unwrap_or_else(|e| panic!("components/schemas/{name} is not JSON Schema: {e}"));
        contract::contract().validator(schema);
    }

    // Operation ids are unique, and every link names one.
    let ids: Vec<&str> = operations()
        .iter()
        .map(|(t, m, op)| {
            op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{m} {t} has no operationId"))
        })
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate operationId in {ids:?}");
    let mut links = 0;
    for (_, _, op) in operations() {
        for response in op["responses"].as_object().expect("responses").values() {
            for link in response
                .get("links")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|l| l.values())
            {
                let target = link["operationId"].as_str().expect("link operationId");
                assert!(
                    unique.contains(target),
                    "link to unknown operation {target}"
                );
                links += 1;
            }
        }
    }
    assert_eq!(links, 3, "register -> read, update, delete");

    // The documented request example is a valid registration request.
    let post = &doc["paths"]["/register"]["post"]["requestBody"]["content"]["application/json"];
    let problems = contract::contract().validate(&post["schema"], &post["example"]);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn document_describes_the_served_routes_with_bearer_security() {
    let contract = contract::contract();
    let served = [
        (REGISTRATION_TEMPLATE, Method::POST, "201"),
        (REGISTRATION_TEMPLATE, Method::OPTIONS, "204"),
        (CLIENT_TEMPLATE, Method::GET, "200"),
        (CLIENT_TEMPLATE, Method::PUT, "200"),
        (CLIENT_TEMPLATE, Method::DELETE, "204"),
        (CLIENT_TEMPLATE, Method::OPTIONS, "204"),
    ];
    for (template, method, success) in served {
        let op = contract
            .operation(template, &method)
            .unwrap_or_else(|| panic!("{method} {template} is not documented"));
        assert!(
            op["responses"].get(success).is_some(),
            "{method} {template} lacks {success}"
        );
    }
    // The client configuration endpoint needs the registration access token, as a bearer.
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let op = contract.operation(CLIENT_TEMPLATE, &method).expect("op");
        assert_eq!(op["security"], json!([{"registrationAccessToken": []}]));
    }
    let schemes = &doc()["components"]["securitySchemes"];
    for scheme in ["registrationAccessToken", "initialAccessToken"] {
        assert_eq!(schemes[scheme]["type"], "http");
        assert_eq!(schemes[scheme]["scheme"], "bearer");
    }
    // Registration is open or protected by an initial access token.
    let post = contract
        .operation(REGISTRATION_TEMPLATE, &Method::POST)
        .expect("post");
    assert_eq!(post["security"], json!([{}, {"initialAccessToken": []}]));
    // Language-tagged members are described as pattern properties.
    let metadata = &doc()["components"]["schemas"]["ClientMetadata"];
    let tagged = json!({"client_name#fr": "Mon client", "logo_uri#en-GB": "https://a/l.png"});
    assert!(contract.validate(metadata, &tagged).is_empty());
    assert!(
        !contract
            .validate(metadata, &json!({"client_name#fr": 42}))
            .is_empty()
    );
    // RFC 7592 §2: the configuration endpoint never answers 404.
    for (template, method, op) in operations() {
        assert!(
            op["responses"].get("404").is_none(),
            "{method} {template} documents a 404"
        );
    }
}

/// Where each failure of the registry may occur: `(variant, operations)`, and every failure
/// rendered as the layer renders it is checked against the contract for each of those
/// operations. (The failures only HTTP has are sent for real in the next test.)
#[tokio::test]
async fn every_registry_error_is_documented_for_each_operation_it_can_answer() {
    let post = (REGISTRATION_TEMPLATE, Method::POST);
    let get = (CLIENT_TEMPLATE, Method::GET);
    let put = (CLIENT_TEMPLATE, Method::PUT);
    let delete = (CLIENT_TEMPLATE, Method::DELETE);
    let backend = || StoreError::Backend("disk on fire".into());
    let cases: Vec<(RegistrationError, Vec<(&str, Method)>)> = vec![
        (
            MetadataError::client_metadata("client_name: must be a string").into(),
            vec![post.clone(), put.clone()],
        ),
        (
            MetadataError::redirect_uri("redirect_uris[1]: fragment not allowed").into(),
            vec![post.clone(), put.clone()],
        ),
        (
            RegistrationError::MissingToken,
            vec![get.clone(), put.clone(), delete.clone()],
        ),
        (
            RegistrationError::InvalidToken,
            vec![post.clone(), get.clone(), put.clone(), delete.clone()],
        ),
        (
            RegistrationError::MissingInitialAccessToken,
            vec![post.clone()],
        ),
        (
            RegistrationError::InvalidInitialAccessToken,
            vec![post.clone()],
        ),
        (
            RegistrationError::ClientQuotaReached {
                token_id: "static-abc".into(),
            },
            vec![post.clone()],
        ),
        (
            RegistrationError::Forbidden("software_id: not allowed".into()),
            vec![post.clone(), put.clone()],
        ),
        (
            RegistrationError::RateLimited {
                retry_after: std::time::Duration::from_millis(2_001),
            },
            vec![post.clone()],
        ),
        (
            RegistrationError::Store(backend()),
            vec![post.clone(), get.clone(), put.clone(), delete.clone()],
        ),
        (
            RegistrationError::Store(StoreError::Conflict),
            vec![post.clone(), get.clone(), put.clone(), delete.clone()],
        ),
        (
            RegistrationError::Internal("OS random number generator".into()),
            vec![post.clone(), get.clone(), put.clone(), delete.clone()],
        ),
    ];
    for (error, operations) in cases {
        let debug = format!("{error:?}");
        let (parts, body) = error_response(error).into_parts();
        let status = parts.status;
        let mut headers = parts.headers;
        // What the handler adds to every response (handler/response.rs).
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        let body = body.collect().await.expect("a full body").to_bytes();
        for (template, method) in operations {
            if let Err(problems) =
                contract::contract().check(template, &method, status, &headers, &body)
            {
                panic!("{debug} on {method} {template}: {problems:?}");
            }
        }
    }
}

/// The failures that only HTTP has (a method not served, a body over the limit, two
/// `Authorization` headers), sent through the layer: `App` checks every response it sees
/// against the contract, so an undocumented one fails here.
#[tokio::test]
async fn every_http_failure_is_documented_for_each_operation_it_can_answer() {
    let app = App::new();
    let client = app.register(&min()).await;
    for method in [Method::GET, Method::PATCH, Method::HEAD] {
        let resp = app.method(method, "/register", None).await;
        assert_eq!(resp.status, StatusCode::METHOD_NOT_ALLOWED);
    }
    for method in [Method::POST, Method::PATCH, Method::TRACE] {
        let resp = app.method(method, &client.path(), None).await;
        assert_eq!(resp.status, StatusCode::METHOD_NOT_ALLOWED);
    }
    let large =
        json!({"redirect_uris": ["https://rp.example.org/cb"], "client_name": "x".repeat(70_000)});
    let resp = app.post_json("/register", &large).await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    let resp = app.put(&client.path(), Some(&client.token), &large).await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    for (method, path) in [
        (Method::POST, "/register".to_owned()),
        (Method::GET, client.path()),
        (Method::PUT, client.path()),
        (Method::DELETE, client.path()),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(&path)
            .header(header::AUTHORIZATION, format!("Bearer {}", client.token))
            .header(header::AUTHORIZATION, "Bearer another")
            .header(header::CONTENT_TYPE, "application/json")
            .body(full(serde_json::to_vec(&min()).expect("json")))
            .expect("request");
        let resp = app.send(request).await;
        assert_error(&resp, StatusCode::BAD_REQUEST, Some("invalid_request"));
    }
}

fn layer_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers
}

/// ERR-6: no bearer token: 401 and `WWW-Authenticate: Bearer` without an error code.
///
/// The checker the helpers run on every response does reject what the contract forbids: were
/// it a no-op, the other tests would prove nothing about the contract. It accepts the body of a
/// request without a token (no `error`) with the bare challenge of a 401 only.
#[test]
fn the_checker_rejects_responses_the_contract_forbids() {
    // Whether the contract allows this answer on the client configuration endpoint.
    let conforms = |method: &Method, status: StatusCode, headers: &HeaderMap, body: &[u8]| {
        contract::contract()
            .check(CLIENT_TEMPLATE, method, status, headers, body)
            .is_ok()
    };
    let get = Method::GET;
    let error =
        br#"{"error":"invalid_token","error_description":"invalid registration access token"}"#;
    let mut unauthorized = layer_headers();
    unauthorized.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    assert!(conforms(
        &get,
        StatusCode::UNAUTHORIZED,
        &unauthorized,
        error
    ));
    // An undocumented status.
    assert!(!conforms(&get, StatusCode::NOT_FOUND, &unauthorized, error));
    // A 401 without its challenge.
    assert!(!conforms(
        &get,
        StatusCode::UNAUTHORIZED,
        &layer_headers(),
        error
    ));
    // Without no-store.
    let mut cached = unauthorized.clone();
    cached.remove(header::CACHE_CONTROL);
    assert!(!conforms(&get, StatusCode::UNAUTHORIZED, &cached, error));
    // Another content type, another error code, an extra member, a body that is not JSON.
    let mut text = unauthorized.clone();
    text.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    assert!(!conforms(&get, StatusCode::UNAUTHORIZED, &text, error));
    for body in [
        &br#"{"error":"invalid_client","error_description":"x"}"#[..],
        br#"{"error":"invalid_token","error_description":"x","client_id":"c"}"#,
        br#"{"error":"invalid_token"}"#,
        b"invalid token",
    ] {
        assert!(
            !conforms(&get, StatusCode::UNAUTHORIZED, &unauthorized, body),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    // A request without a token: the bare challenge, and a body of an `error_description`
    // alone. That shape and no other: not beside a challenge or a body that names an error,
    // not for another status.
    let mut bare = layer_headers();
    bare.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    let token_required =
        br#"{"error_description":"a registration access token is required: send Authorization: Bearer <token>"}"#;
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        assert!(conforms(
            &method,
            StatusCode::UNAUTHORIZED,
            &bare,
            token_required
        ));
    }
    assert!(
        contract::contract()
            .check(
                REGISTRATION_TEMPLATE,
                &Method::POST,
                StatusCode::UNAUTHORIZED,
                &bare,
                br#"{"error_description":"registration needs an initial access token"}"#,
            )
            .is_ok()
    );
    // The contradiction RFC 6750 §3.1 rules out: a bare challenge, `invalid_token` in the body.
    assert!(!conforms(&get, StatusCode::UNAUTHORIZED, &bare, error));
    // A challenge that names the error over a body that does not.
    assert!(!conforms(
        &get,
        StatusCode::UNAUTHORIZED,
        &unauthorized,
        token_required
    ));
    // Without an `error`, anything else but the description, or another status.
    for body in [
        &br#"{"error_description":"x","client_id":"c"}"#[..],
        br#"{}"#,
    ] {
        assert!(
            !conforms(&get, StatusCode::UNAUTHORIZED, &bare, body),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    assert!(!conforms(
        &Method::PUT,
        StatusCode::BAD_REQUEST,
        &layer_headers(),
        token_required
    ));
    // A client without a token or with a secret but no expiry.
    let client = json!({
        "client_id": "c", "client_id_issued_at": 1,
        "registration_client_uri": "https://iam.example.org/register/c",
    });
    let body = serde_json::to_vec(&client).expect("json");
    assert!(!conforms(&get, StatusCode::OK, &layer_headers(), &body));
    let mut with_secret = client.clone();
    with_secret["registration_access_token"] = json!("t");
    with_secret["client_secret"] = json!("s");
    let body = serde_json::to_vec(&with_secret).expect("json");
    assert!(!conforms(&get, StatusCode::OK, &layer_headers(), &body));
    // A 204 with a body.
    assert!(!conforms(
        &Method::DELETE,
        StatusCode::NO_CONTENT,
        &layer_headers(),
        b"{}"
    ));
    // And the helpers do run it: a forbidden response panics in check_response.
    let panicked = std::panic::catch_unwind(|| {
        contract::check_response(
            &get,
            "/register/c",
            StatusCode::NOT_FOUND,
            &unauthorized,
            error,
        )
    });
    assert!(panicked.is_err());
    // A layer response is checked whatever headers it lost: without no-store it is no inner
    // service's response, it breaks the contract.
    let panicked = std::panic::catch_unwind(|| {
        contract::check_response(
            &get,
            "/register/c",
            StatusCode::UNAUTHORIZED,
            &cached,
            error,
        )
    });
    assert!(panicked.is_err());
    // Only what the harness's inner service marked is left alone.
    let mut inner = cached.clone();
    inner.insert(
        contract::INNER_SERVICE_HEADER,
        HeaderValue::from_static("1"),
    );
    contract::check_response(&get, "/register/c", StatusCode::NOT_FOUND, &inner, b"x");
}

/// A memory store that can go down, as a database whose connection drops: every operation
/// fails while `down` is set.
#[derive(Default, Clone)]
struct FlakyStore {
    inner: Arc<MemoryStore>,
    down: Arc<AtomicBool>,
}

impl FlakyStore {
    fn check(&self) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            Err(StoreError::Backend("connection refused".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait::async_trait]
impl ClientStore for FlakyStore {
    async fn insert(&self, record: Arc<ClientRecord>) -> Result<(), StoreError> {
        self.check()?;
        self.inner.insert(record).await
    }
    async fn get(&self, id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        self.check()?;
        self.inner.get(id).await
    }
    async fn replace(&self, record: Arc<ClientRecord>, version: u64) -> Result<(), StoreError> {
        self.check()?;
        self.inner.replace(record, version).await
    }
    async fn delete(&self, id: &str, version: u64) -> Result<(), StoreError> {
        self.check()?;
        self.inner.delete(id, version).await
    }
    async fn count(&self) -> Result<u64, StoreError> {
        self.check()?;
        self.inner.count().await
    }
    async fn touch(&self, id: &str, at: u64) -> Result<(), StoreError> {
        self.check()?;
        self.inner.touch(id, at).await
    }
    async fn delete_unused(&self, since: u64, limit: usize) -> Result<Vec<String>, StoreError> {
        self.check()?;
        self.inner.delete_unused(since, limit).await
    }

    async fn insert_initial_access_token(
        &self,
        token: InitialAccessTokenRecord,
    ) -> Result<(), StoreError> {
        self.check()?;
        self.inner.insert_initial_access_token(token).await
    }

    async fn initial_access_token_by_hash(
        &self,
        hash: &CredentialHash,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        self.check()?;
        self.inner.initial_access_token_by_hash(hash).await
    }

    async fn initial_access_token_by_id(
        &self,
        id: &str,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        self.check()?;
        self.inner.initial_access_token_by_id(id).await
    }

    async fn revoke_initial_access_token(&self, id: &str) -> Result<(), StoreError> {
        self.check()?;
        self.inner.revoke_initial_access_token(id).await
    }

    async fn insert_with_initial_access_token(
        &self,
        record: Arc<ClientRecord>,
        now: u64,
    ) -> Result<(), StoreError> {
        self.check()?;
        self.inner
            .insert_with_initial_access_token(record, now)
            .await
    }

    async fn rate_limit(
        &self,
        key: &str,
        limit: Gcra,
        now_ms: u64,
    ) -> Result<RateDecision, StoreError> {
        self.check()?;
        self.inner.rate_limit(key, limit, now_ms).await
    }
}

/// ERR-10: failures that are not about metadata keep the error format under their own status.
///
/// Through the helpers (so checked against the contract): a store that is down is 503 on
/// every operation.
#[tokio::test]
async fn store_failure_is_a_documented_503() {
    let store = FlakyStore::default();
    let app = App::with(|b| b.store(store.clone()));
    let client = app.register(&min()).await;
    store.down.store(true, Ordering::SeqCst);
    let update = common::update_body(&client, &min());
    for resp in [
        app.register_raw(&min()).await,
        app.get(&client.path(), Some(&client.token)).await,
        app.put(&client.path(), Some(&client.token), &update).await,
        app.delete(&client.path(), Some(&client.token)).await,
    ] {
        assert_error(
            &resp,
            StatusCode::SERVICE_UNAVAILABLE,
            Some("temporarily_unavailable"),
        );
    }
}

/// The OS RNG failing, as a generator that always fails.
struct NoRandomness;

impl SecretGenerator for NoRandomness {
    fn client_secret(&self) -> Result<Secret, GenerateError> {
        Err(GenerateError::new("the RNG is unavailable"))
    }
}

/// ERR-10: failures that are not about metadata keep the error format under their own status.
///
/// Through the helpers (so checked against the contract): a secret generator that fails makes
/// a registration 500 `server_error`.
#[tokio::test]
async fn rng_failure_is_a_documented_500() {
    let app = App::with(|b| b.secret_generator(NoRandomness));
    let resp = app.register_raw(&min()).await;
    assert_error(
        &resp,
        StatusCode::INTERNAL_SERVER_ERROR,
        Some("server_error"),
    );
}

#[tokio::test]
async fn methods_openapi_cannot_list_are_documented_405s() {
    let app = App::new();
    let client = app.register(&min()).await;
    let custom = Method::from_bytes(b"PURGE").expect("method");
    for (method, path) in [
        (Method::HEAD, "/register".to_owned()),
        (Method::HEAD, client.path()),
        (Method::TRACE, client.path()),
        (Method::CONNECT, "/register".to_owned()),
        (custom, client.path()),
    ] {
        let resp = app.method(method.clone(), &path, None).await;
        assert_eq!(
            resp.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
    }
    // OPTIONS on both paths, and a body too large: each checked against the contract.
    for path in ["/register".to_owned(), client.path()] {
        let resp = app.method(Method::OPTIONS, &path, None).await;
        assert_eq!(resp.status, StatusCode::NO_CONTENT);
    }
    let app = App::with(|b| b.max_body_bytes(64));
    let big = format!(r#"{{"client_name":"{}"}}"#, "x".repeat(100));
    let resp = app
        .send(
            Request::post("/register")
                .header(header::CONTENT_TYPE, "application/json")
                .body(full(Bytes::from(big)))
                .expect("request"),
        )
        .await;
    assert_error(
        &resp,
        StatusCode::PAYLOAD_TOO_LARGE,
        Some("invalid_request"),
    );
}
