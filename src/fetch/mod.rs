//! Fetching the JSON documents that registration metadata and configuration point at: a
//! client's `sector_identifier_uri` (OpenID Connect Registration §5) and the `jwks_uri` of a
//! trusted software statement issuer (RFC 7591 §2.3).
//!
//! The registry fetches through a [`UriFetcher`], configured with
//! [`RegistrationConfigBuilder::uri_fetcher`](crate::RegistrationConfigBuilder::uri_fetcher).
//! Without one, a `sector_identifier_uri` is refused and an issuer given by `jwks_uri` is a
//! configuration error. What the registry does with the documents, software statements and
//! sector identifiers, is in the crate's guide:
//! [software statements and sector identifiers](crate#software-statements-and-sector-identifiers).
//!
//! A URI a client registers is a request the server makes on the client's behalf: an
//! implementation must not let it reach the server's own network (server-side request
//! forgery), and must not let clients' fetches crowd out the operator's: each fetch says who
//! named its URI ([`FetchPurpose`]). Tests can swap in an implementation that serves fixed
//! documents.
//!
//! # The built-in HTTPS fetcher
//!
//! With the `fetch` feature, [`HttpsFetcher`] is a ready one, guarded against server-side
//! request forgery:
//!
//! - `https` only; no redirect followed (a 3xx is an error);
//! - the host resolved once, every address checked, and the connection made to a checked
//!   address (no DNS rebinding window); loopback, private, link-local, CGNAT, unique-local,
//!   multicast, documentation and other special-purpose addresses refused, IPv4-mapped forms
//!   included;
//! - a body cap (256 KiB), one timeout for the whole exchange (10 s); `application/json` or
//!   `application/*+json` only;
//! - trusted issuers' key sets ([`FetchPurpose::OperatorConfigured`]) are cached for a lifetime
//!   (`cache_lifetime`, 5 minutes) as raw bodies, in a cache bounded by bytes
//!   (`cache_max_bytes`, 16 MiB) and parsed on each use; `sector_identifier_uri` documents,
//!   which clients name ([`FetchPurpose::ClientNamed`]), are never cached, so that no client
//!   can fill the cache or evict the key sets from it; failures are not cached;
//! - a host that does not resolve and one that resolves to a refused address give the same
//!   error (`the host is not reachable from this server`), and no error carries what the
//!   remote server sent; the registry does not show the error to the client anyway, only one
//!   description per kind of URI (`sector_identifier_uri: could not be fetched`,
//!   `software_statement: its issuer's keys could not be fetched`), so that registering URIs
//!   cannot probe which hosts and ports the server reaches; the error goes to a `debug` event;
//! - a budget of fetches in progress at once for each purpose (`max_concurrent_fetches`): 16
//!   for the documents the operator configured, 32 for those clients name, so that clients
//!   naming slow servers use up their own budget only and issuers' keys are still fetched; one
//!   fetch more than its budget fails at once ("too many fetches in progress") rather than
//!   waiting, and a host lookup that outlives its fetch's timeout still counts.
//!
//! `allow_loopback(true)` and `add_root_certificate(der)` exist for tests against a local
//! server. The settings are on [`HttpsFetcherBuilder`].
//!
//! ```toml
//! tower-oidc-registration = { version = "0.1", features = ["fetch"] }
//! ```
//!
//! A fetcher with shorter timeouts and a longer cache, an issuer whose keys are fetched from
//! its `jwks_uri`, one whose keys are given inline, and a software statement required of
//! anonymous registrants:
//!
//! ```no_run
//! # #[cfg(feature = "fetch")]
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use tower_oidc_registration::fetch::HttpsFetcher;
//! use tower_oidc_registration::{
//!     RegistrationConfig, SoftwareStatementRequirement, TrustedIssuer,
//! };
//!
//! let fetcher = HttpsFetcher::builder()
//!     .timeout(Duration::from_secs(5))
//!     .cache_lifetime(Duration::from_secs(600))
//!     .build()?;
//! let config = RegistrationConfig::builder("https://iam.example.org/")
//!     .uri_fetcher(fetcher)
//!     .trusted_software_statement_issuer(TrustedIssuer::with_jwks_uri(
//!         "https://software.example.org",
//!         "https://software.example.org/jwks.json",
//!     ))
//!     .trusted_software_statement_issuer(TrustedIssuer::with_jwks(
//!         "https://partner.example.net",
//!         serde_json::json!({"keys": [{
//!             "kty": "OKP", "crv": "Ed25519", "kid": "2026",
//!             "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
//!         }]}),
//!     ))
//!     .require_software_statement(SoftwareStatementRequirement::ForAnonymous)
//!     .build()?;
//! # let _ = config;
//! # Ok(())
//! # }
//! ```
//!
// Without the `fetch` feature, the fetcher is not in these docs: link to docs.rs, built with
// every feature.
#![cfg_attr(
    not(feature = "fetch"),
    doc = "[`HttpsFetcher`]: https://docs.rs/tower-oidc-registration/latest/tower_oidc_registration/fetch/struct.HttpsFetcher.html"
)]
#![cfg_attr(
    not(feature = "fetch"),
    doc = "[`HttpsFetcherBuilder`]: https://docs.rs/tower-oidc-registration/latest/tower_oidc_registration/fetch/struct.HttpsFetcherBuilder.html"
)]

