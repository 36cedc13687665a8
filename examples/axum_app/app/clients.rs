//! Who the client is: every lookup of a registered client, and every check of a public client
//! (`token_endpoint_auth_method: none`), is one function here, so that the library's own
//! (public-client authentication, client ID metadata documents) can replace them in one place.

use std::sync::Arc;

use axum::http::{HeaderMap, header};
use tower_oidc_registration::metadata::{AuthMethod, GrantType};
use tower_oidc_registration::{
    ClientAuthError, ClientCredentials, ClientRecord, Registry, StoreError,
};

use super::params::Params;
use super::token::TokenError;

/// The registered client `client_id`, if any: what `/authorize` and public clients at the
/// token endpoint are looked up with.
pub async fn find_client(
    registry: &Registry,
    client_id: &str,
) -> Result<Option<Arc<ClientRecord>>, StoreError> {
    registry.lookup(client_id).await
}

/// The redirect URI of a client that registered exactly one: `redirect_uri` may then be left
/// out of the authorization request (RFC 6749 §3.1.2.3).
pub fn only_redirect_uri(client: &ClientRecord) -> Option<String> {
    let metadata: serde_json::Value = serde_json::from_str(client.metadata().as_str()).ok()?;
    match metadata.get("redirect_uris")?.as_array()?.as_slice() {
        [only] => only.as_str().map(str::to_owned),
        _ => None,
    }
}

/// The client of a token request for `grant`, and that it registered the grant: a
/// confidential client by its secret (`Authorization: Basic`, or `client_id` and
/// `client_secret` in the form; never both, RFC 6749 §2.3), a public client by its
/// `client_id` alone.
pub async fn authenticate(
    registry: &Registry,
    headers: &HeaderMap,
    form: &Params,
    grant: GrantType,
) -> Result<Arc<ClientRecord>, TokenError> {
    let credentials = match (
        headers.get(header::AUTHORIZATION),
        form.get("client_secret"),
    ) {
        (Some(_), Some(_)) => {
            return Err(TokenError::InvalidRequest(
                "more than one client authentication method",
            ));
        }
        (Some(value), None) => {
            let basic = ClientCredentials::from_basic_authorization(value)
                .ok_or(TokenError::InvalidClient("malformed Basic credentials"))?;
            // A client_id parameter is allowed, but must name the same client.
            if form
                .get("client_id")
                .is_some_and(|id| id != basic.client_id())
            {
                return Err(TokenError::InvalidRequest(
                    "client_id does not match the Basic credentials",
                ));
            }
            basic
        }
        (None, Some(secret)) => {
            let id = form.get("client_id").ok_or(TokenError::InvalidRequest(
                "client_secret without client_id",
            ))?;
            ClientCredentials::from_form(id, secret)
        }
        (None, None) => {
            let id = form
                .get("client_id")
                .ok_or(TokenError::InvalidClient("client authentication required"))?;
            return public_client(registry, id, grant).await;
        }
    };
    // Checks the secret, then that the client registered the grant (RFC 7591 §2: absent
    // grant_types means authorization_code only).
    registry
        .authenticate_for_grant(&credentials, grant)
        .await
        .map_err(|error| match error {
            ClientAuthError::Store(error) => TokenError::Server(error.to_string()),
            ClientAuthError::GrantNotRegistered(_) => TokenError::UnauthorizedClient(grant),
            // Every other reason is one answer to the client; the log says which.
            reason => {
                tracing::info!(client_id = credentials.client_id(), %reason, "client authentication failed");
                TokenError::InvalidClient("client authentication failed")
            }
        })
}

/// A public client (`token_endpoint_auth_method: none`) identified by its `client_id`: only
/// for the grants where PKCE or a refresh token proves the client, never for
/// `client_credentials`, where the client's secret is the only proof.
async fn public_client(
    registry: &Registry,
    client_id: &str,
    grant: GrantType,
) -> Result<Arc<ClientRecord>, TokenError> {
    if !matches!(
        grant,
        GrantType::AuthorizationCode | GrantType::RefreshToken
    ) {
        return Err(TokenError::InvalidClient("client authentication required"));
    }
    let client = find_client(registry, client_id)
        .await
        .map_err(|e| TokenError::Server(e.to_string()))?
        .filter(|client| client.token_endpoint_auth_method() == AuthMethod::None)
        // Unknown, or confidential and so must authenticate: one answer for both.
        .ok_or(TokenError::InvalidClient("client authentication failed"))?;
    if !client.allows_grant_type(grant) {
        return Err(TokenError::UnauthorizedClient(grant));
    }
    Ok(client)
}
