//! Initial access tokens across two replicas over one database: a token's uses and its client
//! quota hold for both together and across a restart, and a client registered with an issued
//! token is managed through either.

use std::time::Duration;

use http::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tower_oidc_registration::{
    InitialAccessTokenOptions, RegistrationAccess, RegistrationConfigBuilder,
};

use super::{Replica, WRITERS_PER_REPLICA, http_client, schema, str_field};
use crate::common::policies::{FORBID_NAME, ForbidName};

/// A static initial access token that every replica of these tests is configured with.
const STATIC_IAT: &str = "replicated-static-initial-access-token";

/// Protected registration with [`STATIC_IAT`] on `terms`.
fn protected_by_static_token(
    terms: InitialAccessTokenOptions,
) -> impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder {
    move |b| {
        b.registration_access(RegistrationAccess::InitialAccessToken)
            .initial_access_token_with(STATIC_IAT, terms)
    }
}

fn registration(name: &str) -> Value {
    json!({"redirect_uris": ["https://rp.example.org/cb"], "client_name": name})
}

/// `POST /register` of `body` through `replica` with the initial access token `iat`.
async fn post(http: &reqwest::Client, replica: &Replica, iat: &str, body: &Value) -> StatusCode {
    http.post(replica.url("/register"))
        .bearer_auth(iat)
        .json(body)
        .send()
        .await
        .expect("POST /register")
        .status()
}

/// Registers through `replica` with `iat`, which must succeed: (client_id, token).
async fn register(http: &reqwest::Client, replica: &Replica, iat: &str) -> (String, String) {
    let response = http
        .post(replica.url("/register"))
        .bearer_auth(iat)
        .json(&registration("fine"))
        .send()
        .await
        .expect("POST /register");
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.expect("JSON");
    (
        str_field(&created, "client_id").to_owned(),
        str_field(&created, "registration_access_token").to_owned(),
    )
}

/// A registration whose headers are sent and whose body is not finished: the replica admitted
/// it (its token checked) and waits for the rest. Spoken over a bare socket, so that the body
/// can be held open.
struct HeldRegistration {
    stream: TcpStream,
    rest: String,
}

impl HeldRegistration {
    /// Sends the headers and `head` of a body whose whole is `head` then `rest`.
    async fn open(replica: &Replica, iat: &str, head: &str, rest: &str) -> Self {
        let mut stream = TcpStream::connect(replica.addr).await.expect("connect");
        let request = format!(
            "POST /register HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {iat}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n\
             {head}",
            replica.addr,
            head.len() + rest.len()
        );
        stream
            .write_all(request.as_bytes())
            .await
            .expect("send the headers");
        Self {
            stream,
            rest: rest.to_owned(),
        }
    }

    /// Sends the rest of the body: the response's status.
    async fn finish(mut self) -> u16 {
        self.stream
            .write_all(self.rest.as_bytes())
            .await
            .expect("send the rest of the body");
        let mut response = Vec::new();
        self.stream
            .read_to_end(&mut response)
            .await
            .expect("read the response");
        let response = String::from_utf8_lossy(&response);
        response
            .split(' ')
            .nth(1)
            .and_then(|status| status.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response: {response}"))
    }
}

/// IAT-5: a token's use is spent only when the client is stored.
///
/// A single-use static token presented through both replicas at once registers one client;
/// a restarted replica finds its use spent.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_single_use_static_token_raced_through_both_replicas_registers_one_client() {
    let Some(schema) = schema("iat_single_use").await else {
        return;
    };
    let single_use = || protected_by_static_token(InitialAccessTokenOptions::new().max_uses(1));
    let a = Replica::start_with(&schema, single_use()).await;
    let b = Replica::start_with(&schema, single_use()).await;
    let http = http_client();

