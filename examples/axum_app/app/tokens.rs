//! What the authorization server remembers between requests, in memory: authorization codes,
//! refresh tokens and access tokens, each in a [`TokenStore`] that maps a random token to what
//! it grants until it expires.
//!
//! Each map is bounded, so that a flood of authorization requests cannot grow it without end;
//! a server with several replicas, or one that must survive a restart, keeps these in a
//! database instead (or signs self-contained JWTs).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};
use tower_oidc_registration::Secret;
use tower_oidc_registration::generate::GenerateError;

/// An authorization code's grant: what `/authorize` approved, for the token endpoint to check.
#[derive(Clone, Debug)]
pub struct CodeGrant {
    pub client_id: String,
    /// The redirect URI the authorization response went to.
    pub redirect_uri: String,
    /// Whether the authorization request named it (then the token request must too).
    pub redirect_uri_sent: bool,
    /// The PKCE S256 challenge: BASE64URL(SHA256(code_verifier)).
    pub code_challenge: String,
    /// The resource (RFC 8707) the client asked for, if any.
    pub resource: Option<String>,
    pub scope: Option<String>,
    /// The user who approved (this skeleton's demo user).
    pub user: String,
}

/// What an access or refresh token grants: the resource server's view of a token.
#[derive(Clone, Debug)]
pub struct AccessGrant {
    pub client_id: String,
    pub scope: Option<String>,
    /// The audience (RFC 8707): the only resource that accepts the token; `None`: any.
    pub resource: Option<String>,
    /// The user the client acts for; `None` for `client_credentials`.
    pub user: Option<String>,
}

/// Random tokens and what they grant, each forgotten `lifetime` after it was issued, at most
/// `capacity` at a time. Clones share the map.
///
/// Keys are the SHA-256 digests of the tokens, not the tokens: the map holds no usable
/// credential, and looking a token up compares digests, so its timing tells an attacker
/// nothing about the tokens that exist.
#[derive(Clone)]
pub struct TokenStore<V> {
    entries: Arc<Mutex<Entries<V>>>,
    capacity: usize,
    lifetime: Duration,
}

/// Token digest -> (expiry, grant).
type Entries<V> = HashMap<[u8; 32], (Instant, V)>;

impl<V: Clone> TokenStore<V> {
    pub fn new(capacity: usize, lifetime: Duration) -> Self {
        Self {
            entries: Arc::default(),
            capacity,
            lifetime,
        }
    }

    /// How long a token lives, for `expires_in`.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A new random token (32 bytes from the OS RNG) granting `value`.
    pub fn issue(&self, value: V) -> Result<Secret, GenerateError> {
        let token = Secret::random(32)?;
        let now = Instant::now();
        let mut entries = self.lock();
        if entries.len() >= self.capacity {
            entries.retain(|_, (expiry, _)| *expiry > now);
        }
        if entries.len() >= self.capacity {
            // Still full of live tokens: drop the one closest to its end rather than refuse
            // every new client.
            let soonest = entries.iter().min_by_key(|(_, (expiry, _))| *expiry);
            if let Some(key) = soonest.map(|(key, _)| *key) {
                entries.remove(&key);
            }
        }
        entries.insert(digest(token.expose()), (now + self.lifetime, value));
        Ok(token)
    }

    /// What `token` grants, if it is known and unexpired.
    pub fn get(&self, token: &str) -> Option<V> {
        let entries = self.lock();
        let (expiry, value) = entries.get(&digest(token))?;
        (*expiry > Instant::now()).then(|| value.clone())
    }

    /// What `token` grants, forgetting it: a single-use token (a code, a rotated refresh
    /// token) is spent by the first request that presents it, even a failing one.
    pub fn take(&self, token: &str) -> Option<V> {
        let (expiry, value) = self.lock().remove(&digest(token))?;
        (expiry > Instant::now()).then_some(value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<V>> {
        // A panic while holding the lock leaves the map consistent (each operation is one
        // insert or remove): keep serving rather than fail every later request.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The stores the authorization server and its protected resource share.
#[derive(Clone)]
pub struct Tokens {
    /// Codes live 60 seconds (RFC 6749 §4.1.2 recommends at most 10 minutes).
    pub codes: TokenStore<CodeGrant>,
    pub access: TokenStore<AccessGrant>,
    /// Rotated on every use: each refresh answers with a new one.
    pub refresh: TokenStore<AccessGrant>,
}

impl Default for Tokens {
    fn default() -> Self {
        Self {
            codes: TokenStore::new(10_000, Duration::from_secs(60)),
            access: TokenStore::new(100_000, Duration::from_secs(3600)),
            refresh: TokenStore::new(100_000, Duration::from_secs(30 * 24 * 3600)),
        }
    }
}
