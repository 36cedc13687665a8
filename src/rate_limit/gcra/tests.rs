use super::*;

/// One request every second, four at once: a burst tolerance of three intervals.
const INTERVAL: u64 = 1_000;
const TOLERANCE: u64 = 3 * INTERVAL;
/// An instant far from zero, so that no test leans on the state's starting value.
const T0: u64 = 1_800_000_000_000;

fn at(tat_ms: u64, now_ms: u64) -> GcraOutcome {
    gcra(tat_ms, now_ms, INTERVAL, TOLERANCE)
}

/// Applies the rule `n` times at `now_ms`, from `tat_ms`: the decisions and the last state.
fn burst(mut tat_ms: u64, now_ms: u64, n: usize) -> (Vec<RateDecision>, u64) {
    let mut decisions = Vec::new();
    for _ in 0..n {
        let outcome = at(tat_ms, now_ms);
        decisions.push(outcome.decision);
        tat_ms = outcome.tat_ms;
    }
    (decisions, tat_ms)
}

#[test]
fn a_fresh_key_admits_exactly_the_burst_at_once() {
    // No state (0) and a state in the past are the same: a fresh key.
    for fresh in [0, T0 - 1, T0] {
        let (decisions, tat) = burst(fresh, T0, 5);
        assert_eq!(
            decisions,
            [
                RateDecision::Allowed,
                RateDecision::Allowed,
                RateDecision::Allowed,
                RateDecision::Allowed,
                RateDecision::Limited {
                    retry_after_ms: INTERVAL
                },
            ],
            "from state {fresh}"
        );
        assert_eq!(
            tat,
            T0 + 4 * INTERVAL,
            "a refusal leaves the state as it was"
        );
    }
}

#[test]
fn an_allowed_request_moves_the_state_one_interval_past_the_later_of_it_and_now() {
    assert_eq!(
        at(0, T0),
        GcraOutcome {
            decision: RateDecision::Allowed,
            tat_ms: T0 + INTERVAL
        }
    );
    assert_eq!(at(T0 + 2 * INTERVAL, T0).tat_ms, T0 + 3 * INTERVAL);
}

#[test]
fn the_boundary_is_exact_to_the_millisecond() {
    // Four at once: the state is four intervals ahead, one past the tolerance.
    let full = T0 + 4 * INTERVAL;
    assert_eq!(
        at(full, T0 + INTERVAL - 1).decision,
        RateDecision::Limited { retry_after_ms: 1 }
    );
    let allowed = at(full, T0 + INTERVAL);
    assert_eq!(allowed.decision, RateDecision::Allowed);
    assert_eq!(allowed.tat_ms, full + INTERVAL);
    // The state exactly at the tolerance admits; one millisecond past it refuses.
    assert_eq!(at(T0 + TOLERANCE, T0).decision, RateDecision::Allowed);
    assert_eq!(
        at(T0 + TOLERANCE + 1, T0).decision,
        RateDecision::Limited { retry_after_ms: 1 }
    );
}

#[test]
fn a_refusal_says_when_the_next_request_is_admitted() {
    let full = T0 + 4 * INTERVAL;
    for elapsed in [0, 1, 250, 999] {
        let RateDecision::Limited { retry_after_ms } = at(full, T0 + elapsed).decision else {
            panic!("{elapsed} ms after a full burst: admitted");
        };
        assert_eq!(retry_after_ms, INTERVAL - elapsed);
        // Exactly then, it is admitted.
        assert_eq!(
            at(full, T0 + elapsed + retry_after_ms).decision,
            RateDecision::Allowed
        );
    }
}

#[test]
fn the_sustained_rate_is_one_per_interval_after_the_burst() {
    let (_, mut tat) = burst(0, T0, 4);
    for step in 1..=100 {
        let now = T0 + step * INTERVAL;
        let outcome = at(tat, now);
        assert_eq!(outcome.decision, RateDecision::Allowed, "step {step}");
        tat = outcome.tat_ms;
        assert!(matches!(
            at(tat, now).decision,
            RateDecision::Limited { .. }
        ));
    }
}

