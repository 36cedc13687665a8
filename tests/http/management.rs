//! Client configuration (RFC 7592): read, update and delete, driven through
//! `RegistrationLayer` as a user would.

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::{Method, StatusCode, header};
use serde_json::{Value, json};
use tower_oidc_registration::TokenRotation;

/// A client with much metadata, to see it all come back.
fn rich() -> Value {
    json!({
        "redirect_uris": ["https://rp.example.org/cb", "https://rp.example.org/cb2?x=1"],
        "client_name": "Rich",
        "client_name#fr": "Riche",
        "client_uri": "https://rp.example.org/",
        "logo_uri": "https://rp.example.org/logo.png",
        "contacts": ["ops@rp.example.org"],
        "scope": "openid email",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "default_max_age": 600,
        "require_auth_time": true,
        "post_logout_redirect_uris": ["https://rp.example.org/bye"],
    })
}

/// GET the client and assert it still equals `expected` (the body of its last successful
/// registration or update).
async fn assert_unchanged(app: &App, client: &Client, expected: &Value) {
    let resp = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(&resp.json(), expected, "the client changed");
}

// ---------------------------------------------------------------------------------------------
// Read
// ---------------------------------------------------------------------------------------------

/// A well-formed RS256 statement from an issuer this server does not trust.
const SIGNED_STATEMENT: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIn0.c2ln";

/// MGT-2: a read returns 200 with the client's `client_id` and all its registered metadata.
/// MGT-6: a client's `client_id` never changes.
#[tokio::test]
async fn get_returns_same_client_and_all_metadata() {
    let app = App::new();
    let client = app.register(&rich()).await;
    let resp = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_json_content_type(&resp);
    assert_no_store(&resp);
    let body = resp.json();
    assert_eq!(body["client_id"], json!(client.id));
    for (member, value) in rich().as_object().expect("object") {
        assert_eq!(&body[member], value, "{member}: {body}");
    }
    // Exactly what the registration returned: same credentials, same metadata, same defaults.
    assert_eq!(body, client.body);
}

/// MGT-4: a read changes nothing.
#[tokio::test]
async fn token_not_rotated_by_default() {
    let app = App::new();
    let client = app.register(&min()).await;
    for _ in 0..3 {
        let resp = app.get(&client.path(), Some(&client.token)).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
        assert_eq!(
            resp.json()["registration_access_token"],
            json!(client.token)
        );
    }
    let resp = app
        .put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &min()),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(
        resp.json()["registration_access_token"],
        json!(client.token)
    );
    let resp = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
}

/// MGT-5: a rotated registration access token replaces the old one at once.
#[tokio::test]
async fn rotated_token_replaces_the_old_one() {
    let app = App::with(|b| b.token_rotation(TokenRotation::OnUpdate));
    let client = app.register(&min()).await;
    // GET does not rotate.
    let resp = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(
        resp.json()["registration_access_token"],
        json!(client.token)
    );
    // PUT does.
    let resp = app
        .put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &min()),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let body = resp.json();
    let fresh = body["registration_access_token"]
        .as_str()
        .expect("new RAT")
        .to_owned();
    assert_ne!(fresh, client.token, "PUT did not rotate the token");
    assert_eq!(body["client_secret"], client.body["client_secret"]);
    // The old token is dead for every operation.
    assert_invalid_token(&app.get(&client.path(), Some(&client.token)).await);
    assert_invalid_token(
        &app.put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &min()),
        )
        .await,
    );
    assert_invalid_token(&app.delete(&client.path(), Some(&client.token)).await);
    // The new one works, and is echoed by GET.
    let resp = app.get(&client.path(), Some(&fresh)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["registration_access_token"], json!(fresh));
    let resp = app.delete(&client.path(), Some(&fresh)).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT);
}

