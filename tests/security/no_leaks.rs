//! Secrets never leak — not into `tracing` output, not into events, not into
//! `Debug` output.
//!
//! A full workflow (protected registration with issued and static initial access tokens,
//! reads, updates that rotate the secret and the token, client authentication through the
//! [`Registry`], deletion, and failed attempts of every kind) runs under a global TRACE
//! subscriber for all targets, with span events, and an events hook. Neither the captured log
//! text nor any event's `Debug` may contain a client secret, a registration access token, an
//! initial access token, or their SHA-256 (what stores keep) in hex or base64 form — not even
//! 16 characters of one, so a truncated echo is caught too.
//!
//! `tests/host/events.rs` (`no_log_line_carries_a_secret`, `no_event_carries_a_secret`) checks
//! the full secrets in logs and events of a shorter workflow; this extends it to the hash forms,
//! substrings, spans, the host API and `Debug` of every type that holds a credential or a key.

use crate::common;

use std::sync::{Arc, Mutex};

use crate::common::captured::Captured;
use crate::common::host::{Host, basic, named, object, token_of};
use crate::common::{REDIRECT, min};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use http::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};
use tower_oidc_registration::Requester;
use tower_oidc_registration::{
    ClientCredentials, ClientRecord, CredentialHash, EventListener, InitialAccessTokenOptions,
    RegistrationAccess, RegistrationConfig, RegistrationConfigBuilder, RegistrationEvent, Secret,
    SecretRotation, SecretStorage, SigningKey, StoredSecret, TokenRotation,
};
use tracing_subscriber::fmt::format::FmtSpan;

const STATIC_IAT: &str = "static-initial-access-token-no-leaks";

