//! Resource bounds: the metadata limits (`MetadataLimits`) on POST, PUT and the host's
//! `Registry` calls alike, the body limit on streamed bodies (no more than the limit is ever
//! pulled from the client), and rejected requests that leave nothing behind.

use crate::common;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use crate::common::{App, BoxError, REDIRECT, assert_error, assert_invalid_metadata, min};
use crate::common::{assert_invalid_redirect, merged};
use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body::{Body, Frame};
use http_body_util::BodyExt as _;
use serde_json::{Map, Value, json};
use tower_oidc_registration::metadata::MetadataLimits;
use tower_oidc_registration::{
    ClientStore, MemoryStore, RegistrationConfig, RegistrationError, Registry, Requester,
};

fn redirect_uris(n: usize) -> Value {
    Value::Array(
        (0..n)
            .map(|i| json!(format!("https://rp.example.org/cb/{i}")))
            .collect(),
    )
}

/// `depth` nested arrays: `[[[...]]]`, as text.
fn nested_arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

// ---------------------------------------------------------------------------------------------
// Defaults, over HTTP.
// ---------------------------------------------------------------------------------------------

/// REG-4: open registration may be rate-limited or otherwise limited.
#[tokio::test]
async fn at_most_64_redirect_uris_by_default() {
    let app = App::new();
    let ok = merged(&min(), &json!({"redirect_uris": redirect_uris(64)}));
    let client = app.register(&ok).await;
    assert_eq!(
        client.body["redirect_uris"].as_array().map(Vec::len),
        Some(64)
    );

    let over = merged(&min(), &json!({"redirect_uris": redirect_uris(65)}));
    let body = assert_invalid_redirect(&app.register_raw(&over).await, "");
    assert_eq!(
        body["error_description"],
        "redirect_uris: at most 64 entries"
    );
}

#[tokio::test]
async fn each_redirect_uri_at_most_2048_bytes_by_default() {
    let app = App::new();
    let base = "https://rp.example.org/cb?";
    let exactly = format!("{base}{}", "q".repeat(2048 - base.len()));
    app.register(&merged(
        &min(),
        &json!({"redirect_uris": [REDIRECT, exactly]}),
    ))
    .await;
    let longer = format!("{exactly}q");
    let resp = app
        .register_raw(&merged(
            &min(),
            &json!({"redirect_uris": [REDIRECT, longer]}),
        ))
        .await;
    let body = assert_invalid_redirect(&resp, "");
    assert_eq!(
        body["error_description"],
        "redirect_uris[1]: longer than 2048 bytes"
    );
}

#[tokio::test]
async fn each_string_member_at_most_2048_bytes_by_default() {
    let app = App::new();
    app.register(&merged(&min(), &json!({"client_name": "n".repeat(2048)})))
        .await;
    let resp = app
        .register_raw(&merged(&min(), &json!({"client_name": "n".repeat(2049)})))
        .await;
    let body = assert_invalid_metadata(&resp, "");
    assert_eq!(
        body["error_description"],
        "client_name: longer than 2048 bytes"
    );
    // Array entries too, with their index.
    let contacts = json!([
        "a@rp.example.org",
        format!("{}@rp.example.org", "c".repeat(2040))
    ]);
    let resp = app
        .register_raw(&merged(&min(), &json!({"contacts": contacts})))
        .await;
    let body = assert_invalid_metadata(&resp, "");
    assert_eq!(
        body["error_description"],
        "contacts[1]: longer than 2048 bytes"
    );
}

#[tokio::test]
async fn arrays_at_most_64_entries_by_default() {
    let app = App::new();
    let contacts: Vec<String> = (0..65).map(|i| format!("c{i}@rp.example.org")).collect();
    let resp = app
        .register_raw(&merged(&min(), &json!({"contacts": contacts})))
        .await;
    let body = assert_invalid_metadata(&resp, "");
    assert_eq!(body["error_description"], "contacts: at most 64 entries");
}

#[tokio::test]
async fn nesting_past_16_levels_is_refused_and_past_128_is_malformed_json() {
    let app = App::new();
    // 1 (the request) + 15 arrays: 16 levels.
    let ok = format!(
        r#"{{"redirect_uris":["{REDIRECT}"],"ext":{}}}"#,
        nested_arrays(15)
    );
    let resp = app
        .post_raw("/register", Some("application/json"), ok)
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());

    let deep = format!(
        r#"{{"redirect_uris":["{REDIRECT}"],"ext":{}}}"#,
        nested_arrays(16)
    );
    let resp = app
        .post_raw("/register", Some("application/json"), deep)
        .await;
    let body = assert_invalid_metadata(&resp, "nested deeper than 16 levels");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.starts_with("ext[0]")),
        "{body}"
    );

    // Beyond serde_json's recursion limit: refused by the parser, no deep recursion.
    let deeper = format!(r#"{{"ext":{}}}"#, nested_arrays(200));
    let resp = app
        .post_raw("/register", Some("application/json"), deeper)
        .await;
    assert_invalid_metadata(&resp, "malformed JSON");
}

