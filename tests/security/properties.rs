//! Property tests of the registration rules (proptest), through the public pure functions
//! `metadata::parse` + `metadata::validate` (exactly what the layer runs on a request body)
//! and, for what a client gets back, through `Registry::register`.
//!
//! The expected outcome of every case is computed here from how the input was built (a
//! loopback host, a scheme with a dot, a consistent grant/response pair...), never by asking
//! the crate: each property fails if the rule it names is removed or loosened.
//!
//! - redirect URIs (RFC 8252 §7–§8): web clients need https, or http on a
//!   loopback host (127.0.0.0/8, [::1], localhost); native clients may use http only on a
//!   loopback host and private-use schemes only with a dot; a fragment is always refused and
//!   names its index; javascript:, data:, file:, vbscript: are never accepted; a query is kept
//!   byte for byte;
//! - grant and response types (OpenID Connect Registration §2): for any
//!   combination, the registered sets are consistent or the request is refused with
//!   `invalid_client_metadata`, and a consistent request is registered as sent;
//! - language-tagged members (RFC 7591 §2.2): any well-formed BCP 47 tag
//!   round-trips under the same member name; malformed and duplicate tags are refused.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use tower_oidc_registration::Requester;
use tower_oidc_registration::metadata::{
    ClientMetadata, MetadataError, MetadataErrorCode, MetadataRules, parse, validate,
};
use tower_oidc_registration::{RegistrationConfig, Registry};

/// Parses and validates `request` with the default rules, as the layer does.
fn register(request: Value) -> Result<ClientMetadata, MetadataError> {
    let Value::Object(object) = request else {
        panic!("test requests are objects");
    };
    validate(parse(&object)?, &MetadataRules::default())
}

/// The registered metadata as JSON, as it is stored and echoed.
fn echoed(metadata: &ClientMetadata) -> Map<String, Value> {
    match serde_json::to_value(metadata).expect("metadata serializes") {
        Value::Object(object) => object,
        other => panic!("metadata serialized to {other}"),
    }
}

fn application_type(native: bool) -> &'static str {
    if native { "native" } else { "web" }
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// A DNS name that is not `localhost`, with one to three labels.
fn domain() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z][a-z0-9-]{0,10}[a-z0-9]", 1..=3)
        // Punycode labels (`xn--`) must decode, which random ones do not.
        .prop_filter("no punycode", |labels| {
            !labels.iter().any(|l| l.starts_with("xn--"))
        })
        .prop_map(|labels| labels.join("."))
        .prop_filter("not localhost", |d| d != "localhost")
}

/// `localhost` in any ASCII case.
fn localhost() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<bool>(), 9).prop_map(|upper| {
        "localhost"
            .chars()
            .zip(upper)
            .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c })
            .collect()
    })
}

/// A host and whether it is a loopback host (127.0.0.0/8, [::1] in any spelling, an
/// IPv4-mapped loopback address, localhost).
fn host() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        (any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(b, c, d)| (format!("127.{b}.{c}.{d}"), true)),
        prop_oneof![
            Just("[::1]".to_owned()),
            Just("[0:0:0:0:0:0:0:1]".to_owned()),
            Just("[0::1]".to_owned()),
            Just("[::ffff:7f00:1]".to_owned()),
            Just("[::ffff:127.9.8.7]".to_owned()),
        ]
        .prop_map(|h| (h, true)),
        localhost().prop_map(|h| (h, true)),
        // Every other IPv4 address: first octet not 127.
        (
            any::<u8>().prop_filter("not 127/8", |a| *a != 127),
            any::<u8>(),
            any::<u8>(),
            1u8..
        )
            .prop_map(|(a, b, c, d)| (format!("{a}.{b}.{c}.{d}"), false)),
        prop_oneof![
            Just("[::2]".to_owned()),
            Just("[2001:db8::1]".to_owned()),
            Just("[::ffff:a00:1]".to_owned()),
            Just("[fe80::1]".to_owned()),
        ]
        .prop_map(|h| (h, false)),
        domain().prop_map(|h| (h, false)),
        // Names that merely look like loopback.
        domain().prop_map(|d| (format!("localhost.{d}"), false)),
        domain().prop_map(|d| (format!("127.0.0.1.{d}"), false)),
    ]
}

