//! Registration rules and defaults (RFC 7591 §2, OpenID Connect
//! Dynamic Client Registration 1.0 §2, RFC 8252).
//!
//! [`validate`] is a pure function of the metadata and the server's [`MetadataRules`]: it
//! fills in the defaults, checks every rule and returns the completed metadata, so that what
//! it returns is exactly what gets registered and echoed. It is idempotent: validating its
//! own output gives the same output.
//!
//! One rule needs the network and is not here: a `sector_identifier_uri` is only checked to be
//! https, and it lifts the one-redirect-host rule for pairwise clients (OpenID Connect Core §8.1);
//! that its document lists every redirect URI is checked by [`Registry`](crate::Registry), which fetches
//! it. A host that calls `validate` directly and keeps such metadata must fetch and check the
//! sector document itself.
//!
//! Owns the order in which rules run and the rules of no more specific module. Must not know
//! JSON (it works on the parsed model), HTTP, stores or the network.

use super::algorithms::algorithms;
use super::dereferenced::dereferenced_uri_hosts;
use super::error::{MetadataError, MetadataErrorCode};
use super::jwk::check_jwk_set;
use super::lang;
use super::model::{
    ApplicationType, AuthMethod, ClientMetadata, GrantType, ResponseType, SubjectType,
};
use super::profile::security_profile;
use super::redirect_uri::{RedirectPolicy, Schemes, check_redirect_uri, check_url, sector_key};
use super::rules::MetadataRules;
use crate::syntax::quoted;

/// Applies the registration rules and defaults to parsed metadata and returns the metadata to
/// register.
///
/// Defaults filled in: `token_endpoint_auth_method`
/// (`client_secret_basic`), `application_type` (`web`), `grant_types` / `response_types`
/// (`authorization_code` / `code` when both are absent, otherwise derived from the one given),
/// `id_token_signed_response_alg` (`RS256`), each `*_enc` whose `*_alg` is given
/// (`A128CBC-HS256`), and `scope` from [`MetadataRules::default_scope`].
///
/// Rules checked: the server's allow-lists, the consistency of
/// `grant_types` and `response_types`, redirect URIs for the application type, the key
/// material required by the authentication method and each key of a `jwks` (see the `jwk`
/// module), the URL members, pairwise subjects, scope syntax, the algorithm members and the
/// keys or secret they need (`algorithms` module), the security-profile and logout members
/// (`profile` module), the declared extension members
/// ([`MetadataRules::extensions`]; undeclared ones are dropped), and with
/// [`MetadataRules::refuse_special_purpose_hosts`] the hosts of the URIs the server or the host
/// dereferences (`dereferenced` module). A `sector_identifier_uri` must
/// be https here; that its document lists every redirect URI is checked by
/// [`Registry`](crate::Registry), which fetches it.
///
/// Validating the returned metadata again returns it unchanged.
///
/// # Errors
///
/// `invalid_redirect_uri` for a missing or unacceptable redirect URI, `invalid_client_metadata`
/// for anything else; the description names the member and, for arrays, the index.
pub fn validate(
    mut meta: ClientMetadata,
    rules: &MetadataRules,
) -> Result<ClientMetadata, MetadataError> {
    check_language_tags(&meta)?;
    grant_and_response_types(&mut meta, rules)?;
    auth_method(&mut meta, rules)?;
    let application_type = *meta.application_type.get_or_insert(ApplicationType::Web);
    redirect_uris(&meta, application_type, rules)?;
    sector_identifier_uri(&meta)?;
    url_members(&meta, application_type, rules)?;
    dereferenced_uri_hosts(&meta, rules)?;
    keys(&meta)?;
    subject_type(&meta, rules)?;
    algorithms(&mut meta, rules)?;
    scope(&mut meta, rules)?;
    contacts(&meta)?;
    security_profile(&meta, rules)?;
    rules.extensions.apply(&mut meta.extensions)?;
    Ok(meta)
}

fn invalid(description: String) -> MetadataError {
    MetadataError::client_metadata(description)
}

/// Language tags well-formed and unique (RFC 7591 §2.2; again, for metadata not built by [`parse`](fn@super::parse)).
fn check_language_tags(meta: &ClientMetadata) -> Result<(), MetadataError> {
    for (member, value) in lang::localized_values(meta) {
        lang::check_localized(member, value)?;
    }
    Ok(())
}

