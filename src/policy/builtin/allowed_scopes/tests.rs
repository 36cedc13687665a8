use super::*;
use crate::context::RequestContext;
use crate::metadata::MetadataErrorCode;
use crate::policy::Operation;
use crate::policy::builtin::test_support::{
    anonymous, context, metadata_error, register, registered_client,
};
use crate::store::MemoryStore;

fn scope(scope: Option<&str>) -> ClientMetadata {
    ClientMetadata {
        scope: scope.map(str::to_owned),
        ..ClientMetadata::default()
    }
}

#[tokio::test]
async fn allowed_scopes_keep_an_allowed_request_exactly() {
    let policy = AllowedScopes::new(["openid", "profile", "email"]).default_scope("openid");
    let out = register(&policy, &anonymous(), scope(Some("email openid")))
        .await
        .expect("accepted");
    assert_eq!(out.scope.as_deref(), Some("email openid"));
}

#[tokio::test]
async fn allowed_scopes_remove_restricted_values_by_default() {
    let policy = AllowedScopes::new(["openid", "profile", "email"]);
    let out = register(&policy, &anonymous(), scope(Some("openid admin email")))
        .await
        .expect("accepted");
    assert_eq!(out.scope.as_deref(), Some("openid email"));
}

#[tokio::test]
async fn allowed_scopes_compare_values_case_sensitively() {
    let policy = AllowedScopes::new(["openid"]).reject_restricted();
    let (code, description) =
        metadata_error(register(&policy, &anonymous(), scope(Some("OpenID"))).await);
    assert_eq!(code, MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(description, "scope: 'OpenID' is not allowed");
}

#[tokio::test]
async fn allowed_scopes_reject_a_restricted_value_when_configured() {
    let policy = AllowedScopes::new(["openid", "profile", "email"]).reject_restricted();
    let (code, description) =
        metadata_error(register(&policy, &anonymous(), scope(Some("openid admin"))).await);
    assert_eq!(code, MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(description, "scope: 'admin' is not allowed");
    // Switching back to removal accepts the same request.
    let policy = policy.remove_restricted();
    let out = register(&policy, &anonymous(), scope(Some("openid admin")))
        .await
        .expect("accepted");
    assert_eq!(out.scope.as_deref(), Some("openid"));
}

#[tokio::test]
async fn allowed_scopes_register_the_default_scope_when_none_is_requested() {
    let policy = AllowedScopes::new(["openid", "profile", "email"])
        .reject_restricted()
        .default_scope("  openid   profile ");
    let out = register(&policy, &anonymous(), scope(None))
        .await
        .expect("accepted");
    assert_eq!(out.scope.as_deref(), Some("openid profile"));
}

#[tokio::test]
async fn allowed_scopes_register_the_default_scope_when_removal_leaves_nothing() {
    let policy = AllowedScopes::new(["openid", "profile"]).default_scope("openid");
    let out = register(&policy, &anonymous(), scope(Some("admin root")))
        .await
        .expect("accepted");
    assert_eq!(out.scope.as_deref(), Some("openid"));
}

#[tokio::test]
async fn allowed_scopes_without_default_drop_the_member_when_removal_leaves_nothing() {
    let policy = AllowedScopes::new(["openid"]);
    let out = register(&policy, &anonymous(), scope(Some("admin")))
        .await
        .expect("accepted");
    assert_eq!(out.scope, None);
    let out = register(&policy, &anonymous(), scope(None))
        .await
        .expect("accepted");
    assert_eq!(out.scope, None);
}

#[tokio::test]
async fn allowed_scopes_apply_to_the_host_and_to_updates() {
    let policy = AllowedScopes::new(["openid"]).reject_restricted();
    let store = MemoryStore::new();
    let host = RequestContext::host();
    let result = policy
        .apply(
            &context(Operation::Register, &host, &store),
            scope(Some("admin")),
        )
        .await;
    assert_eq!(metadata_error(result).1, "scope: 'admin' is not allowed");
    let client = registered_client();
    let result = policy
        .apply(
            &context(Operation::Update, &client, &store),
            scope(Some("admin")),
        )
        .await;
    assert_eq!(metadata_error(result).1, "scope: 'admin' is not allowed");
}

#[test]
fn allowed_scopes_list_the_allowed_values_in_order_without_duplicates() {
    let policy = AllowedScopes::new(["openid profile", "email", "openid"]);
    assert_eq!(
        policy.allowed().collect::<Vec<_>>(),
        ["openid", "profile", "email"]
    );
    assert!(policy.is_allowed("profile"));
    assert!(!policy.is_allowed("openid profile"));
}

#[test]
fn quoted_values_are_bounded() {
    let long = "a".repeat(100);
    assert_eq!(quoted(&long), format!("'{}'...", "a".repeat(64)));
    assert_eq!(quoted("admin"), "'admin'");
}
