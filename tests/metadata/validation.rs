//! Metadata validation (POST and PUT alike), driven through `RegistrationLayer`.
//! Every rejection is checked on registration (POST) and on update (PUT, which must then
//! change nothing); every acceptance on both as well.

use crate::common::*;
use http::StatusCode;
use serde_json::{Value, json};
use tower_oidc_registration::metadata::{AuthMethod, GrantType, MetadataRules};

/// `body` is rejected with `code` and exactly `description` (the member and the rule it
/// breaks), both when registered and when sent as the update of an existing client, which
/// stays unchanged.
async fn rejected(app: &App, body: Value, code: &str, description: &str) {
    eprintln!("expecting {code} for {body}");
    let (posted, client, put) = app.post_and_put(&body).await;
    for (what, resp) in [("POST", &posted), ("PUT", &put)] {
        let err = assert_rfc_error(resp, code);
        assert_eq!(
            err["error_description"].as_str(),
            Some(description),
            "{what} {body}: refused for another reason"
        );
    }
    app.assert_unchanged(&client).await;
}

/// `body` is accepted on registration (201) and as an update (200); every member of `echo`
/// is returned as given by both. Returns the registration response.
async fn accepted(app: &App, body: Value, echo: &[&str]) -> Value {
    eprintln!("expecting acceptance of {body}");
    let (posted, client, put) = app.post_and_put(&body).await;
    assert_eq!(
        posted.status,
        StatusCode::CREATED,
        "POST {body} rejected: {}",
        posted.text()
    );
    assert_eq!(
        put.status,
        StatusCode::OK,
        "PUT {body} rejected: {}",
        put.text()
    );
    let (created, updated) = (posted.json(), put.json());
    assert_eq!(updated["client_id"], json!(client.id));
    for member in echo {
        assert_eq!(
            created[*member], body[*member],
            "POST echo of {member}: {created}"
        );
        assert_eq!(
            updated[*member], body[*member],
            "PUT echo of {member}: {updated}"
        );
    }
    created
}

fn with_min(extra: Value) -> Value {
    merged(&min(), &extra)
}

// Redirect URIs required by redirect-based grants ---------------------------------------------

/// VAL-3: a client of a redirect-based grant must register redirect URIs.
#[tokio::test]
async fn redirect_grant_without_redirect_uris_rejected() {
    let app = App::new();
    rejected(
        &app,
        json!({"client_name": "t"}),
        "invalid_redirect_uri",
        "redirect_uris: required for the authorization_code and implicit grant types",
    )
    .await;
    rejected(
        &app,
        json!({"redirect_uris": [], "client_name": "t"}),
        "invalid_redirect_uri",
        "redirect_uris: required for the authorization_code and implicit grant types",
    )
    .await;
    rejected(
        &app,
        json!({"grant_types": ["implicit"], "response_types": ["id_token"]}),
        "invalid_redirect_uri",
        "redirect_uris: required for the authorization_code and implicit grant types",
    )
    .await;
    rejected(
        &app,
        json!({"grant_types": ["authorization_code", "client_credentials"]}),
        "invalid_redirect_uri",
        "redirect_uris: required for the authorization_code and implicit grant types",
    )
    .await;
}

// Grants without redirect URIs ----------------------------------------------------------------

/// VAL-4: a client without a redirect-based grant needs no redirect URIs.
#[tokio::test]
async fn client_credentials_needs_no_redirect_uris() {
    // Anonymous registrants get no client_credentials by default (caller restrictions, tested
    // in tests/host/protected.rs); lifted here, where only the redirect-URI rule is under test.
    let app = App::with(|b| b.caller_restrictions(None));
    let body = accepted(
        &app,
        json!({"grant_types": ["client_credentials"], "client_name": "svc"}),
        &["grant_types", "client_name"],
    )
    .await;
    assert!(body.get("redirect_uris").is_none(), "{body}");
    assert!(body["client_secret"].is_string(), "{body}");
    // No authorization-endpoint response type may be registered without a redirect grant.
    if let Some(types) = body.get("response_types") {
        let types = types.as_array().expect("response_types array");
        assert!(
            !types.contains(&json!("code")),
            "response_types {types:?} inconsistent with grant_types [client_credentials]"
        );
    }
    accepted(
        &app,
        json!({"grant_types": ["client_credentials"], "response_types": []}),
        &["grant_types"],
    )
    .await;
}

