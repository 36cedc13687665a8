//! Churn, as MCP deployments see it: clients that register on every start and are never used
//! again. With the expiry of unused clients, a store of `N` clients absorbs `N` new clients per
//! `unused_for` for ever: the default memory store (10,000 clients) with a one-hour expiry
//! takes 10,000 registrations an hour, and refuses the excess once full rather than grow.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tower_oidc_registration::store::MemoryStore;
use tower_oidc_registration::{
    ClientStore, ExpiryPolicy, RegistrationConfig, RegistrationError, Registry, Requester,
};

use crate::common::{ISSUER, TestClock};

const START: u64 = 1_800_000_000;

/// Registers `per_minute` anonymous clients each simulated minute for `hours`, running one
/// expiry batch a minute (the policy's tick). Returns how many registrations were refused
/// because the store was full, and the most clients it ever held.
async fn churn(per_minute: u64, hours: u64) -> (u64, u64) {
    let clock = TestClock::at(START);
    let store = Arc::new(MemoryStore::new());
    let config = RegistrationConfig::builder(ISSUER)
        .shared_store(store.clone())
        .expire_unused_clients(Some(
            ExpiryPolicy::new(Duration::from_secs(3600))
                .tick(Duration::from_secs(60))
                .batch(1000),
        ))
        .clock(clock.clone())
        .build()
        .expect("configuration");
    let registry = Registry::new(&config);
    let metadata = json!({
        "redirect_uris": ["http://127.0.0.1:33418/callback"],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
    });
    let metadata = metadata.as_object().expect("object");
    let (mut refused, mut most) = (0, 0);
    for _minute in 0..hours * 60 {
        for _ in 0..per_minute {
            match registry
                .register(Requester::anonymous(), metadata.clone())
                .await
            {
                Ok(_) => {}
                // The memory store's bound: 403 `access_denied` over HTTP.
                Err(RegistrationError::Forbidden(reason)) if reason.contains("10000 clients") => {
                    refused += 1;
                }
                Err(error) => panic!("unexpected refusal: {error}"),
            }
        }
        most = most.max(store.count().await.expect("count"));
        clock.advance(60);
        registry.expire_unused().await.expect("expiry");
    }
    (refused, most)
}

/// A default memory store with a one-hour expiry absorbs 9,600 clients an hour for three hours
/// without refusing one, never holding more than an hour's worth.
#[tokio::test]
async fn an_hours_expiry_absorbs_up_to_the_store_bound_per_hour() {
    let (refused, most) = churn(160, 3).await;
    assert_eq!(refused, 0);
    assert!(most <= 9_600 + 160, "{most}");
}

/// Past the bound (12,000 an hour into 10,000 clients), the store stays at its bound and the
/// excess is refused, rather than memory growing.
#[tokio::test]
async fn churn_beyond_the_bound_is_refused_not_stored() {
    let (refused, most) = churn(200, 2).await;
    assert_eq!(most, 10_000);
    assert!(refused > 0);
}
