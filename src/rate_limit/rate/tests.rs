use super::*;

#[test]
fn a_rate_comes_to_its_interval_and_a_tolerance_of_the_burst_less_one() {
    let gcra = Rate::per_minute(20).burst(10).gcra().expect("valid");
    assert_eq!(gcra, Gcra::new(3_000, 27_000));
    // By default the whole period's count at once.
    assert_eq!(Rate::per_second(50).gcra(), Ok(Gcra::new(20, 980)));
    assert_eq!(Rate::per_hour(1).gcra(), Ok(Gcra::new(3_600_000, 0)));
    assert_eq!(Rate::per_second(50).burst(1).gcra(), Ok(Gcra::new(20, 0)));
}

#[test]
fn an_interval_is_rounded_up_never_admitting_more_than_the_rate() {
    // 1000 / 3 = 333.3 ms: 334, so never 4 in a second.
    assert_eq!(Rate::per_second(3).burst(1).gcra(), Ok(Gcra::new(334, 0)));
    // Before the division too: 1.5 ms is 2, not 1.
    assert_eq!(
        Rate::new(1, Duration::from_micros(1_500)).gcra(),
        Ok(Gcra::new(2, 0))
    );
    assert_eq!(
        Rate::new(2, Duration::from_micros(2_001)).burst(1).gcra(),
        Ok(Gcra::new(2, 0))
    );
    // One a millisecond is the fastest.
    assert_eq!(Rate::per_second(1_000).burst(1).gcra(), Ok(Gcra::new(1, 0)));
}

#[test]
fn rates_that_limit_nothing_or_everything_are_refused() {
    for (rate, why) in [
        (Rate::per_second(0), "count of zero"),
        (Rate::per_second(5).burst(0), "burst of zero"),
        (
            Rate::per_second(1_001),
            "faster than one request per millisecond",
        ),
        (Rate::new(1, Duration::from_micros(999)), "faster than one"),
        (Rate::new(1, Duration::ZERO), "faster than one"),
    ] {
        let message = rate.gcra().expect_err(why);
        assert!(message.contains(why), "{rate:?}: {message}");
    }
}

#[test]
fn huge_bursts_and_periods_saturate() {
    let gcra = Rate::new(1, Duration::MAX)
        .burst(u32::MAX)
        .gcra()
        .expect("valid");
    assert_eq!(gcra, Gcra::new(u64::MAX, u64::MAX));
}

#[test]
fn a_limit_has_the_rates_it_was_given() {
    let address = Rate::per_minute(20).burst(10);
    let overall = Rate::per_second(50).burst(100);
    let both = RateLimit::per_address(address).overall(overall);
    assert_eq!(
        (both.address_rate(), both.overall_rate()),
        (Some(address), Some(overall))
    );
    let only = RateLimit::overall_only(overall);
    assert_eq!(
        (only.address_rate(), only.overall_rate()),
        (None, Some(overall))
    );
    let per_address = RateLimit::per_address(address);
    assert_eq!(per_address.overall_rate(), None);
    assert_eq!(address.count(), 20);
    assert_eq!(address.period(), Duration::from_secs(60));
}
