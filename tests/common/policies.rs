//! Policies the tests bind to initial access tokens.

use async_trait::async_trait;
use tower_oidc_registration::metadata::{ClientMetadata, MetadataError};
use tower_oidc_registration::policy::{PolicyContext, PolicyError, RegistrationPolicy};

/// Refuses the client name `forbidden`, with `invalid_client_metadata`.
pub struct ForbidName;

/// The name tests register [`ForbidName`] under.
pub const FORBID_NAME: &str = "forbid-name";

#[async_trait]
impl RegistrationPolicy for ForbidName {
    async fn apply(
        &self,
        _context: &PolicyContext<'_>,
        metadata: ClientMetadata,
    ) -> Result<ClientMetadata, PolicyError> {
        if metadata.client_name.default.as_deref() == Some("forbidden") {
            return Err(PolicyError::Metadata(MetadataError::client_metadata(
                "client_name: not allowed by the policy of this token",
            )));
        }
        Ok(metadata)
    }
}
