//! The typed client metadata model (RFC 7591 §2, OpenID Connect Dynamic Client Registration 1.0 §2,
//! OpenID Connect RP-Initiated, Front-Channel and Back-Channel Logout).

use serde_json::{Map, Value};

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

/// The registered metadata of a client, as parsed by [`parse`](fn@super::parse) and completed by
/// [`validate`](fn@super::validate). `None` means the member was absent; lists keep their order.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ClientMetadata {
    /// `redirect_uris`, exactly as sent.
    pub redirect_uris: Option<Vec<String>>,
    /// `token_endpoint_auth_method`.
    pub token_endpoint_auth_method: Option<AuthMethod>,
    /// `grant_types`.
    pub grant_types: Option<Vec<GrantType>>,
    /// `response_types`.
    pub response_types: Option<Vec<ResponseType>>,
    /// `application_type`.
    pub application_type: Option<ApplicationType>,
    /// `client_name` and `client_name#tag`.
    pub client_name: Localized,
    /// `client_uri` and `client_uri#tag`.
    pub client_uri: Localized,
    /// `logo_uri` and `logo_uri#tag`.
    pub logo_uri: Localized,
    /// `tos_uri` and `tos_uri#tag`.
    pub tos_uri: Localized,
    /// `policy_uri` and `policy_uri#tag`.
    pub policy_uri: Localized,
    /// `contacts`.
    pub contacts: Option<Vec<String>>,
    /// `scope`: space-separated scope values.
    pub scope: Option<String>,
    /// `jwks_uri`.
    pub jwks_uri: Option<String>,
    /// `jwks`: a JWK Set of public keys.
    pub jwks: Option<Map<String, Value>>,
    /// `software_id`.
    pub software_id: Option<String>,
    /// `software_version`.
    pub software_version: Option<String>,
    /// `subject_type`.
    pub subject_type: Option<SubjectType>,
    /// `sector_identifier_uri`.
    pub sector_identifier_uri: Option<String>,
    /// `id_token_signed_response_alg`.
    pub id_token_signed_response_alg: Option<String>,
    /// `id_token_encrypted_response_alg`.
    pub id_token_encrypted_response_alg: Option<String>,
    /// `id_token_encrypted_response_enc`.
    pub id_token_encrypted_response_enc: Option<String>,
    /// `userinfo_signed_response_alg`.
    pub userinfo_signed_response_alg: Option<String>,
    /// `userinfo_encrypted_response_alg`.
    pub userinfo_encrypted_response_alg: Option<String>,
    /// `userinfo_encrypted_response_enc`.
    pub userinfo_encrypted_response_enc: Option<String>,
    /// `request_object_signing_alg`.
    pub request_object_signing_alg: Option<String>,
    /// `request_object_encryption_alg`.
    pub request_object_encryption_alg: Option<String>,
    /// `request_object_encryption_enc`.
    pub request_object_encryption_enc: Option<String>,
    /// `token_endpoint_auth_signing_alg`.
    pub token_endpoint_auth_signing_alg: Option<String>,
    /// `default_max_age`, in seconds.
    pub default_max_age: Option<u64>,
    /// `require_auth_time`.
    pub require_auth_time: Option<bool>,
    /// `default_acr_values`.
    pub default_acr_values: Option<Vec<String>>,
    /// `initiate_login_uri`.
    pub initiate_login_uri: Option<String>,
    /// `request_uris`.
    pub request_uris: Option<Vec<String>>,
    /// `post_logout_redirect_uris` (OpenID Connect RP-Initiated Logout).
    pub post_logout_redirect_uris: Option<Vec<String>>,
    /// `frontchannel_logout_uri`.
    pub frontchannel_logout_uri: Option<String>,
    /// `frontchannel_logout_session_required`.
    pub frontchannel_logout_session_required: Option<bool>,
    /// `backchannel_logout_uri`.
    pub backchannel_logout_uri: Option<String>,
    /// `backchannel_logout_session_required`.
    pub backchannel_logout_session_required: Option<bool>,
    /// `authorization_signed_response_alg` (JWT Secured Authorization Response Mode, JARM).
    pub authorization_signed_response_alg: Option<String>,
    /// `authorization_encrypted_response_alg` (JARM).
    pub authorization_encrypted_response_alg: Option<String>,
    /// `authorization_encrypted_response_enc` (JARM).
    pub authorization_encrypted_response_enc: Option<String>,
    /// `introspection_signed_response_alg` (RFC 9701): JWT introspection responses.
    pub introspection_signed_response_alg: Option<String>,
    /// `introspection_encrypted_response_alg` (RFC 9701).
    pub introspection_encrypted_response_alg: Option<String>,
    /// `introspection_encrypted_response_enc` (RFC 9701).
    pub introspection_encrypted_response_enc: Option<String>,
    /// `tls_client_auth_subject_dn` (RFC 8705 §2.1.2): the certificate's subject DN.
    pub tls_client_auth_subject_dn: Option<String>,
    /// `tls_client_auth_san_dns` (RFC 8705 §2.1.2): a dNSName SAN of the certificate.
    pub tls_client_auth_san_dns: Option<String>,
    /// `tls_client_auth_san_uri` (RFC 8705 §2.1.2): a uniformResourceIdentifier SAN.
    pub tls_client_auth_san_uri: Option<String>,
    /// `tls_client_auth_san_ip` (RFC 8705 §2.1.2): an iPAddress SAN, IPv4 or IPv6 text form.
    pub tls_client_auth_san_ip: Option<String>,
    /// `tls_client_auth_san_email` (RFC 8705 §2.1.2): an rfc822Name SAN.
    pub tls_client_auth_san_email: Option<String>,
    /// `tls_client_certificate_bound_access_tokens` (RFC 8705 §3.4).
    pub tls_client_certificate_bound_access_tokens: Option<bool>,
    /// `require_pushed_authorization_requests` (RFC 9126 §6).
    pub require_pushed_authorization_requests: Option<bool>,
    /// `dpop_bound_access_tokens` (RFC 9449 §5.2).
    pub dpop_bound_access_tokens: Option<bool>,
    /// `require_signed_request_object` (RFC 9101).
    pub require_signed_request_object: Option<bool>,
    /// `authorization_details_types` (RFC 9396).
    pub authorization_details_types: Option<Vec<String>>,
    /// Members this crate does not model. [`parse`](fn@super::parse) collects every such member
    /// (server-controlled ones such as `client_id` included); [`validate`](fn@super::validate)
    /// keeps only those the server declared in [`MetadataRules::extensions`](super::MetadataRules::extensions),
    /// checked, and drops the rest (RFC 7591 §2: unknown members are ignored).
    pub extensions: Map<String, Value>,
}
