//! The built-in [`UriFetcher`]: one HTTP/1.1 `GET` over TLS per document, guarded against
//! server-side request forgery, with a bounded cache.
//!
//! The host is resolved once, every address checked, and the connection opened to a checked
//! address: a DNS answer that changes between the check and the connection (DNS rebinding)
//! cannot slip a private address in, because nothing is resolved again.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;

mod budget;
mod builder;

pub use builder::HttpsFetcherBuilder;

use super::{FetchError, FetchPurpose, FetchedDocument, UriFetcher};
use crate::address;
use crate::clock::Clock;
use crate::syntax::is_loopback_ip;
use budget::FetchBudgets;

/// What one cache entry costs besides its body and URI (moka's bookkeeping, the `Bytes`
/// header), rounded up: a cache of many tiny documents is bounded too.
const CACHE_ENTRY_OVERHEAD: usize = 256;

/// An HTTPS [`UriFetcher`] for documents that clients and operators name: `https` only, no
/// redirects followed (a 3xx is an error), public addresses only (not loopback, private,
/// link-local, CGNAT, unique-local, multicast, documentation, their IPv4-mapped forms...),
/// a size cap, one timeout for the whole exchange, `application/json` (or
/// `application/*+json`) only.
///
/// Documents the operator configured ([`FetchPurpose::OperatorConfigured`], trusted issuers'
/// key sets) are cached for a configurable lifetime, as their raw bodies, in a cache bounded by
/// bytes ([`cache_max_bytes`](HttpsFetcherBuilder::cache_max_bytes)) and parsed on each use:
/// what a body parses into can be many times its size, what it weighs is known. Documents a
/// client names ([`FetchPurpose::ClientNamed`], `sector_identifier_uri`) are never cached, so
/// that no client can fill the cache or evict the issuers' key sets from it. Failures are not
/// cached.
///
/// Each purpose has a budget of fetches in progress at once
/// ([`max_concurrent_fetches`](HttpsFetcherBuilder::max_concurrent_fetches): 16 for the
/// operator's, 32 for the clients'), as each fetch holds a connection, a task and a body buffer
/// for up to the timeout; one more fails at once with [`FetchError::TooManyFetches`] rather
/// than waiting. The budgets are apart so that clients naming slow servers exhaust their own
/// only: an issuer's keys are still fetched. Cheap to clone: clones share the cache and the
/// budgets.
///
/// Needs a Tokio runtime (with I/O and time enabled). Trusts Mozilla's root certificates.
///
/// ```
/// use std::time::Duration;
/// use tower_oidc_registration::RegistrationConfig;
/// use tower_oidc_registration::fetch::HttpsFetcher;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let fetcher = HttpsFetcher::builder()
///     .timeout(Duration::from_secs(5))
///     .cache_lifetime(Duration::from_secs(600))
///     .build()?;
/// let config = RegistrationConfig::builder("https://iam.example.org/")
///     .uri_fetcher(fetcher)
///     .build()?;
/// # let _ = config;
/// # Ok(())
/// # }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "fetch")))]
#[derive(Clone)]
pub struct HttpsFetcher {
    inner: Arc<Inner>,
}

struct Inner {
    tls: TlsConnector,
    timeout: Duration,
    max_body_bytes: usize,
    allow_loopback: bool,
    /// The fetches in progress, by purpose.
    budgets: FetchBudgets,
    /// Raw bodies, already checked to be JSON, by URI.
    cache: Option<moka::future::Cache<String, CachedBody>>,
    /// How long a cached body stays fresh, in whole seconds of `clock` (rounded up).
    cache_lifetime_secs: u64,
    /// What decides when a cached body is stale.
    clock: Arc<dyn Clock>,
}

/// A cached body and the second (of the fetcher's clock) from which it is stale.
#[derive(Clone)]
struct CachedBody {
    body: Bytes,
    stale_from: u64,
}

impl std::fmt::Debug for HttpsFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpsFetcher")
            .field("timeout", &self.inner.timeout)
            .field("max_body_bytes", &self.inner.max_body_bytes)
            .field("allow_loopback", &self.inner.allow_loopback)
            .field("budgets", &self.inner.budgets)
            .field("cache", &self.inner.cache.is_some())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl UriFetcher for HttpsFetcher {
    async fn fetch_json(&self, uri: &str, purpose: FetchPurpose) -> Result<Value, FetchError> {
        match purpose {
            FetchPurpose::OperatorConfigured => self.fetch_cached(uri).await,
            FetchPurpose::ClientNamed => self
                .inner
                .fetch(uri, purpose, self.inner.max_body_bytes)
                .await
                .map(|fetched| fetched.document),
        }
    }

    async fn fetch_document(
        &self,
        uri: &str,
        purpose: FetchPurpose,
        max_bytes: usize,
    ) -> Result<FetchedDocument, FetchError> {
        // Never from this fetcher's cache: whoever asks for the response's caching directives
        // keeps the document itself, for as long as they allow. A larger body is refused as it
        // arrives, before it is parsed.
        let limit = max_bytes.min(self.inner.max_body_bytes);
        let fetched = self.inner.fetch(uri, purpose, limit).await?;
        Ok(FetchedDocument::new(fetched.document)
            .with_status(fetched.status)
            .with_size(fetched.body.len())
            .with_max_age(fetched.max_age))
    }

    async fn refetch_json(&self, uri: &str, purpose: FetchPurpose) -> Result<Value, FetchError> {
        if let (FetchPurpose::OperatorConfigured, Some(cache)) = (purpose, &self.inner.cache) {
            cache.invalidate(uri).await;
        }
        self.fetch_json(uri, purpose).await
    }
}

