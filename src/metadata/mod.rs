//! Client metadata: the typed model, its JSON parser and the registration rules.
//!
//! Everything here is plain data and pure functions: no HTTP type, no store, no clock.
//! [`parse`](fn@parse) turns a JSON object into [`ClientMetadata`] checking JSON types only;
//! [`validate`](fn@validate) applies the registration rules of RFC 7591, OpenID Connect Dynamic
//! Client Registration 1.0 and RFC 8252 against the server's [`MetadataRules`] and fills in
//! defaults.

mod error;
mod lang;
mod model;
mod parse;
mod redirect_uri;
mod rules;
mod serialize;
mod validate;

pub use error::{MetadataError, MetadataErrorCode};
pub use model::{
    ApplicationType, AuthMethod, ClientMetadata, GrantType, Localized, ResponseType, SubjectType,
};
pub use parse::parse;
pub use rules::MetadataRules;
pub use validate::validate;
