//! The harness of the host integration tests (the `host` test binary): the layer and its [`Registry`]
//! around an inner service that answers 418, request builders for the registration and client
//! configuration endpoints, and small helpers for the host API.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::Full;
use serde_json::{Map, Value, json};
use tower::util::BoxCloneService;
use tower::{Layer, service_fn};
use tower_oidc_registration::{
    ClientCredentials, ClientStore, MemoryStore, RegistrationConfig, RegistrationConfigBuilder,
    RegistrationLayer, Registry, Secret,
};

use super::{Client, ISSUER, REDIRECT, Resp, Svc, TestBody, created_client, full, with_bearer};

/// The layer under test and its registry.
pub struct Host {
    pub svc: Svc,
    pub registry: Registry,
    /// The memory store [`Host::new`] gives the layer (unless `f` sets another).
    pub store: Option<Arc<MemoryStore>>,
}

impl Host {
    /// The layer with a configuration for [`ISSUER`] and a memory store, adjusted by `f`.
    pub fn new(f: impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder) -> Self {
        let store = Arc::new(MemoryStore::new());
        let store_dyn: Arc<dyn ClientStore> = store.clone();
        let config = f(RegistrationConfig::builder(ISSUER).shared_store(store_dyn))
            .build()
            .expect("valid test configuration");
        Self {
            store: Some(store),
            ..Self::from_config(config)
        }
    }

    /// How many clients the store holds.
    pub async fn count(&self) -> u64 {
        let store = self.store.as_ref().expect("a host made by Host::new");
        store.count().await.expect("count")
    }

    /// The layer with `config`.
    pub fn from_config(config: RegistrationConfig) -> Self {
        super::contract::register_prefix(config.prefix());
        let layer = RegistrationLayer::new(config);
        let registry = layer.registry();
        let inner = service_fn(|_req: Request<TestBody>| async {
            Ok::<_, Infallible>(super::contract::mark_inner(
                Response::builder()
                    .status(StatusCode::IM_A_TEAPOT)
                    .body(Full::new(Bytes::new()))
                    .expect("response"),
            ))
        });
        Self {
            svc: BoxCloneService::new(layer.layer(inner)),
            registry,
            store: None,
        }
    }

    /// Sends one request through a clone of the service.
    pub async fn send(&self, request: Request<TestBody>) -> Resp {
        super::send(&self.svc, request).await
    }

    /// `POST /register` with `Authorization: Bearer <iat>` (none when `None`).
    pub async fn post(&self, iat: Option<&str>, body: &Value) -> Resp {
        let authorization = iat.map(|t| format!("Bearer {t}"));
        self.send(post_request(authorization.as_deref(), body))
            .await
    }

    /// Registers `body` as [`Host::post`] sends it and asserts a 201 with credentials.
    pub async fn register(&self, iat: Option<&str>, body: &Value) -> Client {
        created_client(&self.post(iat, body).await, body)
    }

    /// `GET /register/<client_id>` with `token`.
    pub async fn get(&self, client_id: &str, token: &str) -> Resp {
        self.send(get_request(client_id, token)).await
    }

    /// `PUT /register/<client_id>` of `body` with `token`.
    pub async fn put(&self, client_id: &str, token: &str, body: &Value) -> Resp {
        self.send(put_request(client_id, token, body)).await
    }

    /// Asserts that updates of `client` carrying credentials in the body are refused (400): a
    /// wrong `client_secret` (`wrong_secret`), and a `registration_access_token` member.
    pub async fn assert_credential_bearing_updates_refused(
        &self,
        client: &Client,
        wrong_secret: &str,
    ) {
        let mut body = json!({"client_id": client.id, "redirect_uris": [REDIRECT]});
        body["client_secret"] = json!(wrong_secret);
        let resp = self.put(&client.id, &client.token, &body).await;
        assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{}", resp.text());
        let mut body = json!({"client_id": client.id, "redirect_uris": [REDIRECT]});
        body["registration_access_token"] = json!(client.token);
        let resp = self.put(&client.id, &client.token, &body).await;
        assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{}", resp.text());
    }

    /// `DELETE /register/<client_id>` with `token`.
    pub async fn delete(&self, client_id: &str, token: &str) -> Resp {
        self.send(
            with_bearer(Request::delete(config_path(client_id)), Some(token))
                .body(full(Bytes::new()))
                .expect("request"),
        )
        .await
    }
}

/// `POST /register` of `body` as JSON (no Content-Length), with `Authorization: <authorization>`
/// (none when `None`).
pub fn post_request(authorization: Option<&str>, body: &Value) -> Request<TestBody> {
    let mut builder = Request::post("/register").header(header::CONTENT_TYPE, "application/json");
    if let Some(value) = authorization {
        builder = builder.header(header::AUTHORIZATION, value);
    }
    builder
        .body(full(serde_json::to_vec(body).expect("json")))
        .expect("request")
}

/// `GET /register/<client_id>` with `Authorization: Bearer <token>`.
pub fn get_request(client_id: &str, token: &str) -> Request<TestBody> {
    with_bearer(Request::get(config_path(client_id)), Some(token))
        .body(full(Bytes::new()))
        .expect("request")
}

/// `PUT /register/<client_id>` of `body` as JSON (no Content-Length), with
/// `Authorization: Bearer <token>`.
pub fn put_request(client_id: &str, token: &str, body: &Value) -> Request<TestBody> {
    with_bearer(Request::put(config_path(client_id)), Some(token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(full(serde_json::to_vec(body).expect("json")))
        .expect("request")
}

/// The client configuration endpoint of `client_id` under the default prefix.
fn config_path(client_id: &str) -> String {
    format!("/register/{client_id}")
}

/// The `registration_access_token` of a response.
pub fn token_of(resp: &Resp) -> String {
    resp.json()["registration_access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// HTTP Basic client credentials.
pub fn basic(client_id: &str, secret: &str) -> ClientCredentials {
    ClientCredentials::Basic {
        client_id: client_id.to_owned(),
        client_secret: Secret::new(secret),
    }
}

/// A JSON object as the map the host API takes.
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// A registration body with [`REDIRECT`] and the client name `name`.
pub fn named(name: &str) -> Value {
    json!({"redirect_uris": [REDIRECT], "client_name": name})
}
