//! Two replicas of a service over one PostgreSQL database: two real hyper servers, each with
//! its own `RegistrationLayer` over its own `PostgresStore`, sharing the signing key and the
//! issuer. A client registered through one is read, updated and deleted through the other;
//! concurrent updates through both lose nothing and tear nothing; a rotating token wins once.
//! Initial access tokens hold across both (`replicas/initial_access.rs`), and so do the
//! registration rate limits (`replicas/rate_limit.rs`).
//!
//! The database is named by `TOWER_OIDC_REGISTRATION_POSTGRES_URL` (each test works in a fresh
//! schema of it). Without the variable the tests print "SKIPPED: set
//! TOWER_OIDC_REGISTRATION_POSTGRES_URL" and pass, except under CI (`common::under_ci`), where they fail.
//! `scripts/test` starts a throwaway server and sets the variable.
use crate::common;

mod initial_access;
mod rate_limit;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower::{Layer, service_fn};
use tower_oidc_registration::store::PostgresStore;
use tower_oidc_registration::{
    ClientStore, RegistrationConfig, RegistrationConfigBuilder, RegistrationLayer, Registry,
    SigningKey, TokenRotation,
};

use crate::common::ISSUER;
use crate::common::postgres::{Schema, database_url};

const TIMEOUT: Duration = Duration::from_secs(30);
/// Concurrent PUTs per replica.
const WRITERS_PER_REPLICA: usize = 8;

// ---------------------------------------------------------------------------------------------
// The replicas
// ---------------------------------------------------------------------------------------------

/// One replica: a hyper server on 127.0.0.1 serving the layer over its own store; stopped on
/// drop.
struct Replica {
    addr: SocketAddr,
    store: PostgresStore,
    /// The layer's registry, for what the host does (issue an initial access token).
    registry: Registry,
    task: JoinHandle<()>,
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Replica {
    async fn start(schema: &Schema, rotation: TokenRotation) -> Self {
        Self::start_with(schema, |b| b.token_rotation(rotation)).await
    }

    /// A replica whose configuration `configure` completes.
    async fn start_with(
        schema: &Schema,
        configure: impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder,
    ) -> Self {
        // A store of its own (its own pool) in the shared schema: one replica's store.
        let store = schema.store(8).await;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        // The same issuer and key on every replica: a token issued by one verifies on all.
        let builder = RegistrationConfig::builder(ISSUER)
            .store(store.clone())
            .signing_key(SigningKey::hs256(&[7u8; 32]).expect("HS256 key"));
        let config = configure(builder).build().expect("config");
        let layer = RegistrationLayer::new(config);
        let registry = layer.registry();
        let service = layer.layer(service_fn(fallback));
        let task = common::server::serve(listener, service);
        Self {
            addr,
            store,
            registry,
            task,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn client_url(&self, client_id: &str) -> String {
        self.url(&format!("/register/{client_id}"))
    }
}

/// A fresh schema for the replicas of `test`; `None` when PostgreSQL is not configured
/// (skipped).
async fn schema(test: &str) -> Option<Schema> {
    let url = database_url(&format!("replicas::{test}"))?;
    Some(Schema::create(&url, &format!("replicas_{test}")).await)
}

/// Two replicas over one fresh schema; `None` when PostgreSQL is not configured (skipped).
async fn replicas(test: &str, rotation: TokenRotation) -> Option<(Replica, Replica, Schema)> {
    let schema = schema(test).await?;
    let a = Replica::start(&schema, rotation).await;
    let b = Replica::start(&schema, rotation).await;
    Some((a, b, schema))
}

async fn fallback(_request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(b"fallback"))))
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .build()
        .expect("reqwest client")
}

fn str_field<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} missing in {value}"))
}

/// Metadata whose every member derives from `n`: a record mixing two writers' members is torn.
fn metadata(n: usize) -> Value {
    json!({
        "redirect_uris": [format!("https://rp{n}.example.org/cb")],
        "client_name": format!("writer {n}"),
        "client_uri": format!("https://rp{n}.example.org/"),
        "contacts": [format!("ops{n}@example.org")],
        "response_types": ["code"],
        "grant_types": ["authorization_code"],
        "token_endpoint_auth_method": "client_secret_basic",
    })
}

