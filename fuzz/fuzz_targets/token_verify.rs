//! Any string as a registration access token, against a server holding one client.
//!
//! The input's first byte picks how the candidate is made: the rest of the input as it is, or
//! the issued token with the rest spliced in at a chosen offset (so that the fuzzer works near
//! a real, validly signed token). The candidate then goes to the signature verifier, to
//! `Registry::read`, and through the layer as `Authorization: Bearer` of
//! `GET /register/{id}`; the rest of the input is also sent as the raw `Authorization` value.
//!
//! Properties: no panic, no 5xx; nothing authorizes unless the candidate is exactly the issued
//! token; every refusal over HTTP is a 401 (or a 400 for a malformed header) with an RFC-shaped
//! JSON body.

#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::Full;
use libfuzzer_sys::fuzz_target;
use tower_oidc_registration::__fuzz::{RegistrationTokens, SigningKey};
use tower_oidc_registration::{Registry, Requester};
use tower_oidc_registration_fuzz::{
    App, CLIENT_ID, HS256_KEY, ISSUER, app_and_registry, block_on, check_layer_answer,
    json_request, register_minimal, send,
};

struct Server {
    app: App,
    registry: Registry,
    token: String,
    verifier: RegistrationTokens,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let (app, registry) = app_and_registry("/register");
        let token = register_minimal(&app);
        let key = SigningKey::hs256(&HS256_KEY).expect("valid key");
        let verifier = RegistrationTokens::new(key, ISSUER.to_owned()).expect("verifier");
        assert!(
            verifier.verify(&token, CLIENT_ID),
            "the issued token verifies"
        );
        Server {
            app,
            registry,
            token,
            verifier,
        }
    })
}

/// The candidate token the input describes.
fn candidate(token: &str, data: &[u8]) -> String {
    let Some((&mode, rest)) = data.split_first() else {
        return String::new();
    };
    let text = String::from_utf8_lossy(rest);
    match mode % 4 {
        0 => text.into_owned(),
        // Overwrite part of the issued token.
        1 | 2 => {
            let Some((&at, rest)) = rest.split_first() else {
                return token.to_owned();
            };
            let text = String::from_utf8_lossy(rest);
            let at = usize::from(at) % (token.len() + 1);
            let mut out = String::with_capacity(token.len() + text.len());
            out.push_str(&token[..at]);
            out.push_str(&text);
            let resume = (at + text.len()).min(token.len());
            if mode % 4 == 1 {
                out.push_str(&token[resume..]);
            } else {
                // Insert instead of overwrite.
                out.push_str(&token[at..]);
            }
            out
        }
        // One of the token's three parts replaced.
        _ => {
            let Some((&part, rest)) = rest.split_first() else {
                return token.to_owned();
            };
            let text = String::from_utf8_lossy(rest);
            let mut parts: Vec<&str> = token.split('.').collect();
            let index = usize::from(part) % parts.len();
            parts[index] = &text;
            parts.join(".")
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let server = server();
    let candidate = candidate(&server.token, data);
    let is_issued = candidate == server.token;

    // The signature alone: with HS256 over the exact header and claims, no other string
    // verifies (base64url decoding is canonical). The registry adds a hash comparison.
    if server.verifier.verify(&candidate, CLIENT_ID) {
        assert!(
            is_issued,
            "signature verified for a token never issued: {candidate:?}"
        );
    }
    let read = block_on(
        server
            .registry
            .read(Requester::registration_access_token(&candidate), CLIENT_ID),
    );
    assert_eq!(read.is_ok(), is_issued, "Registry::read with {candidate:?}");

    let path = format!("/register/{CLIENT_ID}");
    if http::HeaderValue::from_str(&format!("Bearer {candidate}")).is_ok() {
        let answer = send(
            &server.app,
            json_request(Method::GET, &path, Some(&candidate), ""),
        );
        check_layer_answer(&answer, "GET with a bearer token");
        // Spaces around the token belong to the header, not to the token: RFC 6750 §2.1
        // allows `Bearer 1*SP b64token`, and trailing whitespace is not part of a field value.
        if candidate.trim_matches(' ') == server.token {
            assert_eq!(answer.status, StatusCode::OK, "the issued token is refused");
        } else {
            assert!(
                matches!(
                    answer.status,
                    StatusCode::UNAUTHORIZED | StatusCode::BAD_REQUEST
                ),
                "a wrong token got {}",
                answer.status
            );
        }
    }

    // The whole input as the raw Authorization header value: authorizes exactly when it is
    // `<scheme> <token>` with the scheme `Bearer` in any case (RFC 7235 §2.1) and the issued
    // token, spaces around it tolerated.
    if let Ok(value) = http::HeaderValue::from_bytes(data) {
        let is_issued = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .is_some_and(|(scheme, rest)| {
                scheme.eq_ignore_ascii_case("bearer") && rest.trim_matches(' ') == server.token
            });
        let request = Request::builder()
            .method(Method::GET)
            .uri(&path)
            .header(header::AUTHORIZATION, value)
            .body(Full::new(Bytes::new()))
            .expect("a well-formed request");
        let answer = send(&server.app, request);
        check_layer_answer(&answer, "GET with a raw Authorization header");
        assert_eq!(
            answer.status == StatusCode::OK,
            is_issued,
            "raw Authorization {data:?}: {}",
            answer.status
        );
    }
});