/// MGT-3: a read returns `registration_client_uri`, the registration access token and the secret.
#[tokio::test]
async fn get_includes_client_uri_token_and_secret() {
    let app = App::new();
    let client = app.register(&min()).await;
    let resp = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let body = resp.json();
    assert_eq!(
        body["registration_client_uri"],
        json!(format!("{CLIENT_URI_BASE}{}", client.id))
    );
    assert_eq!(body["registration_access_token"], json!(client.token));
    assert_eq!(body["client_secret"], client.body["client_secret"]);
    assert_eq!(body["client_secret_expires_at"], json!(0));
    assert_eq!(
        body["client_id_issued_at"],
        client.body["client_id_issued_at"]
    );
}

/// ERR-6: no bearer token: 401 and `WWW-Authenticate: Bearer` without an error code.
/// MGT-1: the client configuration endpoint authenticates every call by registration access token.
///
/// A read, an update or a deletion without `Authorization`: 401, the bare challenge, and a
/// JSON body of an `error_description` alone, saying that a registration access token is
/// required; nothing changes.
#[tokio::test]
async fn no_authorization_is_401_bearer_without_error() {
    let app = App::new();
    let client = app.register(&min()).await;
    for resp in [
        app.get(&client.path(), None).await,
        app.put(&client.path(), None, &update_body(&client, &min()))
            .await,
        app.delete(&client.path(), None).await,
    ] {
        assert_eq!(resp.header(header::WWW_AUTHENTICATE), Some("Bearer"));
        // Neither the challenge nor the body claims `invalid_token`: no token was sent.
        let body = assert_missing_token(&resp);
        assert_description_mentions(&body, "registration access token is required");
    }
    app.assert_unchanged(&client).await;
}

/// ERR-7: an invalid bearer token gets 401 and `WWW-Authenticate: Bearer error="invalid_token"`.
/// MGT-7: an invalid registration access token is 401 `invalid_token` on read, update and delete.
#[tokio::test]
async fn garbage_token_is_invalid_token() {
    let app = App::new();
    let client = app.register(&min()).await;
    // A forged copy of the real token: same claims, alg none, no signature.
    let mut parts = client.token.split('.');
    let (_, claims) = (parts.next(), parts.next().expect("JWT claims"));
    let alg_none = format!("{}.{claims}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#));
    // The real token with its last signature character changed.
    let mut tampered = client.token.clone();
    let last = tampered.pop().expect("non-empty token");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    for token in [
        "garbage",
        "a.b.c",
        "eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo",
        alg_none.as_str(),
        tampered.as_str(),
    ] {
        assert_invalid_token(&app.get(&client.path(), Some(token)).await);
    }
    for authorization in ["Bearer", "Bearer ", "Bearer a b", "Bearer a,b"] {
        let resp = app
            .method(Method::GET, &client.path(), Some(authorization))
            .await;
        assert_invalid_token(&resp);
    }
    // The real token still works, and the scheme name is case-insensitive.
    let resp = app
        .method(
            Method::GET,
            &client.path(),
            Some(&format!("bearer {}", client.token)),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
}

/// MGT-8: a client's token is honoured for that client only.
#[tokio::test]
async fn other_clients_token_is_401() {
    let app = App::new();
    let a = app.register(&min()).await;
    let b = app.register(&min()).await;
    assert_invalid_token(&app.get(&b.path(), Some(&a.token)).await);
    assert_invalid_token(
        &app.put(&b.path(), Some(&a.token), &update_body(&b, &rich()))
            .await,
    );
    assert_invalid_token(&app.delete(&b.path(), Some(&a.token)).await);
    // Neither client was touched.
    assert_unchanged(&app, &b, &b.body).await;
    assert_unchanged(&app, &a, &a.body).await;
}

/// MGT-7: an invalid registration access token is 401 `invalid_token` on read, update and delete.
#[tokio::test]
async fn token_of_another_server_is_401() {
    // Same issuer, different (generated) signing key and store.
    let other = App::new();
    let foreign = other.register(&min()).await;
    let app = App::new();
    let client = app.register(&min()).await;
    assert_invalid_token(&app.get(&client.path(), Some(&foreign.token)).await);
    assert_invalid_token(&app.get(&foreign.path(), Some(&foreign.token)).await);
}

/// MGT-9: an unknown client is 401, never 404.
#[tokio::test]
async fn unknown_client_is_401_not_404() {
    let app = App::new();
    let client = app.register(&min()).await;
    for path in [
        "/register/00000000-0000-4000-8000-000000000000".to_owned(),
        "/register/unknown".to_owned(),
        format!("{}x", client.path()),
    ] {
        assert_invalid_token(&app.get(&path, Some(&client.token)).await);
        assert_invalid_token(&app.get(&path, Some("garbage")).await);
        assert_invalid_token(&app.delete(&path, Some(&client.token)).await);
        assert_missing_token(&app.get(&path, None).await);
    }
    // The unknown ids never reached the inner service.
    assert!(app.seen().is_empty(), "{:?}", app.seen());
}

/// ERR-6: no bearer token: 401 and `WWW-Authenticate: Bearer` without an error code.
#[tokio::test]
async fn basic_client_credentials_are_not_a_registration_access_token() {
    let app = App::new();
    let client = app.register(&min()).await;
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!(
            "{}:{}",
            client.id,
            client.secret().expect("secret")
        ))
    );
    for method in [Method::GET, Method::DELETE] {
        let resp = app.method(method, &client.path(), Some(&basic)).await;
        assert_missing_token(&resp);
    }
    // The client still exists.
    assert_unchanged(&app, &client, &client.body).await;
}

