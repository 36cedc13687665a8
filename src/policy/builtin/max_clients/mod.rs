//! [`MaxClients`]: a quota on the number of registered clients.
//!
//! Owns the comparison of the store's count with the limit on registration. It must not know
//! the metadata, the caller (the quota applies to everyone), nor how the store counts.

use async_trait::async_trait;

use crate::metadata::ClientMetadata;
use crate::policy::{Operation, PolicyContext, PolicyError, RegistrationPolicy};

/// A maximum number of registered clients: a registration is refused with 403
/// `access_denied` (`the registration limit of N clients is reached`) when the store already
/// holds `total` clients. Updates are never refused.
///
/// The limit is checked against
/// [`ClientStore::count_up_to`](crate::store::ClientStore::count_up_to) before the client is
/// stored (the SQL stores count no further than the limit: the check's cost grows with the
/// limit, not with the number of clients), so concurrent registrations may overshoot it by up to
/// their number: it is a quota, not an exact bound.
///
/// When the store cannot count, the registration is refused (fail closed: 403 `access_denied`,
/// `client count unavailable`) and the store error is logged with `tracing` at `warn` level.
///
/// ```
/// use tower_oidc_registration::policy::builtin::MaxClients;
///
/// let quota = MaxClients::new(1_000);
/// assert_eq!(quota.total(), 1_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxClients {
    total: u64,
}

impl MaxClients {
    /// At most `total` clients; `0` refuses every registration.
    pub fn new(total: u64) -> Self {
        Self { total }
    }

    /// The maximum number of clients.
    pub fn total(&self) -> u64 {
        self.total
    }
}

#[async_trait]
impl RegistrationPolicy for MaxClients {
    async fn apply(
        &self,
        context: &PolicyContext<'_>,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        if context.operation != Operation::Register {
            return Ok(metadata);
        }
        let count = context
            .store
            .count_up_to(self.total)
            .await
            .map_err(|error| {
                tracing::warn!(%error, "client count unavailable; registration refused");
                PolicyError::Denied("client count unavailable".to_owned())
            })?;
        if count >= self.total {
            return Err(PolicyError::Denied(format!(
                "the registration limit of {} clients is reached",
                self.total
            )));
        }
        Ok(metadata)
    }
}

#[cfg(test)]
mod tests;
