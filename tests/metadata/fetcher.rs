//! The built-in `HttpsFetcher` against a local HTTPS server with a generated certificate and
//! an explicit allowance for loopback: what it fetches, each of its refusals (a refused
//! request never reaches the server), and its cache.

use std::time::Duration;

use crate::common::{CLOCK_START, TestClock};
use crate::https_server::{Route, TestServer};
use serde_json::json;
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
        fetcher.fetch_json(&server.uri(DOC)).await,
        Ok(json!(["https://rp.example.org/cb"]))
    );
    assert_eq!(
        fetcher.fetch_json(&server.uri("/jwks")).await,
        Ok(json!({"keys": []}))
    );
    // By name too: `localhost` resolves to loopback, which the test allows.
    let by_name = format!("https://localhost:{}{DOC}", server.addr.port());
    assert!(fetcher.fetch_json(&by_name).await.is_ok());
}

/// VAL-28: a sector document is fetched only from a public address, over https, without redirects.
#[tokio::test]
async fn http_scheme_is_refused() {
    let server = server().await;
    let uri = format!("http://127.0.0.1:{}{DOC}", server.addr.port());
    assert_eq!(
        server.fetcher().fetch_json(&uri).await,
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
        server.fetcher().fetch_json(&server.uri("/moved")).await,
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
        match fetcher.fetch_json(&uri).await {
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
                fetcher.fetch_json(uri).await,
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
            fetcher.fetch_json(&server.uri(path)).await,
            Err(FetchError::TooLarge(4096)),
            "{path}"
        );
    }
    // The limit is what refuses them: the same documents under a larger one are fine.
    let roomy = server.fetcher();
    assert!(roomy.fetch_json(&server.uri("/big-chunked")).await.is_ok());
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
        fetcher.fetch_json(&server.uri("/slow")).await,
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
        fetcher.fetch_json(&server.uri("/page")).await,
        Err(FetchError::ContentType("text/html".into()))
    );
    assert!(matches!(
        fetcher.fetch_json(&server.uri("/untyped")).await,
        Err(FetchError::ContentType(_))
    ));
    // What the remote server sent is not echoed into the client-facing message.
    server.set(
        "/chatty",
        Route::raw(200, Some("text/plain; note=internal-build-4711"), "[]"),
    );
    let err = fetcher
        .fetch_json(&server.uri("/chatty"))
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
        .fetch_json("https://10.1.2.3/doc.json")
        .await
        .expect_err("private");
    let unknown = fetcher
        .fetch_json("https://no-such-host.invalid/doc.json")
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
        fetcher.fetch_json(&server.uri("/missing")).await,
        Err(FetchError::Status(404))
    );
    assert_eq!(
        fetcher.fetch_json(&server.uri("/broken")).await,
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
        fetcher.fetch_json(&server.uri(DOC)).await,
        Err(FetchError::Connect(_))
    ));
    assert_eq!(server.hits(DOC), 0);
}

#[tokio::test]
async fn documents_are_cached_for_their_lifetime() {
    let server = server().await;
    let cached = server.fetcher();
    for _ in 0..3 {
        cached.fetch_json(&server.uri(DOC)).await.expect("fetch");
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
        short.fetch_json(&server.uri("/short")).await,
        Ok(json!(["a"]))
    );
    server.set("/short", Route::json(&json!(["b"])));
    clock.advance(59);
    assert_eq!(
        short.fetch_json(&server.uri("/short")).await,
        Ok(json!(["a"])),
        "fresh until its lifetime is over"
    );
    clock.advance(1);
    assert_eq!(
        short.fetch_json(&server.uri("/short")).await,
        Ok(json!(["b"])),
        "stale from the second its lifetime ends"
    );
    assert_eq!(server.hits("/short"), 2);
    clock.advance(59);
    assert_eq!(
        short.fetch_json(&server.uri("/short")).await,
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
            .fetch_json(&server.uri("/uncached"))
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
        fetcher.fetch_json(&server.uri("/later")).await,
        Err(FetchError::Status(404))
    );
    server.set("/later", Route::json(&json!(["now"])));
    assert_eq!(
        fetcher.fetch_json(&server.uri("/later")).await,
        Ok(json!(["now"]))
    );
}

#[tokio::test]
async fn uncached_fetches_neither_read_nor_fill_the_cache() {
    let server = server().await;
    server.set("/keys", Route::json(&json!({"keys": ["old"]})));
    let fetcher = server.fetcher();
    // A cached document...
    assert_eq!(
        fetcher.fetch_json(&server.uri("/keys")).await,
        Ok(json!({"keys": ["old"]}))
    );
    server.set("/keys", Route::json(&json!({"keys": ["new"]})));
    // ...is not what an uncached fetch sees, nor does that fetch replace it.
    assert_eq!(
        fetcher.fetch_json_uncached(&server.uri("/keys")).await,
        Ok(json!({"keys": ["new"]}))
    );
    assert_eq!(
        fetcher.fetch_json(&server.uri("/keys")).await,
        Ok(json!({"keys": ["old"]}))
    );
    assert_eq!(server.hits("/keys"), 2);
    // Nor is an uncached fetch stored for a later cached one.
    for _ in 0..2 {
        fetcher
            .fetch_json_uncached(&server.uri(DOC))
            .await
            .expect("fetch");
    }
    fetcher.fetch_json(&server.uri(DOC)).await.expect("fetch");
    assert_eq!(server.hits(DOC), 3);
}

#[tokio::test]
async fn fetches_beyond_the_concurrency_limit_fail_fast() {
    let server = server().await;
    server.set(
        "/slow",
        Route::json(&json!(["slow"])).delayed(Duration::from_secs(1)),
    );
    let fetcher = server
        .fetcher_builder()
        .max_concurrent_fetches(1)
        .build()
        .expect("fetcher");
    let first = tokio::spawn({
        let (fetcher, uri) = (fetcher.clone(), server.uri("/slow"));
        async move { fetcher.fetch_json(&uri).await }
    });
    // Once the slow request has reached the server, its fetch holds the only permit.
    while server.hits("/slow") == 0 && !first.is_finished() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Another document (uncached or not) is refused at once, without a request.
    assert_eq!(
        fetcher.fetch_json(&server.uri(DOC)).await,
        Err(FetchError::TooManyFetches)
    );
    assert_eq!(
        fetcher.fetch_json_uncached(&server.uri(DOC)).await,
        Err(FetchError::TooManyFetches)
    );
    assert_eq!(server.hits(DOC), 0);
    // The first fetch is not disturbed, and its permit is returned when it ends.
    assert_eq!(first.await.expect("task"), Ok(json!(["slow"])));
    assert_eq!(
        fetcher.fetch_json(&server.uri(DOC)).await,
        Ok(json!(["https://rp.example.org/cb"]))
    );
    // The limit must allow something.
    assert!(matches!(
        server.fetcher_builder().max_concurrent_fetches(0).build(),
        Err(FetchError::Other(_))
    ));
}
