//! The domain API: register, read, replace and delete clients, with no HTTP in sight.
//!
//! The HTTP handler is one caller of [`Registry`]; the host application is another (admin
//! tools, tests, its token endpoint looking clients up).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::config::{RegistrationConfig, TokenRotation};
use crate::error::RegistrationError;
use crate::metadata::{self, MetadataError, MetadataRules};
use crate::secret::Secret;
use crate::software_statement;
use crate::store::{ClientRecord, ClientStore, MetadataJson, StoreError};
use crate::token::{RegistrationTokens, TokenHash};

/// Bytes of OS randomness in a client secret: 512 bits, 86 base64url characters (as MitreID).
const SECRET_BYTES: usize = 64;

/// How often an update or delete re-reads and retries after losing a compare-and-swap race.
const MAX_CAS_ATTEMPTS: usize = 8;

/// Members a client may never set in an update (checklist H6, RFC 7592 §2.2).
const SERVER_MEMBERS_FORBIDDEN_IN_UPDATE: &[&str] = &[
    "registration_access_token",
    "registration_client_uri",
    "client_secret_expires_at",
    "client_id_issued_at",
];

/// A registered client as the registration endpoint returns it (RFC 7591 §3.2.1,
/// RFC 7592 §3): credentials, then every registered metadata member.
#[derive(Debug, Clone)]
pub struct ClientInformation {
    record: Arc<ClientRecord>,
    registration_access_token: Secret,
    registration_client_uri: String,
}

impl ClientInformation {
    /// The client identifier.
    pub fn client_id(&self) -> &str {
        &self.record.client_id
    }

    /// The stored record.
    pub fn record(&self) -> &ClientRecord {
        &self.record
    }

    /// The registration access token to use for the next management request.
    pub fn registration_access_token(&self) -> &Secret {
        &self.registration_access_token
    }

    /// The absolute URL at which the client manages its registration.
    pub fn registration_client_uri(&self) -> &str {
        &self.registration_client_uri
    }
}

