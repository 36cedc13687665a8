//! Failures as HTTP responses: the status and headers of each [`RegistrationError`] (RFC 7591
//! §3.2.2, RFC 6750 §3), and the failures that only HTTP has (a method not served, a body too
//! large, a malformed `Authorization`).

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;

use crate::error::{RegistrationError, retry_after_seconds};
use crate::metadata::{MetadataError, sanitize_description};

/// Why the handler answers with an error.
#[derive(Debug)]
pub(super) enum Failure {
    /// What the registry said.
    Registration(RegistrationError),
    /// The request is malformed in a way that is not about metadata (several `Authorization`
    /// headers, RFC 6750 §3.1): 400 `invalid_request`.
    InvalidRequest(String),
    /// The body is larger than the configured limit: 413.
    PayloadTooLarge { limit: usize },
    /// The method is not served on this path: 405 with `Allow`.
    MethodNotAllowed { allow: &'static str },
}

impl From<RegistrationError> for Failure {
    fn from(err: RegistrationError) -> Self {
        Self::Registration(err)
    }
}

impl From<MetadataError> for Failure {
    fn from(err: MetadataError) -> Self {
        Self::Registration(err.into())
    }
}

const BEARER_INVALID: HeaderValue = HeaderValue::from_static(
    "Bearer error=\"invalid_token\", error_description=\"invalid registration access token\"",
);

const BEARER_INVALID_IAT: HeaderValue = HeaderValue::from_static(
    "Bearer error=\"invalid_token\", error_description=\"invalid initial access token\"",
);

/// The HTTP status of a registry failure.
fn status(err: &RegistrationError) -> StatusCode {
    match err {
        RegistrationError::Metadata(_) => StatusCode::BAD_REQUEST,
        RegistrationError::MissingToken
        | RegistrationError::InvalidToken
        | RegistrationError::InvalidInitialAccessToken
        | RegistrationError::MissingInitialAccessToken => StatusCode::UNAUTHORIZED,
        RegistrationError::Forbidden(_) | RegistrationError::ClientQuotaReached { .. } => {
            StatusCode::FORBIDDEN
        }
        RegistrationError::UnknownClient => StatusCode::NOT_FOUND,
        RegistrationError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        RegistrationError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        RegistrationError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl Failure {
    /// The error code of the failure, for logs and events.
    pub(super) fn code(&self) -> &'static str {
        match self {
            Self::Registration(err) => err.code(),
            Self::InvalidRequest(_)
            | Self::PayloadTooLarge { .. }
            | Self::MethodNotAllowed { .. } => "invalid_request",
        }
    }

    /// The `error` code of the body: none for a request without the token it needs. RFC 6750
    /// §3.1 gives such a request no error information, so its challenge is the bare `Bearer`,
    /// and a body claiming `invalid_token` would contradict it.
    fn body_code(&self) -> Option<&'static str> {
        match self {
            Self::Registration(
                RegistrationError::MissingToken | RegistrationError::MissingInitialAccessToken,
            ) => None,
            other => Some(other.code()),
        }
    }

    fn description(&self) -> String {
        match self {
            Self::Registration(err) => err.description(),
            Self::InvalidRequest(d) => sanitize_description(d),
            Self::PayloadTooLarge { limit } => format!("request body larger than {limit} bytes"),
            Self::MethodNotAllowed { allow } => {
                format!("method not allowed here; allowed: {allow}")
            }
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Registration(err) => status(err),
            Self::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    /// Logs the failure: store and internal failures as errors (the operator must act), a
    /// refused request at debug level. Never a credential.
    pub(super) fn log(&self, client_id: Option<&str>) {
        match self {
            Self::Registration(RegistrationError::Store(source)) => {
                tracing::error!(?client_id, error = %source, "client store failed")
            }
            Self::Registration(RegistrationError::Internal(detail)) => {
                tracing::error!(?client_id, %detail, "registration failed")
            }
            other => tracing::debug!(
                ?client_id,
                error = other.code(),
                description = %other.description(),
                "registration request rejected"
            ),
        }
    }

    /// The response: status, JSON body `{"error", "error_description"}` (the description
    /// alone for a request without the token it needs), and the `WWW-Authenticate` or `Allow`
    /// header where the RFCs require one. Common headers (caching, CORS) are added by the
    /// caller.
    pub(super) fn to_response(&self) -> Response<Full<Bytes>> {
        let description = self.description();
        let body = match self.body_code() {
            Some(code) => serde_json::json!({"error": code, "error_description": description}),
            None => serde_json::json!({"error_description": description}),
        };
        let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let challenge = match self {
            Self::Registration(
                RegistrationError::MissingToken | RegistrationError::MissingInitialAccessToken,
            ) => Some(HeaderValue::from_static("Bearer")),
            Self::Registration(RegistrationError::ClientQuotaReached { .. }) => Some(
                HeaderValue::from_static("Bearer error=\"insufficient_scope\""),
            ),
            Self::Registration(RegistrationError::InvalidToken) => Some(BEARER_INVALID),
            Self::Registration(RegistrationError::InvalidInitialAccessToken) => {
                Some(BEARER_INVALID_IAT)
            }
            // Only malformed credentials (RFC 6750 §3.1) are an `invalid_request` here.
            Self::InvalidRequest(_) => {
                Some(HeaderValue::from_static("Bearer error=\"invalid_request\""))
            }
            _ => None,
        };
        if let Some(challenge) = challenge {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        if let Self::MethodNotAllowed { allow } = self {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if let Self::Registration(RegistrationError::RateLimited { retry_after }) = self {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_seconds(*retry_after)),
            );
        }
        response
    }
}

/// The HTTP response the layer sends for a failure of the [`Registry`](crate::Registry): the
/// status, the JSON body `{"error", "error_description"}` (RFC 7591 §3.2.2), for token
/// failures `WWW-Authenticate` (RFC 6750 §3), and for a rate limit (429) `Retry-After`. A missing token
/// ([`MissingToken`](RegistrationError::MissingToken),
/// [`MissingInitialAccessToken`](RegistrationError::MissingInitialAccessToken)) gets the bare
/// `Bearer` challenge and a body of its `error_description` alone, without `error` (RFC 6750
/// §3.1). For hosts that call the registry from endpoints of their own and want to answer as
/// the layer does; add `Cache-Control: no-store` as the layer does on every response.
pub fn error_response(error: RegistrationError) -> Response<Full<Bytes>> {
    Failure::Registration(error).to_response()
}
