//! Registration (RFC 7591 §3): the request, the defaults and echo of the response, and the
//! error format, driven through `RegistrationLayer` as a user would.

use crate::common::contract::INNER_SERVICE_HEADER;
use crate::common::*;
use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use serde_json::json;
use tower_oidc_registration::metadata::MetadataRules;

// ---------------------------------------------------------------------------------------------
// Register
// ---------------------------------------------------------------------------------------------

/// REG-1: registration is an HTTP POST of a JSON object as `application/json`.
/// REG-3: open registration accepts requests without an initial access token.
/// ECHO-1: a registration is answered 201 Created with one JSON object.
#[tokio::test]
async fn open_registration_returns_201() {
    let app = App::new();
    let resp = app.register_raw(&min()).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    assert_json_content_type(&resp);
    let body = resp.json();
    let obj = body.as_object().expect("one JSON object");
    assert!(!obj.contains_key("error"), "{body}");
    assert!(obj["client_id"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(body["client_name"], "t");
    assert_eq!(body["redirect_uris"], json!([REDIRECT]));
    // The registration did not reach the inner service.
    assert!(app.seen().is_empty(), "{:?}", app.seen());
}

/// HTTP-4: every response carries `Cache-Control: no-store` and `Pragma: no-cache`.
#[tokio::test]
async fn no_store_on_credentials_and_errors() {
    let app = App::new();
    // 201 with a secret and a RAT.
    let resp = app.register_raw(&min()).await;
    assert_eq!(resp.status, StatusCode::CREATED);
    assert_no_store(&resp);
    let client = app.register(&min()).await;
    // 200 of GET and PUT.
    let resp = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_no_store(&resp);
    let resp = app
        .put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &min()),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_no_store(&resp);
    // Errors: 400, 401 (both kinds), 405, 413.
    let resp = app
        .register_raw(&json!({"redirect_uris": ["/relative"]}))
        .await;
    assert_rfc_error(&resp, "invalid_redirect_uri");
    assert_no_store(&app.get(&client.path(), None).await);
    assert_no_store(&app.get(&client.path(), Some("garbage")).await);
    assert_no_store(&app.method(Method::PATCH, &client.path(), None).await);
    let small = App::with(|b| b.max_body_bytes(16));
    assert_no_store(&small.register_raw(&min()).await);
}

/// ECHO-2: each client gets a `client_id` no other client has.
/// ECHO-3: each client secret is unique to its client.
#[tokio::test]
async fn client_id_and_secret_unique() {
    let app = App::new();
    let a = app.register(&min()).await;
    let b = app.register(&min()).await;
    assert!(!a.id.is_empty() && !b.id.is_empty());
    assert_ne!(a.id, b.id, "two registrations share a client_id");
    let (sa, sb) = (a.secret().expect("secret"), b.secret().expect("secret"));
    assert_ne!(sa, sb, "two registrations share a client_secret");
    assert_ne!(a.token, b.token, "two registrations share a RAT");
}

/// ECHO-3: each client secret is unique to its client.
#[tokio::test]
async fn client_secret_is_86_base64url_chars() {
    let app = App::new();
    let a = app.register(&min()).await.secret().expect("secret");
    let b = app.register(&min()).await.secret().expect("secret");
    assert!(is_86_base64url(&a), "{a:?}");
    assert!(is_86_base64url(&b), "{b:?}");
    assert_ne!(a, b);
}

/// ECHO-4: a client secret comes with `client_secret_expires_at`, 0 when it never expires.
/// ECHO-5: `client_id_issued_at` is the issue time in seconds since the epoch.
#[tokio::test]
async fn secret_expiry_and_issued_at_are_numbers() {
    let app = App::new();
    let before = now();
    let client = app.register(&min()).await;
    let after = now();
    let body = &client.body;
    assert!(body["client_secret"].is_string(), "{body}");
    assert_eq!(body["client_secret_expires_at"], json!(0), "{body}");
    let issued = body["client_id_issued_at"]
        .as_u64()
        .unwrap_or_else(|| panic!("client_id_issued_at not a number: {body}"));
    assert!(
        (before..=after).contains(&issued),
        "{issued} not in {before}..={after}"
    );
}

/// ECHO-4: a client secret comes with `client_secret_expires_at`, 0 when it never expires.
#[tokio::test]
async fn secret_lifetime_gives_future_expiry() {
    let app = App::with(|b| b.client_secret_lifetime(Some(std::time::Duration::from_secs(3600))));
    let before = now();
    let client = app.register(&min()).await;
    let expires = client.body["client_secret_expires_at"]
        .as_u64()
        .expect("client_secret_expires_at a number");
    assert!(
        (before + 3600..=now() + 3600).contains(&expires),
        "expires_at {expires}"
    );
}

/// ECHO-6: a registration returns both `registration_access_token` and `registration_client_uri`.
/// ECHO-7: `registration_client_uri` is an absolute https URL built by the server.
#[tokio::test]
async fn registration_access_token_and_client_uri_present_and_absolute() {
    let app = App::new();
    let client = app.register(&min()).await;
    assert!(!client.token.is_empty());
    assert_eq!(
        client.body["registration_client_uri"],
        json!(format!("{CLIENT_URI_BASE}{}", client.id))
    );
}

/// ECHO-7: `registration_client_uri` is an absolute https URL built by the server.
#[tokio::test]
async fn client_uri_ignores_host_header() {
    let app = App::new();
    let request = Request::post("/register")
        .header(header::HOST, "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("forwarded", "host=evil.example;proto=http")
        .header(header::CONTENT_TYPE, "application/json")
        .body(full(serde_json::to_vec(&min()).expect("json")))
        .expect("request");
    let resp = app.send(request).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let body = resp.json();
    let id = body["client_id"].as_str().expect("client_id");
    assert_eq!(
        body["registration_client_uri"],
        json!(format!("https://iam.example.org/register/{id}"))
    );
    // An absolute-form request URI naming another host changes nothing either.
    let request = Request::post("http://evil.example/register")
        .header(header::CONTENT_TYPE, "application/json")
        .body(full(serde_json::to_vec(&min()).expect("json")))
        .expect("request");
    let resp = app.send(request).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let body = resp.json();
    let id = body["client_id"].as_str().expect("client_id");
    assert_eq!(
        body["registration_client_uri"],
        json!(format!("https://iam.example.org/register/{id}"))
    );
}

/// ECHO-7: `registration_client_uri` is an absolute https URL built by the server.
#[tokio::test]
async fn configured_prefix_is_used() {
    let app = App::with(|b| b.prefix("/oauth/register"));
    let resp = app.post_json("/oauth/register", &min()).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let body = resp.json();
    let id = body["client_id"].as_str().expect("client_id").to_owned();
    let token = body["registration_access_token"]
        .as_str()
        .expect("RAT")
        .to_owned();
    assert_eq!(
        body["registration_client_uri"],
        json!(format!("https://iam.example.org/oauth/register/{id}"))
    );
    let path = format!("/oauth/register/{id}");
    let resp = app.get(&path, Some(&token)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["client_id"], json!(id));
    let resp = app.delete(&path, Some(&token)).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT);
    // The default prefix is not served any more: it reaches the inner service.
    let resp = app.post_json("/register", &min()).await;
    assert_eq!(resp.status, StatusCode::IM_A_TEAPOT);
    assert_eq!(resp.header(INNER_SERVICE_HEADER), Some("1"));
    let seen = app.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].1, "/register");
}

