//! Group commit: the registrations of concurrent requests written by one writer task, many to
//! a transaction, so that they share one commit (one fsync in SQLite's `synchronous=FULL`)
//! instead of queueing for the database's single write lock one fsync at a time.
//!
//! Each request hands its write to the writer through a bounded channel and awaits its own
//! outcome on a oneshot channel, which the writer fills only after the transaction holding the
//! write has committed (or failed): durability is that of a transaction per write. Each write
//! keeps its own outcome: a plain insert is one `INSERT … ON CONFLICT DO NOTHING` (a taken id
//! changes no row, it raises no error), and a registration with an initial access token runs
//! inside a `SAVEPOINT` of its own, rolled back alone when the token refuses it or the id is
//! taken. An error that is the database's rather than the write's (I/O, a full disk, a failed
//! commit, a statement the database refused) rolls the whole batch back; its writes are then
//! written again one transaction each, so that a write that fails on its own fails alone, and
//! an outage fails each write with its own error.
//!
//! Reads do not pass through the writer: they run on the pool's other connections (in
//! SQLite's write-ahead log, readers do not wait for the writer).

use std::sync::Arc;

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::clients::{Clients, Dialect};
use super::{ClientRow, backend};
use crate::context::Caller;
use crate::store::{ClientRecord, StoreError, TokenRefusal};

/// Writes waiting for the writer, at most: beyond it, requests wait to hand theirs over.
const QUEUE: usize = 1024;

/// Writes in one transaction, at most: bounds how long the first of them waits for the last.
const MAX_BATCH: usize = 128;

/// One write handed to the writer.
#[derive(Clone)]
pub(crate) enum Write {
    /// `insert`.
    Insert(ClientRow),
    /// `insert_with_initial_access_token`: spend a use of token `token_id` at `now`, check
    /// its client quota, insert `row`.
    InsertWithToken {
        token_id: String,
        now: u64,
        row: ClientRow,
    },
}

/// A write and where its outcome goes.
pub(crate) struct Job {
    write: Write,
    outcome: oneshot::Sender<Result<(), StoreError>>,
}

/// The handle of a store's writer task: cloned with the store; the task ends when the last
/// handle is dropped.
#[derive(Debug, Clone)]
pub(crate) struct GroupCommit {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    // Never the row: it holds the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").finish_non_exhaustive()
    }
}

/// The error of a write the writer could not take or answer (its task is gone: the runtime
/// that ran it shut down).
fn writer_gone() -> StoreError {
    StoreError::Backend("the store's writer task has stopped".into())
}

impl GroupCommit {
    /// Starts the writer task of `clients` on the current tokio runtime.
    pub(crate) fn spawn<DB>(clients: Clients<DB>) -> Self
    where
        DB: Dialect,
        Clients<DB>: BatchWriter,
    {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let (clients, queue) = (Arc::new(clients), Arc::new(Mutex::new(queue)));
        for _ in 0..DB::WRITERS {
            tokio::spawn(run(Arc::clone(&clients), Arc::clone(&queue)));
        }
        Self { jobs }
    }

    /// `insert`, through the writer.
    pub(crate) async fn insert(&self, record: Arc<ClientRecord>) -> Result<(), StoreError> {
        let row = ClientRow::from_record(&record)?;
        self.submit(Write::Insert(row)).await
    }

    /// `insert_with_initial_access_token`, through the writer.
    pub(crate) async fn insert_with_initial_access_token(
        &self,
        record: Arc<ClientRecord>,
        now: u64,
    ) -> Result<(), StoreError> {
        let Caller::InitialAccessToken { id } = record.registered_by() else {
            return Err(StoreError::InitialAccessTokenRefused(TokenRefusal::Unknown));
        };
        let row = ClientRow::from_record(&record)?;
        let token_id = id.clone();
        self.submit(Write::InsertWithToken { token_id, now, row })
            .await
    }

    async fn submit(&self, write: Write) -> Result<(), StoreError> {
        let (outcome, answer) = oneshot::channel();
        self.jobs
            .send(Job { write, outcome })
            .await
            .map_err(|_| writer_gone())?;
        answer.await.unwrap_or_else(|_| Err(writer_gone()))
    }
}