// ---------------------------------------------------------------------------------------------
// Update
// ---------------------------------------------------------------------------------------------

/// MGT-6: a client's `client_id` never changes.
/// MGT-11: an update replaces the registration with the request's metadata and answers 200.
/// MGT-15: an update may repeat the client secret but never choose one.
#[tokio::test]
async fn put_is_full_replacement() {
    let app = App::new();
    let client = app.register(&rich()).await;
    let new = json!({
        "redirect_uris": ["https://rp.example.org/new1", "https://rp.example.org/new2"],
        "client_name": "Renamed",
    });
    let resp = app
        .put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &new),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_json_content_type(&resp);
    assert_no_store(&resp);
    let body = resp.json();
    assert_eq!(body["client_id"], json!(client.id));
    assert_eq!(
        body["redirect_uris"], new["redirect_uris"],
        "replaced, not merged"
    );
    assert_eq!(body["client_name"], "Renamed");
    assert_eq!(body["client_secret"], client.body["client_secret"]);
    assert_eq!(
        body["client_secret_expires_at"],
        client.body["client_secret_expires_at"]
    );
    assert_eq!(
        body["client_id_issued_at"],
        client.body["client_id_issued_at"]
    );
    assert_eq!(body["registration_access_token"], json!(client.token));
    assert_eq!(
        body["registration_client_uri"],
        json!(format!("{CLIENT_URI_BASE}{}", client.id))
    );
    // The client secret may be sent back unchanged.
    let mut with_secret = update_body(&client, &new);
    with_secret["client_secret"] = client.body["client_secret"].clone();
    let resp = app
        .put(&client.path(), Some(&client.token), &with_secret)
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["client_secret"], client.body["client_secret"]);
}

/// MGT-11: an update replaces the registration with the request's metadata and answers 200.
#[tokio::test]
async fn get_shows_the_update() {
    let app = App::new();
    let client = app.register(&min()).await;
    let new = json!({
        "redirect_uris": ["https://rp.example.org/other"],
        "client_name": "Updated",
        "contacts": ["new@rp.example.org"],
    });
    let resp = app
        .put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &new),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let put_body = resp.json();
    let resp = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let got = resp.json();
    assert_eq!(got, put_body);
    assert_eq!(got["redirect_uris"], new["redirect_uris"]);
    assert_eq!(got["contacts"], new["contacts"]);
    assert_eq!(got["client_name"], "Updated");
}

