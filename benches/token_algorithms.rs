//! What each registration access token algorithm costs: key setup (once, at configuration),
//! signing and verifying one token, and the same inside `Registry::register` (signs one
//! token) and `Registry::read` (verifies one), with the memory store.
//!
//! `cargo bench --bench token_algorithms`; compare the algorithms within one run.

#[path = "common/mod.rs"]
mod common;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tower_oidc_registration::__fuzz::RegistrationTokens;
use tower_oidc_registration::{RegistrationConfig, RegistrationLayer, Requester, SigningKey};

const ISSUER: &str = "https://iam.example.org/";

fn key_file(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Each algorithm with a function that parses its key from the bytes given.
type KeySetup = fn(&[u8]) -> SigningKey;

fn algorithms() -> Vec<(&'static str, Vec<u8>, KeySetup)> {
    vec![
        ("HS256", vec![42u8; 32], |k| {
            SigningKey::hs256(k).expect("hs256")
        }),
        ("RS256", key_file("rsa2048.pem"), |k| {
            SigningKey::rs256_pem(k).expect("rs256")
        }),
        ("ES256", key_file("p256.pem"), |k| {
            SigningKey::es256_pem(k).expect("es256")
        }),
        ("EdDSA", key_file("ed25519.pem"), |k| {
            SigningKey::ed25519_pem(k).expect("eddsa")
        }),
    ]
}

fn tokens(c: &mut Criterion) {
    let mut group = c.benchmark_group("token");
    for (name, key, setup) in algorithms() {
        group.bench_with_input(BenchmarkId::new("key_setup", name), &key, |b, key| {
            b.iter(|| RegistrationTokens::new(setup(key), ISSUER.to_owned()).expect("tokens"))
        });
        let tokens = RegistrationTokens::new(setup(&key), ISSUER.to_owned()).expect("tokens");
        group.bench_function(BenchmarkId::new("sign", name), |b| {
            b.iter(|| tokens.issue("4b2556d7-65c5-4a15-81c0-7b80c604940e", 1_507_223_860))
        });
        let token = tokens
            .issue("4b2556d7-65c5-4a15-81c0-7b80c604940e", 1_507_223_860)
            .expect("issue");
        group.bench_function(BenchmarkId::new("verify", name), |b| {
            b.iter(|| {
                assert!(tokens.verify(token.expose(), "4b2556d7-65c5-4a15-81c0-7b80c604940e"))
            })
        });
    }
    group.finish();
}

fn registry(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let request = common::seed_request(
        "https://another.client.example/oidc",
        "another-example-client",
    );
    let mut group = c.benchmark_group("registry");
    for (name, key, setup) in algorithms() {
        let config = RegistrationConfig::builder(ISSUER)
            .signing_key(setup(&key))
            .build()
            .expect("config");
        let registry = RegistrationLayer::new(config).registry();
        group.bench_function(BenchmarkId::new("register_signs", name), |b| {
            b.to_async(&runtime).iter(|| async {
                registry
                    .register(Requester::host(), request.clone())
                    .await
                    .expect("register")
            })
        });
        let client = runtime
            .block_on(registry.register(Requester::host(), request.clone()))
            .expect("register");
        let token = client
            .registration_access_token()
            .expect("token")
            .expose()
            .to_owned();
        group.bench_function(BenchmarkId::new("read_verifies", name), |b| {
            b.to_async(&runtime).iter(|| async {
                registry
                    .read(
                        Requester::registration_access_token(&token),
                        client.client_id(),
                    )
                    .await
                    .expect("read")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, tokens, registry);
criterion_main!(benches);
