//! The rate limit states of the [`MemoryStore`]: a concurrent map from a key to its theoretical
//! arrival time. The rule ([`Gcra::apply`]) runs under the key's shard lock, so concurrent
//! callers on one key pass one at a time. A key whose state is in the past is as good as absent:
//! every [`SWEEP_EVERY`] new keys the map forgets all such keys.
//!
//! The map is bounded: a flood from many addresses (an IPv6 /48 holds 65,536 /64s) must not
//! grow it without limit. At [`MAX_STATES`] keys, a new key first sweeps (at most once a second,
//! so that a map full of live keys is not swept on every request), and if the map is still
//! full, its request is refused for a second without being remembered. Keys already held are
//! decided as usual, and so is the server's own key ([`OVERALL_KEY`]), held whatever the bound:
//! swept when its state is past like any other, it must come back even into a full map, or
//! every admitted caller would be refused. (Callers deciding new keys at the same instant may
//! each find room: the bound is exceeded by at most their number.)

use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;

use super::MemoryStore;
use crate::rate_limit::{Gcra, OVERALL_KEY, RateDecision};

/// How many new keys between two sweeps: the cost of a sweep (a pass over every key) spread
/// over that many insertions.
pub(super) const SWEEP_EVERY: u64 = 1024;

/// The most keys the map holds: some 10 MB (a key of about 40 bytes, its state and the map's
/// own overhead), and far more callers than the limits of one server admit within a window.
pub(super) const MAX_STATES: usize = 100_000;

/// How long a new key waits when the map is full of live keys, and the least time between two
/// sweeps of a full map.
const FULL_WAIT_MS: u64 = 1_000;

/// The states, by key.
#[derive(Debug)]
pub(super) struct RateStates {
    states: DashMap<Box<str>, u64>,
    /// How many keys were added: every [`SWEEP_EVERY`]th starts a sweep.
    added: AtomicU64,
    /// The most keys held.
    max_states: usize,
    /// When a full map was last swept, in milliseconds since the epoch.
    swept_when_full_ms: AtomicU64,
}

impl Default for RateStates {
    fn default() -> Self {
        Self::with_max_states(MAX_STATES)
    }
}

impl RateStates {
    /// An empty map holding at most `max_states` keys.
    pub(super) fn with_max_states(max_states: usize) -> Self {
        Self {
            states: DashMap::new(),
            added: AtomicU64::new(0),
            max_states,
            swept_when_full_ms: AtomicU64::new(0),
        }
    }

    /// How many keys are held (for the tests of the sweep and the bound).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether a new key may be added: the map is below its bound, or is after a sweep. A full
    /// map is swept at most once every [`FULL_WAIT_MS`], by the caller that claims the sweep.
    fn has_room(&self, now_ms: u64) -> bool {
        if self.states.len() < self.max_states {
            return true;
        }
        let last = self.swept_when_full_ms.load(Ordering::Relaxed);
        if now_ms.saturating_sub(last) >= FULL_WAIT_MS
            && self
                .swept_when_full_ms
                .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.sweep(now_ms);
        }
        self.states.len() < self.max_states
    }

    /// Forgets every state at or before `now_ms`.
    fn sweep(&self, now_ms: u64) {
        self.states.retain(|_, tat| *tat > now_ms);
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
        if key != OVERALL_KEY && !rates.has_room(now_ms) {
            return RateDecision::Limited {
                retry_after_ms: FULL_WAIT_MS,
            };
        }
        // A fresh key: the rule admits its first request, whatever the limit.
        let outcome = limit.apply(0, now_ms);
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
            rates.sweep(now_ms);
        }
        decision
    }
}
