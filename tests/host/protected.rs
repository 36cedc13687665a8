//! Protected registration (RFC 7591 §3): initial access tokens, static
//! and issued, with expiry, use counts, revocation, client quotas and bound policies.

use crate::common;
use crate::common::policies::{FORBID_NAME, ForbidName};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::captured::{Captured, run_alone_in_a_child};
use crate::common::host::{Host, named, object, post_request};
use crate::common::{
    Client, REDIRECT, Resp, assert_error, assert_invalid_token, assert_missing_token, full, min,
};
use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Map, Value, json};
use tower::ServiceExt;
use tower_oidc_registration::Requester;
use tower_oidc_registration::metadata::ClientMetadata;
use tower_oidc_registration::metadata::{GrantType, MetadataRules};
use tower_oidc_registration::policy::{Operation, PolicyContext, PolicyError, RegistrationPolicy};
use tower_oidc_registration::{
    Caller, ConfigError, InitialAccessTokenOptions, MemoryStore, RegistrationAccess,
    RegistrationConfig, RegistrationConfigBuilder, RegistrationLayer, Registry, SigningKey,
};

const STATIC_IAT: &str = "static-initial-access-token-0123456789";

// ---------------------------------------------------------------------------------------------
// Harness.
// ---------------------------------------------------------------------------------------------

impl Host {
    /// Initial-access-token mode.
    fn protected(f: impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder) -> Self {
        Self::new(|b| f(b.registration_access(RegistrationAccess::InitialAccessToken)))
    }

    /// `POST /register` with `Authorization: <authorization>` (none when `None`).
    async fn post_with(&self, authorization: Option<&str>, body: &Value) -> Resp {
        self.send(post_request(authorization, body)).await
    }

    /// `PUT` of `metadata` (with `client`'s `client_id`) with `client`'s token.
    async fn update(&self, client: &Client, metadata: &Value) -> Resp {
        let body = common::update_body(client, metadata);
        self.put(&client.id, &client.token, &body).await
    }

    /// Who registered `client`, as its record says.
    async fn registrant(&self, client_id: &str) -> Caller {
        self.registry
            .lookup(client_id)
            .await
            .expect("store")
            .expect("registered")
            .registered_by()
            .clone()
    }

    async fn issue(&self, options: InitialAccessTokenOptions) -> (String, String) {
        let issued = self
            .registry
            .issue_initial_access_token(options)
            .await
            .expect("issue an initial access token");
        (issued.id, issued.token.expose().to_owned())
    }
}

/// A client that gets tokens by itself: no redirect URIs, the `client_credentials` grant.
fn service(name: &str) -> Value {
    json!({"grant_types": ["client_credentials"], "client_name": name})
}

/// The same HS256 key for every configuration that calls it: registration access tokens
/// issued under one verify under the others (two layers, or a restart, over one store).
fn shared_key() -> SigningKey {
    SigningKey::hs256(&[7u8; 32]).expect("HS256 key")
}

/// A valid initial access token over its quota: 403 with `WWW-Authenticate: Bearer error="insufficient_scope"` and the same code in the
/// body (RFC 6750 §3.1).
#[track_caller]
fn assert_quota_reached(resp: &Resp) {
    assert_error(resp, StatusCode::FORBIDDEN, Some("insufficient_scope"));
    assert_eq!(
        resp.header(header::WWW_AUTHENTICATE),
        Some("Bearer error=\"insufficient_scope\""),
        "{}",
        resp.text()
    );
}

// ---------------------------------------------------------------------------------------------
// Registration without an initial access token, with a bogus one, with a static one.
// ---------------------------------------------------------------------------------------------

/// IAT-1: registration may require an initial access token.
/// IAT-3: a missing initial access token is 401 bare `Bearer`; a wrong one 401 `invalid_token`.
/// ERR-6: no bearer token: 401 and `WWW-Authenticate: Bearer` without an error code.
///
/// Without an initial access token, or with another scheme (HTTP Basic): 401 with the bare
/// challenge `WWW-Authenticate: Bearer` and a JSON body that carries no error code either, only
/// an `error_description` naming the initial access token. A client's read without its
/// registration access token gets the same shape, its description not speaking of an initial
/// access token. Nothing is registered.
#[tokio::test]
async fn no_initial_access_token_is_401_bare_bearer_without_an_error_code() {
    let host = Host::protected(|b| b.initial_access_token(STATIC_IAT));
    let resp = host.post(None, &min()).await;
    assert_eq!(resp.header(header::WWW_AUTHENTICATE), Some("Bearer"));
    let body = assert_missing_token(&resp);
    common::assert_description_mentions(&body, "initial access token");
    // Another scheme is no bearer token either: no error code, in the challenge or the body.
    let resp = host.post_with(Some("Basic dXNlcjpwYXNz"), &min()).await;
    assert_eq!(resp.header(header::WWW_AUTHENTICATE), Some("Bearer"));
    let body = assert_missing_token(&resp);
    common::assert_description_mentions(&body, "initial access token");
    // A client's request without its registration access token gets the same challenge, but
    // the description speaks of that token, not of an initial access token.
    let client = host.register(Some(STATIC_IAT), &min()).await;
    let resp = host
        .send(
            Request::get(client.path())
                .body(full(Bytes::new()))
                .expect("request"),
        )
        .await;
    let body = assert_missing_token(&resp);
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(
        !description.contains("initial access token"),
        "{description}"
    );
    host.registry
        .delete(Requester::host(), &client.id)
        .await
        .expect("host deletes");
    // Nothing was registered.
    assert_eq!(host.count().await, 0);
}

/// IAT-3: a missing initial access token is 401 bare `Bearer`; a wrong one 401 `invalid_token`.
/// IAT-7: an initial access token manages no client; a registration access token registers none.
#[tokio::test]
async fn registration_with_a_bogus_initial_access_token_is_invalid_token() {
    let host = Host::protected(|b| b.initial_access_token(STATIC_IAT));
    for bogus in [
        "bogus",
        "static-initial-access-token-012345678",
        "static-initial-access-token-01234567890",
    ] {
        let resp = host.post(Some(bogus), &min()).await;
        assert_invalid_token(&resp);
        assert_error(&resp, StatusCode::UNAUTHORIZED, Some("invalid_token"));
    }
    // Not a token68 at all.
    let resp = host.post_with(Some("Bearer a,b"), &min()).await;
    assert_invalid_token(&resp);
    // A registration access token is not an initial access token.
    let client = host.register(Some(STATIC_IAT), &min()).await;
    assert_invalid_token(&host.post(Some(&client.token), &min()).await);
}

