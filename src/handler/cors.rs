//! CORS preflight (OpenID Connect Registration 1.0, errata set 2): browsers may register clients.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;

use super::{ALLOW_CLIENT, ALLOW_REGISTRATION, Shared, response};
use crate::route::Route;

/// Answers `OPTIONS`: 204 with `Allow`, and the CORS preflight headers when CORS is enabled
/// (the origin itself is added with the common headers).
pub(super) fn preflight(shared: &Shared, route: &Route) -> Response<Full<Bytes>> {
    let allow = match route {
        Route::Registration => ALLOW_REGISTRATION,
        Route::Client(_) => ALLOW_CLIENT,
    };
    let mut response = response::empty(StatusCode::NO_CONTENT);
    let headers = response.headers_mut();
    headers.insert(header::ALLOW, HeaderValue::from_static(allow));
    if shared.settings().cors_allow_origin.is_some() {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(allow),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
    }
    response
}
