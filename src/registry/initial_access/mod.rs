//! Initial access tokens (RFC 7591 §3): protected registration. Tokens come from the
//! configuration (static) or are issued through [`Registry::issue_initial_access_token`] with
//! an expiry, a number of uses, a client quota and the name of a policy.
//!
//! Their records live in the store ([`ClientStore`](crate::ClientStore)'s initial access token
//! methods), only the token's SHA-256 in them: a token's uses and client quota hold across
//! every replica sharing the store and across restarts. A static token's record is written the
//! first time it is presented, under an id derived from the token; issued tokens are written
//! when issued. A registration checks its token before the request body is read (a read,
//! nothing spent), and spends the use in the same transaction that inserts the client: a
//! failed, abandoned or cancelled registration costs nothing, and of concurrent registrations
//! racing for a token's last use exactly one is stored.
//!
//! Policies are configured by name
//! ([`initial_access_token_policy`](crate::RegistrationConfigBuilder::initial_access_token_policy))
//! and a token names one: its record keeps the name, and every replica applies the policy it
//! has under that name.

mod check;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{MAX_CAS_ATTEMPTS, Registry};
use crate::config::ConfigError;
use crate::error::RegistrationError;
use crate::policy::RegistrationPolicy;
use crate::secret::Secret;
use crate::store::{InitialAccessTokenRecord, StoreError};
use crate::token::CredentialHash;

pub(crate) use check::{AdmittedToken, refused};

/// The terms of an initial access token.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct InitialAccessTokenOptions {
    /// How long the token is valid; `None` for ever.
    pub expires_in: Option<Duration>,
    /// How many registrations it allows; `None` for any number.
    pub max_uses: Option<u64>,
    /// How many of the clients registered with it may exist at once; `None` for any number.
    pub max_clients: Option<u64>,
    /// The name of a policy registered with
    /// [`initial_access_token_policy`](crate::RegistrationConfigBuilder::initial_access_token_policy),
    /// applied to registrations made with the token, and again to updates of the clients
    /// registered with it.
    pub policy: Option<String>,
}

impl InitialAccessTokenOptions {
    /// No expiry, no limit, no policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Expires after `lifetime` (at least one second).
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

    /// Applies the policy registered under `name`
    /// ([`initial_access_token_policy`](crate::RegistrationConfigBuilder::initial_access_token_policy))
    /// to registrations made with the token and to their updates. A name the configuration does
    /// not register is refused: when the configuration is built for a static token, when the
    /// token is issued for an issued one.
    #[must_use]
    pub fn policy(mut self, name: impl Into<String>) -> Self {
        self.policy = Some(name.into());
        self
    }