/// Which writer a body's metadata comes from, asserting that all of it comes from that one.
#[track_caller]
fn writer_of(body: &Value) -> usize {
    let name = str_field(body, "client_name");
    let n: usize = name
        .strip_prefix("writer ")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("client_name {name:?}"));
    let want = metadata(n);
    for member in [
        "redirect_uris",
        "client_name",
        "client_uri",
        "contacts",
        "response_types",
        "grant_types",
        "token_endpoint_auth_method",
    ] {
        assert_eq!(body[member], want[member], "{member} of writer {n}: {body}");
    }
    n
}

/// Registers writer 0's metadata through `replica`: (client_id, token, the 201 body).
async fn register(http: &reqwest::Client, replica: &Replica) -> (String, String, Value) {
    let response = http
        .post(replica.url("/register"))
        .json(&metadata(0))
        .send()
        .await
        .expect("POST /register");
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.expect("JSON");
    let client_id = str_field(&created, "client_id").to_owned();
    let token = str_field(&created, "registration_access_token").to_owned();
    (client_id, token, created)
}

/// A PUT of writer `n`'s metadata for `client_id`.
async fn put(
    http: &reqwest::Client,
    replica: &Replica,
    client_id: &str,
    token: &str,
    n: usize,
) -> reqwest::Response {
    let mut body = metadata(n);
    body["client_id"] = json!(client_id);
    http.put(replica.client_url(client_id))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("PUT")
}

/// A GET of `client_id`'s registration through `replica` with the bearer `token`; `what`
/// names the request.
async fn get(
    http: &reqwest::Client,
    replica: &Replica,
    client_id: &str,
    token: &str,
    what: &str,
) -> reqwest::Response {
    http.get(replica.client_url(client_id))
        .bearer_auth(token)
        .send()
        .await
        .expect(what)
}

/// A GET as [`get`] that must succeed: the 200 body.
async fn read(
    http: &reqwest::Client,
    replica: &Replica,
    client_id: &str,
    token: &str,
    what: &str,
) -> Value {
    let response = get(http, replica, client_id, token, what).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("JSON")
}

