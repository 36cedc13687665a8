//! The parameters of OAuth requests (RFC 6749 §3.1, §3.2): form-encoded, in the query of an
//! authorization request or the body of a token request. Shared by both endpoints, and with
//! the checks of what they have in common: PKCE (RFC 7636) and resource indicators (RFC 8707).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};
use tower_oidc_registration::Secret;

/// The most parameters a request may have: an OAuth request has a dozen at most, and the
/// check for repeats compares each name with the others.
const MAX_PARAMETERS: usize = 32;

/// The longest value accepted, in bytes: a scope or a resource URI longer than this is no
/// honest client's, and every value may end up in a stored code or token.
const MAX_VALUE_BYTES: usize = 2048;

/// Each parameter at most once (RFC 6749 §3.1), empty values treated as absent.
pub struct Params(Vec<(String, String)>);

impl Params {
    /// `Err` when a parameter is repeated: which of the values was meant is unknowable. This
    /// includes `resource`, which RFC 8707 allows several times: this server grants one
    /// resource at a time. `Err` too past 32 parameters or a value over 2 KiB.
    pub fn parse(encoded: &[u8]) -> Result<Self, &'static str> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(encoded) {
            if pairs.len() == MAX_PARAMETERS {
                return Err("too many parameters");
            }
            if value.len() > MAX_VALUE_BYTES {
                return Err("a parameter is longer than 2048 bytes");
            }
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err("a parameter is repeated");
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        pairs.retain(|(_, value)| !value.is_empty());
        Ok(Self(pairs))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `resource` parameter (RFC 8707 §2): `Err` unless an absolute URI without a
    /// fragment. It becomes the audience of the access tokens, which the resource checks.
    pub fn resource(&self) -> Result<Option<&str>, &'static str> {
        match self.get("resource") {
            None => Ok(None),
            Some(uri) if url::Url::parse(uri).is_ok_and(|u| u.fragment().is_none()) => {
                Ok(Some(uri))
            }
            Some(_) => Err("resource must be an absolute URI without a fragment"),
        }
    }
}

/// Whether `value` has the syntax of a PKCE code verifier or S256 challenge (RFC 7636 §4.1):
/// 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`.
pub fn is_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `verifier` is the one the S256 `challenge` was made of (RFC 7636 §4.6):
/// BASE64URL(SHA256(verifier)) == challenge, compared in constant time.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    is_pkce_value(verifier) && Secret::new(computed).ct_eq(challenge)
}