/// An optional `:port`.
fn port() -> impl Strategy<Value = String> {
    prop::option::of(1u16..).prop_map(|p| p.map(|p| format!(":{p}")).unwrap_or_default())
}

/// A path: `/` then segments of unreserved characters and percent-escapes.
fn path() -> impl Strategy<Value = String> {
    prop::collection::vec("([A-Za-z0-9._~-]|%[0-9A-F]{2}){0,8}", 0..4)
        .prop_map(|segments| format!("/{}", segments.join("/")))
}

/// A query (without the `?`) of RFC 3986 query characters, percent-escapes included: what
/// must come back byte for byte.
fn query() -> impl Strategy<Value = String> {
    "([A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2}){0,40}"
}

/// A redirect URI accepted for the application type, by construction: https on any host, http
/// on a loopback host, or (native) a private-use scheme with a dot.
fn accepted_redirect(native: bool) -> BoxedStrategy<String> {
    let https = (domain(), port(), path()).prop_map(|(h, p, path)| format!("https://{h}{p}{path}"));
    let loopback = (host(), port(), path())
        .prop_filter("loopback", |((_, loopback), _, _)| *loopback)
        .prop_map(|((h, _), p, path)| format!("http://{h}{p}{path}"));
    if native {
        let private_use =
            (private_use_scheme(), path()).prop_map(|(scheme, path)| format!("{scheme}:{path}"));
        prop_oneof![https, loopback, private_use].boxed()
    } else {
        prop_oneof![https, loopback].boxed()
    }
}

/// A reverse-domain private-use scheme: two to four dot-separated labels.
fn private_use_scheme() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z][a-z0-9]{0,8}", 2..=4).prop_map(|labels| labels.join("."))
}

/// A scheme without a dot, other than http and https.
fn dotless_scheme() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9+-]{0,12}".prop_filter("not http(s)", |s| s != "http" && s != "https")
}

/// One of the schemes never accepted, in any ASCII case.
fn dangerous_scheme() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["javascript", "data", "file", "vbscript"]),
        prop::collection::vec(any::<bool>(), 10),
    )
        .prop_map(|(scheme, upper)| {
            scheme
                .chars()
                .zip(upper)
                .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c })
                .collect()
        })
}

/// A well-formed BCP 47 language tag (RFC 5646 §2.1): language, then optionally a script, a
/// region, a variant, an extension and a private-use part; or a private-use tag alone. Subtags
/// in any ASCII case, at most 64 characters in all (the crate's documented limit).
fn valid_tag() -> impl Strategy<Value = String> {
    let langtag = (
        "[a-zA-Z]{2,3}|[a-zA-Z]{5,8}",
        prop::option::of("[A-Z][a-z]{3}|[a-z]{4}"),
        prop::option::of("[A-Za-z]{2}|[0-9]{3}"),
        prop::option::of("[a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}"),
        prop::option::of("[a-wyzA-WYZ0-9](-[a-zA-Z0-9]{2,8}){1,2}"),
        prop::option::of("[xX](-[a-zA-Z0-9]{1,8}){1,2}"),
    )
        .prop_map(|(language, script, region, variant, extension, private)| {
            [Some(language), script, region, variant, extension, private]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("-")
        });
    prop_oneof![
        4 => langtag,
        1 => "[xX](-[a-zA-Z0-9]{1,8}){1,3}",
    ]
    .prop_filter("at most 64 characters", |tag| tag.len() <= 64)
}

