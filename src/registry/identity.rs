//! RFC 7592 §2.2 identity rules of an update body.

use serde_json::{Map, Value};

use crate::metadata::MetadataError;
use crate::store::ClientRecord;

/// Members a client may never set in an update (checklist H6, RFC 7592 §2.2).
const SERVER_MEMBERS_FORBIDDEN_IN_UPDATE: &[&str] = &[
    "registration_access_token",
    "registration_client_uri",
    "client_secret_expires_at",
    "client_id_issued_at",
];

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
            server_member: SERVER_MEMBERS_FORBIDDEN_IN_UPDATE
                .iter()
                .copied()
                .find(|m| request.contains_key(*m)),
        }
    }

    /// `client_id` present and equal (H4; optional for the host), a `client_secret` if present
    /// equal to the issued one (H5), no server-issued members (H6).
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
