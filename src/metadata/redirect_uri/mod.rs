//! Redirect URI rules (RFC 6749 §3.1.2, OpenID Connect Registration §2, RFC 8252 §7–§8) and the
//! plain URL checks used for the other URI-valued members.
//!
//! The URI is only inspected: the string the client sent is what gets stored and echoed (a query
//! is allowed and kept, RFC 6749 §3.1.2).
//!
//! Owns URI syntax and the redirect URI policy. Must not know which member a URI comes from
//! beyond the label and error code it is given.

use url::Url;

use crate::syntax::is_loopback_host;

use super::error::{MetadataError, MetadataErrorCode};
use super::model::ApplicationType;
use crate::syntax::quoted;

/// Schemes never accepted for a redirect URI, whatever the application type.
const FORBIDDEN_SCHEMES: &[&str] = &[
    "javascript",
    "data",
    "file",
    "vbscript",
    "about",
    "blob",
    "filesystem",
];

/// How a redirect-like URI is checked.
#[derive(Debug, Clone, Copy)]
pub(super) struct RedirectPolicy {
    /// The client's application type (web clients: https, http on loopback; native: RFC 8252).
    pub application_type: ApplicationType,
    /// Whether the client registers the implicit grant (web: https only, no loopback).
    pub implicit: bool,
    /// Whether native clients may use claimed https URIs (`MetadataRules::native_https_redirects`).
    pub native_https: bool,
    /// The error code for a rejected URI.
    pub code: MetadataErrorCode,
}

/// Checks element `index` of the redirect-like array `member` (`redirect_uris`,
/// `post_logout_redirect_uris`) against `policy`.
pub(super) fn check_redirect_uri(
    member: &str,
    index: usize,
    raw: &str,
    policy: &RedirectPolicy,
) -> Result<(), MetadataError> {
    let label = format!("{member}[{index}]");
    let err = |msg: String| MetadataError::new(policy.code, format!("{label}: {msg}"));

    // No fragment (RFC 6749 §3.1.2): check the raw string, the url crate forgets an empty fragment ("...#").
    if raw.contains('#') {
        return Err(err("fragment not allowed".into()));
    }
    let url = parse_absolute(&label, raw, policy.code)?;
    let scheme = url.scheme();
    if FORBIDDEN_SCHEMES.contains(&scheme) {
        return Err(err(format!("scheme {} not allowed", quoted(scheme))));
    }
    match policy.application_type {
        ApplicationType::Web => match scheme {
            "https" => {
                if policy.implicit && is_loopback(&url) {
                    return Err(err(
                        "clients using the implicit grant must not use localhost or a loopback address"
                            .into(),
                    ));
                }
            }
            "http" => {
                if policy.implicit {
                    return Err(err("clients using the implicit grant must use https".into()));
                }
                if !is_loopback(&url) {
                    return Err(err(
                        "web clients must use https (http is allowed only on loopback)".into(),
                    ));
                }
            }
            other => {
                return Err(err(format!(
                    "web clients must use https (scheme {} not allowed)",
                    quoted(other)
                )));
            }
        },
        ApplicationType::Native => match scheme {
            "http" => {
                if !is_loopback(&url) {
                    return Err(err(
                        "native clients may use http only on a loopback host (127.0.0.1, [::1] or localhost)"
                            .into(),
                    ));
                }
            }
            "https" => {
                if !policy.native_https {
                    return Err(err(
                        "native clients may not use https redirect URIs on this server; use http on a loopback host or a reverse-domain private-use scheme"
                            .into(),
                    ));
                }
            }
            other => {
                if !other.contains('.') {
                    return Err(err(format!(
                        "private-use scheme {} must be a reverse domain name such as com.example.app (RFC 8252 section 7.1)",
                        quoted(other)
                    )));
                }
            }
        },
    }
    Ok(())
}

/// Which schemes a plain URL member accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Schemes {
    /// `http` or `https`.
    HttpOrHttps,
    /// `https` only.
    Https,
}

