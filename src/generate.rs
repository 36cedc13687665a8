//! Where client ids and client secrets come from: pluggable, with safe defaults. A generator
//! only makes values; the registry checks them (a usable client id) and stores them.

use std::fmt;

use crate::secret::Secret;

/// Bytes of OS randomness in a default client secret: 512 bits, 86 base64url characters
/// (as MitreID).
pub const DEFAULT_SECRET_BYTES: usize = 64;

/// Makes client identifiers. Ids must be unique; the registry retries on a collision, never
/// overwriting a client.
pub trait ClientIdGenerator: Send + Sync + 'static {
    /// A new client id.
    fn client_id(&self) -> String;
}

/// Makes client secrets. They must be unguessable: draw them from a cryptographic RNG.
pub trait SecretGenerator: Send + Sync + 'static {
    /// A new client secret.
    fn client_secret(&self) -> Result<Secret, GenerateError>;
}

/// Why a value could not be made: the source of randomness failed (the OS RNG, a hardware
/// module...). The request that needed it fails with a 500; nothing is stored.
#[derive(Debug)]
pub struct GenerateError(Box<dyn std::error::Error + Send + Sync>);

impl GenerateError {
    /// An error with its cause.
    pub fn new(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(cause.into())
    }
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for GenerateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// The default ids: random (version 4) UUIDs, as MitreID.
#[derive(Debug, Clone, Copy, Default)]
pub struct UuidClientIds;

impl ClientIdGenerator for UuidClientIds {
    fn client_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

/// The default secrets: [`DEFAULT_SECRET_BYTES`] from the operating system's RNG, base64url.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandomSecrets;

impl SecretGenerator for OsRandomSecrets {
    fn client_secret(&self) -> Result<Secret, GenerateError> {
        Secret::random(DEFAULT_SECRET_BYTES)
    }
}
