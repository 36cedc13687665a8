//! Attacks on registration access tokens, each refused.
//!
//! A token is accepted only if (1) its signature verifies with the configured key and
//! algorithm (the header's `alg` is never trusted), its `iss` is this server and its `aud` is
//! the addressed client ([`RegistrationTokens::verify`]), and (2) its SHA-256 equals, compared
//! in constant time, the hash stored for that client. Each attack below is checked against the
//! defence that stops it first, through the crate-private token signer (`__fuzz::RegistrationTokens`, the
//! `fuzzing` feature), so that the test
//! fails if that defence is removed even though the other would still stop the attack over
//! HTTP; and end to end over the layer (401 `invalid_token`, nothing changed).
//!
//! Covered elsewhere, not repeated here:
//! - `alg: none` copy of a real token and a tampered signature on GET:
//!   `tests/http/management.rs::garbage_token_is_invalid_token`; `alg: none` and HS256
//!   signed with the RSA public key against `verify`: `src/token.rs` unit tests
//!   `alg_none_token_is_refused`, `hs256_token_signed_with_the_public_key_is_refused`;
//! - another client's token and another server's token on GET:
//!   `management.rs::other_clients_token_is_401`, `token_of_another_server_is_401`;
//!   an edited `aud` and a foreign `iss` against `verify`:
//!   `src/token.rs::edited_audience_or_foreign_issuer_is_refused`;
//! - a rotated token: `management.rs::rotated_token_replaces_the_old_one`; a deleted
//!   client's token: `management.rs::deleted_client_token_is_dead`;
//! - expired, revoked and used-up initial access tokens: `tests/host/protected.rs`
//!   (`an_expired_token_is_invalid`, `a_revoked_token_is_invalid`, ...); registration access
//!   tokens carry no `exp` (as MitreID's), they end with rotation or deletion;
//! - a registration access token presented as an initial access token:
//!   `tests/host/events.rs::lifecycle`.

use crate::common;

use crate::common::faulty_store::FaultyStore;
use crate::common::{App, Client, ISSUER, Resp, assert_invalid_token, min, update_body};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::StatusCode;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tower_oidc_registration::__fuzz::RegistrationTokens;
use tower_oidc_registration::{
    ClientStore, CredentialHash, Secret, SigningKey, StoredSecret, TokenAlgorithm, TokenRotation,
};

const HS256_SECRET: &[u8; 32] = b"attacks-test-hs256-secret-32-by!";

fn pem(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The PKCS#8 document of a PEM private key file.
fn pkcs8_der(name: &str) -> Vec<u8> {
    let text = String::from_utf8(pem(name)).expect("PEM");
    let (_, document) = p256::pkcs8::Document::from_pem(&text).expect("PKCS#8 PEM");
    document.as_bytes().to_vec()
}

fn key(alg: TokenAlgorithm) -> SigningKey {
    match alg {
        TokenAlgorithm::HS256 => SigningKey::hs256(HS256_SECRET).expect("hs256"),
        TokenAlgorithm::RS256 => SigningKey::rs256_pem(&pem("rsa2048.pem")).expect("rs256"),
        TokenAlgorithm::ES256 => SigningKey::es256_pem(&pem("p256.pem")).expect("es256"),
        TokenAlgorithm::EdDSA => SigningKey::ed25519_pem(&pem("ed25519.pem")).expect("eddsa"),
        other => panic!("no test key for {other:?}"),
    }
}

const ALGORITHMS: [TokenAlgorithm; 4] = [
    TokenAlgorithm::HS256,
    TokenAlgorithm::RS256,
    TokenAlgorithm::ES256,
    TokenAlgorithm::EdDSA,
];

/// The layer signing with `alg`, and a verifier with the same key and issuer.
fn server(alg: TokenAlgorithm) -> (App, RegistrationTokens) {
    let app = App::with(|b| b.signing_key(key(alg)));
    let tokens = RegistrationTokens::new(key(alg), ISSUER.to_owned()).expect("tokens");
    (app, tokens)
}

/// The JSON of a base64url segment of a JWT.
fn segment(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).expect("JWT segment");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Every management request with `token` on `client` is 401 `invalid_token`, and the client
/// is unchanged afterwards (read with its real token).
async fn assert_refused_everywhere(app: &App, client: &Client, token: &str) {
    let before = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text());
    let renamed = update_body(
        client,
        &json!({"redirect_uris": [common::REDIRECT], "client_name": "pwned"}),
    );
    let responses: [Resp; 3] = [
        app.get(&client.path(), Some(token)).await,
        app.put(&client.path(), Some(token), &renamed).await,
        app.delete(&client.path(), Some(token)).await,
    ];
    for resp in &responses {
        assert_invalid_token(resp);
    }
    let after = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(after.status, StatusCode::OK, "the client survived");
    assert_eq!(after.json(), before.json(), "the client is unchanged");
}