/// REG-8: anonymous registrants get no `client_credentials` or `password` grant by default.
#[tokio::test]
async fn anonymous_client_credentials_refused_by_default() {
    // The default caller restrictions (INDIGO IAM): an anonymous registrant cannot get a
    // client that mints tokens by itself, on registration or by updating an existing client.
    let app = App::new();
    rejected(
        &app,
        json!({"grant_types": ["client_credentials"], "client_name": "svc"}),
        "invalid_client_metadata",
        "grant_types[0]: 'client_credentials' is not allowed for anonymous registration",
    )
    .await;
    rejected(
        &app,
        with_min(json!({"grant_types": ["authorization_code", "client_credentials"]})),
        "invalid_client_metadata",
        "grant_types[1]: 'client_credentials' is not allowed for anonymous registration",
    )
    .await;
    let resp = app
        .register_raw(&json!({"grant_types": ["client_credentials"]}))
        .await;
    let err = assert_invalid_metadata(&resp, "client_credentials");
    assert_description_mentions(&err, "anonymous");
    // `.caller_restrictions(None)` lifts it.
    let open = App::with(|b| b.caller_restrictions(None));
    accepted(
        &open,
        json!({"grant_types": ["client_credentials"]}),
        &["grant_types"],
    )
    .await;
}

// Fragments in redirect URIs ------------------------------------------------------------------

/// VAL-5: a redirect URI with a fragment is refused.
#[tokio::test]
async fn redirect_uri_fragment_rejected() {
    let app = App::new();
    rejected(
        &app,
        json!({"redirect_uris": ["https://rp.example.org/cb#frag"]}),
        "invalid_redirect_uri",
        "redirect_uris[0]: fragment not allowed",
    )
    .await;
    rejected(
        &app,
        json!({"redirect_uris": ["https://rp.example.org/cb#"]}),
        "invalid_redirect_uri",
        "redirect_uris[0]: fragment not allowed",
    )
    .await;
    rejected(
        &app,
        json!({"redirect_uris": [REDIRECT, "https://rp.example.org/cb2?x=1#y"]}),
        "invalid_redirect_uri",
        "redirect_uris[1]: fragment not allowed",
    )
    .await;
}

/// VAL-38: a redirect URI carries no userinfo: `https://rp.example.org@evil.example/cb` goes to
/// `evil.example`, whatever a person reading it takes for the host; nor do the other URI
/// members, which consent screens show or the server visits.
#[tokio::test]
async fn redirect_uri_with_userinfo_rejected() {
    let app = App::new();
    let userinfo = "userinfo not allowed (a user name or password before '@' in the authority)";
    for uri in [
        "https://rp.example.org@evil.example/cb",
        "https://user:pw@rp.example.org/cb",
        "https://user:@rp.example.org/cb",
        // Empty, which a URL parser drops without a trace.
        "https://@rp.example.org/cb",
        "http://user@127.0.0.1:8080/cb",
    ] {
        rejected(
            &app,
            json!({"redirect_uris": [REDIRECT, uri]}),
            "invalid_redirect_uri",
            &format!("redirect_uris[1]: {userinfo}"),
        )
        .await;
    }
    rejected(
        &app,
        with_min(json!({"post_logout_redirect_uris": ["https://rp.example.org@evil.example/bye"]})),
        "invalid_client_metadata",
        &format!("post_logout_redirect_uris[0]: {userinfo}"),
    )
    .await;
    rejected(
        &app,
        with_min(json!({"logo_uri#en": "https://rp.example.org@evil.example/logo.png"})),
        "invalid_client_metadata",
        &format!("logo_uri#'en': {userinfo}"),
    )
    .await;
    rejected(
        &app,
        with_min(json!({"frontchannel_logout_uri": "https://user:pw@rp.example.org/logout"})),
        "invalid_client_metadata",
        &format!("frontchannel_logout_uri: {userinfo}"),
    )
    .await;
    // An '@' in the path or the query is no userinfo.
    accepted(
        &app,
        json!({"redirect_uris": [
            "https://rp.example.org/users/a@b/cb",
            "https://rp.example.org/cb?next=a@b",
        ]}),
        &["redirect_uris"],
    )
    .await;
}

// Absolute redirect URIs and their JSON type --------------------------------------------------

/// VAL-6: a redirect URI must be absolute.
#[tokio::test]
async fn relative_redirect_uri_rejected() {
    let app = App::new();
    for (uri, description) in [
        ("/cb", "redirect_uris[1]: must be an absolute URI"),
        ("cb", "redirect_uris[1]: must be an absolute URI"),
        (
            "//rp.example.org/cb",
            "redirect_uris[1]: must be an absolute URI",
        ),
        (
            "https:rp.example.org/cb",
            "redirect_uris[1]: not a valid URI (missing '//' after the scheme)",
        ),
        ("https://", "redirect_uris[1]: not a valid URI (empty host)"),
    ] {
        rejected(
            &app,
            json!({"redirect_uris": [REDIRECT, uri]}),
            "invalid_redirect_uri",
            description,
        )
        .await;
    }
}

