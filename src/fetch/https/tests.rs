use super::*;
use FetchPurpose::ClientNamed;

fn content_type(value: &str) -> Result<(), FetchError> {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_str(value).expect("header"),
    );
    check_content_type(&headers)
}

#[test]
fn json_content_types_only() {
    for ok in [
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/jwk-set+json",
    ] {
        assert!(content_type(ok).is_ok(), "{ok}");
    }
    for bad in [
        "text/html",
        "text/json",
        "application/jsonp",
        "application/+json/x",
    ] {
        assert!(
            matches!(content_type(bad), Err(FetchError::ContentType(_))),
            "{bad}"
        );
    }
    assert_eq!(
        check_content_type(&http::HeaderMap::new()),
        Err(FetchError::ContentType("(none)".into()))
    );
}

#[test]
fn redirects_and_errors_are_refused() {
    assert_eq!(
        check_status(StatusCode::FOUND),
        Err(FetchError::Redirect(302))
    );
    assert_eq!(
        check_status(StatusCode::NOT_FOUND),
        Err(FetchError::Status(404))
    );
    assert!(check_status(StatusCode::OK).is_ok());
}

#[test]
fn cache_weight_counts_body_uri_and_overhead() {
    let body = Bytes::from(vec![b'0'; 1000]);
    let uri = "https://a.example/x".to_owned();
    assert_eq!(
        cache_weight(&uri, &body) as usize,
        1000 + uri.len() + CACHE_ENTRY_OVERHEAD
    );
}

#[tokio::test]
async fn cache_is_bounded_by_bytes_not_documents() {
    // Room for one 10 KiB document, not two: whatever the number of entries allowed.
    let fetcher = HttpsFetcher::builder()
        .cache_max_bytes(15 * 1024)
        .build()
        .expect("fetcher");
    let cache = fetcher.inner.cache.as_ref().expect("a cache");
    let body = Bytes::from(format!("[{}0]", "0,".repeat(5 * 1024)));
    for i in 0..4 {
        cache
            .insert(
                format!("https://a.example/s.json?{i}"),
                CachedBody {
                    body: body.clone(),
                    stale_from: u64::MAX,
                },
            )
            .await;
        cache.run_pending_tasks().await;
        assert!(cache.entry_count() <= 1, "{} entries", cache.entry_count());
        assert!(cache.weighted_size() <= 15 * 1024);
    }
    // A document larger than the whole budget is not kept at all.
    let huge = Bytes::from(vec![b' '; 16 * 1024]);
    cache
        .insert(
            "https://a.example/huge".to_owned(),
            CachedBody {
                body: huge,
                stale_from: u64::MAX,
            },
        )
        .await;
    cache.run_pending_tasks().await;
    assert!(!cache.contains_key("https://a.example/huge"));
}

/// VAL-28: a sector document is fetched only from a public address, over https, without redirects.
#[tokio::test]
async fn non_https_and_private_hosts_are_refused_before_any_connection() {
    let fetcher = HttpsFetcher::builder().build().expect("fetcher");
    assert_eq!(
        fetcher
            .fetch_json("http://example.org/x", ClientNamed)
            .await,
        Err(FetchError::NotHttps)
    );
    assert_eq!(
        fetcher.fetch_json("not a uri", ClientNamed).await,
        Err(FetchError::InvalidUri)
    );
    for (uri, ip) in [
        ("https://127.0.0.1/x", "127.0.0.1"),
        ("https://10.0.0.1/x", "10.0.0.1"),
        (
            "https://[::ffff:169.254.169.254]/x",
            "::ffff:169.254.169.254",
        ),
        ("https://[fd00::1]:8443/x", "fd00::1"),
    ] {
        match fetcher.fetch_json(uri, ClientNamed).await {
            Err(FetchError::ForbiddenAddress { address, .. }) => {
                assert_eq!(address, ip.parse::<IpAddr>().expect("ip"), "{uri}");
            }
            other => panic!("{uri}: {other:?}"),
        }
    }
}

fn cache_control(values: &[&str]) -> Option<Duration> {
    let mut headers = http::HeaderMap::new();
    for value in values {
        headers.append(
            header::CACHE_CONTROL,
            http::HeaderValue::from_str(value).expect("header"),
        );
    }
    max_age(&headers)
}

/// CIMD-8: `Cache-Control` as a shared cache reads it: `s-maxage`, else the first `max-age`;
/// `no-store` and `no-cache` are zero, malformed values stale, huge ones saturate.
#[test]
fn cache_control_is_read_as_a_shared_cache_reads_it() {
    let secs = |n| Some(Duration::from_secs(n));
    assert_eq!(cache_control(&[]), None);
    assert_eq!(cache_control(&["public"]), None);
    assert_eq!(cache_control(&["max-age=600"]), secs(600));
    assert_eq!(
        cache_control(&["Max-Age = \"600\", must-revalidate"]),
        secs(600)
    );
    // The first of a repeated directive (RFC 9111 §4.2.1), in one header or several.
    assert_eq!(cache_control(&["max-age=0, max-age=3600"]), secs(0));
    assert_eq!(cache_control(&["max-age=60", "max-age=3600"]), secs(60));
    // A shared cache prefers s-maxage.
    assert_eq!(cache_control(&["s-maxage=0, max-age=3600"]), secs(0));
    assert_eq!(cache_control(&["max-age=3600", "s-maxage=30"]), secs(30));
    // Not to be kept at all.
    assert_eq!(cache_control(&["max-age=3600, no-store"]), secs(0));
    assert_eq!(cache_control(&["no-cache"]), secs(0));
    // Malformed: stale; too large to count: as long as can be (§1.2.2).
    assert_eq!(cache_control(&["max-age=-1"]), secs(0));
    assert_eq!(cache_control(&["max-age=1h"]), secs(0));
    assert_eq!(cache_control(&["max-age"]), secs(0));
    assert_eq!(
        cache_control(&["max-age=99999999999999999999999"]),
        Some(Duration::from_secs(u64::MAX))
    );
}
