//! What the server accepts at registration ([`MetadataRules`]) and the default algorithm
//! lists.
//!
//! Owns the allow-lists and their defaults, and the narrowing for hashed client secrets. Must
//! not know how the rules are applied (`validate`) or advertised (discovery).

use super::algorithms::{is_hmac, is_symmetric_key_management};
use super::extensions::ExtensionMembers;
use super::model::{AuthMethod, GrantType, ResponseType, SubjectType};

/// JWS algorithms accepted by default for every `*_signed_response_alg` / `*_signing_alg` member:
/// the default of [`MetadataRules::signing_algs`].
pub const DEFAULT_SIGNING_ALGS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    "HS256", "HS384", "HS512", "none",
];

/// JWE key management algorithms accepted by default for every `*_encrypted_response_alg` /
/// `*_encryption_alg` member: the default of [`MetadataRules::encryption_algs`].
pub const DEFAULT_ENCRYPTION_ALGS: &[&str] = &[
    "RSA-OAEP",
    "RSA-OAEP-256",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A192KW",
    "ECDH-ES+A256KW",
    "A128KW",
    "A192KW",
    "A256KW",
    "A128GCMKW",
    "A192GCMKW",
    "A256GCMKW",
    "dir",
];

/// JWE content encryption algorithms accepted by default for every `*_enc` member: the default
/// of [`MetadataRules::encryption_encs`].
pub const DEFAULT_ENCRYPTION_ENCS: &[&str] = &[
    "A128CBC-HS256",
    "A192CBC-HS384",
    "A256CBC-HS512",
    "A128GCM",
    "A192GCM",
    "A256GCM",
];

/// What the server accepts at registration: the one source of truth for validation and for
/// the provider metadata advertised at discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetadataRules {
    /// Grant types a client may register. Default: `authorization_code`,
    /// `implicit`, `refresh_token`, `client_credentials`.
    pub grant_types: Vec<GrantType>,
    /// Response types a client may register. Default: every combination of `code`,
    /// `id_token` and `token` (not `none`).
    pub response_types: Vec<ResponseType>,
    /// Token endpoint authentication methods a client may register. Default:
    /// `client_secret_basic`, `client_secret_post`, `client_secret_jwt`, `private_key_jwt`, `none`.
    pub auth_methods: Vec<AuthMethod>,
    /// Subject types a client may register. Default: `public` and `pairwise`.
    pub subject_types: Vec<SubjectType>,
    /// JWS algorithms accepted in `*_signed_response_alg` and `*_signing_alg` members.
    /// Default: [`DEFAULT_SIGNING_ALGS`].
    pub signing_algs: Vec<String>,
    /// JWE `alg` values accepted in `*_encrypted_response_alg` and `*_encryption_alg` members.
    /// Default: [`DEFAULT_ENCRYPTION_ALGS`].
    pub encryption_algs: Vec<String>,
    /// JWE `enc` values accepted in `*_encrypted_response_enc` and `*_encryption_enc` members.
    /// Default: [`DEFAULT_ENCRYPTION_ENCS`].
    pub encryption_encs: Vec<String>,
    /// Whether native clients may use claimed `https` redirect URIs (RFC 8252 §7.2).
    /// Default: `true`.
    pub native_https_redirects: bool,
    /// Scope registered when the client asks for none. Default: none.
    pub default_scope: Option<String>,
    /// The `authorization_details_types` (RFC 9396) a client may register, advertised as
    /// `authorization_details_types_supported`; `None` (the default) accepts any type and
    /// advertises none.
    pub authorization_details_types: Option<Vec<String>>,
    /// Extension members the server accepts, checks, stores and echoes; every other member
    /// this crate does not model is ignored. Default: none.
    pub extensions: ExtensionMembers,
    /// Whether the URIs that the server or the host will dereference are refused
    /// (`invalid_client_metadata`) when their host is `localhost` (or a name under
    /// `.localhost`) or an IP literal of a special-purpose range: loopback, private,
    /// link-local (cloud metadata endpoints), CGNAT, unique-local, multicast, documentation...,
    /// the list the built-in fetcher refuses to connect to. The URIs are `jwks_uri`,
    /// `request_uris`, `sector_identifier_uri`, `backchannel_logout_uri`,
    /// `frontchannel_logout_uri`, `initiate_login_uri` and `logo_uri` (tagged variants
    /// included); not the redirect URIs, where loopback is legitimate for native applications,
    /// nor the links a user follows (`client_uri`, `tos_uri`, `policy_uri`).
    ///
    /// A first line of defence only: a host is judged by its text, and no name is resolved. A
    /// name that points to a private address, or will after a change of its DNS records, passes;
    /// whatever dereferences the URI must still check the address it connects to (as
    /// `fetch::HttpsFetcher` does). Default: `false`, so that development setups with local
    /// services keep working; a server open to the Internet should turn it on.
    ///
    /// ```
    /// use tower_oidc_registration::RegistrationConfig;
    /// use tower_oidc_registration::metadata::MetadataRules;
    ///
    /// let mut rules = MetadataRules::default();
    /// rules.refuse_special_purpose_hosts = true;
    /// let config = RegistrationConfig::builder("https://iam.example.org/")
    ///     .rules(rules)
    ///     .build()
    ///     .expect("config");
    /// assert!(config.rules().refuse_special_purpose_hosts);
    /// ```
    pub refuse_special_purpose_hosts: bool,
}

impl Default for MetadataRules {
    fn default() -> Self {
        Self {
            grant_types: vec![
                GrantType::AuthorizationCode,
                GrantType::Implicit,
                GrantType::RefreshToken,
                GrantType::ClientCredentials,
            ],
            response_types: vec![
                ResponseType::Code,
                ResponseType::IdToken,
                ResponseType::Token,
                ResponseType::CodeIdToken,
                ResponseType::CodeToken,
                ResponseType::IdTokenToken,
                ResponseType::CodeIdTokenToken,
            ],
            auth_methods: vec![
                AuthMethod::ClientSecretBasic,
                AuthMethod::ClientSecretPost,
                AuthMethod::ClientSecretJwt,
                AuthMethod::PrivateKeyJwt,
                AuthMethod::None,
            ],
            subject_types: vec![SubjectType::Public, SubjectType::Pairwise],
            signing_algs: DEFAULT_SIGNING_ALGS.iter().map(|s| s.to_string()).collect(),
            encryption_algs: DEFAULT_ENCRYPTION_ALGS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            encryption_encs: DEFAULT_ENCRYPTION_ENCS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            native_https_redirects: true,
            default_scope: None,
            authorization_details_types: None,
            extensions: ExtensionMembers::default(),
            refuse_special_purpose_hosts: false,
        }
    }
}

impl MetadataRules {
    /// Narrows the rules for a server that stores client secrets hashed, and so cannot use a
    /// secret as a key:
    /// - `client_secret_jwt` is refused: such a client signs its assertions with its secret as
    ///   the HMAC key, which the server must hold in clear to verify them;
    /// - HMAC signatures (`HS256`...) and symmetric key management (`A128KW`, `dir`...) are
    ///   refused: they are keyed with the client secret (OpenID Connect Core §10.1, §10.2).
    pub(crate) fn restrict_to_hashed_secrets(&mut self) {
        self.auth_methods
            .retain(|m| *m != AuthMethod::ClientSecretJwt);
        self.signing_algs.retain(|a| !is_hmac(a));
        self.encryption_algs
            .retain(|a| !is_symmetric_key_management(a));
    }
}
