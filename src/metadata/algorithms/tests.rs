use super::*;
use crate::metadata::AuthMethod;
use crate::metadata::test_support::{accepted_with, check_with, rejected_with};
use serde_json::{Value, json};

#[track_caller]
fn rejected(doc: Value, description: &str) {
    rejected_with(doc, &MetadataRules::default(), description);
}

#[track_caller]
fn accepted(doc: Value) -> ClientMetadata {
    accepted_with(doc, &MetadataRules::default())
}

/// ECHO-15: an encryption `alg` without its `enc` gets `enc` `A128CBC-HS256`.
/// ALG-1: an encryption `enc` without its `alg` is refused.
#[test]
fn jarm_enc_default_and_enc_without_alg() {
    let m = accepted(json!({
        "jwks_uri": "https://rp.example.org/jwks",
        "authorization_encrypted_response_alg": "RSA-OAEP",
    }));
    assert_eq!(
        m.authorization_encrypted_response_enc.as_deref(),
        Some("A128CBC-HS256")
    );
    rejected(
        json!({"authorization_encrypted_response_enc": "A128GCM"}),
        "authorization_encrypted_response_enc: requires authorization_encrypted_response_alg",
    );
}

/// ALG-4: `authorization_signed_response_alg` is never `none`.
#[test]
fn jarm_signing_none_refused() {
    rejected(
        json!({"authorization_signed_response_alg": "none"}),
        "authorization_signed_response_alg: 'none' is not allowed",
    );
    rejected(
        json!({"authorization_signed_response_alg": "XS1"}),
        "authorization_signed_response_alg: unsupported algorithm 'XS1'",
    );
    accepted(json!({"authorization_signed_response_alg": "ES256"}));
}

/// ALG-7: `token_endpoint_auth_signing_alg` fits the authentication method.
#[test]
fn token_endpoint_signing_alg_fits_the_method() {
    rejected(
        json!({"token_endpoint_auth_method": "client_secret_jwt", "token_endpoint_auth_signing_alg": "RS256"}),
        "token_endpoint_auth_signing_alg: 'RS256' does not fit client_secret_jwt, which signs with the client secret (an HS algorithm)",
    );
    rejected(
        json!({
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks_uri": "https://rp.example.org/jwks",
            "token_endpoint_auth_signing_alg": "HS256",
        }),
        "token_endpoint_auth_signing_alg: 'HS256' does not fit private_key_jwt, which signs with a private key (not an HS algorithm)",
    );
    accepted(json!({
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": "https://rp.example.org/jwks",
        "token_endpoint_auth_signing_alg": "PS256",
    }));
}

/// ALG-8: algorithms keyed with the client secret are only for clients that get one.
#[test]
fn secret_keyed_algorithms_need_a_secret() {
    rejected(
        json!({"token_endpoint_auth_method": "none", "id_token_signed_response_alg": "HS256"}),
        "id_token_signed_response_alg: 'HS256' is keyed with the client secret, and token_endpoint_auth_method 'none' issues none",
    );
    rejected(
        json!({
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks_uri": "https://rp.example.org/jwks",
            "request_object_encryption_alg": "dir",
        }),
        "request_object_encryption_alg: 'dir' is keyed with the client secret, and token_endpoint_auth_method 'private_key_jwt' issues none",
    );
    accepted(
        json!({"id_token_signed_response_alg": "HS256", "userinfo_encrypted_response_alg": "A128KW"}),
    );
}

/// ALG-9: encryption to a public key of the client needs `jwks` or `jwks_uri`.
#[test]
fn encryption_to_the_client_needs_its_keys() {
    for member in [
        "id_token_encrypted_response_alg",
        "userinfo_encrypted_response_alg",
        "authorization_encrypted_response_alg",
        "introspection_encrypted_response_alg",
    ] {
        rejected(
            json!({ member: "ECDH-ES" }),
            &format!(
                "{member}: 'ECDH-ES' encrypts to a public key of the client; register jwks or jwks_uri"
            ),
        );
        accepted(json!({ member: "ECDH-ES", "jwks_uri": "https://rp.example.org/jwks" }));
    }
    // Request objects are encrypted by the client to the server's key.
    accepted(json!({"request_object_encryption_alg": "RSA-OAEP"}));
}