/// REG-6: unknown members are ignored: no error, not stored, not echoed.
#[tokio::test]
async fn unknown_members_ignored() {
    let app = App::new();
    let body = merged(
        &min(),
        &json!({
            "foo": "bar",
            "x_vendor_extension": {"nested": [1, 2, 3]},
            "scope#fr": "openid",
            "something_uri": "not a uri at all",
        }),
    );
    let client = app.register(&body).await;
    let obj = client.body.as_object().expect("object");
    for member in ["foo", "x_vendor_extension", "scope#fr", "something_uri"] {
        assert!(
            !obj.contains_key(member),
            "{member} echoed: {}",
            client.body
        );
    }
    assert_eq!(client.body["client_name"], "t");
}

/// REG-7: the server chooses the client's identifier and credentials, never the client.
#[tokio::test]
async fn client_chosen_client_id_is_ignored() {
    let app = App::new();
    let chosen = merged(
        &min(),
        &json!({
            "client_id": "chosen-id",
            "client_secret": "chosen-secret",
            "registration_access_token": "chosen-token",
            "registration_client_uri": "https://evil.example/register/chosen-id",
            "client_id_issued_at": 1,
            "client_secret_expires_at": 1,
        }),
    );
    let before = now();
    let client = app.register(&chosen).await;
    let body = &client.body;
    assert_ne!(client.id, "chosen-id", "{body}");
    let secret = client.secret().expect("secret");
    assert_ne!(secret, "chosen-secret");
    assert!(is_86_base64url(&secret), "{secret:?}");
    assert_ne!(client.token, "chosen-token");
    assert_eq!(
        body["registration_client_uri"],
        json!(format!("{CLIENT_URI_BASE}{}", client.id))
    );
    assert!(body["client_id_issued_at"].as_u64().expect("number") >= before);
    assert_eq!(body["client_secret_expires_at"], json!(0));
    // The chosen id was not registered: nothing answers there, even with the real token.
    assert_invalid_token(&app.get("/register/chosen-id", Some(&client.token)).await);
    assert_invalid_token(&app.get(&client.path(), Some("chosen-token")).await);
    // The server's values work.
    let resp = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["client_secret"], json!(secret));
}

