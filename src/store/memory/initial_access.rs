//! The initial access tokens of the [`MemoryStore`]: a map under one lock. A registration with
//! a token holds the lock while it checks the token, counts the token's live clients in the
//! clients map and inserts the client, so that concurrent registrations with any tokens pass
//! one at a time. (Counting scans the clients, for a token with a client quota only: this
//! store is for tests and single processes.)

use std::collections::HashMap;
use std::sync::{Arc, MutexGuard, PoisonError};

use dashmap::mapref::entry::Entry;

use super::{ClientKey, MemoryStore, Slot};
use crate::context::Caller;
use crate::store::{ClientRecord, InitialAccessTokenRecord, StoreError, TokenRefusal};
use crate::token::CredentialHash;

/// The tokens, by id, and their ids by hash.
#[derive(Debug, Default)]
pub(super) struct Tokens {
    by_id: HashMap<String, InitialAccessTokenRecord>,
    id_by_hash: HashMap<[u8; 32], String>,
}

impl MemoryStore {
    /// The tokens, locked. A panic elsewhere while the lock was held leaves every record
    /// whole (each change is one assignment): a poisoned lock is taken as it is.
    fn tokens(&self) -> MutexGuard<'_, Tokens> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many clients registered with token `id` exist, when the token has a client quota.
    fn with_live_clients(&self, token: &InitialAccessTokenRecord) -> InitialAccessTokenRecord {
        let live = if token.max_clients().is_some() {
            self.clients
                .iter()
                .filter(|entry| {
                    matches!(entry.value().record.registered_by(),
                        Caller::InitialAccessToken { id } if id == token.id())
                })
                .count()
        } else {
            0
        };
        token.clone().with_live_clients(live as u64)
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
        tokens.by_id.get(id).map(|t| self.with_live_clients(t))
    }

    pub(super) fn token_by_id(&self, id: &str) -> Option<InitialAccessTokenRecord> {
        let tokens = self.tokens();
        tokens.by_id.get(id).map(|t| self.with_live_clients(t))
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
            .map(|t| self.with_live_clients(t))
            .ok_or(refused(TokenRefusal::Unknown))?;
        if let Some(refusal) = token.refusal_at(now) {
            return Err(refused(refusal));
        }
        match self.clients.entry(ClientKey::new(record.client_id())) {
            Entry::Occupied(_) => return Err(StoreError::AlreadyExists),
            Entry::Vacant(slot) => {
                slot.insert(Slot::new(Arc::clone(&record)));
            }
        }
        let uses = token.uses().saturating_add(1);
        tokens
            .by_id
            .insert(id.clone(), token.with_uses(uses).with_live_clients(0));
        Ok(())
    }
}
