//! Software statements (RFC 7591 §2.3, §3.1.1): a JWT, signed by an issuer the
//! operator trusts, asserting metadata about the client software.
//!
//! A statement is verified against the keys of its issuer (a JWK Set configured inline, or
//! fetched from the issuer's `jwks_uri` through the configured [`UriFetcher`] and cached by
//! it), each key pinned to one algorithm. Its claims then take precedence over the same
//! members of the request, a human-readable member over all its language-tagged values (a
//! statement asserting `client_name` leaves no `client_name#en` of the request); the statement
//! itself is kept, unmodified, with the registered metadata. An update (RFC 7592 §2.2) that
//! carries a statement is verified the same way; one that carries none drops the previous
//! statement's claims with the rest of the old metadata.
//!
//! It verifies statements and hands their claims to the registry's metadata pipeline; it knows
//! nothing of callers, stores or HTTP.

mod keys;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use jsonwebtoken::decode_header;
use serde_json::{Map, Value};

use crate::fetch::{FetchPurpose, UriFetcher};
use crate::jws::{self, JwsError};
use crate::metadata::{MetadataError, MetadataErrorCode, localized_member_of};
use crate::store::MetadataJson;
use keys::{PinnedKey, Strictness};

/// Tolerated clock skew when checking `exp` and `nbf`, in seconds.
const LEEWAY_SECONDS: u64 = 60;

/// The shortest interval between two fetches of an issuer's key set that bypass the cache, in
/// seconds: a statement naming an unknown `kid` must not make every request a fetch.
const MIN_REFETCH_SECONDS: u64 = 60;

/// Claims that are about the JWT (RFC 7519 §4.1), never about the client: not written over the
/// request, even where the operator declared an extension member of the same name. (The members
/// only the server sets, `client_id` and the like, need no rule here: the metadata rules drop
/// them from whatever source, body or statement.)
const JWT_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// An issuer whose software statements this server accepts, with its keys.
///
/// ```
/// use serde_json::json;
/// use tower_oidc_registration::TrustedIssuer;
///
/// let inline = TrustedIssuer::with_jwks(
///     "https://software.example.org",
///     json!({"keys": [{
///         "kty": "OKP", "crv": "Ed25519", "kid": "2026",
///         "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
///     }]}),
/// );
/// // Fetched through the configured `UriFetcher` (which caches it).
/// let remote = TrustedIssuer::with_jwks_uri(
///     "https://federation.example.net",
///     "https://federation.example.net/jwks.json",
/// );
/// # let _ = (inline, remote);
/// ```
#[derive(Debug, Clone)]
pub struct TrustedIssuer {
    issuer: String,
    keys: IssuerKeys,
}

#[derive(Debug, Clone)]
enum IssuerKeys {
    Inline(Value),
    Uri(String),
}

impl TrustedIssuer {
    /// Statements whose `iss` is `issuer`, verified with the keys of `jwks`, a JWK Set
    /// (`{"keys": [...]}`) of public RSA, P-256, P-384 or Ed25519 keys. A key verifies only
    /// its `alg` (RS256, ES256, ES384, EdDSA when absent, after its type); a statement's `kid`
    /// header, when present, selects the key.
    pub fn with_jwks(issuer: impl Into<String>, jwks: Value) -> Self {
        Self {
            issuer: issuer.into(),
            keys: IssuerKeys::Inline(jwks),
        }
    }

    /// Statements whose `iss` is `issuer`, verified with the JWK Set at `jwks_uri` (https),
    /// fetched through the configured [`UriFetcher`], which must then be set. Keys of other
    /// uses or unsupported types in that set are skipped. A statement whose `kid` the cached
    /// set lacks (the issuer rotated its keys) makes the set fetched anew, at most once a
    /// minute.
    pub fn with_jwks_uri(issuer: impl Into<String>, jwks_uri: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            keys: IssuerKeys::Uri(jwks_uri.into()),
        }
    }

    /// The `iss` value of this issuer's statements.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
}

/// When a registration must carry a software statement. Whatever the setting,
/// a statement that is present is verified; the host application's own calls through
/// [`Registry`](crate::Registry) are never required to carry one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SoftwareStatementRequirement {
    /// A statement is optional. The default.
    #[default]
    Optional,
    /// Every registration and every update by a client must carry one.
    Always,
    /// Registrations without credentials (open registration, no initial access token) must
    /// carry one, and so must the updates of clients registered that way.
    ForAnonymous,
}

/// The keys of a trusted issuer, ready to verify.
#[derive(Debug)]
enum ResolvedKeys {
    Inline(Vec<PinnedKey>),
    Uri(String),
}

/// The software statement rules of one configuration.
#[derive(Debug)]
pub(crate) struct SoftwareStatements {
    issuers: HashMap<String, ResolvedKeys>,
    requirement: SoftwareStatementRequirement,
    fetcher: Option<Arc<dyn UriFetcher>>,
    /// When each `jwks_uri` was last fetched bypassing the cache, by the configured clock.
    refetched: Mutex<HashMap<String, u64>>,
}

