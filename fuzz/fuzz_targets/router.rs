//! Any method and path through the layer, under three prefixes.
//!
//! Input: the first byte picks the prefix, the second the method (one of the usual ones or a
//! custom token made from the input), the rest is the request target.
//!
//! Properties: no panic, no 5xx; the request reaches the inner service exactly when its path
//! is neither `{prefix}` nor `{prefix}/{one non-empty segment}` (an oracle written here from
//! the documented rule, and the crate's own router agrees with it); every answer of the layer
//! itself is an RFC-shaped JSON error or a JSON object.

#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use http::{Method, Request, Uri, header};
use http_body_util::Full;
use libfuzzer_sys::fuzz_target;
use tower_oidc_registration::__fuzz::{Route, route};
use tower_oidc_registration_fuzz::{App, app, check_layer_answer, send};

const PREFIXES: [&str; 3] = ["/register", "/oauth2/register", "/r"];

fn apps() -> &'static [App; 3] {
    static APPS: OnceLock<[App; 3]> = OnceLock::new();
    APPS.get_or_init(|| PREFIXES.map(app))
}

/// The documented rule: `{prefix}` is the registration endpoint, `{prefix}/{id}` with a
/// non-empty `id` without `/` a client configuration endpoint, anything else passes through.
fn expected(prefix: &str, path: &str) -> Option<Route> {
    if path == prefix {
        return Some(Route::Registration);
    }
    let id = path.strip_prefix(prefix)?.strip_prefix('/')?;
    (!id.is_empty() && !id.contains('/')).then(|| Route::Client(id.to_owned()))
}

fn method(selector: u8, data: &[u8]) -> Option<Method> {
    Some(match selector % 9 {
        0 => Method::GET,
        1 => Method::POST,
        2 => Method::PUT,
        3 => Method::DELETE,
        4 => Method::OPTIONS,
        5 => Method::HEAD,
        6 => Method::PATCH,
        7 => Method::TRACE,
        _ => Method::from_bytes(data.get(..4.min(data.len()))?).ok()?,
    })
}

fuzz_target!(|data: &[u8]| {
    let [prefix_selector, method_selector, target @ ..] = data else {
        return;
    };
    let index = usize::from(*prefix_selector) % PREFIXES.len();
    let prefix = PREFIXES[index];
    let Some(method) = method(*method_selector, target) else {
        return;
    };
    // Request targets hyper would not parse never reach a service.
    let Ok(uri) = Uri::try_from(target) else {
        return;
    };
    let path = uri.path().to_owned();
    let ours = expected(prefix, &path);
    assert_eq!(route(prefix, &path), ours, "router disagrees on {path:?}");

    let request = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from_static(b"{}")))
        .expect("a well-formed request");
    let answer = send(&apps()[index], request);
    assert_eq!(
        answer.passed_through(),
        ours.is_none(),
        "{method} {path:?} under {prefix}: passed through = {}",
        answer.passed_through()
    );
    if ours.is_some() {
        check_layer_answer(&answer, &format!("{method} {path}"));
    }
});
