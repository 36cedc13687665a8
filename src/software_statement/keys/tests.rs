use super::*;
use serde_json::json;

const P256: (&str, &str) = (
    "XrMiPFMqDeESC0Pl5vziheB1-OSfnAtayXaG5viQb3A",
    "KKO2T5MLaKZ-5hQ-cq2VcT5r35HXKBFT6-cf3EMWky8",
);

fn ec(extra: Value) -> Value {
    let mut key = json!({"kty": "EC", "crv": "P-256", "x": P256.0, "y": P256.1});
    for (k, v) in extra.as_object().expect("object") {
        key[k] = v.clone();
    }
    key
}

fn algorithms(jwks: Value, strictness: Strictness) -> Result<Vec<Algorithm>, String> {
    signature_keys(&jwks, strictness).map(|keys| keys.iter().map(|k| k.algorithm).collect())
}

/// SS-2: each issuer key verifies only the one algorithm it is pinned to.
#[test]
fn keys_are_pinned_to_their_algorithm() {
    let ed =
        json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
    assert_eq!(
        algorithms(json!({"keys": [ec(json!({})), ed]}), Strictness::Configured),
        Ok(vec![Algorithm::ES256, Algorithm::EdDSA])
    );
}

/// SS-10: an issuer's keys are configured inline or fetched from its https `jwks_uri`, and cached.
#[test]
fn configured_sets_refuse_unusable_keys_fetched_ones_skip_them() {
    let jwks = json!({"keys": [
        ec(json!({"alg": "RS256"})),
        {"kty": "oct", "k": "c2VjcmV0"},
        ec(json!({"use": "enc"})),
        ec(json!({"kid": "good"})),
    ]});
    let err = algorithms(jwks.clone(), Strictness::Configured).unwrap_err();
    assert!(err.starts_with("keys[0].alg: 'RS256'"), "{err}");
    assert_eq!(
        algorithms(jwks, Strictness::Fetched),
        Ok(vec![Algorithm::ES256])
    );
}

/// SS-10: an issuer's keys are configured inline or fetched from its https `jwks_uri`, and cached.
#[test]
fn a_set_without_signature_keys_is_refused() {
    for jwks in [
        json!({}),
        json!({"keys": []}),
        json!({"keys": [ec(json!({"use": "enc"}))]}),
    ] {
        assert!(
            signature_keys(&jwks, Strictness::Fetched).is_err(),
            "{jwks}"
        );
    }
}

/// A configuration's `Debug` shows each trusted key by its `kid` and algorithm; the key itself
/// is long and says nothing to a reader.
#[test]
fn debug_of_a_pinned_key_shows_its_kid_and_algorithm() {
    let keys = signature_keys(
        &json!({"keys": [ec(json!({"kid": "2026-q4"}))]}),
        Strictness::Configured,
    )
    .expect("a usable key");
    assert_eq!(
        format!("{:?}", keys[0]),
        r#"PinnedKey { kid: Some("2026-q4"), algorithm: ES256, .. }"#
    );
}
