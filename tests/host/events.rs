//! Events and logs: the events hook sees every kind of registration event with the
//! client id and the caller, and neither events nor log lines ever carry a secret.

use crate::common;

use std::ops::Deref;
use std::sync::{Arc, Mutex};

use crate::common::captured::{Captured, run_alone_in_a_child};
use crate::common::faulty_store::{Fault, FaultyStore};
use crate::common::host::{post_request, token_of};
use crate::common::{Client, REDIRECT, Resp, created_client, full, min};
use bytes::Bytes;
use http::{HeaderValue, Request, StatusCode, header};
use serde_json::{Value, json};
use tower_oidc_registration::{
    Caller, ClientStore, EventKind, EventListener, InitialAccessTokenOptions, RegistrationAccess,
    RegistrationConfigBuilder, RegistrationEvent, RequestContext, SecretRotation, TokenRotation,
};

// ---------------------------------------------------------------------------------------------
// Harness.
// ---------------------------------------------------------------------------------------------

/// One event as the hook saw it.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    kind: EventKind,
    client_id: Option<String>,
    caller: Caller,
    /// Whether the context carried an `Authorization` header.
    authorization: bool,
    /// The `x-request-id` header of the context, if any.
    request_id: Option<String>,
    /// The names of the context's headers.
    header_names: Vec<String>,
    /// `format!("{event:?}")`.
    debug: String,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Seen>>>);

impl Recorder {
    fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.0.lock().expect("lock"))
    }

    fn all(&self) -> Vec<Seen> {
        self.0.lock().expect("lock").clone()
    }
}

impl EventListener for Recorder {
    fn on_event(&self, event: &RegistrationEvent<'_>) {
        let seen = Seen {
            kind: event.kind,
            client_id: event.client_id.map(str::to_owned),
            caller: event.context.caller.clone(),
            authorization: event.context.headers.contains_key(header::AUTHORIZATION),
            request_id: event
                .context
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            header_names: event
                .context
                .headers
                .keys()
                .map(|name| name.as_str().to_owned())
                .collect(),
            debug: format!("{event:?}"),
        };
        self.0.lock().expect("lock").push(seen);
    }
}

/// The shared harness with the events hook recorded.
struct Host {
    host: common::host::Host,
    events: Recorder,
}

impl Deref for Host {
    type Target = common::host::Host;

    fn deref(&self) -> &Self::Target {
        &self.host
    }
}

impl Host {
    fn new(f: impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder) -> Self {
        let events = Recorder::default();
        let host = common::host::Host::new(|b| f(b.events(events.clone())));
        Self { host, events }
    }

    /// `POST /register` as the shared harness sends it, with `x-request-id: req-1`.
    async fn post(&self, iat: Option<&str>, body: &Value) -> Resp {
        let authorization = iat.map(|t| format!("Bearer {t}"));
        let mut request = post_request(authorization.as_deref(), body);
        request
            .headers_mut()
            .insert("x-request-id", HeaderValue::from_static("req-1"));
        self.send(request).await
    }

    /// Registers `body` as [`Host::post`] sends it and asserts a 201 with credentials.
    async fn register(&self, iat: Option<&str>, body: &Value) -> Client {
        created_client(&self.post(iat, body).await, body)
    }
}

