//! The initial access token contract of every store: records that round-trip and are unique by
//! id and by hash, revocation, and registrations with a token that spend its uses and respect
//! its client quota atomically, also when they race; a quota counted from the live clients, so
//! that deletions and the expiry of unused clients free slots and no count drifts.

use std::sync::Arc;

use tower_oidc_registration::{
    Caller, ClientRecord, ClientStore, CredentialHash, InitialAccessTokenRecord, StoreError,
    TokenRefusal,
};

use super::{RACERS, record, stored};

/// The time of every registration here, in seconds since the epoch.
const NOW: u64 = 1_800_000_000;

/// A token `id`, whose hash derives from its id, without terms.
fn token(id: &str) -> InitialAccessTokenRecord {
    InitialAccessTokenRecord::new(id.to_owned(), CredentialHash::of(&format!("token of {id}")))
}

/// Client `client_id` (fields from `n`), registered with token `token_id`.
fn client_of(token_id: &str, client_id: &str, n: u8) -> Arc<ClientRecord> {
    Arc::new(
        record(client_id, n).with_registered_by(Caller::InitialAccessToken {
            id: token_id.to_owned(),
        }),
    )
}

async fn insert_token(store: &dyn ClientStore, token: InitialAccessTokenRecord) {
    store
        .insert_initial_access_token(token)
        .await
        .expect("insert the token");
}

async fn read_token(store: &dyn ClientStore, id: &str) -> InitialAccessTokenRecord {
    store
        .initial_access_token_by_id(id)
        .await
        .expect("read the token")
        .unwrap_or_else(|| panic!("token {id} is stored"))
}

/// Every field of a token, comparable (hashes have no `==`).
fn token_fields(t: &InitialAccessTokenRecord) -> String {
    format!(
        "id={} hash={:?} expires_at={:?} max_uses={:?} uses={} max_clients={:?} revoked={} \
         policy={:?} live={}",
        t.id(),
        t.token_hash().as_bytes(),
        t.expires_at(),
        t.max_uses(),
        t.uses(),
        t.max_clients(),
        t.revoked(),
        t.policy(),
        t.live_clients()
    )
}

/// Registers `client` with its token at [`NOW`]: the refusal, if any.
async fn register(store: &dyn ClientStore, client: Arc<ClientRecord>) -> Result<(), TokenRefusal> {
    match store.insert_with_initial_access_token(client, NOW).await {
        Ok(()) => Ok(()),
        Err(StoreError::InitialAccessTokenRefused(refusal)) => Err(refusal),
        Err(other) => panic!("neither stored nor refused by the token: {other}"),
    }
}

pub(crate) async fn initial_access_tokens_round_trip_and_are_unique_by_id_and_hash(
    store: Arc<dyn ClientStore>,
) {
    let full = token("full")
        .with_expires_at(Some(NOW + 60))
        .with_max_uses(Some(5))
        .with_uses(2)
        .with_max_clients(Some(3))
        .with_policy(Some("partner".to_owned()))
        // Counted by the store, never stored: ignored on insert.
        .with_live_clients(9);
    let bare = token("bare");
    insert_token(&*store, full.clone()).await;
    insert_token(&*store, bare.clone()).await;
    for (want, live) in [(&full, 0), (&bare, 0)] {
        let want = want.clone().with_live_clients(live);
        let by_id = read_token(&*store, want.id()).await;
        assert_eq!(token_fields(&by_id), token_fields(&want));
        let by_hash = store
            .initial_access_token_by_hash(want.token_hash())
            .await
            .expect("read by hash")
            .expect("found by hash");
        assert_eq!(token_fields(&by_hash), token_fields(&want));
    }
    // A second token of the same id, or of the same hash, is refused, and changes nothing.
    let same_id = InitialAccessTokenRecord::new("full".to_owned(), CredentialHash::of("other"));
    let same_hash = InitialAccessTokenRecord::new("other".to_owned(), *full.token_hash());
    for duplicate in [same_id, same_hash] {
        assert!(matches!(
            store.insert_initial_access_token(duplicate).await,
            Err(StoreError::AlreadyExists)
        ));
    }
    assert_eq!(
        token_fields(&read_token(&*store, "full").await),
        token_fields(&full.clone().with_live_clients(0))
    );
    assert!(
        store
            .initial_access_token_by_id("other")
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        store
            .initial_access_token_by_hash(&CredentialHash::of("other"))
            .await
            .expect("read")
            .is_none()
    );
    // Ids are compared exactly.
    assert!(
        store
            .initial_access_token_by_id("Full")
            .await
            .expect("read")
            .is_none()
    );
}

