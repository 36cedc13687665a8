//! One member of a client's stored metadata ([`MetadataJson`](super::MetadataJson)), read
//! without parsing the rest: the token endpoint asks on every request whether the client
//! registered a grant ([`ClientRecord::allows_grant_type`](super::ClientRecord::allows_grant_type)),
//! and building and validating the whole typed metadata for that cost several times the rest of
//! the client's authentication. The JSON was validated when the record was made (at
//! registration, or by [`MetadataJson::from_stored`](super::MetadataJson::from_stored)), so the
//! member reads as the full parse would have read it.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// The value of member `name` of the JSON object `json`; `None` when absent or `null`. Of a
/// repeated member, the last one counts, as in the `serde_json::Map` the full parse builds.
/// The other members are skipped without being built.
pub(super) fn member<'de, T: Deserialize<'de>>(
    json: &'de str,
    name: &str,
) -> Result<Option<T>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value = Member {
        name,
        value: PhantomData,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// A JSON string, borrowed from the document unless it holds escapes.
pub(super) struct Text<'de>(pub(super) Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(value)))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(value.to_owned())))
            }
        }

        deserializer.deserialize_str(TextVisitor)
    }
}

/// Reads an object, keeping the value of member `name`.
struct Member<'n, T> {
    name: &'n str,
    value: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Member<'_, T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for Member<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut found = None;
        while let Some(is_name) = map.next_key_seed(IsName(self.name))? {
            if is_name {
                // `null` is `None`: absent, as the full parse treats it.
                found = map.next_value::<Option<T>>()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Whether a member's name (unescaped) is the one sought, without keeping it.
struct IsName<'n>(&'n str);

impl<'de> DeserializeSeed<'de> for IsName<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for IsName<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<bool, E> {
        Ok(name == self.0)
    }
}

#[cfg(test)]
mod tests;
