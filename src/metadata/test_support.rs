//! Helpers shared by the unit tests of the metadata modules: JSON documents through [`parse`]
//! and [`validate`] as a registration request's metadata goes, and well-formed public keys.
//!
//! Every test module of `metadata` uses these rather than defining its own.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::{ClientMetadata, MetadataError, MetadataErrorCode, MetadataRules, parse, validate};

/// The redirect URI the tests register when the rule under test is not about redirect URIs.
pub(super) const RP: &str = "https://rp.example.org/cb";

/// `doc`, which must be a JSON object, as a map.
#[track_caller]
pub(super) fn object(doc: Value) -> Map<String, Value> {
    match doc {
        Value::Object(map) => map,
        other => panic!("test input must be an object: {other}"),
    }
}

/// `doc` with `redirect_uris: [RP]`.
pub(super) fn with_rp(mut doc: Value) -> Value {
    if let Value::Object(map) = &mut doc {
        map.insert("redirect_uris".into(), json!([RP]));
    }
    doc
}

/// The default rules changed by `change`.
pub(super) fn rules_with(change: impl FnOnce(&mut MetadataRules)) -> MetadataRules {
    let mut rules = MetadataRules::default();
    change(&mut rules);
    rules
}

/// `doc` (a JSON object) parsed and validated against `rules`, exactly as given.
#[track_caller]
pub(super) fn validated(
    doc: Value,
    rules: &MetadataRules,
) -> Result<ClientMetadata, MetadataError> {
    validate(parse(&object(doc)).expect("test input must parse"), rules)
}

/// Asserts that `doc`, exactly as given, is refused under `rules` with `code` and
/// `description`.
#[track_caller]
pub(super) fn refused_with(
    doc: Value,
    rules: &MetadataRules,
    code: MetadataErrorCode,
    description: &str,
) {
    let err = validated(doc, rules).expect_err("expected an error");
    assert_eq!(err.code(), code, "{}", err.description());
    assert_eq!(err.description(), description);
}

/// `doc` (a JSON object) parsed and validated against `rules`, with a redirect URI added when
/// it names none (most rules under test are not about redirect URIs).
#[track_caller]
pub(super) fn check_with(
    mut doc: Value,
    rules: &MetadataRules,
) -> Result<ClientMetadata, MetadataError> {
    if doc.get("redirect_uris").is_none() {
        doc["redirect_uris"] = json!([RP]);
    }
    validated(doc, rules)
}

/// Asserts that `doc` is refused under `rules` with exactly `description`.
#[track_caller]
pub(super) fn rejected_with(doc: Value, rules: &MetadataRules, description: &str) {
    let err = check_with(doc, rules).expect_err("expected an error");
    assert_eq!(err.description(), description);
}

/// Asserts that `doc` is accepted under `rules`; returns the validated metadata.
#[track_caller]
pub(super) fn accepted_with(doc: Value, rules: &MetadataRules) -> ClientMetadata {
    check_with(doc, rules).unwrap_or_else(|e| panic!("rejected: {e}"))
}

/// `key` with `member` set to `value`.
pub(super) fn with(mut key: Value, member: &str, value: Value) -> Value {
    key[member] = value;
    key
}

/// `key` without `member`.
pub(super) fn without(mut key: Value, member: &str) -> Value {
    if let Some(key) = key.as_object_mut() {
        key.remove(member);
    }
    key
}

/// A base64url RSA-2048 modulus: odd, top bit set, well formed (not a real key's).
pub(super) fn rsa_modulus() -> String {
    URL_SAFE_NO_PAD.encode([0xc5u8; 256])
}

/// A well-formed RSA-2048 public JWK, without `kid`.
pub(super) fn rsa_public_jwk() -> Value {
    json!({"kty": "RSA", "n": rsa_modulus(), "e": "AQAB"})
}

/// A P-256 public JWK computed from a fixed scalar: a real point of the curve, without `kid`.
pub(super) fn p256_public_jwk() -> Value {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let secret = p256::SecretKey::from_slice(&[0x42; 32]).expect("a valid scalar");
    let point = secret.public_key().to_encoded_point(false);
    let coordinate = |c: Option<&p256::FieldBytes>| URL_SAFE_NO_PAD.encode(c.expect("affine"));
    json!({
        "kty": "EC",
        "crv": "P-256",
        "x": coordinate(point.x()),
        "y": coordinate(point.y()),
    })
}

/// An Ed25519 public JWK (RFC 8037 appendix A.2), without `kid`.
pub(super) fn ed25519_public_jwk() -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})
}
