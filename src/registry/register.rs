//! Registration (RFC 7591 §3): who may register ([`Registry::admit`]), then the registration
//! itself ([`Admission::register`]).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::initial_access::{AdmittedToken, refused};
use super::rate_limit::Limit;
use super::{MAX_CAS_ATTEMPTS, Registry};
use crate::config::RegistrationAccess;
use crate::context::{Caller, Credential, RequestContext, Requester};
use crate::error::RegistrationError;
use crate::policy::Operation;
use crate::store::{ClientRecord, StoreError};
use crate::token::CredentialHash;

use super::information::ClientInformation;

/// A requester the registry admitted to register one client: taken before the request's
/// metadata is read, so that a refused caller learns nothing from validation. An initial
/// access token was checked, nothing spent: its use is spent by [`register`](Self::register)
/// in the step that stores the client, so dropping the admission (a failed or abandoned
/// request) costs nothing.
pub struct Admission {
    registry: Registry,
    context: RequestContext,
    token: Option<AdmittedToken>,
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admission")
            .field("caller", &self.context.caller)
            .finish_non_exhaustive()
    }
}

/// A client id must be usable as one segment of `registration_client_uri` as it is:
/// non-empty, at most 255 bytes, RFC 3986 unreserved characters only.
fn is_usable_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 255
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

impl Registry {
    /// Registers a client from a registration request's JSON object (RFC 7591 §3.1), as
    /// `requester`: [`admit`](Self::admit), then [`Admission::register`].
    ///
    /// ```
    /// # async fn run(registry: tower_oidc_registration::Registry) -> Result<(), tower_oidc_registration::RegistrationError> {
    /// use tower_oidc_registration::Requester;
    ///
    /// let request = serde_json::json!({"redirect_uris": ["https://rp.example.org/cb"]});
    /// let serde_json::Value::Object(request) = request else { unreachable!() };
    /// let client = registry.register(Requester::host(), request).await?;
    /// println!("registered {}", client.client_id());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn register(
        &self,
        requester: Requester<'_>,
        request: Map<String, Value>,
    ) -> Result<ClientInformation, RegistrationError> {
        self.admit(requester).await?.register(request).await
    }

    /// Decides whether `requester` may register a client, before its metadata is read: the
    /// host always; an anonymous caller when registration is open; a caller with an initial
    /// access token when the token is valid and within its quota (in both modes: a token
    /// presented to an open server is honoured, and a wrong one refused). The token is read
    /// from the store, nothing spent: [`RegistrationError::InvalidInitialAccessToken`] for an
    /// unknown, revoked, expired or spent one, [`RegistrationError::ClientQuotaReached`] for
    /// one at its client quota, [`RegistrationError::Forbidden`] for one whose policy this
    /// configuration does not have.
    ///
    /// Every attempt but the host's counts against the registration rate limits, if configured
    /// ([`registration_rate_limit`](crate::RegistrationConfigBuilder::registration_rate_limit)),
    /// with [`RegistrationError::RateLimited`] past one: first of all against its address's
    /// limit, before any token is looked at, so that guessing tokens is limited too; once
    /// admitted, against the server's, which only callers who may register spend.
    pub async fn admit(&self, requester: Requester<'_>) -> Result<Admission, RegistrationError> {
        self.limit_registration(&requester, Limit::Address).await?;
        let (caller, token) = match requester.credential {
            Credential::Host => (Caller::Host, None),
            Credential::None => match self.settings.access {
                RegistrationAccess::Open => (Caller::Anonymous, None),
                RegistrationAccess::InitialAccessToken => {
                    return Err(RegistrationError::MissingInitialAccessToken);
                }
            },
            Credential::InitialAccessToken(token) => {
                let admitted = self.check_initial_access_token(token).await?;
                let caller = Caller::InitialAccessToken {
                    id: admitted.id().to_owned(),
                };
                (caller, Some(admitted))
            }
            // A registration access token manages one client; it registers none.
            Credential::RegistrationAccessToken(_) => {
                return Err(RegistrationError::InvalidInitialAccessToken);
            }
        };
        self.limit_registration(&requester, Limit::Overall).await?;
        // A token's own policy may read the headers, whatever else is configured.
        let headers_read = token.is_some() || !self.settings.policies.is_empty();
        let context = self.request_context(caller, requester, headers_read);
        Ok(Admission {
            registry: self.clone(),
            context,
            token,
        })
    }

    /// The context policies see: the caller, the client's address, and the requester's
    /// headers when a policy may read them (copying them costs a request an allocation per
    /// header).
    pub(super) fn request_context(
        &self,
        caller: Caller,
        requester: Requester<'_>,
        headers_read: bool,
    ) -> RequestContext {
        let mut context = match requester.headers {
            Some(headers) if headers_read => RequestContext::new(caller, headers),
            _ => RequestContext {
                caller,
                headers: Default::default(),
                client_address: None,
            },
        };
        context.client_address = requester.client_address;
        context
    }

    /// Whether `record`, whose insertion failed with a backend error, is stored all the same:
    /// the client under its id carries this registration's access token (a fresh random
    /// secret: no other registration has it). A store that cannot answer says no.
    async fn was_stored(&self, record: &ClientRecord) -> bool {
        match self.settings.store.get(record.client_id()).await {
            Ok(Some(stored)) => stored
                .registration_token_hash()
                .ct_eq(record.registration_token_hash()),
            _ => false,
        }
    }
}

