//! OAuth 2.0 / OpenID Connect Dynamic Client Registration for any Tower-based HTTP service.
//!
//! [`RegistrationLayer`] answers, at a configurable prefix (default `/register`):
//!
//! - `POST {prefix}`: registers a client (RFC 7591, OpenID Connect Dynamic Client
//!   Registration 1.0) and answers `201` with its `client_id`, `client_secret`,
//!   `registration_access_token` and `registration_client_uri`;
//! - `GET`, `PUT`, `DELETE {prefix}/{client_id}` with `Authorization: Bearer
//!   <registration_access_token>`: reads, replaces and deletes the registration (RFC 7592).
//!
//! Every other request reaches the wrapped service untouched, its body streamed.
//!
//! It behaves like INDIGO IAM's `/register` (MitreID Connect), and follows the RFCs where
//! MitreID departs from them. Every failure is an HTTP response with an RFC-shaped JSON body
//! (`error`, `error_description` naming the member and index, e.g. `redirect_uris[1]: fragment
//! not allowed`; the description alone for a request without the token it needs, as RFC 6750
//! §3.1 wants no error code there), never a service error; no input produces a 5xx or a panic.
//!
//! # Quick start
//!
//! axum:
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
//! hyper: wrap any `tower::Service` with `RegistrationLayer::new(config).layer(service)` and
//! serve it with `hyper_util::service::TowerToHyperService` (`examples/hyper_standalone` in the
//! repository adds timeouts and graceful shutdown):
//!
//! ```no_run
//! use std::convert::Infallible;
//!
//! use hyper::server::conn::http1;
//! use hyper_util::rt::TokioIo;
//! use hyper_util::service::TowerToHyperService;
//! use tower::Layer as _;
//! use tower_oidc_registration::{RegistrationConfig, RegistrationLayer};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = RegistrationConfig::builder("https://iam.example.org/").build()?;
//! // The application: every request outside the prefix reaches it.
//! let app = tower::service_fn(|_request: http::Request<hyper::body::Incoming>| async {
//!     Ok::<_, Infallible>(http::Response::new(String::from("hello")))
//! });
//! let service = TowerToHyperService::new(RegistrationLayer::new(config).layer(app));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! loop {
//!     let (stream, _) = listener.accept().await?;
//!     let connection =
//!         http1::Builder::new().serve_connection(TokioIo::new(stream), service.clone());
//!     tokio::spawn(connection);
//! }
//! # }
//! ```
//!
//! The host application uses the same domain API as the layer: [`RegistrationLayer::registry`]
//! returns a cheap-to-clone [`Registry`] (look a client up, register, read, update, delete
//! without HTTP; see [the registry](#the-registry-look-clients-up-authenticate-them)):
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
//!
//! # Feature flags
//!
//! All off by default:
//!
//! - `sqlite`: [`SqliteStore`], clients in a SQLite database file (SQLite bundled), for a
//!   single node.
//! - `postgres`: [`PostgresStore`], clients in a PostgreSQL database, for several replicas of
//!   the service sharing it.
//! - `fetch`: [`HttpsFetcher`], an HTTPS [`UriFetcher`](fetch::UriFetcher) guarded against
//!   server-side request forgery, for `sector_identifier_uri` and the `jwks_uri` of trusted
//!   software statement issuers.
//!
//! ```toml
//! tower-oidc-registration = { version = "0.1", features = ["sqlite", "fetch"] }
//! ```
//!
//! # Guide
//!
//! ## Stores
//!
//! Where registered clients live, chosen with
//! [`.store(..)`](RegistrationConfigBuilder::store) on the configuration builder: the
//! in-process [`MemoryStore`] (the default: fast, but every client is lost at a restart and it
//! cannot be shared by replicas), [`SqliteStore`] for a single node, [`PostgresStore`] for
//! several replicas, or your own [`ClientStore`]. The [`store`] module has the details of each
//! and their set-up. The memory store holds at most 10,000 clients unless told otherwise
//! ([`MemoryStore::with_max_clients`], [`MemoryStore::unbounded`]): past them a registration
//! gets `403 access_denied`.
//!
//! ## Rate limits
//!
//! Open registration lets anyone make the server store clients. Limit it per client address
//! and for the whole server with
//! [`.registration_rate_limit(..)`](RegistrationConfigBuilder::registration_rate_limit):
//!
//! ```
//! use tower_oidc_registration::RegistrationConfig;
//! use tower_oidc_registration::rate_limit::{Rate, RateLimit};
//!
//! let config = RegistrationConfig::builder("https://iam.example.org/")
//!     .registration_rate_limit(Some(
//!         RateLimit::per_address(Rate::per_minute(20).burst(10))
//!             .overall(Rate::per_second(50).burst(100)),
//!     ))
//!     .build()?;
//! # let _ = config;
//! # Ok::<(), tower_oidc_registration::ConfigError>(())
//! ```
//!
//! Every registration attempt counts, failed ones too, before its body is read; past a limit,
//! `429 Too Many Requests` with `Retry-After`. The state lives in the store, shared by every
//! replica on it. The client's address is the [`SocketAddr`](std::net::SocketAddr) the host's
//! server inserts in each request's extensions, or whatever
//! [`.client_address(..)`](RegistrationConfigBuilder::client_address) says (axum's
//! `ConnectInfo`, a trusted proxy's `X-Forwarded-For`): see the [`rate_limit`] module.
//!
//! ## Abandoned clients (opt-in expiry)
//!
//! MCP clients and CLI tools often register at every start and never delete. With an expiry
//! policy configured, every store records when a client was last used: authenticated through
//! [`Registry::authenticate`], or read or updated with its registration access token (host reads
//! and host updates do not count); without one, nothing is recorded, since each record is a
//! store write on the request path. Opt in to the expiry of unused clients with
//! [`.expire_unused_clients(Some(ExpiryPolicy::new(unused_for)))`](RegistrationConfigBuilder::expire_unused_clients)
//! and spawn the task that runs it on your runtime. **This deletes clients**: a client not used
//! for `unused_for` (a client never used counts from its registration) is deleted, and its
//! credentials and registration access token stop working, as with a DELETE. The task sleeps
//! `tick` (default 60 s), then deletes at most `batch` clients (default 1000), so one tick never
//! holds the store long; a backlog drains over several ticks. [`Registry::expire_unused`] runs
//! one batch yourself (a cron job, a test). The default is `None`: clients are kept until
//! deleted. An expired client frees its slot in the `max_clients` quota of the initial access
//! token that registered it, as a deletion does.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use tower_oidc_registration::{ExpiryPolicy, RegistrationConfig, RegistrationLayer};
//!
//! let config = RegistrationConfig::builder("https://iam.example.org/")
//!     // Delete clients unused for 90 days, checking every 10 minutes, at most 500 per check.
//!     .expire_unused_clients(Some(
//!         ExpiryPolicy::new(Duration::from_secs(90 * 24 * 3600))
//!             .tick(Duration::from_secs(600))
//!             .batch(500),
//!     ))
//!     .build()?;
//! let layer = RegistrationLayer::new(config);
//! tokio::spawn(layer.registry().run_expiry());
//! # Ok(())
//! # }
//! ```
//!
//! ## The registry: look clients up, authenticate them
//!
//! [`RegistrationLayer::registry`] returns the [`Registry`], a cheap-to-clone handle on the same
//! clients; it is also in the extensions of every request the layer passes through (turn that
//! off with
//! [`.registry_in_extensions(false)`](RegistrationConfigBuilder::registry_in_extensions)). Your
//! token endpoint authenticates clients with it:
//!
//! ```
//! use tower_oidc_registration::metadata::GrantType;
//! use tower_oidc_registration::{ClientCredentials, Registry};
//!
//! /// May the client behind `authorization` get a `client_credentials` token?
//! async fn token_endpoint(registry: &Registry, authorization: &http::HeaderValue) -> bool {
//!     let Some(credentials) = ClientCredentials::from_basic_authorization(authorization) else {
//!         return false;
//!     };
//!     // Constant-time comparison; expired secrets, deleted clients, a method other than the
//!     // registered `token_endpoint_auth_method` and a grant the client did not register are
//!     // refused. `error.error_code()` is the RFC 6749 answer: `invalid_client`,
//!     // `unauthorized_client` or `server_error`.
//!     registry
//!         .authenticate_for_grant(&credentials, GrantType::ClientCredentials)
//!         .await
//!         .is_ok()
//! }
//! ```
//!
//! [`Registry::authenticate`] alone says who the client is, not what it may do: it checks no
//! grant type, scope or redirect URI.
//!
//! The host registers, replaces and deletes clients under the same rules as HTTP callers:
//! `registry.register(Requester::host(), metadata)`,
//! `registry.update(Requester::host(), id, metadata)`, `registry.delete(Requester::host(), id)`
//! (see [`Requester::host`]); [`Registry::lookup`] returns the stored record, without
//! credentials. `examples/axum_app` in the repository is an authorization-server skeleton that
//! does all of this: discovery, a `client_credentials` token endpoint, and protected
//! registration.
//!
//! ## Clients that name themselves by URL (Client ID Metadata Documents)
//!
//! MCP clients may skip registration: their `client_id` is the `https` URL of a JSON document
//! describing them (draft-ietf-oauth-client-id-metadata-document). With
//! [`.client_id_metadata_documents(..)`](RegistrationConfigBuilder::client_id_metadata_documents)
//! and a URI fetcher, [`Registry::client`] and [`Registry::authenticate`] resolve such ids from
//! their documents, checked with the same metadata rules and policies as a registration and
//! cached within bounds: the host's authorization and token endpoints look up
//! `registry.client(client_id)` and treat both kinds alike. The rules are in
//! [`client_id_document`].
//!
//! ## Protected registration (initial access tokens)
//!
//! ```
//! use std::time::Duration;
//! use tower_oidc_registration::policy::builtin::TrustedRedirectHosts;
//! use tower_oidc_registration::{
//!     InitialAccessTokenOptions, RegistrationAccess, RegistrationConfig, RegistrationLayer,
//! };
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = RegistrationConfig::builder("https://iam.example.org/")
//!     .registration_access(RegistrationAccess::InitialAccessToken)
//!     .initial_access_token("a-static-deployment-token") // valid for ever, any number of uses
//!     // A policy that tokens may name, registered under that name on every replica.
//!     .initial_access_token_policy("partner", TrustedRedirectHosts::new(["*.partner.example"]))
//!     .build()?;
//! let layer = RegistrationLayer::new(config);
//! // Or issue tokens at run time, with an expiry, a number of uses, a client quota and a policy:
//! let issued = layer
//!     .registry()
//!     .issue_initial_access_token(
//!         InitialAccessTokenOptions::new()
//!             .expires_in(Duration::from_secs(3600))
//!             .max_uses(10)
//!             .max_clients(5)
//!             .policy("partner"),
//!     )
//!     .await?;
//! println!("give {} to the registering party", issued.token.expose());
//! # Ok(())
//! # }
//! ```
//!
//! Only the SHA-256 of each token is kept. A registration without a token gets 401 with a bare
//! `WWW-Authenticate: Bearer` and a JSON body without an `error` code (RFC 6750 §3.1), its
//! `error_description` saying what to send; a wrong, expired, revoked or spent one gets
//! `error="invalid_token"`; a token whose client quota is reached gets 403 with
//! `error="insufficient_scope"`. In open mode a presented token is still honoured (its holder
//! may get more, e.g. `client_credentials`) and a wrong one refused.
//!
//! Tokens live in the store, beside the clients (see [`ClientStore`]): with a durable store
//! they survive restarts, and replicas sharing a store share them. Issued tokens are recorded
//! when issued; static tokens (at least 16 characters, from the configuration) the first time
//! they are presented, under an id derived from their hash. A token's uses and its quota of live
//! clients hold for all replicas together: a use is spent in the same atomic step that stores
//! the client, so a failed or abandoned request costs nothing, and of registrations racing for a
//! token's last use exactly one succeeds; the live clients are counted, so a deletion, or the
//! expiry of an unused client, frees a slot. A policy bound to a token is named: each replica
//! applies the policy its configuration registers under that name (see
//! [`initial_access_token_policy`](RegistrationConfigBuilder::initial_access_token_policy)), to
//! registrations with the token and to every later update of their clients.
//!
//! ## Registration policy
//!
//! A policy runs after the RFC rules on every registration and update, sees the caller
//! (anonymous, initial-access-token holder, registered client, host) and the request headers,
//! and may reject or rewrite the metadata. The built-in policies, how they compose, the default
//! caller restrictions and policies bound to an initial access token: see the [`policy`]
//! module.
//!
//! ## Credentials lifecycle
//!
//! | setting | values |
//! |---|---|
//! | [`token_rotation`](RegistrationConfigBuilder::token_rotation) | [`Never`](TokenRotation::Never) (default), `OnUpdate`, `OnEveryUse` (reads too). Atomic: of concurrent requests with one token, exactly one succeeds after a rotation |
//! | [`secret_rotation`](RegistrationConfigBuilder::secret_rotation) | [`Never`](SecretRotation::Never) (default; an expired secret is still replaced on update), `OnUpdate` |
//! | [`client_secret_lifetime`](RegistrationConfigBuilder::client_secret_lifetime) | `None` (default) or a lifetime: `client_secret_expires_at`, enforced by [`authenticate`](Registry::authenticate) |
//! | [`secret_storage`](RegistrationConfigBuilder::secret_storage) | [`Plain`](SecretStorage::Plain) (default, as MitreID) or `Hashed`: only the SHA-256 is stored; the secret is shown once, in the response that issues it, and RFC 7592 reads omit it. The trade-off: RFC 7592 lets a client read its secret back; with hashed storage a client that loses it cannot, and needs a new one (the server must run with `SecretRotation::OnUpdate`, or the secret must expire, for an update to issue one); in return a leaked store yields no usable secret. `client_secret_jwt` is then not offered (its HMAC key must be kept in clear) |
//! | [`client_id_generator`](RegistrationConfigBuilder::client_id_generator), [`secret_generator`](RegistrationConfigBuilder::secret_generator) | defaults: UUID v4 ids, 512-bit secrets from the OS RNG (see [`generate`]) |
//!
//! ```
//! use std::time::Duration;
//! use tower_oidc_registration::{RegistrationConfig, SecretRotation, SecretStorage, TokenRotation};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = RegistrationConfig::builder("https://iam.example.org/")
//!     .token_rotation(TokenRotation::OnEveryUse)
//!     .secret_rotation(SecretRotation::OnUpdate)
//!     .client_secret_lifetime(Some(Duration::from_secs(90 * 24 * 3600)))
//!     .secret_storage(SecretStorage::Hashed)
//!     .build()?;
//! # let _ = config;
//! # Ok(())
//! # }
//! ```
//!
//! A client registered by the host is judged as a registered client when it updates itself:
//! its registration access token confers none of the host's rights (restricted grants the host
//! gave it can be changed only by the host, with `registry.update(Requester::host(), ..)`).
//!
//! ## Discovery
//!
//! ```
//! use tower_oidc_registration::{RegistrationConfig, RegistrationLayer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = RegistrationConfig::builder("https://iam.example.org/").build()?;
//! let layer = RegistrationLayer::new(config);
//! let mut document = serde_json::Map::new();
//! document.insert("issuer".into(), "https://iam.example.org/".into());
//! document.insert("token_endpoint".into(), "https://iam.example.org/token".into());
//! document.extend(layer.registry().provider_metadata());
//! // serve `document` at /.well-known/openid-configuration
//! # assert!(document.contains_key("registration_endpoint"));
//! # Ok(())
//! # }
//! ```
//!
//! [`Registry::provider_metadata`] returns the registration members of
//! `/.well-known/openid-configuration` (`registration_endpoint`,
//! `token_endpoint_auth_methods_supported`, `grant_types_supported`,
//! `response_types_supported`, `subject_types_supported`, `scopes_supported` when restricted,
//! the algorithm lists) from the same rules registration enforces, so what is advertised and
//! what is accepted cannot drift. `scopes_supported` comes from
//! [`.allowed_scopes(..)`](RegistrationConfigBuilder::allowed_scopes), which
//! [`MetadataRules::default_scope`](metadata::MetadataRules::default_scope) should stay within;
//! scope restrictions inside custom or token-bound policies are enforced but not advertised.
//!
//! ## Events
//!
//! ```
//! use tower_oidc_registration::{EventListener, RegistrationConfig, RegistrationEvent};
//!
//! struct Audit;
//! impl EventListener for Audit {
//!     fn on_event(&self, event: &RegistrationEvent<'_>) {
//!         // kind: Created, Read, Updated, Deleted, Rejected { error }, TokenRotated.
//!         println!("{:?} {:?} by {:?}", event.kind, event.client_id, event.context.caller);
//!     }
//! }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = RegistrationConfig::builder("https://iam.example.org/").events(Audit).build()?;
//! # let _ = config;
//! # Ok(())
//! # }
//! ```
//!
//! Events carry the client id and the caller (with the client's address and the request headers
//! minus `Authorization`, `Proxy-Authorization` and `Cookie`), never a secret or a token. Each request also runs in a
//! `tracing` span `registration` with its method and client id.
//!
//! ## Software statements and sector identifiers
//!
//! A **software statement** (RFC 7591 §2.3) is a JWT in the `software_statement` member, signed
//! by an issuer you trust. Trust issuers with
//! [`.trusted_software_statement_issuer(..)`](RegistrationConfigBuilder::trusted_software_statement_issuer),
//! each with its keys: a JWK Set given inline ([`TrustedIssuer::with_jwks`]), or fetched from
//! its `jwks_uri` ([`TrustedIssuer::with_jwks_uri`]) through the [URI fetcher](fetch), which
//! caches it (a statement naming a `kid` the cached set lacks, as after a key rotation, makes it
//! fetched anew, at most once a minute). Each key verifies one algorithm only (its `alg`, else
//! RS256 for RSA, ES256/ES384 for P-256/P-384, EdDSA for Ed25519); `alg: none` and HMAC are
//! never accepted. A verified statement's claims take precedence over the same members of the
//! body (the JWT's own claims, `iss`, `exp`, `iat`..., are not metadata); the statement is
//! registered and echoed unmodified. `exp` and `nbf` are honoured when present (60 s of clock
//! skew). Refusals: `invalid_software_statement` (malformed, unsigned, badly signed, no `iss`,
//! expired, keys unavailable, or required and absent), `unapproved_software_statement` (an
//! issuer not trusted).
//! [`.require_software_statement(SoftwareStatementRequirement::Always)`](RegistrationConfigBuilder::require_software_statement)
//! requires one of every registration and update by a client,
//! [`ForAnonymous`](SoftwareStatementRequirement::ForAnonymous) only of registrations without
//! an initial access token and of the updates of clients registered that way; the host's own
//! [`Registry`] calls are exempt. An **update** (PUT) carrying a statement is verified exactly
//! like a registration; one without a statement replaces the metadata as any update does,
//! dropping the old statement and its claims.
//!
//! A **`sector_identifier_uri`** (OpenID Connect Registration §5) must be `https`; its document
//! is fetched at registration and at every update, and must be a JSON array listing every
//! registered redirect URI (`redirect_uris[1]: not listed in the sector_identifier_uri
//! document`). With one, a `pairwise` client may have redirect URIs on several hosts. Without a
//! fetcher, a `sector_identifier_uri` is refused. A document that cannot be fetched, whatever
//! the reason, gets one description (`sector_identifier_uri: could not be fetched`, and for an
//! issuer's keys `software_statement: its issuer's keys could not be fetched`), so that
//! registering URIs cannot probe the server's network; the reason is logged at `debug` level.
//!
//! Both need a URI fetcher, configured with
//! [`.uri_fetcher(..)`](RegistrationConfigBuilder::uri_fetcher): the [`fetch`] module describes
//! the built-in [`HttpsFetcher`] (feature `fetch`) and has a complete example.
//!
//! ## Configuration
//!
//! [`RegistrationConfig::builder(issuer)`](RegistrationConfig::builder), then the settings of
//! [`RegistrationConfigBuilder`], each with its default: the builder's documentation has the
//! table. The metadata rules ([`MetadataRules`](metadata::MetadataRules)) and bounds
//! ([`MetadataLimits`](metadata::MetadataLimits)) are in the [`metadata`] module.
//!
//! ## Keys, algorithms, extension and security-profile members
//!
//! Which JWS and JWE algorithms clients may register, how `jwks` and `jwks_uri` are checked,
//! the extension members an operator declares, and the RFC 8705, 9126, 9449, 9101 and 9396
//! members: see the [`metadata`] module.
//!
//! ## The registration access token
//!
//! A JWT as MitreID issues it: header `kid` and `alg`; claims `aud` = client_id, `iss` =
//! issuer, `iat`, `jti` (UUID); no `exp`. The store keeps only its SHA-256, compared in
//! constant time, so deleting the client or rotating the token revokes it. Verification pins
//! the configured algorithm and key (never the token's `alg` header) and requires `aud` to
//! equal the client_id in the path. The default is HS256: this server is the only verifier of
//! its own tokens, so a public-key algorithm buys nothing but cost. RS256 (MitreID's), ES256
//! and EdDSA are available ([`SigningKey`]). Measured with `cargo bench --bench
//! token_algorithms` (one run on a shared 2-core machine, criterion medians; `BENCHMARKS.md` in
//! the repository has the method):
//!
//! | algorithm | sign | verify | [`Registry::register`] | register vs HS256 |
//! |---|---|---|---|---|
//! | HS256 (default) | 0.66 µs | 1.44 µs | 7.5 µs | 1× |
//! | EdDSA | 26.6 µs | 31.3 µs | 36.8 µs | 4.9× |
//! | ES256 | 297 µs | 186 µs | 360 µs | 48× |
//! | RS256 (2048-bit) | 1.20 ms | 118 µs | 1.26 ms | 169× |
//!
//! A generated key (the default) lives only as long as the process: with a durable store, give
//! [`.signing_key(..)`](RegistrationConfigBuilder::signing_key) a key that outlives it, or the
//! registration access tokens issued stop verifying after a restart.
//!
//! ## How the crate is built
//!
//! The layer is built in the idiom of `tower-http`: [`Registration`] is the service,
//! [`ResponseFuture`] and [`ResponseBody`] its future and body. Behind it, the [`Registry`] is
//! the one owner of authorization and of every operation: each takes a [`Requester`] (who
//! asks, with which credential), and the host application calls the same registry with
//! [`Requester::host`]. The rules live in plain functions ([`metadata::parse`],
//! [`metadata::validate`]) and policies ([`policy`]); storage behind [`ClientStore`] (see
//! [`store`]). `ARCHITECTURE.md` in the repository draws the way of a request.
//!
//! # Beyond the API
//!
//! The repository holds what is not API documentation:
//!
//! - `CONFORMANCE.md`: conformance to RFC 7591, RFC 7592 and OpenID Connect Dynamic Client
//!   Registration 1.0.
//! - `openapi.yaml`: the HTTP interface as an OpenAPI 3.1 contract; the tests validate
//!   responses against it, and `scripts/schemathesis` generates requests from it.
//! - `BENCHMARKS.md`: registrations, reads and pass-through measured over HTTP and in process,
//!   with the method, the commands and every figure.
//! - `ARCHITECTURE.md`: the way of a request, where each rule lives, and what the tests cover
//!   (`scripts/test` runs them all).
//! - `examples/`, a package of the repository's workspace: `hyper_standalone` (a hyper server;
//!   `cargo run --example hyper_standalone -- --help` lists its flags) and `axum_app` (an
//!   authorization-server skeleton).
//!
// Without its feature, an item is not in these docs: link to docs.rs, built with every feature.
#![cfg_attr(
    not(feature = "sqlite"),
    doc = "[`SqliteStore`]: https://docs.rs/tower-oidc-registration/latest/tower_oidc_registration/store/struct.SqliteStore.html"
)]
#![cfg_attr(
    not(feature = "postgres"),
    doc = "[`PostgresStore`]: https://docs.rs/tower-oidc-registration/latest/tower_oidc_registration/store/struct.PostgresStore.html"
)]
#![cfg_attr(feature = "fetch", doc = "[`HttpsFetcher`]: fetch::HttpsFetcher")]
#![cfg_attr(
    not(feature = "fetch"),
    doc = "[`HttpsFetcher`]: https://docs.rs/tower-oidc-registration/latest/tower_oidc_registration/fetch/struct.HttpsFetcher.html"
)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod address;
mod body;
pub mod client_id_document;
mod clock;
mod config;
mod context;
mod error;
mod events;
pub mod fetch;
mod future;
pub mod generate;
mod handler;
mod jws;
mod layer;
pub mod metadata;
pub mod policy;
pub mod rate_limit;
mod registry;
mod route;
mod secret;
mod service;
mod software_statement;
pub mod store;
mod syntax;
mod token;

pub use body::ResponseBody;
pub use client_id_document::ClientLookupError;
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
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use store::PostgresStore;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use store::SqliteStore;
pub use store::{
    ClientRecord, ClientStore, InitialAccessTokenRecord, MemoryStore, MetadataJson, StoreError,
    StoredSecret, TokenRefusal,
};
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