/// VAL-7: `redirect_uris` is an array of non-empty strings, else `invalid_redirect_uri`.
#[tokio::test]
async fn redirect_uris_type_errors_rejected() {
    let app = App::new();
    rejected(
        &app,
        json!({"redirect_uris": REDIRECT}),
        "invalid_redirect_uri",
        "redirect_uris: must be an array of strings",
    )
    .await;
    rejected(
        &app,
        json!({"redirect_uris": {"0": REDIRECT}}),
        "invalid_redirect_uri",
        "redirect_uris: must be an array of strings",
    )
    .await;
    for element in [
        json!(3),
        json!({"uri": REDIRECT}),
        json!(null),
        json!([REDIRECT]),
    ] {
        rejected(
            &app,
            json!({"redirect_uris": [REDIRECT, element]}),
            "invalid_redirect_uri",
            "redirect_uris[1]: must be a string",
        )
        .await;
    }
}

// Queries in redirect URIs --------------------------------------------------------------------

/// VAL-8: a redirect URI may carry a query, kept as sent.
#[tokio::test]
async fn redirect_uri_query_allowed_and_echoed_verbatim() {
    let app = App::new();
    let body = accepted(
        &app,
        json!({"redirect_uris": [
            "https://rp.example.org/cb?x=1&y=%20&z=a+b&empty=",
            "https://rp.example.org/cb?%7Bq%7D=%C3%A9",
        ]}),
        &["redirect_uris"],
    )
    .await;
    assert_eq!(
        body["redirect_uris"][0],
        "https://rp.example.org/cb?x=1&y=%20&z=a+b&empty="
    );
}

// Web clients: https, except on loopback ------------------------------------------------------

/// VAL-9: a web client's redirect URIs are https, or http on a loopback host.
#[tokio::test]
async fn web_client_requires_https_except_loopback() {
    let app = App::new();
    rejected(
        &app,
        json!({"redirect_uris": ["http://rp.example.org/cb"]}),
        "invalid_redirect_uri",
        "redirect_uris[0]: web clients must use https (http is allowed only on loopback)",
    )
    .await;
    rejected(
        &app,
        json!({"application_type": "web", "redirect_uris": ["com.example.app:/cb"]}),
        "invalid_redirect_uri",
        "redirect_uris[0]: web clients must use https (scheme 'com.example.app' not allowed)",
    )
    .await;
    rejected(
        &app,
        json!({"redirect_uris": ["ftp://rp.example.org/cb"]}),
        "invalid_redirect_uri",
        "redirect_uris[0]: web clients must use https (scheme 'ftp' not allowed)",
    )
    .await;
    accepted(
        &app,
        json!({"redirect_uris": [
            "http://127.0.0.1:8080/cb",
            "http://[::1]/cb",
            "http://localhost:3000/cb",
        ]}),
        &["redirect_uris"],
    )
    .await;
}

/// VAL-10: a web client of the implicit grant uses https and not localhost.
#[tokio::test]
async fn implicit_web_client_requires_https_not_localhost() {
    let app = App::new();
    let implicit = |uri: &str| {
        json!({
            "grant_types": ["implicit"],
            "response_types": ["id_token"],
            "redirect_uris": [uri],
        })
    };
    let https = "redirect_uris[0]: clients using the implicit grant must use https";
    let loopback = "redirect_uris[0]: clients using the implicit grant must not use localhost or a loopback address";
    for (uri, description) in [
        ("http://rp.example.org/cb", https),
        ("http://127.0.0.1/cb", https),
        ("https://localhost/cb", loopback),
        ("https://127.0.0.1:8443/cb", loopback),
        ("https://[::1]/cb", loopback),
    ] {
        rejected(&app, implicit(uri), "invalid_redirect_uri", description).await;
    }
    accepted(
        &app,
        implicit("https://rp.example.org/cb"),
        &["redirect_uris", "grant_types", "response_types"],
    )
    .await;
}

// Native clients: loopback, claimed https, private-use schemes --------------------------------

/// VAL-11: a native client may use http on `127.0.0.1`, `[::1]` or `localhost`, any port.
#[tokio::test]
async fn native_loopback_redirects_accepted() {
    let app = App::new();
    for uri in [
        "http://127.0.0.1/cb",
        "http://[::1]:8080/cb",
        "http://localhost/cb",
    ] {
        accepted(
            &app,
            json!({"application_type": "native", "redirect_uris": [uri]}),
            &["application_type", "redirect_uris"],
        )
        .await;
    }
}

/// VAL-12: a native client uses http only on a loopback host.
#[tokio::test]
async fn native_http_non_loopback_rejected() {
    let app = App::new();
    rejected(
        &app,
        json!({"application_type": "native", "redirect_uris": ["http://rp.example.org/cb"]}),
        "invalid_redirect_uri",
        "redirect_uris[0]: native clients may use http only on a loopback host (127.0.0.1, [::1] or localhost)",
    )
    .await;
    rejected(
        &app,
        json!({"application_type": "native", "redirect_uris": ["http://10.0.0.1/cb"]}),
        "invalid_redirect_uri",
        "redirect_uris[0]: native clients may use http only on a loopback host (127.0.0.1, [::1] or localhost)",
    )
    .await;
}

