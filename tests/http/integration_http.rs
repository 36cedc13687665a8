//! The layer behind a real hyper 1 server, driven over HTTP by independent clients: the
//! `openidconnect` crate for registration, `reqwest` and a raw hyper client for the rest.

use crate::common;

use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use openidconnect::core::{
    CoreApplicationType, CoreClientAuthMethod, CoreClientRegistrationRequest, CoreGrantType,
    CoreResponseType,
};
use openidconnect::registration::EmptyAdditionalClientMetadata;
use openidconnect::reqwest;
use openidconnect::{
    ClientContactEmail, ClientName, LanguageTag, LocalizedClaim, RedirectUrl, RegistrationUrl,
    ResponseTypes,
};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tower::{Layer, service_fn};
use tower_oidc_registration::{RegistrationConfig, RegistrationConfigBuilder, RegistrationLayer};

const TIMEOUT: Duration = Duration::from_secs(10);
const REDIRECT_URI: &str = "https://client.example.org/callback";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A hyper server on 127.0.0.1 serving the layer around `fallback`; stopped on drop.
struct TestServer {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// Binds first, so that the issuer can name the port, then builds the configuration.
async fn start_server(
    configure: impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder,
) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let config = configure(RegistrationConfig::builder(format!("http://{addr}/")))
        .build()
        .expect("config");
    let service = RegistrationLayer::new(config).layer(service_fn(fallback));
    let task = common::server::serve(listener, service);
    TestServer { addr, task }
}

/// The wrapped service: reports what it received.
async fn fallback(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let text = format!("fallback {method} {uri} {}", String::from_utf8_lossy(&body));
    let response = Response::builder()
        .header("x-fallback", "1")
        .body(Full::new(Bytes::from(text)))
        .expect("response");
    Ok(response)
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .build()
        .expect("reqwest client")
}

fn str_field<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} missing in {value}"))
}

fn header_str(response: &reqwest::Response, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(&name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .to_str()
        .expect("ASCII header")
}

async fn get_client(http: &reqwest::Client, uri: &str, token: &str) -> reqwest::Response {
    http.get(uri).bearer_auth(token).send().await.expect("GET")
}

async fn json_body(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

fn now_secs() -> i64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock");
    i64::try_from(now.as_secs()).expect("seconds")
}

fn registration_request() -> CoreClientRegistrationRequest {
    let mut client_name = LocalizedClaim::new();
    client_name.insert(None, ClientName::new("Example RP".to_owned()));
    client_name.insert(
        Some(LanguageTag::new("fr".to_owned())),
        ClientName::new("RP d'exemple".to_owned()),
    );
    CoreClientRegistrationRequest::new(
        vec![RedirectUrl::new(REDIRECT_URI.to_owned()).expect("redirect URL")],
        EmptyAdditionalClientMetadata::default(),
    )
    .set_client_name(Some(client_name))
    .set_contacts(Some(vec![ClientContactEmail::new(
        "ops@client.example.org".to_owned(),
    )]))
    .set_application_type(Some(CoreApplicationType::Web))
    .set_response_types(Some(vec![ResponseTypes::new(vec![CoreResponseType::Code])]))
    .set_grant_types(Some(vec![
        CoreGrantType::AuthorizationCode,
        CoreGrantType::RefreshToken,
    ]))
    .set_token_endpoint_auth_method(Some(CoreClientAuthMethod::ClientSecretBasic))
}

/// A request body sent in several chunks with no declared length (chunked encoding).
struct Chunks(VecDeque<Bytes>);

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|chunk| Ok(Frame::data(chunk))))
    }
}

