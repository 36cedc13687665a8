//! The identity rules of an update body (RFC 7592 §2.2): it names the client it updates, may
//! repeat the client's secret but never choose one, and carries no other member that only the
//! server sets.

use serde_json::{Map, Value};

use crate::metadata::{MetadataError, SERVER_MEMBERS};
use crate::store::ClientRecord;

/// Whether an update body must not carry the server-set `member` at all: every one of them
/// but `client_id` and `client_secret` (which it may repeat, checked below) and
/// `software_statement` (which a client may present again, RFC 7591 §2.3).
fn forbidden_in_update(member: &str) -> bool {
    !matches!(member, "client_id" | "client_secret" | "software_statement")
}

/// The members of an update body that the identity rules look at, taken once (the body
/// itself goes on to the parser).
pub(super) struct UpdateIdentity {
    client_id: Option<Value>,
    client_secret: Option<Value>,
    server_member: Option<&'static str>,
}

impl UpdateIdentity {
    pub(super) fn of(request: &Map<String, Value>) -> Self {
        Self {
            client_id: request.get("client_id").cloned(),
            client_secret: request.get("client_secret").cloned(),
            server_member: SERVER_MEMBERS
                .iter()
                .copied()
                .filter(|m| forbidden_in_update(m))
                .find(|m| request.contains_key(*m)),
        }
    }

    /// `client_id` present and equal (optional for the host), a `client_secret` if present
    /// equal to the issued one, no other server-issued member.
    pub(super) fn check(
        &self,
        current: &ClientRecord,
        client_id_required: bool,
    ) -> Result<(), MetadataError> {
        match &self.client_id {
            Some(Value::String(id)) if *id == current.client_id() => {}
            Some(Value::String(_)) => {
                return Err(MetadataError::client_metadata(
                    "client_id: does not match the client being updated",
                ));
            }
            None | Some(Value::Null) if !client_id_required => {}
            Some(Value::Null) | None => {
                return Err(MetadataError::client_metadata(
                    "client_id: required in an update request",
                ));
            }
            Some(_) => {
                return Err(MetadataError::client_metadata(
                    "client_id: must be a string",
                ));
            }
        }
        match (&self.client_secret, current.client_secret()) {
            (None | Some(Value::Null), _) => {}
            (Some(Value::String(sent)), Some(secret)) if secret.matches(sent) => {}
            (Some(Value::String(_)), Some(_)) => {
                return Err(MetadataError::client_metadata(
                    "client_secret: does not match the issued secret; secrets are never client-chosen",
                ));
            }
            (Some(Value::String(_)), None) => {
                return Err(MetadataError::client_metadata(
                    "client_secret: this client has no secret; secrets are never client-chosen",
                ));
            }
            (Some(_), _) => {
                return Err(MetadataError::client_metadata(
                    "client_secret: must be a string",
                ));
            }
        }
        if let Some(member) = self.server_member {
            return Err(MetadataError::client_metadata(format!(
                "{member}: issued by the server; must not be sent in an update"
            )));
        }
        Ok(())
    }
}
