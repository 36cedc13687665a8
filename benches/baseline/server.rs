//! How the baseline serves: what `examples/hyper_standalone` serves with, copied, so that the
//! two servers differ by the registration layer alone. hyper 1 HTTP/1 with the example's
//! default limits (header read timeout, header size, title-case header names), `TCP_NODELAY`,
//! and the same way to a handler: a Tower service under a time limit per request, served through
//! `TowerToHyperService`. No graceful shutdown: the benchmark stops the server with a signal.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::{ServiceExt as _, service_fn};

/// The example server's defaults (`--header-read-timeout`, `--max-header-bytes`,
/// `--request-timeout`).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_HEADER_BYTES: usize = 16 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves every accepted connection with `handler`, for ever.
pub async fn serve<H, F>(listener: TcpListener, handler: H)
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + 'static,
    F: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let handler = service_fn(move |request| {
        let response = handler(request);
        async move { Ok::<_, Infallible>(response.await) }
    });
    // As the example's `app::with_timeout`: a 408 past the time limit.
    let app = service_fn(move |request: Request<Incoming>| {
        let response = handler.clone().oneshot(request);
        async move {
            let response = match tokio::time::timeout(REQUEST_TIMEOUT, response).await {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_elapsed) => timed_out(),
            };
            Ok::<_, Infallible>(response)
        }
    });
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_header_size(MAX_HEADER_BYTES)
        .title_case_headers(true);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(err) => {
                // Usually out of file descriptors: wait for some to close, don't spin.
                eprintln!("bench_baseline: accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // A failure leaves Nagle on: slower, and no reason to drop the connection.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            // A client that goes away mid-request is no concern of a benchmark's ceiling.
            let _ = connection.await;
        });
    }
}

/// The example server's answer to a request slower than its time limit.
fn timed_out() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"request timed out\n")));
    *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