fn invalid(description: impl std::fmt::Display) -> MetadataError {
    MetadataError::new(
        MetadataErrorCode::InvalidSoftwareStatement,
        format!("software_statement: {description}"),
    )
}

impl SoftwareStatements {
    /// Checks the configured issuers: inline key sets usable, a fetcher for `jwks_uri` ones.
    pub(crate) fn new(
        issuers: Vec<TrustedIssuer>,
        requirement: SoftwareStatementRequirement,
        fetcher: Option<Arc<dyn UriFetcher>>,
    ) -> Result<Self, String> {
        let mut resolved = HashMap::with_capacity(issuers.len());
        for TrustedIssuer { issuer, keys } in issuers {
            if issuer.is_empty() {
                return Err("an issuer must not be empty".into());
            }
            let keys = match keys {
                IssuerKeys::Inline(jwks) => ResolvedKeys::Inline(
                    keys::signature_keys(&jwks, Strictness::Configured)
                        .map_err(|e| format!("{issuer:?}: jwks: {e}"))?,
                ),
                IssuerKeys::Uri(_) if fetcher.is_none() => {
                    return Err(format!(
                        "{issuer:?}: its keys are at a jwks_uri, but no uri_fetcher is configured"
                    ));
                }
                IssuerKeys::Uri(uri) if !uri.starts_with("https://") => {
                    return Err(format!("{issuer:?}: jwks_uri must be an https URL"));
                }
                IssuerKeys::Uri(uri) => ResolvedKeys::Uri(uri),
            };
            if resolved.insert(issuer.clone(), keys).is_some() {
                return Err(format!("{issuer:?}: configured twice"));
            }
        }
        Ok(Self {
            issuers: resolved,
            requirement,
            fetcher,
            refetched: Mutex::default(),
        })
    }

    /// Whether a caller of this kind must present a statement.
    pub(crate) fn required_for(&self, caller: &crate::Caller) -> bool {
        use crate::Caller;
        match self.requirement {
            SoftwareStatementRequirement::Optional => false,
            SoftwareStatementRequirement::Always => *caller != Caller::Host,
            SoftwareStatementRequirement::ForAnonymous => *caller == Caller::Anonymous,
        }
    }

