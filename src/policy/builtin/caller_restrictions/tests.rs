use super::*;
use crate::context::RequestContext;
use crate::metadata::MetadataErrorCode;
use crate::policy::Operation;
use crate::policy::builtin::test_support::{
    anonymous, context, grants, metadata_error, register, registered_client, with_token,
};
use crate::store::MemoryStore;

/// The anonymous allowances of [`CallerRestrictions::default`], spelled out.
fn anonymous_defaults() -> Allowances {
    Allowances::everything().except_grant_types([GrantType::Password, GrantType::ClientCredentials])
}

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

#[test]
fn default_restrictions_are_the_indigo_iam_ones() {
    let defaults = CallerRestrictions::default();
    let token_holder = with_token().caller;
    for grant_type in GrantType::ALL.iter().copied() {
        let privileged = matches!(
            grant_type,
            GrantType::Password | GrantType::ClientCredentials
        );
        assert_eq!(
            defaults.allows_grant_type(&Caller::Anonymous, grant_type),
            !privileged,
            "{grant_type:?}"
        );
        assert!(defaults.allows_grant_type(&token_holder, grant_type));
        assert!(defaults.allows_grant_type(&Caller::Host, grant_type));
    }
    for caller in [Caller::Anonymous, token_holder] {
        assert!(
            ResponseType::ALL
                .iter()
                .all(|r| defaults.allows_response_type(&caller, *r))
        );
        assert!(
            AuthMethod::ALL
                .iter()
                .all(|m| defaults.allows_auth_method(&caller, *m))
        );
    }
}

#[tokio::test]
async fn the_host_is_unrestricted_even_by_empty_lists() {
    let nothing = Allowances::everything().grant_types([]).auth_methods([]);
    let policy = CallerRestrictions::unrestricted()
        .anonymous(nothing.clone())
        .with_initial_access_token(nothing);
    let metadata = grants(&[GrantType::AuthorizationCode]);
    register(&policy, &RequestContext::host(), metadata.clone())
        .await
        .expect("host accepted");
    assert!(policy.allows_grant_type(&Caller::Host, GrantType::AuthorizationCode));
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
async fn response_types_and_auth_methods_are_restricted_per_caller() {
    let policy = CallerRestrictions::default()
        .anonymous(anonymous_defaults().auth_methods([AuthMethod::None]))
        .with_initial_access_token(Allowances::everything().response_types([ResponseType::Code]));

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
        .anonymous(Allowances::everything().grant_types([GrantType::ClientCredentials]));
    let (_, description) =
        metadata_error(register(&policy, &anonymous(), ClientMetadata::default()).await);
    assert_eq!(
        description,
        "grant_types: 'authorization_code' (the default) is not allowed for anonymous registration"
    );
    let policy = CallerRestrictions::unrestricted()
        .anonymous(Allowances::everything().auth_methods([AuthMethod::None]));
    let (_, description) =
        metadata_error(register(&policy, &anonymous(), ClientMetadata::default()).await);
    assert_eq!(
        description,
        "token_endpoint_auth_method: 'client_secret_basic' (the default) is not allowed for anonymous registration"
    );
}

#[test]
fn the_allowances_follow_the_initial_access_token_id() {
    let restrictions = CallerRestrictions::default();
    let anonymous_allowances = anonymous_defaults();
    let token_allowances = Allowances::everything();
    assert_eq!(
        restrictions.allowances_for(&anonymous().caller),
        Some(&anonymous_allowances)
    );
    assert_eq!(
        restrictions.allowances_for(&with_token().caller),
        Some(&token_allowances)
    );
    assert_eq!(
        restrictions.allowances_for(&registered_client().caller),
        Some(&anonymous_allowances)
    );
    assert_eq!(
        restrictions.allowances_for(&RequestContext::host().caller),
        None
    );
    // The token holder's allowances go exactly with an initial access token id.
    for request in [anonymous(), with_token(), registered_client()] {
        assert_eq!(
            restrictions.allowances_for(&request.caller) == Some(&token_allowances),
            request.initial_access_token_id().is_some(),
            "{:?}",
            request.caller
        );
    }
}

#[test]
fn allowances_replace_a_list_or_take_values_out_of_it() {
    let all = Allowances::everything();
    assert!(GrantType::ALL.iter().all(|g| all.allows_grant_type(*g)));
    assert!(
        ResponseType::ALL
            .iter()
            .all(|r| all.allows_response_type(*r))
    );
    assert!(AuthMethod::ALL.iter().all(|m| all.allows_auth_method(*m)));

    let some = Allowances::everything()
        .grant_types([GrantType::AuthorizationCode, GrantType::RefreshToken])
        .except_grant_types([GrantType::RefreshToken])
        .except_response_types([ResponseType::Token])
        .except_auth_methods([AuthMethod::None]);
    assert!(some.allows_grant_type(GrantType::AuthorizationCode));
    assert!(!some.allows_grant_type(GrantType::RefreshToken));
    assert!(!some.allows_grant_type(GrantType::Implicit));
    assert!(!some.allows_response_type(ResponseType::Token));
    assert!(some.allows_response_type(ResponseType::Code));
    assert!(!some.allows_auth_method(AuthMethod::None));
    assert!(some.allows_auth_method(AuthMethod::PrivateKeyJwt));
}
