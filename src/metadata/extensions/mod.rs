//! Extension metadata: members the operator declares, with a JSON type and an optional
//! validator, that are then checked, stored and echoed like the standard ones. Undeclared
//! members stay ignored (RFC 7591 §2).
//!
//! ```
//! use tower_oidc_registration::metadata::{ExtensionMember, ExtensionType, MetadataRules};
//!
//! let mut rules = MetadataRules::default();
//! rules
//!     .extensions
//!     .declare(ExtensionMember::new("tenant", ExtensionType::String).validator(
//!         |value: &serde_json::Value| match value.as_str() {
//!             Some(t) if t.len() <= 32 => Ok(()),
//!             _ => Err("at most 32 characters".to_owned()),
//!         },
//!     ))
//!     .expect("a name no standard member uses");
//! assert!(rules.extensions.get("tenant").is_some());
//! ```
//!
//! Owns the declared extension members and their checks. Must not know the standard members
//! beyond their names (`members.rs`), nor HTTP or storage.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::MetadataError;
use super::members::{MEMBER_NAMES, SERVER_MEMBERS};
use super::redirect_uri::{Schemes, check_url};

/// The JSON type a declared extension member must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtensionType {
    /// A JSON string.
    String,
    /// An absolute `http` or `https` URL without a fragment.
    Url,
    /// `true` or `false`.
    Boolean,
    /// Any JSON number.
    Number,
    /// An integer (a JSON number without a fraction that fits `i64` or `u64`).
    Integer,
    /// An array of strings.
    StringArray,
    /// A JSON array of any values.
    Array,
    /// A JSON object.
    Object,
}

impl ExtensionType {
    /// What the type is called in error descriptions.
    fn expected(self) -> &'static str {
        match self {
            Self::String => "a string",
            Self::Url => "a URL string",
            Self::Boolean => "a boolean",
            Self::Number => "a number",
            Self::Integer => "an integer",
            Self::StringArray => "an array of strings",
            Self::Array => "an array",
            Self::Object => "a JSON object",
        }
    }
}

/// Checks the value of an extension member beyond its JSON type. The error is a description
/// of what is wrong, without the member name (which is prefixed to it); it is sent to the
/// client, so it must not contain secrets.
pub trait ExtensionValidator: Send + Sync + 'static {
    /// `Ok(())` when `value` (already of the declared JSON type) is acceptable.
    ///
    /// # Errors
    ///
    /// The description of the problem, e.g. `"must be one of 'a', 'b'"`.
    fn validate(&self, value: &Value) -> Result<(), String>;
}

impl<F> ExtensionValidator for F
where
    F: Fn(&Value) -> Result<(), String> + Send + Sync + 'static,
{
    fn validate(&self, value: &Value) -> Result<(), String> {
        self(value)
    }
}

/// One declared extension member: its name, JSON type and optional validator.
#[derive(Clone)]
pub struct ExtensionMember {
    name: String,
    json_type: ExtensionType,
    validator: Option<Arc<dyn ExtensionValidator>>,
}

impl ExtensionMember {
    /// A member `name` of type `json_type`, without a validator.
    pub fn new(name: impl Into<String>, json_type: ExtensionType) -> Self {
        Self {
            name: name.into(),
            json_type,
            validator: None,
        }
    }

    /// Adds a validator, run after the type check.
    pub fn validator(mut self, validator: impl ExtensionValidator) -> Self {
        self.validator = Some(Arc::new(validator));
        self
    }

    /// The member name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The declared JSON type.
    pub fn json_type(&self) -> ExtensionType {
        self.json_type
    }

    /// Checks a value of this member; errors name the member (and the index, for arrays).
    fn check(&self, value: &Value) -> Result<(), MetadataError> {
        let name = &self.name;
        let type_ok = match self.json_type {
            ExtensionType::String | ExtensionType::Url => value.is_string(),
            ExtensionType::Boolean => value.is_boolean(),
            ExtensionType::Number => value.is_number(),
            ExtensionType::Integer => value.is_i64() || value.is_u64(),
            ExtensionType::StringArray | ExtensionType::Array => value.is_array(),
            ExtensionType::Object => value.is_object(),
        };
        if !type_ok {
            return Err(MetadataError::client_metadata(format!(
                "{name}: must be {}",
                self.json_type.expected()
            )));
        }
        match (self.json_type, value) {
            (ExtensionType::StringArray, Value::Array(items)) => {
                if let Some(i) = items.iter().position(|v| !v.is_string()) {
                    return Err(MetadataError::client_metadata(format!(
                        "{name}[{i}]: must be a string"
                    )));
                }
            }
            (ExtensionType::Url, Value::String(url)) => {
                check_url(name, url, Schemes::HttpOrHttps, false)?;
            }
            _ => {}
        }
        if let Some(validator) = &self.validator {
            validator
                .validate(value)
                .map_err(|why| MetadataError::client_metadata(format!("{name}: {why}")))?;
        }
        Ok(())
    }
}

impl fmt::Debug for ExtensionMember {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtensionMember")
            .field("name", &self.name)
            .field("json_type", &self.json_type)
            .field("validator", &self.validator.is_some())
            .finish()
    }
}

impl PartialEq for ExtensionMember {
    fn eq(&self, other: &Self) -> bool {
        let same_validator = match (&self.validator, &other.validator) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        self.name == other.name && self.json_type == other.json_type && same_validator
    }
}

impl Eq for ExtensionMember {}

/// Why an extension member cannot be declared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("extension member {name:?}: {reason}")]
pub struct ExtensionError {
    name: String,
    reason: &'static str,
}

/// The declared extension members of [`MetadataRules::extensions`](super::MetadataRules::extensions).
/// Empty by default: every member this crate does not model is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtensionMembers {
    members: Vec<ExtensionMember>,
}

impl ExtensionMembers {
    /// Declares a member. Refused: an empty name, a name with `#` (language tags are for the
    /// standard human-readable members), a name this crate models (`client_name`...), a
    /// server-controlled name (`client_id`, `client_secret`, `registration_access_token`...),
    /// and a name declared already.
    ///
    /// # Errors
    ///
    /// [`ExtensionError`] naming the member and the reason.
    pub fn declare(&mut self, member: ExtensionMember) -> Result<(), ExtensionError> {
        let refuse = |reason| {
            Err(ExtensionError {
                name: member.name.clone(),
                reason,
            })
        };
        if member.name.is_empty() {
            return refuse("the name must not be empty");
        }
        if member.name.contains('#') {
            return refuse("the name must not contain '#'");
        }
        if MEMBER_NAMES.contains(&member.name.as_str()) {
            return refuse("a standard member this crate validates itself");
        }
        if SERVER_MEMBERS.contains(&member.name.as_str()) {
            return refuse("a member the server sets, never the client");
        }
        if self.get(&member.name).is_some() {
            return refuse("declared twice");
        }
        self.members.push(member);
        Ok(())
    }

    /// The declared member `name`.
    pub fn get(&self, name: &str) -> Option<&ExtensionMember> {
        self.members.iter().find(|m| m.name == name)
    }

    /// Every declared member, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = &ExtensionMember> {
        self.members.iter()
    }

    /// Keeps the declared members of `extensions` (dropping the others: RFC 7591 §2) and
    /// checks each, in declaration order.
    pub(super) fn apply(&self, extensions: &mut Map<String, Value>) -> Result<(), MetadataError> {
        extensions.retain(|name, value| !value.is_null() && self.get(name).is_some());
        for member in &self.members {
            if let Some(value) = extensions.get(&member.name) {
                member.check(value)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
