//! One store conformance suite, run against every store: the in-memory store always,
//! `SqliteStore` (on a fresh temporary file per test) with the `sqlite` feature, and
//! `PostgresStore` (in a fresh schema per test of the database named by
//! `TOWER_OIDC_REGISTRATION_POSTGRES_URL`) with the `postgres` feature; each SQL store twice,
//! with the default table names and with names (and, for PostgreSQL, a schema) of the host's
//! choosing. Without that variable
//! the PostgreSQL tests print "SKIPPED: set TOWER_OIDC_REGISTRATION_POSTGRES_URL" and pass,
//! except under CI (`common::under_ci`: `CI` set, not to `false` or `0`), where they fail: CI
//! never skips them. `scripts/test` starts a throwaway server and sets the variable.
//!
//! Each behaviour is a function taking an `Arc<dyn ClientStore>`; `suite!` instantiates every
//! behaviour as a test for one store factory. A new store joins by adding one `suite!` line.
//! The initial access token contract is in `conformance/initial_access.rs`, the rate limit
//! contract in `conformance/rate_limit.rs`.

mod initial_access;
mod rate_limit;

use std::sync::Arc;

use initial_access::{
    a_refused_registration_writes_nothing_and_spends_nothing,
    a_registration_with_a_token_spends_one_use_and_stores_the_client,
    concurrent_registrations_never_exceed_the_client_quota,
    concurrent_registrations_with_a_single_use_token_have_exactly_one_winner,
    concurrent_writes_of_every_kind_keep_their_own_outcomes,
    initial_access_tokens_round_trip_and_are_unique_by_id_and_hash,
    revoking_a_token_refuses_it_and_keeps_its_record,
    the_client_quota_counts_live_clients_freed_by_deletion_and_expiry,
};
use rate_limit::{
    a_refused_request_changes_no_state, a_state_written_by_a_clock_ahead_costs_at_most_a_minute,
    an_idle_key_gets_its_whole_burst_back_and_no_more,
    concurrent_callers_on_one_key_never_exceed_the_burst, rate_limit_keys_are_kept_apart,
    rate_limits_decide_exactly_at_the_boundaries,
};
use tower_oidc_registration::metadata::AuthMethod;
use tower_oidc_registration::{
    Caller, ClientRecord, ClientStore, CredentialHash, MemoryStore, MetadataJson, Secret,
    StoreError, StoredSecret,
};

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

/// Metadata with several members, as a store must keep it byte for byte.
fn metadata(name: &str) -> MetadataJson {
    let json = serde_json::json!({
        "redirect_uris": ["https://rp.example.org/cb", "https://rp.example.org/cb2?x=1"],
        "client_name": name,
        "client_name#fr": format!("{name} (fr)"),
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "contacts": ["ops@rp.example.org"],
        "default_max_age": 3600,
        "require_auth_time": true,
    });
    MetadataJson::from_stored(json.to_string()).expect("valid metadata")
}

/// A record whose every field derives from `n`, so that two records never share a field.
pub(crate) fn record(id: &str, n: u8) -> ClientRecord {
    let mut r = ClientRecord::new(
        id.to_owned(),
        Some(StoredSecret::Plain(Secret::new(format!("secret-{n}")))),
        2_000_000_000 + u64::from(n),
        1_700_000_000 + u64::from(n),
        CredentialHash::from_bytes([n; 32]),
        metadata(&format!("client {n}")),
    );
    r = r.with_auth_method(AuthMethod::ClientSecretPost);
    r = r.with_registered_by(Caller::InitialAccessToken {
        id: format!("iat-{n}"),
    });
    r
}

/// `base` at `version`, every other field changed (from `n`): a distinguishable replacement.
pub(crate) fn next(base: &ClientRecord, version: u64, n: u8) -> Arc<ClientRecord> {
    let mut r = record(base.client_id(), n);
    r = r.with_version(version);
    Arc::new(r)
}

fn secret_repr(secret: Option<&StoredSecret>) -> String {
    match secret {
        None => "none".to_owned(),
        Some(StoredSecret::Plain(s)) => format!("plain:{}", s.expose()),
        Some(StoredSecret::Hashed(h)) => format!("hashed:{:?}", h.as_bytes()),
        Some(_) => "unknown kind".to_owned(),
    }
}

/// Every field of a record, comparable (the record has no `PartialEq`: secrets have no `==`).
fn fields(r: &ClientRecord) -> String {
    format!(
        "id={:?} v={} token={:?} secret={} exp={} iat={} method={} by={:?} meta={}",
        r.client_id(),
        r.version(),
        r.registration_token_hash().as_bytes(),
        secret_repr(r.client_secret()),
        r.client_secret_expires_at(),
        r.client_id_issued_at(),
        r.token_endpoint_auth_method(),
        r.registered_by(),
        r.metadata().as_str(),
    )
}

#[track_caller]
pub(crate) fn assert_same(got: &ClientRecord, want: &ClientRecord) {
    assert_eq!(fields(got), fields(want));
}

/// Inserts `record`, which must be new.
async fn insert(store: &dyn ClientStore, record: ClientRecord) {
    store.insert(Arc::new(record)).await.expect("insert");
}

pub(crate) async fn stored(store: &dyn ClientStore, id: &str) -> ClientRecord {
    let got = store.get(id).await.expect("get");
    ClientRecord::clone(&got.unwrap_or_else(|| panic!("{id} is stored")))
}

