use super::*;

use crate::policy::{PolicyContext, PolicyError};

struct Accept;

#[async_trait::async_trait]
impl RegistrationPolicy for Accept {
    async fn apply(
        &self,
        _context: &PolicyContext<'_>,
        metadata: crate::metadata::ClientMetadata,
    ) -> Result<crate::metadata::ClientMetadata, PolicyError> {
        Ok(metadata)
    }
}

fn statics(
    tokens: &[(&str, InitialAccessTokenOptions)],
    policies: &[&str],
) -> Result<InitialAccessTokens, ConfigError> {
    let tokens: Vec<_> = tokens
        .iter()
        .map(|(token, options)| (Secret::new((*token).to_owned()), options.clone()))
        .collect();
    let policies = policies
        .iter()
        .map(|name| {
            (
                (*name).to_owned(),
                Arc::new(Accept) as Arc<dyn RegistrationPolicy>,
            )
        })
        .collect();
    InitialAccessTokens::new(&tokens, policies, 1_000)
}

/// IAT-9: a token's policy applies to its registrations and to their later updates.
///
/// Policies are registered by name: a static token naming an unregistered one, or a name
/// registered twice, is a configuration error.
#[test]
fn static_tokens_name_registered_policies_only() {
    let partner = InitialAccessTokenOptions::new().policy("partner");
    let configured = statics(&[("token-with-a-policy", partner.clone())], &["partner"])
        .expect("a registered policy");
    assert!(configured.policy("partner").is_some());
    assert!(configured.policy("other").is_none());
    for err in [
        statics(&[("token-with-a-policy", partner)], &["other"]).err(),
        statics(&[], &["partner", "partner"]).err(),
    ] {
        assert!(
            matches!(err, Some(ConfigError::InitialAccessTokenPolicy(_))),
            "{err:?}"
        );
    }
}

#[test]
fn a_static_token_is_recorded_under_an_id_derived_from_it_with_its_terms() {
    let terms = InitialAccessTokenOptions::new()
        .expires_in(Duration::from_secs(60))
        .max_uses(3)
        .max_clients(2);
    let configured = statics(&[("static-token-0123456789", terms)], &[]).expect("config");
    let hash = CredentialHash::of("static-token-0123456789");
    let record = configured.static_token(&hash).expect("by hash");
    assert_eq!(record.id(), static_token_id("static-token-0123456789"));
    assert!(record.id().starts_with(STATIC_ID_PREFIX));
    assert!(record.token_hash().ct_eq(&hash));
    // The expiry counts from when the configuration was built.
    assert_eq!(record.expires_at(), Some(1_060));
    assert_eq!(
        (record.max_uses(), record.max_clients(), record.uses()),
        (Some(3), Some(2), 0)
    );
    assert!(!record.revoked() && record.policy().is_none());
    assert!(configured.static_token_by_id(record.id()).is_some());
    assert!(
        configured
            .static_token(&CredentialHash::of("another"))
            .is_none()
    );
}

#[test]
fn static_token_ids_are_stable_and_reveal_nothing_of_the_token() {
    let id = static_token_id("static-token-0123456789");
    assert_eq!(id, static_token_id("static-token-0123456789"));
    assert_ne!(id, static_token_id("static-token-0123456788"));
    assert!(!id.contains("0123456789"), "{id}");
    // 9 bytes of a hash, base64url: 12 characters after the prefix.
    assert_eq!(id.len(), STATIC_ID_PREFIX.len() + 12, "{id}");
}

#[test]
fn an_expiry_shorter_than_a_second_lasts_one_second() {
    let record = InitialAccessTokenOptions::new()
        .expires_in(Duration::from_millis(10))
        .record("t".to_owned(), CredentialHash::of("t"), 500);
    assert_eq!(record.expires_at(), Some(501));
    let record = InitialAccessTokenOptions::new()
        .expires_in(Duration::from_secs(u64::MAX))
        .record("t".to_owned(), CredentialHash::of("t"), 500);
    assert_eq!(record.expires_at(), Some(u64::MAX), "saturates");
}

#[test]
fn debug_of_token_options_shows_the_limits_and_the_policy_name() {
    let options = InitialAccessTokenOptions::new()
        .expires_in(Duration::from_secs(60))
        .max_uses(3)
        .max_clients(2)
        .policy("partner");
    assert_eq!(
        format!("{options:?}"),
        "InitialAccessTokenOptions { expires_in: Some(60s), max_uses: Some(3), max_clients: Some(2), policy: Some(\"partner\") }"
    );
}

#[test]
fn the_terms_that_differ_are_named_an_expiry_by_its_presence() {
    let configured = |options: InitialAccessTokenOptions| {
        statics(&[("static-token-0123456789", options)], &["partner"])
            .expect("config")
            .static_token(&CredentialHash::of("static-token-0123456789"))
            .expect("by hash")
            .clone()
    };
    let recorded = configured(
        InitialAccessTokenOptions::new()
            .expires_in(Duration::from_secs(60))
            .max_uses(3),
    );
    // The same terms, another build time: nothing differs.
    let same = configured(
        InitialAccessTokenOptions::new()
            .expires_in(Duration::from_secs(3_600))
            .max_uses(3),
    );
    assert_eq!(differing_terms(&same, &recorded), Vec::<&str>::new());
    let other = configured(
        InitialAccessTokenOptions::new()
            .max_uses(1)
            .max_clients(2)
            .policy("partner"),
    );
    assert_eq!(
        differing_terms(&other, &recorded),
        ["expiry", "max_uses", "max_clients", "policy"]
    );
}
