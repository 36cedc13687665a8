use super::*;
use crate::metadata::test_support::{accepted_with, check_with, rejected_with};
use serde_json::{Value, json};

fn rules() -> MetadataRules {
    let mut rules = MetadataRules::default();
    rules.auth_methods.push(AuthMethod::TlsClientAuth);
    rules.auth_methods.push(AuthMethod::SelfSignedTlsClientAuth);
    rules
}

#[track_caller]
fn rejected(doc: Value, description: &str) {
    rejected_with(doc, &rules(), description);
}

#[track_caller]
fn accepted(doc: Value) -> ClientMetadata {
    accepted_with(doc, &rules())
}

/// PROF-1: a `tls_client_auth` client registers exactly one certificate subject member.
/// PROF-3: certificate subject members are registered only with `tls_client_auth`.
#[test]
fn tls_client_auth_takes_exactly_one_subject() {
    let tls = |extra: Value| {
        let mut doc = json!({"token_endpoint_auth_method": "tls_client_auth"});
        for (k, v) in extra.as_object().into_iter().flatten() {
            doc[k] = v.clone();
        }
        doc
    };
    rejected(
        tls(json!({})),
        "token_endpoint_auth_method: tls_client_auth requires exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email",
    );
    rejected(
        tls(json!({"tls_client_auth_subject_dn": "CN=a", "tls_client_auth_san_ip": "192.0.2.1"})),
        "tls_client_auth_san_ip: tls_client_auth takes exactly one subject member, and tls_client_auth_subject_dn is registered too",
    );
    for (member, value) in [
        ("tls_client_auth_subject_dn", "CN=client,O=Example,C=FR"),
        ("tls_client_auth_san_dns", "client.rp.example.org"),
        ("tls_client_auth_san_uri", "spiffe://rp.example.org/client"),
        ("tls_client_auth_san_ip", "2001:db8::1"),
        ("tls_client_auth_san_email", "ops@rp.example.org"),
    ] {
        let m = accepted(tls(json!({ member: value })));
        assert!(m.tls_client_auth_subject_dn.is_some() || member != "tls_client_auth_subject_dn");
        rejected(
            json!({ member: value }),
            &format!("{member}: only for token_endpoint_auth_method 'tls_client_auth'"),
        );
    }
    // tls_client_auth issues no secret, so the default id_token alg RS256 is fine.
    let m = accepted(tls(
        json!({"tls_client_auth_san_dns": "client.rp.example.org"}),
    ));
    assert_eq!(
        m.token_endpoint_auth_method,
        Some(AuthMethod::TlsClientAuth)
    );
}

/// PROF-2: each certificate subject member is well formed for its kind.
#[test]
fn tls_subject_values_well_formed() {
    for (member, value, what) in [
        (
            "tls_client_auth_subject_dn",
            "client",
            "a distinguished name (RFC 4514, e.g. CN=client,O=Example)",
        ),
        ("tls_client_auth_san_dns", "not a host", "a DNS name"),
        ("tls_client_auth_san_uri", "/relative", "an absolute URI"),
        (
            "tls_client_auth_san_ip",
            "192.0.2.300",
            "an IPv4 or IPv6 address",
        ),
        ("tls_client_auth_san_email", "ops", "an e-mail address"),
        (
            "tls_client_auth_san_dns",
            "",
            "a valid value (empty or control characters)",
        ),
    ] {
        rejected(
            json!({"token_endpoint_auth_method": "tls_client_auth", member: value}),
            &format!("{member}: '{value}' is not {what}"),
        );
    }
}

