use super::*;
use serde_json::json;

fn uris(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// VAL-26: the sector document lists every redirect URI in a JSON array, else the request fails.
#[test]
fn the_document_must_list_every_redirect_uri() {
    let document = json!(["https://a.example/cb", "https://b.example/cb", 7]);
    assert!(
        lists_every_redirect_uri(
            &document,
            &uris(&["https://b.example/cb", "https://a.example/cb"])
        )
        .is_ok()
    );
    let err = lists_every_redirect_uri(
        &document,
        &uris(&["https://a.example/cb", "https://a.example/cb?x"]),
    )
    .unwrap_err();
    assert_eq!(
        err.description(),
        "redirect_uris[1]: not listed in the sector_identifier_uri document"
    );
}

/// VAL-26: the sector document lists every redirect URI in a JSON array, else the request fails.
#[test]
fn the_document_must_be_a_json_array() {
    for document in [json!({"redirect_uris": []}), json!("https://a.example/cb")] {
        let err = lists_every_redirect_uri(&document, &[]).unwrap_err();
        assert_eq!(
            err.description(),
            "sector_identifier_uri: the document is not a JSON array of redirect URIs"
        );
    }
}

/// VAL-26: the sector document lists every redirect URI in a JSON array, else the request fails.
#[tokio::test]
async fn a_sector_is_refused_without_a_fetcher() {
    let meta = ClientMetadata {
        sector_identifier_uri: Some("https://rp.example.org/sector.json".into()),
        ..ClientMetadata::default()
    };
    let err = check(&meta, None).await.unwrap_err();
    assert!(err.description().contains("no URI fetcher"), "{err:?}");
    assert!(check(&ClientMetadata::default(), None).await.is_ok());
}
