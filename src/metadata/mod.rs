//! Client metadata: the typed model, its JSON parser and the registration rules.
//!
//! Everything here is plain data and pure functions: no HTTP type, no store, no clock.
//! [`parse`](fn@parse) turns a JSON object into [`ClientMetadata`] checking JSON types only
//! (the crate itself uses `parse_owned`, which does the same consuming the object, moving its
//! strings instead of copying them); [`validate`](fn@validate) applies the registration rules of RFC 7591, OpenID Connect
//! Dynamic Client Registration 1.0 and RFC 8252 against the server's [`MetadataRules`] and
//! fills in defaults: `jwks` key by key (RFC 7517, RFC 7518), the algorithm members against
//! the lists that discovery advertises, the RFC 8705, 9126, 9449, 9101 and 9396 members, and the
//! operator's [`ExtensionMember`]s.
//!
//! [`DEFAULT_SIGNING_ALGS`], [`DEFAULT_ENCRYPTION_ALGS`] and [`DEFAULT_ENCRYPTION_ENCS`] are the
//! algorithm lists of [`MetadataRules::default`], to start from when narrowing them:
//!
//! ```
//! use tower_oidc_registration::metadata::{DEFAULT_SIGNING_ALGS, MetadataRules};
//!
//! let mut rules = MetadataRules::default();
//! rules.signing_algs = DEFAULT_SIGNING_ALGS
//!     .iter()
//!     .filter(|alg| !alg.starts_with("HS") && **alg != "none")
//!     .map(|alg| alg.to_string())
//!     .collect();
//! assert!(!rules.signing_algs.iter().any(|alg| alg == "none"));
//! ```

mod algorithms;
mod error;
mod extensions;
mod jwk;
mod lang;
mod limits;
mod members;
mod model;
mod parse;
mod profile;
mod redirect_uri;
mod rules;
mod serialize;
#[cfg(test)]
mod test_support;
mod validate;

pub(crate) use algorithms::ALGORITHM_MEMBERS;
pub(crate) use error::sanitize_description;
pub use error::{MetadataError, MetadataErrorCode};
pub use extensions::{
    ExtensionError, ExtensionMember, ExtensionMembers, ExtensionType, ExtensionValidator,
};
pub(crate) use jwk::{KeyParams, KeyUse, PublicJwk, read_public_jwk};
pub use limits::MetadataLimits;
pub(crate) use limits::check_limits;
pub(crate) use members::SERVER_MEMBERS;
pub use model::{
    ApplicationType, AuthMethod, ClientMetadata, GrantType, Localized, ResponseType, SubjectType,
};
pub use parse::parse;
pub(crate) use parse::parse_owned;
pub use rules::{
    DEFAULT_ENCRYPTION_ALGS, DEFAULT_ENCRYPTION_ENCS, DEFAULT_SIGNING_ALGS, MetadataRules,
};
pub use validate::validate;

#[cfg(test)]
mod tests;