/// VAL-13: a native client may use claimed https redirect URIs.
#[tokio::test]
async fn native_claimed_https_is_configurable() {
    let native_https = json!({
        "application_type": "native",
        "redirect_uris": ["https://app.example.org/oauth2redirect"],
    });
    // Accepted by default.
    accepted(&App::new(), native_https.clone(), &["redirect_uris"]).await;
    // Refused when switched off.
    let mut rules = MetadataRules::default();
    rules.native_https_redirects = false;
    let app = App::with(|b| b.rules(rules));
    rejected(
        &app,
        native_https,
        "invalid_redirect_uri",
        "redirect_uris[0]: native clients may not use https redirect URIs on this server; use http on a loopback host or a reverse-domain private-use scheme",
    )
    .await;
}

/// VAL-14: a native client's private-use scheme is a reverse domain name.
#[tokio::test]
async fn native_private_use_scheme_accepted() {
    let app = App::new();
    accepted(
        &app,
        json!({
            "application_type": "native",
            "redirect_uris": ["com.example.app:/cb", "org.example.app:/oauth2redirect?x=1"],
            "token_endpoint_auth_method": "none",
        }),
        &[
            "redirect_uris",
            "application_type",
            "token_endpoint_auth_method",
        ],
    )
    .await;
}

/// VAL-14: a native client's private-use scheme is a reverse domain name.
#[tokio::test]
async fn native_private_use_scheme_without_dot_rejected() {
    let app = App::new();
    rejected(
        &app,
        json!({"application_type": "native", "redirect_uris": ["myapp:/cb"]}),
        "invalid_redirect_uri",
        "redirect_uris[0]: private-use scheme 'myapp' must be a reverse domain name such as com.example.app (RFC 8252 section 7.1)",
    )
    .await;
}

/// VAL-15: a redirect URI never uses `javascript:`, `data:`, `file:` or another dangerous scheme.
#[tokio::test]
async fn dangerous_schemes_never_accepted() {
    let app = App::new();
    for (uri, description) in [
        (
            "javascript:alert(1)",
            "redirect_uris[0]: scheme 'javascript' not allowed",
        ),
        (
            "JavaScript:alert(1)",
            "redirect_uris[0]: scheme 'javascript' not allowed",
        ),
        (
            "data:text/html,<script>alert(1)</script>",
            "redirect_uris[0]: scheme 'data' not allowed",
        ),
        (
            "file:///etc/passwd",
            "redirect_uris[0]: scheme 'file' not allowed",
        ),
        (
            "vbscript:msgbox(1)",
            "redirect_uris[0]: scheme 'vbscript' not allowed",
        ),
    ] {
        for application_type in ["web", "native"] {
            rejected(
                &app,
                json!({"application_type": application_type, "redirect_uris": [uri]}),
                "invalid_redirect_uri",
                description,
            )
            .await;
        }
    }
}

// Consistency of response and grant types -----------------------------------------------------

/// Either outcome is allowed (OpenID Connect Registration §2): 400 invalid_client_metadata, or 201 with the grant types
/// corrected so that every response type has the grant it needs.
#[track_caller]
fn assert_consistent_or_rejected(resp: &Resp, request: &Value) {
    eprintln!("{request} -> {} {}", resp.status, resp.text());
    if resp.status == StatusCode::BAD_REQUEST {
        assert_rfc_error(resp, "invalid_client_metadata");
        return;
    }
    assert_eq!(
        resp.status,
        StatusCode::CREATED,
        "{request}: {}",
        resp.text()
    );
    let body = resp.json();
    let grants: Vec<&str> = body["grant_types"]
        .as_array()
        .expect("grant_types array")
        .iter()
        .map(|g| g.as_str().expect("string"))
        .collect();
    for rt in body["response_types"]
        .as_array()
        .expect("response_types array")
    {
        let parts: Vec<&str> = rt.as_str().expect("string").split(' ').collect();
        if parts.contains(&"code") {
            assert!(
                grants.contains(&"authorization_code"),
                "{request}: {rt} without authorization_code in {body}"
            );
        }
        if parts.contains(&"id_token") || parts.contains(&"token") {
            assert!(
                grants.contains(&"implicit"),
                "{request}: {rt} without implicit in {body}"
            );
        }
    }
}

/// VAL-1: `grant_types` and `response_types` are consistent.
#[tokio::test]
async fn response_and_grant_types_consistent() {
    let app = App::new();
    let cases = [
        json!({"response_types": ["code"], "grant_types": ["implicit"]}),
        json!({"response_types": ["id_token"], "grant_types": ["authorization_code"]}),
        json!({"response_types": ["code id_token"], "grant_types": ["authorization_code"]}),
        json!({"response_types": ["token"]}),
        json!({"response_types": ["code id_token token"], "grant_types": ["implicit"]}),
    ];
    for case in cases {
        let request = with_min(case);
        let resp = app.register_raw(&request).await;
        assert_consistent_or_rejected(&resp, &request);
    }
}