/// MGT-7: an invalid registration access token is 401 `invalid_token` on read, update and delete.
#[tokio::test]
async fn alg_none_and_its_spellings_are_refused_whatever_the_server_algorithm() {
    for alg in ALGORITHMS {
        let (app, tokens) = server(alg);
        let client = app.register(&min()).await;
        let claims = client.token.split('.').nth(1).expect("claims").to_owned();
        let signature = client
            .token
            .split('.')
            .nth(2)
            .expect("signature")
            .to_owned();
        for none in ["none", "None", "NONE", "nOnE"] {
            let header = b64(&json!({"alg": none, "typ": "JWT"}));
            for forged in [
                format!("{header}.{claims}."),
                format!("{header}.{claims}"),
                format!("{header}.{claims}.{signature}"),
            ] {
                assert!(!tokens.verify(&forged, &client.id), "{alg:?} {forged}");
                assert_refused_everywhere(&app, &client, &forged).await;
            }
        }
    }
}

/// The public key of the RS256 or ES256 test key, in the encodings an attacker would try as an
/// HMAC secret.
fn public_key_encodings(alg: TokenAlgorithm) -> Vec<Vec<u8>> {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::{DecodePrivateKey, LineEnding};
    let text = String::from_utf8(pem(match alg {
        TokenAlgorithm::RS256 => "rsa2048.pem",
        _ => "p256.pem",
    }))
    .expect("utf8");
    match alg {
        TokenAlgorithm::RS256 => {
            let public = rsa::RsaPrivateKey::from_pkcs8_pem(&text)
                .expect("rsa")
                .to_public_key();
            let [pem, der] = spki_encodings(&public);
            vec![
                pem,
                der,
                public
                    .to_pkcs1_pem(LineEnding::LF)
                    .expect("pkcs1")
                    .into_bytes(),
                public.to_pkcs1_der().expect("pkcs1 der").into_vec(),
            ]
        }
        _ => {
            let public = p256::SecretKey::from_pkcs8_pem(&text)
                .expect("p256")
                .public_key();
            let [pem, der] = spki_encodings(&public);
            vec![
                pem,
                der,
                p256::EncodedPoint::from(public).as_bytes().to_vec(),
            ]
        }
    }
}

/// `public` as an SPKI (`SubjectPublicKeyInfo`) PEM and DER document.
fn spki_encodings(public: &impl rsa::pkcs8::EncodePublicKey) -> [Vec<u8>; 2] {
    use rsa::pkcs8::LineEnding;
    [
        public
            .to_public_key_pem(LineEnding::LF)
            .expect("pem")
            .into_bytes(),
        public.to_public_key_der().expect("der").into_vec(),
    ]
}

/// MGT-7: an invalid registration access token is 401 `invalid_token` on read, update and delete.
///
/// Algorithm confusion (RFC 8725 §2.1): the attacker signs a token with HS256, using the
/// server's RS256 or ES256 *public* key as the HMAC secret, hoping the server picks the
/// algorithm from the token's header.
#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused_by_rs256_and_es256_servers() {
    for alg in [TokenAlgorithm::RS256, TokenAlgorithm::ES256] {
        let (app, tokens) = server(alg);
        let client = app.register(&min()).await;
        let mut claims = segment(&client.token, 1);
        // A fresh jti too, as an attacker minting a token of their own would.
        claims["jti"] = json!("attacker-chosen");
        for secret in public_key_encodings(alg) {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = segment(&client.token, 0)["kid"].as_str().map(str::to_owned);
            let forged = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&secret))
                .expect("sign");
            assert!(!tokens.verify(&forged, &client.id), "{alg:?}");
            assert_refused_everywhere(&app, &client, &forged).await;
        }
    }
}

/// MGT-8: a client's token is honoured for that client only.
#[tokio::test]
async fn another_clients_valid_token_changes_nothing_on_put_or_delete() {
    for alg in ALGORITHMS {
        let (app, tokens) = server(alg);
        let victim = app.register(&min()).await;
        let attacker = app.register(&min()).await;
        assert!(tokens.verify(&attacker.token, &attacker.id));
        assert!(!tokens.verify(&attacker.token, &victim.id), "{alg:?}: aud");
        assert_refused_everywhere(&app, &victim, &attacker.token).await;
    }
}

