//! [`RegistrationConfigBuilder`]: every setting with its default. What `build` checks and
//! derives lives in `build.rs`.

use std::sync::Arc;
use std::time::Duration;

use super::build::AlgorithmLists;
use super::{
    DEFAULT_MAX_BODY_BYTES, ExpiryPolicy, RegistrationAccess, SecretRotation, SecretStorage,
    TokenRotation,
};
use crate::client_id_document::ClientIdMetadataDocuments;
use crate::clock::{Clock, SystemClock};
use crate::events::EventListener;
use crate::fetch::UriFetcher;
use crate::generate::{ClientIdGenerator, OsRandomSecrets, SecretGenerator, UuidClientIds};
use crate::metadata::{ExtensionMember, MetadataLimits, MetadataRules};
use crate::policy::builtin::{AllowedScopes, CallerRestrictions};
use crate::policy::{Policies, RegistrationPolicy};
use crate::rate_limit::{ClientAddress, RateLimit};
use crate::registry::InitialAccessTokenOptions;
use crate::secret::Secret;
use crate::software_statement::{SoftwareStatementRequirement, TrustedIssuer};
use crate::store::ClientStore;
use crate::token::SigningKey;

/// Builds a [`RegistrationConfig`](super::RegistrationConfig); every setting has a default but
/// the issuer.
///
/// `RegistrationConfig::builder(issuer)`, then:
///
/// | setting | default | what it does |
/// |---|---|---|
/// | `issuer` (argument) | — | the server's base URL; `registration_client_uri` is `issuer` (no trailing slash) + prefix + `/{client_id}`, never built from the `Host` header. Must be `https`, or `http` on a loopback host ([`allow_insecure_issuer(true)`](Self::allow_insecure_issuer) to override) |
/// | [`prefix(..)`](Self::prefix) | `/register` | path of the registration endpoint, as the service sees it; matched per segment (`/registerx` passes through) |
/// | [`registration_endpoint_url(..)`](Self::registration_endpoint_url) | issuer + prefix | the public URL of the registration endpoint when it is not the issuer followed by the prefix (a proxy that rewrites paths; an issuer with a path) |
/// | [`signing_key(..)`](Self::signing_key) | generated HS256 key | key of the registration access token: [`SigningKey::hs256(bytes)`](SigningKey::hs256), `rs256_pem`, `es256_pem`, `ed25519_pem`, or `from_pem` (detects the type). A generated key lives only as long as the process |
/// | [`store(..)`](Self::store) / [`shared_store(..)`](Self::shared_store) | [`MemoryStore`](crate::MemoryStore) | where clients live: any [`ClientStore`] (see [`store`](crate::store)) |
/// | [`rules(MetadataRules)`](Self::rules) | see [`metadata`](crate::metadata#the-default-rules-and-bounds) | supported grant types, response types, auth methods, subject types, algorithms, native `https` redirects, default scope, extension members, whether dereferenced URIs may name `localhost` or special-purpose addresses |
/// | [`client_secret_lifetime(..)`](Self::client_secret_lifetime) | `None` (never expires, `client_secret_expires_at: 0`) | lifetime of issued client secrets (at least 1 s); an update of a client whose secret has expired issues a new one |
/// | [`token_rotation(..)`](Self::token_rotation) | [`TokenRotation::Never`] | `OnUpdate`: each successful PUT returns a new registration access token and the old one dies at once |
/// | [`max_body_bytes(..)`](Self::max_body_bytes) | 65536 | larger bodies get `413` |
/// | [`cors_allow_origin(..)`](Self::cors_allow_origin) | `Some("*")` | `Access-Control-Allow-Origin` of every registration response; `None` disables CORS |
/// | [`signing_algorithms(..)`](Self::signing_algorithms), [`encryption_algorithms(..)`](Self::encryption_algorithms), [`content_encryption_algorithms(..)`](Self::content_encryption_algorithms) | the RFC 7518 names | the JWS `alg`, JWE `alg` and JWE `enc` values accepted in every `*_alg` / `*_enc` member and advertised per member by `provider_metadata()`; replace the lists of `rules(..)` (see [algorithms](crate::metadata#algorithms)) |
/// | [`extension_member(..)`](Self::extension_member) | none | declares an extension member (name, JSON type, optional validator): stored and echoed (see [extension members](crate::metadata#extension-members)) |
/// | [`expire_unused_clients(..)`](Self::expire_unused_clients) | `None` (never) | **deletes** clients unused for [`ExpiryPolicy::unused_for`], at most `batch` per `tick`, when the host spawns [`Registry::run_expiry()`](crate::Registry::run_expiry) (see [abandoned clients](crate#abandoned-clients-opt-in-expiry)) |
/// | [`uri_fetcher(..)`](Self::uri_fetcher) / [`shared_uri_fetcher(..)`](Self::shared_uri_fetcher) | none | fetches `sector_identifier_uri` documents and trusted issuers' `jwks_uri`; `fetch::HttpsFetcher` with the `fetch` feature (see [`fetch`](crate::fetch)) |
/// | [`client_id_metadata_documents(..)`](Self::client_id_metadata_documents) | off | resolves `https` URL client ids from their client id metadata documents, beside registered clients (see [`client_id_document`](crate::client_id_document)); needs a URI fetcher |
/// | [`trusted_software_statement_issuer(..)`](Self::trusted_software_statement_issuer) | none trusted | an issuer whose software statements are accepted, with its keys ([`TrustedIssuer::with_jwks`] or [`with_jwks_uri`](TrustedIssuer::with_jwks_uri)) |
/// | [`require_software_statement(..)`](Self::require_software_statement) | `Optional` | `Always` or `ForAnonymous`: registrations (and updates) without a statement get `invalid_software_statement` |
/// | [`metadata_limits(MetadataLimits)`](Self::metadata_limits) | see [`metadata`](crate::metadata#the-default-rules-and-bounds) | bounds on every registration's and update's metadata, over HTTP and through `Registry` alike; past one: `400 invalid_client_metadata` (`invalid_redirect_uri` for `redirect_uris`) naming the member, e.g. `redirect_uris: at most 64 entries`, `client_name: longer than 2048 bytes` |
/// | [`registration_rate_limit(..)`](Self::registration_rate_limit) | `None` (no limit) | registrations per client address and for the whole server; past one: `429` with `Retry-After`. The state lives in the store, so the limits hold for every replica sharing it (see [`rate_limit`](crate::rate_limit)) |
/// | [`client_address(..)`](Self::client_address) | the `SocketAddr` extension | where a request's client address comes from (an extension of the host's server, or a trusted proxy's header): what the limit per address counts, and what policies and events see |
/// | [`store_timeout(..)`](Self::store_timeout) | `None` (no limit) | how long one store operation may take; past it the request gets `503 temporarily_unavailable` (a stalled database costs a request that long, not for ever). Needs a Tokio runtime with its timer |
///
/// Who may register, policies, secrets, events and the rest: see each method below, and the
/// crate's [guide](crate#guide).
#[must_use]
pub struct RegistrationConfigBuilder {
    pub(super) issuer: String,
    pub(super) prefix: String,
    pub(super) registration_endpoint: Option<String>,
    pub(super) signing_key: Option<SigningKey>,
    pub(super) store: Option<Arc<dyn ClientStore>>,
    pub(super) rules: MetadataRules,
    pub(super) allowed_scopes: Option<Arc<AllowedScopes>>,
    pub(super) policies: Policies,
    pub(super) client_secret_lifetime: Option<Duration>,
    pub(super) token_rotation: TokenRotation,
    pub(super) secret_rotation: SecretRotation,
    pub(super) secret_storage: SecretStorage,
    pub(super) client_ids: Arc<dyn ClientIdGenerator>,
    pub(super) secrets: Arc<dyn SecretGenerator>,
    pub(super) access: RegistrationAccess,
    pub(super) static_initial_access_tokens: Vec<(Secret, InitialAccessTokenOptions)>,
    pub(super) initial_access_token_policies: Vec<(String, Arc<dyn RegistrationPolicy>)>,
    pub(super) caller_restrictions: Option<CallerRestrictions>,
    pub(super) events: Option<Arc<dyn EventListener>>,
    pub(super) registry_in_extensions: bool,
    pub(super) max_body_bytes: usize,
    pub(super) cors_allow_origin: Option<String>,
    pub(super) allow_insecure_issuer: bool,
    pub(super) expiry: Option<ExpiryPolicy>,
    pub(super) uri_fetcher: Option<Arc<dyn UriFetcher>>,
    pub(super) client_id_documents: Option<ClientIdMetadataDocuments>,
    pub(super) trusted_issuers: Vec<TrustedIssuer>,
    pub(super) software_statement_requirement: SoftwareStatementRequirement,
    pub(super) extension_members: Vec<ExtensionMember>,
    pub(super) algorithms: AlgorithmLists,
    pub(super) metadata_limits: MetadataLimits,
    pub(super) store_timeout: Option<Duration>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) rate_limit: Option<RateLimit>,
    pub(super) client_address: ClientAddress,
}

