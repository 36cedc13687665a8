//! Client metadata beyond the basic members, through `RegistrationLayer`: JWK Sets, algorithm
//! members and their advertisement in discovery, declared extension members, and the
//! security-profile members (RFC 8705, 9126, 9449, 9101, 9396, logout). Every rejection is
//! checked on registration (POST) and on update (PUT, which must then change nothing).

use crate::common::host::Host;
use crate::common::*;
use http::StatusCode;
use serde_json::{Value, json};
use tower_oidc_registration::metadata::{
    AuthMethod, ExtensionMember, ExtensionType, MetadataRules,
};
use tower_oidc_registration::{ConfigError, RegistrationConfig, SecretStorage};

/// `body` is refused with `invalid_client_metadata` and exactly `description`, on POST and as
/// the update of an existing client, which stays unchanged.
async fn rejected(app: &App, body: Value, description: &str) {
    let (posted, client, put) = app.post_and_put(&body).await;
    let err = assert_rfc_error(&posted, "invalid_client_metadata");
    assert_eq!(err["error_description"], description, "POST {body}");
    let err = assert_rfc_error(&put, "invalid_client_metadata");
    assert_eq!(err["error_description"], description, "PUT {body}");
    app.assert_unchanged(&client).await;
}

/// `body` is accepted on POST (201) and PUT (200); returns both response bodies.
async fn accepted(app: &App, body: Value) -> (Value, Value) {
    let (created, _, updated) = app.post_and_put(&body).await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "POST {body}: {}",
        created.text()
    );
    assert_eq!(
        updated.status,
        StatusCode::OK,
        "PUT {body}: {}",
        updated.text()
    );
    (created.json(), updated.json())
}

// JWK Sets ------------------------------------------------------------------------------------

/// KEY-2: a JWK Set holds no private or symmetric key material.
/// KEY-3: each key has the well-formed parameters of its key type.
/// KEY-6: `use` and `key_ops` are known values of a public key, and consistent with each other.
/// KEY-7: keys of one key type have distinct `kid`s.
#[tokio::test]
async fn jwk_errors_name_the_key_and_the_member() {
    let app = App::new();
    let mut bad_x = ec_public_jwk();
    bad_x["x"] = json!("not/base64url");
    rejected(
        &app,
        merged(
            &min(),
            &json!({"jwks": {"keys": [rsa_public_jwk(), bad_x]}}),
        ),
        "jwks.keys[1].x: not base64url",
    )
    .await;
    let mut short_y = ec_public_jwk();
    short_y["y"] = json!("AQAB");
    rejected(
        &app,
        merged(&min(), &json!({"jwks": {"keys": [short_y]}})),
        "jwks.keys[0].y: 3 bytes, P-256 needs 32",
    )
    .await;
    let mut private = rsa_public_jwk();
    private["dq"] = json!("AQAB");
    rejected(
        &app,
        merged(
            &min(),
            &json!({"jwks": {"keys": [ec_public_jwk(), private]}}),
        ),
        "jwks.keys[1].dq: private key material not allowed",
    )
    .await;
    // Keys of one type must not share a kid; of different types they may (RFC 7517 §4.5).
    let mut same_kid = ec_public_jwk();
    same_kid["use"] = json!("sig");
    rejected(
        &app,
        merged(
            &min(),
            &json!({"jwks": {"keys": [ec_public_jwk(), same_kid]}}),
        ),
        "jwks.keys[1].kid: 'ec1' already used by jwks.keys[0], a key of the same type",
    )
    .await;
    let mut other_type = rsa_public_jwk();
    other_type["kid"] = ec_public_jwk()["kid"].clone();
    app.register(&merged(
        &min(),
        &json!({"jwks": {"keys": [ec_public_jwk(), other_type]}}),
    ))
    .await;
    let mut contradictory = ec_public_jwk();
    contradictory["key_ops"] = json!(["encrypt"]);
    rejected(
        &app,
        merged(&min(), &json!({"jwks": {"keys": [contradictory]}})),
        "jwks.keys[0].key_ops[0]: 'encrypt' contradicts use 'sig'",
    )
    .await;
    rejected(
        &app,
        merged(
            &min(),
            &json!({"jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AQAB"}]}}),
        ),
        "jwks.keys[0].x: 3 bytes, Ed25519 needs 32",
    )
    .await;
    // The well-formed public keys of the test suite are accepted and echoed as sent.
    let body = merged(&min(), &json!({"jwks": public_jwks()}));
    let (created, updated) = accepted(&app, body.clone()).await;
    assert_eq!(created["jwks"], body["jwks"]);
    assert_eq!(updated["jwks"], body["jwks"]);
}

