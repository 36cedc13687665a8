//! Where the registry reads the time: a [`Clock`], the system clock unless the configuration
//! sets another, so that expiry, lifetimes, clock skew, last use and rate limits can be tested at
//! their exact boundaries without sleeping.

use std::time::{SystemTime, UNIX_EPOCH};

/// The time, in whole seconds since the Unix epoch: what `client_id_issued_at`,
/// `client_secret_expires_at`, initial access token lifetimes, software statement `exp`/`nbf`
/// and the last use of clients are measured in.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use tower_oidc_registration::{Clock, RegistrationConfig};
///
/// /// A clock a test moves by hand.
/// #[derive(Clone, Default)]
/// struct TestClock(Arc<AtomicU64>);
///
/// impl Clock for TestClock {
///     fn now(&self) -> u64 {
///         self.0.load(Ordering::SeqCst)
///     }
/// }
///
/// let clock = TestClock::default();
/// clock.0.store(1_800_000_000, Ordering::SeqCst);
/// let config = RegistrationConfig::builder("https://iam.example.org/")
///     .clock(clock.clone())
///     .build()
///     .expect("config");
/// # let _ = config;
/// ```
pub trait Clock: Send + Sync + 'static {
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;

    /// Milliseconds since the Unix epoch: what registration rate limits are measured in
    /// ([`rate_limit`](crate::rate_limit)). Defaults to [`now`](Self::now) × 1000, so a
    /// clock of whole seconds needs nothing more; a test clock that crosses a rate limit's
    /// boundary to the millisecond implements it.
    fn now_millis(&self) -> u64 {
        self.now().saturating_mul(1000)
    }
}

/// The operating system's clock (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    fn now_millis(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}
