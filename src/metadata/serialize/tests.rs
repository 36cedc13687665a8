use super::*;
use crate::metadata::test_support::rsa_modulus;
use crate::metadata::{
    ApplicationType, AuthMethod, ExtensionMember, ExtensionType, GrantType, MetadataRules,
    ResponseType, SubjectType, parse, validate,
};
use serde_json::{Map, Value, json};

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn full() -> ClientMetadata {
    let mut jwks = Map::new();
    jwks.insert(
        "keys".into(),
        json!([{"kty": "RSA", "n": rsa_modulus(), "e": "AQAB", "kid": "k1"}]),
    );
    let mut extensions = Map::new();
    extensions.insert("tenant".into(), json!("t1"));
    ClientMetadata {
        redirect_uris: Some(vec![
            "https://rp.example.org/cb?b=2&a=1".into(),
            "https://rp.example.org/cb2".into(),
        ]),
        token_endpoint_auth_method: Some(AuthMethod::PrivateKeyJwt),
        grant_types: Some(vec![
            GrantType::AuthorizationCode,
            GrantType::Implicit,
            GrantType::RefreshToken,
        ]),
        response_types: Some(vec![ResponseType::CodeIdToken, ResponseType::Code]),
        application_type: Some(ApplicationType::Web),
        client_name: Localized {
            default: s("Example"),
            // Sorted, so the test holds whether or not serde_json preserves order.
            tagged: vec![
                ("de-CH".into(), "Beispiel".into()),
                ("ja-Jpan-JP".into(), "例".into()),
            ],
        },
        client_uri: Localized {
            default: s("https://rp.example.org"),
            tagged: vec![],
        },
        logo_uri: Localized {
            default: None,
            tagged: vec![("FR".into(), "https://rp.example.org/fr.png".into())],
        },
        tos_uri: Localized {
            default: s("https://rp.example.org/tos"),
            tagged: vec![("de".into(), "https://rp.example.org/agb".into())],
        },
        policy_uri: Localized {
            default: s("https://rp.example.org/policy"),
            tagged: vec![],
        },
        contacts: Some(vec!["ops@example.org".into()]),
        scope: s("openid profile"),
        jwks_uri: None,
        jwks: Some(jwks),
        software_id: s("sid"),
        software_version: s("1.2"),
        subject_type: Some(SubjectType::Pairwise),
        sector_identifier_uri: None,
        id_token_signed_response_alg: s("ES256"),
        id_token_encrypted_response_alg: s("RSA-OAEP"),
        id_token_encrypted_response_enc: s("A256GCM"),
        userinfo_signed_response_alg: s("PS256"),
        userinfo_encrypted_response_alg: s("ECDH-ES"),
        userinfo_encrypted_response_enc: s("A128CBC-HS256"),
        request_object_signing_alg: s("RS256"),
        request_object_encryption_alg: s("RSA-OAEP-256"),
        request_object_encryption_enc: s("A128GCM"),
        token_endpoint_auth_signing_alg: s("ES384"),
        default_max_age: Some(86400),
        require_auth_time: Some(true),
        default_acr_values: Some(vec!["urn:acr:silver".into()]),
        initiate_login_uri: s("https://rp.example.org/login"),
        request_uris: Some(vec!["https://rp.example.org/r#abc".into()]),
        post_logout_redirect_uris: Some(vec!["https://rp.example.org/bye".into()]),
        frontchannel_logout_uri: s("https://rp.example.org/fc"),
        frontchannel_logout_session_required: Some(false),
        backchannel_logout_uri: s("https://rp.example.org/bc"),
        backchannel_logout_session_required: Some(true),
        authorization_signed_response_alg: s("PS256"),
        authorization_encrypted_response_alg: s("RSA-OAEP"),
        authorization_encrypted_response_enc: s("A256GCM"),
        introspection_signed_response_alg: s("RS256"),
        introspection_encrypted_response_alg: s("RSA-OAEP-256"),
        introspection_encrypted_response_enc: s("A128CBC-HS256"),
        tls_client_auth_subject_dn: None,
        tls_client_auth_san_dns: None,
        tls_client_auth_san_uri: None,
        tls_client_auth_san_ip: None,
        tls_client_auth_san_email: None,
        tls_client_certificate_bound_access_tokens: Some(true),
        require_pushed_authorization_requests: Some(true),
        dpop_bound_access_tokens: Some(false),
        require_signed_request_object: Some(true),
        authorization_details_types: Some(vec!["payment_initiation".into()]),
        extensions,
    }
}

/// [`full`] for a `tls_client_auth` client: the subject member is echoed too.
fn tls_full() -> ClientMetadata {
    ClientMetadata {
        token_endpoint_auth_method: Some(AuthMethod::TlsClientAuth),
        token_endpoint_auth_signing_alg: None,
        tls_client_auth_san_dns: s("client.rp.example.org"),
        ..full()
    }
}

/// The default rules, with `tls_client_auth` and the extension member `tenant`.
fn rules() -> MetadataRules {
    let mut rules = MetadataRules::default();
    rules.auth_methods.push(AuthMethod::TlsClientAuth);
    rules
        .extensions
        .declare(ExtensionMember::new("tenant", ExtensionType::String))
        .expect("declare");
    rules
}

fn to_object(m: &ClientMetadata) -> Map<String, Value> {
    match serde_json::to_value(m) {
        Ok(Value::Object(o)) => o,
        other => panic!("not an object: {other:?}"),
    }
}

/// ECHO-8: the response carries all registered metadata, server-provisioned values included.
#[test]
fn round_trip() {
    for m in [full(), tls_full()] {
        let parsed = parse(&to_object(&m)).expect("parse");
        assert_eq!(parsed, m);
        // The fully-populated metadata is also valid and complete: validation changes
        // nothing.
        assert_eq!(validate(m.clone(), &rules()), Ok(m));
    }
}

