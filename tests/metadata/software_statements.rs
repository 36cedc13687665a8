//! Software statements (RFC 7591 §2.3, §3.1.1) over HTTP, signed with keys the
//! tests generate (Ed25519 and P-256; RSA from tests/keys/rsa-pkcs1.pem, as generating RSA
//! keys in an unoptimised build is slow): verified statements' claims override the body and
//! are echoed unmodified; unsigned, badly signed, issuer-less, untrusted and expired ones are
//! refused; the requirement to present one; an issuer whose keys are fetched from its
//! `jwks_uri` (once, then cached); statements on update.

use crate::common;

use crate::common::host::{Host, object, post_request};
use crate::common::{REDIRECT, TestClock, assert_rfc_error, now};
use crate::https_server::{Route, TestServer};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::StatusCode;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tower_oidc_registration::Requester;
use tower_oidc_registration::metadata::{ExtensionMember, ExtensionType};
use tower_oidc_registration::{
    ConfigError, RegistrationConfig, RegistrationConfigBuilder, SoftwareStatementRequirement,
    TrustedIssuer,
};

const ISSUER: &str = "https://software.example.org";
const IAT: &str = "initial-access-token-for-statement-tests";

/// A private key the tests sign with, and its public JWK.
struct Signer {
    kid: &'static str,
    algorithm: Algorithm,
    key: EncodingKey,
    jwk: Value,
}

fn random32() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("OS RNG");
    bytes
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn ed25519(kid: &'static str) -> Signer {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let key = ed25519_dalek::SigningKey::from_bytes(&random32());
    let pkcs8 = key.to_pkcs8_der().expect("PKCS#8");
    Signer {
        kid,
        algorithm: Algorithm::EdDSA,
        key: EncodingKey::from_ed_der(pkcs8.as_bytes()),
        jwk: json!({
            "kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig",
            "x": b64(key.verifying_key().as_bytes()),
        }),
    }
}

fn p256(kid: &'static str) -> Signer {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::pkcs8::EncodePrivateKey;
    let key = p256::SecretKey::from_slice(&random32()).expect("P-256 scalar");
    let pkcs8 = key.to_pkcs8_der().expect("PKCS#8");
    let point = key.public_key().to_encoded_point(false);
    Signer {
        kid,
        algorithm: Algorithm::ES256,
        key: EncodingKey::from_ec_der(pkcs8.as_bytes()),
        jwk: json!({
            "kty": "EC", "crv": "P-256", "kid": kid,
            "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y")),
        }),
    }
}

fn rsa(kid: &'static str) -> Signer {
    use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
    use rsa::traits::PublicKeyParts;
    let pem = include_str!("../keys/rsa-pkcs1.pem");
    let key = rsa::RsaPrivateKey::from_pkcs1_pem(pem).expect("RSA key");
    Signer {
        kid,
        algorithm: Algorithm::RS256,
        key: EncodingKey::from_rsa_der(key.to_pkcs1_der().expect("PKCS#1").as_bytes()),
        jwk: json!({
            "kty": "RSA", "kid": kid, "alg": "RS256",
            "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be()),
        }),
    }
}

impl Signer {
    fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.algorithm);
        header.kid = Some(self.kid.to_owned());
        jsonwebtoken::encode(&header, claims, &self.key).expect("sign")
    }
}

fn jwks(signers: &[&Signer]) -> Value {
    json!({"keys": signers.iter().map(|s| s.jwk.clone()).collect::<Vec<_>>()})
}

/// Claims from [`ISSUER`] valid for ten minutes, asserting a name and a redirect URI.
fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "exp": now() + 600,
        "iat": now(),
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "software_version": "2.1",
        "client_name": "Example Statement-based Client",
        "redirect_uris": ["https://client.example.net/callback"],
    })
}

/// A body that contradicts the statement's claims.
fn body_with(statement: &str) -> Value {
    json!({
        "redirect_uris": [REDIRECT],
        "client_name": "from the body",
        "client_uri": "https://client.example.net/",
        "software_statement": statement,
    })
}

