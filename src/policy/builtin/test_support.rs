//! Helpers shared by the unit tests of the built-in policies: the callers a policy tells apart,
//! a [`PolicyContext`] over a store, and reading a refusal. Policy-specific fixtures stay in
//! each policy's own tests.

use http::HeaderMap;

use crate::context::{Caller, RequestContext};
use crate::metadata::{AuthMethod, ClientMetadata, GrantType, MetadataErrorCode, ResponseType};
use crate::policy::{Operation, PolicyContext, PolicyError, RegistrationPolicy};
use crate::store::{ClientStore, MemoryStore};

/// An open registration, without credentials.
pub(crate) fn anonymous() -> RequestContext {
    RequestContext::new(Caller::Anonymous, &HeaderMap::new())
}

/// A registration with the initial access token whose id is `iat-1`.
pub(crate) fn with_token() -> RequestContext {
    RequestContext::new(
        Caller::InitialAccessToken { id: "iat-1".into() },
        &HeaderMap::new(),
    )
}

/// A client updating itself with its registration access token.
pub(crate) fn registered_client() -> RequestContext {
    RequestContext::new(Caller::RegisteredClient, &HeaderMap::new())
}

/// The context of `operation` by `request` over `store`; an update is of `client-1`.
pub(crate) fn context<'a>(
    operation: Operation,
    request: &'a RequestContext,
    store: &'a dyn ClientStore,
) -> PolicyContext<'a> {
    PolicyContext {
        operation,
        request,
        client_id: (operation == Operation::Update).then_some("client-1"),
        store,
    }
}

/// Applies `policy` to `metadata` as a registration by `request`, with an empty store.
pub(crate) async fn register(
    policy: &impl RegistrationPolicy,
    request: &RequestContext,
    metadata: ClientMetadata,
) -> Result<ClientMetadata, PolicyError> {
    let store = MemoryStore::new();
    policy
        .apply(&context(Operation::Register, request, &store), metadata)
        .await
}

/// The metadata error of a refusal, as `(code, description)`.
pub(crate) fn metadata_error(
    result: Result<ClientMetadata, PolicyError>,
) -> (MetadataErrorCode, String) {
    match result {
        Err(PolicyError::Metadata(e)) => (e.code(), e.description().to_owned()),
        other => panic!("expected a metadata error, got {other:?}"),
    }
}

/// What `validate` leaves for a confidential web client with these grant types.
pub(crate) fn grants(grant_types: &[GrantType]) -> ClientMetadata {
    ClientMetadata {
        grant_types: Some(grant_types.to_vec()),
        response_types: Some(vec![ResponseType::Code]),
        token_endpoint_auth_method: Some(AuthMethod::ClientSecretBasic),
        ..ClientMetadata::default()
    }
}
