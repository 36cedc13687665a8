//! [`TrustedRedirectHosts`]: the hosts that redirect URIs and post-logout redirect URIs may
//! point to.
//!
//! Owns the matching of a URI's host against exact hosts and `*.domain` wildcards, and the
//! canonical form both are compared in. It must not know the RFC rules of redirect URIs
//! (scheme, fragment, native or web client: `metadata::redirect_uri` checks those first), nor
//! the caller: it applies to everyone. What a loopback host is comes from `crate::syntax`.

use async_trait::async_trait;
use url::{Host, Url};

use crate::metadata::{ClientMetadata, MetadataError};
use crate::policy::{PolicyContext, PolicyError, RegistrationPolicy};
use crate::syntax::{is_loopback_host, quoted};

/// The hosts that `redirect_uris` and `post_logout_redirect_uris` may point to.
///
/// An entry is a host, matched exactly (ignoring ASCII case; international names match their
/// punycode form, IP addresses their canonical form, IPv6 with or without brackets), or
/// `*.example.org`, which matches every subdomain of `example.org` (`a.example.org`,
/// `a.b.example.org`) but not `example.org` itself. Ports are not compared.
///
/// Loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`, IPv4-mapped `[::ffff:127.x.y.z]`), which native apps use (RFC 8252 §7.3),
/// are allowed unless [`allow_loopback(false)`](Self::allow_loopback). URIs without a host,
/// such as the private-use scheme `com.example.app:/callback` (RFC 8252 §7.1), are allowed
/// unless [`allow_private_use_schemes(false)`](Self::allow_private_use_schemes); a private-use
/// URI with an authority (`com.example.app://callback`) has its host checked like any other.
///
/// An untrusted redirect URI fails with `invalid_redirect_uri`
/// (`redirect_uris[0]: host 'evil.example' is not trusted`); an untrusted post-logout
/// redirect URI with `invalid_client_metadata`, as the RFC rules report it.
///
/// ```
/// use tower_oidc_registration::policy::builtin::TrustedRedirectHosts;
///
/// let hosts = TrustedRedirectHosts::new(["rp.example.org", "*.apps.example.org"]);
/// assert!(hosts.is_trusted("https://RP.example.org/cb"));
/// assert!(hosts.is_trusted("https://a.b.apps.example.org/cb"));
/// assert!(!hosts.is_trusted("https://apps.example.org/cb"));
/// assert!(!hosts.is_trusted("https://evil.example/cb"));
/// assert!(hosts.is_trusted("http://127.0.0.1:51004/cb"));
/// assert!(!hosts.clone().allow_loopback(false).is_trusted("http://localhost/cb"));
/// ```
#[derive(Debug, Clone)]
pub struct TrustedRedirectHosts {
    /// Canonical hosts, lower case, without a trailing dot.
    exact: Vec<String>,
    /// `.example.org` for `*.example.org`, canonical, lower case.
    wildcard_suffixes: Vec<String>,
    allow_loopback: bool,
    allow_private_use_schemes: bool,
}

/// Why a redirect URI is not trusted.
enum Untrusted {
    NotAUri,
    NoHost,
    Host(String),
}

/// The canonical text of a host: lower case, without a trailing dot.
fn canonical_host(host: &str) -> String {
    let host = host.strip_suffix('.').unwrap_or(host);
    host.to_ascii_lowercase()
}

/// The canonical text of a configured host: parsed as the url crate parses an `https` URI's
/// host (IDNA, IPv4 and IPv6 normalization), or taken as written when it does not parse.
fn canonical_entry(entry: &str) -> String {
    let parsed = Host::parse(entry).or_else(|_| Host::parse(&format!("[{entry}]")));
    match parsed {
        Ok(host) => canonical_host(&host.to_string()),
        Err(_) => canonical_host(entry),
    }
}

impl TrustedRedirectHosts {
    /// Trusts `hosts` (exact hosts and `*.domain` wildcards), loopback hosts and URIs without
    /// a host.
    pub fn new<I, S>(hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut exact = Vec::new();
        let mut wildcard_suffixes = Vec::new();
        for entry in hosts {
            let entry = entry.as_ref().trim();
            match entry.strip_prefix("*.") {
                Some(domain) => wildcard_suffixes.push(format!(".{}", canonical_entry(domain))),
                None => exact.push(canonical_entry(entry)),
            }
        }
        Self {
            exact,
            wildcard_suffixes,
            allow_loopback: true,
            allow_private_use_schemes: true,
        }
    }

    /// Whether loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`, IPv4-mapped `[::ffff:127.x.y.z]`) are trusted (default
    /// `true`, for native apps).
    #[must_use]
    pub fn allow_loopback(mut self, allow: bool) -> Self {
        self.allow_loopback = allow;
        self
    }

    /// Whether URIs without a host (private-use schemes such as `com.example.app:/cb`) are
    /// allowed (default `true`, for native apps).
    #[must_use]
    pub fn allow_private_use_schemes(mut self, allow: bool) -> Self {
        self.allow_private_use_schemes = allow;
        self
    }

    /// Whether `uri` may be registered as a redirect URI.
    pub fn is_trusted(&self, uri: &str) -> bool {
        self.check(uri).is_ok()
    }

    fn check(&self, uri: &str) -> Result<(), Untrusted> {
        let url = Url::parse(uri).map_err(|_| Untrusted::NotAUri)?;
        let host = match url.host() {
            None => None,
            Some(Host::Domain("")) => None,
            Some(host) => Some(host),
        };
        let Some(host) = host else {
            return if self.allow_private_use_schemes {
                Ok(())
            } else {
                Err(Untrusted::NoHost)
            };
        };
        if self.allow_loopback && is_loopback_host(&host) {
            return Ok(());
        }
        let text = canonical_host(&host.to_string());
        if self.exact.contains(&text) {
            return Ok(());
        }
        if matches!(host, Host::Domain(_))
            && self.wildcard_suffixes.iter().any(|suffix| {
                text.strip_suffix(suffix.as_str())
                    .is_some_and(|label| !label.is_empty() && !label.ends_with('.'))
            })
        {
            return Ok(());
        }
        Err(Untrusted::Host(host.to_string()))
    }

    fn check_member(&self, member: &str, uris: Option<&Vec<String>>) -> Result<(), String> {
        for (i, uri) in uris.into_iter().flatten().enumerate() {
            let reason = match self.check(uri) {
                Ok(()) => continue,
                Err(Untrusted::NotAUri) => "not an absolute URI".to_owned(),
                Err(Untrusted::NoHost) => "URIs without a host are not allowed".to_owned(),
                Err(Untrusted::Host(host)) => format!("host {} is not trusted", quoted(&host)),
            };
            return Err(format!("{member}[{i}]: {reason}"));
        }
        Ok(())
    }
}

#[async_trait]
impl RegistrationPolicy for TrustedRedirectHosts {
    async fn apply(
        &self,
        _context: &PolicyContext<'_>,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        self.check_member("redirect_uris", metadata.redirect_uris.as_ref())
            .map_err(MetadataError::redirect_uri)?;
        self.check_member(
            "post_logout_redirect_uris",
            metadata.post_logout_redirect_uris.as_ref(),
        )
        .map_err(MetadataError::client_metadata)?;
        Ok(metadata)
    }
}

#[cfg(test)]
mod tests;
