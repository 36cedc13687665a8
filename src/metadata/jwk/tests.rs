use super::*;
use crate::metadata::test_support::{
    ed25519_public_jwk, object, p256_public_jwk, rsa_public_jwk, with, without,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

fn b64(len: usize) -> String {
    URL_SAFE_NO_PAD.encode(vec![7u8; len])
}

/// An RSA-2048 public key with `kid` `r`.
fn rsa() -> Value {
    with(rsa_public_jwk(), "kid", json!("r"))
}

/// A P-256 public key with `kid` `e`.
fn ec() -> Value {
    with(p256_public_jwk(), "kid", json!("e"))
}

fn ed() -> Value {
    ed25519_public_jwk()
}

fn check(keys: Value) -> Result<KeySetSummary, MetadataError> {
    check_jwk_set(&object(json!({ "keys": keys })))
}

#[track_caller]
fn rejected(keys: Value, description: &str) {
    let err = check(keys).expect_err("expected an error");
    assert_eq!(err.description(), description);
}

/// KEY-3: each key has the well-formed parameters of its key type.
#[test]
fn public_keys_of_each_type_accepted() {
    let summary = check(json!([rsa(), ec(), ed()])).expect("valid");
    assert!(summary.has_signature_key);
    assert!(!summary.has_certificate);
    for (crv, size) in [("P-384", 48), ("P-521", 66)] {
        check(json!([{"kty": "EC", "crv": crv, "x": b64(size), "y": b64(size)}])).expect(crv);
    }
    for (crv, size) in [("Ed448", 57), ("X25519", 32), ("X448", 56)] {
        check(json!([{"kty": "OKP", "crv": crv, "x": b64(size)}])).expect(crv);
    }
    assert!(check(json!([])).is_ok(), "an empty JWK Set is a JWK Set");
}

/// KEY-2: a JWK Set holds no private or symmetric key material.
#[test]
fn private_members_named() {
    for member in PRIVATE_JWK_MEMBERS {
        rejected(
            json!([ec(), with(rsa(), member, json!("AQAB"))]),
            &format!("jwks.keys[1].{member}: private key material not allowed"),
        );
    }
    rejected(
        json!([{"kty": "oct", "k": "c2VjcmV0"}]),
        "jwks.keys[0].kty: symmetric keys ('oct') not allowed; register public keys only",
    );
}

/// KEY-3: each key has the well-formed parameters of its key type.
/// KEY-4: an RSA key has a modulus of at least 2048 bits.
#[test]
fn key_type_and_parameters() {
    rejected(json!([without(ec(), "kty")]), "jwks.keys[0].kty: required");
    rejected(
        json!([with(ec(), "kty", json!(1))]),
        "jwks.keys[0].kty: must be a string",
    );
    rejected(
        json!([with(ec(), "kty", json!("DSA"))]),
        "jwks.keys[0].kty: unsupported key type 'DSA' (RSA, EC or OKP)",
    );
    rejected(
        json!([without(rsa(), "n")]),
        "jwks.keys[0].n: required for kty 'RSA'",
    );
    rejected(
        json!([with(rsa(), "n", json!("AQAB+"))]),
        "jwks.keys[0].n: not base64url",
    );
    rejected(
        json!([with(rsa(), "e", json!("AQAB=="))]),
        "jwks.keys[0].e: not base64url",
    );
    rejected(
        json!([with(
            rsa(),
            "n",
            json!(URL_SAFE_NO_PAD.encode([0xc5u8; 128]))
        )]),
        "jwks.keys[0].n: RSA modulus of 1024 bits, at least 2048 required",
    );
    // 256 bytes, but a leading zero byte: 2040 bits.
    let mut short = [0xc5u8; 256];
    short[0] = 0;
    rejected(
        json!([with(rsa(), "n", json!(URL_SAFE_NO_PAD.encode(short)))]),
        "jwks.keys[0].n: RSA modulus of 2040 bits, at least 2048 required",
    );
    rejected(
        json!([with(rsa(), "e", json!(""))]),
        "jwks.keys[0]: not a valid RSA public key (invalid exponent)",
    );
    rejected(
        json!([with(rsa(), "e", json!("AQ"))]),
        "jwks.keys[0]: not a valid RSA public key (public exponent too small)",
    );
    let mut even = [0xc5u8; 256];
    even[255] = 0xc4;
    rejected(
        json!([with(rsa(), "n", json!(URL_SAFE_NO_PAD.encode(even)))]),
        "jwks.keys[0]: not a valid RSA public key (invalid modulus)",
    );
    rejected(
        json!([with(
            rsa(),
            "n",
            json!(URL_SAFE_NO_PAD.encode([0xc5u8; 2049]))
        )]),
        "jwks.keys[0]: not a valid RSA public key (modulus too large)",
    );
    rejected(
        json!([ec(), with(ec(), "x", json!("a/b"))]),
        "jwks.keys[1].x: not base64url",
    );
    rejected(
        json!([with(ec(), "y", json!(b64(31)))]),
        "jwks.keys[0].y: 31 bytes, P-256 needs 32",
    );
    rejected(
        json!([with(ec(), "crv", json!("secp256k1"))]),
        "jwks.keys[0].crv: unsupported curve 'secp256k1' (P-256, P-384 or P-521)",
    );
    rejected(
        json!([without(ec(), "y")]),
        "jwks.keys[0].y: required for kty 'EC'",
    );
    rejected(
        json!([with(ed(), "crv", json!("P-256"))]),
        "jwks.keys[0].crv: unsupported curve 'P-256' (Ed25519, Ed448, X25519 or X448)",
    );
    rejected(
        json!([with(ed(), "x", json!(b64(57)))]),
        "jwks.keys[0].x: 57 bytes, Ed25519 needs 32",
    );
    rejected(
        json!([with(ec(), "kid", json!(5))]),
        "jwks.keys[0].kid: must be a string",
    );
    rejected(
        json!([with(ec(), "alg", json!(["ES256"]))]),
        "jwks.keys[0].alg: must be a string",
    );
}

/// KEY-6: `use` and `key_ops` are known values of a public key, and consistent with each other.
#[test]
fn use_and_key_ops_consistent() {
    check(json!([
        with(ec(), "use", json!("sig")),
        with(rsa(), "use", json!("enc"))
    ]))
    .expect("valid uses");
    rejected(
        json!([with(ec(), "use", json!("signing"))]),
        "jwks.keys[0].use: 'signing' is not 'sig' or 'enc'",
    );
    let key = with(
        with(ec(), "use", json!("sig")),
        "key_ops",
        json!(["verify"]),
    );
    check(json!([key])).expect("consistent");
    let key = with(
        with(rsa(), "use", json!("enc")),
        "key_ops",
        json!(["verify"]),
    );
    rejected(
        json!([key]),
        "jwks.keys[0].key_ops[0]: 'verify' contradicts use 'enc'",
    );
    rejected(
        json!([with(ec(), "key_ops", json!(["verify", "verify"]))]),
        "jwks.keys[0].key_ops[1]: duplicate 'verify'",
    );
    rejected(
        json!([with(ec(), "key_ops", json!(["sign"]))]),
        "jwks.keys[0].key_ops[0]: 'sign' needs the private key; register public keys only",
    );
    rejected(
        json!([with(ec(), "key_ops", json!(["fly"]))]),
        "jwks.keys[0].key_ops[0]: unknown key operation 'fly'",
    );
    rejected(
        json!([with(ec(), "key_ops", json!("verify"))]),
        "jwks.keys[0].key_ops: must be an array of strings",
    );
}

/// KEY-8: a key's `alg`, when known, fits its key type, curve and `use`, and is never symmetric.
#[test]
fn alg_fits_the_key() {
    check(json!([
        with(rsa(), "alg", json!("PS256")),
        with(ec(), "alg", json!("ES256")),
        with(ed(), "alg", json!("EdDSA")),
        with(with(rsa(), "alg", json!("RSA-OAEP")), "kid", json!("r2")),
        {"kty": "OKP", "crv": "X25519", "x": b64(32), "alg": "ECDH-ES+A128KW"},
        with(with(ec(), "alg", json!("XYZ-unknown")), "kid", json!("e2")),
    ]))
    .expect("fitting algorithms");
    rejected(
        json!([with(rsa(), "alg", json!("ES256"))]),
        "jwks.keys[0].alg: 'ES256' does not fit kty 'RSA'",
    );
    rejected(
        json!([with(ec(), "alg", json!("ES384"))]),
        "jwks.keys[0].alg: 'ES384' does not fit kty 'EC' with crv 'P-256'",
    );
    rejected(
        json!([with(ec(), "alg", json!("HS256"))]),
        "jwks.keys[0].alg: 'HS256' is a symmetric algorithm; register public keys only",
    );
    rejected(
        json!([with(
            with(rsa(), "alg", json!("RSA-OAEP")),
            "use",
            json!("sig")
        )]),
        "jwks.keys[0].alg: 'RSA-OAEP' contradicts use 'sig'",
    );
    let encryption_only = with(rsa(), "alg", json!("RSA-OAEP-256"));
    assert!(
        !check(json!([encryption_only]))
            .expect("valid")
            .has_signature_key
    );
}

/// KEY-5: P-256 and Ed25519 keys are points of their curve; small-order Ed25519 points are refused.
#[test]
fn points_on_the_curve() {
    // Right lengths, but not a point: y of a real key with its last byte changed.
    let mut y = URL_SAFE_NO_PAD
        .decode(ec()["y"].as_str().expect("y"))
        .expect("base64url");
    y[31] ^= 1;
    rejected(
        json!([with(ec(), "y", json!(URL_SAFE_NO_PAD.encode(&y)))]),
        "jwks.keys[0]: (x, y) is not a point of P-256",
    );
    // A y coordinate whose x has no square root mod p: not an Edwards point.
    let not_a_point = (0u8..=255)
        .map(|b| [b; 32])
        .find(|p| ed25519_dalek::VerifyingKey::from_bytes(p).is_err())
        .expect("some byte pattern is not a point");
    rejected(
        json!([with(ed(), "x", json!(URL_SAFE_NO_PAD.encode(not_a_point)))]),
        "jwks.keys[0].x: not an Ed25519 public key",
    );
}

/// KEY-7: keys of one key type have distinct `kid`s.
#[test]
fn kid_unique_per_key_type() {
    rejected(
        json!([ec(), rsa(), with(ec(), "use", json!("sig"))]),
        "jwks.keys[2].kid: 'e' already used by jwks.keys[0], a key of the same type",
    );
    // RFC 7517 §4.5: keys of different types may share a kid.
    check(json!([ec(), rsa(), with(ed(), "kid", json!("e"))])).expect("distinct types");
}

/// KEY-5: P-256 and Ed25519 keys are points of their curve; small-order Ed25519 points are refused.
#[test]
fn small_order_ed25519_point_refused() {
    // The neutral element (y = 1): a valid encoding that verifies forged signatures.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    rejected(
        json!([{"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(identity)}]),
        "jwks.keys[0].x: not an Ed25519 public key",
    );
}

/// VAL-18: a `private_key_jwt` client registers `jwks` (with a signature key) or `jwks_uri`.
#[test]
fn signature_key_detected() {
    let enc_only = json!([
        with(rsa(), "use", json!("enc")),
        {"kty": "OKP", "crv": "X25519", "x": b64(32)},
        with(ec(), "key_ops", json!(["deriveKey"])),
    ]);
    assert!(!check(enc_only).expect("valid").has_signature_key);
    assert!(
        check(json!([with(ec(), "use", json!("sig"))]))
            .expect("valid")
            .has_signature_key
    );
}

/// KEY-9: `x5c`, `x5t`, `x5t#S256` and `x5u` are well formed.
#[test]
fn certificates() {
    let summary =
        check(json!([with(ec(), "x5c", json!(["MIIBAA==", "AQID"]))])).expect("valid x5c");
    assert!(summary.has_certificate);
    rejected(
        json!([with(ec(), "x5c", json!(["MIIB_-"]))]),
        "jwks.keys[0].x5c[0]: not a base64 (RFC 4648 section 4) certificate",
    );
    rejected(
        json!([with(ec(), "x5c", json!([]))]),
        "jwks.keys[0].x5c: must not be empty",
    );
    rejected(
        json!([with(ec(), "x5t#S256", json!(b64(20)))]),
        "jwks.keys[0].x5t#S256: 20 bytes, a thumbprint has 32",
    );
    rejected(
        json!([with(ec(), "x5u", json!("http://rp.example.org/c.pem"))]),
        "jwks.keys[0].x5u: must be an https URL",
    );
}
