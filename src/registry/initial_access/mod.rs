//! Initial access tokens (RFC 7591 §3): protected registration. Tokens come from the
//! configuration (static) or are issued through [`Registry::issue_initial_access_token`] with
//! an expiry, a number of uses and a policy; only their SHA-256 is kept. A registration takes
//! a [`Reservation`] of one use before its metadata is read, spent only if the client is
//! stored.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use dashmap::DashMap;

use super::Registry;
use crate::error::RegistrationError;
use crate::policy::RegistrationPolicy;
use crate::secret::Secret;
use crate::token::CredentialHash;

/// The terms of an initial access token.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct InitialAccessTokenOptions {
    /// How long the token is valid; `None` for ever.
    pub expires_in: Option<Duration>,
    /// How many registrations it allows; `None` for any number.
    pub max_uses: Option<u64>,
    /// How many of the clients registered with it may exist at once; `None` for any number.
    pub max_clients: Option<u64>,
    /// A policy applied to registrations made with the token, and again to updates of the
    /// clients registered with it.
    pub policy: Option<Arc<dyn RegistrationPolicy>>,
}

impl std::fmt::Debug for InitialAccessTokenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InitialAccessTokenOptions")
            .field("expires_in", &self.expires_in)
            .field("max_uses", &self.max_uses)
            .field("max_clients", &self.max_clients)
            .field("policy", &self.policy.is_some())
            .finish()
    }
}

impl InitialAccessTokenOptions {
    /// No expiry, no limit, no policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Expires after `lifetime`.
    #[must_use]
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = Some(lifetime);
        self
    }

    /// Allows `uses` registrations.
    #[must_use]
    pub fn max_uses(mut self, uses: u64) -> Self {
        self.max_uses = Some(uses);
        self
    }

    /// Allows `clients` live clients registered with it.
    #[must_use]
    pub fn max_clients(mut self, clients: u64) -> Self {
        self.max_clients = Some(clients);
        self
    }

    /// Applies `policy` to registrations made with the token and to their updates.
    #[must_use]
    pub fn policy(mut self, policy: impl RegistrationPolicy) -> Self {
        self.policy = Some(Arc::new(policy));
        self
    }
}

/// A newly issued initial access token: give `token` to the party that will register.
#[derive(Debug, Clone)]
pub struct IssuedInitialAccessToken {
    /// The token's id: what events, policies and records refer to; not a credential.
    pub id: String,
    /// The token, shown once.
    pub token: Secret,
}

struct Entry {
    id: String,
    expires_at: Option<u64>,
    max_clients: Option<u64>,
    policy: Option<Arc<dyn RegistrationPolicy>>,
    /// Remaining registrations (`u64::MAX` for unlimited); decremented atomically.
    remaining: AtomicU64,
    /// Live clients registered with this token.
    clients: AtomicU64,
    revoked: std::sync::atomic::AtomicBool,
}

/// Why an initial access token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Unknown, revoked, expired or used up: 401 `invalid_token`.
    Invalid,
    /// Its client quota is reached: 403 `insufficient_scope`. Carries the token's id.
    Quota(String),
}

/// The id of a static token: derived from its hash, so that it stays the same across
/// restarts and whatever the order of the configuration (records refer to it).
fn static_token_id(token: &str) -> String {
    use base64::Engine as _;
    let hash = CredentialHash::of(&format!("tower-oidc-registration static id {token}"));
    format!(
        "static-{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&hash.as_bytes()[..9])
    )
}

/// The initial access tokens known to this process, by hash and by id.
#[derive(Default)]
pub(crate) struct InitialAccessTokens {
    by_hash: DashMap<[u8; 32], Arc<Entry>>,
    by_id: DashMap<String, Arc<Entry>>,
}

/// One use of a token, taken before a registration and given back unless the registration
/// is committed: a failed, abandoned or cancelled request (its future dropped) costs nothing.
pub(crate) struct Reservation {
    entry: Arc<Entry>,
    committed: bool,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.committed {
            if self.entry.remaining.load(Ordering::Acquire) != u64::MAX {
                self.entry.remaining.fetch_add(1, Ordering::AcqRel);
            }
            self.entry.clients.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Reservation {
    pub(crate) fn id(&self) -> &str {
        &self.entry.id
    }

    pub(crate) fn policy(&self) -> Option<&Arc<dyn RegistrationPolicy>> {
        self.entry.policy.as_ref()
    }

    /// The client is stored: the use and the client slot are spent.
    pub(crate) fn commit(mut self) {
        self.committed = true;
    }
}

/// Decrements `counter` unless it is 0; `u64::MAX` means unlimited and is left alone.
fn take_one(counter: &AtomicU64) -> bool {
    counter
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| match n {
            0 => None,
            u64::MAX => Some(u64::MAX),
            n => Some(n - 1),
        })
        .is_ok()
}

impl InitialAccessTokens {
    /// Registers a static token from the configuration.
    pub(crate) fn add_static(&self, token: &str, options: &InitialAccessTokenOptions, now: u64) {
        self.add(static_token_id(token), token, options, now);
    }

