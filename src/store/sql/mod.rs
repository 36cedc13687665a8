//! What the SQL stores share: a client record as the column values of a clients row, and
//! back, so the encoding rules (how a [`Caller`] or a [`StoredSecret`] is spelled, which
//! values are out of range, what makes a row undecodable) live in one place; in [`names`], the
//! checked names of a store's tables; in [`clients`], the store operations on clients, in
//! [`initial_access`] those on initial access tokens, in [`rate_limit`] those on rate limit
//! states, and in [`migrate`] the migrations, written
//! once over sqlx for every [`Dialect`] (the backends' modules hold only what their database
//! spells its own way).

mod client_store;
mod clients;
mod group_commit;
mod initial_access;
mod migrate;
mod names;
mod rate_limit;

pub(crate) use client_store::client_store_of_clients;
pub(crate) use clients::{Clients, Dialect};
pub(crate) use group_commit::GroupCommit;
pub use migrate::SqlMigration;
pub(crate) use migrate::{Migration, scripts};
pub(crate) use names::{Ident, NameOptions, Names};

use crate::context::Caller;
use crate::metadata::AuthMethod;
use crate::secret::Secret;
use crate::store::{ClientRecord, MetadataJson, StoreError, StoredSecret};
use crate::token::CredentialHash;

/// A backend error: the store failed, nothing is known to have been written.
pub(crate) fn backend(err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(err))
}

/// The error of a compare-and-swap statement (`replace`, `delete`): a serialization failure
/// (SQLSTATE 40001, which PostgreSQL raises instead of waiting when the host's default
/// isolation level is REPEATABLE READ or SERIALIZABLE and another writer changed the row) is
/// the conflict it stands for; anything else a backend error.
pub(crate) fn cas_error(err: sqlx::Error) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("40001") => StoreError::Conflict,
        _ => backend(err),
    }
}

/// A backend error with a message of ours (a row that does not decode, a value out of range).
pub(crate) fn invalid(message: String) -> StoreError {
    StoreError::Backend(message.into())
}

/// A `u64` of the record as an SQL `INTEGER` (signed 64-bit).
pub(crate) fn to_sql_int(what: &str, value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| {
        invalid(format!(
            "{what} {value} does not fit in a signed 64-bit column"
        ))
    })
}

fn from_sql_int(client_id: &str, what: &str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| {
        invalid(format!(
            "stored client {client_id:?}: {what} is negative ({value})"
        ))
    })
}

/// How `registered_by` starts for a client registered with an initial access token: the token's
/// id follows. A macro, so that the SQL that counts a token's clients can spell it too.
macro_rules! token_registrant_prefix {
    () => {
        "iat:"
    };
}
pub(crate) use token_registrant_prefix;

/// How `registered_by` spells the [`Caller`] that registered a client. The registry records
/// only `Anonymous`, `Host` and `InitialAccessToken`; `registered-client` round-trips a record
/// that a host built with [`ClientRecord::with_registered_by`] itself.
pub(crate) fn registrant_to_sql(registrant: &Caller) -> String {
    match registrant {
        Caller::Anonymous => "anonymous".to_owned(),
        Caller::Host => "host".to_owned(),
        Caller::InitialAccessToken { id } => format!("{}{id}", token_registrant_prefix!()),
        Caller::RegisteredClient => "registered-client".to_owned(),
    }
}

fn registrant_from_sql(value: &str) -> Option<Caller> {
    match value {
        "anonymous" => Some(Caller::Anonymous),
        "host" => Some(Caller::Host),
        "registered-client" => Some(Caller::RegisteredClient),
        _ => value
            .strip_prefix(token_registrant_prefix!())
            .map(|id| Caller::InitialAccessToken { id: id.to_owned() }),
    }
}

/// The columns of one `clients` row, in the backend-neutral types every SQL driver binds.
#[derive(Clone)]
pub(crate) struct ClientRow {
    pub client_id: String,
    pub version: i64,
    pub registration_token_hash: Vec<u8>,
    pub client_secret: Option<String>,
    pub client_secret_hash: Option<Vec<u8>>,
    pub client_secret_expires_at: i64,
    pub client_id_issued_at: i64,
    pub token_endpoint_auth_method: String,
    pub registered_by: String,
    pub metadata: String,
}

