//! The application of the axum authorization-server skeleton: the registration layer, a
//! discovery document and a `client_credentials` token endpoint that authenticates the
//! registered clients through the [`Registry`].
//!
//! The configuration keeps the library's default caller restrictions: anonymous registrants
//! cannot get `client_credentials` clients (anyone could then mint access tokens), so the
//! clients of the token endpoint are registered by the holder of an initial access token
//! (`--initial-access-token`) or by the host through the [`Registry`].
//!
//! The token endpoint is `token.rs`. `main.rs` serves the application;
//! `tests/http/axum_app.rs` includes this module with `#[path]` and drives it over a real
//! socket.

mod token;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use tower_oidc_registration::metadata::{AuthMethod, MetadataRules};
use tower_oidc_registration::rate_limit::ClientAddress;
use tower_oidc_registration::{
    RegistrationConfig, RegistrationConfigBuilder, RegistrationLayer, Registry,
};

/// The token endpoint authentication methods this skeleton verifies: those of
/// [`Registry::authenticate`].
pub const AUTH_METHODS: [AuthMethod; 2] =
    [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost];

/// A configuration builder for `issuer` whose registration rules admit only the
/// authentication methods the token endpoint can verify ([`AUTH_METHODS`]), and whose client
/// address is axum's `ConnectInfo<SocketAddr>`: a client
/// registered for `private_key_jwt` could never get a token here, so it is refused at
/// registration, and discovery does not advertise the method. An issuer with a path
/// (`https://h/realms/x/`) gets its registration endpoint under that path too
/// (`/realms/x/register`), next to the other endpoints.
pub fn config_builder(issuer: impl Into<String>) -> RegistrationConfigBuilder {
    let issuer = issuer.into();
    let mut rules = MetadataRules::default();
    rules.auth_methods = AUTH_METHODS.to_vec();
    let path = issuer_path(&issuer);
    let builder = RegistrationConfig::builder(issuer.clone())
        .rules(rules)
        // The client's address, for the rate limit per address, policies and events: axum's
        // `ConnectInfo`, which `main.rs` serves the router with.
        .client_address(ClientAddress::from_extension(
            |info: &ConnectInfo<SocketAddr>| info.0.ip(),
        ));
    if path.is_empty() {
        return builder;
    }
    builder
        .prefix(format!("{path}/register"))
        .registration_endpoint_url(format!("{}/register", issuer.trim_end_matches('/')))
}

/// The path of the issuer without its trailing slash: empty for `https://h/`, `/realms/x` for
/// `https://h/realms/x/`. Empty for an invalid URL, which the configuration refuses anyway.
fn issuer_path(issuer: &str) -> String {
    url::Url::parse(issuer)
        .map(|u| u.path().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

/// What the handlers share.
#[derive(Clone)]
struct AppState {
    /// The issuer identifier, exactly as configured (discovery's `issuer`).
    issuer: String,
    /// `{issuer}/token`.
    token_endpoint: String,
    /// The registered clients. Passed-through requests also carry it as
    /// `Extension<Registry>`; a `State` does not depend on that setting.
    registry: Registry,
}

/// The application: discovery at `{issuer path}/.well-known/openid-configuration`, the token
/// endpoint at `{issuer path}/token`, and the registration layer (RFC 7591, RFC 7592) around
/// both at the configured prefix.
pub fn app(config: RegistrationConfig) -> Router {
    if let Some(method) = config
        .rules()
        .auth_methods
        .iter()
        .find(|m| !AUTH_METHODS.contains(m))
    {
        tracing::warn!(
            %method,
            "clients may register an authentication method the token endpoint cannot verify; \
             build the configuration with config_builder"
        );
    }
    let issuer = config.issuer().to_owned();
    let base = issuer.trim_end_matches('/');
    // An issuer with a path (https://h/realms/x) has its endpoints under that path.
    let path = issuer_path(&issuer);
    let layer = RegistrationLayer::new(config);
    let state = AppState {
        token_endpoint: format!("{base}/token"),
        issuer,
        registry: layer.registry(),
    };
    Router::new()
        .route(
            &format!("{path}/.well-known/openid-configuration"),
            get(discovery),
        )
        .route(&format!("{path}/token"), post(token::token))
        .with_state(state)
        // Added last, so it also wraps the fallback: requests to the registration prefix
        // match no route and reach the layer there.
        .layer(layer)
}

/// `GET /.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4): the host's own
/// members, then every registration member from the registry, so that what is advertised is
/// what registration enforces. No `jwks_uri`: this skeleton signs nothing; a full OpenID
/// Provider adds it and its `authorization_endpoint` here.
async fn discovery(State(state): State<AppState>) -> Json<Map<String, Value>> {
    let mut document = Map::new();
    document.insert("issuer".into(), json!(state.issuer));
    document.insert("token_endpoint".into(), json!(state.token_endpoint));
    document.extend(state.registry.provider_metadata());
    Json(document)
}
