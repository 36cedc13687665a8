//! The verification keys of a trusted issuer, each pinned to one signature algorithm: a
//! statement's `alg` header only selects among keys, it never decides how a key is used (no
//! algorithm confusion, no `none`, no HMAC with a public key).
//!
//! A key is read as the metadata module reads a client's `jwks` (one JWK model, one set of
//! public-key rules); this module only pins it to an algorithm and turns it into a
//! `jsonwebtoken` key. It knows nothing of how statements are verified or applied.

use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use crate::metadata::{KeyParams, KeyUse, PublicJwk, read_public_jwk};
use crate::syntax::quoted;

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

/// The signature keys of a JWK Set (`{"keys": [...]}`), each read as the registration rules read
/// a client's keys ([`read_public_jwk`]). Keys whose `use` is not `sig` are skipped. The
/// algorithm of a key is its `alg`, or else the one its type implies: RS256 for RSA, ES256 for
/// P-256, ES384 for P-384, EdDSA for Ed25519.
pub(super) fn signature_keys(
    jwks: &Value,
    strictness: Strictness,
) -> Result<Vec<PinnedKey>, String> {
    let Some(Value::Array(keys)) = jwks.get("keys") else {
        return Err("not a JWK Set (an object with a 'keys' array)".into());
    };
    let mut pinned = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        match pin(i, key) {
            Ok(Some(key)) => pinned.push(key),
            Ok(None) => {}
            Err(why) if strictness == Strictness::Configured => return Err(why),
            Err(_) => {}
        }
    }
    if pinned.is_empty() {
        return Err("no key usable to verify signatures".into());
    }
    Ok(pinned)
}

/// The `i`th key, pinned; `None` for a key meant for something else than signatures. Errors
/// name the key `keys[i]`.
fn pin(i: usize, key: &Value) -> Result<Option<PinnedKey>, String> {
    let Value::Object(key) = key else {
        return Err(format!("keys[{i}]: must be a JSON object"));
    };
    let jwk = read_public_jwk(i, key).map_err(|e| {
        let description = e.description();
        description
            .strip_prefix("jwks.")
            .unwrap_or(description)
            .to_owned()
    })?;
    if jwk.key_use.is_some_and(|u| u != KeyUse::Signature) {
        return Ok(None);
    }
    let algorithm = algorithm_of(&jwk).map_err(|why| format!("keys[{i}]: {why}"))?;
    let key = decoding_key(&jwk.params).map_err(|e| format!("keys[{i}]: unusable key: {e}"))?;
    Ok(Some(PinnedKey {
        kid: jwk.kid.map(str::to_owned),
        algorithm,
        key,
    }))
}

/// The one algorithm a key verifies: its `alg`, or the one its type implies.
fn algorithm_of(jwk: &PublicJwk<'_>) -> Result<Algorithm, String> {
    let declared = jwk.alg;
    let mismatch = || {
        format!(
            "'alg' {} does not fit the key type",
            quoted(declared.unwrap_or_default())
        )
    };
    match jwk.params {
        KeyParams::Rsa { .. } => match declared {
            None | Some("RS256") => Ok(Algorithm::RS256),
            Some("RS384") => Ok(Algorithm::RS384),
            Some("RS512") => Ok(Algorithm::RS512),
            Some("PS256") => Ok(Algorithm::PS256),
            Some("PS384") => Ok(Algorithm::PS384),
            Some("PS512") => Ok(Algorithm::PS512),
            Some(_) => Err(mismatch()),
        },
        KeyParams::Ec { crv, .. } => match (crv, declared) {
            ("P-256", None | Some("ES256")) => Ok(Algorithm::ES256),
            ("P-384", None | Some("ES384")) => Ok(Algorithm::ES384),
            ("P-256" | "P-384", Some(_)) => Err(mismatch()),
            (curve, _) => Err(format!("unsupported curve {}", quoted(curve))),
        },
        KeyParams::Okp { crv, .. } => match (crv, declared) {
            ("Ed25519", None | Some("EdDSA")) => Ok(Algorithm::EdDSA),
            ("Ed25519", Some(_)) => Err(mismatch()),
            (curve, _) => Err(format!("unsupported curve {}", quoted(curve))),
        },
    }
}

/// The key, for `jsonwebtoken` to verify with.
fn decoding_key(params: &KeyParams<'_>) -> jsonwebtoken::errors::Result<DecodingKey> {
    match *params {
        KeyParams::Rsa { n, e } => DecodingKey::from_rsa_components(n, e),
        KeyParams::Ec { x, y, .. } => DecodingKey::from_ec_components(x, y),
        KeyParams::Okp { x, .. } => DecodingKey::from_ed_components(x),
    }
}

#[cfg(test)]
mod tests;
