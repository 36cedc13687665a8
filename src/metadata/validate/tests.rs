use super::*;
use crate::metadata::parse;
use crate::metadata::test_support::{
    RP, object, p256_public_jwk, refused_with, rsa_public_jwk, rules_with, validated, with, with_rp,
};
use serde_json::{Value, json};

fn check(doc: Value) -> Result<ClientMetadata, MetadataError> {
    validated(doc, &MetadataRules::default())
}

#[track_caller]
fn accepted(doc: Value) -> ClientMetadata {
    check(doc).unwrap_or_else(|e| panic!("rejected: {e}"))
}

#[track_caller]
fn rejected_cm(doc: Value, description: &str) {
    refused_with(
        doc,
        &MetadataRules::default(),
        MetadataErrorCode::InvalidClientMetadata,
        description,
    );
}

#[track_caller]
fn rejected_ru(doc: Value, description: &str) {
    refused_with(
        doc,
        &MetadataRules::default(),
        MetadataErrorCode::InvalidRedirectUri,
        description,
    );
}

/// An RSA-2048 public JWK with a `kid`.
fn rsa_key() -> Value {
    with(rsa_public_jwk(), "kid", json!("r1"))
}

fn full_document() -> Value {
    json!({
        "redirect_uris": ["https://rp.example.org/cb?x=1", "https://rp.example.org/cb2"],
        "client_name": "Example",
        "client_name#ja-Jpan-JP": "例",
        "client_uri": "https://rp.example.org",
        "logo_uri": "https://rp.example.org/logo.png",
        "logo_uri#fr": "https://rp.example.org/logo-fr.png",
        "tos_uri": "https://rp.example.org/tos",
        "policy_uri": "https://rp.example.org/policy",
        "contacts": ["ops@example.org", "+1 555 0100"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": "openid profile email",
        "grant_types": ["authorization_code", "implicit", "refresh_token"],
        "response_types": ["code id_token", "code"],
        "application_type": "web",
        "jwks": {"keys": [rsa_key()]},
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "software_version": "2.1",
        "subject_type": "pairwise",
        "id_token_signed_response_alg": "ES256",
        "id_token_encrypted_response_alg": "RSA-OAEP",
        "id_token_encrypted_response_enc": "A256GCM",
        "userinfo_signed_response_alg": "PS256",
        "userinfo_encrypted_response_alg": "ECDH-ES",
        "request_object_signing_alg": "none",
        "request_object_encryption_alg": "RSA-OAEP-256",
        "request_object_encryption_enc": "A128GCM",
        "token_endpoint_auth_signing_alg": "PS256",
        "default_max_age": 3600,
        "require_auth_time": true,
        "default_acr_values": ["urn:mace:incommon:iap:silver"],
        "initiate_login_uri": "https://rp.example.org/login",
        "request_uris": ["https://rp.example.org/req.jwt#f0a1"],
        "post_logout_redirect_uris": ["https://rp.example.org/bye"],
        "frontchannel_logout_uri": "https://rp.example.org/fc",
        "frontchannel_logout_session_required": true,
        "backchannel_logout_uri": "https://rp.example.org/bc",
        "backchannel_logout_session_required": false,
    })
}

/// ECHO-11: `token_endpoint_auth_method` defaults to `client_secret_basic`.
/// ECHO-12: `grant_types` defaults to `authorization_code` and `response_types` to `code`.
/// ECHO-13: `application_type` defaults to `web`.
/// ECHO-14: `id_token_signed_response_alg` defaults to `RS256`.
#[test]
fn defaults_applied() {
    let m = accepted(json!({"redirect_uris": [RP], "client_name": "t"}));
    assert_eq!(m.redirect_uris, Some(vec![RP.to_owned()]));
    assert_eq!(
        m.token_endpoint_auth_method,
        Some(AuthMethod::ClientSecretBasic)
    );
    assert_eq!(m.grant_types, Some(vec![GrantType::AuthorizationCode]));
    assert_eq!(m.response_types, Some(vec![ResponseType::Code]));
    assert_eq!(m.application_type, Some(ApplicationType::Web));
    assert_eq!(m.id_token_signed_response_alg.as_deref(), Some("RS256"));
    assert_eq!(m.client_name.default.as_deref(), Some("t"));
    assert_eq!(m.scope, None);
    assert_eq!(m.subject_type, None);
    assert_eq!(m.id_token_encrypted_response_enc, None);
}

#[test]
fn explicit_values_kept() {
    let m = accepted(json!({
        "redirect_uris": ["com.example.app:/cb"],
        "application_type": "native",
        "token_endpoint_auth_method": "none",
        "id_token_signed_response_alg": "ES256",
    }));
    assert_eq!(m.application_type, Some(ApplicationType::Native));
    assert_eq!(m.token_endpoint_auth_method, Some(AuthMethod::None));
    assert_eq!(m.id_token_signed_response_alg.as_deref(), Some("ES256"));
}

/// ECHO-9: a value the server substitutes is registered and returned as substituted.
/// ECHO-12: `grant_types` defaults to `authorization_code` and `response_types` to `code`.
#[test]
fn grant_types_derived_from_response_types() {
    let cases = [
        (json!(["code"]), vec![GrantType::AuthorizationCode]),
        (json!(["id_token"]), vec![GrantType::Implicit]),
        (json!(["id_token token"]), vec![GrantType::Implicit]),
        (
            json!(["id_token code"]),
            vec![GrantType::AuthorizationCode, GrantType::Implicit],
        ),
        (
            json!(["token", "code"]),
            vec![GrantType::AuthorizationCode, GrantType::Implicit],
        ),
    ];
    for (response_types, expected) in cases {
        let m = accepted(with_rp(json!({"response_types": response_types})));
        assert_eq!(m.grant_types, Some(expected), "{response_types}");
    }
}

/// ECHO-9: a value the server substitutes is registered and returned as substituted.
/// ECHO-12: `grant_types` defaults to `authorization_code` and `response_types` to `code`.
#[test]
fn response_types_derived_from_grant_types() {
    let cases = [
        (json!(["authorization_code"]), vec![ResponseType::Code]),
        (
            json!(["refresh_token", "authorization_code"]),
            vec![ResponseType::Code],
        ),
        (json!(["implicit"]), vec![ResponseType::IdToken]),
        (
            json!(["implicit", "authorization_code"]),
            vec![ResponseType::Code, ResponseType::IdToken],
        ),
    ];
    for (grant_types, expected) in cases {
        let m = accepted(with_rp(json!({"grant_types": grant_types})));
        assert_eq!(m.response_types, Some(expected), "{grant_types}");
    }
    let m = accepted(json!({"grant_types": ["client_credentials"]}));
    assert_eq!(m.response_types, Some(vec![]));
}

/// ECHO-17: a default or derived value the server's rules refuse is an error naming the member.
#[test]
fn default_not_allowed_by_rules() {
    let rules = rules_with(|r| r.grant_types = vec![GrantType::ClientCredentials]);
    refused_with(
        json!({}),
        &rules,
        MetadataErrorCode::InvalidClientMetadata,
        "grant_types: the default grant type 'authorization_code' is not supported; register grant_types explicitly",
    );
    assert!(validated(json!({"grant_types": ["client_credentials"]}), &rules).is_ok());

    let rules = rules_with(|r| r.auth_methods = vec![AuthMethod::PrivateKeyJwt]);
    refused_with(
        with_rp(json!({})),
        &rules,
        MetadataErrorCode::InvalidClientMetadata,
        "token_endpoint_auth_method: the default 'client_secret_basic' is not supported; register token_endpoint_auth_method explicitly",
    );

    let rules = rules_with(|r| r.signing_algs = vec!["ES256".into()]);
    refused_with(
        with_rp(json!({})),
        &rules,
        MetadataErrorCode::InvalidClientMetadata,
        "id_token_signed_response_alg: the default 'RS256' is not supported; register id_token_signed_response_alg explicitly",
    );
    assert!(
        validated(
            with_rp(json!({"id_token_signed_response_alg": "ES256"})),
            &rules
        )
        .is_ok()
    );
}

/// ECHO-17: a default or derived value the server's rules refuse is an error naming the member.
#[test]
fn derived_value_not_allowed_by_rules() {
    let rules = rules_with(|r| r.grant_types = vec![GrantType::AuthorizationCode]);
    refused_with(
        with_rp(json!({"response_types": ["code id_token"]})),
        &rules,
        MetadataErrorCode::InvalidClientMetadata,
        "grant_types: grant type 'implicit' (derived from response_types) is not supported",
    );
    let rules = rules_with(|r| r.response_types = vec![ResponseType::Code, ResponseType::Token]);
    refused_with(
        with_rp(json!({"grant_types": ["implicit"]})),
        &rules,
        MetadataErrorCode::InvalidClientMetadata,
        "response_types: response type 'id_token' (derived from grant_types) is not supported; register response_types explicitly",
    );
    assert!(
        validated(
            with_rp(json!({"grant_types": ["implicit"], "response_types": ["token"]})),
            &rules
        )
        .is_ok()
    );
}

/// ECHO-16: the server may register a default scope for a client that asks for none.
#[test]
fn default_scope_is_registered_when_none_is_asked() {
    let rules = rules_with(|r| r.default_scope = Some("openid profile".into()));
    let m = validated(with_rp(json!({})), &rules).expect("valid");
    assert_eq!(m.scope.as_deref(), Some("openid profile"));
    let m = validated(with_rp(json!({"scope": "email"})), &rules).expect("valid");
    assert_eq!(m.scope.as_deref(), Some("email"));
    let m = accepted(with_rp(json!({})));
    assert_eq!(m.scope, None);
}

/// VAL-33: human-readable members take language tags (`client_name#fr`), returned as sent.
#[test]
fn tagged_name_kept() {
    let m = accepted(with_rp(json!({
        "client_name#ja-Jpan-JP": "例",
        "logo_uri#fr": "https://rp.example.org/fr.png",
    })));
    assert_eq!(
        m.client_name.tagged,
        vec![("ja-Jpan-JP".to_owned(), "例".to_owned())]
    );
    assert_eq!(m.logo_uri.tagged[0].0, "fr");
}

/// VAL-34: a language tag is a well-formed BCP 47 tag, else `invalid_client_metadata`.
#[test]
fn tags_rechecked() {
    let mut meta = ClientMetadata {
        redirect_uris: Some(vec![RP.into()]),
        ..ClientMetadata::default()
    };
    meta.tos_uri.tagged = vec![
        ("en".into(), "https://rp.example.org/tos".into()),
        ("EN".into(), "https://rp.example.org/tos2".into()),
    ];
    let err = validate(meta.clone(), &MetadataRules::default()).unwrap_err();
    assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(
        err.description(),
        "tos_uri#'EN': duplicate language tag (tags are compared ignoring case)"
    );
    meta.tos_uri.tagged = vec![("xx-!!".into(), "https://rp.example.org/tos".into())];
    let err = validate(meta, &MetadataRules::default()).unwrap_err();
    assert_eq!(err.description(), "tos_uri#'xx-!!': invalid language tag");
}

/// ECHO-15: an encryption `alg` without its `enc` gets `enc` `A128CBC-HS256`.
#[test]
fn enc_defaults() {
    let m = accepted(with_rp(json!({
        "jwks_uri": "https://rp.example.org/jwks",
        "id_token_encrypted_response_alg": "RSA-OAEP",
        "userinfo_encrypted_response_alg": "ECDH-ES",
        "request_object_encryption_alg": "dir",
        "request_object_encryption_enc": "A256GCM",
    })));
    assert_eq!(
        m.id_token_encrypted_response_enc.as_deref(),
        Some("A128CBC-HS256")
    );
    assert_eq!(
        m.userinfo_encrypted_response_enc.as_deref(),
        Some("A128CBC-HS256")
    );
    assert_eq!(m.request_object_encryption_enc.as_deref(), Some("A256GCM"));
}

/// ALG-1: an encryption `enc` without its `alg` is refused.
#[test]
fn enc_without_alg_rejected() {
    rejected_cm(
        with_rp(json!({"id_token_encrypted_response_enc": "A128GCM"})),
        "id_token_encrypted_response_enc: requires id_token_encrypted_response_alg",
    );
    rejected_cm(
        with_rp(json!({"userinfo_encrypted_response_enc": "A128GCM"})),
        "userinfo_encrypted_response_enc: requires userinfo_encrypted_response_alg",
    );
    rejected_cm(
        with_rp(json!({"request_object_encryption_enc": "A128GCM"})),
        "request_object_encryption_enc: requires request_object_encryption_alg",
    );
}

/// ECHO-17: a default or derived value the server's rules refuse is an error naming the member.
#[test]
fn default_enc_not_allowed_by_rules() {
    let rules = rules_with(|r| r.encryption_encs = vec!["A256GCM".into()]);
    refused_with(
        with_rp(json!({"userinfo_encrypted_response_alg": "RSA-OAEP"})),
        &rules,
        MetadataErrorCode::InvalidClientMetadata,
        "userinfo_encrypted_response_enc: the default 'A128CBC-HS256' is not supported; register userinfo_encrypted_response_enc explicitly",
    );
}

/// VAL-3: a client of a redirect-based grant must register redirect URIs.
#[test]
fn redirect_uris_required() {
    let msg = "redirect_uris: required for the authorization_code and implicit grant types";
    rejected_ru(json!({}), msg);
    rejected_ru(json!({"redirect_uris": []}), msg);
    rejected_ru(json!({"client_name": "t"}), msg);
    rejected_ru(json!({"grant_types": ["implicit"]}), msg);
    rejected_ru(json!({"response_types": ["id_token"]}), msg);
    rejected_ru(
        json!({"grant_types": ["client_credentials", "authorization_code"]}),
        msg,
    );
}

/// VAL-3: any response type is answered by a redirect, `none` too (OAuth 2.0 Multiple
/// Response Types §4): a client that registers one needs redirect URIs whatever its grants.
#[test]
fn a_response_type_needs_redirect_uris_even_without_a_redirect_grant() {
    let rules = rules_with(|r| r.response_types.push(ResponseType::None));
    let doc = json!({"grant_types": ["client_credentials"], "response_types": ["none"]});
    refused_with(
        doc.clone(),
        &rules,
        MetadataErrorCode::InvalidRedirectUri,
        "redirect_uris: required for the authorization_code and implicit grant types",
    );
    let m = validated(with(doc, "redirect_uris", json!([RP])), &rules).expect("accepted");
    assert_eq!(m.response_types, Some(vec![ResponseType::None]));
}

/// VAL-4: a client without a redirect-based grant needs no redirect URIs.
#[test]
fn client_credentials_without_redirect_uris() {
    let m = accepted(json!({"grant_types": ["client_credentials"]}));
    assert_eq!(m.grant_types, Some(vec![GrantType::ClientCredentials]));
    assert_eq!(m.response_types, Some(vec![]));
    assert_eq!(m.redirect_uris, None);
    accepted(json!({"grant_types": ["client_credentials", "refresh_token"], "redirect_uris": []}));
}

/// VAL-5: a redirect URI with a fragment is refused.
#[test]
fn fragment_rejected() {
    rejected_ru(
        json!({"redirect_uris": [RP, "https://rp.example.org/cb#x"]}),
        "redirect_uris[1]: fragment not allowed",
    );
    rejected_ru(
        json!({"redirect_uris": ["https://rp.example.org/cb#"]}),
        "redirect_uris[0]: fragment not allowed",
    );
}

/// VAL-6: a redirect URI must be absolute.
#[test]
fn relative_rejected() {
    rejected_ru(
        json!({"redirect_uris": ["/cb"]}),
        "redirect_uris[0]: must be an absolute URI",
    );
}

/// VAL-8: a redirect URI may carry a query, kept as sent.
#[test]
fn query_echoed_byte_for_byte() {
    let uris = [
        "https://rp.example.org/cb?b=2&a=1&c=%7e",
        "https://RP.Example.ORG:443/cb/../x?q",
    ];
    let m = accepted(json!({"redirect_uris": uris}));
    assert_eq!(
        m.redirect_uris,
        Some(uris.iter().map(|s| s.to_string()).collect())
    );
}

/// VAL-9: a web client's redirect URIs are https, or http on a loopback host.
#[test]
fn web_http_non_loopback_rejected() {
    accepted(json!({"redirect_uris": ["http://localhost:8080/cb", "http://127.0.0.1/cb"]}));
    rejected_ru(
        json!({"redirect_uris": [RP, "http://rp.example.org/cb"]}),
        "redirect_uris[1]: web clients must use https (http is allowed only on loopback)",
    );
    rejected_ru(
        json!({"redirect_uris": ["com.example.app:/cb"]}),
        "redirect_uris[0]: web clients must use https (scheme 'com.example.app' not allowed)",
    );
}

/// VAL-10: a web client of the implicit grant uses https and not localhost.
#[test]
fn implicit_web_no_localhost() {
    accepted(json!({"redirect_uris": [RP], "response_types": ["id_token"]}));
    rejected_ru(
        json!({"redirect_uris": ["https://localhost/cb"], "response_types": ["id_token"]}),
        "redirect_uris[0]: clients using the implicit grant must not use localhost or a loopback address",
    );
    rejected_ru(
        json!({"redirect_uris": ["http://127.0.0.1/cb"], "grant_types": ["implicit"]}),
        "redirect_uris[0]: clients using the implicit grant must use https",
    );
}

/// VAL-11: a native client may use http on `127.0.0.1`, `[::1]` or `localhost`, any port.
#[test]
fn native_loopback_accepted() {
    let m = accepted(json!({
        "application_type": "native",
        "redirect_uris": ["http://127.0.0.1/cb", "http://[::1]:8080/cb", "http://localhost/cb"],
    }));
    assert_eq!(m.redirect_uris.map(|u| u.len()), Some(3));
}

/// VAL-12: a native client uses http only on a loopback host.
#[test]
fn native_http_non_loopback_rejected() {
    rejected_ru(
        json!({"application_type": "native", "redirect_uris": ["http://rp.example.org/cb"]}),
        "redirect_uris[0]: native clients may use http only on a loopback host (127.0.0.1, [::1] or localhost)",
    );
}

/// VAL-13: a native client may use claimed https redirect URIs.
#[test]
fn native_https_configurable() {
    let doc =
        json!({"application_type": "native", "redirect_uris": ["https://app.example.org/cb"]});
    accepted(doc.clone());
    let rules = rules_with(|r| r.native_https_redirects = false);
    refused_with(
        doc,
        &rules,
        MetadataErrorCode::InvalidRedirectUri,
        "redirect_uris[0]: native clients may not use https redirect URIs on this server; use http on a loopback host or a reverse-domain private-use scheme",
    );
}

/// VAL-14: a native client's private-use scheme is a reverse domain name.
#[test]
fn native_private_use_scheme() {
    accepted(json!({"application_type": "native", "redirect_uris": ["com.example.app:/cb"]}));
    rejected_ru(
        json!({"application_type": "native", "redirect_uris": ["myapp://cb"]}),
        "redirect_uris[0]: private-use scheme 'myapp' must be a reverse domain name such as com.example.app (RFC 8252 section 7.1)",
    );
    for app in ["web", "native"] {
        rejected_ru(
            json!({"application_type": app, "redirect_uris": ["javascript:alert(1)"]}),
            "redirect_uris[0]: scheme 'javascript' not allowed",
        );
        rejected_ru(
            json!({"application_type": app, "redirect_uris": ["DATA:text/html,x"]}),
            "redirect_uris[0]: scheme 'data' not allowed",
        );
    }
}

/// VAL-1: `grant_types` and `response_types` are consistent.
#[test]
fn consistent_types_accepted() {
    accepted(with_rp(json!({
        "grant_types": ["authorization_code", "implicit", "refresh_token"],
        "response_types": ["code", "code id_token token"],
    })));
    accepted(with_rp(json!({
        "grant_types": ["implicit"],
        "response_types": ["id_token token", "token"],
    })));
}

/// VAL-1: `grant_types` and `response_types` are consistent.
#[test]
fn inconsistent_types_rejected() {
    rejected_cm(
        with_rp(json!({"grant_types": ["implicit"], "response_types": ["code"]})),
        "grant_types: response type 'code' requires grant type 'authorization_code'",
    );
    rejected_cm(
        with_rp(
            json!({"grant_types": ["authorization_code"], "response_types": ["code id_token"]}),
        ),
        "grant_types: response type 'code id_token' requires grant type 'implicit'",
    );
    rejected_cm(
        with_rp(
            json!({"grant_types": ["authorization_code", "implicit"], "response_types": ["id_token"]}),
        ),
        "response_types: grant type 'authorization_code' requires a response type containing 'code'",
    );
    rejected_cm(
        with_rp(
            json!({"grant_types": ["authorization_code", "implicit"], "response_types": ["code"]}),
        ),
        "response_types: grant type 'implicit' requires a response type containing 'id_token' or 'token'",
    );
    rejected_cm(
        with_rp(json!({"grant_types": ["refresh_token"], "response_types": ["code"]})),
        "grant_types: response type 'code' requires grant type 'authorization_code'",
    );
    rejected_cm(
        with_rp(json!({"grant_types": ["authorization_code"], "response_types": []})),
        "response_types: grant type 'authorization_code' requires a response type containing 'code'",
    );
}

/// VAL-2: grant, response and subject types and authentication methods must be on the server's
/// lists.
#[test]
fn unsupported_values_rejected() {
    rejected_cm(
        with_rp(json!({"grant_types": ["authorization_code", "password"]})),
        "grant_types[1]: unsupported grant type 'password'",
    );
    let rules = rules_with(|r| r.response_types = vec![ResponseType::Code]);
    refused_with(
        with_rp(json!({"response_types": ["code", "token"]})),
        &rules,
        MetadataErrorCode::InvalidClientMetadata,
        "response_types[1]: unsupported response type 'token'",
    );
    rejected_cm(
        with_rp(json!({"token_endpoint_auth_method": "tls_client_auth"})),
        "token_endpoint_auth_method: unsupported authentication method 'tls_client_auth'",
    );
    let rules = rules_with(|r| r.subject_types = vec![SubjectType::Public]);
    refused_with(
        with_rp(json!({"subject_type": "pairwise"})),
        &rules,
        MetadataErrorCode::InvalidClientMetadata,
        "subject_type: unsupported subject type 'pairwise'",
    );
    assert!(validated(with_rp(json!({"subject_type": "public"})), &rules).is_ok());
    let rules = rules_with(|r| r.grant_types.push(GrantType::Password));
    assert!(
        validated(
            with_rp(json!({"grant_types": ["authorization_code", "password"]})),
            &rules
        )
        .is_ok()
    );
}

/// VAL-18: a `private_key_jwt` client registers `jwks` (with a signature key) or `jwks_uri`.
#[test]
fn auth_methods_and_the_keys_they_need() {
    rejected_cm(
        with_rp(json!({"token_endpoint_auth_method": "private_key_jwt"})),
        "token_endpoint_auth_method: private_key_jwt requires jwks or jwks_uri",
    );
    accepted(with_rp(json!({
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": "https://rp.example.org/jwks",
    })));
    accepted(with_rp(json!({
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": {"keys": [p256_public_jwk()]},
    })));
    let rules = rules_with(|r| r.auth_methods.push(AuthMethod::SelfSignedTlsClientAuth));
    refused_with(
        with_rp(json!({"token_endpoint_auth_method": "self_signed_tls_client_auth"})),
        &rules,
        MetadataErrorCode::InvalidClientMetadata,
        "token_endpoint_auth_method: self_signed_tls_client_auth requires jwks or jwks_uri",
    );
    for method in [
        "none",
        "client_secret_post",
        "client_secret_jwt",
        "client_secret_basic",
    ] {
        let m = accepted(with_rp(json!({"token_endpoint_auth_method": method})));
        assert_eq!(
            m.token_endpoint_auth_method.map(AuthMethod::as_str),
            Some(method)
        );
    }
}

/// VAL-19: `jwks` and `jwks_uri` are never registered together.
#[test]
fn jwks_and_jwks_uri_together_rejected() {
    rejected_cm(
        with_rp(json!({"jwks": {"keys": []}, "jwks_uri": "https://rp.example.org/jwks"})),
        "jwks: must not be registered together with jwks_uri",
    );
}

/// KEY-1: `jwks` is a JWK Set: an object whose `keys` is an array of objects, each with a `kty`.
#[test]
fn jwks_must_be_public_jwk_set() {
    accepted(with_rp(json!({"jwks": {"keys": [
        rsa_key(),
        p256_public_jwk(),
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
    ]}})));
    rejected_cm(
        with_rp(json!({"jwks": {"kty": "RSA", "n": "x", "e": "AQAB"}})),
        "jwks: must be a JWK Set (an object with a 'keys' array)",
    );
    rejected_cm(
        with_rp(json!({"jwks": {"keys": {"kty": "RSA"}}})),
        "jwks: must be a JWK Set (an object with a 'keys' array)",
    );
    rejected_cm(
        with_rp(json!({"jwks": {"keys": ["x"]}})),
        "jwks.keys[0]: must be a JSON object",
    );
    rejected_cm(
        with_rp(json!({"jwks": {"keys": [rsa_key(), {"n": "x"}]}})),
        "jwks.keys[1].kty: required",
    );
    rejected_cm(
        with_rp(json!({"jwks": {"keys": [{"kty": "RSA", "n": "x", "e": "AQAB", "d": "secret"}]}})),
        "jwks.keys[0].d: private key material not allowed",
    );
    rejected_cm(
        with_rp(json!({"jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}})),
        "jwks.keys[0].kty: symmetric keys ('oct') not allowed; register public keys only",
    );
    rejected_cm(
        with_rp(
            json!({"jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "d": "c"}]}}),
        ),
        "jwks.keys[0].d: private key material not allowed",
    );
}

/// VAL-20: `jwks_uri` is an https URL.
#[test]
fn jwks_uri_https_without_fragment() {
    accepted(with_rp(
        json!({"jwks_uri": "https://rp.example.org/jwks.json"}),
    ));
    rejected_cm(
        with_rp(json!({"jwks_uri": "http://rp.example.org/jwks.json"})),
        "jwks_uri: must be an https URL",
    );
    rejected_cm(
        with_rp(json!({"jwks_uri": "https://rp.example.org/jwks.json#k"})),
        "jwks_uri: fragment not allowed",
    );
}

/// VAL-25: `sector_identifier_uri` is an https URL.
#[test]
fn sector_identifier_uri_is_https() {
    // The document itself is fetched and checked by the registry (registry/sector.rs).
    accepted(with_rp(json!({
        "subject_type": "pairwise",
        "sector_identifier_uri": "https://rp.example.org/sector.json",
    })));
    rejected_cm(
        with_rp(json!({"sector_identifier_uri": "http://rp.example.org/sector.json"})),
        "sector_identifier_uri: must be an https URL",
    );
    rejected_cm(
        with_rp(json!({"sector_identifier_uri": "https://rp.example.org/sector.json#x"})),
        "sector_identifier_uri: fragment not allowed",
    );
}

/// VAL-29: a pairwise client with redirect URIs on several hosts registers a
/// `sector_identifier_uri`.
#[test]
fn pairwise_redirect_hosts() {
    let msg = "redirect_uris[1]: scheme or host differs from redirect_uris[0]; a pairwise client with several redirect hosts needs a sector_identifier_uri";
    accepted(json!({
        "subject_type": "pairwise",
        "redirect_uris": ["https://rp.example.org/a", "https://RP.example.org:8443/b?x"],
    }));
    accepted(json!({"subject_type": "pairwise", "redirect_uris": [RP]}));
    rejected_cm(
        json!({
            "subject_type": "pairwise",
            "redirect_uris": [RP, "https://other.example.org/cb"],
        }),
        msg,
    );
    // A sector identifier groups the hosts (its document is checked by the registry).
    accepted(json!({
        "subject_type": "pairwise",
        "sector_identifier_uri": "https://rp.example.org/sector.json",
        "redirect_uris": [RP, "https://other.example.org/cb"],
    }));
    // Different hosts are fine for public subjects.
    accepted(json!({"redirect_uris": [RP, "https://other.example.org/cb"]}));
}

/// VAL-29: a pairwise client with redirect URIs on several hosts registers a
/// `sector_identifier_uri`.
#[test]
fn pairwise_private_use_schemes_differ() {
    // Hostless URIs have no host to share: two apps' private-use schemes are not one host.
    rejected_cm(
        json!({
            "application_type": "native",
            "subject_type": "pairwise",
            "redirect_uris": ["com.a.app:/cb", "org.evil.x:/cb"],
        }),
        "redirect_uris[1]: scheme or host differs from redirect_uris[0]; a pairwise client with several redirect hosts needs a sector_identifier_uri",
    );
    accepted(json!({
        "application_type": "native",
        "subject_type": "pairwise",
        "redirect_uris": ["com.a.app:/cb", "com.a.app:/other"],
    }));
    rejected_cm(
        json!({
            "application_type": "native",
            "subject_type": "pairwise",
            "redirect_uris": ["com.a.app:/cb", "http://127.0.0.1/cb"],
        }),
        "redirect_uris[1]: scheme or host differs from redirect_uris[0]; a pairwise client with several redirect hosts needs a sector_identifier_uri",
    );
}

/// VAL-21: `initiate_login_uri` is an absolute https URL.
#[test]
fn initiate_login_uri_https() {
    accepted(with_rp(
        json!({"initiate_login_uri": "https://rp.example.org/login"}),
    ));
    rejected_cm(
        with_rp(json!({"initiate_login_uri": "http://rp.example.org/login"})),
        "initiate_login_uri: must be an https URL",
    );
}

/// VAL-22: `request_uris` are absolute URLs; a fragment is allowed.
#[test]
fn request_uris() {
    accepted(with_rp(json!({"request_uris": [
        "https://rp.example.org/r/1.jwt#1f2e3d",
        "http://rp.example.org/r/2",
    ]})));
    rejected_cm(
        with_rp(json!({"request_uris": ["https://rp.example.org/r", "r/2"]})),
        "request_uris[1]: must be an absolute URI",
    );
    rejected_cm(
        with_rp(json!({"request_uris": ["urn:example:request"]})),
        "request_uris[0]: must be an http or https URL",
    );
}

/// ALG-2: `none` ID token signatures are refused when the authorization endpoint returns ID tokens.
#[test]
fn alg_none_refused_where_it_protects_nothing() {
    rejected_cm(
        with_rp(
            json!({"response_types": ["code id_token"], "id_token_signed_response_alg": "none"}),
        ),
        "id_token_signed_response_alg: 'none' is not allowed with a response type that returns an ID token",
    );
    let m = accepted(with_rp(json!({"id_token_signed_response_alg": "none"})));
    assert_eq!(m.id_token_signed_response_alg.as_deref(), Some("none"));
    rejected_cm(
        with_rp(json!({
            "token_endpoint_auth_method": "client_secret_jwt",
            "token_endpoint_auth_signing_alg": "none",
        })),
        "token_endpoint_auth_signing_alg: 'none' is not allowed",
    );
    accepted(with_rp(json!({
        "token_endpoint_auth_method": "client_secret_jwt",
        "token_endpoint_auth_signing_alg": "HS256",
    })));
    // Meaningless with client_secret_basic, but not rejected.
    accepted(with_rp(json!({"token_endpoint_auth_signing_alg": "RS256"})));
}

/// ALG-6: every algorithm member takes a value from the server's lists.
#[test]
fn alg_allow_lists() {
    accepted(with_rp(json!({
        "userinfo_signed_response_alg": "EdDSA",
        "request_object_signing_alg": "none",
        "request_object_encryption_alg": "A256KW",
    })));
    rejected_cm(
        with_rp(json!({"userinfo_signed_response_alg": "XS256"})),
        "userinfo_signed_response_alg: unsupported algorithm 'XS256'",
    );
    rejected_cm(
        with_rp(json!({"id_token_encrypted_response_alg": "RSA1_5"})),
        "id_token_encrypted_response_alg: unsupported algorithm 'RSA1_5'",
    );
    rejected_cm(
        with_rp(json!({
            "request_object_encryption_alg": "dir",
            "request_object_encryption_enc": "A128CTR",
        })),
        "request_object_encryption_enc: unsupported algorithm 'A128CTR'",
    );
    rejected_cm(
        with_rp(json!({"request_object_signing_alg": "RSA-OAEP"})),
        "request_object_signing_alg: unsupported algorithm 'RSA-OAEP'",
    );
}

/// VAL-23: `client_uri`, `logo_uri`, `tos_uri` and `policy_uri` are absolute http or https URLs.
/// PROF-9: front- and back-channel logout URIs are absolute and carry no fragment.
#[test]
fn url_members() {
    accepted(with_rp(json!({
        "client_uri": "http://rp.example.org",
        "logo_uri": "https://rp.example.org/logo.png",
        "tos_uri#de": "https://rp.example.org/agb",
        "policy_uri": "https://rp.example.org/policy?lang=en",
        "frontchannel_logout_uri": "https://rp.example.org/fc",
        "backchannel_logout_uri": "https://rp.example.org/bc",
    })));
    rejected_cm(
        with_rp(json!({"logo_uri#fr": "data:image/png;base64,AAAA"})),
        "logo_uri#'fr': must be an http or https URL",
    );
    rejected_cm(
        with_rp(json!({"client_uri": "rp.example.org"})),
        "client_uri: must be an absolute URI",
    );
    rejected_cm(
        with_rp(json!({"policy_uri": "javascript:alert(1)"})),
        "policy_uri: must be an http or https URL",
    );
    rejected_cm(
        with_rp(json!({"backchannel_logout_uri": "https://rp.example.org/bc#x"})),
        "backchannel_logout_uri: fragment not allowed",
    );
    rejected_cm(
        with_rp(json!({"frontchannel_logout_uri": "https://rp.example.org/fc#x"})),
        "frontchannel_logout_uri: fragment not allowed",
    );
    rejected_cm(
        with_rp(json!({"frontchannel_logout_uri": "ftp://rp.example.org/fc"})),
        "frontchannel_logout_uri: must be an http or https URL",
    );
    // Fragments are harmless on pages shown to the user.
    accepted(with_rp(
        json!({"tos_uri#en": "https://rp.example.org/legal#tos"}),
    ));
    // A session flag without its URI is fine.
    accepted(with_rp(
        json!({"frontchannel_logout_session_required": true}),
    ));
}

/// VAL-23: `client_uri`, `logo_uri`, `tos_uri` and `policy_uri` are absolute http or https URLs.
#[test]
fn localized_url_members_chosen_by_name() {
    // client_name is free text: never checked as a URL, tagged or not.
    accepted(with_rp(
        json!({"client_name": "not a URL", "client_name#fr": "pas une URL"}),
    ));
    // Every other localized member is a URL, tagged or not.
    for member in ["client_uri", "logo_uri", "tos_uri", "policy_uri"] {
        rejected_cm(
            with_rp(json!({ member: "rp.example.org" })),
            &format!("{member}: must be an absolute URI"),
        );
        rejected_cm(
            with_rp(json!({ format!("{member}#de"): "rp.example.org" })),
            &format!("{member}#'de': must be an absolute URI"),
        );
    }
}

/// PROF-11: `post_logout_redirect_uris` obey the redirect URI rules of the application type.
#[test]
fn post_logout_redirect_uris() {
    accepted(with_rp(
        json!({"post_logout_redirect_uris": ["https://rp.example.org/bye?x=1"]}),
    ));
    rejected_cm(
        with_rp(json!({"post_logout_redirect_uris": ["https://rp.example.org/bye#x"]})),
        "post_logout_redirect_uris[0]: fragment not allowed",
    );
    rejected_cm(
        with_rp(json!({"post_logout_redirect_uris": [RP, "http://rp.example.org/bye"]})),
        "post_logout_redirect_uris[1]: web clients must use https (http is allowed only on loopback)",
    );
    accepted(json!({
        "application_type": "native",
        "redirect_uris": ["com.example.app:/cb"],
        "post_logout_redirect_uris": ["com.example.app:/bye", "http://127.0.0.1/bye"],
    }));
    rejected_cm(
        json!({
            "application_type": "native",
            "redirect_uris": ["com.example.app:/cb"],
            "post_logout_redirect_uris": ["myapp:/bye"],
        }),
        "post_logout_redirect_uris[0]: private-use scheme 'myapp' must be a reverse domain name such as com.example.app (RFC 8252 section 7.1)",
    );
}

/// VAL-31: `contacts` is an array of non-empty strings.
#[test]
fn contacts_non_empty() {
    let m = accepted(with_rp(
        json!({"contacts": ["ops@example.org", "Jane Doe", "+33 1 23"]}),
    ));
    assert_eq!(m.contacts.map(|c| c.len()), Some(3));
    rejected_cm(
        with_rp(json!({"contacts": ["ops@example.org", ""]})),
        "contacts[1]: must not be empty",
    );
    rejected_cm(
        with_rp(json!({"contacts": ["  "]})),
        "contacts[0]: must not be empty",
    );
}

/// VAL-30: `scope` is a string of scope tokens separated by single spaces.
#[test]
fn scope_syntax() {
    accepted(with_rp(
        json!({"scope": "openid profile email offline_access"}),
    ));
    accepted(with_rp(
        json!({"scope": "https://api.example.org/read urn:x:y!#$%&'()*+,-./:;<=>?@[]^_`{|}~"}),
    ));
    rejected_cm(with_rp(json!({"scope": ""})), "scope: must not be empty");
    rejected_cm(
        with_rp(json!({"scope": "openid  profile"})),
        "scope: scope tokens must be separated by single spaces",
    );
    rejected_cm(
        with_rp(json!({"scope": " openid"})),
        "scope: scope tokens must be separated by single spaces",
    );
    rejected_cm(
        with_rp(json!({"scope": "openid\tprofile"})),
        "scope: invalid character in scope token 'openidU+0009profile'",
    );
    rejected_cm(
        with_rp(json!({"scope": "a\"b"})),
        "scope: invalid character in scope token 'a'b'",
    );
    rejected_cm(
        with_rp(json!({"scope": "a\\b"})),
        "scope: invalid character in scope token 'aU+005Cb'",
    );
    let err = check(with_rp(json!({"scope": "caf\u{e9}"}))).unwrap_err();
    assert!(err.description().is_ascii(), "{}", err.description());
}

#[test]
fn idempotent() {
    let rules = rules_with(|r| r.default_scope = Some("openid".into()));
    let docs = [
        json!({"redirect_uris": [RP], "client_name": "t"}),
        json!({"grant_types": ["client_credentials"]}),
        with_rp(json!({"response_types": ["code id_token token"]})),
        with_rp(json!({"grant_types": ["authorization_code", "implicit"]})),
        with_rp(json!({"grant_types": ["implicit"]})),
        with_rp(json!({
            "id_token_encrypted_response_alg": "RSA-OAEP",
            "jwks_uri": "https://rp.example.org/jwks",
        })),
        json!({"application_type": "native", "redirect_uris": ["com.example.app:/cb"], "token_endpoint_auth_method": "none"}),
        full_document(),
    ];
    for doc in docs {
        let once = validated(doc.clone(), &rules).unwrap_or_else(|e| panic!("{doc}: {e}"));
        let twice = validate(once.clone(), &rules).unwrap_or_else(|e| panic!("{doc}: {e}"));
        assert_eq!(once, twice, "{doc}");
    }
}

#[test]
fn full_document_accepted() {
    // pairwise with two paths on one host
    let m = accepted(full_document());
    assert_eq!(
        m.userinfo_encrypted_response_enc.as_deref(),
        Some("A128CBC-HS256")
    );
    assert_eq!(m.subject_type, Some(SubjectType::Pairwise));
    assert_eq!(
        m.grant_types,
        Some(vec![
            GrantType::AuthorizationCode,
            GrantType::Implicit,
            GrantType::RefreshToken
        ])
    );
}

/// ERR-3: `error_description` keeps to the characters RFC 6749 allows.
#[test]
fn descriptions_are_ascii() {
    let err = check(json!({"redirect_uris": ["https://rp.example.org/\u{e9}#x"]})).unwrap_err();
    assert!(err.description().is_ascii());
    let err = parse(&object(json!({"client_name#\u{e9}": "x"}))).unwrap_err();
    assert!(err.description().is_ascii());
}
