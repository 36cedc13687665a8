//! The rate limit contract of every store: the one rule (`gcra`) applied to the state under a
//! key, with exact decisions at the boundaries, refusals that change nothing, keys kept apart,
//! and concurrent callers on one key that never get more than the burst between them.

use std::sync::Arc;

use tower_oidc_registration::ClientStore;
use tower_oidc_registration::rate_limit::{CLOCK_SKEW_ALLOWANCE_MS, Gcra, RateDecision};

use super::RACERS;

/// The time of the first request, in milliseconds since the epoch.
const T0: u64 = 1_800_000_000_000;
/// One a second, three at once.
const LIMIT: Gcra = Gcra::new(1_000, 2_000);

async fn decide(store: &dyn ClientStore, key: &str, now_ms: u64) -> RateDecision {
    store
        .rate_limit(key, LIMIT, now_ms)
        .await
        .unwrap_or_else(|e| panic!("rate limit of {key:?} at {now_ms}: {e}"))
}

fn limited(retry_after_ms: u64) -> RateDecision {
    RateDecision::Limited { retry_after_ms }
}

pub(crate) async fn rate_limits_decide_exactly_at_the_boundaries(store: Arc<dyn ClientStore>) {
    let store = &*store;
    for _ in 0..3 {
        assert_eq!(decide(store, "a", T0).await, RateDecision::Allowed);
    }
    assert_eq!(decide(store, "a", T0).await, limited(1_000));
    assert_eq!(decide(store, "a", T0 + 999).await, limited(1));
    assert_eq!(decide(store, "a", T0 + 1_000).await, RateDecision::Allowed);
    assert_eq!(decide(store, "a", T0 + 1_000).await, limited(1_000));
    // The sustained rate: one more each interval, never two.
    for step in 2..=5 {
        let now = T0 + step * 1_000;
        assert_eq!(
            decide(store, "a", now).await,
            RateDecision::Allowed,
            "{now}"
        );
        assert_eq!(decide(store, "a", now).await, limited(1_000), "{now}");
    }
}

pub(crate) async fn a_refused_request_changes_no_state(store: Arc<dyn ClientStore>) {
    let store = &*store;
    for _ in 0..3 {
        assert_eq!(decide(store, "a", T0).await, RateDecision::Allowed);
    }
    // However many refusals, the key is admitted again as soon as the first one said.
    for elapsed in [0, 10, 500, 999] {
        assert_eq!(
            decide(store, "a", T0 + elapsed).await,
            limited(1_000 - elapsed)
        );
    }
    assert_eq!(decide(store, "a", T0 + 1_000).await, RateDecision::Allowed);
}

pub(crate) async fn rate_limit_keys_are_kept_apart(store: Arc<dyn ClientStore>) {
    let store = &*store;
    let long = format!("registration/address/{}", "x".repeat(300));
    for key in ["a", "A", "a ", "ünïcode", long.as_str()] {
        for _ in 0..3 {
            assert_eq!(
                decide(store, key, T0).await,
                RateDecision::Allowed,
                "{key:?}"
            );
        }
        assert_eq!(decide(store, key, T0).await, limited(1_000), "{key:?}");
    }
}

pub(crate) async fn an_idle_key_gets_its_whole_burst_back_and_no_more(store: Arc<dyn ClientStore>) {
    let store = &*store;
    for _ in 0..3 {
        assert_eq!(decide(store, "a", T0).await, RateDecision::Allowed);
    }
    // An hour on: the state is in the past, as good as none.
    let later = T0 + 3_600_000;
    for _ in 0..3 {
        assert_eq!(decide(store, "a", later).await, RateDecision::Allowed);
    }
    assert_eq!(decide(store, "a", later).await, limited(1_000));
}

pub(crate) async fn a_state_written_by_a_clock_ahead_costs_at_most_a_minute(
    store: Arc<dyn ClientStore>,
) {
    let store = &*store;
    // A replica whose clock is a day ahead spends the whole burst.
    let day_ahead = T0 + 86_400_000;
    for _ in 0..3 {
        assert_eq!(decide(store, "a", day_ahead).await, RateDecision::Allowed);
    }
    // On the right clock, the key waits the clocks' allowance and one interval, not a day...
    let wait = CLOCK_SKEW_ALLOWANCE_MS + 1_000;
    assert_eq!(decide(store, "a", T0).await, limited(wait));
    // ...and the state brought back is the one stored: from then on, the rate as usual.
    assert_eq!(decide(store, "a", T0 + wait).await, RateDecision::Allowed);
    assert_eq!(decide(store, "a", T0 + wait).await, limited(1_000));
}

pub(crate) async fn concurrent_callers_on_one_key_never_exceed_the_burst(
    store: Arc<dyn ClientStore>,
) {
    // Ten at once, then one a minute: within the test, the burst is all there is.
    const BURST: u64 = 10;
    const CALLS: usize = 4;
    let limit = Gcra::new(60_000, (BURST - 1) * 60_000);
    let start = Arc::new(tokio::sync::Barrier::new(usize::from(RACERS)));
    let tasks: Vec<_> = (0..RACERS)
        .map(|n| {
            let (store, start) = (Arc::clone(&store), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                let mut allowed = 0;
                for _ in 0..CALLS {
                    match store.rate_limit("contested", limit, T0).await {
                        Ok(RateDecision::Allowed) => allowed += 1,
                        Ok(RateDecision::Limited { .. }) => {}
                        Err(e) => panic!("racer {n}: {e}"),
                    }
                }
                allowed
            })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        allowed += task.await.expect("join");
    }
    assert_eq!(allowed, BURST, "{RACERS} racers, {CALLS} calls each");
    // And the state they left says so: the next call, a minute on, is the one more allowed.
    assert_eq!(
        store
            .rate_limit("contested", limit, T0 + 60_000)
            .await
            .expect("rate limit"),
        RateDecision::Allowed
    );
}
