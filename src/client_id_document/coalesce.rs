//! Concurrent lookups of one uncached document share one fetch: a client id that many token
//! requests name at once (or that an attacker names on purpose) costs one request to its host
//! and one permit of the fetcher's budget, not one each. The shared outcome is not a cache: it
//! lives only while the fetch runs, so a failure is never remembered.

use std::future::Future;
use std::sync::Arc;

use dashmap::DashMap;
use tokio::sync::OnceCell;

use super::ClientLookupError;
use crate::store::ClientRecord;

type Outcome = Result<Arc<ClientRecord>, Arc<ClientLookupError>>;

/// The fetches in progress, by client id URL.
#[derive(Default)]
pub(crate) struct InFlight {
    fetches: DashMap<Box<str>, Arc<OnceCell<Outcome>>>,
}

impl InFlight {
    /// The outcome of `resolve` for `url`, run once for every caller that asks while it runs.
    /// If the caller running it is cancelled, a waiting one runs its own.
    pub(crate) async fn resolve<F>(&self, url: &str, resolve: F) -> Outcome
    where
        F: Future<Output = Result<Arc<ClientRecord>, ClientLookupError>>,
    {
        let cell = Arc::clone(self.fetches.entry(url.into()).or_default().value());
        let outcome = cell
            .get_or_init(|| async { resolve.await.map_err(Arc::new) })
            .await
            .clone();
        self.fetches
            .remove_if(url, |_, running| Arc::ptr_eq(running, &cell));
        outcome
    }
}
