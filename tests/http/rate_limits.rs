//! Registration rate limits through the layer: `429 Too Many Requests` with `Retry-After` past a
//! limit per client address or for the whole server, at the exact millisecond of a test clock;
//! failed attempts counted; the limit checked before the body is read; the host never limited;
//! two layers over one store sharing the limits.

use std::net::SocketAddr;

use bytes::Bytes;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tower_oidc_registration::rate_limit::{Rate, RateLimit};
use tower_oidc_registration::{
    MemoryStore, RegistrationAccess, RegistrationConfig, RegistrationConfigBuilder, Registry,
    Requester,
};

use crate::common::captured::{Captured, run_alone_in_a_child};
use crate::common::{
    self, App, CLOCK_START, ISSUER, Resp, TestClock, assert_error, full, min, streamed,
};

/// `POST /register` of `body` from the peer `peer` (`address:port`), as a server inserts it.
async fn post_from(app: &App, peer: &str, body: &Value) -> Resp {
    let bytes = serde_json::to_vec(body).expect("serialize");
    let mut request = Request::post("/register")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, bytes.len())
        .body(full(bytes))
        .expect("request");
    request
        .extensions_mut()
        .insert(peer.parse::<SocketAddr>().expect("a socket address"));
    app.send(request).await
}

/// A layer on `clock` whose registrations are limited by `limit`.
fn limited(
    clock: &TestClock,
    limit: RateLimit,
    more: impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder,
) -> App {
    App::with(|b| more(b.clock(clock.clone()).registration_rate_limit(Some(limit))))
}

