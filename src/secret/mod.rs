//! Secret values and their generation from the operating system's random number generator.
//! A [`Secret`](crate::Secret) never shows in `Debug` output and compares in constant time; what
//! a secret is for is its owner's business.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

use crate::generate::GenerateError;

/// A secret string (client secret, registration access token) whose `Debug` output is
/// `[redacted]`, so that it never reaches a log by accident. Compare with
/// [`ct_eq`](Self::ct_eq); there is deliberately no `==`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// `bytes` random bytes from the OS RNG, base64url-encoded without padding. 64 bytes
    /// (512 bits) give the 86 characters of MitreID's client secrets.
    ///
    /// # Errors
    ///
    /// When the OS RNG fails.
    pub fn random(bytes: usize) -> Result<Self, GenerateError> {
        // On the stack for the usual sizes: no allocation but the encoded string.
        let mut stack = [0u8; 128];
        let mut heap;
        let buf: &mut [u8] = if bytes <= stack.len() {
            &mut stack[..bytes]
        } else {
            heap = vec![0u8; bytes];
            &mut heap
        };
        getrandom::fill(buf)
            .map_err(|e| GenerateError::new(format!("OS random number generator: {e}")))?;
        Ok(Self(URL_SAFE_NO_PAD.encode(buf)))
    }

    /// The secret value; handle with care.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares with `other` in time that depends only on the lengths, never on the contents.
    pub fn ct_eq(&self, other: &str) -> bool {
        self.0.as_bytes().ct_eq(other.as_bytes()).into()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests;
