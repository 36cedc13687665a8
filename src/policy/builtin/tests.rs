//! The built-in policies composed with [`Policies`](crate::policy::Policies).

use super::*;
use crate::metadata::{ClientMetadata, GrantType};
use crate::policy::Policies;
use crate::policy::builtin::test_support::{anonymous, grants, metadata_error, register};

#[tokio::test]
async fn composed_policies_apply_in_order_and_the_first_refusal_wins() {
    let scopes = || AllowedScopes::new(["openid", "profile"]).reject_restricted();
    let policies = Policies::new()
        .with(scopes())
        .with(CallerRestrictions::default());

    // Both accept: the metadata comes out as it went in.
    let accepted = ClientMetadata {
        scope: Some("openid".into()),
        ..grants(&[GrantType::AuthorizationCode])
    };
    let out = register(&policies, &anonymous(), accepted.clone())
        .await
        .expect("accepted");
    assert_eq!(out, accepted);

    // The second still judges what the first let through.
    let (_, description) =
        metadata_error(register(&policies, &anonymous(), grants(&[GrantType::Password])).await);
    assert_eq!(
        description,
        "grant_types[0]: 'password' is not allowed for anonymous registration"
    );

    // Both would refuse: the first in order decides.
    let both = ClientMetadata {
        scope: Some("admin".into()),
        ..grants(&[GrantType::ClientCredentials])
    };
    let (_, description) = metadata_error(register(&policies, &anonymous(), both.clone()).await);
    assert_eq!(description, "scope: 'admin' is not allowed");
    let reversed = Policies::new()
        .with(CallerRestrictions::default())
        .with(scopes());
    let (_, description) = metadata_error(register(&reversed, &anonymous(), both).await);
    assert_eq!(
        description,
        "grant_types[0]: 'client_credentials' is not allowed for anonymous registration"
    );
}

#[tokio::test]
async fn each_policy_sees_what_the_previous_one_returned() {
    // The first rewrites the scope; the second, rejecting `admin`, accepts the rewrite.
    let policies = Policies::new()
        .with(AllowedScopes::new(["openid", "profile"]))
        .with(AllowedScopes::new(["openid", "profile"]).reject_restricted());
    let requested = ClientMetadata {
        scope: Some("openid admin".into()),
        ..grants(&[GrantType::AuthorizationCode])
    };
    let out = register(&policies, &anonymous(), requested)
        .await
        .expect("accepted");
    assert_eq!(out.scope.as_deref(), Some("openid"));
}
