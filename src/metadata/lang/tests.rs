use super::*;
use crate::metadata::MetadataErrorCode;

#[test]
fn split_member_at_the_first_hash() {
    assert_eq!(split_member("client_name"), ("client_name", None));
    assert_eq!(split_member("client_name#fr"), ("client_name", Some("fr")));
    assert_eq!(split_member("client_name#"), ("client_name", Some("")));
    assert_eq!(split_member("a#b#c"), ("a", Some("b#c")));
}

/// VAL-33: human-readable members take language tags (`client_name#fr`), returned as sent.
#[test]
fn localized_member_only_for_human_readable_members() {
    assert_eq!(
        localized_member("client_name#ja-Jpan-JP"),
        Some(("client_name", "ja-Jpan-JP"))
    );
    assert_eq!(localized_member("logo_uri#fr"), Some(("logo_uri", "fr")));
    assert_eq!(localized_member("tos_uri#de"), Some(("tos_uri", "de")));
    assert_eq!(
        localized_member("policy_uri#de"),
        Some(("policy_uri", "de"))
    );
    assert_eq!(
        localized_member("client_uri#de"),
        Some(("client_uri", "de"))
    );
    assert_eq!(localized_member("client_name"), None);
    assert_eq!(localized_member("scope#fr"), None);
    // Member names are case-sensitive.
    assert_eq!(localized_member("Client_Name#fr"), None);
}

#[test]
fn localized_member_of_tagged_and_untagged_values() {
    assert_eq!(localized_member_of("client_name"), Some("client_name"));
    assert_eq!(localized_member_of("client_name#fr"), Some("client_name"));
    assert_eq!(localized_member_of("logo_uri#en-US"), Some("logo_uri"));
    // Not a human-readable member: no variants to speak of.
    assert_eq!(localized_member_of("scope"), None);
    assert_eq!(localized_member_of("scope#fr"), None);
    assert_eq!(localized_member_of("Client_Name#fr"), None);
}

#[test]
fn holds_url_names_the_url_members() {
    let meta = ClientMetadata::default();
    let urls: Vec<&str> = localized_values(&meta)
        .map(|(member, _)| member)
        .filter(|m| holds_url(m))
        .collect();
    assert_eq!(urls, ["client_uri", "logo_uri", "tos_uri", "policy_uri"]);
    assert!(!holds_url("client_name"));
}

/// VAL-34: a language tag is a well-formed BCP 47 tag, else `invalid_client_metadata`.
#[test]
fn tag_validity() {
    for ok in [
        "fr",
        "ja-Jpan-JP",
        "en-US",
        "zh-Hant-TW",
        "de-CH-1996",
        "x-private",
        "i-klingon",
    ] {
        assert!(is_valid_tag(ok), "{ok}");
    }
    for bad in ["", "xx-!!", "en_US", "-en", "en-", "toolongprimary"] {
        assert!(!is_valid_tag(bad), "{bad}");
    }
}

/// VAL-34: a language tag is a well-formed BCP 47 tag, else `invalid_client_metadata`.
#[test]
fn check_tag_errors() {
    let err = check_tag("client_name", "xx-!!").unwrap_err();
    assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(
        err.description(),
        "client_name#'xx-!!': invalid language tag"
    );
    assert!(check_tag("client_name", "ja-Jpan-JP").is_ok());
}

#[test]
fn invalid_tag_quoted_in_error() {
    // A malformed tag holding `"` and `\` is quoted, not echoed raw.
    let err = check_tag("client_name", "a\"b\\c").unwrap_err();
    assert_eq!(
        err.description(),
        "client_name#'a'bU+005Cc': invalid language tag"
    );
    let err = check_tag("client_name", &"!".repeat(50)).unwrap_err();
    assert_eq!(
        err.description(),
        format!("client_name#'{}': invalid language tag", "!".repeat(50))
    );
}

#[test]
fn tag_length_capped_before_parsing() {
    // A well-formed tag (private-use subtags may repeat) of 64 characters is accepted...
    let max = format!("en-x{}-abcde", "-abcdefgh".repeat(6));
    assert_eq!(max.len(), MAX_TAG_CHARS);
    assert!(is_valid_tag(&max), "{max}");
    assert!(check_tag("client_name", &max).is_ok());
    // ...a longer well-formed one is not, and the message is short.
    let long = format!("en-x{}", "-abcdefgh".repeat(10_000));
    assert!(is_valid_tag(&long));
    let err = check_tag("logo_uri", &long).unwrap_err();
    assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(
        err.description(),
        format!(
            "logo_uri#'{}'...: language tag longer than 64 characters",
            &long[..64]
        )
    );
    // A huge malformed tag is cut as well.
    let err = check_tag("client_name", &"!".repeat(50_000)).unwrap_err();
    assert!(err.description().len() < 150, "{}", err.description());
}

/// VAL-35: language tags are compared ignoring case: one member may not carry the same tag twice.
#[test]
fn tags_compared_case_insensitively() {
    let mut tags = TagSet::default();
    tags.insert("logo_uri", "fr").unwrap();
    tags.insert("logo_uri", "en-US").unwrap();
    let err = tags.insert("logo_uri", "EN-us").unwrap_err();
    assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(
        err.description(),
        "logo_uri#'EN-us': duplicate language tag (tags are compared ignoring case)"
    );
    assert!(tags.insert("logo_uri", "en-GB").is_ok());
}

#[test]
fn tagged_values_capped_per_member() {
    let mut tags = TagSet::default();
    for i in 0..MAX_TAGGED_VALUES {
        tags.insert("client_name", &format!("x-t{i}")).unwrap();
    }
    let err = tags.insert("client_name", "x-one-more").unwrap_err();
    assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(
        err.description(),
        "client_name: more than 100 language-tagged values"
    );
}

#[test]
fn check_localized_rechecks_every_tag() {
    let mut value = Localized {
        default: Some("x".into()),
        tagged: vec![("fr".into(), "a".into()), ("de".into(), "b".into())],
    };
    assert!(check_localized("client_name", &value).is_ok());
    value.tagged.push(("FR".into(), "c".into()));
    let err = check_localized("client_name", &value).unwrap_err();
    assert_eq!(
        err.description(),
        "client_name#'FR': duplicate language tag (tags are compared ignoring case)"
    );
    value.tagged = (0..=MAX_TAGGED_VALUES)
        .map(|i| (format!("x-t{i}"), "v".into()))
        .collect();
    let err = check_localized("client_name", &value).unwrap_err();
    assert_eq!(
        err.description(),
        "client_name: more than 100 language-tagged values"
    );
}

#[test]
fn tagged_name_and_label() {
    assert_eq!(tagged_name("client_name", None), "client_name");
    assert_eq!(
        tagged_name("client_name", Some("ja-Jpan-JP")),
        "client_name#ja-Jpan-JP"
    );
    assert_eq!(tagged_label("logo_uri", None), "logo_uri");
    assert_eq!(tagged_label("logo_uri", Some("fr")), "logo_uri#'fr'");
}
