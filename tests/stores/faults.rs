//! Faults: a store that fails or stalls. Every request it touches gets
//! `503 temporarily_unavailable` with an RFC-shaped body, and nothing is lost: once the fault
//! clears, every client acknowledged before is intact, with its last acknowledged metadata and
//! its token, and no request refused during the fault left a client behind.

use crate::common;

use std::time::Duration;

use crate::common::faulty_store::{Fault, FaultyStore};
use crate::common::{App, Client, assert_error, merged, min, update_body};
use http::StatusCode;
use serde_json::{Value, json};
use tower_oidc_registration::Requester;
use tower_oidc_registration::{
    ClientAuthError, ClientCredentials, ClientStore, RegistrationConfig, RegistrationError,
    Registry, Secret,
};

/// 503 `temporarily_unavailable`, RFC-shaped, saying nothing of the store's internals.
#[track_caller]
fn assert_unavailable(resp: &common::Resp) {
    let body = assert_error(
        resp,
        StatusCode::SERVICE_UNAVAILABLE,
        Some("temporarily_unavailable"),
    );
    let description = body["error_description"].as_str().unwrap_or("");
    assert!(
        !description.contains("injected") && !description.contains("reset"),
        "the description leaks the store's error: {description}"
    );
}

/// A client as last acknowledged: its credentials and the `client_name` of the last 2xx.
struct Acked {
    client: Client,
    name: String,
}

async fn register_clients(app: &App, n: usize) -> Vec<Acked> {
    let mut acked = Vec::new();
    for i in 0..n {
        let name = format!("client {i}");
        let client = app
            .register(&merged(&min(), &json!({"client_name": name})))
            .await;
        acked.push(Acked { client, name });
    }
    acked
}

/// Every acknowledged client is there, whole: readable with its token, with its last
/// acknowledged name; the store holds exactly these.
async fn assert_intact(app: &App, store: &FaultyStore, acked: &[Acked]) {
    for a in acked {
        let resp = app.get(&a.client.path(), Some(&a.client.token)).await;
        assert_eq!(
            resp.status,
            StatusCode::OK,
            "{}: {}",
            a.client.id,
            resp.text()
        );
        assert_eq!(resp.json()["client_name"], Value::from(a.name.as_str()));
        assert_eq!(resp.json()["client_secret"], a.client.body["client_secret"]);
    }
    assert_eq!(
        store.count().await.expect("count"),
        acked.len() as u64,
        "a refused request left a client behind, or one was lost"
    );
}

/// ERR-10: failures that are not about metadata keep the error format under their own status.
#[tokio::test]
async fn a_failing_store_gives_503_on_every_operation_and_loses_nothing() {
    let store = FaultyStore::default();
    let app = App::with(|b| b.store(store.clone()));
    let mut acked = register_clients(&app, 20).await;
    // A few acknowledged updates before the fault.
    for a in acked.iter_mut().take(5) {
        a.name = format!("{} updated", a.name);
        let body = update_body(&a.client, &merged(&min(), &json!({"client_name": a.name})));
        let resp = app
            .put(&a.client.path(), Some(&a.client.token), &body)
            .await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    }

    store.set(Fault::FailAll);
    for a in &acked[..3] {
        assert_unavailable(&app.register_raw(&min()).await);
        assert_unavailable(&app.get(&a.client.path(), Some(&a.client.token)).await);
        let body = update_body(&a.client, &merged(&min(), &json!({"client_name": "lost"})));
        assert_unavailable(
            &app.put(&a.client.path(), Some(&a.client.token), &body)
                .await,
        );
        assert_unavailable(&app.delete(&a.client.path(), Some(&a.client.token)).await);
    }

    // Reads work, writes fail: the token checks pass, the write is refused, nothing changes.
    store.set(Fault::FailWrites);
    assert_unavailable(&app.register_raw(&min()).await);
    for a in &acked[5..10] {
        let resp = app.get(&a.client.path(), Some(&a.client.token)).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
        let body = update_body(&a.client, &merged(&min(), &json!({"client_name": "lost"})));
        assert_unavailable(
            &app.put(&a.client.path(), Some(&a.client.token), &body)
                .await,
        );
        assert_unavailable(&app.delete(&a.client.path(), Some(&a.client.token)).await);
    }

    store.set(Fault::None);
    assert_intact(&app, &store, &acked).await;
    // And the server works again.
    acked.extend(register_clients(&app, 1).await);
    assert_intact(&app, &store, &acked).await;
}

