//! The client metadata members, declared once.
//!
//! [`client_metadata_members!`] is the table: one line per member the crate models, in the
//! order members are parsed and echoed, with the member's rustdoc, its Rust type and its
//! *kind*. The kind says what JSON the member takes, and so selects its parse and serialize
//! code:
//!
//! | kind | JSON | field type |
//! |---|---|---|
//! | `text` | a string | `Option<String>` |
//! | `url` | a non-empty string (a URL, checked by `validate`) | `Option<String>` |
//! | `text_list` | an array of strings | `Option<Vec<String>>` |
//! | `url_list` | an array of non-empty strings | `Option<Vec<String>>` |
//! | `redirect_uri_list` | `url_list`, its type errors `invalid_redirect_uri` | `Option<Vec<String>>` |
//! | `flag` | `true` or `false` | `Option<bool>` |
//! | `non_negative_integer` | an integer, 0 or more | `Option<u64>` |
//! | `json_object` | a JSON object | `Option<Map<String, Value>>` |
//! | `localized_text` | a string, and `member#tag` strings (RFC 7591 §2.2) | [`Localized`] |
//! | `localized_url` | `url`, and `member#tag` URLs | [`Localized`] |
//! | `one_of(what, from_wire)` | one enumerated string value | `Option<Enum>` |
//! | `set_of(what, from_wire)` | an array of enumerated values, duplicates dropped | `Option<Vec<Enum>>` |
//!
//! Every module that needs the list of members derives its code from the table by passing it
//! a macro of its own: the model declares the fields of [`ClientMetadata`](super::ClientMetadata)
//! (`model.rs`), the parser reads each member (`parse`), the serializer writes each
//! (`serialize`), the language-tag rules find the localized members (`lang`), and
//! [`MEMBER_NAMES`] below lists the names (which extension members may not reuse).
//!
//! [`SERVER_MEMBERS`] lists the other members of registration responses, those the server
//! sets.
//!
//! Adding a plain member is one line here, plus its rule in `validate` if it has one. What a
//! member *means* (defaults, allowed values, consistency with other members) is not here:
//! that is `validate`'s.
//!
//! [`Localized`]: super::Localized