    let replicas = std::sync::Arc::new([a, b]);
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(2 * WRITERS_PER_REPLICA));
    let tasks: Vec<_> = (0..2 * WRITERS_PER_REPLICA)
        .map(|n| {
            let (http, replicas, start) = (
                http.clone(),
                std::sync::Arc::clone(&replicas),
                std::sync::Arc::clone(&start),
            );
            tokio::spawn(async move {
                start.wait().await;
                post(&http, &replicas[n % 2], STATIC_IAT, &registration("racer")).await
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("join"));
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "one use, one client: {statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| [StatusCode::CREATED, StatusCode::UNAUTHORIZED].contains(s)),
        "{statuses:?}"
    );

    // A restarted replica finds the use spent: the token is not renewed by a restart.
    let Ok([a, _b]) = std::sync::Arc::try_unwrap(replicas) else {
        panic!("the racers are done");
    };
    drop(a);
    let restarted = Replica::start_with(&schema, single_use()).await;
    assert_eq!(
        post(&http, &restarted, STATIC_IAT, &registration("after")).await,
        StatusCode::UNAUTHORIZED
    );
    use tower_oidc_registration::ClientStore as _;
    assert_eq!(restarted.store.count().await.expect("count"), 1);
}

/// IAT-4: a token whose quota of live clients is reached gets 403 `insufficient_scope`.
///
/// While one replica holds a registration with the token open, the other's client is deleted
/// through it and the held registration fails: the quota still counts the live clients, none,
/// and holds at its limit through both replicas.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deletion_through_one_replica_never_wraps_the_client_quota_of_the_other() {
    let Some(schema) = schema("iat_quota").await else {
        return;
    };
    let two_clients = || protected_by_static_token(InitialAccessTokenOptions::new().max_clients(2));
    let a = Replica::start_with(&schema, two_clients()).await;
    let b = Replica::start_with(&schema, two_clients()).await;
    let http = http_client();

    let (client_id, token) = register(&http, &a, STATIC_IAT).await;
    // B admits a registration with the token, and waits for its body.
    let held = HeldRegistration::open(&b, STATIC_IAT, "{\"redirect_uris\": [", "oops").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Meanwhile the client A registered is deleted through B.
    let response = http
        .delete(b.client_url(&client_id))
        .bearer_auth(&token)
        .send()
        .await
        .expect("DELETE on B");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    // The held registration's body turns out malformed: refused, nothing registered.
    assert_eq!(held.finish().await, 400);

    // No client registered with the token exists: two may be registered, through B...
    for n in 0..2 {
        assert_eq!(
            post(&http, &b, STATIC_IAT, &registration("fine")).await,
            StatusCode::CREATED,
            "registration {n} through B, with no live client of the token"
        );
    }
    // ...and then the quota is reached, through either replica.
    for (name, replica) in [("A", &a), ("B", &b)] {
        assert_eq!(
            post(&http, replica, STATIC_IAT, &registration("third")).await,
            StatusCode::FORBIDDEN,
            "a third live client through {name}"
        );
    }
}

/// IAT-9: a token's policy applies to its registrations and to their later updates.
///
/// A token issued through one replica registers through either, its uses counted for both,
/// and its client updates itself through the other replica under the token's policy.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_registered_with_an_issued_token_updates_itself_through_the_other_replica() {
    let Some(schema) = schema("iat_issued").await else {
        return;
    };
    let protected = |b: RegistrationConfigBuilder| {
        b.registration_access(RegistrationAccess::InitialAccessToken)
            .initial_access_token_policy(FORBID_NAME, ForbidName)
    };
    let a = Replica::start_with(&schema, protected).await;
    let b = Replica::start_with(&schema, protected).await;
    let http = http_client();

    let issued = a
        .registry
        .issue_initial_access_token(
            InitialAccessTokenOptions::new()
                .max_uses(2)
                .policy(FORBID_NAME),
        )
        .await
        .expect("issue");
    let iat = issued.token.expose();
    let (client_id, token) = register(&http, &a, iat).await;

    // The client updates itself through B, which applies the token's policy too.
    let put = |name: &str| {
        let mut update = registration(name);
        update["client_id"] = json!(client_id);
        http.put(b.client_url(&client_id))
            .bearer_auth(&token)
            .json(&update)
            .send()
    };
    let response = put("forbidden").await.expect("PUT on B");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = put("renamed").await.expect("PUT on B");
    let status = response.status();
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["client_name"], "renamed");

    // B accepts the token too, and its two uses are spent for both replicas.
    register(&http, &b, iat).await;
    for (name, replica) in [("A", &a), ("B", &b)] {
        assert_eq!(
            post(&http, replica, iat, &registration("third")).await,
            StatusCode::UNAUTHORIZED,
            "a spent token through {name}"
        );
    }
}
