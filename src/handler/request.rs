//! Reading a request: the bearer token, the content type, the size-limited JSON body.

use http::{HeaderMap, header};
use http_body::Body;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::{Map, Value};

use crate::error::RegistrationError;
use crate::metadata::MetadataError;

/// The registration access token of an `Authorization: Bearer <token>` header. The scheme is
/// case-insensitive (RFC 7235 §2.1); the token must be a non-empty `token68` (RFC 6750 §2.1).
pub(crate) fn bearer_token(headers: &HeaderMap) -> Result<&str, RegistrationError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let value = match (values.next(), values.next()) {
        (None, _) => return Err(RegistrationError::MissingToken),
        (Some(value), None) => value,
        // RFC 6750 §3.1: more than one credential is a malformed request (400 invalid_request).
        (Some(_), Some(_)) => {
            return Err(RegistrationError::InvalidRequest(
                "more than one Authorization header".to_owned(),
            ));
        }
    };
    let value = value
        .to_str()
        .map_err(|_| RegistrationError::InvalidToken)?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        // Another scheme (HTTP Basic with client credentials, say) is no bearer token at all.
        return Err(RegistrationError::MissingToken);
    }
    let token = rest.trim_matches(' ');
    if !crate::syntax::is_token68(token) {
        return Err(RegistrationError::InvalidToken);
    }
    Ok(token)
}

/// Whether the `Content-Type` is `application/json`, parameters (`; charset=utf-8`) allowed.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// The request body as a JSON object: `application/json`, at most `limit` bytes (413 past it),
/// well-formed, an object (checklist A8); otherwise `invalid_client_metadata`.
pub(crate) async fn json_object<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
) -> Result<Map<String, Value>, RegistrationError>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if !is_json(headers) {
        return Err(
            MetadataError::client_metadata("Content-Type: must be application/json").into(),
        );
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(RegistrationError::PayloadTooLarge { limit });
    }
    let bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.is::<LengthLimitError>() => {
            return Err(RegistrationError::PayloadTooLarge { limit });
        }
        Err(_) => {
            return Err(MetadataError::client_metadata("body: could not be read").into());
        }
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(MetadataError::client_metadata("body: must be a JSON object").into()),
        Err(err) => {
            Err(MetadataError::client_metadata(format!("body: malformed JSON: {err}")).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn auth(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn f5_bearer_scheme_is_case_insensitive() {
        for v in [
            "Bearer abc.def",
            "bearer abc.def",
            "BEARER abc.def",
            "Bearer  abc.def",
        ] {
            assert_eq!(bearer_token(&auth(v)).ok(), Some("abc.def"), "{v}");
        }
    }

    #[test]
    fn missing_or_other_scheme_is_missing_token() {
        assert!(matches!(
            bearer_token(&HeaderMap::new()),
            Err(RegistrationError::MissingToken)
        ));
        assert!(matches!(
            bearer_token(&auth("Basic Zm9vOmJhcg==")),
            Err(RegistrationError::MissingToken)
        ));
    }

    #[test]
    fn several_authorization_headers_are_an_invalid_request() {
        let mut h = auth("Bearer abc");
        h.append(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer def"),
        );
        assert!(matches!(
            bearer_token(&h),
            Err(RegistrationError::InvalidRequest(_))
        ));
    }

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
                matches!(bearer_token(&auth(v)), Err(RegistrationError::InvalidToken)),
                "{v}"
            );
        }
    }

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
}
