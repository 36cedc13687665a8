//! Software statements (RFC 7591 §2.3): this release trusts no issuer, so a well-formed
//! statement is refused as unapproved and a malformed one as invalid (checklist E2, E3).

use serde_json::Value;

use crate::metadata::{MetadataError, MetadataErrorCode};

fn invalid(description: &str) -> MetadataError {
    MetadataError::new(
        MetadataErrorCode::InvalidSoftwareStatement,
        format!("software_statement: {description}"),
    )
}

/// Checks the `software_statement` member of a request, if any (`null` is absent).
pub(crate) fn check(request: &serde_json::Map<String, Value>) -> Result<(), MetadataError> {
    let statement = match request.get("software_statement") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::String(s)) => s,
        Some(_) => return Err(invalid("must be a string (a signed JWT)")),
    };
    // `decode_header` refuses `alg: none` and anything that is not a three-part JWS. The claims
    // are read unverified only to tell an issuer-less statement (invalid) from an untrusted one.
    if jsonwebtoken::decode_header(statement).is_err() || statement.split('.').count() != 3 {
        return Err(invalid("not a signed JWT"));
    }
    let claims: serde_json::Map<String, Value> =
        jsonwebtoken::dangerous::insecure_decode_claims(statement)
            .map_err(|_| invalid("claims are not a JSON object"))?;
    match claims.get("iss") {
        Some(Value::String(iss)) if !iss.is_empty() => Err(MetadataError::new(
            MetadataErrorCode::UnapprovedSoftwareStatement,
            "software_statement: its issuer is not trusted by this server",
        )),
        _ => Err(invalid("no 'iss' claim")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    fn request(statement: Value) -> serde_json::Map<String, Value> {
        let mut map = serde_json::Map::new();
        map.insert("software_statement".into(), statement);
        map
    }

    fn jwt(header: Value, claims: Value) -> String {
        let enc = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.c2ln", enc(header), enc(claims))
    }

    fn code(result: Result<(), MetadataError>) -> MetadataErrorCode {
        result.expect_err("refused").code()
    }

    #[test]
    fn absent_or_null_statement_is_fine() {
        assert!(check(&serde_json::Map::new()).is_ok());
        assert!(check(&request(Value::Null)).is_ok());
    }

    #[test]
    fn e2_malformed_unsigned_or_issuerless_statement_is_invalid() {
        let cases = [
            json!(5),
            json!("not-a-jwt"),
            json!(jwt(json!({"alg": "none"}), json!({"iss": "https://a"}))),
            json!(jwt(json!({"alg": "RS256"}), json!({"software_id": "x"}))),
        ];
        for case in cases {
            assert_eq!(
                code(check(&request(case.clone()))),
                MetadataErrorCode::InvalidSoftwareStatement,
                "{case}"
            );
        }
    }

    #[test]
    fn e3_signed_statement_from_any_issuer_is_unapproved() {
        let statement = jwt(
            json!({"alg": "RS256"}),
            json!({"iss": "https://issuer.example"}),
        );
        assert_eq!(
            code(check(&request(json!(statement)))),
            MetadataErrorCode::UnapprovedSoftwareStatement
        );
    }
}
