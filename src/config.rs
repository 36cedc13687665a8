//! Configuration of the registration endpoint, built once and shared by every request.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;

use crate::events::RegistrationEvents;
use crate::fetch::UriFetcher;
use crate::generate::{ClientIdGenerator, OsRandomSecrets, SecretGenerator, UuidClientIds};
use crate::initial_access::{
    InitialAccessTokenOptions, InitialAccessTokens, RegistrationAccess, static_token_id,
};
use crate::metadata::{ExtensionMember, MetadataLimits, MetadataRules};
use crate::policy::builtin::{AllowedScopes, CallerRestrictions};
use crate::policy::{Policies, RegistrationPolicy};
use crate::secret::Secret;
use crate::software_statement::{SoftwareStatementRequirement, SoftwareStatements, TrustedIssuer};
use crate::store::{ClientStore, MemoryStore};
use crate::token::{RegistrationTokens, SigningKey};

/// Default request body limit: 64 KiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// When the registration access token is replaced by a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenRotation {
    /// Never: the token issued at registration stays valid until the client is deleted
    /// (MitreID's behaviour). The default.
    #[default]
    Never,
    /// On every successful update (PUT): the response carries a new token and the old one
    /// stops working at once.
    OnUpdate,
    /// On every use, reads included (RFC 7592 §2.1 allows it): each response carries a new
    /// token. Atomic: of concurrent requests with one token, exactly one succeeds.
    OnEveryUse,
}

/// When a client's secret is replaced by a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SecretRotation {
    /// Only when it has expired (and a client updates its registration). The default.
    #[default]
    Never,
    /// On every successful update (PUT): the response carries the new secret.
    OnUpdate,
}

/// How client secrets are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SecretStorage {
    /// In clear: reads return the secret (RFC 7592 §3). The default, as MitreID.
    #[default]
    Plain,
    /// Only its SHA-256: the secret is shown once, in the response that issues it, and reads
    /// omit it. A leaked store then yields no usable secret; the price is that a client that
    /// loses its secret must get a new one (an update with [`SecretRotation::OnUpdate`]).
    Hashed,
}

/// The opt-in expiry of abandoned clients: every `tick`, up to `batch` clients unused for
/// `unused_for` are **deleted** (see
/// [`RegistrationConfigBuilder::expire_unused_clients`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExpiryPolicy {
    /// A client not used for this long (authenticated with
    /// [`Registry::authenticate`](crate::Registry::authenticate), or read or updated with its
    /// registration access token), or never used since its registration that long ago, is
    /// deleted. At least one second.
    pub unused_for: Duration,
    /// How long [`Registry::run_expiry`](crate::Registry::run_expiry) sleeps between batches.
    /// Not zero.
    pub tick: Duration,
    /// At most this many clients are deleted per tick, so that one tick never holds the store
    /// long. Not zero.
    pub batch: usize,
}

impl ExpiryPolicy {
    /// Deletes clients unused for `unused_for`, checking every minute, at most 1000 per tick.
    pub fn new(unused_for: Duration) -> Self {
        Self {
            unused_for,
            tick: Duration::from_secs(60),
            batch: 1000,
        }
    }

    /// How often a batch runs.
    pub fn tick(mut self, tick: Duration) -> Self {
        self.tick = tick;
        self
    }

