//! The document rules of draft-ietf-oauth-client-id-metadata-document §4 that go beyond the
//! registration rules: what the response must be, the `client_id` that must be the URL, and
//! no shared secret. What the document's metadata must satisfy besides is the registration
//! rules', applied by the registry.

use serde_json::{Map, Value};

use crate::fetch::FetchedDocument;
use crate::metadata::AuthMethod;

/// The members a document may not have: a document is public, so it can share no secret.
const SECRET_MEMBERS: [&str; 2] = ["client_secret", "client_secret_expires_at"];

/// The client metadata of a fetched document for the client id `url`, with its
/// `token_endpoint_auth_method` made explicit (`none` when absent) and its `client_id` taken
/// out (a server member, not metadata); or why the document is refused.
pub(crate) fn checked_document(
    url: &str,
    fetched: FetchedDocument,
    max_bytes: usize,
) -> Result<Map<String, Value>, String> {
    if fetched.status != 200 {
        return Err(format!("answered with status {}, not 200", fetched.status));
    }
    if fetched.size > max_bytes {
        return Err(format!("larger than {max_bytes} bytes"));
    }
    let Value::Object(mut document) = fetched.document else {
        return Err("not a JSON object".to_owned());
    };
    match document.remove("client_id") {
        Some(Value::String(id)) if id == url => {}
        Some(_) => return Err("its client_id is not the URL it was fetched from".to_owned()),
        None => return Err("it has no client_id".to_owned()),
    }
    if let Some(member) = SECRET_MEMBERS.iter().find(|m| document.contains_key(**m)) {
        return Err(format!("it has a {member}"));
    }
    match document.get("token_endpoint_auth_method") {
        None | Some(Value::Null) => {
            // RFC 7591's default, client_secret_basic, needs the secret a document cannot
            // carry: a document that names no method is a public client's.
            document.insert(
                "token_endpoint_auth_method".to_owned(),
                Value::String(AuthMethod::None.as_str().to_owned()),
            );
        }
        Some(Value::String(method)) if is_shared_secret_method(method) => {
            return Err(format!(
                "token_endpoint_auth_method {method} needs a shared secret"
            ));
        }
        Some(_) => {}
    }
    Ok(document)
}

/// The methods that authenticate with a secret the server issues (RFC 7591 §2).
fn is_shared_secret_method(method: &str) -> bool {
    [
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretPost,
        AuthMethod::ClientSecretJwt,
    ]
    .iter()
    .any(|m| m.as_str() == method)
}
