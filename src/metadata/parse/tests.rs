use super::*;
use crate::metadata::test_support::object;
use serde_json::json;

/// Parses with [`parse`] and with [`parse_owned`], which must agree.
#[track_caller]
fn parse_json(v: Value) -> Result<ClientMetadata, MetadataError> {
    let doc = object(v);
    let borrowed = parse(&doc);
    assert_eq!(parse_owned(doc), borrowed, "parse_owned and parse disagree");
    borrowed
}

#[track_caller]
fn assert_err(v: Value, code: MetadataErrorCode, description: &str) {
    let err = parse_json(v).expect_err("expected an error");
    assert_eq!(err.code(), code, "{}", err.description());
    assert_eq!(err.description(), description);
}

#[track_caller]
fn assert_cm(v: Value, description: &str) {
    assert_err(v, MetadataErrorCode::InvalidClientMetadata, description);
}

#[test]
fn minimal_document() {
    let m = parse_json(json!({"redirect_uris":["https://rp.example.org/cb"],"client_name":"t"}))
        .expect("parse");
    assert_eq!(
        m.redirect_uris,
        Some(vec!["https://rp.example.org/cb".to_owned()])
    );
    assert_eq!(m.client_name.default.as_deref(), Some("t"));
    assert!(m.client_name.tagged.is_empty());
    assert_eq!(m.grant_types, None);
    assert_eq!(m.token_endpoint_auth_method, None);
    let empty = parse_json(json!({})).expect("parse");
    assert_eq!(empty, ClientMetadata::default());
}

/// REG-6: unknown members are ignored: no error, not stored, not echoed.
///
/// Unknown members are only collected: `validate` drops every undeclared one.
#[test]
fn unknown_members_collected_then_ignored() {
    let doc = json!({
        "client_id": "chosen",
        "client_secret": "chosen",
        "registration_access_token": "x",
        "registration_client_uri": "https://x",
        "client_id_issued_at": 1,
        "client_secret_expires_at": 0,
        "foo": {"bar": [1, 2]},
        "scope#fr": "openid",
        "software_statement": 42,
        "nothing": null,
    });
    let m = parse_json(doc.clone()).expect("parse");
    let mut expected = object(doc);
    expected.remove("nothing");
    assert_eq!(m.extensions, expected);
    assert_eq!(
        ClientMetadata {
            extensions: Map::new(),
            ..m.clone()
        },
        ClientMetadata::default()
    );
    let valid = crate::metadata::validate(
        ClientMetadata {
            grant_types: Some(vec![GrantType::ClientCredentials]),
            ..m
        },
        &crate::metadata::MetadataRules::default(),
    )
    .expect("valid");
    assert!(valid.extensions.is_empty(), "{:?}", valid.extensions);
}

/// REG-5: member names and values are case-sensitive.
#[test]
fn member_names_case_sensitive() {
    let m = parse_json(json!({
        "Client_Name": "x",
        "REDIRECT_URIS": "not even an array",
        "Grant_Types": ["foo"],
        "CLIENT_NAME#fr": "y",
    }))
    .expect("parse");
    assert_eq!(
        ClientMetadata {
            extensions: Map::new(),
            ..m.clone()
        },
        ClientMetadata::default()
    );
    assert_eq!(m.extensions.len(), 4, "kept as unknown members");
}

/// VAL-32: every member has its JSON type, else `invalid_client_metadata`; `null` means absent.
#[test]
fn null_members_are_absent() {
    let m = parse_json(json!({
        "redirect_uris": null,
        "client_name": null,
        "client_name#fr": null,
        "default_max_age": null,
        "require_auth_time": null,
        "jwks": null,
        "grant_types": null,
        "token_endpoint_auth_method": null,
    }))
    .expect("parse");
    assert_eq!(m, ClientMetadata::default());
}

