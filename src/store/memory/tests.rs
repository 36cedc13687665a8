use super::*;
use crate::metadata::ClientMetadata;
use crate::store::MetadataJson;
use crate::token::CredentialHash;

fn record(id: &str) -> Arc<ClientRecord> {
    Arc::new(ClientRecord::new(
        id.to_owned(),
        None,
        0,
        1,
        CredentialHash::of("t"),
        MetadataJson::render(&ClientMetadata::default()),
    ))
}

/// `base` at `version` with another issue time: a distinguishable replacement.
fn next(base: &Arc<ClientRecord>, version: u64, issued_at: u64) -> Arc<ClientRecord> {
    let mut r = ClientRecord::clone(base);
    r.version = version;
    r.client_id_issued_at = issued_at;
    Arc::new(r)
}

#[test]
fn keys_are_inline_up_to_a_cache_line_and_compare_as_bytes() {
    assert_eq!(std::mem::size_of::<(ClientKey, Slot)>(), 64);
    let short = ClientKey::new("4b2556d7-65c5-4a15-81c0-7b80c604940e");
    assert!(matches!(short, ClientKey::Inline { .. }));
    let long_id = "x".repeat(INLINE_KEY + 1);
    let long = ClientKey::new(&long_id);
    assert!(matches!(long, ClientKey::Heap(_)));
    assert_eq!(long.as_bytes(), long_id.as_bytes());
    assert_ne!(short, long);
}

#[test]
fn the_clients_map_has_many_shards_so_that_each_table_doubles_in_little_time() {
    let shards = client_shards();
    assert!(shards >= MIN_CLIENT_SHARDS, "{shards} shards");
    assert!(shards.is_power_of_two(), "{shards} shards");
}

#[tokio::test]
async fn an_unbounded_store_counts_its_clients() {
    let store = MemoryStore::unbounded();
    for i in 0..3 {
        store
            .insert(record(&format!("c{i}")))
            .await
            .expect("insert");
    }
    assert!(matches!(
        store.insert(record("c0")).await,
        Err(StoreError::AlreadyExists)
    ));
    assert_eq!(store.count().await.expect("count"), 3);
    store.delete("c1", 1).await.expect("delete");
    assert_eq!(store.count().await.expect("count"), 2);
}

#[test]
fn keys_show_as_the_client_id_inline_or_not() {
    // What a `Debug` of the store's map prints: the ids, whichever way each is kept.
    let long = "x".repeat(INLINE_KEY + 1);
    assert_eq!(format!("{:?}", ClientKey::new("client-1")), "client-1");
    assert_eq!(format!("{:?}", ClientKey::new(&long)), long);
}

#[tokio::test]
async fn ids_longer_than_the_inline_key_work() {
    let store = MemoryStore::new();
    let id = "y".repeat(200);
    store.insert(record(&id)).await.expect("insert");
    assert!(store.get(&id).await.expect("get").is_some());
    assert!(store.get(&id[..199]).await.expect("get").is_none());
    store.delete(&id, 1).await.expect("delete");
}

/// ECHO-2: each client gets a `client_id` no other client has.
#[tokio::test]
async fn insert_never_overwrites() {
    let store = MemoryStore::new();
    store.insert(record("a")).await.expect("insert");
    let other = next(&record("a"), 1, 99);
    assert!(matches!(
        store.insert(other).await,
        Err(StoreError::AlreadyExists)
    ));
    let got = store.get("a").await.expect("get").expect("present");
    assert_eq!(got.client_id_issued_at, 1);
    assert_eq!(store.count().await.expect("count"), 1);
}