#[cfg(feature = "fetch")]
mod https;

use std::net::IpAddr;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

#[cfg(feature = "fetch")]
#[cfg_attr(docsrs, doc(cfg(feature = "fetch")))]
pub use https::{HttpsFetcher, HttpsFetcherBuilder};

/// Who named a URI: which of a fetcher's budgets its fetch counts against, and whether its
/// document may be cached.
///
/// The two differ in who controls them. The operator configures a handful of URIs and trusts
/// them; any client can name any number of URIs, slow or hostile ones included. A fetcher that
/// let both share one budget would let clients naming a tarpit exhaust it, and with it the
/// fetches the operator's own configuration needs (a trusted issuer's keys, without which no
/// software statement verifies). Every URI is one or the other, so the enum is exhaustive: an
/// implementation decides for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FetchPurpose {
    /// A URI of the server's configuration: the `jwks_uri` of a trusted software statement
    /// issuer. Its document may be cached.
    OperatorConfigured,
    /// A URI of client metadata, whoever submitted it: a `sector_identifier_uri`, or a client
    /// id that is the URL of its client id metadata document. Its document
    /// is checked as it is now, at each registration and update, so it must not be served from
    /// a cache; nor should it be stored in one, where clients naming ever new URIs would fill
    /// the cache and evict the documents the operator named.
    ClientNamed,
}

/// Fetches the JSON document at a URI. Object-safe: the configuration keeps an
/// `Arc<dyn UriFetcher>`.
///
/// Each call says who named the URI ([`FetchPurpose`]): an implementation that limits its
/// fetches should give each purpose a budget of its own, so that the URIs clients name cannot
/// starve those the operator configured.
///
/// ```
/// use serde_json::{Value, json};
/// use tower_oidc_registration::fetch::{FetchError, FetchPurpose, UriFetcher};
///
/// /// Serves one fixed sector identifier document, fetches nothing.
/// struct Fixed;
///
/// #[async_trait::async_trait]
/// impl UriFetcher for Fixed {
///     async fn fetch_json(&self, uri: &str, _purpose: FetchPurpose) -> Result<Value, FetchError> {
///         match uri {
///             "https://rp.example.org/sector.json" => Ok(json!(["https://rp.example.org/cb"])),
///             _ => Err(FetchError::Status(404)),
///         }
///     }
/// }
/// ```
#[async_trait]
pub trait UriFetcher: Send + Sync + 'static {
    /// The JSON document at `uri` (an absolute URI as the client or the operator gave it). A
    /// fetcher with a cache may answer an [`OperatorConfigured`](FetchPurpose::OperatorConfigured)
    /// URI from it; a [`ClientNamed`](FetchPurpose::ClientNamed) one is fetched anew each time
    /// and not cached.
    async fn fetch_json(&self, uri: &str, purpose: FetchPurpose) -> Result<Value, FetchError>;

    /// The document at `uri` fetched anew, bypassing (and replacing) any cached copy: used
    /// when an issuer's cached key set lacks the key a statement names, as after a key
    /// rotation. The default, for fetchers without a cache, is [`fetch_json`](Self::fetch_json).
    async fn refetch_json(&self, uri: &str, purpose: FetchPurpose) -> Result<Value, FetchError> {
        self.fetch_json(uri, purpose).await
    }

    /// The document at `uri` fetched anew, with the response's status, size and caching
    /// directives: what a caller that keeps documents itself needs (the registry's client id
    /// metadata documents). Never answered from a cache, no redirect followed, and a body over
    /// `max_bytes` refused as it arrives ([`FetchError::TooLarge`]), before it is parsed.
    ///
    /// The default refuses (`FetchError::Other`): a fetcher that only knows JSON cannot tell
    /// the status, the size or the caching directives, so documents fail closed with it.
    /// `HttpsFetcher` (the `fetch` feature) implements it.
    async fn fetch_document(
        &self,
        uri: &str,
        purpose: FetchPurpose,
        max_bytes: usize,
    ) -> Result<FetchedDocument, FetchError> {
        let _ = (uri, purpose, max_bytes);
        Err(FetchError::Other(
            "this fetcher does not fetch client id metadata documents".to_owned(),
        ))
    }
}

