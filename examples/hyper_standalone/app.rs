//! The application the server serves: the registration layer in front of a trivial service
//! (what your own application would be), every request time-limited.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use tower::{Service, ServiceExt as _, service_fn};
use tracing::debug;

/// The service the registration layer wraps: `GET /` says what this is (`home`), the rest
/// is 404.
pub fn fallback(
    home: Bytes,
) -> impl Service<
    Request<Incoming>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static {
    service_fn(move |request: Request<Incoming>| {
        let response = match (request.method(), request.uri().path()) {
            (&Method::GET | &Method::HEAD, "/") => text(StatusCode::OK, home.clone()),
            _ => text(StatusCode::NOT_FOUND, Bytes::from_static(b"not found\n")),
        };
        std::future::ready(Ok(response))
    })
}

/// `service`, every request time-limited: answers 408 and closes the connection when a
/// request takes longer than `timeout`. The server's header read timeout does not cover a
/// client that sends its headers and then trickles the body of a registration request.
pub fn with_timeout<S, B>(
    timeout: Duration,
    service: S,
) -> impl Service<
    Request<Incoming>,
    Response = Response<Either<B, Full<Bytes>>>,
    Error = Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    service_fn(move |request: Request<Incoming>| {
        let response = service.clone().oneshot(request);
        async move {
            match tokio::time::timeout(timeout, response).await {
                Ok(Ok(response)) => Ok(response.map(Either::Left)),
                Ok(Err(never)) => match never {},
                Err(_elapsed) => {
                    debug!("request timed out");
                    let mut response = text(
                        StatusCode::REQUEST_TIMEOUT,
                        Bytes::from_static(b"request timed out\n"),
                    );
                    // The rest of a half-read body is still on the wire: the connection is
                    // unusable.
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                    Ok(response.map(Either::Right))
                }
            }
        }
    })
}

fn text(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
