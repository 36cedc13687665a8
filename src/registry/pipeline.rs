//! The metadata pipeline that every registration and update goes through, over HTTP and from
//! the host alike: the limits, the software statement's claims, parsing, the RFC rules, the
//! policies (then the rules again, since a policy may rewrite), the sector identifier check,
//! and the rendering for storage. Nothing is stored here.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{Registry, sector};
use crate::context::RequestContext;
use crate::error::RegistrationError;
use crate::metadata::{self, ClientMetadata};
use crate::policy::{Operation, PolicyContext, PolicyError, RegistrationPolicy};
use crate::software_statement;
use crate::store::MetadataJson;

/// Request metadata that passed the rules and the policies, rendered for storage.
pub(super) struct CheckedMetadata {
    pub(super) json: MetadataJson,
    pub(super) auth_method: metadata::AuthMethod,
}

impl CheckedMetadata {
    /// Whether the authentication method needs a client secret (`client_secret_basic`, `client_secret_post`, `client_secret_jwt`).
    pub(super) fn uses_secret(&self) -> bool {
        self.auth_method.uses_secret()
    }
}

impl Registry {
    /// Parses and validates request metadata (the same rules for registration and update),
    /// applies the policies, and renders it once for storage and every later response.
    pub(super) async fn checked_metadata(
        &self,
        context: &RequestContext,
        operation: Operation,
        client_id: Option<&str>,
        request: Map<String, Value>,
        bound_policy: Option<&Arc<dyn RegistrationPolicy>>,
    ) -> Result<CheckedMetadata, RegistrationError> {
        // The one place every request's metadata enters (HTTP and host, register and update):
        // bounded before anything else reads it.
        metadata::check_limits(&request, &self.settings.metadata_limits)?;
        // The statement's claims take precedence over the body's members: they are written over
        // the request before the rules see it, so that they obey the same rules.
        let mut request = request;
        let required = self
            .settings
            .software_statements
            .required_for(&context.caller);
        let statement = self
            .settings
            .software_statements
            .apply(&mut request, required, self.now())
            .await?;
        if statement.is_some() {
            // A statement's claims were written in after the first check: a trusted issuer's
            // statement is bounded the same (its `redirect_uris`, say, at most 64 of them).
            metadata::check_limits(&request, &self.settings.metadata_limits)?;
        }
        let parsed = metadata::parse_owned(request)?;
        let mut valid = metadata::validate(parsed, &self.settings.rules)?;
        let has_policy = self.settings.caller_restrictions.is_some()
            || self.settings.allowed_scopes.is_some()
            || !self.settings.policies.is_empty()
            || bound_policy.is_some();
        if has_policy {
            valid = self
                .apply_policies(context, operation, client_id, valid, bound_policy)
                .await?;
            // A policy may rewrite: what it returns must still obey the RFC rules.
            valid = metadata::validate(valid, &self.settings.rules)?;
        }
        // Last, as it costs a request: what is registered is final by now.
        sector::check(&valid, self.settings.uri_fetcher.as_deref()).await?;
        let mut json = MetadataJson::render(&valid);
        if let Some(statement) = statement {
            json = software_statement::registered_with(&json, &statement)?;
        }
        Ok(CheckedMetadata {
            auth_method: valid
                .token_endpoint_auth_method
                .unwrap_or(metadata::AuthMethod::ClientSecretBasic),
            json,
        })
    }

    pub(super) async fn apply_policies(
        &self,
        context: &RequestContext,
        operation: Operation,
        client_id: Option<&str>,
        mut metadata: ClientMetadata,
        bound_policy: Option<&Arc<dyn RegistrationPolicy>>,
    ) -> Result<ClientMetadata, RegistrationError> {
        let policy_context = PolicyContext {
            operation,
            request: context,
            client_id,
            store: self.settings.store.as_ref(),
        };
        let policies = self
            .settings
            .caller_restrictions
            .iter()
            .map(|p| p.as_ref() as &dyn RegistrationPolicy)
            .chain(
                self.settings
                    .allowed_scopes
                    .iter()
                    .map(|p| p.as_ref() as &dyn RegistrationPolicy),
            )
            .chain(std::iter::once(
                &self.settings.policies as &dyn RegistrationPolicy,
            ))
            .chain(bound_policy.map(|p| p.as_ref()));
        for policy in policies {
            metadata = policy
                .apply(&policy_context, metadata)
                .await
                .map_err(|err| match err {
                    PolicyError::Metadata(m) => RegistrationError::Metadata(m),
                    PolicyError::Denied(why) => RegistrationError::Forbidden(why),
                })?;
        }
        Ok(metadata)
    }
}