/// A malformed language tag, by one of several constructions that break RFC 5646's grammar.
fn invalid_tag() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        valid_tag().prop_map(|t| format!("{t}-")),
        valid_tag().prop_map(|t| format!("-{t}")),
        valid_tag().prop_map(|t| t.replacen('-', "--", 1) + "--x"),
        // A subtag longer than eight characters.
        (valid_tag(), "[a-z]{9,12}").prop_map(|(t, long)| format!("{t}-{long}")),
        // A primary language subtag of one letter (other than the x/i prefixes) or of digits.
        "[a-hj-wyz]|[0-9]{2,3}",
        // A character outside ALPHA / DIGIT / "-".
        (
            valid_tag(),
            prop::sample::select(vec!['_', ' ', '!', '/', 'é', '#', '.', '*'])
        )
            .prop_map(|(t, c)| format!("{t}{c}")),
    ]
}

// ---------------------------------------------------------------------------------------------
// Redirect URIs
// ---------------------------------------------------------------------------------------------

proptest! {
    /// VAL-9: a web client's redirect URIs are https, or http on a loopback host.
    ///
    /// Web and native clients: an http redirect URI is accepted exactly when its host
    /// is a loopback host; https on any host is accepted for both application types.
    #[test]
    fn http_redirects_only_on_loopback(
        (host, loopback) in host(),
        port in port(),
        path in path(),
        native in any::<bool>(),
    ) {
        let uri = format!("http://{host}{port}{path}");
        let result = register(json!({
            "application_type": application_type(native),
            "redirect_uris": [uri],
        }));
        if loopback {
            let metadata = result.map_err(|e| TestCaseError::fail(format!("{uri}: {e}")))?;
            prop_assert_eq!(metadata.redirect_uris, Some(vec![uri]));
        } else {
            let error = result.err().ok_or_else(|| TestCaseError::fail(format!("{uri} accepted")))?;
            prop_assert_eq!(error.code(), MetadataErrorCode::InvalidRedirectUri);
            prop_assert!(error.description().starts_with("redirect_uris[0]: "), "{}", error);
        }

        let https = format!("https://{}{port}{path}", if loopback { "rp.example.org" } else { &host });
        prop_assert!(
            register(json!({"application_type": application_type(native), "redirect_uris": [https]})).is_ok(),
            "{} refused", https
        );
    }

    /// VAL-14: a native client's private-use scheme is a reverse domain name.
    ///
    /// A native client's private-use scheme is accepted exactly when it contains a dot
    /// (a reverse domain name, RFC 8252 §7.1); web clients never get a private-use scheme.
    #[test]
    fn private_use_schemes_need_a_dot(
        (scheme, dotted) in prop_oneof![
            private_use_scheme().prop_map(|s| (s, true)),
            dotless_scheme().prop_map(|s| (s, false)),
        ],
        path in path(),
    ) {
        let uri = format!("{scheme}:{path}");
        let native = register(json!({"application_type": "native", "redirect_uris": [uri]}));
        prop_assert_eq!(native.is_ok(), dotted, "native {}: {:?}", uri, native.err());
        let web = register(json!({"application_type": "web", "redirect_uris": [uri]}));
        let error = web.err().ok_or_else(|| TestCaseError::fail(format!("web {uri} accepted")))?;
        prop_assert_eq!(error.code(), MetadataErrorCode::InvalidRedirectUri);
    }

    /// VAL-5: a redirect URI with a fragment is refused.
    ///
    /// A redirect URI with a fragment (even an empty one) is refused, whatever else is
    /// right about it, and the error names its index among otherwise valid URIs.
    #[test]
    fn fragments_always_refused(
        native in any::<bool>(),
        mut uris in prop::collection::vec(accepted_redirect(true), 1..5),
        fragment in "[A-Za-z0-9._~/?=&-]{0,20}",
        at in any::<prop::sample::Index>(),
    ) {
        if !native {
            // Keep only what a web client may use, so that the fragment is the one fault.
            uris.retain(|u| u.starts_with("https://") || u.starts_with("http://"));
            if uris.is_empty() {
                uris.push("https://rp.example.org/cb".to_owned());
            }
        }
        let index = at.index(uris.len());
        let valid = json!({"application_type": application_type(native), "redirect_uris": uris});
        prop_assert!(register(valid.clone()).is_ok(), "{} refused", valid);
        uris[index] = format!("{}#{fragment}", uris[index]);
        let error = register(json!({"application_type": application_type(native), "redirect_uris": uris}))
            .err()
            .ok_or_else(|| TestCaseError::fail(format!("{} accepted", uris[index])))?;
        prop_assert_eq!(error.code(), MetadataErrorCode::InvalidRedirectUri);
        prop_assert_eq!(
            error.description(),
            format!("redirect_uris[{index}]: fragment not allowed")
        );
    }

    /// VAL-15: a redirect URI never uses `javascript:`, `data:`, `file:` or another dangerous
    /// scheme.
    ///
    /// javascript:, data:, file: and vbscript: URIs are never accepted, in any case, for
    /// either application type, whatever follows the scheme; a well-formed one is refused for
    /// its scheme, by name (not merely for lacking a dot or https).
    #[test]
    fn dangerous_schemes_never_accepted(
        scheme in dangerous_scheme(),
        // Starting with an alphanumeric: `scheme://` would make the rest an authority, which
        // may fail to parse (`javascript://a:b`), and the scheme must be what is refused.
        rest in "[A-Za-z0-9][A-Za-z0-9/:;,.()'%=?&+*!~_-]{0,39}",
        anything in "[ -~]{0,40}",
        native in any::<bool>(),
    ) {
        let lower = scheme.to_ascii_lowercase();
        // `file:` URIs need an empty authority to parse; the others take any opaque path.
        let well_formed = if lower == "file" {
            format!("{scheme}:///{rest}")
        } else {
            format!("{scheme}:{rest}")
        };
        let error = register(json!({"application_type": application_type(native), "redirect_uris": [well_formed]}))
            .err()
            .ok_or_else(|| TestCaseError::fail(format!("{well_formed} accepted")))?;
        prop_assert_eq!(error.code(), MetadataErrorCode::InvalidRedirectUri);
        prop_assert_eq!(
            error.description(),
            format!("redirect_uris[0]: scheme '{lower}' not allowed")
        );

        let any_uri = format!("{scheme}:{anything}");
        let error = register(json!({"application_type": application_type(native), "redirect_uris": [any_uri]}))
            .err()
            .ok_or_else(|| TestCaseError::fail(format!("{any_uri} accepted")))?;
        prop_assert_eq!(error.code(), MetadataErrorCode::InvalidRedirectUri);
    }

    /// ECHO-10: `redirect_uris` are never replaced: they are registered and returned byte for byte.
    ///
    /// A query is allowed and the URI is registered exactly as sent, byte for byte (no
    /// normalization of case, escapes or order), for both application types.
    #[test]
    fn query_preserved_byte_for_byte(
        native in any::<bool>(),
        base in accepted_redirect(false),
        query in query(),
    ) {
        let uri = format!("{base}?{query}");
        let metadata = register(json!({"application_type": application_type(native), "redirect_uris": [uri]}))
            .map_err(|e| TestCaseError::fail(format!("{uri}: {e}")))?;
        prop_assert_eq!(&echoed(&metadata)["redirect_uris"], &json!([uri]));
    }
}

