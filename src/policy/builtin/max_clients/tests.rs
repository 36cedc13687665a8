use std::sync::Arc;

use super::*;
use crate::context::RequestContext;
use crate::policy::builtin::test_support::{anonymous, context, registered_client, with_token};
use crate::rate_limit::{Gcra, RateDecision};
use crate::store::{
    ClientRecord, ClientStore, InitialAccessTokenRecord, MemoryStore, MetadataJson, StoreError,
};
use crate::token::CredentialHash;

fn record(id: &str) -> ClientRecord {
    ClientRecord::new(
        id.to_owned(),
        None,
        0,
        1,
        CredentialHash::of("t"),
        MetadataJson::render(&ClientMetadata::default()),
    )
}

async fn store_with(clients: usize) -> MemoryStore {
    let store = MemoryStore::new();
    for i in 0..clients {
        store
            .insert(Arc::new(record(&format!("c{i}"))))
            .await
            .expect("insert");
    }
    store
}

#[tokio::test]
async fn max_clients_accepts_registrations_below_the_limit() {
    let store = store_with(2).await;
    let request = anonymous();
    MaxClients::new(3)
        .apply(
            &context(Operation::Register, &request, &store),
            ClientMetadata::default(),
        )
        .await
        .expect("third client accepted");
}

#[tokio::test]
async fn max_clients_denies_a_registration_at_the_limit_to_every_caller() {
    let store = store_with(3).await;
    for request in [anonymous(), with_token(), RequestContext::host()] {
        let result = MaxClients::new(3)
            .apply(
                &context(Operation::Register, &request, &store),
                ClientMetadata::default(),
            )
            .await;
        assert_eq!(
            result,
            Err(PolicyError::Denied(
                "the registration limit of 3 clients is reached".into()
            ))
        );
    }
}

#[tokio::test]
async fn max_clients_never_refuses_an_update() {
    let store = store_with(3).await;
    let request = registered_client();
    MaxClients::new(3)
        .apply(
            &context(Operation::Update, &request, &store),
            ClientMetadata::default(),
        )
        .await
        .expect("update accepted at the limit");
}

/// A store whose backend is down, but for the bounded count when it holds `bounded_count`
/// clients: a full count always fails.
struct DownStore {
    bounded_count: Option<u64>,
}

#[async_trait]
impl ClientStore for DownStore {
    async fn count_up_to(&self, limit: u64) -> Result<u64, StoreError> {
        match self.bounded_count {
            Some(clients) => Ok(clients.min(limit)),
            None => Err(StoreError::Backend("down".into())),
        }
    }
    async fn insert(&self, _: Arc<ClientRecord>) -> Result<(), StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn get(&self, _: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn replace(&self, _: Arc<ClientRecord>, _: u64) -> Result<(), StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn delete(&self, _: &str, _: u64) -> Result<(), StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn count(&self) -> Result<u64, StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn touch(&self, _: &str, _: u64) -> Result<(), StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn delete_unused(&self, _: u64, _: usize) -> Result<Vec<String>, StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn insert_initial_access_token(
        &self,
        _: InitialAccessTokenRecord,
    ) -> Result<(), StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn initial_access_token_by_hash(
        &self,
        _: &CredentialHash,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn initial_access_token_by_id(
        &self,
        _: &str,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn revoke_initial_access_token(&self, _: &str) -> Result<(), StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn insert_with_initial_access_token(
        &self,
        _: Arc<ClientRecord>,
        _: u64,
    ) -> Result<(), StoreError> {
        Err(StoreError::Backend("down".into()))
    }
    async fn rate_limit(&self, _: &str, _: Gcra, _: u64) -> Result<RateDecision, StoreError> {
        Err(StoreError::Backend("down".into()))
    }
}

#[tokio::test]
async fn max_clients_fails_closed_when_the_store_cannot_count() {
    let request = anonymous();
    let result = MaxClients::new(1_000)
        .apply(
            &context(
                Operation::Register,
                &request,
                &DownStore {
                    bounded_count: None,
                },
            ),
            ClientMetadata::default(),
        )
        .await;
    assert_eq!(
        result,
        Err(PolicyError::Denied("client count unavailable".into()))
    );
}

/// The quota is checked with a count that stops at the limit, never a count of every client:
/// it costs a SQL store the same with a million clients as with a few.
#[tokio::test]
async fn max_clients_never_asks_for_a_full_count() {
    let request = anonymous();
    for (clients, allowed) in [(1_000_000, false), (10, false), (9, true)] {
        let store = DownStore {
            bounded_count: Some(clients),
        };
        let result = MaxClients::new(10)
            .apply(
                &context(Operation::Register, &request, &store),
                ClientMetadata::default(),
            )
            .await;
        assert_eq!(result.is_ok(), allowed, "{clients} clients: {result:?}");
    }
}