/// Calls `$then! { ... }` with every modeled member, in wire order (the order members are
/// parsed, and echoed): `/// rustdoc`, `name: Type => kind,`.
macro_rules! client_metadata_members {
    ($then:ident) => {
        $then! {
            /// `redirect_uris`, exactly as sent.
            redirect_uris: Option<Vec<String>> => redirect_uri_list,
            /// `client_name` and `client_name#tag`.
            client_name: Localized => localized_text,
            /// `client_uri` and `client_uri#tag`.
            client_uri: Localized => localized_url,
            /// `logo_uri` and `logo_uri#tag`.
            logo_uri: Localized => localized_url,
            /// `tos_uri` and `tos_uri#tag`.
            tos_uri: Localized => localized_url,
            /// `policy_uri` and `policy_uri#tag`.
            policy_uri: Localized => localized_url,
            /// `contacts`.
            contacts: Option<Vec<String>> => text_list,
            /// `token_endpoint_auth_method`.
            token_endpoint_auth_method: Option<AuthMethod> => one_of("authentication method", AuthMethod::from_wire),
            /// `scope`: space-separated scope values.
            scope: Option<String> => text,
            /// `grant_types`.
            grant_types: Option<Vec<GrantType>> => set_of("grant type", GrantType::from_wire),
            /// `response_types`.
            response_types: Option<Vec<ResponseType>> => set_of("response type", ResponseType::parse_set),
            /// `application_type`.
            application_type: Option<ApplicationType> => one_of("application type", ApplicationType::from_wire),
            /// `jwks_uri`.
            jwks_uri: Option<String> => url,
            /// `jwks`: a JWK Set of public keys.
            jwks: Option<Map<String, Value>> => json_object,
            /// `software_id`.
            software_id: Option<String> => text,
            /// `software_version`.
            software_version: Option<String> => text,
            /// `subject_type`.
            subject_type: Option<SubjectType> => one_of("subject type", SubjectType::from_wire),
            /// `sector_identifier_uri`.
            sector_identifier_uri: Option<String> => url,
            /// `id_token_signed_response_alg`.
            id_token_signed_response_alg: Option<String> => text,
            /// `id_token_encrypted_response_alg`.
            id_token_encrypted_response_alg: Option<String> => text,
            /// `id_token_encrypted_response_enc`.
            id_token_encrypted_response_enc: Option<String> => text,
            /// `userinfo_signed_response_alg`.
            userinfo_signed_response_alg: Option<String> => text,
            /// `userinfo_encrypted_response_alg`.
            userinfo_encrypted_response_alg: Option<String> => text,
            /// `userinfo_encrypted_response_enc`.
            userinfo_encrypted_response_enc: Option<String> => text,
            /// `request_object_signing_alg`.
            request_object_signing_alg: Option<String> => text,
            /// `request_object_encryption_alg`.
            request_object_encryption_alg: Option<String> => text,
            /// `request_object_encryption_enc`.
            request_object_encryption_enc: Option<String> => text,
            /// `token_endpoint_auth_signing_alg`.
            token_endpoint_auth_signing_alg: Option<String> => text,
            /// `default_max_age`, in seconds.
            default_max_age: Option<u64> => non_negative_integer,
            /// `require_auth_time`.
            require_auth_time: Option<bool> => flag,
            /// `default_acr_values`.
            default_acr_values: Option<Vec<String>> => text_list,
            /// `initiate_login_uri`.
            initiate_login_uri: Option<String> => url,
            /// `request_uris`.
            request_uris: Option<Vec<String>> => url_list,
            /// `post_logout_redirect_uris` (OpenID Connect RP-Initiated Logout).
            post_logout_redirect_uris: Option<Vec<String>> => url_list,
            /// `frontchannel_logout_uri`.
            frontchannel_logout_uri: Option<String> => url,
            /// `frontchannel_logout_session_required`.
            frontchannel_logout_session_required: Option<bool> => flag,
            /// `backchannel_logout_uri`.
            backchannel_logout_uri: Option<String> => url,
            /// `backchannel_logout_session_required`.
            backchannel_logout_session_required: Option<bool> => flag,
            /// `authorization_signed_response_alg` (JWT Secured Authorization Response Mode, JARM).
            authorization_signed_response_alg: Option<String> => text,
            /// `authorization_encrypted_response_alg` (JARM).
            authorization_encrypted_response_alg: Option<String> => text,
            /// `authorization_encrypted_response_enc` (JARM).
            authorization_encrypted_response_enc: Option<String> => text,
            /// `introspection_signed_response_alg` (RFC 9701): JWT introspection responses.
            introspection_signed_response_alg: Option<String> => text,
            /// `introspection_encrypted_response_alg` (RFC 9701).
            introspection_encrypted_response_alg: Option<String> => text,
            /// `introspection_encrypted_response_enc` (RFC 9701).
            introspection_encrypted_response_enc: Option<String> => text,
            /// `tls_client_auth_subject_dn` (RFC 8705 §2.1.2): the certificate's subject DN.
            tls_client_auth_subject_dn: Option<String> => text,
            /// `tls_client_auth_san_dns` (RFC 8705 §2.1.2): a dNSName SAN of the certificate.
            tls_client_auth_san_dns: Option<String> => text,
            /// `tls_client_auth_san_uri` (RFC 8705 §2.1.2): a uniformResourceIdentifier SAN.
            tls_client_auth_san_uri: Option<String> => text,
            /// `tls_client_auth_san_ip` (RFC 8705 §2.1.2): an iPAddress SAN, IPv4 or IPv6 text form.
            tls_client_auth_san_ip: Option<String> => text,
            /// `tls_client_auth_san_email` (RFC 8705 §2.1.2): an rfc822Name SAN.
            tls_client_auth_san_email: Option<String> => text,
            /// `tls_client_certificate_bound_access_tokens` (RFC 8705 §3.4).
            tls_client_certificate_bound_access_tokens: Option<bool> => flag,
            /// `require_pushed_authorization_requests` (RFC 9126 §6).
            require_pushed_authorization_requests: Option<bool> => flag,
            /// `dpop_bound_access_tokens` (RFC 9449 §5.2).
            dpop_bound_access_tokens: Option<bool> => flag,
            /// `require_signed_request_object` (RFC 9101).
            require_signed_request_object: Option<bool> => flag,
            /// `authorization_details_types` (RFC 9396).
            authorization_details_types: Option<Vec<String>> => text_list,
        }
    };
}
pub(super) use client_metadata_members;

/// Declares [`MEMBER_NAMES`] from the table.
macro_rules! member_names {
    ($($(#[$doc:meta])* $field:ident: $ty:ty => $kind:ident $(($($arg:tt)*))?,)*) => {
        /// The name of every member of [`ClientMetadata`](super::ClientMetadata), in wire
        /// order. Extension members may not reuse them.
        pub(super) const MEMBER_NAMES: &[&str] = &[$(stringify!($field)),*];
    };
}
client_metadata_members!(member_names);

/// The members only the server sets, in responses (RFC 7591 §3.2.1, RFC 7592 §3), or that it
/// processes before the metadata (`software_statement`, RFC 7591 §3.1.1): the one list of
/// them. None is client metadata: an extension member may not take one of these names, and a
/// software statement's claim of one of these names is not registered.
pub(crate) const SERVER_MEMBERS: &[&str] = &[
    "client_id",
    "client_secret",
    "client_id_issued_at",
    "client_secret_expires_at",
    "registration_access_token",
    "registration_client_uri",
    "software_statement",
];
