use serde_json::json;

use super::*;
use crate::metadata::MetadataErrorCode;

fn check(value: Value, limits: &MetadataLimits) -> Result<(), MetadataError> {
    match value {
        Value::Object(map) => check_limits(&map, limits),
        other => panic!("not an object: {other}"),
    }
}

fn refused(value: Value, limits: &MetadataLimits) -> MetadataError {
    check(value, limits).expect_err("over a bound")
}

fn small() -> MetadataLimits {
    MetadataLimits {
        max_depth: 4,
        max_members: 5,
        max_string_bytes: 16,
        max_key_string_bytes: 24,
        max_array_len: 3,
        max_redirect_uris: 2,
        max_redirect_uri_bytes: 30,
        max_total_bytes: 300,
    }
}

#[test]
fn a_request_within_every_bound_passes() {
    let limits = small();
    let ok = json!({
        "redirect_uris": ["https://a.example/cb", "https://b.example/cb"],
        "client_name": "x".repeat(16),
        "jwks": {"keys": [{"x": "x".repeat(24)}]},
        "contacts": ["a", "b", "c"],
    });
    check(ok, &limits).expect("within bounds");
    check(json!({}), &limits).expect("empty");
}

#[test]
fn each_string_bound_names_the_member() {
    let limits = small();
    let err = refused(json!({"client_name": "x".repeat(17)}), &limits);
    assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(err.description(), "client_name: longer than 16 bytes");
    let err = refused(json!({"contacts": ["a", "x".repeat(17)]}), &limits);
    assert_eq!(err.description(), "contacts[1]: longer than 16 bytes");
    let err = refused(json!({"jwks": {"keys": [{"x": "x".repeat(25)}]}}), &limits);
    assert_eq!(err.description(), "jwks.keys[0].x: longer than 24 bytes");
    // (A name of 18 bytes: the default string bound, this one the test's.)
    let key_only = MetadataLimits {
        max_key_string_bytes: 24,
        ..MetadataLimits::default()
    };
    let err = refused(json!({"software_statement": "x".repeat(25)}), &key_only);
    assert_eq!(
        err.description(),
        "software_statement: longer than 24 bytes"
    );
    let err = refused(json!({"redirect_uris": ["x".repeat(31)]}), &limits);
    assert_eq!(err.code(), MetadataErrorCode::InvalidRedirectUri);
    assert_eq!(err.description(), "redirect_uris[0]: longer than 30 bytes");
}

#[test]
fn each_array_bound_names_the_member() {
    let limits = small();
    let err = refused(json!({"redirect_uris": ["a", "b", "c"]}), &limits);
    assert_eq!(err.code(), MetadataErrorCode::InvalidRedirectUri);
    assert_eq!(err.description(), "redirect_uris: at most 2 entries");
    let err = refused(json!({"contacts": ["a", "b", "c", "d"]}), &limits);
    assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(err.description(), "contacts: at most 3 entries");
    let err = refused(json!({"jwks": {"keys": [1, 2, 3, 4]}}), &limits);
    assert_eq!(err.description(), "jwks.keys: at most 3 entries");
}

#[test]
fn depth_members_and_names_are_bounded() {
    let limits = small();
    check(json!({"a": {"b": {"c": []}}}), &limits).expect("depth 4");
    let err = refused(json!({"a": {"b": {"c": {"d": {}}}}}), &limits);
    assert_eq!(err.description(), "a.b.c.d: nested deeper than 4 levels");
    let err = refused(json!({"a": [[[[]]]]}), &limits);
    assert_eq!(err.description(), "a[0][0][0]: nested deeper than 4 levels");
    let err = refused(
        json!({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}),
        &limits,
    );
    assert_eq!(err.description(), "body: more than 5 members");
    let err = refused(
        json!({"x": {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}}),
        &limits,
    );
    assert_eq!(err.description(), "x: more than 5 members");
    let mut long_name = Map::new();
    long_name.insert("n".repeat(17), json!(1));
    let err = check_limits(&long_name, &limits).expect_err("long name");
    assert_eq!(
        err.description(),
        "body: a member name is longer than 16 bytes"
    );
}

#[test]
fn long_member_names_in_a_path_are_cut() {
    let limits = small();
    let name = "n".repeat(16);
    let err = refused(json!({ name: {"b": {"c": {"d": {}}}} }), &limits);
    assert_eq!(
        err.description(),
        format!("{}.b.c.d: nested deeper than 4 levels", "n".repeat(16))
    );
    let limits = MetadataLimits {
        max_depth: 2,
        ..MetadataLimits::default()
    };
    let name = "\u{e9}".repeat(100);
    let err = refused(json!({ name: [[1]] }), &limits);
    // 64 characters shown, each non-ASCII one as U+XXXX.
    assert_eq!(
        err.description(),
        format!("{}...[0]: nested deeper than 2 levels", "U+00E9".repeat(64))
    );
}

#[test]
fn total_size_is_the_compact_json_size() {
    let limits = MetadataLimits {
        max_total_bytes: 40,
        ..MetadataLimits::default()
    };
    // {"client_name":"<n>"} is 18 bytes plus n.
    check(json!({"client_name": "x".repeat(22)}), &limits).expect("exactly 40 bytes");
    let err = refused(json!({"client_name": "x".repeat(23)}), &limits);
    assert_eq!(err.description(), "body: metadata larger than 40 bytes");
    // Escapes count as sent: twelve quotes are 24 bytes of JSON, 42 in all.
    let err = refused(json!({"client_name": "\"".repeat(12)}), &limits);
    assert_eq!(err.description(), "body: metadata larger than 40 bytes");
}

#[test]
fn a_huge_programmatic_document_is_refused_without_walking_all_of_it() {
    // 200 arrays of 64 strings: past 64 KiB, within every other bound.
    let wide: Vec<Value> = (0..64).map(|i| json!(format!("value-{i}"))).collect();
    let mut map = Map::new();
    for i in 0..200 {
        map.insert(format!("m{i}"), Value::Array(wide.clone()));
    }
    let limits = MetadataLimits::default();
    let err = check_limits(&map, &limits).expect_err("too large");
    assert_eq!(err.description(), "body: metadata larger than 65536 bytes");
}

#[test]
fn nesting_past_the_hard_limit_is_refused_without_deep_recursion() {
    let mut value = json!(1);
    for _ in 0..1000 {
        value = json!([value]);
    }
    let limits = MetadataLimits {
        max_depth: usize::MAX,
        ..MetadataLimits::default()
    };
    let err = refused(json!({ "a": value }), &limits);
    assert!(
        err.description().ends_with("nested deeper than 128 levels"),
        "{}",
        err.description()
    );
    // Dropping a 1000-deep value recurses; fine on the test thread's stack.
}

#[test]
fn defaults_are_generous_and_none_is_zero() {
    let limits = MetadataLimits::default();
    assert_eq!(limits.zero_bound(), None);
    assert_eq!(
        MetadataLimits {
            max_array_len: 0,
            ..limits
        }
        .zero_bound(),
        Some("max_array_len")
    );
}
