use super::*;

#[test]
fn basic_credentials_are_form_decoded() {
    // "a b:c%3Ad" base64 -> id "a b", secret "c:d" (RFC 6749 §2.3.1 encodes before base64).
    let header = format!("Basic {}", STANDARD.encode("a+b:c%3Ad"));
    let creds = ClientCredentials::from_basic_authorization(header.as_str()).expect("basic");
    let (id, secret, method) = creds.parts();
    assert_eq!(
        (id, secret.map(Secret::expose), method),
        ("a b", Some("c:d"), AuthMethod::ClientSecretBasic)
    );
}

#[test]
fn other_schemes_and_garbage_are_not_basic_credentials() {
    for value in ["Bearer abc", "Basic !!!", "Basic bm9jb2xvbg=="] {
        assert!(
            ClientCredentials::from_basic_authorization(value).is_none(),
            "{value}"
        );
    }
}

#[test]
fn components_without_escapes_are_taken_as_they_are() {
    // A UUID and a base64url secret, as this crate issues them; and non-ASCII text.
    let (id, secret) = (
        "8d0e4c1a-58b4-4e0c-9a51-7f3c2d1b6e90",
        "R4u3v-SUqKX1_XTFQbG",
    );
    let header = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
    let creds = ClientCredentials::from_basic_authorization(header.as_str()).expect("basic");
    let (got_id, got_secret, _) = creds.parts();
    assert_eq!((got_id, got_secret.map(Secret::expose)), (id, Some(secret)));
    assert_eq!(form_decode("é~*!").as_deref(), Some("é~*!"));
    // Only + and % are decoded, and a bad escape still fails.
    assert_eq!(form_decode("a+b%2B").as_deref(), Some("a b+"));
    assert_eq!(form_decode("%FF"), None);
}
