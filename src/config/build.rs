//! [`RegistrationConfigBuilder::build`]: checks every setting and derives, once, what the
//! registry and the handler share: the token signer, the effective metadata rules (algorithm
//! lists, the hashed-secret restriction, extension members), the static initial access tokens,
//! the time-limited store.

use std::sync::Arc;

use http::HeaderValue;

use super::builder::RegistrationConfigBuilder;
use super::checks::{check_base_url, check_prefix, check_static_token};
use super::{ConfigError, RegistrationConfig, SecretStorage, Settings};
use crate::client_id_document::DocumentResolver;
use crate::metadata::MetadataRules;
use crate::rate_limit::RegistrationLimits;
use crate::registry::InitialAccessTokens;
use crate::software_statement::SoftwareStatements;
use crate::store::{ClientStore, MemoryStore, TimeoutStore};
use crate::token::{RegistrationTokens, SigningKey};

impl RegistrationConfigBuilder {
    /// Checks and builds the configuration, parsing keys once.
    pub fn build(self) -> Result<RegistrationConfig, ConfigError> {
        let issuer = check_base_url(&self.issuer, self.allow_insecure_issuer)
            .map_err(ConfigError::Issuer)?;
        let prefix = check_prefix(&self.prefix)?;
        let registration_endpoint = match self.registration_endpoint {
            Some(url) => check_base_url(&url, self.allow_insecure_issuer)
                .map_err(ConfigError::RegistrationEndpoint)?
                .trim_end_matches('/')
                .to_owned(),
            None => format!("{}{}", issuer.trim_end_matches('/'), prefix),
        };
        if let Some(lifetime) = self.client_secret_lifetime
            && lifetime.as_secs() == 0
        {
            return Err(ConfigError::SecretLifetime(format!(
                "{lifetime:?} is shorter than one second; use None for secrets that never expire"
            )));
        }
        if let Some(policy) = &self.expiry
            && (policy.unused_for.as_secs() == 0 || policy.tick.is_zero() || policy.batch == 0)
        {
            return Err(ConfigError::Expiry(format!(
                "{policy:?}: unused_for must be at least one second, tick and batch not zero"
            )));
        }
        if let Some(bound) = self.metadata_limits.zero_bound() {
            return Err(ConfigError::MetadataLimits(format!(
                "{bound} is zero: every request would be refused"
            )));
        }
        if self.store_timeout.is_some_and(|t| t.is_zero()) {
            return Err(ConfigError::StoreTimeout(
                "zero: every request would fail; use None for no timeout".to_owned(),
            ));
        }
        let rate_limit = self
            .rate_limit
            .as_ref()
            .map(RegistrationLimits::new)
            .transpose()
            .map_err(ConfigError::RateLimit)?;
        self.client_address
            .check()
            .map_err(ConfigError::ClientAddress)?;
        let cors_allow_origin = self
            .cors_allow_origin
            .map(|o| HeaderValue::from_str(&o).map_err(|e| ConfigError::Cors(e.to_string())))
            .transpose()?;
        let key_was_generated = self.signing_key.is_none();
        let signing_key = match self.signing_key {
            Some(key) => key,
            None => SigningKey::generate()?,
        };
        let tokens = RegistrationTokens::new(signing_key, issuer.clone())?;
        let mut rules = self.rules;
        self.algorithms.apply(&mut rules)?;
        if let (Some(allowed), Some(default)) = (&self.allowed_scopes, &rules.default_scope)
            && let Some(value) = default
                .split_ascii_whitespace()
                .find(|v| !allowed.is_allowed(v))
        {
            return Err(ConfigError::DefaultScope(format!(
                "{value:?} is not one of the allowed scopes"
            )));
        }
        if self.secret_storage == SecretStorage::Hashed {
            rules.restrict_to_hashed_secrets();
        }
        for member in self.extension_members {
            rules.extensions.declare(member)?;
        }
        let software_statements = SoftwareStatements::new(
            self.trusted_issuers,
            self.software_statement_requirement,
            self.uri_fetcher.clone(),
        )
        .map_err(ConfigError::SoftwareStatementIssuer)?;
        let client_id_documents = match self.client_id_documents {
            None => None,
            Some(_) if self.uri_fetcher.is_none() => {
                return Err(ConfigError::ClientIdMetadataDocuments(
                    "needs a URI fetcher (uri_fetcher)".to_owned(),
                ));
            }
            Some(options) => {
                options
                    .check()
                    .map_err(ConfigError::ClientIdMetadataDocuments)?;
                Some(DocumentResolver::new(options))
            }
        };
        for (token, _) in &self.static_initial_access_tokens {
            check_static_token(token.expose())?;
        }
        let initial_access_tokens = InitialAccessTokens::new(
            &self.static_initial_access_tokens,
            self.initial_access_token_policies,
            self.clock.now(),
        )?;
        let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let store: Arc<dyn ClientStore> = match self.store_timeout {
            Some(timeout) => Arc::new(TimeoutStore::new(store, timeout)),
            None => store,
        };
        let settings = Settings {
            issuer,
            prefix,
            client_uri_base: format!("{registration_endpoint}/"),
            registration_endpoint,
            tokens,
            key_was_generated,
            store,
            rules,
            metadata_limits: self.metadata_limits,
            allowed_scopes: self.allowed_scopes,
            caller_restrictions: self.caller_restrictions.map(Arc::new),
            policies: self.policies,
            client_secret_lifetime: self.client_secret_lifetime,
            token_rotation: self.token_rotation,
            secret_rotation: self.secret_rotation,
            secret_storage: self.secret_storage,
            client_ids: self.client_ids,
            secrets: self.secrets,
            access: self.access,
            initial_access_tokens,
            expiry: self.expiry,
            clock: self.clock,
            uri_fetcher: self.uri_fetcher,
            software_statements,
            client_id_documents,
            events: self.events,
            registry_in_extensions: self.registry_in_extensions,
            max_body_bytes: self.max_body_bytes,
            cors_allow_origin,
            rate_limit,
            client_address: self.client_address,
        };
        Ok(RegistrationConfig {
            settings: Arc::new(settings),
        })
    }
}

/// Algorithm lists set on the builder, applied over the rules at build.
#[derive(Default)]
pub(super) struct AlgorithmLists {
    pub(super) signing: Option<Vec<String>>,
    pub(super) key_management: Option<Vec<String>>,
    pub(super) content_encryption: Option<Vec<String>>,
}

impl AlgorithmLists {
    fn apply(self, rules: &mut MetadataRules) -> Result<(), ConfigError> {
        let lists = [
            (self.signing, &mut rules.signing_algs),
            (self.key_management, &mut rules.encryption_algs),
            (self.content_encryption, &mut rules.encryption_encs),
        ];
        for (list, target) in lists {
            let Some(list) = list else { continue };
            if let Some(bad) = list
                .iter()
                .find(|a| a.is_empty() || !a.bytes().all(|b| b.is_ascii_graphic()))
            {
                return Err(ConfigError::Algorithm(format!(
                    "{bad:?} is not an algorithm name"
                )));
            }
            *target = list;
        }
        Ok(())
    }
}