impl std::fmt::Debug for ClientRow {
    // Never the secret nor the hashes: a row may end up in a log line or a panic message, and
    // the hash of a low-entropy secret can be guessed offline.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientRow")
            .field("client_id", &self.client_id)
            .field("version", &self.version)
            .field("client_secret_expires_at", &self.client_secret_expires_at)
            .field("client_id_issued_at", &self.client_id_issued_at)
            .field(
                "token_endpoint_auth_method",
                &self.token_endpoint_auth_method,
            )
            .field("registered_by", &self.registered_by)
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

impl ClientRow {
    /// The row that stores `record`; an error for a number that does not fit the columns.
    pub fn from_record(record: &ClientRecord) -> Result<Self, StoreError> {
        let (client_secret, client_secret_hash) = match &record.client_secret {
            None => (None, None),
            Some(StoredSecret::Plain(secret)) => (Some(secret.expose().to_owned()), None),
            Some(StoredSecret::Hashed(hash)) => (None, Some(hash.as_bytes().to_vec())),
        };
        Ok(Self {
            client_id: record.client_id.clone(),
            version: to_sql_int("version", record.version)?,
            registration_token_hash: record.registration_token_hash.as_bytes().to_vec(),
            client_secret,
            client_secret_hash,
            client_secret_expires_at: to_sql_int(
                "client_secret_expires_at",
                record.client_secret_expires_at,
            )?,
            client_id_issued_at: to_sql_int("client_id_issued_at", record.client_id_issued_at)?,
            token_endpoint_auth_method: record.token_endpoint_auth_method.as_str().to_owned(),
            registered_by: registrant_to_sql(&record.registered_by),
            metadata: record.metadata.as_str().to_owned(),
        })
    }

    /// The record this row stores; [`StoreError::Backend`] naming the client and the column
    /// when the row does not decode (written by something else, or corrupted).
    pub fn into_record(self) -> Result<ClientRecord, StoreError> {
        let id = self.client_id;
        let bad = |what: &str| invalid(format!("stored client {id:?}: {what}"));
        let hash = |bytes: Vec<u8>, what: &str| {
            <[u8; 32]>::try_from(bytes.as_slice())
                .map(CredentialHash::from_bytes)
                .map_err(|_| bad(&format!("{what} is {} bytes, not 32", bytes.len())))
        };
        let registration_token_hash =
            hash(self.registration_token_hash, "registration_token_hash")?;
        let client_secret = match (self.client_secret, self.client_secret_hash) {
            (None, None) => None,
            (Some(plain), None) => Some(StoredSecret::Plain(Secret::new(plain))),
            (None, Some(digest)) => Some(StoredSecret::Hashed(hash(digest, "client_secret_hash")?)),
            (Some(_), Some(_)) => {
                return Err(bad("both client_secret and client_secret_hash are set"));
            }
        };
        let token_endpoint_auth_method = AuthMethod::from_wire(&self.token_endpoint_auth_method)
            .ok_or_else(|| {
                bad(&format!(
                    "unknown token_endpoint_auth_method {:?}",
                    self.token_endpoint_auth_method
                ))
            })?;
        let registered_by = registrant_from_sql(&self.registered_by)
            .ok_or_else(|| bad(&format!("unknown registered_by {:?}", self.registered_by)))?;
        let metadata =
            MetadataJson::from_stored(self.metadata).map_err(|e| bad(&format!("metadata: {e}")))?;
        let version = from_sql_int(&id, "version", self.version)?;
        let client_secret_expires_at = from_sql_int(
            &id,
            "client_secret_expires_at",
            self.client_secret_expires_at,
        )?;
        let client_id_issued_at =
            from_sql_int(&id, "client_id_issued_at", self.client_id_issued_at)?;
        let mut record = ClientRecord::new(
            id,
            client_secret,
            client_secret_expires_at,
            client_id_issued_at,
            registration_token_hash,
            metadata,
        );
        record.version = version;
        record.token_endpoint_auth_method = token_endpoint_auth_method;
        record.registered_by = registered_by;
        Ok(record)
    }
}

#[cfg(test)]
mod tests;
