//! The layer as a Tower citizen: under `axum::Router::layer`, around a whole router, its
//! auto traits, and a pass-through that keeps requests, streamed bodies and errors intact.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Version, header};
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Empty, Full};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower::{Layer, Service, ServiceExt, service_fn};
use tower_oidc_registration::{
    Registration, RegistrationConfig, RegistrationLayer, ResponseBody, ResponseFuture,
};

const ISSUER: &str = "https://iam.example.org/";
const TIMEOUT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn config() -> RegistrationConfig {
    RegistrationConfig::builder(ISSUER)
        .build()
        .expect("valid config")
}

fn layer() -> RegistrationLayer {
    RegistrationLayer::new(config())
}

fn client_metadata() -> Value {
    json!({
        "redirect_uris": ["https://client.example.org/cb"],
        "client_name": "Tower test client",
    })
}

/// `POST /register` with a JSON body, in any body type that can be built from bytes.
fn register_request<B: From<String>>(path: &str) -> Request<B> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(B::from(client_metadata().to_string()))
        .expect("request")
}

fn bearer_request<B: Default>(method: Method, uri: &str, token: &str) -> Request<B> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(B::default())
        .expect("request")
}

async fn body_bytes<B>(body: B) -> Bytes
where
    B: Body,
    B::Error: std::fmt::Debug,
{
    body.collect().await.expect("body").to_bytes()
}

async fn body_json<B>(response: Response<B>) -> Value
where
    B: Body,
    B::Error: std::fmt::Debug,
{
    let bytes = body_bytes(response.into_body()).await;
    serde_json::from_slice(&bytes).expect("JSON body")
}

fn str_field<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} missing in {value}"))
}

/// A body fed frame by frame through a channel: nothing is available until the test sends it.
struct ChannelBody {
    rx: mpsc::Receiver<Frame<Bytes>>,
}

fn channel_body() -> (mpsc::Sender<Frame<Bytes>>, ChannelBody) {
    let (tx, rx) = mpsc::channel(1);
    (tx, ChannelBody { rx })
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx.poll_recv(cx).map(|frame| frame.map(Ok))
    }
}

fn data_frame(text: &'static str) -> Frame<Bytes> {
    Frame::data(Bytes::from_static(text.as_bytes()))
}

fn trailers(name: &'static str, value: &'static str) -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert(name, HeaderValue::from_static(value));
    map
}

/// The next frame of `body`, within the test timeout.
async fn next_frame<B>(body: &mut B) -> Option<Frame<Bytes>>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: std::fmt::Debug,
{
    tokio::time::timeout(TIMEOUT, body.frame())
        .await
        .expect("frame within timeout")
        .map(|frame| frame.expect("frame"))
}

fn frame_data(frame: Frame<Bytes>) -> Bytes {
    frame.into_data().expect("a data frame")
}

/// An error type of the inner service, to check that it flows through unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
struct InnerError(&'static str);

impl std::fmt::Display for InnerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "inner error: {}", self.0)
    }
}

impl std::error::Error for InnerError {}

