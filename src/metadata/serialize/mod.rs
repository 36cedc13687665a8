//! [`ClientMetadata`] -> JSON members (checklist B1, B2, B4): every present member under its
//! JSON name, language-tagged members under `member#tag` with the tag as the client sent it.
//!
//! [`ClientMetadata::write_entries`] writes into a map the caller is already serializing, so
//! that a registration response can put `client_id`, `client_secret`... and the metadata in
//! one JSON object.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::lang;
use super::model::{ClientMetadata, Localized};

impl ClientMetadata {
    /// Writes every present member into `map`, in a stable order: `redirect_uris`,
    /// `client_name` (then its tagged variants), `client_uri`, `logo_uri`, `tos_uri`,
    /// `policy_uri` (likewise), `contacts`, `token_endpoint_auth_method`, `scope`,
    /// `grant_types`, `response_types`, `application_type`, then the other members in the
    /// order of the [`ClientMetadata`] fields, then the extension members. Absent members are not
    /// written.
    ///
    /// # Errors
    ///
    /// Whatever the underlying serializer returns.
    pub fn write_entries<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        opt(map, "redirect_uris", &self.redirect_uris)?;
        localized(map, "client_name", &self.client_name)?;
        localized(map, "client_uri", &self.client_uri)?;
        localized(map, "logo_uri", &self.logo_uri)?;
        localized(map, "tos_uri", &self.tos_uri)?;
        localized(map, "policy_uri", &self.policy_uri)?;
        opt(map, "contacts", &self.contacts)?;
        opt(
            map,
            "token_endpoint_auth_method",
            &self.token_endpoint_auth_method.map(|m| m.as_str()),
        )?;
        opt(map, "scope", &self.scope)?;
        opt(
            map,
            "grant_types",
            &self
                .grant_types
                .as_ref()
                .map(|v| v.iter().map(|g| g.as_str()).collect::<Vec<_>>()),
        )?;
        opt(
            map,
            "response_types",
            &self
                .response_types
                .as_ref()
                .map(|v| v.iter().map(|r| r.as_str()).collect::<Vec<_>>()),
        )?;
        opt(
            map,
            "application_type",
            &self.application_type.map(|a| a.as_str()),
        )?;
        opt(map, "jwks_uri", &self.jwks_uri)?;
        opt(map, "jwks", &self.jwks)?;
        opt(map, "software_id", &self.software_id)?;
        opt(map, "software_version", &self.software_version)?;
        opt(map, "subject_type", &self.subject_type.map(|s| s.as_str()))?;
        opt(map, "sector_identifier_uri", &self.sector_identifier_uri)?;
        opt(
            map,
            "id_token_signed_response_alg",
            &self.id_token_signed_response_alg,
        )?;
        opt(
            map,
            "id_token_encrypted_response_alg",
            &self.id_token_encrypted_response_alg,
        )?;
        opt(
            map,
            "id_token_encrypted_response_enc",
            &self.id_token_encrypted_response_enc,
        )?;
        opt(
            map,
            "userinfo_signed_response_alg",
            &self.userinfo_signed_response_alg,
        )?;
        opt(
            map,
            "userinfo_encrypted_response_alg",
            &self.userinfo_encrypted_response_alg,
        )?;
        opt(
            map,
            "userinfo_encrypted_response_enc",
            &self.userinfo_encrypted_response_enc,
        )?;
        opt(
            map,
            "request_object_signing_alg",
            &self.request_object_signing_alg,
        )?;
        opt(
            map,
            "request_object_encryption_alg",
            &self.request_object_encryption_alg,
        )?;
        opt(
            map,
            "request_object_encryption_enc",
            &self.request_object_encryption_enc,
        )?;
        opt(
            map,
            "token_endpoint_auth_signing_alg",
            &self.token_endpoint_auth_signing_alg,
        )?;
        opt(map, "default_max_age", &self.default_max_age)?;
        opt(map, "require_auth_time", &self.require_auth_time)?;
        opt(map, "default_acr_values", &self.default_acr_values)?;
        opt(map, "initiate_login_uri", &self.initiate_login_uri)?;
        opt(map, "request_uris", &self.request_uris)?;
        opt(
            map,
            "post_logout_redirect_uris",
            &self.post_logout_redirect_uris,
        )?;
        opt(
            map,
            "frontchannel_logout_uri",
            &self.frontchannel_logout_uri,
        )?;
        opt(
            map,
            "frontchannel_logout_session_required",
            &self.frontchannel_logout_session_required,
        )?;
        opt(map, "backchannel_logout_uri", &self.backchannel_logout_uri)?;
        opt(
            map,
            "backchannel_logout_session_required",
            &self.backchannel_logout_session_required,
        )?;
        let strings = [
            (
                "authorization_signed_response_alg",
                &self.authorization_signed_response_alg,
            ),
            (
                "authorization_encrypted_response_alg",
                &self.authorization_encrypted_response_alg,
            ),
            (
                "authorization_encrypted_response_enc",
                &self.authorization_encrypted_response_enc,
            ),
            (
                "introspection_signed_response_alg",
                &self.introspection_signed_response_alg,
            ),
            (
                "introspection_encrypted_response_alg",
                &self.introspection_encrypted_response_alg,
            ),
            (
                "introspection_encrypted_response_enc",
                &self.introspection_encrypted_response_enc,
            ),
            (
                "tls_client_auth_subject_dn",
                &self.tls_client_auth_subject_dn,
            ),
            ("tls_client_auth_san_dns", &self.tls_client_auth_san_dns),
            ("tls_client_auth_san_uri", &self.tls_client_auth_san_uri),
            ("tls_client_auth_san_ip", &self.tls_client_auth_san_ip),
            ("tls_client_auth_san_email", &self.tls_client_auth_san_email),
        ];
        for (name, value) in strings {
            opt(map, name, value)?;
        }
        let flags = [
            (
                "tls_client_certificate_bound_access_tokens",
                self.tls_client_certificate_bound_access_tokens,
            ),
            (
                "require_pushed_authorization_requests",
                self.require_pushed_authorization_requests,
            ),
            ("dpop_bound_access_tokens", self.dpop_bound_access_tokens),
            (
                "require_signed_request_object",
                self.require_signed_request_object,
            ),
        ];
        for (name, value) in flags {
            opt(map, name, &value)?;
        }
        opt(
            map,
            "authorization_details_types",
            &self.authorization_details_types,
        )?;
        // Declared extension members only: `validate` dropped the others.
        for (name, value) in &self.extensions {
            map.serialize_entry(name, value)?;
        }
        Ok(())
    }
}

impl Serialize for ClientMetadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.write_entries(&mut map)?;
        map.end()
    }
}

/// Writes `name: value` when `value` is present.
fn opt<M: SerializeMap, T: Serialize>(
    map: &mut M,
    name: &str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(value) => map.serialize_entry(name, value),
        None => Ok(()),
    }
}

/// Writes `member` and each `member#tag`.
fn localized<M: SerializeMap>(
    map: &mut M,
    member: &str,
    value: &Localized,
) -> Result<(), M::Error> {
    for (tag, text) in value.values() {
        map.serialize_entry(&lang::tagged_name(member, tag), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
