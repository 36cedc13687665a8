//! The built-in registration policies, to compose in order with [`Policies`](super::Policies):
//!
//! - [`AllowedScopes`]: the scope values clients may register, restricted values removed or
//!   rejected ([`ScopeHandling`]), and a default scope for clients that ask for none;
//! - [`CallerRestrictions`]: the grant types, response types and token endpoint authentication
//!   methods each kind of caller ([`CallerKind`]) may register; by default anonymous registrants
//!   cannot get the `password` or `client_credentials` grants;
//! - [`TrustedRedirectHosts`]: the hosts redirect URIs may point to (`rp.example.org` or
//!   `*.example.org`);
//! - [`MaxClients`]: a maximum number of registered clients.
//!
//! ```
//! use tower_oidc_registration::policy::Policies;
//! use tower_oidc_registration::policy::builtin::{
//!     AllowedScopes, CallerRestrictions, MaxClients, TrustedRedirectHosts,
//! };
//!
//! let policies = Policies::new()
//!     .with(MaxClients::new(10_000))
//!     .with(AllowedScopes::new(["openid", "profile", "email"]).default_scope("openid"))
//!     .with(CallerRestrictions::default())
//!     .with(TrustedRedirectHosts::new(["rp.example.org", "*.apps.example.org"]));
//! assert!(!policies.is_empty());
//! ```
//!
//! Every policy here but [`CallerRestrictions`] applies to every caller, the host application
//! ([`Caller::Host`]) included.

use async_trait::async_trait;

use url::{Host, Url};

use super::{Operation, PolicyContext, PolicyError, RegistrationPolicy};
use crate::context::{Caller, RequestContext};
use crate::metadata::{AuthMethod, ClientMetadata, GrantType, MetadataError, ResponseType};
use crate::syntax::{is_loopback_host, quoted};

// ---------------------------------------------------------------------------------------------
// Allowed scopes
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Caller restrictions
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Trusted redirect hosts
// ---------------------------------------------------------------------------------------------

/// The hosts that `redirect_uris` and `post_logout_redirect_uris` may point to.
///
/// An entry is a host, matched exactly (ignoring ASCII case; international names match their
/// punycode form, IP addresses their canonical form, IPv6 with or without brackets), or
/// `*.example.org`, which matches every subdomain of `example.org` (`a.example.org`,
/// `a.b.example.org`) but not `example.org` itself. Ports are not compared.
///
/// Loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`), which native apps use (RFC 8252 §7.3),
/// are allowed unless [`allow_loopback(false)`](Self::allow_loopback). URIs without a host,
/// such as the private-use scheme `com.example.app:/callback` (RFC 8252 §7.1), are allowed
/// unless [`allow_private_use_schemes(false)`](Self::allow_private_use_schemes); a private-use
/// URI with an authority (`com.example.app://callback`) has its host checked like any other.
///
/// An untrusted redirect URI fails with `invalid_redirect_uri`
/// (`redirect_uris[0]: host 'evil.example' is not trusted`); an untrusted post-logout
/// redirect URI with `invalid_client_metadata`, as the RFC rules report it.
///
/// ```
/// use tower_oidc_registration::policy::builtin::TrustedRedirectHosts;
///
/// let hosts = TrustedRedirectHosts::new(["rp.example.org", "*.apps.example.org"]);
/// assert!(hosts.is_trusted("https://RP.example.org/cb"));
/// assert!(hosts.is_trusted("https://a.b.apps.example.org/cb"));
/// assert!(!hosts.is_trusted("https://apps.example.org/cb"));
/// assert!(!hosts.is_trusted("https://evil.example/cb"));
/// assert!(hosts.is_trusted("http://127.0.0.1:51004/cb"));
/// assert!(!hosts.clone().allow_loopback(false).is_trusted("http://localhost/cb"));
/// ```
#[derive(Debug, Clone)]
pub struct TrustedRedirectHosts {
    /// Canonical hosts, lower case, without a trailing dot.
    exact: Vec<String>,
    /// `.example.org` for `*.example.org`, canonical, lower case.
    wildcard_suffixes: Vec<String>,
    allow_loopback: bool,
    allow_private_use_schemes: bool,
}

/// Why a redirect URI is not trusted.
enum Untrusted {
    NotAUri,
    NoHost,
    Host(String),
}