/// The writer tasks: each takes what is waiting (at least one write, at most [`MAX_BATCH`]),
/// writes it in one transaction, answers each write, again; until every handle is dropped.
async fn run<W: BatchWriter>(clients: Arc<W>, queue: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        {
            // One writer takes from the queue at a time; the others write meanwhile.
            let mut queue = queue.lock().await;
            if queue.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return;
            }
        }
        // A request that gave up (its future dropped) before its write began is not written,
        // as a write that never reached the database.
        batch.retain(|job: &Job| !job.outcome.is_closed());
        if batch.is_empty() {
            continue;
        }
        let (writes, answers): (Vec<Write>, Vec<_>) =
            batch.drain(..).map(|job| (job.write, job.outcome)).unzip();
        let outcomes = match clients.write_batch(&writes).await {
            Ok(outcomes) => outcomes,
            Err(err) if writes.len() == 1 => vec![Err(err)],
            // Which write the error came from is unknown: each again, alone.
            Err(_) => {
                let mut outcomes = Vec::with_capacity(writes.len());
                for write in &writes {
                    outcomes.push(write_alone(&*clients, write).await);
                }
                outcomes
            }
        };
        for (answer, outcome) in answers.into_iter().zip(outcomes) {
            let _ = answer.send(outcome);
        }
    }
}

/// `write` in a transaction of its own: its outcome, or the error of the transaction.
async fn write_alone<W: BatchWriter>(clients: &W, write: &Write) -> Result<(), StoreError> {
    let mut outcomes = clients.write_batch(std::slice::from_ref(write)).await?;
    outcomes
        .pop()
        .unwrap_or_else(|| Err(StoreError::Backend("a write gave no outcome".into())))
}

/// Writes a batch in one transaction: the writer task's one operation, as a trait so that
/// the task is generic over the dialect without repeating the driver's bounds.
#[async_trait::async_trait]
pub(crate) trait BatchWriter: Send + Sync + 'static {
    /// Writes `writes` in one transaction and commits it: the outcome of each write, in order,
    /// once the commit returned; an error when the batch as a whole failed (nothing written).
    async fn write_batch(
        &self,
        writes: &[Write],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError>;
}

#[async_trait::async_trait]
impl<DB: Dialect> BatchWriter for Clients<DB>
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
    async fn write_batch(
        &self,
        writes: &[Write],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        let mut tx = self
            .pool()
            .begin_with(DB::BEGIN_WRITE)
            .await
            .map_err(backend)?;
        // On error the transaction is dropped, which rolls it back.
        let plain = writes.iter().filter_map(|write| match write {
            Write::Insert(row) => Some(row),
            Write::InsertWithToken { .. } => None,
        });
        let mut inserted = self.insert_rows(&mut tx, plain).await?;
        // Registrations with tokens in the order of their tokens: concurrent batches (several
        // writers, several replicas) lock token rows in one order, so never wait for each other
        // in a cycle.
        let mut with_token: Vec<usize> = (0..writes.len())
            .filter(|&i| matches!(writes[i], Write::InsertWithToken { .. }))
            .collect();
        with_token.sort_by_key(|&i| match &writes[i] {
            Write::InsertWithToken { token_id, .. } => token_id.as_str(),
            Write::Insert(_) => "",
        });
        let mut token_outcomes: Vec<Option<Result<(), StoreError>>> =
            std::iter::repeat_with(|| None).take(writes.len()).collect();
        for i in with_token {
            if let Write::InsertWithToken { token_id, now, row } = &writes[i] {
                token_outcomes[i] = Some(
                    self.insert_with_token_in(&mut tx, token_id, *now, row)
                        .await?,
                );
            }
        }
        tx.commit().await.map_err(backend)?;
        Ok(writes
            .iter()
            .zip(token_outcomes)
            .map(|(write, token_outcome)| match (write, token_outcome) {
                // The first of two writes of one id in the batch is the one inserted.
                (Write::Insert(row), _) if inserted.remove(&row.client_id) => Ok(()),
                (Write::Insert(_), _) => Err(StoreError::AlreadyExists),
                (Write::InsertWithToken { .. }, Some(outcome)) => outcome,
                (Write::InsertWithToken { .. }, None) => {
                    Err(StoreError::Backend("a write gave no outcome".into()))
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests;
