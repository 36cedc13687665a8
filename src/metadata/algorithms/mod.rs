//! The JWS / JWE algorithm members (OpenID Connect Registration §2): one table, read both by
//! validation and by discovery, so that what is advertised (`*_alg_values_supported`,
//! `*_enc_values_supported`) is exactly what registration accepts.
//!
//! Rules, beyond the allow-lists of [`MetadataRules`]:
//! - `id_token_signed_response_alg` defaults to `RS256` (OpenID Connect Registration §2);
//! - a `*_enc` without its `*_alg` is refused, a `*_alg` without its `*_enc` gets `A128CBC-HS256`
//!   (OpenID Connect Registration §2; JARM §3 likewise for `authorization_encrypted_response_enc`);
//! - `none` is refused for `token_endpoint_auth_signing_alg` (RFC 8414 §2),
//!   `authorization_signed_response_alg` (JARM §3) and `introspection_signed_response_alg`
//!   (an unsigned JWT introspection response protects nothing), and for
//!   `id_token_signed_response_alg` when a response type returns an ID token from the
//!   authorization endpoint (an unsigned ID token in a front-channel response protects
//!   nothing);
//! - `token_endpoint_auth_signing_alg` fits the method: HMAC for `client_secret_jwt`, never
//!   HMAC for `private_key_jwt` (OpenID Connect Core §9);
//! - HMAC signing and symmetric key management use a key derived from the client secret
//!   (OpenID Connect Core §10.1, §10.2): only for clients that are issued one;
//! - the server encrypts ID tokens, userinfo, authorization and introspection responses to a
//!   public key of the client: an asymmetric `*_encrypted_response_alg` needs `jwks` or `jwks_uri`;
//! - `require_signed_request_object: true` (RFC 9101) excludes
//!   `request_object_signing_alg: none`.
//!
//! Owns the algorithm members' rules and their discovery names. Must not know JWK key
//! material (the `jwk` module).

use super::error::MetadataError;
use super::model::ClientMetadata;
use super::rules::MetadataRules;
use crate::syntax::quoted;

/// The `*_enc` value registered when a `*_alg` is given without it
/// (OpenID Connect Registration §2).
const DEFAULT_ENC: &str = "A128CBC-HS256";

/// The `id_token_signed_response_alg` registered when none is given.
const DEFAULT_ID_TOKEN_ALG: &str = "RS256";

/// Which list of [`MetadataRules`] a member's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AlgorithmKind {
    /// A JWS `alg`: [`MetadataRules::signing_algs`].
    Signing,
    /// A JWE `alg`: [`MetadataRules::encryption_algs`].
    KeyManagement,
    /// A JWE `enc`: [`MetadataRules::encryption_encs`].
    ContentEncryption,
}

/// One algorithm member and the provider-metadata member that advertises its values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AlgorithmMember {
    /// The client metadata member.
    pub member: &'static str,
    /// The discovery member listing the accepted values.
    pub discovery: &'static str,
    pub kind: AlgorithmKind,
    /// Whether `none` is refused (and so not advertised) even when the rules list it.
    pub refuses_none: bool,
    field: fn(&ClientMetadata) -> &Option<String>,
}

impl AlgorithmMember {
    /// The values registration accepts for this member, in the order of the rules.
    pub(crate) fn accepted<'r>(&self, rules: &'r MetadataRules) -> Vec<&'r str> {
        self.rules_list(rules)
            .iter()
            .map(String::as_str)
            .filter(|alg| !(self.refuses_none && *alg == "none"))
            .collect()
    }

    /// Whether `value` is one of [`accepted`](Self::accepted), without building the list (on
    /// every registration).
    pub(crate) fn accepts(&self, rules: &MetadataRules, value: &str) -> bool {
        !(self.refuses_none && value == "none") && self.rules_list(rules).iter().any(|a| a == value)
    }

    fn rules_list<'r>(&self, rules: &'r MetadataRules) -> &'r [String] {
        match self.kind {
            AlgorithmKind::Signing => &rules.signing_algs,
            AlgorithmKind::KeyManagement => &rules.encryption_algs,
            AlgorithmKind::ContentEncryption => &rules.encryption_encs,
        }
    }
}

macro_rules! member {
    ($field:ident, $discovery:literal, $kind:ident, $refuses_none:literal) => {
        AlgorithmMember {
            member: stringify!($field),
            discovery: $discovery,
            kind: AlgorithmKind::$kind,
            refuses_none: $refuses_none,
            field: |m| &m.$field,
        }
    };
}