/// Every text form in which a credential could leak: itself, and its SHA-256 in hex (both
/// cases) and in base64 and base64url (padded or not).
fn leak_forms(secret: &str) -> Vec<String> {
    let hash = Sha256::digest(secret.as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    vec![
        secret.to_owned(),
        hex.to_ascii_uppercase(),
        hex,
        STANDARD.encode(hash),
        STANDARD_NO_PAD.encode(hash),
        URL_SAFE.encode(hash),
        URL_SAFE_NO_PAD.encode(hash),
    ]
}

/// The 16-character windows of every leak form of each secret (the whole form when shorter).
fn needles(secrets: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for secret in secrets {
        assert!(secret.len() >= 16, "weak test secret {secret:?}");
        for form in leak_forms(secret) {
            let bytes = form.as_bytes();
            for start in 0..=bytes.len().saturating_sub(16) {
                let window = &form[start..(start + 16).min(bytes.len())];
                out.push((window.to_owned(), secret.clone()));
            }
        }
    }
    out
}

#[track_caller]
fn assert_no_leak(what: &str, text: &str, needles: &[(String, String)]) {
    for (needle, secret) in needles {
        assert!(
            !text.contains(needle.as_str()),
            "{what} carries {needle:?} (a form of the secret {secret:?}):\n{text}"
        );
    }
}

/// The `Debug` of every event.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<String>>>);

impl EventListener for Events {
    fn on_event(&self, event: &RegistrationEvent<'_>) {
        self.0.lock().expect("lock").push(format!("{event:?}"));
    }
}

fn config(events: Events, storage: SecretStorage) -> RegistrationConfigBuilder {
    RegistrationConfig::builder(common::ISSUER)
        .registration_access(RegistrationAccess::InitialAccessToken)
        .initial_access_token(STATIC_IAT)
        .token_rotation(TokenRotation::OnUpdate)
        .secret_rotation(SecretRotation::OnUpdate)
        .secret_storage(storage)
        .events(events)
}

/// The workflow; returns every credential it saw and the `Debug` of every value the host API
/// returned.
async fn workflow(host: &Host, debug: &mut Vec<String>) -> Vec<String> {
    let mut secrets = vec![STATIC_IAT.to_owned()];
    let issued = host
        .registry
        .issue_initial_access_token(InitialAccessTokenOptions::new().max_uses(5))
        .await
        .expect("issue");
    debug.push(format!("{issued:?}"));
    let iat = issued.token.expose().to_owned();
    secrets.push(iat.clone());

    // Failed registrations: no token, a bogus one, bad metadata.
    assert_eq!(
        host.post(None, &min()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let bogus = format!("{iat}x");
    assert_eq!(
        host.post(Some(&bogus), &min()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let bad = json!({"redirect_uris": ["https://rp.example.org/cb#frag"]});
    assert_eq!(
        host.post(Some(&iat), &bad).await.status,
        StatusCode::BAD_REQUEST
    );

    let client = host.register(Some(&iat), &named("a")).await;
    let other = host.register(Some(STATIC_IAT), &named("b")).await;
    let secret = client.secret().expect("secret");
    secrets.extend([
        secret.clone(),
        client.token.clone(),
        other.secret().expect("secret"),
        other.token.clone(),
    ]);

    // A registration access token used as an initial access token, another client's token.
    assert_eq!(
        host.post(Some(&client.token), &min()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        host.get(&client.id, &other.token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        host.get(&client.id, &client.token).await.status,
        StatusCode::OK
    );

    // Refused updates that carry credentials in the body.
    host.assert_credential_bearing_updates_refused(&client, &format!("{secret}-wrong"))
        .await;

    // Client authentication through the registry: right, wrong, wrong method.
    let record = host
        .registry
        .authenticate(&basic(&client.id, &secret))
        .await
        .expect("authenticated");
    debug.push(format!("{record:?}"));
    let wrong = host
        .registry
        .authenticate(&basic(&client.id, &format!("{secret}0")))
        .await
        .expect_err("wrong secret");
    debug.push(format!("{wrong:?} {wrong}"));
    let post = ClientCredentials::from_form(client.id.clone(), secret.clone());
    debug.push(format!("{post:?}"));
    let wrong = host
        .registry
        .authenticate(&post)
        .await
        .expect_err("wrong method");
    debug.push(format!("{wrong:?} {wrong}"));

    // An update that rotates both the secret and the token.
    let mut body = json!({"client_id": client.id, "redirect_uris": [REDIRECT], "client_name": "n"});
    body["client_secret"] = json!(secret);
    let resp = host.put(&client.id, &client.token, &body).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let new_secret = resp.json()["client_secret"]
        .as_str()
        .expect("rotated secret")
        .to_owned();
    let new_token = token_of(&resp);
    secrets.extend([new_secret.clone(), new_token.clone()]);
    assert_eq!(
        host.get(&client.id, &client.token).await.status,
        StatusCode::UNAUTHORIZED
    );

    // The host API, with the rotated token.
    let info = host
        .registry
        .read(Requester::registration_access_token(&new_token), &client.id)
        .await
        .expect("read");
    debug.push(format!("{info:?}"));
    let info = host
        .registry
        .update(
            Requester::registration_access_token(&new_token),
            &client.id,
            object(json!({"client_id": client.id, "redirect_uris": [REDIRECT]})),
        )
        .await
        .expect("update");
    debug.push(format!("{info:?}"));
    if let Some(token) = info.registration_access_token() {
        secrets.push(token.expose().to_owned());
    }
    if let Some(secret) = info.client_secret() {
        secrets.push(secret.expose().to_owned());
    }
    let current = info
        .registration_access_token()
        .map_or(new_token.clone(), |t| t.expose().to_owned());
    if let Some(record) = host.registry.lookup(&client.id).await.expect("store") {
        debug.push(format!("{record:?}"));
    }

    // Revoke the issued initial access token; delete; delete again.
    assert!(
        host.registry
            .revoke_initial_access_token(&issued.id)
            .await
            .expect("revoke")
    );
    assert_eq!(
        host.post(Some(&iat), &min()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        host.delete(&client.id, &current).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        host.delete(&client.id, &current).await.status,
        StatusCode::UNAUTHORIZED
    );
    let gone = host
        .registry
        .authenticate(&basic(&client.id, &new_secret))
        .await
        .expect_err("deleted");
    debug.push(format!("{gone:?} {gone}"));
    secrets
}

/// MGT-24: registration access tokens cannot be guessed and are kept like bearer credentials.
///
/// The one test of this binary that installs a subscriber: the global one (a scoped one can
/// miss events whose callsite another thread saw first, see `tests/host/events.rs`). The other
/// tests of the binary log into it too: that adds lines, never a credential of this workflow,
/// which are all generated here or unique to this file.
#[test]
fn no_credential_reaches_logs_events_or_debug_during_a_full_workflow() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("first global subscriber");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut secrets = Vec::new();
    let mut debug = Vec::new();
    let mut events = Vec::new();
    for storage in [SecretStorage::Plain, SecretStorage::Hashed] {
        let recorder = Events::default();
        let host = Host::from_config(
            config(recorder.clone(), storage)
                .build()
                .expect("configuration"),
        );
        secrets.extend(runtime.block_on(workflow(&host, &mut debug)));
        events.extend(recorder.0.lock().expect("lock").iter().cloned());
    }
    let logs = captured.text();
    // Logging and events did happen (so their silence about secrets means something).
    for expected in [
        "client registered",
        "client updated",
        "client deleted",
        "registration request rejected",
        "registration",
    ] {
        assert!(
            logs.contains(expected),
            "no {expected:?} in the logs:\n{logs}"
        );
    }
    assert!(logs.contains("TRACE") || logs.contains("DEBUG"), "{logs}");
    assert!(events.len() >= 20, "{events:?}");

    let needles = needles(&secrets);
    assert_no_leak("the logs", &logs, &needles);
    for event in &events {
        assert_no_leak("an event", event, &needles);
    }
    for value in &debug {
        assert_no_leak(
            "the Debug of a value the host API returned",
            value,
            &needles,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Debug of every type that holds a credential or a key.
// ---------------------------------------------------------------------------------------------

fn pem(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The base64 lines of a PEM file: the key material.
fn pem_body_lines(pem: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(pem)
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .map(str::to_owned)
        .collect()
}

#[test]
fn debug_of_keys_and_configuration_shows_no_key_material_or_token() {
    let hs_secret = "hs256-secret-of-32-bytes-or-more!!".to_owned();
    let hs = SigningKey::hs256(hs_secret.as_bytes()).expect("hs256");
    let mut needles = needles(&[hs_secret.clone(), STATIC_IAT.to_owned()]);
    needles.push((STANDARD.encode(&hs_secret), hs_secret.clone()));
    let hex: String = hs_secret.bytes().map(|b| format!("{b:02x}")).collect();
    needles.push((hex, hs_secret.clone()));
    let mut keys = vec![("hs256".to_owned(), hs)];
    for file in ["rsa2048.pem", "p256.pem", "ed25519.pem"] {
        let material = pem(file);
        for line in pem_body_lines(&material) {
            for start in 0..=line.len() - 16 {
                needles.push((line[start..start + 16].to_owned(), file.to_owned()));
            }
        }
        keys.push((
            file.to_owned(),
            SigningKey::from_pem(&material).expect(file),
        ));
    }
    for (name, key) in keys {
        let shown = format!("{key:?}");
        assert!(shown.contains(key.kid()), "{shown}");
        assert_no_leak(&format!("Debug of SigningKey {name}"), &shown, &needles);
        let config = RegistrationConfig::builder(common::ISSUER)
            .signing_key(key)
            .initial_access_token(STATIC_IAT)
            .initial_access_token_with(
                "second-static-initial-access-token",
                InitialAccessTokenOptions::new().max_uses(1),
            )
            .build()
            .expect("configuration");
        let shown = format!("{config:?} {config:#?}");
        assert!(shown.contains("RegistrationConfig"), "{shown}");
        assert_no_leak(
            &format!("Debug of RegistrationConfig {name}"),
            &shown,
            &needles,
        );
        let second = needles_of("second-static-initial-access-token");
        assert_no_leak("Debug of RegistrationConfig", &shown, &second);
    }
}

fn needles_of(secret: &str) -> Vec<(String, String)> {
    needles(&[secret.to_owned()])
}

#[test]
fn debug_of_records_secrets_hashes_and_issued_tokens_is_redacted() {
    let secret = "client-secret-0123456789abcdefghij";
    let token = "registration-access-token-0123456789";
    let needles = needles(&[secret.to_owned(), token.to_owned()]);

    let shown = format!("{:?}", Secret::new(secret));
    assert_no_leak("Debug of Secret", &shown, &needles);

    let hash = CredentialHash::of(token);
    let shown = format!("{hash:?} {hash:#?}");
    assert_no_leak("Debug of CredentialHash", &shown, &needles);
    // Not even a prefix of the hash: it would let a static token be guessed offline.
    let prefix = URL_SAFE_NO_PAD.encode(&hash.as_bytes()[..6]);
    assert!(!shown.contains(&prefix), "{shown}");

    for stored in [
        StoredSecret::Plain(Secret::new(secret)),
        StoredSecret::Hashed(CredentialHash::of(secret)),
    ] {
        let shown = format!("{stored:?} {stored:#?}");
        assert_no_leak("Debug of StoredSecret", &shown, &needles);
        let record = ClientRecord::new(
            "client-1".to_owned(),
            Some(stored),
            0,
            1,
            CredentialHash::of(token),
            tower_oidc_registration::MetadataJson::from_stored("{}".to_owned()).expect("json"),
        );
        let shown = format!("{record:?} {record:#?}");
        assert!(shown.contains("client-1"), "{shown}");
        assert_no_leak("Debug of ClientRecord", &shown, &needles);
    }

    for credentials in [
        ClientCredentials::from_form("client-1", secret),
        basic("client-1", secret),
    ] {
        let shown = format!("{credentials:?}");
        assert_no_leak("Debug of ClientCredentials", &shown, &needles);
    }
}

/// The issued-token types, as the host gets them.
#[tokio::test]
async fn debug_of_issued_credentials_is_redacted() {
    let host = Host::new(|b| b);
    let issued = host
        .registry
        .issue_initial_access_token(InitialAccessTokenOptions::new())
        .await
        .expect("issue");
    let info = host
        .registry
        .register(Requester::host(), object(min()))
        .await
        .expect("register");
    let mut secrets = vec![issued.token.expose().to_owned()];
    secrets.extend(info.client_secret().map(|s| s.expose().to_owned()));
    secrets.extend(
        info.registration_access_token()
            .map(|t| t.expose().to_owned()),
    );
    assert_eq!(
        secrets.len(),
        3,
        "an initial access token, a secret and a token"
    );
    let needles = needles(&secrets);
    let shown = format!("{issued:?} {issued:#?}");
    assert!(shown.contains(&issued.id), "{shown}");
    assert_no_leak("Debug of IssuedInitialAccessToken", &shown, &needles);
    let shown = format!("{info:?} {info:#?} {:?}", host.registry);
    assert!(shown.contains(info.client_id()), "{shown}");
    assert_no_leak("Debug of ClientInformation", &shown, &needles);
}
