//! What the registration endpoint returns for a client (RFC 7591 §3.2.1, RFC 7592 §3).

use std::sync::Arc;

use crate::secret::Secret;
use crate::store::ClientRecord;

/// A registered client as the registration endpoint returns it: credentials, then every
/// registered metadata member.
#[derive(Debug, Clone)]
pub struct ClientInformation {
    pub(super) record: Arc<ClientRecord>,
    /// The secret shown in this response: always when stored in clear, only when just issued
    /// when stored hashed.
    pub(super) client_secret: Option<Secret>,
    /// `None` when the host replaced the client without rotating its token (it holds none).
    pub(super) registration_access_token: Option<Secret>,
    pub(super) registration_client_uri: String,
    pub(super) token_rotated: bool,
}

impl ClientInformation {
    /// The client identifier.
    pub fn client_id(&self) -> &str {
        self.record.client_id()
    }

    /// The stored record.
    pub fn record(&self) -> &ClientRecord {
        &self.record
    }

    /// The client secret shown in this response, if any.
    pub fn client_secret(&self) -> Option<&Secret> {
        self.client_secret.as_ref()
    }

    /// The registration access token to use for the next management request; `None` after
    /// the host replaced the client without rotating the token (the client keeps its own).
    pub fn registration_access_token(&self) -> Option<&Secret> {
        self.registration_access_token.as_ref()
    }

    /// The absolute URL at which the client manages its registration.
    pub fn registration_client_uri(&self) -> &str {
        &self.registration_client_uri
    }

    /// Whether this operation replaced the registration access token.
    pub fn token_rotated(&self) -> bool {
        self.token_rotated
    }

    /// The response body: credentials first (as MitreID orders them), then the registered
    /// metadata spliced in from its stored JSON without parsing it again.
    pub fn to_json(&self) -> Vec<u8> {
        let record = &self.record;
        let metadata = record.metadata().as_str();
        let mut out = Vec::with_capacity(metadata.len() + 512);
        out.extend_from_slice(b"{\"client_id\":");
        write_json_string(&mut out, record.client_id());
        if let Some(secret) = &self.client_secret {
            out.extend_from_slice(b",\"client_secret\":");
            write_json_string(&mut out, secret.expose());
        }
        if record.client_secret().is_some() {
            // RFC 7591 §3.2.1: present whenever a secret was issued.
            out.extend_from_slice(b",\"client_secret_expires_at\":");
            out.extend_from_slice(record.client_secret_expires_at().to_string().as_bytes());
        }
        out.extend_from_slice(b",\"client_id_issued_at\":");
        out.extend_from_slice(record.client_id_issued_at().to_string().as_bytes());
        if let Some(token) = &self.registration_access_token {
            out.extend_from_slice(b",\"registration_access_token\":");
            write_json_string(&mut out, token.expose());
        }
        out.extend_from_slice(b",\"registration_client_uri\":");
        write_json_string(&mut out, &self.registration_client_uri);
        // `metadata` is a JSON object: `{}` or `{"member":...}`. Splice its members in.
        match metadata.strip_prefix('{') {
            Some("}") | None => out.push(b'}'),
            Some(members) => {
                out.push(b',');
                out.extend_from_slice(members.as_bytes());
            }
        }
        out
    }
}

fn write_json_string(out: &mut Vec<u8>, value: &str) {
    // Writing a string into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

#[cfg(test)]
mod tests;
