//! Client configuration (RFC 7592): who may manage a client ([`Registry::authorize`]), then
//! read, replace and delete through the [`AuthorizedClient`] it returns. A client proves
//! itself with its registration access token; the host needs none.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::identity::UpdateIdentity;
use super::information::ClientInformation;
use super::{MAX_CAS_ATTEMPTS, Registry};
use crate::config::TokenRotation;
use crate::context::{Caller, Credential, Requester};
use crate::error::RegistrationError;
use crate::policy::Operation;
use crate::secret::Secret;
use crate::store::{ClientRecord, StoreError};
use crate::token::CredentialHash;

/// A client's registration that a requester proved the right to manage: the client itself,
/// with its current registration access token, or the host.
pub struct AuthorizedClient<'a> {
    registry: &'a Registry,
    requester: Requester<'a>,
    /// The client's registration access token; `None` for the host, who holds none.
    token: Option<&'a str>,
    current: Arc<ClientRecord>,
}

impl std::fmt::Debug for AuthorizedClient<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizedClient")
            .field("client_id", &self.current.client_id())
            .field("caller", &self.caller())
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// Checks that `requester` may manage `client_id`, before anything else is read: the
    /// holder of the client's current registration access token (its signature, issuer and
    /// audience verified, then its hash compared in constant time with the stored one), or the
    /// host. Every failure of a token is the same [`RegistrationError::InvalidToken`], unknown
    /// clients included, so that a caller learns nothing of other clients; no token at all is
    /// [`RegistrationError::MissingToken`]; the host addressing an unknown client gets
    /// [`RegistrationError::UnknownClient`].
    pub async fn authorize<'a>(
        &'a self,
        requester: Requester<'a>,
        client_id: &str,
    ) -> Result<AuthorizedClient<'a>, RegistrationError> {
        let (token, current) = match requester.credential {
            Credential::RegistrationAccessToken(token) => (
                Some(token),
                self.token_holders_record(client_id, token).await?,
            ),
            Credential::Host => (None, self.hosts_record(client_id).await?),
            Credential::None => return Err(RegistrationError::MissingToken),
            // An initial access token registers clients; it manages none.
            Credential::InitialAccessToken(_) => return Err(RegistrationError::InvalidToken),
        };
        Ok(AuthorizedClient {
            registry: self,
            requester,
            token,
            current,
        })
    }

    /// The current registration of `client_id` (RFC 7592 §2.1). With
    /// [`TokenRotation::OnEveryUse`] a client's read returns a new token and the presented one
    /// stops working.
    pub async fn read(
        &self,
        requester: Requester<'_>,
        client_id: &str,
    ) -> Result<ClientInformation, RegistrationError> {
        self.authorize(requester, client_id).await?.read().await
    }

    /// Replaces the registration of `client_id` with the metadata of an update request
    /// (RFC 7592 §2.2): members left out are removed or reset to their defaults.
    pub async fn update(
        &self,
        requester: Requester<'_>,
        client_id: &str,
        request: Map<String, Value>,
    ) -> Result<ClientInformation, RegistrationError> {
        self.authorize(requester, client_id)
            .await?
            .update(request)
            .await
    }

    /// Deletes the registration of `client_id` (RFC 7592 §2.3): its registration access token
    /// and its credentials stop working at once.
    pub async fn delete(
        &self,
        requester: Requester<'_>,
        client_id: &str,
    ) -> Result<(), RegistrationError> {
        self.authorize(requester, client_id).await?.delete().await
    }

    /// The record of `client_id` if `token` is its current registration access token.
    async fn token_holders_record(
        &self,
        client_id: &str,
        token: &str,
    ) -> Result<Arc<ClientRecord>, RegistrationError> {
        // The signature check first: garbage never reaches the store.
        if !self.settings.tokens.verify(token, client_id) {
            return Err(RegistrationError::InvalidToken);
        }
        let record = self
            .settings
            .store
            .get(client_id)
            .await?
            .ok_or(RegistrationError::InvalidToken)?;
        if record
            .registration_token_hash()
            .ct_eq(&CredentialHash::of(token))
        {
            Ok(record)
        } else {
            Err(RegistrationError::InvalidToken)
        }
    }

    async fn hosts_record(&self, client_id: &str) -> Result<Arc<ClientRecord>, RegistrationError> {
        self.settings
            .store
            .get(client_id)
            .await?
            .ok_or(RegistrationError::UnknownClient)
    }

    /// Stores `record` in place of `current` if unchanged: `Ok(None)` when it changed
    /// meanwhile (retry), the stored record otherwise.
    async fn replace(
        &self,
        record: ClientRecord,
        current: &ClientRecord,
    ) -> Result<Option<Arc<ClientRecord>>, RegistrationError> {
        let record = Arc::new(record.with_version(current.version() + 1));
        match self
            .settings
            .store
            .replace(Arc::clone(&record), current.version())
            .await
        {
            Ok(()) => Ok(Some(record)),
            Err(StoreError::Conflict) => Ok(None),
            Err(StoreError::NotFound) => Err(RegistrationError::InvalidToken),
            Err(err) => Err(err.into()),
        }
    }
}