impl HttpsFetcher {
    /// The operator-configured document at `uri`, from the cache while it is fresh.
    async fn fetch_cached(&self, uri: &str) -> Result<Value, FetchError> {
        let purpose = FetchPurpose::OperatorConfigured;
        let Some(cache) = &self.inner.cache else {
            return self
                .inner
                .fetch(uri, purpose, self.inner.max_body_bytes)
                .await
                .map(|fetched| fetched.document);
        };
        let now = self.inner.clock.now();
        if cache
            .get(uri)
            .await
            .is_some_and(|cached| cached.stale_from <= now)
        {
            cache.invalidate(uri).await;
        }
        // The document parsed by this call's own fetch, if it made the one that filled the cache.
        let mut fetched = None;
        // Concurrent fetches of one URI share one request.
        let cached = cache
            .try_get_with_by_ref(uri, async {
                let response = self
                    .inner
                    .fetch(uri, purpose, self.inner.max_body_bytes)
                    .await?;
                fetched = Some(response.document);
                Ok::<_, FetchError>(CachedBody {
                    body: response.body,
                    stale_from: now.saturating_add(self.inner.cache_lifetime_secs),
                })
            })
            .await
            .map_err(|err| FetchError::clone(&err))?;
        match fetched {
            Some(document) => Ok(document),
            // Checked when it was fetched: parsing it again succeeds.
            None => serde_json::from_slice(&cached.body).map_err(|_| FetchError::InvalidJson),
        }
    }
}

/// Aborts the task driving a connection when the fetch ends, however it ends (a timeout drops
/// the fetch future): no connection outlives its fetch.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What a cached body weighs against [`HttpsFetcherBuilder::cache_max_bytes`].
fn cache_weight(uri: &str, body: &Bytes) -> u32 {
    let bytes = body
        .len()
        .saturating_add(uri.len())
        .saturating_add(CACHE_ENTRY_OVERHEAD);
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

impl Inner {
    /// The response at `uri`, within the budget of `purpose`, its body at most `limit` bytes.
    async fn fetch(
        &self,
        uri: &str,
        purpose: FetchPurpose,
        limit: usize,
    ) -> Result<Fetched, FetchError> {
        let url = url::Url::parse(uri).map_err(|_| FetchError::InvalidUri)?;
        if url.scheme() != "https" {
            return Err(FetchError::NotHttps);
        }
        let permit = Arc::new(self.budgets.permit(purpose)?);
        tokio::time::timeout(self.timeout, self.get(&url, &permit, limit))
            .await
            .map_err(|_| FetchError::Timeout(self.timeout))?
    }

    /// The addresses of the URL's host, every one of them allowed.
    async fn checked_addresses(
        &self,
        host: &url::Host<&str>,
        port: u16,
        permit: &Arc<OwnedSemaphorePermit>,
    ) -> Result<Vec<SocketAddr>, FetchError> {
        let addresses: Vec<SocketAddr> = match host {
            url::Host::Ipv4(ip) => vec![SocketAddr::new(IpAddr::V4(*ip), port)],
            url::Host::Ipv6(ip) => vec![SocketAddr::new(IpAddr::V6(*ip), port)],
            url::Host::Domain(name) => match lookup(name, port, Arc::clone(permit)).await {
                Ok(found) => found,
                Err(err) => {
                    tracing::debug!(host = %name, error = %err, "fetch: host could not be resolved");
                    return Err(FetchError::Resolve(name.to_string()));
                }
            },
        };
        if addresses.is_empty() {
            tracing::debug!(%host, "fetch: host resolves to no address");
            return Err(FetchError::Resolve(host.to_string()));
        }
        // Every address, not just the first: the connection may fall back to any of them.
        if let Some(refused) = addresses.iter().find(|a| !self.allowed(a.ip())) {
            tracing::debug!(%host, address = %refused.ip(), "fetch: host resolves to an address that is not public");
            return Err(FetchError::ForbiddenAddress {
                host: host.to_string(),
                address: refused.ip(),
            });
        }
        Ok(addresses)
    }

    fn allowed(&self, ip: IpAddr) -> bool {
        address::is_public(ip) || (self.allow_loopback && is_loopback_ip(ip))
    }

    async fn get(
        &self,
        url: &url::Url,
        permit: &Arc<OwnedSemaphorePermit>,
        limit: usize,
    ) -> Result<Fetched, FetchError> {
        let host = url.host().ok_or(FetchError::InvalidUri)?;
        let port = url.port_or_known_default().unwrap_or(443);
        let addresses = self.checked_addresses(&host, port, permit).await?;
        let server_name = match host {
            url::Host::Domain(name) => {
                ServerName::try_from(name.to_owned()).map_err(|_| FetchError::InvalidUri)?
            }
            url::Host::Ipv4(ip) => ServerName::IpAddress(IpAddr::V4(ip).into()),
            url::Host::Ipv6(ip) => ServerName::IpAddress(IpAddr::V6(ip).into()),
        };
        let tcp = connect(&addresses).await?;
        let tls = self
            .tls
            .connect(server_name, tcp)
            .await
            .map_err(|e| FetchError::Connect(format!("TLS: {e}")))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| FetchError::Http(e.to_string()))?;
        let _driver = AbortOnDrop(tokio::spawn(async move {
            // Its failure surfaces as the request's.
            let _ = connection.await;
        }));
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        let target = &url[url::Position::BeforePath..url::Position::AfterQuery];
        let request = Request::get(target)
            .header(header::HOST, authority)
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, "tower-oidc-registration")
            .body(Empty::<Bytes>::new())
            .map_err(|_| FetchError::InvalidUri)?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| FetchError::Http(e.to_string()))?;
        let status = response.status();
        check_status(status)?;
        check_content_type(response.headers())?;
        let max_age = max_age(response.headers());
        let declared = response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(FetchError::TooLarge(limit));
        }
        let body = Limited::new(response.into_body(), limit)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    FetchError::TooLarge(limit)
                } else {
                    FetchError::Http(e.to_string())
                }
            })?
            .to_bytes();
        let document = serde_json::from_slice(&body).map_err(|_| FetchError::InvalidJson)?;
        Ok(Fetched {
            body,
            document,
            status: status.as_u16(),
            max_age,
        })
    }
}

