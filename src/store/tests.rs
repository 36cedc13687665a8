use super::*;

fn map(json: &str) -> serde_json::Map<String, serde_json::Value> {
    serde_json::from_str(json).expect("object")
}

#[test]
fn rendered_metadata_parses_back_to_itself() {
    let parsed = metadata::parse(&map(
        r#"{"redirect_uris":["https://a.example/cb?x=1"],"client_name":"n","client_name#fr":"m",
            "grant_types":["authorization_code"],"default_max_age":5}"#,
    ))
    .expect("parse");
    let json = MetadataJson::render(&parsed);
    assert_eq!(json.parse().expect("parse back"), parsed);
    let stored = MetadataJson::from_stored(json.as_str().to_owned()).expect("stored");
    assert_eq!(stored, json);
}

#[test]
fn stored_metadata_must_be_a_metadata_object() {
    assert!(MetadataJson::from_stored("[]".to_owned()).is_err());
    assert!(MetadataJson::from_stored("{".to_owned()).is_err());
    assert!(MetadataJson::from_stored(r#"{"grant_types":"x"}"#.to_owned()).is_err());
    assert!(MetadataJson::from_stored("{}".to_owned()).is_ok());
}
