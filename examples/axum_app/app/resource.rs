//! The protected resource at `{issuer}/mcp` (the MCP endpoint when built with
//! `--features mcp`): only requests with a valid access token of this server reach it, and its
//! metadata (RFC 9728) tells a client where to get one.
//!
//! Without a token a request gets `401` with `WWW-Authenticate: Bearer resource_metadata=…`
//! (RFC 9728 §5.1): the MCP client's way into discovery, then registration and authorization.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::tokens::{AccessGrant, TokenStore};

/// The resource's identity, and the tokens it accepts.
#[derive(Clone)]
struct Resource {
    /// `{issuer}/mcp`: what tokens must name as their audience, if they name one.
    uri: String,
    /// Where its metadata is: `/.well-known/oauth-protected-resource` inserted between the
    /// host and the resource's path (RFC 9728 §3.1).
    metadata_url: String,
    issuer: String,
    tokens: TokenStore<AccessGrant>,
}

/// `service` at `{issuer path}/mcp` behind the token check, and the resource's metadata.
/// Requests that pass carry their [`AccessGrant`] as an extension.
pub(super) fn routes(issuer: &str, tokens: TokenStore<AccessGrant>, service: Router) -> Router {
    let uri = format!("{}/mcp", issuer.trim_end_matches('/'));
    let (origin, path) = match url::Url::parse(&uri) {
        Ok(url) => (url.origin().ascii_serialization(), url.path().to_owned()),
        // The configuration refuses an issuer that is not a URL: unreachable in practice.
        Err(_) => (String::new(), "/mcp".to_owned()),
    };
    let well_known = "/.well-known/oauth-protected-resource";
    let resource = Resource {
        metadata_url: format!("{origin}{well_known}{path}"),
        uri,
        issuer: issuer.to_owned(),
        tokens,
    };
    let guarded = service.layer(middleware::from_fn_with_state(
        resource.clone(),
        require_token,
    ));
    Router::new()
        .route_service(&path, guarded)
        .route(&format!("{well_known}{path}"), get(metadata))
        // The address of a server with one resource, which some clients try first.
        .route(well_known, get(metadata))
        .with_state(resource)
}

/// RFC 9728 §2: which authorization server issues tokens for this resource, and how to send
/// them.
async fn metadata(State(resource): State<Resource>) -> Json<Value> {
    Json(json!({
        "resource": resource.uri,
        "authorization_servers": [resource.issuer],
        "bearer_methods_supported": ["header"],
        "resource_name": "axum_app MCP server",
    }))
}

/// Lets through requests with a known, unexpired access token issued for this resource (RFC
/// 8707 §2: a token for another resource, or for none in particular, must not be replayable
/// here; MCP clients always name the resource).
async fn require_token(
    State(resource): State<Resource>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(token) = token else {
        // No credentials: no error code (RFC 6750 §3.1), just where to get some.
        return unauthorized(&resource, None);
    };
    let grant = resource
        .tokens
        .get(token)
        .filter(|grant| grant.resource.as_ref() == Some(&resource.uri));
    match grant {
        Some(grant) => {
            // Who, never the token.
            tracing::debug!(client_id = grant.client_id, user = ?grant.user, "access token accepted");
            request.extensions_mut().insert(grant);
            next.run(request).await
        }
        None => unauthorized(
            &resource,
            Some("unknown or expired token, or not for this resource"),
        ),
    }
}

/// 401 with the challenge of RFC 6750 §3 and RFC 9728 §5.1.
fn unauthorized(resource: &Resource, invalid_token: Option<&str>) -> Response {
    let mut challenge = String::from("Bearer ");
    if let Some(description) = invalid_token {
        challenge.push_str(&format!(
            "error=\"invalid_token\", error_description=\"{description}\", "
        ));
    }
    challenge.push_str(&format!("resource_metadata=\"{}\"", resource.metadata_url));
    let mut response = StatusCode::UNAUTHORIZED.into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}
