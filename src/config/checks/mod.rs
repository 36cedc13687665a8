//! The checks of configured values that are not metadata: the issuer and endpoint URLs, the
//! path prefix, static initial access tokens.

use super::ConfigError;
use crate::syntax::{is_loopback_host, is_token68};

/// An absolute `https` URL (or `http` on a loopback host, or anywhere when `allow_insecure`),
/// without query or fragment.
pub(super) fn check_base_url(raw: &str, allow_insecure: bool) -> Result<String, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("{raw:?}: {e}"))?;
    let host = url.host().ok_or_else(|| format!("{raw:?}: no host"))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{raw:?}: no query or fragment allowed"));
    }
    let loopback = is_loopback_host(&host);
    match url.scheme() {
        "https" => Ok(raw.to_owned()),
        "http" if loopback || allow_insecure => Ok(raw.to_owned()),
        _ => Err(format!(
            "{raw:?}: must be https (http only on a loopback host)"
        )),
    }
}

/// A static initial access token must be usable as a bearer token and hard to guess.
pub(super) fn check_static_token(token: &str) -> Result<(), ConfigError> {
    if token.trim_end_matches('=').len() < 16 || !is_token68(token) {
        return Err(ConfigError::InitialAccessToken(
            "must be at least 16 characters of the bearer token alphabet (RFC 6750 §2.1)".into(),
        ));
    }
    Ok(())
}

pub(super) fn check_prefix(prefix: &str) -> Result<String, ConfigError> {
    let ok = prefix.starts_with('/')
        && prefix.len() > 1
        && !prefix.ends_with('/')
        && !prefix.contains("//")
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-._~".contains(&b));
    if ok {
        Ok(prefix.to_owned())
    } else {
        Err(ConfigError::Prefix(format!(
            "{prefix:?}: must be an absolute path like /register, without a trailing slash"
        )))
    }
}

#[cfg(test)]
mod tests;
