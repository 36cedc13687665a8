//! JSON object -> [`ClientMetadata`]: member names and JSON types only (RFC 7591 §2).
//!
//! Rules applied here:
//! - member names are case-sensitive; unknown members, including server-controlled ones
//!   such as `client_id` and tags on members that take none (`scope#fr`), are collected as they
//!   are in [`ClientMetadata::extensions`], where [`validate`](fn@super::validate) keeps only
//!   the declared extension members (RFC 7591 §2: unknown members are ignored);
//! - a JSON `null` member is treated as absent;
//! - strings, booleans, arrays of strings and objects must have that JSON type;
//!   `default_max_age` must be a non-negative integer;
//! - URI-valued strings must not be empty (everything else about them is checked by
//!   [`validate`](fn@super::validate));
//! - enumerated values (`grant_types`, `response_types`, `token_endpoint_auth_method`,
//!   `application_type`, `subject_type`) must be values this crate knows; `response_types`
//!   values are sets, so `"id_token code"` is `code id_token`;
//! - duplicate `grant_types` / `response_types` values are dropped, keeping the first occurrence;
//! - `member#tag` for the human-readable members (RFC 7591 §2.2): the tag must be a well-formed BCP 47 tag
//!   of at most 64 characters and unique ignoring ASCII case; it is kept as sent. A member
//!   takes at most 100 tagged values. Tagged members are collected in one pass over the object;
//! - client-supplied values are put into error descriptions only through [`quoted`](crate::syntax::quoted).
//!
//! Type errors on `redirect_uris` are `invalid_redirect_uri` (RFC 7591 §3.2.2); every other error is
//! `invalid_client_metadata`.
//!
//! Owns JSON types and the enumerated values' wire names. Must not know the registration rules
//! (defaults, allow-lists, consistency): those are `validate`'s.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::error::{MetadataError, MetadataErrorCode};
use super::lang;
use super::members::client_metadata_members;
use super::model::{
    ApplicationType, AuthMethod, ClientMetadata, GrantType, Localized, ResponseType, SubjectType,
};
use crate::syntax::quoted;

/// Parses a registration request's JSON object into [`ClientMetadata`], checking JSON types only.
///
/// Unknown members are ignored (RFC 7591 §2), `null` members are treated as absent, and
/// language-tagged human-readable members (`client_name#fr`) are collected with their tag as
/// sent. Registration rules and defaults are applied afterwards by
/// [`validate`](fn@super::validate).
///
/// This copies the object first; the crate's own callers, which own the object, use
/// `parse_owned`, which gives the same result without copying.
///
/// # Errors
///
/// `invalid_redirect_uri` when `redirect_uris` is not an array of non-empty strings;
/// `invalid_client_metadata` for any other member of the wrong JSON type, an unknown
/// enumerated value, or a malformed or duplicate language tag.
pub fn parse(obj: &Map<String, Value>) -> Result<ClientMetadata, MetadataError> {
    parse_owned(obj.clone())
}

/// [`parse`], consuming the object: the strings, arrays and the `jwks` object of the result are
/// moved out of it instead of being copied. Same result and same errors as [`parse`].
///
/// # Errors
///
/// As [`parse`].
pub(crate) fn parse_owned(obj: Map<String, Value>) -> Result<ClientMetadata, MetadataError> {
    parse_members(Parser { obj, tagged: None })
}

/// The parser call that reads a member of the given kind (see the kinds of the member table).
macro_rules! parse_member {
    ($p:ident, $name:expr, text) => {
        $p.string($name)
    };
    ($p:ident, $name:expr, url) => {
        $p.uri($name)
    };
    ($p:ident, $name:expr, text_list) => {
        $p.string_array($name, Kind::Text)
    };
    ($p:ident, $name:expr, url_list) => {
        $p.string_array($name, Kind::Uri(MetadataErrorCode::InvalidClientMetadata))
    };
    ($p:ident, $name:expr, redirect_uri_list) => {
        $p.string_array($name, Kind::Uri(MetadataErrorCode::InvalidRedirectUri))
    };
    ($p:ident, $name:expr, flag) => {
        $p.boolean($name)
    };
    ($p:ident, $name:expr, non_negative_integer) => {
        $p.non_negative_integer($name)
    };
    ($p:ident, $name:expr, json_object) => {
        $p.object($name)
    };
    ($p:ident, $name:expr, localized_text) => {
        $p.localized($name, false)
    };
    ($p:ident, $name:expr, localized_url) => {
        $p.localized($name, true)
    };
    ($p:ident, $name:expr, one_of($what:literal, $from_wire:path)) => {
        $p.wire($name, $what, $from_wire)
    };
    ($p:ident, $name:expr, set_of($what:literal, $from_wire:path)) => {
        $p.wire_array($name, $what, $from_wire)
    };
}

