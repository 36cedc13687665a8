//! Resource bounds on a registration request's metadata, checked before anything else looks
//! at it: how deep it nests, how many members an object has, how long each string and each
//! array is, how large the whole is.
//!
//! The registration endpoint is open to strangers, and everything a client registers is kept
//! and echoed for as long as the client lives: without bounds one request could park megabytes
//! in the store, or make every later read of the client slow. The body limit
//! ([`max_body_bytes`](crate::RegistrationConfigBuilder::max_body_bytes)) bounds what one HTTP
//! request carries; these bounds hold for the host's programmatic calls too
//! ([`Registry::register`](crate::Registry::register),
//! [`Registry::update`](crate::Registry::update)), which have no body.
//!
//! Parsing itself is bounded before this pass runs: `serde_json` refuses documents nested more
//! than 128 levels (its default recursion limit, kept on by this crate), so a body of a
//! million `[` is a `400 malformed JSON` after at most 128 nested frames, never a stack
//! overflow. A custom depth-limited parser would buy nothing more; this pass then applies the
//! configured, much smaller, depth. The walk itself recurses at most [`HARD_MAX_DEPTH`] levels
//! whatever the configuration, and stops as soon as the document is known to be too large, so
//! a huge object built by the host is refused after a bounded amount of work.
//!
//! Owns the size bounds of a request's JSON. Must not know the meaning of any member beyond
//! the few whose strings get their own bound (`redirect_uris`, `jwks`, `software_statement`).

use std::io;

use serde_json::{Map, Value};

use super::error::MetadataError;

/// The deepest nesting the walk ever descends into, whatever [`MetadataLimits::max_depth`]
/// says: `serde_json`'s own recursion limit, so nothing parsed from a body is refused by it.
pub(crate) const HARD_MAX_DEPTH: usize = 128;

/// Bounds on the metadata of one registration or update request.
///
/// Every bound has a default that no real client comes near, chosen with a demanding operator
/// in mind (a few hundred redirect URIs would be a misconfigured client, not a big one). A
/// request past any bound is refused with `400 invalid_client_metadata` (or
/// `invalid_redirect_uri` for `redirect_uris`) and a description naming the member, e.g.
/// `redirect_uris: at most 64 entries`, `client_name: longer than 2048 bytes`.
///
/// Set them with
/// [`RegistrationConfigBuilder::metadata_limits`](crate::RegistrationConfigBuilder::metadata_limits):
///
/// ```
/// use tower_oidc_registration::RegistrationConfig;
/// use tower_oidc_registration::metadata::MetadataLimits;
///
/// let limits = MetadataLimits {
///     max_redirect_uris: 16,
///     ..MetadataLimits::default()
/// };
/// let config = RegistrationConfig::builder("https://iam.example.org/")
///     .metadata_limits(limits)
///     .build()?;
/// # let _ = config;
/// # Ok::<(), tower_oidc_registration::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetadataLimits {
    /// How deeply objects and arrays may nest, the request object being level 1. Default 16:
    /// the deepest registered member, `jwks`, reaches level 5
    /// (`{"jwks": {"keys": [{"x5c": ["…"]}]}}`); 16 leaves room for extension members. At most
    /// 128 (`serde_json`'s own recursion limit) is enforced, whatever this says.
    pub max_depth: usize,
    /// How many members any one object may have, the request object included. Default 256:
    /// the specifications define about 50 members; the rest is room for language-tagged
    /// variants (`client_name#fr`) and extensions.
    pub max_members: usize,
    /// How long any string (and any member name) may be, in bytes, outside `jwks` and
    /// `software_statement`. Default 2048 (2 KiB): names, URIs, contacts and scopes; 2 KiB is
    /// the longest URL that every browser and proxy handles.
    pub max_string_bytes: usize,
    /// How long a string inside `jwks`, and the `software_statement`, may be, in bytes.
    /// Default 16384 (16 KiB): base64 X.509 certificates (`x5c`) and signed JWTs run to
    /// several kilobytes, and a 16384-bit RSA modulus is 2731 characters.
    pub max_key_string_bytes: usize,
    /// How many entries any array may have (`contacts`, `grant_types`, `jwks.keys`, …),
    /// `redirect_uris` apart. Default 64.
    pub max_array_len: usize,
    /// How many redirect URIs a client may register. Default 64: a client with more is
    /// better served by several clients.
    pub max_redirect_uris: usize,
    /// How long each redirect URI may be, in bytes. Default 2048 (2 KiB), as other URIs.
    pub max_redirect_uri_bytes: usize,
    /// How large the whole metadata object may be, as compact JSON, in bytes. Default 65536
    /// (64 KiB), the default body limit: what one client may make the store keep and every
    /// read of it echo.
    pub max_total_bytes: usize,
}

