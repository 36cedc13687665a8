//! [`ClientMetadata`] -> JSON members (RFC 7591 §3.2.1, §2.2): every present member under its
//! JSON name, language-tagged members under `member#tag` with the tag as the client sent it.
//!
//! [`ClientMetadata::write_entries`] writes into a map the caller is already serializing, so
//! that a registration response can put `client_id`, `client_secret`... and the metadata in
//! one JSON object.
//!
//! Owns the JSON shape of each member kind. Must not know any registration rule, nor the
//! response members the server adds (`client_id`...).

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::lang;
use super::members::client_metadata_members;
use super::model::{ClientMetadata, Localized};

/// The serializer call that writes a member of the given kind (see the kinds of the member
/// table): nothing when absent.
macro_rules! write_member {
    ($map:ident, $name:expr, $value:expr, localized_text) => {
        localized($map, $name, &$value)
    };
    ($map:ident, $name:expr, $value:expr, localized_url) => {
        localized($map, $name, &$value)
    };
    ($map:ident, $name:expr, $value:expr, one_of($($arg:tt)*)) => {
        opt($map, $name, &$value.map(|value| value.as_str()))
    };
    ($map:ident, $name:expr, $value:expr, set_of($($arg:tt)*)) => {
        match &$value {
            Some(values) => {
                $map.serialize_entry($name, &WireValues(values, |value| value.as_str()))
            }
            None => Ok(()),
        }
    };
    ($map:ident, $name:expr, $value:expr, $plain:ident) => {
        opt($map, $name, &$value)
    };
}

/// Declares [`ClientMetadata::write_entries`], which writes every member of the table in
/// table order.
macro_rules! declare_write_entries {
    ($($(#[$doc:meta])* $field:ident: $ty:ty => $kind:ident $(($($arg:tt)*))?,)*) => {
        impl ClientMetadata {
            /// Writes every present member into `map`, in a stable order: `redirect_uris`,
            /// `client_name` (then its tagged variants), `client_uri`, `logo_uri`, `tos_uri`,
            /// `policy_uri` (likewise), `contacts`, `token_endpoint_auth_method`, `scope`,
            /// `grant_types`, `response_types`, `application_type`, then the other members in
            /// the order of the [`ClientMetadata`] fields, then the extension members. Absent
            /// members are not written.
            ///
            /// # Errors
            ///
            /// Whatever the underlying serializer returns.
            pub fn write_entries<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
                $(write_member!(map, stringify!($field), self.$field, $kind $(($($arg)*))?)?;)*
                // Declared extension members only: `validate` dropped the others.
                for (name, value) in &self.extensions {
                    map.serialize_entry(name, value)?;
                }
                Ok(())
            }
        }
    };
}
client_metadata_members!(declare_write_entries);

impl Serialize for ClientMetadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.write_entries(&mut map)?;
        map.end()
    }
}

/// Writes `name: value` when `value` is present.
fn opt<M: SerializeMap, T: Serialize>(
    map: &mut M,
    name: &str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(value) => map.serialize_entry(name, value),
        None => Ok(()),
    }
}

/// Enumerated values as a JSON array of their wire names, without collecting them first.
struct WireValues<'a, T>(&'a [T], fn(&T) -> &'static str);

impl<T> Serialize for WireValues<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(self.1))
    }
}

/// Writes `member` and each `member#tag`.
fn localized<M: SerializeMap>(
    map: &mut M,
    member: &str,
    value: &Localized,
) -> Result<(), M::Error> {
    for (tag, text) in value.values() {
        map.serialize_entry(&lang::tagged_name(member, tag), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
