//! [`HttpsFetcherBuilder`]: every setting of the built-in fetcher with its default, and what
//! `build` checks and derives (the TLS configuration, the cache).

use std::sync::Arc;
use std::time::Duration;

use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::{self, RootCertStore};

use super::budget::FetchBudgets;
use super::{CachedBody, HttpsFetcher, Inner, cache_weight};
use crate::clock::{Clock, SystemClock};
use crate::fetch::{FetchError, FetchPurpose};

/// Default [`HttpsFetcherBuilder::timeout`]: 10 seconds.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`HttpsFetcherBuilder::max_body_bytes`]: 256 KiB, ample for a JWK Set or a
/// sector identifier document.
const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;
/// Default [`HttpsFetcherBuilder::cache_lifetime`]: 5 minutes.
const DEFAULT_CACHE_LIFETIME: Duration = Duration::from_secs(300);
/// Default [`HttpsFetcherBuilder::cache_max_bytes`]: 16 MiB of cached bodies.
const DEFAULT_CACHE_MAX_BYTES: u64 = 16 * 1024 * 1024;
/// Default [`HttpsFetcherBuilder::max_concurrent_fetches`] of
/// [`FetchPurpose::OperatorConfigured`] documents: 16. The operator names a few issuers, and
/// concurrent fetches of one issuer's cached key set share one fetch: this leaves room for many
/// issuers at once, or for a burst of statements with the cache off.
const DEFAULT_MAX_OPERATOR_CONFIGURED_FETCHES: usize = 16;
/// Default [`HttpsFetcherBuilder::max_concurrent_fetches`] of [`FetchPurpose::ClientNamed`]
/// documents: 32, each an uncached fetch of one registration or update.
const DEFAULT_MAX_CLIENT_NAMED_FETCHES: usize = 32;

/// Builds an [`HttpsFetcher`].
#[cfg_attr(docsrs, doc(cfg(feature = "fetch")))]
#[derive(Clone)]
#[must_use]
pub struct HttpsFetcherBuilder {
    timeout: Duration,
    max_body_bytes: usize,
    cache_lifetime: Duration,
    cache_max_bytes: u64,
    max_operator_configured_fetches: usize,
    max_client_named_fetches: usize,
    allow_loopback: bool,
    extra_roots: Vec<Vec<u8>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for HttpsFetcherBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpsFetcherBuilder")
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("cache_lifetime", &self.cache_lifetime)
            .field("cache_max_bytes", &self.cache_max_bytes)
            .field(
                "max_operator_configured_fetches",
                &self.max_operator_configured_fetches,
            )
            .field("max_client_named_fetches", &self.max_client_named_fetches)
            .field("allow_loopback", &self.allow_loopback)
            .field("extra_roots", &self.extra_roots.len())
            .finish_non_exhaustive()
    }
}

impl HttpsFetcherBuilder {
    /// The longest a fetch may take, from resolving the host to the last byte of the body
    /// (default 10 s). Not zero.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body accepted, in bytes (default 256 KiB).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// How long a fetched document is reused (default 5 minutes); zero disables the cache.
    /// Measured in whole seconds of the fetcher's [`clock`](Self::clock), rounded up: a
    /// document is stale from the first second at or after its fetch plus the lifetime.
    pub fn cache_lifetime(mut self, lifetime: Duration) -> Self {
        self.cache_lifetime = lifetime;
        self
    }

    /// The clock that decides when a cached document is stale (default: the system clock).
    /// Tests pass the one they give the registry, to cross a cache lifetime without waiting.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How many bytes of documents the cache holds at most (default 16 MiB), counting each
    /// entry as its body, its URI and a fixed overhead; the least used entries go first. Zero
    /// disables the cache. A document larger than the budget is not kept.
    pub fn cache_max_bytes(mut self, bytes: u64) -> Self {
        self.cache_max_bytes = bytes;
        self
    }

