//! [`CallerRestrictions`]: what each kind of caller ([`CallerKind`]) may register, the host
//! application being unrestricted.
//!
//! Owns which rules judge which caller and the check of the grant types, response types and
//! token endpoint authentication method against them. It must not know how a caller was
//! authenticated, nor what the RFC rules ([`MetadataRules`](crate::metadata::MetadataRules))
//! allow, which apply on top.

use async_trait::async_trait;

use crate::context::{Caller, RequestContext};
use crate::metadata::{AuthMethod, ClientMetadata, GrantType, MetadataError, ResponseType};
use crate::policy::{PolicyContext, PolicyError, RegistrationPolicy};

/// The kinds of callers [`CallerRestrictions`] tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallerKind {
    /// Open registration, without an initial access token; on an update, a client that was
    /// registered so.
    Anonymous,
    /// Registration with an initial access token; on an update, a client that was registered
    /// with one.
    InitialAccessToken,
}

impl CallerKind {
    /// The kind whose rules apply to `request`; `None` for the host application
    /// ([`Caller::Host`]), which is unrestricted.
    ///
    /// A request that carries an initial access token id
    /// ([`RequestContext::initial_access_token_id`]) is [`InitialAccessToken`](Self::InitialAccessToken);
    /// on an update the registry passes the id of the token the client was registered with.
    /// Any other request, an update of a client registered without a token included, is
    /// [`Anonymous`](Self::Anonymous).
    pub fn of(request: &RequestContext) -> Option<Self> {
        match request.caller {
            Caller::Host => None,
            _ if request.initial_access_token_id().is_some() => Some(Self::InitialAccessToken),
            _ => Some(Self::Anonymous),
        }
    }

    /// How error descriptions name the kind: `... is not allowed for anonymous registration`.
    fn describe(self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous registration",
            Self::InitialAccessToken => "registration with an initial access token",
        }
    }
}

/// What one kind of caller may register; `None` allows every value.
#[derive(Debug, Clone, Default)]
struct Allowances {
    grant_types: Option<Vec<GrantType>>,
    response_types: Option<Vec<ResponseType>>,
    auth_methods: Option<Vec<AuthMethod>>,
}

/// Whether `list` (`None`: everything) holds `value`.
fn permits<T: PartialEq>(list: Option<&Vec<T>>, value: &T) -> bool {
    list.is_none_or(|l| l.contains(value))
}

/// The grant types, response types and token endpoint authentication methods each kind of
/// caller ([`CallerKind`]) may register.
///
/// The host application ([`Caller::Host`]) is unrestricted. An update is judged by the rules
/// of the kind of caller that registered the client (see [`CallerKind::of`]).
///
/// [`Default`] follows INDIGO IAM: anonymous registrants cannot get the `password` or
/// `client_credentials` grant and everything else is allowed; holders of an initial access
/// token are unrestricted. [`unrestricted`](Self::unrestricted) allows everything to everyone;
/// the builder methods then replace one list of one kind. The RFC rules of the server
/// ([`MetadataRules`](crate::metadata::MetadataRules)) still apply on top.
///
/// A member the client did not send is judged by its RFC 7591 default (`authorization_code`,
/// `code`, `client_secret_basic`).
///
/// ```
/// use tower_oidc_registration::metadata::{AuthMethod, GrantType};
/// use tower_oidc_registration::policy::builtin::{CallerKind, CallerRestrictions};
///
/// let defaults = CallerRestrictions::default();
/// assert!(!defaults.allows_grant_type(CallerKind::Anonymous, GrantType::ClientCredentials));
/// assert!(defaults.allows_grant_type(CallerKind::InitialAccessToken, GrantType::ClientCredentials));
///
/// // Anonymous registrants: public clients using the authorization code grant only.
/// let strict = CallerRestrictions::default()
///     .grant_types(CallerKind::Anonymous, [GrantType::AuthorizationCode, GrantType::RefreshToken])
///     .auth_methods(CallerKind::Anonymous, [AuthMethod::None]);
/// assert!(!strict.allows_auth_method(CallerKind::Anonymous, AuthMethod::ClientSecretBasic));
/// ```
#[derive(Debug, Clone)]
pub struct CallerRestrictions {
    anonymous: Allowances,
    initial_access_token: Allowances,
}

impl Default for CallerRestrictions {
    /// No `password` or `client_credentials` grant for anonymous registrants; nothing else
    /// restricted.
    fn default() -> Self {
        Self::unrestricted().grant_types(
            CallerKind::Anonymous,
            GrantType::ALL
                .iter()
                .copied()
                .filter(|g| !matches!(g, GrantType::Password | GrantType::ClientCredentials)),
        )
    }
}

