//! What a token request grants, once its client is authenticated: the checks of the
//! `authorization_code` grant (RFC 6749 §4.1.3, PKCE RFC 7636 §4.6) and of the
//! `refresh_token` grant (RFC 6749 §6, rotated as OAuth 2.1 §4.3.1 asks of public clients).

use tower_oidc_registration::ClientRecord;
use tower_oidc_registration::metadata::GrantType;

use super::params::{Params, pkce_matches};
use super::token::TokenError;
use super::tokens::{AccessGrant, Tokens};

/// The access token's grant, and the refresh token's when one is issued.
pub struct Issued {
    pub access: AccessGrant,
    pub refresh: Option<AccessGrant>,
}

/// `grant_type=authorization_code`: the code `/authorize` issued to this client, with the
/// verifier of its PKCE challenge.
pub fn exchange_code(
    tokens: &Tokens,
    client: &ClientRecord,
    form: &Params,
    resource: Option<&str>,
) -> Result<Issued, TokenError> {
    let code = form
        .get("code")
        .ok_or(TokenError::InvalidRequest("code is missing"))?;
    let verifier = form.get("code_verifier").ok_or(TokenError::InvalidRequest(
        "code_verifier is missing (PKCE)",
    ))?;
    // Spent now, whatever follows: a code is good for one request (RFC 6749 §4.1.2), so a
    // wrong verifier cannot be retried against it.
    let code = tokens
        .codes
        .take(code)
        .ok_or(TokenError::InvalidGrant("unknown, used or expired code"))?;
    if code.client_id != client.client_id() {
        return Err(TokenError::InvalidGrant(
            "the code was issued to another client",
        ));
    }
    match form.get("redirect_uri") {
        Some(uri) if uri != code.redirect_uri => {
            return Err(TokenError::InvalidGrant(
                "redirect_uri differs from the authorization request's",
            ));
        }
        None if code.redirect_uri_sent => {
            return Err(TokenError::InvalidRequest(
                "redirect_uri is required: the authorization request had one",
            ));
        }
        _ => {}
    }
    if !pkce_matches(verifier, &code.code_challenge) {
        return Err(TokenError::InvalidGrant(
            "code_verifier does not match the code_challenge",
        ));
    }
    let resource = match (code.resource, resource) {
        (Some(granted), Some(asked)) if granted != asked => {
            return Err(TokenError::InvalidTarget(
                "resource differs from the authorization request's",
            ));
        }
        (granted, asked) => granted.or(asked.map(str::to_owned)),
    };
    let access = AccessGrant {
        client_id: code.client_id,
        scope: code.scope,
        resource,
        user: Some(code.user),
    };
    let refresh = client
        .allows_grant_type(GrantType::RefreshToken)
        .then(|| access.clone());
    Ok(Issued { access, refresh })
}

/// `grant_type=refresh_token`: a refresh token issued to this client, exchanged for a new
/// access token and a new refresh token; the old one is spent. `resource` and `scope` may
/// narrow the access token, never widen the grant.
pub fn refresh(
    tokens: &Tokens,
    client: &ClientRecord,
    form: &Params,
    resource: Option<&str>,
) -> Result<Issued, TokenError> {
    let token = form
        .get("refresh_token")
        .ok_or(TokenError::InvalidRequest("refresh_token is missing"))?;
    let unknown = || TokenError::InvalidGrant("unknown, used or expired refresh token");
    // Another client's token is refused without spending it.
    let Some(grant) = tokens
        .refresh
        .get(token)
        .filter(|grant| grant.client_id == client.client_id())
    else {
        return Err(unknown());
    };
    let resource = match (&grant.resource, resource) {
        (Some(granted), Some(asked)) if granted != asked => {
            return Err(TokenError::InvalidTarget(
                "resource is not one the grant covers",
            ));
        }
        (Some(granted), _) => Some(granted.clone()),
        (None, asked) => asked.map(str::to_owned),
    };
    let scope = match form.get("scope") {
        None => grant.scope.clone(),
        Some(asked) if is_subset(asked, grant.scope.as_deref()) => Some(asked.to_owned()),
        Some(_) => return Err(TokenError::InvalidScope),
    };
    // Rotation: of two requests with the same token, only the first gets here with it.
    tokens.refresh.take(token).ok_or_else(unknown)?;
    let access = AccessGrant {
        scope,
        resource,
        ..grant.clone()
    };
    Ok(Issued {
        access,
        refresh: Some(grant),
    })
}

/// Whether every scope token of `asked` is in `granted` (RFC 6749 §3.3, §6).
fn is_subset(asked: &str, granted: Option<&str>) -> bool {
    let granted: Vec<&str> = granted.unwrap_or_default().split(' ').collect();
    asked.split(' ').all(|scope| granted.contains(&scope))
}