/// A successful response: its raw body, what it parses into, and what it says about caching.
struct Fetched {
    body: Bytes,
    document: Value,
    status: u16,
    max_age: Option<Duration>,
}

/// How long the response may be cached (RFC 9111 §5.2.2), by a shared cache, which the
/// registry's cache of documents is: `s-maxage`, else `max-age` (the first of each, §4.2.1), or
/// zero for `no-store`, `no-cache` and a malformed value; `None` when `Cache-Control` says
/// none of these (or is not text). A value too large to count saturates (§1.2.2).
pub(super) fn max_age(headers: &http::HeaderMap) -> Option<Duration> {
    let (mut max_age, mut s_maxage) = (None, None);
    for value in headers.get_all(header::CACHE_CONTROL) {
        let Ok(value) = value.to_str() else {
            continue;
        };
        for directive in value.split(',') {
            let directive = directive.trim();
            let (name, argument) = directive.split_once('=').unwrap_or((directive, ""));
            let seconds = || {
                let digits = argument.trim().trim_matches('"');
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    digits.parse::<u64>().unwrap_or(u64::MAX)
                } else {
                    0
                }
            };
            match name.trim().to_ascii_lowercase().as_str() {
                "no-store" | "no-cache" => return Some(Duration::ZERO),
                "s-maxage" => s_maxage = s_maxage.or_else(|| Some(seconds())),
                "max-age" => max_age = max_age.or_else(|| Some(seconds())),
                _ => {}
            }
        }
    }
    s_maxage.or(max_age).map(Duration::from_secs)
}

/// The addresses of `name`, looked up on the blocking thread pool (as `tokio::net::lookup_host`
/// does) while holding `permit`: a lookup that outlives its fetch's timeout still counts
/// against its budget of fetches in progress.
async fn lookup(
    name: &str,
    port: u16,
    permit: Arc<OwnedSemaphorePermit>,
) -> std::io::Result<Vec<SocketAddr>> {
    let name = name.to_owned();
    tokio::task::spawn_blocking(move || {
        let _held = permit;
        (name.as_str(), port)
            .to_socket_addrs()
            .map(Iterator::collect)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// A connection to the first of `addresses` that answers.
async fn connect(addresses: &[SocketAddr]) -> Result<TcpStream, FetchError> {
    let mut last_error = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last_error = Some(e),
        }
    }
    Err(FetchError::Connect(
        last_error.map_or_else(|| "no address".to_owned(), |e| e.to_string()),
    ))
}

fn check_status(status: StatusCode) -> Result<(), FetchError> {
    if status.is_redirection() {
        Err(FetchError::Redirect(status.as_u16()))
    } else if !status.is_success() {
        Err(FetchError::Status(status.as_u16()))
    } else {
        Ok(())
    }
}

/// `application/json` or a structured `+json` type (`application/jwk-set+json`), any
/// parameters; anything else, or none, is refused.
fn check_content_type(headers: &http::HeaderMap) -> Result<(), FetchError> {
    let value = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)"))
        .unwrap_or("(none)");
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let is_json = essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json") && !subtype.contains('/'));
    if is_json {
        Ok(())
    } else {
        let shown: String = value.chars().take(64).collect();
        Err(FetchError::ContentType(shown))
    }
}

#[cfg(test)]
mod tests;
