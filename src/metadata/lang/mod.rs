//! Language-tagged members (RFC 7591 §2.2): `client_name#ja-Jpan-JP`, `logo_uri#fr`, ...
//!
//! A member name is split at its first `#`; the tag must be a well-formed BCP 47 language tag
//! (RFC 5646) of at most [`MAX_TAG_CHARS`] characters and is kept exactly as the client sent it.
//! Two tags of the same member that are equal ignoring ASCII case are duplicates (BCP 47 tags
//! are case-insensitive). A member carries at most [`MAX_TAGGED_VALUES`] tagged values.
//!
//! Owns language tags and the lookup of the localized members (derived from the member
//! table). Must not know what a localized value means beyond text or URL.

use std::collections::HashSet;

use oxilangtag::LanguageTag;

use super::error::MetadataError;
use super::members::client_metadata_members;
use super::model::{ClientMetadata, Localized};
use crate::syntax::quoted;

/// What a localized member holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LocalizedKind {
    /// Free text (`client_name`).
    Text,
    /// A URL (`client_uri`, `logo_uri`, `tos_uri`, `policy_uri`).
    Url,
}

/// The kind of a localized member of the table; `None` for the other kinds.
macro_rules! localized_kind {
    (localized_text) => {
        Some(LocalizedKind::Text)
    };
    (localized_url) => {
        Some(LocalizedKind::Url)
    };
    ($other:ident $(($($arg:tt)*))?) => {
        None
    };
}

/// `Some((name, &meta.field))` for a localized member of the table, `None` for the others.
macro_rules! localized_value {
    ($meta:ident, $field:ident, localized_text) => {
        Some((stringify!($field), &$meta.$field))
    };
    ($meta:ident, $field:ident, localized_url) => {
        Some((stringify!($field), &$meta.$field))
    };
    ($meta:ident, $field:ident, $other:ident $(($($arg:tt)*))?) => {
        None
    };
}

/// Declares [`localized`] and [`localized_values`]: the localized members of the member table.
macro_rules! declare_localized {
    ($($(#[$doc:meta])* $field:ident: $ty:ty => $kind:ident $(($($arg:tt)*))?,)*) => {
        /// If `member` is one of the human-readable members that may carry a language tag
        /// (`localized_text` or `localized_url` in the member table), its name and what it
        /// holds.
        pub(super) fn localized(member: &str) -> Option<(&'static str, LocalizedKind)> {
            match member {
                $(stringify!($field) => {
                    localized_kind!($kind $(($($arg)*))?).map(|kind| (stringify!($field), kind))
                })*
                _ => None,
            }
        }

        /// Every localized member of `meta`, with its name, in table order.
        pub(super) fn localized_values(
            meta: &ClientMetadata,
        ) -> impl Iterator<Item = (&'static str, &Localized)> {
            [$(localized_value!(meta, $field, $kind $(($($arg)*))?)),*]
                .into_iter()
                .flatten()
        }
    };
}
client_metadata_members!(declare_localized);

/// The longest language tag accepted, in characters. RFC 5646 §4.4.1 asks implementations to
/// handle tags of at least 35 characters; longer tags are extensions and private-use subtags.
pub(super) const MAX_TAG_CHARS: usize = 64;

/// The most language-tagged values accepted for one member (`client_name#...`).
pub(super) const MAX_TAGGED_VALUES: usize = 100;

/// Whether the localized `member` holds a URL (`client_uri`, `logo_uri`, `tos_uri`,
/// `policy_uri`) rather than free text (`client_name`).
pub(super) fn holds_url(member: &str) -> bool {
    matches!(localized(member), Some((_, LocalizedKind::Url)))
}

/// Splits `member#tag` at the first `#`: `("client_name", Some("fr"))`, or `(name, None)`.
pub(super) fn split_member(name: &str) -> (&str, Option<&str>) {
    match name.split_once('#') {
        Some((member, tag)) => (member, Some(tag)),
        None => (name, None),
    }
}

/// If `name` is `member#tag` for one of the [`localized`] members, the member and the tag.
/// Any other name (untagged, or a tag on a member that takes none, like `scope#fr`) gives `None`.
pub(super) fn localized_member(name: &str) -> Option<(&'static str, &str)> {
    let (member, tag) = split_member(name);
    let tag = tag?;
    localized(member).map(|(member, _)| (member, tag))
}

/// The [`localized`] member that `name` holds a value of, under a tag (`client_name#fr`) or
/// none (`client_name`). Any other name (`scope`, `scope#fr`) gives `None`.
pub(crate) fn localized_member_of(name: &str) -> Option<&'static str> {
    localized(split_member(name).0).map(|(member, _)| member)
}

/// Whether `tag` is a well-formed BCP 47 language tag.
pub(super) fn is_valid_tag(tag: &str) -> bool {
    LanguageTag::parse(tag).is_ok()
}

/// Checks one tag of `member` on its own: at most [`MAX_TAG_CHARS`] characters (checked before
/// parsing it) and well-formed. Errors are `invalid_client_metadata`.
pub(super) fn check_tag(member: &str, tag: &str) -> Result<(), MetadataError> {
    if tag.chars().nth(MAX_TAG_CHARS).is_some() {
        return Err(MetadataError::client_metadata(format!(
            "{}: language tag longer than {MAX_TAG_CHARS} characters",
            tagged_label(member, Some(tag))
        )));
    }
    if !is_valid_tag(tag) {
        return Err(MetadataError::client_metadata(format!(
            "{}: invalid language tag",
            tagged_label(member, Some(tag))
        )));
    }
    Ok(())
}

/// The tags accepted so far for one member. [`TagSet::insert`] checks a new tag against them
/// in constant time: two tags are the same tag when equal ignoring ASCII case (RFC 5646 §2.1.1).
#[derive(Debug, Default)]
pub(super) struct TagSet {
    /// The accepted tags, ASCII-lowercased.
    seen: HashSet<String>,
}

impl TagSet {
    /// Checks `tag` of `member` ([`check_tag`]), that it is not a case-insensitive duplicate of
    /// a tag already accepted and that `member` does not get more than [`MAX_TAGGED_VALUES`]
    /// tagged values; then records it. Errors are `invalid_client_metadata`.
    pub(super) fn insert(&mut self, member: &str, tag: &str) -> Result<(), MetadataError> {
        if self.seen.len() >= MAX_TAGGED_VALUES {
            return Err(MetadataError::client_metadata(format!(
                "{member}: more than {MAX_TAGGED_VALUES} language-tagged values"
            )));
        }
        check_tag(member, tag)?;
        if !self.seen.insert(tag.to_ascii_lowercase()) {
            return Err(MetadataError::client_metadata(format!(
                "{}: duplicate language tag (tags are compared ignoring case)",
                tagged_label(member, Some(tag))
            )));
        }
        Ok(())
    }
}

/// Re-checks every tag of a [`Localized`] value (for metadata not built by the parser).
pub(super) fn check_localized(member: &str, value: &Localized) -> Result<(), MetadataError> {
    let mut tags = TagSet::default();
    for (tag, _) in &value.tagged {
        tags.insert(member, tag)?;
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

/// How an error description names a localized value: `member`, or `member#'tag'` with the
/// client-supplied tag [`quoted`].
pub(super) fn tagged_label(member: &str, tag: Option<&str>) -> String {
    match tag {
        Some(tag) => format!("{member}#{}", quoted(tag)),
        None => member.to_owned(),
    }
}

#[cfg(test)]
mod tests;
