//! The MCP endpoint (feature `mcp`) behind the authorization server's tokens: the 401 that
//! starts an MCP client's discovery, the protected resource metadata, and an MCP session with
//! an access token from the authorization code flow.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};

use super::authorization_code::{VERIFIER, code_for, exchange, register_public_client, token};
use super::{INITIAL_ACCESS_TOKEN, ISSUER, open_app, protected_app, register, send, send_full};

const METADATA_URL: &str = "http://127.0.0.1:8081/.well-known/oauth-protected-resource/mcp";

/// `POST /mcp` with a JSON-RPC `message`, the access token if any, and the MCP session if any:
/// the status, the headers, and the JSON-RPC message of the answer (from its JSON body or its
/// event stream), `null` when none.
async fn mcp(
    app: &Router,
    message: &Value,
    token: Option<&str>,
    session: Option<&str>,
) -> (StatusCode, HeaderMap, Value) {
    let mut request = Request::post("/mcp")
        .header(header::HOST, "127.0.0.1:8081")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json, text/event-stream");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(session) = session {
        request = request
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", "2025-06-18");
    }
    let request = request
        .body(Body::from(message.to_string()))
        .expect("a request");
    let sent = tokio::time::timeout(Duration::from_secs(10), send_full(app, request));
    let (status, headers, body) = sent.await.expect("an answer within 10 s");
    let text = String::from_utf8_lossy(&body);
    // An event stream's `data:` lines, or the body itself.
    let json = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .chain([text.as_ref()])
        .find_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .unwrap_or(Value::Null);
    (status, headers, json)
}

fn challenge(headers: &HeaderMap) -> &str {
    headers
        .get(header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .expect("a WWW-Authenticate header")
}

fn initialize() -> Value {
    json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "1.0"},
        },
    })
}

#[tokio::test]
async fn without_a_valid_token_the_answer_points_to_the_resource_metadata() {
    let app = open_app();
    let (status, headers, _) = mcp(&app, &initialize(), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&headers),
        format!("Bearer resource_metadata=\"{METADATA_URL}\"")
    );

    let (status, headers, _) = mcp(&app, &initialize(), Some("not-a-token"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let challenge = challenge(&headers);
    assert!(
        challenge.starts_with("Bearer error=\"invalid_token\""),
        "{challenge}"
    );
    assert!(
        challenge.contains(&format!("resource_metadata=\"{METADATA_URL}\"")),
        "{challenge}"
    );
}

#[tokio::test]
async fn the_protected_resource_metadata_names_this_issuer() {
    let app = open_app();
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let (status, document) = send(
            &app,
            Request::get(path).body(Body::empty()).expect("a request"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(document["resource"], format!("{ISSUER}mcp"));
        assert_eq!(document["authorization_servers"], json!([ISSUER]));
        assert_eq!(document["bearer_methods_supported"], json!(["header"]));
    }
}

/// A token for another resource, or for none in particular, is refused: it could be replayed
/// from wherever it was issued for (RFC 8707 §2).
#[tokio::test]
async fn a_token_for_another_resource_or_none_is_refused() {
    let app = protected_app();
    let metadata = json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "client_secret_basic"});
    let (_, client) = send(&app, register(Some(INITIAL_ACCESS_TOKEN), &metadata)).await;
    let id = client["client_id"].as_str().expect("client_id");
    let secret = client["client_secret"].as_str().expect("client_secret");
    let elsewhere = [
        ("grant_type", "client_credentials"),
        ("resource", "https://elsewhere.example/mcp"),
    ];
    let nowhere = [("grant_type", "client_credentials")];
    for form in [&elsewhere[..], &nowhere[..]] {
        let (status, tokens) = token(&app, form, Some((id, secret))).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        let access_token = tokens["access_token"].as_str().expect("an access token");
        let (status, headers, _) = mcp(&app, &initialize(), Some(access_token), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{form:?}");
        assert!(challenge(&headers).contains("invalid_token"));
    }
}

#[tokio::test]
async fn with_a_token_an_mcp_session_runs_the_tools() {
    let app = open_app();
    let client_id = register_public_client(&app).await;
    let code = code_for(&app, &client_id).await;
    let (status, tokens) = exchange(&app, &client_id, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let access_token = tokens["access_token"].as_str();

    let (status, headers, answer) = mcp(&app, &initialize(), access_token, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["id"], 1);
    assert_eq!(
        answer["result"]["serverInfo"]["name"], "axum_app",
        "{answer}"
    );
    assert!(
        answer["result"]["capabilities"]["tools"].is_object(),
        "{answer}"
    );
    let session = headers
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .expect("a session");

    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let (status, _, _) = mcp(&app, &initialized, access_token, Some(session)).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let call = |id: u32, name: &str, arguments: Value| json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": arguments}});
    let (status, _, answer) = mcp(
        &app,
        &call(2, "add", json!({"a": 2, "b": 3})),
        access_token,
        Some(session),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["result"]["content"][0]["text"], "5", "{answer}");

    let (_, _, answer) = mcp(
        &app,
        &call(3, "whoami", json!({})),
        access_token,
        Some(session),
    )
    .await;
    let text = answer["result"]["content"][0]["text"]
        .as_str()
        .expect("a text result");
    let whoami: Value = serde_json::from_str(text).expect("JSON");
    assert_eq!(whoami["client_id"], client_id.as_str());
    assert_eq!(whoami["user"], "demo");
}