impl RegistrationConfigBuilder {
    pub(super) fn new(issuer: String) -> Self {
        Self {
            issuer,
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
            initial_access_token_policies: Vec::new(),
            caller_restrictions: Some(CallerRestrictions::default()),
            events: None,
            registry_in_extensions: true,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            cors_allow_origin: Some("*".to_owned()),
            allow_insecure_issuer: false,
            expiry: None,
            uri_fetcher: None,
            client_id_documents: None,
            trusted_issuers: Vec::new(),
            software_statement_requirement: SoftwareStatementRequirement::Optional,
            extension_members: Vec::new(),
            algorithms: AlgorithmLists::default(),
            metadata_limits: MetadataLimits::default(),
            store_timeout: None,
            clock: Arc::new(SystemClock),
            rate_limit: None,
            client_address: ClientAddress::default(),
        }
    }

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

    /// Where clients are stored. Default: a new [`MemoryStore`](crate::MemoryStore).
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

    /// Restricts the scopes clients may register (removed or refused); advertised as
    /// `scopes_supported` by [`Registry::provider_metadata`](crate::Registry::provider_metadata).
    /// The default scope is [`MetadataRules::default_scope`], registered for a client that asks
    /// for no scope or whose every value was removed: keep it within the allowed set.
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
    ///
    /// The token's record is written to the store the first time it is presented (by any
    /// replica), under an id derived from the token: from then on its uses and client quota
    /// are counted in the store, for every replica and across restarts, and its terms are
    /// those of that record. An expiry counts from when the configuration of the replica that
    /// wrote the record was built. To change a static token's terms, or to accept a token
    /// revoked with [`Registry::revoke_initial_access_token`](crate::Registry::revoke_initial_access_token)
    /// again, configure another token. A static token taken out of a replica's configuration
    /// is refused by that replica.
    ///
    /// A policy named in `options` must be registered with
    /// [`initial_access_token_policy`](Self::initial_access_token_policy), else
    /// [`build`](Self::build) fails.
    pub fn initial_access_token_with(
        mut self,
        token: impl Into<String>,
        options: InitialAccessTokenOptions,
    ) -> Self {
        self.static_initial_access_tokens
            .push((Secret::new(token.into()), options));
        self
    }