/// Checks a non-redirect URL member (`client_uri`, `jwks_uri`, `request_uris[0]`...): absolute,
/// of an allowed scheme, and without a fragment unless `fragment_allowed`.
/// Errors are `invalid_client_metadata`, prefixed with `label`.
pub(super) fn check_url(
    label: &str,
    raw: &str,
    schemes: Schemes,
    fragment_allowed: bool,
) -> Result<(), MetadataError> {
    let code = MetadataErrorCode::InvalidClientMetadata;
    if !fragment_allowed && raw.contains('#') {
        return Err(MetadataError::new(
            code,
            format!("{label}: fragment not allowed"),
        ));
    }
    let url = parse_absolute(label, raw, code)?;
    let ok = match schemes {
        Schemes::HttpOrHttps => matches!(url.scheme(), "http" | "https"),
        Schemes::Https => url.scheme() == "https",
    };
    if !ok {
        let expected = match schemes {
            Schemes::HttpOrHttps => "an http or https URL",
            Schemes::Https => "an https URL",
        };
        return Err(MetadataError::new(
            code,
            format!("{label}: must be {expected}"),
        ));
    }
    Ok(())
}

/// What two redirect URIs of a pairwise client must share (OpenID Connect Core §8.1): the scheme and the host
/// (`https://rp.example.org`), or the scheme alone for a URI without a host
/// (`com.example.app:`), so that two private-use schemes never compare equal. Scheme and
/// host are lowercase as the URL parser normalizes them; ports and paths are ignored.
/// `None` for a string that is not a URL.
pub(super) fn sector_key(raw: &str) -> Option<String> {
    let url = Url::parse(raw).ok()?;
    Some(match url.host_str() {
        Some(host) => format!("{}://{host}", url.scheme()),
        None => format!("{}:", url.scheme()),
    })
}

/// Parses `raw` as an absolute URI, rejecting what the WHATWG parser would silently repair
/// (whitespace and control characters, backslashes, and `http:`/`https:` without `//`) and
/// userinfo, whatever the scheme.
fn parse_absolute(label: &str, raw: &str, code: MetadataErrorCode) -> Result<Url, MetadataError> {
    let err = |msg: &str| MetadataError::new(code, format!("{label}: {msg}"));
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err("must not contain whitespace or control characters"));
    }
    if raw.contains('\\') {
        return Err(err("must not contain a backslash"));
    }
    let url = match Url::parse(raw) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            return Err(err("must be an absolute URI"));
        }
        Err(e) => return Err(err(&format!("not a valid URI ({e})"))),
    };
    // `raw` starts with the scheme (any case) then ':'.
    let rest = raw.get(url.scheme().len() + 1..).unwrap_or("");
    if matches!(url.scheme(), "http" | "https") {
        // Require an authority after the scheme.
        if !rest.starts_with("//") {
            return Err(err("not a valid URI (missing '//' after the scheme)"));
        }
        // `https:///cb` has an empty authority; the url crate would read `cb` as the host.
        if rest.len() == 2 || rest[2..].starts_with(['/', '?', '#']) {
            return Err(err("must have a host"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(err("must have a host"));
        }
    }
    if has_userinfo(&url, rest) {
        return Err(err(
            "userinfo not allowed (a user name or password before '@' in the authority)",
        ));
    }
    Ok(url)
}

/// Whether `url` carries userinfo, `rest` being what follows its scheme and `:` as the client
/// wrote it. `https://rp.example.org@evil.example/cb` goes to `evil.example`, whatever a
/// person reading it takes for the host (RFC 3986 §7.6), and a password there would be echoed
/// by every read. The parser drops an empty userinfo (`https://@rp.example.org/`) without a
/// trace, so the authority as written is searched for an `@` too (a backslash, which the
/// parser would also take for its end, is refused before).
fn has_userinfo(url: &Url, rest: &str) -> bool {
    let written = rest.strip_prefix("//").is_some_and(|authority| {
        authority
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|authority| authority.contains('@'))
    });
    written || !url.username().is_empty() || url.password().is_some()
}

/// Whether the URL's host is a loopback host ([`is_loopback_host`]).
fn is_loopback(url: &Url) -> bool {
    url.host().is_some_and(|host| is_loopback_host(&host))
}

#[cfg(test)]
mod tests;