impl Admission {
    /// Who the registry admitted: what policies and events see.
    pub fn caller(&self) -> &Caller {
        &self.context.caller
    }

    /// Registers the client: the metadata pipeline (rules, software statement, policies),
    /// then a new client id, secret and registration access token, stored without ever
    /// overwriting another client. With an initial access token, the store spends its use in
    /// the step that stores the client
    /// ([`insert_with_initial_access_token`](crate::ClientStore::insert_with_initial_access_token)),
    /// and refuses it if another registration took its last use or client slot since the
    /// admission (through any replica): the refusal is then as [`Registry::admit`]'s.
    pub async fn register(
        self,
        request: Map<String, Value>,
    ) -> Result<ClientInformation, RegistrationError> {
        let Self {
            registry,
            context,
            token: admitted,
        } = self;
        let bound_policy = admitted.as_ref().and_then(|t| t.policy());
        let metadata = registry
            .checked_metadata(&context, Operation::Register, None, request, bound_policy)
            .await?;
        for _ in 0..MAX_CAS_ATTEMPTS {
            let client_id = registry.settings.client_ids.client_id();
            if !is_usable_client_id(&client_id) {
                return Err(RegistrationError::Internal(
                    "the client id generator produced an id that is empty or not a single URI \
                     path segment of unreserved characters"
                        .to_owned(),
                ));
            }
            let issued_at = registry.now();
            let (secret, client_secret_expires_at) =
                registry.secret_for(&metadata, None, issued_at)?;
            let token = registry.issue_token(&client_id, issued_at)?;
            let record = ClientRecord::new(
                client_id,
                secret.as_ref().map(|s| registry.stored(s)),
                client_secret_expires_at,
                issued_at,
                CredentialHash::of(token.expose()),
                metadata.json.clone(),
            )
            .with_auth_method(metadata.auth_method)
            .with_registered_by(context.caller.clone());
            let record = Arc::new(record);
            let store = &registry.settings.store;
            let stored = match &admitted {
                Some(_) => {
                    store
                        .insert_with_initial_access_token(Arc::clone(&record), issued_at)
                        .await
                }
                None => store.insert(Arc::clone(&record)).await,
            };
            match stored {
                Ok(()) => {
                    tracing::info!(client_id = %record.client_id(), "client registered");
                    return Ok(registry.information(record, secret, Some(token), false));
                }
                // An id collision: never overwrite a client, draw another id.
                Err(StoreError::AlreadyExists) => continue,
                Err(StoreError::InitialAccessTokenRefused(refusal)) => {
                    let id = admitted.as_ref().map_or("", |t| t.id());
                    return Err(refused(refusal, id));
                }
                // The store may have committed before its answer was lost (a store timeout
                // firing after the commit): then the client exists, and its holder must get
                // its credentials, not a 503 for a client it never hears of (and, with a
                // single-use token, a token spent on it).
                Err(err @ StoreError::Backend(_)) => {
                    if registry.was_stored(&record).await {
                        tracing::info!(client_id = %record.client_id(), "client registered");
                        return Ok(registry.information(record, secret, Some(token), false));
                    }
                    return Err(err.into());
                }
                Err(err) => return Err(err.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }
}