// ---------------------------------------------------------------------------------------------
// Grant and response types
// ---------------------------------------------------------------------------------------------

const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "implicit",
    "refresh_token",
    "client_credentials",
    "password",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:device_code",
];

const RESPONSE_TYPES: &[&str] = &[
    "code",
    "id_token",
    "token",
    "code id_token",
    "id_token code",
    "code token",
    "id_token token",
    "token id_token code",
    "none",
];

/// What the default rules allow (`MetadataRules::default`, documented).
const SUPPORTED_GRANTS: &[&str] = &[
    "authorization_code",
    "implicit",
    "refresh_token",
    "client_credentials",
];

fn words(response_type: &str) -> Vec<&str> {
    response_type.split(' ').collect()
}

/// OpenID Connect Registration §2: a response type containing `code` needs the
/// `authorization_code` grant, one containing `id_token` or `token` the `implicit` grant; and
/// a registered grant that uses the authorization endpoint needs a response type for it.
fn consistent(grants: &[&str], responses: &[&str]) -> bool {
    let needs_code = responses.iter().any(|r| words(r).contains(&"code"));
    let needs_implicit = responses
        .iter()
        .any(|r| words(r).iter().any(|w| *w == "token" || *w == "id_token"));
    let has_code = grants.contains(&"authorization_code");
    let has_implicit = grants.contains(&"implicit");
    needs_code == has_code && needs_implicit == has_implicit
}

