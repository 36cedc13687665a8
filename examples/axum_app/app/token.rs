//! The token endpoint (RFC 6749 §4.4): the `client_credentials` grant for the registered
//! clients, authenticated through the [`Registry`], which also checks that a client registered
//! the grant it asks for.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower_oidc_registration::metadata::GrantType;
use tower_oidc_registration::{ClientAuthError, ClientCredentials, Registry, Secret};

use super::AppState;

/// Lifetime of the access tokens the token endpoint issues, in seconds.
const ACCESS_TOKEN_LIFETIME: u64 = 3600;

/// `POST /token` (RFC 6749 §4.4): the `client_credentials` grant, for registered clients
/// authenticating with `client_secret_basic` or `client_secret_post`.
pub(super) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match issue_token(&state.registry, &headers, &body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn issue_token(
    registry: &Registry,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, TokenError> {
    let form = TokenForm::parse(headers, body)?;
    // The grant first: checking it needs no client lookup.
    match form.get("grant_type") {
        None => return Err(TokenError::InvalidRequest("grant_type is missing")),
        Some("client_credentials") => {}
        Some(_) => return Err(TokenError::UnsupportedGrantType),
    }
    let credentials = credentials(headers, &form)?;
    // Authenticates the client and checks that it registered the grant (RFC 7591 §2: absent
    // grant_types means authorization_code only).
    let record = registry
        .authenticate_for_grant(&credentials, GrantType::ClientCredentials)
        .await
        .map_err(|error| match error {
            ClientAuthError::Store(error) => TokenError::Server(error.to_string()),
            ClientAuthError::GrantNotRegistered(_) => TokenError::UnauthorizedClient,
            // Every other reason is one answer to the client; the log says which.
            reason => {
                tracing::info!(client_id = credentials.client_id(), %reason, "client authentication failed");
                TokenError::InvalidClient("client authentication failed")
            }
        })?;
    // An opaque token: 32 random bytes, base64url. A real server would remember it (or sign
    // a JWT) for its resource servers; `scope` is not interpreted by this skeleton.
    let access_token = Secret::random(32).map_err(|e| TokenError::Server(e.to_string()))?;
    tracing::info!(client_id = %record.client_id(), "access token issued");
    let body = json!({
        "access_token": access_token.expose(),
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_LIFETIME,
    });
    Ok((StatusCode::OK, no_store(), Json(body)).into_response())
}

/// The credentials of the request: `Authorization: Basic` or the `client_id` and
/// `client_secret` parameters, never both (RFC 6749 §2.3).
fn credentials(headers: &HeaderMap, form: &TokenForm) -> Result<ClientCredentials, TokenError> {
    let secret = form.get("client_secret");
    match (headers.get(header::AUTHORIZATION), secret) {
        (Some(_), Some(_)) => Err(TokenError::InvalidRequest(
            "more than one client authentication method",
        )),
        (Some(value), None) => {
            let basic = ClientCredentials::from_basic_authorization(value)
                .ok_or(TokenError::InvalidClient("malformed Basic credentials"))?;
            // A client_id parameter is allowed, but must name the same client.
            match form.get("client_id") {
                Some(id) if id != basic.client_id() => Err(TokenError::InvalidRequest(
                    "client_id does not match the Basic credentials",
                )),
                _ => Ok(basic),
            }
        }
        (None, Some(secret)) => {
            let id = form.get("client_id").ok_or(TokenError::InvalidRequest(
                "client_secret without client_id",
            ))?;
            Ok(ClientCredentials::from_form(id, secret))
        }
        (None, None) => Err(TokenError::InvalidClient("client authentication required")),
    }
}

/// The parameters of a token request (RFC 6749 §3.2): form-encoded, each at most once,
/// empty values treated as absent (§3.1).
struct TokenForm(Vec<(String, String)>);

impl TokenForm {
    fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, TokenError> {
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
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(body) {
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(TokenError::InvalidRequest("a parameter is repeated"));
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        pairs.retain(|(_, value)| !value.is_empty());
        Ok(Self(pairs))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A token endpoint error (RFC 6749 §5.2).
#[derive(Debug)]
enum TokenError {
    /// 400 `invalid_request`: a parameter is missing, repeated or malformed.
    InvalidRequest(&'static str),
    /// 401 `invalid_client`: no, unknown, wrong, expired or malformed credentials.
    InvalidClient(&'static str),
    /// 400 `unsupported_grant_type`: anything but `client_credentials`.
    UnsupportedGrantType,
    /// 400 `unauthorized_client`: the client did not register `client_credentials`.
    UnauthorizedClient,
    /// 500: the store or the random number generator failed (logged, not shown).
    Server(String),
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let (status, error, description) = match self {
            Self::InvalidRequest(why) => (StatusCode::BAD_REQUEST, "invalid_request", why),
            Self::InvalidClient(why) => (StatusCode::UNAUTHORIZED, "invalid_client", why),
            Self::UnsupportedGrantType => (
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
            ),
            Self::UnauthorizedClient => (
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                "the client is not registered for client_credentials",
            ),
            Self::Server(detail) => {
                tracing::error!(%detail, "token endpoint failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "internal error",
                )
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
