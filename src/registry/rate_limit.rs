//! The registration rate limits ([`RateLimit`](crate::rate_limit::RateLimit)) as the registry
//! applies them: to every registration attempt but the host's, before anything else is looked
//! at.

use std::time::Duration;

use super::Registry;
use crate::context::{Credential, Requester};
use crate::error::RegistrationError;
use crate::rate_limit::RateDecision;

impl Registry {
    /// Counts one registration attempt by `requester` against the configured limits:
    /// [`RegistrationError::RateLimited`] past one. The host ([`Requester::host`]) is never
    /// limited, nor counted.
    pub(crate) async fn limit_registration(
        &self,
        requester: &Requester<'_>,
    ) -> Result<(), RegistrationError> {
        let Some(limits) = &self.settings.rate_limit else {
            return Ok(());
        };
        if matches!(requester.credential, Credential::Host) {
            return Ok(());
        }
        let now_ms = self.settings.clock.now_millis();
        match limits
            .check(&*self.settings.store, requester.client_address, now_ms)
            .await?
        {
            RateDecision::Allowed => Ok(()),
            RateDecision::Limited { retry_after_ms } => Err(RegistrationError::RateLimited {
                retry_after: Duration::from_millis(retry_after_ms),
            }),
        }
    }
}