/// Sends writer `n`'s PUT for every `n` in `1..=2 * WRITERS_PER_REPLICA` at once, odd writers
/// through B and even through A, all with `token`; returns the replicas back and each
/// writer's (n, status, body).
async fn race_puts(
    http: &reqwest::Client,
    replicas: [Replica; 2],
    client_id: &str,
    token: &str,
) -> (Arc<[Replica; 2]>, Vec<(usize, StatusCode, Value)>) {
    let start = Arc::new(tokio::sync::Barrier::new(2 * WRITERS_PER_REPLICA));
    let replicas = Arc::new(replicas);
    let tasks: Vec<_> = (1..=2 * WRITERS_PER_REPLICA)
        .map(|n| {
            let (http, replicas, start) = (http.clone(), Arc::clone(&replicas), Arc::clone(&start));
            let (client_id, token) = (client_id.to_owned(), token.to_owned());
            tokio::spawn(async move {
                let replica = &replicas[n % 2];
                start.wait().await;
                let response = put(&http, replica, &client_id, &token, n).await;
                let status = response.status();
                let body: Value = response.json().await.expect("JSON");
                (n, status, body)
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("join"));
    }
    (replicas, results)
}

/// The members a read and an update both return, for comparing them.
fn comparable(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(object) = body.as_object_mut() {
        // The URI names the issuer's host in both; nothing else differs between a PUT's 200 and
        // a later GET of the same record.
        object.remove("registration_client_uri");
    }
    body
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_registered_on_one_replica_is_managed_on_the_other() {
    let Some((a, b, _schema)) = replicas("manage", TokenRotation::Never).await else {
        return;
    };
    let http = http_client();
    let (client_id, token, created) = register(&http, &a).await;

    // Read on B: the record A wrote.
    let read_on_b = read(&http, &b, &client_id, &token, "GET on B").await;
    assert_eq!(writer_of(&read_on_b), 0);
    for member in [
        "client_id",
        "client_secret",
        "client_id_issued_at",
        "client_secret_expires_at",
        "registration_access_token",
    ] {
        assert_eq!(read_on_b[member], created[member], "{member}");
    }

    // Update on B, seen on A.
    let response = put(&http, &b, &client_id, &token, 1).await;
    assert_eq!(response.status(), StatusCode::OK);
    let updated: Value = response.json().await.expect("JSON");
    assert_eq!(writer_of(&updated), 1);
    let read_on_a = read(&http, &a, &client_id, &token, "GET on A").await;
    assert_eq!(comparable(&read_on_a), comparable(&updated));

    // Delete on B: the token stops working on both at once.
    let response = http
        .delete(b.client_url(&client_id))
        .bearer_auth(&token)
        .send()
        .await
        .expect("DELETE on B");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for (name, replica) in [("A", &a), ("B", &b)] {
        let response = get(&http, replica, &client_id, &token, "GET after delete").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "on {name}");
    }
    assert_eq!(a.store.count().await.expect("count"), 0);
    assert!(b.store.get(&client_id).await.expect("get").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_through_both_replicas_lose_nothing() {
    let Some((a, b, _schema)) = replicas("updates", TokenRotation::Never).await else {
        return;
    };
    let http = http_client();
    let (client_id, token, _) = register(&http, &a).await;

    let (replicas, results) = race_puts(&http, [a, b], &client_id, &token).await;
    let mut acknowledged: HashMap<usize, Value> = HashMap::new();
    let mut unavailable = 0;
    for (n, status, body) in results {
        match status {
            StatusCode::OK => {
                // An acknowledged update is the whole of what was sent.
                assert_eq!(writer_of(&body), n);
                assert_eq!(str_field(&body, "client_id"), client_id);
                assert_eq!(str_field(&body, "registration_access_token"), token);
                acknowledged.insert(n, body);
            }
            // Lost the compare-and-swap race more times than the registry retries: refused
            // whole, and said so.
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(body["error"], "temporarily_unavailable", "{body}");
                unavailable += 1;
            }
            other => panic!("writer {n}: {other} {body}"),
        }
    }
    assert!(!acknowledged.is_empty(), "no update acknowledged");
    eprintln!(
        "{} concurrent PUTs: {} acknowledged, {unavailable} refused (503)",
        2 * WRITERS_PER_REPLICA,
        acknowledged.len()
    );
    let [a, b] = &*replicas;

    // No lost update: every acknowledged PUT is one version step (registration is version 1).
    let record = a.store.get(&client_id).await.expect("get").expect("stored");
    assert_eq!(
        record.version(),
        1 + acknowledged.len() as u64,
        "{} acknowledged, {unavailable} refused",
        acknowledged.len()
    );
    // No torn update: the final record, read through either replica, is one acknowledged body.
    let mut finals = Vec::new();
    for replica in [a, b] {
        let final_read = read(&http, replica, &client_id, &token, "GET").await;
        let n = writer_of(&final_read);
        let acked = acknowledged
            .get(&n)
            .unwrap_or_else(|| panic!("final record is writer {n}'s, never acknowledged"));
        assert_eq!(comparable(&final_read), comparable(acked));
        finals.push(final_read);
    }
    assert_eq!(finals[0], finals[1], "both replicas read the same record");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rotating_token_used_through_both_replicas_at_once_wins_once() {
    let Some((a, b, _schema)) = replicas("rotation", TokenRotation::OnUpdate).await else {
        return;
    };
    let http = http_client();
    let (client_id, token, _) = register(&http, &a).await;

    let (replicas, results) = race_puts(&http, [a, b], &client_id, &token).await;
    let mut winners = Vec::new();
    for (n, status, body) in results {
        match status {
            StatusCode::OK => winners.push((n, body)),
            // The token was rotated by the winner: it no longer authorizes anything.
            StatusCode::UNAUTHORIZED => {}
            other => panic!("writer {n}: {other} {body}"),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one update with one token wins: {:?}",
        winners.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    let (n, body) = &winners[0];
    assert_eq!(writer_of(body), *n);
    let new_token = str_field(body, "registration_access_token");
    assert_ne!(new_token, token, "the winner got a new token");
    let [a, b] = &*replicas;
    let record = a.store.get(&client_id).await.expect("get").expect("stored");
    assert_eq!(record.version(), 2, "one update applied");
    // The old token is dead and the new one works, through both replicas.
    for (name, replica) in [("A", a), ("B", b)] {
        let response = get(&http, replica, &client_id, &token, "GET old token").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "old token on {name}"
        );
        let response = get(&http, replica, &client_id, new_token, "GET new token").await;
        assert_eq!(response.status(), StatusCode::OK, "new token on {name}");
        let read: Value = response.json().await.expect("JSON");
        assert_eq!(writer_of(&read), *n);
    }
}
