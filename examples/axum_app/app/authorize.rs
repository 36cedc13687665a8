//! The authorization endpoint (RFC 6749 §4.1.1), for the authorization code grant with PKCE
//! S256 required (RFC 7636; OAuth 2.1), as MCP clients use it.
//!
//! **It approves every valid request at once, as the demo user** (`--demo-user`): there is no
//! login page and no consent screen. Anyone who can reach it gets codes for that user. A real
//! server authenticates the user here, and asks them to approve the client.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower_oidc_registration::metadata::GrantType;
use tower_oidc_registration::{ClientLookupError, ClientRecord};
use url::Url;

use super::AppState;
use super::clients::{find_client, only_redirect_uri};
use super::params::{Params, is_pkce_value};
use super::tokens::CodeGrant;

/// `GET /authorize`: redirects to the client's redirect URI with a `code` (and the `state` it
/// sent), or with an `error` (§4.1.2.1). Until the redirect URI is known to be one the client
/// registered, errors are a 400 here instead: redirecting to an unverified URI would make this
/// server an open redirector.
pub(super) async fn authorize(State(state): State<AppState>, uri: Uri) -> Response {
    let params = match Params::parse(uri.query().unwrap_or_default().as_bytes()) {
        Ok(params) => params,
        Err(why) => return bad_request(why),
    };
    let Some(client_id) = params.get("client_id") else {
        return bad_request("client_id is missing");
    };
    let client = match find_client(&state.registry, client_id).await {
        Ok(Some(client)) => client,
        Ok(None) => return bad_request("unknown client_id"),
        Err(ClientLookupError::Store(error)) => {
            tracing::error!(%error, "authorization endpoint: client store failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
        // A URL client id whose metadata document was refused: the description is safe to
        // show (a fetch failure is one description whatever its cause).
        Err(error) => {
            tracing::info!(client_id, %error, ?error, "client id metadata document refused");
            let body = json!({"error": error.error_code(), "error_description": error.to_string()});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    // Exact comparison with the registered URIs (OAuth 2.0 Security BCP §4.1.3).
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if client.has_redirect_uri(uri) => uri.to_owned(),
        Some(_) => return bad_request("redirect_uri is not one the client registered"),
        None => match only_redirect_uri(&client) {
            Some(uri) => uri,
            None => {
                return bad_request(
                    "redirect_uri is required: the client registered several, or none",
                );
            }
        },
    };
    let Ok(mut redirect) = Url::parse(&redirect_uri) else {
        return bad_request("the registered redirect_uri is not a URL");
    };
    // A client named by URL is whoever published its document: a redirect to another origin
    // than the document's is what a consent screen should warn the user about (the client id
    // metadata document draft's security considerations). This example has no screen: it logs.
    if let Ok(document) = Url::parse(client.client_id())
        && client.client_id().starts_with("https://")
        && document.origin() != redirect.origin()
    {
        tracing::warn!(
            client_id,
            redirect_uri,
            "the redirect URI is on another origin than the client's metadata document"
        );
    }

    // The redirect URI is the client's: from here on, the answer goes there.
    let answer = match approve(&state, &params, &client, &redirect_uri) {
        Ok(code) => vec![("code", code)],
        Err((error, description)) => {
            vec![
                ("error", error.to_owned()),
                ("error_description", description.to_owned()),
            ]
        }
    };
    {
        let mut query = redirect.query_pairs_mut();
        for (name, value) in &answer {
            query.append_pair(name, value);
        }
        if let Some(client_state) = params.get("state") {
            query.append_pair("state", client_state);
        }
    }
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, redirect.to_string()),
            // The code is in the URL: no cache keeps it, no referrer carries it on.
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::REFERRER_POLICY, "no-referrer".to_owned()),
        ],
    )
        .into_response()
}

/// Checks the rest of the request and issues a code for the demo user; `Err` is the
/// `error` and `error_description` of the error response.
fn approve(
    state: &AppState,
    params: &Params,
    client: &ClientRecord,
    redirect_uri: &str,
) -> Result<String, (&'static str, &'static str)> {
    match params.get("response_type") {
        Some("code") => {}
        None => return Err(("invalid_request", "response_type is missing")),
        Some(_) => return Err(("unsupported_response_type", "only response_type=code")),
    }
    if !client.allows_grant_type(GrantType::AuthorizationCode) {
        return Err((
            "unauthorized_client",
            "the client did not register authorization_code",
        ));
    }
    let challenge = params
        .get("code_challenge")
        .ok_or(("invalid_request", "code_challenge is required (PKCE)"))?;
    // Absent means `plain` (RFC 7636 §4.3), which protects nothing against a stolen request.
    if params.get("code_challenge_method") != Some("S256") {
        return Err(("invalid_request", "code_challenge_method must be S256"));
    }
    if !is_pkce_value(challenge) {
        return Err(("invalid_request", "code_challenge is malformed"));
    }
    let resource = params.resource().map_err(|why| ("invalid_target", why))?;
    let grant = CodeGrant {
        client_id: client.client_id().to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        redirect_uri_sent: params.get("redirect_uri").is_some(),
        code_challenge: challenge.to_owned(),
        resource: resource.map(str::to_owned),
        scope: params.get("scope").map(str::to_owned),
        user: state.demo_user.clone(),
    };
    let code = state.tokens.codes.issue(grant).map_err(|error| {
        tracing::error!(%error, "authorization endpoint: no code");
        ("server_error", "internal error")
    })?;
    tracing::info!(client_id = client.client_id(), user = %state.demo_user, "authorization auto-approved for the demo user");
    Ok(code.expose().to_owned())
}

/// An error shown to the user agent, not sent to the client (§4.1.2.1).
fn bad_request(why: &'static str) -> Response {
    let body = json!({"error": "invalid_request", "error_description": why});
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}
