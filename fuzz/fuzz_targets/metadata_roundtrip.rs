//! Any bytes as a JSON registration request, straight into the pure rules.
//!
//! Properties: `parse` and `validate` never panic; every refusal has a non-empty,
//! printable-ASCII description; and validated metadata is a fixed point: validating it again,
//! and serializing, re-parsing and re-validating it, both give it back unchanged (so what is
//! stored and echoed re-validates to itself on every read and update).

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use tower_oidc_registration::__fuzz::{MetadataError, MetadataRules, parse, validate};

fn check_error(error: &MetadataError, stage: &str) {
    let description = error.description();
    assert!(
        !description.is_empty() && description.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "{stage}: description not printable ASCII: {description:?}"
    );
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(object) = serde_json::from_slice::<Map<String, Value>>(bytes) else {
        return;
    };
    let rules = MetadataRules::default();
    let parsed = match parse(&object) {
        Ok(parsed) => parsed,
        Err(error) => return check_error(&error, "parse"),
    };
    let validated = match validate(parsed, &rules) {
        Ok(validated) => validated,
        Err(error) => return check_error(&error, "validate"),
    };

    let again = validate(validated.clone(), &rules)
        .unwrap_or_else(|e| panic!("validated metadata refused on re-validation: {e:?}"));
    assert_eq!(again, validated, "validate is not idempotent");

    let Value::Object(serialized) = serde_json::to_value(&validated).expect("serializes") else {
        panic!("metadata did not serialize to a JSON object");
    };
    let reparsed = parse(&serialized)
        .unwrap_or_else(|e| panic!("serialized metadata refused by parse: {e:?}\n{serialized:?}"));
    let revalidated = validate(reparsed, &rules).unwrap_or_else(|e| {
        panic!("serialized metadata refused by validate: {e:?}\n{serialized:?}")
    });
    assert_eq!(
        revalidated, validated,
        "serialize -> parse -> validate changed the metadata"
    );
});