/// Sends one request over a fresh raw hyper HTTP/1.1 connection.
async fn hyper_request<B>(addr: SocketAddr, request: Request<B>) -> Response<Incoming>
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    tokio::time::timeout(TIMEOUT, sender.send_request(request))
        .await
        .expect("response within timeout")
        .expect("response")
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn openidconnect_client_registers_then_manages_over_http() {
    let server = start_server(|builder| builder).await;
    let http = http_client();

    // Registration by an independent client library.
    let endpoint = RegistrationUrl::new(server.url("/register")).expect("registration URL");
    let registered = registration_request()
        .register_async(&endpoint, &http)
        .await
        .expect("openidconnect registration");

    let client_id = registered.client_id().as_str().to_owned();
    assert!(!client_id.is_empty());
    let secret = registered
        .client_secret()
        .expect("client_secret")
        .secret()
        .clone();
    assert!(!secret.is_empty());
    let token = registered
        .registration_access_token()
        .expect("registration_access_token")
        .secret()
        .clone();
    assert!(!token.is_empty());
    let client_uri = registered
        .registration_client_uri()
        .expect("registration_client_uri")
        .url()
        .as_str()
        .to_owned();
    assert_eq!(
        client_uri,
        format!("http://{}/register/{client_id}", server.addr)
    );
    let redirect_uris: Vec<&str> = registered
        .redirect_uris()
        .iter()
        .map(|uri| uri.as_str())
        .collect();
    assert_eq!(redirect_uris, [REDIRECT_URI]);
    let names = registered.client_name().expect("client_name");
    assert_eq!(names.get(None).map(|n| n.as_str()), Some("Example RP"));
    assert_eq!(
        names
            .get(Some(&LanguageTag::new("fr".to_owned())))
            .map(|n| n.as_str()),
        Some("RP d'exemple")
    );
    let contacts: Vec<&str> = registered
        .contacts()
        .expect("contacts")
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(contacts, ["ops@client.example.org"]);
    assert_eq!(
        registered.response_types(),
        Some(&vec![ResponseTypes::new(vec![CoreResponseType::Code])])
    );
    assert_eq!(
        registered.grant_types(),
        Some(&vec![
            CoreGrantType::AuthorizationCode,
            CoreGrantType::RefreshToken
        ])
    );
    assert_eq!(
        registered.token_endpoint_auth_method(),
        Some(&CoreClientAuthMethod::ClientSecretBasic)
    );
    assert_eq!(
        registered.application_type(),
        Some(&CoreApplicationType::Web)
    );
    assert_eq!(
        registered.client_secret_expires_at().map(|t| t.timestamp()),
        Some(0),
        "a secret that never expires is reported as 0"
    );
    let issued_at = registered
        .client_id_issued_at()
        .expect("client_id_issued_at")
        .timestamp();
    assert!(
        (issued_at - now_secs()).abs() < 120,
        "issued at {issued_at}"
    );

    // Read (RFC 7592 §2.1).
    let response = get_client(&http, &client_uri, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_str(&response, header::CACHE_CONTROL), "no-store");
    let read = json_body(response).await;
    assert_eq!(str_field(&read, "client_id"), client_id);
    assert_eq!(str_field(&read, "client_secret"), secret);
    assert_eq!(str_field(&read, "client_name"), "Example RP");
    assert_eq!(str_field(&read, "client_name#fr"), "RP d'exemple");
    assert_eq!(str_field(&read, "registration_client_uri"), client_uri);

    // Full replacement (RFC 7592 §2.2): omitted members are removed.
    let replacement = json!({
        "client_id": client_id,
        "redirect_uris": ["https://client.example.org/new-callback"],
        "client_name": "Renamed RP",
        "response_types": ["code"],
        "grant_types": ["authorization_code"],
        "token_endpoint_auth_method": "client_secret_basic",
    });
    let response = http
        .put(&client_uri)
        .bearer_auth(&token)
        .json(&replacement)
        .send()
        .await
        .expect("PUT");
    assert_eq!(response.status(), StatusCode::OK);
    let updated = json_body(response).await;
    assert_eq!(str_field(&updated, "client_id"), client_id);
    assert_eq!(str_field(&updated, "client_secret"), secret, "secret kept");
    assert_eq!(
        str_field(&updated, "registration_access_token"),
        token,
        "no rotation by default"
    );
    assert_eq!(str_field(&updated, "client_name"), "Renamed RP");

    let response = get_client(&http, &client_uri, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let read = json_body(response).await;
    assert_eq!(str_field(&read, "client_name"), "Renamed RP");
    assert_eq!(
        read["redirect_uris"],
        json!(["https://client.example.org/new-callback"])
    );
    assert_eq!(read["grant_types"], json!(["authorization_code"]));
    assert!(read.get("client_name#fr").is_none(), "{read}");
    assert!(read.get("contacts").is_none(), "{read}");

    // Delete (RFC 7592 §2.3).
    let response = http
        .delete(&client_uri)
        .bearer_auth(&token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.expect("body").is_empty());

    // The token died with the client.
    let response = get_client(&http, &client_uri, &token).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = header_str(&response, header::WWW_AUTHENTICATE);
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(challenge.contains("invalid_token"), "{challenge}");
    let error = json_body(response).await;
    assert_eq!(str_field(&error, "error"), "invalid_token");
}

#[tokio::test]
async fn other_paths_reach_the_fallback_service() {
    let server = start_server(|builder| builder).await;
    let http = http_client();

    let cases = [
        ("GET", "/hello?x=1", ""),
        ("POST", "/api/items", "payload"),
        ("POST", "/registerx", "{}"),
        ("GET", "/register-ui", ""),
        ("GET", "/register/a/b", ""),
        ("PUT", "/register/", "{}"),
    ];
    for (method, path, body) in cases {
        let method = http::Method::from_bytes(method.as_bytes()).expect("method");
        let response = http
            .request(method.clone(), server.url(path))
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{method} {path}");
        assert_eq!(
            header_str(&response, header::HeaderName::from_static("x-fallback")),
            "1"
        );
        assert!(response.headers().get(header::CACHE_CONTROL).is_none());
        assert_eq!(
            response.text().await.expect("text"),
            format!("fallback {method} {path} {body}")
        );
    }
}

#[tokio::test]
async fn oversized_body_is_rejected_with_413() {
    let server = start_server(|builder| builder.max_body_bytes(1024)).await;
    let http = http_client();

    // Under the limit: registered.
    let small = json!({ "redirect_uris": [REDIRECT_URI], "client_name": "small" });
    let response = http
        .post(server.url("/register"))
        .json(&small)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::CREATED);

    // Over the limit, with a Content-Length.
    let large = json!({ "redirect_uris": [REDIRECT_URI], "client_name": "x".repeat(4096) });
    let response = http
        .post(server.url("/register"))
        .json(&large)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(header_str(&response, header::CACHE_CONTROL), "no-store");
    let error = json_body(response).await;
    assert_eq!(str_field(&error, "error"), "invalid_request");
}

