//! The bound on a [`MemoryStore`](super::MemoryStore)'s clients: the slots taken, one reserved
//! before a client is inserted and released when it is removed (or its insert fails), so that
//! concurrent registrations never hold more than the bound between them. Counted with or
//! without a bound: the count is the store's [`count`](crate::ClientStore::count).

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

    /// How many slots are taken: the clients held and those being inserted.
    pub(super) fn taken(&self) -> u64 {
        self.taken.load(Ordering::Acquire)
    }

    /// Takes a slot for a client about to be inserted; [`StoreError::Full`] when none is left.
    pub(super) fn reserve(&self) -> Result<(), StoreError> {
        let Some(max) = self.max else {
            self.taken.fetch_add(1, Ordering::AcqRel);
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
        let _ = self
            .taken
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |taken| {
                taken.checked_sub(1)
            });
    }
}
