use serde_json::{Map, Value, json};

use super::*;
use crate::context::RequestContext;
use crate::metadata::{MetadataErrorCode, MetadataRules};
use crate::policy::Operation;
use crate::policy::builtin::test_support::{
    anonymous, context, metadata_error, register, registered_client,
};
use crate::store::MemoryStore;
use crate::syntax::quoted;
use crate::{RegistrationConfig, Registry, Requester};

fn scope(scope: Option<&str>) -> ClientMetadata {
    ClientMetadata {
        scope: scope.map(str::to_owned),
        ..ClientMetadata::default()
    }
}

#[tokio::test]
async fn allowed_scopes_keep_an_allowed_request_exactly() {
    let policy = AllowedScopes::new(["openid", "profile", "email"]);
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
async fn allowed_scopes_leave_the_member_out_when_removal_leaves_nothing() {
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

#[tokio::test]
async fn a_rejected_scope_value_is_quoted_bounded_in_the_description() {
    let long = "a".repeat(100);
    assert_eq!(quoted(&long), format!("'{}'...", "a".repeat(64)));
    assert_eq!(quoted("admin"), "'admin'");
    let policy = AllowedScopes::new(["openid"]).reject_restricted();
    let (_, description) =
        metadata_error(register(&policy, &anonymous(), scope(Some(&long))).await);
    assert_eq!(
        description,
        format!("scope: '{}'... is not allowed", "a".repeat(64))
    );
}

// --- Through the registry: the default scope is `MetadataRules::default_scope` -----------

/// A registry with `scopes` and, when given, `default_scope` in its metadata rules.
fn registry(scopes: AllowedScopes, default_scope: Option<&str>) -> Registry {
    let rules = MetadataRules {
        default_scope: default_scope.map(str::to_owned),
        ..MetadataRules::default()
    };
    let config = RegistrationConfig::builder("https://iam.example.org/")
        .rules(rules)
        .allowed_scopes(scopes)
        .build()
        .expect("configuration");
    Registry::new(&config)
}

/// A web client's registration request, with `scope` when given.
fn request(scope: Option<&str>) -> Map<String, Value> {
    let mut request = json!({ "redirect_uris": ["https://rp.example.org/cb"] });
    if let Some(scope) = scope {
        request["scope"] = json!(scope);
    }
    match request {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// The scope `registry` registers for an anonymous request asking for `requested`.
async fn registered_scope(registry: &Registry, requested: Option<&str>) -> Option<String> {
    let client = registry
        .register(Requester::anonymous(), request(requested))
        .await
        .expect("registered");
    client.record().metadata().parse().expect("stored").scope
}

/// ECHO-9: a value the server substitutes is registered and returned as substituted.
#[tokio::test]
async fn the_default_scope_is_registered_when_removal_leaves_nothing() {
    let registry = registry(AllowedScopes::new(["openid", "profile"]), Some("openid"));
    assert_eq!(
        registered_scope(&registry, Some("admin root"))
            .await
            .as_deref(),
        Some("openid")
    );
    // What survives removal is registered as is, without the default scope.
    assert_eq!(
        registered_scope(&registry, Some("admin profile"))
            .await
            .as_deref(),
        Some("profile")
    );
}

/// ECHO-16: the server may register a default scope for a client that asks for none.
#[tokio::test]
async fn the_default_scope_is_registered_when_none_is_requested() {
    let scopes = AllowedScopes::new(["openid", "profile", "email"]).reject_restricted();
    let registry = registry(scopes, Some("openid profile"));
    assert_eq!(
        registered_scope(&registry, None).await.as_deref(),
        Some("openid profile")
    );
}

#[tokio::test]
async fn without_a_default_scope_a_client_whose_values_are_all_removed_gets_none() {
    let registry = registry(AllowedScopes::new(["openid"]), None);
    assert_eq!(registered_scope(&registry, Some("admin")).await, None);
    assert_eq!(registered_scope(&registry, None).await, None);
}

#[tokio::test]
async fn an_update_whose_values_are_all_removed_gets_the_default_scope() {
    let registry = registry(AllowedScopes::new(["openid", "profile"]), Some("openid"));
    let client = registry
        .register(Requester::anonymous(), request(Some("profile")))
        .await
        .expect("registered");
    let token = client
        .registration_access_token()
        .expect("token")
        .expose()
        .to_owned();
    let mut update = request(Some("admin"));
    update.insert("client_id".into(), json!(client.client_id()));
    let updated = registry
        .update(
            Requester::registration_access_token(&token),
            client.client_id(),
            update,
        )
        .await
        .expect("updated");
    assert_eq!(
        updated
            .record()
            .metadata()
            .parse()
            .expect("stored")
            .scope
            .as_deref(),
        Some("openid")
    );
}
