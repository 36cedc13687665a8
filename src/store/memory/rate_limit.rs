//! The rate limit states of the [`MemoryStore`]: a concurrent map from a key to its theoretical
//! arrival time. The rule ([`Gcra::apply`]) runs under the key's shard lock, so concurrent
//! callers on one key pass one at a time. A key whose state is in the past is as good as absent:
//! every [`SWEEP_EVERY`] new keys the map forgets all such keys, so that it holds the keys
//! active within the longest window of the configured rates, and at most [`SWEEP_EVERY`] more.

use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;

use super::MemoryStore;
use crate::rate_limit::{Gcra, RateDecision};

/// How many new keys between two sweeps: the cost of a sweep (a pass over every key) spread
/// over that many insertions.
pub(super) const SWEEP_EVERY: u64 = 1024;

/// The states, by key.
#[derive(Debug, Default)]
pub(super) struct RateStates {
    states: DashMap<Box<str>, u64>,
    /// How many keys were added: every [`SWEEP_EVERY`]th starts a sweep.
    added: AtomicU64,
}

impl RateStates {
    /// How many keys are held (for the tests of the sweep).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.states.len()
    }
}

impl MemoryStore {
    pub(super) fn rate_limit_now(&self, key: &str, limit: Gcra, now_ms: u64) -> RateDecision {
        let rates = &self.rate_limits;
        if let Some(mut tat) = rates.states.get_mut(key) {
            let outcome = limit.apply(*tat, now_ms);
            *tat = outcome.tat_ms;
            return outcome.decision;
        }
        let outcome = limit.apply(0, now_ms);
        if outcome.decision != RateDecision::Allowed {
            // Nothing to remember: a refusal changes no state.
            return outcome.decision;
        }
        // Another caller may have added the key since the lookup: apply the rule to its state.
        let decision = match rates.states.entry(key.into()) {
            Entry::Occupied(mut tat) => {
                let outcome = limit.apply(*tat.get(), now_ms);
                *tat.get_mut() = outcome.tat_ms;
                return outcome.decision;
            }
            Entry::Vacant(slot) => {
                slot.insert(outcome.tat_ms);
                outcome.decision
            }
        };
        // After the entry's shard lock is released: the sweep takes every shard's in turn.
        if rates.added.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            rates.states.retain(|_, tat| *tat > now_ms);
        }
        decision
    }
}
