//! Client authentication at the host's token endpoint: `client_secret_basic` and
//! `client_secret_post` (RFC 6749 §2.3.1), and public clients (`none`, RFC 6749 §2.1) by their
//! id alone, against the registered clients and, when enabled, client id metadata documents.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::Registry;
use crate::client_id_document::{self, ClientLookupError};
use crate::metadata::{AuthMethod, GrantType};
use crate::secret::Secret;
use crate::store::{ClientRecord, StoreError};

/// Client credentials as a client presented them.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientCredentials {
    /// HTTP Basic (`client_secret_basic`).
    Basic {
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: Secret,
    },
    /// Form parameters `client_id` and `client_secret` (`client_secret_post`).
    Post {
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: Secret,
    },
    /// A public client (`none`, RFC 6749 §2.1): the `client_id` parameter alone. It proves
    /// nothing about who sends it; the grant must (PKCE for `authorization_code`, RFC 7636).
    Public {
        /// The client id.
        client_id: String,
    },
}

impl ClientCredentials {
    /// Credentials from the value of an `Authorization: Basic` header (an `http::HeaderValue`
    /// or its text): base64 of the form-urlencoded id, `:`, and the form-urlencoded secret
    /// (RFC 6749 §2.3.1). `None` for any other header.
    pub fn from_basic_authorization(value: impl AsRef<[u8]>) -> Option<Self> {
        let value = std::str::from_utf8(value.as_ref()).ok()?;
        let (scheme, encoded) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = STANDARD.decode(encoded.trim()).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        Some(Self::Basic {
            client_id: form_decode(id)?,
            client_secret: Secret::new(form_decode(secret)?),
        })
    }

    /// Credentials from the `client_id` and `client_secret` form parameters.
    pub fn from_form(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self::Post {
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret.into()),
        }
    }

    /// A public client's credentials: the `client_id` form parameter without a secret.
    pub fn public(client_id: impl Into<String>) -> Self {
        Self::Public {
            client_id: client_id.into(),
        }
    }

    /// The client id presented.
    pub fn client_id(&self) -> &str {
        match self {
            Self::Basic { client_id, .. }
            | Self::Post { client_id, .. }
            | Self::Public { client_id } => client_id,
        }
    }

    fn parts(&self) -> (&str, Option<&Secret>, AuthMethod) {
        match self {
            Self::Basic {
                client_id,
                client_secret,
            } => (
                client_id,
                Some(client_secret),
                AuthMethod::ClientSecretBasic,
            ),
            Self::Post {
                client_id,
                client_secret,
            } => (client_id, Some(client_secret), AuthMethod::ClientSecretPost),
            Self::Public { client_id } => (client_id, None, AuthMethod::None),
        }
    }
}

/// `application/x-www-form-urlencoded` decoding of one component (`+` is a space).
fn form_decode(component: &str) -> Option<String> {
    // The usual case, and every id and secret this crate issues (UUIDs, base64url): nothing to
    // decode, so one copy, not three passes and two more allocations on every token request.
    if !component.bytes().any(|b| b == b'+' || b == b'%') {
        return Some(component.to_owned());
    }
    let spaced = component.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// Why client authentication failed, or why an authenticated client may not use a grant.
/// [`error_code`](Self::error_code) is the RFC 6749 §5.2 answer: every failure to authenticate
/// is the same `invalid_client` (the distinction is for the host's logs), a grant the client
/// did not register is `unauthorized_client`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientAuthError {
    /// No such client (never registered, or deleted).
    #[error("unknown client")]
    UnknownClient,
    /// The client authenticates another way (its registered `token_endpoint_auth_method`).
    #[error("the client is registered for {registered}, not {presented}")]
    WrongMethod {
        /// The registered method.
        registered: AuthMethod,
        /// The method the credentials were presented with.
        presented: AuthMethod,
    },
    /// The secret does not match.
    #[error("wrong client secret")]
    WrongSecret,
    /// The secret expired (`client_secret_expires_at`).
    #[error("client secret expired")]
    ExpiredSecret,
    /// A public client asked for a grant that only a confidential client may use
    /// (`client_credentials`, RFC 6749 §4.4; `password`): nothing but a secret proves who
    /// asks ([`Registry::authenticate_for_grant`]).
    #[error("the {0} grant is for confidential clients only")]
    ConfidentialGrant(GrantType),
    /// The client authenticated, but did not register the grant it asks for
    /// ([`Registry::authenticate_for_grant`]).
    #[error("the client is not registered for the {0} grant")]
    GrantNotRegistered(GrantType),
    /// The client id is a URL whose client id metadata document was refused or could not be
    /// fetched ([`Registry::client`]).
    #[error(transparent)]
    MetadataDocument(ClientLookupError),
    /// The store failed.
    #[error("client store: {0}")]
    Store(#[from] StoreError),
}

impl From<ClientLookupError> for ClientAuthError {
    fn from(error: ClientLookupError) -> Self {
        match error {
            ClientLookupError::Store(error) => Self::Store(error),
            error => Self::MetadataDocument(error),
        }
    }
}

impl ClientAuthError {
    /// The token endpoint's error code (RFC 6749 §5.2): `unauthorized_client` for a grant the
    /// client did not register, `server_error` when the store failed (answer 500, not 401),
    /// `invalid_client` for every other failure.
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::GrantNotRegistered(_) | Self::ConfidentialGrant(_) => "unauthorized_client",
            Self::Store(_) => "server_error",
            Self::UnknownClient
            | Self::WrongMethod { .. }
            | Self::WrongSecret
            | Self::ExpiredSecret
            | Self::MetadataDocument(_) => "invalid_client",
        }
    }
}