/// REG-2: a body that is not a JSON object, or not `application/json`, registers nothing.
#[tokio::test]
async fn non_json_content_type_rejected() {
    let app = App::new();
    let bytes = serde_json::to_vec(&min()).expect("json");
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/jsonx"),
        None,
    ] {
        let resp = app.post_raw("/register", ct, bytes.clone()).await;
        assert_rfc_error(&resp, "invalid_client_metadata");
    }
    assert!(app.seen().is_empty());
}

/// REG-1: registration is an HTTP POST of a JSON object as `application/json`.
#[tokio::test]
async fn json_with_charset_accepted() {
    let app = App::new();
    let bytes = serde_json::to_vec(&min()).expect("json");
    for ct in [
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
    ] {
        let resp = app.post_raw("/register", Some(ct), bytes.clone()).await;
        assert_eq!(resp.status, StatusCode::CREATED, "{ct}: {}", resp.text());
    }
}

/// REG-2: a body that is not a JSON object, or not `application/json`, registers nothing.
#[tokio::test]
async fn malformed_json_rejected() {
    let app = App::new();
    for body in [
        &b"{\"redirect_uris\": [\"https://rp.example.org/cb\"],"[..],
        b"{redirect_uris: 1}",
        b"",
        b"\xff\xfe{}",
        b"{} {}",
    ] {
        let resp = app
            .post_raw(
                "/register",
                Some("application/json"),
                Bytes::from_static(body),
            )
            .await;
        assert_rfc_error(&resp, "invalid_client_metadata");
    }
}

/// REG-2: a body that is not a JSON object, or not `application/json`, registers nothing.
#[tokio::test]
async fn json_non_object_rejected() {
    let app = App::new();
    for body in [
        json!([min()]),
        json!("x"),
        json!(42),
        json!(null),
        json!(true),
    ] {
        let resp = app.register_raw(&body).await;
        assert_rfc_error(&resp, "invalid_client_metadata");
    }
}

/// REG-4: open registration may be rate-limited or otherwise limited.
/// ERR-10: failures that are not about metadata keep the error format under their own status.
#[tokio::test]
async fn body_over_limit_with_content_length_is_413() {
    let app = App::new();
    let padding = "x".repeat(70 * 1024);
    let body = merged(&min(), &json!({"padding": padding}));
    let resp = app.register_raw(&body).await;
    assert_error(&resp, StatusCode::PAYLOAD_TOO_LARGE, None);
    // Just under the default limit (64 KiB) is fine: 30 unknown members of 2000 bytes (each
    // string within the default metadata limits).
    let mut padded = min();
    for i in 0..30 {
        padded[format!("padding{i}")] = json!("x".repeat(2000));
    }
    let resp = app.register_raw(&padded).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
}

/// REG-4: open registration may be rate-limited or otherwise limited.
#[tokio::test]
async fn configured_limit_applies() {
    let app = App::with(|b| b.max_body_bytes(100));
    let small = serde_json::to_vec(&min()).expect("json");
    assert!(small.len() < 100);
    let resp = app
        .post_raw("/register", Some("application/json"), small)
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let big = merged(&min(), &json!({"client_name": "n".repeat(200)}));
    let resp = app.register_raw(&big).await;
    assert_error(&resp, StatusCode::PAYLOAD_TOO_LARGE, None);
}

