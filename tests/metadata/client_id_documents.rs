//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document) through the
//! registry, with the documents served by a local HTTPS server through the built-in fetcher:
//! a valid document's client reads and authenticates like a registered one; every refusal the
//! draft asks for; the cache, bounded by the configured lifetimes and size, never holding a
//! failure.

use std::time::Duration;

use crate::common::{ISSUER, TestClock};
use crate::https_server::{Route, TestServer};
use serde_json::{Value, json};
use tower_oidc_registration::client_id_document::{ClientIdMetadataDocuments, ClientLookupError};
use tower_oidc_registration::fetch::{FetchError, HttpsFetcher};
use tower_oidc_registration::metadata::{AuthMethod, GrantType};
use tower_oidc_registration::policy::builtin::TrustedRedirectHosts;
use tower_oidc_registration::{
    ClientAuthError, ClientCredentials, ConfigError, RegistrationConfig, RegistrationConfigBuilder,
    Registry, Requester,
};

const DOC: &str = "/client.json";
const REDIRECT: &str = "https://app.example.org/callback";
const START: u64 = 1_800_000_000;

/// The document of a public MCP-style client at `url`.
fn document(url: &str) -> Value {
    json!({
        "client_id": url,
        "client_name": "Example MCP client",
        "redirect_uris": [REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    })
}

/// A registry resolving documents through `server`'s fetcher, its clock at [`START`], with
/// `documents` and the configuration adjusted by `f`.
fn registry_with(
    server: &TestServer,
    documents: ClientIdMetadataDocuments,
    f: impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder,
) -> (Registry, TestClock) {
    let clock = TestClock::at(START);
    let builder = RegistrationConfig::builder(ISSUER)
        .uri_fetcher(server.fetcher())
        .client_id_metadata_documents(documents)
        .clock(clock.clone());
    let config = f(builder).build().expect("configuration");
    (Registry::new(&config), clock)
}

fn registry(server: &TestServer) -> (Registry, TestClock) {
    registry_with(server, ClientIdMetadataDocuments::default(), |b| b)
}

/// A server whose `/client.json` is a valid document for its own URL.
async fn server_with_document() -> TestServer {
    let server = TestServer::start([]).await;
    server.set(DOC, Route::json(&document(&server.uri(DOC))));
    server
}

async fn refusal(registry: &Registry, client_id: &str) -> ClientLookupError {
    registry
        .client(client_id)
        .await
        .expect_err("the client id must be refused")
}

/// CIMD-10: a document's client is looked up and authenticated as a registered public client is.
#[tokio::test]
async fn a_documents_client_reads_and_authenticates_like_a_registered_public_client() {
    let server = server_with_document().await;
    let (registry, _) = registry(&server);
    let url = server.uri(DOC);
    let client = registry
        .client(&url)
        .await
        .expect("resolved")
        .expect("a client");
    assert_eq!(client.client_id(), url);
    assert!(client.has_redirect_uri(REDIRECT));
    assert!(!client.has_redirect_uri("https://app.example.org/other"));
    assert!(client.allows_grant_type(GrantType::AuthorizationCode));
    assert!(client.allows_grant_type(GrantType::RefreshToken));
    assert!(!client.allows_grant_type(GrantType::ClientCredentials));
    assert_eq!(client.token_endpoint_auth_method(), AuthMethod::None);
    assert!(client.client_secret().is_none());
    let metadata: Value = serde_json::from_str(client.metadata().as_str()).expect("JSON");
    assert_eq!(metadata["client_name"], "Example MCP client");
    assert!(metadata.get("client_id").is_none(), "{metadata}");

    let authenticated = registry
        .authenticate_for_grant(
            &ClientCredentials::public(url.clone()),
            GrantType::AuthorizationCode,
        )
        .await
        .expect("a public client authenticates by its id");
    assert_eq!(authenticated.client_id(), url);
    // A secret it cannot have is refused, as for a registered public client.
    let basic = ClientCredentials::from_form(url.clone(), "guess");
    assert!(matches!(
        registry.authenticate(&basic).await,
        Err(ClientAuthError::WrongMethod { .. })
    ));
    // A public client never gets client_credentials.
    assert!(matches!(
        registry
            .authenticate_for_grant(
                &ClientCredentials::public(url),
                GrantType::ClientCredentials
            )
            .await,
        Err(ClientAuthError::ConfidentialGrant(_))
    ));
}

/// CIMD-10: public credentials never get `client_credentials` or `password`, even for a
/// client that registered them (here the host registered one, past the caller restrictions).
#[tokio::test]
async fn public_credentials_never_get_the_confidential_grants() {
    let server = server_with_document().await;
    let (registry, _) = registry_with(&server, ClientIdMetadataDocuments::default(), |b| {
        b.caller_restrictions(None)
    });
    let request = json!({
        "token_endpoint_auth_method": "none",
        "grant_types": ["client_credentials"],
        "response_types": [],
    });
    let client = registry
        .register(
            Requester::host(),
            request.as_object().expect("object").clone(),
        )
        .await
        .expect("registered");
    let public = ClientCredentials::public(client.client_id());
    // password, which the default rules do not even accept, is refused before any lookup.
    for (credentials, grant) in [
        (public.clone(), GrantType::ClientCredentials),
        (ClientCredentials::public("nobody"), GrantType::Password),
    ] {
        let refused = registry.authenticate_for_grant(&credentials, grant).await;
        assert!(
            matches!(refused, Err(ClientAuthError::ConfidentialGrant(g)) if g == grant),
            "{grant}: {refused:?}"
        );
        assert_eq!(
            refused.err().map(|e| e.error_code()),
            Some("unauthorized_client")
        );
    }
    // Who it is, it may still say.
    registry.authenticate(&public).await.expect("authenticated");
}

/// CIMD-3: a document without `token_endpoint_auth_method` is a public client's (`none`).
#[tokio::test]
async fn a_document_without_an_authentication_method_is_a_public_clients() {
    let server = TestServer::start([]).await;
    let url = server.uri(DOC);
    let mut doc = document(&url);
    doc.as_object_mut()
        .expect("object")
        .remove("token_endpoint_auth_method");
    server.set(DOC, Route::json(&doc));
    let (registry, _) = registry(&server);
    let client = registry
        .client(&url)
        .await
        .expect("resolved")
        .expect("client");
    assert_eq!(client.token_endpoint_auth_method(), AuthMethod::None);
}

/// CIMD-1: a client id URL has https, a host and a path, no fragment, userinfo or dot segment.
#[tokio::test]
async fn url_client_ids_that_break_the_url_rules_are_refused_before_any_fetch() {
    let server = server_with_document().await;
    let (registry, _) = registry(&server);
    let url = server.uri(DOC);
    let port = server.addr.port();
    let broken = [
        format!("{url}#section"),
        format!("https://user:pass@127.0.0.1:{port}{DOC}"),
        format!("https://127.0.0.1:{port}/a/../client.json"),
        format!("https://127.0.0.1:{port}/./client.json"),
        format!("https://127.0.0.1:{port}/%2e%2E/client.json"),
        format!("https://127.0.0.1:{port}"),
        format!("https://127.0.0.1:{port}?client"),
    ];
    for client_id in broken {
        let error = refusal(&registry, &client_id).await;
        assert!(
            matches!(error, ClientLookupError::InvalidUrl(_)),
            "{client_id}: {error:?}"
        );
        assert_eq!(error.error_code(), "invalid_client");
    }
    assert_eq!(server.hits(DOC), 0);
    assert_eq!(server.hits("/a/../client.json") + server.hits("/"), 0);
}

/// CIMD-2, CIMD-3, CIMD-4, CIMD-7: the document names its URL, shares no secret, is a JSON
/// object served with 200, and obeys the registration rules.
#[tokio::test]
async fn documents_that_break_the_drafts_rules_are_refused() {
    let server = TestServer::start([]).await;
    let (registry, _) = registry(&server);
    let url = server.uri(DOC);
    let with = |change: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut doc = document(&url);
        change(doc.as_object_mut().expect("object"));
        doc
    };
    let cases: Vec<(&str, Route)> = vec![
        (
            "its client_id is not the URL",
            Route::json(&with(&|d| {
                d.insert("client_id".into(), json!(format!("{url}?other")));
            })),
        ),
        (
            "it has no client_id",
            Route::json(&with(&|d| {
                d.remove("client_id");
            })),
        ),
        (
            "it has a client_secret",
            Route::json(&with(&|d| {
                d.insert("client_secret".into(), json!("s3cret-s3cret-s3cret"));
            })),
        ),
        (
            "client_secret_basic needs a shared secret",
            Route::json(&with(&|d| {
                d.insert(
                    "token_endpoint_auth_method".into(),
                    json!("client_secret_basic"),
                );
            })),
        ),
        (
            "client_secret_jwt needs a shared secret",
            Route::json(&with(&|d| {
                d.insert(
                    "token_endpoint_auth_method".into(),
                    json!("client_secret_jwt"),
                );
            })),
        ),
        (
            "status 203, not 200",
            Route::raw(203, Some("application/json"), document(&url).to_string()),
        ),
        ("not a JSON object", Route::json(&json!([url]))),
        (
            "redirect_uris",
            Route::json(&with(&|d| {
                d.insert(
                    "redirect_uris".into(),
                    json!(["https://app.example.org/cb#frag"]),
                );
            })),
        ),
    ];
    for (why, route) in cases {
        server.set(DOC, route);
        let error = refusal(&registry, &url).await;
        assert!(
            matches!(error, ClientLookupError::InvalidDocument(_)),
            "{why}: {error:?}"
        );
        assert!(error.to_string().contains(why), "{why}: {error}");
        assert_eq!(error.error_code(), "invalid_client", "{why}");
    }
    // Just within the size, the same padding is ignored.
    server.set(
        DOC,
        Route::json(&with(&|d| {
            for name in ["x_a", "x_b"] {
                d.insert(name.into(), json!("x".repeat(2000)));
            }
        })),
    );
    registry
        .client(&url)
        .await
        .expect("within the size")
        .expect("client");
}

