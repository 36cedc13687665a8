//! Redirect URI rules (checklist C3–C10: RFC 6749 §3.1.2, OpenID Connect Registration §2,
//! RFC 8252 §7–§8) and the plain URL checks used for the other URI-valued members.
//!
//! The URI is only inspected: the string the client sent is what gets stored and echoed (C5).

use url::Url;

use crate::syntax::is_loopback_host;

use super::error::{MetadataError, MetadataErrorCode};
use super::model::ApplicationType;
use crate::syntax::quoted;

/// Schemes never accepted for a redirect URI, whatever the application type (C10).
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
    /// Whether the client registers the implicit grant (web: https only, no loopback; C7).
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

    // C3: check the raw string, the url crate forgets an empty fragment ("...#").
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

/// What two redirect URIs of a pairwise client must share (C17): the scheme and the host
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

/// Parses `raw` as an absolute URI, rejecting what the WHATWG parser would silently repair:
/// whitespace and control characters, backslashes, and `http:`/`https:` without `//`.
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
    if matches!(url.scheme(), "http" | "https") {
        // `raw` starts with the scheme (any case) then ':'; require an authority after it.
        let rest = raw.get(url.scheme().len() + 1..).unwrap_or("");
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
    Ok(url)
}

/// Whether the URL's host is a loopback host ([`is_loopback_host`]).
fn is_loopback(url: &Url) -> bool {
    url.host().is_some_and(|host| is_loopback_host(&host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c4_empty_authority_rejected() {
        let code = MetadataErrorCode::InvalidRedirectUri;
        for raw in ["https:///cb", "https://", "http:///x?y", "https://?q"] {
            let err = parse_absolute("redirect_uris[0]", raw, code).expect_err(raw);
            assert!(err.description().contains("host"), "{raw}: {err}");
        }
        assert!(parse_absolute("redirect_uris[0]", "https://a.example/cb", code).is_ok());
    }

    fn web() -> RedirectPolicy {
        RedirectPolicy {
            application_type: ApplicationType::Web,
            implicit: false,
            native_https: true,
            code: MetadataErrorCode::InvalidRedirectUri,
        }
    }

    fn web_implicit() -> RedirectPolicy {
        RedirectPolicy {
            implicit: true,
            ..web()
        }
    }

    fn native() -> RedirectPolicy {
        RedirectPolicy {
            application_type: ApplicationType::Native,
            ..web()
        }
    }

    #[track_caller]
    fn ok(raw: &str, policy: RedirectPolicy) {
        if let Err(e) = check_redirect_uri("redirect_uris", 0, raw, &policy) {
            panic!("{raw} rejected: {e}");
        }
    }

    #[track_caller]
    fn rejected(raw: &str, policy: RedirectPolicy, description: &str) {
        let err = check_redirect_uri("redirect_uris", 0, raw, &policy).expect_err(raw);
        assert_eq!(err.code(), policy.code);
        assert_eq!(err.description(), description, "{raw}");
    }

    #[test]
    fn c3_fragment_rejected() {
        for raw in [
            "https://rp.example.org/cb#frag",
            "https://rp.example.org/cb#",
            "com.example.app:/cb#x",
        ] {
            let policy = if raw.starts_with("com.") {
                native()
            } else {
                web()
            };
            rejected(raw, policy, "redirect_uris[0]: fragment not allowed");
        }
    }

    #[test]
    fn c4_relative_rejected() {
        for raw in ["/cb", "cb", "//rp.example.org/cb", ""] {
            rejected(raw, web(), "redirect_uris[0]: must be an absolute URI");
        }
        rejected(
            "https://[::1/cb",
            web(),
            "redirect_uris[0]: not a valid URI (invalid IPv6 address)",
        );
        rejected(
            "https:rp.example.org/cb",
            web(),
            "redirect_uris[0]: not a valid URI (missing '//' after the scheme)",
        );
        rejected(
            "https:\\\\evil.example\\cb",
            web(),
            "redirect_uris[0]: must not contain a backslash",
        );
        rejected(
            " https://rp.example.org/cb",
            web(),
            "redirect_uris[0]: must not contain whitespace or control characters",
        );
        rejected(
            "https://rp.example.org/c\tb",
            web(),
            "redirect_uris[0]: must not contain whitespace or control characters",
        );
    }

    #[test]
    fn c5_query_allowed() {
        ok("https://rp.example.org/cb?a=1&b=%2F", web());
        ok("https://rp.example.org/cb?", web());
        ok("http://127.0.0.1:8080/cb?x=y", native());
    }

    #[test]
    fn c6_web_https_or_loopback_http() {
        ok("https://rp.example.org/cb", web());
        ok("https://rp.example.org:8443/cb", web());
        ok("HTTPS://RP.example.org/cb", web());
        ok("http://localhost/cb", web());
        ok("http://LOCALHOST:3000/cb", web());
        ok("http://127.0.0.1/cb", web());
        ok("http://127.1.2.3:8080/cb", web());
        ok("http://[::1]:8080/cb", web());
        rejected(
            "http://rp.example.org/cb",
            web(),
            "redirect_uris[0]: web clients must use https (http is allowed only on loopback)",
        );
        rejected(
            "http://10.0.0.1/cb",
            web(),
            "redirect_uris[0]: web clients must use https (http is allowed only on loopback)",
        );
        rejected(
            "http://localhost.evil.example/cb",
            web(),
            "redirect_uris[0]: web clients must use https (http is allowed only on loopback)",
        );
        rejected(
            "com.example.app:/cb",
            web(),
            "redirect_uris[0]: web clients must use https (scheme 'com.example.app' not allowed)",
        );
        rejected(
            "ftp://rp.example.org/cb",
            web(),
            "redirect_uris[0]: web clients must use https (scheme 'ftp' not allowed)",
        );
    }

    #[test]
    fn c7_implicit_web_https_not_localhost() {
        ok("https://rp.example.org/cb", web_implicit());
        rejected(
            "http://localhost/cb",
            web_implicit(),
            "redirect_uris[0]: clients using the implicit grant must use https",
        );
        for raw in [
            "https://localhost/cb",
            "https://127.0.0.1/cb",
            "https://[::1]/cb",
        ] {
            rejected(
                raw,
                web_implicit(),
                "redirect_uris[0]: clients using the implicit grant must not use localhost or a loopback address",
            );
        }
    }

    #[test]
    fn c8_native_loopback_accepted() {
        for raw in [
            "http://127.0.0.1/cb",
            "http://127.0.0.1:51004/oauth2redirect",
            "http://[::1]:8080/cb",
            "http://localhost/cb",
            "http://localhost:1234/",
        ] {
            ok(raw, native());
        }
        // Native clients are not bound by the implicit web rule.
        ok(
            "http://127.0.0.1/cb",
            RedirectPolicy {
                implicit: true,
                ..native()
            },
        );
    }

    #[test]
    fn c9_native_http_non_loopback_rejected() {
        for raw in [
            "http://rp.example.org/cb",
            "http://192.168.1.1/cb",
            "http://[::2]/cb",
        ] {
            rejected(
                raw,
                native(),
                "redirect_uris[0]: native clients may use http only on a loopback host (127.0.0.1, [::1] or localhost)",
            );
        }
    }

    #[test]
    fn c9_native_https_configurable() {
        ok("https://app.example.org/cb", native());
        rejected(
            "https://app.example.org/cb",
            RedirectPolicy {
                native_https: false,
                ..native()
            },
            "redirect_uris[0]: native clients may not use https redirect URIs on this server; use http on a loopback host or a reverse-domain private-use scheme",
        );
    }

    #[test]
    fn c10_native_private_use_scheme() {
        ok("com.example.app:/oauth2redirect", native());
        ok("com.example.app://cb", native());
        ok("org.example.app:/cb?x=1", native());
        rejected(
            "myapp://cb",
            native(),
            "redirect_uris[0]: private-use scheme 'myapp' must be a reverse domain name such as com.example.app (RFC 8252 section 7.1)",
        );
        rejected(
            "urn:ietf:wg:oauth:2.0:oob",
            native(),
            "redirect_uris[0]: private-use scheme 'urn' must be a reverse domain name such as com.example.app (RFC 8252 section 7.1)",
        );
    }

    #[test]
    fn c10_dangerous_schemes_always_rejected() {
        for (raw, scheme) in [
            ("javascript:alert(1)", "javascript"),
            ("JavaScript:alert(1)", "javascript"),
            ("data:text/html,x", "data"),
            ("file:///etc/passwd", "file"),
            ("VBScript:msgbox", "vbscript"),
            ("about:blank", "about"),
            ("blob:https://rp.example.org/x", "blob"),
            ("filesystem:https://rp.example.org/x", "filesystem"),
        ] {
            let description = format!("redirect_uris[0]: scheme '{scheme}' not allowed");
            rejected(raw, web(), &description);
            rejected(raw, native(), &description);
        }
    }

    #[test]
    fn member_name_and_code_follow_the_caller() {
        let policy = RedirectPolicy {
            code: MetadataErrorCode::InvalidClientMetadata,
            ..web()
        };
        let err =
            check_redirect_uri("post_logout_redirect_uris", 2, "https://x/#", &policy).unwrap_err();
        assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
        assert_eq!(
            err.description(),
            "post_logout_redirect_uris[2]: fragment not allowed"
        );
    }

    #[test]
    fn check_url_rules() {
        assert!(
            check_url(
                "client_uri",
                "http://rp.example.org",
                Schemes::HttpOrHttps,
                false
            )
            .is_ok()
        );
        assert!(
            check_url(
                "request_uris[0]",
                "https://rp.example.org/r#h",
                Schemes::HttpOrHttps,
                true
            )
            .is_ok()
        );
        let err = check_url(
            "jwks_uri",
            "http://rp.example.org/jwks",
            Schemes::Https,
            false,
        )
        .unwrap_err();
        assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
        assert_eq!(err.description(), "jwks_uri: must be an https URL");
        let err = check_url(
            "logo_uri#fr",
            "data:image/png,xx",
            Schemes::HttpOrHttps,
            false,
        )
        .unwrap_err();
        assert_eq!(
            err.description(),
            "logo_uri#fr: must be an http or https URL"
        );
        let err = check_url("tos_uri", "/tos", Schemes::HttpOrHttps, false).unwrap_err();
        assert_eq!(err.description(), "tos_uri: must be an absolute URI");
        let err = check_url(
            "backchannel_logout_uri",
            "https://x/#",
            Schemes::HttpOrHttps,
            false,
        )
        .unwrap_err();
        assert_eq!(
            err.description(),
            "backchannel_logout_uri: fragment not allowed"
        );
    }

    #[test]
    fn c17_sector_key_is_scheme_and_host() {
        assert_eq!(
            sector_key("https://RP.example.org/cb").as_deref(),
            Some("https://rp.example.org")
        );
        assert_eq!(
            sector_key("https://rp.example.org:8443/other?x"),
            sector_key("https://rp.example.org/cb")
        );
        assert_eq!(
            sector_key("http://[::1]:80/").as_deref(),
            Some("http://[::1]")
        );
        assert_eq!(
            sector_key("com.example.app:/cb").as_deref(),
            Some("com.example.app:")
        );
        // Hostless private-use schemes differ from each other (they all had host `None`).
        assert_ne!(sector_key("com.a.app:/cb"), sector_key("org.evil.x:/cb"));
        assert_eq!(sector_key("com.a.app:/cb"), sector_key("com.a.app:/other"));
        assert_ne!(
            sector_key("http://rp.example.org/cb"),
            sector_key("https://rp.example.org/cb")
        );
        assert_eq!(sector_key("not a url"), None);
    }

    #[test]
    fn huge_scheme_not_echoed() {
        // A 50 000-character scheme used to give a 50 KB error_description.
        let scheme = format!("a{}", "b".repeat(49_999));
        for (raw, policy) in [
            (format!("{scheme}:/cb"), web()),
            (format!("{scheme}:/cb"), native()),
            (format!("{scheme}.x:/cb"), web()),
        ] {
            let err = check_redirect_uri("redirect_uris", 0, &raw, &policy).unwrap_err();
            assert!(
                err.description().len() < 200,
                "{} bytes",
                err.description().len()
            );
            assert!(err.description().contains("'..."), "{}", err.description());
        }
        let err = check_redirect_uri("redirect_uris", 0, &format!("{scheme}:/cb"), &native())
            .unwrap_err();
        assert_eq!(
            err.description(),
            format!(
                "redirect_uris[0]: private-use scheme '{}'... must be a reverse domain name such as com.example.app (RFC 8252 section 7.1)",
                &scheme[..64]
            )
        );
    }
}