/// VAL-1: `grant_types` and `response_types` are consistent.
#[tokio::test]
async fn consistent_hybrid_accepted_as_sent() {
    let app = App::new();
    accepted(
        &app,
        with_min(json!({
            "response_types": ["code id_token", "code"],
            "grant_types": ["authorization_code", "implicit", "refresh_token"],
        })),
        &["response_types", "grant_types"],
    )
    .await;
}

// Supported grant and response types ----------------------------------------------------------

/// VAL-2: grant, response and subject types and authentication methods must be on the server's
/// lists.
#[tokio::test]
async fn unsupported_grant_and_response_types_rejected() {
    let app = App::new();
    rejected(
        &app,
        with_min(json!({"grant_types": ["authorization_code", "password"]})),
        "invalid_client_metadata",
        "grant_types[1]: unsupported grant type 'password'",
    )
    .await;
    rejected(
        &app,
        with_min(json!({"grant_types": ["urn:ietf:params:oauth:grant-type:device_code"]})),
        "invalid_client_metadata",
        "grant_types[0]: unsupported grant type 'urn:ietf:params:oauth:grant-type:device_code'",
    )
    .await;
    rejected(
        &app,
        with_min(json!({"grant_types": ["authorization_code", "foo"]})),
        "invalid_client_metadata",
        "grant_types[1]: unsupported grant type 'foo'",
    )
    .await;
    rejected(
        &app,
        with_min(json!({"response_types": ["none"]})),
        "invalid_client_metadata",
        "response_types[0]: unsupported response type 'none'",
    )
    .await;
    rejected(
        &app,
        with_min(json!({"token_endpoint_auth_method": "tls_client_auth"})),
        "invalid_client_metadata",
        "token_endpoint_auth_method: unsupported authentication method 'tls_client_auth'",
    )
    .await;
}

/// VAL-2: grant, response and subject types and authentication methods must be on the server's
/// lists.
#[tokio::test]
async fn supported_grant_types_are_configurable() {
    let mut rules = MetadataRules::default();
    rules.grant_types.push(GrantType::Password);
    rules.auth_methods.retain(|m| *m != AuthMethod::None);
    // The rules are under test, not the default caller restrictions (which refuse `password`
    // to anonymous registrants).
    let app = App::with(|b| b.rules(rules).caller_restrictions(None));
    accepted(
        &app,
        with_min(json!({"grant_types": ["authorization_code", "password"]})),
        &["grant_types"],
    )
    .await;
    rejected(
        &app,
        with_min(json!({"token_endpoint_auth_method": "none"})),
        "invalid_client_metadata",
        "token_endpoint_auth_method: unsupported authentication method 'none'",
    )
    .await;
}

// Client authentication methods ---------------------------------------------------------------

/// VAL-16: a client of `token_endpoint_auth_method` `none` gets no client secret.
#[tokio::test]
async fn auth_method_none_gets_no_secret() {
    let app = App::new();
    let client = app
        .register(&with_min(json!({"token_endpoint_auth_method": "none"})))
        .await;
    let obj = client.body.as_object().expect("object");
    assert_eq!(client.body["token_endpoint_auth_method"], "none");
    assert!(!obj.contains_key("client_secret"), "{}", client.body);
    assert!(
        !obj.contains_key("client_secret_expires_at"),
        "{}",
        client.body
    );
    let resp = app.get(&client.path(), Some(&client.token)).await;
    let obj = resp.json();
    assert!(obj.get("client_secret").is_none(), "{obj}");
    assert!(obj.get("client_secret_expires_at").is_none(), "{obj}");
}

/// VAL-17: a client of a secret-based authentication method gets a client secret.
#[tokio::test]
async fn secret_methods_get_a_secret() {
    let app = App::new();
    for method in [
        "client_secret_basic",
        "client_secret_post",
        "client_secret_jwt",
    ] {
        let client = app
            .register(&with_min(json!({"token_endpoint_auth_method": method})))
            .await;
        assert_eq!(client.body["token_endpoint_auth_method"], method);
        let secret = client
            .secret()
            .unwrap_or_else(|| panic!("{method}: no secret"));
        assert!(is_86_base64url(&secret), "{secret:?}");
        assert_eq!(client.body["client_secret_expires_at"], json!(0));
    }
}

