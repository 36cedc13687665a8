//! Helpers shared by the benches, each of which includes this file with
//! `#[path = "common/mod.rs"] mod common;` (a bench is a crate of its own).

// Not every bench uses every helper.
#![allow(dead_code)]

use serde_json::{Map, Value, json};

/// The seed document's registration request, as the bytes a client sends.
pub const SEED: &str = r#"{
  "redirect_uris": ["https://another.client.example/oidc"],
  "client_name": "another-example-client",
  "contacts": ["test@iam.test"],
  "token_endpoint_auth_method": "client_secret_basic",
  "scope": "address phone openid email profile offline_access",
  "grant_types": ["refresh_token", "authorization_code"],
  "response_types": ["code"]
}"#;

/// The registration request of the seed document (INDIGO IAM's example), for `redirect_uri`
/// and `client_name`.
pub fn seed_request(redirect_uri: &str, client_name: &str) -> Map<String, Value> {
    match json!({
        "redirect_uris": [redirect_uri],
        "client_name": client_name,
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

/// [`seed_request`] of the `i`-th of many clients: a redirect URI and name of its own.
pub fn numbered_seed_request(i: usize) -> Map<String, Value> {
    seed_request(
        &format!("https://client-{i}.example/oidc"),
        &format!("example-client-{i}"),
    )
}

/// `n` indices below `len`, spread at random but the same sequence every run (a fixed LCG):
/// which existing clients a read benchmark reads.
pub fn random_indices(n: usize, len: usize) -> Vec<usize> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as usize % len
        })
        .collect()
}