    /// The most clients deleted per tick.
    pub fn batch(mut self, batch: usize) -> Self {
        self.batch = batch;
        self
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The issuer is not an absolute `https` URL (or `http` on a loopback host).
    #[error("issuer: {0}")]
    Issuer(String),
    /// The path prefix is not of the form `/segment[/segment...]`.
    #[error("prefix: {0}")]
    Prefix(String),
    /// The signing key could not be parsed or used.
    #[error("signing key: {0}")]
    SigningKey(String),
    /// The client secret lifetime is shorter than one second: secrets would be born expired.
    #[error("client_secret_lifetime: {0}")]
    SecretLifetime(String),
    /// The registration endpoint URL is not an absolute `https` URL (or `http` on loopback).
    #[error("registration_endpoint_url: {0}")]
    RegistrationEndpoint(String),
    /// A static initial access token is too short or not a valid bearer token.
    #[error("initial_access_token: {0}")]
    InitialAccessToken(String),
    /// The CORS origin is not a valid header value.
    #[error("cors_allow_origin: {0}")]
    Cors(String),
    /// The expiry of unused clients has a zero duration, tick or batch.
    #[error("expire_unused_clients: {0}")]
    Expiry(String),
    /// A trusted software statement issuer cannot be used: its JWK Set has no usable key, or
    /// its keys are at a `jwks_uri` and no URI fetcher is configured.
    #[error("trusted_software_statement_issuer: {0}")]
    SoftwareStatementIssuer(String),
    /// An extension member cannot be declared (reserved or duplicate name).
    #[error("extension_member: {0}")]
    Extension(#[from] crate::metadata::ExtensionError),
    /// An algorithm name is empty or not printable ASCII without spaces.
    #[error("algorithms: {0}")]
    Algorithm(String),
    /// A metadata limit is zero, which would refuse every request.
    #[error("metadata_limits: {0}")]
    MetadataLimits(String),
    /// The store timeout is zero, which would fail every request.
    #[error("store_timeout: {0}")]
    StoreTimeout(String),
}

/// Everything the registration layer needs, validated: build it with [`RegistrationConfig::builder`].
#[derive(Clone)]
pub struct RegistrationConfig {
    pub(crate) issuer: String,
    pub(crate) prefix: String,
    pub(crate) registration_endpoint: String,
    pub(crate) tokens: RegistrationTokens,
    pub(crate) key_was_generated: bool,
    pub(crate) store: Arc<dyn ClientStore>,
    pub(crate) rules: MetadataRules,
    pub(crate) allowed_scopes: Option<Arc<AllowedScopes>>,
    pub(crate) policies: Policies,
    pub(crate) client_secret_lifetime: Option<Duration>,
    pub(crate) token_rotation: TokenRotation,
    pub(crate) secret_rotation: SecretRotation,
    pub(crate) secret_storage: SecretStorage,
    pub(crate) client_ids: Arc<dyn ClientIdGenerator>,
    pub(crate) secrets: Arc<dyn SecretGenerator>,
    pub(crate) access: RegistrationAccess,
    /// Shared by every registry built from this configuration (the layer's and the host's).
    pub(crate) initial_access_tokens: Arc<InitialAccessTokens>,
    pub(crate) caller_restrictions: Option<Arc<CallerRestrictions>>,
    pub(crate) events: Option<Arc<dyn RegistrationEvents>>,
    pub(crate) registry_in_extensions: bool,
    pub(crate) max_body_bytes: usize,
    pub(crate) cors_allow_origin: Option<HeaderValue>,
    pub(crate) expiry: Option<ExpiryPolicy>,
    pub(crate) uri_fetcher: Option<Arc<dyn UriFetcher>>,
    pub(crate) software_statements: Arc<SoftwareStatements>,
    pub(crate) metadata_limits: MetadataLimits,
    pub(crate) store_timeout: Option<Duration>,
}

impl std::fmt::Debug for RegistrationConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrationConfig")
            .field("issuer", &self.issuer)
            .field("prefix", &self.prefix)
            .field("token_algorithm", &self.tokens.algorithm())
            .field("rules", &self.rules)
            .field("client_secret_lifetime", &self.client_secret_lifetime)
            .field("token_rotation", &self.token_rotation)
            .field("secret_rotation", &self.secret_rotation)
            .field("secret_storage", &self.secret_storage)
            .field("access", &self.access)
            .field("policies", &self.policies)
            .field("caller_restrictions", &self.caller_restrictions)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("cors_allow_origin", &self.cors_allow_origin)
            .field("expiry", &self.expiry)
            .field("uri_fetcher", &self.uri_fetcher.is_some())
            .field("software_statements", &self.software_statements)
            .field("metadata_limits", &self.metadata_limits)
            .field("store_timeout", &self.store_timeout)
            .finish_non_exhaustive()
    }
}

