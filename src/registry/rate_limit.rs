//! The registration rate limits ([`RateLimit`](crate::rate_limit::RateLimit)) as the registry
//! applies them to a registration attempt ([`Registry::admit`]): the limit of the caller's
//! address before its credential is looked at, so that guessing initial access tokens is
//! limited too; the server's limit once the caller is admitted, so that callers who may not
//! register (wrong tokens on a protected server, an abuser over its own limit) spend nothing of
//! what every admitted client shares. The host ([`Requester::host`]) is never limited, nor
//! counted.

use std::time::Duration;

use super::Registry;
use crate::context::{Credential, Requester};
use crate::error::RegistrationError;
use crate::rate_limit::RateDecision;

/// Which of the two limits.
#[derive(Debug, Clone, Copy)]
pub(super) enum Limit {
    /// The limit of the requester's address.
    Address,
    /// The limit of the whole server.
    Overall,
}

impl Registry {
    /// Counts one registration attempt by `requester` against `limit`, if configured:
    /// [`RegistrationError::RateLimited`] past it.
    pub(super) async fn limit_registration(
        &self,
        requester: &Requester<'_>,
        limit: Limit,
    ) -> Result<(), RegistrationError> {
        let Some(limits) = &self.settings.rate_limit else {
            return Ok(());
        };
        if matches!(requester.credential, Credential::Host) {
            return Ok(());
        }
        let store = &*self.settings.store;
        let now_ms = self.settings.clock.now_millis();
        let decision = match limit {
            Limit::Address => {
                limits
                    .check_address(store, requester.client_address, now_ms)
                    .await?
            }
            Limit::Overall => limits.check_overall(store, now_ms).await?,
        };
        match decision {
            RateDecision::Allowed => Ok(()),
            RateDecision::Limited { retry_after_ms } => Err(RegistrationError::RateLimited {
                retry_after: Duration::from_millis(retry_after_ms),
            }),
        }
    }
}