fn summary(events: &[Seen]) -> Vec<(EventKind, Option<String>, Caller)> {
    events
        .iter()
        .map(|e| (e.kind, e.client_id.clone(), e.caller.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Each kind of event.
// ---------------------------------------------------------------------------------------------

/// MGT-22: a deletion invalidates the client's grants and access tokens; the crate's part only:
/// a deletion emits the `Deleted` event, on which the host revokes its own grants and tokens.
///
/// The hook sees, with the client's id and caller, `Created` on registration, `Read` on a
/// read, `Updated` then `TokenRotated` on an update under `TokenRotation::OnUpdate`, and
/// `Deleted` on a deletion.
#[tokio::test]
async fn the_hook_sees_created_read_updated_token_rotated_and_deleted() {
    let host = Host::new(|b| b.token_rotation(TokenRotation::OnUpdate));
    let client = host.register(None, &min()).await;
    let id = Some(client.id.clone());
    assert_eq!(
        summary(&host.events.take()),
        [(EventKind::Created, id.clone(), Caller::Anonymous)]
    );

    assert_eq!(
        host.get(&client.id, &client.token).await.status,
        StatusCode::OK
    );
    assert_eq!(
        summary(&host.events.take()),
        [(EventKind::Read, id.clone(), Caller::RegisteredClient)]
    );

    let body = json!({"client_id": client.id, "redirect_uris": [REDIRECT], "client_name": "u"});
    let resp = host.put(&client.id, &client.token, &body).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let token = token_of(&resp);
    assert_eq!(
        summary(&host.events.take()),
        [
            (EventKind::Updated, id.clone(), Caller::RegisteredClient),
            (
                EventKind::TokenRotated,
                id.clone(),
                Caller::RegisteredClient
            ),
        ]
    );

    assert_eq!(
        host.delete(&client.id, &token).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        summary(&host.events.take()),
        [(EventKind::Deleted, id, Caller::RegisteredClient)]
    );
}

#[tokio::test]
async fn without_rotation_an_update_emits_no_token_rotated() {
    let host = Host::new(|b| b);
    let client = host.register(None, &min()).await;
    host.events.take();
    let body = json!({"client_id": client.id, "redirect_uris": [REDIRECT]});
    let resp = host.put(&client.id, &client.token, &body).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(
        summary(&host.events.take()),
        [(
            EventKind::Updated,
            Some(client.id),
            Caller::RegisteredClient
        )]
    );
}

#[tokio::test]
async fn a_rotating_read_emits_read_then_token_rotated() {
    let host = Host::new(|b| b.token_rotation(TokenRotation::OnEveryUse));
    let client = host.register(None, &min()).await;
    host.events.take();
    assert_eq!(
        host.get(&client.id, &client.token).await.status,
        StatusCode::OK
    );
    let id = Some(client.id);
    assert_eq!(
        summary(&host.events.take()),
        [
            (EventKind::Read, id.clone(), Caller::RegisteredClient),
            (EventKind::TokenRotated, id, Caller::RegisteredClient),
        ]
    );
}

#[tokio::test]
async fn rejections_carry_the_error_code() {
    let host = Host::new(|b| b);
    let resp = host
        .post(
            None,
            &json!({"redirect_uris": [REDIRECT], "grant_types": ["password"]}),
        )
        .await;
    common::assert_rfc_error(&resp, "invalid_client_metadata");
    let resp = host
        .post(
            None,
            &json!({"redirect_uris": ["https://rp.example.org/cb#f"]}),
        )
        .await;
    common::assert_rfc_error(&resp, "invalid_redirect_uri");
    assert_eq!(
        summary(&host.events.take()),
        [
            (
                EventKind::Rejected {
                    error: "invalid_client_metadata"
                },
                None,
                Caller::Anonymous
            ),
            (
                EventKind::Rejected {
                    error: "invalid_redirect_uri"
                },
                None,
                Caller::Anonymous
            ),
        ]
    );

    let client = host.register(None, &min()).await;
    host.events.take();
    common::assert_invalid_token(&host.get(&client.id, "bogus-token").await);
    let body = json!({"client_id": client.id, "redirect_uris": ["relative"]});
    let resp = host.put(&client.id, &client.token, &body).await;
    common::assert_rfc_error(&resp, "invalid_redirect_uri");
    let id = Some(client.id.clone());
    // A bogus token proves nothing: its bearer is anonymous. The PUT's token was verified
    // before its metadata was refused: that caller is the registered client.
    assert_eq!(
        summary(&host.events.take()),
        [
            (
                EventKind::Rejected {
                    error: "invalid_token"
                },
                id.clone(),
                Caller::Anonymous
            ),
            (
                EventKind::Rejected {
                    error: "invalid_redirect_uri"
                },
                id,
                Caller::RegisteredClient
            ),
        ]
    );
}

#[tokio::test]
async fn protected_registration_events_name_the_initial_access_token() {
    let host = Host::new(|b| b.registration_access(RegistrationAccess::InitialAccessToken));
    let issued = host
        .registry
        .issue_initial_access_token(InitialAccessTokenOptions::new())
        .await
        .expect("issue");
    let iat = issued.token.expose().to_owned();
    let holder = Caller::InitialAccessToken {
        id: issued.id.clone(),
    };

    let client = host.register(Some(&iat), &min()).await;
    let resp = host
        .post(Some(&iat), &json!({"redirect_uris": ["relative"]}))
        .await;
    common::assert_rfc_error(&resp, "invalid_redirect_uri");
    common::assert_missing_token(&host.post(None, &min()).await);
    common::assert_invalid_token(&host.post(Some("bogus"), &min()).await);
    let events = host.events.take();
    assert_eq!(
        summary(&events),
        [
            (EventKind::Created, Some(client.id.clone()), holder.clone()),
            (
                EventKind::Rejected {
                    error: "invalid_redirect_uri"
                },
                None,
                holder
            ),
            (
                EventKind::Rejected {
                    error: "invalid_token"
                },
                None,
                Caller::Anonymous
            ),
            (
                EventKind::Rejected {
                    error: "invalid_token"
                },
                None,
                Caller::Anonymous
            ),
        ]
    );
    // The context carries the request headers, without the credential.
    for event in &events {
        assert!(!event.authorization, "{event:?}");
        assert_eq!(event.request_id.as_deref(), Some("req-1"), "{event:?}");
    }
    // The event names the token by id, never by value.
    assert_ne!(issued.id, iat);
}

/// The caller of a registration refused for the client quota of a valid initial access token
/// presented that token (`Caller::InitialAccessToken`: "a caller that presented an initial
/// access token"); the audit trail should say which token hit its quota.
#[tokio::test]
async fn a_quota_refusal_names_the_initial_access_token() {
    let host = Host::new(|b| b.registration_access(RegistrationAccess::InitialAccessToken));
    let issued = host
        .registry
        .issue_initial_access_token(InitialAccessTokenOptions::new().max_clients(1))
        .await
        .expect("issue");
    let iat = issued.token.expose().to_owned();
    host.register(Some(&iat), &min()).await;
    host.events.take();
    common::assert_error(
        &host.post(Some(&iat), &min()).await,
        StatusCode::FORBIDDEN,
        Some("insufficient_scope"),
    );
    assert_eq!(
        summary(&host.events.take()),
        [(
            EventKind::Rejected {
                error: "insufficient_scope"
            },
            None,
            Caller::InitialAccessToken { id: issued.id }
        )]
    );
}

/// A request to a client configuration endpoint is the registered client's only once its
/// registration access token was verified: without a token, with a bogus one, or with a method
/// that is not allowed (the token is then never looked at), the caller stays anonymous.
#[tokio::test]
async fn only_a_verified_registration_access_token_makes_the_registered_client() {
    let host = Host::new(|b| b);
    let client = host.register(None, &min()).await;
    host.events.take();
    let path = format!("/register/{}", client.id);
    let bare = |method: http::Method, token: Option<&str>| {
        let mut builder = Request::builder().method(method).uri(path.as_str());
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        builder.body(full(Bytes::new())).expect("request")
    };

    // No token, for each method.
    for method in [http::Method::GET, http::Method::PUT, http::Method::DELETE] {
        common::assert_missing_token(&host.send(bare(method, None)).await);
    }
    // A bogus token, for each method.
    common::assert_invalid_token(&host.get(&client.id, "bogus-token").await);
    let body = json!({"client_id": client.id, "redirect_uris": [REDIRECT]});
    common::assert_invalid_token(&host.put(&client.id, "bogus-token", &body).await);
    common::assert_invalid_token(&host.delete(&client.id, "bogus-token").await);
    // 405, even with the right token.
    let resp = host
        .send(bare(http::Method::PATCH, Some(&client.token)))
        .await;
    assert_eq!(
        resp.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "{}",
        resp.text()
    );
    let id = Some(client.id.clone());
    let invalid_token = EventKind::Rejected {
        error: "invalid_token",
    };
    assert_eq!(
        summary(&host.events.take()),
        [
            (invalid_token, id.clone(), Caller::Anonymous),
            (invalid_token, id.clone(), Caller::Anonymous),
            (invalid_token, id.clone(), Caller::Anonymous),
            (invalid_token, id.clone(), Caller::Anonymous),
            (invalid_token, id.clone(), Caller::Anonymous),
            (invalid_token, id.clone(), Caller::Anonymous),
            (
                EventKind::Rejected {
                    error: "invalid_request"
                },
                id.clone(),
                Caller::Anonymous
            ),
        ]
    );

    // A verified token: the registered client, for a success and for a refusal of the body.
    assert_eq!(
        host.get(&client.id, &client.token).await.status,
        StatusCode::OK
    );
    let resp = host
        .send(
            Request::put(path.as_str())
                .header(header::AUTHORIZATION, format!("Bearer {}", client.token))
                .header(header::CONTENT_TYPE, "application/json")
                .body(full("{not json"))
                .expect("request"),
        )
        .await;
    common::assert_rfc_error(&resp, "invalid_client_metadata");
    assert_eq!(
        host.delete(&client.id, &client.token).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        summary(&host.events.take()),
        [
            (EventKind::Read, id.clone(), Caller::RegisteredClient),
            (
                EventKind::Rejected {
                    error: "invalid_client_metadata"
                },
                id.clone(),
                Caller::RegisteredClient
            ),
            (EventKind::Deleted, id, Caller::RegisteredClient),
        ]
    );
}

/// The context of an event keeps the request headers but none that carries a credential:
/// `Authorization`, `Proxy-Authorization` and `Cookie` are dropped.
#[tokio::test]
async fn event_contexts_carry_no_credential_headers() {
    let host = Host::new(|b| b);
    let resp = host
        .send(
            Request::post("/register")
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-request-id", "req-2")
                .header(header::PROXY_AUTHORIZATION, "Basic cHJveHk6c2VjcmV0")
                .header(header::COOKIE, "session=cookie-secret-value")
                .body(full(serde_json::to_vec(&min()).expect("json")))
                .expect("request"),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let client_id = resp.json()["client_id"]
        .as_str()
        .expect("client_id")
        .to_owned();
    let token = token_of(&resp);
    let resp = host
        .send(
            Request::get(format!("/register/{client_id}"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header("x-request-id", "req-3")
                .header(header::PROXY_AUTHORIZATION, "Basic cHJveHk6c2VjcmV0")
                .header(header::COOKIE, "session=cookie-secret-value")
                .body(full(Bytes::new()))
                .expect("request"),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let events = host.events.take();
    assert_eq!(
        summary(&events),
        [
            (
                EventKind::Created,
                Some(client_id.clone()),
                Caller::Anonymous
            ),
            (EventKind::Read, Some(client_id), Caller::RegisteredClient),
        ]
    );
    for event in &events {
        assert!(event.request_id.is_some(), "{event:?}");
        for credential in ["authorization", "proxy-authorization", "cookie"] {
            assert!(
                !event.header_names.iter().any(|n| n == credential),
                "{credential} in {event:?}"
            );
        }
        for secret in ["cHJveHk6c2VjcmV0", "cookie-secret-value", token.as_str()] {
            assert!(!event.debug.contains(secret), "{event:?}");
        }
    }
}

#[test]
fn request_context_new_drops_the_credential_headers() {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        header::AUTHORIZATION,
        "Bearer t0ken".parse().expect("value"),
    );
    headers.insert(
        header::PROXY_AUTHORIZATION,
        "Basic cHJveHk6c2VjcmV0".parse().expect("value"),
    );
    headers.append(header::COOKIE, "a=1".parse().expect("value"));
    headers.append(header::COOKIE, "b=2".parse().expect("value"));
    headers.insert("x-request-id", "req-9".parse().expect("value"));
    headers.insert(header::USER_AGENT, "probe/1".parse().expect("value"));
    let context = RequestContext::new(Caller::Anonymous, &headers);
    assert_eq!(context.caller, Caller::Anonymous);
    for credential in [
        header::AUTHORIZATION,
        header::PROXY_AUTHORIZATION,
        header::COOKIE,
    ] {
        assert!(!context.headers.contains_key(&credential), "{credential}");
    }
    assert_eq!(context.headers["x-request-id"], "req-9");
    assert_eq!(context.headers[header::USER_AGENT], "probe/1");
    assert_eq!(context.headers.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// No secret in any event or log line.
// ---------------------------------------------------------------------------------------------

/// Every credential a lifecycle produces, and the client id.
struct Lifecycle {
    client_id: String,
    secrets: Vec<String>,
}

/// A full lifecycle with every credential in play: an initial access token, a client secret
/// rotated on update, registration access tokens rotated on update, failures that carry
/// credentials in the body and the headers.
async fn lifecycle(host: &Host, static_iat: &str) -> Lifecycle {
    let issued = host
        .registry
        .issue_initial_access_token(InitialAccessTokenOptions::new())
        .await
        .expect("issue");
    let iat = issued.token.expose().to_owned();
    let mut secrets = vec![static_iat.to_owned(), iat.clone()];

    let client = host.register(Some(&iat), &min()).await;
    let other = host.register(Some(static_iat), &min()).await;
    secrets.push(client.secret().expect("secret"));
    secrets.push(client.token.clone());
    secrets.push(other.secret().expect("secret"));
    secrets.push(other.token.clone());

    assert_eq!(
        host.get(&client.id, &client.token).await.status,
        StatusCode::OK
    );
    // Refused updates carrying credentials in the body.
    let wrong_secret = format!("{}-wrong", client.secret().expect("secret"));
    secrets.push(wrong_secret.clone());
    host.assert_credential_bearing_updates_refused(&client, &wrong_secret)
        .await;
    // A registration with a spent-looking token, a foreign registration access token.
    assert_eq!(
        host.post(Some(&client.token), &min()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        host.get(&client.id, &other.token).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A successful update: new secret, new token.
    let mut body = json!({"client_id": client.id, "redirect_uris": [REDIRECT], "client_name": "n"});
    body["client_secret"] = json!(client.secret().expect("secret"));
    let resp = host.put(&client.id, &client.token, &body).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let json = resp.json();
    let new_secret = json["client_secret"]
        .as_str()
        .expect("rotated secret")
        .to_owned();
    let new_token = token_of(&resp);
    secrets.push(new_secret);
    secrets.push(new_token.clone());
    // The old token, now dead.
    assert_eq!(
        host.get(&client.id, &client.token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        host.delete(&client.id, &new_token).await.status,
        StatusCode::NO_CONTENT
    );
    for secret in &secrets {
        assert!(secret.len() >= 16, "weak test secret {secret:?}");
    }
    Lifecycle {
        client_id: client.id,
        secrets,
    }
}

const STATIC_IAT: &str = "static-initial-access-token-for-events";

fn lifecycle_config(b: RegistrationConfigBuilder) -> RegistrationConfigBuilder {
    b.token_rotation(TokenRotation::OnUpdate)
        .secret_rotation(SecretRotation::OnUpdate)
        .initial_access_token(STATIC_IAT)
}

#[tokio::test]
async fn no_event_carries_a_secret() {
    let host = Host::new(lifecycle_config);
    let run = lifecycle(&host, STATIC_IAT).await;
    let events = host.events.all();
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    for kind in [
        EventKind::Created,
        EventKind::Read,
        EventKind::Updated,
        EventKind::TokenRotated,
        EventKind::Deleted,
        EventKind::Rejected {
            error: "invalid_token",
        },
        EventKind::Rejected {
            error: "invalid_client_metadata",
        },
    ] {
        assert!(kinds.contains(&kind), "no {kind:?} in {kinds:?}");
    }
    assert!(
        events.iter().any(|e| e.debug.contains(&run.client_id)),
        "events name the client"
    );
    for event in &events {
        assert!(!event.authorization, "{event:?}");
        for secret in &run.secrets {
            assert!(
                !event.debug.contains(secret.as_str()),
                "event {} carries the secret {secret}",
                event.debug
            );
        }
    }
}

/// Set in the child process that runs [`log_capture_child`].
const CHILD_ENV: &str = "HOST_EVENTS_LOG_CAPTURE_CHILD";

/// Runs [`log_capture_child`] alone in a child process (see [`run_alone_in_a_child`]).
#[test]
fn no_log_line_carries_a_secret() {
    run_alone_in_a_child("events::log_capture_child", CHILD_ENV);
}

#[test]
#[ignore = "run alone in a child process by no_log_line_carries_a_secret"]
fn log_capture_child() {
    let (captured, subscriber) = Captured::subscriber(tracing::Level::TRACE);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let run = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let host = Host::new(lifecycle_config);
            lifecycle(&host, STATIC_IAT).await
        })
    });
    let logs = captured.text();
    assert!(
        logs.contains(&run.client_id),
        "the client id was logged (so logging happened):\n{logs}"
    );
    assert!(logs.contains("client registered"), "{logs}");
    assert!(logs.contains("registration request rejected"), "{logs}");
    for secret in &run.secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a log line carries the secret {secret}:\n{logs}"
        );
    }
}

/// A read or a deletion whose token was accepted but that then failed (here the store refuses
/// every write, and a read rotates the token) is reported as a refused anonymous request: only a
/// request that completed proved it is the registered client's.
#[tokio::test]
async fn a_read_or_deletion_that_fails_after_its_token_was_accepted_is_reported_as_anonymous() {
    let store = FaultyStore::default();
    let shared: Arc<dyn ClientStore> = Arc::new(store.clone());
    let host = Host::new(|b| {
        b.shared_store(shared)
            .token_rotation(TokenRotation::OnEveryUse)
    });
    let client = host.register(None, &min()).await;
    let id = Some(client.id.clone());
    host.events.take();
    store.set(Fault::FailWrites);
    assert_eq!(
        host.get(&client.id, &client.token).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        host.delete(&client.id, &client.token).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let refused = EventKind::Rejected {
        error: "temporarily_unavailable",
    };
    assert_eq!(
        summary(&host.events.take()),
        [
            (refused, id.clone(), Caller::Anonymous),
            (refused, id, Caller::Anonymous),
        ]
    );
}
