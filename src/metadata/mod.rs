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
//! # The default rules and bounds
//!
//! Default [`MetadataRules`]: grant types `authorization_code`, `implicit`, `refresh_token`,
//! `client_credentials`; every response type combination of `code`, `id_token`, `token`; auth
//! methods `client_secret_basic`, `client_secret_post`, `client_secret_jwt`, `private_key_jwt`,
//! `none`; subject types `public`, `pairwise`; the JWS/JWE algorithm names of RFC 7518; native
//! clients may use claimed `https` redirect URIs (RFC 8252 §7.2); no extension members; URIs the
//! server dereferences (`jwks_uri`, `request_uris`, the logout URIs...) may name `localhost` or a
//! private address ([`MetadataRules::refuse_special_purpose_hosts`] refuses them: turn it on for
//! a server open to the Internet). Set them with
//! [`RegistrationConfigBuilder::rules`](crate::RegistrationConfigBuilder::rules).
//!
//! Default [`MetadataLimits`] (every field public; none may be zero), set with
//! [`RegistrationConfigBuilder::metadata_limits`](crate::RegistrationConfigBuilder::metadata_limits):
//!
//! | field | default | why |
//! |---|---|---|
//! | `max_depth` | 16 | nesting of objects and arrays, the request being level 1; `jwks` reaches level 5. Documents past 128 levels are refused by the JSON parser itself (`serde_json`'s recursion limit), so a body of a million `[` is a `400`, never a deep recursion |
//! | `max_members` | 256 | members of any one object; the specifications define about 50, the rest is room for `client_name#fr`-style variants |
//! | `max_string_bytes` | 2048 | each string and member name outside `jwks` and `software_statement`: names, URIs, contacts, scope |
//! | `max_key_string_bytes` | 16384 | each string inside `jwks`, and the `software_statement`: X.509 chains (`x5c`) and signed JWTs run to kilobytes |
//! | `max_array_len` | 64 | entries of any array but `redirect_uris` |
//! | `max_redirect_uris` | 64 | redirect URIs of one client |
//! | `max_redirect_uri_bytes` | 2048 | each redirect URI |
//! | `max_total_bytes` | 65536 | the whole metadata object as compact JSON: what one client may make the store keep and every read echo. Bounds the host's `Registry` calls, which have no body limit |
//!
//! Past one bound, a registration or an update (over HTTP and through the
//! [`Registry`](crate::Registry) alike) gets `400 invalid_client_metadata`
//! (`invalid_redirect_uri` for `redirect_uris`) naming the member, e.g. `redirect_uris: at most
//! 64 entries`, `client_name: longer than 2048 bytes`.
//!
//! # Algorithms
//!
//! Every `*_alg` / `*_enc` member (`id_token_*`, `userinfo_*`, `request_object_*`,
//! `token_endpoint_auth_signing_alg`, JARM's `authorization_*` and RFC 9701's
//! `introspection_*`) is checked against [`MetadataRules::signing_algs`], `encryption_algs` and
//! `encryption_encs`; [`Registry::provider_metadata`](crate::Registry::provider_metadata)
//! advertises exactly those lists per member (`none` left out where it is refused). Set them with
//! [`rules(..)`](crate::RegistrationConfigBuilder::rules) or the builder's
//! [`signing_algorithms(..)`](crate::RegistrationConfigBuilder::signing_algorithms),
//! [`encryption_algorithms(..)`](crate::RegistrationConfigBuilder::encryption_algorithms) and
//! [`content_encryption_algorithms(..)`](crate::RegistrationConfigBuilder::content_encryption_algorithms).
//! Beyond the lists: HMAC signatures and symmetric key wrapping (`HS*`, `A*KW`, `dir`) are keyed
//! with the client secret, so only clients that get one may use them (with
//! [`SecretStorage::Hashed`](crate::SecretStorage::Hashed) they are not offered at all); ID
//! token, userinfo, authorization and introspection responses encrypted with an asymmetric
//! algorithm need the client's `jwks` or `jwks_uri`; `token_endpoint_auth_signing_alg` must be an
//! `HS*` algorithm for `client_secret_jwt` and must not be one for `private_key_jwt`;
//! `require_signed_request_object: true` excludes `request_object_signing_alg: none`.
//!
//! [`DEFAULT_SIGNING_ALGS`], [`DEFAULT_ENCRYPTION_ALGS`] and [`DEFAULT_ENCRYPTION_ENCS`] are the
//! algorithm lists of [`MetadataRules::default`], to start from when narrowing them:
//!
//! ```
//! use tower_oidc_registration::RegistrationConfig;
//! use tower_oidc_registration::metadata::{DEFAULT_SIGNING_ALGS, MetadataRules};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut rules = MetadataRules::default();
//! // Asymmetric signatures only; AES-GCM content encryption only.
//! rules.signing_algs = DEFAULT_SIGNING_ALGS
//!     .iter()
//!     .filter(|alg| !alg.starts_with("HS") && **alg != "none")
//!     .map(|alg| alg.to_string())
//!     .collect();
//! rules.encryption_encs = vec!["A128GCM".into(), "A256GCM".into()];
//! assert!(!rules.signing_algs.iter().any(|alg| alg == "none"));
//! let config = RegistrationConfig::builder("https://iam.example.org/").rules(rules).build()?;
//! # let _ = config;
//! # Ok(())
//! # }
//! ```
//!
//! Then a client that registers `id_token_encrypted_response_alg` must also register an
//! `id_token_encrypted_response_enc` from that list, since the default `A128CBC-HS256` is not in
//! it.
//!
//! # Extension members
//!
//! Members this crate does not model are ignored (RFC 7591 §2) unless the operator declares them
//! with a JSON type ([`ExtensionType`]: `String`, `Url`, `Boolean`, `Number`, `Integer`,
//! `StringArray`, `Array`, `Object`) and optionally a validator; declared members are checked on
//! registration and update, stored, echoed by 201, GET and PUT, and replaced (or removed) by a
//! PUT. Standard and server-set names (`client_name`, `client_id`...) cannot be declared
//! ([`ConfigError::Extension`](crate::ConfigError::Extension)).
//!
//! ```
//! use tower_oidc_registration::RegistrationConfig;
//! use tower_oidc_registration::metadata::{ExtensionMember, ExtensionType};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = RegistrationConfig::builder("https://iam.example.org/")
//!     .extension_member(ExtensionMember::new("tenant", ExtensionType::String))
//!     .extension_member(
//!         ExtensionMember::new("support_tier", ExtensionType::Integer).validator(
//!             |value: &serde_json::Value| match value.as_i64() {
//!                 Some(1..=3) => Ok(()),
//!                 // Sent as `support_tier: must be 1, 2 or 3`.
//!                 _ => Err("must be 1, 2 or 3".to_owned()),
//!             },
//!         ),
//!     )
//!     .build()?;
//! # let _ = config;
//! # Ok(())
//! # }
//! ```
//!
//! # Security-profile members
//!
//! Validated and echoed: RFC 8705 `tls_client_auth` (with exactly one of
//! `tls_client_auth_subject_dn`, `_san_dns`, `_san_uri`, `_san_ip`, `_san_email`, each well
//! formed, and only with that method), `self_signed_tls_client_auth` (keys with `x5c`, or
//! `jwks_uri`), `tls_client_certificate_bound_access_tokens`; RFC 9126
//! `require_pushed_authorization_requests`; RFC 9449 `dpop_bound_access_tokens`; RFC 9101
//! `require_signed_request_object`; RFC 9396 `authorization_details_types` (unique, non-empty
//! strings; from [`MetadataRules::authorization_details_types`], advertised as
//! `authorization_details_types_supported`, when set); logout: `post_logout_redirect_uris`
//! under the redirect URI rules, `frontchannel_logout_uri` on the scheme, host and port of a
//! redirect URI, `http` front- and back-channel logout URIs only for confidential clients, and
//! the `*_session_required` flags. The two mTLS methods are opt-in, as they need the host to
//! check client certificates:
//!
//! ```
//! use tower_oidc_registration::RegistrationConfig;
//! use tower_oidc_registration::metadata::{AuthMethod, MetadataRules};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut rules = MetadataRules::default();
//! rules.auth_methods.push(AuthMethod::TlsClientAuth);
//! rules.auth_methods.push(AuthMethod::SelfSignedTlsClientAuth);
//! let config = RegistrationConfig::builder("https://iam.example.org/").rules(rules).build()?;
//! # let _ = config;
//! # Ok(())
//! # }
//! ```

mod algorithms;
mod dereferenced;
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
pub(crate) use lang::localized_member_of;
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