/// REG-4: open registration may be rate-limited or otherwise limited.
#[tokio::test]
async fn streamed_body_over_limit_is_413() {
    let app = App::with(|b| b.max_body_bytes(1024));
    let json =
        serde_json::to_vec(&merged(&min(), &json!({"padding": "y".repeat(4096)}))).expect("json");
    let chunks: Vec<Bytes> = json.chunks(256).map(Bytes::copy_from_slice).collect();
    let request = Request::post("/register")
        .header(header::CONTENT_TYPE, "application/json")
        .body(streamed(chunks))
        .expect("request");
    assert!(request.headers().get(header::CONTENT_LENGTH).is_none());
    let resp = app.send(request).await;
    assert_error(&resp, StatusCode::PAYLOAD_TOO_LARGE, None);

    // A streamed body under the limit is read whole.
    let json = serde_json::to_vec(&min()).expect("json");
    let chunks: Vec<Bytes> = json.chunks(7).map(Bytes::copy_from_slice).collect();
    let request = Request::post("/register")
        .header(header::CONTENT_TYPE, "application/json")
        .body(streamed(chunks))
        .expect("request");
    let resp = app.send(request).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    assert_eq!(resp.json()["redirect_uris"], json!([REDIRECT]));
}

/// HTTP-2: the registration endpoint supports CORS, `OPTIONS` preflight included.
#[tokio::test]
async fn options_preflight_on_registration_endpoint() {
    let app = App::new();
    let request = Request::options("/register")
        .header(header::ORIGIN, "https://rp.example.org")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization, content-type",
        )
        .body(full(Bytes::new()))
        .expect("request");
    let resp = app.send(request).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.text());
    assert!(resp.body.is_empty());
    assert_eq!(resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
    let methods = methods_of(&resp, header::ACCESS_CONTROL_ALLOW_METHODS);
    assert!(methods.contains(&"POST".to_owned()), "{methods:?}");
    let headers = resp
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS)
        .expect("Access-Control-Allow-Headers")
        .to_ascii_lowercase();
    assert!(headers.contains("authorization"), "{headers}");
    assert!(headers.contains("content-type"), "{headers}");
    let allow = methods_of(&resp, header::ALLOW);
    assert!(allow.contains(&"POST".to_owned()), "{allow:?}");
    assert!(!allow.contains(&"GET".to_owned()), "{allow:?}");
    assert!(app.seen().is_empty());
}

/// HTTP-3: the client configuration endpoint supports CORS, `OPTIONS` preflight included.
#[tokio::test]
async fn options_preflight_on_client_uri() {
    let app = App::new();
    let client = app.register(&min()).await;
    let request = Request::options(client.path())
        .header(header::ORIGIN, "https://rp.example.org")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization, content-type",
        )
        .body(full(Bytes::new()))
        .expect("request");
    let resp = app.send(request).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.text());
    assert_eq!(resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
    let methods = methods_of(&resp, header::ACCESS_CONTROL_ALLOW_METHODS);
    for m in ["GET", "PUT", "DELETE"] {
        assert!(methods.contains(&m.to_owned()), "{m} not in {methods:?}");
    }
    let headers = resp
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS)
        .expect("Access-Control-Allow-Headers")
        .to_ascii_lowercase();
    assert!(headers.contains("authorization") && headers.contains("content-type"));
    let allow = methods_of(&resp, header::ALLOW);
    for m in ["GET", "PUT", "DELETE"] {
        assert!(allow.contains(&m.to_owned()), "{m} not in {allow:?}");
    }
    assert!(!allow.contains(&"POST".to_owned()), "{allow:?}");
    // A preflight needs no token, even for an unknown client.
    let resp = app.method(Method::OPTIONS, "/register/unknown", None).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT);
}

