use std::time::Duration;

use serde_json::json;

use super::*;
use crate::fetch::FetchedDocument;

/// Only `https` URLs are routed to documents; a registered (UUID) id never is.
#[test]
fn only_https_urls_are_url_client_ids() {
    assert!(is_url_client_id("https://app.example.org/client.json"));
    assert!(is_url_client_id("HTTPS://app.example.org/client.json"));
    assert!(!is_url_client_id("http://app.example.org/client.json"));
    assert!(!is_url_client_id("6f1c1f2e-2b1d-4b8e-9c7a-0e6f9d1c2b3a"));
    assert!(!is_url_client_id("https:"));
}

/// CIMD-1: the client id URL rules.
#[test]
fn the_url_rules_of_the_draft() {
    assert_eq!(check_url("https://app.example.org/client.json"), Ok(()));
    assert_eq!(check_url("https://app.example.org/"), Ok(()));
    assert_eq!(check_url("https://app.example.org:8443/c?v=1"), Ok(()));
    let not_normal = "it is not in normal form (lower-case host, no default port, encoded as a URL parser writes it)";
    for (url, why) in [
        ("https://App.example.org/c", not_normal),
        ("https://app.example.org:443/c", not_normal),
        ("https://app.example.org/a b", not_normal),
        (
            "HTTPS://app.example.org/client.json",
            "the scheme must be https",
        ),
        (
            "http://app.example.org/client.json",
            "the scheme must be https",
        ),
        ("https://app.example.org", "it has no path"),
        ("https://app.example.org?x", "it has no path"),
        ("https://app.example.org/c#f", "it has a fragment"),
        ("https://app.example.org/c#", "it has a fragment"),
        (
            "https://u@app.example.org/c",
            "it has a user name or password",
        ),
        (
            "https://:p@app.example.org/c",
            "it has a user name or password",
        ),
        (
            "https://app.example.org/a/./c",
            "it has a . or .. path segment",
        ),
        (
            "https://app.example.org/a/..",
            "it has a . or .. path segment",
        ),
        (
            "https://app.example.org/%2E%2e/c",
            "it has a . or .. path segment",
        ),
        ("https:///c", "it has no host"),
    ] {
        assert_eq!(check_url(url), Err(why), "{url}");
    }
    // A dot inside a segment is a name, not a dot segment.
    assert_eq!(check_url("https://app.example.org/.well-known/c"), Ok(()));
    assert_eq!(check_url("https://app.example.org/a..b"), Ok(()));
    let long = format!("https://app.example.org/{}", "a".repeat(2048));
    assert_eq!(check_url(&long), Err("longer than 2048 bytes"));
}

const URL: &str = "https://app.example.org/client.json";

fn fetched(document: serde_json::Value) -> FetchedDocument {
    FetchedDocument::new(document).with_size(100)
}

/// CIMD-2: the document's `client_id` is its URL, by simple string comparison.
#[test]
fn a_document_names_its_own_url_by_simple_string_comparison() {
    let ok = checked_document(URL, fetched(json!({"client_id": URL})), 5120).expect("valid");
    assert!(!ok.contains_key("client_id"));
    assert_eq!(ok["token_endpoint_auth_method"], "none");
    for other in [
        "https://app.example.org/client.json/",
        "https://APP.example.org/client.json",
        "https://app.example.org:443/client.json",
    ] {
        let refused = checked_document(URL, fetched(json!({"client_id": other})), 5120);
        assert_eq!(
            refused,
            Err("its client_id is not the URL it was fetched from".to_owned()),
            "{other}"
        );
    }
}

/// CIMD-3: no secret, no shared-secret authentication method.
#[test]
fn a_document_shares_no_secret() {
    for member in ["client_secret", "client_secret_expires_at"] {
        let refused = checked_document(URL, fetched(json!({"client_id": URL, member: "x"})), 5120);
        assert_eq!(refused, Err(format!("it has a {member}")));
    }
    for method in [
        "client_secret_basic",
        "client_secret_post",
        "client_secret_jwt",
    ] {
        let document = json!({"client_id": URL, "token_endpoint_auth_method": method});
        assert_eq!(
            checked_document(URL, fetched(document), 5120),
            Err(format!(
                "token_endpoint_auth_method {method} needs a shared secret"
            )),
        );
    }
    let document = json!({"client_id": URL, "token_endpoint_auth_method": "private_key_jwt"});
    let ok = checked_document(URL, fetched(document), 5120).expect("private_key_jwt");
    assert_eq!(ok["token_endpoint_auth_method"], "private_key_jwt");
}

/// CIMD-4, CIMD-5: status 200 exactly, and within the size bound.
#[test]
fn a_document_is_exactly_200_and_within_its_size() {
    let document = json!({"client_id": URL});
    assert!(checked_document(URL, fetched(document.clone()).with_status(203), 5120).is_err());
    assert!(checked_document(URL, fetched(document.clone()).with_size(5121), 5120).is_err());
    assert!(checked_document(URL, fetched(document).with_size(5120), 5120).is_ok());
}

/// CIMD-8: the response's lifetime, within the configured bounds.
#[test]
fn the_cache_lifetime_is_the_responses_within_the_bounds() {
    let options = ClientIdMetadataDocuments::default()
        .cache_lifetime(Duration::from_secs(10), Duration::from_secs(60));
    assert_eq!(options.lifetime(None), Duration::from_secs(10));
    assert_eq!(
        options.lifetime(Some(Duration::ZERO)),
        Duration::from_secs(10)
    );
    assert_eq!(
        options.lifetime(Some(Duration::from_secs(30))),
        Duration::from_secs(30)
    );
    assert_eq!(
        options.lifetime(Some(Duration::from_secs(600))),
        Duration::from_secs(60)
    );
    assert!(options.check().is_ok());
    let reversed = ClientIdMetadataDocuments::default()
        .cache_lifetime(Duration::from_secs(60), Duration::from_secs(10));
    assert!(reversed.check().is_err());
}

/// CIMD-9: stale entries are dropped, the soonest stale makes room, and the cache stays within
/// its bound.
#[test]
fn the_cache_drops_stale_entries_and_stays_within_its_bound() {
    use crate::store::{ClientRecord, MetadataJson};
    use crate::token::CredentialHash;
    let record = |id: &str| {
        std::sync::Arc::new(ClientRecord::new(
            id.to_owned(),
            None,
            0,
            0,
            CredentialHash::from_bytes([0; 32]),
            MetadataJson::from_stored("{}".to_owned()).expect("JSON"),
        ))
    };
    let cache = cache::DocumentCache::new(2);
    cache.insert("a", record("a"), 100, 110);
    cache.insert("b", record("b"), 100, 200);
    assert!(cache.get("a", 109).is_some());
    // Stale at its second, and dropped.
    assert!(cache.get("a", 110).is_none());
    assert_eq!(cache.len(), 1);
    cache.insert("a", record("a"), 110, 300);
    // Full, nothing stale: the entry closest to going stale (b) makes room.
    cache.insert("c", record("c"), 110, 250);
    assert_eq!(cache.len(), 2);
    assert!(cache.get("b", 110).is_none());
    assert!(cache.get("a", 110).is_some() && cache.get("c", 110).is_some());
    // Full, one stale: the stale one goes.
    cache.insert("d", record("d"), 260, 400);
    assert!(cache.get("c", 260).is_none());
    assert!(cache.get("a", 260).is_some() && cache.get("d", 260).is_some());
    assert!(cache.remove("d"));
    assert!(!cache.remove("d"));
    // Already stale: not cached.
    cache.insert("d", record("d"), 300, 300);
    assert!(cache.get("d", 300).is_none());
}
