//! JWS compact serialization (RFC 7515 §7.1), signed and verified with `jsonwebtoken`'s
//! RustCrypto backend named explicitly.
//!
//! `jsonwebtoken`'s own `encode` and `decode` use the process-wide default provider, which the
//! host's dependency graph decides: with both of its backends enabled (a host that signs its
//! own tokens with `aws_lc_rs`, say), that default cannot be inferred and panics on first use.
//! Naming the backend here makes this crate work whatever the host enables, and leaves the
//! process default to the host.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a JWS was not produced or not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum JwsError {
    /// Not three base64url parts, or a header that is not a JOSE header this crate reads.
    #[error("not a compact JWS")]
    Malformed,
    /// The header names another algorithm than the key's.
    #[error("unexpected algorithm")]
    Algorithm,
    /// The signature does not verify with the key.
    #[error("invalid signature")]
    Signature,
    /// The payload is not the JSON expected.
    #[error("invalid payload: {0}")]
    Payload(String),
    /// The key cannot sign or verify with the algorithm.
    #[error("key: {0}")]
    Key(String),
}

/// `header` and `claims` signed with `key`, as `header.payload.signature`.
pub(crate) fn sign(
    header: &Header,
    claims: &impl Serialize,
    key: &EncodingKey,
) -> Result<String, JwsError> {
    let message = format!("{}.{}", encode_part(header)?, encode_part(claims)?);
    let signer = (DEFAULT_PROVIDER.signer_factory)(&header.alg, key)
        .map_err(|e| JwsError::Key(e.to_string()))?;
    let signature = signer
        .try_sign(message.as_bytes())
        .map_err(|e| JwsError::Key(e.to_string()))?;
    Ok(format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// The payload of `token`, deserialized, if its header names `algorithm` and its signature
/// verifies with `key`. Nothing of the payload is read before the signature is checked.
pub(crate) fn verify<T: DeserializeOwned>(
    token: &str,
    algorithm: Algorithm,
    key: &DecodingKey,
) -> Result<T, JwsError> {
    // The signing input is the first two parts as they were sent (RFC 7515 §5.2).
    let (signing_input, signature) = token.rsplit_once('.').ok_or(JwsError::Malformed)?;
    let (header, payload) = signing_input.split_once('.').ok_or(JwsError::Malformed)?;
    if payload.contains('.') {
        return Err(JwsError::Malformed);
    }
    let header: Header = decode_part(header).map_err(|_| JwsError::Malformed)?;
    if header.alg != algorithm {
        return Err(JwsError::Algorithm);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JwsError::Malformed)?;
    let verifier = (DEFAULT_PROVIDER.verifier_factory)(&algorithm, key)
        .map_err(|e| JwsError::Key(e.to_string()))?;
    verifier
        .verify(signing_input.as_bytes(), &signature)
        .map_err(|_| JwsError::Signature)?;
    decode_part(payload).map_err(|e| JwsError::Payload(e.to_string()))
}

fn encode_part(value: &impl Serialize) -> Result<String, JwsError> {
    let json = serde_json::to_vec(value).map_err(|e| JwsError::Payload(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

fn decode_part<T: DeserializeOwned>(part: &str) -> Result<T, Box<dyn std::error::Error>> {
    let json = URL_SAFE_NO_PAD.decode(part)?;
    Ok(serde_json::from_slice(&json)?)
}

#[cfg(test)]
mod tests;
