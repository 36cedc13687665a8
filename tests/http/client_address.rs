//! The client's address through the layer: from the request's `SocketAddr` extension by
//! default, from another extension type (axum's `ConnectInfo`), or from a trusted proxy's
//! forwarding header; seen by policies and events, and limited as the address it is.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use http::{Request, StatusCode, header};
use serde_json::Value;
use tower_oidc_registration::metadata::ClientMetadata;
use tower_oidc_registration::policy::{PolicyContext, PolicyError, RegistrationPolicy};
use tower_oidc_registration::rate_limit::{ClientAddress, ProxyHeader, Rate, RateLimit};
use tower_oidc_registration::{
    ConfigError, EventKind, EventListener, RegistrationConfig, RegistrationEvent,
};

use crate::common::{App, ISSUER, Resp, full, min};

/// What a policy or a listener saw of each request's address.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Option<IpAddr>>>>);

impl Seen {
    fn take(&self) -> Vec<Option<IpAddr>> {
        std::mem::take(&mut *self.0.lock().expect("lock"))
    }
}

#[async_trait]
impl RegistrationPolicy for Seen {
    async fn apply(
        &self,
        context: &PolicyContext<'_>,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        self.0
            .lock()
            .expect("lock")
            .push(context.request.client_address);
        Ok(metadata)
    }
}

/// Records the address of every event but those of refusals.
#[derive(Clone, Default)]
struct Events(Seen);

impl EventListener for Events {
    fn on_event(&self, event: &RegistrationEvent<'_>) {
        if !matches!(event.kind, EventKind::Rejected { .. }) {
            self.0
                .0
                .lock()
                .expect("lock")
                .push(event.context.client_address);
        }
    }
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("an address")
}

/// `POST /register` of [`min`] with `extension` in the request's extensions and the headers
/// `headers`.
async fn post_with<T: Clone + Send + Sync + 'static>(
    app: &App,
    extension: T,
    headers: &[(&str, &str)],
) -> Resp {
    let mut builder = Request::post("/register").header(header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut request = builder
        .body(full(serde_json::to_vec(&min()).expect("json")))
        .expect("request");
    request.extensions_mut().insert(extension);
    app.send(request).await
}

fn peer(text: &str) -> SocketAddr {
    text.parse().expect("a socket address")
}

/// Policies and events see the address of the client, for a registration and for the
/// management of a client alike.
#[tokio::test]
async fn policies_and_events_see_the_client_address() {
    let (policy, events) = (Seen::default(), Events::default());
    let app = App::with(|b| b.policy(policy.clone()).events(events.clone()));
    let created = post_with(&app, peer("203.0.113.9:4711"), &[]).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(policy.take(), [Some(ip("203.0.113.9"))]);
    assert_eq!(events.0.take(), [Some(ip("203.0.113.9"))]);
    // An update from another address: that one.
    let client = crate::common::created_client(&created, &min());
    let body = serde_json::to_vec(&crate::common::update_body(&client, &min())).expect("json");
    let mut update = Request::put(client.path())
        .header(header::AUTHORIZATION, format!("Bearer {}", client.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(full(body))
        .expect("request");
    update.extensions_mut().insert(peer("[2001:db8::5]:1"));
    let resp = app.send(update).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(policy.take(), [Some(ip("2001:db8::5"))]);
    assert_eq!(events.0.take(), [Some(ip("2001:db8::5"))]);
    // Without an address in the request: none.
    let resp = app.register_raw(&min()).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    assert_eq!(policy.take(), [None]);
    assert_eq!(events.0.take(), [None]);
}

/// The type axum inserts with `into_make_service_with_connect_info::<SocketAddr>()`.
#[derive(Clone)]
struct ConnectInfo<T>(T);

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// An address from another extension type, read with the one-liner given to
/// `ClientAddress::from_extension`, is limited as the address it is.
#[tokio::test]
async fn an_address_from_another_extension_type_is_limited() {
    let policy = Seen::default();
    let app = App::with(|b| {
        b.policy(policy.clone())
            .client_address(ClientAddress::from_extension(
                |info: &ConnectInfo<SocketAddr>| info.0.ip(),
            ))
            .registration_rate_limit(Some(RateLimit::per_address(Rate::per_hour(1))))
    });
    let info = ConnectInfo(peer("192.0.2.44:1"));
    assert_eq!(
        post_with(&app, info.clone(), &[]).await.status,
        StatusCode::CREATED
    );
    assert_eq!(policy.take(), [Some(ip("192.0.2.44"))]);
    let refused = post_with(&app, info, &[]).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.text()
    );
    // A bare SocketAddr is not what this configuration reads.
    assert_eq!(
        post_with(&app, peer("192.0.2.44:1"), &[]).await.status,
        StatusCode::CREATED
    );
    assert_eq!(policy.take(), [None]);
}

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// Behind trusted proxies, a client is the address they forward, and is limited as such; a
/// client that is not a trusted proxy cannot escape its limit with the header.
#[tokio::test]
async fn behind_trusted_proxies_the_forwarded_address_is_limited() {
    let policy = Seen::default();
    let app = App::with(|b| {
        b.policy(policy.clone())
            .client_address(
                ClientAddress::socket_addr()
                    .behind_proxies(ProxyHeader::XForwardedFor, ["10.0.0.0/8"]),
            )
            .registration_rate_limit(Some(RateLimit::per_address(Rate::per_hour(1))))
    });
    let proxy = peer("10.0.0.2:50000");
    let from = |client: &'static str| [("x-forwarded-for", client)];
    let created = post_with(&app, proxy, &from("198.51.100.1, 203.0.113.5")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(policy.take(), [Some(ip("203.0.113.5"))]);
    // The same client, whatever it puts left of its address: refused.
    let again = post_with(&app, proxy, &from("192.0.2.200, 203.0.113.5")).await;
    assert_eq!(
        again.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        again.text()
    );
    // Another client behind the same proxy has its own limit.
    let other = post_with(&app, proxy, &from("203.0.113.6")).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text());
    // A direct client forging the header is its own address, and limited as such.
    let direct = peer("203.0.113.7:1");
    let forged = post_with(&app, direct, &from("198.51.100.200")).await;
    assert_eq!(forged.status, StatusCode::CREATED, "{}", forged.text());
    assert_eq!(
        policy.take(),
        [Some(ip("203.0.113.6")), Some(ip("203.0.113.7"))]
    );
    let forged = post_with(&app, direct, &from("198.51.100.201")).await;
    assert_eq!(
        forged.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        forged.text()
    );
}

#[test]
fn a_trusted_proxy_that_is_not_an_address_fails_the_configuration() {
    let err = RegistrationConfig::builder(ISSUER)
        .client_address(
            ClientAddress::socket_addr().behind_proxies(ProxyHeader::Forwarded, ["lb.internal"]),
        )
        .build()
        .expect_err("refused");
    assert!(matches!(err, ConfigError::ClientAddress(_)), "{err:?}");
    assert!(err.to_string().contains("lb.internal"), "{err}");
}

/// The response's body says nothing of the address.
#[tokio::test]
async fn a_refusal_does_not_echo_the_address() {
    let app =
        App::with(|b| b.registration_rate_limit(Some(RateLimit::per_address(Rate::per_hour(1)))));
    let from = peer("192.0.2.123:1");
    post_with(&app, from, &[]).await;
    let refused = post_with(&app, from, &[]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let body: Value = refused.json();
    assert!(!body.to_string().contains("192.0.2.123"), "{body}");
}
