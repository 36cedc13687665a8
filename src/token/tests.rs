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

/// MGT-24: registration access tokens cannot be guessed and are kept like bearer credentials.
/// MGT-25: a registration access token does not expire while its client lives.
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

/// MGT-7: an invalid registration access token is 401 `invalid_token` on read, update and delete.
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

/// MGT-7: an invalid registration access token is 401 `invalid_token` on read, update and delete.
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

/// MGT-24: registration access tokens cannot be guessed and are kept like bearer credentials.
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

#[test]
fn debug_of_a_hash_names_it_and_shows_none_of_it() {
    // Logged records and errors print hashes: they must say what they are, never their bytes.
    let h = CredentialHash::of("abc");
    assert_eq!(format!("{h:?}"), "CredentialHash([redacted])");
}

#[test]
fn debug_of_the_signer_shows_no_key_material() {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    let secret = [0x5au8; 32];
    let tokens = service(SigningKey::hs256(&secret).expect("hs256"));
    let shown = format!("{tokens:?}");
    assert!(shown.contains("RegistrationTokens"), "{shown}");
    for needle in [
        URL_SAFE_NO_PAD.encode(secret),
        STANDARD.encode(secret),
        format!("{:?}", &secret[..8]),
        "5a5a5a5a".to_owned(),
    ] {
        assert!(!shown.contains(&needle), "{shown} shows {needle}");
    }
}

#[test]
fn key_ids_are_stable_per_key_and_differ_between_keys() {
    // A verifier picks the key by `kid` after a rotation: the same key must get the same kid
    // in every process (tokens outlive restarts), and two keys never share one.
    let keys = || {
        [
            SigningKey::hs256(&[7u8; 32]).expect("hs256"),
            SigningKey::hs256(&[8u8; 32]).expect("hs256"),
            SigningKey::rs256_pem(&key("rsa2048.pem")).expect("rs256"),
            SigningKey::es256_pem(&key("p256.pem")).expect("es256"),
            SigningKey::ed25519_pem(&key("ed25519.pem")).expect("ed25519"),
        ]
    };
    let kids: Vec<String> = keys().iter().map(|k| k.kid().to_owned()).collect();
    let again: Vec<String> = keys().iter().map(|k| k.kid().to_owned()).collect();
    assert_eq!(kids, again);
    for (i, kid) in kids.iter().enumerate() {
        assert!(!kids[..i].contains(kid), "{kid} shared by two keys");
    }
    for (kid, prefix) in kids.iter().zip(["hs-", "hs-", "rsa-", "ec-", "ed-"]) {
        let digest = kid.strip_prefix(prefix).unwrap_or_else(|| panic!("{kid}"));
        assert_eq!(digest.len(), 16, "{kid}: 12 bytes of SHA-256, base64url");
    }
}