impl Default for MetadataLimits {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_members: 256,
            max_string_bytes: 2048,
            max_key_string_bytes: 16 * 1024,
            max_array_len: 64,
            max_redirect_uris: 64,
            max_redirect_uri_bytes: 2048,
            max_total_bytes: 64 * 1024,
        }
    }
}

impl MetadataLimits {
    /// The first bound that is zero, by name: a zero bound would refuse every request.
    pub(crate) fn zero_bound(&self) -> Option<&'static str> {
        [
            ("max_depth", self.max_depth),
            ("max_members", self.max_members),
            ("max_string_bytes", self.max_string_bytes),
            ("max_key_string_bytes", self.max_key_string_bytes),
            ("max_array_len", self.max_array_len),
            ("max_redirect_uris", self.max_redirect_uris),
            ("max_redirect_uri_bytes", self.max_redirect_uri_bytes),
            ("max_total_bytes", self.max_total_bytes),
        ]
        .into_iter()
        .find(|(_, bound)| *bound == 0)
        .map(|(name, _)| name)
    }
}

/// Checks `request` against `limits`, before it is parsed: the first bound exceeded, in
/// document order, is the error.
///
/// # Errors
///
/// `invalid_redirect_uri` when `redirect_uris` has too many entries or one is too long;
/// `invalid_client_metadata` for any other bound, naming the member (and index) at fault.
pub(crate) fn check_limits(
    request: &Map<String, Value>,
    limits: &MetadataLimits,
) -> Result<(), MetadataError> {
    let mut walk = Walk {
        limits,
        max_depth: limits.max_depth.min(HARD_MAX_DEPTH),
        path: Vec::new(),
        budget: limits.max_total_bytes,
        upper: 0,
    };
    walk.object(request, 1, Zone::Top)?;
    // The walk's running total is a lower bound (no escapes, no number digits) and `upper` an
    // upper bound: only between the two is the exact compact size needed, counted without
    // building it and abandoned once past the limit. An ordinary request is far below both.
    if walk.upper <= limits.max_total_bytes {
        return Ok(());
    }
    let mut counter = ByteCounter {
        count: 0,
        limit: limits.max_total_bytes,
    };
    if serde_json::to_writer(&mut counter, request).is_err() {
        return Err(too_large(limits));
    }
    Ok(())
}

/// Which string bound applies where.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Zone {
    /// The request object itself.
    Top,
    /// Inside an ordinary member.
    Plain,
    /// Inside `jwks` or `software_statement`: key material and JWTs.
    Key,
    /// Inside `redirect_uris`.
    RedirectUris,
}

/// One step of the path to the value being checked, for error descriptions.
enum Segment<'a> {
    Member(&'a str),
    Index(usize),
}

struct Walk<'a, 'l> {
    limits: &'l MetadataLimits,
    max_depth: usize,
    path: Vec<Segment<'a>>,
    /// Bytes left before the document is surely larger than `max_total_bytes`.
    budget: usize,
    /// At least the document's compact size: every string byte as a six-byte `\u00XX`
    /// escape, every number as long as the longest one serde_json writes.
    upper: usize,
}

