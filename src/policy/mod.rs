//! Registration policy: what an operator allows, applied after the RFC rules on every
//! registration and update. A policy sees who is asking (anonymous, initial-access-token
//! holder, registered client, host) and the request headers, and may reject the request or
//! rewrite the metadata; policies compose in order with [`Policies`].
//!
//! Built-in policies live in [`builtin`]: allowed scopes, allowed grant types / response types
//! / authentication methods per kind of caller, trusted redirect hosts, and client quotas. On
//! the configuration builder they compose in order:
//!
//! ```
//! use tower_oidc_registration::RegistrationConfig;
//! use tower_oidc_registration::metadata::{GrantType, MetadataRules};
//! use tower_oidc_registration::policy::builtin::{
//!     AllowedScopes, Allowances, CallerRestrictions, MaxClients, TrustedRedirectHosts,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The default scope, for clients that ask for none or for nothing allowed, is a metadata rule.
//! let mut rules = MetadataRules::default();
//! rules.default_scope = Some("openid".to_owned());
//! let config = RegistrationConfig::builder("https://iam.example.org/")
//!     .rules(rules)
//!     .allowed_scopes(AllowedScopes::new(["openid", "profile", "email"]))
//!     // The default already refuses `password` and `client_credentials` to anonymous
//!     // registrants; here token holders lose `password` too.
//!     .caller_restrictions(Some(CallerRestrictions::default().with_initial_access_token(
//!         Allowances::everything().grant_types([
//!             GrantType::AuthorizationCode,
//!             GrantType::RefreshToken,
//!             GrantType::ClientCredentials,
//!         ]),
//!     )))
//!     .policy(TrustedRedirectHosts::new(["app.example.org", "*.example.net"]))
//!     .policy(MaxClients::new(10_000))
//!     .build()?;
//! # let _ = config;
//! # Ok(())
//! # }
//! ```
//!
//! By default ([`CallerRestrictions::default()`](builtin::CallerRestrictions), on unless
//! [`.caller_restrictions(None)`](crate::RegistrationConfigBuilder::caller_restrictions)),
//! anonymous registrants cannot get the `password` or `client_credentials` grants, as in
//! INDIGO IAM: such clients need an initial access token or the host. Updates are judged as the
//! kind of caller that registered the client
//! ([`ClientRecord::registered_by`](crate::ClientRecord::registered_by)).
//! [`InitialAccessTokenOptions::policy`](crate::InitialAccessTokenOptions::policy) binds a
//! policy to a token, by the name it is registered under
//! ([`initial_access_token_policy`](crate::RegistrationConfigBuilder::initial_access_token_policy)):
//! it applies to the registrations made with the token, and again whenever those clients are
//! updated. The token's record in the store keeps the name, so the binding survives restarts and
//! holds on every replica that registers a policy under that name; a server without one refuses
//! those registrations and updates rather than let them through unchecked.
//!
//! A policy judges metadata and the caller the registry resolved; it never sees a credential,
//! and knows nothing of HTTP beyond the request headers and the client's address a
//! [`RequestContext`] carries.

pub mod builtin;

use std::sync::Arc;

use async_trait::async_trait;

use crate::context::RequestContext;
use crate::metadata::{ClientMetadata, MetadataError};
use crate::store::ClientStore;

/// Which operation a policy is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// A new registration (RFC 7591).
    Register,
    /// A full replacement of an existing registration (RFC 7592 §2.2).
    Update,
    /// A client id metadata document, fetched to resolve a URL client id
    /// ([`Registry::client`](crate::Registry::client)): nothing is stored, and the caller is
    /// [`Caller::Anonymous`](crate::Caller::Anonymous), since anyone can publish a document.
    /// `client_id` is the URL. A policy that acts on [`Register`](Self::Register) only lets
    /// documents through: match this too when it decides which clients may exist at all.
    MetadataDocument,
}

/// What a policy knows about the request it judges.
#[non_exhaustive]
pub struct PolicyContext<'a> {
    /// Registration or update.
    pub operation: Operation,
    /// Who is asking, the client's address, and the request's headers.
    pub request: &'a RequestContext,
    /// The client being updated (`None` on registration).
    pub client_id: Option<&'a str>,
    /// The store, for policies that count or look up clients.
    pub store: &'a dyn ClientStore,
}

impl<'a> PolicyContext<'a> {
    /// A context, for calling a policy outside the registry (in a policy's own tests, say).
    pub fn new(
        operation: Operation,
        request: &'a RequestContext,
        client_id: Option<&'a str>,
        store: &'a dyn ClientStore,
    ) -> Self {
        Self {
            operation,
            request,
            client_id,
            store,
        }
    }
}

impl std::fmt::Debug for PolicyContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyContext")
            .field("operation", &self.operation)
            .field("request", &self.request)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Why a policy refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The metadata is not acceptable: 400 with the RFC 7591 error code it carries.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// The caller may not do this at all (a quota is reached, say): 403 `access_denied`.
    #[error("access denied: {0}")]
    Denied(String),
}

/// A registration policy. Object-safe: use it as `Arc<dyn RegistrationPolicy>`.
#[async_trait]
pub trait RegistrationPolicy: Send + Sync + 'static {
    /// Accepts `metadata` (possibly rewritten) or refuses the request. The metadata has passed
    /// the RFC rules already; whatever this returns is checked against them again.
    async fn apply(
        &self,
        context: &PolicyContext<'_>,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError>;
}

/// Policies applied in order: each sees the metadata the previous one returned; the first
/// refusal wins.
#[derive(Clone, Default)]
pub struct Policies(Vec<Arc<dyn RegistrationPolicy>>);

impl Policies {
    /// No policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a policy after the others.
    #[must_use]
    pub fn with(mut self, policy: impl RegistrationPolicy) -> Self {
        self.0.push(Arc::new(policy));
        self
    }

    /// Adds a shared policy after the others.
    #[must_use]
    pub fn with_shared(mut self, policy: Arc<dyn RegistrationPolicy>) -> Self {
        self.0.push(policy);
        self
    }

    /// Whether there is no policy.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Policies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Policies({} policies)", self.0.len())
    }
}

#[async_trait]
impl RegistrationPolicy for Policies {
    async fn apply(
        &self,
        context: &PolicyContext<'_>,
        mut metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        for policy in &self.0 {
            metadata = policy.apply(context, metadata).await?;
        }
        Ok(metadata)
    }
}
