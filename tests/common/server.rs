//! A real hyper server on 127.0.0.1, for the tests that talk to the layer over a socket.

use std::convert::Infallible;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower::Service;
use tower_oidc_registration::ResponseBody;

/// Serves `service` on `listener`, one task per connection, until the returned task is aborted.
/// HTTP/1, which is what the tests' clients (reqwest, openidconnect) speak.
pub fn serve<S>(listener: TcpListener, service: S) -> JoinHandle<()>
where
    S: Service<
            Request<Incoming>,
            Response = Response<ResponseBody<Full<Bytes>>>,
            Error = Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
