//! Host integration: the `Registry` domain API as the host application uses it.
//!
//! Client authentication (right, wrong, expired, deleted secret; method mismatch; real Basic
//! headers), programmatic replace and delete, pluggable id and secret generators, the
//! `Registry` in the extensions of passed-through requests, and discovery metadata that agrees
//! with what registration enforces.

use crate::common;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::common::faulty_store::{Fault, FaultyStore};
use crate::common::host::{Host, basic, object, post_request};
use crate::common::{Client, REDIRECT, Svc, TestBody, full, min, public_jwks, send};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use serde_json::{Map, Value, json};
use tower::util::BoxCloneService;
use tower::{Layer, service_fn};
use tower_oidc_registration::generate::{ClientIdGenerator, GenerateError, SecretGenerator};
use tower_oidc_registration::metadata::{AuthMethod, GrantType, MetadataRules};
use tower_oidc_registration::rate_limit::{Gcra, RateDecision};
use tower_oidc_registration::{Caller, Requester};
use tower_oidc_registration::{
    ClientAuthError, ClientCredentials, ClientRecord, ClientStore, CredentialHash,
    InitialAccessTokenRecord, MemoryStore, RegistrationConfig, RegistrationError,
    RegistrationLayer, Registry, Secret, SigningKey, StoreError, TokenRotation,
};

// ---------------------------------------------------------------------------------------------
// Harness.
// ---------------------------------------------------------------------------------------------

/// `application/x-www-form-urlencoded` of one component, as RFC 6749 §2.3.1 requires before
/// base64 in a Basic header (unreserved characters kept, everything else percent-encoded).
fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn basic_header(client_id: &str, secret: &str) -> HeaderValue {
    let raw = format!("{}:{}", form_encode(client_id), form_encode(secret));
    HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(raw))).expect("header value")
}

fn secret_of(client: &Client) -> String {
    client.secret().expect("the client has a client_secret")
}

/// Registers a client that authenticates with `method` (`token_endpoint_auth_method`).
async fn register_with_method(host: &Host, method: &str) -> Client {
    host.register(
        None,
        &json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": method}),
    )
    .await
}

/// Authenticates `credentials` at the host's registry, which must accept them (`why` says why).
async fn authenticates(
    host: &Host,
    credentials: &ClientCredentials,
    why: &str,
) -> Arc<ClientRecord> {
    host.registry.authenticate(credentials).await.expect(why)
}

/// Authenticates `credentials` at the host's registry, which must refuse them (`why` says why);
/// returns the refusal.
async fn refused(host: &Host, credentials: &ClientCredentials, why: &str) -> ClientAuthError {
    host.registry
        .authenticate(credentials)
        .await
        .expect_err(why)
}

// ---------------------------------------------------------------------------------------------
// Client authentication.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn authenticate_accepts_the_right_secret_with_the_registered_method() {
    let host = Host::new(|b| b);
    let basic_client = host.register(None, &min()).await;
    let record = authenticates(
        &host,
        &basic(&basic_client.id, &secret_of(&basic_client)),
        "client_secret_basic client authenticates with Basic credentials",
    )
    .await;
    assert_eq!(record.client_id(), basic_client.id);
    assert_eq!(
        record.token_endpoint_auth_method(),
        AuthMethod::ClientSecretBasic
    );

    let post_client = register_with_method(&host, "client_secret_post").await;
    let record = authenticates(
        &host,
        &ClientCredentials::from_form(post_client.id.clone(), secret_of(&post_client)),
        "client_secret_post client authenticates with form credentials",
    )
    .await;
    assert_eq!(record.client_id(), post_client.id);
}

#[tokio::test]
async fn authenticate_refuses_a_wrong_secret_and_an_unknown_client() {
    let host = Host::new(|b| b);
    let client = host.register(None, &min()).await;
    let other = host.register(None, &min()).await;
    let secret = secret_of(&client);
    let truncated = &secret[..secret.len() - 1];
    let wrong = [
        "",
        "wrong",
        truncated,
        &format!("{secret}x"),
        &secret_of(&other),
    ];
    for presented in wrong {
        let err = refused(
            &host,
            &basic(&client.id, presented),
            "a wrong secret must not authenticate",
        )
        .await;
        assert!(
            matches!(err, ClientAuthError::WrongSecret),
            "secret {presented:?}: {err:?}"
        );
    }
    let err = refused(&host, &basic("no-such-client", &secret), "unknown client").await;
    assert!(matches!(err, ClientAuthError::UnknownClient), "{err:?}");
}

#[tokio::test]
async fn authenticate_for_grant_admits_only_the_registered_grants() {
    let host = Host::new(|b| b);
    // No grant_types: authorization_code only (RFC 7591 §2).
    let default = host.register(None, &min()).await;
    let both = host
        .register(
            None,
            &json!({"redirect_uris": [REDIRECT], "grant_types": ["authorization_code", "refresh_token"]}),
        )
        .await;
    let for_grant = |client: &Client, grant| {
        let credentials = basic(&client.id, &secret_of(client));
        let registry = host.registry.clone();
        async move { registry.authenticate_for_grant(&credentials, grant).await }
    };
    let record = for_grant(&default, GrantType::AuthorizationCode)
        .await
        .expect("the default grant");
    assert_eq!(record.client_id(), default.id);
    for grant in [GrantType::ClientCredentials, GrantType::RefreshToken] {
        let err = for_grant(&default, grant)
            .await
            .expect_err("not registered");
        assert!(
            matches!(err, ClientAuthError::GrantNotRegistered(g) if g == grant),
            "{err:?}"
        );
        assert_eq!(err.error_code(), "unauthorized_client");
    }
    for_grant(&both, GrantType::RefreshToken)
        .await
        .expect("a registered grant");
    // Authentication comes first: a wrong secret is invalid_client whatever the grant.
    let wrong = basic(&default.id, "wrong");
    let err = host
        .registry
        .authenticate_for_grant(&wrong, GrantType::AuthorizationCode)
        .await
        .expect_err("wrong secret");
    assert!(matches!(err, ClientAuthError::WrongSecret), "{err:?}");
    assert_eq!(err.error_code(), "invalid_client");
}