#[tokio::test]
async fn a_stalled_store_gives_503_within_the_store_timeout_and_loses_nothing() {
    let store = FaultyStore::default();
    let app = App::with(|b| {
        b.store(store.clone())
            .store_timeout(Some(Duration::from_millis(200)))
    });
    let acked = register_clients(&app, 5).await;

    store.set(Fault::Stall);
    let a = &acked[0];
    let body = update_body(&a.client, &merged(&min(), &json!({"client_name": "lost"})));
    // A generous bound: the point is that the request ends at all, and with a 503.
    let stalled = async {
        assert_unavailable(&app.register_raw(&min()).await);
        assert_unavailable(&app.get(&a.client.path(), Some(&a.client.token)).await);
        assert_unavailable(
            &app.put(&a.client.path(), Some(&a.client.token), &body)
                .await,
        );
        assert_unavailable(&app.delete(&a.client.path(), Some(&a.client.token)).await);
    };
    tokio::time::timeout(Duration::from_secs(30), stalled)
        .await
        .expect("requests to a stalled store end with the store timeout");

    store.set(Fault::None);
    assert_intact(&app, &store, &acked).await;
}

#[test]
fn a_zero_store_timeout_is_a_configuration_error() {
    let err = RegistrationConfig::builder(common::ISSUER)
        .store_timeout(Some(Duration::ZERO))
        .build()
        .expect_err("zero timeout");
    assert!(err.to_string().starts_with("store_timeout"), "{err}");
}

#[tokio::test]
async fn the_hosts_registry_calls_report_store_failures_as_503_errors() {
    let store = FaultyStore::default();
    let config = RegistrationConfig::builder(common::ISSUER)
        .store(store.clone())
        .store_timeout(Some(Duration::from_millis(200)))
        .build()
        .expect("config");
    let registry = Registry::new(&config);
    let request = match min() {
        Value::Object(map) => map,
        _ => unreachable!(),
    };
    let client = registry
        .register(Requester::host(), request.clone())
        .await
        .expect("register");
    let secret = client.client_secret().expect("secret").expose().to_owned();
    let credentials = ClientCredentials::Basic {
        client_id: client.client_id().to_owned(),
        client_secret: Secret::new(secret),
    };

    for fault in [Fault::FailAll, Fault::Stall] {
        store.set(fault);
        let err = registry
            .register(Requester::host(), request.clone())
            .await
            .expect_err("store down");
        assert!(matches!(err, RegistrationError::Store(_)), "{err:?}");
        assert_eq!(err.code(), "temporarily_unavailable");
        assert_eq!(
            tower_oidc_registration::error_response(err).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let err = registry
            .authenticate(&credentials)
            .await
            .expect_err("store down");
        assert!(matches!(err, ClientAuthError::Store(_)), "{err:?}");
        let err = registry
            .delete(Requester::host(), client.client_id())
            .await
            .expect_err("store down");
        assert_eq!(
            tower_oidc_registration::error_response(err).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    store.set(Fault::None);
    registry
        .authenticate(&credentials)
        .await
        .expect("the client survived the faults");
    assert_eq!(store.count().await.expect("count"), 1);
}

/// A store that took the registration but whose answer was lost (a store timeout firing after
/// the commit): the client exists, so the registration answers 201 with its credentials, which
/// work. Least of all may a single-use initial access token be spent on a client its holder
/// never hears of.
#[tokio::test]
async fn a_registration_whose_store_answer_is_lost_after_the_commit_is_acknowledged() {
    const IAT: &str = "single-use-initial-access-token";
    let store = FaultyStore::default();
    let app = App::with(|b| {
        b.store(store.clone()).initial_access_token_with(
            IAT,
            tower_oidc_registration::InitialAccessTokenOptions::new().max_uses(1),
        )
    });
    for bearer in [None, Some(IAT)] {
        store.set(Fault::LoseNextAnswer);
        let mut request =
            http::Request::post("/register").header(http::header::CONTENT_TYPE, "application/json");
        if let Some(token) = bearer {
            request = request.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = serde_json::to_vec(&min()).expect("serialize");
        let resp = app
            .send(request.body(common::full(body)).expect("request"))
            .await;
        let client = common::created_client(&resp, &min());
        let read = app.get(&client.path(), Some(&client.token)).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    }
    assert_eq!(store.inner.count().await.expect("count"), 2);
}
