//! The verification keys of a trusted issuer, each pinned to one signature algorithm: a
//! statement's `alg` header only selects among keys, it never decides how a key is used (no
//! algorithm confusion, no `none`, no HMAC with a public key).

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

/// A public key and the one algorithm it verifies.
pub(super) struct PinnedKey {
    pub(super) kid: Option<String>,
    pub(super) algorithm: Algorithm,
    pub(super) key: DecodingKey,
}

impl std::fmt::Debug for PinnedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinnedKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// How to treat a key that cannot verify signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strictness {
    /// A JWK Set the operator configured: every key must be usable, a mistake shows at start.
    Configured,
    /// A JWK Set fetched from an issuer, which may publish keys of other kinds: those are
    /// skipped.
    Fetched,
}

/// The signature keys of a JWK Set (`{"keys": [...]}`). Keys whose `use` is not `sig` are
/// skipped. The algorithm of a key is its `alg`, or else the one its type implies: RS256 for
/// RSA, ES256 for P-256, ES384 for P-384, EdDSA for Ed25519.
pub(super) fn signature_keys(
    jwks: &Value,
    strictness: Strictness,
) -> Result<Vec<PinnedKey>, String> {
    let Some(Value::Array(keys)) = jwks.get("keys") else {
        return Err("not a JWK Set (an object with a 'keys' array)".into());
    };
    let mut pinned = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        match pin(key) {
            Ok(Some(key)) => pinned.push(key),
            Ok(None) => {}
            Err(why) if strictness == Strictness::Configured => {
                return Err(format!("keys[{i}]: {why}"));
            }
            Err(_) => {}
        }
    }
    if pinned.is_empty() {
        return Err("no key usable to verify signatures".into());
    }
    Ok(pinned)
}

/// The key, pinned; `None` for a key meant for something else than signatures.
fn pin(key: &Value) -> Result<Option<PinnedKey>, String> {
    let jwk: Jwk = serde_json::from_value(key.clone()).map_err(|e| format!("not a JWK: {e}"))?;
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return Ok(None);
    }
    let algorithm = algorithm_of(&jwk)?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("unusable key: {e}"))?;
    Ok(Some(PinnedKey {
        kid: jwk.common.key_id.clone(),
        algorithm,
        key,
    }))
}

fn algorithm_of(jwk: &Jwk) -> Result<Algorithm, String> {
    use KeyAlgorithm as K;
    let declared = jwk.common.key_algorithm;
    let mismatch = || format!("'alg' {declared:?} does not fit the key type");
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => match declared {
            None | Some(K::RS256) => Ok(Algorithm::RS256),
            Some(K::RS384) => Ok(Algorithm::RS384),
            Some(K::RS512) => Ok(Algorithm::RS512),
            Some(K::PS256) => Ok(Algorithm::PS256),
            Some(K::PS384) => Ok(Algorithm::PS384),
            Some(K::PS512) => Ok(Algorithm::PS512),
            Some(_) => Err(mismatch()),
        },
        AlgorithmParameters::EllipticCurve(ec) => match (&ec.curve, declared) {
            (EllipticCurve::P256, None | Some(K::ES256)) => Ok(Algorithm::ES256),
            (EllipticCurve::P384, None | Some(K::ES384)) => Ok(Algorithm::ES384),
            (EllipticCurve::P256 | EllipticCurve::P384, Some(_)) => Err(mismatch()),
            (curve, _) => Err(format!("unsupported curve {curve:?}")),
        },
        AlgorithmParameters::OctetKeyPair(okp) => match (&okp.curve, declared) {
            (EllipticCurve::Ed25519, None | Some(K::EdDSA)) => Ok(Algorithm::EdDSA),
            (EllipticCurve::Ed25519, Some(_)) => Err(mismatch()),
            (curve, _) => Err(format!("unsupported curve {curve:?}")),
        },
        AlgorithmParameters::OctetKey(_) => {
            Err("a symmetric key cannot verify another party's signature".into())
        }
        _ => Err("unsupported key type".into()),
    }
}

#[cfg(test)]
mod tests;
