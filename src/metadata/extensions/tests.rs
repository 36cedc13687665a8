use super::*;
use crate::metadata::test_support::object;
use serde_json::json;

fn declared(members: Vec<ExtensionMember>) -> ExtensionMembers {
    let mut out = ExtensionMembers::default();
    for member in members {
        out.declare(member).expect("declare");
    }
    out
}

fn apply(members: &ExtensionMembers, doc: Value) -> Result<Map<String, Value>, MetadataError> {
    let mut map = object(doc);
    members.apply(&mut map).map(|()| map)
}

/// PROF-12: extension members the operator declares are handled like standard members.
#[test]
fn reserved_names_refused() {
    let mut members = ExtensionMembers::default();
    for name in [
        "",
        "a#b",
        "client_name",
        "jwks",
        "client_id",
        "software_statement",
    ] {
        assert!(
            members
                .declare(ExtensionMember::new(name, ExtensionType::String))
                .is_err(),
            "{name}"
        );
    }
    members
        .declare(ExtensionMember::new("tenant", ExtensionType::String))
        .expect("free name");
    let err = members
        .declare(ExtensionMember::new("tenant", ExtensionType::Boolean))
        .expect_err("twice");
    assert_eq!(
        err.to_string(),
        "extension member \"tenant\": declared twice"
    );
}

/// REG-6: unknown members are ignored: no error, not stored, not echoed.
#[test]
fn undeclared_dropped_declared_kept() {
    let members = declared(vec![ExtensionMember::new("tenant", ExtensionType::String)]);
    let kept = apply(
        &members,
        json!({"tenant": "a", "other": 1, "client_id": "x"}),
    )
    .expect("valid");
    assert_eq!(Value::Object(kept), json!({"tenant": "a"}));
}

/// PROF-12: extension members the operator declares are handled like standard members.
#[test]
fn each_type_checked() {
    let cases = [
        (
            ExtensionType::String,
            json!("x"),
            json!(1),
            "must be a string",
        ),
        (
            ExtensionType::Url,
            json!("https://rp.example.org/x"),
            json!(true),
            "must be a URL string",
        ),
        (
            ExtensionType::Boolean,
            json!(false),
            json!("false"),
            "must be a boolean",
        ),
        (
            ExtensionType::Number,
            json!(1.5),
            json!("1.5"),
            "must be a number",
        ),
        (
            ExtensionType::Integer,
            json!(-3),
            json!(1.5),
            "must be an integer",
        ),
        (
            ExtensionType::StringArray,
            json!(["a"]),
            json!("a"),
            "must be an array of strings",
        ),
        (
            ExtensionType::Array,
            json!([1, "a"]),
            json!({}),
            "must be an array",
        ),
        (
            ExtensionType::Object,
            json!({"a": 1}),
            json!([]),
            "must be a JSON object",
        ),
    ];
    for (json_type, good, bad, message) in cases {
        let members = declared(vec![ExtensionMember::new("x", json_type)]);
        apply(&members, json!({ "x": good })).expect("good value");
        let err = apply(&members, json!({ "x": bad })).expect_err("bad value");
        assert_eq!(err.description(), format!("x: {message}"));
    }
    let members = declared(vec![ExtensionMember::new("x", ExtensionType::StringArray)]);
    let err = apply(&members, json!({"x": ["a", 2]})).expect_err("element");
    assert_eq!(err.description(), "x[1]: must be a string");
    let members = declared(vec![ExtensionMember::new("x", ExtensionType::Url)]);
    let err = apply(&members, json!({"x": "https://rp.example.org/#f"})).expect_err("url");
    assert_eq!(err.description(), "x: fragment not allowed");
}

/// PROF-12: extension members the operator declares are handled like standard members.
#[test]
fn validator_runs_after_the_type() {
    let members = declared(vec![
        ExtensionMember::new("level", ExtensionType::Integer).validator(|v: &Value| {
            match v.as_i64() {
                Some(1..=3) => Ok(()),
                _ => Err("must be 1, 2 or 3".to_owned()),
            }
        }),
    ]);
    apply(&members, json!({"level": 2})).expect("valid");
    let err = apply(&members, json!({"level": 7})).expect_err("validator");
    assert_eq!(err.description(), "level: must be 1, 2 or 3");
    let err = apply(&members, json!({"level": "2"})).expect_err("type first");
    assert_eq!(err.description(), "level: must be an integer");
}
