//! The initial access tokens of the SQL stores (RFC 7591 §3): the tokens table behind
//! [`Clients`]' pool, written once for every [`Dialect`] as the clients table is.
//!
//! A registration with a token runs in a transaction ([`Dialect::BEGIN_WRITE`], that of a batch
//! of the [`GroupCommit`](super::GroupCommit) writer, in a savepoint of its own): it first
//! spends a use with an `UPDATE` guarded by the token's terms, which takes the token row's lock
//! (in PostgreSQL; SQLite's `BEGIN IMMEDIATE` takes the database's write lock), so that
//! concurrent registrations with one token, through any number of replicas, pass one at a time;
//! it then counts the token's live clients and inserts the client. Any refusal rolls back to the
//! savepoint: nothing of the refused registration remains.

use std::sync::Arc;

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Row as _, Type};

use super::clients::{Clients, Dialect, Statements};
use super::names::Names;
use super::{ClientRow, backend, invalid, registrant_to_sql};
use crate::context::Caller;
use crate::store::{InitialAccessTokenRecord, StoreError, TokenRefusal};
use crate::token::CredentialHash;

/// The one savepoint of a write with a token (never nested: a batch runs one write at a time).
const SAVEPOINT: &str = "SAVEPOINT registration";
const ROLLBACK_TO_SAVEPOINT: &str = "ROLLBACK TO SAVEPOINT registration";
const RELEASE_SAVEPOINT: &str = "RELEASE SAVEPOINT registration";

/// The columns of a token, in the order [`Clients::bind_token`] binds them.
pub(super) const COLUMNS: &str =
    "id, token_hash, expires_at, max_uses, uses, max_clients, revoked, policy";

/// The live clients of token `t`: counted, for a token with a client quota only.
const LIVE_CLIENTS: &str = concat!(
    "CASE WHEN t.max_clients IS NULL THEN 0 ELSE \
     (SELECT COUNT(*) FROM {clients} c WHERE c.registered_by = '",
    super::token_registrant_prefix!(),
    "' || t.id) END"
);

/// The token statements of one store, rendered for its names.
#[derive(Debug)]
pub(super) struct TokenStatements {
    insert: String,
    by_hash: String,
    by_id: String,
    revoke: String,
    /// Spends one use of token `$1` if it is usable at `$2`, returning its `max_clients`; no
    /// row when it is not (unknown, revoked, expired or spent). `uses` stops at the largest
    /// `BIGINT` rather than overflow.
    spend: String,
    count_clients: String,
}

impl TokenStatements {
    pub(super) fn render(names: &Names) -> Arc<Self> {
        let select = |key: &str| {
            names.render(&format!(
                "SELECT t.id, t.token_hash, t.expires_at, t.max_uses, t.uses, t.max_clients, \
                 t.revoked, t.policy, {LIVE_CLIENTS} AS live_clients \
                 FROM {{initial_access_tokens}} t WHERE t.{key} = $1"
            ))
        };
        Arc::new(Self {
            insert: names.render(&format!(
                "INSERT INTO {{initial_access_tokens}} ({COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"
            )),
            by_hash: select("token_hash"),
            by_id: select("id"),
            revoke: names.render("UPDATE {initial_access_tokens} SET revoked = TRUE WHERE id = $1"),
            spend: names.render(
                "UPDATE {initial_access_tokens} \
                 SET uses = CASE WHEN uses < 9223372036854775807 THEN uses + 1 ELSE uses END \
                 WHERE id = $1 AND NOT revoked AND (expires_at IS NULL OR expires_at > $2) \
                 AND (max_uses IS NULL OR uses < max_uses) RETURNING max_clients",
            ),
            count_clients: names.render("SELECT COUNT(*) FROM {clients} WHERE registered_by = $1"),
        })
    }
}

/// A term of a token as an SQL `BIGINT`: a value beyond it is as good as unlimited.
fn saturating_sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A stored term of token `id`, which the schema keeps non-negative.
fn from_sql_term(id: &str, what: &str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| {
        invalid(format!(
            "stored initial access token {id:?}: {what} is negative ({value})"
        ))
    })
}

// What the statements below need of the driver: every sqlx driver has it.
impl<DB: Dialect> Clients<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Vec<u8>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<Vec<u8>>: Encode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB> + ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
{
    pub async fn insert_initial_access_token(
        &self,
        token: InitialAccessTokenRecord,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(&self.tokens().insert)
            .bind(token.id().to_owned())
            .bind(token.token_hash().as_bytes().to_vec())
            .bind(token.expires_at().map(saturating_sql_int))
            .bind(token.max_uses().map(saturating_sql_int))
            .bind(saturating_sql_int(token.uses()))
            .bind(token.max_clients().map(saturating_sql_int))
            .bind(token.revoked())
            .bind(token.policy().map(str::to_owned))
            .execute(self.pool())
            .await
            .map_err(backend)?;
        if DB::rows_affected(&done) == 0 {
            return Err(StoreError::AlreadyExists);
        }
        Ok(())
    }

    pub async fn initial_access_token_by_hash(
        &self,
        hash: &CredentialHash,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        let row = sqlx::query(&self.tokens().by_hash)
            .bind(hash.as_bytes().to_vec())
            .fetch_optional(self.pool())
            .await
            .map_err(backend)?;
        row.map(|row| Self::decode_token(&row)).transpose()
    }

