//! The domain API: register, read, replace and delete clients, authenticate them, issue
//! initial access tokens; no HTTP in sight.
//!
//! The HTTP handler is one caller of [`Registry`]; the host application is another (admin
//! tools, tests, its token endpoint authenticating clients).

mod authenticate;
mod discovery;
mod identity;
mod information;
mod sector;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::config::{
    ExpiryPolicy, RegistrationConfig, SecretRotation, SecretStorage, TokenRotation,
};
use crate::context::{Caller, RequestContext};
use crate::error::RegistrationError;
use crate::fetch::UriFetcher;
use crate::generate::{ClientIdGenerator, SecretGenerator};
use crate::initial_access::{
    InitialAccessTokenOptions, InitialAccessTokens, IssuedInitialAccessToken, RegistrationAccess,
    Reservation,
};
use crate::metadata::{self, ClientMetadata, MetadataLimits, MetadataRules};
use crate::policy::builtin::{AllowedScopes, CallerRestrictions};
use crate::policy::{Operation, Policies, PolicyContext, PolicyError, RegistrationPolicy};
use crate::secret::Secret;
use crate::software_statement::{self, SoftwareStatements};
use crate::store::{
    ClientRecord, ClientStore, MetadataJson, Registrant, StoreError, StoredSecret, TimeoutStore,
};
use crate::token::{CredentialHash, RegistrationTokens};

pub use authenticate::{ClientAuthError, ClientCredentials};
pub use information::ClientInformation;

/// How often an operation re-reads and retries after losing a compare-and-swap race.
const MAX_CAS_ATTEMPTS: usize = 8;

/// The registration domain: cheap to clone, shared by the HTTP layer and the host application.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn ClientStore>,
    tokens: RegistrationTokens,
    rules: MetadataRules,
    allowed_scopes: Option<Arc<AllowedScopes>>,
    policies: Policies,
    client_secret_lifetime: Option<Duration>,
    token_rotation: TokenRotation,
    secret_rotation: SecretRotation,
    secret_storage: SecretStorage,
    client_ids: Arc<dyn ClientIdGenerator>,
    secrets: Arc<dyn SecretGenerator>,
    caller_restrictions: Option<Arc<CallerRestrictions>>,
    access: RegistrationAccess,
    initial_access_tokens: Arc<InitialAccessTokens>,
    /// The public URL of the registration endpoint.
    registration_endpoint: String,
    /// `{registration endpoint}/`, to which a client id is appended.
    client_uri_base: String,
    expiry: Option<ExpiryPolicy>,
    /// Fetches `sector_identifier_uri` documents (and, inside `statements`, issuers' keys).
    uri_fetcher: Option<Arc<dyn UriFetcher>>,
    statements: Arc<SoftwareStatements>,
    metadata_limits: MetadataLimits,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("registration_endpoint", &self.inner.registration_endpoint)
            .finish_non_exhaustive()
    }
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A client id must be usable as one segment of `registration_client_uri` as it is:
/// non-empty, at most 255 bytes, RFC 3986 unreserved characters only.
fn is_usable_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 255
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Request metadata that passed the rules and the policies, rendered for storage.
struct CheckedMetadata {
    json: MetadataJson,
    auth_method: metadata::AuthMethod,
}

impl CheckedMetadata {
    /// Whether the authentication method needs a client secret (checklist C13).
    fn uses_secret(&self) -> bool {
        self.auth_method.uses_secret()
    }
}