#[tokio::test]
async fn oversized_chunked_body_is_rejected_with_413() {
    let server = start_server(|builder| builder.max_body_bytes(1024)).await;

    let mut chunks = VecDeque::from([Bytes::from_static(b"{\"client_name\":\"")]);
    chunks.extend((0..8).map(|_| Bytes::from(vec![b'x'; 512])));
    chunks.push_back(Bytes::from_static(b"\"}"));
    let request = Request::post("/register")
        .header(header::HOST, server.addr.to_string())
        .header(header::CONTENT_TYPE, "application/json")
        .body(Chunks(chunks))
        .expect("request");
    let response = hyper_request(server.addr, request).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let error: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(str_field(&error, "error"), "invalid_request");
}

/// ECHO-2: each client gets a `client_id` no other client has.
#[tokio::test]
async fn concurrent_registrations_get_distinct_client_ids() {
    const CLIENTS: usize = 20;
    let server = start_server(|builder| builder).await;
    let http = http_client();

    let tasks: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let http = http.clone();
            let url = server.url("/register");
            tokio::spawn(async move {
                let body = json!({
                    "redirect_uris": [format!("https://client{i}.example.org/cb")],
                    "client_name": format!("client {i}"),
                });
                let response = http.post(url).json(&body).send().await.expect("POST");
                assert_eq!(response.status(), StatusCode::CREATED, "client {i}");
                (i, json_body(response).await)
            })
        })
        .collect();

    let mut client_ids = HashSet::new();
    let mut tokens = HashSet::new();
    let mut registered = Vec::new();
    for task in tasks {
        let (i, created) = task.await.expect("task");
        assert_eq!(str_field(&created, "client_name"), format!("client {i}"));
        client_ids.insert(str_field(&created, "client_id").to_owned());
        tokens.insert(str_field(&created, "registration_access_token").to_owned());
        registered.push((i, created));
    }
    assert_eq!(client_ids.len(), CLIENTS);
    assert_eq!(tokens.len(), CLIENTS);

    // Each token reads its own client.
    for (i, created) in registered {
        let response = get_client(
            &http,
            str_field(&created, "registration_client_uri"),
            str_field(&created, "registration_access_token"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        let read = json_body(response).await;
        assert_eq!(
            str_field(&read, "client_id"),
            str_field(&created, "client_id")
        );
        assert_eq!(str_field(&read, "client_name"), format!("client {i}"));
    }
}