/// MGT-12: members an update omits are removed or reset to their defaults.
#[tokio::test]
async fn omitted_fields_removed_or_reset() {
    let app = App::new();
    let client = app.register(&rich()).await;
    let resp = app
        .put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &min()),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let body = resp.json();
    let obj = body.as_object().expect("object");
    for removed in [
        "client_name#fr",
        "client_uri",
        "logo_uri",
        "contacts",
        "scope",
        "default_max_age",
        "require_auth_time",
        "post_logout_redirect_uris",
    ] {
        assert!(!obj.contains_key(removed), "{removed} kept: {body}");
    }
    // Defaults come back.
    assert_eq!(body["grant_types"], json!(["authorization_code"]), "{body}");
    assert_eq!(body["response_types"], json!(["code"]));
    assert_eq!(body["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(body["application_type"], "web");
    assert_eq!(body["id_token_signed_response_alg"], "RS256");
    assert_eq!(body["redirect_uris"], json!([REDIRECT]));
    assert_eq!(body["client_name"], "t");
    assert_unchanged(&app, &client, &body).await;
}

/// MGT-14: an update names the client: `client_id` present and equal to the client's.
#[tokio::test]
async fn client_id_missing_or_different_rejected() {
    let app = App::new();
    let client = app.register(&rich()).await;
    let other = app.register(&min()).await;
    let mut wrong_type = update_body(&client, &min());
    wrong_type["client_id"] = json!(42);
    for body in [
        min(),
        merged(&min(), &json!({"client_id": other.id})),
        merged(&min(), &json!({"client_id": "chosen"})),
        merged(&min(), &json!({"client_id": ""})),
        merged(&min(), &json!({"client_id": client.id.to_uppercase()})),
        wrong_type,
    ] {
        let resp = app.put(&client.path(), Some(&client.token), &body).await;
        assert_invalid_metadata(&resp, "client_id");
    }
    assert_unchanged(&app, &client, &client.body).await;
    assert_unchanged(&app, &other, &other.body).await;
}

/// MGT-15: an update may repeat the client secret but never choose one.
#[tokio::test]
async fn different_client_secret_rejected() {
    let app = App::new();
    let client = app.register(&rich()).await;
    for secret in [json!("chosen"), json!(""), json!(1)] {
        let mut body = update_body(&client, &min());
        body["client_secret"] = secret;
        let resp = app.put(&client.path(), Some(&client.token), &body).await;
        assert_invalid_metadata(&resp, "client_secret");
    }
    assert_unchanged(&app, &client, &client.body).await;
    // A client without a secret cannot get one chosen either.
    let public = app
        .register(&merged(
            &min(),
            &json!({"token_endpoint_auth_method": "none"}),
        ))
        .await;
    let mut body = update_body(&public, &min());
    body["token_endpoint_auth_method"] = json!("client_secret_basic");
    body["client_secret"] = json!("chosen-secret");
    let resp = app.put(&public.path(), Some(&public.token), &body).await;
    assert_invalid_metadata(&resp, "client_secret");
    assert_unchanged(&app, &public, &public.body).await;
}

/// MGT-16: an update carrying a server-issued member other than `client_id` and `client_secret` is
/// refused.
#[tokio::test]
async fn server_members_in_update_rejected() {
    let app = App::new();
    let client = app.register(&rich()).await;
    for member in [
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
        "client_id_issued_at",
    ] {
        let mut body = update_body(&client, &rich());
        // The very values the server issued are refused too.
        body[member] = client.body[member].clone();
        assert!(
            !body[member].is_null(),
            "{member} missing from the 201 body"
        );
        let resp = app.put(&client.path(), Some(&client.token), &body).await;
        assert_invalid_metadata(&resp, member);
    }
    assert_unchanged(&app, &client, &client.body).await;
}

/// VAL-37: a request that fails validation changes nothing.
/// SS-9: a statement sent with an update is verified as on registration.
/// MGT-17: invalid metadata in an update is an RFC 7591 error, and the client stays as it was.
#[tokio::test]
async fn validation_applies_to_put_and_changes_nothing() {
    let app = App::new();
    let client = app.register(&rich()).await;
    let cases = [
        (
            json!({"redirect_uris": ["https://rp.example.org/cb#f"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"client_name": "no redirect"}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": [REDIRECT], "grant_types": ["password"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [REDIRECT], "jwks_uri": "https://rp.example.org/j", "jwks": public_jwks()}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [REDIRECT], "software_statement": "a.b.c"}),
            "invalid_software_statement",
        ),
        (
            json!({"redirect_uris": [REDIRECT], "software_statement": SIGNED_STATEMENT}),
            "unapproved_software_statement",
        ),
    ];
    for (metadata, code) in cases {
        let resp = app
            .put(
                &client.path(),
                Some(&client.token),
                &update_body(&client, &metadata),
            )
            .await;
        assert_rfc_error(&resp, code);
    }
    // Not JSON at all.
    let resp = app
        .send(
            http::Request::put(client.path())
                .header(header::AUTHORIZATION, format!("Bearer {}", client.token))
                .header(header::CONTENT_TYPE, "application/json")
                .body(full("{not json"))
                .expect("request"),
        )
        .await;
    assert_rfc_error(&resp, "invalid_client_metadata");
    assert_unchanged(&app, &client, &client.body).await;
}

/// MGT-1: the client configuration endpoint authenticates every call by registration access token.
#[tokio::test]
async fn bad_token_on_put_is_401_and_changes_nothing() {
    let app = App::new();
    let client = app.register(&rich()).await;
    let other = app.register(&min()).await;
    let body = update_body(&client, &min());
    assert_invalid_token(&app.put(&client.path(), Some("garbage"), &body).await);
    assert_invalid_token(&app.put(&client.path(), Some(&other.token), &body).await);
    assert_missing_token(&app.put(&client.path(), None, &body).await);
    // Without any token, the body is not even read.
    let resp = app
        .send(
            http::Request::put(client.path())
                .header(header::CONTENT_TYPE, "text/plain")
                .body(full("not json"))
                .expect("request"),
        )
        .await;
    assert_missing_token(&resp);
    assert_unchanged(&app, &client, &client.body).await;
}

/// MGT-1: the client configuration endpoint authenticates every call by registration access token.
#[tokio::test]
async fn bad_token_checked_before_the_body_is_parsed() {
    let app = App::new();
    let client = app.register(&rich()).await;
    let resp = app
        .send(
            http::Request::put(client.path())
                .header(header::AUTHORIZATION, "Bearer garbage")
                .header(header::CONTENT_TYPE, "application/json")
                .body(full("[]"))
                .expect("request"),
        )
        .await;
    assert_invalid_token(&resp);
    assert_unchanged(&app, &client, &client.body).await;
}

/// MGT-1: the client configuration endpoint authenticates every call by registration access token.
#[tokio::test]
async fn bad_token_checked_before_the_metadata_is_validated() {
    let app = App::new();
    let client = app.register(&rich()).await;
    let other = app.register(&min()).await;
    // Invalid metadata with a wrong token: 401, the metadata is not judged for a stranger.
    let bad = update_body(
        &client,
        &json!({"redirect_uris": ["https://rp.example.org/cb#f"]}),
    );
    assert_invalid_token(&app.put(&client.path(), Some("garbage"), &bad).await);
    assert_invalid_token(&app.put(&client.path(), Some(&other.token), &bad).await);
    assert_unchanged(&app, &client, &client.body).await;
}

/// MGT-9: an unknown client is 401, never 404.
#[tokio::test]
async fn put_on_unknown_client_is_401() {
    let app = App::new();
    let client = app.register(&min()).await;
    let body = merged(&min(), &json!({"client_id": "unknown"}));
    assert_invalid_token(
        &app.put("/register/unknown", Some(&client.token), &body)
            .await,
    );
    assert_invalid_token(&app.put("/register/unknown", Some("garbage"), &body).await);
}

/// MGT-18: changing the authentication method issues or removes the client secret.
#[tokio::test]
async fn auth_method_change_issues_or_removes_secret() {
    let app = App::new();
    let public = app
        .register(&merged(
            &min(),
            &json!({"token_endpoint_auth_method": "none"}),
        ))
        .await;
    assert!(public.secret().is_none());

    // none -> client_secret_basic: a secret is issued.
    let basic = merged(
        &min(),
        &json!({"token_endpoint_auth_method": "client_secret_basic"}),
    );
    let resp = app
        .put(
            &public.path(),
            Some(&public.token),
            &update_body(&public, &basic),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let body = resp.json();
    let first = body["client_secret"]
        .as_str()
        .expect("secret issued")
        .to_owned();
    assert!(is_86_base64url(&first), "{first:?}");
    assert_eq!(body["client_secret_expires_at"], json!(0));
    assert_unchanged(&app, &public, &body).await;

    // client_secret_basic -> none: the secret and its expiry are removed.
    let none = merged(&min(), &json!({"token_endpoint_auth_method": "none"}));
    let resp = app
        .put(
            &public.path(),
            Some(&public.token),
            &update_body(&public, &none),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let body = resp.json();
    let obj = body.as_object().expect("object");
    assert!(!obj.contains_key("client_secret"), "{body}");
    assert!(!obj.contains_key("client_secret_expires_at"), "{body}");
    assert_eq!(body["token_endpoint_auth_method"], "none");
    assert_unchanged(&app, &public, &body).await;

    // And back: a new secret, not the removed one.
    let resp = app
        .put(
            &public.path(),
            Some(&public.token),
            &update_body(&public, &basic),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let second = resp.json()["client_secret"]
        .as_str()
        .expect("secret issued")
        .to_owned();
    assert_ne!(first, second);
}

// ---------------------------------------------------------------------------------------------
// Delete
// ---------------------------------------------------------------------------------------------

/// HTTP-4: every response carries `Cache-Control: no-store` and `Pragma: no-cache`.
/// MGT-20: a deletion answers 204 No Content with an empty body.
#[tokio::test]
async fn delete_returns_204_empty() {
    let app = App::new();
    let client = app.register(&min()).await;
    let resp = app.delete(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.text());
    assert!(resp.body.is_empty(), "{:?}", resp.body);
    assert_eq!(resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
    assert_no_store(&resp);
}

/// MGT-21: after a deletion the client's id, secret and registration access token are dead.
#[tokio::test]
async fn deleted_client_token_is_dead() {
    let app = App::new();
    let client = app.register(&min()).await;
    let other = app.register(&min()).await;
    let resp = app.delete(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT);
    assert_invalid_token(&app.get(&client.path(), Some(&client.token)).await);
    assert_invalid_token(
        &app.put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &min()),
        )
        .await,
    );
    assert_invalid_token(&app.delete(&client.path(), Some(&client.token)).await);
    // A new registration gets a new id; other clients are untouched.
    let again = app.register(&min()).await;
    assert_ne!(again.id, client.id);
    assert_unchanged(&app, &other, &other.body).await;
}

/// MGT-23: a method an endpoint does not serve is 405 with `Allow`.
#[tokio::test]
async fn patch_on_client_uri_is_405_with_allow() {
    let app = App::new();
    let client = app.register(&min()).await;
    for method in [Method::PATCH, Method::POST] {
        let resp = app
            .method(
                method.clone(),
                &client.path(),
                Some(&format!("Bearer {}", client.token)),
            )
            .await;
        assert_eq!(
            resp.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}: {}",
            resp.text()
        );
        let allow = methods_of(&resp, header::ALLOW);
        for m in ["GET", "PUT", "DELETE"] {
            assert!(
                allow.contains(&m.to_owned()),
                "{method}: {m} not in {allow:?}"
            );
        }
        assert!(!allow.contains(&method.as_str().to_owned()), "{allow:?}");
        assert_no_store(&resp);
        assert_eq!(resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
    }
    assert_unchanged(&app, &client, &client.body).await;
    assert!(app.seen().is_empty(), "{:?}", app.seen());
}

/// MGT-23: a method an endpoint does not serve is 405 with `Allow`.
#[tokio::test]
async fn get_put_delete_on_registration_endpoint_is_405_with_allow() {
    let app = App::new();
    for method in [Method::GET, Method::PUT, Method::DELETE, Method::PATCH] {
        let resp = app.method(method.clone(), "/register", None).await;
        assert_eq!(
            resp.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}: {}",
            resp.text()
        );
        let allow = methods_of(&resp, header::ALLOW);
        assert!(allow.contains(&"POST".to_owned()), "{method}: {allow:?}");
        assert!(!allow.contains(&method.as_str().to_owned()), "{allow:?}");
        assert_no_store(&resp);
        if !resp.body.is_empty() {
            assert_error(&resp, StatusCode::METHOD_NOT_ALLOWED, None);
        }
    }
    assert!(app.seen().is_empty(), "{:?}", app.seen());
}

/// MGT-19: an update renews an expired client secret, or every secret with rotation on.
#[tokio::test]
async fn expired_secret_is_renewed_by_an_update() {
    let clock = TestClock::at(CLOCK_START);
    let app = App::with(|b| {
        b.clock(clock.clone())
            .client_secret_lifetime(Some(std::time::Duration::from_secs(3600)))
    });
    let client = app.register(&min()).await;
    let first_secret = client.secret().expect("secret");
    // The secret's last second: an update keeps it.
    clock.advance(3599);
    let resp = app
        .put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &min()),
        )
        .await;
    assert_eq!(resp.json()["client_secret"], first_secret);
    // Its expiry second: the next update renews it.
    clock.advance(1);
    let resp = app
        .put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &min()),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let body = resp.json();
    let renewed = body["client_secret"].as_str().expect("client_secret");
    assert_ne!(renewed, first_secret);
    assert_eq!(body["client_secret_expires_at"], CLOCK_START + 3600 + 3600);
    // A client whose secret is still valid keeps it across an update.
    let resp = app
        .put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &min()),
        )
        .await;
    assert_eq!(resp.json()["client_secret"], renewed);
}

