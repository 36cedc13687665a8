//! The typed client metadata model (RFC 7591 §2, OpenID Connect Dynamic Client Registration 1.0 §2,
//! OpenID Connect RP-Initiated, Front-Channel and Back-Channel Logout).
//!
//! Owns the types of the model: the wire enums and [`Localized`]; the fields of
//! [`ClientMetadata`] come from the member table (`members.rs`). Must not know JSON parsing,
//! serialization or any registration rule.

use serde_json::{Map, Value};

use super::members::client_metadata_members;

/// Declares a string-valued enum with its wire names, `as_str` and `from_wire`.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value this crate knows, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The value as it appears in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// Parses the JSON value; `None` for a value this crate does not know.
            pub fn from_wire(value: &str) -> Option<Self> {
                match value {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// An OAuth 2.0 grant type (`grant_types` member).
    GrantType {
        /// `authorization_code` (RFC 6749 §4.1).
        AuthorizationCode => "authorization_code",
        /// `implicit` (RFC 6749 §4.2).
        Implicit => "implicit",
        /// `refresh_token` (RFC 6749 §6).
        RefreshToken => "refresh_token",
        /// `client_credentials` (RFC 6749 §4.4).
        ClientCredentials => "client_credentials",
        /// `password` (RFC 6749 §4.3); not supported by default.
        Password => "password",
        /// JWT bearer assertion (RFC 7523).
        JwtBearer => "urn:ietf:params:oauth:grant-type:jwt-bearer",
        /// SAML 2.0 bearer assertion (RFC 7522).
        Saml2Bearer => "urn:ietf:params:oauth:grant-type:saml2-bearer",
        /// Device authorization grant (RFC 8628).
        DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
        /// Token exchange (RFC 8693).
        TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
        /// Client-initiated backchannel authentication (OpenID CIBA).
        Ciba => "urn:openid:params:grant-type:ciba",
    }
}

wire_enum! {
    /// A `response_types` value: a set of OAuth 2.0 response types, in canonical order
    /// (OAuth 2.0 Multiple Response Type Encoding Practices).
    ResponseType {
        /// `code`.
        Code => "code",
        /// `id_token`.
        IdToken => "id_token",
        /// `token`.
        Token => "token",
        /// `code id_token`.
        CodeIdToken => "code id_token",
        /// `code token`.
        CodeToken => "code token",
        /// `id_token token`.
        IdTokenToken => "id_token token",
        /// `code id_token token`.
        CodeIdTokenToken => "code id_token token",
        /// `none`.
        None => "none",
    }
}

impl ResponseType {
    /// Parses a space-separated set in any order (`"id_token code"` is `code id_token`).
    pub fn parse_set(value: &str) -> Option<Self> {
        if let Some(known) = Self::from_wire(value) {
            return Some(known);
        }
        let (mut code, mut id_token, mut token) = (false, false, false);
        for part in value.split(' ') {
            let seen = match part {
                "code" => &mut code,
                "id_token" => &mut id_token,
                "token" => &mut token,
                _ => return None,
            };
            if *seen {
                return None;
            }
            *seen = true;
        }
        Some(match (code, id_token, token) {
            (true, false, false) => Self::Code,
            (false, true, false) => Self::IdToken,
            (false, false, true) => Self::Token,
            (true, true, false) => Self::CodeIdToken,
            (true, false, true) => Self::CodeToken,
            (false, true, true) => Self::IdTokenToken,
            (true, true, true) => Self::CodeIdTokenToken,
            (false, false, false) => return None,
        })
    }

    /// Whether this response type returns an authorization code (needs `authorization_code`).
    pub fn has_code(self) -> bool {
        matches!(
            self,
            Self::Code | Self::CodeIdToken | Self::CodeToken | Self::CodeIdTokenToken
        )
    }

    /// Whether this response type returns tokens from the authorization endpoint (needs `implicit`).
    pub fn has_implicit(self) -> bool {
        matches!(
            self,
            Self::IdToken
                | Self::Token
                | Self::CodeIdToken
                | Self::CodeToken
                | Self::IdTokenToken
                | Self::CodeIdTokenToken
        )
    }

    /// Whether this response type returns an ID token from the authorization endpoint.
    pub fn has_id_token(self) -> bool {
        matches!(
            self,
            Self::IdToken | Self::CodeIdToken | Self::IdTokenToken | Self::CodeIdTokenToken
        )
    }
}

wire_enum! {
    /// A token endpoint client authentication method (`token_endpoint_auth_method`).
    AuthMethod {
        /// `client_secret_basic`: HTTP Basic with the client secret (the default).
        ClientSecretBasic => "client_secret_basic",
        /// `client_secret_post`: the client secret in the request body.
        ClientSecretPost => "client_secret_post",
        /// `client_secret_jwt`: a JWT signed with the client secret (HMAC).
        ClientSecretJwt => "client_secret_jwt",
        /// `private_key_jwt`: a JWT signed with a key from the client's `jwks` / `jwks_uri`.
        PrivateKeyJwt => "private_key_jwt",
        /// `none`: a public client, no secret.
        None => "none",
        /// `tls_client_auth` (RFC 8705 §2.1): a PKI-issued certificate, named by exactly one
        /// `tls_client_auth_*` subject member. Opt-in: add it to
        /// [`MetadataRules::auth_methods`](crate::metadata::MetadataRules::auth_methods); the
        /// host checks the certificate at its token endpoint.
        TlsClientAuth => "tls_client_auth",
        /// `self_signed_tls_client_auth` (RFC 8705 §2.2): a self-signed certificate from the
        /// client's `jwks` (`x5c`) or `jwks_uri`. Opt-in, as `tls_client_auth`.
        SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
    }
}

impl AuthMethod {
    /// Whether clients using this method are issued a `client_secret`.
    pub fn uses_secret(self) -> bool {
        matches!(
            self,
            Self::ClientSecretBasic | Self::ClientSecretPost | Self::ClientSecretJwt
        )
    }
}

wire_enum! {
    /// The kind of application (`application_type`, OpenID Connect Registration §2).
    ApplicationType {
        /// `web` (the default).
        Web => "web",
        /// `native`: redirect URIs follow RFC 8252.
        Native => "native",
    }
}

wire_enum! {
    /// The subject identifier type (`subject_type`).
    SubjectType {
        /// `public`: the same `sub` for every client.
        Public => "public",
        /// `pairwise`: a different `sub` per sector.
        Pairwise => "pairwise",
    }
}

/// A human-readable member that may carry language tags (RFC 7591 §2.2): the untagged value
/// and each `member#tag` value, tags kept as the client sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Localized {
    /// The value without a language tag.
    pub default: Option<String>,
    /// `(tag, value)` pairs in the order received; tags are unique ignoring ASCII case.
    pub tagged: Vec<(String, String)>,
}