/// Stores record `a`, then spoils each decoded column of it in turn: reading `a` must then be
/// a backend error naming the client and the column, and putting the column back must give
/// back the record as it was. `execute` runs an `UPDATE` (whose one parameter is written
/// `placeholder` in the backend's SQL) with the value bound; its last argument names the step.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
async fn assert_undecodable_columns_name_the_client(
    store: &dyn ClientStore,
    placeholder: &str,
    execute: impl AsyncFn(String, String, &str),
) {
    insert(store, record("a", 1)).await;
    let update = |column: &str| {
        format!(
            "UPDATE oidc_registration_clients SET {column} = {placeholder} WHERE client_id = 'a'"
        )
    };
    for (column, value) in [
        ("registered_by", "martian"),
        ("token_endpoint_auth_method", "telepathy"),
        ("metadata", "{\"grant_types\":\"x\"}"),
    ] {
        let before = stored(store, "a").await;
        execute(update(column), value.to_owned(), "spoil").await;
        match store.get("a").await {
            Err(StoreError::Backend(e)) => {
                let msg = e.to_string();
                assert!(msg.contains("\"a\"") && msg.contains(column), "{msg}");
            }
            other => panic!("{column}: {other:?}"),
        }
        // Put it back for the next column.
        let original = match column {
            "registered_by" => "iat:iat-1".to_owned(),
            "token_endpoint_auth_method" => "client_secret_post".to_owned(),
            _ => before.metadata().as_str().to_owned(),
        };
        execute(update(column), original, "restore").await;
        assert_same(&stored(store, "a").await, &before);
    }
}

/// Decides for 300 keys at once, then, ten seconds later when their states are past, admits one
/// key again and again: the SQL store's sweep, due every 256 decisions that take a row's lock (a
/// refusal read without one counts for nothing), must then have deleted the 300 stale states,
/// leaving the one live key. `rows` counts the rate limit table's rows.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
async fn assert_stale_rate_limit_states_are_deleted(
    store: &dyn ClientStore,
    rows: impl AsyncFn() -> i64,
) {
    use tower_oidc_registration::rate_limit::Gcra;
    const T0: u64 = 1_800_000_000_000;
    let limit = Gcra::new(1_000, 0);
    for n in 0..300 {
        store
            .rate_limit(&format!("key-{n}"), limit, T0)
            .await
            .expect("rate limit");
    }
    assert_eq!(rows().await, 300, "no state is stale yet");
    for n in 0..300 {
        store
            .rate_limit("live", limit, T0 + 10_000 + n * 1_000)
            .await
            .expect("rate limit");
    }
    assert_eq!(
        rows().await,
        1,
        "the stale states are deleted, the live one kept"
    );
}

// ---------------------------------------------------------------------------------------------
// Behaviours
// ---------------------------------------------------------------------------------------------

async fn insert_then_get_round_trips_every_field(store: Arc<dyn ClientStore>) {
    let plain = record("plain", 1);

    let mut hashed = record("hashed", 2);
    let expires_at = hashed.client_secret_expires_at();
    hashed = hashed.with_client_secret(
        Some(StoredSecret::Hashed(CredentialHash::of("the secret"))),
        expires_at,
    );
    hashed = hashed.with_auth_method(AuthMethod::ClientSecretJwt);
    hashed = hashed.with_registered_by(Caller::Anonymous);

    let mut public = record("public", 3);
    let expires_at = public.client_secret_expires_at();
    public = public.with_client_secret(None, expires_at);
    let secret = public.client_secret().cloned();
    public = public.with_client_secret(secret, 0);
    public = public.with_auth_method(AuthMethod::None);
    public = public.with_registered_by(Caller::Host);

    // A long id (beyond the memory store's inline keys), non-ASCII, a later version, and
    // metadata with nothing in it.
    let mut odd = record(&format!("ünïcode-{}", "x".repeat(100)), 4);
    odd = odd.with_version(7);
    odd = odd.with_metadata(MetadataJson::from_stored("{}".to_owned()).expect("empty metadata"));
    odd = odd.with_registered_by(Caller::InitialAccessToken { id: String::new() });
    odd = odd.with_auth_method(AuthMethod::PrivateKeyJwt);

    for r in [&plain, &hashed, &public, &odd] {
        insert(&*store, r.clone()).await;
    }
    for r in [&plain, &hashed, &public, &odd] {
        assert_same(&stored(&*store, r.client_id()).await, r);
    }
    // Secrets still verify after the round trip.
    let got = stored(&*store, "plain").await;
    assert!(got.client_secret().expect("secret").matches("secret-1"));
    let got = stored(&*store, "hashed").await;
    let secret = got.client_secret().expect("secret");
    assert!(secret.matches("the secret") && !secret.matches("the secreT"));
    assert!(secret.plain().is_none());
    assert_eq!(store.count().await.expect("count"), 4);
}

async fn insert_of_an_existing_id_is_refused_and_changes_nothing(store: Arc<dyn ClientStore>) {
    let first = record("a", 1);
    insert(&*store, first.clone()).await;
    let mut second = record("a", 2);
    second = second.with_version(5);
    assert!(matches!(
        store.insert(Arc::new(second)).await,
        Err(StoreError::AlreadyExists)
    ));
    assert_same(&stored(&*store, "a").await, &first);
    assert_eq!(store.count().await.expect("count"), 1);
}

