//! OAuth 2.0 / OpenID Connect Dynamic Client Registration for any Tower-based HTTP service.
//!
//! [`RegistrationLayer`] answers, at a configurable prefix (default `/register`):
//!
//! - `POST {prefix}`: registers a client (RFC 7591, OpenID Connect Dynamic Client
//!   Registration 1.0) and returns its `client_id`, `client_secret`,
//!   `registration_access_token` and `registration_client_uri`;
//! - `GET`, `PUT`, `DELETE {prefix}/{client_id}` with `Authorization: Bearer
//!   <registration_access_token>`: reads, replaces and deletes the registration (RFC 7592).
//!
//! Every other request reaches the wrapped service untouched, its body streamed.
//! Every failure is an HTTP response with an RFC-shaped JSON body, never a service error.
//!
//! ```
//! use tower_oidc_registration::{RegistrationConfig, RegistrationLayer};
//!
//! # fn main() -> Result<(), tower_oidc_registration::ConfigError> {
//! let config = RegistrationConfig::builder("https://iam.example.org/").build()?;
//! let app: axum::Router = axum::Router::new()
//!     .route("/", axum::routing::get(|| async { "hello" }))
//!     .layer(RegistrationLayer::new(config));
//! # let _ = app;
//! # Ok(())
//! # }
//! ```
//!
//! The layer is built in the idiom of `tower-http`: [`Registration`] is the service,
//! [`ResponseFuture`] and [`ResponseBody`] its future and body. Behind it, the [`Registry`] is
//! the one owner of authorization and of every operation: each takes a [`Requester`] (who
//! asks, with which credential), and the host application calls the same registry with
//! [`Requester::host`]. The rules live in plain functions ([`metadata::parse`],
//! [`metadata::validate`]) and policies ([`policy`]); storage behind [`ClientStore`], with
//! [`MemoryStore`] as the default and, with the `sqlite` feature, a durable `SqliteStore` for
//! one node, and with the `postgres` feature a `PostgresStore` for several replicas sharing one
//! database (see [`store`]). `ARCHITECTURE.md` in the repository draws the way of a request.
//!
//! ```
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use tower_oidc_registration::{RegistrationConfig, Registry, Requester};
//!
//! let registry = Registry::new(&RegistrationConfig::builder("https://iam.example.org/").build()?);
//! let request = serde_json::json!({"redirect_uris": ["https://rp.example.org/cb"]});
//! let serde_json::Value::Object(request) = request else { unreachable!() };
//! // The host registers a client, then the client reads itself back with its token.
//! let created = registry.register(Requester::host(), request).await?;
//! let token = created.registration_access_token().expect("issued").expose().to_owned();
//! let read = registry
//!     .read(Requester::registration_access_token(&token), created.client_id())
//!     .await?;
//! assert_eq!(read.client_id(), created.client_id());
//! # Ok(())
//! # }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(run()).unwrap();
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
mod clock;
mod config;
mod context;
mod error;
mod events;
pub mod fetch;
mod future;
pub mod generate;
mod handler;
mod layer;
pub mod metadata;
pub mod policy;
mod registry;
mod route;
mod secret;
mod service;
mod software_statement;
pub mod store;
mod syntax;
mod token;

pub use body::ResponseBody;
pub use clock::{Clock, SystemClock};
pub use config::{
    ConfigError, DEFAULT_MAX_BODY_BYTES, ExpiryPolicy, RegistrationAccess, RegistrationConfig,
    RegistrationConfigBuilder, SecretRotation, SecretStorage, TokenRotation,
};
pub use context::{Caller, RequestContext, Requester};
pub use error::RegistrationError;
pub use events::{EventKind, EventListener, RegistrationEvent};
pub use future::ResponseFuture;
pub use handler::error_response;
pub use layer::RegistrationLayer;
pub use registry::{
    Admission, AuthorizedClient, ClientAuthError, ClientCredentials, ClientInformation,
    InitialAccessTokenOptions, IssuedInitialAccessToken, Registry,
};
pub use secret::Secret;
pub use service::Registration;
pub use software_statement::{SoftwareStatementRequirement, TrustedIssuer};
#[cfg(feature = "postgres")]
pub use store::PostgresStore;
#[cfg(feature = "sqlite")]
pub use store::SqliteStore;
pub use store::{ClientRecord, ClientStore, MemoryStore, MetadataJson, StoreError, StoredSecret};
pub use token::{CredentialHash, SigningKey, TokenAlgorithm};

/// Entry points for the fuzz targets in `fuzz/`, the token micro-benchmark and the token attack
/// tests (the `fuzzing` feature): the parser, validator and serializer of client metadata, the
/// registration access token signer, and the path router, which are otherwise private. Hidden
/// and outside semver: they need the pure functions directly, to check properties
/// (idempotence, routing, the first defence against a forged token) that the HTTP surface
/// alone cannot show.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod __fuzz {
    pub use crate::metadata::{ClientMetadata, MetadataError, MetadataRules, parse, validate};
    pub use crate::token::{RegistrationTokens, SigningKey};

    /// Which endpoint of the layer a path addresses, as the layer decides it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Route {
        /// `{prefix}`: the registration endpoint.
        Registration,
        /// `{prefix}/{client_id}`: a client configuration endpoint.
        Client(String),
    }

    /// The layer's router: `None` when the request passes through to the inner service.
    pub fn route(prefix: &str, path: &str) -> Option<Route> {
        crate::route::route(prefix, path).map(|route| match route {
            crate::route::Route::Registration => Route::Registration,
            crate::route::Route::Client(id) => Route::Client(id),
        })
    }
}

/// The README's Rust examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
