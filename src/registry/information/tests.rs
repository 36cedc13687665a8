use super::*;
use crate::metadata::{ClientMetadata, Localized};
use crate::store::{MetadataJson, StoredSecret};
use crate::token::CredentialHash;
use serde_json::Value;

fn information(metadata: &ClientMetadata, secret: Option<&str>) -> ClientInformation {
    let record = ClientRecord::new(
        "id-\"1".to_owned(),
        secret.map(|s| StoredSecret::Plain(Secret::new(s))),
        0,
        7,
        CredentialHash::of("t"),
        MetadataJson::render(metadata),
    );
    ClientInformation {
        record: Arc::new(record),
        client_secret: secret.map(Secret::new),
        registration_access_token: Some(Secret::new("tok")),
        registration_client_uri: "https://h/register/id".to_owned(),
        token_rotated: false,
    }
}

#[test]
fn response_splices_metadata_after_credentials() {
    let metadata = ClientMetadata {
        client_name: Localized {
            default: Some("n".into()),
            tagged: vec![],
        },
        ..ClientMetadata::default()
    };
    let body = information(&metadata, Some("s")).to_json();
    let text = String::from_utf8(body).expect("utf8");
    assert_eq!(
        text,
        r#"{"client_id":"id-\"1","client_secret":"s","client_secret_expires_at":0,"client_id_issued_at":7,"registration_access_token":"tok","registration_client_uri":"https://h/register/id","client_name":"n"}"#
    );
}

#[test]
fn response_with_empty_metadata_and_no_secret_is_valid_json() {
    let body = information(&ClientMetadata::default(), None).to_json();
    let value: Value = serde_json::from_slice(&body).expect("valid JSON");
    assert_eq!(value["client_id"], "id-\"1");
    assert!(value.get("client_secret").is_none());
    assert!(value.get("client_secret_expires_at").is_none());
}
