//! The token endpoint beyond the first code exchange: refresh token rotation for a public
//! client, and a confidential client authenticating with `client_secret_basic`.

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::authorization_code::{
    REDIRECT_URI, RESOURCE, VERIFIER, assert_error, code_for, exchange, register_public_client,
    token,
};
use super::{INITIAL_ACCESS_TOKEN, open_app, protected_app, register, send};

/// A public client's refresh request, asking for `resource` if given.
async fn refresh(
    app: &Router,
    client_id: &str,
    refresh_token: &str,
    resource: Option<&str>,
) -> (StatusCode, Value) {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("client_id", client_id),
        ("refresh_token", refresh_token),
    ];
    form.extend(resource.map(|r| ("resource", r)));
    token(app, &form, None).await
}

#[tokio::test]
async fn refresh_tokens_rotate() {
    let app = open_app();
    let client_id = register_public_client(&app).await;
    let code = code_for(&app, &client_id).await;
    let (_, tokens) = exchange(&app, &client_id, &code, VERIFIER).await;
    let first = tokens["refresh_token"].as_str().expect("a refresh token");

    // A resource the grant does not cover is refused, without spending the token.
    let elsewhere = refresh(
        &app,
        &client_id,
        first,
        Some("https://elsewhere.example/mcp"),
    )
    .await;
    assert_error(&elsewhere, StatusCode::BAD_REQUEST, "invalid_target");

    let (status, renewed) = refresh(&app, &client_id, first, Some(RESOURCE)).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let second = renewed["refresh_token"]
        .as_str()
        .expect("a new refresh token");
    assert_ne!(second, first);
    assert_ne!(renewed["access_token"], tokens["access_token"]);

    let reused = refresh(&app, &client_id, first, None).await;
    assert_error(&reused, StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(
        refresh(&app, &client_id, second, None).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_confidential_client_authenticates_with_basic() {
    let app = protected_app();
    let metadata = json!({
        "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code"],
        "token_endpoint_auth_method": "client_secret_basic",
    });
    let (status, client) = send(&app, register(Some(INITIAL_ACCESS_TOKEN), &metadata)).await;
    assert_eq!(status, StatusCode::CREATED, "{client}");
    let id = client["client_id"].as_str().expect("client_id");
    let secret = client["client_secret"].as_str().expect("client_secret");
    let exchange = |code: String, public: bool| {
        let app = app.clone();
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", VERIFIER),
            ];
            if public {
                form.push(("client_id", id));
                return token(&app, &form, None).await;
            }
            token(&app, &form, Some((id, secret))).await
        }
    };

    // Without its secret, as if it were public: refused.
    let code = code_for(&app, id).await;
    let refused = exchange(code, true).await;
    assert_error(&refused, StatusCode::UNAUTHORIZED, "invalid_client");

    let code = code_for(&app, id).await;
    let (status, tokens) = exchange(code, false).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    // It did not register refresh_token.
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
}
