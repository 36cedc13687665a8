//! `subject_type` and `sector_identifier_uri` (OpenID Connect Registration §2, §5) over HTTP, with the sector
//! document served by a local HTTPS server through the built-in fetcher: accepted when it
//! lists every redirect URI, refused otherwise, on registration and on update alike.

use std::time::Duration;

use crate::common::{App, assert_invalid_metadata};
use crate::https_server::{Route, TestServer};
use http::StatusCode;
use serde_json::{Value, json};

const A: &str = "https://a.example.org/cb";
const B: &str = "https://b.example.org/cb";
const SECTOR: &str = "/sector.json";

/// A server whose sector document lists A and B, and the layer fetching from it (uncached, so
/// that each request sees the document as it is).
async fn setup() -> (TestServer, App) {
    let server = TestServer::start([(SECTOR, Route::json(&json!([A, B])))]).await;
    let fetcher = server
        .fetcher_builder()
        .cache_lifetime(Duration::ZERO)
        .build()
        .expect("fetcher");
    let app = App::with(|b| b.uri_fetcher(fetcher));
    (server, app)
}

fn pairwise(sector: &str, redirect_uris: &[&str]) -> Value {
    json!({
        "subject_type": "pairwise",
        "sector_identifier_uri": sector,
        "redirect_uris": redirect_uris,
    })
}

/// VAL-26: the sector document lists every redirect URI in a JSON array, else the request fails.
#[tokio::test]
async fn sector_listing_every_redirect_uri_is_accepted() {
    let (server, app) = setup().await;
    let client = app.register(&pairwise(&server.uri(SECTOR), &[A, B])).await;
    assert_eq!(client.body["sector_identifier_uri"], server.uri(SECTOR));
    assert_eq!(client.body["subject_type"], "pairwise");
    assert_eq!(client.body["redirect_uris"], json!([A, B]));
    assert_eq!(server.hits(SECTOR), 1);
    // A subset of the listed URIs is fine too, and so is a public subject type.
    app.register(&pairwise(&server.uri(SECTOR), &[B])).await;
    app.register(&json!({"sector_identifier_uri": server.uri(SECTOR), "redirect_uris": [A]}))
        .await;
}

/// VAL-26: the sector document lists every redirect URI in a JSON array, else the request fails.
#[tokio::test]
async fn redirect_uri_missing_from_the_sector_document_is_refused() {
    let (server, app) = setup().await;
    let other = "https://c.example.org/cb";
    let resp = app
        .register_raw(&pairwise(&server.uri(SECTOR), &[A, other]))
        .await;
    assert_invalid_metadata(
        &resp,
        "redirect_uris[1]: not listed in the sector_identifier_uri document",
    );
    // Whatever the subject type: the sector is registered only if it holds.
    let resp = app
        .register_raw(
            &json!({"sector_identifier_uri": server.uri(SECTOR), "redirect_uris": [other]}),
        )
        .await;
    assert_invalid_metadata(&resp, "redirect_uris[0]: not listed");
}

/// VAL-26: the sector document lists every redirect URI in a JSON array, else the request fails.
#[tokio::test]
async fn sector_document_that_is_not_an_array_is_refused() {
    let (server, app) = setup().await;
    server.set(SECTOR, Route::json(&json!({"redirect_uris": [A, B]})));
    let resp = app
        .register_raw(&pairwise(&server.uri(SECTOR), &[A, B]))
        .await;
    assert_invalid_metadata(
        &resp,
        "sector_identifier_uri: the document is not a JSON array of redirect URIs",
    );
}

/// VAL-25: `sector_identifier_uri` is an https URL.
#[tokio::test]
async fn http_sector_identifier_uri_is_refused_without_fetching() {
    let (server, app) = setup().await;
    let http = format!("http://127.0.0.1:{}{SECTOR}", server.addr.port());
    let resp = app.register_raw(&pairwise(&http, &[A, B])).await;
    assert_invalid_metadata(&resp, "sector_identifier_uri: must be an https URL");
    assert_eq!(server.hits(SECTOR), 0);
}

/// VAL-26: the sector document lists every redirect URI in a JSON array, else the request fails.
#[tokio::test]
async fn sector_document_that_cannot_be_fetched_is_refused() {
    let (server, app) = setup().await;
    server.set("/moved", Route::redirect(&server.uri(SECTOR)));
    let resp = app
        .register_raw(&pairwise(&server.uri("/moved"), &[A, B]))
        .await;
    assert_invalid_metadata(&resp, "sector_identifier_uri: could not be fetched");
    assert_eq!(server.hits(SECTOR), 0, "the redirect was followed");
    let resp = app
        .register_raw(&pairwise(&server.uri("/missing"), &[A, B]))
        .await;
    assert_invalid_metadata(&resp, "sector_identifier_uri: could not be fetched");
}

