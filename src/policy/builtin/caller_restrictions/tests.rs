use super::*;
use crate::metadata::MetadataErrorCode;
use crate::policy::Operation;
use crate::policy::builtin::test_support::{
    anonymous, context, grants, metadata_error, register, registered_client, with_token,
};
use crate::store::MemoryStore;

#[tokio::test]
async fn default_restrictions_refuse_client_credentials_to_anonymous_registrants() {
    let metadata = grants(&[GrantType::AuthorizationCode, GrantType::ClientCredentials]);
    let (code, description) =
        metadata_error(register(&CallerRestrictions::default(), &anonymous(), metadata).await);
    assert_eq!(code, MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(
        description,
        "grant_types[1]: 'client_credentials' is not allowed for anonymous registration"
    );
}

#[tokio::test]
async fn default_restrictions_refuse_password_to_anonymous_registrants() {
    let (_, description) = metadata_error(
        register(
            &CallerRestrictions::default(),
            &anonymous(),
            grants(&[GrantType::Password]),
        )
        .await,
    );
    assert_eq!(
        description,
        "grant_types[0]: 'password' is not allowed for anonymous registration"
    );
}

#[tokio::test]
async fn default_restrictions_let_anonymous_registrants_use_other_grants() {
    let metadata = grants(&[
        GrantType::AuthorizationCode,
        GrantType::RefreshToken,
        GrantType::DeviceCode,
    ]);
    let out = register(
        &CallerRestrictions::default(),
        &anonymous(),
        metadata.clone(),
    )
    .await
    .expect("accepted");
    assert_eq!(out, metadata);
}

#[tokio::test]
async fn default_restrictions_let_token_holders_and_the_host_have_every_grant() {
    let metadata = grants(&[GrantType::ClientCredentials, GrantType::Password]);
    for request in [with_token(), RequestContext::host()] {
        let out = register(&CallerRestrictions::default(), &request, metadata.clone())
            .await
            .expect("accepted");
        assert_eq!(out, metadata);
    }
}

#[tokio::test]
async fn the_host_is_unrestricted_even_by_empty_lists() {
    let policy = CallerRestrictions::unrestricted()
        .grant_types(CallerKind::Anonymous, [])
        .grant_types(CallerKind::InitialAccessToken, [])
        .auth_methods(CallerKind::Anonymous, [])
        .auth_methods(CallerKind::InitialAccessToken, []);
    let metadata = grants(&[GrantType::AuthorizationCode]);
    register(&policy, &RequestContext::host(), metadata.clone())
        .await
        .expect("host accepted");
    assert!(
        register(&policy, &anonymous(), metadata.clone())
            .await
            .is_err()
    );
    assert!(register(&policy, &with_token(), metadata).await.is_err());
}

#[tokio::test]
async fn updates_follow_the_kind_of_caller_that_registered_the_client() {
    let policy = CallerRestrictions::default();
    let metadata = grants(&[GrantType::ClientCredentials]);
    let store = MemoryStore::new();
    // A client registered anonymously: the registry passes no token id.
    let anonymous_client = registered_client();
    let result = policy
        .apply(
            &context(Operation::Update, &anonymous_client, &store),
            metadata.clone(),
        )
        .await;
    assert_eq!(
        metadata_error(result).1,
        "grant_types[0]: 'client_credentials' is not allowed for anonymous registration"
    );
    // A client registered with an initial access token: the registry passes its id.
    let token_client = with_token();
    policy
        .apply(
            &context(Operation::Update, &token_client, &store),
            metadata.clone(),
        )
        .await
        .expect("token holder's client accepted");
}

#[tokio::test]
async fn response_types_and_auth_methods_are_restricted_per_kind() {
    let policy = CallerRestrictions::default()
        .auth_methods(CallerKind::Anonymous, [AuthMethod::None])
        .response_types(CallerKind::InitialAccessToken, [ResponseType::Code]);

    let (code, description) = metadata_error(
        register(
            &policy,
            &anonymous(),
            grants(&[GrantType::AuthorizationCode]),
        )
        .await,
    );
    assert_eq!(code, MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(
        description,
        "token_endpoint_auth_method: 'client_secret_basic' is not allowed for anonymous registration"
    );
    let public = ClientMetadata {
        token_endpoint_auth_method: Some(AuthMethod::None),
        ..grants(&[GrantType::AuthorizationCode])
    };
    register(&policy, &anonymous(), public)
        .await
        .expect("public client accepted");

    let hybrid = ClientMetadata {
        grant_types: Some(vec![GrantType::AuthorizationCode, GrantType::Implicit]),
        response_types: Some(vec![ResponseType::Code, ResponseType::CodeIdToken]),
        ..ClientMetadata::default()
    };
    let (_, description) = metadata_error(register(&policy, &with_token(), hybrid).await);
    assert_eq!(
        description,
        "response_types[1]: 'code id_token' is not allowed for registration with an initial access token"
    );
}

#[tokio::test]
async fn absent_members_are_judged_by_their_rfc_default() {
    let policy = CallerRestrictions::unrestricted()
        .grant_types(CallerKind::Anonymous, [GrantType::ClientCredentials]);
    let (_, description) =
        metadata_error(register(&policy, &anonymous(), ClientMetadata::default()).await);
    assert_eq!(
        description,
        "grant_types: 'authorization_code' (the default) is not allowed for anonymous registration"
    );
    let policy =
        CallerRestrictions::unrestricted().auth_methods(CallerKind::Anonymous, [AuthMethod::None]);
    let (_, description) =
        metadata_error(register(&policy, &anonymous(), ClientMetadata::default()).await);
    assert_eq!(
        description,
        "token_endpoint_auth_method: 'client_secret_basic' (the default) is not allowed for anonymous registration"
    );
}

#[test]
fn caller_kind_follows_the_initial_access_token_id() {
    assert_eq!(CallerKind::of(&anonymous()), Some(CallerKind::Anonymous));
    assert_eq!(
        CallerKind::of(&with_token()),
        Some(CallerKind::InitialAccessToken)
    );
    assert_eq!(
        CallerKind::of(&registered_client()),
        Some(CallerKind::Anonymous)
    );
    assert_eq!(CallerKind::of(&RequestContext::host()), None);
}