    pub async fn initial_access_token_by_id(
        &self,
        id: &str,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        let mut conn = self.pool().acquire().await.map_err(backend)?;
        Self::token_by_id(&mut *conn, self.tokens(), id).await
    }

    pub async fn revoke_initial_access_token(&self, id: &str) -> Result<(), StoreError> {
        let done = sqlx::query(&self.tokens().revoke)
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(backend)?;
        if DB::rows_affected(&done) == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// In the transaction `conn`: spends a use of token `token_id` (locking its row), checks
    /// its client quota, and inserts the client's `row`. (A function of its own taking a plain
    /// `&mut Connection`, as [`Clients::migrate`]'s steps: the future stays `Send`.)
    async fn spend_and_insert(
        conn: &mut DB::Connection,
        sql: &Statements,
        tokens: &TokenStatements,
        token_id: &str,
        now: u64,
        row: ClientRow,
    ) -> Result<(), StoreError> {
        let spent = sqlx::query(&tokens.spend)
            .bind(token_id)
            .bind(saturating_sql_int(now))
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?;
        let Some(spent) = spent else {
            // Why not: unknown, revoked, expired or spent, as the row shows.
            let refusal = match Self::token_by_id(conn, tokens, token_id).await? {
                None => TokenRefusal::Unknown,
                // Nothing un-revokes, renews or refills a token: one of those shows.
                Some(token) => token.refusal_at(now).unwrap_or(TokenRefusal::Spent),
            };
            return Err(StoreError::InitialAccessTokenRefused(refusal));
        };
        let max_clients: Option<i64> = spent.try_get(0).map_err(backend)?;
        if let Some(max_clients) = max_clients {
            let registrant = registrant_to_sql(&Caller::InitialAccessToken {
                id: token_id.to_owned(),
            });
            // After the spend: the row lock is held, so no other registration with this token
            // inserts a client between this count and this insert.
            let live: i64 = sqlx::query_scalar(&tokens.count_clients)
                .bind(registrant)
                .fetch_one(&mut *conn)
                .await
                .map_err(backend)?;
            if live >= max_clients {
                return Err(StoreError::InitialAccessTokenRefused(
                    TokenRefusal::ClientQuota,
                ));
            }
        }
        let done = Self::bind_client_row(sqlx::query(&sql.insert), row)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        if DB::rows_affected(&done) == 0 {
            return Err(StoreError::AlreadyExists);
        }
        Ok(())
    }

    async fn token_by_id(
        conn: &mut DB::Connection,
        tokens: &TokenStatements,
        id: &str,
    ) -> Result<Option<InitialAccessTokenRecord>, StoreError> {
        let row = sqlx::query(&tokens.by_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?;
        row.map(|row| Self::decode_token(&row)).transpose()
    }

    /// The token of a `SELECT` of [`TokenStatements`]; a backend error naming the token and the
    /// column when it does not decode.
    fn decode_token(row: &DB::Row) -> Result<InitialAccessTokenRecord, StoreError> {
        let id: String = row
            .try_get("id")
            .map_err(|e| invalid(format!("stored initial access token: id: {e}")))?;
        let bad = |what: &str, e: sqlx::Error| {
            invalid(format!("stored initial access token {id:?}: {what}: {e}"))
        };
        let hash: Vec<u8> = row
            .try_get("token_hash")
            .map_err(|e| bad("token_hash", e))?;
        let hash = <[u8; 32]>::try_from(hash.as_slice()).map_err(|_| {
            invalid(format!(
                "stored initial access token {id:?}: token_hash is {} bytes, not 32",
                hash.len()
            ))
        })?;
        let term = |what: &str| -> Result<Option<u64>, StoreError> {
            let value: Option<i64> = row.try_get(what).map_err(|e| bad(what, e))?;
            value.map(|v| from_sql_term(&id, what, v)).transpose()
        };
        let (expires_at, max_uses, max_clients) =
            (term("expires_at")?, term("max_uses")?, term("max_clients")?);
        let uses = term("uses")?.unwrap_or(0);
        let live_clients = term("live_clients")?.unwrap_or(0);
        let revoked: bool = row.try_get("revoked").map_err(|e| bad("revoked", e))?;
        let policy: Option<String> = row.try_get("policy").map_err(|e| bad("policy", e))?;
        Ok(
            InitialAccessTokenRecord::new(id.clone(), CredentialHash::from_bytes(hash))
                .with_expires_at(expires_at)
                .with_max_uses(max_uses)
                .with_uses(uses)
                .with_max_clients(max_clients)
                .with_revoked(revoked)
                .with_policy(policy)
                .with_live_clients(live_clients),
        )
    }

    /// A registration with a token in the transaction `conn`, inside a savepoint: `Ok` with
    /// its own outcome (a refusal rolls back its spent use, and only it), `Err` when the
    /// transaction itself failed.
    pub(super) async fn insert_with_token_in(
        &self,
        conn: &mut DB::Connection,
        token_id: &str,
        now: u64,
        row: &ClientRow,
    ) -> Result<Result<(), StoreError>, StoreError> {
        conn.execute(SAVEPOINT).await.map_err(backend)?;
        let outcome = Self::spend_and_insert(
            &mut *conn,
            self.statements(),
            self.tokens(),
            token_id,
            now,
            row.clone(),
        )
        .await;
        if outcome.is_err() {
            conn.execute(ROLLBACK_TO_SAVEPOINT).await.map_err(backend)?;
        }
        conn.execute(RELEASE_SAVEPOINT).await.map_err(backend)?;
        Ok(outcome)
    }
}