#[tokio::test]
async fn a_store_failure_during_authentication_is_a_server_error() {
    let store = FaultyStore::default();
    let host = Host::new(|b| b.store(store.clone()));
    let client = host.register(None, &min()).await;
    store.set(Fault::FailAll);
    let err = host
        .registry
        .authenticate_for_grant(
            &basic(&client.id, &secret_of(&client)),
            GrantType::AuthorizationCode,
        )
        .await
        .expect_err("the store is down");
    assert!(matches!(err, ClientAuthError::Store(_)), "{err:?}");
    assert_eq!(
        err.error_code(),
        "server_error",
        "a 500, not a 401 the client would believe"
    );
}

/// ECHO-4: a client secret comes with `client_secret_expires_at`, 0 when it never expires.
///
/// A secret authenticates up to the second before `client_secret_expires_at`, and from that
/// second on it is expired (RFC 7591 §3.2.1: the time at which it expires).
#[tokio::test]
async fn authenticate_refuses_a_secret_from_its_expiry_second_on() {
    let clock = common::TestClock::at(common::CLOCK_START);
    let host = Host::new(|b| {
        b.clock(clock.clone())
            .client_secret_lifetime(Some(Duration::from_secs(3600)))
    });
    let client = host.register(None, &min()).await;
    assert_eq!(client.body["client_id_issued_at"], common::CLOCK_START);
    let expires_at = common::CLOCK_START + 3600;
    assert_eq!(client.body["client_secret_expires_at"], expires_at);
    let secret = secret_of(&client);
    clock.set(expires_at - 1);
    authenticates(
        &host,
        &basic(&client.id, &secret),
        "a secret in the last second of its lifetime authenticates",
    )
    .await;
    clock.set(expires_at);
    let err = refused(
        &host,
        &basic(&client.id, &secret),
        "an expired secret must not authenticate",
    )
    .await;
    assert!(matches!(err, ClientAuthError::ExpiredSecret), "{err:?}");
}

/// MGT-21: after a deletion the client's id, secret and registration access token are dead.
#[tokio::test]
async fn authenticate_refuses_a_deleted_client() {
    let host = Host::new(|b| b);
    // Deleted by the client itself over HTTP (RFC 7592 §2.3).
    let client = host.register(None, &min()).await;
    let secret = secret_of(&client);
    authenticates(
        &host,
        &basic(&client.id, &secret),
        "authenticates before deletion",
    )
    .await;
    let resp = host.delete(&client.id, &client.token).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.text());
    let err = refused(
        &host,
        &basic(&client.id, &secret),
        "a deleted client must not authenticate",
    )
    .await;
    assert!(matches!(err, ClientAuthError::UnknownClient), "{err:?}");

    // Deleted by the host.
    let client = host.register(None, &min()).await;
    let secret = secret_of(&client);
    host.registry
        .delete(Requester::host(), &client.id)
        .await
        .expect("host deletes");
    let err = refused(
        &host,
        &basic(&client.id, &secret),
        "a client deleted by the host must not authenticate",
    )
    .await;
    assert!(matches!(err, ClientAuthError::UnknownClient), "{err:?}");
}

