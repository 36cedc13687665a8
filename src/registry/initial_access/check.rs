//! What an initial access token allows, read from the store: whether a registration is
//! admitted with it, checked before the request body is read and spending nothing
//! ([`Registry::check_initial_access_token`]), and which policy binds the clients it registered
//! ([`Registry::policy_of_token`]).

use std::sync::Arc;

use super::{STATIC_ID_PREFIX, unknown_policy};
use crate::error::RegistrationError;
use crate::policy::RegistrationPolicy;
use crate::registry::Registry;
use crate::store::{InitialAccessTokenRecord, StoreError, TokenRefusal};
use crate::token::CredentialHash;

/// The initial access token a registration was admitted with: its id, and the policy bound to
/// it. Its use is spent only when the client is stored, in the same transaction.
pub(crate) struct AdmittedToken {
    id: String,
    policy: Option<Arc<dyn RegistrationPolicy>>,
}

impl AdmittedToken {
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn policy(&self) -> Option<&Arc<dyn RegistrationPolicy>> {
        self.policy.as_ref()
    }
}

/// What a refusal of token `token_id` answers: 403 `insufficient_scope` for its client quota,
/// naming the token; else 401 `invalid_token`, which tells unknown, revoked, expired and spent
/// tokens apart to no one.
pub(crate) fn refused(refusal: TokenRefusal, token_id: &str) -> RegistrationError {
    match refusal {
        TokenRefusal::ClientQuota => RegistrationError::ClientQuotaReached {
            token_id: token_id.to_owned(),
        },
        _ => RegistrationError::InvalidInitialAccessToken,
    }
}

impl Registry {
    /// Admits a registration with `token`, reading only: unknown, revoked, expired and spent
    /// tokens, and tokens at their client quota, are refused at once; so is a token whose
    /// policy this configuration does not have. Another registration may still take the last
    /// use before this one is stored: the insert then refuses it.
    pub(crate) async fn check_initial_access_token(
        &self,
        token: &str,
    ) -> Result<AdmittedToken, RegistrationError> {
        let hash = CredentialHash::of(token);
        let record = self
            .token_record(&hash)
            .await?
            .ok_or(RegistrationError::InvalidInitialAccessToken)?;
        if let Some(refusal) = record.refusal_at(self.now()) {
            return Err(refused(refusal, record.id()));
        }
        let policy = self.bound_policy(&record)?;
        Ok(AdmittedToken {
            id: record.id().to_owned(),
            policy,
        })
    }

    /// The record of the token whose SHA-256 is `hash`, as this configuration accepts it.
    async fn token_record(
        &self,
        hash: &CredentialHash,
    ) -> Result<Option<InitialAccessTokenRecord>, RegistrationError> {
        let store = &self.settings.store;
        let configured = self.settings.initial_access_tokens.static_token(hash);
        match (store.initial_access_token_by_hash(hash).await?, configured) {
            // A static token taken out of this configuration is refused here, whatever other
            // replicas still accept.
            (Some(record), None) if record.id().starts_with(STATIC_ID_PREFIX) => Ok(None),
            (Some(record), Some(configured)) => {
                let tokens = &self.settings.initial_access_tokens;
                tokens.warn_if_terms_differ(configured, &record);
                Ok(Some(record))
            }
            (Some(record), None) => Ok(Some(record)),
            (None, None) => Ok(None),
            // A static token presented for the first time: written with this configuration's
            // terms, unless another replica wrote it meanwhile (its record then stands).
            (None, Some(configured)) => {
                match store.insert_initial_access_token(configured.clone()).await {
                    Ok(()) | Err(StoreError::AlreadyExists) => {}
                    Err(err) => return Err(err.into()),
                }
                Ok(store.initial_access_token_by_hash(hash).await?)
            }
        }
    }

    /// For an update of a client registered with token `id`: the policy bound to that token,
    /// whoever updates the client. A token this server cannot find, or whose policy it does
    /// not have, fails closed (`403 access_denied`): the update is refused rather than let
    /// through unchecked.
    pub(crate) async fn policy_of_token(
        &self,
        id: &str,
    ) -> Result<Option<Arc<dyn RegistrationPolicy>>, RegistrationError> {
        let record = match self.settings.store.initial_access_token_by_id(id).await? {
            Some(record) => record,
            // A static token configured here and never recorded (a client stored by a release
            // that kept tokens in memory): its configured terms.
            None => match self.settings.initial_access_tokens.static_token_by_id(id) {
                Some(configured) => configured.clone(),
                None => {
                    return Err(RegistrationError::Forbidden(
                        "the initial access token this client was registered with is unknown \
                         to this server, so its policy cannot be applied"
                            .to_owned(),
                    ));
                }
            },
        };
        self.bound_policy(&record)
    }

    /// The policy of the token of `record`: none, or the one this configuration registers
    /// under its name. A name this configuration does not register fails closed.
    fn bound_policy(
        &self,
        record: &InitialAccessTokenRecord,
    ) -> Result<Option<Arc<dyn RegistrationPolicy>>, RegistrationError> {
        let Some(name) = record.policy() else {
            return Ok(None);
        };
        match self.settings.initial_access_tokens.policy(name) {
            Some(policy) => Ok(Some(Arc::clone(policy))),
            None => {
                // The name is the operator's, not the client's: logged, not shown.
                tracing::warn!(
                    token_id = %record.id(),
                    "initial access token policy refused: {}",
                    unknown_policy(name)
                );
                Err(RegistrationError::Forbidden(
                    "the policy bound to the initial access token is not configured on this \
                     server, so it cannot be applied"
                        .to_owned(),
                ))
            }
        }
    }
}