pub(crate) async fn a_registration_with_a_token_spends_one_use_and_stores_the_client(
    store: Arc<dyn ClientStore>,
) {
    insert_token(&*store, token("twice").with_max_uses(Some(2))).await;
    for (n, id) in [(1, "first"), (2, "second")] {
        register(&*store, client_of("twice", id, n))
            .await
            .expect("within the uses");
        assert_eq!(read_token(&*store, "twice").await.uses(), u64::from(n));
        assert_eq!(
            stored(&*store, id).await.registered_by(),
            &Caller::InitialAccessToken {
                id: "twice".to_owned()
            }
        );
    }
    assert_eq!(
        register(&*store, client_of("twice", "third", 3)).await,
        Err(TokenRefusal::Spent)
    );
    assert!(store.get("third").await.expect("get").is_none());
    assert_eq!(read_token(&*store, "twice").await.uses(), 2);
    // Without terms, uses are counted all the same; a use beyond the signed 64-bit range of
    // the SQL stores is as good as unlimited, as is an expiry beyond it.
    insert_token(
        &*store,
        token("lasting")
            .with_max_uses(Some(u64::MAX))
            .with_expires_at(Some(u64::MAX)),
    )
    .await;
    insert_token(&*store, token("free")).await;
    for (n, token_id) in [(4, "lasting"), (5, "free")] {
        register(&*store, client_of(token_id, &format!("by-{token_id}"), n))
            .await
            .expect("no limit reached");
        assert_eq!(read_token(&*store, token_id).await.uses(), 1);
    }
    assert_eq!(store.count().await.expect("count"), 4);
}

pub(crate) async fn a_refused_registration_writes_nothing_and_spends_nothing(
    store: Arc<dyn ClientStore>,
) {
    insert_token(&*store, token("expiring").with_expires_at(Some(NOW + 1))).await;
    insert_token(&*store, token("expired").with_expires_at(Some(NOW))).await;
    register(&*store, client_of("expiring", "in-time", 1))
        .await
        .expect("valid in its last second");
    assert_eq!(
        register(&*store, client_of("expired", "late", 2)).await,
        Err(TokenRefusal::Expired),
        "refused from its expiry second on"
    );
    assert_eq!(
        register(&*store, client_of("nobody", "orphan", 3)).await,
        Err(TokenRefusal::Unknown)
    );
    // A record that no token registered is no registration with a token.
    let hosted = Arc::new(record("hosted", 4).with_registered_by(Caller::Host));
    assert_eq!(register(&*store, hosted).await, Err(TokenRefusal::Unknown));
    for id in ["late", "orphan", "hosted"] {
        assert!(store.get(id).await.expect("get").is_none(), "{id}");
    }
    assert_eq!(read_token(&*store, "expired").await.uses(), 0);
    // An id that is taken: the client stays as it was, and the token's use is not spent.
    let before = stored(&*store, "in-time").await;
    assert!(matches!(
        store
            .insert_with_initial_access_token(client_of("expiring", "in-time", 9), NOW)
            .await,
        Err(StoreError::AlreadyExists)
    ));
    super::assert_same(&stored(&*store, "in-time").await, &before);
    assert_eq!(read_token(&*store, "expiring").await.uses(), 1);
    assert_eq!(store.count().await.expect("count"), 1);
}