fn host_trusting(
    keys: Value,
    f: impl FnOnce(RegistrationConfigBuilder) -> RegistrationConfigBuilder,
) -> Host {
    Host::new(|b| {
        f(
            b.trusted_software_statement_issuer(TrustedIssuer::with_jwks(ISSUER, keys))
                .initial_access_token(IAT),
        )
    })
}

#[track_caller]
fn assert_invalid_statement(resp: &common::Resp, needle: &str) {
    let body = assert_rfc_error(resp, "invalid_software_statement");
    common::assert_description_mentions(&body, needle);
}

/// SS-5: the statement's claims take precedence over the same members of the request.
/// SS-6: the statement is returned unmodified, its claims as top-level metadata.
/// SS-7: a statement's JWT claims and server-set members are not registered as metadata.
#[tokio::test]
async fn claims_override_the_body_and_the_statement_is_echoed_unmodified() {
    let signers = [ed25519("ed"), p256("ec"), rsa("rsa")];
    let host = host_trusting(jwks(&signers.iter().collect::<Vec<_>>()), |b| b);
    for signer in &signers {
        let statement = signer.sign(&claims());
        let client = host.register(None, &body_with(&statement)).await;
        for resp in [
            client.body.clone(),
            host.get(&client.id, &client.token).await.json(),
        ] {
            assert_eq!(resp["software_statement"], json!(statement), "{resp}");
            assert_eq!(resp["client_name"], "Example Statement-based Client");
            assert_eq!(
                resp["redirect_uris"],
                json!(["https://client.example.net/callback"])
            );
            assert_eq!(resp["software_id"], "4NRB1-0XZABZI9E6-5SM3R");
            assert_eq!(resp["software_version"], "2.1");
            // Members the statement does not assert come from the body.
            assert_eq!(resp["client_uri"], "https://client.example.net/");
            // The JWT's own claims are not metadata.
            for claim in ["iss", "exp", "iat"] {
                assert!(resp.get(claim).is_none(), "{claim} registered: {resp}");
            }
        }
    }
}

/// SS-5: the statement's claims take precedence over the same members of the request: a
/// claim for a human-readable member replaces the body's value of that member under every
/// language tag, so that a consent screen preferring a localized name or logo never shows the
/// body's beside the vetted one; the statement's own tagged claims are registered.
#[tokio::test]
async fn statement_claims_replace_every_language_tagged_variant_in_the_body() {
    let signer = ed25519("ed");
    let host = host_trusting(jwks(&[&signer]), |b| b);
    let mut vetted = claims();
    vetted["logo_uri"] = json!("https://client.example.net/logo.png");
    vetted["client_name#de"] = json!("Beispiel-Client");
    let mut body = body_with(&signer.sign(&vetted));
    body["client_name#en"] = json!("Evil Corp");
    body["client_name#fr-CA"] = json!("Evil Corp");
    body["logo_uri#en"] = json!("https://evil.example/logo.png");
    // A member the statement does not assert keeps the body's variants.
    body["tos_uri#en"] = json!("https://client.example.net/tos");
    let client = host.register(None, &body).await;
    for resp in [
        client.body.clone(),
        host.get(&client.id, &client.token).await.json(),
    ] {
        for member in ["client_name#en", "client_name#fr-CA", "logo_uri#en"] {
            assert!(resp.get(member).is_none(), "{member} kept: {resp}");
        }
        assert_eq!(
            resp["client_name"], "Example Statement-based Client",
            "{resp}"
        );
        assert_eq!(resp["client_name#de"], "Beispiel-Client", "{resp}");
        assert_eq!(resp["logo_uri"], "https://client.example.net/logo.png");
        assert_eq!(resp["tos_uri#en"], "https://client.example.net/tos");
    }

    // The body's value under one of the statement's tags in another case is replaced too, not
    // refused as a duplicate tag.
    body["client_name#DE"] = json!("Evil Corp");
    let registered = host.register(None, &body).await.body;
    assert!(registered.get("client_name#DE").is_none(), "{registered}");
    assert_eq!(
        registered["client_name#de"], "Beispiel-Client",
        "{registered}"
    );

    // A statement asserting a member under a tag only owns that member all the same: the
    // body's untagged and otherwise tagged values of it are dropped.
    let mut tagged_only = claims();
    tagged_only
        .as_object_mut()
        .expect("object")
        .remove("client_name");
    tagged_only["client_name#en"] = json!("Example Client");
    let mut body = body_with(&signer.sign(&tagged_only));
    body["client_name#fr"] = json!("Evil Corp");
    let registered = host.register(None, &body).await.body;
    assert!(registered.get("client_name").is_none(), "{registered}");
    assert!(registered.get("client_name#fr").is_none(), "{registered}");
    assert_eq!(
        registered["client_name#en"], "Example Client",
        "{registered}"
    );
}