/// HTTP-2: the registration endpoint supports CORS, `OPTIONS` preflight included.
/// HTTP-3: the client configuration endpoint supports CORS, `OPTIONS` preflight included.
#[tokio::test]
async fn every_response_allows_any_origin_by_default() {
    let app = App::new();
    let resp = app.register_raw(&min()).await;
    assert_eq!(resp.status, StatusCode::CREATED);
    assert_eq!(resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
    let client = app.register(&min()).await;
    let responses = [
        app.get(&client.path(), Some(&client.token)).await,
        app.put(
            &client.path(),
            Some(&client.token),
            &update_body(&client, &min()),
        )
        .await,
        app.register_raw(&json!({"redirect_uris": ["https://rp.example.org/cb#f"]}))
            .await,
        app.get(&client.path(), None).await,
        app.get(&client.path(), Some("garbage")).await,
        app.method(Method::PATCH, &client.path(), None).await,
        app.delete(&client.path(), Some(&client.token)).await,
    ];
    for resp in responses {
        assert_eq!(
            resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
            Some("*"),
            "status {}",
            resp.status
        );
    }
}

/// HTTP-2: the registration endpoint supports CORS, `OPTIONS` preflight included.
#[tokio::test]
async fn cors_can_be_disabled() {
    let app = App::with(|b| b.cors_allow_origin(None));
    let resp = app.register_raw(&min()).await;
    assert_eq!(resp.status, StatusCode::CREATED);
    assert!(resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let resp = app.register_raw(&json!({"redirect_uris": "x"})).await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert!(resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let resp = app.method(Method::OPTIONS, "/register", None).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT);
    assert!(resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert!(resp.header(header::ACCESS_CONTROL_ALLOW_METHODS).is_none());
    assert!(methods_of(&resp, header::ALLOW).contains(&"POST".to_owned()));
}

/// HTTP-2: the registration endpoint supports CORS, `OPTIONS` preflight included.
#[tokio::test]
async fn configured_origin_is_sent() {
    let app = App::with(|b| b.cors_allow_origin(Some("https://app.example.org".to_owned())));
    let resp = app.register_raw(&min()).await;
    assert_eq!(resp.status, StatusCode::CREATED);
    assert_eq!(
        resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("https://app.example.org")
    );
    let vary = resp.header(header::VARY).unwrap_or("").to_ascii_lowercase();
    assert!(vary.contains("origin"), "Vary {vary:?}");
}

/// REG-5: member names and values are case-sensitive.
#[tokio::test]
async fn member_names_are_case_sensitive() {
    let app = App::new();
    // Only upper-cased names: no redirect_uris at all for a code client.
    let resp = app
        .register_raw(&json!({"REDIRECT_URIS": [REDIRECT], "client_name": "t"}))
        .await;
    assert_rfc_error(&resp, "invalid_redirect_uri");
    // Mixed-case names are unknown members, ignored and not echoed.
    let client = app
        .register(&json!({
            "redirect_uris": [REDIRECT],
            "Client_Name": "x",
            "Token_Endpoint_Auth_Method": "none",
        }))
        .await;
    let obj = client.body.as_object().expect("object");
    assert!(!obj.contains_key("client_name"), "{}", client.body);
    assert!(!obj.contains_key("Client_Name"), "{}", client.body);
    assert_eq!(
        client.body["token_endpoint_auth_method"],
        "client_secret_basic"
    );
    assert!(client.secret().is_some());
}

// ---------------------------------------------------------------------------------------------
// Defaults and echo
// ---------------------------------------------------------------------------------------------

/// ECHO-8: the response carries all registered metadata, server-provisioned values included.
/// ECHO-11: `token_endpoint_auth_method` defaults to `client_secret_basic`.
/// ECHO-12: `grant_types` defaults to `authorization_code` and `response_types` to `code`.
/// ECHO-13: `application_type` defaults to `web`.
/// ECHO-14: `id_token_signed_response_alg` defaults to `RS256`.
#[tokio::test]
async fn defaults_are_returned() {
    let app = App::new();
    let client = app.register(&min()).await;
    let body = &client.body;
    assert_eq!(
        body["token_endpoint_auth_method"], "client_secret_basic",
        "{body}"
    );
    assert_eq!(body["grant_types"], json!(["authorization_code"]), "{body}");
    assert_eq!(body["response_types"], json!(["code"]), "{body}");
    assert_eq!(body["application_type"], "web", "{body}");
    assert_eq!(body["id_token_signed_response_alg"], "RS256", "{body}");
    assert_eq!(body["redirect_uris"], json!([REDIRECT]), "{body}");
    assert!(
        client.secret().is_some(),
        "client_secret_basic needs a secret"
    );
}

/// ECHO-10: `redirect_uris` are never replaced: they are registered and returned byte for byte.
#[tokio::test]
async fn redirect_uris_echoed_exactly() {
    let app = App::new();
    let uris = json!([
        "https://rp.example.org/cb",
        "https://RP.Example.org:443/cb2/?b=2&a=1",
        "https://rp.example.org/a/../cb3",
        "http://127.0.0.1:8080/cb",
    ]);
    let client = app.register(&json!({"redirect_uris": uris})).await;
    assert_eq!(client.body["redirect_uris"], uris);
}

/// ECHO-8: the response carries all registered metadata, server-provisioned values included.
#[tokio::test]
async fn every_accepted_field_echoed() {
    let app = App::new();
    let request = json!({
        "redirect_uris": ["https://rp.example.org/cb", "https://rp.example.org/cb2"],
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "ES256",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "application_type": "web",
        "client_name": "Everything",
        "client_uri": "https://rp.example.org/",
        "logo_uri": "https://rp.example.org/logo.png",
        "tos_uri": "https://rp.example.org/tos",
        "policy_uri": "https://rp.example.org/policy",
        "contacts": ["ops@rp.example.org", "dev@rp.example.org"],
        "scope": "openid email profile",
        "jwks": public_jwks(),
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "software_version": "2.1",
        "subject_type": "pairwise",
        "request_uris": ["https://rp.example.org/req.jwt#abc"],
        "initiate_login_uri": "https://rp.example.org/login",
        "default_max_age": 3600,
        "require_auth_time": true,
        "default_acr_values": ["urn:mace:incommon:iap:silver", "1"],
        "id_token_signed_response_alg": "ES256",
        "id_token_encrypted_response_alg": "RSA-OAEP",
        "id_token_encrypted_response_enc": "A256GCM",
        "userinfo_signed_response_alg": "PS256",
        "userinfo_encrypted_response_alg": "RSA-OAEP-256",
        "userinfo_encrypted_response_enc": "A128GCM",
        "request_object_signing_alg": "RS512",
        "request_object_encryption_alg": "RSA-OAEP",
        "request_object_encryption_enc": "A192GCM",
        "post_logout_redirect_uris": ["https://rp.example.org/bye"],
        "frontchannel_logout_uri": "https://rp.example.org/fc",
        "frontchannel_logout_session_required": true,
        "backchannel_logout_uri": "https://rp.example.org/bc",
        "backchannel_logout_session_required": false,
    });
    let client = app.register(&request).await;
    for (member, value) in request.as_object().expect("object") {
        assert_eq!(
            &client.body[member], value,
            "{member} not echoed as sent: {}",
            client.body
        );
    }
    assert!(client.secret().is_none(), "private_key_jwt gets no secret");

    // jwks_uri instead of jwks, and a public subject.
    let request = json!({
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": "https://rp.example.org/jwks.json",
        "subject_type": "public",
    });
    let client = app.register(&request).await;
    for (member, value) in request.as_object().expect("object") {
        assert_eq!(&client.body[member], value, "{member}: {}", client.body);
    }
}

/// ECHO-16: the server may register a default scope for a client that asks for none.
#[tokio::test]
async fn default_scope_when_configured() {
    let mut rules = MetadataRules::default();
    rules.default_scope = Some("openid profile".to_owned());
    let app = App::with(|b| b.rules(rules));
    let client = app.register(&min()).await;
    assert_eq!(client.body["scope"], "openid profile", "{}", client.body);
    // A requested scope is kept.
    let client = app
        .register(&merged(&min(), &json!({"scope": "openid"})))
        .await;
    assert_eq!(client.body["scope"], "openid");
    // Without a configured default, no scope is invented.
    let client = App::new().register(&min()).await;
    assert!(client.body.get("scope").is_none(), "{}", client.body);
}

/// VAL-33: human-readable members take language tags (`client_name#fr`), returned as sent.
/// VAL-36: a human-readable value without a tag is kept and returned as sent.
#[tokio::test]
async fn language_tagged_members_echoed() {
    let app = App::new();
    let request = json!({
        "redirect_uris": [REDIRECT],
        "client_name": "My app",
        "client_name#ja-Jpan-JP": "\u{30a2}\u{30d7}\u{30ea}",
        "client_name#fr": "Mon appli",
        "logo_uri#fr": "https://rp.example.org/logo-fr.png",
        "tos_uri#de": "https://rp.example.org/agb",
        "policy_uri#en-US": "https://rp.example.org/policy-us",
        "client_uri#fr": "https://rp.example.org/fr/",
    });
    let client = app.register(&request).await;
    for (member, value) in request.as_object().expect("object") {
        assert_eq!(&client.body[member], value, "{member}: {}", client.body);
    }
    // And a GET returns them too.
    let resp = app.get(&client.path(), Some(&client.token)).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        resp.json()["client_name#ja-Jpan-JP"],
        request["client_name#ja-Jpan-JP"]
    );
}

/// VAL-34: a language tag is a well-formed BCP 47 tag, else `invalid_client_metadata`.
#[tokio::test]
async fn bad_language_tag_rejected() {
    let app = App::new();
    let resp = app
        .register_raw(&merged(&min(), &json!({"client_name#xx-!!": "x"})))
        .await;
    assert_invalid_metadata(&resp, "client_name#");
    let resp = app
        .register_raw(&merged(
            &min(),
            &json!({"logo_uri#": "https://rp.example.org/l.png"}),
        ))
        .await;
    assert_invalid_metadata(&resp, "logo_uri#");
}

/// VAL-35: language tags are compared ignoring case: one member may not carry the same tag twice.
#[tokio::test]
async fn language_tags_match_case_insensitively() {
    let app = App::new();
    let resp = app
        .register_raw(&merged(
            &min(),
            &json!({"client_name#en-US": "a", "client_name#EN-us": "b"}),
        ))
        .await;
    assert_invalid_metadata(&resp, "client_name#");
}

/// ECHO-15: an encryption `alg` without its `enc` gets `enc` `A128CBC-HS256`.
#[tokio::test]
async fn encryption_enc_defaults_to_a128cbc_hs256() {
    let app = App::new();
    let client = app
        .register(&merged(
            &min(),
            &json!({
                "jwks": public_jwks(),
                "id_token_encrypted_response_alg": "RSA-OAEP",
                "userinfo_encrypted_response_alg": "RSA-OAEP-256",
                "request_object_encryption_alg": "RSA-OAEP",
            }),
        ))
        .await;
    let body = &client.body;
    assert_eq!(body["id_token_encrypted_response_alg"], "RSA-OAEP");
    assert_eq!(
        body["id_token_encrypted_response_enc"], "A128CBC-HS256",
        "{body}"
    );
    assert_eq!(
        body["userinfo_encrypted_response_enc"], "A128CBC-HS256",
        "{body}"
    );
    assert_eq!(
        body["request_object_encryption_enc"], "A128CBC-HS256",
        "{body}"
    );
}

/// ALG-1: an encryption `enc` without its `alg` is refused.
#[tokio::test]
async fn enc_without_alg_rejected() {
    let app = App::new();
    for member in [
        "id_token_encrypted_response_enc",
        "userinfo_encrypted_response_enc",
        "request_object_encryption_enc",
    ] {
        let mut body = min();
        body[member] = json!("A256GCM");
        let resp = app.register_raw(&body).await;
        assert_invalid_metadata(&resp, member);
    }
}

// ---------------------------------------------------------------------------------------------
// Error format
// ---------------------------------------------------------------------------------------------

/// ERR-1: a registration error is 400 with a JSON object of `error` and `error_description`.
/// ERR-3: `error_description` keeps to the characters RFC 6749 allows.
#[tokio::test]
async fn error_is_json_with_known_code_and_ascii_description() {
    let app = App::new();
    let known = [
        "invalid_redirect_uri",
        "invalid_client_metadata",
        "invalid_software_statement",
        "unapproved_software_statement",
    ];
    let cases = [
        json!({"redirect_uris": ["https://rp.example.org/cb#x"]}),
        json!({"redirect_uris": [REDIRECT], "grant_types": ["\u{043f}\u{0430}\u{0440}\u{043e}\u{043b}\u{044c}"]}),
        json!({"redirect_uris": [REDIRECT], "client_name#\u{00e9}\u{00e9}": "x"}),
        json!({"redirect_uris": ["https://r\u{00e9}p.example.org/cb#\u{00e9}"]}),
        json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "\u{1f600}"}),
    ];
    for case in cases {
        let resp = app.register_raw(&case).await;
        let body = assert_error(&resp, StatusCode::BAD_REQUEST, None);
        let code = body["error"].as_str().expect("error");
        assert!(
            known.contains(&code),
            "unknown error code {code:?} for {case}"
        );
        assert_eq!(
            body.as_object().expect("object").len(),
            2,
            "extra members: {body}"
        );
    }
}