/// Every algorithm member, in the order of [`ClientMetadata`].
pub(crate) const ALGORITHM_MEMBERS: &[AlgorithmMember] = &[
    member!(
        id_token_signed_response_alg,
        "id_token_signing_alg_values_supported",
        Signing,
        false
    ),
    member!(
        id_token_encrypted_response_alg,
        "id_token_encryption_alg_values_supported",
        KeyManagement,
        false
    ),
    member!(
        id_token_encrypted_response_enc,
        "id_token_encryption_enc_values_supported",
        ContentEncryption,
        false
    ),
    member!(
        userinfo_signed_response_alg,
        "userinfo_signing_alg_values_supported",
        Signing,
        false
    ),
    member!(
        userinfo_encrypted_response_alg,
        "userinfo_encryption_alg_values_supported",
        KeyManagement,
        false
    ),
    member!(
        userinfo_encrypted_response_enc,
        "userinfo_encryption_enc_values_supported",
        ContentEncryption,
        false
    ),
    member!(
        request_object_signing_alg,
        "request_object_signing_alg_values_supported",
        Signing,
        false
    ),
    member!(
        request_object_encryption_alg,
        "request_object_encryption_alg_values_supported",
        KeyManagement,
        false
    ),
    member!(
        request_object_encryption_enc,
        "request_object_encryption_enc_values_supported",
        ContentEncryption,
        false
    ),
    member!(
        token_endpoint_auth_signing_alg,
        "token_endpoint_auth_signing_alg_values_supported",
        Signing,
        true
    ),
    member!(
        authorization_signed_response_alg,
        "authorization_signing_alg_values_supported",
        Signing,
        true
    ),
    member!(
        authorization_encrypted_response_alg,
        "authorization_encryption_alg_values_supported",
        KeyManagement,
        false
    ),
    member!(
        authorization_encrypted_response_enc,
        "authorization_encryption_enc_values_supported",
        ContentEncryption,
        false
    ),
    member!(
        introspection_signed_response_alg,
        "introspection_signing_alg_values_supported",
        Signing,
        true
    ),
    member!(
        introspection_encrypted_response_alg,
        "introspection_encryption_alg_values_supported",
        KeyManagement,
        false
    ),
    member!(
        introspection_encrypted_response_enc,
        "introspection_encryption_enc_values_supported",
        ContentEncryption,
        false
    ),
];

/// An encryption pair: the `alg` member, the `enc` member, and whether the server encrypts to
/// the client's key (`true`) or the client to the server's (`false`, request objects).
type EncryptionPair = (
    &'static str,
    &'static str,
    fn(&mut ClientMetadata) -> (&Option<String>, &mut Option<String>),
    bool,
);

const ENCRYPTION_PAIRS: [EncryptionPair; 5] = [
    (
        "id_token_encrypted_response_alg",
        "id_token_encrypted_response_enc",
        |m| {
            (
                &m.id_token_encrypted_response_alg,
                &mut m.id_token_encrypted_response_enc,
            )
        },
        true,
    ),
    (
        "userinfo_encrypted_response_alg",
        "userinfo_encrypted_response_enc",
        |m| {
            (
                &m.userinfo_encrypted_response_alg,
                &mut m.userinfo_encrypted_response_enc,
            )
        },
        true,
    ),
    (
        "request_object_encryption_alg",
        "request_object_encryption_enc",
        |m| {
            (
                &m.request_object_encryption_alg,
                &mut m.request_object_encryption_enc,
            )
        },
        false,
    ),
    (
        "authorization_encrypted_response_alg",
        "authorization_encrypted_response_enc",
        |m| {
            (
                &m.authorization_encrypted_response_alg,
                &mut m.authorization_encrypted_response_enc,
            )
        },
        true,
    ),
    (
        "introspection_encrypted_response_alg",
        "introspection_encrypted_response_enc",
        |m| {
            (
                &m.introspection_encrypted_response_alg,
                &mut m.introspection_encrypted_response_enc,
            )
        },
        true,
    ),
];

/// Whether a JWS `alg` is an HMAC (keyed with the client secret).
pub(super) fn is_hmac(alg: &str) -> bool {
    alg.starts_with("HS")
}

/// Whether a JWE `alg` is symmetric key management (keyed with the client secret).
pub(super) fn is_symmetric_key_management(alg: &str) -> bool {
    alg == "dir" || alg.starts_with("PBES2") || (alg.starts_with('A') && alg.ends_with("KW"))
}

fn invalid(description: String) -> MetadataError {
    MetadataError::client_metadata(description)
}

