//! The built-in registration policies, to compose in order with [`Policies`](super::Policies):
//!
//! - [`AllowedScopes`]: the scope values clients may register, restricted values removed or
//!   rejected ([`ScopeHandling`]); the default scope for clients that ask for none is
//!   [`MetadataRules::default_scope`](crate::metadata::MetadataRules::default_scope);
//! - [`CallerRestrictions`]: the grant types, response types and token endpoint authentication
//!   methods anonymous registrants and holders of an initial access token may register
//!   ([`Allowances`]); by default anonymous registrants cannot get the `password` or
//!   `client_credentials` grants;
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
//!     .with(AllowedScopes::new(["openid", "profile", "email"]))
//!     .with(CallerRestrictions::default())
//!     .with(TrustedRedirectHosts::new(["rp.example.org", "*.apps.example.org"]));
//! assert!(!policies.is_empty());
//! ```
//!
//! Every policy here but [`CallerRestrictions`] applies to every caller, the host application
//! ([`Caller::Host`](crate::Caller::Host)) included.
//!
//! Each policy lives in its own module and knows only the request it judges: the metadata, the
//! [`PolicyContext`](super::PolicyContext) and its own configuration. None knows the others, the
//! registry that runs them, or the order they run in; the shared rules of syntax (loopback
//! hosts, quoting client values in error descriptions) come from `crate::syntax`.

mod allowed_scopes;
mod caller_restrictions;
mod max_clients;
mod trusted_redirect_hosts;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use allowed_scopes::{AllowedScopes, ScopeHandling};
pub use caller_restrictions::{Allowances, CallerRestrictions};
pub use max_clients::MaxClients;
pub use trusted_redirect_hosts::TrustedRedirectHosts;