/// A document as [`UriFetcher::fetch_document`] fetched it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FetchedDocument {
    /// The parsed body.
    pub document: Value,
    /// The response's status code (a fetcher answers only 2xx; a caller may ask for exactly
    /// 200).
    pub status: u16,
    /// The size of the body, in bytes.
    pub size: usize,
    /// How long the response may be cached, from its `Cache-Control` (`max-age`; zero for
    /// `no-store` or `no-cache`); `None` when it says nothing.
    pub max_age: Option<Duration>,
}

impl FetchedDocument {
    /// A document received with status 200, of size 0 (set it with
    /// [`with_size`](Self::with_size)) and no caching directive.
    pub fn new(document: Value) -> Self {
        Self {
            document,
            status: 200,
            size: 0,
            max_age: None,
        }
    }

    /// With the response's status code.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// With the size of the body, in bytes.
    #[must_use]
    pub fn with_size(mut self, size: usize) -> Self {
        self.size = size;
        self
    }

    /// With how long the response may be cached.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Option<Duration>) -> Self {
        self.max_age = max_age;
        self
    }
}

impl std::fmt::Debug for dyn UriFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UriFetcher")
    }
}

/// Why a document could not be fetched. The registry never tells a client which: it answers
/// every fetch failure with one `error_description` per kind of URI (`sector_identifier_uri:
/// could not be fetched`), since the reason (a refused connection, a TLS failure, a timeout)
/// would tell the client which hosts and ports the server reaches, and logs the error as a
/// `debug` event for the operator. Its `Display`, for hosts that show it elsewhere,
/// says what went wrong without echoing what the remote server sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URI is not an absolute URI with a host.
    #[error("not an absolute URL with a host")]
    InvalidUri,
    /// The URI's scheme is not `https`.
    #[error("must be an https URL")]
    NotHttps,
    /// The host resolves to an address that is not public (loopback, private, link-local,
    /// multicast, documentation...): nothing was sent. Its `Display` is the same as
    /// [`Resolve`](Self::Resolve)'s and names neither host nor address, so that a client
    /// cannot tell an internal name from one that does not exist through error descriptions;
    /// `Debug` (and a `debug`-level trace) keeps the detail for the operator.
    #[error("the host is not reachable from this server")]
    ForbiddenAddress {
        /// The host of the URI.
        host: String,
        /// The first address that is not public.
        address: IpAddr,
    },
    /// The host could not be resolved, or resolves to no address. Displayed like
    /// [`ForbiddenAddress`](Self::ForbiddenAddress); the host is in `Debug` only.
    #[error("the host is not reachable from this server")]
    Resolve(String),
    /// No connection could be opened, or TLS failed (an untrusted certificate, say).
    #[error("could not connect: {0}")]
    Connect(String),
    /// The server broke the HTTP exchange.
    #[error("HTTP exchange failed: {0}")]
    Http(String),
    /// The server answered with a redirect, which is never followed: its target is a URI the
    /// server did not check.
    #[error("answered with a redirect ({0}), which is not followed")]
    Redirect(u16),
    /// The server answered with a status other than 2xx or 3xx.
    #[error("answered with status {0}")]
    Status(u16),
    /// The response is not `application/json` (or `application/*+json`). The content type it
    /// has (at most 64 characters of it) is in `Debug` only: what a remote server sends is not
    /// echoed to the client.
    #[error("the response's content type is not JSON")]
    ContentType(String),
    /// The response body is larger than the limit, in bytes.
    #[error("the response is larger than {0} bytes")]
    TooLarge(usize),
    /// No complete response arrived within the timeout.
    #[error("no complete response within {0:?}")]
    Timeout(Duration),
    /// The body is not valid JSON.
    #[error("the response is not valid JSON")]
    InvalidJson,
    /// As many fetches as the fetcher allows at once for this purpose ([`FetchPurpose`]) are
    /// in progress: this one was refused at once, before any request (see
    /// `HttpsFetcherBuilder::max_concurrent_fetches`).
    #[error("too many fetches in progress")]
    TooManyFetches,
    /// Any other reason, for other implementations.
    #[error("{0}")]
    Other(String),
}