/// CIMD-4, CIMD-11: a redirect, an error status or a non-JSON type is refused, with one
/// description whatever the cause.
#[tokio::test]
async fn fetch_failures_are_refused_with_one_description() {
    let server = TestServer::start([]).await;
    let (registry, _) = registry(&server);
    let url = server.uri(DOC);
    let cases = [
        (
            "a redirect",
            Route::redirect(&server.uri("/elsewhere.json")),
        ),
        ("404", Route::raw(404, Some("application/json"), "{}")),
        (
            "not JSON",
            Route::raw(200, Some("text/html"), "<html></html>"),
        ),
    ];
    let mut descriptions = Vec::new();
    for (why, route) in cases {
        server.set(DOC, route);
        let error = refusal(&registry, &url).await;
        assert!(
            matches!(error, ClientLookupError::Fetch(_)),
            "{why}: {error:?}"
        );
        descriptions.push(error.to_string());
    }
    assert!(
        matches!(
            refusal(&registry, &url).await,
            ClientLookupError::Fetch(FetchError::ContentType(_))
        ),
        "the cause stays available to the operator"
    );
    descriptions.dedup();
    assert_eq!(
        descriptions,
        ["the client id metadata document could not be fetched"]
    );
    // The redirect was not followed.
    assert_eq!(server.hits("/elsewhere.json"), 0);
}