/// An inner service that always fails with `InnerError`.
async fn failing_inner(_: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, InnerError> {
    Err(InnerError("boom"))
}

fn assert_clone_send_sync_static<T: Clone + Send + Sync + 'static>() {}
fn assert_send_static<T: Send + 'static>() {}
fn assert_error_type<S, R, E>(_: &S)
where
    S: Service<R, Error = E>,
{
}

fn hello_router() -> Router {
    Router::new()
        .route("/", get(|| async { "hello" }))
        .route("/echo", post(|body: String| async move { body }))
        .route("/register-ui", get(|| async { "ui" }))
}

// ---------------------------------------------------------------------------------------------
// (a) Under axum::Router::layer
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn axum_router_layer_passes_routes_through() {
    let app = hello_router().layer(layer());

    let response = app
        .clone()
        .oneshot(Request::get("/").body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Pass-through responses are untouched: none of the registration headers are added.
    assert!(response.headers().get(header::CACHE_CONTROL).is_none());
    assert!(response.headers().get(header::PRAGMA).is_none());
    assert_eq!(body_bytes(response.into_body()).await, "hello");

    let response = app
        .clone()
        .oneshot(
            Request::post("/echo")
                .body(axum::body::Body::from("echo me"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_bytes(response.into_body()).await, "echo me");

    // A path sharing the prefix textually but not as a segment is the router's.
    let response = app
        .clone()
        .oneshot(
            Request::get("/register-ui")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_bytes(response.into_body()).await, "ui");

    // Unknown paths reach the router's own fallback (404).
    let response = app
        .oneshot(
            Request::get("/nope")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn axum_router_layer_answers_registration_and_management() {
    let app = hello_router().layer(layer());

    let response = app
        .clone()
        .oneshot(register_request::<axum::body::Body>("/register"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.headers().get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    assert_eq!(
        response.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let created = body_json(response).await;
    let client_id = str_field(&created, "client_id").to_owned();
    let token = str_field(&created, "registration_access_token").to_owned();
    assert_eq!(
        str_field(&created, "registration_client_uri"),
        format!("https://iam.example.org/register/{client_id}")
    );
    assert_eq!(str_field(&created, "client_name"), "Tower test client");

    // The client configuration endpoint is answered through the router too.
    let response = app
        .clone()
        .oneshot(bearer_request::<axum::body::Body>(
            Method::GET,
            &format!("/register/{client_id}"),
            &token,
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let read = body_json(response).await;
    assert_eq!(str_field(&read, "client_id"), client_id);

    // Methods the registration endpoint does not serve are answered by the layer, not the router.
    let response = app
        .oneshot(
            Request::get("/register")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.headers().get(header::ALLOW).unwrap(),
        "POST, OPTIONS"
    );
}

#[tokio::test]
async fn axum_router_layer_with_nested_prefix() {
    let config = RegistrationConfig::builder(ISSUER)
        .prefix("/oauth/register")
        .build()
        .expect("config");
    let app = hello_router().layer(RegistrationLayer::new(config));

    let response = app
        .clone()
        .oneshot(register_request::<axum::body::Body>("/oauth/register"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = body_json(response).await;
    let client_id = str_field(&created, "client_id");
    assert_eq!(
        str_field(&created, "registration_client_uri"),
        format!("https://iam.example.org/oauth/register/{client_id}")
    );

    // The default prefix is no longer the layer's.
    let response = app
        .oneshot(register_request::<axum::body::Body>("/register"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------
// (b) Around a whole router
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn layer_around_whole_router_is_a_service() {
    let service = layer().layer(hello_router());

    let response = service
        .clone()
        .oneshot(Request::get("/").body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_bytes(response.into_body()).await, "hello");

    let response = service
        .clone()
        .oneshot(register_request::<axum::body::Body>("/register"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = body_json(response).await;
    let client_id = str_field(&created, "client_id").to_owned();
    let token = str_field(&created, "registration_access_token").to_owned();

    // The same service value answers several calls (poll_ready, then call), and its clones
    // share one store.
    let mut service = service;
    let response = ServiceExt::<Request<axum::body::Body>>::ready(&mut service)
        .await
        .unwrap()
        .call(bearer_request::<axum::body::Body>(
            Method::GET,
            &format!("/register/{client_id}"),
            &token,
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = ServiceExt::<Request<axum::body::Body>>::ready(&mut service)
        .await
        .unwrap()
        .call(
            Request::get("/nope")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // The router is reachable through get_ref.
    let _: &Router = service.get_ref();
}

#[tokio::test]
async fn registration_new_wraps_a_service_directly() {
    let service = Registration::new(hello_router(), config());
    let response = service
        .oneshot(register_request::<axum::body::Body>("/register"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn layer_around_whole_router_served_by_axum_serve() {
    let service = layer().layer(hello_router());
    // axum::serve wants `Response<axum::body::Body>`: a router with the service as its fallback
    // adapts the body type without touching the requests.
    let app = Router::new().fallback_service(service);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let http = reqwest::Client::new();
    let response = http
        .post(format!("http://{addr}/register"))
        .json(&client_metadata())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert!(
        str_field(&created, "registration_client_uri")
            .starts_with("https://iam.example.org/register/")
    );

    let response = http.get(format!("http://{addr}/")).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "hello");

    server.abort();
}

// ---------------------------------------------------------------------------------------------
// (c) Auto traits, checked at compile time
// ---------------------------------------------------------------------------------------------

#[test]
fn layer_service_future_and_body_are_send_sync_clone() {
    assert_clone_send_sync_static::<RegistrationLayer>();
    assert_clone_send_sync_static::<Registration<Router>>();
    assert_send_static::<<Registration<Router> as Service<Request<axum::body::Body>>>::Future>();
    assert_send_static::<ResponseBody<axum::body::Body>>();
    generic_service_is_send_sync::<Router>();
}

/// For any Clone + Send + Sync inner service with a Send future: the bounds hold generically,
/// not only for one concrete service.
fn generic_service_is_send_sync<S>()
where
    S: Service<Request<axum::body::Body>, Response = Response<axum::body::Body>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    assert_clone_send_sync_static::<Registration<S>>();
    assert_send_static::<ResponseFuture<S::Future>>();
    assert_send_static::<<Registration<S> as Service<Request<axum::body::Body>>>::Future>();
    fn _layer_produces<S>(layer: &RegistrationLayer, inner: S) -> Registration<S> {
        Layer::layer(layer, inner)
    }
}

// ---------------------------------------------------------------------------------------------
// (d) Pass-through keeps the request intact and streams both bodies
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
struct Marker(u32);

#[tokio::test]
async fn pass_through_keeps_request_parts_and_streams_request_body() {
    // The inner service acknowledges each frame it reads: the test sends the next one only
    // then, so a layer that buffered the body would deadlock (and time out).
    let (ack_tx, mut ack_rx) = mpsc::channel::<()>(1);
    let inner = service_fn(move |request: Request<ChannelBody>| {
        let ack_tx = ack_tx.clone();
        async move {
            assert_eq!(request.method(), Method::PATCH);
            assert_eq!(request.uri(), "http://example.com/upload/file?x=1&y=%20z");
            assert_eq!(request.version(), Version::HTTP_11);
            let values: Vec<_> = request.headers().get_all("x-custom").iter().collect();
            assert_eq!(values, ["one", "two"]);
            assert_eq!(
                request.headers().get(header::CONTENT_TYPE).unwrap(),
                "application/octet-stream"
            );
            assert_eq!(request.extensions().get::<Marker>(), Some(&Marker(7)));

            let mut body = request.into_body();
            let mut received = Vec::new();
            while let Some(frame) = next_frame(&mut body).await {
                match frame.into_data() {
                    Ok(data) => received.push(String::from_utf8(data.to_vec()).unwrap()),
                    Err(frame) => {
                        let trailers = frame.into_trailers().expect("trailers");
                        received.push(format!(
                            "trailer:{}",
                            trailers.get("x-checksum").unwrap().to_str().unwrap()
                        ));
                    }
                }
                ack_tx.send(()).await.unwrap();
            }
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(received.join("|")))))
        }
    });
    let service = layer().layer(inner);

    let (tx, body) = channel_body();
    let mut request = Request::builder()
        .method(Method::PATCH)
        .uri("http://example.com/upload/file?x=1&y=%20z")
        .header("x-custom", "one")
        .header("x-custom", "two")
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(body)
        .unwrap();
    request.extensions_mut().insert(Marker(7));
    let call = tokio::spawn(service.oneshot(request));

    for frame in [
        data_frame("first"),
        data_frame("second"),
        data_frame("third"),
    ] {
        tx.send(frame).await.unwrap();
        tokio::time::timeout(TIMEOUT, ack_rx.recv())
            .await
            .expect("the inner service reads each frame as it is sent")
            .unwrap();
    }
    tx.send(Frame::trailers(trailers("x-checksum", "abc")))
        .await
        .unwrap();
    tokio::time::timeout(TIMEOUT, ack_rx.recv())
        .await
        .expect("trailers reach the inner service")
        .unwrap();
    drop(tx);

    let response = tokio::time::timeout(TIMEOUT, call)
        .await
        .expect("response")
        .unwrap()
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        body_bytes(response.into_body()).await,
        "first|second|third|trailer:abc"
    );
}

#[tokio::test]
async fn pass_through_streams_response_body_frame_by_frame() {
    // The inner response body only gets frames when the test sends them: the response must
    // arrive before the body is complete, and each frame as it is sent.
    let (tx, body) = channel_body();
    let body = std::sync::Mutex::new(Some(body));
    let inner = service_fn(move |_request: Request<Empty<Bytes>>| {
        let body = body.lock().unwrap().take().expect("called once");
        async move {
            let mut response = Response::new(body);
            *response.status_mut() = StatusCode::ACCEPTED;
            response
                .headers_mut()
                .insert("x-inner", HeaderValue::from_static("yes"));
            Ok::<_, Infallible>(response)
        }
    });
    let service = layer().layer(inner);

    let response = tokio::time::timeout(
        TIMEOUT,
        service.oneshot(Request::get("/stream").body(Empty::new()).unwrap()),
    )
    .await
    .expect("the response arrives before its body is complete")
    .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.headers().get("x-inner").unwrap(), "yes");
    assert!(response.headers().get(header::CACHE_CONTROL).is_none());

    let mut body = response.into_body();
    for chunk in ["alpha", "beta", "gamma"] {
        tx.send(data_frame(chunk)).await.unwrap();
        let frame = next_frame(&mut body).await.expect("a frame");
        assert_eq!(frame_data(frame), chunk);
    }
    tx.send(Frame::trailers(trailers("x-done", "1")))
        .await
        .unwrap();
    let frame = next_frame(&mut body).await.expect("trailers frame");
    assert_eq!(
        frame
            .into_trailers()
            .expect("trailers")
            .get("x-done")
            .unwrap(),
        "1"
    );
    drop(tx);
    assert!(next_frame(&mut body).await.is_none());
}

#[tokio::test]
async fn pass_through_forwards_size_hint_and_end_of_stream() {
    const PAYLOAD: &[u8] = b"exactly 21 bytes long";
    let inner = service_fn(|_request: Request<Empty<Bytes>>| async {
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(PAYLOAD))))
    });
    let response = layer()
        .layer(inner)
        .oneshot(Request::get("/full").body(Empty::new()).unwrap())
        .await
        .unwrap();
    let mut body = response.into_body();
    assert_eq!(body.size_hint().exact(), Some(PAYLOAD.len() as u64));
    assert!(!body.is_end_stream());
    let frame = next_frame(&mut body).await.expect("the one frame");
    assert_eq!(frame_data(frame), PAYLOAD);
    assert!(body.is_end_stream());
    assert_eq!(body.size_hint().exact(), Some(0));

    let inner = service_fn(|_request: Request<Empty<Bytes>>| async {
        Ok::<_, Infallible>(Response::new(Empty::<Bytes>::new()))
    });
    let response = layer()
        .layer(inner)
        .oneshot(Request::get("/empty").body(Empty::new()).unwrap())
        .await
        .unwrap();
    let body = response.into_body();
    assert!(body.is_end_stream());
    assert_eq!(body.size_hint().exact(), Some(0));
}

#[tokio::test]
async fn registration_response_has_exact_size_hint() {
    let inner = service_fn(|_request: Request<Full<Bytes>>| async {
        Ok::<_, Infallible>(Response::new(Empty::<Bytes>::new()))
    });
    let response = layer()
        .layer(inner)
        .oneshot(register_request::<Full<Bytes>>("/register"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body = response.into_body();
    let exact = body.size_hint().exact().expect("an exact size");
    let bytes = body_bytes(body).await;
    assert_eq!(exact, bytes.len() as u64);
}

#[tokio::test]
async fn inner_error_type_is_the_outer_error_type() {
    let service = layer().layer(service_fn(failing_inner));
    // Checked by the compiler: Registration<S>::Error is S::Error.
    assert_error_type::<_, Request<Full<Bytes>>, InnerError>(&service);
    let result: Result<Response<ResponseBody<Full<Bytes>>>, InnerError> = service
        .oneshot(Request::get("/").body(Full::default()).unwrap())
        .await;
    assert_eq!(result.unwrap_err(), InnerError("boom"));
}

// ---------------------------------------------------------------------------------------------
// (e) Inner errors reach pass-through callers only
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn inner_errors_pass_through_while_registration_still_answers() {
    let service = layer().layer(service_fn(failing_inner));

    for path in ["/", "/api/clients", "/register/a/b", "/registerx"] {
        let error = service
            .clone()
            .oneshot(Request::get(path).body(Full::default()).unwrap())
            .await
            .expect_err(path);
        assert_eq!(error, InnerError("boom"), "{path}");
    }

    let response = service
        .clone()
        .oneshot(register_request::<Full<Bytes>>("/register"))
        .await
        .expect("registration is answered by the layer");
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = body_json(response).await;
    let client_id = str_field(&created, "client_id").to_owned();
    let token = str_field(&created, "registration_access_token").to_owned();

    let response = service
        .clone()
        .oneshot(bearer_request::<Full<Bytes>>(
            Method::GET,
            &format!("/register/{client_id}"),
            &token,
        ))
        .await
        .expect("reads are answered by the layer");
    assert_eq!(response.status(), StatusCode::OK);

    // Registration failures are responses too, never the inner error.
    let response = service
        .oneshot(bearer_request::<Full<Bytes>>(
            Method::GET,
            "/register/unknown",
            "not-a-token",
        ))
        .await
        .expect("a 401 response, not an error");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

/// An inner service that is never ready: its readiness error is the layer's.
#[derive(Debug, Clone)]
struct NeverReady;

impl Service<Request<Full<Bytes>>> for NeverReady {
    type Response = Response<Full<Bytes>>;
    type Error = InnerError;
    type Future = std::future::Ready<Result<Self::Response, InnerError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), InnerError>> {
        Poll::Ready(Err(InnerError("not ready")))
    }

    fn call(&mut self, _request: Request<Full<Bytes>>) -> Self::Future {
        unreachable!("call after a failed poll_ready")
    }
}

#[tokio::test]
async fn inner_readiness_error_is_forwarded() {
    let mut service = layer().layer(NeverReady);
    let error = ServiceExt::<Request<Full<Bytes>>>::ready(&mut service)
        .await
        .expect_err("not ready");
    assert_eq!(error, InnerError("not ready"));
}
