//! The client id URL rules (draft-ietf-oauth-client-id-metadata-document §3): which client
//! ids are URLs, and which URLs may be client ids. Checked on the text as the client sent it,
//! before any parsing normalizes it away (a URL parser resolves `/a/../b` to `/b`, drops an
//! empty userinfo): the client id is that text, compared as a string with the document's.

/// The longest client id URL accepted, in bytes.
const MAX_URL_BYTES: usize = 2048;

/// Whether `client_id` names a metadata document rather than a registration: it starts with
/// `https://`. Registered client ids never do (they are RFC 3986 unreserved characters only).
pub(crate) fn is_url_client_id(client_id: &str) -> bool {
    client_id
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

/// Checks that `client_id` may be a client id URL.
pub(crate) fn check_url(client_id: &str) -> Result<(), &'static str> {
    if client_id.len() > MAX_URL_BYTES {
        return Err("longer than 2048 bytes");
    }
    // The scheme exactly as the draft writes it: a client id is compared as a string, so
    // `HTTPS://` would name another client than the document's `https://` one.
    let Some(rest) = client_id.strip_prefix("https://") else {
        return Err("the scheme must be https");
    };
    if client_id.contains('#') {
        return Err("it has a fragment");
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    if authority.is_empty() {
        return Err("it has no host");
    }
    if authority.contains('@') {
        return Err("it has a user name or password");
    }
    let path = path_and_query
        .split_once('?')
        .map_or(path_and_query, |(path, _)| path);
    if !path.starts_with('/') {
        return Err("it has no path");
    }
    if path.split('/').any(is_dot_segment) {
        return Err("it has a . or .. path segment");
    }
    let parsed = ::url::Url::parse(client_id).map_err(|_| "not a valid URL")?;
    // The URL fetched is the client id itself, not a neighbour a parser would normalize it
    // into (`HTTPS://App.Example.org:443/c` is `https://app.example.org/c`): two spellings
    // would be two clients with one document.
    if parsed.as_str() != client_id {
        return Err(
            "it is not in normal form (lower-case host, no default port, encoded as a URL parser writes it)",
        );
    }
    Ok(())
}

/// `.` or `..`, percent-encoded or not (RFC 3986 §6.2.2.2: `%2E` is a dot).
fn is_dot_segment(segment: &str) -> bool {
    let decoded = segment.replace("%2e", ".").replace("%2E", ".");
    decoded == "." || decoded == ".."
}