/// Declares `parse_members`, which reads every member of the table in table order (so the
/// first error reported is that of the first faulty member in that order), then collects the
/// remaining members as extensions.
macro_rules! declare_parse_members {
    ($($(#[$doc:meta])* $field:ident: $ty:ty => $kind:ident $(($($arg:tt)*))?,)*) => {
        fn parse_members(mut p: Parser) -> Result<ClientMetadata, MetadataError> {
            // Struct fields are evaluated in the order written: the table's.
            Ok(ClientMetadata {
                $($field: parse_member!(p, stringify!($field), $kind $(($($arg)*))?)?,)*
                extensions: p.unmodeled_members(),
            })
        }
    };
}
client_metadata_members!(declare_parse_members);

/// The `(tag, value)` pairs of one localized member, in object order.
type TaggedValues = Vec<(String, String)>;

/// What the elements of a string array are.
#[derive(Clone, Copy)]
enum Kind {
    /// Free text: any string.
    Text,
    /// URIs: non-empty strings; errors carry the given code.
    Uri(MetadataErrorCode),
}

/// Takes the members out of the object: each accessor moves the member's value out of its entry
/// (leaving `null` there), so the strings end up in the [`ClientMetadata`] without a copy.
/// Entries are never removed (with serde_json's `preserve_order`, `Map::remove` moves the last
/// entry into the hole), so the object keeps its order for [`Parser::tagged_members`].
struct Parser {
    obj: Map<String, Value>,
    /// The `member#tag` values of the localized members, collected in one pass on the first
    /// localized member read ([`Parser::localized`]).
    tagged: Option<HashMap<&'static str, TaggedValues>>,
}

impl Parser {
    /// The member's value, moved out of the object; `None` when absent or `null`.
    fn take(&mut self, name: &str) -> Option<Value> {
        self.obj
            .get_mut(name)
            .map(Value::take)
            .filter(|v| !v.is_null())
    }

    fn string(&mut self, name: &str) -> Result<Option<String>, MetadataError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(MetadataError::client_metadata(format!(
                "{name}: must be a string"
            ))),
        }
    }

    fn uri(&mut self, name: &str) -> Result<Option<String>, MetadataError> {
        let value = self.string(name)?;
        if value.as_deref() == Some("") {
            return Err(MetadataError::client_metadata(format!(
                "{name}: must not be empty"
            )));
        }
        Ok(value)
    }

    /// A localized member: its untagged value (a URL when `holds_url`, not empty then) and its
    /// `member#tag` values. The first call collects the tagged values of every localized
    /// member ([`Parser::tagged_members`]), so their errors come before any untagged value's.
    fn localized(
        &mut self,
        member: &'static str,
        holds_url: bool,
    ) -> Result<Localized, MetadataError> {
        if self.tagged.is_none() {
            self.tagged = Some(self.tagged_members()?);
        }
        let default = if holds_url {
            self.uri(member)?
        } else {
            self.string(member)?
        };
        let tagged = self
            .tagged
            .as_mut()
            .and_then(|tagged| tagged.remove(member))
            .unwrap_or_default();
        Ok(Localized { default, tagged })
    }

    fn boolean(&mut self, name: &str) -> Result<Option<bool>, MetadataError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(MetadataError::client_metadata(format!(
                "{name}: must be a boolean"
            ))),
        }
    }

    fn non_negative_integer(&mut self, name: &str) -> Result<Option<u64>, MetadataError> {
        match self.take(name) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                MetadataError::client_metadata(format!("{name}: must be a non-negative integer"))
            }),
        }
    }

    fn object(&mut self, name: &str) -> Result<Option<Map<String, Value>>, MetadataError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o)),
            Some(_) => Err(MetadataError::client_metadata(format!(
                "{name}: must be a JSON object"
            ))),
        }
    }

    /// The member as a JSON array (any element type).
    fn array(
        &mut self,
        name: &str,
        code: MetadataErrorCode,
    ) -> Result<Option<Vec<Value>>, MetadataError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(_) => Err(MetadataError::new(
                code,
                format!("{name}: must be an array of strings"),
            )),
        }
    }

    fn string_array(
        &mut self,
        name: &str,
        kind: Kind,
    ) -> Result<Option<Vec<String>>, MetadataError> {
        let code = match kind {
            Kind::Text => MetadataErrorCode::InvalidClientMetadata,
            Kind::Uri(code) => code,
        };
        let Some(array) = self.array(name, code)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(array.len());
        for (i, item) in array.into_iter().enumerate() {
            let Value::String(s) = item else {
                return Err(MetadataError::new(
                    code,
                    format!("{name}[{i}]: must be a string"),
                ));
            };
            if s.is_empty() && matches!(kind, Kind::Uri(_)) {
                return Err(MetadataError::new(
                    code,
                    format!("{name}[{i}]: must not be empty"),
                ));
            }
            out.push(s);
        }
        Ok(Some(out))
    }

    /// A single enumerated value; `what` names the kind of value in the error.
    fn wire<T>(
        &mut self,
        name: &str,
        what: &str,
        from_wire: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, MetadataError> {
        let Some(value) = self.string(name)? else {
            return Ok(None);
        };
        from_wire(&value).map(Some).ok_or_else(|| {
            MetadataError::client_metadata(format!("{name}: unsupported {what} {}", quoted(&value)))
        })
    }

    /// An array of enumerated values, duplicates dropped (first occurrence kept).
    fn wire_array<T: PartialEq>(
        &mut self,
        name: &str,
        what: &str,
        from_wire: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<Vec<T>>, MetadataError> {
        let Some(values) = self.string_array(name, Kind::Text)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(values.len());
        for (i, value) in values.iter().enumerate() {
            let parsed = from_wire(value).ok_or_else(|| {
                MetadataError::client_metadata(format!(
                    "{name}[{i}]: unsupported {what} {}",
                    quoted(value)
                ))
            })?;
            if !out.contains(&parsed) {
                out.push(parsed);
            }
        }
        Ok(Some(out))
    }

    /// The members left once every modeled one was taken (their entries are `null` then) and
    /// that are not `member#tag` of a localized member: the candidates for
    /// [`ClientMetadata::extensions`]. `null` members are treated as absent.
    fn unmodeled_members(self) -> Map<String, Value> {
        self.obj
            .into_iter()
            .filter(|(name, value)| !value.is_null() && lang::localized_member(name).is_none())
            .collect()
    }

    /// Every `member#tag` of the [`lang::localized`] members, collected in one pass over the
    /// object: the `(tag, value)` pairs of each member, in object order. Tags are checked as
    /// they come ([`lang::TagSet`]); values must be strings, not empty for URL members. The
    /// values are moved out of the object.
    fn tagged_members(&mut self) -> Result<HashMap<&'static str, TaggedValues>, MetadataError> {
        let mut tagged: HashMap<&'static str, (lang::TagSet, TaggedValues)> = HashMap::new();
        for (name, value) in &mut self.obj {
            let Some((member, tag)) = lang::localized_member(name) else {
                continue;
            };
            if value.is_null() {
                continue;
            }
            let (tags, values) = tagged.entry(member).or_default();
            tags.insert(member, tag)?;
            let Value::String(s) = value else {
                return Err(MetadataError::client_metadata(format!(
                    "{}: must be a string",
                    lang::tagged_label(member, Some(tag))
                )));
            };
            if s.is_empty() && lang::holds_url(member) {
                return Err(MetadataError::client_metadata(format!(
                    "{}: must not be empty",
                    lang::tagged_label(member, Some(tag))
                )));
            }
            values.push((tag.to_owned(), std::mem::take(s)));
        }
        Ok(tagged
            .into_iter()
            .map(|(member, (_, values))| (member, values))
            .collect())
    }
}

#[cfg(test)]
mod tests;