/// SS-1: a software statement is a JWT whose signature verifies with a key of a trusted issuer.
#[tokio::test]
async fn malformed_or_unsigned_software_statement_is_invalid() {
    let app = App::new();
    for statement in [
        json!("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."),
        json!("not-a-jwt"),
        json!(42),
    ] {
        let resp = app
            .register_raw(&merged(&min(), &json!({ "software_statement": statement })))
            .await;
        assert_rfc_error(&resp, "invalid_software_statement");
    }
}

/// SS-4: a statement from an issuer the server does not trust is `unapproved_software_statement`.
#[tokio::test]
async fn statement_from_an_untrusted_issuer_is_unapproved() {
    let app = App::new();
    let resp = app
        .register_raw(&merged(
            &min(),
            &json!({"software_statement":
                "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIn0.c2ln"}),
        ))
        .await;
    assert_rfc_error(&resp, "unapproved_software_statement");
}

/// ERR-2: `invalid_redirect_uri` is for redirect URIs, `invalid_client_metadata` for other members.
/// ERR-4: `error_description` names member and index; client values are quoted, cut to 64
/// characters.
#[tokio::test]
async fn error_description_names_member_and_index() {
    let app = App::new();
    let resp = app
        .register_raw(&json!({
            "redirect_uris": ["https://rp.example.org/cb", "https://rp.example.org/cb#frag"],
        }))
        .await;
    assert_invalid_redirect(&resp, "redirect_uris[1]");
    let resp = app
        .register_raw(&merged(&min(), &json!({"contacts": ["a@example.org", 7]})))
        .await;
    assert_invalid_metadata(&resp, "contacts[1]");
    let resp = app
        .register_raw(&merged(
            &min(),
            &json!({"grant_types": ["authorization_code", "foo"]}),
        ))
        .await;
    assert_invalid_metadata(&resp, "grant_types[1]");
}

