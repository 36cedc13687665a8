//! `examples/axum_app` end to end over a real socket: discovery built from the registry,
//! registration at the advertised endpoint, the `client_credentials` token endpoint
//! authenticating registered clients through the `Registry`, and initial-access-token mode.
//!
//! Anonymous registrants cannot get `client_credentials` clients (the library's default caller
//! restrictions): the token endpoint flows run the server as `main.rs` does with
//! `--initial-access-token`, and register with that token.

#[path = "../../examples/axum_app/app/mod.rs"]
mod app;
mod discovery;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tower_oidc_registration::{ConfigError, RegistrationAccess, RegistrationConfigBuilder};

/// The initial access token of the protected server: at least 16 characters of the bearer
/// token alphabet, or the configuration is refused.
const INITIAL_ACCESS_TOKEN: &str = "iat-3b1f0c2a9d7e4f6a8c5b";

/// A running example server.
struct Server {
    /// `http://127.0.0.1:PORT[/path]`, the issuer without its trailing slash.
    base: String,
    /// The initial access token [`Server::register`] presents, if the server has one.
    initial_access_token: Option<&'static str>,
    http: reqwest::Client,
}

/// Serves `app::app` on 127.0.0.1:0 with the configuration `configure` makes of the builder:
/// open registration, as `main.rs` runs without `--initial-access-token`.
async fn serve(
    configure: impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder,
) -> Server {
    serve_at("", None, configure).await
}

/// Serves the app as `main.rs` does with `--initial-access-token INITIAL_ACCESS_TOKEN`:
/// registration needs the token, and its holder may register `client_credentials` clients.
async fn serve_protected() -> Server {
    serve_protected_at("").await
}

/// [`serve_protected`] with the issuer `http://127.0.0.1:PORT{path}/`.
async fn serve_protected_at(path: &str) -> Server {
    serve_at(path, Some(INITIAL_ACCESS_TOKEN), |b| {
        b.registration_access(RegistrationAccess::InitialAccessToken)
            .initial_access_token(INITIAL_ACCESS_TOKEN)
    })
    .await
}

/// Serves the app with the issuer `http://127.0.0.1:PORT{path}/`; [`Server::register`]
/// presents `initial_access_token` when given.
async fn serve_at(
    path: &str,
    initial_access_token: Option<&'static str>,
    configure: impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder,
) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!(
        "http://{}{path}",
        listener.local_addr().expect("local address")
    );
    let config = configure(app::config_builder(format!("{base}/")))
        .build()
        .expect("config");
    let app = app::app(config, app::Options::default());
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    Server {
        base,
        initial_access_token,
        http: reqwest::Client::new(),
    }
}

/// A registered client, as the registration response describes it.
struct Client {
    id: String,
    secret: String,
    registration_access_token: String,
    registration_client_uri: String,
}

impl Server {
    async fn discovery(&self) -> Value {
        let response = self
            .http
            .get(format!("{}/.well-known/openid-configuration", self.base))
            .send()
            .await
            .expect("discovery");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("discovery JSON")
    }

    /// The registration endpoint discovery advertises.
    async fn registration_endpoint(&self) -> String {
        self.discovery().await["registration_endpoint"]
            .as_str()
            .expect("registration_endpoint")
            .to_owned()
    }