/// The canonical text of a host: lower case, without a trailing dot.
fn canonical_host(host: &str) -> String {
    let host = host.strip_suffix('.').unwrap_or(host);
    host.to_ascii_lowercase()
}

/// The canonical text of a configured host: parsed as the url crate parses an `https` URI's
/// host (IDNA, IPv4 and IPv6 normalization), or taken as written when it does not parse.
fn canonical_entry(entry: &str) -> String {
    let parsed = Host::parse(entry).or_else(|_| Host::parse(&format!("[{entry}]")));
    match parsed {
        Ok(host) => canonical_host(&host.to_string()),
        Err(_) => canonical_host(entry),
    }
}

impl TrustedRedirectHosts {
    /// Trusts `hosts` (exact hosts and `*.domain` wildcards), loopback hosts and URIs without
    /// a host.
    pub fn new<I, S>(hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut exact = Vec::new();
        let mut wildcard_suffixes = Vec::new();
        for entry in hosts {
            let entry = entry.as_ref().trim();
            match entry.strip_prefix("*.") {
                Some(domain) => wildcard_suffixes.push(format!(".{}", canonical_entry(domain))),
                None => exact.push(canonical_entry(entry)),
            }
        }
        Self {
            exact,
            wildcard_suffixes,
            allow_loopback: true,
            allow_private_use_schemes: true,
        }
    }

    /// Whether loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`) are trusted (default
    /// `true`, for native apps).
    #[must_use]
    pub fn allow_loopback(mut self, allow: bool) -> Self {
        self.allow_loopback = allow;
        self
    }

    /// Whether URIs without a host (private-use schemes such as `com.example.app:/cb`) are
    /// allowed (default `true`, for native apps).
    #[must_use]
    pub fn allow_private_use_schemes(mut self, allow: bool) -> Self {
        self.allow_private_use_schemes = allow;
        self
    }

    /// Whether `uri` may be registered as a redirect URI.
    pub fn is_trusted(&self, uri: &str) -> bool {
        self.check(uri).is_ok()
    }

    fn check(&self, uri: &str) -> Result<(), Untrusted> {
        let url = Url::parse(uri).map_err(|_| Untrusted::NotAUri)?;
        let host = match url.host() {
            None => None,
            Some(Host::Domain("")) => None,
            Some(host) => Some(host),
        };
        let Some(host) = host else {
            return if self.allow_private_use_schemes {
                Ok(())
            } else {
                Err(Untrusted::NoHost)
            };
        };
        if self.allow_loopback && is_loopback_host(&host) {
            return Ok(());
        }
        let text = canonical_host(&host.to_string());
        if self.exact.contains(&text) {
            return Ok(());
        }
        if matches!(host, Host::Domain(_))
            && self.wildcard_suffixes.iter().any(|suffix| {
                text.strip_suffix(suffix.as_str())
                    .is_some_and(|label| !label.is_empty() && !label.ends_with('.'))
            })
        {
            return Ok(());
        }
        Err(Untrusted::Host(host.to_string()))
    }

    fn check_member(&self, member: &str, uris: Option<&Vec<String>>) -> Result<(), String> {
        for (i, uri) in uris.into_iter().flatten().enumerate() {
            let reason = match self.check(uri) {
                Ok(()) => continue,
                Err(Untrusted::NotAUri) => "not an absolute URI".to_owned(),
                Err(Untrusted::NoHost) => "URIs without a host are not allowed".to_owned(),
                Err(Untrusted::Host(host)) => format!("host {} is not trusted", quoted(&host)),
            };
            return Err(format!("{member}[{i}]: {reason}"));
        }
        Ok(())
    }
}

#[async_trait]
impl RegistrationPolicy for TrustedRedirectHosts {
    async fn apply(
        &self,
        _context: &PolicyContext<'_>,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        self.check_member("redirect_uris", metadata.redirect_uris.as_ref())
            .map_err(MetadataError::redirect_uri)?;
        self.check_member(
            "post_logout_redirect_uris",
            metadata.post_logout_redirect_uris.as_ref(),
        )
        .map_err(MetadataError::client_metadata)?;
        Ok(metadata)
    }
}

// ---------------------------------------------------------------------------------------------
// Maximum number of clients
// ---------------------------------------------------------------------------------------------

