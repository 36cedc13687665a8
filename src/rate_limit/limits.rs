//! [`RegistrationLimits`]: a [`RateLimit`] as the registry applies it to one registration
//! attempt: the address's key first, then the whole server's, each through the store's
//! [`rate_limit`](ClientStore::rate_limit).

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use super::address::limit_key;
use super::{Gcra, RateDecision, RateLimit};
use crate::store::{ClientStore, StoreError};

/// The key of the limit for the whole server.
const OVERALL_KEY: &str = "registration/overall";

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

    /// Decides one registration attempt from `address` at `now_ms`. The address's limit comes
    /// first: an address over its own limit is refused without spending the server's, so one
    /// abusive client cannot use up the overall limit that every other client shares. (An
    /// attempt within its address's limit but over the server's has still spent a request of
    /// its address.) Without an address, the overall limit alone applies.
    pub(crate) async fn check(
        &self,
        store: &dyn ClientStore,
        address: Option<IpAddr>,
        now_ms: u64,
    ) -> Result<RateDecision, StoreError> {
        if let Some(rate) = self.per_address {
            match address {
                Some(address) => {
                    let decision = store.rate_limit(&limit_key(address), rate, now_ms).await?;
                    if decision != RateDecision::Allowed {
                        return Ok(decision);
                    }
                }
                None => self.warn_without_address(),
            }
        }
        match self.overall {
            Some(rate) => store.rate_limit(OVERALL_KEY, rate, now_ms).await,
            None => Ok(RateDecision::Allowed),
        }
    }

    fn warn_without_address(&self) {
        if !self.warned_without_address.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "a registration request carries no client address, so the rate limit per \
                 address does not apply to it: insert the peer's SocketAddr into each request's \
                 extensions, or configure RegistrationConfigBuilder::client_address (logged once)"
            );
        }
    }
}

#[cfg(test)]
mod tests;