impl RegistrationConfig {
    /// A builder for the server whose issuer identifier (base URL) is `issuer`, e.g.
    /// `https://iam.example.org/`. The `registration_client_uri` of a client is the issuer
    /// without its trailing slash, then the prefix, then `/{client_id}`; it is never built from
    /// a request's `Host` header.
    pub fn builder(issuer: impl Into<String>) -> RegistrationConfigBuilder {
        RegistrationConfigBuilder {
            issuer: issuer.into(),
            prefix: "/register".to_owned(),
            registration_endpoint: None,
            signing_key: None,
            store: None,
            rules: MetadataRules::default(),
            allowed_scopes: None,
            policies: Policies::new(),
            client_secret_lifetime: None,
            token_rotation: TokenRotation::Never,
            secret_rotation: SecretRotation::Never,
            secret_storage: SecretStorage::Plain,
            client_ids: Arc::new(UuidClientIds),
            secrets: Arc::new(OsRandomSecrets),
            access: RegistrationAccess::Open,
            static_initial_access_tokens: Vec::new(),
            caller_restrictions: Some(CallerRestrictions::default()),
            events: None,
            registry_in_extensions: true,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            cors_allow_origin: Some("*".to_owned()),
            allow_insecure_issuer: false,
            expiry: None,
            uri_fetcher: None,
            trusted_issuers: Vec::new(),
            software_statement_requirement: SoftwareStatementRequirement::Optional,
            extension_members: Vec::new(),
            algorithms: AlgorithmLists::default(),
            metadata_limits: MetadataLimits::default(),
            store_timeout: None,
        }
    }

    /// The issuer identifier, as configured.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The path prefix of the registration endpoint (default `/register`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The absolute URL of the registration endpoint, for discovery's `registration_endpoint`;
    /// each client's `registration_client_uri` is this URL followed by `/{client_id}`.
    pub fn registration_endpoint(&self) -> &str {
        &self.registration_endpoint
    }

    /// Whether no signing key was configured, so one was generated for this process only:
    /// registration access tokens then stop working when the process restarts.
    pub fn signing_key_was_generated(&self) -> bool {
        self.key_was_generated
    }

    /// The registration rules.
    pub fn rules(&self) -> &MetadataRules {
        &self.rules
    }
}

/// Builds a [`RegistrationConfig`]; every setting has a default but the issuer.
#[must_use]
pub struct RegistrationConfigBuilder {
    issuer: String,
    prefix: String,
    registration_endpoint: Option<String>,
    signing_key: Option<SigningKey>,
    store: Option<Arc<dyn ClientStore>>,
    rules: MetadataRules,
    allowed_scopes: Option<Arc<AllowedScopes>>,
    policies: Policies,
    client_secret_lifetime: Option<Duration>,
    token_rotation: TokenRotation,
    secret_rotation: SecretRotation,
    secret_storage: SecretStorage,
    client_ids: Arc<dyn ClientIdGenerator>,
    secrets: Arc<dyn SecretGenerator>,
    access: RegistrationAccess,
    static_initial_access_tokens: Vec<(Secret, InitialAccessTokenOptions)>,
    caller_restrictions: Option<CallerRestrictions>,
    events: Option<Arc<dyn RegistrationEvents>>,
    registry_in_extensions: bool,
    max_body_bytes: usize,
    cors_allow_origin: Option<String>,
    allow_insecure_issuer: bool,
    expiry: Option<ExpiryPolicy>,
    uri_fetcher: Option<Arc<dyn UriFetcher>>,
    trusted_issuers: Vec<TrustedIssuer>,
    software_statement_requirement: SoftwareStatementRequirement,
    extension_members: Vec<ExtensionMember>,
    algorithms: AlgorithmLists,
    metadata_limits: MetadataLimits,
    store_timeout: Option<Duration>,
}