    /// The record of a token with these terms, `id` and `hash`, issued or configured at `now`.
    fn record(&self, id: String, hash: CredentialHash, now: u64) -> InitialAccessTokenRecord {
        InitialAccessTokenRecord::new(id, hash)
            .with_expires_at(
                self.expires_in
                    .map(|d| now.saturating_add(d.as_secs().max(1))),
            )
            .with_max_uses(self.max_uses)
            .with_max_clients(self.max_clients)
            .with_policy(self.policy.clone())
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

/// What ids of static tokens start with: issued tokens' ids are UUIDs.
const STATIC_ID_PREFIX: &str = "static-";

/// The id of a static token: derived from its hash, so that it stays the same across
/// restarts, replicas and whatever the order of the configuration (records refer to it).
fn static_token_id(token: &str) -> String {
    use base64::Engine as _;
    let hash = CredentialHash::of(&format!("tower-oidc-registration static id {token}"));
    format!(
        "{STATIC_ID_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&hash.as_bytes()[..9])
    )
}

/// What the configuration says of initial access tokens: its static tokens, by hash, as their
/// records are first written, and its named policies. The tokens' state is in the store.
pub(crate) struct InitialAccessTokens {
    statics: HashMap<[u8; 32], InitialAccessTokenRecord>,
    policies: HashMap<String, Arc<dyn RegistrationPolicy>>,
    /// The ids of the static tokens whose recorded terms were found to differ from the
    /// configured ones: warned about once per process.
    warned: Mutex<HashSet<String>>,
}

impl InitialAccessTokens {
    /// The static `tokens` and the named `policies` of a configuration built at `now`: an error
    /// for a policy name given twice, or a static token naming a policy that is not given.
    pub(crate) fn new(
        tokens: &[(Secret, InitialAccessTokenOptions)],
        policies: Vec<(String, Arc<dyn RegistrationPolicy>)>,
        now: u64,
    ) -> Result<Self, ConfigError> {
        let mut named = HashMap::with_capacity(policies.len());
        for (name, policy) in policies {
            if named.insert(name.clone(), policy).is_some() {
                return Err(ConfigError::InitialAccessTokenPolicy(format!(
                    "the policy {name:?} is registered twice"
                )));
            }
        }
        let mut statics = HashMap::with_capacity(tokens.len());
        for (token, options) in tokens {
            if let Some(name) = &options.policy
                && !named.contains_key(name)
            {
                return Err(ConfigError::InitialAccessTokenPolicy(unknown_policy(name)));
            }
            let hash = CredentialHash::of(token.expose());
            let record = options.record(static_token_id(token.expose()), hash, now);
            statics.insert(*hash.as_bytes(), record);
        }
        Ok(Self {
            statics,
            policies: named,
            warned: Mutex::default(),
        })
    }

    /// Warns, once per token and process, when the terms `configured` for a static token are
    /// not those of its `recorded` terms, written by whichever replica first saw the token:
    /// the recorded terms apply, and an operator who edited the configuration should know.
    fn warn_if_terms_differ(
        &self,
        configured: &InitialAccessTokenRecord,
        recorded: &InitialAccessTokenRecord,
    ) {
        let differing = differing_terms(configured, recorded);
        if differing.is_empty() {
            return;
        }
        let first = self
            .warned
            .lock()
            .map(|mut warned| warned.insert(recorded.id().to_owned()))
            .unwrap_or(false);
        if first {
            tracing::warn!(
                token_id = %recorded.id(),
                differing = %differing.join(", "),
                "a static initial access token is configured with other terms than those \
                 recorded in the store when it was first presented: the recorded terms apply. \
                 To change a token's terms, configure another token"
            );
        }
    }

    /// The configured static token whose hash is `hash`.
    fn static_token(&self, hash: &CredentialHash) -> Option<&InitialAccessTokenRecord> {
        self.statics.get(hash.as_bytes())
    }

    /// The configured static token whose id is `id`.
    fn static_token_by_id(&self, id: &str) -> Option<&InitialAccessTokenRecord> {
        self.statics.values().find(|record| record.id() == id)
    }

    /// The policy the configuration registers under `name`.
    fn policy(&self, name: &str) -> Option<&Arc<dyn RegistrationPolicy>> {
        self.policies.get(name)
    }
}

/// The terms in which a static token's configured record and its recorded one differ. An
/// expiry is compared by its presence only: each configuration counts it from when it was
/// built.
fn differing_terms(
    configured: &InitialAccessTokenRecord,
    recorded: &InitialAccessTokenRecord,
) -> Vec<&'static str> {
    [
        (
            "expiry",
            configured.expires_at().is_some() != recorded.expires_at().is_some(),
        ),
        ("max_uses", configured.max_uses() != recorded.max_uses()),
        (
            "max_clients",
            configured.max_clients() != recorded.max_clients(),
        ),
        ("policy", configured.policy() != recorded.policy()),
    ]
    .into_iter()
    .filter_map(|(term, differs)| differs.then_some(term))
    .collect()
}

/// Why a policy name is refused.
fn unknown_policy(name: &str) -> String {
    format!(
        "no policy is registered under the name {name:?}: register it with \
         RegistrationConfigBuilder::initial_access_token_policy"
    )
}

impl Registry {
    /// Issues an initial access token (RFC 7591 §3) with the given terms, and records it in the
    /// store: it is accepted by every registry on the store (every replica) and after a
    /// restart, and its uses and client quota are counted for all of them. Only its SHA-256 is
    /// kept. Its expiry counts from now.
    ///
    /// A policy named in `options` must be registered in the configuration
    /// ([`initial_access_token_policy`](crate::RegistrationConfigBuilder::initial_access_token_policy)),
    /// else [`RegistrationError::Internal`]; every replica that registers clients with the
    /// token, or updates them, needs a policy under that name (a replica without one refuses).
    /// A store failure is [`RegistrationError::Store`].
    pub async fn issue_initial_access_token(
        &self,
        options: InitialAccessTokenOptions,
    ) -> Result<IssuedInitialAccessToken, RegistrationError> {
        if let Some(name) = &options.policy
            && self.settings.initial_access_tokens.policy(name).is_none()
        {
            return Err(RegistrationError::Internal(unknown_policy(name)));
        }
        for _ in 0..MAX_CAS_ATTEMPTS {
            let token =
                Secret::random(32).map_err(|e| RegistrationError::Internal(e.to_string()))?;
            let id = uuid::Uuid::new_v4().to_string();
            let record = options.record(id.clone(), CredentialHash::of(token.expose()), self.now());
            match self
                .settings
                .store
                .insert_initial_access_token(record)
                .await
            {
                Ok(()) => return Ok(IssuedInitialAccessToken { id, token }),
                // A collision of random values: draw again, never overwrite.
                Err(StoreError::AlreadyExists) => continue,
                Err(err) => return Err(err.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Revokes the initial access token `id`, for every replica on the store: it registers no
    /// more clients, but its policy still applies to the clients it registered. `Ok(false)` for
    /// an unknown id. A static token of the configuration is revoked too (its record written
    /// first if it was never used): to accept a static token again, configure another one.
    pub async fn revoke_initial_access_token(&self, id: &str) -> Result<bool, RegistrationError> {
        let store = &self.settings.store;
        match store.revoke_initial_access_token(id).await {
            Ok(()) => Ok(true),
            Err(StoreError::NotFound) => {
                let Some(configured) = self.settings.initial_access_tokens.static_token_by_id(id)
                else {
                    return Ok(false);
                };
                match store
                    .insert_initial_access_token(configured.clone().with_revoked(true))
                    .await
                {
                    Ok(()) => Ok(true),
                    // Written meanwhile (first used, through another replica): revoke that.
                    Err(StoreError::AlreadyExists) => {
                        store.revoke_initial_access_token(id).await?;
                        Ok(true)
                    }
                    Err(err) => Err(err.into()),
                }
            }
            Err(err) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests;
