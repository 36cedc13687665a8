use super::*;

/// HTTP-1: the registration and client configuration endpoints are served over TLS.
#[test]
fn issuer_must_be_https_unless_loopback() {
    assert!(check_base_url("https://iam.example.org/", false).is_ok());
    assert!(check_base_url("http://127.0.0.1:8080", false).is_ok());
    assert!(check_base_url("http://localhost:8080/", false).is_ok());
    assert!(check_base_url("http://[::1]:8080/", false).is_ok());
    assert!(check_base_url("http://iam.example.org/", false).is_err());
    assert!(check_base_url("http://iam.example.org/", true).is_ok());
    assert!(check_base_url("ftp://iam.example.org/", true).is_err());
    assert!(check_base_url("/relative", false).is_err());
    assert!(check_base_url("https://iam.example.org/#x", false).is_err());
}

#[test]
fn prefix_is_a_clean_absolute_path() {
    assert!(check_prefix("/register").is_ok());
    assert!(check_prefix("/oauth/register").is_ok());
    for bad in ["register", "/", "/register/", "//x", "/a b", "/a?b"] {
        assert!(check_prefix(bad).is_err(), "{bad}");
    }
}
