//! The `jwks` member (RFC 7591 §2, RFC 7517, RFC 7518 §6, RFC 8037): a JWK Set of public
//! keys, each well formed for its key type.
//!
//! Checked per key, errors naming the key and the member (`jwks.keys[1].x: not base64url`):
//! - no private or symmetric material (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`), no `oct` key;
//! - `kty` one of `RSA` (`n` of 2048 to 16384 bits and `e`, checked by the `rsa` crate;
//!   RFC 7518 §3.3), `EC` (`crv`
//!   P-256, P-384 or P-521 and `x`, `y` of the curve's length) or `OKP` (`crv` Ed25519, Ed448,
//!   X25519 or X448 and `x` of the curve's length); coordinates base64url without padding;
//!   P-256 and Ed25519 keys (the curves this crate already links) must also be points of their
//!   curve;
//! - `use` `sig` or `enc`, `key_ops` unique known operations of a public key, the two consistent
//!   when both are present (RFC 7517 §4.3);
//! - `kid`, `alg` strings; `kid` unique among the keys; a known `alg` fits the key type, the
//!   curve and `use` (`ES256` on a P-256 key, `RSA-OAEP` not with `use: sig`), and no `alg` is
//!   symmetric (`HS256`, `A128KW`, `dir`);
//! - `x5c` an array of base64 (not base64url) DER certificates, `x5t` / `x5t#S256` base64url,
//!   `x5u` an https URL.
//!
//! Other members are kept as sent (RFC 7517 §4: unknown members are ignored).
//!
//! Owns the one JWK model of the crate ([`PublicJwk`]), used by registration and by the
//! software statement verifier. Must not know the authentication method or any other member
//! (`validate` draws conclusions from [`KeySetSummary`]), nor any signature library.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::error::MetadataError;
use crate::syntax::quoted;
use params::key_material;
use usage::{Purpose, check_alg, check_certificates, key_ops};

mod params;
mod usage;

/// JWK members that carry private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4).
const PRIVATE_JWK_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

fn invalid(description: String) -> MetadataError {
    MetadataError::client_metadata(description)
}

/// One public key of a JWK Set, as this crate models a JWK: read and checked by
/// [`read_public_jwk`], borrowing its strings from the JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PublicJwk<'a> {
    /// The key type and its parameters.
    pub(crate) params: KeyParams<'a>,
    /// `kid`.
    pub(crate) kid: Option<&'a str>,
    /// `alg`: when present, an algorithm that fits the key (or one this crate does not know).
    pub(crate) alg: Option<&'a str>,
    /// `use`.
    pub(crate) key_use: Option<KeyUse>,
    /// Whether the key can verify signatures: not an X25519/X448 key, nor one whose `use`,
    /// `alg` or `key_ops` is only encryption.
    pub(crate) can_verify: bool,
    /// Whether the key carries an `x5c` certificate chain.
    pub(crate) has_certificate: bool,
}

/// The key type of a [`PublicJwk`] and its public parameters, base64url as in the JWK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyParams<'a> {
    /// `kty: RSA`: modulus `n` and exponent `e`.
    Rsa {
        /// `n`.
        n: &'a str,
        /// `e`.
        e: &'a str,
    },
    /// `kty: EC`: a point `(x, y)` of curve `crv` (P-256, P-384 or P-521).
    Ec {
        /// `crv`.
        crv: &'a str,
        /// `x`.
        x: &'a str,
        /// `y`.
        y: &'a str,
    },
    /// `kty: OKP`: the public key `x` of curve `crv` (Ed25519, Ed448, X25519 or X448).
    Okp {
        /// `crv`.
        crv: &'a str,
        /// `x`.
        x: &'a str,
    },
}

impl<'a> KeyParams<'a> {
    /// The curve of an `EC` or `OKP` key.
    pub(crate) fn curve(&self) -> Option<&'a str> {
        match *self {
            Self::Rsa { .. } => None,
            Self::Ec { crv, .. } | Self::Okp { crv, .. } => Some(crv),
        }
    }

    /// An X25519 / X448 key: key agreement only, never signatures.
    fn agreement_only(&self) -> bool {
        matches!(self.curve(), Some("X25519" | "X448"))
    }
}

/// The `use` of a key (RFC 7517 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyUse {
    /// `sig`.
    Signature,
    /// `enc`.
    Encryption,
}

