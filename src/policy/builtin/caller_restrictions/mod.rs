//! [`CallerRestrictions`]: what anonymous registrants and holders of an initial access token
//! may register ([`Allowances`]), the host application being unrestricted.
//!
//! Owns which allowances judge which [`Caller`] and the check of the grant types, response
//! types and token endpoint authentication method against them. It must not know how a caller
//! was authenticated or how the registry decides who an update is judged as (it reads
//! [`RequestContext::caller`](crate::RequestContext::caller) only), nor what the RFC rules
//! ([`MetadataRules`](crate::metadata::MetadataRules)) allow, which apply on top.

use async_trait::async_trait;

use crate::context::Caller;
use crate::metadata::{AuthMethod, ClientMetadata, GrantType, MetadataError, ResponseType};
use crate::policy::{PolicyContext, PolicyError, RegistrationPolicy};

/// What one kind of caller may register: grant types, response types and token endpoint
/// authentication methods, each either unrestricted or a list.
///
/// Start from [`everything`](Self::everything), then replace a list
/// ([`grant_types`](Self::grant_types)) or take values out of it
/// ([`except_grant_types`](Self::except_grant_types)).
///
/// ```
/// use tower_oidc_registration::metadata::{AuthMethod, GrantType};
/// use tower_oidc_registration::policy::builtin::Allowances;
///
/// let public_web_apps = Allowances::everything()
///     .grant_types([GrantType::AuthorizationCode, GrantType::RefreshToken])
///     .auth_methods([AuthMethod::None]);
/// assert!(public_web_apps.allows_grant_type(GrantType::RefreshToken));
/// assert!(!public_web_apps.allows_auth_method(AuthMethod::ClientSecretBasic));
///
/// let no_password = Allowances::everything().except_grant_types([GrantType::Password]);
/// assert!(!no_password.allows_grant_type(GrantType::Password));
/// assert!(no_password.allows_grant_type(GrantType::ClientCredentials));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowances {
    /// `None` allows every value; so for the other lists.
    grant_types: Option<Vec<GrantType>>,
    response_types: Option<Vec<ResponseType>>,
    auth_methods: Option<Vec<AuthMethod>>,
}

/// `list` (`None`: every value of `all`) without `removed`.
fn except<T: Copy + PartialEq>(
    list: Option<Vec<T>>,
    all: &[T],
    removed: impl IntoIterator<Item = T>,
) -> Option<Vec<T>> {
    let mut list = list.unwrap_or_else(|| all.to_vec());
    for value in removed {
        list.retain(|v| *v != value);
    }
    Some(list)
}

/// Whether `list` (`None`: everything) holds `value`.
fn permits<T: PartialEq>(list: Option<&Vec<T>>, value: &T) -> bool {
    list.is_none_or(|l| l.contains(value))
}

impl Allowances {
    /// Every grant type, response type and authentication method.
    pub fn everything() -> Self {
        Self {
            grant_types: None,
            response_types: None,
            auth_methods: None,
        }
    }

    /// Only these grant types (replacing the previous list).
    #[must_use]
    pub fn grant_types(mut self, allowed: impl IntoIterator<Item = GrantType>) -> Self {
        self.grant_types = Some(allowed.into_iter().collect());
        self
    }

    /// Only these response types (replacing the previous list).
    #[must_use]
    pub fn response_types(mut self, allowed: impl IntoIterator<Item = ResponseType>) -> Self {
        self.response_types = Some(allowed.into_iter().collect());
        self
    }

    /// Only these token endpoint authentication methods (replacing the previous list).
    #[must_use]
    pub fn auth_methods(mut self, allowed: impl IntoIterator<Item = AuthMethod>) -> Self {
        self.auth_methods = Some(allowed.into_iter().collect());
        self
    }

    /// The grant types allowed so far, without `removed`.
    #[must_use]
    pub fn except_grant_types(mut self, removed: impl IntoIterator<Item = GrantType>) -> Self {
        self.grant_types = except(self.grant_types, GrantType::ALL, removed);
        self
    }

    /// The response types allowed so far, without `removed`.
    #[must_use]
    pub fn except_response_types(
        mut self,
        removed: impl IntoIterator<Item = ResponseType>,
    ) -> Self {
        self.response_types = except(self.response_types, ResponseType::ALL, removed);
        self
    }