impl Localized {
    /// No value at all.
    pub fn is_empty(&self) -> bool {
        self.default.is_none() && self.tagged.is_empty()
    }

    /// Every value, untagged first, with the member name suffix it is echoed under.
    pub fn values(&self) -> impl Iterator<Item = (Option<&str>, &str)> {
        self.default.iter().map(|v| (None, v.as_str())).chain(
            self.tagged
                .iter()
                .map(|(t, v)| (Some(t.as_str()), v.as_str())),
        )
    }
}

/// Declares [`ClientMetadata`] from the member table
/// ([`client_metadata_members!`](super::members)): one public field per member, then
/// `extensions`.
macro_rules! declare_client_metadata {
    ($($(#[$doc:meta])* $field:ident: $ty:ty => $kind:ident $(($($arg:tt)*))?,)*) => {
        /// The registered metadata of a client, as parsed by [`parse`](fn@super::parse) and
        /// completed by [`validate`](fn@super::validate). `None` means the member was absent;
        /// lists keep their order. Fields are in the order members are echoed.
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct ClientMetadata {
            $($(#[$doc])* pub $field: $ty,)*
            /// Members this crate does not model. [`parse`](fn@super::parse) collects every
            /// such member (server-controlled ones such as `client_id` included);
            /// [`validate`](fn@super::validate) keeps only those the server declared in
            /// [`MetadataRules::extensions`](super::MetadataRules::extensions), checked, and
            /// drops the rest (RFC 7591 §2: unknown members are ignored).
            pub extensions: Map<String, Value>,
        }
    };
}
client_metadata_members!(declare_client_metadata);
