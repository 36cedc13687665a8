//! Reading a request: the bearer token, the content type, the size-limited JSON body, and the
//! client's address.

mod client_address;

pub(super) use client_address::client_address;

use http::{HeaderMap, header};
use http_body::Body;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::{Map, Value};

use super::error::Failure;
use crate::error::RegistrationError;
use crate::metadata::MetadataError;

/// The token of an `Authorization: Bearer <token>` header: `None` without one (or with
/// another scheme, such as HTTP Basic with client credentials). The scheme is
/// case-insensitive (RFC 7235 §2.1); the token must be a non-empty `token68` (RFC 6750 §2.1).
pub(super) fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, Failure> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let value = match (values.next(), values.next()) {
        (None, _) => return Ok(None),
        (Some(value), None) => value,
        // RFC 6750 §3.1: more than one credential is a malformed request (400 invalid_request).
        (Some(_), Some(_)) => {
            return Err(Failure::InvalidRequest(
                "more than one Authorization header".to_owned(),
            ));
        }
    };
    let value = value
        .to_str()
        .map_err(|_| Failure::from(RegistrationError::InvalidToken))?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    let token = rest.trim_matches(' ');
    if !crate::syntax::is_token68(token) {
        return Err(RegistrationError::InvalidToken.into());
    }
    Ok(Some(token))
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
/// well-formed, an object (RFC 7591 §3.1); otherwise `invalid_client_metadata`.
pub(super) async fn json_object<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
) -> Result<Map<String, Value>, Failure>
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
        return Err(Failure::PayloadTooLarge { limit });
    }
    let bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.is::<LengthLimitError>() => {
            return Err(Failure::PayloadTooLarge { limit });
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
mod tests;
