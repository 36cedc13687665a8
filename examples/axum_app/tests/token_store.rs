//! The in-memory store of codes and tokens: single use, expiry, and its bound.

use std::time::Duration;

use crate::app::tokens::TokenStore;

#[test]
fn a_taken_token_is_gone() {
    let store = TokenStore::new(10, Duration::from_secs(60));
    let token = store.issue("grant").expect("a token");
    assert_eq!(store.get(token.expose()), Some("grant"));
    assert_eq!(store.take(token.expose()), Some("grant"));
    assert_eq!(store.take(token.expose()), None);
    assert_eq!(store.get("not-a-token"), None);
}

#[test]
fn an_expired_token_grants_nothing() {
    let store = TokenStore::new(10, Duration::ZERO);
    let token = store.issue("grant").expect("a token");
    assert_eq!(store.get(token.expose()), None);
    assert_eq!(store.take(token.expose()), None);
}

#[test]
fn a_full_store_drops_the_token_closest_to_its_end() {
    let store = TokenStore::new(2, Duration::from_secs(60));
    let oldest = store.issue(1).expect("a token");
    // Later expiries than the oldest's, whatever the clock's resolution.
    std::thread::sleep(Duration::from_millis(2));
    let second = store.issue(2).expect("a token");
    let third = store.issue(3).expect("a token");
    assert_eq!(store.get(oldest.expose()), None);
    assert_eq!(store.get(second.expose()), Some(2));
    assert_eq!(store.get(third.expose()), Some(3));
}
