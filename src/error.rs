//! Every way a registration request can fail, and the one place that renders a failure as an
//! RFC-shaped HTTP response (RFC 7591 §3.2.2, RFC 6750 §3).

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;

use crate::metadata::MetadataError;
use crate::metadata::sanitize_description;
use crate::store::StoreError;

/// Why a registration operation failed. Each variant renders as one HTTP response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// The metadata was rejected: 400 with `invalid_client_metadata`, `invalid_redirect_uri`,
    /// `invalid_software_statement` or `unapproved_software_statement`.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// No bearer token was presented (or another scheme was): 401 with a bare
    /// `WWW-Authenticate: Bearer` (RFC 6750 §3.1: no error code for a missing token).
    #[error("missing bearer token")]
    MissingToken,
    /// The bearer token is malformed, wrong, foreign, revoked, or the client does not exist:
    /// 401 with `WWW-Authenticate: Bearer error="invalid_token"`. Never 404 (RFC 7592 §2).
    #[error("invalid registration access token")]
    InvalidToken,
    /// Registration needs an initial access token and the one presented is unknown, revoked,
    /// expired or used up: 401 with `WWW-Authenticate: Bearer error="invalid_token"`.
    #[error("invalid initial access token")]
    InvalidInitialAccessToken,
    /// Registration needs an initial access token and none was presented: 401 with a bare
    /// `WWW-Authenticate: Bearer` (RFC 6750 §3.1).
    #[error("missing initial access token")]
    MissingInitialAccessToken,
    /// The initial access token is valid but its client quota is reached: 403 with
    /// `WWW-Authenticate: Bearer error="insufficient_scope"` (RFC 6750 §3.1, checklist F4).
    #[error("initial access token quota reached")]
    InsufficientInitialAccessToken,
    /// A policy or a quota refuses the request: 403 `access_denied`.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The host addressed a client that does not exist: 404 (never sent to a client over
    /// HTTP, where unknown clients get 401).
    #[error("unknown client")]
    UnknownClient,
    /// The request is malformed in a way that is not about metadata (several `Authorization`
    /// headers, RFC 6750 §3.1): 400 `invalid_request`.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The body is larger than the configured limit: 413.
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The method is not served on this path: 405 with `Allow`.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The `Allow` header value.
        allow: &'static str,
    },
    /// The store failed or kept conflicting: 503 `temporarily_unavailable`. Nothing was changed.
    #[error("client store unavailable: {0}")]
    Store(#[source] StoreError),
    /// The server could not issue credentials (the OS RNG or the signing key failed): 500.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for RegistrationError {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

const BEARER_INVALID: HeaderValue = HeaderValue::from_static(
    "Bearer error=\"invalid_token\", error_description=\"invalid registration access token\"",
);

const BEARER_INVALID_IAT: HeaderValue = HeaderValue::from_static(
    "Bearer error=\"invalid_token\", error_description=\"invalid initial access token\"",
);

impl RegistrationError {
    /// The HTTP status code.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Metadata(_) | Self::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Self::MissingToken
            | Self::InvalidToken
            | Self::InvalidInitialAccessToken
            | Self::MissingInitialAccessToken => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::InsufficientInitialAccessToken => StatusCode::FORBIDDEN,
            Self::UnknownClient => StatusCode::NOT_FOUND,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `error` member of the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Metadata(m) => m.code().as_str(),
            Self::MissingToken
            | Self::InvalidToken
            | Self::InvalidInitialAccessToken
            | Self::MissingInitialAccessToken => "invalid_token",
            Self::InsufficientInitialAccessToken => "insufficient_scope",
            Self::Forbidden(_) => "access_denied",
            Self::UnknownClient => "invalid_client",
            Self::InvalidRequest(_)
            | Self::PayloadTooLarge { .. }
            | Self::MethodNotAllowed { .. } => "invalid_request",
            Self::Store(_) => "temporarily_unavailable",
            Self::Internal(_) => "server_error",
        }
    }

    /// The `error_description` member: printable ASCII, never a secret, never store internals.
    pub fn description(&self) -> String {
        match self {
            Self::Metadata(m) => m.description().to_owned(),
            Self::MissingToken => {
                "missing registration access token: send Authorization: Bearer <token>".to_owned()
            }
            Self::InvalidToken => "invalid registration access token".to_owned(),
            Self::InvalidInitialAccessToken => "invalid initial access token".to_owned(),
            Self::MissingInitialAccessToken => {
                "registration needs an initial access token: send Authorization: Bearer <token>"
                    .to_owned()
            }
            Self::InsufficientInitialAccessToken => {
                "the client quota of this initial access token is reached".to_owned()
            }
            Self::Forbidden(why) => sanitize_description(why),
            Self::UnknownClient => "unknown client".to_owned(),
            Self::InvalidRequest(d) => sanitize_description(d),
            Self::PayloadTooLarge { limit } => {
                format!("request body larger than {limit} bytes")
            }
            Self::MethodNotAllowed { allow } => {
                format!("method not allowed here; allowed: {allow}")
            }
            Self::Store(_) => "client store unavailable, try again later".to_owned(),
            Self::Internal(_) => "internal error".to_owned(),
        }
    }

    /// Renders the error: status, JSON body `{"error", "error_description"}`, and the
    /// `WWW-Authenticate` or `Allow` header where the RFCs require one. Common headers
    /// (caching, CORS) are added by the caller.
    pub fn to_response(&self) -> Response<Full<Bytes>> {
        let body = serde_json::json!({
            "error": self.code(),
            "error_description": self.description(),
        });
        let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        match self {
            Self::MissingToken | Self::MissingInitialAccessToken => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::InsufficientInitialAccessToken => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"insufficient_scope\""),
                );
            }
            Self::InvalidRequest(_) => {
                // Only malformed credentials (RFC 6750 §3.1) use this variant.
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_request\""),
                );
            }
            Self::InvalidToken => {
                headers.insert(header::WWW_AUTHENTICATE, BEARER_INVALID);
            }
            Self::InvalidInitialAccessToken => {
                headers.insert(header::WWW_AUTHENTICATE, BEARER_INVALID_IAT);
            }
            Self::MethodNotAllowed { allow } => {
                headers.insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            _ => {}
        }
        response
    }
}