/// Defaults, allow-lists and consistency (RFC 7591 §2.1) of `grant_types` and `response_types`.
fn grant_and_response_types(
    meta: &mut ClientMetadata,
    rules: &MetadataRules,
) -> Result<(), MetadataError> {
    if let Some(response_types) = &meta.response_types {
        for (i, rt) in response_types.iter().enumerate() {
            if !rules.response_types.contains(rt) {
                return Err(invalid(format!(
                    "response_types[{i}]: unsupported response type {}",
                    quoted(rt.as_str())
                )));
            }
        }
    }
    if let Some(grant_types) = &meta.grant_types {
        for (i, gt) in grant_types.iter().enumerate() {
            if !rules.grant_types.contains(gt) {
                return Err(invalid(format!(
                    "grant_types[{i}]: unsupported grant type {}",
                    quoted(gt.as_str())
                )));
            }
        }
    }

    let (grant_types, response_types) = match (meta.grant_types.take(), meta.response_types.take())
    {
        (Some(g), Some(r)) => (g, r),
        (None, None) => {
            if !rules.grant_types.contains(&GrantType::AuthorizationCode) {
                return Err(invalid(
                    "grant_types: the default grant type 'authorization_code' is not supported; register grant_types explicitly"
                        .into(),
                ));
            }
            if !rules.response_types.contains(&ResponseType::Code) {
                return Err(invalid(
                    "response_types: the default response type 'code' is not supported; register response_types explicitly"
                        .into(),
                ));
            }
            (vec![GrantType::AuthorizationCode], vec![ResponseType::Code])
        }
        (None, Some(r)) => {
            let g = grants_for(&r);
            if let Some(gt) = g.iter().find(|gt| !rules.grant_types.contains(gt)) {
                return Err(invalid(format!(
                    "grant_types: grant type {} (derived from response_types) is not supported",
                    quoted(gt.as_str())
                )));
            }
            (g, r)
        }
        (Some(g), None) => {
            let r = responses_for(&g);
            if let Some(rt) = r.iter().find(|rt| !rules.response_types.contains(rt)) {
                return Err(invalid(format!(
                    "response_types: response type {} (derived from grant_types) is not supported; register response_types explicitly",
                    quoted(rt.as_str())
                )));
            }
            (g, r)
        }
    };

    // Consistency (RFC 7591 §2.1). Defaults and derived values pass by construction.
    for rt in &response_types {
        if rt.has_code() && !grant_types.contains(&GrantType::AuthorizationCode) {
            return Err(invalid(format!(
                "grant_types: response type {} requires grant type 'authorization_code'",
                quoted(rt.as_str())
            )));
        }
        if rt.has_implicit() && !grant_types.contains(&GrantType::Implicit) {
            return Err(invalid(format!(
                "grant_types: response type {} requires grant type 'implicit'",
                quoted(rt.as_str())
            )));
        }
    }
    if grant_types.contains(&GrantType::AuthorizationCode)
        && !response_types.iter().any(|rt| rt.has_code())
    {
        return Err(invalid(
            "response_types: grant type 'authorization_code' requires a response type containing 'code'"
                .into(),
        ));
    }
    if grant_types.contains(&GrantType::Implicit)
        && !response_types.iter().any(|rt| rt.has_implicit())
    {
        return Err(invalid(
            "response_types: grant type 'implicit' requires a response type containing 'id_token' or 'token'"
                .into(),
        ));
    }

    meta.grant_types = Some(grant_types);
    meta.response_types = Some(response_types);
    Ok(())
}

/// The grant types the response types need: `authorization_code` then `implicit`.
fn grants_for(response_types: &[ResponseType]) -> Vec<GrantType> {
    let mut out = Vec::new();
    if response_types.iter().any(|rt| rt.has_code()) {
        out.push(GrantType::AuthorizationCode);
    }
    if response_types.iter().any(|rt| rt.has_implicit()) {
        out.push(GrantType::Implicit);
    }
    out
}

/// The response types registered for grant types given alone: `code` for
/// `authorization_code`, `id_token` for `implicit`, nothing for the other grants.
fn responses_for(grant_types: &[GrantType]) -> Vec<ResponseType> {
    let mut out = Vec::new();
    if grant_types.contains(&GrantType::AuthorizationCode) {
        out.push(ResponseType::Code);
    }
    if grant_types.contains(&GrantType::Implicit) {
        out.push(ResponseType::IdToken);
    }
    out
}

