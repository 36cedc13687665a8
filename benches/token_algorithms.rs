//! What each registration access token algorithm costs, through the public domain API:
//! `register` signs a token, `read` verifies one (plus the store lookup both share).
//!
//! `cargo bench --bench token_algorithms`; compare the algorithms within one run.

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Map, Value, json};
use tower_oidc_registration::{RegistrationConfig, RegistrationLayer, SigningKey};

fn key(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn seed_request() -> Map<String, Value> {
    match json!({
        "redirect_uris": ["https://another.client.example/oidc"],
        "client_name": "another-example-client",
        "contacts": ["test@iam.test"],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": "address phone openid email profile offline_access",
        "grant_types": ["refresh_token", "authorization_code"],
        "response_types": ["code"]
    }) {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

fn algorithms(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let keys = [
        ("HS256", SigningKey::hs256(&[42u8; 32]).expect("hs256")),
        (
            "RS256",
            SigningKey::rs256_pem(&key("rsa2048.pem")).expect("rs256"),
        ),
        (
            "ES256",
            SigningKey::es256_pem(&key("p256.pem")).expect("es256"),
        ),
        (
            "EdDSA",
            SigningKey::ed25519_pem(&key("ed25519.pem")).expect("eddsa"),
        ),
    ];
    let request = seed_request();
    let mut group = c.benchmark_group("registration_access_token");
    for (name, signing_key) in keys {
        let config = RegistrationConfig::builder("https://iam.example.org/")
            .signing_key(signing_key)
            .build()
            .expect("config");
        let registry = RegistrationLayer::new(config).registry();
        group.bench_function(format!("register_signs/{name}"), |b| {
            b.to_async(&runtime)
                .iter(|| async { registry.register(&request).await.expect("register") })
        });
        let client = runtime
            .block_on(registry.register(&request))
            .expect("register");
        let token = client.registration_access_token().expose().to_owned();
        group.bench_function(format!("read_verifies/{name}"), |b| {
            b.to_async(&runtime).iter(|| async {
                registry
                    .read(client.client_id(), &token)
                    .await
                    .expect("read")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, algorithms);
criterion_main!(benches);
