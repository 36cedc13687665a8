//! Why a registration operation failed, in the terms of the OAuth RFCs: each failure has the
//! RFC 7591 §3.2.2 / RFC 6750 §3.1 error code and a description that is safe to show a client.
//! Turning a failure into an HTTP response (status, `WWW-Authenticate`) is the handler's job.

use std::time::Duration;

use crate::metadata::MetadataError;
use crate::metadata::sanitize_description;
use crate::store::StoreError;

/// Why a [`Registry`](crate::Registry) operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// The metadata was rejected: `invalid_client_metadata`, `invalid_redirect_uri`,
    /// `invalid_software_statement` or `unapproved_software_statement` (HTTP 400).
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// A client's registration was addressed without its registration access token (HTTP 401
    /// with a bare `WWW-Authenticate: Bearer` and a body without `error`: RFC 6750 §3.1 gives
    /// no error code for a missing token).
    #[error("missing registration access token")]
    MissingToken,
    /// The registration access token is malformed, wrong, another client's, revoked, or the
    /// client does not exist: `invalid_token` (HTTP 401, never 404: RFC 7592 §2).
    #[error("invalid registration access token")]
    InvalidToken,
    /// The initial access token presented is unknown, revoked, expired or used up:
    /// `invalid_token` (HTTP 401).
    #[error("invalid initial access token")]
    InvalidInitialAccessToken,
    /// Registration needs an initial access token and none was presented (HTTP 401 with a bare
    /// `WWW-Authenticate: Bearer` and a body without `error`, as for
    /// [`MissingToken`](Self::MissingToken)).
    #[error("missing initial access token")]
    MissingInitialAccessToken,
    /// The initial access token is valid, but as many clients as it may register exist
    /// already: `insufficient_scope` (HTTP 403, RFC 6750 §3.1).
    #[error("the client quota of initial access token {token_id} is reached")]
    ClientQuotaReached {
        /// The id of the initial access token (not the token).
        token_id: String,
    },
    /// A policy or a quota refuses the request: `access_denied` (HTTP 403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The host addressed a client that does not exist: `invalid_client` (HTTP 404; a client
    /// that addresses an unknown client gets [`InvalidToken`](Self::InvalidToken) instead).
    #[error("unknown client")]
    UnknownClient,
    /// Too many registration requests, from the client's address or to the whole server
    /// ([`registration_rate_limit`](crate::RegistrationConfigBuilder::registration_rate_limit)):
    /// `temporarily_unavailable` (HTTP 429, with `Retry-After`). Nothing was read or changed.
    #[error("registration rate limit reached: retry after {retry_after:?}")]
    RateLimited {
        /// When the next request is admitted (the response's `Retry-After`, rounded up to
        /// whole seconds).
        retry_after: Duration,
    },
    /// The store failed or kept conflicting: `temporarily_unavailable` (HTTP 503). Nothing was
    /// changed.
    #[error("client store unavailable: {0}")]
    Store(#[source] StoreError),
    /// The server could not issue credentials (the OS RNG or the signing key failed):
    /// `server_error` (HTTP 500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for RegistrationError {
    fn from(err: StoreError) -> Self {
        match err {
            // A store at its bound refuses the registration as a quota does.
            StoreError::Full { max_clients } => Self::Forbidden(format!(
                "the registration limit of {max_clients} clients is reached"
            )),
            err => Self::Store(err),
        }
    }
}

impl RegistrationError {
    /// The error code of the failure (RFC 7591 §3.2.2, RFC 6750 §3.1): the `error` of the
    /// response body, and what logs and [`EventKind::Rejected`](crate::EventKind::Rejected)
    /// report. A missing token ([`MissingToken`](Self::MissingToken),
    /// [`MissingInitialAccessToken`](Self::MissingInitialAccessToken)) is `invalid_token` here,
    /// but its response body carries no `error` (RFC 6750 §3.1).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Metadata(m) => m.code().as_str(),
            Self::MissingToken
            | Self::InvalidToken
            | Self::InvalidInitialAccessToken
            | Self::MissingInitialAccessToken => "invalid_token",
            Self::ClientQuotaReached { .. } => "insufficient_scope",
            Self::Forbidden(_) => "access_denied",
            Self::UnknownClient => "invalid_client",
            Self::RateLimited { .. } | Self::Store(_) => "temporarily_unavailable",
            Self::Internal(_) => "server_error",
        }
    }

    /// The `error_description`: printable ASCII, never a secret, never store internals.
    pub fn description(&self) -> String {
        match self {
            Self::Metadata(m) => m.description().to_owned(),
            Self::MissingToken => {
                "a registration access token is required: send Authorization: Bearer <token>"
                    .to_owned()
            }
            Self::InvalidToken => "invalid registration access token".to_owned(),
            Self::InvalidInitialAccessToken => "invalid initial access token".to_owned(),
            Self::MissingInitialAccessToken => {
                "registration needs an initial access token: send Authorization: Bearer <token>"
                    .to_owned()
            }
            Self::ClientQuotaReached { .. } => {
                "the client quota of this initial access token is reached".to_owned()
            }
            Self::Forbidden(why) => sanitize_description(why),
            Self::UnknownClient => "unknown client".to_owned(),
            Self::RateLimited { retry_after } => format!(
                "too many registration requests: retry after {} s",
                retry_after_seconds(*retry_after)
            ),
            Self::Store(_) => "client store unavailable, try again later".to_owned(),
            Self::Internal(_) => "internal error".to_owned(),
        }
    }
}

/// A wait in whole seconds, rounded up, at least 1: what `Retry-After` says (RFC 9110 §10.2.3),
/// never earlier than the limit admits.
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}