#[tokio::test]
async fn replace_is_compare_and_swap_on_version() {
    let store = MemoryStore::new();
    let base = record("a");
    store.insert(Arc::clone(&base)).await.expect("insert");
    store
        .replace(next(&base, 2, 2), 1)
        .await
        .expect("replace v1");
    let got = store.get("a").await.expect("get").expect("present");
    assert_eq!((got.version, got.client_id_issued_at), (2, 2));
    // A writer that read version 1 loses: nothing changes.
    assert!(matches!(
        store.replace(next(&base, 2, 3), 1).await,
        Err(StoreError::Conflict)
    ));
    // A replacement must carry the next version.
    assert!(matches!(
        store.replace(next(&base, 7, 3), 2).await,
        Err(StoreError::Conflict)
    ));
    let got = store.get("a").await.expect("get").expect("present");
    assert_eq!((got.version, got.client_id_issued_at), (2, 2));
    assert!(matches!(
        store.replace(next(&record("missing"), 2, 1), 1).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn delete_is_guarded_by_version() {
    let store = MemoryStore::new();
    store.insert(record("a")).await.expect("insert");
    assert!(matches!(
        store.delete("a", 7).await,
        Err(StoreError::Conflict)
    ));
    assert!(store.get("a").await.expect("get").is_some());
    store.delete("a", 1).await.expect("delete");
    assert!(store.get("a").await.expect("get").is_none());
    assert!(matches!(
        store.delete("a", 1).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.count().await.expect("count"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replacements_have_exactly_one_winner_per_version() {
    let store = MemoryStore::new();
    store.insert(record("a")).await.expect("insert");
    let mut tasks = Vec::new();
    for i in 0..16u64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .replace(next(&record("a"), 2, 100 + i), 1)
                .await
                .is_ok()
        }));
    }
    let mut winners = 0;
    for t in tasks {
        winners += usize::from(t.await.expect("join"));
    }
    assert_eq!(winners, 1);
    let got = store.get("a").await.expect("get").expect("present");
    assert_eq!(got.version, 2);
}

/// The expiry scan reads every client: with a million of them that is milliseconds of work,
/// which must not stall the other requests of the runtime thread it was called on.
#[test]
fn the_expiry_scan_leaves_the_runtime_thread_to_other_tasks() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(1)
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = MemoryStore::new();
        for i in 0..100 {
            store
                .insert(record(&format!("c{i}")))
                .await
                .expect("insert");
        }
        // The one blocking thread is busy until another task of this runtime thread runs:
        // the scan gets done only if it lets that task run first.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let blocker = tokio::task::spawn_blocking(move || wait.recv());
        let other_task_ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&other_task_ran);
        tokio::spawn(async move {
            flag.store(true, Ordering::SeqCst);
            let _ = release.send(());
        });
        let deleted = store.delete_unused(u64::MAX, 10).await.expect("scan");
        assert!(
            other_task_ran.load(Ordering::SeqCst),
            "the scan held the runtime thread"
        );
        assert_eq!(deleted.len(), 10);
        assert_eq!(store.count().await.expect("count"), 90);
        blocker.await.expect("join").expect("released");
    });
}

#[tokio::test]
async fn stale_rate_limit_states_are_forgotten_every_sweep() {
    use super::rate_limit::SWEEP_EVERY;
    use crate::rate_limit::Gcra;

    const T0: u64 = 1_800_000_000_000;
    let store = MemoryStore::new();
    let limit = Gcra::new(1_000, 0);
    let keys = usize::try_from(SWEEP_EVERY).expect("small");
    for n in 0..keys {
        store
            .rate_limit(&format!("old-{n}"), limit, T0)
            .await
            .expect("rate limit");
    }
    // A sweep ran at the last of them, with nothing stale yet.
    assert_eq!(store.rate_limits.len(), keys);
    let later = T0 + 10_000;
    for n in 0..keys - 1 {
        store
            .rate_limit(&format!("new-{n}"), limit, later)
            .await
            .expect("rate limit");
    }
    assert_eq!(
        store.rate_limits.len(),
        2 * keys - 1,
        "no sweep between two"
    );
    // The next new key sweeps: the old states are past, the new ones are not.
    store
        .rate_limit("last", limit, later)
        .await
        .expect("rate limit");
    assert_eq!(store.rate_limits.len(), keys);
}

#[tokio::test]
async fn a_flood_of_new_keys_never_grows_the_rate_limit_states_past_their_bound() {
    use crate::rate_limit::{Gcra, RateDecision};

    const T0: u64 = 1_800_000_000_000;
    const MAX: usize = 64;
    let store = with_max_rate_limit_states(MAX);
    // Live for a minute each.
    let limit = Gcra::new(60_000, 0);
    for n in 0..MAX {
        let key = format!("address-{n}");
        assert_eq!(
            store.rate_limit(&key, limit, T0).await.expect("rate limit"),
            RateDecision::Allowed
        );
    }
    // Full of live keys: a new one waits a second, and is not remembered; held ones go on.
    for n in MAX..4 * MAX {
        let key = format!("address-{n}");
        assert_eq!(
            store
                .rate_limit(&key, limit, T0 + 1_000)
                .await
                .expect("rate limit"),
            RateDecision::Limited {
                retry_after_ms: 1_000
            }
        );
    }
    assert_eq!(store.rate_limits.len(), MAX);
    assert_eq!(
        store
            .rate_limit("address-0", limit, T0 + 60_000)
            .await
            .expect("rate limit"),
        RateDecision::Allowed
    );
    // Once the states are past, a full map is swept and new keys are held again.
    let later = T0 + 120_001;
    assert_eq!(
        store
            .rate_limit("late", limit, later)
            .await
            .expect("rate limit"),
        RateDecision::Allowed
    );
    assert_eq!(store.rate_limits.len(), 1);
}

/// A store whose rate limit states hold at most `max` keys.
fn with_max_rate_limit_states(max: usize) -> MemoryStore {
    MemoryStore {
        rate_limits: Arc::new(super::rate_limit::RateStates::with_max_states(max)),
        ..MemoryStore::new()
    }
}