pub(crate) async fn revoking_a_token_refuses_it_and_keeps_its_record(store: Arc<dyn ClientStore>) {
    insert_token(
        &*store,
        token("revocable").with_policy(Some("partner".to_owned())),
    )
    .await;
    register(&*store, client_of("revocable", "before", 1))
        .await
        .expect("before the revocation");
    store
        .revoke_initial_access_token("revocable")
        .await
        .expect("revoke");
    store
        .revoke_initial_access_token("revocable")
        .await
        .expect("revoke again: no change");
    let revoked = read_token(&*store, "revocable").await;
    assert!(revoked.revoked());
    // The record stays: the policy of the clients it registered is read from it.
    assert_eq!(revoked.policy(), Some("partner"));
    assert_eq!(revoked.uses(), 1);
    assert_eq!(
        register(&*store, client_of("revocable", "after", 2)).await,
        Err(TokenRefusal::Revoked)
    );
    assert!(store.get("before").await.expect("get").is_some());
    assert!(matches!(
        store.revoke_initial_access_token("nobody").await,
        Err(StoreError::NotFound)
    ));
}

/// The live clients of a token, as a lookup counts them.
async fn live_clients(store: &dyn ClientStore, token_id: &str) -> u64 {
    read_token(store, token_id).await.live_clients()
}

pub(crate) async fn the_client_quota_counts_live_clients_freed_by_deletion_and_expiry(
    store: Arc<dyn ClientStore>,
) {
    insert_token(&*store, token("pair").with_max_clients(Some(2))).await;
    insert_token(&*store, token("other").with_max_clients(Some(1))).await;
    register(&*store, client_of("pair", "a", 1))
        .await
        .expect("a");
    register(&*store, client_of("pair", "b", 2))
        .await
        .expect("b");
    // Another token's clients count for that token only.
    register(&*store, client_of("other", "c", 3))
        .await
        .expect("c");
    assert_eq!(live_clients(&*store, "pair").await, 2);
    assert_eq!(
        register(&*store, client_of("pair", "d", 4)).await,
        Err(TokenRefusal::ClientQuota)
    );
    // A quota refusal spends no use.
    assert_eq!(read_token(&*store, "pair").await.uses(), 2);

    // A deletion frees a slot.
    store.delete("a", 1).await.expect("delete a");
    assert_eq!(live_clients(&*store, "pair").await, 1);
    register(&*store, client_of("pair", "d", 4))
        .await
        .expect("the freed slot");
    assert_eq!(
        register(&*store, client_of("pair", "e", 5)).await,
        Err(TokenRefusal::ClientQuota)
    );
    // So does the expiry of unused clients ("b" and "d" were registered long before NOW, and
    // "c" too: every client goes).
    let mut expired = store.delete_unused(NOW, 10).await.expect("expire");
    expired.sort();
    assert_eq!(expired, ["b", "c", "d"]);
    // No live client left, and no count below zero: exactly two may be registered again.
    assert_eq!(live_clients(&*store, "pair").await, 0);
    for (n, id) in [(6, "f"), (7, "g")] {
        register(&*store, client_of("pair", id, n))
            .await
            .expect("a slot");
    }
    assert_eq!(
        register(&*store, client_of("pair", "h", 8)).await,
        Err(TokenRefusal::ClientQuota)
    );
    // A token without a quota reads no count.
    insert_token(&*store, token("unlimited")).await;
    register(&*store, client_of("unlimited", "i", 9))
        .await
        .expect("unlimited");
    assert_eq!(live_clients(&*store, "unlimited").await, 0);
}

/// `RACERS` registrations with token `token_id` at once, each its own client: how many were
/// stored, and every refusal.
async fn race(store: &Arc<dyn ClientStore>, token_id: &str) -> (usize, Vec<TokenRefusal>) {
    let start = Arc::new(tokio::sync::Barrier::new(usize::from(RACERS)));
    let tasks: Vec<_> = (0..RACERS)
        .map(|n| {
            let (store, start) = (Arc::clone(store), Arc::clone(&start));
            let client = client_of(token_id, &format!("racer-{n}"), n);
            tokio::spawn(async move {
                start.wait().await;
                register(&*store, client).await
            })
        })
        .collect();
    let (mut stored, mut refusals) = (0, Vec::new());
    for task in tasks {
        match task.await.expect("join") {
            Ok(()) => stored += 1,
            Err(refusal) => refusals.push(refusal),
        }
    }
    (stored, refusals)
}

