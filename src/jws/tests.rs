use super::*;

use serde_json::{Value, json};

const SECRET: &[u8] = &[9u8; 32];

fn header() -> Header {
    let mut header = Header::new(Algorithm::HS256);
    header.typ = None;
    header
}

fn signed(claims: &Value) -> String {
    sign(&header(), claims, &EncodingKey::from_secret(SECRET)).expect("sign")
}

fn verified(token: &str) -> Result<Value, JwsError> {
    verify(token, Algorithm::HS256, &DecodingKey::from_secret(SECRET))
}

#[test]
fn a_signed_token_verifies_and_gives_its_claims_back() {
    let claims = json!({"aud": "client-1", "iss": "https://iam.example.org/"});
    let token = signed(&claims);
    assert_eq!(token.split('.').count(), 3);
    assert_eq!(verified(&token), Ok(claims));
    // The header is the one given, as JSON: what other JWT libraries read.
    let (header, _) = token.split_once('.').expect("parts");
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).expect("b64")).expect("json");
    assert_eq!(header, json!({"alg": "HS256"}));
}

#[test]
fn tokens_interoperate_with_jsonwebtoken_itself() {
    // The same bytes as jsonwebtoken's own encoder, and its decoder accepts ours.
    let claims = json!({"aud": "a", "iss": "b", "iat": 1});
    let ours = signed(&claims);
    let theirs = jsonwebtoken::encode(&header(), &claims, &EncodingKey::from_secret(SECRET))
        .expect("encode");
    assert_eq!(ours, theirs);
    let validation = {
        let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
        validation.required_spec_claims.clear();
        validation.validate_aud = false;
        validation
    };
    let decoded =
        jsonwebtoken::decode::<Value>(&ours, &DecodingKey::from_secret(SECRET), &validation)
            .expect("jsonwebtoken reads ours");
    assert_eq!(decoded.claims, claims);
}

#[test]
fn a_changed_byte_anywhere_is_refused() {
    let token = signed(&json!({"aud": "client-1"}));
    let (signing_input, signature) = token.rsplit_once('.').expect("parts");
    let (header, payload) = signing_input.split_once('.').expect("parts");
    let other_payload = URL_SAFE_NO_PAD.encode(br#"{"aud":"client-2"}"#);
    assert_eq!(
        verified(&format!("{header}.{other_payload}.{signature}")),
        Err(JwsError::Signature)
    );
    let mut tampered = signature.to_owned().into_bytes();
    tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    assert_eq!(
        verified(&format!("{header}.{payload}.{tampered}")),
        Err(JwsError::Signature)
    );
    let other_key = verify::<Value>(
        &token,
        Algorithm::HS256,
        &DecodingKey::from_secret(&[8; 32]),
    );
    assert_eq!(other_key, Err(JwsError::Signature));
}

#[test]
fn the_algorithm_is_the_callers_never_the_tokens() {
    let token = signed(&json!({}));
    assert_eq!(
        verify::<Value>(&token, Algorithm::HS384, &DecodingKey::from_secret(SECRET)),
        Err(JwsError::Algorithm)
    );
    // alg none: an unsigned token is not even a header this module reads.
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(b"{}")
    );
    assert_eq!(verified(&none), Err(JwsError::Malformed));
}

#[test]
fn anything_but_three_base64url_parts_is_malformed() {
    let token = signed(&json!({}));
    for bad in [
        String::new(),
        "a.b".to_owned(),
        format!("{token}.extra"),
        token.replacen('.', "..", 1),
        format!("{token}="),
        format!("{}+", &token[..token.len() - 1]),
    ] {
        assert_eq!(verified(&bad), Err(JwsError::Malformed), "{bad:?}");
    }
}

#[test]
fn a_payload_that_is_not_the_expected_json_is_refused_after_the_signature() {
    #[derive(Debug, serde::Deserialize)]
    struct Needs {
        #[allow(dead_code)]
        aud: String,
    }
    let token = signed(&json!({"iss": "x"}));
    let result = verify::<Needs>(&token, Algorithm::HS256, &DecodingKey::from_secret(SECRET));
    assert!(matches!(result, Err(JwsError::Payload(_))), "{result:?}");
}
