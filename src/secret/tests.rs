use super::*;

/// ECHO-3: each client secret is unique to its client.
#[test]
fn random_secret_is_512_bits_base64url() {
    let a = Secret::random(64).expect("rng");
    let b = Secret::random(64).expect("rng");
    assert_eq!(a.expose().len(), 86);
    assert!(
        a.expose()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    );
    assert!(!a.ct_eq(b.expose()));
}

#[test]
fn debug_is_redacted() {
    let s = Secret::new("hunter2");
    assert_eq!(format!("{s:?}"), "[redacted]");
}

#[test]
fn ct_eq_compares_contents() {
    let s = Secret::new("abc");
    assert!(s.ct_eq("abc"));
    assert!(!s.ct_eq("abd"));
    assert!(!s.ct_eq("ab"));
}
