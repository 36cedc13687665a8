//! Credentials lifecycle: registration access token rotation (on update, on every
//! use, atomic under concurrency), client secret rotation and expiry, and secrets stored hashed.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use crate::common::faulty_store::{Fault, FaultyStore};
use crate::common::host::{Host, basic, get_request, put_request, token_of};
use crate::common::{Client, REDIRECT, Resp, TestBody, assert_invalid_token, min};
use http::{Request, StatusCode};
use serde_json::{Value, json};
use tower_oidc_registration::metadata::{AuthMethod, MetadataRules};
use tower_oidc_registration::{
    ClientAuthError, ClientRecord, CredentialHash, RegistrationConfig, Registry, SecretRotation,
    SecretStorage, StoredSecret, TokenRotation,
};
use tower_oidc_registration::{ClientStore as _, Requester};

// ---------------------------------------------------------------------------------------------
// Harness.
// ---------------------------------------------------------------------------------------------

/// Sends 16 requests made by `make` at once, from tasks on the multi-thread runtime, each
/// through its own clone of the service; returns the status and `registration_access_token`
/// of each.
async fn race(
    host: &Host,
    make: impl Fn() -> Request<TestBody>,
) -> Vec<(StatusCode, Option<String>)> {
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let request = common::send(&host.svc, make());
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                request.await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        let resp = task.await.expect("task");
        let token = serde_json::from_slice::<Value>(&resp.body)
            .ok()
            .and_then(|v| v["registration_access_token"].as_str().map(str::to_owned));
        results.push((resp.status, token));
    }
    results
}

/// Asserts that exactly one of the raced requests won (200) and the 15 others were refused
/// (401); returns the winner's token.
#[track_caller]
fn the_winners_token(results: &[(StatusCode, Option<String>)]) -> String {
    let winners: Vec<_> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .collect();
    let losers = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!((winners.len(), losers), (1, 15), "{results:?}");
    winners[0].1.clone().expect("the winner got a token")
}

fn update(client: &Client, name: &str) -> Value {
    json!({"client_id": client.id, "redirect_uris": [REDIRECT], "client_name": name})
}

/// Renames `client` to `name` with its own token and asserts the update succeeded.
async fn rename(host: &Host, client: &Client, name: &str) -> Resp {
    let resp = host
        .put(&client.id, &client.token, &update(client, name))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    resp
}

/// The `client_secret` a response shows; `why` says why it must be there.
fn shown_secret(resp: &Resp, why: &str) -> String {
    resp.json()["client_secret"].as_str().expect(why).to_owned()
}

/// Asserts that `secret` authenticates `client_id` at the registry; `why` names the case.
async fn assert_authenticates(host: &Host, client_id: &str, secret: &str, why: &str) {
    host.registry
        .authenticate(&basic(client_id, secret))
        .await
        .expect(why);
}

/// The record the store keeps for a registered client.
async fn stored_record(host: &Host, client_id: &str) -> Arc<ClientRecord> {
    host.registry
        .lookup(client_id)
        .await
        .expect("store")
        .expect("registered")
}

// ---------------------------------------------------------------------------------------------
// Registration access token rotation.
// ---------------------------------------------------------------------------------------------

/// MGT-4: a read changes nothing.
#[tokio::test]
async fn never_rotation_keeps_the_token_across_reads_and_updates() {
    let host = Host::new(|b| b);
    let client = host.register(None, &min()).await;
    let resp = host.get(&client.id, &client.token).await;
    assert_eq!(resp.json()["registration_access_token"], client.token);
    let resp = rename(&host, &client, "x").await;
    assert_eq!(resp.json()["registration_access_token"], client.token);
    assert_eq!(
        host.get(&client.id, &client.token).await.status,
        StatusCode::OK
    );
}