impl RegistrationConfigBuilder {
    /// The path of the registration endpoint (default `/register`); clients are managed at
    /// `{prefix}/{client_id}`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The public URL of the registration endpoint, when it is not the issuer followed by the
    /// prefix: behind a proxy that rewrites paths, or with an issuer whose path the service
    /// sees in full (issuer `https://h/realms/x/`, prefix `/realms/x/register`).
    pub fn registration_endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.registration_endpoint = Some(url.into());
        self
    }

    /// The key that signs registration access tokens. Default: an HS256 key generated at
    /// start, valid for this process only.
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// Where clients are stored. Default: a new [`MemoryStore`].
    pub fn store(mut self, store: impl ClientStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// Where clients are stored, as a shared trait object.
    pub fn shared_store(mut self, store: Arc<dyn ClientStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The registration rules: supported grant types, response types, authentication methods,
    /// algorithms. Default: [`MetadataRules::default`].
    pub fn rules(mut self, rules: MetadataRules) -> Self {
        self.rules = rules;
        self
    }

    /// How long a client secret is valid; `None` (the default) for never
    /// (`client_secret_expires_at: 0`).
    pub fn client_secret_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.client_secret_lifetime = lifetime;
        self
    }

    /// When the registration access token is rotated. Default: [`TokenRotation::Never`].
    pub fn token_rotation(mut self, rotation: TokenRotation) -> Self {
        self.token_rotation = rotation;
        self
    }

    /// Restricts the scopes clients may register (removed or refused, with a default scope);
    /// advertised as `scopes_supported` by [`Registry::provider_metadata`](crate::Registry::provider_metadata).
    pub fn allowed_scopes(mut self, scopes: AllowedScopes) -> Self {
        self.allowed_scopes = Some(Arc::new(scopes));
        self
    }

    /// Adds a registration policy, applied after the allowed scopes and the policies added
    /// before it, on every registration and update.
    pub fn policy(mut self, policy: impl RegistrationPolicy) -> Self {
        self.policies = self.policies.with(policy);
        self
    }

    /// When client secrets are replaced. Default: [`SecretRotation::Never`] (but an expired
    /// secret is replaced on update).
    pub fn secret_rotation(mut self, rotation: SecretRotation) -> Self {
        self.secret_rotation = rotation;
        self
    }

    /// How client secrets are kept. Default: [`SecretStorage::Plain`].
    pub fn secret_storage(mut self, storage: SecretStorage) -> Self {
        self.secret_storage = storage;
        self
    }

    /// Where client ids come from. Default: random UUIDs.
    pub fn client_id_generator(mut self, generator: impl ClientIdGenerator) -> Self {
        self.client_ids = Arc::new(generator);
        self
    }

    /// Where client secrets come from. Default: 512 bits from the OS RNG, base64url.
    pub fn secret_generator(mut self, generator: impl SecretGenerator) -> Self {
        self.secrets = Arc::new(generator);
        self
    }

    /// Who may register. Default: [`RegistrationAccess::Open`]. In
    /// [`RegistrationAccess::InitialAccessToken`] mode a registration needs
    /// `Authorization: Bearer <initial access token>`.
    pub fn registration_access(mut self, access: RegistrationAccess) -> Self {
        self.access = access;
        self
    }

    /// Accepts `token` as an initial access token, valid for ever and for any number of
    /// registrations (a shared secret of the deployment). Only its hash is kept.
    pub fn initial_access_token(self, token: impl Into<String>) -> Self {
        self.initial_access_token_with(token, InitialAccessTokenOptions::new())
    }

    /// Accepts `token` as an initial access token on the given terms.
    pub fn initial_access_token_with(
        mut self,
        token: impl Into<String>,
        options: InitialAccessTokenOptions,
    ) -> Self {
        self.static_initial_access_tokens
            .push((Secret::new(token.into()), options));
        self
    }

    /// What each kind of caller may register (applied first, before the other policies).
    /// Default: [`CallerRestrictions::default`], which refuses `password` and
    /// `client_credentials` to anonymous registrants (as INDIGO IAM); `None` to lift it.
    pub fn caller_restrictions(mut self, restrictions: Option<CallerRestrictions>) -> Self {
        self.caller_restrictions = restrictions;
        self
    }

    /// Receives every registration event (created, read, updated, deleted, rejected, token
    /// rotated). Events never carry a secret.
    pub fn events(mut self, events: impl RegistrationEvents) -> Self {
        self.events = Some(Arc::new(events));
        self
    }

    /// Whether requests passed through to the wrapped service carry the [`Registry`](crate::Registry)
    /// in their extensions (default `true`), so that the host can authenticate clients.
    pub fn registry_in_extensions(mut self, insert: bool) -> Self {
        self.registry_in_extensions = insert;
        self
    }

    /// The largest request body accepted, in bytes (default 64 KiB); larger bodies get 413.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The `Access-Control-Allow-Origin` value of every registration response (default `*`,
    /// as MitreID); `None` disables CORS headers.
    pub fn cors_allow_origin(mut self, origin: Option<String>) -> Self {
        self.cors_allow_origin = origin;
        self
    }

    /// Accepts an `http` issuer on a non-loopback host. For tests behind a TLS-terminating
    /// proxy only: RFC 7591 requires the registration endpoint to be served over TLS.
    pub fn allow_insecure_issuer(mut self, allow: bool) -> Self {
        self.allow_insecure_issuer = allow;
        self
    }

    /// The expiry of abandoned clients (default `None`: clients are kept until deleted).
    ///
    /// **This deletes clients**: with `Some(policy)`, every client not used for
    /// `policy.unused_for` (not authenticated through
    /// [`Registry::authenticate`](crate::Registry::authenticate), nor read or updated with its
    /// registration access token; a client never used counts from its registration) is
    /// deleted, its credentials and registration access token revoked, by the task the host
    /// spawns with [`Registry::run_expiry`](crate::Registry::run_expiry) (at most
    /// `policy.batch` clients per `policy.tick`), or one batch at a time with
    /// [`Registry::expire_unused`](crate::Registry::expire_unused). Reads by the host
    /// ([`Registry::client`](crate::Registry::client)) and host updates do not count as use.
    /// Expired clients still count against the quota of the initial access token that
    /// registered them, until this process restarts.
    pub fn expire_unused_clients(mut self, policy: Option<ExpiryPolicy>) -> Self {
        self.expiry = policy;
        self
    }

    /// Fetches the documents that metadata and configuration point at: a client's
    /// `sector_identifier_uri`, a trusted issuer's `jwks_uri`. Default: none, so that a
    /// `sector_identifier_uri` is refused and an issuer given by `jwks_uri` is a configuration
    /// error. With the `fetch` feature, `fetch::HttpsFetcher` is one.
    pub fn uri_fetcher(self, fetcher: impl UriFetcher) -> Self {
        self.shared_uri_fetcher(Arc::new(fetcher))
    }

    /// [`uri_fetcher`](Self::uri_fetcher), as a shared trait object.
    pub fn shared_uri_fetcher(mut self, fetcher: Arc<dyn UriFetcher>) -> Self {
        self.uri_fetcher = Some(fetcher);
        self
    }

    /// Trusts the software statements of `issuer` (RFC 7591 §2.3); call once per issuer.
    /// Default: no issuer is trusted, so any statement is `unapproved_software_statement`.
    pub fn trusted_software_statement_issuer(mut self, issuer: TrustedIssuer) -> Self {
        self.trusted_issuers.push(issuer);
        self
    }

    /// When a software statement is required (default
    /// [`SoftwareStatementRequirement::Optional`]); a registration that lacks a required one
    /// is refused with `invalid_software_statement`.
    pub fn require_software_statement(mut self, requirement: SoftwareStatementRequirement) -> Self {
        self.software_statement_requirement = requirement;
        self
    }

    /// Declares an extension member: clients may register it, it is checked against its JSON
    /// type and validator on registration and update, stored, and echoed in every response.
    /// Added to the [`rules`](Self::rules)' [`MetadataRules::extensions`] whatever the order
    /// of the calls. Undeclared members stay ignored.
    ///
    /// ```
    /// use tower_oidc_registration::RegistrationConfig;
    /// use tower_oidc_registration::metadata::{ExtensionMember, ExtensionType};
    ///
    /// let config = RegistrationConfig::builder("https://iam.example.org/")
    ///     .extension_member(ExtensionMember::new("tenant", ExtensionType::String))
    ///     .build()
    ///     .expect("config");
    /// assert!(config.rules().extensions.get("tenant").is_some());
    /// ```
    pub fn extension_member(mut self, member: ExtensionMember) -> Self {
        self.extension_members.push(member);
        self
    }

    /// The JWS algorithms accepted in every `*_signed_response_alg` / `*_signing_alg` member
    /// and advertised in each `*_signing_alg_values_supported` (`none` is never accepted nor
    /// advertised where it is refused). Replaces [`MetadataRules::signing_algs`] whatever the
    /// order of the calls. Default: [`DEFAULT_SIGNING_ALGS`](crate::metadata::DEFAULT_SIGNING_ALGS).
    ///
    /// ```
    /// use tower_oidc_registration::RegistrationConfig;
    ///
    /// let config = RegistrationConfig::builder("https://iam.example.org/")
    ///     .signing_algorithms(["RS256", "PS256", "ES256", "EdDSA"])
    ///     .encryption_algorithms(["RSA-OAEP-256", "ECDH-ES"])
    ///     .content_encryption_algorithms(["A128CBC-HS256", "A256GCM"])
    ///     .build()
    ///     .expect("config");
    /// assert_eq!(config.rules().signing_algs.len(), 4);
    /// ```
    pub fn signing_algorithms<S: Into<String>>(
        mut self,
        algs: impl IntoIterator<Item = S>,
    ) -> Self {
        self.algorithms.signing = Some(algs.into_iter().map(Into::into).collect());
        self
    }

    /// The JWE `alg` values accepted in every `*_encrypted_response_alg` /
    /// `*_encryption_alg` member and advertised in each `*_encryption_alg_values_supported`.
    /// Replaces [`MetadataRules::encryption_algs`]. Default:
    /// [`DEFAULT_ENCRYPTION_ALGS`](crate::metadata::DEFAULT_ENCRYPTION_ALGS).
    pub fn encryption_algorithms<S: Into<String>>(
        mut self,
        algs: impl IntoIterator<Item = S>,
    ) -> Self {
        self.algorithms.key_management = Some(algs.into_iter().map(Into::into).collect());
        self
    }

    /// The JWE `enc` values accepted in every `*_enc` member and advertised in each
    /// `*_encryption_enc_values_supported`. Replaces [`MetadataRules::encryption_encs`]; keep
    /// `A128CBC-HS256`, the value registered when a client gives an `_alg` without its `_enc`,
    /// or such clients must give both. Default:
    /// [`DEFAULT_ENCRYPTION_ENCS`](crate::metadata::DEFAULT_ENCRYPTION_ENCS).
    pub fn content_encryption_algorithms<S: Into<String>>(
        mut self,
        encs: impl IntoIterator<Item = S>,
    ) -> Self {
        self.algorithms.content_encryption = Some(encs.into_iter().map(Into::into).collect());
        self
    }

    /// Bounds on the metadata of every registration and update, over HTTP and through the
    /// [`Registry`](crate::Registry) alike: nesting depth, members per object, string and
    /// array lengths, redirect URIs, total size. Default: [`MetadataLimits::default`]. None
    /// may be zero.
    pub fn metadata_limits(mut self, limits: MetadataLimits) -> Self {
        self.metadata_limits = limits;
        self
    }

    /// How long one store operation may take before the request fails with
    /// `503 temporarily_unavailable` (default `None`: as long as the store takes). A stalled
    /// database then costs a request this long, not forever. The operation's future is dropped:
    /// like any cancelled store call it may or may not have taken effect (see
    /// [`ClientStore`]), and nothing is retried. Needs a Tokio runtime with its timer enabled
    /// (`tokio::time::timeout`), as the host's server has; not zero.
    ///
    /// The host may bound whole requests instead, with `tower::timeout` or its server's
    /// request timeout; this bound answers with an RFC-shaped body.
    pub fn store_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.store_timeout = timeout;
        self
    }

    /// Checks and builds the configuration, parsing keys once.
    pub fn build(self) -> Result<RegistrationConfig, ConfigError> {
        let issuer = check_base_url(&self.issuer, self.allow_insecure_issuer)
            .map_err(ConfigError::Issuer)?;
        let prefix = check_prefix(&self.prefix)?;
        let registration_endpoint = match self.registration_endpoint {
            Some(url) => check_base_url(&url, self.allow_insecure_issuer)
                .map_err(ConfigError::RegistrationEndpoint)?
                .trim_end_matches('/')
                .to_owned(),
            None => format!("{}{}", issuer.trim_end_matches('/'), prefix),
        };
        if let Some(lifetime) = self.client_secret_lifetime
            && lifetime.as_secs() == 0
        {
            return Err(ConfigError::SecretLifetime(format!(
                "{lifetime:?} is shorter than one second; use None for secrets that never expire"
            )));
        }
        if let Some(policy) = &self.expiry
            && (policy.unused_for.as_secs() == 0 || policy.tick.is_zero() || policy.batch == 0)
        {
            return Err(ConfigError::Expiry(format!(
                "{policy:?}: unused_for must be at least one second, tick and batch not zero"
            )));
        }
        if let Some(bound) = self.metadata_limits.zero_bound() {
            return Err(ConfigError::MetadataLimits(format!(
                "{bound} is zero: every request would be refused"
            )));
        }
        if self.store_timeout.is_some_and(|t| t.is_zero()) {
            return Err(ConfigError::StoreTimeout(
                "zero: every request would fail; use None for no timeout".to_owned(),
            ));
        }
        let cors_allow_origin = self
            .cors_allow_origin
            .map(|o| HeaderValue::from_str(&o).map_err(|e| ConfigError::Cors(e.to_string())))
            .transpose()?;
        let key_was_generated = self.signing_key.is_none();
        let signing_key = match self.signing_key {
            Some(key) => key,
            None => SigningKey::generate()?,
        };
        let tokens = RegistrationTokens::new(signing_key, issuer.clone())?;
        let mut rules = self.rules;
        self.algorithms.apply(&mut rules)?;
        if self.secret_storage == SecretStorage::Hashed {
            rules.restrict_to_hashed_secrets();
        }
        for member in self.extension_members {
            rules.extensions.declare(member)?;
        }
        let software_statements = SoftwareStatements::new(
            self.trusted_issuers,
            self.software_statement_requirement,
            self.uri_fetcher.clone(),
        )
        .map_err(ConfigError::SoftwareStatementIssuer)?;
        let initial_access_tokens = Arc::new(InitialAccessTokens::default());
        for (token, options) in &self.static_initial_access_tokens {
            check_static_token(token.expose())?;
            initial_access_tokens.add(
                static_token_id(token.expose()),
                token.expose(),
                options,
                crate::registry::now(),
            );
        }
        Ok(RegistrationConfig {
            issuer,
            prefix,
            registration_endpoint,
            tokens,
            key_was_generated,
            store: self.store.unwrap_or_else(|| Arc::new(MemoryStore::new())),
            rules,
            allowed_scopes: self.allowed_scopes,
            policies: self.policies,
            client_secret_lifetime: self.client_secret_lifetime,
            token_rotation: self.token_rotation,
            secret_rotation: self.secret_rotation,
            secret_storage: self.secret_storage,
            client_ids: self.client_ids,
            secrets: self.secrets,
            access: self.access,
            initial_access_tokens,
            caller_restrictions: self.caller_restrictions.map(Arc::new),
            events: self.events,
            registry_in_extensions: self.registry_in_extensions,
            max_body_bytes: self.max_body_bytes,
            cors_allow_origin,
            expiry: self.expiry,
            uri_fetcher: self.uri_fetcher,
            software_statements: Arc::new(software_statements),
            metadata_limits: self.metadata_limits,
            store_timeout: self.store_timeout,
        })
    }
}

