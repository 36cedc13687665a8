//! [`RegistrationLimits`]: a [`RateLimit`] as the registry applies it to one registration
//! attempt, the address's key and the whole server's, each through the store's
//! [`rate_limit`](ClientStore::rate_limit). When each is checked is the registry's rule
//! ([`Registry::admit`](crate::Registry::admit)).

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use super::address::limit_key;
use super::{Gcra, RateDecision, RateLimit};
use crate::store::{ClientStore, StoreError};

/// The key of the limit for the whole server. (The memory store always holds it, whatever its
/// bound on the keys of callers.)
pub(crate) const OVERALL_KEY: &str = "registration/overall";

/// The checked rates of a [`RateLimit`].
#[derive(Debug)]
pub(crate) struct RegistrationLimits {
    per_address: Option<Gcra>,
    overall: Option<Gcra>,
    /// Whether a request without an address was logged already (once is enough to say the
    /// host's server inserts none).
    warned_without_address: AtomicBool,
}

impl RegistrationLimits {
    /// The limits of `limit`; an error saying which rate is unusable.
    pub(crate) fn new(limit: &RateLimit) -> Result<Self, String> {
        let check = |rate: Option<super::Rate>, which: &str| {
            rate.map(|r| r.gcra().map_err(|e| format!("{which}: {e}")))
                .transpose()
        };
        let per_address = check(limit.address_rate(), "per address")?;
        let overall = check(limit.overall_rate(), "overall")?;
        Ok(Self {
            per_address,
            overall,
            warned_without_address: AtomicBool::new(false),
        })
    }

    /// Decides one registration attempt from `address` at `now_ms` by the address's limit:
    /// allowed when there is none, or no address (a warning is logged once).
    pub(crate) async fn check_address(
        &self,
        store: &dyn ClientStore,
        address: Option<IpAddr>,
        now_ms: u64,
    ) -> Result<RateDecision, StoreError> {
        match (self.per_address, address) {
            (Some(rate), Some(address)) => {
                store.rate_limit(&limit_key(address), rate, now_ms).await
            }
            (Some(_), None) => {
                self.warn_without_address();
                Ok(RateDecision::Allowed)
            }
            (None, _) => Ok(RateDecision::Allowed),
        }
    }

    /// Decides one registration attempt at `now_ms` by the server's limit: allowed when there
    /// is none.
    pub(crate) async fn check_overall(
        &self,
        store: &dyn ClientStore,
        now_ms: u64,
    ) -> Result<RateDecision, StoreError> {
        match self.overall {
            Some(rate) => store.rate_limit(OVERALL_KEY, rate, now_ms).await,
            None => Ok(RateDecision::Allowed),
        }
    }

    fn warn_without_address(&self) {
        if !self.warned_without_address.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "a registration request carries no client address, so the rate limit per \
                 address does not apply to it. A layer finds it where \
                 RegistrationConfigBuilder::client_address says (by default the peer's SocketAddr \
                 in the request's extensions); a host calling the Registry gives it with \
                 Requester::with_client_address (logged once)"
            );
        }
    }
}

#[cfg(test)]
mod tests;