/// A maximum number of registered clients: a registration is refused with 403
/// `access_denied` (`the registration limit of N clients is reached`) when the store already
/// holds `total` clients. Updates are never refused.
///
/// The limit is checked against [`ClientStore::count`](crate::store::ClientStore::count)
/// before the client is stored, so concurrent registrations may overshoot it by up to their
/// number: it is a quota, not an exact bound.
///
/// When the store cannot count, the registration is refused (fail closed: 403 `access_denied`,
/// `client count unavailable`) and the store error is logged with `tracing` at `warn` level.
///
/// ```
/// use tower_oidc_registration::policy::builtin::MaxClients;
///
/// let quota = MaxClients::new(1_000);
/// assert_eq!(quota.total(), 1_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxClients {
    total: u64,
}

impl MaxClients {
    /// At most `total` clients; `0` refuses every registration.
    pub fn new(total: u64) -> Self {
        Self { total }
    }

    /// The maximum number of clients.
    pub fn total(&self) -> u64 {
        self.total
    }
}

#[async_trait]
impl RegistrationPolicy for MaxClients {
    async fn apply(
        &self,
        context: &PolicyContext<'_>,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        if context.operation != Operation::Register {
            return Ok(metadata);
        }
        let count = context.store.count().await.map_err(|error| {
            tracing::warn!(%error, "client count unavailable; registration refused");
            PolicyError::Denied("client count unavailable".to_owned())
        })?;
        if count >= self.total {
            return Err(PolicyError::Denied(format!(
                "the registration limit of {} clients is reached",
                self.total
            )));
        }
        Ok(metadata)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use http::HeaderMap;

    use super::*;
    use crate::metadata::MetadataErrorCode;
    use crate::policy::Policies;
    use crate::store::{ClientRecord, ClientStore, MemoryStore, MetadataJson, StoreError};
    use crate::token::CredentialHash;

    fn anonymous() -> RequestContext {
        RequestContext::new(Caller::Anonymous, &HeaderMap::new())
    }

    fn with_token() -> RequestContext {
        RequestContext::new(
            Caller::InitialAccessToken { id: "iat-1".into() },
            &HeaderMap::new(),
        )
    }

    fn registered_client() -> RequestContext {
        RequestContext::new(Caller::RegisteredClient, &HeaderMap::new())
    }

