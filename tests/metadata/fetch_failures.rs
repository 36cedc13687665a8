//! What a client learns when a document cannot be fetched: one description per kind of URI,
//! whatever went wrong (a refused connection, a server that does not speak TLS, a timeout), so
//! that registering URIs cannot be used to probe which ports and services the server reaches.

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use tower_oidc_registration::TrustedIssuer;
use tower_oidc_registration::fetch::HttpsFetcher;

use crate::common::captured::{Captured, run_alone_in_a_child};
use crate::common::host::Host;
use crate::common::{REDIRECT, assert_rfc_error};
use crate::https_server::broken;

const ISSUER: &str = "https://software.example.org";

/// Short, so that the silent server costs the test little; the other failures come at once.
const TIMEOUT: Duration = Duration::from_millis(100);

/// A fetcher that may reach the local failing endpoints.
fn fetcher() -> HttpsFetcher {
    HttpsFetcher::builder()
        .allow_loopback(true)
        .timeout(TIMEOUT)
        .build()
        .expect("fetcher")
}

/// `https://{addr}{path}` of a refused port, a server that is not TLS and a silent one.
async fn failing_uris(path: &str) -> [String; 3] {
    let uri = |addr: SocketAddr| format!("https://{addr}{path}");
    [
        uri(broken::refusing().await),
        uri(broken::not_tls().await),
        uri(broken::silent().await),
    ]
}

/// The `error_description` of a response refused with `code`.
fn description(resp: &crate::common::Resp, code: &str) -> String {
    let body = assert_rfc_error(resp, code);
    body["error_description"]
        .as_str()
        .expect("a description")
        .to_owned()
}

/// ERR-11: a document that cannot be fetched gets one description for its kind of URI,
/// whatever the reason.
#[tokio::test]
async fn every_sector_fetch_failure_gives_the_client_one_description() {
    let host = Host::new(|b| b.uri_fetcher(fetcher()));
    let mut descriptions = Vec::new();
    for sector in failing_uris("/sector.json").await {
        let body = json!({"redirect_uris": [REDIRECT], "sector_identifier_uri": sector});
        let resp = host.post(None, &body).await;
        descriptions.push(description(&resp, "invalid_client_metadata"));
    }
    assert_eq!(
        descriptions, ["sector_identifier_uri: could not be fetched"; 3],
        "a refused connection, a server that is not TLS and a timeout"
    );
}

/// A statement that names [`ISSUER`], well formed but unsigned: its issuer's keys are fetched
/// before any signature is checked.
fn statement_from_the_issuer() -> String {
    let part = |value: Value| URL_SAFE_NO_PAD.encode(value.to_string());
    format!(
        "{}.{}.{}",
        part(json!({"alg": "EdDSA", "kid": "k"})),
        part(json!({"iss": ISSUER})),
        URL_SAFE_NO_PAD.encode(b"not a signature")
    )
}

/// ERR-11: a document that cannot be fetched gets one description for its kind of URI,
/// whatever the reason.
#[tokio::test]
async fn every_issuer_key_fetch_failure_gives_the_client_one_description() {
    let mut descriptions = Vec::new();
    for jwks_uri in failing_uris("/jwks.json").await {
        let host = Host::new(|b| {
            b.uri_fetcher(fetcher())
                .trusted_software_statement_issuer(TrustedIssuer::with_jwks_uri(ISSUER, jwks_uri))
        });
        let body = json!({
            "redirect_uris": [REDIRECT],
            "software_statement": statement_from_the_issuer(),
        });
        let resp = host.post(None, &body).await;
        descriptions.push(description(&resp, "invalid_software_statement"));
    }
    assert_eq!(
        descriptions, ["software_statement: its issuer's keys could not be fetched"; 3],
        "a refused connection, a server that is not TLS and a timeout"
    );
}

/// Set in the child process that runs [`fetch_failure_log_child`].
const CHILD_ENV: &str = "METADATA_FETCH_FAILURE_LOG_CHILD";

/// ERR-11: a document that cannot be fetched gets one description for its kind of URI,
/// whatever the reason; the reason is logged for the operator, at debug level.
///
/// Runs [`fetch_failure_log_child`] alone in a child process (see [`run_alone_in_a_child`]).
#[test]
fn the_reason_a_fetch_failed_is_logged_for_the_operator() {
    run_alone_in_a_child("fetch_failures::fetch_failure_log_child", CHILD_ENV);
}

#[test]
#[ignore = "run alone in a child process by the_reason_a_fetch_failed_is_logged_for_the_operator"]
fn fetch_failure_log_child() {
    let (captured, subscriber) = Captured::subscriber(tracing::Level::DEBUG);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sector = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let sector = format!("https://{}/sector.json", broken::refusing().await);
            let host = Host::new(|b| b.uri_fetcher(fetcher()));
            let body = json!({"redirect_uris": [REDIRECT], "sector_identifier_uri": sector});
            let resp = host.post(None, &body).await;
            assert_eq!(
                description(&resp, "invalid_client_metadata"),
                "sector_identifier_uri: could not be fetched"
            );
            sector
        })
    });
    let logs = captured.text();
    let event = logs
        .lines()
        .find(|line| line.contains("sector_identifier_uri could not be fetched"))
        .unwrap_or_else(|| panic!("no event of the failed fetch:\n{logs}"));
    assert!(event.contains("DEBUG"), "{event}");
    assert!(event.contains(&sector), "{event}");
    assert!(event.contains("Connect("), "the reason is missing: {event}");
}
