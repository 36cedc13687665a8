//! The `jwks` member (checklist C15; RFC 7517, RFC 7518 §6, RFC 8037): a JWK Set of public
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

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value};

use super::error::MetadataError;
use super::redirect_uri::{Schemes, check_url};
use crate::syntax::quoted;

/// JWK members that carry private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4).
const PRIVATE_JWK_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The smallest RSA modulus accepted: 2048 bits (RFC 7518 §3.3, §4.2, §4.3).
const MIN_RSA_MODULUS_BITS: usize = 2048;

/// The largest RSA modulus accepted: 16384 bits, far above any key in use, so that a huge
/// modulus cannot make the server's later operations slow.
const MAX_RSA_MODULUS_BITS: usize = 16384;

/// `key_ops` values that a public key can perform (RFC 7517 §4.3), by `use`.
const SIG_OPS: &[&str] = &["verify"];
const ENC_OPS: &[&str] = &["encrypt", "wrapKey", "deriveKey", "deriveBits"];
/// `key_ops` values that need the private key: never in a client's public JWK Set.
const PRIVATE_OPS: &[&str] = &["sign", "decrypt", "unwrapKey"];

fn invalid(description: String) -> MetadataError {
    MetadataError::client_metadata(description)
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
        let checked = check_jwk(i, key)?;
        summary.has_signature_key |= checked.can_verify;
        summary.has_certificate |= key.contains_key("x5c");
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

/// What one key can do.
struct CheckedKey {
    can_verify: bool,
}

fn check_jwk(i: usize, key: &Map<String, Value>) -> Result<CheckedKey, MetadataError> {
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
    let Material {
        crv,
        agreement_only,
    } = key_material(i, key, kty)?;
    for member in ["kid", "alg"] {
        if key.get(member).is_some_and(|v| !v.is_string()) {
            return Err(invalid(format!("{}: must be a string", label(member))));
        }
    }
    let key_use = match key.get("use") {
        None => None,
        Some(Value::String(u)) if u == "sig" || u == "enc" => Some(u.as_str()),
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
    let purpose = match key.get("alg") {
        Some(Value::String(alg)) => check_alg(i, alg, kty, crv, key_use)?,
        _ => None,
    };
    check_certificates(i, key)?;
    let can_verify = !agreement_only
        && key_use != Some("enc")
        && purpose != Some(Purpose::Encryption)
        && ops.as_ref().is_none_or(|ops| ops.contains(&"verify"));
    Ok(CheckedKey { can_verify })
}

/// The key type's own parameters: what they say about the key.
struct Material<'a> {
    /// The curve of an `EC` or `OKP` key.
    crv: Option<&'a str>,
    /// An X25519 / X448 key: key agreement only, never signatures.
    agreement_only: bool,
}

/// `n`, `e` of an RSA key; `crv`, `x` (and `y`) of an EC or OKP key.
fn key_material<'a>(
    i: usize,
    key: &'a Map<String, Value>,
    kty: &str,
) -> Result<Material<'a>, MetadataError> {
    let label = |member: &str| format!("jwks.keys[{i}].{member}");
    let mut crv = None;
    let agreement_only = match kty {
        "RSA" => {
            let n = rsa::BigUint::from_bytes_be(&base64url_member(i, key, "n", kty)?);
            if n.bits() < MIN_RSA_MODULUS_BITS {
                return Err(invalid(format!(
                    "{}: RSA modulus of {} bits, at least 2048 required",
                    label("n"),
                    n.bits()
                )));
            }
            let e = rsa::BigUint::from_bytes_be(&base64url_member(i, key, "e", kty)?);
            // The rsa crate's checks: an odd modulus, an odd exponent in 3..2^33, e < n.
            if let Err(why) = rsa::RsaPublicKey::new_with_max_size(n, e, MAX_RSA_MODULUS_BITS) {
                return Err(invalid(format!(
                    "jwks.keys[{i}]: not a valid RSA public key ({why})"
                )));
            }
            false
        }
        "EC" => {
            let curve = string_member(i, key, "crv", kty)?;
            crv = Some(curve);
            let size = match curve {
                "P-256" => 32,
                "P-384" => 48,
                "P-521" => 66,
                other => {
                    return Err(invalid(format!(
                        "{}: unsupported curve {} (P-256, P-384 or P-521)",
                        label("crv"),
                        quoted(other)
                    )));
                }
            };
            let x = coordinate_of_size(i, key, "x", kty, curve, size)?;
            let y = coordinate_of_size(i, key, "y", kty, curve, size)?;
            if curve == "P-256" {
                let mut sec1 = Vec::with_capacity(1 + 2 * size);
                sec1.push(0x04);
                sec1.extend_from_slice(&x);
                sec1.extend_from_slice(&y);
                if p256::PublicKey::from_sec1_bytes(&sec1).is_err() {
                    return Err(invalid(format!(
                        "jwks.keys[{i}]: (x, y) is not a point of P-256"
                    )));
                }
            }
            false
        }
        "OKP" => {
            let curve = string_member(i, key, "crv", kty)?;
            crv = Some(curve);
            let (size, agreement) = match curve {
                "Ed25519" => (32, false),
                "Ed448" => (57, false),
                "X25519" => (32, true),
                "X448" => (56, true),
                other => {
                    return Err(invalid(format!(
                        "{}: unsupported curve {} (Ed25519, Ed448, X25519 or X448)",
                        label("crv"),
                        quoted(other)
                    )));
                }
            };
            let x = coordinate_of_size(i, key, "x", kty, curve, size)?;
            if curve == "Ed25519" {
                let point = <[u8; 32]>::try_from(x.as_slice()).ok();
                // A small-order point verifies forged signatures: refused like a non-point.
                let usable = point
                    .and_then(|p| ed25519_dalek::VerifyingKey::from_bytes(&p).ok())
                    .is_some_and(|key| !key.is_weak());
                if !usable {
                    return Err(invalid(format!(
                        "{}: not an Ed25519 public key",
                        label("x")
                    )));
                }
            }
            agreement
        }
        other => {
            return Err(invalid(format!(
                "{}: unsupported key type {} (RSA, EC or OKP)",
                label("kty"),
                quoted(other)
            )));
        }
    };
    Ok(Material {
        crv,
        agreement_only,
    })
}

