//! The error of a refused metadata document: an RFC 7591 §3.2.2 code and a description safe
//! for `error_description`.
//!
//! Must not know which rule produced an error.

use std::fmt;

/// Which RFC 7591 §3.2.2 error code a metadata problem maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataErrorCode {
    /// `invalid_redirect_uri`: a redirect URI is missing, malformed or not allowed.
    InvalidRedirectUri,
    /// `invalid_client_metadata`: any other member is malformed or not allowed.
    InvalidClientMetadata,
    /// `invalid_software_statement`: the software statement is malformed or badly signed.
    InvalidSoftwareStatement,
    /// `unapproved_software_statement`: the software statement's issuer is not trusted.
    UnapprovedSoftwareStatement,
}

impl MetadataErrorCode {
    /// The `error` value of the JSON error response.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidSoftwareStatement => "invalid_software_statement",
            Self::UnapprovedSoftwareStatement => "unapproved_software_statement",
        }
    }
}

/// A rejected metadata document: the RFC 7591 error code and a precise, ASCII description
/// that names the member and, for arrays, the index (`redirect_uris[1]: fragment not allowed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataError {
    code: MetadataErrorCode,
    description: String,
}

impl MetadataError {
    /// An `invalid_client_metadata` error.
    pub fn client_metadata(description: impl Into<String>) -> Self {
        Self::new(MetadataErrorCode::InvalidClientMetadata, description)
    }

    /// An `invalid_redirect_uri` error.
    pub fn redirect_uri(description: impl Into<String>) -> Self {
        Self::new(MetadataErrorCode::InvalidRedirectUri, description)
    }

    /// An error with the given code. The description is made safe for `error_description`
    /// (RFC 6749 §5.2): `"` becomes `'`, and `\`, control and non-ASCII characters become
    /// `U+XXXX`.
    pub fn new(code: MetadataErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: sanitize_description(&description.into()),
        }
    }

    /// The RFC 7591 error code.
    pub fn code(&self) -> MetadataErrorCode {
        self.code
    }

    /// The human-readable description (printable ASCII only).
    pub fn description(&self) -> &str {
        &self.description
    }
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.description)
    }
}

impl std::error::Error for MetadataError {}

/// Makes text fit for `error_description`, which RFC 6749 §5.2 limits to %x20-21 / %x23-5B /
/// %x5D-7E: `"` becomes `'`, and every other character outside the set (`\`, controls,
/// non-ASCII) becomes `U+XXXX`.
pub(crate) fn sanitize_description(text: &str) -> String {
    let allowed = |c: char| matches!(c, '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e');
    if text.chars().all(allowed) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' => out.push('\''),
            c if allowed(c) => out.push(c),
            c => out.push_str(&format!("U+{:04X}", u32::from(c))),
        }
    }
    out
}

#[cfg(test)]
mod tests;
