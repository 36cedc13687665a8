//! Security-profile and logout members:
//! - RFC 8705 §2.1.2: a `tls_client_auth` client registers exactly one certificate subject
//!   member (`tls_client_auth_subject_dn`, `_san_dns`, `_san_uri`, `_san_ip`, `_san_email`),
//!   each well formed; other clients register none (a stale subject would silently authenticate
//!   a certificate if the method were switched back);
//! - RFC 9396: `authorization_details_types` unique non-empty strings (an empty list is
//!   accepted: the client uses no type), from
//!   [`MetadataRules::authorization_details_types`] when the server restricts them;
//! - OpenID Connect Front-Channel Logout §2: the `frontchannel_logout_uri` has the scheme, host
//!   and port of a registered redirect URI; Front- and Back-Channel Logout: `http` logout URIs
//!   only for confidential clients.
//!
//! The boolean members (`tls_client_certificate_bound_access_tokens`,
//! `require_pushed_authorization_requests`, `dpop_bound_access_tokens`,
//! `require_signed_request_object`) need no rule beyond their JSON type (checked by the parser);
//! `require_signed_request_object` against `request_object_signing_alg: none` is checked with
//! the algorithms.
//!
//! Owns these members' rules. Must not know the algorithm members, nor anything fetched.

use std::collections::HashMap;
use std::net::IpAddr;

use url::Url;

use super::error::MetadataError;
use super::model::{AuthMethod, ClientMetadata};
use super::rules::MetadataRules;
use crate::syntax::quoted;

fn invalid(description: String) -> MetadataError {
    MetadataError::client_metadata(description)
}

/// The certificate subject members of RFC 8705 §2.1.2, with their values.
fn subject_members(meta: &ClientMetadata) -> [(&'static str, &Option<String>); 5] {
    [
        (
            "tls_client_auth_subject_dn",
            &meta.tls_client_auth_subject_dn,
        ),
        ("tls_client_auth_san_dns", &meta.tls_client_auth_san_dns),
        ("tls_client_auth_san_uri", &meta.tls_client_auth_san_uri),
        ("tls_client_auth_san_ip", &meta.tls_client_auth_san_ip),
        ("tls_client_auth_san_email", &meta.tls_client_auth_san_email),
    ]
}

/// Every rule of this module.
pub(super) fn security_profile(
    meta: &ClientMetadata,
    rules: &MetadataRules,
) -> Result<(), MetadataError> {
    tls_client_auth(meta)?;
    authorization_details_types(meta, rules)?;
    logout_uris(meta)
}

fn tls_client_auth(meta: &ClientMetadata) -> Result<(), MetadataError> {
    let present: Vec<(&str, &str)> = subject_members(meta)
        .into_iter()
        .filter_map(|(member, value)| value.as_deref().map(|v| (member, v)))
        .collect();
    if meta.token_endpoint_auth_method != Some(AuthMethod::TlsClientAuth) {
        if let Some((member, _)) = present.first() {
            return Err(invalid(format!(
                "{member}: only for token_endpoint_auth_method 'tls_client_auth'"
            )));
        }
        return Ok(());
    }
    match present.as_slice() {
        [] => Err(invalid(
            "token_endpoint_auth_method: tls_client_auth requires exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email"
                .into(),
        )),
        [(member, value)] => check_subject(member, value),
        [(first, _), (second, _), ..] => Err(invalid(format!(
            "{second}: tls_client_auth takes exactly one subject member, and {first} is registered too"
        ))),
    }
}

/// The syntax of one subject member's value.
fn check_subject(member: &str, value: &str) -> Result<(), MetadataError> {
    let bad = |what: &str| {
        Err(invalid(format!(
            "{member}: {} is not {what}",
            quoted(value)
        )))
    };
    if value.is_empty() || value.chars().any(char::is_control) {
        return bad("a valid value (empty or control characters)");
    }
    match member {
        // RFC 4514: one or more `type=value` RDNs.
        "tls_client_auth_subject_dn" if !value.contains('=') => {
            bad("a distinguished name (RFC 4514, e.g. CN=client,O=Example)")
        }
        "tls_client_auth_san_dns" if !is_dns_name(value) => bad("a DNS name"),
        "tls_client_auth_san_uri" if !is_absolute_uri(value) => bad("an absolute URI"),
        "tls_client_auth_san_ip" if value.parse::<IpAddr>().is_err() => {
            bad("an IPv4 or IPv6 address")
        }
        "tls_client_auth_san_email" if !is_email(value) => bad("an e-mail address"),
        _ => Ok(()),
    }
}

/// A dNSName: dot-separated labels of letters, digits and hyphens, not starting or ending with a
/// hyphen; a leading `*` label for wildcard certificates.
fn is_dns_name(value: &str) -> bool {
    let value = value.strip_suffix('.').unwrap_or(value);
    value.len() <= 253
        && value.split('.').enumerate().all(|(i, label)| {
            (i == 0 && label == "*")
                || (!label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        })
}

fn is_absolute_uri(value: &str) -> bool {
    !value.chars().any(char::is_whitespace) && Url::parse(value).is_ok()
}

/// An rfc822Name: `local@domain`, no whitespace, the domain a DNS name.
fn is_email(value: &str) -> bool {
    match value.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !local.chars().any(char::is_whitespace) && is_dns_name(domain)
        }
        None => false,
    }
}

