use std::time::Duration;

use super::*;

/// DISC-1: the provider metadata advertise the https `registration_endpoint`.
#[test]
fn registration_endpoint_can_be_set_explicitly() {
    let cfg = RegistrationConfig::builder("https://h.example/realms/x/")
        .prefix("/realms/x/register")
        .registration_endpoint_url("https://h.example/realms/x/register/")
        .build()
        .expect("config");
    assert_eq!(
        cfg.registration_endpoint(),
        "https://h.example/realms/x/register"
    );
    let err = RegistrationConfig::builder("https://h.example/")
        .registration_endpoint_url("http://h.example/register")
        .build()
        .expect_err("http endpoint");
    assert!(matches!(err, ConfigError::RegistrationEndpoint(_)), "{err}");
}

#[test]
fn sub_second_secret_lifetime_is_refused() {
    let err = RegistrationConfig::builder("https://h.example/")
        .client_secret_lifetime(Some(Duration::from_millis(500)))
        .build()
        .expect_err("born expired");
    assert!(matches!(err, ConfigError::SecretLifetime(_)), "{err}");
}

/// DISC-1: the provider metadata advertise the https `registration_endpoint`.
#[test]
fn registration_endpoint_joins_issuer_and_prefix() {
    let cfg = RegistrationConfig::builder("https://iam.example.org/")
        .build()
        .expect("config");
    assert_eq!(
        cfg.registration_endpoint(),
        "https://iam.example.org/register"
    );
    assert!(cfg.signing_key_was_generated());
}

#[test]
fn default_scope_outside_the_allowed_scopes_is_refused() {
    use crate::metadata::MetadataRules;
    use crate::policy::builtin::AllowedScopes;

    let mut rules = MetadataRules {
        default_scope: Some("openid admin".into()),
        ..MetadataRules::default()
    };
    let err = RegistrationConfig::builder("https://h.example/")
        .rules(rules.clone())
        .allowed_scopes(AllowedScopes::new(["openid", "profile"]))
        .build()
        .expect_err("admin is not allowed");
    assert!(matches!(err, ConfigError::DefaultScope(_)), "{err}");
    rules.default_scope = Some("openid profile".into());
    RegistrationConfig::builder("https://h.example/")
        .rules(rules)
        .allowed_scopes(AllowedScopes::new(["openid", "profile"]))
        .build()
        .expect("within the allowed set");
}