    /// The token endpoint authentication methods allowed so far, without `removed`.
    #[must_use]
    pub fn except_auth_methods(mut self, removed: impl IntoIterator<Item = AuthMethod>) -> Self {
        self.auth_methods = except(self.auth_methods, AuthMethod::ALL, removed);
        self
    }

    /// Whether `grant_type` is allowed.
    pub fn allows_grant_type(&self, grant_type: GrantType) -> bool {
        permits(self.grant_types.as_ref(), &grant_type)
    }

    /// Whether `response_type` is allowed.
    pub fn allows_response_type(&self, response_type: ResponseType) -> bool {
        permits(self.response_types.as_ref(), &response_type)
    }

    /// Whether `auth_method` is allowed as the `token_endpoint_auth_method`.
    pub fn allows_auth_method(&self, auth_method: AuthMethod) -> bool {
        permits(self.auth_methods.as_ref(), &auth_method)
    }

    /// Checks `metadata`; `registration` names the kind of caller in error descriptions
    /// (`... is not allowed for anonymous registration`). A member the client did not send is
    /// judged by its RFC 7591 default.
    fn check(&self, registration: &str, metadata: &ClientMetadata) -> Result<(), MetadataError> {
        let refuse = |member: String, value: &str, default: bool| {
            MetadataError::client_metadata(format!(
                "{member}: '{value}'{} is not allowed for {registration}",
                if default { " (the default)" } else { "" },
            ))
        };
        match &metadata.grant_types {
            Some(list) => {
                if let Some((i, g)) = list
                    .iter()
                    .enumerate()
                    .find(|(_, g)| !self.allows_grant_type(**g))
                {
                    return Err(refuse(format!("grant_types[{i}]"), g.as_str(), false));
                }
            }
            None => {
                let g = GrantType::AuthorizationCode;
                if !self.allows_grant_type(g) {
                    return Err(refuse("grant_types".into(), g.as_str(), true));
                }
            }
        }
        match &metadata.response_types {
            Some(list) => {
                if let Some((i, r)) = list
                    .iter()
                    .enumerate()
                    .find(|(_, r)| !self.allows_response_type(**r))
                {
                    return Err(refuse(format!("response_types[{i}]"), r.as_str(), false));
                }
            }
            None => {
                let r = ResponseType::Code;
                if !self.allows_response_type(r) {
                    return Err(refuse("response_types".into(), r.as_str(), true));
                }
            }
        }
        let (method, default) = match metadata.token_endpoint_auth_method {
            Some(m) => (m, false),
            None => (AuthMethod::ClientSecretBasic, true),
        };
        if !self.allows_auth_method(method) {
            return Err(refuse(
                "token_endpoint_auth_method".into(),
                method.as_str(),
                default,
            ));
        }
        Ok(())
    }
}

/// The grant types, response types and token endpoint authentication methods callers may
/// register: one set of [`Allowances`] for anonymous registrants, one for holders of an initial
/// access token.
///
/// Which allowances judge a request follows its [`Caller`]:
///
/// - [`Caller::Host`], the host application, is unrestricted;
/// - [`Caller::InitialAccessToken`], a caller with an initial access token
///   ([`RequestContext::initial_access_token_id`](crate::RequestContext::initial_access_token_id)),
///   is judged by the initial access token allowances
///   ([`with_initial_access_token`](Self::with_initial_access_token));
/// - every other caller ([`Caller::Anonymous`], a [`Caller::RegisteredClient`] updating itself)
///   by the anonymous allowances ([`anonymous`](Self::anonymous)).
///
/// On an update the registry passes the caller that registered the client: the initial access
/// token it was registered with, if any, so that an update is judged as the registration was.
///
/// [`Default`] follows INDIGO IAM: anonymous registrants cannot get the `password` or
/// `client_credentials` grant and everything else is allowed; holders of an initial access
/// token are unrestricted. [`unrestricted`](Self::unrestricted) allows everything to everyone.
/// The RFC rules of the server ([`MetadataRules`](crate::metadata::MetadataRules)) still apply
/// on top.
///
/// A member the client did not send is judged by its RFC 7591 default (`authorization_code`,
/// `code`, `client_secret_basic`). A refusal is `invalid_client_metadata`:
/// `grant_types[1]: 'client_credentials' is not allowed for anonymous registration`.
///
/// ```
/// use tower_oidc_registration::Caller;
/// use tower_oidc_registration::metadata::{AuthMethod, GrantType};
/// use tower_oidc_registration::policy::builtin::{Allowances, CallerRestrictions};
///
/// let token_holder = Caller::InitialAccessToken { id: "iat-1".into() };
///
/// let defaults = CallerRestrictions::default();
/// assert!(!defaults.allows_grant_type(&Caller::Anonymous, GrantType::ClientCredentials));
/// assert!(defaults.allows_grant_type(&token_holder, GrantType::ClientCredentials));
/// assert!(defaults.allows_grant_type(&Caller::Host, GrantType::Password));
///
/// // Anonymous registrants: public clients using the authorization code grant only;
/// // token holders: anything but the password grant.
/// let strict = CallerRestrictions::default()
///     .anonymous(
///         Allowances::everything()
///             .grant_types([GrantType::AuthorizationCode, GrantType::RefreshToken])
///             .auth_methods([AuthMethod::None]),
///     )
///     .with_initial_access_token(Allowances::everything().except_grant_types([GrantType::Password]));
/// assert!(!strict.allows_auth_method(&Caller::Anonymous, AuthMethod::ClientSecretBasic));
/// assert!(!strict.allows_grant_type(&Caller::RegisteredClient, GrantType::Implicit));
/// assert!(!strict.allows_grant_type(&token_holder, GrantType::Password));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerRestrictions {
    anonymous: Allowances,
    initial_access_token: Allowances,
}