    fn context<'a>(
        operation: Operation,
        request: &'a RequestContext,
        store: &'a dyn ClientStore,
    ) -> PolicyContext<'a> {
        PolicyContext {
            operation,
            request,
            client_id: (operation == Operation::Update).then_some("client-1"),
            store,
        }
    }

    /// Applies `policy` to `metadata` as a registration by `request`, with an empty store.
    async fn register(
        policy: &impl RegistrationPolicy,
        request: &RequestContext,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        let store = MemoryStore::new();
        policy
            .apply(&context(Operation::Register, request, &store), metadata)
            .await
    }

    /// The metadata error of a refusal, as `(code, description)`.
    fn metadata_error(result: Result<ClientMetadata, PolicyError>) -> (MetadataErrorCode, String) {
        match result {
            Err(PolicyError::Metadata(e)) => (e.code(), e.description().to_owned()),
            other => panic!("expected a metadata error, got {other:?}"),
        }
    }

    fn scope(scope: Option<&str>) -> ClientMetadata {
        ClientMetadata {
            scope: scope.map(str::to_owned),
            ..ClientMetadata::default()
        }
    }

    /// What `validate` leaves for a confidential web client with these grant types.
    fn grants(grant_types: &[GrantType]) -> ClientMetadata {
        ClientMetadata {
            grant_types: Some(grant_types.to_vec()),
            response_types: Some(vec![ResponseType::Code]),
            token_endpoint_auth_method: Some(AuthMethod::ClientSecretBasic),
            ..ClientMetadata::default()
        }
    }

    fn redirects(uris: &[&str]) -> ClientMetadata {
        ClientMetadata {
            redirect_uris: Some(uris.iter().map(|u| u.to_string()).collect()),
            ..ClientMetadata::default()
        }
    }

    // --- AllowedScopes ---------------------------------------------------------------------

    #[tokio::test]
    async fn allowed_scopes_keep_an_allowed_request_exactly() {
        let policy = AllowedScopes::new(["openid", "profile", "email"]).default_scope("openid");
        let out = register(&policy, &anonymous(), scope(Some("email openid")))
            .await
            .expect("accepted");
        assert_eq!(out.scope.as_deref(), Some("email openid"));
    }

    #[tokio::test]
    async fn allowed_scopes_remove_restricted_values_by_default() {
        let policy = AllowedScopes::new(["openid", "profile", "email"]);
        let out = register(&policy, &anonymous(), scope(Some("openid admin email")))
            .await
            .expect("accepted");
        assert_eq!(out.scope.as_deref(), Some("openid email"));
    }

    #[tokio::test]
    async fn allowed_scopes_compare_values_case_sensitively() {
        let policy = AllowedScopes::new(["openid"]).reject_restricted();
        let (code, description) =
            metadata_error(register(&policy, &anonymous(), scope(Some("OpenID"))).await);
        assert_eq!(code, MetadataErrorCode::InvalidClientMetadata);
        assert_eq!(description, "scope: 'OpenID' is not allowed");
    }

    #[tokio::test]
    async fn allowed_scopes_reject_a_restricted_value_when_configured() {
        let policy = AllowedScopes::new(["openid", "profile", "email"]).reject_restricted();
        let (code, description) =
            metadata_error(register(&policy, &anonymous(), scope(Some("openid admin"))).await);
        assert_eq!(code, MetadataErrorCode::InvalidClientMetadata);
        assert_eq!(description, "scope: 'admin' is not allowed");
        // Switching back to removal accepts the same request.
        let policy = policy.remove_restricted();
        let out = register(&policy, &anonymous(), scope(Some("openid admin")))
            .await
            .expect("accepted");
        assert_eq!(out.scope.as_deref(), Some("openid"));
    }

    #[tokio::test]
    async fn allowed_scopes_register_the_default_scope_when_none_is_requested() {
        let policy = AllowedScopes::new(["openid", "profile", "email"])
            .reject_restricted()
            .default_scope("  openid   profile ");
        let out = register(&policy, &anonymous(), scope(None))
            .await
            .expect("accepted");
        assert_eq!(out.scope.as_deref(), Some("openid profile"));
    }

    #[tokio::test]
    async fn allowed_scopes_register_the_default_scope_when_removal_leaves_nothing() {
        let policy = AllowedScopes::new(["openid", "profile"]).default_scope("openid");
        let out = register(&policy, &anonymous(), scope(Some("admin root")))
            .await
            .expect("accepted");
        assert_eq!(out.scope.as_deref(), Some("openid"));
    }

    #[tokio::test]
    async fn allowed_scopes_without_default_drop_the_member_when_removal_leaves_nothing() {
        let policy = AllowedScopes::new(["openid"]);
        let out = register(&policy, &anonymous(), scope(Some("admin")))
            .await
            .expect("accepted");
        assert_eq!(out.scope, None);
        let out = register(&policy, &anonymous(), scope(None))
            .await
            .expect("accepted");
        assert_eq!(out.scope, None);
    }

    #[tokio::test]
    async fn allowed_scopes_apply_to_the_host_and_to_updates() {
        let policy = AllowedScopes::new(["openid"]).reject_restricted();
        let store = MemoryStore::new();
        let host = RequestContext::host();
        let result = policy
            .apply(
                &context(Operation::Register, &host, &store),
                scope(Some("admin")),
            )
            .await;
        assert_eq!(metadata_error(result).1, "scope: 'admin' is not allowed");
        let client = registered_client();
        let result = policy
            .apply(
                &context(Operation::Update, &client, &store),
                scope(Some("admin")),
            )
            .await;
        assert_eq!(metadata_error(result).1, "scope: 'admin' is not allowed");
    }

    #[test]
    fn allowed_scopes_list_the_allowed_values_in_order_without_duplicates() {
        let policy = AllowedScopes::new(["openid profile", "email", "openid"]);
        assert_eq!(
            policy.allowed().collect::<Vec<_>>(),
            ["openid", "profile", "email"]
        );
        assert!(policy.is_allowed("profile"));
        assert!(!policy.is_allowed("openid profile"));
    }

    #[test]
    fn quoted_values_are_bounded() {
        let long = "a".repeat(100);
        assert_eq!(quoted(&long), format!("'{}'...", "a".repeat(64)));
        assert_eq!(quoted("admin"), "'admin'");
    }

    // --- CallerRestrictions ----------------------------------------------------------------

    #[tokio::test]
    async fn default_restrictions_refuse_client_credentials_to_anonymous_registrants() {
        let metadata = grants(&[GrantType::AuthorizationCode, GrantType::ClientCredentials]);
        let (code, description) =
            metadata_error(register(&CallerRestrictions::default(), &anonymous(), metadata).await);
        assert_eq!(code, MetadataErrorCode::InvalidClientMetadata);
        assert_eq!(
            description,
            "grant_types[1]: 'client_credentials' is not allowed for anonymous registration"
        );
    }

    #[tokio::test]
    async fn default_restrictions_refuse_password_to_anonymous_registrants() {
        let (_, description) = metadata_error(
            register(
                &CallerRestrictions::default(),
                &anonymous(),
                grants(&[GrantType::Password]),
            )
            .await,
        );
        assert_eq!(
            description,
            "grant_types[0]: 'password' is not allowed for anonymous registration"
        );
    }

    #[tokio::test]
    async fn default_restrictions_let_anonymous_registrants_use_other_grants() {
        let metadata = grants(&[
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
            GrantType::DeviceCode,
        ]);
        let out = register(
            &CallerRestrictions::default(),
            &anonymous(),
            metadata.clone(),
        )
        .await
        .expect("accepted");
        assert_eq!(out, metadata);
    }

    #[tokio::test]
    async fn default_restrictions_let_token_holders_and_the_host_have_every_grant() {
        let metadata = grants(&[GrantType::ClientCredentials, GrantType::Password]);
        for request in [with_token(), RequestContext::host()] {
            let out = register(&CallerRestrictions::default(), &request, metadata.clone())
                .await
                .expect("accepted");
            assert_eq!(out, metadata);
        }
    }

    #[tokio::test]
    async fn the_host_is_unrestricted_even_by_empty_lists() {
        let policy = CallerRestrictions::unrestricted()
            .grant_types(CallerKind::Anonymous, [])
            .grant_types(CallerKind::InitialAccessToken, [])
            .auth_methods(CallerKind::Anonymous, [])
            .auth_methods(CallerKind::InitialAccessToken, []);
        let metadata = grants(&[GrantType::AuthorizationCode]);
        register(&policy, &RequestContext::host(), metadata.clone())
            .await
            .expect("host accepted");
        assert!(
            register(&policy, &anonymous(), metadata.clone())
                .await
                .is_err()
        );
        assert!(register(&policy, &with_token(), metadata).await.is_err());
    }

    #[tokio::test]
    async fn updates_follow_the_kind_of_caller_that_registered_the_client() {
        let policy = CallerRestrictions::default();
        let metadata = grants(&[GrantType::ClientCredentials]);
        let store = MemoryStore::new();
        // A client registered anonymously: the registry passes no token id.
        let anonymous_client = registered_client();
        let result = policy
            .apply(
                &context(Operation::Update, &anonymous_client, &store),
                metadata.clone(),
            )
            .await;
        assert_eq!(
            metadata_error(result).1,
            "grant_types[0]: 'client_credentials' is not allowed for anonymous registration"
        );
        // A client registered with an initial access token: the registry passes its id.
        let token_client = with_token();
        policy
            .apply(
                &context(Operation::Update, &token_client, &store),
                metadata.clone(),
            )
            .await
            .expect("token holder's client accepted");
    }

    #[tokio::test]
    async fn response_types_and_auth_methods_are_restricted_per_kind() {
        let policy = CallerRestrictions::default()
            .auth_methods(CallerKind::Anonymous, [AuthMethod::None])
            .response_types(CallerKind::InitialAccessToken, [ResponseType::Code]);

        let (code, description) = metadata_error(
            register(
                &policy,
                &anonymous(),
                grants(&[GrantType::AuthorizationCode]),
            )
            .await,
        );
        assert_eq!(code, MetadataErrorCode::InvalidClientMetadata);
        assert_eq!(
            description,
            "token_endpoint_auth_method: 'client_secret_basic' is not allowed for anonymous registration"
        );
        let public = ClientMetadata {
            token_endpoint_auth_method: Some(AuthMethod::None),
            ..grants(&[GrantType::AuthorizationCode])
        };
        register(&policy, &anonymous(), public)
            .await
            .expect("public client accepted");

        let hybrid = ClientMetadata {
            grant_types: Some(vec![GrantType::AuthorizationCode, GrantType::Implicit]),
            response_types: Some(vec![ResponseType::Code, ResponseType::CodeIdToken]),
            ..ClientMetadata::default()
        };
        let (_, description) = metadata_error(register(&policy, &with_token(), hybrid).await);
        assert_eq!(
            description,
            "response_types[1]: 'code id_token' is not allowed for registration with an initial access token"
        );
    }

    #[tokio::test]
    async fn absent_members_are_judged_by_their_rfc_default() {
        let policy = CallerRestrictions::unrestricted()
            .grant_types(CallerKind::Anonymous, [GrantType::ClientCredentials]);
        let (_, description) =
            metadata_error(register(&policy, &anonymous(), ClientMetadata::default()).await);
        assert_eq!(
            description,
            "grant_types: 'authorization_code' (the default) is not allowed for anonymous registration"
        );
        let policy = CallerRestrictions::unrestricted()
            .auth_methods(CallerKind::Anonymous, [AuthMethod::None]);
        let (_, description) =
            metadata_error(register(&policy, &anonymous(), ClientMetadata::default()).await);
        assert_eq!(
            description,
            "token_endpoint_auth_method: 'client_secret_basic' (the default) is not allowed for anonymous registration"
        );
    }

    #[test]
    fn caller_kind_follows_the_initial_access_token_id() {
        assert_eq!(CallerKind::of(&anonymous()), Some(CallerKind::Anonymous));
        assert_eq!(
            CallerKind::of(&with_token()),
            Some(CallerKind::InitialAccessToken)
        );
        assert_eq!(
            CallerKind::of(&registered_client()),
            Some(CallerKind::Anonymous)
        );
        assert_eq!(CallerKind::of(&RequestContext::host()), None);
    }

    // --- TrustedRedirectHosts --------------------------------------------------------------

    fn trusted() -> TrustedRedirectHosts {
        TrustedRedirectHosts::new(["rp.example.org", "*.apps.example.org"])
    }

    #[tokio::test]
    async fn trusted_hosts_accept_exact_hosts_ignoring_case_and_port() {
        let metadata = redirects(&[
            "https://rp.example.org/cb",
            "https://RP.Example.ORG:8443/other?x=1",
        ]);
        let out = register(&trusted(), &anonymous(), metadata.clone())
            .await
            .expect("accepted");
        assert_eq!(out, metadata);
    }

    #[tokio::test]
    async fn trusted_hosts_reject_an_untrusted_host_naming_the_index() {
        let metadata = redirects(&["https://rp.example.org/cb", "https://evil.example/cb"]);
        let (code, description) =
            metadata_error(register(&trusted(), &anonymous(), metadata).await);
        assert_eq!(code, MetadataErrorCode::InvalidRedirectUri);
        assert_eq!(
            description,
            "redirect_uris[1]: host 'evil.example' is not trusted"
        );
    }

    #[tokio::test]
    async fn wildcards_match_subdomains_at_any_depth_but_not_the_domain_itself() {
        for uri in [
            "https://a.apps.example.org/cb",
            "https://a.b.apps.example.org/cb",
            "https://A.APPS.example.org/cb",
        ] {
            register(&trusted(), &anonymous(), redirects(&[uri]))
                .await
                .unwrap_or_else(|e| panic!("{uri} refused: {e}"));
        }
        for (uri, host) in [
            ("https://apps.example.org/cb", "apps.example.org"),
            ("https://evilapps.example.org/cb", "evilapps.example.org"),
            (
                "https://apps.example.org.evil.example/cb",
                "apps.example.org.evil.example",
            ),
            ("https://x.rp.example.org/cb", "x.rp.example.org"),
        ] {
            let (_, description) =
                metadata_error(register(&trusted(), &anonymous(), redirects(&[uri])).await);
            assert_eq!(
                description,
                format!("redirect_uris[0]: host '{host}' is not trusted")
            );
        }
    }

    #[tokio::test]
    async fn loopback_hosts_are_trusted_unless_disabled() {
        let loopback = [
            "http://127.0.0.1:51004/cb",
            "http://[::1]:8080/cb",
            "http://localhost/cb",
            "http://LOCALHOST:3000/cb",
        ];
        register(&trusted(), &anonymous(), redirects(&loopback))
            .await
            .expect("loopback accepted by default");
        let strict = trusted().allow_loopback(false);
        for (uri, host) in [
            (loopback[0], "127.0.0.1"),
            (loopback[1], "[::1]"),
            (loopback[2], "localhost"),
        ] {
            let (code, description) =
                metadata_error(register(&strict, &anonymous(), redirects(&[uri])).await);
            assert_eq!(code, MetadataErrorCode::InvalidRedirectUri);
            assert_eq!(
                description,
                format!("redirect_uris[0]: host '{host}' is not trusted")
            );
        }
    }

    #[tokio::test]
    async fn private_use_scheme_uris_without_host_are_allowed_unless_disabled() {
        let metadata = redirects(&["com.example.app:/oauth2redirect"]);
        register(&trusted(), &anonymous(), metadata.clone())
            .await
            .expect("accepted by default");
        let (code, description) = metadata_error(
            register(
                &trusted().allow_private_use_schemes(false),
                &anonymous(),
                metadata,
            )
            .await,
        );
        assert_eq!(code, MetadataErrorCode::InvalidRedirectUri);
        assert_eq!(
            description,
            "redirect_uris[0]: URIs without a host are not allowed"
        );
        // With an authority, the host is checked like any other.
        let (_, description) = metadata_error(
            register(
                &trusted(),
                &anonymous(),
                redirects(&["com.example.app://evil.example/cb"]),
            )
            .await,
        );
        assert_eq!(
            description,
            "redirect_uris[0]: host 'evil.example' is not trusted"
        );
    }

    #[tokio::test]
    async fn post_logout_redirect_uris_must_be_trusted_too() {
        let metadata = ClientMetadata {
            post_logout_redirect_uris: Some(vec![
                "https://a.apps.example.org/bye".into(),
                "https://evil.example/bye".into(),
            ]),
            ..redirects(&["https://rp.example.org/cb"])
        };
        let (code, description) =
            metadata_error(register(&trusted(), &anonymous(), metadata).await);
        assert_eq!(code, MetadataErrorCode::InvalidClientMetadata);
        assert_eq!(
            description,
            "post_logout_redirect_uris[1]: host 'evil.example' is not trusted"
        );
    }

    #[test]
    fn configured_hosts_are_canonicalized_like_uri_hosts() {
        let hosts =
            TrustedRedirectHosts::new(["B\u{fc}cher.example", "2001:db8::1", "*.Example.COM."])
                .allow_loopback(false);
        assert!(hosts.is_trusted("https://xn--bcher-kva.example/cb"));
        assert!(hosts.is_trusted("https://b\u{fc}cher.example/cb"));
        assert!(hosts.is_trusted("https://[2001:db8:0::1]/cb"));
        assert!(hosts.is_trusted("https://a.example.com/cb"));
        assert!(hosts.is_trusted("https://a.example.com./cb"));
        assert!(!hosts.is_trusted("https://example.com/cb"));
        assert!(!hosts.is_trusted("https://a..example.com/cb"));
        // Hosts of non-special schemes are not lowercased by the url crate.
        assert!(hosts.is_trusted("com.example.app://A.Example.com/cb"));
        assert!(hosts.is_trusted("com.example.app:///cb"));
        assert!(!hosts.is_trusted("not a uri"));
    }

    // --- MaxClients ------------------------------------------------------------------------

    fn record(id: &str) -> ClientRecord {
        ClientRecord::new(
            id.to_owned(),
            None,
            0,
            1,
            CredentialHash::of("t"),
            MetadataJson::render(&ClientMetadata::default()),
        )
    }

    async fn store_with(clients: usize) -> MemoryStore {
        let store = MemoryStore::new();
        for i in 0..clients {
            store
                .insert(std::sync::Arc::new(record(&format!("c{i}"))))
                .await
                .expect("insert");
        }
        store
    }

    #[tokio::test]
    async fn max_clients_accepts_registrations_below_the_limit() {
        let store = store_with(2).await;
        let request = anonymous();
        MaxClients::new(3)
            .apply(
                &context(Operation::Register, &request, &store),
                ClientMetadata::default(),
            )
            .await
            .expect("third client accepted");
    }

    #[tokio::test]
    async fn max_clients_denies_a_registration_at_the_limit_to_every_caller() {
        let store = store_with(3).await;
        for request in [anonymous(), with_token(), RequestContext::host()] {
            let result = MaxClients::new(3)
                .apply(
                    &context(Operation::Register, &request, &store),
                    ClientMetadata::default(),
                )
                .await;
            assert_eq!(
                result,
                Err(PolicyError::Denied(
                    "the registration limit of 3 clients is reached".into()
                ))
            );
        }
    }

    #[tokio::test]
    async fn max_clients_never_refuses_an_update() {
        let store = store_with(3).await;
        let request = registered_client();
        MaxClients::new(3)
            .apply(
                &context(Operation::Update, &request, &store),
                ClientMetadata::default(),
            )
            .await
            .expect("update accepted at the limit");
    }

    /// A store whose backend is down.
    struct DownStore;

    #[async_trait]
    impl ClientStore for DownStore {
        async fn insert(&self, _: std::sync::Arc<ClientRecord>) -> Result<(), StoreError> {
            Err(StoreError::Backend("down".into()))
        }
        async fn get(&self, _: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
            Err(StoreError::Backend("down".into()))
        }
        async fn replace(&self, _: std::sync::Arc<ClientRecord>, _: u64) -> Result<(), StoreError> {
            Err(StoreError::Backend("down".into()))
        }
        async fn delete(&self, _: &str, _: u64) -> Result<(), StoreError> {
            Err(StoreError::Backend("down".into()))
        }
        async fn count(&self) -> Result<u64, StoreError> {
            Err(StoreError::Backend("down".into()))
        }
        async fn touch(&self, _: &str, _: u64) -> Result<(), StoreError> {
            Err(StoreError::Backend("down".into()))
        }
        async fn delete_unused(&self, _: u64, _: usize) -> Result<Vec<String>, StoreError> {
            Err(StoreError::Backend("down".into()))
        }
    }

    #[tokio::test]
    async fn max_clients_fails_closed_when_the_store_cannot_count() {
        let request = anonymous();
        let result = MaxClients::new(1_000)
            .apply(
                &context(Operation::Register, &request, &DownStore),
                ClientMetadata::default(),
            )
            .await;
        assert_eq!(
            result,
            Err(PolicyError::Denied("client count unavailable".into()))
        );
    }

    // --- Composition -----------------------------------------------------------------------

    #[tokio::test]
    async fn composed_policies_apply_in_order_and_the_first_refusal_wins() {
        let scopes = || {
            AllowedScopes::new(["openid", "profile"])
                .reject_restricted()
                .default_scope("openid")
        };
        let policies = Policies::new()
            .with(scopes())
            .with(CallerRestrictions::default());

        // The first fills in the default scope; the second accepts what the first returned.
        let out = register(
            &policies,
            &anonymous(),
            grants(&[GrantType::AuthorizationCode]),
        )
        .await
        .expect("accepted");
        assert_eq!(out.scope.as_deref(), Some("openid"));
        assert_eq!(out.grant_types, Some(vec![GrantType::AuthorizationCode]));

        // The second still judges what the first let through.
        let (_, description) =
            metadata_error(register(&policies, &anonymous(), grants(&[GrantType::Password])).await);
        assert_eq!(
            description,
            "grant_types[0]: 'password' is not allowed for anonymous registration"
        );

        // Both would refuse: the first in order decides.
        let both = ClientMetadata {
            scope: Some("admin".into()),
            ..grants(&[GrantType::ClientCredentials])
        };
        let (_, description) =
            metadata_error(register(&policies, &anonymous(), both.clone()).await);
        assert_eq!(description, "scope: 'admin' is not allowed");
        let reversed = Policies::new()
            .with(CallerRestrictions::default())
            .with(scopes());
        let (_, description) = metadata_error(register(&reversed, &anonymous(), both).await);
        assert_eq!(
            description,
            "grant_types[0]: 'client_credentials' is not allowed for anonymous registration"
        );
    }
}