#[test]
fn every_member_parsed() {
    let m = parse_json(json!({
        "redirect_uris": ["https://rp.example.org/cb?x=1&y=%20"],
        "token_endpoint_auth_method": "private_key_jwt",
        "grant_types": ["authorization_code", "implicit", "refresh_token"],
        "response_types": ["code", "id_token code", "token id_token code"],
        "application_type": "native",
        "client_name": "n",
        "client_uri": "https://rp.example.org",
        "logo_uri": "https://rp.example.org/logo.png",
        "tos_uri": "https://rp.example.org/tos",
        "policy_uri": "https://rp.example.org/policy",
        "contacts": ["a@example.org", "b@example.org"],
        "scope": "openid email",
        "jwks_uri": "https://rp.example.org/jwks",
        "jwks": {"keys": []},
        "software_id": "sid",
        "software_version": "1.0",
        "subject_type": "pairwise",
        "sector_identifier_uri": "https://rp.example.org/sector",
        "id_token_signed_response_alg": "ES256",
        "id_token_encrypted_response_alg": "RSA-OAEP",
        "id_token_encrypted_response_enc": "A256GCM",
        "userinfo_signed_response_alg": "PS256",
        "userinfo_encrypted_response_alg": "ECDH-ES",
        "userinfo_encrypted_response_enc": "A128GCM",
        "request_object_signing_alg": "RS512",
        "request_object_encryption_alg": "dir",
        "request_object_encryption_enc": "A192GCM",
        "token_endpoint_auth_signing_alg": "ES384",
        "default_max_age": 3600,
        "require_auth_time": true,
        "default_acr_values": ["urn:acr:1"],
        "initiate_login_uri": "https://rp.example.org/login",
        "request_uris": ["https://rp.example.org/req#abc"],
        "post_logout_redirect_uris": ["https://rp.example.org/bye"],
        "frontchannel_logout_uri": "https://rp.example.org/fc",
        "frontchannel_logout_session_required": false,
        "backchannel_logout_uri": "https://rp.example.org/bc",
        "backchannel_logout_session_required": true,
    }))
    .expect("parse");
    assert_eq!(
        m.redirect_uris.as_deref(),
        Some(&["https://rp.example.org/cb?x=1&y=%20".to_owned()][..])
    );
    assert_eq!(
        m.token_endpoint_auth_method,
        Some(AuthMethod::PrivateKeyJwt)
    );
    assert_eq!(
        m.grant_types,
        Some(vec![
            GrantType::AuthorizationCode,
            GrantType::Implicit,
            GrantType::RefreshToken
        ])
    );
    assert_eq!(
        m.response_types,
        Some(vec![
            ResponseType::Code,
            ResponseType::CodeIdToken,
            ResponseType::CodeIdTokenToken
        ])
    );
    assert_eq!(m.application_type, Some(ApplicationType::Native));
    assert_eq!(
        m.client_uri.default.as_deref(),
        Some("https://rp.example.org")
    );
    assert_eq!(m.contacts.as_ref().map(Vec::len), Some(2));
    assert_eq!(m.scope.as_deref(), Some("openid email"));
    assert_eq!(m.jwks, Some(object(json!({"keys": []}))));
    assert_eq!(m.subject_type, Some(SubjectType::Pairwise));
    assert_eq!(
        m.id_token_encrypted_response_enc.as_deref(),
        Some("A256GCM")
    );
    assert_eq!(m.token_endpoint_auth_signing_alg.as_deref(), Some("ES384"));
    assert_eq!(m.default_max_age, Some(3600));
    assert_eq!(m.require_auth_time, Some(true));
    assert_eq!(
        m.request_uris,
        Some(vec!["https://rp.example.org/req#abc".to_owned()])
    );
    assert_eq!(m.frontchannel_logout_session_required, Some(false));
    assert_eq!(m.backchannel_logout_session_required, Some(true));
}

