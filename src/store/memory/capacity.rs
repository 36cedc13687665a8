//! The bound on a [`MemoryStore`](super::MemoryStore)'s clients: the slots taken, one reserved
//! before a client is inserted and released when it is removed (or its insert fails), so that
//! concurrent registrations never hold more than the bound between them.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::store::StoreError;

/// The most clients a store may hold (`None` for no bound), and how many slots are taken.
#[derive(Debug)]
pub(super) struct Capacity {
    max: Option<u64>,
    taken: AtomicU64,
}

impl Capacity {
    pub(super) fn new(max: Option<u64>) -> Self {
        Self {
            max,
            taken: AtomicU64::new(0),
        }
    }

    pub(super) fn max(&self) -> Option<u64> {
        self.max
    }

    /// Takes a slot for a client about to be inserted; [`StoreError::Full`] when none is left.
    /// Without a bound, nothing is counted.
    pub(super) fn reserve(&self) -> Result<(), StoreError> {
        let Some(max) = self.max else {
            return Ok(());
        };
        self.taken
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |taken| {
                (taken < max).then_some(taken + 1)
            })
            .map(|_| ())
            .map_err(|_| StoreError::Full { max_clients: max })
    }

    /// Gives back the slot of a client removed, or of an insert that did not happen.
    pub(super) fn release(&self) {
        if self.max.is_some() {
            let _ = self
                .taken
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |taken| {
                    taken.checked_sub(1)
                });
        }
    }
}