/// ERR-5: an error response never carries the `client_id`.
#[tokio::test]
async fn no_client_id_in_errors() {
    let app = App::new();
    let client = app.register(&min()).await;
    // A registration error echoing a chosen client_id must not return it.
    let resp = app
        .register_raw(&json!({"client_id": "chosen", "redirect_uris": ["x"]}))
        .await;
    let body = assert_error(&resp, StatusCode::BAD_REQUEST, None);
    assert!(!body.to_string().contains("chosen"), "{body}");
    // An update error addressed to a real client must not return its id.
    let bad = update_body(
        &client,
        &json!({"redirect_uris": ["https://rp.example.org/cb#x"]}),
    );
    let resp = app.put(&client.path(), Some(&client.token), &bad).await;
    let body = assert_rfc_error(&resp, "invalid_redirect_uri");
    assert!(body.get("client_id").is_none());
}

/// ERR-6: no bearer token: 401 and `WWW-Authenticate: Bearer` without an error code.
/// ERR-7: an invalid bearer token gets 401 and `WWW-Authenticate: Bearer error="invalid_token"`.
#[tokio::test]
async fn token_errors_use_rfc6750() {
    let app = App::new();
    let client = app.register(&min()).await;
    assert_invalid_token(&app.get(&client.path(), Some("not-a-token")).await);
    assert_invalid_token(
        &app.put(
            &client.path(),
            Some("not-a-token"),
            &update_body(&client, &min()),
        )
        .await,
    );
    assert_invalid_token(&app.delete(&client.path(), Some("not-a-token")).await);
    assert_missing_token(&app.get(&client.path(), None).await);
    assert_missing_token(&app.delete(&client.path(), None).await);
}

