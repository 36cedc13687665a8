//! Discovery (OpenID Connect Discovery 1.0 §3, RFC 8414 §2): the provider-metadata members
//! that describe registration, built from the same rules that registration enforces, so the
//! advertised and the enforced values cannot drift apart.

use serde_json::{Map, Value, json};

use super::Registry;
use crate::metadata;

impl Registry {
    /// The members of `/.well-known/openid-configuration` that concern registration:
    /// `registration_endpoint`, `token_endpoint_auth_methods_supported`,
    /// `grant_types_supported`, `response_types_supported`, `subject_types_supported`,
    /// `scopes_supported` (when scopes are restricted), and the algorithm lists of every
    /// algorithm member (`id_token_signing_alg_values_supported`,
    /// `id_token_encryption_alg_values_supported`, `id_token_encryption_enc_values_supported`,
    /// likewise for `userinfo`, `request_object`, JARM's `authorization` and RFC 9701's
    /// `introspection`, and
    /// `token_endpoint_auth_signing_alg_values_supported`), and
    /// `authorization_details_types_supported` when the types are restricted, and
    /// `client_id_metadata_document_supported` when client id metadata documents are enabled. Merge them into
    /// the host's own document.
    pub fn provider_metadata(&self) -> Map<String, Value> {
        let rules = &self.settings.rules;
        let mut members = Map::new();
        members.insert(
            "registration_endpoint".into(),
            json!(self.settings.registration_endpoint),
        );
        members.insert(
            "token_endpoint_auth_methods_supported".into(),
            json!(
                rules
                    .auth_methods
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
            ),
        );
        members.insert(
            "grant_types_supported".into(),
            json!(
                rules
                    .grant_types
                    .iter()
                    .map(|g| g.as_str())
                    .collect::<Vec<_>>()
            ),
        );
        members.insert(
            "response_types_supported".into(),
            json!(
                rules
                    .response_types
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
            ),
        );
        members.insert(
            "subject_types_supported".into(),
            json!(
                rules
                    .subject_types
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
            ),
        );
        if let Some(scopes) = &self.settings.allowed_scopes {
            members.insert(
                "scopes_supported".into(),
                json!(scopes.allowed().collect::<Vec<_>>()),
            );
        }
        if self.settings.client_id_documents.is_some() {
            // draft-ietf-oauth-client-id-metadata-document §5: URL client ids are resolved.
            members.insert("client_id_metadata_document_supported".into(), json!(true));
        }
        if let Some(types) = &rules.authorization_details_types {
            members.insert("authorization_details_types_supported".into(), json!(types));
        }
        // One table drives both this and validation: what is advertised is what is accepted
        // (`none` left out where it is refused: RFC 8414 §2, JARM §3).
        for entry in metadata::ALGORITHM_MEMBERS {
            members.insert(entry.discovery.into(), json!(entry.accepted(rules)));
        }
        members
    }
}
