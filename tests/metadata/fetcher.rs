//! The built-in `HttpsFetcher` against a local HTTPS server with a generated certificate and
//! an explicit allowance for loopback: what it fetches, each of its refusals (a refused
//! request never reaches the server), and its cache.

use std::time::Duration;

use crate::common::{CLOCK_START, TestClock};
use crate::https_server::{Route, TestServer};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tower_oidc_registration::fetch::FetchPurpose::{self, ClientNamed, OperatorConfigured};
use tower_oidc_registration::fetch::{FetchError, HttpsFetcher, UriFetcher};

const DOC: &str = "/doc.json";

async fn server() -> TestServer {
    TestServer::start([(DOC, Route::json(&json!(["https://rp.example.org/cb"])))]).await
}

#[tokio::test]
async fn fetches_json_from_a_trusted_https_server() {
    let server = server().await;
    server.set(
        "/jwks",
        Route::raw(200, Some("application/jwk-set+json"), r#"{"keys":[]}"#),
    );
    let fetcher = server.fetcher();
    assert_eq!(
        fetcher
            .fetch_json(&server.uri(DOC), OperatorConfigured)
            .await,
        Ok(json!(["https://rp.example.org/cb"]))
    );
    assert_eq!(
        fetcher
            .fetch_json(&server.uri("/jwks"), OperatorConfigured)
            .await,
        Ok(json!({"keys": []}))
    );
    // By name too: `localhost` resolves to loopback, which the test allows.
    let by_name = format!("https://localhost:{}{DOC}", server.addr.port());
    assert!(
        fetcher
            .fetch_json(&by_name, OperatorConfigured)
            .await
            .is_ok()
    );
}

/// VAL-28: a sector document is fetched only from a public address, over https, without redirects.
#[tokio::test]
async fn http_scheme_is_refused() {
    let server = server().await;
    let uri = format!("http://127.0.0.1:{}{DOC}", server.addr.port());
    assert_eq!(
        server.fetcher().fetch_json(&uri, ClientNamed).await,
        Err(FetchError::NotHttps)
    );
    assert_eq!(server.hits(DOC), 0);
}

/// VAL-28: a sector document is fetched only from a public address, over https, without redirects.
#[tokio::test]
async fn redirect_is_not_followed() {
    let server = server().await;
    server.set("/moved", Route::redirect(&server.uri(DOC)));
    assert_eq!(
        server
            .fetcher()
            .fetch_json(&server.uri("/moved"), ClientNamed)
            .await,
        Err(FetchError::Redirect(302))
    );
    assert_eq!(server.hits("/moved"), 1);
    assert_eq!(server.hits(DOC), 0, "the redirect was followed");
}

#[tokio::test]
async fn loopback_is_refused_without_the_allowance() {
    let server = server().await;
    let fetcher = HttpsFetcher::builder()
        .add_root_certificate(server.certificate.clone())
        .build()
        .expect("fetcher");
    let by_name = format!("https://localhost:{}{DOC}", server.addr.port());
    for uri in [server.uri(DOC), by_name] {
        match fetcher.fetch_json(&uri, OperatorConfigured).await {
            Err(FetchError::ForbiddenAddress { address, .. }) => {
                assert!(address.is_loopback(), "{uri}: {address}")
            }
            other => panic!("{uri}: {other:?}"),
        }
    }
    assert_eq!(server.hits(DOC), 0);
}

/// VAL-28: a sector document is fetched only from a public address, over https, without redirects.
#[tokio::test]
async fn private_addresses_are_refused_even_with_the_loopback_allowance() {
    let server = server().await;
    let fetcher = server.fetcher();
    for uri in [
        "https://10.0.0.1/doc.json",
        "https://169.254.169.254/latest/meta-data",
        "https://[fe80::1]/doc.json",
        "https://[::ffff:192.168.0.1]/doc.json",
    ] {
        assert!(
            matches!(
                fetcher.fetch_json(uri, ClientNamed).await,
                Err(FetchError::ForbiddenAddress { .. })
            ),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn oversize_body_is_refused() {
    let server = server().await;
    let big = serde_json::to_string(&vec!["x".repeat(100); 100]).expect("json");
    server.set(
        "/big",
        Route::raw(200, Some("application/json"), big.clone()),
    );
    server.set(
        "/big-chunked",
        Route::raw(200, Some("application/json"), big).chunked(),
    );
    let fetcher = server
        .fetcher_builder()
        .max_body_bytes(4096)
        .build()
        .expect("fetcher");
    for path in ["/big", "/big-chunked"] {
        assert_eq!(
            fetcher
                .fetch_json(&server.uri(path), OperatorConfigured)
                .await,
            Err(FetchError::TooLarge(4096)),
            "{path}"
        );
    }
    // The limit is what refuses them: the same documents under a larger one are fine.
    let roomy = server.fetcher();
    assert!(
        roomy
            .fetch_json(&server.uri("/big-chunked"), OperatorConfigured)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn slow_server_times_out() {
    let server = server().await;
    server.set(
        "/slow",
        Route::json(&json!([])).delayed(Duration::from_secs(30)),
    );
    let fetcher = server
        .fetcher_builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("fetcher");
    assert_eq!(
        fetcher
            .fetch_json(&server.uri("/slow"), OperatorConfigured)
            .await,
        Err(FetchError::Timeout(Duration::from_millis(300)))
    );
}

#[tokio::test]
async fn non_json_content_type_is_refused() {
    let server = server().await;
    server.set("/page", Route::raw(200, Some("text/html"), "[]"));
    server.set("/untyped", Route::raw(200, None, "[]"));
    let fetcher = server.fetcher();
    assert_eq!(
        fetcher
            .fetch_json(&server.uri("/page"), OperatorConfigured)
            .await,
        Err(FetchError::ContentType("text/html".into()))
    );
    assert!(matches!(
        fetcher
            .fetch_json(&server.uri("/untyped"), OperatorConfigured)
            .await,
        Err(FetchError::ContentType(_))
    ));
    // What the remote server sent is not echoed into the client-facing message.
    server.set(
        "/chatty",
        Route::raw(200, Some("text/plain; note=internal-build-4711"), "[]"),
    );
    let err = fetcher
        .fetch_json(&server.uri("/chatty"), OperatorConfigured)
        .await
        .expect_err("not JSON");
    assert_eq!(err.to_string(), "the response's content type is not JSON");
    assert!(
        format!("{err:?}").contains("internal-build-4711"),
        "{err:?}"
    );
}

#[tokio::test]
async fn unresolvable_and_private_hosts_are_displayed_alike() {
    let fetcher = HttpsFetcher::builder().build().expect("fetcher");
    let private = fetcher
        .fetch_json("https://10.1.2.3/doc.json", OperatorConfigured)
        .await
        .expect_err("private");
    let unknown = fetcher
        .fetch_json("https://no-such-host.invalid/doc.json", OperatorConfigured)
        .await
        .expect_err("unresolvable");
    assert!(
        matches!(private, FetchError::ForbiddenAddress { .. }),
        "{private:?}"
    );
    assert!(matches!(unknown, FetchError::Resolve(_)), "{unknown:?}");
    assert_eq!(private.to_string(), unknown.to_string());
    assert_eq!(
        private.to_string(),
        "the host is not reachable from this server"
    );
}

#[tokio::test]
async fn error_status_and_invalid_json_are_refused() {
    let server = server().await;
    server.set("/broken", Route::raw(200, Some("application/json"), "[1,"));
    let fetcher = server.fetcher();
    assert_eq!(
        fetcher
            .fetch_json(&server.uri("/missing"), OperatorConfigured)
            .await,
        Err(FetchError::Status(404))
    );
    assert_eq!(
        fetcher
            .fetch_json(&server.uri("/broken"), OperatorConfigured)
            .await,
        Err(FetchError::InvalidJson)
    );
}

#[tokio::test]
async fn untrusted_certificate_is_refused() {
    let server = server().await;
    let fetcher = HttpsFetcher::builder()
        .allow_loopback(true)
        .build()
        .expect("fetcher");
    assert!(matches!(
        fetcher
            .fetch_json(&server.uri(DOC), OperatorConfigured)
            .await,
        Err(FetchError::Connect(_))
    ));
    assert_eq!(server.hits(DOC), 0);
}

#[tokio::test]
async fn documents_are_cached_for_their_lifetime() {
    let server = server().await;
    let cached = server.fetcher();
    for _ in 0..3 {
        cached
            .fetch_json(&server.uri(DOC), OperatorConfigured)
            .await
            .expect("fetch");
    }
    assert_eq!(server.hits(DOC), 1, "the default cache keeps the document");

    // A changed document is seen from the lifetime's last second on, by the fetcher's clock.
    server.set("/short", Route::json(&json!(["a"])));
    let clock = TestClock::at(CLOCK_START);
    let short = server
        .fetcher_builder()
        .cache_lifetime(Duration::from_secs(60))
        .clock(clock.clone())
        .build()
        .expect("fetcher");
    assert_eq!(
        short
            .fetch_json(&server.uri("/short"), OperatorConfigured)
            .await,
        Ok(json!(["a"]))
    );
    server.set("/short", Route::json(&json!(["b"])));
    clock.advance(59);
    assert_eq!(
        short
            .fetch_json(&server.uri("/short"), OperatorConfigured)
            .await,
        Ok(json!(["a"])),
        "fresh until its lifetime is over"
    );
    clock.advance(1);
    assert_eq!(
        short
            .fetch_json(&server.uri("/short"), OperatorConfigured)
            .await,
        Ok(json!(["b"])),
        "stale from the second its lifetime ends"
    );
    assert_eq!(server.hits("/short"), 2);
    clock.advance(59);
    assert_eq!(
        short
            .fetch_json(&server.uri("/short"), OperatorConfigured)
            .await,
        Ok(json!(["b"])),
        "the refetched document has a lifetime of its own"
    );
    assert_eq!(server.hits("/short"), 2);

    // Without a cache every fetch is a request.
    server.set("/uncached", Route::json(&json!([])));
    let uncached = server
        .fetcher_builder()
        .cache_lifetime(Duration::ZERO)
        .build()
        .expect("fetcher");
    for _ in 0..2 {
        uncached
            .fetch_json(&server.uri("/uncached"), OperatorConfigured)
            .await
            .expect("fetch");
    }
    assert_eq!(server.hits("/uncached"), 2);
}

#[tokio::test]
async fn failures_are_not_cached() {
    let server = server().await;
    let fetcher = server.fetcher();
    assert_eq!(
        fetcher
            .fetch_json(&server.uri("/later"), OperatorConfigured)
            .await,
        Err(FetchError::Status(404))
    );
    server.set("/later", Route::json(&json!(["now"])));
    assert_eq!(
        fetcher
            .fetch_json(&server.uri("/later"), OperatorConfigured)
            .await,
        Ok(json!(["now"]))
    );
}

#[tokio::test]
async fn client_named_fetches_neither_read_nor_fill_the_cache() {
    let server = server().await;
    server.set("/keys", Route::json(&json!({"keys": ["old"]})));
    let fetcher = server.fetcher();
    // A cached document...
    assert_eq!(
        fetcher
            .fetch_json(&server.uri("/keys"), OperatorConfigured)
            .await,
        Ok(json!({"keys": ["old"]}))
    );
    server.set("/keys", Route::json(&json!({"keys": ["new"]})));
    // ...is not what a client-named fetch sees, nor does that fetch replace it.
    assert_eq!(
        fetcher.fetch_json(&server.uri("/keys"), ClientNamed).await,
        Ok(json!({"keys": ["new"]}))
    );
    assert_eq!(
        fetcher
            .fetch_json(&server.uri("/keys"), OperatorConfigured)
            .await,
        Ok(json!({"keys": ["old"]}))
    );
    assert_eq!(server.hits("/keys"), 2);
    // Nor is a client-named fetch stored for a later operator-configured one.
    for _ in 0..2 {
        fetcher
            .fetch_json(&server.uri(DOC), ClientNamed)
            .await
            .expect("fetch");
    }
    fetcher
        .fetch_json(&server.uri(DOC), OperatorConfigured)
        .await
        .expect("fetch");
    assert_eq!(server.hits(DOC), 3);
}

/// A fetch of `path`, a route that answers late, returned once its request has reached the
/// server: from then on it holds a permit of its purpose's budget until it ends.
async fn held_fetch(
    server: &TestServer,
    fetcher: &HttpsFetcher,
    path: &str,
    purpose: FetchPurpose,
) -> JoinHandle<Result<Value, FetchError>> {
    let (fetcher, uri) = (fetcher.clone(), server.uri(path));
    let held = tokio::spawn(async move { fetcher.fetch_json(&uri, purpose).await });
    while server.hits(path) == 0 && !held.is_finished() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    held
}

/// SS-11: a trusted issuer's keys are fetched within a budget of their own, which the
/// documents clients name cannot exhaust.
#[tokio::test]
async fn each_purpose_has_a_budget_of_its_own_and_fetches_beyond_it_fail_fast() {
    let server = server().await;
    for slow in ["/slow-sector", "/slow-keys"] {
        server.set(
            slow,
            Route::json(&json!(["slow"])).delayed(Duration::from_secs(1)),
        );
    }
    // No cache: every operator-configured fetch is a request too.
    let fetcher = server
        .fetcher_builder()
        .cache_lifetime(Duration::ZERO)
        .max_concurrent_fetches(ClientNamed, 1)
        .max_concurrent_fetches(OperatorConfigured, 1)
        .build()
        .expect("fetcher");
    let doc = server.uri(DOC);

    // A client-named fetch holds the clients' budget: another is refused at once, without a
    // request, and the operator's documents are fetched all the same.
    let client_held = held_fetch(&server, &fetcher, "/slow-sector", ClientNamed).await;
    assert_eq!(
        fetcher.fetch_json(&doc, ClientNamed).await,
        Err(FetchError::TooManyFetches)
    );
    assert_eq!(server.hits(DOC), 0);
    assert!(fetcher.fetch_json(&doc, OperatorConfigured).await.is_ok());
    assert_eq!(server.hits(DOC), 1);

    // And the other way round.
    let operator_held = held_fetch(&server, &fetcher, "/slow-keys", OperatorConfigured).await;
    assert_eq!(
        fetcher.fetch_json(&doc, OperatorConfigured).await,
        Err(FetchError::TooManyFetches)
    );
    assert_eq!(
        fetcher.refetch_json(&doc, OperatorConfigured).await,
        Err(FetchError::TooManyFetches)
    );
    assert_eq!(server.hits(DOC), 1);

    // The held fetches are not disturbed, and their permits are returned when they end.
    for held in [client_held, operator_held] {
        assert_eq!(held.await.expect("task"), Ok(json!(["slow"])));
    }
    for purpose in [ClientNamed, OperatorConfigured] {
        assert_eq!(
            fetcher.fetch_json(&doc, purpose).await,
            Ok(json!(["https://rp.example.org/cb"])),
            "{purpose:?}"
        );
        // A budget must allow something.
        assert!(
            matches!(
                server
                    .fetcher_builder()
                    .max_concurrent_fetches(purpose, 0)
                    .build(),
                Err(FetchError::Other(_))
            ),
            "{purpose:?}"
        );
    }
}