/// Default, allow-list and key requirement of `token_endpoint_auth_method`.
fn auth_method(meta: &mut ClientMetadata, rules: &MetadataRules) -> Result<(), MetadataError> {
    let method = match meta.token_endpoint_auth_method {
        Some(method) => {
            if !rules.auth_methods.contains(&method) {
                return Err(invalid(format!(
                    "token_endpoint_auth_method: unsupported authentication method {}",
                    quoted(method.as_str())
                )));
            }
            method
        }
        None => {
            let method = AuthMethod::ClientSecretBasic;
            if !rules.auth_methods.contains(&method) {
                return Err(invalid(format!(
                    "token_endpoint_auth_method: the default '{method}' is not supported; register token_endpoint_auth_method explicitly"
                )));
            }
            meta.token_endpoint_auth_method = Some(method);
            method
        }
    };
    if matches!(
        method,
        AuthMethod::PrivateKeyJwt | AuthMethod::SelfSignedTlsClientAuth
    ) && meta.jwks.is_none()
        && meta.jwks_uri.is_none()
    {
        return Err(invalid(format!(
            "token_endpoint_auth_method: {method} requires jwks or jwks_uri"
        )));
    }
    Ok(())
}

/// `redirect_uris`: required for redirect-based grants (RFC 7591 §2), each URI acceptable for
/// the application type (RFC 6749 §3.1.2, RFC 8252 §7).
fn redirect_uris(
    meta: &ClientMetadata,
    application_type: ApplicationType,
    rules: &MetadataRules,
) -> Result<(), MetadataError> {
    let grant_types = meta.grant_types.as_deref().unwrap_or_default();
    let redirect_based = grant_types
        .iter()
        .any(|gt| matches!(gt, GrantType::AuthorizationCode | GrantType::Implicit))
        || meta.response_types.as_ref().is_some_and(|r| !r.is_empty());
    let uris = meta.redirect_uris.as_deref().unwrap_or_default();
    if redirect_based && uris.is_empty() {
        return Err(MetadataError::redirect_uri(
            "redirect_uris: required for the authorization_code and implicit grant types",
        ));
    }
    let policy = RedirectPolicy {
        application_type,
        implicit: grant_types.contains(&GrantType::Implicit),
        native_https: rules.native_https_redirects,
        code: MetadataErrorCode::InvalidRedirectUri,
    };
    for (i, uri) in uris.iter().enumerate() {
        check_redirect_uri("redirect_uris", i, uri, &policy)?;
    }
    Ok(())
}

/// The URL-valued members other than `redirect_uris`: `jwks_uri`, `initiate_login_uri`,
/// `request_uris`, the logout URIs and the localized URLs.
fn url_members(
    meta: &ClientMetadata,
    application_type: ApplicationType,
    rules: &MetadataRules,
) -> Result<(), MetadataError> {
    use Schemes::{HttpOrHttps, Https};

    let localized_urls = lang::localized_values(meta).filter(|(member, _)| lang::holds_url(member));
    for (member, value) in localized_urls {
        for (tag, uri) in value.values() {
            check_url(&lang::tagged_label(member, tag), uri, HttpOrHttps, true)?;
        }
    }
    // `sector_identifier_uri` is checked before, by `sector_identifier_uri`.
    let singles: [(&str, &Option<String>, Schemes, bool); 4] = [
        ("jwks_uri", &meta.jwks_uri, Https, false),
        ("initiate_login_uri", &meta.initiate_login_uri, Https, true),
        (
            // OpenID Connect Front-Channel Logout §2: no fragment.
            "frontchannel_logout_uri",
            &meta.frontchannel_logout_uri,
            HttpOrHttps,
            false,
        ),
        (
            "backchannel_logout_uri",
            &meta.backchannel_logout_uri,
            HttpOrHttps,
            false,
        ),
    ];
    for (member, value, schemes, fragment_allowed) in singles {
        if let Some(uri) = value {
            check_url(member, uri, schemes, fragment_allowed)?;
        }
    }
    for (i, uri) in meta.request_uris.iter().flatten().enumerate() {
        check_url(&format!("request_uris[{i}]"), uri, HttpOrHttps, true)?;
    }
    let policy = RedirectPolicy {
        application_type,
        implicit: false,
        native_https: rules.native_https_redirects,
        code: MetadataErrorCode::InvalidClientMetadata,
    };
    for (i, uri) in meta.post_logout_redirect_uris.iter().flatten().enumerate() {
        check_redirect_uri("post_logout_redirect_uris", i, uri, &policy)?;
    }
    Ok(())
}