/// MGT-7: an invalid registration access token is 401 `invalid_token` on read, update and delete.
///
/// The attacker edits the `aud` of their own token to the victim's id, for each server
/// algorithm: without re-signing (the signature no longer matches), or re-signed as HS256 with
/// a key of their own; or makes `aud` an array naming both clients, signature kept. Each is
/// refused by verification and on read, update and delete; the attacker's own token still
/// works.
#[tokio::test]
async fn a_token_with_an_edited_aud_is_refused() {
    for alg in ALGORITHMS {
        let (app, tokens) = server(alg);
        let victim = app.register(&min()).await;
        let attacker = app.register(&min()).await;
        let mut parts = attacker.token.split('.');
        let (header, _, signature) = (
            parts.next().expect("header"),
            parts.next().expect("claims"),
            parts.next().expect("signature"),
        );
        let mut claims = segment(&attacker.token, 1);
        claims["aud"] = json!(victim.id);
        let not_resigned = format!("{header}.{}.{signature}", b64(&claims));
        let own_key = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"the attacker's own 32-byte key!!"),
        )
        .expect("sign");
        // An aud array naming both clients, signature kept.
        let mut both = claims.clone();
        both["aud"] = json!([victim.id, attacker.id]);
        let array_aud = format!("{header}.{}.{signature}", b64(&both));
        for forged in [not_resigned, own_key, array_aud] {
            assert!(!tokens.verify(&forged, &victim.id), "{alg:?}: {forged}");
            assert_refused_everywhere(&app, &victim, &forged).await;
        }
        // The attacker's own token, untouched, still works for the attacker.
        let resp = app.get(&attacker.path(), Some(&attacker.token)).await;
        assert_eq!(resp.status, StatusCode::OK);
    }
}

/// MGT-7: an invalid registration access token is 401 `invalid_token` on read, update and delete.
///
/// A token with a valid signature by the server's own key (as after a key leak, or a token the
/// server issued and forgot) is still refused unless it is the client's current token: the
/// stored hash, not the signature, decides. Covers an unknown `jti`, another `iat`, extra
/// claims, and a valid token for a client id that was never registered (401, never 404).
#[tokio::test]
async fn a_validly_signed_token_that_is_not_the_stored_one_is_refused() {
    for alg in ALGORITHMS {
        let (app, tokens) = server(alg);
        let client = app.register(&min()).await;
        let issued = segment(&client.token, 1);
        let reissue = |claims: &Value| {
            let mut header = Header::new(match alg {
                TokenAlgorithm::HS256 => Algorithm::HS256,
                TokenAlgorithm::RS256 => Algorithm::RS256,
                TokenAlgorithm::ES256 => Algorithm::ES256,
                _ => Algorithm::EdDSA,
            });
            header.typ = None;
            header.kid = segment(&client.token, 0)["kid"].as_str().map(str::to_owned);
            let key = match alg {
                TokenAlgorithm::HS256 => EncodingKey::from_secret(HS256_SECRET),
                TokenAlgorithm::RS256 => {
                    use rsa::pkcs1::EncodeRsaPrivateKey as _;
                    use rsa::pkcs8::DecodePrivateKey as _;
                    let text = String::from_utf8(pem("rsa2048.pem")).expect("PEM");
                    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&text).expect("rsa");
                    EncodingKey::from_rsa_der(key.to_pkcs1_der().expect("PKCS#1").as_bytes())
                }
                TokenAlgorithm::ES256 => EncodingKey::from_ec_der(&pkcs8_der("p256.pem")),
                _ => EncodingKey::from_ed_der(&pkcs8_der("ed25519.pem")),
            };
            jsonwebtoken::encode(&header, claims, &key).expect("sign")
        };
        let mut unknown_jti = issued.clone();
        unknown_jti["jti"] = json!(uuid::Uuid::new_v4().to_string());
        let mut other_iat = issued.clone();
        other_iat["iat"] = json!(issued["iat"].as_u64().expect("iat") + 1);
        let mut extra = issued.clone();
        extra["scope"] = json!("admin");
        for claims in [unknown_jti, other_iat, extra] {
            let forged = reissue(&claims);
            // The signature and claims are fine: only the stored hash stands in the way.
            assert!(tokens.verify(&forged, &client.id), "{alg:?}");
            assert_refused_everywhere(&app, &client, &forged).await;
        }
        // A valid token for a client that does not exist: 401 like any bad token.
        let mut ghost = issued.clone();
        ghost["aud"] = json!("never-registered");
        let forged = reissue(&ghost);
        assert!(tokens.verify(&forged, "never-registered"));
        assert_invalid_token(&app.get("/register/never-registered", Some(&forged)).await);
        assert_invalid_token(
            &app.delete("/register/never-registered", Some(&forged))
                .await,
        );
    }
}

