//! Discovery (OpenID Connect Discovery 1.0 §3, RFC 8414 §2): the provider-metadata members
//! that describe registration, built from the same rules that registration enforces, so the
//! advertised and the enforced values cannot drift apart (checklist J1, J2).

use serde_json::{Map, Value, json};

use super::Registry;

fn names(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

impl Registry {
    /// The members of `/.well-known/openid-configuration` that concern registration:
    /// `registration_endpoint`, `token_endpoint_auth_methods_supported`,
    /// `grant_types_supported`, `response_types_supported`, `subject_types_supported`,
    /// `scopes_supported` (when scopes are restricted), and the algorithm lists. Merge them
    /// into the host's own document.
    pub fn provider_metadata(&self) -> Map<String, Value> {
        let rules = &self.inner.rules;
        let signing = names(&rules.signing_algs);
        let signing_without_none: Vec<&str> =
            signing.iter().copied().filter(|a| *a != "none").collect();
        let mut members = Map::new();
        members.insert(
            "registration_endpoint".into(),
            json!(self.inner.registration_endpoint),
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
        if let Some(scopes) = &self.inner.allowed_scopes {
            members.insert(
                "scopes_supported".into(),
                json!(scopes.allowed().collect::<Vec<_>>()),
            );
        }
        members.insert(
            "id_token_signing_alg_values_supported".into(),
            json!(signing),
        );
        members.insert(
            "userinfo_signing_alg_values_supported".into(),
            json!(signing),
        );
        members.insert(
            "request_object_signing_alg_values_supported".into(),
            json!(signing),
        );
        // RFC 8414: "none" MUST NOT be used for token endpoint authentication.
        members.insert(
            "token_endpoint_auth_signing_alg_values_supported".into(),
            json!(signing_without_none),
        );
        for prefix in ["id_token", "userinfo", "request_object"] {
            members.insert(
                format!("{prefix}_encryption_alg_values_supported"),
                json!(names(&rules.encryption_algs)),
            );
            members.insert(
                format!("{prefix}_encryption_enc_values_supported"),
                json!(names(&rules.encryption_encs)),
            );
        }
        members
    }
}
