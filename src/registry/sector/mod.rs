//! `sector_identifier_uri` (OpenID Connect Registration §2 and §5): the https
//! URL of a JSON array of redirect URIs that groups a client's hosts into one sector, from
//! which a host computing pairwise subject identifiers derives them. A client may register one
//! only if the document lists every redirect URI it registers, checked by fetching it at
//! registration and at every update (the document may have changed): VAL-26 of CONFORMANCE.md.
//! Several redirect hosts with a `pairwise` subject type need one (VAL-29, in
//! `metadata::validate`).

use serde_json::Value;

use crate::fetch::{FetchPurpose, UriFetcher};
use crate::metadata::{ClientMetadata, MetadataError};

/// Fetches the metadata's `sector_identifier_uri`, if any, and checks that it lists every
/// redirect URI.
pub(super) async fn check(
    meta: &ClientMetadata,
    fetcher: Option<&dyn UriFetcher>,
) -> Result<(), MetadataError> {
    let Some(uri) = &meta.sector_identifier_uri else {
        return Ok(());
    };
    let Some(fetcher) = fetcher else {
        return Err(MetadataError::client_metadata(
            "sector_identifier_uri: not supported by this server (no URI fetcher is configured)",
        ));
    };
    // Client-named: fetched uncached, so that the document is checked as it is now and a
    // client naming ever new URIs neither fills the fetcher's cache nor evicts the trusted
    // issuers' key sets from it; and within the clients' budget of fetches, not the operator's.
    let document = fetcher
        .fetch_json(uri, FetchPurpose::ClientNamed)
        .await
        .map_err(|error| {
            // Why is for the operator only: told to the client, a refused connection, a TLS
            // failure or a timeout would say which hosts and ports this server reaches.
            tracing::debug!(sector_identifier_uri = %uri, ?error, "sector_identifier_uri could not be fetched");
            MetadataError::client_metadata("sector_identifier_uri: could not be fetched")
        })?;
    lists_every_redirect_uri(&document, meta.redirect_uris.as_deref().unwrap_or_default())
}

/// The rule itself: `document` is a JSON array of strings holding each of `redirect_uris`,
/// compared as strings (as registered, byte for byte).
fn lists_every_redirect_uri(
    document: &Value,
    redirect_uris: &[String],
) -> Result<(), MetadataError> {
    let Value::Array(listed) = document else {
        return Err(MetadataError::client_metadata(
            "sector_identifier_uri: the document is not a JSON array of redirect URIs",
        ));
    };
    let listed: Vec<&str> = listed.iter().filter_map(Value::as_str).collect();
    match redirect_uris
        .iter()
        .position(|uri| !listed.contains(&uri.as_str()))
    {
        Some(i) => Err(MetadataError::client_metadata(format!(
            "redirect_uris[{i}]: not listed in the sector_identifier_uri document"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