/// ERR-8: several `Authorization` headers are 400 `invalid_request`.
#[tokio::test]
async fn several_authorization_headers_are_an_invalid_request() {
    let app = App::new();
    let client = app.register(&min()).await;
    let bearer = format!("Bearer {}", client.token);
    let body = serde_json::to_vec(&update_body(&client, &min())).expect("json");
    for (method, path) in [
        (Method::GET, client.path()),
        (Method::PUT, client.path()),
        (Method::DELETE, client.path()),
        (Method::POST, "/register".to_owned()),
    ] {
        let resp = app
            .send(
                http::Request::builder()
                    .method(method.clone())
                    .uri(path)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::AUTHORIZATION, bearer.as_str())
                    .header(header::AUTHORIZATION, bearer.as_str())
                    .body(full(body.clone()))
                    .expect("request"),
            )
            .await;
        assert_error(&resp, StatusCode::BAD_REQUEST, Some("invalid_request"));
        // RFC 6750 §3.1: a malformed credential gets a Bearer challenge with the error code.
        assert_eq!(
            resp.header(header::WWW_AUTHENTICATE),
            Some("Bearer error=\"invalid_request\""),
            "{method}: {}",
            resp.text()
        );
    }
    // Nothing was changed, deleted or registered.
    assert_unchanged(&app, &client, &client.body).await;
    assert!(app.seen().is_empty(), "{:?}", app.seen());
    // Other invalid_request answers are no credential errors: no challenge.
    let resp = app.method(Method::PATCH, &client.path(), None).await;
    assert_eq!(resp.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(resp.header(header::WWW_AUTHENTICATE).is_none(), "{resp:?}");
}

/// ECHO-7: `registration_client_uri` is an absolute https URL built by the server.
#[tokio::test]
async fn registration_client_uri_follows_the_configured_endpoint_url() {
    let app = App::with(|b| {
        b.prefix("/realms/x/register")
            .registration_endpoint_url("https://iam.example.org/realms/x/register")
    });
    let resp = app.post_json("/realms/x/register", &min()).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let body = resp.json();
    let id = body["client_id"].as_str().expect("client_id");
    assert_eq!(
        body["registration_client_uri"],
        format!("https://iam.example.org/realms/x/register/{id}")
    );
}