/// Algorithm lists set on the builder, applied over the rules at build.
#[derive(Default)]
struct AlgorithmLists {
    signing: Option<Vec<String>>,
    key_management: Option<Vec<String>>,
    content_encryption: Option<Vec<String>>,
}

impl AlgorithmLists {
    fn apply(self, rules: &mut MetadataRules) -> Result<(), ConfigError> {
        let lists = [
            (self.signing, &mut rules.signing_algs),
            (self.key_management, &mut rules.encryption_algs),
            (self.content_encryption, &mut rules.encryption_encs),
        ];
        for (list, target) in lists {
            let Some(list) = list else { continue };
            if let Some(bad) = list
                .iter()
                .find(|a| a.is_empty() || !a.bytes().all(|b| b.is_ascii_graphic()))
            {
                return Err(ConfigError::Algorithm(format!(
                    "{bad:?} is not an algorithm name"
                )));
            }
            *target = list;
        }
        Ok(())
    }
}

/// An absolute `https` URL (or `http` on a loopback host, or anywhere when `allow_insecure`),
/// without query or fragment.
fn check_base_url(raw: &str, allow_insecure: bool) -> Result<String, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("{raw:?}: {e}"))?;
    let host = url.host().ok_or_else(|| format!("{raw:?}: no host"))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{raw:?}: no query or fragment allowed"));
    }
    let loopback = crate::syntax::is_loopback_host(&host);
    match url.scheme() {
        "https" => Ok(raw.to_owned()),
        "http" if loopback || allow_insecure => Ok(raw.to_owned()),
        _ => Err(format!(
            "{raw:?}: must be https (http only on a loopback host)"
        )),
    }
}