/// VAL-18: a `private_key_jwt` client registers `jwks` (with a signature key) or `jwks_uri`.
#[tokio::test]
async fn private_key_jwt_needs_keys() {
    let app = App::new();
    rejected(
        &app,
        with_min(json!({"token_endpoint_auth_method": "private_key_jwt"})),
        "invalid_client_metadata",
        "token_endpoint_auth_method: private_key_jwt requires jwks or jwks_uri",
    )
    .await;
    let body = accepted(
        &app,
        with_min(json!({
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks_uri": "https://rp.example.org/jwks.json",
        })),
        &["token_endpoint_auth_method", "jwks_uri"],
    )
    .await;
    assert!(body.get("client_secret").is_none(), "{body}");
    assert!(body.get("client_secret_expires_at").is_none(), "{body}");
}

/// VAL-2: grant, response and subject types and authentication methods must be on the server's
/// lists.
#[tokio::test]
async fn unknown_auth_method_rejected() {
    let app = App::new();
    rejected(
        &app,
        with_min(json!({"token_endpoint_auth_method": "magic"})),
        "invalid_client_metadata",
        "token_endpoint_auth_method: unsupported authentication method 'magic'",
    )
    .await;
}

// JWK Sets: jwks and jwks_uri -----------------------------------------------------------------

/// VAL-19: `jwks` and `jwks_uri` are never registered together.
#[tokio::test]
async fn jwks_and_jwks_uri_together_rejected() {
    let app = App::new();
    rejected(
        &app,
        with_min(json!({
            "jwks": public_jwks(),
            "jwks_uri": "https://rp.example.org/jwks.json",
        })),
        "invalid_client_metadata",
        "jwks: must not be registered together with jwks_uri",
    )
    .await;
}

/// KEY-2: a JWK Set holds no private or symmetric key material.
#[tokio::test]
async fn private_or_symmetric_keys_rejected() {
    let app = App::new();
    let mut private_ec = ec_public_jwk();
    private_ec["d"] = json!("870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE");
    rejected(
        &app,
        with_min(json!({"jwks": {"keys": [private_ec]}})),
        "invalid_client_metadata",
        "jwks.keys[0].d: private key material not allowed",
    )
    .await;
    let mut private_rsa = rsa_public_jwk();
    private_rsa["p"] = json!("AQAB");
    rejected(
        &app,
        with_min(json!({"jwks": {"keys": [ec_public_jwk(), private_rsa]}})),
        "invalid_client_metadata",
        "jwks.keys[1].p: private key material not allowed",
    )
    .await;
    rejected(
        &app,
        with_min(json!({"jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0"}]}})),
        "invalid_client_metadata",
        "jwks.keys[0].kty: symmetric keys ('oct') not allowed; register public keys only",
    )
    .await;
}

/// KEY-1: `jwks` is a JWK Set: an object whose `keys` is an array of objects, each with a `kty`.
#[tokio::test]
async fn jwks_must_be_a_jwk_set() {
    let app = App::new();
    let not_a_set = "jwks: must be a JWK Set (an object with a 'keys' array)";
    for (jwks, description) in [
        (ec_public_jwk(), not_a_set),
        (json!({}), not_a_set),
        (json!({"keys": "x"}), not_a_set),
        (json!({"keys": [1]}), "jwks.keys[0]: must be a JSON object"),
        (
            json!({"keys": [{"crv": "P-256"}]}),
            "jwks.keys[0].kty: required",
        ),
    ] {
        rejected(
            &app,
            with_min(json!({"jwks": jwks})),
            "invalid_client_metadata",
            description,
        )
        .await;
    }
}

/// VAL-20: `jwks_uri` is an https URL.
#[tokio::test]
async fn http_jwks_uri_rejected() {
    let app = App::new();
    rejected(
        &app,
        with_min(json!({"jwks_uri": "http://rp.example.org/jwks.json"})),
        "invalid_client_metadata",
        "jwks_uri: must be an https URL",
    )
    .await;
}

// Sector identifiers and pairwise subjects ----------------------------------------------------

/// VAL-26: the sector document lists every redirect URI in a JSON array, else the request fails.
///
/// The sector document fetched and checked is in tests/metadata/sector_identifier.rs; a server
/// without a URI fetcher cannot check a sector, so it refuses one rather than store it unchecked.
#[tokio::test]
async fn sector_identifier_uri_refused_without_a_fetcher() {
    let app = App::new();
    rejected(
        &app,
        with_min(json!({
            "subject_type": "pairwise",
            "sector_identifier_uri": "https://rp.example.org/sector.json",
        })),
        "invalid_client_metadata",
        "sector_identifier_uri: not supported by this server (no URI fetcher is configured)",
    )
    .await;
}