/// MGT-5: a rotated registration access token replaces the old one at once.
#[tokio::test]
async fn on_update_rotation_replaces_the_token_on_put_only() {
    let host = Host::new(|b| b.token_rotation(TokenRotation::OnUpdate));
    let client = host.register(None, &min()).await;
    let resp = host.get(&client.id, &client.token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(
        resp.json()["registration_access_token"],
        client.token,
        "a read does not rotate with OnUpdate"
    );
    let resp = rename(&host, &client, "x").await;
    let new_token = token_of(&resp);
    assert_ne!(new_token, client.token);
    assert_invalid_token(&host.get(&client.id, &client.token).await);
    assert_eq!(
        host.get(&client.id, &new_token).await.status,
        StatusCode::OK
    );
}

/// MGT-5: a rotated registration access token replaces the old one at once.
#[tokio::test]
async fn on_every_use_rotation_replaces_the_token_on_each_read() {
    let host = Host::new(|b| b.token_rotation(TokenRotation::OnEveryUse));
    let client = host.register(None, &min()).await;
    let mut token = client.token.clone();
    let mut seen = vec![token.clone()];
    for _ in 0..3 {
        let resp = host.get(&client.id, &token).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
        let body = resp.json();
        assert_eq!(body["client_id"], client.id);
        assert_eq!(body["client_secret"], client.body["client_secret"]);
        let fresh = body["registration_access_token"]
            .as_str()
            .expect("token")
            .to_owned();
        assert!(!seen.contains(&fresh), "a read returned a used token");
        // The token just used is dead at once.
        assert_invalid_token(&host.get(&client.id, &token).await);
        seen.push(fresh.clone());
        token = fresh;
    }
    // An update rotates as well.
    let resp = host.put(&client.id, &token, &update(&client, "x")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let fresh = token_of(&resp);
    assert!(!seen.contains(&fresh));
    assert_invalid_token(&host.get(&client.id, &token).await);
    assert_eq!(host.get(&client.id, &fresh).await.status, StatusCode::OK);
}

/// MGT-5: a rotated registration access token replaces the old one at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_every_use_concurrent_reads_with_one_token_exactly_one_wins() {
    let host = Host::new(|b| b.token_rotation(TokenRotation::OnEveryUse));
    for _round in 0..3 {
        let client = host.register(None, &min()).await;
        let results = race(&host, || get_request(&client.id, &client.token)).await;
        // The winner's token is the one that works now; the old one is dead.
        let fresh = the_winners_token(&results);
        assert_invalid_token(&host.get(&client.id, &client.token).await);
        assert_eq!(host.get(&client.id, &fresh).await.status, StatusCode::OK);
    }
}

/// MGT-5: a rotated registration access token replaces the old one at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_update_concurrent_puts_with_one_token_exactly_one_wins() {
    let host = Host::new(|b| b.token_rotation(TokenRotation::OnUpdate));
    for _round in 0..3 {
        let client = host.register(None, &min()).await;
        let results = race(&host, || {
            put_request(&client.id, &client.token, &update(&client, "raced"))
        })
        .await;
        let fresh = the_winners_token(&results);
        assert_invalid_token(&host.get(&client.id, &client.token).await);
        let resp = host.get(&client.id, &fresh).await;
        assert_eq!(resp.json()["client_name"], "raced");
    }
}

/// MGT-5: a rotated registration access token replaces the old one at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_every_use_concurrent_mixed_reads_and_updates_exactly_one_wins() {
    let host = Host::new(|b| b.token_rotation(TokenRotation::OnEveryUse));
    let client = host.register(None, &min()).await;
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let results = race(&host, || {
        if counter
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            .is_multiple_of(2)
        {
            get_request(&client.id, &client.token)
        } else {
            put_request(&client.id, &client.token, &update(&client, "mixed"))
        }
    })
    .await;
    let winners = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(winners, 1, "{results:?}");
}

/// A host over a store whose next write loses a compare-and-swap race, and a client in it.
async fn racing_host(rotation: TokenRotation) -> (Host, FaultyStore, Client) {
    let store = FaultyStore::default();
    let host = Host::new(|b| b.store(store.clone()).token_rotation(rotation));
    let client = host.register(None, &min()).await;
    store.set(Fault::LoseNextRace);
    (host, store, client)
}

async fn stored_version(store: &FaultyStore, client: &Client) -> Option<u64> {
    let record = store.inner.get(&client.id).await.expect("store");
    record.map(|r| r.version())
}