/// MGT-5: a rotated registration access token replaces the old one at once.
/// MGT-21: after a deletion the client's id, secret and registration access token are dead.
///
/// Rotation and deletion end a token for every method, not only GET.
#[tokio::test]
async fn rotated_and_deleted_tokens_are_refused_on_every_method() {
    let app = App::with(|b| b.token_rotation(TokenRotation::OnEveryUse));
    let client = app.register(&min()).await;
    let resp = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::OK);
    let fresh = resp.json()["registration_access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_ne!(fresh, client.token);
    let rotated = Client {
        token: fresh.clone(),
        ..client.clone()
    };
    // The old token is dead for every method; the check itself rotates the fresh one.
    let renamed = update_body(&client, &min());
    for resp in [
        app.get(&client.path(), Some(&client.token)).await,
        app.put(&client.path(), Some(&client.token), &renamed).await,
        app.delete(&client.path(), Some(&client.token)).await,
    ] {
        assert_invalid_token(&resp);
    }
    let resp = app.delete(&rotated.path(), Some(&fresh)).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT);
    for resp in [
        app.get(&client.path(), Some(&fresh)).await,
        app.put(&client.path(), Some(&fresh), &renamed).await,
        app.delete(&client.path(), Some(&fresh)).await,
    ] {
        assert_invalid_token(&resp);
    }
}

// ---------------------------------------------------------------------------------------------
// The signature is checked before the store is read.
// ---------------------------------------------------------------------------------------------

/// MGT-24: registration access tokens cannot be guessed and are kept like bearer credentials.
///
/// A malformed registration access token, or one not signed by this server's key for this
/// client, is refused (401 on GET, PUT and DELETE) without a single store lookup: garbage
/// costs the store nothing. The client's own token does read the store, so the count is live.
#[tokio::test]
async fn tokens_that_fail_verification_never_reach_the_store() {
    for alg in ALGORITHMS {
        let store = Arc::new(FaultyStore::default());
        let shared: Arc<dyn ClientStore> = store.clone();
        let app = App::with(|b| b.signing_key(key(alg)).shared_store(shared));
        let client = app.register(&min()).await;
        let other = app.register(&min()).await;

        let header = segment(&client.token, 0);
        let claims = segment(&client.token, 1);
        let signature = client.token.rsplit('.').next().expect("signature");
        let mut foreign = Header::new(Algorithm::HS256);
        foreign.kid = header["kid"].as_str().map(str::to_owned);
        let signed_elsewhere = jsonwebtoken::encode(
            &foreign,
            &claims,
            &EncodingKey::from_secret(b"another-server-s-hs256-secret-32"),
        )
        .expect("sign");
        let unsigned = format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&claims));
        let mut edited = claims.clone();
        edited["jti"] = json!("attacker-chosen");
        let tampered = format!("{}.{}.{signature}", b64(&header), b64(&edited));
        let renamed = update_body(&client, &json!({"redirect_uris": [common::REDIRECT]}));
        for token in [
            "not-a-jwt",
            "a.b.c",
            "...",
            &client.token[..client.token.len() - 4],
            &format!("{}.", client.token),
            &unsigned,
            &signed_elsewhere,
            &tampered,
            // Signed by this server, for another client (its aud).
            &other.token,
        ] {
            store.gets.store(0, Ordering::SeqCst);
            for resp in [
                app.get(&client.path(), Some(token)).await,
                app.put(&client.path(), Some(token), &renamed).await,
                app.delete(&client.path(), Some(token)).await,
            ] {
                assert_invalid_token(&resp);
            }
            assert_eq!(
                store.gets.load(Ordering::SeqCst),
                0,
                "{alg:?}: {token:?} reached the store"
            );
        }
        let resp = app.get(&client.path(), Some(&client.token)).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
        assert!(store.gets.load(Ordering::SeqCst) > 0, "the counter counts");
    }
}

// ---------------------------------------------------------------------------------------------
// The key id of issued tokens.
// ---------------------------------------------------------------------------------------------