impl AuthorizedClient<'_> {
    /// The client's id.
    pub fn client_id(&self) -> &str {
        self.current.client_id()
    }

    /// Who is managing the client: [`Caller::RegisteredClient`] or [`Caller::Host`].
    pub fn caller(&self) -> Caller {
        match self.token {
            Some(_) => Caller::RegisteredClient,
            None => Caller::Host,
        }
    }

    /// Re-reads the record after a lost compare-and-swap race, and re-checks the token, which
    /// a concurrent rotation may have killed.
    async fn reload(&mut self) -> Result<(), RegistrationError> {
        let client_id = self.current.client_id().to_owned();
        self.current = match self.token {
            Some(token) => {
                self.registry
                    .token_holders_record(&client_id, token)
                    .await?
            }
            None => self.registry.hosts_record(&client_id).await?,
        };
        Ok(())
    }

    /// The current registration (RFC 7592 §2.1). A client's read counts as a use (for the
    /// expiry of unused clients) and, with [`TokenRotation::OnEveryUse`], returns a new token.
    pub async fn read(mut self) -> Result<ClientInformation, RegistrationError> {
        let registry = self.registry;
        let Some(token) = self.token else {
            let secret = registry.shown_secret(&self.current, None);
            return Ok(registry.information(self.current, secret, None, false));
        };
        registry.touch(self.current.client_id()).await;
        if registry.settings.token_rotation != TokenRotation::OnEveryUse {
            let secret = registry.shown_secret(&self.current, None);
            return Ok(registry.information(self.current, secret, Some(Secret::new(token)), false));
        }
        for attempt in 0..MAX_CAS_ATTEMPTS {
            if attempt > 0 {
                self.reload().await?;
            }
            let fresh = registry.issue_token(self.current.client_id(), registry.now())?;
            let record = ClientRecord::clone(&self.current)
                .with_registration_token_hash(CredentialHash::of(fresh.expose()));
            if let Some(record) = registry.replace(record, &self.current).await? {
                let secret = registry.shown_secret(&record, None);
                return Ok(registry.information(record, secret, Some(fresh), true));
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Replaces the registration with the metadata of an update request (RFC 7592 §2.2).
    ///
    /// The body must name the client (`client_id`, optional for the host), may repeat its
    /// secret but never choose one, and must not carry server-issued members. An update is
    /// judged as the kind of caller that registered the client, and the policy of the initial
    /// access token it was registered with applies again. The host itself is unrestricted,
    /// but a client the host registered is not the host: holding its registration access
    /// token confers none of the host's rights.
    pub async fn update(
        mut self,
        request: Map<String, Value>,
    ) -> Result<ClientInformation, RegistrationError> {
        let registry = self.registry;
        let settings = &registry.settings;
        let identity = UpdateIdentity::of(&request);
        identity.check(&self.current, self.token.is_some())?;
        let registered_by = self.current.registered_by().clone();
        // The token's policy binds the client whoever updates it, the host included; a token
        // or a policy unknown to this server fails closed.
        let bound_policy = match &registered_by {
            Caller::InitialAccessToken { id } => registry.policy_of_token(id).await?,
            _ => None,
        };
        let caller = match (registered_by, self.token) {
            (_, None) => Caller::Host,
            (Caller::Host, Some(_)) => Caller::RegisteredClient,
            (by, Some(_)) => by,
        };
        // A token's own policy may read the headers, whatever else is configured.
        let headers_read = bound_policy.is_some() || !settings.policies.is_empty();
        let context = registry.request_context(caller, self.requester, headers_read);
        let client_id = self.current.client_id().to_owned();
        let metadata = registry
            .checked_metadata(
                &context,
                Operation::Update,
                Some(&client_id),
                request,
                bound_policy.as_ref(),
            )
            .await?;
        for attempt in 0..MAX_CAS_ATTEMPTS {
            if attempt > 0 {
                self.reload().await?;
                identity.check(&self.current, self.token.is_some())?;
            }
            let current = &self.current;
            let (secret, client_secret_expires_at) =
                registry.secret_for(&metadata, Some(current), registry.now())?;
            let rotate = matches!(
                settings.token_rotation,
                TokenRotation::OnUpdate | TokenRotation::OnEveryUse
            );
            // The host holds no token: without rotation the client's token stays as it is, and
            // the response carries none.
            let (new_token, rotated) = match self.token {
                _ if rotate => (
                    Some(registry.issue_token(&client_id, registry.now())?),
                    true,
                ),
                Some(token) => (Some(Secret::new(token)), false),
                None => (None, false),
            };
            let client_secret = match &secret {
                Some(fresh) => Some(registry.stored(fresh)),
                None if metadata.uses_secret() => current.client_secret().cloned(),
                None => None,
            };
            let mut record = ClientRecord::clone(current)
                .with_client_secret(client_secret, client_secret_expires_at)
                .with_auth_method(metadata.auth_method)
                .with_metadata(metadata.json.clone());
            if let Some(new_token) = &new_token {
                record =
                    record.with_registration_token_hash(CredentialHash::of(new_token.expose()));
            }
            if let Some(record) = registry.replace(record, current).await? {
                tracing::info!(client_id = %record.client_id(), "client updated");
                if self.token.is_some() {
                    // Managed by the client itself: a use (the host's updates are not).
                    registry.touch(record.client_id()).await;
                }
                let shown = registry.shown_secret(&record, secret);
                return Ok(registry.information(record, shown, new_token, rotated));
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Deletes the registration (RFC 7592 §2.3): its registration access token and its
    /// credentials stop working at once. A client registered with an initial access token
    /// frees its slot in the token's client quota (the store counts the live clients).
    pub async fn delete(mut self) -> Result<(), RegistrationError> {
        let registry = self.registry;
        // A client's record gone meanwhile is as if its token were wrong; the host's, unknown.
        let gone = match self.token {
            Some(_) => RegistrationError::InvalidToken,
            None => RegistrationError::UnknownClient,
        };
        for attempt in 0..MAX_CAS_ATTEMPTS {
            if attempt > 0 {
                self.reload().await?;
            }
            let current = &self.current;
            match registry
                .settings
                .store
                .delete(current.client_id(), current.version())
                .await
            {
                Ok(()) => {
                    tracing::info!(client_id = %current.client_id(), "client deleted");
                    return Ok(());
                }
                Err(StoreError::Conflict) => continue,
                Err(StoreError::NotFound) => return Err(gone),
                Err(err) => return Err(err.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }
}