/// IAT-2: an initial access token is presented as an RFC 6750 bearer token.
#[tokio::test]
async fn static_initial_access_token_with_any_case_of_the_scheme() {
    let host = Host::protected(|b| b.initial_access_token(STATIC_IAT));
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let resp = host
            .post_with(Some(&format!("{scheme} {STATIC_IAT}")), &min())
            .await;
        assert_eq!(
            resp.status,
            StatusCode::CREATED,
            "scheme {scheme}: {}",
            resp.text()
        );
    }
}

/// IAT-2: an initial access token is presented as an RFC 6750 bearer token.
#[tokio::test]
async fn several_static_tokens_each_work() {
    let host = Host::protected(|b| {
        b.initial_access_token(STATIC_IAT)
            .initial_access_token_with("second-static-token", InitialAccessTokenOptions::new())
    });
    host.register(Some(STATIC_IAT), &min()).await;
    host.register(Some("second-static-token"), &min()).await;
}

// ---------------------------------------------------------------------------------------------
// Issued tokens: uses, expiry, revocation.
// ---------------------------------------------------------------------------------------------

/// IAT-3: a missing initial access token is 401 bare `Bearer`; a wrong one 401 `invalid_token`.
#[tokio::test]
async fn an_issued_token_with_two_uses_registers_twice_then_is_spent() {
    let host = Host::protected(|b| b);
    let (_, iat) = host
        .issue(InitialAccessTokenOptions::new().max_uses(2))
        .await;
    host.register(Some(&iat), &min()).await;
    host.register(Some(&iat), &min()).await;
    assert_invalid_token(&host.post(Some(&iat), &min()).await);
    assert_eq!(host.count().await, 2);
}

#[tokio::test]
async fn a_static_token_with_terms_is_limited_too() {
    let host = Host::protected(|b| {
        b.initial_access_token_with(STATIC_IAT, InitialAccessTokenOptions::new().max_uses(1))
    });
    host.register(Some(STATIC_IAT), &min()).await;
    assert_invalid_token(&host.post(Some(STATIC_IAT), &min()).await);
}

/// IAT-3: a missing initial access token is 401 bare `Bearer`; a wrong one 401 `invalid_token`.
#[tokio::test]
async fn an_expired_token_is_invalid() {
    let clock = common::TestClock::at(common::CLOCK_START);
    let host = Host::protected(|b| b.clock(clock.clone()));
    let (_, iat) = host
        .issue(InitialAccessTokenOptions::new().expires_in(Duration::from_secs(60)))
        .await;
    let (_, lasting) = host
        .issue(InitialAccessTokenOptions::new().expires_in(Duration::from_secs(3600)))
        .await;
    // Valid in its last second, expired from its expiry second on.
    clock.advance(59);
    host.register(Some(&iat), &min()).await;
    clock.advance(1);
    assert_invalid_token(&host.post(Some(&iat), &min()).await);
    host.register(Some(&lasting), &min()).await;
}

/// IAT-3: a missing initial access token is 401 bare `Bearer`; a wrong one 401 `invalid_token`.
#[tokio::test]
async fn a_revoked_token_is_invalid() {
    let host = Host::protected(|b| b);
    let (id, iat) = host.issue(InitialAccessTokenOptions::new()).await;
    let (_, other) = host.issue(InitialAccessTokenOptions::new()).await;
    host.register(Some(&iat), &min()).await;
    assert!(
        host.registry
            .revoke_initial_access_token(&id)
            .await
            .expect("revoke")
    );
    assert_invalid_token(&host.post(Some(&iat), &min()).await);
    // Other tokens are unaffected; unknown ids are reported.
    host.register(Some(&other), &min()).await;
    assert!(
        !host
            .registry
            .revoke_initial_access_token("no-such-id")
            .await
            .expect("revoke")
    );
}