#[tokio::test]
async fn a_megabyte_of_open_brackets_is_a_400_not_a_crash() {
    let app = App::with(|b| b.max_body_bytes(2 * 1024 * 1024));
    let body = "[".repeat(1024 * 1024);
    let resp = app
        .post_raw("/register", Some("application/json"), body)
        .await;
    assert_invalid_metadata(&resp, "malformed JSON");
    let body = format!(r#"{{"a":{}"#, "{\"a\":".repeat(1024 * 1024 / 5));
    let resp = app
        .post_raw("/register", Some("application/json"), body)
        .await;
    assert_invalid_metadata(&resp, "malformed JSON");
}

#[tokio::test]
async fn at_most_256_members_per_object_by_default() {
    let app = App::new();
    let mut body = min();
    for i in 0..255 {
        body[format!("x{i}")] = json!(1);
    }
    // 2 + 255 = 257 members.
    let resp = app.register_raw(&body).await;
    let err = assert_invalid_metadata(&resp, "");
    assert_eq!(err["error_description"], "body: more than 256 members");
    body.as_object_mut().map(|o| o.remove("x0"));
    let resp = app.register_raw(&body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
}

/// REG-4: open registration may be rate-limited or otherwise limited.
#[tokio::test]
async fn total_metadata_is_bounded_even_under_a_larger_body_limit() {
    let app = App::with(|b| b.max_body_bytes(1024 * 1024));
    let mut body = min();
    for i in 0..40 {
        body[format!("x{i}")] = json!("p".repeat(2000));
    }
    // About 80 KiB: within the body limit, past the 64 KiB of metadata.
    let resp = app.register_raw(&body).await;
    let err = assert_invalid_metadata(&resp, "");
    assert_eq!(
        err["error_description"],
        "body: metadata larger than 65536 bytes"
    );
}

// ---------------------------------------------------------------------------------------------
// Configured limits, PUT, and the host's Registry calls.
// ---------------------------------------------------------------------------------------------

fn tight() -> MetadataLimits {
    MetadataLimits {
        max_redirect_uris: 2,
        max_redirect_uri_bytes: 40,
        max_string_bytes: 40,
        ..MetadataLimits::default()
    }
}

/// VAL-37: a request that fails validation changes nothing.
/// MGT-17: invalid metadata in an update is an RFC 7591 error, and the client stays as it was.
#[tokio::test]
async fn configured_limits_apply_to_post_and_put_and_a_refused_put_changes_nothing() {
    let app = App::with(|b| b.metadata_limits(tight()));
    let three = json!({"redirect_uris": redirect_uris(3)});
    let err = assert_invalid_redirect(&app.register_raw(&three).await, "");
    assert_eq!(err["error_description"], "redirect_uris: at most 2 entries");
    let long_uri = json!({"redirect_uris": [format!("https://rp.example.org/{}", "l".repeat(20))]});
    let err = assert_invalid_redirect(&app.register_raw(&long_uri).await, "");
    assert_eq!(
        err["error_description"],
        "redirect_uris[0]: longer than 40 bytes"
    );

    let client = app.register(&min()).await;
    let resp = app.update(&client, &three).await;
    let err = assert_invalid_redirect(&resp, "");
    assert_eq!(err["error_description"], "redirect_uris: at most 2 entries");
    let long_name = merged(&min(), &json!({"client_name": "n".repeat(41)}));
    let resp = app.update(&client, &long_name).await;
    let err = assert_invalid_metadata(&resp, "");
    assert_eq!(
        err["error_description"],
        "client_name: longer than 40 bytes"
    );

    let read = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["redirect_uris"], json!([REDIRECT]));
    assert_eq!(read.json()["client_name"], "t");
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[tokio::test]
async fn the_hosts_register_and_replace_calls_are_bounded_too() {
    let config = RegistrationConfig::builder(common::ISSUER)
        .metadata_limits(tight())
        .build()
        .expect("config");
    let registry = Registry::new(&config);
    let three = object(json!({"redirect_uris": redirect_uris(3)}));
    let err = registry
        .register(Requester::host(), three.clone())
        .await
        .expect_err("three redirect URIs");
    assert!(
        matches!(&err, RegistrationError::Metadata(m)
            if m.description() == "redirect_uris: at most 2 entries"),
        "{err:?}"
    );
    let client = registry
        .register(Requester::host(), object(min()))
        .await
        .expect("register");
    let err = registry
        .update(Requester::host(), client.client_id(), three)
        .await
        .expect_err("three redirect URIs");
    assert_eq!(err.code(), "invalid_redirect_uri");
    assert_eq!(
        tower_oidc_registration::error_response(err).status(),
        StatusCode::BAD_REQUEST
    );
    let stored = registry
        .lookup(client.client_id())
        .await
        .expect("store")
        .expect("still there");
    assert_eq!(
        stored
            .metadata()
            .parse()
            .expect("metadata")
            .redirect_uris
            .map(|u| u.len()),
        Some(1)
    );
}

#[test]
fn a_zero_limit_is_a_configuration_error() {
    let err = RegistrationConfig::builder(common::ISSUER)
        .metadata_limits(MetadataLimits {
            max_redirect_uris: 0,
            ..MetadataLimits::default()
        })
        .build()
        .expect_err("zero bound");
    assert!(err.to_string().contains("max_redirect_uris"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// The body limit: never more than the limit pulled from the client.
// ---------------------------------------------------------------------------------------------

/// An endless request body of `chunk`-byte frames, counting the bytes the server pulls.
struct EndlessBody {
    chunk: Bytes,
    pulled: Arc<AtomicUsize>,
}

impl Body for EndlessBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.pulled.fetch_add(self.chunk.len(), Ordering::SeqCst);
        Poll::Ready(Some(Ok(Frame::data(self.chunk.clone()))))
    }
}

#[tokio::test]
async fn an_endless_streamed_body_gets_413_after_at_most_the_limit_is_pulled() {
    const LIMIT: usize = 64 * 1024;
    const CHUNK: usize = 1000;
    let app = App::with(|b| b.max_body_bytes(LIMIT));
    let pulled = Arc::new(AtomicUsize::new(0));
    let body = EndlessBody {
        chunk: Bytes::from(vec![b' '; CHUNK]),
        pulled: Arc::clone(&pulled),
    };
    let request = Request::post("/register")
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.boxed())
        .expect("request");
    let resp = app.send(request).await;
    assert_error(
        &resp,
        StatusCode::PAYLOAD_TOO_LARGE,
        Some("invalid_request"),
    );
    let pulled = pulled.load(Ordering::SeqCst);
    // The frame that crosses the limit is the last one read: nothing is buffered past it.
    assert!(
        pulled > LIMIT && pulled <= LIMIT + CHUNK,
        "pulled {pulled} bytes for a limit of {LIMIT}"
    );
}

#[tokio::test]
async fn a_declared_oversize_body_gets_413_without_a_byte_pulled() {
    let app = App::new();
    let pulled = Arc::new(AtomicUsize::new(0));
    let body = EndlessBody {
        chunk: Bytes::from_static(b"xxxx"),
        pulled: Arc::clone(&pulled),
    };
    let request = Request::post("/register")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, 10 * 1024 * 1024)
        .body(body.boxed())
        .expect("request");
    let resp = app.send(request).await;
    assert_error(&resp, StatusCode::PAYLOAD_TOO_LARGE, None);
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
}

// ---------------------------------------------------------------------------------------------
// Rejected requests leave nothing behind.
// ---------------------------------------------------------------------------------------------

/// REG-4: open registration may be rate-limited or otherwise limited.
/// VAL-37: a request that fails validation changes nothing.
#[tokio::test]
async fn thousands_of_rejected_oversize_requests_store_nothing() {
    let store = MemoryStore::new();
    let app = App::with(|b| b.store(store.clone()));
    let oversize = [
        merged(&min(), &json!({"redirect_uris": redirect_uris(65)})),
        merged(&min(), &json!({"client_name": "n".repeat(3000)})),
        merged(
            &min(),
            &json!({"ext": json!([[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]])}),
        ),
    ];
    for round in 0..1000 {
        let body = &oversize[round % oversize.len()];
        let resp = app.register_raw(body).await;
        assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{}", resp.text());
        let resp = app
            .post_raw("/register", Some("application/json"), vec![b' '; 70 * 1024])
            .await;
        assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    }
    assert_eq!(store.count().await.expect("count"), 0);
    // And the server still registers.
    app.register(&min()).await;
    assert_eq!(store.count().await.expect("count"), 1);
}

/// REG-4: open registration may be rate-limited or otherwise limited: a memory store holds no
/// more clients than its bound, and a registration past it is 403 `access_denied` naming the
/// bound, until a deletion frees a slot.
#[tokio::test]
async fn a_memory_store_at_its_bound_refuses_registrations_until_a_client_is_deleted() {
    let store = MemoryStore::with_max_clients(2);
    let app = App::with(|b| b.store(store.clone()));
    let first = app.register(&min()).await;
    app.register(&min()).await;
    let refused = app.register_raw(&min()).await;
    let body = assert_error(&refused, StatusCode::FORBIDDEN, Some("access_denied"));
    common::assert_description_mentions(&body, "registration limit of 2 clients");
    assert_eq!(store.count().await.expect("count"), 2);
    let deleted = app.delete(&first.path(), Some(&first.token)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.register(&min()).await;
}
