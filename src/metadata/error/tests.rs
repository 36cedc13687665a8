use super::*;

/// ERR-3: `error_description` keeps to the characters RFC 6749 allows.
#[test]
fn description_is_rfc6749_error_description_charset() {
    assert_eq!(sanitize_description("plain text: ok"), "plain text: ok");
    assert_eq!(
        sanitize_description("bad \"x\\y\" caf\u{e9}\n"),
        "bad 'xU+005Cy' cafU+00E9U+000A"
    );
    let err = MetadataError::client_metadata("grant_types[0]: \"a\"");
    assert_eq!(err.description(), "grant_types[0]: 'a'");
}
