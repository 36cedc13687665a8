//! Rate limits on registration: [`RateLimit`], a [`Rate`] per client address and one for the
//! whole server, set with
//! [`registration_rate_limit`](crate::RegistrationConfigBuilder::registration_rate_limit); where
//! the client's address comes from, [`ClientAddress`]; and the one rule, [`gcra`] (the Generic
//! Cell Rate Algorithm), that every store applies to the state it keeps under a key
//! ([`ClientStore::rate_limit`](crate::ClientStore::rate_limit)), so that the limits hold for
//! every replica sharing the store, not per process.
//!
//! ```
//! use tower_oidc_registration::RegistrationConfig;
//! use tower_oidc_registration::rate_limit::{Rate, RateLimit};
//!
//! let config = RegistrationConfig::builder("https://iam.example.org/")
//!     .registration_rate_limit(Some(
//!         RateLimit::per_address(Rate::per_minute(20).burst(10))
//!             .overall(Rate::per_second(50).burst(100)),
//!     ))
//!     .build()?;
//! # let _ = config;
//! # Ok::<(), tower_oidc_registration::ConfigError>(())
//! ```
//!
//! Every `POST {prefix}` counts, before its body is read (an abusive client costs a store
//! round trip, not a parse), and whatever comes of it: a registration refused for its metadata
//! or its initial access token counts as much as one that succeeds. The address's limit is
//! checked first, so that a client over its own limit spends nothing of the server's, which
//! every other client shares. A request past a limit gets `429 Too Many Requests` with
//! `Retry-After` (whole seconds, rounded up) and `{"error": "temporarily_unavailable",
//! "error_description": ...}`; a store that fails to decide fails the request with `503`, as
//! any store failure does. The host's own calls
//! ([`Requester::host`](crate::Requester::host)) are never limited.
//!
//! Each limit is one store operation per attempt: with a SQL store, a short write transaction
//! on the key's row (with SQLite's `synchronous=FULL`, an fsync for an admitted attempt; a
//! refused one writes nothing). The keys of past callers are forgotten by the stores
//! themselves, once their state is past: the memory store sweeps every 1024 new keys, the SQL
//! stores delete up to 4096 stale rows every 256 decisions.
//!
//! Decisions are to the millisecond of the configured [`Clock`](crate::Clock)
//! ([`now_millis`](crate::Clock::now_millis)); replicas sharing a store should have their
//! clocks in step.

mod address;
mod gcra;
mod limits;
mod rate;

pub use address::{ClientAddress, ProxyHeader};
pub use gcra::{Gcra, GcraOutcome, RateDecision, gcra};
pub(crate) use limits::RegistrationLimits;
pub use rate::{Rate, RateLimit};
