//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a client
//! whose `client_id` is an `https` URL names itself by that URL, and the server fetches its
//! metadata from it instead of storing a registration. MCP clients use them (the MCP
//! authorization specification of 2025-11-25); registration (RFC 7591) and documents live side
//! by side: [`Registry::client`](crate::Registry::client) answers for both with the same
//! [`ClientRecord`](crate::ClientRecord), so the host's authorization and token endpoints treat
//! both alike.
//!
//! Opt-in, with
//! [`RegistrationConfigBuilder::client_id_metadata_documents`](crate::RegistrationConfigBuilder::client_id_metadata_documents),
//! which needs a
//! [`UriFetcher`](crate::fetch::UriFetcher) (the `fetch` feature's `HttpsFetcher`, guarded
//! against server-side request forgery). Discovery then advertises
//! `client_id_metadata_document_supported`.
//!
//! What a document must satisfy, in this order:
//!
//! 1. the URL (`url.rs`): `https`, a host, a path, no userinfo, no fragment, no `.` or `..`
//!    segment (percent-encoded ones included), in normal form (as a URL parser writes it: a
//!    lower-case host, no default port), at most 2,048 bytes; its host among the
//!    [trusted hosts](ClientIdMetadataDocuments::trusted_hosts) when some are configured;
//! 2. the fetch: through the fetcher's budget for what clients name
//!    ([`FetchPurpose::ClientNamed`](crate::fetch::FetchPurpose::ClientNamed)), so documents
//!    cannot starve the operator's fetches; no redirect followed; exactly `200`; JSON;
//! 3. the document (`document.rs`): at most
//!    [`max_document_bytes`](ClientIdMetadataDocuments::max_document_bytes); a JSON object;
//!    its `client_id` the URL by simple string comparison; no `client_secret` or
//!    `client_secret_expires_at`, no authentication method based on a shared secret
//!    (`client_secret_basic`, `client_secret_post`, `client_secret_jwt`); without
//!    `token_endpoint_auth_method` the client is public (`none`), since a document can share no
//!    secret;
//! 4. the registration rules: the same metadata limits and [`MetadataRules`](crate::metadata::MetadataRules)
//!    as a registration, then the configured policies, asked about
//!    [`Operation::MetadataDocument`](crate::policy::Operation::MetadataDocument) for an
//!    anonymous caller (anyone can publish a document).
//!
//! A valid document is cached for as long as its response's `Cache-Control` allows, kept
//! between a [minimum and a maximum](ClientIdMetadataDocuments::cache_lifetime) (no directive:
//! the minimum), in a cache of at most [`max_cached`](ClientIdMetadataDocuments::max_cached)
//! documents; invalid documents and failures are never cached, so a fixed document is seen at
//! once. Concurrent lookups of one uncached document share one fetch. A body larger than the
//! size bound is refused as it arrives, before it is parsed. Registered client ids can never be mistaken for URLs: the registry issues only ids of
//! RFC 3986 unreserved characters (no `:` or `/`), and a URL client id is never looked up in
//! the store.
//!
//! ```no_run
//! # #[cfg(feature = "fetch")]
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use tower_oidc_registration::client_id_document::ClientIdMetadataDocuments;
//! use tower_oidc_registration::fetch::HttpsFetcher;
//! use tower_oidc_registration::RegistrationConfig;
//!
//! let config = RegistrationConfig::builder("https://as.example.org/")
//!     .uri_fetcher(HttpsFetcher::builder().build()?)
//!     .client_id_metadata_documents(
//!         ClientIdMetadataDocuments::default()
//!             .cache_lifetime(Duration::from_secs(60), Duration::from_secs(3600)),
//!     )
//!     .build()?;
//! # let _ = config;
//! # Ok(())
//! # }
//! ```

mod cache;
mod coalesce;
mod document;
mod url;

use std::sync::Arc;
use std::time::Duration;

use crate::fetch::FetchError;
use crate::policy::builtin::TrustedRedirectHosts;
use crate::store::StoreError;

use cache::DocumentCache;
use coalesce::InFlight;
pub(crate) use document::checked_document;
pub(crate) use url::{check_url, is_url_client_id};

/// How the registry resolves client ids that are URLs: the cache bounds, the document size
/// limit and the hosts it trusts. `Default` is what most servers want.
#[derive(Debug, Clone)]
pub struct ClientIdMetadataDocuments {
    pub(crate) min_cache: Duration,
    pub(crate) max_cache: Duration,
    pub(crate) max_document_bytes: usize,
    pub(crate) max_cached: usize,
    pub(crate) trusted_hosts: Option<Arc<TrustedRedirectHosts>>,
}

impl Default for ClientIdMetadataDocuments {
    /// Documents cached between 5 minutes and an hour, at most 5 KiB each (the draft's
    /// suggestion), at most 4,096 of them (20 MiB at most), from any host.
    fn default() -> Self {
        Self {
            min_cache: Duration::from_secs(300),
            max_cache: Duration::from_secs(3600),
            max_document_bytes: 5 * 1024,
            max_cached: 4096,
            trusted_hosts: None,
        }
    }
}

