//! The key type's own parameters (RFC 7518 §6, RFC 8037 §2): `n`, `e` of an RSA key, `crv`,
//! `x` and `y` of an EC or OKP key, each present and well formed, and for the curves this crate
//! links (P-256, Ed25519) a point of the curve.
//!
//! Knows nothing of `use`, `alg`, `key_ops` or certificates (the `usage` module), nor of the
//! JWK Set around the key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::{KeyParams, invalid};
use crate::metadata::error::MetadataError;
use crate::syntax::quoted;

/// The smallest RSA modulus accepted: 2048 bits (RFC 7518 §3.3, §4.2, §4.3).
const MIN_RSA_MODULUS_BITS: usize = 2048;

/// The largest RSA modulus accepted: 16384 bits, far above any key in use, so that a huge
/// modulus cannot make the server's later operations slow.
const MAX_RSA_MODULUS_BITS: usize = 16384;

/// `n`, `e` of an RSA key; `crv`, `x` (and `y`) of an EC or OKP key: present, well formed for
/// the key type, and (P-256, Ed25519) a point of the curve.
pub(super) fn key_material<'a>(
    i: usize,
    key: &'a Map<String, Value>,
    kty: &str,
) -> Result<KeyParams<'a>, MetadataError> {
    let label = |member: &str| format!("jwks.keys[{i}].{member}");
    let params = match kty {
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
            KeyParams::Rsa {
                n: string_member(i, key, "n", kty)?,
                e: string_member(i, key, "e", kty)?,
            }
        }
        "EC" => {
            let curve = string_member(i, key, "crv", kty)?;
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
            KeyParams::Ec {
                crv: curve,
                x: string_member(i, key, "x", kty)?,
                y: string_member(i, key, "y", kty)?,
            }
        }
        "OKP" => {
            let curve = string_member(i, key, "crv", kty)?;
            let size = match curve {
                "Ed25519" | "X25519" => 32,
                "Ed448" => 57,
                "X448" => 56,
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
            KeyParams::Okp {
                crv: curve,
                x: string_member(i, key, "x", kty)?,
            }
        }
        other => {
            return Err(invalid(format!(
                "{}: unsupported key type {} (RSA, EC or OKP)",
                label("kty"),
                quoted(other)
            )));
        }
    };
    Ok(params)
}

pub(super) fn string_member<'a>(
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
pub(super) fn base64url_member(
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
