//! A local HTTPS server for the fetcher tests: a certificate generated for `127.0.0.1` and
//! `localhost`, routes that can be changed while it runs, and a count of the requests each
//! path received. [`TestServer::fetcher`] is an `HttpsFetcher` that trusts its certificate and
//! is explicitly allowed to reach loopback. [`broken`] has endpoints that fail.

#![allow(dead_code)]

pub mod broken;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body::{Body, Frame, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};
use tower_oidc_registration::fetch::{HttpsFetcher, HttpsFetcherBuilder};

/// What a path answers.
#[derive(Clone, Debug)]
pub struct Route {
    status: StatusCode,
    content_type: Option<String>,
    location: Option<String>,
    cache_control: Option<String>,
    body: Bytes,
    /// Sent without a Content-Length, in 1 KiB chunks.
    chunked: bool,
    delay: Option<Duration>,
}

impl Route {
    /// 200 with `value` as `application/json`.
    pub fn json(value: &Value) -> Self {
        Self::raw(200, Some("application/json"), value.to_string())
    }

    /// Any status, content type and body.
    pub fn raw(status: u16, content_type: Option<&str>, body: impl Into<Bytes>) -> Self {
        Self {
            status: StatusCode::from_u16(status).expect("status"),
            content_type: content_type.map(str::to_owned),
            location: None,
            cache_control: None,
            body: body.into(),
            chunked: false,
            delay: None,
        }
    }

    /// A 302 to `location`.
    pub fn redirect(location: &str) -> Self {
        let mut route = Self::raw(302, None, Bytes::new());
        route.location = Some(location.to_owned());
        route
    }

    /// The same, sent without a Content-Length.
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    /// The same, with this `Cache-Control` header.
    pub fn cache_control(mut self, value: &str) -> Self {
        self.cache_control = Some(value.to_owned());
        self
    }

    /// The same, answered after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

type Routes = Arc<Mutex<HashMap<String, Route>>>;

/// The running server; it stops with the test's runtime.
pub struct TestServer {
    pub addr: SocketAddr,
    /// The server's certificate (DER), self-signed.
    pub certificate: Vec<u8>,
    routes: Routes,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl TestServer {
    /// Starts a server on 127.0.0.1 with `routes`; unknown paths get 404.
    pub async fn start(routes: impl IntoIterator<Item = (&'static str, Route)>) -> Self {
        let generated = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
        ])
        .expect("certificate");
        let certificate = generated.cert.der().to_vec();
        let key = pki_types::PrivateKeyDer::Pkcs8(pki_types::PrivatePkcs8KeyDer::from(
            generated.signing_key.serialize_der(),
        ));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![certificate.clone().into()], key)
        .expect("server certificate");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let routes: Routes = Arc::new(Mutex::new(
            routes.into_iter().map(|(p, r)| (p.to_owned(), r)).collect(),
        ));
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let (task_routes, task_hits) = (Arc::clone(&routes), Arc::clone(&hits));
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (acceptor, routes, hits) = (
                    acceptor.clone(),
                    Arc::clone(&task_routes),
                    Arc::clone(&task_hits),
                );
                tokio::spawn(async move {
                    // Clients that refuse the certificate end here.
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let (routes, hits) = (Arc::clone(&routes), Arc::clone(&hits));
                        async move {
                            Ok::<_, Infallible>(answer(&routes, &hits, req.uri().path()).await)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            certificate,
            routes,
            hits,
        }
    }

    /// `https://127.0.0.1:{port}{path}`.
    pub fn uri(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.addr.port())
    }

    /// Replaces (or adds) the route of `path`.
    pub fn set(&self, path: &str, route: Route) {
        self.routes
            .lock()
            .expect("lock")
            .insert(path.to_owned(), route);
    }

    /// How many requests `path` received.
    pub fn hits(&self, path: &str) -> usize {
        self.hits
            .lock()
            .expect("lock")
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// A fetcher builder that trusts this server's certificate and may reach loopback.
    pub fn fetcher_builder(&self) -> HttpsFetcherBuilder {
        HttpsFetcher::builder()
            .allow_loopback(true)
            .add_root_certificate(self.certificate.clone())
    }

    /// [`fetcher_builder`](Self::fetcher_builder), built.
    pub fn fetcher(&self) -> HttpsFetcher {
        self.fetcher_builder().build().expect("fetcher")
    }
}

type AnswerBody = http_body_util::Either<http_body_util::Full<Bytes>, Chunked>;

async fn answer(
    routes: &Routes,
    hits: &Mutex<HashMap<String, usize>>,
    path: &str,
) -> Response<AnswerBody> {
    *hits
        .lock()
        .expect("lock")
        .entry(path.to_owned())
        .or_default() += 1;
    let route = routes.lock().expect("lock").get(path).cloned();
    let Some(route) = route else {
        return Response::builder()
            .status(404)
            .body(http_body_util::Either::Left(Bytes::new().into()))
            .expect("response");
    };
    if let Some(delay) = route.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = Response::builder().status(route.status);
    if let Some(ct) = &route.content_type {
        response = response.header(header::CONTENT_TYPE, ct);
    }
    if let Some(location) = &route.location {
        response = response.header(header::LOCATION, location);
    }
    if let Some(cache_control) = &route.cache_control {
        response = response.header(header::CACHE_CONTROL, cache_control);
    }
    let body = if route.chunked {
        http_body_util::Either::Right(Chunked(route.body))
    } else {
        http_body_util::Either::Left(route.body.into())
    };
    response.body(body).expect("response")
}

/// A body of unknown length, sent 1 KiB at a time.
pub struct Chunked(Bytes);

impl Body for Chunked {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.0.is_empty() {
            return Poll::Ready(None);
        }
        let n = self.0.len().min(1024);
        let chunk = self.0.split_to(n);
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}