/// ERR-12's shape: 429 with `Retry-After` in whole seconds and an RFC-shaped body.
#[track_caller]
fn assert_limited(resp: &Resp, retry_after: &str) {
    let body = assert_error(
        resp,
        StatusCode::TOO_MANY_REQUESTS,
        Some("temporarily_unavailable"),
    );
    assert_eq!(
        resp.header(header::RETRY_AFTER),
        Some(retry_after),
        "{body}"
    );
    assert_eq!(resp.header(header::CACHE_CONTROL), Some("no-store"));
    assert_eq!(resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
    common::assert_description_mentions(&body, "too many registration requests");
}

/// REG-4: open registration may be rate-limited or otherwise limited.
/// ERR-12: a registration past a rate limit is 429 with `Retry-After` and an error body.
///
/// Per client address: past the limit, 429 with `Retry-After` in whole seconds rounded up,
/// `temporarily_unavailable` and no-store; another address is not affected, and the refused one
/// is admitted again at the exact millisecond the limit allows.
#[tokio::test]
async fn registration_past_the_limit_of_its_address_is_429_with_retry_after() {
    let clock = TestClock::at(CLOCK_START);
    let app = limited(&clock, RateLimit::per_address(Rate::per_minute(2)), |b| b);
    for _ in 0..2 {
        let resp = post_from(&app, "192.0.2.1:40000", &min()).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    }
    assert_limited(&post_from(&app, "192.0.2.1:40001", &min()).await, "30");
    // Another address has its own limit.
    let other = post_from(&app, "192.0.2.2:40000", &min()).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text());
    // 29.999 s on: one millisecond to wait, rounded up to a second.
    clock.advance_millis(29_999);
    assert_limited(&post_from(&app, "192.0.2.1:40000", &min()).await, "1");
    clock.advance_millis(1);
    let again = post_from(&app, "192.0.2.1:40000", &min()).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text());
    assert_limited(&post_from(&app, "192.0.2.1:40000", &min()).await, "30");
}

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// An IPv6 client is limited by its /64: another address of the same /64 is the same client,
/// another /64 is not.
#[tokio::test]
async fn an_ipv6_client_is_limited_by_its_64() {
    let clock = TestClock::at(CLOCK_START);
    let app = limited(&clock, RateLimit::per_address(Rate::per_hour(1)), |b| b);
    let first = post_from(&app, "[2001:db8:1:2::1]:1", &min()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    assert_limited(
        &post_from(&app, "[2001:db8:1:2:ffff::9]:1", &min()).await,
        "3600",
    );
    let other = post_from(&app, "[2001:db8:1:3::1]:1", &min()).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text());
}

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// Every attempt counts against its address's limit, those refused for their metadata or their
/// initial access token too: abuse is what is limited. A malformed `Authorization` is refused
/// before the caller is looked at, and counts against nothing.
#[tokio::test]
async fn refused_registrations_count_against_the_limit() {
    let clock = TestClock::at(CLOCK_START);
    let app = limited(&clock, RateLimit::per_address(Rate::per_minute(3)), |b| b);
    let peer = "198.51.100.7:5000";
    let bad = post_from(&app, peer, &json!({"redirect_uris": ["not a uri"]})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());
    let mut wrong_token = Request::post("/register")
        .header(header::AUTHORIZATION, "Bearer not-a-token-of-this-server")
        .header(header::CONTENT_TYPE, "application/json")
        .body(full(serde_json::to_vec(&min()).expect("json")))
        .expect("request");
    wrong_token
        .extensions_mut()
        .insert(peer.parse::<SocketAddr>().expect("address"));
    let resp = app.send(wrong_token).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{}", resp.text());
    let mut two_tokens = Request::post("/register")
        .header(header::AUTHORIZATION, "Bearer a")
        .header(header::AUTHORIZATION, "Bearer b")
        .body(full(Bytes::new()))
        .expect("request");
    two_tokens
        .extensions_mut()
        .insert(peer.parse::<SocketAddr>().expect("address"));
    let resp = app.send(two_tokens).await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{}", resp.text());
    let bad = post_from(&app, peer, &json!({"redirect_uris": ["not a uri"]})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());
    // Three attempts, none registered: the limit is spent all the same.
    assert_limited(&post_from(&app, peer, &min()).await, "20");
}

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// The limit is checked before the body is read: a request past it is refused whatever its
/// body, which is never read (a body over the size limit would be 413).
#[tokio::test]
async fn the_limit_is_checked_before_the_body_is_read() {
    let clock = TestClock::at(CLOCK_START);
    let app = limited(&clock, RateLimit::per_address(Rate::per_hour(1)), |b| {
        b.max_body_bytes(1024)
    });
    let peer = "192.0.2.50:1";
    let first = post_from(&app, peer, &min()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let huge = json!({"redirect_uris": [common::REDIRECT], "client_name": "x".repeat(4096)});
    assert_limited(&post_from(&app, peer, &huge).await, "3600");
    // A streamed body that would fail if read at all.
    let mut request = Request::post("/register")
        .header(header::CONTENT_TYPE, "application/json")
        .body(streamed(vec![Bytes::from_static(b"{\"redirect_uris\": [")]))
        .expect("request");
    request
        .extensions_mut()
        .insert(peer.parse::<SocketAddr>().expect("address"));
    assert_limited(&app.send(request).await, "3600");
}

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// The overall limit holds whatever the address, and for requests without one; an address over
/// its own limit spends nothing of it.
#[tokio::test]
async fn the_overall_limit_holds_across_addresses_and_is_not_spent_by_an_abuser() {
    let clock = TestClock::at(CLOCK_START);
    let app = limited(
        &clock,
        RateLimit::per_address(Rate::per_hour(1)).overall(Rate::per_minute(3)),
        |b| b,
    );
    let first = post_from(&app, "203.0.113.66:1", &min()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    for _ in 0..50 {
        assert_limited(&post_from(&app, "203.0.113.66:1", &min()).await, "3600");
    }
    for peer in ["203.0.113.1:1", "203.0.113.2:1"] {
        let resp = post_from(&app, peer, &min()).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    }
    assert_limited(&post_from(&app, "203.0.113.3:1", &min()).await, "20");
    // A request without an address meets the overall limit alone.
    assert_limited(&app.register_raw(&min()).await, "20");
    clock.advance(20);
    let resp = app.register_raw(&min()).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
}

/// `POST /register` of `body` from `peer` with `Authorization: Bearer token`.
async fn post_with_token(app: &App, peer: &str, token: &str, body: &Value) -> Resp {
    let mut request = Request::post("/register")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(full(serde_json::to_vec(body).expect("serialize")))
        .expect("request");
    request
        .extensions_mut()
        .insert(peer.parse::<SocketAddr>().expect("a socket address"));
    app.send(request).await
}

/// On a protected server, callers who may not register (wrong or missing initial access
/// tokens, from any number of addresses) spend their own addresses' limits but nothing of the
/// server's: a token holder registers after a distributed flood of guesses.
#[tokio::test]
async fn refused_callers_spend_nothing_of_the_overall_limit() {
    const TOKEN: &str = "initial-access-token-of-the-operator";
    let clock = TestClock::at(CLOCK_START);
    let app = limited(
        &clock,
        RateLimit::per_address(Rate::per_hour(2)).overall(Rate::per_minute(2)),
        |b| {
            b.registration_access(RegistrationAccess::InitialAccessToken)
                .initial_access_token(TOKEN)
        },
    );
    for n in 1..=20 {
        let peer = format!("198.51.100.{n}:1");
        let guess = post_with_token(&app, &peer, "guessed-initial-access-token", &min()).await;
        assert_eq!(guess.status, StatusCode::UNAUTHORIZED, "{}", guess.text());
        let none = post_from(&app, &peer, &min()).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{}", none.text());
        // Each guessing address is over its own limit now.
        assert_limited(&post_with_token(&app, &peer, TOKEN, &min()).await, "1800");
    }
    for peer in ["203.0.113.1:1", "203.0.113.2:1"] {
        let resp = post_with_token(&app, peer, TOKEN, &min()).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    }
    // The admitted two spent the server's limit.
    assert_limited(
        &post_with_token(&app, "203.0.113.3:1", TOKEN, &min()).await,
        "30",
    );
}

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// The host's own registrations are never limited, nor counted.
#[tokio::test]
async fn the_host_is_never_limited() {
    let clock = TestClock::at(CLOCK_START);
    let config = RegistrationConfig::builder(ISSUER)
        .clock(clock.clone())
        .registration_rate_limit(Some(RateLimit::overall_only(Rate::per_hour(1))))
        .build()
        .expect("config");
    let registry = Registry::new(&config);
    let request = || match min() {
        Value::Object(map) => map,
        _ => unreachable!("min() is an object"),
    };
    for _ in 0..20 {
        registry
            .register(Requester::host(), request())
            .await
            .expect("the host registers");
    }
    // The host's registrations spent nothing: an anonymous one still gets the hour's one.
    registry
        .register(Requester::anonymous(), request())
        .await
        .expect("the first anonymous registration");
    let err = registry
        .register(
            Requester::anonymous().with_client_address("192.0.2.1".parse().expect("ip")),
            request(),
        )
        .await
        .expect_err("the second");
    assert!(
        matches!(
            err,
            tower_oidc_registration::RegistrationError::RateLimited { .. }
        ),
        "{err:?}"
    );
}

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// The limits live in the store: two layers (two replicas) over one store share them.
#[tokio::test]
async fn layers_sharing_a_store_share_the_limits() {
    let clock = TestClock::at(CLOCK_START);
    let store = MemoryStore::new();
    let replica = || {
        limited(&clock, RateLimit::per_address(Rate::per_minute(2)), |b| {
            b.store(store.clone())
        })
    };
    let (a, b) = (replica(), replica());
    let peer = "192.0.2.77:1";
    assert_eq!(
        post_from(&a, peer, &min()).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        post_from(&b, peer, &min()).await.status,
        StatusCode::CREATED
    );
    assert_limited(&post_from(&a, peer, &min()).await, "30");
    assert_limited(&post_from(&b, peer, &min()).await, "30");
}

/// Without a configured limit nothing is limited (the library's default).
#[tokio::test]
async fn without_a_limit_nothing_is_limited() {
    let app = App::new();
    for _ in 0..30 {
        let resp = post_from(&app, "192.0.2.1:1", &min()).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    }
}

/// A rate that would refuse everything, or that is finer than a millisecond, fails the
/// configuration.
#[test]
fn unusable_rates_fail_the_configuration() {
    for limit in [
        RateLimit::per_address(Rate::per_minute(0)),
        RateLimit::per_address(Rate::per_minute(5).burst(0)),
        RateLimit::overall_only(Rate::per_second(5_000)),
    ] {
        let err = RegistrationConfig::builder(ISSUER)
            .registration_rate_limit(Some(limit))
            .build()
            .expect_err("refused");
        assert!(
            err.to_string().starts_with("registration_rate_limit: "),
            "{err}"
        );
    }
    // Protected registration may be limited too.
    RegistrationConfig::builder(ISSUER)
        .registration_access(RegistrationAccess::InitialAccessToken)
        .registration_rate_limit(Some(RateLimit::per_address(Rate::per_minute(5))))
        .build()
        .expect("valid");
}

/// Set in the child process that runs [`no_address_child`].
const NO_ADDRESS_CHILD_ENV: &str = "HTTP_RATE_LIMITS_NO_ADDRESS_CHILD";

/// A host whose server inserts no client address gets one warning saying the limit per address
/// does not apply, not one per request.
#[test]
fn requests_without_an_address_are_warned_about_once() {
    run_alone_in_a_child("rate_limits::no_address_child", NO_ADDRESS_CHILD_ENV);
}

#[test]
#[ignore = "run alone in a child process by requests_without_an_address_are_warned_about_once"]
fn no_address_child() {
    let (captured, subscriber) = Captured::subscriber(tracing::Level::WARN);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let clock = TestClock::at(CLOCK_START);
            let app = limited(&clock, RateLimit::per_address(Rate::per_minute(5)), |b| b);
            for _ in 0..3 {
                let resp = app.register_raw(&min()).await;
                assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
            }
        })
    });
    let logs = captured.text();
    assert_eq!(
        logs.matches("carries no client address").count(),
        1,
        "one warning, not one per request:\n{logs}"
    );
}