/// ECHO-8: the response carries all registered metadata, server-provisioned values included.
#[test]
fn every_member_written() {
    let o = to_object(&full());
    for name in [
        "redirect_uris",
        "client_name",
        "client_name#de-CH",
        "client_name#ja-Jpan-JP",
        "client_uri",
        "logo_uri#FR",
        "tos_uri",
        "tos_uri#de",
        "policy_uri",
        "contacts",
        "token_endpoint_auth_method",
        "scope",
        "grant_types",
        "response_types",
        "application_type",
        "jwks",
        "software_id",
        "software_version",
        "subject_type",
        "id_token_signed_response_alg",
        "id_token_encrypted_response_alg",
        "id_token_encrypted_response_enc",
        "userinfo_signed_response_alg",
        "userinfo_encrypted_response_alg",
        "userinfo_encrypted_response_enc",
        "request_object_signing_alg",
        "request_object_encryption_alg",
        "request_object_encryption_enc",
        "token_endpoint_auth_signing_alg",
        "default_max_age",
        "require_auth_time",
        "default_acr_values",
        "initiate_login_uri",
        "request_uris",
        "post_logout_redirect_uris",
        "frontchannel_logout_uri",
        "frontchannel_logout_session_required",
        "backchannel_logout_uri",
        "backchannel_logout_session_required",
    ] {
        assert!(o.contains_key(name), "{name} missing");
    }
    assert!(!o.contains_key("logo_uri"), "absent default not written");
    assert!(!o.contains_key("jwks_uri"));
    assert!(!o.contains_key("sector_identifier_uri"));
    assert_eq!(
        o["grant_types"],
        json!(["authorization_code", "implicit", "refresh_token"])
    );
    assert_eq!(o["response_types"], json!(["code id_token", "code"]));
    assert_eq!(o["token_endpoint_auth_method"], json!("private_key_jwt"));
    assert_eq!(o["application_type"], json!("web"));
    assert_eq!(o["subject_type"], json!("pairwise"));
    assert_eq!(o["default_max_age"], json!(86400));
    assert_eq!(o["require_auth_time"], json!(true));
    assert_eq!(o["jwks"]["keys"][0]["kid"], json!("k1"));
    assert_eq!(
        o["redirect_uris"][0],
        json!("https://rp.example.org/cb?b=2&a=1")
    );
}

/// ECHO-8: the response carries all registered metadata, server-provisioned values included.
#[test]
fn defaults_echoed() {
    let meta = parse(
        &serde_json::from_str::<Map<String, Value>>(
            r#"{"redirect_uris":["https://rp.example.org/cb"],"client_name":"t"}"#,
        )
        .expect("json"),
    )
    .expect("parse");
    let meta = validate(meta, &MetadataRules::default()).expect("valid");
    let text = serde_json::to_string(&meta).expect("serialize");
    assert_eq!(
        text,
        r#"{"redirect_uris":["https://rp.example.org/cb"],"client_name":"t","token_endpoint_auth_method":"client_secret_basic","grant_types":["authorization_code"],"response_types":["code"],"application_type":"web","id_token_signed_response_alg":"RS256"}"#
    );
}

/// VAL-33: human-readable members take language tags (`client_name#fr`), returned as sent.
#[test]
fn tagged_name_echoed() {
    let m = ClientMetadata {
        client_name: Localized {
            default: s("App"),
            tagged: vec![
                ("ja-Jpan-JP".into(), "アプリ".into()),
                ("fr".into(), "Appli".into()),
            ],
        },
        policy_uri: Localized {
            default: None,
            tagged: vec![("EN-gb".into(), "https://x.example/p".into())],
        },
        ..ClientMetadata::default()
    };
    let text = serde_json::to_string(&m).expect("serialize");
    assert_eq!(
        text,
        r#"{"client_name":"App","client_name#ja-Jpan-JP":"アプリ","client_name#fr":"Appli","policy_uri#EN-gb":"https://x.example/p"}"#
    );
}

#[test]
fn field_order() {
    let text = serde_json::to_string(&full()).expect("serialize");
    let order = [
        "\"redirect_uris\"",
        "\"client_name\"",
        "\"client_name#de-CH\"",
        "\"client_uri\"",
        "\"logo_uri#FR\"",
        "\"tos_uri\"",
        "\"tos_uri#de\"",
        "\"policy_uri\"",
        "\"contacts\"",
        "\"token_endpoint_auth_method\"",
        "\"scope\"",
        "\"grant_types\"",
        "\"response_types\"",
        "\"application_type\"",
        "\"jwks\"",
        "\"software_id\"",
        "\"subject_type\"",
        "\"id_token_signed_response_alg\"",
        "\"token_endpoint_auth_signing_alg\"",
        "\"default_max_age\"",
        "\"post_logout_redirect_uris\"",
        "\"backchannel_logout_session_required\"",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|k| text.find(k).unwrap_or_else(|| panic!("{k} missing")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
}

#[test]
fn empty_metadata_is_empty_object() {
    assert_eq!(
        serde_json::to_string(&ClientMetadata::default()).expect("serialize"),
        "{}"
    );
}

#[test]
fn write_entries_into_a_larger_object() {
    struct Response<'a>(&'a ClientMetadata);
    impl Serialize for Response<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(None)?;
            map.serialize_entry("client_id", "abc")?;
            self.0.write_entries(&mut map)?;
            map.end()
        }
    }
    let m = ClientMetadata {
        scope: s("openid"),
        ..ClientMetadata::default()
    };
    let text = serde_json::to_string(&Response(&m)).expect("serialize");
    assert_eq!(text, r#"{"client_id":"abc","scope":"openid"}"#);
}