/// VAL-7: `redirect_uris` is an array of non-empty strings, else `invalid_redirect_uri`.
/// ERR-2: `invalid_redirect_uri` is for redirect URIs, `invalid_client_metadata` for other members.
#[test]
fn redirect_uris_type_errors_are_invalid_redirect_uri() {
    let code = MetadataErrorCode::InvalidRedirectUri;
    assert_err(
        json!({"redirect_uris": "https://rp.example.org/cb"}),
        code,
        "redirect_uris: must be an array of strings",
    );
    assert_err(
        json!({"redirect_uris": ["https://rp.example.org/cb", 3]}),
        code,
        "redirect_uris[1]: must be a string",
    );
    assert_err(
        json!({"redirect_uris": ["https://rp.example.org/cb", ""]}),
        code,
        "redirect_uris[1]: must not be empty",
    );
    assert_err(
        json!({"redirect_uris": [null]}),
        code,
        "redirect_uris[0]: must be a string",
    );
}

/// VAL-32: every member has its JSON type, else `invalid_client_metadata`; `null` means absent.
#[test]
fn wrong_types_rejected() {
    assert_cm(
        json!({"default_max_age": "x"}),
        "default_max_age: must be a non-negative integer",
    );
    assert_cm(
        json!({"default_max_age": -1}),
        "default_max_age: must be a non-negative integer",
    );
    assert_cm(
        json!({"default_max_age": 1.5}),
        "default_max_age: must be a non-negative integer",
    );
    assert_cm(
        json!({"require_auth_time": "yes"}),
        "require_auth_time: must be a boolean",
    );
    assert_cm(
        json!({"frontchannel_logout_session_required": 1}),
        "frontchannel_logout_session_required: must be a boolean",
    );
    assert_cm(
        json!({"contacts": "a@b"}),
        "contacts: must be an array of strings",
    );
    assert_cm(
        json!({"contacts": ["a@b", {"x": 1}]}),
        "contacts[1]: must be a string",
    );
    assert_cm(json!({"scope": ["a"]}), "scope: must be a string");
    assert_cm(json!({"client_name": 5}), "client_name: must be a string");
    assert_cm(json!({"jwks": "{}"}), "jwks: must be a JSON object");
    assert_cm(json!({"jwks": []}), "jwks: must be a JSON object");
    assert_cm(
        json!({"grant_types": "authorization_code"}),
        "grant_types: must be an array of strings",
    );
    assert_cm(
        json!({"response_types": [["code"]]}),
        "response_types[0]: must be a string",
    );
    assert_cm(
        json!({"token_endpoint_auth_method": ["none"]}),
        "token_endpoint_auth_method: must be a string",
    );
    assert_cm(
        json!({"id_token_signed_response_alg": 256}),
        "id_token_signed_response_alg: must be a string",
    );
    assert_cm(
        json!({"request_uris": "https://x"}),
        "request_uris: must be an array of strings",
    );
    assert_cm(
        json!({"post_logout_redirect_uris": [1]}),
        "post_logout_redirect_uris[0]: must be a string",
    );
    assert_cm(
        json!({"default_acr_values": "1"}),
        "default_acr_values: must be an array of strings",
    );
}

/// VAL-32: every member has its JSON type, else `invalid_client_metadata`; `null` means absent.
#[test]
fn right_types_accepted() {
    let m = parse_json(json!({
        "default_max_age": 0,
        "require_auth_time": false,
        "contacts": [],
        "scope": "openid",
    }))
    .expect("parse");
    assert_eq!(m.default_max_age, Some(0));
    assert_eq!(m.require_auth_time, Some(false));
    assert_eq!(m.contacts, Some(vec![]));
    let m = parse_json(json!({"default_max_age": u64::MAX})).expect("parse");
    assert_eq!(m.default_max_age, Some(u64::MAX));
}