impl KeyUse {
    /// The value as it appears in JSON.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Signature => "sig",
            Self::Encryption => "enc",
        }
    }
}

/// What a valid JWK Set holds, for the rules that depend on the authentication method.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct KeySetSummary {
    /// Some key can verify signatures (no `use` or `use: sig`, not an X25519/X448 key).
    pub has_signature_key: bool,
    /// Some key carries an `x5c` certificate chain.
    pub has_certificate: bool,
}

/// Checks a `jwks` value: a JWK Set of well-formed public keys.
pub(super) fn check_jwk_set(jwks: &Map<String, Value>) -> Result<KeySetSummary, MetadataError> {
    let Some(Value::Array(keys)) = jwks.get("keys") else {
        return Err(invalid(
            "jwks: must be a JWK Set (an object with a 'keys' array)".into(),
        ));
    };
    let mut summary = KeySetSummary::default();
    // A map, not a scan: a large body must not make this quadratic.
    // Unique per key type: RFC 7517 §4.5 lets keys of different types share a `kid`.
    let mut kids: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        let Value::Object(key) = key else {
            return Err(invalid(format!("jwks.keys[{i}]: must be a JSON object")));
        };
        let checked = read_public_jwk(i, key)?;
        summary.has_signature_key |= checked.can_verify;
        summary.has_certificate |= checked.has_certificate;
        if let Some(Value::String(kid)) = key.get("kid")
            && let Some(Value::String(kty)) = key.get("kty")
            && let Some(first) = kids.insert((kid, kty), i)
        {
            return Err(invalid(format!(
                "jwks.keys[{i}].kid: {} already used by jwks.keys[{first}], a key of the same type",
                quoted(kid)
            )));
        }
    }
    Ok(summary)
}

/// Reads and checks `key`, the `i`th key of a JWK Set, against the rules of the module; errors
/// name it `jwks.keys[i]`.
pub(crate) fn read_public_jwk(
    i: usize,
    key: &Map<String, Value>,
) -> Result<PublicJwk<'_>, MetadataError> {
    let label = |member: &str| format!("jwks.keys[{i}].{member}");
    let Some(kty) = key.get("kty") else {
        return Err(invalid(format!("{}: required", label("kty"))));
    };
    let Value::String(kty) = kty else {
        return Err(invalid(format!("{}: must be a string", label("kty"))));
    };
    if kty == "oct" {
        return Err(invalid(format!(
            "{}: symmetric keys ('oct') not allowed; register public keys only",
            label("kty")
        )));
    }
    if let Some(member) = PRIVATE_JWK_MEMBERS.iter().find(|m| key.contains_key(**m)) {
        return Err(invalid(format!(
            "{}: private key material not allowed",
            label(member)
        )));
    }
    let params = key_material(i, key, kty)?;
    for member in ["kid", "alg"] {
        if key.get(member).is_some_and(|v| !v.is_string()) {
            return Err(invalid(format!("{}: must be a string", label(member))));
        }
    }
    let key_use = match key.get("use") {
        None => None,
        Some(Value::String(u)) if u == "sig" => Some(KeyUse::Signature),
        Some(Value::String(u)) if u == "enc" => Some(KeyUse::Encryption),
        Some(Value::String(u)) => {
            return Err(invalid(format!(
                "{}: {} is not 'sig' or 'enc'",
                label("use"),
                quoted(u)
            )));
        }
        Some(_) => return Err(invalid(format!("{}: must be a string", label("use")))),
    };
    let ops = key_ops(i, key, key_use)?;
    let alg = key.get("alg").and_then(Value::as_str);
    let purpose = match alg {
        Some(alg) => check_alg(i, alg, kty, params.curve(), key_use)?,
        None => None,
    };
    check_certificates(i, key)?;
    let can_verify = !params.agreement_only()
        && key_use != Some(KeyUse::Encryption)
        && purpose != Some(Purpose::Encryption)
        && ops.as_ref().is_none_or(|ops| ops.contains(&"verify"));
    Ok(PublicJwk {
        params,
        kid: key.get("kid").and_then(Value::as_str),
        alg,
        key_use,
        can_verify,
        has_certificate: key.contains_key("x5c"),
    })
}

#[cfg(test)]
mod tests;
