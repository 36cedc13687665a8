//! Inputs found by the fuzz targets in `fuzz/` (see FUZZING.md), replayed through the layer
//! and the registry with the stable toolchain, so that what they pinned down stays true.

use crate::common::{App, ISSUER, assert_invalid_token, min};
use http::{Method, StatusCode};
use tower_oidc_registration::Requester;
use tower_oidc_registration::{RegistrationConfig, RegistrationError, Registry};

/// ERR-9: the `Bearer` scheme is case-insensitive and the token a `token68`.
///
/// `fuzz/artifacts/token_verify/crash-2105d84442121a9728524eb3ded124bc9eb42999` (input
/// `42 00 20 20 20 20 20 20`): the issued token with six spaces before it. The target's oracle
/// was wrong, not the crate, and both halves of the rule are pinned here. Over HTTP the spaces
/// are header syntax (RFC 6750 §2.1: `"Bearer" 1*SP b64token`; trailing whitespace is not part
/// of a field value), so `Bearer      <token>  ` authorizes; the domain API, which takes the
/// token itself, refuses the padded string; and spaces inside the token never pass.
#[tokio::test]
async fn spaces_around_the_token_are_header_syntax_not_token() {
    let config = RegistrationConfig::builder(ISSUER)
        .build()
        .expect("valid configuration");
    let registry = Registry::new(&config);
    let app = App::from_config(config);
    let client = app.register(&min()).await;
    let padded = format!("      {}  ", client.token);

    let resp = app
        .method(
            Method::GET,
            &client.path(),
            Some(&format!("Bearer {padded}")),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["client_id"], client.id);

    let refused = registry
        .read(Requester::registration_access_token(&padded), &client.id)
        .await
        .expect_err("the domain API compares the token exactly");
    assert!(
        matches!(refused, RegistrationError::InvalidToken),
        "{refused:?}"
    );
    assert!(
        registry
            .read(
                Requester::registration_access_token(&client.token),
                &client.id
            )
            .await
            .is_ok()
    );

    let (head, tail) = client.token.split_at(10);
    let resp = app
        .method(
            Method::GET,
            &client.path(),
            Some(&format!("Bearer {head} {tail}")),
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{}", resp.text());
    assert_invalid_token(&resp);
}