/// IAT-5: a token's use is spent only when the client is stored.
#[tokio::test]
async fn a_failed_registration_does_not_consume_a_use() {
    let host = Host::protected(|b| b);
    let (_, iat) = host
        .issue(InitialAccessTokenOptions::new().max_uses(1))
        .await;
    // Bad metadata.
    let resp = host
        .post(
            Some(&iat),
            &json!({"redirect_uris": ["https://rp.example.org/cb#frag"]}),
        )
        .await;
    common::assert_rfc_error(&resp, "invalid_redirect_uri");
    let resp = host
        .post(
            Some(&iat),
            &json!({"redirect_uris": [REDIRECT], "grant_types": ["password"]}),
        )
        .await;
    common::assert_rfc_error(&resp, "invalid_client_metadata");
    // A body that is not JSON.
    let resp = host
        .send(
            Request::post("/register")
                .header(header::AUTHORIZATION, format!("Bearer {iat}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(full("{not json"))
                .expect("request"),
        )
        .await;
    common::assert_rfc_error(&resp, "invalid_client_metadata");
    // The wrong content type.
    let resp = host
        .send(
            Request::post("/register")
                .header(header::AUTHORIZATION, format!("Bearer {iat}"))
                .header(header::CONTENT_TYPE, "text/plain")
                .body(full(serde_json::to_vec(&min()).expect("json")))
                .expect("request"),
        )
        .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{}", resp.text());
    // The one use is still there, and then it is gone.
    host.register(Some(&iat), &min()).await;
    assert_invalid_token(&host.post(Some(&iat), &min()).await);
}

// ---------------------------------------------------------------------------------------------
// Client quota per token.
// ---------------------------------------------------------------------------------------------

/// IAT-4: a token whose quota of live clients is reached gets 403 `insufficient_scope`.
#[tokio::test]
async fn max_clients_refuses_a_second_client_until_the_first_is_deleted() {
    let host = Host::protected(|b| b);
    let (_, iat) = host
        .issue(InitialAccessTokenOptions::new().max_clients(1))
        .await;
    let first = host.register(Some(&iat), &min()).await;
    // A valid token over its quota is insufficient, not invalid.
    assert_quota_reached(&host.post(Some(&iat), &min()).await);
    // Deleted by the client (RFC 7592): the slot is free again.
    let resp = host.delete(&first.id, &first.token).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.text());
    let second = host.register(Some(&iat), &min()).await;
    assert_quota_reached(&host.post(Some(&iat), &min()).await);
    // Deleted by the host: the slot is free again too.
    host.registry
        .delete(Requester::host(), &second.id)
        .await
        .expect("host deletes");
    host.register(Some(&iat), &min()).await;
}

/// IAT-4: a token whose quota of live clients is reached gets 403 `insufficient_scope`.
///
/// A registration refused for its metadata takes none of the token's client slots.
#[tokio::test]
async fn a_failed_registration_does_not_take_a_client_slot() {
    let host = Host::protected(|b| b);
    let (_, iat) = host
        .issue(InitialAccessTokenOptions::new().max_clients(1))
        .await;
    let resp = host
        .post(Some(&iat), &json!({"redirect_uris": ["relative/cb"]}))
        .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{}", resp.text());
    host.register(Some(&iat), &min()).await;
}

/// IAT-4: a token whose quota of live clients is reached gets 403 `insufficient_scope`.
#[tokio::test]
async fn max_clients_counts_per_token() {
    let host = Host::protected(|b| b);
    let (_, a) = host
        .issue(InitialAccessTokenOptions::new().max_clients(1))
        .await;
    let (_, b) = host
        .issue(InitialAccessTokenOptions::new().max_clients(1))
        .await;
    host.register(Some(&a), &min()).await;
    host.register(Some(&b), &min()).await;
    assert_quota_reached(&host.post(Some(&a), &min()).await);
}

/// IAT-4: a token whose quota of live clients is reached gets 403 `insufficient_scope`.
#[tokio::test]
async fn a_quota_refusal_does_not_spend_a_use_and_a_spent_token_is_invalid_first() {
    let host = Host::protected(|b| b);
    let (_, iat) = host
        .issue(InitialAccessTokenOptions::new().max_uses(2).max_clients(1))
        .await;
    let first = host.register(Some(&iat), &min()).await;
    // Over quota, one use left: 403, and the use is kept.
    assert_quota_reached(&host.post(Some(&iat), &min()).await);
    assert_quota_reached(&host.post(Some(&iat), &min()).await);
    let resp = host.delete(&first.id, &first.token).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.text());
    host.register(Some(&iat), &min()).await;
    // Now spent and over quota at once: the uses are checked first, so 401 invalid_token.
    let resp = host.post(Some(&iat), &min()).await;
    assert_invalid_token(&resp);
    assert_error(&resp, StatusCode::UNAUTHORIZED, Some("invalid_token"));

    // The same for a single-use token with a single client.
    let (_, once) = host
        .issue(InitialAccessTokenOptions::new().max_uses(1).max_clients(1))
        .await;
    host.register(Some(&once), &min()).await;
    assert_invalid_token(&host.post(Some(&once), &min()).await);
}

// ---------------------------------------------------------------------------------------------
// Open mode: a presented token is honoured, a bogus one refused.
// ---------------------------------------------------------------------------------------------

/// A policy that records who asked and whether it could see the `Authorization` header.
#[derive(Clone, Default)]
struct RecordCaller(Arc<Mutex<Vec<(Operation, Caller, bool)>>>);

impl RecordCaller {
    fn seen(&self) -> Vec<(Operation, Caller, bool)> {
        self.0.lock().expect("lock").clone()
    }
}

#[async_trait]
impl RegistrationPolicy for RecordCaller {
    async fn apply(
        &self,
        context: &PolicyContext<'_>,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        self.0.lock().expect("lock").push((
            context.operation,
            context.request.caller.clone(),
            context.request.headers.contains_key(header::AUTHORIZATION),
        ));
        Ok(metadata)
    }
}

/// IAT-6: open registration honours a valid initial access token and refuses a bogus one.
#[tokio::test]
async fn open_mode_honours_a_valid_initial_access_token_and_refuses_a_bogus_one() {
    let recorder = RecordCaller::default();
    let host = Host::new(|b| b.policy(recorder.clone()));
    assert_eq!(host.registry.access(), RegistrationAccess::Open);
    let (id, iat) = host
        .issue(InitialAccessTokenOptions::new().max_uses(1))
        .await;

    host.register(None, &min()).await;
    host.register(Some(&iat), &min()).await;
    assert_eq!(
        recorder.seen(),
        [
            (Operation::Register, Caller::Anonymous, false),
            (
                Operation::Register,
                Caller::InitialAccessToken { id: id.clone() },
                false
            ),
        ],
        "the caller with a token is that token's holder; policies never see Authorization"
    );

    // A bogus token is refused, even though none is needed: the policy never runs.
    assert_invalid_token(&host.post(Some("bogus-token"), &min()).await);
    // The token was counted: its one use is spent, even in open mode.
    assert_invalid_token(&host.post(Some(&iat), &min()).await);
    assert_eq!(recorder.seen().len(), 2);
    // Without a token, open registration still works.
    host.register(None, &min()).await;
}

// ---------------------------------------------------------------------------------------------
// A policy bound to a token applies at registration and again on update.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_admission_names_its_caller_and_hides_the_token() {
    let host = Host::new(|b| b);
    let (id, iat) = host.issue(InitialAccessTokenOptions::new()).await;
    let admission = host
        .registry
        .admit(Requester::initial_access_token(&iat))
        .await
        .expect("a valid token");
    assert_eq!(
        admission.caller(),
        &Caller::InitialAccessToken { id: id.clone() }
    );
    let shown = format!("{admission:?}");
    assert!(shown.starts_with("Admission"), "{shown}");
    assert!(shown.contains(&id), "{shown}");
    assert!(!shown.contains(&iat), "{shown}");
}

/// Refuses a request without the header `x-tenant: a`.
struct RequireTenant;

#[async_trait]
impl RegistrationPolicy for RequireTenant {
    async fn apply(
        &self,
        context: &PolicyContext<'_>,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        match context.request.headers.get("x-tenant") {
            Some(tenant) if tenant == "a" => Ok(metadata),
            _ => Err(PolicyError::Denied("tenant a only".to_owned())),
        }
    }
}

