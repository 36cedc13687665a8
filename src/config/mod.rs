//! The configuration of the registration endpoint: built once by
//! [`RegistrationConfigBuilder::build`], checked, and then shared as it is by the layer's
//! handler and the [`Registry`](crate::Registry) (one `Arc`, never copied field by field).
//!
//! - `options.rs`: the plain option values ([`TokenRotation`], [`SecretStorage`], ...);
//! - `builder.rs`: the builder, every setting with its default;
//! - `build.rs`: what `build` checks and derives (the token signer, the effective rules);
//! - `checks`: the checks of URLs, the prefix and static tokens;
//! - `error.rs`: [`ConfigError`].
//!
//! It knows nothing of requests: it only describes the server.

mod build;
mod builder;
mod checks;
mod error;
mod options;

use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;

use crate::client_id_document::DocumentResolver;
use crate::clock::Clock;
use crate::events::EventListener;
use crate::fetch::UriFetcher;
use crate::generate::{ClientIdGenerator, SecretGenerator};
use crate::metadata::{MetadataLimits, MetadataRules};
use crate::policy::Policies;
use crate::policy::builtin::{AllowedScopes, CallerRestrictions};
use crate::rate_limit::{ClientAddress, RegistrationLimits};
use crate::registry::InitialAccessTokens;
use crate::software_statement::SoftwareStatements;
use crate::store::ClientStore;
use crate::token::RegistrationTokens;

pub use builder::RegistrationConfigBuilder;
pub use error::ConfigError;
pub use options::{
    DEFAULT_MAX_BODY_BYTES, ExpiryPolicy, RegistrationAccess, SecretRotation, SecretStorage,
    TokenRotation,
};

/// Everything the registration layer needs, validated: build it with
/// [`RegistrationConfig::builder`]. Cheap to clone (one shared allocation).
#[derive(Clone)]
pub struct RegistrationConfig {
    pub(crate) settings: Arc<Settings>,
}

/// The built configuration, as the registry and the handler read it.
pub(crate) struct Settings {
    pub(crate) issuer: String,
    pub(crate) prefix: String,
    /// The public URL of the registration endpoint.
    pub(crate) registration_endpoint: String,
    /// `{registration endpoint}/`, to which a client id is appended.
    pub(crate) client_uri_base: String,
    pub(crate) tokens: RegistrationTokens,
    pub(crate) key_was_generated: bool,
    /// The store, behind the store timeout when one is configured.
    pub(crate) store: Arc<dyn ClientStore>,
    pub(crate) rules: MetadataRules,
    pub(crate) metadata_limits: MetadataLimits,
    pub(crate) allowed_scopes: Option<Arc<AllowedScopes>>,
    pub(crate) caller_restrictions: Option<Arc<CallerRestrictions>>,
    pub(crate) policies: Policies,
    pub(crate) client_secret_lifetime: Option<Duration>,
    pub(crate) token_rotation: TokenRotation,
    pub(crate) secret_rotation: SecretRotation,
    pub(crate) secret_storage: SecretStorage,
    pub(crate) client_ids: Arc<dyn ClientIdGenerator>,
    pub(crate) secrets: Arc<dyn SecretGenerator>,
    pub(crate) access: RegistrationAccess,
    /// Shared by every registry built from this configuration (the layer's and the host's).
    pub(crate) initial_access_tokens: InitialAccessTokens,
    pub(crate) expiry: Option<ExpiryPolicy>,
    /// Where the registry reads the time.
    pub(crate) clock: Arc<dyn Clock>,
    /// Fetches `sector_identifier_uri` documents (and, inside `software_statements`, issuers'
    /// keys).
    pub(crate) uri_fetcher: Option<Arc<dyn UriFetcher>>,
    pub(crate) software_statements: SoftwareStatements,
    /// Resolves URL client ids, when enabled.
    pub(crate) client_id_documents: Option<DocumentResolver>,
    // What only the HTTP handler reads.
    pub(crate) events: Option<Arc<dyn EventListener>>,
    pub(crate) registry_in_extensions: bool,
    pub(crate) max_body_bytes: usize,
    pub(crate) cors_allow_origin: Option<HeaderValue>,
    /// The registration rate limits, checked by the registry on every attempt but the host's.
    pub(crate) rate_limit: Option<RegistrationLimits>,
    /// Where the handler finds a request's client address.
    pub(crate) client_address: ClientAddress,
}

impl std::fmt::Debug for RegistrationConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.settings;
        f.debug_struct("RegistrationConfig")
            .field("issuer", &s.issuer)
            .field("prefix", &s.prefix)
            .field("token_algorithm", &s.tokens.algorithm())
            .field("rules", &s.rules)
            .field("client_secret_lifetime", &s.client_secret_lifetime)
            .field("token_rotation", &s.token_rotation)
            .field("secret_rotation", &s.secret_rotation)
            .field("secret_storage", &s.secret_storage)
            .field("access", &s.access)
            .field("policies", &s.policies)
            .field("caller_restrictions", &s.caller_restrictions)
            .field("max_body_bytes", &s.max_body_bytes)
            .field("cors_allow_origin", &s.cors_allow_origin)
            .field("expiry", &s.expiry)
            .field("uri_fetcher", &s.uri_fetcher.is_some())
            .field("software_statements", &s.software_statements)
            .field(
                "client_id_documents",
                &s.client_id_documents.as_ref().map(|d| &d.options),
            )
            .field("metadata_limits", &s.metadata_limits)
            .field("rate_limit", &s.rate_limit)
            .field("client_address", &s.client_address)
            .finish_non_exhaustive()
    }
}

impl RegistrationConfig {
    /// A builder for the server whose issuer identifier (base URL) is `issuer`, e.g.
    /// `https://iam.example.org/`. The `registration_client_uri` of a client is the issuer
    /// without its trailing slash, then the prefix, then `/{client_id}`; it is never built from
    /// a request's `Host` header.
    pub fn builder(issuer: impl Into<String>) -> RegistrationConfigBuilder {
        RegistrationConfigBuilder::new(issuer.into())
    }

    /// The issuer identifier, as configured.
    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    /// The path prefix of the registration endpoint (default `/register`).
    pub fn prefix(&self) -> &str {
        &self.settings.prefix
    }

    /// The absolute URL of the registration endpoint, for discovery's `registration_endpoint`;
    /// each client's `registration_client_uri` is this URL followed by `/{client_id}`.
    pub fn registration_endpoint(&self) -> &str {
        &self.settings.registration_endpoint
    }

    /// Whether no signing key was configured, so one was generated for this process only:
    /// registration access tokens then stop working when the process restarts.
    pub fn signing_key_was_generated(&self) -> bool {
        self.settings.key_was_generated
    }

    /// The registration rules.
    pub fn rules(&self) -> &MetadataRules {
        &self.settings.rules
    }
}

#[cfg(test)]
mod tests;