impl Registry {
    /// The registry a configuration describes.
    pub fn new(config: &RegistrationConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                store: match config.store_timeout {
                    Some(timeout) => {
                        Arc::new(TimeoutStore::new(Arc::clone(&config.store), timeout))
                    }
                    None => Arc::clone(&config.store),
                },
                tokens: config.tokens.clone(),
                rules: config.rules.clone(),
                allowed_scopes: config.allowed_scopes.clone(),
                policies: config.policies.clone(),
                client_secret_lifetime: config.client_secret_lifetime,
                token_rotation: config.token_rotation,
                secret_rotation: config.secret_rotation,
                secret_storage: config.secret_storage,
                client_ids: Arc::clone(&config.client_ids),
                secrets: Arc::clone(&config.secrets),
                caller_restrictions: config.caller_restrictions.clone(),
                access: config.access,
                initial_access_tokens: Arc::clone(&config.initial_access_tokens),
                registration_endpoint: config.registration_endpoint.clone(),
                client_uri_base: format!("{}/", config.registration_endpoint),
                expiry: config.expiry,
                uri_fetcher: config.uri_fetcher.clone(),
                statements: Arc::clone(&config.software_statements),
                metadata_limits: config.metadata_limits,
            }),
        }
    }

    /// The store behind this registry (time-limited when a store timeout is configured).
    pub fn store(&self) -> &Arc<dyn ClientStore> {
        &self.inner.store
    }

    /// Who may register.
    pub fn access(&self) -> RegistrationAccess {
        self.inner.access
    }

    /// The record of `client_id`, if registered.
    pub async fn client(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        self.inner.store.get(client_id).await
    }

    /// Registers a client from a registration request's JSON object (RFC 7591 §3.1), with
    /// the same rules and policies as over HTTP. The host passes [`RequestContext::host`].
    pub async fn register(
        &self,
        context: &RequestContext,
        request: Map<String, Value>,
    ) -> Result<ClientInformation, RegistrationError> {
        self.register_reserved(context, request, None).await
    }

    /// Takes one use of an initial access token presented to the registration endpoint.
    /// On refusal, the error and, for a valid token over its quota, the token's id.
    pub(crate) fn reserve_initial_access_token(
        &self,
        token: &str,
    ) -> Result<Reservation, (RegistrationError, Option<String>)> {
        use crate::initial_access::Refusal;
        self.inner
            .initial_access_tokens
            .reserve(token, now())
            .map_err(|refusal| match refusal {
                Refusal::Invalid => (RegistrationError::InvalidInitialAccessToken, None),
                Refusal::Quota(id) => (RegistrationError::InsufficientInitialAccessToken, Some(id)),
            })
    }

    /// [`register`](Self::register) with the use of an initial access token already taken;
    /// the use is spent only if the client is stored (dropping the reservation gives it back).
    pub(crate) async fn register_reserved(
        &self,
        context: &RequestContext,
        request: Map<String, Value>,
        reservation: Option<Reservation>,
    ) -> Result<ClientInformation, RegistrationError> {
        let client = self
            .register_once(context, request, reservation.as_ref())
            .await?;
        if let Some(reservation) = reservation {
            reservation.commit();
        }
        Ok(client)
    }

    async fn register_once(
        &self,
        context: &RequestContext,
        request: Map<String, Value>,
        reservation: Option<&Reservation>,
    ) -> Result<ClientInformation, RegistrationError> {
        let bound_policy = reservation.and_then(|r| r.policy());
        let metadata = self
            .checked_metadata(context, Operation::Register, None, request, bound_policy)
            .await?;
        for _ in 0..MAX_CAS_ATTEMPTS {
            let client_id = self.inner.client_ids.client_id();
            if !is_usable_client_id(&client_id) {
                return Err(RegistrationError::Internal(
                    "the client id generator produced an id that is empty or not a single URI \
                     path segment of unreserved characters"
                        .to_owned(),
                ));
            }
            let issued_at = now();
            let (secret, client_secret_expires_at) = self.secret_for(&metadata, None, issued_at)?;
            let token = self.issue_token(&client_id, issued_at)?;
            let mut record = ClientRecord::new(
                client_id,
                secret.as_ref().map(|s| self.stored(s)),
                client_secret_expires_at,
                issued_at,
                CredentialHash::of(token.expose()),
                metadata.json.clone(),
            );
            record.token_endpoint_auth_method = metadata.auth_method;
            record.registered_by = match (reservation, &context.caller) {
                (Some(reservation), _) => {
                    Registrant::InitialAccessToken(reservation.id().to_owned())
                }
                (None, Caller::Host) => Registrant::Host,
                (None, _) => Registrant::Anonymous,
            };
            let record = Arc::new(record);
            match self.inner.store.insert(Arc::clone(&record)).await {
                Ok(()) => {
                    tracing::info!(client_id = %record.client_id, "client registered");
                    return Ok(self.information(record, secret, Some(token), false));
                }
                // An id collision: never overwrite a client, draw another id.
                Err(StoreError::AlreadyExists) => continue,
                Err(err) => return Err(err.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// The current registration of `client_id`, for the bearer of `token` (RFC 7592 §2.1).
    /// With [`TokenRotation::OnEveryUse`] the response carries a new token and the presented
    /// one stops working.
    pub async fn read(
        &self,
        client_id: &str,
        token: &str,
    ) -> Result<ClientInformation, RegistrationError> {
        let mut current = self.authorize(client_id, token).await?;
        self.touch(client_id).await;
        if self.inner.token_rotation != TokenRotation::OnEveryUse {
            let secret = self.shown_secret(&current, None);
            return Ok(self.information(current, secret, Some(Secret::new(token)), false));
        }
        for attempt in 0..MAX_CAS_ATTEMPTS {
            if attempt > 0 {
                current = self.authorize(client_id, token).await?;
            }
            let fresh = self.issue_token(client_id, now())?;
            let mut record = ClientRecord::clone(&current);
            record.registration_token_hash = CredentialHash::of(fresh.expose());
            match self.replace(record, &current).await? {
                Some(record) => {
                    let secret = self.shown_secret(&record, None);
                    return Ok(self.information(record, secret, Some(fresh), true));
                }
                None => continue,
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Replaces the registration of `client_id` with the metadata of an update request
    /// (RFC 7592 §2.2): members left out are removed or reset to their defaults.
    pub async fn update(
        &self,
        context: &RequestContext,
        client_id: &str,
        token: &str,
        request: Map<String, Value>,
    ) -> Result<ClientInformation, RegistrationError> {
        // Authorization first: a caller without the token learns nothing from validation.
        let current = self.authorize(client_id, token).await?;
        self.update_authorized(context, current, Some(token), request)
            .await
    }

    /// Records that `client_id` was used now, for the expiry of abandoned clients. Only when
    /// an expiry policy is configured: recording is a store write (a second lookup in memory, an
    /// UPDATE in SQL) on every read and authentication, which nothing else needs. Best effort: a
    /// store error is logged, never fails the request.
    pub(crate) async fn touch(&self, client_id: &str) {
        if self.inner.expiry.is_none() {
            return;
        }
        if let Err(err) = self.inner.store.touch(client_id, now()).await {
            tracing::debug!(client_id, error = %err, "could not record the client's last use");
        }
    }

    /// Runs one batch of the expiry of abandoned clients
    /// ([`expire_unused_clients`](crate::RegistrationConfigBuilder::expire_unused_clients)):
    /// **deletes** up to `batch` clients unused for `unused_for`, and returns how many. `Ok(0)`
    /// without an expiry policy. Deleted clients still count against the quota of the initial
    /// access token that registered them (in this process).
    pub async fn expire_unused(&self) -> Result<usize, StoreError> {
        let Some(policy) = self.inner.expiry else {
            return Ok(0);
        };
        let unused_since = now().saturating_sub(policy.unused_for.as_secs());
        let deleted = self
            .inner
            .store
            .delete_unused(unused_since, policy.batch)
            .await?;
        for client_id in &deleted {
            tracing::info!(%client_id, "unused client expired and deleted");
        }
        Ok(deleted.len())
    }

    /// The expiry of abandoned clients, for the host to spawn on its runtime (a Tokio runtime
    /// with its timer enabled): forever, sleeps `tick` then runs one batch
    /// ([`expire_unused`](Self::expire_unused)); a store error is logged and retried at the
    /// next tick. Completes at once without an expiry policy. **It deletes clients.**
    ///
    /// ```no_run
    /// # fn run(registry: tower_oidc_registration::Registry) {
    /// tokio::spawn(registry.run_expiry());
    /// # }
    /// ```
    pub async fn run_expiry(self) {
        let Some(policy) = self.inner.expiry else {
            return;
        };
        loop {
            tokio::time::sleep(policy.tick).await;
            if let Err(err) = self.expire_unused().await {
                tracing::warn!(error = %err, "expiry of unused clients failed");
            }
        }
    }

    /// Replaces the registration of `client_id` as the host application (no registration
    /// access token; `client_id` in the body is optional). The same rules and policies apply.
    pub async fn replace_client(
        &self,
        client_id: &str,
        request: Map<String, Value>,
    ) -> Result<ClientInformation, RegistrationError> {
        let current = self
            .inner
            .store
            .get(client_id)
            .await?
            .ok_or(RegistrationError::UnknownClient)?;
        self.update_authorized(&RequestContext::host(), current, None, request)
            .await
    }

    /// [`update`](Self::update) for a record that `authorize` returned for `token` (`None`:
    /// the host, who holds no token).
    pub(crate) async fn update_authorized(
        &self,
        context: &RequestContext,
        mut current: Arc<ClientRecord>,
        token: Option<&str>,
        request: Map<String, Value>,
    ) -> Result<ClientInformation, RegistrationError> {
        let client_id = current.client_id.clone();
        let identity = identity::UpdateIdentity::of(&request);
        identity.check(&current, token.is_some())?;
        // An update is judged as the kind of caller that registered the client, and the policy
        // of the initial access token it was registered with applies again; a token unknown here
        // (issued by another process) fails closed. The host itself is unrestricted, but a
        // client the host registered is not the host: holding its registration access token
        // must not confer the host's rights, so its own updates are judged as a registered
        // client's (as strictly as anonymous ones by the built-in restrictions).
        let caller = match (&current.registered_by, token) {
            (_, None) => Caller::Host,
            (Registrant::Host, Some(_)) => Caller::RegisteredClient,
            (Registrant::InitialAccessToken(id), Some(_)) => {
                Caller::InitialAccessToken { id: id.clone() }
            }
            (Registrant::Anonymous, Some(_)) => Caller::Anonymous,
        };
        let bound_policy = match &current.registered_by {
            Registrant::InitialAccessToken(id) if !self.inner.initial_access_tokens.knows(id) => {
                return Err(RegistrationError::Forbidden(
                    "the initial access token this client was registered with is unknown to this \
                     server, so its policy cannot be applied"
                        .to_owned(),
                ));
            }
            Registrant::InitialAccessToken(id) => self.inner.initial_access_tokens.policy_of(id),
            _ => None,
        };
        let policy_context = RequestContext {
            caller,
            headers: context.headers.clone(),
        };
        let metadata = self
            .checked_metadata(
                &policy_context,
                Operation::Update,
                Some(&client_id),
                request,
                bound_policy.as_ref(),
            )
            .await?;
        for attempt in 0..MAX_CAS_ATTEMPTS {
            if attempt > 0 {
                // Lost a race: re-read, and re-check the token, which a rotation may have killed.
                current = match token {
                    Some(token) => self.authorize(&client_id, token).await?,
                    None => self
                        .inner
                        .store
                        .get(&client_id)
                        .await?
                        .ok_or(RegistrationError::UnknownClient)?,
                };
                identity.check(&current, token.is_some())?;
            }
            let (secret, client_secret_expires_at) =
                self.secret_for(&metadata, Some(&current), now())?;
            let rotate = matches!(
                self.inner.token_rotation,
                TokenRotation::OnUpdate | TokenRotation::OnEveryUse
            );
            // The host holds no token: without rotation the client's token stays as it is, and
            // the response carries none.
            let (new_token, rotated) = match token {
                _ if rotate => (Some(self.issue_token(&client_id, now())?), true),
                Some(token) => (Some(Secret::new(token)), false),
                None => (None, false),
            };
            let mut record = ClientRecord::clone(&current);
            record.client_secret = match &secret {
                Some(fresh) => Some(self.stored(fresh)),
                None if metadata.uses_secret() => current.client_secret.clone(),
                None => None,
            };
            record.client_secret_expires_at = client_secret_expires_at;
            if let Some(new_token) = &new_token {
                record.registration_token_hash = CredentialHash::of(new_token.expose());
            }
            record.token_endpoint_auth_method = metadata.auth_method;
            record.metadata = metadata.json.clone();
            match self.replace(record, &current).await? {
                Some(record) => {
                    tracing::info!(client_id = %record.client_id, "client updated");
                    if token.is_some() {
                        // Managed by the client itself: a use (the host's updates are not).
                        self.touch(&record.client_id).await;
                    }
                    let shown = self.shown_secret(&record, secret);
                    return Ok(self.information(record, shown, new_token, rotated));
                }
                None => continue,
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Deletes the registration of `client_id` (RFC 7592 §2.3): its registration access token
    /// and its credentials stop working at once.
    pub async fn delete(&self, client_id: &str, token: &str) -> Result<(), RegistrationError> {
        for _ in 0..MAX_CAS_ATTEMPTS {
            let current = self.authorize(client_id, token).await?;
            if self
                .delete_record(&current, RegistrationError::InvalidToken)
                .await?
            {
                return Ok(());
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Deletes `client_id` as the host application (no registration access token).
    pub async fn delete_client(&self, client_id: &str) -> Result<(), RegistrationError> {
        for _ in 0..MAX_CAS_ATTEMPTS {
            let current = self
                .inner
                .store
                .get(client_id)
                .await?
                .ok_or(RegistrationError::UnknownClient)?;
            if self
                .delete_record(&current, RegistrationError::UnknownClient)
                .await?
            {
                return Ok(());
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Deletes `current` if unchanged: `Ok(false)` when it changed meanwhile (retry),
    /// `gone` when it was deleted meanwhile.
    async fn delete_record(
        &self,
        current: &ClientRecord,
        gone: RegistrationError,
    ) -> Result<bool, RegistrationError> {
        match self
            .inner
            .store
            .delete(&current.client_id, current.version)
            .await
        {
            Ok(()) => {
                if let Registrant::InitialAccessToken(id) = &current.registered_by {
                    self.inner.initial_access_tokens.client_deleted(id);
                }
                tracing::info!(client_id = %current.client_id, "client deleted");
                Ok(true)
            }
            Err(StoreError::Conflict) => Ok(false),
            Err(StoreError::NotFound) => Err(gone),
            Err(err) => Err(err.into()),
        }
    }

    /// Stores `record` in place of `current` if unchanged: `Ok(None)` when it changed
    /// meanwhile (retry), the stored record otherwise.
    async fn replace(
        &self,
        mut record: ClientRecord,
        current: &ClientRecord,
    ) -> Result<Option<Arc<ClientRecord>>, RegistrationError> {
        record.version = current.version + 1;
        let record = Arc::new(record);
        match self
            .inner
            .store
            .replace(Arc::clone(&record), current.version)
            .await
        {
            Ok(()) => Ok(Some(record)),
            Err(StoreError::Conflict) => Ok(None),
            Err(StoreError::NotFound) => Err(RegistrationError::InvalidToken),
            Err(err) => Err(err.into()),
        }
    }

    /// Issues an initial access token (RFC 7591 §3) with the given terms; only its hash is
    /// kept. Tokens live in this process: restarting forgets them.
    pub fn issue_initial_access_token(
        &self,
        options: InitialAccessTokenOptions,
    ) -> Result<IssuedInitialAccessToken, RegistrationError> {
        let token = Secret::random(32)
            .map_err(|e| RegistrationError::Internal(format!("OS random number generator: {e}")))?;
        let id = uuid::Uuid::new_v4().to_string();
        self.inner
            .initial_access_tokens
            .add(id.clone(), token.expose(), &options, now());
        Ok(IssuedInitialAccessToken { id, token })
    }

    /// Revokes the initial access token `id`: it registers no more clients, but its policy
    /// still applies to the clients it registered. `false` for an unknown id.
    pub fn revoke_initial_access_token(&self, id: &str) -> bool {
        self.inner.initial_access_tokens.revoke(id)
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
        if record
            .registration_token_hash
            .ct_eq(&CredentialHash::of(token))
        {
            Ok(record)
        } else {
            Err(RegistrationError::InvalidToken)
        }
    }

    /// Parses and validates request metadata (the same rules for registration and update),
    /// applies the policies, and renders it once for storage and every later response.
    async fn checked_metadata(
        &self,
        context: &RequestContext,
        operation: Operation,
        client_id: Option<&str>,
        request: Map<String, Value>,
        bound_policy: Option<&Arc<dyn RegistrationPolicy>>,
    ) -> Result<CheckedMetadata, RegistrationError> {
        // The one place every request's metadata enters (HTTP and host, register and update):
        // bounded before anything else reads it.
        metadata::check_limits(&request, &self.inner.metadata_limits)?;
        // The statement's claims take precedence over the body's members: they are written over
        // the request before the rules see it, so that they obey the same rules.
        let mut request = request;
        let required = self.inner.statements.required_for(&context.caller);
        let statement = self.inner.statements.apply(&mut request, required).await?;
        if statement.is_some() {
            // A statement's claims were written in after the first check: a trusted issuer's
            // statement is bounded the same (its `redirect_uris`, say, at most 64 of them).
            metadata::check_limits(&request, &self.inner.metadata_limits)?;
        }
        let parsed = metadata::parse_owned(request)?;
        let mut valid = metadata::validate(parsed, &self.inner.rules)?;
        let has_policy = self.inner.caller_restrictions.is_some()
            || self.inner.allowed_scopes.is_some()
            || !self.inner.policies.is_empty()
            || bound_policy.is_some();
        if has_policy {
            valid = self
                .apply_policies(context, operation, client_id, valid, bound_policy)
                .await?;
            // A policy may rewrite: what it returns must still obey the RFC rules.
            valid = metadata::validate(valid, &self.inner.rules)?;
        }
        // Last, as it costs a request: what is registered is final by now.
        sector::check(&valid, self.inner.uri_fetcher.as_deref()).await?;
        let mut json = MetadataJson::render(&valid);
        if let Some(statement) = statement {
            json = software_statement::registered_with(&json, &statement)?;
        }
        Ok(CheckedMetadata {
            auth_method: valid
                .token_endpoint_auth_method
                .unwrap_or(metadata::AuthMethod::ClientSecretBasic),
            json,
        })
    }

    async fn apply_policies(
        &self,
        context: &RequestContext,
        operation: Operation,
        client_id: Option<&str>,
        mut metadata: ClientMetadata,
        bound_policy: Option<&Arc<dyn RegistrationPolicy>>,
    ) -> Result<ClientMetadata, RegistrationError> {
        let policy_context = PolicyContext {
            operation,
            request: context,
            client_id,
            store: self.inner.store.as_ref(),
        };
        let policies = self
            .inner
            .caller_restrictions
            .iter()
            .map(|p| p.as_ref() as &dyn RegistrationPolicy)
            .chain(
                self.inner
                    .allowed_scopes
                    .iter()
                    .map(|p| p.as_ref() as &dyn RegistrationPolicy),
            )
            .chain(std::iter::once(
                &self.inner.policies as &dyn RegistrationPolicy,
            ))
            .chain(bound_policy.map(|p| p.as_ref()));
        for policy in policies {
            metadata = policy
                .apply(&policy_context, metadata)
                .await
                .map_err(|err| match err {
                    PolicyError::Metadata(m) => RegistrationError::Metadata(m),
                    PolicyError::Denied(why) => RegistrationError::Forbidden(why),
                })?;
        }
        Ok(metadata)
    }

    /// The secret to issue for a client with `metadata`: `None` to keep `current`'s (a client
    /// that has a valid one and still needs one: RFC 7592, the secret is never client-chosen),
    /// a new one when it starts to need one (checklist H10), when the current one expired, or
    /// on every update with [`SecretRotation::OnUpdate`]. The expiry goes with it.
    fn secret_for(
        &self,
        metadata: &CheckedMetadata,
        current: Option<&ClientRecord>,
        now: u64,
    ) -> Result<(Option<Secret>, u64), RegistrationError> {
        if !metadata.uses_secret() {
            return Ok((None, 0));
        }
        if let Some(current) = current
            && current.client_secret.is_some()
            && self.inner.secret_rotation == SecretRotation::Never
            && (current.client_secret_expires_at == 0 || current.client_secret_expires_at > now)
        {
            return Ok((None, current.client_secret_expires_at));
        }
        let secret =
            self.inner.secrets.client_secret().map_err(|e| {
                RegistrationError::Internal(format!("OS random number generator: {e}"))
            })?;
        let expires_at = self
            .inner
            .client_secret_lifetime
            .map_or(0, |lifetime| now.saturating_add(lifetime.as_secs()));
        Ok((Some(secret), expires_at))
    }

    /// How a new secret is kept.
    fn stored(&self, secret: &Secret) -> StoredSecret {
        match self.inner.secret_storage {
            SecretStorage::Plain => StoredSecret::Plain(secret.clone()),
            SecretStorage::Hashed => StoredSecret::Hashed(CredentialHash::of(secret.expose())),
        }
    }

    /// The secret a response shows: the one just issued, or the stored one when kept in clear.
    fn shown_secret(&self, record: &ClientRecord, issued: Option<Secret>) -> Option<Secret> {
        issued.or_else(|| {
            record
                .client_secret
                .as_ref()
                .and_then(|s| s.plain())
                .cloned()
        })
    }

    fn issue_token(&self, client_id: &str, now: u64) -> Result<Secret, RegistrationError> {
        self.inner
            .tokens
            .issue(client_id, now)
            .map_err(|e| RegistrationError::Internal(e.to_string()))
    }

    fn information(
        &self,
        record: Arc<ClientRecord>,
        client_secret: Option<Secret>,
        token: Option<Secret>,
        token_rotated: bool,
    ) -> ClientInformation {
        let registration_client_uri = format!("{}{}", self.inner.client_uri_base, record.client_id);
        ClientInformation {
            record,
            client_secret,
            registration_access_token: token,
            registration_client_uri,
            token_rotated,
        }
    }
}
