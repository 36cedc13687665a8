//! The application of the axum authorization-server skeleton: the registration layer, the
//! server's metadata, an authorization endpoint for the authorization code grant with PKCE, a
//! token endpoint, and a protected resource (the MCP endpoint, given by `main.rs`) that
//! accepts the access tokens of the token endpoint.
//!
//! The configuration keeps the library's default caller restrictions: anonymous registrants
//! may register public clients (`none`) for the authorization code, as MCP clients do, but not
//! `client_credentials` clients (anyone could then mint access tokens), which the holder of an
//! initial access token (`--initial-access-token`) or the host registers.
//!
//! One file per concern: `metadata.rs` (discovery, RFC 8414), `authorize.rs`, `token.rs` and
//! `grants.rs` (the token endpoint), `clients.rs` (client lookup and authentication),
//! `params.rs` (request parameters, PKCE), `tokens.rs` (codes and tokens in memory),
//! `resource.rs` (the protected resource, RFC 9728). `main.rs` serves the application;
//! `tests/http/axum_app.rs` includes this module with `#[path]` and drives it over a real
//! socket.

mod authorize;
mod clients;
mod grants;
mod metadata;
mod params;
mod resource;
mod token;
pub mod tokens;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit};
use axum::routing::{get, post};
use tower_oidc_registration::metadata::{AuthMethod, MetadataRules, ResponseType};
use tower_oidc_registration::rate_limit::ClientAddress;
use tower_oidc_registration::{
    RegistrationConfig, RegistrationConfigBuilder, RegistrationLayer, Registry,
};

/// The token endpoint authentication methods this skeleton verifies: those of
/// [`Registry::authenticate`], and `none` for public clients (MCP clients are), which prove
/// themselves with PKCE and their refresh tokens instead.
pub const AUTH_METHODS: [AuthMethod; 3] = [
    AuthMethod::ClientSecretBasic,
    AuthMethod::ClientSecretPost,
    AuthMethod::None,
];

/// A configuration builder for `issuer` whose registration rules admit only the
/// authentication methods the token endpoint can verify ([`AUTH_METHODS`]), its grants and
/// `response_type=code`, and whose client address is axum's `ConnectInfo<SocketAddr>`: a
/// client registered for `private_key_jwt` or the implicit grant could never get a token here,
/// so it is refused at registration, and discovery does not advertise what it asked for. An issuer with a path
/// (`https://h/realms/x/`) gets its registration endpoint under that path too
/// (`/realms/x/register`), next to the other endpoints.
pub fn config_builder(issuer: impl Into<String>) -> RegistrationConfigBuilder {
    let issuer = issuer.into();
    let mut rules = MetadataRules::default();
    rules.auth_methods = AUTH_METHODS.to_vec();
    rules.grant_types = token::GRANT_TYPES.to_vec();
    rules.response_types = vec![ResponseType::Code];
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
    /// The registered clients. Passed-through requests also carry it as
    /// `Extension<Registry>`; a `State` does not depend on that setting.
    registry: Registry,
    /// Codes, access and refresh tokens.
    tokens: tokens::Tokens,
    /// Whom `/authorize` approves every request for.
    demo_user: String,
}

/// What the application serves beyond the authorization server.
pub struct Options {
    /// The user `/authorize` approves every request for, **without asking anyone**.
    pub demo_user: String,
    /// The protected resource, served at `{issuer path}/mcp` to requests with a valid access
    /// token (see `resource.rs`); `None`: no resource, and no resource metadata.
    pub resource: Option<Router>,
}

/// The authorization server alone, approving for `demo`.
impl Default for Options {
    fn default() -> Self {
        Self {
            demo_user: "demo".to_owned(),
            resource: None,
        }
    }
}

/// The application: the metadata (`metadata.rs`), `{issuer path}/authorize`,
/// `{issuer path}/token`, the protected resource if any, and the registration layer
/// (RFC 7591, RFC 7592) around them at the configured prefix.
pub fn app(config: RegistrationConfig, options: Options) -> Router {
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
    // An issuer with a path (https://h/realms/x) has its endpoints under that path.
    let path = issuer_path(&issuer);
    let layer = RegistrationLayer::new(config);
    let state = AppState {
        issuer: issuer.clone(),
        registry: layer.registry(),
        tokens: tokens::Tokens::default(),
        demo_user: options.demo_user,
    };
    let mut router = metadata::routes(&path)
        .route(&format!("{path}/authorize"), get(authorize::authorize))
        // A token request is a few hundred bytes of form: 16 KiB is room enough, and bounds
        // what one request makes the server parse.
        .route(
            &format!("{path}/token"),
            post(token::token).layer(DefaultBodyLimit::max(16 * 1024)),
        )
        .with_state(state.clone());
    if let Some(service) = options.resource {
        router = router.merge(resource::routes(&issuer, state.tokens.access, service));
    }
    // Added last, so it also wraps the fallback: requests to the registration prefix
    // match no route and reach the layer there.
    router.layer(layer)
}