    /// A registration request for `metadata` at the advertised endpoint, with the server's
    /// initial access token if it has one.
    async fn registration_request(&self, metadata: &Value) -> reqwest::RequestBuilder {
        let request = self
            .http
            .post(self.registration_endpoint().await)
            .json(metadata);
        match self.initial_access_token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Registers `metadata` at the registration endpoint discovery advertises (with the
    /// server's initial access token, if it has one).
    async fn register(&self, metadata: Value) -> Client {
        let response = self
            .registration_request(&metadata)
            .await
            .send()
            .await
            .expect("register");
        let status = response.status();
        let info: Value = response.json().await.expect("registration JSON");
        assert_eq!(status, StatusCode::CREATED, "{info}");
        let field = |name: &str| info[name].as_str().expect(name).to_owned();
        Client {
            id: field("client_id"),
            secret: field("client_secret"),
            registration_access_token: field("registration_access_token"),
            registration_client_uri: field("registration_client_uri"),
        }
    }

    /// Registers `metadata` and asserts a 400 `invalid_client_metadata` whose description
    /// mentions `member`.
    async fn assert_metadata_refused(&self, metadata: &Value, member: &str) {
        let response = self
            .registration_request(metadata)
            .await
            .send()
            .await
            .expect("register");
        assert_registration_refused(
            response,
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            member,
        )
        .await;
    }

    /// Asserts that discovery names the issuer and puts both endpoints under it.
    async fn assert_endpoints_under_the_issuer(&self) -> Value {
        let document = self.discovery().await;
        assert_eq!(document["issuer"], format!("{}/", self.base));
        assert_eq!(document["token_endpoint"], format!("{}/token", self.base));
        assert_eq!(
            document["registration_endpoint"],
            format!("{}/register", self.base)
        );
        document
    }

    fn token_request(&self) -> reqwest::RequestBuilder {
        self.http.post(format!("{}/token", self.base))
    }

    /// Registers a `client_credentials` client with no other metadata.
    async fn register_service(&self) -> Client {
        self.register(json!({"grant_types": ["client_credentials"]}))
            .await
    }

    /// Asks for a `client_credentials` token as `client`, authenticating with Basic.
    async fn client_credentials(
        &self,
        client: &Client,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        send(basic(self.token_request(), client).form(&CLIENT_CREDENTIALS)).await
    }

    /// The status of a registration management request at `client`'s registration client
    /// URI with the bearer `token`; `what` names the request.
    async fn management_status(
        &self,
        request: reqwest::RequestBuilder,
        token: &str,
        what: &str,
    ) -> StatusCode {
        request
            .bearer_auth(token)
            .send()
            .await
            .expect(what)
            .status()
    }
}

/// Asserts a refused registration: `status`, the `error` code, and an `error_description`
/// that mentions `mentions`.
async fn assert_registration_refused(
    response: reqwest::Response,
    status: StatusCode,
    error: &str,
    mentions: &str,
) {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("error JSON");
    assert_eq!(body["error"], error, "{body}");
    let description = body["error_description"].as_str().expect("description");
    assert!(description.contains(mentions), "{description}");
}

/// Sends a token request and returns its status, headers and JSON body.
async fn send(request: reqwest::RequestBuilder) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = request.send().await.expect("token request");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.expect("token JSON");
    (status, headers, body)
}

fn basic(request: reqwest::RequestBuilder, client: &Client) -> reqwest::RequestBuilder {
    request.basic_auth(&client.id, Some(&client.secret))
}

const CLIENT_CREDENTIALS: [(&str, &str); 1] = [("grant_type", "client_credentials")];

/// A 200 token response: an opaque 32-byte base64url Bearer token, valid an hour, not cached.
fn assert_token(
    (status, headers, body): &(StatusCode, reqwest::header::HeaderMap, Value),
) -> String {
    assert_eq!(*status, StatusCode::OK, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().expect("access_token");
    assert_eq!(URL_SAFE_NO_PAD.decode(token).expect("base64url").len(), 32);
    token.to_owned()
}

/// An RFC 6749 §5.2 error response.
fn assert_error(
    (status, headers, body): &(StatusCode, reqwest::header::HeaderMap, Value),
    expected_status: StatusCode,
    error: &str,
) {
    assert_eq!(*status, expected_status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    if expected_status == StatusCode::UNAUTHORIZED {
        let challenge = headers["www-authenticate"].to_str().expect("ascii");
        assert!(challenge.starts_with("Basic "), "{challenge}");
    }
}

/// A 401 `invalid_client`: the token endpoint did not authenticate the client.
fn assert_invalid_client(response: &(StatusCode, reqwest::header::HeaderMap, Value)) {
    assert_error(response, StatusCode::UNAUTHORIZED, "invalid_client");
}

/// A 400 `invalid_request`: a malformed token request.
fn assert_invalid_request(response: &(StatusCode, reqwest::header::HeaderMap, Value)) {
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_request");
}

/// A 400 `unauthorized_client`: the client may not use the `client_credentials` grant.
fn assert_unauthorized_client(response: &(StatusCode, reqwest::header::HeaderMap, Value)) {
    assert_error(response, StatusCode::BAD_REQUEST, "unauthorized_client");
}

/// JWS algorithms (RFC 7518 §3.1, and EdDSA), as discovery lists them.
const SIGNING: [&str; 13] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    "HS256", "HS384", "HS512",
];
/// [`SIGNING`] and `none`.
const SIGNING_OR_NONE: [&str; 14] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    "HS256", "HS384", "HS512", "none",
];
/// JWE key management algorithms (RFC 7518 §4.1).
const KEY_MANAGEMENT: [&str; 13] = [
    "RSA-OAEP",
    "RSA-OAEP-256",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A192KW",
    "ECDH-ES+A256KW",
    "A128KW",
    "A192KW",
    "A256KW",
    "A128GCMKW",
    "A192GCMKW",
    "A256GCMKW",
    "dir",
];
/// JWE content encryption algorithms (RFC 7518 §5.1).
const CONTENT_ENCRYPTION: [&str; 6] = [
    "A128CBC-HS256",
    "A192CBC-HS384",
    "A256CBC-HS512",
    "A128GCM",
    "A192GCM",
    "A256GCM",
];

/// ALG-5: `introspection_signed_response_alg` is never `none`.
/// DISC-1: the provider metadata advertise the https `registration_endpoint`.
/// DISC-2: the advertised methods and grant, response and subject types are the accepted ones.
/// DISC-4: `none` is not advertised where it is refused.
#[tokio::test]
async fn discovery_advertises_what_the_registry_enforces() {
    let server = serve_protected().await;
    let document = server.assert_endpoints_under_the_issuer().await;
    // The example's configuration, member for member: the host's issuer and endpoints, PKCE
    // S256, the registration endpoint under the issuer, only the authentication methods, grants
    // and response type the example implements, the library's default subject types, and
    // every algorithm registration accepts (`none` only where a client may register it). No
    // `jwks_uri`: the example signs nothing.
    let base = &server.base;
    let expected = json!({
        "issuer": format!("{base}/"),
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "code_challenge_methods_supported": ["S256"],
        "registration_endpoint": format!("{base}/register"),
        "token_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "none"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "response_types_supported": ["code"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": SIGNING_OR_NONE,
        "id_token_encryption_alg_values_supported": KEY_MANAGEMENT,
        "id_token_encryption_enc_values_supported": CONTENT_ENCRYPTION,
        "userinfo_signing_alg_values_supported": SIGNING_OR_NONE,
        "userinfo_encryption_alg_values_supported": KEY_MANAGEMENT,
        "userinfo_encryption_enc_values_supported": CONTENT_ENCRYPTION,
        "request_object_signing_alg_values_supported": SIGNING_OR_NONE,
        "request_object_encryption_alg_values_supported": KEY_MANAGEMENT,
        "request_object_encryption_enc_values_supported": CONTENT_ENCRYPTION,
        "authorization_signing_alg_values_supported": SIGNING,
        "authorization_encryption_alg_values_supported": KEY_MANAGEMENT,
        "authorization_encryption_enc_values_supported": CONTENT_ENCRYPTION,
        "introspection_signing_alg_values_supported": SIGNING,
        "introspection_encryption_alg_values_supported": KEY_MANAGEMENT,
        "introspection_encryption_enc_values_supported": CONTENT_ENCRYPTION,
        "token_endpoint_auth_signing_alg_values_supported": SIGNING,
    });
    assert_eq!(document, expected);
    server
        .assert_metadata_refused(
            &json!({"grant_types": ["client_credentials"],
                    "token_endpoint_auth_method": "private_key_jwt",
                    "jwks_uri": "https://client.example.org/jwks.json"}),
            "token_endpoint_auth_method",
        )
        .await;
    // Nor a flow the example does not implement.
    server
        .assert_metadata_refused(
            &json!({"redirect_uris": ["https://rp.example.org/cb"], "response_types": ["id_token"],
                    "grant_types": ["implicit"]}),
            "_types",
        )
        .await;
}

#[tokio::test]
async fn client_credentials_with_basic_authentication() {
    let server = serve_protected().await;
    let client = server
        .register(json!({"grant_types": ["client_credentials"], "client_name": "svc"}))
        .await;
    let first = assert_token(&server.client_credentials(&client).await);
    assert_ne!(
        assert_token(&server.client_credentials(&client).await),
        first
    );
    // A client_id parameter naming the same client is allowed; another client is not.
    let same = [
        ("grant_type", "client_credentials"),
        ("client_id", client.id.as_str()),
    ];
    assert_token(&send(basic(server.token_request(), &client).form(&same)).await);
    let other = [
        ("grant_type", "client_credentials"),
        ("client_id", "someone-else"),
    ];
    assert_invalid_request(&send(basic(server.token_request(), &client).form(&other)).await);
}

#[tokio::test]
async fn client_credentials_with_post_authentication() {
    let server = serve_protected().await;
    let client = server
        .register(json!({"grant_types": ["client_credentials"],
                         "token_endpoint_auth_method": "client_secret_post"}))
        .await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client.id.as_str()),
        ("client_secret", client.secret.as_str()),
    ];
    assert_token(&send(server.token_request().form(&form)).await);
    // Registered for client_secret_post: the same secret over Basic is refused.
    assert_invalid_client(&server.client_credentials(&client).await);
    // Both methods at once: RFC 6749 §2.3 allows one.
    assert_invalid_request(&send(basic(server.token_request(), &client).form(&form)).await);
}

