//! The registration access token: a signed JWT (as MitreID issues it) whose SHA-256 hash is
//! what the store keeps, so that deleting or rotating a registration revokes the token.
//!
//! Verification pins the algorithm and key from the configuration (the token header's `alg`
//! is never trusted), requires `aud` to equal the client the request addresses and `iss` to be
//! this server, and the caller then compares the token's hash with the stored one in constant time.
//!
//! It knows keys and claims, not clients: whether a token is the client's current one is the
//! registry's check against the store.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::ConfigError;
use crate::jws;
use crate::secret::Secret;

/// The JWS algorithm that signs registration access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenAlgorithm {
    /// HMAC with SHA-256 and a 256-bit (or longer) secret: the fastest to sign and verify,
    /// and enough here since this server is the only one that verifies its tokens. The default.
    HS256,
    /// RSASSA-PKCS1-v1_5 with SHA-256: what MitreID and INDIGO IAM use; the slowest to sign.
    RS256,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// Ed25519.
    EdDSA,
}

impl TokenAlgorithm {
    fn jwt(self) -> Algorithm {
        match self {
            Self::HS256 => Algorithm::HS256,
            Self::RS256 => Algorithm::RS256,
            Self::ES256 => Algorithm::ES256,
            Self::EdDSA => Algorithm::EdDSA,
        }
    }

    /// The JWS `alg` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HS256 => "HS256",
            Self::RS256 => "RS256",
            Self::ES256 => "ES256",
            Self::EdDSA => "EdDSA",
        }
    }
}

/// The key that signs and verifies registration access tokens, parsed once at configuration time.
#[derive(Clone)]
pub struct SigningKey {
    algorithm: TokenAlgorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn key_error(what: &str, err: impl fmt::Display) -> ConfigError {
    ConfigError::SigningKey(format!("{what}: {err}"))
}

/// A key id derived from public material: the first 12 bytes of its SHA-256, base64url.
fn derive_kid(prefix: &str, material: &[u8]) -> String {
    let digest = Sha256::digest(material);
    format!("{prefix}-{}", URL_SAFE_NO_PAD.encode(&digest[..12]))
}

impl SigningKey {
    /// A fresh HS256 key of 256 bits from the OS RNG. Tokens signed with it stop verifying
    /// when the process restarts: give a fixed key to keep them valid.
    pub fn generate() -> Result<Self, ConfigError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| key_error("OS random number generator", e))?;
        Self::hs256(&secret)
    }

    /// An HS256 key. The secret must be at least 32 bytes (RFC 7518 §3.2).
    pub fn hs256(secret: &[u8]) -> Result<Self, ConfigError> {
        if secret.len() < 32 {
            return Err(ConfigError::SigningKey(format!(
                "HS256 secret is {} bytes; at least 32 are required",
                secret.len()
            )));
        }
        // The kid of a symmetric key must reveal nothing of it: hash a domain-separated copy.
        let kid = derive_kid(
            "hs",
            &[b"tower-oidc-registration kid".as_slice(), secret].concat(),
        );
        Ok(Self {
            algorithm: TokenAlgorithm::HS256,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            kid,
        })
    }

    /// An RS256 key from a PEM RSA private key (PKCS#1 or PKCS#8).
    pub fn rs256_pem(private_pem: &[u8]) -> Result<Self, ConfigError> {
        use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
        use rsa::pkcs8::DecodePrivateKey;
        use rsa::traits::PublicKeyParts;
        let text = std::str::from_utf8(private_pem).map_err(|e| key_error("RSA PEM", e))?;
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(text)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(text))
            .map_err(|e| key_error("RSA private key PEM", e))?;
        if key.size() < 256 {
            return Err(ConfigError::SigningKey(format!(
                "RSA key is {} bits; at least 2048 are required",
                key.size() * 8
            )));
        }
        let n = key.n().to_bytes_be();
        let e = key.e().to_bytes_be();
        Ok(Self {
            algorithm: TokenAlgorithm::RS256,
            encoding: EncodingKey::from_rsa_der(
                key.to_pkcs1_der()
                    .map_err(|e| key_error("RSA private key", e))?
                    .as_bytes(),
            ),
            decoding: DecodingKey::from_rsa_raw_components(&n, &e),
            kid: derive_kid("rsa", &n),
        })
    }

    /// An ES256 key from a PEM P-256 private key (PKCS#8 or SEC1).
    pub fn es256_pem(private_pem: &[u8]) -> Result<Self, ConfigError> {
        use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
        let text = std::str::from_utf8(private_pem).map_err(|e| key_error("EC PEM", e))?;
        let key = p256::SecretKey::from_pkcs8_pem(text)
            .or_else(|_| p256::SecretKey::from_sec1_pem(text))
            .map_err(|e| key_error("P-256 private key PEM", e))?;
        let point = p256::EncodedPoint::from(key.public_key());
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(ConfigError::SigningKey(
                "P-256 public key is not affine".into(),
            ));
        };
        let pkcs8 = key
            .to_pkcs8_der()
            .map_err(|e| key_error("P-256 private key", e))?;
        Ok(Self {
            algorithm: TokenAlgorithm::ES256,
            encoding: EncodingKey::from_ec_der(pkcs8.as_bytes()),
            decoding: DecodingKey::from_ec_components(
                &URL_SAFE_NO_PAD.encode(x),
                &URL_SAFE_NO_PAD.encode(y),
            )
            .map_err(|e| key_error("P-256 public key", e))?,
            kid: derive_kid("ec", point.as_bytes()),
        })
    }

    /// An EdDSA key from a PEM Ed25519 private key (PKCS#8).
    pub fn ed25519_pem(private_pem: &[u8]) -> Result<Self, ConfigError> {
        use ed25519_dalek::pkcs8::DecodePrivateKey;
        let text = std::str::from_utf8(private_pem).map_err(|e| key_error("Ed25519 PEM", e))?;
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(text)
            .map_err(|e| key_error("Ed25519 private key PEM", e))?;
        let (_, pkcs8) = ed25519_dalek::pkcs8::Document::from_pem(text)
            .map_err(|e| key_error("Ed25519 private key PEM", e))?;
        let public = key.verifying_key().to_bytes();
        Ok(Self {
            algorithm: TokenAlgorithm::EdDSA,
            // The PKCS#8 document as the PEM holds it: what every signing backend reads.
            encoding: EncodingKey::from_ed_der(pkcs8.as_bytes()),
            decoding: DecodingKey::from_ed_components(&URL_SAFE_NO_PAD.encode(public))
                .map_err(|e| key_error("Ed25519 public key", e))?,
            kid: derive_kid("ed", &public),
        })
    }

    /// A key from a PEM private key of any supported type: RSA (RS256), P-256 (ES256) or
    /// Ed25519 (EdDSA). The error of a key of a known type says what is wrong with it.
    pub fn from_pem(private_pem: &[u8]) -> Result<Self, ConfigError> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        let text = std::str::from_utf8(private_pem).map_err(|e| key_error("PEM", e))?;
        if rsa::RsaPrivateKey::from_pkcs8_pem(text).is_ok()
            || rsa::RsaPrivateKey::from_pkcs1_pem(text).is_ok()
        {
            Self::rs256_pem(private_pem)
        } else if p256::SecretKey::from_pkcs8_pem(text).is_ok()
            || p256::SecretKey::from_sec1_pem(text).is_ok()
        {
            Self::es256_pem(private_pem)
        } else if ed25519_dalek::SigningKey::from_pkcs8_pem(text).is_ok() {
            Self::ed25519_pem(private_pem)
        } else {
            Err(ConfigError::SigningKey(
                "not a PEM RSA, P-256 or Ed25519 private key (PKCS#8, PKCS#1 or SEC1)".into(),
            ))
        }
    }

    /// Replaces the `kid` header value (by default derived from the public key).
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = kid.into();
        self
    }

    /// The signing algorithm.
    pub fn algorithm(&self) -> TokenAlgorithm {
        self.algorithm
    }

    /// The `kid` header value of issued tokens.
    pub fn kid(&self) -> &str {
        &self.kid
    }
}