    /// Verifies the request's `software_statement` (absent or `null`: none) and writes its
    /// claims over the request's members; a human-readable member it asserts (`client_name`,
    /// `logo_uri#fr`, ...) loses every value the request gave it, under any language tag.
    /// Returns the statement, to be registered as is.
    pub(crate) async fn apply(
        &self,
        request: &mut Map<String, Value>,
        required: bool,
        now: u64,
    ) -> Result<Option<String>, MetadataError> {
        let statement = match request.remove("software_statement") {
            None | Some(Value::Null) if required => {
                return Err(invalid(
                    "required by this server: a software statement signed by a trusted issuer",
                ));
            }
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(statement)) => statement,
            Some(_) => return Err(invalid("must be a string (a signed JWT)")),
        };
        let claims: Vec<(String, Value)> = self
            .verify(&statement, now)
            .await?
            .into_iter()
            .filter(|(name, _)| !JWT_CLAIMS.contains(&name.as_str()))
            .collect();
        // A human-readable member the statement asserts, under a language tag or none, is the
        // statement's alone: a value the body gives it under another tag would sit beside the
        // vetted one, and a consent screen preferring the user's language would show it.
        let owned: Vec<&str> = claims
            .iter()
            .filter_map(|(name, _)| localized_member_of(name))
            .collect();
        if !owned.is_empty() {
            request.retain(|name, _| localized_member_of(name).is_none_or(|m| !owned.contains(&m)));
        }
        request.extend(claims);
        Ok(Some(statement))
    }

    /// The claims of `statement` once its issuer is trusted, its signature verified with one
    /// of the issuer's keys, and its `exp` and `nbf` (when present) hold at `now`.
    async fn verify(&self, statement: &str, now: u64) -> Result<Map<String, Value>, MetadataError> {
        // `decode_header` refuses `alg: none` (not an algorithm it knows) and anything that is
        // not three dot-separated parts (of more, its header part would hold a dot, which no
        // base64url has). The claims are read unverified only to find the issuer, whose keys
        // then verify everything.
        let Ok(header) = decode_header(statement) else {
            return Err(invalid("not a signed JWT (alg none is refused)"));
        };
        let claims: Map<String, Value> = jsonwebtoken::dangerous::insecure_decode_claims(statement)
            .map_err(|_| invalid("claims are not a JSON object"))?;
        let issuer = match claims.get("iss") {
            Some(Value::String(iss)) if !iss.is_empty() => iss,
            _ => return Err(invalid("no 'iss' claim")),
        };
        let Some(keys) = self.issuers.get(issuer) else {
            return Err(MetadataError::new(
                MetadataErrorCode::UnapprovedSoftwareStatement,
                "software_statement: its issuer is not trusted by this server",
            ));
        };
        let fetched;
        let keys: &[PinnedKey] = match keys {
            ResolvedKeys::Inline(keys) => keys,
            ResolvedKeys::Uri(uri) => {
                let mut keys = self.fetch_keys(uri, false).await?;
                // A `kid` the cached set lacks: the issuer may have rotated its keys.
                let kid_unknown = header
                    .kid
                    .as_ref()
                    .is_some_and(|kid| !keys.iter().any(|key| key.kid.as_ref() == Some(kid)));
                if kid_unknown && self.may_refetch(uri, now) {
                    keys = self.fetch_keys(uri, true).await?;
                }
                fetched = keys;
                &fetched
            }
        };
        let candidates = keys.iter().filter(|key| {
            key.algorithm == header.alg
                && header
                    .kid
                    .as_ref()
                    .is_none_or(|kid| key.kid.as_ref() == Some(kid))
        });
        let mut tried = false;
        for key in candidates {
            tried = true;
            // `exp` and `nbf` are checked after the signature, against the configured clock.
            match jws::verify::<Map<String, Value>>(statement, header.alg, &key.key) {
                Ok(claims) => return check_lifetime(claims, now),
                Err(JwsError::Signature) => continue,
                Err(_) => return Err(invalid("not a valid signed JWT")),
            }
        }
        if tried {
            Err(invalid("signature does not verify with its issuer's keys"))
        } else {
            Err(invalid(format!(
                "its issuer has no key for alg {:?}{}",
                header.alg,
                if header.kid.is_some() {
                    " with its 'kid'"
                } else {
                    ""
                }
            )))
        }
    }

    /// Whether the key set at `uri` may be fetched bypassing the cache at `now` (and if so,
    /// records that it is).
    fn may_refetch(&self, uri: &str, now: u64) -> bool {
        let mut refetched = self
            .refetched
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match refetched.get(uri) {
            Some(last) if now.saturating_sub(*last) < MIN_REFETCH_SECONDS => false,
            _ => {
                refetched.insert(uri.to_owned(), now);
                true
            }
        }
    }

    async fn fetch_keys(&self, uri: &str, fresh: bool) -> Result<Vec<PinnedKey>, MetadataError> {
        let Some(fetcher) = &self.fetcher else {
            // `new` refuses a jwks_uri issuer without a fetcher.
            return Err(invalid("its issuer's keys cannot be fetched"));
        };
        // Configured by the operator: cached, and fetched within the operator's budget, which
        // the documents clients name cannot exhaust.
        let purpose = FetchPurpose::OperatorConfigured;
        let fetched = if fresh {
            fetcher.refetch_json(uri, purpose).await
        } else {
            fetcher.fetch_json(uri, purpose).await
        };
        let jwks = fetched.map_err(|error| {
            // Why is for the operator only, as for the documents clients name: a client that
            // learns that the issuer's host refused a connection or timed out learns about
            // this server's network.
            tracing::debug!(jwks_uri = %uri, ?error, "software_statement: the issuer's keys could not be fetched");
            invalid("its issuer's keys could not be fetched")
        })?;
        keys::signature_keys(&jwks, Strictness::Fetched)
            .map_err(|e| invalid(format!("its issuer's jwks_uri: {e}")))
    }
}

/// `metadata` with the statement it was registered with, as the last member, so that every
/// response echoes it unmodified (RFC 7591 §3.2.1).
pub(crate) fn registered_with(
    metadata: &MetadataJson,
    statement: &str,
) -> Result<MetadataJson, MetadataError> {
    let member = serde_json::to_string(statement)
        .map(|quoted| format!("\"software_statement\":{quoted}}}"))
        .map_err(invalid)?;
    let json = match metadata.as_str().strip_suffix('}') {
        Some("{") => format!("{{{member}"),
        Some(members) => format!("{members},{member}"),
        None => return Err(invalid("registered metadata is not a JSON object")),
    };
    MetadataJson::from_stored(json)
}

/// The claims of a verified statement if its `exp` and `nbf` (each optional, RFC 7519 §4.1.4,
/// §4.1.5) hold at `now`, with [`LEEWAY_SECONDS`] for the clocks of issuer and server.
fn check_lifetime(
    claims: Map<String, Value>,
    now: u64,
) -> Result<Map<String, Value>, MetadataError> {
    let time = |claim: &str| -> Result<Option<u64>, MetadataError> {
        match claims.get(claim) {
            None => Ok(None),
            Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
                (Some(t), _) => Ok(Some(t)),
                // NumericDate may carry a fraction (RFC 7519 §2).
                (None, Some(t)) if t.is_finite() && t >= 0.0 => Ok(Some(t as u64)),
                _ => Err(invalid(format!("'{claim}' must be a number"))),
            },
            Some(_) => Err(invalid(format!("'{claim}' must be a number"))),
        }
    };
    if time("exp")?.is_some_and(|exp| exp.saturating_add(LEEWAY_SECONDS) < now) {
        return Err(invalid("expired ('exp' is past)"));
    }
    if time("nbf")?.is_some_and(|nbf| nbf > now.saturating_add(LEEWAY_SECONDS)) {
        return Err(invalid("not yet valid ('nbf' is in the future)"));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests;