/// An empty string is refused, as `invalid_client_metadata`, in the URL members other than
/// `redirect_uris` (`client_uri`, `jwks_uri`, a tagged `logo_uri`, `request_uris`); free text
/// (`client_name`, `software_id`) may be empty.
#[test]
fn empty_uri_strings_rejected() {
    assert_cm(json!({"client_uri": ""}), "client_uri: must not be empty");
    assert_cm(json!({"jwks_uri": ""}), "jwks_uri: must not be empty");
    assert_cm(
        json!({"logo_uri#fr": ""}),
        "logo_uri#'fr': must not be empty",
    );
    assert_cm(
        json!({"request_uris": [""]}),
        "request_uris[0]: must not be empty",
    );
    // Free text may be empty.
    let m = parse_json(json!({"client_name": "", "software_id": ""})).expect("parse");
    assert_eq!(m.client_name.default.as_deref(), Some(""));
}

/// REG-5: member names and values are case-sensitive.
/// VAL-2: grant, response and subject types and authentication methods must be on the server's
/// lists.
#[test]
fn unknown_enum_values_rejected() {
    assert_cm(
        json!({"grant_types": ["authorization_code", "foo"]}),
        "grant_types[1]: unsupported grant type 'foo'",
    );
    assert_cm(
        json!({"grant_types": ["Authorization_Code"]}),
        "grant_types[0]: unsupported grant type 'Authorization_Code'",
    );
    assert_cm(
        json!({"response_types": ["code", "code code"]}),
        "response_types[1]: unsupported response type 'code code'",
    );
    assert_cm(
        json!({"response_types": [""]}),
        "response_types[0]: unsupported response type ''",
    );
    assert_cm(
        json!({"token_endpoint_auth_method": "magic"}),
        "token_endpoint_auth_method: unsupported authentication method 'magic'",
    );
    assert_cm(
        json!({"application_type": "desktop"}),
        "application_type: unsupported application type 'desktop'",
    );
    assert_cm(
        json!({"subject_type": "secret"}),
        "subject_type: unsupported subject type 'secret'",
    );
}

/// ERR-4: `error_description` names member and index; client values are quoted, cut to 64
/// characters.
#[test]
fn long_values_cut_in_errors() {
    let long = "x".repeat(500);
    let err = parse_json(json!({"grant_types": [long]})).unwrap_err();
    assert!(err.description().len() < 120, "{}", err.description());
    assert!(err.description().ends_with("..."));
}

#[test]
fn duplicate_enum_values_dropped() {
    let m = parse_json(json!({
        "grant_types": ["implicit", "authorization_code", "implicit"],
        "response_types": ["code id_token", "code", "id_token code"],
    }))
    .expect("parse");
    assert_eq!(
        m.grant_types,
        Some(vec![GrantType::Implicit, GrantType::AuthorizationCode])
    );
    assert_eq!(
        m.response_types,
        Some(vec![ResponseType::CodeIdToken, ResponseType::Code])
    );
}

#[test]
fn empty_enum_arrays_kept() {
    let m = parse_json(json!({"grant_types": [], "response_types": []})).expect("parse");
    assert_eq!(m.grant_types, Some(vec![]));
    assert_eq!(m.response_types, Some(vec![]));
}

/// VAL-33: human-readable members take language tags (`client_name#fr`), returned as sent.
#[test]
fn tagged_members_collected() {
    let m = parse_json(json!({
        "client_name": "My app",
        "client_name#ja-Jpan-JP": "アプリ",
        "client_name#fr": "Mon appli",
        "logo_uri#fr": "https://rp.example.org/fr.png",
        "tos_uri#de": "https://rp.example.org/agb",
        "policy_uri#DE-ch": "https://rp.example.org/ds",
        "client_uri#en-US": "https://rp.example.org/en",
    }))
    .expect("parse");
    assert_eq!(m.client_name.default.as_deref(), Some("My app"));
    let mut tags: Vec<_> = m
        .client_name
        .tagged
        .iter()
        .map(|(t, _)| t.as_str())
        .collect();
    tags.sort_unstable();
    assert_eq!(tags, ["fr", "ja-Jpan-JP"]);
    assert!(
        m.client_name
            .tagged
            .contains(&("ja-Jpan-JP".to_owned(), "アプリ".to_owned()))
    );
    assert_eq!(m.logo_uri.default, None);
    assert_eq!(
        m.logo_uri.tagged,
        vec![("fr".to_owned(), "https://rp.example.org/fr.png".to_owned())]
    );
    assert_eq!(m.tos_uri.tagged[0].0, "de");
    assert_eq!(m.policy_uri.tagged[0].0, "DE-ch", "tag kept as sent");
    assert_eq!(m.client_uri.tagged[0].0, "en-US");
}