/// CIMD-5: a body larger than the bound is refused as it arrives, without a Content-Length
/// too, before it is parsed (the fetcher would take 256 KiB).
#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_parsed() {
    let server = TestServer::start([]).await;
    let (registry, _) = registry(&server);
    let url = server.uri(DOC);
    let mut doc = document(&url);
    doc["x_padding"] = json!("x".repeat(200 * 1024));
    for route in [Route::json(&doc), Route::json(&doc).chunked()] {
        server.set(DOC, route);
        let error = refusal(&registry, &url).await;
        assert!(
            matches!(error, ClientLookupError::Fetch(FetchError::TooLarge(5120))),
            "{error:?}"
        );
    }
}

/// CIMD-9: concurrent lookups of one uncached document share one fetch, its failure included:
/// many token requests naming a client at once cost its host one request and the fetcher one
/// permit.
#[tokio::test]
async fn concurrent_lookups_of_one_document_share_one_fetch() {
    let server = TestServer::start([]).await;
    let url = server.uri(DOC);
    let (registry, _) = registry(&server);
    server.set(
        DOC,
        Route::json(&document(&url)).delayed(Duration::from_millis(300)),
    );
    for outcome in concurrently(&registry, &url, 40).await {
        assert_eq!(outcome.expect("resolved").expect("client").client_id(), url);
    }
    assert_eq!(server.hits(DOC), 1);

    // A failure is shared by those who waited for it, and not remembered after.
    let other = server.uri("/other.json");
    server.set(
        "/other.json",
        Route::raw(404, Some("application/json"), "{}").delayed(Duration::from_millis(300)),
    );
    for outcome in concurrently(&registry, &other, 40).await {
        assert!(matches!(
            outcome,
            Err(ClientLookupError::Fetch(FetchError::Status(404)))
        ));
    }
    assert_eq!(server.hits("/other.json"), 1);
    refusal(&registry, &other).await;
    assert_eq!(server.hits("/other.json"), 2);
}