impl Default for CallerRestrictions {
    /// No `password` or `client_credentials` grant for anonymous registrants; nothing else
    /// restricted.
    fn default() -> Self {
        Self::unrestricted().anonymous(
            Allowances::everything()
                .except_grant_types([GrantType::Password, GrantType::ClientCredentials]),
        )
    }
}

impl CallerRestrictions {
    /// Everything allowed to every caller.
    pub fn unrestricted() -> Self {
        Self {
            anonymous: Allowances::everything(),
            initial_access_token: Allowances::everything(),
        }
    }

    /// What anonymous registrants (and, on update, the clients they registered) may register,
    /// replacing the previous allowances.
    #[must_use]
    pub fn anonymous(mut self, allowances: Allowances) -> Self {
        self.anonymous = allowances;
        self
    }

    /// What holders of an initial access token (and, on update, the clients they registered)
    /// may register, replacing the previous allowances.
    #[must_use]
    pub fn with_initial_access_token(mut self, allowances: Allowances) -> Self {
        self.initial_access_token = allowances;
        self
    }

    /// The allowances that judge `caller`, with how error descriptions name them; `None` for
    /// the host, which is unrestricted.
    fn judging(&self, caller: &Caller) -> Option<(&Allowances, &'static str)> {
        match caller {
            Caller::Host => None,
            Caller::InitialAccessToken { .. } => Some((
                &self.initial_access_token,
                "registration with an initial access token",
            )),
            _ => Some((&self.anonymous, "anonymous registration")),
        }
    }

    /// The allowances that judge `caller`; `None` for the host ([`Caller::Host`]), which is
    /// unrestricted.
    pub fn allowances_for(&self, caller: &Caller) -> Option<&Allowances> {
        self.judging(caller).map(|(allowances, _)| allowances)
    }

    /// Whether `caller` may register `grant_type`.
    pub fn allows_grant_type(&self, caller: &Caller, grant_type: GrantType) -> bool {
        self.allowances_for(caller)
            .is_none_or(|a| a.allows_grant_type(grant_type))
    }

    /// Whether `caller` may register `response_type`.
    pub fn allows_response_type(&self, caller: &Caller, response_type: ResponseType) -> bool {
        self.allowances_for(caller)
            .is_none_or(|a| a.allows_response_type(response_type))
    }

    /// Whether `caller` may register `auth_method` as its `token_endpoint_auth_method`.
    pub fn allows_auth_method(&self, caller: &Caller, auth_method: AuthMethod) -> bool {
        self.allowances_for(caller)
            .is_none_or(|a| a.allows_auth_method(auth_method))
    }
}

#[async_trait]
impl RegistrationPolicy for CallerRestrictions {
    async fn apply(
        &self,
        context: &PolicyContext<'_>,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        if let Some((allowances, registration)) = self.judging(&context.request.caller) {
            allowances.check(registration, &metadata)?;
        }
        Ok(metadata)
    }
}

#[cfg(test)]
mod tests;