#[tokio::test]
async fn failed_authentication_is_invalid_client() {
    let server = serve_protected().await;
    let client = server.register_service().await;
    let wrong = Client {
        secret: format!("{}x", client.secret),
        id: client.id.clone(),
        registration_access_token: String::new(),
        registration_client_uri: String::new(),
    };
    assert_invalid_client(&server.client_credentials(&wrong).await);
    let unknown = Client {
        id: "no-such-client".into(),
        ..wrong
    };
    assert_invalid_client(&server.client_credentials(&unknown).await);
    // No credentials at all, and a header that is not Basic.
    assert_invalid_client(&send(server.token_request().form(&CLIENT_CREDENTIALS)).await);
    assert_invalid_client(
        &send(
            server
                .token_request()
                .bearer_auth(&client.secret)
                .form(&CLIENT_CREDENTIALS),
        )
        .await,
    );
}

#[tokio::test]
async fn grant_must_be_supported_and_registered() {
    let server = serve_protected().await;
    let code_only = server
        .register(json!({"grant_types": ["authorization_code"],
                         "redirect_uris": ["https://client.example.org/cb"]}))
        .await;
    assert_unauthorized_client(&server.client_credentials(&code_only).await);
    // No grant_types: RFC 7591 §2 defaults to authorization_code alone.
    let default = server
        .register(json!({"redirect_uris": ["https://client.example.org/cb"]}))
        .await;
    assert_unauthorized_client(&server.client_credentials(&default).await);
    let service = server.register_service().await;
    assert_error(
        &send(basic(server.token_request(), &service).form(&[("grant_type", "password")])).await,
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
    );
    assert_invalid_request(
        &send(basic(server.token_request(), &service).form(&[("scope", "x")])).await,
    );
    // A repeated parameter, and a body that is not form-encoded.
    assert_invalid_request(
        &send(
            basic(server.token_request(), &service)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials&grant_type=client_credentials"),
        )
        .await,
    );
    assert_invalid_request(
        &send(
            basic(server.token_request(), &service)
                .json(&json!({"grant_type": "client_credentials"})),
        )
        .await,
    );
}

