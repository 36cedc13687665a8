//! The bare token endpoint of `bench_token_baseline` (see `main.rs`): a `Router` with
//! `POST /token` alone. `benches/profile.rs` includes this file to count its instructions per
//! request in process, against `examples/axum_app`'s endpoint.

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A token response of `axum_app`'s shape, as `serde_json` writes it (compact, members in
/// alphabetical order): the access token is 32 bytes in base64url, 43 characters.
const TOKEN_RESPONSE: &str = r#"{"access_token":"q5vW3m1VJ8n0c2Yl7xK4pT9sR6uE1aZ3bD8fG0hI2jL","expires_in":3600,"token_type":"Bearer"}"#;

/// The application: `POST /token`, nothing else.
pub fn router() -> Router {
    Router::new().route("/token", post(token))
}

/// `POST /token`: the body is read (as a token endpoint must), the Basic credentials decoded,
/// and the constant token response sent.
async fn token(headers: HeaderMap, _body: Bytes) -> Response {
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| basic_credentials(value.as_bytes()));
    let Some((client_id, client_secret)) = credentials else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    // Looked at, so that the decoding is not optimized away.
    if client_id.is_empty() || client_secret.is_empty() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::PRAGMA, HeaderValue::from_static("no-cache")),
        ],
        TOKEN_RESPONSE,
    )
        .into_response()
}

/// The id and secret of `Basic base64(id:secret)` (RFC 7617), without form-decoding them: the
/// benchmark's ids and secrets need none.
fn basic_credentials(value: &[u8]) -> Option<(String, String)> {
    let encoded = value.strip_prefix(b"Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}
