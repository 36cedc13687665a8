//! Rate limits on registration: [`RateLimit`], a [`Rate`] per client address and one for the
//! whole server, and the one rule, [`gcra`] (the Generic Cell Rate Algorithm), that every store
//! applies to the state it keeps under a key
//! ([`ClientStore::rate_limit`](crate::ClientStore::rate_limit)), so that the limits hold for
//! every replica sharing the store.

mod gcra;
mod rate;

pub use gcra::{Gcra, GcraOutcome, RateDecision, gcra};
pub use rate::{Rate, RateLimit};
