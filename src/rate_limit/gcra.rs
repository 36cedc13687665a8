//! The Generic Cell Rate Algorithm (GCRA), as one pure function: [`gcra`]. Every store applies
//! it, under its own lock, to the state it keeps under a key
//! ([`ClientStore::rate_limit`](crate::ClientStore::rate_limit)), so the rule is written once, in
//! Rust, whatever the database.
//!
//! The state of a key is one number, its *theoretical arrival time* (TAT): the instant, in
//! milliseconds since the epoch, at which the key would be back to no backlog at all. A request
//! at `now` is admitted unless the TAT is further ahead than the burst tolerance; admitting it
//! pushes the TAT one emission interval past the later of the TAT and `now`. A TAT at or before
//! `now` is the same as no state: such a key may be forgotten.
//!
//! Owns the arithmetic only: no clock, no store, no key.

/// How far replicas' clocks may differ, in milliseconds, for [`gcra`] to take a state written by
/// a clock ahead as it is: a minute.
pub const CLOCK_SKEW_ALLOWANCE_MS: u64 = 60_000;

/// What [`gcra`] decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    /// The request is within the rate.
    Allowed,
    /// The request is refused; the next request under the same key is admitted after this
    /// many milliseconds (at least 1).
    Limited {
        /// How long to wait, in milliseconds.
        retry_after_ms: u64,
    },
}

/// What [`gcra`] returns: the decision and the state to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcraOutcome {
    /// Admitted, or refused with the time until the next admission.
    pub decision: RateDecision,
    /// The theoretical arrival time to store, in milliseconds since the epoch: one emission
    /// interval further for an admitted request; for a refused one, the state as it was, or
    /// brought back within reach if it was further ahead than any admission can put it (see
    /// [`gcra`]). A store writes it when it differs from the state it read.
    pub tat_ms: u64,
}

/// The rule for one request under one key: with the key's state `tat_ms` (its theoretical
/// arrival time, 0 or any instant before `now_ms` for a key without backlog) and the time
/// `now_ms`, both in milliseconds since the epoch, admits the request if at most
/// `burst_tolerance_ms` of backlog lies ahead, and says what to store.
///
/// `emission_interval_ms` is the sustained rate's spacing (60,000 / 20 = 3,000 ms for 20 a
/// minute); a tolerance of `(burst - 1) × emission_interval_ms` admits `burst` requests at once.
/// Pure and total: the arithmetic saturates rather than overflows.
///
/// An admission at `now` leaves a state at most `now + burst_tolerance_ms +
/// emission_interval_ms` ahead. A state further ahead was written by a clock ahead of this one:
/// a replica's, or this one's before it was set back. Up to [`CLOCK_SKEW_ALLOWANCE_MS`] further
/// it is taken as it is, so that replicas whose clocks differ by less never undo each other's
/// states (bringing back a state an ahead replica wrote would give that replica its burst
/// again). Beyond, the clock was wrong, and taken as it is the state would refuse every request
/// until that clock's time came: it is brought back to the allowance's bound, so that a wrong
/// clock costs a key at most the allowance and one interval of waiting, not the time it was off
/// by.
///
/// ```
/// use tower_oidc_registration::rate_limit::{RateDecision, gcra};
///
/// // One a second, two at once, from a fresh key at t = 10 s.
/// let first = gcra(0, 10_000, 1_000, 1_000);
/// let second = gcra(first.tat_ms, 10_000, 1_000, 1_000);
/// let third = gcra(second.tat_ms, 10_000, 1_000, 1_000);
/// assert_eq!(first.decision, RateDecision::Allowed);
/// assert_eq!(second.decision, RateDecision::Allowed);
/// assert_eq!(third.decision, RateDecision::Limited { retry_after_ms: 1_000 });
/// assert_eq!(third.tat_ms, second.tat_ms);
/// ```
pub fn gcra(
    tat_ms: u64,
    now_ms: u64,
    emission_interval_ms: u64,
    burst_tolerance_ms: u64,
) -> GcraOutcome {
    let furthest = now_ms
        .saturating_add(burst_tolerance_ms)
        .saturating_add(emission_interval_ms)
        .saturating_add(CLOCK_SKEW_ALLOWANCE_MS);
    let tat_ms = tat_ms.min(furthest);
    let tat = tat_ms.max(now_ms);
    let admitted_from = tat.saturating_sub(burst_tolerance_ms);
    if admitted_from > now_ms {
        return GcraOutcome {
            decision: RateDecision::Limited {
                retry_after_ms: admitted_from - now_ms,
            },
            tat_ms,
        };
    }
    GcraOutcome {
        decision: RateDecision::Allowed,
        tat_ms: tat.saturating_add(emission_interval_ms),
    }
}

/// One rate as [`gcra`] takes it: the emission interval and the burst tolerance, in
/// milliseconds. Built from a [`Rate`](super::Rate) by the configuration; what a store's
/// [`rate_limit`](crate::ClientStore::rate_limit) is given, to [`apply`](Self::apply) under its
/// lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gcra {
    emission_interval_ms: u64,
    burst_tolerance_ms: u64,
}

impl Gcra {
    /// One request every `emission_interval_ms`, with `burst_tolerance_ms` of backlog
    /// admitted ahead (`(burst - 1) × emission_interval_ms` for a burst of `burst`).
    pub const fn new(emission_interval_ms: u64, burst_tolerance_ms: u64) -> Self {
        Self {
            emission_interval_ms,
            burst_tolerance_ms,
        }
    }

    /// [`gcra`] with this rate.
    pub fn apply(&self, tat_ms: u64, now_ms: u64) -> GcraOutcome {
        gcra(
            tat_ms,
            now_ms,
            self.emission_interval_ms,
            self.burst_tolerance_ms,
        )
    }

    /// The spacing of the sustained rate, in milliseconds.
    pub fn emission_interval_ms(&self) -> u64 {
        self.emission_interval_ms
    }

    /// How much backlog is admitted ahead, in milliseconds.
    pub fn burst_tolerance_ms(&self) -> u64 {
        self.burst_tolerance_ms
    }
}

#[cfg(test)]
mod tests;
