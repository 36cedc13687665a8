//! The crate signs and verifies whatever `jsonwebtoken` backend the host's dependency graph
//! enables. With both of `jsonwebtoken`'s backends enabled (a host that signs its own tokens
//! with `aws_lc_rs` beside this crate's `rust_crypto`), its process-wide default provider
//! cannot be inferred and panics on first use; a host may also install a default of its own.
//! This crate names its backend at every signature and never consults that default: this test
//! binary installs a default that panics, as that combination does, before anything else, and
//! then registers, reads, updates and authenticates clients with every token algorithm and
//! verifies software statements. Its own process, as the default is process-wide.

#[path = "../common/mod.rs"]
mod common;

use std::sync::Once;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::StatusCode;
use jsonwebtoken::crypto::{CryptoProvider, KeyUtils};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tower_oidc_registration::{SigningKey, TrustedIssuer};

use common::host::{Host, basic};
use common::{REDIRECT, min};

/// The default provider `jsonwebtoken` falls back to when both its backends are enabled.
static PANICKING: CryptoProvider = CryptoProvider {
    signer_factory: |_, _| panic!("the process-wide jsonwebtoken provider was used to sign"),
    verifier_factory: |_, _| panic!("the process-wide jsonwebtoken provider was used to verify"),
    key_utils: KeyUtils::new_unimplemented(),
};

fn install_a_panicking_default() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        PANICKING
            .install_default()
            .unwrap_or_else(|_| panic!("a default provider was installed before this test"));
    });
}

fn key(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test]
async fn every_token_algorithm_works_beside_a_panicking_default_provider() {
    install_a_panicking_default();
    let keys = [
        SigningKey::hs256(&[3u8; 32]).expect("HS256"),
        SigningKey::from_pem(&key("rsa2048.pem")).expect("RS256"),
        SigningKey::from_pem(&key("p256.pem")).expect("ES256"),
        SigningKey::from_pem(&key("ed25519.pem")).expect("EdDSA"),
    ];
    for signing_key in keys {
        let algorithm = format!("{:?}", signing_key.algorithm());
        // Building the configuration signs and verifies a probe token.
        let host = Host::new(|b| b.signing_key(signing_key));
        let client = host.register(None, &min()).await;
        let read = host.get(&client.id, &client.token).await;
        assert_eq!(read.status, StatusCode::OK, "{algorithm}: {}", read.text());
        let update =
            json!({"client_id": client.id, "redirect_uris": [REDIRECT], "client_name": "b"});
        let updated = host.put(&client.id, &client.token, &update).await;
        assert_eq!(
            updated.status,
            StatusCode::OK,
            "{algorithm}: {}",
            updated.text()
        );
        let secret = client.secret().expect("a secret");
        host.registry
            .authenticate(&basic(&client.id, &secret))
            .await
            .unwrap_or_else(|e| panic!("{algorithm}: {e}"));
        assert_eq!(
            host.delete(&client.id, &client.token).await.status,
            StatusCode::NO_CONTENT
        );
    }
}

/// A statement signed with the RustCrypto backend named explicitly, as an issuer would.
fn ed25519_statement(claims: &Value) -> (String, Value) {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    let key = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
    let der = key.to_pkcs8_der().expect("PKCS#8");
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("k1".into());
    let message = format!("{}.{}", part(&header), part(claims));
    let signer = (jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.signer_factory)(
        &Algorithm::EdDSA,
        &EncodingKey::from_ed_der(der.as_bytes()),
    )
    .expect("signer");
    let signature = signer.try_sign(message.as_bytes()).expect("sign");
    let jwks = json!({"keys": [{
        "kty": "OKP", "crv": "Ed25519", "kid": "k1", "use": "sig",
        "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
    }]});
    (
        format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)),
        jwks,
    )
}

fn part(value: &impl serde::Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("JSON"))
}

#[tokio::test]
async fn software_statements_verify_beside_a_panicking_default_provider() {
    install_a_panicking_default();
    let issuer = "https://issuer.example.org";
    let claims = json!({"iss": issuer, "client_name": "from the statement"});
    let (statement, jwks) = ed25519_statement(&claims);
    let host =
        Host::new(|b| b.trusted_software_statement_issuer(TrustedIssuer::with_jwks(issuer, jwks)));
    let body = json!({"redirect_uris": [REDIRECT], "software_statement": statement});
    let client = host.register(None, &body).await;
    assert_eq!(client.body["client_name"], "from the statement");
}
