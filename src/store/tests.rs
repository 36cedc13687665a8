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

/// A record of `metadata` (registration metadata, parsed as the registry does).
fn record_of(metadata: &str) -> ClientRecord {
    let parsed = metadata::parse(&map(metadata)).expect("parse");
    ClientRecord::new(
        "client".to_owned(),
        None,
        0,
        0,
        CredentialHash::of("token"),
        MetadataJson::render(&parsed),
    )
}

#[test]
fn allows_grant_type_answers_as_the_full_parse() {
    for metadata in [
        "{}",
        r#"{"grant_types":["client_credentials"]}"#,
        r#"{"grant_types":["authorization_code","refresh_token"],"client_name":"n"}"#,
        r#"{"grant_types":["urn:ietf:params:oauth:grant-type:jwt-bearer","implicit"]}"#,
        r#"{"grant_types":null,"redirect_uris":["https://a.example/cb"]}"#,
    ] {
        let record = record_of(metadata);
        let full = record.metadata().parse().expect("parse back");
        for &grant in GrantType::ALL {
            let expected = match &full.grant_types {
                Some(grant_types) => grant_types.contains(&grant),
                None => grant == GrantType::AuthorizationCode,
            };
            assert_eq!(
                record.allows_grant_type(grant),
                expected,
                "{metadata}: {grant}"
            );
        }
    }
}

#[test]
fn allows_grant_type_reads_stored_metadata_with_escapes() {
    let stored = MetadataJson::from_stored(
        r#"{"client_name":"\u00e9","grant\u005ftypes":["client\u005fcredentials"]}"#.to_owned(),
    )
    .expect("stored");
    let record = record_of("{}").with_metadata(stored);
    assert!(record.allows_grant_type(GrantType::ClientCredentials));
    assert!(!record.allows_grant_type(GrantType::AuthorizationCode));
}

#[test]
fn has_redirect_uri_compares_exactly() {
    let record =
        record_of(r#"{"redirect_uris":["https://a.example/cb?x=1","https://b.example/"]}"#);
    assert!(record.has_redirect_uri("https://a.example/cb?x=1"));
    assert!(record.has_redirect_uri("https://b.example/"));
    assert!(!record.has_redirect_uri("https://a.example/cb"));
    assert!(!record.has_redirect_uri("https://b.example"));
    assert!(!record_of("{}").has_redirect_uri("https://a.example/cb?x=1"));
}
