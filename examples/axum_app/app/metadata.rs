//! The authorization server's metadata, one document served at the addresses clients look
//! for it: OpenID Connect Discovery 1.0 (`/.well-known/openid-configuration`) and RFC 8414
//! (`/.well-known/oauth-authorization-server`), which MCP clients read.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};

use super::AppState;

/// The metadata routes of an issuer whose path is `path` (empty, or `/realms/x`).
pub(super) fn routes(path: &str) -> Router<AppState> {
    let mut router = Router::new();
    let mut paths = vec![
        format!("{path}/.well-known/openid-configuration"),
        format!("{path}/.well-known/oauth-authorization-server"),
    ];
    if !path.is_empty() {
        // RFC 8414 §3.1: for an issuer with a path, the well-known segment goes between the
        // host and the path. Clients try both forms, and both for OpenID's name too.
        paths.push(format!("/.well-known/oauth-authorization-server{path}"));
        paths.push(format!("/.well-known/openid-configuration{path}"));
    }
    for path in paths {
        router = router.route(&path, get(document));
    }
    router
}

/// The host's own members, then every registration member from the registry, so that what
/// is advertised is what registration enforces: its rules (`super::config_builder`) admit only
/// the grants, response types and authentication methods this server implements, so the
/// registry's `grant_types_supported` and `response_types_supported` are this server's.
///
/// No `jwks_uri` and no ID tokens: this skeleton signs nothing, and its access tokens are
/// opaque. A full OpenID Provider adds them here.
async fn document(State(state): State<AppState>) -> Json<Map<String, Value>> {
    let base = state.issuer.trim_end_matches('/');
    let mut document = Map::new();
    document.insert("issuer".into(), json!(state.issuer));
    document.insert(
        "authorization_endpoint".into(),
        json!(format!("{base}/authorize")),
    );
    document.insert("token_endpoint".into(), json!(format!("{base}/token")));
    // PKCE is required, and only S256 (`plain` protects nothing if the request leaks).
    document.insert("code_challenge_methods_supported".into(), json!(["S256"]));
    document.extend(state.registry.provider_metadata());
    Json(document)
}