#[tokio::test]
async fn authenticate_refuses_a_method_other_than_the_registered_one() {
    let host = Host::new(|b| b);
    let basic_client = host.register(None, &min()).await;
    let err = refused(
        &host,
        &ClientCredentials::from_form(basic_client.id.clone(), secret_of(&basic_client)),
        "a client_secret_basic client presenting form credentials",
    )
    .await;
    assert!(
        matches!(
            err,
            ClientAuthError::WrongMethod {
                registered: AuthMethod::ClientSecretBasic,
                presented: AuthMethod::ClientSecretPost,
            }
        ),
        "{err:?}"
    );

    let post_client = register_with_method(&host, "client_secret_post").await;
    let err = refused(
        &host,
        &basic(&post_client.id, &secret_of(&post_client)),
        "a client_secret_post client presenting Basic credentials",
    )
    .await;
    assert!(
        matches!(
            err,
            ClientAuthError::WrongMethod {
                registered: AuthMethod::ClientSecretPost,
                presented: AuthMethod::ClientSecretBasic,
            }
        ),
        "{err:?}"
    );

    // A public client has no secret: no secret-based method authenticates it.
    let public = register_with_method(&host, "none").await;
    assert!(public.secret().is_none(), "{}", public.body);
    let err = refused(
        &host,
        &basic(&public.id, ""),
        "a public client cannot authenticate with a secret",
    )
    .await;
    assert!(
        matches!(
            err,
            ClientAuthError::WrongMethod {
                registered: AuthMethod::None,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn basic_credentials_from_a_real_authorization_header_authenticate() {
    let host = Host::new(|b| b);
    let client = host.register(None, &min()).await;
    let secret = secret_of(&client);
    let header = basic_header(&client.id, &secret);
    let credentials =
        ClientCredentials::from_basic_authorization(&header).expect("a Basic header parses");
    assert!(matches!(credentials, ClientCredentials::Basic { .. }));
    assert_eq!(credentials.client_id(), client.id);
    authenticates(
        &host,
        &credentials,
        "credentials from a Basic header authenticate",
    )
    .await;

    // The scheme is case-insensitive (RFC 7235 §2.1).
    let lower = HeaderValue::from_str(
        &header
            .to_str()
            .expect("ascii")
            .replacen("Basic", "basic", 1),
    )
    .expect("header value");
    let credentials = ClientCredentials::from_basic_authorization(&lower).expect("basic");
    authenticates(&host, &credentials, "lower-case scheme").await;

    // A wrong secret in a well-formed header is a wrong secret.
    let wrong = basic_header(&client.id, "not-the-secret");
    let credentials = ClientCredentials::from_basic_authorization(&wrong).expect("basic");
    let err = refused(&host, &credentials, "wrong secret").await;
    assert!(matches!(err, ClientAuthError::WrongSecret), "{err:?}");

    // A bearer token is no client credential.
    let bearer = HeaderValue::from_str(&format!("Bearer {}", client.token)).expect("header");
    assert!(ClientCredentials::from_basic_authorization(&bearer).is_none());
}

/// A secret generator whose secrets need form-encoding in a Basic header (RFC 6749 §2.3.1).
struct AwkwardSecrets;

impl SecretGenerator for AwkwardSecrets {
    fn client_secret(&self) -> Result<Secret, GenerateError> {
        Ok(Secret::new("s3:cr+t/=% é"))
    }
}

#[tokio::test]
async fn basic_header_credentials_are_form_decoded_end_to_end() {
    let host = Host::new(|b| b.secret_generator(AwkwardSecrets));
    let client = host.register(None, &min()).await;
    assert_eq!(secret_of(&client), "s3:cr+t/=% é");
    let header = basic_header(&client.id, "s3:cr+t/=% é");
    let credentials = ClientCredentials::from_basic_authorization(&header).expect("basic");
    authenticates(
        &host,
        &credentials,
        "a form-encoded secret with ':' '+' '%' and non-ASCII authenticates",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Programmatic registration, replacement and deletion by the host.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn host_register_applies_the_same_rules_as_http() {
    let host = Host::new(|b| b);
    let err = host
        .registry
        .register(
            Requester::host(),
            object(json!({"redirect_uris": ["http://rp.example.org/cb#frag"]})),
        )
        .await
        .expect_err("a fragment in a redirect URI is refused");
    assert!(matches!(err, RegistrationError::Metadata(_)), "{err:?}");
    assert_eq!(err.code(), "invalid_redirect_uri");
    assert_eq!(
        tower_oidc_registration::error_response(err).status(),
        StatusCode::BAD_REQUEST
    );

    let info = host
        .registry
        .register(Requester::host(), object(min()))
        .await
        .expect("host registration");
    let secret = info.client_secret().expect("a secret is issued").expose();
    authenticates(
        &host,
        &basic(info.client_id(), secret),
        "the host-registered client authenticates",
    )
    .await;
    assert_eq!(
        info.registration_client_uri(),
        format!("{}{}", common::CLIENT_URI_BASE, info.client_id())
    );
    // Its registration access token works over HTTP.
    let resp = host
        .get(
            info.client_id(),
            info.registration_access_token().expect("token").expose(),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["client_name"], "t");
    let body: Value = serde_json::from_slice(&info.to_json()).expect("to_json is JSON");
    assert_eq!(body["client_id"], info.client_id());
    assert_eq!(body["client_secret"], secret);
}

#[tokio::test]
async fn host_replace_client_replaces_metadata_and_keeps_the_token() {
    let host = Host::new(|b| b);
    let client = host.register(None, &min()).await;
    let info = host
        .registry
        .update(
            Requester::host(),
            &client.id,
            object(json!({
                "redirect_uris": ["https://rp.example.org/other"],
                "client_name": "renamed"
            })),
        )
        .await
        .expect("the host replaces a client without a registration access token");
    assert_eq!(info.client_id(), client.id);
    // Without token rotation the client's token is left as it is: the host, who holds none,
    // gets none back, and the client is not locked out of its registration.
    assert!(!info.token_rotated());
    assert!(info.registration_access_token().is_none());
    let body: Value = serde_json::from_slice(&info.to_json()).expect("to_json is JSON");
    assert!(body.get("registration_access_token").is_none(), "{body}");
    assert_eq!(body["client_id"], json!(client.id));
    assert_eq!(body["client_name"], "renamed");
    assert_eq!(
        body["registration_client_uri"],
        format!("{}{}", common::CLIENT_URI_BASE, client.id)
    );

    let record = host
        .registry
        .lookup(&client.id)
        .await
        .expect("store")
        .expect("still registered");
    let metadata: Value = serde_json::from_str(record.metadata().as_str()).expect("json");
    assert_eq!(metadata["client_name"], "renamed");
    assert_eq!(
        metadata["redirect_uris"],
        json!(["https://rp.example.org/other"])
    );

    // The secret is kept (no rotation configured, not expired).
    authenticates(
        &host,
        &basic(&client.id, &secret_of(&client)),
        "secret kept across a host replacement",
    )
    .await;

    // The client's token still works, and reads the replaced registration.
    let resp = host.get(&client.id, &client.token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["client_name"], "renamed");
    assert_eq!(
        resp.json()["registration_access_token"],
        json!(client.token)
    );

    // Same rules as over HTTP: invalid metadata is refused and changes nothing.
    let err = host
        .registry
        .update(
            Requester::host(),
            &client.id,
            object(json!({"redirect_uris": ["not a uri"]})),
        )
        .await
        .expect_err("invalid redirect URI");
    assert_eq!(err.code(), "invalid_redirect_uri", "{err:?}");
    let err = host
        .registry
        .update(
            Requester::host(),
            &client.id,
            object(json!({"client_id": "someone-else", "redirect_uris": [REDIRECT]})),
        )
        .await
        .expect_err("a foreign client_id in the body");
    assert_eq!(err.code(), "invalid_client_metadata", "{err:?}");
    let resp = host.get(&client.id, &client.token).await;
    assert_eq!(resp.json()["client_name"], "renamed");

    let err = host
        .registry
        .update(Requester::host(), "no-such-client", object(min()))
        .await
        .expect_err("unknown client");
    assert!(matches!(err, RegistrationError::UnknownClient), "{err:?}");
}

#[tokio::test]
async fn host_replace_client_rotates_the_token_when_rotation_is_configured() {
    for rotation in [TokenRotation::OnUpdate, TokenRotation::OnEveryUse] {
        let host = Host::new(|b| b.token_rotation(rotation));
        let client = host.register(None, &min()).await;
        let info = host
            .registry
            .update(
                Requester::host(),
                &client.id,
                object(json!({"redirect_uris": [REDIRECT]})),
            )
            .await
            .expect("host replacement");
        assert!(info.token_rotated(), "{rotation:?}");
        let new_token = info
            .registration_access_token()
            .expect("a rotated token is returned")
            .expose()
            .to_owned();
        assert_ne!(new_token, client.token);
        let body: Value = serde_json::from_slice(&info.to_json()).expect("to_json is JSON");
        assert_eq!(body["registration_access_token"], json!(new_token));
        // The old token is dead, the new one works.
        common::assert_invalid_token(&host.get(&client.id, &client.token).await);
        let resp = host.get(&client.id, &new_token).await;
        assert_eq!(resp.status, StatusCode::OK, "{rotation:?}: {}", resp.text());
    }
}

#[tokio::test]
async fn host_delete_client_removes_the_client_and_its_token() {
    let host = Host::new(|b| b);
    let client = host.register(None, &min()).await;
    let kept = host.register(None, &min()).await;
    host.registry
        .delete(Requester::host(), &client.id)
        .await
        .expect("host deletes");
    assert!(
        host.registry
            .lookup(&client.id)
            .await
            .expect("store")
            .is_none()
    );
    common::assert_invalid_token(&host.get(&client.id, &client.token).await);
    let err = host
        .registry
        .delete(Requester::host(), &client.id)
        .await
        .expect_err("deleting twice");
    assert!(matches!(err, RegistrationError::UnknownClient), "{err:?}");
    // Other clients are untouched.
    let resp = host.get(&kept.id, &kept.token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
}

/// A [`MemoryStore`] whose reads, once armed, wait for each other: two concurrent requests
/// then both read a record before either writes, and exactly one loses the race.
#[derive(Clone, Default)]
struct LockstepStore {
    inner: MemoryStore,
    barrier: Arc<std::sync::Mutex<Option<Arc<tokio::sync::Barrier>>>>,
}

impl LockstepStore {
    fn arm(&self, parties: usize) {
        *self.barrier.lock().expect("lock") = Some(Arc::new(tokio::sync::Barrier::new(parties)));
    }
}

#[async_trait::async_trait]
impl ClientStore for LockstepStore {
    async fn insert(&self, record: Arc<ClientRecord>) -> Result<(), StoreError> {
        self.inner.insert(record).await
    }

    async fn get(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        let record = self.inner.get(client_id).await;
        let barrier = self.barrier.lock().expect("lock").clone();
        if let Some(barrier) = barrier {
            barrier.wait().await;
            // Once: the reads that follow the race (a loser's reload) go straight through.
            self.barrier.lock().expect("lock").take();
        }
        record
    }

    async fn replace(
        &self,
        record: Arc<ClientRecord>,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        self.inner.replace(record, expected_version).await
    }

    async fn delete(&self, client_id: &str, expected_version: u64) -> Result<(), StoreError> {
        self.inner.delete(client_id, expected_version).await
    }

    async fn count(&self) -> Result<u64, StoreError> {
        self.inner.count().await
    }

    async fn touch(&self, client_id: &str, at: u64) -> Result<(), StoreError> {
        self.inner.touch(client_id, at).await
    }

    async fn delete_unused(
        &self,
        unused_since: u64,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        self.inner.delete_unused(unused_since, limit).await
    }

    async fn insert_initial_access_token(
        &self,
        token: InitialAccessTokenRecord,
    ) -> Result<(), StoreError> {
        self.inner.insert_initial_access_token(token).await
    }

    async fn initial_access_token_by_hash(
        &self,
        hash: &CredentialHash,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        self.inner.initial_access_token_by_hash(hash).await
    }

    async fn initial_access_token_by_id(
        &self,
        id: &str,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        self.inner.initial_access_token_by_id(id).await
    }

    async fn revoke_initial_access_token(&self, id: &str) -> Result<(), StoreError> {
        self.inner.revoke_initial_access_token(id).await
    }

    async fn insert_with_initial_access_token(
        &self,
        record: Arc<ClientRecord>,
        now: u64,
    ) -> Result<(), StoreError> {
        self.inner
            .insert_with_initial_access_token(record, now)
            .await
    }

    async fn rate_limit(
        &self,
        key: &str,
        limit: Gcra,
        now_ms: u64,
    ) -> Result<RateDecision, StoreError> {
        self.inner.rate_limit(key, limit, now_ms).await
    }
}

#[tokio::test]
async fn host_delete_client_losing_a_race_reports_an_unknown_client() {
    let store = LockstepStore::default();
    let host = Host::new(|b| b.store(store.clone()));
    let client = host.register(None, &min()).await;
    store.arm(2);
    let (first, second) = tokio::join!(
        host.registry.delete(Requester::host(), &client.id),
        host.registry.delete(Requester::host(), &client.id)
    );
    let mut results = [first, second];
    results.sort_by_key(Result::is_err);
    let [winner, loser] = results;
    winner.expect("one deletion wins");
    let err = loser.expect_err("the other finds the client gone");
    assert!(matches!(err, RegistrationError::UnknownClient), "{err:?}");
    assert_eq!(
        tower_oidc_registration::error_response(err).status(),
        StatusCode::NOT_FOUND
    );
    assert!(store.inner.get(&client.id).await.expect("store").is_none());
}

#[tokio::test]
async fn host_updates_racing_both_apply_the_loser_after_reloading() {
    let store = LockstepStore::default();
    let host = Host::new(|b| b.store(store.clone()));
    let client = host.register(None, &min()).await;
    let update = |name: &str| {
        let mut body = object(min());
        body.insert("client_name".into(), json!(name));
        body
    };
    store.arm(2);
    let (first, second) = tokio::join!(
        host.registry
            .update(Requester::host(), &client.id, update("first")),
        host.registry
            .update(Requester::host(), &client.id, update("second"))
    );
    // Both read version 1; the loser of the compare-and-swap reads the winner's record again
    // and applies its own update on top of it, rather than failing or overwriting blindly.
    let name =
        |json: &[u8]| serde_json::from_slice::<Value>(json).expect("json")["client_name"].clone();
    assert_eq!(name(&first.expect("first").to_json()), "first");
    assert_eq!(name(&second.expect("second").to_json()), "second");
    let stored = store
        .inner
        .get(&client.id)
        .await
        .expect("store")
        .expect("kept");
    assert_eq!(stored.version(), 3, "two updates, one after the other");
    let last = name(stored.metadata().as_str().as_bytes());
    assert!(last == "first" || last == "second", "{last}");
}

#[tokio::test]
async fn an_authorized_client_names_its_client_and_caller_and_hides_the_token() {
    let host = Host::new(|b| b);
    let client = host.register(None, &min()).await;
    let authorized = host
        .registry
        .authorize(
            Requester::registration_access_token(&client.token),
            &client.id,
        )
        .await
        .expect("its own token");
    assert_eq!(authorized.client_id(), client.id);
    assert_eq!(authorized.caller(), Caller::RegisteredClient);
    let shown = format!("{authorized:?}");
    assert!(shown.contains(&client.id), "{shown}");
    assert!(shown.contains("RegisteredClient"), "{shown}");
    assert!(!shown.contains(&client.token), "{shown}");
    let by_host = host
        .registry
        .authorize(Requester::host(), &client.id)
        .await
        .expect("the host");
    assert_eq!(by_host.client_id(), client.id);
    assert_eq!(by_host.caller(), Caller::Host);
}

// ---------------------------------------------------------------------------------------------
// Pluggable generators.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl Counter {
    fn next(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
}

struct CountingIds(Counter);

impl ClientIdGenerator for CountingIds {
    fn client_id(&self) -> String {
        format!("client-{}", self.0.next())
    }
}

struct CountingSecrets(Counter);

impl SecretGenerator for CountingSecrets {
    fn client_secret(&self) -> Result<Secret, GenerateError> {
        Ok(Secret::new(format!("secret-{}", self.0.next())))
    }
}

#[tokio::test]
async fn client_ids_and_secrets_come_from_the_configured_generators() {
    let ids = Counter::default();
    let secrets = Counter::default();
    let host = Host::new(|b| {
        b.client_id_generator(CountingIds(ids.clone()))
            .secret_generator(CountingSecrets(secrets.clone()))
    });
    let first = host.register(None, &min()).await;
    let second = host.register(None, &min()).await;
    assert_eq!(first.id, "client-1");
    assert_eq!(second.id, "client-2");
    assert_eq!(first.secret().as_deref(), Some("secret-1"));
    assert_eq!(second.secret().as_deref(), Some("secret-2"));
    assert_eq!(
        first.body["registration_client_uri"],
        format!("{}client-1", common::CLIENT_URI_BASE)
    );
    // A public client draws no secret.
    let public = register_with_method(&host, "none").await;
    assert_eq!(public.id, "client-3");
    assert!(public.secret().is_none());
    assert_eq!(secrets.0.load(Ordering::SeqCst), 2);
    // The generated credentials are the real ones.
    authenticates(
        &host,
        &basic("client-1", "secret-1"),
        "generated secret authenticates",
    )
    .await;
    let resp = host.get("client-2", &second.token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["client_secret"], "secret-2");
}

/// Yields `dup` twice, then `fresh-1`, `fresh-2`, ...
struct CollidingIds(Counter);

impl ClientIdGenerator for CollidingIds {
    fn client_id(&self) -> String {
        match self.0.next() {
            1 | 2 => "dup".to_owned(),
            n => format!("fresh-{}", n - 2),
        }
    }
}

/// ECHO-2: each client gets a `client_id` no other client has.
#[tokio::test]
async fn a_colliding_generated_id_never_overwrites_a_client() {
    let host = Host::new(|b| b.client_id_generator(CollidingIds(Counter::default())));
    let first = host
        .register(
            None,
            &json!({"redirect_uris": [REDIRECT], "client_name": "first"}),
        )
        .await;
    assert_eq!(first.id, "dup");
    let second = host
        .register(
            None,
            &json!({"redirect_uris": [REDIRECT], "client_name": "second"}),
        )
        .await;
    assert_eq!(
        second.id, "fresh-1",
        "the registry draws another id on a collision"
    );
    let resp = host.get("dup", &first.token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["client_name"], "first");
    authenticates(
        &host,
        &basic("dup", &secret_of(&first)),
        "the first client's secret is intact",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// The Registry in the extensions of passed-through requests.
// ---------------------------------------------------------------------------------------------

/// A layer around an inner service that reports what it finds in the request extensions:
/// `no registry`, `unknown <id>` or `found <id>` for the client id in `x-client-id`.
fn extension_probe(registry_in_extensions: bool) -> (Svc, Registry) {
    let config = RegistrationConfig::builder(common::ISSUER)
        .registry_in_extensions(registry_in_extensions)
        .build()
        .expect("config");
    let layer = RegistrationLayer::new(config);
    let registry = layer.registry();
    let inner = service_fn(|req: Request<TestBody>| async move {
        let text = match req.extensions().get::<Registry>() {
            None => "no registry".to_owned(),
            Some(registry) => {
                let id = req
                    .headers()
                    .get("x-client-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                match registry.lookup(&id).await.expect("store") {
                    Some(record) => format!("found {}", record.client_id()),
                    None => format!("unknown {id}"),
                }
            }
        };
        Ok::<_, Infallible>(common::contract::mark_inner(Response::new(Full::new(
            Bytes::from(text),
        ))))
    });
    (BoxCloneService::new(layer.layer(inner)), registry)
}

fn token_request(client_id: &str) -> Request<TestBody> {
    Request::post("/token")
        .header("x-client-id", client_id)
        .body(full(Bytes::from_static(b"grant_type=client_credentials")))
        .expect("request")
}

#[tokio::test]
async fn passed_through_requests_carry_the_registry() {
    let (svc, registry) = extension_probe(true);
    let info = registry
        .register(Requester::host(), object(min()))
        .await
        .expect("register");
    let resp = send(&svc, token_request(info.client_id())).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.text(), format!("found {}", info.client_id()));
    let resp = send(&svc, token_request("nobody")).await;
    assert_eq!(resp.text(), "unknown nobody");

    // A client registered over HTTP is visible to the wrapped service too.
    let resp = send(&svc, post_request(None, &min())).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let id = resp.json()["client_id"].as_str().expect("id").to_owned();
    let resp = send(&svc, token_request(&id)).await;
    assert_eq!(resp.text(), format!("found {id}"));
}

#[tokio::test]
async fn the_registry_can_be_kept_out_of_the_extensions() {
    let (svc, registry) = extension_probe(false);
    let info = registry
        .register(Requester::host(), object(min()))
        .await
        .expect("register");
    let resp = send(&svc, token_request(info.client_id())).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.text(), "no registry");
}

// ---------------------------------------------------------------------------------------------
// Discovery agrees with what registration enforces.
// ---------------------------------------------------------------------------------------------

fn strings(metadata: &Map<String, Value>, member: &str) -> Vec<String> {
    metadata
        .get(member)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{member} is not an array in {metadata:?}"))
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect()
}

/// Registers `body` through the host API (no per-caller restrictions) and returns the stored
/// metadata, or the error code.
async fn try_register(registry: &Registry, body: Value) -> Result<Value, &'static str> {
    match registry.register(Requester::host(), object(body)).await {
        Ok(info) => Ok(serde_json::from_str(info.record().metadata().as_str()).expect("json")),
        Err(err) => Err(err.code()),
    }
}

/// A registration body with `redirect_uris` and an advertised authentication method (with
/// keys when the method needs them), so that only the member under test can be refused.
fn base_body(method: &str) -> Value {
    let mut body = json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": method});
    if method == "private_key_jwt" || method == "self_signed_tls_client_auth" {
        body["jwks"] = public_jwks();
    }
    body
}

/// Every advertised value is accepted, and values outside the advertised lists are refused.
async fn assert_discovery_agrees(registry: &Registry, not_advertised: &[(&str, Value)]) {
    let metadata = registry.provider_metadata();

    let methods = strings(&metadata, "token_endpoint_auth_methods_supported");
    assert!(!methods.is_empty());
    for method in &methods {
        let stored = try_register(registry, base_body(method))
            .await
            .unwrap_or_else(|code| panic!("advertised auth method {method} refused: {code}"));
        assert_eq!(stored["token_endpoint_auth_method"], json!(method));
    }
    let method = methods[0].as_str();

    let grant_types = strings(&metadata, "grant_types_supported");
    assert!(!grant_types.is_empty());
    for grant in &grant_types {
        let mut body = base_body(method);
        body["grant_types"] = json!([grant]);
        let stored = try_register(registry, body)
            .await
            .unwrap_or_else(|code| panic!("advertised grant type {grant} refused: {code}"));
        assert_eq!(stored["grant_types"], json!([grant]));
    }

    let response_types = strings(&metadata, "response_types_supported");
    assert!(!response_types.is_empty());
    for response_type in &response_types {
        let mut body = base_body(method);
        body["response_types"] = json!([response_type]);
        let stored = try_register(registry, body).await.unwrap_or_else(|code| {
            panic!("advertised response type {response_type} refused: {code}")
        });
        assert_eq!(stored["response_types"], json!([response_type]));
    }

    for (member, value) in not_advertised {
        let advertised = match *member {
            "grant_types" => &grant_types,
            "response_types" => &response_types,
            "token_endpoint_auth_method" => &methods,
            other => panic!("unexpected member {other}"),
        };
        let wire = value.as_str().expect("string");
        assert!(
            !advertised.iter().any(|a| a == wire),
            "{wire} is advertised"
        );
        let mut body = base_body(method);
        body[*member] = if *member == "token_endpoint_auth_method" {
            value.clone()
        } else {
            json!([value])
        };
        let refused = try_register(registry, body).await;
        assert_eq!(
            refused,
            Err("invalid_client_metadata"),
            "{member} {wire} is not advertised but was accepted"
        );
    }
}

/// DISC-2: the advertised methods and grant, response and subject types are the accepted ones.
#[tokio::test]
async fn provider_metadata_agrees_with_the_default_rules() {
    let host = Host::new(|b| b);
    assert_discovery_agrees(
        &host.registry,
        &[
            ("grant_types", json!("password")),
            (
                "grant_types",
                json!("urn:ietf:params:oauth:grant-type:device_code"),
            ),
            ("response_types", json!("none")),
            ("token_endpoint_auth_method", json!("tls_client_auth")),
        ],
    )
    .await;
}

/// DISC-2: the advertised methods and grant, response and subject types are the accepted ones.
#[tokio::test]
async fn provider_metadata_follows_custom_rules() {
    let mut rules = MetadataRules::default();
    rules.grant_types = vec![
        GrantType::AuthorizationCode,
        GrantType::RefreshToken,
        GrantType::Password,
    ];
    rules.response_types.retain(|r| r.as_str() == "code");
    rules
        .auth_methods
        .retain(|m| matches!(m, AuthMethod::PrivateKeyJwt | AuthMethod::ClientSecretPost));
    let host = Host::new(|b| b.rules(rules));
    let metadata = host.registry.provider_metadata();
    assert_eq!(
        strings(&metadata, "grant_types_supported"),
        ["authorization_code", "refresh_token", "password"]
    );
    assert_eq!(strings(&metadata, "response_types_supported"), ["code"]);
    let mut methods = strings(&metadata, "token_endpoint_auth_methods_supported");
    methods.sort();
    assert_eq!(methods, ["client_secret_post", "private_key_jwt"]);
    assert_discovery_agrees(
        &host.registry,
        &[
            ("grant_types", json!("implicit")),
            ("grant_types", json!("client_credentials")),
            ("response_types", json!("id_token")),
            ("token_endpoint_auth_method", json!("client_secret_basic")),
            ("token_endpoint_auth_method", json!("none")),
        ],
    )
    .await;
}

/// DISC-5: the default rules support what a dynamic OpenID Provider must.
#[tokio::test]
async fn default_rules_support_a_dynamic_openid_provider() {
    let host = Host::new(|b| b);
    let metadata = host.registry.provider_metadata();
    let response_types = strings(&metadata, "response_types_supported");
    for required in ["code", "id_token", "id_token token"] {
        assert!(
            response_types.iter().any(|r| r == required),
            "{required}: {response_types:?}"
        );
    }
    let grant_types = strings(&metadata, "grant_types_supported");
    for required in ["authorization_code", "implicit"] {
        assert!(
            grant_types.iter().any(|g| g == required),
            "{required}: {grant_types:?}"
        );
    }
    let algorithms = strings(&metadata, "id_token_signing_alg_values_supported");
    assert!(algorithms.iter().any(|a| a == "RS256"), "{algorithms:?}");
}

/// DISC-1: the provider metadata advertise the https `registration_endpoint`.
#[tokio::test]
async fn provider_metadata_registration_endpoint_is_the_configured_one() {
    let host = Host::new(|b| b);
    let metadata = host.registry.provider_metadata();
    assert_eq!(
        metadata["registration_endpoint"],
        "https://iam.example.org/register"
    );
    assert!(
        !metadata.contains_key("scopes_supported"),
        "no scopes are restricted: {metadata:?}"
    );

    let config = RegistrationConfig::builder("https://iam.example.org/")
        .prefix("/oauth2/register")
        .build()
        .expect("config");
    let expected = config.registration_endpoint().to_owned();
    assert_eq!(expected, "https://iam.example.org/oauth2/register");
    let registry = RegistrationLayer::new(config).registry();
    assert_eq!(
        registry.provider_metadata()["registration_endpoint"],
        expected
    );
    let info = registry
        .register(Requester::host(), object(min()))
        .await
        .expect("register");
    assert_eq!(
        info.registration_client_uri(),
        format!("{expected}/{}", info.client_id())
    );

    let config = RegistrationConfig::builder("https://h.example/realms/x/")
        .prefix("/realms/x/register")
        .registration_endpoint_url("https://public.example/realms/x/register")
        .build()
        .expect("config");
    let registry = RegistrationLayer::new(config).registry();
    assert_eq!(
        registry.provider_metadata()["registration_endpoint"],
        "https://public.example/realms/x/register"
    );
}

/// A generator whose ids could not stand in `registration_client_uri` as they are.
struct BadIds(&'static str);

impl tower_oidc_registration::generate::ClientIdGenerator for BadIds {
    fn client_id(&self) -> String {
        self.0.to_owned()
    }
}

#[tokio::test]
async fn unusable_generated_client_ids_are_refused_not_stored() {
    for bad in ["", "a/b", "a b", "é"] {
        let store = Arc::new(MemoryStore::new());
        let config = RegistrationConfig::builder("https://iam.example.org/")
            .shared_store(store.clone())
            .client_id_generator(BadIds(bad))
            .build()
            .expect("config");
        let registry = RegistrationLayer::new(config).registry();
        let err = registry
            .register(Requester::host(), object(min()))
            .await
            .expect_err("an unusable id");
        assert!(
            matches!(err, tower_oidc_registration::RegistrationError::Internal(_)),
            "{bad:?}: {err}"
        );
        assert_eq!(store.count().await.expect("count"), 0, "{bad:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Expiry of abandoned clients.
// ---------------------------------------------------------------------------------------------

/// Moves the registration time of `client_id` back to `issued_at` (as if registered long ago),
/// through the store's compare-and-swap.
async fn backdate(store: &MemoryStore, client_id: &str, issued_at: u64) {
    let current = store.get(client_id).await.expect("get").expect("stored");
    let mut older = ClientRecord::clone(&current);
    older = older.with_client_id_issued_at(issued_at);
    older = older.with_version(current.version() + 1);
    store
        .replace(Arc::new(older), current.version())
        .await
        .expect("backdate");
}

#[tokio::test]
async fn expiry_deletes_unused_clients_and_keeps_used_ones() {
    use tower_oidc_registration::ExpiryPolicy;
    let store = MemoryStore::new();
    let policy = ExpiryPolicy::new(Duration::from_secs(3600))
        .tick(Duration::from_millis(20))
        .batch(1);
    let host = Host::new(|b| b.store(store.clone()).expire_unused_clients(Some(policy)));
    let read = host.register(None, &min()).await;
    let authenticated = host.register(None, &min()).await;
    let updated = host.register(None, &min()).await;
    let unused = host.register(None, &min()).await;
    let also_unused = host.register(None, &min()).await;
    for client in [&read, &authenticated, &updated, &unused, &also_unused] {
        backdate(&store, &client.id, 1_000_000).await;
    }
    // Used now: read and updated with their registration access tokens, authenticated.
    assert_eq!(host.get(&read.id, &read.token).await.status, StatusCode::OK);
    authenticates(
        &host,
        &basic(&authenticated.id, &secret_of(&authenticated)),
        "authenticates",
    )
    .await;
    let mut update = min();
    update["client_id"] = json!(updated.id);
    let resp = host.put(&updated.id, &updated.token, &update).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    // A host read is not a use.
    assert!(
        host.registry
            .lookup(&unused.id)
            .await
            .expect("get")
            .is_some()
    );

    // One bounded batch deletes one client.
    assert_eq!(host.registry.expire_unused().await.expect("expire"), 1);
    assert_eq!(store.count().await.expect("count"), 4);
    // The background task deletes the other, then finds nothing more.
    let task = tokio::spawn(host.registry.clone().run_expiry());
    tokio::time::timeout(Duration::from_secs(10), async {
        while store.count().await.expect("count") > 3 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the task expires the second unused client");
    task.abort();
    assert_eq!(host.registry.expire_unused().await.expect("expire"), 0);

    for client in [&unused, &also_unused] {
        assert!(store.get(&client.id).await.expect("get").is_none());
        let resp = host.get(&client.id, &client.token).await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{}", resp.text());
    }
    // Token rotation is off: the used clients' tokens still work.
    for client in [&read, &authenticated, &updated] {
        assert_eq!(
            host.get(&client.id, &client.token).await.status,
            StatusCode::OK
        );
    }
}

/// The host's own reads and updates are no use of a client: a client that only the host
/// touched expires when its lifetime of disuse is over, at that exact second, while one that
/// read itself in the meantime is kept.
#[tokio::test]
async fn host_reads_and_updates_do_not_keep_a_client_from_expiring() {
    use tower_oidc_registration::ExpiryPolicy;
    let clock = common::TestClock::at(common::CLOCK_START);
    let store = MemoryStore::new();
    let policy = ExpiryPolicy::new(Duration::from_secs(3600));
    let host = Host::new(|b| {
        b.clock(clock.clone())
            .store(store.clone())
            .expire_unused_clients(Some(policy))
    });
    let managed_by_host = host.register(None, &min()).await;
    let used = host.register(None, &min()).await;
    clock.advance(3000);
    host.registry
        .update(
            Requester::host(),
            &managed_by_host.id,
            object(json!({"redirect_uris": [REDIRECT], "client_name": "renamed by the host"})),
        )
        .await
        .expect("host update");
    host.registry
        .read(Requester::host(), &managed_by_host.id)
        .await
        .expect("host read");
    assert_eq!(host.get(&used.id, &used.token).await.status, StatusCode::OK);
    // One second short of an hour of disuse: nothing expires.
    clock.set(common::CLOCK_START + 3600);
    assert_eq!(host.registry.expire_unused().await.expect("expire"), 0);
    // An hour and a second after its registration, the client only the host touched goes.
    clock.advance(1);
    assert_eq!(host.registry.expire_unused().await.expect("expire"), 1);
    assert!(store.get(&managed_by_host.id).await.expect("get").is_none());
    assert!(store.get(&used.id).await.expect("get").is_some());
}

/// MGT-7: an invalid registration access token is 401 `invalid_token` on read, update and delete.
///
/// A registration access token must carry a valid signature of this server's key, not only
/// hash to the stored value: after the signing key changes, every token issued under the old
/// key is refused, though the store still holds its hash.
#[tokio::test]
async fn tokens_signed_with_a_replaced_key_are_refused_though_their_hash_is_stored() {
    let store = MemoryStore::new();
    let with_key = |secret: u8| {
        let config = RegistrationConfig::builder("https://iam.example.org/")
            .store(store.clone())
            .signing_key(SigningKey::hs256(&[secret; 32]).expect("key"))
            .build()
            .expect("config");
        Registry::new(&config)
    };
    let before = with_key(1);
    let client = before
        .register(Requester::host(), object(min()))
        .await
        .expect("register");
    let token = client
        .registration_access_token()
        .expect("token")
        .expose()
        .to_owned();
    let id = client.client_id().to_owned();
    assert!(
        before
            .read(Requester::registration_access_token(&token), &id)
            .await
            .is_ok()
    );
    let after = with_key(2);
    let err = after
        .read(Requester::registration_access_token(&token), &id)
        .await
        .expect_err("signed with the old key");
    assert!(matches!(err, RegistrationError::InvalidToken), "{err:?}");
    let err = after
        .delete(Requester::registration_access_token(&token), &id)
        .await
        .expect_err("signed with the old key");
    assert!(matches!(err, RegistrationError::InvalidToken), "{err:?}");
    assert!(
        store.get(&id).await.expect("get").is_some(),
        "nothing deleted"
    );
}

/// The default store is bounded: the memory store of a configuration that names no store
/// (`MemoryStore::new()`) holds at most 10,000 clients; a registration past them, the host's
/// too, is refused with 403 `access_denied`, naming the bound, and stores nothing.
#[tokio::test]
async fn the_default_memory_store_refuses_registrations_past_its_bound() {
    let config = RegistrationConfig::builder(common::ISSUER)
        .build()
        .expect("config");
    let registry = Registry::new(&config);
    for n in 0..10_000 {
        registry
            .register(Requester::host(), object(min()))
            .await
            .unwrap_or_else(|e| panic!("registration {n}, within the bound: {e}"));
    }
    let err = registry
        .register(Requester::host(), object(min()))
        .await
        .expect_err("the 10,001st client is past the bound");
    assert!(matches!(err, RegistrationError::Forbidden(_)), "{err:?}");
    assert_eq!(err.code(), "access_denied");
    assert!(err.description().contains("10000"), "{}", err.description());
}
