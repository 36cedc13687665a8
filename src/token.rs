//! The registration access token: a signed JWT (as MitreID issues it) whose SHA-256 hash is
//! what the store keeps, so that deleting or rotating a registration revokes the token.
//!
//! Verification pins the algorithm and key from the configuration (the token header's `alg`
//! is never trusted), requires `aud` to equal the client the request addresses and `iss` to be
//! this server, and the caller then compares the token's hash with the stored one in constant time.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::ConfigError;
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
        use rsa::pkcs1::DecodeRsaPrivateKey;
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
            encoding: EncodingKey::from_rsa_pem(private_pem)
                .map_err(|e| key_error("RSA private key PEM", e))?,
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
        let public = key.verifying_key().to_bytes();
        Ok(Self {
            algorithm: TokenAlgorithm::EdDSA,
            encoding: EncodingKey::from_ed_pem(private_pem)
                .map_err(|e| key_error("Ed25519 private key PEM", e))?,
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

/// The one claim verification reads; `iss` is checked by `jsonwebtoken` itself.
#[derive(Deserialize)]
struct Audience {
    aud: String,
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
    validation: Validation,
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
        let mut validation = Validation::new(key.algorithm.jwt());
        // The seed's tokens carry no `exp`; `aud` is compared below against the path's client_id.
        validation.set_required_spec_claims(&["iss", "aud"]);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.set_issuer(&[issuer.as_str()]);
        let service = Self {
            key,
            issuer,
            header,
            validation,
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
        jsonwebtoken::encode(&self.header, &claims, &self.key.encoding)
            .map(Secret::new)
            .map_err(|e| key_error("signing a registration access token", e))
    }

    /// Whether `token` carries a valid signature by our key, our issuer and `aud == client_id`.
    /// The caller must still compare its hash with the stored one.
    pub fn verify(&self, token: &str, client_id: &str) -> bool {
        match jsonwebtoken::decode::<Audience>(token, &self.key.decoding, &self.validation) {
            Ok(data) => data.claims.aud == client_id,
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "https://iam.example.org/";

    fn key(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn service(key: SigningKey) -> RegistrationTokens {
        RegistrationTokens::new(key, ISSUER.to_owned()).expect("token service")
    }

    fn all_keys() -> Vec<SigningKey> {
        vec![
            SigningKey::hs256(&[7u8; 32]).expect("hs256"),
            SigningKey::rs256_pem(&key("rsa2048.pem")).expect("rs256 pkcs8"),
            SigningKey::rs256_pem(&key("rsa-pkcs1.pem")).expect("rs256 pkcs1"),
            SigningKey::es256_pem(&key("p256.pem")).expect("es256 pkcs8"),
            SigningKey::es256_pem(&key("p256-sec1.pem")).expect("es256 sec1"),
            SigningKey::ed25519_pem(&key("ed25519.pem")).expect("ed25519"),
        ]
    }

    fn b64_json(part: &str) -> serde_json::Value {
        let bytes = URL_SAFE_NO_PAD.decode(part).expect("base64url");
        serde_json::from_slice(&bytes).expect("json")
    }

    #[test]
    fn every_algorithm_issues_a_seed_shaped_token_that_verifies() {
        for key in all_keys() {
            let alg = key.algorithm();
            let kid = key.kid().to_owned();
            let tokens = service(key);
            let token = tokens.issue("client-1", 1_507_223_860).expect("issue");
            let parts: Vec<&str> = token.expose().split('.').collect();
            assert_eq!(parts.len(), 3, "{alg:?}");
            let header = b64_json(parts[0]);
            assert_eq!(header["alg"], alg.as_str());
            assert_eq!(header["kid"], kid.as_str());
            assert!(header.get("typ").is_none(), "seed tokens carry no typ");
            let claims = b64_json(parts[1]);
            assert_eq!(claims["aud"], "client-1");
            assert_eq!(claims["iss"], ISSUER);
            assert_eq!(claims["iat"], 1_507_223_860);
            assert!(uuid::Uuid::parse_str(claims["jti"].as_str().expect("jti")).is_ok());
            assert!(claims.get("exp").is_none());
            assert!(tokens.verify(token.expose(), "client-1"), "{alg:?}");
            assert!(!tokens.verify(token.expose(), "client-2"), "{alg:?}: aud");
        }
    }

    #[test]
    fn from_pem_detects_the_key_type() {
        let cases = [
            ("rsa2048.pem", TokenAlgorithm::RS256),
            ("p256.pem", TokenAlgorithm::ES256),
            ("ed25519.pem", TokenAlgorithm::EdDSA),
        ];
        for (file, alg) in cases {
            assert_eq!(
                SigningKey::from_pem(&key(file)).expect(file).algorithm(),
                alg
            );
        }
        assert!(SigningKey::from_pem(b"not a key").is_err());
        let weak = SigningKey::from_pem(&key("rsa1024.pem")).expect_err("1024-bit RSA");
        assert!(weak.to_string().contains("1024 bits"), "{weak}");
    }

    #[test]
    fn weak_keys_are_refused() {
        assert!(SigningKey::hs256(&[1u8; 31]).is_err());
        let err = SigningKey::rs256_pem(&key("rsa1024.pem")).expect_err("1024-bit RSA");
        assert!(err.to_string().contains("2048"), "{err}");
    }

    #[test]
    fn alg_none_token_is_refused() {
        let tokens = service(SigningKey::hs256(&[7u8; 32]).expect("hs256"));
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let claims = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"aud":"c","iss":"{ISSUER}","iat":1,"jti":"x"}}"#
        ));
        assert!(!tokens.verify(&format!("{header}.{claims}."), "c"));
    }

    #[test]
    fn hs256_token_signed_with_the_public_key_is_refused() {
        // Algorithm confusion: an attacker signs HS256 with the RSA public key as the secret.
        let rsa = SigningKey::rs256_pem(&key("rsa2048.pem")).expect("rs256");
        let tokens = service(rsa);
        let public_pem = {
            use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
            let text = String::from_utf8(key("rsa2048.pem")).expect("utf8");
            let private = rsa::RsaPrivateKey::from_pkcs8_pem(&text).expect("pem");
            private
                .to_public_key()
                .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
                .expect("public pem")
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("x".into());
        let claims = Claims {
            aud: "c",
            iss: ISSUER,
            iat: 1,
            jti: "j",
        };
        let forged = jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_secret(public_pem.as_bytes()),
        )
        .expect("encode");
        assert!(!tokens.verify(&forged, "c"));
    }

    #[test]
    fn edited_audience_or_foreign_issuer_is_refused() {
        let tokens = service(SigningKey::hs256(&[7u8; 32]).expect("hs256"));
        let token = tokens.issue("client-a", 1).expect("issue");
        let parts: Vec<&str> = token.expose().split('.').collect();
        let edited = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"aud":"client-b","iss":"{ISSUER}","iat":1,"jti":"x"}}"#
        ));
        let forged = format!("{}.{}.{}", parts[0], edited, parts[2]);
        assert!(!tokens.verify(&forged, "client-b"));

        let other = RegistrationTokens::new(
            SigningKey::hs256(&[7u8; 32]).expect("hs256"),
            "https://other.example/".into(),
        )
        .expect("other issuer");
        let foreign = other.issue("client-a", 1).expect("issue");
        assert!(!tokens.verify(foreign.expose(), "client-a"));
    }

    #[test]
    fn token_hash_is_sha256_and_compares_in_constant_time() {
        let h = CredentialHash::of("abc");
        assert_eq!(
            URL_SAFE_NO_PAD.encode(h.0),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
        assert!(h.ct_eq(&CredentialHash::of("abc")));
        assert!(!h.ct_eq(&CredentialHash::of("abd")));
    }
}