/// `SigningKey::with_kid` replaces the `kid` of the tokens the layer issues (by default derived
/// from the key), for every algorithm; the token is still the client's.
#[tokio::test]
async fn issued_tokens_carry_the_kid_set_with_with_kid() {
    for alg in ALGORITHMS {
        let default = App::with(|b| b.signing_key(key(alg)));
        let client = default.register(&min()).await;
        let header = segment(&client.token, 0);
        assert_eq!(header["kid"], json!(key(alg).kid()), "{alg:?}: {header}");

        let app = App::with(|b| b.signing_key(key(alg).with_kid("iam-2026-rotation")));
        let client = app.register(&min()).await;
        let header = segment(&client.token, 0);
        assert_eq!(header["kid"], "iam-2026-rotation", "{alg:?}: {header}");
        assert_ne!(key(alg).kid(), "iam-2026-rotation");
        let resp = app.get(&client.path(), Some(&client.token)).await;
        assert_eq!(resp.status, StatusCode::OK, "{alg:?}: {}", resp.text());
    }
}

// ---------------------------------------------------------------------------------------------
// Constant-time comparison: the code path, not a timer.
// ---------------------------------------------------------------------------------------------

/// Autoref specialization: `(&value).has_eq()` is true when the type implements `PartialEq`.
trait ImplementsEq {
    fn has_eq(&self) -> bool {
        true
    }
}
impl<T: PartialEq> ImplementsEq for T {}
trait LacksEq {
    fn has_eq(&self) -> bool {
        false
    }
}
impl<T> LacksEq for &T {}

/// MGT-24: registration access tokens cannot be guessed and are kept like bearer credentials.
///
/// Secrets and credential hashes cannot be compared with `==` at all: a comparison has to go
/// through their `ct_eq` (built on `subtle`).
#[test]
fn secrets_and_credential_hashes_have_no_variable_time_equality() {
    let secret = Secret::new("s");
    let hash = CredentialHash::of("s");
    let stored = StoredSecret::Hashed(CredentialHash::of("s"));
    assert!(!(&secret).has_eq(), "Secret implements PartialEq");
    assert!(!(&hash).has_eq(), "CredentialHash implements PartialEq");
    assert!(!(&stored).has_eq(), "StoredSecret implements PartialEq");
    // The probe itself works.
    assert!(String::new().has_eq());
}

#[test]
fn constant_time_comparisons_are_correct() {
    let a = CredentialHash::of("token-a");
    assert!(a.ct_eq(&CredentialHash::of("token-a")));
    assert!(!a.ct_eq(&CredentialHash::of("token-b")));
    let secret = Secret::new("client-secret");
    assert!(secret.ct_eq("client-secret"));
    assert!(!secret.ct_eq("client-secreT"));
    assert!(!secret.ct_eq("client-secret "));
    for stored in [
        StoredSecret::Plain(Secret::new("client-secret")),
        StoredSecret::Hashed(CredentialHash::of("client-secret")),
    ] {
        assert!(stored.matches("client-secret"));
        assert!(!stored.matches("client-secreT"));
        assert!(!stored.matches(""));
    }
}

/// The comparisons look at every byte and at the length: two hashes differing in their first
/// or only in their last byte differ, and a presented secret that is a prefix or an extension
/// of the real one, or its hash, is no match.
#[test]
fn constant_time_comparisons_see_every_byte_and_the_length() {
    let base = [7u8; 32];
    let hash = CredentialHash::from_bytes(base);
    assert!(hash.ct_eq(&CredentialHash::from_bytes(base)));
    for index in [0, 15, 31] {
        let mut other = base;
        other[index] ^= 1;
        assert!(
            !hash.ct_eq(&CredentialHash::from_bytes(other)),
            "byte {index} ignored"
        );
    }

    let secret = Secret::new("client-secret");
    for presented in ["", "c", "client-secre", "client-secret\0"] {
        assert!(!secret.ct_eq(presented), "{presented:?}");
    }
    assert!(!Secret::new("").ct_eq("client-secret"));

    let digest_of_secret = CredentialHash::of("client-secret");
    for stored in [
        StoredSecret::Plain(Secret::new("client-secret")),
        StoredSecret::Hashed(CredentialHash::of("client-secret")),
    ] {
        for presented in ["client-secre", "client-secret-and-more", "CLIENT-SECRET"] {
            assert!(!stored.matches(presented), "{presented:?}");
        }
        // What a leaked store holds does not authenticate.
        let leaked: String = digest_of_secret
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!stored.matches(&leaked));
    }
}
