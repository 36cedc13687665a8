//! What a key is for and how it is certified: `use`, `key_ops` (RFC 7517 §4.2, §4.3), `alg`
//! (fitting the key type and curve, never symmetric) and the `x5c`, `x5t`, `x5t#S256` and
//! `x5u` members (RFC 7517 §4.6 to §4.9).
//!
//! Knows nothing of the key's own parameters beyond its type and curve (the `params` module).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::params::base64url_member;
use super::{KeyUse, invalid};
use crate::metadata::algorithms::{is_hmac, is_symmetric_key_management};
use crate::metadata::error::MetadataError;
use crate::metadata::redirect_uri::{Schemes, check_url};
use crate::syntax::quoted;

/// `key_ops` values that a public key can perform (RFC 7517 §4.3), by `use`.
const SIG_OPS: &[&str] = &["verify"];
const ENC_OPS: &[&str] = &["encrypt", "wrapKey", "deriveKey", "deriveBits"];
/// `key_ops` values that need the private key: never in a client's public JWK Set.
const PRIVATE_OPS: &[&str] = &["sign", "decrypt", "unwrapKey"];

/// What a key's `alg` is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    Signature,
    Encryption,
}

/// Key types an algorithm fits: `(kty, crv)`, `None` for any curve.
type KeyTypes = &'static [(&'static str, Option<&'static str>)];

/// The key type (and curve) an algorithm of RFC 7518 / RFC 8037 / RFC 9864 needs, and what it is
/// for; `None` for an algorithm this crate does not know (accepted as is).
fn alg_requirements(alg: &str) -> Option<(KeyTypes, Purpose)> {
    const RSA: KeyTypes = &[("RSA", None)];
    const ECDH: KeyTypes = &[("EC", None), ("OKP", Some("X25519")), ("OKP", Some("X448"))];
    Some(match alg {
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => (RSA, Purpose::Signature),
        "RSA-OAEP" | "RSA-OAEP-256" | "RSA-OAEP-384" | "RSA-OAEP-512" | "RSA1_5" => {
            (RSA, Purpose::Encryption)
        }
        "ES256" => (&[("EC", Some("P-256"))], Purpose::Signature),
        "ES384" => (&[("EC", Some("P-384"))], Purpose::Signature),
        "ES512" => (&[("EC", Some("P-521"))], Purpose::Signature),
        "EdDSA" => (
            &[("OKP", Some("Ed25519")), ("OKP", Some("Ed448"))],
            Purpose::Signature,
        ),
        "Ed25519" => (&[("OKP", Some("Ed25519"))], Purpose::Signature),
        "Ed448" => (&[("OKP", Some("Ed448"))], Purpose::Signature),
        "ECDH-ES" | "ECDH-ES+A128KW" | "ECDH-ES+A192KW" | "ECDH-ES+A256KW" => {
            (ECDH, Purpose::Encryption)
        }
        _ => return None,
    })
}

/// `alg`: not a symmetric algorithm, and one that fits the key type, curve and `use`.
pub(super) fn check_alg(
    i: usize,
    alg: &str,
    kty: &str,
    crv: Option<&str>,
    key_use: Option<KeyUse>,
) -> Result<Option<Purpose>, MetadataError> {
    let label = format!("jwks.keys[{i}].alg");
    if is_hmac(alg) || is_symmetric_key_management(alg) {
        return Err(invalid(format!(
            "{label}: {} is a symmetric algorithm; register public keys only",
            quoted(alg)
        )));
    }
    let Some((keys, purpose)) = alg_requirements(alg) else {
        return Ok(None);
    };
    let fits = keys
        .iter()
        .any(|(t, c)| *t == kty && c.is_none_or(|c| Some(c) == crv));
    if !fits {
        let key = match crv {
            Some(crv) => format!("kty {} with crv {}", quoted(kty), quoted(crv)),
            None => format!("kty {}", quoted(kty)),
        };
        return Err(invalid(format!(
            "{label}: {} does not fit {key}",
            quoted(alg)
        )));
    }
    let expected_use = match purpose {
        Purpose::Signature => KeyUse::Signature,
        Purpose::Encryption => KeyUse::Encryption,
    };
    if let Some(key_use) = key_use
        && key_use != expected_use
    {
        return Err(invalid(format!(
            "{label}: {} contradicts use {}",
            quoted(alg),
            quoted(key_use.as_str())
        )));
    }
    Ok(Some(purpose))
}