impl CallerRestrictions {
    /// Everything allowed to every kind of caller.
    pub fn unrestricted() -> Self {
        Self {
            anonymous: Allowances::default(),
            initial_access_token: Allowances::default(),
        }
    }

    fn of_kind(&self, kind: CallerKind) -> &Allowances {
        match kind {
            CallerKind::Anonymous => &self.anonymous,
            CallerKind::InitialAccessToken => &self.initial_access_token,
        }
    }

    fn of_kind_mut(&mut self, kind: CallerKind) -> &mut Allowances {
        match kind {
            CallerKind::Anonymous => &mut self.anonymous,
            CallerKind::InitialAccessToken => &mut self.initial_access_token,
        }
    }

    /// The grant types `kind` may register (replacing the previous list).
    #[must_use]
    pub fn grant_types(
        mut self,
        kind: CallerKind,
        allowed: impl IntoIterator<Item = GrantType>,
    ) -> Self {
        self.of_kind_mut(kind).grant_types = Some(allowed.into_iter().collect());
        self
    }

    /// The response types `kind` may register (replacing the previous list).
    #[must_use]
    pub fn response_types(
        mut self,
        kind: CallerKind,
        allowed: impl IntoIterator<Item = ResponseType>,
    ) -> Self {
        self.of_kind_mut(kind).response_types = Some(allowed.into_iter().collect());
        self
    }

    /// The token endpoint authentication methods `kind` may register (replacing the previous
    /// list).
    #[must_use]
    pub fn auth_methods(
        mut self,
        kind: CallerKind,
        allowed: impl IntoIterator<Item = AuthMethod>,
    ) -> Self {
        self.of_kind_mut(kind).auth_methods = Some(allowed.into_iter().collect());
        self
    }

    /// Whether `kind` may register `grant_type`.
    pub fn allows_grant_type(&self, kind: CallerKind, grant_type: GrantType) -> bool {
        permits(self.of_kind(kind).grant_types.as_ref(), &grant_type)
    }

    /// Whether `kind` may register `response_type`.
    pub fn allows_response_type(&self, kind: CallerKind, response_type: ResponseType) -> bool {
        permits(self.of_kind(kind).response_types.as_ref(), &response_type)
    }

    /// Whether `kind` may register `auth_method` as its `token_endpoint_auth_method`.
    pub fn allows_auth_method(&self, kind: CallerKind, auth_method: AuthMethod) -> bool {
        permits(self.of_kind(kind).auth_methods.as_ref(), &auth_method)
    }

    fn check(&self, kind: CallerKind, metadata: &ClientMetadata) -> Result<(), MetadataError> {
        let refuse = |member: String, value: &str, default: bool| {
            MetadataError::client_metadata(format!(
                "{member}: '{value}'{} is not allowed for {}",
                if default { " (the default)" } else { "" },
                kind.describe()
            ))
        };
        match &metadata.grant_types {
            Some(list) => {
                if let Some((i, g)) = list
                    .iter()
                    .enumerate()
                    .find(|(_, g)| !self.allows_grant_type(kind, **g))
                {
                    return Err(refuse(format!("grant_types[{i}]"), g.as_str(), false));
                }
            }
            None => {
                let g = GrantType::AuthorizationCode;
                if !self.allows_grant_type(kind, g) {
                    return Err(refuse("grant_types".into(), g.as_str(), true));
                }
            }
        }
        match &metadata.response_types {
            Some(list) => {
                if let Some((i, r)) = list
                    .iter()
                    .enumerate()
                    .find(|(_, r)| !self.allows_response_type(kind, **r))
                {
                    return Err(refuse(format!("response_types[{i}]"), r.as_str(), false));
                }
            }
            None => {
                let r = ResponseType::Code;
                if !self.allows_response_type(kind, r) {
                    return Err(refuse("response_types".into(), r.as_str(), true));
                }
            }
        }
        let (method, default) = match metadata.token_endpoint_auth_method {
            Some(m) => (m, false),
            None => (AuthMethod::ClientSecretBasic, true),
        };
        if !self.allows_auth_method(kind, method) {
            return Err(refuse(
                "token_endpoint_auth_method".into(),
                method.as_str(),
                default,
            ));
        }
        Ok(())
    }
}

#[async_trait]
impl RegistrationPolicy for CallerRestrictions {
    async fn apply(
        &self,
        context: &PolicyContext<'_>,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        if let Some(kind) = CallerKind::of(context.request) {
            self.check(kind, &metadata)?;
        }
        Ok(metadata)
    }
}

#[cfg(test)]
mod tests;