// ---------------------------------------------------------------------------------------------
// Pass-through: everything that is not the registration or a client configuration endpoint.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn other_paths_reach_the_inner_service() {
    let app = App::new();
    let paths = [
        "/registerx",
        "/register-ui",
        "/register/a/b",
        "/register/",
        "/",
        "/api/register",
    ];
    for path in paths {
        let resp = app.method(Method::GET, path, None).await;
        assert_eq!(
            resp.status,
            StatusCode::IM_A_TEAPOT,
            "{path}: {}",
            resp.text()
        );
        assert_eq!(resp.header(INNER_SERVICE_HEADER), Some("1"), "{path}");
        assert_eq!(resp.text(), format!("inner GET {path}"));
        assert!(
            resp.header(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
            "{path}"
        );
        assert!(resp.header(header::CACHE_CONTROL).is_none(), "{path}");
    }
    let seen: Vec<String> = app.seen().into_iter().map(|(_, p, _)| p).collect();
    assert_eq!(seen, paths);
}

#[tokio::test]
async fn pass_through_post_body_is_untouched() {
    let app = App::with(|b| b.max_body_bytes(16));
    let body = "z".repeat(100_000);
    let resp = app
        .post_raw("/registerx", Some("text/plain"), body.clone())
        .await;
    assert_eq!(resp.status, StatusCode::IM_A_TEAPOT);
    let seen = app.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, Method::POST);
    assert_eq!(seen[0].2, Bytes::from(body));
}