/// SS-1: a software statement is a JWT whose signature verifies with a key of a trusted issuer.
/// SS-2: each issuer key verifies only the one algorithm it is pinned to.
#[tokio::test]
async fn unsigned_statement_is_invalid() {
    let host = host_trusting(jwks(&[&ed25519("ed")]), |b| b);
    let unsigned = format!(
        "{}.{}.",
        b64(br#"{"alg":"none"}"#),
        b64(claims().to_string().as_bytes())
    );
    let resp = host.post(None, &body_with(&unsigned)).await;
    assert_invalid_statement(&resp, "software_statement: not a signed JWT");
    // Nor can an HMAC over a public key stand in for a signature (algorithm confusion).
    let signer = ed25519("ed");
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("ed".into());
    let x = signer.jwk["x"].as_str().expect("x").to_owned();
    let forged = jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(x.as_bytes()))
        .expect("sign");
    let host = host_trusting(jwks(&[&signer]), |b| b);
    let resp = host.post(None, &body_with(&forged)).await;
    assert_invalid_statement(&resp, "its issuer has no key for alg HS256");
}

/// SS-1: a software statement is a JWT whose signature verifies with a key of a trusted issuer.
#[tokio::test]
async fn badly_signed_statement_is_invalid() {
    let trusted = ed25519("ed");
    let host = host_trusting(jwks(&[&trusted]), |b| b);
    // Another key under the trusted key's id.
    let impostor = ed25519("ed");
    let resp = host.post(None, &body_with(&impostor.sign(&claims()))).await;
    assert_invalid_statement(&resp, "signature does not verify");
    // The trusted key's signature over other claims.
    let genuine = trusted.sign(&claims());
    let mut parts: Vec<&str> = genuine.split('.').collect();
    let mut tampered_claims = claims();
    tampered_claims["client_name"] = json!("tampered");
    let tampered_payload = b64(tampered_claims.to_string().as_bytes());
    parts[1] = &tampered_payload;
    let resp = host.post(None, &body_with(&parts.join("."))).await;
    assert_invalid_statement(&resp, "signature does not verify");
    // The genuine one is fine.
    host.register(None, &body_with(&genuine)).await;
}

/// SS-3: a statement without `iss`, expired or not yet valid is `invalid_software_statement`.
#[tokio::test]
async fn statement_without_iss_is_invalid() {
    let signer = p256("ec");
    let host = host_trusting(jwks(&[&signer]), |b| b);
    let mut no_iss = claims();
    no_iss.as_object_mut().expect("object").remove("iss");
    let resp = host.post(None, &body_with(&signer.sign(&no_iss))).await;
    assert_invalid_statement(&resp, "software_statement: no 'iss' claim");
}

/// SS-4: a statement from an issuer the server does not trust is `unapproved_software_statement`.
#[tokio::test]
async fn statement_from_an_untrusted_issuer_is_unapproved() {
    let signer = ed25519("ed");
    let host = host_trusting(jwks(&[&signer]), |b| b);
    let mut foreign = claims();
    foreign["iss"] = json!("https://elsewhere.example.com");
    let resp = host.post(None, &body_with(&signer.sign(&foreign))).await;
    let body = assert_rfc_error(&resp, "unapproved_software_statement");
    common::assert_description_mentions(&body, "not trusted");
}

