use super::*;

/// IAT-5: a token's use is spent only when the client is stored.
///
/// A reservation dropped without being committed gives its use back. Also: once its uses are
/// committed, from its expiry second on, or once revoked, a token (like an unknown one) is
/// refused as `Refusal::Invalid` by `reserve`.
#[test]
fn uses_expiry_and_revocation_end_a_token() {
    let tokens = InitialAccessTokens::default();
    tokens.add(
        "a".into(),
        "tok-a",
        &InitialAccessTokenOptions::new().max_uses(2),
        100,
    );
    tokens.add(
        "b".into(),
        "tok-b",
        &InitialAccessTokenOptions::new().expires_in(Duration::from_secs(10)),
        100,
    );
    tokens.reserve("tok-a", 100).expect("first use").commit();
    let second = tokens.reserve("tok-a", 100).expect("second use");
    assert_eq!(tokens.reserve("tok-a", 100).err(), Some(Refusal::Invalid));
    // A registration that is not committed (failed, or its request dropped) gives it back.
    drop(second);
    tokens
        .reserve("tok-a", 100)
        .expect("use given back")
        .commit();
    assert_eq!(tokens.reserve("tok-a", 100).err(), Some(Refusal::Invalid));
    assert!(tokens.reserve("tok-b", 109).is_ok());
    assert_eq!(tokens.reserve("tok-b", 110).err(), Some(Refusal::Invalid));
    assert_eq!(tokens.reserve("nope", 100).err(), Some(Refusal::Invalid));
    assert!(tokens.revoke("a"));
    assert_eq!(tokens.reserve("tok-a", 100).err(), Some(Refusal::Invalid));
}

/// IAT-4: a token whose quota of live clients is reached gets 403 `insufficient_scope`.
#[test]
fn client_quota_frees_a_slot_on_delete() {
    let tokens = InitialAccessTokens::default();
    tokens.add(
        "q".into(),
        "tok",
        &InitialAccessTokenOptions::new().max_clients(1),
        0,
    );
    let first = tokens.reserve("tok", 0).expect("first client");
    let id = first.id().to_owned();
    first.commit();
    assert_eq!(
        tokens.reserve("tok", 0).err(),
        Some(Refusal::Quota(id.clone()))
    );
    tokens.client_deleted(&id);
    assert!(tokens.reserve("tok", 0).is_ok());
}

/// IAT-5: a token's use is spent only when the client is stored.
#[test]
fn concurrent_uses_never_exceed_the_limit() {
    let tokens = Arc::new(InitialAccessTokens::default());
    tokens.add(
        "c".into(),
        "tok",
        &InitialAccessTokenOptions::new().max_uses(10),
        0,
    );
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let tokens = Arc::clone(&tokens);
            std::thread::spawn(move || {
                (0..10)
                    .filter_map(|_| tokens.reserve("tok", 0).ok())
                    .map(Reservation::commit)
                    .count()
            })
        })
        .collect();
    let granted: usize = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    assert_eq!(granted, 10);
}

#[test]
fn debug_of_token_options_shows_the_limits_and_whether_a_policy_is_set() {
    // A policy is a trait object: the options print whether one is set, not what it is.
    let options = InitialAccessTokenOptions::new()
        .expires_in(Duration::from_secs(60))
        .max_uses(3)
        .max_clients(2);
    assert_eq!(
        format!("{options:?}"),
        "InitialAccessTokenOptions { expires_in: Some(60s), max_uses: Some(3), max_clients: Some(2), policy: false }"
    );
}