/// ALG-10: `require_signed_request_object: true` excludes `request_object_signing_alg` `none`.
#[test]
fn signed_request_object_required() {
    rejected(
        json!({"require_signed_request_object": true, "request_object_signing_alg": "none"}),
        "request_object_signing_alg: 'none' contradicts require_signed_request_object",
    );
    accepted(json!({"require_signed_request_object": false, "request_object_signing_alg": "none"}));
    let m = accepted(
        json!({"require_signed_request_object": true, "request_object_signing_alg": "ES256"}),
    );
    assert_eq!(m.require_signed_request_object, Some(true));
}

/// ALG-6: every algorithm member takes a value from the server's lists.
#[test]
fn narrowed_lists_enforced_for_every_member() {
    let rules = MetadataRules {
        signing_algs: vec!["ES256".into()],
        encryption_algs: vec!["ECDH-ES".into()],
        encryption_encs: vec!["A256GCM".into()],
        ..MetadataRules::default()
    };
    for entry in ALGORITHM_MEMBERS {
        let (good, bad) = match entry.kind {
            AlgorithmKind::Signing => ("ES256", "RS256"),
            AlgorithmKind::KeyManagement => ("ECDH-ES", "RSA-OAEP"),
            AlgorithmKind::ContentEncryption => ("A256GCM", "A128GCM"),
        };
        let mut doc = json!({
            "jwks_uri": "https://rp.example.org/jwks",
            "token_endpoint_auth_method": "private_key_jwt",
            "id_token_signed_response_alg": "ES256",
        });
        // Each encryption pair completed with accepted values, the member under test last.
        match entry.kind {
            AlgorithmKind::ContentEncryption => {
                let alg = entry.member.strip_suffix("_enc").unwrap_or_default();
                doc[format!("{alg}_alg")] = json!("ECDH-ES");
            }
            AlgorithmKind::KeyManagement => {
                let pair = entry.member.strip_suffix("_alg").unwrap_or_default();
                doc[format!("{pair}_enc")] = json!("A256GCM");
            }
            AlgorithmKind::Signing => {}
        }
        doc[entry.member] = json!(good);
        check_with(doc.clone(), &rules).unwrap_or_else(|e| panic!("{doc}: {e}"));
        doc[entry.member] = json!(bad);
        let err = check_with(doc, &rules).expect_err(entry.member);
        assert_eq!(
            err.description(),
            format!("{}: unsupported algorithm '{bad}'", entry.member)
        );
    }
    assert_eq!(AuthMethod::PrivateKeyJwt.as_str(), "private_key_jwt");
}

/// DISC-3: the advertised `*_alg_values_supported` and `*_enc_values_supported` are the accepted
/// ones.
#[test]
fn every_member_listed_once_with_its_discovery_name() {
    let mut members: Vec<_> = ALGORITHM_MEMBERS.iter().map(|m| m.member).collect();
    members.sort_unstable();
    members.dedup();
    assert_eq!(members.len(), ALGORITHM_MEMBERS.len());
    for entry in ALGORITHM_MEMBERS {
        let prefix = entry.member.split('_').next().unwrap_or_default();
        assert!(entry.discovery.starts_with(prefix), "{entry:?}");
        let suffix = match entry.kind {
            AlgorithmKind::Signing => "signing_alg_values_supported",
            AlgorithmKind::KeyManagement => "encryption_alg_values_supported",
            AlgorithmKind::ContentEncryption => "encryption_enc_values_supported",
        };
        assert!(entry.discovery.ends_with(suffix), "{entry:?}");
    }
}

/// ALG-8: algorithms keyed with the client secret are only for clients that get one.
#[test]
fn symmetric_classification() {
    for alg in ["HS256", "HS384", "HS512"] {
        assert!(is_hmac(alg));
    }
    assert!(!is_hmac("RS256") && !is_hmac("none"));
    for alg in ["dir", "A128KW", "A256GCMKW", "PBES2-HS256+A128KW"] {
        assert!(is_symmetric_key_management(alg), "{alg}");
    }
    for alg in ["RSA-OAEP", "ECDH-ES", "ECDH-ES+A128KW"] {
        assert!(!is_symmetric_key_management(alg), "{alg}");
    }
}

/// Under the default rules, an algorithm member accepts `none` exactly when it is a signing
/// member whose table entry does not refuse it.
#[test]
fn none_not_accepted_where_refused() {
    let rules = MetadataRules::default();
    for entry in ALGORITHM_MEMBERS {
        let accepted = entry.accepted(&rules);
        assert_eq!(
            accepted.contains(&"none"),
            entry.kind == AlgorithmKind::Signing && !entry.refuses_none,
            "{entry:?}"
        );
    }
}