/// SS-3: a statement without `iss`, expired or not yet valid is `invalid_software_statement`.
#[tokio::test]
async fn expired_statement_is_invalid_and_exp_is_optional() {
    let signer = ed25519("ed");
    let host = host_trusting(jwks(&[&signer]), |b| b);
    let mut expired = claims();
    expired["exp"] = json!(now() - 3600);
    let resp = host.post(None, &body_with(&signer.sign(&expired))).await;
    assert_invalid_statement(&resp, "software_statement: expired");
    let mut immature = claims();
    immature["nbf"] = json!(now() + 3600);
    let resp = host.post(None, &body_with(&signer.sign(&immature))).await;
    assert_invalid_statement(&resp, "software_statement: not yet valid");
    let mut timeless = claims();
    timeless.as_object_mut().expect("object").remove("exp");
    host.register(None, &body_with(&signer.sign(&timeless)))
        .await;
}

/// SS-8: the server may require a software statement.
#[tokio::test]
async fn required_statement_must_be_present() {
    let signer = ed25519("ed");
    let statement = signer.sign(&claims());
    let plain = json!({"redirect_uris": [REDIRECT]});

    let always = host_trusting(jwks(&[&signer]), |b| {
        b.require_software_statement(SoftwareStatementRequirement::Always)
    });
    for iat in [None, Some(IAT)] {
        let resp = always.post(iat, &plain).await;
        assert_invalid_statement(&resp, "software_statement: required by this server");
        always.register(iat, &body_with(&statement)).await;
    }
    // The host application itself is trusted.
    always
        .registry
        .register(Requester::host(), object(plain.clone()))
        .await
        .expect("host registration");

    let anonymous_only = host_trusting(jwks(&[&signer]), |b| {
        b.require_software_statement(SoftwareStatementRequirement::ForAnonymous)
    });
    let resp = anonymous_only.post(None, &plain).await;
    assert_invalid_statement(&resp, "software_statement: required by this server");
    anonymous_only.register(None, &body_with(&statement)).await;
    anonymous_only.register(Some(IAT), &plain).await;
}

/// SS-10: an issuer's keys are configured inline or fetched from its https `jwks_uri`, and cached.
#[tokio::test]
async fn jwks_uri_issuer_keys_are_fetched_through_the_fetcher_and_cached() {
    let signer = p256("ec");
    let server = TestServer::start([(
        "/jwks.json",
        Route::raw(
            200,
            Some("application/jwk-set+json"),
            // An encryption key the issuer also publishes is skipped.
            json!({"keys": [
                {"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"},
                signer.jwk.clone(),
            ]})
            .to_string(),
        ),
    )])
    .await;
    let jwks_uri = server.uri("/jwks.json");
    let host = Host::new(|b| {
        b.uri_fetcher(server.fetcher())
            .trusted_software_statement_issuer(TrustedIssuer::with_jwks_uri(ISSUER, &jwks_uri))
    });
    assert_eq!(server.hits("/jwks.json"), 0, "fetched before any statement");
    for _ in 0..3 {
        host.register(None, &body_with(&signer.sign(&claims())))
            .await;
    }
    assert_eq!(server.hits("/jwks.json"), 1, "the key set was not cached");
    let impostor = p256("ec");
    let resp = host.post(None, &body_with(&impostor.sign(&claims()))).await;
    assert_invalid_statement(&resp, "signature does not verify");

    // An issuer whose key set cannot be fetched: the statement cannot be verified.
    server.set("/jwks.json", Route::raw(200, Some("text/html"), "<html>"));
    let uncached = Host::new(|b| {
        b.uri_fetcher(
            server
                .fetcher_builder()
                .cache_lifetime(std::time::Duration::ZERO)
                .build()
                .expect("fetcher"),
        )
        .trusted_software_statement_issuer(TrustedIssuer::with_jwks_uri(ISSUER, &jwks_uri))
    });
    let resp = uncached
        .post(None, &body_with(&signer.sign(&claims())))
        .await;
    assert_invalid_statement(&resp, "its issuer's keys could not be fetched");
}

