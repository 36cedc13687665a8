//! Helpers of the unit tests of the metadata rules: a JSON document through [`parse`] and
//! [`validate`], as a registration request's metadata goes.

use serde_json::{Value, json};

use super::{ClientMetadata, MetadataError, MetadataRules, parse, validate};

/// `doc` (a JSON object) parsed and validated against `rules`, with a redirect URI added when
/// it names none (most rules under test are not about redirect URIs).
pub(super) fn check_with(
    mut doc: Value,
    rules: &MetadataRules,
) -> Result<ClientMetadata, MetadataError> {
    if doc.get("redirect_uris").is_none() {
        doc["redirect_uris"] = json!(["https://rp.example.org/cb"]);
    }
    let Value::Object(map) = doc else {
        panic!("test input must be an object")
    };
    validate(parse(&map).expect("test input must parse"), rules)
}

/// Asserts that `doc` is refused under `rules` with exactly `description`.
#[track_caller]
pub(super) fn rejected_with(doc: Value, rules: &MetadataRules, description: &str) {
    let err = check_with(doc, rules).expect_err("expected an error");
    assert_eq!(err.description(), description);
}

/// Asserts that `doc` is accepted under `rules`; returns the validated metadata.
#[track_caller]
pub(super) fn accepted_with(doc: Value, rules: &MetadataRules) -> ClientMetadata {
    check_with(doc, rules).unwrap_or_else(|e| panic!("rejected: {e}"))
}