fn authorization_details_types(
    meta: &ClientMetadata,
    rules: &MetadataRules,
) -> Result<(), MetadataError> {
    let types = meta
        .authorization_details_types
        .as_deref()
        .unwrap_or_default();
    // A map, not a scan: a large body must not make this quadratic.
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(types.len());
    for (i, value) in types.iter().enumerate() {
        if value.trim().is_empty() {
            return Err(invalid(format!(
                "authorization_details_types[{i}]: must not be empty"
            )));
        }
        if let Some(supported) = &rules.authorization_details_types
            && !supported.contains(value)
        {
            return Err(invalid(format!(
                "authorization_details_types[{i}]: unsupported type {}",
                quoted(value)
            )));
        }
        if let Some(first) = seen.insert(value, i) {
            return Err(invalid(format!(
                "authorization_details_types[{i}]: {} already listed at [{first}]",
                quoted(value)
            )));
        }
    }
    Ok(())
}

/// The scheme, host and port of a URL (`None` when it does not parse).
fn origin(raw: &str) -> Option<(String, Option<String>, Option<u16>)> {
    let url = Url::parse(raw).ok()?;
    Some((
        url.scheme().to_owned(),
        url.host_str().map(str::to_owned),
        url.port_or_known_default(),
    ))
}

fn logout_uris(meta: &ClientMetadata) -> Result<(), MetadataError> {
    let public = meta.token_endpoint_auth_method == Some(AuthMethod::None);
    let uris = [
        ("frontchannel_logout_uri", &meta.frontchannel_logout_uri),
        ("backchannel_logout_uri", &meta.backchannel_logout_uri),
    ];
    for (member, uri) in uris {
        let Some(uri) = uri else { continue };
        if public && origin(uri).is_some_and(|(scheme, _, _)| scheme == "http") {
            return Err(invalid(format!(
                "{member}: http is allowed only for confidential clients (token_endpoint_auth_method is 'none'); use https"
            )));
        }
    }
    if let Some(uri) = &meta.frontchannel_logout_uri {
        let wanted = origin(uri);
        let redirects = meta.redirect_uris.as_deref().unwrap_or_default();
        if wanted.is_none() || !redirects.iter().any(|r| origin(r) == wanted) {
            return Err(invalid(
                "frontchannel_logout_uri: scheme, host and port must be those of a registered redirect URI"
                    .into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