/// Looks `url` up `n` times at once, each on a task of its own.
async fn concurrently(
    registry: &Registry,
    url: &str,
    n: usize,
) -> Vec<Result<Option<std::sync::Arc<tower_oidc_registration::ClientRecord>>, ClientLookupError>> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (registry, url) = (registry.clone(), url.to_owned());
            tokio::spawn(async move { registry.client(&url).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("lookup task"));
    }
    outcomes
}

/// CIMD-6: a document on a loopback or private address is not fetched.
#[tokio::test]
async fn a_document_on_a_private_address_is_not_fetched() {
    let server = server_with_document().await;
    // A fetcher that trusts the server's certificate but keeps the default guard.
    let fetcher = HttpsFetcher::builder()
        .add_root_certificate(server.certificate.clone())
        .build()
        .expect("fetcher");
    let config = RegistrationConfig::builder(ISSUER)
        .uri_fetcher(fetcher)
        .client_id_metadata_documents(ClientIdMetadataDocuments::default())
        .build()
        .expect("configuration");
    let registry = Registry::new(&config);
    let error = refusal(&registry, &server.uri(DOC)).await;
    assert!(
        matches!(
            error,
            ClientLookupError::Fetch(FetchError::ForbiddenAddress { .. })
        ),
        "{error:?}"
    );
    assert_eq!(server.hits(DOC), 0);
}

/// CIMD-7: the policies judge a document as an anonymous registration.
#[tokio::test]
async fn policies_judge_a_document_as_an_anonymous_registration() {
    let server = TestServer::start([]).await;
    let url = server.uri(DOC);
    // The default caller restrictions: no client_credentials for anonymous callers.
    let mut doc = document(&url);
    doc["grant_types"] = json!(["client_credentials"]);
    doc["response_types"] = json!([]);
    server.set(DOC, Route::json(&doc));
    let (registry, _) = registry(&server);
    let error = refusal(&registry, &url).await;
    assert!(error.to_string().contains("client_credentials"), "{error}");

    // A configured policy: redirect URIs on trusted hosts only.
    server.set(DOC, Route::json(&document(&url)));
    let (registry, _) = registry_with(&server, ClientIdMetadataDocuments::default(), |b| {
        b.policy(TrustedRedirectHosts::new(["rp.example.net"]))
    });
    let error = refusal(&registry, &url).await;
    assert!(error.to_string().contains("app.example.org"), "{error}");
}

/// CIMD-12: with trusted hosts configured, other hosts are refused before any fetch.
#[tokio::test]
async fn only_trusted_hosts_are_fetched_when_hosts_are_configured() {
    let server = server_with_document().await;
    let url = server.uri(DOC);
    let (registry, _) = registry_with(
        &server,
        ClientIdMetadataDocuments::default().trusted_hosts(["mcp.example.org"]),
        |b| b,
    );
    let error = refusal(&registry, &url).await;
    assert!(
        matches!(error, ClientLookupError::UntrustedHost),
        "{error:?}"
    );
    assert_eq!(server.hits(DOC), 0);

    let (registry, _) = registry_with(
        &server,
        ClientIdMetadataDocuments::default().trusted_hosts(["127.0.0.1"]),
        |b| b,
    );
    registry
        .client(&url)
        .await
        .expect("trusted host")
        .expect("client");
}

