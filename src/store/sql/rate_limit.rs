//! The rate limit states of the SQL stores: the rate limits table behind [`Clients`]' pool,
//! written once for every [`Dialect`].
//!
//! A decision first reads the key's state with a plain `SELECT`, outside any transaction: if the
//! rule refuses the request on it and would leave the state as it is, that is the answer, and
//! nothing is locked or written. This is what a flood costs, so it must be cheap. It is sound:
//! a decision that writes nothing is the same whether it read the state under a lock or a
//! moment before, so the refusal is that of a locked decision made at the moment of the read.
//! (A refusal that would change the state, bringing back one written by a clock far ahead, takes
//! the lock and writes.)
//!
//! Otherwise the decision is one transaction ([`Dialect::BEGIN_WRITE`]): an upsert that inserts
//! the key with no state (0) or, when it exists, rewrites its state unchanged, returning it;
//! either way the statement holds the row's lock (PostgreSQL; SQLite's `BEGIN IMMEDIATE` holds
//! the database's write lock) until the transaction ends, so concurrent decisions on one key,
//! through any number of replicas, pass one at a time, and a key inserted by two at once is
//! inserted once. The rule is applied again, in Rust ([`Gcra::apply`], the one rule of every
//! store), to the locked state, and the new state written when it differs from it.
//!
//! Stale states are deleted by the store itself: every [`SWEEP_EVERY`] locked decisions of a
//! store (a refusal read without a lock adds no key, and counts for nothing), at most
//! [`SWEEP_BATCH`] states at or before the time are deleted, after the decision's transaction,
//! so the table holds the keys of recent callers and few more.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::backend;
use super::clients::{Clients, Dialect};
use super::names::Names;
use crate::rate_limit::{Gcra, RateDecision};
use crate::store::StoreError;

/// The columns of a state.
pub(super) const COLUMNS: &str = "limit_key, tat_ms";

/// How many locked decisions of a store between two sweeps of stale states.
const SWEEP_EVERY: u64 = 256;
/// The most stale states one sweep deletes: far more than the keys [`SWEEP_EVERY`] locked
/// decisions can add, so a backlog drains.
const SWEEP_BATCH: i64 = 4096;

/// The rate limit statements of one store, rendered for its names, and its count of decisions.
#[derive(Debug)]
pub(crate) struct RateLimitStatements {
    /// Reads the state of key `$1`, without a lock.
    peek: String,
    /// Inserts key `$1` without state, or locks and returns its state.
    lock: String,
    /// Stores state `$2` for key `$1`.
    store: String,
    /// [`Dialect::DELETE_STALE_RATE_LIMITS`].
    sweep: String,
    decisions: AtomicU64,
}

impl RateLimitStatements {
    pub(super) fn render<DB: Dialect>(names: &Names) -> Arc<Self> {
        Arc::new(Self {
            peek: names.render("SELECT tat_ms FROM {rate_limits} WHERE limit_key = $1"),
            // `DO UPDATE` rather than `DO NOTHING`: it takes the existing row's lock and returns
            // it in the same statement, leaving no moment between the insert and the lock.
            lock: names.render(
                "INSERT INTO {rate_limits} AS r (limit_key, tat_ms) VALUES ($1, 0) \
                 ON CONFLICT (limit_key) DO UPDATE SET tat_ms = r.tat_ms RETURNING tat_ms",
            ),
            store: names.render("UPDATE {rate_limits} SET tat_ms = $2 WHERE limit_key = $1"),
            sweep: names.render(DB::DELETE_STALE_RATE_LIMITS),
            decisions: AtomicU64::new(0),
        })
    }

    /// Whether this decision is one that sweeps afterwards.
    fn sweep_due(&self) -> bool {
        self.decisions.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1
    }
}

/// A time as an SQL `BIGINT`: beyond it, as far as any clock goes.
fn sql_millis(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A stored time: the schema keeps it non-negative.
fn stored_millis(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

// What the statements below need of the driver: every sqlx driver has it.
impl<DB: Dialect> Clients<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    pub async fn rate_limit(
        &self,
        key: &str,
        limit: Gcra,
        now_ms: u64,
    ) -> Result<RateDecision, StoreError> {
        if let Some(refused) = self.refused_without_lock(key, limit, now_ms).await? {
            return Ok(refused);
        }
        let mut tx = self
            .pool()
            .begin_with(DB::BEGIN_WRITE)
            .await
            .map_err(backend)?;
        let decision = match Self::decide(&mut tx, self.rate_limits(), key, limit, now_ms).await {
            Ok((decision, true)) => {
                tx.commit().await.map_err(backend)?;
                decision
            }
            // Nothing written: roll back now, so that the connection returns to the pool
            // without a transaction open.
            Ok((decision, false)) => {
                let _ = tx.rollback().await;
                decision
            }
            Err(err) => {
                let _ = tx.rollback().await;
                return Err(err);
            }
        };
        if self.rate_limits().sweep_due() {
            // The decision stands whatever the sweep does: a failed sweep is retried by a later
            // one.
            if let Err(error) = self.sweep_rate_limits(now_ms).await {
                tracing::warn!(%error, "deleting stale rate limit states failed");
            }
        }
        Ok(decision)
    }

    /// The refusal of the rule on `key`'s state as it is now, read without a lock; `None` when
    /// the rule would admit the request or change the state (the locked decision then
    /// decides), or when the key has no state.
    async fn refused_without_lock(
        &self,
        key: &str,
        limit: Gcra,
        now_ms: u64,
    ) -> Result<Option<RateDecision>, StoreError> {
        let tat: Option<i64> = sqlx::query_scalar(&self.rate_limits().peek)
            .bind(key)
            .fetch_optional(self.pool())
            .await
            .map_err(backend)?;
        let Some(tat) = tat.map(stored_millis) else {
            return Ok(None);
        };
        let outcome = limit.apply(tat, now_ms);
        Ok(
            (outcome.decision != RateDecision::Allowed && outcome.tat_ms == tat)
                .then_some(outcome.decision),
        )
    }

    /// In the transaction `conn`: locks `key`'s state, applies `limit` to it, and writes the
    /// new state if it differs: the decision, and whether anything was written. (A function
    /// of its own taking a plain `&mut Connection`, as [`Clients::migrate`]'s steps: the
    /// future stays `Send`.)
    async fn decide(
        conn: &mut DB::Connection,
        sql: &RateLimitStatements,
        key: &str,
        limit: Gcra,
        now_ms: u64,
    ) -> Result<(RateDecision, bool), StoreError> {
        let tat: i64 = sqlx::query_scalar(&sql.lock)
            .bind(key)
            .fetch_one(&mut *conn)
            .await
            .map_err(backend)?;
        let tat = stored_millis(tat);
        let outcome = limit.apply(tat, now_ms);
        let changed = outcome.tat_ms != tat;
        if changed {
            sqlx::query(&sql.store)
                .bind(key)
                .bind(sql_millis(outcome.tat_ms))
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
        }
        Ok((outcome.decision, changed))
    }

    /// Deletes at most [`SWEEP_BATCH`] states at or before `now_ms`.
    async fn sweep_rate_limits(&self, now_ms: u64) -> Result<(), StoreError> {
        sqlx::query(&self.rate_limits().sweep)
            .bind(sql_millis(now_ms))
            .bind(SWEEP_BATCH)
            .execute(self.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