async fn get_of_an_unknown_id_is_none(store: Arc<dyn ClientStore>) {
    assert!(store.get("nobody").await.expect("get").is_none());
    insert(&*store, record("a", 1)).await;
    assert!(store.get("nobody").await.expect("get").is_none());
    // Ids are compared exactly.
    assert!(store.get("A").await.expect("get").is_none());
    assert!(store.get("a ").await.expect("get").is_none());
    assert!(store.get("").await.expect("get").is_none());
}

async fn replace_with_the_current_version_stores_the_new_record(store: Arc<dyn ClientStore>) {
    let base = record("a", 1);
    insert(&*store, base.clone()).await;

    let v2 = next(&base, 2, 2);
    store.replace(Arc::clone(&v2), 1).await.expect("replace v1");
    assert_same(&stored(&*store, "a").await, &v2);

    // Every kind of field changes, secret kinds included.
    let mut v3 = ClientRecord::clone(&next(&base, 3, 3));
    let expires_at = v3.client_secret_expires_at();
    v3 = v3.with_client_secret(
        Some(StoredSecret::Hashed(CredentialHash::of("rotated"))),
        expires_at,
    );
    v3 = v3.with_registered_by(Caller::Host);
    v3 = v3.with_auth_method(AuthMethod::ClientSecretBasic);
    store
        .replace(Arc::new(v3.clone()), 2)
        .await
        .expect("replace v2");
    assert_same(&stored(&*store, "a").await, &v3);

    let mut v4 = ClientRecord::clone(&next(&base, 4, 4));
    let expires_at = v4.client_secret_expires_at();
    v4 = v4.with_client_secret(None, expires_at);
    v4 = v4.with_auth_method(AuthMethod::None);
    store
        .replace(Arc::new(v4.clone()), 3)
        .await
        .expect("replace v3");
    assert_same(&stored(&*store, "a").await, &v4);
    assert_eq!(store.count().await.expect("count"), 1);
}

async fn replace_with_a_stale_version_conflicts_and_changes_nothing(store: Arc<dyn ClientStore>) {
    let base = record("a", 1);
    insert(&*store, base.clone()).await;
    let v2 = next(&base, 2, 2);
    store.replace(Arc::clone(&v2), 1).await.expect("replace v1");
    // A writer that read version 1 loses.
    assert!(matches!(
        store.replace(next(&base, 2, 3), 1).await,
        Err(StoreError::Conflict)
    ));
    // A version from the future too.
    assert!(matches!(
        store.replace(next(&base, 4, 3), 3).await,
        Err(StoreError::Conflict)
    ));
    // A replacement must carry the next version.
    assert!(matches!(
        store.replace(next(&base, 7, 3), 2).await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        store.replace(next(&base, 2, 3), 2).await,
        Err(StoreError::Conflict)
    ));
    assert_same(&stored(&*store, "a").await, &v2);
}