/// Resolves `url` and returns the client's `client_name`.
async fn client_name(registry: &Registry, url: &str) -> String {
    let client = registry
        .client(url)
        .await
        .expect("resolved")
        .expect("client");
    let metadata: Value = serde_json::from_str(client.metadata().as_str()).expect("JSON");
    metadata["client_name"].as_str().expect("name").to_owned()
}

fn named(url: &str, name: &str) -> Value {
    let mut doc = document(url);
    doc["client_name"] = json!(name);
    doc
}

/// CIMD-8: a document is cached within its caching directives, between the configured
/// minimum and maximum.
#[tokio::test]
async fn a_changed_document_is_seen_once_the_cache_lifetime_allows() {
    let server = TestServer::start([]).await;
    let url = server.uri(DOC);
    let bounds = ClientIdMetadataDocuments::default()
        .cache_lifetime(Duration::from_secs(10), Duration::from_secs(60));
    let (registry, clock) = registry_with(&server, bounds, |b| b);

    // max-age above the maximum: kept for the maximum only.
    server.set(
        DOC,
        Route::json(&named(&url, "one")).cache_control("public, max-age=86400"),
    );
    assert_eq!(client_name(&registry, &url).await, "one");
    server.set(
        DOC,
        Route::json(&named(&url, "two")).cache_control("max-age=30"),
    );
    clock.advance(59);
    assert_eq!(client_name(&registry, &url).await, "one");
    assert_eq!(server.hits(DOC), 1);
    clock.advance(1);
    assert_eq!(client_name(&registry, &url).await, "two");
    assert_eq!(server.hits(DOC), 2);

    // max-age within the bounds: honoured as sent.
    server.set(
        DOC,
        Route::json(&named(&url, "three")).cache_control("no-store"),
    );
    clock.advance(29);
    assert_eq!(client_name(&registry, &url).await, "two");
    clock.advance(1);
    assert_eq!(client_name(&registry, &url).await, "three");
    assert_eq!(server.hits(DOC), 3);

    // no-store: raised to the minimum.
    server.set(DOC, Route::json(&named(&url, "four")));
    clock.advance(9);
    assert_eq!(client_name(&registry, &url).await, "three");
    clock.advance(1);
    assert_eq!(client_name(&registry, &url).await, "four");
    // No directive: the minimum.
    clock.advance(9);
    assert_eq!(client_name(&registry, &url).await, "four");
    assert_eq!(server.hits(DOC), 4);
}

/// CIMD-9: failures and invalid documents are never cached.
#[tokio::test]
async fn failures_and_invalid_documents_are_never_cached() {
    let server = TestServer::start([]).await;
    let url = server.uri(DOC);
    let (registry, _) = registry(&server);
    server.set(DOC, Route::raw(500, Some("application/json"), "{}"));
    refusal(&registry, &url).await;
    let mut secret = document(&url);
    secret["client_secret"] = json!("s3cret-s3cret-s3cret");
    server.set(DOC, Route::json(&secret).cache_control("max-age=3600"));
    refusal(&registry, &url).await;
    // Fixed: seen at once, not an hour later.
    server.set(DOC, Route::json(&document(&url)));
    registry
        .client(&url)
        .await
        .expect("resolved")
        .expect("client");
    assert_eq!(server.hits(DOC), 3);
}