/// PROF-4: a `self_signed_tls_client_auth` client registers `jwks_uri` or a `jwks` key with `x5c`.
#[test]
fn self_signed_tls_client_auth_needs_a_certificate() {
    let ec = crate::metadata::test_support::p256_public_jwk();
    rejected(
        json!({"token_endpoint_auth_method": "self_signed_tls_client_auth", "jwks": {"keys": [ec]}}),
        "jwks: self_signed_tls_client_auth needs a key with its certificate in 'x5c'",
    );
    let mut with_cert = ec.clone();
    with_cert["x5c"] = json!(["MIIBAA=="]);
    accepted(
        json!({"token_endpoint_auth_method": "self_signed_tls_client_auth", "jwks": {"keys": [with_cert]}}),
    );
    accepted(
        json!({"token_endpoint_auth_method": "self_signed_tls_client_auth", "jwks_uri": "https://rp.example.org/jwks"}),
    );
    // private_key_jwt needs a key that can verify signatures.
    let mut enc_only = ec;
    enc_only["use"] = json!("enc");
    rejected(
        json!({"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [enc_only]}}),
        "jwks: private_key_jwt needs a signature key (an RSA, EC or Ed25519/Ed448 key without use 'enc')",
    );
}

/// PROF-6: the RFC 8705, 9126, 9449 and 9101 boolean members are stored and returned.
#[test]
fn flags_echoed() {
    let m = accepted(json!({
        "tls_client_certificate_bound_access_tokens": true,
        "require_pushed_authorization_requests": true,
        "dpop_bound_access_tokens": false,
        "require_signed_request_object": true,
        "authorization_details_types": ["payment_initiation", "account_information"],
    }));
    assert_eq!(m.tls_client_certificate_bound_access_tokens, Some(true));
    assert_eq!(m.require_pushed_authorization_requests, Some(true));
    assert_eq!(m.dpop_bound_access_tokens, Some(false));
    assert_eq!(m.require_signed_request_object, Some(true));
    assert_eq!(m.authorization_details_types.map(|t| t.len()), Some(2));
}

/// PROF-7: `authorization_details_types` is a list of unique non-empty types the server supports.
#[test]
fn authorization_details_types_unique_non_empty() {
    rejected(
        json!({"authorization_details_types": ["a", " "]}),
        "authorization_details_types[1]: must not be empty",
    );
    rejected(
        json!({"authorization_details_types": ["a", "b", "a"]}),
        "authorization_details_types[2]: 'a' already listed at [0]",
    );
}

/// PROF-7: `authorization_details_types` is a list of unique non-empty types the server supports.
#[test]
fn authorization_details_types_restricted_by_rules() {
    let mut restricted = rules();
    restricted.authorization_details_types = Some(vec!["payment_initiation".into()]);
    let doc = |types: Value| check_with(json!({"authorization_details_types": types}), &restricted);
    doc(json!(["payment_initiation"])).expect("supported type");
    let err = doc(json!(["payment_initiation", "account_information"])).expect_err("unsupported");
    assert_eq!(
        err.description(),
        "authorization_details_types[1]: unsupported type 'account_information'"
    );
    // Unrestricted by default.
    accepted(json!({"authorization_details_types": ["account_information"]}));
}

/// PROF-8: `frontchannel_logout_uri` has the scheme, host and port of a registered redirect URI.
/// PROF-10: an http logout URI is only for a confidential client.
#[test]
fn logout_uris() {
    accepted(json!({
        "redirect_uris": ["https://rp.example.org/cb", "https://other.example.org:8443/cb"],
        "frontchannel_logout_uri": "https://other.example.org:8443/logout?x=1",
    }));
    rejected(
        json!({"frontchannel_logout_uri": "https://evil.example.org/logout"}),
        "frontchannel_logout_uri: scheme, host and port must be those of a registered redirect URI",
    );
    rejected(
        json!({"frontchannel_logout_uri": "https://rp.example.org:8443/logout"}),
        "frontchannel_logout_uri: scheme, host and port must be those of a registered redirect URI",
    );
    accepted(json!({"backchannel_logout_uri": "http://rp.example.org/bc"}));
    rejected(
        json!({"token_endpoint_auth_method": "none", "backchannel_logout_uri": "http://rp.example.org/bc"}),
        "backchannel_logout_uri: http is allowed only for confidential clients (token_endpoint_auth_method is 'none'); use https",
    );
}

/// PROF-2: each certificate subject member is well formed for its kind.
#[test]
fn dns_names() {
    for ok in [
        "rp.example.org",
        "*.example.org",
        "a-b.c",
        "localhost",
        "x.example.",
    ] {
        assert!(is_dns_name(ok), "{ok}");
    }
    for bad in [
        "",
        "a..b",
        "-a.b",
        "a-.b",
        "a b",
        "a.*.b",
        "ex_ample.org",
        "é.org",
    ] {
        assert!(!is_dns_name(bad), "{bad}");
    }
    assert!(!is_dns_name(&"a".repeat(64)));
}

/// PROF-2: each certificate subject member is well formed for its kind.
#[test]
fn emails() {
    assert!(is_email("ops@rp.example.org"));
    for bad in [
        "ops",
        "@rp.example.org",
        "a b@rp.example.org",
        "ops@",
        "ops@bad_host",
    ] {
        assert!(!is_email(bad), "{bad}");
    }
}