/// VAL-29: a pairwise client with redirect URIs on several hosts registers a
/// `sector_identifier_uri`.
#[tokio::test]
async fn pairwise_with_several_hosts_needs_sector_identifier() {
    let app = App::new();
    rejected(
        &app,
        json!({
            "subject_type": "pairwise",
            "redirect_uris": ["https://rp.example.org/cb", "https://other.example.net/cb"],
        }),
        "invalid_client_metadata",
        "redirect_uris[1]: scheme or host differs from redirect_uris[0]; a pairwise client with several redirect hosts needs a sector_identifier_uri",
    )
    .await;
    // One host: no sector identifier needed.
    accepted(
        &app,
        json!({
            "subject_type": "pairwise",
            "redirect_uris": ["https://rp.example.org/cb", "https://rp.example.org/cb2"],
        }),
        &["subject_type", "redirect_uris"],
    )
    .await;
}

// initiate_login_uri and request_uris ---------------------------------------------------------

/// VAL-21: `initiate_login_uri` is an absolute https URL.
#[tokio::test]
async fn initiate_login_uri_must_be_https() {
    let app = App::new();
    for (uri, description) in [
        (
            "http://rp.example.org/login",
            "initiate_login_uri: must be an https URL",
        ),
        ("/login", "initiate_login_uri: must be an absolute URI"),
        (
            "rp.example.org/login",
            "initiate_login_uri: must be an absolute URI",
        ),
    ] {
        rejected(
            &app,
            with_min(json!({"initiate_login_uri": uri})),
            "invalid_client_metadata",
            description,
        )
        .await;
    }
    accepted(
        &app,
        with_min(json!({"initiate_login_uri": "https://rp.example.org/login"})),
        &["initiate_login_uri"],
    )
    .await;
}

/// VAL-22: `request_uris` are absolute URLs; a fragment is allowed.
#[tokio::test]
async fn request_uris_absolute_fragment_allowed() {
    let app = App::new();
    accepted(
        &app,
        with_min(json!({"request_uris": [
            "https://rp.example.org/req.jwt#GkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM",
        ]})),
        &["request_uris"],
    )
    .await;
    rejected(
        &app,
        with_min(json!({"request_uris": ["https://rp.example.org/r", "/req.jwt"]})),
        "invalid_client_metadata",
        "request_uris[1]: must be an absolute URI",
    )
    .await;
}

// URIs the server dereferences: no localhost, no special-purpose address ---------------------

/// The layer with [`MetadataRules::refuse_special_purpose_hosts`] on.
fn refusing_special_purpose_hosts() -> App {
    let mut rules = MetadataRules::default();
    rules.refuse_special_purpose_hosts = true;
    App::with(|b| b.rules(rules))
}

/// Each member the server or the host dereferences, with a host it must not reach, and the
/// description of its refusal.
fn special_purpose_hosts() -> Vec<(Value, String)> {
    let refused = |label: &str| {
        format!(
            "{label}: must not point to localhost or a special-purpose address (loopback, private, link-local...)"
        )
    };
    vec![
        (
            json!({"jwks_uri": "https://169.254.169.254/latest/meta-data"}),
            refused("jwks_uri"),
        ),
        (
            json!({"jwks_uri": "https://app.localhost/jwks.json"}),
            refused("jwks_uri"),
        ),
        (
            json!({"request_uris": ["https://rp.example.org/r", "http://10.0.0.1/admin"]}),
            refused("request_uris[1]"),
        ),
        (
            json!({"sector_identifier_uri": "https://[::1]/sector.json"}),
            refused("sector_identifier_uri"),
        ),
        (
            json!({"backchannel_logout_uri": "http://127.0.0.1:6379/"}),
            refused("backchannel_logout_uri"),
        ),
        (
            json!({
                "redirect_uris": ["https://localhost/cb"],
                "frontchannel_logout_uri": "https://localhost/logout",
            }),
            refused("frontchannel_logout_uri"),
        ),
        (
            json!({"initiate_login_uri": "https://192.168.1.1/"}),
            refused("initiate_login_uri"),
        ),
        (
            json!({"logo_uri#fr": "https://[::ffff:10.0.0.1]/logo.png"}),
            refused("logo_uri#'fr'"),
        ),
    ]
}

/// VAL-39: with `refuse_special_purpose_hosts`, the URIs the server or the host dereferences
/// name neither localhost nor a special-purpose address.
#[tokio::test]
async fn dereferenced_uris_on_special_purpose_hosts_are_refused_when_the_rule_is_on() {
    let app = refusing_special_purpose_hosts();
    for (members, description) in special_purpose_hosts() {
        rejected(
            &app,
            merged(&with_min(json!({})), &members),
            "invalid_client_metadata",
            &description,
        )
        .await;
    }
}