/// CIMD-9: the cache is bounded; when full, the entry closest to going stale makes room, so
/// that long-lived entries cannot keep newcomers out.
#[tokio::test]
async fn the_cache_never_holds_more_documents_than_its_bound() {
    let server = TestServer::start([]).await;
    let paths = ["/a.json", "/b.json", "/c.json"];
    // a is fresh for 10 minutes, b and c for the hour.
    server.set(
        "/a.json",
        Route::json(&document(&server.uri("/a.json"))).cache_control("max-age=600"),
    );
    for path in ["/b.json", "/c.json"] {
        server.set(
            path,
            Route::json(&document(&server.uri(path))).cache_control("max-age=3600"),
        );
    }
    let (registry, _) = registry_with(
        &server,
        ClientIdMetadataDocuments::default().max_cached(2),
        |b| b,
    );
    for path in paths {
        registry.client(&server.uri(path)).await.expect("resolved");
    }
    // c took a's place: b and c are served from the cache.
    for path in ["/c.json", "/b.json"] {
        registry.client(&server.uri(path)).await.expect("resolved");
    }
    assert_eq!(paths.map(|p| server.hits(p)), [1, 1, 1]);
    // A host forgets a document it knows changed: the next lookup fetches it.
    assert!(registry.forget_client_id_document(&server.uri("/b.json")));
    assert!(!registry.forget_client_id_document(&server.uri("/b.json")));
    registry
        .client(&server.uri("/b.json"))
        .await
        .expect("resolved");
    // a was evicted: fetched again.
    registry
        .client(&server.uri("/a.json"))
        .await
        .expect("resolved");
    assert_eq!(paths.map(|p| server.hits(p)), [2, 2, 1]);
}

/// CIMD-10, CIMD-13: registered ids are never URLs, a URL is never looked up in the store, and
/// discovery advertises documents exactly when they are resolved.
#[tokio::test]
async fn registered_ids_and_url_ids_never_meet() {
    let server = server_with_document().await;
    let (registry, _) = registry(&server);
    let registered = registry
        .register(
            Requester::host(),
            json!({"redirect_uris": [REDIRECT]})
                .as_object()
                .expect("object")
                .clone(),
        )
        .await
        .expect("registered");
    assert!(!registered.client_id().contains(':'));
    let found = registry
        .client(registered.client_id())
        .await
        .expect("lookup")
        .expect("the registered client");
    assert_eq!(found.client_id(), registered.client_id());
    // A document's client is not stored: the registration endpoint's lookup does not see it.
    registry.client(&server.uri(DOC)).await.expect("resolved");
    assert!(
        registry
            .lookup(&server.uri(DOC))
            .await
            .expect("lookup")
            .is_none()
    );

    // Without documents enabled a URL is only an unknown client id: nothing is fetched.
    let config = RegistrationConfig::builder(ISSUER)
        .uri_fetcher(server.fetcher())
        .build()
        .expect("configuration");
    let plain = Registry::new(&config);
    let hits = server.hits(DOC);
    assert!(
        plain
            .client(&server.uri(DOC))
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(matches!(
        plain
            .authenticate(&ClientCredentials::public(server.uri(DOC)))
            .await,
        Err(ClientAuthError::UnknownClient)
    ));
    assert_eq!(server.hits(DOC), hits);
    assert!(
        !plain
            .provider_metadata()
            .contains_key("client_id_metadata_document_supported")
    );
    assert_eq!(
        registry.provider_metadata()["client_id_metadata_document_supported"],
        json!(true)
    );
}

/// Documents need a fetcher, and cache bounds in order: a configuration error otherwise.
#[test]
fn documents_need_a_fetcher_and_ordered_cache_bounds() {
    let without_fetcher = RegistrationConfig::builder(ISSUER)
        .client_id_metadata_documents(ClientIdMetadataDocuments::default())
        .build();
    assert!(matches!(
        without_fetcher,
        Err(ConfigError::ClientIdMetadataDocuments(_))
    ));
    let fetcher = HttpsFetcher::builder().build().expect("fetcher");
    let reversed = RegistrationConfig::builder(ISSUER)
        .uri_fetcher(fetcher)
        .client_id_metadata_documents(
            ClientIdMetadataDocuments::default()
                .cache_lifetime(Duration::from_secs(60), Duration::from_secs(10)),
        )
        .build();
    assert!(matches!(
        reversed,
        Err(ConfigError::ClientIdMetadataDocuments(_))
    ));
}