    /// Registers `policy` under `name`, for the initial access tokens whose terms name it
    /// ([`InitialAccessTokenOptions::policy`]): it applies to the registrations made with
    /// such a token (after the other policies), and again to every update of the clients
    /// registered with it, whoever updates them. A token's record keeps the name, not the
    /// policy: every replica, and the process after a restart, applies the policy its own
    /// configuration registers under that name, so register the same policies everywhere. A
    /// replica without a policy of that name refuses such registrations and updates (`403
    /// access_denied`) rather than let them through unchecked. A name registered twice fails
    /// [`build`](Self::build).
    ///
    /// ```
    /// use tower_oidc_registration::policy::builtin::TrustedRedirectHosts;
    /// use tower_oidc_registration::{InitialAccessTokenOptions, RegistrationConfig};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let config = RegistrationConfig::builder("https://iam.example.org/")
    ///     .initial_access_token_policy("partner", TrustedRedirectHosts::new(["*.partner.example"]))
    ///     .initial_access_token_with(
    ///         "partner-deployment-token-0123456789",
    ///         InitialAccessTokenOptions::new().policy("partner"),
    ///     )
    ///     .build()?;
    /// # let _ = config;
    /// # Ok(())
    /// # }
    /// ```
    pub fn initial_access_token_policy(
        mut self,
        name: impl Into<String>,
        policy: impl RegistrationPolicy,
    ) -> Self {
        self.initial_access_token_policies
            .push((name.into(), Arc::new(policy)));
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
    pub fn events(mut self, events: impl EventListener) -> Self {
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
    /// ([`Registry::lookup`](crate::Registry::lookup)) and host updates do not count as use.
    /// An expired client frees its slot in the client quota of the initial access token that
    /// registered it, as a deletion does.
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

    /// Resolves client ids that are `https` URLs from their client id metadata documents
    /// (draft-ietf-oauth-client-id-metadata-document), beside registered clients:
    /// [`Registry::client`](crate::Registry::client) and
    /// [`Registry::authenticate`](crate::Registry::authenticate) answer for both, and discovery
    /// advertises `client_id_metadata_document_supported`. Default: off. Needs a
    /// [`uri_fetcher`](Self::uri_fetcher); the rules are in
    /// [`client_id_document`](crate::client_id_document).
    pub fn client_id_metadata_documents(mut self, documents: ClientIdMetadataDocuments) -> Self {
        self.client_id_documents = Some(documents);
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

    /// Where the registry reads the time (default [`SystemClock`]): client secret and initial
    /// access token expiry, software statement `exp`/`nbf`, `client_id_issued_at`, the last use
    /// of clients. For tests that cross a lifetime's boundary without sleeping.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
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
    /// [`ClientStore`]), and nothing is retried, but a registration whose insertion failed
    /// reads the client back: one stored all the same is acknowledged (`201`, its
    /// credentials), so that no client, and no use of an initial access token, is spent
    /// unbeknown to its registrant. Needs a Tokio runtime with its timer enabled
    /// (`tokio::time::timeout`), as the host's server has; not zero.
    ///
    /// The host may bound whole requests instead, with `tower::timeout` or its server's
    /// request timeout; this bound answers with an RFC-shaped body.
    pub fn store_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.store_timeout = timeout;
        self
    }

    /// Rate limits on registration (`POST {prefix}`), per client address and for the whole
    /// server (default `None`: no limit). Every attempt counts, failed ones too; a request past
    /// a limit gets `429 Too Many Requests` with `Retry-After` and an RFC-shaped body, before
    /// its body is read. The limits' state lives in the store
    /// ([`ClientStore::rate_limit`]), so they hold for every replica sharing it. The host's own
    /// registrations ([`Requester::host`](crate::Requester::host)) are never limited. The
    /// client's address comes from [`client_address`](Self::client_address). See
    /// [`rate_limit`](crate::rate_limit).
    ///
    /// Open registration on the public internet wants one: without it any caller may make the
    /// server store clients as fast as it can send them.
    ///
    /// ```
    /// use tower_oidc_registration::RegistrationConfig;
    /// use tower_oidc_registration::rate_limit::{Rate, RateLimit};
    ///
    /// let config = RegistrationConfig::builder("https://iam.example.org/")
    ///     .registration_rate_limit(Some(
    ///         RateLimit::per_address(Rate::per_minute(20).burst(10))
    ///             .overall(Rate::per_second(50).burst(100)),
    ///     ))
    ///     .build()?;
    /// # let _ = config;
    /// # Ok::<(), tower_oidc_registration::ConfigError>(())
    /// ```
    pub fn registration_rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Where a request's client address comes from (default
    /// [`ClientAddress::socket_addr`]: the [`SocketAddr`](std::net::SocketAddr) the host's server
    /// inserts in each request's extensions): what the rate limit per address counts, and what
    /// policies and events see
    /// ([`RequestContext::client_address`](crate::RequestContext::client_address)). With axum,
    /// `ClientAddress::from_extension(|c: &ConnectInfo<SocketAddr>| c.0.ip())`; behind a
    /// reverse proxy, [`ClientAddress::behind_proxies`].
    pub fn client_address(mut self, address: ClientAddress) -> Self {
        self.client_address = address;
        self
    }
}