async fn replace_of_an_unknown_id_is_not_found(store: Arc<dyn ClientStore>) {
    insert(&*store, record("a", 1)).await;
    assert!(matches!(
        store.replace(next(&record("missing", 1), 2, 2), 1).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.get("missing").await.expect("get").is_none());
    assert_eq!(store.count().await.expect("count"), 1);
}

async fn delete_with_a_stale_version_conflicts_and_keeps_the_record(store: Arc<dyn ClientStore>) {
    let base = record("a", 1);
    insert(&*store, base.clone()).await;
    let v2 = next(&base, 2, 2);
    store.replace(Arc::clone(&v2), 1).await.expect("replace");
    for stale in [1, 3, u64::MAX] {
        assert!(matches!(
            store.delete("a", stale).await,
            Err(StoreError::Conflict)
        ));
    }
    assert_same(&stored(&*store, "a").await, &v2);
}

async fn delete_removes_the_record(store: Arc<dyn ClientStore>) {
    insert(&*store, record("a", 1)).await;
    insert(&*store, record("b", 2)).await;
    store.delete("a", 1).await.expect("delete");
    assert!(store.get("a").await.expect("get").is_none());
    assert!(matches!(
        store.delete("a", 1).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete("nobody", 1).await,
        Err(StoreError::NotFound)
    ));
    assert_same(&stored(&*store, "b").await, &record("b", 2));
    // The id can be registered again.
    store
        .insert(Arc::new(record("a", 3)))
        .await
        .expect("insert again");
    assert_same(&stored(&*store, "a").await, &record("a", 3));
}

async fn count_up_to_stops_at_its_limit(store: Arc<dyn ClientStore>) {
    assert_eq!(store.count_up_to(5).await.expect("count"), 0);
    for (i, id) in ["a", "b", "c"].into_iter().enumerate() {
        insert(&*store, record(id, i as u8)).await;
    }
    for (limit, counted) in [(0, 0), (2, 2), (3, 3), (4, 3), (u64::MAX, 3)] {
        assert_eq!(
            store.count_up_to(limit).await.expect("count"),
            counted,
            "up to {limit}"
        );
    }
}

async fn count_counts_the_stored_clients(store: Arc<dyn ClientStore>) {
    assert_eq!(store.count().await.expect("count"), 0);
    for (i, id) in ["a", "b", "c"].into_iter().enumerate() {
        insert(&*store, record(id, i as u8)).await;
    }
    assert_eq!(store.count().await.expect("count"), 3);
    // A refused insert of an existing id adds nothing.
    assert!(matches!(
        store.insert(Arc::new(record("a", 9))).await,
        Err(StoreError::AlreadyExists)
    ));
    // A replacement changes a record, not how many there are (b is at version 2 after it)...
    store
        .replace(next(&record("b", 0), 2, 9), 1)
        .await
        .expect("replace");
    // ...and a stale one (c is at version 1, not 5) is refused.
    assert!(matches!(
        store.replace(next(&record("c", 0), 6, 9), 5).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.count().await.expect("count"), 3);
    store.delete("b", 2).await.expect("delete");
    assert_eq!(store.count().await.expect("count"), 2);
}

const RACERS: u8 = 16;

async fn concurrent_inserts_of_one_id_have_exactly_one_winner(store: Arc<dyn ClientStore>) {
    let start = Arc::new(tokio::sync::Barrier::new(usize::from(RACERS)));
    let tasks: Vec<_> = (0..RACERS)
        .map(|n| {
            let (store, start) = (Arc::clone(&store), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                (n, store.insert(Arc::new(record("contested", n))).await)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.expect("join") {
            (n, Ok(())) => winners.push(n),
            (_, Err(StoreError::AlreadyExists)) => {}
            (n, Err(e)) => panic!("racer {n}: {e}"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    assert_same(
        &stored(&*store, "contested").await,
        &record("contested", winners[0]),
    );
    assert_eq!(store.count().await.expect("count"), 1);
}

async fn concurrent_replacements_have_one_winner_and_no_torn_record(store: Arc<dyn ClientStore>) {
    let base = record("contested", 0);
    insert(&*store, base.clone()).await;
    let start = Arc::new(tokio::sync::Barrier::new(usize::from(RACERS)));
    let tasks: Vec<_> = (1..=RACERS)
        .map(|n| {
            let (store, start) = (Arc::clone(&store), Arc::clone(&start));
            let mut candidate = ClientRecord::clone(&next(&base, 2, n));
            // Alternate secret kinds, so that a torn write would mix them.
            if n % 2 == 0 {
                let secret =
                    StoredSecret::Hashed(CredentialHash::from_bytes([n.wrapping_mul(7); 32]));
                let expires_at = candidate.client_secret_expires_at();
                candidate = candidate.with_client_secret(Some(secret), expires_at);
                candidate = candidate.with_registered_by(Caller::Host);
            }
            let candidate = Arc::new(candidate);
            tokio::spawn(async move {
                start.wait().await;
                let result = store.replace(Arc::clone(&candidate), 1).await;
                (candidate, result)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.expect("join") {
            (candidate, Ok(())) => winners.push(candidate),
            (_, Err(StoreError::Conflict)) => {}
            (candidate, Err(e)) => panic!("racer {}: {e}", candidate.client_id_issued_at()),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one replacement from version 1 wins"
    );
    // The stored record is the winner's, whole.
    assert_same(&stored(&*store, "contested").await, &winners[0]);
}

async fn touch_records_last_use_without_changing_the_version(store: Arc<dyn ClientStore>) {
    let base = record("a", 1);
    insert(&*store, base.clone()).await;
    store.touch("a", 1_800_000_000).await.expect("touch");
    // The record and its version are unchanged: a writer that read version 1 still wins.
    assert_same(&stored(&*store, "a").await, &base);
    store
        .replace(next(&base, 2, 2), 1)
        .await
        .expect("replace v1");
    // An unknown id is fine (deleted meanwhile).
    store
        .touch("missing", 1_800_000_000)
        .await
        .expect("touch unknown");
    // The use is recorded, and survives the replacement (whose issue time is older): the
    // client is not stale at a time before its last use, stale after it.
    assert_eq!(
        store
            .delete_unused(1_800_000_000, 10)
            .await
            .expect("expire"),
        Vec::<String>::new()
    );
    // An earlier use never overwrites a later one.
    store
        .touch("a", 1_750_000_000)
        .await
        .expect("touch earlier");
    assert!(
        store
            .delete_unused(1_800_000_000, 10)
            .await
            .expect("expire")
            .is_empty()
    );
    assert_eq!(
        store
            .delete_unused(1_800_000_001, 10)
            .await
            .expect("expire"),
        ["a"]
    );
    assert!(store.get("a").await.expect("get").is_none());
}

async fn delete_unused_deletes_only_stale_clients_in_bounded_batches(store: Arc<dyn ClientStore>) {
    // Registered at 1_700_000_000 + n; "used-*" were used at 1_900_000_000.
    for n in 0..5u8 {
        insert(&*store, record(&format!("stale-{n}"), n)).await;
    }
    for n in 0..3u8 {
        let id = format!("used-{n}");
        insert(&*store, record(&id, n)).await;
        store.touch(&id, 1_900_000_000).await.expect("touch");
    }
    // Registered after the cutoff, never used: kept.
    let mut fresh = record("fresh", 200);
    fresh = fresh.with_client_id_issued_at(1_850_000_000);
    insert(&*store, fresh).await;
    let cutoff = 1_800_000_000;
    assert!(
        store
            .delete_unused(cutoff, 0)
            .await
            .expect("empty batch")
            .is_empty()
    );
    let mut deleted = store.delete_unused(cutoff, 2).await.expect("batch 1");
    assert_eq!(deleted.len(), 2, "{deleted:?}");
    assert_eq!(store.count().await.expect("count"), 7);
    deleted.extend(store.delete_unused(cutoff, 2).await.expect("batch 2"));
    deleted.extend(store.delete_unused(cutoff, 2).await.expect("batch 3"));
    assert!(
        store
            .delete_unused(cutoff, 2)
            .await
            .expect("batch 4")
            .is_empty()
    );
    deleted.sort();
    assert_eq!(
        deleted,
        ["stale-0", "stale-1", "stale-2", "stale-3", "stale-4"]
    );
    assert_eq!(store.count().await.expect("count"), 4);
    for id in ["used-0", "used-1", "used-2", "fresh"] {
        assert!(store.get(id).await.expect("get").is_some(), "{id} kept");
    }
    // The cutoff is strict: a client last used exactly at it is kept.
    assert!(
        store
            .delete_unused(1_900_000_000, 10)
            .await
            .expect("at the cutoff")
            .iter()
            .all(|id| id == "fresh")
    );
    assert!(store.get("used-0").await.expect("get").is_some());
}

// ---------------------------------------------------------------------------------------------
// The suite, per store
// ---------------------------------------------------------------------------------------------

/// Instantiates every behaviour as a test in module `$store`, each on a fresh store from
/// `$make` (an async fn returning the store and a guard kept alive until the test ends).
macro_rules! suite {
    ($store:ident, $make:path) => {
        suite!(@tests $store, $make;
            insert_then_get_round_trips_every_field,
            insert_of_an_existing_id_is_refused_and_changes_nothing,
            get_of_an_unknown_id_is_none,
            replace_with_the_current_version_stores_the_new_record,
            replace_with_a_stale_version_conflicts_and_changes_nothing,
            replace_of_an_unknown_id_is_not_found,
            delete_with_a_stale_version_conflicts_and_keeps_the_record,
            delete_removes_the_record,
            count_counts_the_stored_clients,
            count_up_to_stops_at_its_limit,
            concurrent_inserts_of_one_id_have_exactly_one_winner,
            concurrent_replacements_have_one_winner_and_no_torn_record,
            touch_records_last_use_without_changing_the_version,
            delete_unused_deletes_only_stale_clients_in_bounded_batches,
            initial_access_tokens_round_trip_and_are_unique_by_id_and_hash,
            a_registration_with_a_token_spends_one_use_and_stores_the_client,
            a_refused_registration_writes_nothing_and_spends_nothing,
            revoking_a_token_refuses_it_and_keeps_its_record,
            the_client_quota_counts_live_clients_freed_by_deletion_and_expiry,
            concurrent_registrations_with_a_single_use_token_have_exactly_one_winner,
            concurrent_registrations_never_exceed_the_client_quota,
            concurrent_writes_of_every_kind_keep_their_own_outcomes,
            rate_limits_decide_exactly_at_the_boundaries,
            a_refused_request_changes_no_state,
            rate_limit_keys_are_kept_apart,
            an_idle_key_gets_its_whole_burst_back_and_no_more,
            a_state_written_by_a_clock_ahead_costs_at_most_a_minute,
            concurrent_callers_on_one_key_never_exceed_the_burst,
        );
    };
    (@tests $store:ident, $make:path; $($behaviour:ident,)+) => {
        mod $store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $behaviour() {
                    // The guard lives to the end of the test (a temporary file, say). A
                    // factory returns `None` when its store is unavailable here (skipped).
                    let Some((store, _guard)) = $make().await else {
                        return;
                    };
                    super::$behaviour(store).await;
                }
            )+
        }
    };
}

async fn memory_store() -> Option<(Arc<dyn ClientStore>, ())> {
    Some((Arc::new(MemoryStore::new()), ()))
}

suite!(memory, super::memory_store);

#[cfg(feature = "sqlite")]
mod sqlite_support {
    use std::sync::Arc;

    use tower_oidc_registration::ClientStore;
    use tower_oidc_registration::store::SqliteStore;

    use crate::common::temp_db::TempDb;

    pub async fn sqlite_store() -> Option<(Arc<dyn ClientStore>, TempDb)> {
        let db = TempDb::new("conformance");
        let store = SqliteStore::open(db.path())
            .await
            .expect("open SQLite store");
        Some((Arc::new(store), db))
    }

    /// A store with table names of the host's choosing: a reserved word, so that a statement
    /// that did not quote the name would fail.
    pub async fn sqlite_store_named() -> Option<(Arc<dyn ClientStore>, TempDb)> {
        let db = TempDb::new("conformance-named");
        let store = SqliteStore::builder()
            .table("order")
            .schema_version_table("order_migrations")
            .open(db.path())
            .await
            .expect("open SQLite store");
        Some((Arc::new(store), db))
    }
}

#[cfg(feature = "sqlite")]
suite!(sqlite, super::sqlite_support::sqlite_store);

#[cfg(feature = "sqlite")]
suite!(sqlite_named, super::sqlite_support::sqlite_store_named);

#[cfg(feature = "postgres")]
mod postgres_support {
    use std::sync::Arc;

    use tower_oidc_registration::ClientStore;
    use tower_oidc_registration::store::PostgresStore;

    use crate::common::postgres::{Schema, database_url};

    pub async fn postgres_store() -> Option<(Arc<dyn ClientStore>, Schema)> {
        let url = database_url("the store conformance suite")?;
        let schema = Schema::create(&url, "conformance").await;
        Some((Arc::new(schema.store(8).await), schema))
    }

    /// A store in a schema it is given by name, on connections whose `search_path` does not
    /// include it, with a table name in mixed case that is also a reserved word: a statement
    /// that did not qualify and quote it would fail.
    pub async fn postgres_store_named() -> Option<(Arc<dyn ClientStore>, Schema)> {
        let url = database_url("the store conformance suite")?;
        let schema = Schema::create(&url, "conformance_named").await;
        let store = PostgresStore::builder()
            .schema(schema.name.as_str())
            .table("Order")
            .from_pool(schema.unscoped_pool(8).await)
            .await
            .expect("PostgreSQL store");
        Some((Arc::new(store), schema))
    }
}

#[cfg(feature = "postgres")]
suite!(postgres, super::postgres_support::postgres_store);

#[cfg(feature = "postgres")]
suite!(
    postgres_named,
    super::postgres_support::postgres_store_named
);

/// Without a database, a PostgreSQL test says `SKIPPED: ...` on stderr and passes; under CI
/// (`CI` set, and not to `false` or `0`) it fails: run as a child process of this binary, one
/// PostgreSQL test alone, with the variable unset and `CI` set in turn.
#[cfg(feature = "postgres")]
#[test]
fn postgres_tests_skip_loudly_and_fail_under_ci() {
    use crate::common::postgres::URL_VAR;
    let run = |ci: Option<&str>| {
        let mut command = std::process::Command::new(std::env::current_exe().expect("test binary"));
        command
            .args([
                "conformance::postgres::count_counts_the_stored_clients",
                "--exact",
                "--test-threads=1",
            ])
            .env_remove(URL_VAR)
            .env_remove("CI");
        if let Some(value) = ci {
            command.env("CI", value);
        }
        let output = command.output().expect("run the child test");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.success(), stdout, stderr)
    };
    for ci in [None, Some("false"), Some("0")] {
        let (passed, stdout, stderr) = run(ci);
        assert!(passed, "CI={ci:?}:\n{stdout}\n{stderr}");
        assert!(stdout.contains("1 passed"), "CI={ci:?}:\n{stdout}");
        assert!(
            stderr.contains(&format!("SKIPPED: set {URL_VAR}")),
            "CI={ci:?}, no SKIPPED line:\n{stderr}"
        );
    }
    for ci in ["true", "1"] {
        let (passed, stdout, stderr) = run(Some(ci));
        assert!(
            !passed,
            "CI={ci}: skipped instead of failing:\n{stdout}\n{stderr}"
        );
        assert!(
            stdout.contains("CI is set, and this test would be skipped"),
            "CI={ci}:\n{stdout}\n{stderr}"
        );
        assert!(!stderr.contains("SKIPPED"), "CI={ci}:\n{stderr}");
    }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL only: schema version, concurrent migrations, decoding
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "postgres")]
mod postgres_only {
    use std::str::FromStr as _;
    use std::sync::Arc;

    use sqlx::postgres::PgConnectOptions;
    use tower_oidc_registration::store::PostgresStore;
    use tower_oidc_registration::{ClientStore, StoreError};

    use super::{assert_same, assert_undecodable_columns_name_the_client, record, stored};
    use crate::common::postgres::{Schema, database_url};

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn replicas_starting_at_once_migrate_once() {
        let Some(url) = database_url("replicas_starting_at_once_migrate_once") else {
            return;
        };
        let schema = Schema::create(&url, "migrate").await;
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let pool = schema.pool(8).await;
            tasks.push(tokio::spawn(PostgresStore::from_pool(pool)));
        }
        let mut stores = Vec::new();
        for task in tasks {
            stores.push(task.await.expect("join").expect("migrated"));
        }
        let versions: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM oidc_registration_clients_schema_version")
                .fetch_all(stores[0].pool())
                .await
                .expect("schema_version");
        assert_eq!(versions, [1, 2, 3, 4]);
        // One schema, every store: a client inserted through one is read through another.
        let a = record("a", 1);
        stores[0].insert(Arc::new(a.clone())).await.expect("insert");
        assert_same(&stored(&stores[7], "a").await, &a);
        for store in &stores {
            store.close().await;
        }
        // Connecting again by URL (the schema named in the connection options) migrates nothing.
        let url_in_schema = format!(
            "{url}{}options=-c%20search_path%3D{}",
            if url.contains('?') { '&' } else { '?' },
            schema.name
        );
        let store = PostgresStore::connect(&url_in_schema)
            .await
            .expect("connect");
        let versions: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM oidc_registration_clients_schema_version")
                .fetch_all(store.pool())
                .await
                .expect("schema_version");
        assert_eq!(versions, [1, 2, 3, 4]);
        assert_same(&stored(&store, "a").await, &a);
        store.close().await;
        // The options also parse as connection options (what `connect` relies on).
        PgConnectOptions::from_str(&url_in_schema).expect("URL with options");
    }

    #[tokio::test]
    async fn a_schema_newer_than_this_release_is_refused() {
        let Some(url) = database_url("a_schema_newer_than_this_release_is_refused") else {
            return;
        };
        let schema = Schema::create(&url, "newer").await;
        let store = schema.store(8).await;
        sqlx::query("INSERT INTO oidc_registration_clients_schema_version VALUES (99, 'from the future', 0)")
            .execute(store.pool())
            .await
            .expect("insert version");
        store.close().await;
        match PostgresStore::from_pool(schema.pool(8).await).await {
            Err(StoreError::Backend(e)) => assert!(e.to_string().contains("99"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn stale_rate_limit_states_are_deleted() {
        let Some(url) = database_url("stale_rate_limit_states_are_deleted") else {
            return;
        };
        let schema = Schema::create(&url, "stale_rates").await;
        let store = schema.store(8).await;
        super::assert_stale_rate_limit_states_are_deleted(&store, async || {
            sqlx::query_scalar("SELECT COUNT(*) FROM oidc_registration_rate_limits")
                .fetch_one(store.pool())
                .await
                .expect("count")
        })
        .await;
        store.close().await;
    }

    #[tokio::test]
    async fn an_undecodable_row_is_a_backend_error_naming_the_client() {
        let Some(url) = database_url("an_undecodable_row_is_a_backend_error_naming_the_client")
        else {
            return;
        };
        let schema = Schema::create(&url, "undecodable").await;
        let store = schema.store(8).await;
        assert_undecodable_columns_name_the_client(&store, "$1", async |sql, value, step| {
            sqlx::query(&sql)
                .bind(value)
                .execute(store.pool())
                .await
                .expect(step);
        })
        .await;
        // The schema's checks refuse a malformed hash outright.
        let bad = sqlx::query(
            "UPDATE oidc_registration_clients SET registration_token_hash = '\\x00' \
             WHERE client_id = 'a'",
        )
        .execute(store.pool())
        .await;
        assert!(bad.is_err(), "a 1-byte token hash is refused");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// SQLite only: durability settings, schema, decoding, and a restart of the whole layer
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "sqlite")]
mod sqlite_only {
    use std::convert::Infallible;
    use std::sync::Arc;

    use bytes::Bytes;
    use http::{Method, Request, Response, StatusCode, header};
    use http_body_util::{BodyExt, Full};
    use serde_json::{Value, json};
    use tower::{Layer, ServiceExt, service_fn};
    use tower_oidc_registration::store::SqliteStore;
    use tower_oidc_registration::{
        Caller, ClientStore, InitialAccessTokenOptions, RegistrationAccess, RegistrationConfig,
        RegistrationLayer, Registry, Requester, SigningKey, StoreError,
    };

    use super::{assert_same, assert_undecodable_columns_name_the_client, record, stored};
    use crate::common::policies::{FORBID_NAME, ForbidName};
    use crate::common::temp_db::TempDb;

    #[tokio::test]
    async fn stale_rate_limit_states_are_deleted() {
        let db = TempDb::new("stale-rates");
        let store = SqliteStore::open(db.path()).await.expect("open");
        super::assert_stale_rate_limit_states_are_deleted(&store, async || {
            sqlx::query_scalar("SELECT COUNT(*) FROM oidc_registration_rate_limits")
                .fetch_one(store.pool())
                .await
                .expect("count")
        })
        .await;
        store.close().await;
    }

    #[tokio::test]
    async fn open_sets_durable_pragmas_and_records_the_schema_version() {
        let db = TempDb::new("pragmas");
        let store = SqliteStore::open(db.path()).await.expect("open");
        let pool = store.pool();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .expect("journal_mode");
        assert_eq!(mode, "wal");
        // 2 is FULL.
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(pool)
            .await
            .expect("synchronous");
        assert_eq!(sync, 2);
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(pool)
            .await
            .expect("foreign_keys");
        assert_eq!(fk, 1);
        let versions: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM oidc_registration_clients_schema_version")
                .fetch_all(pool)
                .await
                .expect("schema_version");
        assert_eq!(versions, [1, 2, 3, 4]);
        store.close().await;
        // Opening again migrates nothing twice.
        let store = SqliteStore::open(db.path()).await.expect("reopen");
        let versions: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM oidc_registration_clients_schema_version")
                .fetch_all(store.pool())
                .await
                .expect("schema_version");
        assert_eq!(versions, [1, 2, 3, 4]);
        store.close().await;
    }

    #[tokio::test]
    async fn clients_survive_reopening_by_path_or_url() {
        let db = TempDb::new("reopen");
        let store = SqliteStore::open(db.path()).await.expect("open");
        let a = record("a", 1);
        store.insert(Arc::new(a.clone())).await.expect("insert");
        store.close().await;
        assert!(store.get("a").await.is_err(), "a closed store fails");

        let url = format!("sqlite://{}", db.path());
        let store = SqliteStore::open(&url).await.expect("reopen by URL");
        assert_same(&stored(&store, "a").await, &a);
        assert_eq!(store.count().await.expect("count"), 1);
        store.close().await;
    }

    #[tokio::test]
    async fn an_undecodable_row_is_a_backend_error_naming_the_client() {
        let db = TempDb::new("undecodable");
        let store = SqliteStore::open(db.path()).await.expect("open");
        assert_undecodable_columns_name_the_client(&store, "?1", async |sql, value, step| {
            sqlx::query(&sql)
                .bind(value)
                .execute(store.pool())
                .await
                .expect(step);
        })
        .await;
        store.close().await;
    }

    #[tokio::test]
    async fn a_schema_newer_than_this_release_is_refused() {
        let db = TempDb::new("newer");
        let store = SqliteStore::open(db.path()).await.expect("open");
        sqlx::query("INSERT INTO oidc_registration_clients_schema_version VALUES (99, 'from the future', 0)")
            .execute(store.pool())
            .await
            .expect("insert version");
        store.close().await;
        match SqliteStore::open(db.path()).await {
            Err(StoreError::Backend(e)) => assert!(e.to_string().contains("99"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    const ISSUER: &str = "https://iam.example.org/";

    /// A registry over a store on the database file `db`, protected by initial access tokens,
    /// with the same key and the policy `forbid-name` at every start: a "process" of the
    /// service.
    async fn protected_registry(db: &TempDb) -> (Registry, SqliteStore) {
        let store = SqliteStore::open(db.path()).await.expect("open");
        let config = RegistrationConfig::builder(ISSUER)
            .store(store.clone())
            .signing_key(SigningKey::hs256(&[7u8; 32]).expect("HS256 key"))
            .registration_access(RegistrationAccess::InitialAccessToken)
            .initial_access_token_policy(FORBID_NAME, ForbidName)
            .build()
            .expect("config");
        (Registry::new(&config), store)
    }

    fn object(value: Value) -> serde_json::Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    /// IAT-9: a token's policy applies to its registrations and to their later updates.
    ///
    /// A client registered with an issued token updates itself after a restart, under the
    /// token's policy, and the token keeps the uses it had left.
    #[tokio::test]
    async fn a_client_registered_with_an_issued_token_updates_itself_after_a_restart() {
        let db = TempDb::new("issued-restart");
        let (before, store) = protected_registry(&db).await;
        let issued = before
            .issue_initial_access_token(
                InitialAccessTokenOptions::new()
                    .max_uses(2)
                    .policy(FORBID_NAME),
            )
            .await
            .expect("issue");
        let iat = issued.token.expose().to_owned();
        let registration = json!({"redirect_uris": ["https://rp.example.org/cb"]});
        let client = before
            .register(
                Requester::initial_access_token(&iat),
                object(registration.clone()),
            )
            .await
            .expect("registered with the issued token");
        let client_id = client.client_id().to_owned();
        let token = client
            .registration_access_token()
            .expect("a registration access token")
            .expose()
            .to_owned();
        drop(before);
        store.close().await;

        // The restarted service: the client updates itself, under the token's policy, and the
        // token keeps its one remaining use.
        let (after, store) = protected_registry(&db).await;
        let update = |name: &str| {
            object(json!({
                "client_id": client_id,
                "redirect_uris": ["https://rp.example.org/cb"],
                "client_name": name,
            }))
        };
        let refused = after
            .update(
                Requester::registration_access_token(&token),
                &client_id,
                update("forbidden"),
            )
            .await
            .expect_err("the token's policy applies after a restart");
        assert_eq!(refused.code(), "invalid_client_metadata");
        let updated = after
            .update(
                Requester::registration_access_token(&token),
                &client_id,
                update("renamed"),
            )
            .await
            .expect("the client updates itself after a restart");
        assert_eq!(
            updated.record().registered_by(),
            &Caller::InitialAccessToken { id: issued.id }
        );
        after
            .register(
                Requester::initial_access_token(&iat),
                object(registration.clone()),
            )
            .await
            .expect("the token's second use, after the restart");
        let spent = after
            .register(Requester::initial_access_token(&iat), object(registration))
            .await
            .expect_err("both uses are spent");
        assert_eq!(spent.code(), "invalid_token");
        store.close().await;
    }

    fn layered(
        store: SqliteStore,
    ) -> impl tower::Service<
        Request<Full<Bytes>>,
        Response = Response<tower_oidc_registration::ResponseBody<Full<Bytes>>>,
        Error = Infallible,
        Future: Send,
    > + Clone {
        let config = RegistrationConfig::builder(ISSUER)
            .store(store)
            .signing_key(SigningKey::hs256(&[7u8; 32]).expect("HS256 key"))
            .build()
            .expect("config");
        RegistrationLayer::new(config).layer(service_fn(|_req: Request<Full<Bytes>>| async {
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"inner"))))
        }))
    }

    async fn json_of<B>(response: Response<B>) -> Value
    where
        B: http_body::Body,
        B::Error: std::fmt::Debug,
    {
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        serde_json::from_slice(&bytes).expect("JSON body")
    }

    #[tokio::test]
    async fn a_registered_client_survives_a_restart_of_the_layer() {
        let db = TempDb::new("restart");
        let first = SqliteStore::open(db.path()).await.expect("open");
        let metadata = json!({
            "redirect_uris": ["https://rp.example.org/cb"],
            "client_name": "survivor",
        });
        let response = layered(first.clone())
            .oneshot(
                Request::post("/register")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Full::new(Bytes::from(metadata.to_string())))
                    .expect("request"),
            )
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::CREATED);
        let created = json_of(response).await;
        let client_id = created["client_id"].as_str().expect("client_id").to_owned();
        let token = created["registration_access_token"]
            .as_str()
            .expect("token")
            .to_owned();
        // The "restart": every connection of the first store closed, a new store and layer.
        first.close().await;

        let second = SqliteStore::open(db.path()).await.expect("reopen");
        let app = layered(second.clone());
        let read = |method: Method| {
            Request::builder()
                .method(method)
                .uri(format!("/register/{client_id}"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Full::new(Bytes::new()))
                .expect("request")
        };
        let response = app
            .clone()
            .oneshot(read(Method::GET))
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::OK);
        let read_back = json_of(response).await;
        for member in [
            "client_id",
            "client_name",
            "redirect_uris",
            "client_id_issued_at",
        ] {
            assert_eq!(read_back[member], created[member], "{member}");
        }
        if let Some(secret) = created.get("client_secret") {
            assert_eq!(&read_back["client_secret"], secret);
        }
        // The token from before the restart manages the client: deletion revokes it.
        let response = app
            .clone()
            .oneshot(read(Method::DELETE))
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(second.count().await.expect("count"), 0);
        let response = app.oneshot(read(Method::GET)).await.expect("infallible");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        second.close().await;
    }
}
