//! Language-tagged members (RFC 7591 §2.2): `client_name#ja-Jpan-JP`, `logo_uri#fr`, ...
//!
//! A member name is split at its first `#`; the tag must be a well-formed BCP 47 language tag
//! (RFC 5646) and is kept exactly as the client sent it. Two tags of the same member that are
//! equal ignoring ASCII case are duplicates (BCP 47 tags are case-insensitive).

use oxilangtag::LanguageTag;

use super::error::MetadataError;
use super::model::Localized;

/// The human-readable members that may carry a language tag, in the order they are echoed.
pub(super) const LOCALIZED_MEMBERS: &[&str] = &[
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
];

/// Splits `member#tag` at the first `#`: `("client_name", Some("fr"))`, or `(name, None)`.
pub(super) fn split_member(name: &str) -> (&str, Option<&str>) {
    match name.split_once('#') {
        Some((member, tag)) => (member, Some(tag)),
        None => (name, None),
    }
}

/// If `name` is `member#tag` for one of the [`LOCALIZED_MEMBERS`], the member and the tag.
/// Any other name (untagged, or a tag on a member that takes none, like `scope#fr`) gives `None`.
pub(super) fn localized_member(name: &str) -> Option<(&'static str, &str)> {
    let (member, tag) = split_member(name);
    let tag = tag?;
    LOCALIZED_MEMBERS
        .iter()
        .find(|m| **m == member)
        .map(|m| (*m, tag))
}

/// Whether `tag` is a well-formed BCP 47 language tag.
pub(super) fn is_valid_tag(tag: &str) -> bool {
    LanguageTag::parse(tag).is_ok()
}

/// Whether two language tags are the same tag (ASCII case-insensitive, RFC 5646 §2.1.1).
pub(super) fn tags_equal(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Checks one tag of `member` against the tags already accepted for it: well-formed and not a
/// case-insensitive duplicate. Errors are `invalid_client_metadata`.
pub(super) fn check_tag<'a>(
    member: &str,
    tag: &str,
    existing: impl IntoIterator<Item = &'a str>,
) -> Result<(), MetadataError> {
    if !is_valid_tag(tag) {
        return Err(MetadataError::client_metadata(format!(
            "{member}#{tag}: invalid language tag"
        )));
    }
    if let Some(other) = existing.into_iter().find(|t| tags_equal(t, tag)) {
        return Err(MetadataError::client_metadata(format!(
            "{member}#{tag}: duplicate language tag (same as {member}#{other})"
        )));
    }
    Ok(())
}

/// Re-checks every tag of a [`Localized`] value (for metadata not built by the parser).
pub(super) fn check_localized(member: &str, value: &Localized) -> Result<(), MetadataError> {
    for (i, (tag, _)) in value.tagged.iter().enumerate() {
        check_tag(
            member,
            tag,
            value.tagged[..i].iter().map(|(t, _)| t.as_str()),
        )?;
    }
    Ok(())
}

/// The member name a localized value is echoed under: `member` or `member#tag`.
pub(super) fn tagged_name(member: &str, tag: Option<&str>) -> String {
    match tag {
        Some(tag) => format!("{member}#{tag}"),
        None => member.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::MetadataErrorCode;

    #[test]
    fn b4_split_member() {
        assert_eq!(split_member("client_name"), ("client_name", None));
        assert_eq!(split_member("client_name#fr"), ("client_name", Some("fr")));
        assert_eq!(split_member("client_name#"), ("client_name", Some("")));
        assert_eq!(split_member("a#b#c"), ("a", Some("b#c")));
    }

    #[test]
    fn b4_localized_member_only_for_human_readable_members() {
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
        // A12: member names are case-sensitive.
        assert_eq!(localized_member("Client_Name#fr"), None);
    }

    #[test]
    fn b4_tag_validity() {
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

    #[test]
    fn b4_tags_compared_case_insensitively() {
        assert!(tags_equal("en-US", "EN-us"));
        assert!(!tags_equal("en-US", "en-GB"));
    }

    #[test]
    fn b4_check_tag_errors() {
        let err = check_tag("client_name", "xx-!!", []).unwrap_err();
        assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
        assert_eq!(err.description(), "client_name#xx-!!: invalid language tag");

        let err = check_tag("logo_uri", "EN", ["fr", "en"]).unwrap_err();
        assert_eq!(err.code(), MetadataErrorCode::InvalidClientMetadata);
        assert_eq!(
            err.description(),
            "logo_uri#EN: duplicate language tag (same as logo_uri#en)"
        );
        assert!(check_tag("logo_uri", "de", ["fr", "en"]).is_ok());
    }

    #[test]
    fn b4_check_localized() {
        let mut value = Localized {
            default: Some("x".into()),
            tagged: vec![("fr".into(), "a".into()), ("de".into(), "b".into())],
        };
        assert!(check_localized("client_name", &value).is_ok());
        value.tagged.push(("FR".into(), "c".into()));
        let err = check_localized("client_name", &value).unwrap_err();
        assert_eq!(
            err.description(),
            "client_name#FR: duplicate language tag (same as client_name#fr)"
        );
    }

    #[test]
    fn b4_tagged_name() {
        assert_eq!(tagged_name("client_name", None), "client_name");
        assert_eq!(
            tagged_name("client_name", Some("ja-Jpan-JP")),
            "client_name#ja-Jpan-JP"
        );
    }
}