impl ClientIdMetadataDocuments {
    /// How long a valid document is cached: its response's `max-age` (zero for `no-store` or
    /// `no-cache`), raised to `min` and capped at `max`; `min` when the response says nothing.
    /// A document that changes is seen at the latest `max` after it was fetched. `min` above
    /// `max` is a configuration error.
    #[must_use]
    pub fn cache_lifetime(mut self, min: Duration, max: Duration) -> Self {
        self.min_cache = min;
        self.max_cache = max;
        self
    }

    /// The largest document accepted, in bytes (default 5 KiB).
    #[must_use]
    pub fn max_document_bytes(mut self, bytes: usize) -> Self {
        self.max_document_bytes = bytes;
        self
    }

    /// How many documents the cache holds at most (default 4,096): when it is full, stale
    /// documents are dropped, and if none was, the one closest to going stale makes room (so
    /// that documents an attacker publishes with long lifetimes cannot keep others out).
    #[must_use]
    pub fn max_cached(mut self, documents: usize) -> Self {
        self.max_cached = documents;
        self
    }

    /// Only client ids on these hosts are resolved (exact hosts, or `*.example.org` for any
    /// subdomain, as [`TrustedRedirectHosts`] matches them; loopback hosts are not trusted unless
    /// listed); every other URL client id is refused before anything is fetched.
    #[must_use]
    pub fn trusted_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let hosts = TrustedRedirectHosts::new(hosts)
            .allow_loopback(false)
            .allow_private_use_schemes(false);
        self.trusted_hosts = Some(Arc::new(hosts));
        self
    }

    /// Whether the configuration is coherent: the cache bounds in order.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.min_cache > self.max_cache {
            return Err(format!(
                "the minimum cache lifetime ({:?}) is above the maximum ({:?})",
                self.min_cache, self.max_cache
            ));
        }
        Ok(())
    }

    /// The cache lifetime of a document whose response allowed `max_age`.
    pub(crate) fn lifetime(&self, max_age: Option<Duration>) -> Duration {
        max_age
            .unwrap_or(self.min_cache)
            .clamp(self.min_cache, self.max_cache)
    }
}

/// What the registry keeps to resolve URL client ids: the options, the cache, and the fetches
/// in progress.
pub(crate) struct DocumentResolver {
    pub(crate) options: ClientIdMetadataDocuments,
    pub(crate) cache: DocumentCache,
    pub(crate) in_flight: InFlight,
}

impl DocumentResolver {
    pub(crate) fn new(options: ClientIdMetadataDocuments) -> Self {
        Self {
            cache: DocumentCache::new(options.max_cached),
            in_flight: InFlight::default(),
            options,
        }
    }
}

/// Why a client id could not be resolved: [`Registry::client`](crate::Registry::client)'s
/// error.
///
/// Each is `invalid_client` to the client ([`error_code`](Self::error_code)), but for a
/// failing store (`server_error`). [`Display`](std::fmt::Display) is safe to show a client: a
/// fetch failure is one description whatever its cause (a refused connection, a TLS failure or a
/// timeout would tell which hosts and ports the server reaches); the cause is in `Debug` and in
/// a `debug` event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientLookupError {
    /// The URL is not a valid client id URL: why.
    #[error("the client id is not a valid client id URL: {0}")]
    InvalidUrl(&'static str),
    /// The URL's host is not one of the trusted hosts.
    #[error("client id metadata documents from this host are not accepted")]
    UntrustedHost,
    /// The document could not be fetched (the cause is for the operator only).
    #[error("the client id metadata document could not be fetched")]
    Fetch(FetchError),
    /// The document was fetched but is not acceptable: why.
    #[error("the client id metadata document is not acceptable: {0}")]
    InvalidDocument(String),
    /// The store failed.
    #[error("client store: {0}")]
    Store(#[from] StoreError),
}

impl ClientLookupError {
    /// A copy, for each caller that shared one fetch. A store error never comes from a
    /// document's resolution; were it to, its text is kept.
    pub(crate) fn duplicate(&self) -> Self {
        match self {
            Self::InvalidUrl(why) => Self::InvalidUrl(why),
            Self::UntrustedHost => Self::UntrustedHost,
            Self::Fetch(error) => Self::Fetch(error.clone()),
            Self::InvalidDocument(why) => Self::InvalidDocument(why.clone()),
            Self::Store(error) => Self::InvalidDocument(error.to_string()),
        }
    }

    /// The OAuth error code to answer with (RFC 6749 §5.2): `server_error` when the store
    /// failed, `invalid_client` otherwise.
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::Store(_) => "server_error",
            _ => "invalid_client",
        }
    }
}

#[cfg(test)]
mod tests;
