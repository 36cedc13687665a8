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
//! Every `POST {prefix}` counts against its address's limit before its credential is looked
//! at or its body read (an abusive client costs a store round trip, not a parse), whatever
//! comes of it: a registration refused for its metadata or its initial access token counts as
//! much as one that succeeds, so that guessing tokens is limited too. The server's limit counts
//! only callers who may register (open registration: everyone within its address's limit; a
//! protected server: the holders of a valid token), so that neither an abuser over its own
//! limit nor a flood of wrong tokens spends what every admitted client shares. A request
//! refused with 429 is not counted (a refusal leaves a key's state as it was, unless a clock
//! far ahead wrote it: see below), and a malformed `Authorization` header is refused (400)
//! before anything is counted: it can neither register nor guess.
//!
//! A request past a limit gets `429 Too Many Requests` with `Retry-After` (whole seconds,
//! rounded up, at least 1) and `{"error": "temporarily_unavailable", "error_description": ...}`;
//! a store that fails to decide fails the request with `503`, as any store failure does. The
//! body of a refused request is never read: the server answers and closes the connection, so a
//! client still sending a large body may see the connection reset before it reads the 429. The
//! host's own calls ([`Requester::host`](crate::Requester::host)) are never limited.
//!
//! What a limit costs a store, per attempt: the memory store, a lookup under a shard lock. A
//! SQL store, a plain `SELECT` of the key's state, and that is all for a refusal, so a flood
//! locks nothing; an admission is a short write transaction on the key's row (with SQLite's
//! `synchronous=FULL`, an fsync). The keys of past callers are forgotten by the stores
//! themselves, once their state is past: the memory store sweeps every 1024 new keys and holds
//! about 100,000 callers' keys (a new caller past that, while every key held is live, is refused
//! for a second and not remembered; the server's own key is always held); the SQL stores delete
//! up to 4096 stale rows every 256 decisions that took a row's lock.
//!
//! Decisions are to the millisecond of the configured [`Clock`](crate::Clock)
//! ([`now_millis`](crate::Clock::now_millis)). Replicas sharing a store should have their clocks
//! within a minute of each other ([`CLOCK_SKEW_ALLOWANCE_MS`]): within it, a replica behind the
//! others refuses a little more than the rate and one ahead admits a little more, by the skew's
//! worth of intervals at most, and none undoes another's states. A state written by a clock
//! further ahead, or before a clock was set back, costs a key at most a minute and one interval
//! of waiting, never the time the clock was off by ([`gcra`]).

mod address;
mod gcra;
mod limits;
mod rate;

pub use address::{ClientAddress, ProxyHeader};
pub use gcra::{CLOCK_SKEW_ALLOWANCE_MS, Gcra, GcraOutcome, RateDecision, gcra};
pub(crate) use limits::{OVERALL_KEY, RegistrationLimits};
pub use rate::{Rate, RateLimit};
