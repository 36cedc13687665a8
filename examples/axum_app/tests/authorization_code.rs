//! The authorization code grant with PKCE, as an MCP client runs it: an anonymous public
//! client registered through the layer, `/authorize` (auto-approved for the demo user), then
//! `/token`; PKCE, redirect URI and single-use checks.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use super::{open_app, register, send, send_full};

pub const REDIRECT_URI: &str = "http://localhost:3000/callback";
/// RFC 7636 Appendix B: a verifier and its S256 challenge.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const RESOURCE: &str = "http://127.0.0.1:8081/mcp";

/// Registers a public client anonymously, as an MCP client does; returns its id.
pub async fn register_public_client(app: &Router) -> String {
    let metadata = json!({
        "client_name": "mcp client",
        "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    let (status, client) = send(app, register(None, &metadata)).await;
    assert_eq!(status, StatusCode::CREATED, "{client}");
    assert!(client.get("client_secret").is_none(), "{client}");
    client["client_id"].as_str().expect("client_id").to_owned()
}

/// `GET /authorize?{query}`: the status and the parameters of the `Location` it redirects to
/// (`None` without one).
async fn authorize(
    app: &Router,
    query: &[(&str, &str)],
) -> (StatusCode, Option<Vec<(String, String)>>) {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    let request = Request::get(format!("/authorize?{query}"))
        .body(Body::empty())
        .expect("a request");
    let (status, headers, _) = send_full(app, request).await;
    let location = headers.get(header::LOCATION).map(|value| {
        let url = url::Url::parse(value.to_str().expect("ASCII")).expect("a URL");
        assert!(url.as_str().starts_with(REDIRECT_URI), "{url}");
        url.query_pairs().into_owned().collect()
    });
    (status, location)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A code for `client_id`, with the RFC 7636 challenge and `resource`.
pub async fn code_for(app: &Router, client_id: &str) -> String {
    let (status, location) = authorize(
        app,
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT_URI),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("state", "xyz"),
            ("resource", RESOURCE),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    let location = location.expect("a redirect");
    assert_eq!(param(&location, "state"), Some("xyz"));
    param(&location, "code").expect("a code").to_owned()
}

/// `POST /token` with `form`, and `Authorization: Basic` for `basic`.
pub async fn token(
    app: &Router,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (StatusCode, Value) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut request =
        Request::post("/token").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some((id, secret)) = basic {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        request = request.header(header::AUTHORIZATION, format!("Basic {encoded}"));
    }
    send(app, request.body(Body::from(body)).expect("a request")).await
}

/// The token request of a public client exchanging `code` with `verifier`.
pub async fn exchange(
    app: &Router,
    client_id: &str,
    code: &str,
    verifier: &str,
) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", client_id),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", verifier),
        ("resource", RESOURCE),
    ];
    token(app, &form, None).await
}

pub fn assert_error(response: &(StatusCode, Value), status: StatusCode, error: &str) {
    assert_eq!(response.0, status, "{}", response.1);
    assert_eq!(response.1["error"], error, "{}", response.1);
}

#[tokio::test]
async fn a_public_client_exchanges_its_code_once_with_the_verifier() {
    let app = open_app();
    let client_id = register_public_client(&app).await;
    let code = code_for(&app, &client_id).await;

    let (status, tokens) = exchange(&app, &client_id, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(
        tokens["access_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 43)
    );
    assert!(
        tokens["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 43)
    );

    // The same code again: spent.
    let reused = exchange(&app, &client_id, &code, VERIFIER).await;
    assert_error(&reused, StatusCode::BAD_REQUEST, "invalid_grant");
}

#[tokio::test]
async fn a_wrong_verifier_is_refused_and_spends_the_code() {
    let app = open_app();
    let client_id = register_public_client(&app).await;
    let code = code_for(&app, &client_id).await;
    let wrong = "x".repeat(43);
    let refused = exchange(&app, &client_id, &code, &wrong).await;
    assert_error(&refused, StatusCode::BAD_REQUEST, "invalid_grant");
    let after = exchange(&app, &client_id, &code, VERIFIER).await;
    assert_error(&after, StatusCode::BAD_REQUEST, "invalid_grant");
}

#[tokio::test]
async fn a_code_is_only_for_the_client_it_was_issued_to() {
    let app = open_app();
    let client_id = register_public_client(&app).await;
    let other = register_public_client(&app).await;
    let code = code_for(&app, &client_id).await;
    let refused = exchange(&app, &other, &code, VERIFIER).await;
    assert_error(&refused, StatusCode::BAD_REQUEST, "invalid_grant");
}

#[tokio::test]
async fn an_unregistered_redirect_uri_gets_a_page_not_a_redirect() {
    let app = open_app();
    let client_id = register_public_client(&app).await;
    for redirect_uri in [
        "http://localhost:3000/other",
        "https://attacker.example/callback",
    ] {
        let (status, location) = authorize(
            &app,
            &[
                ("response_type", "code"),
                ("client_id", &client_id),
                ("redirect_uri", redirect_uri),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{redirect_uri}");
        assert!(location.is_none(), "{redirect_uri}");
    }
    // Nor for an unknown client.
    let (status, location) =
        authorize(&app, &[("response_type", "code"), ("client_id", "nobody")]).await;
    assert_eq!((status, location), (StatusCode::BAD_REQUEST, None));
}

#[tokio::test]
async fn pkce_s256_is_required() {
    let app = open_app();
    let client_id = register_public_client(&app).await;
    let plain: &[(&str, &str)] = &[
        ("code_challenge", VERIFIER),
        ("code_challenge_method", "plain"),
    ];
    let missing_method: &[(&str, &str)] = &[("code_challenge", CHALLENGE)];
    for pkce in [plain, missing_method, &[]] {
        // Without redirect_uri: the client registered exactly one.
        let mut query = vec![
            ("response_type", "code"),
            ("client_id", client_id.as_str()),
            ("state", "s1"),
        ];
        query.extend_from_slice(pkce);
        let (status, location) = authorize(&app, &query).await;
        assert_eq!(status, StatusCode::FOUND, "{pkce:?}");
        let location = location.expect("a redirect");
        assert_eq!(
            param(&location, "error"),
            Some("invalid_request"),
            "{pkce:?}"
        );
        assert_eq!(param(&location, "state"), Some("s1"));
        assert_eq!(param(&location, "code"), None);
    }
}

/// What one request makes the server parse and keep is bounded: at most 32 parameters, none
/// over 2 KiB, and a token request body of 16 KiB.
#[tokio::test]
async fn oversized_requests_are_refused_before_anything_is_kept() {
    let app = open_app();
    let client_id = register_public_client(&app).await;
    let long_scope = "a".repeat(2049);
    let (status, location) = authorize(
        &app,
        &[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", REDIRECT_URI),
            ("scope", &long_scope),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(location.is_none());
    let names: Vec<String> = (0..33).map(|i| format!("p{i}")).collect();
    let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "x")).collect();
    let (status, location) = authorize(&app, &many).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(location.is_none());

    let body = format!(
        "grant_type=authorization_code&code={}",
        "x".repeat(16 * 1024)
    );
    let request = Request::post("/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("a request");
    let (status, _, _) = send_full(&app, request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let response = token(&app, &many, None).await;
    assert_error(&response, StatusCode::BAD_REQUEST, "invalid_request");
}