/// VAL-39: with `refuse_special_purpose_hosts`, the URIs the server or the host dereferences
/// name neither localhost nor a special-purpose address.
#[tokio::test]
async fn loopback_redirects_and_links_stay_allowed_when_the_rule_is_on() {
    let app = refusing_special_purpose_hosts();
    // A native app's loopback redirect (RFC 8252 §7.3) is legitimate, and so is its return
    // after logout; the links a user may follow are never fetched by the server.
    accepted(
        &app,
        json!({
            "application_type": "native",
            "redirect_uris": ["http://127.0.0.1:8400/cb", "http://localhost/cb"],
            "post_logout_redirect_uris": ["http://127.0.0.1:8400/bye"],
            "client_uri": "http://10.0.0.1/",
            "tos_uri": "https://192.168.1.1/tos",
            "policy_uri": "https://localhost/policy",
            "jwks_uri": "https://rp.example.org/jwks.json",
            "request_uris": ["https://8.8.8.8/r"],
        }),
        &[
            "redirect_uris",
            "post_logout_redirect_uris",
            "client_uri",
            "jwks_uri",
        ],
    )
    .await;
}

/// VAL-39: with `refuse_special_purpose_hosts`, the URIs the server or the host dereferences
/// name neither localhost nor a special-purpose address.
#[tokio::test]
async fn special_purpose_hosts_are_accepted_by_default() {
    assert!(!MetadataRules::default().refuse_special_purpose_hosts);
    let app = App::new();
    for (members, _) in special_purpose_hosts() {
        // A sector cannot be checked without a fetcher, whatever its host.
        if members.get("sector_identifier_uri").is_some() {
            continue;
        }
        accepted(&app, merged(&with_min(json!({})), &members), &[]).await;
    }
}

// Algorithms ----------------------------------------------------------------------------------

/// ALG-2: `none` ID token signatures are refused when the authorization endpoint returns ID tokens.
#[tokio::test]
async fn unsigned_id_token_with_front_channel_id_token_rejected() {
    let app = App::new();
    rejected(
        &app,
        with_min(json!({
            "id_token_signed_response_alg": "none",
            "response_types": ["code id_token"],
            "grant_types": ["authorization_code", "implicit"],
        })),
        "invalid_client_metadata",
        "id_token_signed_response_alg: 'none' is not allowed with a response type that returns an ID token",
    )
    .await;
    rejected(
        &app,
        with_min(json!({
            "id_token_signed_response_alg": "none",
            "response_types": ["id_token"],
            "grant_types": ["implicit"],
        })),
        "invalid_client_metadata",
        "id_token_signed_response_alg: 'none' is not allowed with a response type that returns an ID token",
    )
    .await;
    // The code flow returns no ID token from the authorization endpoint: "none" is allowed.
    accepted(
        &app,
        with_min(json!({"id_token_signed_response_alg": "none", "response_types": ["code"]})),
        &["id_token_signed_response_alg"],
    )
    .await;
}

/// ALG-3: `token_endpoint_auth_signing_alg` is never `none`.
#[tokio::test]
async fn token_endpoint_auth_signing_alg_none_rejected() {
    let app = App::new();
    rejected(
        &app,
        with_min(json!({
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": public_jwks(),
            "token_endpoint_auth_signing_alg": "none",
        })),
        "invalid_client_metadata",
        "token_endpoint_auth_signing_alg: 'none' is not allowed",
    )
    .await;
    rejected(
        &app,
        with_min(json!({
            "token_endpoint_auth_method": "client_secret_jwt",
            "token_endpoint_auth_signing_alg": "none",
        })),
        "invalid_client_metadata",
        "token_endpoint_auth_signing_alg: 'none' is not allowed",
    )
    .await;
}

// JSON types of members -----------------------------------------------------------------------

/// VAL-32: every member has its JSON type, else `invalid_client_metadata`; `null` means absent.
#[tokio::test]
async fn wrong_json_types_rejected() {
    let app = App::new();
    let (integer, boolean, string, strings) = (
        "must be a non-negative integer",
        "must be a boolean",
        "must be a string",
        "must be an array of strings",
    );
    let cases = [
        ("default_max_age", json!("x"), integer),
        ("default_max_age", json!(-1), integer),
        ("default_max_age", json!(1.5), integer),
        ("require_auth_time", json!("yes"), boolean),
        ("contacts", json!("a@b"), strings),
        ("scope", json!(["a"]), string),
        ("client_name", json!(5), string),
        ("jwks", json!("{\"keys\":[]}"), "must be a JSON object"),
        ("grant_types", json!("authorization_code"), strings),
        ("response_types", json!("code"), strings),
        (
            "token_endpoint_auth_method",
            json!(["client_secret_basic"]),
            string,
        ),
        ("application_type", json!(1), string),
        ("default_acr_values", json!("1"), strings),
        (
            "post_logout_redirect_uris",
            json!("https://rp.example.org/bye"),
            strings,
        ),
        (
            "backchannel_logout_session_required",
            json!("true"),
            boolean,
        ),
    ];
    for (member, value, reason) in cases {
        let mut body = min();
        body[member] = value;
        let description = format!("{member}: {reason}");
        rejected(&app, body, "invalid_client_metadata", &description).await;
    }
}
