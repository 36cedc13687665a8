//! The token endpoint (RFC 6749 §3.2): the `authorization_code` grant with PKCE, the
//! `refresh_token` grant, and `client_credentials` (§4.4), for registered clients, public
//! (`none`) or authenticated with their secret (`clients.rs`).
//!
//! Access tokens are opaque random strings, remembered with what they grant (`tokens.rs`)
//! until they expire, so that the protected resource of the same process can check them. The
//! `resource` parameter (RFC 8707) becomes the token's audience.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower_oidc_registration::metadata::GrantType;

use super::AppState;
use super::clients::authenticate;
use super::grants::{self, Issued};
use super::params::Params;
use super::tokens::AccessGrant;

/// The grants of this endpoint, as discovery advertises them.
pub const GRANT_TYPES: [GrantType; 3] = [
    GrantType::AuthorizationCode,
    GrantType::RefreshToken,
    GrantType::ClientCredentials,
];

/// `POST /token`.
pub(super) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match issue_token(&state, &headers, &body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn issue_token(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, TokenError> {
    let form = parse_form(headers, body)?;
    // The grant first: checking it needs no client lookup.
    let grant = match form.get("grant_type") {
        None => return Err(TokenError::InvalidRequest("grant_type is missing")),
        Some(name) => GRANT_TYPES
            .into_iter()
            .find(|g| g.as_str() == name)
            .ok_or(TokenError::UnsupportedGrantType)?,
    };
    let client = authenticate(&state.registry, headers, &form, grant).await?;
    let resource = form.resource().map_err(TokenError::InvalidTarget)?;
    let issued = match grant {
        GrantType::AuthorizationCode => {
            grants::exchange_code(&state.tokens, &client, &form, resource)?
        }
        GrantType::RefreshToken => grants::refresh(&state.tokens, &client, &form, resource)?,
        _ => Issued {
            access: AccessGrant {
                client_id: client.client_id().to_owned(),
                // Not interpreted by this skeleton: recorded, and echoed.
                scope: form.get("scope").map(str::to_owned),
                resource: resource.map(str::to_owned),
                user: None,
            },
            refresh: None,
        },
    };
    let tokens = &state.tokens;
    let server_error =
        |e: tower_oidc_registration::generate::GenerateError| TokenError::Server(e.to_string());
    let scope = issued.access.scope.clone();
    let access_token = tokens.access.issue(issued.access).map_err(server_error)?;
    let refresh_token = match issued.refresh {
        Some(grant) => Some(tokens.refresh.issue(grant).map_err(server_error)?),
        None => None,
    };
    tracing::info!(client_id = %client.client_id(), grant = grant.as_str(), "access token issued");
    let mut body = json!({
        "access_token": access_token.expose(),
        "token_type": "Bearer",
        "expires_in": tokens.access.lifetime().as_secs(),
    });
    if let Some(refresh_token) = refresh_token {
        body["refresh_token"] = json!(refresh_token.expose());
    }
    if let Some(scope) = scope {
        body["scope"] = json!(scope);
    }
    Ok((StatusCode::OK, no_store(), Json(body)).into_response())
}

/// The parameters of a token request: form-encoded (RFC 6749 §3.2).
fn parse_form(headers: &HeaderMap, body: &[u8]) -> Result<Params, TokenError> {
    let form_encoded = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_encoded {
        return Err(TokenError::InvalidRequest(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    Params::parse(body).map_err(TokenError::InvalidRequest)
}

/// A token endpoint error (RFC 6749 §5.2, RFC 8707 §2).
#[derive(Debug)]
pub enum TokenError {
    /// 400 `invalid_request`: a parameter is missing, repeated or malformed.
    InvalidRequest(&'static str),
    /// 401 `invalid_client`: no, unknown, wrong, expired or malformed credentials.
    InvalidClient(&'static str),
    /// 400 `invalid_grant`: the code or refresh token is unknown, spent, expired or another
    /// client's; the PKCE verifier or the redirect URI does not match.
    InvalidGrant(&'static str),
    /// 400 `invalid_target`: a `resource` that is malformed or beyond the grant.
    InvalidTarget(&'static str),
    /// 400 `invalid_scope`: a refresh asking for more than the grant.
    InvalidScope,
    /// 400 `unsupported_grant_type`.
    UnsupportedGrantType,
    /// 400 `unauthorized_client`: the client did not register the grant.
    UnauthorizedClient(GrantType),
    /// 500: the store or the random number generator failed (logged, not shown).
    Server(String),
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let bad = StatusCode::BAD_REQUEST;
        let (status, error, description) = match self {
            Self::InvalidRequest(why) => (bad, "invalid_request", why.to_owned()),
            Self::InvalidClient(why) => {
                (StatusCode::UNAUTHORIZED, "invalid_client", why.to_owned())
            }
            Self::InvalidGrant(why) => (bad, "invalid_grant", why.to_owned()),
            Self::InvalidTarget(why) => (bad, "invalid_target", why.to_owned()),
            Self::InvalidScope => (bad, "invalid_scope", "beyond the grant's scope".to_owned()),
            Self::UnsupportedGrantType => (
                bad,
                "unsupported_grant_type",
                "supported: authorization_code, refresh_token, client_credentials".to_owned(),
            ),
            Self::UnauthorizedClient(grant) => (
                bad,
                "unauthorized_client",
                format!("the client is not registered for {grant}"),
            ),
            Self::Server(detail) => {
                tracing::error!(%detail, "token endpoint failed");
                let status = StatusCode::INTERNAL_SERVER_ERROR;
                (status, "server_error", "internal error".to_owned())
            }
        };
        let body = Json(json!({"error": error, "error_description": description}));
        let mut response = (status, no_store(), body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            // RFC 6749 §5.2: a 401 names the scheme the client may authenticate with.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"token\", charset=\"UTF-8\""),
            );
        }
        response
    }
}

/// RFC 6749 §5.1: token responses must not be cached.
fn no_store() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}