impl Registry {
    /// Authenticates a client at the host's token endpoint: the client exists (registered, or
    /// described by its client id metadata document: [`client`](Self::client)), is registered
    /// for the method the credentials use, and the secret matches (compared in constant time,
    /// also when stored hashed) and has not expired. A public client
    /// ([`ClientCredentials::Public`]) authenticates by its id alone when it registered `none`.
    ///
    /// Authentication says who the client is, not what it may do. It does **not** check the
    /// grant type, the scopes or the redirect URI of the request: a token endpoint that issues
    /// tokens on `authenticate` alone issues `client_credentials` tokens to a client registered
    /// for `authorization_code` only. Use [`authenticate_for_grant`](Self::authenticate_for_grant),
    /// or check [`ClientRecord::allows_grant_type`] yourself.
    ///
    /// A successful authentication is a use of the client (for the expiry of unused clients).
    pub async fn authenticate(
        &self,
        credentials: &ClientCredentials,
    ) -> Result<Arc<ClientRecord>, ClientAuthError> {
        let (client_id, secret, presented) = credentials.parts();
        let record = self
            .client(client_id)
            .await?
            .ok_or(ClientAuthError::UnknownClient)?;
        if record.token_endpoint_auth_method() != presented {
            return Err(ClientAuthError::WrongMethod {
                registered: record.token_endpoint_auth_method(),
                presented,
            });
        }
        if let Some(secret) = secret {
            let stored = record.client_secret().ok_or(ClientAuthError::WrongSecret)?;
            if !stored.matches(secret.expose()) {
                return Err(ClientAuthError::WrongSecret);
            }
            if record.secret_expired_at(self.now()) {
                return Err(ClientAuthError::ExpiredSecret);
            }
        }
        if !client_id_document::is_url_client_id(record.client_id()) {
            self.touch(client_id).await;
        }
        Ok(record)
    }

    /// [`authenticate`](Self::authenticate), then checks that the client registered
    /// `grant_type` (`authorization_code` when it registered none, RFC 7591 §2): what a token
    /// endpoint calls before issuing tokens for that grant.
    ///
    /// ```
    /// use tower_oidc_registration::metadata::GrantType;
    /// use tower_oidc_registration::{ClientCredentials, Registry};
    ///
    /// /// The client behind `authorization`, if it may get a `client_credentials` token.
    /// async fn token_endpoint(registry: &Registry, authorization: &http::HeaderValue) -> Option<String> {
    ///     let credentials = ClientCredentials::from_basic_authorization(authorization)?;
    ///     let client = registry
    ///         .authenticate_for_grant(&credentials, GrantType::ClientCredentials)
    ///         .await
    ///         .ok()?; // error.error_code(): invalid_client, unauthorized_client or server_error
    ///     Some(client.client_id().to_owned())
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`authenticate`](Self::authenticate),
    /// [`ClientAuthError::GrantNotRegistered`], and [`ClientAuthError::ConfidentialGrant`] for
    /// public credentials asking for `client_credentials` or `password`.
    pub async fn authenticate_for_grant(
        &self,
        credentials: &ClientCredentials,
        grant_type: GrantType,
    ) -> Result<Arc<ClientRecord>, ClientAuthError> {
        // Checked first, without a lookup: whatever a public client registered, these grants
        // would hand tokens to anyone who knows its id.
        if matches!(credentials, ClientCredentials::Public { .. })
            && matches!(
                grant_type,
                GrantType::ClientCredentials | GrantType::Password
            )
        {
            return Err(ClientAuthError::ConfidentialGrant(grant_type));
        }
        let record = self.authenticate(credentials).await?;
        if record.allows_grant_type(grant_type) {
            Ok(record)
        } else {
            Err(ClientAuthError::GrantNotRegistered(grant_type))
        }
    }
}

#[cfg(test)]
mod tests;