/// VAL-34: a language tag is a well-formed BCP 47 tag, else `invalid_client_metadata`.
#[test]
fn bad_tag_rejected() {
    assert_cm(
        json!({"client_name#xx-!!": "x"}),
        "client_name#'xx-!!': invalid language tag",
    );
    assert_cm(
        json!({"logo_uri#": "https://x"}),
        "logo_uri#'': invalid language tag",
    );
}

/// VAL-35: language tags are compared ignoring case: one member may not carry the same tag twice.
#[test]
fn duplicate_tag_rejected() {
    let err = parse_json(json!({"client_name#en-US": "a", "client_name#EN-us": "b"})).unwrap_err();
    assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
    assert!(
        err.description().contains("duplicate language tag"),
        "{}",
        err.description()
    );
    assert!(err.description().starts_with("client_name#"));
    // The same tag on two different members is fine.
    assert!(parse_json(json!({"client_name#fr": "a", "tos_uri#fr": "https://x"})).is_ok());
}

#[test]
fn tagged_wrong_type_rejected() {
    assert_cm(
        json!({"client_name#fr": 1}),
        "client_name#'fr': must be a string",
    );
}

#[test]
fn enum_errors_quote_with_single_quotes() {
    assert_cm(
        json!({"grant_types": ["fo\"o\\"]}),
        "grant_types[0]: unsupported grant type 'fo'oU+005C'",
    );
    let err = parse_json(json!({"subject_type": "x\"y"})).unwrap_err();
    assert!(!err.description().contains('"'), "{}", err.description());
}

/// ERR-4: `error_description` names member and index; client values are quoted, cut to 64
/// characters.
#[test]
fn huge_tag_not_echoed() {
    // A well-formed tag of 90 001 characters: the message must stay short, not carry the whole
    // member name into "must be a string".
    let tag = format!("en-x{}", "-abcdefgh".repeat(10_000));
    let err = parse_json(json!({ format!("client_name#{tag}"): 1 })).unwrap_err();
    assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
    assert!(err.description().len() < 150, "{}", err.description());
    assert_eq!(
        err.description(),
        format!(
            "client_name#'{}'...: language tag longer than 64 characters",
            &tag[..64]
        )
    );
    // A huge malformed tag likewise.
    let name = format!("logo_uri#{}", "\"".repeat(50_000));
    let err = parse_json(json!({ name: "https://x" })).unwrap_err();
    assert!(err.description().len() < 150, "{}", err.description());
    assert!(!err.description().contains('"'));
}

#[test]
fn tagged_values_capped_per_member() {
    let mut doc = Map::new();
    for i in 0..lang::MAX_TAGGED_VALUES {
        doc.insert(format!("client_name#x-t{i}"), json!("n"));
        doc.insert(
            format!("logo_uri#x-t{i}"),
            json!("https://rp.example.org/l.png"),
        );
    }
    let m = parse(&doc).expect("100 tagged values per member are fine");
    assert_eq!(m.client_name.tagged.len(), 100);
    assert_eq!(m.logo_uri.tagged.len(), 100);
    doc.insert("tos_uri#fr".into(), json!("https://rp.example.org/tos"));
    assert!(parse(&doc).is_ok());
    doc.insert(
        "logo_uri#x-extra".into(),
        json!("https://rp.example.org/l.png"),
    );
    let err = parse(&doc).unwrap_err();
    assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(
        err.description(),
        "logo_uri: more than 100 language-tagged values"
    );
}