/// Registers a client with the headers `x-tenant: a`, then updates it with and without them.
async fn assert_update_policy_sees_the_headers(host: &Host, iat: Option<&str>) {
    let mut tenant = http::HeaderMap::new();
    tenant.insert("x-tenant", http::HeaderValue::from_static("a"));
    let requester = match iat {
        Some(iat) => Requester::initial_access_token(iat),
        None => Requester::anonymous(),
    };
    let info = host
        .registry
        .register(requester.with_headers(&tenant), object(min()))
        .await
        .expect("registered with the tenant header");
    let id = info.client_id().to_owned();
    let token = info
        .registration_access_token()
        .expect("a token")
        .expose()
        .to_owned();
    let update = || object(json!({"client_id": id, "redirect_uris": [common::REDIRECT]}));
    let refused = host
        .registry
        .update(Requester::registration_access_token(&token), &id, update())
        .await
        .expect_err("no tenant header");
    assert_eq!(refused.code(), "access_denied", "{refused:?}");
    host.registry
        .update(
            Requester::registration_access_token(&token).with_headers(&tenant),
            &id,
            update(),
        )
        .await
        .expect("the policy sees the update's headers");
}

#[tokio::test]
async fn a_configured_policy_sees_the_headers_of_an_update() {
    let host = Host::new(|b| b.policy(RequireTenant));
    assert_update_policy_sees_the_headers(&host, None).await;
}

#[tokio::test]
async fn a_token_bound_policy_sees_the_headers_of_an_update() {
    let host = Host::new(|b| b.initial_access_token_policy("tenant-a", RequireTenant));
    let (_, iat) = host
        .issue(InitialAccessTokenOptions::new().policy("tenant-a"))
        .await;
    assert_update_policy_sees_the_headers(&host, Some(&iat)).await;
}