impl<'a> Walk<'a, '_> {
    /// `where` of an error description: `jwks.keys[0].x5c[2]`, or `body` for the request.
    fn here(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            match segment {
                Segment::Member(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    push_name(&mut out, name);
                }
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        if out.is_empty() {
            out.push_str("body");
        }
        out
    }

    fn error(&self, zone: Zone, what: &str) -> MetadataError {
        let description = format!("{}: {what}", self.here());
        if zone == Zone::RedirectUris {
            MetadataError::redirect_uri(description)
        } else {
            MetadataError::client_metadata(description)
        }
    }

    /// Takes `bytes` from the size budget; they count six times in the upper bound (each
    /// could be written as an escape).
    fn spend(&mut self, bytes: usize) -> Result<(), MetadataError> {
        self.spend_between(bytes, bytes.saturating_mul(6))
    }

    /// Takes at least `least` bytes from the size budget, and adds at most `most` to the upper
    /// bound.
    fn spend_between(&mut self, least: usize, most: usize) -> Result<(), MetadataError> {
        self.upper = self.upper.saturating_add(most);
        match self.budget.checked_sub(least) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(too_large(self.limits)),
        }
    }

    fn string(&mut self, zone: Zone, s: &str) -> Result<(), MetadataError> {
        let limit = match zone {
            Zone::RedirectUris => self.limits.max_redirect_uri_bytes,
            Zone::Key => self.limits.max_key_string_bytes,
            Zone::Top | Zone::Plain => self.limits.max_string_bytes,
        };
        if s.len() > limit {
            return Err(self.error(zone, &format!("longer than {limit} bytes")));
        }
        // Two quotes.
        self.spend(s.len() + 2)
    }

    fn value(&mut self, value: &'a Value, depth: usize, zone: Zone) -> Result<(), MetadataError> {
        match value {
            Value::String(s) => self.string(zone, s),
            Value::Array(items) => self.array(items, depth + 1, zone),
            Value::Object(members) => self.object(members, depth + 1, zone),
            // `null`, `true`, `false`: four or five bytes; a number at least one, at most 24
            // (`-1.2345678901234567e-308`).
            Value::Null | Value::Bool(_) => self.spend_between(4, 5),
            Value::Number(_) => self.spend_between(1, 24),
        }
    }

    fn nest(&self, depth: usize, zone: Zone) -> Result<(), MetadataError> {
        if depth > self.max_depth {
            return Err(self.error(
                zone,
                &format!("nested deeper than {} levels", self.max_depth),
            ));
        }
        Ok(())
    }

    fn array(&mut self, items: &'a [Value], depth: usize, zone: Zone) -> Result<(), MetadataError> {
        self.nest(depth, zone)?;
        // `redirect_uris` itself is at level 2; arrays nested in it are malformed anyway.
        let limit = if zone == Zone::RedirectUris && depth == 2 {
            self.limits.max_redirect_uris
        } else {
            self.limits.max_array_len
        };
        if items.len() > limit {
            return Err(self.error(zone, &format!("at most {limit} entries")));
        }
        // Brackets and commas.
        self.spend(items.len().max(1) + 1)?;
        for (i, item) in items.iter().enumerate() {
            self.path.push(Segment::Index(i));
            self.value(item, depth, zone)?;
            self.path.pop();
        }
        Ok(())
    }

    fn object(
        &mut self,
        members: &'a Map<String, Value>,
        depth: usize,
        zone: Zone,
    ) -> Result<(), MetadataError> {
        self.nest(depth, zone)?;
        if members.len() > self.limits.max_members {
            return Err(self.error(
                zone,
                &format!("more than {} members", self.limits.max_members),
            ));
        }
        self.spend(members.len().max(1) + 1)?;
        for (name, value) in members {
            let inner = match zone {
                Zone::Top => match name.as_str() {
                    "jwks" | "software_statement" => Zone::Key,
                    "redirect_uris" => Zone::RedirectUris,
                    _ => Zone::Plain,
                },
                other => other,
            };
            if name.len() > self.limits.max_string_bytes {
                // The name itself is not echoed: it is what is too long.
                return Err(self.error(
                    zone,
                    &format!(
                        "a member name is longer than {} bytes",
                        self.limits.max_string_bytes
                    ),
                ));
            }
            // The name, its quotes and the colon.
            self.spend(name.len() + 3)?;
            self.path.push(Segment::Member(name));
            self.value(value, depth, inner)?;
            self.path.pop();
        }
        Ok(())
    }
}

/// Member names in a path are the client's text: cut to [`NAME_SHOWN_CHARS`] characters, so
/// that a description stays short (the error type makes it ASCII).
fn push_name(out: &mut String, name: &str) {
    match name.char_indices().nth(NAME_SHOWN_CHARS) {
        Some((cut, _)) => {
            out.push_str(&name[..cut]);
            out.push_str("...");
        }
        None => out.push_str(name),
    }
}

const NAME_SHOWN_CHARS: usize = 64;

fn too_large(limits: &MetadataLimits) -> MetadataError {
    MetadataError::client_metadata(format!(
        "body: metadata larger than {} bytes",
        limits.max_total_bytes
    ))
}

/// Counts what is written, failing once past `limit`, so that serialization stops early.
struct ByteCounter {
    count: usize,
    limit: usize,
}

impl io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.count = self.count.saturating_add(buf.len());
        if self.count > self.limit {
            return Err(io::Error::other("metadata larger than the limit"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
