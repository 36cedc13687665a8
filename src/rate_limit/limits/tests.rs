use std::time::Duration;

use super::*;
use crate::rate_limit::Rate;
use crate::store::MemoryStore;

const T0: u64 = 1_800_000_000_000;

fn ip(text: &str) -> IpAddr {
    text.parse().expect("an address")
}

/// One attempt from `address` at `now_ms`, as the registry decides an admitted one: the
/// address's limit, then the server's.
async fn check(
    limits: &RegistrationLimits,
    store: &MemoryStore,
    address: Option<IpAddr>,
    now_ms: u64,
) -> RateDecision {
    match limits
        .check_address(store, address, now_ms)
        .await
        .expect("store")
    {
        RateDecision::Allowed => limits.check_overall(store, now_ms).await.expect("store"),
        limited => limited,
    }
}

/// Decides `n` attempts from `address` at `now_ms`: how many were allowed.
async fn allowed(
    limits: &RegistrationLimits,
    store: &MemoryStore,
    address: Option<IpAddr>,
    now_ms: u64,
    n: usize,
) -> usize {
    let mut allowed = 0;
    for _ in 0..n {
        if check(limits, store, address, now_ms).await == RateDecision::Allowed {
            allowed += 1;
        }
    }
    allowed
}

#[tokio::test]
async fn each_address_has_its_own_limit_and_an_ipv6_64_is_one_address() {
    let limits =
        RegistrationLimits::new(&RateLimit::per_address(Rate::per_minute(2))).expect("valid");
    let store = MemoryStore::new();
    assert_eq!(
        allowed(&limits, &store, Some(ip("192.0.2.1")), T0, 5).await,
        2
    );
    assert_eq!(
        allowed(&limits, &store, Some(ip("192.0.2.2")), T0, 5).await,
        2
    );
    assert_eq!(
        allowed(&limits, &store, Some(ip("2001:db8::1")), T0, 1).await,
        1
    );
    assert_eq!(
        allowed(&limits, &store, Some(ip("2001:db8::ffff")), T0, 5).await,
        1
    );
    assert_eq!(
        allowed(&limits, &store, Some(ip("2001:db8:0:1::1")), T0, 5).await,
        2
    );
    // Without an address, nothing but the overall limit applies: here none.
    assert_eq!(allowed(&limits, &store, None, T0, 5).await, 5);
}

#[tokio::test]
async fn an_address_over_its_limit_spends_nothing_of_the_overall_limit() {
    let limits = RegistrationLimits::new(
        &RateLimit::per_address(Rate::per_minute(2)).overall(Rate::per_minute(4)),
    )
    .expect("valid");
    let store = MemoryStore::new();
    // The abuser gets its 2, then is refused a hundred times...
    assert_eq!(
        allowed(&limits, &store, Some(ip("192.0.2.66")), T0, 100).await,
        2
    );
    // ...and two others still get theirs, the overall limit then full.
    assert_eq!(
        allowed(&limits, &store, Some(ip("192.0.2.1")), T0, 1).await,
        1
    );
    assert_eq!(
        allowed(&limits, &store, Some(ip("192.0.2.2")), T0, 1).await,
        1
    );
    let refused = check(&limits, &store, Some(ip("192.0.2.3")), T0).await;
    assert_eq!(
        refused,
        RateDecision::Limited {
            retry_after_ms: 15_000
        }
    );
    // Without an address, the overall limit alone.
    assert_eq!(allowed(&limits, &store, None, T0, 1).await, 0);
    assert_eq!(allowed(&limits, &store, None, T0 + 15_000, 2).await, 1);
}

#[test]
fn a_limit_with_an_unusable_rate_says_which() {
    let message = RegistrationLimits::new(
        &RateLimit::per_address(Rate::per_minute(2)).overall(Rate::per_second(0)),
    )
    .expect_err("zero");
    assert!(message.starts_with("overall: "), "{message}");
    let message = RegistrationLimits::new(&RateLimit::per_address(Rate::new(
        5,
        Duration::from_micros(10),
    )))
    .expect_err("too fast");
    assert!(message.starts_with("per address: "), "{message}");
}