/// IAT-9: a token's policy applies to its registrations and to their later updates.
#[tokio::test]
async fn a_token_bound_policy_applies_at_registration_and_on_update() {
    let host = Host::protected(|b| {
        b.initial_access_token(STATIC_IAT)
            .initial_access_token_policy(FORBID_NAME, ForbidName)
    });
    let (id, iat) = host
        .issue(InitialAccessTokenOptions::new().policy(FORBID_NAME))
        .await;

    let resp = host.post(Some(&iat), &named("forbidden")).await;
    let body = common::assert_rfc_error(&resp, "invalid_client_metadata");
    common::assert_description_mentions(&body, "client_name");
    let client = host.register(Some(&iat), &named("fine")).await;

    // The client updates itself: the token's policy applies again.
    let resp = host.update(&client, &named("forbidden")).await;
    common::assert_rfc_error(&resp, "invalid_client_metadata");
    let resp = host.update(&client, &named("still fine")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["client_name"], "still fine");

    // The host's replacement is judged by it as well.
    let mut request = Map::new();
    request.insert("redirect_uris".into(), json!([REDIRECT]));
    request.insert("client_name".into(), json!("forbidden"));
    let err = host
        .registry
        .update(Requester::host(), &client.id, request)
        .await
        .expect_err("the bound policy judges host replacements");
    assert_eq!(err.code(), "invalid_client_metadata");

    // Revoking the token stops registrations, not its policy over the clients it registered.
    assert!(
        host.registry
            .revoke_initial_access_token(&id)
            .await
            .expect("revoke")
    );
    let resp = host.update(&client, &named("forbidden")).await;
    common::assert_rfc_error(&resp, "invalid_client_metadata");

    // The policy is the token's alone: another token's client may take the name.
    let other = host.register(Some(STATIC_IAT), &named("forbidden")).await;
    let resp = host.update(&other, &named("forbidden")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
}

/// IAT-9: a token's policy applies to its registrations and to their later updates.
#[tokio::test]
async fn a_token_bound_policy_sees_the_token_holder_on_update() {
    let recorder = RecordCaller::default();
    let host = Host::protected(|b| b.initial_access_token_policy("recorder", recorder.clone()));
    let (id, iat) = host
        .issue(InitialAccessTokenOptions::new().policy("recorder"))
        .await;
    let client = host.register(Some(&iat), &min()).await;
    let resp = host.update(&client, &min()).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let holder = Caller::InitialAccessToken { id };
    assert_eq!(
        recorder.seen(),
        [
            (Operation::Register, holder.clone(), false),
            (Operation::Update, holder, false),
        ]
    );
}

/// IAT-1: registration may require an initial access token.
#[tokio::test]
async fn the_host_registers_without_an_initial_access_token() {
    let host = Host::protected(|b| b);
    let mut request = Map::new();
    request.insert("redirect_uris".into(), json!([REDIRECT]));
    let info = host
        .registry
        .register(Requester::host(), request)
        .await
        .expect("the host needs no initial access token");
    assert!(info.client_secret().is_some());
}

// ---------------------------------------------------------------------------------------------
// Caller restrictions: on by default (INDIGO IAM).
// ---------------------------------------------------------------------------------------------

/// REG-8: anonymous registrants get no `client_credentials` or `password` grant by default.
#[tokio::test]
async fn by_default_anonymous_registrants_get_no_client_credentials() {
    let host = Host::new(|b| b);
    let resp = host.post(None, &service("svc")).await;
    let body = common::assert_rfc_error(&resp, "invalid_client_metadata");
    common::assert_description_mentions(&body, "grant_types");
    common::assert_description_mentions(&body, "client_credentials");
    let resp = host
        .post(
            None,
            &json!({"redirect_uris": [REDIRECT],
                    "grant_types": ["authorization_code", "client_credentials"]}),
        )
        .await;
    let body = common::assert_rfc_error(&resp, "invalid_client_metadata");
    common::assert_description_mentions(&body, "grant_types[1]");
    assert_eq!(host.count().await, 0);

    // A token holder and the host are unrestricted.
    let (_, iat) = host.issue(InitialAccessTokenOptions::new()).await;
    host.register(Some(&iat), &service("svc")).await;
    host.registry
        .register(Requester::host(), object(service("svc")))
        .await
        .expect("the host may register a client_credentials client");
    // Other grants stay open to anonymous registrants.
    host.register(None, &min()).await;
}

/// REG-8: anonymous registrants get no `client_credentials` or `password` grant by default.
#[tokio::test]
async fn by_default_anonymous_registrants_get_no_password_grant() {
    let mut rules = MetadataRules::default();
    rules.grant_types.push(GrantType::Password);
    let password = json!({"redirect_uris": [REDIRECT],
                          "grant_types": ["authorization_code", "password"]});
    let host = Host::new(|b| b.rules(rules.clone()));
    let body =
        common::assert_rfc_error(&host.post(None, &password).await, "invalid_client_metadata");
    common::assert_description_mentions(&body, "grant_types[1]");
    let (_, iat) = host.issue(InitialAccessTokenOptions::new()).await;
    host.register(Some(&iat), &password).await;

    let lifted = Host::new(|b| b.rules(rules).caller_restrictions(None));
    lifted.register(None, &password).await;
}

/// REG-8: anonymous registrants get no `client_credentials` or `password` grant by default.
#[tokio::test]
async fn caller_restrictions_none_lets_anonymous_registrants_get_client_credentials() {
    let host = Host::new(|b| b.caller_restrictions(None));
    let client = host.register(None, &service("svc")).await;
    assert!(client.body["client_secret"].is_string(), "{}", client.body);
    let resp = host.update(&client, &service("renamed")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
}

// ---------------------------------------------------------------------------------------------
// Updates are judged by who registered the client.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn records_say_who_registered_the_client() {
    let host = Host::new(|b| b);
    let (id, iat) = host.issue(InitialAccessTokenOptions::new()).await;
    let anonymous = host.register(None, &min()).await;
    let holder = host.register(Some(&iat), &min()).await;
    let hosted = host
        .registry
        .register(Requester::host(), object(min()))
        .await
        .expect("host registration");
    assert_eq!(host.registrant(&anonymous.id).await, Caller::Anonymous);
    assert_eq!(
        host.registrant(&holder.id).await,
        Caller::InitialAccessToken { id }
    );
    assert_eq!(host.registrant(hosted.client_id()).await, Caller::Host);
}

#[tokio::test]
async fn a_host_registered_client_updating_itself_is_not_the_host() {
    let host = Host::new(|b| b);
    let info = host
        .registry
        .register(Requester::host(), object(service("svc")))
        .await
        .expect("the host registers a client_credentials client");
    let client = Client {
        id: info.client_id().to_owned(),
        token: info
            .registration_access_token()
            .expect("a new client gets a token")
            .expose()
            .to_owned(),
        body: serde_json::from_slice(&info.to_json()).expect("json"),
    };
    // Over HTTP, its registration access token confers no host rights: the restricted grant
    // the host gave it cannot be (re)asserted by the client itself, and nothing changes.
    let resp = host.update(&client, &service("renamed")).await;
    let body = common::assert_rfc_error(&resp, "invalid_client_metadata");
    common::assert_description_mentions(&body, "client_credentials");
    let resp = host.get(&client.id, &client.token).await;
    assert_eq!(
        resp.json()["client_name"],
        "svc",
        "a refused update changed the client"
    );
    // The host still can.
    let replaced = host
        .registry
        .update(Requester::host(), &client.id, object(service("renamed")))
        .await
        .expect("the host replaces its client");
    assert_eq!(replaced.record().registered_by(), &Caller::Host);
    let resp = host.get(&client.id, &client.token).await;
    assert_eq!(resp.json()["client_name"], "renamed");
}

/// REG-8: anonymous registrants get no `client_credentials` or `password` grant by default.
#[tokio::test]
async fn an_anonymously_registered_client_cannot_gain_client_credentials_by_updating() {
    let host = Host::new(|b| b);
    let client = host.register(None, &min()).await;
    let resp = host.update(&client, &service("svc")).await;
    let body = common::assert_rfc_error(&resp, "invalid_client_metadata");
    common::assert_description_mentions(&body, "grant_types");
    let resp = host.get(&client.id, &client.token).await;
    assert_eq!(
        resp.json(),
        client.body,
        "a refused update changed the client"
    );

    // A token holder's client may.
    let (_, iat) = host.issue(InitialAccessTokenOptions::new()).await;
    let holder = host.register(Some(&iat), &min()).await;
    let resp = host.update(&holder, &service("svc")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());

    // The host's replacement is judged as the host, whoever registered the client.
    let info = host
        .registry
        .update(Requester::host(), &client.id, object(service("svc")))
        .await
        .expect("the host is unrestricted");
    let metadata: Value = serde_json::from_str(info.record().metadata().as_str()).expect("json");
    assert_eq!(metadata["grant_types"], json!(["client_credentials"]));
}

/// MGT-10: an update the server does not allow is 403.
/// IAT-9: a token's policy applies to its registrations and to their later updates.
///
/// Servers over one store share its initial access tokens; each applies a token's policy by
/// name. One without a policy of that name refuses registrations with the token and updates of
/// its clients rather than let them through unchecked.
#[tokio::test]
async fn a_token_policy_unknown_to_a_server_fails_closed_there() {
    // Three servers (three processes, or three configurations in one) over one store, with one
    // signing key: each verifies the others' registration access tokens. A and C register the
    // policy the token names; B does not.
    let store = MemoryStore::new();
    let with_policy = |b: RegistrationConfigBuilder| {
        b.store(store.clone())
            .signing_key(shared_key())
            .initial_access_token_policy(FORBID_NAME, ForbidName)
    };
    let a = Host::new(with_policy);
    let b = Host::new(|b| b.store(store.clone()).signing_key(shared_key()));
    let c = Host::new(with_policy);
    let (_, iat) = a
        .issue(InitialAccessTokenOptions::new().policy(FORBID_NAME))
        .await;
    let client = a.register(Some(&iat), &named("fine")).await;
    // B sees the client and accepts its token for reads.
    let resp = b.get(&client.id, &client.token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    // But B cannot apply the token's policy: it refuses the update, however harmless.
    let resp = b.update(&client, &named("renamed")).await;
    let body = assert_error(&resp, StatusCode::FORBIDDEN, Some("access_denied"));
    common::assert_description_mentions(&body, "initial access token");
    assert!(resp.header(header::WWW_AUTHENTICATE).is_none(), "{resp:?}");
    // B's host cannot replace it either.
    let err = b
        .registry
        .update(Requester::host(), &client.id, object(named("renamed")))
        .await
        .expect_err("fail closed for the host too");
    assert_eq!(err.code(), "access_denied");
    assert_eq!(
        tower_oidc_registration::error_response(err).status(),
        StatusCode::FORBIDDEN
    );
    // Nor does B register clients with the token.
    let resp = b.post(Some(&iat), &named("via b")).await;
    assert_error(&resp, StatusCode::FORBIDDEN, Some("access_denied"));
    // Nothing changed.
    assert_eq!(
        b.get(&client.id, &client.token).await.json()["client_name"],
        "fine"
    );
    // A, which issued the token, and C, which did not, apply its policy.
    for server in [&a, &c] {
        common::assert_rfc_error(
            &server.update(&client, &named("forbidden")).await,
            "invalid_client_metadata",
        );
    }
    let resp = c.update(&client, &named("renamed")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    common::assert_rfc_error(
        &c.post(Some(&iat), &named("forbidden")).await,
        "invalid_client_metadata",
    );
    c.register(Some(&iat), &named("via c")).await;
    // Clients registered without a token update through either server.
    let anonymous = a.register(None, &min()).await;
    let resp = b.update(&anonymous, &named("via b")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
}

// ---------------------------------------------------------------------------------------------
// Static initial access tokens: strength, and ids derived from the token.
// ---------------------------------------------------------------------------------------------

/// IAT-8: a static initial access token is at least 16 bearer-token characters.
#[test]
fn static_initial_access_tokens_must_be_16_bearer_token_characters() {
    for weak in [
        "",
        "short",
        "fifteen-chars-x",
        "fifteen-chars-x==",
        "sixteen chars ok",
        "comma,separated,token",
        "quote\"d-token-0123456789",
        "pad=in-the-middle-0123",
        "non-ascii-token-\u{e9}\u{e9}\u{e9}",
    ] {
        for access in [
            RegistrationAccess::Open,
            RegistrationAccess::InitialAccessToken,
        ] {
            let err = RegistrationConfig::builder(common::ISSUER)
                .registration_access(access)
                .initial_access_token(weak)
                .build()
                .expect_err("a weak static token is refused");
            assert!(
                matches!(err, ConfigError::InitialAccessToken(_)),
                "{weak:?}: {err:?}"
            );
            if !weak.is_empty() {
                assert!(!err.to_string().contains(weak), "{err}");
            }
        }
        // With terms as well, and even beside a good one.
        let err = RegistrationConfig::builder(common::ISSUER)
            .initial_access_token(STATIC_IAT)
            .initial_access_token_with(weak, InitialAccessTokenOptions::new().max_uses(1))
            .build()
            .expect_err("a weak static token is refused");
        assert!(matches!(err, ConfigError::InitialAccessToken(_)), "{err:?}");
    }
    for strong in [
        "abcdefghijklmnop",
        "0123456789ABCDEF-._~+/",
        "abcdefghijklmnop==",
        STATIC_IAT,
    ] {
        RegistrationConfig::builder(common::ISSUER)
            .initial_access_token(strong)
            .build()
            .unwrap_or_else(|e| panic!("{strong:?} refused: {e}"));
    }
}

const OTHER_STATIC_IAT: &str = "another-static-initial-access-token";

#[tokio::test]
async fn static_token_ids_do_not_depend_on_the_configuration_order() {
    let store = MemoryStore::new();
    let first = Host::protected(|b| {
        b.store(store.clone())
            .signing_key(shared_key())
            .initial_access_token(STATIC_IAT)
            .initial_access_token(OTHER_STATIC_IAT)
    });
    let reordered = Host::protected(|b| {
        b.store(store.clone())
            .signing_key(shared_key())
            .initial_access_token(OTHER_STATIC_IAT)
            .initial_access_token(STATIC_IAT)
    });
    let one = first.register(Some(STATIC_IAT), &min()).await;
    let two = reordered.register(Some(STATIC_IAT), &min()).await;
    let other = first.register(Some(OTHER_STATIC_IAT), &min()).await;
    let id_of = |registrant: Caller| match registrant {
        Caller::InitialAccessToken { id } => id,
        other => panic!("not registered with a token: {other:?}"),
    };
    let id = id_of(first.registrant(&one.id).await);
    assert_eq!(id_of(reordered.registrant(&two.id).await), id);
    assert_ne!(id_of(first.registrant(&other.id).await), id);
    // The id names the token without revealing it.
    assert!(
        !id.contains(STATIC_IAT) && !STATIC_IAT.contains(&id),
        "{id}"
    );
}

/// IAT-9: a token's policy applies to its registrations and to their later updates.
#[tokio::test]
async fn a_static_token_bound_policy_survives_a_restart() {
    let store = MemoryStore::new();
    // STATIC_IAT carries a policy, OTHER_STATIC_IAT none.
    let configure = |b: RegistrationConfigBuilder, tokens: &[&str]| {
        let mut b = b
            .store(store.clone())
            .signing_key(shared_key())
            .initial_access_token_policy(FORBID_NAME, ForbidName);
        for token in tokens {
            b = if *token == STATIC_IAT {
                b.initial_access_token_with(
                    *token,
                    InitialAccessTokenOptions::new().policy(FORBID_NAME),
                )
            } else {
                b.initial_access_token(*token)
            };
        }
        b
    };
    let before = Host::protected(|b| configure(b, &[STATIC_IAT, OTHER_STATIC_IAT]));
    let client = before.register(Some(STATIC_IAT), &named("fine")).await;
    drop(before);

    // The restarted server lists its tokens in another order: the client's token is the same
    // token, with the same id, and its policy (not the other token's lack of one) applies.
    let after = Host::protected(|b| configure(b, &[OTHER_STATIC_IAT, STATIC_IAT]));
    common::assert_rfc_error(
        &after.update(&client, &named("forbidden")).await,
        "invalid_client_metadata",
    );
    let resp = after.update(&client, &named("renamed")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());

    // A server that no longer accepts the token refuses it, but its record keeps the policy's
    // name: the policy still binds the clients it registered.
    let without = Host::protected(|b| configure(b, &[OTHER_STATIC_IAT]));
    assert_invalid_token(&without.post(Some(STATIC_IAT), &named("fine")).await);
    common::assert_rfc_error(
        &without.update(&client, &named("forbidden")).await,
        "invalid_client_metadata",
    );
    let resp = without.update(&client, &named("renamed again")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());

    // A server without the policy cannot apply it: it fails closed.
    let unaware = Host::protected(|b| b.store(store.clone()).signing_key(shared_key()));
    assert_error(
        &unaware.update(&client, &named("renamed once more")).await,
        StatusCode::FORBIDDEN,
        Some("access_denied"),
    );
}

/// IAT-9: a token's policy applies to its registrations and to their later updates.
///
/// A token names a policy the configuration registers: a static token naming another is
/// refused when the configuration is built, an issued one when it is issued; a name registered
/// twice is refused too.
#[tokio::test]
async fn a_token_naming_an_unregistered_policy_is_refused() {
    let named_policy = InitialAccessTokenOptions::new().policy(FORBID_NAME);
    for builder in [
        RegistrationConfig::builder(common::ISSUER)
            .initial_access_token_with(STATIC_IAT, named_policy.clone()),
        RegistrationConfig::builder(common::ISSUER)
            .initial_access_token_policy("another", ForbidName)
            .initial_access_token_with(STATIC_IAT, named_policy.clone()),
        RegistrationConfig::builder(common::ISSUER)
            .initial_access_token_policy(FORBID_NAME, ForbidName)
            .initial_access_token_policy(FORBID_NAME, ForbidName),
    ] {
        let err = builder.build().expect_err("refused");
        assert!(
            matches!(err, ConfigError::InitialAccessTokenPolicy(_)),
            "{err:?}"
        );
        assert!(err.to_string().contains(FORBID_NAME), "{err}");
    }
    let host = Host::protected(|b| b.initial_access_token_policy("another", ForbidName));
    let err = host
        .registry
        .issue_initial_access_token(named_policy)
        .await
        .expect_err("an unregistered policy");
    assert!(err.to_string().contains(FORBID_NAME), "{err}");
}

/// IAT-3: a missing initial access token is 401 bare `Bearer`; a wrong one 401 `invalid_token`.
///
/// Servers over one store share a static token's record: revoked through one, it is refused
/// by all; and its terms are those it was first recorded with, whatever another server's
/// configuration says.
#[tokio::test]
async fn servers_over_one_store_share_a_static_token_s_record() {
    let store = MemoryStore::new();
    let single_use = Host::protected(|b| {
        b.store(store.clone())
            .signing_key(shared_key())
            .initial_access_token_with(STATIC_IAT, InitialAccessTokenOptions::new().max_uses(1))
    });
    let unlimited = Host::protected(|b| {
        b.store(store.clone())
            .signing_key(shared_key())
            .initial_access_token(STATIC_IAT)
            .initial_access_token(OTHER_STATIC_IAT)
    });
    // Recorded first by the single-use server: one use for both.
    single_use.register(Some(STATIC_IAT), &min()).await;
    assert_invalid_token(&unlimited.post(Some(STATIC_IAT), &min()).await);

    let client = unlimited.register(Some(OTHER_STATIC_IAT), &min()).await;
    let Caller::InitialAccessToken { id } = unlimited.registrant(&client.id).await else {
        panic!("registered with a token");
    };
    assert!(
        single_use
            .registry
            .revoke_initial_access_token(&id)
            .await
            .expect("revoke")
    );
    assert_invalid_token(&unlimited.post(Some(OTHER_STATIC_IAT), &min()).await);
    // Its client stays.
    let resp = unlimited.get(&client.id, &client.token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
}

// ---------------------------------------------------------------------------------------------
// One configuration, one table of initial access tokens.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn registries_built_from_one_configuration_share_initial_access_tokens() {
    let config = RegistrationConfig::builder(common::ISSUER)
        .registration_access(RegistrationAccess::InitialAccessToken)
        .initial_access_token_policy(FORBID_NAME, ForbidName)
        .build()
        .expect("config");
    let standalone = Registry::new(&config);
    // Two layers: one from a clone of the configuration, one from the configuration itself.
    let host = Host::from_config(config.clone());
    let twin = Host::from_config(config);

    // Issued through `Registry::new(&config)`, accepted by both layers.
    let issued = standalone
        .issue_initial_access_token(
            InitialAccessTokenOptions::new()
                .max_uses(2)
                .policy(FORBID_NAME),
        )
        .await
        .expect("issue");
    let iat = issued.token.expose().to_owned();
    let client = host.register(Some(&iat), &named("fine")).await;
    assert_eq!(
        host.registrant(&client.id).await,
        Caller::InitialAccessToken {
            id: issued.id.clone()
        }
    );
    // Its policy is known to both layers: updates are judged by it, not refused.
    for layer in [&host, &twin] {
        common::assert_rfc_error(
            &layer.update(&client, &named("forbidden")).await,
            "invalid_client_metadata",
        );
    }
    let resp = twin.update(&client, &named("renamed")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    // The uses are counted once for all: the twin spends the second, and the token is spent
    // for both.
    twin.register(Some(&iat), &min()).await;
    assert_invalid_token(&host.post(Some(&iat), &min()).await);
    assert_invalid_token(&twin.post(Some(&iat), &min()).await);

    // Issued through a layer's registry, accepted by the other layer, revoked through the
    // standalone registry for all.
    let (id, iat) = host.issue(InitialAccessTokenOptions::new()).await;
    twin.register(Some(&iat), &min()).await;
    assert!(
        standalone
            .revoke_initial_access_token(&id)
            .await
            .expect("revoke")
    );
    assert_invalid_token(&host.post(Some(&iat), &min()).await);
    assert_invalid_token(&twin.post(Some(&iat), &min()).await);
    assert!(
        !twin
            .registry
            .revoke_initial_access_token("no-such-id")
            .await
            .expect("revoke")
    );
}

// ---------------------------------------------------------------------------------------------
// Races and abandoned requests.
// ---------------------------------------------------------------------------------------------

/// IAT-5: a token's use is spent only when the client is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_registrations_never_exceed_the_uses_of_a_token() {
    let host = Host::protected(|b| b);
    let (_, iat) = host
        .issue(InitialAccessTokenOptions::new().max_uses(3))
        .await;
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let authorization = format!("Bearer {iat}");
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let request = common::send(&host.svc, post_request(Some(&authorization), &min()));
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                request.await.status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!((created, refused), (3, 13), "{statuses:?}");
    assert_eq!(host.count().await, 3);
}

/// A request body that never delivers anything: the request is abandoned while it is read.
struct Stalled;

impl http_body::Body for Stalled {
    type Data = Bytes;
    type Error = common::BoxError;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Pending
    }
}

/// Sends a registration with `iat` whose body never arrives, and gives up after 100 ms (as a
/// server does when the client disconnects or a timeout layer fires: the future is dropped).
async fn abandoned_registration(host: &Host, iat: &str) {
    let request = Request::post("/register")
        .header(header::AUTHORIZATION, format!("Bearer {iat}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(BodyExt::boxed(Stalled))
        .expect("request");
    let call = host.svc.clone().oneshot(request);
    assert!(
        tokio::time::timeout(Duration::from_millis(100), call)
            .await
            .is_err(),
        "the stalled request cannot complete"
    );
}

/// IAT-5: a token's use is spent only when the client is stored.
#[tokio::test]
async fn an_abandoned_registration_does_not_consume_a_use() {
    let host = Host::protected(|b| b);
    let (_, iat) = host
        .issue(InitialAccessTokenOptions::new().max_uses(1))
        .await;
    abandoned_registration(&host, &iat).await;
    let resp = host.post(Some(&iat), &min()).await;
    assert_eq!(
        resp.status,
        StatusCode::CREATED,
        "a registration dropped before its body arrived registered nothing, yet spent the \
         token's only use: {}",
        resp.text()
    );
}

#[tokio::test]
async fn an_abandoned_registration_does_not_take_a_client_slot() {
    let host = Host::protected(|b| b);
    let (_, iat) = host
        .issue(InitialAccessTokenOptions::new().max_clients(1))
        .await;
    abandoned_registration(&host, &iat).await;
    let resp = host.post(Some(&iat), &min()).await;
    assert_eq!(
        resp.status,
        StatusCode::CREATED,
        "a registration dropped before its body arrived registered nothing, yet holds the \
         token's only client slot: {}",
        resp.text()
    );
}

#[tokio::test]
async fn initial_access_tokens_never_show_in_debug_output() {
    let config = RegistrationConfig::builder(common::ISSUER)
        .registration_access(RegistrationAccess::InitialAccessToken)
        .initial_access_token(STATIC_IAT)
        .build()
        .expect("config");
    let config_debug = format!("{config:?}");
    assert!(!config_debug.contains(STATIC_IAT), "{config_debug}");
    let layer = RegistrationLayer::new(config);
    let registry = layer.registry();
    let issued = registry
        .issue_initial_access_token(InitialAccessTokenOptions::new().max_uses(1))
        .await
        .expect("issue");
    let token = issued.token.expose();
    for debug in [
        format!("{issued:?}"),
        format!("{layer:?}"),
        format!("{registry:?}"),
    ] {
        assert!(!debug.contains(token), "{debug}");
        assert!(!debug.contains(STATIC_IAT), "{debug}");
    }
    assert!(format!("{issued:?}").contains(&issued.id));
}

/// IAT-4: a token whose quota of live clients is reached gets 403 `insufficient_scope`.
///
/// A client the expiry of unused clients deleted frees its slot in the client quota of the
/// initial access token that registered it, as a deletion does: the live clients are counted.
#[tokio::test]
async fn an_expired_client_frees_its_slot_in_the_client_quota() {
    use tower_oidc_registration::ExpiryPolicy;
    let clock = common::TestClock::at(common::CLOCK_START);
    let host = Host::protected(|b| {
        b.clock(clock.clone())
            .expire_unused_clients(Some(ExpiryPolicy::new(Duration::from_secs(3600))))
    });
    let (_, iat) = host
        .issue(InitialAccessTokenOptions::new().max_clients(1))
        .await;
    let client = host.register(Some(&iat), &min()).await;
    assert_quota_reached(&host.post(Some(&iat), &min()).await);
    clock.advance(3601);
    assert_eq!(host.registry.expire_unused().await.expect("expire"), 1);
    assert_eq!(host.count().await, 0, "{} expired", client.id);
    host.register(Some(&iat), &min()).await;
    assert_quota_reached(&host.post(Some(&iat), &min()).await);
}

/// Set in the child process that runs [`changed_terms_child`].
const CHANGED_TERMS_CHILD_ENV: &str = "HOST_PROTECTED_CHANGED_TERMS_CHILD";

/// A static token configured with other terms than those recorded when it was first presented
/// (an operator editing the configuration, a replica with an older one) keeps its recorded
/// terms, and the replica says so once.
#[test]
fn changed_terms_of_a_static_token_keep_the_recorded_ones_with_one_warning() {
    run_alone_in_a_child("protected::changed_terms_child", CHANGED_TERMS_CHILD_ENV);
}

#[test]
#[ignore = "run alone in a child process by changed_terms_of_a_static_token_keep_the_recorded_ones_with_one_warning"]
fn changed_terms_child() {
    let (captured, subscriber) = Captured::subscriber(tracing::Level::WARN);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let store: Arc<dyn tower_oidc_registration::ClientStore> = Arc::new(MemoryStore::new());
            let with_terms = |terms: InitialAccessTokenOptions| {
                let store = Arc::clone(&store);
                Host::protected(move |b| {
                    b.shared_store(store)
                        .initial_access_token_with(STATIC_IAT, terms)
                })
            };
            let first = with_terms(InitialAccessTokenOptions::new().max_uses(3));
            first.register(Some(STATIC_IAT), &min()).await;
            let logs = captured.text();
            assert!(!logs.contains("configured with other terms"), "{logs}");
            // Edited to one use: the recorded three stand, and one warning says so.
            let edited = with_terms(InitialAccessTokenOptions::new().max_uses(1));
            edited.register(Some(STATIC_IAT), &min()).await;
            edited.register(Some(STATIC_IAT), &min()).await;
            let spent = edited
                .post_with(Some(&format!("Bearer {STATIC_IAT}")), &min())
                .await;
            assert_invalid_token(&spent);
        })
    });
    let logs = captured.text();
    assert_eq!(
        logs.matches("configured with other terms").count(),
        1,
        "one warning per token and process:\n{logs}"
    );
    assert!(logs.contains("differing=max_uses"), "{logs}");
    assert!(
        !logs.contains(STATIC_IAT),
        "the token is never logged:\n{logs}"
    );
}
