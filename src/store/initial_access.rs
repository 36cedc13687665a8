//! Initial access tokens as a store keeps them (RFC 7591 §3): the record of one token, its terms
//! and what was spent of them ([`InitialAccessTokenRecord`]), and why a registration with it is
//! refused ([`TokenRefusal`]). The rule that judges a token is written here
//! ([`InitialAccessTokenRecord::refusal_at`]): the memory store and the registry's check before a
//! request body is read apply it, and the SQL stores name a refusal with it. The SQL stores also
//! state it as the guard of the statement that spends a use (an atomic `UPDATE` cannot call
//! Rust): the store conformance suite holds both to the same boundaries (the expiry second, the
//! last use, the last client slot).

use crate::token::CredentialHash;

/// An initial access token as stored: its id, the SHA-256 of the token (never the token), its
/// terms, the uses spent, whether it is revoked, and the name of the policy bound to it.
///
/// Build one with [`new`](Self::new) and the `with_*` methods; a store reads one back with
/// the live clients it counted ([`with_live_clients`](Self::with_live_clients)).
#[derive(Debug, Clone)]
pub struct InitialAccessTokenRecord {
    id: String,
    token_hash: CredentialHash,
    expires_at: Option<u64>,
    max_uses: Option<u64>,
    uses: u64,
    max_clients: Option<u64>,
    revoked: bool,
    policy: Option<String>,
    live_clients: u64,
}

/// Why a registration with an initial access token is refused: what
/// [`ClientStore::insert_with_initial_access_token`](super::ClientStore::insert_with_initial_access_token)
/// answers in [`StoreError::InitialAccessTokenRefused`](super::StoreError::InitialAccessTokenRefused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenRefusal {
    /// No token of this id (or hash) is stored.
    #[error("the initial access token is unknown")]
    Unknown,
    /// The token was revoked.
    #[error("the initial access token is revoked")]
    Revoked,
    /// The token's expiry time has come.
    #[error("the initial access token has expired")]
    Expired,
    /// Every use the token allows is spent.
    #[error("every use of the initial access token is spent")]
    Spent,
    /// As many clients registered with the token exist as it allows.
    #[error("the client quota of the initial access token is reached")]
    ClientQuota,
}

impl InitialAccessTokenRecord {
    /// A token with no expiry, no limit, no policy, not revoked and not used yet.
    pub fn new(id: String, token_hash: CredentialHash) -> Self {
        Self {
            id,
            token_hash,
            expires_at: None,
            max_uses: None,
            uses: 0,
            max_clients: None,
            revoked: false,
            policy: None,
            live_clients: 0,
        }
    }

    /// The token expiring at `expires_at` (seconds since the epoch; refused from that second
    /// on), or never.
    #[must_use]
    pub fn with_expires_at(mut self, expires_at: Option<u64>) -> Self {
        self.expires_at = expires_at;
        self
    }

    /// The token allowing `max_uses` registrations, or any number.
    #[must_use]
    pub fn with_max_uses(mut self, max_uses: Option<u64>) -> Self {
        self.max_uses = max_uses;
        self
    }

    /// The token with `uses` registrations spent.
    #[must_use]
    pub fn with_uses(mut self, uses: u64) -> Self {
        self.uses = uses;
        self
    }

    /// The token allowing `max_clients` live clients registered with it, or any number.
    #[must_use]
    pub fn with_max_clients(mut self, max_clients: Option<u64>) -> Self {
        self.max_clients = max_clients;
        self
    }

    /// The token, revoked or not.
    #[must_use]
    pub fn with_revoked(mut self, revoked: bool) -> Self {
        self.revoked = revoked;
        self
    }

    /// The token bound to the policy of this name (as the configuration registers it), or to
    /// none.
    #[must_use]
    pub fn with_policy(mut self, policy: Option<String>) -> Self {
        self.policy = policy;
        self
    }

    /// The token as read by a store that counted `live_clients` clients registered with it.
    #[must_use]
    pub fn with_live_clients(mut self, live_clients: u64) -> Self {
        self.live_clients = live_clients;
        self
    }

    /// The token's id: what a client's [`registered_by`](super::ClientRecord::registered_by)
    /// names ([`Caller::InitialAccessToken`](crate::Caller::InitialAccessToken)); not a
    /// credential.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The SHA-256 of the token.
    pub fn token_hash(&self) -> &CredentialHash {
        &self.token_hash
    }

    /// When the token expires, in seconds since the epoch; `None` for never.
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    /// How many registrations the token allows; `None` for any number.
    pub fn max_uses(&self) -> Option<u64> {
        self.max_uses
    }

    /// How many registrations were made with the token.
    pub fn uses(&self) -> u64 {
        self.uses
    }

    /// How many live clients registered with the token may exist at once; `None` for any
    /// number.
    pub fn max_clients(&self) -> Option<u64> {
        self.max_clients
    }

    /// Whether the token was revoked.
    pub fn revoked(&self) -> bool {
        self.revoked
    }

    /// The name of the policy bound to the token: the registry applies the policy the
    /// configuration registers under this name.
    pub fn policy(&self) -> Option<&str> {
        self.policy.as_deref()
    }

    /// How many clients registered with the token exist, as the store counted them when it
    /// read the record. Counted (the clients whose `registered_by` names the token), never kept
    /// as a counter, so that deletions and the expiry of unused clients need no bookkeeping;
    /// a store counts them for a token with a client quota only, and reads 0 for the others.
    /// Not stored: [`insert_initial_access_token`](super::ClientStore::insert_initial_access_token)
    /// ignores it.
    pub fn live_clients(&self) -> u64 {
        self.live_clients
    }

    /// Why a registration with this token is refused at `now` (seconds since the epoch), if
    /// it is: revoked, expired (from its expiry second on), spent, then at its client quota
    /// (by [`live_clients`](Self::live_clients)), checked in that order, so that a token both
    /// spent and at its quota is refused as spent.
    pub fn refusal_at(&self, now: u64) -> Option<TokenRefusal> {
        if self.revoked {
            Some(TokenRefusal::Revoked)
        } else if self.expires_at.is_some_and(|at| at <= now) {
            Some(TokenRefusal::Expired)
        } else if self.max_uses.is_some_and(|max| self.uses >= max) {
            Some(TokenRefusal::Spent)
        } else if self.max_clients.is_some_and(|max| self.live_clients >= max) {
            Some(TokenRefusal::ClientQuota)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests;
