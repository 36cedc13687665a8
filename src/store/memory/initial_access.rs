//! The initial access tokens of the [`MemoryStore`]: a map under one lock, with the number of
//! live clients each token registered. A registration with a token holds the lock while it
//! checks the token and its count and inserts the client, so that concurrent registrations with
//! any tokens pass one at a time; every other insertion or removal of a client registered with
//! a token takes the lock to count it, after its shard lock is released (the registration takes
//! the tokens' lock first, then a shard's: never the other way round).

use std::collections::HashMap;
use std::sync::{Arc, MutexGuard, PoisonError};

use dashmap::mapref::entry::Entry;

use super::{ClientKey, MemoryStore, Slot};
use crate::context::Caller;
use crate::store::{ClientRecord, InitialAccessTokenRecord, StoreError, TokenRefusal};
use crate::token::CredentialHash;

/// The tokens, by id, their ids by hash, and the live clients of each (absent for none).
#[derive(Debug, Default)]
pub(super) struct Tokens {
    by_id: HashMap<String, InitialAccessTokenRecord>,
    id_by_hash: HashMap<[u8; 32], String>,
    live_clients: HashMap<String, u64>,
}

impl Tokens {
    /// `token` with the number of its live clients: read, like the SQL stores', for a token
    /// with a client quota only.
    fn with_live_clients(&self, token: &InitialAccessTokenRecord) -> InitialAccessTokenRecord {
        let live = match token.max_clients() {
            Some(_) => self.live_clients.get(token.id()).copied().unwrap_or(0),
            None => 0,
        };
        token.clone().with_live_clients(live)
    }

    /// One more live client of token `id`.
    fn client_added(&mut self, id: &str) {
        let live = self.live_clients.entry(id.to_owned()).or_insert(0);
        *live = live.saturating_add(1);
    }
}

/// The id of the token that registered `record`, if one did.
fn token_of(record: &ClientRecord) -> Option<&str> {
    match record.registered_by() {
        Caller::InitialAccessToken { id } => Some(id),
        _ => None,
    }
}

impl MemoryStore {
    /// The tokens, locked. A panic elsewhere while the lock was held leaves every record
    /// whole (each change is one assignment): a poisoned lock is taken as it is.
    fn tokens(&self) -> MutexGuard<'_, Tokens> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts `record` among the live clients of the token that registered it, if any. Called
    /// with no shard lock held.
    pub(super) fn client_added(&self, record: &ClientRecord) {
        if let Some(id) = token_of(record) {
            self.tokens().client_added(id);
        }
    }

    /// Counts `record` out of the live clients of the token that registered it, if any. Called
    /// with no shard lock held.
    pub(super) fn client_removed(&self, record: &ClientRecord) {
        if let Some(id) = token_of(record) {
            let mut tokens = self.tokens();
            if let Some(live) = tokens.live_clients.get_mut(id) {
                *live = live.saturating_sub(1);
                if *live == 0 {
                    tokens.live_clients.remove(id);
                }
            }
        }
    }

    pub(super) fn insert_token(&self, token: InitialAccessTokenRecord) -> Result<(), StoreError> {
        let mut tokens = self.tokens();
        let hash = *token.token_hash().as_bytes();
        if tokens.by_id.contains_key(token.id()) || tokens.id_by_hash.contains_key(&hash) {
            return Err(StoreError::AlreadyExists);
        }
        tokens.id_by_hash.insert(hash, token.id().to_owned());
        tokens
            .by_id
            .insert(token.id().to_owned(), token.with_live_clients(0));
        Ok(())
    }

    pub(super) fn token_by_hash(&self, hash: &CredentialHash) -> Option<InitialAccessTokenRecord> {
        let tokens = self.tokens();
        let id = tokens.id_by_hash.get(hash.as_bytes())?;
        tokens.by_id.get(id).map(|t| tokens.with_live_clients(t))
    }

    pub(super) fn token_by_id(&self, id: &str) -> Option<InitialAccessTokenRecord> {
        let tokens = self.tokens();
        tokens.by_id.get(id).map(|t| tokens.with_live_clients(t))
    }

    pub(super) fn revoke_token(&self, id: &str) -> Result<(), StoreError> {
        let mut tokens = self.tokens();
        let token = tokens.by_id.get_mut(id).ok_or(StoreError::NotFound)?;
        *token = token.clone().with_revoked(true);
        Ok(())
    }

    pub(super) fn insert_with_token(
        &self,
        record: Arc<ClientRecord>,
        now: u64,
    ) -> Result<(), StoreError> {
        let refused = StoreError::InitialAccessTokenRefused;
        let Caller::InitialAccessToken { id } = record.registered_by() else {
            return Err(refused(TokenRefusal::Unknown));
        };
        // Held to the end: the check, the count and the insert are one step.
        let mut tokens = self.tokens();
        let token = tokens
            .by_id
            .get(id)
            .map(|t| tokens.with_live_clients(t))
            .ok_or(refused(TokenRefusal::Unknown))?;
        if let Some(refusal) = token.refusal_at(now) {
            return Err(refused(refusal));
        }
        self.capacity.reserve()?;
        match self.clients.entry(ClientKey::new(record.client_id())) {
            Entry::Occupied(_) => {
                self.capacity.release();
                return Err(StoreError::AlreadyExists);
            }
            Entry::Vacant(slot) => {
                slot.insert(Slot::new(Arc::clone(&record)));
            }
        }
        let uses = token.uses().saturating_add(1);
        tokens
            .by_id
            .insert(id.clone(), token.with_uses(uses).with_live_clients(0));
        tokens.client_added(id);
        Ok(())
    }
}
