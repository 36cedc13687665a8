//! Why a configuration cannot be used.

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
    /// A policy for initial access tokens is registered twice under one name, or a static
    /// initial access token names a policy that is not registered.
    #[error("initial_access_token_policy: {0}")]
    InitialAccessTokenPolicy(String),
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
    /// Client id metadata documents are enabled without a URI fetcher, or with cache bounds
    /// out of order.
    #[error("client_id_metadata_documents: {0}")]
    ClientIdMetadataDocuments(String),
    /// An extension member cannot be declared (reserved or duplicate name).
    #[error("extension_member: {0}")]
    Extension(#[from] crate::metadata::ExtensionError),
    /// An algorithm name is empty or not printable ASCII without spaces.
    #[error("algorithms: {0}")]
    Algorithm(String),
    /// A metadata limit is zero, which would refuse every request.
    #[error("metadata_limits: {0}")]
    MetadataLimits(String),
    /// The default scope holds a value outside the allowed scopes: the scope policy would
    /// remove it again, or refuse every client that asks for no scope.
    #[error("default_scope: {0}")]
    DefaultScope(String),
    /// The store timeout is zero, which would fail every request.
    #[error("store_timeout: {0}")]
    StoreTimeout(String),
    /// A registration rate limit has a rate of zero, a burst of zero, or a rate faster than one
    /// request per millisecond.
    #[error("registration_rate_limit: {0}")]
    RateLimit(String),
    /// A trusted proxy of the client address is neither an address nor a network.
    #[error("client_address: {0}")]
    ClientAddress(String),
}