/// VAL-26: the sector document lists every redirect URI in a JSON array, else the request fails.
#[tokio::test]
async fn sector_is_checked_again_on_update() {
    let (server, app) = setup().await;
    let client = app.register(&pairwise(&server.uri(SECTOR), &[A, B])).await;
    // The document changed: B is no longer in the sector.
    server.set(SECTOR, Route::json(&json!([A])));
    let resp = app
        .update(&client, &pairwise(&server.uri(SECTOR), &[A, B]))
        .await;
    assert_invalid_metadata(&resp, "redirect_uris[1]: not listed");
    let resp = app
        .update(&client, &pairwise(&server.uri(SECTOR), &[A]))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["redirect_uris"], json!([A]));
    // A document that stopped being an array.
    server.set(SECTOR, Route::json(&json!({"uris": [A]})));
    let resp = app
        .update(&client, &pairwise(&server.uri(SECTOR), &[A]))
        .await;
    assert_invalid_metadata(&resp, "the document is not a JSON array of redirect URIs");
    server.set(SECTOR, Route::json(&json!([A])));
    // Adding a sector on update is checked as on registration.
    let plain = app.register(&json!({"redirect_uris": [B]})).await;
    let resp = app
        .update(&plain, &pairwise(&server.uri(SECTOR), &[B]))
        .await;
    assert_invalid_metadata(&resp, "redirect_uris[0]: not listed");
    let http = format!("http://127.0.0.1:{}{SECTOR}", server.addr.port());
    let resp = app.update(&plain, &pairwise(&http, &[B])).await;
    assert_invalid_metadata(&resp, "sector_identifier_uri: must be an https URL");
}

/// VAL-26: the sector document lists every redirect URI in a JSON array, else the request fails.
#[tokio::test]
async fn without_a_fetcher_a_sector_is_refused() {
    let app = App::new();
    let resp = app
        .register_raw(&pairwise("https://rp.example.org/sector.json", &[A]))
        .await;
    assert_invalid_metadata(
        &resp,
        "sector_identifier_uri: not supported by this server (no URI fetcher is configured)",
    );
}

/// VAL-29: a pairwise client with redirect URIs on several hosts registers a
/// `sector_identifier_uri`.
#[tokio::test]
async fn pairwise_hosts_that_differ_need_a_sector() {
    let (_server, app) = setup().await;
    let resp = app
        .register_raw(&json!({"subject_type": "pairwise", "redirect_uris": [A, B]}))
        .await;
    assert_invalid_metadata(
        &resp,
        "redirect_uris[1]: scheme or host differs from redirect_uris[0]; a pairwise client with several redirect hosts needs a sector_identifier_uri",
    );
}

/// The layer with the production fetcher: no loopback allowance, but it trusts the test
/// server's certificate, so that only the address rule can refuse.
fn production_fetcher_app(server: &TestServer) -> App {
    let fetcher = tower_oidc_registration::fetch::HttpsFetcher::builder()
        .add_root_certificate(server.certificate.clone())
        .build()
        .expect("fetcher");
    App::with(|b| b.uri_fetcher(fetcher))
}

/// VAL-28: a sector document is fetched only from a public address, over https, without redirects.
#[tokio::test]
async fn sector_on_a_private_address_is_refused_without_a_request() {
    let server = TestServer::start([(SECTOR, Route::json(&json!([A, B])))]).await;
    let app = production_fetcher_app(&server);
    let resp = app
        .register_raw(&pairwise(&server.uri(SECTOR), &[A, B]))
        .await;
    assert_invalid_metadata(&resp, "sector_identifier_uri: could not be fetched");
    assert_eq!(server.hits(SECTOR), 0);
    let localhost = format!("https://localhost:{}{SECTOR}", server.addr.port());
    let resp = app.register_raw(&pairwise(&localhost, &[A, B])).await;
    let by_name = assert_invalid_metadata(&resp, "sector_identifier_uri: could not be fetched");
    // The address `localhost` resolved to is not disclosed.
    let description = by_name["error_description"].as_str().unwrap_or_default();
    assert!(
        !description.contains("127.0.0.1") && !description.contains("::1"),
        "{description}"
    );
    assert_eq!(server.hits(SECTOR), 0);
}

/// VAL-28: a sector document is fetched only from a public address, over https, without redirects.
#[tokio::test]
async fn internal_names_and_unknown_names_are_refused_alike() {
    // A client must not learn which internal names exist: a name that resolves to a private
    // address and one that does not resolve at all (`.invalid` never does, RFC 6761) get the
    // same error description.
    let server = TestServer::start([(SECTOR, Route::json(&json!([A, B])))]).await;
    let app = production_fetcher_app(&server);
    let mut descriptions = Vec::new();
    for host in ["localhost", "no-such-host.invalid"] {
        let sector = format!("https://{host}:{}{SECTOR}", server.addr.port());
        let resp = app.register_raw(&pairwise(&sector, &[A, B])).await;
        let body = assert_invalid_metadata(&resp, "sector_identifier_uri: could not be fetched");
        let description = body["error_description"].as_str().unwrap_or_default();
        assert!(!description.contains(host), "{description}");
        descriptions.push(description.to_owned());
    }
    assert_eq!(descriptions[0], descriptions[1]);
    assert_eq!(server.hits(SECTOR), 0);
}

/// VAL-26: the sector document lists every redirect URI in a JSON array, else the request fails.
#[tokio::test]
async fn sector_documents_are_fetched_anew_even_with_a_caching_fetcher() {
    // The default fetcher caches (trusted issuers' key sets); a sector document is a URI the
    // client chose, fetched at each registration and never cached, so that clients cannot
    // fill the cache and a changed document is seen at once.
    let server = TestServer::start([(SECTOR, Route::json(&json!([A, B])))]).await;
    let app = App::with(|b| b.uri_fetcher(server.fetcher()));
    app.register(&pairwise(&server.uri(SECTOR), &[A, B])).await;
    server.set(SECTOR, Route::json(&json!([A])));
    let resp = app
        .register_raw(&pairwise(&server.uri(SECTOR), &[A, B]))
        .await;
    assert_invalid_metadata(
        &resp,
        "redirect_uris[1]: not listed in the sector_identifier_uri document",
    );
    assert_eq!(server.hits(SECTOR), 2);
}