impl ClientInformation {
    /// The response body: credentials first (as MitreID orders them), then the registered
    /// metadata spliced in from its stored JSON without parsing it again.
    pub fn to_json(&self) -> Vec<u8> {
        let record = &self.record;
        let metadata = record.metadata.as_str();
        let mut out = Vec::with_capacity(metadata.len() + 512);
        out.extend_from_slice(b"{\"client_id\":");
        write_json_string(&mut out, &record.client_id);
        if let Some(secret) = &record.client_secret {
            out.extend_from_slice(b",\"client_secret\":");
            write_json_string(&mut out, secret.expose());
            out.extend_from_slice(b",\"client_secret_expires_at\":");
            out.extend_from_slice(record.client_secret_expires_at.to_string().as_bytes());
        }
        out.extend_from_slice(b",\"client_id_issued_at\":");
        out.extend_from_slice(record.client_id_issued_at.to_string().as_bytes());
        out.extend_from_slice(b",\"registration_access_token\":");
        write_json_string(&mut out, self.registration_access_token.expose());
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

/// The registration domain: cheap to clone, shared by the HTTP layer and the host application.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn ClientStore>,
    tokens: RegistrationTokens,
    rules: MetadataRules,
    client_secret_lifetime: Option<Duration>,
    token_rotation: TokenRotation,
    /// `{issuer without trailing slash}{prefix}/`, to which a client id is appended.
    client_uri_base: String,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("client_uri_base", &self.inner.client_uri_base)
            .finish_non_exhaustive()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Registry {
    /// The registry a configuration describes.
    pub fn new(config: &RegistrationConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                store: Arc::clone(&config.store),
                tokens: config.tokens.clone(),
                rules: config.rules.clone(),
                client_secret_lifetime: config.client_secret_lifetime,
                token_rotation: config.token_rotation,
                client_uri_base: format!("{}/", config.registration_endpoint),
            }),
        }
    }

    /// The store behind this registry.
    pub fn store(&self) -> &Arc<dyn ClientStore> {
        &self.inner.store
    }

    /// The record of `client_id`, if registered.
    pub async fn client(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        self.inner.store.get(client_id).await
    }

    /// Registers a client from a registration request's JSON object (RFC 7591 §3.1).
    pub async fn register(
        &self,
        request: &Map<String, Value>,
    ) -> Result<ClientInformation, RegistrationError> {
        let metadata = self.checked_metadata(request)?;
        for _ in 0..MAX_CAS_ATTEMPTS {
            let client_id = uuid::Uuid::new_v4().to_string();
            let issued_at = now();
            let (client_secret, client_secret_expires_at) =
                self.secret_for(&metadata, None, issued_at)?;
            let token = self.issue_token(&client_id, issued_at)?;
            let record = ClientRecord::new(
                client_id,
                client_secret,
                client_secret_expires_at,
                issued_at,
                TokenHash::of(token.expose()),
                metadata.json.clone(),
            );
            let record = Arc::new(record);
            match self.inner.store.insert(ClientRecord::clone(&record)).await {
                Ok(()) => {
                    tracing::info!(client_id = %record.client_id, "client registered");
                    return Ok(self.information(record, token));
                }
                // A v4 UUID collision: astronomically rare, but never overwrite a client.
                Err(StoreError::AlreadyExists) => continue,
                Err(err) => return Err(err.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// The current registration of `client_id`, for the bearer of `token` (RFC 7592 §2.1).
    pub async fn read(
        &self,
        client_id: &str,
        token: &str,
    ) -> Result<ClientInformation, RegistrationError> {
        let record = self.authorize(client_id, token).await?;
        Ok(self.information(record, Secret::new(token)))
    }

    /// Replaces the registration of `client_id` with the metadata of an update request
    /// (RFC 7592 §2.2): members left out are removed or reset to their defaults.
    pub async fn update(
        &self,
        client_id: &str,
        token: &str,
        request: &Map<String, Value>,
    ) -> Result<ClientInformation, RegistrationError> {
        // Authorization first: a caller without the token learns nothing from validation.
        let current = self.authorize(client_id, token).await?;
        self.update_authorized(current, token, request).await
    }

    /// [`update`](Self::update) for a record that `authorize` just returned for `token`.
    pub(crate) async fn update_authorized(
        &self,
        mut current: Arc<ClientRecord>,
        token: &str,
        request: &Map<String, Value>,
    ) -> Result<ClientInformation, RegistrationError> {
        let client_id = current.client_id.clone();
        let client_id = client_id.as_str();
        let metadata = self.checked_metadata(request)?;
        for attempt in 0..MAX_CAS_ATTEMPTS {
            if attempt > 0 {
                // Lost a race: re-read, and re-check the token, which a rotation may have killed.
                current = self.authorize(client_id, token).await?;
            }
            check_update_identity(request, &current)?;
            let (client_secret, client_secret_expires_at) =
                self.secret_for(&metadata, Some(&current), now())?;
            let (token, token_hash) = match self.inner.token_rotation {
                TokenRotation::Never => (Secret::new(token), current.registration_token_hash),
                TokenRotation::OnUpdate => {
                    let fresh = self.issue_token(client_id, now())?;
                    let hash = TokenHash::of(fresh.expose());
                    (fresh, hash)
                }
            };
            let mut record = ClientRecord::clone(&current);
            record.client_secret = client_secret;
            record.client_secret_expires_at = client_secret_expires_at;
            record.registration_token_hash = token_hash;
            record.metadata = metadata.json.clone();
            record.version = current.version + 1;
            let record = Arc::new(record);
            match self
                .inner
                .store
                .replace(ClientRecord::clone(&record), current.version)
                .await
            {
                Ok(()) => {
                    tracing::info!(client_id = %record.client_id, "client updated");
                    return Ok(self.information(record, token));
                }
                Err(StoreError::Conflict) => continue,
                Err(StoreError::NotFound) => return Err(RegistrationError::InvalidToken),
                Err(err) => return Err(err.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Deletes the registration of `client_id` (RFC 7592 §2.3): its registration access token
    /// and its credentials stop working at once.
    pub async fn delete(&self, client_id: &str, token: &str) -> Result<(), RegistrationError> {
        for _ in 0..MAX_CAS_ATTEMPTS {
            let current = self.authorize(client_id, token).await?;
            match self.inner.store.delete(client_id, current.version).await {
                Ok(()) => {
                    tracing::info!(client_id, "client deleted");
                    return Ok(());
                }
                Err(StoreError::Conflict) => continue,
                Err(StoreError::NotFound) => return Err(RegistrationError::InvalidToken),
                Err(err) => return Err(err.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// The record of `client_id` if `token` is its current registration access token.
    /// Every failure is the same `InvalidToken`, so that a caller learns nothing of other clients.
    pub(crate) async fn authorize(
        &self,
        client_id: &str,
        token: &str,
    ) -> Result<Arc<ClientRecord>, RegistrationError> {
        // The signature check first: garbage never reaches the store.
        if !self.inner.tokens.verify(token, client_id) {
            return Err(RegistrationError::InvalidToken);
        }
        let record = self
            .inner
            .store
            .get(client_id)
            .await?
            .ok_or(RegistrationError::InvalidToken)?;
        if record.registration_token_hash.ct_eq(&TokenHash::of(token)) {
            Ok(record)
        } else {
            Err(RegistrationError::InvalidToken)
        }
    }

    /// Parses and validates request metadata (the same rules for registration and update),
    /// and renders it once for storage and every later response.
    fn checked_metadata(
        &self,
        request: &Map<String, Value>,
    ) -> Result<CheckedMetadata, RegistrationError> {
        software_statement::check(request)?;
        let parsed = metadata::parse(request)?;
        let valid = metadata::validate(parsed, &self.inner.rules)?;
        Ok(CheckedMetadata {
            uses_secret: valid
                .token_endpoint_auth_method
                .is_some_and(|m| m.uses_secret()),
            json: MetadataJson::render(&valid),
        })
    }

    /// The secret a client with `metadata` holds: kept from `current` when it has one and
    /// still needs one (RFC 7592: the secret is never client-chosen), new when it starts to
    /// need one (checklist H10), none when its method uses none (checklist C13).
    fn secret_for(
        &self,
        metadata: &CheckedMetadata,
        current: Option<&ClientRecord>,
        now: u64,
    ) -> Result<(Option<Secret>, u64), RegistrationError> {
        if !metadata.uses_secret {
            return Ok((None, 0));
        }
        if let Some(current) = current
            && let Some(secret) = &current.client_secret
            && (current.client_secret_expires_at == 0 || current.client_secret_expires_at > now)
        {
            return Ok((Some(secret.clone()), current.client_secret_expires_at));
        }
        // No secret yet, or an expired one: an update is the RFC 7592 way to a fresh secret.
        let secret = Secret::random(SECRET_BYTES)
            .map_err(|e| RegistrationError::Internal(format!("OS random number generator: {e}")))?;
        let expires_at = self
            .inner
            .client_secret_lifetime
            .map_or(0, |lifetime| now.saturating_add(lifetime.as_secs()));
        Ok((Some(secret), expires_at))
    }

    fn issue_token(&self, client_id: &str, now: u64) -> Result<Secret, RegistrationError> {
        self.inner
            .tokens
            .issue(client_id, now)
            .map_err(|e| RegistrationError::Internal(e.to_string()))
    }

    fn information(&self, record: Arc<ClientRecord>, token: Secret) -> ClientInformation {
        let registration_client_uri = format!("{}{}", self.inner.client_uri_base, record.client_id);
        ClientInformation {
            record,
            registration_access_token: token,
            registration_client_uri,
        }
    }
}

/// Request metadata that passed the rules, rendered for storage.
struct CheckedMetadata {
    json: MetadataJson,
    /// Whether the authentication method needs a client secret (checklist C13).
    uses_secret: bool,
}

/// RFC 7592 §2.2 identity rules of an update body: `client_id` present and equal (H4), a
/// `client_secret` if present equal to the issued one (H5), no server-issued members (H6).
fn check_update_identity(
    request: &Map<String, Value>,
    current: &ClientRecord,
) -> Result<(), MetadataError> {
    match request.get("client_id") {
        Some(Value::String(id)) if *id == current.client_id => {}
        Some(Value::String(_)) => {
            return Err(MetadataError::client_metadata(
                "client_id: does not match the client being updated",
            ));
        }
        Some(_) => {
            return Err(MetadataError::client_metadata(
                "client_id: must be a string",
            ));
        }
        None => {
            return Err(MetadataError::client_metadata(
                "client_id: required in an update request",
            ));
        }
    }
    match (request.get("client_secret"), &current.client_secret) {
        (None | Some(Value::Null), _) => {}
        (Some(Value::String(sent)), Some(secret)) if secret.ct_eq(sent) => {}
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
    if let Some(member) = SERVER_MEMBERS_FORBIDDEN_IN_UPDATE
        .iter()
        .find(|m| request.contains_key(**m))
    {
        return Err(MetadataError::client_metadata(format!(
            "{member}: issued by the server; must not be sent in an update"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::ClientMetadata;

    fn information(metadata: &ClientMetadata, secret: Option<&str>) -> ClientInformation {
        let record = ClientRecord::new(
            "id-\"1".to_owned(),
            secret.map(Secret::new),
            0,
            7,
            TokenHash::of("t"),
            MetadataJson::render(metadata),
        );
        ClientInformation {
            record: Arc::new(record),
            registration_access_token: Secret::new("tok"),
            registration_client_uri: "https://h/register/id".to_owned(),
        }
    }

    #[test]
    fn response_splices_metadata_after_credentials() {
        let metadata = ClientMetadata {
            client_name: crate::metadata::Localized {
                default: Some("n".into()),
                tagged: vec![],
            },
            ..ClientMetadata::default()
        };
        let body = information(&metadata, Some("s")).to_json();
        let text = String::from_utf8(body).expect("utf8");
        assert_eq!(
            text,
            r#"{"client_id":"id-\"1","client_secret":"s","client_secret_expires_at":0,"client_id_issued_at":7,"registration_access_token":"tok","registration_client_uri":"https://h/register/id","client_name":"n"}"#
        );
    }

    #[test]
    fn response_with_empty_metadata_and_no_secret_is_valid_json() {
        let body = information(&ClientMetadata::default(), None).to_json();
        let value: Value = serde_json::from_slice(&body).expect("valid JSON");
        assert_eq!(value["client_id"], "id-\"1");
        assert!(value.get("client_secret").is_none());
        assert!(value.get("client_secret_expires_at").is_none());
    }
}