    /// How many fetches of `purpose` may be in progress at once: default 16 for
    /// [`OperatorConfigured`](FetchPurpose::OperatorConfigured) documents, 32 for
    /// [`ClientNamed`](FetchPurpose::ClientNamed) ones. Each purpose has a budget of its own,
    /// so that clients naming slow servers cannot use up the operator's; one fetch more than
    /// its budget fails at once with [`FetchError::TooManyFetches`]. A fetch counts from its
    /// start until it ends and its host lookup (which runs on the blocking thread pool and is
    /// not cut short by the timeout) has returned. Concurrent fetches of one cached document
    /// share one fetch. Not zero.
    ///
    /// ```
    /// use tower_oidc_registration::fetch::{FetchPurpose, HttpsFetcher};
    ///
    /// let fetcher = HttpsFetcher::builder()
    ///     .max_concurrent_fetches(FetchPurpose::ClientNamed, 64)
    ///     .max_concurrent_fetches(FetchPurpose::OperatorConfigured, 4)
    ///     .build()
    ///     .expect("fetcher");
    /// # let _ = fetcher;
    /// ```
    pub fn max_concurrent_fetches(mut self, purpose: FetchPurpose, fetches: usize) -> Self {
        match purpose {
            FetchPurpose::OperatorConfigured => self.max_operator_configured_fetches = fetches,
            FetchPurpose::ClientNamed => self.max_client_named_fetches = fetches,
        }
        self
    }

    /// Allows loopback addresses (default: refused). **For tests only**: a server that may
    /// fetch from loopback lets any client reach the services of its own host.
    pub fn allow_loopback(mut self, allow: bool) -> Self {
        self.allow_loopback = allow;
        self
    }

    /// Trusts one more root certificate (DER), besides Mozilla's: a test server's, or a
    /// private certificate authority's.
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(der.into());
        self
    }

    /// Builds the fetcher.
    ///
    /// # Errors
    ///
    /// [`FetchError::Other`] for a zero timeout, a zero `max_concurrent_fetches` of either
    /// purpose or a root certificate that cannot be used.
    pub fn build(self) -> Result<HttpsFetcher, FetchError> {
        if self.timeout.is_zero() {
            return Err(FetchError::Other("timeout: must not be zero".into()));
        }
        for (purpose, fetches) in [
            (
                FetchPurpose::OperatorConfigured,
                self.max_operator_configured_fetches,
            ),
            (FetchPurpose::ClientNamed, self.max_client_named_fetches),
        ] {
            if fetches == 0 {
                return Err(FetchError::Other(format!(
                    "max_concurrent_fetches of {purpose:?} documents: must not be zero"
                )));
            }
        }
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for (i, der) in self.extra_roots.into_iter().enumerate() {
            roots
                .add(CertificateDer::from(der))
                .map_err(|e| FetchError::Other(format!("root certificate {i}: {e}")))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| FetchError::Other(format!("TLS configuration: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        // Staleness is the clock's to decide (see `fetch_json`), not the cache's own timer:
        // a stale entry stays until it is next asked for or evicted, within the byte budget.
        let cache = (!self.cache_lifetime.is_zero() && self.cache_max_bytes > 0).then(|| {
            moka::future::Cache::builder()
                .weigher(|uri: &String, cached: &CachedBody| cache_weight(uri, &cached.body))
                .max_capacity(self.cache_max_bytes)
                .build()
        });
        let cache_lifetime_secs = self
            .cache_lifetime
            .as_secs()
            .saturating_add(u64::from(self.cache_lifetime.subsec_nanos() > 0));
        Ok(HttpsFetcher {
            inner: Arc::new(Inner {
                tls: TlsConnector::from(Arc::new(config)),
                timeout: self.timeout,
                max_body_bytes: self.max_body_bytes,
                allow_loopback: self.allow_loopback,
                budgets: FetchBudgets::new(
                    self.max_operator_configured_fetches,
                    self.max_client_named_fetches,
                ),
                cache,
                cache_lifetime_secs,
                clock: self.clock,
            }),
        })
    }
}

impl HttpsFetcher {
    /// A builder with the defaults: 10 s timeout, 256 KiB bodies, a 5-minute cache of at most
    /// 16 MiB, 16 fetches of operator-configured documents and 32 of client-named ones at
    /// once, public addresses only.
    pub fn builder() -> HttpsFetcherBuilder {
        HttpsFetcherBuilder {
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            cache_lifetime: DEFAULT_CACHE_LIFETIME,
            cache_max_bytes: DEFAULT_CACHE_MAX_BYTES,
            max_operator_configured_fetches: DEFAULT_MAX_OPERATOR_CONFIGURED_FETCHES,
            max_client_named_fetches: DEFAULT_MAX_CLIENT_NAMED_FETCHES,
            allow_loopback: false,
            extra_roots: Vec::new(),
            clock: Arc::new(SystemClock),
        }
    }
}