/// MGT-21: after a deletion the client's id, secret and registration access token are dead.
#[tokio::test]
async fn deleted_client_is_invalid_client() {
    let server = serve_protected().await;
    let client = server.register_service().await;
    assert_token(&server.client_credentials(&client).await);
    let deleted = server
        .management_status(
            server.http.delete(&client.registration_client_uri),
            &client.registration_access_token,
            "delete",
        )
        .await;
    assert_eq!(deleted, StatusCode::NO_CONTENT);
    assert_invalid_client(&server.client_credentials(&client).await);
}

/// IAT-1: registration may require an initial access token.
/// IAT-7: an initial access token manages no client; a registration access token registers none.
#[tokio::test]
async fn initial_access_token_mode_protects_registration() {
    let server = serve_protected().await;
    let endpoint = server.registration_endpoint().await;
    for metadata in [
        json!({"grant_types": ["client_credentials"]}),
        json!({"redirect_uris": ["https://client.example.org/cb"]}),
    ] {
        // No token: 401 with a bare Bearer challenge, and no error code in the body either.
        let anonymous = server
            .http
            .post(&endpoint)
            .json(&metadata)
            .send()
            .await
            .expect("register");
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
        let body: Value = anonymous.json().await.expect("error JSON");
        assert!(body.get("error").is_none(), "{body}");
        let description = body["error_description"].as_str().expect("description");
        assert!(
            description.contains("initial access token"),
            "{description}"
        );
        // A wrong token: 401 invalid_token.
        let wrong = server
            .http
            .post(&endpoint)
            .bearer_auth("not-the-initial-access-token")
            .json(&metadata)
            .send()
            .await
            .expect("register");
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let challenge = wrong.headers()["www-authenticate"].to_str().expect("ascii");
        assert!(
            challenge.starts_with("Bearer error=\"invalid_token\""),
            "{challenge}"
        );
    }
    // The token: registered, and the client it registered gets tokens.
    let client = server.register_service().await;
    assert_token(&server.client_credentials(&client).await);
    // It manages its registration with its own registration access token, not the initial
    // access token.
    let read = |token| {
        server.management_status(
            server.http.get(&client.registration_client_uri),
            token,
            "read",
        )
    };
    assert_eq!(
        read(&client.registration_access_token).await,
        StatusCode::OK
    );
    assert_eq!(read(INITIAL_ACCESS_TOKEN).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn open_mode_refuses_anonymous_client_credentials_clients() {
    let server = serve(|b| b).await;
    assert!(server.initial_access_token.is_none());
    // Anyone could otherwise mint access tokens: refused at registration.
    server
        .assert_metadata_refused(
            &json!({"grant_types": ["client_credentials"], "client_name": "svc"}),
            "grant_types",
        )
        .await;
    // Other clients still register anonymously, but get no token here.
    let code_only = server
        .register(json!({"redirect_uris": ["https://client.example.org/cb"]}))
        .await;
    assert_unauthorized_client(&server.client_credentials(&code_only).await);
    // Nor can such a client gain client_credentials by updating itself.
    let response = server
        .http
        .put(&code_only.registration_client_uri)
        .bearer_auth(&code_only.registration_access_token)
        .json(&json!({"client_id": code_only.id, "grant_types": ["client_credentials"]}))
        .send()
        .await
        .expect("update");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

/// IAT-8: a static initial access token is at least 16 bearer-token characters.
#[test]
fn a_weak_initial_access_token_is_refused_at_startup() {
    // `main.rs` builds this configuration from `--initial-access-token` and exits on the error.
    for weak in ["short", "has spaces in the token"] {
        let built = app::config_builder("http://127.0.0.1:8081/")
            .registration_access(RegistrationAccess::InitialAccessToken)
            .initial_access_token(weak)
            .build();
        assert!(
            matches!(built, Err(ConfigError::InitialAccessToken(_))),
            "{weak:?}: {built:?}"
        );
    }
}

#[tokio::test]
async fn issuer_with_a_path_serves_every_endpoint_under_it() {
    let server = serve_protected_at("/realms/x").await;
    server.assert_endpoints_under_the_issuer().await;
    let client = server.register_service().await;
    assert!(
        client
            .registration_client_uri
            .starts_with(&format!("{}/register/", server.base))
    );
    assert_token(&server.client_credentials(&client).await);
}

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// Served with `into_make_service_with_connect_info::<SocketAddr>()`, as `main.rs` does, the
/// app's client address (axum's `ConnectInfo`, `app::config_builder`) is the peer's, and its
/// registrations are limited per address.
#[tokio::test]
async fn with_connect_info_registrations_are_limited_per_address() {
    use std::net::SocketAddr;
    use tower_oidc_registration::rate_limit::{Rate, RateLimit};

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    let config = app::config_builder(format!("{base}/"))
        .registration_rate_limit(Some(RateLimit::per_address(Rate::per_hour(2))))
        .build()
        .expect("config");
    let app = app::app(config, app::Options::default());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serve")
    });
    let http = reqwest::Client::new();
    let register = || {
        http.post(format!("{base}/register"))
            .json(&json!({"redirect_uris": ["https://rp.example.org/cb"]}))
            .send()
    };
    for _ in 0..2 {
        let created = register().await.expect("response");
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    let refused = register().await.expect("response");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1800")
    );
}
