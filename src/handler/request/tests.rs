use super::*;
use http::HeaderValue;

fn auth(value: &'static str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
    h
}

/// ERR-9: the `Bearer` scheme is case-insensitive and the token a `token68`.
#[test]
fn bearer_scheme_is_case_insensitive() {
    for v in [
        "Bearer abc.def",
        "bearer abc.def",
        "BEARER abc.def",
        "Bearer  abc.def",
    ] {
        assert_eq!(
            bearer_token(&auth(v)).ok().flatten(),
            Some("abc.def"),
            "{v}"
        );
    }
}

/// ERR-6: no bearer token: 401 and `WWW-Authenticate: Bearer` without an error code.
#[test]
fn missing_or_other_scheme_is_no_bearer_token() {
    assert!(matches!(bearer_token(&HeaderMap::new()), Ok(None)));
    assert!(matches!(
        bearer_token(&auth("Basic Zm9vOmJhcg==")),
        Ok(None)
    ));
}

/// ERR-8: several `Authorization` headers are 400 `invalid_request`.
#[test]
fn several_authorization_headers_are_an_invalid_request() {
    let mut h = auth("Bearer abc");
    h.append(
        header::AUTHORIZATION,
        HeaderValue::from_static("Bearer def"),
    );
    assert!(matches!(bearer_token(&h), Err(Failure::InvalidRequest(_))));
}

/// ERR-7: an invalid bearer token gets 401 and `WWW-Authenticate: Bearer error="invalid_token"`.
#[test]
fn malformed_bearer_is_invalid_token() {
    for v in [
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Bearer a,b",
        "Bearer ====",
    ] {
        assert!(
            matches!(
                bearer_token(&auth(v)),
                Err(Failure::Registration(RegistrationError::InvalidToken))
            ),
            "{v}"
        );
    }
}

/// REG-1: registration is an HTTP POST of a JSON object as `application/json`.
#[test]
fn json_content_type_allows_parameters() {
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("Application/JSON; charset=utf-8"),
    );
    assert!(is_json(&h));
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    assert!(!is_json(&h));
    assert!(!is_json(&HeaderMap::new()));
}