/// SS-10: an issuer's keys are configured inline or fetched from its https `jwks_uri`, and cached.
#[tokio::test]
async fn jwks_uri_issuer_key_rotation_refetches_the_key_set_at_most_once_a_minute() {
    let (old, new, unknown) = (ed25519("2025"), ed25519("2026"), ed25519("2027"));
    let server = TestServer::start([("/jwks.json", Route::json(&jwks(&[&old])))]).await;
    // The statements' `exp` is ten minutes from the real time: the clock starts there.
    let clock = TestClock::at(now());
    let host = Host::new(|b| {
        b.clock(clock.clone())
            .uri_fetcher(server.fetcher())
            .trusted_software_statement_issuer(TrustedIssuer::with_jwks_uri(
                ISSUER,
                server.uri("/jwks.json"),
            ))
    });
    host.register(None, &body_with(&old.sign(&claims()))).await;
    assert_eq!(server.hits("/jwks.json"), 1);
    // The issuer publishes a new key: a statement naming it makes the cached set stale.
    server.set("/jwks.json", Route::json(&jwks(&[&old, &new])));
    host.register(None, &body_with(&new.sign(&claims()))).await;
    assert_eq!(server.hits("/jwks.json"), 2, "the set was not fetched anew");
    host.register(None, &body_with(&old.sign(&claims()))).await;
    // A kid nobody published: refused, and not a fetch per request.
    let unknown_kid = || async {
        let resp = host.post(None, &body_with(&unknown.sign(&claims()))).await;
        assert_invalid_statement(&resp, "its issuer has no key for alg EdDSA with its 'kid'");
    };
    for _ in 0..3 {
        unknown_kid().await;
    }
    assert_eq!(server.hits("/jwks.json"), 2);
    // A minute after the last fetch anew, to the second, an unknown kid fetches again.
    clock.advance(59);
    unknown_kid().await;
    assert_eq!(
        server.hits("/jwks.json"),
        2,
        "fetched anew within the minute"
    );
    clock.advance(1);
    unknown_kid().await;
    assert_eq!(
        server.hits("/jwks.json"),
        3,
        "not fetched anew after a minute"
    );
    unknown_kid().await;
    assert_eq!(server.hits("/jwks.json"), 3);
}

/// How many fetches of documents that clients name the built-in fetcher runs at once by
/// default.
const CLIENT_NAMED_FETCHES: usize = 32;

/// SS-11: a trusted issuer's keys are fetched within a budget of their own, which the
/// documents clients name cannot exhaust.
#[tokio::test]
async fn issuer_keys_are_fetched_while_client_named_documents_hold_every_fetch_of_theirs() {
    let signer = ed25519("ed");
    let server = TestServer::start([
        ("/jwks.json", Route::json(&jwks(&[&signer]))),
        // A tarpit: it answers long after any fetch's timeout.
        (
            "/tarpit.json",
            Route::json(&json!([REDIRECT])).delayed(std::time::Duration::from_secs(60)),
        ),
    ])
    .await;
    let host = Host::new(|b| {
        b.uri_fetcher(server.fetcher())
            .trusted_software_statement_issuer(TrustedIssuer::with_jwks_uri(
                ISSUER,
                server.uri("/jwks.json"),
            ))
    });
    // Anonymous clients name the tarpit as their sector, as many as may fetch at once.
    let sector =
        json!({"redirect_uris": [REDIRECT], "sector_identifier_uri": server.uri("/tarpit.json")});
    let stuck: Vec<_> = (0..CLIENT_NAMED_FETCHES)
        .map(|_| tokio::spawn(common::send(&host.svc, post_request(None, &sector))))
        .collect();
    while server.hits("/tarpit.json") < CLIENT_NAMED_FETCHES {
        assert!(
            !stuck.iter().any(|task| task.is_finished()),
            "a tarpit fetch ended"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Every fetch a client may cause is held: one more client-named document is refused...
    let resp = host.post(None, &sector).await;
    let body = assert_rfc_error(&resp, "invalid_client_metadata");
    common::assert_description_mentions(&body, "sector_identifier_uri: could not be fetched");
    // ...but the issuer's keys, which the operator configured, are fetched all the same.
    let client = host
        .register(None, &body_with(&signer.sign(&claims())))
        .await;
    assert_eq!(client.body["software_id"], "4NRB1-0XZABZI9E6-5SM3R");
    assert_eq!(server.hits("/jwks.json"), 1);
    for task in stuck {
        task.abort();
    }
}

/// SS-10: an issuer's keys are configured inline or fetched from its https `jwks_uri`, and cached.
#[test]
fn jwks_uri_issuer_needs_a_fetcher() {
    let err = RegistrationConfig::builder(common::ISSUER)
        .trusted_software_statement_issuer(TrustedIssuer::with_jwks_uri(
            ISSUER,
            "https://software.example.org/jwks.json",
        ))
        .build()
        .expect_err("no fetcher");
    assert!(
        matches!(&err, ConfigError::SoftwareStatementIssuer(why) if why.contains("no uri_fetcher")),
        "{err}"
    );
    let err = RegistrationConfig::builder(common::ISSUER)
        .trusted_software_statement_issuer(TrustedIssuer::with_jwks(
            ISSUER,
            json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}),
        ))
        .build()
        .expect_err("symmetric key");
    assert!(
        matches!(err, ConfigError::SoftwareStatementIssuer(_)),
        "{err}"
    );
}