pub(crate) async fn concurrent_registrations_with_a_single_use_token_have_exactly_one_winner(
    store: Arc<dyn ClientStore>,
) {
    insert_token(&*store, token("once").with_max_uses(Some(1))).await;
    let (stored, refusals) = race(&store, "once").await;
    assert_eq!(stored, 1, "refusals: {refusals:?}");
    assert!(
        refusals.iter().all(|r| *r == TokenRefusal::Spent),
        "{refusals:?}"
    );
    assert_eq!(store.count().await.expect("count"), 1);
    assert_eq!(read_token(&*store, "once").await.uses(), 1);
}

pub(crate) async fn concurrent_registrations_never_exceed_the_client_quota(
    store: Arc<dyn ClientStore>,
) {
    insert_token(&*store, token("pair").with_max_clients(Some(2))).await;
    let (stored, refusals) = race(&store, "pair").await;
    assert_eq!(stored, 2, "refusals: {refusals:?}");
    assert!(
        refusals.iter().all(|r| *r == TokenRefusal::ClientQuota),
        "{refusals:?}"
    );
    assert_eq!(store.count().await.expect("count"), 2);
    assert_eq!(live_clients(&*store, "pair").await, 2);
    assert_eq!(read_token(&*store, "pair").await.uses(), 2);
}

/// Writes of every kind at once (as a store that batches them would put in one transaction):
/// plain inserts, inserts of a taken id, registrations with a spent token and with a usable
/// one. Each has its own outcome: a refusal or a taken id fails that write alone, and the
/// refused ones leave no trace (no client, no use spent).
pub(crate) async fn concurrent_writes_of_every_kind_keep_their_own_outcomes(
    store: Arc<dyn ClientStore>,
) {
    super::insert(&*store, record("taken", 0)).await;
    insert_token(&*store, token("spent").with_max_uses(Some(0))).await;
    insert_token(&*store, token("usable")).await;
    let start = Arc::new(tokio::sync::Barrier::new(usize::from(RACERS)));
    let tasks: Vec<_> = (0..RACERS)
        .map(|n| {
            let (store, start) = (Arc::clone(&store), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                let outcome = match n % 4 {
                    0 => {
                        store
                            .insert(Arc::new(record(&format!("plain-{n}"), n)))
                            .await
                    }
                    1 => store.insert(Arc::new(record("taken", n))).await,
                    2 => {
                        let client = client_of("spent", &format!("refused-{n}"), n);
                        store.insert_with_initial_access_token(client, NOW).await
                    }
                    _ => {
                        let client = client_of("usable", &format!("token-{n}"), n);
                        store.insert_with_initial_access_token(client, NOW).await
                    }
                };
                (n, outcome)
            })
        })
        .collect();
    for task in tasks {
        let (n, outcome) = task.await.expect("join");
        match (n % 4, outcome) {
            (0 | 3, Ok(())) => {}
            (1, Err(StoreError::AlreadyExists)) => {}
            (2, Err(StoreError::InitialAccessTokenRefused(TokenRefusal::Spent))) => {}
            (kind, outcome) => panic!("write {n} (kind {kind}): {outcome:?}"),
        }
    }
    super::assert_same(&stored(&*store, "taken").await, &record("taken", 0));
    let per_kind = u64::from(RACERS) / 4;
    // The taken one, the plain inserts, the registrations with the usable token.
    assert_eq!(store.count().await.expect("count"), 1 + 2 * per_kind);
    assert_eq!(read_token(&*store, "spent").await.uses(), 0);
    assert_eq!(read_token(&*store, "usable").await.uses(), per_kind);
}
