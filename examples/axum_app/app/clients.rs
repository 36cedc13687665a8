//! Who the client is, through the [`Registry`]: a registered client, or, with
//! `--client-id-metadata-documents`, a client whose `client_id` is the `https` URL of its
//! client ID metadata document; confidential clients by their secret, public ones
//! (`token_endpoint_auth_method: none`) by their id.

use std::sync::Arc;

use axum::http::{HeaderMap, header};
use tower_oidc_registration::metadata::GrantType;
use tower_oidc_registration::{
    ClientAuthError, ClientCredentials, ClientLookupError, ClientRecord, Registry,
};

use super::params::Params;
use super::token::TokenError;

/// The client `client_id`, registered or described by its metadata document: what
/// `/authorize` looks clients up with. `Ok(None)` for an unknown registered id.
pub async fn find_client(
    registry: &Registry,
    client_id: &str,
) -> Result<Option<Arc<ClientRecord>>, ClientLookupError> {
    registry.client(client_id).await
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
            // The registry refuses it client_credentials, where a secret is the only proof.
            ClientCredentials::public(id)
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
            ClientAuthError::ConfidentialGrant(_) => {
                TokenError::InvalidClient("client authentication required")
            }
            // Every other reason is one answer to the client; the log says which.
            reason => {
                tracing::info!(client_id = credentials.client_id(), %reason, "client authentication failed");
                TokenError::InvalidClient("client authentication failed")
            }
        })
}
