//! The domain: the one owner of authorization and of every operation on clients. Each
//! operation takes a [`Requester`] (who asks, with what credential) and decides for itself
//! what it allows: open or protected registration, initial access tokens, which
//! caller a policy judges, which token a client must present.
//!
//! - `register.rs`: registration (RFC 7591) through an [`Admission`];
//! - `manage.rs`: read, replace, delete (RFC 7592) through an [`AuthorizedClient`];
//! - `pipeline.rs`: the metadata pipeline every registration and update goes through
//!   (limits, software statement, parse, validate, policies, sector identifier);
//! - `credentials.rs`: secrets and registration access tokens issued to clients;
//! - `initial_access/`: initial access tokens and their administration;
//! - `rate_limit.rs`: the registration rate limits, before every registration but the host's;
//! - `expiry.rs`: the expiry of abandoned clients;
//! - `client.rs`: who a client is, registered or named by a client id metadata document;
//! - `authenticate.rs`: client authentication at the host's token endpoint;
//! - `discovery.rs`, `information.rs`, `identity.rs`, `sector.rs`: provider metadata, the
//!   response body, the identity rules of an update, the sector identifier check.
//!
//! It knows no HTTP: no status codes, no headers beyond what a [`Requester`] hands to
//! policies. The HTTP handler is one caller of [`Registry`]; the host application is another.

mod authenticate;
mod client;
mod credentials;
mod discovery;
mod expiry;
mod identity;
mod information;
mod initial_access;
mod manage;
mod pipeline;
mod rate_limit;
mod register;
mod sector;

use std::sync::Arc;

use crate::config::{RegistrationAccess, RegistrationConfig, Settings};
use crate::store::{ClientRecord, StoreError};

pub use authenticate::{ClientAuthError, ClientCredentials};
pub use information::ClientInformation;
pub(crate) use initial_access::InitialAccessTokens;
pub use initial_access::{InitialAccessTokenOptions, IssuedInitialAccessToken};
pub use manage::AuthorizedClient;
pub use register::Admission;

/// How often an operation re-reads and retries after losing a compare-and-swap race.
const MAX_CAS_ATTEMPTS: usize = 8;

/// The registration domain: cheap to clone, shared by the HTTP layer and the host application.
#[derive(Clone)]
pub struct Registry {
    settings: Arc<Settings>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field(
                "registration_endpoint",
                &self.settings.registration_endpoint,
            )
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// The registry a configuration describes. Registries built from one configuration share
    /// everything; initial access tokens, issued or static, live in the store, shared by every
    /// registry (every replica) on it.
    pub fn new(config: &RegistrationConfig) -> Self {
        Self {
            settings: Arc::clone(&config.settings),
        }
    }

    /// The configured clock's time, in seconds since the epoch.
    pub(crate) fn now(&self) -> u64 {
        self.settings.clock.now()
    }

    /// Who may register.
    pub fn access(&self) -> RegistrationAccess {
        self.settings.access
    }

    /// The stored record of `client_id`, if registered: what the host's authorization and
    /// token endpoints look up (redirect URIs, grant types). Counts as no use of the client.
    pub async fn lookup(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        self.settings.store.get(client_id).await
    }
}