#[test]
fn many_tagged_values_rejected_quickly() {
    // 20 000 distinct tags on one member: rejected at the 101st, in one pass.
    let mut doc = Map::new();
    for i in 0..20_000 {
        doc.insert(format!("client_name#x-{i:08}"), json!("n"));
    }
    let started = std::time::Instant::now();
    let err = parse(&doc).unwrap_err();
    assert_eq!(
        err.description(),
        "client_name: more than 100 language-tagged values"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn duplicate_tag_message() {
    assert_cm(
        json!({"client_name#en-US": "a", "client_name#en-us": "b"}),
        "client_name#'en-us': duplicate language tag (tags are compared ignoring case)",
    );
}

/// Documents covering every member kind (string, URI, boolean, integer, object, string
/// array, URI array, enumerated value and array, localized and tagged members), `null`,
/// unknown members, and each error of each kind, alone and several in one document (the
/// first in parse order wins): [`parse_owned`] gives exactly what [`parse`] gives.
#[test]
fn parse_owned_same_as_parse() {
    let mut every_member = json!({
        "redirect_uris": ["https://rp.example.org/cb", "https://rp.example.org/cb2"],
        "token_endpoint_auth_method": "private_key_jwt",
        "grant_types": ["authorization_code", "implicit", "authorization_code"],
        "response_types": ["code", "id_token code", "code"],
        "application_type": "native",
        "client_name": "n",
        "client_name#fr": "nom",
        "client_name#ja-Jpan-JP": "アプリ",
        "client_uri": "https://rp.example.org",
        "client_uri#de": "https://rp.example.org/de",
        "logo_uri": "https://rp.example.org/logo.png",
        "logo_uri#en-US": "https://rp.example.org/en.png",
        "logo_uri#en-GB": "https://rp.example.org/gb.png",
        "tos_uri#fr": "https://rp.example.org/cgu",
        "policy_uri": "https://rp.example.org/policy",
        "policy_uri#DE-ch": "https://rp.example.org/ds",
        "contacts": ["a@example.org", "", "b@example.org"],
        "scope": "openid email",
        "scope#fr": "ignored",
        "jwks_uri": "https://rp.example.org/jwks",
        "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}]},
    });
    // Several `json!` calls: one would exceed the macro recursion limit.
    every_member
        .as_object_mut()
        .expect("object")
        .extend(object(json!({
            "introspection_signed_response_alg": "ES256",
            "introspection_encrypted_response_alg": "ECDH-ES",
            "introspection_encrypted_response_enc": "A128GCM",
            "tls_client_auth_san_dns": "c.rp.example.org",
            "tls_client_certificate_bound_access_tokens": true,
            "require_pushed_authorization_requests": false,
            "dpop_bound_access_tokens": true,
            "require_signed_request_object": true,
            "authorization_details_types": ["payment_initiation"],
        })));
    every_member
        .as_object_mut()
        .expect("object")
        .extend(object(json!({
            "software_id": "sid",
            "software_version": "",
            "subject_type": "pairwise",
            "sector_identifier_uri": "https://rp.example.org/sector",
            "id_token_signed_response_alg": "ES256",
            "id_token_encrypted_response_alg": "RSA-OAEP",
            "id_token_encrypted_response_enc": "A256GCM",
            "userinfo_signed_response_alg": "PS256",
            "userinfo_encrypted_response_alg": "ECDH-ES",
            "userinfo_encrypted_response_enc": "A128GCM",
            "request_object_signing_alg": "RS512",
            "request_object_encryption_alg": "dir",
            "request_object_encryption_enc": "A192GCM",
            "token_endpoint_auth_signing_alg": "ES384",
            "default_max_age": 3600,
            "require_auth_time": true,
            "default_acr_values": ["urn:acr:1", "urn:acr:2"],
            "initiate_login_uri": "https://rp.example.org/login",
            "request_uris": ["https://rp.example.org/req#abc"],
            "post_logout_redirect_uris": ["https://rp.example.org/bye"],
            "frontchannel_logout_uri": "https://rp.example.org/fc",
            "frontchannel_logout_session_required": false,
            "backchannel_logout_uri": "https://rp.example.org/bc",
            "backchannel_logout_session_required": true,
            "authorization_signed_response_alg": "PS256",
            "authorization_encrypted_response_alg": "RSA-OAEP",
            "authorization_encrypted_response_enc": "A256GCM",
            "client_id": "ignored",
            "Client_Name": 1,
            "foo": {"bar": [1, null]},
        })));
    let mut documents = vec![
        every_member.clone(),
        json!({}),
        json!({
            "redirect_uris": null, "client_name": null, "client_name#fr": null,
            "logo_uri#de": null, "contacts": null, "jwks": null, "default_max_age": null,
            "require_auth_time": null, "grant_types": null, "subject_type": null,
        }),
        json!({"grant_types": [], "response_types": [], "contacts": [], "client_name": ""}),
        json!({"default_max_age": 0}),
        json!({"default_max_age": u64::MAX}),
        // One error of each kind.
        json!({"redirect_uris": "https://rp.example.org/cb"}),
        json!({"redirect_uris": ["https://rp.example.org/cb", 3]}),
        json!({"redirect_uris": [""]}),
        json!({"client_name": 5}),
        json!({"client_uri": ""}),
        json!({"tos_uri": ["https://x"]}),
        json!({"contacts": "a@b"}),
        json!({"contacts": ["a@b", {"x": 1}]}),
        json!({"token_endpoint_auth_method": "magic"}),
        json!({"token_endpoint_auth_method": ["none"]}),
        json!({"scope": ["a"]}),
        json!({"grant_types": ["authorization_code", "fo\"o"]}),
        json!({"grant_types": "authorization_code"}),
        json!({"response_types": [["code"]]}),
        json!({"response_types": ["code code"]}),
        json!({"application_type": "desktop"}),
        json!({"jwks_uri": ""}),
        json!({"jwks": "{}"}),
        json!({"jwks": []}),
        json!({"software_id": 1}),
        json!({"subject_type": "x".repeat(200)}),
        json!({"sector_identifier_uri": ""}),
        json!({"userinfo_encrypted_response_enc": false}),
        json!({"default_max_age": -1}),
        json!({"default_max_age": 1.5}),
        json!({"default_max_age": "60"}),
        json!({"require_auth_time": "yes"}),
        json!({"default_acr_values": "1"}),
        json!({"initiate_login_uri": ""}),
        json!({"request_uris": [""]}),
        json!({"post_logout_redirect_uris": [1]}),
        json!({"frontchannel_logout_session_required": 1}),
        json!({"backchannel_logout_session_required": "true"}),
        json!({"authorization_encrypted_response_enc": 1}),
        json!({"tls_client_auth_subject_dn": ["CN=a"]}),
        json!({"dpop_bound_access_tokens": "yes"}),
        json!({"authorization_details_types": ["a", 2]}),
        json!({"client_name#xx-!!": "x"}),
        json!({"logo_uri#": "https://x"}),
        json!({"client_name#en-US": "a", "client_name#EN-us": "b"}),
        json!({"client_name#fr": 1}),
        json!({"logo_uri#fr": ""}),
        json!({ format!("client_name#en-x{}", "-abcdefgh".repeat(20)): "x" }),
        // Several errors: the first in parse order is reported.
        json!({"redirect_uris": [1], "client_name#fr": 1, "client_name": 1}),
        json!({"client_name#fr": 1, "client_name": 1, "contacts": 1}),
        json!({"client_name": 1, "client_uri": "", "logo_uri#fr": "https://x"}),
        json!({"logo_uri": "", "client_name": "ok", "grant_types": ["foo"]}),
        json!({"grant_types": ["foo"], "response_types": ["bar"], "jwks": 1}),
        json!({"jwks": 1, "default_max_age": -1, "backchannel_logout_session_required": 1}),
        json!({"tos_uri#de": "https://x", "tos_uri#fr": 2, "policy_uri#de": 3}),
    ];
    // The last member in parse order wrong in an otherwise complete document.
    let mut late_error = every_member;
    late_error["backchannel_logout_session_required"] = json!("yes");
    documents.push(late_error);
    let mut docs: Vec<Map<String, Value>> = documents.into_iter().map(object).collect();
    // Too many tagged values on one member.
    let mut many = Map::new();
    for i in 0..=lang::MAX_TAGGED_VALUES {
        many.insert(format!("client_name#x-t{i}"), json!("n"));
    }
    docs.push(many);

    let (mut ok, mut err) = (0, 0);
    for doc in docs {
        let borrowed = parse(&doc);
        if borrowed.is_ok() {
            ok += 1;
        } else {
            err += 1;
        }
        assert_eq!(parse_owned(doc.clone()), borrowed, "{doc:?}");
    }
    assert!(ok >= 6 && err >= 40, "{ok} accepted, {err} rejected");
}

/// ERR-4: `error_description` names member and index; client values are quoted, cut to 64
/// characters.
///
/// With several errors in one document, the first member in parse order is reported,
/// whatever the order of the object.
#[test]
fn first_error_in_parse_order() {
    assert_err(
        json!({"client_name": 1, "client_name#fr": 1, "redirect_uris": [1]}),
        MetadataErrorCode::InvalidRedirectUri,
        "redirect_uris[0]: must be a string",
    );
    assert_cm(
        json!({"contacts": 1, "client_name": 1, "client_name#fr": 1}),
        "client_name#'fr': must be a string",
    );
    assert_cm(
        json!({"client_uri": "", "client_name": 1}),
        "client_name: must be a string",
    );
    assert_cm(
        json!({"scope": 1, "token_endpoint_auth_method": "x", "contacts": [1]}),
        "contacts[0]: must be a string",
    );
    assert_cm(
        json!({"jwks": 1, "response_types": ["bar"], "grant_types": ["foo"]}),
        "grant_types[0]: unsupported grant type 'foo'",
    );
    assert_cm(
        json!({"backchannel_logout_session_required": 1, "default_max_age": -1, "jwks": 1}),
        "jwks: must be a JSON object",
    );
}

/// [`parse_owned`] moves strings out of the object: the result's strings are the very
/// buffers the object held.
#[test]
fn parse_owned_moves_strings() {
    let doc = object(json!({
        "redirect_uris": ["https://rp.example.org/cb"],
        "client_name": "n",
        "client_name#fr": "nom",
        "scope": "openid",
        "jwks": {"keys": [{"kid": "k1"}]},
    }));
    let buffer = |v: &Value| v.as_str().expect("string").as_ptr();
    let redirect_uri = buffer(&doc["redirect_uris"][0]);
    let client_name = buffer(&doc["client_name"]);
    let client_name_fr = buffer(&doc["client_name#fr"]);
    let scope = buffer(&doc["scope"]);
    let kid = buffer(&doc["jwks"]["keys"][0]["kid"]);
    let m = parse_owned(doc).expect("parse");
    let redirect_uris = m.redirect_uris.as_deref().expect("redirect_uris");
    assert_eq!(redirect_uris[0].as_ptr(), redirect_uri);
    assert_eq!(
        m.client_name
            .default
            .as_deref()
            .expect("client_name")
            .as_ptr(),
        client_name
    );
    assert_eq!(m.client_name.tagged[0].1.as_ptr(), client_name_fr);
    assert_eq!(m.scope.as_deref().expect("scope").as_ptr(), scope);
    assert_eq!(
        buffer(&m.jwks.as_ref().expect("jwks")["keys"][0]["kid"]),
        kid
    );
}
