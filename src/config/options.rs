//! The options of the registration endpoint that are plain values: who may register, when
//! tokens and secrets rotate, how secrets are kept, the expiry of abandoned clients, the body
//! limit. No behaviour lives here; the registry reads them.

use std::time::Duration;

/// Default request body limit: 64 KiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// When the registration access token is replaced by a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenRotation {
    /// Never: the token issued at registration stays valid until the client is deleted
    /// (MitreID's behaviour). The default.
    #[default]
    Never,
    /// On every successful update (PUT): the response carries a new token and the old one
    /// stops working at once.
    OnUpdate,
    /// On every use, reads included (RFC 7592 §2.1 allows it): each response carries a new
    /// token. Atomic: of concurrent requests with one token, exactly one succeeds.
    OnEveryUse,
}

/// When a client's secret is replaced by a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SecretRotation {
    /// Only when it has expired (and a client updates its registration). The default.
    #[default]
    Never,
    /// On every successful update (PUT): the response carries the new secret.
    OnUpdate,
}

/// How client secrets are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SecretStorage {
    /// In clear: reads return the secret (RFC 7592 §3). The default, as MitreID.
    #[default]
    Plain,
    /// Only its SHA-256: the secret is shown once, in the response that issues it, and reads
    /// omit it. A leaked store then yields no usable secret; the price is that a client that
    /// loses its secret must get a new one (an update with [`SecretRotation::OnUpdate`]).
    Hashed,
}

/// The opt-in expiry of abandoned clients: every `tick`, up to `batch` clients unused for
/// `unused_for` are **deleted** (see
/// [`RegistrationConfigBuilder::expire_unused_clients`](crate::RegistrationConfigBuilder::expire_unused_clients)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExpiryPolicy {
    /// A client not used for this long (authenticated with
    /// [`Registry::authenticate`](crate::Registry::authenticate), or read or updated with its
    /// registration access token), or never used since its registration that long ago, is
    /// deleted. At least one second.
    pub unused_for: Duration,
    /// How long [`Registry::run_expiry`](crate::Registry::run_expiry) sleeps between batches.
    /// Not zero.
    pub tick: Duration,
    /// At most this many clients are deleted per tick, so that one tick never holds the store
    /// long. Not zero.
    pub batch: usize,
}

impl ExpiryPolicy {
    /// Deletes clients unused for `unused_for`, checking every minute, at most 1000 per tick.
    pub fn new(unused_for: Duration) -> Self {
        Self {
            unused_for,
            tick: Duration::from_secs(60),
            batch: 1000,
        }
    }

    /// How often a batch runs.
    pub fn tick(mut self, tick: Duration) -> Self {
        self.tick = tick;
        self
    }

    /// The most clients deleted per tick.
    pub fn batch(mut self, batch: usize) -> Self {
        self.batch = batch;
        self
    }
}

/// Who may register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RegistrationAccess {
    /// Anyone, without credentials (MitreID's default and the seed's behaviour).
    #[default]
    Open,
    /// Only callers presenting a valid initial access token as `Authorization: Bearer`.
    InitialAccessToken,
}