/// VAL-18: a `private_key_jwt` client registers `jwks` (with a signature key) or `jwks_uri`.
#[tokio::test]
async fn private_key_jwt_needs_a_signature_key() {
    let app = App::new();
    let mut encryption_key = rsa_public_jwk();
    encryption_key["use"] = json!("enc");
    rejected(
        &app,
        merged(
            &min(),
            &json!({"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [encryption_key]}}),
        ),
        "jwks: private_key_jwt needs a signature key (an RSA, EC or Ed25519/Ed448 key without use 'enc')",
    )
    .await;
    rejected(
        &app,
        merged(
            &min(),
            &json!({"token_endpoint_auth_method": "private_key_jwt"}),
        ),
        "token_endpoint_auth_method: private_key_jwt requires jwks or jwks_uri",
    )
    .await;
}

// Algorithms ----------------------------------------------------------------------------------

/// ECHO-15: an encryption `alg` without its `enc` gets `enc` `A128CBC-HS256`.
/// ALG-1: an encryption `enc` without its `alg` is refused.
/// ALG-4: `authorization_signed_response_alg` is never `none`.
/// ALG-8: algorithms keyed with the client secret are only for clients that get one.
/// ALG-9: encryption to a public key of the client needs `jwks` or `jwks_uri`.
#[tokio::test]
async fn jarm_members_and_algorithm_consistency() {
    let app = App::new();
    let body = merged(
        &min(),
        &json!({
            "jwks": public_jwks(),
            "authorization_signed_response_alg": "ES256",
            "authorization_encrypted_response_alg": "RSA-OAEP",
        }),
    );
    let (created, updated) = accepted(&app, body).await;
    for response in [&created, &updated] {
        assert_eq!(response["authorization_signed_response_alg"], "ES256");
        assert_eq!(
            response["authorization_encrypted_response_enc"],
            "A128CBC-HS256"
        );
    }
    rejected(
        &app,
        merged(
            &min(),
            &json!({"authorization_signed_response_alg": "none"}),
        ),
        "authorization_signed_response_alg: 'none' is not allowed",
    )
    .await;
    rejected(
        &app,
        merged(
            &min(),
            &json!({"userinfo_encrypted_response_enc": "A128GCM"}),
        ),
        "userinfo_encrypted_response_enc: requires userinfo_encrypted_response_alg",
    )
    .await;
    rejected(
        &app,
        merged(&min(), &json!({"userinfo_encrypted_response_alg": "RSA-OAEP"})),
        "userinfo_encrypted_response_alg: 'RSA-OAEP' encrypts to a public key of the client; register jwks or jwks_uri",
    )
    .await;
    rejected(
        &app,
        merged(
            &min(),
            &json!({"token_endpoint_auth_method": "none", "id_token_signed_response_alg": "HS256"}),
        ),
        "id_token_signed_response_alg: 'HS256' is keyed with the client secret, and token_endpoint_auth_method 'none' issues none",
    )
    .await;
}

/// One accepted value of each kind, to complete a body.
struct Accepted<'a> {
    signing: &'a str,
    key_management: &'a str,
    enc: &'a str,
}

/// A body that lets `member: value` be judged on its own: keys for encryption to the client,
/// an accepted `id_token_signed_response_alg` and `enc` (the defaults may not be), the authentication
/// method that `token_endpoint_auth_signing_alg` needs, and a completed encryption pair.
fn algorithm_body(member: &str, value: &str, accepted: &Accepted) -> Value {
    let mut body = json!({
        "redirect_uris": [REDIRECT],
        "jwks": public_jwks(),
        "id_token_signed_response_alg": accepted.signing,
    });
    if member == "token_endpoint_auth_signing_alg" {
        body["token_endpoint_auth_method"] = json!(if value.starts_with("HS") {
            "client_secret_jwt"
        } else {
            "private_key_jwt"
        });
    }
    if let Some(pair) = member.strip_suffix("_alg")
        && member.contains("encrypt")
    {
        // The default `enc` may not be accepted either.
        body[format!("{pair}_enc")] = json!(accepted.enc);
    }
    if let Some(pair) = member.strip_suffix("_enc") {
        body[format!("{pair}_alg")] = json!(accepted.key_management);
    }
    body[member] = json!(value);
    body
}

/// Every algorithm member: each advertised value registers over HTTP and is echoed; a value
/// the lists leave out is refused.
async fn assert_advertised_algorithms_accepted(host: &Host, not_advertised: &[&str]) {
    let advertised = host.registry.provider_metadata();
    let lists: Vec<(&String, &Value)> = advertised
        .iter()
        .filter(|(name, _)| {
            name.ends_with("_values_supported")
                && (name.contains("_alg_") || name.contains("_enc_"))
        })
        .collect();
    assert_eq!(lists.len(), 16, "{advertised:?}");
    let first = |list: &str| advertised[list][0].as_str().expect("an algorithm");
    let accepted = Accepted {
        signing: first("id_token_signing_alg_values_supported"),
        key_management: first("id_token_encryption_alg_values_supported"),
        enc: first("id_token_encryption_enc_values_supported"),
    };
    for (list, values) in lists {
        // `id_token_signing_alg_values_supported` -> `id_token_signed_response_alg`...
        let member = match list.as_str() {
            "token_endpoint_auth_signing_alg_values_supported" => {
                "token_endpoint_auth_signing_alg".to_owned()
            }
            "request_object_signing_alg_values_supported" => "request_object_signing_alg".into(),
            "request_object_encryption_alg_values_supported" => {
                "request_object_encryption_alg".into()
            }
            "request_object_encryption_enc_values_supported" => {
                "request_object_encryption_enc".into()
            }
            other => other
                .replace("_signing_alg_values_supported", "_signed_response_alg")
                .replace(
                    "_encryption_alg_values_supported",
                    "_encrypted_response_alg",
                )
                .replace(
                    "_encryption_enc_values_supported",
                    "_encrypted_response_enc",
                ),
        };
        let values: Vec<&str> = values
            .as_array()
            .expect("array")
            .iter()
            .map(|v| v.as_str().expect("string"))
            .collect();
        assert!(!values.is_empty(), "{list}");
        for value in &values {
            let body = algorithm_body(&member, value, &accepted);
            let resp = host.post(None, &body).await;
            assert_eq!(
                resp.status,
                StatusCode::CREATED,
                "{list} advertises {value}, but {member} {value} was refused: {}",
                resp.text()
            );
            assert_eq!(resp.json()[&member], json!(value));
        }
        for value in not_advertised {
            if values.contains(value) {
                continue;
            }
            let resp = host
                .post(None, &algorithm_body(&member, value, &accepted))
                .await;
            let err = assert_rfc_error(&resp, "invalid_client_metadata");
            let description = err["error_description"].as_str().expect("description");
            assert!(
                description.starts_with(&format!("{member}:")),
                "{description}"
            );
        }
    }
}

/// ALG-3: `token_endpoint_auth_signing_alg` is never `none`.
/// ALG-5: `introspection_signed_response_alg` is never `none`.
/// ALG-6: every algorithm member takes a value from the server's lists.
/// DISC-3: the advertised `*_alg_values_supported` and `*_enc_values_supported` are the accepted
/// ones.
/// DISC-4: `none` is not advertised where it is refused.
#[tokio::test]
async fn advertised_algorithms_are_the_accepted_ones() {
    let host = Host::new(|b| b);
    let advertised = host.registry.provider_metadata();
    assert!(
        !advertised["token_endpoint_auth_signing_alg_values_supported"]
            .as_array()
            .expect("array")
            .contains(&json!("none"))
    );
    assert!(
        advertised["id_token_signing_alg_values_supported"]
            .as_array()
            .expect("array")
            .contains(&json!("none"))
    );
    assert_advertised_algorithms_accepted(&host, &["none", "RSA1_5", "A128CTR", "XS256"]).await;

    let mut rules = MetadataRules::default();
    rules.signing_algs = vec!["ES256".into(), "PS256".into()];
    rules.encryption_algs = vec!["RSA-OAEP-256".into()];
    rules.encryption_encs = vec!["A256GCM".into()];
    let host = Host::new(|b| b.rules(rules));
    assert_advertised_algorithms_accepted(&host, &["RS256", "HS256", "RSA-OAEP", "A128GCM"]).await;

    // The builder's lists replace the rules' whatever the order of the calls.
    let host = Host::new(|b| {
        b.signing_algorithms(["PS384", "HS512"])
            .encryption_algorithms(["ECDH-ES", "A256KW"])
            .content_encryption_algorithms(["A192GCM"])
            .rules(MetadataRules::default())
    });
    let advertised = host.registry.provider_metadata();
    assert_eq!(
        advertised["userinfo_signing_alg_values_supported"],
        json!(["PS384", "HS512"])
    );
    assert_eq!(
        advertised["request_object_encryption_enc_values_supported"],
        json!(["A192GCM"])
    );
    assert_advertised_algorithms_accepted(&host, &["RS256", "PS256", "RSA-OAEP", "A128GCM"]).await;
}

/// ALG-6: every algorithm member takes a value from the server's lists.
#[test]
fn algorithm_names_checked_at_build() {
    for bad in ["", "RS 256", "RS256\n", "é"] {
        let err = RegistrationConfig::builder(ISSUER)
            .signing_algorithms([bad])
            .build()
            .expect_err(bad);
        assert!(matches!(err, ConfigError::Algorithm(_)), "{err}");
    }
}

/// ALG-8: algorithms keyed with the client secret are only for clients that get one.
#[tokio::test]
async fn hashed_secrets_drop_secret_keyed_algorithms() {
    let host = Host::new(|b| b.secret_storage(SecretStorage::Hashed));
    let advertised = host.registry.provider_metadata();
    for list in [
        "id_token_signing_alg_values_supported",
        "request_object_encryption_alg_values_supported",
    ] {
        let values = advertised[list].as_array().expect("array");
        assert!(!values.contains(&json!("HS256")), "{list}: {values:?}");
        assert!(!values.contains(&json!("dir")), "{list}: {values:?}");
    }
    let resp = host
        .post(
            None,
            &merged(&min(), &json!({"id_token_signed_response_alg": "HS256"})),
        )
        .await;
    assert_invalid_metadata(&resp, "id_token_signed_response_alg");
}

// Extension members ---------------------------------------------------------------------------

fn extension_app() -> App {
    App::with(|b| {
        b.extension_member(ExtensionMember::new("tenant", ExtensionType::String))
            .extension_member(
                ExtensionMember::new("tier", ExtensionType::Integer).validator(|v: &Value| match v
                    .as_i64()
                {
                    Some(1..=3) => Ok(()),
                    _ => Err("must be 1, 2 or 3".to_owned()),
                }),
            )
            .extension_member(ExtensionMember::new(
                "audiences",
                ExtensionType::StringArray,
            ))
    })
}

/// PROF-12: extension members the operator declares are handled like standard members.
/// MGT-12: members an update omits are removed or reset to their defaults.
#[tokio::test]
async fn extension_members_stored_echoed_and_replaced() {
    let app = extension_app();
    let body = merged(
        &min(),
        &json!({"tenant": "acme", "tier": 2, "audiences": ["a", "b"], "undeclared": {"x": 1}}),
    );
    let client = app.register(&body).await;
    assert_eq!(client.body["tenant"], "acme");
    assert_eq!(client.body["tier"], 2);
    assert_eq!(client.body["audiences"], json!(["a", "b"]));
    assert!(client.body.get("undeclared").is_none(), "{}", client.body);

    let read = app.get(&client.path(), Some(&client.token)).await.json();
    assert_eq!(read["tenant"], "acme");
    assert_eq!(read["tier"], 2);

    // PUT replaces: a changed value is changed, an omitted one removed.
    let update = update_body(&client, &merged(&min(), &json!({"tenant": "globex"})));
    let resp = app.put(&client.path(), Some(&client.token), &update).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let read = app.get(&client.path(), Some(&client.token)).await.json();
    assert_eq!(read["tenant"], "globex");
    assert!(read.get("tier").is_none(), "{read}");
    assert!(read.get("audiences").is_none(), "{read}");
}

/// PROF-12: extension members the operator declares are handled like standard members.
#[tokio::test]
async fn extension_members_checked_on_post_and_put() {
    let app = extension_app();
    rejected(
        &app,
        merged(&min(), &json!({"tier": "2"})),
        "tier: must be an integer",
    )
    .await;
    rejected(
        &app,
        merged(&min(), &json!({"tier": 9})),
        "tier: must be 1, 2 or 3",
    )
    .await;
    rejected(
        &app,
        merged(&min(), &json!({"audiences": ["a", 1]})),
        "audiences[1]: must be a string",
    )
    .await;
    // Without declarations the same members are ignored, as any unknown member (RFC 7591 §2).
    let client = App::new()
        .register(&merged(&min(), &json!({"tier": "2", "tenant": "acme"})))
        .await;
    assert!(client.body.get("tier").is_none() && client.body.get("tenant").is_none());
}

/// PROF-12: extension members the operator declares are handled like standard members.
#[test]
fn extension_member_may_not_shadow_a_standard_or_server_member() {
    for name in [
        "client_name",
        "jwks",
        "client_id",
        "registration_access_token",
    ] {
        let err = RegistrationConfig::builder(ISSUER)
            .extension_member(ExtensionMember::new(name, ExtensionType::String))
            .build()
            .expect_err(name);
        assert!(matches!(err, ConfigError::Extension(_)), "{err}");
    }
}

// Security-profile members --------------------------------------------------------------------

fn mtls_app() -> App {
    let mut rules = MetadataRules::default();
    rules.auth_methods.push(AuthMethod::TlsClientAuth);
    rules.auth_methods.push(AuthMethod::SelfSignedTlsClientAuth);
    App::with(|b| b.rules(rules))
}

/// PROF-6: the RFC 8705, 9126, 9449 and 9101 boolean members are stored and returned.
/// MGT-12: members an update omits are removed or reset to their defaults.
#[tokio::test]
async fn security_profile_members_echoed_on_post_get_put() {
    let app = mtls_app();
    let body = merged(
        &min(),
        &json!({
            "token_endpoint_auth_method": "tls_client_auth",
            "tls_client_auth_subject_dn": "CN=client,O=Example,C=FR",
            "tls_client_certificate_bound_access_tokens": true,
            "require_pushed_authorization_requests": true,
            "dpop_bound_access_tokens": true,
            "require_signed_request_object": true,
            "request_object_signing_alg": "PS256",
            "authorization_details_types": ["payment_initiation"],
            "post_logout_redirect_uris": ["https://rp.example.org/bye"],
            "frontchannel_logout_uri": "https://rp.example.org/fc",
            "frontchannel_logout_session_required": true,
            "backchannel_logout_uri": "https://rp.example.org/bc",
            "backchannel_logout_session_required": true,
        }),
    );
    let client = app.register(&body).await;
    assert!(client.secret().is_none(), "tls_client_auth gets no secret");
    let read = app.get(&client.path(), Some(&client.token)).await.json();
    for (member, value) in body.as_object().expect("object") {
        assert_eq!(&client.body[member], value, "201 echo of {member}");
        assert_eq!(&read[member], value, "GET echo of {member}");
    }
    // PUT to another subject member and without the flags: replaced and removed.
    let update = update_body(
        &client,
        &merged(
            &min(),
            &json!({"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": "client.rp.example.org"}),
        ),
    );
    let resp = app.put(&client.path(), Some(&client.token), &update).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let read = app.get(&client.path(), Some(&client.token)).await.json();
    assert_eq!(read["tls_client_auth_san_dns"], "client.rp.example.org");
    for gone in [
        "tls_client_auth_subject_dn",
        "dpop_bound_access_tokens",
        "authorization_details_types",
    ] {
        assert!(read.get(gone).is_none(), "{gone} kept: {read}");
    }
}

/// ALG-10: `require_signed_request_object: true` excludes `request_object_signing_alg` `none`.
/// PROF-1: a `tls_client_auth` client registers exactly one certificate subject member.
/// PROF-2: each certificate subject member is well formed for its kind.
/// PROF-3: certificate subject members are registered only with `tls_client_auth`.
/// PROF-4: a `self_signed_tls_client_auth` client registers `jwks_uri` or a `jwks` key with `x5c`.
/// PROF-8: `frontchannel_logout_uri` has the scheme, host and port of a registered redirect URI.
#[tokio::test]
async fn security_profile_rules_on_post_and_put() {
    let app = mtls_app();
    rejected(
        &app,
        merged(&min(), &json!({"token_endpoint_auth_method": "tls_client_auth"})),
        "token_endpoint_auth_method: tls_client_auth requires exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email",
    )
    .await;
    rejected(
        &app,
        merged(
            &min(),
            &json!({
                "token_endpoint_auth_method": "tls_client_auth",
                "tls_client_auth_san_uri": "spiffe://rp.example.org/c",
                "tls_client_auth_san_email": "ops@rp.example.org",
            }),
        ),
        "tls_client_auth_san_email: tls_client_auth takes exactly one subject member, and tls_client_auth_san_uri is registered too",
    )
    .await;
    rejected(
        &app,
        merged(
            &min(),
            &json!({"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_ip": "10.0.0.256"}),
        ),
        "tls_client_auth_san_ip: '10.0.0.256' is not an IPv4 or IPv6 address",
    )
    .await;
    rejected(
        &app,
        merged(
            &min(),
            &json!({"tls_client_auth_san_dns": "client.rp.example.org"}),
        ),
        "tls_client_auth_san_dns: only for token_endpoint_auth_method 'tls_client_auth'",
    )
    .await;
    rejected(
        &app,
        merged(
            &min(),
            &json!({"token_endpoint_auth_method": "self_signed_tls_client_auth", "jwks": public_jwks()}),
        ),
        "jwks: self_signed_tls_client_auth needs a key with its certificate in 'x5c'",
    )
    .await;
    for flag in [
        "tls_client_certificate_bound_access_tokens",
        "require_pushed_authorization_requests",
        "dpop_bound_access_tokens",
        "require_signed_request_object",
    ] {
        rejected(
            &app,
            merged(&min(), &json!({ flag: "true" })),
            &format!("{flag}: must be a boolean"),
        )
        .await;
    }
    rejected(
        &app,
        merged(
            &min(),
            &json!({"authorization_details_types": "payment_initiation"}),
        ),
        "authorization_details_types: must be an array of strings",
    )
    .await;
    rejected(
        &app,
        merged(
            &min(),
            &json!({"frontchannel_logout_uri": "https://elsewhere.example.org/fc"}),
        ),
        "frontchannel_logout_uri: scheme, host and port must be those of a registered redirect URI",
    )
    .await;
    rejected(
        &app,
        merged(
            &min(),
            &json!({"require_signed_request_object": true, "request_object_signing_alg": "none"}),
        ),
        "request_object_signing_alg: 'none' contradicts require_signed_request_object",
    )
    .await;
}

/// DISC-7: `authorization_details_types_supported` lists the accepted types when restricted.
#[tokio::test]
async fn authorization_details_types_advertised_are_the_accepted_ones() {
    let host = Host::new(|b| b);
    assert!(
        host.registry
            .provider_metadata()
            .get("authorization_details_types_supported")
            .is_none(),
        "unrestricted: nothing advertised"
    );
    let mut rules = MetadataRules::default();
    rules.authorization_details_types = Some(vec![
        "payment_initiation".into(),
        "account_information".into(),
    ]);
    let host = Host::new(|b| b.rules(rules));
    let advertised =
        host.registry.provider_metadata()["authorization_details_types_supported"].clone();
    assert_eq!(
        advertised,
        json!(["payment_initiation", "account_information"])
    );
    let resp = host
        .post(
            None,
            &merged(&min(), &json!({"authorization_details_types": advertised})),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let resp = host
        .post(
            None,
            &merged(
                &min(),
                &json!({"authorization_details_types": ["openid_credential"]}),
            ),
        )
        .await;
    let err = assert_rfc_error(&resp, "invalid_client_metadata");
    assert_eq!(
        err["error_description"],
        "authorization_details_types[0]: unsupported type 'openid_credential'"
    );
}

/// PROF-5: the mTLS authentication methods are registered only once the server enables them.
#[tokio::test]
async fn mtls_methods_are_opt_in_and_advertised_once_enabled() {
    let body = merged(
        &min(),
        &json!({"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": "c.rp.example.org"}),
    );
    let resp = App::new().register_raw(&body).await;
    assert_invalid_metadata(&resp, "token_endpoint_auth_method");

    let mut rules = MetadataRules::default();
    rules.auth_methods.push(AuthMethod::TlsClientAuth);
    let host = Host::new(|b| b.rules(rules));
    let methods =
        host.registry.provider_metadata()["token_endpoint_auth_methods_supported"].clone();
    assert!(
        methods
            .as_array()
            .expect("array")
            .contains(&json!("tls_client_auth"))
    );
    let resp = host.post(None, &body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
}

/// PROF-6: the RFC 8705, 9126, 9449 and 9101 boolean members are stored and returned.
///
/// Extension and security-profile members survive a restart on a durable store, and the
/// host reads them back typed.
#[cfg(feature = "sqlite")]
#[tokio::test]
async fn extension_and_profile_members_survive_a_restart() {
    use tower_oidc_registration::store::SqliteStore;

    let path = std::env::temp_dir().join(format!(
        "tower-oidc-registration-metadata-depth-{}-{}.db",
        std::process::id(),
        now()
    ));
    let path = path.to_str().expect("UTF-8 temp path").to_owned();
    /// Removes the database files, also when the test fails.
    struct Cleanup(String);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.0));
            }
        }
    }
    let _cleanup = Cleanup(path.clone());
    let config = |store: SqliteStore| {
        let mut rules = MetadataRules::default();
        rules.auth_methods.push(AuthMethod::TlsClientAuth);
        move |b: tower_oidc_registration::RegistrationConfigBuilder| {
            b.store(store)
                .rules(rules)
                .extension_member(ExtensionMember::new("tenant", ExtensionType::String))
        }
    };
    let body = merged(
        &min(),
        &json!({
            "tenant": "acme",
            "token_endpoint_auth_method": "tls_client_auth",
            "tls_client_auth_san_email": "ops@rp.example.org",
            "dpop_bound_access_tokens": true,
        }),
    );
    let store = SqliteStore::open(&path).await.expect("open");
    let client = Host::new(config(store.clone())).register(None, &body).await;
    store.close().await;

    let store = SqliteStore::open(&path).await.expect("reopen");
    let host = Host::new(config(store.clone()));
    let record = host
        .registry
        .lookup(&client.id)
        .await
        .expect("store")
        .expect("client kept");
    let metadata = record.metadata().parse().expect("stored metadata parses");
    assert_eq!(metadata.extensions.get("tenant"), Some(&json!("acme")));
    assert_eq!(
        metadata.tls_client_auth_san_email.as_deref(),
        Some("ops@rp.example.org")
    );
    assert_eq!(metadata.dpop_bound_access_tokens, Some(true));
    store.close().await;
}