/// What a key's `alg` is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
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
fn check_alg(
    i: usize,
    alg: &str,
    kty: &str,
    crv: Option<&str>,
    key_use: Option<&str>,
) -> Result<Option<Purpose>, MetadataError> {
    let label = format!("jwks.keys[{i}].alg");
    if super::algorithms::is_hmac(alg) || super::algorithms::is_symmetric_key_management(alg) {
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
        Purpose::Signature => "sig",
        Purpose::Encryption => "enc",
    };
    if key_use.is_some_and(|u| u != expected_use) {
        return Err(invalid(format!(
            "{label}: {} contradicts use {}",
            quoted(alg),
            quoted(key_use.unwrap_or_default())
        )));
    }
    Ok(Some(purpose))
}

/// `key_ops`: unique known public-key operations, consistent with `use` (RFC 7517 §4.3).
fn key_ops<'a>(
    i: usize,
    key: &'a Map<String, Value>,
    key_use: Option<&str>,
) -> Result<Option<Vec<&'a str>>, MetadataError> {
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
        if (key_use == Some("sig") && !sig) || (key_use == Some("enc") && !enc) {
            return Err(invalid(format!(
                "{label}: {} contradicts use {}",
                quoted(op),
                quoted(key_use.unwrap_or_default())
            )));
        }
        ops.push(op.as_str());
    }
    Ok(Some(ops))
}

/// `x5c` (base64 DER certificates), `x5t` and `x5t#S256` (base64url thumbprints), `x5u` (https).
fn check_certificates(i: usize, key: &Map<String, Value>) -> Result<(), MetadataError> {
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

fn string_member<'a>(
    i: usize,
    key: &'a Map<String, Value>,
    member: &str,
    kty: &str,
) -> Result<&'a str, MetadataError> {
    match key.get(member) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(invalid(format!(
            "jwks.keys[{i}].{member}: must be a string"
        ))),
        None => Err(invalid(format!(
            "jwks.keys[{i}].{member}: required for kty {}",
            quoted(kty)
        ))),
    }
}

/// A required base64url member, decoded.
fn base64url_member(
    i: usize,
    key: &Map<String, Value>,
    member: &str,
    kty: &str,
) -> Result<Vec<u8>, MetadataError> {
    let text = string_member(i, key, member, kty)?;
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| invalid(format!("jwks.keys[{i}].{member}: not base64url")))
}

/// A curve coordinate of exactly `size` bytes (RFC 7518 §6.2.1.2, RFC 8037 §2), decoded.
fn coordinate_of_size(
    i: usize,
    key: &Map<String, Value>,
    member: &str,
    kty: &str,
    crv: &str,
    size: usize,
) -> Result<Vec<u8>, MetadataError> {
    let bytes = base64url_member(i, key, member, kty)?;
    if bytes.len() != size {
        return Err(invalid(format!(
            "jwks.keys[{i}].{member}: {} bytes, {crv} needs {size}",
            bytes.len()
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests;
