//! [`Rate`] and [`RateLimit`]: the registration rate limits as a host configures them, and the
//! [`Gcra`] parameters each rate comes to.

use std::time::Duration;

use super::Gcra;

/// A sustained rate and a burst: `count` requests per `period` on average, with up to `burst`
/// at once (by default `count`: a whole period's requests may come together). A refused request
/// is told to retry when the next one is admitted.
///
/// ```
/// use tower_oidc_registration::rate_limit::Rate;
///
/// // 20 a minute on average, at most 10 at once: after a burst of 10, one every 3 s.
/// let rate = Rate::per_minute(20).burst(10);
/// assert_eq!(rate.burst_size(), 10);
/// assert_eq!(Rate::per_second(50).burst_size(), 50);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    count: u32,
    period: Duration,
    burst: Option<u32>,
}

impl Rate {
    /// `count` requests per `period`. The rate may be at most one request per millisecond
    /// (the resolution of the limits), `count` and the burst at least 1: checked by
    /// [`build`](crate::RegistrationConfigBuilder::build).
    pub fn new(count: u32, period: Duration) -> Self {
        Self {
            count,
            period,
            burst: None,
        }
    }

    /// `count` requests a second.
    pub fn per_second(count: u32) -> Self {
        Self::new(count, Duration::from_secs(1))
    }

    /// `count` requests a minute.
    pub fn per_minute(count: u32) -> Self {
        Self::new(count, Duration::from_secs(60))
    }

    /// `count` requests an hour.
    pub fn per_hour(count: u32) -> Self {
        Self::new(count, Duration::from_secs(3600))
    }

    /// At most `burst` requests at once (default: the rate's count).
    #[must_use]
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = Some(burst);
        self
    }

    /// How many requests per [`period`](Self::period).
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The period of [`count`](Self::count).
    pub fn period(&self) -> Duration {
        self.period
    }

    /// How many requests are admitted at once.
    pub fn burst_size(&self) -> u32 {
        self.burst.unwrap_or(self.count)
    }

    /// The rate as [`gcra`](super::gcra) takes it: one request every `period / count`
    /// (rounded up to the millisecond, so never more than the rate), and a tolerance of
    /// `burst - 1` such intervals. An error saying why for a rate that limits nothing or
    /// everything.
    pub(crate) fn gcra(&self) -> Result<Gcra, String> {
        if self.count == 0 {
            return Err(format!(
                "{self:?}: a count of zero would refuse every request; leave the limit out to \
                 limit nothing"
            ));
        }
        if self.burst_size() == 0 {
            return Err(format!(
                "{self:?}: a burst of zero would refuse every request"
            ));
        }
        // In nanoseconds, so that nothing is rounded before the interval is, up: a limit may be
        // slower than configured by less than a millisecond a request, never faster.
        const NANOS_PER_MS: u128 = 1_000_000;
        let period_ns = self.period.as_nanos();
        let count = u128::from(self.count);
        if period_ns < count * NANOS_PER_MS {
            return Err(format!(
                "{self:?}: faster than one request per millisecond, the resolution of the limits"
            ));
        }
        let interval = u64::try_from(period_ns.div_ceil(count * NANOS_PER_MS)).unwrap_or(u64::MAX);
        let tolerance = interval.saturating_mul(u64::from(self.burst_size() - 1));
        Ok(Gcra::new(interval, tolerance))
    }
}

/// The rate limits of registration (`POST {prefix}`), set with
/// [`registration_rate_limit`](crate::RegistrationConfigBuilder::registration_rate_limit): a
/// rate per client address, a rate for the whole server, or both. Every attempt counts, the
/// refused ones too (invalid metadata, a wrong initial access token), since abuse is what is
/// limited; the host's own calls ([`Requester::host`](crate::Requester::host)) never do.
///
/// ```
/// use tower_oidc_registration::rate_limit::{Rate, RateLimit};
///
/// let limit = RateLimit::per_address(Rate::per_minute(20).burst(10))
///     .overall(Rate::per_second(50).burst(100));
/// assert_eq!(limit.address_rate(), Some(Rate::per_minute(20).burst(10)));
/// let overall_only = RateLimit::overall_only(Rate::per_second(50));
/// assert_eq!(overall_only.address_rate(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    per_address: Option<Rate>,
    overall: Option<Rate>,
}

impl RateLimit {
    /// At most `rate` per client address (an IPv6 address counts as its /64 network).
    pub fn per_address(rate: Rate) -> Self {
        Self {
            per_address: Some(rate),
            overall: None,
        }
    }

    /// At most `rate` for the whole server, whatever the address.
    pub fn overall_only(rate: Rate) -> Self {
        Self {
            per_address: None,
            overall: Some(rate),
        }
    }

    /// This limit, and at most `rate` for the whole server.
    #[must_use]
    pub fn overall(mut self, rate: Rate) -> Self {
        self.overall = Some(rate);
        self
    }

    /// The rate per client address, if any.
    pub fn address_rate(&self) -> Option<Rate> {
        self.per_address
    }

    /// The rate for the whole server, if any.
    pub fn overall_rate(&self) -> Option<Rate> {
        self.overall
    }
}

#[cfg(test)]
mod tests;
