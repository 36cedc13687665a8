//! The opt-in expiry of abandoned clients: the last use of each client is recorded (only when
//! an expiry policy is configured), and batches of clients unused for too long are deleted.

use super::Registry;
use crate::store::StoreError;

impl Registry {
    /// Records that `client_id` was used now, for the expiry of abandoned clients. Only when
    /// an expiry policy is configured: recording is a store write (a second lookup in memory, an
    /// UPDATE in SQL) on every read and authentication, which nothing else needs. Best effort: a
    /// store error is logged, never fails the request.
    pub(super) async fn touch(&self, client_id: &str) {
        if self.settings.expiry.is_none() {
            return;
        }
        if let Err(err) = self.settings.store.touch(client_id, self.now()).await {
            tracing::debug!(client_id, error = %err, "could not record the client's last use");
        }
    }

    /// Runs one batch of the expiry of abandoned clients
    /// ([`expire_unused_clients`](crate::RegistrationConfigBuilder::expire_unused_clients)):
    /// **deletes** up to `batch` clients unused for `unused_for`, and returns how many. `Ok(0)`
    /// without an expiry policy. A deleted client frees its slot in the client quota of the
    /// initial access token that registered it.
    pub async fn expire_unused(&self) -> Result<usize, StoreError> {
        let Some(policy) = self.settings.expiry else {
            return Ok(0);
        };
        let unused_since = self.now().saturating_sub(policy.unused_for.as_secs());
        let deleted = self
            .settings
            .store
            .delete_unused(unused_since, policy.batch)
            .await?;
        for client_id in &deleted {
            tracing::info!(%client_id, "unused client expired and deleted");
        }
        Ok(deleted.len())
    }

    /// The expiry of abandoned clients, for the host to spawn on its runtime (a Tokio runtime
    /// with its timer enabled): forever, sleeps `tick` then runs one batch
    /// ([`expire_unused`](Self::expire_unused)); a store error is logged and retried at the
    /// next tick. Completes at once without an expiry policy. **It deletes clients.**
    ///
    /// ```no_run
    /// # fn run(registry: tower_oidc_registration::Registry) {
    /// tokio::spawn(registry.run_expiry());
    /// # }
    /// ```
    pub async fn run_expiry(self) {
        let Some(policy) = self.settings.expiry else {
            return;
        };
        loop {
            tokio::time::sleep(policy.tick).await;
            if let Err(err) = self.expire_unused().await {
                tracing::warn!(error = %err, "expiry of unused clients failed");
            }
        }
    }
}