#[tokio::test]
async fn an_uncontended_management_request_reads_the_record_once() {
    // The record read to check the token is the one written back: only a lost race costs a
    // second read.
    let (host, store, client) = racing_host(TokenRotation::OnEveryUse).await;
    store.set(Fault::None);
    let gets = || store.gets.load(std::sync::atomic::Ordering::SeqCst);
    let before = gets();
    let resp = host.get(&client.id, &client.token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(gets() - before, 1, "a rotating read");
    let token = token_of(&resp);
    let before = gets();
    let resp = host.put(&client.id, &token, &update(&client, "once")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(gets() - before, 1, "an update");
    let token = token_of(&resp);
    let before = gets();
    assert_eq!(
        host.delete(&client.id, &token).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(gets() - before, 1, "a delete");
}

#[tokio::test]
async fn a_rotating_read_that_loses_a_race_retries_on_the_fresh_record() {
    let (host, store, client) = racing_host(TokenRotation::OnEveryUse).await;
    let resp = host.get(&client.id, &client.token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    // The other writer left the token as it was: the read re-checks it and rotates it.
    assert_eq!(stored_version(&store, &client).await, Some(3));
    assert_invalid_token(&host.get(&client.id, &client.token).await);
    assert_eq!(
        host.get(&client.id, &token_of(&resp)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_update_that_loses_a_race_retries_on_the_fresh_record() {
    let (host, store, client) = racing_host(TokenRotation::Never).await;
    let resp = host
        .put(&client.id, &client.token, &update(&client, "retried"))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(stored_version(&store, &client).await, Some(3));
    let read = host.get(&client.id, &client.token).await;
    assert_eq!(read.json()["client_name"], "retried");
}

#[tokio::test]
async fn a_delete_that_loses_a_race_retries_on_the_fresh_record() {
    let (host, store, client) = racing_host(TokenRotation::Never).await;
    let resp = host.delete(&client.id, &client.token).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.text());
    assert_eq!(stored_version(&store, &client).await, None);
}

// ---------------------------------------------------------------------------------------------
// Client secret rotation and expiry.
// ---------------------------------------------------------------------------------------------

/// MGT-19: an update renews an expired client secret, or every secret with rotation on.
#[tokio::test]
async fn secret_rotation_on_update_issues_a_new_secret_and_kills_the_old_one() {
    let host = Host::new(|b| b.secret_rotation(SecretRotation::OnUpdate));
    let client = host.register(None, &min()).await;
    let old = client.secret().expect("secret");
    let resp = rename(&host, &client, "x").await;
    let new = shown_secret(&resp, "the update response carries the new secret");
    assert_ne!(new, old);
    let err = host
        .registry
        .authenticate(&basic(&client.id, &old))
        .await
        .expect_err("the old secret is dead");
    assert!(matches!(err, ClientAuthError::WrongSecret), "{err:?}");
    assert_authenticates(&host, &client.id, &new, "the new secret authenticates").await;
    // A read shows the current secret.
    assert_eq!(
        host.get(&client.id, &client.token).await.json()["client_secret"],
        new
    );
}

/// MGT-19: an update renews an expired client secret, or every secret with rotation on.
#[tokio::test]
async fn without_secret_rotation_an_update_keeps_the_secret() {
    let host = Host::new(|b| b);
    let client = host.register(None, &min()).await;
    let secret = client.secret().expect("secret");
    let resp = rename(&host, &client, "x").await;
    assert_eq!(resp.json()["client_secret"], secret);
    assert_authenticates(&host, &client.id, &secret, "the secret is kept").await;
}

/// MGT-19: an update renews an expired client secret, or every secret with rotation on.
#[tokio::test]
async fn an_expired_secret_is_renewed_on_update() {
    let clock = common::TestClock::at(common::CLOCK_START);
    let host = Host::new(|b| {
        b.clock(clock.clone())
            .client_secret_lifetime(Some(Duration::from_secs(3600)))
    });
    let client = host.register(None, &min()).await;
    let old = client.secret().expect("secret");
    clock.advance(3600);
    assert!(matches!(
        host.registry.authenticate(&basic(&client.id, &old)).await,
        Err(ClientAuthError::ExpiredSecret)
    ));
    let resp = rename(&host, &client, "x").await;
    let body = resp.json();
    let new = body["client_secret"].as_str().expect("secret").to_owned();
    assert_ne!(new, old);
    assert_eq!(
        body["client_secret_expires_at"],
        common::CLOCK_START + 7200,
        "{body}"
    );
    assert_authenticates(&host, &client.id, &new, "the renewed secret authenticates").await;
    clock.set(common::CLOCK_START + 7200 - 1);
    assert_authenticates(&host, &client.id, &new, "within its lifetime").await;
}

// ---------------------------------------------------------------------------------------------
// Secrets stored hashed.
// ---------------------------------------------------------------------------------------------

/// Secrets stored hashed: the registration response shows the secret once; a read omits it
/// (keeping `client_secret_expires_at`); the store and the metadata keep its hash only; it
/// authenticates, and another secret does not.
#[tokio::test]
async fn hashed_secrets_are_shown_once_and_never_stored_in_clear() {
    let host = Host::new(|b| b.secret_storage(SecretStorage::Hashed));
    let client = host.register(None, &min()).await;
    let secret = client
        .secret()
        .expect("the registration response shows the secret");
    assert!(common::is_86_base64url(&secret));
    assert_eq!(client.body["client_secret_expires_at"], 0);

    // A read omits it, and keeps its expiry.
    let resp = host.get(&client.id, &client.token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let body = resp.json();
    assert!(body.get("client_secret").is_none(), "{body}");
    assert_eq!(body["client_secret_expires_at"], 0, "{body}");
    assert!(!resp.text().contains(&secret));

    // The store keeps its hash only.
    let record = stored_record(&host, &client.id).await;
    match record.client_secret().as_ref().expect("a stored secret") {
        StoredSecret::Hashed(hash) => {
            assert!(hash.ct_eq(&CredentialHash::of(&secret)));
        }
        other => panic!("the secret is stored as {other:?}, not hashed"),
    }
    assert!(
        record
            .client_secret()
            .as_ref()
            .expect("secret")
            .plain()
            .is_none()
    );
    let debug = format!("{record:?}");
    assert!(!debug.contains(&secret), "{debug}");
    assert!(!record.metadata().as_str().contains(&secret));

    // It authenticates.
    assert_authenticates(&host, &client.id, &secret, "a hashed secret authenticates").await;
    assert!(matches!(
        host.registry
            .authenticate(&basic(&client.id, &format!("{secret}x")))
            .await,
        Err(ClientAuthError::WrongSecret)
    ));
}

/// MGT-15: an update may repeat the client secret but never choose one.
#[tokio::test]
async fn hashed_secrets_check_the_client_secret_of_an_update() {
    let host = Host::new(|b| b.secret_storage(SecretStorage::Hashed));
    let client = host.register(None, &min()).await;
    let secret = client.secret().expect("secret");

    let mut right = update(&client, "right");
    right["client_secret"] = json!(secret);
    let resp = host.put(&client.id, &client.token, &right).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let body = resp.json();
    assert_eq!(body["client_name"], "right");
    assert!(
        body.get("client_secret").is_none(),
        "an update that issues no secret does not show one: {body}"
    );
    assert!(!resp.text().contains(&secret));

    let mut wrong = update(&client, "wrong");
    wrong["client_secret"] = json!("not-the-secret");
    let resp = host.put(&client.id, &client.token, &wrong).await;
    common::assert_rfc_error(&resp, "invalid_client_metadata");

    // Still the same secret, still hashed.
    assert_authenticates(&host, &client.id, &secret, "secret unchanged").await;
    let record = stored_record(&host, &client.id).await;
    assert!(matches!(
        record.client_secret(),
        Some(StoredSecret::Hashed(_))
    ));
}

#[tokio::test]
async fn hashed_secrets_rotated_on_update_are_shown_once() {
    let host = Host::new(|b| {
        b.secret_storage(SecretStorage::Hashed)
            .secret_rotation(SecretRotation::OnUpdate)
    });
    let client = host.register(None, &min()).await;
    let old = client.secret().expect("secret");
    let resp = rename(&host, &client, "x").await;
    let new = shown_secret(&resp, "the response that issues a secret shows it");
    assert_ne!(new, old);
    let resp = host.get(&client.id, &client.token).await;
    assert!(
        resp.json().get("client_secret").is_none(),
        "{}",
        resp.text()
    );
    assert_authenticates(&host, &client.id, &new, "the new secret authenticates").await;
    assert!(
        host.registry
            .authenticate(&basic(&client.id, &old))
            .await
            .is_err()
    );
    let record = stored_record(&host, &client.id).await;
    assert!(matches!(
        record.client_secret(),
        Some(StoredSecret::Hashed(_))
    ));
    assert!(!format!("{record:?}").contains(&new));
}

#[tokio::test]
async fn hashed_secrets_through_the_host_api() {
    let host = Host::new(|b| b.secret_storage(SecretStorage::Hashed));
    let mut request = serde_json::Map::new();
    request.insert("redirect_uris".into(), json!([REDIRECT]));
    let info = host
        .registry
        .register(Requester::host(), request)
        .await
        .expect("register");
    let secret = info
        .client_secret()
        .expect("shown at registration")
        .expose()
        .to_owned();
    assert!(
        info.record()
            .client_secret()
            .as_ref()
            .expect("secret")
            .plain()
            .is_none()
    );
    assert_authenticates(&host, info.client_id(), &secret, "authenticates").await;
    // A host replacement does not bring the secret back.
    let mut request = serde_json::Map::new();
    request.insert("redirect_uris".into(), json!([REDIRECT]));
    let info = host
        .registry
        .update(Requester::host(), info.client_id(), request)
        .await
        .expect("replace");
    assert!(info.client_secret().is_none());
    let body = String::from_utf8(info.to_json()).expect("utf8");
    assert!(!body.contains(&secret), "{body}");
}

/// The auth methods discovery advertises.
fn advertised_methods(registry: &Registry) -> Vec<String> {
    registry.provider_metadata()["token_endpoint_auth_methods_supported"]
        .as_array()
        .expect("token_endpoint_auth_methods_supported")
        .iter()
        .map(|m| m.as_str().expect("string").to_owned())
        .collect()
}

/// ALG-8: algorithms keyed with the client secret are only for clients that get one.
///
/// A `client_secret_jwt` client signs with its secret as the HMAC key: the server needs the
/// secret in clear to verify, so hashed storage neither offers nor accepts the method.
#[tokio::test]
async fn hashed_secrets_do_not_offer_client_secret_jwt() {
    let jwt =
        json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "client_secret_jwt"});

    let plain = Host::new(|b| b);
    assert!(advertised_methods(&plain.registry).contains(&"client_secret_jwt".to_owned()));
    let client = plain.register(None, &jwt).await;
    assert!(client.secret().is_some(), "{}", client.body);

    let hashed = Host::new(|b| b.secret_storage(SecretStorage::Hashed));
    let methods = advertised_methods(&hashed.registry);
    assert!(
        !methods.contains(&"client_secret_jwt".to_owned()),
        "{methods:?}"
    );
    for kept in [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none",
    ] {
        assert!(methods.contains(&kept.to_owned()), "{kept} in {methods:?}");
    }
    let resp = hashed.post(None, &jwt).await;
    common::assert_invalid_metadata(&resp, "token_endpoint_auth_method");
    // Nor can a client switch to it by updating.
    let client = hashed.register(None, &min()).await;
    let mut body = jwt.clone();
    body["client_id"] = json!(client.id);
    let resp = hashed.put(&client.id, &client.token, &body).await;
    common::assert_invalid_metadata(&resp, "token_endpoint_auth_method");
    // The configuration's rules say so too, even when they listed it explicitly.
    let mut rules = MetadataRules::default();
    rules.auth_methods = vec![AuthMethod::ClientSecretJwt, AuthMethod::ClientSecretBasic];
    let config = RegistrationConfig::builder(common::ISSUER)
        .rules(rules)
        .secret_storage(SecretStorage::Hashed)
        .build()
        .expect("config");
    assert_eq!(config.rules().auth_methods, [AuthMethod::ClientSecretBasic]);
}