/// The defaults, the `none` rules, the allow-lists, and the rules tying algorithms to keys and
/// secrets.
pub(super) fn algorithms(
    meta: &mut ClientMetadata,
    rules: &MetadataRules,
) -> Result<(), MetadataError> {
    let mut defaulted: Vec<&'static str> = Vec::new();
    for (alg_name, enc_name, pair, _) in ENCRYPTION_PAIRS {
        let (alg, enc) = pair(meta);
        match (alg.is_some(), enc.is_some()) {
            (false, true) => return Err(invalid(format!("{enc_name}: requires {alg_name}"))),
            (true, false) => {
                *enc = Some(DEFAULT_ENC.to_owned());
                defaulted.push(enc_name);
            }
            _ => {}
        }
    }
    if meta.id_token_signed_response_alg.is_none() {
        meta.id_token_signed_response_alg = Some(DEFAULT_ID_TOKEN_ALG.to_owned());
        defaulted.push("id_token_signed_response_alg");
    }

    // `none` for an ID token returned from the authorization endpoint.
    let returns_id_token = meta
        .response_types
        .iter()
        .flatten()
        .any(|rt| rt.has_id_token());
    if returns_id_token && meta.id_token_signed_response_alg.as_deref() == Some("none") {
        return Err(invalid(
            "id_token_signed_response_alg: 'none' is not allowed with a response type that returns an ID token"
                .into(),
        ));
    }

    for entry in ALGORITHM_MEMBERS {
        let Some(value) = (entry.field)(meta) else {
            continue;
        };
        if entry.refuses_none && value == "none" {
            return Err(invalid(format!("{}: 'none' is not allowed", entry.member)));
        }
        if !entry.accepts(rules, value) {
            return Err(invalid(if defaulted.contains(&entry.member) {
                format!(
                    "{0}: the default {1} is not supported; register {0} explicitly",
                    entry.member,
                    quoted(value)
                )
            } else {
                format!("{}: unsupported algorithm {}", entry.member, quoted(value))
            }));
        }
    }
    keys_for_algorithms(meta)
}

/// The rules tying algorithms to the client's authentication method, secret and keys.
fn keys_for_algorithms(meta: &ClientMetadata) -> Result<(), MetadataError> {
    let method = meta.token_endpoint_auth_method;
    if let (Some(method), Some(alg)) = (method, &meta.token_endpoint_auth_signing_alg) {
        use super::model::AuthMethod;
        match method {
            AuthMethod::ClientSecretJwt if !is_hmac(alg) => {
                return Err(invalid(format!(
                    "token_endpoint_auth_signing_alg: {} does not fit client_secret_jwt, which signs with the client secret (an HS algorithm)",
                    quoted(alg)
                )));
            }
            AuthMethod::PrivateKeyJwt if is_hmac(alg) => {
                return Err(invalid(format!(
                    "token_endpoint_auth_signing_alg: {} does not fit private_key_jwt, which signs with a private key (not an HS algorithm)",
                    quoted(alg)
                )));
            }
            _ => {}
        }
    }
    let has_secret = method.is_some_and(|m| m.uses_secret());
    if !has_secret {
        let symmetric = ALGORITHM_MEMBERS.iter().find_map(|entry| {
            let value = (entry.field)(meta).as_deref()?;
            let keyed_by_secret = match entry.kind {
                AlgorithmKind::Signing => is_hmac(value),
                AlgorithmKind::KeyManagement => is_symmetric_key_management(value),
                AlgorithmKind::ContentEncryption => false,
            };
            keyed_by_secret.then_some((entry.member, value))
        });
        if let Some((member, value)) = symmetric {
            let method = method.map_or("none", |m| m.as_str());
            return Err(invalid(format!(
                "{member}: {} is keyed with the client secret, and token_endpoint_auth_method {} issues none",
                quoted(value),
                quoted(method)
            )));
        }
    }
    let has_keys = meta.jwks.is_some() || meta.jwks_uri.is_some();
    if !has_keys {
        for (alg_name, _, _, to_client) in ENCRYPTION_PAIRS {
            let alg = ALGORITHM_MEMBERS
                .iter()
                .find(|entry| entry.member == alg_name)
                .and_then(|entry| (entry.field)(meta).as_deref());
            if let Some(alg) = alg
                && to_client
                && !is_symmetric_key_management(alg)
            {
                return Err(invalid(format!(
                    "{alg_name}: {} encrypts to a public key of the client; register jwks or jwks_uri",
                    quoted(alg)
                )));
            }
        }
    }
    if meta.require_signed_request_object == Some(true)
        && meta.request_object_signing_alg.as_deref() == Some("none")
    {
        return Err(invalid(
            "request_object_signing_alg: 'none' contradicts require_signed_request_object".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