/// A static initial access token must be usable as a bearer token and hard to guess.
fn check_static_token(token: &str) -> Result<(), ConfigError> {
    if token.trim_end_matches('=').len() < 16 || !crate::syntax::is_token68(token) {
        return Err(ConfigError::InitialAccessToken(
            "must be at least 16 characters of the bearer token alphabet (RFC 6750 §2.1)".into(),
        ));
    }
    Ok(())
}

fn check_prefix(prefix: &str) -> Result<String, ConfigError> {
    let ok = prefix.starts_with('/')
        && prefix.len() > 1
        && !prefix.ends_with('/')
        && !prefix.contains("//")
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-._~".contains(&b));
    if ok {
        Ok(prefix.to_owned())
    } else {
        Err(ConfigError::Prefix(format!(
            "{prefix:?}: must be an absolute path like /register, without a trailing slash"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_must_be_https_unless_loopback() {
        assert!(check_base_url("https://iam.example.org/", false).is_ok());
        assert!(check_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(check_base_url("http://localhost:8080/", false).is_ok());
        assert!(check_base_url("http://[::1]:8080/", false).is_ok());
        assert!(check_base_url("http://iam.example.org/", false).is_err());
        assert!(check_base_url("http://iam.example.org/", true).is_ok());
        assert!(check_base_url("ftp://iam.example.org/", true).is_err());
        assert!(check_base_url("/relative", false).is_err());
        assert!(check_base_url("https://iam.example.org/#x", false).is_err());
    }

    #[test]
    fn prefix_is_a_clean_absolute_path() {
        assert!(check_prefix("/register").is_ok());
        assert!(check_prefix("/oauth/register").is_ok());
        for bad in ["register", "/", "/register/", "//x", "/a b", "/a?b"] {
            assert!(check_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn registration_endpoint_can_be_set_explicitly() {
        let cfg = RegistrationConfig::builder("https://h.example/realms/x/")
            .prefix("/realms/x/register")
            .registration_endpoint_url("https://h.example/realms/x/register/")
            .build()
            .expect("config");
        assert_eq!(
            cfg.registration_endpoint(),
            "https://h.example/realms/x/register"
        );
        let err = RegistrationConfig::builder("https://h.example/")
            .registration_endpoint_url("http://h.example/register")
            .build()
            .expect_err("http endpoint");
        assert!(matches!(err, ConfigError::RegistrationEndpoint(_)), "{err}");
    }

    #[test]
    fn sub_second_secret_lifetime_is_refused() {
        let err = RegistrationConfig::builder("https://h.example/")
            .client_secret_lifetime(Some(Duration::from_millis(500)))
            .build()
            .expect_err("born expired");
        assert!(matches!(err, ConfigError::SecretLifetime(_)), "{err}");
    }

    #[test]
    fn registration_endpoint_joins_issuer_and_prefix() {
        let cfg = RegistrationConfig::builder("https://iam.example.org/")
            .build()
            .expect("config");
        assert_eq!(
            cfg.registration_endpoint(),
            "https://iam.example.org/register"
        );
        assert!(cfg.signing_key_was_generated());
    }
}
