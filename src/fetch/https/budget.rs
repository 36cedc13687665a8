//! How many fetches may be in progress at once, one budget per [`FetchPurpose`]: clients
//! naming slow or silent servers can use up theirs, never the operator's.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::fetch::{FetchError, FetchPurpose};

/// The permits of each purpose. Each fetch holds one of its purpose's from its start until it
/// ends and its host lookup has returned.
pub(super) struct FetchBudgets {
    operator_configured: Budget,
    client_named: Budget,
}

struct Budget {
    permits: Arc<Semaphore>,
    limit: usize,
}

impl Budget {
    fn new(limit: usize) -> Self {
        let limit = limit.min(Semaphore::MAX_PERMITS);
        Self {
            permits: Arc::new(Semaphore::new(limit)),
            limit,
        }
    }
}

impl FetchBudgets {
    /// Budgets of `operator_configured` and `client_named` fetches at once (each capped at
    /// what a semaphore holds).
    pub(super) fn new(operator_configured: usize, client_named: usize) -> Self {
        Self {
            operator_configured: Budget::new(operator_configured),
            client_named: Budget::new(client_named),
        }
    }

    fn of(&self, purpose: FetchPurpose) -> &Budget {
        match purpose {
            FetchPurpose::OperatorConfigured => &self.operator_configured,
            FetchPurpose::ClientNamed => &self.client_named,
        }
    }

    /// A permit from the budget of `purpose`, or [`FetchError::TooManyFetches`] at once when
    /// none is left: a queue would hold each waiting request as long as the fetches before it.
    pub(super) fn permit(&self, purpose: FetchPurpose) -> Result<OwnedSemaphorePermit, FetchError> {
        Arc::clone(&self.of(purpose).permits)
            .try_acquire_owned()
            .map_err(|_| FetchError::TooManyFetches)
    }
}

impl std::fmt::Debug for FetchBudgets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchBudgets")
            .field("operator_configured", &self.operator_configured.limit)
            .field("client_named", &self.client_named.limit)
            .finish()
    }
}
