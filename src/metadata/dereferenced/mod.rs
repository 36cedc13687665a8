//! The URIs of client metadata that the server or the host will dereference, and the opt-in
//! rule ([`MetadataRules::refuse_special_purpose_hosts`]) that refuses those whose host is
//! `localhost` or an IP literal of a special-purpose range: a client must not make the server,
//! or the browsers it directs, reach the server's own network or a cloud metadata endpoint.
//!
//! The members, and why each is dereferenced (by the specification that defines it):
//! - `jwks_uri` (RFC 7591 §2; OpenID Connect Registration §2): the authorization server fetches
//!   the client's keys, to verify its `private_key_jwt` assertions and signed request objects
//!   and to encrypt to it;
//! - `request_uris` (OpenID Connect Registration §2, Core §6.2): the server fetches request
//!   objects from them;
//! - `sector_identifier_uri` (OpenID Connect Registration §2, §5): the server fetches it at
//!   registration (the registry does) and whenever it checks the sector again;
//! - `backchannel_logout_uri` (Back-Channel Logout §2.2): the server POSTs logout tokens to it;
//! - `frontchannel_logout_uri` (Front-Channel Logout §2): the server's logout page loads it in
//!   an iframe, so each user's browser requests it on the server's behalf;
//! - `initiate_login_uri` (OpenID Connect Registration §2): the server or a third party sends
//!   the user's browser to it to start a login;
//! - `logo_uri` and its tagged variants (RFC 7591 §2; OpenID Connect Registration §2): shown
//!   during approval, so the consent page makes the browser fetch it, or the server fetches it
//!   to serve it itself.
//!
//! Not in the list: `redirect_uris` and `post_logout_redirect_uris`, on which loopback hosts are
//! legitimate (a native application's, RFC 8252 §7.3) and the server only sends the browser
//! back to; `client_uri`, `tos_uri` and `policy_uri`, links a user may follow and nothing
//! fetches; and the declared extension members, whose meaning only the operator knows (its
//! validator can apply the same check).
//!
//! A first line of defence only: a host is judged by its text, and no name is resolved. A name
//! that resolves to a private address, now or after a later change of its DNS records, passes:
//! whatever dereferences the URI must still check the address it connects to, as
//! `fetch::HttpsFetcher` does.
//!
//! Owns the list and the rule. Must not know the network.

use url::Url;

use super::error::MetadataError;
use super::lang;
use super::model::ClientMetadata;
use super::rules::MetadataRules;
use crate::address::is_special_purpose_host;

/// Why a URI is refused, after its label.
const REFUSED: &str =
    "must not point to localhost or a special-purpose address (loopback, private, link-local...)";

/// With [`MetadataRules::refuse_special_purpose_hosts`], refuses the first URI the server or the
/// host dereferences whose host is `localhost` or a special-purpose IP literal. Runs after the
/// URL members' syntax is checked: a URI that does not parse was refused already.
pub(super) fn dereferenced_uri_hosts(
    meta: &ClientMetadata,
    rules: &MetadataRules,
) -> Result<(), MetadataError> {
    if !rules.refuse_special_purpose_hosts {
        return Ok(());
    }
    match dereferenced_uris(meta).find(|(_, uri)| names_special_purpose_host(uri)) {
        Some((label, _)) => Err(MetadataError::client_metadata(format!(
            "{label}: {REFUSED}"
        ))),
        None => Ok(()),
    }
}

/// Every URI of `meta` that the server or the host dereferences, with the label an error
/// names it by.
fn dereferenced_uris(meta: &ClientMetadata) -> impl Iterator<Item = (String, &str)> {
    let singles = [
        ("jwks_uri", &meta.jwks_uri),
        ("sector_identifier_uri", &meta.sector_identifier_uri),
        ("backchannel_logout_uri", &meta.backchannel_logout_uri),
        ("frontchannel_logout_uri", &meta.frontchannel_logout_uri),
        ("initiate_login_uri", &meta.initiate_login_uri),
    ]
    .into_iter()
    .filter_map(|(member, uri)| Some((member.to_owned(), uri.as_deref()?)));
    let request_uris = meta
        .request_uris
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, uri)| (format!("request_uris[{i}]"), uri.as_str()));
    let logos = meta
        .logo_uri
        .values()
        .map(|(tag, uri)| (lang::tagged_label("logo_uri", tag), uri));
    singles.chain(request_uris).chain(logos)
}

/// Whether `uri`'s host is `localhost` or a special-purpose IP literal. A URI without a host,
/// or that does not parse, names none (its syntax is another rule's).
fn names_special_purpose_host(uri: &str) -> bool {
    Url::parse(uri)
        .ok()
        .and_then(|url| url.host().map(|host| is_special_purpose_host(&host)))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests;
