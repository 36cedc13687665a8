use super::*;

#[test]
fn basic_credentials_are_form_decoded() {
    // "a b:c%3Ad" base64 -> id "a b", secret "c:d" (RFC 6749 §2.3.1 encodes before base64).
    let header = format!("Basic {}", STANDARD.encode("a+b:c%3Ad"));
    let creds = ClientCredentials::from_basic_authorization(header.as_str()).expect("basic");
    let (id, secret, method) = creds.parts();
    assert_eq!(
        (id, secret.expose(), method),
        ("a b", "c:d", AuthMethod::ClientSecretBasic)
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