/// SS-7: the claims only the server sets (`client_id`, `client_secret`, the registration
/// access token...) and the JWT's own are never taken from a statement: an update whose
/// statement carries other values keeps the client's own.
#[tokio::test]
async fn a_statement_never_sets_the_members_only_the_server_sets() {
    let signer = ed25519("ed");
    let host = host_trusting(jwks(&[&signer]), |b| b);
    let client = host
        .register(None, &body_with(&signer.sign(&claims())))
        .await;
    let mut forged = claims();
    forged["client_id"] = json!("someone-else");
    forged["client_secret"] = json!("chosen-by-the-statement");
    forged["registration_access_token"] = json!("chosen-too");
    forged["sub"] = json!("a subject");
    let mut body = body_with(&signer.sign(&forged));
    body["client_id"] = json!(client.id);
    let resp = host.put(&client.id, &client.token, &body).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let updated = resp.json();
    assert_eq!(updated["client_id"], json!(client.id));
    assert_ne!(updated["client_secret"], "chosen-by-the-statement");
    assert_ne!(updated["registration_access_token"], "chosen-too");
    assert!(updated.get("sub").is_none(), "{updated}");
}

/// SS-7: a statement's JWT claims (`sub`, `aud`, `nbf`, `jti`...) are about the JWT, not the
/// client: even where the operator declared extension members of those names, a statement's
/// claims never fill them; the body's members do.
#[tokio::test]
async fn jwt_claims_never_fill_extension_members_of_the_same_name() {
    let signer = ed25519("ed");
    let host = host_trusting(jwks(&[&signer]), |b| {
        b.extension_member(ExtensionMember::new("sub", ExtensionType::String))
            .extension_member(ExtensionMember::new("aud", ExtensionType::String))
            .extension_member(ExtensionMember::new("jti", ExtensionType::String))
            .extension_member(ExtensionMember::new("nbf", ExtensionType::Integer))
    });
    let mut statement = claims();
    statement["sub"] = json!("the statement's subject");
    statement["aud"] = json!("https://server.example.com");
    statement["jti"] = json!("statement-1");
    statement["nbf"] = json!(now() - 10);
    let mut body = body_with(&signer.sign(&statement));
    body["sub"] = json!("from the body");
    let client = host.register(None, &body).await;
    for resp in [
        client.body.clone(),
        host.get(&client.id, &client.token).await.json(),
    ] {
        assert_eq!(resp["sub"], "from the body", "{resp}");
        for claim in ["aud", "jti", "nbf"] {
            assert!(resp.get(claim).is_none(), "{claim} registered: {resp}");
        }
        // The statement's other claims are registered as usual.
        assert_eq!(resp["software_id"], "4NRB1-0XZABZI9E6-5SM3R", "{resp}");
    }
}

