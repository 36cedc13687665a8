//! The way an MCP client finds its way in, over a real socket: the protected resource's 401
//! points to its metadata (RFC 9728), which names the authorization server, whose RFC 8414
//! metadata gives the registration, authorization and token endpoints; then a public client
//! registers, is authorized with PKCE, and reaches the resource with its access token. The
//! resource here is a stand-in for the MCP endpoint (feature `mcp` of the examples), which
//! answers with the client the token was issued to.

use axum::Router;
use axum::extract::Extension;
use reqwest::StatusCode;
use reqwest::header::{LOCATION, WWW_AUTHENTICATE};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::app;
use super::app::tokens::AccessGrant;

/// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT_URI: &str = "http://127.0.0.1:33418/callback";

/// Serves the app with the issuer `http://127.0.0.1:PORT{path}/` and the stand-in resource;
/// returns the resource's URL.
async fn serve(path: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}{path}", listener.local_addr().expect("address"));
    let config = app::config_builder(format!("{base}/"))
        .build()
        .expect("config");
    let resource = Router::new()
        .fallback(|Extension(grant): Extension<AccessGrant>| async move { grant.client_id });
    let options = app::Options {
        resource: Some(resource),
        ..app::Options::default()
    };
    let app = app::app(config, options);
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("{base}/mcp")
}

async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    let response = http.get(url).send().await.expect(url);
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    response.json().await.expect("JSON")
}

/// `http://h/.well-known/oauth-authorization-server{path}` for the issuer `http://h{path}/`
/// (RFC 8414 §3.1).
fn authorization_server_metadata_url(issuer: &str) -> String {
    let url = url::Url::parse(issuer).expect("issuer URL");
    let path = url.path().trim_end_matches('/');
    let origin = url.origin().ascii_serialization();
    format!("{origin}/.well-known/oauth-authorization-server{path}")
}

#[tokio::test]
async fn an_mcp_client_discovers_registers_and_is_authorized() {
    // Redirects are the client's to read, not to follow.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for path in ["", "/realms/x"] {
        let resource = serve(path).await;

        let refused = http.post(&resource).send().await.expect("resource");
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        let challenge = refused.headers()[WWW_AUTHENTICATE].to_str().expect("ASCII");
        let metadata_url = challenge
            .strip_prefix("Bearer resource_metadata=\"")
            .and_then(|rest| rest.strip_suffix('"'))
            .expect("a resource_metadata challenge");
        let resource_metadata = get_json(&http, metadata_url).await;
        assert_eq!(resource_metadata["resource"], resource.as_str());
        let issuer = resource_metadata["authorization_servers"][0]
            .as_str()
            .expect("issuer");

        let server = get_json(&http, &authorization_server_metadata_url(issuer)).await;
        assert_eq!(server["issuer"], issuer);
        let endpoint = |name: &str| server[name].as_str().expect(name).to_owned();

        let registration = http
            .post(endpoint("registration_endpoint"))
            .json(&json!({
                "redirect_uris": [REDIRECT_URI],
                "grant_types": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_method": "none",
            }))
            .send()
            .await
            .expect("register");
        assert_eq!(registration.status(), StatusCode::CREATED);
        let client: Value = registration.json().await.expect("client JSON");
        let client_id = client["client_id"].as_str().expect("client_id");

        let authorization = http
            .get(endpoint("authorization_endpoint"))
            .query(&[
                ("response_type", "code"),
                ("client_id", client_id),
                ("redirect_uri", REDIRECT_URI),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
                ("state", "st"),
                ("resource", resource.as_str()),
            ])
            .send()
            .await
            .expect("authorize");
        assert_eq!(authorization.status(), StatusCode::FOUND, "{path}");
        let location = url::Url::parse(authorization.headers()[LOCATION].to_str().expect("ASCII"))
            .expect("a redirect URL");
        let code = location
            .query_pairs()
            .find(|(name, _)| name == "code")
            .map(|(_, code)| code.into_owned())
            .expect("a code");

        let tokens: Value = http
            .post(endpoint("token_endpoint"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", client_id),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", VERIFIER),
                ("resource", &resource),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token JSON");
        let access_token = tokens["access_token"].as_str().expect("an access token");

        let answer = http
            .post(&resource)
            .bearer_auth(access_token)
            .send()
            .await
            .expect("resource");
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        assert_eq!(answer.text().await.expect("body"), client_id);
    }
}