#[test]
fn an_idle_key_recovers_its_whole_burst_and_no_more() {
    let (_, tat) = burst(0, T0, 4);
    // Long after: as fresh as a new key, no credit saved up beyond the burst.
    let (decisions, _) = burst(tat, T0 + 3_600_000, 6);
    let allowed = decisions
        .iter()
        .filter(|d| **d == RateDecision::Allowed)
        .count();
    assert_eq!(allowed, 4);
}

#[test]
fn no_tolerance_admits_one_request_per_interval() {
    let first = gcra(0, T0, INTERVAL, 0);
    assert_eq!(first.decision, RateDecision::Allowed);
    assert_eq!(
        gcra(first.tat_ms, T0, INTERVAL, 0).decision,
        RateDecision::Limited {
            retry_after_ms: INTERVAL
        }
    );
    assert_eq!(
        gcra(first.tat_ms, T0 + INTERVAL, INTERVAL, 0).decision,
        RateDecision::Allowed
    );
}

#[test]
fn extreme_values_saturate_instead_of_overflowing() {
    let outcome = gcra(u64::MAX - 5, u64::MAX - 10, INTERVAL, TOLERANCE);
    assert_eq!(outcome.decision, RateDecision::Allowed);
    assert_eq!(outcome.tat_ms, u64::MAX);
    assert_eq!(
        gcra(u64::MAX, 0, u64::MAX, u64::MAX).decision,
        RateDecision::Allowed
    );
    assert_eq!(
        gcra(u64::MAX, 0, u64::MAX, 0).decision,
        RateDecision::Limited {
            retry_after_ms: u64::MAX
        }
    );
}

#[test]
fn gcra_applies_the_same_function() {
    let limit = Gcra::new(INTERVAL, TOLERANCE);
    for (tat, now) in [
        (0, T0),
        (T0 + 4 * INTERVAL, T0),
        (T0 + 4 * INTERVAL, T0 + INTERVAL),
    ] {
        assert_eq!(limit.apply(tat, now), at(tat, now));
    }
    assert_eq!(limit.emission_interval_ms(), INTERVAL);
    assert_eq!(limit.burst_tolerance_ms(), TOLERANCE);
}

#[test]
fn a_state_from_a_clock_ahead_costs_a_minute_not_the_time_it_was_off_by() {
    // Written by a clock a day ahead: taken as it is, it would refuse for a day.
    let day_ahead = T0 + 86_400_000;
    let refused = at(day_ahead, T0);
    // The furthest an admission can leave a state, and the clocks' allowance.
    let furthest = T0 + TOLERANCE + INTERVAL + CLOCK_SKEW_ALLOWANCE_MS;
    assert_eq!(
        refused,
        GcraOutcome {
            decision: RateDecision::Limited {
                retry_after_ms: INTERVAL + CLOCK_SKEW_ALLOWANCE_MS
            },
            tat_ms: furthest,
        }
    );
    // Once the state brought back is stored, the key recovers as after a full burst.
    assert_eq!(
        at(refused.tat_ms, T0 + INTERVAL + CLOCK_SKEW_ALLOWANCE_MS).decision,
        RateDecision::Allowed
    );
    // A state within reach is left as it is.
    assert_eq!(at(furthest, T0).tat_ms, furthest);
}

#[test]
fn replicas_with_clocks_apart_by_less_than_the_allowance_never_undo_each_others_states() {
    // Replica A's clock is 5 s ahead of B's; requests alternate between them at one instant.
    let skew = 5_000;
    let (mut tat, mut admitted) = (0, 0);
    for n in 0..100 {
        let now = if n % 2 == 0 { T0 + skew } else { T0 };
        let outcome = at(tat, now);
        if outcome.decision == RateDecision::Allowed {
            admitted += 1;
        }
        tat = outcome.tat_ms;
    }
    // The burst, and no more: B never brings A's state back (were it brought back to B's
    // furthest, A would be admitted every other request).
    assert_eq!(admitted, 4);
}