/// `key_ops`: unique known public-key operations, consistent with `use` (RFC 7517 §4.3).
pub(super) fn key_ops(
    i: usize,
    key: &Map<String, Value>,
    key_use: Option<KeyUse>,
) -> Result<Option<Vec<&str>>, MetadataError> {
    let Some(value) = key.get("key_ops") else {
        return Ok(None);
    };
    let Value::Array(values) = value else {
        return Err(invalid(format!(
            "jwks.keys[{i}].key_ops: must be an array of strings"
        )));
    };
    let mut ops = Vec::with_capacity(values.len());
    for (j, op) in values.iter().enumerate() {
        let label = format!("jwks.keys[{i}].key_ops[{j}]");
        let Value::String(op) = op else {
            return Err(invalid(format!("{label}: must be a string")));
        };
        if PRIVATE_OPS.contains(&op.as_str()) {
            return Err(invalid(format!(
                "{label}: {} needs the private key; register public keys only",
                quoted(op)
            )));
        }
        let (sig, enc) = (
            SIG_OPS.contains(&op.as_str()),
            ENC_OPS.contains(&op.as_str()),
        );
        if !sig && !enc {
            return Err(invalid(format!(
                "{label}: unknown key operation {}",
                quoted(op)
            )));
        }
        if ops.contains(&op.as_str()) {
            return Err(invalid(format!("{label}: duplicate {}", quoted(op))));
        }
        if let Some(key_use) = key_use
            && ((key_use == KeyUse::Signature && !sig) || (key_use == KeyUse::Encryption && !enc))
        {
            return Err(invalid(format!(
                "{label}: {} contradicts use {}",
                quoted(op),
                quoted(key_use.as_str())
            )));
        }
        ops.push(op.as_str());
    }
    Ok(Some(ops))
}

/// `x5c` (base64 DER certificates), `x5t` and `x5t#S256` (base64url thumbprints), `x5u` (https).
pub(super) fn check_certificates(i: usize, key: &Map<String, Value>) -> Result<(), MetadataError> {
    if let Some(chain) = key.get("x5c") {
        let Value::Array(certificates) = chain else {
            return Err(invalid(format!(
                "jwks.keys[{i}].x5c: must be an array of base64 certificates"
            )));
        };
        if certificates.is_empty() {
            return Err(invalid(format!("jwks.keys[{i}].x5c: must not be empty")));
        }
        for (j, certificate) in certificates.iter().enumerate() {
            let decoded = certificate
                .as_str()
                .and_then(|c| STANDARD.decode(c).ok())
                .filter(|der| !der.is_empty());
            if decoded.is_none() {
                return Err(invalid(format!(
                    "jwks.keys[{i}].x5c[{j}]: not a base64 (RFC 4648 section 4) certificate"
                )));
            }
        }
    }
    for (member, size) in [("x5t", 20), ("x5t#S256", 32)] {
        if key.contains_key(member) {
            let digest = base64url_member(i, key, member, "")?;
            if digest.len() != size {
                return Err(invalid(format!(
                    "jwks.keys[{i}].{member}: {} bytes, a thumbprint has {size}",
                    digest.len()
                )));
            }
        }
    }
    match key.get("x5u") {
        None => Ok(()),
        Some(Value::String(url)) => {
            check_url(&format!("jwks.keys[{i}].x5u"), url, Schemes::Https, false)
        }
        Some(_) => Err(invalid(format!("jwks.keys[{i}].x5u: must be a string"))),
    }
}