/// SS-6: the statement is returned unmodified, its claims as top-level metadata.
/// SS-9: a statement sent with an update is verified as on registration.
#[tokio::test]
async fn statements_on_update_are_verified_the_same_way() {
    let signer = ed25519("ed");
    let host = host_trusting(jwks(&[&signer]), |b| b);
    let client = host
        .register(None, &body_with(&signer.sign(&claims())))
        .await;
    let update = |statement: &str| {
        let mut body = body_with(statement);
        body["client_id"] = json!(client.id);
        body
    };

    let resp = host
        .put(
            &client.id,
            &client.token,
            &update(&ed25519("ed").sign(&claims())),
        )
        .await;
    assert_invalid_statement(&resp, "signature does not verify");
    let mut expired = claims();
    expired["exp"] = json!(now() - 3600);
    let resp = host
        .put(&client.id, &client.token, &update(&signer.sign(&expired)))
        .await;
    assert_invalid_statement(&resp, "expired");

    let mut newer = claims();
    newer["software_version"] = json!("2.2");
    let statement = signer.sign(&newer);
    let resp = host
        .put(&client.id, &client.token, &update(&statement))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let updated = resp.json();
    assert_eq!(updated["software_statement"], json!(statement));
    assert_eq!(updated["software_version"], "2.2");
    assert_eq!(updated["client_name"], "Example Statement-based Client");

    // Without one (optional here), the update replaces everything, the statement included.
    let resp = host
        .put(
            &client.id,
            &client.token,
            &json!({"client_id": client.id, "redirect_uris": [REDIRECT], "client_name": "mine"}),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let replaced = resp.json();
    assert!(replaced.get("software_statement").is_none(), "{replaced}");
    assert!(replaced.get("software_id").is_none(), "{replaced}");
    assert_eq!(replaced["client_name"], "mine");
}

/// SS-8: the server may require a software statement.
#[tokio::test]
async fn required_statement_on_update_of_an_anonymous_client() {
    let signer = ed25519("ed");
    let statement = signer.sign(&claims());
    let host = host_trusting(jwks(&[&signer]), |b| {
        b.require_software_statement(SoftwareStatementRequirement::ForAnonymous)
    });
    let client = host.register(None, &body_with(&statement)).await;
    let resp = host
        .put(
            &client.id,
            &client.token,
            &json!({"client_id": client.id, "redirect_uris": [REDIRECT]}),
        )
        .await;
    assert_invalid_statement(&resp, "required by this server");
    let mut body = body_with(&statement);
    body["client_id"] = json!(client.id);
    let resp = host.put(&client.id, &client.token, &body).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
}

/// REG-4: open registration may be rate-limited or otherwise limited.
#[tokio::test]
async fn statement_claims_obey_the_metadata_limits() {
    // The limits are checked on the body before the statement is verified; its claims, written
    // in afterwards, must be bounded the same: a trusted statement is not a way around them.
    let signer = ed25519("ed");
    let host = host_trusting(jwks(&[&signer]), |b| b);
    let mut many = claims();
    many["redirect_uris"] = (0..65)
        .map(|i| format!("https://client.example.net/cb/{i}"))
        .collect();
    let resp = host.post(None, &body_with(&signer.sign(&many))).await;
    let body = assert_rfc_error(&resp, "invalid_redirect_uri");
    common::assert_description_mentions(&body, "redirect_uris: at most 64 entries");

    let mut long = claims();
    long["client_name"] = json!("n".repeat(2049));
    let resp = host.post(None, &body_with(&signer.sign(&long))).await;
    let body = assert_rfc_error(&resp, "invalid_client_metadata");
    common::assert_description_mentions(&body, "client_name: longer than 2048 bytes");

    // Within the limits, the same statement registers.
    many["redirect_uris"] = (0..64)
        .map(|i| format!("https://client.example.net/cb/{i}"))
        .collect();
    host.register(None, &body_with(&signer.sign(&many))).await;
}
