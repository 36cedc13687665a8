use super::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

fn request(statement: Value) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("software_statement".into(), statement);
    map
}

fn jwt(header: Value, claims: Value) -> String {
    let enc = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.c2ln", enc(header), enc(claims))
}

fn untrusting() -> SoftwareStatements {
    SoftwareStatements::new(Vec::new(), SoftwareStatementRequirement::Optional, None)
        .expect("no issuers")
}

async fn code(statement: Value) -> MetadataErrorCode {
    untrusting()
        .apply(&mut request(statement), false, 0)
        .await
        .expect_err("refused")
        .code()
}

/// SS-8: the server may require a software statement.
#[tokio::test]
async fn absent_or_null_statement_is_fine_unless_required() {
    let statements = untrusting();
    assert_eq!(statements.apply(&mut Map::new(), false, 0).await, Ok(None));
    assert_eq!(
        statements.apply(&mut request(Value::Null), false, 0).await,
        Ok(None)
    );
    let err = statements
        .apply(&mut Map::new(), true, 0)
        .await
        .expect_err("required");
    assert_eq!(err.code(), MetadataErrorCode::InvalidSoftwareStatement);
}

/// SS-1: a software statement is a JWT whose signature verifies with a key of a trusted issuer.
#[tokio::test]
async fn malformed_unsigned_or_issuerless_statement_is_invalid() {
    let cases = [
        json!(5),
        json!("not-a-jwt"),
        json!(jwt(json!({"alg": "none"}), json!({"iss": "https://a"}))),
        json!(jwt(json!({"alg": "RS256"}), json!({"software_id": "x"}))),
        json!(jwt(json!({"alg": "RS256"}), json!({"iss": ""}))),
        // Not three parts, around a well-formed header and claims naming an issuer: refused
        // as malformed, before the issuer is looked up (which would say "unapproved").
        json!(format!(
            "{}.extra",
            jwt(json!({"alg": "RS256"}), json!({"iss": "https://a"}))
        )),
        json!(format!(
            "extra.{}",
            jwt(json!({"alg": "RS256"}), json!({"iss": "https://a"}))
        )),
        json!(
            jwt(json!({"alg": "RS256"}), json!({"iss": "https://a"}))
                .rsplit_once('.')
                .map(|(unsigned, _)| unsigned.to_owned())
        ),
    ];
    for case in cases {
        assert_eq!(
            code(case.clone()).await,
            MetadataErrorCode::InvalidSoftwareStatement,
            "{case}"
        );
    }
}

/// SS-4: a statement from an issuer the server does not trust is `unapproved_software_statement`.
#[tokio::test]
async fn statement_from_an_untrusted_issuer_is_unapproved() {
    let statement = jwt(
        json!({"alg": "RS256"}),
        json!({"iss": "https://issuer.example"}),
    );
    assert_eq!(
        code(json!(statement)).await,
        MetadataErrorCode::UnapprovedSoftwareStatement
    );
}

/// SS-6: the statement is returned unmodified, its claims as top-level metadata.
#[test]
fn statement_is_kept_unmodified_as_the_last_member() {
    let statement = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln";
    let metadata = MetadataJson::from_stored(r#"{"client_name":"t"}"#.into()).expect("json");
    let with = registered_with(&metadata, statement).expect("spliced");
    assert_eq!(
        with.as_str(),
        format!(r#"{{"client_name":"t","software_statement":"{statement}"}}"#)
    );
    let empty = MetadataJson::from_stored("{}".into()).expect("json");
    let with = registered_with(&empty, statement).expect("spliced");
    assert_eq!(
        with.as_str(),
        format!(r#"{{"software_statement":"{statement}"}}"#)
    );
}

/// SS-10: an issuer's keys are configured inline or fetched from its https `jwks_uri`, and cached.
#[test]
fn issuers_are_checked_at_configuration() {
    let new = |issuer| {
        SoftwareStatements::new(vec![issuer], SoftwareStatementRequirement::Optional, None)
    };
    let err = new(TrustedIssuer::with_jwks_uri("https://i", "https://i/jwks")).unwrap_err();
    assert!(err.contains("no uri_fetcher"), "{err}");
    let err = new(TrustedIssuer::with_jwks("https://i", json!({"keys": []}))).unwrap_err();
    assert!(err.contains("no key usable"), "{err}");
}

#[test]
fn a_trusted_issuer_names_its_issuer() {
    let issuer = TrustedIssuer::with_jwks_uri("https://software.example.org", "https://s/jwks");
    assert_eq!(issuer.issuer(), "https://software.example.org");
}

/// SS-8: the server may require a software statement.
#[test]
fn requirement_by_caller() {
    use crate::Caller;
    let with =
        |requirement| SoftwareStatements::new(Vec::new(), requirement, None).expect("statements");
    let anonymous_only = with(SoftwareStatementRequirement::ForAnonymous);
    assert!(anonymous_only.required_for(&Caller::Anonymous));
    assert!(!anonymous_only.required_for(&Caller::InitialAccessToken { id: "t".into() }));
    assert!(!anonymous_only.required_for(&Caller::Host));
    let always = with(SoftwareStatementRequirement::Always);
    assert!(always.required_for(&Caller::InitialAccessToken { id: "t".into() }));
    assert!(always.required_for(&Caller::RegisteredClient));
    assert!(!always.required_for(&Caller::Host));
    assert!(!with(SoftwareStatementRequirement::Optional).required_for(&Caller::Anonymous));
}

fn claims(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("an object"),
    }
}

/// SS-3: a statement without `iss`, expired or not yet valid is `invalid_software_statement`.
#[test]
fn exp_holds_until_the_leeway_is_spent() {
    let now = 1_800_000_000;
    let at = |exp: u64| check_lifetime(claims(json!({ "exp": exp })), now);
    // One minute of leeway for the clocks of issuer and server.
    assert!(at(now - 60).is_ok(), "the last second of the leeway");
    let err = at(now - 61).expect_err("one second past the leeway");
    assert_eq!(
        err.description(),
        "software_statement: expired ('exp' is past)"
    );
    assert!(at(now + 3600).is_ok());
}

/// SS-3: a statement without `iss`, expired or not yet valid is `invalid_software_statement`.
#[test]
fn nbf_holds_from_the_leeway_before_it() {
    let now = 1_800_000_000;
    let at = |nbf: u64| check_lifetime(claims(json!({ "nbf": nbf })), now);
    assert!(at(now + 60).is_ok(), "the first second of the leeway");
    let err = at(now + 61).expect_err("one second before the leeway");
    assert_eq!(
        err.description(),
        "software_statement: not yet valid ('nbf' is in the future)"
    );
}

/// SS-3: a statement without `iss`, expired or not yet valid is `invalid_software_statement`.
#[test]
fn lifetime_claims_must_be_numbers() {
    for bad in [
        json!({"exp": "soon"}),
        json!({"nbf": -1}),
        json!({"exp": null}),
    ] {
        let err = check_lifetime(claims(bad.clone()), 0).expect_err("not a number");
        assert!(
            err.description().contains("must be a number"),
            "{bad}: {err}"
        );
    }
    assert!(check_lifetime(claims(json!({"exp": 1_800_000_000.5})), 1_800_000_000).is_ok());
}
