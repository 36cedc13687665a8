//! The credentials the registry issues to clients: client secrets (when their
//! authentication method needs one, and when they expire or rotate), registration access
//! tokens, and the response that shows them.

use std::sync::Arc;

use super::Registry;
use super::information::ClientInformation;
use super::pipeline::CheckedMetadata;
use crate::config::{SecretRotation, SecretStorage};
use crate::error::RegistrationError;
use crate::secret::Secret;
use crate::store::{ClientRecord, StoredSecret};
use crate::token::CredentialHash;

impl Registry {
    /// The secret to issue for a client with `metadata`: `None` to keep `current`'s (a client
    /// that has a valid one and still needs one: RFC 7592, the secret is never client-chosen),
    /// a new one when it starts to need one (RFC 7592 §2.2), when the current one expired, or
    /// on every update with [`SecretRotation::OnUpdate`]. The expiry goes with it.
    pub(super) fn secret_for(
        &self,
        metadata: &CheckedMetadata,
        current: Option<&ClientRecord>,
        now: u64,
    ) -> Result<(Option<Secret>, u64), RegistrationError> {
        if !metadata.uses_secret() {
            return Ok((None, 0));
        }
        if let Some(current) = current
            && current.client_secret().is_some()
            && self.settings.secret_rotation == SecretRotation::Never
            && (current.client_secret_expires_at() == 0 || current.client_secret_expires_at() > now)
        {
            return Ok((None, current.client_secret_expires_at()));
        }
        let secret = self
            .settings
            .secrets
            .client_secret()
            .map_err(|e| RegistrationError::Internal(format!("client secret: {e}")))?;
        let expires_at = self
            .settings
            .client_secret_lifetime
            .map_or(0, |lifetime| now.saturating_add(lifetime.as_secs()));
        Ok((Some(secret), expires_at))
    }

    /// How a new secret is kept.
    pub(super) fn stored(&self, secret: &Secret) -> StoredSecret {
        match self.settings.secret_storage {
            SecretStorage::Plain => StoredSecret::Plain(secret.clone()),
            SecretStorage::Hashed => StoredSecret::Hashed(CredentialHash::of(secret.expose())),
        }
    }

    /// The secret a response shows: the one just issued, or the stored one when kept in clear.
    pub(super) fn shown_secret(
        &self,
        record: &ClientRecord,
        issued: Option<Secret>,
    ) -> Option<Secret> {
        issued.or_else(|| record.client_secret().and_then(|s| s.plain()).cloned())
    }

    pub(super) fn issue_token(
        &self,
        client_id: &str,
        now: u64,
    ) -> Result<Secret, RegistrationError> {
        self.settings
            .tokens
            .issue(client_id, now)
            .map_err(|e| RegistrationError::Internal(e.to_string()))
    }

    pub(super) fn information(
        &self,
        record: Arc<ClientRecord>,
        client_secret: Option<Secret>,
        token: Option<Secret>,
        token_rotated: bool,
    ) -> ClientInformation {
        let registration_client_uri =
            format!("{}{}", self.settings.client_uri_base, record.client_id());
        ClientInformation {
            record,
            client_secret,
            registration_access_token: token,
            registration_client_uri,
            token_rotated,
        }
    }
}
