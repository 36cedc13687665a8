//! The application as `main.rs` builds it, driven in process with
//! `tower::ServiceExt::oneshot`: the metadata, protected registration and `client_credentials`
//! here; the authorization code flow in `authorization_code.rs`; refresh tokens and a
//! confidential client in `token.rs`; the store of codes and tokens in `token_store.rs`; the
//! MCP endpoint (feature `mcp`) in `mcp.rs`.

mod authorization_code;
#[cfg(feature = "mcp")]
mod mcp;
mod token;
mod token_store;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clap::Parser as _;
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::{Args, application, config};

const INITIAL_ACCESS_TOKEN: &str = "iat-0f4e8a2b6c1d9e3f";
const ISSUER: &str = "http://127.0.0.1:8081/";

/// The application `axum_app --initial-access-token INITIAL_ACCESS_TOKEN` serves.
fn protected_app() -> Router {
    app_with_args(&["axum_app", "--initial-access-token", INITIAL_ACCESS_TOKEN])
}

/// The application `axum_app` serves: open registration.
fn open_app() -> Router {
    app_with_args(&["axum_app"])
}

fn app_with_args(args: &[&str]) -> Router {
    let args = Args::parse_from(args);
    let local = "127.0.0.1:8081".parse().expect("a socket address");
    application(
        &args,
        config(&args, local, None).expect("the configuration"),
    )
}

/// Sends `request` and returns the status and the JSON body (`null` when empty).
async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let (status, _, body) = send_full(app, request).await;
    if body.is_empty() {
        return (status, Value::Null);
    }
    let json = serde_json::from_slice(&body).expect("a JSON body");
    (status, json)
}

/// Sends `request` and returns the status, the headers and the body.
async fn send_full(
    app: &Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, bytes::Bytes) {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("the router never fails");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("the body").to_bytes();
    (parts.status, parts.headers, body)
}

/// `POST /register` with `metadata`, presenting `token` if any.
fn register(token: Option<&str>, metadata: &Value) -> Request<Body> {
    let mut request = Request::post("/register").header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request
        .body(Body::from(metadata.to_string()))
        .expect("a request")
}

/// `POST /token` with `grant_type`, the client authenticating with `client_secret_post`.
fn token_request(grant_type: &str, client_id: &str, client_secret: &str) -> Request<Body> {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", grant_type)
        .append_pair("client_id", client_id)
        .append_pair("client_secret", client_secret)
        .finish();
    Request::post("/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .expect("a request")
}

/// Registers a client with the initial access token; returns its id and secret.
async fn registered_client(app: &Router, metadata: Value) -> (String, String) {
    let (status, client) = send(app, register(Some(INITIAL_ACCESS_TOKEN), &metadata)).await;
    assert_eq!(status, StatusCode::CREATED, "{client}");
    let member = |name: &str| client[name].as_str().expect(name).to_owned();
    (member("client_id"), member("client_secret"))
}

#[tokio::test]
async fn discovery_names_the_token_and_registration_endpoints() {
    let app = protected_app();
    let request = Request::get("/.well-known/openid-configuration")
        .body(Body::empty())
        .expect("a request");
    let (status, document) = send(&app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["issuer"], ISSUER);
    assert_eq!(document["token_endpoint"], format!("{ISSUER}token"));
    assert_eq!(
        document["registration_endpoint"],
        format!("{ISSUER}register")
    );
}

#[tokio::test]
async fn registration_needs_the_initial_access_token() {
    let app = protected_app();
    let metadata = json!({"grant_types": ["client_credentials"]});
    for token in [None, Some("iat-not-the-configured-one")] {
        let (status, body) = send(&app, register(token, &metadata)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "token {token:?}: {body}");
    }
}

#[tokio::test]
async fn a_registered_client_gets_an_access_token_with_its_secret() {
    let app = protected_app();
    let metadata = json!({
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "client_secret_post",
    });
    let (id, secret) = registered_client(&app, metadata).await;

    let (status, token) = send(&app, token_request("client_credentials", &id, &secret)).await;
    assert_eq!(status, StatusCode::OK, "{token}");
    assert_eq!(token["token_type"], "Bearer");
    assert!(
        token["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );

    let wrong = token_request("client_credentials", &id, "not-the-secret");
    let (status, error) = send(&app, wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{error}");
    assert_eq!(error["error"], "invalid_client");
}

#[tokio::test]
async fn the_token_endpoint_checks_the_grant() {
    let app = protected_app();
    let metadata = json!({
        "redirect_uris": ["https://rp.example.org/callback"],
        "grant_types": ["authorization_code"],
        "token_endpoint_auth_method": "client_secret_post",
    });
    let (id, secret) = registered_client(&app, metadata).await;

    // The client did not register client_credentials.
    let (status, error) = send(&app, token_request("client_credentials", &id, &secret)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["error"], "unauthorized_client");

    // A grant this token endpoint does not implement.
    let (status, error) = send(&app, token_request("password", &id, &secret)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn rfc_8414_metadata_describes_the_flow() {
    let app = open_app();
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let request = Request::get(path).body(Body::empty()).expect("a request");
        let (status, document) = send(&app, request).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(document["issuer"], ISSUER);
        assert_eq!(
            document["authorization_endpoint"],
            format!("{ISSUER}authorize")
        );
        assert_eq!(document["token_endpoint"], format!("{ISSUER}token"));
        assert_eq!(
            document["registration_endpoint"],
            format!("{ISSUER}register")
        );
        assert_eq!(
            document["code_challenge_methods_supported"],
            json!(["S256"])
        );
        assert_eq!(document["response_types_supported"], json!(["code"]));
        assert_eq!(
            document["grant_types_supported"],
            json!(["authorization_code", "refresh_token", "client_credentials"])
        );
        let methods = document["token_endpoint_auth_methods_supported"]
            .as_array()
            .expect("methods");
        assert!(methods.contains(&json!("none")), "{methods:?}");
    }
}
