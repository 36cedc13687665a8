use super::*;

/// VAL-6: a redirect URI must be absolute.
#[test]
fn empty_authority_rejected() {
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

/// VAL-5: a redirect URI with a fragment is refused.
#[test]
fn fragment_rejected() {
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

/// VAL-6: a redirect URI must be absolute.
#[test]
fn relative_rejected() {
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

/// VAL-8: a redirect URI may carry a query, kept as sent.
#[test]
fn query_allowed() {
    ok("https://rp.example.org/cb?a=1&b=%2F", web());
    ok("https://rp.example.org/cb?", web());
    ok("http://127.0.0.1:8080/cb?x=y", native());
}

/// VAL-9: a web client's redirect URIs are https, or http on a loopback host.
#[test]
fn web_https_or_loopback_http() {
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

/// VAL-10: a web client of the implicit grant uses https and not localhost.
#[test]
fn implicit_web_https_not_localhost() {
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

/// VAL-11: a native client may use http on `127.0.0.1`, `[::1]` or `localhost`, any port.
#[test]
fn native_loopback_accepted() {
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

/// VAL-12: a native client uses http only on a loopback host.
#[test]
fn native_http_non_loopback_rejected() {
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

/// VAL-13: a native client may use claimed https redirect URIs.
#[test]
fn native_https_configurable() {
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

/// VAL-14: a native client's private-use scheme is a reverse domain name.
#[test]
fn native_private_use_scheme() {
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

/// VAL-15: a redirect URI never uses `javascript:`, `data:`, `file:` or another dangerous scheme.
#[test]
fn dangerous_schemes_always_rejected() {
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

/// VAL-38: a redirect URI carries no userinfo.
#[test]
fn userinfo_rejected() {
    let description = "redirect_uris[0]: userinfo not allowed (a user name or password before '@' in the authority)";
    for (raw, policy) in [
        ("https://rp.example.org@evil.example/cb", web()),
        ("https://user:pw@rp.example.org/cb", web()),
        ("https://:pw@rp.example.org/cb", web()),
        ("https://@rp.example.org/cb", web()),
        ("http://user@localhost:8080/cb", native()),
        ("com.example.app://user@callback/cb", native()),
        ("com.example.app://@callback/cb", native()),
    ] {
        rejected(raw, policy, description);
    }
    // An '@' outside the authority is no userinfo.
    ok("https://rp.example.org/a@b/cb?next=c@d", web());
    ok("com.example.app:/a@b", native());
    ok("com.example.app://callback/a@b", native());
    // Nor may the other URI members carry one.
    let err = check_url(
        "client_uri",
        "https://rp.example.org@evil.example/",
        Schemes::HttpOrHttps,
        false,
    )
    .expect_err("userinfo");
    assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(
        err.description(),
        "client_uri: userinfo not allowed (a user name or password before '@' in the authority)"
    );
}

/// ERR-2: `invalid_redirect_uri` is for redirect URIs, `invalid_client_metadata` for other members.
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
fn sector_key_is_scheme_and_host() {
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
    // Hostless private-use schemes differ from each other (none has a host to compare).
    assert_ne!(sector_key("com.a.app:/cb"), sector_key("org.evil.x:/cb"));
    assert_eq!(sector_key("com.a.app:/cb"), sector_key("com.a.app:/other"));
    assert_ne!(
        sector_key("http://rp.example.org/cb"),
        sector_key("https://rp.example.org/cb")
    );
    assert_eq!(sector_key("not a url"), None);
}

/// ERR-4: `error_description` names member and index; client values are quoted, cut to 64
/// characters.
#[test]
fn huge_scheme_not_echoed() {
    // A 50 000-character scheme must not give a 50 KB error_description.
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
    let err =
        check_redirect_uri("redirect_uris", 0, &format!("{scheme}:/cb"), &native()).unwrap_err();
    assert_eq!(
        err.description(),
        format!(
            "redirect_uris[0]: private-use scheme '{}'... must be a reverse domain name such as com.example.app (RFC 8252 section 7.1)",
            &scheme[..64]
        )
    );
}
