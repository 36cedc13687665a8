//! The example server's rate limit flags, the binary itself over real sockets on 127.0.0.1:
//! `--rate-limit-per-address` and `--rate-limit-overall` tune the limits or lift them (`off`),
//! `--trusted-proxy` makes a proxy's `X-Forwarded-For` the client, `--max-clients` bounds the
//! memory store. (Limited by default: `registration_flood.rs`.)

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::seed_walkthrough::Server;

fn client_from(local: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(local))
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client")
}

/// `POST /register` of a small client through `client`, with `headers`: the status, and
/// `Retry-After` if any.
async fn register(
    server: &Server,
    client: &reqwest::Client,
    headers: &[(&str, &str)],
) -> (StatusCode, Option<String>) {
    let mut request = client
        .post(format!("http://{}/register", server.authority()))
        .json(&json!({"redirect_uris": ["https://rp.example.org/cb"]}));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("a response");
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (response.status(), retry_after)
}

/// REG-4: open registration may be rate-limited or otherwise limited.
/// ERR-12: a registration past a rate limit is 429 with `Retry-After` and an error body.
///
/// The example's limit per address, tuned by its flag, answers 429 with `Retry-After` past it,
/// for that address only.
#[tokio::test]
async fn the_limit_per_address_is_tuned_by_its_flag() {
    if !cfg!(target_os = "linux") {
        crate::common::skip("example_rate_limits: binds 127.0.0.2, Linux only");
        return;
    }
    let server = Server::start_with(&["--rate-limit-per-address", "2/minute"]);
    let from = client_from(Ipv4Addr::new(127, 0, 0, 2));
    for _ in 0..2 {
        assert_eq!(register(&server, &from, &[]).await.0, StatusCode::CREATED);
    }
    assert_eq!(
        register(&server, &from, &[]).await,
        (StatusCode::TOO_MANY_REQUESTS, Some("30".to_owned()))
    );
    let other = client_from(Ipv4Addr::new(127, 0, 0, 3));
    assert_eq!(register(&server, &other, &[]).await.0, StatusCode::CREATED);
}

/// `off` lifts both limits; `--max-clients` bounds the memory store (403 past it).
#[tokio::test]
async fn off_lifts_the_limits_and_max_clients_bounds_the_store() {
    let server = Server::start_with(&[
        "--rate-limit-per-address",
        "off",
        "--rate-limit-overall",
        "off",
        "--max-clients",
        "25",
    ]);
    let from = client_from(Ipv4Addr::LOCALHOST);
    for n in 0..25 {
        assert_eq!(
            register(&server, &from, &[]).await.0,
            StatusCode::CREATED,
            "registration {n}"
        );
    }
    assert_eq!(register(&server, &from, &[]).await.0, StatusCode::FORBIDDEN);
}

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// Behind `--trusted-proxy`, each address its `X-Forwarded-For` names has its own limit, and
/// the overall limit holds for them all.
#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_address_is_limited() {
    let server = Server::start_with(&[
        "--trusted-proxy",
        "127.0.0.1",
        "--rate-limit-per-address",
        "1/hour",
        "--rate-limit-overall",
        "3/hour",
    ]);
    let proxy = client_from(Ipv4Addr::LOCALHOST);
    let forwarded = |client: &'static str| [("x-forwarded-for", client)];
    assert_eq!(
        register(&server, &proxy, &forwarded("203.0.113.1")).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        register(&server, &proxy, &forwarded("203.0.113.1")).await,
        (StatusCode::TOO_MANY_REQUESTS, Some("3600".to_owned()))
    );
    for client in ["203.0.113.2", "203.0.113.3"] {
        assert_eq!(
            register(&server, &proxy, &forwarded(client)).await.0,
            StatusCode::CREATED
        );
    }
    // The overall limit: 3 an hour, whoever asks.
    assert_eq!(
        register(&server, &proxy, &forwarded("203.0.113.4")).await,
        (StatusCode::TOO_MANY_REQUESTS, Some("1200".to_owned()))
    );
}
