use std::borrow::Cow;

use super::{Text, member};

fn texts(json: &str, name: &str) -> Result<Option<Vec<String>>, serde_json::Error> {
    member::<Vec<Text<'_>>>(json, name)
        .map(|found| found.map(|v| v.into_iter().map(|t| t.0.into_owned()).collect()))
}

#[test]
fn reads_the_member_and_skips_the_others() {
    let json = r#"{"a":{"b":[1,{"grant_types":["x"]}]},"grant_types":["c","d"],"z":null}"#;
    assert_eq!(
        texts(json, "grant_types").expect("read"),
        Some(vec!["c".to_owned(), "d".to_owned()])
    );
}

#[test]
fn absent_and_null_members_are_none() {
    assert_eq!(texts(r#"{"a":1}"#, "grant_types").expect("read"), None);
    assert_eq!(
        texts(r#"{"grant_types":null}"#, "grant_types").expect("read"),
        None
    );
    assert_eq!(texts("{}", "grant_types").expect("read"), None);
}

#[test]
fn the_last_of_a_repeated_member_counts() {
    // As in the serde_json::Map of the full parse.
    let json = r#"{"grant_types":["a"],"grant_types":["b"]}"#;
    assert_eq!(
        texts(json, "grant_types").expect("read"),
        Some(vec!["b".to_owned()])
    );
    let json = r#"{"grant_types":["a"],"grant_types":null}"#;
    assert_eq!(texts(json, "grant_types").expect("read"), None);
}

#[test]
fn escaped_names_and_values_are_unescaped() {
    let json = r#"{"grant\u005ftypes":["client\u005fcredentials","https:\/\/a"]}"#;
    assert_eq!(
        texts(json, "grant_types").expect("read"),
        Some(vec![
            "client_credentials".to_owned(),
            "https://a".to_owned()
        ])
    );
}

#[test]
fn strings_without_escapes_are_borrowed() {
    let found = member::<Vec<Text<'_>>>(r#"{"m":["plain"]}"#, "m")
        .expect("read")
        .expect("present");
    assert!(matches!(found[0].0, Cow::Borrowed("plain")));
}

#[test]
fn malformed_documents_and_values_are_errors() {
    for json in [
        "[]",
        "{",
        r#"{"m":"x"}"#,
        r#"{"m":[1]}"#,
        r#"{"m":[]} x"#,
        r#"{"a":}"#,
    ] {
        assert!(texts(json, "m").is_err(), "{json}");
    }
}
