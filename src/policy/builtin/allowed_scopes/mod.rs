//! [`AllowedScopes`]: the scope values clients may register, and what happens to the others
//! ([`ScopeHandling`]).
//!
//! Owns the allowed set and the judgement of a requested `scope`. It must not know the caller
//! or the other policies.

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
/// scope values are case-sensitive (RFC 6749 §3.3).
///
/// The default scope, when set, is registered for a client that asks for no scope, and for one
/// whose every requested value was removed; without a default scope such a client is registered
/// without `scope`. The default scope is registered as given: keep it within the allowed set.
///
/// The allowed set is also what the server should advertise as `scopes_supported`:
/// [`allowed`](Self::allowed) lists it.
///
/// ```
/// use tower_oidc_registration::policy::builtin::AllowedScopes;
///
/// let scopes = AllowedScopes::new(["openid", "profile", "email"])
///     .reject_restricted()
///     .default_scope("openid profile");
/// assert_eq!(scopes.allowed().collect::<Vec<_>>(), ["openid", "profile", "email"]);
/// assert!(scopes.is_allowed("email"));
/// assert!(!scopes.is_allowed("admin"));
/// ```
#[derive(Debug, Clone)]
pub struct AllowedScopes {
    /// The allowed values, in the order given, without duplicates.
    allowed: Vec<String>,
    handling: ScopeHandling,
    /// Normalized: values separated by single spaces, never empty.
    default_scope: Option<String>,
}

impl AllowedScopes {
    /// Allows `scopes`; each item may hold several space-separated values. Restricted values
    /// are removed and there is no default scope until configured otherwise.
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
            default_scope: None,
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

    /// The scope (space-separated values) registered when the client asks for none, or when
    /// removing restricted values leaves none. An empty scope means no default.
    #[must_use]
    pub fn default_scope(mut self, scope: impl AsRef<str>) -> Self {
        let normalized = scope
            .as_ref()
            .split_ascii_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        self.default_scope = (!normalized.is_empty()).then_some(normalized);
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

    /// The registered scope for a requested one, or the error.
    fn judge(&self, requested: Option<&str>) -> Result<Option<String>, MetadataError> {
        let values: Vec<&str> = requested
            .map(|s| s.split(' ').filter(|v| !v.is_empty()).collect())
            .unwrap_or_default();
        if values.is_empty() {
            return Ok(self.default_scope.clone());
        }
        if let Some(restricted) = values.iter().find(|v| !self.is_allowed(v)) {
            if self.handling == ScopeHandling::Reject {
                return Err(MetadataError::client_metadata(format!(
                    "scope: {} is not allowed",
                    quoted(restricted)
                )));
            }
        } else {
            // Nothing restricted: keep the member exactly as sent.
            return Ok(requested.map(str::to_owned));
        }
        let kept: Vec<&str> = values.into_iter().filter(|v| self.is_allowed(v)).collect();
        if kept.is_empty() {
            Ok(self.default_scope.clone())
        } else {
            Ok(Some(kept.join(" ")))
        }
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
