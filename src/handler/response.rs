//! Rendering success responses, and the headers every registration response carries.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;

use super::Shared;

/// A JSON response.
pub(super) fn json(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A response without a body (204).
pub(super) fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// `Cache-Control: no-store` and `Pragma: no-cache` on every response, errors included, since
/// they may carry credentials (RFC 7591 §3.2.1); CORS as configured (OpenID Connect Registration, errata 2).
pub(super) fn add_common_headers(shared: &Shared, response: &mut Response<Full<Bytes>>) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if let Some(origin) = &shared.settings().cors_allow_origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        if origin != "*" {
            headers.append(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
}
