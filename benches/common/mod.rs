//! Helpers shared by the benches, each of which includes this file with
//! `#[path = "common/mod.rs"] mod common;` (a bench is a crate of its own).

// Not every bench uses every helper.
#![allow(dead_code)]

use serde_json::{Map, Value, json};

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