    /// Registers a token (static from the configuration, or freshly issued).
    pub(crate) fn add(
        &self,
        id: String,
        token: &str,
        options: &InitialAccessTokenOptions,
        now: u64,
    ) {
        let entry = Arc::new(Entry {
            id: id.clone(),
            expires_at: options
                .expires_in
                .map(|d| now.saturating_add(d.as_secs().max(1))),
            max_clients: options.max_clients,
            policy: options.policy.clone(),
            remaining: AtomicU64::new(options.max_uses.unwrap_or(u64::MAX)),
            clients: AtomicU64::new(0),
            revoked: Default::default(),
        });
        self.by_hash
            .insert(*CredentialHash::of(token).as_bytes(), Arc::clone(&entry));
        self.by_id.insert(id, entry);
    }

    /// Takes one use of `token`: unknown, revoked, expired and spent tokens are refused, and
    /// so is a token whose client quota is reached.
    pub(crate) fn reserve(&self, token: &str, now: u64) -> Result<Reservation, Refusal> {
        // The map is keyed by the SHA-256 of the token: the lookup itself compares hashes,
        // never the token, so it reveals nothing through timing.
        let entry = self
            .by_hash
            .get(CredentialHash::of(token).as_bytes())
            .map(|e| Arc::clone(e.value()))
            .ok_or(Refusal::Invalid)?;
        if entry.revoked.load(Ordering::Acquire) || entry.expires_at.is_some_and(|t| t <= now) {
            return Err(Refusal::Invalid);
        }
        if !take_one(&entry.remaining) {
            return Err(Refusal::Invalid);
        }
        let limit = entry.max_clients.unwrap_or(u64::MAX);
        if entry
            .clients
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .is_err()
        {
            if entry.remaining.load(Ordering::Acquire) != u64::MAX {
                entry.remaining.fetch_add(1, Ordering::AcqRel);
            }
            return Err(Refusal::Quota(entry.id.clone()));
        }
        Ok(Reservation {
            entry,
            committed: false,
        })
    }

    /// Whether token `id` is known here (issued or static, revoked or not).
    pub(crate) fn knows(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The policy bound to the token `id`, for updates of the clients it registered.
    pub(crate) fn policy_of(&self, id: &str) -> Option<Arc<dyn RegistrationPolicy>> {
        self.by_id.get(id).and_then(|e| e.policy.clone())
    }

    /// A client registered with token `id` was deleted: its slot is free again.
    pub(crate) fn client_deleted(&self, id: &str) {
        if let Some(entry) = self.by_id.get(id) {
            let _ = entry
                .clients
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
        }
    }

    /// Revokes token `id`; its policy still applies to the clients it registered.
    pub(crate) fn revoke(&self, id: &str) -> bool {
        match self.by_id.get(id) {
            Some(entry) => {
                entry.revoked.store(true, Ordering::Release);
                true
            }
            None => false,
        }
    }
}

impl Registry {
    /// Issues an initial access token (RFC 7591 §3) with the given terms; only its hash is
    /// kept. Tokens live in this process: restarting forgets them.
    pub fn issue_initial_access_token(
        &self,
        options: InitialAccessTokenOptions,
    ) -> Result<IssuedInitialAccessToken, RegistrationError> {
        let token = Secret::random(32).map_err(|e| RegistrationError::Internal(e.to_string()))?;
        let id = uuid::Uuid::new_v4().to_string();
        self.settings
            .initial_access_tokens
            .add(id.clone(), token.expose(), &options, self.now());
        Ok(IssuedInitialAccessToken { id, token })
    }

    /// Revokes the initial access token `id`: it registers no more clients, but its policy
    /// still applies to the clients it registered. `false` for an unknown id.
    pub fn revoke_initial_access_token(&self, id: &str) -> bool {
        self.settings.initial_access_tokens.revoke(id)
    }
}

#[cfg(test)]
mod tests;