#[tokio::test]
async fn a_full_map_is_swept_at_most_once_a_second_and_always_holds_the_servers_key() {
    use crate::rate_limit::{Gcra, OVERALL_KEY, RateDecision};

    const T0: u64 = 1_800_000_000_000;
    let store = with_max_rate_limit_states(8);
    let decide = |key: String, limit: Gcra, now: u64| {
        let store = store.clone();
        async move {
            store
                .rate_limit(&key, limit, now)
                .await
                .expect("rate limit")
        }
    };
    // Eight keys live for 500 ms: the map is full.
    let short = Gcra::new(500, 0);
    for n in 0..8 {
        decide(format!("address-{n}"), short, T0).await;
    }
    let full = RateDecision::Limited {
        retry_after_ms: 1_000,
    };
    // A new key sweeps (nothing is past yet) and is refused.
    assert_eq!(decide("new".into(), short, T0 + 100).await, full);
    // At 600 ms every state is past, but the last sweep was 500 ms ago: no sweep yet.
    assert_eq!(decide("new".into(), short, T0 + 600).await, full);
    assert_eq!(store.rate_limits.len(), 8);
    // The server's own key is held all the same.
    let overall = Gcra::new(1_000, 1_000);
    assert_eq!(
        decide(OVERALL_KEY.into(), overall, T0 + 600).await,
        RateDecision::Allowed
    );
    assert_eq!(store.rate_limits.len(), 9);
    // A second after the last sweep, the next one empties the map of the past states.
    assert_eq!(
        decide("new".into(), short, T0 + 1_100).await,
        RateDecision::Allowed
    );
    assert_eq!(
        store.rate_limits.len(),
        2,
        "the server's key and the new one"
    );
}

#[tokio::test]
async fn a_store_holds_no_more_clients_than_its_bound_and_a_removal_frees_a_slot() {
    let store = MemoryStore::with_max_clients(2);
    assert_eq!(store.max_clients(), Some(2));
    store.insert(record("a")).await.expect("a");
    // An id collision takes no slot.
    assert!(matches!(
        store.insert(record("a")).await,
        Err(StoreError::AlreadyExists)
    ));
    store.insert(record("b")).await.expect("b");
    assert!(matches!(
        store.insert(record("c")).await,
        Err(StoreError::Full { max_clients: 2 })
    ));
    assert!(store.get("c").await.expect("get").is_none());
    store.delete("a", 1).await.expect("delete");
    store.insert(record("c")).await.expect("a slot was freed");
    // The expiry of unused clients frees slots too.
    assert_eq!(
        store
            .delete_unused(u64::MAX, 10)
            .await
            .expect("expire")
            .len(),
        2
    );
    store.insert(record("d")).await.expect("d");
    store.insert(record("e")).await.expect("e");
    assert_eq!(store.count().await.expect("count"), 2);
}

#[tokio::test]
async fn a_registration_with_a_token_is_bounded_too_and_spends_nothing_when_refused() {
    use crate::context::Caller;
    use crate::store::InitialAccessTokenRecord;

    let store = MemoryStore::with_max_clients(1);
    let token = InitialAccessTokenRecord::new("t".to_owned(), CredentialHash::of("t"));
    store
        .insert_initial_access_token(token)
        .await
        .expect("token");
    let with_token = |id: &str| {
        Arc::new(
            ClientRecord::clone(&record(id))
                .with_registered_by(Caller::InitialAccessToken { id: "t".to_owned() }),
        )
    };
    store.insert(record("a")).await.expect("a");
    assert!(matches!(
        store
            .insert_with_initial_access_token(with_token("b"), 1)
            .await,
        Err(StoreError::Full { max_clients: 1 })
    ));
    let token = store
        .initial_access_token_by_id("t")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(token.uses(), 0, "a refused registration spends no use");
    store.delete("a", 1).await.expect("delete");
    store
        .insert_with_initial_access_token(with_token("b"), 1)
        .await
        .expect("b");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_inserts_never_exceed_the_bound() {
    let store = MemoryStore::with_max_clients(5);
    let tasks: Vec<_> = (0..32)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move { store.insert(record(&format!("c{n}"))).await.is_ok() })
        })
        .collect();
    let mut stored = 0;
    for task in tasks {
        stored += usize::from(task.await.expect("join"));
    }
    assert_eq!(stored, 5);
    assert_eq!(store.count().await.expect("count"), 5);
}

#[test]
fn the_default_store_is_bounded_and_unbounded_says_so() {
    assert_eq!(MemoryStore::new().max_clients(), Some(10_000));
    assert_eq!(
        MemoryStore::default().max_clients(),
        Some(MemoryStore::DEFAULT_MAX_CLIENTS)
    );
    assert_eq!(MemoryStore::unbounded().max_clients(), None);
}