/// `jwks` xor `jwks_uri` (RFC 7591 §2), `jwks` a JWK Set of public keys, and the keys the
/// authentication method needs in it: a signature key for `private_key_jwt`, a certificate
/// (`x5c`) for `self_signed_tls_client_auth` (RFC 8705 §2.2).
fn keys(meta: &ClientMetadata) -> Result<(), MetadataError> {
    let Some(jwks) = &meta.jwks else {
        return Ok(());
    };
    if meta.jwks_uri.is_some() {
        return Err(invalid(
            "jwks: must not be registered together with jwks_uri".into(),
        ));
    }
    let summary = check_jwk_set(jwks)?;
    match meta.token_endpoint_auth_method {
        Some(AuthMethod::PrivateKeyJwt) if !summary.has_signature_key => Err(invalid(
            "jwks: private_key_jwt needs a signature key (an RSA, EC or Ed25519/Ed448 key without use 'enc')"
                .into(),
        )),
        Some(AuthMethod::SelfSignedTlsClientAuth) if !summary.has_certificate => Err(invalid(
            "jwks: self_signed_tls_client_auth needs a key with its certificate in 'x5c'".into(),
        )),
        _ => Ok(()),
    }
}

/// The part of the `sector_identifier_uri` rule that needs no fetch: it is an https URL. That its
/// document lists every redirect URI is checked by the registry, which fetches it
/// (`registry/sector.rs`), before anything is stored.
fn sector_identifier_uri(meta: &ClientMetadata) -> Result<(), MetadataError> {
    match &meta.sector_identifier_uri {
        Some(uri) => check_url("sector_identifier_uri", uri, Schemes::Https, false),
        None => Ok(()),
    }
}

/// Allow-list of `subject_type`, and for pairwise clients one redirect scheme and host
/// (OpenID Connect Core §8.1) unless a `sector_identifier_uri` groups the hosts (the registry
/// checks its document).
fn subject_type(meta: &ClientMetadata, rules: &MetadataRules) -> Result<(), MetadataError> {
    let Some(subject_type) = meta.subject_type else {
        return Ok(());
    };
    if !rules.subject_types.contains(&subject_type) {
        return Err(invalid(format!(
            "subject_type: unsupported subject type {}",
            quoted(subject_type.as_str())
        )));
    }
    if subject_type != SubjectType::Pairwise || meta.sector_identifier_uri.is_some() {
        return Ok(());
    }
    // Compare scheme and host: private-use-scheme URIs (`com.example.app:/cb`) have no host,
    // and must not all count as the same one.
    let uris = meta.redirect_uris.as_deref().unwrap_or_default();
    if let Some(first) = uris.first() {
        let key = sector_key(first);
        if let Some(i) = uris.iter().position(|u| sector_key(u) != key) {
            return Err(invalid(format!(
                "redirect_uris[{i}]: scheme or host differs from redirect_uris[0]; a pairwise client with several redirect hosts needs a sector_identifier_uri"
            )));
        }
    }
    Ok(())
}

/// The server's default and the RFC 6749 §3.3 syntax of `scope`.
fn scope(meta: &mut ClientMetadata, rules: &MetadataRules) -> Result<(), MetadataError> {
    if meta.scope.is_none() {
        meta.scope.clone_from(&rules.default_scope);
    }
    let Some(scope) = &meta.scope else {
        return Ok(());
    };
    if scope.is_empty() {
        return Err(invalid("scope: must not be empty".into()));
    }
    for token in scope.split(' ') {
        if token.is_empty() {
            return Err(invalid(
                "scope: scope tokens must be separated by single spaces".into(),
            ));
        }
        if !token.bytes().all(is_scope_char) {
            return Err(invalid(format!(
                "scope: invalid character in scope token {}",
                quoted(token)
            )));
        }
    }
    Ok(())
}

/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )` (RFC 6749 §3.3).
fn is_scope_char(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

/// `contacts`: non-empty strings (no e-mail syntax is imposed).
fn contacts(meta: &ClientMetadata) -> Result<(), MetadataError> {
    for (i, contact) in meta.contacts.iter().flatten().enumerate() {
        if contact.trim().is_empty() {
            return Err(invalid(format!("contacts[{i}]: must not be empty")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