/// The response type names as the crate echoes them: canonical word order.
fn canonical(response_type: &str) -> String {
    let words = words(response_type);
    ["code", "id_token", "token", "none"]
        .into_iter()
        .filter(|w| words.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

fn unique(values: Vec<&str>, key: impl Fn(&str) -> String) -> Vec<&str> {
    let mut seen = Vec::new();
    values
        .into_iter()
        .filter(|v| {
            let k = key(v);
            let new = !seen.contains(&k);
            seen.push(k);
            new
        })
        .collect()
}

proptest! {
    /// VAL-1: `grant_types` and `response_types` are consistent.
    ///
    /// Grant and response types, for any combination (each member absent or any list of known values): the
    /// request is refused with `invalid_client_metadata`, or registered with sets consistent
    /// per OpenID Connect Registration §2. A request that sends both members, consistent and
    /// within the server's allow-lists, is registered as sent; an inconsistent one is refused.
    #[test]
    fn grant_and_response_types_registered_consistent_or_refused(
        grants in prop::option::of(prop::collection::vec(prop::sample::select(GRANT_TYPES), 0..5)),
        responses in prop::option::of(prop::collection::vec(prop::sample::select(RESPONSE_TYPES), 0..4)),
    ) {
        let mut request = json!({"redirect_uris": ["https://rp.example.org/cb"]});
        if let Some(grants) = &grants {
            request["grant_types"] = json!(grants);
        }
        if let Some(responses) = &responses {
            request["response_types"] = json!(responses);
        }
        match register(request.clone()) {
            Ok(metadata) => {
                let json = echoed(&metadata);
                let registered_grants: Vec<&str> = json["grant_types"]
                    .as_array().expect("grant_types echoed")
                    .iter().map(|v| v.as_str().expect("string")).collect();
                let registered_responses: Vec<&str> = json["response_types"]
                    .as_array().expect("response_types echoed")
                    .iter().map(|v| v.as_str().expect("string")).collect();
                prop_assert!(
                    consistent(&registered_grants, &registered_responses),
                    "{request} registered as {registered_grants:?} / {registered_responses:?}"
                );
                prop_assert!(registered_grants.iter().all(|g| SUPPORTED_GRANTS.contains(g)));
                // What was sent is what is registered (deduplicated, canonical word order).
                if let Some(grants) = &grants {
                    prop_assert_eq!(&registered_grants, &unique(grants.clone(), str::to_owned));
                }
                if let Some(responses) = &responses {
                    let sent: Vec<String> = unique(responses.clone(), canonical)
                        .into_iter().map(canonical).collect();
                    prop_assert_eq!(&registered_responses, &sent);
                }
            }
            Err(error) => {
                prop_assert_eq!(error.code(), MetadataErrorCode::InvalidClientMetadata, "{}", error);
                if let (Some(g), Some(r)) = (&grants, &responses) {
                    let supported = g.iter().all(|g| SUPPORTED_GRANTS.contains(g))
                        && !r.contains(&"none");
                    prop_assert!(
                        !(supported && consistent(g, r)),
                        "consistent, supported {request} refused: {error}"
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Language-tagged members
// ---------------------------------------------------------------------------------------------

const LOCALIZED: &[&str] = &[
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
];

proptest! {
    /// VAL-33: human-readable members take language tags (`client_name#fr`), returned as sent.
    ///
    /// Any well-formed BCP 47 tag on any human-readable member is accepted and echoed
    /// under exactly the name and value sent.
    #[test]
    fn valid_language_tags_round_trip(
        member in prop::sample::select(LOCALIZED),
        tag in valid_tag(),
        text in "[\\p{L}\\p{N}][\\p{L}\\p{N} .,'-]{0,19}",
    ) {
        let name = format!("{member}#{tag}");
        let value = if member == "client_name" {
            text
        } else {
            format!("https://rp.example.org/{}", tag.to_ascii_lowercase())
        };
        let mut request = json!({"redirect_uris": ["https://rp.example.org/cb"]});
        request[&name] = json!(value);
        let metadata = register(request).map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
        let echoed = echoed(&metadata);
        prop_assert_eq!(echoed.get(&name), Some(&json!(value)));
    }

    /// VAL-34: a language tag is a well-formed BCP 47 tag, else `invalid_client_metadata`.
    ///
    /// A malformed tag is refused with `invalid_client_metadata`, naming the member.
    #[test]
    fn invalid_language_tags_refused(
        member in prop::sample::select(LOCALIZED),
        tag in invalid_tag(),
    ) {
        let name = format!("{member}#{tag}");
        let mut request = json!({"redirect_uris": ["https://rp.example.org/cb"]});
        request[&name] = json!("https://rp.example.org/x");
        let error = register(request)
            .err()
            .ok_or_else(|| TestCaseError::fail(format!("{name:?} accepted")))?;
        prop_assert_eq!(error.code(), MetadataErrorCode::InvalidClientMetadata);
        prop_assert!(error.description().starts_with(member), "{}", error);
    }

    /// VAL-35: language tags are compared ignoring case: one member may not carry the same tag
    /// twice.
    ///
    /// BCP 47 tags are case-insensitive, so the same tag twice in different cases is a
    /// duplicate and refused.
    #[test]
    fn duplicate_tags_ignoring_case_refused(
        tag in valid_tag().prop_filter("has letters", |t| t.chars().any(|c| c.is_ascii_alphabetic())),
    ) {
        let upper = tag.to_ascii_uppercase();
        let lower = tag.to_ascii_lowercase();
        let mut request = json!({"redirect_uris": ["https://rp.example.org/cb"]});
        request[format!("client_name#{upper}")] = json!("a");
        request[format!("client_name#{lower}")] = json!("b");
        let error = register(request)
            .err()
            .ok_or_else(|| TestCaseError::fail(format!("{upper} and {lower} both accepted")))?;
        prop_assert_eq!(error.code(), MetadataErrorCode::InvalidClientMetadata);
    }
}

// ---------------------------------------------------------------------------------------------
// End to end: what the client gets back from `Registry::register`
// ---------------------------------------------------------------------------------------------

fn registry() -> Registry {
    let config = RegistrationConfig::builder("https://iam.example.org/")
        .build()
        .expect("valid configuration");
    Registry::new(&config)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// VAL-8: a redirect URI may carry a query, kept as sent.
    ///
    /// Queries and language tags end to end: the registration response carries the redirect URI with its query
    /// byte for byte and the tagged `client_name` under the tag as sent.
    #[test]
    fn registry_echoes_query_and_tag_as_sent(
        base in accepted_redirect(false),
        query in query(),
        tag in valid_tag(),
    ) {
        let uri = format!("{base}?{query}");
        let name = format!("client_name#{tag}");
        let mut request = Map::new();
        request.insert("redirect_uris".into(), json!([uri]));
        request.insert(name.clone(), json!("tagged"));
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let client = runtime
            .block_on(registry().register(Requester::host(), request))
            .map_err(|e| TestCaseError::fail(format!("{uri} {name}: {e}")))?;
        let body: Value = serde_json::from_slice(&client.to_json()).expect("JSON response");
        prop_assert_eq!(&body["redirect_uris"], &json!([uri]));
        prop_assert_eq!(&body[&name], &json!("tagged"));
    }
}
