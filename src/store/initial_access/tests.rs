use super::*;

fn token() -> InitialAccessTokenRecord {
    InitialAccessTokenRecord::new("t".to_owned(), CredentialHash::of("token"))
}

/// IAT-3: a missing initial access token is 401 bare `Bearer`; a wrong one 401 `invalid_token`.
/// IAT-4: a token whose quota of live clients is reached gets 403 `insufficient_scope`.
///
/// The refusals, in their order: revoked, expired (from the expiry second on), spent, then at
/// the client quota; a token without terms is never refused.
#[test]
fn a_token_is_refused_revoked_expired_spent_then_at_its_quota() {
    assert_eq!(token().refusal_at(u64::MAX), None);
    let expiring = token().with_expires_at(Some(100));
    assert_eq!(expiring.refusal_at(99), None);
    assert_eq!(expiring.refusal_at(100), Some(TokenRefusal::Expired));
    let once = token().with_max_uses(Some(1));
    assert_eq!(once.refusal_at(0), None);
    assert_eq!(
        once.clone().with_uses(1).refusal_at(0),
        Some(TokenRefusal::Spent)
    );
    assert_eq!(
        token().with_max_uses(Some(0)).refusal_at(0),
        Some(TokenRefusal::Spent)
    );
    let quota = token().with_max_clients(Some(2)).with_live_clients(1);
    assert_eq!(quota.refusal_at(0), None);
    assert_eq!(
        quota.clone().with_live_clients(2).refusal_at(0),
        Some(TokenRefusal::ClientQuota)
    );
    // Without a quota, live clients do not matter.
    assert_eq!(token().with_live_clients(u64::MAX).refusal_at(0), None);
    // Every reason at once: revoked first, then expired, then spent, then the quota.
    let all = token()
        .with_revoked(true)
        .with_expires_at(Some(0))
        .with_max_uses(Some(1))
        .with_uses(5)
        .with_max_clients(Some(0));
    assert_eq!(all.refusal_at(0), Some(TokenRefusal::Revoked));
    let all = all.with_revoked(false);
    assert_eq!(all.refusal_at(0), Some(TokenRefusal::Expired));
    let all = all.with_expires_at(None);
    assert_eq!(all.refusal_at(0), Some(TokenRefusal::Spent));
    let all = all.with_max_uses(None);
    assert_eq!(all.refusal_at(0), Some(TokenRefusal::ClientQuota));
}

#[test]
fn a_record_keeps_what_it_was_built_with() {
    let record = token()
        .with_expires_at(Some(7))
        .with_max_uses(Some(3))
        .with_uses(2)
        .with_max_clients(Some(4))
        .with_revoked(true)
        .with_policy(Some("partner".to_owned()))
        .with_live_clients(1);
    assert_eq!(record.id(), "t");
    assert!(record.token_hash().ct_eq(&CredentialHash::of("token")));
    assert_eq!(
        (record.expires_at(), record.max_uses(), record.uses()),
        (Some(7), Some(3), 2)
    );
    assert_eq!((record.max_clients(), record.live_clients()), (Some(4), 1));
    assert!(record.revoked());
    assert_eq!(record.policy(), Some("partner"));
    // Never the token, nor its hash.
    assert!(format!("{record:?}").contains("[redacted]"));
}