/// The SHA-256 of a registration access token: what the store keeps instead of the token.
/// Compare with [`ct_eq`](Self::ct_eq); there is deliberately no `==`.
#[derive(Clone, Copy)]
pub struct CredentialHash([u8; 32]);

impl CredentialHash {
    /// Hashes a token.
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// A hash as a store kept it ([`as_bytes`](Self::as_bytes)).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes of the hash, for a store to keep.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Compares two hashes in constant time.
    pub fn ct_eq(&self, other: &CredentialHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for CredentialHash {
    // Not even a prefix: the hash of a low-entropy static initial access token would let it
    // be guessed offline, and a store's hashes are what a leaked store must not reveal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialHash([redacted])")
    }
}

/// The claims verification reads; both must be present.
#[derive(Deserialize)]
struct Audience {
    aud: String,
    iss: String,
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    iss: &'a str,
    iat: u64,
    jti: &'a str,
}

/// Issues registration access tokens and checks their signature, for one issuer with one key.
///
/// A valid signature
/// is not enough to accept a token: the registry also compares the token's hash with the
/// stored one, which is what makes deleted and rotated tokens fail.
#[derive(Clone)]
pub struct RegistrationTokens {
    key: SigningKey,
    issuer: String,
    header: Header,
}

impl fmt::Debug for RegistrationTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrationTokens")
            .field("issuer", &self.issuer)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl RegistrationTokens {
    /// Tokens signed with `key`, with `iss` = `issuer`. Signs and verifies once, so that a
    /// broken key fails here and never at a request.
    pub fn new(key: SigningKey, issuer: String) -> Result<Self, ConfigError> {
        let mut header = Header::new(key.algorithm.jwt());
        header.typ = None;
        header.kid = Some(key.kid.clone());
        let service = Self {
            key,
            issuer,
            header,
        };
        let probe = service.issue("configuration-check", 0)?;
        if !service.verify(probe.expose(), "configuration-check") {
            return Err(ConfigError::SigningKey(
                "a token signed with the key does not verify with it".into(),
            ));
        }
        Ok(service)
    }

    /// The signing algorithm.
    pub fn algorithm(&self) -> TokenAlgorithm {
        self.key.algorithm
    }

    /// A new token for `client_id`, issued at `iat` (seconds since the epoch).
    pub fn issue(&self, client_id: &str, iat: u64) -> Result<Secret, ConfigError> {
        let jti = uuid::Uuid::new_v4().to_string();
        let claims = Claims {
            aud: client_id,
            iss: &self.issuer,
            iat,
            jti: &jti,
        };
        jws::sign(&self.header, &claims, &self.key.encoding)
            .map(Secret::new)
            .map_err(|e| key_error("signing a registration access token", e))
    }

    /// Whether `token` carries a valid signature by our key, our issuer and `aud == client_id`.
    /// The caller must still compare its hash with the stored one.
    /// The seed's tokens carry no `exp`: a token lives as long as its hash is the stored one.
    pub fn verify(&self, token: &str, client_id: &str) -> bool {
        match jws::verify::<Audience>(token, self.key.algorithm.jwt(), &self.key.decoding) {
            Ok(claims) => claims.iss == self.issuer && claims.aud == client_id,
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests;
