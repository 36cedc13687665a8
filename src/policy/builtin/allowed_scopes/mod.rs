//! [`AllowedScopes`]: the scope values clients may register, and what happens to the others
//! ([`ScopeHandling`]).
//!
//! Owns the allowed set and the judgement of a requested `scope`. It must not know the default
//! scope (that is [`MetadataRules::default_scope`](crate::metadata::MetadataRules::default_scope),
//! applied by validation, which the registry runs again on what the policies return), the
//! caller, or the other policies.

use async_trait::async_trait;

use crate::metadata::{ClientMetadata, MetadataError};
use crate::policy::{PolicyContext, PolicyError, RegistrationPolicy};
use crate::syntax::quoted;

/// What [`AllowedScopes`] does with a requested scope value that is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ScopeHandling {
    /// Drop it and register the allowed values only (the default).
    #[default]
    Remove,
    /// Refuse the request: `invalid_client_metadata`, `scope: 'admin' is not allowed`.
    Reject,
}

/// The scope values clients may register.
///
/// A requested value outside the allowed set is removed ([`ScopeHandling::Remove`], the
/// default) or fails the request ([`ScopeHandling::Reject`]). Values are compared exactly:
/// scope values are case-sensitive (RFC 6749 §3.3). A client that asks for no scope is left
/// without one.
///
/// The default scope is [`MetadataRules::default_scope`](crate::metadata::MetadataRules::default_scope):
/// validation registers it for a client that sends no `scope`, and, as the registry validates
/// again what the policies return, for a client whose every requested value this policy
/// removed. Configured with
/// [`RegistrationConfigBuilder::allowed_scopes`](crate::RegistrationConfigBuilder::allowed_scopes),
/// a default scope outside the allowed set is a configuration error. Added as a plain
/// [`policy`](crate::RegistrationConfigBuilder::policy) instead, it is judged here like a
/// requested scope: every client that sends no `scope` fails with [`ScopeHandling::Reject`],
/// and with [`ScopeHandling::Remove`] the value is registered all the same (removed here, then
/// filled in again by validation).
///
/// The allowed set is also what the server should advertise as `scopes_supported`:
/// [`allowed`](Self::allowed) lists it.
///
/// ```
/// use tower_oidc_registration::RegistrationConfig;
/// use tower_oidc_registration::metadata::MetadataRules;
/// use tower_oidc_registration::policy::builtin::AllowedScopes;
///
/// let scopes = AllowedScopes::new(["openid", "profile", "email"]).reject_restricted();
/// assert_eq!(scopes.allowed().collect::<Vec<_>>(), ["openid", "profile", "email"]);
/// assert!(scopes.is_allowed("email"));
/// assert!(!scopes.is_allowed("admin"));
///
/// // The default scope, within the allowed set, is one of the metadata rules.
/// let mut rules = MetadataRules::default();
/// rules.default_scope = Some("openid profile".to_owned());
/// let config = RegistrationConfig::builder("https://iam.example.org/")
///     .rules(rules)
///     .allowed_scopes(scopes)
///     .build()?;
/// # let _ = config;
/// # Ok::<(), tower_oidc_registration::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct AllowedScopes {
    /// The allowed values, in the order given, without duplicates.
    allowed: Vec<String>,
    handling: ScopeHandling,
}

impl AllowedScopes {
    /// Allows `scopes`; each item may hold several space-separated values. Restricted values
    /// are removed until configured otherwise.
    pub fn new<I, S>(scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut allowed: Vec<String> = Vec::new();
        for item in scopes {
            for value in item.as_ref().split_ascii_whitespace() {
                if !allowed.iter().any(|a| a == value) {
                    allowed.push(value.to_owned());
                }
            }
        }
        Self {
            allowed,
            handling: ScopeHandling::Remove,
        }
    }

    /// Refuses requests that ask for a value outside the allowed set
    /// ([`ScopeHandling::Reject`]).
    #[must_use]
    pub fn reject_restricted(self) -> Self {
        self.handling(ScopeHandling::Reject)
    }

    /// Removes requested values outside the allowed set ([`ScopeHandling::Remove`], the
    /// default).
    #[must_use]
    pub fn remove_restricted(self) -> Self {
        self.handling(ScopeHandling::Remove)
    }

    /// Sets what happens to requested values outside the allowed set.
    #[must_use]
    pub fn handling(mut self, handling: ScopeHandling) -> Self {
        self.handling = handling;
        self
    }

    /// The allowed values, in the order given: what discovery advertises as
    /// `scopes_supported`.
    pub fn allowed(&self) -> impl Iterator<Item = &str> {
        self.allowed.iter().map(String::as_str)
    }

    /// Whether `scope` (one value) is allowed.
    pub fn is_allowed(&self, scope: &str) -> bool {
        self.allowed.iter().any(|a| a == scope)
    }

    /// The registered scope for a requested one (`None`: no scope), or the error.
    fn judge(&self, requested: Option<&str>) -> Result<Option<String>, MetadataError> {
        let values: Vec<&str> = requested
            .map(|s| s.split(' ').filter(|v| !v.is_empty()).collect())
            .unwrap_or_default();
        if values.is_empty() {
            // No scope asked for: none registered here, validation fills in the default scope.
            return Ok(None);
        }
        let Some(restricted) = values.iter().find(|v| !self.is_allowed(v)) else {
            // Nothing restricted: keep the member exactly as sent.
            return Ok(requested.map(str::to_owned));
        };
        if self.handling == ScopeHandling::Reject {
            return Err(MetadataError::client_metadata(format!(
                "scope: {} is not allowed",
                quoted(restricted)
            )));
        }
        let kept: Vec<&str> = values.into_iter().filter(|v| self.is_allowed(v)).collect();
        // Nothing left: no scope, for validation to fill in the default scope.
        Ok((!kept.is_empty()).then(|| kept.join(" ")))
    }
}

#[async_trait]
impl RegistrationPolicy for AllowedScopes {
    async fn apply(
        &self,
        _context: &PolicyContext<'_>,
        mut metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        metadata.scope = self.judge(metadata.scope.as_deref())?;
        Ok(metadata)
    }
}

#[cfg(test)]
mod tests;
